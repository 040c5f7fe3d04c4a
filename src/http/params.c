/* Request input shared by the routes: query parameters and JSON bodies,
 * checked with messages for people. */
#include "rexian/text.h"
#include "rexian/util.h"

#include "routes.h"

#include <stdlib.h>
#include <string.h>

bool rx_param_text(const char **out, const rx_http_request *req, rx_http_response *res,
                   const char *key, size_t max)
{
    const char *v = rx_http_param(req, key);
    *out = NULL;
    if (!v || !*v)
        return true;
    size_t n = strlen(v);
    if (!rx_utf8_valid(v, n, NULL)) {
        rx_http_error(res, 400, "invalid_utf8", "参数 %s 不是有效的 UTF-8 文本", key);
        return false;
    }
    if (n > max) {
        rx_http_error(res, 400, "parameter_too_long", "参数 %s 过长（%zu 字节，上限 %zu）", key, n,
                      max);
        return false;
    }
    *out = v;
    return true;
}

bool rx_param_number(long *out, const rx_http_request *req, rx_http_response *res, const char *key,
                     long def, long lo, long hi)
{
    const char *v = rx_http_param(req, key);
    *out = def;
    if (!v || !*v)
        return true;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo || n > hi || v[0] == '+' || v[0] == ' ') {
        rx_http_error(res, 400, "invalid_parameter", "参数 %s 必须是 %ld 到 %ld 之间的整数", key,
                      lo, hi);
        return false;
    }
    *out = n;
    return true;
}

bool rx_param_date(long *out, const rx_http_request *req, rx_http_response *res, const char *key)
{
    const char *v = rx_http_param(req, key);
    *out = RX_DATE_INVALID;
    if (!v || !*v)
        return true;
    *out = rx_date_parse(v, strlen(v));
    if (*out == RX_DATE_INVALID) {
        rx_http_error(res, 400, "invalid_parameter", "参数 %s 必须是 YYYY-MM-DD 格式的日期", key);
        return false;
    }
    return true;
}

cJSON *rx_body_object(const rx_http_request *req, rx_http_response *res, const char *example)
{
    size_t bad;
    if (!rx_utf8_valid(req->body, req->body_len, &bad)) {
        rx_http_error(res, 400, "invalid_json", "请求体不是合法的 UTF-8（第 %zu 字节）", bad);
        return NULL;
    }
    cJSON *body = req->body_len ? cJSON_ParseWithLength(req->body, req->body_len) : NULL;
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        rx_http_error(res, 400, "invalid_json", "请求体必须是 JSON 对象，例如 %s", example);
        return NULL;
    }
    return body;
}
