/* From a file to a corpus document: the conversion as a whole (sniff,
 * read, guess, Markdown), what the corpus already holds (ids, folders,
 * titles and 文号 for supersedes), and publishing a reviewed draft under
 * a lock on the corpus folder. */
#include "guess.h"
#include "internal.h"
#include "rexian/error.h"
#include "rexian/import.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const rx_import_guess_keys[7] = {"id",        "title",   "department", "type",
                                             "effective", "expires", "tags"};

typedef struct {
    char *id, *title, *department, *path, *docno;
    char effective[11], expires[11];
} entry;

struct rx_import_ctx {
    char *corpus;
    rx_departments *deps;
    rx_synonyms *syn;
    entry *docs;
    size_t ndocs, cap;
    char **ids; /* every id, FAQ rows too */
    size_t nids, cap_ids;
};

void rx_import_draft_clear(rx_import_draft *d)
{
    if (!d)
        return;
    free(d->file);
    free(d->id);
    free(d->title);
    free(d->department);
    free(d->type);
    for (size_t k = 0; k < d->ntags; k++)
        free(d->tags[k]);
    free(d->tags);
    free(d->docno);
    free(d->body);
    free(d->source_text);
    free(d->folder);
    for (size_t k = 0; k < d->nsupersedes; k++) {
        free(d->supersedes[k].id);
        free(d->supersedes[k].title);
        free(d->supersedes[k].path);
        free(d->supersedes[k].why);
    }
    free(d->supersedes);
    memset(d, 0, sizeof *d);
}

/* ---- the corpus as it is */

static char *squeezed(const char *s)
{
    char *o = blk_clean(s, strlen(s), true);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; o[i]; i++)
        if (o[i] != ' ')
            o[k++] = o[i];
    o[k] = '\0';
    return o;
}

static int add_id(rx_import_ctx *c, const char *id)
{
    if (c->nids == c->cap_ids) {
        size_t cap = c->cap_ids ? c->cap_ids * 2 : 1024;
        char **ids = realloc(c->ids, cap * sizeof *ids);
        if (!ids)
            return RX_ENOMEM;
        c->ids = ids;
        c->cap_ids = cap;
    }
    if (!(c->ids[c->nids] = strdup(id)))
        return RX_ENOMEM;
    c->nids++;
    return RX_OK;
}

static bool has_id(const rx_import_ctx *c, const char *id)
{
    for (size_t k = 0; k < c->nids; k++)
        if (!strcmp(c->ids[k], id))
            return true;
    return false;
}

static void add_doc(rx_import_ctx *c, const rx_doc *doc, const char *rel)
{
    entry *d = rx_array_grow(c->docs, &c->cap, c->ndocs, sizeof *c->docs, 512);
    if (!d)
        return;
    c->docs = d;
    entry *e = &c->docs[c->ndocs];
    memset(e, 0, sizeof *e);
    e->id = strdup(doc->id);
    e->title = squeezed(doc->title);
    const char *canon = c->deps ? rx_departments_canonical(c->deps, doc->department) : NULL;
    e->department = strdup(canon ? canon : doc->department);
    e->path = strdup(rel);
    memcpy(e->effective, doc->effective, 11);
    memcpy(e->expires, doc->expires, 11);
    /* a 文号 sits under the title */
    size_t head = strlen(doc->body) < 900 ? strlen(doc->body) : 900;
    char *top = strndup(doc->body, (size_t)rx_utf8_clip(doc->body, head));
    e->docno = top ? rx_import_find_docno(top) : NULL;
    free(top);
    if (e->id && e->title && e->department && e->path) {
        c->ndocs++;
        add_id(c, doc->id);
    } else {
        free(e->id);
        free(e->title);
        free(e->department);
        free(e->path);
        free(e->docno);
    }
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !strcmp(s + n - t, tail);
}

