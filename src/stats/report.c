/* 热线监督报告: the report of a month or a quarter, built from the
 * statistics' rollups (rx_stats_resolution), the ticket store's lists
 * (overdue and supervised tickets, masked) and hot words; 回头看 finds the
 * previous period's problems again by the same rules and sets them beside
 * this period's figures. Rendered as HTML with inline SVG charts drawn
 * here, or as Markdown. */
#include "rexian/report.h"
#include "rexian/casebook.h"
#include "rexian/error.h"
#include "rexian/workflow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rules that make a department's figures a problem (see docs/ANALYSIS.md). */
#define MIN_OF 5              /* a rate counts from 5 tickets in its denominator */
#define ON_TIME_MIN 0.85      /* 按时办结率 below 85% */
#define SATISFACTION_MIN 0.80 /* 满意率 below 80% */
#define REWORK_MAX 0.15       /* 驳回重办率 above 15% */
#define OVERDUE_MIN 3         /* 3 or more tickets overdue */
#define LIST_ROWS 2000        /* tickets read for the per-department counts */
#define SHOWN_ROWS 20         /* tickets listed in the report */
#define HOTWORDS 20

/* ---- periods ---- */

static long day_of(int y, int m, int d)
{
    char s[11];
    snprintf(s, sizeof s, "%04d-%02d-%02d", y, m, d);
    return rx_date_parse(s, 10);
}

static void set_month(rx_period *p, int y, int m)
{
    while (m < 1) {
        m += 12;
        y--;
    }
    while (m > 12) {
        m -= 12;
        y++;
    }
    *p = (rx_period){.year = y, .month = m};
    p->from = day_of(y, m, 1);
    p->to = (m == 12 ? day_of(y + 1, 1, 1) : day_of(y, m + 1, 1)) - 1;
    snprintf(p->key, sizeof p->key, "%04d-%02d", y, m);
    snprintf(p->label, sizeof p->label, "%d年%d月", y, m);
}

static void set_quarter(rx_period *p, int y, int q)
{
    while (q < 1) {
        q += 4;
        y--;
    }
    while (q > 4) {
        q -= 4;
        y++;
    }
    static const char *const names[] = {"一", "二", "三", "四"};
    *p = (rx_period){.year = y, .quarter = q};
    p->from = day_of(y, 3 * q - 2, 1);
    p->to = (q == 4 ? day_of(y + 1, 1, 1) : day_of(y, 3 * q + 1, 1)) - 1;
    snprintf(p->key, sizeof p->key, "%04d-Q%d", y, q);
    snprintf(p->label, sizeof p->label, "%d年第%s季度", y, names[q - 1]);
}

int rx_period_parse(rx_period *out, const char *s)
{
    int y = 0, n = 0;
    size_t len = s ? strlen(s) : 0;
    if (len == 7 && sscanf(s, "%4d-%2d", &y, &n) == 2 && s[4] == '-' && s[5] >= '0' &&
        s[5] <= '1' && s[6] >= '0' && s[6] <= '9' && y >= 2000 && y <= 2100 && n >= 1 && n <= 12) {
        set_month(out, y, n);
        return RX_OK;
    }
    if (len == 7 && sscanf(s, "%4d-", &y) == 1 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q') &&
        s[6] >= '1' && s[6] <= '4' && y >= 2000 && y <= 2100) {
        set_quarter(out, y, s[6] - '0');
        return RX_OK;
    }
    return rx_fail(RX_EINVALID, "invalid_parameter",
                   "period 必须是月份（2026-05）或季度（2026-Q2）");
}

void rx_period_default(rx_period *out, double now)
{
    char today[11];
    rx_date_format(today, rx_wf_day(now));
    int y = atoi(today), m = atoi(today + 5);
    set_month(out, y, m - 1);
}

void rx_period_previous(rx_period *out, const rx_period *p)
{
    if (p->quarter)
        set_quarter(out, p->year, p->quarter - 1);
    else
        set_month(out, p->year, p->month - 1);
}

void rx_period_last_year(rx_period *out, const rx_period *p)
{
    if (p->quarter)
        set_quarter(out, p->year - 1, p->quarter);
    else
        set_month(out, p->year - 1, p->month);
}

static cJSON *period_json(const rx_period *p)
{
    cJSON *o = cJSON_CreateObject();
    char d[11];
    cJSON_AddStringToObject(o, "period", p->key);
    cJSON_AddStringToObject(o, "label", p->label);
    rx_date_format(d, p->from);
    cJSON_AddStringToObject(o, "from", d);
    rx_date_format(d, p->to);
    cJSON_AddStringToObject(o, "to", d);
    return o;
}

/* ---- small JSON helpers ---- */

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* A rate object's rate, or -1 when it has none (no denominator). */
static double rate(const cJSON *r)
{
    const cJSON *v = cJSON_GetObjectItem(r, "rate");
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const cJSON *find_key(const cJSON *groups, const char *field, const char *key)
{
    const cJSON *g;
    cJSON_ArrayForEach(g, groups)
    {
        const char *k = rx_json_str(g, field);
        if (k && key && !strcmp(k, key))
            return g;
    }
    return NULL;
}

/* ---- the problems and 回头看 ---- */

typedef struct {
    const char *metric, *issue;
    bool higher_better;
    double threshold;
} rule;

static const rule rules[] = {
    {"on_time", "按时办结率偏低", true, ON_TIME_MIN},
    {"satisfaction", "满意率偏低", true, SATISFACTION_MIN},
    {"rework", "驳回重办偏多", false, REWORK_MAX},
    {"overdue", "超期工单较多", false, OVERDUE_MIN},
};
#define NRULES (sizeof rules / sizeof rules[0])

static const rule *rule_of(const char *metric)
{
    for (size_t k = 0; metric && k < NRULES; k++)
        if (!strcmp(rules[k].metric, metric))
            return &rules[k];
    return NULL;
}

/* The figure of metric for a department row: value, and its count and
 * denominator (the overdue count has none: of = -1). false when the row
 * has too little to judge. */
static bool figure(const cJSON *dept, const rule *r, double *value, double *count, double *of)
{
    if (!strcmp(r->metric, "overdue")) {
        *value = *count = num(dept, "overdue");
        *of = -1;
        return true;
    }
    const cJSON *f = cJSON_GetObjectItem(dept, r->metric);
    *count = num(f, "count");
    *of = num(f, "of");
    *value = rate(f);
    return *of >= MIN_OF && *value >= 0;
}

static bool fails(const rule *r, double value)
{
    if (!strcmp(r->metric, "overdue"))
        return value >= r->threshold;
    return r->higher_better ? value < r->threshold : value > r->threshold;
}

cJSON *rx_report_flags(const cJSON *dept)
{
    cJSON *out = cJSON_CreateArray();
    for (size_t k = 0; k < NRULES; k++) {
        double v, c, of;
        if (!figure(dept, &rules[k], &v, &c, &of) || !fails(&rules[k], v))
            continue;
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "metric", rules[k].metric);
        cJSON_AddStringToObject(f, "issue", rules[k].issue);
        cJSON_AddNumberToObject(f, "value", v);
        cJSON_AddNumberToObject(f, "count", c);
        if (of >= 0)
            cJSON_AddNumberToObject(f, "of", of);
        cJSON_AddNumberToObject(f, "threshold", rules[k].threshold);
        cJSON_AddItemToArray(out, f);
    }
    return out;
}

