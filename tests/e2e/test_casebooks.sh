#!/usr/bin/env bash
# Casebooks (案例复盘) and the supervision report (热线监督报告) over a real
# server: a trainer builds a casebook from tickets whose free text repeats
# the caller's name, phone and address; the JSON, HTML and Markdown exports
# are masked and escaped; bad input (unknown tickets, huge and invalid
# bodies) is a clear 4xx in Chinese and stores nothing; roles; the report
# of a month and a quarter in its three forms. Needs curl and python3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"

boot
mkuser() { # mkuser NAME ROLE: print a new user's token
    as "$ADMIN" --data-binary "{\"name\":\"$1\",\"role\":\"$2\"}" "$U/api/v1/admin/users"
    [ "$code" = 201 ] && jv "j['token']"
}
TRAINER=$(mkuser 培训师乙 trainer)
SUPER=$(mkuser 值班长乙 supervisor)
AGENT=$(mkuser 话务员乙 agent)
DOC=$("$REXIAN" search --index "$T/idx" --json --limit 1 下水道 2>/dev/null |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])' 2>/dev/null)

# a ticket whose every text repeats the caller's data, walked to its callback
as "$AGENT" --data-binary '{"channel":"phone","caller":"张建国","phone":"13807330001","address":"荷塘区新华西路8号3栋","category":"排水","content":"我叫张建国，住新华西路8号3栋，下水道堵了<script>alert(1)</script>，电话138 0733 0001"}' "$U/api/v1/tickets"
ID=$(jv "j['id']")
as "$AGENT" --get --data-urlencode "ticket=$ID" "$U/api/v1/docs/$DOC" >/dev/null
step() { as "$ADMIN" --data-binary "$2" "$U/api/v1/tickets/$1/actions"; [ "$code" = 200 ] || echo "  # step $2: $code"; }
step "$ID" '{"action":"dispatch","level":"immediate","lead":"市水务局"}'
step "$ID" '{"action":"supervise","kind":"hotline","note":"请尽快联系张建国"}'
step "$ID" '{"action":"accept"}'
step "$ID" '{"action":"reply","text":"已联系张建国先生（13807330001），疏通完毕"}'
step "$ID" '{"action":"approve"}'
step "$ID" '{"action":"callback","result":"satisfied","note":"张建国表示满意"}'
as "$AGENT" --data-binary '{"channel":"web","content":"路灯不亮"}' "$U/api/v1/tickets"
ID2=$(jv "j['id']")
NO_PII="'张建国' not in s and '13807330001' not in s and '0733 0001' not in s and '新华西路' not in s"

# --- create
as "$TRAINER" --data-binary "{\"title\":\"排水<案例>\",\"intro\":\"新人培训\",\"tickets\":[{\"id\":\"$ID\",\"lesson\":\"先核实地址再交办\"},\"$ID2\"],\"lessons\":{\"$ID2\":\"路灯归属要问清\"}}" "$U/api/v1/casebooks"
check "a trainer creates a casebook (201 with its id and both cases)" okj 201 \
    "j['id'].startswith('CB') and [c['ticket'] for c in j['cases']]==['$ID','$ID2'] and j['cases'][1]['lesson']=='路灯归属要问清'"
CB=$(jv "j['id']")
check "… its cases are masked (张*, 138****0001, the district) and keep no name, phone or street anywhere" \
    jtrue "(lambda s: $NO_PII)(json.dumps(j, ensure_ascii=False)) and j['cases'][0]['caller']=='张*' and j['cases'][0]['phone']=='138****0001' and j['cases'][0]['address']=='荷塘区'"
check "… with the timeline in Chinese, the document opened, the reply, the supervision and the callback" jtrue \
    "[e['label'] for e in j['cases'][0]['timeline']]==['受理','交办','督办','签收','答复','审核通过','回访'] and j['cases'][0]['documents'][0]['id']=='$DOC' and j['cases'][0]['documents'][0]['title'] and len(j['cases'][0]['replies'])==1 and j['cases'][0]['supervision_log'][0]['kind']=='热线督办' and j['cases'][0]['callbacks'][0]['result']=='满意' and j['cases'][0]['outcome']=='满意'"
