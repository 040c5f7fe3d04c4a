#!/usr/bin/env bash
# Roles, personal data and the audit log end to end over real sockets
# (docs/SECURITY.md, DESIGN.md "Roles"): the endpoint x role table and the
# action x role table are read from docs/SECURITY.md and every cell is
# walked with a real token of each role; department confinement; masking of
# callers' data in every answer by role; the audit log; token revocation
# from the API and the CLI; strict JSON bodies; the files' modes.
# Needs curl and python3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"

boot
DOC=$("$REXIAN" search --index "$T/idx" --json --limit 1 医保 2>/dev/null |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])' 2>/dev/null)
LEAD=市水务局 # the department user's department, and the lead of its tickets
OTHER=市住房和城乡建设局

mkuser() { # mkuser NAME ROLE [DEPARTMENT]: print a new user's token
    local dep=
    [ -n "${3:-}" ] && dep=",\"department\":\"$3\""
    as "$ADMIN" --data-binary "{\"name\":\"$1\",\"role\":\"$2\"$dep}" "$U/api/v1/admin/users"
    [ "$code" = 201 ] && jv "j['token']"
}
declare -A TOK
TOK[agent]=$(mkuser 话务员甲 agent)
TOK[supervisor]=$(mkuser 值班长甲 supervisor)
TOK[department]=$(mkuser 水务承办 department 水务局) # an alias: stored canonical
TOK[trainer]=$(mkuser 培训师甲 trainer)
TOK[admin]=$ADMIN
OTHER_DEPT=$(mkuser 住建承办 department "$OTHER")
check "admin creates a user of each role, the department one bound to a department" \
    bash -c '[[ $1 == rx_* && $2 == rx_* && $3 == rx_* && $4 == rx_* && $5 == rx_* ]]' _ \
    "${TOK[agent]}" "${TOK[supervisor]}" "${TOK[department]}" "${TOK[trainer]}" "$OTHER_DEPT"
as "$ADMIN" "$U/api/v1/admin/users"
check "the department user is stored with the canonical department ($LEAD)" okj 200 \
    "[u.get('department') for u in j['users'] if u['name']=='水务承办']==['$LEAD']"
as "$ADMIN" --data-binary '{"name":"无部门","role":"department"}' "$U/api/v1/admin/users"
check "a department user without a department is refused (422 department_required)" err 422 department_required
as "$ADMIN" --data-binary '{"name":"乱部门","role":"department","department":"火星局"}' "$U/api/v1/admin/users"
check "a department user with an unknown department is refused (422 unknown_department)" err 422 unknown_department
as "$ADMIN" --data-binary '{"name":"坐席带部门","role":"agent","department":"市水务局"}' "$U/api/v1/admin/users"
check "an agent bound to a department is refused (422 invalid_department)" err 422 invalid_department

# --- fixtures: tickets in each status, led by $LEAD, driven by the admin
new_ticket() { # new_ticket VAR: a received ticket with a caller's data
    as "$ADMIN" --data-binary '{"channel":"phone","caller":"李女士","phone":"13907331234","address":"荷塘区新华西路8号","content":"家里停水两天了，联系电话13907331234，请尽快处理"}' "$U/api/v1/tickets"
    printf -v "$1" '%s' "$(jv "j['id']")"
}
drive_admin() { # drive_admin ID STEP...: take the steps as the admin
    local id=$1 s
    shift
    for s in "$@"; do
        case $s in
        dispatch) as "$ADMIN" --data-binary "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"$LEAD\"}" "$U/api/v1/tickets/$id/actions" ;;
        accept) as "$ADMIN" --data-binary '{"action":"accept"}' "$U/api/v1/tickets/$id/actions" ;;
        reply) as "$ADMIN" --data-binary '{"action":"reply","text":"已修复"}' "$U/api/v1/tickets/$id/actions" ;;
        approve) as "$ADMIN" --data-binary '{"action":"approve"}' "$U/api/v1/tickets/$id/actions" ;;
        esac
        [ "$code" = 200 ] || echo "  # fixture step $s on $id: $code"
    done
}
new_ticket TK
drive_admin "$TK" dispatch
as "$ADMIN" --data-binary "{\"name\":\"被吊销-0\",\"role\":\"agent\"}" "$U/api/v1/admin/users" >/dev/null
as "$ADMIN" -X POST "$U/api/v1/admin/reindex"
JOB=$(jv "j['job']")