/* Every department's flags, as one list of problems. */
static cJSON *problems_of(const cJSON *departments)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *d;
    cJSON_ArrayForEach(d, departments)
    {
        cJSON *flags = rx_report_flags(d), *f;
        cJSON_ArrayForEach(f, flags)
        {
            cJSON *p = cJSON_Duplicate(f, 1);
            cJSON_AddStringToObject(p, "department", rx_json_str(d, "name"));
            cJSON_AddItemToArray(out, p);
        }
        cJSON_Delete(flags);
    }
    return out;
}

static cJSON *review_of(const cJSON *previous_problems, const cJSON *departments)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *p;
    cJSON_ArrayForEach(p, previous_problems)
    {
        const rule *r = rule_of(rx_json_str(p, "metric"));
        if (!r)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "department", rx_json_str(p, "department"));
        cJSON_AddStringToObject(o, "metric", r->metric);
        cJSON_AddStringToObject(o, "issue", r->issue);
        cJSON_AddItemToObject(o, "then", cJSON_Duplicate(p, 1));
        cJSON_DeleteItemFromObject(cJSON_GetObjectItem(o, "then"), "department");
        const cJSON *d = find_key(departments, "name", rx_json_str(p, "department"));
        double v = 0, c = 0, of = -1, was = num(p, "value");
        bool judged = d && figure(d, r, &v, &c, &of);
        if (!strcmp(r->metric, "overdue")) { /* no department row: none overdue now */
            judged = true;
            if (!d)
                v = c = 0;
        }
        const char *verdict;
        if (!judged) {
            verdict = "本期样本不足";
            cJSON_AddNullToObject(o, "now");
        } else {
            cJSON *now = cJSON_AddObjectToObject(o, "now");
            cJSON_AddNumberToObject(now, "value", v);
            cJSON_AddNumberToObject(now, "count", c);
            if (of >= 0)
                cJSON_AddNumberToObject(now, "of", of);
            bool better = r->higher_better ? v > was : v < was;
            verdict = !fails(r, v) ? "已改善（达标）" : better ? "有所改善，仍未达标" : "未见改善";
        }
        cJSON_AddStringToObject(o, "verdict", verdict);
        cJSON_AddItemToArray(out, o);
    }
    return out;
}

/* ---- gathering ---- */

static int resolution(cJSON **out, rx_stats *s, const rx_period *p, rx_stats_by by)
{
    return rx_stats_resolution(out, s, p->from, p->to, by);
}

/* Tickets of the period under a filter: {"total","tickets"} (masked by
 * the store: every list is). */
static int tickets_of(cJSON **out, const rx_report_sources *src, const rx_period *p,
                      bool supervised, bool was_overdue)
{
    rx_ticket_query q = {.from = p->from,
                         .to = p->to,
                         .supervised = supervised,
                         .was_overdue = was_overdue,
                         .limit = LIST_ROWS};
    return rx_tickets_list(out, src->tickets, &q, src->who);
}

/* Adds count to departments' row name's field (a row made when missing). */
static void bump(cJSON *departments, const char *name, const char *field)
{
    if (!name || !*name)
        return;
    cJSON *d = (cJSON *)find_key(departments, "name", name);
    if (!d) {
        d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "name", name);
        cJSON_AddNumberToObject(d, "tickets", 0);
        cJSON_AddItemToArray(departments, d);
    }
    cJSON *f = cJSON_GetObjectItem(d, field);
    if (f)
        cJSON_SetNumberValue(f, f->valuedouble + 1);
    else
        cJSON_AddNumberToObject(d, field, 1);
}

/* A ticket as the report lists it (already masked by the list). */
static cJSON *ticket_row(const cJSON *t)
{
    cJSON *o = cJSON_CreateObject();
    static const char *const keys[] = {"id",   "status_label", "category",    "area",
                                       "lead", "deadline",     "supervision", "created"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *v = rx_json_str(t, keys[k]);
        if (v)
            cJSON_AddStringToObject(o, keys[k], v);
        else
            cJSON_AddNullToObject(o, keys[k]);
    }
    int sup = rx_supervision_find(rx_json_str(t, "supervision"));
    cJSON_AddStringToObject(o, "supervision_label",
                            sup > 0 ? rx_supervision_label((rx_supervision)sup) : "");
    cJSON_AddNumberToObject(o, "overdue_count", num(t, "overdue_count"));
    cJSON_AddNumberToObject(o, "rework", num(t, "rework"));
    const char *content = rx_json_str(t, "content");
    if (content) {
        int n = rx_utf8_clip(content, 180); /* about 60 characters */
        char *c = malloc((size_t)n + 4);
        if (c) {
            memcpy(c, content, (size_t)n);
            strcpy(c + n, content[n] ? "…" : "");
            cJSON_AddStringToObject(o, "content", c);
            free(c);
        }
    }
    return o;
}

/* The section of a list: total, per-department counts into departments'
 * field, by kind (supervision), and the first rows, highest supervision
 * first. */
static cJSON *section(const cJSON *list, cJSON *departments, const char *field, bool by_kind)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "total", num(list, "total"));
    const cJSON *tickets = cJSON_GetObjectItem(list, "tickets");
    cJSON_AddNumberToObject(o, "counted", cJSON_GetArraySize(tickets));
    int kinds[5] = {0};
    const cJSON *t;
    cJSON_ArrayForEach(t, tickets)
    {
        bump(departments, rx_json_str(t, "lead"), field);
        int k = rx_supervision_find(rx_json_str(t, "supervision"));
        if (k > 0 && k < 5)
            kinds[k]++;
    }
    if (by_kind) {
        cJSON *bk = cJSON_AddArrayToObject(o, "by_kind");
        for (int k = 4; k >= 1; k--) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "kind", rx_supervision_name((rx_supervision)k));
            cJSON_AddStringToObject(x, "label", rx_supervision_label((rx_supervision)k));
            cJSON_AddNumberToObject(x, "count", kinds[k]);
            cJSON_AddItemToArray(bk, x);
        }
    }
    cJSON *rows = cJSON_AddArrayToObject(o, "tickets");
    /* the strongest supervision first, then the most overdue, newest first */
    for (int k = 4, shown = 0; k >= 0 && shown < SHOWN_ROWS; k--)
        cJSON_ArrayForEach(t, tickets)
        {
            int s = rx_supervision_find(rx_json_str(t, "supervision"));
            if ((s < 0 ? 0 : s) != k || shown >= SHOWN_ROWS)
                continue;
            cJSON_AddItemToArray(rows, ticket_row(t));
            shown++;
        }
    return o;
}

