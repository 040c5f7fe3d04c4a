/* 分析运用: statistics over the ticket log, kept current as events arrive.
 *
 * The stats module reads the ticket store's feeds (every event, every
 * lookup) and keeps its own rollups in the same database, each batch in
 * one transaction with the position it reached: a crash loses nothing and
 * a restart goes on from there. Every figure can be derived again from
 * the event log (rx_stats_rebuild). Dates are Asia/Shanghai day numbers
 * (rx_date_parse), ranges inclusive. */
#ifndef REXIAN_STATS_H
#define REXIAN_STATS_H

#include "rexian/tickets.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>

typedef struct rx_stats rx_stats;

/* Opens the statistics kept in the database at path (its own connection;
 * creates or migrates its tables), reading the log of tickets t. */
int rx_stats_open(rx_stats **out, const char *path, rx_tickets *t);
void rx_stats_free(rx_stats *s);

/* Catches up with the log: at most max events and lookups (0: all).
 * *pending (may be NULL) is what is left after. Thread-safe. */
int rx_stats_sync(rx_stats *s, long long max, long long *pending);

/* How many events of the log the statistics have not read yet. */
long long rx_stats_pending(rx_stats *s);

/* Forgets every rollup and derives them again from the log (a check that
 * the figures can be re-derived, and a repair). */
int rx_stats_rebuild(rx_stats *s);

typedef enum {
    RX_BY_NONE,
    RX_BY_DEPARTMENT,
    RX_BY_CATEGORY,
    RX_BY_AGENT,
    RX_BY_DAY,
    RX_BY_DOCUMENT,
} rx_stats_by;

/* Parses a by= value ("department", ...); -1 if unknown. */
int rx_stats_by_parse(const char *name);

/* One-call resolution and more for the tickets received from day from to
 * day to (inclusive), as DESIGN.md gives it:
 * {"from","to","tickets","one_call","assisted","satisfaction","on_time",
 *  "rework","reopen"[, "groups"]}, each rate {"count","of","rate"}. */
int rx_stats_resolution(cJSON **out, rx_stats *s, long from, long to, rx_stats_by by);

#endif
