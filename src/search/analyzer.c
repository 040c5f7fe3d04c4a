/* Term generation for documents and queries: Han bigrams, optional friso or
 * ICU words and synonym concept terms; queries also get the pinyin keys of
 * their bigrams. Everything runs on NFKC-casefolded text. */
#include "rexian/analyzer.h"
#include "rexian/error.h"
#include "rexian/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

#define MAX_WORD_BYTES 64

/* Query weights of each term kind relative to a Han bigram. */
/* (chosen on the judged set, docs/RELEVANCE.md: pinyin 0.3–0.5 and
 * synonyms 1.0 sit on a plateau) */
#define W_PINYIN 0.3
#define W_WORD 1.0
#define W_SYNONYM 1.0
#define W_STOP 0.1
#define W_EDGE 0.5 /* a bigram with one character of a function word */
/* a single character: partial credit only (0.3–0.5 helped every set,
 * 0.8 cost the blind set's colloquial queries; docs/RELEVANCE.md) */
#define W_CHAR 0.5

/* Function characters (friso's stop-word list): no use as a lone term. */
static bool is_stop_char(uint32_t cp)
{
    static const char stop[] =
        "的吗不我们起就最在人有是为以于上他而后之来由及了下可到这与也因此但并个其已无"
        "小今去再好只又或很亦某把那你乃它吧被比别趁当从得打凡儿尔该各给跟和何还即几既"
        "看据距靠啦另么每嘛拿哪您凭且却让仍啥如若使谁虽随同所她哇嗡往些向沿哟用咱则怎"
        "曾至致着诸自啊呢呀哦嗯冇咯";
    char buf[4];
    size_t n = rx_utf8_put(buf, cp);
    for (size_t k = 0; k + n <= sizeof stop - 1; k += 3)
        if (memcmp(stop + k, buf, n) == 0)
            return true;
    return false;
}

/* a bigram that straddles two words of a spoken query (妈在, 里自) */
#define W_CROSS 0.3
/* a title-field term: the stand-in of a common term the match leaves out
 * (src/search/shim.cc), worth twice its body term */
#define W_TITLE 2.0
#define W_SPELLED 1.0  /* a pair of syllables typed with the IME off, as a bigram */
#define MAX_SPELLED 64 /* syllables of one spelled sequence */
/* A term of the lexicon misheard in a long question (docs/RELEVANCE.md):
 * three characters at least, in a text of at least twelve; a short query's
 * typos are its bigrams' homophones' to mend. */
#define MISHEARD_MIN_CHARS 3
#define MISHEARD_MIN_QUERY 12
#define MISHEARD_CONTEXT 4 /* characters either side segmented to find its word edges */

/* related: the term comes from a related.txt expansion, not the text */
typedef void (*term_fn)(void *ctx, const char *term, size_t len, double weight, bool related);

typedef struct {
    const rx_analyzer *an;
    term_fn emit;
    void *ctx;
    int rc;
    bool related; /* walking the target of a related.txt association (its
                     weight is the ranker's choice: rx_kb_search) */
} walker;

bool rx_pinyin_pair(char *out, size_t cap, uint32_t a, uint32_t b)
{
    const char *pa = rx_pinyin(a), *pb = rx_pinyin(b);
    if (!pa || !pb)
        return false;
    size_t la = strlen(pa), lb = strlen(pb);
    if (la + lb + 3 > cap)
        return false;
    out[0] = 'P';
    memcpy(out + 1, pa, la);
    out[1 + la] = ' ';
    memcpy(out + 2 + la, pb, lb + 1);
    return true;
}

static void emit(walker *w, const char *term, size_t len, double weight)
{
    w->emit(w->ctx, term, len, weight, w->related);
}

static void emit_prefixed(walker *w, char prefix, const char *s, size_t n, double weight)
{
    char buf[MAX_WORD_BYTES * 4 + 2];
    if (n == 0 || n + 1 >= sizeof buf)
        return;
    buf[0] = prefix;
    memcpy(buf + 1, s, n);
    emit(w, buf, n + 1, weight);
}

static void on_friso_word(void *ctx, const char *word, size_t len)
{
    emit_prefixed(ctx, 'W', word, len, W_WORD);
}

