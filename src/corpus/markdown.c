/* Markdown documents: YAML front matter (libyaml) and body checks. */
#include "rexian/corpus.h"
#include "rexian/error.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static const char *const allowed_keys[] = {"id",   "title",     "department", "type",
                                           "tags", "effective", "expires"};
#define NKEYS (sizeof allowed_keys / sizeof allowed_keys[0])

static int key_index(const char *k)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(allowed_keys[i], k) == 0)
            return (int)i;
    return -1;
}

/* Finds the line after `---` that closes the front matter. Returns the byte
 * offset of the closing line, or -1. *body receives the body offset. */
static long find_closing(const char *s, size_t len, size_t from, size_t *body, size_t *lines)
{
    size_t i = from, line = 2;
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) : len;
        size_t l = end - i;
        if (l >= 3 && memcmp(s + i, "---", 3) == 0) {
            size_t k = 3;
            while (k < l && (s[i + k] == ' ' || s[i + k] == '\t'))
                k++;
            if (k == l) {
                *body = nl ? end + 1 : len;
                *lines = line;
                return (long)i;
            }
        }
        i = nl ? end + 1 : len;
        line++;
    }
    return -1;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
            return false;
    return true;
}

/* A copy of s with CRLF turned into LF and a leading BOM removed. */
static char *clean_copy(const char *s, size_t len, size_t *out_len)
{
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3, len -= 3;
    char *c = malloc(len + 1);
    if (!c)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
            c[n++] = s[i];
    c[n] = '\0';
    *out_len = n;
    return c;
}

