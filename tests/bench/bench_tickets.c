/* HTTP load for the ticket benchmark (tests/bench/bench_tickets.sh): plain
 * sockets, one keep-alive connection per thread, no libraries.
 *
 *   bench_tickets PORT TOKEN walk CONNS SECONDS
 *       each connection walks fresh tickets create → dispatch → accept →
 *       reply → approve → callback; prints actions/s (create counted) and
 *       the latency of create and of the actions
 *   bench_tickets PORT TOKEN get CONNS SECONDS PATH
 *       GETs PATH over CONNS connections for SECONDS; prints req/s and
 *       latency, and the answer's "total" when it has one
 *
 * Output is one line of key=value pairs for the script to read. A non-2xx
 * answer is counted, and its first body printed to stderr. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static const char *token, *path;
static char **paths; /* PATH "@FILE": one path a line, taken in turn */
static size_t npaths;
static double deadline;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
    double *v;
    size_t n, cap;
} samples;

static void add(samples *s, double x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        double *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
}

typedef struct {
    int fd;
    char *buf; /* the last answer's body */
    size_t cap;
    int status;
    long id;
    samples create, act;
    long ok, bad, tickets;
    char total[32];
} client;

static int connect_to(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("bench_tickets: connect");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* Reads one answer: its status and its body (rexian always sends a
 * Content-Length). */
static bool read_answer(client *c)
{
    char head[8192];
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have == sizeof head - 1)
            return false;
        ssize_t k = recv(c->fd, head + have, sizeof head - 1 - have, 0);
        if (k <= 0)
            return false;
        have += (size_t)k;
        head[have] = 0;
        end = strstr(head, "\r\n\r\n");
    }
    *end = 0;
    c->status = atoi(head + 9);
    const char *cl = strcasestr(head, "\r\ncontent-length:");
    if (!cl) {
        fputs("bench_tickets: an answer without Content-Length\n", stderr);
        return false;
    }
    size_t want = strtoul(cl + 17, NULL, 10), got = have - (size_t)(end + 4 - head);
    if (c->cap < want + 1) {
        char *b = realloc(c->buf, want + 1);
        if (!b)
            return false;
        c->buf = b;
        c->cap = want + 1;
    }
    memcpy(c->buf, end + 4, got < want ? got : want);
    while (got < want) {
        ssize_t k = recv(c->fd, c->buf + got, want - got, 0);
        if (k <= 0)
            return false;
        got += (size_t)k;
    }
    c->buf[want] = 0;
    return true;
}

/* One request; the latency goes into s (if not NULL). False when the
 * connection failed (it is reopened for the next request). */
static bool request(client *c, const char *method, const char *target, const char *json, samples *s)
{
    char head[2048];
    size_t blen = json ? strlen(json) : 0;
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Connection: keep-alive\r\n",
                     method, target, token);
    if (json)
        n += snprintf(head + n, sizeof head - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n", blen);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    if (c->fd < 0 && (c->fd = connect_to()) < 0)
        return false;
    double t0 = now();
    if (!send_all(c->fd, head, (size_t)n) || (json && !send_all(c->fd, json, blen)) ||
        !read_answer(c)) {
        close(c->fd);
        c->fd = -1;
        c->bad++;
        return false;
    }
    if (s)
        add(s, now() - t0);
    if (c->status / 100 == 2) {
        c->ok++;
    } else {
        if (c->bad++ == 0)
            fprintf(stderr, "bench_tickets: %s %s → %d %.300s\n", method, target, c->status,
                    c->buf);
    }
    return c->status / 100 == 2;
}

static const char *const leads[] = {"市城市管理和综合执法局", "市医疗保障局"};

/* A create request for ticket k: a drainage complaint or a medical
 * insurance question, each from its own phone. */
static void ticket_body(char *out, size_t cap, long k)
{
    if (k % 2 == 0)
        snprintf(out, cap,
                 "{\"channel\":\"phone\",\"caller\":\"压测女士\",\"phone\":\"139%08ld\","
                 "\"address\":\"天元区嵩山路街道湘水湾%ld栋\",\"category\":\"排水\","
                 "\"content\":\"压测：小区门口一下雨就积水，下水道堵了，麻烦疏通。%ld\"}",
                 k % 100000000, k % 500 + 1, k);
    else
        snprintf(out, cap,
                 "{\"channel\":\"web\",\"caller\":\"压测先生\",\"phone\":\"138%08ld\","
                 "\"address\":\"荷塘区月塘街道月塘小区%ld栋\",\"category\":\"医保\","
                 "\"content\":\"压测：医保异地就医备案怎么办理？%ld\"}",
                 k % 100000000, k % 500 + 1, k);
}

