/* One-way associations (corpus/related.txt): the words callers use for a
 * situation, and the words documents use for the concept behind it
 * ("砸墙 电钻声 => 装修"). Query-time only: a query that says a trigger also
 * asks, at a lower weight, for the concept, so 楼上天天砸墙 finds the rules
 * on renovation hours although it never says 装修.
 *
 * Syntax: one association per line, `trigger trigger => target target`,
 * terms separated like synonym terms (spaces, commas), `#` starts a comment.
 */
#ifndef REXIAN_RELATED_H
#define REXIAN_RELATED_H

#include "rexian/synonyms.h"

#include <stddef.h>

typedef struct rx_related rx_related;

/* Parses the list; a line without `=>`, or with an empty side, is reported
 * through diag and skipped. Text may be NULL/0. *out belongs to the caller. */
int rx_related_parse(rx_related **out, const char *text, size_t len, rx_diag_fn diag, void *ctx);
void rx_related_free(rx_related *r);
size_t rx_related_count(const rx_related *r);

/* Canonical text ("a b => c d\n" per line), stored beside an index. Caller
 * frees. */
char *rx_related_serialize(const rx_related *r);

/* Called once per target term of each trigger found; target is
 * NUL-terminated and borrowed. */
typedef void (*rx_related_fn)(void *ctx, const char *target);

/* Scans normalised text for triggers, leftmost-longest, non-overlapping. */
void rx_related_scan(const rx_related *r, const char *text, size_t len, rx_related_fn fn,
                     void *ctx);

#endif
