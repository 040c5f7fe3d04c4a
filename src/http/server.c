/* libmicrohttpd glue: admit a request once its headers are in, accumulate
 * its body (bounded), hand our own request struct to the dispatcher, send
 * its response. Internal thread pool with epoll for the sockets; requests
 * the application sends to a lane (the API) are suspended and run by a
 * pool of workers, so that every core serves whichever connection asked
 * first (the library hands a connection to one of its threads for good,
 * and a burst of connects can land on one thread).
 * Against slow or hostile clients: every connection has a deadline that a
 * sweeper thread enforces (the library's idle timer restarts on every
 * byte), and open connections are counted, in total and per address, so
 * that overload is answered in JSON (503, 429) instead of with refused or
 * empty connections. Written against libmicrohttpd 0.9.75. */
#include "rexian/error.h"
#include "rexian/http.h"
#include "rexian/text.h"

#include <arpa/inet.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* The library's per-connection memory pool holds the request line, the
 * header fields, 56 bytes of bookkeeping per field, cookie and query
 * parameter, a copy of the Cookie header, and then the response's headers.
 * The library clears the whole pool between two requests of a connection,
 * so its size is paid on every request: at 64 connections /healthz ran at
 * 0.51x nginx with 128 KiB, 0.69x with 64 KiB and 0.80x with 32 KiB (one
 * run, docs/BENCHMARKS.md, session 18; 256 KiB had cost a third of the rate
 * before). 32 KiB holds any request the console or a client of the API
 * makes (a search's q is at most 1,024 bytes, 3 KB encoded) many times over.
 *
 * Our limits keep every admitted request inside it with room for the
 * response (12 KiB + 8 KiB + 132 records leave ~4.6 KiB). A request past
 * them that still fits gets our JSON 414 or 431, written straight to the
 * socket (the pool may be full). What does not fit is answered by the
 * library itself with its HTML page (414 or 431), before we see the
 * request. Measured with 0.9.75 on an otherwise minimal GET: a request
 * target over 32,585 bytes, one header field over 32,504 bytes, more than
 * 408 header fields or more than 409 cookies; in general a request head
 * past ~32,500 bytes (tests/e2e/test_hardening.sh checks both sides). */
#define POOL_BYTES (32 * 1024)
#define MAX_URI (12 * 1024)        /* the request target, bytes */
#define MAX_FIELD_BYTES (8 * 1024) /* header names and values */
#define MAX_FIELDS 100
#define DEFAULT_MAX_CONNECTIONS 8192
#define FD_RESERVE 256 /* descriptors left for the index, the database and logs */
#define IP_BUCKETS 1024
#define SWEEP_MS 200

/* The connections open from one address. */
typedef struct ip_slot {
    struct ip_slot *next;
    unsigned char addr[16];
    unsigned char len; /* 4, 16, or 0 for an address of another family */
    unsigned bucket;   /* its chain in rx_http_server.ips */
    atomic_uint open;
} ip_slot;

/* One connection, from the library's start notification to its close
 * notification (which it sends before it closes the socket). */
typedef struct conn_rec {
    struct conn_rec *prev, *next;
    int fd;
    ip_slot *ip;
    /* monotonic ms past which the sweeper shuts the socket down; 0: none
     * (while a request is dispatched and answered) */
    atomic_llong deadline_ms;
    atomic_bool idle; /* between requests (keep-alive), no request line yet */
    bool shut;        /* under the server's mu */
} conn_rec;

/* The workers' queues of suspended requests, each first come first served:
 * the interactive lane (what a call-taker waits on mid-call) before the
 * background one (reports, imports), which never holds every worker. An
 * idle worker waits on its own condition; the one idle last is woken first,
 * so that at low load the same few threads serve, with their caches
 * (SQLite's page cache, Xapian's blocks) warm. */
typedef struct conn_state conn_state;
typedef struct rx_http_server rx_http_server;
typedef struct worker {
    rx_http_server *srv;
    pthread_t thread;
    pthread_cond_t wake;
    struct worker *next_idle;
    bool woken;
} worker;

/* Upper bounds (ms) of the queue-wait histogram in /metrics. */
static const double wait_buckets_ms[] = {1, 5, 10, 25, 50, 100, 250, 1000, 5000};
#define NWAIT (sizeof wait_buckets_ms / sizeof wait_buckets_ms[0])

typedef struct {
    conn_state *head, *tail;
    unsigned depth; /* requests waiting */
    /* how long the requests taken from it waited: per bucket (the last:
     * above every bound), their sum and count; under the pool's lock */
    unsigned long waited[NWAIT + 1];
    double waited_s;
} lane;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t idle; /* the queues empty and no request running */
    lane interactive, background;
    worker *idlers; /* a stack: the last to go idle on top */
    unsigned running, running_background;
    bool closed; /* no more requests queued: they run on the library's threads */
    bool stop;   /* workers leave once the queue is empty */
    worker *workers;
    unsigned nthreads;
} work_pool;

