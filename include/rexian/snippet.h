/* Query-biased snippets with <mark> highlighting. */
#ifndef REXIAN_SNIPPET_H
#define REXIAN_SNIPPET_H

#include "rexian/analyzer.h"
#include "rexian/util.h"

/* Appends to out the width-character window of text that best matches the
 * plan: plain text, HTML-escaped, matches in <mark>…</mark>, "…" where cut. */
int rx_snippet(rx_buf *out, const char *text, size_t len, const rx_query_plan *plan, size_t width);

#endif
