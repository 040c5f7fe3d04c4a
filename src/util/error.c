/* Thread-local error messages behind rx_error_set / rx_error_last. */
#include "rexian/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_message[1024];

int rx_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    return code;
}

const char *rx_error_last(void)
{
    return last_message;
}

const char *rx_error_name(int code)
{
    switch (code) {
    case RX_OK: return "ok";
    case RX_ENOMEM: return "out_of_memory";
    case RX_EINVALID: return "invalid";
    case RX_ENOTFOUND: return "not_found";
    case RX_ECONFLICT: return "conflict";
    case RX_EIO: return "io_error";
    case RX_EINDEX: return "index_error";
    case RX_ETOOBIG: return "too_large";
    default: return "error";
    }
}
