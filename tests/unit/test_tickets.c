/* The ticket workflow over a real SQLite database on disk: the transition
 * table walked cell by cell, the dispatch rules, working-day deadlines,
 * racing actions, unique ids, the overdue scanner and escalation, repeat
 * complaints, Chinese case search, and the append-only event log. */
#include "rexian/error.h"
#include "rexian/http.h"
#include "rexian/store.h"
#include "rexian/tickets.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/tickets/fts.h"

typedef struct {
    char dir[64], db[96];
    rx_wf_setup setup;
    rx_tickets *t;
    double now;
} fixture;

/* 2026-09-30 10:00 in Shanghai, the day before the National Day holiday. */
static double day_at(const char *date, int hour)
{
    return (double)rx_date_parse(date, 10) * 86400 + (hour - 8) * 3600;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rexian-unit-tickets.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->db, sizeof fx->db, "%s/rexian.db", fx->dir);
    sqlite3 *db;
    assert_int_equal(rx_store_open(&db, fx->db), RX_OK);
    sqlite3_close(db);
    rx_diags diags = {0};
    assert_int_equal(rx_wf_setup_load(&fx->setup, "corpus", "etc/workflow.conf", &diags), RX_OK);
    assert_int_equal(diags.n, 0);
    assert_non_null(fx->setup.departments);
    assert_non_null(fx->setup.calendar);
    assert_int_equal(rx_tickets_open(&fx->t, fx->db, fx->setup.departments, fx->setup.calendar,
                                     &fx->setup.rules),
                     RX_OK);
    fx->now = day_at("2026-09-30", 10);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    rx_tickets_free(fx->t);
    rx_wf_setup_clear(&fx->setup);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

/* Closes the store and opens its database raw, to make it look older. */
static sqlite3 *raw_database(fixture *fx)
{
    rx_tickets_free(fx->t);
    fx->t = NULL;
    sqlite3 *db;
    assert_int_equal(rx_store_open(&db, fx->db), RX_OK);
    return db;
}

/* Opens the store (again): the migrations a raw edit left run. */
static void open_store(fixture *fx)
{
    assert_int_equal(rx_tickets_open(&fx->t, fx->db, fx->setup.departments, fx->setup.calendar,
                                     &fx->setup.rules),
                     RX_OK);
}

/* Leaves the database as an older rexian would have (sql, which also sets
 * the schema version back), then opens the store on it. */
