/* libFuzzer target: the DOCX (zip + WordprocessingML) and saved HTML
 * readers of rexian import, and the Markdown they are rendered into. The
 * name given to the converter follows the bytes' magic, so that the
 * readers (not the extension check) see every input. PDF input is skipped:
 * its parsing is poppler's own, outside this code, and poppler is not
 * built for fuzzing here. */
#include "rexian/import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rx_import_ctx *ctx;
    if (!ctx && rx_import_ctx_load(&ctx, "corpus") != 0)
        abort();
    if (size >= 4 && memcmp(data, "%PDF", 4) == 0)
        return 0;
    const char *name = size >= 2 && data[0] == 'P' && data[1] == 'K' ? "fuzz.docx" : "fuzz.html";
    rx_import_opts opts = {.today = "2026-01-01"};
    rx_import_draft d = {0};
    if (rx_import_convert(&d, ctx, name, data, size, &opts) == 0) {
        free(rx_import_markdown(&d, true));
        rx_import_draft_clear(&d);
    }
    return 0;
}