# --- the endpoint x role table, every cell
table() { # table HEADING: the rows of that docs/SECURITY.md table: "WORDS LEVEL y|n x5"
    "$PY" - "$ROOT/docs/SECURITY.md" "$1" <<'EOF'
import re, sys
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
start = lines.index(sys.argv[2])
for l in lines[start + 1:]:
    if l.startswith('#'): break
    m = re.match(r'\| `([^`]+)`(?: \((\w+)\)| \([^)]*\))? \| (.*) \|$', l)
    if m:
        cells = [c.strip() for c in m.group(3).split('|')]
        print(m.group(1), m.group(2) or '-', ' '.join('y' if c == '✓' else 'n' for c in cells))
EOF
}
ROUTES=$(table '### Endpoint × role')
NROUTES=$(grep -c ' [yn] [yn] [yn] [yn] [yn]$' <<<"$ROUTES")
# every route of the server's table (src/http/app.c) has its row
UNLISTED=$(ROUTES=$ROUTES "$PY" - "$ROOT/src/http/app.c" <<'EOF'
import os, re, sys
norm = lambda p: re.sub(r'\{id\}|\bID\b|\bNAME\b', 'X', p)
rows = {tuple(l.split()[:2]) for l in os.environ['ROUTES'].split('\n') if l.strip()}
rows = {(m, norm(p)) for m, p in rows}
src = open(sys.argv[1], encoding='utf-8').read()
for m, p in re.findall(r'\{"(GET|POST)", "(/[^"]+)"', src):
    if (m, norm(p)) not in rows:
        print(m, p)
EOF
)
check "docs/SECURITY.md has a row for every route of app.c's table ${UNLISTED:+(missing: $UNLISTED)}" [ -z "$UNLISTED" ]
check "docs/SECURITY.md lists its routes with 5 roles each" [ "$NROUTES" -ge 27 ]
ROLES=(agent supervisor department trainer admin)
cell=0
bad=()
while read -r method path _ y0 y1 y2 y3 y4; do
    allow=($y0 $y1 $y2 $y3 $y4)
    for r in 0 1 2 3 4; do
        role=${ROLES[$r]}
        cell=$((cell + 1))
        p=${path//ID/}
        case "$path" in
        /api/v1/docs/ID) p=/api/v1/docs/$DOC ;;
        /api/v1/tickets/ID) p=/api/v1/tickets/$TK ;;
        /api/v1/tickets/ID/actions) p=/api/v1/tickets/$TK/actions ;;
        /api/v1/tickets/ID/assist) p=/api/v1/tickets/$TK/assist ;;
        /api/v1/admin/reindex/ID) p=/api/v1/admin/reindex/$JOB ;;
        /api/v1/casebooks/ID) p=/api/v1/casebooks/CB000001 ;;
        /api/v1/admin/users/NAME/revoke) p=/api/v1/admin/users/被吊销-$cell/revoke
            as "$ADMIN" --data-binary "{\"name\":\"被吊销-$cell\",\"role\":\"agent\"}" "$U/api/v1/admin/users" >/dev/null ;;
        esac
        args=()
        case "$method $path" in
        "GET /api/v1/search") args=(--get --data-urlencode q=医保) ;;
        "GET /api/v1/search?ticket=ID") p=/api/v1/search args=(--get --data-urlencode q=停水 --data-urlencode ticket=$TK) ;;
        "GET /api/v1/suggest") args=(--get --data-urlencode q=医保) ;;
        "POST /api/v1/tickets") args=(--data-binary '{"channel":"phone","content":"路灯不亮"}') ;;
        "POST /api/v1/tickets/ID/actions") args=(--data-binary '{"action":"extend","deadline_days":1,"reason":"核实中"}') ;;
        "POST /api/v1/admin/users") args=(--data-binary "{\"name\":\"新用户-$cell\",\"role\":\"agent\"}") ;;
        "POST /api/v1/admin/scan" | "POST /api/v1/admin/reindex") args=(-X POST) ;;
        "POST /api/v1/admin/users/NAME/revoke") args=(-X POST) ;;
        "POST /api/v1/admin/learned/forget") args=(--data-binary '{"doc":"no-such-doc"}') ;;
        "GET /api/v1/admin/synonyms") args=(--get --data-urlencode q=医保) ;;
        "POST /api/v1/casebooks") args=(--data-binary "{\"title\":\"权限检查\",\"tickets\":[\"$TK\"]}") ;;
        "GET /api/v1/stats/report") args=(--get --data-urlencode period=2026-05) ;;
        "POST /api/v1/assist") args=(--data-binary '{"content":"路灯不亮","address":"荷塘区"}') ;;
        # an upload that is no Word document (422 for the admin), and a
        # publish whose department is unknown (422): served, nothing written
        "POST /api/v1/admin/imports") p="/api/v1/admin/imports?name=a.docx" args=(--data-binary '%PDF-1.7 not really') ;;
        "POST /api/v1/admin/imports/publish") args=(--data-binary '{"title":"t","department":"火星局","type":"policy","effective":"2025-01-01","body":"x"}') ;;
        "GET /api/v1/stats/policy") args=(--get --data-urlencode "doc=$DOC") ;;
        esac
        # the trainer takes no action; a role that may act but not this
        # action is the action table's business: extend is open to all
        # three acting roles but agent, so the agent cell is checked
        # with an action it may take (callback is refused by status, 409)
        if [ "$role" = agent ] && [ "$path" = /api/v1/tickets/ID/actions ]; then
            args=(--data-binary '{"action":"callback","result":"satisfied","note":"x"}')
        fi
        as "${TOK[$role]}" "${args[@]}" "$U$p"
        if [ "${allow[$r]}" = y ]; then
            [[ $code != 401 && $code != 403 && $code != 5* && $code != 000 ]] || bad+=("$method $path as $role: $code (expected served)")
        else
            [ "$code" = 403 ] && grep -q '"code":"forbidden"' "$T/body" || bad+=("$method $path as $role: $code (expected 403 forbidden)")
        fi
    done
    req -X "$method" "$U$p" # no token
    # public: /healthz, and the console's static files (/ is index.html)
    if [ "$path" = /healthz ] || [ "$path" = / ]; then
        [ "$code" = 200 ] || bad+=("$path without a token: $code")
    else
        [ "$code" = 401 ] || bad+=("$method $path without a token: $code (expected 401)")
    fi
