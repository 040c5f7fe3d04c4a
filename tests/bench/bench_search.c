/* In-process query latency of the knowledge base (make bench-search).
 * Runs every query of a TSV file (the query is the 2nd column) ROUNDS times
 * through rx_kb_search, as the HTTP service will, and prints p50/p99/max and
 * queries per second. */
#include "rexian/error.h"
#include "rexian/kb.h"
#include "rexian/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_search INDEX QUERIES.tsv [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 20;
    char *data;
    size_t len;
    if (rx_file_read(&data, &len, argv[2], 1 << 24) != RX_OK) {
        fprintf(stderr, "bench_search: %s\n", rx_error_last());
        return 2;
    }
    char *qs[4096];
    size_t nq = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line && nq < 4096;
         line = strtok_r(NULL, "\n", &save)) {
        char *t1 = strchr(line, '\t');
        char *q = t1 ? t1 + 1 : line;
        char *t2 = strchr(q, '\t');
        if (t2)
            *t2 = '\0';
        qs[nq++] = q;
    }
    double t0 = rx_now();
    rx_kb *kb;
    if (rx_kb_open(&kb, argv[1]) != RX_OK) {
        fprintf(stderr, "bench_search: %s\n", rx_error_last());
        return 2;
    }
    cJSON *first = NULL;
    rx_kb_query warm = {.q = qs[0]};
    rx_kb_search(&first, kb, &warm);
    cJSON_Delete(first);
    double first_ms = (rx_now() - t0) * 1000;
    size_t n = nq * (size_t)rounds, k = 0, hits = 0;
    double *lat = malloc(n * sizeof *lat);
    double start = rx_now();
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < nq; i++) {
            rx_kb_query q = {.q = qs[i], .limit = 10};
            cJSON *res = NULL;
            double a = rx_now();
            if (rx_kb_search(&res, kb, &q) != RX_OK) {
                fprintf(stderr, "bench_search: %s\n", rx_error_last());
                return 2;
            }
            lat[k++] = (rx_now() - a) * 1000;
            hits += (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "hits"));
            cJSON_Delete(res);
        }
    }
    double total = rx_now() - start;
    qsort(lat, n, sizeof *lat, cmp_double);
    printf("%zu docs, %zu queries x %d rounds: %.0f queries/s, p50 %.3f ms, p99 %.3f ms, max "
           "%.3f ms, %.1f hits/query; open + first answer %.1f ms\n",
           rx_kb_doccount(kb), nq, rounds, (double)n / total, lat[n / 2], lat[n * 99 / 100],
           lat[n - 1], (double)hits / (double)n, first_ms);
    free(lat);
    rx_kb_free(kb);
    free(data);
    return 0;
}