static void as_left_by_older_rexian(fixture *fx, const char *sql)
{
    sqlite3 *db = raw_database(fx);
    assert_int_equal(rx_tickets_register_fts(db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    open_store(fx);
}

/* An admin: may take every action, so the state machine is tested alone (roles: test_roles.sh). */
static rx_actor agent(double now)
{
    return (rx_actor){.name = "小王", .role = "admin", .now = now};
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsNumber(v));
    return (int)v->valuedouble;
}

/* Creates a ticket and returns its id (static buffer per call site use). */
static void create(fixture *fx, char id[32], const char *json)
{
    cJSON *body = cJSON_Parse(json), *out;
    assert_non_null(body);
    rx_actor who = agent(fx->now);
    int rc = rx_tickets_create(&out, fx->t, body, &who);
    if (rc != RX_OK)
        fail_msg("create: %d %s %s", rc, rx_error_reason(), rx_error_last());
    snprintf(id, 32, "%s", str(out, "id"));
    cJSON_Delete(out);
    cJSON_Delete(body);
}

/* Takes an action; returns the HTTP-like status (200 or the error's). */
static int act(fixture *fx, const char *id, const char *json, cJSON **out)
{
    cJSON *body = cJSON_Parse(json), *res = NULL;
    assert_non_null(body);
    rx_actor who = agent(fx->now);
    int rc = rx_tickets_act(&res, fx->t, id, body, &who);
    cJSON_Delete(body);
    if (out)
        *out = res;
    else
        cJSON_Delete(res);
    if (rc == RX_OK)
        return 200;
    assert_true(rx_error_code() == rc);
    assert_true(rx_error_last()[0] != 0);
    return rx_http_status_of(rc);
}

static void must(fixture *fx, const char *id, const char *json)
{
    cJSON *out;
    int status = act(fx, id, json, &out);
    if (status != 200)
        fail_msg("%s on %s: %d", json, id, status);
    cJSON_Delete(out);
}

static cJSON *get(fixture *fx, const char *id)
{
    cJSON *out;
    assert_int_equal(rx_tickets_get(&out, fx->t, id,
                                    &(rx_actor){.name = "t", .role = "supervisor", .now = fx->now}),
                     RX_OK);
    return out;
}

#define NEW_TICKET "{\"channel\":\"phone\",\"content\":\"小区门口下水道堵了，污水漫到路上\"}"
#define DISPATCH "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"城管局\"}"

/* ---- the transition table as test data (DESIGN.md, written out) ---- */

static const char *const status_order[RX_ST_COUNT] = {
    "received", "dispatched", "accepted", "replied", "closed", "reopened", "archived"};

/* How to bring a fresh ticket to each status. */
static const char *const path_to[RX_ST_COUNT][6] = {
    {NULL},
    {DISPATCH, NULL},
    {DISPATCH, "{\"action\":\"accept\"}", NULL},
    {DISPATCH, "{\"action\":\"accept\"}", "{\"action\":\"reply\",\"text\":\"已疏通\"}", NULL},
    {DISPATCH, "{\"action\":\"accept\"}", "{\"action\":\"reply\",\"text\":\"已疏通\"}",
     "{\"action\":\"approve\"}", NULL},
    {DISPATCH, "{\"action\":\"accept\"}", "{\"action\":\"reply\",\"text\":\"已疏通\"}",
     "{\"action\":\"approve\"}", "{\"action\":\"callback\",\"result\":\"unsatisfied\"}", NULL},
    {DISPATCH, "{\"action\":\"accept\"}", "{\"action\":\"reply\",\"text\":\"已疏通\"}",
     "{\"action\":\"approve\"}", "{\"action\":\"callback\",\"result\":\"satisfied\"}", NULL},
};

/* Each action with a valid payload, and where it leads from each status
 * (NULL: illegal, 409). */
static const struct {
    const char *body;
    const char *to[RX_ST_COUNT];
} table[] = {
    {"{\"action\":\"resolve_first_contact\",\"doc_ids\":[]}",
     {"closed", NULL, NULL, NULL, NULL, NULL, NULL}},
    {DISPATCH, {"dispatched", NULL, NULL, NULL, NULL, "dispatched", NULL}},
    {"{\"action\":\"return\",\"reason\":\"不属于本单位职责\"}",
     {NULL, "received", NULL, NULL, NULL, NULL, NULL}},
    {"{\"action\":\"accept\"}", {NULL, "accepted", NULL, NULL, NULL, NULL, NULL}},
    {"{\"action\":\"reply\",\"text\":\"已安排疏通\"}",
     {NULL, NULL, "replied", NULL, NULL, NULL, NULL}},
    {"{\"action\":\"approve\"}", {NULL, NULL, NULL, "closed", NULL, NULL, NULL}},
    {"{\"action\":\"reject\",\"reason\":\"答复未说明时间\"}",
     {NULL, NULL, NULL, "dispatched", NULL, NULL, NULL}},
    {"{\"action\":\"extend\",\"deadline_days\":3,\"reason\":\"需现场勘查\"}",
     {NULL, "dispatched", "accepted", NULL, NULL, NULL, NULL}},
    {"{\"action\":\"supervise\",\"kind\":\"hotline\",\"note\":\"电话催办\"}",
     {"received", "dispatched", "accepted", "replied", NULL, "reopened", NULL}},
    {"{\"action\":\"callback\",\"result\":\"satisfied\"}",
     {NULL, NULL, NULL, NULL, "archived", NULL, NULL}},
    {"{\"action\":\"refer_discipline\",\"note\":\"敷衍答复\"}",
     {"received", "dispatched", "accepted", "replied", "closed", "reopened", "archived"}},
    {"{\"action\":\"request_approval\",\"level\":\"consult\",\"lead\":\"城管局\","
     "\"co\":[\"住建局\"],\"note\":\"涉及两个部门\"}",
     {"received", NULL, NULL, NULL, NULL, "reopened", NULL}},
};

static void every_cell_of_the_transition_table(void **state)
{
    fixture *fx = *state;
    assert_int_equal(sizeof table / sizeof table[0], RX_ACT_COUNT);
    int legal = 0, illegal = 0;
    for (size_t a = 0; a < RX_ACT_COUNT; a++) {
        for (int s = 0; s < RX_ST_COUNT; s++) {
            char id[32];
            create(fx, id, NEW_TICKET);
            for (int k = 0; path_to[s][k]; k++)
                must(fx, id, path_to[s][k]);
            cJSON *before = get(fx, id);
            assert_string_equal(str(before, "status"), status_order[s]);
            int version = num(before, "version");
            cJSON *out = NULL;
            int status = act(fx, id, table[a].body, &out);
            if (table[a].to[s]) {
                if (status != 200)
                    fail_msg("%s from %s: expected 200, got %d", table[a].body, status_order[s],
                             status);
                assert_string_equal(str(out, "status"), table[a].to[s]);
                assert_int_equal(num(out, "version"), version + 1);
                cJSON *events = cJSON_GetObjectItemCaseSensitive(out, "events");
                cJSON *last = cJSON_GetArrayItem(events, version);
                assert_string_equal(str(last, "from"), status_order[s]);
                assert_string_equal(str(last, "to"), table[a].to[s]);
                legal++;
            } else {
                if (status != 409)
                    fail_msg("%s from %s: expected 409, got %d", table[a].body, status_order[s],
                             status);
                cJSON *after = get(fx, id);
                assert_int_equal(num(after, "version"), version); /* nothing recorded */
                assert_string_equal(str(after, "status"), status_order[s]);
                cJSON_Delete(after);
                illegal++;
            }
            cJSON_Delete(out);
            cJSON_Delete(before);
        }
    }
    assert_int_equal(legal + illegal, RX_ACT_COUNT * RX_ST_COUNT);
    assert_int_equal(legal, 25);
}

static void callback_outcomes(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id, NEW_TICKET);
    for (int k = 0; path_to[RX_ST_CLOSED][k]; k++)
        must(fx, id, path_to[RX_ST_CLOSED][k]);
    cJSON *out;
    /* unsatisfied: 二次办理, round 2, then the loop again */
    assert_int_equal(act(fx, id, "{\"action\":\"callback\",\"result\":\"unsatisfied\"}", &out),
                     200);
    assert_string_equal(str(out, "status"), "reopened");
    assert_int_equal(num(out, "round"), 2);
    cJSON_Delete(out);
    for (int k = 0; path_to[RX_ST_CLOSED][k]; k++)
        must(fx, id, path_to[RX_ST_CLOSED][k]);
    /* unreachable twice: still closed; the third time archives */
    for (int k = 1; k <= 3; k++) {
        assert_int_equal(act(fx, id, "{\"action\":\"callback\",\"result\":\"unreachable\"}", &out),
                         200);
        assert_string_equal(str(out, "status"), k < 3 ? "closed" : "archived");
        assert_int_equal(num(out, "callback_attempts"), k);
        cJSON_Delete(out);
    }
    assert_int_equal(act(fx, id, "{\"action\":\"callback\",\"result\":\"satisfied\"}", NULL), 409);
    char id2[32];
    create(fx, id2, NEW_TICKET);
    for (int k = 0; path_to[RX_ST_CLOSED][k]; k++)
        must(fx, id2, path_to[RX_ST_CLOSED][k]);
    assert_int_equal(act(fx, id2, "{\"action\":\"callback\",\"result\":\"maybe\"}", NULL), 422);
    assert_int_equal(
        act(fx, id2, "{\"action\":\"callback\",\"result\":\"basically_satisfied\"}", &out), 200);
    assert_string_equal(str(out, "status"), "archived");
    assert_string_equal(str(out, "satisfaction"), "basically_satisfied");
    cJSON_Delete(out);
}

