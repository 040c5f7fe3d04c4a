/* Casebooks (案例复盘) and the supervision report: free-text masking of
 * callers' data, a case assembled from a real ticket database (timeline
 * in Chinese, documents with their titles, replies, supervision, callback,
 * the lesson), nothing stored for unknown tickets, HTML and Markdown that
 * escape hostile text, and the report's periods and problem rules. */
#include "rexian/casebook.h"
#include "rexian/error.h"
#include "rexian/report.h"
#include "rexian/stats.h"
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

#define CALLER "张建国"
#define PHONE "13807330001"
#define STREET "新华西路8号3栋"

typedef struct {
    char dir[64], db[96];
    rx_wf_setup setup;
    rx_tickets *t;
    rx_casebooks *cb;
    double now;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    ticket_store_open("casebook", fx->dir, fx->db, &fx->setup, &fx->t);
    assert_int_equal(rx_casebooks_open(&fx->cb, fx->db), RX_OK);
    fx->now = (double)rx_date_parse("2026-05-11", 10) * 86400 + 3600;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    rx_casebooks_free(fx->cb);
    ticket_store_close(fx->dir, &fx->setup, fx->t);
    free(fx);
    return 0;
}

static rx_actor admin(const fixture *fx)
{
    return (rx_actor){.name = "管理员甲", .role = "admin", .now = fx->now};
}

static void act(fixture *fx, const char *id, const char *json)
{
    cJSON *body = cJSON_Parse(json), *out = NULL;
    assert_non_null(body);
    rx_actor who = admin(fx);
    if (rx_tickets_act(&out, fx->t, id, body, &who) != RX_OK)
        fail_msg("%s on %s: %s", json, id, rx_error_last());
    cJSON_Delete(out);
    cJSON_Delete(body);
    fx->now += 3600;
}

/* A ticket whose every free text repeats the caller's data, walked
 * through dispatch, supervision, reply, approval and callback, with a
 * document opened during the call. */
static void hostile_ticket(fixture *fx, char id[32])
{
    cJSON *body = cJSON_Parse(
        "{\"channel\":\"phone\",\"caller\":\"" CALLER "\",\"phone\":\"" PHONE "\","
        "\"address\":\"荷塘区" STREET "\",\"category\":\"排水\","
        "\"content\":\"我叫" CALLER "，住" STREET "，下水道堵了<script>alert('x')</script>，"
        "电话138 0733 0001，或0731-28881234，身份证43020219800101123X\"}");
    cJSON *out;
    rx_actor who = admin(fx);
    assert_int_equal(rx_tickets_create(&out, fx->t, body, &who), RX_OK);
    snprintf(id, 32, "%s", cJSON_GetObjectItem(out, "id")->valuestring);
    cJSON_Delete(out);
    cJSON_Delete(body);
    cJSON *top = cJSON_CreateArray();
    cJSON_AddItemToArray(top, cJSON_CreateString("zjj-2024-003"));
    rx_lookup l = {.open = true, .total = 1, .top = top, .confident = -1};
    assert_int_equal(rx_tickets_record_lookup(fx->t, id, &who, &l), RX_OK);
    cJSON_Delete(top);
    act(fx, id, "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"市水务局\"}");
    act(fx, id, "{\"action\":\"supervise\",\"kind\":\"hotline\",\"note\":\"请联系" CALLER "\"}");
    act(fx, id, "{\"action\":\"accept\"}");
    act(fx, id, "{\"action\":\"reply\",\"text\":\"已联系" CALLER "先生（" PHONE "）疏通\"}");
    act(fx, id, "{\"action\":\"approve\"}");
    act(fx, id, "{\"action\":\"callback\",\"result\":\"satisfied\",\"note\":\"" CALLER "满意\"}");
}

static char *title_of(void *ctx, const char *id)
{
    (*(int *)ctx)++;
    return strcmp(id, "zjj-2024-003") == 0 ? strdup("株洲市住宅装修施工时段管理规定") : NULL;
}

/* What must never be in an export: the caller's name, phone (whole or in
 * groups), street and ID number. */
static void assert_masked(const char *s)
{
    assert_null(strstr(s, CALLER));
    assert_null(strstr(s, PHONE));
    assert_null(strstr(s, "0733 0001"));
    assert_null(strstr(s, "28881234"));
    assert_null(strstr(s, "新华西路"));
    assert_null(strstr(s, "198001011"));
}

