/* Background reindexing for the service: one job at a time; the latest jobs
 * are kept with their progress and result. */
#ifndef REXIAN_REINDEX_H
#define REXIAN_REINDEX_H

#include <cjson/cJSON.h>
#include <stdbool.h>

typedef struct rx_reindexer rx_reindexer;

int rx_reindexer_new(rx_reindexer **out, const char *corpus_dir, const char *index_dir);
/* Waits for a running job to finish, then frees. NULL-safe. */
void rx_reindexer_free(rx_reindexer *r);
/* Starts a job; *id receives its id (or the running job's id with
 * RX_ECONFLICT). */
int rx_reindexer_start(rx_reindexer *r, bool full, long *id);
/* The same, but a running job is waited for (up to timeout_s seconds,
 * then RX_ECONFLICT) and a new one started after it: for a change made
 * to the corpus while a job was already reading it. */
int rx_reindexer_start_after(rx_reindexer *r, bool full, long *id, double timeout_s);
/* {"job","status":"running|done|failed","files_done","files_total",
 *  "documents","seconds", and when finished "generation","published",
 *  "files_changed","rejected":[{"path","line","reason"}],"rejected_total",
 *  "error"}; RX_ENOTFOUND for an unknown or forgotten id. A failed job's
 * "error" says why (a full disk, a read-only index folder, an unreadable
 * file a rebuild would drop) and that the published index is unchanged. */
int rx_reindexer_status(cJSON **out, rx_reindexer *r, long id);

#endif
