/* 案例复盘: casebooks assembled from tickets, stored as masked snapshots
 * in their own table (schema module "casebooks"), and rendered as
 * printable HTML or Markdown. Every text that came from a ticket or a
 * trainer is masked when the casebook is made (rx_text_mask) and escaped
 * when it is rendered. */
#include "rexian/casebook.h"
#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/text.h"
#include "rexian/workflow.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rx_casebooks {
    sqlite3 *db;
    pthread_mutex_t mu;
};

static const char *const steps[] = {
    /* 1: the casebooks, each a masked snapshot (JSON) */
    "CREATE TABLE casebooks ("
    "  n INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  title TEXT NOT NULL, created TEXT NOT NULL, created_by TEXT NOT NULL,"
    "  cases INTEGER NOT NULL, body TEXT NOT NULL"
    ");",
};

static const rx_schema schema = {"casebooks", steps, (int)(sizeof steps / sizeof steps[0]), NULL};

int rx_casebooks_open(rx_casebooks **out, const char *path)
{
    *out = NULL;
    rx_casebooks *cb = calloc(1, sizeof *cb);
    if (!cb)
        return rx_error_set(RX_ENOMEM, "out of memory");
    int rc = rx_store_open(&cb->db, path);
    if (rc == RX_OK)
        rc = rx_store_migrate(cb->db, &schema);
    if (rc != RX_OK) {
        sqlite3_close(cb->db);
        free(cb);
        return rc;
    }
    pthread_mutex_init(&cb->mu, NULL);
    *out = cb;
    return RX_OK;
}

void rx_casebooks_free(rx_casebooks *cb)
{
    if (!cb)
        return;
    sqlite3_close(cb->db);
    pthread_mutex_destroy(&cb->mu);
    free(cb);
}

/* ---- the case: a ticket, masked, in the words of the review ---- */

static const char *channel_label(const char *c)
{
    static const char *const names[] = {"phone", "web", "app", "media", "leader_day"};
    static const char *const labels[] = {"电话", "网站", "移动端", "媒体", "领导接听日"};
    for (size_t k = 0; c && k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(c, names[k]))
            return labels[k];
    return c ? c : "";
}

static const char *status_label(const char *s)
{
    int k = rx_status_find(s);
    return k >= 0 ? rx_status_label((rx_status)k) : s ? s : "";
}

static const char *action_label(const char *a)
{
    if (!a)
        return "";
    if (!strcmp(a, "create"))
        return "受理";
    if (!strcmp(a, "overdue"))
        return "超期";
    int k = rx_action_find(a);
    return k >= 0 ? rx_action_label((rx_action)k) : a;
}

static const char *supervision_label(const char *kind)
{
    int k = rx_supervision_find(kind);
    return k > 0 ? rx_supervision_label((rx_supervision)k) : kind ? kind : "";
}

static const char *level_label(const char *level)
{
    static const char *const names[] = {"immediate", "consult", "leader"};
    static const char *const labels[] = {"即交即办", "会商交办", "领导交办"};
    for (size_t k = 0; level && k < 3; k++)
        if (!strcmp(level, names[k]))
            return labels[k];
    return level ? level : "";
}

static const char *result_label(const char *r)
{
    static const char *const names[] = {"satisfied", "basically_satisfied", "unsatisfied",
                                        "unreachable"};
    static const char *const labels[] = {"满意", "基本满意", "不满意", "无法联系"};
    for (size_t k = 0; r && k < 4; k++)
        if (!strcmp(r, names[k]))
            return labels[k];
    return r ? r : "";
}

static const char *role_label(const char *role)
{
    if (role && !strcmp(role, "system"))
        return "系统";
    int r = rx_role_find(role);
    return r >= 0 ? rx_role_label((rx_role)r) : "";
}

/* The case's own masking: free text against its caller and address. */
typedef struct {
    const char *caller, *address;
} masker;

static char *masked(const masker *m, const char *s)
{
    return rx_text_mask(s ? s : "", m->caller, m->address, RX_PII_MASKED);
}

static void add_masked(cJSON *o, const char *key, const masker *m, const char *s)
{
    char *v = masked(m, s);
    cJSON_AddStringToObject(o, key, v ? v : "");
    free(v);
}

static void add_str(cJSON *o, const char *key, const char *s)
{
    if (s)
        cJSON_AddStringToObject(o, key, s);
    else
        cJSON_AddNullToObject(o, key);
}

/* What an event did, in one sentence of the review (before masking). */
static void event_detail(rx_buf *d, const char *action, const cJSON *p)
{
    const char *lead = rx_json_str(p, "lead"), *reason = rx_json_str(p, "reason"),
               *text = rx_json_str(p, "text"), *note = rx_json_str(p, "note"),
               *kind = rx_json_str(p, "kind"), *result = rx_json_str(p, "result"),
               *deadline = rx_json_str(p, "deadline");
    const cJSON *days = cJSON_GetObjectItem(p, "deadline_days");
    if (!strcmp(action, "create")) {
        rx_buf_printf(d, "受理渠道：%s", channel_label(rx_json_str(p, "channel")));
    } else if (!strcmp(action, "dispatch")) {
        rx_buf_printf(d, "%s至 %s", level_label(rx_json_str(p, "level")), lead ? lead : "");
        const cJSON *co = cJSON_GetObjectItem(p, "co");
        if (cJSON_GetArraySize(co) > 0) {
            rx_buf_puts(d, "，协办 ");
            int k = 0;
            const cJSON *c;
            cJSON_ArrayForEach(c, co) if (cJSON_IsString(c))
                rx_buf_printf(d, "%s%s", k++ ? "、" : "", c->valuestring);
        }
        if (rx_json_str(p, "approved_by"))
            rx_buf_printf(d, "（%s 批准）", rx_json_str(p, "approved_by"));
    } else if (!strcmp(action, "extend") && cJSON_IsNumber(days)) {
        rx_buf_printf(d, "延期 %d 个工作日", days->valueint);
    } else if (!strcmp(action, "supervise")) {
        rx_buf_puts(d, supervision_label(kind));
    } else if (!strcmp(action, "callback")) {
        rx_buf_printf(d, "回访结果：%s", result_label(result));
    } else if (!strcmp(action, "overdue")) {
        rx_buf_puts(d, "超过办理时限未答复");
    } else if (!strcmp(action, "resolve_first_contact")) {
        rx_buf_puts(d, "通话中直接解答");
    }
    if (deadline &&
        (!strcmp(action, "dispatch") || !strcmp(action, "reject") || !strcmp(action, "extend")))
        rx_buf_printf(d, "%s办理期限 %s", d->len ? "，" : "", deadline);
    const char *said = text ? text : reason ? reason : note;
    if (said && *said)
        rx_buf_printf(d, "%s%s", d->len ? "；" : "", said);
}

