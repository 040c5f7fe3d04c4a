/* gencorpus — deterministic synthetic corpus for rexian benchmarks.
 *
 * Learns vocabulary from a real corpus (departments, tags, title fragments,
 * body sentences, FAQ questions and answers) and writes N documents in the
 * same format (DESIGN.md "Corpus format"). The same input, --seed and --docs
 * give byte-identical output; document k does not depend on N.
 *
 *   gencorpus --from CORPUS_DIR --out OUT_DIR --docs N [--seed S]
 *
 * Build: cc -std=c17 -O2 -o gencorpus tests/bench/gencorpus.c   (libc only)
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* realpath */
#endif

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_DOCS 1000000UL
#define FAQ_ROWS_PER_FILE 1000U
#define BODY_MIN_CP 150U
#define BODY_MAX_CP 5000U
#define ANSWER_MIN_CP 60U
#define ANSWER_MAX_CP 300U
#define SENT_MAX_CP 300U
#define WALK_MAX_DEPTH 32

/* ------------------------------------------------------------------ errors */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gencorpus: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gencorpus: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory");
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = xrealloc(NULL, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ------------------------------------------------------------ growable buf */

typedef struct {
    char *p;
    size_t n, cap;
} buf;

static void buf_reserve(buf *b, size_t add)
{
    if (b->n + add + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + add + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void buf_add(buf *b, const void *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void buf_str(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_ch(buf *b, char c)
{
    buf_add(b, &c, 1);
}

static void buf_clear(buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

/* Unsigned decimal, zero-padded to at least `width` digits. */
static void buf_uint(buf *b, unsigned long v, int width)
{
    char tmp[32];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width && n < (int)sizeof tmp)
        tmp[n++] = '0';
    while (n)
        buf_ch(b, tmp[--n]);
}

/* -------------------------------------------------------------------- UTF-8 */

/* Decodes one code point; returns its length, 0 if invalid. */
static size_t u8_next(const char *str, size_t n, uint32_t *out)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    if (c < 0x80) {
        *out = c;
        return 1;
    }
    if (c < 0xC2)
        return 0;
    if (c < 0xE0) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *out = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        uint32_t v = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *out = v;
        return 3;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        uint32_t v = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (v < 0x10000 || v > 0x10FFFF)
            return 0;
        *out = v;
        return 4;
    }
    return 0;
}

static int u8_valid(const char *s, size_t n)
{
    uint32_t c;
    for (size_t i = 0; i < n;) {
        size_t k = u8_next(s + i, n - i, &c);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

/* Code points in valid UTF-8. */
static uint32_t u8_count(const char *s, size_t n)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* Byte offset of code point number `cp` (or n). */
static size_t u8_offset(const char *s, size_t n, uint32_t cp)
{
    size_t i = 0;
    while (i < n && cp) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        cp--;
    }
    return i;
}

/* Last code point of s[0..n) and its start offset; 0 if empty. */
static uint32_t u8_last(const char *s, size_t n, size_t *start)
{
    if (!n)
        return 0;
    size_t i = n - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    uint32_t c = 0;
    if (!u8_next(s + i, n - i, &c))
        c = 0xFFFD;
    if (start)
        *start = i;
    return c;
}

static int is_han(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF);
}

static int is_space_cp(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x3000 || c == 0xA0 ||
           c == 0xFEFF;
}

#define CP_PERIOD 0x3002u /* 。 */
#define CP_EXCL 0xFF01u   /* ！ */
#define CP_QUES 0xFF1Fu   /* ？ */
#define CP_SEMI 0xFF1Bu   /* ； */
#define CP_COLON 0xFF1Au  /* ： */
#define CP_COMMA 0xFF0Cu  /* ， */
#define CP_DUN 0x3001u    /* 、 */

static int is_full_stop(uint32_t c)
{
    return c == CP_PERIOD || c == CP_EXCL || c == CP_QUES;
}

static int is_closer(uint32_t c)
{
    return c == 0x201D || c == 0x2019 || c == 0x300D || c == 0x300F || c == 0xFF09 || c == 0x300B ||
           c == ')' || c == '"';
}

static int is_numeral(uint32_t c)
{
    static const uint32_t nums[] = {0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B,
                                    0x4E5D, 0x5341, 0x767E, 0x5343, 0x96F6, 0x3007, 0x4E24};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (nums[i] == c)
            return 1;
    return 0;
}

static void trim(const char **s, size_t *n)
{
    uint32_t c;
    while (*n) {
        size_t k = u8_next(*s, *n, &c);
        if (!k || !is_space_cp(c))
            break;
        *s += k;
        *n -= k;
    }
    while (*n) {
        size_t st;
        c = u8_last(*s, *n, &st);
        if (!is_space_cp(c))
            break;
        *n = st;
    }
}

static int starts_with(const char *s, size_t n, const char *pre)
{
    size_t k = strlen(pre);
    return n >= k && memcmp(s, pre, k) == 0;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static int str_eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* No control characters (a tab is not allowed either). */
static int printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return 0;
    return 1;
}

static unsigned han_count(const char *s, size_t n)
{
    unsigned h = 0;
    uint32_t c;
    for (size_t i = 0; i < n;) {
        size_t k = u8_next(s + i, n - i, &c);
        if (!k)
            return 0;
        h += (unsigned)is_han(c);
        i += k;
    }
    return h;
}

/* Brackets and quotes open and close in order: “” （） 《》 「」 () [] */
static int balanced(const char *s, size_t n)
{
    static const uint32_t open[] = {0x201C, 0xFF08, 0x300A, 0x300C, '(', '['};
    static const uint32_t close[] = {0x201D, 0xFF09, 0x300B, 0x300D, ')', ']'};
    int depth[6] = {0};
    uint32_t c;
    for (size_t i = 0; i < n;) {
        size_t k = u8_next(s + i, n - i, &c);
        if (!k)
            return 0;
        for (int j = 0; j < 6; j++) {
            if (c == open[j])
                depth[j]++;
            else if (c == close[j] && --depth[j] < 0)
                return 0;
        }
        i += k;
    }
    for (int j = 0; j < 6; j++)
        if (depth[j])
            return 0;
    return 1;
}

/* ------------------------------------------------------------------- PRNG */

/* xoshiro256** seeded through splitmix64; one stream per document. */
typedef struct {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t mix = splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&mix);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n > 0. */
static uint32_t rng_below(rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static uint32_t rng_range(rng *r, uint32_t lo, uint32_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

/* True with probability pm/1000. */
static int chance(rng *r, uint32_t pm)
{
    return rng_below(r, 1000) < pm;
}

/* ------------------------------------------------------- containers, sets */

typedef struct {
    uint32_t *v;
    size_t n, cap;
} idxvec;

static void idx_push(idxvec *x, uint32_t i)
{
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 8;
        x->v = xrealloc(x->v, x->cap * sizeof *x->v);
    }
    x->v[x->n++] = i;
}

static int idx_has(const idxvec *x, uint32_t i)
{
    for (size_t k = 0; k < x->n; k++)
        if (x->v[k] == i)
            return 1;
    return 0;
}

typedef struct {
    char *s;
    uint32_t len, cp;
} text;

/* Interned strings with occurrence counts and an aux number per string. */
typedef struct {
    text *v;
    uint32_t *cnt;
    double *aux;
    size_t n, cap;
    uint32_t *tab; /* index + 1; 0 = empty */
    size_t tabcap;
} strset;

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001B3ULL;
    }
    return h;
}

static long strset_find(const strset *ss, const char *s, size_t n)
{
    if (!ss->tabcap)
        return -1;
    size_t mask = ss->tabcap - 1;
    for (size_t h = (size_t)fnv1a(s, n) & mask;; h = (h + 1) & mask) {
        uint32_t e = ss->tab[h];
        if (!e)
            return -1;
        const text *t = &ss->v[e - 1];
        if (t->len == n && memcmp(t->s, s, n) == 0)
            return (long)(e - 1);
    }
}

static void strset_rehash(strset *ss, size_t cap)
{
    free(ss->tab);
    ss->tab = calloc(cap, sizeof *ss->tab);
    if (!ss->tab)
        die("out of memory");
    ss->tabcap = cap;
    for (size_t i = 0; i < ss->n; i++) {
        size_t h = (size_t)fnv1a(ss->v[i].s, ss->v[i].len) & (cap - 1);
        while (ss->tab[h])
            h = (h + 1) & (cap - 1);
        ss->tab[h] = (uint32_t)(i + 1);
    }
}

/* Adds (or finds) s and counts one occurrence; returns its index. */
static uint32_t strset_add(strset *ss, const char *s, size_t n)
{
    long f = strset_find(ss, s, n);
    if (f >= 0) {
        ss->cnt[f]++;
        return (uint32_t)f;
    }
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 16;
        ss->v = xrealloc(ss->v, ss->cap * sizeof *ss->v);
        ss->cnt = xrealloc(ss->cnt, ss->cap * sizeof *ss->cnt);
        ss->aux = xrealloc(ss->aux, ss->cap * sizeof *ss->aux);
    }
    text *t = &ss->v[ss->n];
    t->s = xstrndup(s, n);
    t->len = (uint32_t)n;
    t->cp = u8_count(s, n);
    ss->cnt[ss->n] = 1;
    ss->aux[ss->n] = 0;
    ss->n++;
    if (ss->n * 2 > ss->tabcap)
        strset_rehash(ss, ss->tabcap ? ss->tabcap * 2 : 64);
    else {
        size_t h = (size_t)fnv1a(s, n) & (ss->tabcap - 1);
        while (ss->tab[h])
            h = (h + 1) & (ss->tabcap - 1);
        ss->tab[h] = (uint32_t)ss->n;
    }
    return (uint32_t)(ss->n - 1);
}

static void strset_free(strset *ss)
{
    for (size_t i = 0; i < ss->n; i++)
        free(ss->v[i].s);
    free(ss->v);
    free(ss->cnt);
    free(ss->aux);
    free(ss->tab);
    memset(ss, 0, sizeof *ss);
}

/* ------------------------------------------------------------------ model */

enum { T_POLICY, T_GUIDE, T_NOTICE, T_N };
static const char *const type_names[T_N] = {"policy", "guide", "notice"};

/* Sentence kinds: running prose, list items, lead-ins ending in ：, FAQ answers. */
enum { K_PROSE, K_ITEM, K_INTRO, K_ANS, K_N };

/* Sentences by kind, then by document type (T_N = FAQ or untyped). */
typedef struct {
    idxvec k[K_N];         /* into model.sents, in corpus order */
    idxvec kt[T_N][K_N];   /* the same, documents of one type only */
    idxvec q;              /* into model.questions */
    idxvec tags;           /* into model.tags, one entry per occurrence */
    idxvec cores[T_N];     /* into model.cores */
    idxvec heads[T_N];     /* into model.heads[type], one per occurrence */
    idxvec saluts;         /* into model.saluts */
    idxvec purpose;        /* 为…，制定本办法。 sentences */
    idxvec blk, blkt[T_N]; /* into model.blocks; all, and by document type */
    idxvec docno;          /* into model.docnos */
    uint32_t weight;       /* Markdown documents seen */
} pool;

/* Where one real Markdown document's sentences and lists sit. */
typedef struct {
    uint32_t start[K_N], n[K_N];
    uint32_t bstart, bn; /* into model.blocks */
    uint32_t purpose;    /* its 为…制定本办法 sentence + 1, or 0 */
} srcdoc;

/* A real list: its lead-in sentence (index + 1, or 0) and its items, which
 * are g.k[K_ITEM].v[start .. start + n). */
typedef struct {
    uint32_t intro, start, n;
} block;

typedef struct {
    strset depts; /* canonical names in order of first sight */
    pool *dp;     /* parallel to depts */
    size_t dpcap;
    pool g;
    strset sents; /* every usable sentence, deduplicated */
    strset questions, tags, cores, docnos, chapters, saluts, suffixes;
    strset heads[T_N];   /* aux = sum of positions */
    idxvec suf[T_N];     /* into suffixes, one per titled document */
    idxvec core_doc;     /* parallel to cores: first source document + 1, or 0 */
    idxvec q_start, q_n; /* parallel to questions: its real answer in g.k[K_ANS] */
    idxvec q_dept;       /* parallel to questions: its department + 1, or 0 */
    srcdoc *docs;
    size_t ndocs, docscap;
    block *blocks;
    size_t nblocks, blockscap;
    long cur_dept; /* what is being learned right now */
    long cur_doc;  /* index in docs, or -1 */
    int cur_type;  /* T_POLICY.. or -1 */
    uint32_t type_count[T_N];
    idxvec body_len[T_N]; /* text length of each real document, by type */
    int have_dtxt;
    strset dtxt;          /* every name in departments.txt */
    uint32_t *dtxt_canon; /* parallel: index of its canonical name in dtxt */
    unsigned long n_md, n_faq, n_skipped;
    strset unknown_depts;
} model;

static pool *dept_pool(model *m, long d)
{
    return d < 0 ? NULL : &m->dp[d];
}

static long dept_intern(model *m, const char *s, size_t n)
{
    uint32_t before = (uint32_t)m->depts.n;
    uint32_t d = strset_add(&m->depts, s, n);
    if (m->depts.n != before) {
        if (m->depts.n > m->dpcap) {
            size_t cap = m->dpcap ? m->dpcap * 2 : 16;
            m->dp = xrealloc(m->dp, cap * sizeof *m->dp);
            memset(m->dp + m->dpcap, 0, (cap - m->dpcap) * sizeof *m->dp);
            m->dpcap = cap;
        }
    }
    return (long)d;
}

/* Canonical department index for a name from a document, or -1. */
static long dept_resolve(model *m, const char *s, size_t n)
{
    trim(&s, &n);
    if (!n || n > 120 || !printable(s, n) || !han_count(s, n))
        return -1;
    if (m->have_dtxt) {
        long f = strset_find(&m->dtxt, s, n);
        if (f < 0) {
            strset_add(&m->unknown_depts, s, n);
            return -1;
        }
        const text *c = &m->dtxt.v[m->dtxt_canon[f]];
        return dept_intern(m, c->s, c->len);
    }
    return dept_intern(m, s, n);
}

/* Adds one sentence of a kind to the global pool and the department's. */
static int contains(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, lit, k) == 0)
            return 1;
    return 0;
}

