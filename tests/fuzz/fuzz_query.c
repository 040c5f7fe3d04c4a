/* libFuzzer target: query analysis and snippets. The input is split at its
 * first NUL byte into a query and a text to highlight. */
#include "rexian/analyzer.h"
#include "rexian/related.h"
#include "rexian/snippet.h"
#include "rexian/synonyms.h"
#include "rexian/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rx_synonyms *syn;
    static rx_related *rel;
    if (!syn) {
        static const char groups[] = "不动产权证书 房产证 房本\n医疗保障 医保\nwifi 无线网\n";
        static const char assoc[] = "砸墙 电钻声 => 装修 房本\n狗咬人 => 犬伤\n";
        rx_synonyms_parse(&syn, groups, strlen(groups), NULL, NULL);
        rx_related_parse(&rel, assoc, strlen(assoc), NULL, NULL);
    }
    const char *q = (const char *)data;
    const char *nul = memchr(data, 0, size);
    size_t qlen = nul ? (size_t)(nul - q) : size;
    const char *text = nul ? nul + 1 : q;
    size_t tlen = nul ? size - qlen - 1 : size;
    rx_analyzer an = {.flags = RX_AN_DEFAULT, .synonyms = syn, .related = rel};
    rx_query_plan *plan = NULL;
    if (rx_plan_query(&plan, &an, q, qlen) == 0) {
        rx_buf out = {0};
        rx_snippet(&out, text, tlen, plan, 80);
        rx_buf_free(&out);
        rx_strmap bag = {0};
        rx_analyze_text(&bag, &an, text, tlen, 1);
        rx_strmap_free(&bag);
        rx_query_plan_free(plan);
    }
    return 0;
}
