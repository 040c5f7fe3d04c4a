/* The resolution facts: what each ticket counts for (one-call, assisted,
 * satisfied, on time, reworked, reopened; its lead department; the
 * documents opened and cited for it), derived event by event from the log,
 * and the daily rollups they add up to. A batch loads each ticket it
 * touches once, replays the batch's events on it, and at the end takes
 * the ticket's old contribution off the rollups and adds the new one. */
#include "internal.h"

#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int oom(void)
{
    return rx_error_set(RX_ENOMEM, "out of memory");
}

static void docs_free(fact_doc *d, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(d[k].doc);
    free(d);
}

static void fact_clear(fact *f)
{
    free(f->category);
    free(f->agent);
    free(f->lead);
    free(f->old_lead);
    docs_free(f->docs, f->ndocs);
    docs_free(f->old_docs, f->old_ndocs);
    memset(f, 0, sizeof *f);
}

void rx_facts_drop(rx_stats *s)
{
    for (size_t k = 0; k < s->nfacts; k++)
        fact_clear(&s->facts[k]);
    s->nfacts = 0;
    rx_strmap_clear(&s->fmap);
}

static char *dup_or_empty(const char *v)
{
    return strdup(v ? v : "");
}

static int load_docs(rx_stats *s, fact *f)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT doc, opened, cited FROM stats_ticket_docs WHERE n = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: ticket documents");
    sqlite3_bind_int64(st, 1, f->n);
    int rc = RX_OK;
    while (rc == RX_OK && sqlite3_step(st) == SQLITE_ROW) {
        fact_doc *grown = realloc(f->docs, (f->ndocs + 1) * sizeof *grown);
        if (!grown) {
            rc = oom();
            break;
        }
        f->docs = grown;
        fact_doc *d = &f->docs[f->ndocs];
        if (!(d->doc = strdup((const char *)sqlite3_column_text(st, 0)))) {
            rc = oom();
            break;
        }
        d->opened = sqlite3_column_int(st, 1) != 0;
        d->cited = sqlite3_column_int(st, 2) != 0;
        f->ndocs++;
    }
    sqlite3_finalize(st);
    return rc;
}

static int copy_docs(fact_doc **out, const fact_doc *d, size_t n)
{
    *out = NULL;
    if (!n)
        return RX_OK;
    if (!(*out = calloc(n, sizeof **out)))
        return oom();
    for (size_t k = 0; k < n; k++) {
        (*out)[k] = d[k];
        if (!((*out)[k].doc = strdup(d[k].doc))) {
            docs_free(*out, k); /* the copies made so far */
            *out = NULL;
            return oom();
        }
    }
    return RX_OK;
}

/* The ticket n's facts in this batch: loaded on first touch; made from e's
 * ticket fields if stats has never seen it. NULL with *rc set on failure,
 * NULL with *rc RX_OK when unknown and e is NULL. */
