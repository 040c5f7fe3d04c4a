/* Small shared utilities: a growable byte buffer, whole-file reading,
 * content hashing and dates. */
#ifndef REXIAN_UTIL_H
#define REXIAN_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable, always NUL-terminated byte buffer. Zero-initialise to use. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} rx_buf;

int rx_buf_reserve(rx_buf *b, size_t extra);
int rx_buf_append(rx_buf *b, const char *s, size_t n);
int rx_buf_puts(rx_buf *b, const char *s);
int rx_buf_putc(rx_buf *b, char c);
int rx_buf_printf(rx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with &, <, >, " and ' replaced by HTML entities. */
int rx_buf_put_html(rx_buf *b, const char *s, size_t n);
void rx_buf_reset(rx_buf *b);
void rx_buf_free(rx_buf *b);
/* Hands the contents to the caller (free()), leaving b empty. Never NULL. */
char *rx_buf_steal(rx_buf *b);

/* Room for one more element after n in the array items (*cap elements of
 * size bytes): items itself while there is, else the array doubled
 * (first elements when empty) and *cap updated; NULL when out of memory,
 * items and *cap untouched. */
void *rx_array_grow(void *items, size_t *cap, size_t n, size_t size, size_t first);

/* Reads a whole file into *out (NUL-terminated, caller frees). Files over
 * max_bytes fail with RX_ETOOBIG. */
int rx_file_read(char **out, size_t *out_len, const char *path, size_t max_bytes);

/* Writes data to path atomically: a temporary file beside it, fsync,
 * rename, fsync of the directory. */
int rx_file_write_atomic(const char *path, const char *data, size_t len);

/* Creates dir and its missing parents (mkdir -p); 0 or -1 with errno. */
int rx_mkdir_p(const char *dir);

/* 128-bit content hash as 32 lowercase hex characters plus NUL. */
void rx_hash_hex(char out[33], const void *data, size_t len);

/* Returned by rx_date_parse for text that is not a date. */
#define RX_DATE_INVALID LONG_MIN

/* Days since 1970-01-01 (negative before it) for a valid YYYY-MM-DD date, or
 * RX_DATE_INVALID if s is not one (exactly ten characters, real calendar
 * date, year 1900..2999). */
long rx_date_parse(const char *s, size_t len);
/* Formats days since 1970-01-01 as YYYY-MM-DD. */
void rx_date_format(char out[11], long days);
/* Today's date in Asia/Shanghai (UTC+8, no DST) as days since epoch. */
long rx_date_today(void);

/* Monotonic clock in seconds. */
double rx_now(void);

/* Walks the lines of a list file (synonyms.txt, related.txt): a leading
 * UTF-8 BOM and everything from `#` on are dropped. Zero-initialise, set
 * text and len, then call rx_list_next until it returns false; *line (not
 * NUL-terminated) and *lineno (1-based) describe each line, blank or not. */
typedef struct {
    const char *text;
    size_t len, pos, lineno;
} rx_list_iter;
bool rx_list_next(rx_list_iter *it, const char **line, size_t *len);

/* The length in bytes of the longest prefix of the string s that is at
 * most max bytes and does not cut a UTF-8 character: for "%.*s" in
 * messages. */
int rx_utf8_clip(const char *s, size_t max);

#endif
