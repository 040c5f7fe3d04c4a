/* The application behind the HTTP server: the route table, bearer-token
 * authentication, per-thread knowledge-base handles and request metrics. */
#include "rexian/app.h"
#include "rexian/assist.h"
#include "rexian/casebook.h"
#include "rexian/error.h"
#include "rexian/import.h"
#include "rexian/reindex.h"
#include "rexian/roles.h"
#include "rexian/stats.h"
#include "rexian/strmap.h"
#include "rexian/tickets.h"
#include "rexian/users.h"

#include "routes.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define PUBLIC (-1)   /* no token needed */
#define ANY_ROLE (-2) /* a valid token of any role */

typedef void (*handler_fn)(rx_app *app, const rx_http_request *req, rx_http_response *res);

typedef struct {
    const char *method;
    /* an "{id}" segment matches one path segment; NULL: the console's
     * static files, which admit() finds in the web folder's table */
    const char *path;
    handler_fn handler;
    int cap;           /* rx_cap the role must hold, PUBLIC or ANY_ROLE */
    rx_http_lane lane; /* where it runs (rx_app_offload) */
    const char *name;  /* for metrics */
} route;

/* Lanes: health checks, metrics and files answer on the socket's thread;
 * what a call-taker waits on mid-call goes first to the workers; reports,
 * casebooks and admin work (imports, reindexing) queue behind it. */
#define NOW RX_HTTP_INLINE
#define CALL RX_HTTP_INTERACTIVE
#define LATER RX_HTTP_BACKGROUND

/* Every route and what it needs; docs/SECURITY.md is this table by role,
 * and tests/e2e/test_roles.sh walks every cell of it. */
