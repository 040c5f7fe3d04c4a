/* Importing departments' documents: DOCX, PDF and saved HTML pages turned
 * into corpus Markdown with front matter (DESIGN.md), with the metadata
 * guessed from the text and each guess marked for the admin to confirm;
 * and publishing a reviewed draft into the corpus, which sets the expiry
 * of the documents it supersedes (same title or 文号).
 *
 * Everything here works on bytes in memory and a corpus folder; nothing
 * is written until rx_import_publish. What a function returns through
 * out belongs to the caller and is freed by the matching *_free/_clear.
 */
#ifndef REXIAN_IMPORT_H
#define REXIAN_IMPORT_H

#include "rexian/corpus.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits on what is read. A file over RX_IMPORT_MAX_BYTES is refused
 * before it is parsed (RX_ETOOBIG); a DOCX whose parts would unpack to
 * more than RX_IMPORT_MAX_UNPACKED bytes, or more than
 * RX_IMPORT_MAX_RATIO times the file's size, is refused as a zip bomb. */
#define RX_IMPORT_MAX_BYTES (50u * 1024 * 1024)
#define RX_IMPORT_MAX_UNPACKED (64u * 1024 * 1024)
#define RX_IMPORT_MAX_RATIO 100u
#define RX_IMPORT_MAX_PAGES 2000

/* What was guessed rather than given: bits of rx_import_draft.guessed. */
enum {
    RX_GUESS_ID = 1u << 0,
    RX_GUESS_TITLE = 1u << 1,
    RX_GUESS_DEPARTMENT = 1u << 2,
    RX_GUESS_TYPE = 1u << 3,
    RX_GUESS_EFFECTIVE = 1u << 4,
    RX_GUESS_EXPIRES = 1u << 5,
    RX_GUESS_TAGS = 1u << 6,
};

/* The front-matter key of each guess bit, in order ("id", "title", ...). */
extern const char *const rx_import_guess_keys[7];

/* An existing document the draft supersedes, and the expiry it gets. */
typedef struct {
    char *id, *title, *path; /* path relative to the corpus */
    char expires_before[11]; /* "" if it had none */
    char expires_after[11];
    char *why; /* 同名 / 同文号 / 明文废止, in Chinese */
} rx_import_supersede;

/* A converted document, not yet in the corpus. */
typedef struct {
    char *file;         /* the original's name, as given */
    const char *format; /* "docx", "pdf" or "html" (static) */
    char *id, *title, *department, *type;
    char **tags;
    size_t ntags;
    char effective[11], expires[11]; /* YYYY-MM-DD; expires "" if none */
    char *docno;                     /* 文号 such as 株住建发〔2024〕3号, or NULL */
    unsigned guessed;                /* RX_GUESS_* */
    char *body;                      /* Markdown, without front matter */
    char *source_text;               /* the original's text, plain, for review */
    char *folder;                    /* corpus sub-folder it goes to */
    rx_import_supersede *supersedes;
    size_t nsupersedes;
} rx_import_draft;

void rx_import_draft_clear(rx_import_draft *d);

/* What a conversion knows of the corpus: departments.txt, synonyms.txt
 * (for tags) and the documents already there (for ids, folders and
 * supersedes). Loaded from a corpus folder; a missing list is empty. */
typedef struct rx_import_ctx rx_import_ctx;
int rx_import_ctx_load(rx_import_ctx **out, const char *corpus_dir);
void rx_import_ctx_free(rx_import_ctx *c);
/* The departments read (borrowed; NULL when departments.txt is missing). */
const rx_departments *rx_import_ctx_departments(const rx_import_ctx *c);

/* Options of one conversion. department and type, when given, are taken
 * as they are (not guessed); today is "YYYY-MM-DD" or NULL (the date when
 * the text names none). */
typedef struct {
    const char *department;
    const char *type;
    const char *today;
} rx_import_opts;

/* The format the bytes are (by their magic, whatever the name says), and
 * whether the name's extension agrees. Returns "docx", "pdf", "html" or
 * NULL when unsupported, after recording the reason (RX_EVALUE:
 * wrong_format, unsupported_format, encrypted). */
const char *rx_import_sniff(const char *name, const void *data, size_t len);

/* Converts one file into *out. Refuses with a Chinese message (RX_EVALUE
 * with reason wrong_format, unsupported_format, encrypted, corrupt,
 * zip_bomb, no_text_layer, empty; RX_ETOOBIG too_large) and fills
 * nothing then. */
int rx_import_convert(rx_import_draft *out, const rx_import_ctx *ctx, const char *name,
                      const void *data, size_t len, const rx_import_opts *opts);

/* The corpus file for a draft: front matter (each guessed value followed
 * by a `# 推测` comment when mark_guesses) and the body. Caller frees. */
char *rx_import_markdown(const rx_import_draft *d, bool mark_guesses);

/* Finds, into d->supersedes, the documents of the corpus the draft
 * supersedes: same title, same 文号, or named as repealed (废止) in its
 * text; each gets the day before the draft's effective date as expiry
 * (never before its own effective date, never later than it had). */
int rx_import_find_supersedes(rx_import_draft *d, const rx_import_ctx *ctx);

/* Writes the draft into corpus_dir/<folder>/<id>.md and sets the expiry
 * of what it supersedes, under a lock on the corpus folder. The file is
 * checked as the indexer will read it first (RX_EVALUE invalid_document
 * with the reason), and an id already in the corpus is RX_ECONFLICT
 * duplicate_id; then nothing is written. *path_out (may be NULL)
 * receives the new file's path relative to the corpus. */
int rx_import_publish(char **path_out, const char *corpus_dir, rx_import_draft *d,
                      bool mark_guesses);

/* Share of the characters of want (letters, digits, Han, punctuation;
 * white space and Markdown markup left out) found in order in got: the
 * longest common subsequence over the length of want, from 0 to 1. */
double rx_import_text_ratio(const char *want, const char *got);

#endif
