/* The ticket store in SQLite: every SQL statement about tickets lives here.
 *
 * Writes go through one connection under a mutex, each in its own
 * BEGIN IMMEDIATE transaction (a SAVEPOINT inside a batch): load the
 * ticket, let the workflow apply the action, save the row, append the
 * event, refresh the search row, commit. Reads use one connection per
 * thread, which WAL lets run beside the writer.
 */
#include "rexian/store.h"

#include "fts.h"
#include "rexian/analyzer.h"
#include "rexian/error.h"
#include "rexian/roles.h"
#include "rexian/snippet.h"
#include "rexian/text.h"
#include "rexian/tickets.h"
#include "rexian/util.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLS                                                                                       \
    "n, id, status, channel, caller, phone, address, area, category, content, created, updated, "  \
    "created_by, level, lead, co, approved_by, deadline_days, deadline, marked_deadline, "         \
    "overdue_count, supervision, rework, returns, round, callback_attempts, satisfaction, "        \
    "discipline, first_contact, doc_ids, reply, closed_at, version, proposal"

enum {
    S_LOAD_ID,
    S_LOAD_N,
    S_INSERT,
    S_UPDATE,
    S_EVENT,
    S_EVENTS,
    S_SEQ,
    S_FTS_INSERT,
    S_FTS_REPLY,
    S_FTS_NOTE,
    S_DEPT_CLEAR,
    S_DEPT_ADD,
    S_BY_PHONE,
    S_BY_ADDRESS,
    S_LINK,
    S_LINKS,
    S_LOOKUP_ADD,
    S_LOOKUPS,
    S_ROWID,
    S_FTS_TEXT,
    S_TERM_DOCS,
    NSTMT
};

static const char *const sql[NSTMT] = {
    [S_LOAD_ID] = "SELECT " COLS " FROM tickets WHERE id = ?",
    [S_LOAD_N] = "SELECT " COLS " FROM tickets WHERE n = ?",
    [S_INSERT] = "INSERT INTO tickets(id, status, channel, caller, phone, phone_key, address, "
                 "address_key, area, category, content, created, created_day, updated, "
                 "created_by, version) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)",
    [S_UPDATE] = "UPDATE tickets SET status=?, updated=?, level=?, lead=?, co=?, approved_by=?, "
                 "deadline_days=?, deadline=?, marked_deadline=?, overdue_count=?, supervision=?, "
                 "rework=?, returns=?, round=?, callback_attempts=?, satisfaction=?, "
                 "discipline=?, first_contact=?, doc_ids=?, reply=?, closed_at=?, version=?, "
                 "proposal=? WHERE n=?",
    [S_EVENT] = "INSERT INTO ticket_events(ticket, seq, action, actor, role, at, from_status, "
                "to_status, payload) VALUES(?,?,?,?,?,?,?,?,?)",
    [S_EVENTS] = "SELECT seq, action, actor, role, at, from_status, to_status, payload "
                 "FROM ticket_events WHERE ticket = ? ORDER BY seq",
    [S_SEQ] = "INSERT INTO ticket_seq(day, n) VALUES(?, 1) "
              "ON CONFLICT(day) DO UPDATE SET n = n + 1 RETURNING n",
    [S_FTS_INSERT] = "INSERT INTO ticket_fts(rowid, body, replies, notes) VALUES(?, ?, '', '')",
    [S_FTS_REPLY] = "UPDATE ticket_fts SET replies = replies || char(10) || ? WHERE rowid = ?",
    [S_FTS_NOTE] = "UPDATE ticket_fts SET notes = notes || char(10) || ? WHERE rowid = ?",
    [S_DEPT_CLEAR] = "DELETE FROM ticket_departments WHERE ticket = ?",
    [S_DEPT_ADD] = "INSERT OR IGNORE INTO ticket_departments(ticket, department, role) "
                   "VALUES(?, ?, ?)",
    [S_BY_PHONE] = "SELECT n, id, content FROM tickets WHERE phone_key = ? AND created_day >= ? "
                   "ORDER BY created_day DESC, n DESC LIMIT 50",
    [S_BY_ADDRESS] = "SELECT n, id, content FROM tickets WHERE address_key = ? "
                     "AND created_day >= ? ORDER BY created_day DESC, n DESC LIMIT 50",
    [S_LINK] = "INSERT OR IGNORE INTO ticket_links(ticket, earlier, score) VALUES(?, ?, ?)",
    [S_LINKS] = "SELECT t.id FROM ticket_links l JOIN tickets t ON t.n = l.earlier "
                "WHERE l.ticket = ? ORDER BY l.earlier DESC",
    [S_LOOKUP_ADD] = "INSERT INTO ticket_lookups(ticket, at, actor, query, total, top, kind, "
                     "confident) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
    [S_LOOKUPS] = "SELECT at, actor, query, total, top, kind, confident FROM ticket_lookups "
                  "WHERE ticket = ? ORDER BY n",
    [S_ROWID] = "SELECT n FROM tickets WHERE id = ?",
    [S_FTS_TEXT] = "SELECT body || char(10) || replies || char(10) || notes FROM ticket_fts "
                   "WHERE rowid = ?",
    /* every column: a lookup reads the whole posting list, whatever column
     * it then keeps */
    [S_TERM_DOCS] = "SELECT count(*) FROM (SELECT 1 FROM ticket_fts "
                    "WHERE ticket_fts MATCH ?1 AND rowid >= ?2 LIMIT ?3)",
};

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *st[NSTMT];
} conn;

struct rx_tickets {
    char *path;
    unsigned long serial;
    const rx_departments *departments;
    const rx_calendar *calendar;
    const rx_wf_rules *rules;
    pthread_mutex_t wmu;
    conn writer;
    pthread_mutex_t rmu; /* guards readers */
    conn **readers;
    size_t nreaders, cap_readers;
};

static atomic_ulong store_serial;
/* This thread's read connection, and the store it belongs to. */
static _Thread_local conn *tls_reader;
static _Thread_local unsigned long tls_reader_owner;
/* The store whose batch this thread is running (0: none). */
static _Thread_local unsigned long tls_batch;

static int db_error(conn *c, const char *what)
{
    char where[64];
    snprintf(where, sizeof where, "tickets: %s", what);
    return rx_store_fail(c->db, where);
}

/* The cached statement k, reset and unbound. NULL on a prepare failure. */
static sqlite3_stmt *stmt(conn *c, int k)
{
    if (!c->st[k] && sqlite3_prepare_v3(c->db, sql[k], -1, SQLITE_PREPARE_PERSISTENT, &c->st[k],
                                        NULL) != SQLITE_OK) {
        db_error(c, "prepare");
        return NULL;
    }
    sqlite3_reset(c->st[k]);
    sqlite3_clear_bindings(c->st[k]);
    return c->st[k];
}

static void conn_close(conn *c)
{
    for (int k = 0; k < NSTMT; k++)
        sqlite3_finalize(c->st[k]);
    sqlite3_close(c->db);
    memset(c, 0, sizeof *c);
}

/* The ticket tables, one step per version. */
static const char *const steps[] = {
    /* 1: tickets, their append-only event log, repeat links, case search */
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
    /* 2: the searchable text is the case, not the caller: tickets made
     * before lose their caller's name and address from it */
    "UPDATE ticket_fts SET body = (SELECT t.content || char(10) || coalesce(t.category, '')"
    "  FROM tickets t WHERE t.n = ticket_fts.rowid)"
    " WHERE rowid IN (SELECT n FROM tickets WHERE caller IS NOT NULL OR address IS NOT NULL);",
    /* 3: a lookup is a search or a document opened; whether the search
     * was confident (NULL: recorded before this was kept) */
    "ALTER TABLE ticket_lookups ADD COLUMN kind TEXT NOT NULL DEFAULT 'search'"
    "  CHECK (kind IN ('search', 'open'));"
    "ALTER TABLE ticket_lookups ADD COLUMN confident INTEGER;",
    /* 4: a consult or leader dispatch proposed for a supervisor's approval
     * (request_approval), JSON; NULL when none waits */
    "ALTER TABLE tickets ADD COLUMN proposal TEXT;",
    /* 5: rx_bigram now writes traditional characters simplified (報 as
     * 报); case text indexed before with traditional characters is
     * tokenized anew, or a later update could not remove its old tokens */
    ("INSERT INTO ticket_fts(ticket_fts) SELECT 'rebuild' WHERE EXISTS ("
     "  SELECT 1 FROM ticket_fts WHERE rx_folds(body) OR rx_folds(replies) OR rx_folds(notes));"),
    /* 6: the same for the address: its repeat key and its area were made
     * with traditional characters kept (and 荷塘區 had no area), so a call
     * from 荷塘区 did not find the earlier one from the same place */
    ("UPDATE tickets SET address_key = rx_address_key(address), area = rx_area(address)"
     "  WHERE address IS NOT NULL AND rx_folds(address);"),
};

/* Before versions were kept per module: user_version 2 had step 1. */
static int legacy(int user_version)
{
    return user_version >= 2 ? 1 : 0;
}

static const rx_schema schema = {"tickets", steps, (int)(sizeof steps / sizeof steps[0]), legacy};

/* rx_address_key(address) and rx_area(address), as a ticket's are made,
 * for the migrations that remake them. */
static void address_result(sqlite3_context *cx, sqlite3_value *arg, char *(*make)(const char *))
{
    const char *address = (const char *)sqlite3_value_text(arg);
    char *v = address ? make(address) : NULL;
    if (v)
        sqlite3_result_text(cx, v, -1, free);
    else
        sqlite3_result_null(cx);
}

