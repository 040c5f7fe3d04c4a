/* Users, their bearer tokens and the audit log. A token is shown once, when
 * created; the database keeps only its hash. Every table these functions
 * touch is theirs (src/auth/users.c, src/auth/audit.c). */
#ifndef REXIAN_USERS_H
#define REXIAN_USERS_H

#include "rexian/roles.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* Creates or migrates the users, tokens and audit tables in db (after
 * rx_store_open; before any other function here). */
int rx_users_migrate(sqlite3 *db);

/* Creates a user (name: 1..64 characters, unique) and returns a fresh token
 * in *token (caller frees). department is required for the department role
 * and refused for the others; the caller canonicalises it. RX_ECONFLICT if
 * the name exists, RX_EINVALID / RX_EVALUE for a bad name, role or
 * department. */
int rx_user_add(char **token, sqlite3 *db, const char *name, const char *role,
                const char *department);

/* Revokes name's token: it stops working at once for this process's
 * caches that call rx_user_auth again, and the user is kept (listed as
 * revoked) for the audit log. RX_ENOTFOUND if no such user. */
int rx_user_revoke(sqlite3 *db, const char *name);

/* Number of users. */
int rx_user_count(sqlite3 *db, size_t *out);

/* Who holds a token. */
typedef struct {
    char name[200];
    rx_role role;
    char department[200]; /* "" unless role is department */
} rx_principal;

/* The live (not revoked) user holding token, or RX_EUNAUTH. The token's
 * hash is looked up and compared in constant time; the token itself is
 * never logged or stored. */
int rx_user_auth(sqlite3 *db, const char *token, rx_principal *out);

/* The hash under which a token is stored (hex), for caches keyed by it. */
void rx_token_hash(char out[65], const char *token);

/* [{"name","role","department"?,"created","revoked"?}...] oldest first. */
int rx_user_list(cJSON **out, sqlite3 *db);

/* Appends to the audit log (who, role, action, target, detail); nothing
 * can change or delete a row once written. detail may be NULL. */
int rx_audit(sqlite3 *db, const char *user, const char *role, const char *action,
             const char *target, const char *detail);

/* The latest audit rows, newest first: [{"at","user","role","action",
 * "target","detail"}...]. */
int rx_audit_list(cJSON **out, sqlite3 *db, int limit);

#endif
