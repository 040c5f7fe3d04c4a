/* libFuzzer target: query parameters as the handlers read them. The input
 * is a query string of key=value pairs split at '&' (or a newline), as the
 * server hands them over: NUL-terminated, at most RX_HTTP_MAX_PARAMS, bytes
 * unchecked. The whole input also goes to rx_date_parse as it is. */
#include "rexian/http.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include "../../src/http/routes.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal is a 400 whose body is a JSON error in valid UTF-8. */
static void check_answer(bool ok, rx_http_response *res)
{
    if (ok) {
        assert(res->status == 0 && res->body.len == 0);
    } else {
        assert(res->status == 400);
        assert(rx_utf8_valid(res->body.data, res->body.len, NULL));
        cJSON *doc = cJSON_Parse(res->body.data);
        assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "error")));
        cJSON_Delete(doc);
    }
    rx_buf_free(&res->body);
    *res = (rx_http_response){0};
}

static void check_text(const rx_http_request *req, const char *key, size_t max)
{
    rx_http_response res = {0};
    const char *v = (const char *)1;
    bool ok = rx_param_text(&v, req, &res, key, max);
    if (ok && v) {
        size_t n = strlen(v);
        assert(n > 0 && n <= max && rx_utf8_valid(v, n, NULL));
        assert(v == rx_http_param(req, key));
    }
    assert(ok || !v);
    check_answer(ok, &res);
}

static void check_number(const rx_http_request *req, const char *key, long def, long lo, long hi)
{
    rx_http_response res = {0};
    long v = 0;
    bool ok = rx_param_number(&v, req, &res, key, def, lo, hi);
    if (ok)
        assert(v == def || (v >= lo && v <= hi));
    check_answer(ok, &res);
}

static void check_date(const rx_http_request *req, const char *key)
{
    rx_http_response res = {0};
    long v = 0;
    bool ok = rx_param_date(&v, req, &res, key);
    if (ok && v != RX_DATE_INVALID) {
        char back[11];
        rx_date_format(back, v);
        assert(memcmp(back, rx_http_param(req, key), 10) == 0);
    }
    assert(ok || v == RX_DATE_INVALID);
    check_answer(ok, &res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long day = rx_date_parse((const char *)data, size);
    if (day != RX_DATE_INVALID) { /* exactly the canonical spelling */
        char back[11];
        rx_date_format(back, day);
        assert(size == 10 && memcmp(back, data, 10) == 0);
    }

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    rx_http_request req = {.method = "GET", .path = "/api/v1/tickets", .body = ""};
    char *save = NULL;
    for (char *pair = strtok_r(text, "&\n", &save); pair; pair = strtok_r(NULL, "&\n", &save)) {
        if (req.nparams == RX_HTTP_MAX_PARAMS) {
            req.too_many_params = true; /* the server answers 400 itself */
            break;
        }
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        req.params[req.nparams++] = (rx_kv){pair, eq ? eq + 1 : ""};
    }
    if (!req.too_many_params) {
        check_text(&req, "q", 1024);
        check_text(&req, "department", 200);
        check_text(&req, "status", 200);
        check_text(&req, "category", 100);
        check_number(&req, "limit", 20, 1, 100);
        check_number(&req, "offset", 0, 0, 10000);
        check_date(&req, "from");
        check_date(&req, "to");
        check_date(&req, "as_of");
    }
    free(text);
    return 0;
}
