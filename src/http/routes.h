/* Route handlers, one file per resource; the table is in app.c. */
#ifndef REXIAN_SRC_HTTP_ROUTES_H
#define REXIAN_SRC_HTTP_ROUTES_H

#include "rexian/app.h"

void rx_route_healthz(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_metrics(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_search(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_suggest(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_doc(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_users_list(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_users_create(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_reindex_start(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_reindex_status(rx_app *app, const rx_http_request *req, rx_http_response *res);

void rx_route_tickets_create(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_tickets_list(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_ticket_get(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_ticket_act(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_callbacks(rx_app *app, const rx_http_request *req, rx_http_response *res);
void rx_route_scan(rx_app *app, const rx_http_request *req, rx_http_response *res);

#endif
