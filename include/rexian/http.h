/* The HTTP layer: requests and responses as our own structs, a route table,
 * and the libmicrohttpd server behind them (src/http/server.c is the only
 * file that includes microhttpd.h). Handlers can be called without a socket.
 */
#ifndef REXIAN_HTTP_H
#define REXIAN_HTTP_H

#include "rexian/util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define RX_HTTP_MAX_PARAMS 32
#define RX_HTTP_MAX_BODY (1024 * 1024)

typedef struct {
    const char *key, *value;
} rx_kv;

typedef struct {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* decoded path, no query string */
    rx_kv params[RX_HTTP_MAX_PARAMS];
    size_t nparams;
    bool too_many_params;
    const char *authorization; /* header value or NULL */
    const char *body;
    size_t body_len;
    const char *remote; /* client address, for the log */
    /* filled by the router for the handler */
    const char *path_id;    /* the {id} segment of the matched route */
    const char *user;       /* authenticated user name */
    const char *role;       /* and role name */
    int role_id;            /* rx_role (roles.h) */
    const char *department; /* the department role's department, else NULL */
    /* set at admission: the route's body limit; 0 is RX_HTTP_MAX_BODY */
    size_t max_body;
} rx_http_request;

typedef struct {
    int status;
    const char *content_type; /* static string; default application/json */
    rx_buf body;
    const char *allow; /* Allow header for 405, static */
    /* Cache-Control, static string; NULL: no-store (every API answer) */
    const char *cache_control;
    const char *security_policy; /* Content-Security-Policy, static; NULL: none */
} rx_http_response;

/* The value of query parameter key (last one wins), or NULL. */
const char *rx_http_param(const rx_http_request *req, const char *key);

/* Sets res to the JSON document (takes ownership of doc). */
void rx_http_json(rx_http_response *res, int status, cJSON *doc);
/* Sets res to {"error":{"code":code,"message":message}}. */
void rx_http_error(rx_http_response *res, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The HTTP status for a core error code (error.h): the one table, in
 * src/http/errors.c. */
int rx_http_status_of(int code);

/* Dispatches one request to the application (routes.c). */
/* The dispatcher may fill req->user for the access log. */
typedef void (*rx_http_dispatch_fn)(void *app, rx_http_request *req, rx_http_response *res);

/* Called once the request line and headers are in, before any byte of the
 * body is read (req->body is NULL): it may answer at once by setting
 * res->status (401 without a valid token, 403, 404, 405), and the body is
 * then never read. Leaving res->status 0 lets the request go on to
 * dispatch. */
typedef void (*rx_http_admit_fn)(void *app, rx_http_request *req, rx_http_response *res);

/* Where a request runs once its body is in. Cheap ones (health checks,
 * files) answer inline, on the thread that reads their connection; the
 * rest wait for the next free worker in one of two lanes, each first come
 * first served: interactive requests go first, and background ones
 * (reports, imports) never hold every worker. */
typedef enum { RX_HTTP_INLINE, RX_HTTP_INTERACTIVE, RX_HTTP_BACKGROUND } rx_http_lane;
typedef rx_http_lane (*rx_http_offload_fn)(void *app, const rx_http_request *req);

/* Limits left 0 take the defaults in brackets. Below max_connections no
 * client gets an empty reply: overload is answered in JSON. */
typedef struct {
    const char *listen; /* "ADDR:PORT"; port 0 picks a free one */
    /* threads reading sockets, and as many workers when offload is set
     * (>= 2 each) */
    unsigned threads;
    /* open connections beyond which new ones are refused [8192, less if
     * RLIMIT_NOFILE is lower] */
    unsigned max_connections;
    /* above this many open connections, requests get 503 overloaded
     * [3/4 of max_connections] */
    unsigned soft_connections;
    /* past half the soft limit, an address holding more connections than
     * this and than its equal share of the soft limit gets 429
     * [soft_connections / 16, at least 8] */
    unsigned max_per_ip;
    unsigned timeout_s; /* idle connection timeout [30] */
    /* seconds to deliver the request line and headers, from the
     * connection's start or the end of its previous request (idle
     * keep-alive connections are closed then too) [10] */
    unsigned header_timeout_s;
    unsigned body_timeout_s;    /* and then the whole body [30] */
    bool access_log;            /* one JSON line per request on stderr */
    rx_http_admit_fn admit;     /* NULL: every request is read in full first */
    rx_http_offload_fn offload; /* NULL: every request runs inline */
} rx_http_config;

typedef struct rx_http_server rx_http_server;

/* Starts listening; *port_out (may be NULL) receives the bound port. */
int rx_http_start(rx_http_server **out, const rx_http_config *cfg, rx_http_dispatch_fn fn,
                  void *app, unsigned *port_out);
/* The workers in Prometheus text, appended to out: their number, how many
 * run a request, how many requests wait in each lane and a histogram of
 * how long they waited (rexian_http_queue_wait_seconds). */
void rx_http_pool_metrics(rx_http_server *srv, rx_buf *out);
/* Stops accepting, lets in-flight requests finish (up to grace_s seconds),
 * then stops and frees. NULL-safe. */
void rx_http_stop(rx_http_server *srv, unsigned grace_s);

#endif
