/* The one table from the core's error codes (error.h) to HTTP statuses.
 * The core says what went wrong; only this layer knows what status that
 * is for a client. */
#include "rexian/error.h"
#include "rexian/text.h"

#include "routes.h"

#include <stdio.h>
#include <string.h>

static const struct {
    int code;
    int status;
} table[] = {
    {RX_EINVALID, 400},  {RX_EUNAUTH, 401}, {RX_EFORBIDDEN, 403}, {RX_ENOTFOUND, 404},
    {RX_ECONFLICT, 409}, {RX_ETOOBIG, 413}, {RX_EVALUE, 422},     {RX_EBUSY, 503},
    {RX_EINDEX, 503},    {RX_ENOMEM, 500},  {RX_EIO, 500},
};

int rx_http_status_of(int code)
{
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (table[k].code == code)
            return table[k].status;
    return 500;
}

void rx_http_fail(rx_http_response *res, int code)
{
    int status = rx_http_status_of(code);
    const char *reason = rx_error_code() == code ? rx_error_reason() : "internal";
    if (status >= 500 && code != RX_EBUSY) {
        /* the detail is for the operator's log, not the client */
        fprintf(stderr, "rexian serve: %s: %s\n", reason, rx_error_last());
        if (code == RX_EINDEX)
            rx_http_error(res, status, "index_unavailable", "知识库索引暂时无法打开，请稍后再试");
        else
            rx_http_error(res, status, "internal", "服务器内部错误，请稍后再试");
        return;
    }
    rx_http_error(res, status, reason, "%s", rx_error_last());
}

void rx_http_index_unavailable(rx_http_response *res)
{
    fprintf(stderr, "rexian serve: index: %s\n", rx_error_last());
    rx_http_error(res, 503, "index_unavailable", "知识库索引暂时无法打开，请稍后再试");
}
