/* rexian: the command-line entry point. Wiring only: parse the command,
 * call the module, report. */
#include "rexian/analyzer.h"
#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/kb.h"
#include "rexian/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RX_VERSION "0.1.0"

static void usage(FILE *f)
{
    fputs("usage:\n"
          "  rexian index [--full] [--quiet] CORPUS_DIR INDEX_DIR\n"
          "  rexian search [--index DIR] [--limit N] [--json] [--department D] [--type T]\n"
          "                [--expired] [--as-of YYYY-MM-DD] QUERY...\n"
          "  rexian --version | help\n",
          f);
}

static int cmd_index(int argc, char **argv)
{
    static const struct option opts[] = {{"full", no_argument, 0, 'f'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"analyzer", required_argument, 0, 'a'},
                                         {"batch", required_argument, 0, 'b'},
                                         {0, 0, 0, 0}};
    rx_build_opts o = {0};
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "fq", opts, NULL)) != -1) {
        switch (c) {
        case 'f': o.full = true; break;
        case 'q': quiet = true; break;
        case 'a': o.analyzer = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'b': o.batch = (size_t)strtoul(optarg, NULL, 10); break;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        fputs("rexian index: expected CORPUS_DIR and INDEX_DIR\n", stderr);
        usage(stderr);
        return 2;
    }
    o.corpus_dir = argv[optind];
    o.index_dir = argv[optind + 1];
    o.progress = !quiet && isatty(STDERR_FILENO);
    rx_diags diags = {0};
    rx_build_stats st;
    int rc = rx_build(&st, &o, &diags);
    for (size_t k = 0; k < diags.n; k++)
        fprintf(stderr, "%s/%s:%zu: %s\n", o.corpus_dir, diags.items[k].path,
                diags.items[k].line, diags.items[k].reason);
    if (rc != RX_OK) {
        fprintf(stderr, "rexian index: %s (the published index is unchanged)\n", rx_error_last());
        rx_diags_free(&diags);
        return 2;
    }
    double mb = (double)st.bytes_read / 1e6;
    fprintf(stderr,
            "%zu documents in generation %ld (%s); %zu files, %zu changed, %zu rejected; "
            "%zu added, %zu removed; %.2f s, %.1f MB/s\n",
            st.documents, st.generation, st.published ? "published" : "up to date", st.files,
            st.files_changed, st.files_rejected, st.added, st.removed, st.seconds,
            st.seconds > 0 ? mb / st.seconds : 0.0);
    int status = diags.n ? 1 : 0;
    rx_diags_free(&diags);
    return status;
}

/* Prints a snippet for a terminal: <mark> as bold, entities decoded. */
static void print_snippet(const char *s, bool tty)
{
    static const struct {
        const char *from, *to;
    } ent[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
    while (*s) {
        if (!strncmp(s, "<mark>", 6)) {
            fputs(tty ? "\033[1;33m" : "[", stdout);
            s += 6;
            continue;
        }
        if (!strncmp(s, "</mark>", 7)) {
            fputs(tty ? "\033[0m" : "]", stdout);
            s += 7;
            continue;
        }
        bool done = false;
        for (size_t k = 0; k < sizeof ent / sizeof ent[0] && !done; k++) {
            size_t n = strlen(ent[k].from);
            if (!strncmp(s, ent[k].from, n)) {
                fputs(ent[k].to, stdout);
                s += n;
                done = true;
            }
        }
        if (!done)
            putchar(*s++);
    }
}

static const char *json_str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {{"index", required_argument, 0, 'i'},
                                         {"limit", required_argument, 0, 'n'},
                                         {"json", no_argument, 0, 'j'},
                                         {"department", required_argument, 0, 'd'},
                                         {"type", required_argument, 0, 't'},
                                         {"expired", no_argument, 0, 'e'},
                                         {"as-of", required_argument, 0, 'o'},
                                         {"today", required_argument, 0, 'T'},
                                         {"analyzer", required_argument, 0, 'a'},
                                         {0, 0, 0, 0}};
    const char *index = "var/index";
    bool json = false;
    rx_kb_query q = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:n:j", opts, NULL)) != -1) {
        switch (c) {
        case 'i': index = optarg; break;
        case 'n': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 100) {
                fputs("rexian search: --limit must be a number from 1 to 100\n", stderr);
                return 2;
            }
            q.limit = (size_t)n;
            break;
        }
        case 'j': json = true; break;
        case 'd': q.department = optarg; break;
        case 't': q.type = optarg; break;
        case 'e': q.expired = true; break;
        case 'o': q.as_of = optarg; break;
        case 'T': q.today = optarg; break;
        case 'a': q.analyzer = (unsigned)strtoul(optarg, NULL, 0); break;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        fputs("rexian search: no query given\n", stderr);
        usage(stderr);
        return 2;
    }
    rx_buf text = {0};
    for (int k = optind; k < argc; k++) {
        if (k > optind)
            rx_buf_putc(&text, ' ');
        rx_buf_puts(&text, argv[k]);
    }
    q.q = text.data;
    rx_kb *kb = NULL;
    cJSON *res = NULL;
    int rc = rx_kb_open(&kb, index);
    if (rc == RX_OK)
        rc = rx_kb_search(&res, kb, &q);
    if (rc != RX_OK) {
        fprintf(stderr, "rexian search: %s\n", rx_error_last());
        rx_kb_free(kb);
        rx_buf_free(&text);
        return 2;
    }
    const cJSON *hits = cJSON_GetObjectItemCaseSensitive(res, "hits");
    if (json) {
        char *s = cJSON_PrintUnformatted(hits);
        puts(s ? s : "[]");
        free(s);
    } else {
        bool tty = isatty(STDOUT_FILENO);
        int i = 0;
        const cJSON *h;
        cJSON_ArrayForEach(h, hits)
        {
            printf("%2d. %s  [%s · %s · %s]  %.2f\n    ", ++i, json_str(h, "title"),
                   json_str(h, "type"), json_str(h, "department"), json_str(h, "id"),
                   cJSON_GetObjectItemCaseSensitive(h, "score")->valuedouble);
            print_snippet(json_str(h, "snippet"), tty);
            putchar('\n');
        }
        if (!i)
            puts("没有找到相关文档。");
        printf("(%d of about %.0f, %.2f ms)\n", i,
               cJSON_GetObjectItemCaseSensitive(res, "total")->valuedouble,
               cJSON_GetObjectItemCaseSensitive(res, "took_ms")->valuedouble);
    }
    cJSON_Delete(res);
    rx_kb_free(kb);
    rx_buf_free(&text);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("rexian %s\n", RX_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "index"))
        return cmd_index(argc - 1, argv + 1);
    if (!strcmp(cmd, "search"))
        return cmd_search(argc - 1, argv + 1);
    fprintf(stderr, "rexian: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
