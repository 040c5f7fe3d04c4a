/* Admin routes: users and their tokens, reindexing. */
#include "rexian/app.h"
#include "rexian/error.h"
#include "rexian/kb.h"
#include "rexian/reindex.h"
#include "rexian/tickets.h"
#include "rexian/users.h"

#include "routes.h"

#include <stdio.h>
#include <stdlib.h>

void rx_route_users_list(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    (void)req;
    cJSON *list;
    int rc = rx_user_list(&list, rx_app_db(app));
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "users", list);
    rx_http_json(res, 200, doc);
}

void rx_route_users_create(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    cJSON *body = rx_body_object(req, res, "{\"name\":\"张三\",\"role\":\"agent\"}");
    if (!body)
        return;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "name");
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(body, "role");
    const cJSON *dep = cJSON_GetObjectItemCaseSensitive(body, "department");
    if (!cJSON_IsString(name) || !cJSON_IsString(role) || (dep && !cJSON_IsString(dep))) {
        cJSON_Delete(body);
        rx_http_error(res, 400, "invalid_field",
                      "name 和 role 必须是字符串（department 可选，字符串）");
        return;
    }
    /* a department is named as the served index knows it (one source) */
    const char *department = dep ? dep->valuestring : NULL;
    rx_kb *kb = department ? rx_app_kb(app) : NULL;
    if (department && kb && !(department = rx_kb_department(kb, dep->valuestring))) {
        rx_http_fail(res, RX_EVALUE);
        cJSON_Delete(body);
        return;
    }
    char *token;
    int rc = rx_user_add(&token, rx_app_db(app), name->valuestring, role->valuestring, department);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        cJSON_Delete(body);
        return;
    }
    rx_audit(rx_app_db(app), req->user, req->role, "user_add", name->valuestring,
             role->valuestring);
    rx_app_forget_tokens(app);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "name", name->valuestring);
    cJSON_AddStringToObject(doc, "role", role->valuestring);
    if (department)
        cJSON_AddStringToObject(doc, "department", department);
    cJSON_AddStringToObject(doc, "token", token);
    free(token);
    cJSON_Delete(body);
    rx_http_json(res, 201, doc);
}

void rx_route_users_revoke(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    int rc = rx_user_revoke(rx_app_db(app), req->path_id);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    rx_audit(rx_app_db(app), req->user, req->role, "user_revoke", req->path_id, NULL);
    rx_app_forget_tokens(app);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "name", req->path_id);
    cJSON_AddBoolToObject(doc, "revoked", true);
    rx_http_json(res, 200, doc);
}

void rx_route_audit(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    long limit;
    if (!rx_param_number(&limit, req, res, "limit", 100, 1, 1000))
        return;
    cJSON *rows;
    int rc = rx_audit_list(&rows, rx_app_db(app), (int)limit);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "entries", rows);
    rx_http_json(res, 200, doc);
}

void rx_route_reindex_start(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    bool full = false;
    if (req->body_len) {
        cJSON *body = rx_body_object(req, res, "{\"full\":true}，或者留空");
        if (!body)
            return;
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(body, "full");
        if (f && !cJSON_IsBool(f)) {
            cJSON_Delete(body);
            rx_http_error(res, 400, "invalid_field", "full 必须是 true 或 false");
            return;
        }
        full = cJSON_IsTrue(f);
        cJSON_Delete(body);
    }
    long id = 0;
    int rc = rx_reindexer_start(rx_app_reindexer(app), full, &id);
    if (rc == RX_OK) {
        char what[32];
        snprintf(what, sizeof what, "%ld", id);
        rx_audit(rx_app_db(app), req->user, req->role, full ? "reindex_full" : "reindex", what,
                 NULL);
    }
    if (rc == RX_ECONFLICT) {
        rx_http_error(res, 409, "reindex_running", "已有重建索引任务在运行（任务 %ld）", id);
        return;
    }
    if (rc != RX_OK) {
        rx_http_error(res, 503, "unavailable", "无法启动重建索引任务");
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%ld", id);
    cJSON_AddStringToObject(doc, "job", idbuf);
    cJSON_AddStringToObject(doc, "status", "running");
    rx_http_json(res, 202, doc);
}

void rx_route_reindex_status(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    char *end;
    long id = strtol(req->path_id, &end, 10);
    cJSON *doc;
    if (*end || id < 1 || rx_reindexer_status(&doc, rx_app_reindexer(app), id) != RX_OK) {
        rx_http_error(res, 404, "not_found", "没有编号为 %s 的重建索引任务", req->path_id);
        return;
    }
    rx_http_json(res, 200, doc);
}

/* Who the token belongs to: the console asks once after login, to show
 * the pages the role may use (the server still checks every request), and
 * the workflow's default deadline per dispatch level (the rules file), so
 * that the 交办 form shows the server's numbers, not a copy of them. */
void rx_route_me(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "user", req->user ? req->user : "");
    cJSON_AddStringToObject(doc, "role", req->role ? req->role : "");
    cJSON_AddStringToObject(doc, "label", rx_role_label((rx_role)req->role_id));
    if (req->department)
        cJSON_AddStringToObject(doc, "department", req->department);
    else
        cJSON_AddNullToObject(doc, "department");
    rx_tickets *t = rx_app_tickets(app);
    if (t) {
        const rx_wf_rules *rules = rx_tickets_rules(t);
        cJSON *days = cJSON_AddObjectToObject(doc, "deadline_days");
        for (int l = RX_LEVEL_IMMEDIATE; l <= RX_LEVEL_LEADER; l++)
            cJSON_AddNumberToObject(days, rx_level_name((rx_level)l), rules->deadline_days[l]);
    } else {
        cJSON_AddNullToObject(doc, "deadline_days");
    }
    rx_http_json(res, 200, doc);
}
