/* Knowledge-base queries: plan the query, run it through the shim, decode
 * the records and build the API's hit objects with snippets and facets. */
#include "rexian/kb.h"
#include "rexian/analyzer.h"
#include "rexian/corpus.h"
#include "rexian/error.h"
#include "rexian/record.h"
#include "rexian/related.h"
#include "rexian/search.h"
#include "rexian/snippet.h"
#include "rexian/synonyms.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIMIT 100
#define MAX_QUERY_BYTES 1024
#define SNIPPET_CHARS 80
/* facet counts are over at least the 100 best matches: what the call-taker
 * narrows down, without walking every weak OR match of a spoken query */
#define FACET_SAMPLE 100
#define RERANK_DEPTH 20
/* a tie-breaker: 0.05–0.1 sit on a plateau, 0.15 and up let FAQ questions
 * crowd out guides (docs/RELEVANCE.md) */
#define TITLE_BOOST 0.1
/* An FAQ row answers the one question it asks: when its question holds
 * little of what the caller asked, its match is on shared everyday words
 * (丢了, 怎么办, 要办什么手续), and a guide or another row that names the
 * matter should come first (docs/RELEVANCE.md, "FAQ rows answer one
 * question") */
#define FAQ_NARROW 0.7

struct rx_kb {
    rx_index *ix;
    rx_synonyms *synonyms;
    rx_related *related;
    rx_departments *departments;
    rx_duties *duties;
    unsigned analyzer;
    long generation;
};

static int load_config(rx_kb *kb)
{
    char *syn = NULL, *dep = NULL, *an = NULL, *gen = NULL, *rel = NULL, *dut = NULL;
    rx_synonyms *s = NULL;
    rx_departments *d = NULL;
    rx_duties *du = NULL;
    rx_related *r = NULL;
    int rc;
    if ((rc = rx_index_meta(kb->ix, RX_META_SYNONYMS, &syn)) ||
        (rc = rx_index_meta(kb->ix, RX_META_RELATED, &rel)) ||
        (rc = rx_index_meta(kb->ix, RX_META_DEPARTMENTS, &dep)) ||
        (rc = rx_index_meta(kb->ix, RX_META_DUTIES, &dut)) ||
        (rc = rx_index_meta(kb->ix, RX_META_ANALYZER, &an)) ||
        (rc = rx_index_meta(kb->ix, RX_META_GENERATION, &gen)))
        goto done;
    rx_diags diags = {0};
    if ((rc = rx_synonyms_parse(&s, syn, strlen(syn), NULL, NULL)) ||
        (rc = rx_related_parse(&r, rel, strlen(rel), NULL, NULL)) ||
        (rc = rx_departments_parse(&d, "departments", dep, strlen(dep), &diags)) ||
        (rc = rx_duties_parse(&du, "duties", dut, strlen(dut), d, &diags))) {
        rx_diags_free(&diags);
        goto done;
    }
    rx_diags_free(&diags);
    rx_synonyms_free(kb->synonyms);
    rx_related_free(kb->related);
    rx_departments_free(kb->departments);
    kb->synonyms = s;
    kb->related = r;
    kb->departments = d;
    rx_duties_free(kb->duties);
    kb->duties = du;
    du = NULL;
    s = NULL;
    r = NULL;
    d = NULL;
    kb->analyzer = *an ? (unsigned)strtoul(an, NULL, 10) : RX_AN_DEFAULT;
    kb->generation = strtol(gen, NULL, 10);
done:
    rx_synonyms_free(s);
    rx_related_free(r);
    rx_departments_free(d);
    rx_duties_free(du);
    free(dut);
    free(rel);
    free(syn);
    free(dep);
    free(an);
    free(gen);
    return rc;
}

int rx_kb_open(rx_kb **out, const char *index_path)
{
    *out = NULL;
    rx_kb *kb = calloc(1, sizeof *kb);
    if (!kb)
        return rx_error_set(RX_ENOMEM, "out of memory");
    int rc = rx_index_open(&kb->ix, index_path);
    if (rc == RX_OK)
        rc = load_config(kb);
    if (rc != RX_OK) {
        rx_kb_free(kb);
        return rc;
    }
    *out = kb;
    return RX_OK;
}

