# Helpers shared by the ticket end-to-end tests (test_tickets.sh,
# test_tickets_kill.sh): starting and stopping `rexian serve`, requests with a
# token, and JSON assertions evaluated by python3 (jq is not relied on).
# Source it after lib.sh; run on its own (make e2e runs every *.sh) it does nothing.
[ "${BASH_SOURCE[0]}" != "$0" ] && [ -n "${T:-}" ] || { echo "# tickets_lib.sh: helpers only"; exit 0; }

PY=$(command -v python3 || true)
if [ -z "$PY" ]; then
    echo "# python3 is needed for the JSON assertions of the ticket tests"
    exit 1
fi
PY=$("$PY" -c 'import sys; print(sys.executable)') # skip a pyenv shim's start-up cost

SRV=  # the server's pid
PIDS=() # background clients
# The shipped rules, with the background scanner slowed down so that only
# POST /api/v1/admin/scan runs it while the tests look.
RULES=()
if [ -f "$ROOT/etc/workflow.conf" ]; then
    # the media window covers the 20 days the clock moves before the scan
    sed -e 's/^[[:space:]]*scan_interval_s[[:space:]]*=.*/scan_interval_s = 3600/' \
        -e 's/^[[:space:]]*media_window_days[[:space:]]*=.*/media_window_days = 30/' \
        "$ROOT/etc/workflow.conf" >"$T/workflow.conf"
    RULES=(--rules "$T/workflow.conf")