static const route routes[] = {
    {"GET", "/healthz", rx_route_healthz, PUBLIC, NOW, "healthz"},
    {"GET", "/metrics", rx_route_metrics, RX_CAP_METRICS, NOW, "metrics"},
    {"GET", "/api/v1/me", rx_route_me, ANY_ROLE, CALL, "me"},
    {"GET", "/api/v1/search", rx_route_search, RX_CAP_SEARCH, CALL, "search"},
    {"GET", "/api/v1/suggest", rx_route_suggest, RX_CAP_SEARCH, CALL, "suggest"},
    {"GET", "/api/v1/docs/{id}", rx_route_doc, RX_CAP_SEARCH, CALL, "docs"},
    {"GET", "/api/v1/admin/users", rx_route_users_list, RX_CAP_ADMIN, LATER, "users"},
    {"POST", "/api/v1/admin/users", rx_route_users_create, RX_CAP_ADMIN, LATER, "users"},
    {"POST", "/api/v1/admin/users/{id}/revoke", rx_route_users_revoke, RX_CAP_ADMIN, LATER,
     "users"},
    {"GET", "/api/v1/admin/audit", rx_route_audit, RX_CAP_ADMIN, LATER, "audit"},
    {"POST", "/api/v1/admin/reindex", rx_route_reindex_start, RX_CAP_ADMIN, LATER, "reindex"},
    {"GET", "/api/v1/admin/reindex/{id}", rx_route_reindex_status, RX_CAP_ADMIN, LATER, "reindex"},
    {"POST", "/api/v1/admin/scan", rx_route_scan, RX_CAP_SCAN, LATER, "scan"},
    {"POST", "/api/v1/tickets", rx_route_tickets_create, RX_CAP_TICKET_CREATE, CALL, "tickets"},
    {"GET", "/api/v1/tickets", rx_route_tickets_list, RX_CAP_TICKET_READ, CALL, "tickets"},
    {"GET", "/api/v1/tickets/{id}", rx_route_ticket_get, RX_CAP_TICKET_READ, CALL, "ticket"},
    {"POST", "/api/v1/tickets/{id}/actions", rx_route_ticket_act, RX_CAP_TICKET_ACT, CALL,
     "ticket_actions"},
    {"GET", "/api/v1/tickets/{id}/assist", rx_route_ticket_assist, RX_CAP_ASSIST, CALL, "assist"},
    {"POST", "/api/v1/assist", rx_route_text_assist, RX_CAP_ASSIST, CALL, "assist_text"},
    {"GET", "/api/v1/callbacks", rx_route_callbacks, RX_CAP_CALLBACK_QUEUE, CALL, "callbacks"},
    {"GET", "/api/v1/stats/resolution", rx_route_stats_resolution, RX_CAP_STATS, LATER,
     "stats_resolution"},
    {"POST", "/api/v1/casebooks", rx_route_casebooks_create, RX_CAP_CASEBOOKS, LATER, "casebooks"},
    {"GET", "/api/v1/casebooks", rx_route_casebooks_list, RX_CAP_CASEBOOKS, LATER, "casebooks"},
    {"GET", "/api/v1/casebooks/{id}", rx_route_casebook_get, RX_CAP_CASEBOOKS, LATER, "casebook"},
    {"GET", "/api/v1/stats/report", rx_route_stats_report, RX_CAP_STATS, LATER, "stats_report"},
    {"GET", "/api/v1/stats/hotwords", rx_route_stats_hotwords, RX_CAP_STATS, LATER,
     "stats_hotwords"},
    {"GET", "/api/v1/stats/warnings", rx_route_stats_warnings, RX_CAP_STATS, LATER,
     "stats_warnings"},
    {"GET", "/api/v1/stats/policy", rx_route_stats_policy, RX_CAP_STATS, LATER, "stats_policy"},
    {"GET", "/api/v1/stats/gaps", rx_route_stats_gaps, RX_CAP_STATS, LATER, "stats_gaps"},
    {"GET", "/api/v1/admin/learned", rx_route_learned_list, RX_CAP_ADMIN, LATER, "learned"},
    {"POST", "/api/v1/admin/learned/forget", rx_route_learned_forget, RX_CAP_ADMIN, LATER,
     "learned"},
    {"POST", "/api/v1/admin/imports", rx_route_import_convert, RX_CAP_ADMIN, LATER, "imports"},
    {"POST", "/api/v1/admin/imports/publish", rx_route_import_publish, RX_CAP_ADMIN, LATER,
     "imports_publish"},
    {"GET", "/api/v1/admin/synonyms", rx_route_synonyms, RX_CAP_ADMIN, LATER, "synonyms"},
    /* last: only what no route above matches can be a static file */
    {"GET", NULL, rx_route_static, PUBLIC, NOW, "static"},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* Routes whose bodies may be larger than RX_HTTP_MAX_BODY: the upload of
 * a file to import. Every other body stays under the 1 MiB limit. */
static const struct {
    const char *method, *path;
    size_t max_body;
} large_bodies[] = {
    {"POST", "/api/v1/admin/imports", RX_IMPORT_MAX_BYTES},
};

static size_t body_limit(const route *r)
{
    for (size_t k = 0; r->path && k < sizeof large_bodies / sizeof large_bodies[0]; k++)
        if (!strcmp(r->method, large_bodies[k].method) && !strcmp(r->path, large_bodies[k].path))
            return large_bodies[k].max_body;
    return RX_HTTP_MAX_BODY;
}
#define ROUTE_NONE NROUTES /* metrics slot for unmatched requests */
#define ROUTE_STATIC (&routes[NROUTES - 1])

/* Latency histogram bounds in milliseconds. */
static const double buckets_ms[] = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000};
#define NBUCKETS (sizeof buckets_ms / sizeof buckets_ms[0])

typedef struct {
    atomic_ulong count[6]; /* by status class: 1xx..5xx (index 1..5) */
    atomic_ulong le[NBUCKETS + 1];
    atomic_ulong sum_us;
} route_stats;

/* A token seen valid, by its hash; checked against the database again
 * once it is older than TOKEN_TTL_S, so that a revocation or a deleted user
 * made by another process (the CLI) takes effect within that time. */
typedef struct {
    rx_principal who;
    double checked; /* rx_now() of the last check; 0: check again */
    bool valid;
} cached_user;

#define TOKEN_TTL_S 1.0