static cJSON *hotword_section(const rx_report_sources *src, const rx_period *p,
                              const rx_period *prev)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *now = NULL, *then = NULL;
    if (!src->hotwords ||
        src->hotwords(&now, src->hotwords_ctx, p->from, p->to, HOTWORDS) != RX_OK) {
        cJSON_Delete(now);
        cJSON_AddBoolToObject(o, "available", false);
        cJSON_AddArrayToObject(o, "terms");
        cJSON_AddArrayToObject(o, "review");
        return o;
    }
    cJSON_AddBoolToObject(o, "available", true);
    cJSON *terms = cJSON_DetachItemFromObject(now, "terms");
    cJSON_AddItemToObject(o, "terms", terms ? terms : cJSON_CreateArray());
    cJSON_Delete(now);
    /* 回头看: the previous period's spikes, and their count now */
    cJSON *review = cJSON_AddArrayToObject(o, "review");
    if (src->hotwords(&then, src->hotwords_ctx, prev->from, prev->to, HOTWORDS) == RX_OK) {
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItem(then, "terms"))
        {
            if (!cJSON_IsTrue(cJSON_GetObjectItem(t, "spike")))
                continue;
            cJSON *r = cJSON_CreateObject();
            cJSON_AddStringToObject(r, "term",
                                    rx_json_str(t, "term") ? rx_json_str(t, "term") : "");
            cJSON_AddNumberToObject(r, "then", num(t, "count"));
            const cJSON *cur = find_key(terms, "term", rx_json_str(t, "term"));
            if (cur)
                cJSON_AddNumberToObject(r, "now", num(cur, "count"));
            else
                cJSON_AddNullToObject(r, "now");
            cJSON_AddItemToArray(review, r);
        }
    }
    cJSON_Delete(then);
    return o;
}

/* Department rows: the rates of the rollups, named "name". */
static cJSON *departments_of(const cJSON *by_department)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(by_department, "groups"))
    {
        const char *key = rx_json_str(g, "key");
        if (!key || !*key)
            continue; /* tickets not dispatched: no department */
        cJSON *d = cJSON_Duplicate(g, 1);
        cJSON_DeleteItemFromObject(d, "key");
        cJSON_AddStringToObject(d, "name", key);
        cJSON_AddItemToArray(out, d);
    }
    return out;
}

static void finish_departments(cJSON *departments)
{
    cJSON *d;
    cJSON_ArrayForEach(d, departments)
    {
        if (!cJSON_GetObjectItem(d, "overdue"))
            cJSON_AddNumberToObject(d, "overdue", 0);
        if (!cJSON_GetObjectItem(d, "supervised"))
            cJSON_AddNumberToObject(d, "supervised", 0);
        cJSON_AddItemToObject(d, "flags", rx_report_flags(d));
    }
}

int rx_report_build(cJSON **out, const rx_report_sources *src, const rx_period *p)
{
    *out = NULL;
    rx_period prev, last;
    rx_period_previous(&prev, p);
    rx_period_last_year(&last, p);
    cJSON *all = NULL, *all_prev = NULL, *all_last = NULL, *by_day = NULL, *by_cat = NULL,
          *by_cat_prev = NULL, *by_dep = NULL, *by_dep_prev = NULL, *over = NULL, *sup = NULL,
          *over_prev = NULL;
    int rc;
    if ((rc = resolution(&all, src->stats, p, RX_BY_NONE)) != RX_OK ||
        (rc = resolution(&all_prev, src->stats, &prev, RX_BY_NONE)) != RX_OK ||
        (rc = resolution(&all_last, src->stats, &last, RX_BY_NONE)) != RX_OK ||
        (rc = resolution(&by_day, src->stats, p, RX_BY_DAY)) != RX_OK ||
        (rc = resolution(&by_cat, src->stats, p, RX_BY_CATEGORY)) != RX_OK ||
        (rc = resolution(&by_cat_prev, src->stats, &prev, RX_BY_CATEGORY)) != RX_OK ||
        (rc = resolution(&by_dep, src->stats, p, RX_BY_DEPARTMENT)) != RX_OK ||
        (rc = resolution(&by_dep_prev, src->stats, &prev, RX_BY_DEPARTMENT)) != RX_OK ||
        (rc = tickets_of(&over, src, p, false, true)) != RX_OK ||
        (rc = tickets_of(&sup, src, p, true, false)) != RX_OK ||
        (rc = tickets_of(&over_prev, src, &prev, false, true)) != RX_OK)
        goto done;

    cJSON *r = cJSON_CreateObject();
    cJSON *pj = period_json(p);
    cJSON *c;
    cJSON_ArrayForEach(c, pj) cJSON_AddItemToObject(r, c->string, cJSON_Duplicate(c, 1));
    cJSON_Delete(pj);
    cJSON_AddItemToObject(r, "previous", period_json(&prev));
    cJSON_AddItemToObject(r, "last_year", period_json(&last));

    /* volumes */
    cJSON *vol = cJSON_AddObjectToObject(r, "volume");
    double n = num(all, "tickets"), np = num(all_prev, "tickets"), nl = num(all_last, "tickets");
    cJSON_AddNumberToObject(vol, "tickets", n);
    cJSON_AddNumberToObject(vol, "previous", np);
    cJSON_AddNumberToObject(vol, "last_year", nl);
    if (np > 0)
        cJSON_AddNumberToObject(vol, "change", (n - np) / np);
    else
        cJSON_AddNullToObject(vol, "change");
    if (nl > 0)
        cJSON_AddNumberToObject(vol, "change_last_year", (n - nl) / nl);
    else
        cJSON_AddNullToObject(vol, "change_last_year");
    /* every day of the period, those without tickets too */
    cJSON *days = cJSON_AddArrayToObject(vol, "by_day");
    const cJSON *g =
        cJSON_GetObjectItem(by_day, "groups") ? cJSON_GetObjectItem(by_day, "groups")->child : NULL;
    for (long day = p->from; day <= p->to; day++) {
        char key[11];
        rx_date_format(key, day);
        double count = 0;
        if (g && rx_json_str(g, "key") && !strcmp(rx_json_str(g, "key"), key)) {
            count = num(g, "tickets");
            g = g->next;
        }
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "day", key);
        cJSON_AddNumberToObject(d, "tickets", count);
        cJSON_AddItemToArray(days, d);
    }
    cJSON *cats = cJSON_AddArrayToObject(vol, "by_category");
    int k = 0;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(by_cat, "groups"))
    {
        if (k++ >= 10)
            break;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(
            d, "category",
            rx_json_str(g, "key") && *rx_json_str(g, "key") ? rx_json_str(g, "key") : "未分类");
        cJSON_AddNumberToObject(d, "tickets", num(g, "tickets"));
        const cJSON *pg =
            find_key(cJSON_GetObjectItem(by_cat_prev, "groups"), "key", rx_json_str(g, "key"));
        cJSON_AddNumberToObject(d, "previous", pg ? num(pg, "tickets") : 0);
        cJSON_AddItemToArray(cats, d);
    }

    /* the rates, this period and the one before */
    cJSON *rates = cJSON_AddObjectToObject(r, "rates");
    static const char *const names[] = {"one_call", "assisted", "satisfaction",
                                        "on_time",  "rework",   "reopen"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        cJSON *x = cJSON_Duplicate(cJSON_GetObjectItem(all, names[i]), 1);
        if (!x)
            continue;
        double pr = rate(cJSON_GetObjectItem(all_prev, names[i]));
        if (pr >= 0)
            cJSON_AddNumberToObject(x, "previous", pr);
        else
            cJSON_AddNullToObject(x, "previous");
        cJSON_AddItemToObject(rates, names[i], x);
    }

    /* departments, overdue and supervised tickets */
    cJSON *deps = departments_of(by_dep);
    cJSON_AddItemToObject(r, "overdue", section(over, deps, "overdue", false));
    cJSON_AddItemToObject(r, "supervised", section(sup, deps, "supervised", true));
    finish_departments(deps);
    cJSON_AddItemToObject(r, "departments", deps);
    cJSON_AddItemToObject(r, "problems", problems_of(deps));

    /* 回头看: the previous period's problems by the same rules */
    cJSON *deps_prev = departments_of(by_dep_prev);
    cJSON *scratch = section(over_prev, deps_prev, "overdue", false);
    cJSON_Delete(scratch);
    finish_departments(deps_prev);
    cJSON *prev_problems = problems_of(deps_prev);
    cJSON_AddItemToObject(r, "review", review_of(prev_problems, deps));
    cJSON_Delete(prev_problems);
    cJSON_Delete(deps_prev);

    cJSON_AddItemToObject(r, "hotwords", hotword_section(src, p, &prev));
    char now[32];
    rx_wf_time_format(now, src->who ? src->who->now : rx_now());
    cJSON_AddStringToObject(r, "generated", now);
    *out = r;