static void on_icu_word(void *ctx, const char *word, size_t len)
{
    emit_prefixed(ctx, 'U', word, len, W_WORD);
}

/* Function words of spoken questions; their bigrams carry little meaning.
 * The last row is the same words as 株洲 callers say them and call-takers
 * type them (湘语: 么子 什么, 冇 没, 晓得 知道, 几时 什么时候, 咯 这). */
static bool is_stop_bigram(const char *s, size_t n)
{
    static const char *const stop[] = {
        "怎么", "什么", "哪里", "哪些", "哪个", "如何", "可以", "能不", "不能", "需要",
        "是否", "请问", "我们", "我家", "我的", "你们", "他们", "一下", "这个", "那个",
        "还是", "现在", "的话", "是不", "不是", "有没", "没有", "要不", "多少", "为什",
        "么子", "冇得", "冇有", "有冇", "晓得", "几时", "咯个", "咯里", "么样",
    };
    if (n != 6)
        return false;
    for (size_t k = 0; k < sizeof stop / sizeof stop[0]; k++)
        if (memcmp(stop[k], s, 6) == 0)
            return true;
    return false;
}

typedef struct {
    const char *base;
    unsigned char *start;
} bound_ctx;

static void mark_word_start(void *ctx, const char *word, size_t len)
{
    (void)len;
    bound_ctx *b = ctx;
    b->start[word - b->base] = 1;
}

static void clear_inside_term(void *ctx, size_t g, size_t start, size_t len)
{
    (void)g;
    bound_ctx *b = ctx;
    for (size_t k = start + 1; k < start + len; k++)
        b->start[k] = 0;
}

/* Word starts of a Han run (friso words; synonym terms kept whole), or NULL
 * when segmentation is unavailable. */
static unsigned char *word_starts(const rx_analyzer *an, const char *s, size_t len)
{
    unsigned char *start = calloc(len + 1, 1);
    if (!start)
        return NULL;
    bound_ctx b = {s, start};
    if (rx_segment(RX_SEG_FRISO, s, len, mark_word_start, &b) != RX_OK) {
        free(start);
        return NULL;
    }
    if (an->synonyms)
        rx_synonyms_scan(an->synonyms, s, len, clear_inside_term, &b);
    return start;
}

static void walk_han(walker *w, const char *s, size_t len, bool query)
{
    size_t pprev = 0;
    unsigned flags = w->an->flags;
    uint32_t last = 0;
    size_t nchars = 0;
    size_t i = 0, prev = 0;
    unsigned char *starts =
        query && (flags & RX_AN_JOIN) && !w->related ? word_starts(w->an, s, len) : NULL;
    while (i < len) {
        uint32_t cp;
        size_t n = rx_utf8_next(s + i, len - i, &cp);
        if (nchars > 0 && (flags & RX_AN_BIGRAM)) {
            double weight = 1.0;
            if (query && (flags & RX_AN_STOP) && is_stop_bigram(s + prev, i + n - prev))
                weight = W_STOP;
            else if (starts && starts[i])
                weight = W_CROSS;
            else if (query && (flags & RX_AN_STOP)) {
                /* half a function word: the bigram before or after is one
                 * (办什 and 么手 in 要办什么手续) */
                uint32_t cp2;
                size_t n2 = i + n < len ? rx_utf8_next(s + i + n, len - i - n, &cp2) : 0;
                if ((nchars > 1 && is_stop_bigram(s + pprev, i - pprev)) ||
                    (n2 && is_stop_bigram(s + i, n + n2)))
                    weight = W_EDGE;
            }
            emit(w, s + prev, i + n - prev, weight);
        }
        /* pinyin keys are query-side: the index keeps a pinyin → bigram
         * lexicon instead of a posting per pinyin pair (see search.h) */
        if (nchars > 0 && (flags & RX_AN_PINYIN) && query) {
            /* "key\tbigram": plan_emit keeps the bigram as the term's base */
            char key[40];
            if (rx_pinyin_pair(key, sizeof key - 8, last, cp)) {
                size_t kl = strlen(key);
                key[kl] = '\t';
                memcpy(key + kl + 1, s + prev, i + n - prev);
                emit(w, key, kl + 1 + (i + n - prev), W_PINYIN);
            }
        }
        if ((flags & RX_AN_CHAR) && !(query && is_stop_char(cp)))
            emit_prefixed(w, 'C', s + i, n, W_CHAR);
        last = cp;
        pprev = prev;
        prev = i;
        i += n;
        nchars++;
    }
    /* a lone character: in a query, where characters are indexed, it is its
     * own "C" term, the whole word; otherwise (and in documents) a plain
     * term, which a query expands to the bigrams it starts */
    if (nchars == 1 && query && (flags & RX_AN_CHAR))
        emit_prefixed(w, 'C', s, len, 1.0);
    else if (nchars == 1 && (flags & RX_AN_BIGRAM))
        emit(w, s, len, 1.0);
    if (flags & RX_AN_FRISO) {
        int rc = rx_segment(RX_SEG_FRISO, s, len, on_friso_word, w);
        if (rc != RX_OK)
            w->rc = rc;
    }
    if (flags & RX_AN_ICU) {
        int rc = rx_segment(RX_SEG_ICU, s, len, on_icu_word, w);
        if (rc != RX_OK)
            w->rc = rc;
    }
    free(starts);
}

