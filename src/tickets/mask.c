/* Masking callers' personal data in ticket answers (DESIGN.md "Roles"):
 * the name to its first character (李*), the phone to its first three and
 * last four digits (138****1234), the address to its district, and, for
 * the fully masked view, long digit runs in free text (a phone or an ID
 * number typed into the content). */
#include "rexian/text.h"
#include "rexian/tickets.h"
#include "rexian/util.h"

#include <stdlib.h>
#include <string.h>

static void set_string(cJSON *o, cJSON *item, const char *value)
{
    cJSON *n = cJSON_CreateString(value);
    if (!n)
        return;
    /* the key moves to the new item (ReplaceItemViaPointer keeps none) */
    n->string = item->string;
    n->type |= item->type & cJSON_StringIsConst;
    item->string = NULL;
    cJSON_ReplaceItemViaPointer(o, item, n);
}

static void mask_name(cJSON *o, cJSON *item)
{
    const char *s = item->valuestring;
    size_t n = strlen(s);
    if (!n)
        return;
    uint32_t cp;
    size_t first = rx_utf8_next(s, n, &cp);
    char out[8];
    memcpy(out, s, first);
    memcpy(out + first, "*", 2);
    set_string(o, item, out);
}

static void mask_phone(cJSON *o, cJSON *item)
{
    const char *s = item->valuestring;
    size_t digits = 0;
    for (const char *p = s; *p; p++)
        digits += *p >= '0' && *p <= '9';
    char *out = strdup(s);
    if (!out)
        return;
    size_t k = 0;
    for (char *p = out; *p; p++) {
        if (*p < '0' || *p > '9')
            continue;
        bool keep = (digits >= 11 && k < 3) || k + 4 >= digits;
        if (!keep)
            *p = '*';
        k++;
    }
    set_string(o, item, out);
    free(out);
}

static void mask_address(cJSON *o, cJSON *item)
{
    char *area = rx_wf_area(item->valuestring);
    set_string(o, item, area ? area : "（地址已隐去）");
    free(area);
}

/* Digit runs of 7 or more (phones, ID and account numbers) keep their last
 * four digits. */
static void mask_digits(cJSON *o, cJSON *item)
{
    char *out = strdup(item->valuestring);
    if (!out)
        return;
    bool changed = false;
    for (char *p = out; *p;) {
        char *q = p;
        while ((*q >= '0' && *q <= '9') || *q == 'X' || *q == 'x')
            q++;
        size_t run = (size_t)(q - p);
        if (run >= 7) {
            memset(p, '*', run - 4);
            changed = true;
        }
        p = run ? q : p + 1;
    }
    if (changed)
        set_string(o, item, out);
    free(out);
}

static void walk(cJSON *node, rx_pii level, bool free_text)
{
    cJSON *item, *next;
    for (item = node ? node->child : NULL; item; item = next) {
        next = item->next;
        if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
            walk(item, level, free_text);
            continue;
        }
        if (!cJSON_IsString(item) || !item->string)
            continue;
        const char *k = item->string;
        if (!strcmp(k, "caller"))
            mask_name(node, item);
        else if (level == RX_PII_MASKED && !strcmp(k, "phone"))
            mask_phone(node, item);
        else if (level == RX_PII_MASKED && !strcmp(k, "address"))
            mask_address(node, item);
        else if (free_text &&
                 (!strcmp(k, "content") || !strcmp(k, "snippet") || !strcmp(k, "text") ||
                  !strcmp(k, "reason") || !strcmp(k, "note") || !strcmp(k, "reply")))
            mask_digits(node, item);
    }
}

void rx_ticket_mask(cJSON *doc, rx_pii level)
{
    if (level == RX_PII_FULL || !doc)
        return;
    walk(doc, level, level == RX_PII_MASKED);
}
