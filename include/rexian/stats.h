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

#include "rexian/synonyms.h"
#include "rexian/tickets.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rx_stats rx_stats;

/* Opens the statistics kept in the database at path (its own connection;
 * creates or migrates its tables), reading the log of tickets t. */
int rx_stats_open(rx_stats **out, const char *path, rx_tickets *t);
void rx_stats_free(rx_stats *s);

/* Catches up with the log: at most max events and lookups (0: all).
 * *pending (may be NULL) is what is left after. Thread-safe. */
int rx_stats_sync(rx_stats *s, long long max, long long *pending);

/* How many events and lookups of the log the statistics have not read
 * yet. */
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

/* ---- analysis (分析运用): hot words, early warning, policy effect, gaps ---- */

/* Folds the synonyms of syn (copied; NULL: none) in the terms of the
 * tickets read from now on (噪音 and 噪声 count as one). Set it before the
 * first sync; rx_stats_rebuild folds every ticket with it. */
int rx_stats_set_synonyms(rx_stats *s, const rx_synonyms *syn);

/* A term's daily counts and each day's tickets (its exposure), oldest
 * first. */
typedef struct {
    const long *count, *volume;
    size_t days;
} rx_series;

typedef struct {
    bool spike;
    double expected; /* the window's count the history expects (-1: no history) */
    double p;        /* the smaller p-value: the window's, or its worst day's × days */
    long peak;       /* the window's day (offset) that rose most, or -1 */
} rx_spike;

/* Whether a term's window rose above what its own history expects: the
 * rate over hist (the weeks before the window) times the window's
 * tickets, times the seasonal lift last year showed from its history to
 * its same window (ly_hist, ly_win: days 0 when unknown), tested with a
 * negative binomial upper bound on the window's total and on each day
 * (Bonferroni over the days). Spike when p < 0.001 and the peak counts at
 * least 3 tickets. */
void rx_stats_spike(rx_spike *out, const rx_series *hist, const rx_series *win,
                    const rx_series *ly_hist, const rx_series *ly_win);

/* P(X >= c) for X negative binomial with this mean and shape (variance
 * mean + mean^2 / shape), and for X Poisson. */
double rx_stats_spike_nb_upper(double c, double mean, double shape);
double rx_stats_spike_poisson_upper(double c, double mean);

/* 民生热词 for days from..to: {"from","to","tickets","terms":[{"term",
 * "count","previous","last_year","growth","spike","expected","p"}]},
 * the limit most frequent words and phrases (spike: rx_stats_spike). */
int rx_stats_hotwords(cJSON **out, rx_stats *s, long from, long to, int limit);

/* 未诉先办 for days from..to: {"from","to","warnings":[{"kind":"seasonal"|
 * "spike"|"cluster","what","where","count","expected","last_year","why",
 * "tickets":[ids]}]}, the most significant first. */
int rx_stats_warnings(cJSON **out, rx_stats *s, long from, long to);

/* A policy's topic: its key terms (folded like ticket text) and the day it
 * took effect; months before and after it are compared with the same
 * months a year earlier, up to today. */
typedef struct {
    const char *const *terms;
    size_t nterms;
    int min_terms; /* a ticket is on the topic when it names this many of them */
    long effective, today;
    int months;
} rx_policy_topic;

/* 政策效果: {"terms","effective","before":{"from","to","count","tickets"},
 * "after":…, "last_year_before":…, "last_year_after":…, "change",
 * "last_year_change", "did"} (counts on the topic, tickets received, the
 * ratios; did: the change over last year's change, minus 1). */
int rx_stats_policy(cJSON **out, rx_stats *s, const rx_policy_topic *topic);

/* The key terms of text (a document's title and tags), folded as ticket
 * text is; *out is a cJSON array of strings. */
int rx_stats_topic_terms(cJSON **out, rx_stats *s, const char *text);

/* 知识缺口 for days from..to: {"from","to","queries":[{"query","count",
 * "resolved_rate","best_hit","unconfident","tickets","variants"}]}: the
 * queries with no confident answer or whose tickets were not resolved in
 * the call, grouped by similar wording, most frequent first. */
int rx_stats_gaps(cJSON **out, rx_stats *s, long from, long to, int limit);

#endif
