/* libFuzzer target: the Markdown document reader (front matter + body). */
#include "rexian/corpus.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rx_departments *deps;
    if (!deps) {
        static const char list[] = "市住房和城乡建设局 住建局\n市医疗保障局 医保局\n";
        rx_diags d = {0};
        rx_departments_parse(&deps, "departments.txt", list, strlen(list), &d);
        rx_diags_free(&d);
    }
    rx_doc doc;
    rx_diags diags = {0};
    if (rx_md_parse(&doc, "fuzz.md", (const char *)data, size, deps, &diags) == 0)
        rx_doc_clear(&doc);
    rx_diags_free(&diags);
    return 0;
}
