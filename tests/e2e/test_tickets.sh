#!/usr/bin/env bash
# The ticket workflow (工单闭环) end to end over real sockets, against
# docs/TICKETS.md and DESIGN.md ("The ticket workflow", "HTTP API"): create
# and its validation, every action and every dispatch level through to the
# archive, the errors (400/403/404/409/422), the event log, list filters and
# Chinese full-text search, the callback queue, repeat complaints, races
# between conflicting actions, and the overdue scanner under a shifted clock.
# Needs curl and python3 (for the JSON assertions).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"

# --- index a copy of the shipped corpus and start the server on a free port
boot
DOC=$("$REXIAN" search --index "$T/idx" --json --limit 1 医保 2>/dev/null |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])' 2>/dev/null)
check "the index has a document to cite (rexian search --json 医保: '$DOC')" [ -n "$DOC" ]

user() { # user NAME ROLE: print a new user's token
    as "$ADMIN" --data-binary "{\"name\":\"$1\",\"role\":\"$2\"}" "$U/api/v1/admin/users"
    [ "$code" = 201 ] && jv "j['token']"
}
AG=$(user agent1 agent)
SUP=$(user sup1 supervisor)
TR=$(user trainer1 trainer)
check "admin creates an agent, a supervisor and a trainer over HTTP" \
    bash -c '[[ $1 == rx_* && $2 == rx_* && $3 == rx_* ]]' _ "$AG" "$SUP" "$TR"

# --- request helpers
create() { as "${2:-$AG}" --data-binary "$1" "$U/api/v1/tickets"; } # create JSON [TOKEN]
declare -A DEPT_TOKEN=([-]=-) # department → a department user's token, made on first use
NDEPT=0
dept_token() { # dept_token DEPT: print a department user's token for DEPT
    if [ -z "${DEPT_TOKEN[$1]:-}" ]; then
        as "$ADMIN" --data-binary "{\"name\":\"承办-$((++NDEPT))\",\"role\":\"department\",\"department\":\"$1\"}" \
            "$U/api/v1/admin/users" >/dev/null
        DEPT_TOKEN[$1]=$(jv "j['token']")
    fi
    echo "${DEPT_TOKEN[$1]}"
}
# act ID JSON [TOKEN]: without a token, the role whose action it is takes it
# (DESIGN.md "Roles"): the lead department accepts, replies, returns and
# extends; a supervisor approves, rejects, supervises, refers and dispatches
# above the immediate level; the agent does the rest.
act() {
    local tok=${3:-}
    if [ -z "$tok" ]; then
        local a lead
        a=$("$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(j.get("action",""), j.get("level",""))' "$2" 2>/dev/null)
        case "$a" in
        accept* | reply* | return* | extend*)
            as "$SUP" "$U/api/v1/tickets/$1" >/dev/null
            lead=$(jv "j.get('lead') or ''")
            if [ -n "$lead" ]; then
                dept_token "$lead" >/dev/null # made in this shell: the map keeps it
                tok=${DEPT_TOKEN[$lead]}
            else
                tok=$SUP
            fi
            ;;
        approve* | reject* | supervise* | refer_discipline*) tok=$SUP ;;
        "dispatch consult" | "dispatch leader") tok=$SUP ;;
        *) tok=$AG ;;
        esac
    fi
    as "$tok" --data-binary "$2" "$U/api/v1/tickets/$1/actions"
}
get() { as "${2:-$AG}" "$U/api/v1/tickets/$1"; }                             # get ID [TOKEN]
list() { # list [PARAM=VALUE...]: GET /api/v1/tickets, values URL-encoded
    local a=() p
    for p in "$@"; do a+=(--data-urlencode "$p"); done
    as "$AG" --get "${a[@]}" "$U/api/v1/tickets"
}
mk() { # mk VAR JSON [TOKEN]: create a ticket, its id in VAR (201 required)
    create "$2" "${3:-}"
    if [ "$code" = 201 ]; then
        printf -v "$1" '%s' "$(jv "j['id']")"
    else
        printf -v "$1" '%s' "NOT-CREATED"
        echo "  # create failed: $code $(head -c 200 "$T/body")"
    fi
}
n=0
new() { # new VAR [CONTENT]: a plain phone ticket with unique content
    n=$((n + 1))
    mk "$1" "{\"channel\":\"phone\",\"content\":\"${2:-测试来电第${n}号：小区单元门禁损坏多日无人维修，请相关部门处理}\"}"
}
drive() { # drive ID STEP...: take steps from a dispatch to a callback; each must answer 200
    local id=$1 s
    shift
    for s in "$@"; do
        case $s in
        dispatch) act "$id" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":5}' ;;
        dispatch1) act "$id" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":1}' ;;
        accept) act "$id" '{"action":"accept"}' ;;
        reply) act "$id" '{"action":"reply","text":"经核实已安排维修班组上门，问题已解决。"}' ;;
        approve) act "$id" '{"action":"approve"}' ;;
        first) act "$id" "{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"$DOC\"]}" ;;
        satisfied) act "$id" '{"action":"callback","result":"satisfied","note":"来电人表示满意"}' ;;
        *) echo "  # drive: unknown step $s"; return 2 ;;
        esac
        [ "$code" = 200 ] || { echo "  # step $s on $id answered $code: $(head -c 200 "$T/body")"; return 1; }
    done
}

# --- without a token, every ticket endpoint is 401
for ep in "POST /api/v1/tickets" "GET /api/v1/tickets" "GET /api/v1/tickets/ZZ20260101-000001" \
    "POST /api/v1/tickets/ZZ20260101-000001/actions" "GET /api/v1/callbacks" "POST /api/v1/admin/scan"; do
    req -X "${ep%% *}" -d '{"channel":"phone","content":"x","action":"accept"}' "$U${ep#* }"
    check "$ep without a token is 401 unauthorized" err 401 unauthorized
done

# --- create
create '{"channel":"phone","caller":"李女士","phone":"13907331234","address":"荷塘区月塘街道新塘路18号","category":"排水","content":"小区门口的下水道堵了三天，污水漫到人行道上，气味很大。"}'
if [ "$code" = 404 ] || [ "$code" = 405 ]; then
    echo "# POST /api/v1/tickets answers $code: the server has no ticket API"
    not_ok "POST /api/v1/tickets exists"
    finish
    exit 1
fi
save c1
C1=$(jv "j['id']")
check "create is 201" is 201
check "the id is ZZ + the Shanghai date + - + six digits" jtrue "re.match(r'^ZZ[0-9]{8}-[0-9]{6}\$', j['id']) and j['id'][2:10] in {d.replace('-','') for d in TODAYS}"
check "the first ticket of the day has sequence 000001" jtrue "j['id'].endswith('-000001')"
check "a new ticket is received (已受理)" jtrue "j['status']=='received' and j['status_label']=='已受理'"
check "every documented field is in the answer" jtrue "not missing() or why('missing: %s' % missing())"
check "the create echoes channel, caller, phone, address, category, content" jtrue \
    "(j['channel'],j['caller'],j['phone'],j['address'],j['category'])==('phone','李女士','13907331234','荷塘区月塘街道新塘路18号','排水') and j['content']=='小区门口的下水道堵了三天，污水漫到人行道上，气味很大。'"
check "area is the district the address begins with (荷塘区)" jtrue "j['area']=='荷塘区'"
check "created/updated are +08:00 times of today, created_by the agent" jtrue \
    "rfc(j['created']) and rfc(j['updated']) and j['created'][:10] in TODAYS and j['created_by']=='agent1'"
check "what does not apply yet is null, lists are []" jtrue \
    "[j[k] for k in ('level','lead','approved_by','deadline_days','deadline','supervision','satisfaction','reply')]==[None]*8 and j['co']==[] and j['doc_ids']==[] and j['repeat_of']==[]"
check "the counters start at rework 0, returns 0, round 1, callback_attempts 0, overdue_count 0" jtrue \
    "(j['rework'],j['returns'],j['round'],j['callback_attempts'],j['overdue_count'])==(0,0,1,0,0)"
check "the flags start false (overdue, discipline, first_contact)" jtrue \
    "j['overdue'] is False and j['discipline'] is False and j['first_contact'] is False"
check "version 1, one create event: seq 1, by agent1/agent, to received, +08:00" jtrue \
    "j['version']==1 and len(j['events'])==1 and chain() and j['events'][0]['seq']==1 and j['events'][0]['action']=='create' and j['events'][0]['actor']=='agent1' and j['events'][0]['role']=='agent' and j['events'][0]['to']=='received'"
