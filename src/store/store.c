/* SQLite database: open with the right pragmas, migrate the schema. */
#include "rexian/store.h"
#include "rexian/error.h"
#include "rexian/util.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Each entry moves the schema one version up; never edit a shipped one. */
static const char *const migrations[] = {
    /* 1: users and tokens */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK (role IN ('agent','supervisor','trainer','admin')),"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
    ");",
};

int rx_store_schema_version(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

static int mkdir_parent(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    return rx_mkdir_p(dirname(tmp));
}

int rx_store_open(sqlite3 **out, const char *path)
{
    *out = NULL;
    if (strcmp(path, ":memory:") != 0 && mkdir_parent(path) != 0)
        return rx_error_set(RX_EIO, "cannot create the folder of %s: %s", path, strerror(errno));
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        int rc = rx_error_set(RX_EIO, "cannot open database %s: %s", path,
                              db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 5000);
    char *err = NULL;
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "PRAGMA foreign_keys=ON;",
                     NULL, NULL, &err) != SQLITE_OK)
        goto fail;
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version > rx_store_schema_version()) {
        int rc = rx_error_set(RX_EINVALID,
                              "database %s has schema version %d, newer than this rexian (%d)",
                              path, version, rx_store_schema_version());
        sqlite3_close(db);
        return rc;
    }
    for (int v = version; v < rx_store_schema_version(); v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK)
            goto fail;
        if (sqlite3_exec(db, migrations[v], NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(db, pragma, NULL, NULL, &err) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            goto fail;
        }
    }
    *out = db;
    return RX_OK;
fail:;
    int rc = rx_error_set(RX_EIO, "database %s: %s", path, err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}
