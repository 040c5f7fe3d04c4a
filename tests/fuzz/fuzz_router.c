/* libFuzzer target: the router and every handler behind it, through
 * rx_app_dispatch as the server calls it, on a real application (a small
 * index built once, a temporary database with a ticket store, an admin and
 * a token for each other role).
 *
 * An input is: one byte choosing the Authorization header (odd: the admin
 * token; 2 mod 8: the trainer's; 6 mod 8: the department's (市住房和城乡建设局);
 * 4 mod 8: the agent's; 8 mod 16: a token nobody holds; 0 mod 16: none),
 * then lines: the method, the path, `key=value` query parameters up
 * to a blank line, and the body (the rest, byte for byte). "{t}" in the
 * path or a parameter stands for the ticket created last. Requests the server would turn
 * away before dispatch (a path not in UTF-8, more than RX_HTTP_MAX_PARAMS
 * parameters) are skipped.
 *
 * Every answer has a status 100..599, and a JSON answer (the default
 * content type) is a JSON document in valid UTF-8. Without a valid token
 * only public routes answer 2xx. The database is made anew every
 * RESET_EVERY inputs so that it does not grow without bound, and after a
 * revocation (which could take the admin token away). */
#include "rexian/app.h"
#include "rexian/corpus.h"
#include "rexian/error.h"
#include "rexian/http.h"
#include "rexian/indexer.h"
#include "rexian/store.h"
#include "rexian/text.h"
#include "rexian/tickets.h"
#include "rexian/users.h"
#include "rexian/util.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RESET_EVERY 4096
#define DIR_PREFIX "rexian-fuzz-router-" /* then the process id */

/* A corpus small enough to index in a moment and to reindex from the
 * admin route: every kind of file the indexer reads. */
static const struct {
    const char *path, *text;
} tiny_corpus[] = {
    {"departments.txt", "市12345热线服务中心 12345热线 热线中心\n"
                        "市住房和城乡建设局 住建局 市住建局 房产局\n"
                        "市城市管理和综合执法局 城管局 城管\n"
                        "市生态环境局 环保局\n"},
    {"calendar.txt", "2026-01-01 holiday\n2026-02-14 workday\n2026-02-16 holiday\n"},
    {"synonyms.txt", "不动产权证书 房产证 房本\n装修 装潢\n"},
    {"related.txt", "砸墙 电钻声 => 装修\n"},
    {"zhujian/zjj-2024-003.md",
     "---\nid: zjj-2024-003\ntitle: 株洲市住宅装修施工时段管理规定\n"
     "department: 市住房和城乡建设局\ntype: policy\ntags: [装修, 噪声]\n"
     "effective: 2024-03-01\nexpires: 2029-02-28\n---\n"
     "# 株洲市住宅装修施工时段管理规定\n\n工作日 8:00 至 12:00、14:00 至 18:00 "
     "可以进行装修噪声作业；双休日全天禁止电钻、电锤等噪声作业。\n"},
    {"chengguan/cg-2025-001.md",
     "---\nid: cg-2025-001\ntitle: 占道经营办事指南\ndepartment: 城管局\ntype: guide\n"
     "tags: [占道, 摊点]\neffective: 2025-01-01\n---\n"
     "# 占道经营办事指南\n\n临时占道经营需向城管部门申请，审批时限为 5 个工作日。\n"},
    {"faq/h1.csv", "id,question,answer,department,tags\n"
                   "faq-zjj-001,\"楼上装修几点可以施工？\",\"工作日 8:00—12:00、14:00—18:00。\","
                   "市住房和城乡建设局,装修;噪声\n"
                   "faq-cg-001,\"路边摆摊归谁管？\",\"由城管部门负责。\",城管局,占道\n"},
};

static struct {
    char dir[256], corpus[300], index[300], db_path[300];
    rx_wf_setup setup;
    sqlite3 *db;
    rx_tickets *tickets;
    rx_app *app;
    char *admin_token, *trainer_token, *department_token, *agent_token;
    char ticket[64]; /* the ticket created last, for "{t}" */
    unsigned long runs;
    bool reset; /* make the database anew before the next input */
    bool trace;
} F;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_router: %s: %s\n", what, rx_error_last());
    abort();
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* A crash skips the clean-up at exit (and -fork=1 crashes often): the
 * folders of processes that are gone are removed at the next start. */
