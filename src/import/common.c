/* What every format shares: blocks of text and their clean-up, telling a
 * file's format by its bytes (not its name), and measuring how much of a
 * source text a conversion kept. */
#include "internal.h"
#include "rexian/error.h"
#include "rexian/import.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool blank_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
           cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0xFEFF;
}

/* Han, CJK punctuation and full-width forms: no space is needed beside them. */
static bool wide_cp(uint32_t cp)
{
    return rx_is_han(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
           (cp >= 0x2018 && cp <= 0x201F) || cp == 0x2014 || cp == 0x2026 || cp == 0xB7;
}

char *blk_clean(const char *text, size_t len, bool squeeze_cjk)
{
    rx_buf b = {0};
    if (rx_buf_reserve(&b, len + 1) != RX_OK)
        return NULL;
    b.data[0] = '\0';
    bool pending = false; /* a blank waits to be written */
    uint32_t last = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = rx_utf8_next(text + i, len - i, &cp);
        if (!k)
            k = 1;
        if (blank_cp(cp)) {
            pending = b.len > 0;
        } else if (cp < 0x20 || cp == 0x7F) {
            /* control characters are dropped */
        } else {
            if (pending && !(squeeze_cjk && (wide_cp(last) || wide_cp(cp))))
                rx_buf_putc(&b, ' ');
            pending = false;
            rx_buf_append(&b, text + i, k);
            last = cp;
        }
        i += k;
    }
    return rx_buf_steal(&b);
}

int blk_add(blk_list *b, blk_kind kind, int level, double size, bool centered, const char *text,
            size_t len, bool squeeze_cjk)
{
    char *clean;
    if (kind == BLK_ROW) { /* each cell on its own, the tabs kept */
        rx_buf row = {0};
        bool any = false;
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i < len && text[i] != '\t')
                continue;
            char *cell = blk_clean(text + start, i - start, squeeze_cjk);
            if (!cell) {
                rx_buf_free(&row);
                return rx_error_set(RX_ENOMEM, "out of memory");
            }
            if (start)
                rx_buf_putc(&row, '\t');
            rx_buf_puts(&row, cell);
            any = any || *cell;
            free(cell);
            start = i + 1;
        }
        if (!any) {
            rx_buf_free(&row);
            return RX_OK;
        }
        clean = rx_buf_steal(&row);
    } else {
        clean = blk_clean(text, len, squeeze_cjk);
        if (!clean)
            return rx_error_set(RX_ENOMEM, "out of memory");
        if (!*clean) {
            free(clean);
            return RX_OK;
        }
    }
    blk *it = rx_array_grow(b->items, &b->cap, b->n, sizeof *b->items, 64);
    if (!it) {
        free(clean);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    b->items = it;
    b->items[b->n++] =
        (blk){.kind = kind, .level = level, .size = size, .centered = centered, .text = clean};
    return RX_OK;
}

void blk_list_free(blk_list *b)
{
    for (size_t k = 0; k < b->n; k++)
        free(b->items[k].text);
    free(b->items);
    rx_buf_free(&b->margin);
    memset(b, 0, sizeof *b);
}

/* ---- formats by their bytes */

typedef enum { F_NONE, F_DOCX, F_PDF, F_HTML, F_CFB, F_IMAGE, F_TEXT, F_OTHER } fmt;

static const char *fmt_label(fmt f)
{
    switch (f) {
    case F_DOCX: return "Word 文档（.docx）";
    case F_PDF: return "PDF";
    case F_HTML: return "网页（HTML）";
    case F_CFB: return "旧版 Office 文档（.doc/.xls）或加密的 Office 文档";
    case F_IMAGE: return "图片";
    case F_TEXT: return "纯文本";
    default: return "无法识别的内容";
    }
}

static bool has_ci(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (!strncasecmp(s + i, needle, n))
            return true;
    return false;
}

static fmt magic(const unsigned char *s, size_t len)
{
    if (len >= 4 && !memcmp(s, "PK\x03\x04", 4))
        return F_DOCX;
    for (size_t i = 0; i + 5 <= len && i < 1024; i++) /* junk may precede %PDF- */
        if (!memcmp(s + i, "%PDF-", 5))
            return F_PDF;
    if (len >= 8 && !memcmp(s, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
        return F_CFB;
    if ((len >= 8 && !memcmp(s, "\x89PNG\r\n\x1A\n", 8)) ||
        (len >= 3 && !memcmp(s, "\xFF\xD8\xFF", 3)) || (len >= 4 && !memcmp(s, "GIF8", 4)) ||
        (len >= 4 && (!memcmp(s, "II*\0", 4) || !memcmp(s, "MM\0*", 4))))
        return F_IMAGE;
    size_t i = 0;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && isspace(s[i]))
        i++;
    size_t head = len - i < 4096 ? len - i : 4096;
    if (i < len && s[i] == '<' &&
        (has_ci((const char *)s + i, head, "<html") || has_ci((const char *)s + i, head, "<body") ||
         has_ci((const char *)s + i, head, "<head") || has_ci((const char *)s + i, head, "<p") ||
         has_ci((const char *)s + i, head, "<div") || has_ci((const char *)s + i, head, "<title")))
        return F_HTML;
    if (rx_utf8_valid((const char *)s, len < 4096 ? len : 4096, NULL))
        return F_TEXT;
    return F_OTHER;
}

/* Whether a compound file (CFB) holds an encrypted OOXML package: its
 * directory names the EncryptionInfo stream (UTF-16). */
static bool cfb_encrypted(const unsigned char *s, size_t len)
{
    static const char name[] = "E\0n\0c\0r\0y\0p\0t\0i\0o\0n\0I\0n\0f\0o\0";
    size_t n = sizeof name - 1;
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(s + i, name, n))
            return true;
    return false;
}

