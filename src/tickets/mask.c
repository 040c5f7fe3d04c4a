/* Masking callers' personal data in ticket answers (DESIGN.md "Roles"):
 * the name to its first character (李*), the phone to its first three and
 * last four digits (138****1234), the address to its district; in free
 * text (content, replies, notes) the caller's own name wherever it is
 * repeated, and, for the fully masked view, the caller's address, phone,
 * ID and account numbers (also written in groups: 138 0733 1234) and the
 * names callers give (我叫张三 → 我叫张*). */
#include "rexian/text.h"
#include "rexian/tickets.h"
#include "rexian/util.h"

#include <stdbool.h>
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

/* The length of the digit at p (ASCII, or full-width ０–９: 3 bytes), or 0. */
static size_t digit_at(const char *p)
{
    if (*p >= '0' && *p <= '9')
        return 1;
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99)
        return 3;
    return 0;
}

/* A run's character: a digit, or X/x inside an ID number. */
static size_t run_char(const char *p)
{
    size_t d = digit_at(p);
    return d ? d : (*p == 'X' || *p == 'x') ? 1 : 0;
}

/* Masks the number that starts at p (digits, single separators allowed
 * between groups, always the same one: 138 0733 1234, 0731-2888-1234) into
 * out when it looks like a phone, an ID or an account number: 7 or more
 * digits in one run, or 10 or more over separated groups, or 7 or more in
 * groups that are not a date (2026-05-12). All but the last four digits
 * become '*'. Returns the bytes of p consumed. */
static size_t mask_number(rx_buf *out, const char *p)
{
    size_t groups[16], ngroups = 0, total = 0, longest = 0;
    char sep = 0;
    const char *q = p, *end = p;
    while (ngroups < 16) {
        size_t digits = 0;
        const char *g = q;
        for (size_t n; (n = run_char(g)); g += n)
            digits++;
        if (!digits)
            break;
        groups[ngroups++] = digits;
        total += digits;
        longest = digits > longest ? digits : longest;
        end = g;
        char c = *g;
        if ((c == ' ' || c == '-') && (!sep || sep == c) && run_char(g + 1)) {
            sep = c;
            q = g + 1;
            continue;
        }
        break;
    }
    bool date = ngroups == 3 && groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2;
    bool mask = longest >= 7 || (ngroups > 1 && (total >= 10 || (total >= 7 && !date)));
    size_t len = (size_t)(end - p), seen = 0;
    if (!mask) {
        rx_buf_append(out, p, len);
        return len;
    }
    for (const char *c = p; c < end;) {
        size_t n = run_char(c);
        if (!n) {
            rx_buf_putc(out, *c++);
            continue;
        }
        if (seen++ + 4 < total)
            rx_buf_putc(out, '*');
        else
            rx_buf_append(out, c, n);
        c += n;
    }
    return len;
}

static bool is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

/* Words after which callers give a name (我叫张三，…; 姓名：张三): the name
 * that follows, two or three Han characters then something else, keeps
 * its first character (张*). Field-like cues need their colon, or 姓名和电话
 * would read as a name. */
static const struct {
    const char *cue;
    bool colon;
} name_cues[] = {
    {"我叫", false}, {"名叫", false}, {"本人叫", false}, {"姓名", true}, {"联系人", true}};

