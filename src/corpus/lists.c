/* The reference lists of the corpus: departments.txt (canonical name and
 * aliases per line) and calendar.txt (holidays and adjusted workdays). */
#include "rexian/corpus.h"
#include "rexian/error.h"
#include "rexian/strmap.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    char **aliases;
    size_t naliases;
} department;

struct rx_departments {
    department *items;
    size_t n;
    rx_strmap names; /* name or alias → index */
};

/* Calls fn for each non-comment line: its number, text and length (BOM,
 * comments and CR stripped, surrounding blanks trimmed). */
static void each_line(const char *text, size_t len,
                      void (*fn)(void *ctx, size_t lineno, char *line), void *ctx)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, len -= 3;
    size_t pos = 0, lineno = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        char *line = malloc(end - pos + 1);
        if (!line)
            return;
        memcpy(line, text + pos, end - pos);
        line[end - pos] = '\0';
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        size_t n = strlen(line);
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
            line[--n] = '\0';
        char *start = line;
        while (*start == ' ' || *start == '\t')
            start++;
        if (*start)
            fn(ctx, lineno, start);
        free(line);
        pos = end + 1;
    }
}

/* Splits on ASCII blanks, commas, full-width commas and ideographic spaces. */
static char *next_token(char **p)
{
    static const char *const seps[] = {" ",           "\t", ",", "\xEF\xBC\x8C", "\xE3\x80\x80",
                                       "\xE3\x80\x81"};
    char *s = *p;
    for (;;) {
        bool skipped = false;
        for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
            size_t n = strlen(seps[k]);
            if (strncmp(s, seps[k], n) == 0) {
                s += n;
                skipped = true;
            }
        }
        if (!skipped)
            break;
    }
    if (!*s)
        return NULL;
    char *start = s;
    while (*s) {
        for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++) {
            size_t n = strlen(seps[k]);
            if (strncmp(s, seps[k], n) == 0) {
                *s = '\0';
                *p = s + n;
                return start;
            }
        }
        s++;
    }
    *p = s;
    return start;
}

typedef struct {
    rx_departments *d;
    const char *path;
    rx_diags *diags;
    int rc;
} dept_ctx;

static void dept_line(void *ctx, size_t lineno, char *line)
{
    dept_ctx *c = ctx;
    rx_departments *d = c->d;
    department dep = {0}, *existing = NULL;
    char *p = line, *tok;
    size_t idx = d->n;
    while ((tok = next_token(&p)) != NULL) {
        if (!rx_utf8_valid(tok, strlen(tok), NULL)) {
            rx_diags_add(c->diags, c->path, lineno, "不是合法的 UTF-8");
            break;
        }
        int added;
        rx_strmap_entry *e = rx_strmap_upsert(&d->names, tok, strlen(tok), &added);
        if (!e) {
            c->rc = RX_ENOMEM;
            break;
        }
        if (!added) {
            if (e->value != idx && !dep.name && !existing) {
                /* the line repeats a department: its new aliases join it */
                rx_diags_add(c->diags, c->path, lineno,
                             "“%s”已是另一个部门的名称；本行的简称并入该部门", tok);
                existing = &d->items[e->value];
                idx = e->value;
            } else if (e->value != idx) {
                rx_diags_add(c->diags, c->path, lineno, "“%s”已是另一个部门的名称；此处忽略", tok);
            }
            continue;
        }
        e->value = idx;
        if (existing) {
            char **a = realloc(existing->aliases, (existing->naliases + 1) * sizeof *a);
            if (!a) {
                c->rc = RX_ENOMEM;
                break;
            }
            existing->aliases = a;
            existing->aliases[existing->naliases++] = strdup(tok);
            continue;
        }
        if (!dep.name) {
            dep.name = strdup(tok);
            continue;
        }
        char **a = realloc(dep.aliases, (dep.naliases + 1) * sizeof *a);
        if (!a) {
            c->rc = RX_ENOMEM;
            break;
        }
        dep.aliases = a;
        dep.aliases[dep.naliases++] = strdup(tok);
    }
    if (!dep.name) {
        free(dep.aliases);
        return;
    }
    department *items = realloc(d->items, (d->n + 1) * sizeof *items);
    if (!items) {
        c->rc = RX_ENOMEM;
        free(dep.name);
        for (size_t k = 0; k < dep.naliases; k++)
            free(dep.aliases[k]);
        free(dep.aliases);
        return;
    }
    d->items = items;
    d->items[d->n++] = dep;
}