static void dispatch_rules_by_level(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id, NEW_TICKET);
    static const struct {
        const char *body;
        int status;
    } cases[] = {
        {"{\"action\":\"dispatch\",\"level\":\"consult\",\"lead\":\"住建局\","
         "\"approved_by\":\"副秘书长\"}",
         422}, /* no co-handler */
        {"{\"action\":\"dispatch\",\"level\":\"consult\",\"lead\":\"住建局\",\"co\":[\"城管局\"]}",
         400}, /* no approver */
        {"{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"住建局\",\"co\":[\"城管局\"]"
         "}",
         422}, /* one department only */
        {"{\"action\":\"dispatch\",\"level\":\"leader\",\"lead\":\"住建局\"}", 400},
        {"{\"action\":\"dispatch\",\"level\":\"urgent\",\"lead\":\"住建局\"}", 422},
        {"{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"火星局\"}", 422},
        {"{\"action\":\"dispatch\",\"level\":\"immediate\"}", 400},
        {"{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"住建局\","
         "\"deadline_days\":0}",
         422},
        {"{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"住建局\","
         "\"deadline_days\":\"5\"}",
         400},
        {"{\"action\":\"dispatch\",\"level\":\"consult\",\"lead\":\"住建局\",\"co\":[\"住建局\"],"
         "\"approved_by\":\"副秘书长\"}",
         422}, /* co same as lead */
        {"{\"action\":\"fly\"}", 400},
        {"[1]", 400},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int status = act(fx, id, cases[k].body, NULL);
        if (status != cases[k].status)
            fail_msg("%s: expected %d, got %d", cases[k].body, cases[k].status, status);
    }
    cJSON *out;
    assert_int_equal(act(fx, id,
                         "{\"action\":\"dispatch\",\"level\":\"consult\",\"lead\":\"住建局\","
                         "\"co\":[\"城管局\",\"市生态环境局\"],\"approved_by\":\"市政府办副主任\"}",
                         &out),
                     200);
    /* aliases stored canonical */
    assert_string_equal(str(out, "lead"),
                        rx_departments_canonical(fx->setup.departments, "住建局"));
    assert_string_not_equal(str(out, "lead"), "住建局");
    const cJSON *co = cJSON_GetObjectItemCaseSensitive(out, "co");
    assert_int_equal(cJSON_GetArraySize(co), 2);
    assert_string_equal(cJSON_GetArrayItem(co, 0)->valuestring,
                        rx_departments_canonical(fx->setup.departments, "城管局"));
    assert_string_equal(str(out, "level"), "consult");
    assert_int_equal(num(out, "deadline_days"), fx->setup.rules.deadline_days[RX_LEVEL_CONSULT]);
    cJSON_Delete(out);
    /* the co-handler finds it by its own name */
    rx_ticket_query q = {
        .department = "市生态环境局", .from = RX_DATE_INVALID, .to = RX_DATE_INVALID, .limit = 10};
    assert_int_equal(
        rx_tickets_list(&out, fx->t, &q,
                        &(rx_actor){.name = "t", .role = "supervisor", .now = fx->now}),
        RX_OK);
    assert_int_equal(num(out, "total"), 1);
    cJSON_Delete(out);
    q.department = "没有这个部门";
    assert_int_not_equal(
        rx_tickets_list(&out, fx->t, &q,
                        &(rx_actor){.name = "t", .role = "supervisor", .now = fx->now}),
        RX_OK);
    assert_int_equal(rx_http_status_of(rx_error_code()), 422);
}

static void deadlines_count_working_days(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id, NEW_TICKET);
    cJSON *out;
    /* dispatched Wed 2026-09-30: 10-01..07 are holidays, 10-08 Thu, 10-09 Fri,
     * 10-10 a Saturday worked (调休) */
    assert_int_equal(act(fx, id,
                         "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"城管局\","
                         "\"deadline_days\":3}",
                         &out),
                     200);
    assert_string_equal(str(out, "deadline"), "2026-10-10");
    cJSON_Delete(out);
    /* extend by 2 working days: Mon 10-12, Tue 10-13 */
    assert_int_equal(
        act(fx, id, "{\"action\":\"extend\",\"deadline_days\":2,\"reason\":\"需协调物业\"}", &out),
        200);
    assert_string_equal(str(out, "deadline"), "2026-10-13");
    cJSON_Delete(out);
    assert_int_equal(act(fx, id, "{\"action\":\"extend\",\"deadline_days\":2}", NULL), 400);
}

/* ---- concurrency ---- */

typedef struct {
    fixture *fx;
    const char *id;
    const char *body;
    pthread_barrier_t *go;
    int status;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    pthread_barrier_wait(r->go);
    r->status = act(r->fx, r->id, r->body, NULL);
    return NULL;
}

static void two_racing_actions_one_wins(void **state)
{
    fixture *fx = *state;
    for (int round = 0; round < 20; round++) {
        char id[32];
        create(fx, id, NEW_TICKET);
        must(fx, id, DISPATCH);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        racer r[2] = {{fx, id, "{\"action\":\"accept\"}", &go, 0},
                      {fx, id, "{\"action\":\"return\",\"reason\":\"不是我们的\"}", &go, 0}};
        pthread_t th[2];
        for (int k = 0; k < 2; k++)
            pthread_create(&th[k], NULL, race, &r[k]);
        for (int k = 0; k < 2; k++)
            pthread_join(th[k], NULL);
        pthread_barrier_destroy(&go);
        assert_true((r[0].status == 200 && r[1].status == 409) ||
                    (r[0].status == 409 && r[1].status == 200));
        cJSON *t = get(fx, id);
        assert_int_equal(num(t, "version"), 3); /* create, dispatch, the winner */
        const cJSON *events = cJSON_GetObjectItemCaseSensitive(t, "events");
        assert_int_equal(cJSON_GetArraySize(events), 3);
        const char *winner = str(cJSON_GetArrayItem(events, 2), "action");
        assert_string_equal(winner, r[0].status == 200 ? "accept" : "return");
        assert_string_equal(str(t, "status"), r[0].status == 200 ? "accepted" : "received");
        cJSON_Delete(t);
    }
}

typedef struct {
    fixture *fx;
    char ids[50][32];
} creator;

static void *create_many(void *arg)
{
    creator *c = arg;
    for (int k = 0; k < 50; k++)
        create(c->fx, c->ids[k], NEW_TICKET);
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void ids_are_unique_under_concurrency(void **state)
{
    fixture *fx = *state;
    creator c[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        c[k].fx = fx;
        pthread_create(&th[k], NULL, create_many, &c[k]);
    }
    char all[200][32];
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        memcpy(all[k * 50], c[k].ids, sizeof c[k].ids);
    }
    qsort(all, 200, 32, cmp_str);
    for (int k = 0; k < 200; k++) {
        char want[32];
        snprintf(want, sizeof want, "ZZ20260930-%06d", k + 1);
        assert_string_equal(all[k], want);
    }
}

/* ---- the scanner ---- */

static const char *last_action(const cJSON *t)
{
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(t, "events");
    return str(cJSON_GetArrayItem(events, cJSON_GetArraySize(events) - 1), "action");
}

static void scanner_marks_overdue_and_escalates(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id, NEW_TICKET);
    must(fx, id,
         "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"城管局\",\"deadline_days\":"
         "1}");
    rx_scan_result r;
    assert_int_equal(rx_tickets_scan(fx->t, fx->now, &r), RX_OK);
    assert_int_equal(r.overdue, 0);
    /* the deadline is 2026-10-08; on 10-09 it is overdue */
    fx->now = day_at("2026-10-09", 9);
    assert_int_equal(rx_tickets_scan(fx->t, fx->now, &r), RX_OK);
    assert_int_equal(r.overdue, 1);
    assert_int_equal(r.escalated, 1);
    cJSON *t = get(fx, id);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "overdue")));
    assert_string_equal(str(t, "supervision"), "hotline");
    assert_int_equal(num(t, "overdue_count"), 1);
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(t, "events");
    const cJSON *overdue = cJSON_GetArrayItem(events, 2);
    assert_string_equal(str(overdue, "action"), "overdue");
    assert_string_equal(str(overdue, "actor"), "system");
    assert_string_equal(str(overdue, "who"), "system"); /* DESIGN's word for the actor */
    assert_string_equal(str(overdue, "when"), str(overdue, "at"));
    assert_string_equal(last_action(t), "supervise");
    cJSON_Delete(t);
    /* the same deadline is not marked twice */
    assert_int_equal(rx_tickets_scan(fx->t, fx->now, &r), RX_OK);
    assert_int_equal(r.overdue + r.escalated, 0);
    /* extended, missed again: the second overdue opens joint supervision */
    must(fx, id, "{\"action\":\"extend\",\"deadline_days\":1,\"reason\":\"需协调\"}");
    fx->now = day_at("2026-10-20", 9);
    assert_int_equal(rx_tickets_scan(fx->t, fx->now, &r), RX_OK);
    assert_int_equal(r.overdue, 1);
    t = get(fx, id);
    assert_string_equal(str(t, "supervision"), "joint");
    assert_int_equal(num(t, "overdue_count"), 2);
    cJSON_Delete(t);
    /* a lower kind by hand is refused */
    assert_int_equal(act(fx, id, "{\"action\":\"supervise\",\"kind\":\"hotline\"}", NULL), 409);
}

