/* Knowledge-base routes: search, type-ahead, the document view, health,
 * metrics and the synonym groups in use. Parameters are checked here, with
 * messages for people. */
#include "rexian/app.h"
#include "rexian/assist.h"
#include "rexian/error.h"
#include "rexian/kb.h"
#include "rexian/roles.h"
#include "rexian/synonyms.h"
#include "rexian/text.h"
#include "rexian/tickets.h"
#include "rexian/util.h"

#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUERY_BYTES 1024
#define MAX_OFFSET 10000

void rx_route_healthz(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    (void)req;
    rx_kb *kb = rx_app_kb(app);
    if (!kb) {
        rx_http_index_unavailable(res);
        return;
    }
    /* two integers in a fixed shape: written directly, since a load
     * balancer asks this many times a second (cJSON prints every number
     * with sprintf and reads it back with sscanf) */
    res->status = 200;
    rx_buf_reset(&res->body);
    rx_buf_printf(&res->body,
                  "{\"status\":\"ok\",\"index\":{\"documents\":%zu,\"generation\":%ld}}",
                  rx_kb_doccount(kb), rx_kb_generation(kb));
}

void rx_route_metrics(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    (void)req;
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    rx_app_metrics(app, &res->body);
    rx_kb *kb = rx_app_kb(app);
    if (kb)
        rx_buf_printf(&res->body,
                      "# HELP rexian_index_documents Documents in the served index.\n"
                      "# TYPE rexian_index_documents gauge\nrexian_index_documents %zu\n"
                      "# HELP rexian_index_generation Generation of the served index.\n"
                      "# TYPE rexian_index_generation gauge\nrexian_index_generation %ld\n",
                      rx_kb_doccount(kb), rx_kb_generation(kb));
    rx_tickets *t = rx_app_tickets(app);
    long long counts[RX_ST_COUNT], overdue;
    if (t && rx_tickets_counts(t, rx_app_clock(app), counts, &overdue) == RX_OK) {
        rx_buf_puts(&res->body, "# HELP rexian_tickets Tickets by status (archived not counted).\n"
                                "# TYPE rexian_tickets gauge\n");
        for (int s = 0; s < RX_ST_COUNT; s++)
            if (s != RX_ST_ARCHIVED)
                rx_buf_printf(&res->body, "rexian_tickets{status=\"%s\"} %lld\n",
                              rx_status_name((rx_status)s), counts[s]);
        rx_buf_printf(
            &res->body,
            "# HELP rexian_tickets_overdue Dispatched or accepted tickets past their "
            "deadline.\n# TYPE rexian_tickets_overdue gauge\nrexian_tickets_overdue %lld\n",
            overdue);
    }
}

/* Reads and checks the search parameters shared by search and suggest. */
static bool read_query(rx_kb_query *q, rx_kb *kb, const rx_http_request *req, rx_http_response *res,
                       long max_limit)
{
    long limit, offset, as_of_day;
    const char *text, *dept, *type, *as_of, *expired, *ticket;
    if (!rx_param_text(&text, req, res, "q", MAX_QUERY_BYTES) ||
        !rx_param_text(&dept, req, res, "department", 200) ||
        !rx_param_text(&type, req, res, "type", 16) ||
        !rx_param_text(&as_of, req, res, "as_of", 16) ||
        !rx_param_date(&as_of_day, req, res, "as_of") ||
        !rx_param_text(&expired, req, res, "expired", 8) ||
        !rx_param_text(&ticket, req, res, "ticket", 64) ||
        !rx_param_number(&limit, req, res, "limit", 10, 1, max_limit) ||
        !rx_param_number(&offset, req, res, "offset", 0, 0, MAX_OFFSET))
        return false;
    if (!text) {
        rx_http_error(res, 400, "missing_query", "缺少查询内容：请提供参数 q");
        return false;
    }
    if (dept && !rx_kb_department(kb, dept)) {
        rx_http_fail(res, RX_EVALUE);
        return false;
    }
    if (type && strcmp(type, "policy") != 0 && strcmp(type, "guide") != 0 &&
        strcmp(type, "notice") != 0 && strcmp(type, "faq") != 0) {
        rx_http_error(res, 400, "invalid_parameter",
                      "参数 type 只能是 policy、guide、notice 或 faq");
        return false;
    }
    if (expired && strcmp(expired, "0") != 0 && strcmp(expired, "1") != 0) {
        rx_http_error(res, 400, "invalid_parameter", "参数 expired 只能是 0 或 1");
        return false;
    }
    *q = (rx_kb_query){.q = text,
                       .department = dept,
                       .type = type,
                       .limit = (size_t)limit,
                       .offset = (size_t)offset,
                       .expired = expired && strcmp(expired, "1") == 0,
                       .as_of = as_of};
    return true;
}

static void kb_failed(rx_http_response *res)
{
    fprintf(stderr, "rexian serve: search: %s\n", rx_error_last());
    rx_http_error(res, 500, "internal", "检索出错，请稍后再试");
}