as "$ADMIN" --data-binary "{\"title\":\"管理员的案例集\",\"tickets\":[\"$ID\"]}" "$U/api/v1/casebooks"
check "an admin's casebook is masked too (whatever the role who builds it)" okj 201 \
    "(lambda s: $NO_PII)(json.dumps(j, ensure_ascii=False)) and j['cases'][0]['caller']=='张*'"

# --- read and export
as "$TRAINER" "$U/api/v1/casebooks"
check "the list names both, newest first" okj 200 "j['total']==2 and j['casebooks'][1]['id']=='$CB' and j['casebooks'][1]['cases']==2"
as "$TRAINER" "$U/api/v1/casebooks/$CB"
check "GET without format is the JSON snapshot" okj 200 "j['id']=='$CB' and j['title']=='排水<案例>'"
as "$TRAINER" "$U/api/v1/casebooks/$CB?format=html"
check "format=html is a printable page (text/html, print styles, the lessons)" \
    bash -c "[ $code = 200 ] && grep -qi '^content-type: text/html; charset=utf-8' '$T/headers' && grep -q '@media print' '$T/body' && grep -q '先核实地址再交办' '$T/body' && grep -q '复盘教训' '$T/body'"
check "… escaped (no <script> of the caller, no <案例> of the title) and self-contained (no http, no src=)" \
    bash -c "! grep -q '<script' '$T/body' && grep -q '&lt;script&gt;' '$T/body' && grep -q '排水&lt;案例&gt;' '$T/body' && ! grep -qE 'https?://|src=' '$T/body'"
check "… under a policy that runs no script and loads nothing" \
    grep -qi "^content-security-policy: default-src 'none'" "$T/headers"
check "… and masked: no name, phone or street" \
    bash -c "! grep -qE '张建国|13807330001|0733 0001|新华西路' '$T/body' && grep -q '张\\*' '$T/body'"
as "$TRAINER" "$U/api/v1/casebooks/$CB?format=md"
check "format=md is Markdown, masked and escaped" \
    bash -c "[ $code = 200 ] && grep -qi '^content-type: text/markdown' '$T/headers' && head -1 '$T/body' | grep -qF '# 排水\\<案例\\>' && grep -qF '\\<script\\>' '$T/body' && ! grep -qE '张建国|13807330001|0733 0001|新华西路' '$T/body'"
as "$TRAINER" "$U/api/v1/casebooks/$CB?format=pdf"
check "an unknown format is 400 invalid_parameter" err 400 invalid_parameter
as "$TRAINER" "$U/api/v1/casebooks/CB999999"
check "an unknown casebook is 404 casebook_not_found" err 404 casebook_not_found

# --- bad input: a clear 4xx in Chinese, nothing stored
count() { as "$TRAINER" "$U/api/v1/casebooks"; jv "j['total']"; }
BEFORE=$(count)
as "$TRAINER" --data-binary "{\"title\":\"x\",\"tickets\":[\"$ID\",\"ZZ19990101-999999\"]}" "$U/api/v1/casebooks"
check "an unknown ticket is 422 unknown_ticket" err 422 unknown_ticket
check "… whose message names the ticket and says nothing was saved" jtrue \
    "'ZZ19990101-999999' in j['error']['message'] and '未保存' in j['error']['message']"
