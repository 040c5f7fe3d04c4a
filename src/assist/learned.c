/* Resolution feeds ranking: a call resolved in the call (一次办结) with
 * documents attaches the terms of the searches made for it (or of its
 * text, when none was recorded) to those documents. A later query that
 * shares those terms lifts the documents, by a bounded share that decays
 * with the resolutions' age. What admins remove is kept in the database
 * (assist_forgotten) and never learned again; the rest is learned anew
 * from the event log at every start. */
#include "model.h"

#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HALF_LIFE_DAYS 180.0
#define MAX_TERMS_PER_CALL 40

static const char *const steps[] = {
    /* 1: what admins removed */
    "CREATE TABLE assist_forgotten ("
    "  term TEXT NOT NULL, doc TEXT NOT NULL, by TEXT NOT NULL, at REAL NOT NULL,"
    "  PRIMARY KEY (term, doc)"
    ") WITHOUT ROWID;",
};

static const rx_schema schema = {"assist", steps, (int)(sizeof steps / sizeof steps[0]), NULL};

static size_t forgotten_key(char *out, size_t cap, const char *term, size_t tlen, const char *doc)
{
    int n = snprintf(out, cap, "%.*s\x1f%s", (int)tlen, term, doc);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

int rx_learned_open(rx_assist *a)
{
    if (!a->db)
        return RX_OK;
    int rc = rx_store_migrate(a->db, &schema);
    if (rc != RX_OK)
        return rc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(a->db, "SELECT term, doc FROM assist_forgotten", -1, &st, NULL) !=
        SQLITE_OK)
        return rx_store_fail(a->db, "assist: forgotten terms");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(st, 0);
        char key[512];
        size_t n = forgotten_key(key, sizeof key, term, strlen(term),
                                 (const char *)sqlite3_column_text(st, 1));
        int added;
        rx_strmap_upsert(&a->forgotten, key, n, &added);
    }
    sqlite3_finalize(st);
    return RX_OK;
}

void rx_learned_free(rx_assist *a)
{
    for (size_t i = 0; i < a->nlt; i++) {
        for (size_t k = 0; k < a->lt[i].n; k++)
            free(a->lt[i].d[k].doc);
        free(a->lt[i].d);
    }
    free(a->lt);
    rx_strmap_free(&a->lmap);
    rx_strmap_free(&a->forgotten);
}

static double decayed(const ldoc *d, double now)
{
    double age = now > d->at ? now - d->at : 0;
    return d->strength * exp2(-age / (HALF_LIFE_DAYS * 86400));
}

/* The weight of a learned term for a document: 0–1, rising with the
 * resolutions and saturating, so that no volume of calls can bury the
 * text's own ranking. */
static double bounded(double strength)
{
    return strength / (strength + 1);
}

static lterm *term_of(rx_assist *a, const char *term, size_t len, bool add)
{
    int added = 0;
    rx_strmap_entry *e =
        add ? rx_strmap_upsert(&a->lmap, term, len, &added) : rx_strmap_get(&a->lmap, term, len);
    if (!e)
        return NULL;
    if (added) {
        if (a->nlt == a->caplt) {
            size_t cap = a->caplt ? 2 * a->caplt : 256;
            lterm *lt = realloc(a->lt, cap * sizeof *lt);
            if (!lt)
                return NULL;
            a->lt = lt;
            a->caplt = cap;
        }
        a->lt[a->nlt] = (lterm){0};
        e->value = a->nlt++;
    }
    return &a->lt[e->value];
}

/* The terms a query or a call's searches are made of: bigrams and the
 * synonym concepts they name. */
static int terms_of(rx_strmap *bag, const rx_analyzer *an, const char *text)
{
    rx_analyzer fa = {.flags = RX_AN_BIGRAM | RX_AN_SYNONYM, .synonyms = an ? an->synonyms : NULL};
    return rx_analyze_text(bag, &fa, text, strlen(text), 1);
}

static void learn_doc(rx_assist *a, const char *term, size_t len, const char *doc, double at)
{
    char key[512];
    size_t kn = forgotten_key(key, sizeof key, term, len, doc);
    if (rx_strmap_get(&a->forgotten, key, kn))
        return;
    lterm *t = term_of(a, term, len, true);
    if (!t)
        return;
    for (size_t k = 0; k < t->n; k++)
        if (!strcmp(t->d[k].doc, doc)) {
            t->d[k].strength = decayed(&t->d[k], at) + 1;
            t->d[k].at = at;
            t->d[k].resolutions++;
            return;
        }
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 2;
        ldoc *d = realloc(t->d, cap * sizeof *d);
        if (!d)
            return;
        t->d = d;
        t->cap = cap;
    }
    char *copy = strdup(doc);
    if (copy)
        t->d[t->n++] = (ldoc){.doc = copy, .strength = 1, .at = at, .resolutions = 1};
}

