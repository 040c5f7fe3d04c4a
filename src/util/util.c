/* Growable buffers, file helpers, hashing and calendar arithmetic. */
#include "rexian/util.h"
#include "rexian/error.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int rx_buf_reserve(rx_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return RX_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return rx_error_set(RX_ENOMEM, "out of memory");
    b->data = p;
    b->cap = cap;
    return RX_OK;
}

void *rx_array_grow(void *items, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : first;
    void *grown = realloc(items, ncap * size);
    if (grown)
        *cap = ncap;
    return grown;
}

int rx_buf_append(rx_buf *b, const char *s, size_t n)
{
    if (rx_buf_reserve(b, n) != RX_OK)
        return RX_ENOMEM;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return RX_OK;
}

int rx_buf_puts(rx_buf *b, const char *s)
{
    return rx_buf_append(b, s, strlen(s));
}

int rx_buf_putc(rx_buf *b, char c)
{
    return rx_buf_append(b, &c, 1);
}

int rx_buf_printf(rx_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || rx_buf_reserve(b, (size_t)n) != RX_OK)
        return RX_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return RX_OK;
}

int rx_buf_put_html(rx_buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        if (rx_buf_append(b, s + start, i - start) || rx_buf_puts(b, rep))
            return RX_ENOMEM;
        start = i + 1;
    }
    return rx_buf_append(b, s + start, n - start);
}

void rx_buf_reset(rx_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void rx_buf_free(rx_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *rx_buf_steal(rx_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

int rx_file_read(char **out, size_t *out_len, const char *path, size_t max_bytes)
{
    *out = NULL;
    if (out_len)
        *out_len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rx_error_set(errno == ENOENT ? RX_ENOTFOUND : RX_EIO, "%s: %s", path,
                            strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return rx_error_set(RX_EIO, "%s: not a regular file", path);
    }
    if ((size_t)st.st_size > max_bytes) {
        close(fd);
        return rx_error_set(RX_ETOOBIG, "%s: file is %lld bytes, over the %zu-byte limit", path,
                            (long long)st.st_size, max_bytes);
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *data = malloc(cap);
    if (!data) {
        close(fd);
        return rx_error_set(RX_ENOMEM, "out of memory reading %s", path);
    }
    for (;;) {
        if (len + 1 >= cap) {
            if (cap > max_bytes + 1) {
                free(data);
                close(fd);
                return rx_error_set(RX_ETOOBIG, "%s: over the %zu-byte limit", path, max_bytes);
            }
            char *p = realloc(data, cap * 2);
            if (!p) {
                free(data);
                close(fd);
                return rx_error_set(RX_ENOMEM, "out of memory reading %s", path);
            }
            data = p;
            cap *= 2;
        }
        ssize_t n = read(fd, data + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(data);
            close(fd);
            return rx_error_set(RX_EIO, "%s: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    data[len] = '\0';
    *out = data;
    if (out_len)
        *out_len = len;
    return RX_OK;
}

static int fsync_dir_of(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    int fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return rx_error_set(RX_EIO, "%s: %s", path, strerror(errno));
    fsync(fd);
    close(fd);
    return RX_OK;
}

int rx_file_write_atomic(const char *path, const char *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return rx_error_set(RX_EINVALID, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return rx_error_set(RX_EIO, "%s: %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return rx_error_set(RX_EIO, "%s: %s", tmp, strerror(e));
        }
        off += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return rx_error_set(RX_EIO, "%s: %s", tmp, strerror(errno));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return rx_error_set(RX_EIO, "rename %s: %s", path, strerror(e));
    }
    return fsync_dir_of(path);
}

int rx_mkdir_p(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

void rx_hash_hex(char out[33], const void *data, size_t len)
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, data, len, NULL, 0);
    sodium_bin2hex(out, 33, h, sizeof h);
}

/* Days from civil date, after Howard Hinnant's algorithm. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

long rx_date_parse(const char *s, size_t len)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return RX_DATE_INVALID;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return RX_DATE_INVALID;
    long y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
        return RX_DATE_INVALID;
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned dim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    if (d > dim)
        return RX_DATE_INVALID;
    return days_from_civil(y, m, d);
}

void rx_date_format(char out[11], long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000);
    out[0] = (char)('0' + yy / 1000);
    out[1] = (char)('0' + yy / 100 % 10);
    out[2] = (char)('0' + yy / 10 % 10);
    out[3] = (char)('0' + yy % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

long rx_date_today(void)
{
    time_t t = time(NULL) + 8 * 3600;
    return (long)(t / 86400);
}

double rx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool rx_list_next(rx_list_iter *it, const char **line, size_t *len)
{
    if (!it->text || it->pos >= it->len)
        return false;
    const char *start = it->text + it->pos;
    const char *nl = memchr(start, '\n', it->len - it->pos);
    size_t n = nl ? (size_t)(nl - start) : it->len - it->pos;
    it->pos += n + 1;
    it->lineno++;
    const char *hash = memchr(start, '#', n);
    if (hash)
        n = (size_t)(hash - start);
    if (it->lineno == 1 && n >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0)
        start += 3, n -= 3;
    *line = start;
    *len = n;
    return true;
}

int rx_utf8_clip(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return (int)n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) /* s[n] continues a character */
        n--;
    return (int)n;
}