static fact *touch(rx_stats *s, long long n, const rx_feed_event *e, int *rc)
{
    *rc = RX_OK;
    char key[24];
    int klen = snprintf(key, sizeof key, "%lld", n);
    rx_strmap_entry *m = rx_strmap_get(&s->fmap, key, (size_t)klen);
    if (m)
        return &s->facts[m->value];
    fact f = {.n = n, .deadline = RX_DATE_INVALID};
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT day, category, agent, lead, deadline, flags FROM stats_tickets "
                           "WHERE n = ?",
                           -1, &st, NULL) != SQLITE_OK) {
        *rc = rx_store_fail(s->db, "stats: tickets");
        return NULL;
    }
    sqlite3_bind_int64(st, 1, n);
    if (sqlite3_step(st) == SQLITE_ROW) {
        f.stored = true;
        f.day = (long)sqlite3_column_int64(st, 0);
        f.category = dup_or_empty((const char *)sqlite3_column_text(st, 1));
        f.agent = dup_or_empty((const char *)sqlite3_column_text(st, 2));
        f.lead = dup_or_empty((const char *)sqlite3_column_text(st, 3));
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            f.deadline = (long)sqlite3_column_int64(st, 4);
        f.flags = (unsigned)sqlite3_column_int(st, 5);
    }
    sqlite3_finalize(st);
    if (!f.stored) {
        if (!e) {
            fact_clear(&f); /* nothing was read; for the analysers' sake */
            return NULL;
        }
        f.day = e->created_day;
        f.category = dup_or_empty(e->category);
        f.agent = dup_or_empty(e->created_by);
        f.lead = strdup("");
    }
    if (!f.category || !f.agent || !f.lead) {
        fact_clear(&f);
        *rc = oom();
        return NULL;
    }
    if (f.stored && ((*rc = load_docs(s, &f)) != RX_OK ||
                     (*rc = copy_docs(&f.old_docs, f.docs, f.ndocs)) != RX_OK)) {
        fact_clear(&f);
        return NULL;
    }
    /* f, its documents included, is cleared on each failure below or kept
     * in s->facts; NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
    f.old_ndocs = f.stored ? f.ndocs : 0;
    f.old_flags = f.flags;
    if (!(f.old_lead = strdup(f.lead))) {
        fact_clear(&f);
        *rc = oom();
        return NULL;
    }
    if (s->nfacts == s->cap_facts) {
        size_t cap = s->cap_facts ? s->cap_facts * 2 : 256;
        fact *grown = realloc(s->facts, cap * sizeof *grown);
        if (!grown) {
            fact_clear(&f);
            *rc = oom();
            return NULL;
        }
        s->facts = grown;
        s->cap_facts = cap;
    }
    int added;
    if (!(m = rx_strmap_upsert(&s->fmap, key, (size_t)klen, &added))) {
        fact_clear(&f);
        *rc = oom();
        return NULL;
    }
    m->value = s->nfacts;
    s->facts[s->nfacts] = f;
    return &s->facts[s->nfacts++];
}

/* Marks document doc opened or cited for f. */
static int mark_doc(fact *f, const char *doc, bool cited)
{
    for (size_t k = 0; k < f->ndocs; k++)
        if (!strcmp(f->docs[k].doc, doc)) {
            if (cited)
                f->docs[k].cited = true;
            else
                f->docs[k].opened = true;
            return RX_OK;
        }
    fact_doc *grown = realloc(f->docs, (f->ndocs + 1) * sizeof *grown);
    if (!grown)
        return oom();
    f->docs = grown;
    fact_doc d = {.doc = strdup(doc), .opened = !cited, .cited = cited};
    if (!d.doc)
        return oom();
    f->docs[f->ndocs++] = d;
    return RX_OK;
}

static long payload_day(const cJSON *p, const char *name)
{
    const char *v = rx_json_str(p, name);
    return v ? rx_date_parse(v, strlen(v)) : RX_DATE_INVALID;
}

static int set_text(char **field, const char *v)
{
    char *d = strdup(v ? v : "");
    if (!d)
        return oom();
    free(*field);
    *field = d;
    return RX_OK;
}

int rx_facts_event(rx_stats *s, const rx_feed_event *e)
{
    int rc;
    fact *f = touch(s, e->ticket, e, &rc);
    if (!f)
        return rc;
    const char *a = e->action;
    if (!strcmp(a, "create") || !strcmp(a, "accept") || !strcmp(a, "approve") ||
        !strcmp(a, "supervise") || !strcmp(a, "refer_discipline"))
        return RX_OK;
    cJSON *p = cJSON_Parse(e->payload ? e->payload : "{}");
    if (!p)
        return RX_OK; /* an unreadable payload counts for nothing more */
    if (!strcmp(a, "resolve_first_contact")) {
        f->flags |= F_ONE_CALL;
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(p, "doc_ids"))
        {
            if (cJSON_IsString(d) && (rc = mark_doc(f, d->valuestring, true)) != RX_OK)
                break;
            f->flags |= F_ASSISTED;
        }
    } else if (!strcmp(a, "dispatch")) {
        rc = set_text(&f->lead, rx_json_str(p, "lead"));
        f->deadline = payload_day(p, "deadline");
        f->flags &= ~(unsigned)F_OVERDUE;
    } else if (!strcmp(a, "return")) {
        rc = set_text(&f->lead, "");
        f->deadline = RX_DATE_INVALID;
        f->flags &= ~(unsigned)F_OVERDUE;
    } else if (!strcmp(a, "reject") || !strcmp(a, "extend")) {
        if (!strcmp(a, "reject"))
            f->flags |= F_REWORK;
        long d = payload_day(p, "deadline");
        if (d != RX_DATE_INVALID) {
            f->deadline = d;
            f->flags &= ~(unsigned)F_OVERDUE;
        }
    } else if (!strcmp(a, "overdue")) {
        f->flags |= F_OVERDUE;
    } else if (!strcmp(a, "reply")) {
        f->flags |= F_REPLIED;
        if ((f->deadline != RX_DATE_INVALID && rx_wf_day(e->at) > f->deadline) ||
            (f->flags & F_OVERDUE))
            f->flags |= F_LATE;
    } else if (!strcmp(a, "callback")) {
        const char *result = rx_json_str(p, "result");
        if (result && strcmp(result, "unreachable") != 0) {
            f->flags |= F_REACHED;
            if (!strcmp(result, "satisfied") || !strcmp(result, "basically_satisfied"))
                f->flags |= F_SATISFIED;
            else
                f->flags &= ~(unsigned)F_SATISFIED;
            if (!strcmp(result, "unsatisfied"))
                f->flags |= F_REOPEN;
        }
    }
    cJSON_Delete(p);
    return rc;
}

