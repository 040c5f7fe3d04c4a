/* An FTS5 tokenizer for Chinese case search ("rx_bigram").
 *
 * FTS5's own tokenizers fail on Chinese: unicode61 makes a whole clause one
 * token and trigram cannot match two-character words such as 医保. This one
 * emits, for a run of Han characters, every character bigram at its own
 * position and, when indexing, each character as a unigram colocated with
 * the bigram that starts there (the run's last character gets a position
 * of its own). A query word of two or more characters is the phrase of its
 * bigrams; a single character matches through the unigrams. Letters and
 * digits form words as usual. Every code point is folded (full-width to
 * ASCII, lower case) with offsets kept on the original text.
 */
#include "fts.h"
#include "rexian/text.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>
#include <unicode/uchar.h>

typedef struct {
    int unused;
} tokenizer;

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)argv;
    (void)argc;
    static tokenizer one;
    *out = (Fts5Tokenizer *)&one;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
    (void)t;
}

typedef struct {
    uint32_t cp;
    int start, end; /* byte offsets in the original text */
} ch;

static bool word_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z');
    return !rx_is_han(cp) && u_isalnum((UChar32)cp);
}

static int emit(void *ctx, int flags, const ch *c, int n,
                int (*token)(void *, int, const char *, int, int, int))
{
    char buf[64];
    int len = 0;
    for (int k = 0; k < n && len + 4 <= (int)sizeof buf; k++)
        len += (int)rx_utf8_put(buf + len, c[k].cp);
    return token(ctx, flags, buf, len, c[0].start, c[n - 1].end);
}

static int tok_tokenize(Fts5Tokenizer *self, void *ctx, int flags, const char *text, int len,
                        int (*token)(void *, int, const char *, int, int, int))
{
    (void)self;
    bool query = (flags & FTS5_TOKENIZE_QUERY) != 0;
    int pos = 0, rc = SQLITE_OK;
    ch run[2]; /* the previous Han character of the current run */
    int nrun = 0;
    ch word[16];
    int nword = 0;
    while (pos <= len && rc == SQLITE_OK) {
        ch c = {0, pos, pos};
        if (pos < len) {
            size_t n = rx_utf8_next(text + pos, (size_t)(len - pos), &c.cp);
            c.cp = rx_fold_char(c.cp);
            if (c.cp < 0x80 && c.cp >= 'A' && c.cp <= 'Z')
                c.cp += 32;
            c.end = pos + (int)n;
        }
        bool han = pos < len && rx_is_han(c.cp);
        bool wc = pos < len && word_char(c.cp);
        /* a word ends */
        if (!wc && nword) {
            rc = emit(ctx, 0, word, nword, token);
            nword = 0;
        }
        if (rc != SQLITE_OK)
            break;
        if (han) {
            if (nrun) {
                ch pair[2] = {run[0], c};
                rc = emit(ctx, 0, pair, 2, token);
                if (rc == SQLITE_OK && !query)
                    rc = emit(ctx, FTS5_TOKEN_COLOCATED, &run[0], 1, token);
            }
            run[0] = c;
            nrun++;
        } else if (nrun) {
            /* the run's last character: a unigram of its own when indexing,
             * or when the query word is one character */
            if (!query || nrun == 1)
                rc = emit(ctx, 0, &run[0], 1, token);
            nrun = 0;
        }
        if (wc) {
            if (nword == (int)(sizeof word / sizeof word[0])) { /* split a very long word */
                rc = emit(ctx, 0, word, nword, token);
                nword = 0;
            }
            word[nword++] = c;
        }
        if (pos == len)
            break;
        pos = c.end;
    }
    return rc;
}

/* rx_folds(text): 1 when rx_bigram's folding changes a Han character of
 * text (a traditional one), else 0; for the migration that re-tokenizes
 * case text indexed before the folding wrote traditional characters
 * simplified. */
static void folds_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    int found = 0;
    for (size_t pos = 0; s && pos < len && !found;) {
        uint32_t cp;
        pos += rx_utf8_next(s + pos, len - pos, &cp);
        found = rx_simplify_char(cp) != cp;
    }
    sqlite3_result_int(cx, found);
}

int rx_tickets_register_fts(sqlite3 *db)
{
    int rc = sqlite3_create_function(db, "rx_folds", 1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                     folds_fn, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;

    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return SQLITE_ERROR;
    static fts5_tokenizer tok = {tok_create, tok_delete, tok_tokenize};
    return api->xCreateTokenizer(api, "rx_bigram", NULL, &tok, NULL);
}
