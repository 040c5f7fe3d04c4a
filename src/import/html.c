/* Saved web pages through libxml2's HTML parser (the page's own charset,
 * no network): the article's content (article, main, or the element that
 * holds most of the text, such as a CMS's TRS_Editor), with navigation,
 * headers, footers, scripts and forms dropped; their text is kept aside
 * for the department guess. */
#include "internal.h"
#include "rexian/error.h"
#include "rexian/import.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcasecmp((const char *)n->name, name);
}

static bool any_of(const xmlNode *n, const char *const *names)
{
    for (; *names; names++)
        if (named(n, *names))
            return true;
    return false;
}

static const char *const dropped[] = {"script", "style",    "noscript", "nav",    "aside",
                                      "form",   "iframe",   "button",   "select", "head",
                                      "svg",    "template", NULL};
static const char *const framing[] = {"header", "footer", NULL};
static const char *const blocks[] = {
    "p",       "div",   "li",         "h1",     "h2",      "h3",     "h4",         "h5", "h6",
    "tr",      "table", "pre",        "ul",     "ol",      "dl",     "dt",         "dd", "section",
    "article", "main",  "blockquote", "center", "address", "figure", "figcaption", NULL};

/* Boilerplate by its class or id: navigation, menus, footers, share bars. */
static bool boilerplate(const xmlNode *n)
{
    static const char *const words[] = {
        "nav",     "menu",    "footer",      "breadcrumb", "crumb",      "sidebar", "copyright",
        "share",   "toolbar", "banner",      "login",      "pagination", "pager",   "related",
        "comment", "topbar",  "site-header", "header",     "foot",       "bottom",  NULL};
    for (const char *attr = "class";; attr = "id") {
        xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
        if (v) {
            char *s = (char *)v;
            bool hit = false;
            /* whole tokens only: "article-header" is not "header" */
            for (char *tok = strtok(s, " \t\n"); tok && !hit; tok = strtok(NULL, " \t\n"))
                for (size_t k = 0; words[k] && !hit; k++)
                    hit = !strcasecmp(tok, words[k]) ||
                          (strlen(tok) > strlen(words[k]) &&
                           !strncasecmp(tok, words[k], strlen(words[k])) &&
                           (tok[strlen(words[k])] == '-' || tok[strlen(words[k])] == '_'));
            xmlFree(v);
            if (hit)
                return true;
        }
        if (!strcmp(attr, "id"))
            return false;
    }
}

static bool skipped(const xmlNode *n)
{
    return any_of(n, dropped) || any_of(n, framing) || boilerplate(n);
}

/* Characters of text below n, boilerplate left out. */
static size_t text_weight(const xmlNode *n)
{
    size_t w = 0;
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content)
            w += strlen((const char *)c->content);
        else if (c->type == XML_ELEMENT_NODE && !skipped(c))
            w += text_weight(c);
    }
    return w;
}

/* The content root: article or main, or a known CMS content element,
 * else the body. */
static const xmlNode *content_root(const xmlNode *n, const xmlNode *best, size_t *best_w)
{
    static const char *const ids[] = {"TRS_Editor",  "zoom",   "content", "article", "main-content",
                                      "art_content", "detail", "text",    NULL};
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || skipped(c))
            continue;
        bool candidate = named(c, "article") || named(c, "main");
        for (const char *attr = "class"; !candidate; attr = "id") {
            xmlChar *v = xmlGetProp(c, (const xmlChar *)attr);
            for (size_t k = 0; v && ids[k] && !candidate; k++)
                candidate = strstr((const char *)v, ids[k]) != NULL;
            xmlFree(v);
            if (!strcmp(attr, "id"))
                break;
        }
        if (candidate) {
            size_t w = text_weight(c);
            if (w > *best_w) {
                *best_w = w;
                best = c;
            }
        }
        best = content_root(c, best, best_w);
    }
    return best;
}

typedef struct {
    blk_list *out;
    rx_buf text;
    blk_kind kind;
    int level;
    bool in_table;
    rx_buf row;
    size_t cells;
    int first_row;
} html_ctx;

static void flush(html_ctx *c)
{
    if (c->text.len)
        blk_add(c->out, c->kind, c->level, 0, false, c->text.data, c->text.len, false);
    rx_buf_reset(&c->text);
    c->kind = BLK_PARA;
    c->level = 0;
}

static void inline_text(rx_buf *b, const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE && c->content)
            rx_buf_puts(b, (const char *)c->content);
        else if (named(c, "br"))
            rx_buf_putc(b, ' ');
        else if (c->type == XML_ELEMENT_NODE && !skipped(c))
            inline_text(b, c);
    }
}