int rx_facts_lookup(rx_stats *s, const rx_lookup_event *l)
{
    if (!l->open)
        return RX_OK;
    int rc;
    fact *f = touch(s, l->ticket, NULL, &rc);
    if (!f)
        return rc == RX_OK ? RX_STATS_WAIT : rc;
    cJSON *top = cJSON_Parse(l->top ? l->top : "[]");
    const cJSON *d = cJSON_GetArrayItem(top, 0);
    if (cJSON_IsString(d))
        rc = mark_doc(f, d->valuestring, false);
    cJSON_Delete(top);
    return rc;
}

/* ---- the batch's rollup changes ---- */

typedef struct {
    rx_strmap map; /* "day dim key" → index */
    rollup_delta *d;
    size_t n, cap;
} deltas;

static int add(deltas *ds, long day, int dim, const char *key, const long long c[NCOLS], int sign)
{
    char k[512];
    int klen = snprintf(k, sizeof k, "%ld\x1f%d\x1f%s", day, dim, key);
    if (klen < 0 || (size_t)klen >= sizeof k)
        klen = (int)sizeof k - 1;
    int added;
    rx_strmap_entry *m = rx_strmap_upsert(&ds->map, k, (size_t)klen, &added);
    if (!m)
        return oom();
    if (added) {
        rollup_delta *grown = rx_array_grow(ds->d, &ds->cap, ds->n, sizeof *ds->d, 256);
        if (!grown)
            return oom();
        ds->d = grown;
        rollup_delta z = {.day = day, .dim = dim, .key = strdup(key)};
        if (!z.key)
            return oom();
        m->value = ds->n;
        ds->d[ds->n++] = z;
    }
    for (int j = 0; j < NCOLS; j++)
        ds->d[m->value].c[j] += sign * c[j];
    return RX_OK;
}

/* What a ticket with these facts counts for, in every dimension. */
static int contribute(deltas *ds, const fact *f, const char *lead, unsigned fl,
                      const fact_doc *docs, size_t ndocs, int sign)
{
    long long c[NCOLS] = {0};
    c[C_TICKETS] = 1;
    c[C_ONE_CALL] = (fl & F_ONE_CALL) != 0;
    c[C_ASSISTED] = (fl & F_ONE_CALL) && (fl & F_ASSISTED);
    c[C_REACHED] = (fl & F_REACHED) != 0;
    c[C_SATISFIED] = (fl & F_REACHED) && (fl & F_SATISFIED);
    c[C_REPLIED] = (fl & F_REPLIED) != 0;
    c[C_ON_TIME] = (fl & F_REPLIED) && !(fl & F_LATE);
    c[C_REWORK] = (fl & F_REWORK) != 0;
    c[C_REOPEN] = (fl & F_REOPEN) != 0;
    int rc = add(ds, f->day, DIM_ALL, "", c, sign);
    if (rc == RX_OK)
        rc = add(ds, f->day, DIM_DEPARTMENT, lead, c, sign);
    if (rc == RX_OK)
        rc = add(ds, f->day, DIM_CATEGORY, f->category, c, sign);
    if (rc == RX_OK)
        rc = add(ds, f->day, DIM_AGENT, f->agent, c, sign);
    for (size_t k = 0; rc == RX_OK && k < ndocs; k++) {
        long long dc[NCOLS] = {0};
        dc[C_TICKETS] = 1;
        dc[C_ONE_CALL] = dc[C_ASSISTED] = docs[k].cited && (fl & F_ONE_CALL);
        dc[C_OPENED] = docs[k].opened;
        rc = add(ds, f->day, DIM_DOCUMENT, docs[k].doc, dc, sign);
    }
    return rc;
}