void rx_kb_free(rx_kb *kb)
{
    if (!kb)
        return;
    rx_index_free(kb->ix);
    rx_synonyms_free(kb->synonyms);
    rx_related_free(kb->related);
    rx_departments_free(kb->departments);
    rx_duties_free(kb->duties);
    free(kb);
}

int rx_kb_refresh(rx_kb *kb)
{
    bool changed = false;
    int rc = rx_index_refresh(kb->ix, &changed);
    if (rc == RX_OK && changed)
        rc = load_config(kb);
    return rc;
}

size_t rx_kb_doccount(rx_kb *kb)
{
    return rx_index_doccount(kb->ix);
}

long rx_kb_generation(rx_kb *kb)
{
    return kb->generation;
}

static cJSON *str_or_null(const char *s, size_t n)
{
    if (!n)
        return cJSON_CreateNull();
    char *c = malloc(n + 1);
    if (!c)
        return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    cJSON *j = cJSON_CreateString(c);
    free(c);
    return j;
}

static cJSON *field(const rx_record *r, int k)
{
    return str_or_null(r->f[k], r->len[k]);
}

static cJSON *hit_json(const rx_record *r, double score, const rx_query_plan *plan)
{
    cJSON *h = cJSON_CreateObject();
    rx_buf snip = {0};
    rx_snippet(&snip, r->f[RX_REC_PLAIN], r->len[RX_REC_PLAIN], plan, SNIPPET_CHARS);
    cJSON_AddItemToObject(h, "id", field(r, RX_REC_ID));
    cJSON_AddItemToObject(h, "title", field(r, RX_REC_TITLE));
    cJSON_AddItemToObject(h, "department", field(r, RX_REC_DEPARTMENT));
    cJSON_AddItemToObject(h, "type", field(r, RX_REC_TYPE));
    cJSON_AddNumberToObject(h, "score", (double)(long)(score * 1000 + 0.5) / 1000);
    cJSON_AddStringToObject(h, "snippet", snip.data ? snip.data : "");
    cJSON_AddItemToObject(h, "effective", field(r, RX_REC_EFFECTIVE));
    cJSON_AddItemToObject(h, "expires", field(r, RX_REC_EXPIRES));
    rx_buf_free(&snip);
    return h;
}

static cJSON *facet_json(const rx_facet *f, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t k = 0; k < n; k++)
        cJSON_AddNumberToObject(o, f[k].value, (double)f[k].count);
    return o;
}

static bool valid_type(const char *t)
{
    return !strcmp(t, "policy") || !strcmp(t, "guide") || !strcmp(t, "notice") || !strcmp(t, "faq");
}

/* Share of the query's content bigrams that the title contains: a title
 * that names what the caller asked for outranks one that merely shares
 * words (a county's version of a city guide, an FAQ mentioning it). */
static double title_coverage(const rx_query_plan *plan, const char *title, size_t len)
{
    char *norm;
    size_t nlen;
    if (rx_text_normalize(&norm, &nlen, title, len) != RX_OK)
        return 0;
    size_t want = 0, have = 0;
    for (size_t k = 0; k < plan->nterms; k++) {
        const rx_qterm *t = &plan->terms[k];
        uint32_t a, b;
        if (t->weight < 1.0 || strlen(t->term) != 6 || rx_utf8_next(t->term, 6, &a) != 3 ||
            rx_utf8_next(t->term + 3, 3, &b) != 3 || !rx_is_han(a) || !rx_is_han(b))
            continue;
        want++;
        have += memmem(norm, nlen, t->term, 6) != NULL;
    }
    free(norm);
    /* one or two bigrams say little about a title: most candidates have them */
    return want >= 3 ? (double)have / (double)want : 0;
}

/* The shipped ranking (docs/RELEVANCE.md). */
static const rx_rank_params SHIPPED = {
    .concept_weight = 1.0,
    .anchor_boost = 0.0,
    .coord = 0.0,
    .related_weight = 0.3,
    .max_terms = 24,
    .faq_narrow = FAQ_NARROW,
};

/* Matches explained (which query terms each contains) by the search when
 * the ranking does not need them all: the first hit's features are what
 * confidence reads, and a hit the title tie-breaker moves up to first is
 * explained after re-ranking. */
#define EXPLAIN_FOR_CONFIDENCE 1

/* A concept the query names is an anchor when it is specific: in fewer than
 * this share of the documents (补办 or 办理 are concepts too, but common). */
