/* The ticket workflow as pure logic: the names, the transition table, and
 * what each action checks and changes. The store calls rx_wf_apply inside
 * the transaction that saves the result. */
#include "rexian/workflow.h"
#include "rexian/error.h"
#include "rexian/roles.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_names[RX_ST_COUNT] = {
    "received", "dispatched", "accepted", "replied", "closed", "reopened", "archived"};
static const char *const status_labels[RX_ST_COUNT] = {"已受理", "已交办",   "已签收", "已答复",
                                                       "已办结", "二次办理", "已归档"};
static const char *const action_names[RX_ACT_COUNT] = {"resolve_first_contact",
                                                       "dispatch",
                                                       "return",
                                                       "accept",
                                                       "reply",
                                                       "approve",
                                                       "reject",
                                                       "extend",
                                                       "supervise",
                                                       "callback",
                                                       "refer_discipline",
                                                       "request_approval"};
static const char *const action_labels[RX_ACT_COUNT] = {
    "一次办结", "交办", "退单", "签收", "答复",         "审核通过",
    "驳回重办", "延期", "督办", "回访", "移交纪委监委", "申请审批交办"};
static const char *const level_names[] = {NULL, "immediate", "consult", "leader"};
static const char *const supervision_names[] = {NULL, "hotline", "joint", "media", "leader"};
static const char *const supervision_labels[] = {NULL, "热线督办", "协同督办", "媒体督办",
                                                 "领导督办"};

#define ST(s) (1u << (s))
#define OPEN                                                                                       \
    (ST(RX_ST_RECEIVED) | ST(RX_ST_DISPATCHED) | ST(RX_ST_ACCEPTED) | ST(RX_ST_REPLIED) |          \
     ST(RX_ST_REOPENED))
#define ANY ((1u << RX_ST_COUNT) - 1)
#define SAME (-1)   /* the status does not change */
#define RESULT (-2) /* callback: depends on the result */

#define A RX_ROLE_BIT(RX_ROLE_AGENT)
#define S RX_ROLE_BIT(RX_ROLE_SUPERVISOR)
#define D RX_ROLE_BIT(RX_ROLE_DEPARTMENT)
#define M RX_ROLE_BIT(RX_ROLE_ADMIN)

/* The state machine on one screen: from which statuses an action may be
 * taken, where it leads, and which roles may take it (DESIGN.md "Roles";
 * the trainer takes none). rx_wf_apply moves the status by this table;
 * a department acts only on tickets it leads or co-handles, and an agent
 * dispatches at the immediate level only. */
static const struct {
    unsigned from;
    int to;
    unsigned roles;
} transitions[RX_ACT_COUNT] = {
    [RX_ACT_RESOLVE_FIRST_CONTACT] = {ST(RX_ST_RECEIVED), RX_ST_CLOSED, A | S | M},
    [RX_ACT_DISPATCH] = {ST(RX_ST_RECEIVED) | ST(RX_ST_REOPENED), RX_ST_DISPATCHED, A | S | M},
    [RX_ACT_RETURN] = {ST(RX_ST_DISPATCHED), RX_ST_RECEIVED, D | M}, /* 退单 */
    [RX_ACT_ACCEPT] = {ST(RX_ST_DISPATCHED), RX_ST_ACCEPTED, D | M},
    [RX_ACT_REPLY] = {ST(RX_ST_ACCEPTED), RX_ST_REPLIED, D | M},
    [RX_ACT_APPROVE] = {ST(RX_ST_REPLIED), RX_ST_CLOSED, S | M},
    [RX_ACT_REJECT] = {ST(RX_ST_REPLIED), RX_ST_DISPATCHED, S | M}, /* 驳回重办 */
    [RX_ACT_EXTEND] = {ST(RX_ST_DISPATCHED) | ST(RX_ST_ACCEPTED), SAME, S | D | M},
    [RX_ACT_SUPERVISE] = {OPEN, SAME, S | M},
    [RX_ACT_CALLBACK] = {ST(RX_ST_CLOSED), RESULT, A | S | M},
    [RX_ACT_REFER_DISCIPLINE] = {ANY, SAME, S | M},
    /* a consult or leader dispatch proposed for a supervisor's approval */
    [RX_ACT_REQUEST_APPROVAL] = {ST(RX_ST_RECEIVED) | ST(RX_ST_REOPENED), SAME, A | S | M},
};
#undef A
#undef S
#undef D
#undef M

static int find(const char *const *names, size_t n, const char *name)
{
    if (!name)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (names[k] && strcmp(names[k], name) == 0)
            return (int)k;
    return -1;
}

const char *rx_status_name(rx_status s)
{
    return status_names[s];
}
const char *rx_status_label(rx_status s)
{
    return status_labels[s];
}
int rx_status_find(const char *name)
{
    return find(status_names, RX_ST_COUNT, name);
}
const char *rx_action_name(rx_action a)
{
    return action_names[a];
}
const char *rx_action_label(rx_action a)
{
    return action_labels[a];
}
int rx_action_find(const char *name)
{
    return find(action_names, RX_ACT_COUNT, name);
}
const char *rx_level_name(rx_level l)
{
    return level_names[l];
}
int rx_level_find(const char *name)
{
    return find(level_names, 4, name);
}
const char *rx_supervision_name(rx_supervision s)
{
    return supervision_names[s];
}
const char *rx_supervision_label(rx_supervision s)
{
    return supervision_labels[s];
}
int rx_supervision_find(const char *name)
{
    return find(supervision_names, 5, name);
}
bool rx_status_open(rx_status s)
{
    return (OPEN & ST(s)) != 0;
}

bool rx_wf_allowed(rx_action a, rx_status from)
{
    return (transitions[a].from & ST(from)) != 0;
}