get "$C1"
check "GET /api/v1/tickets/ID answers the same ticket with its events" jtrue \
    "j==S('c1') or why('differs from the create answer: %s' % summary(S('c1')))"
mk C2 '{"channel":"web","content":"咨询一下攸县城关镇的道路什么时候修好","address":"攸县城关镇建设路"}'
check "a second create gets the next sequence number" jtrue "int('$C2'[-6:])==int('$C1'[-6:])+1"
check "area 攸县 for an address in 攸县" jtrue "j['area']=='攸县'"
mk C3 '{"channel":"app","content":"反映一个问题","address":"新华西路88号"}'
check "area is null for an address that names no district" jtrue "j['area'] is None"
for ch in media leader_day; do
    create "{\"channel\":\"$ch\",\"content\":\"渠道测试：$ch 渠道转来的诉求\"}"
    check "channel $ch is accepted" okj 201 "j['channel']=='$ch' and j['status']=='received'"
done
create '{"channel":"phone","content":"带未知字段的来电","urgency":"high","foo":{"bar":[1,2]}}'
check "unknown fields are ignored (201)" is 201
long_body() { "$PY" -c 'import sys; sys.stdout.buffer.write(("{\"channel\":\"web\",\"content\":\"" + "长" * int(sys.argv[1]) + "\"}").encode())' "$1"; }
long_body 5000 >"$T/c5000"
create @"$T/c5000"
check "content of 5000 Chinese characters (15000 bytes) is accepted" okj 201 "len(j['content'])==5000"
long_body 5001 >"$T/c5001"
create @"$T/c5001"
check "content of 5001 characters is refused (422 invalid_value or 400 invalid_field)" err_any 'invalid_value|invalid_field' '422|400'

# --- create: bad input
create '{"content":"没有渠道"}'
check "create without channel is 400 invalid_field" err 400 invalid_field
create '{"channel":"phone"}'
check "create without content is 400 invalid_field" err 400 invalid_field
create '{"channel":"fax","content":"传真渠道"}'
check "channel fax is 422 invalid_value" err 422 invalid_value
create '{"channel":7,"content":"渠道是数字"}'
check "a numeric channel is 400 invalid_field" err 400 invalid_field
create '{"channel":"phone","content":["数组"]}'
check "an array content is 400 invalid_field" err 400 invalid_field
create '{"channel":"phone","content":""}'
check "an empty content is refused (422 invalid_value or 400 invalid_field)" err_any 'invalid_value|invalid_field' '422|400'
create '{"channel":"phone","content":"电话号码带字母","phone":"139abc"}'
check "a phone with letters is refused (422 invalid_value or 400 invalid_field)" err_any 'invalid_value|invalid_field' '422|400'
create "{\"channel\":\"phone\",\"content\":\"来电人姓名超长\",\"caller\":\"$(printf '张%.0s' {1..65})\"}"
check "a caller of 65 characters is refused" err_any 'invalid_value|invalid_field' '422|400'
create '{"channel":"phone","content":"缺右括号"'
check "invalid JSON is 400 invalid_json" err 400 invalid_json
create 'channel=phone&content=x'
check "a form body is 400 invalid_json" err 400 invalid_json
list limit=100
check "no refused create left a ticket (the list holds 7 tickets)" okj 200 "j['total']==7 and len(j['tickets'])==7"

# --- methods
as "$AG" -X DELETE "$U/api/v1/tickets/$C1"
check "DELETE /api/v1/tickets/ID is 405 method_not_allowed" err 405 method_not_allowed
check "…with Allow: GET" grep -qi '^Allow: GET'$'\r''$' "$T/headers"
as "$AG" "$U/api/v1/tickets/$C1/actions"
check "GET /api/v1/tickets/ID/actions is 405 method_not_allowed" err 405 method_not_allowed
as "$AG" -X PUT "$U/api/v1/tickets"
check "PUT /api/v1/tickets is 405 method_not_allowed" err 405 method_not_allowed
check "answers are application/json; charset=utf-8" grep -qi '^Content-Type: application/json; charset=utf-8' "$T/headers"

# --- unknown tickets and bad action bodies
get ZZ20000101-000001
check "GET an unknown ticket is 404 ticket_not_found" err 404 ticket_not_found
get nonsense
check "GET a malformed ticket id is 404 ticket_not_found" err 404 ticket_not_found
act ZZ20000101-000001 '{"action":"accept"}'
check "an action on an unknown ticket is 404 ticket_not_found" err 404 ticket_not_found
act "$C1" '{"action":"accept"'
check "an action with invalid JSON is 400 invalid_json" err 400 invalid_json
act "$C1" '{"note":"没有动作名"}'
check "an action without \"action\" is 400 invalid_field" err 400 invalid_field
act "$C1" '{"action":"teleport"}'
check "an unknown action is 400 invalid_field" err 400 invalid_field
act "$C1" '{"action":3}'
check "a numeric action is 400 invalid_field" err 400 invalid_field
get "$C1"
check "the refused actions left the ticket alone (version 1)" okj 200 "j['version']==1 and j['status']=='received'"

# --- life cycle, level immediate (即交即办); approve and callback by the supervisor
new L1
act "$L1" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":5}'
check "dispatch immediate is 200: dispatched (已交办), level, lead, co [], deadline_days 5" okj 200 \
    "j['status']=='dispatched' and j['status_label']=='已交办' and j['level']=='immediate' and j['lead']=='市水务局' and j['co']==[] and j['deadline_days']==5 and j['approved_by'] is None"
check "the deadline is 5 working days after today (calendar.txt; today not counted)" jtrue \
    "j['deadline'] in {add_wd(d,5) for d in TODAYS} or why('expected %s' % add_wd(today(),5))"
check "the action answer has the events: dispatch by agent1, received → dispatched" jtrue \
    "chain() and j['version']==2 and last()['action']=='dispatch' and last()['actor']=='agent1' and last()['role']=='agent' and (last()['from'],last()['to'])==('received','dispatched') and last()['payload']['lead']=='市水务局' and last()['payload']['level']=='immediate'"
act "$L1" '{"action":"accept"}'
check "accept: accepted (已签收)" okj 200 "j['status']=='accepted' and j['status_label']=='已签收' and j['deadline_days']==5"
act "$L1" '{"action":"reply","text":"已派人清理排水管道，恢复通畅。"}'
check "reply: replied (已答复), reply holds the text" okj 200 \
    "j['status']=='replied' and j['status_label']=='已答复' and j['reply']=='已派人清理排水管道，恢复通畅。' and last()['payload'].get('text')=='已派人清理排水管道，恢复通畅。'"
act "$L1" '{"action":"approve"}' "$SUP"
check "approve (by a supervisor): closed (已办结), the event names sup1/supervisor" okj 200 \
    "j['status']=='closed' and j['status_label']=='已办结' and last()['actor']=='sup1' and last()['role']=='supervisor'"
act "$L1" '{"action":"callback","result":"satisfied","note":"来电人对处理结果满意"}' "$SUP"
check "callback satisfied: archived (已归档), satisfaction satisfied" okj 200 \
    "j['status']=='archived' and j['status_label']=='已归档' and j['satisfaction']=='satisfied'"
get "$L1"
check "the immediate ticket's events: create, dispatch, accept, reply, approve, callback, in order" okj 200 \
    "chain() and moves()==[('dispatch','received','dispatched'),('accept','dispatched','accepted'),('reply','accepted','replied'),('approve','replied','closed'),('callback','closed','archived')] and j['version']==6"
check "the callback event records result and note" jtrue \
    "last()['payload'].get('result')=='satisfied' and last()['payload'].get('note')=='来电人对处理结果满意'"
new L0
act "$L0" '{"action":"dispatch","level":"immediate","lead":"市水务局"}'
check "dispatch immediate without deadline_days takes the rules' default ($(rule deadline_days_immediate 5))" okj 200 \
    "j['deadline_days']==$(rule deadline_days_immediate 5) and j['deadline'] in {add_wd(d,j['deadline_days']) for d in TODAYS}"

# --- life cycle, level consult (会商交办), department aliases
new L2
act "$L2" '{"action":"dispatch","level":"consult","lead":"住建局","co":["城管局","自规局"],"approved_by":"王副秘书长","deadline_days":10}'
check "dispatch consult with aliases stores canonical names" okj 200 \
    "j['status']=='dispatched' and j['level']=='consult' and j['lead']=='市住房和城乡建设局' and j['co']==['市城市管理和综合执法局','市自然资源和规划局'] and j['approved_by']=='王副秘书长' and j['deadline_days']==10"
