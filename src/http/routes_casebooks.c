/* 分析运用 for people: trainers' casebooks (案例复盘) and the periodic
 * supervision report (热线监督报告), as JSON and as printable HTML or
 * Markdown. Both carry callers' data masked whatever the role. */
#include "rexian/app.h"
#include "rexian/casebook.h"
#include "rexian/error.h"
#include "rexian/kb.h"
#include "rexian/report.h"
#include "rexian/stats.h"
#include "rexian/tickets.h"

#include "routes.h"

#include <stdlib.h>
#include <string.h>

/* The printable pages hold no script and load nothing: the policy says so
 * to the browser as well, so that even a missed escape could run nothing. */
#define EXPORT_POLICY                                                                              \
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "              \
    "form-action 'none'; frame-ancestors 'self'"

typedef enum { FMT_JSON, FMT_HTML, FMT_MD } export_format;

static bool param_format(export_format *out, const rx_http_request *req, rx_http_response *res)
{
    const char *f = rx_http_param(req, "format");
    *out = FMT_JSON;
    if (!f || !*f || !strcmp(f, "json"))
        return true;
    if (!strcmp(f, "html")) {
        *out = FMT_HTML;
        return true;
    }
    if (!strcmp(f, "md") || !strcmp(f, "markdown")) {
        *out = FMT_MD;
        return true;
    }
    rx_http_error(res, 400, "invalid_parameter", "format 只能是 html、md 或 json");
    return false;
}

/* Answers doc (JSON, HTML or Markdown); takes doc. */
static void answer(rx_http_response *res, int status, cJSON *doc, export_format f,
                   int (*html)(rx_buf *, const cJSON *), int (*md)(rx_buf *, const cJSON *))
{
    if (f == FMT_JSON) {
        rx_http_json(res, status, doc);
        return;
    }
    rx_buf_reset(&res->body);
    int rc = f == FMT_HTML ? html(&res->body, doc) : md(&res->body, doc);
    cJSON_Delete(doc);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    res->status = status;
    res->content_type = f == FMT_HTML ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8";
    res->security_policy = EXPORT_POLICY;
}

static rx_casebooks *casebooks_or_fail(rx_app *app, rx_http_response *res)
{
    rx_casebooks *cb = rx_app_casebooks(app);
    if (!cb || !rx_app_tickets(app))
        rx_http_error(res, 503, "casebooks_unavailable", "案例复盘未启用（没有工单库）");
    return rx_app_tickets(app) ? cb : NULL;
}

/* ctx: the request's knowledge-base handle, or NULL */
static char *doc_title(void *ctx, const char *id)
{
    cJSON *doc = NULL;
    if (!ctx || rx_kb_get(&doc, ctx, id) != RX_OK) {
        cJSON_Delete(doc);
        return NULL;
    }
    const cJSON *t = cJSON_GetObjectItem(doc, "title");
    char *title = cJSON_IsString(t) ? strdup(t->valuestring) : NULL;
    cJSON_Delete(doc);
    return title;
}

void rx_route_casebooks_create(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_casebooks *cb = casebooks_or_fail(app, res);
    if (!cb)
        return;
    cJSON *body = rx_body_object(
        req, res,
        "{\"title\":\"…\",\"tickets\":[\"ZZ20260501-000001\"],\"lessons\":{\"ZZ20260501-000001\":"
        "\"…\"}}");
    if (!body)
        return;
    rx_actor who = rx_route_actor(app, req);
    cJSON *out;
    int rc = rx_casebook_create(&out, cb, rx_app_tickets(app), body, &who, doc_title, who.doc_ctx);
    cJSON_Delete(body);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    rx_http_json(res, 201, out);
}

void rx_route_casebooks_list(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_casebooks *cb = casebooks_or_fail(app, res);
    long limit, offset;
    if (!cb || !rx_param_number(&limit, req, res, "limit", 50, 1, 200) ||
        !rx_param_number(&offset, req, res, "offset", 0, 0, 100000))
        return;
    cJSON *out;
    int rc = rx_casebooks_list(&out, cb, (int)limit, (int)offset);
    if (rc != RX_OK)
        rx_http_fail(res, rc);
    else
        rx_http_json(res, 200, out);
}

void rx_route_casebook_get(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    rx_casebooks *cb = casebooks_or_fail(app, res);
    export_format f;
    if (!cb || !param_format(&f, req, res))
        return;
    cJSON *book;
    int rc = rx_casebook_get(&book, cb, req->path_id);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    answer(res, 200, book, f, rx_casebook_html, rx_casebook_markdown);
}

/* ---- 热线监督报告 ---- */

/* The report's hot words: the statistics' own (民生热词). */
static int hotwords(cJSON **out, void *ctx, long from, long to, int limit)
{
    return rx_stats_hotwords(out, ctx, from, to, limit);
}

void rx_route_stats_report(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    export_format f;
    if (!param_format(&f, req, res))
        return;
    const char *period = rx_http_param(req, "period");
    rx_period p;
    if (period && *period) {
        if (rx_period_parse(&p, period) != RX_OK) {
            rx_http_error(res, 400, "invalid_parameter",
                          "period 必须是月份（2026-05）或季度（2026-Q2）");
            return;
        }
    } else {
        rx_period_default(&p, rx_app_clock(app));
    }
    rx_tickets *t = rx_app_tickets(app);
    long long pending;
    rx_stats *s = t ? rx_route_stats(app, res, &pending) : NULL;
    if (!t && !res->status)
        rx_http_error(res, 503, "stats_unavailable", "统计未启用（没有工单库）");
    if (!s)
        return;
    rx_actor who = rx_route_actor(app, req);
    rx_report_sources src = {
        .stats = s, .tickets = t, .who = &who, .hotwords = hotwords, .hotwords_ctx = s};
    cJSON *report;
    int rc = rx_report_build(&report, &src, &p);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return;
    }
    rx_route_note_pending(report, pending);
    answer(res, 200, report, f, rx_report_html, rx_report_markdown);
}
