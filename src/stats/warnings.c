/* 未诉先办: what a supervisor should act on before the calls pile up.
 *
 *  - seasonal: a term last year's calls show rising in the weeks after
 *    this window (积水 before the flood season), already above last
 *    year's same weeks this year: the season comes early or hard;
 *  - spike: a term above what its own history expects (spike.c);
 *  - cluster: one place (a compound, a road, a village) with several
 *    tickets of one category, far more than the place's usual share of
 *    calls and the category's share of the window make likely (a Poisson
 *    test, Bonferroni over every place and category seen).
 * Each item says what, where, how many, why, and example tickets. */
#include "terms_query.h"

#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/strmap.h"
#include "rexian/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANDIDATES 300    /* terms of the window examined */
#define SEASON_ALPHA 0.01 /* last year's rise after the window, and this year's lead */
#define CLUSTER_ALPHA 0.01
#define CLUSTER_MIN 3       /* tickets: two calls are no cluster */
#define PLACE_BASE_DAYS 365 /* the place's usual share of calls, from the year before */
#define MAX_WARNINGS 50
#define EXAMPLES 5
#define SAMPLE 200 /* the latest tickets that say where a term is and what a cluster is about */

static int oom(void)
{
    return rx_error_set(RX_ENOMEM, "out of memory");
}

typedef struct {
    cJSON *item;
    double p;
} warning;

typedef struct {
    warning *v;
    size_t n, cap;
} warnings;

static int push(warnings *ws, cJSON *item, double p)
{
    if (!item)
        return oom();
    warning *grown = rx_array_grow(ws->v, &ws->cap, ws->n, sizeof *ws->v, 32);
    if (!grown) {
        cJSON_Delete(item);
        return oom();
    }
    ws->v = grown;
    ws->v[ws->n++] = (warning){item, p};
    return RX_OK;
}

static int by_p(const void *a, const void *b)
{
    const warning *x = a, *y = b;
    return (x->p > y->p) - (x->p < y->p);
}

/* Up to EXAMPLES ids of the window's latest tickets naming term (for a
 * phrase: both its words), into arr; the most frequent area of the latest
 * SAMPLE into where (a surge of thousands of calls is placed as well by
 * its latest two hundred, at a fiftieth of the reading). */
static int examples(rx_stats *s, const rx_window *w, const rx_term_count *t, cJSON *arr,
                    char *where, size_t cap)
{
    const char *sql =
        t->a
            ? "SELECT x.id, x.area FROM stats_term_tickets p JOIN stats_term_tickets q "
              "  ON q.term = ?4 AND q.day = p.day AND q.n = p.n "
              "JOIN stats_ticket_text x ON x.n = p.n "
              "WHERE p.term = ?1 AND p.day BETWEEN ?2 AND ?3 ORDER BY p.day DESC, p.n DESC LIMIT ?5"
            : "SELECT x.id, x.area FROM stats_term_tickets p JOIN stats_ticket_text x ON x.n = p.n "
              "WHERE p.term = ?1 AND p.day BETWEEN ?2 AND ?3 ORDER BY p.day DESC, p.n DESC "
              "LIMIT ?5";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: warnings");
    sqlite3_bind_int64(st, 1, t->a ? t->a : t->id);
    sqlite3_bind_int64(st, 2, w->from);
    sqlite3_bind_int64(st, 3, w->to);
    if (t->a)
        sqlite3_bind_int64(st, 4, t->b);
    sqlite3_bind_int(st, 5, SAMPLE);
    rx_strmap areas = {0};
    long total = 0, best = 0;
    int rc = RX_OK;
    where[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (total < EXAMPLES)
            cJSON_AddItemToArray(arr, cJSON_CreateString((const char *)sqlite3_column_text(st, 0)));
        const char *area = (const char *)sqlite3_column_text(st, 1);
        int added;
        rx_strmap_entry *m = rx_strmap_upsert(&areas, area, strlen(area), &added);
        if (!m) {
            rc = oom();
            break;
        }
        if ((long)++m->value > best) {
            best = (long)m->value;
            snprintf(where, cap, "%s", area);
        }
        total++;
    }
    sqlite3_finalize(st);
    rx_strmap_free(&areas);
    /* a district only when most of the tickets are there */
    if (!where[0] || best * 2 <= total)
        snprintf(where, cap, "全市");
    return rc;
}