/* Returns the sentence's index, or -1 if it is not usable. */
static long add_sentence(model *m, int kind, const char *s, size_t n)
{
    uint32_t c;
    trim(&s, &n);
    /* drop leading punctuation left over from a split */
    while (n) {
        size_t k = u8_next(s, n, &c);
        if (!k || !(c == CP_COMMA || c == CP_DUN || c == CP_COLON || c == CP_SEMI ||
                    is_full_stop(c) || c == ',' || c == ';'))
            break;
        s += k;
        n -= k;
    }
    trim(&s, &n);
    if (n < 6 || !printable(s, n) || han_count(s, n) < 2 || !balanced(s, n))
        return -1;
    uint32_t cp = u8_count(s, n);
    if (cp < 4 || cp > SENT_MAX_CP)
        return -1;
    /* nothing that Markdown would read as structure at the start of a line */
    if (strchr("#>-+*|=~<`_[!", s[0]))
        return -1;
    size_t d = 0;
    while (d < n && s[d] >= '0' && s[d] <= '9')
        d++;
    if (d && d < n && (s[d] == '.' || s[d] == ')'))
        return -1;
    /* a generated policy writes its own closing articles */
    if (contains(s, n, "起施行") || contains(s, n, "负责解释"))
        return -1;
    /* a short clause cut off by ； reads like a list item, not prose */
    if (kind == K_PROSE && cp < 12)
        kind = K_ITEM;
    uint32_t i = strset_add(&m->sents, s, n);
    pool *p = dept_pool(m, m->cur_dept);
    if (kind == K_PROSE && contains(s, n, "制定本")) {
        /* a policy's purpose: only ever its first article */
        idx_push(&m->g.purpose, i);
        if (p)
            idx_push(&p->purpose, i);
        if (m->cur_doc >= 0 && !m->docs[m->cur_doc].purpose)
            m->docs[m->cur_doc].purpose = i + 1;
        return (long)i;
    }
    idx_push(&m->g.k[kind], i);
    if (p)
        idx_push(&p->k[kind], i);
    if (m->cur_type >= 0) {
        idx_push(&m->g.kt[m->cur_type][kind], i);
        if (p)
            idx_push(&p->kt[m->cur_type][kind], i);
    }
    return (long)i;
}

/* Splits text on 。！？；(a closing quote or bracket stays with its sentence). */
/* Returns the index of a trailing lead-in (…如下：) it added, else -1. */
static long split_sentences(model *m, int kind, const char *s, size_t n)
{
    size_t start = 0, i = 0;
    uint32_t c;
    while (i < n) {
        size_t k = u8_next(s + i, n - i, &c);
        if (!k)
            return -1;
        i += k;
        if (is_full_stop(c) || c == CP_SEMI) {
            while (i < n) {
                uint32_t c2;
                size_t k2 = u8_next(s + i, n - i, &c2);
                if (!k2 || !(is_closer(c2) || is_full_stop(c2)))
                    break;
                i += k2;
            }
            add_sentence(m, kind, s + start, i - start);
            start = i;
        }
    }
    if (start < n) {
        const char *t = s + start;
        size_t tn = n - start;
        trim(&t, &tn);
        if (kind == K_PROSE && ends_with(t, tn, "："))
            return add_sentence(m, K_INTRO, t, tn);
        add_sentence(m, kind, t, tn);
    }
    return -1;
}

/* Strips 第X条 / 一、 / （一） / 1. / (1) and similar. Returns 2 for 第X章
 * (a chapter line), 1 if something was stripped, 0 otherwise. */
static int strip_numbering(const char **ps, size_t *pn)
{
    const char *s = *ps;
    size_t n = *pn, i = 0;
    uint32_t c;
    int rc = 0;
    if (starts_with(s, n, "第")) {
        i = 3;
        size_t k;
        int nums = 0;
        while (i < n && (k = u8_next(s + i, n - i, &c)) &&
               (is_numeral(c) || (c >= '0' && c <= '9'))) {
            i += k;
            nums++;
        }
        if (nums && (starts_with(s + i, n - i, "条") || starts_with(s + i, n - i, "章") ||
                     starts_with(s + i, n - i, "节") || starts_with(s + i, n - i, "款"))) {
            rc = starts_with(s + i, n - i, "章") ? 2 : 1;
            i += 3;
            goto done;
        }
        return 0;
    }
    if (starts_with(s, n, "（") || s[0] == '(') {
        i = s[0] == '(' ? 1 : 3;
        size_t k;
        int nums = 0;
        while (i < n && (k = u8_next(s + i, n - i, &c)) &&
               (is_numeral(c) || (c >= '0' && c <= '9'))) {
            i += k;
            nums++;
        }
        if (nums && nums <= 3 && starts_with(s + i, n - i, "）")) {
            i += 3;
            rc = 1;
            goto done;
        }
        if (nums && nums <= 3 && i < n && s[i] == ')') {
            i += 1;
            rc = 1;
            goto done;
        }
        return 0;
    }
    {
        size_t k;
        int nums = 0, digits = 0;
        while (i < n && (k = u8_next(s + i, n - i, &c)) &&
               (is_numeral(c) || (c >= '0' && c <= '9'))) {
            i += k;
            nums++;
            digits += c < 0x80;
        }
        if (!nums || nums > 3)
            return 0;
        if (starts_with(s + i, n - i, "、") || starts_with(s + i, n - i, "）") ||
            starts_with(s + i, n - i, "．")) {
            i += 3;
            rc = 1;
            goto done;
        }
        if (digits == nums && i < n &&
            (s[i] == ')' || (s[i] == '.' && (i + 1 >= n || s[i + 1] < '0' || s[i + 1] > '9')))) {
            i += 1;
            rc = 1;
            goto done;
        }
        return 0;
    }
done:
    *ps = s + i;
    *pn = n - i;
    trim(ps, pn);
    return rc;
}

/* Removes **bold**, __bold__, `code`, images and turns [text](url) into text. */
static void strip_inline(buf *out, const char *s, size_t n)
{
    buf_clear(out);
    for (size_t i = 0; i < n;) {
        if (i + 1 < n && ((s[i] == '*' && s[i + 1] == '*') || (s[i] == '_' && s[i + 1] == '_'))) {
            i += 2;
            continue;
        }
        if (s[i] == '`') {
            i++;
            continue;
        }
        if (s[i] == '!' && i + 1 < n && s[i + 1] == '[') {
            const char *e = memchr(s + i, ')', n - i);
            if (e) {
                i = (size_t)(e - s) + 1;
                continue;
            }
        }
        if (s[i] == '[') {
            const char *rb = memchr(s + i, ']', n - i);
            if (rb && (size_t)(rb - s) + 1 < n && rb[1] == '(') {
                const char *rp = memchr(rb, ')', n - (size_t)(rb - s));
                if (rp) {
                    buf_add(out, s + i + 1, (size_t)(rb - s) - i - 1);
                    i = (size_t)(rp - s) + 1;
                    continue;
                }
            }
        }
        buf_ch(out, s[i] == '\t' ? ' ' : s[i]);
        i++;
    }
}

/* Next line of d[0..n) from *pos, without its \n or \r\n. */
static int next_line(const char *d, size_t n, size_t *pos, const char **ls, size_t *ll)
{
    if (*pos >= n)
        return 0;
    const char *s = d + *pos;
    const char *e = memchr(s, '\n', n - *pos);
    size_t len = e ? (size_t)(e - s) : n - *pos;
    *pos += len + (e ? 1 : 0);
    if (len && s[len - 1] == '\r')
        len--;
    *ls = s;
    *ll = len;
    return 1;
}

/* A notice's signature line: a bare organisation name or a bare date. */
static int is_signature(const char *s, size_t n)
{
    static const char *const orgs[] = {"局",     "公司", "中心", "政府", "委员会", "管委会",
                                       "办公室", "支队", "大队", "分局", "指挥部"};
    uint32_t cp = u8_count(s, n);
    if (cp > 24)
        return 0;
    int dateish = 1;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t k = u8_next(s + i, n - i, &c);
        if (!k || c == CP_PERIOD || c == CP_COMMA || c == CP_SEMI || c == CP_COLON || c == ':')
            return 0;
        if (!((c >= '0' && c <= '9') || c == 0x5E74 || c == 0x6708 || c == 0x65E5 || c == ' '))
            dateish = 0; /* 年 月 日 */
        i += k;
    }
    if (dateish)
        return 1;
    for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++)
        if (ends_with(s, n, orgs[i]))
            return 1;
    return 0;
}

/* Starts a list after an optional lead-in; returns the block's index. */
static long open_block(model *m, long intro)
{
    if (m->nblocks == m->blockscap) {
        m->blockscap = m->blockscap ? m->blockscap * 2 : 64;
        m->blocks = xrealloc(m->blocks, m->blockscap * sizeof *m->blocks);
    }
    block *b = &m->blocks[m->nblocks];
    b->intro = intro >= 0 ? (uint32_t)intro + 1 : 0;
    b->start = (uint32_t)m->g.k[K_ITEM].n;
    b->n = 0;
    return (long)m->nblocks++;
}

/* Ends the list being read: kept if it has items, and indexed. */
static void close_block(model *m, long *open_blk)
{
    if (*open_blk < 0)
        return;
    block *b = &m->blocks[*open_blk];
    b->n = (uint32_t)m->g.k[K_ITEM].n - b->start;
    if (!b->n || *open_blk + 1 != (long)m->nblocks) {
        m->nblocks--;
    } else {
        uint32_t id = (uint32_t)*open_blk;
        pool *p = dept_pool(m, m->cur_dept);
        idx_push(&m->g.blk, id);
        if (p)
            idx_push(&p->blk, id);
        if (m->cur_type >= 0) {
            idx_push(&m->g.blkt[m->cur_type], id);
            if (p)
                idx_push(&p->blkt[m->cur_type], id);
        }
    }
    *open_blk = -1;
}

static void learn_body(model *m, long dept, int type, const char *d, size_t n)
{
    buf clean = {0};
    size_t pos = 0, ll;
    const char *ls;
    int in_fence = 0, first_text = 1;
    unsigned nhead = 0;
    long intro = -1;    /* lead-in waiting for its list */
    long open_blk = -1; /* list being read */
    while (next_line(d, n, &pos, &ls, &ll)) {
        trim(&ls, &ll);
        if (starts_with(ls, ll, "```") || starts_with(ls, ll, "~~~")) {
            in_fence = !in_fence;
            continue;
        }
        if (in_fence || !ll || ls[0] == '|' || ls[0] == '<' || starts_with(ls, ll, "!["))
            continue;
        if (ls[0] == '#') {
            close_block(m, &open_blk);
            intro = -1;
            int level = 0;
            while (ll && ls[0] == '#') {
                ls++;
                ll--;
                level++;
            }
            strip_inline(&clean, ls, ll);
            const char *h = clean.p;
            size_t hn = clean.n;
            trim(&h, &hn);
            if (level == 1 || !hn)
                continue;
            int rc = strip_numbering(&h, &hn);
            uint32_t cp = u8_count(h, hn);
            if (rc == 2) {
                if (cp >= 2 && cp <= 12 && printable(h, hn) && han_count(h, hn) == cp)
                    strset_add(&m->chapters, h, hn);
            } else if (type >= 0 && cp >= 2 && cp <= 14 && printable(h, hn) &&
                       han_count(h, hn) == cp) {
                uint32_t i = strset_add(&m->heads[type], h, hn);
                m->heads[type].aux[i] += nhead++;
                idx_push(&m->g.heads[type], i);
                if (dept >= 0)
                    idx_push(&m->dp[dept].heads[type], i);
            }
            continue;
        }
        while (ll && ls[0] == '>') {
            ls++;
            ll--;
            trim(&ls, &ll);
        }
        int item = 0;
        if (ll >= 2 && (ls[0] == '-' || ls[0] == '*' || ls[0] == '+') && ls[1] == ' ') {
            ls += 2;
            ll -= 2;
            item = 1;
        }
        strip_inline(&clean, ls, ll);
        const char *t = clean.p;
        size_t tn = clean.n;
        trim(&t, &tn);
        int rc = strip_numbering(&t, &tn);
        if (rc == 2) {
            uint32_t cp = u8_count(t, tn);
            if (cp >= 2 && cp <= 12 && printable(t, tn) && han_count(t, tn) == cp)
                strset_add(&m->chapters, t, tn);
            continue;
        }
        /* 第一条 starts an article, not a list item; （一） / 1. are items */
        if (rc == 1 && !starts_with(clean.p, clean.n, "第"))
            item = 1;
        if (!tn)
            continue;
        uint32_t cp = u8_count(t, tn);
        /* document number such as 株住建发〔2024〕9号 */
        const char *lb = strstr(t, "〔");
        if (lb && (size_t)(lb - t) < tn && ends_with(t, tn, "号") && cp <= 30) {
            size_t pn = (size_t)(lb - t);
            uint32_t pcp = u8_count(t, pn);
            if (pcp >= 2 && pcp <= 10 && han_count(t, pn) == pcp) {
                uint32_t i = strset_add(&m->docnos, t, pn);
                pool *p = dept_pool(m, dept);
                if (p)
                    idx_push(&p->docno, i);
                idx_push(&m->g.docno, i);
            }
            continue;
        }
        if (first_text && !item && cp <= 12 && ends_with(t, tn, "：") &&
            han_count(t, tn) + 1 == cp) {
            uint32_t i = strset_add(&m->saluts, t, tn);
            if (dept >= 0)
                idx_push(&m->dp[dept].saluts, i);
            first_text = 0;
            continue;
        }
        first_text = 0;
        if (!item && is_signature(t, tn))
            continue;
        if (item) {
            if (open_blk < 0)
                open_blk = open_block(m, intro);
            intro = -1;
            if (cp <= 200)
                add_sentence(m, K_ITEM, t, tn);
            else
                split_sentences(m, K_ITEM, t, tn);
        } else {
            close_block(m, &open_blk);
            intro = split_sentences(m, K_PROSE, t, tn);
        }
    }
    close_block(m, &open_blk);
    free(clean.p);
}

