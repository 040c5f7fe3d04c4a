/* rexian: the command-line entry point. Wiring only: parse the command,
 * call the module, report. */
#include "demo.h"
#include "rexian/analyzer.h"
#include "rexian/app.h"
#include "rexian/error.h"
#include "rexian/http.h"
#include "rexian/import.h"
#include "rexian/indexer.h"
#include "rexian/kb.h"
#include "rexian/store.h"
#include "rexian/strmap.h"
#include "rexian/text.h"
#include "rexian/tickets.h"
#include "rexian/users.h"
#include "rexian/util.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define RX_VERSION "0.1.0"

static void usage(FILE *f)
{
    fputs(
        "usage:\n"
        "  rexian index [--full] [--quiet] CORPUS_DIR INDEX_DIR\n"
        "  rexian search [--index DIR] [--limit N] [--json|--answer] [--department D] [--type T]\n"
        "                [--expired] [--as-of YYYY-MM-DD] [--today YYYY-MM-DD] QUERY...\n"
        "  rexian serve [--index DIR] [--db FILE] [--corpus DIR] [--web DIR]\n"
        "               [--listen ADDR:PORT] [--threads N] [--rules FILE] [--quiet]\n"
        "               [--max-connections N] [--header-timeout S] [--body-timeout S]\n"
        "  rexian user add NAME --role agent|supervisor|department|trainer|admin\n"
        "                  [--department D] [--db FILE] [--index DIR]\n"
        "  rexian user list | revoke NAME [--db FILE]\n"
        "  rexian demo [--db FILE] [--count N] [--seed S] [--corpus DIR] [--index DIR]\n"
        "              [--years N] [--until YYYY-MM-DD] [--quiet]\n"
        "  rexian import [--department D] [--type T] [--today YYYY-MM-DD] [--dry-run]\n"
        "                FILE... CORPUS_DIR\n"
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
        fprintf(stderr, "%s/%s:%zu: %s\n", o.corpus_dir, diags.items[k].path, diags.items[k].line,
                diags.items[k].reason);
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
                                         {"answer", no_argument, 0, 'A'},
                                         {0, 0, 0, 0}};
    const char *index = "var/index";
    bool json = false, answer = false;
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
        case 'A': answer = true; break;
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
    bool confident = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "confident"));
    if (json || answer) {
        /* --json: the hits, as always; --answer: the whole API answer */
        char *s = cJSON_PrintUnformatted(answer ? res : hits);
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
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "pinyin")))
            puts("已按拼音理解检索（输入法可能未切换到中文）。");
        if (!i)
            puts("没有找到相关文档。");
        else if (!confident)
            puts("没有把握：知识库里可能没有这个问题的答案，请核实后再答复或交办。");
        printf("(%d of about %.0f, %.2f ms)\n", i,
               cJSON_GetObjectItemCaseSensitive(res, "total")->valuedouble,
               cJSON_GetObjectItemCaseSensitive(res, "took_ms")->valuedouble);
    }
    cJSON_Delete(res);
    rx_kb_free(kb);
    rx_buf_free(&text);
    return 0;
}

/* *out = optarg as a whole number from lo to hi, or false after saying so. */
static bool serve_number(unsigned *out, const char *name, long lo, long hi)
{
    char *end;
    long n = strtol(optarg, &end, 10);
    if (!*optarg || *end || n < lo || n > hi) {
        fprintf(stderr, "rexian serve: --%s must be a number from %ld to %ld\n", name, lo, hi);
        return false;
    }
    *out = (unsigned)n;
    return true;
}

