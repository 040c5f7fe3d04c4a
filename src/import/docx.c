/* DOCX: the zip container through libzip (sizes and ratio capped before
 * anything is unpacked, every read bounded), word/document.xml through
 * libxml2 (no network, no entity expansion), styles.xml for headings and
 * font sizes, the page headers and footers kept aside for the letterhead. */
#include "internal.h"
#include "rexian/error.h"
#include "rexian/import.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#define MAX_ENTRIES 4096
#define MAX_STYLES 1024

typedef struct {
    char id[64];
    int level;   /* heading level, 0 none */
    bool title;  /* the Title style */
    double size; /* points, 0 unknown */
} style;

typedef struct {
    style *styles;
    size_t nstyles;
    double default_size;
    blk_list *out;
    rx_buf text; /* the paragraph being read */
    double run_size;
} docx_ctx;

static bool is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* The w:val attribute of n's child name, or NULL (caller xmlFree()s). */
static char *child_val(const xmlNode *n, const char *name)
{
    const xmlNode *c = child(n, name);
    return c ? (char *)xmlGetProp(c, (const xmlChar *)"val") : NULL;
}

static double sz_of(const xmlNode *rpr)
{
    char *v = child_val(rpr, "sz");
    double s = v ? strtod(v, NULL) / 2 : 0;
    xmlFree(v);
    return s;
}

/* Unpacks one part, or fails: a part larger than the cap (whatever its
 * header claims) is a zip bomb. *out is NUL-terminated; NULL with RX_OK
 * when the part is absent. */
static int read_part(char **out, size_t *out_len, zip_t *z, const char *name)
{
    *out = NULL;
    *out_len = 0;
    zip_int64_t idx = zip_name_locate(z, name, 0);
    if (idx < 0)
        return RX_OK;
    zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (!f) {
        int ze = zip_error_code_zip(zip_get_error(z));
        if (ze == ZIP_ER_NOPASSWD || ze == ZIP_ER_WRONGPASSWD || ze == ZIP_ER_ENCRNOTSUPP)
            return rx_fail(RX_EVALUE, "encrypted", "文件已加密，请去掉密码后再导入");
        return rx_fail(RX_EVALUE, "corrupt", "Word 文档已损坏（无法读取 %s）", name);
    }
    rx_buf b = {0};
    int rc = RX_OK;
    char chunk[65536];
    for (;;) {
        zip_int64_t n = zip_fread(f, chunk, sizeof chunk);
        if (n < 0) {
            rc = rx_fail(RX_EVALUE, "corrupt", "Word 文档已损坏（%s 解压出错）", name);
            break;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > RX_IMPORT_MAX_UNPACKED) {
            rc = rx_fail(RX_EVALUE, "zip_bomb",
                         "Word 文档解压后过大（超过 %u MB），疑似压缩炸弹，已拒绝",
                         RX_IMPORT_MAX_UNPACKED / (1024 * 1024));
            break;
        }
        if (rx_buf_append(&b, chunk, (size_t)n) != RX_OK) {
            rc = rx_error_set(RX_ENOMEM, "out of memory");
            break;
        }
    }
    zip_fclose(f);
    if (rc != RX_OK) {
        rx_buf_free(&b);
        return rc;
    }
    *out_len = b.len;
    *out = rx_buf_steal(&b);
    return RX_OK;
}

