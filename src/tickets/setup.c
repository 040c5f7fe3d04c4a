/* Loading what the workflow consults: departments, the working-day
 * calendar and the escalation rules. */
#include "rexian/error.h"
#include "rexian/tickets.h"
#include "rexian/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rx_wf_setup_load(rx_wf_setup *out, const char *corpus_dir, const char *rules_path,
                     rx_diags *diags)
{
    memset(out, 0, sizeof *out);
    rx_wf_rules_default(&out->rules);
    char path[PATH_MAX];
    char *text;
    size_t len;
    snprintf(path, sizeof path, "%s/departments.txt", corpus_dir);
    if (rx_file_read(&text, &len, path, RX_MAX_FILE_BYTES) == RX_OK) {
        rx_departments_parse(&out->departments, "departments.txt", text, len, diags);
        free(text);
    } else {
        rx_diags_add(diags, path, 0, "cannot read it: any department name will be accepted");
    }
    snprintf(path, sizeof path, "%s/calendar.txt", corpus_dir);
    if (rx_file_read(&text, &len, path, RX_MAX_FILE_BYTES) == RX_OK) {
        rx_calendar_parse(&out->calendar, "calendar.txt", text, len, diags);
        free(text);
    } else {
        rx_diags_add(diags, path, 0, "cannot read it: deadlines count Monday to Friday only");
    }
    const char *rules = rules_path ? rules_path : "etc/workflow.conf";
    int rc = rx_file_read(&text, &len, rules, 1024 * 1024);
    if (rc != RX_OK) {
        if (!rules_path && rc == RX_ENOTFOUND)
            return RX_OK; /* no rules file: the defaults */
        rx_wf_setup_clear(out);
        return rx_error_set(RX_EINVALID, "cannot read the rules file %s: %s", rules,
                            rx_error_last());
    }
    rc = rx_wf_rules_parse(&out->rules, rules, text, len, diags);
    free(text);
    if (rc != RX_OK)
        rx_wf_setup_clear(out);
    return rc;
}

void rx_wf_setup_clear(rx_wf_setup *s)
{
    rx_departments_free(s->departments);
    rx_calendar_free(s->calendar);
    rx_wf_rules_clear(&s->rules);
    memset(s, 0, sizeof *s);
}
