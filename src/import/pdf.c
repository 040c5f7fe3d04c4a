/* PDF through poppler's glib library: the text of each page in reading
 * order with the position and font size of every character; lines that
 * wrap are joined back into paragraphs, larger type becomes headings,
 * page headers, footers and page numbers are set aside, and a file with
 * no text layer (a scan) is refused rather than indexed empty. */
#include "internal.h"
#include "rexian/error.h"
#include "rexian/import.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <math.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int page;
    char *text;
    double x0, x1, y0, y1; /* box of its characters; x1 < 0 when unknown */
    double size;           /* largest font size, points */
    size_t chars;          /* non-blank characters */
    bool margin;           /* a page header, footer or number */
} line;

typedef struct {
    line *items;
    size_t n, cap;
} lines;

static int lines_push(lines *l, const line *x)
{
    line *it = rx_array_grow(l->items, &l->cap, l->n, sizeof *l->items, 256);
    if (!it)
        return rx_error_set(RX_ENOMEM, "out of memory");
    l->items = it;
    l->items[l->n++] = *x;
    return RX_OK;
}

/* The text of a line with digits made '#' and blanks dropped: the same
 * header on every page, whatever its page number. */
static void shape_of(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++) {
        if (*s == ' ' || *s == '\t')
            continue;
        out[n++] = (*s >= '0' && *s <= '9') ? '#' : *s;
    }
    out[n] = '\0';
    /* runs of # are one */
    size_t w = 0;
    for (size_t r = 0; r < n; r++)
        if (!(out[r] == '#' && w && out[w - 1] == '#'))
            out[w++] = out[r];
    out[w] = '\0';
}

static bool page_number(const char *shape)
{
    static const char *const forms[] = {
        "#",          "-#-",   "—#—",      "–#–",   "#/#", "第#页", "第#页共#页", "第#页，共#页",
        "共#页第#页", "Page#", "Page#of#", "-#/#-", "·#·"};
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++)
        if (!strcmp(shape, forms[k]))
            return true;
    return false;
}

/* Reads one page's lines into out. */
static int page_lines(lines *out, PopplerPage *pg, int pageno, size_t *chars)
{
    char *text = poppler_page_get_text(pg);
    if (!text)
        return RX_OK;
    size_t tlen = strlen(text);
    size_t nchars = rx_utf8_count(text, tlen);
    PopplerRectangle *rects = NULL;
    guint nr = 0;
    if (!poppler_page_get_text_layout(pg, &rects, &nr) || nr != nchars) {
        g_free(rects);
        rects = NULL;
    }
    double *sizes = calloc(nchars + 1, sizeof *sizes);
    GList *attrs = poppler_page_get_text_attributes(pg);
    for (GList *a = attrs; a && sizes; a = a->next) {
        PopplerTextAttributes *ta = a->data;
        for (gint i = ta->start_index; i <= ta->end_index && i >= 0 && (size_t)i < nchars; i++)
            sizes[i] = ta->font_size;
    }
    poppler_page_free_text_attributes(attrs);
    int rc = RX_OK;
    size_t pos = 0, ci = 0;
    while (pos <= tlen && rc == RX_OK) {
        size_t end = pos;
        while (end < tlen && text[end] != '\n')
            end++;
        line l = {.page = pageno, .x0 = 1e9, .x1 = -1, .y0 = 1e9, .y1 = -1};
        size_t p = pos;
        while (p < end) {
            uint32_t cp;
            size_t k = rx_utf8_next(text + p, end - p, &cp);
            if (!k)
                k = 1;
            if (cp != ' ' && cp != '\t' && cp != 0x3000 && cp != '\r') {
                l.chars++;
                if (sizes && sizes[ci] > l.size)
                    l.size = sizes[ci];
                if (rects) {
                    const PopplerRectangle *r = &rects[ci];
                    l.x0 = fmin(l.x0, r->x1);
                    l.x1 = fmax(l.x1, r->x2);
                    l.y0 = fmin(l.y0, r->y1);
                    l.y1 = fmax(l.y1, r->y2);
                }
            }
            p += k;
            ci++;
        }
        if (l.chars) {
            l.text = blk_clean(text + pos, end - pos, true);
            if (!l.text)
                rc = rx_error_set(RX_ENOMEM, "out of memory");
            else if ((rc = lines_push(out, &l)) != RX_OK)
                free(l.text);
            *chars += l.chars;
        }
        ci++; /* the newline */
        pos = end + 1;
    }
    free(sizes);
    g_free(rects);
    g_free(text);
    return rc;
}

/* Page headers and footers: among the first and last two lines of each
 * page, those shaped like a page number, or repeated on at least half of
 * the pages (two at least). */
static void mark_margins(lines *ls, int pages)
{
    for (size_t i = 0; i < ls->n; i++) {
        line *l = &ls->items[i];
        size_t first = i, last = i;
        while (first > 0 && ls->items[first - 1].page == l->page)
            first--;
        while (last + 1 < ls->n && ls->items[last + 1].page == l->page)
            last++;
        if (i > first + 1 && i + 2 <= last)
            continue;
        char shape[256];
        shape_of(shape, sizeof shape, l->text);
        if (page_number(shape)) {
            l->margin = true;
            continue;
        }
        if (pages < 2)
            continue;
        int seen = 0, last_page = -1;
        for (size_t j = 0; j < ls->n; j++) {
            if (ls->items[j].page == last_page)
                continue;
            char other[256];
            shape_of(other, sizeof other, ls->items[j].text);
            if (!strcmp(shape, other)) {
                seen++;
                last_page = ls->items[j].page;
            }
        }
        if (seen >= 2 && seen * 2 >= pages)
            l->margin = true;
    }
}