bool rx_wf_role_may(rx_action a, int role)
{
    return role < 0 || (role < RX_ROLE_COUNT && (transitions[a].roles & RX_ROLE_BIT(role)) != 0);
}

bool rx_wf_concerns(const rx_ticket *t, const char *department)
{
    if (!department || !*department)
        return false;
    if (t->lead && strcmp(t->lead, department) == 0)
        return true;
    for (size_t k = 0; k < t->nco; k++)
        if (strcmp(t->co[k], department) == 0)
            return true;
    return false;
}

/* ---- rules ---- */

void rx_wf_rules_default(rx_wf_rules *r)
{
    *r = (rx_wf_rules){
        .scan_interval_s = 60,
        .deadline_days = {0, 5, 10, 15},
        .joint_after_overdue = 2,
        .joint_min_departments = 3,
        .media_min_tickets = 10,
        .media_window_days = 7,
        .media_baseline_days = 90,
        .media_spike_ratio = 3.0,
        .leader_after_rounds = 3,
        .leader_after_rework = 3,
        .leader_after_overdue = 3,
        .repeat_window_days = 30,
        .repeat_similarity = 0.35,
    };
}

void rx_wf_rules_clear(rx_wf_rules *r)
{
    for (size_t k = 0; k < r->nleader_categories; k++)
        free(r->leader_categories[k]);
    free(r->leader_categories);
    r->leader_categories = NULL;
    r->nleader_categories = 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

static int add_categories(rx_wf_rules *r, char *list)
{
    rx_wf_rules_clear(r);
    char *save = NULL;
    for (char *tok = strtok_r(list, ",，、", &save); tok; tok = strtok_r(NULL, ",，、", &save)) {
        tok = trim(tok);
        if (!*tok)
            continue;
        char **grown = realloc(r->leader_categories, (r->nleader_categories + 1) * sizeof *grown);
        if (!grown || !(grown[r->nleader_categories] = strdup(tok))) {
            if (grown)
                r->leader_categories = grown;
            return RX_ENOMEM;
        }
        r->leader_categories = grown;
        r->nleader_categories++;
    }
    return RX_OK;
}

int rx_wf_rules_parse(rx_wf_rules *r, const char *path, const char *text, size_t len,
                      rx_diags *diags)
{
    static const struct {
        const char *key;
        size_t offset;
        int lo, hi;
    } ints[] = {
#define K(name, field, lo, hi) {name, offsetof(rx_wf_rules, field), lo, hi}
        K("scan_interval_s", scan_interval_s, 1, 86400),
        K("deadline_days_immediate", deadline_days[RX_LEVEL_IMMEDIATE], 1, 365),
        K("deadline_days_consult", deadline_days[RX_LEVEL_CONSULT], 1, 365),
        K("deadline_days_leader", deadline_days[RX_LEVEL_LEADER], 1, 365),
        K("joint_after_overdue", joint_after_overdue, 1, 100),
        K("joint_min_departments", joint_min_departments, 2, 100),
        K("media_min_tickets", media_min_tickets, 2, 100000),
        K("media_window_days", media_window_days, 1, 366),
        K("media_baseline_days", media_baseline_days, 7, 3660),
        K("leader_after_rounds", leader_after_rounds, 2, 100),
        K("leader_after_rework", leader_after_rework, 1, 100),
        K("leader_after_overdue", leader_after_overdue, 1, 100),
        K("repeat_window_days", repeat_window_days, 1, 366),
#undef K
    };
    static const struct {
        const char *key;
        size_t offset;
        double lo, hi;
        bool above; /* lo itself is not allowed */
    } reals[] = {
        {"media_spike_ratio", offsetof(rx_wf_rules, media_spike_ratio), 1, 1000, false},
        {"repeat_similarity", offsetof(rx_wf_rules, repeat_similarity), 0, 1, true},
    };
    int rc = RX_OK;
    size_t lineno = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        char *line = strndup(p, n);
        if (!line)
            return RX_ENOMEM;
        p += n + (nl ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *s = trim(line);
        if (!*s) {
            free(line);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            rx_diags_add(diags, path, lineno, "expected key = value");
            rc = RX_EINVALID;
            free(line);
            continue;
        }
        *eq = 0;
        char *key = trim(s), *value = trim(eq + 1);
        bool known = false;
        for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++) {
            if (strcmp(key, ints[k].key) != 0)
                continue;
            known = true;
            char *e;
            long v = strtol(value, &e, 10);
            if (!*value || *e || v < ints[k].lo || v > ints[k].hi) {
                rx_diags_add(diags, path, lineno, "%s must be a whole number from %d to %d", key,
                             ints[k].lo, ints[k].hi);
                rc = RX_EINVALID;
            } else {
                int iv = (int)v;
                memcpy((char *)r + ints[k].offset, &iv, sizeof iv);
            }
        }
        for (size_t k = 0; k < sizeof reals / sizeof reals[0]; k++) {
            if (strcmp(key, reals[k].key) != 0)
                continue;
            known = true;
            char *e;
            double v = strtod(value, &e);
            /* written so that NaN (strtod reads "nan") fails every test */
            if (!*value || *e || !(v >= reals[k].lo) || (reals[k].above && v == reals[k].lo) ||
                !(v <= reals[k].hi)) {
                rx_diags_add(diags, path, lineno, "%s must be %s %g, at most %g", key,
                             reals[k].above ? "above" : "at least", reals[k].lo, reals[k].hi);
                rc = RX_EINVALID;
            } else {
                memcpy((char *)r + reals[k].offset, &v, sizeof v);
            }
        }
        if (strcmp(key, "leader_categories") == 0) {
            known = true;
            if (add_categories(r, value) != RX_OK) {
                free(line);
                return rx_error_set(RX_ENOMEM, "out of memory");
            }
        }
        if (!known) {
            rx_diags_add(diags, path, lineno, "unknown key '%s'", key);
            rc = RX_EINVALID;
        }
        free(line);
    }
    return rc == RX_OK ? RX_OK : rx_error_set(rc, "%s: bad rules", path);
}

