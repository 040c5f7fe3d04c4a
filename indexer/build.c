/* Index building: scan the corpus, find what changed since the live
 * generation (by content hash), write a new generation and publish it. */
#include "rexian/analyzer.h"
#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/kb.h"
#include "rexian/record.h"
#include "rexian/related.h"
#include "rexian/search.h"
#include "rexian/strmap.h"
#include "rexian/synonyms.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FORMAT_VERSION "8"
#define TITLE_WDF 5
#define TAG_WDF 3
#define KEEP_GENERATIONS 2
/* what the indexer creates is its owner's only, whatever the umask */
#define DIR_MODE 0700
#define FILE_MODE 0600

typedef struct {
    char *rel; /* path relative to the corpus */
    bool csv;
    bool special; /* not a regular file (a FIFO, a device): never opened */
    char *data;
    size_t len;
    char hash[33];
    bool changed;
    bool readable;
    /* from the previous generation's manifest */
    char *old_ids;
    /* results */
    rx_buf ids;   /* ids indexed from this file, space-separated */
    rx_buf diags; /* "LINE\tREASON\n" lines */
} corpus_file;

typedef struct {
    corpus_file *items;
    size_t n, cap;
} file_list;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* ---- reading the corpus without following symbolic links ----
 * The corpus folder itself may be a link (the operator names it); nothing
 * inside it is followed, so nothing outside it is read or walked. Every step
 * below the corpus folder is opened relative to the folder above with
 * O_NOFOLLOW: a link swapped in after the scan cannot lead out either. */

#define LINK_REFUSED "拒绝符号链接：知识库目录中必须是文件本身"
#define DIR_LINK_REFUSED "拒绝指向文件夹的符号链接，未读取：知识库目录中必须是文件夹本身"

/* Why a file could not be opened or read, in Chinese for the people who
 * read the rejections (the system's own words for the rare others). */
static const char *errno_text(int e)
{
    switch (e) {
    case EACCES:
    case EPERM: return "没有读取权限";
    case ENOENT: return "文件不存在";
    case EIO: return "读写错误";
    case EISDIR: return "是文件夹而不是文件";
    case ENOTDIR: return "路径中有一段不是文件夹";
    case EMFILE:
    case ENFILE: return "打开的文件过多";
    case ENOMEM: return "内存不足";
    default: return strerror(e);
    }
}

/* Opens rel ("/"-separated names from the scan) under the folder root with
 * flags for its last step; -1 with errno on failure (ELOOP: a link). */
static int open_beneath(int root, const char *rel, int flags)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", rel) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = root, e;
    char *name = buf, *slash;
    while ((slash = strchr(name, '/')) != NULL) {
        *slash = '\0';
        int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        e = errno;
        if (fd != root)
            close(fd);
        if (next < 0) {
            errno = e;
            return -1;
        }
        fd = next;
        name = slash + 1;
    }
    int out = openat(fd, name, flags | O_NOFOLLOW | O_CLOEXEC);
    e = errno;
    if (fd != root)
        close(fd);
    errno = e;
    return out;
}

/* Reads the corpus file rel into *out (NUL-terminated, caller frees).
 * RX_ETOOBIG over max bytes; any other failure means the file could not be
 * read, and the message says why (without the path). */
