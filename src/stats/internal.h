/* The statistics module's state, shared by its parts: the sync loop
 * (stats.c), the resolution facts (facts.c) and what follows them. Every
 * part keeps its tables in the stats schema (stats.c) and its batch state
 * here; a batch runs inside one transaction on s->db, under s->mu. */
#ifndef REXIAN_STATS_INTERNAL_H
#define REXIAN_STATS_INTERNAL_H

#include "rexian/stats.h"
#include "rexian/strmap.h"

#include <pthread.h>
#include <stdbool.h>

/* A ticket's facts as the rollups count them. */
enum {
    F_ONE_CALL = 1 << 0,  /* closed by resolve_first_contact */
    F_ASSISTED = 1 << 1,  /* ... naming at least one document */
    F_REACHED = 1 << 2,   /* a callback reached the caller */
    F_SATISFIED = 1 << 3, /* the latest reached callback was (basically) satisfied */
    F_REPLIED = 1 << 4,   /* replied at least once */
    F_LATE = 1 << 5,      /* a reply came after its deadline */
    F_REWORK = 1 << 6,    /* rejected at least once (驳回重办) */
    F_REOPEN = 1 << 7,    /* reopened at least once (二次办理) */
    F_OVERDUE = 1 << 8,   /* marked overdue since its deadline was last set */
};

typedef struct {
    char *doc;
    bool opened, cited;
} fact_doc;

typedef struct {
    long long n; /* the ticket's row number */
    bool stored; /* a row in stats_tickets before this batch */
    long day;    /* created */
    char *category, *agent, *lead;
    long deadline; /* RX_DATE_INVALID when none */
    unsigned flags;
    fact_doc *docs;
    size_t ndocs;
    /* as stored before this batch: what the rollups count now */
    char *old_lead;
    unsigned old_flags;
    fact_doc *old_docs;
    size_t old_ndocs;
} fact;

/* The rollup columns, in order. */
enum {
    C_TICKETS,
    C_ONE_CALL,
    C_ASSISTED,
    C_REACHED,
    C_SATISFIED,
    C_REPLIED,
    C_ON_TIME,
    C_REWORK,
    C_REOPEN,
    C_OPENED,
    NCOLS
};

/* The dimensions of stats_daily. */
enum { DIM_ALL, DIM_DEPARTMENT, DIM_CATEGORY, DIM_AGENT, DIM_DOCUMENT, NDIMS };

typedef struct {
    long day;
    int dim;
    char *key;
    long long c[NCOLS];
} rollup_delta;

typedef struct rx_analysis rx_analysis; /* analysis.h */

struct rx_stats {
    sqlite3 *db;
    rx_tickets *t;
    pthread_mutex_t mu;
    long long events, lookups; /* positions reached in the two feeds */
    /* the batch under way: the tickets it touched and what it adds */
    rx_strmap fmap; /* ticket row number → index + 1 in facts */
    fact *facts;
    size_t nfacts, cap_facts;
    bool lookup_blocked;     /* a lookup for a ticket not yet seen: the next batch */
    sqlite3_stmt *series_st; /* rx_term_series's, prepared once (under mu) */
    rx_analysis *an;         /* hot words, warnings, policy effect, gaps (analysis.h) */
};

/* Returned by a lookup's handler when its ticket has not been seen yet:
 * the lookup feed stops there until the next batch. */
#define RX_STATS_WAIT 1

/* facts.c */
int rx_facts_event(rx_stats *s, const rx_feed_event *e);
int rx_facts_lookup(rx_stats *s, const rx_lookup_event *l);
int rx_facts_flush(rx_stats *s); /* writes the batch's tickets and rollup changes */
void rx_facts_drop(rx_stats *s); /* forgets the batch (after a failure) */

/* SQL helpers */
int rx_stats_exec(rx_stats *s, const char *sql);

#endif
