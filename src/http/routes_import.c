/* Importing documents from the console (admin): POST /api/v1/admin/imports
 * converts one uploaded file (the raw bytes as the body, its name in
 * ?name=) and writes nothing; POST /api/v1/admin/imports/publish writes a
 * reviewed draft into the corpus, sets the expiry of what it supersedes
 * and starts an incremental reindex. */
#include "rexian/error.h"
#include "rexian/import.h"
#include "rexian/reindex.h"
#include "rexian/users.h"

#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Waits this long for a running reindex before starting the one that
 * reads the published file. */
#define REINDEX_WAIT_S 120

static cJSON *draft_json(const rx_import_draft *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", d->file ? d->file : "");
    cJSON_AddStringToObject(o, "format", d->format ? d->format : "");
    cJSON_AddStringToObject(o, "id", d->id ? d->id : "");
    cJSON_AddStringToObject(o, "title", d->title ? d->title : "");
    cJSON_AddStringToObject(o, "department", d->department ? d->department : "");
    cJSON_AddStringToObject(o, "type", d->type ? d->type : "");
    cJSON *tags = cJSON_AddArrayToObject(o, "tags");
    for (size_t k = 0; k < d->ntags; k++)
        cJSON_AddItemToArray(tags, cJSON_CreateString(d->tags[k]));
    cJSON_AddStringToObject(o, "effective", d->effective);
    if (d->expires[0])
        cJSON_AddStringToObject(o, "expires", d->expires);
    else
        cJSON_AddNullToObject(o, "expires");
    if (d->docno)
        cJSON_AddStringToObject(o, "docno", d->docno);
    else
        cJSON_AddNullToObject(o, "docno");
    cJSON *g = cJSON_AddArrayToObject(o, "guessed");
    for (size_t k = 0; k < 7; k++)
        if (d->guessed & (1u << k))
            cJSON_AddItemToArray(g, cJSON_CreateString(rx_import_guess_keys[k]));
    cJSON_AddStringToObject(o, "folder", d->folder ? d->folder : "");
    cJSON_AddStringToObject(o, "body", d->body ? d->body : "");
    char *md = rx_import_markdown(d, true);
    cJSON_AddStringToObject(o, "markdown", md ? md : "");
    free(md);
    cJSON_AddStringToObject(o, "source_text", d->source_text ? d->source_text : "");
    cJSON *sup = cJSON_AddArrayToObject(o, "supersedes");
    for (size_t k = 0; k < d->nsupersedes; k++) {
        const rx_import_supersede *s = &d->supersedes[k];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", s->id);
        cJSON_AddStringToObject(x, "title", s->title);
        cJSON_AddStringToObject(x, "path", s->path);
        cJSON_AddStringToObject(x, "why", s->why);
        if (s->expires_before[0])
            cJSON_AddStringToObject(x, "expires_before", s->expires_before);
        else
            cJSON_AddNullToObject(x, "expires_before");
        cJSON_AddStringToObject(x, "expires_after", s->expires_after);
        cJSON_AddItemToArray(sup, x);
    }
    return o;
}

void rx_route_import_convert(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    const char *name, *department, *type;
    if (!rx_param_text(&name, req, res, "name", 255) ||
        !rx_param_text(&department, req, res, "department", 200) ||
        !rx_param_text(&type, req, res, "type", 20))
        return;
    if (!name) {
        rx_http_error(res, 400, "missing_name",
                      "请在 ?name= 中给出文件名（如 通知.docx），请求体是文件本身");
        return;
    }
    if (!req->body_len) {
        rx_http_error(res, 422, "empty", "文件是空的");
        return;
    }
    rx_import_ctx *ctx = NULL;
    if (rx_import_ctx_load(&ctx, rx_app_corpus(app)) != RX_OK) {
        rx_http_fail(res, rx_error_code());
        return;
    }
    rx_import_opts o = {.department = department, .type = type};
    rx_import_draft d;
    int rc = rx_import_convert(&d, ctx, name, req->body, req->body_len, &o);
    rx_import_ctx_free(ctx);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    rx_http_json(res, 200, draft_json(&d));
    rx_import_draft_clear(&d);
}

/* A string field that must be present (required) or may be absent/null;
 * answers 400 for a wrong type. */
static bool field(const char **out, const cJSON *body, const char *key, bool required,
                  rx_http_response *res)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) {
        if (required) {
            rx_http_error(res, 400, "missing_field", "缺少字段 %s", key);
            return false;
        }
        return true;
    }
    if (!cJSON_IsString(v)) {
        rx_http_error(res, 400, "invalid_field", "%s 必须是文本", key);
        return false;
    }
    *out = v->valuestring;
    return true;
}