const char *rx_import_sniff(const char *name, const void *data, size_t len)
{
    const unsigned char *s = data;
    if (len == 0) {
        rx_fail(RX_EVALUE, "empty", "文件是空的");
        return NULL;
    }
    const char *dot = name ? strrchr(name, '.') : NULL;
    const char *ext = dot && !strchr(dot, '/') ? dot + 1 : "";
    fmt want = F_NONE;
    if (!strcasecmp(ext, "docx"))
        want = F_DOCX;
    else if (!strcasecmp(ext, "pdf"))
        want = F_PDF;
    else if (!strcasecmp(ext, "html") || !strcasecmp(ext, "htm") || !strcasecmp(ext, "shtml") ||
             !strcasecmp(ext, "xhtml"))
        want = F_HTML;
    else if (!strcasecmp(ext, "doc") || !strcasecmp(ext, "wps")) {
        rx_fail(RX_EVALUE, "unsupported_format",
                "旧版 Word（.%s）格式不支持，请在 Word 或 WPS 中另存为 .docx 后再导入", ext);
        return NULL;
    } else if (*ext) {
        rx_fail(RX_EVALUE, "unsupported_format",
                "不支持 .%.16s 文件：请上传 Word 文档（.docx）、PDF 或网页（.html）", ext);
        return NULL;
    }
    fmt got = magic(s, len);
    if (got == F_CFB && want == F_DOCX && cfb_encrypted(s, len)) {
        rx_fail(RX_EVALUE, "encrypted", "Word 文档已加密（设置了打开密码），请去掉密码后再导入");
        return NULL;
    }
    if (want == F_NONE && (got == F_DOCX || got == F_PDF || got == F_HTML))
        want = got;
    if (want == F_NONE) {
        rx_fail(RX_EVALUE, "unsupported_format",
                "无法识别的文件（%s）：请上传 Word 文档（.docx）、PDF 或网页（.html）",
                fmt_label(got));
        return NULL;
    }
    if (got != want) {
        rx_fail(RX_EVALUE, "wrong_format", "文件名是 .%s，但内容不是%s，而是%s；请确认文件是否正确",
                ext, fmt_label(want), fmt_label(got));
        return NULL;
    }
    return want == F_DOCX ? "docx" : want == F_PDF ? "pdf" : "html";
}

/* ---- how much of a text a conversion kept */

/* The characters that count: Markdown markup and white space left out. */
static uint32_t *significant(const char *s, size_t *n)
{
    size_t len = strlen(s), cap = len + 1, k = 0;
    uint32_t *out = malloc(cap * sizeof *out);
    if (!out)
        return NULL;
    size_t i = 0;
    while (i < len) {
        size_t eol = i;
        while (eol < len && s[eol] != '\n')
            eol++;
        size_t p = i;
        while (p < eol && (s[p] == ' ' || s[p] == '\t'))
            p++;
        /* a table's separator row holds nothing */
        bool sep = p < eol && (s[p] == '|' || s[p] == '-' || s[p] == ':');
        for (size_t q = p; q < eol && sep; q++)
            sep = strchr("|-: \t", s[q]) != NULL;
        if (sep && eol - p >= 3) {
            i = eol + 1;
            continue;
        }
        /* leading markers: headings, list items, quotes */
        while (p < eol && (s[p] == '#' || s[p] == '>'))
            p++;
        if (p + 1 < eol && strchr("-*+", s[p]) && s[p + 1] == ' ')
            p += 2;
        size_t d = p;
        while (d < eol && s[d] >= '0' && s[d] <= '9')
            d++;
        if (d > p && d + 1 < eol && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ')
            p = d + 2;
        while (p < eol) {
            uint32_t cp;
            size_t step = rx_utf8_next(s + p, eol - p, &cp);
            if (!step)
                step = 1;
            if (cp == '\\' && p + 1 < eol && strchr("\\`*_[]<>#|-+.!(){}", s[p + 1])) {
                p++;
                continue; /* the escape, not what it escapes */
            }
            if (!blank_cp(cp) && cp != '|' && cp != '*' && cp != '`')
                out[k++] = cp;
            p += step;
        }
        i = eol + 1;
    }
    *n = k;
    return out;
}

static int cmp_cp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

double rx_import_text_ratio(const char *want, const char *got)
{
    size_t n, m;
    uint32_t *a = significant(want, &n), *b = significant(got, &m);
    double ratio = 0;
    if (!a || !b)
        goto done;
    if (n == 0) {
        ratio = 1;
        goto done;
    }
    if ((double)n * (double)m > 4e8) {
        /* too long for the exact measure: the characters in common,
         * order aside (both sorted, then merged) */
        qsort(a, n, sizeof *a, cmp_cp);
        qsort(b, m, sizeof *b, cmp_cp);
        size_t hit = 0;
        for (size_t i = 0, j = 0; i < n && j < m;) {
            if (a[i] == b[j])
                hit++, i++, j++;
            else if (a[i] < b[j])
                i++;
            else
                j++;
        }
        ratio = (double)hit / (double)n;
        goto done;
    }
    uint32_t *prev = calloc(m + 1, sizeof *prev), *cur = calloc(m + 1, sizeof *cur);
    if (prev && cur) {
        for (size_t i = 1; i <= n; i++) {
            for (size_t j = 1; j <= m; j++)
                cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1
                                              : (prev[j] > cur[j - 1] ? prev[j] : cur[j - 1]);
            uint32_t *t = prev;
            prev = cur;
            cur = t;
        }
        ratio = (double)prev[m] / (double)n;
    }
    free(prev);
    free(cur);
done:
    free(a);
    free(b);
    return ratio;
}