static bool ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* Lines into paragraphs and headings. */
static int assemble(blk_list *out, const lines *ls, double page_w)
{
    /* the body size: the size most characters have */
    double best = 0;
    size_t best_n = 0;
    for (size_t i = 0; i < ls->n; i++) {
        size_t n = 0;
        for (size_t j = 0; j < ls->n; j++)
            if (fabs(ls->items[j].size - ls->items[i].size) < 0.5)
                n += ls->items[j].chars;
        if (n > best_n) {
            best_n = n;
            best = ls->items[i].size;
        }
    }
    /* the larger sizes, biggest first, are heading levels 1, 2, 3 */
    double big[3] = {0};
    for (size_t i = 0; i < ls->n; i++) {
        double s = ls->items[i].size;
        if (ls->items[i].margin || s < best * 1.15)
            continue;
        for (int k = 0; k < 3; k++) {
            if (fabs(big[k] - s) < 0.5)
                break;
            if (s > big[k]) {
                memmove(big + k + 1, big + k, (size_t)(2 - k) * sizeof *big);
                big[k] = s;
                break;
            }
        }
    }
    /* the right edge of full lines, per document */
    double right = 0, left = 1e9;
    for (size_t i = 0; i < ls->n; i++)
        if (!ls->items[i].margin && ls->items[i].x1 > 0) {
            right = fmax(right, ls->items[i].x1);
            left = fmin(left, ls->items[i].x0);
        }
    rx_buf para = {0};
    const line *prev = NULL;
    const line *head = NULL; /* the first line of the paragraph */
    int rc = RX_OK;
    for (size_t i = 0; i <= ls->n && rc == RX_OK; i++) {
        const line *l = i < ls->n ? &ls->items[i] : NULL;
        if (l && l->margin) {
            rx_buf_puts(&out->margin, l->text);
            rx_buf_putc(&out->margin, '\n');
            continue;
        }
        bool join = false;
        if (l && prev && fabs(l->size - prev->size) < 0.5) {
            bool heading = prev->size >= best * 1.15;
            if (heading)
                join = l->page == prev->page && l->y0 - prev->y1 < prev->size * 1.2;
            else if (prev->x1 > 0 && right > 0)
                join = prev->x1 >= right - prev->size * 1.5 && l->page >= prev->page;
        }
        if (join) {
            size_t n = para.len;
            if (n && ascii_alnum((unsigned char)para.data[n - 1]) &&
                ascii_alnum((unsigned char)l->text[0]))
                rx_buf_putc(&para, ' ');
            rx_buf_puts(&para, l->text);
            prev = l;
            continue;
        }
        if (para.len && head) {
            int level = 0;
            for (int k = 0; k < 3; k++)
                if (big[k] > 0 && fabs(prev->size - big[k]) < 0.5)
                    level = k + 1;
            double mid = head->x1 > 0 ? (head->x0 + prev->x1) / 2 : 0;
            bool centered = head->x1 > 0 && fabs(mid - page_w / 2) < page_w * 0.05 &&
                            head->x0 > left + head->size * 2;
            rc = blk_add(out, level ? BLK_HEADING : BLK_PARA, level, prev->size, centered,
                         para.data, para.len, true);
        }
        rx_buf_reset(&para);
        if (l) {
            rx_buf_puts(&para, l->text);
            head = prev = l;
        }
    }
    rx_buf_free(&para);
    return rc;
}

int rx_import_read_pdf(blk_list *out, const void *data, size_t len)
{
    GBytes *bytes = g_bytes_new_static(data, len);
    GError *err = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    int rc = RX_OK;
    lines ls = {0};
    if (!doc) {
        if (err && g_error_matches(err, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
            rc = rx_fail(RX_EVALUE, "encrypted",
                         "PDF 已加密（需要密码才能打开），请去掉密码后再导入");
        else
            rc = rx_fail(RX_EVALUE, "corrupt", "PDF 文件已损坏，无法打开");
        goto done;
    }
    int pages = poppler_document_get_n_pages(doc);
    if (pages > RX_IMPORT_MAX_PAGES) {
        rc = rx_fail(RX_ETOOBIG, "too_large", "PDF 有 %d 页，超过 %d 页的上限", pages,
                     RX_IMPORT_MAX_PAGES);
        goto done;
    }
    size_t chars = 0;
    double page_w = 595;
    for (int i = 0; i < pages && rc == RX_OK; i++) {
        PopplerPage *pg = poppler_document_get_page(doc, i);
        if (!pg)
            continue;
        double w, h;
        poppler_page_get_size(pg, &w, &h);
        if (i == 0)
            page_w = w;
        rc = page_lines(&ls, pg, i, &chars);
        g_object_unref(pg);
    }
    if (rc != RX_OK)
        goto done;
    if (pages == 0 || chars < (size_t)pages * 10) {
        rc = rx_fail(RX_EVALUE, "no_text_layer",
                     "PDF 没有文字层（%d 页只读出 %zu 个字，像是扫描件或图片），无法导入；"
                     "请向发文单位索取可复制文字的版本，或先做文字识别（OCR）",
                     pages, chars);
        goto done;
    }
    mark_margins(&ls, pages);
    rc = assemble(out, &ls, page_w);
done:
    for (size_t i = 0; i < ls.n; i++)
        free(ls.items[i].text);
    free(ls.items);
    if (err)
        g_error_free(err);
    if (doc)
        g_object_unref(doc);
    g_bytes_unref(bytes);
    return rc;
}