static int read_beneath(char **out, size_t *len, int root, const char *rel, size_t max)
{
    *out = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO put in a file's place must not hang the indexer */
    int fd = open_beneath(root, rel, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return rx_error_set(errno == ENOENT ? RX_ENOTFOUND : RX_EIO, "%s",
                            errno == ELOOP ? LINK_REFUSED : errno_text(errno));
    int rc = RX_OK;
    char *data = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = rx_error_set(RX_EIO, "%s", errno_text(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = rx_error_set(RX_EIO, "不是普通文件");
        goto done;
    }
    if ((size_t)st.st_size > max) {
        rc = rx_error_set(RX_ETOOBIG, "文件过大（%lld 字节，超过 %zu 字节的上限）",
                          (long long)st.st_size, max);
        goto done;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    if (!(data = malloc(cap))) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    for (;;) {
        if (n + 1 == cap) { /* it grew since fstat */
            if (cap > max) {
                rc = rx_error_set(RX_ETOOBIG, "文件过大（超过 %zu 字节的上限）", max);
                goto done;
            }
            cap = cap * 2 < max + 1 ? cap * 2 : max + 1;
            char *more = realloc(data, cap);
            if (!more) {
                rc = rx_error_set(RX_ENOMEM, "out of memory");
                goto done;
            }
            data = more;
        }
        ssize_t got = read(fd, data + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = rx_error_set(RX_EIO, "%s", errno_text(errno));
            goto done;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    data[n] = '\0';
    *out = data;
    *len = n;
    data = NULL;
done:
    free(data);
    close(fd);
    return rc;
}

static int add_file(file_list *fl, const char *rel, bool csv, bool special)
{
    if (fl->n == fl->cap) {
        size_t cap = fl->cap ? fl->cap * 2 : 256;
        corpus_file *items = realloc(fl->items, cap * sizeof *items);
        if (!items)
            return rx_error_set(RX_ENOMEM, "out of memory");
        fl->items = items;
        fl->cap = cap;
    }
    corpus_file *f = &fl->items[fl->n];
    memset(f, 0, sizeof *f);
    if (!(f->rel = strdup(rel)))
        return rx_error_set(RX_ENOMEM, "out of memory");
    f->csv = csv;
    f->special = special;
    fl->n++;
    return RX_OK;
}

/* Collects *.md (in sub-folders) and *.csv files under the folder dfd
 * (closed here), sorted by path. Symbolic links are reported to diags and
 * counted in *refused, never followed. */
static int scan_dir(file_list *fl, int dfd, const char *rel, int depth, rx_diags *diags,
                    size_t *refused)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        int rc = rx_error_set(RX_EIO, "cannot read corpus folder %s: %s", *rel ? rel : ".",
                              strerror(errno));
        close(dfd);
        return rc;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    int rc = RX_OK;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = rx_error_set(RX_ENOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = rx_error_set(RX_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t k = 0; k < n && rc == RX_OK; k++) {
        char sub[PATH_MAX];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[k]);
        bool md = ends_with(names[k], ".md") && strcasecmp(names[k], "README.md") != 0;
        bool csv = ends_with(names[k], ".csv");
        bool doc = csv || (md && depth > 0);
        struct stat st;
        if (fstatat(dirfd(d), names[k], &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISLNK(st.st_mode)) {
            /* only what would have been read or walked is worth a report */
            struct stat to;
            bool to_dir = fstatat(dirfd(d), names[k], &to, 0) == 0 && S_ISDIR(to.st_mode);
            if (to_dir || doc) {
                rx_diags_add(diags, sub, 1, "%s", to_dir ? DIR_LINK_REFUSED : LINK_REFUSED);
                if (refused)
                    (*refused)++;
            }
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth >= 8)
                continue;
            int cfd = openat(dirfd(d), names[k], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (cfd < 0)
                rc = rx_error_set(RX_EIO, "cannot read corpus folder %s: %s", sub,
                                  errno == ELOOP ? DIR_LINK_REFUSED : strerror(errno));
            else
                rc = scan_dir(fl, cfd, sub, depth + 1, diags, refused);
            continue;
        }
        if (doc)
            rc = add_file(fl, sub, csv, !S_ISREG(st.st_mode));
    }
    closedir(d);
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
    return rc;
}

static void free_files(file_list *fl)
{
    for (size_t k = 0; k < fl->n; k++) {
        free(fl->items[k].rel);
        free(fl->items[k].data);
        free(fl->items[k].old_ids);
        rx_buf_free(&fl->items[k].ids);
        rx_buf_free(&fl->items[k].diags);
    }
    free(fl->items);
}

/* Reads an optional list file at the corpus root ("" when absent). A list
 * that cannot be read (or is a link) is fatal: without departments.txt every
 * document would be rejected. */
static int read_list(char **out, size_t *len, int root, const char *name)
{
    int rc = read_beneath(out, len, root, name, RX_MAX_FILE_BYTES);
    if (rc == RX_ENOTFOUND) {
        *out = strdup("");
        *len = 0;
        return *out ? RX_OK : rx_error_set(RX_ENOMEM, "out of memory");
    }
    if (rc != RX_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", rx_error_last());
        return rx_error_set(rc, "corpus file %s: %s", name, why);
    }
    return RX_OK;
}

typedef struct {
    rx_diags *diags;
    const char *path;
} list_diag_ctx;

static void list_diag(void *ctx, size_t line, const char *reason)
{
    list_diag_ctx *c = ctx;
    rx_diags_add(c->diags, c->path, line, "%s", reason);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A descriptor of the folder root with its own reading position. */
static int reopen_dir(int root)
{
    return openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Adds the groups of the extra synonym files at the corpus root
 * (synonyms-*.txt, in name order: lists kept apart for their source or
 * licence, such as synonyms-cedict.txt) to syn. */
static int add_extra_synonyms(rx_synonyms *syn, int root, rx_diags *diags)
{
    int dfd = reopen_dir(root);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return RX_OK; /* the corpus folder itself is checked elsewhere */
    }
    char *names[64] = {0};
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) {
        size_t len = strlen(e->d_name);
        if (len > 13 && strncmp(e->d_name, "synonyms-", 9) == 0 &&
            strcmp(e->d_name + len - 4, ".txt") == 0 && (names[n] = strdup(e->d_name)))
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int rc = RX_OK;
    for (size_t k = 0; k < n; k++) {
        char *text = NULL;
        size_t len = 0;
        list_diag_ctx lc = {diags, names[k]};
        if (rc == RX_OK && (rc = read_list(&text, &len, root, names[k])) == RX_OK)
            rc = rx_synonyms_add(syn, text, len, list_diag, &lc);
        free(text);
        free(names[k]);
    }
    return rc;
}

/* The live generation's number, 0 if none, -1 (error set) if `current`
 * cannot be read: building gen-000001 over a live one would break it. */
static long parse_generation(const char *index_dir)
{
    char path[PATH_MAX], *data;
    snprintf(path, sizeof path, "%s/current", index_dir);
    int rc = rx_file_read(&data, NULL, path, 4096);
    if (rc == RX_ENOTFOUND)
        return 0;
    if (rc != RX_OK)
        return -1;
    long g = 0;
    const char *p = strstr(data, "gen-");
    if (p)
        g = strtol(p + 4, NULL, 10);
    free(data);
    return g;
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = RX_OK;
    struct stat st;
    if (in < 0 || fstat(in, &st) != 0) {
        rc = rx_error_set(RX_EIO, "%s: %s", from, strerror(errno));
        goto done;
    }
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, FILE_MODE);
    if (out < 0) {
        rc = rx_error_set(RX_EIO, "%s: %s", to, strerror(errno));
        goto done;
    }
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            rc = rx_error_set(RX_EIO, "copying %s: %s", from,
                              n < 0 ? strerror(errno) : "short copy");
            goto done;
        }
        left -= n;
    }
done:
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0 && rc == RX_OK)
        rc = rx_error_set(RX_EIO, "%s: %s", to, strerror(errno));
    return rc;
}

/* A new folder of the index, its owner's only. */
static int make_dir(const char *path)
{
    if (mkdir(path, DIR_MODE) != 0)
        return rx_error_set(RX_EIO, "cannot create %s: %s", path, strerror(errno));
    chmod(path, DIR_MODE); /* mkdir's mode went through the umask */
    return RX_OK;
}

static int copy_dir(const char *from, const char *to)
{
    int rc = make_dir(to);
    if (rc != RX_OK)
        return rc;
    DIR *d = opendir(from);
    if (!d)
        return rx_error_set(RX_EIO, "cannot read %s: %s", from, strerror(errno));
    struct dirent *e;
    while (rc == RX_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "flintlock") == 0)
            continue;
        char a[PATH_MAX], b[PATH_MAX];
        snprintf(a, sizeof a, "%s/%s", from, e->d_name);
        snprintf(b, sizeof b, "%s/%s", to, e->d_name);
        rc = copy_file(a, b);
    }
    closedir(d);
    return rc;
}

/* Makes the files Xapian created in dir (through the umask) its owner's
 * only. */
static void restrict_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            fchmodat(dirfd(d), e->d_name, FILE_MODE, 0);
    closedir(d);
}

static void remove_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(path);
}

#define MAX_DB_FILES 64

typedef struct {
    dev_t dev;
    ino_t ino;
} file_id;

/* Closes every descriptor of this process on a file of dir, then removes
 * dir: for the folders of a failed build only, once its writers are closed.
 * Xapian's compactor leaks its output tables, descriptors included, when it
 * fails (glass_compact.cc deletes them only on success), so nothing else
 * will ever close those; a server would hold the deleted files until it is
 * restarted. */
static void discard_dir(const char *path)
{
    file_id files[MAX_DB_FILES];
    size_t nfiles = 0;
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    struct stat st;
    while ((e = readdir(d)) != NULL && nfiles < MAX_DB_FILES)
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            files[nfiles++] = (file_id){st.st_dev, st.st_ino};
    closedir(d);
    int leaked[MAX_DB_FILES];
    size_t nleaked = 0;
    DIR *fds = opendir("/proc/self/fd");
    long limit = fds ? 0 : sysconf(_SC_OPEN_MAX); /* without /proc: try every number */
    if (limit < 0 || limit > 65536)
        limit = 65536;
    for (long fd = 0; nfiles && nleaked < MAX_DB_FILES;) {
        if (fds) {
            if (!(e = readdir(fds)))
                break;
            char *end;
            fd = strtol(e->d_name, &end, 10);
            if (*end || end == e->d_name || fd == dirfd(fds))
                continue;
        } else if (++fd >= limit) {
            break;
        }
        if (fstat((int)fd, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        for (size_t k = 0; k < nfiles; k++)
            if (files[k].dev == st.st_dev && files[k].ino == st.st_ino) {
                leaked[nleaked++] = (int)fd;
                break;
            }
    }
    if (fds)
        closedir(fds);
    for (size_t k = 0; k < nleaked; k++)
        close(leaked[k]);
    remove_dir(path);
}

/* Removes generation directories other than the live one and the one
 * before it (readers may still hold that one open for a moment), and any
 * unpublished leftovers of a killed build. */
static void prune_generations(const char *index_dir, long live)
{
    DIR *d = opendir(index_dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "gen-", 4) != 0)
            continue;
        long g = strtol(e->d_name + 4, NULL, 10);
        if (g == live || (g < live && g > live - KEEP_GENERATIONS))
            continue;
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", index_dir, e->d_name);
        remove_dir(p);
    }
    closedir(d);
}