static size_t line_of(const char *s, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

typedef struct {
    const char *path;
    rx_diags *diags;
    size_t base_line; /* file line of the first YAML line, minus one */
    yaml_parser_t parser;
    yaml_event_t ev;
    bool have_ev;
} fm_reader;

static bool next_event(fm_reader *r)
{
    if (r->have_ev)
        yaml_event_delete(&r->ev);
    r->have_ev = false;
    if (!yaml_parser_parse(&r->parser, &r->ev)) {
        rx_diags_add(r->diags, r->path, r->base_line + r->parser.problem_mark.line + 1,
                     "前置元数据不是合法的 YAML：%s",
                     r->parser.problem ? r->parser.problem : "语法错误");
        return false;
    }
    r->have_ev = true;
    return true;
}

static size_t ev_line(const fm_reader *r)
{
    return r->base_line + r->ev.start_mark.line + 1;
}

static bool validate_date(fm_reader *r, const char *key, const char *v, char out[11], size_t line)
{
    if (rx_date_parse(v, strlen(v)) == RX_DATE_INVALID) {
        rx_diags_add(r->diags, r->path, line, "%s“%s”不是有效日期（YYYY-MM-DD）", key, v);
        return false;
    }
    memcpy(out, v, 11);
    return true;
}

int rx_md_parse(rx_doc *out, const char *path, const char *data, size_t len,
                const rx_departments *departments, rx_diags *diags)
{
    memset(out, 0, sizeof *out);
    size_t bad;
    if (len == 0) {
        rx_diags_add(diags, path, 1, "文件为空");
        return RX_EINVALID;
    }
    if (!rx_utf8_valid(data, len, &bad)) {
        rx_diags_add(diags, path, line_of(data, bad), "第 %zu 字节起不是合法的 UTF-8", bad);
        return RX_EINVALID;
    }
    size_t n;
    char *s = clean_copy(data, len, &n);
    if (!s)
        return rx_error_set(RX_ENOMEM, "out of memory");
    int rc = RX_EINVALID;
    fm_reader r = {.path = path, .diags = diags, .base_line = 1};
    bool parser_ready = false;
    bool seen[NKEYS] = {false};
    size_t body_off = 0, close_line = 0;
    long close = -1;

    if (!(n >= 4 && memcmp(s, "---", 3) == 0 && (s[3] == '\n' || s[3] == ' '))) {
        rx_diags_add(diags, path, 1, "缺少前置元数据：文件必须以“---”行开头");
        goto done;
    }
    const char *first_nl = memchr(s, '\n', n);
    size_t yaml_start = first_nl ? (size_t)(first_nl - s) + 1 : n;
    close = find_closing(s, n, yaml_start, &body_off, &close_line);
    if (close < 0) {
        rx_diags_add(diags, path, 1, "前置元数据没有以“---”行结束");
        goto done;
    }
    out->path = strdup(path);
    out->line = 1;
    if (!yaml_parser_initialize(&r.parser)) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    parser_ready = true;
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)s + yaml_start,
                                 (size_t)close - yaml_start);
    /* stream start, document start, mapping start */
    if (!next_event(&r) || r.ev.type != YAML_STREAM_START_EVENT || !next_event(&r))
        goto done;
    if (r.ev.type != YAML_DOCUMENT_START_EVENT) {
        rx_diags_add(diags, path, 2, "前置元数据为空");
        goto done;
    }
    if (!next_event(&r))
        goto done;
    if (r.ev.type != YAML_MAPPING_START_EVENT) {
        rx_diags_add(diags, path, ev_line(&r), "前置元数据必须是若干“键: 值”行");
        goto done;
    }
    for (;;) {
        if (!next_event(&r))
            goto done;
        if (r.ev.type == YAML_MAPPING_END_EVENT)
            break;
        if (r.ev.type != YAML_SCALAR_EVENT) {
            rx_diags_add(diags, path, ev_line(&r), "前置元数据的键必须是普通单词");
            goto done;
        }
        char key[64];
        snprintf(key, sizeof key, "%s", (const char *)r.ev.data.scalar.value);
        size_t kline = ev_line(&r);
        int ki = key_index(key);
        if (ki < 0) {
            rx_diags_add(diags, path, kline,
                         "未知的键“%s”（可用：id、title、department、type、tags、"
                         "effective、expires）",
                         key);
            goto done;
        }
        if (seen[ki]) {
            rx_diags_add(diags, path, kline, "键“%s”重复", key);
            goto done;
        }
        seen[ki] = true;
        if (!next_event(&r))
            goto done;
        if (strcmp(key, "tags") == 0) {
            if (r.ev.type == YAML_SCALAR_EVENT) {
                const char *v = (const char *)r.ev.data.scalar.value;
                if (!blank(v)) {
                    out->tags = malloc(sizeof *out->tags);
                    if (out->tags && (out->tags[0] = strdup(v)))
                        out->ntags = 1;
                }
                continue;
            }
            if (r.ev.type != YAML_SEQUENCE_START_EVENT) {
                rx_diags_add(diags, path, kline, "tags 必须是列表，例如 [装修, 噪声]");
                goto done;
            }
            for (;;) {
                if (!next_event(&r))
                    goto done;
                if (r.ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                if (r.ev.type != YAML_SCALAR_EVENT) {
                    rx_diags_add(diags, path, ev_line(&r), "每个标签都必须是普通文字");
                    goto done;
                }
                const char *v = (const char *)r.ev.data.scalar.value;
                if (blank(v))
                    continue;
                char **t = realloc(out->tags, (out->ntags + 1) * sizeof *t);
                if (!t) {
                    rc = rx_error_set(RX_ENOMEM, "out of memory");
                    goto done;
                }
                out->tags = t;
                if (!(t[out->ntags] = strdup(v))) {
                    rc = rx_error_set(RX_ENOMEM, "out of memory");
                    goto done;
                }
                out->ntags++;
            }
            continue;
        }
        if (r.ev.type != YAML_SCALAR_EVENT) {
            rx_diags_add(diags, path, kline, "“%s”必须是单个值", key);
            goto done;
        }
        const char *v = (const char *)r.ev.data.scalar.value;
        if (blank(v)) {
            rx_diags_add(diags, path, kline, "“%s”为空", key);
            goto done;
        }
        if (strcmp(key, "id") == 0) {
            if (!rx_id_valid(v)) {
                rx_diags_add(diags, path, kline,
                             "id“%s”不合法：只能用 1 到 %d 个小写字母、数字或“-”", v,
                             RX_MAX_ID_LEN);
                goto done;
            }
            out->id = strdup(v);
        } else if (strcmp(key, "title") == 0) {
            out->title = strdup(v);
        } else if (strcmp(key, "department") == 0) {
            const char *canon = departments ? rx_departments_canonical(departments, v) : v;
            if (!canon) {
                rx_diags_add(diags, path, kline, "部门“%s”不在 departments.txt 中（名称或简称）",
                             v);
                goto done;
            }
            out->department = strdup(canon);
        } else if (strcmp(key, "type") == 0) {
            if (strcmp(v, "policy") != 0 && strcmp(v, "guide") != 0 && strcmp(v, "notice") != 0) {
                rx_diags_add(diags, path, kline, "未知类型“%s”（应为 policy、guide 或 notice）", v);
                goto done;
            }
            out->type = strdup(v);
        } else if (strcmp(key, "effective") == 0) {
            if (!validate_date(&r, key, v, out->effective, kline))
                goto done;
        } else if (strcmp(key, "expires") == 0) {
            if (!validate_date(&r, key, v, out->expires, kline))
                goto done;
        }
    }
    /* document end, stream end: a second document is an error */
    if (!next_event(&r))
        goto done;
    if (r.ev.type == YAML_DOCUMENT_END_EVENT && !next_event(&r))
        goto done;
    if (r.ev.type != YAML_STREAM_END_EVENT) {
        rx_diags_add(diags, path, ev_line(&r), "前置元数据包含多个 YAML 文档");
        goto done;
    }
    static const char *const required[] = {"id", "title", "department", "type", "effective"};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++) {
        if (!seen[key_index(required[k])]) {
            rx_diags_add(diags, path, 1, "缺少必填的键“%s”", required[k]);
            goto done;
        }
    }
    if (out->expires[0] && strcmp(out->expires, out->effective) < 0) {
        rx_diags_add(diags, path, 1, "失效日期 expires %s 早于生效日期 effective %s", out->expires,
                     out->effective);
        goto done;
    }
    if (blank(s + body_off)) {
        rx_diags_add(diags, path, close_line, "正文为空：前置元数据之后没有内容");
        goto done;
    }
    out->body = strdup(s + body_off);
    if (!out->id || !out->title || !out->department || !out->type || !out->body || !out->path) {
        rc = rx_error_set(RX_ENOMEM, "out of memory");
        goto done;
    }
    rc = RX_OK;
done:
    if (r.have_ev)
        yaml_event_delete(&r.ev);
    if (parser_ready)
        yaml_parser_delete(&r.parser);
    free(s);
    if (rc != RX_OK)
        rx_doc_clear(out);
    return rc;
}
