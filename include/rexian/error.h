/* rexian status codes and the per-thread error message.
 *
 * Every fallible function returns an int status: RX_OK (0) or a negative
 * RX_E* code. On failure it leaves a human-readable message (English, for
 * logs and the CLI) in a thread-local buffer that rx_error_last() returns.
 */
#ifndef REXIAN_ERROR_H
#define REXIAN_ERROR_H

enum {
    RX_OK = 0,
    RX_ENOMEM = -1,    /* allocation failed */
    RX_EINVALID = -2,  /* bad input from the world (file, query, request) */
    RX_ENOTFOUND = -3, /* unknown id, missing file */
    RX_ECONFLICT = -4, /* illegal transition, duplicate, locked */
    RX_EIO = -5,       /* filesystem or database I/O */
    RX_EINDEX = -6,    /* Xapian reported an error */
    RX_ETOOBIG = -7,   /* input over a size limit */
};

/* Records a printf-style message for this thread and returns code. */
int rx_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message recorded on this thread ("" if none). Borrowed. */
const char *rx_error_last(void);

#endif
