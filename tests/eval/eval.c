/* make eval: relevance of rexian and its baselines on the judged query set.
 *
 * For every query in tests/relevance/queries.tsv (style, query, judged ids)
 * each system returns its top 10; we report MRR@10 and recall@3 (the share
 * of queries with a judged document in the first three results) overall
 * and per style. Systems, all over the same corpus:
 *   - FTS5 trigram: SQLite FTS5, trigram tokenizer, bm25 (title weight 5),
 *     the query's character trigrams OR'd;
 *   - naive Xapian: TermGenerator CJK n-grams, every query bigram OR'd;
 *   - rexian with several analyzer configurations (the segmentation study
 *     of docs/RELEVANCE.md); the last one is the shipped default.
 * Expired documents are removed from every system's results (as of
 * --today) so that all are judged alike.
 *
 * Then the ranking variants of the shipped analyzer (docs/RELEVANCE.md), and
 * the confidence of the shipped ranking: how often a right first hit is
 * called confident, how often a confident first hit is right, and (with
 * --ooc FILE, questions no document answers) how often those are called
 * not confident. --calibrate refits the confidence model: right first hits
 * of the queries against the --ooc questions (make calibrate). --features
 * FILE writes the shipped ranking's best 20 of every query with what
 * re-ranking read of each, for tests/relevance/rerank_fit.py.
 */
#include "rexian/analyzer.h"
#include "rexian/corpus.h"
#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/kb.h"
#include "rexian/search.h"
#include "rexian/strmap.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include "../common/peers.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOPK 10
#define MAX_STYLES 8

typedef struct {
    char *style, *text;
    char **ids;
    size_t nids;
} query;

typedef struct {
    const char *name;
    double mrr[MAX_STYLES + 1], r3[MAX_STYLES + 1];
    size_t count[MAX_STYLES + 1];
} score;

static const char *styles[MAX_STYLES];
static size_t nstyles;
static rx_strmap expired;
static FILE *fail_log, *run_log;
static const char *fail_dir;

static size_t style_index(const char *s)
{
    for (size_t k = 0; k < nstyles; k++)
        if (!strcmp(styles[k], s))
            return k;
    if (nstyles < MAX_STYLES)
        styles[nstyles] = s;
    return nstyles < MAX_STYLES ? nstyles++ : MAX_STYLES - 1;
}

/* Reads `style<TAB>query<TAB>ids` lines (with_ids) or `style<TAB>query`. */
static size_t load_queries(query **out, const char *path, bool with_ids)
{
    char *data;
    size_t len;
    if (rx_file_read(&data, &len, path, 1 << 24) != RX_OK) {
        fprintf(stderr, "eval: %s\n", rx_error_last());
        exit(2);
    }
    size_t n = 0, cap = 0;
    query *qs = NULL;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || (with_ids && !t2) || line[0] == '#')
            continue;
        *t1 = '\0';
        if (t2)
            *t2 = '\0';
        char *cr = strchr(t1 + 1, '\r');
        if (cr)
            *cr = '\0';
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            qs = realloc(qs, cap * sizeof *qs);
        }
        query *q = &qs[n++];
        q->style = strdup(line);
        q->text = strdup(t1 + 1);
        q->ids = NULL;
        q->nids = 0;
        char *s2 = NULL;
        for (char *id = t2 ? strtok_r(t2 + 1, ", \r", &s2) : NULL; id;
             id = strtok_r(NULL, ", \r", &s2)) {
            q->ids = realloc(q->ids, (q->nids + 1) * sizeof *q->ids);
            q->ids[q->nids++] = strdup(id);
        }
        if (with_ids)
            style_index(q->style);
    }
    free(data);
    *out = qs;
    return n;
}

static void free_queries(query *qs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(qs[i].style);
        free(qs[i].text);
        for (size_t k = 0; k < qs[i].nids; k++)
            free(qs[i].ids[k]);
        free(qs[i].ids);
    }
    free(qs);
}

