#!/usr/bin/env bash
# The ticket benchmark (not a test): loads BENCH_TICKETS (1,000,000) synthetic
# tickets into a fresh database with `rexian demo`, then measures rexian
# serve over HTTP on it: tickets walked create → dispatch → accept → reply →
# approve → callback at 1 and BENCH_CONNS (8) connections, and the ticket
# list, its filters and its full-text search at 1 connection (latency) and
# BENCH_CONNS (throughput). GET /healthz in the same run is the peer every
# rate is divided by. BENCH_TICKETS=20000 makes a quick smoke run.
#
#   BENCH_TICKETS=N BENCH_SECONDS=S BENCH_WALK_SECONDS=S BENCH_CONNS=C
#   BENCH_THREADS=T (serve --threads) BENCH_SEED=S BENCH_DIR=DIR
#   BENCH_REUSE=1 (keep DIR/tickets-N.db if it is there) REXIAN=build/rexian
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${BENCH_TICKETS:-1000000}
W=${BENCH_DIR:-build/bench-tickets}
DUR=${BENCH_SECONDS:-5}
WALK=${BENCH_WALK_SECONDS:-20}
CONNS=${BENCH_CONNS:-8}
THREADS=${BENCH_THREADS:-8}
SEED=${BENCH_SEED:-12345}
REXIAN=${REXIAN:-build/rexian}
BUILD=$(dirname "$REXIAN")
DB=$W/tickets-$N.db
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; true' EXIT
mkdir -p "$W"

[ -x "$REXIAN" ] || { echo "no $REXIAN: run make first" >&2; exit 1; }
CLIENT=$W/bench_tickets
if [ ! -x "$CLIENT" ] || [ tests/bench/bench_tickets.c -nt "$CLIENT" ]; then
    ${CC:-cc} -std=c17 -O2 -Wall -Wextra -D_GNU_SOURCE tests/bench/bench_tickets.c -o "$CLIENT" -lpthread
fi

kv() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; } # kv KEY LINE
urlencode() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }

# ---- 1. load
if [ "${BENCH_REUSE:-0}" = 1 ] && [ -f "$DB" ]; then
    echo "== reusing $DB ($(du -h "$DB" | cut -f1))"
    LOAD="(reused)"
else
    rm -f "$DB" "$DB-wal" "$DB-shm"
    echo "== loading $N tickets (seed $SEED) into $DB"
    # the call-takers' searches run against the shipped corpus's index
    "$REXIAN" index --quiet corpus "$W/idx" 2>/dev/null || [ $? -eq 1 ]
    t0=$(date +%s.%N)
    if "$REXIAN" help 2>&1 | grep -q -- '--years'; then
        "$REXIAN" demo --db "$DB" --count "$N" --seed "$SEED" --index "$W/idx" --quiet
    elif "$REXIAN" help 2>&1 | grep -q 'rexian demo'; then
        "$REXIAN" demo --db "$DB" --count "$N" --seed "$SEED" --quiet
    else # before `rexian demo` existed: the driver over rx_tickets_demo
        make -s BUILD="$BUILD" "$BUILD/librexian.a"
        PKGS="xapian-core icu-uc icu-i18n libcjson libsodium yaml-0.1 libcmark friso sqlite3 libmicrohttpd zlib"
        ${CC:-cc} -std=c17 -O2 -Iinclude -D_GNU_SOURCE $(pkg-config --cflags $PKGS | sed 's/-I/-isystem /g') \
            -c tests/bench/load_tickets.c -o "$W/load_tickets.o"
        ${CXX:-g++} "$W/load_tickets.o" "$BUILD/librexian.a" $(pkg-config --libs $PKGS) -lcsv -lpthread \
            -o "$W/load_tickets"
        "$W/load_tickets" "$DB" "$N" "$SEED" 2>/dev/null
    fi
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    events=$(sqlite3 "$DB" 'SELECT count(*) FROM ticket_events' 2>/dev/null || echo 0)
    EVENTS_PER_S=$(awk -v s="$secs" -v e="$events" 'BEGIN { printf "%.0f", e / s }')
    LOAD=$(awk -v n="$N" -v s="$secs" -v e="$events" \
        'BEGIN { printf "%d tickets in %.1f s: %.0f tickets/s, %d events (%.0f/s)", n, s, n / s, e, e / s }')
    echo "   $LOAD"
