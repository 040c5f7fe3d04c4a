/* libmicrohttpd glue: accumulate a request (bounded), hand our own request
 * struct to the dispatcher, send its response. Internal thread pool with
 * epoll, so every core serves; limits against slow or hostile clients. */
#include "rexian/error.h"
#include "rexian/http.h"
#include "rexian/text.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct rx_http_server {
    struct MHD_Daemon *daemon;
    atomic_int in_flight; /* requests begun and not yet completed */
    rx_http_dispatch_fn dispatch;
    void *app;
    bool access_log;
};

/* One request being received. */
typedef struct {
    rx_buf body;
    bool too_large;
    double started;
} conn_state;

typedef struct {
    rx_http_request *req;
} param_ctx;

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

static enum MHD_Result send_response(struct MHD_Connection *conn, rx_http_server *srv,
                                     rx_http_request *req, rx_http_response *res, double started)
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
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (res->allow)
        MHD_add_response_header(r, "Allow", res->allow);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    if (srv->access_log)
        log_request(req, res->status, res->body.len, (rx_now() - started) * 1000);
    return ok;
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    rx_http_server *srv = cls;
    conn_state *cs = *con_cls;
    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        cs->started = rx_now();
        *con_cls = cs;
        atomic_fetch_add(&srv->in_flight, 1);
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > RX_HTTP_MAX_BODY) {
            /* answer at once; the library then closes the connection */
            rx_http_request req = {.method = method, .path = url};
            rx_http_response res = {0};
            rx_http_error(&res, 413, "body_too_large", "请求体超过 %d KB 的上限",
                          RX_HTTP_MAX_BODY / 1024);
            cs->too_large = true;
            enum MHD_Result ok = send_response(conn, srv, &req, &res, cs->started);
            rx_buf_free(&res.body);
            return ok;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cs->too_large) {
            if (cs->body.len + *upload_size > RX_HTTP_MAX_BODY)
                cs->too_large = true;
            else if (rx_buf_append(&cs->body, upload_data, *upload_size) != RX_OK)
                return MHD_NO;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    char remote[64];
    client_address(conn, remote, sizeof remote);
    rx_http_request req = {.method = method, .path = url, .remote = remote};
    rx_http_response res = {0};
    req.authorization =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param, &req);
    if (cs->too_large) {
        rx_http_error(&res, 413, "body_too_large", "请求体超过 %d KB 的上限",
                      RX_HTTP_MAX_BODY / 1024);
    } else if (req.too_many_params) {
        rx_http_error(&res, 400, "too_many_parameters", "查询参数过多（最多 %d 个）",
                      RX_HTTP_MAX_PARAMS);
    } else if (!rx_utf8_valid(url, strlen(url), NULL)) {
        rx_http_error(&res, 400, "invalid_utf8", "请求路径不是有效的 UTF-8");
    } else {
        req.body = cs->body.data ? cs->body.data : "";
        req.body_len = cs->body.len;
        srv->dispatch(srv->app, &req, &res);
    }
    enum MHD_Result ok = send_response(conn, srv, &req, &res, cs->started);
    rx_buf_free(&res.body);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    rx_http_server *srv = cls;
    conn_state *cs = *con_cls;
    if (cs) {
        atomic_fetch_sub(&srv->in_flight, 1);
        rx_buf_free(&cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("rexian serve: libmicrohttpd: ", stderr);
    vfprintf(stderr, fmt, ap);
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
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
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
    srv->app = app;
    srv->access_log = cfg->access_log;
    unsigned threads = cfg->threads < 2 ? 2 : cfg->threads;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_connections ? cfg->max_connections : 1024, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        cfg->max_per_ip ? cfg->max_per_ip : 256, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->timeout_s ? cfg->timeout_s : 30,
        /* room for request lines and headers past 100 KB, so that those get
         * our JSON errors rather than the library's own pages; not more: the
         * library clears the pool between requests (256 KiB cost /healthz at
         * 64 connections a third of its rate, 128 KiB a few percent) */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
    if (!srv->daemon) {
        free(srv);
        return rx_error_set(RX_EIO, "cannot listen on %s (in use, or not allowed)", cfg->listen);
    }
    if (port_out) {
        const union MHD_DaemonInfo *di =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
        *port_out = di ? di->port : (unsigned)port;
    }
    *out = srv;
    return RX_OK;
}

void rx_http_stop(rx_http_server *srv, unsigned grace_s)
{
    if (!srv)
        return;
    /* stop accepting; in-flight requests run to completion */
    MHD_socket s = MHD_quiesce_daemon(srv->daemon);
    if (s != MHD_INVALID_SOCKET)
        close(s);
    /* wait for requests in flight; idle keep-alive connections do not hold
     * the shutdown up */
    double deadline = rx_now() + grace_s;
    while (rx_now() < deadline && atomic_load(&srv->in_flight) > 0)
        usleep(10 * 1000);
    MHD_stop_daemon(srv->daemon);
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
    cJSON *doc = cJSON_CreateObject(), *err = cJSON_AddObjectToObject(doc, "error");
    cJSON_AddStringToObject(err, "code", code);
    cJSON_AddStringToObject(err, "message", msg);
    rx_http_json(res, status, doc);
    res->status = status;
}
