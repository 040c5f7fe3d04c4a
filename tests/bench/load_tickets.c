/* Loads synthetic tickets into a fresh database with rx_tickets_demo, for
 * the ticket benchmark (until `rexian demo` does the same), and prints how
 * long it took and how the tickets came out.
 *
 *   load_tickets DB COUNT [SEED] [DAYS] [END]
 *
 * The tickets are created over the DAYS (365) days before END (seconds
 * since the epoch; default now), with corpus/ and etc/workflow.conf of the
 * current directory. */
#include "rexian/demo.h"
#include "rexian/error.h"
#include "rexian/store.h"
#include "rexian/tickets.h"
#include "rexian/util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    double t0, last;
} meter;

static void progress(void *ctx, long done, long total)
{
    meter *m = ctx;
    double now = rx_now();
    if (now - m->last < 5 && done < total)
        return;
    m->last = now;
    fprintf(stderr, "  %ld / %ld tickets, %.0f s, %.0f tickets/s\n", done, total, now - m->t0,
            (double)done / (now - m->t0));
}

/* Prints "label: value (percent)" rows of a GROUP BY query on the tickets. */
static void breakdown(sqlite3 *db, const char *label, const char *sql, long total)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "load_tickets: %s: %s\n", sql, sqlite3_errmsg(db));
        return;
    }
    printf("%-12s", label);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        long n = sqlite3_column_int64(st, 1);
        printf(" %s %ld (%.1f%%)", k ? k : "-", n, total ? 100.0 * (double)n / (double)total : 0);
    }
    printf("\n");
    sqlite3_finalize(st);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: load_tickets DB COUNT [SEED] [DAYS] [END]\n", stderr);
        return 2;
    }
    const char *path = argv[1];
    long count = atol(argv[2]);
    unsigned seed = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 1;
    double days = argc > 4 ? atof(argv[4]) : 365;
    double end = argc > 5 ? atof(argv[5]) : (double)time(NULL), start = end - days * 86400;

    sqlite3 *db = NULL;
    rx_tickets *t = NULL;
    rx_wf_setup setup = {0};
    rx_diags diags = {0};
    int status = 1;
    if (rx_store_open(&db, path) != RX_OK ||
        rx_wf_setup_load(&setup, "corpus", NULL, &diags) != RX_OK) {
        fprintf(stderr, "load_tickets: %s\n", rx_error_last());
        goto done;
    }
    for (size_t i = 0; i < diags.n; i++)
        fprintf(stderr, "%s:%zu: %s\n", diags.items[i].path, diags.items[i].line,
                diags.items[i].reason);
    if (rx_tickets_open(&t, path, setup.departments, setup.calendar, &setup.rules) != RX_OK) {
        fprintf(stderr, "load_tickets: %s\n", rx_error_last());
        goto done;
    }
    meter m = {rx_now(), rx_now()};
    int rc = rx_tickets_demo(t, count, seed, start, end, progress, &m);
    double secs = rx_now() - m.t0;
    if (rc != RX_OK) {
        fprintf(stderr, "load_tickets: rx_tickets_demo failed (%d): %s\n", rc, rx_error_last());
        goto done;
    }
    printf("loaded %ld tickets in %.1f s: %.0f tickets/s\n", count, secs, (double)count / secs);

    breakdown(db, "events", "SELECT 'total', count(*) FROM ticket_events", count);
    breakdown(db, "status", "SELECT status, count(*) FROM tickets GROUP BY 1 ORDER BY 2 DESC",
              count);
    breakdown(db, "一次办结", "SELECT first_contact, count(*) FROM tickets GROUP BY 1", count);
    breakdown(db, "level", "SELECT level, count(*) FROM tickets GROUP BY 1 ORDER BY 2 DESC", count);
    breakdown(db, "channel", "SELECT channel, count(*) FROM tickets GROUP BY 1 ORDER BY 2 DESC",
              count);
    breakdown(db, "satisfaction",
              "SELECT satisfaction, count(*) FROM tickets GROUP BY 1 ORDER BY 2 DESC", count);
    breakdown(db, "round", "SELECT round, count(*) FROM tickets GROUP BY 1", count);
    breakdown(db, "退单", "SELECT returns, count(*) FROM tickets GROUP BY 1", count);
    breakdown(db, "驳回重办", "SELECT rework, count(*) FROM tickets GROUP BY 1", count);
    breakdown(db, "supervision", "SELECT supervision, count(*) FROM tickets GROUP BY 1", count);
    breakdown(db, "repeats", "SELECT 'linked', count(DISTINCT ticket) FROM ticket_links", count);
    breakdown(db, "area", "SELECT area, count(*) FROM tickets GROUP BY 1 ORDER BY 2 DESC", count);
    breakdown(db, "category",
              "SELECT category, count(*) FROM tickets GROUP BY 1 ORDER BY 2 DESC LIMIT 12", count);
    breakdown(db, "weekday",
              "SELECT strftime('%w', substr(created,1,19)), count(*) FROM tickets GROUP BY 1",
              count);
    breakdown(db, "hour", "SELECT substr(created,12,2), count(*) FROM tickets GROUP BY 1", count);
    status = 0;
done:
    rx_tickets_free(t);
    rx_wf_setup_clear(&setup);
    rx_diags_free(&diags);
    sqlite3_close(db);
    return status;
}
