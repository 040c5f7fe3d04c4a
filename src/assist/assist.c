/* The assist model's life: creation, learning from the event log, and the
 * suggestion for one ticket (model.c holds the classifier). */
#include "model.h"

#include "rexian/error.h"
#include "rexian/util.h"

#include <stdlib.h>
#include <string.h>

int rx_assist_new(rx_assist **out, sqlite3 *db)
{
    *out = NULL;
    rx_assist *a = calloc(1, sizeof *a);
    if (!a)
        return rx_error_set(RX_ENOMEM, "out of memory");
    pthread_rwlock_init(&a->mu, NULL);
    pthread_mutex_init(&a->sync_mu, NULL);
    pthread_mutex_init(&a->fit_mu, NULL);
    a->db = db;
    a->cache_ticket = -1;
    a->cname[LOCAL] = strdup("属地");
    a->nc = 1;
    int rc = a->cname[LOCAL] ? rx_learned_open(a) : rx_error_set(RX_ENOMEM, "out of memory");
    if (rc != RX_OK) {
        rx_assist_free(a);
        return rc;
    }
    *out = a;
    return RX_OK;
}

void rx_assist_free(rx_assist *a)
{
    if (!a)
        return;
    rx_assist_clear_corpus(a);
    for (size_t i = 0; i < a->nf; i++)
        free(a->f[i].e);
    free(a->f);
    rx_strmap_free(&a->fmap);
    rx_strmap_free(&a->cmap);
    for (size_t c = 0; c < a->nc; c++)
        free(a->cname[c]);
    free(a->cache_ids);
    rx_learned_free(a);
    rx_linear_store_free(&a->lr_tickets);
    rx_linear_free(a->lr);
    pthread_rwlock_destroy(&a->mu);
    pthread_mutex_destroy(&a->sync_mu);
    pthread_mutex_destroy(&a->fit_mu);
    free(a);
}

/* Learns one event; the caller holds the write lock. Consecutive events
 * of one ticket (dispatch, accept, approve) share its analysed text. */
static int observe_locked(rx_assist *a, const rx_analyzer *an, const rx_signal *s)
{
    int rc = RX_OK;
    if (!strcmp(s->action, "resolve_first_contact")) {
        rc = rx_learned_observe(a, an, s);
    } else if (s->content) {
        if (s->ticket != a->cache_ticket) {
            free(a->cache_ids);
            a->cache_ids = NULL;
            a->cache_ticket = -1;
            if ((rc = rx_assist_features(a, an, s->content, s->address, true, &a->cache_ids,
                                         &a->cache_n, &a->cache_cues)) != RX_OK)
                return rc;
            a->cache_ticket = s->ticket;
        }
        rc = rx_assist_learn(a, s, a->cache_ids, a->cache_n, a->cache_cues);
    }
    a->events++;
    if (s->event > a->last_event)
        a->last_event = s->event;
    return rc;
}

int rx_assist_observe(rx_assist *a, const rx_analyzer *an, const rx_signal *s)
{
    pthread_rwlock_wrlock(&a->mu);
    int rc = observe_locked(a, an, s);
    pthread_rwlock_unlock(&a->mu);
    return rc;
}

typedef struct {
    rx_assist *a;
    const rx_analyzer *an;
    long applied;
} sync_ctx;

static int sync_one(void *ctx, const rx_signal *s)
{
    sync_ctx *c = ctx;
    c->applied++;
    return observe_locked(c->a, c->an, s);
}

int rx_assist_sync(rx_assist *a, rx_tickets *t, const rx_analyzer *an, int max, long *applied)
{
    if (applied)
        *applied = 0;
    if (pthread_mutex_trylock(&a->sync_mu) != 0)
        return RX_OK; /* another thread is learning */
    long long last, newest = rx_tickets_last_event(t);
    pthread_rwlock_rdlock(&a->mu);
    long long after = a->last_event, scanned = a->scanned;
    pthread_rwlock_unlock(&a->mu);
    if (newest >= 0 && newest <= scanned) { /* nothing new: no write lock */
        pthread_mutex_unlock(&a->sync_mu);
        return RX_OK;
    }
    sync_ctx c = {a, an, 0};
    /* the store is read under the write lock: a batch is a few thousand
     * events at most, and learning them is most of the time */
    pthread_rwlock_wrlock(&a->mu);
    int rc = rx_tickets_signals(t, after, max, sync_one, &c, &last);
    if (rc == RX_OK && c.applied < max && newest > a->scanned)
        a->scanned = newest; /* read to the end: events up to newest are all seen */
    pthread_rwlock_unlock(&a->mu);
    pthread_mutex_unlock(&a->sync_mu);
    if (applied)
        *applied = c.applied;
    return rc;
}

void rx_assist_progress(rx_assist *a, long long *events, long long *last)
{
    pthread_rwlock_rdlock(&a->mu);
    *events = a->events;
    *last = a->last_event;
    pthread_rwlock_unlock(&a->mu);
}

