/* The ticket workflow (工单闭环) as pure logic: statuses, actions, the
 * transition table, the rules file, and how an action changes a ticket.
 * No SQL here: the ticket store (tickets.h) loads a ticket, calls
 * rx_wf_apply and saves the result with its event in one transaction.
 * docs/TICKETS.md is the manual.
 */
#ifndef REXIAN_WORKFLOW_H
#define REXIAN_WORKFLOW_H

#include "rexian/corpus.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    RX_ST_RECEIVED,   /* 已受理 */
    RX_ST_DISPATCHED, /* 已交办 */
    RX_ST_ACCEPTED,   /* 已签收 */
    RX_ST_REPLIED,    /* 已答复 */
    RX_ST_CLOSED,     /* 已办结 */
    RX_ST_REOPENED,   /* 二次办理 */
    RX_ST_ARCHIVED,   /* 已归档 */
    RX_ST_COUNT
} rx_status;

typedef enum {
    RX_ACT_RESOLVE_FIRST_CONTACT,
    RX_ACT_DISPATCH,
    RX_ACT_RETURN,
    RX_ACT_ACCEPT,
    RX_ACT_REPLY,
    RX_ACT_APPROVE,
    RX_ACT_REJECT,
    RX_ACT_EXTEND,
    RX_ACT_SUPERVISE,
    RX_ACT_CALLBACK,
    RX_ACT_REFER_DISCIPLINE,
    RX_ACT_REQUEST_APPROVAL, /* asks a supervisor for a consult or leader dispatch */
    RX_ACT_COUNT
} rx_action;

/* Dispatch levels (三级交办); 0 = not dispatched. */
typedef enum { RX_LEVEL_NONE, RX_LEVEL_IMMEDIATE, RX_LEVEL_CONSULT, RX_LEVEL_LEADER } rx_level;

/* Supervision kinds (四类督办), weakest first; 0 = none. */
typedef enum {
    RX_SUP_NONE,
    RX_SUP_HOTLINE,
    RX_SUP_JOINT,
    RX_SUP_MEDIA,
    RX_SUP_LEADER
} rx_supervision;

const char *rx_status_name(rx_status s);  /* "received" */
const char *rx_status_label(rx_status s); /* "已受理" */
/* The status named name, or -1. */
int rx_status_find(const char *name);
const char *rx_action_name(rx_action a);
const char *rx_action_label(rx_action a); /* "交办" */
int rx_action_find(const char *name);
const char *rx_level_name(rx_level l); /* NULL for none */
int rx_level_find(const char *name);
const char *rx_supervision_name(rx_supervision s); /* NULL for none */
const char *rx_supervision_label(rx_supervision s);
int rx_supervision_find(const char *name);
/* Open statuses: not yet closed or archived. */
bool rx_status_open(rx_status s);

/* The transition table: whether action may be taken in status, and the
 * status it leads to. Actions that keep the status (supervise, extend,
 * refer_discipline) lead to from; callback's target depends on its
 * result and the attempts so far (rx_wf_apply decides). */
bool rx_wf_allowed(rx_action a, rx_status from);

/* Whether role (rx_role; -1 for the system itself: the scanner, the demo
 * loader) may take action a at all, by the same table. */
bool rx_wf_role_may(rx_action a, int role);

/* Thresholds and defaults from the rules file (etc/workflow.conf). */
typedef struct {
    int scan_interval_s;
    int deadline_days[4]; /* default per level, index rx_level */
    int joint_after_overdue;
    int joint_min_departments;
    int media_min_tickets;
    int media_window_days;
    int media_baseline_days;
    double media_spike_ratio;
    int leader_after_rounds;
    int leader_after_rework;
    int leader_after_overdue;
    char **leader_categories;
    size_t nleader_categories;
    int repeat_window_days;
    double repeat_similarity;
} rx_wf_rules;

/* Fills r with the built-in defaults (the values etc/workflow.conf ships). */
void rx_wf_rules_default(rx_wf_rules *r);
/* Reads "key = value" lines (# comments) over the defaults. Unknown keys
 * and bad values are reported as PATH:LINE: reason in diags and make it
 * fail with RX_EINVALID. */
int rx_wf_rules_parse(rx_wf_rules *r, const char *path, const char *text, size_t len,
                      rx_diags *diags);
void rx_wf_rules_clear(rx_wf_rules *r);

