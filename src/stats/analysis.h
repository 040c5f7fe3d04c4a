/* The analysis part of statistics (分析运用: 民生热词, 未诉先办, 政策效果,
 * 知识缺口): what it keeps from the feeds and the tests it runs. The
 * tables are stats.c's step 2:
 *
 *   stats_terms          term id → the term (a phrase candidate: a, b its words)
 *   stats_term_daily     tickets received per day naming each term (term 0: all
 *                        tickets of the day, the volume every rate is taken of)
 *   stats_term_tickets   which tickets name a word (the postings of a topic)
 *   stats_ticket_text    each ticket's day, public id, area, place and key words
 *   stats_queries        each normalised query the call-takers typed
 *   stats_query_tickets  per day, query and ticket: searches, how many were not
 *                        confident, the first hit of the last one
 *   stats_place_months   tickets per place and month (step 3)
 */
#ifndef REXIAN_STATS_ANALYSIS_H
#define REXIAN_STATS_ANALYSIS_H

#include "internal.h"

#include <stdbool.h>

/* The schema step of the analysis tables. */
extern const char rx_analysis_schema[];
/* Step 3: calls per place and month (stats_place_months; month is
 * year × 12 + month − 1, rx_analysis_month). */
extern const char rx_analysis_places_schema[];
/* Step 4: the window's tickets by day, place and category read from the
 * index alone (the clusters of 未诉先办). */
extern const char rx_analysis_cells_schema[];
long rx_analysis_month(long day);
/* Empties them (inside the caller's transaction). */
extern const char rx_analysis_clear_sql[];

int rx_analysis_open(rx_stats *s);
void rx_analysis_free(rx_stats *s);
/* A 'create' event adds its ticket's terms; other events are ignored. */
int rx_analysis_event(rx_stats *s, const rx_feed_event *e);
/* A search adds its query to the knowledge-gap rollup. */
int rx_analysis_lookup(rx_stats *s, const rx_lookup_event *l);
/* Writes the batch's term counts. */
int rx_analysis_flush(rx_stats *s);
/* Forgets the batch and the cached ids (after a rollback). */
void rx_analysis_drop(rx_stats *s);

/* The synonyms folded (NULL: none); borrowed, under s->mu. */
const rx_synonyms *rx_analysis_synonyms(rx_stats *s);
/* A query as stored (*text: normalised, white space collapsed) and its
 * grouping key (*key: its terms, synonyms folded; the text when it has
 * none). Both the caller's. */
int rx_analysis_query_key(char **text, char **key, const rx_synonyms *syn, const char *query);

#endif