/* Publishes generation gen: a new stub (its owner's only) renamed over
 * INDEX_DIR/current, then the folder synced so that the rename survives a
 * crash. */
static int publish(const char *index_dir, long gen)
{
    char stub[64], tmp[PATH_MAX], path[PATH_MAX];
    int sl = snprintf(stub, sizeof stub, "auto gen-%06ld\n", gen);
    snprintf(path, sizeof path, "%s/current", index_dir);
    snprintf(tmp, sizeof tmp, "%s/.current.tmp", index_dir);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, FILE_MODE);
    if (fd < 0)
        return rx_error_set(RX_EIO, "%s: %s", tmp, strerror(errno));
    int rc = RX_OK;
    errno = 0;
    if (write(fd, stub, (size_t)sl) != sl || fsync(fd) != 0)
        rc = rx_error_set(RX_EIO, "%s: %s", tmp, errno ? strerror(errno) : "short write");
    if (close(fd) != 0 && rc == RX_OK)
        rc = rx_error_set(RX_EIO, "%s: %s", tmp, strerror(errno));
    if (rc == RX_OK && rename(tmp, path) != 0)
        rc = rx_error_set(RX_EIO, "rename %s: %s", path, strerror(errno));
    if (rc != RX_OK) {
        unlink(tmp);
        return rc;
    }
    int dfd = open(index_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return RX_OK;
}

/* Says what the file system of the index folder has to do with a failed
 * build: Xapian's "Error writing block 29" does not say that the disk is
 * full. err: errno where the build failed (the file system can show free
 * room again by the time this runs). */
static int explain_failure(int rc, const char *index_dir, int err)
{
    struct statvfs vs;
    if ((rc != RX_EIO && rc != RX_EINDEX) || statvfs(index_dir, &vs) != 0)
        return rc;
    unsigned long long avail = (unsigned long long)vs.f_bavail * vs.f_frsize;
    const char *last = rx_error_last();
    char why[700];
    snprintf(why, sizeof why, "%.*s", rx_utf8_clip(last, sizeof why - 1), last);
    if (err == EROFS || (vs.f_flag & ST_RDONLY))
        return rx_error_set(RX_EIO, "the index folder %s is on a read-only file system: %s",
                            index_dir, why);
    if (err == ENOSPC || err == EDQUOT || avail < 1024 * 1024)
        return rx_error_set(RX_EIO,
                            "no space left on the file system of the index folder %s (%llu KB "
                            "free now): %s",
                            index_dir, avail / 1024, why);
    return rc;
}

typedef struct {
    rx_strmap *manifest; /* rel path → index into values */
    char **values;
    size_t n, cap;
} manifest_ctx;

static void on_manifest(void *ctx, const char *key, const char *value, size_t vlen)
{
    manifest_ctx *m = ctx;
    const char *rel = key + strlen(RX_META_FILE_PREFIX);
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        char **v = realloc(m->values, m->cap * sizeof *v);
        if (!v)
            return;
        m->values = v;
    }
    char *copy = malloc(vlen + 1);
    if (!copy)
        return;
    memcpy(copy, value, vlen);
    copy[vlen] = '\0';
    rx_strmap_entry *e = rx_strmap_upsert(m->manifest, rel, strlen(rel), NULL);
    if (!e) {
        free(copy);
        return;
    }
    e->value = m->n;
    m->values[m->n++] = copy;
}

static void draw_progress(size_t done, size_t total, size_t docs)
{
    int width = 30, fill = total ? (int)(width * done / total) : width;
    fprintf(stderr, "\r[%.*s%*s] %3d%%  %zu/%zu files, %zu documents", fill,
            "##############################", width - fill, "",
            total ? (int)(100 * done / total) : 100, done, total, docs);
    fflush(stderr);
}

/* Adds one parsed document unless its id is taken; records the id. */
/* Reads the documents of one corpus file (a Markdown document or FAQ rows)
 * into *docs (caller frees each and the array); problems go to diags. */
static void parse_file(rx_doc **docs, size_t *n, const corpus_file *f, const rx_departments *deps,
                       rx_diags *diags)
{
    *docs = NULL;
    *n = 0;
    if (f->csv) {
        rx_faq_parse(docs, n, f->rel, f->data, f->len, deps, diags);
        return;
    }
    rx_doc one;
    if (rx_md_parse(&one, f->rel, f->data, f->len, deps, diags) != RX_OK)
        return;
    if (!(*docs = malloc(sizeof **docs))) {
        rx_doc_clear(&one);
        return;
    }
    (*docs)[0] = one;
    *n = 1;
}

/* Registers the ids of an unchanged file so that changed files cannot take
 * them. */
static int claim_ids(rx_strmap *ids, const char *list)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n && !rx_strmap_upsert(ids, p, n, NULL))
            return rx_error_set(RX_ENOMEM, "out of memory");
        p += n;
    }
    return RX_OK;
}

static int delete_ids(rx_writer *w, const char *list, size_t *removed)
{
    char *copy = strdup(list), *save = NULL;
    if (!copy)
        return rx_error_set(RX_ENOMEM, "out of memory");
    int rc = RX_OK;
    for (char *id = strtok_r(copy, " ", &save); id && rc == RX_OK;
         id = strtok_r(NULL, " ", &save)) {
        char key[RX_MAX_ID_LEN + 16];
        snprintf(key, sizeof key, "%s%s", RX_META_BODY_PREFIX, id);
        rc = rx_writer_delete(w, id);
        if (rc == RX_OK)
            rc = rx_writer_set_meta(w, key, "");
        (*removed)++;
    }
    free(copy);
    return rc;
}

/* ---- the indexing pipeline ----
 * A producer thread reads, validates and analyses changed files into
 * prepared documents; the calling thread writes them to Xapian (which takes
 * most of the time), so both cores work. Items flow through a bounded queue
 * in file order. */

#define QUEUE_LEN 64

typedef enum { ITEM_FILE_BEGIN, ITEM_DOC, ITEM_FILE_END, ITEM_DONE, ITEM_ERROR } item_kind;

typedef struct {
    item_kind kind;
    size_t file;
    rx_doc doc;        /* ITEM_DOC: fields used for boolean terms and values */
    rx_strmap bag;     /* ITEM_DOC: term → wdf */
    rx_buf rec;        /* ITEM_DOC: the stored record */
    rx_buf homophones; /* ITEM_DOC: "key\tbigram\n" pairs first seen here */
    char *text;        /* ITEM_FILE_END: manifest value; ITEM_ERROR: message */
    int rc;
} item;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    item *ring[QUEUE_LEN];
    size_t head, count;
    bool stop; /* the consumer gave up */
} queue;