/* ---- tickets ---- */

static void free_list(char **v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(v[k]);
    free(v);
}

void rx_ticket_clear(rx_ticket *t)
{
    free(t->channel);
    free(t->caller);
    free(t->phone);
    free(t->address);
    free(t->area);
    free(t->category);
    free(t->content);
    free(t->created);
    free(t->updated);
    free(t->created_by);
    free(t->lead);
    free_list(t->co, t->nco);
    free(t->approved_by);
    free(t->satisfaction);
    free_list(t->doc_ids, t->ndoc_ids);
    free(t->reply);
    free(t->closed_at);
    free(t->proposal);
    memset(t, 0, sizeof *t);
    t->deadline = t->marked_deadline = RX_DATE_INVALID;
}

static const cJSON *field(const cJSON *body, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);
    return cJSON_IsNull(v) ? NULL : v;
}

/* A string field of 1..max characters of valid UTF-8 (trimmed of outer
 * white space). *out is NULL when absent and not required. */
static int text_field(const char **out, const cJSON *body, const char *key, size_t max,
                      bool required)
{
    *out = NULL;
    const cJSON *v = field(body, key);
    if (!v) {
        if (required)
            return rx_fail(RX_EINVALID, "invalid_field", "缺少必填字段 %s", key);
        return RX_OK;
    }
    if (!cJSON_IsString(v))
        return rx_fail(RX_EINVALID, "invalid_field", "字段 %s 必须是字符串", key);
    const char *s = v->valuestring;
    size_t n = strlen(s);
    size_t bad;
    if (!rx_utf8_valid(s, n, &bad))
        return rx_fail(RX_EINVALID, "invalid_field", "字段 %s 不是合法的 UTF-8（第 %zu 字节）", key,
                       bad);
    const char *b = s;
    while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
        b++;
    if (!*b) {
        if (required)
            return rx_fail(RX_EVALUE, "invalid_value", "字段 %s 不能为空", key);
        return RX_OK;
    }
    if (rx_utf8_count(s, n) > max)
        return rx_fail(RX_EVALUE, "invalid_value", "字段 %s 不能超过 %zu 个字", key, max);
    *out = s;
    return RX_OK;
}

static char *dup_trimmed(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return strndup(s, n);
}

int rx_wf_create(rx_ticket *out, const cJSON *body, const rx_wf_env *env)
{
    (void)env;
    memset(out, 0, sizeof *out);
    rx_ticket_clear(out);
    if (!cJSON_IsObject(body))
        return rx_fail(RX_EINVALID, "invalid_json", "请求体必须是 JSON 对象");
    static const char *const channels[] = {"phone", "web", "app", "media", "leader_day"};
    const char *channel, *content, *caller, *phone, *address, *category;
    int rc;
    if ((rc = text_field(&channel, body, "channel", 16, true)) != RX_OK ||
        (rc = text_field(&content, body, "content", 5000, true)) != RX_OK ||
        (rc = text_field(&caller, body, "caller", 64, false)) != RX_OK ||
        (rc = text_field(&phone, body, "phone", 32, false)) != RX_OK ||
        (rc = text_field(&address, body, "address", 200, false)) != RX_OK ||
        (rc = text_field(&category, body, "category", 32, false)) != RX_OK)
        return rc;
    if (find(channels, 5, channel) < 0)
        return rx_fail(RX_EVALUE, "invalid_value",
                       "channel 必须是 phone、web、app、media 或 leader_day，收到“%s”", channel);
    if (phone && strspn(phone, "0123456789+-() ") != strlen(phone))
        return rx_fail(RX_EVALUE, "invalid_value", "电话号码只能包含数字、+、-、括号和空格");
    out->status = RX_ST_RECEIVED;
    out->round = 1;
    out->version = 0;
    out->channel = strdup(channel);
    out->content = dup_trimmed(content);
    out->caller = dup_trimmed(caller);
    out->phone = dup_trimmed(phone);
    out->address = dup_trimmed(address);
    out->category = dup_trimmed(category);
    out->area = rx_wf_area(out->address);
    if (!out->channel || !out->content || (caller && !out->caller) || (phone && !out->phone) ||
        (address && !out->address) || (category && !out->category)) {
        rx_ticket_clear(out);
        return rx_fail(RX_EIO, "internal", "内存不足");
    }
    return RX_OK;
}

void rx_wf_input_clear(rx_wf_input *in)
{
    cJSON_Delete(in->payload);
    memset(in, 0, sizeof *in);
}

/* Reads a department name, canonicalises it and adds it to payload. */
static int department(const char **out, const cJSON *v, const char *key, const rx_wf_env *env)
{
    *out = NULL;
    if (!cJSON_IsString(v))
        return rx_fail(RX_EINVALID, "invalid_field", "%s 必须是部门名称（字符串）", key);
    const char *name = v->valuestring;
    if (!rx_utf8_valid(name, strlen(name), NULL) || !*name)
        return rx_fail(RX_EVALUE, "invalid_value", "%s 不能为空", key);
    const char *canon = env->departments ? rx_departments_canonical(env->departments, name) : name;
    if (!canon)
        return rx_fail(RX_EVALUE, "unknown_department",
                       "未知部门“%.*s”：请使用 corpus/departments.txt 中的部门名称或简称",
                       rx_utf8_clip(name, 200), name);
    *out = canon;
    return RX_OK;
}

