/* Statistics routes (分析运用): the figures over a range of days. */
#include "rexian/app.h"
#include "rexian/error.h"
#include "rexian/stats.h"
#include "rexian/util.h"
#include "rexian/workflow.h"

#include "routes.h"

#include <string.h>

#define RANGE_MAX_DAYS 3660 /* ten years */
#define DEFAULT_DAYS 30
#define SYNC_INLINE 20000 /* events a request catches up before answering */

/* The statistics, caught up with the log when what is left is a few
 * seconds' worth; a larger backlog (a first start) is the background
 * thread's, and the answer says how much is not counted yet. NULL after
 * answering 503. */
rx_stats *rx_route_stats(rx_app *app, rx_http_response *res, long long *pending)
{
    rx_stats *s = rx_app_stats(app);
    if (!s) {
        rx_http_error(res, 503, "stats_unavailable", "统计未启用（没有工单库）");
        return NULL;
    }
    *pending = rx_stats_pending(s);
    if (*pending == 0 || *pending > SYNC_INLINE)
        return s;
    int rc = rx_stats_sync(s, SYNC_INLINE, pending);
    if (rc != RX_OK) {
        rx_http_fail(res, rc);
        return NULL;
    }
    return s;
}

void rx_route_stats_answer(rx_http_response *res, int rc, cJSON *out, long long pending)
{
    if (rc != RX_OK) {
        cJSON_Delete(out);
        rx_http_fail(res, rc);
        return;
    }
    rx_route_note_pending(out, pending);
    rx_http_json(res, 200, out);
}

void rx_route_note_pending(cJSON *out, long long pending)
{
    if (pending > 0) /* still catching up after a start: the figures trail the log */
        cJSON_AddNumberToObject(out, "pending_events", (double)pending);
}

bool rx_param_range(long *from, long *to, rx_app *app, const rx_http_request *req,
                    rx_http_response *res)
{
    if (!rx_param_date(from, req, res, "from") || !rx_param_date(to, req, res, "to"))
        return false;
    long today = rx_wf_day(rx_app_clock(app));
    if (*to == RX_DATE_INVALID)
        *to = *from != RX_DATE_INVALID ? *from + DEFAULT_DAYS - 1 : today;
    if (*from == RX_DATE_INVALID)
        *from = *to - DEFAULT_DAYS + 1;
    if (*from > *to) {
        rx_http_error(res, 400, "invalid_parameter", "from（开始日期）不能晚于 to（结束日期）");
        return false;
    }
    if (*to - *from >= RANGE_MAX_DAYS) {
        rx_http_error(res, 400, "invalid_parameter", "统计区间最长 %d 天", RANGE_MAX_DAYS);
        return false;
    }
    return true;
}

void rx_route_stats_resolution(rx_app *app, const rx_http_request *req, rx_http_response *res)
{
    long from, to;
    if (!rx_param_range(&from, &to, app, req, res))
        return;
    const char *by_name = rx_http_param(req, "by");
    int by = by_name && *by_name ? rx_stats_by_parse(by_name) : RX_BY_NONE;
    if (by < 0) {
        rx_http_error(res, 400, "invalid_parameter",
                      "by 只能是 department、category、agent、day 或 document");
        return;
    }
    long long pending;
    rx_stats *s = rx_route_stats(app, res, &pending);
    if (!s)
        return;
    cJSON *out = NULL;
    int rc = rx_stats_resolution(&out, s, from, to, (rx_stats_by)by);
    rx_route_stats_answer(res, rc, out, pending);
}
