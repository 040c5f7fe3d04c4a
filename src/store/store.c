/* SQLite database: open with the right pragmas, migrate the schema. */
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
 * holds before SQLite gives up with SQLITE_BUSY (which the ticket store
 * reports as RX_EBUSY, "database_busy": try again). */
#define BUSY_TIMEOUT_MS 5000

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
    /* 2: tickets, their append-only event log, repeat links, case search */
    "CREATE TABLE tickets ("
    "  n INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  status TEXT NOT NULL CHECK (status IN ('received','dispatched','accepted','replied',"
    "    'closed','reopened','archived')),"
    "  channel TEXT NOT NULL,"
    "  caller TEXT, phone TEXT, phone_key TEXT, address TEXT, address_key TEXT, area TEXT,"
    "  category TEXT,"
    "  content TEXT NOT NULL,"
    "  created TEXT NOT NULL, created_day INTEGER NOT NULL, updated TEXT NOT NULL,"
    "  created_by TEXT NOT NULL,"
    "  level TEXT CHECK (level IN ('immediate','consult','leader')),"
    "  lead TEXT, co TEXT NOT NULL DEFAULT '[]', approved_by TEXT,"
    "  deadline_days INTEGER, deadline INTEGER, marked_deadline INTEGER,"
    "  overdue_count INTEGER NOT NULL DEFAULT 0,"
    "  supervision INTEGER NOT NULL DEFAULT 0 CHECK (supervision BETWEEN 0 AND 4),"
    "  rework INTEGER NOT NULL DEFAULT 0, returns INTEGER NOT NULL DEFAULT 0,"
    "  round INTEGER NOT NULL DEFAULT 1, callback_attempts INTEGER NOT NULL DEFAULT 0,"
    "  satisfaction TEXT, discipline INTEGER NOT NULL DEFAULT 0,"
    "  first_contact INTEGER NOT NULL DEFAULT 0, doc_ids TEXT NOT NULL DEFAULT '[]',"
    "  reply TEXT, closed_at TEXT,"
    "  version INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX tickets_status ON tickets(status, deadline);"
    "CREATE INDEX tickets_created ON tickets(created_day, category, area);"
    "CREATE INDEX tickets_callback ON tickets(closed_at) WHERE status = 'closed';"
    "CREATE INDEX tickets_phone ON tickets(phone_key, created_day) WHERE phone_key IS NOT NULL;"
    "CREATE INDEX tickets_address ON tickets(address_key, created_day)"
    "  WHERE address_key IS NOT NULL;"
    "CREATE INDEX tickets_category ON tickets(category, created_day);"
    "CREATE TABLE ticket_departments ("
    "  ticket INTEGER NOT NULL REFERENCES tickets(n),"
    "  department TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('lead','co')),"
    "  PRIMARY KEY (ticket, department)"
    ") WITHOUT ROWID;"
    "CREATE INDEX ticket_departments_by_name ON ticket_departments(department, ticket);"
    "CREATE TABLE ticket_events ("
    "  n INTEGER PRIMARY KEY,"
    "  ticket INTEGER NOT NULL REFERENCES tickets(n),"
    "  seq INTEGER NOT NULL,"
    "  action TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, at TEXT NOT NULL,"
    "  from_status TEXT, to_status TEXT NOT NULL, payload TEXT NOT NULL DEFAULT '{}',"
    "  UNIQUE (ticket, seq)"
    ");"
    "CREATE TRIGGER ticket_events_append_only_u BEFORE UPDATE ON ticket_events"
    "  BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;"
    "CREATE TRIGGER ticket_events_append_only_d BEFORE DELETE ON ticket_events"
    "  BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;"
    "CREATE TABLE ticket_seq (day TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE ticket_links ("
    "  ticket INTEGER NOT NULL REFERENCES tickets(n),"
    "  earlier INTEGER NOT NULL REFERENCES tickets(n),"
    "  score REAL NOT NULL,"
    "  PRIMARY KEY (ticket, earlier)"
    ") WITHOUT ROWID;"
    "CREATE INDEX ticket_links_earlier ON ticket_links(earlier);"
    "CREATE TABLE ticket_lookups ("
    "  n INTEGER PRIMARY KEY,"
    "  ticket INTEGER NOT NULL REFERENCES tickets(n),"
    "  at TEXT NOT NULL, actor TEXT NOT NULL, query TEXT NOT NULL,"
    "  total INTEGER NOT NULL, top TEXT NOT NULL DEFAULT '[]'"
    ");"
    "CREATE INDEX ticket_lookups_ticket ON ticket_lookups(ticket);"
    "CREATE VIRTUAL TABLE ticket_fts USING fts5(body, replies, notes, tokenize='rx_bigram');",
    /* 3: the department role (bound to one department), revocable tokens,
     * and the append-only audit log */
    "CREATE TABLE users_v3 ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL"
    "    CHECK (role IN ('agent','supervisor','department','trainer','admin')),"
    "  department TEXT CHECK ((role = 'department') = (department IS NOT NULL)),"
    "  token_hash TEXT UNIQUE,"
    "  revoked TEXT,"
    "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
    ");"
    "INSERT INTO users_v3(id, name, role, token_hash, created)"
    "  SELECT id, name, role, token_hash, created FROM users;"
    "DROP TABLE users;"
    "ALTER TABLE users_v3 RENAME TO users;"
    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
    "  user TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL,"
    "  target TEXT, detail TEXT"
    ");"
    "CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
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

int rx_store_connect(sqlite3 **out, const char *path)
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
    if (rx_store_register_fts(db) != SQLITE_OK) {
        err = sqlite3_mprintf("cannot register the rx_bigram tokenizer (FTS5 missing?)");
    } else if (sqlite3_exec(db,
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

int rx_store_open(sqlite3 **out, const char *path)
{
    *out = NULL;
    sqlite3 *db;
    int rc = rx_store_connect(&db, path);
    if (rc != RX_OK)
        return rc;
    char *err = NULL;
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version > rx_store_schema_version()) {
        rc = rx_error_set(RX_EINVALID,
                          "database %s has schema version %d, newer than this rexian (%d)", path,
                          version, rx_store_schema_version());
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
fail:
    rc = rx_error_set(RX_EIO, "database %s: %s", path, err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    sqlite3_close(db);
    return rc;
}