static cJSON *item(const char *kind, const char *what, const char *where, long count)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, "what", what);
    cJSON_AddStringToObject(o, "where", where);
    cJSON_AddNumberToObject(o, "count", (double)count);
    return o;
}

static long sum_range(const long *v, long from, long n)
{
    long t = 0;
    for (long k = 0; k < n; k++)
        t += v[from + k];
    return t;
}

/* Seasonal and spike items from the window's most frequent terms. */
static int term_warnings(rx_stats *s, const rx_window *w, warnings *ws)
{
    rx_term_count *v;
    size_t n;
    int rc = rx_window_terms(s, w, CANDIDATES, &v, &n);
    if (rc != RX_OK)
        return rc;
    rx_window_phrases(v, n, w->tickets);
    /* last year's following weeks: what the season brought after */
    long nx_from = w->ly_to + 1, nx_to = w->ly_to + w->len;
    long *nv = calloc((size_t)(2 * w->len), sizeof *nv);
    if (!nv) {
        free(v);
        return oom();
    }
    long *nvol = nv + w->len;
    rc = rx_term_series(s, 0, nx_from, nx_to, nvol);
    long next_tickets = sum_range(nvol, 0, w->len);
    for (size_t k = 0; rc == RX_OK && k < n; k++) {
        if (v[k].dropped)
            continue;
        rx_term_figures_t f;
        if ((rc = rx_term_figures(s, w, v[k].id, &f)) != RX_OK ||
            (rc = rx_term_series(s, v[k].id, nx_from, nx_to, nv)) != RX_OK)
            break;
        long ly_next = sum_range(nv, 0, w->len);
        char why[512];
        double p = 1;
        const char *kind = NULL;
        double expected = 0;
        if (w->ly_covered && next_tickets > 0 && f.count > 0) {
            /* last year: did the term rise in the weeks after this window? */
            double e_next =
                ((double)f.last_year + 0.5) * (double)next_tickets / (double)w->ly_tickets;
            double shape_ly = f.last_year + 0.5 < 40 ? f.last_year + 0.5 : 40;
            double p_rise =
                ly_next > e_next ? rx_stats_spike_nb_upper((double)ly_next, e_next, shape_ly) : 1;
            /* this year: already above last year's same weeks? */
            expected = ((double)f.last_year + 0.5) * (double)w->tickets / (double)w->ly_tickets;
            double p_lead = (double)f.count > expected
                                ? rx_stats_spike_nb_upper((double)f.count, expected, shape_ly)
                                : 1;
            if (p_rise < SEASON_ALPHA && p_lead < SEASON_ALPHA && (double)ly_next >= 1.5 * e_next) {
                kind = "seasonal";
                p = p_lead;
                snprintf(
                    why, sizeof why,
                    "去年同期 %ld 件，去年随后 %ld 天升至 %ld 件（季节性话题）；今年本期已 %ld "
                    "件，按来电量折算去年同期约 %.0f 件，提前上升",
                    f.last_year, w->len, ly_next, f.count, expected);
            }
        }
        if (!kind && f.spike.spike) {
            kind = "spike";
            p = f.spike.p;
            expected = f.spike.expected;
            char peak[11] = "";
            if (f.spike.peak >= 0)
                rx_date_format(peak, w->from + f.spike.peak);
            snprintf(why, sizeof why,
                     "本期 %ld 件，按此前 %ld 天的占比%s预计约 %.0f 件（p=%.1e）；%s 最突出",
                     f.count, w->hist_len, w->ly_covered ? "和去年的季节变化" : "", expected,
                     f.spike.p, peak);
        }
        if (!kind)
            continue;
        cJSON *ids = cJSON_CreateArray();
        char where[128];
        rc = examples(s, w, &v[k], ids, where, sizeof where);
        cJSON *o = item(kind, v[k].term, where, f.count);
        cJSON_AddNumberToObject(o, "expected", round(expected * 10) / 10);
        cJSON_AddNumberToObject(o, "last_year", (double)f.last_year);
        if (!strcmp(kind, "seasonal"))
            cJSON_AddNumberToObject(o, "last_year_next", (double)ly_next);
        cJSON_AddStringToObject(o, "why", why);
        cJSON_AddNumberToObject(o, "p", p);
        cJSON_AddItemToObject(o, "tickets", ids);
        if (rc == RX_OK)
            rc = push(ws, o, p);
        else
            cJSON_Delete(o);
    }
    free(nv);
    free(v);
    return rc;
}