struct rx_http_server {
    struct MHD_Daemon *daemon;
    rx_http_offload_fn offload;
    work_pool pool;
    atomic_int in_flight; /* requests admitted and not yet completed */
    atomic_bool refusing; /* stopping: new connections are closed at once */
    rx_http_dispatch_fn dispatch;
    rx_http_admit_fn admit;
    void *app;
    bool access_log;
    unsigned soft, per_ip;
    long long header_ms, body_ms;
    atomic_uint open;      /* connections open */
    atomic_uint addresses; /* distinct client addresses among them */
    pthread_mutex_t mu;    /* guards conns, ips, conn_rec.shut, stopping */
    conn_rec *conns;
    ip_slot *ips[IP_BUCKETS];
    pthread_cond_t wake; /* wakes the sweeper to stop */
    pthread_t sweeper;
    bool sweeping, stopping;
};

/* One request being received. Made when its request line is in. */
struct conn_state {
    rx_buf body;
    double started;
    bool begun;           /* its headers are in: admitted or answered */
    bool uri_too_long;    /* longer than MAX_URI */
    bool too_many_params; /* more than RX_HTTP_MAX_PARAMS in its query string */
    /* the request as its headers gave it, read once: the library keeps
     * the strings it points to until the request completes */
    rx_http_request req;
    char remote[64];
    /* run by a worker: the suspended connection, its place in the queue,
     * and the answer it left for the library's thread to send */
    bool answered;
    bool background; /* queued in the background lane */
    double queued_at;
    struct MHD_Connection *conn;
    conn_state *next;
    rx_http_response res;
    char user[200]; /* req.user, copied from the worker's thread */
};

/* Set when a handler returns MHD_NO on purpose, after answering: the
 * library then logs that the application failed, which it did not. */
static _Thread_local bool tl_closing;

static long long now_ms(void)
{
    return (long long)(rx_now() * 1000);
}

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    rx_http_request *req = cls;
    if (req->nparams == RX_HTTP_MAX_PARAMS) {
        req->too_many_params = true;
        return MHD_NO;
    }
    req->params[req->nparams].key = key;
    req->params[req->nparams].value = value ? value : "";
    req->nparams++;
    return MHD_YES;
}

/* What a request's header fields take in the pool: their bytes, and one
 * record per field and per cookie (the library parses the Cookie header
 * into a copy of its own). */
typedef struct {
    size_t bytes, count;
} field_tally;

static enum MHD_Result tally_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    (void)value;
    field_tally *t = cls;
    t->count++;
    t->bytes += key_size + value_size;
    if (kind == MHD_HEADER_KIND && strcasecmp(key, MHD_HTTP_HEADER_COOKIE) == 0)
        t->bytes += value_size;
    return MHD_YES;
}

/* Copies s into out as the inside of a JSON string (quotes, backslashes
 * and control bytes escaped), truncating to fit. */
static const char *json_text(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    if (!s)
        s = "-";
    /* text that is not UTF-8 (a client's bytes) has every non-ASCII byte escaped */
    bool raw = !rx_utf8_valid(s, strlen(s), NULL);
    for (const char *p = s; *p && n + 7 < cap; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == '"' || c == '\\' || (raw && c >= 0x80))
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
        else
            out[n++] = (char)c;
    }
    out[n] = '\0';
    return out;
}

/* The access log: one JSON line per request, written with one write(2) so
 * that the worker threads' lines never interleave and no stdio lock is
 * taken; the timestamp is formatted once a second per thread. */
static void log_request(const rx_http_request *req, int status, size_t bytes, double ms)
{
    static _Thread_local time_t ts_sec = -1;
    static _Thread_local char ts[32];
    time_t now = time(NULL);
    if (now != ts_sec) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
        ts_sec = now;
    }
    char remote[96], method[64], path[512], user[160], line[1024];
    int n = snprintf(line, sizeof line,
                     "{\"ts\":\"%s\",\"remote\":\"%s\",\"method\":\"%s\",\"path\":\"%s\","
                     "\"status\":%d,\"bytes\":%zu,\"ms\":%.3f,\"user\":\"%s\"}\n",
                     ts, json_text(remote, sizeof remote, req->remote),
                     json_text(method, sizeof method, req->method),
                     json_text(path, sizeof path, req->path), status, bytes, ms,
                     json_text(user, sizeof user, req->user));
    if (n > 0 && (size_t)n < sizeof line) {
        ssize_t w = write(STDERR_FILENO, line, (size_t)n);
        (void)w; /* a full or closed log must not fail the request */
    }
}