static void free_text_masking(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"我叫" CALLER "，电话" PHONE, "我叫张*，电话*******0001"},
        {"回电138 0733 0001或138-0733-0001", "回电*** **** 0001或***-****-0001"},
        {"座机0731-28881234", "座机****-****1234"},
        {"于2026-05-12 09:13修复，共3户", "于2026-05-12 09:13修复，共3户"}, /* dates stay */
        {"号码１３８０７３３０００１", "号码*******０００１"},              /* full width */
        {"联系人：王小明，地址不详", "联系人：王*，地址不详"},
        {"我叫了物业好几次", "我叫了物业好几次"}, /* not a name */
        {"不要写姓名和电话", "不要写姓名和电话"},
        {"姓名:李四,", "姓名:李*,"},
        {"住荷塘区" STREET "，" STREET "门口", "住荷塘区，（地址已隐去）门口"},
        {"市民反映路灯不亮", "市民反映路灯不亮"},
        {"荷塘区新华西路下水道堵塞", "荷塘区（地址已隐去）下水道堵塞"}, /* part of the street */
        {"新华路口", "新华路口"},                                       /* 3 chars, no 路 end */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *m = rx_text_mask(cases[k].in, CALLER, "荷塘区" STREET, RX_PII_MASKED);
        if (strcmp(m, cases[k].out) != 0)
            fail_msg("%s → %s, expected %s", cases[k].in, m, cases[k].out);
        free(m);
    }
    /* the department sees phones, not the name */
    char *c = rx_text_mask("已联系" CALLER "（" PHONE "）", CALLER, NULL, RX_PII_CONTACT);
    assert_string_equal(c, "已联系张*（" PHONE "）");
    free(c);
    /* a generic caller is left in the text */
    char *g = rx_text_mask("市民表示满意", "市民", NULL, RX_PII_MASKED);
    assert_string_equal(g, "市民表示满意");
    free(g);
}

static void ticket_mask_free_text(void **state)
{
    fixture *fx = *state;
    char id[32];
    hostile_ticket(fx, id);
    rx_actor trainer = {.name = "培训师", .role = "trainer", .now = fx->now};
    cJSON *t;
    assert_int_equal(rx_tickets_get(&t, fx->t, id, &trainer), RX_OK);
    char *s = cJSON_PrintUnformatted(t);
    assert_masked(s);
    assert_non_null(strstr(s, "\"caller\":\"张*\""));
    free(s);
    cJSON_Delete(t);
}

static void case_from_ticket(void **state)
{
    fixture *fx = *state;
    char id[32];
    hostile_ticket(fx, id);
    rx_actor system = {.name = "x", .role = "system", .now = fx->now};
    cJSON *t;
    assert_int_equal(rx_tickets_get(&t, fx->t, id, &system), RX_OK);
    int calls = 0;
    cJSON *c = rx_casebook_case(t, "教训：答复里不要写" CALLER "的电话" PHONE, title_of, &calls);
    cJSON_Delete(t);
    assert_non_null(c);
    char *s = cJSON_PrintUnformatted(c);
    assert_masked(s);
    free(s);
    assert_string_equal(cJSON_GetObjectItem(c, "caller")->valuestring, "张*");
    assert_string_equal(cJSON_GetObjectItem(c, "phone")->valuestring, "138****0001");
    assert_string_equal(cJSON_GetObjectItem(c, "address")->valuestring, "荷塘区");
    assert_string_equal(cJSON_GetObjectItem(c, "outcome")->valuestring, "满意");
    assert_string_equal(cJSON_GetObjectItem(c, "supervision")->valuestring, "热线督办");
    /* the timeline in Chinese, oldest first */
    cJSON *tl = cJSON_GetObjectItem(c, "timeline");
    static const char *const labels[] = {"受理", "交办",     "督办", "签收",
                                         "答复", "审核通过", "回访"};
    assert_int_equal(cJSON_GetArraySize(tl), 7);
    for (int k = 0; k < 7; k++)
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, k), "label")->valuestring,
                            labels[k]);
    assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(tl, 1), "detail")->valuestring,
                           "即交即办至 市水务局"));
    /* the document opened, with its title */
    cJSON *docs = cJSON_GetObjectItem(c, "documents");
    assert_int_equal(cJSON_GetArraySize(docs), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(docs, 0), "title")->valuestring,
                        "株洲市住宅装修施工时段管理规定");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(docs, 0), "used")->valuestring,
                        "opened");
    assert_int_equal(calls, 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "replies")), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "supervision_log")), 1);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "callbacks"), 0), "result")
            ->valuestring,
        "满意");
    assert_string_equal(cJSON_GetObjectItem(c, "lesson")->valuestring,
                        "教训：答复里不要写张*的电话*******0001");
    cJSON_Delete(c);
}

