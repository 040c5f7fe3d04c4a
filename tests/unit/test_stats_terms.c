/* The analysis of statistics: the spike test on series made up here (a
 * flat one, the same with a spike injected, a seasonal rise that last
 * year also had), the hotline terms (stopwords, synonyms folded), and on
 * a real ticket database small fixtures counted by hand: hot words,
 * knowledge gaps grouped by wording, a cluster warning and a policy's
 * difference-in-differences. */
#include "rexian/error.h"
#include "rexian/stats.h"
#include "rexian/synonyms.h"
#include "rexian/terms.h"
#include "rexian/tickets.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ticket_store.h"

/* ---- the spike test on series ---- */

#define HIST 56
#define WIN 30

typedef struct {
    long count[HIST + WIN], volume[HIST + WIN];
    long ly_count[HIST + WIN], ly_volume[HIST + WIN];
} year_pair;

static uint64_t rng_state;

static double unif(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) * 0x1.0p-53;
}

/* Knuth's Poisson sampler: small means only. */
static long poisson(double mean)
{
    double l = exp(-mean), p = 1;
    long k = 0;
    do {
        k++;
        p *= unif();
    } while (p > l);
    return k - 1;
}

/* A term said by rate(d) of 100 tickets a day, both years, with noise. */
static void fill(year_pair *y, double (*rate)(int d), bool last_year_too)
{
    for (int d = 0; d < HIST + WIN; d++) {
        y->volume[d] = y->ly_volume[d] = 100;
        y->count[d] = poisson(rate(d));
        y->ly_count[d] = last_year_too ? poisson(rate(d)) : poisson(rate(0));
    }
}

static void run(const year_pair *y, bool with_last_year, rx_spike *out)
{
    rx_series hist = {y->count, y->volume, HIST}, win = {y->count + HIST, y->volume + HIST, WIN};
    rx_series ly_hist = {y->ly_count, y->ly_volume, HIST};
    rx_series ly_win = {y->ly_count + HIST, y->ly_volume + HIST, WIN};
    rx_stats_spike(out, &hist, &win, with_last_year ? &ly_hist : NULL,
                   with_last_year ? &ly_win : NULL);
}

static double flat(int d)
{
    (void)d;
    return 5;
}

/* the season: flat through the history, then up from 5 to 20 a day */
static double season(int d)
{
    return d < HIST ? 5 : 5 + 15.0 * (d - HIST) / (WIN - 1);
}

static void flat_series_has_no_spike(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        rng_state = seed;
        year_pair y;
        fill(&y, flat, true);
        rx_spike r;
        run(&y, true, &r);
        if (r.spike)
            fail_msg("seed %llu: a spike on a flat series (p %g)", (unsigned long long)seed, r.p);
        run(&y, false, &r);
        assert_false(r.spike);
        assert_true(fabs(r.expected - 150) < 40); /* 5 a day for 30 days, from its history */
    }
}

static void injected_spike_is_found(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        rng_state = seed;
        year_pair y;
        fill(&y, flat, true);
        y.count[HIST + 20] += 25; /* one day of 30 calls instead of 5 */
        rx_spike r;
        run(&y, true, &r);
        if (!r.spike)
            fail_msg("seed %llu: the injected spike was missed (p %g)", (unsigned long long)seed,
                     r.p);
        assert_int_equal(r.peak, 20);
        assert_true(r.p < 0.001);
    }
}

static void seasonal_rise_last_year_also_had_is_no_spike(void **state)
{
    (void)state;
    int without = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        rng_state = seed;
        year_pair y;
        fill(&y, season, true);
        rx_spike r;
        run(&y, true, &r);
        if (r.spike)
            fail_msg("seed %llu: the season last year also had is a spike (p %g, expected %g)",
                     (unsigned long long)seed, r.p, r.expected);
        /* without last year the same rise is news: the test is not blind */
        run(&y, false, &r);
        without += r.spike;
    }
    assert_int_equal(without, 20);
}