/* Queues res; retry_after (seconds, 0: none) becomes a Retry-After header. */
static enum MHD_Result send_response(struct MHD_Connection *conn, rx_http_server *srv,
                                     rx_http_request *req, rx_http_response *res, double started,
                                     unsigned retry_after)
{
    if (!res->status)
        rx_http_error(res, 500, "internal", "服务器没有生成响应");
    struct MHD_Response *r = MHD_create_response_from_buffer(
        res->body.len, res->body.data ? res->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type",
                            res->content_type ? res->content_type
                                              : "application/json; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control",
                            res->cache_control ? res->cache_control : "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (res->security_policy)
        MHD_add_response_header(r, "Content-Security-Policy", res->security_policy);
    if (res->allow)
        MHD_add_response_header(r, "Allow", res->allow);
    if (retry_after) {
        char v[16];
        snprintf(v, sizeof v, "%u", retry_after);
        MHD_add_response_header(r, "Retry-After", v);
    }
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    if (srv->access_log)
        log_request(req, res->status, res->body.len, (rx_now() - started) * 1000);
    return ok;
}

/* Writes res (JSON) straight to the socket and returns MHD_NO, so that the
 * library closes the connection without reading on. For the two moments
 * when the library would not send a response of ours: in the middle of a
 * body (0.9.75 queues one only before the first body byte or after the
 * last), and after a request head big enough that the pool may have no
 * room left for the response's headers (it would then close the
 * connection with no reply). Nothing else is being written on the
 * connection then: the previous response, if any, was sent in full. */
static enum MHD_Result send_direct(struct MHD_Connection *conn, rx_http_server *srv,
                                   rx_http_request *req, rx_http_response *res, double started)
{
    const union MHD_ConnectionInfo *fi =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (fi) {
        char head[320];
        int n =
            snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nCache-Control: no-store\r\n"
                     "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
                     res->status, MHD_get_reason_phrase_for((unsigned)res->status), res->body.len);
        struct iovec iov[2] = {{head, (size_t)n}, {res->body.data, res->body.len}};
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
        /* the socket is empty and non-blocking: a client that reads
         * nothing loses the answer, and is closed all the same */
        ssize_t w = sendmsg(fi->connect_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
    }
    if (srv->access_log)
        log_request(req, res->status, res->body.len, (rx_now() - started) * 1000);
    tl_closing = true;
    return MHD_NO;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t cap)
{
    snprintf(out, cap, "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

/* ---- connections: counted per address, closed past their deadline ---- */

static conn_rec *conn_record(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void set_deadline(conn_rec *rec, long long ms_from_now)
{
    if (rec)
        atomic_store(&rec->deadline_ms, ms_from_now ? now_ms() + ms_from_now : 0);
}

/* The slot of the address sa, made if new; NULL when out of memory. Under mu. */
static ip_slot *ip_slot_get(rx_http_server *srv, const struct sockaddr *sa)
{
    unsigned char addr[16] = {0}, len = 0;
    if (sa && sa->sa_family == AF_INET) {
        memcpy(addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        len = 4;
    } else if (sa && sa->sa_family == AF_INET6) {
        memcpy(addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        len = 16;
    }
    uint32_t h = 2166136261u; /* FNV-1a */
    for (unsigned k = 0; k < len; k++)
        h = (h ^ addr[k]) * 16777619u;
    unsigned bucket = h % IP_BUCKETS;
    ip_slot **head = &srv->ips[bucket];
    for (ip_slot *s = *head; s; s = s->next)
        if (s->len == len && memcmp(s->addr, addr, len) == 0)
            return s;
    ip_slot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    memcpy(s->addr, addr, sizeof addr);
    s->len = len;
    s->bucket = bucket;
    s->next = *head;
    *head = s;
    atomic_fetch_add(&srv->addresses, 1);
    return s;
}

/* Unlinks and frees slot s, whose last connection closed. Under mu. */
static void ip_slot_drop(rx_http_server *srv, ip_slot *s)
{
    for (ip_slot **p = &srv->ips[s->bucket]; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            free(s);
            atomic_fetch_sub(&srv->addresses, 1);
            return;
        }
}

/* The library's connection notifications. CLOSED comes before the library
 * closes the socket (daemon.c, MHD_cleanup_connections), and takes mu, so
 * the sweeper, which shuts sockets down under mu, never touches a
 * descriptor that was closed and reused. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    rx_http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_rec *rec = calloc(1, sizeof *rec);
        if (!rec)
            return; /* untracked: neither counted nor swept */
        const union MHD_ConnectionInfo *fi =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ai =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        rec->fd = fi ? fi->connect_fd : -1;
        atomic_init(&rec->deadline_ms, now_ms() + srv->header_ms);
        pthread_mutex_lock(&srv->mu);
        rec->ip = ip_slot_get(srv, ai ? ai->client_addr : NULL);
        if (rec->ip) {
            atomic_fetch_add(&rec->ip->open, 1);
            rec->next = srv->conns;
            if (srv->conns)
                srv->conns->prev = rec;
            srv->conns = rec;
            atomic_fetch_add(&srv->open, 1);
        }
        pthread_mutex_unlock(&srv->mu);
        if (rec->ip)
            *socket_context = rec;
        else
            free(rec);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_rec *rec = *socket_context;
        if (!rec)
            return;
        pthread_mutex_lock(&srv->mu);
        if (rec->prev)
            rec->prev->next = rec->next;
        else
            srv->conns = rec->next;
        if (rec->next)
            rec->next->prev = rec->prev;
        if (atomic_fetch_sub(&rec->ip->open, 1) == 1)
            ip_slot_drop(srv, rec->ip);
        atomic_fetch_sub(&srv->open, 1);
        pthread_mutex_unlock(&srv->mu);
        free(rec);
        *socket_context = NULL;
    }
}

/* The sweeper: a few times a second, shuts down every connection past its
 * deadline (the library then sees the end of the stream and closes it),
 * and says how many it closed, in one line every 10 s at most. */
static void *sweep(void *arg)
{
    rx_http_server *srv = arg;
    unsigned long closed = 0;              /* not yet reported */
    long long reported = now_ms() - 10000; /* when they last were */
    pthread_mutex_lock(&srv->mu);
    while (!srv->stopping) {
        long long now = now_ms();
        for (conn_rec *c = srv->conns; c; c = c->next) {
            long long d = atomic_load(&c->deadline_ms);
            if (d && now >= d && !c->shut && c->fd >= 0) {
                shutdown(c->fd, SHUT_RDWR);
                c->shut = true;
                if (!atomic_load(&c->idle))
                    closed++;
            }
        }
        if (closed && now - reported >= 10000) { /* idle keep-alive ones are not news */
            char line[256];
            int n = snprintf(line, sizeof line,
                             "rexian serve: closed %lu slow connections (request line and "
                             "headers are due within %lld s, a body within %lld s)\n",
                             closed, srv->header_ms / 1000, srv->body_ms / 1000);
            ssize_t w = write(STDERR_FILENO, line, (size_t)n);
            (void)w;
            closed = 0;
            reported = now;
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += SWEEP_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->wake, &srv->mu, &ts);
    }
    pthread_mutex_unlock(&srv->mu);
    return NULL;
}

/* ---- requests ---- */

/* How many parameters the library will make of query string q: one per
 * '&'-separated piece, but none for an empty last piece. */
static size_t count_params(const char *q)
{
    if (!*q)
        return 0;
    size_t n = 1;
    for (const char *p = q; *p; p++)
        if (*p == '&')
            n++;
    return q[strlen(q) - 1] == '&' ? n - 1 : n;
}

/* Called with the raw request target as soon as the request line is in;
 * what it returns becomes the request's state (*con_cls).
 *
 * libmicrohttpd 0.9.75 parses the query string right after this call, into
 * records taken from the connection's pool, and ignores a failure: the
 * error page it queues is lost when it moves on to the headers, and the
 * connection then hangs until the idle timeout with no answer (~2,000
 * parameters are enough). So a target that is too long or has too many
 * parameters has its query string cut here, in the library's own buffer
 * (uri points into it, and the library has already found the '?'), and
 * the handler answers 414 or 400 once the headers are in. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    conn_rec *rec = conn_record(conn);
    if (rec)
        atomic_store(&rec->idle, false);
    conn_state *cs = calloc(1, sizeof *cs);
    if (!cs || !uri)
        return cs;
    char *query = strchr(uri, '?');
    if (strlen(uri) > MAX_URI)
        cs->uri_too_long = true;
    else if (query && count_params(query + 1) > RX_HTTP_MAX_PARAMS)
        cs->too_many_params = true;
    if (query && (cs->uri_too_long || cs->too_many_params))
        query[1] = '\0';
    return cs;
}

/* The checks made once the headers are in, before any body byte is read.
 * Sets res->status to refuse; *direct when the answer must bypass the
 * library (send_direct), *retry_after for overload. */
static void admit(rx_http_server *srv, struct MHD_Connection *conn, conn_rec *rec, conn_state *cs,
                  rx_http_request *req, rx_http_response *res, bool *direct, unsigned *retry_after)
{
    unsigned open = atomic_load(&srv->open);
    if (open > srv->soft) {
        rx_http_error(res, 503, "overloaded", "服务器繁忙（当前 %u 个连接），请稍后重试", open);
        *retry_after = 2;
        return;
    }
    if (rec && open > srv->soft / 2) {
        unsigned mine = atomic_load(&rec->ip->open), addresses = atomic_load(&srv->addresses);
        unsigned share = srv->soft / (addresses ? addresses : 1);
        if (mine > share && mine > srv->per_ip) {
            rx_http_error(res, 429, "too_many_requests", "来自 %s 的连接过多（%u 个），请稍后重试",
                          req->remote, mine);
            *retry_after = 1;
            return;
        }
    }
    if (cs->uri_too_long) {
        rx_http_error(res, 414, "uri_too_long", "请求地址过长（上限 %d KB）", MAX_URI / 1024);
        *direct = true;
        return;
    }
    field_tally t = {0};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND | MHD_COOKIE_KIND, tally_field, &t);
    if (t.bytes > MAX_FIELD_BYTES || t.count > MAX_FIELDS) {
        rx_http_error(res, 431, "headers_too_large", "请求头过大（上限 %d KB、%d 个字段）",
                      MAX_FIELD_BYTES / 1024, MAX_FIELDS);
        *direct = true;
        return;
    }
    if (cs->too_many_params || req->too_many_params) {
        rx_http_error(res, 400, "too_many_parameters", "查询参数过多（最多 %d 个）",
                      RX_HTTP_MAX_PARAMS);
        return;
    }
    if (!rx_utf8_valid(req->path, strlen(req->path), NULL)) {
        rx_http_error(res, 400, "invalid_utf8", "请求路径不是有效的 UTF-8");
        return;
    }
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    /* the application's admission matters only before a body: without one
     * the dispatch that follows checks the same at once (and a token is
     * hashed and looked up once per request, not twice) */
    bool body =
        (cl && strtoull(cl, NULL, 10) > 0) ||
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (srv->admit && body) {
        srv->admit(srv->app, req, res);
        if (res->status)
            return;
    }
    size_t cap = req->max_body ? req->max_body : RX_HTTP_MAX_BODY;
    if (cl && strtoull(cl, NULL, 10) > cap)
        rx_http_error(res, 413, "body_too_large", "请求体超过 %zu KB 的上限", cap / 1024);
}

/* ---- the workers ---- */

/* Whether a background request may start now: one worker always stays
 * free for the interactive lane (none is kept back when there is one). */
static bool background_may_start(const work_pool *p)
{
    return p->nthreads < 2 || p->running_background + 1 < p->nthreads;
}

/* The request a worker takes next, out of its lane; NULL: none may start. */
static conn_state *pool_next(work_pool *p)
{
    lane *l = &p->interactive;
    if (!l->head) {
        l = &p->background;
        if (!l->head || !background_may_start(p))
            return NULL;
    }
    conn_state *cs = l->head;
    l->head = cs->next;
    if (!l->head)
        l->tail = NULL;
    l->depth--;
    double waited = rx_now() - cs->queued_at;
    size_t b = 0;
    while (b < NWAIT && waited * 1000 > wait_buckets_ms[b])
        b++;
    l->waited[b]++;
    l->waited_s += waited;
    return cs;
}

/* Wakes the worker idle last, if any, when a queued request may start. Only
 * a new request needs this: one that a running background request made wait
 * is taken by that worker's next turn, and while the interactive lane holds
 * requests no worker is idle. */
static void wake_one(work_pool *p)
{
    worker *w = p->idlers;
    if (!w || !(p->interactive.head || (p->background.head && background_may_start(p))))
        return;
    p->idlers = w->next_idle;
    w->woken = true;
    pthread_cond_signal(&w->wake);
}

/* Queues cs in its lane for a worker and suspends its connection; false
 * once the server is stopping (the caller then runs it itself). */
static bool pool_submit(rx_http_server *srv, conn_state *cs, struct MHD_Connection *conn,
                        bool background)
{
    work_pool *p = &srv->pool;
    pthread_mutex_lock(&p->mu);
    if (p->closed) {
        pthread_mutex_unlock(&p->mu);
        return false;
    }
    MHD_suspend_connection(conn);
    cs->conn = conn;
    cs->next = NULL;
    cs->background = background;
    cs->queued_at = rx_now();
    lane *l = background ? &p->background : &p->interactive;
    if (l->tail)
        l->tail->next = cs;
    else
        l->head = cs;
    l->tail = cs;
    l->depth++;
    wake_one(p);
    pthread_mutex_unlock(&p->mu);
    return true;
}

/* A worker: runs queued requests in turn, leaves the answer in their state
 * and resumes their connection, whose thread then sends it. */
static void *pool_main(void *arg)
{
    worker *self = arg;
    rx_http_server *srv = self->srv;
    work_pool *p = &srv->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        conn_state *cs = pool_next(p);
        if (!cs) {
            if (p->stop) /* set once both lanes are empty */
                break;
            self->woken = false;
            self->next_idle = p->idlers;
            p->idlers = self;
            while (!self->woken && !p->stop)
                pthread_cond_wait(&self->wake, &p->mu);
            continue; /* another worker may have taken the request */
        }
        bool background = cs->background;
        p->running++;
        p->running_background += background;
        pthread_mutex_unlock(&p->mu);

        srv->dispatch(srv->app, &cs->req, &cs->res);
        if (cs->req.user) { /* the dispatcher's copy is this thread's */
            snprintf(cs->user, sizeof cs->user, "%s", cs->req.user);
            cs->req.user = cs->user;
        }
        cs->answered = true;
        /* from here on cs belongs to the library's thread again */
        MHD_resume_connection(cs->conn);

        pthread_mutex_lock(&p->mu);
        p->running_background -= background;
        if (--p->running == 0 && !p->interactive.head && !p->background.head)
            pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static bool pool_start(rx_http_server *srv, unsigned n)
{
    work_pool *p = &srv->pool;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->idle, NULL);
    if (!n)
        return true;
    p->workers = calloc(n, sizeof *p->workers);
    if (!p->workers)
        return false;
    for (; p->nthreads < n; p->nthreads++) {
        worker *w = &p->workers[p->nthreads];
        w->srv = srv;
        pthread_cond_init(&w->wake, NULL);
        if (pthread_create(&w->thread, NULL, pool_main, w) != 0) {
            pthread_cond_destroy(&w->wake);
            return p->nthreads > 0;
        }
        pthread_setname_np(w->thread, "rx-worker"); /* top -H, tests */
    }
    return true;
}

/* Stops queueing, lets every queued request run and be resumed, and joins
 * the workers: the library must hold no suspended connection when it
 * stops. Requests that come in afterwards on open connections run inline
 * (pool_submit says no), so the pool's lock lives on until pool_free,
 * after the library has stopped. */
static void pool_stop(rx_http_server *srv)
{
    work_pool *p = &srv->pool;
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    while (p->interactive.head || p->background.head || p->running)
        pthread_cond_wait(&p->idle, &p->mu);
    p->stop = true;
    for (unsigned k = 0; k < p->nthreads; k++)
        pthread_cond_signal(&p->workers[k].wake);
    pthread_mutex_unlock(&p->mu);
    for (unsigned k = 0; k < p->nthreads; k++)
        pthread_join(p->workers[k].thread, NULL);
}

void rx_http_pool_metrics(rx_http_server *srv, rx_buf *out)
{
    work_pool *p = &srv->pool;
    static const char *const names[] = {"interactive", "background"};
    pthread_mutex_lock(&p->mu);
    lane lanes[2] = {p->interactive, p->background};
    unsigned running = p->running, nthreads = p->nthreads;
    pthread_mutex_unlock(&p->mu);
    rx_buf_printf(out,
                  "# HELP rexian_http_workers Worker threads that run API requests.\n"
                  "# TYPE rexian_http_workers gauge\nrexian_http_workers %u\n"
                  "# HELP rexian_http_workers_busy Workers running a request now.\n"
                  "# TYPE rexian_http_workers_busy gauge\nrexian_http_workers_busy %u\n"
                  "# HELP rexian_http_queue_depth API requests waiting for a worker, by lane.\n"
                  "# TYPE rexian_http_queue_depth gauge\n",
                  nthreads, running);
    for (size_t k = 0; k < 2; k++)
        rx_buf_printf(out, "rexian_http_queue_depth{lane=\"%s\"} %u\n", names[k], lanes[k].depth);
    rx_buf_puts(out, "# HELP rexian_http_queue_wait_seconds How long API requests waited for a "
                     "worker, by lane.\n"
                     "# TYPE rexian_http_queue_wait_seconds histogram\n");
    for (size_t k = 0; k < 2; k++) {
        unsigned long cum = 0;
        for (size_t b = 0; b < NWAIT; b++) {
            cum += lanes[k].waited[b];
            rx_buf_printf(out, "rexian_http_queue_wait_seconds_bucket{lane=\"%s\",le=\"%g\"} %lu\n",
                          names[k], wait_buckets_ms[b] / 1000, cum);
        }
        cum += lanes[k].waited[NWAIT];
        rx_buf_printf(out,
                      "rexian_http_queue_wait_seconds_bucket{lane=\"%s\",le=\"+Inf\"} %lu\n"
                      "rexian_http_queue_wait_seconds_sum{lane=\"%s\"} %.6f\n"
                      "rexian_http_queue_wait_seconds_count{lane=\"%s\"} %lu\n",
                      names[k], cum, names[k], lanes[k].waited_s, names[k], cum);
    }
}

static void pool_free(rx_http_server *srv)
{
    work_pool *p = &srv->pool;
    for (unsigned k = 0; k < p->nthreads; k++)
        pthread_cond_destroy(&p->workers[k].wake);
    free(p->workers);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->mu);
}

/* The library calls this first when the headers are in, then once per
 * piece of body, then with no data when the request is complete. A
 * response queued on the first call goes out at once; the library then
 * reads no body and closes the connection. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    rx_http_server *srv = cls;
    tl_closing = false;
    conn_state *cs = *con_cls;
    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        *con_cls = cs;
    }
    conn_rec *rec = conn_record(conn);
    rx_http_response res = {0};
    if (!cs->begun) {
        cs->begun = true;
        cs->started = rx_now();
        atomic_fetch_add(&srv->in_flight, 1);
        set_deadline(rec, srv->body_ms);
        cs->req = (rx_http_request){.method = method, .path = url, .remote = cs->remote};
        client_address(conn, cs->remote, sizeof cs->remote);
        cs->req.authorization =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param, &cs->req);
        bool direct = false;
        unsigned retry_after = 0;
        admit(srv, conn, rec, cs, &cs->req, &res, &direct, &retry_after);
        if (!res.status)
            return MHD_YES; /* admitted: on to the body */
        set_deadline(rec, 0);
        enum MHD_Result ok =
            direct ? send_direct(conn, srv, &cs->req, &res, cs->started)
                   : send_response(conn, srv, &cs->req, &res, cs->started, retry_after);
        rx_buf_free(&res.body);
        return ok;
    }
    if (*upload_size) {
        size_t cap = cs->req.max_body ? cs->req.max_body : RX_HTTP_MAX_BODY;
        if (cs->body.len + *upload_size <= cap) {
            if (rx_buf_append(&cs->body, upload_data, *upload_size) != RX_OK)
                return MHD_NO;
            *upload_size = 0;
            return MHD_YES;
        }
        /* a chunked body past the limit: answer now, read no further */
        rx_http_error(&res, 413, "body_too_large", "请求体超过 %zu KB 的上限", cap / 1024);
        enum MHD_Result ok = send_direct(conn, srv, &cs->req, &res, cs->started);
        rx_buf_free(&res.body);
        return ok;
    }
    set_deadline(rec, 0);
    if (cs->answered) { /* resumed: a worker answered */
        cs->answered = false;
        enum MHD_Result ok = send_response(conn, srv, &cs->req, &cs->res, cs->started, 0);
        rx_buf_free(&cs->res.body);
        return ok;
    }
    cs->req.body = cs->body.data ? cs->body.data : "";
    cs->req.body_len = cs->body.len;
    rx_http_lane lane_of = srv->offload ? srv->offload(srv->app, &cs->req) : RX_HTTP_INLINE;
    if (lane_of != RX_HTTP_INLINE && pool_submit(srv, cs, conn, lane_of == RX_HTTP_BACKGROUND))
        return MHD_YES;
    srv->dispatch(srv->app, &cs->req, &res);
    enum MHD_Result ok = send_response(conn, srv, &cs->req, &res, cs->started, 0);
    rx_buf_free(&res.body);
    return ok;
}