check "the deadline is 10 working days later" jtrue "j['deadline'] in {add_wd(d,10) for d in TODAYS} or why('expected %s' % add_wd(today(),10))"
check "the dispatch event's payload is canonical (lead, co, level, approved_by)" jtrue \
    "last()['payload'].get('lead')=='市住房和城乡建设局' and last()['payload'].get('co')==['市城市管理和综合执法局','市自然资源和规划局'] and last()['payload'].get('approved_by')=='王副秘书长'"
drive "$L2" accept reply approve
act "$L2" '{"action":"callback","result":"basically_satisfied","note":"基本满意"}'
check "consult ticket: accept, reply, approve, callback basically_satisfied → archived" okj 200 \
    "j['status']=='archived' and j['satisfaction']=='basically_satisfied' and chain() and [m[0] for m in moves()]==['dispatch','accept','reply','approve','callback']"

# --- life cycle, level leader (领导交办)
new L3
act "$L3" '{"action":"dispatch","level":"leader","lead":"市公安局","approved_by":"张副市长","deadline_days":3}'
check "dispatch leader with approved_by is 200" okj 200 \
    "j['status']=='dispatched' and j['level']=='leader' and j['lead']=='市公安局' and j['co']==[] and j['approved_by']=='张副市长'"
drive "$L3" accept reply approve satisfied
get "$L3"
check "leader ticket goes through to archived, 6 events" okj 200 "j['status']=='archived' and chain() and j['version']==6"
new L4
act "$L4" '{"action":"dispatch","level":"leader","lead":"交警","co":["公安"],"approved_by":"张副市长"}'
check "a leader dispatch may have co-handlers (aliases 交警, 公安 → canonical)" okj 200 \
    "j['lead']=='市公安局交通警察支队' and j['co']==['市公安局']"
check "leader without deadline_days takes the rules' default ($(rule deadline_days_leader 15))" jtrue \
    "j['deadline_days']==$(rule deadline_days_leader 15) and j['deadline'] in {add_wd(d,j['deadline_days']) for d in TODAYS}"

# --- approvals (申请审批交办): an agent asks for a consult or leader dispatch, a supervisor gives it
new P1
act "$P1" '{"action":"dispatch","level":"consult","lead":"住建局","co":["城管局"],"approved_by":"agent1"}' "$AG"
check "an agent's consult dispatch is 403 forbidden, the message pointing to request_approval" err 403 forbidden
check "… (申请审批)" grep -q 'request_approval' "$T/body"
act "$P1" '{"action":"request_approval","level":"consult","lead":"住建局","co":["城管局"],"deadline_days":8,"note":"涉及两个部门"}' "$AG"
check "request_approval by the agent is 200, the status unchanged, the proposal on the ticket (canonical, by, at)" okj 200 \
    "j['status']=='received' and j['lead'] is None and j['proposal']['level']=='consult' and j['proposal']['lead']=='市住房和城乡建设局' and j['proposal']['co']==['市城市管理和综合执法局'] and j['proposal']['deadline_days']==8 and j['proposal']['note']=='涉及两个部门' and j['proposal']['by']=='agent1' and rfc(j['proposal']['at'])"
check "… an event of the log: request_approval by agent1/agent, received → received, its payload" jtrue \
    "chain() and last()['action']=='request_approval' and last()['role']=='agent' and (last()['from'],last()['to'])==('received','received') and last()['payload'].get('level')=='consult' and last()['payload'].get('note')=='涉及两个部门'"
as "$SUP" --get --data-urlencode approval=1 "$U/api/v1/tickets"
check "GET /api/v1/tickets?approval=1 lists it with its proposal" okj 200 \
    "'$P1' in ids() and [t['proposal']['level'] for t in j['tickets'] if t['id']=='$P1']==['consult']"
check "… and only tickets with a proposal" jtrue "all(t['proposal'] and t['status'] in ('received','reopened') for t in j['tickets'])"
as "$SUP" --get --data-urlencode approval=perhaps "$U/api/v1/tickets"
check "approval=perhaps is 400 invalid_parameter" err 400 invalid_parameter
act "$P1" '{"action":"request_approval","level":"immediate","lead":"住建局"}' "$AG"
check "request_approval at the immediate level is 422 invalid_value" err 422 invalid_value
act "$P1" '{"action":"request_approval","level":"consult","lead":"住建局"}' "$AG"
check "request_approval for a consult without co-handlers is 422 invalid_value" err 422 invalid_value
act "$P1" '{"action":"request_approval","level":"leader","lead":"月球办"}' "$AG"
check "request_approval with an unknown lead is 422 unknown_department" err 422 unknown_department
act "$P1" '{"action":"request_approval","level":"leader","lead":"住建局"}' "$TR"
check "a trainer's request_approval is 403" err 403 forbidden
act "$P1" '{"action":"dispatch","level":"consult","lead":"市住房和城乡建设局","co":["市城市管理和综合执法局"],"deadline_days":8,"approved_by":"sup1"}' "$SUP"
check "the supervisor dispatches it as proposed: consult, approved_by sup1, 8 working days, the proposal cleared" okj 200 \
    "j['status']=='dispatched' and j['level']=='consult' and j['approved_by']=='sup1' and j['deadline_days']==8 and j['proposal'] is None and last()['actor']=='sup1'"
as "$SUP" --get --data-urlencode approval=1 "$U/api/v1/tickets"
check "… and it has left the approval list" okj 200 "'$P1' not in ids()"
act "$P1" '{"action":"request_approval","level":"leader","lead":"住建局"}' "$AG"
check "request_approval on a dispatched ticket is 409 illegal_transition" err 409 illegal_transition
new P2
act "$P2" '{"action":"request_approval","level":"leader","lead":"市公安局","note":"需领导协调"}' "$AG"
check "a leader-level request: the rules' default deadline ($(rule deadline_days_leader 15)) in the proposal" okj 200 \
    "j['proposal']['level']=='leader' and j['proposal']['deadline_days']==$(rule deadline_days_leader 15)"
act "$P2" '{"action":"dispatch","level":"immediate","lead":"市公安局"}' "$SUP"
check "the supervisor may send it on at the immediate level instead: dispatched, the proposal cleared" okj 200 \
    "j['status']=='dispatched' and j['level']=='immediate' and j['proposal'] is None"
as "$SUP" "$U/api/v1/stats/resolution"
check "the statistics read a log holding request_approval events (200)" is 200

# --- dispatch rules and validation (all on one received ticket, which stays untouched)
new V
act "$V" '{"action":"dispatch","level":"consult","lead":"市水务局","co":[],"approved_by":"王副秘书长"}'
check "consult with no co-handler is 422 invalid_value" err 422 invalid_value
act "$V" '{"action":"dispatch","level":"consult","lead":"市水务局","approved_by":"王副秘书长"}'
check "consult without co at all is refused (400 invalid_field or 422 invalid_value)" err_any 'invalid_field|invalid_value' '400|422'
act "$V" '{"action":"dispatch","level":"consult","lead":"市水务局","co":["市供水公司"]}'
check "consult without approved_by is 400 invalid_field" err 400 invalid_field
act "$V" '{"action":"dispatch","level":"leader","lead":"市水务局"}'
check "leader without approved_by is 400 invalid_field" err 400 invalid_field
act "$V" '{"action":"dispatch","level":"immediate","lead":"市水务局","co":["市供水公司"]}'
check "immediate with a co-handler is 422 invalid_value" err 422 invalid_value
act "$V" '{"action":"dispatch","level":"immediate","lead":"市火星事务局"}'
check "an unknown lead is 422 unknown_department" err 422 unknown_department
act "$V" '{"action":"dispatch","level":"consult","lead":"市水务局","co":["市供水公司","月球办"],"approved_by":"王副秘书长"}'
check "an unknown co-handler is 422 unknown_department" err 422 unknown_department
act "$V" '{"action":"dispatch","level":"urgent","lead":"市水务局"}'
check "level urgent is 422 invalid_value" err 422 invalid_value
act "$V" '{"action":"dispatch","lead":"市水务局"}'
check "dispatch without level is 400 invalid_field" err 400 invalid_field
act "$V" '{"action":"dispatch","level":"immediate"}'
check "dispatch without lead is 400 invalid_field" err 400 invalid_field
for dd in 0 366 -1; do
    act "$V" "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"市水务局\",\"deadline_days\":$dd}"
    check "deadline_days $dd is 422 invalid_value" err 422 invalid_value