/* Connections take a descriptor each: the soft limit goes up to the hard
 * one, so that the server's own connection limit is the one that holds. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"index", required_argument, 0, 'i'},
                                         {"db", required_argument, 0, 'd'},
                                         {"corpus", required_argument, 0, 'c'},
                                         {"web", required_argument, 0, 'w'},
                                         {"listen", required_argument, 0, 'l'},
                                         {"threads", required_argument, 0, 't'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"rules", required_argument, 0, 'r'},
                                         {"max-connections", required_argument, 0, 'm'},
                                         {"header-timeout", required_argument, 0, 'H'},
                                         {"body-timeout", required_argument, 0, 'B'},
                                         {0, 0, 0, 0}};
    const char *index = "var/index", *dbpath = "var/rexian.db", *corpus = "corpus";
    const char *rules = NULL;
    const char *web = "web";
    bool web_given = false;
    rx_http_config hc = {.listen = "127.0.0.1:8080",
                         .threads = 2,
                         .access_log = true,
                         .admit = rx_app_admit,
                         .offload = rx_app_offload};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'i': index = optarg; break;
        case 'd': dbpath = optarg; break;
        case 'c': corpus = optarg; break;
        case 'w':
            web = optarg;
            web_given = true;
            break;
        case 'l': hc.listen = optarg; break;
        case 't':
            if (!serve_number(&hc.threads, "threads", 1, 64))
                return 2;
            break;
        case 'm':
            if (!serve_number(&hc.max_connections, "max-connections", 16, 1000000))
                return 2;
            break;
        case 'H':
            if (!serve_number(&hc.header_timeout_s, "header-timeout", 1, 3600))
                return 2;
            break;
        case 'B':
            if (!serve_number(&hc.body_timeout_s, "body-timeout", 1, 3600))
                return 2;
            break;
        case 'q': hc.access_log = false; break;
        case 'r': rules = optarg; break;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    double clock_offset = 0;
    const char *offset_env = getenv("REXIAN_CLOCK_OFFSET");
    if (offset_env && *offset_env) {
        char *end;
        clock_offset = strtod(offset_env, &end);
        if (*end) {
            fputs("rexian serve: REXIAN_CLOCK_OFFSET must be a number of seconds\n", stderr);
            return 2;
        }
    }
    /* signals are taken by sigwait below, in this thread only */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    sqlite3 *db = NULL;
    rx_app *app = NULL;
    rx_http_server *srv = NULL;
    rx_kb *probe = NULL;
    rx_tickets *tickets = NULL;
    rx_wf_setup setup = {0};
    rx_diags diags = {0};
    int status = 2;
    int rc = rx_wf_setup_load(&setup, corpus, rules, &diags);
    for (size_t k = 0; k < diags.n; k++)
        fprintf(stderr, "rexian serve: %s:%zu: %s\n", diags.items[k].path, diags.items[k].line,
                diags.items[k].reason);
    rx_diags_free(&diags);
    if (rc != RX_OK) {
        fprintf(stderr, "rexian serve: %s\n", rx_error_last());
        return 2;
    }
    if (rx_kb_open(&probe, index) != RX_OK) {
        fprintf(stderr, "rexian serve: %s\n", rx_error_last());
        goto done;
    }
    size_t docs = rx_kb_doccount(probe);
    rx_kb_free(probe);
    if (rx_store_open(&db, dbpath) != RX_OK || rx_users_migrate(db) != RX_OK) {
        fprintf(stderr, "rexian serve: %s\n", rx_error_last());
        goto done;
    }
    size_t users = 0;
    char *admin_token = NULL;
    if (rx_user_count(db, &users) == RX_OK && users == 0 &&
        rx_user_add(&admin_token, db, "admin", "admin", NULL) != RX_OK) {
        fprintf(stderr, "rexian serve: %s\n", rx_error_last());
        goto done;
    }
    /* departments have one source while serving: the published index,
     * refreshed on every reindex (each request passes its handle's list) */
    if (rx_tickets_open(&tickets, dbpath, NULL, setup.calendar, &setup.rules) != RX_OK) {
        fprintf(stderr, "rexian serve: %s\n", rx_error_last());
        free(admin_token);
        goto done;
    }
    /* the console: a folder named with --web must be there; without
     * --web, the API is served alone when web/ is not (an install without
     * the console, or a working directory elsewhere) */
    struct stat wst;
    if (!web_given && (stat(web, &wst) != 0 || !S_ISDIR(wst.st_mode))) {
        fprintf(stderr, "rexian serve: no web/ folder here: serving the API without the console "
                        "(--web DIR names one)\n");
        web = NULL;
    }
    rx_app_config ac = {.index_path = index,
                        .web_dir = web,
                        .corpus_path = corpus,
                        .db = db,
                        .tickets = tickets,
                        .scan_interval_s = setup.rules.scan_interval_s,
                        .clock_offset = clock_offset};
    unsigned port = 0;
    raise_fd_limit();
    /* friso's dictionary loads on its first use (about 60 ms; a long question
     * that sounds like a lexicon term asks for it): now, not in a call */
    rx_segment_warm();
    if (rx_app_new(&app, &ac) != RX_OK ||
        rx_http_start(&srv, &hc, rx_app_dispatch, app, &port) != RX_OK) {
        fprintf(stderr, "rexian serve: %s\n", rx_error_last());
        free(admin_token);
        goto done;
    }
    rx_app_set_server(app, srv);
    char host[128];
    snprintf(host, sizeof host, "%.*s", (int)(strrchr(hc.listen, ':') - hc.listen), hc.listen);
    printf("rexian %s 正在服务：http://%s:%u/  （知识库 %zu 篇文档，%u 个工作线程）\n", RX_VERSION,
           host, port, docs, hc.threads < 2 ? 2 : hc.threads);
    if (admin_token) {
        /* printed once: whatever captures stdout (journald, docker logs)
         * should hold as few copies as possible */
        printf("首次启动，已创建管理员 admin。令牌只显示这一次，请妥善保存：\n  %s\n"
               "示例：curl -H \"Authorization: Bearer $TOKEN\" "
               "'http://%s:%u/api/v1/search?q=装修'\n",
               admin_token, host, port);
        free(admin_token);
    }
    fflush(stdout);
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "rexian serve: %s received, finishing requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    rx_app_set_server(app, NULL); /* a request finishing now reads no stopped server */
    rx_http_stop(srv, 10);
    srv = NULL;
    status = 0;