done <<<"$ROUTES"
for b in "${bad[@]}"; do echo "  # $b"; done
check "every cell of the endpoint x role table holds ($cell cells, and 401 without a token)" [ ${#bad[@]} -eq 0 -a $cell -eq $((NROUTES * 5)) ]

# --- the action x role table, every cell, each on a fresh ticket in the right status
ACTIONS=$(table '### Ticket action × role')
check "docs/SECURITY.md lists 14 action rows" [ "$(grep -c ' [yn] [yn] [yn] [yn] [yn]$' <<<"$ACTIONS")" = 14 ]
bad=()
cells=0
while read -r action level y0 y1 y2 y3 y4; do
    allow=($y0 $y1 $y2 $y3 $y4)
    case $action in
    resolve_first_contact) steps=() body="{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"$DOC\"]}" ;;
    dispatch) steps=()
        case $level in
        immediate) body="{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"$LEAD\"}" ;;
        consult) body="{\"action\":\"dispatch\",\"level\":\"consult\",\"lead\":\"$LEAD\",\"co\":[\"$OTHER\"],\"approved_by\":\"王主任\"}" ;;
        leader) body="{\"action\":\"dispatch\",\"level\":\"leader\",\"lead\":\"$LEAD\",\"approved_by\":\"张副市长\"}" ;;
        esac ;;
    return) steps=(dispatch) body='{"action":"return","reason":"不属于本单位职责"}' ;;
    accept) steps=(dispatch) body='{"action":"accept"}' ;;
    reply) steps=(dispatch accept) body='{"action":"reply","text":"已处理"}' ;;
    approve) steps=(dispatch accept reply) body='{"action":"approve"}' ;;
    reject) steps=(dispatch accept reply) body='{"action":"reject","reason":"答复不完整"}' ;;
    extend) steps=(dispatch) body='{"action":"extend","deadline_days":2,"reason":"需要现场勘查"}' ;;
    supervise) steps=(dispatch) body='{"action":"supervise","kind":"hotline","note":"请加快办理"}' ;;
    callback) steps=(dispatch accept reply approve) body='{"action":"callback","result":"satisfied","note":"满意"}' ;;
    refer_discipline) steps=() body='{"action":"refer_discipline","note":"作风问题"}' ;;
    request_approval) steps=() body="{\"action\":\"request_approval\",\"level\":\"consult\",\"lead\":\"$LEAD\",\"co\":[\"$OTHER\"],\"note\":\"需会商\"}" ;;
    esac
    for r in 0 1 2 3 4; do
        role=${ROLES[$r]}
        cells=$((cells + 1))
        new_ticket id
        drive_admin "$id" "${steps[@]}"
        # a department acts on tickets led by $LEAD; before dispatch there
        # is no lead, so a department's refusal there is 404, not 403
        as "${TOK[$role]}" --data-binary "$body" "$U/api/v1/tickets/$id/actions"
        if [ "${allow[$r]}" = y ]; then
            [ "$code" = 200 ] || bad+=("$action ${level#-} as $role: $code $(head -c 200 "$T/body") (expected 200)")
        elif [ "$role" = department ] && [ ${#steps[@]} -eq 0 ]; then
            [ "$code" = 404 ] || bad+=("$action ${level#-} as department on an undispatched ticket: $code (expected 404)")
        else
            [ "$code" = 403 ] || bad+=("$action ${level#-} as $role: $code $(head -c 200 "$T/body") (expected 403)")
        fi
    done
done <<<"$ACTIONS"
for b in "${bad[@]}"; do echo "  # $b"; done
check "every cell of the action x role table holds ($cells cells)" [ ${#bad[@]} -eq 0 -a $cells -eq 70 ]

# --- department confinement
new_ticket MINE
drive_admin "$MINE" dispatch
new_ticket THEIRS
as "$ADMIN" --data-binary "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"$OTHER\"}" "$U/api/v1/tickets/$THEIRS/actions"
as "${TOK[department]}" "$U/api/v1/tickets/$THEIRS"
check "a department reading another department's ticket gets 404 ticket_not_found" err 404 ticket_not_found
cp "$T/body" "$T/theirs.body"
as "${TOK[department]}" "$U/api/v1/tickets/ZZ19990101-999999"
check "… exactly the answer for an id that does not exist (no leak of existence)" \
    bash -c "sed 's/ZZ[0-9-]*//' '$T/theirs.body' | cmp -s - <(sed 's/ZZ[0-9-]*//' '$T/body')"
as "${TOK[department]}" --data-binary '{"action":"accept"}' "$U/api/v1/tickets/$THEIRS/actions"
check "a department accepting another department's ticket gets 404" err 404 ticket_not_found
as "$OTHER_DEPT" --data-binary '{"action":"accept"}' "$U/api/v1/tickets/$THEIRS/actions"
check "the lead department accepts it (200)" okj 200 "j['status']=='accepted'"
as "${TOK[department]}" --get --data-urlencode limit=100 "$U/api/v1/tickets"
check "a department's list holds only tickets its department leads or co-handles" okj 200 \
    "j['tickets'] and all(t['lead']=='$LEAD' or '$LEAD' in t['co'] for t in j['tickets']) and '$THEIRS' not in ids()"
as "${TOK[department]}" --get --data-urlencode "department=$OTHER" "$U/api/v1/tickets"
check "… and asking for another department's tickets gives none" okj 200 "j['total']==0 and j['tickets']==[]"

# --- masking by role
as "${TOK[agent]}" "$U/api/v1/tickets/$MINE"
check "an agent sees the caller's data in full" okj 200 \
    "j['caller']=='李女士' and j['phone']=='13907331234' and j['address']=='荷塘区新华西路8号' and '13907331234' in j['content']"
as "${TOK[department]}" "$U/api/v1/tickets/$MINE"
check "a department sees phone and address, the name masked (李*)" okj 200 \
    "j['caller']=='李*' and j['phone']=='13907331234' and j['address']=='荷塘区新华西路8号'"
as "${TOK[trainer]}" "$U/api/v1/tickets/$MINE"
check "a trainer sees 李*, 139****1234, the district, and no phone in the content or events" okj 200 \
    "j['caller']=='李*' and j['phone']=='139****1234' and j['address']=='荷塘区' and '13907331234' not in json.dumps(j, ensure_ascii=False) and '新华西路' not in json.dumps(j, ensure_ascii=False)"
for role in agent supervisor trainer; do
    as "${TOK[$role]}" --get --data-urlencode limit=100 "$U/api/v1/tickets"
    check "the ticket list is masked for the $role too (no full name, phone or street)" okj 200 \
        "j['tickets'] and '13907331234' not in json.dumps(j, ensure_ascii=False) and '李女士' not in json.dumps(j, ensure_ascii=False) and '新华西路' not in json.dumps(j, ensure_ascii=False)"
done
as "${TOK[trainer]}" --get --data-urlencode q=新华西路 "$U/api/v1/tickets"
check "the case search does not find tickets by the caller's address" okj 200 "j['total']==0"
as "${TOK[trainer]}" --get --data-urlencode q=停水 --data-urlencode "ticket=$MINE" "$U/api/v1/search"
check "a trainer's search tied to a ticket is 403 (it would write a lookup)" err 403 forbidden
as "${TOK[agent]}" --data-binary "{\"action\":\"dispatch\",\"level\":\"leader\",\"lead\":\"$LEAD\",\"approved_by\":\"张副市长\"}" "$U/api/v1/tickets/$TK/actions"
check "an agent's leader-level dispatch is 403 (needs a supervisor)" err 403 forbidden

# --- the audit log
as "$ADMIN" --get --data-urlencode limit=1000 "$U/api/v1/admin/audit"
check "the audit log holds the agent's and the department's unmasked reads, with who and what" okj 200 \
    "any(e['user']=='话务员甲' and e['action']=='read_personal' and e['target']=='$MINE' for e in j['entries']) and any(e['user']=='水务承办' and e['action']=='read_contact' for e in j['entries'])"
check "… not the trainer's masked read, and every admin action (user_add, reindex)" jtrue \
    "not any(e['user']=='培训师甲' for e in j['entries']) and any(e['action']=='user_add' and e['target']=='话务员甲' for e in j['entries']) and any(e['action']=='reindex' for e in j['entries'])"
check "the audit log cannot be changed: UPDATE and DELETE are refused by the database" \
    bash -c "! sqlite3 '$T/db' \"UPDATE audit_log SET user='x'\" 2>/dev/null && ! sqlite3 '$T/db' 'DELETE FROM audit_log' 2>/dev/null && [ \$(sqlite3 '$T/db' 'SELECT count(*) FROM audit_log') -gt 0 ]"

# --- revocation
V1=$(mkuser 将被吊销 agent)
as "$V1" --get --data-urlencode q=医保 "$U/api/v1/search"
check "a fresh token works (and is now cached)" is 200
as "$ADMIN" -X POST "$U/api/v1/admin/users/将被吊销/revoke"
check "the admin revokes it over HTTP (200)" okj 200 "j['revoked'] is True"
as "$V1" --get --data-urlencode q=医保 "$U/api/v1/search"
check "the revoked token is refused at once (401)" err 401 unauthorized
as "$ADMIN" -X POST "$U/api/v1/admin/users/将被吊销/revoke"
check "revoking it again is 404 user_not_found" err 404 user_not_found
V2=$(mkuser 命令行吊销 agent)
as "$V2" --get --data-urlencode q=医保 "$U/api/v1/search"
"$REXIAN" user revoke 命令行吊销 --db "$T/db" 2>"$T/revoke.err"
check "rexian user revoke works while the server runs" [ $? -eq 0 ]
sleep 1.2
as "$V2" --get --data-urlencode q=医保 "$U/api/v1/search"
check "a token revoked from the CLI is refused within a second (401)" err 401 unauthorized
"$REXIAN" user list --db "$T/db" >"$T/users.txt"
check "rexian user list shows the revoked user as revoked" grep -q $'^命令行吊销\tagent\t-\t.*\trevoked$' "$T/users.txt"
check "no token appears in the access log" bash -c "! grep -q 'rx_' '$T/log'"
check "the access log never holds query strings (no caller's words)" bash -c "! grep -q '医保' '$T/log'"

# --- strict JSON bodies: nothing stored when refused
as "$ADMIN" --get --data-urlencode limit=1 "$U/api/v1/tickets"
BEFORE=$(jv "j['total']")
as "${TOK[agent]}" --data-binary '{"channel":"phone","content":"短","content":"第二个值"}' "$U/api/v1/tickets"
check "a duplicate key is 400 invalid_json" err 400 invalid_json
as "${TOK[agent]}" --data-binary '{"channel":"phone","content":"尾随"} {"x":1}' "$U/api/v1/tickets"
check "data after the object is 400 invalid_json" err 400 invalid_json
as "${TOK[agent]}" --data-binary '{"channel":"phone","content":"截断\u0000之后"}' "$U/api/v1/tickets"
check "\\u0000 inside a string is 400 invalid_json" err 400 invalid_json
as "${TOK[agent]}" --data-binary '{"channel":"phone","content":"嵌套","x":{"a":1,"a":2}}' "$U/api/v1/tickets"
check "a duplicate key in a nested object is 400 invalid_json" err 400 invalid_json
as "${TOK[agent]}" --data-binary '{"channel":"phone","content":"转义的反斜杠\\u0000不是 NUL"}' "$U/api/v1/tickets"
check "an escaped backslash before u0000 is text, not NUL (201)" is 201
as "$ADMIN" --get --data-urlencode limit=1 "$U/api/v1/tickets"
check "the refused bodies stored nothing (one ticket more: the accepted one)" jtrue "j['total']==$BEFORE+1"

# --- departments have one source: the served index, refreshed on reindex
printf '市低空经济发展局 低空局 无人机管理局\n' >>"$T/corpus/departments.txt"
new_ticket NEWD
as "${TOK[agent]}" --data-binary '{"action":"dispatch","level":"immediate","lead":"低空局"}' "$U/api/v1/tickets/$NEWD/actions"
check "before the reindex a department only in departments.txt is unknown to the workflow (422)" err 422 unknown_department
as "$ADMIN" --data-binary '{"full":true}' "$U/api/v1/admin/reindex"
job=$(jv "j['job']")
for k in $(seq 1 600); do
    as "$ADMIN" "$U/api/v1/admin/reindex/$job"
    [ "$(jv "j['status']")" = running ] || break
    sleep 0.1
done
check "the admin's reindex finishes" okj 200 "j['status']=='done'"
as "${TOK[agent]}" --data-binary '{"action":"dispatch","level":"immediate","lead":"低空局"}' "$U/api/v1/tickets/$NEWD/actions"
check "after it, without a restart, the workflow dispatches to the new department by its alias" okj 200 \
    "j['lead']=='市低空经济发展局'"
as "${TOK[agent]}" --get --data-urlencode q=无人机 --data-urlencode department=低空局 "$U/api/v1/search"
check "… and search knows it too (no 422): the same list for both" is 200
as "$ADMIN" --get --data-urlencode department=无人机管理局 "$U/api/v1/tickets"
check "… and the ticket list's department filter takes its alias" okj 200 "'$NEWD' in ids()"

# --- files
check "the database and its WAL are not readable by others" \
    bash -c "for f in '$T/db' '$T/db-wal'; do [ ! -e \"\$f\" ] || [ \$((0\$(stat -c %a \"\$f\") & 077)) -eq 0 ] || exit 1; done"

finish
