/* In-process query latency (make bench-search): rexian's knowledge-base
 * search and its peers on the same queries.
 *
 *   bench_search rexian INDEX QUERIES.tsv ROUNDS [THREADS]
 *   bench_search naive  NAIVE_DB QUERIES.tsv ROUNDS      (Xapian CJK bigrams)
 *   bench_search fts5   FTS5_DB QUERIES.tsv ROUNDS       (SQLite FTS5 trigram)
 *   bench_search build-peers CORPUS NAIVE_DB FTS5_DB
 *
 * Every query of the TSV (query = 2nd column) runs ROUNDS times; we print
 * queries per second, p50, p99 and max latency, hits per query. */
#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/kb.h"
#include "rexian/search.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include "../common/peers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUERIES 4096

typedef struct {
    const char *engine, *index;
    char **qs;
    size_t nq;
    int rounds;
    double *lat; /* nq * rounds */
    size_t hits;
    double first_ms;
    size_t docs;
    int rc;
} run;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void *run_queries(void *arg)
{
    run *r = arg;
    double t0 = rx_now();
    rx_kb *kb = NULL;
    sqlite3 *db = NULL;
    if (!strcmp(r->engine, "rexian")) {
        if (rx_kb_open(&kb, r->index) != RX_OK) {
            fprintf(stderr, "bench_search: %s\n", rx_error_last());
            r->rc = 2;
            return NULL;
        }
        r->docs = rx_kb_doccount(kb);
    } else if (!strcmp(r->engine, "fts5")) {
        db = fts_peer_open(r->index, NULL, 0);
    }
    size_t k = 0;
    for (int round = -1; round < r->rounds; round++) {
        for (size_t i = 0; i < r->nq; i++) {
            double a = rx_now();
            size_t hits = 0;
            if (kb) {
                rx_kb_query q = {.q = r->qs[i], .limit = 10};
                cJSON *res = NULL;
                if (rx_kb_search(&res, kb, &q) != RX_OK) {
                    fprintf(stderr, "bench_search: %s\n", rx_error_last());
                    r->rc = 2;
                    return NULL;
                }
                hits = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "hits"));
                cJSON_Delete(res);
            } else if (db) {
                char *got[10];
                hits = fts_peer_search(got, 10, db, r->qs[i]);
                for (size_t h = 0; h < hits; h++)
                    free(got[h]);
            } else {
                char **got = NULL;
                rx_naive_search(&got, &hits, r->index, r->qs[i], 10);
                rx_ids_free(got, hits);
            }
            if (round < 0) { /* warm-up round: the first answer after opening */
                if (i == 0)
                    r->first_ms = (rx_now() - t0) * 1000;
                continue;
            }
            r->lat[k++] = (rx_now() - a) * 1000;
            if (getenv("BENCH_SLOW") && r->lat[k - 1] > atof(getenv("BENCH_SLOW")))
                fprintf(stderr, "slow %.2f ms: %s\n", r->lat[k - 1], r->qs[i]);
            r->hits += hits;
        }
    }
    rx_kb_free(kb);
    if (db)
        sqlite3_close(db);
    return NULL;
}

static size_t load_queries(char **qs, char **data, const char *path)
{
    size_t len, nq = 0;
    if (rx_file_read(data, &len, path, 1 << 24) != RX_OK) {
        fprintf(stderr, "bench_search: %s\n", rx_error_last());
        exit(2);
    }
    char *save = NULL;
    for (char *line = strtok_r(*data, "\n", &save); line && nq < MAX_QUERIES;
         line = strtok_r(NULL, "\n", &save)) {
        char *t1 = strchr(line, '\t');
        char *q = t1 ? t1 + 1 : line;
        char *t2 = strchr(q, '\t');
        if (t2)
            *t2 = '\0';
        qs[nq++] = q;
    }
    return nq;
}

static int build_peers(const char *corpus, const char *naive, const char *fts)
{
    rx_doc *docs;
    size_t n;
    rx_diags diags = {0};
    if (rx_corpus_load(&docs, &n, corpus, &diags) != RX_OK) {
        fprintf(stderr, "bench_search: %s\n", rx_error_last());
        return 2;
    }
    const char **ids = calloc(n, sizeof *ids), **titles = calloc(n, sizeof *titles),
               **bodies = calloc(n, sizeof *bodies);
    for (size_t k = 0; k < n; k++) {
        ids[k] = docs[k].id;
        titles[k] = docs[k].title;
        bodies[k] = docs[k].body;
    }
    double t = rx_now();
    int rc = rx_naive_build(naive, ids, titles, bodies, n, 5);
    printf("naive Xapian peer: %zu documents indexed in %.1f s (%.0f docs/s)\n", n, rx_now() - t,
           (double)n / (rx_now() - t));
    t = rx_now();
    remove(fts);
    sqlite3 *db = fts_peer_open(fts, docs, n);
    printf("FTS5 trigram peer: %zu documents indexed in %.1f s (%.0f docs/s)\n", n, rx_now() - t,
           (double)n / (rx_now() - t));
    sqlite3_close(db);
    for (size_t k = 0; k < n; k++)
        rx_doc_clear(&docs[k]);
    free(docs);
    free(ids);
    free(titles);
    free(bodies);
    rx_diags_free(&diags);
    return rc == RX_OK && db ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "build-peers"))
        return build_peers(argv[2], argv[3], argv[4]);
    if (argc < 5) {
        fprintf(stderr, "usage: bench_search rexian|naive|fts5 INDEX QUERIES.tsv ROUNDS [THREADS]\n"
                        "       bench_search build-peers CORPUS NAIVE_DB FTS5_DB\n");
        return 2;
    }
    static char *qs[MAX_QUERIES];
    char *data;
    size_t nq = load_queries(qs, &data, argv[3]);
    int rounds = atoi(argv[4]), threads = argc > 5 ? atoi(argv[5]) : 1;
    if (threads < 1 || threads > 16 || rounds < 1)
        return 2;
    run runs[16];
    pthread_t th[16];
    /* as `rexian serve` does at start: friso's dictionary, which a long
     * question that sounds like a lexicon term asks for, loaded before */
    if (!strcmp(argv[1], "rexian"))
        rx_segment_warm();
    double start = rx_now();
    for (int t = 0; t < threads; t++) {
        runs[t] = (run){.engine = argv[1], .index = argv[2], .qs = qs, .nq = nq, .rounds = rounds};
        runs[t].lat = malloc(nq * (size_t)rounds * sizeof(double));
        pthread_create(&th[t], NULL, run_queries, &runs[t]);
    }
    for (int t = 0; t < threads; t++)
        pthread_join(th[t], NULL);
    double total = rx_now() - start;
    size_t per = nq * (size_t)rounds, n = per * (size_t)threads, hits = 0;
    double *all = malloc(n * sizeof *all);
    for (int t = 0; t < threads; t++) {
        if (runs[t].rc)
            return runs[t].rc;
        memcpy(all + per * (size_t)t, runs[t].lat, per * sizeof *all);
        hits += runs[t].hits;
        free(runs[t].lat);
    }
    qsort(all, n, sizeof *all, cmp_double);
    printf("%-6s %d thread%s: %zu queries x %d rounds: %.0f queries/s, p50 %.3f ms, p99 %.3f ms, "
           "max %.3f ms, %.1f hits/query; open + first answer %.1f ms\n",
           argv[1], threads, threads > 1 ? "s" : " ", nq, rounds, (double)n / total, all[n / 2],
           all[n * 99 / 100], all[n - 1], (double)hits / (double)n, runs[0].first_ms);
    free(all);
    free(data);
    return 0;
}