/* ----------------------------------------------------------- titles */

static const char *const districts[] = {"天元区",     "芦淞区", "荷塘区", "石峰区", "渌口区",
                                        "云龙示范区", "醴陵市", "攸县",   "茶陵县", "炎陵县"};
#define N_DISTRICTS (sizeof districts / sizeof districts[0])

static const char *const roads[] = {
    "长江南路", "长江北路", "黄河南路", "黄河北路",   "珠江南路", "珠江北路", "泰山路",
    "天台路",   "湘芸路",   "栗雨路",   "新华西路",   "新华东路", "建设南路", "建设北路",
    "建设中路", "人民南路", "人民北路", "红旗北路",   "红旗中路", "车站路",   "神农大道",
    "株洲大道", "田心大道", "铜塘湾路", "清水塘路",   "响石路",   "合泰路",   "文化路",
    "枫溪大道", "仙庾路",   "金山路",   "桂花路",     "炎帝大道", "芦淞路",   "庆云山路",
    "时代大道", "东环路",   "滨江北路", "滨江南路",   "戴家岭路", "钟鼓岭路", "荷塘铺路",
    "新塘路",   "红港路",   "北站路",   "董家塅大道", "石宋路",   "七一路",   "长石路"};
#define N_ROADS (sizeof roads / sizeof roads[0])

/* Streets and towns, by district (same order as districts[]). */
static const char *const streets[][8] = {
    {"嵩山路街道", "泰山路街道", "栗雨街道", "马家河街道", "群丰镇", "雷打石镇", NULL},
    {"建设街道", "贺家土街道", "枫溪街道", "龙泉街道", "庆云街道", "董家塅街道", "白关镇", NULL},
    {"月塘街道", "金山街道", "桂花街道", "茨菇塘街道", "明照街道", "宋家桥街道", "仙庾镇", NULL},
    {"田心街道", "响石岭街道", "清水塘街道", "铜塘湾街道", "井墈街道", "龙头铺街道", NULL},
    {"南洲镇", "淦田镇", "渌口镇", NULL},
    {"学林街道", "云田镇", NULL},
    {"来龙门街道", "阳三石街道", "浦口镇", NULL},
    {"联星街道", "江桥街道", "网岭镇", NULL},
    {"云阳街道", "思聪街道", "虎踞镇", NULL},
    {"霞阳镇", "十都镇", "沔渡镇", NULL}};

/* Title endings by type, longest first within a family. */
static const char *const suffix_table[T_N][24] = {
    {"实施细则", "工作细则", "管理办法", "实施办法", "暂行办法", "管理规定", "暂行规定", "实施方案",
     "工作方案", "工作规程", "工作规范", "实施意见", "指导意见", "管理制度", "办法",     "规定",
     "细则",     "规程",     "规范",     "方案",     "条例",     "意见",     "制度",     NULL},
    {"办事指南", "办理指南", "服务指南", "申领指南", "使用指南", "操作指南", "办理流程", "操作指引",
     "服务须知", "办事须知", "指南", "指引", "须知", NULL},
    {"的通知", "的公告", "的通告", "的提示", "通知", "公告", "通告", "提示", NULL}};

/* Strips a place at the start: 红旗北路 / 田心片区 / 泰山路、黄河南路. */
static void strip_places(const char **ps, size_t *pn)
{
    static const char *const ends[] = {"大道", "片区", "街道", "路", NULL};
    for (int round = 0; round < 3; round++) {
        const char *s = *ps;
        size_t n = *pn, best = 0;
        for (size_t i = 0, cps = 0; i < n && cps < 7; cps++) {
            uint32_t c;
            size_t k = u8_next(s + i, n - i, &c);
            if (!k || !is_han(c))
                break;
            i += k;
            for (int e = 0; ends[e]; e++)
                if (ends_with(s, i, ends[e]) && i > strlen(ends[e]))
                    best = i;
            if (best)
                break;
        }
        if (!best || best >= n)
            return;
        *ps = s + best;
        *pn = n - best;
        if (starts_with(*ps, *pn, "、")) {
            *ps += 3;
            *pn -= 3;
        } else {
            return;
        }
    }
}

static void learn_title(model *m, long dept, int type, const char *s, size_t n)
{
    trim(&s, &n);
    if (!n || !printable(s, n))
        return;
    int about = 0;
    if (starts_with(s, n, "关于")) {
        s += 6;
        n -= 6;
        about = 1;
    }
    int place = about;
    if (starts_with(s, n, "株洲市")) {
        s += 9;
        n -= 9;
        place = 1;
    }
    for (size_t i = 0; i < N_DISTRICTS; i++)
        if (starts_with(s, n, districts[i])) {
            s += strlen(districts[i]);
            n -= strlen(districts[i]);
            place = 1;
            break;
        }
    if (place)
        strip_places(&s, &n);
    /* trailing modifier such as （试行） or （2024年版） */
    if (ends_with(s, n, "）")) {
        for (size_t i = n; i-- > 0;)
            if (starts_with(s + i, n - i, "（")) {
                if (u8_count(s + i, n - i) <= 10)
                    n = i;
                break;
            }
    }
    int sufidx = -1, suftype = type;
    size_t suflen = 0;
    for (int t = 0; t < T_N; t++)
        for (int j = 0; suffix_table[t][j]; j++) {
            size_t k = strlen(suffix_table[t][j]);
            if (k > suflen && k < n && ends_with(s, n, suffix_table[t][j])) {
                suflen = k;
                sufidx = j;
                suftype = t;
            }
        }
    size_t cn = n - suflen;
    if (sufidx >= 0 && type >= 0) {
        /* keep the real ending for this document type */
        const char *suf = s + cn;
        idx_push(&m->suf[type], strset_add(&m->suffixes, suf, suflen));
    }
    const char *core = s;
    trim(&core, &cn);
    uint32_t cp = u8_count(core, cn);
    if (cp < 2 || cp > 30 || !han_count(core, cn) || !balanced(core, cn))
        return;
    size_t before = m->cores.n;
    uint32_t i = strset_add(&m->cores, core, cn);
    if (m->cores.n != before)
        idx_push(&m->core_doc, (uint32_t)m->ndocs + 1);
    int t = type >= 0 ? type : suftype >= 0 ? suftype : T_GUIDE;
    idx_push(&m->g.cores[t], i);
    pool *p = dept_pool(m, dept);
    if (p)
        idx_push(&p->cores[t], i);
}

static void learn_tag(model *m, long dept, const char *s, size_t n)
{
    trim(&s, &n);
    if (!n || !printable(s, n) || u8_count(s, n) > 20)
        return;
    for (size_t i = 0; i < n; i++)
        if (strchr(",;[]{}\"'#:&*!|>%@`\\", s[i]))
            return;
    uint32_t i = strset_add(&m->tags, s, n);
    idx_push(&m->g.tags, i);
    pool *p = dept_pool(m, dept);
    if (p)
        idx_push(&p->tags, i);
}

/* ------------------------------------------------------------ front matter */