static void scan_dir(rx_import_ctx *c, const char *rel, int depth)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", c->corpus, *rel ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096], full[4096];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", c->corpus, sub);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < 4)
                scan_dir(c, sub, depth + 1);
            continue;
        }
        bool md =
            ends_with(e->d_name, ".md") && strcasecmp(e->d_name, "README.md") != 0 && depth > 0;
        bool csv = ends_with(e->d_name, ".csv");
        if (!md && !csv)
            continue;
        char *data;
        size_t len;
        if (rx_file_read(&data, &len, full, RX_MAX_FILE_BYTES) != RX_OK) {
            rx_error_clear();
            continue;
        }
        rx_diags diags = {0};
        if (md) {
            rx_doc doc;
            if (rx_md_parse(&doc, sub, data, len, NULL, &diags) == RX_OK) {
                add_doc(c, &doc, sub);
                rx_doc_clear(&doc);
            }
        } else {
            rx_doc *rows = NULL;
            size_t nrows = 0;
            rx_faq_parse(&rows, &nrows, sub, data, len, NULL, &diags);
            for (size_t k = 0; k < nrows; k++) {
                add_id(c, rows[k].id);
                rx_doc_clear(&rows[k]);
            }
            free(rows);
        }
        rx_diags_free(&diags);
        free(data);
    }
    closedir(d);
}

static void ignore_diag(void *ctx, size_t line, const char *reason)
{
    (void)ctx;
    (void)line;
    (void)reason;
}

