/* Synthetic tickets for demonstrations and benchmarks (`rexian demo`): a
 * year of a 12345 hotline's calls, walked through the workflow with the
 * store's public API only, as an agent and the departments would.
 */
#ifndef REXIAN_DEMO_H
#define REXIAN_DEMO_H

#include "rexian/tickets.h"

/* Loads count tickets created over [start, end) (seconds since the epoch),
 * more on weekdays and in office hours, with the season's topics (内涝 in
 * the rainy months, 冻管 and 停暖 in winter, 停电 in the heat, 入学 in
 * summer, 欠薪 at the year's end…). Each ticket is one of over two hundred
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
 * Work goes through rx_tickets_batch, a few thousand tickets per
 * transaction. progress, if not NULL, is called after each batch with the
 * tickets loaded so far. Returns RX_OK, or the first failing store call's
 * code (its message is written to stderr); tickets of batches
 * committed before the failure stay. */
int rx_tickets_demo(rx_tickets *t, long count, unsigned seed, double start, double end,
                    void (*progress)(void *ctx, long done, long total), void *ctx);

#endif
