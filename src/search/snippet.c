/* Snippets: the window of a document's plain text where the query's terms
 * are densest, HTML-escaped, with matches wrapped in <mark>…</mark>. Matches
 * are the query's Han bigrams, words, synonym members and pinyin pairs, so a
 * typo's intended characters light up too. */
#include "rexian/snippet.h"
#include "rexian/error.h"
#include "rexian/text.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

#define SCAN_LIMIT 20000 /* code points examined at most */

static bool is_word_cp(uint32_t cp)
{
    return !rx_is_han(cp) && u_isalnum((UChar32)cp);
}

static bool has_key(const rx_strmap *m, const uint32_t *cps, size_t n)
{
    char buf[64];
    size_t len = 0;
    for (size_t k = 0; k < n; k++) {
        if (len + 4 > sizeof buf)
            return false;
        len += rx_utf8_put(buf + len, cps[k]);
    }
    return rx_strmap_get(m, buf, len) != NULL;
}

static bool is_sentence_end(uint32_t cp)
{
    return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF1B || cp == '\n' ||
           cp == '.' || cp == '!' || cp == '?' || cp == ';';
}

int rx_snippet(rx_buf *out, const char *text, size_t len, const rx_query_plan *plan, size_t width)
{
    size_t cap = 256, n = 0;
    uint32_t *cps = malloc(cap * sizeof *cps);
    size_t *offs = malloc((cap + 1) * sizeof *offs);
    unsigned char *mark = NULL;
    int rc = RX_ENOMEM;
    if (!cps || !offs)
        goto done;
    for (size_t i = 0; i < len && n < SCAN_LIMIT;) {
        if (n + 1 >= cap) {
            cap *= 2;
            uint32_t *c2 = realloc(cps, cap * sizeof *cps);
            if (!c2)
                goto done;
            cps = c2;
            size_t *o2 = realloc(offs, (cap + 1) * sizeof *offs);
            if (!o2)
                goto done;
            offs = o2;
        }
        uint32_t cp;
        offs[n] = i;
        i += rx_utf8_next(text + i, len - i, &cp);
        cps[n++] = rx_fold_char(cp);
        offs[n] = i;
    }
    if (n == 0) {
        rc = RX_OK;
        goto done;
    }
    mark = calloc(n, 1);
    if (!mark)
        goto done;
    const rx_strmap *m = plan && plan->first ? &plan->marks : NULL;
    const unsigned char *first = m ? plan->first : NULL;
    bool any_pinyin = m && plan->any_pinyin;
    for (size_t i = 0; m && m->count && i < n; i++) {
        uint32_t c = cps[i];
        if (c >= 0x10000 || !((first[c >> 3] >> (c & 7)) & 1))
            continue;
        if (rx_is_han(c)) {
            if (i + 1 < n && rx_is_han(cps[i + 1]) && has_key(m, cps + i, 2))
                mark[i] = mark[i + 1] = 1;
            if (has_key(m, cps + i, 1))
                mark[i] = 1;
        } else if (is_word_cp(c) && (i == 0 || !is_word_cp(cps[i - 1]))) {
            size_t j = i;
            while (j < n && is_word_cp(cps[j]))
                j++;
            char buf[256];
            size_t bl = 0;
            for (size_t k = i; k < j && bl + 4 <= sizeof buf; k++)
                bl += rx_utf8_put(buf + bl, cps[k]);
            if (rx_strmap_get(m, buf, bl))
                memset(mark + i, 1, j - i);
        }
    }
    /* the window with the most marked characters, earliest on ties */
    size_t w = width < n ? width : n, best = 0, best_score = 0, score = 0;
    for (size_t i = 0; i < w; i++)
        score += mark[i];
    best_score = score;
    for (size_t s = 1; s + w <= n; s++) {
        score += mark[s + w - 1];
        score -= mark[s - 1];
        if (score > best_score) {
            best_score = score;
            best = s;
        }
    }
    /* start at a sentence boundary shortly before, if there is one, keeping
     * the end of the chosen window (the snippet may grow by that much) */
    size_t window_end = best + w;
    for (size_t back = 0; back < 20 && best > 0; back++) {
        if (is_sentence_end(cps[best - 1]))
            break;
        if (best - 1 == 0 || back == 19) {
            if (back == 19)
                best += 19; /* none found: keep the original start */
            else
                best--;
            break;
        }
        best--;
    }
    size_t end = best + w < n ? best + w : n;
    if (end < window_end)
        end = window_end < n ? window_end : n;
    /* homophones of the query (a typo's intended characters), in the window
     * only, and not where the window already shows the query's own bigram
     * with that sound */
    if (any_pinyin) {
        rx_strmap exact = {0};
        char key[24];
        for (size_t i = best; i + 1 < end; i++)
            if (mark[i] && mark[i + 1] && rx_pinyin_pair(key, sizeof key, cps[i], cps[i + 1]))
                rx_strmap_upsert(&exact, key, strlen(key), NULL);
        for (size_t i = best; i + 1 < end; i++) {
            if (!rx_is_han(cps[i]) || !rx_is_han(cps[i + 1]) ||
                !rx_pinyin_pair(key, sizeof key, cps[i], cps[i + 1]))
                continue;
            size_t kl = strlen(key);
            if (rx_strmap_get(m, key, kl) && !rx_strmap_get(&exact, key, kl))
                mark[i] = mark[i + 1] = 1;
        }
        rx_strmap_free(&exact);
    }
    if (best > 0)
        rx_buf_puts(out, "…");
    bool open = false;
    for (size_t i = best; i < end; i++) {
        if (mark[i] && !open) {
            rx_buf_puts(out, "<mark>");
            open = true;
        } else if (!mark[i] && open) {
            rx_buf_puts(out, "</mark>");
            open = false;
        }
        if (cps[i] == '\n' || cps[i] == '\t' || cps[i] == '\r')
            rx_buf_putc(out, ' ');
        else
            rx_buf_put_html(out, text + offs[i], offs[i + 1] - offs[i]);
    }
    if (open)
        rx_buf_puts(out, "</mark>");
    if (end < n || offs[n] < len)
        rx_buf_puts(out, "…");
    rc = RX_OK;
done:
    free(cps);
    free(offs);
    free(mark);
    return rc == RX_OK ? RX_OK : rx_error_set(rc, "out of memory");
}
