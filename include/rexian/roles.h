/* Roles (DESIGN.md "Roles") and what each may do: the capabilities behind
 * the routes, and how much of a caller's personal data each may see. The
 * per-action guards of the ticket workflow live in its transition table
 * (src/tickets/workflow.c), written in these role bits. docs/SECURITY.md
 * is the endpoint x role table. */
#ifndef REXIAN_ROLES_H
#define REXIAN_ROLES_H

#include <stdbool.h>

typedef enum {
    RX_ROLE_AGENT,      /* 话务员 */
    RX_ROLE_SUPERVISOR, /* 值班长/督办 */
    RX_ROLE_DEPARTMENT, /* 承办单位, bound to one department */
    RX_ROLE_TRAINER,    /* 培训师 */
    RX_ROLE_ADMIN,      /* 管理员 */
    RX_ROLE_COUNT
} rx_role;

#define RX_ROLE_BIT(r) (1u << (r))

/* The role named name ("agent"), or -1. */
int rx_role_find(const char *name);
const char *rx_role_name(rx_role r);
const char *rx_role_label(rx_role r); /* "话务员" */

/* What a route needs. */
typedef enum {
    RX_CAP_SEARCH,         /* search, suggest, documents */
    RX_CAP_RECORD_LOOKUP,  /* tie a search to a ticket (a write) */
    RX_CAP_ASSIST,         /* a ticket's assist */
    RX_CAP_TICKET_CREATE,  /* create tickets */
    RX_CAP_TICKET_READ,    /* read and list tickets (department: its own) */
    RX_CAP_TICKET_ACT,     /* take actions (each action has its own guard) */
    RX_CAP_CALLBACK_QUEUE, /* the callback queue */
    RX_CAP_STATS,          /* statistics */
    RX_CAP_CASEBOOKS,      /* casebooks */
    RX_CAP_SCAN,           /* trigger the overdue scanner */
    RX_CAP_METRICS,        /* /metrics */
    RX_CAP_ADMIN,          /* users, tokens, reindex, imports */
    RX_CAP_COUNT
} rx_cap;

bool rx_role_can(rx_role r, rx_cap c);

/* How much of a caller's personal data (name, phone, address) a role sees
 * in a single ticket. Lists are always masked: a list is for finding a
 * ticket, not for collecting callers. */
typedef enum {
    RX_PII_FULL,    /* agent, supervisor, admin: they talk to the caller */
    RX_PII_CONTACT, /* department: phone and address, name masked */
    RX_PII_MASKED,  /* trainer: 李*, 138****1234, the district only */
} rx_pii;

rx_pii rx_role_pii(rx_role r);

#endif