fi
rule() { # rule KEY DEFAULT: a value of the rules file in use
    local v
    v=$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\([^#]*\).*/\1/p" "$T/workflow.conf" 2>/dev/null | tail -1)
    v=${v%"${v##*[![:space:]]}"}
    echo "${v:-$2}"
}
export T
export CAL=$T/corpus/calendar.txt
export CLOCK_OFFSET=0 # what the server's REXIAN_CLOCK_OFFSET is, for today() in the checks

cleanup() {
    stop_all "${PIDS[@]}" $SRV
    rm -rf "$T"
}
trap cleanup EXIT
trap '' PIPE


start_server() { # start_server [NAME=VALUE...]: serve on a free port: $SRV, $PORT, $U
    : >"$T/out"
    env "$@" "$REXIAN" serve --index "$T/idx" --db "$T/db" --corpus "$T/corpus" \
        --listen 127.0.0.1:0 --threads 4 "${RULES[@]}" >"$T/out" 2>>"$T/log" &
    SRV=$!
    wait_served $SRV "$T/out"
    U=http://127.0.0.1:$PORT
    if [ -z "$PORT" ]; then
        echo "  # the server did not start; its output:"
        sed 's/^/  #   /' "$T/out" | head -10
        tail -10 "$T/log" | sed 's/^/  #   /'
        return 1
    fi
}
stop_server() { # SIGTERM, then SIGKILL after 10 s
    [ -n "$SRV" ] || return 0
    kill -TERM "$SRV" 2>/dev/null
    wait_exit "$SRV" 10 || kill -9 "$SRV" 2>/dev/null
    { wait "$SRV"; } 2>/dev/null
    SRV=
}

# --- requests (req, show and is are in lib.sh)
as() { # as TOKEN CURL-ARGS...
    local tok=$1
    shift
    req -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@"
}
err() { # err STATUS CODE: our JSON error CODE with STATUS and a non-empty message
    is "$1" && jtrue "set(j)=={'error'} and set(j['error'])=={'code','message'} and j['error']['code']=='$2' and isinstance(j['error']['message'],str) and j['error']['message']!=''"
}
err_any() { # err_any CODE|CODE... STATUS|STATUS...: one of these errors
    [[ "|$2|" == *"|$code|"* ]] || { echo "  # expected status $2"; show; return 1; }
    jtrue "set(j)=={'error'} and j['error']['code'] in '$1'.split('|') and j['error']['message']!=''"
}
same() { # same A B [WHAT]
    [ "$1" = "$2" ] || { echo "  # ${3:-values} differ: '$1' vs '$2'"; return 1; }
}
save() { cp "$T/body" "$T/s.$1"; } # save NAME: keep the last body for S('NAME')

# --- JSON assertions. j is the last body; helpers are in $T/h.py.
cat >"$T/h.py" <<'PYEOF'
import datetime as dt, json, os, re, sys
T = os.environ['T']
SH = dt.timezone(dt.timedelta(hours=8))
WHY = []
def why(msg):
    WHY.append(str(msg))
    return False
def load(p):
    try:
        with open(p, 'rb') as f:
            return json.loads(f.read().decode('utf-8'))
    except Exception:
        return None
j = load(os.path.join(T, os.environ.get('BODY', 'body')))
def S(name): return load(os.path.join(T, 's.' + name))
_cal = {}
try:
    for line in open(os.environ['CAL'], encoding='utf-8'):
        w = line.split('#')[0].split()
        if len(w) == 2:
            _cal[w[0]] = w[1]
except OSError:
    pass
def workday(d):
    k = _cal.get(d.isoformat())
    if k == 'holiday': return False
    if k == 'workday': return True
    return d.weekday() < 5
def add_wd(s, n):
    """the date n working days after s (s itself not counted)"""
    d = dt.date.fromisoformat(s)
    while n > 0:
        d += dt.timedelta(days=1)
        if workday(d): n -= 1
    return d.isoformat()
OFF = int(os.environ.get('CLOCK_OFFSET', '0'))
def now(): return dt.datetime.now(SH) + dt.timedelta(seconds=OFF)
def today(): return now().date().isoformat()
def days(s, n): return (dt.date.fromisoformat(s) + dt.timedelta(days=n)).isoformat()
TODAYS = {today(), (now() - dt.timedelta(seconds=120)).date().isoformat()} # a test may straddle midnight
TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00$')
def rfc(s): return isinstance(s, str) and bool(TIME.match(s)) or why('not an RFC 3339 +08:00 time: %r' % (s,))
def tk(t=None): return j if t is None else t
def acts(t=None): return [e.get('action') for e in tk(t)['events']]
def evs(a, t=None): return [e for e in tk(t)['events'] if e.get('action') == a]
def last(t=None): return tk(t)['events'][-1]
def ids(t=None): return [x['id'] for x in tk(t)['tickets']]
def ecode(): return j['error']['code'] if isinstance(j, dict) and isinstance(j.get('error'), dict) else None
KEYS = ['id', 'status', 'status_label', 'channel', 'caller', 'phone', 'address', 'area',
        'category', 'content', 'created', 'updated', 'created_by', 'level', 'lead', 'co',
        'approved_by', 'deadline_days', 'deadline', 'overdue', 'overdue_count', 'supervision',
        'rework', 'returns', 'round', 'callback_attempts', 'satisfaction', 'discipline',
        'first_contact', 'doc_ids', 'reply', 'repeat_of', 'proposal', 'version']
LABELS = {'received': '已受理', 'dispatched': '已交办', 'accepted': '已签收', 'replied': '已答复',
          'closed': '已办结', 'reopened': '二次办理', 'archived': '已归档'}
def missing(t=None):
    t = tk(t)
    return [k for k in KEYS if k not in t]
def chain(t=None):
    """the events are well formed: seq 1..n, version n, who/role/at/from/to, each from the
    previous to, times in order, the last to the ticket's status"""
    t = tk(t)
    ev = t.get('events')
    if not isinstance(ev, list) or not ev: return why('no events')
    if t.get('version') != len(ev): return why('version %r but %d events' % (t.get('version'), len(ev)))
    prev = None
    for i, e in enumerate(ev):
        for k in ('seq', 'action', 'actor', 'role', 'at', 'from', 'to', 'payload'):
            if k not in e: return why('event %d has no %s: %r' % (i + 1, k, e))
        if e['seq'] != i + 1: return why('event %d has seq %r' % (i + 1, e['seq']))
        if not rfc(e['at']): return False
        if not isinstance(e['actor'], str) or not e['actor']: return why('event %d: actor %r' % (i + 1, e['actor']))
        if e['role'] not in ('agent', 'supervisor', 'department', 'trainer', 'admin', 'system'): return why('event %d: role %r' % (i + 1, e['role']))
        if e['payload'] is not None and not isinstance(e['payload'], dict): return why('event %d: payload %r' % (i + 1, e['payload']))
        if i == 0 and (e['action'] != 'create' or e['to'] != 'received'): return why('first event %r' % e)
        if prev is not None:
            if e['from'] != prev['to']: return why('event %d from %r after to %r' % (i + 1, e['from'], prev['to']))
            if e['at'] < prev['at']: return why('event %d at %s before %s' % (i + 1, e['at'], prev['at']))
        if e['actor'] == 'system' and e['from'] != e['to']: return why('system event %d moves %r -> %r' % (i + 1, e['from'], e['to']))
        prev = e
    if prev['to'] != t['status']: return why('last event to %r, status %r' % (prev['to'], t['status']))
    return True
def moves(t=None):
    """[(action, from, to)] of the non-create events"""
    return [(e['action'], e['from'], e['to']) for e in tk(t)['events'][1:]]
def overrep(t):
    """bigrams a list item's snippet holds more often than the ticket's text"""
    src = '\n'.join(str(t.get(k) or '') for k in ('content', 'address', 'category', 'reply'))
    counts = {}
    for piece in re.split(r'[…\s]+', re.sub(r'</?mark>', '', t.get('snippet') or '')):
        for i in range(len(piece) - 1):
            counts[piece[i:i + 2]] = counts.get(piece[i:i + 2], 0) + 1
    return sorted(b for b, n in counts.items() if n > src.count(b))
def summary(x):
    if isinstance(x, dict) and isinstance(x.get('events'), list):
        x = dict(x)
        x['events'] = ['%s:%s:%s>%s:%s/%s:%s' % (e.get('seq'), e.get('action'), e.get('from'), e.get('to'),
                       e.get('actor'), e.get('role'), json.dumps(e.get('payload'), ensure_ascii=False)[:80])
                       for e in x['events']]
    if isinstance(x, dict) and isinstance(x.get('tickets'), list):
        x = dict(x)
        x['tickets'] = [{k: t.get(k) for k in ('id', 'status', 'lead', 'co', 'overdue', 'created', 'snippet') if k in t}
                        for t in x['tickets'][:12]]
    return json.dumps(x, ensure_ascii=False)[:900]

mode, expr = sys.argv[1], sys.argv[2]
try:
    v = eval(expr)
    exc = None
except Exception as e:
    v, exc = None, e
if mode == 'v':
    print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
    sys.exit(0 if exc is None else 1)
if v and exc is None:
    sys.exit(0)
print('  # expected: ' + expr)
if exc is not None: print('  # raised %s: %s' % (type(exc).__name__, exc))
for w in WHY: print('  # ' + w)
if j is None:
    try:
        raw = open(os.path.join(T, os.environ.get('BODY', 'body')), 'rb').read(300)
    except OSError:
        raw = b''
    print('  # the body is not JSON: %r' % raw)
else:
    print('  # body: ' + summary(j))
sys.exit(1)
PYEOF
jtrue() { "$PY" "$T/h.py" t "$1"; }        # jtrue EXPR: EXPR holds for the last body
jv() { "$PY" "$T/h.py" v "$1" 2>/dev/null; } # jv EXPR: print EXPR's value
okj() { is "$1" && jtrue "$2"; }           # okj STATUS EXPR

boot() { # boot: index a copy of the shipped corpus, start the server, read $ADMIN; exit if it fails
    cp -r "$ROOT/corpus" "$T/corpus"
    "$REXIAN" index --quiet "$T/corpus" "$T/idx" 2>"$T/index.err"
    check "the corpus copy indexes with exit 0" [ $? -eq 0 ]
    start_server
    ADMIN=$(sed -n '2,$p' "$T/out" | grep -o 'rx_[A-Za-z0-9_-]*' | head -1)
    check "serve starts on a fresh database and prints the admin token" test -n "$PORT" -a -n "$ADMIN"
    if [ -z "$PORT" ] || [ -z "$ADMIN" ]; then
        finish
        exit 1
    fi
}
