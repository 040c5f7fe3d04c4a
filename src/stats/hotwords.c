/* 民生热词: the words and phrases of the tickets received in a range of
 * days, counted from the daily term rollup, with their growth against the
 * previous period and the same period last year, and the spike test on
 * each term's own daily history (spike.c). */
#include "analysis.h"
#include "terms_query.h"

#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_DAYS 56      /* the weeks before a window that say what is usual */
#define PHRASE_MIN_PMI 2.0   /* log2: a pair at least 4 times likelier together than apart */
#define PHRASE_MIN_SHARE 0.3 /* ... and a usual way of saying its rarer word */
#define WORD_IN_PHRASE 0.7   /* a word mostly said inside a kept phrase is left to it */
#define TOPICAL_LIFT 3.0     /* a topic's word: some category says it 3 times its usual share */
#define TOPICAL_MIN 20       /* tickets before a word can be judged general */
#define TOPICAL_HOLD 0.2     /* ... and that category holds a fifth of its tickets */

static int oom(void)
{
    return rx_error_set(RX_ENOMEM, "out of memory");
}

long rx_day_last_year(long day)
{
    char d[11];
    rx_date_format(d, day);
    int y = atoi(d);
    char ly[16];
    snprintf(ly, sizeof ly, "%04d%s", y - 1, d + 4);
    long v = rx_date_parse(ly, 10);
    if (v == RX_DATE_INVALID) { /* 29 February */
        ly[9] = '8';
        v = rx_date_parse(ly, 10);
    }
    return v;
}

int rx_window_init(rx_window *w, long from, long to)
{
    memset(w, 0, sizeof *w);
    w->from = from;
    w->to = to;
    w->len = to - from + 1;
    w->hist_len = w->len > HISTORY_DAYS ? w->len : HISTORY_DAYS;
    w->hist_from = from - w->hist_len;
    w->ly_from = rx_day_last_year(from);
    w->ly_to = w->ly_from + w->len - 1;
    w->ly_hist_from = w->ly_from - w->hist_len;
    return RX_OK;
}

