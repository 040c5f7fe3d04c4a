/* libFuzzer target: ticket-create and action bodies as the HTTP layer
 * receives them. The raw bytes go through rx_body_object, then to
 * rx_wf_create and rx_wf_parse; a parsed action is applied to a fresh
 * ticket in every status by every role (and by the system), and the result
 * is checked against the transition table of DESIGN.md ("The ticket
 * workflow"), written out again here, and the role guards. */
#include "rexian/corpus.h"
#include "rexian/error.h"
#include "rexian/http.h"
#include "rexian/roles.h"
#include "rexian/text.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include "../../src/http/routes.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rx_departments *departments;
static rx_wf_rules rules;
static rx_wf_env env;

/* Used when corpus/departments.txt cannot be read (the fuzzer is run from
 * another folder and REXIAN_CORPUS is not set). */
static const char fallback_departments[] = "市12345热线服务中心 12345热线 热线中心\n"
                                           "市住房和城乡建设局 住建局 市住建局 房产局\n"
                                           "市城市管理和综合执法局 城管局 城管\n"
                                           "市生态环境局 环保局\n"
                                           "市公安局 公安局 派出所\n";

/* Documents "exist" unless their id mentions "missing". */
static bool doc_exists(void *ctx, const char *id)
{
    (void)ctx;
    return strstr(id, "missing") == NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("REXIAN_CORPUS");
    char path[4096];
    snprintf(path, sizeof path, "%s/departments.txt", dir && *dir ? dir : "corpus");
    char *text = NULL;
    size_t len = 0;
    if (rx_file_read(&text, &len, path, 1 << 20) != RX_OK) {
        fprintf(stderr, "fuzz_actions: %s unreadable, using a built-in list\n", path);
        text = strdup(fallback_departments);
        len = strlen(text);
    }
    rx_diags diags = {0};
    if (!text || rx_departments_parse(&departments, path, text, len, &diags) != RX_OK) {
        fprintf(stderr, "fuzz_actions: cannot parse the departments\n");
        abort();
    }
    free(text);
    rx_diags_free(&diags);
    rx_wf_rules_default(&rules);
    env = (rx_wf_env){.departments = departments,
                      .calendar = NULL,
                      .rules = &rules,
                      .today = rx_date_parse("2026-03-02", 10),
                      .now = "2026-03-02T10:00:00+08:00",
                      .doc_exists = doc_exists,
                      .role = -1};
    return 0;
}

/* A refusal leaves its code and a message in valid UTF-8 (it reaches the
 * client inside JSON) on the thread, and maps to a 4xx. */
static void check_refusal(int rc)
{
    assert(rc < 0);
    assert(rx_error_code() == rc);
    const char *msg = rx_error_last();
    assert(msg[0] != '\0' && rx_utf8_valid(msg, strlen(msg), NULL));
    int status = rx_http_status_of(rc);
    assert(status >= 400 && status < 500);
}

/* A ticket's API JSON prints and parses back, in valid UTF-8. */
static void check_json(const rx_ticket *t)
{
    cJSON *doc = rx_ticket_json(t, env.today);
    char *s = cJSON_PrintUnformatted(doc);
    assert(s && rx_utf8_valid(s, strlen(s), NULL));
    cJSON *back = cJSON_Parse(s);
    assert(cJSON_IsObject(back));
    assert(strcmp(cJSON_GetObjectItemCaseSensitive(back, "status")->valuestring,
                  rx_status_name(t->status)) == 0);
    cJSON_Delete(back);
    free(s);
    cJSON_Delete(doc);
}

/* Where an accepted action leads (DESIGN.md), -1 for "stays". */
static int expected_status(const rx_wf_input *in, const rx_ticket *before)
{
    switch (in->action) {
    case RX_ACT_RESOLVE_FIRST_CONTACT: return RX_ST_CLOSED;
    case RX_ACT_DISPATCH: return RX_ST_DISPATCHED;
    case RX_ACT_RETURN: return RX_ST_RECEIVED;
    case RX_ACT_ACCEPT: return RX_ST_ACCEPTED;
    case RX_ACT_REPLY: return RX_ST_REPLIED;
    case RX_ACT_APPROVE: return RX_ST_CLOSED;
    case RX_ACT_REJECT: return RX_ST_DISPATCHED;
    case RX_ACT_CALLBACK:
        if (strcmp(in->result, "unsatisfied") == 0)
            return RX_ST_REOPENED;
        if (strcmp(in->result, "unreachable") == 0)
            return before->callback_attempts + 1 >= 3 ? RX_ST_ARCHIVED : RX_ST_CLOSED;
        return RX_ST_ARCHIVED;
    case RX_ACT_EXTEND:
    case RX_ACT_SUPERVISE:
    case RX_ACT_REFER_DISCIPLINE:
    case RX_ACT_REQUEST_APPROVAL:
    case RX_ACT_COUNT: break;
    }
    return -1;
}

#define LEAD "市住房和城乡建设局"

/* Applies in, as role (-1: the system), to the ticket created from
 * create_body, put in status s; worn: a ticket with a history (led by
 * LEAD, supervised, referred, a deadline, two failed callbacks, version 3).
 * The department role acts for LEAD. */
