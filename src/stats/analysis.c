/* What the analysis keeps from the feeds, batch by batch: each new
 * ticket's terms and adjacent pairs (phrase candidates) counted per day,
 * the words' postings, the ticket's place; each search's query with
 * whether it was confident. See analysis.h for the tables. */
#include "analysis.h"

#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/terms.h"
#include "rexian/text.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_MAX 400000 /* ids kept in memory before the cache starts over */
#define TEXT_TERMS 8     /* key words kept with each ticket */

const char rx_analysis_schema[] =
    "CREATE TABLE stats_terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE,"
    "  a INTEGER, b INTEGER);"
    "CREATE TABLE stats_term_daily (term INTEGER NOT NULL, day INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, PRIMARY KEY (term, day)) WITHOUT ROWID;"
    "CREATE INDEX stats_term_daily_day ON stats_term_daily(day, term, n);"
    "CREATE TABLE stats_term_tickets (term INTEGER NOT NULL, day INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, PRIMARY KEY (term, day, n)) WITHOUT ROWID;"
    "CREATE TABLE stats_ticket_text (n INTEGER PRIMARY KEY, day INTEGER NOT NULL,"
    "  id TEXT NOT NULL, area TEXT NOT NULL, place TEXT NOT NULL, category TEXT NOT NULL,"
    "  terms TEXT NOT NULL);"
    "CREATE INDEX stats_ticket_text_day ON stats_ticket_text(day);"
    "CREATE INDEX stats_ticket_text_place ON stats_ticket_text(place, day);"
    "CREATE TABLE stats_term_categories (term INTEGER NOT NULL, category TEXT NOT NULL,"
    "  n INTEGER NOT NULL, PRIMARY KEY (term, category)) WITHOUT ROWID;"
    "CREATE TABLE stats_queries (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE,"
    "  key TEXT NOT NULL);"
    "CREATE TABLE stats_query_tickets (day INTEGER NOT NULL, query INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, searches INTEGER NOT NULL, unconfident INTEGER NOT NULL,"
    "  best TEXT NOT NULL DEFAULT '', PRIMARY KEY (day, query, n)) WITHOUT ROWID;";

const char rx_analysis_places_schema[] =
    "CREATE TABLE stats_place_months (place TEXT NOT NULL, month INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, PRIMARY KEY (place, month)) WITHOUT ROWID;"
    /* the tickets step 2 already read */
    "INSERT INTO stats_place_months(place, month, n)"
    "  SELECT place, CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER) * 12"
    "    + CAST(strftime('%m', day * 86400, 'unixepoch') AS INTEGER) - 1, count(*)"
    "  FROM stats_ticket_text WHERE place != '' GROUP BY 1, 2;";

const char rx_analysis_cells_schema[] =
    "CREATE INDEX stats_ticket_text_cells ON stats_ticket_text(day, place, category);"
    "DROP INDEX stats_ticket_text_day;";

long rx_analysis_month(long day)
{
    char d[11];
    rx_date_format(d, day);
    return atol(d) * 12 + atol(d + 5) - 1;
}

const char rx_analysis_clear_sql[] =
    "DELETE FROM stats_terms; DELETE FROM stats_term_daily; DELETE FROM stats_term_tickets;"
    "DELETE FROM stats_ticket_text; DELETE FROM stats_queries; DELETE FROM stats_query_tickets;"
    "DELETE FROM stats_term_categories; DELETE FROM stats_place_months;";

typedef struct {
    long long term;
    long day;       /* a day's count, or */
    char *category; /* (not NULL) the count in a category, all days */
    long long n;
} term_delta;

enum {
    Q_TERM_GET,
    Q_TERM_ADD,
    Q_POSTING,
    Q_TEXT,
    Q_QUERY_GET,
    Q_QUERY_ADD,
    Q_QUERY_TICKET,
    Q_PLACE_MONTH,
    NQ
};

