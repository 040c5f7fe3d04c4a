/* The console's static files (--web DIR): read once at start into memory
 * and served from there, so that a request can only ever name one of the
 * files found then. Only the top level of DIR is read: regular files
 * (never symlinks, never subfolders) whose names are plain
 * ([A-Za-z0-9._-], no leading dot) and whose extension has a known type.
 * Path traversal therefore has nothing to reach: a path is looked up as a
 * whole name in this table, and anything else is 404. */
#include "rexian/error.h"

#include "routes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 64
#define MAX_FILE_BYTES (1024 * 1024)

typedef struct {
    char name[128]; /* "/app.js" */
    const char *type;
    char *data;
    size_t len;
} static_file;

struct rx_static {
    static_file files[MAX_FILES];
    size_t n;
};

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
    {".svg", "image/svg+xml; charset=utf-8"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
};

/* The content type of a plain file name, or NULL when the name is not one
 * we serve. */
static const char *type_of(const char *name)
{
    if (name[0] == '.' || strlen(name) >= sizeof((static_file *)0)->name - 1)
        return NULL;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return NULL;
    const char *dot = strrchr(name, '.');
    for (size_t k = 0; dot && k < sizeof types / sizeof types[0]; k++)
        if (strcmp(dot, types[k].ext) == 0)
            return types[k].type;
    return NULL;
}

/* Reads the regular file name in dirfd (not through a symlink) into f. */
static int load(static_file *f, int dirfd, const char *name)
{
    int rc = RX_OK;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = RX_ENOTFOUND; /* a symlink, a folder, a device: not served */
        goto done;
    }
    if (st.st_size > MAX_FILE_BYTES) {
        rc = rx_error_set(RX_EINVALID, "web file %s is over %d KB", name, MAX_FILE_BYTES / 1024);
        goto done;
    }
    f->len = (size_t)st.st_size;
    f->data = malloc(f->len ? f->len : 1);
    if (!f->data) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    size_t got = 0;
    while (got < f->len) {
        ssize_t r = read(fd, f->data + got, f->len - got);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            rc = rx_error_set(RX_EIO, "cannot read web file %s", name);
            goto done;
        }
        got += (size_t)r;
    }
done:
    if (fd >= 0)
        close(fd);
    return rc;
}

int rx_static_load(rx_static **out, const char *dir)
{
    *out = NULL;
    int rc = RX_OK;
    rx_static *s = calloc(1, sizeof *s);
    DIR *d = opendir(dir);
    if (!s) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    if (!d) {
        rc = rx_error_set(RX_ENOTFOUND, "cannot open the web folder %s: %s", dir, strerror(errno));
        goto done;
    }
    const struct dirent *e;
    while ((e = readdir(d))) {
        const char *type = type_of(e->d_name);
        if (!type)
            continue;
        if (s->n == MAX_FILES) {
            rc = rx_error_set(RX_EINVALID, "the web folder %s has more than %d files", dir,
                              MAX_FILES);
            goto done;
        }
        static_file *f = &s->files[s->n];
        int lr = load(f, dirfd(d), e->d_name);
        if (lr == RX_ENOTFOUND) {
            free(f->data);
            *f = (static_file){0};
            continue;
        }
        if (lr != RX_OK) {
            free(f->data);
            f->data = NULL;
            rc = lr;
            goto done;
        }
        f->name[0] = '/';
        strcpy(f->name + 1, e->d_name); /* type_of bounds its length */
        f->type = type;
        s->n++;
    }
    *out = s;
    s = NULL;
done:
    if (d)
        closedir(d);
    rx_static_free(s);
    return rc;
}

void rx_static_free(rx_static *s)
{
    if (!s)
        return;
    for (size_t k = 0; k < s->n; k++)
        free(s->files[k].data);
    free(s);
}

/* The file a request path names ("/" is /index.html), or NULL. */
static const static_file *find(const rx_static *s, const char *path)
{
    if (!s || !path)
        return NULL;
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (size_t k = 0; k < s->n; k++)
        if (strcmp(s->files[k].name, path) == 0)
            return &s->files[k];
    return NULL;
}

bool rx_static_has(const rx_static *s, const char *path)
{
    return find(s, path) != NULL;
}

bool rx_static_answer(const rx_static *s, const char *path, rx_http_response *res)
{
    const static_file *f = find(s, path);
    if (!f)
        return false;
    rx_buf_reset(&res->body);
    if (rx_buf_append(&res->body, f->data, f->len) != RX_OK) {
        rx_http_error(res, 500, "internal", "服务器内存不足");
        return true;
    }
    res->status = 200;
    res->content_type = f->type;
    res->cache_control = "no-cache"; /* revalidate: a new release shows at once */
    res->security_policy = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    return true;
}
