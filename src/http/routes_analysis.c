/* Analysis routes (分析运用): 民生热词, 未诉先办, 政策效果, 知识缺口. */
#include "rexian/app.h"
#include "rexian/error.h"
#include "rexian/kb.h"
#include "rexian/stats.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include "routes.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TERMS 8

/* A statistic over a range of days, with limit= when it takes one. */
typedef int (*ranged_fn)(cJSON **out, rx_stats *s, long from, long to, int limit);

static void ranged(rx_app *app, const rx_http_request *req, rx_http_response *res, ranged_fn fn,
                   bool limited)
{
    long from, to, limit = 0;
    if (!rx_param_range(&from, &to, app, req, res) ||
        (limited && !rx_param_number(&limit, req, res, "limit", 20, 1, 200)))
        return;
    long long pending;
    rx_stats *s = rx_route_stats(app, res, &pending);
    if (!s)
        return;
    cJSON *out = NULL;
    int rc = fn(&out, s, from, to, (int)limit);
    rx_route_stats_answer(res, rc, out, pending);
}

static int warnings(cJSON **out, rx_stats *s, long from, long to, int limit)
{
    (void)limit; /* at most MAX_WARNINGS, the most significant */
    return rx_stats_warnings(out, s, from, to);
}

void rx_route_stats_hotwords(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    ranged(app, req, res, rx_stats_hotwords, true);
}

void rx_route_stats_warnings(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    ranged(app, req, res, warnings, false);
}

void rx_route_stats_gaps(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    ranged(app, req, res, rx_stats_gaps, true);
}

/* terms=a,b,c (commas, full-width commas or spaces) into an array. */
static cJSON *split_terms(const char *v)
{
    cJSON *arr = cJSON_CreateArray();
    for (const char *p = v; arr && *p;) {
        size_t skip = strspn(p, " ,");
        if (!strncmp(p + skip, "，", strlen("，"))) {
            p += skip + strlen("，");
            continue;
        }
        p += skip;
        size_t len = 0;
        while (p[len] && p[len] != ' ' && p[len] != ',' &&
               strncmp(p + len, "，", strlen("，")) != 0)
            len++;
        if (len) {
            char *t = strndup(p, len);
            cJSON_AddItemToArray(arr, cJSON_CreateString(t ? t : ""));
            free(t);
        }
        p += len;
    }
    return arr;
}

/* The document's topic: tags, else the title. */
static char *topic_text(const cJSON *doc)
{
    rx_buf b = {0};
    const cJSON *tag;
    cJSON_ArrayForEach(tag, cJSON_GetObjectItemCaseSensitive(doc, "tags"))
    {
        if (cJSON_IsString(tag)) {
            if (b.len)
                rx_buf_putc(&b, ' ');
            rx_buf_puts(&b, tag->valuestring);
        }
    }
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(doc, "title");
    if (!b.len && cJSON_IsString(title))
        rx_buf_puts(&b, title->valuestring);
    return b.data ? rx_buf_steal(&b) : strdup("");
}

void rx_route_stats_policy(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    const char *id, *terms_param, *since;
    long months, min;
    if (!rx_param_text(&id, req, res, "doc", 200) ||
        !rx_param_text(&terms_param, req, res, "terms", 400) ||
        !rx_param_text(&since, req, res, "effective", 10) ||
        !rx_param_number(&months, req, res, "months", 3, 1, 12) ||
        !rx_param_number(&min, req, res, "min", 0, 0, MAX_TERMS))
        return;
    if (!id) {
        rx_http_error(res, 400, "invalid_parameter", "请用 doc 指定知识库文档编号");
        return;
    }
    rx_kb *kb = rx_app_kb(app);
    if (!kb) {
        rx_http_index_unavailable(res);
        return;
    }
    cJSON *doc = NULL;
    int rc = rx_kb_get(&doc, kb, id);
    if (rc != RX_OK) {
        if (rc == RX_ENOTFOUND)
            rx_http_error(res, 404, "document_not_found", "知识库中没有编号为 %s 的文档", id);
        else
            rx_http_fail(res, rc);
        return;
    }
    const cJSON *eff = cJSON_GetObjectItemCaseSensitive(doc, "effective");
    const char *effective = since ? since : cJSON_IsString(eff) ? eff->valuestring : NULL;
    long day = effective ? rx_date_parse(effective, strlen(effective)) : RX_DATE_INVALID;
    if (day == RX_DATE_INVALID) {
        rx_http_error(res, 400, "invalid_parameter",
                      since ? "effective 须为 YYYY-MM-DD 格式的日期" : "该文档没有生效日期");
        cJSON_Delete(doc);
        return;
    }
    long long pending;
    rx_stats *s = rx_route_stats(app, res, &pending);
    if (!s) {
        cJSON_Delete(doc);
        return;
    }
    cJSON *terms = NULL;
    if (terms_param) {
        /* each as ticket text folds it (共享单车 → 互联网租赁自行车), kept whole
         * when it is more than one term */
        terms = split_terms(terms_param);
        cJSON *t;
        cJSON_ArrayForEach(t, terms)
        {
            cJSON *folded = NULL;
            if (rx_stats_topic_terms(&folded, s, t->valuestring) == RX_OK &&
                cJSON_GetArraySize(folded) == 1)
                cJSON_SetValuestring(t, cJSON_GetArrayItem(folded, 0)->valuestring);
            cJSON_Delete(folded);
        }
    } else {
        char *text = topic_text(doc);
        rc = text ? rx_stats_topic_terms(&terms, s, text) : RX_ENOMEM;
        free(text);
    }
    int nterms = terms ? cJSON_GetArraySize(terms) : 0;
    if (rc == RX_OK && nterms == 0) {
        rx_http_error(res, 422, "no_topic",
                      "无法从该文档的标签和标题得出话题词，请用 terms 指定（逗号分隔）");
        cJSON_Delete(terms);
        cJSON_Delete(doc);
        return;
    }
    if (nterms > MAX_TERMS)
        nterms = MAX_TERMS;
    const char *list[MAX_TERMS];
    for (int k = 0; k < nterms; k++)
        list[k] = cJSON_GetArrayItem(terms, k)->valuestring;
    rx_policy_topic topic = {
        .terms = list,
        .nterms = (size_t)nterms,
        /* terms given: any of them; the document's own: two of three or more */
        .min_terms = min > 0       ? (int)(min < nterms ? min : nterms)
                     : terms_param ? 1
                     : nterms >= 3 ? 2
                                   : 1,
        .effective = day,
        .today = rx_wf_day(rx_app_clock(app)),
        .months = (int)months,
    };
    cJSON *out = NULL;
    if (rc == RX_OK)
        rc = rx_stats_policy(&out, s, &topic);
    if (rc == RX_OK) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "id", id);
        const cJSON *title = cJSON_GetObjectItemCaseSensitive(doc, "title");
        cJSON_AddStringToObject(d, "title", cJSON_IsString(title) ? title->valuestring : "");
        cJSON_AddItemToObject(out, "doc", d);
    }
    cJSON_Delete(terms);
    cJSON_Delete(doc);
    rx_route_stats_answer(res, rc, out, pending);
}