int rx_assist_suggest(rx_assist_hint *out, rx_assist *a, const rx_analyzer *an,
                      const rx_assist_input *in, unsigned method)
{
    int *ids = NULL;
    size_t n = 0;
    unsigned cues = 0;
    pthread_rwlock_rdlock(&a->mu);
    int rc = rx_assist_features(a, an, in->content, in->address, false, &ids, &n, &cues);
    if (rc == RX_OK)
        rc = rx_assist_suggest_locked(out, a, ids, n, cues, in, method);
    pthread_rwlock_unlock(&a->mu);
    free(ids);
    return rc;
}

/* Two Han characters (3-byte UTF-8 each): what the ticket search indexes. */
static bool han_bigram(const char *s, size_t len)
{
    return len == 6 && (unsigned char)s[0] >= 0xE3 && (unsigned char)s[0] <= 0xE9 &&
           (unsigned char)s[3] >= 0xE3 && (unsigned char)s[3] <= 0xE9;
}

typedef struct {
    const char *term;
    size_t len;
    double idf;
} telling;

static int by_idf(const void *x, const void *y)
{
    double a = ((const telling *)x)->idf, b = ((const telling *)y)->idf;
    return a < b ? 1 : a > b ? -1 : 0;
}

#define SIMILAR_TERMS 10
#define SIMILAR_BUDGET 1000 /* tickets of the window the OR'ed bigrams may occur in, in all */
#define SIMILAR_LOOKS 16    /* bigrams counted at most */
/* the latest tickets looked among: reading the posting lists of a year at
 * a million tickets costs more than a call-taker should wait, and the
 * classifier has all of history anyway */
#define SIMILAR_WINDOW 200000

/* The query's telling bigrams, rarest first (*n of them; caller frees). */
static telling *telling_terms(rx_assist *a, rx_strmap *bag, const char *text, size_t *n)
{
    *n = 0;
    rx_analyzer fa = {.flags = RX_AN_BIGRAM};
    if (rx_analyze_text(bag, &fa, text, strlen(text), 1) != RX_OK)
        return NULL;
    telling *t = calloc(bag->count + 1, sizeof *t);
    pthread_rwlock_rdlock(&a->mu);
    for (size_t i = 0; t && i < bag->count; i++) {
        const rx_strmap_entry *e = &bag->entries[i];
        if (!han_bigram(e->key, e->klen))
            continue;
        const rx_strmap_entry *f = rx_strmap_get(&a->fmap, e->key, e->klen);
        if (!f || a->f[f->value].df <= 0)
            continue;
        t[(*n)++] = (telling){e->key, e->klen, rx_assist_idf(a, (int)f->value)};
    }
    pthread_rwlock_unlock(&a->mu);
    if (t)
        qsort(t, *n, sizeof *t, by_idf);
    return t;
}

/* The rarest bigrams the store has seen say what the matter is. FTS5
 * reads the whole posting list of every term it is asked, so they are
 * taken rarest first while the tickets they occur in (counted in the case
 * index itself, anywhere in a ticket's text: 满意 is rare in callers' words
 * but in every other callback note) stay within a budget. */
static int similar_match(char **out, rx_tickets *store, const telling *t, size_t n, long long since)
{
    *out = NULL;
    rx_buf b = {0};
    rx_buf_puts(&b, "body : (");
    long long spent = 0;
    size_t taken = 0;
    for (size_t i = 0; i < n && taken < SIMILAR_TERMS && i < SIMILAR_LOOKS; i++) {
        long long docs;
        /* counted no further than the budget left (the first two may
         * spend up to a whole budget each), so that counting costs no more
         * than the lookup would */
        long long left = taken < 2 ? SIMILAR_BUDGET : SIMILAR_BUDGET - spent;
        if (left <= 0)
            break;
        int rc = rx_tickets_term_docs(store, t[i].term, t[i].len, since, (int)left + 1, &docs);
        if (rc != RX_OK) {
            rx_buf_free(&b);
            return rc;
        }
        if (docs > left && taken >= 2)
            break; /* the rest are commoner still, by the model's count */
        if (docs > left || docs == 0)
            continue; /* one of the first two that is common in the store */
        spent += docs;
        rx_buf_printf(&b, "%s\"%.*s\"", taken++ ? " OR " : "", (int)t[i].len, t[i].term);
    }
    rx_buf_puts(&b, ")");
    if (!taken) {
        rx_buf_free(&b);
        return RX_OK;
    }
    if (!b.data)
        return rx_error_set(RX_ENOMEM, "out of memory");
    *out = b.data;
    return RX_OK;
}

int rx_assist_similar(cJSON **out, rx_assist *a, rx_tickets *store, const char *text,
                      const char *exclude_id, int limit)
{
    *out = NULL;
    rx_strmap bag = {0};
    size_t n = 0;
    telling *t = telling_terms(a, &bag, text, &n);
    int rc = RX_OK;
    if (t && n) {
        char *q = NULL;
        long long last = rx_tickets_count(store);
        long long since = last > SIMILAR_WINDOW ? last - SIMILAR_WINDOW : 0;
        rc = similar_match(&q, store, t, n, since);
        if (rc == RX_OK && q)
            rc = rx_tickets_similar(out, store, q, exclude_id, since, limit);
        free(q);
    }
    free(t);
    rx_strmap_free(&bag);
    if (rc == RX_OK && !*out)
        *out = cJSON_CreateArray();
    return rc;
}