static void item_free(item *it)
{
    if (!it)
        return;
    rx_doc_clear(&it->doc);
    rx_strmap_free(&it->bag);
    rx_buf_free(&it->rec);
    rx_buf_free(&it->homophones);
    free(it->text);
    free(it);
}

/* Hands an item to the consumer; false (item freed) if it stopped. */
static bool push(queue *q, item *it)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == QUEUE_LEN && !q->stop)
        pthread_cond_wait(&q->not_full, &q->mu);
    bool ok = !q->stop;
    if (ok) {
        q->ring[(q->head + q->count) % QUEUE_LEN] = it;
        q->count++;
        pthread_cond_signal(&q->not_empty);
    }
    pthread_mutex_unlock(&q->mu);
    if (!ok)
        item_free(it);
    return ok;
}

static item *pop(queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->stop)
        pthread_cond_wait(&q->not_empty, &q->mu);
    if (q->count == 0) {
        pthread_mutex_unlock(&q->mu);
        return NULL;
    }
    item *it = q->ring[q->head];
    q->head = (q->head + 1) % QUEUE_LEN;
    q->count--;
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->mu);
    return it;
}

static item *new_item(item_kind kind, size_t file)
{
    item *it = calloc(1, sizeof *it);
    if (it) {
        it->kind = kind;
        it->file = file;
    }
    return it;
}

#define NWRITERS 2

typedef struct {
    queue q[NWRITERS]; /* q[0] also carries the per-file items */
    size_t next_writer;
    file_list *fl;
    const rx_build_opts *o;
    int root; /* the corpus folder */
    const rx_departments *deps;
    rx_analyzer an;
    rx_strmap *ids;  /* ids taken so far */
    rx_strmap seen;  /* bigrams whose homophone key is recorded */
    rx_diags *diags; /* written by the producer only while it runs */
    size_t added, files_rejected, bytes_read;
} producer;

/* Notes the pinyin key of every Han bigram of the bag not seen before. */
static int collect_homophones(producer *p, item *it)
{
    for (size_t k = 0; k < it->bag.count; k++) {
        const rx_strmap_entry *e = &it->bag.entries[k];
        uint32_t a, b;
        if (e->klen != 6 || rx_utf8_next(e->key, 6, &a) != 3 ||
            rx_utf8_next(e->key + 3, 3, &b) != 3 || !rx_is_han(a) || !rx_is_han(b))
            continue;
        int added;
        if (!rx_strmap_upsert(&p->seen, e->key, e->klen, &added))
            return RX_ENOMEM;
        char key[24];
        if (added && rx_pinyin_pair(key, sizeof key, a, b) &&
            rx_buf_printf(&it->homophones, "%s\t%s\n", key, e->key) != RX_OK)
            return RX_ENOMEM;
    }
    return RX_OK;
}

/* Analyses one document into an item. */
static int prepare_doc(producer *p, item *it)
{
    rx_doc *d = &it->doc;
    char *plain = NULL;
    size_t plain_len = 0;
    int rc;
    if (strcmp(d->type, "faq") == 0) {
        plain = strdup(d->body);
        rc = plain ? RX_OK : rx_error_set(RX_ENOMEM, "out of memory");
        plain_len = plain ? strlen(plain) : 0;
    } else {
        rc = rx_markdown_to_plain(&plain, &plain_len, d->body, strlen(d->body));
    }
    if (rc == RX_OK)
        rc = rx_analyze_text(&it->bag, &p->an, d->title, strlen(d->title), TITLE_WDF);
    if (rc == RX_OK && (p->an.flags & RX_AN_TITLE))
        rc = rx_analyze_title(&it->bag, &p->an, d->title, strlen(d->title));
    for (size_t k = 0; rc == RX_OK && k < d->ntags; k++)
        rc = rx_analyze_text(&it->bag, &p->an, d->tags[k], strlen(d->tags[k]), TAG_WDF);
    if (rc == RX_OK)
        rc = rx_analyze_text(&it->bag, &p->an, d->department, strlen(d->department), 1);
    if (rc == RX_OK)
        rc = rx_analyze_text(&it->bag, &p->an, plain, plain_len, 1);
    if (rc == RX_OK && (p->an.flags & RX_AN_PINYIN) && collect_homophones(p, it) != RX_OK)
        rc = rx_error_set(RX_ENOMEM, "out of memory");
    if (rc == RX_OK)
        rc = rx_record_encode(&it->rec, d, plain, plain_len);
    free(plain);
    return rc;
}

/* Reads, validates and analyses one changed file, pushing its items. */
static int produce_file(producer *p, size_t k)
{
    corpus_file *f = &p->fl->items[k];
    int rc = read_beneath(&f->data, &f->len, p->root, f->rel, RX_MAX_FILE_BYTES);
    if (rc == RX_ETOOBIG) {
        rx_diags_add(p->diags, f->rel, 1, "%s", rx_error_last());
        rx_buf_printf(&f->diags, "1\t%s\n", rx_error_last());
        rc = RX_OK;
    } else if (rc != RX_OK) {
        /* read when scanned, not now: its old documents were not claimed,
         * so they cannot be kept; publish nothing rather than drop them */
        char why[256];
        snprintf(why, sizeof why, "%s", rx_error_last());
        return rx_error_set(RX_EIO, "%s/%s could no longer be read while indexing (%s)",
                            p->o->corpus_dir, f->rel, why);
    } else {
        rx_hash_hex(f->hash, f->data, f->len); /* what is indexed is what is recorded */
    }
    item *it = new_item(ITEM_FILE_BEGIN, k);
    if (!it)
        return rx_error_set(RX_ENOMEM, "out of memory");
    if (!push(&p->q[0], it))
        return RX_ECONFLICT; /* a writer stopped */
    size_t before = p->diags->n;
    rx_doc *docs = NULL;
    size_t ndocs = 0;
    if (f->data) /* a file too large, reported above, is indexed as empty */
        parse_file(&docs, &ndocs, f, p->deps, p->diags);
    for (size_t i = 0; i < ndocs; i++) {
        rx_doc *d = &docs[i];
        int added = 0;
        if (rc == RX_OK && !rx_strmap_upsert(p->ids, d->id, strlen(d->id), &added))
            rc = rx_error_set(RX_ENOMEM, "out of memory");
        if (rc != RX_OK || !added) {
            if (rc == RX_OK)
                rx_diags_add(p->diags, f->rel, d->line, "id“%s”重复（已被另一篇文档使用）", d->id);
            rx_doc_clear(d);
            continue;
        }
        if (f->ids.len)
            rx_buf_putc(&f->ids, ' ');
        rx_buf_puts(&f->ids, d->id);
        it = new_item(ITEM_DOC, k);
        if (!it) {
            rc = rx_error_set(RX_ENOMEM, "out of memory");
            rx_doc_clear(d);
            continue;
        }
        it->doc = *d;
        memset(d, 0, sizeof *d);
        rc = prepare_doc(p, it);
        if (rc != RX_OK) {
            item_free(it);
            continue;
        }
        p->added++;
        /* documents alternate between the writers */
        p->next_writer = (p->next_writer + 1) % NWRITERS;
        if (!push(&p->q[p->next_writer], it))
            rc = RX_ECONFLICT; /* a writer stopped */
    }
    free(docs);
    if (rc != RX_OK)
        return rc;
    for (size_t i = before; i < p->diags->n; i++)
        rx_buf_printf(&f->diags, "%zu\t%s\n", p->diags->items[i].line, p->diags->items[i].reason);
    if (p->diags->n > before || !f->data)
        p->files_rejected++;
    p->bytes_read += f->len;
    free(f->data);
    f->data = NULL;
    it = new_item(ITEM_FILE_END, k);
    if (!it)
        return rx_error_set(RX_ENOMEM, "out of memory");
    rx_buf m = {0};
    rx_buf_printf(&m, "%s\n%s\n%s", f->hash, f->ids.data ? f->ids.data : "",
                  f->diags.data ? f->diags.data : "");
    it->text = rx_buf_steal(&m);
    return push(&p->q[0], it) ? RX_OK : RX_ECONFLICT;
}

