/* The metadata guesses over a converted file's blocks (guess.c). */
#ifndef REXIAN_SRC_IMPORT_GUESS_H
#define REXIAN_SRC_IMPORT_GUESS_H

#include "internal.h"
#include "rexian/import.h"
#include "rexian/synonyms.h"

typedef struct {
    size_t title;      /* the block that is the title, SIZE_MAX if none */
    size_t letterhead; /* the letterhead block (文头), SIZE_MAX if none */
} guess_info;

/* Fills d's title, department, type, docno, dates and tags from the
 * blocks, marking each guess in d->guessed; what o gives is taken as it
 * is (a department not in deps is RX_EVALUE unknown_department). file is
 * the original's name (the title of last resort). */
int rx_import_guess(rx_import_draft *d, guess_info *info, const blk_list *b,
                    const rx_departments *deps, const rx_synonyms *syn, const rx_import_opts *o,
                    const char *file);

/* The first 文号 in text (株住建发〔2024〕3号, blanks removed), or NULL.
 * Caller frees. */
char *rx_import_find_docno(const char *text);

#endif