static int whole_number(int *out, const cJSON *body, const char *key, int lo, int hi)
{
    const cJSON *v = field(body, key);
    *out = 0;
    if (!v)
        return RX_OK;
    /* the range first: converting a double outside long's range is undefined */
    if (!cJSON_IsNumber(v) || v->valuedouble != v->valuedouble) /* NaN */
        return rx_fail(RX_EINVALID, "invalid_field", "%s 必须是整数", key);
    if (v->valuedouble < lo || v->valuedouble > hi)
        return rx_fail(RX_EVALUE, "invalid_value", "%s 必须在 %d 到 %d 之间", key, lo, hi);
    if (v->valuedouble != (double)(int)v->valuedouble)
        return rx_fail(RX_EINVALID, "invalid_field", "%s 必须是整数", key);
    *out = (int)v->valuedouble;
    return RX_OK;
}

/* dispatch {level, lead, co, deadline_days, approved_by}, or, when
 * proposal, request_approval {level, lead, co, deadline_days, note}: the
 * same departments and levels, a consult or leader level only, no
 * approver yet. */
static int parse_dispatch(rx_wf_input *in, const cJSON *body, const rx_wf_env *env, bool proposal)
{
    const char *level;
    int rc = text_field(&level, body, "level", 16, true);
    if (rc != RX_OK)
        return rc;
    int l = rx_level_find(level);
    if (l <= 0)
        return rx_fail(RX_EVALUE, "invalid_value",
                       "level 必须是 immediate（即交即办）、consult（会商交办）或 "
                       "leader（领导交办），收到“%s”",
                       level);
    if (proposal && l == RX_LEVEL_IMMEDIATE)
        return rx_fail(RX_EVALUE, "invalid_value",
                       "即交即办（immediate）无需审批，请直接交办；申请审批的级别须是 "
                       "consult（会商交办）或 leader（领导交办）");
    in->level = (rx_level)l;
    const cJSON *lead = field(body, "lead");
    if (!lead)
        return rx_fail(RX_EINVALID, "invalid_field", "缺少必填字段 lead（主办部门）");
    const char *lead_name = NULL;
    if ((rc = department(&lead_name, lead, "lead", env)) != RX_OK)
        return rc;
    const cJSON *co = field(body, "co");
    if (co && !cJSON_IsArray(co))
        return rx_fail(RX_EINVALID, "invalid_field", "co（协办部门）必须是数组");
    cJSON *co_out = cJSON_CreateArray();
    cJSON_AddStringToObject(in->payload, "level", level);
    cJSON_AddStringToObject(in->payload, "lead", lead_name);
    cJSON_AddItemToObject(in->payload, "co", co_out);
    const cJSON *c;
    cJSON_ArrayForEach(c, co)
    {
        const char *name = NULL;
        if ((rc = department(&name, c, "co", env)) != RX_OK)
            return rc;
        assert(name && lead_name); /* department() sets them on success */
        if (strcmp(name, lead_name) == 0)
            return rx_fail(RX_EVALUE, "invalid_value", "协办部门不能与主办部门（%s）相同", name);
        const cJSON *seen;
        cJSON_ArrayForEach(seen, co_out)
        {
            if (strcmp(seen->valuestring, name) == 0)
                return rx_fail(RX_EVALUE, "invalid_value", "协办部门“%s”重复", name);
        }
        if (cJSON_GetArraySize(co_out) >= 16)
            return rx_fail(RX_EVALUE, "invalid_value", "协办部门最多 16 个");
        cJSON_AddItemToArray(co_out, cJSON_CreateString(name));
    }
    int nco = cJSON_GetArraySize(co_out);
    if (in->level == RX_LEVEL_IMMEDIATE && nco > 0)
        return rx_fail(RX_EVALUE, "invalid_value",
                       "即交即办（immediate）只交给一个部门：不能有协办部门，"
                       "多部门事项请用会商交办（consult）");
    if (in->level == RX_LEVEL_CONSULT && nco == 0)
        return rx_fail(RX_EVALUE, "invalid_value", "会商交办（consult）需要至少一个协办部门（co）");
    if (!proposal) {
        const char *approved;
        if ((rc = text_field(&approved, body, "approved_by", 64, false)) != RX_OK)
            return rc;
        if (!approved && in->level != RX_LEVEL_IMMEDIATE)
            return rx_fail(RX_EINVALID, "invalid_field", "%s需要审定人（approved_by）",
                           in->level == RX_LEVEL_CONSULT ? "会商交办" : "领导交办");
        if (approved)
            cJSON_AddStringToObject(in->payload, "approved_by", approved);
    }
    if ((rc = whole_number(&in->deadline_days, body, "deadline_days", 1, 365)) != RX_OK)
        return rc;
    if (!in->deadline_days)
        in->deadline_days = env->rules->deadline_days[in->level];
    cJSON_AddNumberToObject(in->payload, "deadline_days", in->deadline_days);
    if (proposal) {
        const char *note;
        if ((rc = text_field(&note, body, "note", 2000, false)) != RX_OK)
            return rc;
        if (note)
            cJSON_AddStringToObject(in->payload, "note", note);
    }
    return RX_OK;
}

