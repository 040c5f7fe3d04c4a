#!/usr/bin/env bash
# Durability of the ticket workflow: client loops create tickets and walk
# them through dispatch → accept → reply → approve → callback while
# `rexian serve` is killed with SIGKILL at random moments and restarted on
# the same database. Every answer 2xx is logged; at the end every
# acknowledged create exists, every acknowledged action is the event at the
# version it answered, no action was applied twice, and SQLite's integrity
# check passes. Needs curl, python3 and sqlite3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"
KILLS=${KILLS:-24}
CLIENTS=${CLIENTS:-3}
BUDGET=${BUDGET:-40} # seconds for the kill phase at most

boot
as "$ADMIN" --data-binary '{"channel":"phone","content":"耐久测试：探测工单接口"}' "$U/api/v1/tickets"
if [ "$code" != 201 ]; then
    echo "# POST /api/v1/tickets answers $code: the server has no ticket API"
    not_ok "POST /api/v1/tickets creates a ticket"
    finish
    exit 1
fi
echo "$PORT" >"$T/port"

# --- a client: create a ticket, then take it to the archive, one action at a time.
# Every 2xx is appended to $T/acks.N as "create|ACTION ID VERSION".
client() {
    local me=$1 k=0 id= st= r c body ver next
    local auth="Authorization: Bearer $ADMIN"
    while [ ! -e "$T/stop" ]; do
        local url=http://127.0.0.1:$(<"$T/port")/api/v1/tickets
        if [ -z "$id" ]; then
            k=$((k + 1))
            : >"$T/busy.$me"
            r=$(curl -s -w '\n%{http_code}' --max-time 10 -H "$auth" -H 'Content-Type: application/json' \
                --data-binary "{\"channel\":\"phone\",\"content\":\"耐久测试：客户端${me}第${k}单，小区路面破损积水\"}" "$url")
            rm -f "$T/busy.$me"
            c=${r##*$'\n'} body=${r%$'\n'*}
            if [ "$c" = 201 ]; then
                id=$(grep -o '"id":"ZZ[0-9-]*"' <<<"$body" | head -1 | cut -d'"' -f4)
                ver=$(grep -o '"version":[0-9]*' <<<"$body" | head -1 | cut -d: -f2)
                echo "create $id $ver" >>"$T/acks.$me"
                st=received
            else
                [ "$c" = 000 ] && echo "create" >>"$T/cut.$me"
                sleep 0.05
            fi
            continue
        fi
        if [ -z "$st" ]; then # the last answer was lost: ask where the ticket is
            r=$(curl -s -w '\n%{http_code}' --max-time 10 -H "$auth" "$url/$id")
            c=${r##*$'\n'} body=${r%$'\n'*}
            if [ "$c" = 200 ]; then
                st=$(grep -o '"status":"[a-z]*"' <<<"$body" | head -1 | cut -d'"' -f4)
            else
                sleep 0.05
                continue
            fi
        fi
        case $st in
        received) next='{"action":"dispatch","level":"immediate","lead":"市住房和城乡建设局","deadline_days":5}' ;;
        dispatched) next='{"action":"accept"}' ;;
        accepted) next='{"action":"reply","text":"已安排施工队修补路面。"}' ;;
        replied) next='{"action":"approve"}' ;;
        closed) next='{"action":"callback","result":"satisfied","note":"满意"}' ;;
        *) id= st= ; continue ;; # archived (or unexpected): next ticket
        esac
        : >"$T/busy.$me"
        r=$(curl -s -w '\n%{http_code}' --max-time 10 -H "$auth" -H 'Content-Type: application/json' \
            --data-binary "$next" "$url/$id/actions")
        rm -f "$T/busy.$me"
        c=${r##*$'\n'} body=${r%$'\n'*}
        if [[ $c == 2?? ]]; then
            ver=$(grep -o '"version":[0-9]*' <<<"$body" | head -1 | cut -d: -f2)
            echo "$(cut -d'"' -f4 <<<"$next") $id $ver" >>"$T/acks.$me"
            st=$(grep -o '"status":"[a-z]*"' <<<"$body" | head -1 | cut -d'"' -f4)
        else
            st= # 409 (a lost answer's action did happen), 000 (server down), 5xx: ask again
            [ "$c" = 000 ] && echo "$id" >>"$T/cut.$me"
            [ "$c" = 409 ] || sleep 0.05
        fi
    done
}
rm -f "$T/stop"
for ((m = 1; m <= CLIENTS; m++)); do
    : >"$T/acks.$m"
    : >"$T/cut.$m"
    client "$m" &
    PIDS+=($!)
done

# --- the killer
t0=$SECONDS
kills=0 failed_starts=0
# KILLS kills, and more (within the budget) until ten requests were cut off.
# Each kill waits (a second at most) for a client's request to be in flight
# ($T/busy.N): on a slow build (ASan) a kill at a random moment mostly
# lands between requests.
for ((i = 1; ; i++)); do
    [ $((SECONDS - t0)) -lt "$BUDGET" ] || break
    [ "$i" -le "$KILLS" ] || [ "$(cat "$T"/cut.* | wc -l)" -lt 10 ] || break
    sleep "$(printf '0.%03d' $((50 + RANDOM % 451)))"
    for ((w = 0; w < 100; w++)); do
        compgen -G "$T/busy.*" >/dev/null && break
        sleep 0.01
    done
    kill -9 "$SRV" 2>/dev/null
    { wait "$SRV"; } 2>/dev/null
    kills=$((kills + 1))
    if start_server; then
        echo "$PORT" >"$T/port"
    else
        failed_starts=$((failed_starts + 1))
        start_server && echo "$PORT" >"$T/port" # one more try
    fi