#define ANCHOR_SHARE 0.05

/* What one of the best matches covers of the query. */
typedef struct {
    double coverage; /* share of the query's idf-weighted content terms it contains */
    double anchors;  /* share of the query's anchors (idf-weighted); 1 with none */
    double rare;     /* share of the query's RARE_TERMS rarest known content terms it contains */
} features;

#define RARE_TERMS 3

/* Per-query facts shared by every match's features. */
typedef struct {
    const rx_query_plan *plan;
    const rx_results *res;
    double *idf;   /* per plan term: log((N + 1) / (df + 0.5)) × query weight, or 0 */
    bool *anchor;  /* per plan term */
    size_t *sound; /* per plan term: the pinyin term standing for it, or SIZE_MAX */
    double mass, anchor_mass;
    size_t rare[RARE_TERMS], nrare; /* the rarest content terms the index knows */
    double unknown;                 /* share of the content mass no document has (and no homophone
                                       stands for): words the knowledge base never uses */
} query_facts;

static bool is_content(const rx_qterm *t)
{
    return !t->wildcard && (t->kind == RX_QT_BIGRAM || t->kind == RX_QT_CONCEPT ||
                            t->kind == RX_QT_WORD || t->kind == RX_QT_SPELLED);
}

static int facts_init(query_facts *f, const rx_query_plan *plan, const rx_results *res)
{
    size_t nt = plan->nterms;
    *f = (query_facts){.plan = plan, .res = res};
    f->idf = calloc(nt ? nt : 1, sizeof *f->idf);
    f->anchor = calloc(nt ? nt : 1, sizeof *f->anchor);
    f->sound = malloc((nt ? nt : 1) * sizeof *f->sound);
    if (!f->idf || !f->anchor || !f->sound)
        return rx_error_set(RX_ENOMEM, "out of memory");
    double n = res->doccount > 0 ? res->doccount : 1;
    for (size_t k = 0; k < nt; k++) {
        const rx_qterm *t = &plan->terms[k];
        f->sound[k] = SIZE_MAX;
        if (!is_content(t) || !res->term_freq)
            continue;
        double df = res->term_freq[k];
        f->idf[k] = t->weight * log((n + 1) / (df + 0.5));
        f->mass += f->idf[k];
        if (t->kind == RX_QT_CONCEPT && df > 0 && df / n < ANCHOR_SHARE) {
            f->anchor[k] = true;
            f->anchor_mass += f->idf[k];
        }
    }
    /* a typo's bigram counts as matched where one of its homophones is */
    for (size_t k = 0; k < nt; k++) {
        const rx_qterm *t = &plan->terms[k];
        if (t->kind != RX_QT_PINYIN || !t->base || !res->used || !res->used[k])
            continue;
        for (size_t j = 0; j < nt; j++)
            if (plan->terms[j].kind == RX_QT_BIGRAM && !strcmp(plan->terms[j].term, t->base))
                f->sound[j] = k;
    }
    double unknown = 0;
    for (size_t k = 0; k < nt && res->term_freq; k++) {
        if (f->idf[k] <= 0)
            continue;
        if (res->term_freq[k] == 0) {
            if (f->sound[k] == SIZE_MAX)
                unknown += f->idf[k];
            continue;
        }
        /* insertion into the RARE_TERMS highest idf */
        size_t at = f->nrare;
        while (at > 0 && f->idf[f->rare[at - 1]] < f->idf[k])
            at--;
        if (at >= RARE_TERMS)
            continue;
        size_t last = f->nrare < RARE_TERMS ? f->nrare : RARE_TERMS - 1;
        for (size_t j = last; j > at; j--)
            f->rare[j] = f->rare[j - 1];
        f->rare[at] = k;
        if (f->nrare < RARE_TERMS)
            f->nrare++;
    }
    f->unknown = f->mass > 0 ? unknown / f->mass : 0;
    return RX_OK;
}

static void facts_free(query_facts *f)
{
    free(f->idf);
    free(f->anchor);
    free(f->sound);
}

