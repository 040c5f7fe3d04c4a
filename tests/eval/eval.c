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
static FILE *fail_log;

static size_t style_index(const char *s)
{
    for (size_t k = 0; k < nstyles; k++)
        if (!strcmp(styles[k], s))
            return k;
    if (nstyles < MAX_STYLES)
        styles[nstyles] = s;
    return nstyles < MAX_STYLES ? nstyles++ : MAX_STYLES - 1;
}

static size_t load_queries(query **out, const char *path)
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
        if (!t1 || !t2 || line[0] == '#')
            continue;
        *t1 = *t2 = '\0';
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
        for (char *id = strtok_r(t2 + 1, ", \r", &s2); id; id = strtok_r(NULL, ", \r", &s2)) {
            q->ids = realloc(q->ids, (q->nids + 1) * sizeof *q->ids);
            q->ids[q->nids++] = strdup(id);
        }
        style_index(q->style);
    }
    free(data);
    *out = qs;
    return n;
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
    {"rexian: default+title field", RX_AN_DEFAULT | RX_AN_TITLE},
    {"rexian (default)", RX_AN_DEFAULT},
};

int main(int argc, char **argv)
{
    const char *corpus = "corpus", *qpath = "tests/relevance/queries.tsv", *work = "build/eval";
    const char *today = "2026-11-28", *only = NULL;
    static const struct option opts[] = {
        {"corpus", required_argument, 0, 'c'}, {"queries", required_argument, 0, 'q'},
        {"work", required_argument, 0, 'w'},   {"today", required_argument, 0, 't'},
        {"only", required_argument, 0, 'o'},   {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': corpus = optarg; break;
        case 'q': qpath = optarg; break;
        case 'w': work = optarg; break;
        case 't': today = optarg; break;
        case 'o': only = optarg; break;
        default: return 2;
        }
    }
    query *qs;
    size_t nq = load_queries(&qs, qpath);
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
        if (only && strcmp(only, "default") == 0 && v + 1 != nvar)
            continue;
        snprintf(path, sizeof path, "%s/v%zu", work, v);
        rx_build_opts bo = {
            .corpus_dir = corpus, .index_dir = path, .full = true, .analyzer = variants[v].flags};
        rx_build_stats bs;
        rx_diags bd = {0};
        if (rx_build(&bs, &bo, &bd) != RX_OK) {
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
        for (size_t i = 0; i < nq; i++) {
            rx_kb_query kq = {.q = qs[i].text,
                              .limit = TOPK,
                              .today = today,
                              .k1 = getenv("RX_K1") ? atof(getenv("RX_K1")) : 0,
                              .b = getenv("RX_B") ? atof(getenv("RX_B")) : 0};
            cJSON *res = NULL;
            size_t n = 0;
            if (rx_kb_search(&res, kb, &kq) == RX_OK) {
                const cJSON *h;
                cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(res, "hits"))
                {
                    got[n++] = strdup(cJSON_GetObjectItemCaseSensitive(h, "id")->valuestring);
                }
            }
            judge(&sc[nsys], &qs[i], got, n);
            for (size_t k = 0; k < n; k++)
                free(got[k]);
            cJSON_Delete(res);
        }
        rx_kb_free(kb);
        nsys++;
    }
    print_table(sc, nsys);
    printf("\nper-query misses: %s/failures.tsv\n", work);
    if (fail_log)
        fclose(fail_log);
    for (size_t k = 0; k < nd; k++)
        rx_doc_clear(&docs[k]);
    free(docs);
    for (size_t i = 0; i < nq; i++) {
        free(qs[i].style);
        free(qs[i].text);
        for (size_t k = 0; k < qs[i].nids; k++)
            free(qs[i].ids[k]);
        free(qs[i].ids);
    }
    free(qs);
    free(sc);
    rx_strmap_free(&expired);
    rx_diags_free(&diags);
    return 0;
}