done:
    cJSON_Delete(all);
    cJSON_Delete(all_prev);
    cJSON_Delete(all_last);
    cJSON_Delete(by_day);
    cJSON_Delete(by_cat);
    cJSON_Delete(by_cat_prev);
    cJSON_Delete(by_dep);
    cJSON_Delete(by_dep_prev);
    cJSON_Delete(over);
    cJSON_Delete(sup);
    cJSON_Delete(over_prev);
    return rc;
}

/* ---- rendering ---- */

static void pct(char out[16], double r)
{
    if (r < 0)
        snprintf(out, 16, "—");
    else
        snprintf(out, 16, "%.1f%%", r * 100);
}

static const char *metric_label(const char *m)
{
    static const char *const keys[] = {"one_call", "assisted", "satisfaction", "on_time",
                                       "rework",   "reopen",   "overdue"};
    static const char *const labels[] = {"一次办结率", "知识库辅助办结", "满意率",  "按时办结率",
                                         "驳回重办率", "二次办理率",     "超期工单"};
    for (size_t k = 0; m && k < sizeof keys / sizeof keys[0]; k++)
        if (!strcmp(m, keys[k]))
            return labels[k];
    return m ? m : "";
}

/* A figure of a problem or a review: a rate with its count and
 * denominator, or the overdue count. */
static void figure_text(char out[64], const char *metric, const cJSON *f)
{
    if (!f || cJSON_IsNull(f)) {
        snprintf(out, 64, "—");
        return;
    }
    if (metric && !strcmp(metric, "overdue")) {
        snprintf(out, 64, "%.0f 件", num(f, "value"));
        return;
    }
    char p[16];
    pct(p, num(f, "value"));
    snprintf(out, 64, "%s（%.0f/%.0f）", p, num(f, "count"), num(f, "of"));
}

static double nice_max(double v)
{
    if (v <= 0)
        return 1;
    double m = pow(10, floor(log10(v)));
    for (int k = 1; k <= 10; k++)
        if (k * m >= v)
            return k * m;
    return 10 * m;
}

/* A column chart of the daily volume. */
static void svg_days(rx_buf *b, const cJSON *days)
{
    int n = cJSON_GetArraySize(days);
    if (n == 0)
        return;
    double max = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, days) max = fmax(max, num(d, "tickets"));
    max = nice_max(max);
    const double W = 720, H = 220, L = 44, R = 10, T = 12, B = 28;
    double bw = (W - L - R) / n;
    rx_buf_printf(b,
                  "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
                  "aria-label=\"每日受理量\" xmlns=\"http://www.w3.org/2000/svg\"><title>每日受理量"
                  "</title>",
                  W, H, W, H);
    for (int k = 0; k <= 4; k++) {
        double y = T + (H - T - B) * (1 - k / 4.0);
        rx_buf_printf(b,
                      "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                      "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%.0f</text>",
                      L, y, W - R, y, L - 4, y + 4, max * k / 4);
    }
    int i = 0;
    cJSON_ArrayForEach(d, days)
    {
        double v = num(d, "tickets"), h = (H - T - B) * v / max, x = L + i * bw;
        const char *day = rx_json_str(d, "day") ? rx_json_str(d, "day") : "";
        rx_buf_printf(b,
                      "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a78b5\">"
                      "<title>%s：%.0f 件</title></rect>",
                      x + bw * 0.1, H - B - h, bw * 0.8, h, day, v);
        /* the day of the month under the first day and every fifth */
        if (strlen(day) == 10 && (i == 0 || atoi(day + 8) % 5 == 0))
            rx_buf_printf(b,
                          "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#555\">"
                          "%d/%d</text>",
                          x + bw / 2, H - B + 16, atoi(day + 5), atoi(day + 8));
        i++;
    }
    rx_buf_puts(b, "</svg>");
}

