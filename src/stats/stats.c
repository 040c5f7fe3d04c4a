/* The statistics' sync loop: reads the ticket log's feeds in batches, each
 * in one transaction with the positions it reached, and the queries over
 * the rollups. */
#include "analysis.h"
#include "internal.h"

#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 5000

static const char *const steps[] = {
    /* 1: feed positions, each ticket's facts, and the daily rollups */
    "CREATE TABLE stats_cursor (feed TEXT PRIMARY KEY, pos INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO stats_cursor VALUES ('events', 0), ('lookups', 0);"
    "CREATE TABLE stats_tickets ("
    "  n INTEGER PRIMARY KEY,"
    "  day INTEGER NOT NULL, category TEXT NOT NULL, agent TEXT NOT NULL,"
    "  lead TEXT NOT NULL DEFAULT '', deadline INTEGER, flags INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE TABLE stats_ticket_docs ("
    "  n INTEGER NOT NULL, doc TEXT NOT NULL,"
    "  opened INTEGER NOT NULL DEFAULT 0, cited INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (n, doc)"
    ") WITHOUT ROWID;"
    "CREATE TABLE stats_daily ("
    "  day INTEGER NOT NULL, dim INTEGER NOT NULL, key TEXT NOT NULL,"
    "  tickets INTEGER NOT NULL DEFAULT 0, one_call INTEGER NOT NULL DEFAULT 0,"
    "  assisted INTEGER NOT NULL DEFAULT 0, reached INTEGER NOT NULL DEFAULT 0,"
    "  satisfied INTEGER NOT NULL DEFAULT 0, replied INTEGER NOT NULL DEFAULT 0,"
    "  on_time INTEGER NOT NULL DEFAULT 0, rework INTEGER NOT NULL DEFAULT 0,"
    "  reopen INTEGER NOT NULL DEFAULT 0, opened INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (dim, day, key)"
    ") WITHOUT ROWID;",
    /* 2: terms, places and queries of the analysis (analysis.h) */
    rx_analysis_schema,
    /* 3: calls per place and month, the usual share of a place (analysis.h) */
    rx_analysis_places_schema,
    /* 4: the day index covers place and category (analysis.h) */
    rx_analysis_cells_schema,
};

static const rx_schema schema = {"stats", steps, (int)(sizeof steps / sizeof steps[0]), NULL};

int rx_stats_exec(rx_stats *s, const char *sql)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats");
    return RX_OK;
}

static int load_cursors(rx_stats *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT feed, pos FROM stats_cursor", -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: cursor");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *feed = (const char *)sqlite3_column_text(st, 0);
        long long pos = sqlite3_column_int64(st, 1);
        if (!strcmp(feed, "events"))
            s->events = pos;
        else if (!strcmp(feed, "lookups"))
            s->lookups = pos;
    }
    sqlite3_finalize(st);
    return RX_OK;
}

int rx_stats_open(rx_stats **out, const char *path, rx_tickets *t)
{
    *out = NULL;
    rx_stats *s = calloc(1, sizeof *s);
    if (!s)
        return rx_error_set(RX_ENOMEM, "out of memory");
    s->t = t;
    int rc = rx_store_open(&s->db, path);
    if (rc == RX_OK)
        rc = rx_store_migrate(s->db, &schema);
    /* the rollups a query reads (a month of words and places) stay in
     * memory: a larger page cache, and the file mapped rather than read
     * page by page */
    if (rc == RX_OK)
        sqlite3_exec(s->db, "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824", NULL, NULL,
                     NULL);
    if (rc == RX_OK)
        rc = load_cursors(s);
    if (rc == RX_OK)
        rc = rx_analysis_open(s);
    if (rc != RX_OK) {
        rx_analysis_free(s);
        sqlite3_close(s->db);
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->mu, NULL);
    *out = s;
    return RX_OK;
}

void rx_stats_free(rx_stats *s)
{
    if (!s)
        return;
    rx_facts_drop(s);
    rx_analysis_free(s);
    free(s->facts);
    rx_strmap_free(&s->fmap);
    sqlite3_finalize(s->series_st);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int on_event(void *ctx, const rx_feed_event *e)
{
    int rc = rx_facts_event(ctx, e);
    return rc == RX_OK ? rx_analysis_event(ctx, e) : rc;
}

static int on_lookup(void *ctx, const rx_lookup_event *l)
{
    int rc = rx_facts_lookup(ctx, l);
    return rc == RX_OK ? rx_analysis_lookup(ctx, l) : rc;
}

static int save_cursor(rx_stats *s, const char *feed, long long pos)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "UPDATE stats_cursor SET pos = ?2 WHERE feed = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: cursor");
    sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, pos);
    int rc = sqlite3_step(st) == SQLITE_DONE ? RX_OK : rx_store_fail(s->db, "stats: cursor");
    sqlite3_finalize(st);
    return rc;
}