typedef struct {
    cJSON *list;
    rx_doc_title_fn title;
    void *ctx;
} doc_set;

/* Adds document id to the documents used (once), with how it was used. */
static void use_doc(doc_set *s, const char *id, const char *how)
{
    if (!id || !*id)
        return;
    const cJSON *d;
    cJSON_ArrayForEach(d, s->list)
    {
        if (!strcmp(rx_json_str(d, "id"), id)) {
            if (!strcmp(how, "cited")) /* cited is the stronger use */
                cJSON_ReplaceItemInObject((cJSON *)d, "used", cJSON_CreateString("cited"));
            return;
        }
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    char *t = s->title ? s->title(s->ctx, id) : NULL;
    add_str(o, "title", t);
    free(t);
    cJSON_AddStringToObject(o, "used", how);
    cJSON_AddItemToArray(s->list, o);
}

cJSON *rx_casebook_case(const cJSON *ticket, const char *lesson, rx_doc_title_fn title, void *ctx)
{
    masker m = {rx_json_str(ticket, "caller"), rx_json_str(ticket, "address")};
    /* the fields, masked as a trainer sees them */
    cJSON *fields = cJSON_CreateObject();
    static const char *const keys[] = {"caller", "phone", "address"};
    for (size_t k = 0; k < 3; k++) {
        const char *v = rx_json_str(ticket, keys[k]);
        if (v)
            cJSON_AddStringToObject(fields, keys[k], v);
    }
    rx_ticket_mask(fields, RX_PII_MASKED);

    cJSON *c = cJSON_CreateObject();
    add_str(c, "ticket", rx_json_str(ticket, "id"));
    add_str(c, "status", rx_json_str(ticket, "status"));
    cJSON_AddStringToObject(c, "status_label", status_label(rx_json_str(ticket, "status")));
    cJSON_AddStringToObject(c, "channel", channel_label(rx_json_str(ticket, "channel")));
    add_str(c, "category", rx_json_str(ticket, "category"));
    add_str(c, "area", rx_json_str(ticket, "area"));
    add_str(c, "caller", rx_json_str(fields, "caller"));
    add_str(c, "phone", rx_json_str(fields, "phone"));
    add_str(c, "address", rx_json_str(fields, "address"));
    cJSON_Delete(fields);
    add_str(c, "created", rx_json_str(ticket, "created"));
    add_str(c, "closed_at", rx_json_str(ticket, "closed_at"));
    add_str(c, "lead", rx_json_str(ticket, "lead"));
    cJSON_AddItemToObject(c, "co", cJSON_Duplicate(cJSON_GetObjectItem(ticket, "co"), 1));
    const char *level = rx_json_str(ticket, "level");
    add_str(c, "level", level ? level_label(level) : NULL);
    add_str(c, "deadline", rx_json_str(ticket, "deadline"));
    const char *sup = rx_json_str(ticket, "supervision");
    add_str(c, "supervision", sup ? supervision_label(sup) : NULL);
    const cJSON *n;
    cJSON_AddNumberToObject(
        c, "rework",
        cJSON_IsNumber(n = cJSON_GetObjectItem(ticket, "rework")) ? n->valuedouble : 0);
    cJSON_AddNumberToObject(
        c, "returns",
        cJSON_IsNumber(n = cJSON_GetObjectItem(ticket, "returns")) ? n->valuedouble : 0);
    cJSON_AddBoolToObject(c, "first_contact",
                          cJSON_IsTrue(cJSON_GetObjectItem(ticket, "first_contact")));
    add_masked(c, "content", &m, rx_json_str(ticket, "content"));

    doc_set docs = {cJSON_CreateArray(), title, ctx};
    cJSON *timeline = cJSON_CreateArray(), *replies = cJSON_CreateArray(),
          *supervision = cJSON_CreateArray(), *callbacks = cJSON_CreateArray(),
          *searches = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(ticket, "events"))
    {
        const char *action = rx_json_str(e, "action");
        const cJSON *p = cJSON_GetObjectItem(e, "payload");
        if (!action)
            continue;
        cJSON *item = cJSON_CreateObject();
        add_str(item, "at", rx_json_str(e, "at"));
        cJSON_AddStringToObject(item, "action", action);
        cJSON_AddStringToObject(item, "label", action_label(action));
        add_str(item, "who", rx_json_str(e, "actor"));
        cJSON_AddStringToObject(item, "role", role_label(rx_json_str(e, "role")));
        const char *from = rx_json_str(e, "from"), *to = rx_json_str(e, "to");
        if (to && (!from || strcmp(from, to) != 0))
            cJSON_AddStringToObject(item, "status", status_label(to));
        rx_buf d = {0};
        event_detail(&d, action, p);
        add_masked(item, "detail", &m, d.data);
        rx_buf_free(&d);
        cJSON_AddItemToArray(timeline, item);

        if (!strcmp(action, "reply")) {
            cJSON *r = cJSON_CreateObject();
            add_str(r, "at", rx_json_str(e, "at"));
            add_str(r, "who", rx_json_str(e, "actor"));
            add_masked(r, "text", &m, rx_json_str(p, "text"));
            cJSON_AddItemToArray(replies, r);
        } else if (!strcmp(action, "supervise")) {
            cJSON *s = cJSON_CreateObject();
            add_str(s, "at", rx_json_str(e, "at"));
            add_str(s, "who", rx_json_str(e, "actor"));
            cJSON_AddStringToObject(s, "kind", supervision_label(rx_json_str(p, "kind")));
            add_masked(s, "note", &m, rx_json_str(p, "note"));
            cJSON_AddItemToArray(supervision, s);
        } else if (!strcmp(action, "callback")) {
            cJSON *s = cJSON_CreateObject();
            add_str(s, "at", rx_json_str(e, "at"));
            add_str(s, "who", rx_json_str(e, "actor"));
            cJSON_AddStringToObject(s, "result", result_label(rx_json_str(p, "result")));
            add_masked(s, "note", &m, rx_json_str(p, "note"));
            cJSON_AddItemToArray(callbacks, s);
        } else if (!strcmp(action, "resolve_first_contact")) {
            const cJSON *id;
            cJSON_ArrayForEach(id, cJSON_GetObjectItem(p, "doc_ids")) if (cJSON_IsString(id))
                use_doc(&docs, id->valuestring, "cited");
        }
    }
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(ticket, "lookups"))
    {
        const char *kind = rx_json_str(l, "kind");
        const cJSON *top = cJSON_GetObjectItem(l, "top");
        if (kind && !strcmp(kind, "open")) {
            const cJSON *first = cJSON_GetArrayItem(top, 0);
            if (cJSON_IsString(first))
                use_doc(&docs, first->valuestring, "opened");
        } else if (rx_json_str(l, "query")) {
            cJSON *s = cJSON_CreateObject();
            add_str(s, "at", rx_json_str(l, "at"));
            add_masked(s, "query", &m, rx_json_str(l, "query"));
            const cJSON *conf = cJSON_GetObjectItem(l, "confident");
            if (cJSON_IsBool(conf))
                cJSON_AddBoolToObject(s, "confident", cJSON_IsTrue(conf));
            cJSON_AddItemToArray(searches, s);
        }
    }
    const cJSON *id;
    cJSON_ArrayForEach(id, cJSON_GetObjectItem(ticket, "doc_ids")) if (cJSON_IsString(id))
        use_doc(&docs, id->valuestring, "cited");

    cJSON_AddItemToObject(c, "timeline", timeline);
    cJSON_AddItemToObject(c, "searches", searches);
    cJSON_AddItemToObject(c, "documents", docs.list);
    cJSON_AddItemToObject(c, "replies", replies);
    cJSON_AddItemToObject(c, "supervision_log", supervision);
    cJSON_AddItemToObject(c, "callbacks", callbacks);
    /* the outcome in one phrase */
    const char *sat = rx_json_str(ticket, "satisfaction");
    const char *outcome =
        cJSON_IsTrue(cJSON_GetObjectItem(ticket, "first_contact")) ? "一次办结"
        : sat                                                      ? result_label(sat)
        : cJSON_GetArraySize(callbacks) > 0
            ? rx_json_str(cJSON_GetArrayItem(callbacks, cJSON_GetArraySize(callbacks) - 1),
                          "result")
            : "尚未回访";
    cJSON_AddStringToObject(c, "outcome", outcome ? outcome : "");
    add_masked(c, "lesson", &m, lesson);
    return c;
}

