/* Statistics over a real ticket database: a fixture of tickets walked
 * through the whole loop (resolved in the call with and without documents,
 * returned and re-dispatched, replied late, rejected, reopened, called
 * back three times unreachable), whose figures were counted by hand, and
 * the rollups derived again from the log alone. */
#include "rexian/error.h"
#include "rexian/stats.h"
#include "rexian/store.h"
#include "rexian/tickets.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ticket_store.h"

typedef struct {
    char dir[64], db[96];
    rx_wf_setup setup;
    rx_tickets *t;
    rx_stats *s;
    double now;
    const char *agent;
} fixture;

static double day_at(const char *date, int hour)
{
    return (double)rx_date_parse(date, 10) * 86400 + (hour - 8) * 3600;
}

static long day(const char *date)
{
    return rx_date_parse(date, 10);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    ticket_store_open("stats", fx->dir, fx->db, &fx->setup, &fx->t);
    assert_int_equal(rx_stats_open(&fx->s, fx->db, fx->t), RX_OK);
    fx->agent = "小王";
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    rx_stats_free(fx->s);
    ticket_store_close(fx->dir, &fx->setup, fx->t);
    free(fx);
    return 0;
}

static rx_actor actor(const fixture *fx)
{
    /* admin: may take every action; the name is the call-taker's */
    return (rx_actor){.name = fx->agent, .role = "admin", .now = fx->now};
}

static void at(fixture *fx, const char *date, int hour)
{
    fx->now = day_at(date, hour);
}

static void create(fixture *fx, char id[32], const char *category)
{
    char json[256];
    snprintf(json, sizeof json,
             "{\"channel\":\"phone\",\"category\":\"%s\",\"content\":\"%s问题\"}", category,
             category);
    cJSON *body = cJSON_Parse(json), *out;
    rx_actor who = actor(fx);
    if (rx_tickets_create(&out, fx->t, body, &who) != RX_OK)
        fail_msg("create: %s", rx_error_last());
    snprintf(id, 32, "%s", cJSON_GetObjectItemCaseSensitive(out, "id")->valuestring);
    cJSON_Delete(out);
    cJSON_Delete(body);
}

static void act(fixture *fx, const char *id, const char *json)
{
    cJSON *body = cJSON_Parse(json), *out = NULL;
    assert_non_null(body);
    rx_actor who = actor(fx);
    if (rx_tickets_act(&out, fx->t, id, body, &who) != RX_OK)
        fail_msg("%s on %s: %s", json, id, rx_error_last());
    cJSON_Delete(out);
    cJSON_Delete(body);
}

static void opened(fixture *fx, const char *id, const char *doc)
{
    cJSON *top = cJSON_CreateArray();
    cJSON_AddItemToArray(top, cJSON_CreateString(doc));
    rx_actor who = actor(fx);
    rx_lookup l = {.open = true, .total = 1, .top = top, .confident = -1};
    assert_int_equal(rx_tickets_record_lookup(fx->t, id, &who, &l), RX_OK);
    cJSON_Delete(top);
}

static void sync_all(fixture *fx)
{
    long long pending = -1;
    assert_int_equal(rx_stats_sync(fx->s, 0, &pending), RX_OK);
    assert_int_equal(pending, 0);
}

#define DISPATCH(lead, days)                                                                       \
    "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"" lead                            \
    "\",\"deadline_days\":" #days "}"
#define WATER "市水务局"
#define HOUSING "市住房和城乡建设局"
#define CITY "市城市管理和综合执法局"

/* The fixture, in phases with a sync between them, so that tickets change
 * after the rollups first counted them. */