static void address_key_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    address_result(cx, argv[0], rx_wf_address_key);
}

static void area_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    address_result(cx, argv[0], rx_wf_area);
}

static int register_functions(sqlite3 *db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    int rc =
        sqlite3_create_function(db, "rx_address_key", 1, flags, NULL, address_key_fn, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "rx_area", 1, flags, NULL, area_fn, NULL, NULL);
    return rc == SQLITE_OK ? rx_tickets_register_fts(db) : rc;
}

/* A connection to the ticket database: the pragmas, the rx_bigram
 * tokenizer the search table needs on every connection, and the functions
 * of the migrations. */
static int connect(sqlite3 **out, const char *path)
{
    int rc = rx_store_open(out, path);
    if (rc == RX_OK && register_functions(*out) != SQLITE_OK) {
        sqlite3_close(*out);
        *out = NULL;
        rc = rx_error_set(RX_EIO, "cannot register the rx_bigram tokenizer (FTS5 missing?)");
    }
    return rc;
}

int rx_tickets_open(rx_tickets **out, const char *path, const rx_departments *departments,
                    const rx_calendar *calendar, const rx_wf_rules *rules)
{
    *out = NULL;
    rx_tickets *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        free(t);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    t->departments = departments;
    t->calendar = calendar;
    t->rules = rules;
    t->serial = atomic_fetch_add(&store_serial, 1) + 1;
    int rc = connect(&t->writer.db, path);
    if (rc == RX_OK && (rc = rx_store_migrate(t->writer.db, &schema)) != RX_OK) {
        sqlite3_close(t->writer.db);
    }
    if (rc != RX_OK) {
        free(t->path);
        free(t);
        return rc;
    }
    /* a larger page cache for the writer: batches and index updates */
    sqlite3_exec(t->writer.db, "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY", NULL, NULL,
                 NULL);
    pthread_mutex_init(&t->wmu, NULL);
    pthread_mutex_init(&t->rmu, NULL);
    *out = t;
    return RX_OK;
}

void rx_tickets_free(rx_tickets *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->nreaders; k++) {
        conn_close(t->readers[k]);
        free(t->readers[k]);
    }
    free(t->readers);
    conn_close(&t->writer);
    pthread_mutex_destroy(&t->wmu);
    pthread_mutex_destroy(&t->rmu);
    free(t->path);
    free(t);
}

const rx_wf_rules *rx_tickets_rules(const rx_tickets *t)
{
    return t->rules;
}

/* The connection this thread reads through: the writer inside a batch (to
 * see its own writes), else a connection of its own. */
static conn *reader(rx_tickets *t)
{
    if (tls_batch == t->serial)
        return &t->writer;
    if (tls_reader && tls_reader_owner == t->serial)
        return tls_reader;
    conn *c = calloc(1, sizeof *c);
    if (!c || connect(&c->db, t->path) != RX_OK) {
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&t->rmu);
    if (t->nreaders == t->cap_readers) {
        size_t cap = t->cap_readers ? t->cap_readers * 2 : 8;
        conn **grown = realloc(t->readers, cap * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&t->rmu);
            conn_close(c);
            free(c);
            rx_error_set(RX_ENOMEM, "out of memory");
            return NULL;
        }
        t->readers = grown;
        t->cap_readers = cap;
    }
    t->readers[t->nreaders++] = c;
    pthread_mutex_unlock(&t->rmu);
    tls_reader = c;
    tls_reader_owner = t->serial;
    return c;
}

/* Starts a write: the writer's lock and a transaction, or a savepoint when
 * this thread runs a batch. */
static int write_begin(rx_tickets *t)
{
    if (tls_batch == t->serial)
        return sqlite3_exec(t->writer.db, "SAVEPOINT op", NULL, NULL, NULL) == SQLITE_OK
                   ? RX_OK
                   : db_error(&t->writer, "savepoint");
    pthread_mutex_lock(&t->wmu);
    if (sqlite3_exec(t->writer.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        int rc = db_error(&t->writer, "begin");
        pthread_mutex_unlock(&t->wmu);
        return rc;
    }
    return RX_OK;
}

static int write_end(rx_tickets *t, bool commit)
{
    sqlite3 *db = t->writer.db;
    int rc = RX_OK;
    if (tls_batch == t->serial) {
        if (!commit)
            sqlite3_exec(db, "ROLLBACK TO op", NULL, NULL, NULL);
        if (sqlite3_exec(db, "RELEASE op", NULL, NULL, NULL) != SQLITE_OK)
            rc = db_error(&t->writer, "release");
        return rc;
    }
    if (commit && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_error(&t->writer, "commit");
        commit = false;
    }
    if (!commit && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&t->wmu);
    return rc;
}

/* ---- rows ---- */

static char *col_str(sqlite3_stmt *st, int k)
{
    const unsigned char *s = sqlite3_column_text(st, k);
    return s ? strdup((const char *)s) : NULL;
}

static char **col_list(sqlite3_stmt *st, int k, size_t *n)
{
    const char *s = (const char *)sqlite3_column_text(st, k);
    cJSON *arr = s ? cJSON_Parse(s) : NULL;
    char **v = rx_strings_from_json(arr, n);
    cJSON_Delete(arr);
    return v;
}

static char *list_json(char *const *v, size_t n)
{
    cJSON *arr = rx_strings_to_json(v, n);
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return s;
}

static long col_day(sqlite3_stmt *st, int k)
{
    return sqlite3_column_type(st, k) == SQLITE_NULL ? RX_DATE_INVALID
                                                     : (long)sqlite3_column_int64(st, k);
}

/* Reads a row of COLS into tk (cleared first). */
static void load_row(rx_ticket *tk, sqlite3_stmt *st)
{
    rx_ticket_clear(tk);
    tk->rowid = sqlite3_column_int64(st, 0);
    snprintf(tk->id, sizeof tk->id, "%s", (const char *)sqlite3_column_text(st, 1));
    int s = rx_status_find((const char *)sqlite3_column_text(st, 2));
    tk->status = s >= 0 ? (rx_status)s : RX_ST_RECEIVED;
    tk->channel = col_str(st, 3);
    tk->caller = col_str(st, 4);
    tk->phone = col_str(st, 5);
    tk->address = col_str(st, 6);
    tk->area = col_str(st, 7);
    tk->category = col_str(st, 8);
    tk->content = col_str(st, 9);
    tk->created = col_str(st, 10);
    tk->updated = col_str(st, 11);
    tk->created_by = col_str(st, 12);
    int l = rx_level_find((const char *)sqlite3_column_text(st, 13));
    tk->level = l > 0 ? (rx_level)l : RX_LEVEL_NONE;
    tk->lead = col_str(st, 14);
    tk->co = col_list(st, 15, &tk->nco);
    tk->approved_by = col_str(st, 16);
    tk->deadline_days = sqlite3_column_int(st, 17);
    tk->deadline = col_day(st, 18);
    tk->marked_deadline = col_day(st, 19);
    tk->overdue_count = sqlite3_column_int(st, 20);
    tk->supervision = (rx_supervision)sqlite3_column_int(st, 21);
    tk->rework = sqlite3_column_int(st, 22);
    tk->returns = sqlite3_column_int(st, 23);
    tk->round = sqlite3_column_int(st, 24);
    tk->callback_attempts = sqlite3_column_int(st, 25);
    tk->satisfaction = col_str(st, 26);
    tk->discipline = sqlite3_column_int(st, 27) != 0;
    tk->first_contact = sqlite3_column_int(st, 28) != 0;
    tk->doc_ids = col_list(st, 29, &tk->ndoc_ids);
    tk->reply = col_str(st, 30);
    tk->closed_at = col_str(st, 31);
    tk->version = sqlite3_column_int(st, 32);
    tk->proposal = col_str(st, 33);
}

/* Loads ticket id (or rowid n when id is NULL). RX_ENOTFOUND if absent. */
static int load(rx_ticket *tk, conn *c, const char *id, long long n)
{
    sqlite3_stmt *st = stmt(c, id ? S_LOAD_ID : S_LOAD_N);
    if (!st)
        return RX_EIO;
    if (id)
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 1, n);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        load_row(tk, st);
        sqlite3_reset(st);
        return RX_OK;
    }
    sqlite3_reset(st);
    return s == SQLITE_DONE ? RX_ENOTFOUND : db_error(c, "load");
}

static void bind_text_or_null(sqlite3_stmt *st, int k, const char *s)
{
    if (s)
        sqlite3_bind_text(st, k, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, k);
}

static void bind_day(sqlite3_stmt *st, int k, long day)
{
    if (day == RX_DATE_INVALID)
        sqlite3_bind_null(st, k);
    else
        sqlite3_bind_int64(st, k, day);
}