static void scanner_media_and_leader_rules(void **state)
{
    fixture *fx = *state;
    /* media: many tickets on one topic in one area */
    char ids[12][32];
    for (int k = 0; k < fx->setup.rules.media_min_tickets; k++)
        create(fx, ids[k],
               "{\"channel\":\"phone\",\"category\":\"排水\",\"address\":\"芦淞区建设路\","
               "\"content\":\"一下雨路面就积水，车都开不过去\"}");
    char other[32];
    create(fx, other,
           "{\"channel\":\"phone\",\"category\":\"排水\",\"address\":\"天元区泰山路\","
           "\"content\":\"一下雨路面就积水\"}");
    /* leader: a major category */
    char major[32];
    create(fx, major,
           "{\"channel\":\"phone\",\"category\":\"公共安全\",\"address\":\"石峰区\","
           "\"content\":\"老旧居民楼外墙开裂，随时可能掉落\"}");
    /* a busy but steady topic is not a hot spot: one ticket a day for the
     * baseline, then as many as the minimum in the window */
    cJSON *steady = cJSON_Parse("{\"channel\":\"phone\",\"category\":\"供水\","
                                "\"address\":\"天元区黄河路\",\"content\":\"水压小\"}");
    for (int d = 0; d < fx->setup.rules.media_baseline_days + fx->setup.rules.media_window_days;
         d++) {
        rx_actor who = agent(fx->now - 86400.0 * (d + 1));
        cJSON *out;
        assert_int_equal(rx_tickets_create(&out, fx->t, steady, &who), RX_OK);
        cJSON_Delete(out);
    }
    cJSON_Delete(steady);
    char busy[32];
    for (int k = 0; k < fx->setup.rules.media_min_tickets; k++)
        create(fx, busy,
               "{\"channel\":\"phone\",\"category\":\"供水\",\"address\":\"天元区黄河路\","
               "\"content\":\"水压小\"}");
    rx_scan_result r;
    assert_int_equal(rx_tickets_scan(fx->t, fx->now, &r), RX_OK);
    assert_int_equal(r.escalated, fx->setup.rules.media_min_tickets + 1);
    cJSON *b = get(fx, busy);
    assert_null(str(b, "supervision"));
    cJSON_Delete(b);
    cJSON *t = get(fx, ids[0]);
    assert_string_equal(str(t, "supervision"), "media");
    assert_string_equal(str(t, "area"), "芦淞区");
    cJSON_Delete(t);
    t = get(fx, other);
    assert_null(str(t, "supervision"));
    cJSON_Delete(t);
    t = get(fx, major);
    assert_string_equal(str(t, "supervision"), "leader");
    cJSON_Delete(t);
    /* leader: rejected three times */
    char id[32];
    create(fx, id, NEW_TICKET);
    must(fx, id, DISPATCH);
    for (int k = 0; k < 3; k++) {
        must(fx, id, "{\"action\":\"accept\"}");
        must(fx, id, "{\"action\":\"reply\",\"text\":\"已处理\"}");
        must(fx, id, "{\"action\":\"reject\",\"reason\":\"未处理到位\"}");
    }
    assert_int_equal(rx_tickets_scan(fx->t, fx->now, &r), RX_OK);
    assert_int_equal(r.escalated, 1);
    t = get(fx, id);
    assert_string_equal(str(t, "supervision"), "leader");
    assert_int_equal(num(t, "rework"), 3);
    cJSON_Delete(t);
}

/* ---- repeats and search ---- */

static void repeat_complaints_are_linked(void **state)
{
    fixture *fx = *state;
    char first[32], unrelated[32], again[32], far[32];
    create(fx, first,
           "{\"channel\":\"phone\",\"phone\":\"139-0733-1234\",\"content\":"
           "\"楼下烧烤店每天晚上油烟太大，窗户都不敢开\"}");
    create(fx, unrelated,
           "{\"channel\":\"phone\",\"phone\":\"13907331234\",\"content\":"
           "\"想咨询一下孩子小学入学需要准备哪些材料\"}");
    cJSON *out;
    rx_actor who = agent(fx->now + 86400 * 3);
    cJSON *body = cJSON_Parse("{\"channel\":\"phone\",\"phone\":\"+86 13907331234\",\"content\":"
                              "\"楼下那家烧烤店晚上油烟还是很大，窗户不敢开，上次反映了没人管\"}");
    assert_int_equal(rx_tickets_create(&out, fx->t, body, &who), RX_OK);
    snprintf(again, sizeof again, "%s", str(out, "id"));
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(out, "repeat_of");
    assert_int_equal(cJSON_GetArraySize(rep), 1);
    assert_string_equal(cJSON_GetArrayItem(rep, 0)->valuestring, first);
    cJSON_Delete(out);
    /* beyond the window it is a new matter */
    who.now = fx->now + 86400.0 * 45;
    assert_int_equal(rx_tickets_create(&out, fx->t, body, &who), RX_OK);
    snprintf(far, sizeof far, "%s", str(out, "id"));
    rep = cJSON_GetObjectItemCaseSensitive(out, "repeat_of");
    assert_int_equal(cJSON_GetArraySize(rep), 0);
    cJSON_Delete(out);
    cJSON_Delete(body);
    (void)unrelated;
    /* the same address, written differently */
    char a1[32], a2[32];
    create(fx, a1,
           "{\"channel\":\"web\",\"address\":\"荷塘区 金钩山路 12号\",\"content\":"
           "\"下雨污水倒灌进一楼家里\"}");
    create(fx, a2,
           "{\"channel\":\"phone\",\"address\":\"荷塘区金钩山路１２号\",\"content\":"
           "\"又下雨了，污水又倒灌到一楼家里\"}");
    cJSON *t = get(fx, a2);
    rep = cJSON_GetObjectItemCaseSensitive(t, "repeat_of");
    assert_int_equal(cJSON_GetArraySize(rep), 1);
    assert_string_equal(cJSON_GetArrayItem(rep, 0)->valuestring, a1);
    cJSON_Delete(t);
}