static void tails_are_right(void **state)
{
    (void)state;
    /* P(X >= 3 | Poisson 1) = 1 - e^-1 (1 + 1 + 1/2) */
    assert_true(fabs(rx_stats_spike_poisson_upper(3, 1) - (1 - exp(-1) * 2.5)) < 1e-12);
    /* a negative binomial of huge shape is the Poisson */
    assert_true(fabs(rx_stats_spike_nb_upper(8, 4, 1e7) - rx_stats_spike_poisson_upper(8, 4)) <
                1e-5);
    /* shape 1, mean 1: geometric with q = 1/2, P(X >= 3) = 1/8 */
    assert_true(fabs(rx_stats_spike_nb_upper(3, 1, 1) - 0.125) < 1e-12);
}

/* ---- the terms of hotline text ---- */

static char *joined_terms(const rx_synonyms *syn, const char *text)
{
    rx_term_list l = {0};
    assert_int_equal(rx_terms_extract(&l, syn, text, strlen(text)), RX_OK);
    static char buf[1024];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < l.n; k++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s%s", k ? " " : "",
                                l.v[k].joined && k ? "+" : "", l.v[k].term);
    rx_term_list_clear(&l);
    return buf;
}

static void terms_fold_synonyms_and_drop_small_talk(void **state)
{
    (void)state;
    const char *groups = "噪声 噪音 吵闹\n下水道 阴沟\n";
    rx_synonyms *syn;
    assert_int_equal(rx_synonyms_parse(&syn, groups, strlen(groups), NULL, NULL), RX_OK);
    /* the record's framing and the request are not what it is about */
    assert_string_equal(joined_terms(syn, "来电人反映：楼下烧烤噪音太大，希望尽快处理"),
                        "烧烤 +噪声");
    assert_string_equal(joined_terms(syn, "烧烤的噪声"), "烧烤 噪声");
    assert_string_equal(joined_terms(syn, "阴沟堵了3天"), "下水道 +堵了");
    assert_true(rx_terms_stopword("反映", strlen("反映")));
    assert_false(rx_terms_stopword("积水", strlen("积水")));
    rx_synonyms_free(syn);
}

/* ---- a real database ---- */

typedef struct {
    char dir[64], db[96];
    rx_wf_setup setup;
    rx_tickets *t;
    rx_stats *s;
    double now;
} fixture;

static long day(const char *date)
{
    return rx_date_parse(date, 10);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    ticket_store_open("terms", fx->dir, fx->db, &fx->setup, &fx->t);
    assert_int_equal(rx_stats_open(&fx->s, fx->db, fx->t), RX_OK);
    const char *groups = "噪声 噪音\n装饰装修 装修\n";
    rx_synonyms *syn;
    assert_int_equal(rx_synonyms_parse(&syn, groups, strlen(groups), NULL, NULL), RX_OK);
    assert_int_equal(rx_stats_set_synonyms(fx->s, syn), RX_OK);
    rx_synonyms_free(syn);
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
    return (rx_actor){.name = "小王", .role = "admin", .now = fx->now};
}

/* A ticket received on date at 10:00 (Shanghai). */
static void create(fixture *fx, char id[32], const char *date, const char *category,
                   const char *address, const char *content)
{
    fx->now = (double)day(date) * 86400 + 2 * 3600;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "channel", "phone");
    cJSON_AddStringToObject(body, "category", category);
    if (address)
        cJSON_AddStringToObject(body, "address", address);
    cJSON_AddStringToObject(body, "content", content);
    cJSON *out;
    rx_actor who = actor(fx);
    if (rx_tickets_create(&out, fx->t, body, &who) != RX_OK)
        fail_msg("create: %s", rx_error_last());
    snprintf(id, 32, "%s", cJSON_GetObjectItemCaseSensitive(out, "id")->valuestring);
    cJSON_Delete(out);
    cJSON_Delete(body);
}