static xmlDoc *parse_xml(const char *data, size_t len, const char *name)
{
    if (len > (size_t)INT32_MAX)
        return NULL;
    /* no network, no DTD loading, no entity substitution (no XXE) */
    return xmlReadMemory(data, (int)len, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static int heading_from_name(const char *name, bool *title)
{
    if (!name)
        return 0;
    if (!strcasecmp(name, "title") || !strcmp(name, "标题")) {
        *title = true;
        return 1;
    }
    const char *p = NULL;
    if (!strncasecmp(name, "heading ", 8))
        p = name + 8;
    else if (!strncmp(name, "标题 ", 7))
        p = name + 7;
    if (p && *p >= '1' && *p <= '9' && !p[1])
        return *p - '0' > 6 ? 6 : *p - '0';
    return 0;
}

static void load_styles(docx_ctx *c, zip_t *z)
{
    char *data;
    size_t len;
    if (read_part(&data, &len, z, "word/styles.xml") != RX_OK || !data) {
        rx_error_clear();
        return;
    }
    xmlDoc *doc = parse_xml(data, len, "styles.xml");
    free(data);
    if (!doc)
        return;
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *defaults = child(root, "docDefaults");
    const xmlNode *rprd = child(child(defaults, "rPrDefault"), "rPr");
    c->default_size = sz_of(rprd);
    c->styles = calloc(MAX_STYLES, sizeof *c->styles);
    for (const xmlNode *s = root ? root->children : NULL; s && c->styles; s = s->next) {
        if (!is(s, "style") || c->nstyles == MAX_STYLES)
            continue;
        char *id = (char *)xmlGetProp(s, (const xmlChar *)"styleId");
        if (!id)
            continue;
        style *st = &c->styles[c->nstyles++];
        snprintf(st->id, sizeof st->id, "%s", id);
        xmlFree(id);
        char *name = child_val(s, "name");
        st->level = heading_from_name(name, &st->title);
        xmlFree(name);
        char *ol = child_val(child(s, "pPr"), "outlineLvl");
        if (ol && !st->level) {
            int l = atoi(ol) + 1;
            st->level = l >= 1 && l <= 6 ? l : 0;
        }
        xmlFree(ol);
        st->size = sz_of(child(s, "rPr"));
    }
    xmlFreeDoc(doc);
}

static const style *find_style(const docx_ctx *c, const char *id)
{
    for (size_t k = 0; id && k < c->nstyles; k++)
        if (!strcmp(c->styles[k].id, id))
            return &c->styles[k];
    return NULL;
}

/* The text of n's runs into c->text; the largest run size into run_size. */
static void collect(docx_ctx *c, const xmlNode *n)
{
    for (const xmlNode *x = n->children; x; x = x->next) {
        if (x->type != XML_ELEMENT_NODE)
            continue;
        if (is(x, "t")) {
            xmlChar *s = xmlNodeGetContent(x);
            if (s)
                rx_buf_puts(&c->text, (const char *)s);
            xmlFree(s);
        } else if (is(x, "tab") || is(x, "br") || is(x, "cr")) {
            rx_buf_putc(&c->text, ' ');
        } else if (is(x, "rPr")) {
            double s = sz_of(x);
            if (s > c->run_size)
                c->run_size = s;
        } else if (is(x, "delText") || is(x, "instrText") || is(x, "Fallback") || is(x, "pPr")) {
            continue; /* deleted text, field codes, the twin of a Choice */
        } else {
            collect(c, x);
        }
    }
}

static void paragraph(docx_ctx *c, const xmlNode *p, blk_list *out)
{
    const xmlNode *ppr = child(p, "pPr");
    char *sid = child_val(ppr, "pStyle");
    const style *st = find_style(c, sid);
    xmlFree(sid);
    char *jc = child_val(ppr, "jc");
    bool centered = jc && !strcmp(jc, "center");
    xmlFree(jc);
    int level = st ? st->level : 0;
    char *ol = child_val(ppr, "outlineLvl");
    if (ol) {
        int l = atoi(ol) + 1;
        if (l >= 1 && l <= 6)
            level = l;
    }
    xmlFree(ol);
    bool item = child(ppr, "numPr") != NULL;
    rx_buf_reset(&c->text);
    c->run_size = 0;
    collect(c, p);
    double size = c->run_size;
    if (!size)
        size = sz_of(child(ppr, "rPr"));
    if (!size && st)
        size = st->size;
    if (!size)
        size = c->default_size;
    size_t before = out->n;
    blk_add(out,
            level  ? BLK_HEADING
            : item ? BLK_ITEM
                   : BLK_PARA,
            level, size, centered, c->text.data ? c->text.data : "", c->text.len, false);
    if (out->n > before && st && st->title)
        out->items[before].title_style = true;
}

/* Every text of a subtree, as one line (table cells). */
static void flat_text(docx_ctx *c, const xmlNode *n)
{
    for (const xmlNode *x = n->children; x; x = x->next) {
        if (is(x, "p")) {
            if (c->text.len)
                rx_buf_putc(&c->text, ' ');
            collect(c, x);
        } else if (x->type == XML_ELEMENT_NODE) {
            flat_text(c, x);
        }
    }
}

static void table(docx_ctx *c, const xmlNode *tbl, blk_list *out)
{
    int first = 1;
    rx_buf row = {0};
    for (const xmlNode *tr = tbl->children; tr; tr = tr->next) {
        if (!is(tr, "tr"))
            continue;
        rx_buf_reset(&row);
        size_t cells = 0;
        for (const xmlNode *tc = tr->children; tc; tc = tc->next) {
            if (!is(tc, "tc"))
                continue;
            rx_buf_reset(&c->text);
            flat_text(c, tc);
            char *cell = blk_clean(c->text.data ? c->text.data : "", c->text.len, false);
            if (cells++)
                rx_buf_putc(&row, '\t');
            if (cell)
                for (char *q = cell; *q; q++)
                    rx_buf_putc(&row, *q == '\t' ? ' ' : *q);
            free(cell);
        }
        /* a row of empty cells adds nothing */
        if (cells && row.len &&
            blk_add(out, BLK_ROW, first, 0, false, row.data, row.len, false) == RX_OK)
            first = 0;
    }
    rx_buf_free(&row);
}

static void body(docx_ctx *c, const xmlNode *n, blk_list *out)
{
    for (const xmlNode *x = n->children; x; x = x->next) {
        if (is(x, "p"))
            paragraph(c, x, out);
        else if (is(x, "tbl"))
            table(c, x, out);
        else if (is(x, "sectPr"))
            continue;
        else if (x->type == XML_ELEMENT_NODE)
            body(c, x, out); /* sdt, sdtContent, customXml, ins, ... */
    }
}

/* Page headers and footers: their lines go to out->margin. */
static void margins(docx_ctx *c, zip_t *z, blk_list *out)
{
    zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!name ||
            (strncmp(name, "word/header", 11) != 0 && strncmp(name, "word/footer", 11) != 0))
            continue;
        char *data;
        size_t len;
        if (read_part(&data, &len, z, name) != RX_OK || !data) {
            rx_error_clear();
            continue;
        }
        xmlDoc *doc = parse_xml(data, len, name);
        free(data);
        if (!doc)
            continue;
        blk_list tmp = {0};
        body(c, xmlDocGetRootElement(doc), &tmp);
        for (size_t k = 0; k < tmp.n; k++) {
            rx_buf_puts(&out->margin, tmp.items[k].text);
            rx_buf_putc(&out->margin, '\n');
        }
        blk_list_free(&tmp);
        xmlFreeDoc(doc);
    }
}

