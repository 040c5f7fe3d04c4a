/* libFuzzer target: the workflow rules file (etc/workflow.conf). A file the
 * parser accepts leaves every threshold within the range it promises. */
#include "rexian/error.h"
#include "rexian/workflow.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const rx_wf_rules *r)
{
    assert(r->scan_interval_s >= 1 && r->scan_interval_s <= 86400);
    for (int l = RX_LEVEL_IMMEDIATE; l <= RX_LEVEL_LEADER; l++)
        assert(r->deadline_days[l] >= 1 && r->deadline_days[l] <= 365);
    assert(r->joint_after_overdue >= 1 && r->joint_after_overdue <= 100);
    assert(r->joint_min_departments >= 2 && r->joint_min_departments <= 100);
    assert(r->media_min_tickets >= 2 && r->media_min_tickets <= 100000);
    assert(r->media_window_days >= 1 && r->media_window_days <= 366);
    assert(r->media_baseline_days >= 7 && r->media_baseline_days <= 3660);
    assert(r->leader_after_rounds >= 2 && r->leader_after_rounds <= 100);
    assert(r->leader_after_rework >= 1 && r->leader_after_rework <= 100);
    assert(r->leader_after_overdue >= 1 && r->leader_after_overdue <= 100);
    assert(r->repeat_window_days >= 1 && r->repeat_window_days <= 366);
    /* written so that NaN fails too */
    assert(r->media_spike_ratio >= 1 && r->media_spike_ratio <= 1000);
    assert(r->repeat_similarity > 0 && r->repeat_similarity <= 1);
    for (size_t k = 0; k < r->nleader_categories; k++)
        assert(r->leader_categories[k] && r->leader_categories[k][0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rx_wf_rules r;
    rx_wf_rules_default(&r);
    rx_diags diags = {0};
    int rc = rx_wf_rules_parse(&r, "workflow.conf", (const char *)data, size, &diags);
    if (rc == RX_OK) {
        assert(diags.n == 0);
        check_accepted(&r);
    } else {
        assert(rc == RX_ENOMEM || diags.n > 0); /* a refusal says where */
    }
    for (size_t k = 0; k < diags.n; k++)
        assert(diags.items[k].line >= 1);
    rx_wf_rules_clear(&r);
    rx_diags_free(&diags);
    return 0;
}