static int search_count(fixture *fx, const char *q, const char *expect_id)
{
    rx_ticket_query query = {.q = q, .from = RX_DATE_INVALID, .to = RX_DATE_INVALID, .limit = 50};
    cJSON *out;
    assert_int_equal(
        rx_tickets_list(&out, fx->t, &query,
                        &(rx_actor){.name = "t", .role = "supervisor", .now = fx->now}),
        RX_OK);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(out, "tickets");
    int n = cJSON_GetArraySize(list);
    if (expect_id) {
        bool found = false;
        const cJSON *t;
        cJSON_ArrayForEach(t, list)
        {
            if (strcmp(str(t, "id"), expect_id) == 0) {
                found = true;
                assert_non_null(strstr(str(t, "snippet"), "<mark>"));
            }
        }
        if (!found)
            fail_msg("q=%s did not find %s", q, expect_id);
    }
    cJSON_Delete(out);
    return n;
}

static void case_search_handles_chinese(void **state)
{
    fixture *fx = *state;
    char yibao[32], gjj[32], noise[32];
    create(fx, yibao, "{\"channel\":\"phone\",\"content\":\"医保卡丢了怎么补办？<script>\"}");
    create(fx, gjj, "{\"channel\":\"phone\",\"content\":\"我想提取公积金付房租，需要什么材料\"}");
    create(fx, noise, "{\"channel\":\"phone\",\"content\":\"小区路灯坏了一个月没人修\"}");
    assert_int_equal(search_count(fx, "医保", yibao), 1);
    assert_int_equal(search_count(fx, "公积金提取", gjj), 1);
    assert_int_equal(search_count(fx, "提取公积金", gjj), 1);
    assert_int_equal(search_count(fx, "路灯", noise), 1);
    assert_int_equal(search_count(fx, "医保 路灯", NULL), 0);     /* every word must match */
    assert_int_equal(search_count(fx, "ＳＣＲＩＰＴ", yibao), 1); /* folded */
    assert_int_equal(search_count(fx, "！？", NULL), 0);
    /* traditional and simplified characters find each other */
    char hant[32];
    create(fx, hant, "{\"channel\":\"web\",\"content\":\"社區門口的垃圾桶滿了沒人清運\"}");
    assert_int_equal(search_count(fx, "垃圾桶满了", hant), 1);
    assert_int_equal(search_count(fx, "醫保", yibao), 1);
    /* replies and notes are searchable too */
    must(fx, noise, DISPATCH);
    must(fx, noise, "{\"action\":\"accept\"}");
    must(fx, noise, "{\"action\":\"reply\",\"text\":\"已联系供电公司更换灯具\"}");
    assert_int_equal(search_count(fx, "灯具", noise), 1);
    /* what a similar-ticket lookup of a bigram reads: tickets with it
     * anywhere (a reply too), from a row on, counted up to a cap */
    long long docs = -1;
    assert_int_equal(rx_tickets_term_docs(fx->t, "灯具", 6, 0, 100, &docs), RX_OK);
    assert_int_equal(docs, 1);
    char more[32];
    create(fx, more, "{\"channel\":\"phone\",\"content\":\"路灯又坏了，灯具都掉了\"}");
    assert_int_equal(rx_tickets_term_docs(fx->t, "灯具", 6, 0, 100, &docs), RX_OK);
    assert_int_equal(docs, 2);
    assert_int_equal(rx_tickets_term_docs(fx->t, "灯具", 6, 0, 1, &docs), RX_OK);
    assert_int_equal(docs, 1); /* the cap */
    assert_int_equal(rx_tickets_term_docs(fx->t, "灯具", 6, rx_tickets_count(fx->t), 100, &docs),
                     RX_OK);
    assert_int_equal(docs, 1); /* only the latest row on */
    assert_int_equal(rx_tickets_term_docs(fx->t, "医保", 6, 0, 100, &docs), RX_OK);
    assert_int_equal(docs, 1);
    assert_int_equal(rx_tickets_term_docs(fx->t, "\"x", 2, 0, 100, &docs), RX_EINVALID);
    /* the snippet escapes HTML */
    rx_ticket_query query = {
        .q = "医保", .from = RX_DATE_INVALID, .to = RX_DATE_INVALID, .limit = 5};
    cJSON *out;
    assert_int_equal(
        rx_tickets_list(&out, fx->t, &query,
                        &(rx_actor){.name = "t", .role = "supervisor", .now = fx->now}),
        RX_OK);
    const char *snip =
        str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "tickets"), 0), "snippet");
    assert_non_null(strstr(snip, "&lt;script&gt;"));
    assert_non_null(strstr(snip, "<mark>医保</mark>卡丢了")); /* marks sit on the match */
    assert_null(strstr(snip, "<script>"));
    cJSON_Delete(out);
}

static void event_log_is_append_only(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id, NEW_TICKET);
    sqlite3 *db;
    assert_int_equal(rx_store_open(&db, fx->db), RX_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE ticket_events SET actor = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM ticket_events", NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM ticket_events", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* unknown ids */
    assert_int_equal(act(fx, "ZZ20260930-999999", "{\"action\":\"accept\"}", NULL), 404);
    cJSON *out;
    assert_int_equal(rx_tickets_get(&out, fx->t, "nope",
                                    &(rx_actor){.name = "t", .role = "supervisor", .now = fx->now}),
                     RX_ENOTFOUND);
    assert_int_equal(rx_http_status_of(rx_error_code()), 404);
    /* a stale version is refused */
    assert_int_equal(
        act(fx, id, "{\"action\":\"supervise\",\"kind\":\"hotline\",\"version\":0}", NULL), 409);
    assert_int_equal(
        act(fx, id, "{\"action\":\"supervise\",\"kind\":\"hotline\",\"version\":1}", NULL), 200);
}

static void lookups_are_recorded_with_the_ticket(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id, NEW_TICKET);
    cJSON *top = cJSON_Parse("[\"faq-h1-003\",\"zhujian-drain-01\"]");
    rx_actor who = agent(fx->now);
    rx_lookup rec = {.query = "下水道堵了", .total = 12, .top = top, .confident = 1};
    assert_int_equal(rx_tickets_record_lookup(fx->t, id, &who, &rec), RX_OK);
    rx_lookup x = {.query = "x", .top = top, .confident = -1};
    assert_int_equal(rx_tickets_record_lookup(fx->t, "ZZ20000101-000001", &who, &x), RX_ENOTFOUND);
    assert_int_equal(rx_http_status_of(rx_error_code()), 404);
    cJSON_Delete(top);
    cJSON *t = get(fx, id);
    const cJSON *lookups = cJSON_GetObjectItemCaseSensitive(t, "lookups");
    assert_int_equal(cJSON_GetArraySize(lookups), 1);
    const cJSON *l = cJSON_GetArrayItem(lookups, 0);
    assert_string_equal(str(l, "query"), "下水道堵了");
    assert_string_equal(str(l, "actor"), "小王");
    assert_string_equal(str(l, "kind"), "search");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "confident")));
    assert_int_equal(num(l, "total"), 12);
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(l, "top"), 1)->valuestring,
        "zhujian-drain-01");
    cJSON_Delete(t);
}

