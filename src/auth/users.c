/* Users and bearer tokens: random 32-byte tokens (libsodium), stored as
 * BLAKE2b hashes so that a copy of the database grants nothing; the audit
 * log beside them. */
#include "rexian/users.h"
#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "rx_"

/* The users, tokens and audit tables, one step per version. */
static const char *const steps[] = {
    /* 1: users and tokens */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  role TEXT NOT NULL CHECK (role IN ('agent','supervisor','trainer','admin')),"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))"
    ");",
    /* 2: the department role (bound to one department), revocable tokens,
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

/* Before versions were kept per module: user_version 1 and 2 both had
 * step 1 (the users table) and nothing of step 2. */
static int legacy(int user_version)
{
    return user_version >= 1 ? 1 : 0;
}

int rx_users_migrate(sqlite3 *db)
{
    static const rx_schema schema = {"users", steps, (int)(sizeof steps / sizeof steps[0]), legacy};
    return rx_store_migrate(db, &schema);
}

void rx_token_hash(char out[65], const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static bool text_ok(const char *s, size_t max_chars)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && rx_utf8_valid(s, n, NULL) && rx_utf8_count(s, n) <= max_chars;
}

int rx_user_add(char **token, sqlite3 *db, const char *name, const char *role,
                const char *department)
{
    *token = NULL;
    if (!text_ok(name, 64))
        return rx_fail(RX_EVALUE, "invalid_name", "用户名必须是 1 到 64 个字符的 UTF-8 文本");
    int r = rx_role_find(role);
    if (r < 0)
        return rx_fail(RX_EVALUE, "invalid_role",
                       "角色必须是 agent、supervisor、department、trainer 或 admin");
    if (r == RX_ROLE_DEPARTMENT && !text_ok(department, 64))
        return rx_fail(RX_EVALUE, "department_required",
                       "承办单位（department）角色必须指定所属部门");
    if (r != RX_ROLE_DEPARTMENT && department && *department)
        return rx_fail(RX_EVALUE, "invalid_department", "只有承办单位（department）角色绑定部门");
    if (sodium_init() < 0)
        return rx_error_set(RX_EIO, "libsodium failed to initialise");
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t tl = strlen(TOKEN_PREFIX) + strlen(b64) + 1;
    char *t = malloc(tl);
    if (!t)
        return rx_error_set(RX_ENOMEM, "out of memory");
    snprintf(t, tl, "%s%s", TOKEN_PREFIX, b64);
    char hash[65];
    rx_token_hash(hash, t);
    sqlite3_stmt *st;
    int rc = RX_OK;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO users(name, role, department, token_hash) VALUES(?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK) {
        free(t);
        return rx_store_fail(db, "users");
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    if (r == RX_ROLE_DEPARTMENT)
        sqlite3_bind_text(st, 3, department, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_CONSTRAINT)
        rc = rx_fail(RX_ECONFLICT, "user_exists", "用户 %s 已存在", name);
    else if (s != SQLITE_DONE)
        rc = rx_store_fail(db, "users");
    sqlite3_finalize(st);
    sodium_memzero(raw, sizeof raw);
    if (rc != RX_OK) {
        free(t);
        return rc;
    }
    *token = t;
    return RX_OK;
}

int rx_user_revoke(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db,
            "UPDATE users SET token_hash = NULL, revoked = "
            "strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE name = ? AND revoked IS NULL",
            -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(db, "users");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return rx_store_fail(db, "users");
    if (sqlite3_changes(db) == 0)
        return rx_fail(RX_ENOTFOUND, "user_not_found", "没有名为 %.*s 的有效用户",
                       rx_utf8_clip(name ? name : "", 64), name ? name : "");
    return RX_OK;
}

int rx_user_count(sqlite3 *db, size_t *out)
{
    *out = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM users", -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(db, "users");
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return RX_OK;
}

int rx_user_auth(sqlite3 *db, const char *token, rx_principal *out)
{
    memset(out, 0, sizeof *out);
    if (!token || strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 || strlen(token) > 128)
        return rx_fail(RX_EUNAUTH, "unauthorized", "令牌无效或已失效");
    char hash[65];
    rx_token_hash(hash, token);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, role, department, token_hash FROM users "
                           "WHERE token_hash = ? AND revoked IS NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(db, "users");
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    int rc = rx_fail(RX_EUNAUTH, "unauthorized", "令牌无效或已失效");
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        const char *stored = (const char *)sqlite3_column_text(st, 3);
        const char *dep = (const char *)sqlite3_column_text(st, 2);
        int r = rx_role_find((const char *)sqlite3_column_text(st, 1));
        /* the index found the row by the hash; compare it again in
         * constant time so that no timing depends on how much matched */
        if (r >= 0 && stored && strlen(stored) == 64 && sodium_memcmp(stored, hash, 64) == 0) {
            snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 0));
            snprintf(out->department, sizeof out->department, "%s", dep ? dep : "");
            out->role = (rx_role)r;
            rc = RX_OK;
        }
    } else if (s != SQLITE_DONE) {
        rc = rx_store_fail(db, "users");
    }
    sqlite3_finalize(st);
    return rc;
}

int rx_user_list(cJSON **out, sqlite3 *db)
{
    *out = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, role, department, created, revoked FROM users ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(db, "users");
    cJSON *arr = cJSON_CreateArray();
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *u = cJSON_CreateObject();
        cJSON_AddStringToObject(u, "name", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(u, "role", (const char *)sqlite3_column_text(st, 1));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL)
            cJSON_AddStringToObject(u, "department", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddStringToObject(u, "created", (const char *)sqlite3_column_text(st, 3));
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            cJSON_AddStringToObject(u, "revoked", (const char *)sqlite3_column_text(st, 4));
        cJSON_AddItemToArray(arr, u);
    }
    sqlite3_finalize(st);
    *out = arr;
    return RX_OK;
}

int rx_audit(sqlite3 *db, const char *user, const char *role, const char *action,
             const char *target, const char *detail)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO audit_log(user, role, action, target, detail) "
                           "VALUES(?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(db, "audit");
    sqlite3_bind_text(st, 1, user ? user : "-", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, role ? role : "-", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, target, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? RX_OK : rx_store_fail(db, "audit");
}

int rx_audit_list(cJSON **out, sqlite3 *db, int limit)
{
    *out = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT at, user, role, action, target, detail FROM audit_log "
                           "ORDER BY id DESC LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(db, "audit");
    sqlite3_bind_int(st, 1, limit);
    cJSON *arr = cJSON_CreateArray();
    static const char *const keys[] = {"at", "user", "role", "action", "target", "detail"};
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *row = cJSON_CreateObject();
        for (int k = 0; k < 6; k++)
            if (sqlite3_column_type(st, k) != SQLITE_NULL)
                cJSON_AddStringToObject(row, keys[k], (const char *)sqlite3_column_text(st, k));
        cJSON_AddItemToArray(arr, row);
    }
    sqlite3_finalize(st);
    *out = arr;
    return RX_OK;
}
