/* Stored document records and the Markdown → plain text conversion. */
#include "rexian/record.h"
#include "rexian/error.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int put_field(rx_buf *b, const char *s, size_t n)
{
    if (rx_buf_printf(b, "%zu:", n) != RX_OK)
        return RX_ENOMEM;
    return rx_buf_append(b, s ? s : "", n);
}

int rx_record_encode(rx_buf *out, const rx_doc *d, const char *plain, size_t plain_len)
{
    rx_buf tags = {0};
    for (size_t k = 0; k < d->ntags; k++) {
        if (k)
            rx_buf_putc(&tags, '\x1f');
        rx_buf_puts(&tags, d->tags[k]);
    }
    const char *f[RX_REC_NFIELDS] = {d->id,        d->title,   d->department, d->type, tags.data,
                                     d->effective, d->expires, d->path,       plain};
    int rc = RX_OK;
    for (int k = 0; k < RX_REC_NFIELDS && rc == RX_OK; k++) {
        size_t n = k == RX_REC_PLAIN ? plain_len : (f[k] ? strlen(f[k]) : 0);
        rc = put_field(out, f[k], n);
    }
    rx_buf_free(&tags);
    return rc == RX_OK ? RX_OK : rx_error_set(RX_ENOMEM, "out of memory");
}

/* Decodes the first nfields fields; returns the offset after them, or 0. */
static size_t decode_fields(rx_record *out, const char *data, size_t len, int nfields)
{
    size_t pos = 0;
    for (int k = 0; k < nfields; k++) {
        size_t n = 0, digits = 0;
        while (pos < len && data[pos] >= '0' && data[pos] <= '9' && digits < 12) {
            n = n * 10 + (size_t)(data[pos++] - '0');
            digits++;
        }
        if (!digits || pos >= len || data[pos] != ':' || len - pos - 1 < n)
            return 0;
        pos++;
        out->f[k] = data + pos;
        out->len[k] = n;
        pos += n;
    }
    return pos;
}

int rx_record_decode(rx_record *out, const char *data, size_t len)
{
    if (!decode_fields(out, data, len, RX_REC_NFIELDS))
        return rx_error_set(RX_EINVALID, "corrupt document record");
    return RX_OK;
}

size_t rx_record_head_len(const char *data, size_t len)
{
    rx_record r;
    return decode_fields(&r, data, len, RX_REC_PLAIN);
}

int rx_record_decode_head(rx_record *out, const char *data, size_t len)
{
    if (!decode_fields(out, data, len, RX_REC_PLAIN))
        return rx_error_set(RX_EINVALID, "corrupt document record");
    out->f[RX_REC_PLAIN] = "";
    out->len[RX_REC_PLAIN] = 0;
    return RX_OK;
}

int rx_markdown_to_plain(char **out, size_t *out_len, const char *md, size_t len)
{
    *out = NULL;
    cmark_node *doc = cmark_parse_document(md, len, CMARK_OPT_DEFAULT);
    if (!doc)
        return rx_error_set(RX_ENOMEM, "out of memory parsing Markdown");
    rx_buf b = {0};
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(node);
        const char *lit;
        switch (t) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_HTML_INLINE:
            if (ev == CMARK_EVENT_ENTER && (lit = cmark_node_get_literal(node)))
                rx_buf_puts(&b, lit);
            break;
        case CMARK_NODE_CODE_BLOCK:
        case CMARK_NODE_HTML_BLOCK:
            if ((lit = cmark_node_get_literal(node))) {
                rx_buf_puts(&b, lit);
                rx_buf_putc(&b, '\n');
            }
            break;
        case CMARK_NODE_SOFTBREAK:
            /* a line break inside Chinese text joins the characters */
            break;
        case CMARK_NODE_LINEBREAK: rx_buf_putc(&b, '\n'); break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
        case CMARK_NODE_THEMATIC_BREAK:
            if (ev == CMARK_EVENT_EXIT && b.len && b.data[b.len - 1] != '\n')
                rx_buf_putc(&b, '\n');
            break;
        default: break;
        }
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    while (b.len && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    if (out_len)
        *out_len = b.len;
    *out = rx_buf_steal(&b);
    return RX_OK;
}

int rx_pack(char **out, size_t *out_len, const char *data, size_t len)
{
    *out = NULL;
    if (len > 0xFFFFFFFFu)
        return rx_error_set(RX_ETOOBIG, "text too large to pack");
    uLongf cap = compressBound((uLong)len);
    unsigned char *buf = malloc(cap + 4);
    if (!buf)
        return rx_error_set(RX_ENOMEM, "out of memory");
    for (int k = 0; k < 4; k++)
        buf[k] = (unsigned char)(len >> (8 * k));
    if (compress2(buf + 4, &cap, (const Bytef *)data, (uLong)len, 6) != Z_OK) {
        free(buf);
        return rx_error_set(RX_ENOMEM, "compression failed");
    }
    *out = (char *)buf;
    *out_len = cap + 4;
    return RX_OK;
}

int rx_unpack(char **out, size_t *out_len, const char *data, size_t len)
{
    *out = NULL;
    if (len < 4)
        return rx_error_set(RX_EINVALID, "packed text too short");
    const unsigned char *p = (const unsigned char *)data;
    uLongf n = (uLongf)p[0] | (uLongf)p[1] << 8 | (uLongf)p[2] << 16 | (uLongf)p[3] << 24;
    char *buf = malloc(n + 1);
    if (!buf)
        return rx_error_set(RX_ENOMEM, "out of memory");
    uLongf got = n;
    if (uncompress((Bytef *)buf, &got, p + 4, (uLong)(len - 4)) != Z_OK || got != n) {
        free(buf);
        return rx_error_set(RX_EINVALID, "corrupt packed text");
    }
    buf[n] = '\0';
    *out = buf;
    if (out_len)
        *out_len = n;
    return RX_OK;
}