/* ---- creating, reading and listing ---- */

static bool text_ok(const cJSON *v, size_t max_chars)
{
    return cJSON_IsString(v) && rx_utf8_valid(v->valuestring, strlen(v->valuestring), NULL) &&
           rx_utf8_count(v->valuestring, strlen(v->valuestring)) <= max_chars;
}

/* An optional text field: absent or null is "", else a string of at most
 * max characters. */
static int optional_text(const char **out, const cJSON *v, const char *what, size_t max)
{
    *out = "";
    if (!v || cJSON_IsNull(v))
        return RX_OK;
    if (!cJSON_IsString(v))
        return rx_fail(RX_EINVALID, "invalid_field", "%s 必须是文本", what);
    if (!text_ok(v, max))
        return rx_fail(RX_EINVALID, "invalid_field", "%s 最长 %zu 个字", what, max);
    *out = v->valuestring;
    return RX_OK;
}

static bool valid_ticket_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return false;
    for (size_t k = 0; k < n; k++)
        if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'A' && s[k] <= 'Z') ||
              (s[k] >= 'a' && s[k] <= 'z') || s[k] == '-'))
            return false;
    return true;
}

typedef struct {
    const char *id, *lesson;
} wanted;

/* Reads the body's cases: ids and lessons, in order, each once. */
static int read_cases(wanted *w, int *nw, const cJSON *body)
{
    const cJSON *tickets = cJSON_GetObjectItem(body, "tickets");
    const cJSON *lessons = cJSON_GetObjectItem(body, "lessons");
    if (!cJSON_IsArray(tickets) || cJSON_GetArraySize(tickets) == 0)
        return rx_fail(RX_EINVALID, "invalid_field",
                       "tickets 必须是非空的工单编号数组，例如 [\"ZZ20260501-000001\"]");
    if (cJSON_GetArraySize(tickets) > RX_CASEBOOK_MAX_CASES)
        return rx_fail(RX_EINVALID, "too_many_cases", "一本案例集最多 %d 个案例",
                       RX_CASEBOOK_MAX_CASES);
    if (lessons && !cJSON_IsNull(lessons) && !cJSON_IsObject(lessons))
        return rx_fail(RX_EINVALID, "invalid_field",
                       "lessons 必须是对象：{\"工单编号\":\"复盘教训\"}");
    *nw = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tickets)
    {
        const char *id = NULL, *lesson = "";
        if (cJSON_IsString(t)) {
            id = t->valuestring;
        } else if (cJSON_IsObject(t)) {
            id = rx_json_str(t, "id");
            int rc = optional_text(&lesson, cJSON_GetObjectItem(t, "lesson"), "lesson（复盘教训）",
                                   RX_CASEBOOK_MAX_TEXT);
            if (rc != RX_OK)
                return rc;
        }
        if (!id)
            return rx_fail(RX_EINVALID, "invalid_field",
                           "tickets 的每一项必须是工单编号，或 {\"id\":…,\"lesson\":…}");
        if (!valid_ticket_id(id))
            return rx_fail(RX_EVALUE, "unknown_ticket", "没有编号为“%.*s”的工单",
                           rx_utf8_clip(id, 40), id);
        for (int k = 0; k < *nw; k++)
            if (!strcmp(w[k].id, id))
                return rx_fail(RX_EINVALID, "duplicate_ticket", "工单 %s 在案例集中出现了两次", id);
        if (!*lesson && lessons) {
            int rc = optional_text(&lesson, cJSON_GetObjectItem(lessons, id), "lessons 中的教训",
                                   RX_CASEBOOK_MAX_TEXT);
            if (rc != RX_OK)
                return rc;
        }
        w[(*nw)++] = (wanted){id, lesson};
    }
    const cJSON *l;
    cJSON_ArrayForEach(l, lessons)
    {
        bool known = false;
        for (int k = 0; k < *nw && !known; k++)
            known = !strcmp(w[k].id, l->string);
        if (!known)
            return rx_fail(RX_EVALUE, "unknown_ticket", "lessons 中的“%.*s”不是本案例集选入的工单",
                           rx_utf8_clip(l->string, 40), l->string);
    }
    return RX_OK;
}

