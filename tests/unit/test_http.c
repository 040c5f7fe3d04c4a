/* The HTTP application without a socket: routing, authentication and the
 * error shapes, over a real (in-memory) SQLite store and a real index. */
#include "rexian/app.h"
#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/store.h"
#include "rexian/text.h"
#include "rexian/users.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"

typedef struct {
    sqlite3 *db;
    rx_app *app;
    char *admin, *agent;
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rexian-unit-http.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    char path[256], zjj[256], idx[256];
    snprintf(path, sizeof path, "%s/corpus", fx->dir);
    mkdir(path, 0755);
    snprintf(zjj, sizeof zjj, "%s/corpus/zjj", fx->dir);
    mkdir(zjj, 0755);
    write_file(path, "departments.txt", "市住房和城乡建设局 住建局\n");
    write_file(zjj, "zjj-1.md",
               "---\nid: zjj-1\ntitle: 住宅装修施工时段规定\ndepartment: 住建局\ntype: policy\n"
               "effective: 2024-01-01\n---\n工作日中午禁止产生噪声的装修作业。\n");
    snprintf(idx, sizeof idx, "%s/idx", fx->dir);
    rx_build_opts o = {.corpus_dir = path, .index_dir = idx};
    rx_build_stats st;
    rx_diags d = {0};
    assert_int_equal(rx_build(&st, &o, &d), RX_OK);
    rx_diags_free(&d);
    assert_int_equal(rx_store_open(&fx->db, ":memory:"), RX_OK);
    assert_int_equal(rx_users_migrate(fx->db), RX_OK);
    assert_int_equal(rx_user_add(&fx->admin, fx->db, "admin", "admin", NULL), RX_OK);
    assert_int_equal(rx_user_add(&fx->agent, fx->db, "王芳", "agent", NULL), RX_OK);
    rx_app_config ac = {.index_path = idx, .corpus_path = path, .db = fx->db};
    assert_int_equal(rx_app_new(&fx->app, &ac), RX_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    rx_app_free(fx->app);
    sqlite3_close(fx->db);
    free(fx->admin);
    free(fx->agent);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* Dispatches a request and returns the response (caller frees the body). */
static rx_http_response call(fixture *fx, const char *method, const char *path, const char *token,
                             const char *body, const char *param_key, const char *param_value)
{
    char auth[256];
    rx_http_request req = {.method = method,
                           .path = path,
                           .body = body ? body : "",
                           .body_len = body ? strlen(body) : 0};
    if (token) {
        snprintf(auth, sizeof auth, "Bearer %s", token);
        req.authorization = auth;
    }
    if (param_key) {
        req.params[0] = (rx_kv){param_key, param_value};
        req.nparams = 1;
    }
    rx_http_response res = {0};
    rx_app_dispatch(fx->app, &req, &res);
    return res;
}

static void expect(rx_http_response *res, int status, const char *needle)
{
    if (res->status != status || !strstr(res->body.data ? res->body.data : "", needle))
        fail_msg("got %d %s; wanted %d with %s", res->status, res->body.data, status, needle);
    rx_buf_free(&res->body);
}

static void healthz_needs_no_token(void **state)
{
    fixture *fx = *state;
    rx_http_response r = call(fx, "GET", "/healthz", NULL, NULL, NULL, NULL);
    expect(&r, 200, "\"documents\":1");
}

static void unknown_route_is_404_json(void **state)
{
    fixture *fx = *state;
    rx_http_response r = call(fx, "GET", "/api/v1/nope", fx->admin, NULL, NULL, NULL);
    expect(&r, 404, "{\"error\":{\"code\":\"not_found\"");
}

static void wrong_method_is_405_with_allow(void **state)
{
    fixture *fx = *state;
    rx_http_response r = call(fx, "DELETE", "/api/v1/search", fx->admin, NULL, NULL, NULL);
    assert_string_equal(r.allow, "GET");
    expect(&r, 405, "method_not_allowed");
}

static void search_needs_a_valid_token(void **state)
{
    fixture *fx = *state;
    rx_http_response r = call(fx, "GET", "/api/v1/search", NULL, NULL, "q", "装修");
    expect(&r, 401, "unauthorized");
    r = call(fx, "GET", "/api/v1/search", "rx_not-a-token", NULL, "q", "装修");
    expect(&r, 401, "令牌无效");
    r = call(fx, "GET", "/api/v1/search", fx->agent, NULL, "q", "装修");
    expect(&r, 200, "\"id\":\"zjj-1\"");
}

static void admin_routes_need_the_admin_role(void **state)
{
    fixture *fx = *state;
    rx_http_response r = call(fx, "GET", "/api/v1/admin/users", fx->agent, NULL, NULL, NULL);
    expect(&r, 403, "forbidden");
    r = call(fx, "GET", "/api/v1/admin/users", fx->admin, NULL, NULL, NULL);
    expect(&r, 200, "\"name\":\"王芳\"");
}

static void search_parameters_are_checked(void **state)
{
    fixture *fx = *state;
    rx_http_response r = call(fx, "GET", "/api/v1/search", fx->agent, NULL, "limit", "5");
    expect(&r, 400, "missing_query");
    r = call(fx, "GET", "/api/v1/search", fx->agent, NULL, "q", "\xff\xfe");
    expect(&r, 400, "invalid_utf8");
}

static void created_user_token_works(void **state)
{
    fixture *fx = *state;
    rx_http_response r = call(fx, "POST", "/api/v1/admin/users", fx->admin,
                              "{\"name\":\"李强\",\"role\":\"supervisor\"}", NULL, NULL);
    assert_int_equal(r.status, 201);
    const char *t = strstr(r.body.data, "\"token\":\"");
    assert_non_null(t);
    char token[128];
    snprintf(token, sizeof token, "%.*s", (int)strcspn(t + 9, "\""), t + 9);
    rx_buf_free(&r.body);
    r = call(fx, "GET", "/api/v1/docs/zjj-1", token, NULL, NULL, NULL);
    expect(&r, 200, "工作日中午");
    r = call(fx, "POST", "/api/v1/admin/users", fx->admin, "{\"name\":\"李强\",\"role\":\"agent\"}",
             NULL, NULL);
    expect(&r, 409, "user_exists");
    r = call(fx, "POST", "/api/v1/admin/users", fx->admin, "{\"name\":\"x\",\"role\":\"boss\"}",
             NULL, NULL);
    expect(&r, 422, "invalid_role");
    r = call(fx, "POST", "/api/v1/admin/users", fx->admin, "not json", NULL, NULL);
    expect(&r, 400, "invalid_json");
}

static void reindex_job_runs_and_reports(void **state)
{
    fixture *fx = *state;
    rx_http_response r =
        call(fx, "POST", "/api/v1/admin/reindex", fx->admin, "{\"full\":true}", NULL, NULL);
    expect(&r, 202, "\"job\":\"1\"");
    /* wait for the background job */
    for (int i = 0; i < 3000; i++) { /* up to 30 s on a loaded machine */
        r = call(fx, "GET", "/api/v1/admin/reindex/1", fx->admin, NULL, NULL, NULL);
        bool running = strstr(r.body.data, "\"status\":\"running\"") != NULL;
        if (!running)
            break;
        rx_buf_free(&r.body);
        usleep(10000);
    }
    expect(&r, 200, "\"status\":\"done\"");
    r = call(fx, "GET", "/healthz", NULL, NULL, NULL, NULL);
    expect(&r, 200, "\"generation\":2");
    r = call(fx, "GET", "/api/v1/admin/reindex/99", fx->admin, NULL, NULL, NULL);
    expect(&r, 404, "not_found");
}

/* Removes a database file and its WAL and shared-memory files. */
static void remove_db(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t k = 0; k < 3; k++) {
        char f[256];
        snprintf(f, sizeof f, "%s%s", path, suffix[k]);
        unlink(f);
    }
}

static void store_refuses_a_newer_schema(void **state)
{
    (void)state;
    char path[] = "/tmp/rexian-unit-db.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sqlite3 *db;
    assert_int_equal(rx_store_open(&db, path), RX_OK);
    assert_int_equal(rx_users_migrate(db), RX_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE schema_versions SET version = 99 WHERE module = 'users'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(rx_store_open(&db, path), RX_OK);
    assert_int_equal(rx_users_migrate(db), RX_EINVALID);
    assert_non_null(strstr(rx_error_last(), "newer"));
    sqlite3_close(db);
    remove_db(path);
}

/* A database made before versions were kept per module (user_version 2,
 * the first users table) is migrated in place: its users and their tokens
 * are kept, and they gain the department column and the audit log. */
static void a_legacy_database_is_migrated(void **state)
{
    (void)state;
    char path[] = "/tmp/rexian-unit-legacy.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char hash[65];
    rx_token_hash(hash, "rx_legacytoken");
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
             " role TEXT NOT NULL CHECK (role IN ('agent','supervisor','trainer','admin')),"
             " token_hash TEXT NOT NULL UNIQUE, created TEXT NOT NULL DEFAULT 'x');"
             "INSERT INTO users(name, role, token_hash) VALUES('老用户', 'supervisor', '%s');"
             "PRAGMA user_version=2;",
             hash);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(rx_store_open(&db, path), RX_OK);
    assert_int_equal(rx_users_migrate(db), RX_OK);
    rx_principal who;
    assert_int_equal(rx_user_auth(db, "rx_legacytoken", &who), RX_OK);
    assert_string_equal(who.name, "老用户");
    assert_int_equal(who.role, RX_ROLE_SUPERVISOR);
    char *token = NULL;
    assert_int_equal(rx_user_add(&token, db, "承办", "department", "市水务局"), RX_OK);
    free(token);
    assert_int_equal(rx_audit(db, "老用户", "supervisor", "test", NULL, NULL), RX_OK);
    assert_int_equal(rx_users_migrate(db), RX_OK); /* idempotent */
    sqlite3_close(db);
    remove_db(path);
}

static void strict_json_bodies_are_refused(void **state)
{
    fixture *fx = *state;
    static const char *const bad[] = {
        "{\"name\":\"甲\",\"role\":\"agent\",\"role\":\"admin\"}",        /* a key twice */
        "{\"name\":\"乙\",\"role\":\"agent\"} x",                         /* trailing data */
        "{\"name\":\"丙\\u0000admin\",\"role\":\"agent\"}",               /* NUL in a string */
        "{\"name\":\"丁\",\"role\":\"agent\",\"x\":[{\"a\":1,\"a\":2}]}", /* nested */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        rx_http_response r = call(fx, "POST", "/api/v1/admin/users", fx->admin, bad[k], NULL, NULL);
        expect(&r, 400, "invalid_json");
    }
    size_t users = 0;
    assert_int_equal(rx_user_count(fx->db, &users), RX_OK);
    assert_int_equal(users, 2); /* nothing stored */
    rx_http_response r = call(fx, "POST", "/api/v1/admin/users", fx->admin,
                              "{\"name\":\"戊\",\"role\":\"agent\"}  \n", NULL, NULL);
    expect(&r, 201, "\"token\":\"rx_");
}

static void one_table_maps_core_codes_to_statuses(void **state)
{
    (void)state;
    assert_int_equal(rx_http_status_of(RX_EINVALID), 400);
    assert_int_equal(rx_http_status_of(RX_EUNAUTH), 401);
    assert_int_equal(rx_http_status_of(RX_EFORBIDDEN), 403);
    assert_int_equal(rx_http_status_of(RX_ENOTFOUND), 404);
    assert_int_equal(rx_http_status_of(RX_ECONFLICT), 409);
    assert_int_equal(rx_http_status_of(RX_ETOOBIG), 413);
    assert_int_equal(rx_http_status_of(RX_EVALUE), 422);
    assert_int_equal(rx_http_status_of(RX_EBUSY), 503);
    assert_int_equal(rx_http_status_of(RX_EIO), 500);
    assert_int_equal(rx_http_status_of(-999), 500);
}

static void revoked_token_is_refused_at_once(void **state)
{
    fixture *fx = *state;
    rx_http_response r = call(fx, "GET", "/api/v1/search", fx->agent, NULL, "q", "装修");
    expect(&r, 200, "\"hits\"");
    r = call(fx, "POST", "/api/v1/admin/users/王芳/revoke", fx->agent, NULL, NULL, NULL);
    expect(&r, 403, "forbidden"); /* only an admin revokes */
    r = call(fx, "POST", "/api/v1/admin/users/王芳/revoke", fx->admin, NULL, NULL, NULL);
    expect(&r, 200, "\"revoked\":true");
    r = call(fx, "GET", "/api/v1/search", fx->agent, NULL, "q", "装修");
    expect(&r, 401, "unauthorized");
    cJSON *log = NULL;
    assert_int_equal(rx_audit_list(&log, fx->db, 10), RX_OK);
    char *s = cJSON_PrintUnformatted(log);
    assert_non_null(strstr(s, "\"action\":\"user_revoke\",\"target\":\"王芳\""));
    free(s);
    cJSON_Delete(log);
}

static void an_error_message_cut_stays_utf8(void **state)
{
    fixture *fx = *state;
    char path[2048] = "/api/v1/";
    for (int k = 0; k < 600; k++)
        strcat(path, "中");
    rx_http_response r = call(fx, "GET", path, fx->admin, NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_true(rx_utf8_valid(r.body.data, r.body.len, NULL));
    cJSON *doc = cJSON_Parse(r.body.data);
    assert_non_null(doc);
    cJSON_Delete(doc);
    rx_buf_free(&r.body);
}

/* Where each kind of request runs: health checks, metrics and files on the
 * socket's thread, what a call-taker waits on in the first lane, reports,
 * casebooks and admin work behind it (a route with an {id} too). */
static void routes_choose_their_lane(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path;
        rx_http_lane lane;
    } cases[] = {
        {"GET", "/healthz", RX_HTTP_INLINE},
        {"GET", "/metrics", RX_HTTP_INLINE},
        {"GET", "/index.html", RX_HTTP_INLINE},
        {"GET", "/api/v1/search", RX_HTTP_INTERACTIVE},
        {"GET", "/api/v1/tickets/ZZ20261206-000001/assist", RX_HTTP_INTERACTIVE},
        {"POST", "/api/v1/tickets/ZZ20261206-000001/actions", RX_HTTP_INTERACTIVE},
        {"GET", "/api/v1/nope", RX_HTTP_INTERACTIVE},
        {"GET", "/api/v1/stats/warnings", RX_HTTP_BACKGROUND},
        {"GET", "/api/v1/casebooks/cb-1", RX_HTTP_BACKGROUND},
        {"POST", "/api/v1/admin/imports", RX_HTTP_BACKGROUND},
        {"GET", "/api/v1/admin/reindex/job-1", RX_HTTP_BACKGROUND},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rx_http_request req = {.method = cases[k].method, .path = cases[k].path};
        rx_http_lane got = rx_app_offload(NULL, &req);
        if (got != cases[k].lane)
            fail_msg("%s %s: lane %d, want %d", cases[k].method, cases[k].path, (int)got,
                     (int)cases[k].lane);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(healthz_needs_no_token, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_route_is_404_json, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_method_is_405_with_allow, setup, teardown),
        cmocka_unit_test_setup_teardown(search_needs_a_valid_token, setup, teardown),
        cmocka_unit_test_setup_teardown(admin_routes_need_the_admin_role, setup, teardown),
        cmocka_unit_test_setup_teardown(search_parameters_are_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(created_user_token_works, setup, teardown),
        cmocka_unit_test_setup_teardown(reindex_job_runs_and_reports, setup, teardown),
        cmocka_unit_test(store_refuses_a_newer_schema),
        cmocka_unit_test(a_legacy_database_is_migrated),
        cmocka_unit_test_setup_teardown(strict_json_bodies_are_refused, setup, teardown),
        cmocka_unit_test(one_table_maps_core_codes_to_statuses),
        cmocka_unit_test(routes_choose_their_lane),
        cmocka_unit_test_setup_teardown(revoked_token_is_refused_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(an_error_message_cut_stays_utf8, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