/* Walks fresh tickets through the whole loop until the deadline. */
static void *walk(void *arg)
{
    client *c = arg;
    char body[1024], target[128];
    while (now() < deadline) {
        long k = c->id++;
        int kind = (int)(k % 2);
        ticket_body(body, sizeof body, k);
        if (!request(c, "POST", "/api/v1/tickets", body, &c->create))
            continue;
        char *p = strstr(c->buf, "\"id\":\"");
        if (!p)
            continue;
        char id[40];
        snprintf(id, sizeof id, "%.*s", (int)strcspn(p + 6, "\""), p + 6);
        snprintf(target, sizeof target, "/api/v1/tickets/%s/actions", id);
        char dispatch[256];
        snprintf(dispatch, sizeof dispatch,
                 "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"%s\",\"co\":[]}",
                 leads[kind]);
        const char *steps[] = {
            dispatch,
            "{\"action\":\"accept\"}",
            "{\"action\":\"reply\",\"text\":\"压测：已现场处理，问题已解决。\"}",
            "{\"action\":\"approve\"}",
            "{\"action\":\"callback\",\"result\":\"satisfied\",\"note\":\"压测回访满意\"}",
        };
        bool all = true;
        for (size_t i = 0; i < sizeof steps / sizeof steps[0] && all; i++)
            all = request(c, "POST", target, steps[i], &c->act);
        c->tickets += all;
    }
    return NULL;
}

static void *get(void *arg)
{
    client *c = arg;
    size_t turn = (size_t)c->id;
    while (now() < deadline) {
        const char *p = npaths ? paths[turn++ % npaths] : path;
        if (request(c, "GET", p, NULL, &c->act) && !c->total[0]) {
            char *p = strstr(c->buf, "\"total\":");
            if (p)
                snprintf(c->total, sizeof c->total, "%ld", atol(p + 8));
        }
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Merges the clients' samples of one kind and prints n=, p50= and p99=
 * (milliseconds) with the prefix. */
static void latency(client *cs, int n, bool create, const char *prefix)
{
    samples all = {0};
    for (int i = 0; i < n; i++) {
        samples *s = create ? &cs[i].create : &cs[i].act;
        for (size_t k = 0; k < s->n; k++)
            add(&all, s->v[k]);
    }
    qsort(all.v, all.n, sizeof *all.v, cmp);
    double p50 = all.n ? all.v[all.n / 2] : 0, p99 = all.n ? all.v[all.n * 99 / 100] : 0;
    double mx = all.n ? all.v[all.n - 1] : 0;
    printf(" %sn=%zu %sp50=%.2f %sp99=%.2f %smax=%.1f", prefix, all.n, prefix, p50 * 1e3, prefix,
           p99 * 1e3, prefix, mx * 1e3);
    free(all.v);
}

int main(int argc, char **argv)
{
    if (argc < 6 || (strcmp(argv[3], "walk") && strcmp(argv[3], "get")) ||
        (!strcmp(argv[3], "get") && argc < 7)) {
        fputs("usage: bench_tickets PORT TOKEN walk CONNS SECONDS\n"
              "       bench_tickets PORT TOKEN get CONNS SECONDS PATH\n",
              stderr);
        return 2;
    }
    port = atoi(argv[1]);
    token = argv[2];
    bool walking = !strcmp(argv[3], "walk");
    int n = atoi(argv[4]);
    double secs = atof(argv[5]);
    path = walking ? NULL : argv[6];
    if (path && path[0] == '@') {
        FILE *f = fopen(path + 1, "r");
        char line[2048];
        while (f && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            if (!*line)
                continue;
            paths = realloc(paths, (npaths + 1) * sizeof *paths);
            paths[npaths++] = strdup(line);
        }
        if (f)
            fclose(f);
        if (!npaths)
            return 2;
    }
    if (n < 1 || n > 256 || secs <= 0)
        return 2;
    client *cs = calloc((size_t)n, sizeof *cs);
    pthread_t *th = calloc((size_t)n, sizeof *th);
    if (!cs || !th)
        return 1;
    long base = (long)time(NULL) % 100000 * 1000; /* distinct phones per run */
    for (int i = 0; i < n; i++) {
        cs[i].fd = -1;
        cs[i].id = base * 10 + (long)i * 1000000;
    }
    double t0 = now();
    deadline = t0 + secs;
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, walking ? walk : get, &cs[i]);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    double el = now() - t0;
    long ok = 0, bad = 0, tickets = 0;
    const char *total = "";
    for (int i = 0; i < n; i++) {
        ok += cs[i].ok;
        bad += cs[i].bad;
        tickets += cs[i].tickets;
        if (!total[0])
            total = cs[i].total;
    }
    printf("rps=%.1f ok=%ld bad=%ld", (double)ok / el, ok, bad);
    if (walking) {
        printf(" tickets_per_s=%.1f", (double)tickets / el);
        latency(cs, n, true, "create_");
        latency(cs, n, false, "act_");
    } else {
        latency(cs, n, false, "");
        printf(" total=%s", total[0] ? total : "-");
    }
    printf("\n");
    for (int i = 0; i < n; i++) {
        if (cs[i].fd >= 0)
            close(cs[i].fd);
        free(cs[i].buf);
        free(cs[i].create.v);
        free(cs[i].act.v);
    }
    free(cs);
    free(th);
    return 0;
}
