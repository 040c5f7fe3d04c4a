#!/usr/bin/env bash
# make bench (HTTP part): rexian serve under wrk at 1, 8 and 64 connections,
# beside the HTTP floor of this machine (nginx serving a static JSON file of
# a typical search response's size, and rexian's own /healthz). Uses the
# indexes that bench_search.sh built. A benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${BENCH_DIR:-build/bench}
N=${BENCH_DOCS:-100000}
DUR=${BENCH_SECONDS:-10}
REXIAN=build/rexian
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

free_port() { # a port nobody listens on
    local p
    while :; do
        p=$((20000 + RANDOM % 20000))
        (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
    done
}
urlencode() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g'; }

# the wrk script: every query of the benchmark set in turn, with the token
make_lua() { # token > file
    {
        echo "local paths = {"
        while IFS= read -r q; do
            echo "  \"/api/v1/search?q=$(urlencode "$q")\","
        done <"$W/queries.txt"
        echo "}"
        echo "local i = 0"
        echo "wrk.headers[\"Authorization\"] = \"Bearer $1\""
        echo "request = function() i = i % #paths + 1; return wrk.format(\"GET\", paths[i]) end"
    } >"$W/search.lua"
}

wrk_line() { # label conns url [lua]
    local out
    local threads=2
    [ "$2" -lt 2 ] && threads=1
    out=$(wrk -t"$threads" -c"$2" -d"${DUR}s" --latency ${4:+-s "$4"} "$3" 2>&1) || true
    local rps p50 p99 non2xx sockerr
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    sockerr=$(grep -o 'Socket errors:.*' <<<"$out" || true)
    printf '%-28s c=%-3s %10s req/s  p50 %-9s p99 %-9s non-2xx %s %s\n' "$1" "$2" "$rps" "$p50" \
        "$p99" "${non2xx:-0}" "${sockerr}"
}

# the interactive lane's waits for a worker, from /metrics: "count sum_s
# bucket..." (cumulative counts at the histogram's bounds)
lane_waits() {
    curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/metrics" |
        awk '/^rexian_http_queue_wait_seconds_(bucket|sum|count)\{lane="interactive"/ {
                 if ($1 ~ /_count/) c = $2; else if ($1 ~ /_sum/) s = $2; else b = b " " $2 }
             END { print c, s b }'
}
# what the searches between two lane_waits waited for a worker: the mean,
# and the bound under which 99% of them waited
wait_line() { # before after
    awk -v a="$1" -v b="$2" 'BEGIN {
        split("1 5 10 25 50 100 250 1000 5000", ub, " ")
        na = split(a, x, " "); split(b, y, " ")
        n = y[1] - x[1]; if (n <= 0) { print "  (no waits counted)"; exit }
        for (k = 3; k <= na; k++) if (y[k] - x[k] >= 0.99 * n) { p = ub[k - 2]; break }
        printf "  of which waiting for a worker: mean %.2f ms, 99%% under %s ms (%d requests)\n",
               (y[2] - x[2]) / n * 1000, p ? p : ">5000", n }'
}

serve() { # index [logging] → sets PORT, TOKEN, SPID
    PORT=$(free_port)
    rm -f "$W/bench.db"*
    local t0 t1 quiet=--quiet
    [ -n "${2:-}" ] && quiet=
    t0=$(date +%s%N)
    "$REXIAN" serve $quiet --index "$1" --db "$W/bench.db" --listen "127.0.0.1:$PORT" >"$W/serve.out" 2>"$W/serve.err" &
    SPID=$!
    PIDS+=("$SPID")
    until grep -q 'rx_' "$W/serve.out" 2>/dev/null; do sleep 0.01; done
    TOKEN=$(grep -o 'rx_[A-Za-z0-9_-]*' "$W/serve.out" | head -1)
    until curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/search?q=%E5%81%9C%E6%B0%B4"; do sleep 0.005; done
    t1=$(date +%s%N)
    echo "first answer $(((t1 - t0) / 1000000)) ms after start"
}

# the floor: nginx with a static file the size of a typical search answer
NPORT=$(free_port)
mkdir -p "$W/nginx"
serve "$W/idx-shipped" >/dev/null
curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/search?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%8F%90%E5%8F%96" >"$W/nginx/search.json"
curl -s "http://127.0.0.1:$PORT/healthz" >"$W/nginx/healthz.json"
kill "$SPID"; wait "$SPID" 2>/dev/null || true
nginx_conf() { # access_log setting > conf
    cat <<CONF
worker_processes 2;
pid $PWD/$W/nginx/nginx.pid;
error_log $PWD/$W/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log $1;
    server {
        listen 127.0.0.1:$NPORT;
        root $PWD/$W/nginx;
        location / { default_type application/json; }
    }
}
CONF
}
nginx_start() { # access_log setting
    nginx_conf "$1" >"$W/nginx/nginx.conf"
    nginx -c "$PWD/$W/nginx/nginx.conf"
    until curl -sf -o /dev/null "http://127.0.0.1:$NPORT/healthz.json"; do sleep 0.01; done
    PIDS+=("$(cat "$W/nginx/nginx.pid")")
}
nginx_stop() {
    kill "$(cat "$W/nginx/nginx.pid")" 2>/dev/null || true
    while [ -f "$W/nginx/nginx.pid" ]; do sleep 0.01; done
}
nginx_start off
echo "== HTTP floor ($(wc -c <"$W/nginx/search.json") byte JSON; healthz.json $(wc -c <"$W/nginx/healthz.json") bytes)"
wrk_line "nginx static" 8 "http://127.0.0.1:$NPORT/search.json"
wrk_line "nginx static" 64 "http://127.0.0.1:$NPORT/search.json"
wrk_line "nginx healthz.json" 64 "http://127.0.0.1:$NPORT/healthz.json"
nginx_stop
rm -f "$W/nginx/access.log"
nginx_start "$PWD/$W/nginx/access.log"
wrk_line "nginx healthz.json, logging" 64 "http://127.0.0.1:$NPORT/healthz.json"
nginx_stop

for label in shipped "$N"; do
    idx=$W/idx-$label
    [ "$label" = shipped ] && idx=$W/idx-shipped
    [ -f "$idx/current" ] || { echo "no $idx: run bench_search.sh first"; continue; }
    echo "== rexian serve over $label ($("$REXIAN" search --index "$idx" --json --limit 1 x >/dev/null 2>&1; echo index $idx))"
    serve "$idx"
    make_lua "$TOKEN"
    wrk_line "rexian /healthz" 8 "http://127.0.0.1:$PORT/healthz"
    wrk_line "rexian /healthz" 64 "http://127.0.0.1:$PORT/healthz"
    for c in 1 8 64; do
        before=$(lane_waits)
        wrk_line "rexian search" "$c" "http://127.0.0.1:$PORT" "$W/search.lua"
        wait_line "$before" "$(lane_waits)"
    done
    echo "server peak RSS $(awk '/VmHWM/ {print int($2/1024)}' /proc/$SPID/status) MB"
    kill "$SPID"; wait "$SPID" 2>/dev/null || true
done

# /healthz with rexian's access log on (to a file, as nginx's above)
serve "$W/idx-shipped" logging >/dev/null
wrk_line "rexian /healthz, logging" 64 "http://127.0.0.1:$PORT/healthz"
kill "$SPID"; wait "$SPID" 2>/dev/null || true
