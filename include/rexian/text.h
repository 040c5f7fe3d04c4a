/* Chinese text handling: UTF-8, normalisation, word segmentation, pinyin.
 *
 * All functions are thread-safe. The segmenters and the pinyin table are
 * loaded once per process on first use.
 */
#ifndef REXIAN_TEXT_H
#define REXIAN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if s[0..len) is well-formed UTF-8 (no overlongs, surrogates or NUL).
 * On false, *bad_offset (if given) is the byte offset of the first error. */
bool rx_utf8_valid(const char *s, size_t len, size_t *bad_offset);

/* Decodes one code point at s (len > 0) into *cp and returns its length in
 * bytes; malformed input yields U+FFFD and length 1. */
size_t rx_utf8_next(const char *s, size_t len, uint32_t *cp);

/* Encodes cp into out and returns the number of bytes (1..4). */
size_t rx_utf8_put(char out[4], uint32_t cp);

/* Number of code points in s[0..len). */
size_t rx_utf8_count(const char *s, size_t len);

/* True for CJK unified ideographs (the Han script). */
bool rx_is_han(uint32_t cp);

/* NFKC case folding (full-width to half-width, case, compatibility forms)
 * with traditional characters written simplified (rx_simplify_char), as
 * used for every index term and query. *out is NUL-terminated and owned
 * by the caller. Invalid UTF-8 is replaced by U+FFFD. */
int rx_text_normalize(char **out, size_t *out_len, const char *s, size_t len);

/* Folds in place the forms of 株洲 speech (湘语) that call-takers type as the
 * caller says them into the Mandarin that duty lists and past tickets use:
 * 冇 → 没, 么子 → 什么 (not in 那么子女, 怎么子: after 那, 怎, 这, 什 or 多
 * the 么 is Mandarin's). The byte length is unchanged. */
void rx_text_fold_dialect(char *s);

/* Folds one code point the way the normaliser does for ASCII-compatible
 * forms (full-width to ASCII, upper to lower case) and traditional
 * characters (to simplified); others unchanged. Used where a 1:1 mapping
 * to the original text is needed (highlighting, case search). */
uint32_t rx_fold_char(uint32_t cp);

/* The simplified form of a traditional Han character (报 for 報), one
 * character for one; every other code point unchanged. Characters that
 * simplified text writes too (著, 乾) are left as they are. */
uint32_t rx_simplify_char(uint32_t cp);

/* Toneless lowercase pinyin of a Han character ("an" for 案), or NULL. */
const char *rx_pinyin(uint32_t cp);

/* A query typed in pinyin with the IME off: splits lowercase letters
 * s[0..len) into at most max syllables (v stands for ü, written u as the
 * table writes it), the fewest that cover them all; 0 if they do not
 * split, or split into more than max. */
size_t rx_pinyin_split(const char *s, size_t len, char (*syl)[8], size_t max);

/* Whether cp can be read syl: the table's reading, or another reading of
 * a common polyphonic character (行 hang). */
bool rx_pinyin_reads(uint32_t cp, const char *syl);

/* The table readings under which characters that can be read syl are
 * keyed (hang: hang, and xing for 行), at most max; static strings. */
size_t rx_pinyin_keys_of(const char *syl, const char **out, size_t max);

/* The keys a run of typed syllables is looked up under: each syllable as
 * any table reading it may stand for (rx_pinyin_keys_of), joined by spaces
 * (yin hang: "yin hang" and "yin xing"). fn receives each, NUL-terminated;
 * returns how many, 0 when a syllable has no reading, n is 0 or above
 * RX_PINYIN_MAX_SYLLABLES, or there would be more than 64. */
#define RX_PINYIN_MAX_SYLLABLES 16
typedef void (*rx_pinyin_sound_fn)(void *ctx, const char *key, size_t len);
size_t rx_pinyin_sounds(const char (*syl)[8], size_t n, rx_pinyin_sound_fn fn, void *ctx);

typedef enum { RX_SEG_FRISO, RX_SEG_ICU } rx_seg_kind;

/* Called once per word; word is not NUL-terminated. */
typedef void (*rx_word_fn)(void *ctx, const char *word, size_t len);

/* Splits a run of Han text into words with the chosen segmenter (friso's
 * MMSEG complex mode or ICU's dictionary word break). Returns RX_OK or an
 * error if the segmenter could not be loaded. */
int rx_segment(rx_seg_kind kind, const char *text, size_t len, rx_word_fn fn, void *ctx);

/* Loads friso's dictionary now (about 60 ms, once per process) rather than
 * in the first query that needs it: a server calls it at start. */
void rx_segment_warm(void);

#endif
