/* Admin routes: users and their tokens, reindexing. */
#include "rexian/app.h"
#include "rexian/error.h"
#include "rexian/reindex.h"
#include "rexian/users.h"

#include "routes.h"

#include <stdio.h>
#include <stdlib.h>

void rx_route_users_list(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    (void)req;
    cJSON *list;
    if (rx_user_list(&list, rx_app_db(app)) != RX_OK) {
        fprintf(stderr, "rexian serve: %s\n", rx_error_last());
        rx_http_error(res, 500, "internal", "读取用户列表失败");
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
    if (!cJSON_IsString(name) || !cJSON_IsString(role)) {
        cJSON_Delete(body);
        rx_http_error(res, 400, "invalid_field", "name 和 role 都必须是字符串");
        return;
    }
    char *token;
    int rc = rx_user_add(&token, rx_app_db(app), name->valuestring, role->valuestring);
    if (rc == RX_ECONFLICT)
        rx_http_error(res, 409, "user_exists", "用户 %s 已存在", name->valuestring);
    else if (rc == RX_EINVALID && !rx_role_valid(role->valuestring))
        rx_http_error(res, 422, "invalid_role", "角色必须是 agent、supervisor、trainer 或 admin");
    else if (rc == RX_EINVALID)
        rx_http_error(res, 422, "invalid_name", "用户名必须是 1 到 64 个字符");
    else if (rc != RX_OK)
        rx_http_error(res, 500, "internal", "创建用户失败");
    if (rc != RX_OK) {
        cJSON_Delete(body);
        return;
    }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "name", name->valuestring);
    cJSON_AddStringToObject(doc, "role", role->valuestring);
    cJSON_AddStringToObject(doc, "token", token);
    free(token);
    cJSON_Delete(body);
    rx_http_json(res, 201, doc);
}

void rx_route_reindex_start(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    bool full = false;
    if (req->body_len) {
        cJSON *body = cJSON_ParseWithLength(req->body, req->body_len);
        if (!cJSON_IsObject(body)) {
            cJSON_Delete(body);
            rx_http_error(res, 400, "invalid_json",
                          "请求体必须是 JSON 对象，例如 {\"full\":true}，或者留空");
            return;
        }
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
