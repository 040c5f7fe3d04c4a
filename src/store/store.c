/* SQLite database: open with the right pragmas and private modes; each
 * module migrates its own tables through rx_store_migrate. */
#include "rexian/store.h"
#include "rexian/error.h"
#include "rexian/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a statement waits for a lock another connection or process
 * holds before SQLite gives up with SQLITE_BUSY (which rx_store_fail
 * reports as RX_EBUSY, "database_busy": try again). */
#define BUSY_TIMEOUT_MS 5000

/* Each module owns its tables and their migrations (src/auth/users.c,
 * src/tickets/store.c) and brings them up to date with rx_store_migrate;
 * the versions are kept per module in schema_versions. Databases made
 * before that kept one number for all (PRAGMA user_version 1: users;
 * 2: users and tickets), which each module's legacy() reads. */
static int schema_fail(sqlite3 *db, const char *module, char *err)
{
    int rc =
        rx_error_set(RX_EIO, "database schema (%s): %s", module, err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    return rc;
}

static int module_version(sqlite3 *db, const rx_schema *s, int *out)
{
    *out = 0;
    char *err = NULL;
    if (sqlite3_exec(db,
                     "CREATE TABLE IF NOT EXISTS schema_versions ("
                     "  module TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID",
                     NULL, NULL, &err) != SQLITE_OK)
        return schema_fail(db, s->module, err);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT version FROM schema_versions WHERE module = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return schema_fail(db, s->module, NULL);
    sqlite3_bind_text(st, 1, s->module, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (found || !s->legacy)
        return RX_OK;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return schema_fail(db, s->module, NULL);
    int uv = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    *out = uv > 0 ? s->legacy(uv) : 0;
    return RX_OK;
}

int rx_store_migrate(sqlite3 *db, const rx_schema *s)
{
    int version;
    int rc = module_version(db, s, &version);
    if (rc != RX_OK)
        return rc;
    if (version > s->nsteps)
        return rx_error_set(RX_EINVALID,
                            "the database's %s tables have schema version %d, newer than this "
                            "rexian (%d)",
                            s->module, version, s->nsteps);
    for (int v = version; v < s->nsteps; v++) {
        char *err = NULL;
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK)
            return schema_fail(db, s->module, err);
        sqlite3_stmt *st = NULL;
        int ok = sqlite3_exec(db, s->steps[v], NULL, NULL, &err) == SQLITE_OK &&
                 sqlite3_prepare_v2(db,
                                    "INSERT INTO schema_versions(module, version) VALUES(?, ?) "
                                    "ON CONFLICT(module) DO UPDATE SET version = excluded.version",
                                    -1, &st, NULL) == SQLITE_OK;
        if (ok) {
            sqlite3_bind_text(st, 1, s->module, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 2, v + 1);
            ok = sqlite3_step(st) == SQLITE_DONE;
        }
        sqlite3_finalize(st);
        if (!ok || sqlite3_exec(db, "COMMIT", NULL, NULL, &err) != SQLITE_OK) {
            rc = schema_fail(db, s->module, err);
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    return RX_OK;
}

int rx_store_fail(sqlite3 *db, const char *what)
{
    int e = sqlite3_errcode(db) & 0xff;
    if (e == SQLITE_BUSY || e == SQLITE_LOCKED)
        return rx_fail(RX_EBUSY, "database_busy", "数据库正被其他进程占用（%s），请稍后重试", what);
    return rx_error_set(RX_EIO, "%s: %s", what, sqlite3_errmsg(db));
}

static int mkdir_parent(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    return rx_mkdir_p(dirname(tmp));
}

/* The database holds callers' names, phones and addresses: it is its
 * owner's only, whatever the umask. SQLite gives the -wal and -shm files it
 * creates the database file's mode, so creating that file 0600 before
 * SQLite does is enough; files left by an older rexian are tightened.
 * Never open and close an existing database file here: closing any
 * descriptor of it drops the POSIX locks the process's other connections
 * hold on it (fcntl semantics), so only a new file is opened, and modes are
 * changed by path. */
static int make_private(const char *path)
{
    int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        fchmod(fd, 0600); /* the umask may have cut it */
        close(fd);
    } else if (errno != EEXIST) {
        return rx_error_set(RX_EIO, "cannot create database %s: %s", path, strerror(errno));
    }
    static const char *const files[] = {"", "-wal", "-shm", "-journal"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char f[PATH_MAX];
        struct stat st;
        snprintf(f, sizeof f, "%s%s", path, files[k]);
        if (stat(f, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
            chmod(f, (st.st_mode & 0700) | 0600);
    }
    return RX_OK;
}

int rx_store_open(sqlite3 **out, const char *path)
{
    *out = NULL;
    bool file = strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0;
    if (file && mkdir_parent(path) != 0)
        return rx_error_set(RX_EIO, "cannot create the folder of %s: %s", path, strerror(errno));
    int rc = file ? make_private(path) : RX_OK;
    if (rc != RX_OK)
        return rc;
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        rc = rx_error_set(RX_EIO, "cannot open database %s: %s", path,
                          db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    char *err = NULL;
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                     "PRAGMA foreign_keys=ON;",
                     NULL, NULL, &err) == SQLITE_OK) {
        *out = db;
        return RX_OK;
    }
    rc = rx_error_set(RX_EIO, "database %s: %s", path, err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}