done
# the clients get some answers from the last server: at least half a second,
# and (on a slow build, such as ASan's) until they have done enough to judge
sleep 0.5
for ((w = 0; w < 300; w++)); do
    [ "$(cat "$T"/acks.* | grep -c '^create ')" -ge 10 ] &&
        [ "$(cat "$T"/acks.* | grep -vc '^create ')" -ge 30 ] && break
    sleep 0.1
done
touch "$T/stop"
wait "${PIDS[@]}"
PIDS=()
echo "# $kills kills in $((SECONDS - t0)) s; $(cat "$T"/acks.* | wc -l) acknowledged requests"
check "the server was killed at least 20 times (got $kills)" [ "$kills" -ge 20 ]
check "the server restarted on the same database after every kill" [ "$failed_starts" -eq 0 ]
check "the server is up after the last restart" kill -0 "$SRV"
creates=$(cat "$T"/acks.* | grep -c '^create ')
actions=$(cat "$T"/acks.* | grep -vc '^create ')
cut=$(cat "$T"/cut.* | wc -l)
check "the kills cut off requests in flight or refused them ($cut)" [ "$cut" -ge 10 ]
check "the clients got at least 10 creates and 30 actions acknowledged ($creates, $actions)" test "$creates" -ge 10 -a "$actions" -ge 30

# --- every acknowledged create and action survived
durable() {
    "$PY" - "$T" "$U" "$ADMIN" <<'EOF'
import glob, json, sys, urllib.request
T, U, tok = sys.argv[1:4]
acks = {}
for f in sorted(glob.glob(T + '/acks.*')):
    for line in open(f):
        w = line.split()
        if len(w) != 3 or not w[2].isdigit():
            print('  # malformed ack in %s: %r' % (f, line)); sys.exit(1)
        acks.setdefault(w[1], []).append((w[0], int(w[2])))
order = ['create', 'dispatch', 'accept', 'reply', 'approve', 'callback']
bad = 0
for tid, items in sorted(acks.items()):
    try:
        rq = urllib.request.Request('%s/api/v1/tickets/%s' % (U, tid), headers={'Authorization': 'Bearer ' + tok})
        t = json.load(urllib.request.urlopen(rq, timeout=10))
    except Exception as e:
        print('  # %s: acknowledged (%s) but GET fails: %s' % (tid, ' '.join(a for a, _ in items), e)); bad += 1; continue
    ev = t.get('events', [])
    acts = [e.get('action') for e in ev]
    problems = []
    for a, v in items:
        if v < 1 or v > len(ev) or ev[v - 1].get('action') != a:
            problems.append('%s acknowledged at version %d is not event %d' % (a, v, v))
    if [e.get('seq') for e in ev] != list(range(1, len(ev) + 1)) or t.get('version') != len(ev):
        problems.append('seq/version broken: version %r, seqs %r' % (t.get('version'), [e.get('seq') for e in ev]))
    if acts != order[:len(acts)]:
        problems.append('events are not a prefix of the life cycle (an action applied twice?)')
    if problems:
        bad += 1
        if bad <= 10:
            print('  # %s: %s; events %s' % (tid, '; '.join(problems), acts))
if bad:
    print('  # %d of %d tickets lost or broke acknowledged work' % (bad, len(acks)))
    sys.exit(1)
print('  # %d tickets checked' % len(acks))
EOF
}
check "every acknowledged create exists and every acknowledged action is its event" durable
as "$ADMIN" --get --data-urlencode limit=1 "$U/api/v1/tickets"
check "the list counts at least every acknowledged create (+1 probe)" okj 200 "j['total']>=$creates+1"

# --- the database file itself
stop_server
check "the server stops on SIGTERM at the end" [ -z "$SRV" ]
check "sqlite3 PRAGMA integrity_check prints ok" same "$(sqlite3 "$T/db" 'PRAGMA integrity_check' 2>&1)" ok "integrity_check"
check "the database runs in WAL mode" same "$(sqlite3 "$T/db" 'PRAGMA journal_mode' 2>&1)" wal "journal modes"
check "the schema is versioned per module (schema_versions: assist, stats, tickets and users, each past version 0)" \
    test "$(sqlite3 "$T/db" "SELECT count(*) FROM schema_versions WHERE module IN ('assist', 'stats', 'tickets', 'users') AND version > 0" 2>&1)" = 4
n_events=$(sqlite3 "$T/db" 'SELECT count(*) FROM ticket_events' 2>&1)
check "ticket_events holds the events ($n_events)" test "$n_events" -gt "$actions" 2>/dev/null
sqlite3 "$T/db" 'UPDATE ticket_events SET actor = actor || 1' >/dev/null 2>&1
up=$?
sqlite3 "$T/db" 'DELETE FROM ticket_events WHERE rowid IN (SELECT rowid FROM ticket_events LIMIT 1)' >/dev/null 2>&1
del=$?
check "ticket_events refuses UPDATE and DELETE (triggers)" test "$up" -ne 0 -a "$del" -ne 0
check "…and still holds every event" same "$(sqlite3 "$T/db" 'SELECT count(*) FROM ticket_events' 2>&1)" "$n_events" "event counts"

finish