static void walk(html_ctx *c, const xmlNode *n)
{
    for (const xmlNode *x = n->children; x; x = x->next) {
        if (x->type == XML_TEXT_NODE && x->content) {
            rx_buf_puts(&c->text, (const char *)x->content);
            continue;
        }
        if (x->type != XML_ELEMENT_NODE || skipped(x))
            continue;
        if (named(x, "br")) {
            flush(c);
            continue;
        }
        if (named(x, "tr")) {
            flush(c);
            rx_buf row = {0};
            size_t cells = 0;
            for (const xmlNode *td = x->children; td; td = td->next) {
                if (!named(td, "td") && !named(td, "th"))
                    continue;
                rx_buf cell = {0};
                inline_text(&cell, td);
                char *clean = blk_clean(cell.data ? cell.data : "", cell.len, false);
                if (cells++)
                    rx_buf_putc(&row, '\t');
                if (clean)
                    rx_buf_puts(&row, clean);
                free(clean);
                rx_buf_free(&cell);
            }
            if (row.len &&
                blk_add(c->out, BLK_ROW, c->first_row, 0, false, row.data, row.len, false) == RX_OK)
                c->first_row = 0;
            rx_buf_free(&row);
            continue;
        }
        if (named(x, "table")) {
            flush(c);
            c->first_row = 1;
            walk(c, x);
            c->first_row = 1;
            continue;
        }
        if (!any_of(x, blocks)) {
            walk(c, x); /* inline: span, a, strong, font, ... */
            continue;
        }
        flush(c);
        const char *name = (const char *)x->name;
        if ((name[0] == 'h' || name[0] == 'H') && name[1] >= '1' && name[1] <= '6' && !name[2]) {
            c->kind = BLK_HEADING;
            c->level = name[1] - '0';
        } else if (named(x, "li")) {
            c->kind = BLK_ITEM;
            c->level = x->parent && named(x->parent, "ol") ? 1 : 0;
        }
        blk_kind kind = c->kind;
        int level = c->level;
        walk(c, x);
        if (c->text.len) {
            c->kind = kind;
            c->level = level;
        }
        size_t before = c->out->n;
        flush(c);
        if (named(x, "h1") && c->out->n > before)
            c->out->items[before].title_style = true;
    }
}

/* The framing's text (header, footer, navigation) as margin lines. */
static void margin_text(blk_list *out, const xmlNode *n, bool inside)
{
    for (const xmlNode *x = n->children; x; x = x->next) {
        if (x->type != XML_ELEMENT_NODE || named(x, "script") || named(x, "style"))
            continue;
        bool frame = inside || any_of(x, framing) || boilerplate(x) || named(x, "nav");
        if (frame && !inside) {
            rx_buf b = {0};
            inline_text(&b, x);
            /* inline_text skips nested boilerplate: take the whole */
            char *clean = blk_clean(b.data ? b.data : "", b.len, false);
            if (clean && *clean) {
                rx_buf_puts(&out->margin, clean);
                rx_buf_putc(&out->margin, '\n');
            }
            free(clean);
            rx_buf_free(&b);
            continue;
        }
        margin_text(out, x, false);
    }
}

static const xmlNode *first_h1(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || skipped(c))
            continue;
        if (named(c, "h1"))
            return c;
        const xmlNode *h = first_h1(c);
        if (h)
            return h;
    }
    return NULL;
}

static bool inside(const xmlNode *n, const xmlNode *ancestor)
{
    for (; n; n = n->parent)
        if (n == ancestor)
            return true;
    return false;
}

int rx_import_read_html(blk_list *out, const void *data, size_t len)
{
    if (len > (size_t)INT32_MAX)
        return rx_fail(RX_ETOOBIG, "too_large", "网页文件过大");
    htmlDocPtr doc = htmlReadMemory(data, (int)len, "page.html", NULL,
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    if (!doc)
        return rx_fail(RX_EVALUE, "corrupt", "网页无法解析");
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *body = NULL;
    for (const xmlNode *c = root ? root->children : NULL; c; c = c->next)
        if (named(c, "body"))
            body = c;
    /* the page's <title> goes first, as a candidate, into the margin */
    for (const xmlNode *c = root ? root->children : NULL; c; c = c->next)
        if (named(c, "head"))
            for (const xmlNode *t = c->children; t; t = t->next)
                if (named(t, "title")) {
                    xmlChar *s = xmlNodeGetContent(t);
                    char *clean =
                        s ? blk_clean((const char *)s, strlen((const char *)s), false) : NULL;
                    if (clean && *clean) {
                        rx_buf_puts(&out->margin, "<title>");
                        rx_buf_puts(&out->margin, clean);
                        rx_buf_putc(&out->margin, '\n');
                    }
                    free(clean);
                    xmlFree(s);
                }
    int rc = RX_OK;
    if (body) {
        size_t w = 0;
        const xmlNode *content = content_root(body, NULL, &w);
        /* a content element holding little of the page's text is a teaser */
        if (!content || w * 3 < text_weight(body))
            content = body;
        html_ctx c = {.out = out, .first_row = 1};
        const xmlNode *h1 = content != body ? first_h1(body) : NULL;
        if (h1 && !inside(h1, content)) { /* the title above the article's text */
            rx_buf t = {0};
            inline_text(&t, h1);
            size_t before = out->n; /* blk_add skips blank text */
            if (t.len && blk_add(out, BLK_HEADING, 1, 0, false, t.data, t.len, false) == RX_OK &&
                out->n > before)
                out->items[out->n - 1].title_style = true;
            rx_buf_free(&t);
        }
        walk(&c, content);
        flush(&c);
        rx_buf_free(&c.text);
        rx_buf_free(&c.row);
        margin_text(out, body, false);
    }
    xmlFreeDoc(doc);
    return rc;
}
