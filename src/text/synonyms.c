/* Synonym groups: parsing, serialisation and leftmost-longest matching. */
#include "rexian/synonyms.h"
#include "rexian/error.h"
#include "rexian/strmap.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TERM_CHARS 16

typedef struct {
    char **terms;
    size_t n;
} group;

typedef struct {
    size_t *ids;
    size_t n;
} group_list;

struct rx_synonyms {
    group *groups;
    size_t ngroups, cap;
    rx_strmap index; /* term → position in lists */
    group_list *lists;
    size_t nlists, lists_cap;
    size_t max_chars;
    unsigned lengths;          /* bit n set: some term has n code points */
    unsigned char first[8192]; /* bitmap of the BMP code points that start a term */
    bool first_astral;         /* some term starts outside the BMP */
    /* the sound of every all-Han term (its characters' table readings,
     * "fang ben"), for queries typed in pinyin */
    rx_strmap sound;        /* key → position in sounds */
    rx_strmap sound_prefix; /* the keys' first syllables, one or more but not all */
    struct {
        size_t *terms; /* positions in spelt */
        size_t n;
    } * sounds;
    size_t nsounds, sounds_cap;
    struct {
        size_t group;
        const char *term; /* borrowed from groups */
    } * spelt;
    size_t nspelt, spelt_cap;
    size_t max_sound; /* syllables of the longest term */
};

static bool is_sep(const char *p, size_t left, size_t *w)
{
    if (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r') {
        *w = 1;
        return true;
    }
    /* full-width comma ， U+FF0C, ideographic comma 、 U+3001, ideographic space */
    if (left >= 3 && ((memcmp(p, "\xEF\xBC\x8C", 3) == 0) || memcmp(p, "\xE3\x80\x81", 3) == 0 ||
                      memcmp(p, "\xE3\x80\x80", 3) == 0)) {
        *w = 3;
        return true;
    }
    return false;
}

static int add_term_to_index(rx_synonyms *s, const char *t, size_t g)
{
    int added;
    rx_strmap_entry *e = rx_strmap_upsert(&s->index, t, strlen(t), &added);
    if (!e)
        return RX_ENOMEM;
    if (added) {
        group_list *l = rx_array_grow(s->lists, &s->lists_cap, s->nlists, sizeof *l, 256);
        if (!l)
            return RX_ENOMEM;
        s->lists = l;
        l[s->nlists] = (group_list){0};
        e->value = s->nlists++;
    }
    group_list *l = &s->lists[e->value];
    for (size_t k = 0; k < l->n; k++)
        if (l->ids[k] == g)
            return RX_OK;
    size_t *ids = realloc(l->ids, (l->n + 1) * sizeof *ids);
    if (!ids)
        return RX_ENOMEM;
    ids[l->n++] = g;
    l->ids = ids;
    size_t chars = rx_utf8_count(t, strlen(t));
    if (chars > s->max_chars)
        s->max_chars = chars;
    s->lengths |= 1u << chars;
    uint32_t cp;
    rx_utf8_next(t, strlen(t), &cp);
    if (cp < 0x10000)
        s->first[cp >> 3] |= (unsigned char)(1u << (cp & 7));
    else
        s->first_astral = true;
    return RX_OK;
}

/* Notes the sound of term t of group g: every character Han with a
 * reading, at least two of them. */
static int add_sound(rx_synonyms *s, const char *t, size_t g)
{
    char key[MAX_TERM_CHARS * 8];
    size_t kl = 0, chars = 0, len = strlen(t);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += rx_utf8_next(t + i, len - i, &cp);
        const char *py = rx_pinyin(cp);
        if (!py || kl + strlen(py) + 2 > sizeof key)
            return RX_OK;
        if (kl)
            key[kl++] = ' ';
        memcpy(key + kl, py, strlen(py));
        kl += strlen(py);
        chars++;
    }
    if (chars < 2)
        return RX_OK;
    for (size_t k = 0; k < kl; k++)
        if (key[k] == ' ' && !rx_strmap_upsert(&s->sound_prefix, key, k, NULL))
            return RX_ENOMEM;
    int added;
    rx_strmap_entry *e = rx_strmap_upsert(&s->sound, key, kl, &added);
    if (!e)
        return RX_ENOMEM;
    if (added) {
        void *l = rx_array_grow(s->sounds, &s->sounds_cap, s->nsounds, sizeof *s->sounds, 256);
        if (!l)
            return RX_ENOMEM;
        s->sounds = l;
        s->sounds[s->nsounds].terms = NULL;
        s->sounds[s->nsounds].n = 0;
        e->value = s->nsounds++;
    }
    void *sp = rx_array_grow(s->spelt, &s->spelt_cap, s->nspelt, sizeof *s->spelt, 256);
    size_t *ids = realloc(s->sounds[e->value].terms, (s->sounds[e->value].n + 1) * sizeof *ids);
    if (sp)
        s->spelt = sp;
    if (ids)
        s->sounds[e->value].terms = ids;
    if (!sp || !ids)
        return RX_ENOMEM;
    s->spelt[s->nspelt].group = g;
    s->spelt[s->nspelt].term = t;
    ids[s->sounds[e->value].n++] = s->nspelt++;
    if (chars > s->max_sound)
        s->max_sound = chars;
    return RX_OK;
}