static void on_synonym(void *ctx, size_t g, size_t start, size_t len)
{
    (void)start;
    (void)len;
    walker *w = ctx;
    size_t n;
    const char *const *terms = rx_synonyms_group(w->an->synonyms, g, &n);
    emit_prefixed(w, 'G', terms[0], strlen(terms[0]), W_SYNONYM);
}

static int walk(walker *w, const char *s, size_t len, bool query);

/* A related concept: its bigrams and synonym concepts. */
static void on_related(void *ctx, const char *target)
{
    walker *w = ctx;
    walker sub = *w;
    sub.related = true;
    walk(&sub, target, strlen(target), false);
    if (sub.rc != RX_OK)
        w->rc = sub.rc;
}

/* Walks normalised text, emitting every term; a query also gets the
 * concepts its situation words are associated with. */
static int walk(walker *w, const char *s, size_t len, bool query)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = rx_utf8_next(s + i, len - i, &cp);
        size_t start = i;
        if (rx_is_han(cp)) {
            while (i < len) {
                n = rx_utf8_next(s + i, len - i, &cp);
                if (!rx_is_han(cp))
                    break;
                i += n;
            }
            walk_han(w, s + start, i - start, query);
        } else if (u_isalnum((UChar32)cp)) {
            while (i < len) {
                n = rx_utf8_next(s + i, len - i, &cp);
                if (rx_is_han(cp) || !u_isalnum((UChar32)cp))
                    break;
                i += n;
            }
            if (i - start <= MAX_WORD_BYTES)
                emit(w, s + start, i - start, 1.0);
        } else {
            i += n;
        }
    }
    if ((w->an->flags & RX_AN_SYNONYM) && w->an->synonyms)
        rx_synonyms_scan(w->an->synonyms, s, len, on_synonym, w);
    if (query && w->an->related)
        rx_related_scan(w->an->related, s, len, on_related, w);
    return w->rc;
}

typedef struct {
    rx_strmap *bag;
    unsigned inc;
    int rc;
    char prefix;       /* 'T' for the title field: plain terms only, prefixed */
    double min_weight; /* terms weighing less are left out */
} bag_ctx;

static void bag_emit(void *ctx, const char *term, size_t len, double weight, bool related)
{
    (void)related;
    bag_ctx *b = ctx;
    if (weight < b->min_weight)
        return;
    char buf[MAX_WORD_BYTES * 4 + 2];
    if (b->prefix) {
        if ((term[0] >= 'A' && term[0] <= 'Z') || len + 1 >= sizeof buf)
            return;
        buf[0] = b->prefix;
        memcpy(buf + 1, term, len);
        term = buf;
        len++;
    }
    rx_strmap_entry *e = rx_strmap_upsert(b->bag, term, len, NULL);
    if (!e)
        b->rc = RX_ENOMEM;
    else
        e->value += b->inc;
}

/* Normalises text and adds its terms to bag; prefix 'T' keeps only plain
 * bigrams and words, prefixed, for the title field. As a query (weighed as
 * one is), terms weighing under min_weight are left out. */