/* The daily counts of term over [a, b] into v[0..b-a]. */
int rx_term_series(rx_stats *s, long long term, long a, long b, long *v)
{
    memset(v, 0, (size_t)(b - a + 1) * sizeof *v);
    /* prepared once: warnings read three series for each of hundreds of
     * words (the caller holds s->mu) */
    if (!s->series_st &&
        sqlite3_prepare_v3(s->db,
                           "SELECT day, n FROM stats_term_daily WHERE term = ?1 "
                           "AND day BETWEEN ?2 AND ?3",
                           -1, SQLITE_PREPARE_PERSISTENT, &s->series_st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: term series");
    sqlite3_stmt *st = s->series_st;
    sqlite3_bind_int64(st, 1, term);
    sqlite3_bind_int64(st, 2, a);
    sqlite3_bind_int64(st, 3, b);
    while (sqlite3_step(st) == SQLITE_ROW)
        v[sqlite3_column_int64(st, 0) - a] = (long)sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return RX_OK;
}

static long sum(const long *v, long n)
{
    long t = 0;
    for (long k = 0; k < n; k++)
        t += v[k];
    return t;
}

/* Both years' series of term 0 (the tickets of each day). */
int rx_window_volumes(rx_stats *s, rx_window *w)
{
    long n = w->to - w->hist_from + 1, lyn = w->ly_to - w->ly_hist_from + 1;
    if (!(w->vol = calloc((size_t)n, sizeof *w->vol)) ||
        !(w->ly_vol = calloc((size_t)lyn, sizeof *w->ly_vol)))
        return oom();
    int rc = rx_term_series(s, 0, w->hist_from, w->to, w->vol);
    if (rc == RX_OK)
        rc = rx_term_series(s, 0, w->ly_hist_from, w->ly_to, w->ly_vol);
    w->tickets = sum(w->vol + w->hist_len, w->len);
    w->ly_tickets = sum(w->ly_vol + w->hist_len, w->len);
    /* last year counts only where it was recorded: a day without a single
     * ticket means the log did not reach back that far */
    long covered = 0;
    for (long k = 0; k < lyn; k++)
        covered += w->ly_vol[k] > 0;
    w->ly_covered = covered * 10 >= lyn * 9;
    return rc;
}

void rx_window_free(rx_window *w)
{
    free(w->vol);
    free(w->ly_vol);
    w->vol = w->ly_vol = NULL;
}

int rx_term_figures(rx_stats *s, const rx_window *w, long long term, rx_term_figures_t *out)
{
    long n = w->to - w->hist_from + 1, lyn = w->ly_to - w->ly_hist_from + 1;
    long *v = calloc((size_t)(n + lyn), sizeof *v);
    if (!v)
        return oom();
    long *ly = v + n;
    int rc = rx_term_series(s, term, w->hist_from, w->to, v);
    if (rc == RX_OK)
        rc = rx_term_series(s, term, w->ly_hist_from, w->ly_to, ly);
    if (rc == RX_OK) {
        long h = w->hist_len;
        out->count = sum(v + h, w->len);
        out->previous = sum(v + h - w->len, w->len);
        out->previous_days = w->len;
        out->last_year = sum(ly + h, w->len);
        rx_series hist = {v, w->vol, (size_t)h}, win = {v + h, w->vol + h, (size_t)w->len};
        rx_series ly_hist = {ly, w->ly_vol, (size_t)h};
        rx_series ly_win = {ly + h, w->ly_vol + h, (size_t)w->len};
        bool have_ly = w->ly_covered;
        rx_stats_spike(&out->spike, &hist, &win, have_ly ? &ly_hist : NULL,
                       have_ly ? &ly_win : NULL);
    }
    free(v);
    return rc;
}

/* ---- the candidate terms of a window ---- */

/* Marks the words said of every matter alike (general): those no
 * category of tickets uses at TOPICAL_LIFT times its usual share (the
 * categories of all tickets, term 0) while holding a fifth of the word's
 * tickets. Call-takers'
 * filler (心里不踏实, 都说) is spread over the categories as the calls are;
 * a topic's words (积水, 停水) crowd into one or two. */
static int mark_general(rx_stats *s, rx_term_count *v, size_t n)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT category, n FROM stats_term_categories WHERE term = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: term categories");
    rx_strmap base = {0};
    double total = 0;
    int rc = RX_OK, added;
    sqlite3_bind_int64(st, 1, 0);
    while (rc == RX_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(st, 0);
        rx_strmap_entry *m = rx_strmap_upsert(&base, c, strlen(c), &added);
        if (!m)
            rc = oom();
        else
            total += (double)(m->value = (size_t)sqlite3_column_int64(st, 1));
    }
    sqlite3_reset(st);
    double ncat = (double)(base.count ? base.count : 1);
    double cn[64], sh[64];
    for (size_t k = 0; rc == RX_OK && k < n; k++) {
        sqlite3_bind_int64(st, 1, v[k].id);
        double t = 0, lift = 0;
        int nc = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *c = (const char *)sqlite3_column_text(st, 0);
            double x = (double)sqlite3_column_int64(st, 1);
            rx_strmap_entry *m = rx_strmap_get(&base, c, strlen(c));
            t += x;
            if (nc < 64) {
                cn[nc] = x;
                sh[nc++] = ((m ? (double)m->value : 0) + 1) / (total + ncat);
            }
        }
        sqlite3_reset(st);
        /* only a category holding a fifth of the word's tickets can make it
         * a topic: a few uses in a small category are chance */
        for (int j = 0; j < nc; j++)
            if (cn[j] >= TOPICAL_HOLD * t && cn[j] / (t + 1) / sh[j] > lift)
                lift = cn[j] / (t + 1) / sh[j];
        v[k].general = t >= TOPICAL_MIN && lift < TOPICAL_LIFT;
    }
    sqlite3_finalize(st);
    rx_strmap_free(&base);
    return rc;
}

static int by_count(const void *a, const void *b)
{
    const rx_term_count *x = a, *y = b;
    return x->count != y->count ? (x->count < y->count ? 1 : -1)
                                : (x->id > y->id) - (x->id < y->id);
}