done:
    rx_http_stop(srv, 0);
    rx_app_free(app);
    rx_tickets_free(tickets);
    rx_wf_setup_clear(&setup);
    sqlite3_close(db);
    return status;
}

/* Who runs the CLI, for the audit log. */
static void cli_actor(char *out, size_t cap)
{
    const char *u = getenv("SUDO_USER");
    if (!u || !*u)
        u = getenv("USER");
    snprintf(out, cap, "cli:%s", u && *u ? u : "unknown");
}

static int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {{"role", required_argument, 0, 'r'},
                                         {"db", required_argument, 0, 'd'},
                                         {"department", required_argument, 0, 'D'},
                                         {"index", required_argument, 0, 'i'},
                                         {0, 0, 0, 0}};
    const char *role = NULL, *dbpath = "var/rexian.db", *department = NULL, *index = "var/index";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': role = optarg; break;
        case 'd': dbpath = optarg; break;
        case 'D': department = optarg; break;
        case 'i': index = optarg; break;
        default: usage(stderr); return 2;
        }
    }
    const char *verb = optind < argc ? argv[optind] : "";
    int nargs = argc - optind;
    bool add = !strcmp(verb, "add") && nargs == 2 && role;
    bool list = !strcmp(verb, "list") && nargs == 1;
    bool revoke = !strcmp(verb, "revoke") && nargs == 2;
    if (!add && !list && !revoke) {
        fputs("rexian user: expected `user add NAME --role ROLE [--department D]`, `user list` "
              "or `user revoke NAME`\n",
              stderr);
        usage(stderr);
        return 2;
    }
    sqlite3 *db;
    if (rx_store_open(&db, dbpath) != RX_OK || rx_users_migrate(db) != RX_OK) {
        fprintf(stderr, "rexian user: %s\n", rx_error_last());
        sqlite3_close(db);
        return 2;
    }
    char who[128];
    cli_actor(who, sizeof who);
    int status = 0;
    if (list) {
        cJSON *users = NULL;
        if (rx_user_list(&users, db) != RX_OK) {
            fprintf(stderr, "rexian user list: %s\n", rx_error_last());
            status = 2;
        }
        const cJSON *u;
        cJSON_ArrayForEach(u, users)
        {
            const cJSON *dep = cJSON_GetObjectItemCaseSensitive(u, "department");
            const cJSON *rev = cJSON_GetObjectItemCaseSensitive(u, "revoked");
            printf("%s\t%s\t%s\t%s%s\n", cJSON_GetObjectItemCaseSensitive(u, "name")->valuestring,
                   cJSON_GetObjectItemCaseSensitive(u, "role")->valuestring,
                   cJSON_IsString(dep) ? dep->valuestring : "-",
                   cJSON_GetObjectItemCaseSensitive(u, "created")->valuestring,
                   cJSON_IsString(rev) ? "\trevoked" : "");
        }
        cJSON_Delete(users);
    } else if (revoke) {
        if (rx_user_revoke(db, argv[optind + 1]) != RX_OK) {
            fprintf(stderr, "rexian user revoke: %s\n", rx_error_last());
            status = 2;
        } else {
            rx_audit(db, who, "admin", "user_revoke", argv[optind + 1], NULL);
            fprintf(stderr,
                    "user %s revoked: its token no longer works (a running server "
                    "stops accepting it within a second)\n",
                    argv[optind + 1]);
        }
    } else {
        /* a department is named as the published index knows it */
        char canon[256] = "";
        rx_kb *kb = NULL;
        if (department && rx_kb_open(&kb, index) == RX_OK) {
            const char *d = rx_kb_department(kb, department);
            if (!d) {
                fprintf(stderr, "rexian user add: unknown department '%s' (see %s)\n", department,
                        index);
                rx_kb_free(kb);
                sqlite3_close(db);
                return 2;
            }
            snprintf(canon, sizeof canon, "%s", d);
            department = canon;
        }
        rx_kb_free(kb);
        char *token = NULL;
        if (rx_user_add(&token, db, argv[optind + 1], role, department) != RX_OK) {
            fprintf(stderr, "rexian user add: %s\n", rx_error_last());
            status = 2;
        } else {
            rx_audit(db, who, "admin", "user_add", argv[optind + 1], role);
            printf("%s\n", token);
            fprintf(stderr, "user %s (%s) created; the token above is shown only once\n",
                    argv[optind + 1], role);
            free(token);
        }
    }
    sqlite3_close(db);
    return status;
}

