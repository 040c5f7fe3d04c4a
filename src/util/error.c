/* The per-thread error behind rx_error_set / rx_fail / rx_error_last. */
#include "rexian/error.h"
#include "rexian/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* the definitions below, not the analyzer's stand-ins (error.h) */
#undef rx_error_set
#undef rx_fail

static _Thread_local char last_message[1024];
static _Thread_local int last_code;
static _Thread_local const char *last_reason;

static const char *default_reason(int code)
{
    switch (code) {
    case RX_EINVALID: return "invalid_input";
    case RX_ENOTFOUND: return "not_found";
    case RX_ECONFLICT: return "conflict";
    case RX_ETOOBIG: return "too_large";
    case RX_EVALUE: return "invalid_value";
    case RX_EFORBIDDEN: return "forbidden";
    case RX_EBUSY: return "busy";
    case RX_EUNAUTH: return "unauthorized";
    default: return "internal";
    }
}

__attribute__((format(printf, 3, 0))) static void record(int code, const char *reason,
                                                         const char *fmt, va_list ap)
{
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    /* a message cut at the buffer's end must not end in half a character */
    size_t n = strlen(last_message);
    last_message[rx_utf8_clip(last_message, n < sizeof last_message - 1 ? n : n - 1)] = '\0';
    last_code = code;
    last_reason = reason ? reason : default_reason(code);
}

int rx_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(code, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int rx_fail(int code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(code, reason, fmt, ap);
    va_end(ap);
    return code;
}

const char *rx_error_last(void)
{
    return last_message;
}

int rx_error_code(void)
{
    return last_code;
}

const char *rx_error_reason(void)
{
    return last_reason ? last_reason : "internal";
}

void rx_error_clear(void)
{
    last_message[0] = '\0';
    last_code = RX_OK;
    last_reason = NULL;
}
