/* Assist routes: a ticket's assist, the assist of text being typed, and the learned terms admins
 * list and remove. */
#include "rexian/app.h"
#include "rexian/assist.h"
#include "rexian/error.h"
#include "rexian/roles.h"
#include "rexian/users.h"
#include "rexian/util.h"

#include "routes.h"

#include <string.h>

static rx_assist *assist_or_fail(rx_app *app, rx_http_response *res)
{
    rx_assist *a = rx_app_assist(app);
    if (!a)
        rx_http_error(res, 503, "assist_unavailable", "辅助建议未启用（没有工单库）");
    return a;
}

void rx_route_ticket_assist(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_assist *a = assist_or_fail(app, res);
    if (!a)
        return;
    rx_actor who = rx_route_actor(app, req);
    rx_kb *kb = who.doc_ctx;
    if (!kb) {
        rx_http_index_unavailable(res);
        return;
    }
    cJSON *out;
    int rc = rx_assist_ticket(&out, a, kb, rx_app_tickets(app), req->path_id, &who);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    rx_http_json(res, 200, out);
}

#define TEXT_MAX 2000 /* bytes of 诉求 the text assist reads */

/* POST /api/v1/assist: the assist of a 诉求 still being typed. */
void rx_route_text_assist(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_assist *a = assist_or_fail(app, res);
    if (!a)
        return;
    cJSON *body = rx_body_object(req, res, "{\"content\":\"诉求内容\",\"address\":\"可选：地址\"}");
    if (!body)
        return;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(body, "content");
    const cJSON *address = cJSON_GetObjectItemCaseSensitive(body, "address");
    if (!cJSON_IsString(content) || !*content->valuestring ||
        (address && !cJSON_IsNull(address) && !cJSON_IsString(address))) {
        rx_http_error(res, 400, "invalid_parameter",
                      "需要 content（诉求内容，非空字符串），address 可选（字符串）");
        cJSON_Delete(body);
        return;
    }
    const char *addr = address && cJSON_IsString(address) ? address->valuestring : NULL;
    if (strlen(content->valuestring) > TEXT_MAX || (addr && strlen(addr) > TEXT_MAX)) {
        rx_http_error(res, 400, "invalid_parameter", "content 和 address 各不能超过 2000 字节");
        cJSON_Delete(body);
        return;
    }
    rx_kb *kb = rx_app_kb(app);
    if (!kb) {
        rx_http_index_unavailable(res);
        cJSON_Delete(body);
        return;
    }
    cJSON *out;
    int rc = rx_assist_text(&out, a, kb, rx_app_tickets(app), content->valuestring,
                            addr && *addr ? addr : NULL, rx_app_clock(app));
    cJSON_Delete(body);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    rx_http_json(res, 200, out);
}

void rx_route_learned_list(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_assist *a = assist_or_fail(app, res);
    const char *doc;
    long limit;
    if (!a || !rx_param_text(&doc, req, res, "doc", 128) ||
        !rx_param_number(&limit, req, res, "limit", 100, 1, 10000))
        return;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "learned", rx_assist_learned(a, doc, rx_app_clock(app), (int)limit));
    rx_http_json(res, 200, out);
}

void rx_route_learned_forget(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_assist *a = assist_or_fail(app, res);
    if (!a)
        return;
    cJSON *body = rx_body_object(req, res, "{\"doc\":\"文档编号\",\"term\":\"可选：检索词\"}");
    if (!body)
        return;
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(body, "doc");
    const cJSON *term = cJSON_GetObjectItemCaseSensitive(body, "term");
    if (!cJSON_IsString(doc) || !*doc->valuestring || (term && !cJSON_IsString(term))) {
        rx_http_error(res, 400, "invalid_parameter",
                      "需要 doc（文档编号，字符串），term 可选（字符串）");
        cJSON_Delete(body);
        return;
    }
    int rc = rx_assist_forget(a, doc->valuestring, term ? term->valuestring : NULL, req->user,
                              rx_app_clock(app));
    if (rc == RX_OK) {
        rx_audit(rx_app_db(app), req->user, req->role, "learned_forget", doc->valuestring,
                 term ? term->valuestring : NULL);
        cJSON *out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "doc", doc->valuestring);
        cJSON_AddItemToObject(out, "learned",
                              rx_assist_learned(a, doc->valuestring, rx_app_clock(app), 100));
        rx_http_json(res, 200, out);
    } else {
        rx_http_fail(res, rc);
    }
    cJSON_Delete(body);
}