static void build(fixture *fx)
{
    char t1[32], t2[32], t3[32], t4[32], t5[32], t6[32], t8[32], t9[32];
    /* outside the range: the day before */
    at(fx, "2026-11-01", 9);
    create(fx, t8, "供水");
    act(fx, t8, "{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"d1\"]}");
    /* 11-02: two resolved in the call (one with a document), one replied on time */
    at(fx, "2026-11-02", 9);
    create(fx, t1, "供水");
    opened(fx, t1, "d1");
    act(fx, t1, "{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"d1\"]}");
    create(fx, t2, "供水");
    act(fx, t2, "{\"action\":\"resolve_first_contact\",\"doc_ids\":[]}");
    fx->agent = "小李";
    create(fx, t3, "噪声");
    act(fx, t3, DISPATCH(CITY, 2));
    act(fx, t3, "{\"action\":\"accept\"}");
    act(fx, t3, "{\"action\":\"reply\",\"text\":\"已处理\"}");
    act(fx, t3, "{\"action\":\"approve\"}");
    act(fx, t3, "{\"action\":\"callback\",\"result\":\"satisfied\"}");
    sync_all(fx);
    /* 11-03: returned and re-dispatched, replied late, rejected, replied on
     * time, reopened, and satisfied at last */
    at(fx, "2026-11-03", 9);
    create(fx, t4, "噪声");
    act(fx, t4, DISPATCH(WATER, 1));
    act(fx, t4, "{\"action\":\"return\",\"reason\":\"不属于本单位职责\"}");
    act(fx, t4, DISPATCH(HOUSING, 1)); /* due 11-04 */
    act(fx, t4, "{\"action\":\"accept\"}");
    sync_all(fx);
    at(fx, "2026-11-05", 10); /* a day late */
    act(fx, t4, "{\"action\":\"reply\",\"text\":\"已协调\"}");
    act(fx, t4,
        "{\"action\":\"reject\",\"reason\":\"答复不完整\",\"deadline_days\":2}"); /* 11-09 */
    at(fx, "2026-11-09", 10);
    act(fx, t4, "{\"action\":\"accept\"}");
    act(fx, t4, "{\"action\":\"reply\",\"text\":\"已完整答复\"}");
    act(fx, t4, "{\"action\":\"approve\"}");
    act(fx, t4, "{\"action\":\"callback\",\"result\":\"unsatisfied\"}");
    sync_all(fx);
    act(fx, t4, DISPATCH(HOUSING, 3));
    act(fx, t4, "{\"action\":\"accept\"}");
    act(fx, t4, "{\"action\":\"reply\",\"text\":\"再次处理\"}");
    act(fx, t4, "{\"action\":\"approve\"}");
    act(fx, t4, "{\"action\":\"callback\",\"result\":\"basically_satisfied\"}");
    /* 11-03: called back three times unreachable */
    fx->agent = "小王";
    at(fx, "2026-11-03", 11);
    create(fx, t5, "供水");
    act(fx, t5, DISPATCH(WATER, 5));
    act(fx, t5, "{\"action\":\"accept\"}");
    act(fx, t5, "{\"action\":\"reply\",\"text\":\"已修复\"}");
    act(fx, t5, "{\"action\":\"approve\"}");
    for (int k = 0; k < 3; k++)
        act(fx, t5, "{\"action\":\"callback\",\"result\":\"unreachable\"}");
    /* 11-03: reopened and still open */
    create(fx, t9, "噪声");
    act(fx, t9, DISPATCH(CITY, 5));
    act(fx, t9, "{\"action\":\"accept\"}");
    act(fx, t9, "{\"action\":\"reply\",\"text\":\"已处理\"}");
    act(fx, t9, "{\"action\":\"approve\"}");
    act(fx, t9, "{\"action\":\"callback\",\"result\":\"unsatisfied\"}");
    /* 11-04: still received; a document opened for it */
    at(fx, "2026-11-04", 9);
    create(fx, t6, "其他");
    opened(fx, t6, "d2");
    sync_all(fx);
}

static const cJSON *get(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        fail_msg("no %s in %s", key, cJSON_PrintUnformatted(o));
    return v;
}

