/* FAQ CSV files (RFC 4180, libcsv): header id,question,answer,department,tags;
 * one document of type faq per row. */
#include "rexian/corpus.h"
#include "rexian/error.h"
#include "rexian/text.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#define NCOLS 5
static const char *const header[NCOLS] = {"id", "question", "answer", "department", "tags"};

typedef struct {
    const char *path;
    rx_diags *diags;
    const rx_departments *departments;
    char *fields[NCOLS];
    size_t nfields;
    size_t line;      /* line being fed */
    size_t row_start; /* line where the current row began */
    size_t rows;      /* rows completed, header included */
    bool header_ok;
    bool fatal;
    rx_doc *docs;
    size_t ndocs, cap;
} faq_reader;

static void reset_fields(faq_reader *r)
{
    for (size_t k = 0; k < NCOLS; k++) {
        free(r->fields[k]);
        r->fields[k] = NULL;
    }
    r->nfields = 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
    faq_reader *r = ctx;
    if (r->nfields < NCOLS) {
        char *f = malloc(len + 1);
        if (f) {
            memcpy(f, data ? data : "", len);
            f[len] = '\0';
        }
        r->fields[r->nfields] = f;
    }
    r->nfields++;
}

static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        n--;
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = '\0';
    }
    return c;
}

static int split_tags(rx_doc *d, const char *s)
{
    const char *p = s;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *t = malloc(n + 1);
        if (!t)
            return RX_ENOMEM;
        memcpy(t, p, n);
        t[n] = '\0';
        char *tt = trimmed(t);
        free(t);
        if (!tt)
            return RX_ENOMEM;
        if (*tt) {
            char **a = realloc(d->tags, (d->ntags + 1) * sizeof *a);
            if (!a) {
                free(tt);
                return RX_ENOMEM;
            }
            d->tags = a;
            d->tags[d->ntags++] = tt;
        } else {
            free(tt);
        }
        p += n + (end ? 1 : 0);
    }
    return RX_OK;
}

static void finish_row(faq_reader *r)
{
    size_t line = r->row_start;
    for (size_t k = 0; k < NCOLS && k < r->nfields; k++)
        if (!r->fields[k])
            goto out; /* allocation failed */
    if (r->rows++ == 0) {
        bool ok = r->nfields == NCOLS;
        for (size_t k = 0; ok && k < NCOLS; k++)
            ok = strcmp(r->fields[k], header[k]) == 0;
        if (!ok) {
            rx_diags_add(r->diags, r->path, line,
                         "表头不对：必须正好是 id,question,answer,department,tags");
            r->fatal = true;
        }
        r->header_ok = ok;
        goto out;
    }
    if (r->nfields != NCOLS) {
        rx_diags_add(r->diags, r->path, line, "该行有 %zu 个字段，应为 %d 个", r->nfields, NCOLS);
        goto out;
    }
    rx_doc d = {0};
    d.id = trimmed(r->fields[0]);
    d.title = trimmed(r->fields[1]);
    d.body = trimmed(r->fields[2]);
    char *dept = trimmed(r->fields[3]);
    if (!d.id || !d.title || !d.body || !dept)
        goto bad;
    if (!rx_id_valid(d.id)) {
        rx_diags_add(r->diags, r->path, line, "id“%s”不合法：只能用 1 到 %d 个小写字母、数字或“-”",
                     d.id, RX_MAX_ID_LEN);
        goto bad;
    }
    if (!*d.title) {
        rx_diags_add(r->diags, r->path, line, "问题为空");
        goto bad;
    }
    if (!*d.body) {
        rx_diags_add(r->diags, r->path, line, "答案为空");
        goto bad;
    }
    const char *canon = r->departments ? rx_departments_canonical(r->departments, dept) : dept;
    if (!canon || !*canon) {
        rx_diags_add(r->diags, r->path, line, "部门“%s”不在 departments.txt 中（名称或简称）",
                     dept);
        goto bad;
    }
    d.department = strdup(canon);
    d.type = strdup("faq");
    d.path = strdup(r->path);
    d.line = line;
    if (!d.department || !d.type || !d.path || split_tags(&d, r->fields[4]) != RX_OK)
        goto bad;
    if (r->ndocs == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        rx_doc *docs = realloc(r->docs, cap * sizeof *docs);
        if (!docs)
            goto bad;
        r->docs = docs;
        r->cap = cap;
    }
    r->docs[r->ndocs++] = d;
    free(dept);
    goto out;
bad:
    free(dept);
    rx_doc_clear(&d);
out:
    reset_fields(r);
}

static void on_row(int c, void *ctx)
{
    (void)c;
    faq_reader *r = ctx;
    if (!r->fatal)
        finish_row(r);
    else
        reset_fields(r);
}

int rx_faq_parse(rx_doc **out, size_t *n, const char *path, const char *data, size_t len,
                 const rx_departments *departments, rx_diags *diags)
{
    *out = NULL;
    *n = 0;
    size_t bad;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, len -= 3;
    if (len == 0) {
        rx_diags_add(diags, path, 1, "文件为空");
        return RX_EINVALID;
    }
    if (!rx_utf8_valid(data, len, &bad)) {
        size_t line = 1;
        for (size_t i = 0; i < bad; i++)
            line += data[i] == '\n';
        rx_diags_add(diags, path, line, "第 %zu 字节起不是合法的 UTF-8", bad);
        return RX_EINVALID;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return rx_error_set(RX_ENOMEM, "out of memory");
    faq_reader r = {
        .path = path, .diags = diags, .departments = departments, .line = 1, .row_start = 1};
    /* feed line by line so that every row knows the line it started on */
    size_t pos = 0;
    while (pos < len && !r.fatal) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) + 1 : len;
        if (csv_parse(&p, data + pos, end - pos, on_field, on_row, &r) != end - pos) {
            /* a stray quote: report the row, then start afresh on the next
             * line so that the rows after it are still read */
            rx_diags_add(diags, path, r.row_start, "CSV 格式错误：%s（未加引号的字段中有引号？）",
                         csv_strerror(csv_error(&p)));
            reset_fields(&r);
            csv_free(&p);
            if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
                r.fatal = true;
                break;
            }
            pos = end;
            r.line++;
            r.row_start = r.line;
            continue;
        }
        pos = end;
        r.line++;
        /* libcsv's state 0 is ROW_NOT_BEGUN: the next line starts a row */
        if (p.pstate == 0)
            r.row_start = r.line;
    }
    if (!r.fatal && csv_fini(&p, on_field, on_row, &r) != 0) {
        rx_diags_add(diags, path, r.row_start, "CSV 格式错误：引号字段没有结束");
        r.fatal = true;
    }
    csv_free(&p);
    reset_fields(&r);
    if (r.rows == 0 && !r.fatal) {
        rx_diags_add(diags, path, 1, "缺少表头行");
        r.fatal = true;
    }
    *out = r.docs;
    *n = r.ndocs;
    return r.header_ok ? RX_OK : RX_EINVALID;
}