typedef struct {
    const char *label;
    double v[2];
} bar;

/* Horizontal bars, one or two series each (the second lighter), values as
 * percentages (max 1) or counts. */
static void svg_bars(rx_buf *b, const char *title, const bar *bars, int n, int series,
                     const char *const names[2], bool percent)
{
    if (n == 0)
        return;
    double max = 0;
    for (int k = 0; k < n; k++)
        for (int s = 0; s < series; s++)
            max = fmax(max, bars[k].v[s]);
    max = percent ? 1 : nice_max(max);
    const double W = 720, L = 190, R = 70, row = series == 2 ? 30 : 20, T = 24;
    double H = T + row * n + 8;
    rx_buf_printf(b,
                  "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
                  "aria-label=\"",
                  W, H, W, H);
    rx_buf_put_html(b, title, strlen(title));
    rx_buf_puts(b, "\" xmlns=\"http://www.w3.org/2000/svg\"><title>");
    rx_buf_put_html(b, title, strlen(title));
    rx_buf_puts(b, "</title>");
    static const char *const colors[2] = {"#4a78b5", "#9cc58f"};
    for (int s = 0; s < series; s++) {
        rx_buf_printf(b,
                      "<rect x=\"%.0f\" y=\"4\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                      "<text x=\"%.0f\" y=\"14\" fill=\"#333\">",
                      L + s * 140, colors[s], L + s * 140 + 16);
        rx_buf_put_html(b, names[s], strlen(names[s]));
        rx_buf_puts(b, "</text>");
    }
    double bh = (row - 6) / series;
    for (int k = 0; k < n; k++) {
        double y = T + k * row;
        rx_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333\">", L - 6,
                      y + row / 2 + 2);
        int cut = rx_utf8_clip(bars[k].label, 36);
        rx_buf_put_html(b, bars[k].label, (size_t)cut);
        rx_buf_puts(b, "</text>");
        for (int s = 0; s < series; s++) {
            double v = bars[k].v[s], w = v < 0 ? 0 : (W - L - R) * v / max;
            char t[16];
            if (percent)
                pct(t, v);
            else
                snprintf(t, sizeof t, "%.0f", v);
            rx_buf_printf(b,
                          "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                          "fill=\"%s\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"#333\">%s</text>",
                          L, y + s * bh + 1, w, bh - 1, colors[s], L + w + 4, y + s * bh + bh - 2,
                          t);
        }
    }
    rx_buf_puts(b, "</svg>");
}

static void html_ticket_table(rx_buf *b, const cJSON *rows, bool supervision)
{
    if (cJSON_GetArraySize(rows) == 0) {
        rx_buf_puts(b, "<p class=\"muted\">本期没有。</p>");
        return;
    }
    rx_buf_printf(b,
                  "<table><thead><tr><th>工单编号</th><th>分类</th><th>区域</th><th>主办单位"
                  "</th><th>%s</th><th>诉求（摘要）</th></tr></thead><tbody>",
                  supervision ? "督办" : "超期次数");
    const cJSON *t;
    cJSON_ArrayForEach(t, rows)
    {
        rx_buf_puts(b, "<tr><td>");
        rx_export_html_text(b, rx_json_str(t, "id"));
        rx_buf_puts(b, "</td><td>");
        rx_export_html_text(b, rx_json_str(t, "category"));
        rx_buf_puts(b, "</td><td>");
        rx_export_html_text(b, rx_json_str(t, "area"));
        rx_buf_puts(b, "</td><td>");
        rx_export_html_text(b, rx_json_str(t, "lead"));
        rx_buf_puts(b, "</td><td>");
        if (supervision)
            rx_export_html_text(b, rx_json_str(t, "supervision_label"));
        else
            rx_buf_printf(b, "%.0f", num(t, "overdue_count"));
        rx_buf_puts(b, "</td><td>");
        rx_export_html_text(b, rx_json_str(t, "content"));
        rx_buf_puts(b, "</td></tr>");
    }
    rx_buf_puts(b, "</tbody></table>");
}

static void change_text(char out[48], const cJSON *v)
{
    if (!cJSON_IsNumber(v))
        snprintf(out, 48, "—");
    else
        snprintf(out, 48, "%+.1f%%", v->valuedouble * 100);
}