struct rx_app {
    unsigned long serial;
    char *index_path;
    char *corpus_path;
    sqlite3 *db;
    rx_tickets *tickets;
    double clock_offset;
    rx_reindexer *reindexer;
    rx_static *web; /* the console's files, or NULL */
    /* the overdue scanner */
    pthread_t scanner;
    bool scanning;
    int scan_interval_s;
    pthread_mutex_t scan_mu;
    pthread_cond_t scan_cv;
    bool stopping;
    /* agent assist, and the thread that keeps it learning */
    rx_assist *assist;
    pthread_t learner;
    /* statistics, and the thread that keeps their rollups current */
    rx_stats *analysis;
    rx_casebooks *casebooks; /* 案例复盘 */
    pthread_t analyst;
    bool analysing;
    bool learning;
    route_stats stats[NROUTES + 1];
    double started;
    rx_http_server *_Atomic server; /* for its workers' metrics, or NULL */
    /* every thread's kb, to free at the end */
    pthread_mutex_t kbs_mu;
    rx_kb **kbs;
    size_t nkbs, cap_kbs;
    /* tokens seen: hash → index in users (read-mostly) */
    pthread_rwlock_t users_mu;
    rx_strmap tokens;
    cached_user *users;
    size_t nusers, cap_users;
};

/* A thread's handle belongs to one application, named by a serial number:
 * an address could be reused by a later application. */
static _Thread_local rx_kb *tls_kb;
static _Thread_local unsigned long tls_kb_owner;
static atomic_ulong app_serial;

/* The overdue scanner: a pass at start, then one every interval, until the
 * application stops. */
