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