int rx_import_read_docx(blk_list *out, const void *data, size_t len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z) {
        zip_source_free(src);
        zip_error_fini(&ze);
        return rx_fail(RX_EVALUE, "corrupt", "Word 文档已损坏，无法打开（压缩包结构有误）");
    }
    zip_error_fini(&ze);
    int rc = RX_OK;
    char *xml = NULL;
    size_t xml_len = 0;
    xmlDoc *doc = NULL;
    docx_ctx c = {.out = out};
    /* sizes first, from the directory, before anything is unpacked */
    zip_int64_t n = zip_get_num_entries(z, 0);
    if (n < 0 || n > MAX_ENTRIES) {
        rc = rx_fail(RX_EVALUE, "zip_bomb", "Word 文档包含的文件过多（%lld 个），已拒绝",
                     (long long)n);
        goto done;
    }
    unsigned long long total = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) != 0)
            continue;
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
            rc = rx_fail(RX_EVALUE, "encrypted", "文件已加密，请去掉密码后再导入");
            goto done;
        }
        if (st.valid & ZIP_STAT_SIZE)
            total += st.size;
    }
    if (total > RX_IMPORT_MAX_UNPACKED ||
        (total > 1024 * 1024 && total / (len ? len : 1) > RX_IMPORT_MAX_RATIO)) {
        rc = rx_fail(RX_EVALUE, "zip_bomb",
                     "Word 文档解压后有 %llu MB，是文件本身的 %llu 倍，疑似压缩炸弹，已拒绝",
                     total / (1024 * 1024), total / (len ? len : 1));
        goto done;
    }
    if ((rc = read_part(&xml, &xml_len, z, "word/document.xml")) != RX_OK)
        goto done;
    if (!xml) {
        rc = rx_fail(RX_EVALUE, "wrong_format",
                     "文件是压缩包，但不是 Word 文档（缺少 word/document.xml）");
        goto done;
    }
    load_styles(&c, z);
    doc = parse_xml(xml, xml_len, "document.xml");
    const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    const xmlNode *b = child(root, "body");
    if (!b) {
        rc = rx_fail(RX_EVALUE, "corrupt", "Word 文档已损坏（正文无法解析）");
        goto done;
    }
    body(&c, b, out);
    margins(&c, z, out);
done:
    xmlFreeDoc(doc);
    free(xml);
    free(c.styles);
    rx_buf_free(&c.text);
    zip_discard(z);
    return rc;
}