static void sweep(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d)
        return;
    size_t n = strlen(DIR_PREFIX);
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, DIR_PREFIX, n) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + n, &end, 10);
        if (pid <= 0 || *end || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* not ours, or its process is alive */
        char path[600];
        snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    closedir(d);
}

static void stop_app(void)
{
    rx_app_free(F.app);
    rx_tickets_free(F.tickets);
    sqlite3_close(F.db);
    free(F.admin_token);
    free(F.trainer_token);
    free(F.department_token);
    free(F.agent_token);
    F.app = NULL;
    F.tickets = NULL;
    F.db = NULL;
    F.admin_token = F.trainer_token = F.department_token = F.agent_token = NULL;
    F.ticket[0] = '\0';
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++) {
        char p[320];
        snprintf(p, sizeof p, "%s%s", F.db_path, suffixes[k]);
        unlink(p);
    }
}

static void cleanup(void)
{
    stop_app();
    rx_wf_setup_clear(&F.setup);
    nftw(F.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh database, users and ticket store, and the application on them. */
static void start_app(void)
{
    if (rx_store_open(&F.db, F.db_path) != RX_OK || rx_users_migrate(F.db) != RX_OK)
        die("database");
    if (rx_user_add(&F.admin_token, F.db, "admin", "admin", NULL) != RX_OK ||
        rx_user_add(&F.trainer_token, F.db, "培训师", "trainer", NULL) != RX_OK ||
        rx_user_add(&F.department_token, F.db, "住建局承办人", "department",
                    "市住房和城乡建设局") != RX_OK ||
        rx_user_add(&F.agent_token, F.db, "话务员", "agent", NULL) != RX_OK)
        die("users");
    if (rx_tickets_open(&F.tickets, F.db_path, F.setup.departments, F.setup.calendar,
                        &F.setup.rules) != RX_OK)
        die("ticket store");
    rx_app_config ac = {.index_path = F.index,
                        .corpus_path = F.corpus,
                        .db = F.db,
                        .tickets = F.tickets,
                        .scan_interval_s = 0};
    if (rx_app_new(&F.app, &ac) != RX_OK)
        die("application");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    sweep(tmp);
    snprintf(F.dir, sizeof F.dir, "%s/%s%ld", tmp, DIR_PREFIX, (long)getpid());
    nftw(F.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (mkdir(F.dir, 0700) != 0) {
        perror("fuzz_router: mkdir");
        abort();
    }
    snprintf(F.corpus, sizeof F.corpus, "%s/corpus", F.dir);
    snprintf(F.index, sizeof F.index, "%s/index", F.dir);
    snprintf(F.db_path, sizeof F.db_path, "%s/rexian.db", F.dir);
    for (size_t k = 0; k < sizeof tiny_corpus / sizeof tiny_corpus[0]; k++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", F.corpus, tiny_corpus[k].path);
        char *slash = strrchr(p, '/');
        *slash = '\0';
        if (rx_mkdir_p(p) != 0)
            die("corpus folder");
        *slash = '/';
        if (rx_file_write_atomic(p, tiny_corpus[k].text, strlen(tiny_corpus[k].text)) != RX_OK)
            die("corpus file");
    }
    rx_build_opts o = {.corpus_dir = F.corpus, .index_dir = F.index, .full = true};
    rx_build_stats st;
    rx_diags diags = {0};
    if (rx_build(&st, &o, &diags) != RX_OK)
        die("index");
    for (size_t k = 0; k < diags.n; k++)
        fprintf(stderr, "fuzz_router: corpus/%s:%zu: %s\n", diags.items[k].path,
                diags.items[k].line, diags.items[k].reason);
    if (diags.n || st.documents != 4)
        die("the tiny corpus is not indexed whole");
    rx_diags_free(&diags);
    if (rx_wf_setup_load(&F.setup, F.corpus, NULL, &diags) != RX_OK)
        die("workflow setup");
    rx_diags_free(&diags);
    start_app();
    atexit(cleanup);
    const char *trace = getenv("FUZZ_ROUTER_TRACE");
    F.trace = trace && *trace && strcmp(trace, "0") != 0;
    return 0;
}

/* Bytes a request line or header could not carry are cut by the framing;
 * a copy of the line as a C string. */
static char *take_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *s = strndup(*p, n);
    *p = nl ? nl + 1 : end;
    return s;
}

/* s (freed) with its first "{t}" replaced by the last ticket's id. */
static char *expand(char *s)
{
    const char *at = s ? strstr(s, "{t}") : NULL;
    if (!at || !F.ticket[0])
        return s;
    rx_buf b = {0};
    rx_buf_append(&b, s, (size_t)(at - s));
    rx_buf_puts(&b, F.ticket);
    rx_buf_puts(&b, at + 3);
    free(s);
    return rx_buf_steal(&b);
}

static bool public_route(const rx_http_request *req)
{
    return strcmp(req->method, "GET") == 0 && strcmp(req->path, "/healthz") == 0;
}

static void check_response(const rx_http_request *req, const rx_http_response *res, bool authed)
{
    assert(res->status >= 100 && res->status <= 599);
    if (res->status == 405)
        assert(res->allow && res->allow[0]);
    if (!res->content_type || strstr(res->content_type, "json")) {
        assert(res->body.len > 0);
        assert(rx_utf8_valid(res->body.data, res->body.len, NULL));
        cJSON *doc = cJSON_ParseWithLength(res->body.data, res->body.len);
        assert(doc);
        cJSON_Delete(doc);
    }
    if (!authed && res->status >= 200 && res->status < 300)
        assert(public_route(req));
}

/* Remembers the id of a ticket just created, and whether a user may have
 * been revoked. */
static void note_answer(const rx_http_request *req, const rx_http_response *res)
{
    if (res->status >= 200 && res->status < 300 &&
        strncmp(req->path, "/api/v1/admin/users/", 20) == 0)
        F.reset = true;
    if (res->status != 201 || strcmp(req->path, "/api/v1/tickets") != 0)
        return;
    cJSON *doc = cJSON_ParseWithLength(res->body.data, res->body.len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "id");
    if (cJSON_IsString(id))
        snprintf(F.ticket, sizeof F.ticket, "%s", id->valuestring);
    cJSON_Delete(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (++F.runs % RESET_EVERY == 0 || F.reset) {
        F.reset = false;
        stop_app();
        start_app();
    }
    unsigned char who = data[0];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    char *method = take_line(&p, end), *path = expand(take_line(&p, end));
    char *lines[RX_HTTP_MAX_PARAMS + 1] = {0};
    size_t nlines = 0;
    bool skip = !method || !path || !rx_utf8_valid(path, strlen(path), NULL);
    rx_http_request req = {.method = method, .path = path, .remote = "127.0.0.1"};
    while (!skip && p < end) {
        char *line = expand(take_line(&p, end));
        if (!line || !*line) {
            free(line);
            break;
        }
        if (nlines == RX_HTTP_MAX_PARAMS) { /* the server answers 400 itself */
            free(line);
            skip = true;
            break;
        }
        lines[nlines++] = line;
        char *eq = strchr(line, '=');
        if (eq)
            *eq = '\0';
        req.params[req.nparams++] = (rx_kv){line, eq ? eq + 1 : ""};
    }
    /* the body without a terminating NUL, so that a read past it is caught */
    size_t body_len = (size_t)(end - p);
    char *body = malloc(body_len ? body_len : 1);
    if (!skip && body) {
        memcpy(body, p, body_len);
        req.body = body;
        req.body_len = body_len;
        const char *token = (who & 1)         ? F.admin_token
                            : (who & 7) == 2  ? F.trainer_token
                            : (who & 7) == 6  ? F.department_token
                            : (who & 7) == 4  ? F.agent_token
                            : (who & 15) == 8 ? "rx_0000000000000000000000000000000000000000"
                                              : NULL;
        bool authed = token && (who & 15) != 8;
        char header[256];
        if (token) {
            snprintf(header, sizeof header, "Bearer %s", token);
            req.authorization = header;
        }
        rx_http_response res = {0};
        rx_app_dispatch(F.app, &req, &res);
        if (F.trace) /* FUZZ_ROUTER_TRACE=1: what each input did, for seed writers */
            fprintf(stderr, "fuzz_router: %s %s -> %d %.*s\n", req.method, req.path, res.status,
                    (int)(res.body.len < 160 ? res.body.len : 160),
                    res.body.data ? res.body.data : "");
        check_response(&req, &res, authed);
        note_answer(&req, &res);
        rx_buf_free(&res.body);
    }
    free(body);
    for (size_t k = 0; k < nlines; k++)
        free(lines[k]);
    free(path);
    free(method);
    return 0;
}
