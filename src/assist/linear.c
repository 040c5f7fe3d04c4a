/* The linear classifier beside naive Bayes: a multinomial logistic
 * regression over the same features (bigrams, synonym concepts, cues and
 * the address's kind), fitted by stochastic gradient descent on the kept
 * dispatches and the duty lines (docs/ASSIST.md, "Methods compared").
 *
 * Naive Bayes counts, so it learns each event as it comes; a logistic
 * regression needs several passes over its examples, so it is refit in
 * the background: the learner keeps the newest kept dispatches, and a
 * refit copies them and the duty lines under the read lock, fits the copy with no lock held and
 * swaps the new weights in under the write lock. Suggestions read the
 * last fit until the next one is in. */
#include "model.h"

#include "rexian/error.h"
#include "rexian/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LR_KEEP 300000 /* ticket examples kept for the refit: the newest */
#define LR_EPOCHS 5
#define LR_RATE 0.5      /* the step, divided by 1 + the epoch */
#define LR_BIAS_RATE 0.1 /* the biases move slower: the prior is not the matter */

static int store_add(lr_store *s, const int *ids, size_t n, int cls, double w)
{
    lr_item *items = rx_array_grow(s->items, &s->cap, s->n, sizeof *items, 1024);
    if (!items)
        return rx_error_set(RX_ENOMEM, "out of memory");
    s->items = items;
    if (s->nids + n > s->capids) {
        size_t cap = s->capids ? 2 * s->capids : 16384;
        while (cap < s->nids + n)
            cap *= 2;
        int *p = realloc(s->ids, cap * sizeof *p);
        if (!p)
            return rx_error_set(RX_ENOMEM, "out of memory");
        s->ids = p;
        s->capids = cap;
    }
    if (n)
        memcpy(s->ids + s->nids, ids, n * sizeof *ids);
    s->items[s->n++] = (lr_item){.off = s->nids, .n = n, .cls = cls, .w = (float)w};
    s->nids += n;
    return RX_OK;
}

/* Drops the oldest examples, keeping the newest keep. */
static void store_trim(lr_store *s, size_t keep)
{
    if (s->n <= keep)
        return;
    size_t drop = s->n - keep, from = s->items[drop].off;
    memmove(s->ids, s->ids + from, (s->nids - from) * sizeof *s->ids);
    s->nids -= from;
    memmove(s->items, s->items + drop, keep * sizeof *s->items);
    s->n = keep;
    for (size_t i = 0; i < keep; i++)
        s->items[i].off -= from;
}

void rx_linear_store_free(lr_store *s)
{
    free(s->ids);
    free(s->items);
    memset(s, 0, sizeof *s);
}

int rx_linear_add(rx_assist *a, const int *ids, size_t n, int cls, double w)
{
    lr_store *s = &a->lr_tickets;
    int rc = store_add(s, ids, n, cls, w);
    if (rc != RX_OK)
        return rc;
    a->lr_seen++;
    /* a quarter more before trimming: the move is paid for rarely */
    if (s->n > LR_KEEP + LR_KEEP / 4)
        store_trim(s, LR_KEEP);
    return RX_OK;
}

void rx_linear_free(lr_model *m)
{
    if (m)
        free(m->w);
    free(m);
}

void rx_linear_posterior(const lr_model *m, const int *ids, size_t n, double *p, size_t nc)
{
    double x = n ? 1.0 / sqrt((double)n) : 0, max = -INFINITY, sum = 0;
    for (size_t c = 0; c < nc; c++)
        p[c] = 0;
    for (size_t c = 0; c < m->nc && c < nc; c++) {
        double s = m->b[c];
        for (size_t i = 0; i < n; i++)
            if ((size_t)ids[i] < m->nf) /* a feature first seen after the fit */
                s += m->w[(size_t)ids[i] * m->nc + c] * x;
        p[c] = s;
        if (s > max)
            max = s;
    }
    for (size_t c = 0; c < m->nc && c < nc; c++)
        sum += (p[c] = exp(p[c] - max));
    for (size_t c = 0; c < m->nc && c < nc; c++)
        p[c] /= sum;
}

/* One example's gradient step: softmax cross-entropy, weighted. */
static void step(lr_model *m, const int *ids, size_t n, int cls, double w, double rate)
{
    double p[MAX_CLASSES], x = 1.0 / sqrt((double)n);
    rx_linear_posterior(m, ids, n, p, m->nc);
    for (size_t c = 0; c < m->nc; c++) {
        double g = (p[c] - (cls == (int)c)) * w * rate;
        m->b[c] -= (float)(g * LR_BIAS_RATE);
        for (size_t i = 0; i < n; i++)
            m->w[(size_t)ids[i] * m->nc + c] -= (float)(g * x);
    }
}