int rx_wf_parse(rx_wf_input *out, const cJSON *body, const rx_wf_env *env)
{
    memset(out, 0, sizeof *out);
    out->version = -1;
    if (!cJSON_IsObject(body))
        return rx_fail(RX_EINVALID, "invalid_json",
                       "请求体必须是 JSON 对象，例如 {\"action\":\"accept\"}");
    const cJSON *a = field(body, "action");
    if (!cJSON_IsString(a))
        return rx_fail(RX_EINVALID, "invalid_field", "缺少字段 action（操作名称，字符串）");
    int act = rx_action_find(a->valuestring);
    if (act < 0)
        return rx_fail(RX_EINVALID, "invalid_field",
                       "未知操作“%.*s”：可用 resolve_first_contact、dispatch、return、"
                       "accept、reply、approve、reject、extend、supervise、callback、"
                       "refer_discipline、request_approval",
                       rx_utf8_clip(a->valuestring, 100), a->valuestring);
    out->action = (rx_action)act;
    const cJSON *ver = field(body, "version");
    if (ver) {
        if (!cJSON_IsNumber(ver) || !(ver->valuedouble >= 0 && ver->valuedouble <= 1e9) ||
            ver->valuedouble != (double)(int)ver->valuedouble)
            return rx_fail(RX_EINVALID, "invalid_field", "version 必须是非负整数");
        out->version = (int)ver->valuedouble;
    }
    if (!(out->payload = cJSON_CreateObject()))
        return rx_fail(RX_EIO, "internal", "内存不足");
    int rc = RX_OK;
    const char *s = NULL;
    switch (out->action) {
    case RX_ACT_RESOLVE_FIRST_CONTACT: {
        const cJSON *ids = field(body, "doc_ids");
        if (ids && !cJSON_IsArray(ids))
            return rx_fail(RX_EINVALID, "invalid_field", "doc_ids 必须是文档编号数组");
        cJSON *list = cJSON_AddArrayToObject(out->payload, "doc_ids");
        const cJSON *id;
        cJSON_ArrayForEach(id, ids)
        {
            if (!cJSON_IsString(id))
                return rx_fail(RX_EINVALID, "invalid_field", "doc_ids 的每一项都必须是字符串");
            if (!rx_id_valid(id->valuestring) ||
                (env->doc_exists && !env->doc_exists(env->doc_ctx, id->valuestring)))
                return rx_fail(RX_EVALUE, "unknown_document", "知识库中没有文档“%.*s”",
                               rx_utf8_clip(id->valuestring, 100), id->valuestring);
            if (cJSON_GetArraySize(list) >= 20)
                return rx_fail(RX_EVALUE, "invalid_value", "doc_ids 最多 20 个");
            cJSON_AddItemToArray(list, cJSON_CreateString(id->valuestring));
        }
        break;
    }
    case RX_ACT_DISPATCH: rc = parse_dispatch(out, body, env, false); break;
    case RX_ACT_REQUEST_APPROVAL: rc = parse_dispatch(out, body, env, true); break;
    case RX_ACT_RETURN:
    case RX_ACT_REJECT:
        if ((rc = text_field(&s, body, "reason", 2000, true)) == RX_OK)
            cJSON_AddStringToObject(out->payload, "reason", s);
        if (rc == RX_OK && out->action == RX_ACT_REJECT &&
            (rc = whole_number(&out->deadline_days, body, "deadline_days", 1, 365)) == RX_OK &&
            out->deadline_days)
            cJSON_AddNumberToObject(out->payload, "deadline_days", out->deadline_days);
        break;
    case RX_ACT_ACCEPT:
    case RX_ACT_APPROVE: break;
    case RX_ACT_REPLY:
        if ((rc = text_field(&s, body, "text", 10000, true)) == RX_OK)
            cJSON_AddStringToObject(out->payload, "text", s);
        break;
    case RX_ACT_EXTEND:
        if ((rc = text_field(&s, body, "reason", 2000, true)) != RX_OK)
            break;
        cJSON_AddStringToObject(out->payload, "reason", s);
        if ((rc = whole_number(&out->deadline_days, body, "deadline_days", 1, 365)) != RX_OK)
            break;
        if (!out->deadline_days)
            rc =
                rx_fail(RX_EINVALID, "invalid_field", "缺少必填字段 deadline_days（延期工作日数）");
        else
            cJSON_AddNumberToObject(out->payload, "deadline_days", out->deadline_days);
        break;
    case RX_ACT_SUPERVISE: {
        const char *kind;
        if ((rc = text_field(&kind, body, "kind", 16, true)) != RX_OK)
            break;
        int k = rx_supervision_find(kind);
        if (k <= 0) {
            rc = rx_fail(RX_EVALUE, "invalid_value",
                         "kind 必须是 hotline（热线督办）、joint（协同督办）、media（媒体督办）"
                         "或 leader（领导督办），收到“%s”",
                         kind);
            break;
        }
        out->kind = (rx_supervision)k;
        cJSON_AddStringToObject(out->payload, "kind", kind);
        if ((rc = text_field(&s, body, "note", 2000, false)) == RX_OK && s)
            cJSON_AddStringToObject(out->payload, "note", s);
        break;
    }
    case RX_ACT_CALLBACK: {
        static const char *const results[] = {"satisfied", "basically_satisfied", "unsatisfied",
                                              "unreachable"};
        const char *result;
        if ((rc = text_field(&result, body, "result", 32, true)) != RX_OK)
            break;
        int r = find(results, 4, result);
        if (r < 0) {
            rc = rx_fail(RX_EVALUE, "invalid_value",
                         "result 必须是 satisfied（满意）、basically_satisfied（基本满意）、"
                         "unsatisfied（不满意）或 unreachable（无法联系），收到“%s”",
                         result);
            break;
        }
        out->result = results[r];
        cJSON_AddStringToObject(out->payload, "result", results[r]);
        if ((rc = text_field(&s, body, "note", 2000, false)) == RX_OK && s)
            cJSON_AddStringToObject(out->payload, "note", s);
        break;
    }
    case RX_ACT_REFER_DISCIPLINE:
        if ((rc = text_field(&s, body, "note", 2000, false)) == RX_OK && s)
            cJSON_AddStringToObject(out->payload, "note", s);
        break;
    case RX_ACT_COUNT: break;
    }
    if (rc != RX_OK)
        return rc;
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(out->payload, "text");
    if (!text)
        text = cJSON_GetObjectItemCaseSensitive(out->payload, "reason");
    if (!text)
        text = cJSON_GetObjectItemCaseSensitive(out->payload, "note");
    out->text = text ? text->valuestring : NULL;
    return RX_OK;
}