/* Unquotes a YAML scalar ("…", '…' or plain with a # comment). */
static void yaml_value(buf *out, const char *s, size_t n)
{
    buf_clear(out);
    trim(&s, &n);
    if (n && s[0] == '"') {
        for (size_t i = 1; i < n && s[i] != '"'; i++) {
            if (s[i] == '\\' && i + 1 < n)
                i++;
            buf_ch(out, s[i]);
        }
        return;
    }
    if (n && s[0] == '\'') {
        for (size_t i = 1; i < n; i++) {
            if (s[i] == '\'') {
                if (i + 1 < n && s[i + 1] == '\'') {
                    buf_ch(out, '\'');
                    i++;
                    continue;
                }
                break;
            }
            buf_ch(out, s[i]);
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
            n = i;
            break;
        }
    trim(&s, &n);
    buf_add(out, s, n);
}

typedef struct {
    buf title, dept, type, val;
    buf tags[32];
    int ntags;
} frontmatter;

static void fm_tag(frontmatter *fm, const char *s, size_t n)
{
    if (fm->ntags >= 32)
        return;
    yaml_value(&fm->val, s, n);
    if (fm->val.n) {
        buf_clear(&fm->tags[fm->ntags]);
        buf_add(&fm->tags[fm->ntags], fm->val.p, fm->val.n);
        fm->ntags++;
    }
}

/* Parses the front matter; *body_off is where the body starts. 0 if none. */
static int fm_parse(frontmatter *fm, const char *d, size_t n, size_t *body_off)
{
    size_t pos = 0, ll;
    const char *ls;
    buf_clear(&fm->title);
    buf_clear(&fm->dept);
    buf_clear(&fm->type);
    fm->ntags = 0;
    if (starts_with(d, n, "\xEF\xBB\xBF"))
        pos = 3;
    if (!next_line(d, n, &pos, &ls, &ll))
        return 0;
    trim(&ls, &ll);
    if (!str_eq(ls, ll, "---"))
        return 0;
    int in_tags = 0;
    while (next_line(d, n, &pos, &ls, &ll)) {
        trim(&ls, &ll);
        if (str_eq(ls, ll, "---") || str_eq(ls, ll, "...")) {
            *body_off = pos;
            return 1;
        }
        if (!ll || ls[0] == '#')
            continue;
        if (in_tags && ls[0] == '-' && (ll == 1 || ls[1] == ' ')) {
            fm_tag(fm, ls + 1, ll - 1);
            continue;
        }
        in_tags = 0;
        const char *colon = memchr(ls, ':', ll);
        if (!colon)
            continue;
        const char *k = ls;
        size_t kn = (size_t)(colon - ls);
        trim(&k, &kn);
        const char *v = colon + 1;
        size_t vn = (size_t)(ls + ll - v);
        trim(&v, &vn);
        if (str_eq(k, kn, "title"))
            yaml_value(&fm->title, v, vn);
        else if (str_eq(k, kn, "department"))
            yaml_value(&fm->dept, v, vn);
        else if (str_eq(k, kn, "type"))
            yaml_value(&fm->type, v, vn);
        else if (str_eq(k, kn, "tags")) {
            if (vn && v[0] == '[') {
                const char *e = memchr(v, ']', vn);
                size_t end = e ? (size_t)(e - v) : vn;
                size_t st = 1;
                for (size_t i = 1; i <= end; i++)
                    if (i == end || v[i] == ',') {
                        fm_tag(fm, v + st, i - st);
                        st = i + 1;
                    }
            } else if (!vn) {
                in_tags = 1;
            } else {
                fm_tag(fm, v, vn);
            }
        }
    }
    return 0;
}

static void fm_free(frontmatter *fm)
{
    free(fm->title.p);
    free(fm->dept.p);
    free(fm->type.p);
    free(fm->val.p);
    for (int i = 0; i < 32; i++)
        free(fm->tags[i].p);
}

static void learn_md(model *m, frontmatter *fm, const char *path, const char *d, size_t n)
{
    size_t body = 0;
    if (!fm_parse(fm, d, n, &body)) {
        warn("%s: no front matter, skipped", path);
        m->n_skipped++;
        return;
    }
    long dept = dept_resolve(m, fm->dept.p ? fm->dept.p : "", fm->dept.n);
    int type = -1;
    for (int t = 0; t < T_N; t++)
        if (str_eq(fm->type.p ? fm->type.p : "", fm->type.n, type_names[t]))
            type = t;
    if (type >= 0)
        m->type_count[type]++;
    if (dept >= 0)
        m->dp[dept].weight++;
    if (fm->title.n)
        learn_title(m, dept, type, fm->title.p, fm->title.n);
    for (int i = 0; i < fm->ntags; i++)
        learn_tag(m, dept, fm->tags[i].p, fm->tags[i].n);
    if (m->ndocs == m->docscap) {
        m->docscap = m->docscap ? m->docscap * 2 : 64;
        m->docs = xrealloc(m->docs, m->docscap * sizeof *m->docs);
    }
    srcdoc *sd = &m->docs[m->ndocs++];
    for (int k = 0; k < K_N; k++)
        sd->start[k] = (uint32_t)m->g.k[k].n;
    sd->bstart = (uint32_t)m->nblocks;
    sd->purpose = 0;
    m->cur_doc = (long)m->ndocs - 1;
    m->cur_dept = dept;
    m->cur_type = type;
    learn_body(m, dept, type, d + body, n - body);
    if (type >= 0) {
        uint32_t len = 0; /* code points other than spaces and Markdown marks */
        for (size_t i = body; i < n; i++) {
            unsigned char c = (unsigned char)d[i];
            len += (c & 0xC0) != 0x80 && !strchr(" \t\r\n#*-|>", c);
        }
        idx_push(&m->body_len[type], len);
    }
    sd = &m->docs[m->cur_doc];
    for (int k = 0; k < K_N; k++)
        sd->n[k] = (uint32_t)m->g.k[k].n - sd->start[k];
    sd->bn = (uint32_t)m->nblocks - sd->bstart;
    m->n_md++;
}

/* -------------------------------------------------------------------- CSV */

typedef struct {
    buf *f;
    size_t n, cap;
} record;

/* Parses one RFC 4180 record at *pos; returns 0 at end of input. */
static int csv_record(record *r, const char *d, size_t n, size_t *pos)
{
    size_t i = *pos;
    if (i >= n)
        return 0;
    r->n = 0;
    for (;;) {
        if (r->n == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 8;
            r->f = xrealloc(r->f, cap * sizeof *r->f);
            memset(r->f + r->cap, 0, (cap - r->cap) * sizeof *r->f);
            r->cap = cap;
        }
        buf *f = &r->f[r->n++];
        buf_clear(f);
        buf_reserve(f, 0);
        if (i < n && d[i] == '"') {
            i++;
            while (i < n) {
                if (d[i] == '"') {
                    if (i + 1 < n && d[i + 1] == '"') {
                        buf_ch(f, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf_ch(f, d[i++]);
            }
        }
        while (i < n && d[i] != ',' && d[i] != '\n' &&
               !(d[i] == '\r' && i + 1 < n && d[i + 1] == '\n'))
            buf_ch(f, d[i++]);
        if (i < n && d[i] == ',') {
            i++;
            continue;
        }
        if (i < n && d[i] == '\r')
            i++;
        if (i < n && d[i] == '\n')
            i++;
        break;
    }
    *pos = i;
    return 1;
}

static void learn_csv(model *m, const char *path, const char *d, size_t n)
{
    record r = {0};
    size_t pos = 0;
    buf line = {0};
    if (starts_with(d, n, "\xEF\xBB\xBF"))
        pos = 3;
    int col[5] = {-1, -1, -1, -1, -1};
    static const char *const names[5] = {"id", "question", "answer", "department", "tags"};
    if (!csv_record(&r, d, n, &pos))
        goto done;
    for (size_t c = 0; c < r.n; c++) {
        const char *s = r.f[c].p;
        size_t sn = r.f[c].n;
        trim(&s, &sn);
        for (int k = 0; k < 5; k++)
            if (str_eq(s, sn, names[k]))
                col[k] = (int)c;
    }
    if (col[1] < 0 || col[2] < 0 || col[3] < 0) {
        warn("%s: header is not id,question,answer,department,tags; skipped", path);
        m->n_skipped++;
        goto done;
    }
    while (csv_record(&r, d, n, &pos)) {
        if ((size_t)col[1] >= r.n || (size_t)col[2] >= r.n || (size_t)col[3] >= r.n)
            continue;
        long dept = dept_resolve(m, r.f[col[3]].p, r.f[col[3]].n);
        m->n_faq++;
        m->cur_dept = dept;
        m->cur_type = -1;
        m->cur_doc = -1;
        const char *q = r.f[col[1]].p;
        size_t qn = r.f[col[1]].n;
        trim(&q, &qn);
        uint32_t qcp = u8_count(q, qn);
        int new_q = 0;
        if (qcp >= 4 && qcp <= 120 && printable(q, qn) && han_count(q, qn) >= 2) {
            size_t before = m->questions.n;
            uint32_t i = strset_add(&m->questions, q, qn);
            idx_push(&m->g.q, i);
            if (dept >= 0)
                idx_push(&m->dp[dept].q, i);
            new_q = m->questions.n != before;
        }
        uint32_t ans_start = (uint32_t)m->g.k[K_ANS].n;
        size_t lp = 0, ll;
        const char *ls;
        while (next_line(r.f[col[2]].p, r.f[col[2]].n, &lp, &ls, &ll)) {
            trim(&ls, &ll);
            if (ll >= 2 && (ls[0] == '-' || ls[0] == '*') && ls[1] == ' ') {
                ls += 2;
                ll -= 2;
            }
            strip_inline(&line, ls, ll);
            const char *t = line.p;
            size_t tn = line.n;
            trim(&t, &tn);
            strip_numbering(&t, &tn);
            split_sentences(m, K_ANS, t, tn);
        }
        if (new_q) {
            idx_push(&m->q_start, ans_start);
            idx_push(&m->q_dept, dept >= 0 ? (uint32_t)dept + 1 : 0);
            idx_push(&m->q_n, (uint32_t)m->g.k[K_ANS].n - ans_start);
        }
        if (col[4] >= 0 && (size_t)col[4] < r.n) {
            const char *t = r.f[col[4]].p;
            size_t tn = r.f[col[4]].n, st = 0;
            for (size_t i = 0; i <= tn; i++)
                if (i == tn || t[i] == ';') {
                    learn_tag(m, dept, t + st, i - st);
                    st = i + 1;
                }
        }
    }
done:
    for (size_t c = 0; c < r.cap; c++)
        free(r.f[c].p);
    free(r.f);
    free(line.p);
}

/* -------------------------------------------------------------- file walk */

static int read_file(const char *path, buf *out)
{
    buf_clear(out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char tmp[65536];
    size_t k;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_add(out, tmp, k);
    int err = ferror(f);
    fclose(f);
    buf_reserve(out, 0);
    return err ? -1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in a directory (no hidden entries); NULL if unreadable. */
static char **list_dir(const char *path, size_t *count)
{
    DIR *dir = opendir(path);
    if (!dir)
        return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrndup(e->d_name, strlen(e->d_name));
    }
    closedir(dir);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    *count = n;
    return names ? names : xrealloc(NULL, sizeof *names);
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void path_join(buf *b, const char *dir, const char *name)
{
    buf_clear(b);
    buf_str(b, dir);
    if (b->n && b->p[b->n - 1] != '/')
        buf_ch(b, '/');
    buf_str(b, name);
}

static void walk(model *m, frontmatter *fm, buf *data, const char *dir, int depth)
{
    size_t n;
    char **names = list_dir(dir, &n);
    if (!names) {
        if (depth == 0)
            die("cannot read corpus directory %s: %s", dir, strerror(errno));
        warn("cannot read %s: %s", dir, strerror(errno));
        return;
    }
    buf path = {0};
    for (size_t i = 0; i < n; i++) {
        path_join(&path, dir, names[i]);
        struct stat st;
        if (stat(path.p, &st) != 0)
            continue;
        size_t ln = strlen(names[i]);
        if (S_ISDIR(st.st_mode)) {
            if (depth < WALK_MAX_DEPTH)
                walk(m, fm, data, path.p, depth + 1);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        int md = ends_with(names[i], ln, ".md"), csv = ends_with(names[i], ln, ".csv");
        if (!md && !csv)
            continue;
        if (read_file(path.p, data) != 0) {
            warn("cannot read %s: %s", path.p, strerror(errno));
            m->n_skipped++;
            continue;
        }
        if (!u8_valid(data->p, data->n)) {
            warn("%s: invalid UTF-8, skipped", path.p);
            m->n_skipped++;
            continue;
        }
        if (md)
            learn_md(m, fm, path.p, data->p, data->n);
        else
            learn_csv(m, path.p, data->p, data->n);
    }
    free(path.p);
    free_list(names, n);
}

/* departments.txt: canonical name first, then aliases. */
static void load_departments(model *m, const char *from)
{
    buf path = {0}, data = {0};
    path_join(&path, from, "departments.txt");
    if (read_file(path.p, &data) != 0 || !u8_valid(data.p, data.n))
        goto done;
    size_t pos = 0, ll;
    const char *ls;
    while (next_line(data.p, data.n, &pos, &ls, &ll)) {
        const char *hash = memchr(ls, '#', ll);
        if (hash)
            ll = (size_t)(hash - ls);
        long canon = -1;
        for (size_t i = 0; i < ll;) {
            while (i < ll && (ls[i] == ' ' || ls[i] == '\t' || ls[i] == ','))
                i++;
            size_t st = i;
            while (i < ll && ls[i] != ' ' && ls[i] != '\t' && ls[i] != ',')
                i++;
            if (i == st)
                continue;
            size_t before = m->dtxt.n;
            uint32_t id = strset_add(&m->dtxt, ls + st, i - st);
            if (m->dtxt.n != before) {
                m->dtxt_canon = xrealloc(m->dtxt_canon, m->dtxt.cap * sizeof *m->dtxt_canon);
                m->dtxt_canon[id] = canon < 0 ? id : (uint32_t)canon;
            }
            if (canon < 0)
                canon = (long)m->dtxt_canon[id];
        }
    }
    m->have_dtxt = m->dtxt.n > 0;
done:
    free(path.p);
    free(data.p);
}

/* -------------------------------------------------------------- generator */

/* Body-length shape (code points): log-normal, median 900, sigma 0.62. Each
 * type scales it (policies long, notices short) so that the mixture's median
 * stays at 900; lengths above 4,000 are squeezed below 5,000. */
static const struct {
    uint32_t pm;
    uint32_t cp;
} len_table[] = {{0, 150},    {10, 213},   {50, 325},   {100, 407},  {200, 534},  {300, 650},
                 {400, 769},  {500, 900},  {600, 1053}, {700, 1246}, {800, 1517}, {900, 1992},
                 {950, 2495}, {980, 3215}, {990, 3808}, {995, 4444}, {999, 6114}, {1000, 8000}};
#define LEN_N (sizeof len_table / sizeof len_table[0])
#define LEN_MEDIAN 900.0

/* The shape's quantile at u (per million). */
static double len_quantile(uint32_t u)
{
    size_t i = 1;
    while (i + 1 < LEN_N && len_table[i].pm * 1000 <= u)
        i++;
    double a = len_table[i - 1].pm * 1000.0, b = len_table[i].pm * 1000.0;
    double ca = len_table[i - 1].cp, cb = len_table[i].cp;
    return ca + (cb - ca) * ((double)u - a) / (b - a);
}

/* The shape's CDF at x. */
static double len_cdf(double x)
{
    if (x <= len_table[0].cp)
        return 0;
    for (size_t i = 1; i < LEN_N; i++)
        if (x < len_table[i].cp) {
            double ca = len_table[i - 1].cp, cb = len_table[i].cp;
            return (len_table[i - 1].pm +
                    (len_table[i].pm - len_table[i - 1].pm) * (x - ca) / (cb - ca)) /
                   1000.0;
        }
    return 1;
}

/* Factor f so that a mixture of shapes scaled by mult[t] * f, in proportions
 * p[t], has its median at LEN_MEDIAN (bisection; the CDF falls as f grows). */
static double len_calibrate(const double *mult, const double *p)
{
    double lo = 0.1, hi = 10;
    for (int it = 0; it < 60; it++) {
        double f = (lo + hi) / 2, F = 0;
        for (int t = 0; t < T_N; t++)
            F += p[t] * len_cdf(LEN_MEDIAN / (mult[t] * f));
        if (F > 0.5)
            lo = f;
        else
            hi = f;
    }
    return (lo + hi) / 2;
}

/* Generated text ends past its target by about a sentence: aim lower. */
#define LEN_OVERSHOOT 0.97

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Median of a vector (sorted in place); 0 if empty. */
static double median_u32(idxvec *v)
{
    if (!v->n)
        return 0;
    qsort(v->v, v->n, sizeof *v->v, cmp_u32);
    return v->n % 2 ? v->v[v->n / 2] : (v->v[v->n / 2 - 1] + (double)v->v[v->n / 2]) / 2;
}

static uint32_t draw_length(rng *r, double scale)
{
    double v = len_quantile(rng_below(r, 1000000)) * scale;
    if (v > 4000)
        v = 4000 + (v - 4000) / (1 + (v - 4000) / 1000);
    if (v < BODY_MIN_CP)
        v = BODY_MIN_CP;
    return (uint32_t)v;
}

typedef struct {
    int y;
    unsigned m, d;
} date;

static long days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static date civil_from_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    date out;
    out.d = doy - (153 * mp + 2) / 5 + 1;
    out.m = mp < 10 ? mp + 3 : mp - 9;
    out.y = (int)(y + (out.m <= 2));
    return out;
}

static void buf_iso(buf *b, date dt)
{
    buf_uint(b, (unsigned long)dt.y, 4);
    buf_ch(b, '-');
    buf_uint(b, dt.m, 2);
    buf_ch(b, '-');
    buf_uint(b, dt.d, 2);
}

static void buf_cn_date(buf *b, date dt)
{
    buf_uint(b, (unsigned long)dt.y, 1);
    buf_str(b, "年");
    buf_uint(b, dt.m, 1);
    buf_str(b, "月");
    buf_uint(b, dt.d, 1);
    buf_str(b, "日");
}

/* Chinese numeral for 1..9999: 十二, 二十, 一百零五. */
static void buf_cn_num(buf *b, unsigned n)
{
    static const char *const dg[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    static const char *const unit[] = {"千", "百", "十", ""};
    if (n < 10) {
        buf_str(b, dg[n]);
        return;
    }
    if (n < 20) {
        buf_str(b, "十");
        if (n % 10)
            buf_str(b, dg[n % 10]);
        return;
    }
    unsigned d[4] = {n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10};
    int i = 0, zero = 0;
    while (!d[i])
        i++;
    for (; i < 4; i++) {
        if (!d[i]) {
            zero = 1;
            continue;
        }
        if (zero)
            buf_str(b, "零");
        zero = 0;
        buf_str(b, dg[d[i]]);
        buf_str(b, unit[i]);
    }
}

/* Emits a YAML scalar plainly when that is safe, else double-quoted. */
static void yaml_scalar(buf *b, const char *s, size_t n)
{
    int ascii_only = 1, safe = n > 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            ascii_only = 0;
        else if (strchr(":#[]{},&*!|>'\"%@`\\", c) || c < 0x20)
            safe = 0;
    }
    if (safe && (s[0] == '-' || s[0] == '?' || s[0] == ' ' || s[n - 1] == ' '))
        safe = 0;
    if (safe && !ascii_only) {
        buf_add(b, s, n);
        return;
    }
    buf_ch(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            buf_ch(b, '\\');
        buf_ch(b, s[i]);
    }
    buf_ch(b, '"');
}

/* CSV field, quoted when it holds a comma, quote, CR, LF or edge spaces. */
static void csv_field(buf *b, const char *s, size_t n)
{
    int q = n && (s[0] == ' ' || s[n - 1] == ' ');
    for (size_t i = 0; i < n && !q; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            q = 1;
    if (!q) {
        buf_add(b, s, n);
        return;
    }
    buf_ch(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_ch(b, '"');
        buf_ch(b, s[i]);
    }
    buf_ch(b, '"');
}

/* A run reads consecutive real sentences v[0..n), so text stays coherent. */
typedef struct {
    const uint32_t *v;
    size_t n, pos;
} run;

#define SEEN_SLOTS 1024u

/* One document being generated. */
typedef struct {
    const model *m;
    rng r;
    long dept;
    int type;  /* T_POLICY.. or T_N for a FAQ row */
    long home; /* real document the title fragment came from, or -1 */
    run runs[K_N];
    uint32_t seen[SEEN_SLOTS]; /* sentence index + 1: no sentence twice */
    size_t nseen;
    uint32_t last; /* last sentence index + 1 */
    int fresh;     /* whether next_sentence found an unused one */
    uint32_t cp;   /* code points of text so far (not markup) */
} doc;

/* Whether the document already used a sentence. */
static int seen_has(const doc *dc, uint32_t idx)
{
    size_t h = (idx * 2654435761u) & (SEEN_SLOTS - 1);
    while (dc->seen[h]) {
        if (dc->seen[h] == idx + 1)
            return 1;
        h = (h + 1) & (SEEN_SLOTS - 1);
    }
    return 0;
}

/* Marks a sentence used; returns 1 if it already was. */
static int seen_mark(doc *dc, uint32_t idx)
{
    if (dc->nseen >= SEEN_SLOTS / 2)
        return 0;
    size_t h = (idx * 2654435761u) & (SEEN_SLOTS - 1);
    while (dc->seen[h]) {
        if (dc->seen[h] == idx + 1)
            return 1;
        h = (h + 1) & (SEEN_SLOTS - 1);
    }
    dc->seen[h] = idx + 1;
    dc->nseen++;
    return 0;
}

/* Sentence sources, nearest first: the home document, the department's
 * documents of this type, the department, all documents of this type, all. */
enum { TIER_HOME, TIER_DEPT_TYPE, TIER_DEPT, TIER_TYPE, TIER_ALL, TIER_N };

static int tier_slice(const doc *dc, int tier, int kind, run *out)
{
    const model *m = dc->m;
    const pool *dp = dc->dept >= 0 ? &m->dp[dc->dept] : NULL;
    const idxvec *x = NULL;
    if (tier == TIER_HOME) {
        if (dc->home < 0)
            return 0;
        const srcdoc *sd = &m->docs[dc->home];
        if (!sd->n[kind])
            return 0;
        out->v = m->g.k[kind].v + sd->start[kind];
        out->n = sd->n[kind];
        return 1;
    }
    if (tier == TIER_DEPT_TYPE)
        x = dp && dc->type < T_N ? &dp->kt[dc->type][kind] : NULL;
    else if (tier == TIER_DEPT)
        x = dp ? &dp->k[kind] : NULL;
    else if (tier == TIER_TYPE)
        x = dc->type < T_N ? &m->g.kt[dc->type][kind] : NULL;
    else
        x = &m->g.k[kind];
    if (!x || !x->n)
        return 0;
    out->v = x->v;
    out->n = x->n;
    return 1;
}

/* How often each tier is drawn (cumulative per-mille). */
static const uint32_t tier_cum_pm[TIER_N] = {500, 800, 940, 975, 1000};

static int draw_tier(doc *dc, int min_tier)
{
    uint32_t u = rng_below(&dc->r, 1000);
    int tier = 0;
    while (tier_cum_pm[tier] <= u)
        tier++;
    return tier < min_tier ? min_tier : tier;
}

/* Starts a new run at a random sentence, from the tier drawn or a wider one. */
static void jump(doc *dc, int kind, run *ru, int min_tier)
{
    static const int fallback[K_N][K_N] = {{K_PROSE, K_ANS, K_ITEM, K_INTRO},
                                           {K_ITEM, K_PROSE, K_ANS, K_INTRO},
                                           {K_INTRO, K_PROSE, K_ANS, K_ITEM},
                                           {K_ANS, K_PROSE, K_ITEM, K_INTRO}};
    int tier = draw_tier(dc, min_tier), ok = 0;
    for (int t = tier; t < TIER_N && !ok; t++)
        ok = tier_slice(dc, t, kind, ru);
    for (int i = 1; i < K_N && !ok; i++)
        ok = tier_slice(dc, TIER_ALL, fallback[kind][i], ru);
    /* the corpus has at least one sentence, so some pool is never empty */
    ru->pos = rng_below(&dc->r, (uint32_t)ru->n);
}

/* Next sentence of a kind: mostly the next one of the current run, never
 * one this document already used unless the pools run dry. */
static const text *next_sentence(doc *dc, int kind)
{
    run *ru = &dc->runs[kind];
    uint32_t idx = 0;
    dc->fresh = 0;
    for (int attempt = 0; attempt < 10 && !dc->fresh; attempt++) {
        if (attempt == 0 && ru->v && ru->pos + 1 < ru->n && chance(&dc->r, 750))
            ru->pos++;
        else
            jump(dc, kind, ru, attempt < 3 ? 0 : attempt < 6 ? TIER_DEPT : TIER_ALL);
        idx = ru->v[ru->pos];
        dc->fresh = !seen_mark(dc, idx);
    }
    /* a tiny corpus runs dry: repeat, but not the sentence just written */
    for (int attempt = 0; attempt < 4 && !dc->fresh && idx + 1 == dc->last; attempt++) {
        jump(dc, kind, ru, TIER_ALL);
        idx = ru->v[ru->pos];
    }
    dc->last = idx + 1;
    return &dc->m->sents.v[idx];
}

/* How a sentence is ended in running text. */
enum { END_KEEP, END_PROSE_MID, END_PROSE_LAST, END_ITEM_LAST };

static void emit_sentence(doc *dc, buf *b, const text *t, int mode)
{
    size_t st, n = t->len;
    uint32_t c = u8_last(t->s, n, &st);
    uint32_t cp = t->cp;
    if (mode == END_KEEP) {
        buf_add(b, t->s, n);
    } else if (is_full_stop(c) || is_closer(c)) {
        buf_add(b, t->s, n);
    } else if (c == CP_SEMI) {
        if (mode == END_PROSE_MID) {
            buf_add(b, t->s, n);
        } else {
            buf_add(b, t->s, st);
            buf_str(b, "。");
        }
    } else if (c == CP_COMMA || c == CP_COLON || c == CP_DUN) {
        if (mode == END_ITEM_LAST) {
            buf_add(b, t->s, n);
        } else {
            buf_add(b, t->s, st);
            buf_str(b, "。");
        }
    } else {
        buf_add(b, t->s, n);
        if (mode != END_ITEM_LAST) {
            buf_str(b, "。");
            cp++;
        }
    }
    dc->cp += cp;
}

/* A paragraph of 1..max sentences, stopping early once `limit` is reached. */
static void emit_paragraph(doc *dc, buf *b, unsigned max, uint32_t limit)
{
    unsigned k = rng_range(&dc->r, 1, max);
    for (unsigned i = 0; i < k; i++) {
        const text *t = next_sentence(dc, K_PROSE);
        int last = i + 1 == k || dc->cp + t->cp >= limit;
        emit_sentence(dc, b, t, last ? END_PROSE_LAST : END_PROSE_MID);
        if (last)
            break;
    }
}

static uint32_t pick_from(rng *r, const idxvec *v)
{
    return v->v[rng_below(r, (uint32_t)v->n)];
}

/* A list: ordered "1. " or bulleted "- " or policy-style "（一）" paragraphs. */
enum { LIST_ORDERED, LIST_BULLET, LIST_CN };

static void list_marker(doc *dc, buf *b, int style, unsigned i)
{
    if (style == LIST_ORDERED) {
        buf_uint(b, i + 1, 1);
        buf_str(b, ". ");
    } else if (style == LIST_BULLET) {
        buf_str(b, "- ");
    } else {
        buf_str(b, "（");
        buf_cn_num(b, i + 1);
        buf_str(b, "）");
        dc->cp += 3;
    }
}

/* Items end in ； (or bare), the last one in 。 */
static void emit_item(doc *dc, buf *b, const text *t, int last)
{
    size_t st;
    uint32_t c = u8_last(t->s, t->len, &st);
    if (!last && c == CP_PERIOD) {
        buf_add(b, t->s, st);
        buf_str(b, "；");
    } else if (last && (c == CP_SEMI || c == CP_COMMA || c == CP_DUN)) {
        buf_add(b, t->s, st);
        buf_str(b, "。");
    } else {
        buf_add(b, t->s, t->len);
    }
    dc->cp += t->cp;
}

/* A real list, from the same tiers as sentences; NULL if none fits. */
static const block *pick_block(doc *dc, int need_intro)
{
    const model *m = dc->m;
    const pool *dp = dc->dept >= 0 ? &m->dp[dc->dept] : NULL;
    if (!m->nblocks)
        return NULL;
    for (int attempt = 0; attempt < 8; attempt++) {
        const block *bl = NULL;
        for (int t = draw_tier(dc, attempt < 4 ? 0 : TIER_DEPT); t < TIER_N && !bl; t++) {
            const idxvec *x = NULL;
            if (t == TIER_HOME) {
                if (dc->home >= 0 && m->docs[dc->home].bn)
                    bl = &m->blocks[m->docs[dc->home].bstart +
                                    rng_below(&dc->r, m->docs[dc->home].bn)];
                continue;
            }
            if (t == TIER_DEPT_TYPE)
                x = dp && dc->type < T_N ? &dp->blkt[dc->type] : NULL;
            else if (t == TIER_DEPT)
                x = dp ? &dp->blk : NULL;
            else if (t == TIER_TYPE)
                x = dc->type < T_N ? &m->g.blkt[dc->type] : NULL;
            else
                x = &m->g.blk;
            if (x && x->n)
                bl = &m->blocks[pick_from(&dc->r, x)];
        }
        if (!bl)
            return NULL;
        if ((need_intro && !bl->intro) || seen_has(dc, m->g.k[K_ITEM].v[bl->start]))
            continue;
        return bl;
    }
    return NULL;
}

/* Emits a real list (with its lead-in when asked and present); 0 if none. */
static int emit_block(doc *dc, buf *b, int style, int need_intro, int want_intro, uint32_t budget)
{
    const model *m = dc->m;
    const block *bl = pick_block(dc, need_intro);
    if (!bl)
        return 0;
    if (want_intro && bl->intro) {
        const text *t = &m->sents.v[bl->intro - 1];
        seen_mark(dc, bl->intro - 1);
        emit_sentence(dc, b, t, END_KEEP);
        buf_str(b, "\n\n");
    }
    /* about 30 characters an item; 2..8 items */
    uint32_t room = budget > dc->cp ? (budget - dc->cp) / 30 : 0;
    unsigned n = room < 2 ? 2 : room > 8 ? 8 : room;
    if (n > bl->n)
        n = bl->n;
    for (unsigned i = 0; i < n; i++) {
        uint32_t si = m->g.k[K_ITEM].v[bl->start + i];
        seen_mark(dc, si);
        list_marker(dc, b, style, i);
        emit_item(dc, b, &m->sents.v[si], i + 1 == n);
        buf_str(b, style == LIST_CN ? "\n\n" : "\n");
    }
    if (style != LIST_CN)
        buf_ch(b, '\n');
    return 1;
}

/* A list of items read from the item pools (when no real list fits). */
static void emit_list(doc *dc, buf *b, int style, unsigned nitems)
{
    for (unsigned i = 0; i < nitems; i++) {
        list_marker(dc, b, style, i);
        emit_item(dc, b, next_sentence(dc, K_ITEM), i + 1 == nitems);
        buf_str(b, style == LIST_CN ? "\n\n" : "\n");
    }
    if (style != LIST_CN)
        buf_ch(b, '\n');
}

/* District matching the department (天元区人民政府 → 天元区), else random. */
static size_t pick_district(doc *dc)
{
    if (dc->dept >= 0) {
        const text *d = &dc->m->depts.v[dc->dept];
        for (size_t i = 0; i < N_DISTRICTS; i++)
            if (starts_with(d->s, d->len, districts[i]) && chance(&dc->r, 900))
                return i;
    }
    return rng_below(&dc->r, N_DISTRICTS);
}

/* A road (anywhere) or a street or town of the district. */
static const char *pick_place(doc *dc, size_t dist, int street)
{
    if (!street)
        return roads[rng_below(&dc->r, N_ROADS)];
    uint32_t n = 0;
    while (streets[dist][n])
        n++;
    return streets[dist][rng_below(&dc->r, n)];
}

/* 20xx followed by 年, a dash or 至: a year in a title. */
static int year_at(const char *s, size_t n, size_t i)
{
    if (i + 4 > n || s[i] != '2' || s[i + 1] != '0' || s[i + 2] < '0' || s[i + 2] > '9' ||
        s[i + 3] < '0' || s[i + 3] > '9' || (i && s[i - 1] >= '0' && s[i - 1] <= '9'))
        return 0;
    const char *t = s + i + 4;
    size_t tn = n - i - 4;
    return starts_with(t, tn, "年") || starts_with(t, tn, "—") || starts_with(t, tn, "至") ||
           starts_with(t, tn, "～") || (tn && (t[0] == '-' || t[0] == '~'));
}

/* Copies a title fragment, moving its years so the first is `year`
 * (2025—2026年 stays a two-year range). */
static void put_with_year(buf *b, const char *s, size_t n, int year)
{
    int delta = 0, have = 0;
    for (size_t i = 0; i < n; i++) {
        if (year_at(s, n, i)) {
            int y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 +
                    (s[i + 3] - '0');
            if (!have) {
                delta = year - y;
                have = 1;
            }
            buf_uint(b, (unsigned long)(y + delta), 4);
            i += 3;
            continue;
        }
        buf_ch(b, s[i]);
    }
}

/* A title fragment for the type, from the department's own titles when it
 * has any; *core is its index in model.cores, or -1 for a stand-in. */
static const text *pick_core(doc *dc, int type, long *core)
{
    const model *m = dc->m;
    const pool *dp = dc->dept >= 0 ? &m->dp[dc->dept] : NULL;
    const idxvec *cands[5];
    int nc = 0;
    *core = -1;
    if (dp && chance(&dc->r, 950)) {
        cands[nc++] = &dp->cores[type];
        cands[nc++] = &dp->cores[(type + 1) % T_N];
        cands[nc++] = &dp->cores[(type + 2) % T_N];
    }
    cands[nc++] = &m->g.cores[type];
    cands[nc++] = &m->g.cores[(type + 1) % T_N];
    for (int i = 0; i < nc; i++)
        if (cands[i]->n) {
            *core = (long)pick_from(&dc->r, cands[i]);
            return &m->cores.v[*core];
        }
    if (m->g.cores[(type + 2) % T_N].n) {
        *core = (long)pick_from(&dc->r, &m->g.cores[(type + 2) % T_N]);
        return &m->cores.v[*core];
    }
    /* no titles at all: use a tag */
    if (dp && dp->tags.n)
        return &m->tags.v[pick_from(&dc->r, &dp->tags)];
    if (m->g.tags.n)
        return &m->tags.v[pick_from(&dc->r, &m->g.tags)];
    return NULL;
}

static const char *pick_suffix(doc *dc, int type, size_t *len)
{
    const model *m = dc->m;
    if (m->suf[type].n && chance(&dc->r, 900)) {
        const text *t = &m->suffixes.v[pick_from(&dc->r, &m->suf[type])];
        *len = t->len;
        return t->s;
    }
    static const char *const fallback[T_N][4] = {{"管理办法", "实施细则", "管理规定", "实施办法"},
                                                 {"办事指南", "办理指南", "服务指南", "办事指南"},
                                                 {"的通知", "的公告", "的通告", "的通知"}};
    const char *s = fallback[type][rng_below(&dc->r, 4)];
    *len = strlen(s);
    return s;
}

/* Title: a real fragment and ending, placed somewhere in the city so that
 * titles differ: 荷塘区月塘街道住宅装修管理办法（2024年版）. */
static void make_title(doc *dc, buf *b, int type, int year, const char **kind_word)
{
    static const char *const points[] = {"服务点", "便民服务中心", "政务服务站", "服务窗口"};
    long ci;
    const text *core = pick_core(dc, type, &ci);
    dc->home = ci >= 0 && dc->m->core_doc.v[ci] ? (long)dc->m->core_doc.v[ci] - 1 : -1;
    const char *cs = core ? core->s : "政务服务事项";
    size_t cn = core ? core->len : strlen(cs);
    size_t sn;
    const char *suf = pick_suffix(dc, type, &sn);
    size_t di = pick_district(dc);
    const char *dist = districts[di];
    uint32_t u = rng_below(&dc->r, 1000);
    buf_clear(b);
    if (type == T_POLICY) {
        buf_str(b, dist);
        if (u < 450) {
            buf_str(b, pick_place(dc, di, 0));
            buf_str(b, "片区");
        } else if (u < 750) {
            buf_str(b, pick_place(dc, di, 1));
        }
        put_with_year(b, cs, cn, year);
        buf_add(b, suf, sn);
        u = rng_below(&dc->r, 1000);
        if (u < 80) {
            buf_str(b, "（试行）");
        } else if (u < 250) {
            buf_str(b, "（");
            buf_uint(b, (unsigned long)year, 4);
            buf_str(b, u < 170 ? "年版）" : "年修订）");
        }
    } else if (type == T_GUIDE) {
        if (u < 250) {
            buf_str(b, dist);
            put_with_year(b, cs, cn, year);
            buf_add(b, suf, sn);
        } else {
            put_with_year(b, cs, cn, year);
            buf_add(b, suf, sn);
            buf_str(b, "（");
            buf_str(b, dist);
            buf_str(b, pick_place(dc, di, u < 600));
            buf_str(b, points[rng_below(&dc->r, 4)]);
            buf_str(b, "）");
        }
    } else {
        if (starts_with(suf, sn, "的"))
            buf_str(b, "关于");
        buf_str(b, dist);
        buf_str(b, pick_place(dc, di, u < 400));
        put_with_year(b, cs, cn, year);
        buf_add(b, suf, sn);
    }
    /* the word the last article uses: 本办法 / 本规定 / 本细则 … */
    static const char *const words[] = {"办法", "规定", "细则", "规程", "规范",
                                        "方案", "条例", "意见", "制度"};
    *kind_word = "规定";
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (ends_with(suf, sn, words[i]))
            *kind_word = words[i];
}

static void pick_tags(doc *dc, idxvec *out, unsigned want)
{
    const model *m = dc->m;
    out->n = 0;
    if (!m->tags.n)
        return;
    const idxvec *dp = dc->dept >= 0 && m->dp[dc->dept].tags.n ? &m->dp[dc->dept].tags : NULL;
    if (want > m->tags.n)
        want = (unsigned)m->tags.n;
    for (unsigned tries = 0; out->n < want && tries < want * 8; tries++) {
        const idxvec *src = dp && (!out->n || chance(&dc->r, 900)) ? dp : &m->g.tags;
        uint32_t t = pick_from(&dc->r, src);
        if (!idx_has(out, t))
            idx_push(out, t);
    }
}

static unsigned tag_count(rng *r)
{
    uint32_t u = rng_below(r, 100);
    return u < 10 ? 1 : u < 35 ? 2 : u < 70 ? 3 : u < 90 ? 4 : 5;
}

static const char *const builtin_chapters[] = {"申请条件", "办理程序", "管理职责", "服务规范",
                                               "监督检查", "保障措施", "法律责任"};
static const char *const builtin_heads[T_N][10] = {{"制定背景", "政策解读", "适用范围", NULL},
                                                   {"适用范围", "办理条件", "所需材料", "办理流程",
                                                    "办理地点", "办理时限", "收费标准", "咨询电话",
                                                    "温馨提示", NULL},
                                                   {"影响范围", "温馨提示", "注意事项", NULL}};

static void emit_heading(doc *dc, buf *b, const char *s, size_t n)
{
    buf_str(b, "## ");
    buf_add(b, s, n);
    buf_str(b, "\n\n");
    dc->cp += u8_count(s, n);
}

/* A chapter name not yet used in this document: a real one mostly. */
static const char *chapter_name(doc *dc, const char *const *used, size_t nused, size_t *len)
{
    const strset *cs = &dc->m->chapters;
    const char *s = NULL;
    for (int attempt = 0; attempt < 6; attempt++) {
        if (cs->n && chance(&dc->r, 850)) {
            const text *c = &cs->v[rng_below(&dc->r, (uint32_t)cs->n)];
            if (str_eq(c->s, c->len, "总则") || str_eq(c->s, c->len, "附则"))
                continue;
            s = c->s;
        } else {
            s = builtin_chapters[rng_below(&dc->r,
                                           sizeof builtin_chapters / sizeof builtin_chapters[0])];
        }
        int dup = 0;
        for (size_t i = 0; i < nused; i++)
            dup |= !strcmp(used[i], s);
        if (!dup)
            break;
    }
    if (!s)
        s = builtin_chapters[0];
    *len = strlen(s);
    return s;
}

static void body_policy(doc *dc, buf *b, const char *title, size_t tn, date eff, const date *exp,
                        const char *kind_word, uint32_t target)
{
    const model *m = dc->m;
    buf_str(b, "# ");
    buf_add(b, title, tn);
    buf_str(b, "\n\n");
    dc->cp += u8_count(title, tn);
    const pool *dp = dc->dept >= 0 ? &m->dp[dc->dept] : NULL;
    if (dp && dp->docno.n && chance(&dc->r, 700)) {
        const text *pre = &m->docnos.v[pick_from(&dc->r, &dp->docno)];
        buf_add(b, pre->s, pre->len);
        buf_str(b, "〔");
        buf_uint(b, (unsigned long)eff.y, 4);
        buf_str(b, "〕");
        buf_uint(b, rng_range(&dc->r, 1, 60), 1);
        buf_str(b, "号\n\n");
        dc->cp += pre->cp + 8;
    }
    int chapters = target >= 1600;
    unsigned chap = 0, in_chap = 0, chap_size = rng_range(&dc->r, 3, 6);
    unsigned art = 0;
    const uint32_t closing = 40;
    const char *used[16]; /* chapter names so far */
    size_t nused = 0;
    if (chapters) {
        chap = 1;
        buf_str(b, "## 第一章 总则\n\n");
        dc->cp += 7;
    }
    {
        /* 第一条: the purpose, from the document the title came from */
        uint32_t pi = 0;
        if (dc->home >= 0 && m->docs[dc->home].purpose)
            pi = m->docs[dc->home].purpose;
        else if (dp && dp->purpose.n && chance(&dc->r, 500))
            pi = pick_from(&dc->r, &dp->purpose) + 1;
        if (pi) {
            seen_mark(dc, pi - 1);
            art++;
            in_chap++;
            buf_str(b, "**第一条** ");
            dc->cp += 4;
            emit_sentence(dc, b, &m->sents.v[pi - 1], END_PROSE_LAST);
            buf_str(b, "\n\n");
        }
    }
    while (dc->cp + closing < target || art < 2) {
        if (chapters && in_chap >= chap_size && dc->cp + 500 < target) {
            chap++;
            in_chap = 0;
            chap_size = rng_range(&dc->r, 3, 6);
            buf_str(b, "## 第");
            buf_cn_num(b, chap);
            buf_str(b, "章 ");
            size_t cn;
            const char *cs = chapter_name(dc, used, nused, &cn);
            if (nused < sizeof used / sizeof used[0])
                used[nused++] = cs;
            buf_add(b, cs, cn);
            buf_str(b, "\n\n");
            dc->cp += 4 + u8_count(cs, cn);
        }
        art++;
        in_chap++;
        buf_str(b, "**第");
        buf_cn_num(b, art);
        buf_str(b, "条** ");
        dc->cp += 4;
        if (chance(&dc->r, 150) && emit_block(dc, b, LIST_CN, 1, 1, target))
            continue;
        emit_paragraph(dc, b, 3, target);
        buf_str(b, "\n\n");
        if (chance(&dc->r, 200) && dc->cp + closing < target) {
            emit_paragraph(dc, b, 2, target);
            buf_str(b, "\n\n");
        }
    }
    if (chapters) {
        chap++;
        buf_str(b, "## 第");
        buf_cn_num(b, chap);
        buf_str(b, "章 附则\n\n");
        dc->cp += 6;
    }
    if (dc->dept >= 0 && chance(&dc->r, 600)) {
        const text *d = &m->depts.v[dc->dept];
        art++;
        buf_str(b, "**第");
        buf_cn_num(b, art);
        buf_str(b, "条** 本");
        buf_str(b, kind_word);
        buf_str(b, "由");
        buf_add(b, d->s, d->len);
        buf_str(b, "负责解释。\n\n");
        dc->cp += 12 + d->cp;
    }
    art++;
    buf_str(b, "**第");
    buf_cn_num(b, art);
    buf_str(b, "条** 本");
    buf_str(b, kind_word);
    buf_str(b, "自");
    buf_cn_date(b, eff);
    buf_str(b, "起施行");
    if (exp) {
        buf_str(b, "，有效期至");
        buf_cn_date(b, *exp);
    }
    buf_str(b, "。\n");
    dc->cp += exp ? 30 : 18;
}

/* Picks up to `want` distinct headings of a type (the department's own
 * when it has a few), in the order real documents use them. */
static size_t pick_heads(doc *dc, int type, const text **out, size_t want)
{
    const model *m = dc->m;
    const strset *hs = &m->heads[type];
    const idxvec *src = &m->g.heads[type];
    if (dc->dept >= 0 && m->dp[dc->dept].heads[type].n >= 6 && chance(&dc->r, 850))
        src = &m->dp[dc->dept].heads[type];
    if (hs->n < 2 || !src->n)
        return 0;
    uint32_t idx[16];
    size_t n = 0;
    if (want > hs->n)
        want = hs->n;
    if (want > 16)
        want = 16;
    for (unsigned tries = 0; n < want && tries < want * 10; tries++) {
        uint32_t i = pick_from(&dc->r, src);
        /* outside its own department a heading used only once is too odd */
        if (src == &m->g.heads[type] && hs->cnt[i] < 2 && chance(&dc->r, 900))
            continue;
        int dup = 0;
        for (size_t j = 0; j < n; j++)
            dup |= idx[j] == i;
        if (!dup)
            idx[n++] = i;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort by mean position */
        for (size_t j = i; j > 0; j--) {
            double a = hs->aux[idx[j - 1]] / hs->cnt[idx[j - 1]];
            double c = hs->aux[idx[j]] / hs->cnt[idx[j]];
            if (a <= c)
                break;
            uint32_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++)
        out[i] = &hs->v[idx[i]];
    return n;
}

static void body_guide(doc *dc, buf *b, uint32_t target)
{
    const text *heads[16];
    size_t want = target / 110 + 2;
    if (want > 10)
        want = 10;
    size_t nh = pick_heads(dc, T_GUIDE, heads, want);
    size_t nb = 0;
    const char *bh[10];
    if (!nh)
        for (; builtin_heads[T_GUIDE][nb] && nb < want; nb++)
            bh[nb] = builtin_heads[T_GUIDE][nb];
    size_t sections = nh ? nh : nb;
    for (size_t s = 0; s < sections; s++) {
        if (nh)
            emit_heading(dc, b, heads[s]->s, heads[s]->len);
        else
            emit_heading(dc, b, bh[s], strlen(bh[s]));
        uint32_t budget =
            dc->cp + (target - (dc->cp < target ? dc->cp : target)) / (uint32_t)(sections - s);
        int first = 1;
        while (first || dc->cp < budget) {
            first = 0;
            uint32_t u = rng_below(&dc->r, 100);
            if (u < 35) {
                int style = u < 20 ? LIST_ORDERED : LIST_BULLET;
                if (!emit_block(dc, b, style, 0, chance(&dc->r, 500), budget))
                    emit_list(dc, b, style, rng_range(&dc->r, 2, 5));
            } else {
                emit_paragraph(dc, b, 4, budget);
                buf_str(b, "\n\n");
            }
        }
    }
    while (dc->cp < target) {
        emit_paragraph(dc, b, 4, target);
        buf_str(b, "\n\n");
    }
    b->n--; /* one newline at the end */
    b->p[b->n] = '\0';
}

static void body_notice(doc *dc, buf *b, date eff, uint32_t target)
{
    const model *m = dc->m;
    if (chance(&dc->r, 700)) {
        static const char *const generic[] = {"各位市民：", "尊敬的用户：", "广大市民朋友："};
        const idxvec *sv = dc->dept >= 0 ? &m->dp[dc->dept].saluts : NULL;
        if (sv && sv->n && chance(&dc->r, 800)) {
            const text *s = &m->saluts.v[pick_from(&dc->r, sv)];
            buf_add(b, s->s, s->len);
        } else {
            buf_str(b, generic[rng_below(&dc->r, 3)]);
        }
        buf_str(b, "\n\n");
    }
    const text *heads[16];
    size_t nh = chance(&dc->r, 600) ? pick_heads(dc, T_NOTICE, heads, target / 250 + 1) : 0;
    uint32_t lead = nh ? target / 3 : target;
    do {
        emit_paragraph(dc, b, 4, lead);
        buf_str(b, "\n\n");
    } while (dc->cp < lead);
    for (size_t s = 0; s < nh; s++) {
        emit_heading(dc, b, heads[s]->s, heads[s]->len);
        uint32_t budget =
            dc->cp + (target - (dc->cp < target ? dc->cp : target)) / (uint32_t)(nh - s);
        if (chance(&dc->r, 500) && !emit_block(dc, b, LIST_ORDERED, 0, 0, budget))
            emit_list(dc, b, LIST_ORDERED, rng_range(&dc->r, 2, 4));
        while (dc->cp < budget) {
            emit_paragraph(dc, b, 3, budget);
            buf_str(b, "\n\n");
        }
    }
    while (dc->cp < target) {
        emit_paragraph(dc, b, 3, target);
        buf_str(b, "\n\n");
    }
    if (dc->dept >= 0 && chance(&dc->r, 800)) {
        const text *d = &m->depts.v[dc->dept];
        if (starts_with(d->s, d->len, "市"))
            buf_str(b, "株洲");
        buf_add(b, d->s, d->len);
        buf_ch(b, '\n');
        buf_cn_date(b, eff);
        buf_str(b, "\n");
    } else {
        b->n--;
        b->p[b->n] = '\0';
    }
}

/* Picks the department: weighted by how many real documents it has. */
static long pick_dept(const model *m, const uint64_t *cum, rng *r)
{
    uint64_t total = cum[m->depts.n - 1];
    uint64_t u = ((rng_next(r) >> 11) % total);
    size_t lo = 0, hi = m->depts.n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (long)lo;
}

static date pick_date(rng *r)
{
    long a = days_from_civil(2019, 1, 1), b = days_from_civil(2026, 12, 31);
    return civil_from_days(a + (long)rng_below(r, (uint32_t)(b - a + 1)));
}

typedef struct {
    uint32_t type_pm[T_N]; /* cumulative per-mille */
    double len_scale[T_N];
    const uint64_t *cum;
    uint64_t seed;
} genconf;

static void gen_markdown(const model *m, const genconf *gc, uint64_t stream, unsigned long id,
                         buf *out, buf *title, idxvec *tags, long *dept_out, uint32_t *cp_out)
{
    doc dc;
    memset(&dc, 0, sizeof dc);
    dc.m = m;
    rng_seed(&dc.r, gc->seed, stream);
    uint32_t u = rng_below(&dc.r, 1000);
    int type = u < gc->type_pm[0] ? T_POLICY : u < gc->type_pm[1] ? T_GUIDE : T_NOTICE;
    dc.type = type;
    dc.home = -1;
    dc.dept = pick_dept(m, gc->cum, &dc.r);
    date eff = pick_date(&dc.r);
    date exp = eff;
    int has_exp = chance(&dc.r, 100);
    if (has_exp) {
        long e = days_from_civil(eff.y, eff.m, eff.d);
        e +=
            type == T_NOTICE ? (long)rng_range(&dc.r, 2, 30) : (long)rng_range(&dc.r, 180, 5 * 365);
        exp = civil_from_days(e);
    }
    const char *kind_word;
    make_title(&dc, title, type, eff.y, &kind_word);
    pick_tags(&dc, tags, tag_count(&dc.r));
    uint32_t target = draw_length(&dc.r, gc->len_scale[type]);

    buf_clear(out);
    buf_str(out, "---\nid: syn-");
    buf_uint(out, id, 6);
    buf_str(out, "\ntitle: ");
    yaml_scalar(out, title->p, title->n);
    buf_str(out, "\ndepartment: ");
    const text *d = &m->depts.v[dc.dept];
    yaml_scalar(out, d->s, d->len);
    buf_str(out, "\ntype: ");
    buf_str(out, type_names[type]);
    if (tags->n) {
        buf_str(out, "\ntags: [");
        for (size_t i = 0; i < tags->n; i++) {
            if (i)
                buf_str(out, ", ");
            const text *t = &m->tags.v[tags->v[i]];
            yaml_scalar(out, t->s, t->len);
        }
        buf_ch(out, ']');
    }
    buf_str(out, "\neffective: ");
    buf_iso(out, eff);
    if (has_exp) {
        buf_str(out, "\nexpires: ");
        buf_iso(out, exp);
    }
    buf_str(out, "\n---\n");
    if (type == T_POLICY)
        body_policy(&dc, out, title->p, title->n, eff, has_exp ? &exp : NULL, kind_word, target);
    else if (type == T_GUIDE)
        body_guide(&dc, out, target);
    else
        body_notice(&dc, out, eff, target);
    *dept_out = dc.dept;
    *cp_out = dc.cp;
}

static const char *const q_fallback[] = {"怎么办理？",       "需要哪些材料？", "在哪里办理？",
                                         "多长时间能办好？", "要收费吗？",     "可以网上办理吗？"};

/* A caller's question: a real one, sometimes with where the caller lives,
 * or made from a title fragment. Returns the real question's index or -1. */
static long gen_question(doc *dc, buf *q, long qi)
{
    const model *m = dc->m;
    buf_clear(q);
    if (qi >= 0) {
        const text *t = &m->questions.v[qi];
        uint32_t u = rng_below(&dc->r, 100);
        /* a question naming its place keeps it */
        for (size_t i = 0; i < N_DISTRICTS && u >= 60; i++) {
            char two[8];
            memcpy(two, districts[i], 6); /* the first two characters */
            two[6] = '\0';
            if (contains(t->s, t->len, two))
                u %= 60;
        }
        if (u < 45) {
            buf_add(q, t->s, t->len);
        } else if (u < 60 && !starts_with(t->s, t->len, "请问")) {
            buf_str(q, "请问");
            buf_add(q, t->s, t->len);
        } else if (u < 80) {
            buf_str(q, "我在");
            buf_str(q, districts[pick_district(dc)]);
            buf_str(q, "，");
            buf_add(q, t->s, t->len);
        } else {
            buf_str(q, "住在");
            buf_str(q, roads[rng_below(&dc->r, N_ROADS)]);
            buf_str(q, "附近，");
            buf_add(q, t->s, t->len);
        }
        return (long)qi;
    }
    long ci;
    const text *core = pick_core(dc, T_GUIDE, &ci);
    dc->home = ci >= 0 && m->core_doc.v[ci] ? (long)m->core_doc.v[ci] - 1 : -1;
    buf_str(q, districts[pick_district(dc)]);
    if (core)
        buf_add(q, core->s, core->len);
    else
        buf_str(q, "政务服务事项");
    buf_str(q, q_fallback[rng_below(&dc->r, 6)]);
    return -1;
}

/* Records the answer's length as a cut point when it is within bounds. */
static void mark_cut(const buf *a, size_t *cut)
{
    uint32_t cp = u8_count(a->p, a->n);
    if (cp >= ANSWER_MIN_CP && cp <= ANSWER_MAX_CP)
        *cut = a->n;
}

/* FAQ answer of 60..300 code points: the real answer to the question first
 * (when there is one), then more of the department's answers; cut at a
 * sentence end when possible. */
static void gen_answer(doc *dc, buf *a, long qidx)
{
    const model *m = dc->m;
    uint32_t r1 = rng_below(&dc->r, ANSWER_MAX_CP - ANSWER_MIN_CP + 1);
    uint32_t r2 = rng_below(&dc->r, ANSWER_MAX_CP - ANSWER_MIN_CP + 1);
    uint32_t target = ANSWER_MIN_CP + (r1 < r2 ? r1 : r2);
    int kind = qidx < 0 && dc->home >= 0 ? K_PROSE : K_ANS;
    buf_clear(a);
    dc->cp = 0;
    size_t cut = 0;
    int after_list = 0;
    const block *bl;
    if (qidx >= 0 && m->q_n.v[qidx] && chance(&dc->r, 900)) {
        uint32_t st = m->q_start.v[qidx], n = m->q_n.v[qidx];
        for (uint32_t j = 0; j < n && dc->cp < target; j++) {
            uint32_t si = m->g.k[K_ANS].v[st + j];
            seen_mark(dc, si);
            emit_sentence(dc, a, &m->sents.v[si], END_PROSE_LAST);
            mark_cut(a, &cut);
        }
    } else if (chance(&dc->r, 120) && (bl = pick_block(dc, 1)) != NULL) {
        /* steps: a real lead-in and its list, one item a line */
        seen_mark(dc, bl->intro - 1);
        emit_sentence(dc, a, &m->sents.v[bl->intro - 1], END_KEEP);
        unsigned k = bl->n > 5 ? 5 : bl->n;
        for (unsigned i = 0; i < k; i++) {
            uint32_t si = m->g.k[K_ITEM].v[bl->start + i];
            seen_mark(dc, si);
            buf_ch(a, '\n');
            buf_uint(a, i + 1, 1);
            buf_str(a, ". ");
            emit_item(dc, a, &m->sents.v[si], i + 1 == k);
            mark_cut(a, &cut);
        }
        after_list = 1;
    }
    for (unsigned guard = 0; guard < 400 && u8_count(a->p, a->n) < target; guard++) {
        const text *t = next_sentence(dc, kind);
        if (!dc->fresh && u8_count(a->p, a->n) >= ANSWER_MIN_CP)
            break;
        if (after_list)
            buf_ch(a, '\n');
        after_list = 0;
        emit_sentence(dc, a, t, END_PROSE_LAST);
        mark_cut(a, &cut);
    }
    uint32_t cp = u8_count(a->p, a->n);
    if (cp > ANSWER_MAX_CP || cp < ANSWER_MIN_CP) {
        if (cut) {
            a->n = cut;
        } else {
            /* one overlong sentence: cut it on a character boundary */
            a->n = u8_offset(a->p, a->n, ANSWER_MAX_CP - 1);
            size_t st;
            uint32_t c = u8_last(a->p, a->n, &st);
            if (c == CP_COMMA || c == CP_SEMI || c == CP_COLON || c == CP_DUN)
                a->n = st;
            buf_str(a, "。");
        }
    }
    while (a->n && a->p[a->n - 1] == '\n')
        a->n--;
    a->p[a->n] = '\0';
}

static void gen_faq(const model *m, const genconf *gc, uint64_t stream, unsigned long id, buf *out,
                    buf *q, buf *a, buf *tl, idxvec *tags)
{
    doc dc;
    memset(&dc, 0, sizeof dc);
    dc.m = m;
    dc.type = T_N;
    dc.home = -1;
    rng_seed(&dc.r, gc->seed, stream);
    /* a real question, and the department that answers it */
    long qi = m->g.q.n ? (long)pick_from(&dc.r, &m->g.q) : -1;
    dc.dept = qi >= 0 && m->q_dept.v[qi] ? (long)m->q_dept.v[qi] - 1 : pick_dept(m, gc->cum, &dc.r);
    long qidx = gen_question(&dc, q, qi);
    gen_answer(&dc, a, qidx);
    pick_tags(&dc, tags, rng_range(&dc.r, 1, 3));
    buf_str(out, "synfaq-");
    buf_uint(out, id, 6);
    buf_ch(out, ',');
    csv_field(out, q->p, q->n);
    buf_ch(out, ',');
    csv_field(out, a->p, a->n);
    buf_ch(out, ',');
    const text *d = &m->depts.v[dc.dept];
    csv_field(out, d->s, d->len);
    buf_ch(out, ',');
    buf_clear(tl);
    buf_reserve(tl, 0);
    for (size_t i = 0; i < tags->n; i++) {
        if (i)
            buf_ch(tl, ';');
        const text *t = &m->tags.v[tags->v[i]];
        buf_add(tl, t->s, t->len);
    }
    csv_field(out, tl->p, tl->n);
    buf_ch(out, '\n');
}

/* ------------------------------------------------------------ output dir */

static int all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int ours_top_file(const char *name)
{
    return !strcmp(name, "departments.txt") || !strcmp(name, "synonyms.txt") ||
           !strcmp(name, "calendar.txt");
}

static int ours_dir(const char *name)
{
    return !strcmp(name, "faq") || (name[0] == 'd' && all_digits(name + 1, strlen(name + 1)));
}

static int ours_file(const char *dir, const char *name)
{
    size_t n = strlen(name);
    if (!strcmp(dir, "faq"))
        return ends_with(name, n, ".csv") && all_digits(name, n - 4);
    return starts_with(name, n, "syn-") && ends_with(name, n, ".md") && all_digits(name + 4, n - 7);
}

/* OUT_DIR must be missing, empty or an earlier gencorpus output (which is
 * then removed, file by file: nothing else is ever deleted). */
static void prepare_out(const char *out)
{
    struct stat st;
    if (stat(out, &st) != 0) {
        if (errno != ENOENT)
            die("cannot use output directory %s: %s", out, strerror(errno));
        buf p = {0};
        buf_str(&p, out);
        for (size_t i = 1; i <= p.n; i++) {
            if (i == p.n || p.p[i] == '/') {
                char c = p.p[i];
                p.p[i] = '\0';
                if (mkdir(p.p, 0777) != 0 && errno != EEXIST)
                    die("cannot create output directory %s: %s", p.p, strerror(errno));
                p.p[i] = c;
            }
        }
        free(p.p);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        die("output %s exists and is not a directory", out);
    buf path = {0}, sub = {0};
    for (int pass = 0; pass < 2; pass++) {
        size_t n;
        char **names = list_dir(out, &n);
        if (!names)
            die("cannot read output directory %s: %s", out, strerror(errno));
        for (size_t i = 0; i < n; i++) {
            path_join(&path, out, names[i]);
            if (lstat(path.p, &st) != 0)
                die("cannot stat %s: %s", path.p, strerror(errno));
            if (S_ISREG(st.st_mode) && ours_top_file(names[i])) {
                if (pass && unlink(path.p) != 0)
                    die("cannot remove %s: %s", path.p, strerror(errno));
                continue;
            }
            if (!S_ISDIR(st.st_mode) || !ours_dir(names[i]))
                die("output directory %s holds %s, which gencorpus did not write; "
                    "use an empty or new directory",
                    out, names[i]);
            size_t k;
            char **files = list_dir(path.p, &k);
            if (!files)
                die("cannot read %s: %s", path.p, strerror(errno));
            /* list_dir hides dot files; an rmdir failure below catches them */
            for (size_t j = 0; j < k; j++) {
                path_join(&sub, path.p, files[j]);
                if (lstat(sub.p, &st) != 0 || !S_ISREG(st.st_mode) ||
                    !ours_file(names[i], files[j]))
                    die("output directory %s holds %s, which gencorpus did not write; "
                        "use an empty or new directory",
                        out, sub.p);
                if (pass && unlink(sub.p) != 0)
                    die("cannot remove %s: %s", sub.p, strerror(errno));
            }
            free_list(files, k);
            if (pass && rmdir(path.p) != 0)
                die("cannot remove %s: %s", path.p, strerror(errno));
        }
        free_list(names, n);
    }
    free(path.p);
    free(sub.p);
    if (access(out, W_OK | X_OK) != 0)
        die("output directory %s is not writable: %s", out, strerror(errno));
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot write %s: %s", path, strerror(errno));
    if (fwrite(data, 1, n, f) != n || fclose(f) != 0)
        die("cannot write %s: %s", path, strerror(errno));
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die("cannot create %s: %s", path, strerror(errno));
}

/* Absolute, resolved form of a path that may not exist yet. */
static char *resolve_path(const char *p)
{
    char *r = realpath(p, NULL);
    if (r)
        return r;
    buf b = {0};
    buf_str(&b, p);
    while (b.n > 1 && b.p[b.n - 1] == '/')
        b.p[--b.n] = '\0';
    char *slash = strrchr(b.p, '/');
    char *parent;
    const char *base;
    if (slash) {
        *slash = '\0';
        parent = realpath(b.p[0] ? b.p : "/", NULL);
        base = slash + 1;
    } else {
        parent = realpath(".", NULL);
        base = b.p;
    }
    if (!parent) {
        free(b.p);
        return NULL;
    }
    buf o = {0};
    path_join(&o, parent, base);
    free(parent);
    free(b.p);
    return o.p;
}

/* ------------------------------------------------------------------- main */

static void usage(FILE *f)
{
    fputs("usage: gencorpus --from CORPUS_DIR --out OUT_DIR --docs N [--seed S]\n"
          "  Writes N synthetic documents (1..1000000) learned from CORPUS_DIR:\n"
          "  ~70% Markdown in OUT_DIR/dNN/syn-NNNNNN.md, ~30% FAQ rows in\n"
          "  OUT_DIR/faq/NNN.csv. Same input and seed give identical output.\n",
          f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void model_free(model *m)
{
    pool *pools[1] = {&m->g};
    for (size_t d = 0; d <= m->depts.n; d++) {
        pool *p = d < m->depts.n ? &m->dp[d] : pools[0];
        for (int k = 0; k < K_N; k++)
            free(p->k[k].v);
        for (int t = 0; t < T_N; t++) {
            free(p->cores[t].v);
            free(p->heads[t].v);
            for (int k = 0; k < K_N; k++)
                free(p->kt[t][k].v);
        }
        free(p->saluts.v);
        free(p->purpose.v);
        free(p->blk.v);
        for (int t = 0; t < T_N; t++)
            free(p->blkt[t].v);
        free(p->q.v);
        free(p->tags.v);
        free(p->docno.v);
    }
    free(m->dp);
    strset *sets[] = {&m->depts,    &m->sents,    &m->questions, &m->tags,         &m->cores,
                      &m->docnos,   &m->chapters, &m->saluts,    &m->suffixes,     &m->heads[0],
                      &m->heads[1], &m->heads[2], &m->dtxt,      &m->unknown_depts};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        strset_free(sets[i]);
    for (int t = 0; t < T_N; t++)
        free(m->suf[t].v);
    free(m->dtxt_canon);
    free(m->core_doc.v);
    free(m->q_start.v);
    free(m->q_n.v);
    free(m->q_dept.v);
    free(m->docs);
    free(m->blocks);
    for (int t = 0; t < T_N; t++)
        free(m->body_len[t].v);
}

int main(int argc, char **argv)
{
    const char *from = NULL, *out = NULL, *docs_s = NULL, *seed_s = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = NULL;
        const char *names[] = {"--from", "--out", "--docs", "--seed"};
        const char **dsts[] = {&from, &out, &docs_s, &seed_s};
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        for (int k = 0; k < 4; k++) {
            size_t kn = strlen(names[k]);
            if (!strcmp(a, names[k])) {
                if (i + 1 >= argc)
                    die("%s needs a value", names[k]);
                dst = dsts[k];
                *dst = argv[++i];
            } else if (!strncmp(a, names[k], kn) && a[kn] == '=') {
                dst = dsts[k];
                *dst = a + kn + 1;
            }
        }
        if (!dst) {
            usage(stderr);
            die("unknown argument '%s'", a);
        }
    }
    if (!from) {
        usage(stderr);
        die("missing --from CORPUS_DIR");
    }
    if (!out) {
        usage(stderr);
        die("missing --out OUT_DIR");
    }
    if (!docs_s) {
        usage(stderr);
        die("missing --docs N");
    }
    if (!all_digits(docs_s, strlen(docs_s)) || strlen(docs_s) > 9)
        die("--docs must be a number from 1 to %lu, not '%s'", MAX_DOCS, docs_s);
    unsigned long ndocs = strtoul(docs_s, NULL, 10);
    if (ndocs < 1 || ndocs > MAX_DOCS)
        die("--docs must be a number from 1 to %lu, not '%s'", MAX_DOCS, docs_s);
    uint64_t seed = 12345;
    if (seed_s) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(seed_s, &end, 0);
        if (!*seed_s || *end || errno || seed_s[0] == '-')
            die("--seed must be an unsigned 64-bit number, not '%s'", seed_s);
        seed = v;
    }

    double t0 = now_s();
    struct stat st;
    if (stat(from, &st) != 0)
        die("cannot read corpus directory %s: %s", from, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        die("corpus %s is not a directory", from);
    char *rfrom = realpath(from, NULL), *rout = resolve_path(out);
    if (!rfrom)
        die("cannot resolve %s: %s", from, strerror(errno));
    if (!rout)
        die("cannot use output directory %s: %s", out, strerror(errno));
    size_t fl = strlen(rfrom);
    int inside =
        !strcmp(rfrom, rout) || (!strncmp(rfrom, rout, fl) && (rout[fl] == '/' || fl == 1));
    free(rfrom);
    free(rout);
    if (inside)
        die("output directory %s must not be inside the corpus %s", out, from);

    /* learn */
    model m;
    memset(&m, 0, sizeof m);
    load_departments(&m, from);
    frontmatter fm;
    memset(&fm, 0, sizeof fm);
    buf data = {0};
    walk(&m, &fm, &data, from, 0);
    fm_free(&fm);
    if (!m.depts.n && m.have_dtxt) {
        /* documents named no known department: use departments.txt itself */
        for (size_t i = 0; i < m.dtxt.n; i++)
            if (m.dtxt_canon[i] == i)
                dept_intern(&m, m.dtxt.v[i].s, m.dtxt.v[i].len);
    }
    if (m.unknown_depts.n)
        warn("%zu department name(s) in documents are not in departments.txt (e.g. %s); ignored",
             m.unknown_depts.n, m.unknown_depts.v[0].s);
    if (!m.sents.n)
        die("source corpus %s is empty: no usable text in any .md or .csv file", from);
    if (!m.depts.n)
        die("source corpus %s names no department", from);

    /* department order and folders: sorted by name */
    size_t nd = m.depts.n;
    char **sorted = xrealloc(NULL, nd * sizeof *sorted);
    for (size_t i = 0; i < nd; i++)
        sorted[i] = m.depts.v[i].s;
    qsort(sorted, nd, sizeof *sorted, cmp_str);
    unsigned *folder = xrealloc(NULL, nd * sizeof *folder);
    uint64_t *cum = xrealloc(NULL, nd * sizeof *cum);
    for (size_t i = 0; i < nd; i++)
        folder[strset_find(&m.depts, sorted[i], strlen(sorted[i]))] = (unsigned)i;
    uint64_t acc = 0;
    for (size_t i = 0; i < nd; i++) {
        acc += (uint64_t)m.dp[i].weight + 1;
        cum[i] = acc;
    }
    genconf gc;
    memset(&gc, 0, sizeof gc);
    gc.cum = cum;
    gc.seed = seed;
    {
        /* type mix: the real one once there is enough of it, else 35/45/20 */
        uint32_t tot = m.type_count[0] + m.type_count[1] + m.type_count[2];
        uint32_t pm[T_N] = {350, 450, 200};
        if (tot >= 20) {
            for (int t = 0; t < T_N; t++) {
                pm[t] = (uint32_t)((uint64_t)m.type_count[t] * 1000 / tot);
                if (pm[t] < 50)
                    pm[t] = 50;
            }
        }
        uint32_t sum = pm[0] + pm[1] + pm[2];
        gc.type_pm[0] = pm[0] * 1000 / sum;
        gc.type_pm[1] = (pm[0] + pm[1]) * 1000 / sum;
        gc.type_pm[2] = 1000;
        /* relative lengths of the types: the real ones once each type has
         * a few documents, else policy 1.3 : guide 1 : notice 0.55 */
        double mult[T_N] = {1.3, 1.0, 0.55}, prop[T_N];
        idxvec all = {0};
        int enough = 1;
        for (int t = 0; t < T_N; t++) {
            enough &= m.body_len[t].n >= 5;
            for (size_t i = 0; i < m.body_len[t].n; i++)
                idx_push(&all, m.body_len[t].v[i]);
        }
        double med_all = median_u32(&all);
        for (int t = 0; t < T_N && enough && med_all > 0; t++) {
            mult[t] = median_u32(&m.body_len[t]) / med_all;
            mult[t] = mult[t] < 0.3 ? 0.3 : mult[t] > 3 ? 3 : mult[t];
        }
        free(all.v);
        prop[0] = gc.type_pm[0] / 1000.0;
        prop[1] = (gc.type_pm[1] - gc.type_pm[0]) / 1000.0;
        prop[2] = (1000 - gc.type_pm[1]) / 1000.0;
        double f = len_calibrate(mult, prop);
        for (int t = 0; t < T_N; t++)
            gc.len_scale[t] = mult[t] * f * LEN_OVERSHOOT;
    }

    /* write */
    prepare_out(out);
    buf path = {0}, doc_b = {0}, title = {0}, q = {0}, a = {0}, csv = {0}, tl = {0};
    idxvec tags = {0};
    unsigned char *made = calloc(nd, 1);
    if (!made)
        die("out of memory");
    unsigned long n_md = 0, n_faq = 0, n_csv = 0;
    uint64_t bytes = 0, body_cp = 0;
    FILE *cf = NULL;
    for (unsigned long i = 0; i < ndocs; i++) {
        int is_faq = (i + 1) * 3 / 10 > i * 3 / 10;
        if (!is_faq) {
            long dept;
            uint32_t cp;
            gen_markdown(&m, &gc, i, ++n_md, &doc_b, &title, &tags, &dept, &cp);
            body_cp += cp;
            buf_clear(&path);
            buf_str(&path, out);
            buf_str(&path, "/d");
            buf_uint(&path, folder[dept], 2);
            if (!made[dept]) {
                make_dir(path.p);
                made[dept] = 1;
            }
            buf_str(&path, "/syn-");
            buf_uint(&path, n_md, 6);
            buf_str(&path, ".md");
            write_file(path.p, doc_b.p, doc_b.n);
            bytes += doc_b.n;
            continue;
        }
        if (n_faq % FAQ_ROWS_PER_FILE == 0) {
            if (cf && fclose(cf) != 0)
                die("cannot write %s: %s", path.p, strerror(errno));
            buf_clear(&path);
            buf_str(&path, out);
            buf_str(&path, "/faq");
            if (!n_faq)
                make_dir(path.p);
            buf_str(&path, "/");
            buf_uint(&path, ++n_csv, 3);
            buf_str(&path, ".csv");
            cf = fopen(path.p, "wb");
            if (!cf)
                die("cannot write %s: %s", path.p, strerror(errno));
            static const char header[] = "id,question,answer,department,tags\n";
            if (fwrite(header, 1, sizeof header - 1, cf) != sizeof header - 1)
                die("cannot write %s: %s", path.p, strerror(errno));
            bytes += sizeof header - 1;
        }
        buf_clear(&csv);
        gen_faq(&m, &gc, i, ++n_faq, &csv, &q, &a, &tl, &tags);
        if (fwrite(csv.p, 1, csv.n, cf) != csv.n)
            die("cannot write %s: %s", path.p, strerror(errno));
        bytes += csv.n;
    }
    if (cf && fclose(cf) != 0)
        die("cannot write %s: %s", path.p, strerror(errno));

    /* reference files */
    static const char *const refs[] = {"departments.txt", "synonyms.txt", "calendar.txt"};
    for (size_t i = 0; i < 3; i++) {
        path_join(&path, from, refs[i]);
        if (stat(path.p, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (read_file(path.p, &data) != 0)
            die("cannot read %s: %s", path.p, strerror(errno));
        path_join(&path, out, refs[i]);
        write_file(path.p, data.p, data.n);
        bytes += data.n;
    }
    if (!m.have_dtxt) {
        /* without one the output would name departments nobody declared */
        buf_clear(&data);
        for (size_t i = 0; i < nd; i++) {
            buf_str(&data, sorted[i]);
            buf_ch(&data, '\n');
        }
        path_join(&path, out, "departments.txt");
        write_file(path.p, data.p, data.n);
        bytes += data.n;
    }

    double secs = now_s() - t0;
    fprintf(stderr,
            "gencorpus: %lu documents (%lu md, %lu faq rows in %lu csv), %llu bytes (%.1f MB), "
            "mean body %lu chars, %.2f s; learned from %lu md + %lu faq rows: %zu departments, "
            "%zu sentences, %zu tags, %zu title cores\n",
            ndocs, n_md, n_faq, n_csv, (unsigned long long)bytes, (double)bytes / 1e6,
            n_md ? (unsigned long)(body_cp / n_md) : 0UL, secs, m.n_md, m.n_faq, nd, m.sents.n,
            m.tags.n, m.cores.n);

    free(made);
    free(sorted);
    free(folder);
    free(cum);
    free(path.p);
    free(doc_b.p);
    free(title.p);
    free(q.p);
    free(a.p);
    free(csv.p);
    free(tl.p);
    free(data.p);
    free(tags.v);
    model_free(&m);
    return 0;
}