/* The end of a request, answered or not: its state goes, and the
 * connection has the header deadline again, for its next request. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    rx_http_server *srv = cls;
    conn_rec *rec = conn_record(conn);
    if (rec) {
        set_deadline(rec, srv->header_ms);
        atomic_store(&rec->idle, true);
    }
    conn_state *cs = *con_cls;
    if (cs) {
        if (cs->begun)
            atomic_fetch_sub(&srv->in_flight, 1);
        rx_buf_free(&cs->body);
        rx_buf_free(&cs->res.body);
        free(cs);
        *con_cls = NULL;
    }
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[1024];
    int n = snprintf(line, sizeof line, "rexian serve: libmicrohttpd: ");
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (tl_closing && strstr(line, "Application reported internal error")) {
        tl_closing = false; /* we closed it on purpose, after answering */
        return;
    }
    /* a socket the sweeper shut down mid-request; the sweeper counts them */
    if (strstr(line, "detected connection closure"))
        return;
    size_t len = strlen(line);
    while (len && line[len - 1] == '\n') /* some messages bring their own */
        len--;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

/* Descriptors this process may still open for connections. */
static unsigned fd_room(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return DEFAULT_MAX_CONNECTIONS;
    if (rl.rlim_cur < FD_RESERVE + 64)
        return 64;
    rlim_t room = rl.rlim_cur - FD_RESERVE;
    return room > UINT_MAX ? UINT_MAX : (unsigned)room;
}

