/* libFuzzer target: departments.txt, calendar.txt and synonyms.txt. */
#include "rexian/corpus.h"
#include "rexian/synonyms.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    rx_diags diags = {0};
    rx_departments *d = NULL;
    rx_calendar *c = NULL;
    rx_synonyms *s = NULL;
    if (rx_departments_parse(&d, "departments.txt", text, size, &diags) == 0)
        rx_departments_free(d);
    if (rx_calendar_parse(&c, "calendar.txt", text, size, &diags) == 0) {
        rx_calendar_add_workdays(c, 20000, 5);
        rx_calendar_free(c);
    }
    if (rx_synonyms_parse(&s, text, size, NULL, NULL) == 0) {
        char *ser = rx_synonyms_serialize(s);
        free(ser);
        rx_synonyms_free(s);
    }
    rx_diags_free(&diags);
    return 0;
}