static int analyze(rx_strmap *bag, const rx_analyzer *an, const char *text, size_t len,
                   unsigned wdf_inc, char prefix, bool as_query, double min_weight)
{
    char *norm;
    size_t nlen;
    int rc = rx_text_normalize(&norm, &nlen, text, len);
    if (rc != RX_OK)
        return rc;
    bag_ctx b = {bag, wdf_inc, RX_OK, prefix, min_weight};
    walker w = {.an = an, .emit = bag_emit, .ctx = &b, .rc = RX_OK};
    rc = walk(&w, norm, nlen, as_query);
    free(norm);
    if (rc == RX_OK && b.rc != RX_OK)
        rc = rx_error_set(b.rc, "out of memory");
    return rc;
}

int rx_analyze_text(rx_strmap *bag, const rx_analyzer *an, const char *text, size_t len,
                    unsigned wdf_inc)
{
    return analyze(bag, an, text, len, wdf_inc, 0, false, 0);
}

int rx_analyze_content(rx_strmap *bag, const rx_analyzer *an, const char *text, size_t len)
{
    /* walked as a query is, for its function-word weights; nothing else a
     * query adds (pinyin, characters, related concepts) */
    rx_analyzer content = {.flags = (an->flags & (RX_AN_BIGRAM | RX_AN_SYNONYM)) | RX_AN_STOP,
                           .synonyms = an->synonyms};
    return analyze(bag, &content, text, len, 1, 0, true, 1.0);
}

int rx_analyze_title(rx_strmap *bag, const rx_analyzer *an, const char *text, size_t len)
{
    rx_analyzer plain = {.flags = an->flags & RX_AN_BIGRAM};
    return analyze(bag, &plain, text, len, 1, 'T', false, 0);
}

static void mark_text(rx_strmap *marks, const char *s, size_t len);

typedef struct {
    rx_query_plan *plan;
    unsigned flags;
    rx_strmap seen; /* term → index in plan->terms */
    size_t cap;
    int rc;
} plan_ctx;

static rx_qterm_kind kind_of(const char *term, double weight, bool related)
{
    if (related)
        return RX_QT_RELATED;
    switch (term[0]) {
    case 'P': return RX_QT_PINYIN;
    case 'G': return RX_QT_CONCEPT;
    case 'W':
    case 'U': return RX_QT_WORD;
    case 'T': return RX_QT_TITLE;
    case 'C': return RX_QT_CHAR;
    case 'Y': return RX_QT_SPELLED;
    default: return weight <= W_STOP ? RX_QT_STOP : RX_QT_BIGRAM;
    }
}

static void plan_emit(void *ctx, const char *term, size_t len, double weight, bool related)
{
    plan_ctx *p = ctx;
    const char *base = NULL;
    size_t base_len = 0;
    if (term[0] == 'P' || term[0] == 'T') {
        const char *tab = memchr(term, '\t', len);
        if (tab) {
            base = tab + 1;
            base_len = len - (size_t)(tab + 1 - term);
            len = (size_t)(tab - term);
        }
    }
    int added;
    rx_strmap_entry *e = rx_strmap_upsert(&p->seen, term, len, &added);
    if (!e) {
        p->rc = RX_ENOMEM;
        return;
    }
    if (!added) {
        /* a repeated term keeps its highest weight */
        rx_qterm *t = &p->plan->terms[e->value];
        if (weight > t->weight) {
            t->weight = weight;
            if (!related)
                t->kind = kind_of(term, weight, related);
        }
        return;
    }
    if (p->plan->nterms == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        rx_qterm *t = realloc(p->plan->terms, cap * sizeof *t);
        if (!t) {
            p->rc = RX_ENOMEM;
            return;
        }
        p->plan->terms = t;
        p->cap = cap;
    }
    rx_qterm *t = &p->plan->terms[p->plan->nterms];
    t->term = malloc(len + 1);
    if (!t->term) {
        p->rc = RX_ENOMEM;
        return;
    }
    memcpy(t->term, term, len);
    t->term[len] = '\0';
    t->weight = weight;
    t->kind = kind_of(term, weight, related);
    t->base = NULL;
    if (base && (t->base = malloc(base_len + 1))) {
        memcpy(t->base, base, base_len);
        t->base[base_len] = '\0';
    }
    /* a lone Han character matches the bigrams it starts */
    uint32_t cp;
    size_t n = rx_utf8_next(term, len, &cp);
    t->wildcard = n == len && rx_is_han(cp);
    e->value = p->plan->nterms++;
    /* the same bigram or word in the title field, with (after a tab) the
     * term it stands in for; a wildcard stands in for nothing */
    if ((p->flags & RX_AN_TITLE) && !(term[0] >= 'A' && term[0] <= 'Z') && len + 1 < 256) {
        char tt[512];
        size_t tl = len + 1;
        tt[0] = 'T';
        memcpy(tt + 1, term, len);
        if (!t->wildcard) {
            tt[tl++] = '\t';
            memcpy(tt + tl, term, len);
            tl += len;
        }
        plan_emit(p, tt, tl, weight * W_TITLE, related);
    }
    /* highlight keys: bigrams, words and pinyin pairs as they are; word
     * terms through their bigrams; synonym groups in rx_plan_query */
    if (term[0] == 'W' || term[0] == 'U')
        mark_text(&p->plan->marks, term + 1, len - 1);
    else if (term[0] != 'G' && term[0] != 'T' && term[0] != 'C' && term[0] != 'Y')
        rx_strmap_upsert(&p->plan->marks, term, len, NULL);
}

