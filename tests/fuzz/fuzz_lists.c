/* libFuzzer target: departments.txt, calendar.txt, synonyms.txt,
 * related.txt and duties.txt. */
#include "rexian/corpus.h"
#include "rexian/related.h"
#include "rexian/synonyms.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_target(void *ctx, const char *target)
{
    assert(target[0] != '\0');
    (*(size_t *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    rx_diags diags = {0};
    rx_departments *d = NULL;
    rx_calendar *c = NULL;
    rx_synonyms *s = NULL;
    if (rx_departments_parse(&d, "departments.txt", text, size, &diags) == 0) {
        /* duties against the departments the same text names, and against none */
        for (int k = 0; k < 2; k++) {
            rx_duties *du = NULL;
            if (rx_duties_parse(&du, "duties.txt", text, size, k ? NULL : d, &diags) == 0) {
                /* what is serialised parses back to the same duties */
                char *ser = rx_duties_serialize(du);
                rx_duties *again = NULL;
                if (ser &&
                    rx_duties_parse(&again, "duties.txt", ser, strlen(ser), NULL, &diags) == 0) {
                    assert(rx_duties_count(again) == rx_duties_count(du));
                    rx_duties_free(again);
                }
                free(ser);
                rx_duties_free(du);
            }
        }
        rx_departments_free(d);
    }
    if (rx_calendar_parse(&c, "calendar.txt", text, size, &diags) == 0) {
        rx_calendar_add_workdays(c, 20000, 5);
        rx_calendar_free(c);
    }
    if (rx_synonyms_parse(&s, text, size, NULL, NULL) == 0) {
        char *ser = rx_synonyms_serialize(s);
        free(ser);
        rx_synonyms_free(s);
    }
    rx_related *r = NULL;
    if (rx_related_parse(&r, text, size, NULL, NULL) == 0) {
        /* what is serialised parses back to the same associations */
        char *ser = rx_related_serialize(r);
        rx_related *again = NULL;
        if (ser && rx_related_parse(&again, ser, strlen(ser), NULL, NULL) == 0) {
            assert(rx_related_count(again) == rx_related_count(r));
            rx_related_free(again);
        }
        free(ser);
        size_t targets = 0;
        rx_related_scan(r, text, size, count_target, &targets);
        rx_related_free(r);
    }
    rx_diags_free(&diags);
    return 0;
}
