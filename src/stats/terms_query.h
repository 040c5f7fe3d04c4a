/* What the analysis queries share (hotwords.c, warnings.c): a window of
 * days with its history and last year's, the term counts of a window, and
 * one term's figures over it. Called under s->mu. */
#ifndef REXIAN_STATS_TERMS_QUERY_H
#define REXIAN_STATS_TERMS_QUERY_H

#include "analysis.h"

typedef struct {
    long from, to, len;
    long hist_from, hist_len; /* the days before from that say what is usual */
    long ly_from, ly_to;      /* the same days a year earlier */
    long ly_hist_from;        /* ... and their history */
    long *vol, *ly_vol;       /* tickets per day from hist_from (ly_hist_from) to to (ly_to) */
    long tickets, ly_tickets; /* received in the window, and a year earlier */
    bool ly_covered;          /* the log reaches back over last year's days */
} rx_window;

typedef struct {
    long long id, a, b; /* a, b: a pair's words */
    long count, count_a, count_b;
    bool phrase, dropped;
    bool general; /* said of every matter alike: not a topic (mark_general) */
    char term[128];
} rx_term_count;

typedef struct {
    long count, previous, previous_days, last_year;
    rx_spike spike;
} rx_term_figures_t;

/* The same calendar day a year earlier (28 February for the 29th). */
long rx_day_last_year(long day);
int rx_window_init(rx_window *w, long from, long to);
int rx_window_volumes(rx_stats *s, rx_window *w);
void rx_window_free(rx_window *w);
int rx_term_series(rx_stats *s, long long term, long a, long b, long *v);
/* The keep most frequent terms of the window (named at least twice). */
int rx_window_terms(rx_stats *s, const rx_window *w, size_t keep, rx_term_count **out,
                    size_t *nout);
void rx_window_phrases(rx_term_count *v, size_t n, long tickets);
int rx_term_figures(rx_stats *s, const rx_window *w, long long term, rx_term_figures_t *out);

#endif
