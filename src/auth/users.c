/* Users and bearer tokens: random 32-byte tokens (libsodium), stored as
 * BLAKE2b hashes so that a copy of the database grants nothing. */
#include "rexian/users.h"
#include "rexian/error.h"
#include "rexian/text.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "rx_"

bool rx_role_valid(const char *role)
{
    return role && (!strcmp(role, "agent") || !strcmp(role, "supervisor") ||
                    !strcmp(role, "trainer") || !strcmp(role, "admin"));
}

static void token_hash(char out[65], const char *token)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int rx_user_add(char **token, sqlite3 *db, const char *name, const char *role)
{
    *token = NULL;
    size_t nl = name ? strlen(name) : 0;
    if (nl == 0 || rx_utf8_count(name, nl) > 64 || !rx_utf8_valid(name, nl, NULL))
        return rx_error_set(RX_EINVALID, "user name must be 1 to 64 characters of UTF-8");
    if (!rx_role_valid(role))
        return rx_error_set(RX_EINVALID, "role must be agent, supervisor, trainer or admin");
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
    token_hash(hash, t);
    sqlite3_stmt *st;
    int rc = RX_OK;
    if (sqlite3_prepare_v2(db, "INSERT INTO users(name, role, token_hash) VALUES(?,?,?)", -1, &st,
                           NULL) != SQLITE_OK) {
        free(t);
        return rx_error_set(RX_EIO, "users: %s", sqlite3_errmsg(db));
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_CONSTRAINT)
        rc = rx_error_set(RX_ECONFLICT, "a user named '%s' already exists", name);
    else if (s != SQLITE_DONE)
        rc = rx_error_set(RX_EIO, "users: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (rc != RX_OK) {
        free(t);
        return rc;
    }
    *token = t;
    return RX_OK;
}

int rx_user_count(sqlite3 *db, size_t *out)
{
    *out = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM users", -1, &st, NULL) != SQLITE_OK)
        return rx_error_set(RX_EIO, "users: %s", sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return RX_OK;
}

int rx_user_auth(sqlite3 *db, const char *token, char **name, char **role)
{
    *name = *role = NULL;
    if (!token || strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 || strlen(token) > 128)
        return rx_error_set(RX_ENOTFOUND, "unknown token");
    char hash[65];
    token_hash(hash, token);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT name, role FROM users WHERE token_hash = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return rx_error_set(RX_EIO, "users: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    int rc = rx_error_set(RX_ENOTFOUND, "unknown token");
    if (sqlite3_step(st) == SQLITE_ROW) {
        *name = strdup((const char *)sqlite3_column_text(st, 0));
        *role = strdup((const char *)sqlite3_column_text(st, 1));
        rc = *name && *role ? RX_OK : rx_error_set(RX_ENOMEM, "out of memory");
    }
    sqlite3_finalize(st);
    return rc;
}

int rx_user_list(cJSON **out, sqlite3 *db)
{
    *out = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT name, role, created FROM users ORDER BY id", -1, &st,
                           NULL) != SQLITE_OK)
        return rx_error_set(RX_EIO, "users: %s", sqlite3_errmsg(db));
    cJSON *arr = cJSON_CreateArray();
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *u = cJSON_CreateObject();
        cJSON_AddStringToObject(u, "name", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(u, "role", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddStringToObject(u, "created", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddItemToArray(arr, u);
    }
    sqlite3_finalize(st);
    *out = arr;
    return RX_OK;
}
