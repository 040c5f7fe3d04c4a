/* Reindexing from the service (POST /api/v1/admin/reindex): one job at a
 * time in a background thread, with progress and result kept for GET. The
 * index is published atomically, so searches go on throughout. */
#include "rexian/reindex.h"
#include "rexian/error.h"
#include "rexian/indexer.h"
#include "rexian/text.h"
#include "rexian/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_JOBS 32
#define MAX_REPORTED 200

typedef enum { JOB_RUNNING, JOB_DONE, JOB_FAILED } job_state;

typedef struct {
    long id;
    job_state state;
    bool full;
    double started, finished;
    size_t files_done, files_total, documents;
    rx_build_stats stats;
    rx_diags diags;
    char error[512];
} job;

struct rx_reindexer {
    char *corpus, *index;
    pthread_mutex_t mu;
    job jobs[MAX_JOBS]; /* ring of the latest jobs */
    long next_id;
    bool running;
    pthread_cond_t idle; /* signalled when a job ends */
    pthread_t thread;
    bool joinable;
};

int rx_reindexer_new(rx_reindexer **out, const char *corpus, const char *index)
{
    *out = NULL;
    rx_reindexer *r = calloc(1, sizeof *r);
    if (!r || !(r->corpus = strdup(corpus)) || !(r->index = strdup(index))) {
        if (r)
            free(r->corpus);
        free(r);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->idle, NULL);
    r->next_id = 1;
    *out = r;
    return RX_OK;
}

void rx_reindexer_free(rx_reindexer *r)
{
    if (!r)
        return;
    if (r->joinable)
        pthread_join(r->thread, NULL);
    for (size_t k = 0; k < MAX_JOBS; k++)
        rx_diags_free(&r->jobs[k].diags);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->idle);
    free(r->corpus);
    free(r->index);
    free(r);
}

static job *slot(rx_reindexer *r, long id)
{
    return &r->jobs[id % MAX_JOBS];
}

typedef struct {
    rx_reindexer *r;
    long id;
} run_ctx;

static void on_progress(void *ctx, size_t done, size_t total, size_t docs)
{
    run_ctx *c = ctx;
    pthread_mutex_lock(&c->r->mu);
    job *j = slot(c->r, c->id);
    j->files_done = done;
    j->files_total = total;
    j->documents = docs;
    pthread_mutex_unlock(&c->r->mu);
}

static void *run(void *arg)
{
    run_ctx *c = arg;
    rx_reindexer *r = c->r;
    pthread_mutex_lock(&r->mu);
    bool full = slot(r, c->id)->full;
    pthread_mutex_unlock(&r->mu);
    rx_build_opts o = {.corpus_dir = r->corpus,
                       .index_dir = r->index,
                       .full = full,
                       .on_progress = on_progress,
                       .progress_ctx = c};
    rx_build_stats st;
    rx_diags diags = {0};
    int rc = rx_build(&st, &o, &diags);
    pthread_mutex_lock(&r->mu);
    job *j = slot(r, c->id);
    j->stats = st;
    j->diags = diags;
    j->finished = rx_now();
    j->state = rc == RX_OK ? JOB_DONE : JOB_FAILED;
    if (rc != RX_OK) {
        /* a failed build leaves the published index as it was: say so */
        static const char tail[] = " (the published index is unchanged)";
        const char *why = rx_error_last();
        snprintf(j->error, sizeof j->error, "%.*s%s",
                 rx_utf8_clip(why, sizeof j->error - sizeof tail), why, tail);
    }
    r->running = false;
    pthread_cond_broadcast(&r->idle);
    pthread_mutex_unlock(&r->mu);
    if (rc != RX_OK)
        fprintf(stderr, "rexian serve: reindex job %ld failed: %s\n", c->id, rx_error_last());
    else
        fprintf(stderr,
                "rexian serve: reindex job %ld done: %zu documents, generation %ld, %zu rejected\n",
                c->id, st.documents, st.generation, diags.n);
    free(c);
    return NULL;
}

