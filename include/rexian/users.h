/* Users and their bearer tokens. A token is shown once, when created; the
 * database keeps only its hash. */
#ifndef REXIAN_USERS_H
#define REXIAN_USERS_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* Roles, weakest first. */
bool rx_role_valid(const char *role);

/* Creates a user (name: 1..64 characters, unique) and returns a fresh token
 * in *token (caller frees). RX_ECONFLICT if the name exists, RX_EINVALID for
 * a bad name or role. */
int rx_user_add(char **token, sqlite3 *db, const char *name, const char *role);

/* Number of users. */
int rx_user_count(sqlite3 *db, size_t *out);

/* The user holding token: name and role (caller frees), or RX_ENOTFOUND. */
int rx_user_auth(sqlite3 *db, const char *token, char **name, char **role);

/* [{"name","role","created"}...] oldest first. */
int rx_user_list(cJSON **out, sqlite3 *db);

#endif