static void create_validates_fields(void **state)
{
    fixture *fx = *state;
    static const struct {
        const char *body;
        int status;
    } cases[] = {
        {"{\"content\":\"没有渠道\"}", 400},
        {"{\"channel\":\"phone\"}", 400},
        {"{\"channel\":\"phone\",\"content\":\"   \"}", 422},
        {"{\"channel\":\"fax\",\"content\":\"传真\"}", 422},
        {"{\"channel\":\"phone\",\"content\":\"x\",\"phone\":\"abc\"}", 422},
        {"{\"channel\":\"phone\",\"content\":5}", 400},
        {"\"text\"", 400},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cJSON *body = cJSON_Parse(cases[k].body), *out = NULL;
        rx_actor who = agent(fx->now);
        assert_int_not_equal(rx_tickets_create(&out, fx->t, body, &who), RX_OK);
        if (rx_http_status_of(rx_error_code()) != cases[k].status)
            fail_msg("%s: expected %d, got %d", cases[k].body, cases[k].status,
                     rx_http_status_of(rx_error_code()));
        assert_null(out);
        cJSON_Delete(body);
    }
}

static void rules_file_is_checked(void **state)
{
    (void)state;
    rx_wf_rules r;
    rx_wf_rules_default(&r);
    rx_diags diags = {0};
    const char *good = "# c\njoint_after_overdue = 4  # note\nleader_categories = 甲, 乙、丙\n";
    assert_int_equal(rx_wf_rules_parse(&r, "x.conf", good, strlen(good), &diags), RX_OK);
    assert_int_equal(r.joint_after_overdue, 4);
    assert_int_equal(r.nleader_categories, 3);
    assert_string_equal(r.leader_categories[2], "丙");
    const char *bad = "joint_after_overdue = many\nno_such_key = 1\n";
    assert_int_equal(rx_wf_rules_parse(&r, "x.conf", bad, strlen(bad), &diags), RX_EINVALID);
    assert_int_equal(diags.n, 2);
    assert_int_equal(diags.items[0].line, 1);
    assert_int_equal(diags.items[1].line, 2);
    rx_diags_free(&diags);
    rx_wf_rules_clear(&r);
}

static void area_and_similarity(void **state)
{
    (void)state;
    static const struct {
        const char *address, *area;
    } cases[] = {{"株洲市荷塘区月塘街道", "荷塘区"},
                 {"攸县城关镇", "攸县"},
                 {"湖南省株洲市醴陵市阳三石街道", "醴陵市"},
                 {"建设路12号", NULL},
                 {"株洲市荷塘區月塘街道", "荷塘区"}, /* a form filled in traditional characters */
                 {"", NULL}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *a = rx_wf_area(cases[k].address);
        if (cases[k].area)
            assert_string_equal(a, cases[k].area);
        else
            assert_null(a);
        free(a);
    }
    assert_true(rx_wf_similarity("楼下烧烤店油烟太大", "楼下烧烤店的油烟太大了") > 0.6);
    assert_true(rx_wf_similarity("楼下烧烤店油烟太大", "孩子入学要什么材料") < 0.1);
    char *k1 = rx_wf_address_key("株洲市芦淞区建设南路66号"),
         *k2 = rx_wf_address_key("芦淞区 建设南路 ６６号");
    assert_string_equal(k1, k2);
    free(k1);
    free(k2);
    char *p = rx_wf_phone_key("+86 139-0733-1234");
    assert_string_equal(p, "13907331234");
    free(p);
}

/* Takes an action as a given role (and department); returns the core code. */
static int act_as(fixture *fx, const char *id, const char *json, const char *role,
                  const char *department)
{
    cJSON *body = cJSON_Parse(json), *res = NULL;
    assert_non_null(body);
    rx_actor who = {.name = "某人", .role = role, .department = department, .now = fx->now};
    int rc = rx_tickets_act(&res, fx->t, id, body, &who);
    cJSON_Delete(body);
    cJSON_Delete(res);
    return rc;
}

static void roles_guard_actions_in_the_core(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id, NEW_TICKET);
    /* the trainer and unknown roles take nothing; an agent may not approve */
    assert_int_equal(act_as(fx, id, DISPATCH, "trainer", NULL), RX_EFORBIDDEN);
    assert_int_equal(act_as(fx, id, DISPATCH, "nobody", NULL), RX_EFORBIDDEN);
    assert_int_equal(act_as(fx, id,
                            "{\"action\":\"dispatch\",\"level\":\"leader\",\"lead\":\"城管局\","
                            "\"approved_by\":\"张副市长\"}",
                            "agent", NULL),
                     RX_EFORBIDDEN); /* leader level needs a supervisor */
    assert_int_equal(act_as(fx, id, DISPATCH, "agent", NULL), RX_OK);
    /* a department that is not the lead: not found, whatever the action */
    assert_int_equal(act_as(fx, id, "{\"action\":\"accept\"}", "department", "市公安局"),
                     RX_ENOTFOUND);
    assert_int_equal(act_as(fx, id, "{\"action\":\"accept\"}", "agent", NULL), RX_EFORBIDDEN);
    assert_int_equal(
        act_as(fx, id, "{\"action\":\"accept\"}", "department", "市城市管理和综合执法局"), RX_OK);
    assert_int_equal(
        act_as(fx, id, "{\"action\":\"approve\"}", "department", "市城市管理和综合执法局"),
        RX_EFORBIDDEN); /* the role before the status */
    cJSON *t = get(fx, id);
    assert_string_equal(cJSON_GetObjectItem(t, "status")->valuestring, "accepted");
    assert_int_equal(cJSON_GetObjectItem(t, "version")->valueint, 3); /* refusals left no event */
    cJSON_Delete(t);
}

static int list_total(fixture *fx, const rx_ticket_query *q, const char *role)
{
    cJSON *out;
    assert_int_equal(
        rx_tickets_list(&out, fx->t, q, &(rx_actor){.name = "t", .role = role, .now = fx->now}),
        RX_OK);
    int total = num(out, "total");
    cJSON_Delete(out);
    return total;
}

/* 申请审批交办: an agent proposes a consult or leader dispatch, the
 * proposal waits on the ticket (status unchanged, an event in the log)
 * and in the approval list until a supervisor dispatches it. */
