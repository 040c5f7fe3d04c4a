/* The assist model's state, shared by the files of src/assist. */
#ifndef REXIAN_SRC_ASSIST_MODEL_H
#define REXIAN_SRC_ASSIST_MODEL_H

#include "rexian/assist.h"
#include "rexian/strmap.h"

#include <pthread.h>
#include <stdint.h>

#define MAX_CLASSES 128
#define DUTY_WEIGHT 3 /* a duty line counts as this many tickets */
#define LOCAL 0       /* the class of the district and county governments (属地) */

/* The signals in a ticket's text the level rests on (rx_assist_cues).
 * CUE_LASTING: many people's matter that has lasted years; CUE_NEWFORM: a
 * new kind of business whose supervision several departments share. */
enum {
    CUE_MANY = 1,
    CUE_REPEAT = 2,
    CUE_LEGACY = 4,
    CUE_MULTI = 8,
    CUE_LEADER = 16,
    CUE_LASTING = 32,
    CUE_NEWFORM = 64,
    CUE_CROSS = 128,  /* the province and a level below it both in the matter */
    CUE_GAP = 256,    /* 政策空白: the caller asks for a policy no one has made */
    CUE_PLEDGE = 512, /* 重大民生事项: one of the government's pledged 民生实事 */
    NCUES = 1024
};

typedef struct {
    uint16_t cls;
    float pos, neg; /* examples kept by the department, and returned by it */
} centry;

typedef struct {
    float df; /* examples containing it */
    uint16_t n, cap;
    centry *e;
} feature;

typedef struct {
    int cls;
    char *dept, *text;
    int *feats;
    size_t nfeats;
} duty;

/* What resolutions taught: one document for a learned term. */
typedef struct {
    char *doc;
    double strength; /* decayed count of resolutions, at time `at` */
    double at;
    int resolutions;
} ldoc;

typedef struct {
    ldoc *d;
    size_t n, cap;
} lterm;

/* The linear classifier's examples (linear.c): feature ids of each, in
 * one array. */
typedef struct {
    size_t off, n;
    int cls;
    float w;
} lr_item;

typedef struct {
    int *ids;
    size_t nids, capids;
    lr_item *items;
    size_t n, cap;
} lr_store;

/* A fitted logistic regression: weights nf × nc, biases nc. */
typedef struct {
    size_t nf, nc;
    float *w;
    float b[MAX_CLASSES];
    size_t examples; /* what it was fitted on */
    double seconds;  /* how long the fit took, the copy included */
} lr_model;

struct rx_assist {
    pthread_rwlock_t mu;
    pthread_mutex_t sync_mu;
    sqlite3 *db;
    /* the classifier */
    rx_strmap fmap;
    feature *f;
    size_t nf, capf;
    rx_strmap cmap; /* canonical name → class */
    char *cname[MAX_CLASSES];
    size_t nc;
    double pos_total[MAX_CLASSES], pos_n[MAX_CLASSES], neg_total[MAX_CLASSES], neg_n[MAX_CLASSES];
    double tickets[MAX_CLASSES]; /* tickets each department took (duties not counted) */
    double cue_level[NCUES][3];  /* first dispatches by the text's cues (CUE_*) and level */
    double examples;
    /* the corpus */
    long generation;
    duty *duties;
    size_t nduties;
    /* the duty lines that hold each feature (ids below duty_nf): duty_post
     * from duty_off[id] to duty_off[id + 1], in the duties' order */
    size_t *duty_off;
    uint32_t *duty_post;
    size_t duty_nf;
    char **gov; /* the district and county governments' canonical names */
    size_t ngov;
    /* every department's names (two characters at least), to see which a
     * text mentions; a government's class is MAX_CLASSES + its gov index */
    char **mention;
    int *mention_cls;
    size_t nmention;
    /* learning */
    long long last_event, events;
    long long scanned;      /* every event up to this number has been read by a sync */
    long long cache_ticket; /* the ticket whose text these are */
    int *cache_ids;
    size_t cache_n;
    unsigned cache_cues;
    /* learned terms */
    rx_strmap lmap;
    lterm *lt;
    size_t nlt, caplt;
    rx_strmap forgotten; /* "term\x1f" "doc" */
    /* the linear classifier (linear.c) */
    pthread_mutex_t fit_mu; /* one refit at a time */
    lr_store lr_tickets;    /* the newest kept dispatches; duty lines are in duties */
    lr_model *lr;           /* the last fit, or NULL */
    long long lr_seen;      /* ticket examples ever added */
    long long lr_fit_seen;  /* ... when the last fit copied them */
    long lr_fit_generation; /* the corpus generation of the last fit */
};

unsigned rx_assist_cues(const rx_assist *a, const char *content);
/* The feature ids of a text (add: register new features; else unknown
 * ones are left out), and into *cues (unless NULL) its cues, which the
 * features include. *out is the caller's to free. */
int rx_assist_features(rx_assist *a, const rx_analyzer *an, const char *content,
                       const char *address, bool add, int **out, size_t *n, unsigned *cues);
int rx_assist_class(rx_assist *a, const char *name, bool add);
void rx_assist_count(rx_assist *a, const int *ids, size_t n, int cls, double w, bool returned);
double rx_assist_idf(const rx_assist *a, int id);
/* The linear classifier: a kept dispatch as an example for its next
 * refit (the duty lines are taken from duties), its posterior over nc classes for a text's features
 * (classes it was not fitted on get 0), and freeing. */
int rx_linear_add(rx_assist *a, const int *ids, size_t n, int cls, double w);
void rx_linear_posterior(const lr_model *m, const int *ids, size_t n, double *p, size_t nc);
void rx_linear_free(lr_model *m);
void rx_linear_store_free(lr_store *s);
/* ids and cues: those of s->content (rx_assist_features). */
int rx_assist_learn(rx_assist *a, const rx_signal *s, const int *ids, size_t n, unsigned cues);
int rx_assist_suggest_locked(rx_assist_hint *out, rx_assist *a, const int *ids, size_t n,
                             unsigned cues, const rx_assist_input *in, unsigned method);
void rx_assist_clear_corpus(rx_assist *a);

/* learned.c */
/* Multiplies each search hit's "score" by factor[i] (none when factor is
 * NULL) and reorders the hits by it, best first (stable). */
void rx_hits_rescore(cJSON *hits, const double *factor);
int rx_learned_open(rx_assist *a);
int rx_learned_observe(rx_assist *a, const rx_analyzer *an, const rx_signal *s);
void rx_learned_free(rx_assist *a);

#endif
