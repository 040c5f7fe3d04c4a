/* 政策效果: the tickets on a policy's topic in the months before and after
 * it took effect, against the same months a year earlier (a
 * difference-in-differences on the counts: what the change would have
 * been had the year gone as the last one did). A ticket is on the topic
 * when it names at least min_terms of the topic's terms (the postings of
 * stats_term_tickets). */
#include "analysis.h"
#include "terms_query.h"

#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/strmap.h"
#include "rexian/terms.h"
#include "rexian/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Generic words of a document's title: they name no topic. */
static const char *const title_words[] = {
    "株洲", "株洲市", "管理", "规定", "办法", "实施", "细则", "通知", "关于", "暂行", "条例",
    "意见", "指南",   "办理", "服务", "工作", "规范", "方案", "公告", "政策", "问题", "有关",
    "若干", "措施",   "标准", "制度", "流程", "须知", "解读", "常见", "全市", "我市", "市民",
    "专项", "整治",   "开展", "做好", "加强", "年度", "夏季", "冬季", "秋季", "春季",
};

static bool title_word(const char *t)
{
    for (size_t k = 0; k < sizeof title_words / sizeof title_words[0]; k++)
        if (!strcmp(t, title_words[k]))
            return true;
    return false;
}

int rx_stats_topic_terms(cJSON **out, rx_stats *s, const char *text)
{
    *out = NULL;
    rx_term_list l = {0};
    pthread_mutex_lock(&s->mu);
    int rc = rx_terms_extract(&l, rx_analysis_synonyms(s), text, strlen(text));
    pthread_mutex_unlock(&s->mu);
    cJSON *arr = rc == RX_OK ? cJSON_CreateArray() : NULL;
    for (size_t k = 0; arr && k < l.n; k++) {
        bool dup = title_word(l.v[k].term);
        for (size_t j = 0; j < k && !dup; j++)
            dup = !strcmp(l.v[j].term, l.v[k].term);
        if (!dup)
            cJSON_AddItemToArray(arr, cJSON_CreateString(l.v[k].term));
    }
    rx_term_list_clear(&l);
    if (rc != RX_OK)
        return rc;
    if (!arr)
        return rx_error_set(RX_ENOMEM, "out of memory");
    *out = arr;
    return RX_OK;
}

/* The day months calendar months after (or before, when negative) day. */
static long add_months(long day, int months)
{
    char d[11];
    rx_date_format(d, day);
    int y = atoi(d), m = atoi(d + 5), dd = atoi(d + 8);
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    for (; dd >= 28; dd--) {
        char t[16];
        snprintf(t, sizeof t, "%04d-%02d-%02d", y, m, dd);
        long v = rx_date_parse(t, 10);
        if (v != RX_DATE_INVALID)
            return v;
    }
    char t[16];
    snprintf(t, sizeof t, "%04d-%02d-%02d", y, m, dd);
    return rx_date_parse(t, 10);
}

typedef struct {
    long from, to, count, tickets;
} span;

