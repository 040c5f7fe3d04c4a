/* The SQLite database (var/rexian.db): opening, pragmas and versioned schema
 * migrations. Users, tokens and tickets live here.
 * All SQL of a module, its schema too, stays in that module. */
#ifndef REXIAN_STORE_H
#define REXIAN_STORE_H

#include <sqlite3.h>

/* Opens (creating it and its folder if needed, 0600) the database at path
 * in WAL mode with foreign keys on and a busy timeout. The connection is
 * serialized (safe to share between threads). No table is created here:
 * each module migrates its own (rx_store_migrate). *out belongs to the
 * caller (sqlite3_close). */
int rx_store_open(sqlite3 **out, const char *path);

/* The error a failed statement on db leaves: RX_EBUSY ("database_busy",
 * try again) when another connection or process holds the lock past the
 * busy timeout, else RX_EIO naming what failed and SQLite's message (for the
 * operator's log). Returns the code. */
int rx_store_fail(sqlite3 *db, const char *what);

/* A module's tables: its migrations, each moving them one version up
 * (never edit a shipped one), and, for databases made before versions were
 * kept per module, legacy(PRAGMA user_version) → the module's version. */
typedef struct {
    const char *module;
    const char *const *steps;
    int nsteps;
    int (*legacy)(int user_version);
} rx_schema;

/* Brings s's tables up to date, each step in its own transaction.
 * RX_EINVALID if the database holds a newer version than this build. */
int rx_store_migrate(sqlite3 *db, const rx_schema *s);

#endif
