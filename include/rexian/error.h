/* rexian's one error model: status codes and the per-thread error.
 *
 * Every fallible function of the core returns an int status: RX_OK (0) or a
 * negative RX_E* code that says what kind of thing went wrong (never which
 * HTTP status: only src/http maps codes to statuses, in one table). On
 * failure it leaves, in thread-local storage, a reason (a stable snake_case
 * word for programs, such as "illegal_transition") and a message for
 * people. Messages that can reach a caller of the API are in Chinese; those
 * only an operator reads (I/O, Xapian) may be English.
 */
#ifndef REXIAN_ERROR_H
#define REXIAN_ERROR_H

enum {
    RX_OK = 0,
    RX_ENOMEM = -1,     /* allocation failed */
    RX_EINVALID = -2,   /* malformed input: bad JSON, a missing or mistyped field */
    RX_ENOTFOUND = -3,  /* unknown id, missing file */
    RX_ECONFLICT = -4,  /* illegal transition, duplicate, stale version, job running */
    RX_EIO = -5,        /* filesystem or database I/O */
    RX_EINDEX = -6,     /* Xapian reported an error */
    RX_ETOOBIG = -7,    /* input over a size limit */
    RX_EVALUE = -8,     /* well-formed input the rules refuse (unknown department) */
    RX_EFORBIDDEN = -9, /* the actor's role or department may not do this */
    RX_EBUSY = -10,     /* a resource is locked or away for now: try again */
    RX_EUNAUTH = -11,   /* no valid credentials */
};

/* Records code with the default reason of its kind and a printf-style
 * message for this thread; returns code. */
int rx_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same with a specific reason (a static snake_case string). */
int rx_fail(int code, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __clang_analyzer__
/* For `make lint` only: the analyzer sees these functions' bodies in
 * another file, so it would assume any code comes back (RX_OK too) and
 * follow failure paths as if they had succeeded. */
#define rx_error_set(code, ...) (rx_error_set((code), __VA_ARGS__), (code))
#define rx_fail(code, ...) (rx_fail((code), __VA_ARGS__), (code))
#endif

/* The last error recorded on this thread: its message ("" if none), its
 * code (RX_OK if none) and reason ("internal" if none). Borrowed. */
const char *rx_error_last(void);
int rx_error_code(void);
const char *rx_error_reason(void);

/* Forgets the last error of this thread. */
void rx_error_clear(void);

#endif