/* Fits a model over nf features and nc classes to the examples of the
 * two stores (duties first, then tickets), in a fixed shuffled order each
 * pass, so that the same examples give the same weights. */
static lr_model *fit(const lr_store *duties, const lr_store *tickets, size_t nf, size_t nc)
{
    size_t total = duties->n + tickets->n;
    lr_model *m = calloc(1, sizeof *m);
    size_t *order = malloc((total ? total : 1) * sizeof *order);
    if (m)
        m->w = calloc(nf * nc > 0 ? nf * nc : 1, sizeof *m->w);
    if (!m || !m->w || !order) {
        rx_linear_free(m);
        free(order);
        return NULL;
    }
    m->nf = nf;
    m->nc = nc;
    for (size_t i = 0; i < total; i++)
        order[i] = i;
    uint64_t r = 0x9E3779B97F4A7C15ULL; /* xorshift64 */
    for (int epoch = 0; epoch < LR_EPOCHS; epoch++) {
        for (size_t i = total; i > 1; i--) {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            size_t j = (size_t)(r % i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        double rate = LR_RATE / (1 + epoch);
        for (size_t k = 0; k < total; k++) {
            const lr_store *s = order[k] < duties->n ? duties : tickets;
            const lr_item *e = &s->items[order[k] < duties->n ? order[k] : order[k] - duties->n];
            if (e->n && e->cls >= 0 && (size_t)e->cls < nc && e->w > 0)
                step(m, s->ids + e->off, e->n, e->cls, e->w, rate);
        }
    }
    free(order);
    return m;
}

/* The duty lines as examples: what the model already holds for naive
 * Bayes, copied for a fit. */
static int duties_copy(lr_store *to, const rx_assist *a)
{
    memset(to, 0, sizeof *to);
    int rc = RX_OK;
    for (size_t i = 0; i < a->nduties && rc == RX_OK; i++)
        rc = store_add(to, a->duties[i].feats, a->duties[i].nfeats, a->duties[i].cls, DUTY_WEIGHT);
    return rc;
}

static int store_copy(lr_store *to, const lr_store *from)
{
    memset(to, 0, sizeof *to);
    to->items = malloc((from->n ? from->n : 1) * sizeof *to->items);
    to->ids = malloc((from->nids ? from->nids : 1) * sizeof *to->ids);
    if (!to->items || !to->ids) {
        rx_linear_store_free(to);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    if (from->n) /* an empty store has no arrays to copy from */
        memcpy(to->items, from->items, from->n * sizeof *to->items);
    if (from->nids)
        memcpy(to->ids, from->ids, from->nids * sizeof *to->ids);
    to->n = to->cap = from->n;
    to->nids = to->capids = from->nids;
    return RX_OK;
}

int rx_assist_refit(rx_assist *a, long min_new, bool *done)
{
    if (done)
        *done = false;
    if (pthread_mutex_trylock(&a->fit_mu) != 0)
        return RX_OK; /* a refit is under way */
    double t0 = rx_now();
    pthread_rwlock_rdlock(&a->mu);
    bool due = (a->nduties || a->lr_tickets.n) &&
               (!a->lr || a->lr_fit_generation != a->generation ||
                a->lr_seen - a->lr_fit_seen >= (long long)(min_new > 0 ? min_new : 1));
    lr_store duties = {0}, tickets = {0};
    long long seen = a->lr_seen;
    long generation = a->generation;
    size_t nf = a->nf, nc = a->nc;
    int rc = due ? duties_copy(&duties, a) : RX_OK;
    if (due && rc == RX_OK)
        rc = store_copy(&tickets, &a->lr_tickets);
    pthread_rwlock_unlock(&a->mu);
    lr_model *m = NULL;
    if (due && rc == RX_OK) {
        m = fit(&duties, &tickets, nf, nc);
        if (!m)
            rc = rx_error_set(RX_ENOMEM, "out of memory fitting the linear classifier");
        else
            m->examples = duties.n + tickets.n;
    }
    rx_linear_store_free(&duties);
    rx_linear_store_free(&tickets);
    if (m) {
        m->seconds = rx_now() - t0;
        pthread_rwlock_wrlock(&a->mu);
        lr_model *old = a->lr;
        a->lr = m;
        a->lr_fit_seen = seen;
        a->lr_fit_generation = generation;
        pthread_rwlock_unlock(&a->mu);
        rx_linear_free(old);
        if (done)
            *done = true;
    }
    pthread_mutex_unlock(&a->fit_mu);
    return rc;
}

void rx_assist_fit_info(rx_assist *a, size_t *examples, double *seconds)
{
    pthread_rwlock_rdlock(&a->mu);
    *examples = a->lr ? a->lr->examples : 0;
    *seconds = a->lr ? a->lr->seconds : 0;
    pthread_rwlock_unlock(&a->mu);
}