static char *casebook_id(long long n)
{
    char *id = malloc(24);
    if (id)
        snprintf(id, 24, "CB%06lld", n);
    return id;
}

static long long parse_id(const char *id)
{
    if (!id || strncmp(id, "CB", 2) != 0 || !id[2] || strlen(id) > 14)
        return -1;
    long long n = 0;
    for (const char *p = id + 2; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (*p - '0');
    }
    return n;
}

int rx_casebook_create(cJSON **out, rx_casebooks *cb, rx_tickets *t, const cJSON *body,
                       const rx_actor *who, rx_doc_title_fn title, void *ctx)
{
    *out = NULL;
    rx_error_clear();
    const cJSON *tv = cJSON_GetObjectItem(body, "title");
    if (!cJSON_IsString(tv) || !*tv->valuestring)
        return rx_fail(RX_EINVALID, "invalid_field", "title（案例集标题）不能为空");
    if (!text_ok(tv, RX_CASEBOOK_MAX_TITLE))
        return rx_fail(RX_EINVALID, "invalid_field", "title（案例集标题）最长 %d 个字",
                       RX_CASEBOOK_MAX_TITLE);
    const char *intro;
    int rc = optional_text(&intro, cJSON_GetObjectItem(body, "intro"), "intro（导语）",
                           RX_CASEBOOK_MAX_TEXT);
    if (rc != RX_OK)
        return rc;
    wanted w[RX_CASEBOOK_MAX_CASES];
    int nw = 0;
    if ((rc = read_cases(w, &nw, body)) != RX_OK)
        return rc;

    /* every ticket read in full (the service itself reads: masking is ours,
     * whatever the role of who) before anything is stored */
    rx_actor reader = {.name = who->name, .role = "system", .now = who->now};
    cJSON *cases = cJSON_CreateArray();
    rx_buf unknown = {0};
    int nunknown = 0;
    for (int k = 0; k < nw; k++) {
        cJSON *ticket = NULL;
        rc = rx_tickets_get(&ticket, t, w[k].id, &reader);
        if (rc == RX_ENOTFOUND) {
            rx_buf_printf(&unknown, "%s%s", nunknown++ ? "、" : "", w[k].id);
            continue;
        }
        if (rc != RX_OK) {
            cJSON_Delete(cases);
            rx_buf_free(&unknown);
            return rc;
        }
        cJSON *c = rx_casebook_case(ticket, w[k].lesson, title, ctx);
        cJSON_Delete(ticket);
        if (!c) {
            cJSON_Delete(cases);
            rx_buf_free(&unknown);
            return rx_error_set(RX_ENOMEM, "out of memory");
        }
        cJSON_AddItemToArray(cases, c);
    }
    if (nunknown) {
        cJSON_Delete(cases);
        rc = rx_fail(RX_EVALUE, "unknown_ticket", "没有这些工单：%s（案例集未保存）", unknown.data);
        rx_buf_free(&unknown);
        return rc;
    }
    rx_buf_free(&unknown);

    cJSON *book = cJSON_CreateObject();
    char *t_masked = rx_text_mask(tv->valuestring, NULL, NULL, RX_PII_MASKED);
    char *i_masked = rx_text_mask(intro, NULL, NULL, RX_PII_MASKED);
    char created[32];
    rx_wf_time_format(created, who->now);
    cJSON_AddNullToObject(book, "id");
    cJSON_AddStringToObject(book, "title", t_masked ? t_masked : "");
    cJSON_AddStringToObject(book, "intro", i_masked ? i_masked : "");
    cJSON_AddStringToObject(book, "created", created);
    cJSON_AddStringToObject(book, "created_by", who->name ? who->name : "");
    cJSON_AddItemToObject(book, "cases", cases);
    free(t_masked);
    free(i_masked);

    pthread_mutex_lock(&cb->mu);
    sqlite3_stmt *st = NULL;
    rc = RX_OK;
    if (sqlite3_prepare_v2(cb->db,
                           "INSERT INTO casebooks(title, created, created_by, cases, body) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = rx_store_fail(cb->db, "casebooks: insert");
    } else {
        char *json = cJSON_PrintUnformatted(book);
        sqlite3_bind_text(st, 1, rx_json_str(book, "title"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, created, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, rx_json_str(book, "created_by"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, nw);
        sqlite3_bind_text(st, 5, json ? json : "{}", -1, SQLITE_TRANSIENT);
        if (!json || sqlite3_step(st) != SQLITE_DONE)
            rc = rx_store_fail(cb->db, "casebooks: insert");
        free(json);
    }
    sqlite3_finalize(st);
    long long n = sqlite3_last_insert_rowid(cb->db);
    pthread_mutex_unlock(&cb->mu);
    if (rc != RX_OK) {
        cJSON_Delete(book);
        return rc;
    }
    char *id = casebook_id(n);
    cJSON_ReplaceItemInObject(book, "id", id ? cJSON_CreateString(id) : cJSON_CreateNull());
    free(id);
    *out = book;
    return RX_OK;
}

int rx_casebook_get(cJSON **out, rx_casebooks *cb, const char *id)
{
    *out = NULL;
    rx_error_clear();
    long long n = parse_id(id);
    if (n < 0)
        return rx_fail(RX_ENOTFOUND, "casebook_not_found", "没有编号为“%.*s”的案例集",
                       rx_utf8_clip(id ? id : "", 40), id ? id : "");
    pthread_mutex_lock(&cb->mu);
    sqlite3_stmt *st;
    int rc = RX_ENOTFOUND;
    if (sqlite3_prepare_v2(cb->db, "SELECT body FROM casebooks WHERE n = ?1", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = rx_store_fail(cb->db, "casebooks: get");
    } else {
        sqlite3_bind_int64(st, 1, n);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *out = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
            rc = *out ? RX_OK : rx_error_set(RX_EIO, "casebooks: stored body unreadable");
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&cb->mu);
    if (rc == RX_ENOTFOUND)
        return rx_fail(RX_ENOTFOUND, "casebook_not_found", "没有编号为“%s”的案例集", id);
    if (rc == RX_OK) {
        char *cid = casebook_id(n);
        cJSON_ReplaceItemInObject(*out, "id", cid ? cJSON_CreateString(cid) : cJSON_CreateNull());
        free(cid);
    }
    return rc;
}

int rx_casebooks_list(cJSON **out, rx_casebooks *cb, int limit, int offset)
{
    *out = NULL;
    pthread_mutex_lock(&cb->mu);
    sqlite3_stmt *st;
    int rc = RX_OK;
    cJSON *doc = cJSON_CreateObject(), *list = cJSON_CreateArray();
    long long total = 0;
    if (sqlite3_prepare_v2(cb->db, "SELECT count(*) FROM casebooks", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(cb->db,
                           "SELECT n, title, created, created_by, cases FROM casebooks "
                           "ORDER BY n DESC LIMIT ?1 OFFSET ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = rx_store_fail(cb->db, "casebooks: list");
    } else {
        sqlite3_bind_int(st, 1, limit);
        sqlite3_bind_int(st, 2, offset);
        while (sqlite3_step(st) == SQLITE_ROW) {
            cJSON *o = cJSON_CreateObject();
            char *id = casebook_id(sqlite3_column_int64(st, 0));
            cJSON_AddStringToObject(o, "id", id ? id : "");
            free(id);
            cJSON_AddStringToObject(o, "title", (const char *)sqlite3_column_text(st, 1));
            cJSON_AddStringToObject(o, "created", (const char *)sqlite3_column_text(st, 2));
            cJSON_AddStringToObject(o, "created_by", (const char *)sqlite3_column_text(st, 3));
            cJSON_AddNumberToObject(o, "cases", sqlite3_column_int(st, 4));
            cJSON_AddItemToArray(list, o);
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&cb->mu);
    if (rc != RX_OK) {
        cJSON_Delete(doc);
        cJSON_Delete(list);
        return rc;
    }
    cJSON_AddNumberToObject(doc, "total", (double)total);
    cJSON_AddItemToObject(doc, "casebooks", list);
    *out = doc;
    return RX_OK;
}

/* ---- exports ---- */

const char rx_export_css[] =
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif;"
    "color:#1a1a1a;max-width:60em;margin:2em auto;padding:0 1.5em;line-height:1.6}"
    "h1{font-size:1.6em;border-bottom:2px solid #8b0000;padding-bottom:.3em}"
    "h2{font-size:1.25em;margin-top:2em;border-left:4px solid #8b0000;padding-left:.5em}"
    "h3{font-size:1.05em;margin:1.2em 0 .4em}"
    ".meta,.muted{color:#555;font-size:.9em}"
    ".notice{background:#fff7e6;border:1px solid #f0c36d;padding:.5em .8em;font-size:.9em}"
    "dl.facts{display:grid;grid-template-columns:7em 1fr;gap:.2em 1em;margin:.5em 0}"
    "dl.facts dt{color:#555}dl.facts dd{margin:0}"
    "blockquote{margin:.5em 0;padding:.5em 1em;background:#f6f6f6;border-left:3px solid #bbb}"
    "ol.timeline{padding-left:1.5em}ol.timeline li{margin:.2em 0;break-inside:avoid}"
    ".lesson{background:#eef6ee;border:1px solid #7cb07c;padding:.6em 1em;margin-top:1em}"
    "table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.92em}"
    "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
    "th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".bad{color:#a00000;font-weight:bold}.good{color:#1d6b1d}"
    "svg{max-width:100%;height:auto}svg text{font-size:11px}"
    "nav ol{columns:2}"
    "@media print{body{margin:0;max-width:none;font-size:10.5pt}"
    "h2{break-before:page}h2.first,section.keep h2{break-before:auto}"
    "a{color:inherit;text-decoration:none}nav{display:none}"
    "blockquote,.lesson,table,svg{break-inside:avoid}"
    "@page{size:A4;margin:18mm 16mm}}";

void rx_export_html_open(rx_buf *out, const char *title)
{
    rx_buf_puts(out, "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                     "<title>");
    rx_export_html_text(out, title);
    rx_buf_printf(out, "</title><style>%s</style></head><body><header><h1>", rx_export_css);
}

void rx_export_html_text(rx_buf *out, const char *s)
{
    if (!s)
        return;
    for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
        rx_buf_put_html(out, s, (size_t)(nl - s));
        rx_buf_puts(out, "<br>");
    }
    rx_buf_put_html(out, s, strlen(s));
}

void rx_export_md_text(rx_buf *out, const char *s)
{
    if (!s)
        return;
    bool line_start = true;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (c == '\r')
            continue;
        if (c == '\n') {
            rx_buf_puts(out, "  \n"); /* a hard break: the text keeps its lines */
            line_start = true;
            continue;
        }
        if (line_start && (c == ' ' || c == '\t')) /* no indented code block */
            continue;
        if (strchr("\\`*_[]<>#|!~&", c) || (line_start && strchr("-+=", c)))
            rx_buf_putc(out, '\\');
        else if (line_start && c >= '0' && c <= '9') { /* 1. or 1) would start a list */
            const char *q = p;
            while (*q >= '0' && *q <= '9')
                q++;
            if (*q == '.' || *q == ')') {
                rx_buf_append(out, p, (size_t)(q - p));
                rx_buf_putc(out, '\\');
                p = q;
                c = *q;
            }
        }
        rx_buf_putc(out, c);
        line_start = false;
    }
}

static void html_fact(rx_buf *b, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    rx_buf_printf(b, "<dt>%s</dt><dd>", label);
    rx_export_html_text(b, value);
    rx_buf_puts(b, "</dd>");
}

static const char *when(const char *at, char buf[20])
{
    /* 2026-05-12T09:13:00+08:00 → 2026-05-12 09:13 */
    if (!at || strlen(at) < 16)
        return at ? at : "";
    snprintf(buf, 20, "%.10s %.5s", at, at + 11);
    return buf;
}

static void md_line(rx_buf *b, const char *label, const char *value);

/* A case's facts, each through emit (an HTML <dt>/<dd> pair or a Markdown
 * list item); the empty ones are left out by emit. */
static void case_facts(rx_buf *b, const cJSON *c,
                       void (*emit)(rx_buf *b, const char *label, const char *value))
{
    char tb[20];
    rx_buf co = {0};
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(c, "co")) if (cJSON_IsString(x))
        rx_buf_printf(&co, "%s%s", co.len ? "、" : "", x->valuestring);
    emit(b, "受理渠道", rx_json_str(c, "channel"));
    emit(b, "受理时间", when(rx_json_str(c, "created"), tb));
    emit(b, "来电人", rx_json_str(c, "caller"));
    emit(b, "电话", rx_json_str(c, "phone"));
    emit(b, "地址", rx_json_str(c, "address"));
    emit(b, "主办单位", rx_json_str(c, "lead"));
    emit(b, "协办单位", co.data);
    emit(b, "交办级别", rx_json_str(c, "level"));
    emit(b, "办理期限", rx_json_str(c, "deadline"));
    emit(b, "督办", rx_json_str(c, "supervision"));
    emit(b, "当前状态", rx_json_str(c, "status_label"));
    emit(b, "办理结果", rx_json_str(c, "outcome"));
    rx_buf_free(&co);
}

/* What the HTML and Markdown exports write differently inside a case:
 * how text is escaped (and flattened onto one list line), emphasis, a
 * muted aside, and what comes before an event's detail. */
typedef struct {
    void (*text)(rx_buf *b, const char *s);
    void (*line)(rx_buf *b, const char *s);
    const char *strong, *strong_end, *muted, *muted_end, *detail;
} markup;

/* Markdown text for one list item: its line breaks become spaces. */
static void md_line_text(rx_buf *b, const char *s)
{
    char *d = strdup(s ? s : "");
    for (char *p = d; p && *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    rx_export_md_text(b, d);
    free(d);
}

static const markup html_markup = {
    rx_export_html_text,       rx_export_html_text, "<strong>", "</strong>",
    " <span class=\"muted\">", "</span>",           "<br>"};
static const markup md_markup = {rx_export_md_text, md_line_text, "**", "**", "", "", "："};

/* 类别（工单 ID）, or 工单 ID. */
static void case_title(rx_buf *b, const cJSON *c, const markup *m)
{
    if (rx_json_str(c, "category")) {
        m->text(b, rx_json_str(c, "category"));
        rx_buf_puts(b, "（工单 ");
        m->text(b, rx_json_str(c, "ticket"));
        rx_buf_puts(b, "）");
    } else {
        rx_buf_puts(b, "工单 ");
        m->text(b, rx_json_str(c, "ticket"));
    }
}

/* An event of the timeline after its time: what, the status it led to,
 * who (and their role), and its detail. */
static void event_line(rx_buf *b, const cJSON *x, const markup *m)
{
    rx_buf_puts(b, m->strong);
    m->text(b, rx_json_str(x, "label"));
    rx_buf_puts(b, m->strong_end);
    if (rx_json_str(x, "status")) {
        rx_buf_puts(b, " → ");
        m->text(b, rx_json_str(x, "status"));
    }
    rx_buf_puts(b, " · ");
    m->text(b, rx_json_str(x, "who"));
    const char *role = rx_json_str(x, "role"), *detail = rx_json_str(x, "detail");
    if (role && *role) {
        rx_buf_puts(b, "（");
        m->text(b, role);
        rx_buf_puts(b, "）");
    }
    if (detail && *detail) {
        rx_buf_puts(b, m->detail);
        m->line(b, detail);
    }
}

/* A document used: its title, id and how (cited, or opened in the call). */
static void doc_line(rx_buf *b, const cJSON *x, const markup *m)
{
    const char *title = rx_json_str(x, "title");
    m->text(b, title ? title : "（知识库中已无此文档）");
    rx_buf_puts(b, m->muted);
    rx_buf_puts(b, "（");
    m->text(b, rx_json_str(x, "id"));
    rx_buf_puts(b, !strcmp(rx_json_str(x, "used"), "cited") ? "，办结时引用）" : "，通话中打开）");
    rx_buf_puts(b, m->muted_end);
}

/* A reply, supervision or callback after its time: who, its kind or
 * result, and its text (field). */
static void entry_line(rx_buf *b, const cJSON *x, const char *field, const markup *m)
{
    m->text(b, rx_json_str(x, "who"));
    const char *tag = rx_json_str(x, "kind") ? rx_json_str(x, "kind") : rx_json_str(x, "result");
    if (tag) {
        rx_buf_printf(b, " %s", m->strong);
        m->text(b, tag);
        rx_buf_puts(b, m->strong_end);
    }
    const char *text = rx_json_str(x, field);
    if (text && *text) {
        rx_buf_puts(b, "：");
        m->line(b, text);
    }
}

/* The parts of a case listed after its documents. */
static const struct {
    const char *key, *heading, *field, *empty;
} case_parts[] = {{"replies", "承办单位答复", "text", "没有答复。"},
                  {"supervision_log", "督办", "note", "没有督办。"},
                  {"callbacks", "回访", "note", "尚未回访。"}};

static void html_case(rx_buf *b, const cJSON *c, int k)
{
    char tb[20];
    const cJSON *x;
    rx_buf_printf(b, "<section class=\"case\" id=\"case-%d\"><h2%s>案例 %d：", k + 1,
                  k == 0 ? " class=\"first\"" : "", k + 1);
    case_title(b, c, &html_markup);
    rx_buf_puts(b, "</h2><dl class=\"facts\">");
    case_facts(b, c, html_fact);
    rx_buf_puts(b, "</dl><h3>诉求内容</h3><blockquote>");
    rx_export_html_text(b, rx_json_str(c, "content"));
    rx_buf_puts(b, "</blockquote><h3>办理过程</h3><ol class=\"timeline\">");
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(c, "timeline"))
    {
        rx_buf_printf(b, "<li><span class=\"muted\">%s</span> ", when(rx_json_str(x, "at"), tb));
        event_line(b, x, &html_markup);
        rx_buf_puts(b, "</li>");
    }
    rx_buf_puts(b, "</ol><h3>使用的知识库文档</h3>");
    const cJSON *docs = cJSON_GetObjectItem(c, "documents");
    if (cJSON_GetArraySize(docs) == 0)
        rx_buf_puts(b, "<p class=\"muted\">未打开或引用知识库文档。</p>");
    else {
        rx_buf_puts(b, "<ul>");
        cJSON_ArrayForEach(x, docs)
        {
            rx_buf_puts(b, "<li>");
            doc_line(b, x, &html_markup);
            rx_buf_puts(b, "</li>");
        }
        rx_buf_puts(b, "</ul>");
    }
    const cJSON *searches = cJSON_GetObjectItem(c, "searches");
    if (cJSON_GetArraySize(searches) > 0) {
        rx_buf_puts(b, "<p class=\"muted\">检索过：");
        int n = 0;
        cJSON_ArrayForEach(x, searches)
        {
            rx_buf_puts(b, n++ ? "、“" : "“");
            rx_export_html_text(b, rx_json_str(x, "query"));
            rx_buf_puts(b,
                        cJSON_IsFalse(cJSON_GetObjectItem(x, "confident")) ? "”（没有把握）" : "”");
        }
        rx_buf_puts(b, "</p>");
    }
    for (size_t p = 0; p < sizeof case_parts / sizeof case_parts[0]; p++) {
        rx_buf_printf(b, "<h3>%s</h3>", case_parts[p].heading);
        const cJSON *list = cJSON_GetObjectItem(c, case_parts[p].key);
        if (cJSON_GetArraySize(list) == 0) {
            rx_buf_printf(b, "<p class=\"muted\">%s</p>", case_parts[p].empty);
            continue;
        }
        rx_buf_puts(b, "<ul>");
        cJSON_ArrayForEach(x, list)
        {
            rx_buf_printf(b, "<li><span class=\"muted\">%s</span> ",
                          when(rx_json_str(x, "at"), tb));
            entry_line(b, x, case_parts[p].field, &html_markup);
            rx_buf_puts(b, "</li>");
        }
        rx_buf_puts(b, "</ul>");
    }
    rx_buf_puts(b, "<div class=\"lesson\"><h3>复盘教训</h3><p>");
    const char *lesson = rx_json_str(c, "lesson");
    if (lesson && *lesson)
        rx_export_html_text(b, lesson);
    else
        rx_buf_puts(b, "<span class=\"muted\">（培训师未填写）</span>");
    rx_buf_puts(b, "</p></div></section>");
}

int rx_casebook_html(rx_buf *out, const cJSON *book)
{
    rx_buf *b = out;
    rx_buf title = {0};
    rx_buf_printf(&title, "%s · 案例复盘",
                  rx_json_str(book, "title") ? rx_json_str(book, "title") : "");
    rx_export_html_open(b, title.data);
    rx_buf_free(&title);
    rx_export_html_text(b, rx_json_str(book, "title"));
    rx_buf_puts(b, "</h1><p class=\"meta\">案例复盘 ");
    rx_export_html_text(b, rx_json_str(book, "id"));
    rx_buf_puts(b, " · 编写：");
    rx_export_html_text(b, rx_json_str(book, "created_by"));
    char tb[20];
    rx_buf_printf(b, " · %s · 共 %d 个案例</p>", when(rx_json_str(book, "created"), tb),
                  cJSON_GetArraySize(cJSON_GetObjectItem(book, "cases")));
    rx_buf_puts(b, "<p class=\"notice\">本材料供内部培训使用。来电人姓名、电话、地址及诉求中的"
                   "号码均已脱敏（如 李*、138****1234、地址只保留到区县），请勿还原或外传。</p>");
    const char *intro = rx_json_str(book, "intro");
    if (intro && *intro) {
        rx_buf_puts(b, "<p>");
        rx_export_html_text(b, intro);
        rx_buf_puts(b, "</p>");
    }
    rx_buf_puts(b, "</header><nav aria-label=\"目录\"><h2 class=\"first\">目录</h2><ol>");
    const cJSON *c;
    int k = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(book, "cases"))
    {
        rx_buf_printf(b, "<li><a href=\"#case-%d\">", ++k);
        rx_export_html_text(b, rx_json_str(c, "category") ? rx_json_str(c, "category") : "工单");
        rx_buf_puts(b, " · ");
        rx_export_html_text(b, rx_json_str(c, "ticket"));
        rx_buf_puts(b, "</a></li>");
    }
    rx_buf_puts(b, "</ol></nav><main>");
    k = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(book, "cases")) html_case(b, c, k++);
    rx_buf_puts(b, "</main></body></html>\n");
    return b->data ? RX_OK : rx_error_set(RX_ENOMEM, "out of memory");
}

static void md_line(rx_buf *b, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    rx_buf_printf(b, "- %s：", label);
    rx_export_md_text(b, value);
    rx_buf_putc(b, '\n');
}

static void md_case(rx_buf *b, const cJSON *c, int k)
{
    char tb[20];
    const cJSON *x;
    rx_buf_printf(b, "\n## 案例 %d：", k + 1);
    case_title(b, c, &md_markup);
    rx_buf_puts(b, "\n\n");
    case_facts(b, c, md_line);
    rx_buf_puts(b, "\n### 诉求内容\n\n> ");
    rx_buf *q = &(rx_buf){0};
    rx_export_md_text(q, rx_json_str(c, "content"));
    /* each line of the quote keeps its marker */
    for (const char *p = q->data ? q->data : ""; *p; p++) {
        rx_buf_putc(b, *p);
        if (*p == '\n')
            rx_buf_puts(b, "> ");
    }
    rx_buf_free(q);
    rx_buf_puts(b, "\n\n### 办理过程\n\n");
    int n = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(c, "timeline"))
    {
        rx_buf_printf(b, "%d. %s ", ++n, when(rx_json_str(x, "at"), tb));
        event_line(b, x, &md_markup);
        rx_buf_putc(b, '\n');
    }
    rx_buf_puts(b, "\n### 使用的知识库文档\n\n");
    const cJSON *docs = cJSON_GetObjectItem(c, "documents");
    if (cJSON_GetArraySize(docs) == 0)
        rx_buf_puts(b, "未打开或引用知识库文档。\n");
    cJSON_ArrayForEach(x, docs)
    {
        rx_buf_puts(b, "- ");
        doc_line(b, x, &md_markup);
        rx_buf_putc(b, '\n');
    }
    for (size_t p = 0; p < sizeof case_parts / sizeof case_parts[0]; p++) {
        rx_buf_printf(b, "\n### %s\n\n", case_parts[p].heading);
        const cJSON *list = cJSON_GetObjectItem(c, case_parts[p].key);
        if (cJSON_GetArraySize(list) == 0)
            rx_buf_printf(b, "%s\n", case_parts[p].empty);
        cJSON_ArrayForEach(x, list)
        {
            rx_buf_printf(b, "- %s ", when(rx_json_str(x, "at"), tb));
            entry_line(b, x, case_parts[p].field, &md_markup);
            rx_buf_putc(b, '\n');
        }
    }
    rx_buf_puts(b, "\n### 复盘教训\n\n");
    const char *lesson = rx_json_str(c, "lesson");
    rx_export_md_text(b, lesson && *lesson ? lesson : "（培训师未填写）");
    rx_buf_puts(b, "\n");
}

int rx_casebook_markdown(rx_buf *out, const cJSON *book)
{
    rx_buf *b = out;
    rx_buf_puts(b, "# ");
    rx_export_md_text(b, rx_json_str(book, "title"));
    char tb[20];
    rx_buf_puts(b, "\n\n案例复盘 ");
    rx_export_md_text(b, rx_json_str(book, "id"));
    rx_buf_puts(b, " · 编写：");
    rx_export_md_text(b, rx_json_str(book, "created_by"));
    rx_buf_printf(b, " · %s · 共 %d 个案例\n\n", when(rx_json_str(book, "created"), tb),
                  cJSON_GetArraySize(cJSON_GetObjectItem(book, "cases")));
    rx_buf_puts(b, "> 本材料供内部培训使用。来电人姓名、电话、地址及诉求中的号码均已脱敏"
                   "（如 李\\*、138\\*\\*\\*\\*1234、地址只保留到区县），请勿还原或外传。\n");
    const char *intro = rx_json_str(book, "intro");
    if (intro && *intro) {
        rx_buf_puts(b, "\n");
        rx_export_md_text(b, intro);
        rx_buf_puts(b, "\n");
    }
    const cJSON *c;
    int k = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(book, "cases")) md_case(b, c, k++);
    return b->data ? RX_OK : rx_error_set(RX_ENOMEM, "out of memory");
}