#define LEARNED_DEPTH 30 /* hits that what resolved calls taught may reorder */

/* Resolution feeds ranking: when resolved calls taught something about the
 * query's words (learned), the search asks for the first LEARNED_DEPTH hits,
 * they are reordered by it and the requested page is cut from them. */
static int search_learned(cJSON **out, rx_kb *kb, const rx_kb_query *q, rx_app *app, bool learned)
{
    rx_assist *a = learned ? rx_app_assist(app) : NULL;
    rx_analyzer an = rx_kb_analyzer(kb);
    if (!a || q->offset + q->limit > LEARNED_DEPTH || !rx_assist_has_learned(a, &an, q->q))
        return rx_kb_search(out, kb, q);
    rx_kb_query wide = *q;
    wide.offset = 0;
    wide.limit = LEARNED_DEPTH;
    int rc = rx_kb_search(out, kb, &wide);
    if (rc != RX_OK)
        return rc;
    cJSON *hits = cJSON_GetObjectItemCaseSensitive(*out, "hits");
    rx_assist_rerank(a, &an, q->q, hits, rx_app_clock(app));
    for (size_t k = 0; k < q->offset && cJSON_GetArraySize(hits) > 0; k++)
        cJSON_DeleteItemFromArray(hits, 0);
    while (cJSON_GetArraySize(hits) > (int)q->limit)
        cJSON_DeleteItemFromArray(hits, (int)q->limit);
    return RX_OK;
}

/* Checks the parameters and runs the search (reordered by learned terms
 * when learned); false when res already holds the error. default_limit
 * applies when the request names none. */
static bool run_search(cJSON **out, rx_kb_query *q, rx_app *app, const rx_http_request *req,
                       rx_http_response *res, long max_limit, size_t default_limit, bool learned)
{
    rx_kb *kb = rx_app_kb(app);
    if (!kb) {
        rx_http_index_unavailable(res);
        return false;
    }
    if (!read_query(q, kb, req, res, max_limit))
        return false;
    if (!rx_http_param(req, "limit"))
        q->limit = default_limit;
    if (search_learned(out, kb, q, app, learned) != RX_OK) {
        kb_failed(res);
        return false;
    }
    return true;
}

/* A search made for a ticket (ticket=ID) is recorded with it: the query,
 * the total and the ids shown. An unknown ticket does not cost the agent
 * the answer; "ticket_recorded" says whether it was kept. */
static void record_lookup(rx_app *app, const rx_http_request *req, cJSON *out)
{
    const char *ticket = rx_http_param(req, "ticket");
    rx_tickets *t = rx_app_tickets(app);
    if (!ticket || !*ticket || !t)
        return;
    cJSON *top = cJSON_CreateArray();
    const cJSON *hit;
    cJSON_ArrayForEach(hit, cJSON_GetObjectItemCaseSensitive(out, "hits"))
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(hit, "id");
        if (cJSON_IsString(id) && cJSON_GetArraySize(top) < 10)
            cJSON_AddItemToArray(top, cJSON_CreateString(id->valuestring));
    }
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(out, "total");
    const cJSON *confident = cJSON_GetObjectItemCaseSensitive(out, "confident");
    rx_actor who = {.name = req->user ? req->user : "anonymous",
                    .role = req->role,
                    .department = req->department,
                    .now = rx_app_clock(app)};
    rx_lookup l = {.query = rx_http_param(req, "q"),
                   .total = cJSON_IsNumber(total) ? total->valuedouble : 0,
                   .top = top,
                   .confident = cJSON_IsBool(confident) ? cJSON_IsTrue(confident) : -1};
    int rc = rx_tickets_record_lookup(t, ticket, &who, &l);
    cJSON_Delete(top);
    cJSON_AddBoolToObject(out, "ticket_recorded", rc == RX_OK);
}

void rx_route_search(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    const char *ticket = rx_http_param(req, "ticket");
    if (ticket && *ticket && !rx_role_can((rx_role)req->role_id, RX_CAP_RECORD_LOOKUP)) {
        rx_http_error(res, 403, "forbidden", "%s（%s）只能检索，不能把检索记入工单（ticket 参数）",
                      rx_role_label((rx_role)req->role_id), req->role);
        return;
    }
    rx_kb_query q;
    cJSON *out;
    if (!run_search(&out, &q, app, req, res, 100, 10, true))
        return;
    record_lookup(app, req, out);
    rx_http_json(res, 200, out);
}

void rx_route_suggest(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_kb_query q;
    cJSON *found;
    if (!run_search(&found, &q, app, req, res, 20, 8, false))
        return;
    cJSON *doc = cJSON_CreateObject(), *list = cJSON_CreateArray();
    cJSON_AddStringToObject(doc, "query", q.q);
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(found, "hits"))
    {
        cJSON *s = cJSON_CreateObject();
        static const char *const keys[] = {"id", "title", "type", "department"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            cJSON_AddItemToObject(s, keys[k],
                                  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(h, keys[k]), 1));
        cJSON_AddItemToArray(list, s);
    }
    cJSON_AddItemToObject(doc, "suggestions", list);
    cJSON_Delete(found);
    rx_http_json(res, 200, doc);
}