static void demo_progress(void *ctx, long done, long total)
{
    (void)ctx;
    fprintf(stderr, "\r%ld / %ld 张工单", done, total);
}

/* The demo call-takers' searches: the knowledge base, each distinct query
 * run once (the demo's queries repeat). */
typedef struct {
    rx_kb *kb;
    rx_strmap memo; /* query → index + 1 in answers */
    struct demo_answer {
        double total;
        char top[3][64];
        int ntop;
        bool confident;
    } * answers;
    size_t n, cap;
} demo_kb;

static int demo_kb_search(void *ctx, const char *q, double *total, char top[3][64], int *ntop,
                          bool *confident)
{
    demo_kb *d = ctx;
    int added;
    rx_strmap_entry *m = rx_strmap_upsert(&d->memo, q, strlen(q), &added);
    if (!m)
        return rx_error_set(RX_ENOMEM, "out of memory");
    if (added) {
        struct demo_answer a = {0};
        cJSON *out = NULL;
        rx_kb_query kq = {.q = q, .limit = 3};
        if (rx_kb_search(&out, d->kb, &kq) == RX_OK) {
            a.total = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(out, "total"));
            a.confident = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(out, "confident"));
            const cJSON *h;
            cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(out, "hits"))
            {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(h, "id");
                if (a.ntop < 3 && cJSON_IsString(id))
                    snprintf(a.top[a.ntop++], 64, "%s", id->valuestring);
            }
        }
        cJSON_Delete(out);
        if (d->n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 256;
            struct demo_answer *grown = realloc(d->answers, cap * sizeof *grown);
            if (!grown)
                return rx_error_set(RX_ENOMEM, "out of memory");
            d->answers = grown;
            d->cap = cap;
        }
        d->answers[d->n] = a;
        m->value = d->n++;
    }
    const struct demo_answer *a = &d->answers[m->value];
    *total = a->total;
    *confident = a->confident;
    *ntop = a->ntop;
    memcpy(top, a->top, sizeof a->top);
    return RX_OK;
}