static void free_group(group *g)
{
    for (size_t k = 0; k < g->n; k++)
        free(g->terms[k]);
    free(g->terms);
}

/* Parses one line into a group; returns RX_OK with g->n < 2 when the line
 * holds no usable group. */
static int parse_line(group *g, const char *line, size_t len, size_t lineno, rx_diag_fn diag,
                      void *ctx)
{
    size_t i = 0;
    while (i < len) {
        size_t w;
        while (i < len && is_sep(line + i, len - i, &w))
            i += w;
        size_t start = i;
        while (i < len && !is_sep(line + i, len - i, &w))
            i++;
        if (i == start)
            continue;
        char *norm;
        size_t nlen;
        if (rx_text_normalize(&norm, &nlen, line + start, i - start) != RX_OK)
            return RX_ENOMEM;
        if (nlen == 0) { /* normalised away (zero-width characters) */
            free(norm);
            continue;
        }
        if (strlen(norm) != nlen) { /* a NUL byte: the term would be cut there */
            if (diag)
                diag(ctx, lineno, "词语中含有 NUL 字节");
            free(norm);
            continue;
        }
        if (rx_utf8_count(norm, nlen) > MAX_TERM_CHARS) {
            if (diag) {
                char msg[128];
                snprintf(msg, sizeof msg, "同义词长于 %d 个字", MAX_TERM_CHARS);
                diag(ctx, lineno, msg);
            }
            free(norm);
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < g->n && !dup; k++)
            dup = strcmp(g->terms[k], norm) == 0;
        if (dup) {
            free(norm);
            continue;
        }
        char **t = realloc(g->terms, (g->n + 1) * sizeof *t);
        if (!t) {
            free(norm);
            return RX_ENOMEM;
        }
        g->terms = t;
        g->terms[g->n++] = norm;
    }
    return RX_OK;
}