static const char *const sql[NQ] = {
    [Q_TERM_GET] = "SELECT id FROM stats_terms WHERE term = ?",
    [Q_TERM_ADD] = "INSERT INTO stats_terms(term, a, b) VALUES(?, ?, ?)",
    [Q_POSTING] = "INSERT OR IGNORE INTO stats_term_tickets(term, day, n) VALUES(?, ?, ?)",
    [Q_TEXT] = "INSERT OR REPLACE INTO stats_ticket_text(n, day, id, area, place, category, terms) "
               "VALUES(?, ?, ?, ?, ?, ?, ?)",
    [Q_QUERY_GET] = "SELECT id FROM stats_queries WHERE text = ?",
    [Q_QUERY_ADD] = "INSERT INTO stats_queries(text, key) VALUES(?, ?)",
    [Q_PLACE_MONTH] = "INSERT INTO stats_place_months(place, month, n) VALUES(?, ?, 1) "
                      "ON CONFLICT(place, month) DO UPDATE SET n = n + 1",
    [Q_QUERY_TICKET] =
        "INSERT INTO stats_query_tickets(day, query, n, searches, unconfident, best) "
        "VALUES(?1, ?2, ?3, 1, ?4, ?5) ON CONFLICT(day, query, n) DO UPDATE SET "
        "searches = searches + 1, unconfident = unconfident + ?4, best = ?5",
};

struct rx_analysis {
    rx_synonyms *syn;
    rx_strmap term_ids, query_ids; /* text → id, a cache of the tables */
    rx_strmap delta_map;           /* "term day" → index + 1 in deltas */
    term_delta *deltas;
    size_t ndeltas, cap_deltas;
    sqlite3_stmt *st[NQ];
};

static int oom(void)
{
    return rx_error_set(RX_ENOMEM, "out of memory");
}

static void deltas_clear(rx_analysis *a)
{
    for (size_t k = 0; k < a->ndeltas; k++)
        free(a->deltas[k].category);
    rx_strmap_clear(&a->delta_map);
    a->ndeltas = 0;
}

int rx_analysis_open(rx_stats *s)
{
    if (!(s->an = calloc(1, sizeof *s->an)))
        return oom();
    for (int k = 0; k < NQ; k++)
        if (sqlite3_prepare_v3(s->db, sql[k], -1, SQLITE_PREPARE_PERSISTENT, &s->an->st[k], NULL) !=
            SQLITE_OK)
            return rx_store_fail(s->db, "stats: analysis");
    return RX_OK;
}

void rx_analysis_drop(rx_stats *s)
{
    rx_analysis *a = s->an;
    if (!a)
        return;
    rx_strmap_clear(&a->term_ids);
    rx_strmap_clear(&a->query_ids);
    deltas_clear(a);
}

void rx_analysis_free(rx_stats *s)
{
    rx_analysis *a = s->an;
    if (!a)
        return;
    for (int k = 0; k < NQ; k++)
        sqlite3_finalize(a->st[k]);
    deltas_clear(a);
    rx_synonyms_free(a->syn);
    rx_strmap_free(&a->term_ids);
    rx_strmap_free(&a->query_ids);
    rx_strmap_free(&a->delta_map);
    free(a->deltas);
    free(a);
    s->an = NULL;
}

int rx_stats_set_synonyms(rx_stats *s, const rx_synonyms *syn)
{
    rx_synonyms *copy = NULL;
    if (syn) {
        char *text = rx_synonyms_serialize(syn);
        if (!text)
            return oom();
        int rc = rx_synonyms_parse(&copy, text, strlen(text), NULL, NULL);
        free(text);
        if (rc != RX_OK)
            return rc;
    }
    pthread_mutex_lock(&s->mu);
    rx_synonyms_free(s->an->syn);
    s->an->syn = copy;
    pthread_mutex_unlock(&s->mu);
    return RX_OK;
}

const rx_synonyms *rx_analysis_synonyms(rx_stats *s)
{
    return s->an->syn;
}