/* Asserts the rate name of o is count / of. */
static void rate(const cJSON *o, const char *name, int count, int of)
{
    const cJSON *r = get(o, name);
    int c = (int)get(r, "count")->valuedouble, n = (int)get(r, "of")->valuedouble;
    if (c != count || n != of)
        fail_msg("%s: %d/%d, expected %d/%d", name, c, n, count, of);
    const cJSON *v = get(r, "rate");
    if (of)
        assert_true(cJSON_IsNumber(v) && v->valuedouble == (double)count / of);
    else
        assert_true(cJSON_IsNull(v));
}

static const cJSON *group(const cJSON *o, const char *key)
{
    const cJSON *g;
    cJSON_ArrayForEach(g, get(o, "groups"))
    {
        if (!strcmp(get(g, "key")->valuestring, key))
            return g;
    }
    fail_msg("no group %s", key);
    return NULL;
}

static cJSON *resolution(fixture *fx, const char *from, const char *to, rx_stats_by by)
{
    cJSON *out;
    assert_int_equal(rx_stats_resolution(&out, fx->s, day(from), day(to), by), RX_OK);
    return out;
}

static void figures_match_the_hand_count(void **state)
{
    fixture *fx = *state;
    build(fx);
    cJSON *o = resolution(fx, "2026-11-02", "2026-11-04", RX_BY_NONE);
    assert_string_equal(get(o, "from")->valuestring, "2026-11-02");
    assert_int_equal(get(o, "tickets")->valueint, 7);
    rate(o, "one_call", 2, 7);     /* t1, t2 */
    rate(o, "assisted", 1, 2);     /* t1 named a document */
    rate(o, "satisfaction", 2, 3); /* t3, t4 of t3, t4, t9 (t5 never reached) */
    rate(o, "on_time", 3, 4);      /* t4's first reply was late */
    rate(o, "rework", 1, 4);       /* t4 */
    rate(o, "reopen", 2, 3);       /* t4, t9 */
    assert_null(cJSON_GetObjectItemCaseSensitive(o, "groups"));
    cJSON_Delete(o);

    o = resolution(fx, "2026-11-02", "2026-11-04", RX_BY_DEPARTMENT);
    assert_int_equal(cJSON_GetArraySize(get(o, "groups")), 4);
    const cJSON *g = group(o, CITY); /* t3, t9 */
    assert_int_equal(get(g, "tickets")->valueint, 2);
    rate(g, "satisfaction", 1, 2);
    rate(g, "reopen", 1, 2);
    g = group(o, HOUSING); /* t4: returned by water, so counted where it ended */
    assert_int_equal(get(g, "tickets")->valueint, 1);
    rate(g, "on_time", 0, 1);
    rate(g, "rework", 1, 1);
    g = group(o, WATER); /* t5 */
    assert_int_equal(get(g, "tickets")->valueint, 1);
    rate(g, "satisfaction", 0, 0);
    rate(g, "on_time", 1, 1);
    g = group(o, ""); /* never dispatched: t1, t2, t6 */
    assert_int_equal(get(g, "tickets")->valueint, 3);
    rate(g, "one_call", 2, 3);
    cJSON_Delete(o);

    o = resolution(fx, "2026-11-02", "2026-11-04", RX_BY_AGENT);
    assert_int_equal(get(group(o, "小王"), "tickets")->valueint, 5);
    assert_int_equal(get(group(o, "小李"), "tickets")->valueint, 2);
    cJSON_Delete(o);

    o = resolution(fx, "2026-11-02", "2026-11-04", RX_BY_CATEGORY);
    g = group(o, "供水");
    assert_int_equal(get(g, "tickets")->valueint, 3);
    rate(g, "one_call", 2, 3);
    assert_int_equal(get(group(o, "噪声"), "tickets")->valueint, 3);
    cJSON_Delete(o);

    o = resolution(fx, "2026-11-01", "2026-11-04", RX_BY_DAY);
    const cJSON *days = get(o, "groups");
    assert_int_equal(cJSON_GetArraySize(days), 4);
    assert_string_equal(get(cJSON_GetArrayItem(days, 0), "key")->valuestring, "2026-11-01");
    static const int per_day[] = {1, 3, 3, 1};
    for (int k = 0; k < 4; k++)
        assert_int_equal(get(cJSON_GetArrayItem(days, k), "tickets")->valueint, per_day[k]);
    cJSON_Delete(o);

    o = resolution(fx, "2026-11-02", "2026-11-04", RX_BY_DOCUMENT);
    g = group(o, "d1"); /* opened and cited for t1 (t8 is out of range) */
    assert_int_equal(get(g, "tickets")->valueint, 1);
    assert_int_equal(get(g, "opened")->valueint, 1);
    rate(g, "one_call", 1, 1);
    g = group(o, "d2"); /* opened for t6, resolved nothing */
    assert_int_equal(get(g, "opened")->valueint, 1);
    rate(g, "one_call", 0, 1);
    assert_string_equal(get(cJSON_GetArrayItem(get(o, "groups"), 0), "key")->valuestring, "d1");
    cJSON_Delete(o);

    o = resolution(fx, "2026-11-01", "2026-11-01", RX_BY_DOCUMENT);
    rate(group(o, "d1"), "one_call", 1, 1);
    cJSON_Delete(o);
}