done
act "$V" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":"5"}'
check "deadline_days as a string is 400 invalid_field" err 400 invalid_field
act "$V" '{"action":"dispatch","level":"immediate","lead":"市水务局","co":"市供水公司"}'
check "co as a string, not a list, is refused (400 invalid_field)" err 400 invalid_field
get "$V"
check "none of the refused dispatches changed the ticket" okj 200 "j['status']=='received' and j['version']==1 and j['level'] is None"
act "$V" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":365}'
check "deadline_days 365 is accepted" okj 200 "j['deadline_days']==365 and j['deadline'] in {add_wd(d,365) for d in TODAYS}"

# --- return (退单), then dispatch again
new R
act "$R" '{"action":"dispatch","level":"consult","lead":"住建局","co":["城管局"],"approved_by":"王副秘书长","deadline_days":10}'
act "$R" '{"action":"return"}'
check "return without a reason is 400 invalid_field" err 400 invalid_field
act "$R" '{"action":"return","reason":"该路段属于高速公路管理处管辖，不属本单位职责"}'
check "return: back to received, returns 1" okj 200 "j['status']=='received' and j['returns']==1"
check "return clears level, lead, co-handlers and deadline" jtrue \
    "j['level'] is None and j['lead'] is None and j['co']==[] and j['deadline'] is None"
check "the return event: dispatched → received with the reason" jtrue \
    "chain() and (last()['action'],last()['from'],last()['to'])==('return','dispatched','received') and last()['payload'].get('reason')=='该路段属于高速公路管理处管辖，不属本单位职责'"
act "$R" '{"action":"dispatch","level":"immediate","lead":"市交通运输局","deadline_days":5}'
check "the returned ticket is dispatched again to another department" okj 200 \
    "j['status']=='dispatched' and j['lead']=='市交通运输局' and j['returns']==1 and j['co']==[] and j['level']=='immediate'"
act "$R" '{"action":"return","reason":"仍不属于本单位"}'
check "a second return counts returns 2" okj 200 "j['returns']==2 and j['status']=='received'"

# --- reject (驳回重办): same lead, a new deadline, rework counted
new RJ
act "$RJ" '{"action":"dispatch","level":"immediate","lead":"医保局","deadline_days":10}'
drive "$RJ" accept reply
act "$RJ" '{"action":"reject"}'
check "reject without a reason is 400 invalid_field" err 400 invalid_field
act "$RJ" '{"action":"reject","reason":"答复未说明报销比例，请补充","deadline_days":3}'
check "reject: dispatched, rework 1, same lead (市医疗保障局)" okj 200 \
    "j['status']=='dispatched' and j['rework']==1 and j['lead']=='市医疗保障局' and j['level']=='immediate'"
check "reject: a new deadline, 3 working days from today" jtrue \
    "j['deadline'] in {add_wd(d,3) for d in TODAYS} or why('expected %s' % add_wd(today(),3))"
check "the reject event: replied → dispatched with the reason" jtrue \
    "chain() and (last()['action'],last()['from'],last()['to'])==('reject','replied','dispatched') and last()['payload'].get('reason')=='答复未说明报销比例，请补充'"
drive "$RJ" accept reply approve
check "the reworked ticket goes on to closed" okj 200 "j['status']=='closed' and j['rework']==1"

# --- extend (延期)
new X
act "$X" '{"action":"extend","deadline_days":2,"reason":"需要现场勘查"}'
check "extend on received is 409 illegal_transition" err 409 illegal_transition
drive "$X" dispatch
D0=$(jv "j['deadline']")
act "$X" '{"action":"extend","deadline_days":2,"reason":"需要现场勘查"}'
check "extend on dispatched moves the deadline 2 working days later, status unchanged" okj 200 \
    "j['status']=='dispatched' and j['deadline']==add_wd('$D0',2)"
check "the extend event: dispatched → dispatched, reason and days in the payload" jtrue \
    "chain() and (last()['action'],last()['from'],last()['to'])==('extend','dispatched','dispatched') and last()['payload'].get('reason')=='需要现场勘查' and last()['payload'].get('deadline_days')==2"
drive "$X" accept
act "$X" '{"action":"extend","deadline_days":1,"reason":"等待材料"}'
check "extend on accepted works too" okj 200 "j['status']=='accepted' and j['deadline']==add_wd(add_wd('$D0',2),1)"
act "$X" '{"action":"extend","deadline_days":0,"reason":"零天"}'
check "extend by 0 days is 422 invalid_value" err 422 invalid_value
act "$X" '{"action":"extend","deadline_days":366,"reason":"太久"}'
check "extend by 366 days is 422 invalid_value" err 422 invalid_value
act "$X" '{"action":"extend","reason":"没有天数"}'
check "extend without deadline_days is 400 invalid_field" err 400 invalid_field
drive "$X" reply
act "$X" '{"action":"extend","deadline_days":2,"reason":"已答复还延期"}'
check "extend on replied is 409 illegal_transition" err 409 illegal_transition

# --- callback unsatisfied → reopened (二次办理), round 2, dispatched again
new UN
drive "$UN" dispatch accept reply approve
act "$UN" '{"action":"callback","result":"unsatisfied","note":"问题没有解决"}'
check "callback unsatisfied: reopened (二次办理), round 2" okj 200 \
    "j['status']=='reopened' and j['status_label']=='二次办理' and j['round']==2 and j['satisfaction'] in (None,'unsatisfied')"
act "$UN" '{"action":"accept"}'
check "accept on reopened is 409 illegal_transition" err 409 illegal_transition
act "$UN" '{"action":"callback","result":"satisfied","note":"x"}'
check "callback on reopened is 409 illegal_transition" err 409 illegal_transition
act "$UN" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":5}'
check "the reopened ticket is dispatched again (reopened → dispatched)" okj 200 \
    "j['status']=='dispatched' and j['round']==2 and (last()['from'],last()['to'])==('reopened','dispatched') and chain()"
drive "$UN" accept reply approve satisfied
check "the second round ends archived with round still 2" okj 200 "j['status']=='archived' and j['round']==2"

# --- callback unreachable three times → archived
new UR
drive "$UR" first
for k in 1 2; do
    act "$UR" '{"action":"callback","result":"unreachable","note":"无人接听"}'
    check "unreachable callback $k: still closed, callback_attempts $k" okj 200 \
        "j['status']=='closed' and j['callback_attempts']==$k and (last()['from'],last()['to'])==('closed','closed')"
done
act "$UR" '{"action":"callback","result":"unreachable","note":"第三次无人接听"}'
check "the third unreachable callback archives the ticket, callback_attempts 3" okj 200 \
    "j['status']=='archived' and j['callback_attempts']==3 and chain()"
act "$UR" '{"action":"callback","result":"satisfied","note":"已归档还回访"}'
check "a callback on an archived ticket is 409 illegal_transition" err 409 illegal_transition
new CBV
drive "$CBV" first
act "$CBV" '{"action":"callback","result":"happy","note":"x"}'
check "callback result happy is 422 invalid_value" err 422 invalid_value
act "$CBV" '{"action":"callback","note":"x"}'
check "callback without result is 400 invalid_field" err 400 invalid_field

# --- supervise (督办): hotline < joint < media < leader, never down
new SV
drive "$SV" dispatch1
act "$SV" '{"action":"supervise","kind":"hotline","note":"逾期风险，热线督办"}'
check "supervise hotline: supervision hotline, status unchanged" okj 200 \
    "j['supervision']=='hotline' and j['status']=='dispatched' and (last()['action'],last()['from'],last()['to'])==('supervise','dispatched','dispatched') and last()['payload'].get('kind')=='hotline'"
act "$SV" '{"action":"supervise","kind":"joint","note":"多部门协同督办"}'
check "supervise joint after hotline: supervision joint" okj 200 "j['supervision']=='joint'"
V_SV=$(jv "j['version']")
act "$SV" '{"action":"supervise","kind":"hotline","note":"降级"}'
check "supervise hotline after joint is 409 supervision_downgrade" err 409 supervision_downgrade
act "$SV" '{"action":"supervise","kind":"joint","note":"再次督办"}'
check "the same kind again adds a further supervision event" okj 200 \
    "j['supervision']=='joint' and j['version']==$V_SV+1 and len(evs('supervise'))==3"
act "$SV" '{"action":"supervise","kind":"mayor","note":"x"}'
check "supervise kind mayor is 422 invalid_value" err 422 invalid_value
act "$SV" '{"action":"supervise","note":"没有类型"}'
check "supervise without kind is 400 invalid_field" err 400 invalid_field
new SV2
act "$SV2" '{"action":"supervise","kind":"leader","note":"市领导批示"}'
check "supervise leader on a received ticket is 200" okj 200 "j['supervision']=='leader' and j['status']=='received'"
for kind in hotline joint media; do
    act "$SV2" "{\"action\":\"supervise\",\"kind\":\"$kind\",\"note\":\"x\"}"
    check "supervise $kind under leader is 409 supervision_downgrade" err 409 supervision_downgrade