static void *scanner_main(void *arg)
{
    rx_app *app = arg;
    pthread_mutex_lock(&app->scan_mu);
    while (!app->stopping) {
        pthread_mutex_unlock(&app->scan_mu);
        rx_scan_result r;
        if (rx_tickets_scan(app->tickets, rx_app_clock(app), &r) == RX_OK &&
            (r.overdue || r.escalated))
            fprintf(stderr,
                    "rexian serve: scanner: %d tickets newly overdue, %d supervisions opened\n",
                    r.overdue, r.escalated);
        pthread_mutex_lock(&app->scan_mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += app->scan_interval_s;
        while (!app->stopping && pthread_cond_timedwait(&app->scan_cv, &app->scan_mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&app->scan_mu);
    return NULL;
}

/* Waits up to seconds, or until the application stops; false then. */
static bool nap(rx_app *app, int seconds)
{
    pthread_mutex_lock(&app->scan_mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    while (!app->stopping && pthread_cond_timedwait(&app->scan_cv, &app->scan_mu, &until) == 0)
        ;
    bool go = !app->stopping;
    pthread_mutex_unlock(&app->scan_mu);
    return go;
}

#define LEARN_BATCH 20000
#define LEARN_INTERVAL_S 2
/* the linear classifier is refit when this many dispatches were kept since
 * its last fit, at most every REFIT_INTERVAL_S: a fit at a million tickets
 * takes a core for 4–5 s */
#define REFIT_NEW 500
#define REFIT_INTERVAL_S 300

/* The assist learner: catches up with the event log at start (a full fit,
 * in batches, while assist already answers with what it has), then learns
 * what arrived every couple of seconds. */
static void *learner_main(void *arg)
{
    rx_app *app = arg;
    double t0 = rx_now(), last_fit = 0;
    bool caught_up = false;
    do {
        rx_kb *kb = rx_app_kb(app);
        if (!kb)
            continue; /* the index is away: try again later */
        rx_analyzer an = rx_kb_analyzer(kb);
        if (rx_assist_set_corpus(app->assist, rx_kb_departments(kb), rx_kb_duties(kb), &an,
                                 rx_kb_generation(kb)) != RX_OK)
            continue;
        long applied = LEARN_BATCH;
        while (applied == LEARN_BATCH && !app->stopping)
            if (rx_assist_sync(app->assist, app->tickets, &an, LEARN_BATCH, &applied) != RX_OK) {
                fprintf(stderr, "rexian serve: assist: %s\n", rx_error_last());
                break;
            }
        if (!caught_up) {
            long long events, last;
            rx_assist_progress(app->assist, &events, &last);
            fprintf(stderr, "rexian serve: assist learnt %lld events of the ticket log in %.1f s\n",
                    events, rx_now() - t0);
        }
        /* the linear classifier: fitted once caught up, then refit in the
         * background as dispatches are kept or the corpus changes */
        bool refit = false;
        long min_new = rx_now() - last_fit >= REFIT_INTERVAL_S ? REFIT_NEW : LONG_MAX;
        if (!app->stopping && rx_assist_refit(app->assist, min_new, &refit) != RX_OK)
            fprintf(stderr, "rexian serve: assist: %s\n", rx_error_last());
        if (refit)
            last_fit = rx_now();
        if (refit && !caught_up) {
            size_t examples;
            double seconds;
            rx_assist_fit_info(app->assist, &examples, &seconds);
            fprintf(stderr,
                    "rexian serve: assist fitted its linear classifier on %zu examples in "
                    "%.1f s\n",
                    examples, seconds);
        }
        caught_up = true;
    } while (nap(app, LEARN_INTERVAL_S));
    return NULL;
}

#define ANALYSE_INTERVAL_S 2

/* The statistics' thread: catches up with the log at start, then keeps
 * the rollups current (a request also catches up before answering). */
static void *analyst_main(void *arg)
{
    rx_app *app = arg;
    double t0 = rx_now();
    bool caught_up = false;
    long generation = -1;
    do {
        /* hot words fold the synonyms of the served index */
        rx_kb *kb = rx_app_kb(app);
        if (kb && rx_kb_generation(kb) != generation) {
            rx_analyzer an = rx_kb_analyzer(kb);
            if (rx_stats_set_synonyms(app->analysis, an.synonyms) == RX_OK)
                generation = rx_kb_generation(kb);
        }
        if (rx_stats_sync(app->analysis, 0, NULL) != RX_OK) {
            fprintf(stderr, "rexian serve: stats: %s\n", rx_error_last());
            continue;
        }
        if (!caught_up) {
            fprintf(stderr, "rexian serve: statistics caught up with the ticket log in %.1f s\n",
                    rx_now() - t0);
            caught_up = true;
        }
    } while (nap(app, ANALYSE_INTERVAL_S));
    return NULL;
}

int rx_app_new(rx_app **out, const rx_app_config *cfg)
{
    *out = NULL;
    rx_app *app = calloc(1, sizeof *app);
    if (!app || !(app->index_path = strdup(cfg->index_path))) {
        free(app);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    app->db = cfg->db;
    if (!(app->corpus_path = strdup(cfg->corpus_path ? cfg->corpus_path : "corpus"))) {
        free(app->index_path);
        free(app);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    app->started = rx_now();
    app->serial = atomic_fetch_add(&app_serial, 1) + 1;
    if (rx_reindexer_new(&app->reindexer, cfg->corpus_path ? cfg->corpus_path : "corpus",
                         cfg->index_path) != RX_OK) {
        free(app->corpus_path);
        free(app->index_path);
        free(app);
        return RX_ENOMEM;
    }
    if (cfg->web_dir && rx_static_load(&app->web, cfg->web_dir) != RX_OK) {
        rx_reindexer_free(app->reindexer);
        free(app->corpus_path);
        free(app->index_path);
        free(app);
        return rx_error_code();
    }
    pthread_mutex_init(&app->kbs_mu, NULL);
    pthread_rwlock_init(&app->users_mu, NULL);
    pthread_mutex_init(&app->scan_mu, NULL);
    pthread_cond_init(&app->scan_cv, NULL);
    app->tickets = cfg->tickets;
    app->clock_offset = cfg->clock_offset;
    app->scan_interval_s = cfg->scan_interval_s;
    if (app->tickets && app->scan_interval_s > 0)
        app->scanning = pthread_create(&app->scanner, NULL, scanner_main, app) == 0;
    if (app->tickets && rx_assist_new(&app->assist, app->db) == RX_OK)
        app->learning = pthread_create(&app->learner, NULL, learner_main, app) == 0;
    const char *db_path = app->db ? sqlite3_db_filename(app->db, "main") : NULL;
    if (app->tickets && db_path && *db_path) {
        if (rx_stats_open(&app->analysis, db_path, app->tickets) == RX_OK)
            app->analysing = pthread_create(&app->analyst, NULL, analyst_main, app) == 0;
        else
            fprintf(stderr, "rexian serve: statistics disabled: %s\n", rx_error_last());
        if (rx_casebooks_open(&app->casebooks, db_path) != RX_OK)
            fprintf(stderr, "rexian serve: casebooks disabled: %s\n", rx_error_last());
    }
    *out = app;
    return RX_OK;
}

void rx_app_free(rx_app *app)
{
    if (!app)
        return;
    pthread_mutex_lock(&app->scan_mu);
    app->stopping = true;
    pthread_cond_broadcast(&app->scan_cv);
    pthread_mutex_unlock(&app->scan_mu);
    if (app->scanning)
        pthread_join(app->scanner, NULL);
    if (app->learning)
        pthread_join(app->learner, NULL);
    if (app->analysing)
        pthread_join(app->analyst, NULL);
    rx_stats_free(app->analysis);
    rx_casebooks_free(app->casebooks);
    rx_assist_free(app->assist);
    pthread_mutex_destroy(&app->scan_mu);
    pthread_cond_destroy(&app->scan_cv);
    rx_reindexer_free(app->reindexer);
    rx_static_free(app->web);
    for (size_t k = 0; k < app->nkbs; k++)
        rx_kb_free(app->kbs[k]);
    free(app->kbs);
    free(app->users);
    rx_strmap_free(&app->tokens);
    pthread_mutex_destroy(&app->kbs_mu);
    pthread_rwlock_destroy(&app->users_mu);
    free(app->index_path);
    free(app->corpus_path);
    free(app);
}

const char *rx_app_corpus(rx_app *app)
{
    return app->corpus_path;
}

sqlite3 *rx_app_db(rx_app *app)
{
    return app->db;
}

rx_tickets *rx_app_tickets(rx_app *app)
{
    return app->tickets;
}

double rx_app_clock(rx_app *app)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + app->clock_offset;
}

rx_assist *rx_app_assist(rx_app *app)
{
    return app->assist;
}

rx_stats *rx_app_stats(rx_app *app)
{
    return app->analysis;
}

rx_casebooks *rx_app_casebooks(rx_app *app)
{
    return app->casebooks;
}

rx_reindexer *rx_app_reindexer(rx_app *app)
{
    return app->reindexer;
}

rx_kb *rx_app_kb(rx_app *app)
{
    if (tls_kb && tls_kb_owner == app->serial) {
        if (rx_kb_refresh(tls_kb) != RX_OK)
            return NULL;
        return tls_kb;
    }
    rx_kb *kb;
    if (rx_kb_open(&kb, app->index_path) != RX_OK)
        return NULL;
    pthread_mutex_lock(&app->kbs_mu);
    if (app->nkbs == app->cap_kbs) {
        size_t cap = app->cap_kbs ? app->cap_kbs * 2 : 8;
        rx_kb **k = realloc(app->kbs, cap * sizeof *k);
        if (!k) {
            pthread_mutex_unlock(&app->kbs_mu);
            rx_kb_free(kb);
            rx_error_set(RX_ENOMEM, "out of memory");
            return NULL;
        }
        app->kbs = k;
        app->cap_kbs = cap;
    }
    app->kbs[app->nkbs++] = kb;
    pthread_mutex_unlock(&app->kbs_mu);
    tls_kb = kb;
    tls_kb_owner = app->serial;
    return kb;
}

/* Looks a bearer token up: the in-memory cache (keyed by the token's hash;
 * the token itself is kept nowhere), then the database. */
static bool authenticate(rx_app *app, const char *token, rx_principal *out)
{
    char hash[65];
    rx_token_hash(hash, token);
    double now = rx_now();
    pthread_rwlock_rdlock(&app->users_mu);
    rx_strmap_entry *e = rx_strmap_get(&app->tokens, hash, 64);
    bool fresh = e && now - app->users[e->value].checked < TOKEN_TTL_S;
    bool valid = fresh && app->users[e->value].valid;
    if (valid)
        *out = app->users[e->value].who;
    pthread_rwlock_unlock(&app->users_mu);
    if (fresh)
        return valid;
    rx_principal p;
    int rc = rx_user_auth(app->db, token, &p);
    if (rc != RX_OK && rc != RX_EUNAUTH)
        return false; /* the database is away: refuse, cache nothing */
    valid = rc == RX_OK;
    pthread_rwlock_wrlock(&app->users_mu);
    e = rx_strmap_get(&app->tokens, hash, 64);
    if (!e && valid) { /* unknown tokens are not cached: the map would grow without end */
        if (app->nusers == app->cap_users) {
            size_t cap = app->cap_users ? app->cap_users * 2 : 16;
            cached_user *u = realloc(app->users, cap * sizeof *u);
            if (u) {
                app->users = u;
                app->cap_users = cap;
            }
        }
        int added;
        if (app->nusers < app->cap_users && (e = rx_strmap_upsert(&app->tokens, hash, 64, &added)))
            e->value = app->nusers++;
    }
    if (e)
        app->users[e->value] = (cached_user){.who = p, .checked = now, .valid = valid};
    pthread_rwlock_unlock(&app->users_mu);
    if (valid)
        *out = p;
    return valid;
}

void rx_app_forget_tokens(rx_app *app)
{
    pthread_rwlock_wrlock(&app->users_mu);
    for (size_t k = 0; k < app->nusers; k++)
        app->users[k].checked = 0;
    pthread_rwlock_unlock(&app->users_mu);
}

/* Matches a path against a route pattern; *id receives the {id} segment
 * (the rest of the path must then match the rest of the pattern). */
static bool path_matches(const char *pattern, const char *path, const char **id)
{
    const char *brace = strstr(pattern, "{id}");
    if (!brace)
        return strcmp(pattern, path) == 0;
    size_t prefix = (size_t)(brace - pattern);
    if (strncmp(pattern, path, prefix) != 0 || !path[prefix] || path[prefix] == '/')
        return false;
    const char *slash = strchr(path + prefix, '/');
    const char *rest = brace + 4;
    if (slash ? strcmp(slash, rest) != 0 : *rest != 0)
        return false;
    *id = path + prefix;
    return true;
}

static void record(rx_app *app, size_t route_index, int status, double ms)
{
    route_stats *s = &app->stats[route_index];
    int cls = status / 100;
    if (cls >= 1 && cls <= 5)
        atomic_fetch_add(&s->count[cls], 1);
    size_t b = 0;
    while (b < NBUCKETS && ms > buckets_ms[b])
        b++;
    atomic_fetch_add(&s->le[b], 1);
    atomic_fetch_add(&s->sum_us, (unsigned long)(ms * 1000));
}

/* Finds the route, authenticates and checks the role. Answers the error
 * into res and returns NULL when the request may not go on; fills who and
 * the request's user fields otherwise. */
static const route *admit(rx_app *app, rx_http_request *req, rx_http_response *res,
                          rx_principal *who)
{
    const route *hit = NULL;
    char allow[64] = "";
    for (size_t k = 0; k < NROUTES; k++) {
        const char *id = NULL;
        if (!routes[k].path || !path_matches(routes[k].path, req->path, &id))
            continue;
        if (strcmp(routes[k].method, req->method) == 0) {
            hit = &routes[k];
            if (id) { /* the segment alone, without what follows it */
                static _Thread_local char segment[256];
                size_t n = strcspn(id, "/");
                snprintf(segment, sizeof segment, "%.*s", (int)(n < 255 ? n : 255), id);
                id = segment;
            }
            req->path_id = id;
            break;
        }
        if (!strstr(allow, routes[k].method)) {
            if (*allow)
                strcat(allow, ", ");
            strcat(allow, routes[k].method);
        }
    }
    if (!hit && !*allow && rx_static_has(app->web, req->path)) {
        if (strcmp(req->method, "GET") == 0)
            hit = ROUTE_STATIC;
        else
            strcpy(allow, "GET");
    }
    if (!hit && *allow) {
        static _Thread_local char allow_header[64];
        snprintf(allow_header, sizeof allow_header, "%s", allow);
        rx_http_error(res, 405, "method_not_allowed", "%s 不支持 %s 方法（可用：%s）", req->path,
                      req->method, allow);
        res->allow = allow_header;
        return NULL;
    }
    if (!hit) {
        rx_http_error(res, 404, "not_found", "没有这个接口：%s", req->path);
        return NULL;
    }
    if (hit->cap == PUBLIC)
        return hit;
    const char *auth = req->authorization;
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) { /* the scheme is case-insensitive */
        rx_http_error(res, 401, "unauthorized",
                      "需要登录：请在 Authorization 头中提供 Bearer 令牌");
        return NULL;
    }
    if (!authenticate(app, auth + 7, who)) {
        rx_http_error(res, 401, "unauthorized", "令牌无效或已失效");
        return NULL;
    }
    req->user = who->name;
    req->role = rx_role_name(who->role);
    req->role_id = (int)who->role;
    req->department = who->department[0] ? who->department : NULL;
    if (hit->cap != ANY_ROLE && !rx_role_can(who->role, (rx_cap)hit->cap)) {
        rx_http_error(res, 403, "forbidden", "%s（%s）无权访问 %s %s", rx_role_label(who->role),
                      rx_role_name(who->role), req->method, req->path);
        return NULL;
    }
    return hit;
}

void rx_app_admit(void *arg, rx_http_request *req, rx_http_response *res)
{
    rx_principal who;
    rx_http_request r = *req;
    const route *hit = admit(arg, &r, res, &who);
    if (!hit) {
        record(arg, ROUTE_NONE, res->status, 0);
    } else {
        res->status = 0; /* go on and read the body */
        req->max_body = body_limit(hit);
    }
}

rx_http_lane rx_app_offload(void *arg, const rx_http_request *req)
{
    (void)arg;
    for (size_t k = 0; k < NROUTES; k++) {
        const char *id;
        if (routes[k].path && !strcmp(routes[k].method, req->method) &&
            path_matches(routes[k].path, req->path, &id))
            return routes[k].lane;
    }
    /* a 404 or 405 of the API is quick, and said in JSON by a worker like
     * the rest of the API; anything else is a file */
    return strncmp(req->path, "/api/", 5) == 0 ? RX_HTTP_INTERACTIVE : RX_HTTP_INLINE;
}

void rx_app_dispatch(void *arg, rx_http_request *in, rx_http_response *res)
{
    rx_app *app = arg;
    double t0 = rx_now();
    rx_http_request req = *in;
    rx_principal who;
    const route *hit = admit(app, &req, res, &who);
    if (hit)
        hit->handler(app, &req, res);
    /* for the access log (written after this returns): the user's name
     * only, never the token */
    static _Thread_local char log_user[sizeof who.name];
    if (req.user) {
        snprintf(log_user, sizeof log_user, "%s", req.user);
        in->user = log_user;
    }
    record(app, hit ? (size_t)(hit - routes) : ROUTE_NONE, res->status, (rx_now() - t0) * 1000);
}

void rx_route_static(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    if (!rx_static_answer(app->web, req->path, res))
        rx_http_error(res, 404, "not_found", "没有这个文件：%s", req->path);
}

void rx_app_metrics(rx_app *app, rx_buf *out)
{
    rx_buf_puts(out, "# HELP rexian_http_requests_total HTTP requests by route and status class.\n"
                     "# TYPE rexian_http_requests_total counter\n");
    for (size_t k = 0; k <= NROUTES; k++) {
        const char *name = k < NROUTES ? routes[k].name : "unmatched";
        const char *method = k < NROUTES ? routes[k].method : "*";
        for (int c = 1; c <= 5; c++) {
            unsigned long v = atomic_load(&app->stats[k].count[c]);
            if (v)
                rx_buf_printf(
                    out,
                    "rexian_http_requests_total{route=\"%s\",method=\"%s\",code=\"%dxx\"} "
                    "%lu\n",
                    name, method, c, v);
        }
    }
    rx_buf_puts(out, "# HELP rexian_http_request_duration_seconds Request latency by route.\n"
                     "# TYPE rexian_http_request_duration_seconds histogram\n");
    for (size_t k = 0; k <= NROUTES; k++) {
        const char *name = k < NROUTES ? routes[k].name : "unmatched";
        const char *method = k < NROUTES ? routes[k].method : "*";
        unsigned long cum = 0;
        for (size_t b = 0; b <= NBUCKETS; b++) {
            cum += atomic_load(&app->stats[k].le[b]);
            if (b < NBUCKETS)
                rx_buf_printf(
                    out,
                    "rexian_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
                    "le=\"%g\"} %lu\n",
                    name, method, buckets_ms[b] / 1000, cum);
            else
                rx_buf_printf(
                    out,
                    "rexian_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\","
                    "le=\"+Inf\"} %lu\n",
                    name, method, cum);
        }
        rx_buf_printf(
            out,
            "rexian_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n"
            "rexian_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %lu\n",
            name, method, (double)atomic_load(&app->stats[k].sum_us) / 1e6, name, method, cum);
    }
    rx_buf_printf(out,
                  "# HELP rexian_uptime_seconds Seconds since the service started.\n"
                  "# TYPE rexian_uptime_seconds gauge\nrexian_uptime_seconds %.0f\n",
                  rx_now() - app->started);
    rx_http_server *srv = atomic_load(&app->server);
    if (srv)
        rx_http_pool_metrics(srv, out);
}

void rx_app_set_server(rx_app *app, rx_http_server *srv)
{
    atomic_store(&app->server, srv);
}