int rx_import_ctx_load(rx_import_ctx **out, const char *corpus_dir)
{
    *out = NULL;
    rx_import_ctx *c = calloc(1, sizeof *c);
    if (!c || !(c->corpus = strdup(corpus_dir))) {
        free(c);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    struct stat st;
    if (stat(corpus_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rx_import_ctx_free(c);
        return rx_fail(RX_ENOTFOUND, "corpus_not_found", "知识库目录 %s 不存在", corpus_dir);
    }
    char path[4096], *data;
    size_t len;
    snprintf(path, sizeof path, "%s/departments.txt", corpus_dir);
    if (rx_file_read(&data, &len, path, RX_MAX_FILE_BYTES) == RX_OK) {
        rx_diags diags = {0};
        rx_departments_parse(&c->deps, "departments.txt", data, len, &diags);
        rx_diags_free(&diags);
        free(data);
    }
    snprintf(path, sizeof path, "%s/synonyms.txt", corpus_dir);
    if (rx_file_read(&data, &len, path, RX_MAX_FILE_BYTES) == RX_OK) {
        rx_synonyms_parse(&c->syn, data, len, ignore_diag, NULL);
        free(data);
    }
    rx_error_clear();
    scan_dir(c, "", 0);
    *out = c;
    return RX_OK;
}

void rx_import_ctx_free(rx_import_ctx *c)
{
    if (!c)
        return;
    for (size_t k = 0; k < c->ndocs; k++) {
        free(c->docs[k].id);
        free(c->docs[k].title);
        free(c->docs[k].department);
        free(c->docs[k].path);
        free(c->docs[k].docno);
    }
    free(c->docs);
    for (size_t k = 0; k < c->nids; k++)
        free(c->ids[k]);
    free(c->ids);
    rx_departments_free(c->deps);
    rx_synonyms_free(c->syn);
    free(c->corpus);
    free(c);
}

const rx_departments *rx_import_ctx_departments(const rx_import_ctx *c)
{
    return c ? c->deps : NULL;
}

/* ---- ids and folders */

/* Splits "zjj-2024-003" into prefix "zjj", year 2024 and number 3. */
static bool id_parts(const char *id, char *prefix, size_t cap, int *year, int *num)
{
    size_t n = strlen(id);
    size_t d = n;
    while (d > 0 && id[d - 1] >= '0' && id[d - 1] <= '9')
        d--;
    if (d == n || d < 7 || id[d - 1] != '-')
        return false;
    size_t y = d - 1;
    if (y < 6 || id[y - 5] != '-')
        return false;
    for (size_t k = y - 4; k < y; k++)
        if (id[k] < '0' || id[k] > '9')
            return false;
    size_t pl = y - 5;
    if (pl + 1 > cap)
        return false;
    memcpy(prefix, id, pl);
    prefix[pl] = '\0';
    *year = atoi(id + y - 4);
    *num = atoi(id + d);
    return true;
}

/* The folder and id prefix the department's documents use (the most
 * common), or imported/imp. */
static void folder_of(const rx_import_ctx *c, const char *department, char *folder, size_t fcap,
                      char *prefix, size_t pcap)
{
    snprintf(folder, fcap, "imported");
    snprintf(prefix, pcap, "imp");
    size_t best = 0;
    for (size_t i = 0; department && i < c->ndocs; i++) {
        const entry *e = &c->docs[i];
        if (strcmp(e->department, department) != 0)
            continue;
        const char *slash = strchr(e->path, '/');
        if (!slash)
            continue;
        size_t count = 0;
        for (size_t j = 0; j < c->ndocs; j++)
            if (!strcmp(c->docs[j].department, department) &&
                !strncmp(c->docs[j].path, e->path, (size_t)(slash - e->path) + 1))
                count++;
        char p[RX_MAX_ID_LEN + 1];
        int y, n;
        if (count > best && id_parts(e->id, p, sizeof p, &y, &n)) {
            best = count;
            snprintf(folder, fcap, "%.*s", (int)(slash - e->path), e->path);
            snprintf(prefix, pcap, "%s", p);
        }
    }
}

static char *new_id(const rx_import_ctx *c, const char *prefix, const char *effective)
{
    int year = atoi(effective);
    int top = 0;
    for (size_t i = 0; i < c->nids; i++) {
        char p[RX_MAX_ID_LEN + 1];
        int y, n;
        if (id_parts(c->ids[i], p, sizeof p, &y, &n) && !strcmp(p, prefix) && y == year && n > top)
            top = n;
    }
    char id[RX_MAX_ID_LEN + 16];
    for (int n = top + 1;; n++) {
        snprintf(id, sizeof id, "%s-%04d-%03d", prefix, year, n);
        if (!has_id(c, id))
            return strdup(id);
    }
}

/* ---- Markdown */

static void md_text(rx_buf *b, const char *s, bool in_cell)
{
    /* a paragraph must not read as a heading, a list or a quote */
    const char *p = s;
    if (*p == '#' || *p == '>' || ((*p == '-' || *p == '+' || *p == '*') && (p[1] == ' ' || !p[1])))
        rx_buf_putc(b, '\\');
    else {
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q > p && q - p < 10 && (*q == '.' || *q == ')') && (q[1] == ' ' || !q[1])) {
            rx_buf_append(b, p, (size_t)(q - p));
            rx_buf_putc(b, '\\');
            p = q;
        }
    }
    for (; *p; p++) {
        if (strchr("\\`*_[]<", *p) || (in_cell && *p == '|'))
            rx_buf_putc(b, '\\');
        rx_buf_putc(b, *p);
    }
}

static size_t cells_of(const char *row)
{
    size_t n = 1;
    for (; *row; row++)
        n += *row == '\t';
    return n;
}

static void md_row(rx_buf *b, const char *row, size_t columns)
{
    rx_buf_puts(b, "|");
    size_t k = 0;
    const char *p = row;
    while (k < columns) {
        const char *tab = p ? strchr(p, '\t') : NULL;
        size_t n = p ? (tab ? (size_t)(tab - p) : strlen(p)) : 0;
        char *cell = p ? strndup(p, n) : NULL;
        rx_buf_putc(b, ' ');
        if (cell)
            md_text(b, cell, true);
        free(cell);
        rx_buf_puts(b, " |");
        p = p && tab ? tab + 1 : NULL;
        k++;
    }
    rx_buf_putc(b, '\n');
}

static char *compose_body(const blk_list *bl, const guess_info *gi, const char *title)
{
    rx_buf b = {0};
    if (gi->title == SIZE_MAX && title) {
        rx_buf_puts(&b, "# ");
        md_text(&b, title, false);
        rx_buf_puts(&b, "\n\n");
    }
    size_t columns = 0;
    for (size_t i = 0; i < bl->n; i++) {
        const blk *x = &bl->items[i];
        const blk *next = i + 1 < bl->n ? &bl->items[i + 1] : NULL;
        if (i == gi->title) {
            rx_buf_puts(&b, "# ");
            md_text(&b, x->text, false);
            rx_buf_puts(&b, "\n\n");
            continue;
        }
        switch (x->kind) {
        case BLK_HEADING:
            if (i != gi->letterhead) {
                int level = x->level < 2 ? 2 : x->level > 6 ? 6 : x->level;
                for (int k = 0; k < level; k++)
                    rx_buf_putc(&b, '#');
                rx_buf_putc(&b, ' ');
            }
            md_text(&b, x->text, false);
            rx_buf_puts(&b, "\n\n");
            break;
        case BLK_ITEM:
            rx_buf_puts(&b, x->level ? "1. " : "- ");
            md_text(&b, x->text, false);
            rx_buf_puts(&b, next && next->kind == BLK_ITEM ? "\n" : "\n\n");
            break;
        case BLK_ROW:
            if (x->level || !columns) {
                columns = cells_of(x->text);
                md_row(&b, x->text, columns);
                rx_buf_puts(&b, "|");
                for (size_t k = 0; k < columns; k++)
                    rx_buf_puts(&b, " --- |");
                rx_buf_putc(&b, '\n');
            } else {
                md_row(&b, x->text, columns);
            }
            if (!next || next->kind != BLK_ROW || next->level) {
                rx_buf_putc(&b, '\n');
                if (!next || next->kind != BLK_ROW)
                    columns = 0;
            }
            break;
        default: md_text(&b, x->text, false); rx_buf_puts(&b, "\n\n");
        }
    }
    while (b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    rx_buf_putc(&b, '\n');
    return rx_buf_steal(&b);
}

static char *compose_source(const blk_list *bl)
{
    rx_buf b = {0};
    for (size_t i = 0; i < bl->n; i++) {
        for (const char *p = bl->items[i].text; *p; p++)
            if (*p == '\t')
                rx_buf_puts(&b, " | ");
            else
                rx_buf_putc(&b, *p);
        rx_buf_putc(&b, '\n');
    }
    if (bl->margin.len) {
        rx_buf_puts(&b, "\n（页眉、页脚或网页导航，未收入正文）\n");
        rx_buf_append(&b, bl->margin.data, bl->margin.len);
    }
    return rx_buf_steal(&b);
}

/* A YAML plain scalar when safe, else a double-quoted one. */
static void yaml_scalar(rx_buf *b, const char *s, bool in_flow)
{
    bool quote = !*s || strchr("-?:,[]{}#&*!|>'\"%@`~ ", *s) || strstr(s, ": ") ||
                 strstr(s, " #") || s[strlen(s) - 1] == ':' || s[strlen(s) - 1] == ' ' ||
                 (in_flow && strpbrk(s, ",[]{}"));
    static const char *const words[] = {"true", "false", "null", "yes", "no", "on", "off", NULL};
    for (size_t k = 0; words[k] && !quote; k++)
        quote = !strcasecmp(s, words[k]);
    bool numeric = true;
    for (const char *p = s; *p && numeric; p++)
        numeric = (*p >= '0' && *p <= '9') || *p == '.' || *p == '-';
    quote = quote || numeric;
    if (!quote) {
        for (const char *p = s; *p; p++)
            rx_buf_putc(b, (unsigned char)*p < 0x20 ? ' ' : *p);
        return;
    }
    rx_buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            rx_buf_putc(b, '\\');
        rx_buf_putc(b, (unsigned char)*p < 0x20 ? ' ' : *p);
    }
    rx_buf_putc(b, '"');
}

static void guess_note(rx_buf *b, const rx_import_draft *d, unsigned bit, bool mark)
{
    if (mark && (d->guessed & bit))
        rx_buf_puts(b, "  # 推测，请核对");
    rx_buf_putc(b, '\n');
}

char *rx_import_markdown(const rx_import_draft *d, bool mark_guesses)
{
    rx_buf b = {0};
    rx_buf_puts(&b, "---\n");
    if (mark_guesses && d->guessed) {
        rx_buf_puts(&b, "# 由 rexian import 从 ");
        for (const char *p = d->file ? d->file : ""; *p; p++)
            rx_buf_putc(&b, (unsigned char)*p < 0x20 ? ' ' : *p);
        rx_buf_puts(&b, " 转换；标“推测”的字段是程序猜的，核对无误后可删去注释\n");
    }
    rx_buf_puts(&b, "id: ");
    yaml_scalar(&b, d->id ? d->id : "", false);
    guess_note(&b, d, RX_GUESS_ID, mark_guesses);
    rx_buf_puts(&b, "title: ");
    yaml_scalar(&b, d->title ? d->title : "", false);
    guess_note(&b, d, RX_GUESS_TITLE, mark_guesses);
    rx_buf_puts(&b, "department: ");
    yaml_scalar(&b, d->department ? d->department : "", false);
    guess_note(&b, d, RX_GUESS_DEPARTMENT, mark_guesses);
    rx_buf_puts(&b, "type: ");
    yaml_scalar(&b, d->type ? d->type : "", false);
    guess_note(&b, d, RX_GUESS_TYPE, mark_guesses);
    rx_buf_puts(&b, "tags: [");
    for (size_t k = 0; k < d->ntags; k++) {
        if (k)
            rx_buf_puts(&b, ", ");
        yaml_scalar(&b, d->tags[k], true);
    }
    rx_buf_puts(&b, "]");
    guess_note(&b, d, RX_GUESS_TAGS, mark_guesses);
    rx_buf_printf(&b, "effective: %s", d->effective);
    guess_note(&b, d, RX_GUESS_EFFECTIVE, mark_guesses);
    if (d->expires[0]) {
        rx_buf_printf(&b, "expires: %s", d->expires);
        guess_note(&b, d, RX_GUESS_EXPIRES, mark_guesses);
    }
    rx_buf_puts(&b, "---\n");
    rx_buf_puts(&b, d->body ? d->body : "");
    return rx_buf_steal(&b);
}

/* ---- supersedes */

static int add_supersede(rx_import_draft *d, const entry *e, const char *why, long new_eff)
{
    long old_eff = rx_date_parse(e->effective, strlen(e->effective));
    long until = new_eff - 1;
    if (old_eff != RX_DATE_INVALID && until < old_eff)
        until = old_eff;
    if (e->expires[0]) {
        long had = rx_date_parse(e->expires, strlen(e->expires));
        if (had != RX_DATE_INVALID && had <= until)
            return RX_OK; /* it ends by then anyway */
    }
    for (size_t k = 0; k < d->nsupersedes; k++)
        if (!strcmp(d->supersedes[k].id, e->id))
            return RX_OK;
    rx_import_supersede *s = realloc(d->supersedes, (d->nsupersedes + 1) * sizeof *s);
    if (!s)
        return rx_error_set(RX_ENOMEM, "out of memory");
    d->supersedes = s;
    rx_import_supersede *x = &s[d->nsupersedes];
    memset(x, 0, sizeof *x);
    x->id = strdup(e->id);
    x->path = strdup(e->path);
    x->title = strdup(e->title);
    x->why = strdup(why);
    memcpy(x->expires_before, e->expires, 11);
    rx_date_format(x->expires_after, until);
    d->nsupersedes++;
    return x->id && x->path && x->title && x->why ? RX_OK
                                                  : rx_error_set(RX_ENOMEM, "out of memory");
}

/* The titles 《…》 and 文号 named in sentences that repeal (废止). */
static bool repealed(const char *body, const entry *e)
{
    for (const char *p = strstr(body, "废止"); p; p = strstr(p + 1, "废止")) {
        /* the sentence: back to the previous full stop or line */
        const char *start = p;
        while (start > body && start[-1] != '\n' &&
               !(start - body >= 3 && !memcmp(start - 3, "。", 3)))
            start--;
        char *sentence = strndup(start, (size_t)(p - start));
        char *sq = sentence ? squeezed(sentence) : NULL;
        free(sentence);
        if (!sq)
            continue;
        bool hit = false;
        if (e->docno && strstr(sq, e->docno))
            hit = true;
        char quoted[1024];
        snprintf(quoted, sizeof quoted, "《%s》", e->title);
        if (strstr(sq, quoted))
            hit = true;
        free(sq);
        if (hit)
            return true;
    }
    return false;
}

int rx_import_find_supersedes(rx_import_draft *d, const rx_import_ctx *ctx)
{
    for (size_t k = 0; k < d->nsupersedes; k++) {
        free(d->supersedes[k].id);
        free(d->supersedes[k].title);
        free(d->supersedes[k].path);
        free(d->supersedes[k].why);
    }
    free(d->supersedes);
    d->supersedes = NULL;
    d->nsupersedes = 0;
    long eff = rx_date_parse(d->effective, strlen(d->effective));
    if (eff == RX_DATE_INVALID || !d->title)
        return RX_OK;
    char *title = squeezed(d->title);
    char *body = d->body ? strdup(d->body) : NULL;
    if (!title) {
        free(body);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    /* the escapes of the Markdown are not the text */
    if (body) {
        size_t k = 0;
        for (size_t i = 0; body[i]; i++)
            if (!(body[i] == '\\' && body[i + 1]))
                body[k++] = body[i];
        body[k] = '\0';
    }
    int rc = RX_OK;
    for (size_t i = 0; i < ctx->ndocs && rc == RX_OK; i++) {
        const entry *e = &ctx->docs[i];
        if (d->id && !strcmp(e->id, d->id))
            continue;
        const char *why = NULL;
        if (!strcmp(e->title, title))
            why = "标题相同";
        else if (d->docno && e->docno && !strcmp(d->docno, e->docno))
            why = "文号相同";
        else if (body && repealed(body, e))
            why = "新文件明文废止";
        if (why)
            rc = add_supersede(d, e, why, eff);
    }
    free(title);
    free(body);
    return rc;
}

/* ---- conversion */

int rx_import_convert(rx_import_draft *out, const rx_import_ctx *ctx, const char *name,
                      const void *data, size_t len, const rx_import_opts *opts)
{
    memset(out, 0, sizeof *out);
    if (len > RX_IMPORT_MAX_BYTES)
        return rx_fail(RX_ETOOBIG, "too_large", "文件有 %zu MB，超过 %u MB 的上限",
                       len / (1024 * 1024), RX_IMPORT_MAX_BYTES / (1024 * 1024));
    const char *format = rx_import_sniff(name, data, len);
    if (!format)
        return rx_error_code();
    blk_list bl = {0};
    int rc;
    if (!strcmp(format, "docx"))
        rc = rx_import_read_docx(&bl, data, len);
    else if (!strcmp(format, "pdf"))
        rc = rx_import_read_pdf(&bl, data, len);
    else
        rc = rx_import_read_html(&bl, data, len);
    if (rc == RX_OK && bl.n == 0)
        rc = rx_fail(RX_EVALUE, "empty", "文件里没有读出任何文字，无法导入");
    if (rc != RX_OK) {
        blk_list_free(&bl);
        return rc;
    }
    out->format = format;
    out->file = strdup(name ? name : "");
    guess_info gi;
    rc = rx_import_guess(out, &gi, &bl, ctx->deps, ctx->syn, opts, name ? name : "");
    if (rc == RX_OK) {
        out->body = compose_body(&bl, &gi, out->title);
        out->source_text = compose_source(&bl);
        char folder[256], prefix[RX_MAX_ID_LEN + 1];
        folder_of(ctx, out->department, folder, sizeof folder, prefix, sizeof prefix);
        out->folder = strdup(folder);
        out->id = new_id(ctx, prefix, out->effective);
        out->guessed |= RX_GUESS_ID;
        if (!out->body || !out->source_text || !out->folder || !out->id || !out->file)
            rc = rx_error_set(RX_ENOMEM, "out of memory");
    }
    if (rc == RX_OK)
        rc = rx_import_find_supersedes(out, ctx);
    blk_list_free(&bl);
    if (rc != RX_OK)
        rx_import_draft_clear(out);
    return rc;
}

/* ---- publishing */

/* The text of a corpus file with its front matter's expires set to date
 * (replaced, or added before the closing line). NULL if it has none. */
static char *with_expiry(const char *text, const char *date, const char *by)
{
    if (strncmp(text, "---", 3) != 0)
        return NULL;
    const char *close = strstr(text + 3, "\n---");
    if (!close)
        return NULL;
    rx_buf b = {0};
    const char *p = text;
    bool done = false;
    while (p <= close) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
        if (!done && !strncmp(p, "expires:", 8)) {
            rx_buf_printf(&b, "expires: %s  # 被 %s 取代\n", date, by);
            done = true;
        } else {
            rx_buf_append(&b, p, n);
        }
        p += n;
        if (p > close) /* the line ending just before the closing --- */
            break;
    }
    if (!done)
        rx_buf_printf(&b, "expires: %s  # 被 %s 取代\n", date, by);
    rx_buf_puts(&b, close + 1);
    return rx_buf_steal(&b);
}

/* Checks text as the indexer will read it; the reason goes to the error. */
static int check_doc(const char *rel, const char *text, const rx_departments *deps)
{
    rx_diags diags = {0};
    rx_doc doc;
    int rc = rx_md_parse(&doc, rel, text, strlen(text), deps, &diags);
    if (rc == RX_OK) {
        rx_doc_clear(&doc);
    } else if (diags.n) {
        rc = rx_fail(RX_EVALUE, "invalid_document", "文档不符合知识库格式（第 %zu 行）：%s",
                     diags.items[0].line, diags.items[0].reason);
    }
    rx_diags_free(&diags);
    return rc;
}

int rx_import_publish(char **path_out, const char *corpus_dir, rx_import_draft *d,
                      bool mark_guesses)
{
    if (path_out)
        *path_out = NULL;
    int lock = open(corpus_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock < 0)
        return rx_fail(RX_EIO, "corpus_unavailable", "无法打开知识库目录 %s", corpus_dir);
    if (flock(lock, LOCK_EX) != 0) {
        close(lock);
        return rx_fail(RX_EIO, "corpus_unavailable", "无法锁定知识库目录 %s", corpus_dir);
    }
    rx_import_ctx *ctx = NULL;
    char *text = NULL, *rel = NULL;
    int rc = rx_import_ctx_load(&ctx, corpus_dir);
    if (rc != RX_OK)
        goto done;
    if (!d->id || !*d->id || ((d->guessed & RX_GUESS_ID) && has_id(ctx, d->id))) {
        /* an id the admin left as guessed is taken afresh if it was taken meanwhile */
        char folder[256], prefix[RX_MAX_ID_LEN + 1];
        folder_of(ctx, d->department, folder, sizeof folder, prefix, sizeof prefix);
        free(d->id);
        d->id = new_id(ctx, prefix, d->effective);
        if (!d->folder)
            d->folder = strdup(folder);
    }
    if (!d->id || !rx_id_valid(d->id)) {
        rc = rx_fail(RX_EVALUE, "invalid_id", "编号“%s”无效：只能用 1 到 %d 个小写字母、数字或 -",
                     d->id ? d->id : "", RX_MAX_ID_LEN);
        goto done;
    }
    if (has_id(ctx, d->id)) {
        rc = rx_fail(RX_ECONFLICT, "duplicate_id", "知识库里已有编号为 %s 的文档", d->id);
        goto done;
    }
    if (!d->folder) {
        char folder[256], prefix[RX_MAX_ID_LEN + 1];
        folder_of(ctx, d->department, folder, sizeof folder, prefix, sizeof prefix);
        d->folder = strdup(folder);
    }
    /* the folder is a plain name inside the corpus */
    bool plain = d->folder && *d->folder && strlen(d->folder) < 64;
    for (const char *p = d->folder; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
    if (!plain) {
        rc = rx_fail(RX_EVALUE, "invalid_folder", "目录名无效：只能用小写字母、数字、- 或 _");
        goto done;
    }
    size_t rl = strlen(d->folder) + strlen(d->id) + 5;
    rel = malloc(rl);
    text = rx_import_markdown(d, mark_guesses);
    if (!rel || !text) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(rel, rl, "%s/%s.md", d->folder, d->id);
    if ((rc = check_doc(rel, text, ctx->deps)) != RX_OK)
        goto done;
    if (!d->docno && d->body) { /* a 文号 sits under the title */
        size_t head = strlen(d->body) < 900 ? strlen(d->body) : 900;
        char *top = strndup(d->body, (size_t)rx_utf8_clip(d->body, head));
        d->docno = top ? rx_import_find_docno(top) : NULL;
        free(top);
    }
    if ((rc = rx_import_find_supersedes(d, ctx)) != RX_OK)
        goto done;
    /* every superseded file is checked before anything is written */
    char **updated = calloc(d->nsupersedes + 1, sizeof *updated);
    if (!updated) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < d->nsupersedes && rc == RX_OK; k++) {
        char full[4096], *old;
        size_t len;
        snprintf(full, sizeof full, "%s/%s", corpus_dir, d->supersedes[k].path);
        if ((rc = rx_file_read(&old, &len, full, RX_MAX_FILE_BYTES)) != RX_OK)
            break;
        updated[k] = with_expiry(old, d->supersedes[k].expires_after, d->id);
        free(old);
        if (!updated[k])
            rc = rx_fail(RX_EVALUE, "invalid_document", "无法修改被取代的文档 %s",
                         d->supersedes[k].path);
        else
            rc = check_doc(d->supersedes[k].path, updated[k], NULL);
    }
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", corpus_dir, d->folder);
    if (rc == RX_OK && rx_mkdir_p(full) != 0)
        rc = rx_fail(RX_EIO, "io", "无法创建目录 %s：%s", full, strerror(errno));
    snprintf(full, sizeof full, "%s/%s", corpus_dir, rel);
    if (rc == RX_OK && access(full, F_OK) == 0)
        rc = rx_fail(RX_ECONFLICT, "duplicate_id", "文件 %s 已存在", rel);
    if (rc == RX_OK)
        rc = rx_file_write_atomic(full, text, strlen(text));
    for (size_t k = 0; k < d->nsupersedes && rc == RX_OK; k++) {
        char old[4096];
        snprintf(old, sizeof old, "%s/%s", corpus_dir, d->supersedes[k].path);
        rc = rx_file_write_atomic(old, updated[k], strlen(updated[k]));
    }
    for (size_t k = 0; k < d->nsupersedes; k++)
        free(updated[k]);
    free(updated);
    if (rc == RX_OK && path_out) {
        *path_out = rel;
        rel = NULL;
    }
done:
    free(text);
    free(rel);
    rx_import_ctx_free(ctx);
    flock(lock, LOCK_UN);
    close(lock);
    return rc;
}