int rx_report_html(rx_buf *out, const cJSON *r)
{
    rx_buf *b = out;
    const cJSON *vol = cJSON_GetObjectItem(r, "volume"), *x;
    char p1[16], p2[16], ch[48], ch2[48];
    rx_buf title = {0};
    rx_buf_printf(&title, "热线监督报告 · %s",
                  rx_json_str(r, "label") ? rx_json_str(r, "label") : "");
    rx_export_html_open(b, title.data);
    rx_buf_free(&title);
    rx_buf_puts(b, "12345 热线监督报告（");
    rx_export_html_text(b, rx_json_str(r, "label"));
    rx_buf_puts(b, "）</h1><p class=\"meta\">统计区间 ");
    rx_export_html_text(b, rx_json_str(r, "from"));
    rx_buf_puts(b, " 至 ");
    rx_export_html_text(b, rx_json_str(r, "to"));
    rx_buf_puts(b, " · 生成于 ");
    rx_export_html_text(b, rx_json_str(r, "generated"));
    rx_buf_puts(b, "</p><p class=\"notice\">供热线监督员、人大代表和督办人员阅看。报告中的工单"
                   "已对来电人信息脱敏；每个比率都给出分子和分母，可由工单记录复核。</p></header>");

    /* 1 volumes */
    change_text(ch, cJSON_GetObjectItem(vol, "change"));
    change_text(ch2, cJSON_GetObjectItem(vol, "change_last_year"));
    rx_buf_printf(b,
                  "<section class=\"keep\"><h2 class=\"first\">一、受理总量</h2><p>本期受理 "
                  "<strong>%.0f</strong> 件，上期 %.0f 件（环比 %s），去年同期 %.0f 件（同比 "
                  "%s）。</p>",
                  num(vol, "tickets"), num(vol, "previous"), ch, num(vol, "last_year"), ch2);
    svg_days(b, cJSON_GetObjectItem(vol, "by_day"));
    const cJSON *cats = cJSON_GetObjectItem(vol, "by_category");
    int n = cJSON_GetArraySize(cats), k = 0;
    bar *bars = calloc((size_t)(n ? n : 1), sizeof *bars);
    cJSON_ArrayForEach(x, cats) bars[k++] =
        (bar){rx_json_str(x, "category"), {num(x, "tickets"), num(x, "previous")}};
    rx_buf_puts(b, "<h3>诉求分类（前 10 位）</h3>");
    static const char *const cat_names[2] = {"本期", "上期"};
    svg_bars(b, "诉求分类：本期与上期", bars, k, 2, cat_names, false);
    free(bars);
    rx_buf_puts(b, "<table><thead><tr><th>分类</th><th>本期</th><th>上期</th></tr></thead><tbody>");
    cJSON_ArrayForEach(x, cats)
    {
        rx_buf_puts(b, "<tr><td>");
        rx_export_html_text(b, rx_json_str(x, "category"));
        rx_buf_printf(b, "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td></tr>",
                      num(x, "tickets"), num(x, "previous"));
    }
    rx_buf_puts(b, "</tbody></table></section>");

    /* 2 rates */
    rx_buf_puts(b, "<section><h2>二、办理质量</h2><table><thead><tr><th>指标</th><th>本期</th>"
                   "<th>分子/分母</th><th>上期</th></tr></thead><tbody>");
    const cJSON *rates = cJSON_GetObjectItem(r, "rates");
    cJSON_ArrayForEach(x, rates)
    {
        pct(p1, rate(x));
        const cJSON *pv = cJSON_GetObjectItem(x, "previous");
        pct(p2, cJSON_IsNumber(pv) ? pv->valuedouble : -1);
        rx_buf_printf(b,
                      "<tr><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%.0f/%.0f</td>"
                      "<td class=\"num\">%s</td></tr>",
                      metric_label(x->string), p1, num(x, "count"), num(x, "of"), p2);
    }
    rx_buf_puts(b, "</tbody></table>");

    /* 3 departments */
    const cJSON *deps = cJSON_GetObjectItem(r, "departments");
    n = cJSON_GetArraySize(deps);
    bars = calloc((size_t)(n ? n : 1), sizeof *bars);
    k = 0;
    cJSON_ArrayForEach(x, deps)
    {
        if (k >= 12)
            break;
        bars[k++] = (bar){rx_json_str(x, "name"),
                          {rate(cJSON_GetObjectItem(x, "on_time")),
                           rate(cJSON_GetObjectItem(x, "satisfaction"))}};
    }
    rx_buf_puts(b, "<h2>三、承办单位</h2><h3>按时办结率与满意率（受理量前 12 位）</h3>");
    static const char *const dep_names[2] = {"按时办结率", "满意率"};
    svg_bars(b, "承办单位按时办结率与满意率", bars, k, 2, dep_names, true);
    free(bars);
    rx_buf_puts(b, "<table><thead><tr><th>承办单位</th><th>工单</th><th>按时办结率</th><th>满意率"
                   "</th><th>驳回重办率</th><th>超期</th><th>督办</th><th>问题</th></tr></thead>"
                   "<tbody>");
    cJSON_ArrayForEach(x, deps)
    {
        rx_buf_puts(b, "<tr><td>");
        rx_export_html_text(b, rx_json_str(x, "name"));
        rx_buf_printf(b, "</td><td class=\"num\">%.0f</td>", num(x, "tickets"));
        static const char *const m[] = {"on_time", "satisfaction", "rework"};
        for (int i = 0; i < 3; i++) {
            const cJSON *f = cJSON_GetObjectItem(x, m[i]);
            pct(p1, rate(f));
            rx_buf_printf(b, "<td class=\"num\">%s <span class=\"muted\">%.0f/%.0f</span></td>", p1,
                          num(f, "count"), num(f, "of"));
        }
        rx_buf_printf(b, "<td class=\"num\">%.0f</td><td class=\"num\">%.0f</td><td class=\"bad\">",
                      num(x, "overdue"), num(x, "supervised"));
        const cJSON *f;
        int j = 0;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(x, "flags"))
        {
            rx_buf_puts(b, j++ ? "、" : "");
            rx_export_html_text(b, rx_json_str(f, "issue"));
        }
        rx_buf_puts(b, "</td></tr>");
    }
    rx_buf_puts(b, "</tbody></table></section>");

    /* 4 overdue and supervised */
    const cJSON *over = cJSON_GetObjectItem(r, "overdue"),
                *sup = cJSON_GetObjectItem(r, "supervised");
    rx_buf_printf(b, "<section><h2>四、超期与督办</h2><h3>超期工单（共 %.0f 件）</h3>",
                  num(over, "total"));
    html_ticket_table(b, cJSON_GetObjectItem(over, "tickets"), false);
    rx_buf_printf(b, "<h3>督办工单（共 %.0f 件：", num(sup, "total"));
    k = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(sup, "by_kind"))
        rx_buf_printf(b, "%s%s %.0f", k++ ? "，" : "", rx_json_str(x, "label"), num(x, "count"));
    rx_buf_puts(b, "）</h3>");
    html_ticket_table(b, cJSON_GetObjectItem(sup, "tickets"), true);
    rx_buf_puts(b, "</section>");

    /* 5 problems and 回头看 */
    rx_buf_puts(b, "<section><h2>五、本期发现的问题</h2>");
    const cJSON *problems = cJSON_GetObjectItem(r, "problems");
    if (cJSON_GetArraySize(problems) == 0)
        rx_buf_puts(b, "<p class=\"good\">本期各承办单位的指标均在要求之内。</p>");
    else {
        rx_buf_puts(b, "<table><thead><tr><th>承办单位</th><th>问题</th><th>本期</th></tr></thead>"
                       "<tbody>");
        cJSON_ArrayForEach(x, problems)
        {
            char f[64];
            figure_text(f, rx_json_str(x, "metric"), x);
            rx_buf_puts(b, "<tr><td>");
            rx_export_html_text(b, rx_json_str(x, "department"));
            rx_buf_puts(b, "</td><td class=\"bad\">");
            rx_export_html_text(b, rx_json_str(x, "issue"));
            rx_buf_printf(b, "</td><td class=\"num\">%s</td></tr>", f);
        }
        rx_buf_puts(b, "</tbody></table>");
    }
    const cJSON *prev = cJSON_GetObjectItem(r, "previous");
    rx_buf_puts(b, "<h2>六、回头看：上期（");
    rx_export_html_text(b, rx_json_str(prev, "label"));
    rx_buf_puts(b, "）问题的整改情况</h2>");
    const cJSON *review = cJSON_GetObjectItem(r, "review");
    if (cJSON_GetArraySize(review) == 0)
        rx_buf_puts(b, "<p class=\"muted\">上期没有发现问题。</p>");
    else {
        rx_buf_puts(b, "<table><thead><tr><th>承办单位</th><th>上期问题</th><th>上期</th><th>本期"
                       "</th><th>整改情况</th></tr></thead><tbody>");
        cJSON_ArrayForEach(x, review)
        {
            char f1[64], f2[64];
            figure_text(f1, rx_json_str(x, "metric"), cJSON_GetObjectItem(x, "then"));
            figure_text(f2, rx_json_str(x, "metric"), cJSON_GetObjectItem(x, "now"));
            const char *v = rx_json_str(x, "verdict") ? rx_json_str(x, "verdict") : "";
            rx_buf_puts(b, "<tr><td>");
            rx_export_html_text(b, rx_json_str(x, "department"));
            rx_buf_puts(b, "</td><td>");
            rx_export_html_text(b, rx_json_str(x, "issue"));
            rx_buf_printf(
                b, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"%s\">", f1,
                f2, !strncmp(v, "已改善", strlen("已改善")) ? "good" : "bad");
            rx_export_html_text(b, v);
            rx_buf_puts(b, "</td></tr>");
        }
        rx_buf_puts(b, "</tbody></table>");
    }
    rx_buf_puts(b, "</section>");

    /* 7 hot words */
    const cJSON *hw = cJSON_GetObjectItem(r, "hotwords");
    rx_buf_puts(b, "<section><h2>七、民生热词</h2>");
    if (!cJSON_IsTrue(cJSON_GetObjectItem(hw, "available")))
        rx_buf_puts(b, "<p class=\"muted\">热词统计尚未启用。</p>");
    else {
        const cJSON *terms = cJSON_GetObjectItem(hw, "terms");
        n = cJSON_GetArraySize(terms);
        bars = calloc((size_t)(n ? n : 1), sizeof *bars);
        k = 0;
        cJSON_ArrayForEach(x, terms) bars[k++] =
            (bar){rx_json_str(x, "term") ? rx_json_str(x, "term") : "",
                  {num(x, "count"), num(x, "previous")}};
        static const char *const hw_names[2] = {"本期", "上期"};
        svg_bars(b, "民生热词：本期与上期", bars, k, 2, hw_names, false);
        free(bars);
        rx_buf_puts(b, "<table><thead><tr><th>热词</th><th>本期</th><th>上期</th><th>去年同期"
                       "</th><th>异常升高</th></tr></thead><tbody>");
        cJSON_ArrayForEach(x, terms)
        {
            rx_buf_puts(b, "<tr><td>");
            rx_export_html_text(b, rx_json_str(x, "term"));
            rx_buf_printf(b,
                          "</td><td class=\"num\">%.0f</td><td class=\"num\">%.0f</td><td "
                          "class=\"num\">%.0f</td><td class=\"bad\">%s</td></tr>",
                          num(x, "count"), num(x, "previous"), num(x, "last_year"),
                          cJSON_IsTrue(cJSON_GetObjectItem(x, "spike")) ? "是" : "");
        }
        rx_buf_puts(b, "</tbody></table>");
        const cJSON *hr = cJSON_GetObjectItem(hw, "review");
        if (cJSON_GetArraySize(hr) > 0) {
            rx_buf_puts(b, "<h3>回头看：上期异常升高的热词</h3><ul>");
            cJSON_ArrayForEach(x, hr)
            {
                rx_buf_puts(b, "<li>");
                rx_export_html_text(b, rx_json_str(x, "term"));
                const cJSON *now = cJSON_GetObjectItem(x, "now");
                if (cJSON_IsNumber(now))
                    rx_buf_printf(b, "：上期 %.0f 次，本期 %.0f 次</li>", num(x, "then"),
                                  now->valuedouble);
                else
                    rx_buf_printf(b, "：上期 %.0f 次，本期未进入前 %d 位</li>", num(x, "then"),
                                  HOTWORDS);
            }
            rx_buf_puts(b, "</ul>");
        }
    }
    rx_buf_puts(b, "</section></body></html>\n");
    return b->data ? RX_OK : rx_error_set(RX_ENOMEM, "out of memory");
}