static features features_of(const query_facts *f, size_t row)
{
    features x = {0, 1, 0};
    const rx_results *res = f->res;
    size_t nt = f->plan->nterms;
    if (!res->explained || !res->explained[row] || f->mass <= 0 || res->nterms != nt)
        return x;
    const unsigned char *hit = res->matched + row * nt;
    double got = 0, anchors = 0;
    for (size_t k = 0; k < nt; k++) {
        if (f->idf[k] <= 0)
            continue;
        bool m = hit[k] || (f->sound[k] != SIZE_MAX && hit[f->sound[k]]);
        if (m) {
            got += f->idf[k];
            if (f->anchor[k])
                anchors += f->idf[k];
        }
    }
    x.coverage = got / f->mass;
    if (f->anchor_mass > 0)
        x.anchors = anchors / f->anchor_mass;
    size_t rare = 0;
    for (size_t j = 0; j < f->nrare; j++)
        rare += hit[f->rare[j]] || (f->sound[f->rare[j]] != SIZE_MAX && hit[f->sound[f->rare[j]]]);
    x.rare = f->nrare ? (double)rare / (double)f->nrare : 0;
    return x;
}

typedef struct {
    size_t index;
    double score;
    features f;
    double title; /* share of the query's bigrams in its title (title_coverage) */
} ranked;

/* Confidence that the first hit answers the query: a logistic model over
 * signals of the first hit and of the query. `make calibrate` fits it on
 * right first hits of the judged, blind and development questions against
 * the development set's questions no document answers (tests/relevance/dev);
 * the weights it prints go into CONF_W. Only coverage and ratio carry the
 * fit; the other signals are kept for re-measurement (docs/RELEVANCE.md). */
/* What the confidence of an answer rests on. */
typedef struct {
    features top;   /* of the first hit */
    double ratio;   /* its score over the best score the query could reach */
    double gap;     /* (first − second) / first, after re-ranking */
    double unknown; /* share of the query the knowledge base has no word for */
    double wig;     /* mean score of the best five over the best possible */
    double nqc;     /* spread of the best five's scores over their mean */
} signals;

static const double CONF_W[] = {
    /* bias, coverage, anchors, ratio, gap, rare, unknown, wig, nqc: the two
     * that carry the fit; the others added nothing on the development set */
    -3.87, 4.33, 0, 4.16, 0, 0, 0, 0, 0,
};
#define CONFIDENT_AT 0.6

static double confidence_of(const signals *g)
{
    const double x[] = {1,           g->top.coverage, g->top.anchors, g->ratio, g->gap,
                        g->top.rare, g->unknown,      g->wig,         g->nqc};
    double z = 0;
    for (size_t k = 0; k < sizeof x / sizeof x[0]; k++)
        z += CONF_W[k] * x[k];
    return 1.0 / (1.0 + exp(-z));
}

static signals signals_of(const ranked *order, const rx_results *res, const query_facts *facts)
{
    signals g = {.top = order[0].f, .unknown = facts->unknown};
    double best = res->max_possible;
    double s1 = order[0].score, s2 = res->n > 1 ? order[1].score : 0;
    g.ratio = best > 0 ? res->matches[order[0].index].score / best : 0;
    g.gap = s1 > 0 ? (s1 - s2) / s1 : 0;
    size_t k5 = res->n < 5 ? res->n : 5;
    double mean = 0, var = 0;
    for (size_t k = 0; k < k5; k++)
        mean += res->matches[k].score / (double)k5;
    for (size_t k = 0; k < k5; k++)
        var += (res->matches[k].score - mean) * (res->matches[k].score - mean) / (double)k5;
    g.wig = best > 0 ? mean / best : 0;
    g.nqc = mean > 0 ? sqrt(var) / mean : 0;
    return g;
}