int rx_departments_parse(rx_departments **out, const char *path, const char *text, size_t len,
                         rx_diags *diags)
{
    *out = NULL;
    rx_departments *d = calloc(1, sizeof *d);
    if (!d)
        return rx_error_set(RX_ENOMEM, "out of memory");
    dept_ctx c = {d, path, diags, RX_OK};
    each_line(text, len, dept_line, &c);
    if (c.rc != RX_OK) {
        rx_departments_free(d);
        return rx_error_set(c.rc, "out of memory");
    }
    *out = d;
    return RX_OK;
}

void rx_departments_free(rx_departments *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].name);
        for (size_t k = 0; k < d->items[i].naliases; k++)
            free(d->items[i].aliases[k]);
        free(d->items[i].aliases);
    }
    free(d->items);
    rx_strmap_free(&d->names);
    free(d);
}

const char *rx_departments_canonical(const rx_departments *d, const char *name)
{
    while (*name == ' ' || *name == '\t')
        name++;
    size_t n = strlen(name);
    while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    rx_strmap_entry *e = rx_strmap_get(&d->names, name, n);
    return e ? d->items[e->value].name : NULL;
}

size_t rx_departments_count(const rx_departments *d)
{
    return d ? d->n : 0;
}

const char *rx_departments_name(const rx_departments *d, size_t i, const char *const **aliases,
                                size_t *n)
{
    if (aliases)
        *aliases = (const char *const *)d->items[i].aliases;
    if (n)
        *n = d->items[i].naliases;
    return d->items[i].name;
}

/* ---- calendar ---- */

typedef struct {
    long day;
    bool workday;
} cal_entry;

struct rx_calendar {
    cal_entry *items;
    size_t n, cap;
};

typedef struct {
    rx_calendar *c;
    const char *path;
    rx_diags *diags;
    int rc;
} cal_ctx;

static void cal_line(void *ctx, size_t lineno, char *line)
{
    cal_ctx *c = ctx;
    char *p = line;
    char *date = next_token(&p), *kind = next_token(&p), *extra = next_token(&p);
    long day = date ? rx_date_parse(date, strlen(date)) : RX_DATE_INVALID;
    if (day == RX_DATE_INVALID) {
        rx_diags_add(c->diags, c->path, lineno, "“%s”不是有效日期（YYYY-MM-DD）", date ? date : "");
        return;
    }
    if (!kind || (strcmp(kind, "holiday") != 0 && strcmp(kind, "workday") != 0) || extra) {
        rx_diags_add(c->diags, c->path, lineno, "应为“YYYY-MM-DD holiday”或“YYYY-MM-DD workday”");
        return;
    }
    for (size_t i = 0; i < c->c->n; i++) {
        if (c->c->items[i].day == day) {
            rx_diags_add(c->diags, c->path, lineno, "%s 重复列出", date);
            return;
        }
    }
    if (c->c->n == c->c->cap) {
        size_t cap = c->c->cap ? c->c->cap * 2 : 64;
        cal_entry *items = realloc(c->c->items, cap * sizeof *items);
        if (!items) {
            c->rc = RX_ENOMEM;
            return;
        }
        c->c->items = items;
        c->c->cap = cap;
    }
    c->c->items[c->c->n++] = (cal_entry){day, strcmp(kind, "workday") == 0};
}

static int cmp_entry(const void *a, const void *b)
{
    long x = ((const cal_entry *)a)->day, y = ((const cal_entry *)b)->day;
    return (x > y) - (x < y);
}