static int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                         {"corpus", required_argument, 0, 'c'},
                                         {"count", required_argument, 0, 'n'},
                                         {"seed", required_argument, 0, 's'},
                                         {"index", required_argument, 0, 'i'},
                                         {"years", required_argument, 0, 'y'},
                                         {"until", required_argument, 0, 'u'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {0, 0, 0, 0}};
    const char *dbpath = "var/rexian.db", *corpus = "corpus", *index = "var/index";
    long count = 20000, years = 1, until = RX_DATE_INVALID;
    unsigned seed = 12345;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd': dbpath = optarg; break;
        case 'c': corpus = optarg; break;
        case 'n':
            count = strtol(optarg, &end, 10);
            if (*end || count < 1 || count > 100000000) {
                fputs("rexian demo: --count must be a number from 1 to 100000000\n", stderr);
                return 2;
            }
            break;
        case 's': seed = (unsigned)strtoul(optarg, &end, 10); break;
        case 'i': index = optarg; break;
        case 'y':
            years = strtol(optarg, &end, 10);
            if (*end || years < 1 || years > 10) {
                fputs("rexian demo: --years must be a number from 1 to 10\n", stderr);
                return 2;
            }
            break;
        case 'u':
            until = rx_date_parse(optarg, strlen(optarg));
            if (until == RX_DATE_INVALID || until > rx_date_today()) {
                fputs("rexian demo: --until must be a date YYYY-MM-DD no later than today\n",
                      stderr);
                return 2;
            }
            break;
        case 'q': quiet = true; break;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    rx_wf_setup setup;
    rx_diags diags = {0};
    if (rx_wf_setup_load(&setup, corpus, NULL, &diags) != RX_OK) {
        fprintf(stderr, "rexian demo: %s\n", rx_error_last());
        rx_diags_free(&diags);
        return 2;
    }
    rx_diags_free(&diags);
    sqlite3 *db = NULL;
    rx_tickets *t = NULL;
    int status = 2;
    if (rx_store_open(&db, dbpath) != RX_OK ||
        rx_tickets_open(&t, dbpath, setup.departments, setup.calendar, &setup.rules) != RX_OK) {
        fprintf(stderr, "rexian demo: %s\n", rx_error_last());
        goto done;
    }
    /* the call-takers search the knowledge base when there is an index */
    demo_kb dk = {0};
    demo_search search = {demo_kb_search, &dk};
    if (rx_kb_open(&dk.kb, index) != RX_OK) {
        dk.kb = NULL;
        if (!quiet)
            fprintf(stderr, "rexian demo: no index at %s: the tickets record no searches\n", index);
    }
    /* the year ends now, or (for a demo that must be the same on any day:
     * the evaluations) at the end of --until in 株洲 (UTC+8) */
    double end =
        until == RX_DATE_INVALID ? (double)time(NULL) : (double)(until + 1) * 86400 - 8 * 3600;
    double t0 = rx_now();
    int drc =
        rx_tickets_demo(t, count, seed, end - (double)years * 365 * 86400.0, end,
                        dk.kb ? &search : NULL, quiet || !isatty(2) ? NULL : demo_progress, NULL);
    rx_kb_free(dk.kb);
    rx_strmap_free(&dk.memo);
    free(dk.answers);
    if (drc != RX_OK) {
        fprintf(stderr, "\nrexian demo: %s\n", rx_error_last());
        goto done;
    }
    /* a bulk load leaves the case-search index in many segments: merged,
     * the similar-ticket searches of assist are faster */
    if (rx_tickets_optimize(t) != RX_OK)
        fprintf(stderr, "rexian demo: %s (the tickets are loaded)\n", rx_error_last());
    fprintf(stderr, "%s已载入 %ld 张演示工单（近%s年），用时 %.1f 秒：%s\n",
            quiet || !isatty(2) ? "" : "\n", count,
            years == 1   ? "一"
            : years == 2 ? "两"
            : years == 3 ? "三"
                         : "数",
            rx_now() - t0, dbpath);
    status = 0;
done:
    rx_tickets_free(t);
    sqlite3_close(db);
    rx_wf_setup_clear(&setup);
    return status;
}

/* The guessed fields, in Chinese, for the summary line. */
static void guessed_list(char *out, size_t cap, unsigned guessed)
{
    static const char *const labels[] = {"编号",     "标题",   "部门", "类型",
                                         "施行日期", "有效期", "标签"};
    static const unsigned bits[] = {RX_GUESS_ID,   RX_GUESS_TITLE,     RX_GUESS_DEPARTMENT,
                                    RX_GUESS_TYPE, RX_GUESS_EFFECTIVE, RX_GUESS_EXPIRES,
                                    RX_GUESS_TAGS};
    size_t n = 0;
    out[0] = '\0';
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++)
        if (guessed & bits[k])
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? "、" : "", labels[k]);
}

/* rexian import: each file converted and written into the corpus (or
 * printed with --dry-run); a refused file is reported and the others go
 * on. 0 all imported, 1 some refused, 2 usage or an unreadable corpus. */