/* The id of a text in a dictionary table (get, then add), cached. */
static int dict_id(rx_stats *s, rx_strmap *cache, sqlite3_stmt *get, sqlite3_stmt *add,
                   const char *text, const char *extra, long long a, long long b, long long *out)
{
    size_t len = strlen(text);
    rx_strmap_entry *m = rx_strmap_get(cache, text, len);
    if (m) {
        *out = (long long)m->value;
        return RX_OK;
    }
    sqlite3_bind_text(get, 1, text, -1, SQLITE_STATIC);
    int step = sqlite3_step(get);
    *out = step == SQLITE_ROW ? sqlite3_column_int64(get, 0) : 0;
    sqlite3_reset(get);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return rx_store_fail(s->db, "stats: dictionary");
    if (!*out) {
        sqlite3_bind_text(add, 1, text, -1, SQLITE_STATIC);
        if (extra) {
            sqlite3_bind_text(add, 2, extra, -1, SQLITE_STATIC);
        } else {
            if (a)
                sqlite3_bind_int64(add, 2, a);
            else
                sqlite3_bind_null(add, 2);
            if (b)
                sqlite3_bind_int64(add, 3, b);
            else
                sqlite3_bind_null(add, 3);
        }
        step = sqlite3_step(add);
        sqlite3_reset(add);
        if (step != SQLITE_DONE)
            return rx_store_fail(s->db, "stats: dictionary");
        *out = sqlite3_last_insert_rowid(s->db);
    }
    if (cache->count >= CACHE_MAX)
        rx_strmap_clear(cache);
    int added;
    if (!(m = rx_strmap_upsert(cache, text, len, &added)))
        return oom();
    m->value = (size_t)*out;
    return RX_OK;
}

/* One more ticket naming term on day, or (category not NULL) in category. */
static int count_term(rx_analysis *a, long long term, long day, const char *category)
{
    char key[300];
    int klen = category ? snprintf(key, sizeof key, "%lld\x1f%s", term, category)
                        : snprintf(key, sizeof key, "%lld %ld", term, day);
    if (klen < 0 || (size_t)klen >= sizeof key)
        return RX_OK; /* a category too long to be one: not counted */
    int added;
    rx_strmap_entry *m = rx_strmap_upsert(&a->delta_map, key, (size_t)klen, &added);
    if (!m)
        return oom();
    if (added) {
        if (a->ndeltas == a->cap_deltas) {
            size_t cap = a->cap_deltas ? a->cap_deltas * 2 : 1024;
            term_delta *grown = realloc(a->deltas, cap * sizeof *grown);
            if (!grown)
                return oom();
            a->deltas = grown;
            a->cap_deltas = cap;
        }
        a->deltas[a->ndeltas] = (term_delta){term, day, NULL, 0};
        if (category && !(a->deltas[a->ndeltas].category = strdup(category)))
            return oom();
        m->value = a->ndeltas++;
    }
    a->deltas[m->value].n++;
    return RX_OK;
}

/* The place of an address: its normalised form up to the first number
 * (the building or house number), e.g. 荷塘区月塘街道湘水湾; "" if none. */
static char *place_of(const char *address)
{
    char *key = rx_wf_address_key(address);
    if (!key)
        return strdup("");
    size_t cut = strcspn(key, "0123456789");
    key[cut] = '\0';
    return key;
}

static bool seen(const rx_term_list *l, size_t upto, const char *term)
{
    for (size_t k = 0; k < upto; k++)
        if (!strcmp(l->v[k].term, term))
            return true;
    return false;
}

