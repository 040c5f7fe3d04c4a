/* An open-addressing hash map from byte strings to a size_t value. Keys are
 * copied; iteration order is insertion order. */
#ifndef REXIAN_STRMAP_H
#define REXIAN_STRMAP_H

#include <stddef.h>

typedef struct {
    char *key;
    size_t klen;
    size_t value;
} rx_strmap_entry;

typedef struct rx_strmap_chunk rx_strmap_chunk;

typedef struct {
    rx_strmap_entry *entries; /* insertion order */
    size_t count, cap_entries;
    size_t *slots; /* index+1 into entries, 0 = empty */
    size_t nslots;
    rx_strmap_chunk *chunks; /* key storage; keys never move */
} rx_strmap;

/* Returns the entry for key, inserting it with value 0 if absent (*added set
 * to 1 then), or NULL when out of memory. The pointer is valid until the next
 * insertion. */
rx_strmap_entry *rx_strmap_upsert(rx_strmap *m, const char *key, size_t klen, int *added);
/* Returns the entry for key or NULL. */
rx_strmap_entry *rx_strmap_get(const rx_strmap *m, const char *key, size_t klen);
void rx_strmap_clear(rx_strmap *m);
void rx_strmap_free(rx_strmap *m);

#endif