static int set_str(char **dst, const char *s)
{
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy)
        return RX_ENOMEM;
    free(*dst);
    *dst = copy;
    return RX_OK;
}

/* The deadline deadline_days working days after today. */
static long deadline_from(const rx_wf_env *env, long start, int days)
{
    if (env->calendar)
        return rx_calendar_add_workdays(env->calendar, start, days);
    long d = start;
    while (days > 0) {
        d++;
        long wd = ((d % 7) + 7 + 3) % 7; /* 1970-01-01 was a Thursday: 0 = Monday */
        if (wd < 5)
            days--;
    }
    return d;
}

int rx_wf_apply(rx_ticket *t, const rx_wf_input *in, const rx_wf_env *env)
{
    rx_action a = in->action;
    if (in->version >= 0 && in->version != t->version)
        return rx_fail(RX_ECONFLICT, "stale_version",
                       "工单 %s 已被他人更新（当前版本 %d，请求基于版本 %d），请刷新后重试", t->id,
                       t->version, in->version);
    /* who first: a department must not learn the status of a ticket that
     * is not its own */
    if (env->role == RX_ROLE_DEPARTMENT && !rx_wf_concerns(t, env->department))
        return rx_fail(RX_ENOTFOUND, "ticket_not_found", "没有编号为 %s 的工单", t->id);
    if (env->role >= RX_ROLE_COUNT)
        return rx_fail(RX_EFORBIDDEN, "forbidden", "未知角色不能办理工单");
    if (!rx_wf_role_may(a, env->role))
        return rx_fail(RX_EFORBIDDEN, "forbidden", "%s（%s）不能执行“%s”",
                       rx_role_label((rx_role)env->role), rx_role_name((rx_role)env->role),
                       rx_action_label(a));
    if (a == RX_ACT_DISPATCH && env->role == RX_ROLE_AGENT && in->level != RX_LEVEL_IMMEDIATE)
        return rx_fail(
            RX_EFORBIDDEN, "forbidden",
            "话务员只能即交即办（immediate）；会商交办和领导交办请申请审批（request_approval），"
            "由值班长（supervisor）审批后交办");
    if (!rx_wf_allowed(a, t->status))
        return rx_fail(RX_ECONFLICT, "illegal_transition", "工单 %s 当前为“%s”，不能执行“%s”",
                       t->id, rx_status_label(t->status), rx_action_label(a));
    int rc = RX_OK;
    switch (a) {
    case RX_ACT_RESOLVE_FIRST_CONTACT: {
        size_t n;
        char **v =
            rx_strings_from_json(cJSON_GetObjectItemCaseSensitive(in->payload, "doc_ids"), &n);
        free_list(t->doc_ids, t->ndoc_ids);
        t->doc_ids = v;
        t->ndoc_ids = n;
        t->first_contact = true;
        rc = set_str(&t->closed_at, env->now) | set_str(&t->proposal, NULL);
        break;
    }
    case RX_ACT_DISPATCH: {
        size_t n;
        char **v = rx_strings_from_json(cJSON_GetObjectItemCaseSensitive(in->payload, "co"), &n);
        free_list(t->co, t->nco);
        t->co = v;
        t->nco = n;
        const cJSON *ab = cJSON_GetObjectItemCaseSensitive(in->payload, "approved_by");
        rc = set_str(&t->lead, cJSON_GetObjectItemCaseSensitive(in->payload, "lead")->valuestring) |
             set_str(&t->approved_by, ab ? ab->valuestring : NULL);
        t->level = in->level;
        t->deadline_days = in->deadline_days;
        t->deadline = deadline_from(env, env->today, in->deadline_days);
        rc |= set_str(&t->proposal, NULL); /* the approval, if one was asked, is given */
        break;
    }
    case RX_ACT_REQUEST_APPROVAL: { /* the proposal waits on the ticket; a newer one replaces it */
        cJSON *p = cJSON_Duplicate(in->payload, true);
        if (p && env->actor)
            cJSON_AddStringToObject(p, "by", env->actor);
        if (p && env->now)
            cJSON_AddStringToObject(p, "at", env->now);
        char *text = p ? cJSON_PrintUnformatted(p) : NULL;
        cJSON_Delete(p);
        if (!text) {
            rc = RX_ENOMEM;
            break;
        }
        free(t->proposal);
        t->proposal = text;
        break;
    }
    case RX_ACT_RETURN: /* 退单: back to the center to dispatch again */
        free_list(t->co, t->nco);
        t->co = NULL;
        t->nco = 0;
        rc = set_str(&t->lead, NULL) | set_str(&t->approved_by, NULL);
        t->level = RX_LEVEL_NONE;
        t->deadline = RX_DATE_INVALID;
        t->deadline_days = 0;
        t->returns++;
        break;
    case RX_ACT_ACCEPT: break;
    case RX_ACT_REPLY: rc = set_str(&t->reply, in->text); break;
    case RX_ACT_APPROVE: rc = set_str(&t->closed_at, env->now); break;
    case RX_ACT_REJECT: /* 驳回重办: same lead, a new deadline */
        if (in->deadline_days)
            t->deadline_days = in->deadline_days;
        if (t->deadline_days <= 0)
            t->deadline_days = env->rules->deadline_days[t->level ? t->level : 1];
        t->deadline = deadline_from(env, env->today, t->deadline_days);
        t->rework++;
        break;
    case RX_ACT_EXTEND: {
        long base = t->deadline != RX_DATE_INVALID ? t->deadline : env->today;
        t->deadline = deadline_from(env, base, in->deadline_days);
        break;
    }
    case RX_ACT_SUPERVISE:
        if (in->kind < t->supervision)
            return rx_fail(RX_ECONFLICT, "supervision_downgrade",
                           "工单 %s 已在“%s”，督办不能降级为“%s”", t->id,
                           rx_supervision_label(t->supervision), rx_supervision_label(in->kind));
        t->supervision = in->kind;
        break;
    case RX_ACT_CALLBACK:
        rc = set_str(&t->satisfaction, in->result);
        if (strcmp(in->result, "unsatisfied") == 0) { /* 二次办理 */
            t->status = RX_ST_REOPENED;
            t->round++;
            t->callback_attempts = 0;
        } else if (strcmp(in->result, "unreachable") == 0) {
            t->callback_attempts++;
            if (t->callback_attempts >= 3)
                t->status = RX_ST_ARCHIVED;
        } else {
            t->callback_attempts++;
            t->status = RX_ST_ARCHIVED;
        }
        break;
    case RX_ACT_REFER_DISCIPLINE:
        if (t->discipline)
            return rx_fail(RX_ECONFLICT, "already_referred", "工单 %s 已移交纪委监委", t->id);
        t->discipline = true;
        break;
    case RX_ACT_COUNT: break;
    }
    if (rc != RX_OK)
        return rx_fail(RX_ENOMEM, "internal", "内存不足");
    if ((a == RX_ACT_DISPATCH || a == RX_ACT_REJECT || a == RX_ACT_EXTEND) && in->payload &&
        t->deadline != RX_DATE_INVALID) {
        /* the deadline this event set, in its record: whether a reply was
         * on time can be told from the log alone (statistics) */
        char day[11];
        rx_date_format(day, t->deadline);
        cJSON_DeleteItemFromObjectCaseSensitive(in->payload, "deadline");
        if (!cJSON_AddStringToObject(in->payload, "deadline", day))
            return rx_fail(RX_ENOMEM, "internal", "内存不足");
    }
    if (transitions[a].to >= 0) /* callback moved it by its result above */
        t->status = (rx_status)transitions[a].to;
    return RX_OK;
}