static int on_create(rx_stats *s, const rx_feed_event *e)
{
    rx_analysis *a = s->an;
    rx_term_list l = {0};
    const char *content = e->content ? e->content : "";
    int rc = rx_terms_extract(&l, a->syn, content, strlen(content));
    long day = e->created_day;
    long long ids[256];
    size_t nid = 0;
    rx_buf words = {0};
    const char *category = e->category ? e->category : "";
    if (rc == RX_OK)
        rc = count_term(a, 0, day, NULL);
    if (rc == RX_OK)
        rc = count_term(a, 0, 0, category);
    for (size_t k = 0; rc == RX_OK && k < l.n && nid < 256; k++) {
        bool dup = seen(&l, k, l.v[k].term);
        long long id = 0;
        rc = dict_id(s, &a->term_ids, a->st[Q_TERM_GET], a->st[Q_TERM_ADD], l.v[k].term, NULL, 0, 0,
                     &id);
        ids[nid++] = id;
        if (rc != RX_OK || dup)
            continue;
        rc = count_term(a, id, day, NULL);
        if (rc == RX_OK)
            rc = count_term(a, id, 0, category);
        sqlite3_stmt *p = a->st[Q_POSTING];
        sqlite3_bind_int64(p, 1, id);
        sqlite3_bind_int64(p, 2, day);
        sqlite3_bind_int64(p, 3, e->ticket);
        if (rc == RX_OK && sqlite3_step(p) != SQLITE_DONE)
            rc = rx_store_fail(s->db, "stats: postings");
        sqlite3_reset(p);
        if (rc == RX_OK && k < 64 && words.len < 200) {
            if (words.len)
                rx_buf_putc(&words, ' ');
            rx_buf_puts(&words, l.v[k].term);
        }
    }
    /* adjacent pairs: the phrase candidates (学校 门口), once per ticket */
    char pair[256];
    rx_strmap pairs = {0};
    for (size_t k = 1; rc == RX_OK && k < nid; k++) {
        if (!l.v[k].joined || !ids[k] || !ids[k - 1] || ids[k] == ids[k - 1])
            continue;
        int plen = snprintf(pair, sizeof pair, "%s %s", l.v[k - 1].term, l.v[k].term);
        if (plen < 0 || (size_t)plen >= sizeof pair)
            continue;
        int added;
        if (!rx_strmap_upsert(&pairs, pair, (size_t)plen, &added)) {
            rc = oom();
            break;
        }
        if (!added)
            continue;
        long long id;
        rc = dict_id(s, &a->term_ids, a->st[Q_TERM_GET], a->st[Q_TERM_ADD], pair, NULL, ids[k - 1],
                     ids[k], &id);
        if (rc == RX_OK)
            rc = count_term(a, id, day, NULL);
        if (rc == RX_OK)
            rc = count_term(a, id, 0, category);
    }
    rx_strmap_free(&pairs);
    char *place = rc == RX_OK ? place_of(e->address) : NULL;
    if (rc == RX_OK && !place)
        rc = oom();
    if (rc == RX_OK) {
        sqlite3_stmt *t = a->st[Q_TEXT];
        sqlite3_bind_int64(t, 1, e->ticket);
        sqlite3_bind_int64(t, 2, day);
        sqlite3_bind_text(t, 3, e->ticket_id ? e->ticket_id : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(t, 4, e->area ? e->area : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(t, 5, place, -1, SQLITE_STATIC);
        sqlite3_bind_text(t, 6, e->category ? e->category : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(t, 7, words.data ? words.data : "", -1, SQLITE_STATIC);
        if (sqlite3_step(t) != SQLITE_DONE)
            rc = rx_store_fail(s->db, "stats: ticket text");
        sqlite3_reset(t);
    }
    if (rc == RX_OK && place && *place) {
        sqlite3_stmt *pm = a->st[Q_PLACE_MONTH];
        sqlite3_bind_text(pm, 1, place, -1, SQLITE_STATIC);
        sqlite3_bind_int64(pm, 2, rx_analysis_month(day));
        if (sqlite3_step(pm) != SQLITE_DONE)
            rc = rx_store_fail(s->db, "stats: places");
        sqlite3_reset(pm);
    }
    free(place);
    rx_buf_free(&words);
    rx_term_list_clear(&l);
    return rc;
}

int rx_analysis_event(rx_stats *s, const rx_feed_event *e)
{
    return strcmp(e->action, "create") ? RX_OK : on_create(s, e);
}

int rx_analysis_query_key(char **text, char **key, const rx_synonyms *syn, const char *query)
{
    *text = *key = NULL;
    char *norm;
    size_t len;
    int rc = rx_text_normalize(&norm, &len, query, strlen(query));
    if (rc != RX_OK)
        return rc;
    /* white space collapsed, trimmed */
    size_t w = 0;
    for (size_t r = 0; r < len; r++) {
        bool space = norm[r] == ' ' || norm[r] == '\t' || norm[r] == '\n' || norm[r] == '\r';
        if (space && (w == 0 || norm[w - 1] == ' '))
            continue;
        norm[w++] = space ? ' ' : norm[r];
    }
    while (w && norm[w - 1] == ' ')
        w--;
    norm[w] = '\0';
    rx_term_list l = {0};
    rc = rx_terms_extract(&l, syn, norm, w);
    rx_buf b = {0};
    for (size_t k = 0; rc == RX_OK && k < l.n; k++) {
        if (seen(&l, k, l.v[k].term))
            continue;
        if (b.len)
            rx_buf_putc(&b, ' ');
        rx_buf_puts(&b, l.v[k].term);
    }
    rx_term_list_clear(&l);
    if (rc != RX_OK) {
        free(norm);
        rx_buf_free(&b);
        return rc;
    }
    *key = b.data ? rx_buf_steal(&b) : strdup(norm);
    *text = norm;
    if (!*key) {
        free(norm);
        *text = NULL;
        return oom();
    }
    return RX_OK;
}

int rx_analysis_lookup(rx_stats *s, const rx_lookup_event *l)
{
    if (l->open || !l->query || !*l->query)
        return RX_OK;
    rx_analysis *a = s->an;
    char *text, *key;
    int rc = rx_analysis_query_key(&text, &key, a->syn, l->query);
    if (rc != RX_OK)
        return rc;
    long long qid = 0;
    if (*text)
        rc = dict_id(s, &a->query_ids, a->st[Q_QUERY_GET], a->st[Q_QUERY_ADD], text, key, 0, 0,
                     &qid);
    if (rc == RX_OK && qid) {
        cJSON *top = cJSON_Parse(l->top ? l->top : "[]");
        const cJSON *first = cJSON_GetArrayItem(top, 0);
        sqlite3_stmt *st = a->st[Q_QUERY_TICKET];
        sqlite3_bind_int64(st, 1, rx_wf_day(l->at));
        sqlite3_bind_int64(st, 2, qid);
        sqlite3_bind_int64(st, 3, l->ticket);
        sqlite3_bind_int(st, 4, l->confident == 0);
        sqlite3_bind_text(st, 5, cJSON_IsString(first) ? first->valuestring : "", -1,
                          SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rx_store_fail(s->db, "stats: queries");
        sqlite3_reset(st);
        cJSON_Delete(top);
    }
    free(text);
    free(key);
    return rc;
}

int rx_analysis_flush(rx_stats *s)
{
    rx_analysis *a = s->an;
    sqlite3_stmt *st, *ct;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO stats_term_daily(term, day, n) VALUES(?, ?, ?) "
                           "ON CONFLICT(term, day) DO UPDATE SET n = n + excluded.n",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: terms");
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO stats_term_categories(term, category, n) VALUES(?, ?, ?) "
                           "ON CONFLICT(term, category) DO UPDATE SET n = n + excluded.n",
                           -1, &ct, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return rx_store_fail(s->db, "stats: terms");
    }
    int rc = RX_OK;
    for (size_t k = 0; rc == RX_OK && k < a->ndeltas; k++) {
        const term_delta *d = &a->deltas[k];
        sqlite3_stmt *q = d->category ? ct : st;
        sqlite3_bind_int64(q, 1, d->term);
        if (d->category)
            sqlite3_bind_text(q, 2, d->category, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(q, 2, d->day);
        sqlite3_bind_int64(q, 3, d->n);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = rx_store_fail(s->db, "stats: terms");
        sqlite3_reset(q);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(ct);
    deltas_clear(a);
    return rc;
}