static void mark_emit(void *ctx, const char *term, size_t len, double weight, bool related)
{
    (void)weight;
    (void)related;
    rx_strmap_upsert(ctx, term, len, NULL);
}

/* Highlight keys for a text: its Han bigrams (a lone character as itself)
 * and its words, exactly as the highlighter compares them. */
static void mark_text(rx_strmap *marks, const char *s, size_t len)
{
    static const rx_analyzer plain = {.flags = RX_AN_BIGRAM};
    walker w = {.an = &plain, .emit = mark_emit, .ctx = marks, .rc = RX_OK};
    walk(&w, s, len, false);
}

typedef struct {
    const rx_synonyms *syn;
    rx_strmap *marks;
} syn_mark_ctx;

static void mark_group(void *ctx, size_t g, size_t start, size_t len)
{
    (void)start;
    (void)len;
    syn_mark_ctx *m = ctx;
    size_t n;
    const char *const *terms = rx_synonyms_group(m->syn, g, &n);
    for (size_t k = 0; k < n; k++)
        mark_text(m->marks, terms[k], strlen(terms[k]));
}

/* One pair of spelled syllables: the term the search expands to the
 * bigrams that can be read so ("Ygong ji" → 公积), and, for the
 * highlighter, the pinyin keys those bigrams are indexed under. */
static void mark_sound(void *ctx, const char *key, size_t len)
{
    plan_ctx *p = ctx;
    char term[24];
    snprintf(term, sizeof term, "P%.*s", (int)len, key);
    if (!rx_strmap_upsert(&p->plan->marks, term, strlen(term), NULL))
        p->rc = RX_ENOMEM;
}

static void spelled_pair(plan_ctx *p, const char (*syl)[8])
{
    char term[24];
    snprintf(term, sizeof term, "Y%s %s", syl[0], syl[1]);
    plan_emit(p, term, strlen(term), W_SPELLED, false);
    rx_pinyin_sounds(syl, 2, mark_sound, p);
}

/* A term of the lexicon the syllables spell (fang ben: 房本): read as if
 * the caller had typed it. */
static void on_spelt(void *ctx, size_t group, const char *term, size_t start, size_t len)
{
    (void)group;
    (void)start;
    (void)len;
    walker *w = ctx;
    walk(w, term, strlen(term), true);
}

/* A query typed in pinyin with the IME off (gongjijin tiqu, gong ji jin):
 * runs of letters apart only by spaces or apostrophes that all split into
 * syllables are read as one sequence; each two adjacent syllables become a
 * spelled term, and the lexicon's terms the sequence spells are read as
 * typed. A run that does not split (wifi, app) is left as the Latin word
 * it is, and ends the sequence. */