static int by_score(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Applies the ranking knobs to the plan's query weights. */
static void weigh_plan(rx_query_plan *plan, const rx_rank_params *rp)
{
    size_t keep = 0;
    for (size_t k = 0; k < plan->nterms; k++) {
        rx_qterm *t = &plan->terms[k];
        if (t->kind == RX_QT_CONCEPT)
            t->weight *= rp->concept_weight;
        else if (t->kind == RX_QT_RELATED)
            t->weight *= rp->related_weight;
        if (t->weight > 0) {
            plan->terms[keep++] = *t;
        } else {
            free(t->term);
            free(t->base);
        }
    }
    plan->nterms = keep;
}

/* The whole stored record of match k: the search read only the heads. If
 * the index has moved to a new view since, the record is looked up by its id
 * (RX_ENOTFOUND: deleted meanwhile). *data is the match's own copy or a new
 * one for the caller to free. */
static int fetch_match(rx_kb *kb, rx_results *res, size_t k, char **data, size_t *len)
{
    rx_match *m = &res->matches[k];
    int rc = rx_index_fetch(kb->ix, res, k);
    if (rc != RX_ECONFLICT) {
        *data = m->data;
        *len = m->len;
        return rc;
    }
    rx_record r;
    if (rx_record_decode_head(&r, m->data, m->len) != RX_OK)
        return rx_error_set(RX_EINDEX, "corrupt document record");
    char *id = strndup(r.f[RX_REC_ID], r.len[RX_REC_ID]);
    if (!id)
        return rx_error_set(RX_ENOMEM, "out of memory");
    rc = rx_index_get(kb->ix, id, data, len);
    free(id);
    return rc;
}

/* What re-ranking read of a hit, for the relevance study. */
static void add_rank_features(cJSON *h, const ranked *o, const rx_results *res)
{
    cJSON *f = cJSON_AddObjectToObject(h, "rank");
    cJSON_AddNumberToObject(f, "bm25", res->matches[o->index].score);
    cJSON_AddNumberToObject(f, "bm25_rank", (double)o->index);
    cJSON_AddNumberToObject(f, "title", o->title);
    cJSON_AddNumberToObject(f, "coverage", o->f.coverage);
    cJSON_AddNumberToObject(f, "anchors", o->f.anchors);
    cJSON_AddNumberToObject(f, "rare", o->f.rare);
}

/* Re-scores the best RERANK_DEPTH matches. */
static void rerank(ranked *order, const rx_results *res, const query_facts *facts,
                   const rx_rank_params *rp)
{
    size_t depth = res->n < RERANK_DEPTH ? res->n : RERANK_DEPTH;
    for (size_t k = 0; k < depth; k++) {
        rx_record r;
        ranked *o = &order[k];
        o->f = features_of(facts, k);
        if (rx_record_decode_head(&r, res->matches[k].data, res->matches[k].len) == RX_OK) {
            double tc = title_coverage(facts->plan, r.f[RX_REC_TITLE], r.len[RX_REC_TITLE]);
            o->title = tc;
            o->score *= 1.0 + TITLE_BOOST * tc;
            if (r.len[RX_REC_TYPE] == 3 && !memcmp(r.f[RX_REC_TYPE], "faq", 3))
                o->score *= exp(-rp->faq_narrow * (1.0 - tc));
        }
        if (facts->anchor_mass > 0)
            o->score *= 1.0 + rp->anchor_boost * o->f.anchors;
        o->score *= 1.0 + rp->coord * o->f.coverage;
    }
    if (depth > 1)
        qsort(order, depth, sizeof *order, by_score);
}

int rx_kb_search(cJSON **out, rx_kb *kb, const rx_kb_query *q)
{
    *out = NULL;
    double t0 = rx_now();
    const char *text = q->q ? q->q : "";
    const rx_rank_params *rp = q->rank ? q->rank : &SHIPPED;
    size_t qlen = strlen(text);
    if (qlen > MAX_QUERY_BYTES)
        return rx_error_set(RX_ETOOBIG, "q is %zu bytes; at most %d are accepted", qlen,
                            MAX_QUERY_BYTES);
    if (!rx_utf8_valid(text, qlen, NULL))
        return rx_error_set(RX_EINVALID, "q is not valid UTF-8");
    rx_search_opts o = {.weighting = (rx_weighting)rp->weighting,
                        .weight_param = rp->weight_param,
                        .k1 = q->k1,
                        .b = q->b,
                        .offset = q->offset,
                        .limit = q->limit ? q->limit : 10,
                        .facet_sample = FACET_SAMPLE,
                        .explain = q->rank_features || rp->anchor_boost > 0 || rp->coord > 0
                                       ? RERANK_DEPTH
                                       : EXPLAIN_FOR_CONFIDENCE,
                        .max_terms = rp->max_terms,
                        .char_postings = rp->char_postings};
    if (o.limit > MAX_LIMIT)
        return rx_error_set(RX_EINVALID, "limit must be between 1 and %d", MAX_LIMIT);
    if (q->department && *q->department) {
        if (!(o.department = rx_kb_department(kb, q->department)))
            return RX_EVALUE;
    }
    if (q->type && *q->type) {
        if (!valid_type(q->type))
            return rx_error_set(RX_EINVALID, "type must be policy, guide, notice or faq");
        o.type = q->type;
    }
    long today = q->today ? rx_date_parse(q->today, strlen(q->today)) : rx_date_today();
    if (today == RX_DATE_INVALID)
        return rx_error_set(RX_EINVALID, "today must be a date YYYY-MM-DD");
    /* a document is in force through its expires day: those whose expires
     * falls before the day asked about are left out */
    char day_before[11];
    if (q->as_of && *q->as_of) {
        long d = rx_date_parse(q->as_of, strlen(q->as_of));
        if (d == RX_DATE_INVALID)
            return rx_error_set(RX_EINVALID, "as_of must be a date YYYY-MM-DD");
        o.in_force_on = q->as_of;
        rx_date_format(day_before, d - 1);
        o.expired_by = day_before;
    } else if (!q->expired) {
        rx_date_format(day_before, today - 1);
        o.expired_by = day_before;
    }

    rx_analyzer an = {q->analyzer ? q->analyzer : kb->analyzer, kb->synonyms,
                      rp->related_weight > 0 ? kb->related : NULL};
    rx_query_plan *plan = NULL;
    rx_results *res = NULL;
    ranked *order = NULL;
    query_facts facts = {0};
    size_t page_from = o.offset, page_len = o.limit;
    /* the best RERANK_DEPTH are re-ordered, then paged */
    bool reranked = o.offset < RERANK_DEPTH;
    if (reranked) {
        o.limit = o.offset + o.limit > RERANK_DEPTH ? o.offset + o.limit : RERANK_DEPTH;
        o.offset = 0;
    } else {
        page_from = 0;
    }
    int rc = rx_plan_query(&plan, &an, text, qlen);
    if (rc == RX_OK) {
        weigh_plan(plan, rp);
        rc = rx_index_search(&res, kb->ix, plan, &o);
    }
    if (rc == RX_OK)
        rc = facts_init(&facts, plan, res);
    if (rc != RX_OK)
        goto done;
    order = calloc(res->n ? res->n : 1, sizeof *order);
    if (!order) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < res->n; k++)
        order[k] = (ranked){k, res->matches[k].score, {0, 1, 0}, 0};
    if (reranked)
        rerank(order, res, &facts, rp);
    signals sig = {0};
    double confidence = 0;
    if (reranked && res->n > 0) {
        /* the first hit after re-ranking, if the search did not explain it */
        if (rx_index_explain(kb->ix, res, order[0].index) == RX_OK)
            order[0].f = features_of(&facts, order[0].index);
        sig = signals_of(order, res, &facts);
        confidence = confidence_of(&sig);
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "query", text);
    cJSON_AddNumberToObject(root, "total", (double)res->total);
    cJSON_AddBoolToObject(root, "confident", confidence >= CONFIDENT_AT);
    cJSON_AddNumberToObject(root, "confidence", round(confidence * 1000) / 1000);
    /* letters read as pinyin: the input method may have been left in English */
    for (size_t k = 0; k < plan->nterms; k++)
        if (plan->terms[k].kind == RX_QT_SPELLED && res->used && res->used[k]) {
            cJSON_AddBoolToObject(root, "pinyin", true);
            break;
        }
    if (q->signals && reranked && res->n > 0) {
        cJSON *sg = cJSON_AddObjectToObject(root, "signals");
        cJSON_AddNumberToObject(sg, "coverage", sig.top.coverage);
        cJSON_AddNumberToObject(sg, "anchors", sig.top.anchors);
        cJSON_AddNumberToObject(sg, "ratio", sig.ratio);
        cJSON_AddNumberToObject(sg, "gap", sig.gap);
        cJSON_AddNumberToObject(sg, "rare", sig.top.rare);
        cJSON_AddNumberToObject(sg, "unknown", sig.unknown);
        cJSON_AddNumberToObject(sg, "wig", sig.wig);
        cJSON_AddNumberToObject(sg, "nqc", sig.nqc);
    }
    cJSON *hits = cJSON_CreateArray();
    for (size_t k = page_from; k < res->n && k < page_from + page_len; k++) {
        rx_record r;
        char *data = NULL;
        size_t len = 0;
        int frc = fetch_match(kb, res, order[k].index, &data, &len);
        if (frc == RX_ENOTFOUND) /* deleted since the search */
            continue;
        if (frc != RX_OK) {
            rc = frc;
            cJSON_Delete(root);
            cJSON_Delete(hits);
            goto done;
        }
        if (rx_record_decode(&r, data, len) == RX_OK) {
            cJSON *h = hit_json(&r, order[k].score, plan);
            if (q->rank_features && reranked && k < RERANK_DEPTH)
                add_rank_features(h, &order[k], res);
            cJSON_AddItemToArray(hits, h);
        }
        if (data != res->matches[order[k].index].data)
            free(data);
    }
    cJSON *facets = cJSON_CreateObject();
    cJSON_AddItemToObject(facets, "department", facet_json(res->departments, res->ndepartments));
    cJSON_AddItemToObject(facets, "type", facet_json(res->types, res->ntypes));
    double took = (rx_now() - t0) * 1000.0;
    cJSON_AddNumberToObject(root, "took_ms", (double)(long)(took * 1000 + 0.5) / 1000);
    cJSON_AddItemToObject(root, "hits", hits);
    cJSON_AddItemToObject(root, "facets", facets);
    *out = root;
done:
    facts_free(&facts);
    free(order);
    rx_results_free(res);
    rx_query_plan_free(plan);
    return rc;
}

