/* The ticket store: tickets, their append-only event log, repeat links and
 * case search, in SQLite. Every SQL statement about tickets is in
 * src/tickets/store.c, so that another store (PostgreSQL) can stand behind
 * this interface.
 *
 * One write connection, serialized by a mutex, takes every change in its
 * own BEGIN IMMEDIATE transaction; each thread reads through its own
 * connection (WAL lets reads run beside the writer). Functions are
 * thread-safe. Answers are cJSON documents owned by the caller.
 */
#ifndef REXIAN_TICKETS_H
#define REXIAN_TICKETS_H

#include "rexian/roles.h"
#include "rexian/workflow.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

typedef struct rx_tickets rx_tickets;

/* Opens the store on the database at path, creating or migrating its
 * tables.
 * departments, calendar and rules are borrowed and must outlive it. */
int rx_tickets_open(rx_tickets **out, const char *path, const rx_departments *departments,
                    const rx_calendar *calendar, const rx_wf_rules *rules);
void rx_tickets_free(rx_tickets *t);
/* The workflow rules the store applies (borrowed, as given to rx_tickets_open). */
const rx_wf_rules *rx_tickets_rules(const rx_tickets *t);

/* Who acts, and when (seconds since the epoch; the clock is the caller's
 * so that tests and the demo loader can move it). */
typedef struct {
    const char *name;
    const char *role;       /* a role name (roles.h), or "system" for the service itself */
    const char *department; /* the department role's department */
    /* the departments in force (the served index's, refreshed on reindex);
     * NULL: those given to rx_tickets_open */
    const rx_departments *departments;
    double now;
    bool (*doc_exists)(void *ctx, const char *id);
    void *doc_ctx;
    bool brief; /* answer {"id","status","version"} only (bulk loading) */
} rx_actor;

/* Creates a ticket from a request body; *out is the ticket with events and
 * repeat_of. */
int rx_tickets_create(cJSON **out, rx_tickets *t, const cJSON *body, const rx_actor *who);

/* Takes an action ({"action":...}) on ticket id; *out is the updated
 * ticket with events. */
int rx_tickets_act(cJSON **out, rx_tickets *t, const char *id, const cJSON *body,
                   const rx_actor *who);

/* The ticket with its events and repeat links, masked for who's role
 * (rx_ticket_mask). RX_ENOTFOUND if unknown, or if who is a department
 * that neither leads nor co-handles it (no answer tells it exists). */
int rx_tickets_get(cJSON **out, rx_tickets *t, const char *id, const rx_actor *who);

/* Masks callers' personal data in a ticket answer (any depth: events'
 * payloads too) for a role that may see level: RX_PII_CONTACT masks the
 * name, in its field and wherever free text repeats it; RX_PII_MASKED
 * also the phone, the address (to its district) and, in free text
 * (content, text, reply, reason, note, snippet), the caller's address,
 * numbers that look like a phone, ID or account (7+ digits, also in
 * groups: 138 0733 1234; not dates) and names given after 我叫, 姓名,
 * 联系人 (张*). */
void rx_ticket_mask(cJSON *doc, rx_pii level);

/* Free text masked as rx_ticket_mask masks it for level, against the
 * ticket's caller and address (either may be NULL). A new string (the
 * caller frees), or NULL when text is NULL or memory runs out. */
char *rx_text_mask(const char *text, const char *caller, const char *address, rx_pii level);

/* A knowledge-base lookup made for a ticket: a search (its query, how
 * many documents matched, the ids shown first, whether the answer was
 * confident) or a document opened (open, top naming it). */
typedef struct {
    bool open;
    const char *query;
    double total;
    const cJSON *top; /* a JSON array of ids, borrowed */
    int confident;    /* 1, 0, or -1 when not known */
} rx_lookup;

/* Records lookup l made for ticket id. The ticket's answer lists them
 * under "lookups". RX_ENOTFOUND if the ticket is unknown. */
int rx_tickets_record_lookup(rx_tickets *t, const char *id, const rx_actor *who,
                             const rx_lookup *l);

/* Filters for the list; NULL / 0 fields are not applied. */
typedef struct {
    unsigned status_mask; /* bit per rx_status; 0 = all */
    const char *department;
    const char *category;
    const char *channel;
    int supervision; /* rx_supervision; 0 = any */
    bool overdue;
    bool approval;       /* received or reopened, with a proposal awaiting approval */
    bool supervised;     /* under any supervision (the report) */
    bool was_overdue;    /* overdue at least once, whatever its status now (the report) */
    long from, to;       /* creation days, RX_DATE_INVALID for open ends */
    const char *q;       /* full-text case search (content and category) */
    bool callback_queue; /* closed tickets, longest waiting first */
    int limit, offset;
} rx_ticket_query;

/* {"total":N,"tickets":[...]}; RX_EVALUE for an unknown department. A
 * department actor sees its own tickets only. Callers' data is masked in
 * every list (RX_PII_MASKED): a list is for finding a ticket; opening it
 * shows what the role may see. */
int rx_tickets_list(cJSON **out, rx_tickets *t, const rx_ticket_query *q, const rx_actor *who);

/* Tickets that are not archived, by status (counts[rx_status]; archived
 * is left 0: counting a million archived rows is not worth a scrape), and
 * how many are overdue at time now. For /metrics. */
int rx_tickets_counts(rx_tickets *t, double now, long long counts[RX_ST_COUNT], long long *overdue);

/* One pass of the overdue scanner and the escalation rules at time now. */
typedef struct {
    int overdue;   /* tickets newly marked overdue */
    int escalated; /* supervisions opened */
} rx_scan_result;
int rx_tickets_scan(rx_tickets *t, double now, rx_scan_result *out);

