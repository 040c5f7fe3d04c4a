/* Route handlers, one file per resource; the table is in app.c. */
#ifndef REXIAN_SRC_HTTP_ROUTES_H
#define REXIAN_SRC_HTTP_ROUTES_H

#include "rexian/app.h"
#include "rexian/tickets.h"

#include <stdbool.h>

/* Answers the thread's last core error (error.h), code, with the status the
 * one table in errors.c gives it.
 * 5xx answers carry a generic message; the detail goes to the log. */
void rx_http_fail(rx_http_response *res, int code);

/* 503 index_unavailable: the knowledge-base handle could not be opened
 * (the reason goes to the log). */
void rx_http_index_unavailable(rx_http_response *res);

/* The authenticated user as the ticket store sees it, with the served
 * index's departments and its handle in doc_ctx (NULL when the index is
 * away), refreshed once for the request (routes_tickets.c). */
rx_actor rx_route_actor(rx_app *app, const rx_http_request *req);

/* Query parameters (params.c). An empty value counts as absent (NULL, def or
 * RX_DATE_INVALID). On a bad value each answers 400 into res itself and
 * returns false. */
bool rx_param_text(const char **out, const rx_http_request *req, rx_http_response *res,
                   const char *key, size_t max);
bool rx_param_number(long *out, const rx_http_request *req, rx_http_response *res, const char *key,
                     long def, long lo, long hi);
bool rx_param_date(long *out, const rx_http_request *req, rx_http_response *res, const char *key);
/* The request body as a JSON object in valid UTF-8 (caller frees), or NULL
 * after answering 400 invalid_json with example in the message. Strict:
 * nothing but white space after the object, no key twice in an object, no
 * \u0000 inside a string. */
cJSON *rx_body_object(const rx_http_request *req, rx_http_response *res, const char *example);

/* The console's static files (static.c), read into memory once. */
typedef struct rx_static rx_static;
/* Reads the top level of dir; fails (rx_error_last) when dir cannot be
 * opened, a file cannot be read, or there are too many or too big ones. */
int rx_static_load(rx_static **out, const char *dir);
void rx_static_free(rx_static *s); /* NULL-safe */
/* Whether path names a file of s (NULL-safe; "/" is /index.html). */
bool rx_static_has(const rx_static *s, const char *path);
/* Answers the file path names into res (200, its type, no-cache); false
 * when there is none. */
bool rx_static_answer(const rx_static *s, const char *path, rx_http_response *res);

void rx_route_healthz(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_metrics(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_search(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_suggest(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_doc(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_static(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_synonyms(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_me(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_users_list(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_users_create(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_users_revoke(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_audit(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_reindex_start(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_reindex_status(rx_app *app, const rx_http_request *req, rx_http_response *res);

void rx_route_tickets_create(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_tickets_list(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_ticket_get(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_ticket_act(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_callbacks(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_ticket_assist(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_text_assist(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_learned_list(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_learned_forget(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_import_convert(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_import_publish(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_scan(rx_app *app, const rx_http_request *req, rx_http_response *res);

/* Statistics (routes_stats.c). The statistics caught up with the log (the
 * events left, if any, in *pending), or NULL after answering 503 or the
 * error into res. */
struct rx_stats *rx_route_stats(rx_app *app, rx_http_response *res, long long *pending);
/* from= and to= as an inclusive range of days: 30 days ending today by
 * default, ending 29 days after from when only from is given; false after
 * answering 400 for a bad or reversed range, or one over ten years. */
bool rx_param_range(long *from, long *to, rx_app *app, const rx_http_request *req,
                    rx_http_response *res);
/* Answers a statistic: out with the events not counted yet (pending_events,
 * while a first start catches up) when rc is RX_OK, else rc's error. */
void rx_route_stats_answer(rx_http_response *res, int rc, cJSON *out, long long pending);
/* Adds pending_events to out when the figures trail the log. */
void rx_route_note_pending(cJSON *out, long long pending);
void rx_route_stats_resolution(rx_app *app, const rx_http_request *req, rx_http_response *res);
/* Analysis (routes_analysis.c). */
void rx_route_stats_hotwords(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_stats_warnings(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_stats_policy(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_stats_gaps(rx_app *app, const rx_http_request *req, rx_http_response *res);

/* Casebooks (案例复盘) and the supervision report (热线监督报告):
 * routes_casebooks.c. */
void rx_route_casebooks_create(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_casebooks_list(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_casebook_get(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_stats_report(rx_app *app, const rx_http_request *req, rx_http_response *res);

#endif
