/* Request input shared by the routes: query parameters and JSON bodies,
 * checked with messages for people. */
#include "rexian/strmap.h"
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

/* Whether the JSON text has a \u0000 escape inside a string: cJSON would
 * decode it into a C string that ends there, so a value checked for length
 * or content would not be the value the client sent. */
static bool has_nul_escape(const char *s, size_t n)
{
    bool in_string = false;
    for (size_t k = 0; k < n; k++) {
        if (!in_string) {
            in_string = s[k] == '"';
            continue;
        }
        if (s[k] == '"') {
            in_string = false;
        } else if (s[k] == '\\' && k + 1 < n) {
            if (s[k + 1] == 'u' && k + 5 < n && !memcmp(s + k + 2, "0000", 4))
                return true;
            k++; /* the escaped character */
        }
    }
    return false;
}

/* The first key that occurs twice in one object, anywhere in the tree, or
 * NULL: clients and this server must not read different values. */
static const char *duplicate_key(const cJSON *node)
{
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return NULL;
    rx_strmap seen = {0};
    const char *dup = NULL;
    const cJSON *c;
    cJSON_ArrayForEach(c, node)
    {
        if (cJSON_IsObject(node) && c->string) {
            int added = 0;
            if (rx_strmap_upsert(&seen, c->string, strlen(c->string), &added) && !added)
                dup = c->string;
        }
        if (!dup)
            dup = duplicate_key(c);
        if (dup)
            break;
    }
    rx_strmap_free(&seen);
    return dup;
}

cJSON *rx_body_object(const rx_http_request *req, rx_http_response *res, const char *example)
{
    size_t bad;
    if (!rx_utf8_valid(req->body, req->body_len, &bad)) {
        rx_http_error(res, 400, "invalid_json", "请求体不是合法的 UTF-8（第 %zu 字节）", bad);
        return NULL;
    }
    if (has_nul_escape(req->body, req->body_len)) {
        rx_http_error(res, 400, "invalid_json", "请求体的字符串中不能含有 \\u0000");
        return NULL;
    }
    const char *end = NULL;
    cJSON *body =
        req->body_len ? cJSON_ParseWithLengthOpts(req->body, req->body_len, &end, false) : NULL;
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        rx_http_error(res, 400, "invalid_json", "请求体必须是 JSON 对象，例如 %s", example);
        return NULL;
    }
    size_t used = (size_t)(end - req->body);
    while (used < req->body_len && strchr(" \t\r\n", req->body[used]))
        used++;
    if (used < req->body_len) {
        cJSON_Delete(body);
        rx_http_error(res, 400, "invalid_json", "JSON 对象之后还有多余内容（第 %zu 字节起）", used);
        return NULL;
    }
    const char *dup = duplicate_key(body);
    if (dup) {
        rx_http_error(res, 400, "invalid_json", "JSON 对象中的键“%.*s”出现了两次",
                      rx_utf8_clip(dup, 100), dup);
        cJSON_Delete(body);
        return NULL;
    }
    return body;
}