static void apply_in(const cJSON *create_body, const rx_wf_input *in, rx_status s, bool worn,
                     int role)
{
    rx_wf_env as = env;
    as.role = role;
    as.department = role == RX_ROLE_DEPARTMENT ? LEAD : NULL;
    rx_ticket t;
    int rc = rx_wf_create(&t, create_body, &as);
    assert(rc == RX_OK);
    snprintf(t.id, sizeof t.id, "ZZ20260302-%06d", 1);
    t.status = s;
    if (worn) {
        t.supervision = RX_SUP_JOINT;
        t.discipline = true;
        t.version = 3;
        t.level = RX_LEVEL_CONSULT;
        t.deadline_days = 10;
        t.deadline = env.today + 3;
        t.callback_attempts = 2;
        t.lead = strdup(LEAD);
    }
    rx_ticket before = t;
    rc = rx_wf_apply(&t, in, &as);
    if (!rx_wf_allowed(in->action, s) || !rx_wf_role_may(in->action, role))
        assert(rc != RX_OK);
    if (role == RX_ROLE_DEPARTMENT && !worn) /* not its ticket: as if there were none */
        assert(rc == RX_ENOTFOUND || (rc == RX_ECONFLICT && in->version >= 0));
    if (rc != RX_OK) {
        check_refusal(rc);
        assert(t.status == before.status && t.supervision == before.supervision &&
               t.discipline == before.discipline && t.round == before.round &&
               t.rework == before.rework && t.deadline == before.deadline);
    } else {
        assert(in->version < 0 || in->version == before.version);
        int to = expected_status(in, &before);
        assert(t.status == (rx_status)(to < 0 ? (int)s : to));
        assert(t.supervision >= before.supervision);
        if (in->action == RX_ACT_SUPERVISE)
            assert(t.supervision == in->kind);
        if (in->action == RX_ACT_REFER_DISCIPLINE)
            assert(t.discipline && !before.discipline);
        if (in->action == RX_ACT_DISPATCH)
            assert(t.lead && t.level != RX_LEVEL_NONE);
        if (in->action == RX_ACT_DISPATCH || in->action == RX_ACT_REJECT)
            assert(t.deadline > env.today && t.deadline_days > 0);
        if (in->action == RX_ACT_EXTEND)
            assert(t.deadline > (before.deadline != RX_DATE_INVALID ? before.deadline : env.today));
        if (t.status == RX_ST_CLOSED && before.status != RX_ST_CLOSED)
            assert(t.closed_at);
    }
    check_json(&t);
    rx_ticket_clear(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the exact bytes, without a terminating NUL, so that a read past the
     * body is caught */
    char *bytes = malloc(size ? size : 1);
    if (!bytes)
        return 0;
    memcpy(bytes, data, size);
    rx_http_request req = {
        .method = "POST", .path = "/api/v1/tickets", .body = bytes, .body_len = size};
    rx_http_response res = {0};
    cJSON *body = rx_body_object(&req, &res, "{\"action\":\"accept\"}");
    if (!body) {
        assert(res.status == 400);
        assert(rx_utf8_valid(res.body.data, res.body.len, NULL));
        cJSON *doc = cJSON_Parse(res.body.data);
        assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "error")));
        cJSON_Delete(doc);
        rx_buf_free(&res.body);
        free(bytes);
        return 0;
    }
    assert(cJSON_IsObject(body) && res.status == 0);

    /* the body as a ticket-create request */
    static const char fixed[] = "{\"channel\":\"phone\",\"caller\":\"李女士\","
                                "\"phone\":\"13907331234\",\"address\":\"荷塘区新华西路1号\","
                                "\"category\":\"噪声\",\"content\":\"楼上夜间装修，电钻声很大\"}";
    cJSON *fixed_body = cJSON_Parse(fixed);
    const cJSON *create_body = fixed_body;
    rx_ticket t;
    int rc = rx_wf_create(&t, body, &env);
    if (rc == RX_OK) {
        assert(t.status == RX_ST_RECEIVED && t.round == 1 && t.version == 0);
        assert(t.channel && t.content && t.content[0] != '\0');
        assert(rx_utf8_valid(t.content, strlen(t.content), NULL));
        check_json(&t);
        create_body = body;
    } else {
        check_refusal(rc);
    }
    rx_ticket_clear(&t);

    /* the body as an action */
    rx_wf_input in;
    rc = rx_wf_parse(&in, body, &env);
    if (rc == RX_OK) {
        assert(in.action < RX_ACT_COUNT && in.payload);
        char *s = cJSON_PrintUnformatted(in.payload);
        assert(s && rx_utf8_valid(s, strlen(s), NULL));
        free(s);
        for (int st = 0; st < RX_ST_COUNT; st++)
            for (int role = -1; role < RX_ROLE_COUNT; role++) {
                apply_in(create_body, &in, (rx_status)st, false, role);
                apply_in(create_body, &in, (rx_status)st, true, role);
            }
    } else {
        check_refusal(rc);
    }
    rx_wf_input_clear(&in); /* a refusal may leave a partial payload */
    cJSON_Delete(fixed_body);
    cJSON_Delete(body);
    free(bytes);
    return 0;
}
