/* The HTTP server over real sockets with a dispatcher of its own: how the
 * workers' two lanes order requests. */
#include "rexian/error.h"
#include "rexian/http.h"
#include "rexian/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#define SLOW_MS 400

static atomic_int slow_started; /* slow requests the dispatcher has begun */

static void dispatch(void *app, rx_http_request *req, rx_http_response *res)
{
    (void)app;
    if (strncmp(req->path, "/api/slow", 9) == 0) {
        atomic_fetch_add(&slow_started, 1);
        usleep(SLOW_MS * 1000);
    }
    res->status = 200;
    rx_buf_puts(&res->body, req->path);
}

static rx_http_lane lane_of(void *app, const rx_http_request *req)
{
    (void)app;
    if (strcmp(req->path, "/api/slow-report") == 0)
        return RX_HTTP_BACKGROUND;
    return strncmp(req->path, "/api/", 5) == 0 ? RX_HTTP_INTERACTIVE : RX_HTTP_INLINE;
}

typedef struct {
    unsigned port;
    const char *path;
    double start_after_s; /* from t0 */
    double t0, done;      /* rx_now() */
    int status;
    pthread_t thread;
} call;

/* One GET on its own connection; done is when the answer was read. */
static void *get(void *arg)
{
    call *c = arg;
    while (rx_now() < c->t0 + c->start_after_s)
        usleep(1000);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        return NULL;
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     c->path);
    if (write(fd, buf, (size_t)n) != n) {
        close(fd);
        return NULL;
    }
    size_t got = 0;
    ssize_t r;
    while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(fd);
    c->done = rx_now();
    if (strncmp(buf, "HTTP/1.1 ", 9) == 0)
        c->status = atoi(buf + 9);
    return NULL;
}

#define NCALLS 4

/* Starts a server with two workers, makes the GETs on their own connections
 * at their times (seconds after the start), appends the workers' metrics
 * to metrics (unless NULL), stops the server and checks that every answer
 * was a 200. Returns the start time. */
static double run(call calls[NCALLS], const char *const paths[NCALLS], const double at[NCALLS],
                  rx_buf *metrics)
{
    rx_http_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .offload = lane_of};
    rx_http_server *srv = NULL;
    unsigned port;
    assert_int_equal(rx_http_start(&srv, &cfg, dispatch, NULL, &port), RX_OK);
    double t0 = rx_now();
    for (size_t k = 0; k < NCALLS; k++) {
        calls[k] = (call){.port = port, .path = paths[k], .start_after_s = at[k], .t0 = t0};
        pthread_create(&calls[k].thread, NULL, get, &calls[k]);
    }
    for (size_t k = 0; k < NCALLS; k++)
        pthread_join(calls[k].thread, NULL);
    if (metrics)
        rx_http_pool_metrics(srv, metrics);
    rx_http_stop(srv, 5);
    for (size_t k = 0; k < NCALLS; k++)
        assert_int_equal(calls[k].status, 200);
    return t0;
}

/* Three slow background requests and then a quick interactive one: the
 * background lane never takes both workers, so the quick one is answered
 * while the first slow one still runs; the slow ones run one at a time. */
static void interactive_requests_pass_background_work(void **state)
{
    (void)state;
    call calls[NCALLS];
    rx_buf m = {0};
    double t0 = run(calls,
                    (const char *const[]){"/api/slow-report", "/api/slow-report",
                                          "/api/slow-report", "/api/fast"},
                    (const double[]){0.00, 0.01, 0.02, 0.10}, &m);
    double first_slow = calls[0].done, last_slow = calls[0].done;
    for (size_t k = 1; k < 3; k++) {
        first_slow = calls[k].done < first_slow ? calls[k].done : first_slow;
        last_slow = calls[k].done > last_slow ? calls[k].done : last_slow;
    }
    printf("# fast done %.0f ms after the start; slow ones %.0f to %.0f ms\n",
           (calls[3].done - t0) * 1000, (first_slow - t0) * 1000, (last_slow - t0) * 1000);
    assert_true(calls[3].done < first_slow);
    /* one at a time: the third ends at least three slow requests in */
    assert_true(last_slow - t0 >= 3 * SLOW_MS / 1000.0);
    /* the metrics saw it: the quick one taken at once, two of the slow ones
     * waiting a slow request or more, nothing left in the queues */
    const char *want[] = {
        "rexian_http_workers 2\n",
        "rexian_http_queue_depth{lane=\"interactive\"} 0\n",
        "rexian_http_queue_depth{lane=\"background\"} 0\n",
        "rexian_http_queue_wait_seconds_bucket{lane=\"interactive\",le=\"0.05\"} 1\n",
        "rexian_http_queue_wait_seconds_count{lane=\"interactive\"} 1\n",
        "rexian_http_queue_wait_seconds_bucket{lane=\"background\",le=\"0.25\"} 1\n",
        "rexian_http_queue_wait_seconds_bucket{lane=\"background\",le=\"5\"} 3\n",
        "rexian_http_queue_wait_seconds_count{lane=\"background\"} 3\n",
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        if (!strstr(m.data, want[k]))
            fail_msg("metrics lack %s:\n%s", want[k], m.data);
    rx_buf_free(&m);
}

/* Requests the application keeps inline are answered by the socket thread
 * even while both workers are busy (with slow interactive requests). */
static void inline_requests_need_no_worker(void **state)
{
    (void)state;
    call calls[NCALLS];
    run(calls, (const char *const[]){"/api/slow", "/api/slow", "/api/slow", "/healthz"},
        (const double[]){0.00, 0.01, 0.02, 0.10}, NULL);
    assert_true(calls[3].done < calls[0].done && calls[3].done < calls[1].done);
}

typedef struct {
    rx_http_server *srv;
    double stopped; /* rx_now() when rx_http_stop returned */
} stopper;

static void *stop_server(void *arg)
{
    stopper *s = arg;
    rx_http_stop(s->srv, 5);
    s->stopped = rx_now();
    return NULL;
}

/* Stopping: a request in flight is answered, a connection made meanwhile
 * gets no answer, and the stop waits for the one in flight. */
static void stopping_finishes_in_flight_and_takes_no_new_requests(void **state)
{
    (void)state;
    rx_http_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .offload = lane_of};
    rx_http_server *srv = NULL;
    unsigned port;
    assert_int_equal(rx_http_start(&srv, &cfg, dispatch, NULL, &port), RX_OK);
    int before = atomic_load(&slow_started);
    call slow = {.port = port, .path = "/api/slow", .t0 = rx_now()};
    pthread_create(&slow.thread, NULL, get, &slow);
    while (atomic_load(&slow_started) == before) /* until it is in flight */
        usleep(1000);
    stopper s = {.srv = srv};
    pthread_t st;
    pthread_create(&st, NULL, stop_server, &s);
    /* a new connection once the stop has begun */
    call late = {.port = port, .path = "/healthz", .start_after_s = 0.05, .t0 = rx_now()};
    pthread_create(&late.thread, NULL, get, &late);
    pthread_join(slow.thread, NULL);
    pthread_join(late.thread, NULL);
    pthread_join(st, NULL);
    assert_int_equal(slow.status, 200);
    assert_int_equal(late.status, 0);           /* closed or refused, never answered */
    assert_true(s.stopped >= slow.done - 0.05); /* it waited for the one in flight */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interactive_requests_pass_background_work),
        cmocka_unit_test(inline_requests_need_no_worker),
        cmocka_unit_test(stopping_finishes_in_flight_and_takes_no_new_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
