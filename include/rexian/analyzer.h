/* Turns text into index terms and a query into a weighted term plan.
 *
 * Term kinds (prefixes follow Xapian's convention of capital letters):
 *   (none)  Han character bigrams (unigram for a lone character) and
 *           lowercase ASCII/Latin words
 *   W       friso words          U  ICU words
 *   P       (query only) pinyin of a Han bigram ("Pbei an"); the index maps
 *           each pinyin key to the bigrams that sound like it, so a typo
 *           finds its homophones (rx_writer_add_homophone)
 *   G       a synonym group's concept term ("G" + the group's first term)
 *   T       a bigram or word of the title, in its own field: where a
 *           term is too common to run in the body (身份证 is in every list
 *           of materials), its title form stands in for it
 *   C       a single Han character (RX_AN_CHAR)
 * The same analyzer must be used to build an index and to query it; the
 * index records its flags and synonym groups (see search.h).
 */
#ifndef REXIAN_ANALYZER_H
#define REXIAN_ANALYZER_H

#include "rexian/related.h"
#include "rexian/strmap.h"
#include "rexian/synonyms.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    RX_AN_BIGRAM = 1 << 0,
    RX_AN_FRISO = 1 << 1,
    RX_AN_ICU = 1 << 2,
    RX_AN_PINYIN = 1 << 3,
    RX_AN_SYNONYM = 1 << 4,
    RX_AN_STOP = 1 << 5,  /* query only: down-weight function-word bigrams */
    RX_AN_TITLE = 1 << 6, /* a title field: "T" + bigram or word, the stand-in of a
                             common term the match leaves out */
    RX_AN_JOIN = 1 << 7,  /* query only: bigrams across a word boundary (friso words and
                             synonym terms) weigh less: 我妈在村里 asks for 村里, not 妈在 */
    RX_AN_CHAR = 1 << 8,  /* "C" + each Han character: abbreviations keep the characters
                             of the full form (社保 ↔ 社会保险), a low-weight backoff */
};

/* The configuration chosen by measurement (docs/RELEVANCE.md). */
#define RX_AN_DEFAULT                                                                              \
    (RX_AN_BIGRAM | RX_AN_PINYIN | RX_AN_SYNONYM | RX_AN_STOP | RX_AN_CHAR | RX_AN_TITLE)

typedef struct {
    unsigned flags;
    const rx_synonyms *synonyms; /* borrowed; may be NULL */
    const rx_related *related;   /* borrowed; may be NULL (queries only) */
} rx_analyzer;

/* Adds the title field terms ("T" + bigram or word) of text to bag. */
int rx_analyze_title(rx_strmap *bag, const rx_analyzer *an, const char *text, size_t len);

/* Adds the terms of text to bag (term → wdf), each occurrence counting
 * wdf_inc. Text need not be normalised. */
int rx_analyze_text(rx_strmap *bag, const rx_analyzer *an, const char *text, size_t len,
                    unsigned wdf_inc);

/* Adds the content terms of text to bag (term → occurrences): its bigrams and
 * synonym concepts less the function-word bigrams (怎么, 么子) and their
 * halves (么时 in 什么时候), which a query weighs down. */
int rx_analyze_content(rx_strmap *bag, const rx_analyzer *an, const char *text, size_t len);

/* Where a query term comes from; ranking and confidence treat them apart. */
typedef enum {
    RX_QT_BIGRAM,  /* a Han bigram (or lone character) or a Latin word of the query */
    RX_QT_STOP,    /* a function-word bigram (怎么, 哪里 …), down-weighted */
    RX_QT_CONCEPT, /* a synonym group or department the query names */
    RX_QT_PINYIN,  /* the sound of a query bigram, for typos */
    RX_QT_WORD,    /* a friso or ICU word */
    RX_QT_TITLE,   /* a title-field term */
    RX_QT_RELATED, /* a concept the query's situation words point to (related.txt) */
    RX_QT_CHAR,    /* a single character, the backoff for words spelt differently */
    RX_QT_SPELLED, /* two syllables typed in pinyin ("Ygong ji"): the bigrams read so */
} rx_qterm_kind;

typedef struct {
    char *term;
    double weight;
    rx_qterm_kind kind;
    bool wildcard; /* expand to every term starting with `term` */
    char *base;    /* "P" terms: the query bigram they are the sound of; "T" terms: the
                      term they stand in for (NULL for a wildcard's) */
} rx_qterm;

/* A query analysed into weighted terms, plus what to highlight. */
typedef struct {
    char *normalized; /* the normalised query text */
    rx_qterm *terms;
    size_t nterms;
    rx_strmap marks;      /* highlight keys: Han bigrams/unigrams, words, "P" pinyin pairs */
    unsigned char *first; /* bitmap of the BMP code points that start a non-"P" mark */
    bool any_pinyin;      /* some mark is a "P" pinyin pair */
} rx_query_plan;

/* Analyses a query. An empty plan (nterms 0) means nothing searchable. */
int rx_plan_query(rx_query_plan **out, const rx_analyzer *an, const char *q, size_t len);
void rx_query_plan_free(rx_query_plan *p);

/* Formats the pinyin key of two Han characters ("Pbei an") into out;
 * returns false if either has no pinyin. */
bool rx_pinyin_pair(char *out, size_t cap, uint32_t a, uint32_t b);

#endif