/* Records the rank of the first judged id among got[0..n). */
static void judge(score *s, const query *q, char **got, size_t n)
{
    size_t rank = 0, kept = 0;
    for (size_t i = 0; i < n && kept < TOPK && !rank; i++) {
        if (rx_strmap_get(&expired, got[i], strlen(got[i])))
            continue;
        kept++;
        for (size_t k = 0; k < q->nids; k++)
            if (!strcmp(got[i], q->ids[k]))
                rank = kept;
    }
    for (size_t i = 0, k = 0; run_log && i < n && k < TOPK; i++)
        if (!rx_strmap_get(&expired, got[i], strlen(got[i])))
            fprintf(run_log, "%s\t%s\t%zu\t%s\n", s->name, q->text, ++k, got[i]);
    size_t st = style_index(q->style);
    double rr = rank ? 1.0 / (double)rank : 0.0, hit3 = rank && rank <= 3 ? 1.0 : 0.0;
    s->mrr[st] += rr;
    s->r3[st] += hit3;
    s->count[st]++;
    s->mrr[MAX_STYLES] += rr;
    s->r3[MAX_STYLES] += hit3;
    s->count[MAX_STYLES]++;
    if (fail_log && rank != 1)
        fprintf(fail_log, "%s\t%s\t%s\trank=%zu\twant=%s\tgot=%s,%s,%s\n", s->name, q->style,
                q->text, rank, q->ids[0], n > 0 ? got[0] : "-", n > 1 ? got[1] : "-",
                n > 2 ? got[2] : "-");
}

static void print_table(score *sc, size_t nsys)
{
    printf("\n%-34s", "system");
    for (size_t k = 0; k < nstyles; k++)
        printf(" %-12s", styles[k]);
    printf(" %-12s\n", "overall");
    printf("%-34s", "");
    for (size_t k = 0; k <= nstyles; k++)
        printf(" %-12s", "MRR  R@3");
    printf("\n");
    for (size_t s = 0; s < nsys; s++) {
        printf("%-34s", sc[s].name);
        for (size_t k = 0; k <= nstyles; k++) {
            size_t idx = k == nstyles ? MAX_STYLES : k;
            size_t c = sc[s].count[idx] ? sc[s].count[idx] : 1;
            printf(" %.3f %.3f  ", sc[s].mrr[idx] / (double)c, sc[s].r3[idx] / (double)c);
        }
        printf("\n");
    }
}

/* ---- rexian configurations ---- */

typedef struct {
    const char *name;
    unsigned flags;
} variant;

static const variant variants[] = {
    {"rexian: ICU words", RX_AN_ICU},
    {"rexian: friso words", RX_AN_FRISO},
    {"rexian: bigrams", RX_AN_BIGRAM},
    {"rexian: bigrams+ICU", RX_AN_BIGRAM | RX_AN_ICU},
    {"rexian: bigrams+friso", RX_AN_BIGRAM | RX_AN_FRISO},
    {"rexian: bigrams+syn", RX_AN_BIGRAM | RX_AN_SYNONYM},
    {"rexian: bigrams+syn+pinyin", RX_AN_BIGRAM | RX_AN_SYNONYM | RX_AN_PINYIN},
    {"rexian: bigrams+friso+syn+py+stop",
     RX_AN_BIGRAM | RX_AN_FRISO | RX_AN_SYNONYM | RX_AN_PINYIN | RX_AN_STOP},
    {"rexian: previous default", RX_AN_DEFAULT & ~(RX_AN_CHAR | RX_AN_TITLE)},
    {"rexian: default+join", RX_AN_DEFAULT | RX_AN_JOIN},
    {"rexian (default)", RX_AN_DEFAULT},
};

/* ---- ranking variants of the shipped analyzer ---- */

typedef struct {
    const char *name;
    rx_rank_params p;
} rank_variant;

/* {concept weight, anchor boost, coord, related weight, max terms, weighting,
 * its parameter, character postings, FAQ narrowness}; the
 * first is the ranking of the previous release, the last the shipped one. */
