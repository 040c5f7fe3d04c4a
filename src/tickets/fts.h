/* The rx_bigram FTS5 tokenizer of the ticket search table (fts.c). */
#ifndef REXIAN_SRC_TICKETS_FTS_H
#define REXIAN_SRC_TICKETS_FTS_H

#include <sqlite3.h>

/* Registers rx_bigram on db; every connection that touches ticket_fts
 * needs it. Returns SQLITE_OK or an SQLite error code. */
int rx_tickets_register_fts(sqlite3 *db);

#endif