void rx_route_import_publish(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    cJSON *body = rx_body_object(
        req, res,
        "{\"title\":…,\"department\":…,\"type\":\"policy\",\"effective\":\"2025-01-01\","
        "\"body\":\"Markdown 正文\"}");
    if (!body)
        return;
    rx_import_draft d = {0};
    const char *id, *title, *department, *type, *effective, *expires, *text, *file, *folder;
    if (!field(&id, body, "id", false, res) || !field(&title, body, "title", true, res) ||
        !field(&department, body, "department", true, res) ||
        !field(&type, body, "type", true, res) ||
        !field(&effective, body, "effective", true, res) ||
        !field(&expires, body, "expires", false, res) || !field(&text, body, "body", true, res) ||
        !field(&file, body, "file", false, res) || !field(&folder, body, "folder", false, res))
        goto done;
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(body, "tags");
    if (tags && !cJSON_IsNull(tags) && !cJSON_IsArray(tags)) {
        rx_http_error(res, 400, "invalid_field", "tags 必须是文本列表");
        goto done;
    }
    const cJSON *t;
    size_t nt = 0;
    cJSON_ArrayForEach(t, tags)
    {
        if (!cJSON_IsString(t)) {
            rx_http_error(res, 400, "invalid_field", "tags 必须是文本列表");
            goto done;
        }
        nt++;
    }
    /* the dates as dates, the department as the corpus knows it */
    if (rx_date_parse(effective, strlen(effective)) == RX_DATE_INVALID ||
        (expires && *expires && rx_date_parse(expires, strlen(expires)) == RX_DATE_INVALID)) {
        rx_http_error(res, 422, "invalid_date", "日期格式应为 YYYY-MM-DD（如 2025-03-01）");
        goto done;
    }
    rx_import_ctx *ctx = NULL;
    if (rx_import_ctx_load(&ctx, rx_app_corpus(app)) != RX_OK) {
        rx_http_fail(res, rx_error_code());
        goto done;
    }
    const rx_departments *deps = rx_import_ctx_departments(ctx);
    const char *canon = deps ? rx_departments_canonical(deps, department) : department;
    if (!canon) {
        rx_import_ctx_free(ctx);
        rx_http_error(res, 422, "unknown_department",
                      "部门“%s”不在 departments.txt 中（规范名称或别称）", department);
        goto done;
    }
    d.department = strdup(canon);
    rx_import_ctx_free(ctx);
    d.file = strdup(file ? file : "");
    d.format = "";
    d.title = strdup(title);
    d.type = strdup(type);
    d.body = strdup(text);
    d.id = id && *id ? strdup(id) : NULL;
    d.folder = folder && *folder ? strdup(folder) : NULL;
    if (!d.id)
        d.guessed |= RX_GUESS_ID;
    snprintf(d.effective, sizeof d.effective, "%s", effective);
    snprintf(d.expires, sizeof d.expires, "%s", expires ? expires : "");
    d.tags = calloc(nt + 1, sizeof *d.tags);
    cJSON_ArrayForEach(t, tags)
    {
        if (d.tags && *t->valuestring)
            d.tags[d.ntags++] = strdup(t->valuestring);
    }
    char *path = NULL;
    int rc = rx_import_publish(&path, rx_app_corpus(app), &d, false);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        goto done;
    }
    rx_audit(rx_app_db(app), req->user, req->role, "import_publish", d.id, path);
    for (size_t k = 0; k < d.nsupersedes; k++)
        rx_audit(rx_app_db(app), req->user, req->role, "import_supersede", d.supersedes[k].id,
                 d.supersedes[k].expires_after);
    long job = 0;
    rc = rx_reindexer_start_after(rx_app_reindexer(app), false, &job, REINDEX_WAIT_S);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "id", d.id);
    cJSON_AddStringToObject(doc, "path", path);
    if (rc == RX_OK) {
        char idbuf[24];
        snprintf(idbuf, sizeof idbuf, "%ld", job);
        cJSON_AddStringToObject(doc, "job", idbuf);
    } else {
        /* the file is in the corpus; the next reindex will index it */
        cJSON_AddNullToObject(doc, "job");
        cJSON_AddStringToObject(
            doc, "message", "文档已写入知识库，但重建索引未能启动，请稍后在“重建索引”中手动启动");
    }
    cJSON *sup = cJSON_AddArrayToObject(doc, "superseded");
    for (size_t k = 0; k < d.nsupersedes; k++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", d.supersedes[k].id);
        cJSON_AddStringToObject(x, "title", d.supersedes[k].title);
        cJSON_AddStringToObject(x, "why", d.supersedes[k].why);
        cJSON_AddStringToObject(x, "expires", d.supersedes[k].expires_after);
        cJSON_AddItemToArray(sup, x);
    }
    rx_http_json(res, 201, doc);
    free(path);
done:
    rx_import_draft_clear(&d);
    cJSON_Delete(body);
}