static const rank_variant rank_variants[] = {
    {"previous release (no related.txt)", {1.0, 0.0, 0.0, -1, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"related 0.3", {1.0, 0.0, 0.0, 0.3, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"related 0.5", {1.0, 0.0, 0.0, 0.5, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"related 1.0", {1.0, 0.0, 0.0, 1.0, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, concept weight 2", {2.0, 0.0, 0.0, 0.3, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, concept weight 3", {3.0, 0.0, 0.0, 0.3, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, anchor boost 0.3", {1.0, 0.3, 0.0, 0.3, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, anchor boost 0.6", {1.0, 0.6, 0.0, 0.3, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, coord 0.5", {1.0, 0.0, 0.5, 0.3, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, coord 1.0", {1.0, 0.0, 1.0, 0.3, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, cw 2, coord 1.0", {2.0, 0.0, 1.0, 0.3, 0, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, elite 16 words", {1.0, 0.0, 0.0, 0.3, 16, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, elite 24 words", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_BM25, 0, 0, 0}},
    {"rel 0.3, elite 32 words", {1.0, 0.0, 0.0, 0.3, 32, RX_WEIGHT_BM25, 0, 0, 0}},
    {"query likelihood, mu 2000", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_LM, 2000, 0, 0}},
    {"query likelihood, mu 5000", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_LM, 5000, 0, 0}},
    {"DFR DPH", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_DPH, 0, 0, 0}},
    {"DFR PL2", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_PL2, 0, 0, 0}},
    {"DFR InL2", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_INL2, 0, 0, 0}},
    {"characters: no posting bound", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_BM25, 0, SIZE_MAX, 0}},
    {"characters: 3,000 postings", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_BM25, 0, 3000, 0}},
    {"FAQ rows not narrowed (faq 0)", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_BM25, 0, 0, 0}},
    {"FAQ rows narrowed at 0.4", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_BM25, 0, 0, 0.4}},
    {"FAQ rows narrowed at 1.0", {1.0, 0.0, 0.0, 0.3, 24, RX_WEIGHT_BM25, 0, 0, 1.0}},
    {"shipped", {0, 0, 0, 0, 0, RX_WEIGHT_BM25, 0, 0, 0}},
};

typedef struct {
    size_t right1, right1_conf, conf, conf_right, n;
} conf_stats;

#define NFEAT 9 /* bias, coverage, anchors, ratio, gap, rare, unknown, wig, nqc */

typedef struct {
    double x[NFEAT];
    int y;
} sample;

static sample *samples;
static size_t nsamples, samples_cap;

static void add_sample(const cJSON *res, int y)
{
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(res, "signals");
    if (!sg)
        return;
    if (nsamples == samples_cap) {
        samples_cap = samples_cap ? samples_cap * 2 : 512;
        samples = realloc(samples, samples_cap * sizeof *samples);
    }
    sample *s = &samples[nsamples++];
    s->x[0] = 1;
    s->x[1] = cJSON_GetObjectItemCaseSensitive(sg, "coverage")->valuedouble;
    s->x[2] = cJSON_GetObjectItemCaseSensitive(sg, "anchors")->valuedouble;
    s->x[3] = cJSON_GetObjectItemCaseSensitive(sg, "ratio")->valuedouble;
    s->x[4] = cJSON_GetObjectItemCaseSensitive(sg, "gap")->valuedouble;
    s->x[5] = cJSON_GetObjectItemCaseSensitive(sg, "rare")->valuedouble;
    s->x[6] = cJSON_GetObjectItemCaseSensitive(sg, "unknown")->valuedouble;
    s->x[7] = cJSON_GetObjectItemCaseSensitive(sg, "wig")->valuedouble;
    s->x[8] = cJSON_GetObjectItemCaseSensitive(sg, "nqc")->valuedouble;
    s->y = y;
}

/* --features: the shipped ranking's best 20 of every query with what
 * re-ranking read of each (tests/relevance/rerank_fit.py) */
static FILE *features_out;
#define FEATURE_DEPTH 20

/* Runs one query through kb; got[] receives the ids (caller frees). With
 * features, the best FEATURE_DEPTH come back with their rank features. */
static size_t run_kb(char **got, cJSON **res_out, rx_kb *kb, const char *text, const char *today,
                     const rx_rank_params *rp, bool features)
{
    rx_kb_query kq = {.q = text,
                      .limit = features ? FEATURE_DEPTH : TOPK,
                      .rank_features = features,
                      .today = today,
                      .k1 = getenv("RX_K1") ? atof(getenv("RX_K1")) : 0,
                      .b = getenv("RX_B") ? atof(getenv("RX_B")) : 0,
                      .rank = rp,
                      .signals = true};
    cJSON *res = NULL;
    size_t n = 0;
    if (rx_kb_search(&res, kb, &kq) == RX_OK) {
        const cJSON *h;
        cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(res, "hits"))
        {
            got[n++] = strdup(cJSON_GetObjectItemCaseSensitive(h, "id")->valuestring);
        }
    }
    *res_out = res;
    return n;
}

static bool is_judged(const query *q, const char *id)
{
    for (size_t k = 0; k < q->nids; k++)
        if (!strcmp(id, q->ids[k]))
            return true;
    return false;
}

/* One line per hit: the query, whether the hit is judged, its place, id,
 * type and department, then its rank features. */