bool rx_ticket_overdue(const rx_ticket *t, long today)
{
    return (t->status == RX_ST_DISPATCHED || t->status == RX_ST_ACCEPTED) &&
           t->deadline != RX_DATE_INVALID && today > t->deadline;
}

static void add_str(cJSON *o, const char *key, const char *v)
{
    cJSON_AddItemToObject(o, key, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

char **rx_strings_from_json(const cJSON *arr, size_t *n)
{
    *n = 0;
    int count = cJSON_GetArraySize(arr);
    char **v = count > 0 ? calloc((size_t)count, sizeof *v) : NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        if (v && cJSON_IsString(e) && (v[*n] = strdup(e->valuestring)))
            (*n)++;
    }
    return v;
}

const char *rx_json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

cJSON *rx_strings_to_json(char *const *v, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t k = 0; k < n; k++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(v[k]));
    return arr;
}

cJSON *rx_ticket_json(const rx_ticket *t, long today)
{
    cJSON *o = cJSON_CreateObject();
    char day[11];
    add_str(o, "id", t->id);
    add_str(o, "status", rx_status_name(t->status));
    add_str(o, "status_label", rx_status_label(t->status));
    add_str(o, "channel", t->channel);
    add_str(o, "caller", t->caller);
    add_str(o, "phone", t->phone);
    add_str(o, "address", t->address);
    add_str(o, "area", t->area);
    add_str(o, "category", t->category);
    add_str(o, "content", t->content);
    add_str(o, "created", t->created);
    add_str(o, "updated", t->updated);
    add_str(o, "created_by", t->created_by);
    add_str(o, "level", t->level ? rx_level_name(t->level) : NULL);
    add_str(o, "lead", t->lead);
    cJSON_AddItemToObject(o, "co", rx_strings_to_json(t->co, t->nco));
    add_str(o, "approved_by", t->approved_by);
    if (t->deadline_days > 0)
        cJSON_AddNumberToObject(o, "deadline_days", t->deadline_days);
    else
        cJSON_AddNullToObject(o, "deadline_days");
    if (t->deadline != RX_DATE_INVALID) {
        rx_date_format(day, t->deadline);
        add_str(o, "deadline", day);
    } else {
        add_str(o, "deadline", NULL);
    }
    cJSON_AddBoolToObject(o, "overdue", rx_ticket_overdue(t, today));
    cJSON_AddNumberToObject(o, "overdue_count", t->overdue_count);
    add_str(o, "supervision", t->supervision ? rx_supervision_name(t->supervision) : NULL);
    cJSON_AddNumberToObject(o, "rework", t->rework);
    cJSON_AddNumberToObject(o, "returns", t->returns);
    cJSON_AddNumberToObject(o, "round", t->round);
    cJSON_AddNumberToObject(o, "callback_attempts", t->callback_attempts);
    add_str(o, "satisfaction", t->satisfaction);
    cJSON_AddBoolToObject(o, "discipline", t->discipline);
    cJSON_AddBoolToObject(o, "first_contact", t->first_contact);
    cJSON_AddItemToObject(o, "doc_ids", rx_strings_to_json(t->doc_ids, t->ndoc_ids));
    add_str(o, "reply", t->reply);
    add_str(o, "closed_at", t->closed_at);
    cJSON *proposal = t->proposal ? cJSON_Parse(t->proposal) : NULL;
    cJSON_AddItemToObject(o, "proposal", proposal ? proposal : cJSON_CreateNull());
    cJSON_AddNumberToObject(o, "version", t->version);
    return o;
}

