#!/usr/bin/env bash
# Statistics end to end over real sockets (docs/ANALYSIS.md): a call
# resolved with a document found and opened for its ticket, one replied and
# called back, one still open, counted by GET /api/v1/stats/resolution
# overall and by document; clear 400s for bad ranges; and the rollups of a
# demo year, with the server killed (-9) while it catches up, equal to the
# figures derived again from the ticket tables. Needs curl and python3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"

boot

mkuser() { # mkuser NAME ROLE: print a new user's token
    as "$ADMIN" --data-binary "{\"name\":\"$1\",\"role\":\"$2\"}" "$U/api/v1/admin/users"
    [ "$code" = 201 ] && jv "j['token']"
}
AGENT=$(mkuser 话务员丙 agent)
SUP=$(mkuser 值班长丙 supervisor)
TRAINER=$(mkuser 培训师丙 trainer)
new_ticket() { # new_ticket CATEGORY CONTENT: print the id
    as "$AGENT" --data-binary "{\"channel\":\"phone\",\"category\":\"$1\",\"content\":\"$2\"}" "$U/api/v1/tickets"
    [ "$code" = 201 ] && jv "j['id']"
}
act() { # act TOKEN ID JSON
    as "$1" --data-binary "$3" "$U/api/v1/tickets/$2/actions"
    [ "$code" = 200 ] || { echo "  # $3 on $2: $code"; show; }
}
TODAY=$("$PY" -c 'import datetime as d; print((d.datetime.utcnow() + d.timedelta(hours=8)).date())')

# --- an empty log: every statistic answers (nothing to sort, group or test)
bad=
for r in resolution "resolution?by=document" hotwords warnings gaps "policy?doc=zjj-2024-003" \
    "report?format=html"; do
    as "$SUP" "$U/api/v1/stats/$r"
    [ "$code" = 200 ] || bad="$bad $r:$code"
done
check "on an empty log every statistics route answers 200${bad:+ (not:$bad)}" [ -z "$bad" ]
LEAD=$(sed -n '/^[^#]/{s/ .*//;p}' "$T/corpus/departments.txt" | sed -n 3p)

# --- a call resolved with the document it found and opened
T1=$(new_ticket 医保 "医保卡丢了怎么补办")
as "$AGENT" --get --data-urlencode q=医保卡补办 --data-urlencode ticket="$T1" "$U/api/v1/search"
DOC=$(jv "j['hits'][0]['id']")
check "a search for the ticket is recorded with it, whether confident" jtrue \
    "j['ticket_recorded'] is True and isinstance(j['confident'], bool)"
as "$AGENT" --get --data-urlencode ticket="$T1" "$U/api/v1/docs/$DOC"
check "opening a document with ticket= records it" okj 200 "j['ticket_recorded'] is True"
as "$TRAINER" --get --data-urlencode ticket="$T1" "$U/api/v1/docs/$DOC"
check "a trainer may read documents but not record them with a ticket (403)" err 403 forbidden
act "$AGENT" "$T1" "{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"$DOC\"]}"
as "$AGENT" "$U/api/v1/tickets/$T1"
check "the ticket lists the search and the opening, each with its kind" jtrue \
    "[l['kind'] for l in j['lookups']] == ['search', 'open'] and 'confident' in j['lookups'][0] and j['lookups'][1]['top'] == ['$DOC']"
# --- one replied on time and called back satisfied
T2=$(new_ticket 路灯 "路灯不亮")
act "$ADMIN" "$T2" "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"$LEAD\"}"
act "$ADMIN" "$T2" '{"action":"accept"}'
act "$ADMIN" "$T2" '{"action":"reply","text":"已修复"}'
act "$ADMIN" "$T2" '{"action":"approve"}'
act "$ADMIN" "$T2" '{"action":"callback","result":"satisfied"}'
# --- one still open
T3=$(new_ticket 噪声 "楼上装修太吵")

as "$SUP" "$U/api/v1/stats/resolution?from=$TODAY&to=$TODAY"
check "resolution counts today's three tickets: one-call 1/3, assisted 1/1, satisfied 1/1, on time 1/1" okj 200 \
    "j['from'] == j['to'] == '$TODAY' and j['tickets'] == 3 and j['one_call'] == {'count': 1, 'of': 3, 'rate': 1/3} and j['assisted']['count'] == j['assisted']['of'] == 1 and j['satisfaction'] == {'count': 1, 'of': 1, 'rate': 1} and j['on_time']['of'] == 1 and j['rework']['count'] == 0 and j['reopen'] == {'count': 0, 'of': 1, 'rate': 0} and 'groups' not in j"
as "$TRAINER" "$U/api/v1/stats/resolution?from=$TODAY&by=document"
check "by document: the one opened and cited resolved its call (a trainer may read statistics)" okj 200 \
    "[(g['key'], g['tickets'], g['opened'], g['one_call']['count']) for g in j['groups']] == [('$DOC', 1, 1, 1)]"