/* Saves tk's mutable fields and appends its event (seq = new version). */
static int save(conn *c, rx_ticket *tk, rx_status from, const char *action, const char *actor,
                const char *role, const char *at, const cJSON *payload)
{
    tk->version++;
    free(tk->updated);
    tk->updated = strdup(at);
    char *co = list_json(tk->co, tk->nco), *docs = list_json(tk->doc_ids, tk->ndoc_ids);
    char *pl = payload ? cJSON_PrintUnformatted(payload) : strdup("{}");
    sqlite3_stmt *st = stmt(c, S_UPDATE);
    int rc = RX_OK;
    if (!co || !docs || !pl || !tk->updated) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    if (!st) {
        rc = RX_EIO;
        goto done;
    }
    int k = 1;
    sqlite3_bind_text(st, k++, rx_status_name(tk->status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, k++, at, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, k++, tk->level ? rx_level_name(tk->level) : NULL);
    bind_text_or_null(st, k++, tk->lead);
    sqlite3_bind_text(st, k++, co, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, k++, tk->approved_by);
    if (tk->deadline_days > 0)
        sqlite3_bind_int(st, k++, tk->deadline_days);
    else
        sqlite3_bind_null(st, k++);
    bind_day(st, k++, tk->deadline);
    bind_day(st, k++, tk->marked_deadline);
    sqlite3_bind_int(st, k++, tk->overdue_count);
    sqlite3_bind_int(st, k++, (int)tk->supervision);
    sqlite3_bind_int(st, k++, tk->rework);
    sqlite3_bind_int(st, k++, tk->returns);
    sqlite3_bind_int(st, k++, tk->round);
    sqlite3_bind_int(st, k++, tk->callback_attempts);
    bind_text_or_null(st, k++, tk->satisfaction);
    sqlite3_bind_int(st, k++, tk->discipline);
    sqlite3_bind_int(st, k++, tk->first_contact);
    sqlite3_bind_text(st, k++, docs, -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, k++, tk->reply);
    bind_text_or_null(st, k++, tk->closed_at);
    sqlite3_bind_int(st, k++, tk->version);
    bind_text_or_null(st, k++, tk->proposal);
    sqlite3_bind_int64(st, k++, tk->rowid);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = db_error(c, "update");
        goto done;
    }
    if (!(st = stmt(c, S_EVENT))) {
        rc = RX_EIO;
        goto done;
    }
    sqlite3_bind_int64(st, 1, tk->rowid);
    sqlite3_bind_int(st, 2, tk->version);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, at, -1, SQLITE_TRANSIENT);
    if ((int)from >= 0)
        sqlite3_bind_text(st, 7, rx_status_name(from), -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 7);
    sqlite3_bind_text(st, 8, rx_status_name(tk->status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, pl, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(c, "event");
done:
    if (st)
        sqlite3_reset(st);
    free(co);
    free(docs);
    free(pl);
    return rc;
}

static int exec_text_row(conn *c, int k, const char *text, long long n)
{
    sqlite3_stmt *st = stmt(c, k);
    if (!st)
        return RX_EIO;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, n);
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    return s == SQLITE_DONE ? RX_OK : db_error(c, "search index");
}

/* The lead and co-handlers, for the department filter. */
static int save_departments(conn *c, const rx_ticket *tk)
{
    sqlite3_stmt *st = stmt(c, S_DEPT_CLEAR);
    if (!st)
        return RX_EIO;
    sqlite3_bind_int64(st, 1, tk->rowid);
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    if (s != SQLITE_DONE)
        return db_error(c, "departments");
    for (size_t k = 0; tk->lead && k <= tk->nco; k++) {
        if (!(st = stmt(c, S_DEPT_ADD)))
            return RX_EIO;
        sqlite3_bind_int64(st, 1, tk->rowid);
        sqlite3_bind_text(st, 2, k == 0 ? tk->lead : tk->co[k - 1], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, k == 0 ? "lead" : "co", -1, SQLITE_STATIC);
        s = sqlite3_step(st);
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            return db_error(c, "departments");
    }
    return RX_OK;
}

/* ---- answers ---- */

static cJSON *events_json(conn *c, long long n)
{
    cJSON *arr = cJSON_CreateArray();
    sqlite3_stmt *st = stmt(c, S_EVENTS);
    if (!st)
        return arr;
    sqlite3_bind_int64(st, 1, n);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "seq", sqlite3_column_int(st, 0));
        static const char *const keys[] = {"action", "actor", "role", "at", "from", "to"};
        for (int k = 0; k < 6; k++) {
            const char *v = (const char *)sqlite3_column_text(st, k + 1);
            cJSON_AddItemToObject(e, keys[k], v ? cJSON_CreateString(v) : cJSON_CreateNull());
        }
        /* DESIGN.md's words for the same two: who acted, and when */
        cJSON_AddItemToObject(e, "who", cJSON_Duplicate(cJSON_GetObjectItem(e, "actor"), 1));
        cJSON_AddItemToObject(e, "when", cJSON_Duplicate(cJSON_GetObjectItem(e, "at"), 1));
        const char *pl = (const char *)sqlite3_column_text(st, 7);
        cJSON *p = pl ? cJSON_Parse(pl) : NULL;
        cJSON_AddItemToObject(e, "payload", p ? p : cJSON_CreateObject());
        cJSON_AddItemToArray(arr, e);
    }
    sqlite3_reset(st);
    return arr;
}

static cJSON *links_json(conn *c, long long n)
{
    cJSON *arr = cJSON_CreateArray();
    sqlite3_stmt *st = stmt(c, S_LINKS);
    if (!st)
        return arr;
    sqlite3_bind_int64(st, 1, n);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, cJSON_CreateString((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    return arr;
}

static cJSON *lookups_json(conn *c, long long n)
{
    cJSON *arr = cJSON_CreateArray();
    sqlite3_stmt *st = stmt(c, S_LOOKUPS);
    if (!st)
        return arr;
    sqlite3_bind_int64(st, 1, n);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "at", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(e, "actor", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddStringToObject(e, "query", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddNumberToObject(e, "total", sqlite3_column_double(st, 3));
        cJSON *top = cJSON_Parse((const char *)sqlite3_column_text(st, 4));
        cJSON_AddItemToObject(e, "top", top ? top : cJSON_CreateArray());
        cJSON_AddStringToObject(e, "kind", (const char *)sqlite3_column_text(st, 5));
        if (sqlite3_column_type(st, 6) != SQLITE_NULL)
            cJSON_AddBoolToObject(e, "confident", sqlite3_column_int(st, 6));
        cJSON_AddItemToArray(arr, e);
    }
    sqlite3_reset(st);
    return arr;
}

/* The whole ticket: fields, repeat links and the event timeline; or only
 * its id, status and version when brief. */
static cJSON *full_json(conn *c, const rx_ticket *tk, long today, bool brief)
{
    if (brief) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", tk->id);
        cJSON_AddStringToObject(o, "status", rx_status_name(tk->status));
        cJSON_AddNumberToObject(o, "version", tk->version);
        if (tk->deadline != RX_DATE_INVALID) {
            char day[11];
            rx_date_format(day, tk->deadline);
            cJSON_AddStringToObject(o, "deadline", day);
        }
        return o;
    }
    cJSON *o = rx_ticket_json(tk, today);
    cJSON_AddItemToObject(o, "repeat_of", links_json(c, tk->rowid));
    cJSON_AddItemToObject(o, "lookups", lookups_json(c, tk->rowid));
    cJSON_AddItemToObject(o, "events", events_json(c, tk->rowid));
    return o;
}

/* The actor's role as the workflow checks it: -1 for the system itself,
 * RX_ROLE_COUNT (allowed nothing) for a name that is no role. */
static int actor_role(const rx_actor *who)
{
    if (who->role && strcmp(who->role, "system") == 0)
        return -1;
    int r = rx_role_find(who->role);
    return r >= 0 ? r : RX_ROLE_COUNT;
}

static rx_wf_env env_for(const rx_tickets *t, const rx_actor *who, char now[32])
{
    rx_wf_time_format(now, who->now);
    return (rx_wf_env){.role = actor_role(who),
                       .department = who->department,
                       .actor = who->name,
                       .departments = who->departments ? who->departments : t->departments,
                       .calendar = t->calendar,
                       .rules = t->rules,
                       .today = rx_wf_day(who->now),
                       .now = now,
                       .doc_exists = who->doc_exists,
                       .doc_ctx = who->doc_ctx};
}

/* The error a failed statement left (RX_EIO or RX_EBUSY, set by
 * db_error), or a generic one when nothing was recorded. */
static int internal(void)
{
    int code = rx_error_code();
    return code != RX_OK ? code : rx_error_set(RX_EIO, "ticket store failed");
}

/* ---- create ---- */

/* Links tk to earlier tickets of the same phone or address whose content
 * is similar (重复投诉). */
static int link_repeats(conn *c, rx_tickets *t, rx_ticket *tk, const char *phone_key,
                        const char *address_key, long today, cJSON *found)
{
    long since = today - t->rules->repeat_window_days;
    long long seen[100];
    size_t nseen = 0;
    for (int pass = 0; pass < 2; pass++) {
        const char *key = pass == 0 ? phone_key : address_key;
        if (!key)
            continue;
        sqlite3_stmt *st = stmt(c, pass == 0 ? S_BY_PHONE : S_BY_ADDRESS);
        if (!st)
            return RX_EIO;
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, since);
        typedef struct {
            long long n;
            double score;
        } cand;
        cand hits[50];
        size_t nhits = 0;
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            long long n = sqlite3_column_int64(st, 0);
            if (n == tk->rowid)
                continue;
            bool dup = false;
            for (size_t k = 0; k < nseen; k++)
                dup = dup || seen[k] == n;
            if (dup || nseen == sizeof seen / sizeof seen[0])
                continue;
            seen[nseen++] = n;
            double score = rx_wf_similarity(tk->content, (const char *)sqlite3_column_text(st, 2));
            if (score >= t->rules->repeat_similarity && nhits < 50) {
                hits[nhits++] = (cand){n, score};
                cJSON_AddItemToArray(found,
                                     cJSON_CreateString((const char *)sqlite3_column_text(st, 1)));
            }
        }
        sqlite3_reset(st);
        if (s != SQLITE_DONE)
            return db_error(c, "repeat lookup");
        for (size_t k = 0; k < nhits; k++) {
            if (!(st = stmt(c, S_LINK)))
                return RX_EIO;
            sqlite3_bind_int64(st, 1, tk->rowid);
            sqlite3_bind_int64(st, 2, hits[k].n);
            sqlite3_bind_double(st, 3, hits[k].score);
            s = sqlite3_step(st);
            sqlite3_reset(st);
            if (s != SQLITE_DONE)
                return db_error(c, "repeat link");
        }
    }
    return RX_OK;
}