static void md_text(rx_buf *b, const char *s)
{
    rx_export_md_text(b, s ? s : "");
}

static void md_ticket_table(rx_buf *b, const cJSON *rows, bool supervision)
{
    if (cJSON_GetArraySize(rows) == 0) {
        rx_buf_puts(b, "本期没有。\n");
        return;
    }
    rx_buf_printf(
        b, "| 工单编号 | 分类 | 区域 | 主办单位 | %s | 诉求（摘要） |\n|---|---|---|---|---|---|\n",
        supervision ? "督办" : "超期次数");
    const cJSON *t;
    cJSON_ArrayForEach(t, rows)
    {
        static const char *const keys[] = {"id", "category", "area", "lead"};
        for (int k = 0; k < 4; k++) {
            rx_buf_puts(b, "| ");
            md_text(b, rx_json_str(t, keys[k]));
            rx_buf_putc(b, ' ');
        }
        if (supervision) {
            rx_buf_puts(b, "| ");
            md_text(b, rx_json_str(t, "supervision_label"));
        } else
            rx_buf_printf(b, "| %.0f", num(t, "overdue_count"));
        rx_buf_puts(b, " | ");
        char *c = strdup(rx_json_str(t, "content") ? rx_json_str(t, "content") : "");
        for (char *p = c; p && *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        md_text(b, c);
        free(c);
        rx_buf_puts(b, " |\n");
    }
}

int rx_report_markdown(rx_buf *out, const cJSON *r)
{
    rx_buf *b = out;
    const cJSON *vol = cJSON_GetObjectItem(r, "volume"), *x;
    char p1[16], p2[16], ch[48], ch2[48];
    rx_buf_puts(b, "# 12345 热线监督报告（");
    md_text(b, rx_json_str(r, "label"));
    rx_buf_puts(b, "）\n\n统计区间 ");
    md_text(b, rx_json_str(r, "from"));
    rx_buf_puts(b, " 至 ");
    md_text(b, rx_json_str(r, "to"));
    rx_buf_puts(b, " · 生成于 ");
    md_text(b, rx_json_str(r, "generated"));
    rx_buf_puts(
        b, "\n\n> 报告中的工单已对来电人信息脱敏；每个比率都给出分子和分母，可由工单记录复核。\n");
    change_text(ch, cJSON_GetObjectItem(vol, "change"));
    change_text(ch2, cJSON_GetObjectItem(vol, "change_last_year"));
    rx_buf_printf(b,
                  "\n## 一、受理总量\n\n本期受理 **%.0f** 件，上期 %.0f 件（环比 %s），去年同期 "
                  "%.0f 件（同比 %s）。\n\n| 分类 | 本期 | 上期 |\n|---|---:|---:|\n",
                  num(vol, "tickets"), num(vol, "previous"), ch, num(vol, "last_year"), ch2);
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(vol, "by_category"))
    {
        rx_buf_puts(b, "| ");
        md_text(b, rx_json_str(x, "category"));
        rx_buf_printf(b, " | %.0f | %.0f |\n", num(x, "tickets"), num(x, "previous"));
    }
    rx_buf_puts(b,
                "\n## 二、办理质量\n\n| 指标 | 本期 | 分子/分母 | 上期 |\n|---|---:|---:|---:|\n");
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(r, "rates"))
    {
        pct(p1, rate(x));
        const cJSON *pv = cJSON_GetObjectItem(x, "previous");
        pct(p2, cJSON_IsNumber(pv) ? pv->valuedouble : -1);
        rx_buf_printf(b, "| %s | %s | %.0f/%.0f | %s |\n", metric_label(x->string), p1,
                      num(x, "count"), num(x, "of"), p2);
    }
    rx_buf_puts(
        b, "\n## 三、承办单位\n\n| 承办单位 | 工单 | 按时办结率 | 满意率 | 驳回重办率 | 超期 | "
           "督办 | 问题 |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(r, "departments"))
    {
        rx_buf_puts(b, "| ");
        md_text(b, rx_json_str(x, "name"));
        rx_buf_printf(b, " | %.0f |", num(x, "tickets"));
        static const char *const m[] = {"on_time", "satisfaction", "rework"};
        for (int i = 0; i < 3; i++) {
            const cJSON *f = cJSON_GetObjectItem(x, m[i]);
            pct(p1, rate(f));
            rx_buf_printf(b, " %s（%.0f/%.0f） |", p1, num(f, "count"), num(f, "of"));
        }
        rx_buf_printf(b, " %.0f | %.0f | ", num(x, "overdue"), num(x, "supervised"));
        const cJSON *f;
        int j = 0;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(x, "flags"))
        {
            rx_buf_puts(b, j++ ? "、" : "");
            md_text(b, rx_json_str(f, "issue"));
        }
        rx_buf_puts(b, " |\n");
    }
    const cJSON *over = cJSON_GetObjectItem(r, "overdue"),
                *sup = cJSON_GetObjectItem(r, "supervised");
    rx_buf_printf(b, "\n## 四、超期与督办\n\n### 超期工单（共 %.0f 件）\n\n", num(over, "total"));
    md_ticket_table(b, cJSON_GetObjectItem(over, "tickets"), false);
    rx_buf_printf(b, "\n### 督办工单（共 %.0f 件：", num(sup, "total"));
    int k = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(sup, "by_kind"))
        rx_buf_printf(b, "%s%s %.0f", k++ ? "，" : "", rx_json_str(x, "label"), num(x, "count"));
    rx_buf_puts(b, "）\n\n");
    md_ticket_table(b, cJSON_GetObjectItem(sup, "tickets"), true);
    rx_buf_puts(b, "\n## 五、本期发现的问题\n\n");
    const cJSON *problems = cJSON_GetObjectItem(r, "problems");
    if (cJSON_GetArraySize(problems) == 0)
        rx_buf_puts(b, "本期各承办单位的指标均在要求之内。\n");
    else
        rx_buf_puts(b, "| 承办单位 | 问题 | 本期 |\n|---|---|---:|\n");
    cJSON_ArrayForEach(x, problems)
    {
        char f[64];
        figure_text(f, rx_json_str(x, "metric"), x);
        rx_buf_puts(b, "| ");
        md_text(b, rx_json_str(x, "department"));
        rx_buf_puts(b, " | ");
        md_text(b, rx_json_str(x, "issue"));
        rx_buf_printf(b, " | %s |\n", f);
    }
    rx_buf_puts(b, "\n## 六、回头看：上期（");
    md_text(b, rx_json_str(cJSON_GetObjectItem(r, "previous"), "label"));
    rx_buf_puts(b, "）问题的整改情况\n\n");
    const cJSON *review = cJSON_GetObjectItem(r, "review");
    if (cJSON_GetArraySize(review) == 0)
        rx_buf_puts(b, "上期没有发现问题。\n");
    else
        rx_buf_puts(b,
                    "| 承办单位 | 上期问题 | 上期 | 本期 | 整改情况 |\n|---|---|---:|---:|---|\n");
    cJSON_ArrayForEach(x, review)
    {
        char f1[64], f2[64];
        figure_text(f1, rx_json_str(x, "metric"), cJSON_GetObjectItem(x, "then"));
        figure_text(f2, rx_json_str(x, "metric"), cJSON_GetObjectItem(x, "now"));
        rx_buf_puts(b, "| ");
        md_text(b, rx_json_str(x, "department"));
        rx_buf_puts(b, " | ");
        md_text(b, rx_json_str(x, "issue"));
        rx_buf_printf(b, " | %s | %s | ", f1, f2);
        md_text(b, rx_json_str(x, "verdict"));
        rx_buf_puts(b, " |\n");
    }
    rx_buf_puts(b, "\n## 七、民生热词\n\n");
    const cJSON *hw = cJSON_GetObjectItem(r, "hotwords");
    if (!cJSON_IsTrue(cJSON_GetObjectItem(hw, "available")))
        rx_buf_puts(b, "热词统计尚未启用。\n");
    else {
        rx_buf_puts(b, "| 热词 | 本期 | 上期 | 去年同期 | 异常升高 |\n|---|---:|---:|---:|---|\n");
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(hw, "terms"))
        {
            rx_buf_puts(b, "| ");
            md_text(b, rx_json_str(x, "term"));
            rx_buf_printf(b, " | %.0f | %.0f | %.0f | %s |\n", num(x, "count"), num(x, "previous"),
                          num(x, "last_year"),
                          cJSON_IsTrue(cJSON_GetObjectItem(x, "spike")) ? "是" : "");
        }
        const cJSON *hr = cJSON_GetObjectItem(hw, "review");
        if (cJSON_GetArraySize(hr) > 0)
            rx_buf_puts(b, "\n### 回头看：上期异常升高的热词\n\n");
        cJSON_ArrayForEach(x, hr)
        {
            rx_buf_puts(b, "- ");
            md_text(b, rx_json_str(x, "term"));
            const cJSON *now = cJSON_GetObjectItem(x, "now");
            if (cJSON_IsNumber(now))
                rx_buf_printf(b, "：上期 %.0f 次，本期 %.0f 次\n", num(x, "then"),
                              now->valuedouble);
            else
                rx_buf_printf(b, "：上期 %.0f 次，本期未进入前 %d 位\n", num(x, "then"), HOTWORDS);
        }
    }
    return b->data ? RX_OK : rx_error_set(RX_ENOMEM, "out of memory");
}
