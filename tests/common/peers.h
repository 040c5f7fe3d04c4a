/* The peer engines rexian is measured against, shared by make eval and the
 * benchmarks: SQLite FTS5 with the trigram tokenizer (bm25, titles weighted,
 * the query's character trigrams OR'd). The naive Xapian peer lives in the
 * shim (rx_naive_build / rx_naive_search). */
#ifndef REXIAN_TESTS_PEERS_H
#define REXIAN_TESTS_PEERS_H

#include "rexian/corpus.h"

#include <sqlite3.h>
#include <stddef.h>

/* Builds (or, if path exists and is non-empty, opens) an FTS5 trigram index
 * of docs at path (":memory:" allowed). */
sqlite3 *fts_peer_open(const char *path, const rx_doc *docs, size_t n);
/* Top ids (at most max, caller frees each) for query q. */
size_t fts_peer_search(char **got, size_t max, sqlite3 *db, const char *q);

#endif
