/* Open-addressing string map with linear probing; keys hashed eight bytes
 * at a time (Chinese keys are long: a byte-wise hash was a fifth of a
 * statistics query that counts a month's places). */
#include "rexian/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES 65536

struct rx_strmap_chunk {
    rx_strmap_chunk *next;
    size_t used, cap;
    char data[];
};

/* Copies a key into the map's chunked arena: no malloc per key. */
static char *store_key(rx_strmap *m, const char *key, size_t klen)
{
    rx_strmap_chunk *c = m->chunks;
    if (!c || c->cap - c->used < klen + 1) {
        size_t cap = klen + 1 > CHUNK_BYTES ? klen + 1 : CHUNK_BYTES;
        rx_strmap_chunk *n = malloc(sizeof *n + cap);
        if (!n)
            return NULL;
        n->used = 0;
        n->cap = cap;
        n->next = c;
        m->chunks = c = n;
    }
    char *k = c->data + c->used;
    memcpy(k, key, klen);
    k[klen] = '\0';
    c->used += klen + 1;
    return k;
}

static uint64_t mix(uint64_t h) /* MurmurHash3's finalizer */
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, n - i);
    return mix(h ^ tail);
}

static size_t *find_slot(const rx_strmap *m, const char *key, size_t klen)
{
    size_t mask = m->nslots - 1, i = (size_t)hash_bytes(key, klen) & mask;
    for (;;) {
        size_t *slot = &m->slots[i];
        if (*slot == 0)
            return slot;
        const rx_strmap_entry *e = &m->entries[*slot - 1];
        if (e->klen == klen && memcmp(e->key, key, klen) == 0)
            return slot;
        i = (i + 1) & mask;
    }
}

static int grow(rx_strmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 64;
    size_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    free(m->slots);
    m->slots = slots;
    m->nslots = n;
    for (size_t k = 0; k < m->count; k++)
        *find_slot(m, m->entries[k].key, m->entries[k].klen) = k + 1;
    return 0;
}

rx_strmap_entry *rx_strmap_get(const rx_strmap *m, const char *key, size_t klen)
{
    if (!m->nslots)
        return NULL;
    size_t *slot = find_slot(m, key, klen);
    return *slot ? &m->entries[*slot - 1] : NULL;
}

rx_strmap_entry *rx_strmap_upsert(rx_strmap *m, const char *key, size_t klen, int *added)
{
    if (added)
        *added = 0;
    if ((m->count + 1) * 2 > m->nslots && grow(m) != 0)
        return NULL;
    size_t *slot = find_slot(m, key, klen);
    if (*slot)
        return &m->entries[*slot - 1];
    if (m->count == m->cap_entries) {
        size_t cap = m->cap_entries ? m->cap_entries * 2 : 32;
        rx_strmap_entry *e = realloc(m->entries, cap * sizeof *e);
        if (!e)
            return NULL;
        m->entries = e;
        m->cap_entries = cap;
    }
    char *k = store_key(m, key, klen);
    if (!k)
        return NULL;
    rx_strmap_entry *e = &m->entries[m->count++];
    e->key = k;
    e->klen = klen;
    e->value = 0;
    *slot = m->count;
    if (added)
        *added = 1;
    return e;
}

void rx_strmap_clear(rx_strmap *m)
{
    /* keep one chunk for reuse */
    rx_strmap_chunk *c = m->chunks;
    while (c && c->next) {
        rx_strmap_chunk *next = c->next;
        free(c);
        c = next;
    }
    if (c)
        c->used = 0;
    m->chunks = c;
    m->count = 0;
    if (m->slots)
        memset(m->slots, 0, m->nslots * sizeof *m->slots);
}

void rx_strmap_free(rx_strmap *m)
{
    rx_strmap_clear(m);
    free(m->chunks);
    free(m->entries);
    free(m->slots);
    memset(m, 0, sizeof *m);
}