static void write_features(const query *q, const cJSON *res)
{
    const cJSON *h;
    int k = 0;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(res, "hits"))
    {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(h, "rank");
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "id"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "type"));
        const char *dept = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "department"));
        if (!f || !id)
            continue;
        fprintf(features_out, "%s\t%d\t%d\t%s\t%s\t%s", q->text, is_judged(q, id), k++, id,
                type ? type : "", dept ? dept : "");
        const char *names[] = {"bm25", "bm25_rank", "title", "coverage", "anchors", "rare"};
        for (size_t j = 0; j < sizeof names / sizeof names[0]; j++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, names[j]);
            fprintf(features_out, "\t%.6g", cJSON_IsNumber(v) ? v->valuedouble : 0.0);
        }
        fputc('\n', features_out);
    }
    if (k == 0) /* no hit: the query still counts */
        fprintf(features_out, "%s\t0\t-1\t-\t\t\t0\t0\t0\t0\t0\t0\n", q->text);
}

/* Scores one ranking on every query; cs (may be NULL) gathers confidence. */
static void run_ranking(score *sc, conf_stats *cs, rx_kb *kb, const query *qs, size_t nq,
                        const char *today, const rx_rank_params *rp, bool calibrate)
{
    char *got[64];
    for (size_t i = 0; i < nq; i++) {
        cJSON *res;
        const bool features = cs && features_out; /* the shipped ranking's run */
        size_t n = run_kb(got, &res, kb, qs[i].text, today, rp, features);
        judge(sc, &qs[i], got, n);
        /* the first hit that is not expired */
        const char *first = NULL;
        for (size_t k = 0; k < n && !first; k++)
            if (!rx_strmap_get(&expired, got[k], strlen(got[k])))
                first = got[k];
        bool right = first && is_judged(&qs[i], first);
        const cJSON *c = res ? cJSON_GetObjectItemCaseSensitive(res, "confident") : NULL;
        bool conf = c && cJSON_IsTrue(c);
        if (cs) {
            cs->n++;
            cs->right1 += right;
            cs->right1_conf += right && conf;
            cs->conf += conf;
            cs->conf_right += conf && right;
        }
        /* calibration: a right first hit is a positive; a wrong one is left
         * out (the judgments of a grown corpus are incomplete); the negatives
         * are questions no document answers (--ooc) */
        if (calibrate && res && right)
            add_sample(res, 1);
        if (features && res)
            write_features(&qs[i], res);
        for (size_t k = 0; k < n; k++)
            free(got[k]);
        cJSON_Delete(res);
    }
}

/* Out-of-corpus questions: how many are answered not confident. */
static void run_ooc(const char *path, rx_kb *kb, const char *today, bool calibrate)
{
    query *oq;
    size_t no = load_queries(&oq, path, false), unsure = 0;
    char *got[64];
    FILE *log = NULL;
    char lp[4096];
    if (fail_dir) {
        snprintf(lp, sizeof lp, "%s/ooc-confident.tsv", fail_dir);
        log = fopen(lp, "w");
    }
    for (size_t i = 0; i < no; i++) {
        cJSON *res;
        size_t n = run_kb(got, &res, kb, oq[i].text, today, NULL, false);
        const cJSON *c = res ? cJSON_GetObjectItemCaseSensitive(res, "confident") : NULL;
        bool conf = c && cJSON_IsTrue(c);
        unsure += !conf;
        if (calibrate && res)
            add_sample(res, 0);
        if (conf && log)
            fprintf(log, "%s\t%s\n", oq[i].text, n ? got[0] : "-");
        for (size_t k = 0; k < n; k++)
            free(got[k]);
        cJSON_Delete(res);
    }
    if (log)
        fclose(log);
    printf("out-of-corpus questions answered confident:false: %zu of %zu = %.3f (goal >= 0.90)\n",
           unsure, no, no ? (double)unsure / (double)no : 0);
    free_queries(oq, no);
}

/* Logistic regression by gradient descent on the gathered samples, the two
 * classes weighted alike; then what each threshold would give. */