int rx_calendar_parse(rx_calendar **out, const char *path, const char *text, size_t len,
                      rx_diags *diags)
{
    *out = NULL;
    rx_calendar *c = calloc(1, sizeof *c);
    if (!c)
        return rx_error_set(RX_ENOMEM, "out of memory");
    cal_ctx ctx = {c, path, diags, RX_OK};
    each_line(text, len, cal_line, &ctx);
    if (ctx.rc != RX_OK) {
        rx_calendar_free(c);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    if (c->n)
        qsort(c->items, c->n, sizeof *c->items, cmp_entry);
    *out = c;
    return RX_OK;
}

void rx_calendar_free(rx_calendar *c)
{
    if (!c)
        return;
    free(c->items);
    free(c);
}

size_t rx_calendar_count(const rx_calendar *c)
{
    return c ? c->n : 0;
}

bool rx_calendar_is_workday(const rx_calendar *c, long day)
{
    if (c && c->n) {
        cal_entry key = {day, false};
        const cal_entry *e = bsearch(&key, c->items, c->n, sizeof *c->items, cmp_entry);
        if (e)
            return e->workday;
    }
    long dow = (day + 4) % 7; /* 1970-01-01 was a Thursday; 0 = Sunday */
    if (dow < 0)
        dow += 7;
    return dow != 0 && dow != 6;
}

long rx_calendar_add_workdays(const rx_calendar *c, long start, int n)
{
    long day = start;
    while (n > 0) {
        day++;
        if (rx_calendar_is_workday(c, day))
            n--;
    }
    return day;
}

/* ---- duties (职责清单) ---- */

struct rx_duties {
    rx_duty *items;
    size_t n, cap;
};

typedef struct {
    rx_duties *d;
    const rx_departments *deps;
    const char *path;
    rx_diags *diags;
    int rc;
} duty_ctx;

static void duty_line(void *ctx, size_t lineno, char *line)
{
    duty_ctx *c = ctx;
    char *tab = strchr(line, '\t');
    if (!rx_utf8_valid(line, strlen(line), NULL)) {
        rx_diags_add(c->diags, c->path, lineno, "不是合法的 UTF-8");
        return;
    }
    if (!tab) {
        rx_diags_add(c->diags, c->path, lineno, "应为“部门<TAB>职责”（本行没有制表符）");
        return;
    }
    *tab = '\0';
    const char *text = tab + 1;
    while (*text == '\t' || *text == ' ')
        text++;
    const char *dept = c->deps ? rx_departments_canonical(c->deps, line) : line;
    if (!dept) {
        rx_diags_add(c->diags, c->path, lineno, "未知部门“%.*s”（不在 departments.txt 中）",
                     rx_utf8_clip(line, 120), line);
        return;
    }
    if (!*text || strchr(text, '\t')) {
        rx_diags_add(c->diags, c->path, lineno,
                     *text ? "制表符多于一个：应为“部门<TAB>职责”" : "职责为空");
        return;
    }
    if (c->d->n == c->d->cap) {
        size_t cap = c->d->cap ? 2 * c->d->cap : 64;
        rx_duty *items = realloc(c->d->items, cap * sizeof *items);
        if (!items) {
            c->rc = RX_ENOMEM;
            return;
        }
        c->d->items = items;
        c->d->cap = cap;
    }
    char *d = strdup(dept), *t = strdup(text);
    if (!d || !t) {
        free(d);
        free(t);
        c->rc = RX_ENOMEM;
        return;
    }
    c->d->items[c->d->n++] = (rx_duty){.department = d, .text = t, .line = lineno};
}

int rx_duties_parse(rx_duties **out, const char *path, const char *text, size_t len,
                    const rx_departments *deps, rx_diags *diags)
{
    *out = NULL;
    rx_duties *d = calloc(1, sizeof *d);
    if (!d)
        return rx_error_set(RX_ENOMEM, "out of memory");
    duty_ctx c = {d, deps, path, diags, RX_OK};
    each_line(text, len, duty_line, &c);
    if (c.rc != RX_OK) {
        rx_duties_free(d);
        return rx_error_set(c.rc, "out of memory");
    }
    *out = d;
    return RX_OK;
}

void rx_duties_free(rx_duties *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].department);
        free(d->items[i].text);
    }
    free(d->items);
    free(d);
}

size_t rx_duties_count(const rx_duties *d)
{
    return d ? d->n : 0;
}

const rx_duty *rx_duties_get(const rx_duties *d, size_t i)
{
    return &d->items[i];
}

char *rx_duties_serialize(const rx_duties *d)
{
    rx_buf b = {0};
    for (size_t i = 0; d && i < d->n; i++)
        rx_buf_printf(&b, "%s\t%s\n", d->items[i].department, d->items[i].text);
    return b.data ? b.data : strdup("");
}