/* The rollups kept batch by batch equal those derived from the log in
 * one pass; and a store opened again goes on from where it was. */
static void rollups_can_be_derived_again(void **state)
{
    fixture *fx = *state;
    build(fx);
    static const rx_stats_by bys[] = {RX_BY_NONE,  RX_BY_DEPARTMENT, RX_BY_CATEGORY,
                                      RX_BY_AGENT, RX_BY_DAY,        RX_BY_DOCUMENT};
    char *before[6];
    for (int k = 0; k < 6; k++) {
        cJSON *o = resolution(fx, "2026-10-01", "2026-11-30", bys[k]);
        before[k] = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
    }
    assert_int_equal(rx_stats_rebuild(fx->s), RX_OK);
    rx_stats_free(fx->s);
    assert_int_equal(rx_stats_open(&fx->s, fx->db, fx->t), RX_OK);
    long long pending = -1;
    assert_int_equal(rx_stats_sync(fx->s, 0, &pending), RX_OK);
    assert_int_equal(pending, 0);
    for (int k = 0; k < 6; k++) {
        cJSON *o = resolution(fx, "2026-10-01", "2026-11-30", bys[k]);
        char *after = cJSON_PrintUnformatted(o);
        assert_string_equal(after, before[k]);
        free(after);
        free(before[k]);
        cJSON_Delete(o);
    }
}

/* A sync bounded to a few events leaves the rest pending, and the rest
 * arrives on the next. */
static void sync_goes_in_bounded_steps(void **state)
{
    fixture *fx = *state;
    char id[32];
    at(fx, "2026-11-02", 9);
    for (int k = 0; k < 5; k++)
        create(fx, id, "供水");
    long long pending = -1;
    assert_int_equal(rx_stats_sync(fx->s, 2, &pending), RX_OK);
    assert_int_equal(pending, 3);
    cJSON *o = resolution(fx, "2026-11-02", "2026-11-02", RX_BY_NONE);
    assert_int_equal(get(o, "tickets")->valueint, 2);
    cJSON_Delete(o);
    sync_all(fx);
    o = resolution(fx, "2026-11-02", "2026-11-02", RX_BY_NONE);
    assert_int_equal(get(o, "tickets")->valueint, 5);
    rate(o, "one_call", 0, 5);
    rate(o, "satisfaction", 0, 0);
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(figures_match_the_hand_count, setup, teardown),
        cmocka_unit_test_setup_teardown(rollups_can_be_derived_again, setup, teardown),
        cmocka_unit_test_setup_teardown(sync_goes_in_bounded_steps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