/* One batch: up to n events, then the lookups of the tickets seen, in one
 * transaction. *moved says how many of either were read. */
static int batch(rx_stats *s, int n, long long *moved)
{
    *moved = 0;
    long long ev = s->events, lk = s->lookups;
    int rc = rx_stats_exec(s, "BEGIN IMMEDIATE");
    if (rc != RX_OK)
        return rc;
    s->lookup_blocked = false;
    rc = rx_tickets_feed(s->t, s->events, n, on_event, s, &ev);
    if (rc == RX_OK) {
        rc = rx_tickets_lookup_feed(s->t, s->lookups, n, on_lookup, s, &lk);
        if (rc == RX_STATS_WAIT) /* a lookup of a ticket not seen yet: next batch */
            rc = RX_OK;
    }
    if (rc == RX_OK)
        rc = rx_facts_flush(s);
    if (rc == RX_OK)
        rc = rx_analysis_flush(s);
    if (rc == RX_OK && ev != s->events)
        rc = save_cursor(s, "events", ev);
    if (rc == RX_OK && lk != s->lookups)
        rc = save_cursor(s, "lookups", lk);
    if (rc == RX_OK)
        rc = rx_stats_exec(s, "COMMIT");
    if (rc != RX_OK) {
        rx_facts_drop(s);
        rx_analysis_drop(s);
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    *moved = (ev - s->events) + (lk - s->lookups);
    s->events = ev;
    s->lookups = lk;
    return RX_OK;
}

/* The lock is taken per batch: a long catch-up (a first start over a
 * year of tickets) lets queries and other syncs in between. */
int rx_stats_sync(rx_stats *s, long long max, long long *pending)
{
    int rc = RX_OK;
    long long done = 0, moved = 1;
    while (rc == RX_OK && moved > 0 && (max <= 0 || done < max)) {
        int n = max > 0 && max - done < BATCH ? (int)(max - done) : BATCH;
        pthread_mutex_lock(&s->mu);
        rc = batch(s, n, &moved);
        pthread_mutex_unlock(&s->mu);
        done += moved;
    }
    if (pending)
        *pending = rx_stats_pending(s);
    return rc;
}

long long rx_stats_pending(rx_stats *s)
{
    /* Both feeds: a search adds a lookup and no event, and a request that
     * saw only the events caught up would answer without it. */
    long long last = rx_tickets_last_event(s->t), last_lookup = rx_tickets_last_lookup(s->t);
    pthread_mutex_lock(&s->mu);
    long long at = s->events, at_lookup = s->lookups;
    pthread_mutex_unlock(&s->mu);
    return (last > at ? last - at : 0) + (last_lookup > at_lookup ? last_lookup - at_lookup : 0);
}

int rx_stats_rebuild(rx_stats *s)
{
    pthread_mutex_lock(&s->mu);
    int rc = rx_stats_exec(s, "BEGIN IMMEDIATE;"
                              "DELETE FROM stats_tickets; DELETE FROM stats_ticket_docs;"
                              "DELETE FROM stats_daily; UPDATE stats_cursor SET pos = 0;");
    if (rc == RX_OK)
        rc = rx_stats_exec(s, rx_analysis_clear_sql);
    if (rc == RX_OK)
        rc = rx_stats_exec(s, "COMMIT");
    rx_analysis_drop(s);
    if (rc == RX_OK)
        s->events = s->lookups = 0;
    else
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->mu);
    return rc == RX_OK ? rx_stats_sync(s, 0, NULL) : rc;
}

int rx_stats_by_parse(const char *name)
{
    static const char *const names[] = {"", "department", "category", "agent", "day", "document"};
    for (int k = 0; k < (int)(sizeof names / sizeof names[0]); k++)
        if (!strcmp(name, names[k]))
            return k;
    return -1;
}

/* ---- the resolution figures ---- */

static void add_rate(cJSON *o, const char *name, long long count, long long of)
{
    cJSON *r = cJSON_AddObjectToObject(o, name);
    cJSON_AddNumberToObject(r, "count", (double)count);
    cJSON_AddNumberToObject(r, "of", (double)of);
    if (of > 0)
        cJSON_AddNumberToObject(r, "rate", (double)count / (double)of);
    else
        cJSON_AddNullToObject(r, "rate");
}

