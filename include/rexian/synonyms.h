/* Synonym groups (corpus/synonyms.txt, and department aliases) and the
 * leftmost-longest matcher that finds their terms in normalised text.
 *
 * A group is identified by its first (canonical) term. Matching is the same
 * at index and at query time, so a document containing any term of a group
 * carries the group's concept term and a query naming any other term of it
 * finds that document.
 */
#ifndef REXIAN_SYNONYMS_H
#define REXIAN_SYNONYMS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct rx_synonyms rx_synonyms;

/* Receives one problem with the input: 1-based line and a reason. */
typedef void (*rx_diag_fn)(void *ctx, size_t line, const char *reason);

/* Parses groups, one per line, terms separated by spaces, tabs, ASCII or
 * full-width commas, `#` starting a comment. Terms are normalised. A line
 * with fewer than two distinct terms is reported through diag and skipped.
 * Text may be NULL/0 for an empty set. *out belongs to the caller. */
int rx_synonyms_parse(rx_synonyms **out, const char *text, size_t len, rx_diag_fn diag, void *ctx);
/* Adds the groups of another text (same syntax) to an existing set. */
int rx_synonyms_add(rx_synonyms *s, const char *text, size_t len, rx_diag_fn diag, void *ctx);
/* Adds the group of one line (no comment handling) with at least min_terms
 * distinct terms; *out receives its number, or SIZE_MAX when the line holds
 * fewer terms (reported through diag when it holds some). */
int rx_synonyms_add_group(rx_synonyms *s, size_t *out, const char *line, size_t len,
                          size_t min_terms, size_t lineno, rx_diag_fn diag, void *ctx);
void rx_synonyms_free(rx_synonyms *s);

size_t rx_synonyms_count(const rx_synonyms *s);
/* Whether t[0..len) (normalised) is a term of some group. */
bool rx_synonyms_is_term(const rx_synonyms *s, const char *t, size_t len);
/* The terms of group g; *n receives their number. Borrowed. */
const char *const *rx_synonyms_group(const rx_synonyms *s, size_t g, size_t *n);

/* Canonical text of every group ("a b c\n" per line), for storing beside an
 * index so that readers use exactly the groups it was built with. Caller
 * frees. */
char *rx_synonyms_serialize(const rx_synonyms *s);

/* Called for each group a match belongs to; start/len locate the match in
 * the scanned text (bytes). */
typedef void (*rx_syn_match_fn)(void *ctx, size_t group, size_t start, size_t len);

/* Scans normalised text for group terms, leftmost-longest, non-overlapping.
 * ASCII terms match only at word boundaries. */
void rx_synonyms_scan(const rx_synonyms *s, const char *text, size_t len, rx_syn_match_fn fn,
                      void *ctx);

/* Called for each term a run of spelt syllables sounds like: its group
 * and text, and the run (syllable positions). */
typedef void (*rx_syn_spelt_fn)(void *ctx, size_t group, const char *term, size_t start,
                                size_t len);

/* A query typed in pinyin (syllables syl[0..n), as rx_pinyin_split gives
 * them): finds the all-Han terms of at least two characters whose sound
 * the syllables spell, leftmost-longest and non-overlapping, every term of
 * that sound reported (房本 for fang ben). */
void rx_synonyms_spelt(const rx_synonyms *s, const char (*syl)[8], size_t n, rx_syn_spelt_fn fn,
                       void *ctx);

/* Han text (the table reading of each of its n characters, py[i]): every
 * all-Han term of at least min characters that sounds like characters
 * i..i+len of it, for every i and len, overlapping (the misheard terms of
 * a long question: 身分证 sounds like 身份证). */
void rx_synonyms_sounding(const rx_synonyms *s, const char *const *py, size_t n, size_t min,
                          rx_syn_spelt_fn fn, void *ctx);

#endif