/* ---- clusters of one complaint in one place ---- */

typedef struct {
    const char *key;      /* place \x1f category, kept by the scan's map */
    const char *category; /* in key, after the place */
    size_t plen;          /* the place's bytes in key */
    char *place, *area;   /* only for a cell tested (CLUSTER_MIN calls) */
    long count, read;     /* tickets, and those of them read for words */
    cJSON *ids;           /* the latest first */
    rx_strmap words;      /* term → tickets read naming it */
} cell;

static void cell_free(cell *c)
{
    free(c->place);
    free(c->area);
    cJSON_Delete(c->ids);
    rx_strmap_free(&c->words);
}

/* The words most of a cell's tickets share, but for the place's own name:
 * what the complaint is. */
static void shared_words(const cell *c, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    int shown = 0;
    for (size_t k = 0; k < c->words.count && shown < 3; k++) {
        const rx_strmap_entry *e = &c->words.entries[k];
        if ((long)e->value * 2 <= c->read)
            continue;
        char w[128];
        snprintf(w, sizeof w, "%.*s", (int)e->klen, e->key);
        if (strstr(c->place, w))
            continue;
        int m = snprintf(out + len, cap - len, "%s%.*s", shown ? "、" : "", (int)e->klen, e->key);
        if (m < 0 || (size_t)m >= cap - len)
            break;
        len += (size_t)m;
        shown++;
    }
}

/* The calls from place over the months from..to (rx_analysis_month). */
static long place_calls(sqlite3_stmt *st, const char *place, long from, long to)
{
    sqlite3_bind_text(st, 1, place, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    long n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return n;
}

/* A significant cell's latest tickets and the words the latest SAMPLE
 * share. */
static int fill_cell(rx_stats *s, const rx_window *w, cell *c)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, terms, area FROM stats_ticket_text WHERE place = ?1 AND day "
                           "BETWEEN ?2 AND ?3 AND category = ?4 ORDER BY day DESC, n DESC LIMIT ?5",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: clusters");
    sqlite3_bind_text(st, 1, c->place, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, w->from);
    sqlite3_bind_int64(st, 3, w->to);
    sqlite3_bind_text(st, 4, c->category, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, SAMPLE);
    if (!(c->ids = cJSON_CreateArray())) {
        sqlite3_finalize(st);
        return oom();
    }
    int added;
    for (int k = 0; sqlite3_step(st) == SQLITE_ROW; k++, c->read++) {
        if (k == 0 && !(c->area = strdup((const char *)sqlite3_column_text(st, 2)))) {
            sqlite3_finalize(st);
            return oom();
        }
        if (k < EXAMPLES)
            cJSON_AddItemToArray(c->ids,
                                 cJSON_CreateString((const char *)sqlite3_column_text(st, 0)));
        for (const char *p = (const char *)sqlite3_column_text(st, 1); *p;) {
            size_t len = strcspn(p, " ");
            rx_strmap_entry *wm = len ? rx_strmap_upsert(&c->words, p, len, &added) : NULL;
            if (wm)
                wm->value++;
            p += len;
            while (*p == ' ')
                p++;
        }
    }
    sqlite3_finalize(st);
    return RX_OK;
}