done
act "$L1" '{"action":"supervise","kind":"hotline","note":"已归档"}'
check "supervise on an archived ticket is 409" err 409 illegal_transition
act "$RJ" '{"action":"supervise","kind":"hotline","note":"已办结"}'
check "supervise on a closed ticket is 409" err 409 illegal_transition

# --- refer_discipline (纪委监委): any status, once
act "$L1" '{"action":"refer_discipline","note":"推诿扯皮，移交纪委监委"}'
check "refer_discipline on an archived ticket: discipline true, still archived" okj 200 \
    "j['discipline'] is True and j['status']=='archived' and (last()['action'],last()['from'],last()['to'])==('refer_discipline','archived','archived')"
act "$L1" '{"action":"refer_discipline","note":"再次移交"}'
check "a second referral is 409 already_referred" err 409 already_referred
act "$C2" '{"action":"refer_discipline","note":"受理阶段移交"}'
check "refer_discipline on a received ticket is 200" okj 200 "j['discipline'] is True and j['status']=='received'"

# --- illegal moves: 409 illegal_transition with a Chinese message naming status and action
new IL
act "$IL" '{"action":"approve"}' "$ADMIN" # admin may take every action: the table refuses
check "approve on received is 409 illegal_transition" err 409 illegal_transition
check "the message names the status 已受理 and the action 审核通过" jtrue \
    "'已受理' in j['error']['message'] and '审核通过' in j['error']['message']"
act "$IL" '{"action":"accept"}' "$ADMIN"
check "accept on received is 409 illegal_transition naming 已受理" okj 409 \
    "ecode()=='illegal_transition' and '已受理' in j['error']['message']"
for a in '{"action":"reply","text":"x"}' '{"action":"return","reason":"x"}' \
    '{"action":"reject","reason":"x"}' '{"action":"callback","result":"satisfied","note":"x"}'; do
    act "$IL" "$a" "$ADMIN"
    check "$a on received is 409 illegal_transition" err 409 illegal_transition
done
drive "$IL" dispatch
for a in '{"action":"approve"}' '{"action":"reply","text":"x"}' "{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"$DOC\"]}" \
    '{"action":"dispatch","level":"immediate","lead":"市水务局"}' '{"action":"callback","result":"satisfied","note":"x"}'; do
    act "$IL" "$a" "$ADMIN"
    check "${a:10:30}… on dispatched is 409 illegal_transition naming 已交办" okj 409 \
        "ecode()=='illegal_transition' and '已交办' in j['error']['message']"
done
drive "$IL" accept
act "$IL" '{"action":"return","reason":"签收后退单"}' "$ADMIN"
check "return on accepted is 409 illegal_transition" err 409 illegal_transition
drive "$IL" reply approve
for a in '{"action":"approve"}' '{"action":"dispatch","level":"immediate","lead":"市水务局"}' \
    '{"action":"reject","reason":"x"}' '{"action":"accept"}'; do
    act "$IL" "$a" "$ADMIN"
    check "${a:10:30}… on closed is 409 illegal_transition naming 已办结" okj 409 \
        "ecode()=='illegal_transition' and '已办结' in j['error']['message']"
done
get "$IL"
check "the refused moves added no events" okj 200 "chain() and j['version']==5 and j['status']=='closed'"

# --- optimistic locking
new SL
drive "$SL" dispatch
act "$SL" '{"action":"accept","version":1}'
check "an action with a stale version is 409 stale_version" err 409 stale_version
act "$SL" '{"action":"accept","version":2}'
check "an action with the current version is 200" okj 200 "j['status']=='accepted' and j['version']==3"
act "$SL" '{"action":"reply","text":"x","version":2}'
check "the old version is stale now" err 409 stale_version
act "$SL" '{"action":"reply","text":"x","version":"3"}'
check "a version that is not a number is 400 invalid_field" err 400 invalid_field

# --- resolve_first_contact (一次办结)
new FC
act "$FC" '{"action":"resolve_first_contact","doc_ids":["no-such-doc-xyz"]}'
check "resolve_first_contact with a bogus doc id is 422 unknown_document" err 422 unknown_document
act "$FC" "{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"$DOC\",\"no-such-doc-xyz\"]}"
check "one bogus id among real ones is 422 unknown_document" err 422 unknown_document
act "$FC" "{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"$DOC\"]}"
check "resolve_first_contact with $DOC: closed, first_contact true, doc_ids kept" okj 200 \
    "j['status']=='closed' and j['first_contact'] is True and j['doc_ids']==['$DOC'] and (last()['from'],last()['to'])==('received','closed') and last()['payload'].get('doc_ids')==['$DOC']"
drive "$FC" satisfied
check "a first-contact ticket is archived by its callback" okj 200 "j['status']=='archived' and j['first_contact'] is True"

# --- roles: a trainer reads only
create '{"channel":"phone","content":"培训员建单"}' "$TR"
check "trainer creating a ticket is 403 forbidden" err 403 forbidden
new TRT
act "$TRT" '{"action":"dispatch","level":"immediate","lead":"市水务局"}' "$TR"
check "trainer dispatching is 403 forbidden" err 403 forbidden
act "$TRT" '{"action":"refer_discipline","note":"x"}' "$TR"
check "trainer refer_discipline is 403 forbidden" err 403 forbidden
get "$TRT" "$TR"
check "trainer GET /api/v1/tickets/ID is 200, unchanged" okj 200 "j['id']=='$TRT' and j['version']==1"
as "$TR" "$U/api/v1/tickets"
check "trainer GET /api/v1/tickets is 200" okj 200 "j['total']>0"
as "$AG" -X POST "$U/api/v1/admin/scan"
check "an agent running the scanner is 403 forbidden" err 403 forbidden
as "$TR" -X POST "$U/api/v1/admin/scan"
check "a trainer running the scanner is 403 forbidden" err 403 forbidden
create '{"channel":"phone","content":"管理员建单"}' "$ADMIN"
check "admin may create tickets; created_by admin" okj 201 "j['created_by']=='admin' and j['events'][0]['role']=='admin'"
ADM_T=$(jv "j['id']")
act "$ADM_T" '{"action":"dispatch","level":"immediate","lead":"市水务局"}' "$SUP"
check "a supervisor may dispatch" okj 200 "last()['actor']=='sup1' and last()['role']=='supervisor'"

# --- repeat complaints (重复投诉)
RP='{"channel":"phone","phone":"139-0733-5678","content":"石峰区田心街道东门小区三栋楼下的垃圾站一直没人清运，夏天臭气熏天，蚊蝇很多，请尽快处理"}'
mk RP1 "$RP"
check "the first complaint from a number has no repeats" jtrue "j['repeat_of']==[]"
mk RP2 '{"channel":"web","phone":"13907335678","content":"石峰区田心街道东门小区三栋楼下的垃圾站一直没有人清运，臭气熏天，蚊蝇很多，请尽快处理"}'
check "a similar complaint from the same number (digits only) links the first" jtrue "j['repeat_of']==['$RP1']"
check "the create event's payload records the repeat" jtrue "'$RP1' in json.dumps(j['events'][0]['payload'])"
mk RP3 '{"channel":"phone","phone":"13907335678","content":"咨询孩子明年秋季上小学需要准备哪些入学材料，户口和房产不在同一个区怎么办"}'
check "a different complaint from the same number is not linked" jtrue "j['repeat_of']==[]"
mk RP4 '{"channel":"phone","phone":"13907335678","content":"石峰区田心街道东门小区三栋楼下垃圾站一直没人清运，臭气熏天，蚊蝇很多，请尽快处理！"}'
check "a third similar complaint lists both earlier ones, newest first" jtrue "j['repeat_of']==['$RP2','$RP1']"
mk RP5 '{"channel":"phone","phone":"13800001111","content":"石峰区田心街道东门小区三栋楼下的垃圾站一直没人清运，夏天臭气熏天，蚊蝇很多，请尽快处理"}'
check "the same text from another number and no address is not linked" jtrue "j['repeat_of']==[]"
mk RA1 '{"channel":"phone","phone":"13811112222","address":"芦淞区建设南路66号","content":"芦淞区建设南路66号门前的窨井盖破损塌陷，晚上行人很容易踩空，十分危险"}'
mk RA2 '{"channel":"phone","phone":"13833334444","address":"芦淞区建设南路66号","content":"芦淞区建设南路66号门前窨井盖破损塌陷了，晚上行人很容易踩空，十分危险"}'
check "a similar complaint at the same address from another number is linked" jtrue "j['repeat_of']==['$RA1']"

