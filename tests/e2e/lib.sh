# Shared helpers for the end-to-end tests: a temp dir, assertions, a tally.
set -u
REXIAN=${REXIAN:-build/rexian}
REXIAN=$(cd "$(dirname "$REXIAN")" && pwd)/$(basename "$REXIAN")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d /tmp/rexian-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT
PASS=0
FAIL=0
# RX_TEST_SLOW=N stretches the waits for the server N times (make valgrind)
SLOW=${RX_TEST_SLOW:-1}

ok() { PASS=$((PASS + 1)); echo "ok   - $1"; }
not_ok() { FAIL=$((FAIL + 1)); echo "FAIL - $1"; }
check() { # check NAME COMMAND...
    local name=$1; shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# HTTP requests: the status is left in $code, the body in $T/body
req() { # req CURL-ARGS... URL
    code=$(curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' --max-time $((10 * SLOW)) "$@")
}
show() { printf '  # got %s: %s\n' "$code" "$(head -c 400 "$T/body" | tr '\n' ' ')"; }
is() { # is STATUS [SUBSTRING...]: the last response had STATUS and each SUBSTRING
    local want=$1 s
    shift
    if [ "$code" != "$want" ]; then
        echo "  # expected status $want"
        show
        return 1
    fi
    for s in "$@"; do
        grep -qF -- "$s" "$T/body" || { echo "  # expected the body to contain: $s"; show; return 1; }
    done
}
wait_served() { # wait_served PID OUT: until `rexian serve` (PID) prints in OUT that it serves, or dies; $PORT ("" if it did not start)
    local k
    for ((k = 0; k < 200 * SLOW; k++)); do
        grep -q '正在服务' "$2" 2>/dev/null && break
        kill -0 "$1" 2>/dev/null || break
        sleep 0.05
    done
    PORT=$(sed -n '1s|^rexian .*正在服务：http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$2")
}
wait_exit() { # wait_exit PID SECONDS: true once PID is gone, false on timeout
    local k
    for ((k = 0; k < $2 * 20 * SLOW; k++)); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.05
    done
    return 1
}
stop_all() { # stop_all PID...: TERM, a moment, then KILL; no job notices
    local p
    disown -a 2>/dev/null
    for p in "$@"; do kill "$p" 2>/dev/null; done
    sleep 0.1
    if [ "$SLOW" -gt 1 ]; then # let valgrind write its report
        for p in "$@"; do wait_exit "$p" 1; done
    fi
    for p in "$@"; do kill -9 "$p" 2>/dev/null; done
    return 0
}
finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}