static void spelled(plan_ctx *p, const rx_analyzer *an, const char *s, size_t len)
{
    walker w = {.an = an, .emit = plan_emit, .ctx = p, .rc = RX_OK};
    char syl[MAX_SPELLED][8];
    size_t n = 0;
    for (size_t i = 0; i <= len;) {
        size_t j = i;
        while (j < len && s[j] >= 'a' && s[j] <= 'z')
            j++;
        size_t got = j > i ? rx_pinyin_split(s + i, j - i, syl + n, MAX_SPELLED - n) : 0;
        if (j > i && got)
            n += got;
        bool sep = j < len && (s[j] == ' ' || s[j] == '\'') && j > i && got;
        if (!sep) { /* the sequence ends here */
            for (size_t k = 0; k + 1 < n; k++)
                spelled_pair(p, (const char(*)[8])syl + k);
            if (n >= 2 && an->synonyms)
                rx_synonyms_spelt(an->synonyms, (const char(*)[8])syl, n, on_spelt, &w);
            n = 0;
        }
        if (j >= len)
            break;
        if (j == i) { /* not a letter: the next character */
            uint32_t cp;
            j += rx_utf8_next(s + j, len - j, &cp);
        } else if (sep) {
            j++;
        }
        i = j;
    }
    if (w.rc != RX_OK)
        p->rc = w.rc;
}

/* A run of Han characters being read for misheard terms: where each of
 * its characters starts. */
typedef struct {
    walker *w; /* its analyzer's lexicon is the one read */
    const char *run;
    size_t at[MAX_SPELLED + 1]; /* byte offset of each character, and the end */
    size_t n;                   /* characters in the run */
} misheard_ctx;

/* Whether group g holds term and, after it, the text span (a later form of
 * the same thing: the lexicon lists the usual forms first). */
static bool written_before(const rx_synonyms *syn, size_t g, const char *term, const char *span,
                           size_t span_len)
{
    size_t n;
    const char *const *terms = rx_synonyms_group(syn, g, &n);
    bool seen = false;
    for (size_t k = 0; k < n; k++) {
        if (!strcmp(terms[k], term))
            seen = true;
        else if (strlen(terms[k]) == span_len && !memcmp(terms[k], span, span_len))
            return seen;
    }
    return false;
}

/* A lexicon term that sounds like the characters at [start, start+len) and
 * differs from them in exactly one character (公基金 for 公积金, 物叶费 for
 * 物业费): read as if the caller had typed it. A term of two characters is
 * left to the bigrams' own homophones. */
static void on_misheard(void *ctx, size_t group, const char *term, size_t start, size_t len)
{
    misheard_ctx *m = ctx;
    const rx_synonyms *syn = m->w->an->synonyms;
    const char *span = m->run + m->at[start], *t = term;
    size_t span_len = m->at[start + len] - m->at[start], tl = strlen(term), differ = 0;
    if (rx_synonyms_is_term(syn, span, span_len)) {
        /* a term as typed: its concept is read already; a form of its own
         * group written before it is read too (身份证 for 身分证: the
         * documents' own words, and their titles') */
        if (written_before(syn, group, term, span, span_len))
            walk(m->w, term, tl, true);
        return;
    }
    for (size_t i = 0, j = 0; i < span_len && j < tl;) {
        uint32_t a, b;
        size_t na = rx_utf8_next(span + i, span_len - i, &a), nb = rx_utf8_next(t + j, tl - j, &b);
        if (a != b && ++differ && is_stop_char(a))
            return; /* 户口不 is 户口 and a 不, not 户口簿 */
        i += na;
        j += nb;
    }
    if (differ != 1)
        return;
    /* where friso's words start, in the span and four characters either
     * side of it (a word's edges are a local matter) */
    size_t lo = start > MISHEARD_CONTEXT ? start - MISHEARD_CONTEXT : 0;
    size_t hi = start + len + MISHEARD_CONTEXT < m->n ? start + len + MISHEARD_CONTEXT : m->n;
    unsigned char *starts = word_starts(m->w->an, m->run + m->at[lo], m->at[hi] - m->at[lo]);
    if (starts) {
        size_t from = m->at[start] - m->at[lo], to = m->at[start + len] - m->at[lo];
        bool cuts = !starts[from] || (start + len < m->n && !starts[to]), inside = false;
        for (size_t k = from + 1; k < to && !inside; k++)
            inside = starts[k];
        free(starts);
        if (cuts)
            return; /* the span cuts a word: 怀疑水表 holds no 移水表 */
        if (!inside)
            return; /* a word of its own: 电子烟 is no 电子眼 */
    }
    walk(m->w, term, tl, true);
}

