/* Ticket routes: create, read, list and case search, actions, the callback
 * queue and the scanner trigger. The workflow and the store answer with
 * the core's error codes, mapped to statuses by rx_http_fail. */
#include "rexian/app.h"
#include "rexian/assist.h"
#include "rexian/error.h"
#include "rexian/kb.h"
#include "rexian/roles.h"
#include "rexian/text.h"
#include "rexian/tickets.h"
#include "rexian/users.h"
#include "rexian/util.h"

#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rx_tickets *store_or_fail(rx_app *app, rx_http_response *res)
{
    rx_tickets *t = rx_app_tickets(app);
    if (!t)
        rx_http_error(res, 503, "tickets_unavailable", "工单库未启用");
    return t;
}

/* ctx: the request's knowledge-base handle, or NULL */
static bool doc_exists(void *ctx, const char *id)
{
    rx_kb *kb = ctx;
    if (!kb)
        return true; /* the index is away: do not refuse the agent's answer */
    cJSON *doc = NULL;
    int rc = rx_kb_get(&doc, kb, id);
    cJSON_Delete(doc);
    return rc != RX_ENOTFOUND;
}

/* The authenticated user as the ticket store sees it, with the departments
 * of the served index (one source: refreshed on every reindex). The handle
 * is refreshed here once: departments and documents are read from the same
 * generation, and no refresh frees the list while the action uses it. */
rx_actor rx_route_actor(rx_app *app, const rx_http_request *req)
{
    rx_kb *kb = rx_app_kb(app);
    return (rx_actor){.name = req->user ? req->user : "anonymous",
                      .role = req->role ? req->role : "anonymous",
                      .department = req->department,
                      .departments = kb ? rx_kb_departments(kb) : NULL,
                      .now = rx_app_clock(app),
                      .doc_exists = doc_exists,
                      .doc_ctx = kb};
}

/* Every answer that shows a caller's data unmasked is written to the audit
 * log: who read which ticket's personal data. */
static void audit_read(rx_app *app, const rx_http_request *req, const char *id)
{
    rx_pii level = rx_role_pii((rx_role)req->role_id);
    if (level == RX_PII_MASKED)
        return;
    rx_audit(rx_app_db(app), req->user, req->role,
             level == RX_PII_FULL ? "read_personal" : "read_contact", id, NULL);
}

void rx_route_tickets_create(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_tickets *t = store_or_fail(app, res);
    if (!t)
        return;
    cJSON *body = rx_body_object(req, res, "{\"channel\":\"phone\",\"content\":\"…\"}");
    if (!body)
        return;
    rx_actor who = rx_route_actor(app, req);
    cJSON *out;
    int rc = rx_tickets_create(&out, t, body, &who);
    if (rc == RX_OK) {
        rx_ticket_mask(out, rx_role_pii((rx_role)req->role_id));
        rx_http_json(res, 201, out);
    } else
        rx_http_fail(res, rc);
    cJSON_Delete(body);
}

void rx_route_ticket_get(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_tickets *t = store_or_fail(app, res);
    if (!t)
        return;
    cJSON *out;
    rx_actor who = rx_route_actor(app, req);
    int rc = rx_tickets_get(&out, t, req->path_id, &who);
    if (rc == RX_OK) {
        audit_read(app, req, req->path_id);
        rx_http_json(res, 200, out);
    } else
        rx_http_fail(res, rc);
}

/* Assist learns from an action as soon as it is taken (a return changes
 * the next suggestion; a resolution, the next search), unless the learner
 * thread is at it already: then it learns it on its pass. */
static void learn(rx_app *app, rx_kb *kb)
{
    rx_assist *a = rx_app_assist(app);
    if (!a || !kb)
        return;
    rx_analyzer an = rx_kb_analyzer(kb);
    if (rx_assist_sync(a, rx_app_tickets(app), &an, 1000, NULL) != RX_OK)
        fprintf(stderr, "rexian serve: assist: %s\n", rx_error_last());
}