static void fit_confidence(void)
{
    double w[NFEAT] = {0}, npos = 0, nneg = 0;
    for (size_t i = 0; i < nsamples; i++)
        *(samples[i].y ? &npos : &nneg) += 1;
    if (!npos || !nneg)
        return;
    /* RX_FEATURES=101100001 picks the features to fit (for the study) */
    const char *mask = getenv("RX_FEATURES");
    for (int it = 0; it < 40000; it++) {
        double g[NFEAT] = {0};
        for (size_t i = 0; i < nsamples; i++) {
            double z = 0;
            for (int k = 0; k < NFEAT; k++)
                z += w[k] * samples[i].x[k];
            double p = 1 / (1 + exp(-z)), cw = samples[i].y ? 0.5 / npos : 0.5 / nneg;
            for (int k = 0; k < NFEAT; k++)
                g[k] += cw * (p - samples[i].y) * samples[i].x[k];
        }
        for (int k = 0; k < NFEAT; k++)
            if (!mask || (k < (int)strlen(mask) && mask[k] == '1'))
                w[k] -= 2.0 * g[k];
    }
    printf("\ncalibration: %.0f right first hits, %.0f questions no document answers\n", npos,
           nneg);
    printf("fitted: bias %.2f coverage %.2f anchors %.2f ratio %.2f gap %.2f rare %.2f unknown "
           "%.2f wig %.2f nqc %.2f\n",
           w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]);
    for (double th = 0.3; th < 0.86; th += 0.05) {
        double tp = 0, tn = 0;
        for (size_t i = 0; i < nsamples; i++) {
            double z = 0;
            for (int k = 0; k < NFEAT; k++)
                z += w[k] * samples[i].x[k];
            bool c = 1 / (1 + exp(-z)) >= th;
            tp += c && samples[i].y;
            tn += !c && !samples[i].y;
        }
        printf("  at %.2f: right first hits called confident %.3f, unanswerable called unsure "
               "%.3f\n",
               th, tp / npos, tn / nneg);
    }
}