fi
if command -v sqlite3 >/dev/null; then
    sqlite3 "$DB" "SELECT '   status: ' || group_concat(s || ' ' || c, ', ') FROM
        (SELECT status s, count(*) c FROM tickets GROUP BY 1 ORDER BY 2 DESC)"
fi
"$REXIAN" index --quiet corpus "$W/idx" 2>/dev/null || [ $? -eq 1 ]
TOKEN=$("$REXIAN" user add "bench$$" --role admin --db "$DB" 2>/dev/null)

# ---- 2. serve
"$REXIAN" serve --quiet --index "$W/idx" --db "$DB" --listen 127.0.0.1:0 --threads "$THREADS" \
    >"$W/serve.out" 2>"$W/serve.err" &
SPID=$!
for ((k = 0; k < 600; k++)); do
    grep -q '正在服务' "$W/serve.out" 2>/dev/null && break
    kill -0 $SPID 2>/dev/null || { cat "$W/serve.err"; exit 1; }
    sleep 0.1
done
PORT=$(sed -n '1s|^rexian .*正在服务：http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$W/serve.out")
[ -n "$PORT" ] || { echo "serve did not start:"; cat "$W/serve.out" "$W/serve.err"; exit 1; }
URL=http://127.0.0.1:$PORT
banner=$(date +%s.%N)
until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/v1/tickets?limit=1"; do
    sleep 0.05
done
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
echo "== rexian serve on port $PORT, $THREADS threads; first list answer $(since "$banner") s after the banner"
# the scanner's pass at start: an admin scan queues behind it on the writer,
# so when it answers both are done; a second one has nothing new to mark
# and costs what every scan_interval_s will
scan() { curl -s -o "$W/scan.json" -w '%{time_total}' -X POST -H "Authorization: Bearer $TOKEN" \
    "$URL/api/v1/admin/scan"; }
scan >/dev/null
SCAN0="$(since "$banner") s after the banner ($(grep -m1 -o 'scanner:.*' "$W/serve.err" || echo 'scanner: nothing logged'))"
echo "== the scanner's pass at start done $SCAN0"
SCAN=$(scan)
echo "== admin scan with nothing new: ${SCAN} s $(cat "$W/scan.json")"
# assist's full fit over the event log runs in the background from the start,
# then the first fit of its logistic regression
for ((k = 0; k < 6000; k++)); do
    grep -q 'assist learnt' "$W/serve.err" 2>/dev/null && break
    sleep 0.1
done
for ((k = 0; k < 600; k++)); do # a minute at most (a binary without one logs none)
    grep -q 'assist fitted' "$W/serve.err" 2>/dev/null && break
    sleep 0.1
done
FIT=$(grep -m1 -o 'assist learnt.*' "$W/serve.err" || echo 'assist: not caught up in 600 s')
FIT="$FIT; $(grep -m1 -o 'assist fitted.*' "$W/serve.err" || echo 'no linear classifier fitted in 600 s')"
echo "== $FIT"
# the statistics' rollups (resolution, terms, queries) catch up with the whole log in the
# background too
for ((k = 0; k < 36000; k++)); do
    grep -q 'statistics caught up' "$W/serve.err" 2>/dev/null && break
    sleep 0.1
done
STATS=$(grep -m1 -o 'statistics caught up.*' "$W/serve.err" || echo 'statistics: not caught up in 3600 s')
echo "== $STATS"
YEAR_FROM=$(sqlite3 "$DB" "SELECT date(min(created_day) * 86400, 'unixepoch') FROM tickets")
YEAR_TO=$(sqlite3 "$DB" "SELECT date(max(created_day) * 86400, 'unixepoch') FROM tickets")
# assist over 300 tickets taken across the year, and the peer: the
# knowledge-base search of the same tickets' text (assist runs it too)
sqlite3 "$DB" "SELECT id FROM tickets WHERE n % (1 + (SELECT max(n) FROM tickets) / 300) = 0" |
    sed 's|.*|/api/v1/tickets/&/assist|' >"$W/assist.paths"
sqlite3 "$DB" "SELECT content FROM tickets WHERE n % (1 + (SELECT max(n) FROM tickets) / 300) = 0" |
    while IFS= read -r c; do echo "/api/v1/search?limit=5&q=$(urlencode "$c")"; done >"$W/search.paths"

# ---- 3. measure
FMT='%9s %9s %10s %9s %9s %9s %6s  %s\n'
rows=()
HZ=
run_get() { # label path
    local one many
    one=$("$CLIENT" "$PORT" "$TOKEN" get 1 "$DUR" "$2")
    many=$("$CLIENT" "$PORT" "$TOKEN" get "$CONNS" "$DUR" "$2")
    LAST_P50=$(kv p50 "$one")
    LAST_P99=$(kv p99 "$one")
    [ -n "$HZ" ] || HZ=$(kv rps "$many")
    rows+=("$(printf "$FMT" "$(kv p50 "$one")" "$(kv p99 "$one")" "$(kv rps "$many")" \
        "$(ratio "$(kv rps "$many")" "$HZ")" "$(kv p99 "$many")" "$(kv total "$one")" \
        "$(($(kv bad "$one") + $(kv bad "$many")))" "$1")")
}
q() { urlencode "$1"; }

run_get "GET /healthz (the peer)" /healthz
run_get "list, no filter" "/api/v1/tickets"
run_get "list status=dispatched&department=市城市管理和综合执法局" \
    "/api/v1/tickets?status=dispatched&department=$(q 市城市管理和综合执法局)"
run_get "list department=医保局 (an alias)" "/api/v1/tickets?department=$(q 医保局)"
run_get "list overdue=1" "/api/v1/tickets?overdue=1"
run_get "list category=排水&from=30 days ago" \
    "/api/v1/tickets?category=$(q 排水)&from=$(date -d '-30 days' +%F)"
run_get "list offset=5000" "/api/v1/tickets?offset=5000"
run_get "callback queue" "/api/v1/callbacks"
run_get "search q=积水" "/api/v1/tickets?q=$(q 积水)"
run_get "search q=医保" "/api/v1/tickets?q=$(q 医保)"
run_get "search q=公积金提取" "/api/v1/tickets?q=$(q 公积金提取)"
run_get "search q=燃气 漏气" "/api/v1/tickets?q=$(q '燃气 漏气')"
run_get "search q=积水&status=dispatched" "/api/v1/tickets?q=$(q 积水)&status=dispatched"
ID=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/tickets?limit=1&offset=777" |
    grep -o '"id":"ZZ[0-9-]*"' | head -1 | cut -d'"' -f4)