int rx_reindexer_start(rx_reindexer *r, bool full, long *id)
{
    pthread_mutex_lock(&r->mu);
    if (r->running) {
        *id = r->next_id - 1;
        pthread_mutex_unlock(&r->mu);
        return rx_error_set(RX_ECONFLICT, "a reindex is already running");
    }
    if (r->joinable) {
        pthread_join(r->thread, NULL); /* the previous, finished job */
        r->joinable = false;
    }
    run_ctx *c = malloc(sizeof *c);
    if (!c) {
        pthread_mutex_unlock(&r->mu);
        return rx_error_set(RX_ENOMEM, "out of memory");
    }
    c->r = r;
    c->id = r->next_id++;
    job *j = slot(r, c->id);
    rx_diags_free(&j->diags);
    memset(j, 0, sizeof *j);
    j->id = c->id;
    j->full = full;
    j->state = JOB_RUNNING;
    j->started = rx_now();
    r->running = true;
    if (pthread_create(&r->thread, NULL, run, c) != 0) {
        r->running = false;
        j->state = JOB_FAILED;
        snprintf(j->error, sizeof j->error, "cannot start a thread");
        pthread_mutex_unlock(&r->mu);
        free(c);
        return rx_error_set(RX_EIO, "cannot start the reindex thread");
    }
    r->joinable = true;
    *id = c->id;
    pthread_mutex_unlock(&r->mu);
    return RX_OK;
}

int rx_reindexer_start_after(rx_reindexer *r, bool full, long *id, double timeout_s)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)timeout_s;
    bool waited_out = false;
    pthread_mutex_lock(&r->mu);
    while (r->running && !waited_out)
        waited_out = pthread_cond_timedwait(&r->idle, &r->mu, &until) != 0;
    pthread_mutex_unlock(&r->mu);
    int rc = rx_reindexer_start(r, full, id);
    /* another caller started first, after the change: its job reads it */
    if (rc == RX_ECONFLICT && !waited_out) {
        rx_error_clear();
        return RX_OK;
    }
    return rc;
}

int rx_reindexer_status(cJSON **out, rx_reindexer *r, long id)
{
    *out = NULL;
    pthread_mutex_lock(&r->mu);
    job *j = slot(r, id);
    if (id < 1 || j->id != id) {
        pthread_mutex_unlock(&r->mu);
        return rx_error_set(RX_ENOTFOUND, "no reindex job %ld", id);
    }
    static const char *const states[] = {"running", "done", "failed"};
    cJSON *o = cJSON_CreateObject();
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%ld", id);
    cJSON_AddStringToObject(o, "job", idbuf);
    cJSON_AddStringToObject(o, "status", states[j->state]);
    cJSON_AddBoolToObject(o, "full", j->full);
    cJSON_AddNumberToObject(o, "files_done", (double)j->files_done);
    cJSON_AddNumberToObject(o, "files_total", (double)j->files_total);
    double end = j->state == JOB_RUNNING ? rx_now() : j->finished;
    cJSON_AddNumberToObject(o, "seconds", (double)(long)((end - j->started) * 100) / 100);
    if (j->state != JOB_RUNNING) {
        cJSON_AddNumberToObject(o, "documents", (double)j->stats.documents);
        cJSON_AddNumberToObject(o, "generation", (double)j->stats.generation);
        cJSON_AddBoolToObject(o, "published", j->stats.published);
        cJSON_AddNumberToObject(o, "files_changed", (double)j->stats.files_changed);
        cJSON *rej = cJSON_AddArrayToObject(o, "rejected");
        for (size_t k = 0; k < j->diags.n && k < MAX_REPORTED; k++) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "path", j->diags.items[k].path);
            cJSON_AddNumberToObject(d, "line", (double)j->diags.items[k].line);
            cJSON_AddStringToObject(d, "reason", j->diags.items[k].reason);
            cJSON_AddItemToArray(rej, d);
        }
        cJSON_AddNumberToObject(o, "rejected_total", (double)j->diags.n);
    } else {
        cJSON_AddNumberToObject(o, "documents", (double)j->documents);
    }
    if (j->state == JOB_FAILED)
        cJSON_AddStringToObject(o, "error", j->error);
    pthread_mutex_unlock(&r->mu);
    *out = o;
    return RX_OK;
}