/* Runs fn inside one write transaction (bulk loading: the demo). The
 * store's own calls made by fn on this thread join it. */
int rx_tickets_batch(rx_tickets *t, int (*fn)(void *ctx, rx_tickets *t), void *ctx);

/* One event of the dispatch loop with its ticket's text: what assist
 * learns from. Strings are borrowed for the call. */
typedef struct {
    long long event;         /* the event's number: increasing */
    long long ticket;        /* the ticket's row number */
    const char *action;      /* dispatch | return | accept | approve | resolve_first_contact */
    double at;               /* when, seconds since the epoch */
    const char *from_status; /* the status it left */
    const char *department;  /* the lead of the dispatch the event answers (NULL before any) */
    const char *level;       /* dispatch: its level */
    const char *doc_ids;     /* resolve_first_contact: the documents, a JSON array */
    const char *lookups;     /* resolve_first_contact: the queries searched for the ticket,
                                one per line, or NULL */
    const char *content, *address, *area;
} rx_signal;
typedef int (*rx_signal_fn)(void *ctx, const rx_signal *s);

/* Calls fn for up to max events after event number after, oldest first;
 * *last is the number of the last one fn accepted (RX_OK). fn's error
 * stops the walk and is returned. */
int rx_tickets_signals(rx_tickets *t, long long after, int max, rx_signal_fn fn, void *ctx,
                       long long *last);

/* One event of the log with what statistics group it by: every action,
 * the ticket's creation and the scanner's marks included. Strings are
 * borrowed for the call. */
typedef struct {
    long long event;                                 /* the event's number: increasing */
    long long ticket;                                /* the ticket's row number */
    const char *ticket_id;                           /* its public id */
    const char *action;                              /* create | overdue | an action's name */
    const char *actor;                               /* who */
    double at;                                       /* when, seconds since the epoch */
    const char *from_status, *to_status;             /* from_status NULL at create */
    const char *payload;                             /* the event's JSON object, as recorded */
    long created_day;                                /* the ticket's: Asia/Shanghai day number */
    const char *created_by;                          /* the call-taker who created it */
    const char *channel, *category, *area, *content; /* category, area may be NULL */
    const char *address;                             /* as given; may be NULL */
} rx_feed_event;
typedef int (*rx_feed_fn)(void *ctx, const rx_feed_event *e);

/* Calls fn for up to max events after event number after, oldest first;
 * *last is the number of the last one fn accepted. fn's error stops the
 * walk and is returned. */
int rx_tickets_feed(rx_tickets *t, long long after, int max, rx_feed_fn fn, void *ctx,
                    long long *last);

/* One search or document opening recorded with a ticket (ticket=). */
typedef struct {
    long long n;       /* the record's number: increasing */
    long long ticket;  /* the ticket's row number */
    double at;         /* when */
    const char *actor; /* who */
    const char *query; /* the query as typed */
    long long total;   /* the hits it found */
    const char *top;   /* the ids shown, best first: a JSON array */
    bool open;         /* a document opened (top names it), not a search */
    int confident;     /* the search's: 1, 0, or -1 when not known */
} rx_lookup_event;
typedef int (*rx_lookup_fn)(void *ctx, const rx_lookup_event *l);

/* Calls fn for up to max lookups after number after, oldest first, as
 * rx_tickets_feed does for events. */
int rx_tickets_lookup_feed(rx_tickets *t, long long after, int max, rx_lookup_fn fn, void *ctx,
                           long long *last);

/* Past tickets from row number since on whose text matches match (an
 * FTS5 expression over the case text), best first, but never exclude_id:
 * [{"id","status","content",
 * "lead","outcome","reply","returns","score"}], callers' data masked.
 * outcome: first_contact | satisfied | basically_satisfied | unsatisfied |
 * unreachable | closed | open. */
int rx_tickets_similar(cJSON **out, rx_tickets *t, const char *match, const char *exclude_id,
                       long long since, int limit);

/* How many tickets from row number since have term (a bigram) anywhere
 * in their text, counted up to cap: what a similar-ticket lookup of it
 * would read, at a cost bounded by cap. */
int rx_tickets_term_docs(rx_tickets *t, const char *term, size_t len, long long since, int cap,
                         long long *docs);

/* Merges the case-search index into one segment (after a bulk load: the
 * demo), which makes its searches several times faster. */
int rx_tickets_optimize(rx_tickets *t);

/* The highest ticket row number (about the number of tickets), or -1. */
long long rx_tickets_count(rx_tickets *t);

/* The number of the latest event (0 when none), or -1: cheap, to tell
 * whether anything happened since a number. */
long long rx_tickets_last_event(rx_tickets *t);

/* The number of the latest recorded lookup (search or document opened for
 * a ticket; 0 when none), or -1. */
long long rx_tickets_last_lookup(rx_tickets *t);

/* What the workflow needs from the corpus and the rules file. */
typedef struct {
    rx_departments *departments; /* NULL when corpus/departments.txt is missing */
    rx_calendar *calendar;       /* NULL when corpus/calendar.txt is missing */
    rx_wf_rules rules;
} rx_wf_setup;

/* Reads CORPUS/departments.txt, CORPUS/calendar.txt and the rules file
 * (rules_path; NULL means etc/workflow.conf if it exists, else the
 * built-in defaults). A missing list is reported in diags and left NULL;
 * a bad rules file fails with RX_EINVALID. */
int rx_wf_setup_load(rx_wf_setup *out, const char *corpus_dir, const char *rules_path,
                     rx_diags *diags);
void rx_wf_setup_clear(rx_wf_setup *s);

#endif
