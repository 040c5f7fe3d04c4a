/* Documents and diagnostics: the shared plumbing of the corpus readers. */
#include "rexian/corpus.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rx_doc_clear(rx_doc *d)
{
    if (!d)
        return;
    free(d->id);
    free(d->title);
    free(d->department);
    free(d->type);
    for (size_t k = 0; k < d->ntags; k++)
        free(d->tags[k]);
    free(d->tags);
    free(d->body);
    free(d->path);
    memset(d, 0, sizeof *d);
}

void rx_diags_add(rx_diags *d, const char *path, size_t line, const char *fmt, ...)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        rx_diag *items = realloc(d->items, cap * sizeof *items);
        if (!items)
            return;
        d->items = items;
        d->cap = cap;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rx_diag *x = &d->items[d->n];
    x->path = strdup(path);
    x->reason = strdup(msg);
    x->line = line;
    if (x->path && x->reason)
        d->n++;
    else {
        free(x->path);
        free(x->reason);
    }
}

void rx_diags_free(rx_diags *d)
{
    for (size_t k = 0; k < d->n; k++) {
        free(d->items[k].path);
        free(d->items[k].reason);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

bool rx_id_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return n >= 1 && n <= RX_MAX_ID_LEN;
}