int main(int argc, char **argv)
{
    const char *corpus = "corpus", *qpath = "tests/relevance/queries.tsv", *work = "build/eval";
    const char *today = "2026-11-28", *only = NULL, *ooc = NULL;
    bool calibrate = false, reuse = false;
    static const struct option opts[] = {{"reuse", no_argument, 0, 'u'},
                                         {"corpus", required_argument, 0, 'c'},
                                         {"queries", required_argument, 0, 'q'},
                                         {"work", required_argument, 0, 'w'},
                                         {"today", required_argument, 0, 't'},
                                         {"only", required_argument, 0, 'o'},
                                         {"ooc", required_argument, 0, 'x'},
                                         {"calibrate", no_argument, 0, 'k'},
                                         {"run", required_argument, 0, 'r'},
                                         {"features", required_argument, 0, 'f'},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': corpus = optarg; break;
        case 'q': qpath = optarg; break;
        case 'w': work = optarg; break;
        case 't': today = optarg; break;
        case 'o': only = optarg; break;
        case 'x': ooc = optarg; break;
        case 'k': calibrate = true; break;
        case 'u': reuse = true; break;
        case 'r': run_log = fopen(optarg, "w"); break;
        case 'f':
            if (!(features_out = fopen(optarg, "w"))) {
                fprintf(stderr, "eval: cannot write %s\n", optarg);
                return 2;
            }
            break;
        default: return 2;
        }
    }
    query *qs;
    size_t nq = load_queries(&qs, qpath, true);
    rx_doc *docs;
    size_t nd;
    rx_diags diags = {0};
    if (rx_corpus_load(&docs, &nd, corpus, &diags) != RX_OK) {
        fprintf(stderr, "eval: %s\n", rx_error_last());
        return 2;
    }
    for (size_t k = 0; k < nd; k++)
        if (docs[k].expires[0] && strcmp(docs[k].expires, today) < 0)
            rx_strmap_upsert(&expired, docs[k].id, strlen(docs[k].id), NULL);
    mkdir(work, 0755);
    char path[4096];
    snprintf(path, sizeof path, "%s/failures.tsv", work);
    fail_log = fopen(path, "w");
    fail_dir = work;
    printf("%zu queries, %zu documents (%zu expired as of %s)\n", nq, nd, expired.count, today);

    size_t nvar = sizeof variants / sizeof variants[0];
    score *sc = calloc(nvar + 2, sizeof *sc);
    size_t nsys = 0;
    char *got[64];

    if (!only) {
        /* FTS5 trigram */
        sqlite3 *db = fts_peer_open(":memory:", docs, nd);
        sc[nsys].name = "baseline: FTS5 trigram";
        for (size_t i = 0; i < nq; i++) {
            size_t n = fts_peer_search(got, 50, db, qs[i].text);
            judge(&sc[nsys], &qs[i], got, n);
            for (size_t k = 0; k < n; k++)
                free(got[k]);
        }
        sqlite3_close(db);
        nsys++;

        /* naive Xapian bigrams */
        const char **ids = calloc(nd, sizeof *ids), **titles = calloc(nd, sizeof *titles),
                   **bodies = calloc(nd, sizeof *bodies);
        for (size_t k = 0; k < nd; k++) {
            ids[k] = docs[k].id;
            titles[k] = docs[k].title;
            bodies[k] = docs[k].body;
        }
        snprintf(path, sizeof path, "%s/naive", work);
        if (rx_naive_build(path, ids, titles, bodies, nd, 5) != RX_OK) {
            fprintf(stderr, "eval: %s\n", rx_error_last());
            return 2;
        }
        free(ids);
        free(titles);
        free(bodies);
        sc[nsys].name = "baseline: naive Xapian bigrams";
        for (size_t i = 0; i < nq; i++) {
            char **res = NULL;
            size_t n = 0;
            rx_naive_search(&res, &n, path, qs[i].text, 50);
            judge(&sc[nsys], &qs[i], res, n);
            rx_ids_free(res, n);
        }
        nsys++;
    }

    for (size_t v = 0; v < nvar; v++) {
        if (only && v + 1 != nvar)
            continue;
        snprintf(path, sizeof path, "%s/v%zu", work, v);
        rx_build_opts bo = {
            .corpus_dir = corpus, .index_dir = path, .full = true, .analyzer = variants[v].flags};
        rx_build_stats bs;
        rx_diags bd = {0};
        char current[4200];
        snprintf(current, sizeof current, "%s/current", path);
        struct stat st;
        /* --reuse: the index an earlier run left in --work */
        bool built = reuse && stat(current, &st) == 0;
        if (!built && rx_build(&bs, &bo, &bd) != RX_OK) {
            fprintf(stderr, "eval: %s\n", rx_error_last());
            return 2;
        }
        rx_diags_free(&bd);
        rx_kb *kb;
        if (rx_kb_open(&kb, path) != RX_OK) {
            fprintf(stderr, "eval: %s\n", rx_error_last());
            return 2;
        }
        sc[nsys].name = variants[v].name;
        run_ranking(&sc[nsys], NULL, kb, qs, nq, today, NULL, false);
        nsys++;
        if (v + 1 < nvar) {
            rx_kb_free(kb);
            continue;
        }
        /* the shipped analyzer: its ranking variants, then its confidence */
        size_t nrank = sizeof rank_variants / sizeof rank_variants[0];
        score *rs = calloc(nrank, sizeof *rs);
        conf_stats cs = {0};
        for (size_t r = 0; r < nrank; r++) {
            bool shipped = r + 1 == nrank;
            if (only && !shipped && strcmp(only, "ranking") != 0)
                continue;
            rs[r].name = rank_variants[r].name;
            run_ranking(&rs[r], shipped ? &cs : NULL, kb, qs, nq, today,
                        shipped ? NULL : &rank_variants[r].p, shipped && calibrate);
        }
        print_table(sc, nsys);
        printf("\nranking variants of the shipped analyzer (rexian default)\n");
        score *shown = calloc(nrank, sizeof *shown);
        size_t nshown = 0;
        for (size_t r = 0; r < nrank; r++)
            if (rs[r].name)
                shown[nshown++] = rs[r];
        print_table(shown, nshown);
        free(shown);
        free(rs);
        printf("\nconfidence (shipped): right first hits called confident %zu of %zu = %.3f "
               "(goal >= 0.85); confident first hits right %zu of %zu = %.3f (goal >= 0.93)\n",
               cs.right1_conf, cs.right1,
               cs.right1 ? (double)cs.right1_conf / (double)cs.right1 : 0, cs.conf_right, cs.conf,
               cs.conf ? (double)cs.conf_right / (double)cs.conf : 0);
        if (ooc)
            run_ooc(ooc, kb, today, calibrate);
        if (calibrate)
            fit_confidence();
        rx_kb_free(kb);
    }
    printf("\nper-query misses: %s/failures.tsv\n", work);
    if (fail_log)
        fclose(fail_log);
    if (run_log)
        fclose(run_log);
    if (features_out)
        fclose(features_out);
    for (size_t k = 0; k < nd; k++)
        rx_doc_clear(&docs[k]);
    free(docs);
    free_queries(qs, nq);
    free(samples);
    free(sc);
    rx_strmap_free(&expired);
    rx_diags_free(&diags);
    return 0;
}