int rx_tickets_create(cJSON **out, rx_tickets *t, const cJSON *body, const rx_actor *who)
{
    *out = NULL;
    rx_error_clear();
    char now[32];
    rx_wf_env env = env_for(t, who, now);
    rx_ticket tk;
    int rc = rx_wf_create(&tk, body, &env);
    if (rc != RX_OK)
        return rc;
    char *phone_key = rx_wf_phone_key(tk.phone), *address_key = rx_wf_address_key(tk.address);
    tk.created = strdup(now);
    tk.updated = strdup(now);
    tk.created_by = strdup(who->name);
    cJSON *repeats = cJSON_CreateArray(), *payload = cJSON_CreateObject();
    rx_buf text = {0};
    /* the searchable text is the case, not the caller: no name or address,
     * so that a case search cannot find where someone lives */
    rx_buf_printf(&text, "%s\n%s", tk.content, tk.category ? tk.category : "");
    if ((rc = write_begin(t)) != RX_OK)
        goto done;
    conn *c = &t->writer;
    char day[11];
    rx_date_format(day, env.today);
    sqlite3_stmt *st = stmt(c, S_SEQ);
    if (!st) {
        rc = RX_EIO;
        goto rollback;
    }
    sqlite3_bind_text(st, 1, day, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = db_error(c, "ticket number");
        sqlite3_reset(st);
        goto rollback;
    }
    long long seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    snprintf(tk.id, sizeof tk.id, "ZZ%.4s%.2s%.2s-%06lld", day, day + 5, day + 8, seq);
    if (!(st = stmt(c, S_INSERT))) {
        rc = RX_EIO;
        goto rollback;
    }
    const char *vals[] = {tk.id,      rx_status_name(tk.status),
                          tk.channel, tk.caller,
                          tk.phone,   phone_key,
                          tk.address, address_key,
                          tk.area,    tk.category,
                          tk.content, tk.created};
    int k = 1;
    for (size_t v = 0; v < sizeof vals / sizeof vals[0]; v++)
        bind_text_or_null(st, k++, vals[v]);
    sqlite3_bind_int64(st, k++, env.today);
    bind_text_or_null(st, k++, tk.updated);
    bind_text_or_null(st, k++, tk.created_by);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = db_error(c, "insert");
        sqlite3_reset(st);
        goto rollback;
    }
    sqlite3_reset(st);
    tk.rowid = sqlite3_last_insert_rowid(c->db);
    if ((rc = link_repeats(c, t, &tk, phone_key, address_key, env.today, repeats)) != RX_OK)
        goto rollback;
    if (!(st = stmt(c, S_FTS_INSERT))) {
        rc = RX_EIO;
        goto rollback;
    }
    sqlite3_bind_int64(st, 1, tk.rowid);
    sqlite3_bind_text(st, 2, text.data ? text.data : "", -1, SQLITE_STATIC);
    k = sqlite3_step(st);
    sqlite3_reset(st);
    if (k != SQLITE_DONE) {
        rc = db_error(c, "search index");
        goto rollback;
    }
    cJSON_AddStringToObject(payload, "channel", tk.channel);
    cJSON_AddItemToObject(payload, "repeat_of", cJSON_Duplicate(repeats, true));
    if ((rc = save(c, &tk, (rx_status)-1, "create", who->name, who->role, now, payload)) != RX_OK)
        goto rollback;
    *out = full_json(c, &tk, env.today, who->brief);
    rc = write_end(t, true);
    if (rc != RX_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    goto done;
rollback:
    write_end(t, false);
done:
    rx_buf_free(&text);
    cJSON_Delete(repeats);
    cJSON_Delete(payload);
    free(phone_key);
    free(address_key);
    rx_ticket_clear(&tk);
    return rc;
}

/* ---- actions ---- */

/* Applies a parsed action to a loaded ticket inside the open write
 * transaction: the workflow's checks, the row, the event, the department
 * rows and the search text. */
static int apply_locked(conn *c, rx_ticket *tk, const rx_wf_input *in, const rx_wf_env *env,
                        const char *actor, const char *role)
{
    rx_status from = tk->status;
    int rc = rx_wf_apply(tk, in, env);
    if (rc != RX_OK)
        return rc;
    if ((rc = save(c, tk, from, rx_action_name(in->action), actor, role, env->now, in->payload)) !=
        RX_OK)
        return rc;
    if (in->action == RX_ACT_DISPATCH || in->action == RX_ACT_RETURN)
        rc = save_departments(c, tk);
    if (rc == RX_OK && in->text)
        rc = exec_text_row(c, in->action == RX_ACT_REPLY ? S_FTS_REPLY : S_FTS_NOTE, in->text,
                           tk->rowid);
    return rc;
}

int rx_tickets_act(cJSON **out, rx_tickets *t, const char *id, const cJSON *body,
                   const rx_actor *who)
{
    *out = NULL;
    rx_error_clear();
    char now[32];
    rx_wf_env env = env_for(t, who, now);
    rx_wf_input in;
    int rc = rx_wf_parse(&in, body, &env);
    if (rc != RX_OK) {
        rx_wf_input_clear(&in);
        return rc;
    }
    rx_ticket tk;
    memset(&tk, 0, sizeof tk);
    rx_ticket_clear(&tk);
    if (write_begin(t) != RX_OK) {
        rx_wf_input_clear(&in);
        return internal();
    }
    conn *c = &t->writer;
    rc = load(&tk, c, id, 0);
    if (rc == RX_ENOTFOUND)
        rx_fail(RX_ENOTFOUND, "ticket_not_found", "没有编号为 %.*s 的工单", rx_utf8_clip(id, 40),
                id);
    else if (rc == RX_OK)
        rc = apply_locked(c, &tk, &in, &env, who->name, who->role);
    if (rc == RX_OK)
        *out = full_json(c, &tk, env.today, who->brief);
    int end = write_end(t, rc == RX_OK);
    if (rc == RX_OK && end != RX_OK) {
        cJSON_Delete(*out);
        *out = NULL;
        rc = end;
    }
    rx_ticket_clear(&tk);
    rx_wf_input_clear(&in);
    return rc;
}

int rx_tickets_get(cJSON **out, rx_tickets *t, const char *id, const rx_actor *who)
{
    double now = who->now;
    int role = actor_role(who);
    *out = NULL;
    rx_error_clear();
    conn *c = reader(t);
    if (!c)
        return internal();
    rx_ticket tk;
    memset(&tk, 0, sizeof tk);
    /* one read transaction, so the row and its events agree */
    bool own = c != &t->writer;
    if (own)
        sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    int rc = load(&tk, c, id, 0);
    if (rc == RX_OK && role == RX_ROLE_DEPARTMENT && !rx_wf_concerns(&tk, who->department))
        rc = RX_ENOTFOUND;
    if (rc == RX_OK)
        *out = full_json(c, &tk, rx_wf_day(now), false);
    if (own)
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (*out && role >= 0 && role < RX_ROLE_COUNT)
        rx_ticket_mask(*out, rx_role_pii((rx_role)role));
    rx_ticket_clear(&tk);
    if (rc == RX_ENOTFOUND)
        return rx_fail(RX_ENOTFOUND, "ticket_not_found", "没有编号为 %.*s 的工单",
                       rx_utf8_clip(id, 40), id);
    return rc == RX_OK ? RX_OK : internal();
}

int rx_tickets_record_lookup(rx_tickets *t, const char *id, const rx_actor *who, const rx_lookup *l)
{
    const char *query = l->query ? l->query : "";
    const cJSON *top = l->top;
    rx_error_clear();
    char now[32];
    rx_wf_time_format(now, who->now);
    char *top_text = cJSON_PrintUnformatted(top);
    if (!top_text)
        return rx_fail(RX_EIO, "internal", "内存不足");
    if (write_begin(t) != RX_OK) {
        free(top_text);
        return internal();
    }
    conn *c = &t->writer;
    int rc = RX_OK;
    sqlite3_stmt *st = stmt(c, S_ROWID);
    if (!st) {
        rc = RX_EIO;
    } else {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        int s = sqlite3_step(st);
        long long n = s == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (s == SQLITE_DONE)
            rc = rx_fail(RX_ENOTFOUND, "ticket_not_found", "没有编号为 %.*s 的工单",
                         rx_utf8_clip(id, 40), id);
        else if (s != SQLITE_ROW)
            rc = db_error(c, "lookup");
        else if (!(st = stmt(c, S_LOOKUP_ADD)))
            rc = RX_EIO;
        else {
            sqlite3_bind_int64(st, 1, n);
            sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 3, who->name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 4, query, -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(st, 5, l->total);
            sqlite3_bind_text(st, 6, top_text, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 7, l->open ? "open" : "search", -1, SQLITE_STATIC);
            if (l->confident >= 0)
                sqlite3_bind_int(st, 8, l->confident > 0);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = db_error(c, "lookup");
            sqlite3_reset(st);
        }
    }
    free(top_text);
    int end = write_end(t, rc == RX_OK);
    if (rc == RX_OK)
        rc = end;
    return rc;
}

