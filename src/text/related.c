/* Situation → concept associations: the triggers of every line are one group
 * of a synonym matcher (group g ↔ line g's targets). */
#include "rexian/related.h"
#include "rexian/error.h"
#include "rexian/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char **terms;
    size_t n;
} target_list;

struct rx_related {
    rx_synonyms *triggers; /* group g holds the triggers of targets[g] */
    target_list *targets;
    size_t n, cap;
};

/* Splits one side of a line into normalised terms through the synonym
 * parser, so that both sides follow the same rules. */
static int split_terms(target_list *out, const char *s, size_t len)
{
    *out = (target_list){0};
    rx_synonyms *tmp;
    size_t g;
    int rc = rx_synonyms_parse(&tmp, NULL, 0, NULL, NULL);
    if (rc == RX_OK)
        rc = rx_synonyms_add_group(tmp, &g, s, len, 1, 0, NULL, NULL);
    if (rc == RX_OK && g != SIZE_MAX) {
        size_t n;
        const char *const *t = rx_synonyms_group(tmp, g, &n);
        out->terms = calloc(n, sizeof *out->terms);
        for (size_t k = 0; out->terms && k < n; k++)
            if ((out->terms[out->n] = strdup(t[k])))
                out->n++;
        if (!out->terms || out->n < n)
            rc = rx_error_set(RX_ENOMEM, "out of memory");
    }
    rx_synonyms_free(tmp);
    return rc;
}

static void free_list(target_list *t)
{
    for (size_t k = 0; k < t->n; k++)
        free(t->terms[k]);
    free(t->terms);
}

static int add_line(rx_related *r, const char *line, size_t llen, size_t lineno, rx_diag_fn diag,
                    void *ctx)
{
    const char *arrow = memmem(line, llen, "=>", 2);
    if (!arrow) {
        if (diag)
            diag(ctx, lineno, "联想规则需要用“=>”分隔触发词和目标词");
        return RX_OK;
    }
    size_t left = (size_t)(arrow - line);
    target_list t;
    int rc = split_terms(&t, arrow + 2, llen - left - 2);
    if (rc != RX_OK || t.n == 0)
        free_list(&t);
    if (rc != RX_OK)
        return rc;
    if (t.n == 0) {
        if (diag)
            diag(ctx, lineno, "联想规则在“=>”之后至少需要一个目标词");
        return RX_OK;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        target_list *ts = realloc(r->targets, cap * sizeof *ts);
        if (!ts) {
            free_list(&t);
            return rx_error_set(RX_ENOMEM, "out of memory");
        }
        r->targets = ts;
        r->cap = cap;
    }
    size_t g;
    rc = rx_synonyms_add_group(r->triggers, &g, line, left, 1, lineno, NULL, NULL);
    if (rc != RX_OK || g == SIZE_MAX) {
        free_list(&t);
        if (rc == RX_OK && diag)
            diag(ctx, lineno, "联想规则在“=>”之前至少需要一个触发词");
        return rc;
    }
    r->targets[r->n++] = t; /* g == r->n - 1: one trigger group per kept line */
    return RX_OK;
}

int rx_related_parse(rx_related **out, const char *text, size_t len, rx_diag_fn diag, void *ctx)
{
    *out = NULL;
    rx_related *r = calloc(1, sizeof *r);
    if (!r)
        return rx_error_set(RX_ENOMEM, "out of memory");
    int rc = rx_synonyms_parse(&r->triggers, NULL, 0, NULL, NULL);
    rx_list_iter it = {.text = text, .len = len};
    const char *line;
    size_t llen;
    while (rc == RX_OK && rx_list_next(&it, &line, &llen)) {
        size_t k = 0;
        while (k < llen && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
            k++;
        if (k < llen)
            rc = add_line(r, line, llen, it.lineno, diag, ctx);
    }
    if (rc != RX_OK) {
        rx_related_free(r);
        return rc;
    }
    *out = r;
    return RX_OK;
}

void rx_related_free(rx_related *r)
{
    if (!r)
        return;
    for (size_t k = 0; k < r->n; k++)
        free_list(&r->targets[k]);
    free(r->targets);
    rx_synonyms_free(r->triggers);
    free(r);
}

size_t rx_related_count(const rx_related *r)
{
    return r ? r->n : 0;
}

char *rx_related_serialize(const rx_related *r)
{
    rx_buf b = {0};
    for (size_t g = 0; r && g < r->n; g++) {
        size_t n;
        const char *const *t = rx_synonyms_group(r->triggers, g, &n);
        for (size_t k = 0; k < n; k++) {
            rx_buf_puts(&b, t[k]);
            rx_buf_putc(&b, ' ');
        }
        rx_buf_puts(&b, "=>");
        for (size_t k = 0; k < r->targets[g].n; k++) {
            rx_buf_putc(&b, ' ');
            rx_buf_puts(&b, r->targets[g].terms[k]);
        }
        rx_buf_putc(&b, '\n');
    }
    return rx_buf_steal(&b);
}

typedef struct {
    const rx_related *r;
    rx_related_fn fn;
    void *ctx;
} scan_ctx;

static void on_trigger(void *ctx, size_t g, size_t start, size_t len)
{
    (void)start;
    (void)len;
    scan_ctx *s = ctx;
    for (size_t k = 0; k < s->r->targets[g].n; k++)
        s->fn(s->ctx, s->r->targets[g].terms[k]);
}

void rx_related_scan(const rx_related *r, const char *text, size_t len, rx_related_fn fn, void *ctx)
{
    if (!r || r->n == 0)
        return;
    scan_ctx s = {r, fn, ctx};
    rx_synonyms_scan(r->triggers, text, len, on_trigger, &s);
}
