/* The SQLite database (var/rexian.db): opening, pragmas and versioned schema
 * migrations. Users, tokens and tickets live here.
 * All SQL of a module stays in that module's store file. */
#ifndef REXIAN_STORE_H
#define REXIAN_STORE_H

#include <sqlite3.h>

/* Opens (creating it and its folder if needed) the database at path in WAL
 * mode with foreign keys on, and migrates the schema to the current
 * version. The connection is serialized (safe to share between threads).
 * *out belongs to the caller (sqlite3_close). */
int rx_store_open(sqlite3 **out, const char *path);

/* Registers the rx_bigram FTS5 tokenizer (src/tickets/fts.c) on db; every
 * connection that touches the ticket search table needs it. rx_store_open
 * does it. Returns SQLITE_OK or an SQLite error code. */
int rx_store_register_fts(sqlite3 *db);

/* Opens one more connection to a database with the same pragmas and the
 * tokenizer, without migrating (the ticket store's writer and readers). */
int rx_store_connect(sqlite3 **out, const char *path);

/* The schema version this build migrates to. */
int rx_store_schema_version(void);

#endif
