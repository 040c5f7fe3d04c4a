/* Measures agent assist (docs/ASSIST.md):
 *
 *   assist_eval --index DIR --corpus DIR --db FILE --heldout TSV [--docs TSV]
 *               [--method nb|knn|duty|hits|nbduty|all|search] [--misses]
 *               [--dept-gain G] [--ask-weight W]
 *     department top-1/top-3, level and (for consultations) documents
 *     recall@3 on held-out tickets, the model trained on the tickets in FILE
 *     (a `rexian demo` database), and the suggestion's time (mean, p99, max;
 *     with RX_SLOW=MS in the environment, each ticket slower than MS on
 *     stderr with its similar-ticket lookup's share);
 *   assist_eval --index DIR --corpus DIR --learned QUERIES.tsv
 *     resolution feeds ranking: half of each document's queries resolve a
 *     simulated call with it, the other half are searched, MRR@10 with and
 *     without the learned terms.
 *
 * heldout: id kind content address lead level answer_need (header line);
 * docs: id doc_ids (comma-separated; empty when nothing in the corpus
 * answers).
 */
#include "rexian/assist.h"
#include "rexian/error.h"
#include "rexian/kb.h"
#include "rexian/text.h"
#include "rexian/tickets.h"
#include "rexian/util.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 8

static double dept_gain = RX_ASSIST_DEPT_GAIN;
static double ask_weight = RX_ASSIST_ASK_WEIGHT;
static bool search_baseline; /* --method search: the departments of the search's hits */

typedef struct {
    char *f[MAXF];
    int n;
} row;

static int read_tsv(row **out, const char *path, bool header)
{
    char *data;
    if (rx_file_read(&data, NULL, path, 64u << 20) != RX_OK) {
        fprintf(stderr, "assist_eval: cannot read %s\n", path);
        exit(2);
    }
    int n = 0, cap = 0;
    row *rows = NULL;
    char *save, *line = strtok_r(data, "\n", &save);
    for (bool first = true; line; line = strtok_r(NULL, "\n", &save), first = false) {
        if ((first && header) || !*line)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            rows = realloc(rows, (size_t)cap * sizeof *rows);
        }
        row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        char *p = line;
        while (r->n < MAXF) {
            char *tab = strchr(p, '\t');
            if (tab)
                *tab = '\0';
            size_t l = strlen(p);
            if (l && p[l - 1] == '\r')
                p[l - 1] = '\0';
            r->f[r->n++] = p;
            if (!tab)
                break;
            p = tab + 1;
        }
    }
    *out = rows;
    return n;
}

static const char *field(const row *r, int i)
{
    return i < r->n ? r->f[i] : "";
}

static bool in_list(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; (p = strstr(p, id)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return true;
    return false;
}

/* The ids of the first k hits of a search answer. */
static int hit_rank(const cJSON *res, const char *relevant, int k)
{
    int i = 0;
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(res, "hits"))
    {
        if (i >= k)
            break;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(h, "id");
        if (cJSON_IsString(id) && in_list(relevant, id->valuestring))
            return i + 1;
        i++;
    }
    return 0;
}