# --- the list: filters, order, full-text search
mk Q5 '{"channel":"web","content":"网页表单里输入<b>加粗</b>和<script>alert(1)</script>的投诉内容"}'
check "content with markup is stored as given" jtrue "j['content']=='网页表单里输入<b>加粗</b>和<script>alert(1)</script>的投诉内容'"
mk Q1 '{"channel":"phone","address":"天元区黄河北路","category":"医疗保障","content":"我父亲在外地住院，异地就医的医保怎么报销？医保备案要提前办吗？医保卡在外地能直接刷吗？"}'
mk Q4 '{"channel":"web","content":"单位一直没有给我缴纳社保，我想了解劳动合同、工伤认定、养老保险转移、失业金申领、医保断缴后怎么补缴、生育津贴怎么领这些问题，请人社部门给个答复"}'
mk Q2 '{"channel":"phone","category":"住房公积金","content":"想咨询公积金提取需要哪些材料，租房提取公积金每个月能取多少"}'
mk Q3 '{"channel":"app","content":"小区路灯坏了一个多月没人修，晚上出行很不安全"}'
drive "$Q3" dispatch accept
act "$Q3" '{"action":"reply","text":"已安排维修人员更换路灯灯泡并检修线路"}'
list q=医保
check "q=医保 finds the 医保 ticket first (best match first)" okj 200 "ids()[:1]==['$Q1'] and '$Q4' in ids()"
check "q=医保 does not find the 公积金 and 路灯 tickets" jtrue "'$Q2' not in ids() and '$Q3' not in ids()"
check "each hit carries a snippet with <mark>, and lists carry no events" jtrue \
    "j['tickets'] and all('<mark>' in t.get('snippet','') for t in j['tickets']) and all('events' not in t for t in j['tickets'])"
check "the snippets mark only what matched: every <mark> span is 医保" jtrue \
    "all(m=='医保' for t in j['tickets'] for m in re.findall(r'<mark>(.*?)</mark>', t.get('snippet','')))"
check "the snippet repeats no text: no bigram occurs in it more often than in the ticket" jtrue \
    "not overrep(j['tickets'][0]) or why('over-represented in the snippet: %s' % overrep(j['tickets'][0]))"
check "a list item carries every documented field" jtrue "all(not missing(t) for t in j['tickets']) or why('missing: %s' % missing(j['tickets'][0]))"
list q=公积金提取
check "q=公积金提取 finds the 公积金 ticket, not the 医保 one" okj 200 "'$Q2' in ids() and '$Q1' not in ids()"
list "q=提取 公积金"
check "q='提取 公积金' (two words, reversed) finds the 公积金 ticket" okj 200 "'$Q2' in ids()"
list "q=公积金 医保"
check "q='公积金 医保': all words must match, so neither ticket" okj 200 "'$Q2' not in ids() and '$Q1' not in ids()"
list q=加粗
check "q=加粗 finds the ticket with markup in its content" okj 200 "ids()==['$Q5']"
check "its snippet escapes the markup: no < or > outside <mark>…</mark>" jtrue \
    "not re.search(r'[<>]', re.sub(r'</?mark>', '', j['tickets'][0]['snippet'])) and '&lt;' in j['tickets'][0]['snippet']"
list q=灯泡
check "q searches the replies (灯泡 is only in Q3's reply)" okj 200 "ids()==['$Q3']"
list q=高速公路管理处
check "q searches the reasons (a return reason)" okj 200 "ids()==['$R']"
list q=黄河北路
check "q does not search the address (a case search must not find where a caller lives)" okj 200 "'$Q1' not in ids()"
list q=住房公积金
check "q searches the category" okj 200 "'$Q2' in ids()"
list q=无人接听
check "q searches callback notes" okj 200 "ids()==['$UR']"
list q=推诿扯皮
check "q searches referral notes" okj 200 "ids()==['$L1']"
list q=现场勘查
check "q searches extend reasons" okj 200 "ids()==['$X']"
list q=协同督办
check "q searches supervision notes" okj 200 "ids()==['$SV']"
list q=没有这种词语的工单内容
check "a q that matches nothing is 200 with total 0" okj 200 "j['total']==0 and j['tickets']==[]"
list limit=1
check "without q the newest ticket (Q3) comes first" okj 200 "ids()==['$Q3']"
list limit=100
check "the list is newest first (created non-increasing)" okj 200 \
    "[t['created'] for t in j['tickets']]==sorted([t['created'] for t in j['tickets']],reverse=True) and ids()[0]=='$Q3'"
ALL=$(jv "j['total']")
list
check "without limit the list holds 20 tickets (of $ALL)" okj 200 "len(j['tickets'])==20 and j['total']==$ALL"
list offset=10000
check "an offset past the end is an empty page with the full total" okj 200 "j['tickets']==[] and j['total']==$ALL"
list limit=2 offset=1
check "limit=2 offset=1: two tickets, the total of all" okj 200 "len(j['tickets'])==2 and j['total']==$ALL"
list status=archived limit=100
check "status=archived lists only archived tickets, among them L1 and L2" okj 200 \
    "j['tickets'] and all(t['status']=='archived' for t in j['tickets']) and '$L1' in ids() and '$L2' in ids() and '$C1' not in ids()"
list status=closed,replied limit=100
check "status=closed,replied lists both kinds and nothing else" okj 200 \
    "{t['status'] for t in j['tickets']}=={'closed','replied'} and '$RJ' in ids() and '$X' in ids()"
list department=住建局 limit=100
check "department=住建局 (alias) matches the lead (L2) and only tickets with that department" okj 200 \
    "'$L2' in ids() and all(t['lead']=='市住房和城乡建设局' or '市住房和城乡建设局' in t['co'] for t in j['tickets']) and '$L1' not in ids()"
list department=市城市管理和综合执法局 limit=100
check "department matches a co-handler (L2's 市城市管理和综合执法局)" okj 200 "'$L2' in ids()"
list department=公积金中心
check "department with no tickets is 200 with total 0" okj 200 "j['total']==0"
TD=$(jv "today()")
list "from=$TD" "to=$TD" limit=100
check "from=to=today includes today's tickets" okj 200 "'$Q1' in ids() and '$C1' in ids()"
list "to=$(jv "days(today(),-1)")"
check "to=yesterday lists nothing" okj 200 "j['total']==0"
list "from=$(jv "days(today(),1)")"
check "from=tomorrow lists nothing" okj 200 "j['total']==0"
list status=dispatched "q=社保 劳动"
check "q and status combine" okj 200 "j['total']==0"
list channel=app limit=100
check "channel=app lists only app tickets" okj 200 "'$Q3' in ids() and all(t['channel']=='app' for t in j['tickets'])"
list category=医疗保障
check "category=医疗保障 lists the one ticket with it" okj 200 "ids()==['$Q1']"
list supervision=joint limit=100
check "supervision=joint lists the joint-supervised ticket" okj 200 "'$SV' in ids() and all(t['supervision']=='joint' for t in j['tickets'])"
for bad in limit=0 limit=101 offset=-1 offset=10001 from=2026-13-01 status=lost overdue=2; do
    list "$bad"
    check "list $bad is refused with a 400 or 422 JSON error" err_any 'invalid_parameter|invalid_value|invalid_field' '400|422'
done

# --- the callback queue: closed tickets, longest waiting first
new CB1
drive "$CB1" first
sleep 1.1
new CB2
drive "$CB2" dispatch accept reply approve
as "$AG" "$U/api/v1/callbacks"
check "GET /api/v1/callbacks lists closed tickets only" okj 200 \
    "j['tickets'] and all(t['status']=='closed' for t in j['tickets']) and j['total']==len(j['tickets'])"
check "the callback queue holds CB1, CB2, RJ, IL and not archived or open tickets" jtrue \
    "{'$CB1','$CB2','$RJ','$IL'} <= set(ids()) and '$L1' not in ids() and '$X' not in ids() and '$C1' not in ids()"
check "longest waiting first: CB1 (closed earlier) before CB2" jtrue "ids().index('$CB1') < ids().index('$CB2')"
drive "$CB1" satisfied
as "$AG" "$U/api/v1/callbacks"
check "an archived ticket leaves the callback queue" okj 200 "'$CB1' not in ids() and '$CB2' in ids()"
as "$TR" "$U/api/v1/callbacks"
check "a trainer may read the callback queue" is 200