/* ---- repeat detection ---- */

char *rx_wf_phone_key(const char *phone)
{
    if (!phone)
        return NULL;
    char digits[40];
    size_t n = 0;
    for (const char *p = phone; *p && n < sizeof digits - 1; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = 0;
    const char *d = digits;
    if (n == 13 && strncmp(d, "86", 2) == 0)
        d += 2;
    return *d ? strdup(d) : NULL;
}

/* Past the province and the city an address may start with (湖南省, 株洲市,
 * or 湖南, 株洲), which are implied: 株洲市芦淞区… is 芦淞区…. Not when
 * what follows is 区, 县 or 市 (株洲县 is a place of its own). */
static const char *skip_implied(const char *s)
{
    static const char *const implied[][2] = {{"湖南省", "湖南"}, {"株洲市", "株洲"}};
    for (size_t k = 0; k < 2; k++) {
        for (size_t j = 0; j < 2; j++) {
            size_t n = strlen(implied[k][j]);
            if (strncmp(s, implied[k][j], n) != 0 || !s[n] || strncmp(s + n, "区", 3) == 0 ||
                strncmp(s + n, "县", 3) == 0 || strncmp(s + n, "市", 3) == 0)
                continue;
            s += n;
            break;
        }
    }
    return s;
}

char *rx_wf_address_key(const char *address)
{
    if (!address)
        return NULL;
    char *norm;
    size_t len;
    if (rx_text_normalize(&norm, &len, address, strlen(address)) != RX_OK)
        return NULL;
    size_t w = 0;
    for (size_t r = 0; r < len;) {
        uint32_t cp;
        size_t n = rx_utf8_next(norm + r, len - r, &cp);
        bool keep = rx_is_han(cp) || (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
                    (cp > 0x7f && cp != 0x3000 && !(cp >= 0x3001 && cp <= 0x303f) &&
                     !(cp >= 0xff00 && cp <= 0xffef));
        if (keep) {
            memmove(norm + w, norm + r, n);
            w += n;
        }
        r += n;
    }
    norm[w] = 0;
    const char *rest = skip_implied(norm);
    w -= (size_t)(rest - norm);
    memmove(norm, rest, w + 1);
    if (!w) {
        free(norm);
        return NULL;
    }
    return norm;
}

char *rx_wf_area(const char *address)
{
    if (!address)
        return NULL;
    /* normalized, as the address key is: 荷塘區 (a form filled in
     * traditional characters) is 荷塘区 */
    char *norm;
    size_t nlen;
    if (rx_text_normalize(&norm, &nlen, address, strlen(address)) != RX_OK)
        return NULL;
    const char *p = norm;
    while (*p == ' ')
        p++;
    p = skip_implied(p);
    /* the first 区, 县 or 市 within six characters closes the area */
    const char *q = p;
    size_t len = strlen(p);
    char *area = NULL;
    for (int chars = 0; chars < 6 && (size_t)(q - p) < len; chars++) {
        uint32_t cp;
        size_t n = rx_utf8_next(q, len - (size_t)(q - p), &cp);
        q += n;
        if (!rx_is_han(cp))
            break;
        if ((cp == 0x533A /* 区 */ || cp == 0x53BF /* 县 */ || cp == 0x5E02 /* 市 */) &&
            chars >= 1) {
            area = strndup(p, (size_t)(q - p));
            break;
        }
    }
    free(norm);
    return area;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The sorted, distinct bigrams of a text's letters and digits (code point
 * pairs packed into 64 bits). Returns the count; *out is malloc'd. */
static size_t bigrams(uint64_t **out, const char *s)
{
    *out = NULL;
    if (!s)
        return 0;
    char *norm;
    size_t len;
    if (rx_text_normalize(&norm, &len, s, strlen(s)) != RX_OK)
        return 0;
    uint64_t *v = malloc((len + 1) * sizeof *v);
    size_t n = 0;
    uint32_t prev = 0;
    for (size_t r = 0; v && r < len;) {
        uint32_t cp;
        r += rx_utf8_next(norm + r, len - r, &cp);
        bool word = rx_is_han(cp) || (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z');
        if (!word) {
            prev = 0;
            continue;
        }
        if (prev)
            v[n++] = ((uint64_t)prev << 32) | cp;
        prev = cp;
    }
    free(norm);
    if (!v)
        return 0;
    qsort(v, n, sizeof *v, cmp_u64);
    size_t d = 0;
    for (size_t k = 0; k < n; k++)
        if (d == 0 || v[d - 1] != v[k])
            v[d++] = v[k];
    *out = v;
    return d;
}

double rx_wf_similarity(const char *a, const char *b)
{
    uint64_t *x, *y;
    size_t nx = bigrams(&x, a), ny = bigrams(&y, b);
    size_t common = 0;
    for (size_t i = 0, j = 0; i < nx && j < ny;) {
        if (x[i] == y[j]) {
            common++;
            i++;
            j++;
        } else if (x[i] < y[j]) {
            i++;
        } else {
            j++;
        }
    }
    free(x);
    free(y);
    return nx + ny ? 2.0 * (double)common / (double)(nx + ny) : 0;
}

void rx_wf_time_format(char out[32], double t)
{
    time_t s = (time_t)t + 8 * 3600;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

long rx_wf_day(double t)
{
    long s = (long)t + 8 * 3600;
    return s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
}
