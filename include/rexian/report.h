/* 热线监督报告: the periodic supervision report (a month or a quarter) for
 * supervisors and NPC deputies: volumes, rates by department, overdue and
 * supervised tickets, 回头看 (how the problems the previous period's report
 * flagged have moved) and hot words; as JSON, printable HTML with inline
 * SVG charts, or Markdown. Callers' data is masked (ticket lists are).
 *
 * The report is computed, not stored: the previous period's problems are
 * found again by the same rules from the same log, so 回头看 always
 * compares like with like. */
#ifndef REXIAN_REPORT_H
#define REXIAN_REPORT_H

#include "rexian/stats.h"
#include "rexian/tickets.h"
#include "rexian/util.h"

#include <cjson/cJSON.h>

/* A report period: days from..to (inclusive, rx_date_parse numbers). */
typedef struct {
    long from, to;
    int year, month; /* month 1–12 for a month, 0 for a quarter */
    int quarter;     /* 1–4 for a quarter, 0 for a month */
    char key[16];    /* "2026-05", "2026-Q2" */
    char label[40];  /* "2026年5月", "2026年第二季度" */
} rx_period;

/* Parses "YYYY-MM" or "YYYY-QN" (q too); RX_EINVALID otherwise. */
int rx_period_parse(rx_period *out, const char *s);
/* The last whole month before the day of now (seconds since the epoch). */
void rx_period_default(rx_period *out, double now);
/* The period before p (the month or quarter before), and the same period
 * a year earlier. */
void rx_period_previous(rx_period *out, const rx_period *p);
void rx_period_last_year(rx_period *out, const rx_period *p);

/* Where the figures come from. hotwords (may be NULL): the hot-words
 * module's answer {"terms":[{"term","count","previous","last_year",
 * "growth","spike"}]} for a range, or an error when it is not available. */
typedef struct {
    rx_stats *stats;
    rx_tickets *tickets;
    const rx_actor *who; /* lists are read as who (masked whatever the role) */
    int (*hotwords)(cJSON **out, void *ctx, long from, long to, int limit);
    void *hotwords_ctx;
} rx_report_sources;

/* Builds the report for period p:
 * {"period","label","from","to","previous":{…},"volume":{…},"rates":{…},
 *  "departments":[…],"overdue":{…},"supervised":{…},"problems":[…],
 *  "review":[…],"hotwords":{…}} (docs/ANALYSIS.md gives every field). */
int rx_report_build(cJSON **out, const rx_report_sources *src, const rx_period *p);

/* Flags what a department's figures show (the rules of "problems"), given
 * one department's row of the report; exposed for tests. Returns a JSON
 * array of {"metric","issue","value","count","of"}. */
cJSON *rx_report_flags(const cJSON *department);

/* The report as one printable HTML page with inline SVG charts. */
int rx_report_html(rx_buf *out, const cJSON *report);
/* The report as Markdown (tables for the charts). */
int rx_report_markdown(rx_buf *out, const cJSON *report);

#endif