static void approval_requests_wait_for_a_supervisor(void **state)
{
    fixture *fx = *state;
    char id[32], other[32];
    create(fx, id, NEW_TICKET);
    create(fx, other, NEW_TICKET);
    const char *req = "{\"action\":\"request_approval\",\"level\":\"consult\","
                      "\"lead\":\"住建局\",\"co\":[\"城管局\"],\"note\":\"需两部门会商\"}";
    /* the refusals first: roles, levels, fields, status */
    assert_int_equal(act_as(fx, id, req, "trainer", NULL), RX_EFORBIDDEN);
    assert_int_equal(act_as(fx, id, req, "department", "市住房和城乡建设局"), RX_ENOTFOUND);
    assert_int_equal(act_as(fx, id,
                            "{\"action\":\"request_approval\",\"level\":\"immediate\","
                            "\"lead\":\"住建局\"}",
                            "agent", NULL),
                     RX_EVALUE); /* immediate needs no approval */
    assert_int_equal(act_as(fx, id,
                            "{\"action\":\"request_approval\",\"level\":\"consult\","
                            "\"lead\":\"住建局\"}",
                            "agent", NULL),
                     RX_EVALUE); /* consult without a co-handler */
    assert_int_equal(act_as(fx, id,
                            "{\"action\":\"request_approval\",\"level\":\"leader\","
                            "\"lead\":\"火星局\"}",
                            "agent", NULL),
                     RX_EVALUE); /* unknown department */
    assert_int_equal(
        act_as(fx, id, "{\"action\":\"request_approval\",\"level\":\"leader\"}", "agent", NULL),
        RX_EINVALID);
    rx_ticket_query q = {
        .approval = true, .from = RX_DATE_INVALID, .to = RX_DATE_INVALID, .limit = 10};
    assert_int_equal(list_total(fx, &q, "supervisor"), 0);

    /* the agent asks: status unchanged, the proposal on the ticket */
    assert_int_equal(act_as(fx, id, req, "agent", NULL), RX_OK);
    cJSON *t = get(fx, id);
    assert_string_equal(str(t, "status"), "received");
    assert_null(str(t, "lead")); /* nothing dispatched yet */
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(t, "proposal");
    assert_true(cJSON_IsObject(p));
    assert_string_equal(str(p, "level"), "consult");
    assert_string_equal(str(p, "lead"), "市住房和城乡建设局"); /* canonical */
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "co"), 0)->valuestring,
                        "市城市管理和综合执法局");
    assert_int_equal(num(p, "deadline_days"), fx->setup.rules.deadline_days[RX_LEVEL_CONSULT]);
    assert_string_equal(str(p, "note"), "需两部门会商");
    assert_string_equal(str(p, "by"), "某人");
    assert_non_null(str(p, "at"));
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(t, "events");
    const cJSON *last = cJSON_GetArrayItem(events, cJSON_GetArraySize(events) - 1);
    assert_string_equal(str(last, "action"), "request_approval");
    assert_string_equal(str(last, "role"), "agent");
    assert_string_equal(str(last, "from"), "received");
    assert_string_equal(str(last, "to"), "received");
    cJSON_Delete(t);
    assert_int_equal(list_total(fx, &q, "supervisor"), 1);
    /* a department sees no approval list: nothing is its own yet */
    cJSON *out;
    assert_int_equal(rx_tickets_list(&out, fx->t, &q,
                                     &(rx_actor){.name = "d",
                                                 .role = "department",
                                                 .department = "市住房和城乡建设局",
                                                 .now = fx->now}),
                     RX_OK);
    assert_int_equal(num(out, "total"), 0);
    cJSON_Delete(out);

    /* a newer request replaces the older one */
    assert_int_equal(act_as(fx, id,
                            "{\"action\":\"request_approval\",\"level\":\"leader\","
                            "\"lead\":\"住建局\",\"deadline_days\":12}",
                            "agent", NULL),
                     RX_OK);
    t = get(fx, id);
    p = cJSON_GetObjectItemCaseSensitive(t, "proposal");
    assert_string_equal(str(p, "level"), "leader");
    assert_int_equal(num(p, "deadline_days"), 12);
    cJSON_Delete(t);
    assert_int_equal(list_total(fx, &q, "supervisor"), 1);

    /* the agent still may not dispatch it; the supervisor does, and the
     * proposal is gone */
    assert_int_equal(act_as(fx, id,
                            "{\"action\":\"dispatch\",\"level\":\"leader\",\"lead\":\"住建局\","
                            "\"approved_by\":\"某人\"}",
                            "agent", NULL),
                     RX_EFORBIDDEN);
    assert_int_equal(act_as(fx, id,
                            "{\"action\":\"dispatch\",\"level\":\"leader\",\"lead\":\"住建局\","
                            "\"deadline_days\":12,\"approved_by\":\"某人\"}",
                            "supervisor", NULL),
                     RX_OK);
    t = get(fx, id);
    assert_string_equal(str(t, "status"), "dispatched");
    assert_string_equal(str(t, "approved_by"), "某人");
    assert_int_equal(num(t, "deadline_days"), 12);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(t, "proposal")));
    cJSON_Delete(t);
    assert_int_equal(list_total(fx, &q, "supervisor"), 0);
    /* from dispatched it is an illegal move */
    assert_int_equal(act_as(fx, id, req, "agent", NULL), RX_ECONFLICT);

    /* a one-call resolution clears a proposal too */
    assert_int_equal(act_as(fx, other, req, "supervisor", NULL), RX_OK);
    assert_int_equal(list_total(fx, &q, "admin"), 1);
    assert_int_equal(
        act_as(fx, other, "{\"action\":\"resolve_first_contact\",\"doc_ids\":[]}", "agent", NULL),
        RX_OK);
    t = get(fx, other);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(t, "proposal")));
    cJSON_Delete(t);
    assert_int_equal(list_total(fx, &q, "admin"), 0);
}

static void masking_by_level(void **state)
{
    (void)state;
    const char *json =
        "{\"caller\":\"李女士\",\"phone\":\"13907331234\",\"address\":\"荷塘区新华西路8号\","
        "\"content\":\"回电13907331234或0731-2888123\",\"events\":[{\"payload\":"
        "{\"caller\":\"李女士\",\"phone\":\"13907331234\",\"address\":\"荷塘区新华西路8号\"}}]}";
    cJSON *full = cJSON_Parse(json), *contact = cJSON_Parse(json), *masked = cJSON_Parse(json);
    rx_ticket_mask(full, RX_PII_FULL);
    rx_ticket_mask(contact, RX_PII_CONTACT);
    rx_ticket_mask(masked, RX_PII_MASKED);
    char *f = cJSON_PrintUnformatted(full), *c = cJSON_PrintUnformatted(contact),
         *m = cJSON_PrintUnformatted(masked);
    assert_non_null(strstr(f, "\"caller\":\"李女士\""));
    assert_non_null(strstr(c, "\"caller\":\"李*\",\"phone\":\"13907331234\""));
    assert_null(strstr(c, "李女士"));
    assert_non_null(
        strstr(m, "\"caller\":\"李*\",\"phone\":\"139****1234\",\"address\":\"荷塘区\""));
    assert_null(strstr(m, "13907331234"));
    assert_null(strstr(m, "新华西路"));
    assert_non_null(strstr(m, "*******1234")); /* the number typed into the content */
    free(f);
    free(c);
    free(m);
    cJSON_Delete(full);
    cJSON_Delete(contact);
    cJSON_Delete(masked);
}

