/* Han → toneless pinyin for typo-tolerant matching (pinyin-IME homophones),
 * and the reverse for a query typed in pinyin with the IME off: splitting
 * letters into syllables and telling which characters a syllable can be.
 * The table is generated at build time by tools/gen_pinyin.c from ICU. */
#include "rexian/text.h"

#include "pinyin_table.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *rx_pinyin(uint32_t cp)
{
    if (cp < 0x4E00 || cp > 0x9FFF)
        return NULL;
    const char *py = py_table[cp - 0x4E00];
    return py[0] ? py : NULL;
}

/* The table holds one reading per character (ICU's). A typist uses the
 * one the word needs: these are the other readings of polyphonic
 * characters common in everyday and government text (银行 yinhang,
 * 长沙 changsha, 还款 huankuan, 重新 chongxin), each character with all its
 * readings; the table's own is skipped. */
static const char *const polyphones[][2] = {
    {"行", "hang xing"},   {"长", "chang zhang"}, {"重", "chong zhong"},   {"还", "huan hai"},
    {"乐", "yue le"},      {"都", "du dou"},      {"地", "de di"},         {"得", "de dei"},
    {"的", "di de"},       {"了", "liao le"},     {"和", "he huo hu"},     {"藏", "cang zang"},
    {"种", "zhong chong"}, {"调", "diao tiao"},   {"朝", "chao zhao"},     {"便", "bian pian"},
    {"传", "chuan zhuan"}, {"差", "cha chai ci"}, {"参", "can shen cen"},  {"给", "gei ji"},
    {"降", "jiang xiang"}, {"觉", "jue jiao"},    {"卡", "ka qia"},        {"率", "lu shuai"},
    {"没", "mei mo"},      {"强", "qiang jiang"}, {"属", "shu zhu"},       {"数", "shu shuo"},
    {"说", "shuo shui"},   {"校", "xiao jiao"},   {"着", "zhe zhao zhuo"}, {"省", "sheng xing"},
    {"系", "xi ji"},       {"解", "jie xie"},     {"区", "qu ou"},         {"薄", "bao bo"},
    {"露", "lu lou"},      {"模", "mo mu"},       {"血", "xue xie"},       {"会", "hui kuai"},
    {"车", "che ju"},      {"大", "da dai"},      {"单", "dan shan chan"}, {"弹", "dan tan"},
    {"度", "du duo"},      {"合", "he ge"},       {"圈", "quan juan"},     {"色", "se shai"},
    {"识", "shi zhi"},     {"似", "si shi"},      {"提", "ti di"},         {"吓", "xia he"},
    {"择", "ze zhai"},     {"期", "qi ji"},       {"厦", "sha xia"},       {"盛", "sheng cheng"},
    {"称", "cheng chen"},  {"番", "fan pan"},     {"扎", "zha za"},        {"曾", "zeng ceng"},
    {"查", "cha zha"},     {"宿", "su xiu"},      {"朴", "pu piao"},       {"落", "luo lao la"},
    {"勒", "le lei"},      {"削", "xiao xue"},    {"熟", "shu shou"},      {"壳", "ke qiao"},
    {"乘", "cheng sheng"}, {"塞", "sai se"},      {"佛", "fo fu"},         {"禅", "chan shan"},
    {"埋", "mai man"},     {"屏", "ping bing"},   {"六", "liu lu"},        {"仇", "chou qiu"},
    {"莞", "guan wan"},
};

#define MAX_ALTS 256
#define MAX_SYLLABLES 512

static struct {
    const char *syl[MAX_SYLLABLES]; /* every reading of the table, sorted */
    size_t nsyl;
    struct {
        uint32_t cp;
        char py[8];
    } alt[MAX_ALTS]; /* readings besides the table's */
    size_t nalt;
} lex;
static pthread_once_t lex_once = PTHREAD_ONCE_INIT;

static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void lex_init(void)
{
    for (size_t k = 0; k < sizeof py_table / sizeof py_table[0]; k++) {
        const char *py = py_table[k];
        if (!py[0])
            continue;
        bool seen = false;
        for (size_t j = 0; j < lex.nsyl && !seen; j++)
            seen = !strcmp(lex.syl[j], py);
        if (!seen && lex.nsyl < MAX_SYLLABLES)
            lex.syl[lex.nsyl++] = py;
    }
    qsort(lex.syl, lex.nsyl, sizeof lex.syl[0], by_str);
    for (size_t k = 0; k < sizeof polyphones / sizeof polyphones[0]; k++) {
        uint32_t cp;
        rx_utf8_next(polyphones[k][0], strlen(polyphones[k][0]), &cp);
        const char *own = rx_pinyin(cp), *s = polyphones[k][1];
        while (*s) {
            size_t n = strcspn(s, " ");
            if (own && (strlen(own) != n || strncmp(own, s, n) != 0) && n < 8 &&
                lex.nalt < MAX_ALTS) {
                lex.alt[lex.nalt].cp = cp;
                memcpy(lex.alt[lex.nalt].py, s, n);
                lex.alt[lex.nalt++].py[n] = '\0';
            }
            s += n + (s[n] == ' ');
        }
    }
}