static void search(fixture *fx, const char *id, const char *query, int confident, const char *top)
{
    fx->now += 30;
    cJSON *arr = cJSON_CreateArray();
    if (top)
        cJSON_AddItemToArray(arr, cJSON_CreateString(top));
    rx_actor who = actor(fx);
    rx_lookup l = {.query = query, .total = top ? 3 : 0, .top = arr, .confident = confident};
    assert_int_equal(rx_tickets_record_lookup(fx->t, id, &who, &l), RX_OK);
    cJSON_Delete(arr);
}

static void resolve(fixture *fx, const char *id)
{
    fx->now += 60;
    cJSON *body = cJSON_Parse("{\"action\":\"resolve_first_contact\",\"doc_ids\":[]}"), *out;
    rx_actor who = actor(fx);
    if (rx_tickets_act(&out, fx->t, id, body, &who) != RX_OK)
        fail_msg("resolve: %s", rx_error_last());
    cJSON_Delete(out);
    cJSON_Delete(body);
}

static void sync_all(fixture *fx)
{
    assert_int_equal(rx_stats_sync(fx->s, 0, NULL), RX_OK);
}

static const cJSON *find(const cJSON *arr, const char *key, const char *value)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, key);
        if (cJSON_IsString(v) && !strcmp(v->valuestring, value))
            return it;
    }
    return NULL;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v))
        fail_msg("%s is not a number", key);
    return v->valuedouble;
}

static void hot_words_count_tickets_per_period(void **state)
{
    fixture *fx = *state;
    char id[32];
    /* the previous 30 days: one 噪声 */
    create(fx, id, "2026-10-10", "噪音", NULL, "楼下烧烤店噪声太大");
    /* the window: three, in either word, one saying it twice */
    create(fx, id, "2026-11-02", "噪音", NULL, "楼下烧烤店噪音大，噪音到半夜");
    create(fx, id, "2026-11-15", "噪音", NULL, "来电人反映烧烤噪声扰民");
    create(fx, id, "2026-11-29", "噪音", NULL, "烧烤摊噪音");
    create(fx, id, "2026-11-20", "排水", NULL, "下水道堵了");
    /* last year's same days: one */
    create(fx, id, "2025-11-10", "噪音", NULL, "烧烤噪音");
    sync_all(fx);
    cJSON *out;
    assert_int_equal(rx_stats_hotwords(&out, fx->s, day("2026-11-01"), day("2026-11-30"), 20),
                     RX_OK);
    assert_int_equal((long)num(out, "tickets"), 4);
    const cJSON *terms = cJSON_GetObjectItemCaseSensitive(out, "terms");
    const cJSON *noise = find(terms, "term", "噪声");
    assert_non_null(noise);
    assert_int_equal((long)num(noise, "count"), 3);
    assert_int_equal((long)num(noise, "previous"), 1);
    assert_int_equal((long)num(noise, "last_year"), 1);
    assert_true(fabs(num(noise, "growth") - 2.0) < 1e-9);
    assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(noise, "spike")));
    assert_null(find(terms, "term", "反映")); /* a stopword */
    assert_null(find(terms, "term", "噪音")); /* folded into 噪声 */
    cJSON_Delete(out);
    /* the same from the log alone */
    assert_int_equal(rx_stats_rebuild(fx->s), RX_OK);
    assert_int_equal(rx_stats_hotwords(&out, fx->s, day("2026-11-01"), day("2026-11-30"), 20),
                     RX_OK);
    noise = find(cJSON_GetObjectItemCaseSensitive(out, "terms"), "term", "噪声");
    assert_non_null(noise);
    assert_int_equal((long)num(noise, "count"), 3);
    cJSON_Delete(out);
}

