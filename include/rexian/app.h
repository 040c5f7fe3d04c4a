/* The rexian service: application state shared by the HTTP handlers, the
 * route table, authentication and metrics. */
#ifndef REXIAN_APP_H
#define REXIAN_APP_H

#include "rexian/http.h"
#include "rexian/kb.h"

#include <sqlite3.h>

typedef struct rx_app rx_app;

typedef struct {
    const char *index_path;
    const char *corpus_path;    /* for reindexing from the service */
    sqlite3 *db;                /* borrowed; serialized connection */
    struct rx_tickets *tickets; /* borrowed; NULL: no ticket routes */
    int scan_interval_s;        /* overdue scanner period; 0: no scanner thread */
    double clock_offset;        /* seconds added to the workflow's clock (tests) */
    const char *web_dir;        /* the console's static files; NULL: no console */
} rx_app_config;

/* Creates the application; with tickets and a scan interval it starts the
 * overdue scanner thread. */
int rx_app_new(rx_app **out, const rx_app_config *cfg);
/* Stops the scanner and frees the application and every per-thread knowledge-base handle. Call
 * after the HTTP server has stopped. */
void rx_app_free(rx_app *app);

/* The database (borrowed). */
sqlite3 *rx_app_db(rx_app *app);

/* The ticket store (borrowed), or NULL. */
struct rx_tickets *rx_app_tickets(rx_app *app);

/* The workflow's clock: seconds since the epoch, plus the configured
 * offset. */
double rx_app_clock(rx_app *app);

/* Agent assist (borrowed), or NULL without a ticket store. */
struct rx_assist *rx_app_assist(rx_app *app);

/* Statistics (borrowed), or NULL without a ticket store. */
struct rx_stats *rx_app_stats(rx_app *app);

/* The corpus folder that reindexing reads and imports write into. */
const char *rx_app_corpus(rx_app *app);

/* The casebooks (案例复盘, borrowed), or NULL without a ticket store. */
struct rx_casebooks *rx_app_casebooks(rx_app *app);

/* The background reindexer (borrowed). */
struct rx_reindexer *rx_app_reindexer(rx_app *app);

/* The admission check handed to rx_http_start (rx_http_config.admit): the
 * route, the token and the role, before the body is read. */
void rx_app_admit(void *app, rx_http_request *req, rx_http_response *res);

/* Makes every cached token be checked against the database again on its
 * next use (after a revocation or a new user through the API). */
void rx_app_forget_tokens(rx_app *app);

/* Where requests run (rx_http_config.offload): statistics, casebooks and
 * admin work (imports among them) in the background lane, the rest of the
 * API (search, assist, tickets) in the interactive one; health checks,
 * metrics and the console's files on the thread that read them. */
rx_http_lane rx_app_offload(void *app, const rx_http_request *req);

/* The dispatcher handed to rx_http_start. */
void rx_app_dispatch(void *app, rx_http_request *req, rx_http_response *res);

/* The calling thread's knowledge-base handle (opened on first use, then
 * refreshed so that a newly published index is served). NULL with
 * rx_error_last() on failure. */
rx_kb *rx_app_kb(rx_app *app);

/* Prometheus text of every counter and histogram, with the server's
 * workers once rx_app_set_server named it. */
void rx_app_metrics(rx_app *app, rx_buf *out);

/* The server that serves app, for its workers' metrics; NULL before the
 * server stops. */
void rx_app_set_server(rx_app *app, rx_http_server *srv);

#endif
