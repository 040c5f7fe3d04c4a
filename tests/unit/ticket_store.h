/* The unit tests' ticket store: a fresh database in its own folder under
 * /tmp, with the shipped corpus's departments and calendar and the shipped
 * rules (run from the repository's root, as `make unit` does). */
#ifndef REXIAN_TESTS_UNIT_TICKET_STORE_H
#define REXIAN_TESTS_UNIT_TICKET_STORE_H

#include "rexian/error.h"
#include "rexian/tickets.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

/* Makes /tmp/rexian-unit-NAME.XXXXXX into dir, the database path db in it,
 * loads setup and opens *t there. */
static inline void ticket_store_open(const char *name, char dir[64], char db[96],
                                     rx_wf_setup *setup, rx_tickets **t)
{
    snprintf(dir, 64, "/tmp/rexian-unit-%s.XXXXXX", name);
    assert_non_null(mkdtemp(dir));
    snprintf(db, 96, "%s/rexian.db", dir);
    rx_diags diags = {0};
    assert_int_equal(rx_wf_setup_load(setup, "corpus", "etc/workflow.conf", &diags), RX_OK);
    assert_int_equal(diags.n, 0);
    rx_diags_free(&diags);
    assert_int_equal(rx_tickets_open(t, db, setup->departments, setup->calendar, &setup->rules),
                     RX_OK);
}

/* Closes t, clears setup and removes the folder. */
static inline void ticket_store_close(const char *dir, rx_wf_setup *setup, rx_tickets *t)
{
    rx_tickets_free(t);
    rx_wf_setup_clear(setup);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

#endif