static void gaps_group_similar_wording(void **state)
{
    fixture *fx = *state;
    char a[32], b[32], c[32], d[32], e[32];
    create(fx, a, "2026-11-03", "噪音", NULL, "楼上装修太吵");
    search(fx, a, "装修噪音几点", 0, "zjj-2024-003");
    search(fx, a, "装修噪音几点", 0, "zjj-2024-003"); /* the same query again: one ticket */
    create(fx, b, "2026-11-04", "噪音", NULL, "隔壁装修");
    search(fx, b, "装修 噪声 几点", 0, NULL);
    create(fx, c, "2026-11-05", "噪音", NULL, "楼上装修");
    search(fx, c, "装修噪音几点钟", 0, NULL);
    create(fx, d, "2026-11-06", "供水", NULL, "停水了");
    search(fx, d, "停水怎么办", 1, "gs-faq-001"); /* confident, but dispatched */
    create(fx, e, "2026-11-07", "医保", NULL, "医保报销");
    search(fx, e, "医保报销比例", 1, "yb-001");
    resolve(fx, e); /* answered in the call: no gap */
    sync_all(fx);
    cJSON *out;
    assert_int_equal(rx_stats_gaps(&out, fx->s, day("2026-11-01"), day("2026-11-30"), 10), RX_OK);
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(out, "queries");
    assert_int_equal(cJSON_GetArraySize(qs), 2);
    const cJSON *g = cJSON_GetArrayItem(qs, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(g, "query")->valuestring, "装修噪音几点");
    assert_int_equal((long)num(g, "count"), 3); /* three tickets, four searches */
    assert_int_equal((long)num(g, "searches"), 4);
    assert_int_equal((long)num(g, "unconfident"), 3);
    assert_true(num(g, "resolved_rate") == 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(g, "best_hit")->valuestring,
                        "zjj-2024-003");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(g, "variants")), 2);
    g = cJSON_GetArrayItem(qs, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(g, "query")->valuestring, "停水怎么办");
    assert_int_equal((long)num(g, "count"), 1);
    assert_int_equal((long)num(g, "unconfident"), 0);
    cJSON_Delete(out);
}

static void policy_difference_in_differences(void **state)
{
    fixture *fx = *state;
    char id[32];
    /* last year: the season doubles from May to June (2 → 4) */
    create(fx, id, "2025-05-10", "噪音", NULL, "装修噪音");
    create(fx, id, "2025-05-20", "噪音", NULL, "楼上装修噪声");
    for (int k = 0; k < 4; k++)
        create(fx, id, "2025-06-10", "噪音", NULL, "装修噪音");
    /* this year: 4 in May, then the rule, and 2 in June */
    for (int k = 0; k < 4; k++)
        create(fx, id, "2026-05-15", "噪音", NULL, "装修噪音扰民");
    create(fx, id, "2026-06-12", "噪音", NULL, "装修噪音");
    create(fx, id, "2026-06-20", "噪音", NULL, "装修的噪声");
    create(fx, id, "2026-06-21", "消费维权", NULL, "装修公司不退定金"); /* one term of two */
    sync_all(fx);
    const char *terms[] = {"装饰装修", "噪声"};
    rx_policy_topic topic = {.terms = terms,
                             .nterms = 2,
                             .min_terms = 2,
                             .effective = day("2026-06-01"),
                             .today = day("2026-07-15"),
                             .months = 1};
    cJSON *out;
    assert_int_equal(rx_stats_policy(&out, fx->s, &topic), RX_OK);
    const cJSON *before = cJSON_GetObjectItemCaseSensitive(out, "before");
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(out, "after");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(before, "from")->valuestring,
                        "2026-05-02");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(after, "to")->valuestring, "2026-06-30");
    assert_int_equal((long)num(before, "count"), 4);
    assert_int_equal((long)num(after, "count"), 2);
    assert_int_equal((long)num(cJSON_GetObjectItemCaseSensitive(out, "last_year_before"), "count"),
                     2);
    assert_int_equal((long)num(cJSON_GetObjectItemCaseSensitive(out, "last_year_after"), "count"),
                     4);
    assert_true(fabs(num(out, "change") + 0.5) < 1e-9);
    assert_true(fabs(num(out, "last_year_change") - 1.0) < 1e-9);
    assert_true(fabs(num(out, "expected_after") - 8) < 1e-9); /* 4 × 4/2 */
    assert_true(fabs(num(out, "did") + 0.75) < 1e-9);         /* 2/8 − 1 */
    cJSON_Delete(out);
    /* any one term: the 装修公司 ticket counts too */
    topic.min_terms = 1;
    assert_int_equal(rx_stats_policy(&out, fx->s, &topic), RX_OK);
    assert_int_equal((long)num(cJSON_GetObjectItemCaseSensitive(out, "after"), "count"), 3);
    cJSON_Delete(out);
}