static int learn(void *ctx, const rx_signal *s)
{
    void **c = ctx;
    return rx_assist_observe(c[0], c[1], s);
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int heldout(rx_kb *kb, rx_assist *a, const rx_analyzer *an, rx_tickets *t, const char *path,
                   const char *docs_path, unsigned method, bool misses)
{
    row *rows, *docs = NULL;
    int n = read_tsv(&rows, path, true), nd = docs_path ? read_tsv(&docs, docs_path, false) : 0;
    int top1 = 0, top3 = 0, lvl = 0, nlocal = 0, local1 = 0, ncons = 0, cons3 = 0;
    int lvl_conf[3][3] = {{0}};
    int conf_stats[2][2] = {{0}}; /* [confident][first document right] */
    int nunanswered = 0, unanswered_conf = 0;
    double took = 0, worst = 0, tsim = 0;
    double *times = calloc(n > 0 ? (size_t)n : 1, sizeof *times);
    /* as `rexian serve` does: friso's dictionary loaded before the first call */
    rx_segment_warm();
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        const char *content = field(r, 2), *addr = field(r, 3), *lead = field(r, 4),
                   *level = field(r, 5);
        double t0 = rx_now();
        const char *names[20];
        double w[20];
        size_t nn = 0;
        cJSON *sim = NULL;
        double ts0 = rx_now();
        int simrc = t ? rx_assist_similar(&sim, a, t, content, NULL, 20) : RX_ENOTFOUND;
        double this_sim = rx_now() - ts0;
        tsim += this_sim;
        if (simrc == RX_OK) {
            const cJSON *s;
            cJSON_ArrayForEach(s, sim)
            {
                const cJSON *l = cJSON_GetObjectItemCaseSensitive(s, "lead");
                const cJSON *sc = cJSON_GetObjectItemCaseSensitive(s, "score");
                if (cJSON_IsString(l) && nn < 20) {
                    names[nn] = l->valuestring;
                    w[nn++] = cJSON_IsNumber(sc) ? sc->valuedouble : 1;
                }
            }
        }
        rx_assist_input in = {.content = content,
                              .address = addr,
                              .neighbours = names,
                              .neighbour_weights = w,
                              .nneighbours = nn};
        /* the search assist runs: its departments are evidence, its hits the documents */
        cJSON *hres = NULL;
        const char *hd[RX_ASSIST_HIT_EVIDENCE];
        double hs[RX_ASSIST_HIT_EVIDENCE];
        if (rx_assist_search(&hres, kb, content) == RX_OK)
            rx_assist_hit_evidence(&in, hres, hd, hs, RX_ASSIST_HIT_EVIDENCE);
        rx_assist_hint h;
        rx_assist_suggest(&h, a, an, &in, method);
        double dt = rx_now() - t0;
        took += dt;
        if (times)
            times[i] = dt;
        if (getenv("RX_SLOW") && dt > atof(getenv("RX_SLOW")) / 1000)
            fprintf(stderr, "SLOW %.1f ms (similar %.1f ms) %s\n", dt * 1000, this_sim * 1000,
                    content);
        if (dt > worst)
            worst = dt;
        int rank = 0;
        for (size_t k = 0; k < h.ndepts; k++)
            if (!strcmp(h.depts[k].name, lead) && !rank)
                rank = (int)k + 1;
        if (search_baseline) { /* the departments of the search's hits, in order */
            rx_kb_query kq = {.q = content, .limit = 30};
            cJSON *res = NULL;
            rank = 0;
            if (rx_kb_search(&res, kb, &kq) == RX_OK) {
                const cJSON *hit;
                int seen = 0;
                const char *prev[30];
                cJSON_ArrayForEach(hit, cJSON_GetObjectItemCaseSensitive(res, "hits"))
                {
                    const char *d =
                        cJSON_GetObjectItemCaseSensitive(hit, "department")->valuestring;
                    bool dup = false;
                    for (int k = 0; k < seen; k++)
                        dup |= !strcmp(prev[k], d);
                    if (dup || seen >= 30)
                        continue;
                    prev[seen++] = d;
                    if (!strcmp(d, lead)) {
                        rank = seen;
                        break;
                    }
                }
            }
            cJSON_Delete(res);
        }
        top1 += rank == 1;
        top3 += rank >= 1 && rank <= 3;
        bool is_local = strstr(lead, "人民政府") || strstr(lead, "管委会");
        nlocal += is_local;
        local1 += is_local && rank == 1;
        int want = rx_level_find(level), got = h.level;
        lvl += want == got;
        if (want >= 1 && got >= 1)
            lvl_conf[want - 1][got - 1]++;
        if (misses && rank != 1)
            printf("MISS %s\t%s\t%s\tgot %s\n", field(r, 0), lead, content,
                   h.ndepts ? h.depts[0].name : "-");
        if (misses && want != got)
            printf("LEVELMISS %s\t%s\t%s\tgot %s\n", field(r, 0), level, content,
                   rx_level_name(got));
        cJSON_Delete(sim);
        /* documents, for consultations with a judged answer */
        const char *judged = NULL;
        for (int k = 0; k < nd; k++)
            if (!strcmp(field(&docs[k], 0), field(r, 0)))
                judged = field(&docs[k], 1);
        /* a consultation's documents, as the assist shows them; where no
         * document answers, they should say they are unsure */
        if (!strcmp(field(r, 1), "consult") && judged) {
            cJSON *hits = NULL, *res = cJSON_CreateObject();
            bool conf = false;
            cJSON *taken = hres;
            hres = NULL;
            if (taken && rx_assist_focus(taken, kb, ask_weight) != RX_OK) {
                cJSON_Delete(taken);
                taken = NULL;
            }
            if (taken &&
                rx_assist_documents(&hits, &conf, a, taken, an, &h, dept_gain, rx_now()) == RX_OK) {
                cJSON_AddItemToObject(res, "hits", hits);
                if (!*judged) {
                    nunanswered++;
                    unanswered_conf += conf;
                } else {
                    ncons++;
                    int rr = hit_rank(res, judged, 3);
                    cons3 += rr > 0;
                    conf_stats[conf][rr == 1]++;
                    if (misses && !rr) {
                        /* what came instead, and where the judged one is in the five */
                        int r5 = hit_rank(res, judged, 5);
                        printf("DOCMISS %s\t%s\twant %s (", field(r, 0), content, judged);
                        if (r5)
                            printf("rank %d)\tgot", r5);
                        else
                            printf("not in the five)\tgot");
                        const cJSON *g;
                        cJSON_ArrayForEach(g, hits)
                        {
                            const char *id = rx_json_str(g, "id");
                            printf(" %s", id ? id : "-");
                        }
                        printf("\n");
                    }
                }
            }
            cJSON_Delete(res);
        }
        cJSON_Delete(hres);
    }
    printf("tickets %d: department top-1 %.3f top-3 %.3f; 属地 %d top-1 %.3f; level %.3f\n", n,
           (double)top1 / n, (double)top3 / n, nlocal, nlocal ? (double)local1 / nlocal : 0,
           (double)lvl / n);
    printf("level confusion (rows: want immediate/consult/leader; cols: got): "
           "%d %d %d | %d %d %d | %d %d %d\n",
           lvl_conf[0][0], lvl_conf[0][1], lvl_conf[0][2], lvl_conf[1][0], lvl_conf[1][1],
           lvl_conf[1][2], lvl_conf[2][0], lvl_conf[2][1], lvl_conf[2][2]);
    /* the documents' `confident` is about the first one shown */
    int right = conf_stats[0][1] + conf_stats[1][1], sure = conf_stats[1][0] + conf_stats[1][1];
    printf("consultations with a judged answer %d: documents recall@3 %.3f (confident %d)\n", ncons,
           ncons ? (double)cons3 / ncons : 0, sure);
    printf("first documents right %d: confident %d (%.3f); confident %d: right %.3f; "
           "consultations no document answers %d: unsure %.3f\n",
           right, conf_stats[1][1], right ? (double)conf_stats[1][1] / right : 0, sure,
           sure ? (double)conf_stats[1][1] / sure : 0, nunanswered,
           nunanswered ? 1 - (double)unanswered_conf / nunanswered : 0);
    double p99 = 0;
    if (times && n > 0) {
        qsort(times, (size_t)n, sizeof *times, by_double);
        p99 = times[(size_t)(0.99 * (n - 1))];
    }
    free(times);
    printf("suggestion time: mean %.2f ms (similar tickets %.2f ms), p99 %.2f ms, max %.2f ms\n",
           1000 * took / n, 1000 * tsim / n, 1000 * p99, 1000 * worst);
    return 0;
}

