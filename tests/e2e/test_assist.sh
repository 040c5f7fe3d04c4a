#!/usr/bin/env bash
# Agent assist end to end over real sockets (docs/ASSIST.md): the answer's
# shape; a return (退单) changing the next suggestion for a similar ticket;
# calls resolved with a document lifting it for a similar later query;
# admins listing and removing what was learned, which stays removed across
# a restart. Needs curl and python3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"

boot

mkuser() { # mkuser NAME ROLE [DEPARTMENT]: print a new user's token
    local dep=
    [ -n "${3:-}" ] && dep=",\"department\":\"$3\""
    as "$ADMIN" --data-binary "{\"name\":\"$1\",\"role\":\"$2\"$dep}" "$U/api/v1/admin/users"
    [ "$code" = 201 ] && jv "j['token']"
}
AGENT=$(mkuser 话务员乙 agent)
new_ticket() { # new_ticket CONTENT ADDRESS [CHANNEL]: print the id
    local body
    body=$("$PY" -c 'import json,sys; print(json.dumps({"channel":sys.argv[3],"content":sys.argv[1],"address":sys.argv[2]}, ensure_ascii=False))' "$1" "$2" "${3:-phone}")
    as "$AGENT" --data-binary "$body" "$U/api/v1/tickets"
    [ "$code" = 201 ] && jv "j['id']"
}
act() { # act TOKEN ID JSON
    as "$1" --data-binary "$3" "$U/api/v1/tickets/$2/actions"
    [ "$code" = 200 ] || { echo "  # $3 on $2: $code"; show; }
}

# --- the answer
T1=$(new_ticket "小区门口那排路灯坏了一个多星期，晚上黑漆漆的，老人走路怕摔" "荷塘区月塘街道某某小区")
as "$AGENT" "$U/api/v1/tickets/$T1/assist"
check "assist answers with documents, confident, similar, departments, level and repeat_of" okj 200 \
    "all(k in j for k in ('documents','confident','similar','departments','level','repeat_of')) and isinstance(j['confident'], bool)"
check "… documents are search hits (id, title, department, snippet)" jtrue \
    "j['documents'] and all(set(('id','title','department','snippet','score')) <= set(h) for h in j['documents'])"
check "… departments are canonical names, best first, each with a score and a Chinese why" jtrue \
    "j['departments'] and all(d['name'] and 0 <= d['score'] <= 1 and re.search('[\u4e00-\u9fff]', d['why']) for d in j['departments']) and [d['score'] for d in j['departments']] == sorted([d['score'] for d in j['departments']], reverse=True)"
check "… the level is immediate, consult or leader, with its reasons" jtrue \
    "j['level'] in ('immediate','consult','leader') and j['level_why'] and all(isinstance(r, str) for r in j['level_why'])"
check "… a broken street lamp by phone is not a leader's matter" jtrue "j['level'] != 'leader'"
# the same 诉求 raised at a 领导接听日 is 现场交办 to a leader (三级交办)
T0=$(new_ticket "小区门口那排路灯坏了一个多星期，晚上黑漆漆的，老人走路怕摔" "荷塘区月塘街道某某小区" leader_day)
as "$AGENT" "$U/api/v1/tickets/$T0/assist"
check "a 领导接听日 ticket is suggested leader, saying why" jtrue \
    "j['level'] == 'leader' and any('领导接听日' in r for r in j['level_why'])"
as "$AGENT" "$U/api/v1/tickets/ZZ19990101-999999/assist"
check "assist of an unknown ticket is 404 ticket_not_found" err 404 ticket_not_found
TRAINER=$(mkuser 培训师乙 trainer)
as "$TRAINER" "$U/api/v1/tickets/$T1/assist"
check "a trainer may not read assist (403)" err 403 forbidden

# --- the assist of a 诉求 still being typed (no ticket yet)
TXT='{"content":"小区门口的路灯坏了一个多星期，晚上黑漆漆的","address":"荷塘区月塘街道"}'
as "$AGENT" --data-binary "$TXT" "$U/api/v1/assist"
check "text assist answers departments and documents, without ticket or repeat_of" okj 200 \
    "j['departments'] and j['documents'] and 'similar' in j and j['level'] in ('immediate','consult','leader') and 'ticket' not in j and 'repeat_of' not in j"