/* ---- list and case search ---- */

/* Turns a user's query into an FTS5 expression: every word must match.
 * Han runs are split into words by ICU, each word a quoted phrase (the
 * tokenizer makes it a phrase of bigrams); single function characters are
 * dropped. Returns the number of words. */
typedef struct {
    rx_buf *out;
    int words;
} fts_query;

static void add_word(void *ctx, const char *w, size_t n)
{
    fts_query *q = ctx;
    static const char *const skip[] = {"的", "了", "吗", "呢", "啊", "是", "在", "我", "有",
                                       "和", "与", "及", "等", "也", "都", "就", "还", "要",
                                       "把", "被", "给", "这", "那", "个", "吧", "呀"};
    for (size_t k = 0; k < sizeof skip / sizeof skip[0]; k++)
        if (n == strlen(skip[k]) && memcmp(w, skip[k], n) == 0)
            return;
    if (q->words++)
        rx_buf_puts(q->out, " AND ");
    rx_buf_putc(q->out, '"');
    for (size_t k = 0; k < n; k++) {
        if (w[k] == '"')
            rx_buf_putc(q->out, '"');
        rx_buf_putc(q->out, w[k]);
    }
    rx_buf_putc(q->out, '"');
}

static bool query_word_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z');
    return !(cp >= 0x3000 && cp <= 0x303f) && !(cp >= 0xff00 && cp <= 0xffef) &&
           !(cp >= 0x2000 && cp <= 0x206f);
}

static int build_match(rx_buf *out, const char *q)
{
    char *norm;
    size_t len;
    if (rx_text_normalize(&norm, &len, q, strlen(q)) != RX_OK)
        return 0;
    fts_query fq = {out, 0};
    size_t start = 0;
    int kind = 0; /* 0 none, 1 Han, 2 word */
    for (size_t pos = 0; pos <= len;) {
        uint32_t cp = 0;
        size_t n = pos < len ? rx_utf8_next(norm + pos, len - pos, &cp) : 0;
        int k = pos == len ? 0 : rx_is_han(cp) ? 1 : query_word_char(cp) ? 2 : 0;
        if (k != kind) {
            /* Han runs in ICU's words; a run ICU cannot split is one word */
            if ((kind == 1 &&
                 rx_segment(RX_SEG_ICU, norm + start, pos - start, add_word, &fq) != RX_OK) ||
                kind == 2)
                add_word(&fq, norm + start, pos - start);
            start = pos;
            kind = k;
        }
        if (pos == len)
            break;
        pos += n;
    }
    free(norm);
    return fq.words;
}

/* The snippet of ticket n's searchable text: its window that best matches
 * the query, with <mark>. */
static void add_snippet(cJSON *o, conn *c, long long n, const rx_query_plan *plan)
{
    sqlite3_stmt *st = stmt(c, S_FTS_TEXT);
    if (!st)
        return;
    sqlite3_bind_int64(st, 1, n);
    rx_buf snip = {0};
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        rx_snippet(&snip, text ? text : "", text ? strlen(text) : 0, plan, 60);
    }
    sqlite3_reset(st);
    cJSON_AddStringToObject(o, "snippet", snip.data ? snip.data : "");
    rx_buf_free(&snip);
}

/* A value for a statement whose text is built at run time. */
typedef struct {
    enum { BIND_TEXT, BIND_INT, BIND_REAL } type;
    const char *text; /* borrowed; must outlive the statement */
    long long num;
    double real;
} bindv;
#define B_TEXT(s) ((bindv){BIND_TEXT, (s), 0, 0})
#define B_INT(n) ((bindv){BIND_INT, NULL, (n), 0})
#define B_REAL(x) ((bindv){BIND_REAL, NULL, 0, (x)})

static void bind_all(sqlite3_stmt *st, const bindv *v, int n)
{
    for (int k = 0; k < n; k++) {
        if (v[k].type == BIND_TEXT)
            sqlite3_bind_text(st, k + 1, v[k].text, -1, SQLITE_STATIC);
        else if (v[k].type == BIND_INT)
            sqlite3_bind_int64(st, k + 1, v[k].num);
        else
            sqlite3_bind_double(st, k + 1, v[k].real);
    }
}

static int list_query(cJSON **out, rx_tickets *t, const rx_ticket_query *q, const rx_actor *who);

int rx_tickets_list(cJSON **out, rx_tickets *t, const rx_ticket_query *query, const rx_actor *who)
{
    rx_ticket_query q = *query;
    int role = actor_role(who);
    if (role == RX_ROLE_DEPARTMENT) {
        /* its own tickets only, whatever it asked for */
        if (!who->department || (q.department && strcmp(q.department, who->department) != 0)) {
            *out = cJSON_CreateObject();
            cJSON_AddNumberToObject(*out, "total", 0);
            cJSON_AddItemToObject(*out, "tickets", cJSON_CreateArray());
            return RX_OK;
        }
        q.department = who->department;
    }
    int rc = list_query(out, t, &q, who);
    if (rc == RX_OK && role >= 0)
        rx_ticket_mask(*out, RX_PII_MASKED);
    return rc;
}