static void *produce(void *arg)
{
    producer *p = arg;
    int rc = RX_OK;
    for (size_t k = 0; k < p->fl->n && rc == RX_OK; k++) {
        corpus_file *f = &p->fl->items[k];
        if (f->changed && f->readable)
            rc = produce_file(p, k);
    }
    /* every writer gets the end: done, or the error (a writer that stopped
     * already knows its own) */
    for (size_t w = 0; w < NWRITERS; w++) {
        item *it = new_item(rc == RX_OK ? ITEM_DONE : ITEM_ERROR, 0);
        if (!it) {
            pthread_mutex_lock(&p->q[w].mu);
            p->q[w].stop = true;
            pthread_cond_broadcast(&p->q[w].not_empty);
            pthread_mutex_unlock(&p->q[w].mu);
            continue;
        }
        it->rc = rc == RX_ECONFLICT ? RX_EIO : rc;
        it->text = strdup(rc == RX_ECONFLICT ? "another writer failed" : rx_error_last());
        push(&p->q[w], it);
    }
    return NULL;
}

static int apply_homophones(rx_writer *w, const rx_buf *pairs)
{
    const char *p = pairs->data, *end = p ? p + pairs->len : NULL;
    while (p && p < end) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        const char *nl = tab ? memchr(tab, '\n', (size_t)(end - tab)) : NULL;
        if (!tab || !nl)
            break;
        char key[32], term[32];
        snprintf(key, sizeof key, "%.*s", (int)(tab - p), p);
        snprintf(term, sizeof term, "%.*s", (int)(nl - tab - 1), tab + 1);
        int rc = rx_writer_add_homophone(w, key, term);
        if (rc != RX_OK)
            return rc;
        p = nl + 1;
    }
    return RX_OK;
}

/* Writes what the producer prepares for writer `which`, committing every
 * batch documents. */
static int consume(rx_writer *w, producer *p, size_t which, size_t batch, size_t *removed)
{
    size_t since_commit = 0, done_files = 0, total = 0;
    for (size_t k = 0; k < p->fl->n; k++)
        total += p->fl->items[k].changed && p->fl->items[k].readable;
    int rc = RX_OK;
    char key[PATH_MAX];
    for (;;) {
        item *it = pop(&p->q[which]);
        if (!it)
            return rx_error_set(RX_ENOMEM, "out of memory in the indexing thread");
        corpus_file *f = &p->fl->items[it->file];
        switch (it->kind) {
        case ITEM_FILE_BEGIN:
            if (f->old_ids)
                rc = delete_ids(w, f->old_ids, removed);
            break;
        case ITEM_DOC:
            rc = rx_writer_put(w, it->doc.id, it->doc.department, it->doc.type, it->doc.effective,
                               it->doc.expires, &it->bag, it->rec.data, it->rec.len,
                               rx_record_head_len(it->rec.data, it->rec.len));
            if (rc == RX_OK) {
                char *packed;
                size_t plen;
                snprintf(key, sizeof key, "%s%s", RX_META_BODY_PREFIX, it->doc.id);
                rc = rx_pack(&packed, &plen, it->doc.body, strlen(it->doc.body));
                if (rc == RX_OK)
                    rc = rx_writer_set_meta_n(w, key, packed, plen);
                free(packed);
            }
            if (rc == RX_OK)
                rc = apply_homophones(w, &it->homophones);
            if (rc == RX_OK && ++since_commit >= batch) {
                rc = rx_writer_commit(w);
                since_commit = 0;
            }
            break;
        case ITEM_FILE_END:
            snprintf(key, sizeof key, "%s%s", RX_META_FILE_PREFIX, f->rel);
            rc = rx_writer_set_meta(w, key, it->text);
            done_files++;
            if (p->o->progress)
                draw_progress(done_files, total, p->added);
            if (p->o->on_progress)
                p->o->on_progress(p->o->progress_ctx, done_files, total, p->added);
            break;
        case ITEM_ERROR:
            rc = rx_error_set(it->rc, "%s", it->text ? it->text : "indexing failed");
            break;
        case ITEM_DONE: item_free(it); return RX_OK;
        }
        item_free(it);
        if (rc != RX_OK)
            return rc;
    }
}

typedef struct {
    rx_writer *w;
    producer *p;
    size_t which, batch, removed;
    int rc, err; /* err: errno where it failed (ENOSPC says the disk is full) */
    char error[512];
} writer_run;

static void stop_queue(queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->stop = true;
    pthread_cond_broadcast(&q->not_full);
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
}

static void *write_thread(void *arg)
{
    writer_run *r = arg;
    r->rc = consume(r->w, r->p, r->which, r->batch, &r->removed);
    r->err = errno;
    if (r->rc != RX_OK) {
        snprintf(r->error, sizeof r->error, "%s", rx_error_last());
        stop_queue(&r->p->q[r->which]);
    }
    return NULL;
}

/* Runs the producer thread and one writer thread per database (Xapian's
 * writer is the bottleneck; the databases are merged when compacted).
 * Always joins every thread. A failed writer's errno is left in errno. */