static bool not_a_name(const char *s)
{
    static const char *const words[] = {"电话", "手机", "方式", "地址", "不详", "未知", "本人"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (!strncmp(s, words[k], strlen(words[k])))
            return true;
    return false;
}

static size_t mask_named(rx_buf *out, const char *s, size_t len)
{
    for (size_t k = 0; k < sizeof name_cues / sizeof name_cues[0]; k++) {
        size_t cl = strlen(name_cues[k].cue);
        if (len < cl || memcmp(s, name_cues[k].cue, cl) != 0)
            continue;
        size_t at = cl;
        bool colon = false;
        while (at < len && (s[at] == ' ' || s[at] == ':'))
            colon |= s[at++] == ':';
        if (at + 3 <= len && !memcmp(s + at, "\xEF\xBC\x9A", 3)) { /* ： */
            at += 3;
            colon = true;
        }
        if (name_cues[k].colon && !colon)
            continue;
        size_t name = at, chars = 0, first = 0;
        uint32_t cp;
        while (name < len) {
            size_t n = rx_utf8_next(s + name, len - name, &cp);
            if (!n || !is_han(cp))
                break;
            if (!chars)
                first = n;
            name += n;
            chars++;
        }
        if (chars < 2 || chars > 3 || not_a_name(s + at))
            continue;
        rx_buf_append(out, s, at + first);
        rx_buf_putc(out, '*');
        return name;
    }
    return 0;
}

/* Every occurrence of what in s replaced by with (a new string). */
static char *replace_all(const char *s, const char *what, const char *with)
{
    rx_buf b = {0};
    size_t wl = strlen(what);
    for (const char *hit; (hit = strstr(s, what)); s = hit + wl) {
        rx_buf_append(&b, s, (size_t)(hit - s));
        rx_buf_puts(&b, with);
    }
    rx_buf_puts(&b, s);
    return rx_buf_steal(&b);
}

/* Names that are no one's (a caller who gave none): masking them in free
 * text would only garble it. */
static bool generic_name(const char *name)
{
    static const char *const words[] = {"市民", "匿名", "网友", "来电人", "群众", "游客", "业主"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (!strcmp(name, words[k]))
            return true;
    return rx_utf8_count(name, strlen(name)) < 2;
}

static char *masked_name(const char *name)
{
    uint32_t cp;
    size_t first = rx_utf8_next(name, strlen(name), &cp);
    char *out = malloc(first + 2);
    if (out) {
        memcpy(out, name, first);
        memcpy(out + first, "*", 2);
    }
    return out;
}

/* Replaces every occurrence of what in *s (if what is worth it). */
static void replace_in(char **s, const char *what, const char *with)
{
    if (!*s || !what || !*what || !strstr(*s, what))
        return;
    char *r = replace_all(*s, what, with);
    if (r) {
        free(*s);
        *s = r;
    }
}

/* The address after its district, and the longest part of it the text
 * repeats (长江北路 of 长江北路1号): at least four characters, or three
 * ending in 路, 街, 巷 or 村. */
static void mask_street(char **s, const char *rest)
{
    size_t n = strlen(rest), cuts[64], ncuts = 0;
    for (size_t i = 0; i < n && ncuts < 64;) {
        uint32_t cp;
        size_t k = rx_utf8_next(rest + i, n - i, &cp);
        if (!k)
            return;
        i += k;
        cuts[ncuts++] = i; /* the byte length of the first ncuts characters */
    }
    for (size_t c = ncuts; c >= 3 && *s; c--) {
        size_t len = cuts[c - 1];
        char *part = strndup(rest, len);
        if (!part)
            return;
        const char *last = part + (c > 1 ? cuts[c - 2] : 0);
        bool street = c >= 4 || !strcmp(last, "路") || !strcmp(last, "街") || !strcmp(last, "巷") ||
                      !strcmp(last, "村");
        bool hit = street && strstr(*s, part);
        if (hit)
            replace_in(s, part, "（地址已隐去）");
        free(part);
        if (hit)
            return;
    }
}

static char *text_mask(const char *text, const char *caller, const char *address, rx_pii level)
{
    char *s = strdup(text);
    if (!s || level == RX_PII_FULL)
        return s;
    if (caller && !generic_name(caller)) {
        char *m = masked_name(caller);
        if (m)
            replace_in(&s, caller, m);
        free(m);
    }
    if (level != RX_PII_MASKED)
        return s;
    if (address && *address) {
        char *area = rx_wf_area(address);
        const char *rest = address;
        if (area && !strncmp(address, area, strlen(area)))
            rest = address + strlen(area);
        replace_in(&s, address, area ? area : "（地址已隐去）");
        mask_street(&s, rest);
        free(area);
    }
    if (!s)
        return NULL;
    rx_buf b = {0};
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        size_t n;
        if (run_char(s + i) && (i == 0 || !run_char(s + i - 1)))
            n = mask_number(&b, s + i);
        else if ((n = mask_named(&b, s + i, len - i)) == 0) {
            rx_buf_putc(&b, s[i]);
            n = 1;
        }
        i += n;
    }
    free(s);
    return rx_buf_steal(&b);
}

char *rx_text_mask(const char *text, const char *caller, const char *address, rx_pii level)
{
    return text ? text_mask(text, caller, address, level) : NULL;
}

static bool free_text_key(const char *k)
{
    static const char *const keys[] = {"content", "snippet", "text", "reason", "note", "reply"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(k, keys[i]))
            return true;
    return false;
}

/* The caller's data an object carries, looked up before it is masked: the
 * free text under it is masked against them. */
typedef struct {
    const char *caller, *address;
} owner;

static void walk(cJSON *node, rx_pii level, owner who)
{
    cJSON *c = cJSON_GetObjectItem(node, "caller"), *a = cJSON_GetObjectItem(node, "address");
    char *caller = cJSON_IsString(c) ? strdup(c->valuestring) : NULL;
    char *address = cJSON_IsString(a) ? strdup(a->valuestring) : NULL;
    if (caller)
        who.caller = caller;
    if (address)
        who.address = address;
    cJSON *item, *next;
    for (item = node ? node->child : NULL; item; item = next) {
        next = item->next;
        if (cJSON_IsObject(item) || cJSON_IsArray(item)) {
            walk(item, level, who);
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
        else if (free_text_key(k)) {
            char *m = text_mask(item->valuestring, who.caller, who.address, level);
            if (m && strcmp(m, item->valuestring) != 0)
                set_string(node, item, m);
            free(m);
        }
    }
    free(caller);
    free(address);
}

void rx_ticket_mask(cJSON *doc, rx_pii level)
{
    if (level == RX_PII_FULL || !doc)
        return;
    walk(doc, level, (owner){0});
}