/* A database made before the case search left callers out: opening it
 * takes the caller's name and address out of the searchable text. */
static void old_search_text_loses_callers_data(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id,
           "{\"channel\":\"phone\",\"caller\":\"赵先生\",\"address\":\"芦淞区建设南路9号\","
           "\"content\":\"医保卡丢了怎么补办\"}");
    as_left_by_older_rexian(fx, "UPDATE ticket_fts SET body = body || char(10) || "
                                "'芦淞区建设南路9号' || char(10) || '赵先生';"
                                "ALTER TABLE ticket_lookups DROP COLUMN kind;"
                                "ALTER TABLE ticket_lookups DROP COLUMN confident;"
                                "ALTER TABLE tickets DROP COLUMN proposal;"
                                "UPDATE schema_versions SET version = 1 WHERE module = 'tickets'");
    rx_actor who = {.name = "t", .role = "supervisor", .now = fx->now};
    static const char *const probes[][2] = {{"建设南路", "0"}, {"赵先生", "0"}, {"医保", "1"}};
    for (size_t k = 0; k < 3; k++) {
        rx_ticket_query q = {
            .q = probes[k][0], .limit = 10, .from = RX_DATE_INVALID, .to = RX_DATE_INVALID};
        cJSON *out;
        assert_int_equal(rx_tickets_list(&out, fx->t, &q, &who), RX_OK);
        if (cJSON_GetObjectItem(out, "total")->valueint != atoi(probes[k][1]))
            fail_msg("q=%s: %d tickets", probes[k][0], cJSON_GetObjectItem(out, "total")->valueint);
        cJSON_Delete(out);
    }
}

/* The rx_bigram tokenizer before it wrote traditional characters
 * simplified: each pair of Han characters as written (enough for a
 * content of Han characters only). */
static int old_tokenize(Fts5Tokenizer *self, void *ctx, int flags, const char *text, int len,
                        int (*token)(void *, int, const char *, int, int, int))
{
    (void)self;
    (void)flags;
    for (int pos = 0; pos + 6 <= len; pos += 3) {
        int rc = token(ctx, 0, text + pos, 6, pos, pos + 6);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

static int old_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)argv;
    (void)argc;
    static int one;
    *out = (Fts5Tokenizer *)&one;
    return SQLITE_OK;
}

static void old_delete(Fts5Tokenizer *t)
{
    (void)t;
}

/* Case text indexed in traditional characters before the tokenizer wrote
 * them simplified is tokenized anew when the database is opened: found by
 * either form, and the index agrees with its text. */
static void old_traditional_tokens_are_rebuilt(void **state)
{
    fixture *fx = *state;
    char id[32];
    create(fx, id, "{\"channel\":\"web\",\"content\":\"路燈壞了一個月\"}");
    sqlite3 *db = raw_database(fx);
    fts5_api *api = NULL;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    assert_non_null(api);
    static fts5_tokenizer old = {old_create, old_delete, old_tokenize};
    assert_int_equal(api->xCreateTokenizer(api, "rx_bigram", NULL, &old, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE ticket_fts SET body = '路燈壞了一個月';"
                                  "INSERT INTO ticket_fts(ticket_fts) VALUES('rebuild');"
                                  "UPDATE schema_versions SET version = 4 WHERE module = 'tickets'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    open_store(fx);
    assert_int_equal(search_count(fx, "路灯坏了", id), 1);
    assert_int_equal(search_count(fx, "路燈", id), 1);
    assert_int_equal(rx_store_open(&db, fx->db), RX_OK);
    assert_int_equal(rx_tickets_register_fts(db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO ticket_fts(ticket_fts, rank) "
                                  "VALUES('integrity-check', 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
}

/* Address keys and areas made before addresses were read simplified kept
 * traditional characters: opening the database remakes them, so a call from
 * the same place written simplified is linked to the earlier one. */
static void old_traditional_address_keys_are_remade(void **state)
{
    fixture *fx = *state;
    char first[32];
    create(fx, first,
           "{\"channel\":\"web\",\"address\":\"荷塘區金鉤山路12號\",\"content\":"
           "\"下雨污水倒灌進一樓家裡\"}");
    as_left_by_older_rexian(fx,
                            "UPDATE tickets SET address_key = '荷塘區金鉤山路12號', area = NULL;"
                            "UPDATE schema_versions SET version = 5 WHERE module = 'tickets'");
    char again[32];
    create(fx, again,
           "{\"channel\":\"phone\",\"address\":\"荷塘区金钩山路12号\",\"content\":"
           "\"又下雨了，污水又倒灌到一楼家里\"}");
    cJSON *t = get(fx, again);
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(t, "repeat_of");
    assert_int_equal(cJSON_GetArraySize(rep), 1);
    assert_string_equal(cJSON_GetArrayItem(rep, 0)->valuestring, first);
    cJSON_Delete(t);
    t = get(fx, first);
    assert_string_equal(str(t, "area"), "荷塘区");
    cJSON_Delete(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_cell_of_the_transition_table, setup, teardown),
        cmocka_unit_test_setup_teardown(approval_requests_wait_for_a_supervisor, setup, teardown),
        cmocka_unit_test_setup_teardown(callback_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(dispatch_rules_by_level, setup, teardown),
        cmocka_unit_test_setup_teardown(deadlines_count_working_days, setup, teardown),
        cmocka_unit_test_setup_teardown(two_racing_actions_one_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(ids_are_unique_under_concurrency, setup, teardown),
        cmocka_unit_test_setup_teardown(scanner_marks_overdue_and_escalates, setup, teardown),
        cmocka_unit_test_setup_teardown(scanner_media_and_leader_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(repeat_complaints_are_linked, setup, teardown),
        cmocka_unit_test_setup_teardown(case_search_handles_chinese, setup, teardown),
        cmocka_unit_test_setup_teardown(old_traditional_tokens_are_rebuilt, setup, teardown),
        cmocka_unit_test_setup_teardown(old_traditional_address_keys_are_remade, setup, teardown),
        cmocka_unit_test_setup_teardown(event_log_is_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(create_validates_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(lookups_are_recorded_with_the_ticket, setup, teardown),
        cmocka_unit_test(rules_file_is_checked),
        cmocka_unit_test(area_and_similarity),
        cmocka_unit_test_setup_teardown(roles_guard_actions_in_the_core, setup, teardown),
        cmocka_unit_test(masking_by_level),
        cmocka_unit_test_setup_teardown(old_search_text_loses_callers_data, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