/* The figures of one row of sums (the columns in C_ order). */
static void add_figures(cJSON *o, const long long c[NCOLS])
{
    cJSON_AddNumberToObject(o, "tickets", (double)c[C_TICKETS]);
    add_rate(o, "one_call", c[C_ONE_CALL], c[C_TICKETS]);
    add_rate(o, "assisted", c[C_ASSISTED], c[C_ONE_CALL]);
    add_rate(o, "satisfaction", c[C_SATISFIED], c[C_REACHED]);
    add_rate(o, "on_time", c[C_ON_TIME], c[C_REPLIED]);
    add_rate(o, "rework", c[C_REWORK], c[C_REPLIED]);
    add_rate(o, "reopen", c[C_REOPEN], c[C_REACHED]);
}

/* A document's row: the tickets it was opened or cited for, and of those
 * resolved in the call naming it. */
static void add_document(cJSON *o, const long long c[NCOLS])
{
    cJSON_AddNumberToObject(o, "tickets", (double)c[C_TICKETS]);
    cJSON_AddNumberToObject(o, "opened", (double)c[C_OPENED]);
    add_rate(o, "one_call", c[C_ONE_CALL], c[C_TICKETS]);
}

#define SUMS                                                                                       \
    "sum(tickets), sum(one_call), sum(assisted), sum(reached), sum(satisfied), sum(replied), "     \
    "sum(on_time), sum(rework), sum(reopen), sum(opened)"

static void read_sums(sqlite3_stmt *st, int first, long long c[NCOLS])
{
    for (int k = 0; k < NCOLS; k++)
        c[k] = sqlite3_column_int64(st, first + k);
}

int rx_stats_resolution(cJSON **out, rx_stats *s, long from, long to, rx_stats_by by)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    cJSON *o = cJSON_CreateObject();
    char day[11];
    rx_date_format(day, from);
    cJSON_AddStringToObject(o, "from", day);
    rx_date_format(day, to);
    cJSON_AddStringToObject(o, "to", day);
    int rc = RX_OK;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db, "SELECT " SUMS " FROM stats_daily WHERE dim = 0 AND day BETWEEN ?1 AND ?2", -1,
            &st, NULL) != SQLITE_OK) {
        rc = rx_store_fail(s->db, "stats: resolution");
    } else {
        sqlite3_bind_int64(st, 1, from);
        sqlite3_bind_int64(st, 2, to);
        long long c[NCOLS] = {0};
        if (sqlite3_step(st) == SQLITE_ROW)
            read_sums(st, 0, c);
        sqlite3_finalize(st);
        add_figures(o, c);
    }
    if (rc == RX_OK && by != RX_BY_NONE) {
        static const int dims[] = {[RX_BY_DEPARTMENT] = DIM_DEPARTMENT,
                                   [RX_BY_CATEGORY] = DIM_CATEGORY,
                                   [RX_BY_AGENT] = DIM_AGENT,
                                   [RX_BY_DAY] = DIM_ALL,
                                   [RX_BY_DOCUMENT] = DIM_DOCUMENT};
        const char *sql =
            by == RX_BY_DAY ? "SELECT day, " SUMS
                              " FROM stats_daily WHERE dim = 0 AND day BETWEEN ?1 AND ?2 "
                              "GROUP BY day ORDER BY day"
            : by == RX_BY_DOCUMENT
                ? "SELECT key, " SUMS " FROM stats_daily WHERE dim = ?3 AND day BETWEEN ?1 AND ?2 "
                  "GROUP BY key ORDER BY sum(one_call) DESC, sum(tickets) DESC, key"
                : "SELECT key, " SUMS " FROM stats_daily WHERE dim = ?3 AND day BETWEEN ?1 AND ?2 "
                  "GROUP BY key ORDER BY sum(tickets) DESC, key";
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
            rc = rx_store_fail(s->db, "stats: resolution");
        } else {
            sqlite3_bind_int64(st, 1, from);
            sqlite3_bind_int64(st, 2, to);
            if (by != RX_BY_DAY)
                sqlite3_bind_int(st, 3, dims[by]);
            cJSON *groups = cJSON_AddArrayToObject(o, "groups");
            while (sqlite3_step(st) == SQLITE_ROW) {
                cJSON *g = cJSON_CreateObject();
                if (by == RX_BY_DAY) {
                    rx_date_format(day, (long)sqlite3_column_int64(st, 0));
                    cJSON_AddStringToObject(g, "key", day);
                } else {
                    cJSON_AddStringToObject(g, "key", (const char *)sqlite3_column_text(st, 0));
                }
                long long c[NCOLS];
                read_sums(st, 1, c);
                if (by == RX_BY_DOCUMENT)
                    add_document(g, c);
                else
                    add_figures(g, c);
                cJSON_AddItemToArray(groups, g);
            }
            sqlite3_finalize(st);
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (rc != RX_OK) {
        cJSON_Delete(o);
        return rc;
    }
    *out = o;
    return RX_OK;
}