static void warnings_find_a_place_cluster(void **state)
{
    fixture *fx = *state;
    char id[32], addr[128], date[16];
    /* a year of calls from 200 other places */
    for (int k = 0; k < 200; k++) {
        snprintf(addr, sizeof addr, "荷塘区月塘街道第%c%c小区1栋", 'a' + k / 26, 'a' + k % 26);
        snprintf(date, sizeof date, "2026-%02d-%02d", 1 + k % 10, 1 + k % 28);
        create(fx, id, date, k % 2 ? "排水" : "噪音", addr, k % 2 ? "楼道漏水" : "广场舞音响");
    }
    /* November: 20 calls from 20 places, 10 of them 排水 */
    for (int k = 0; k < 20; k++) {
        snprintf(addr, sizeof addr, "石峰区田心街道乙%c小区2栋", 'a' + k);
        snprintf(date, sizeof date, "2026-11-%02d", 1 + k);
        create(fx, id, date, k % 2 ? "排水" : "噪音", addr, k % 2 ? "楼道漏水" : "广场舞音响");
    }
    /* and four from one road about the same flooding */
    for (int k = 0; k < 4; k++) {
        snprintf(date, sizeof date, "2026-11-%02d", 20 + k);
        create(fx, id, date, "排水", "芦淞区建设街道新华西路5号", "新华西路口下雨积水");
    }
    sync_all(fx);
    cJSON *out;
    assert_int_equal(rx_stats_warnings(&out, fx->s, day("2026-11-01"), day("2026-11-30")), RX_OK);
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(out, "warnings");
    const cJSON *c = find(ws, "kind", "cluster");
    assert_non_null(c);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "where")->valuestring,
                        "芦淞区建设街道新华西路");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "area")->valuestring, "芦淞区");
    assert_int_equal((long)num(c, "count"), 4);
    /* 24 calls in November × the road's share of the year's 224, with
     * one pseudo-call (5/224) × 排水's share of November (14/24) */
    assert_true(fabs(num(c, "expected") - 0.31) < 1e-9);
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(c, "what")->valuestring, "排水"));
    assert_non_null(strstr(cJSON_GetObjectItemCaseSensitive(c, "what")->valuestring, "积水"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, "tickets")), 4);
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "tickets"), 0)->valuestring,
        id); /* the latest first */
    /* no other place is a cluster: one call each */
    int clusters = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, ws) clusters +=
        !strcmp(cJSON_GetObjectItemCaseSensitive(it, "kind")->valuestring, "cluster");
    assert_int_equal(clusters, 1);
    cJSON_Delete(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tails_are_right),
        cmocka_unit_test(flat_series_has_no_spike),
        cmocka_unit_test(injected_spike_is_found),
        cmocka_unit_test(seasonal_rise_last_year_also_had_is_no_spike),
        cmocka_unit_test(terms_fold_synonyms_and_drop_small_talk),
        cmocka_unit_test_setup_teardown(hot_words_count_tickets_per_period, setup, teardown),
        cmocka_unit_test_setup_teardown(gaps_group_similar_wording, setup, teardown),
        cmocka_unit_test_setup_teardown(policy_difference_in_differences, setup, teardown),
        cmocka_unit_test_setup_teardown(warnings_find_a_place_cluster, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
