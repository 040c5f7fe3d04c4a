/* The import module's own plumbing: a converted file as a list of blocks
 * (paragraphs, headings, list items, table rows) with the layout hints the
 * guesses use, produced by one reader per format. */
#ifndef REXIAN_SRC_IMPORT_INTERNAL_H
#define REXIAN_SRC_IMPORT_INTERNAL_H

#include "rexian/util.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum { BLK_PARA, BLK_HEADING, BLK_ITEM, BLK_ROW } blk_kind;

typedef struct {
    blk_kind kind;
    int level;        /* heading 1..6; item 1 ordered, 0 bulleted; row 1 starts a table */
    double size;      /* font size in points, 0 unknown */
    bool centered;    /* laid out centred */
    bool title_style; /* marked as the title by its style (DOCX Title, HTML h1) */
    char *text;       /* UTF-8, one line; a row's cells separated by '\t' */
} blk;

typedef struct {
    blk *items;
    size_t n, cap;
    rx_buf margin; /* text outside the body (page headers, footers, site
                    * navigation), one line each: the letterhead guess reads it */
} blk_list;

/* Appends a block of text (trimmed, runs of white space made one space;
 * with squeeze_cjk, spaces beside Han characters dropped, as PDF text
 * puts them between runs). An empty text adds nothing. */
int blk_add(blk_list *b, blk_kind kind, int level, double size, bool centered, const char *text,
            size_t len, bool squeeze_cjk);
/* Cleans text as blk_add does into a new string (caller frees). */
char *blk_clean(const char *text, size_t len, bool squeeze_cjk);
void blk_list_free(blk_list *b);

/* The readers: each fills out or fails with rx_fail (a Chinese message). */
int rx_import_read_docx(blk_list *out, const void *data, size_t len);
int rx_import_read_pdf(blk_list *out, const void *data, size_t len);
int rx_import_read_html(blk_list *out, const void *data, size_t len);

#endif
