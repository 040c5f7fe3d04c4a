/* The record stored with each indexed document, and Markdown → plain text.
 *
 * A record is a sequence of netstring-like fields ("<len>:<bytes>"), so it
 * round-trips any bytes. Decoded fields point into the encoded data. The
 * body as written (Markdown) is not part of it: every search decodes the
 * records of its hits, and only the document view needs the body, which the
 * index keeps under the metadata key RX_META_BODY_PREFIX + id.
 */
#ifndef REXIAN_RECORD_H
#define REXIAN_RECORD_H

#include "rexian/corpus.h"
#include "rexian/util.h"

#include <stddef.h>

enum {
    RX_REC_ID,
    RX_REC_TITLE,
    RX_REC_DEPARTMENT,
    RX_REC_TYPE,
    RX_REC_TAGS, /* joined by '\x1f' */
    RX_REC_EFFECTIVE,
    RX_REC_EXPIRES,
    RX_REC_PATH,
    RX_REC_PLAIN, /* body as plain text, for snippets */
    RX_REC_NFIELDS
};

typedef struct {
    const char *f[RX_REC_NFIELDS];
    size_t len[RX_REC_NFIELDS];
} rx_record;

int rx_record_encode(rx_buf *out, const rx_doc *d, const char *plain, size_t plain_len);
/* Returns RX_EINVALID if data is not a record. */
int rx_record_decode(rx_record *out, const char *data, size_t len);
/* A record's head: every field but the plain text, which is most of it.
 * rx_record_head_len is its length in an encoded record (0 if data is not a
 * record); rx_record_decode_head decodes a head, or a whole record, leaving
 * the plain text empty. */
size_t rx_record_head_len(const char *data, size_t len);
int rx_record_decode_head(rx_record *out, const char *data, size_t len);

/* zlib-compresses data into *out (caller frees): a 4-byte little-endian
 * length, then the deflate stream. For the stored Markdown bodies, which
 * Xapian keeps uncompressed in its metadata. */
int rx_pack(char **out, size_t *out_len, const char *data, size_t len);
/* Reverses rx_pack; *out is NUL-terminated. RX_EINVALID for bad input. */
int rx_unpack(char **out, size_t *out_len, const char *data, size_t len);

/* Plain text of a Markdown body (cmark): text and code, one line per block.
 * Caller frees *out. */
int rx_markdown_to_plain(char **out, size_t *out_len, const char *md, size_t len);

#endif
