/* The terms of hotline text for statistics (民生热词, knowledge gaps): the
 * words a ticket or a query is about, with the hotline's small talk
 * (来电人反映, 希望尽快处理, 怎么办…) left out and synonyms folded to one
 * term (噪音 and 噪声 count as one).
 *
 * Text is normalised (rx_text_normalize); synonym terms of two characters
 * or more are found first (leftmost-longest, rx_synonyms_scan) and stand
 * for their group's first term; the rest is split into words by friso.
 * Words of one character, numbers and stopwords are dropped. Thread-safe.
 */
#ifndef REXIAN_TERMS_H
#define REXIAN_TERMS_H

#include "rexian/synonyms.h"

#include <stdbool.h>
#include <stddef.h>

/* One term of a text, in order. joined: the term follows the previous one
 * directly in the text (no dropped word or punctuation between): the pair
 * is a candidate phrase. term is NUL-terminated. */
typedef struct {
    char *term;
    bool joined;
} rx_term;

typedef struct {
    rx_term *v;
    size_t n, cap;
} rx_term_list;

/* Appends the terms of text[0..len) to out. syn (borrowed, may be NULL)
 * folds synonyms. RX_OK, or an error when the segmenter cannot load. */
int rx_terms_extract(rx_term_list *out, const rx_synonyms *syn, const char *text, size_t len);

/* Frees the terms (the list may be reused after). NULL-safe. */
void rx_term_list_clear(rx_term_list *l);

/* True for a word the hotline says about everything (反映, 处理, 一下…);
 * word is normalised, len in bytes. */
bool rx_terms_stopword(const char *word, size_t len);

#endif