int rx_synonyms_add_group(rx_synonyms *s, size_t *out, const char *line, size_t len,
                          size_t min_terms, size_t lineno, rx_diag_fn diag, void *ctx)
{
    *out = SIZE_MAX;
    group g = {0};
    if (parse_line(&g, line, len, lineno, diag, ctx) != RX_OK) {
        free_group(&g);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    if (g.n == 0 || g.n < min_terms) {
        if (g.n > 0 && diag)
            diag(ctx, lineno, "同义词组至少需要两个不同的词");
        free_group(&g);
        return RX_OK;
    }
    if (s->ngroups == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        group *gs = realloc(s->groups, cap * sizeof *gs);
        if (!gs) {
            free_group(&g);
            return rx_error_set(RX_ENOMEM, "out of memory");
        }
        s->groups = gs;
        s->cap = cap;
    }
    size_t id = s->ngroups++;
    s->groups[id] = g;
    for (size_t k = 0; k < g.n; k++)
        if (add_term_to_index(s, g.terms[k], id) != RX_OK ||
            add_sound(s, s->groups[id].terms[k], id) != RX_OK)
            return rx_error_set(RX_ENOMEM, "out of memory");
    *out = id;
    return RX_OK;
}

int rx_synonyms_add(rx_synonyms *s, const char *text, size_t len, rx_diag_fn diag, void *ctx)
{
    rx_list_iter it = {.text = text, .len = len};
    const char *line;
    size_t llen;
    while (rx_list_next(&it, &line, &llen)) {
        size_t id;
        int rc = rx_synonyms_add_group(s, &id, line, llen, 2, it.lineno, diag, ctx);
        if (rc != RX_OK)
            return rc;
    }
    return RX_OK;
}

int rx_synonyms_parse(rx_synonyms **out, const char *text, size_t len, rx_diag_fn diag, void *ctx)
{
    *out = NULL;
    rx_synonyms *s = calloc(1, sizeof *s);
    if (!s)
        return rx_error_set(RX_ENOMEM, "out of memory");
    int rc = text ? rx_synonyms_add(s, text, len, diag, ctx) : RX_OK;
    if (rc != RX_OK) {
        rx_synonyms_free(s);
        return rc;
    }
    *out = s;
    return RX_OK;
}

void rx_synonyms_free(rx_synonyms *s)
{
    if (!s)
        return;
    for (size_t g = 0; g < s->ngroups; g++)
        free_group(&s->groups[g]);
    for (size_t l = 0; l < s->nlists; l++)
        free(s->lists[l].ids);
    free(s->lists);
    free(s->groups);
    rx_strmap_free(&s->index);
    for (size_t l = 0; l < s->nsounds; l++)
        free(s->sounds[l].terms);
    free(s->sounds);
    free(s->spelt);
    rx_strmap_free(&s->sound);
    rx_strmap_free(&s->sound_prefix);
    free(s);
}

size_t rx_synonyms_count(const rx_synonyms *s)
{
    return s ? s->ngroups : 0;
}

bool rx_synonyms_is_term(const rx_synonyms *s, const char *t, size_t len)
{
    return s && rx_strmap_get(&s->index, t, len) != NULL;
}

const char *const *rx_synonyms_group(const rx_synonyms *s, size_t g, size_t *n)
{
    *n = s->groups[g].n;
    return (const char *const *)s->groups[g].terms;
}

char *rx_synonyms_serialize(const rx_synonyms *s)
{
    rx_buf b = {0};
    for (size_t g = 0; s && g < s->ngroups; g++) {
        for (size_t k = 0; k < s->groups[g].n; k++) {
            if (k)
                rx_buf_putc(&b, ' ');
            rx_buf_puts(&b, s->groups[g].terms[k]);
        }
        rx_buf_putc(&b, '\n');
    }
    return rx_buf_steal(&b);
}

static bool is_word_byte(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void rx_synonyms_scan(const rx_synonyms *s, const char *text, size_t len, rx_syn_match_fn fn,
                      void *ctx)
{
    if (!s || s->ngroups == 0)
        return;
    size_t ends[MAX_TERM_CHARS + 1];
    size_t i = 0;
    while (i < len) {
        uint32_t c0;
        size_t w0 = rx_utf8_next(text + i, len - i, &c0);
        bool starts = c0 < 0x10000 ? (s->first[c0 >> 3] >> (c0 & 7)) & 1 : s->first_astral;
        if (!starts) {
            i += w0;
            continue;
        }
        /* candidate end offsets: up to max_chars code points ahead */
        size_t nends = 0, p = i;
        while (nends < s->max_chars && p < len) {
            uint32_t cp;
            p += rx_utf8_next(text + p, len - p, &cp);
            ends[nends++] = p;
        }
        size_t matched = 0;
        for (size_t k = nends; k-- > 0;) {
            if (!((s->lengths >> (k + 1)) & 1))
                continue;
            size_t mlen = ends[k] - i;
            rx_strmap_entry *e = rx_strmap_get(&s->index, text + i, mlen);
            if (!e)
                continue;
            if (is_word_byte(text[i]) && ((i > 0 && is_word_byte(text[i - 1])) ||
                                          (ends[k] < len && is_word_byte(text[ends[k]]))))
                continue;
            const group_list *l = &s->lists[e->value];
            for (size_t g = 0; g < l->n; g++)
                fn(ctx, l->ids[g], i, mlen);
            matched = mlen;
            break;
        }
        if (matched) {
            i += matched;
        } else {
            uint32_t cp;
            i += rx_utf8_next(text + i, len - i, &cp);
        }
    }
}

typedef struct {
    const rx_synonyms *s;
    size_t at, n, found;
    rx_syn_spelt_fn fn;
    void *ctx;
} sound_ctx;

/* The terms of one sound the syllables may be read as. */
static void on_sound(void *ctx, const char *key, size_t len)
{
    sound_ctx *c = ctx;
    const rx_strmap_entry *e = rx_strmap_get(&c->s->sound, key, len);
    for (size_t t = 0; e && t < c->s->sounds[e->value].n; t++) {
        size_t x = c->s->sounds[e->value].terms[t];
        c->fn(c->ctx, c->s->spelt[x].group, c->s->spelt[x].term, c->at, c->n);
        c->found++;
    }
}

void rx_synonyms_sounding(const rx_synonyms *s, const char *const *py, size_t n, size_t min,
                          rx_syn_spelt_fn fn, void *ctx)
{
    if (!s || !s->nsounds)
        return;
    char key[MAX_TERM_CHARS * 8];
    for (size_t i = 0; i < n; i++) {
        size_t kl = 0;
        for (size_t len = 1; i + len <= n && len <= s->max_sound; len++) {
            size_t pl = strlen(py[i + len - 1]);
            if (kl + pl + 2 > sizeof key)
                break;
            if (kl)
                key[kl++] = ' ';
            memcpy(key + kl, py[i + len - 1], pl);
            kl += pl;
            if (len >= min) {
                const rx_strmap_entry *e = rx_strmap_get(&s->sound, key, kl);
                for (size_t t = 0; e && t < s->sounds[e->value].n; t++) {
                    size_t x = s->sounds[e->value].terms[t];
                    fn(ctx, s->spelt[x].group, s->spelt[x].term, i, len);
                }
            }
            if (!rx_strmap_get(&s->sound_prefix, key, kl))
                break; /* no term's sound goes on from here */
        }
    }
}

void rx_synonyms_spelt(const rx_synonyms *s, const char (*syl)[8], size_t n, rx_syn_spelt_fn fn,
                       void *ctx)
{
    if (!s || !s->nsounds)
        return;
    for (size_t i = 0; i < n;) {
        size_t longest = n - i < s->max_sound ? n - i : s->max_sound, matched = 0;
        for (size_t len = longest; len >= 2 && !matched; len--) {
            sound_ctx c = {s, i, len, 0, fn, ctx};
            rx_pinyin_sounds(syl + i, len, on_sound, &c);
            if (c.found)
                matched = len;
        }
        i += matched ? matched : 1;
    }
}