static int list_query(cJSON **out, rx_tickets *t, const rx_ticket_query *q, const rx_actor *who)
{
    *out = NULL;
    rx_error_clear();
    double now = who->now;
    const rx_departments *departments = who->departments ? who->departments : t->departments;
    long today = rx_wf_day(now);
    rx_buf where = {0}, match = {0}, query = {0};
    bindv binds[32];
    int nb = 0;
    const char *dept = NULL;
    if (q->department) {
        dept = departments ? rx_departments_canonical(departments, q->department) : q->department;
        if (!dept)
            return rx_fail(RX_EVALUE, "unknown_department", "未知部门“%.*s”",
                           rx_utf8_clip(q->department, 200), q->department);
    }
    /* The access path, chosen by hand: SQLite has no statistics on how
     * skewed the statuses are (a million archived tickets, a few thousand
     * open ones), so
     *  - a filter on open statuses (or overdue) is selective: the status
     *    index drives, and the search match and the department are tests;
     *  - otherwise a search drives (the full-text index, newest rowid first
     *    or by rank), or else a department (its index, newest first);
     *  - otherwise the newest tickets, filtered. */
    unsigned mask = q->callback_queue ? 0 : q->status_mask;
    bool selective = (mask && !(mask & (1u << RX_ST_ARCHIVED))) || q->overdue ||
                     q->callback_queue || q->approval;
    enum {
        BY_TICKETS,
        BY_SEARCH,
        BY_DEPARTMENT
    } path = q->q && !selective            ? BY_SEARCH
             : dept && !q->q && !selective ? BY_DEPARTMENT
                                           : BY_TICKETS;
    if (q->q) {
        if (build_match(&match, q->q) == 0) {
            /* nothing searchable (only punctuation or function words) */
            *out = cJSON_CreateObject();
            cJSON_AddNumberToObject(*out, "total", 0);
            cJSON_AddBoolToObject(*out, "total_exact", true);
            cJSON_AddStringToObject(*out, "order", "relevance");
            cJSON_AddArrayToObject(*out, "tickets");
            rx_buf_free(&match);
            return RX_OK;
        }
        rx_buf_puts(&where,
                    path == BY_SEARCH
                        ? " AND ticket_fts MATCH ?"
                        : " AND t.n IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?)");
        binds[nb++] = B_TEXT(match.data);
    }
    if (mask) {
        rx_buf_puts(&where, " AND t.status IN (");
        int first = 1;
        for (int s = 0; s < RX_ST_COUNT; s++) {
            if (!(mask & (1u << s)))
                continue;
            rx_buf_puts(&where, first ? "?" : ",?");
            first = 0;
            binds[nb++] = B_TEXT(rx_status_name((rx_status)s));
        }
        rx_buf_putc(&where, ')');
    }
    if (dept) {
        rx_buf_puts(&where, path == BY_DEPARTMENT
                                ? " AND d.department = ?"
                                : " AND EXISTS (SELECT 1 FROM ticket_departments d "
                                  "WHERE d.ticket = t.n AND d.department = ?)");
        binds[nb++] = B_TEXT(dept);
    }
    if (q->category) {
        rx_buf_puts(&where, " AND t.category = ?");
        binds[nb++] = B_TEXT(q->category);
    }
    if (q->channel) {
        rx_buf_puts(&where, " AND t.channel = ?");
        binds[nb++] = B_TEXT(q->channel);
    }
    if (q->supervision) {
        rx_buf_puts(&where, " AND t.supervision = ?");
        binds[nb++] = B_INT(q->supervision);
    }
    if (q->supervised)
        rx_buf_puts(&where, " AND t.supervision > 0");
    if (q->was_overdue)
        rx_buf_puts(&where, " AND t.overdue_count > 0");
    if (q->overdue) {
        rx_buf_puts(&where, " AND t.status IN ('dispatched','accepted') AND t.deadline < ?");
        binds[nb++] = B_INT(today);
    }
    if (q->approval) /* the status index drives: a proposal waits only in these two */
        rx_buf_puts(&where, " AND t.status IN ('received','reopened') AND t.proposal IS NOT NULL");
    if (q->from != RX_DATE_INVALID) {
        rx_buf_puts(&where, " AND t.created_day >= ?");
        binds[nb++] = B_INT(q->from);
    }
    if (q->to != RX_DATE_INVALID) {
        rx_buf_puts(&where, " AND t.created_day <= ?");
        binds[nb++] = B_INT(q->to);
    }
    /* CROSS JOIN fixes the driving table as the first one */
    const char *from =
        path == BY_SEARCH
            ? " FROM ticket_fts CROSS JOIN tickets t ON t.n = ticket_fts.rowid WHERE 1"
        : path == BY_DEPARTMENT
            ? " FROM ticket_departments d CROSS JOIN tickets t ON t.n = d.ticket WHERE 1"
        : q->callback_queue
            ? " FROM tickets t INDEXED BY tickets_callback WHERE t.status = 'closed'"
        : selective ? " FROM tickets t INDEXED BY tickets_status WHERE 1"
                    : " FROM tickets t WHERE 1";
    const char *order = path == BY_SEARCH       ? " ORDER BY ticket_fts.rank"
                        : path == BY_DEPARTMENT ? " ORDER BY d.ticket DESC"
                        : q->callback_queue     ? " ORDER BY t.closed_at, t.n"
                        : q->category && !selective
                            ? " ORDER BY t.created_day DESC, t.n DESC" /* the category index */
                            : " ORDER BY t.n DESC";
    /* Ranking scores every match: over RANK_LIMIT matches (a common word
     * in a million tickets) the newest come first instead, and the answer
     * says so ("order"). A search under a selective filter is newest
     * first too. */
    enum { RANK_LIMIT = 2000 };
    conn *c = reader(t);
    if (!c) {
        rx_buf_free(&where);
        rx_buf_free(&match);
        return internal();
    }
    /* snippets mark the query's bigrams and words, as the knowledge base's do */
    rx_query_plan *plan = NULL;
    rx_analyzer an = {.flags = RX_AN_BIGRAM};
    if (q->q && rx_plan_query(&plan, &an, q->q, strlen(q->q)) != RX_OK)
        plan = NULL;
    cJSON *doc = cJSON_CreateObject(), *list = cJSON_CreateArray();
    int rc = RX_OK;
    sqlite3_stmt *st = NULL;
    bool own = c != &t->writer;
    if (own)
        sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    /* the total, counted up to a cap so that a list stays fast at scale */
    enum { COUNT_CAP = 10000 };
    /* a search or a department with no other filter is counted in its own
     * index alone */
    rx_buf_printf(&query, "SELECT count(*) FROM (SELECT 1%s%s LIMIT %d)",
                  path == BY_SEARCH && nb == 1       ? " FROM ticket_fts WHERE 1"
                  : path == BY_DEPARTMENT && nb == 1 ? " FROM ticket_departments d WHERE 1"
                                                     : from,
                  where.data ? where.data : "", COUNT_CAP + 1);
    long long total = 0;
    for (int pass = 0; pass < 2 && rc == RX_OK; pass++) {
        if (pass == 1) {
            if (path == BY_SEARCH && total > RANK_LIMIT)
                order = " ORDER BY ticket_fts.rowid DESC";
            rx_buf_reset(&query);
            rx_buf_printf(&query,
                          "SELECT t.n, t.id, t.status, t.channel, t.caller, t.phone, "
                          "t.address, t.area, t.category, t.content, t.created, "
                          "t.updated, t.created_by, t.level, t.lead, t.co, "
                          "t.approved_by, t.deadline_days, t.deadline, "
                          "t.marked_deadline, t.overdue_count, t.supervision, t.rework, "
                          "t.returns, t.round, t.callback_attempts, t.satisfaction, "
                          "t.discipline, t.first_contact, t.doc_ids, t.reply, "
                          "t.closed_at, t.version, t.proposal%s%s%s LIMIT ? OFFSET ?",
                          from, where.data ? where.data : "", order);
        }
        if (sqlite3_prepare_v2(c->db, query.data, -1, &st, NULL) != SQLITE_OK) {
            rc = db_error(c, "list");
            break;
        }
        bind_all(st, binds, nb);
        if (pass == 1) {
            sqlite3_bind_int(st, nb + 1, q->limit);
            sqlite3_bind_int(st, nb + 2, q->offset);
        }
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            if (pass == 0) {
                total = sqlite3_column_int64(st, 0);
                continue;
            }
            rx_ticket tk;
            memset(&tk, 0, sizeof tk);
            load_row(&tk, st);
            cJSON *o = rx_ticket_json(&tk, today);
            cJSON_AddItemToObject(o, "repeat_of", links_json(c, tk.rowid));
            if (plan)
                add_snippet(o, c, tk.rowid, plan);
            cJSON_AddItemToArray(list, o);
            rx_ticket_clear(&tk);
        }
        if (s != SQLITE_DONE)
            rc = db_error(c, "list");
        sqlite3_finalize(st);
        st = NULL;
    }
    if (own)
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    rx_buf_free(&where);
    rx_buf_free(&match);
    rx_buf_free(&query);
    rx_query_plan_free(plan);
    if (rc != RX_OK) {
        cJSON_Delete(doc);
        cJSON_Delete(list);
        return internal();
    }
    cJSON_AddNumberToObject(doc, "total", (double)(total > COUNT_CAP ? COUNT_CAP : total));
    cJSON_AddBoolToObject(doc, "total_exact", total <= COUNT_CAP);
    if (q->q)
        cJSON_AddStringToObject(doc, "order",
                                path == BY_SEARCH && total <= RANK_LIMIT ? "relevance" : "newest");
    cJSON_AddItemToObject(doc, "tickets", list);
    *out = doc;
    return RX_OK;
}

#define OPEN_SQL "('received','dispatched','accepted','replied','reopened')"
#define OPEN_SQL_CLOSED "('received','dispatched','accepted','replied','reopened','closed')"