static int run_pipeline(rx_writer *const *writers, producer *p, size_t batch, rx_build_stats *st)
{
    writer_run runs[NWRITERS];
    pthread_t wt[NWRITERS], pt;
    bool started[NWRITERS] = {false}, producing = false;
    for (size_t k = 0; k < NWRITERS; k++) {
        pthread_mutex_init(&p->q[k].mu, NULL);
        pthread_cond_init(&p->q[k].not_empty, NULL);
        pthread_cond_init(&p->q[k].not_full, NULL);
    }
    int rc = RX_OK;
    for (size_t k = 0; k < NWRITERS && rc == RX_OK; k++) {
        runs[k] = (writer_run){.w = writers[k], .p = p, .which = k, .batch = batch};
        if (pthread_create(&wt[k], NULL, write_thread, &runs[k]) != 0)
            rc = rx_error_set(RX_EIO, "cannot start an indexing thread");
        else
            started[k] = true;
    }
    if (rc == RX_OK) {
        if (pthread_create(&pt, NULL, produce, p) != 0)
            rc = rx_error_set(RX_EIO, "cannot start the indexing thread");
        else
            producing = true;
    }
    if (!producing)
        for (size_t k = 0; k < NWRITERS; k++)
            stop_queue(&p->q[k]);
    if (producing)
        pthread_join(pt, NULL);
    for (size_t k = 0; k < NWRITERS; k++) {
        if (!started[k])
            continue;
        pthread_join(wt[k], NULL);
        st->removed += runs[k].removed;
        if (rc == RX_OK && runs[k].rc != RX_OK) {
            rc = rx_error_set(runs[k].rc, "%s", runs[k].error);
            errno = runs[k].err; /* for explain_failure */
        }
    }
    for (size_t k = 0; k < NWRITERS; k++) {
        queue *q = &p->q[k];
        while (q->count) {
            item_free(q->ring[q->head]);
            q->head = (q->head + 1) % QUEUE_LEN;
            q->count--;
        }
        pthread_mutex_destroy(&q->mu);
        pthread_cond_destroy(&q->not_empty);
        pthread_cond_destroy(&q->not_full);
    }
    rx_strmap_free(&p->seen);
    st->added += p->added;
    st->files_rejected += p->files_rejected;
    st->bytes_read += p->bytes_read;
    return rc;
}

/* Splits a manifest value "hash\nids\nLINE\tREASON\n..." */
static void manifest_parts(const char *v, char hash[33], const char **ids, size_t *ids_len,
                           const char **diags)
{
    const char *nl = strchr(v, '\n');
    size_t hl = nl ? (size_t)(nl - v) : strlen(v);
    snprintf(hash, 33, "%.*s", (int)(hl < 32 ? hl : 32), v);
    *ids = nl ? nl + 1 : "";
    const char *nl2 = strchr(*ids, '\n');
    *ids_len = nl2 ? (size_t)(nl2 - *ids) : strlen(*ids);
    *diags = nl2 ? nl2 + 1 : "";
}

/* Counts the ids of a space-separated list. */
static size_t count_ids(const char *list, size_t len)
{
    size_t n = 0;
    for (size_t k = 0; k < len; k++)
        n += list[k] != ' ' && (k == 0 || list[k - 1] == ' ');
    return n;
}

/* Passes a step's status through, noting errno in *err when it failed and
 * nothing was noted yet: a full disk shows in errno, not in Xapian's
 * message, and later steps (closing the other writer) change errno. */
static int noting_errno(int rc, int *err)
{
    if (rc != RX_OK && *err == 0)
        *err = errno;
    return rc;
}

/* Creates the index folder (its owner's only) if it does not exist. */
static int make_index_dir(const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) == 0)
        return S_ISDIR(sb.st_mode) ? RX_OK
                                   : rx_error_set(RX_EIO, "index folder %s is not a folder", dir);
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (rx_mkdir_p(parent) != 0)
            return rx_error_set(RX_EIO, "cannot create index folder %s: %s", dir, strerror(errno));
    }
    if (mkdir(dir, DIR_MODE) == 0)
        chmod(dir, DIR_MODE); /* mkdir's mode went through the umask */
    else if (errno != EEXIST)
        return rx_error_set(RX_EIO, "cannot create index folder %s: %s", dir, strerror(errno));
    return RX_OK;
}