void rx_route_ticket_act(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_tickets *t = store_or_fail(app, res);
    if (!t)
        return;
    cJSON *body = rx_body_object(req, res, "{\"action\":\"accept\"}");
    if (!body)
        return;
    rx_actor who = rx_route_actor(app, req);
    cJSON *out;
    int rc = rx_tickets_act(&out, t, req->path_id, body, &who);
    if (rc == RX_OK) {
        rx_ticket_mask(out, rx_role_pii((rx_role)req->role_id));
        rx_http_json(res, 200, out);
        learn(app, who.doc_ctx);
    } else
        rx_http_fail(res, rc);
    cJSON_Delete(body);
}

/* A yes/no parameter: 1, 0, true or false; false when it is none of them. */
static bool flag(bool *out, const char *v)
{
    if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0 && strcmp(v, "true") != 0 &&
        strcmp(v, "false") != 0)
        return false;
    *out = !strcmp(v, "1") || !strcmp(v, "true");
    return true;
}

static void list(rx_app *app, const rx_http_request *req, rx_http_response *res, bool callbacks)
{
    rx_tickets *t = store_or_fail(app, res);
    if (!t)
        return;
    rx_ticket_query q = {.callback_queue = callbacks};
    const char *status, *supervision, *overdue, *approval;
    long limit, offset;
    if (!rx_param_number(&limit, req, res, "limit", 20, 1, 100) ||
        !rx_param_number(&offset, req, res, "offset", 0, 0, 10000) ||
        !rx_param_date(&q.from, req, res, "from") || !rx_param_date(&q.to, req, res, "to") ||
        !rx_param_text(&status, req, res, "status", 200) ||
        !rx_param_text(&q.department, req, res, "department", 200) ||
        !rx_param_text(&q.category, req, res, "category", 100) ||
        !rx_param_text(&q.channel, req, res, "channel", 32) ||
        !rx_param_text(&supervision, req, res, "supervision", 32) ||
        !rx_param_text(&overdue, req, res, "overdue", 8) ||
        !rx_param_text(&approval, req, res, "approval", 8) ||
        !rx_param_text(&q.q, req, res, "q", 1024))
        return;
    q.limit = (int)limit;
    q.offset = (int)offset;
    if (status) { /* a comma-separated list of statuses */
        char buf[256];
        snprintf(buf, sizeof buf, "%s", status);
        char *save = NULL;
        for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
            int k = rx_status_find(s);
            if (k < 0) {
                rx_http_error(res, 400, "invalid_parameter",
                              "未知状态“%s”：可用 received、dispatched、accepted、replied、"
                              "closed、reopened、archived",
                              s);
                return;
            }
            q.status_mask |= 1u << k;
        }
    }
    if (supervision && (q.supervision = rx_supervision_find(supervision)) <= 0) {
        rx_http_error(res, 400, "invalid_parameter",
                      "supervision 必须是 hotline、joint、media 或 leader");
        return;
    }
    if (overdue && !flag(&q.overdue, overdue)) {
        rx_http_error(res, 400, "invalid_parameter", "overdue 必须是 1 或 0");
        return;
    }
    if (approval) {
        if (!flag(&q.approval, approval)) {
            rx_http_error(res, 400, "invalid_parameter", "approval 必须是 1 或 0");
            return;
        }
    }
    cJSON *out;
    rx_actor who = rx_route_actor(app, req);
    int rc = rx_tickets_list(&out, t, &q, &who);
    if (rc == RX_OK)
        rx_http_json(res, 200, out);
    else
        rx_http_fail(res, rc);
}

void rx_route_tickets_list(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    list(app, req, res, false);
}

void rx_route_callbacks(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    list(app, req, res, true);
}

void rx_route_scan(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    (void)req;
    rx_tickets *t = store_or_fail(app, res);
    if (!t)
        return;
    rx_scan_result r;
    if (rx_tickets_scan(t, rx_app_clock(app), &r) != RX_OK) {
        rx_http_error(res, 500, "internal", "扫描超期工单失败");
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "overdue", r.overdue);
    cJSON_AddNumberToObject(doc, "escalated", r.escalated);
    rx_http_json(res, 200, doc);
}
