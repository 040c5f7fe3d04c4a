/* Synthetic tickets for demonstrations and benchmarks (`rexian demo`): a
 * year of a 12345 hotline's calls, walked through the workflow with the
 * store's public API only, as an agent and the departments would.
 */
#ifndef REXIAN_DEMO_H
#define REXIAN_DEMO_H

#include "rexian/tickets.h"

#include <stdbool.h>

/* The knowledge base the call-takers search while on the line: fn runs
 * query q and gives the number of hits, up to 3 ids shown first and
 * whether the answer was confident; RX_OK or an error (the lookup is then
 * not recorded). */
typedef struct {
    int (*fn)(void *ctx, const char *q, double *total, char top[3][64], int *ntop, bool *confident);
    void *ctx;
} demo_search;

/* Loads count tickets created over [start, end) (seconds since the epoch),
 * more on weekdays and in office hours, with the season's topics (内涝 in
 * the rainy months, 冻管 and 停暖 in winter, 停电 in the heat, 入学 in
 * summer, 欠薪 at the year's end…), and the effect of a policy of the
 * shipped corpus (after the 2026 summer 露天烧烤 campaign, cgj-2026-111,
 * 40% fewer 烧烤 noise calls). Each ticket is one of over two hundred
 * matters across every department of corpus/departments.txt (属地 matters
 * go to the government of the ticket's area), worded from several
 * descriptions with openings, details and requests, at an address that fits
 * (a building, a road, a village). It is created and then taken through its
 * actions with a clock that moves forward: 一次办结, or dispatch → accept →
 * reply → approve → callback, with 退单 (mostly from the department the
 * words point to first, then sent to the right one), 驳回重办, 延期, 督办
 * and 二次办理. Most dispatches are immediate; consult and leader ones are
 * the cases whose text says why (several departments, many people, asked
 * before, years old), and third rounds. Actions that would fall at or after
 * end are not taken, so the last couple of weeks stay open in every
 * status. The same seed gives the same tickets on an empty store.
 *
 * With search (NULL: none), a phone call's call-taker searches the
 * knowledge base while the caller talks (most questions, some
 * complaints): a short query typed from the matter's words (two or three
 * terms, now and then a second try when the first answer was not
 * confident), recorded on the ticket with its hits and whether it was
 * confident, the first hit often opened; a 一次办结 names the document
 * opened. These draws come from their own PRNG: the tickets themselves are
 * the same with or without search.
 *
 * Work goes through rx_tickets_batch, a few thousand tickets per
 * transaction. progress, if not NULL, is called after each batch with the
 * tickets loaded so far. Returns RX_OK, or the first failing store call's
 * code (its message is written to stderr); tickets of batches
 * committed before the failure stay. */
int rx_tickets_demo(rx_tickets *t, long count, unsigned seed, double start, double end,
                    const demo_search *search, void (*progress)(void *ctx, long done, long total),
                    void *ctx);

#endif