as "$SUP" "$U/api/v1/stats/resolution?from=$TODAY&by=category"
check "by category: three groups of one ticket" okj 200 \
    "sorted(g['key'] for g in j['groups']) == sorted(['医保', '路灯', '噪声']) and all(g['tickets'] == 1 for g in j['groups'])"
as "$SUP" "$U/api/v1/stats/resolution?by=department"
check "without from and to: the 30 days to today, by department" okj 200 \
    "j['to'] == '$TODAY' and {g['key']: g['tickets'] for g in j['groups']} == {'$LEAD': 1, '': 2}"

# --- bad ranges
as "$SUP" "$U/api/v1/stats/resolution?from=2026-13-01"
check "a date that is not one is 400, said in Chinese" jtrue \
    "'$code' == '400' and re.search('[\u4e00-\u9fff]', j['error']['message'])"
as "$SUP" "$U/api/v1/stats/resolution?from=2026-05-02&to=2026-05-01"
check "from after to is 400" err 400 invalid_parameter
as "$SUP" "$U/api/v1/stats/resolution?from=2000-01-01&to=2026-01-01"
check "a range over ten years is 400" err 400 invalid_parameter
as "$SUP" "$U/api/v1/stats/resolution?by=weather"
check "an unknown by= is 400 naming the ones there are" jtrue \
    "'$code' == '400' and 'department' in j['error']['message']"
as "$AGENT" "$U/api/v1/stats/resolution"
check "a call-taker may not read statistics (403)" err 403 forbidden
stop_server

# --- a demo year, the server killed while its statistics catch up
"$REXIAN" demo --db "$T/demo.db" --count 8000 --quiet >/dev/null 2>&1
check "rexian demo loads 8000 tickets" [ $? -eq 0 ]
# a year that ends on a fixed day is the same year whenever it is made
for i in 1 2; do
    "$REXIAN" demo --db "$T/until$i.db" --count 200 --until 2026-06-30 --quiet >/dev/null 2>&1
done
same_year() {
    local a b
    a=$(sqlite3 "$T/until1.db" "select group_concat(created || content, '|') from tickets")
    b=$(sqlite3 "$T/until2.db" "select group_concat(created || content, '|') from tickets")
    [ -n "$a" ] && [ "$a" = "$b" ] && [ "$(sqlite3 "$T/until1.db" "select max(created) < '2026-07-01' from tickets")" = 1 ]
}
check "rexian demo --until makes the same year twice, ending that day" same_year
"$REXIAN" demo --db "$T/until3.db" --count 10 --until 2026-02-30 --quiet 2>"$T/until.err"
check "rexian demo --until rejects a date that is not one (status 2, says why)" \
    [ $? -eq 2 -a -n "$(grep -- '--until must be a date' "$T/until.err")" ]
TOK=$("$REXIAN" user add 值班长丁 --role supervisor --db "$T/demo.db" 2>/dev/null | tail -1)
serve_demo() {
    : >"$T/out"
    "$REXIAN" serve --index "$T/idx" --db "$T/demo.db" --corpus "$T/corpus" --listen 127.0.0.1:0 \
        --threads 2 "${RULES[@]}" >"$T/out" 2>"$T/demo.log" &
    SRV=$!
    wait_served $SRV "$T/out"
    U=http://127.0.0.1:$PORT
}
serve_demo
sleep 0.15
kill -9 "$SRV"
{ wait "$SRV"; } 2>/dev/null
SRV=
serve_demo
for ((k = 0; k < 200 * SLOW; k++)); do
    grep -q 'statistics caught up' "$T/demo.log" && break
    sleep 0.05
done
FROM=$("$PY" -c 'import datetime as d; print((d.datetime.utcnow() + d.timedelta(hours=8)).date() - d.timedelta(days=800))')
as "$TOK" "$U/api/v1/stats/resolution?from=$FROM&to=$TODAY&by=department"
cp "$T/body" "$T/after-kill.json"
check "after kill -9 and a restart the statistics answer" is 200
stop_server
# the same figures from the ticket tables alone
check "… and equal the figures derived again from the tickets (count, one-call, rework, reopen, by lead)" \
    "$PY" - "$T/demo.db" "$T/after-kill.json" <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
got = json.load(open(sys.argv[2]))
n, one, rework, reopen = db.execute(
    "SELECT count(*), sum(first_contact), sum(rework > 0), sum(round > 1) FROM tickets").fetchone()
want = {'tickets': n, 'one_call': one, 'rework': rework, 'reopen': reopen}
have = {'tickets': got['tickets'], 'one_call': got['one_call']['count'],
        'rework': got['rework']['count'], 'reopen': got['reopen']['count']}
by_lead = dict(db.execute("SELECT coalesce(lead, ''), count(*) FROM tickets GROUP BY 1"))
groups = {g['key']: g['tickets'] for g in got['groups']}
ok = want == have and by_lead == groups and n == 8000
if not ok:
    print('  # want', want, 'have', have)
    print('  # leads differ:', {k: (by_lead.get(k), groups.get(k)) for k in set(by_lead) | set(groups) if by_lead.get(k) != groups.get(k)})
sys.exit(0 if ok else 1)
PYEOF
finish
