/* The role table: capabilities and personal-data visibility per role. */
#include "rexian/roles.h"

#include <string.h>

static const char *const names[RX_ROLE_COUNT] = {"agent", "supervisor", "department", "trainer",
                                                 "admin"};
static const char *const labels[RX_ROLE_COUNT] = {"话务员", "值班长", "承办单位", "培训师",
                                                  "管理员"};

#define A RX_ROLE_BIT(RX_ROLE_AGENT)
#define S RX_ROLE_BIT(RX_ROLE_SUPERVISOR)
#define D RX_ROLE_BIT(RX_ROLE_DEPARTMENT)
#define T RX_ROLE_BIT(RX_ROLE_TRAINER)
#define M RX_ROLE_BIT(RX_ROLE_ADMIN)

/* Who holds each capability; admin holds every one. */
static const unsigned holders[RX_CAP_COUNT] = {
    [RX_CAP_SEARCH] = A | S | T | M,
    [RX_CAP_RECORD_LOOKUP] = A | S | M,
    [RX_CAP_ASSIST] = A | S | M,
    [RX_CAP_TICKET_CREATE] = A | S | M,
    [RX_CAP_TICKET_READ] = A | S | D | T | M,
    [RX_CAP_TICKET_ACT] = A | S | D | M,
    [RX_CAP_CALLBACK_QUEUE] = A | S | T | M,
    [RX_CAP_STATS] = S | T | M,
    [RX_CAP_CASEBOOKS] = T | M,
    [RX_CAP_SCAN] = S | M,
    [RX_CAP_METRICS] = S | M,
    [RX_CAP_ADMIN] = M,
};

int rx_role_find(const char *name)
{
    for (int r = 0; name && r < RX_ROLE_COUNT; r++)
        if (strcmp(names[r], name) == 0)
            return r;
    return -1;
}

const char *rx_role_name(rx_role r)
{
    return names[r];
}

const char *rx_role_label(rx_role r)
{
    return labels[r];
}

bool rx_role_can(rx_role r, rx_cap c)
{
    return r >= 0 && r < RX_ROLE_COUNT && (holders[c] & RX_ROLE_BIT(r)) != 0;
}

rx_pii rx_role_pii(rx_role r)
{
    switch (r) {
    case RX_ROLE_DEPARTMENT: return RX_PII_CONTACT;
    case RX_ROLE_TRAINER: return RX_PII_MASKED;
    default: return RX_PII_FULL;
    }
}
