/* libFuzzer target: the FAQ CSV reader. */
#include "rexian/corpus.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rx_doc *docs = NULL;
    size_t n = 0;
    rx_diags diags = {0};
    rx_faq_parse(&docs, &n, "fuzz.csv", (const char *)data, size, NULL, &diags);
    for (size_t k = 0; k < n; k++)
        rx_doc_clear(&docs[k]);
    free(docs);
    rx_diags_free(&diags);
    return 0;
}