# --- concurrency: simultaneous creates get distinct ids
for k in $(seq 1 20); do
    curl -s -o "$T/cc.$k" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $AG" \
        -H 'Content-Type: application/json' \
        --data-binary "{\"channel\":\"web\",\"content\":\"并发建单第${k}号：楼道照明损坏\"}" "$U/api/v1/tickets" >"$T/cc.$k.code" &
    PIDS+=($!)
done
wait "${PIDS[@]}" # not a bare wait: the server is a child too
PIDS=()
conc_ok() {
    "$PY" - "$T" <<'EOF'
import json, re, sys
T = sys.argv[1]
codes = [open('%s/cc.%d.code' % (T, k)).read() for k in range(1, 21)]
bad = [c for c in codes if c != '201']
ids = []
for k in range(1, 21):
    try: ids.append(json.load(open('%s/cc.%d' % (T, k)))['id'])
    except Exception: pass
if bad or len(set(ids)) != 20 or not all(re.match(r'^ZZ\d{8}-\d{6}$', i) for i in ids):
    print('  # codes %s, %d distinct ids of %d' % (sorted(set(codes)), len(set(ids)), len(ids)))
    sys.exit(1)
EOF
}
check "20 simultaneous creates are all 201 with 20 distinct ids" conc_ok

# --- races: two conflicting actions at once; exactly one wins
RACE=()
for k in $(seq 1 20); do
    new id "竞态测试第${k}号：小区二次供水水箱清洗不及时，水有异味"
    if [ "$k" -le 10 ]; then drive "$id" dispatch; else drive "$id" dispatch accept reply; fi
    RACE+=("$id")
done
fire() { # fire K ID A|B JSON
    curl -s -o "$T/race.$1.$3" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $ADMIN" \
        -H 'Content-Type: application/json' --data-binary "$4" "$U/api/v1/tickets/$2/actions" >"$T/race.$1.$3.code"
}
for k in $(seq 0 19); do
    if [ "$k" -lt 10 ]; then
        fire "$k" "${RACE[$k]}" A '{"action":"accept"}' &
        PIDS+=($!)
        fire "$k" "${RACE[$k]}" B '{"action":"return","reason":"竞态退单"}' &
    else
        fire "$k" "${RACE[$k]}" A '{"action":"approve"}' &
        PIDS+=($!)
        fire "$k" "${RACE[$k]}" B '{"action":"reject","reason":"竞态驳回","deadline_days":3}' &
    fi
    PIDS+=($!)
done
wait "${PIDS[@]}"
PIDS=()
for k in $(seq 0 19); do get "${RACE[$k]}" && cp "$T/body" "$T/race.$k.ticket"; done
race_ok() {
    "$PY" - "$T" <<'EOF'
import json, sys
T = sys.argv[1]
bad = 0
for k in range(20):
    a, b = ('accept', 'return') if k < 10 else ('approve', 'reject')
    won = {'accept': 'accepted', 'return': 'received', 'approve': 'closed', 'reject': 'dispatched'}
    codes = {x: open('%s/race.%d.%s.code' % (T, k, x)).read() for x in 'AB'}
    try:
        t = json.load(open('%s/race.%d.ticket' % (T, k)))
        acts = [e['action'] for e in t['events']]
    except Exception as e:
        print('  # race %d: no ticket (%s)' % (k, e)); bad += 1; continue
    base = 2 if k < 10 else 4 # events before the race: create, dispatch[, accept, reply]
    tail = acts[base:]
    loser = 'B' if codes['A'] == '200' else 'A'
    try: lerr = json.load(open('%s/race.%d.%s' % (T, k, loser)))['error']['code']
    except Exception: lerr = None
    winner = a if codes['A'] == '200' else b
    if sorted(codes.values()) != ['200', '409'] or lerr != 'illegal_transition' \
            or tail != [winner] or t['status'] != won[winner] or t['version'] != len(acts):
        print('  # race %d (%s vs %s): codes %s, loser error %s, events after the race %s, status %s'
              % (k, a, b, codes, lerr, tail, t['status']))
        bad += 1
if bad: sys.exit(1)
EOF
}
check "20 races (accept vs return, approve vs reject): one 200 and one 409 each, one event" race_ok
# optimistic locking under a race: two supervisions sent with the same version
for k in $(seq 0 9); do
    v=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$T/race.$k.ticket")
    fire "v$k" "${RACE[$k]}" A "{\"action\":\"supervise\",\"kind\":\"hotline\",\"note\":\"甲\",\"version\":$v}" &
    PIDS+=($!)
    fire "v$k" "${RACE[$k]}" B "{\"action\":\"supervise\",\"kind\":\"hotline\",\"note\":\"乙\",\"version\":$v}" &
    PIDS+=($!)
done
wait "${PIDS[@]}"
PIDS=()
stale_race_ok() {
    "$PY" - "$T" <<'EOF'
import json, sys
T = sys.argv[1]
bad = 0
for k in range(10):
    codes = sorted(open('%s/race.v%d.%s.code' % (T, k, x)).read() for x in 'AB')
    errs = []
    for x in 'AB':
        try: errs.append(json.load(open('%s/race.v%d.%s' % (T, k, x)))['error']['code'])
        except Exception: pass
    if codes != ['200', '409'] or errs != ['stale_version']:
        print('  # race v%d: codes %s, errors %s' % (k, codes, errs)); bad += 1
sys.exit(1 if bad else 0)
EOF
}
check "10 races of two supervisions with the same version: one 200, one 409 stale_version" stale_race_ok

# --- the overdue scanner: restart with the clock 20 days ahead
mk OD1 '{"channel":"phone","category":"逾期测试","content":"逾期测试：路口红绿灯时间太短，老人过马路来不及"}'
drive "$OD1" dispatch1
save od1
new OD3
drive "$OD3" dispatch1 accept
new OD2
act "$OD2" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":365}'
new ODR # stays received; no category, no area
# for the escalation rules of the rules file
MEDIA_N=$(rule media_min_tickets 10)
JOINT_AFTER=$(rule joint_after_overdue 2)
LEADER_CAT=$(rule leader_categories 公共安全)
LEADER_CAT=${LEADER_CAT%%,*}
LEADER_REWORK=$(rule leader_after_rework 3)
LEADER_ROUNDS=$(rule leader_after_rounds 3)
MEDIA=() NOISE=()
for ((k = 1; k <= MEDIA_N; k++)); do
    mk id "{\"channel\":\"phone\",\"category\":\"路灯照明\",\"address\":\"渌口区渌湘大道${k}号\",\"content\":\"渌湘大道${k}号附近一排路灯晚上不亮\"}"
    MEDIA+=("$id")
done
for ((k = 1; k < MEDIA_N; k++)); do
    mk id "{\"channel\":\"phone\",\"category\":\"噪声扰民\",\"address\":\"天元区珠江北路${k}号\",\"content\":\"珠江北路${k}号附近工地夜间施工噪声\"}"
    NOISE+=("$id")
done
mk LC "{\"channel\":\"phone\",\"category\":\"$LEADER_CAT\",\"content\":\"重大情况：某商场消防通道被堵死\"}"
new JD
act "$JD" '{"action":"dispatch","level":"consult","lead":"住建局","co":["城管局","自规局"],"approved_by":"王副秘书长","deadline_days":1}'
new RW
drive "$RW" dispatch accept reply
for ((k = 1; k <= LEADER_REWORK; k++)); do
    act "$RW" '{"action":"reject","reason":"答复不到位","deadline_days":100}'
    [ "$k" -lt "$LEADER_REWORK" ] && drive "$RW" accept reply
done
check "$LEADER_REWORK rejects count rework $LEADER_REWORK" okj 200 "j['rework']==$LEADER_REWORK and j['status']=='dispatched'"
new RD
for ((k = 1; k < LEADER_ROUNDS; k++)); do
    drive "$RD" dispatch accept reply approve
    act "$RD" '{"action":"callback","result":"unsatisfied","note":"仍不满意"}'
done
check "$((LEADER_ROUNDS - 1)) unsatisfied callbacks make round $LEADER_ROUNDS" okj 200 "j['round']==$LEADER_ROUNDS and j['status']=='reopened'"
list overdue=1
check "before the clock moves nothing is overdue" okj 200 "j['total']==0"
stop_server
check "the server stops on SIGTERM" [ -z "$SRV" ]
export CLOCK_OFFSET=$((20 * 86400))
start_server REXIAN_CLOCK_OFFSET=$CLOCK_OFFSET
check "the server restarts on the same database with REXIAN_CLOCK_OFFSET=$CLOCK_OFFSET" [ -n "$PORT" ]
as "$ADMIN" -X POST "$U/api/v1/admin/scan"
check "POST /api/v1/admin/scan (admin) answers {overdue, escalated}" okj 200 \
    "set(j)=={'overdue','escalated'} and isinstance(j['overdue'],int) and isinstance(j['escalated'],int)"
get "$OD1"
check "the dispatched ticket past its deadline is overdue, overdue_count 1" okj 200 \
    "j['overdue'] is True and j['overdue_count']==1 and j['status']=='dispatched'"
check "it got a hotline supervision" jtrue "j['supervision']=='hotline'"
check "an overdue event by system/system, from = to = dispatched, payload deadline and count" jtrue \
    "len(evs('overdue'))==1 and evs('overdue')[0]['actor']=='system' and evs('overdue')[0]['role']=='system' and (evs('overdue')[0]['from'],evs('overdue')[0]['to'])==('dispatched','dispatched') and evs('overdue')[0]['payload'].get('deadline')==j['deadline'] and evs('overdue')[0]['payload'].get('count')==1"
check "the overdue event is stamped with the shifted clock (20 days on)" jtrue \
    "evs('overdue')[0]['at'][:10] in TODAYS"
check "a supervise event by system: kind hotline, rule overdue, a note" jtrue \
    "[(e['actor'],e['role'],e['payload'].get('kind'),e['payload'].get('rule'),bool(e['payload'].get('note'))) for e in evs('supervise')][:1]==[('system','system','hotline','overdue',True)] and chain()"
sup_of() { # sup_of ID...: print each ticket's supervision, one a line
    local id
    for id in "$@"; do get "$id" && jv "j['supervision']"; done
}
check "media: $MEDIA_N tickets of one category in one area all get media supervision" \
    same "$(sup_of "${MEDIA[@]}" | sort | uniq -c | tr -s ' ')" " $MEDIA_N media" "supervisions"
get "${MEDIA[0]}"
check "the media supervision is a supervise event by system (kind media, a rule, a note)" jtrue \
    "[(e['actor'],e['role'],e['payload'].get('kind'),bool(e['payload'].get('rule')),bool(e['payload'].get('note'))) for e in evs('supervise')]==[('system','system','media',True,True)] and chain()"
check "media: $((MEDIA_N - 1)) tickets of one category in one area get none" \
    same "$(sup_of "${NOISE[@]}" | sort | uniq -c | tr -s ' ')" " $((MEDIA_N - 1)) null" "supervisions"
get "$ODR"
check "a ticket without category or area gets no media supervision (no NULL pair)" okj 200 "j['supervision'] is None and not evs('supervise')"
get "$LC"
check "a ticket of category $LEADER_CAT gets leader supervision" okj 200 \
    "j['supervision']=='leader' and [e['payload'].get('kind') for e in evs('supervise') if e['actor']=='system']==['leader']"
get "$JD"
check "an overdue ticket with 3 departments gets joint supervision" okj 200 "j['overdue'] is True and j['supervision']=='joint'"
get "$RW"
check "a ticket rejected $LEADER_REWORK times gets leader supervision" okj 200 "j['supervision']=='leader' and j['overdue'] is False"
get "$RD"
check "a ticket in round $LEADER_ROUNDS gets leader supervision" okj 200 "j['supervision']=='leader' and j['status']=='reopened'"
get "$OD3"
check "the accepted ticket past its deadline is overdue too" okj 200 "j['overdue'] is True and j['overdue_count']==1 and len(evs('overdue'))==1"
get "$OD2"
check "a ticket with a 365-day deadline is not overdue" okj 200 "j['overdue'] is False and j['overdue_count']==0 and not evs('overdue')"
get "$SV"
check "the joint-supervised ticket is overdue but keeps joint (never steps down)" okj 200 \
    "j['overdue'] is True and j['supervision'] in ('joint','media','leader') and not [e for e in evs('supervise') if e['actor']=='system' and e['payload'].get('kind')=='hotline']"
list overdue=1 limit=100
check "GET /tickets?overdue=1 lists the overdue tickets, and not the others" okj 200 \
    "{'$OD1','$OD3','$SV'} <= set(ids()) and '$OD2' not in ids() and '$ODR' not in ids() and '$IL' not in ids() and all(t['overdue'] is True for t in j['tickets'])"
check "every listed overdue ticket is dispatched or accepted" jtrue "all(t['status'] in ('dispatched','accepted') for t in j['tickets'])"
as "$ADMIN" -X POST "$U/api/v1/admin/scan"
get "$OD1"
check "a second scan does not mark the ticket again for the same deadline" okj 200 "j['overdue_count']==1 and len(evs('overdue'))==1"
D1=$(jv "j['deadline']")
act "$OD1" '{"action":"extend","deadline_days":2,"reason":"延期后仍逾期"}'
check "extend on the overdue ticket moves its deadline" okj 200 "j['deadline']==add_wd('$D1',2)"
as "$ADMIN" -X POST "$U/api/v1/admin/scan"
get "$OD1"
check "past the new deadline too, the next scan marks it again: overdue_count 2" okj 200 \
    "j['overdue_count']==2 and len(evs('overdue'))==2 and evs('overdue')[1]['payload'].get('count')==2 and evs('overdue')[1]['payload'].get('deadline')==j['deadline'] and chain()"
check "overdue twice (joint_after_overdue $JOINT_AFTER): supervision at least joint" jtrue \
    "j['supervision'] in (('joint','media','leader') if $JOINT_AFTER<=2 else ('hotline',))"
drive "$OD3" reply
act "$JD" '{"action":"extend","deadline_days":30,"reason":"协调三个部门需要时间"}'
check "extending an overdue ticket past today makes it not overdue" okj 200 "j['overdue'] is False and j['status']=='dispatched'"
list overdue=1 limit=100
check "a replied ticket and a ticket extended past today are no longer overdue" okj 200 "'$OD3' not in ids() and '$JD' not in ids() and '$OD1' in ids()"
new SHIFT
check "a ticket created under the shifted clock carries the shifted date in id and created" jtrue \
    "j['id'][2:10] in {d.replace('-','') for d in TODAYS} and j['created'][:10] in TODAYS"
check "its sequence restarts for the new day (000001)" jtrue "j['id'].endswith('-000001')"
check "the server process is still alive" kill -0 "$SRV"

# --- deadlines over holidays and 调休 workdays: the clock on Friday 2027-01-29,
# 02:00 in Shanghai (still Thursday in UTC)
stop_server
export CLOCK_OFFSET=$("$PY" -c '
import datetime as dt
sh = dt.timezone(dt.timedelta(hours=8))
print(int((dt.datetime(2027, 1, 29, 2, 0, tzinfo=sh) - dt.datetime.now(sh)).total_seconds()))')
start_server REXIAN_CLOCK_OFFSET=$CLOCK_OFFSET
check "the server restarts with the clock on 2027-01-29" test -n "$PORT"
new H1
check "a ticket created then is dated 2027-01-29" jtrue "j['id'].startswith('ZZ20270129-') and j['created'][:10]=='2027-01-29'"
act "$H1" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":1}'
check "1 working day after Fri 2027-01-29 is Sun 01-31, a 调休 workday" okj 200 "j['deadline']=='2027-01-31'"
new H2
act "$H2" '{"action":"dispatch","level":"immediate","lead":"市水务局","deadline_days":3}'
check "3 working days after 2027-01-29 is 02-02" okj 200 "j['deadline']=='2027-02-02'"
new H3
act "$H3" '{"action":"dispatch","level":"consult","lead":"市水务局","co":["市供水公司"],"approved_by":"王副秘书长","deadline_days":10}'
check "10 working days after 2027-01-29 skip the Spring Festival holidays: 02-19" okj 200 "j['deadline']=='2027-02-19'"
act "$H2" '{"action":"extend","deadline_days":3,"reason":"春节期间"}'
check "extend 3 working days from 02-02 crosses the holidays: 02-15" okj 200 "j['deadline']=='2027-02-15'"
mk H4 "$RP"
check "a repeat of a complaint older than 30 days is not linked" jtrue "j['repeat_of']==[]"
list from=2027-01-29 to=2027-01-29 limit=100
check "from=to=2027-01-29 lists exactly the tickets created that day" okj 200 "sorted(ids())==sorted(['$H1','$H2','$H3','$H4'])"

# --- /metrics: ticket gauges agree with the list
list status=dispatched limit=1
DISPATCHED=$(jv "j['total']")
as "$ADMIN" "$U/metrics"
check "/metrics has the rexian_tickets gauge per status, matching the list ($DISPATCHED dispatched)" \
    grep -q "^rexian_tickets{status=\"dispatched\"} $DISPATCHED\$" "$T/body"
check "/metrics has rexian_tickets_overdue" grep -q '^rexian_tickets_overdue [0-9]' "$T/body"

finish