static int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {{"department", required_argument, 0, 'd'},
                                         {"type", required_argument, 0, 't'},
                                         {"today", required_argument, 0, 'T'},
                                         {"dry-run", no_argument, 0, 'n'},
                                         {0, 0, 0, 0}};
    rx_import_opts o = {0};
    bool dry = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o.department = optarg; break;
        case 't': o.type = optarg; break;
        case 'T': o.today = optarg; break;
        case 'n': dry = true; break;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind < 2) {
        fputs("rexian import: 需要至少一个文件和知识库目录（FILE... CORPUS_DIR）\n", stderr);
        usage(stderr);
        return 2;
    }
    const char *corpus = argv[argc - 1];
    rx_import_ctx *ctx = NULL;
    if (rx_import_ctx_load(&ctx, corpus) != RX_OK) {
        fprintf(stderr, "rexian import: %s\n", rx_error_last());
        return 2;
    }
    if (o.department && !rx_departments_canonical(rx_import_ctx_departments(ctx), o.department)) {
        fprintf(stderr, "rexian import: 部门“%s”不在 %s/departments.txt 中（规范名称或别称）\n",
                o.department, corpus);
        rx_import_ctx_free(ctx);
        return 2;
    }
    int imported = 0, refused = 0;
    for (int k = optind; k < argc - 1; k++) {
        const char *file = argv[k];
        struct stat st;
        char *data = NULL;
        size_t len = 0;
        int rc;
        /* the size first: a 200 MB file is refused without reading it */
        if (stat(file, &st) != 0)
            rc = rx_fail(RX_ENOTFOUND, "not_found", "文件不存在或无法读取");
        else if (!S_ISREG(st.st_mode))
            rc = rx_fail(RX_EVALUE, "not_a_file", "不是普通文件");
        else if ((unsigned long long)st.st_size > RX_IMPORT_MAX_BYTES)
            rc =
                rx_fail(RX_ETOOBIG, "too_large", "文件有 %lld MB，超过 %u MB 的上限",
                        (long long)st.st_size / (1024 * 1024), RX_IMPORT_MAX_BYTES / (1024 * 1024));
        else
            rc = rx_file_read(&data, &len, file, RX_IMPORT_MAX_BYTES);
        rx_import_draft d = {0};
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        if (rc == RX_OK)
            rc = rx_import_convert(&d, ctx, base, data, len, &o);
        free(data);
        char *path = NULL;
        if (rc == RX_OK && !d.department)
            rc =
                rx_fail(RX_EVALUE, "department_unknown",
                        "猜不出发文部门：请用 --department 指定（departments.txt 中的名称或别称）");
        if (rc == RX_OK && !dry)
            rc = rx_import_publish(&path, corpus, &d, true);
        if (rc != RX_OK) {
            fprintf(stderr, "%s：未导入：%s\n", file, rx_error_last());
            refused++;
            rx_import_draft_clear(&d);
            continue;
        }
        if (dry) {
            char *md = rx_import_markdown(&d, true);
            fputs(md ? md : "", stdout);
            free(md);
        }
        char guessed[256];
        guessed_list(guessed, sizeof guessed, d.guessed);
        fprintf(stderr, "%s → %s/%s%s：%s（%s，%s，施行 %s%s%s%s%s）；推测：%s\n", file,
                dry ? "（试运行，未写入）" : corpus, path ? path : d.folder, path ? "" : "/",
                d.title, d.department, d.type, d.effective, d.expires[0] ? "，有效期至 " : "",
                d.expires, d.docno ? "，文号 " : "", d.docno ? d.docno : "",
                *guessed ? guessed : "无");
        for (size_t s = 0; s < d.nsupersedes; s++)
            fprintf(stderr, "  取代 %s（%s，%s）：有效期%s至 %s\n", d.supersedes[s].id,
                    d.supersedes[s].title, d.supersedes[s].why, dry ? "将改" : "已改",
                    d.supersedes[s].expires_after);
        free(path);
        rx_import_draft_clear(&d);
        imported++;
    }
    rx_import_ctx_free(ctx);
    fprintf(stderr, "导入 %d 个文件，拒绝 %d 个%s\n", imported, refused,
            imported && !dry ? "；请核对标“推测”的字段，再运行 rexian index 更新索引" : "");
    return refused ? 1 : 0;
}

int main(int argc, char **argv)
{
    /* citizens' data: what this process creates (the database, its WAL,
     * index generations) is for its owner only */
    umask(077);
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
    /* `rexian search --help`: the usage, as for `rexian --help` (before a
     * "--", after which a query may say anything) */
    for (int k = 2; k < argc && strcmp(argv[k], "--") != 0; k++)
        if (!strcmp(argv[k], "--help")) {
            usage(stdout);
            return 0;
        }
    if (!strcmp(cmd, "index"))
        return cmd_index(argc - 1, argv + 1);
    if (!strcmp(cmd, "search"))
        return cmd_search(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "user"))
        return cmd_user(argc - 1, argv + 1);
    if (!strcmp(cmd, "demo"))
        return cmd_demo(argc - 1, argv + 1);
    if (!strcmp(cmd, "import"))
        return cmd_import(argc - 1, argv + 1);
    fprintf(stderr, "rexian: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