int rx_learned_observe(rx_assist *a, const rx_analyzer *an, const rx_signal *s)
{
    cJSON *docs = s->doc_ids ? cJSON_Parse(s->doc_ids) : NULL;
    const char *text = s->lookups && *s->lookups ? s->lookups : s->content;
    if (!cJSON_IsArray(docs) || !cJSON_GetArraySize(docs) || !text) {
        cJSON_Delete(docs);
        return RX_OK;
    }
    rx_strmap bag = {0};
    int rc = terms_of(&bag, an, text);
    for (size_t i = 0; rc == RX_OK && i < bag.count && i < MAX_TERMS_PER_CALL; i++) {
        const cJSON *d;
        cJSON_ArrayForEach(d, docs) if (cJSON_IsString(d))
            learn_doc(a, bag.entries[i].key, bag.entries[i].klen, d->valuestring, s->at);
    }
    rx_strmap_free(&bag);
    cJSON_Delete(docs);
    return rc;
}

/* ---- at query time ---- */

/* The idf of a term among tickets (the classifier's vocabulary); a term no
 * ticket had is as rare as can be. */
static double term_idf(const rx_assist *a, const char *term, size_t len)
{
    const rx_strmap_entry *e = rx_strmap_get(&a->fmap, term, len);
    return rx_assist_idf(a, e ? (int)e->value : -1);
}

bool rx_assist_has_learned(rx_assist *a, const rx_analyzer *an, const char *query)
{
    rx_strmap bag = {0};
    bool any = false;
    pthread_rwlock_rdlock(&a->mu);
    if (a->nlt && terms_of(&bag, an, query) == RX_OK)
        for (size_t i = 0; !any && i < bag.count; i++) {
            const rx_strmap_entry *e =
                rx_strmap_get(&a->lmap, bag.entries[i].key, bag.entries[i].klen);
            any = e && a->lt[e->value].n > 0;
        }
    pthread_rwlock_unlock(&a->mu);
    rx_strmap_free(&bag);
    return any;
}

typedef struct {
    cJSON *hit;
    double score;
    size_t pos;
} scored;

static int by_score(const void *x, const void *y)
{
    const scored *a = x, *b = y;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return a->pos < b->pos ? -1 : 1;
}

void rx_hits_rescore(cJSON *hits, const double *factor)
{
    int n = cJSON_GetArraySize(hits);
    scored *s = n > 0 ? calloc((size_t)n, sizeof *s) : NULL;
    if (!s)
        return;
    int i = 0;
    cJSON *h;
    cJSON_ArrayForEach(h, hits)
    {
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(h, "score");
        s[i] = (scored){h, (cJSON_IsNumber(sc) ? sc->valuedouble : 0) * (factor ? factor[i] : 1),
                        (size_t)i};
        i++;
    }
    qsort(s, (size_t)n, sizeof *s, by_score);
    for (i = 0; i < n; i++) {
        if (factor && factor[s[i].pos] != 1)
            cJSON_ReplaceItemInObjectCaseSensitive(s[i].hit, "score",
                                                   cJSON_CreateNumber(s[i].score));
        cJSON_DetachItemViaPointer(hits, s[i].hit);
    }
    for (i = 0; i < n; i++)
        cJSON_AddItemToArray(hits, s[i].hit);
    free(s);
}

bool rx_assist_rerank(rx_assist *a, const rx_analyzer *an, const char *query, cJSON *hits,
                      double now)
{
    int nh = cJSON_GetArraySize(hits);
    if (nh <= 0)
        return false;
    rx_strmap bag = {0};
    rx_strmap boost = {0}; /* doc → index into share */
    double *share = calloc((size_t)nh, sizeof *share);
    bool any = false;
    if (!share)
        return false;
    const cJSON *h;
    int i = 0;
    cJSON_ArrayForEach(h, hits)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(h, "id");
        int added;
        rx_strmap_entry *e = cJSON_IsString(id) ? rx_strmap_upsert(&boost, id->valuestring,
                                                                   strlen(id->valuestring), &added)
                                                : NULL;
        if (e && added)
            e->value = (size_t)i;
        i++;
    }
    pthread_rwlock_rdlock(&a->mu);
    if (a->nlt && terms_of(&bag, an, query) == RX_OK) {
        double total = 0;
        for (size_t k = 0; k < bag.count; k++) {
            const char *t = bag.entries[k].key;
            size_t tl = bag.entries[k].klen;
            double idf = term_idf(a, t, tl);
            total += idf;
            const rx_strmap_entry *e = rx_strmap_get(&a->lmap, t, tl);
            for (size_t d = 0; e && d < a->lt[e->value].n; d++) {
                const ldoc *ld = &a->lt[e->value].d[d];
                const rx_strmap_entry *b = rx_strmap_get(&boost, ld->doc, strlen(ld->doc));
                if (b) {
                    share[b->value] += idf * bounded(decayed(ld, now));
                    any = true;
                }
            }
        }
        for (int k = 0; k < nh && total > 0; k++)
            share[k] /= total;
    }
    pthread_rwlock_unlock(&a->mu);
    if (any) {
        i = 0;
        cJSON *it;
        cJSON_ArrayForEach(it, hits)
        {
            if (share[i] > 0) {
                cJSON_DeleteItemFromObjectCaseSensitive(it, "learned");
                cJSON_AddNumberToObject(it, "learned", round(share[i] * 1000) / 1000);
            }
            share[i] = 1 + RX_LEARNED_GAIN * share[i]; /* now the factor */
            i++;
        }
        rx_hits_rescore(hits, share);
    }
    free(share);
    rx_strmap_free(&bag);
    rx_strmap_free(&boost);
    return any;
}