# the call-taker's framing (来电人咨询：) is not searched: the plain search
# of this text ranks three of the hotline's own rules on taking calls
# (rx-*) in its first five, which speak of 来电人 throughout
as "$AGENT" --data-binary '{"content":"来电人咨询：农村低保今年怎么申请，要带么子材料"}' "$U/api/v1/assist"
check "a framed 诉求's documents are about its matter, not the hotline's rules on taking calls" jtrue \
    "j['documents'] and not any(h['id'].startswith('rx-') for h in j['documents'])"
as "$AGENT" --data-binary '{"address":"荷塘区"}' "$U/api/v1/assist"
check "text assist without content is 400, said in Chinese" jtrue \
    "'$code' == '400' and j['error']['code'] == 'invalid_parameter' and re.search('[\u4e00-\u9fff]', j['error']['message'])"
as "$AGENT" --data-binary '{"content":"路灯不亮",}' "$U/api/v1/assist"
check "text assist with loose JSON is 400" [ "$code" = 400 ]
LONG=$("$PY" -c 'import json; print(json.dumps({"content":"路灯"*400}, ensure_ascii=False))')
as "$AGENT" --data-binary "$LONG" "$U/api/v1/assist"
check "text assist over 2000 bytes is 400" [ "$code" = 400 ]
as "$TRAINER" --data-binary "$TXT" "$U/api/v1/assist"
check "a trainer may not use the text assist (403)" err 403 forbidden

# --- a return changes the next suggestion
X="楼道里的声控灯坏了半个月，晚上上楼黑乎乎的，物业一直不来修"
ADDR="芦淞区建设街道某某小区5栋"
T2=$(new_ticket "$X" "$ADDR")
as "$AGENT" "$U/api/v1/tickets/$T2/assist"
save before
D1=$(jv "j['departments'][0]['name']")
D2=$(jv "[d['name'] for d in j['departments'] if d['name'] != j['departments'][0]['name']][0]")
check "before any return, assist suggests a first department ($D1) and another ($D2)" \
    test -n "$D1" -a -n "$D2"
TD1=$(mkuser 承办一 department "$D1")
TD2=$(mkuser 承办二 department "$D2")
for k in 1 2 3; do
    id=$(new_ticket "$X（第${k}次来电）" "$ADDR")
    act "$AGENT" "$id" "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"$D1\"}"
    act "$TD1" "$id" '{"action":"return","reason":"经核实该事项不属于我单位职责，请改派"}'
    act "$AGENT" "$id" "{\"action\":\"dispatch\",\"level\":\"immediate\",\"lead\":\"$D2\"}"
    act "$TD2" "$id" '{"action":"accept"}'
done
T3=$(new_ticket "声控灯坏了，楼道晚上黑乎乎的没人修" "$ADDR")
as "$AGENT" "$U/api/v1/tickets/$T3/assist"
check "after $D1 returned three like it and $D2 took them, $D2 is suggested first" okj 200 \
    "j['departments'][0]['name'] == '$D2'"
check "… and $D1 is ranked below it, or not at all" jtrue \
    "[d['name'] for d in j['departments']].index('$D2') < ([d['name'] for d in j['departments']] + ['$D1']).index('$D1')"
check "… the similar tickets shown include the three, led by $D2" jtrue \
    "sum(1 for s in j['similar'] if s['lead'] == '$D2') >= 3"

# --- resolution feeds ranking
# a query whose second hit is close to its first: resolved calls can lift it
pick=$("$PY" - "$U" "$AGENT" <<'PYEOF'
import json, sys, urllib.parse, urllib.request
u, tok = sys.argv[1], sys.argv[2]
for q in ['装修噪音', '医保报销', '公积金提取', '房产证', '低保', '社保卡', '停水', '路灯', '养老保险',
          '驾驶证', '户口迁移', '燃气', '物业费', '垃圾清运', '工资拖欠', '入学报名', '油烟', '违章建筑']:
    r = urllib.request.Request(u + '/api/v1/search?' + urllib.parse.urlencode({'q': q + '怎么办', 'limit': 5}),
                               headers={'Authorization': 'Bearer ' + tok})
    hits = json.load(urllib.request.urlopen(r))['hits']
    if len(hits) >= 2 and hits[1]['score'] >= 0.85 * hits[0]['score']:
        print(q, hits[1]['id'], hits[0]['id'])
        break
PYEOF
)
read -r Q B A <<<"$pick"
check "a query whose second hit ($B) is within 15% of its first ($A) is found: '$Q'" test -n "$B"
rank_of() { # rank_of QUERY DOC: 1-based rank in the first 10 hits, 0 if absent
    as "$AGENT" --get --data-urlencode "q=$1" --data-urlencode limit=10 "$U/api/v1/search"
    jv "([h['id'] for h in j['hits']] + ['$2']).index('$2') + 1 if '$2' in [h['id'] for h in j['hits']] else 0"
}
before=$(rank_of "${Q}怎么办" "$B")
for k in 1 2 3; do
    id=$(new_ticket "来电咨询${Q}的问题（第${k}位）" "")
    as "$AGENT" --get --data-urlencode "q=$Q" --data-urlencode "ticket=$id" "$U/api/v1/search" >/dev/null
    act "$AGENT" "$id" "{\"action\":\"resolve_first_contact\",\"doc_ids\":[\"$B\"]}"