void rx_route_doc(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    const char *ticket = rx_http_param(req, "ticket");
    if (ticket && *ticket && !rx_role_can((rx_role)req->role_id, RX_CAP_RECORD_LOOKUP)) {
        rx_http_error(res, 403, "forbidden",
                      "%s（%s）只能阅读文档，不能把阅读记入工单（ticket 参数）",
                      rx_role_label((rx_role)req->role_id), req->role);
        return;
    }
    rx_kb *kb = rx_app_kb(app);
    if (!kb) {
        rx_http_index_unavailable(res);
        return;
    }
    cJSON *doc;
    int rc = rx_kb_get(&doc, kb, req->path_id);
    if (rc == RX_ENOTFOUND) {
        rx_http_error(res, 404, "not_found", "没有编号为 %s 的文档", req->path_id);
        return;
    }
    if (rc != RX_OK) {
        kb_failed(res);
        return;
    }
    rx_tickets *t = rx_app_tickets(app);
    if (ticket && *ticket && t) {
        /* a document opened for a ticket: which documents are read during
         * calls and never resolve one (statistics by document) */
        cJSON *top = cJSON_CreateArray();
        cJSON_AddItemToArray(top, cJSON_CreateString(req->path_id));
        rx_actor who = {.name = req->user ? req->user : "anonymous",
                        .role = req->role,
                        .department = req->department,
                        .now = rx_app_clock(app)};
        rx_lookup l = {.open = true, .total = 1, .top = top, .confident = -1};
        cJSON_AddBoolToObject(doc, "ticket_recorded",
                              rx_tickets_record_lookup(t, ticket, &who, &l) == RX_OK);
        cJSON_Delete(top);
    }
    rx_http_json(res, 200, doc);
}

/* Whether group g of s holds a term equal to word (exact) or containing it. */
static bool group_has(const rx_synonyms *s, size_t g, const char *word, bool exact)
{
    size_t n;
    const char *const *terms = rx_synonyms_group(s, g, &n);
    for (size_t k = 0; k < n; k++)
        if (exact ? strcmp(terms[k], word) == 0 : strstr(terms[k], word) != NULL)
            return true;
    return false;
}

/* The synonym groups the served index uses (admin, read-only), in their
 * order in the lists; with q, those with a term containing q (normalised as
 * the terms are), the groups holding q itself first. Paged by limit and
 * offset. */
void rx_route_synonyms(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    const char *q;
    long limit, offset;
    if (!rx_param_text(&q, req, res, "q", 200) ||
        !rx_param_number(&limit, req, res, "limit", 50, 1, 200) ||
        !rx_param_number(&offset, req, res, "offset", 0, 0, 1000000))
        return;
    rx_kb *kb = rx_app_kb(app);
    if (!kb) {
        rx_http_index_unavailable(res);
        return;
    }
    char *word = NULL;
    size_t len = 0;
    if (q && rx_text_normalize(&word, &len, q, strlen(q)) != RX_OK) {
        rx_http_error(res, 400, "invalid_parameter", "参数 q 不是合法的文字");
        return;
    }
    if (word && !len) { /* nothing left to look for: every group */
        free(word);
        word = NULL;
    }
    const rx_synonyms *s = rx_kb_synonyms(kb);
    size_t count = rx_synonyms_count(s), total = 0;
    cJSON *doc = cJSON_CreateObject(), *groups = cJSON_CreateArray();
    /* pass 0: groups holding the word itself; pass 1: the others containing it */
    for (int pass = word ? 0 : 1; pass < 2; pass++) {
        for (size_t g = 0; g < count; g++) {
            if (word && (pass == 0 ? !group_has(s, g, word, true)
                                   : group_has(s, g, word, true) || !group_has(s, g, word, false)))
                continue;
            if (total++ < (size_t)offset || cJSON_GetArraySize(groups) >= limit)
                continue;
            size_t n;
            const char *const *terms = rx_synonyms_group(s, g, &n);
            cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "terms");
            for (size_t k = 0; k < n; k++)
                cJSON_AddItemToArray(arr, cJSON_CreateString(terms[k]));
            cJSON_AddNumberToObject(o, "group", (double)g + 1);
            cJSON_AddItemToArray(groups, o);
        }
    }
    if (q)
        cJSON_AddStringToObject(doc, "q", q);
    else
        cJSON_AddNullToObject(doc, "q");
    cJSON_AddNumberToObject(doc, "total", (double)total);
    cJSON_AddItemToObject(doc, "groups", groups);
    cJSON_AddNumberToObject(doc, "groups_in_index", (double)count);
    cJSON_AddNumberToObject(doc, "generation", (double)rx_kb_generation(kb));
    free(word);
    rx_http_json(res, 200, doc);
}