/* Half of each document's queries resolve a call with it; the others are
 * searched with and without what that taught. */
static int learned(rx_kb *kb, rx_assist *a, const rx_analyzer *an, const char *path,
                   const char *test_path)
{
    row *rows;
    int n = read_tsv(&rows, path, false), nlogrows = n;
    if (test_path) { /* every query of path resolves a call; test_path's are searched */
        row *test;
        int nt = read_tsv(&test, test_path, false);
        rows = realloc(rows, (size_t)(n + nt) * sizeof *rows);
        memcpy(rows + n, test, (size_t)nt * sizeof *test);
        n += nt;
    }
    bool *logq = calloc((size_t)n, sizeof *logq);
    /* alternate within each first relevant document */
    for (int i = 0; i < n; i++) {
        int before = 0;
        char first[128];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(field(&rows[i], 2), ","),
                 field(&rows[i], 2));
        for (int k = 0; k < i; k++)
            before += strncmp(field(&rows[k], 2), first, strlen(first)) == 0;
        logq[i] = test_path ? i < nlogrows : before % 2 == 0;
    }
    double now = rx_now();
    long long ev = 1;
    int nlog = 0;
    for (int i = 0; i < n; i++) {
        if (!logq[i])
            continue;
        char ids[256];
        snprintf(ids, sizeof ids, "[\"%.*s\"]", (int)strcspn(field(&rows[i], 2), ","),
                 field(&rows[i], 2));
        rx_signal s = {.event = ev++,
                       .ticket = ev,
                       .action = "resolve_first_contact",
                       .at = now - 86400,
                       .doc_ids = ids,
                       .lookups = field(&rows[i], 1),
                       .content = field(&rows[i], 1)};
        rx_assist_observe(a, an, &s);
        nlog++;
    }
    double mrr0 = 0, mrr1 = 0;
    int ntest = 0, better = 0, worse = 0, moved = 0, moved_conf = 0, moved_conf_right = 0;
    for (int i = 0; i < n; i++) {
        if (logq[i])
            continue;
        rx_kb_query kq = {.q = field(&rows[i], 1), .limit = 30};
        cJSON *res = NULL;
        if (rx_kb_search(&res, kb, &kq) != RX_OK)
            continue;
        int r0 = hit_rank(res, field(&rows[i], 2), 10);
        char first0[64];
        const char *f0 =
            rx_json_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "hits"), 0), "id");
        snprintf(first0, sizeof first0, "%s", f0 ? f0 : "");
        rx_assist_rerank(a, an, kq.q, cJSON_GetObjectItemCaseSensitive(res, "hits"), now);
        int r1 = hit_rank(res, field(&rows[i], 2), 10);
        const cJSON *nf = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "hits"), 0);
        /* a first hit the learned terms put there: is the search's
         * `confident`, which the answer keeps, right about it? */
        if (nf && strcmp(first0, rx_json_str(nf, "id")) != 0) {
            bool conf = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "confident"));
            moved++;
            moved_conf += conf;
            moved_conf_right += conf && r1 == 1;
        }
        mrr0 += r0 ? 1.0 / r0 : 0;
        mrr1 += r1 ? 1.0 / r1 : 0;
        better += (r1 && (!r0 || r1 < r0));
        worse += (r0 && (!r1 || r1 > r0));
        ntest++;
        cJSON_Delete(res);
    }
    printf("learned terms: %d resolved calls, %d test queries (never a resolved one): MRR@10 "
           "%.3f without, %.3f with (%d better, %d worse)\n",
           nlog, ntest, mrr0 / ntest, mrr1 / ntest, better, worse);
    printf("first hits the learned terms put first %d: confident %d, of which right %d\n", moved,
           moved_conf, moved_conf_right);
    free(logq);
    return 0;
}