static cJSON *create_book(fixture *fx, const char *json, int expect)
{
    cJSON *body = cJSON_Parse(json), *out = NULL;
    assert_non_null(body);
    rx_actor trainer = {.name = "培训师甲", .role = "trainer", .now = fx->now};
    int calls = 0;
    int rc = rx_casebook_create(&out, fx->cb, fx->t, body, &trainer, title_of, &calls);
    if (rc != expect)
        fail_msg("%s: %d (%s), expected %d", json, rc, rx_error_last(), expect);
    cJSON_Delete(body);
    return out;
}

static int stored(fixture *fx)
{
    cJSON *l;
    assert_int_equal(rx_casebooks_list(&l, fx->cb, 10, 0), RX_OK);
    int n = (int)cJSON_GetObjectItem(l, "total")->valuedouble;
    cJSON_Delete(l);
    return n;
}

static void create_store_and_export(void **state)
{
    fixture *fx = *state;
    char id[32], json[1024];
    hostile_ticket(fx, id);
    snprintf(json, sizeof json,
             "{\"title\":\"排水<案例> & \\\"复盘\\\"\",\"intro\":\"# 不是标题\\n* 不是列表\","
             "\"tickets\":[{\"id\":\"%s\",\"lesson\":\"先核实 **地址**，再交办\\n1. 第一条\"}]}",
             id);
    cJSON *book = create_book(fx, json, RX_OK);
    assert_string_equal(cJSON_GetObjectItem(book, "id")->valuestring, "CB000001");
    cJSON_Delete(book);
    assert_int_equal(stored(fx), 1);

    /* the stored snapshot holds no caller's data */
    cJSON *got;
    assert_int_equal(rx_casebook_get(&got, fx->cb, "CB000001"), RX_OK);
    char *s = cJSON_PrintUnformatted(got);
    assert_masked(s);
    free(s);
    assert_int_equal(rx_casebook_get(&book, fx->cb, "CB000009"), RX_ENOTFOUND);
    assert_int_equal(rx_casebook_get(&book, fx->cb, "../etc"), RX_ENOTFOUND);

    /* HTML: self-contained, escaped, printable */
    rx_buf h = {0};
    assert_int_equal(rx_casebook_html(&h, got), RX_OK);
    assert_masked(h.data);
    assert_null(strstr(h.data, "<script"));
    assert_non_null(strstr(h.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_non_null(strstr(h.data, "排水&lt;案例&gt; &amp; &quot;复盘&quot;"));
    assert_null(strstr(h.data, "http://"));
    assert_null(strstr(h.data, "https://"));
    assert_null(strstr(h.data, "src="));
    assert_non_null(strstr(h.data, "@media print"));
    assert_non_null(strstr(h.data, "株洲市住宅装修施工时段管理规定"));
    assert_non_null(strstr(h.data, "复盘教训"));
    assert_non_null(strstr(h.data, "先核实 **地址**，再交办<br>1. 第一条"));
    rx_buf_free(&h);

    /* Markdown: the text stays text */
    rx_buf m = {0};
    assert_int_equal(rx_casebook_markdown(&m, got), RX_OK);
    assert_masked(m.data);
    assert_non_null(strstr(m.data, "# 排水\\<案例\\> \\& \"复盘\"\n"));
    assert_non_null(strstr(m.data, "\n\\# 不是标题  \n\\* 不是列表\n"));
    assert_non_null(strstr(m.data, "先核实 \\*\\*地址\\*\\*，再交办  \n1\\. 第一条"));
    assert_non_null(strstr(m.data, "\\<script\\>"));
    assert_non_null(strstr(m.data, "- 来电人：张\\*\n"));
    rx_buf_free(&m);
    cJSON_Delete(got);
}

static void bad_bodies_store_nothing(void **state)
{
    fixture *fx = *state;
    char id[32], json[512];
    hostile_ticket(fx, id);
    cJSON *none;
    none = create_book(fx, "{\"tickets\":[\"ZZ20260511-000001\"]}", RX_EINVALID);
    none = create_book(fx, "{\"title\":\"x\",\"tickets\":[]}", RX_EINVALID);
    none = create_book(fx, "{\"title\":\"x\",\"tickets\":[1]}", RX_EINVALID);
    snprintf(json, sizeof json, "{\"title\":\"x\",\"tickets\":[\"%s\",\"ZZ19990101-999999\"]}", id);
    none = create_book(fx, json, RX_EVALUE);
    assert_string_equal(rx_error_reason(), "unknown_ticket");
    assert_non_null(strstr(rx_error_last(), "ZZ19990101-999999"));
    snprintf(json, sizeof json, "{\"title\":\"x\",\"tickets\":[\"%s\",\"%s\"]}", id, id);
    none = create_book(fx, json, RX_EINVALID);
    snprintf(json, sizeof json,
             "{\"title\":\"x\",\"tickets\":[\"%s\"],\"lessons\":{\"ZZ1\":\"y\"}}", id);
    none = create_book(fx, json, RX_EVALUE);
    none = create_book(fx, "{\"title\":\"x\",\"tickets\":[\"<script>\"]}", RX_EVALUE);
    assert_null(none);
    assert_int_equal(stored(fx), 0);
    /* lessons by id are taken */
    snprintf(json, sizeof json,
             "{\"title\":\"x\",\"tickets\":[\"%s\"],\"lessons\":{\"%s\":\"要点\"}}", id, id);
    cJSON *book = create_book(fx, json, RX_OK);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(book, "cases"), 0), "lesson")
            ->valuestring,
        "要点");
    cJSON_Delete(book);
    assert_int_equal(stored(fx), 1);
}