/* ---- what admins see and remove ---- */

typedef struct {
    const char *term;
    size_t tlen;
    const ldoc *d;
    double w;
} listed;

static int by_weight(const void *x, const void *y)
{
    double a = ((const listed *)x)->w, b = ((const listed *)y)->w;
    return a < b ? 1 : a > b ? -1 : 0;
}

cJSON *rx_assist_learned(rx_assist *a, const char *doc, double now, int limit)
{
    cJSON *out = cJSON_CreateArray();
    pthread_rwlock_rdlock(&a->mu);
    size_t n = 0, cap = 0;
    listed *l = NULL;
    bool full = false; /* out of memory: list what fits */
    for (size_t i = 0; i < a->lmap.count && !full; i++) {
        const lterm *t = &a->lt[a->lmap.entries[i].value];
        for (size_t k = 0; k < t->n; k++) {
            if (doc && strcmp(doc, t->d[k].doc) != 0)
                continue;
            if (n == cap) {
                size_t grown = cap ? 2 * cap : 64;
                listed *m = realloc(l, grown * sizeof *m);
                if (!m) {
                    full = true;
                    break;
                }
                l = m;
                cap = grown;
            }
            l[n++] = (listed){a->lmap.entries[i].key, a->lmap.entries[i].klen, &t->d[k],
                              bounded(decayed(&t->d[k], now))};
        }
    }
    if (l)
        qsort(l, n, sizeof *l, by_weight);
    for (size_t i = 0; out && i < n && (int)i < limit; i++) {
        cJSON *o = cJSON_CreateObject();
        char term[256], when[32];
        /* a concept term is "G" + its group's first term */
        snprintf(term, sizeof term, "%.*s", (int)l[i].tlen, l[i].term);
        rx_wf_time_format(when, l[i].d->at);
        cJSON_AddStringToObject(o, "term", term);
        cJSON_AddStringToObject(o, "doc", l[i].d->doc);
        cJSON_AddNumberToObject(o, "weight", round(l[i].w * 1000) / 1000);
        cJSON_AddNumberToObject(o, "resolutions", l[i].d->resolutions);
        cJSON_AddStringToObject(o, "last", when);
        cJSON_AddItemToArray(out, o);
    }
    pthread_rwlock_unlock(&a->mu);
    free(l);
    return out;
}

int rx_assist_forget(rx_assist *a, const char *doc, const char *term, const char *by, double now)
{
    int removed = 0, rc = RX_OK;
    pthread_rwlock_wrlock(&a->mu);
    sqlite3_stmt *st = NULL;
    if (a->db && sqlite3_prepare_v2(a->db,
                                    "INSERT OR REPLACE INTO assist_forgotten(term, doc, by, at) "
                                    "VALUES(?, ?, ?, ?)",
                                    -1, &st, NULL) != SQLITE_OK)
        rc = rx_store_fail(a->db, "assist: forget");
    if (a->db && rc == RX_OK)
        sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    for (size_t i = 0; rc == RX_OK && i < a->lmap.count; i++) {
        const rx_strmap_entry *e = &a->lmap.entries[i];
        if (term && (strlen(term) != e->klen || memcmp(term, e->key, e->klen) != 0))
            continue;
        lterm *t = &a->lt[e->value];
        for (size_t k = 0; k < t->n;) {
            if (strcmp(t->d[k].doc, doc) != 0) {
                k++;
                continue;
            }
            char key[512];
            size_t kn = forgotten_key(key, sizeof key, e->key, e->klen, doc);
            int added;
            rx_strmap_upsert(&a->forgotten, key, kn, &added);
            if (st) {
                sqlite3_reset(st);
                sqlite3_bind_text(st, 1, e->key, (int)e->klen, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 2, doc, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(st, 3, by ? by : "", -1, SQLITE_TRANSIENT);
                sqlite3_bind_double(st, 4, now);
                if (sqlite3_step(st) != SQLITE_DONE) {
                    rc = rx_store_fail(a->db, "assist: forget");
                    break;
                }
            }
            free(t->d[k].doc);
            t->d[k] = t->d[--t->n];
            removed++;
        }
    }
    if (a->db && st) {
        if (rc == RX_OK && sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            rc = rx_store_fail(a->db, "assist: forget");
        if (rc != RX_OK)
            sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(st);
    pthread_rwlock_unlock(&a->mu);
    if (rc == RX_OK && !removed)
        rc = rx_fail(RX_ENOTFOUND, "not_found", "文档 %.*s 没有学到的检索词%s%.*s",
                     rx_utf8_clip(doc, 64), doc, term ? "：" : "",
                     term ? rx_utf8_clip(term, 64) : 0, term ? term : "");
    return rc;
}