[ -n "$ID" ] && run_get "GET one ticket with its events" "/api/v1/tickets/$ID"
run_get "search: 300 tickets' text (assist's peer)" "@$W/search.paths"
run_get "assist: 300 tickets across the year" "@$W/assist.paths"
R="/api/v1/stats/resolution?from=$YEAR_FROM&to=$YEAR_TO"
run_get "stats: resolution, the whole year" "$R"
run_get "stats: resolution by department, the year" "$R&by=department"
run_get "stats: resolution by day, the year" "$R&by=day"
run_get "stats: resolution by agent, the year" "$R&by=agent"
run_get "stats: resolution by document, the year" "$R&by=document"
run_get "stats: resolution by category, last 30 days" \
    "/api/v1/stats/resolution?to=$YEAR_TO&by=category"
# the analysis, against the resolution figures (the peer: rollups of the same module)
LAST30="from=$(date -d "$YEAR_TO -29 days" +%F)&to=$YEAR_TO"
run_get "stats: resolution, 30 days (the analysis' peer)" "/api/v1/stats/resolution?$LAST30"
RES_P50=$LAST_P50
ANALYSIS=()
run_analysis() { # label path
    run_get "$1" "$2"
    ANALYSIS+=("$(printf '%-34s p50 %6s ms = %6s× resolution, p99 %6s ms' "$1" "$LAST_P50" \
        "$(ratio "$LAST_P50" "$RES_P50")" "$LAST_P99")")
}
run_analysis "stats: hotwords, 30 days" "/api/v1/stats/hotwords?$LAST30"
run_analysis "stats: hotwords, 7 days" "/api/v1/stats/hotwords?from=$(date -d "$YEAR_TO -6 days" +%F)&to=$YEAR_TO"
run_analysis "stats: hotwords, 90 days" "/api/v1/stats/hotwords?from=$(date -d "$YEAR_TO -89 days" +%F)&to=$YEAR_TO"
run_analysis "stats: warnings, 30 days" "/api/v1/stats/warnings?$LAST30"
run_analysis "stats: gaps, 30 days" "/api/v1/stats/gaps?$LAST30"
run_analysis "stats: policy doc=zjj-2024-003" "/api/v1/stats/policy?doc=zjj-2024-003&effective=$(date -d "$YEAR_TO -60 days" +%F)"

