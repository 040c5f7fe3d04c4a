/* 知识缺口: the queries call-takers typed that the knowledge base did not
 * answer (no confident first hit) or whose tickets were not resolved in
 * the call, grouped by similar wording (a Jaccard of at least 0.5 on their
 * terms once synonyms are folded, or on their characters' bigrams), most
 * failures first: what the admins should write next. */
#include "analysis.h"

#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/strmap.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANDIDATES 1000 /* queries grouped, the most failing first */
#define JACCARD 0.5
#define MAX_BIGRAMS 64
#define VARIANTS 5

static int oom(void)
{
    return rx_error_set(RX_ENOMEM, "out of memory");
}

typedef struct {
    long long id;
    long searches, unconfident, tickets, resolved, failures;
    char *text, *key, *best;
    uint64_t bigrams[MAX_BIGRAMS]; /* the key's character bigrams, sorted */
    int nbigrams;
    long group; /* index of its group's leader */
} query;

static int by_failures(const void *a, const void *b)
{
    const query *x = a, *y = b;
    if (x->failures != y->failures)
        return x->failures < y->failures ? 1 : -1;
    if (x->tickets != y->tickets)
        return x->tickets < y->tickets ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The query's character bigrams as typed (spaces ignored). */
static void bigrams(query *q)
{
    uint32_t prev = 0;
    q->nbigrams = 0;
    size_t len = strlen(q->text);
    for (size_t k = 0; k < len && q->nbigrams < MAX_BIGRAMS;) {
        uint32_t cp;
        k += rx_utf8_next(q->text + k, len - k, &cp);
        if (cp == ' ')
            continue;
        if (prev)
            q->bigrams[q->nbigrams++] = (uint64_t)prev << 32 | cp;
        prev = cp;
    }
    if (q->nbigrams > 1)
        qsort(q->bigrams, (size_t)q->nbigrams, sizeof q->bigrams[0], cmp_u64);
    int w = 0;
    for (int k = 0; k < q->nbigrams; k++)
        if (!w || q->bigrams[w - 1] != q->bigrams[k])
            q->bigrams[w++] = q->bigrams[k];
    q->nbigrams = w;
}

/* The Jaccard of two keys' terms (synonyms folded: 噪音 is 噪声). */
static double term_jaccard(const char *a, const char *b)
{
    int common = 0, na = 0, nb = 0;
    for (const char *p = a; *p;) {
        size_t len = strcspn(p, " ");
        na++;
        for (const char *q = b; *q;) {
            size_t l2 = strcspn(q, " ");
            if (l2 == len && !memcmp(p, q, len)) {
                common++;
                break;
            }
            q += l2 + (q[l2] == ' ');
        }
        p += len + (p[len] == ' ');
    }
    for (const char *q = b; *q;) {
        size_t l2 = strcspn(q, " ");
        nb++;
        q += l2 + (q[l2] == ' ');
    }
    int uni = na + nb - common;
    return uni > 0 ? (double)common / uni : 0;
}

static double jaccard(const query *a, const query *b)
{
    int i = 0, j = 0, common = 0;
    while (i < a->nbigrams && j < b->nbigrams) {
        if (a->bigrams[i] == b->bigrams[j])
            common++, i++, j++;
        else if (a->bigrams[i] < b->bigrams[j])
            i++;
        else
            j++;
    }
    int uni = a->nbigrams + b->nbigrams - common;
    return uni ? (double)common / uni : 0;
}

static char *dup_text(sqlite3_stmt *st, int col)
{
    const char *v = (const char *)sqlite3_column_text(st, col);
    return strdup(v ? v : "");
}

int rx_stats_gaps(cJSON **out, rx_stats *s, long from, long to, int limit)
{
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    query *qs = NULL;
    size_t n = 0, cap = 0;
    rx_strmap index = {0}; /* query id → index in qs */
    int rc = RX_OK;
    sqlite3_stmt *st;
    /* every (query, ticket) of the range: searches, unconfident ones, the
     * ticket resolved in the call or not */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT q.query, q.searches, q.unconfident, q.best, "
                           "  coalesce(t.flags & 1, 0) "
                           "FROM stats_query_tickets q LEFT JOIN stats_tickets t ON t.n = q.n "
                           "WHERE q.day BETWEEN ?1 AND ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        pthread_mutex_unlock(&s->mu);
        return rx_store_fail(s->db, "stats: gaps");
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    while (rc == RX_OK && sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        char key[24];
        int klen = snprintf(key, sizeof key, "%lld", id), added;
        rx_strmap_entry *m = rx_strmap_upsert(&index, key, (size_t)klen, &added);
        if (!m) {
            rc = oom();
            break;
        }
        if (added) {
            query *grown = rx_array_grow(qs, &cap, n, sizeof *qs, 256);
            if (!grown) {
                rc = oom();
                break;
            }
            qs = grown;
            qs[n] = (query){.id = id};
            m->value = n++;
        }
        query *q = &qs[m->value];
        long searches = (long)sqlite3_column_int64(st, 1);
        long unconfident = (long)sqlite3_column_int64(st, 2);
        bool resolved = sqlite3_column_int(st, 4) != 0;
        /* qs grows with the map; NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
        q->searches += searches;
        q->tickets++;
        q->unconfident += unconfident > 0;
        q->resolved += resolved;
        q->failures += unconfident > 0 || !resolved;
        if (!q->best || !*q->best) {
            free(q->best);
            q->best = dup_text(st, 3);
        }
    }
    sqlite3_finalize(st);
    rx_strmap_free(&index);
    /* the most failing candidates, with their text */
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (qs[k].failures > 0)
            qs[m++] = qs[k];
        else
            free(qs[k].best);
    n = m;
    if (n > 1) /* qs may be NULL when there is none */
        qsort(qs, n, sizeof *qs, by_failures);
    if (n > CANDIDATES) {
        for (size_t k = CANDIDATES; k < n; k++)
            free(qs[k].best);
        n = CANDIDATES;
    }
    st = NULL;
    if (rc == RX_OK && sqlite3_prepare_v2(s->db, "SELECT text, key FROM stats_queries WHERE id = ?",
                                          -1, &st, NULL) != SQLITE_OK)
        rc = rx_store_fail(s->db, "stats: gaps");
    for (size_t k = 0; rc == RX_OK && k < n; k++) {
        sqlite3_bind_int64(st, 1, qs[k].id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            qs[k].text = dup_text(st, 0);
            qs[k].key = dup_text(st, 1);
        } else {
            qs[k].text = strdup("");
            qs[k].key = strdup("");
        }
        sqlite3_reset(st);
        if (!qs[k].text || !qs[k].key)
            rc = oom();
        else
            bigrams(&qs[k]);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    /* leaders: a query joins the most similar earlier leader (the same
     * terms, or bigram Jaccard ≥ JACCARD), else leads its own group */
    size_t *leaders = rc == RX_OK ? malloc((n ? n : 1) * sizeof *leaders) : NULL;
    size_t nleaders = 0;
    if (rc == RX_OK && !leaders)
        rc = oom();
    for (size_t k = 0; rc == RX_OK && k < n; k++) {
        double best = 0;
        long to_group = -1;
        for (size_t j = 0; j < nleaders; j++) {
            const query *l = &qs[leaders[j]];
            double sim = term_jaccard(l->key, qs[k].key), chars = jaccard(l, &qs[k]);
            if (chars > sim)
                sim = chars;
            if (sim >= JACCARD && sim > best) {
                best = sim;
                to_group = (long)leaders[j];
            }
        }
        if (to_group < 0) {
            qs[k].group = (long)k;
            leaders[nleaders++] = k;
        } else {
            qs[k].group = to_group;
        }
    }
    cJSON *o = NULL;
    if (rc == RX_OK) {
        o = cJSON_CreateObject();
        char d[11];
        rx_date_format(d, from);
        cJSON_AddStringToObject(o, "from", d);
        rx_date_format(d, to);
        cJSON_AddStringToObject(o, "to", d);
        cJSON *arr = cJSON_AddArrayToObject(o, "queries");
        /* groups in the order of their summed failures */
        long *fail = calloc(n ? n : 1, sizeof *fail);
        for (size_t k = 0; fail && k < n; k++)
            fail[qs[k].group] += qs[k].failures;
        for (int shown = 0; fail && shown < limit;) {
            long top = -1;
            for (size_t j = 0; j < nleaders; j++)
                if (fail[leaders[j]] > 0 && (top < 0 || fail[leaders[j]] > fail[top]))
                    top = (long)leaders[j];
            if (top < 0)
                break;
            long tickets = 0, resolved = 0, unconfident = 0, searches = 0;
            cJSON *g = cJSON_CreateObject(), *variants = cJSON_CreateArray();
            for (size_t k = 0; k < n; k++) {
                if (qs[k].group != top)
                    continue;
                tickets += qs[k].tickets;
                resolved += qs[k].resolved;
                unconfident += qs[k].unconfident;
                searches += qs[k].searches;
                if ((long)k != top && cJSON_GetArraySize(variants) < VARIANTS)
                    cJSON_AddItemToArray(variants, cJSON_CreateString(qs[k].text));
            }
            cJSON_AddStringToObject(g, "query", qs[top].text);
            cJSON_AddNumberToObject(g, "count", (double)tickets);
            cJSON_AddNumberToObject(g, "resolved", (double)resolved);
            cJSON_AddNumberToObject(g, "resolved_rate", tickets ? (double)resolved / tickets : 0);
            cJSON_AddNumberToObject(g, "unconfident", (double)unconfident);
            cJSON_AddNumberToObject(g, "searches", (double)searches);
            cJSON_AddNumberToObject(g, "failures", (double)fail[top]);
            if (qs[top].best && *qs[top].best)
                cJSON_AddStringToObject(g, "best_hit", qs[top].best);
            else
                cJSON_AddNullToObject(g, "best_hit");
            cJSON_AddItemToObject(g, "variants", variants);
            cJSON_AddItemToArray(arr, g);
            fail[top] = 0;
            shown++;
        }
        if (!fail)
            rc = oom();
        free(fail);
    }
    for (size_t k = 0; k < n; k++) {
        free(qs[k].text);
        free(qs[k].key);
        free(qs[k].best);
    }
    free(qs);
    free(leaders);
    if (rc != RX_OK) {
        cJSON_Delete(o);
        return rc;
    }
    *out = o;
    return RX_OK;
}