int rx_tickets_counts(rx_tickets *t, double now, long long counts[RX_ST_COUNT], long long *overdue)
{
    memset(counts, 0, sizeof(long long) * RX_ST_COUNT);
    *overdue = 0;
    conn *c = reader(t);
    sqlite3_stmt *st;
    if (!c || sqlite3_prepare_v2(c->db,
                                 "SELECT status, count(*), sum(status IN ('dispatched','accepted') "
                                 "AND deadline < ?) FROM tickets INDEXED BY tickets_status "
                                 "WHERE status IN " OPEN_SQL_CLOSED " GROUP BY status",
                                 -1, &st, NULL) != SQLITE_OK)
        return c ? db_error(c, "counts") : RX_EIO;
    sqlite3_bind_int64(st, 1, rx_wf_day(now));
    while (sqlite3_step(st) == SQLITE_ROW) {
        int s = rx_status_find((const char *)sqlite3_column_text(st, 0));
        if (s >= 0)
            counts[s] = sqlite3_column_int64(st, 1);
        *overdue += sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return RX_OK;
}

/* ---- the overdue scanner ---- */

static const rx_actor system_actor = {.name = "system", .role = "system"};

/* Opens supervision kind on ticket n for rule, unless it already has that
 * kind or a higher one. Returns 1 when opened. */
static int escalate(rx_tickets *t, long long n, rx_supervision kind, const char *rule,
                    const char *note, const rx_wf_env *env)
{
    if (write_begin(t) != RX_OK)
        return 0;
    conn *c = &t->writer;
    rx_ticket tk;
    memset(&tk, 0, sizeof tk);
    int opened = 0;
    if (load(&tk, c, NULL, n) == RX_OK && tk.supervision < kind && rx_status_open(tk.status)) {
        rx_wf_input in = {.action = RX_ACT_SUPERVISE, .version = -1, .kind = kind};
        in.payload = cJSON_CreateObject();
        cJSON_AddStringToObject(in.payload, "kind", rx_supervision_name(kind));
        cJSON_AddStringToObject(in.payload, "rule", rule);
        cJSON_AddStringToObject(in.payload, "note", note);
        in.text = cJSON_GetObjectItemCaseSensitive(in.payload, "note")->valuestring;
        opened = apply_locked(c, &tk, &in, env, system_actor.name, system_actor.role) == RX_OK;
        rx_wf_input_clear(&in);
    }
    rx_ticket_clear(&tk);
    if (write_end(t, opened) != RX_OK)
        opened = 0;
    return opened;
}

/* Marks ticket n overdue for its current deadline (an overdue event) and
 * opens hotline supervision. Returns 1 when marked. */
static int mark_overdue(rx_tickets *t, long long n, const rx_wf_env *env, rx_scan_result *res)
{
    if (write_begin(t) != RX_OK)
        return 0;
    conn *c = &t->writer;
    rx_ticket tk;
    memset(&tk, 0, sizeof tk);
    int marked = 0;
    if (load(&tk, c, NULL, n) == RX_OK && rx_ticket_overdue(&tk, env->today) &&
        tk.marked_deadline != tk.deadline) {
        tk.overdue_count++;
        tk.marked_deadline = tk.deadline;
        cJSON *payload = cJSON_CreateObject();
        char day[11];
        rx_date_format(day, tk.deadline);
        cJSON_AddStringToObject(payload, "deadline", day);
        cJSON_AddNumberToObject(payload, "count", tk.overdue_count);
        marked = save(c, &tk, tk.status, "overdue", system_actor.name, system_actor.role, env->now,
                      payload) == RX_OK;
        cJSON_Delete(payload);
    }
    rx_ticket_clear(&tk);
    if (write_end(t, marked) != RX_OK)
        marked = 0;
    if (marked) {
        res->overdue++;
        res->escalated += escalate(t, n, RX_SUP_HOTLINE, "overdue",
                                   "工单超过办理时限未答复，自动启动热线督办", env);
    }
    return marked;
}

/* The rowids a query with integer binds returns (read on the reader). */
static long long *select_rows(rx_tickets *t, const char *query, const bindv *args, int nargs,
                              size_t *n)
{
    *n = 0;
    conn *c = reader(t);
    sqlite3_stmt *st;
    if (!c || sqlite3_prepare_v2(c->db, query, -1, &st, NULL) != SQLITE_OK) {
        if (c)
            db_error(c, "scan");
        return NULL;
    }
    bind_all(st, args, nargs);
    size_t cap = 0;
    long long *v = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            long long *grown = realloc(v, cap * sizeof *v);
            if (!grown)
                break;
            v = grown;
        }
        v[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

/* Opens supervision kind on every ticket the query selects; returns how
 * many were opened. */
static int escalate_where(rx_tickets *t, const char *query, const bindv *args, int nargs,
                          rx_supervision kind, const char *rule, const char *note,
                          const rx_wf_env *env)
{
    size_t n;
    long long *rows = select_rows(t, query, args, nargs, &n);
    int opened = 0;
    for (size_t k = 0; k < n; k++)
        opened += escalate(t, rows[k], kind, rule, note, env);
    free(rows);
    return opened;
}

int rx_tickets_scan(rx_tickets *t, double now, rx_scan_result *out)
{
    *out = (rx_scan_result){0};
    const rx_wf_rules *r = t->rules;
    rx_actor who = system_actor;
    who.now = now;
    char nowtext[32];
    rx_wf_env env = env_for(t, &who, nowtext);
    /* 1. overdue: dispatched or accepted, past the deadline, not yet marked */
    bindv a1[] = {B_INT(env.today)};
    size_t n;
    long long *rows = select_rows(t,
                                  "SELECT n FROM tickets WHERE status IN ('dispatched','accepted') "
                                  "AND deadline < ? AND marked_deadline IS NOT deadline",
                                  a1, 1, &n);
    for (size_t k = 0; k < n; k++)
        mark_overdue(t, rows[k], &env, out);
    free(rows);
    /* 2. joint: overdue again, or overdue with several departments */
    bindv a2[] = {B_INT(RX_SUP_JOINT), B_INT(r->joint_after_overdue), B_INT(env.today),
                  B_INT(r->joint_min_departments - 1)};
    out->escalated +=
        escalate_where(t,
                       "SELECT n FROM tickets WHERE status IN " OPEN_SQL
                       " AND supervision < ? AND (overdue_count >= ? OR "
                       "(status IN ('dispatched','accepted') AND deadline < ? "
                       "AND json_array_length(co) >= ?))",
                       a2, 4, RX_SUP_JOINT, "joint", "多次超期或多部门交叉，启动协同督办", &env);
    /* 3. media: a hot spot, many tickets on one topic in one area now; the
     * window's count against the pair's usual rate over the baseline */
    long window = env.today - r->media_window_days, base = window - r->media_baseline_days;
    bindv a3[] = {B_INT(window),
                  B_INT(r->media_min_tickets),
                  B_INT(base),
                  B_INT(window),
                  B_INT(RX_SUP_MEDIA),
                  B_INT(window),
                  B_REAL(r->media_spike_ratio * r->media_window_days / r->media_baseline_days)};
    /* both counts read the (day, category, area) index alone: without
     * statistics SQLite takes `category IS NOT NULL` to the category index
     * and walks all of it (1.0 s a pass at a million tickets against 0.4 s) */
    out->escalated +=
        escalate_where(t,
                       "WITH recent AS (SELECT category, area, count(*) AS c "
                       "    FROM tickets INDEXED BY tickets_created "
                       "    WHERE created_day >= ?1 AND category IS NOT NULL AND area IS NOT NULL "
                       "    GROUP BY category, area HAVING count(*) >= ?2), "
                       "  usual AS (SELECT category, area, count(*) AS c "
                       "    FROM tickets INDEXED BY tickets_created "
                       "    WHERE created_day >= ?3 AND created_day < ?4 "
                       "      AND category IN (SELECT category FROM recent) "
                       "    GROUP BY category, area), "
                       "  hot AS (SELECT r.category, r.area FROM recent r LEFT JOIN usual u "
                       "    ON u.category = r.category AND u.area = r.area "
                       "    WHERE r.c >= ?7 * coalesce(u.c, 0)) "
                       "SELECT t.n FROM hot h JOIN tickets t "
                       "  ON t.category = h.category AND t.area = h.area AND t.created_day >= ?6 "
                       "WHERE t.status IN " OPEN_SQL " AND t.supervision < ?5",
                       a3, 7, RX_SUP_MEDIA, "media",
                       "同一区域同类诉求近期集中反映（热点问题），启动媒体督办", &env);
    /* 4. leader: repeated failure, or a major case */
    cJSON *majors = rx_strings_to_json(r->leader_categories, r->nleader_categories);
    char *major = cJSON_PrintUnformatted(majors);
    cJSON_Delete(majors);
    bindv a4[] = {B_INT(RX_SUP_LEADER), B_INT(r->leader_after_rounds),
                  B_INT(r->leader_after_rework), B_INT(r->leader_after_overdue),
                  B_TEXT(major ? major : "[]")};
    out->escalated +=
        escalate_where(t,
                       "SELECT n FROM tickets WHERE status IN " OPEN_SQL
                       " AND supervision < ?1 AND (round >= ?2 OR rework >= ?3 OR "
                       "overdue_count >= ?4 OR category IN (SELECT value FROM json_each(?5)))",
                       a4, 5, RX_SUP_LEADER, "leader",
                       "多次督办无果、反复不满意或重大民生事项，启动领导督办", &env);
    free(major);
    return RX_OK;
}

/* ---- bulk loading ---- */

int rx_tickets_batch(rx_tickets *t, int (*fn)(void *ctx, rx_tickets *t), void *ctx)
{
    int rc = write_begin(t);
    if (rc != RX_OK)
        return rc;
    tls_batch = t->serial; /* the store's calls from fn join this transaction */
    rc = fn(ctx, t);
    tls_batch = 0;
    int end = write_end(t, rc == RX_OK);
    return rc == RX_OK ? end : rc;
}

/* ---- what assist learns from ---- */

int rx_tickets_signals(rx_tickets *t, long long after, int max, rx_signal_fn fn, void *ctx,
                       long long *last)
{
    *last = after;
    conn *c = reader(t);
    sqlite3_stmt *st;
    /* the department of an event is the lead of the dispatch it answers:
     * the latest dispatch at or before it */
    if (!c || sqlite3_prepare_v2(
                  c->db,
                  "SELECT e.n, e.ticket, e.action, unixepoch(e.at), e.from_status, "
                  "  json_extract(e.payload, '$.level'), json_extract(e.payload, '$.doc_ids'), "
                  "  t.content, t.address, t.area, "
                  "  (SELECT json_extract(d.payload, '$.lead') FROM ticket_events d "
                  "    WHERE d.ticket = e.ticket AND d.n <= e.n AND d.action = 'dispatch' "
                  "    ORDER BY d.n DESC LIMIT 1), "
                  "  CASE WHEN e.action = 'resolve_first_contact' THEN (SELECT "
                  "    group_concat(l.query, char(10)) FROM ticket_lookups l "
                  "    WHERE l.ticket = e.ticket AND l.kind = 'search') END "
                  "FROM ticket_events e JOIN tickets t ON t.n = e.ticket "
                  "WHERE e.n > ?1 AND e.action IN ('dispatch', 'return', 'accept', 'approve', "
                  "  'resolve_first_contact') "
                  "ORDER BY e.n LIMIT ?2",
                  -1, &st, NULL) != SQLITE_OK)
        return c ? db_error(c, "signals") : RX_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, max);
    int s, rc = RX_OK;
    while (rc == RX_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        rx_signal sig = {
            .event = sqlite3_column_int64(st, 0),
            .ticket = sqlite3_column_int64(st, 1),
            .action = (const char *)sqlite3_column_text(st, 2),
            .at = (double)sqlite3_column_int64(st, 3),
            .from_status = (const char *)sqlite3_column_text(st, 4),
            .level = (const char *)sqlite3_column_text(st, 5),
            .doc_ids = (const char *)sqlite3_column_text(st, 6),
            .content = (const char *)sqlite3_column_text(st, 7),
            .address = (const char *)sqlite3_column_text(st, 8),
            .area = (const char *)sqlite3_column_text(st, 9),
            .department = (const char *)sqlite3_column_text(st, 10),
            .lookups = (const char *)sqlite3_column_text(st, 11),
        };
        rc = fn(ctx, &sig);
        if (rc == RX_OK)
            *last = sig.event;
    }
    if (rc == RX_OK && s != SQLITE_DONE)
        rc = db_error(c, "signals");
    sqlite3_finalize(st);
    return rc;
}

/* ---- what statistics read ---- */

int rx_tickets_feed(rx_tickets *t, long long after, int max, rx_feed_fn fn, void *ctx,
                    long long *last)
{
    *last = after;
    conn *c = reader(t);
    sqlite3_stmt *st;
    if (!c ||
        sqlite3_prepare_v2(c->db,
                           "SELECT e.n, e.ticket, t.id, e.action, e.actor, unixepoch(e.at), "
                           "  e.from_status, e.to_status, e.payload, t.created_day, "
                           "  t.created_by, t.channel, t.category, t.area, t.content, t.address "
                           "FROM ticket_events e JOIN tickets t ON t.n = e.ticket "
                           "WHERE e.n > ?1 ORDER BY e.n LIMIT ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return c ? db_error(c, "feed") : RX_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, max);
    int s, rc = RX_OK;
    while (rc == RX_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        rx_feed_event e = {
            .event = sqlite3_column_int64(st, 0),
            .ticket = sqlite3_column_int64(st, 1),
            .ticket_id = (const char *)sqlite3_column_text(st, 2),
            .action = (const char *)sqlite3_column_text(st, 3),
            .actor = (const char *)sqlite3_column_text(st, 4),
            .at = (double)sqlite3_column_int64(st, 5),
            .from_status = (const char *)sqlite3_column_text(st, 6),
            .to_status = (const char *)sqlite3_column_text(st, 7),
            .payload = (const char *)sqlite3_column_text(st, 8),
            .created_day = (long)sqlite3_column_int64(st, 9),
            .created_by = (const char *)sqlite3_column_text(st, 10),
            .channel = (const char *)sqlite3_column_text(st, 11),
            .category = (const char *)sqlite3_column_text(st, 12),
            .area = (const char *)sqlite3_column_text(st, 13),
            .content = (const char *)sqlite3_column_text(st, 14),
            .address = (const char *)sqlite3_column_text(st, 15),
        };
        rc = fn(ctx, &e);
        if (rc == RX_OK)
            *last = e.event;
    }
    if (rc == RX_OK && s != SQLITE_DONE)
        rc = db_error(c, "feed");
    sqlite3_finalize(st);
    return rc;
}

int rx_tickets_lookup_feed(rx_tickets *t, long long after, int max, rx_lookup_fn fn, void *ctx,
                           long long *last)
{
    *last = after;
    conn *c = reader(t);
    sqlite3_stmt *st;
    if (!c || sqlite3_prepare_v2(c->db,
                                 "SELECT n, ticket, unixepoch(at), actor, query, total, top, "
                                 "  kind, confident "
                                 "FROM ticket_lookups WHERE n > ?1 ORDER BY n LIMIT ?2",
                                 -1, &st, NULL) != SQLITE_OK)
        return c ? db_error(c, "lookup feed") : RX_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, max);
    int s, rc = RX_OK;
    while (rc == RX_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        rx_lookup_event l = {
            .n = sqlite3_column_int64(st, 0),
            .ticket = sqlite3_column_int64(st, 1),
            .at = (double)sqlite3_column_int64(st, 2),
            .actor = (const char *)sqlite3_column_text(st, 3),
            .query = (const char *)sqlite3_column_text(st, 4),
            .total = sqlite3_column_int64(st, 5),
            .top = (const char *)sqlite3_column_text(st, 6),
            .open = !strcmp((const char *)sqlite3_column_text(st, 7), "open"),
            .confident = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 8),
        };
        rc = fn(ctx, &l);
        if (rc == RX_OK)
            *last = l.n;
    }
    if (rc == RX_OK && s != SQLITE_DONE)
        rc = db_error(c, "lookup feed");
    sqlite3_finalize(st);
    return rc;
}

/* A past ticket's outcome, in a word for the call-taker's list. */
static const char *outcome_of(const char *status, int first_contact, const char *satisfaction)
{
    if (first_contact)
        return "first_contact";
    if (satisfaction && *satisfaction && strcmp(status, "reopened") != 0)
        return satisfaction;
    if (!strcmp(status, "closed") || !strcmp(status, "archived"))
        return "closed";
    if (!strcmp(status, "reopened"))
        return "unsatisfied";
    return "open";
}

int rx_tickets_similar(cJSON **out, rx_tickets *t, const char *match, const char *exclude_id,
                       long long since, int limit)
{
    *out = NULL;
    conn *c = reader(t);
    sqlite3_stmt *st;
    /* bm25 weights: the case text; replies and notes say little about what
     * the caller asked */
    /* the ranking inside FTS5 first (its rank column, bm25 over the case
     * text only), then the few best joined to their tickets */
    if (!c ||
        sqlite3_prepare_v2(
            c->db,
            "SELECT t.id, t.status, t.content, t.lead, t.first_contact, "
            "  t.satisfaction, t.reply, t.returns, m.r, t.doc_ids "
            "FROM (SELECT rowid AS k, rank AS r FROM ticket_fts "
            "  WHERE ticket_fts MATCH ?1 AND rank MATCH 'bm25(1.0, 0.0, 0.0)' AND rowid >= ?4 "
            "  ORDER BY rank LIMIT ?3 + 1) m "
            "JOIN tickets t ON t.n = m.k WHERE t.id != ?2 "
            "ORDER BY m.r LIMIT ?3",
            -1, &st, NULL) != SQLITE_OK)
        return c ? db_error(c, "similar") : RX_EIO;
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, exclude_id ? exclude_id : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, limit);
    sqlite3_bind_int64(st, 4, since);
    cJSON *list = cJSON_CreateArray();
    int s;
    while (list && (s = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        const char *status = (const char *)sqlite3_column_text(st, 1);
        cJSON_AddStringToObject(o, "id", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(o, "status", status);
        cJSON_AddStringToObject(o, "content", (const char *)sqlite3_column_text(st, 2));
        const char *lead = (const char *)sqlite3_column_text(st, 3);
        cJSON_AddItemToObject(o, "lead", lead ? cJSON_CreateString(lead) : cJSON_CreateNull());
        cJSON_AddStringToObject(o, "outcome",
                                outcome_of(status, sqlite3_column_int(st, 4),
                                           (const char *)sqlite3_column_text(st, 5)));
        const char *reply = (const char *)sqlite3_column_text(st, 6);
        if (reply)
            cJSON_AddStringToObject(o, "reply", reply);
        cJSON_AddNumberToObject(o, "returns", sqlite3_column_int(st, 7));
        /* the documents a call resolved on the spot was answered with */
        const char *docs = (const char *)sqlite3_column_text(st, 9);
        cJSON *dl =
            sqlite3_column_int(st, 4) && docs && strcmp(docs, "[]") != 0 ? cJSON_Parse(docs) : NULL;
        if (cJSON_IsArray(dl) && cJSON_GetArraySize(dl) > 0)
            cJSON_AddItemToObject(o, "documents", dl);
        else
            cJSON_Delete(dl);
        cJSON_AddNumberToObject(o, "score", -sqlite3_column_double(st, 8));
        cJSON_AddItemToArray(list, o);
    }
    if (list && s != SQLITE_DONE) {
        int rc = sqlite3_errcode(c->db) == SQLITE_ERROR
                     ? rx_fail(RX_EINVALID, "invalid_query", "相似工单检索式无效")
                     : db_error(c, "similar");
        sqlite3_finalize(st);
        cJSON_Delete(list);
        return rc;
    }
    sqlite3_finalize(st);
    if (!list)
        return rx_fail(RX_EIO, "internal", "内存不足");
    rx_ticket_mask(list, RX_PII_MASKED);
    *out = list;
    return RX_OK;
}

/* The value of a one-number query (a max over a rowid), or -1. */
static long long one_number(rx_tickets *t, const char *query)
{
    conn *c = reader(t);
    sqlite3_stmt *st;
    if (!c || sqlite3_prepare_v2(c->db, query, -1, &st, NULL) != SQLITE_OK)
        return -1;
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

int rx_tickets_term_docs(rx_tickets *t, const char *term, size_t len, long long since, int cap,
                         long long *docs)
{
    *docs = 0;
    /* the term as an FTS5 string; a bigram never holds a double quote, but
     * any other term is refused rather than misread */
    if (memchr(term, '"', len))
        return rx_error_set(RX_EINVALID, "term holds a double quote");
    char q[64];
    if (len + 3 > sizeof q)
        return rx_error_set(RX_EINVALID, "term is %zu bytes long", len);
    q[0] = '"';
    memcpy(q + 1, term, len);
    q[len + 1] = '"';
    q[len + 2] = 0;
    conn *c = reader(t);
    sqlite3_stmt *st = c ? stmt(c, S_TERM_DOCS) : NULL;
    if (!st)
        return RX_EIO;
    sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int(st, 3, cap);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *docs = sqlite3_column_int64(st, 0);
    int rc = s == SQLITE_ROW ? RX_OK : db_error(c, "term docs");
    sqlite3_reset(st); /* ends the read, and q is this frame's */
    return rc;
}

long long rx_tickets_count(rx_tickets *t)
{
    return one_number(t, "SELECT max(n) FROM tickets");
}

long long rx_tickets_last_event(rx_tickets *t)
{
    return one_number(t, "SELECT coalesce(max(n), 0) FROM ticket_events");
}

long long rx_tickets_last_lookup(rx_tickets *t)
{
    return one_number(t, "SELECT coalesce(max(n), 0) FROM ticket_lookups");
}

int rx_tickets_optimize(rx_tickets *t)
{
    if (write_begin(t) != RX_OK)
        return internal();
    int rc = sqlite3_exec(t->writer.db, "INSERT INTO ticket_fts(ticket_fts) VALUES('optimize')",
                          NULL, NULL, NULL) == SQLITE_OK
                 ? RX_OK
                 : db_error(&t->writer, "optimize");
    int end = write_end(t, rc == RX_OK);
    return rc == RX_OK ? end : rc;
}