as "$TRAINER" --data-binary '{"title":"x","tickets":[]}' "$U/api/v1/casebooks"
check "no tickets is 400 invalid_field" err 400 invalid_field
as "$TRAINER" --data-binary "{\"tickets\":[\"$ID\"]}" "$U/api/v1/casebooks"
check "no title is 400 invalid_field" err 400 invalid_field
as "$TRAINER" --data-binary "{\"title\":\"x\",\"tickets\":[\"$ID\",\"$ID\"]}" "$U/api/v1/casebooks"
check "a ticket twice is 400 duplicate_ticket" err 400 duplicate_ticket
as "$TRAINER" --data-binary "{\"title\":\"x\",\"tickets\":[\"$ID\"],\"lessons\":{\"$ID2\":\"y\"}}" "$U/api/v1/casebooks"
check "a lesson for a ticket not in the casebook is 422 unknown_ticket" err 422 unknown_ticket
"$PY" -c "import json; print(json.dumps({'title':'x','tickets':['$ID'],'lessons':{'$ID':'长'*5000}}))" >"$T/long.json"
as "$TRAINER" --data-binary @"$T/long.json" "$U/api/v1/casebooks"
check "a lesson over 4,000 characters is 400 invalid_field" err 400 invalid_field
head -c 1200000 /dev/zero | tr '\0' 'a' | sed 's/^/{"title":"/; s/$/"}/' >"$T/huge.json"
as "$TRAINER" --data-binary @"$T/huge.json" "$U/api/v1/casebooks"
check "a body over 1 MiB is 413" bash -c "[ $code = 413 ]"
printf '{"title":"\xff\xfe","tickets":["%s"]}' "$ID" >"$T/bad.json"
as "$TRAINER" --data-binary @"$T/bad.json" "$U/api/v1/casebooks"
check "invalid UTF-8 is 400 invalid_json" err 400 invalid_json
as "$TRAINER" --data-binary '{"title":"x","tickets":["a"],"title":"y"}' "$U/api/v1/casebooks"
check "a duplicate key is 400 invalid_json" err 400 invalid_json
check "none of the refused bodies stored anything" same "$(count)" "$BEFORE"

# --- roles
as "$AGENT" --data-binary "{\"title\":\"x\",\"tickets\":[\"$ID\"]}" "$U/api/v1/casebooks"
check "an agent may not create a casebook (403)" err 403 forbidden
as "$SUPER" "$U/api/v1/casebooks/$CB?format=html"
check "a supervisor may not read casebooks (403: trainers' material)" err 403 forbidden

# --- the supervision report
MONTH=$(TZ=Asia/Shanghai date +%Y-%m)
as "$SUPER" --get --data-urlencode "period=$MONTH" "$U/api/v1/stats/report"
check "a supervisor gets this month's report as JSON (the two tickets, the supervised one listed)" okj 200 \
    "j['period']=='$MONTH' and j['volume']['tickets']==2 and j['supervised']['total']==1 and j['supervised']['tickets'][0]['id']=='$ID' and 'review' in j and 'problems' in j and 'hotwords' in j"
check "… masked (the listed ticket's content keeps no name, phone or street)" \
    jtrue "(lambda s: $NO_PII)(json.dumps(j, ensure_ascii=False))"
check "… with the department's rates as counts over denominators" jtrue \
    "any(d['name']=='市水务局' and d['on_time']['of']==1 and d['supervised']==1 for d in j['departments'])"
as "$TRAINER" --get --data-urlencode "period=$MONTH" --data-urlencode format=html "$U/api/v1/stats/report"
check "a trainer gets it as printable HTML with inline SVG charts, masked and escaped" \
    bash -c "[ $code = 200 ] && grep -q '<svg' '$T/body' && grep -q '回头看' '$T/body' && ! grep -q '<script' '$T/body' && ! grep -qE '张建国|13807330001|新华西路' '$T/body' && ! grep -qE 'src=|https?://[^w]' '$T/body'"
as "$ADMIN" --get --data-urlencode "period=$(TZ=Asia/Shanghai date +%Y)-Q$(( ($(TZ=Asia/Shanghai date +%-m) + 2) / 3 ))" --data-urlencode format=md "$U/api/v1/stats/report"
check "an admin gets the quarter as Markdown" \
    bash -c "[ $code = 200 ] && grep -q '^# 12345 热线监督报告' '$T/body' && grep -q '^## 六、回头看' '$T/body'"
as "$SUPER" --get --data-urlencode "period=2026-13" "$U/api/v1/stats/report"
check "a bad period is 400 invalid_parameter" err 400 invalid_parameter
as "$AGENT" "$U/api/v1/stats/report"
check "an agent may not read the report (403)" err 403 forbidden
as "$SUPER" "$U/api/v1/stats/report"
check "without a period: last month's report" okj 200 "j['period']==(lambda d: '%04d-%02d'%((d.year, d.month-1) if d.month>1 else (d.year-1,12)))(dt.datetime.now(SH).date())"

stop_server
finish