const rx_departments *rx_kb_departments(rx_kb *kb)
{
    return rx_departments_count(kb->departments) ? kb->departments : NULL;
}

const char *rx_kb_department(rx_kb *kb, const char *name)
{
    if (!rx_departments_count(kb->departments))
        return name;
    const char *canon = rx_departments_canonical(kb->departments, name);
    if (!canon)
        rx_fail(RX_EVALUE, "unknown_department", "未知部门“%.*s”", rx_utf8_clip(name, 200), name);
    return canon;
}

int rx_kb_get(cJSON **out, rx_kb *kb, const char *id)
{
    *out = NULL;
    if (!rx_id_valid(id))
        return rx_error_set(RX_ENOTFOUND, "no document with id '%s'", id);
    char *data;
    size_t len;
    int rc = rx_index_get(kb->ix, id, &data, &len);
    if (rc != RX_OK)
        return rc;
    rx_record r;
    rc = rx_record_decode(&r, data, len);
    if (rc == RX_OK) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddItemToObject(d, "id", field(&r, RX_REC_ID));
        cJSON_AddItemToObject(d, "title", field(&r, RX_REC_TITLE));
        cJSON_AddItemToObject(d, "department", field(&r, RX_REC_DEPARTMENT));
        cJSON_AddItemToObject(d, "type", field(&r, RX_REC_TYPE));
        cJSON *tags = cJSON_CreateArray();
        const char *p = r.f[RX_REC_TAGS], *end = p + r.len[RX_REC_TAGS];
        while (p < end) {
            const char *sep = memchr(p, '\x1f', (size_t)(end - p));
            size_t n = sep ? (size_t)(sep - p) : (size_t)(end - p);
            cJSON_AddItemToArray(tags, str_or_null(p, n));
            p += n + 1;
        }
        cJSON_AddItemToObject(d, "tags", tags);
        cJSON_AddItemToObject(d, "effective", field(&r, RX_REC_EFFECTIVE));
        cJSON_AddItemToObject(d, "expires", field(&r, RX_REC_EXPIRES));
        char key[RX_MAX_ID_LEN + 16], *packed = NULL, *body = NULL;
        size_t plen;
        snprintf(key, sizeof key, "%s%s", RX_META_BODY_PREFIX, id);
        rc = rx_index_meta_n(kb->ix, key, &packed, &plen);
        if (rc == RX_OK)
            rc = rx_unpack(&body, NULL, packed, plen);
        free(packed);
        if (rc == RX_OK) {
            cJSON_AddStringToObject(d, "body", body);
            *out = d;
        } else {
            cJSON_Delete(d);
        }
        free(body);
    }
    free(data);
    return rc;
}

const rx_duties *rx_kb_duties(rx_kb *kb)
{
    return kb->duties;
}

const rx_synonyms *rx_kb_synonyms(rx_kb *kb)
{
    return kb->synonyms;
}

rx_analyzer rx_kb_analyzer(rx_kb *kb)
{
    return (rx_analyzer){.flags = kb->analyzer, .synonyms = kb->synonyms, .related = kb->related};
}