int rx_window_terms(rx_stats *s, const rx_window *w, size_t keep, rx_term_count **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    sqlite3_stmt *st;
    long long maxid = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) FROM stats_terms", -1, &st, NULL) !=
        SQLITE_OK)
        return rx_store_fail(s->db, "stats: terms");
    if (sqlite3_step(st) == SQLITE_ROW)
        maxid = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    long *counts = calloc((size_t)maxid + 1, sizeof *counts);
    if (!counts)
        return oom();
    if (sqlite3_prepare_v2(s->db,
                           "SELECT term, n FROM stats_term_daily WHERE day BETWEEN ?1 AND ?2 "
                           "AND term > 0",
                           -1, &st, NULL) != SQLITE_OK) {
        free(counts);
        return rx_store_fail(s->db, "stats: terms");
    }
    sqlite3_bind_int64(st, 1, w->from);
    sqlite3_bind_int64(st, 2, w->to);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        if (id <= maxid)
            counts[id] += (long)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    size_t n = 0;
    for (long long id = 1; id <= maxid; id++)
        n += counts[id] >= 2;
    rx_term_count *all = malloc((n ? n : 1) * sizeof *all);
    if (!all) {
        free(counts);
        return oom();
    }
    n = 0;
    for (long long id = 1; id <= maxid; id++)
        if (counts[id] >= 2)
            all[n++] = (rx_term_count){.id = id, .count = counts[id]};
    if (n > 1)
        qsort(all, n, sizeof *all, by_count);
    if (n > keep)
        n = keep;
    /* the candidates' text, and for a pair its words' counts */
    int rc = RX_OK;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT term, coalesce(a, 0), coalesce(b, 0) FROM stats_terms "
                           "WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        rc = rx_store_fail(s->db, "stats: terms");
    for (size_t k = 0; rc == RX_OK && k < n; k++) {
        sqlite3_bind_int64(st, 1, all[k].id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            snprintf(all[k].term, sizeof all[k].term, "%s", t ? t : "");
            all[k].a = sqlite3_column_int64(st, 1);
            all[k].b = sqlite3_column_int64(st, 2);
            if (all[k].a > 0 && all[k].a <= maxid && all[k].b > 0 && all[k].b <= maxid) {
                all[k].count_a = counts[all[k].a];
                all[k].count_b = counts[all[k].b];
            }
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    free(counts);
    if (rc == RX_OK)
        rc = mark_general(s, all, n);
    if (rc != RX_OK) {
        free(all);
        return rc;
    }
    *out = all;
    *nout = n;
    return RX_OK;
}

/* Keeps the phrases (pairs said together far more than chance, and a
 * usual way of saying their rarer word) and leaves out the words mostly
 * said inside a kept phrase; marks the others dropped. */
void rx_window_phrases(rx_term_count *v, size_t n, long tickets)
{
    for (size_t k = 0; k < n; k++)
        if (v[k].general)
            v[k].dropped = true;
    for (size_t k = 0; k < n; k++) {
        rx_term_count *p = &v[k];
        if (!p->a)
            continue;
        double ca = (double)p->count_a, cb = (double)p->count_b, c = (double)p->count;
        double rarer = ca < cb ? ca : cb;
        double pmi = ca > 0 && cb > 0 && tickets > 0 ? log2(c * (double)tickets / (ca * cb)) : 0;
        p->phrase =
            pmi >= PHRASE_MIN_PMI && rarer > 0 && c / rarer >= PHRASE_MIN_SHARE && !p->general;
        p->dropped = !p->phrase;
        if (!p->phrase)
            continue;
        /* the phrase as said: Han words joined, Latin ones spaced */
        char *sp = strchr(p->term, ' ');
        if (sp && (unsigned char)sp[-1] >= 0x80 && (unsigned char)sp[1] >= 0x80)
            memmove(sp, sp + 1, strlen(sp));
        for (size_t j = 0; j < n; j++)
            if ((v[j].id == p->a || v[j].id == p->b) && !v[j].a &&
                c >= WORD_IN_PHRASE * (double)v[j].count)
                v[j].dropped = true;
    }
}

static void add_day(cJSON *o, const char *name, long day)
{
    char d[11];
    rx_date_format(d, day);
    cJSON_AddStringToObject(o, name, d);
}

int rx_stats_hotwords(cJSON **out, rx_stats *s, long from, long to, int limit)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    rx_window w;
    rx_window_init(&w, from, to);
    rx_term_count *v = NULL;
    size_t n = 0;
    cJSON *o = cJSON_CreateObject();
    int rc = o ? rx_window_volumes(s, &w) : oom();
    if (rc == RX_OK)
        rc = rx_window_terms(s, &w, (size_t)limit * 8 + 200, &v, &n);
    if (rc == RX_OK) {
        rx_window_phrases(v, n, w.tickets);
        add_day(o, "from", from);
        add_day(o, "to", to);
        cJSON_AddNumberToObject(o, "tickets", (double)w.tickets);
        cJSON_AddNumberToObject(o, "last_year_tickets", (double)w.ly_tickets);
        cJSON_AddBoolToObject(o, "seasonal", w.ly_covered);
        cJSON *terms = cJSON_AddArrayToObject(o, "terms");
        int shown = 0;
        for (size_t k = 0; rc == RX_OK && k < n && shown < limit; k++) {
            if (v[k].dropped)
                continue;
            rx_term_figures_t f;
            rc = rx_term_figures(s, &w, v[k].id, &f);
            if (rc != RX_OK)
                break;
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "term", v[k].term);
            cJSON_AddBoolToObject(t, "phrase", v[k].phrase);
            cJSON_AddNumberToObject(t, "count", (double)f.count);
            cJSON_AddNumberToObject(t, "previous", (double)f.previous);
            cJSON_AddNumberToObject(t, "last_year", (double)f.last_year);
            if (f.previous > 0)
                cJSON_AddNumberToObject(t, "growth",
                                        (double)(f.count - f.previous) / (double)f.previous);
            else
                cJSON_AddNullToObject(t, "growth");
            cJSON_AddBoolToObject(t, "spike", f.spike.spike);
            if (f.spike.expected >= 0)
                cJSON_AddNumberToObject(t, "expected", round(f.spike.expected * 10) / 10);
            else
                cJSON_AddNullToObject(t, "expected");
            cJSON_AddNumberToObject(t, "p", f.spike.p);
            cJSON_AddItemToArray(terms, t);
            shown++;
        }
    }
    rx_window_free(&w);
    free(v);
    pthread_mutex_unlock(&s->mu);
    if (rc != RX_OK) {
        cJSON_Delete(o);
        return rc;
    }
    *out = o;
    return RX_OK;
}
