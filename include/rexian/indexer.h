/* `rexian index`: incremental, crash-safe building and atomic publishing of
 * the knowledge-base index.
 *
 * INDEX_DIR holds generations (gen-000001/, ...) and `current`, a Xapian stub
 * file naming the live one. A build writes a new generation beside the live
 * one — two databases filled in parallel (the first a copy of the live one
 * when incremental), merged by compaction — and publishes it by renaming a
 * new stub over `current`: readers see the old index or the new one, never a
 * mix, whenever the indexer is killed. One indexer runs at a time
 * (INDEX_DIR/.lock).
 *
 * Hostile corpora and file systems:
 * - Symbolic links inside the corpus are refused, all of them (a link to a
 *   file or folder outside could make the server publish any file the
 *   process can read; one inside would only duplicate ids): each is reported
 *   as `PATH:1: symbolic link refused ...` and a linked folder is not
 *   walked. Every step below CORPUS_DIR is opened with O_NOFOLLOW, so a link
 *   swapped in after the scan is not followed either. CORPUS_DIR itself may
 *   be a link. A reference list (departments.txt, synonyms*.txt, ...) that is
 *   a link or cannot be read is fatal.
 * - A file that cannot be read (permissions, I/O error, not a regular file)
 *   is reported and keeps the documents it gave the live generation; a file
 *   that parses as bad (or is too large) is rejected and its documents go.
 *   A rebuild from scratch (--full, or changed lists) cannot keep them: it
 *   fails instead, leaving the published index as it was.
 * - A build that fails at any step (a full disk, a read-only folder) leaves
 *   no partial generation and no descriptor open on its files (Xapian's
 *   compactor leaks its output's descriptors when it fails; they are
 *   closed), and its message says when the disk is full or read-only.
 * - What the indexer creates is its owner's only (folders 0700, files 0600)
 *   whatever the process umask.
 */
#ifndef REXIAN_INDEXER_H
#define REXIAN_INDEXER_H

#include "rexian/corpus.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *corpus_dir;
    const char *index_dir;
    bool full;     /* rebuild everything */
    bool progress; /* draw a progress bar on stderr */
    /* called after each changed file (from the building thread) */
    void (*on_progress)(void *ctx, size_t files_done, size_t files_total, size_t documents);
    void *progress_ctx;
    unsigned analyzer; /* 0 → RX_AN_DEFAULT */
    size_t batch;      /* documents per commit and writer (0 → 1000: measured fastest) */
} rx_build_opts;

typedef struct {
    size_t files, files_changed, files_rejected;
    size_t documents; /* documents in the published index */
    size_t added, removed;
    size_t bytes_read; /* bytes of changed files processed */
    double seconds;
    long generation;
    bool published; /* false when nothing changed */
} rx_build_stats;

/* Builds and publishes. Problems with individual files go to diags (the
 * rest is indexed and published); a fatal problem returns an error (RX_EIO
 * for the file system, RX_EINDEX for Xapian, RX_ECONFLICT when another
 * indexer holds the lock, RX_ENOTFOUND without a corpus) and leaves the
 * published index exactly as it was. */
int rx_build(rx_build_stats *st, const rx_build_opts *o, rx_diags *diags);

/* Reads and validates every document of a corpus without indexing it (for
 * the evaluation and benchmark tools). *docs: free each with rx_doc_clear and
 * the array with free(). */
int rx_corpus_load(rx_doc **docs, size_t *n, const char *corpus_dir, rx_diags *diags);

#endif