static bool is_syllable(const char *s, size_t n)
{
    char key[8];
    if (n == 0 || n >= sizeof key)
        return false;
    memcpy(key, s, n);
    key[n] = '\0';
    const char *k = key;
    return bsearch(&k, lex.syl, lex.nsyl, sizeof lex.syl[0], by_str) != NULL;
}

size_t rx_pinyin_split(const char *s, size_t len, char (*syl)[8], size_t max)
{
    pthread_once(&lex_once, lex_init);
    enum { LONGEST = 6, CAP = 64 };
    if (len == 0 || len > CAP)
        return 0;
    char t[CAP];
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c < 'a' || c > 'z')
            return 0;
        t[i] = c == 'v' ? 'u' : c; /* ü typed as v: lv, nve */
    }
    /* fewest syllables covering all, the longest first syllable on a tie
     * (fangan: fang an, not fan gan; xian: xian, not xi an) */
    size_t best[CAP + 1], next[CAP + 1];
    best[len] = 0;
    for (size_t i = len; i-- > 0;) {
        best[i] = SIZE_MAX;
        for (size_t n = len - i < LONGEST ? len - i : LONGEST; n > 0; n--)
            if (best[i + n] != SIZE_MAX && is_syllable(t + i, n) && best[i + n] + 1 < best[i]) {
                best[i] = best[i + n] + 1;
                next[i] = i + n;
            }
    }
    if (best[0] == SIZE_MAX || best[0] > max)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < len; i = next[i], k++) {
        memcpy(syl[k], t + i, next[i] - i);
        syl[k][next[i] - i] = '\0';
    }
    return k;
}

bool rx_pinyin_reads(uint32_t cp, const char *syl)
{
    pthread_once(&lex_once, lex_init);
    const char *own = rx_pinyin(cp);
    if (own && !strcmp(own, syl))
        return true;
    for (size_t k = 0; k < lex.nalt; k++)
        if (lex.alt[k].cp == cp && !strcmp(lex.alt[k].py, syl))
            return true;
    return false;
}

size_t rx_pinyin_keys_of(const char *syl, const char **out, size_t max)
{
    pthread_once(&lex_once, lex_init);
    size_t n = 0;
    if (max && is_syllable(syl, strlen(syl))) {
        const char *k = syl;
        out[n++] = *(const char *const *)bsearch(&k, lex.syl, lex.nsyl, sizeof lex.syl[0], by_str);
    }
    for (size_t k = 0; k < lex.nalt && n < max; k++) {
        if (strcmp(lex.alt[k].py, syl) != 0)
            continue;
        const char *own = rx_pinyin(lex.alt[k].cp);
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = !strcmp(out[j], own);
        if (!dup)
            out[n++] = own;
    }
    return n;
}

size_t rx_pinyin_sounds(const char (*syl)[8], size_t n, rx_pinyin_sound_fn fn, void *ctx)
{
    enum { PER_SYLLABLE = 8, MAX_KEYS = 64 };
    const char *keys[RX_PINYIN_MAX_SYLLABLES][PER_SYLLABLE];
    size_t nkeys[RX_PINYIN_MAX_SYLLABLES], combos = 1;
    if (n == 0 || n > RX_PINYIN_MAX_SYLLABLES)
        return 0;
    for (size_t i = 0; i < n; i++) {
        nkeys[i] = rx_pinyin_keys_of(syl[i], keys[i], PER_SYLLABLE);
        combos *= nkeys[i];
        if (!nkeys[i] || combos > MAX_KEYS)
            return 0;
    }
    for (size_t c = 0; c < combos; c++) {
        char key[RX_PINYIN_MAX_SYLLABLES * 8];
        size_t kl = 0, rest = c;
        for (size_t i = 0; i < n; i++) {
            const char *k = keys[i][rest % nkeys[i]];
            rest /= nkeys[i];
            if (kl)
                key[kl++] = ' ';
            memcpy(key + kl, k, strlen(k));
            kl += strlen(k);
        }
        key[kl] = '\0';
        fn(ctx, key, kl);
    }
    return combos;
}