static int cluster_warnings(rx_stats *s, const rx_window *w, warnings *ws)
{
    /* every place × category of the window, counted */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT place, category FROM stats_ticket_text "
                           "WHERE day BETWEEN ?1 AND ?2 AND place != ''",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: clusters");
    sqlite3_bind_int64(st, 1, w->from);
    sqlite3_bind_int64(st, 2, w->to);
    rx_strmap map = {0}, categories = {0}, places = {0};
    cell *cells = NULL;
    size_t ncells = 0, cap = 0;
    long placed = 0;
    int rc = RX_OK;
    char key[1024];
    while (rc == RX_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *place = (const char *)sqlite3_column_text(st, 0);
        const char *cat = (const char *)sqlite3_column_text(st, 1);
        size_t plen = (size_t)sqlite3_column_bytes(st, 0),
               clen = (size_t)sqlite3_column_bytes(st, 1);
        placed++;
        if (plen + 1 + clen > sizeof key)
            continue;
        memcpy(key, place, plen);
        key[plen] = '\x1f';
        memcpy(key + plen + 1, cat, clen);
        int added;
        rx_strmap_entry *m = rx_strmap_upsert(&map, key, plen + 1 + clen, &added);
        if (!m) {
            rc = oom();
            break;
        }
        if (added) {
            cell *grown = rx_array_grow(cells, &cap, ncells, sizeof *cells, 256);
            if (!grown) {
                rc = oom();
                break;
            }
            cells = grown;
            cells[ncells] = (cell){.key = m->key, .category = m->key + plen + 1, .plen = plen};
            m->value = ncells++;
        }
        /* cells grow with the map; NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
        cells[m->value].count++;
    }
    /* each category's calls of the window, from its cells */
    for (size_t k = 0; rc == RX_OK && k < ncells; k++) {
        int added;
        const char *cat = cells[k].category;
        rx_strmap_entry *cm = rx_strmap_upsert(&categories, cat, strlen(cat), &added);
        if (!cm)
            rc = oom();
        else
            cm->value += (size_t)cells[k].count;
    }
    sqlite3_finalize(st);
    /* the places' usual share of calls: the year of months before the
     * window's, and the window's own */
    long m_from = rx_analysis_month(w->from) - 12, m_to = rx_analysis_month(w->to);
    char first[11];
    snprintf(first, sizeof first, "%04ld-%02ld-01", m_from / 12, m_from % 12 + 1);
    long base_from = rx_date_parse(first, 10), base_all = 0;
    sqlite3_stmt *pc = NULL;
    if (rc == RX_OK &&
        sqlite3_prepare_v2(s->db,
                           "SELECT coalesce(sum(n), 0) FROM stats_place_months WHERE place = ?1 "
                           "AND month BETWEEN ?2 AND ?3",
                           -1, &pc, NULL) != SQLITE_OK)
        rc = rx_store_fail(s->db, "stats: clusters");
    if (rc == RX_OK) {
        sqlite3_stmt *all;
        if (sqlite3_prepare_v2(s->db,
                               "SELECT coalesce(sum(n), 0) FROM stats_term_daily WHERE term = 0 "
                               "AND day BETWEEN ?1 AND ?2",
                               -1, &all, NULL) != SQLITE_OK) {
            rc = rx_store_fail(s->db, "stats: clusters");
        } else {
            sqlite3_bind_int64(all, 1, base_from);
            sqlite3_bind_int64(all, 2, w->to);
            if (sqlite3_step(all) == SQLITE_ROW)
                base_all = (long)sqlite3_column_int64(all, 0);
            sqlite3_finalize(all);
        }
    }
    for (size_t k = 0; rc == RX_OK && k < ncells; k++) {
        cell *c = &cells[k];
        if (c->count < CLUSTER_MIN || base_all <= 0 || placed <= 0)
            continue;
        if (!(c->place = strndup(c->key, c->plen))) {
            rc = oom();
            break;
        }
        int added;
        rx_strmap_entry *pm = rx_strmap_upsert(&places, c->place, strlen(c->place), &added);
        if (!pm) {
            rc = oom();
            break;
        }
        if (added) /* + 1: stored as count + 1, 0 meaning not looked up */
            pm->value = (size_t)place_calls(pc, c->place, m_from, m_to) + 1;
        /* a pseudo-call, so that a new place is not infinitely rare */
        double share = (double)pm->value / (double)base_all;
        rx_strmap_entry *cm = rx_strmap_get(&categories, c->category, strlen(c->category));
        double cat_share = cm ? (double)cm->value / (double)placed : 0;
        double expected = (double)w->tickets * share * cat_share;
        double p = rx_stats_spike_poisson_upper((double)c->count, expected) * (double)ncells;
        if (p >= CLUSTER_ALPHA)
            continue;
        if ((rc = fill_cell(s, w, c)) != RX_OK)
            break;
        char words[256], what[384], why[768];
        shared_words(c, words, sizeof words);
        snprintf(what, sizeof what, "%s%s%s%s", c->category[0] ? c->category : "同类诉求",
                 words[0] ? "（" : "", words, words[0] ? "）" : "");
        snprintf(why, sizeof why,
                 "同一地点 %ld 天内 %ld 件%s诉求；按该地点近一年来电占比和本期%s诉求占比，预计约 "
                 "%.2f 件（p=%.1e，已按 %zu 个地点×类别校正）",
                 w->len, c->count, c->category, c->category, expected, p, ncells);
        cJSON *o = item("cluster", what, c->place, c->count);
        cJSON_AddStringToObject(o, "area", c->area ? c->area : "");
        cJSON_AddNumberToObject(o, "expected", round(expected * 100) / 100);
        cJSON_AddStringToObject(o, "why", why);
        cJSON_AddNumberToObject(o, "p", p);
        cJSON_AddItemToObject(o, "tickets", c->ids);
        c->ids = NULL;
        rc = push(ws, o, p);
    }
    sqlite3_finalize(pc);
    for (size_t k = 0; k < ncells; k++)
        cell_free(&cells[k]);
    free(cells);
    rx_strmap_free(&map);
    rx_strmap_free(&categories);
    rx_strmap_free(&places);
    return rc;
}

int rx_stats_warnings(cJSON **out, rx_stats *s, long from, long to)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    rx_window w;
    rx_window_init(&w, from, to);
    warnings ws = {0};
    /* one read transaction: one snapshot, and one lock for the hundreds
     * of small reads rather than one each */
    int rc = rx_stats_exec(s, "BEGIN");
    if (rc == RX_OK) {
        rc = rx_window_volumes(s, &w);
        if (rc == RX_OK)
            rc = term_warnings(s, &w, &ws);
        if (rc == RX_OK)
            rc = cluster_warnings(s, &w, &ws);
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    }
    cJSON *o = NULL;
    if (rc == RX_OK) {
        if (ws.n) /* qsort wants an array, even of none */
            qsort(ws.v, ws.n, sizeof *ws.v, by_p);
        o = cJSON_CreateObject();
        char d[11];
        rx_date_format(d, from);
        cJSON_AddStringToObject(o, "from", d);
        rx_date_format(d, to);
        cJSON_AddStringToObject(o, "to", d);
        cJSON_AddNumberToObject(o, "tickets", (double)w.tickets);
        cJSON *arr = cJSON_AddArrayToObject(o, "warnings");
        for (size_t k = 0; k < ws.n; k++) {
            if (k < MAX_WARNINGS)
                cJSON_AddItemToArray(arr, ws.v[k].item);
            else
                cJSON_Delete(ws.v[k].item);
        }
    } else {
        for (size_t k = 0; k < ws.n; k++)
            cJSON_Delete(ws.v[k].item);
    }
    free(ws.v);
    rx_window_free(&w);
    pthread_mutex_unlock(&s->mu);
    if (rc != RX_OK)
        return rc;
    *out = o;
    return RX_OK;
}