/* Everything an action or a create may consult. */
typedef struct {
    const rx_departments *departments; /* NULL: any department accepted */
    const rx_calendar *calendar;       /* NULL: Monday to Friday */
    const rx_wf_rules *rules;
    long today;      /* days since 1970-01-01, Asia/Shanghai */
    const char *now; /* RFC 3339 with +08:00 */
    /* whether a knowledge-base document exists (NULL: not checked) */
    bool (*doc_exists)(void *ctx, const char *id);
    void *doc_ctx;
    int role;               /* rx_role of the actor; -1: the system (no guard) */
    const char *department; /* the actor's department (department role) */
    const char *actor;      /* the actor's name (recorded in a proposal), or NULL */
} rx_wf_env;

/* A ticket's state as the workflow sees it. Strings are owned (malloc). */
typedef struct {
    long long rowid;
    char id[32];
    rx_status status;
    char *channel, *caller, *phone, *address, *area, *category, *content;
    char *created, *updated, *created_by;
    rx_level level;
    char *lead;
    char **co;
    size_t nco;
    char *approved_by;
    int deadline_days;
    long deadline;        /* day number, or RX_DATE_INVALID */
    long marked_deadline; /* the deadline the scanner last marked overdue */
    int overdue_count;
    rx_supervision supervision;
    int rework, returns, round, callback_attempts;
    char *satisfaction;
    bool discipline, first_contact;
    char **doc_ids;
    size_t ndoc_ids;
    char *reply;
    char *closed_at;
    /* a consult or leader dispatch waiting for a supervisor's approval
     * (request_approval): {"level","lead","co","deadline_days","note",
     * "by","at"} as JSON text, or NULL; cleared by dispatch and
     * resolve_first_contact */
    char *proposal;
    int version; /* number of events */
} rx_ticket;

void rx_ticket_clear(rx_ticket *t);

/* Validates a create request (channel, content, optional caller, phone,
 * address, category) into a fresh ticket (status received, round 1).
 * The caller sets id, created_by and the keys. */
int rx_wf_create(rx_ticket *out, const cJSON *body, const rx_wf_env *env);

/* A parsed action: which one, and its canonical payload for the event. */
typedef struct {
    rx_action action;
    int version; /* -1 when the client gave none */
    cJSON *payload;
    /* parsed fields */
    rx_level level;
    int deadline_days; /* 0 when not given */
    rx_supervision kind;
    const char *text; /* reply text, or reason / note; borrowed from payload */
    const char *result;
} rx_wf_input;

/* Validates an action request against the env (departments, documents).
 * On success *out holds a payload the caller frees with rx_wf_input_clear. */
int rx_wf_parse(rx_wf_input *out, const cJSON *body, const rx_wf_env *env);
void rx_wf_input_clear(rx_wf_input *in);

/* Applies a parsed action to t: the transition table, the guards
 * (the actor's role and department, supervision never steps down, one
 * referral) and the effects (deadline,
 * counters). On failure t is unchanged and the thread's error (error.h) says why
 * (RX_ECONFLICT for a move the table refuses). */
int rx_wf_apply(rx_ticket *t, const rx_wf_input *in, const rx_wf_env *env);

/* Whether department leads or co-handles t. */
bool rx_wf_concerns(const rx_ticket *t, const char *department);

/* Whether t is overdue on day today: dispatched or accepted, past its
 * deadline. */
bool rx_ticket_overdue(const rx_ticket *t, long today);

/* The ticket as API JSON (without events). */
cJSON *rx_ticket_json(const rx_ticket *t, long today);

/* The strings of a JSON array (other items skipped) as a malloc'd vector of
 * *n strdup'ed strings (NULL when none), and back to a new JSON array. */
char **rx_strings_from_json(const cJSON *arr, size_t *n);
/* Member key of o when it is a string (borrowed), else NULL. */
const char *rx_json_str(const cJSON *o, const char *key);
cJSON *rx_strings_to_json(char *const *v, size_t n);

/* Keys for repeat detection: the digits of a phone (without a leading 86
 * country code), and an address without spaces or punctuation, folded.
 * NULL for empty input. Caller frees. */
char *rx_wf_phone_key(const char *phone);
char *rx_wf_address_key(const char *address);
/* The district or county an address starts with (荷塘区, 攸县), or NULL. */
char *rx_wf_area(const char *address);
/* Dice coefficient of the character bigrams of two texts, 0..1. */
double rx_wf_similarity(const char *a, const char *b);

/* Formats a time (seconds since the epoch) as RFC 3339 in Asia/Shanghai:
 * 2026-11-28T10:02:03+08:00. */
void rx_wf_time_format(char out[32], double t);
/* The Asia/Shanghai day number of a time. */
long rx_wf_day(double t);

#endif
