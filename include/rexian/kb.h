/* The knowledge base as call-takers see it: a query string in, ranked hits
 * with snippets and facets out, as the JSON objects of the HTTP API.
 *
 * An rx_kb is for ONE thread (it owns a Xapian reader); open one per thread.
 * It loads the analyzer configuration, synonym groups and departments that
 * the index was built with, and follows newly published generations.
 */
#ifndef REXIAN_KB_H
#define REXIAN_KB_H

#include "rexian/analyzer.h"
#include "rexian/corpus.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rx_kb rx_kb;

int rx_kb_open(rx_kb **out, const char *index_path);
void rx_kb_free(rx_kb *kb);
/* Follows a newly published index; cheap when nothing changed. */
int rx_kb_refresh(rx_kb *kb);
size_t rx_kb_doccount(rx_kb *kb);
/* Generation number of the open index (0 if unknown). */
long rx_kb_generation(rx_kb *kb);

/* Ranking knobs, for the relevance study (tests/eval); NULL in rx_kb_query
 * means the shipped values (docs/RELEVANCE.md). */
typedef struct {
    double concept_weight; /* query weight of a concept the query names (bigram = 1) */
    double anchor_boost;   /* rerank: × (1 + anchor_boost × share of the named concepts) */
    double coord;          /* rerank: × (1 + coord × share of the query's weighted terms) */
    double related_weight; /* < 0: leave related.txt out of the query */
    size_t max_terms;      /* a long query runs only its most telling terms (0: all) */
    int weighting;         /* rx_weighting (search.h); 0: BM25 */
    double weight_param;   /* the scheme's parameter (0: its default) */
    size_t char_postings;  /* postings the character terms may walk (0: the shipped bound) */
    double faq_narrow; /* rerank: an FAQ row × e^(−faq_narrow × (1 − the share of the query's
                          content bigrams its question holds)) */
} rx_rank_params;

typedef struct {
    const char *q;
    const char *department; /* name or alias, or NULL */
    const char *type;       /* policy|guide|notice|faq, or NULL */
    size_t limit;           /* 0 → 10 */
    size_t offset;
    bool expired;               /* include expired documents */
    const char *as_of;          /* YYYY-MM-DD: rules in force on that date */
    const char *today;          /* YYYY-MM-DD override of today's date, or NULL */
    unsigned analyzer;          /* 0 → the index's own configuration */
    double k1, b;               /* BM25 (0 → defaults) */
    const rx_rank_params *rank; /* NULL → shipped values */
    bool signals;               /* add "signals": what the confidence rests on */
    bool rank_features;         /* each hit of the best 20 also carries "rank": what re-ranking
                                   read of it (the study of tests/relevance/rerank_fit.py) */
} rx_kb_query;

/* Runs a search; *out is {"query","total","took_ms","confident","confidence",
 * "hits":[...],"facets":{"department":{},"type":{}}}. `confident` is true when
 * the first hit very likely answers the query (`confidence`, 0–1, is the
 * calibrated estimate behind it). Bad parameters → RX_EINVALID with a
 * message naming the parameter. */
int rx_kb_search(cJSON **out, rx_kb *kb, const rx_kb_query *q);

/* Canonical name of a department name or alias known to the index (any
 * name when the index has no list), or NULL with RX_EVALUE
 * "unknown_department" recorded. Borrowed, valid until the next refresh. */
const char *rx_kb_department(rx_kb *kb, const char *name);

/* The document with this id: {"id","title","department","type","tags",
 * "effective","expires","body"}, or RX_ENOTFOUND. */
int rx_kb_get(cJSON **out, rx_kb *kb, const char *id);

/* Metadata keys written by the indexer. */
#define RX_META_FORMAT "rx:format"
#define RX_META_ANALYZER "rx:analyzer"
#define RX_META_SYNONYMS "rx:synonyms"
#define RX_META_RELATED "rx:related"
#define RX_META_DEPARTMENTS "rx:departments"
#define RX_META_DUTIES "rx:duties"
#define RX_META_GENERATION "rx:generation"
#define RX_META_CONFIG "rx:config"
#define RX_META_FILE_PREFIX "rx:file:"
#define RX_META_BODY_PREFIX "rx:body:"

/* The departments of the open index (refreshed with it), or NULL when the
 * index has none. Valid until the next rx_kb_refresh on this handle. */
const rx_departments *rx_kb_departments(rx_kb *kb);

/* The duties (职责清单) stored with the open index; never NULL (empty when
 * the corpus had no duties.txt). Valid until the next rx_kb_refresh. */
const rx_duties *rx_kb_duties(rx_kb *kb);

/* The synonym groups the open index was built with (synonyms.txt and the
 * other lists merged by the indexer); never NULL. Valid until the next
 * rx_kb_refresh on this handle. */
const rx_synonyms *rx_kb_synonyms(rx_kb *kb);

/* The analyzer the index was built with (its synonyms borrowed from kb,
 * valid until the next rx_kb_refresh): for text that must be analysed the
 * way the index is. */
rx_analyzer rx_kb_analyzer(rx_kb *kb);

#endif
