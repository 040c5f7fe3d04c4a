/* The knowledge-base index: the C API of the Xapian shim (src/search/shim.cc).
 *
 * No C++ exception crosses this boundary: every function returns an RX_*
 * status and leaves a message in rx_error_last().
 *
 * A writer owns one Xapian database directory. A reader (rx_index) is for
 * ONE thread: open one per thread. Its path may be an index directory laid
 * out by `rexian index` (DIR/current is a stub naming the live generation),
 * a Xapian stub file (local, remote or replica databases) or a database
 * directory.
 */
#ifndef REXIAN_SEARCH_H
#define REXIAN_SEARCH_H

#include "rexian/analyzer.h"
#include "rexian/strmap.h"

#include <stdbool.h>
#include <stddef.h>

/* Value slots and boolean term prefixes of every document. */
enum {
    RX_SLOT_EFFECTIVE = 0,
    RX_SLOT_EXPIRES = 1,
    RX_SLOT_DEPARTMENT = 2,
    RX_SLOT_TYPE = 3,
    RX_SLOT_HEAD = 4
};
/* Documents without an expiry date have no RX_SLOT_EXPIRES value.
 * RX_SLOT_HEAD holds the first head_len bytes of the stored data (what ranking
 * reads of every match), so that a search reads the whole record, which
 * Xapian keeps compressed, only for the matches it shows. */

typedef struct rx_writer rx_writer;

/* Opens (creating if needed) the database in dir for writing. */
int rx_writer_open(rx_writer **out, const char *dir);
/* Adds a document (the caller deletes any old version by id first): its boolean terms and values
 * come from the fields; terms (term → wdf) from the analyzer; data is the stored record returned to
 * readers, and its first head_len bytes (0: none) its head (RX_SLOT_HEAD). */
int rx_writer_put(rx_writer *w, const char *id, const char *department, const char *type,
                  const char *effective, const char *expires, const rx_strmap *terms,
                  const char *data, size_t data_len, size_t head_len);
int rx_writer_delete(rx_writer *w, const char *id);
/* Records that term sounds like key (a "P" pinyin pair): query terms "P…"
 * expand to every term recorded under them, which is how homophone typos
 * (备按 → 备案) find their documents without a pinyin posting per bigram. */
int rx_writer_add_homophone(rx_writer *w, const char *key, const char *term);
int rx_writer_set_meta(rx_writer *w, const char *key, const char *value);
/* The same for a value of len bytes (may hold NULs). */
int rx_writer_set_meta_n(rx_writer *w, const char *key, const char *value, size_t len);
/* Receives one metadata key and its value. */
typedef void (*rx_meta_fn)(void *ctx, const char *key, const char *value, size_t vlen);
int rx_writer_commit(rx_writer *w);
size_t rx_writer_doccount(rx_writer *w);
/* Commits and closes; NULL-safe. Returns the commit's status. */
int rx_writer_close(rx_writer *w);
/* Writes the n databases of srcs, merged and compacted, to dst (a new
 * directory): one database with full blocks, smaller and faster to search.
 * Metadata keys present in several sources keep the first source's value;
 * synonym lists are merged. */
int rx_index_compact(const char *const *srcs, size_t n, const char *dst);

typedef struct rx_index rx_index;

int rx_index_open(rx_index **out, const char *path);
/* Picks up a newly published generation or new commits. *changed (may be
 * NULL) tells whether anything changed. On failure the old view stays. */
int rx_index_refresh(rx_index *ix, bool *changed);
void rx_index_free(rx_index *ix);
size_t rx_index_doccount(rx_index *ix);
/* Metadata value for key ("" if unset); caller frees. */
int rx_index_meta(rx_index *ix, const char *key, char **out);
/* The same with the value's length (it may hold NULs). */
int rx_index_meta_n(rx_index *ix, const char *key, char **out, size_t *len);
/* Every metadata key starting with prefix, with its value. */
int rx_index_each_meta(rx_index *ix, const char *prefix, rx_meta_fn fn, void *ctx);
/* Stored record of the document with this id (caller frees), or
 * RX_ENOTFOUND. */
int rx_index_get(rx_index *ix, const char *id, char **data, size_t *len);

/* The weighting scheme a search ranks with. BM25 ships; the others are
 * Xapian's, measured against it (docs/RELEVANCE.md). */