walk1=$("$CLIENT" "$PORT" "$TOKEN" walk 1 "$WALK")
walkn=$("$CLIENT" "$PORT" "$TOKEN" walk "$CONNS" "$WALK")
RSS=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$SPID/status")
kill "$SPID"
wait "$SPID" 2>/dev/null || true
SPID=

# ---- 4. report
echo
echo "== tickets benchmark: $N tickets, $(nproc) CPUs, serve --threads $THREADS, $(du -h "$DB" | cut -f1) database"
echo "load: $LOAD"
echo "scan: the pass at start done $SCAN0; a pass with nothing new ${SCAN} s"
echo "assist: $FIT"
echo "stats: $STATS"
echo "peer: GET /healthz at c=$CONNS, $HZ req/s; ×healthz = req/s ÷ that"
echo
printf "$FMT" "c=1 p50" "c=1 p99" "c=$CONNS req/s" "×healthz" "c=$CONNS p99" "total" "errors" "GET (ms)"
printf '%s\n' "${rows[@]}"
echo
printf "$FMT" "act p50" "act p99" "actions/s" "×healthz" "create p99" "tickets/s" "errors" \
    "walk: create, dispatch, accept, reply, approve, callback"
for c in 1 "$CONNS"; do
    line=$walk1
    [ "$c" = 1 ] || line=$walkn
    printf "$FMT" "$(kv act_p50 "$line")" "$(kv act_p99 "$line")" "$(kv rps "$line")" \
        "$(ratio "$(kv rps "$line")" "$HZ")" "$(kv create_p99 "$line")" \
        "$(kv tickets_per_s "$line")" "$(kv bad "$line")" "c=$c"
done
if [ -n "${EVENTS_PER_S:-}" ]; then
    echo
    echo "batched load vs HTTP: $EVENTS_PER_S events/s in rexian demo =" \
        "$(ratio "$EVENTS_PER_S" "$(kv rps "$walkn")")× the c=$CONNS HTTP actions/s"
fi
echo
echo "analysis (c=1), against GET /api/v1/stats/resolution ($RES_P50 ms p50) in the same run:"
printf '  %s\n' "${ANALYSIS[@]}"
echo
echo "server peak RSS $RSS MB; its stderr: $W/serve.err"