static int write_deltas(rx_stats *s, const deltas *ds)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            s->db,
            "INSERT INTO stats_daily(day, dim, key, tickets, one_call, assisted, reached, "
            "  satisfied, replied, on_time, rework, reopen, opened) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
            "ON CONFLICT(dim, day, key) DO UPDATE SET tickets = tickets + ?4, "
            "  one_call = one_call + ?5, assisted = assisted + ?6, reached = reached + ?7, "
            "  satisfied = satisfied + ?8, replied = replied + ?9, on_time = on_time + ?10, "
            "  rework = rework + ?11, reopen = reopen + ?12, opened = opened + ?13",
            -1, &st, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: rollups");
    int rc = RX_OK;
    for (size_t k = 0; rc == RX_OK && k < ds->n; k++) {
        const rollup_delta *d = &ds->d[k];
        bool zero = true;
        for (int j = 0; j < NCOLS; j++)
            zero = zero && d->c[j] == 0;
        if (zero)
            continue;
        sqlite3_bind_int64(st, 1, d->day);
        sqlite3_bind_int(st, 2, d->dim);
        sqlite3_bind_text(st, 3, d->key, -1, SQLITE_STATIC);
        for (int j = 0; j < NCOLS; j++)
            sqlite3_bind_int64(st, 4 + j, d->c[j]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = rx_store_fail(s->db, "stats: rollups");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int write_facts(rx_stats *s)
{
    sqlite3_stmt *ft, *dt, *dd;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO stats_tickets(n, day, category, agent, lead, "
                           "  deadline, flags) VALUES(?, ?, ?, ?, ?, ?, ?)",
                           -1, &ft, NULL) != SQLITE_OK)
        return rx_store_fail(s->db, "stats: tickets");
    if (sqlite3_prepare_v2(s->db, "DELETE FROM stats_ticket_docs WHERE n = ?", -1, &dd, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(ft);
        return rx_store_fail(s->db, "stats: ticket documents");
    }
    if (sqlite3_prepare_v2(
            s->db, "INSERT INTO stats_ticket_docs(n, doc, opened, cited) VALUES(?, ?, ?, ?)", -1,
            &dt, NULL) != SQLITE_OK) {
        sqlite3_finalize(ft);
        sqlite3_finalize(dd);
        return rx_store_fail(s->db, "stats: ticket documents");
    }
    int rc = RX_OK;
    for (size_t k = 0; rc == RX_OK && k < s->nfacts; k++) {
        const fact *f = &s->facts[k];
        sqlite3_bind_int64(ft, 1, f->n);
        sqlite3_bind_int64(ft, 2, f->day);
        sqlite3_bind_text(ft, 3, f->category, -1, SQLITE_STATIC);
        sqlite3_bind_text(ft, 4, f->agent, -1, SQLITE_STATIC);
        sqlite3_bind_text(ft, 5, f->lead, -1, SQLITE_STATIC);
        if (f->deadline != RX_DATE_INVALID)
            sqlite3_bind_int64(ft, 6, f->deadline);
        else
            sqlite3_bind_null(ft, 6);
        sqlite3_bind_int(ft, 7, (int)f->flags);
        if (sqlite3_step(ft) != SQLITE_DONE)
            rc = rx_store_fail(s->db, "stats: tickets");
        sqlite3_reset(ft);
        if (rc != RX_OK || (!f->ndocs && !f->old_ndocs))
            continue;
        sqlite3_bind_int64(dd, 1, f->n);
        if (sqlite3_step(dd) != SQLITE_DONE)
            rc = rx_store_fail(s->db, "stats: ticket documents");
        sqlite3_reset(dd);
        for (size_t j = 0; rc == RX_OK && j < f->ndocs; j++) {
            sqlite3_bind_int64(dt, 1, f->n);
            sqlite3_bind_text(dt, 2, f->docs[j].doc, -1, SQLITE_STATIC);
            sqlite3_bind_int(dt, 3, f->docs[j].opened);
            sqlite3_bind_int(dt, 4, f->docs[j].cited);
            if (sqlite3_step(dt) != SQLITE_DONE)
                rc = rx_store_fail(s->db, "stats: ticket documents");
            sqlite3_reset(dt);
        }
    }
    sqlite3_finalize(ft);
    sqlite3_finalize(dd);
    sqlite3_finalize(dt);
    return rc;
}

int rx_facts_flush(rx_stats *s)
{
    deltas ds = {0};
    int rc = RX_OK;
    for (size_t k = 0; rc == RX_OK && k < s->nfacts; k++) {
        const fact *f = &s->facts[k];
        if (f->stored)
            rc = contribute(&ds, f, f->old_lead, f->old_flags, f->old_docs, f->old_ndocs, -1);
        if (rc == RX_OK)
            rc = contribute(&ds, f, f->lead, f->flags, f->docs, f->ndocs, +1);
    }
    if (rc == RX_OK)
        rc = write_deltas(s, &ds);
    if (rc == RX_OK)
        rc = write_facts(s);
    for (size_t k = 0; k < ds.n; k++)
        free(ds.d[k].key);
    free(ds.d);
    rx_strmap_free(&ds.map);
    rx_facts_drop(s);
    return rc;
}
