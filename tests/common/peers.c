/* FTS5 trigram peer (see peers.h). */
#include "peers.h"

#include "rexian/error.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

sqlite3 *fts_peer_open(const char *path, const rx_doc *docs, size_t n)
{
    struct stat st;
    bool exists = strcmp(path, ":memory:") != 0 && stat(path, &st) == 0 && st.st_size > 0;
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return NULL;
    if (exists)
        return db;
    sqlite3_exec(db,
                 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                 "CREATE VIRTUAL TABLE d USING fts5(id UNINDEXED, title, body, "
                 "tokenize='trigram')",
                 NULL, NULL, NULL);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *st2;
    sqlite3_prepare_v2(db, "INSERT INTO d(id,title,body) VALUES(?,?,?)", -1, &st2, NULL);
    for (size_t k = 0; k < n; k++) {
        sqlite3_bind_text(st2, 1, docs[k].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st2, 2, docs[k].title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st2, 3, docs[k].body, -1, SQLITE_STATIC);
        sqlite3_step(st2);
        sqlite3_reset(st2);
    }
    sqlite3_finalize(st2);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return db;
}

/* The query's character trigrams, each quoted, OR'd. */
static char *fts_query(const char *q)
{
    char *norm;
    size_t len;
    if (rx_text_normalize(&norm, &len, q, strlen(q)) != RX_OK)
        return NULL;
    size_t offs[1025], n = 0;
    for (size_t i = 0; i < len && n < 1024;) {
        uint32_t cp;
        offs[n++] = i;
        i += rx_utf8_next(norm + i, len - i, &cp);
    }
    offs[n] = len;
    rx_buf b = {0};
    for (size_t i = 0; i + 3 <= n; i++) {
        bool blank = false;
        for (size_t k = offs[i]; k < offs[i + 3]; k++)
            blank |= norm[k] == ' ' || norm[k] == '"';
        if (blank)
            continue;
        if (b.len)
            rx_buf_puts(&b, " OR ");
        rx_buf_putc(&b, '"');
        rx_buf_append(&b, norm + offs[i], offs[i + 3] - offs[i]);
        rx_buf_putc(&b, '"');
    }
    free(norm);
    return rx_buf_steal(&b);
}

size_t fts_peer_search(char **got, size_t max, sqlite3 *db, const char *q)
{
    char *expr = fts_query(q);
    size_t n = 0;
    if (expr && *expr) {
        sqlite3_stmt *st;
        sqlite3_prepare_v2(db,
                           "SELECT id FROM d WHERE d MATCH ? ORDER BY bm25(d, 0, 5.0, 1.0) "
                           "LIMIT ?",
                           -1, &st, NULL);
        sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, (int)max);
        while (n < max && sqlite3_step(st) == SQLITE_ROW)
            got[n++] = strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    free(expr);
    return n;
}