/* The tickets of [from, to] naming at least min of the terms. */
static int count_span(rx_stats *s, const long long *ids, size_t nids, int min, span *sp)
{
    sp->count = sp->tickets = 0;
    if (sp->to < sp->from)
        return RX_OK;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db,
            "SELECT coalesce(sum(n), 0) FROM stats_term_daily WHERE term = 0 AND day "
            "BETWEEN ?1 AND ?2",
            -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: policy");
    sqlite3_bind_int64(st, 1, sp->from);
    sqlite3_bind_int64(st, 2, sp->to);
    if (sqlite3_step(st) == SQLITE_ROW)
        sp->tickets = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT n FROM stats_term_tickets WHERE term = ?1 AND day BETWEEN ?2 "
                           "AND ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: policy");
    rx_strmap hits = {0};
    int rc = RX_OK;
    for (size_t k = 0; rc == RX_OK && k < nids; k++) {
        if (!ids[k])
            continue;
        sqlite3_bind_int64(st, 1, ids[k]);
        sqlite3_bind_int64(st, 2, sp->from);
        sqlite3_bind_int64(st, 3, sp->to);
        while (sqlite3_step(st) == SQLITE_ROW) {
            long long n = sqlite3_column_int64(st, 0);
            char key[24];
            int klen = snprintf(key, sizeof key, "%lld", n), added;
            rx_strmap_entry *m = rx_strmap_upsert(&hits, key, (size_t)klen, &added);
            if (!m) {
                rc = rx_error_set(RX_ENOMEM, "out of memory");
                break;
            }
            if ((int)++m->value == min)
                sp->count++;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    rx_strmap_free(&hits);
    return rc;
}

static void add_span(cJSON *o, const char *name, const span *sp)
{
    cJSON *x = cJSON_AddObjectToObject(o, name);
    char d[11];
    rx_date_format(d, sp->from);
    cJSON_AddStringToObject(x, "from", d);
    rx_date_format(d, sp->to);
    cJSON_AddStringToObject(x, "to", d);
    cJSON_AddNumberToObject(x, "count", (double)sp->count);
    cJSON_AddNumberToObject(x, "tickets", (double)sp->tickets);
}

static void add_ratio(cJSON *o, const char *name, double num, double den)
{
    if (den > 0)
        cJSON_AddNumberToObject(o, name, num / den - 1);
    else
        cJSON_AddNullToObject(o, name);
}

int rx_stats_policy(cJSON **out, rx_stats *s, const rx_policy_topic *topic)
{
    *out = NULL;
    long long *ids = calloc(topic->nterms ? topic->nterms : 1, sizeof *ids);
    if (!ids)
        return rx_error_set(RX_ENOMEM, "out of memory");
    pthread_mutex_lock(&s->mu);
    int rc = RX_OK;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM stats_terms WHERE term = ?", -1, &st, NULL) !=
        SQLITE_OK)
        rc = rx_store_fail(s->db, "stats: policy");
    for (size_t k = 0; rc == RX_OK && k < topic->nterms; k++) {
        sqlite3_bind_text(st, 1, topic->terms[k], -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            ids[k] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    /* the after months, up to today; the before months as long */
    long e = topic->effective;
    long after_end = add_months(e, topic->months) - 1;
    if (after_end > topic->today)
        after_end = topic->today;
    long len = after_end - e + 1;
    span before = {e - (len > 0 ? len : 0), e - 1, 0, 0}, after = {e, after_end, 0, 0};
    long ly_e = rx_day_last_year(e);
    span ly_before = {ly_e - (len > 0 ? len : 0), ly_e - 1, 0, 0};
    span ly_after = {ly_e, ly_e + len - 1, 0, 0};
    int min = topic->min_terms > 0 ? topic->min_terms : 1;
    if (rc == RX_OK)
        rc = count_span(s, ids, topic->nterms, min, &before);
    if (rc == RX_OK)
        rc = count_span(s, ids, topic->nterms, min, &after);
    if (rc == RX_OK)
        rc = count_span(s, ids, topic->nterms, min, &ly_before);
    if (rc == RX_OK)
        rc = count_span(s, ids, topic->nterms, min, &ly_after);
    pthread_mutex_unlock(&s->mu);
    free(ids);
    if (rc != RX_OK)
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON *terms = cJSON_AddArrayToObject(o, "terms");
    for (size_t k = 0; k < topic->nterms; k++)
        cJSON_AddItemToArray(terms, cJSON_CreateString(topic->terms[k]));
    cJSON_AddNumberToObject(o, "min_terms", min);
    char d[11];
    rx_date_format(d, e);
    cJSON_AddStringToObject(o, "effective", d);
    cJSON_AddNumberToObject(o, "days", (double)(len > 0 ? len : 0));
    add_span(o, "before", &before);
    add_span(o, "after", &after);
    add_span(o, "last_year_before", &ly_before);
    add_span(o, "last_year_after", &ly_after);
    add_ratio(o, "change", (double)after.count, (double)before.count);
    add_ratio(o, "last_year_change", (double)ly_after.count, (double)ly_before.count);
    if (len <= 0) {
        cJSON_AddNullToObject(o, "expected_after");
        cJSON_AddNullToObject(o, "did");
        cJSON_AddStringToObject(o, "note", "政策尚未生效，没有生效后的工单可比");
    } else if (before.count > 0 && ly_before.count > 0 && ly_after.count > 0) {
        /* had this year gone as the last: before × last year's change */
        double expected = (double)before.count * (double)ly_after.count / (double)ly_before.count;
        cJSON_AddNumberToObject(o, "expected_after", expected);
        cJSON_AddNumberToObject(o, "did", (double)after.count / expected - 1);
    } else {
        cJSON_AddNullToObject(o, "expected_after");
        cJSON_AddNullToObject(o, "did");
        cJSON_AddStringToObject(o, "note",
                                before.count > 0 ? "去年同期没有此话题的工单，无法扣除季节变化"
                                                 : "生效前没有此话题的工单");
    }
    *out = o;
    return RX_OK;
}