int rx_build(rx_build_stats *st, const rx_build_opts *o, rx_diags *diags)
{
    memset(st, 0, sizeof *st);
    double t0 = rx_now();
    unsigned flags = o->analyzer ? o->analyzer : RX_AN_DEFAULT;
    size_t batch = o->batch ? o->batch : 1000;
    file_list fl = {0};
    rx_strmap manifest = {0}, ids = {0};
    manifest_ctx mctx = {.manifest = &manifest};
    char *syn_text = NULL, *dep_text = NULL, *cal_text = NULL, *syn_ser = NULL;
    char *rel_text = NULL, *rel_ser = NULL, *duty_text = NULL, *duty_ser = NULL;
    size_t syn_len = 0, dep_len = 0, cal_len = 0, rel_len = 0, duty_len = 0;
    rx_duties *duties = NULL;
    rx_synonyms *syn = NULL;
    rx_related *rel = NULL;
    rx_departments *deps = NULL;
    rx_calendar *cal = NULL;
    rx_writer *w = NULL, *w2 = NULL;
    rx_index *old = NULL;
    rx_buf tmp = {0};
    int lock_fd = -1, root = -1, rc, err = 0; /* err: errno of the failed step */
    /* the folders of the generation being built, removed unless published */
    char path[PATH_MAX], gen_dir[PATH_MAX] = "", gen_dir2[PATH_MAX] = "", final_dir[PATH_MAX] = "";

    root = open(o->corpus_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        int e = errno;
        rc = e == ENOENT || e == ENOTDIR
                 ? rx_error_set(RX_ENOTFOUND, "corpus folder %s does not exist", o->corpus_dir)
                 : rx_error_set(RX_EIO, "cannot read corpus folder %s: %s", o->corpus_dir,
                                strerror(e));
        goto done;
    }
    if ((rc = make_index_dir(o->index_dir)))
        goto done;
    snprintf(path, sizeof path, "%s/.lock", o->index_dir);
    lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, FILE_MODE);
    if (lock_fd < 0) {
        rc = rx_error_set(RX_EIO, "cannot write to index folder %s: %s", o->index_dir,
                          strerror(errno));
        goto done;
    }
    if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = rx_error_set(RX_ECONFLICT, "another `rexian index` is running on %s", o->index_dir);
        goto done;
    }
    fchmod(lock_fd, FILE_MODE); /* one made by an older rexian */

    /* the reference lists */
    if ((rc = read_list(&syn_text, &syn_len, root, "synonyms.txt")) ||
        (rc = read_list(&dep_text, &dep_len, root, "departments.txt")) ||
        (rc = read_list(&cal_text, &cal_len, root, "calendar.txt")) ||
        (rc = read_list(&rel_text, &rel_len, root, "related.txt")) ||
        (rc = read_list(&duty_text, &duty_len, root, "duties.txt")))
        goto done;
    size_t before = diags->n;
    list_diag_ctx lc = {diags, "synonyms.txt"}, rlc = {diags, "related.txt"};
    if ((rc = rx_departments_parse(&deps, "departments.txt", dep_text, dep_len, diags)) ||
        (rc = rx_calendar_parse(&cal, "calendar.txt", cal_text, cal_len, diags)) ||
        (rc = rx_synonyms_parse(&syn, syn_text, syn_len, list_diag, &lc)) ||
        (rc = rx_related_parse(&rel, rel_text, rel_len, list_diag, &rlc)) ||
        (rc = rx_duties_parse(&duties, "duties.txt", duty_text, duty_len, deps, diags)))
        goto done;
    /* duties change no document: stored beside the index for assist */
    if (!(duty_ser = rx_duties_serialize(duties))) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    /* query-time only: stored beside the index, it changes no document */
    if (!(rel_ser = rx_related_serialize(rel)) && rx_related_count(rel) > 0) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = add_extra_synonyms(syn, root, diags)))
        goto done;
    /* department aliases are synonyms too (住建局 finds 市住房和城乡建设局) */
    if ((rc = rx_synonyms_add(syn, dep_text, dep_len, NULL, NULL)))
        goto done;
    st->files_rejected += diags->n > before ? 1 : 0;
    syn_ser = rx_synonyms_serialize(syn);
    /* a change to any list rebuilds: the lists shape every document's terms
     * (related.txt only the queries, but it must reach a new generation) */
    rx_buf_printf(&tmp, "%s|%u|%s|%s|%s", FORMAT_VERSION, flags, syn_ser, dep_text,
                  rel_ser ? rel_ser : "");
    char config[33];
    rx_hash_hex(config, tmp.data, tmp.len);
    rx_buf_free(&tmp);

    /* the corpus and what changed */
    int scan_fd = reopen_dir(root);
    if (scan_fd < 0) {
        rc = rx_error_set(RX_EIO, "cannot read corpus folder %s: %s", o->corpus_dir,
                          strerror(errno));
        goto done;
    }
    if ((rc = scan_dir(&fl, scan_fd, "", 0, diags, &st->files_rejected)))
        goto done;
    long live = parse_generation(o->index_dir);
    if (live < 0) {
        rc = RX_EIO;
        goto done;
    }
    /* the live generation's manifest: what each file gave, to reuse what did
     * not change and to keep what cannot be read */
    bool have_manifest = false, incremental = false;
    if (live > 0) {
        snprintf(path, sizeof path, "%s/current", o->index_dir);
        if (rx_index_open(&old, path) == RX_OK) {
            char *cfg = NULL;
            have_manifest =
                rx_index_each_meta(old, RX_META_FILE_PREFIX, on_manifest, &mctx) == RX_OK;
            incremental = have_manifest && !o->full &&
                          rx_index_meta(old, RX_META_CONFIG, &cfg) == RX_OK &&
                          strcmp(cfg, config) == 0;
            free(cfg);
        }
    }
    size_t nchanged = 0;
    for (size_t k = 0; k < fl.n; k++) {
        corpus_file *f = &fl.items[k];
        int r = f->special ? rx_error_set(RX_EIO, "不是普通文件")
                           : read_beneath(&f->data, &f->len, root, f->rel, RX_MAX_FILE_BYTES);
        rx_strmap_entry *e =
            have_manifest ? rx_strmap_get(&manifest, f->rel, strlen(f->rel)) : NULL;
        char h[33];
        const char *idl = "", *dl = "";
        size_t idn = 0;
        if (e)
            manifest_parts(mctx.values[e->value], h, &idl, &idn, &dl);
        if (r == RX_ENOTFOUND) /* removed since the scan */
            continue;
        if (r == RX_ETOOBIG) { /* rejected like a bad file: its documents go */
            rx_diags_add(diags, f->rel, 1, "%s", rx_error_last());
            st->files_rejected++;
            continue;
        }
        if (r != RX_OK) {
            /* unreadable (permissions, an I/O error): what it gave before
             * stays, as if unchanged, until it can be read again */
            char why[256];
            snprintf(why, sizeof why, "%s", rx_error_last());
            size_t kept = count_ids(idl, idn);
            if (kept && !incremental) {
                /* a full rebuild starts empty: its documents cannot be kept */
                rc = rx_error_set(RX_EIO,
                                  "cannot read %s/%s (%s): rebuilding without it would drop its "
                                  "%zu document%s from the index; make it readable or remove it",
                                  o->corpus_dir, f->rel, why, kept, kept == 1 ? "" : "s");
                goto done;
            }
            st->files_rejected++;
            if (!kept) {
                rx_diags_add(diags, f->rel, 1, "无法读取文件：%s", why);
                continue;
            }
            rx_diags_add(diags, f->rel, 1, "无法读取文件：%s（保留上一版索引中它的 %zu 篇文档）",
                         why, kept);
            e->value = SIZE_MAX; /* seen */
            if (!(f->old_ids = strndup(idl, idn)) || (rc = claim_ids(&ids, f->old_ids))) {
                rc = rc ? rc : rx_error_set(RX_ENOMEM, "out of memory");
                goto done;
            }
            rx_buf_puts(&f->ids, f->old_ids);
            continue;
        }
        rx_hash_hex(f->hash, f->data, f->len);
        /* keep memory flat on large corpora: changed files are read again
         * when they are indexed */
        free(f->data);
        f->data = NULL;
        f->readable = true;
        f->changed = true;
        if (incremental && e) {
            f->old_ids = strndup(idl, idn);
            /* unchanged and clean: keep it; files with problems are always
             * re-read so that their report stays current */
            if (strcmp(h, f->hash) == 0 && !*dl && f->old_ids) {
                f->changed = false;
                rx_buf_puts(&f->ids, f->old_ids);
                if ((rc = claim_ids(&ids, f->old_ids)))
                    goto done;
            }
            e->value = SIZE_MAX; /* seen */
        }
        nchanged += f->changed;
    }
    bool removed_any = false;
    for (size_t k = 0; incremental && k < manifest.count; k++)
        removed_any |= manifest.entries[k].value != SIZE_MAX;
    st->files = fl.n;
    st->files_changed = nchanged;
    /* duties change no document, but a new generation must carry them */
    bool duties_changed = false;
    if (incremental) {
        char *live_duties = NULL;
        duties_changed = rx_index_meta(old, RX_META_DUTIES, &live_duties) != RX_OK ||
                         strcmp(live_duties, duty_ser) != 0;
        free(live_duties);
    }
    if (incremental && nchanged == 0 && !removed_any && !duties_changed) {
        st->generation = live;
        st->documents = rx_index_doccount(old);
        goto done; /* up to date: nothing to publish */
    }

    /* a new generation beside the live one, written in gen-N.build and
     * gen-N.build2, then compacted into gen-N and published */
    long gen = live + 1;
    snprintf(final_dir, sizeof final_dir, "%s/gen-%06ld", o->index_dir, gen);
    snprintf(gen_dir, sizeof gen_dir, "%s.build", final_dir);
    snprintf(gen_dir2, sizeof gen_dir2, "%s.build2", final_dir);
    remove_dir(gen_dir); /* leftovers of a killed build */
    remove_dir(gen_dir2);
    remove_dir(final_dir);
    if (incremental) {
        char live_dir[PATH_MAX];
        snprintf(live_dir, sizeof live_dir, "%s/gen-%06ld", o->index_dir, live);
        if ((rc = noting_errno(copy_dir(live_dir, gen_dir), &err)))
            goto done;
    } else if ((rc = noting_errno(make_dir(gen_dir), &err))) {
        goto done;
    }
    if ((rc = noting_errno(make_dir(gen_dir2), &err)) ||
        (rc = noting_errno(rx_writer_open(&w, gen_dir), &err)) ||
        (rc = noting_errno(rx_writer_open(&w2, gen_dir2), &err)))
        goto done;
    if (incremental) {
        /* files gone from the corpus */
        for (size_t k = 0; k < manifest.count; k++) {
            if (manifest.entries[k].value == SIZE_MAX)
                continue;
            char h[33];
            const char *idl, *dl;
            size_t idn;
            manifest_parts(mctx.values[manifest.entries[k].value], h, &idl, &idn, &dl);
            char *list = strndup(idl, idn);
            rc = list ? delete_ids(w, list, &st->removed) : RX_ENOMEM;
            free(list);
            snprintf(path, sizeof path, "%s%s", RX_META_FILE_PREFIX, manifest.entries[k].key);
            if (rc || (rc = rx_writer_set_meta(w, path, "")))
                goto done;
        }
    }
    producer prod = {.fl = &fl,
                     .o = o,
                     .root = root,
                     .deps = deps,
                     .an = {.flags = flags, .synonyms = syn},
                     .ids = &ids,
                     .diags = diags};
    rx_writer *const writers[NWRITERS] = {w, w2};
    if ((rc = noting_errno(run_pipeline(writers, &prod, batch, st), &err)))
        goto done;
    char genbuf[32], flagbuf[32];
    snprintf(genbuf, sizeof genbuf, "%ld", gen);
    snprintf(flagbuf, sizeof flagbuf, "%u", flags);
    if ((rc = rx_writer_set_meta(w, RX_META_FORMAT, FORMAT_VERSION)) ||
        (rc = rx_writer_set_meta(w, RX_META_ANALYZER, flagbuf)) ||
        (rc = rx_writer_set_meta(w, RX_META_SYNONYMS, syn_ser)) ||
        (rc = rx_writer_set_meta(w, RX_META_RELATED, rel_ser)) ||
        (rc = rx_writer_set_meta(w, RX_META_DEPARTMENTS, dep_text)) ||
        (rc = rx_writer_set_meta(w, RX_META_DUTIES, duty_ser)) ||
        (rc = rx_writer_set_meta(w, RX_META_CONFIG, config)) ||
        (rc = rx_writer_set_meta(w, RX_META_GENERATION, genbuf)))
        goto done;
    st->documents = rx_writer_doccount(w) + rx_writer_doccount(w2);
    /* committed before closing: closing a writer that failed to commit
     * changes errno on the way */
    if ((rc = noting_errno(rx_writer_commit(w), &err)) ||
        (rc = noting_errno(rx_writer_commit(w2), &err)))
        goto done;
    rc = noting_errno(rx_writer_close(w), &err);
    w = NULL;
    int rc2 = noting_errno(rx_writer_close(w2), &err);
    w2 = NULL;
    if (rc == RX_OK)
        rc = rc2;
    /* the two databases become one, compacted */
    const char *parts[NWRITERS] = {gen_dir, gen_dir2};
    if (rc || (rc = noting_errno(make_dir(final_dir), &err)) ||
        (rc = noting_errno(rx_index_compact(parts, NWRITERS, final_dir), &err)))
        goto done;
    restrict_files(final_dir);
    remove_dir(gen_dir);
    remove_dir(gen_dir2);
    gen_dir[0] = gen_dir2[0] = '\0';
    if (o->progress)
        fputc('\n', stderr);

    /* publish: a new stub renamed over `current` */
    if ((rc = noting_errno(publish(o->index_dir, gen), &err)))
        goto done;
    final_dir[0] = '\0'; /* published: keep it */
    st->generation = gen;
    st->published = true;
    prune_generations(o->index_dir, gen);
