/* md2html FILE: the Markdown file as an HTML fragment on stdout, raw HTML
 * kept (the import fixtures' letterheads, page headers and footers are
 * written as HTML inside their Markdown). Used by tests/import/fixtures.sh. */
#include "rexian/util.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: md2html FILE.md\n", stderr);
        return 2;
    }
    char *text;
    size_t len;
    if (rx_file_read(&text, &len, argv[1], 16u << 20) != 0) {
        fprintf(stderr, "md2html: cannot read %s\n", argv[1]);
        return 1;
    }
    char *html = cmark_markdown_to_html(text, len, CMARK_OPT_UNSAFE);
    fputs(html, stdout);
    free(html);
    free(text);
    return 0;
}