static void report_periods(void **state)
{
    (void)state;
    rx_period p, q;
    char d[11];
    assert_int_equal(rx_period_parse(&p, "2026-05"), RX_OK);
    rx_date_format(d, p.from);
    assert_string_equal(d, "2026-05-01");
    rx_date_format(d, p.to);
    assert_string_equal(d, "2026-05-31");
    assert_string_equal(p.label, "2026年5月");
    rx_period_previous(&q, &p);
    assert_string_equal(q.key, "2026-04");
    assert_int_equal(q.to - q.from, 29);
    assert_int_equal(rx_period_parse(&p, "2026-Q1"), RX_OK);
    rx_period_previous(&q, &p);
    assert_string_equal(q.key, "2025-Q4");
    rx_date_format(d, q.to);
    assert_string_equal(d, "2025-12-31");
    assert_string_equal(p.label, "2026年第一季度");
    rx_period_last_year(&q, &p);
    assert_string_equal(q.key, "2025-Q1");
    assert_int_equal(rx_period_parse(&p, "2024-02"), RX_OK);
    assert_int_equal(p.to - p.from, 28); /* a leap year */
    static const char *const bad[] = {"2026-13", "2026-00",  "2026-Q5", "2026-5",
                                      "26-05",   "2026-05x", "",        "2026/05"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_int_equal(rx_period_parse(&p, bad[k]), RX_EINVALID);
}

static void report_flags_and_rendering(void **state)
{
    (void)state;
    cJSON *d = cJSON_Parse("{\"name\":\"市<b>水务</b>局\",\"tickets\":20,\"overdue\":3,"
                           "\"on_time\":{\"count\":8,\"of\":10,\"rate\":0.8},"
                           "\"satisfaction\":{\"count\":3,\"of\":4,\"rate\":0.75},"
                           "\"rework\":{\"count\":1,\"of\":10,\"rate\":0.1}}");
    cJSON *f = rx_report_flags(d);
    /* on-time below 85%, 3 overdue; satisfaction has too few callbacks (4 < 5) */
    assert_int_equal(cJSON_GetArraySize(f), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(f, 0), "issue")->valuestring,
                        "按时办结率偏低");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(f, 1), "metric")->valuestring,
                        "overdue");
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "label", "2026年5月<script>");
    cJSON *deps = cJSON_AddArrayToObject(r, "departments");
    cJSON_AddItemToObject(d, "flags", f);
    cJSON_AddItemToArray(deps, d);
    rx_buf h = {0}, m = {0};
    assert_int_equal(rx_report_html(&h, r), RX_OK);
    assert_null(strstr(h.data, "<script"));
    assert_null(strstr(h.data, "<b>"));
    assert_non_null(strstr(h.data, "市&lt;b&gt;水务&lt;/b&gt;局"));
    assert_non_null(strstr(h.data, "<svg"));
    assert_non_null(strstr(h.data, "80.0%"));
    assert_null(strstr(h.data, "https://"));
    assert_int_equal(rx_report_markdown(&m, r), RX_OK);
    assert_non_null(strstr(m.data, "| 市\\<b\\>水务\\</b\\>局 | 20 | 80.0%（8/10） |"));
    rx_buf_free(&h);
    rx_buf_free(&m);
    cJSON_Delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(free_text_masking),
        cmocka_unit_test_setup_teardown(ticket_mask_free_text, setup, teardown),
        cmocka_unit_test_setup_teardown(case_from_ticket, setup, teardown),
        cmocka_unit_test_setup_teardown(create_store_and_export, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_bodies_store_nothing, setup, teardown),
        cmocka_unit_test(report_periods),
        cmocka_unit_test(report_flags_and_rendering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