done
id4=$(new_ticket "来电咨询${Q}的问题（第4位）" "")
as "$AGENT" "$U/api/v1/tickets/$id4/assist"
check "a similar past call resolved on the spot shows the document it was answered with ($B)" okj 200 \
    "any(s['outcome'] == 'first_contact' and [d['id'] for d in s.get('documents', [])] == ['$B'] and all(d['title'] for d in s['documents']) for s in j['similar'])"
for k in $(seq 50); do # the learner thread may hold the model for a moment
    as "$AGENT" --get --data-urlencode "q=${Q}怎么办" --data-urlencode limit=10 "$U/api/v1/search"
    jtrue "j['hits'][0]['id'] == '$B'" 2>/dev/null && break
    sleep 0.1
done
check "after three calls searched '$Q' and were resolved with $B, '${Q}怎么办' ranks it first (was $before)" okj 200 \
    "$before != 1 and j['hits'][0]['id'] == '$B' and j['hits'][0].get('learned', 0) > 0"
as "$ADMIN" --get --data-urlencode "doc=$B" "$U/api/v1/admin/learned"
check "the admin lists the terms learned for $B, with weights below 1" okj 200 \
    "j['learned'] and all(x['doc'] == '$B' and 0 < x['weight'] < 1 and x['resolutions'] >= 1 for x in j['learned'])"
as "$AGENT" --get --data-urlencode "doc=$B" "$U/api/v1/admin/learned"
check "an agent may not list learned terms (403)" err 403 forbidden
as "$ADMIN" --data-binary "{\"doc\":\"$B\"}" "$U/api/v1/admin/learned/forget"
check "the admin removes them" okj 200 "j['learned'] == []"
as "$ADMIN" --data-binary "{\"doc\":\"$B\"}" "$U/api/v1/admin/learned/forget"
check "removing again is 404 not_found" err 404 not_found
after=$(rank_of "${Q}怎么办" "$B")
check "without them $B is back where the text puts it (rank $after, was $before)" [ "$after" = "$before" ]
as "$ADMIN" --get --data-urlencode limit=5 "$U/api/v1/admin/audit"
check "the removal is in the audit log" okj 200 "any(e.get('action') == 'learned_forget' for e in j.get('entries', j.get('audit', [])))"
stop_server
start_server
sleep 0.5
after=$(rank_of "${Q}怎么办" "$B")
check "after a restart, relearning the event log does not bring them back (rank $after)" [ "$after" = "$before" ]
as "$AGENT" "$U/api/v1/tickets/$T3/assist"
check "after a restart the model has relearnt the returns: $D2 first again" okj 200 \
    "j['departments'][0]['name'] == '$D2'"
# the logistic regression beside naive Bayes is fitted once the learner has
# caught up: at the first start on the duty lines alone (no tickets yet), after
# the restart on the dispatches kept since as well
fits() { grep -o 'fitted its linear classifier on [0-9]* examples' "$T/log" | grep -o '[0-9][0-9]*'; }
for ((k = 0; k < 50 * SLOW && $(fits | wc -l) < 2; k++)); do sleep 0.2; done
first=$(fits | head -1) second=$(fits | sed -n 2p)
check "at each start the learner fits its linear classifier: ${first:-none}, then ${second:-none} examples" \
    [ "${second:-0}" -gt "${first:-1000000}" ]

finish