/* Admits a new connection unless the server is stopping. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)addr;
    (void)addrlen;
    rx_http_server *srv = cls;
    return atomic_load(&srv->refusing) ? MHD_NO : MHD_YES;
}

int rx_http_start(rx_http_server **out, const rx_http_config *cfg, rx_http_dispatch_fn fn,
                  void *app, unsigned *port_out)
{
    *out = NULL;
    char host[128];
    const char *colon = strrchr(cfg->listen, ':');
    if (!colon || (size_t)(colon - cfg->listen) >= sizeof host)
        return rx_error_set(RX_EINVALID, "--listen must be ADDR:PORT, not '%s'", cfg->listen);
    memcpy(host, cfg->listen, (size_t)(colon - cfg->listen));
    host[colon - cfg->listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return rx_error_set(RX_EINVALID, "bad port in --listen '%s'", cfg->listen);
    struct sockaddr_in sa4 = {0};
    struct sockaddr_in6 sa6 = {0};
    struct sockaddr *sa;
    const char *h = host;
    size_t hl = strlen(host);
    char h6[128];
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        snprintf(h6, sizeof h6, "%.*s", (int)(hl - 2), host + 1);
        h = h6;
    }
    unsigned flags =
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (inet_pton(AF_INET, h, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, h, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        return rx_error_set(RX_EINVALID, "--listen address '%s' is not an IP address", host);
    }
    rx_http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return rx_error_set(RX_ENOMEM, "out of memory");
    srv->dispatch = fn;
    srv->admit = cfg->admit;
    srv->offload = cfg->offload;
    srv->app = app;
    srv->access_log = cfg->access_log;
    unsigned room = fd_room();
    unsigned hard = cfg->max_connections ? cfg->max_connections : DEFAULT_MAX_CONNECTIONS;
    if (hard > room)
        hard = room;
    srv->soft = cfg->soft_connections && cfg->soft_connections < hard ? cfg->soft_connections
                                                                      : hard - hard / 4;
    srv->per_ip = cfg->max_per_ip ? cfg->max_per_ip : srv->soft / 16;
    if (srv->per_ip < 8)
        srv->per_ip = 8;
    srv->header_ms = 1000LL * (cfg->header_timeout_s ? cfg->header_timeout_s : 10);
    srv->body_ms = 1000LL * (cfg->body_timeout_s ? cfg->body_timeout_s : 30);
    pthread_mutex_init(&srv->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->wake, &ca);
    pthread_condattr_destroy(&ca);
    unsigned threads = cfg->threads < 2 ? 2 : cfg->threads;
    int rc;
    if (!pool_start(srv, srv->offload ? threads : 0)) {
        pool_stop(srv);
        pool_free(srv);
        rc = rx_error_set(RX_EIO, "cannot start the worker threads");
        goto fail;
    }
    srv->daemon = MHD_start_daemon(
        flags, 0, on_accept, srv, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        hard, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : 30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)POOL_BYTES, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
        srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
    if (!srv->daemon) {
        pool_stop(srv);
        pool_free(srv);
        rc = rx_error_set(RX_EIO, "cannot listen on %s (in use, or not allowed)", cfg->listen);
        goto fail;
    }
    if (pthread_create(&srv->sweeper, NULL, sweep, srv) != 0) {
        pool_stop(srv);
        MHD_stop_daemon(srv->daemon);
        pool_free(srv);
        rc = rx_error_set(RX_EIO, "cannot start the connection sweeper thread");
        goto fail;
    }
    srv->sweeping = true;
    if (port_out) {
        const union MHD_DaemonInfo *di =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
        *port_out = di ? di->port : (unsigned)port;
    }
    *out = srv;
    return RX_OK;
fail:
    pthread_cond_destroy(&srv->wake);
    pthread_mutex_destroy(&srv->mu);
    free(srv);
    return rc;
}

void rx_http_stop(rx_http_server *srv, unsigned grace_s)
{
    if (!srv)
        return;
    /* stop accepting (on_accept closes what the listening socket still
     * takes); in-flight requests run to completion. Not MHD_quiesce_daemon:
     * with a pool of epoll threads, libmicrohttpd 0.9.75 races its own
     * threads to take the listening socket out of their epoll sets and
     * aborts the process when it loses ("Failed to remove listen FD from
     * epoll set", seen in test_server once in thirty runs). */
    atomic_store(&srv->refusing, true);
    /* wait for requests in flight; idle keep-alive connections do not hold
     * the shutdown up */
    double deadline = rx_now() + grace_s;
    while (rx_now() < deadline && atomic_load(&srv->in_flight) > 0)
        usleep(10 * 1000);
    pool_stop(srv);               /* queued requests still run: none may stay suspended */
    MHD_stop_daemon(srv->daemon); /* every connection's CLOSED notification */
    pool_free(srv);
    pthread_mutex_lock(&srv->mu);
    srv->stopping = true;
    pthread_cond_signal(&srv->wake);
    pthread_mutex_unlock(&srv->mu);
    if (srv->sweeping)
        pthread_join(srv->sweeper, NULL);
    for (size_t b = 0; b < IP_BUCKETS; b++)
        while (srv->ips[b]) {
            ip_slot *next = srv->ips[b]->next;
            free(srv->ips[b]);
            srv->ips[b] = next;
        }
    pthread_cond_destroy(&srv->wake);
    pthread_mutex_destroy(&srv->mu);
    free(srv);
}