done:
    if (rc != RX_OK && final_dir[0]) /* while the disk is still as it failed */
        rc = explain_failure(rc, o->index_dir, err);
    /* closing a writer that failed fails again: keep the first message */
    char message[1024] = "";
    const char *reason = rc != RX_OK ? rx_error_reason() : NULL;
    if (rc != RX_OK)
        snprintf(message, sizeof message, "%s", rx_error_last());
    rx_writer_close(w);
    rx_writer_close(w2);
    /* a failed build leaves no folder behind and no descriptor open */
    if (rc != RX_OK) {
        if (gen_dir[0])
            discard_dir(gen_dir);
        if (gen_dir2[0])
            discard_dir(gen_dir2);
        if (final_dir[0])
            discard_dir(final_dir);
    }
    rx_index_free(old);
    for (size_t k = 0; k < mctx.n; k++)
        free(mctx.values[k]);
    free(mctx.values);
    rx_strmap_free(&manifest);
    rx_strmap_free(&ids);

    rx_buf_free(&tmp);
    free_files(&fl);
    rx_synonyms_free(syn);
    rx_related_free(rel);
    free(rel_text);
    free(rel_ser);
    rx_departments_free(deps);
    rx_duties_free(duties);
    free(duty_text);
    free(duty_ser);
    rx_calendar_free(cal);
    free(syn_text);
    free(dep_text);
    free(cal_text);
    free(syn_ser);
    if (root >= 0)
        close(root);
    if (lock_fd >= 0)
        close(lock_fd);
    st->seconds = rx_now() - t0;
    if (rc != RX_OK)
        rx_fail(rc, reason, "%s", message);
    return rc;
}

int rx_corpus_load(rx_doc **docs, size_t *n, const char *corpus_dir, rx_diags *diags)
{
    *docs = NULL;
    *n = 0;
    file_list fl = {0};
    char *dep_text = NULL;
    size_t dep_len = 0, cap = 0;
    rx_departments *deps = NULL;
    int root = open(corpus_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), scan_fd = -1;
    int rc = root >= 0 ? RX_OK
                       : rx_error_set(RX_EIO, "cannot read corpus folder %s: %s", corpus_dir,
                                      strerror(errno));
    if (rc == RX_OK)
        rc = read_list(&dep_text, &dep_len, root, "departments.txt");
    if (rc == RX_OK)
        rc = rx_departments_parse(&deps, "departments.txt", dep_text, dep_len, diags);
    if (rc == RX_OK && (scan_fd = reopen_dir(root)) < 0)
        rc = rx_error_set(RX_EIO, "cannot read corpus folder %s: %s", corpus_dir, strerror(errno));
    if (rc == RX_OK)
        rc = scan_dir(&fl, scan_fd, "", 0, diags, NULL);
    for (size_t k = 0; rc == RX_OK && k < fl.n; k++) {
        corpus_file *f = &fl.items[k];
        if (f->special || read_beneath(&f->data, &f->len, root, f->rel, RX_MAX_FILE_BYTES)) {
            rx_diags_add(diags, f->rel, 1, "%s", f->special ? "不是普通文件" : rx_error_last());
            continue;
        }
        rx_doc *got = NULL;
        size_t ngot = 0;
        parse_file(&got, &ngot, f, deps, diags);
        if (*n + ngot > cap) {
            cap = (*n + ngot) * 2 + 64;
            rx_doc *d = realloc(*docs, cap * sizeof *d);
            if (!d) {
                rc = rx_error_set(RX_ENOMEM, "out of memory");
                for (size_t i = 0; i < ngot; i++)
                    rx_doc_clear(&got[i]);
                ngot = 0;
            } else {
                *docs = d;
            }
        }
        /* ngot > 0 means *docs was allocated */
        for (size_t i = 0; i < ngot; i++)
            // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
            (*docs)[(*n)++] = got[i];
        free(got);
        free(f->data);
        f->data = NULL;
    }
    free_files(&fl);
    rx_departments_free(deps);
    free(dep_text);
    if (root >= 0)
        close(root);
    return rc;
}