/* Every Han run of the query read for terms of the lexicon (an->synonyms,
 * not NULL) it mishears (a homophone typed for one character of the
 * term). */
static void misheard(plan_ctx *p, const rx_analyzer *an, const char *s, size_t len)
{
    size_t han = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += rx_utf8_next(s + i, len - i, &cp);
        han += rx_is_han(cp);
    }
    if (han < MISHEARD_MIN_QUERY)
        return;
    walker w = {.an = an, .emit = plan_emit, .ctx = p, .rc = RX_OK};
    const char *py[MAX_SPELLED];
    misheard_ctx m = {.w = &w};
    size_t n = 0;
    for (size_t i = 0; i <= len;) {
        uint32_t cp = 0;
        size_t step = i < len ? rx_utf8_next(s + i, len - i, &cp) : 0;
        const char *reading = i < len && rx_is_han(cp) ? rx_pinyin(cp) : NULL;
        if (reading && n < MAX_SPELLED) {
            if (!n)
                m.run = s + i;
            m.at[n] = (size_t)(s + i - m.run);
            py[n++] = reading;
        } else {
            if (n >= MISHEARD_MIN_CHARS) {
                m.at[n] = (size_t)(s + i - m.run);
                m.n = n;
                rx_synonyms_sounding(an->synonyms, py, n, MISHEARD_MIN_CHARS, on_misheard, &m);
            }
            n = 0;
            if (reading) /* a run longer than MAX_SPELLED: start again here */
                continue;
        }
        if (i >= len)
            break;
        i += step;
    }
    if (w.rc != RX_OK)
        p->rc = w.rc;
}

int rx_plan_query(rx_query_plan **out, const rx_analyzer *an, const char *q, size_t len)
{
    *out = NULL;
    rx_query_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return rx_error_set(RX_ENOMEM, "out of memory");
    size_t nlen;
    int rc = rx_text_normalize(&plan->normalized, &nlen, q, len);
    if (rc != RX_OK) {
        free(plan);
        return rc;
    }
    plan_ctx p = {.plan = plan, .flags = an->flags};
    walker w = {.an = an, .emit = plan_emit, .ctx = &p, .rc = RX_OK};
    rc = walk(&w, plan->normalized, nlen, true);
    if (rc == RX_OK && (an->flags & RX_AN_PINYIN))
        spelled(&p, an, plan->normalized, nlen);
    if (rc == RX_OK && (an->flags & RX_AN_PINYIN) && an->synonyms)
        misheard(&p, an, plan->normalized, nlen);
    if (rc == RX_OK && (an->flags & RX_AN_SYNONYM) && an->synonyms) {
        syn_mark_ctx m = {an->synonyms, &plan->marks};
        rx_synonyms_scan(an->synonyms, plan->normalized, nlen, mark_group, &m);
    }
    if (rc == RX_OK && p.rc != RX_OK)
        rc = rx_error_set(p.rc, "out of memory");
    rx_strmap_free(&p.seen);
    /* what the highlighter needs, once per query rather than once per hit */
    if (rc == RX_OK && !(plan->first = calloc(8192, 1)))
        rc = rx_error_set(RX_ENOMEM, "out of memory");
    for (size_t k = 0; rc == RX_OK && plan->first && k < plan->marks.count; k++) {
        const rx_strmap_entry *e = &plan->marks.entries[k];
        if (e->key[0] == 'P') {
            plan->any_pinyin = true;
            continue;
        }
        uint32_t cp;
        rx_utf8_next(e->key, e->klen, &cp);
        if (cp < 0x10000)
            plan->first[cp >> 3] |= (unsigned char)(1u << (cp & 7));
    }
    if (rc != RX_OK) {
        rx_query_plan_free(plan);
        return rc;
    }
    *out = plan;
    return RX_OK;
}

void rx_query_plan_free(rx_query_plan *p)
{
    if (!p)
        return;
    for (size_t k = 0; k < p->nterms; k++) {
        free(p->terms[k].term);
        free(p->terms[k].base);
    }
    free(p->terms);
    free(p->normalized);
    free(p->first);
    rx_strmap_free(&p->marks);
    free(p);
}