int main(int argc, char **argv)
{
    const char *index = NULL, *corpus = "corpus", *db = NULL, *held = NULL, *docs = NULL,
               *lq = NULL, *lt = NULL;
    unsigned method = RX_ASSIST_DEFAULT;
    bool misses = false;
    static const struct option opts[] = {
        {"index", 1, 0, 'i'},     {"corpus", 1, 0, 'c'},     {"db", 1, 0, 'd'},
        {"heldout", 1, 0, 'h'},   {"docs", 1, 0, 'D'},       {"learned", 1, 0, 'l'},
        {"method", 1, 0, 'm'},    {"misses", 0, 0, 'M'},     {"learned-test", 1, 0, 'L'},
        {"dept-gain", 1, 0, 'g'}, {"ask-weight", 1, 0, 'w'}, {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'i': index = optarg; break;
        case 'c': corpus = optarg; break;
        case 'd': db = optarg; break;
        case 'h': held = optarg; break;
        case 'D': docs = optarg; break;
        case 'l': lq = optarg; break;
        case 'L': lt = optarg; break;
        case 'g': dept_gain = atof(optarg); break;
        case 'w': ask_weight = atof(optarg); break;
        case 'M': misses = true; break;
        case 'm':
            search_baseline = !strcmp(optarg, "search");
            method = !strcmp(optarg, "duty")     ? RX_ASSIST_DUTY
                     : !strcmp(optarg, "nbduty") ? RX_ASSIST_DUTY | RX_ASSIST_NB
                     : !strcmp(optarg, "all")    ? RX_ASSIST_DUTY | RX_ASSIST_NB | RX_ASSIST_KNN
                     : !strcmp(optarg, "hits")   ? RX_ASSIST_HITS
                     : !strcmp(optarg, "nb")     ? RX_ASSIST_NB
                     : !strcmp(optarg, "knn")    ? RX_ASSIST_KNN
                                                 : RX_ASSIST_BOTH;
            break;
        default: return 2;
        }
    }
    if (!index || (!held && !lq)) {
        fprintf(stderr, "usage: assist_eval --index DIR [--corpus DIR] (--db FILE --heldout TSV "
                        "[--docs TSV] [--method nb|knn|duty|hits|nbduty|all|search] [--misses] "
                        "[--dept-gain G] [--ask-weight W] | "
                        "--learned TSV)\n");
        return 2;
    }
    rx_kb *kb;
    rx_assist *a;
    if (rx_kb_open(&kb, index) != RX_OK || rx_assist_new(&a, NULL) != RX_OK) {
        fprintf(stderr, "assist_eval: %s\n", rx_error_last());
        return 1;
    }
    rx_analyzer an = rx_kb_analyzer(kb);
    rx_assist_set_corpus(a, rx_kb_departments(kb), rx_kb_duties(kb), &an, rx_kb_generation(kb));
    rx_tickets *t = NULL;
    rx_wf_setup setup = {0};
    if (db) {
        rx_diags diags = {0};
        if (rx_wf_setup_load(&setup, corpus, NULL, &diags) != RX_OK ||
            rx_tickets_open(&t, db, setup.departments, setup.calendar, &setup.rules) != RX_OK) {
            fprintf(stderr, "assist_eval: %s\n", rx_error_last());
            return 1;
        }
        rx_diags_free(&diags);
        double t0 = rx_now();
        long long last = 0, after = -1;
        void *ctx[2] = {a, &an};
        while (last != after) {
            after = last;
            if (rx_tickets_signals(t, after, 50000, learn, ctx, &last) != RX_OK) {
                fprintf(stderr, "assist_eval: %s\n", rx_error_last());
                return 1;
            }
        }
        long long events, lastev;
        rx_assist_progress(a, &events, &lastev);
        printf("learnt %lld events of %lld tickets in %.1f s\n", events, rx_tickets_count(t),
               rx_now() - t0);
    }
    /* the linear classifier, as the server's learner fits it once caught up */
    if (rx_assist_refit(a, 0, NULL) != RX_OK) {
        fprintf(stderr, "assist_eval: %s\n", rx_error_last());
        return 1;
    }
    size_t fitted;
    double fit_s;
    rx_assist_fit_info(a, &fitted, &fit_s);
    printf("linear classifier fitted on %zu examples in %.1f s\n", fitted, fit_s);
    int rc =
        held ? heldout(kb, a, &an, t, held, docs, method, misses) : learned(kb, a, &an, lq, lt);
    rx_tickets_free(t);
    rx_wf_setup_clear(&setup);
    rx_assist_free(a);
    rx_kb_free(kb);
    return rc;
}