typedef enum {
    RX_WEIGHT_BM25 = 0,
    RX_WEIGHT_LM,  /* query likelihood, Dirichlet smoothing (weight_param: mu) */
    RX_WEIGHT_DPH, /* divergence from randomness, parameter-free */
    RX_WEIGHT_PL2, /* divergence from randomness, Poisson */
    RX_WEIGHT_INL2 /* divergence from randomness, inverse document frequency */
} rx_weighting;

typedef struct {
    rx_weighting weighting;
    double weight_param;     /* the scheme's parameter (LM: mu; 0: its default) */
    double k1, b;            /* BM25 parameters (0: defaults 1.2 and 0.3: weak length
                                normalisation, since one-line FAQs sit beside
                                5,000-character policies) */
    const char *department;  /* canonical name filter, or NULL */
    const char *type;        /* type filter, or NULL */
    const char *in_force_on; /* YYYY-MM-DD: leave out documents not yet effective
                                then; NULL = no effective-date filter */
    const char *expired_by;  /* YYYY-MM-DD: leave out documents whose expires
                                (their last day in force) is on or before it;
                                NULL = keep expired documents */
    size_t offset, limit;
    size_t facet_sample;  /* documents to examine at least, for facets */
    size_t explain;       /* for this many best matches, tell which plan terms each contains */
    size_t max_terms;     /* run at most this many terms, those of highest possible weight
                             (Xapian's OP_ELITE_SET); 0: all */
    size_t char_postings; /* the query's character terms walk at most this many
                             postings together, the rarest first (0: 10,000) */
} rx_search_opts;

typedef struct {
    char *data; /* the stored data, or only its head until rx_index_fetch */
    size_t len;
    double score;
    bool whole;     /* data is all of the stored data */
    unsigned docid; /* for rx_index_fetch */
} rx_match;

typedef struct {
    char *value;
    size_t count;
} rx_facet;

typedef struct {
    size_t total; /* estimated number of matches */
    rx_match *matches;
    size_t n;
    rx_facet *departments, *types;
    size_t ndepartments, ntypes;
    /* What ranking and confidence read about the query's terms: */
    double doccount;        /* documents in the index */
    double max_possible;    /* the highest score any document could reach from the query's
                               own terms (a common term's title stand-in left out) */
    size_t nterms;          /* = the plan's nterms */
    double *term_freq;      /* per plan term: documents containing it (a pinyin term: its most
                               common homophone's; 0 for a term the query did not use) */
    bool *used;             /* per plan term: whether the query ran it (common terms and
                               unlikely typos are left out) */
    unsigned char *matched; /* n × nterms: 1 where match k contains plan term t (a pinyin
                               term: one of its homophones), for the explained matches */
    bool *explained;        /* per match: its row of matched is filled (the first `explain`
                               by the search, others by rx_index_explain) */
    struct rx_explainer *explainer; /* what rx_index_explain needs of the query */
    unsigned long epoch;            /* the index's view the matches come from */
} rx_results;

/* Runs the weighted-OR query of a plan. *out belongs to the caller. */
int rx_index_search(rx_results **out, rx_index *ix, const rx_query_plan *plan,
                    const rx_search_opts *opts);
void rx_results_free(rx_results *r);
/* Makes match k of r whole (reads all of its stored data). RX_ECONFLICT if
 * the index has moved to another view since the search, so that the match's
 * document id may name another document: look it up by its id then. */
int rx_index_fetch(rx_index *ix, rx_results *r, size_t k);
/* Fills match k's row of r->matched, if the search did not (RX_ECONFLICT
 * as rx_index_fetch). */
int rx_index_explain(rx_index *ix, rx_results *r, size_t k);

/* The naive baseline that relevance and speed are measured against: Xapian's
 * own TermGenerator with FLAG_CJK_NGRAM (titles weighted), queried with an
 * OR of every character bigram of the query under BM25. Builds a fresh
 * database in dir from n documents. */
int rx_naive_build(const char *dir, const char *const *ids, const char *const *titles,
                   const char *const *bodies, size_t n, unsigned title_weight);
/* Top ids (caller frees each and the array) for query, best first. */
int rx_naive_search(char ***out, size_t *n, const char *dir, const char *query, size_t limit);
/* Frees an id array from rx_naive_search. */
void rx_ids_free(char **ids, size_t n);

#endif