/* ---- request and response helpers ---- */

const char *rx_http_param(const rx_http_request *req, const char *key)
{
    const char *v = NULL;
    for (size_t k = 0; k < req->nparams; k++)
        if (strcmp(req->params[k].key, key) == 0)
            v = req->params[k].value;
    return v;
}

void rx_http_json(rx_http_response *res, int status, cJSON *doc)
{
    res->status = status;
    rx_buf_reset(&res->body);
    char *s = doc ? cJSON_PrintUnformatted(doc) : NULL;
    if (s) {
        rx_buf_puts(&res->body, s);
        free(s);
    } else {
        res->status = 500;
        rx_buf_puts(&res->body,
                    "{\"error\":{\"code\":\"internal\",\"message\":\"服务器内存不足\"}}");
    }
    cJSON_Delete(doc);
}

void rx_http_error(rx_http_response *res, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* a message cut mid-character, or echoing a client's bytes that are
     * not UTF-8, must still make valid JSON: each bad byte becomes '?' */
    size_t n = strlen(msg), bad;
    while (!rx_utf8_valid(msg, n, &bad))
        msg[bad] = '?';
    cJSON *doc = cJSON_CreateObject(), *err = cJSON_AddObjectToObject(doc, "error");
    cJSON_AddStringToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message", msg);
    rx_http_json(res, status, doc);
    res->status = status;
}
