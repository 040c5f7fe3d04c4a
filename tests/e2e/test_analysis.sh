#!/usr/bin/env bash
# Analysis end to end over real sockets (docs/ANALYSIS.md): two demo years
# with the call-takers' searches, then 民生热词, 未诉先办, 政策效果 and
# 知识缺口 on them and on tickets made here (a new word said six times
# today, three calls from one road, a question the knowledge base cannot
# answer searched on three tickets); bad parameters are 400 in Chinese;
# the roles. Needs curl and python3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"

boot
stop_server
"$REXIAN" demo --quiet --db "$T/db" --index "$T/idx" --corpus "$T/corpus" --count 3000 --years 2 \
    2>"$T/demo.err"
check "two demo years load, the call-takers searching the index" [ $? -eq 0 ]
start_server
for ((k = 0; k < 600 * SLOW; k++)); do
    grep -q 'statistics caught up' "$T/log" && break
    sleep 0.1
done
check "the statistics catch up with the demo log" grep -q 'statistics caught up' "$T/log"

mkuser() { # mkuser NAME ROLE: print a new user's token
    as "$ADMIN" --data-binary "{\"name\":\"$1\",\"role\":\"$2\"}" "$U/api/v1/admin/users"
    [ "$code" = 201 ] && jv "j['token']"
}
AGENT=$(mkuser 话务员丙 agent)
SUP=$(mkuser 值班长丙 supervisor)
TRAINER=$(mkuser 培训师丙 trainer)
new_ticket() { # new_ticket CONTENT ADDRESS CATEGORY: print the id
    local body
    body=$("$PY" -c 'import json,sys; print(json.dumps({"channel":"phone","content":sys.argv[1],"address":sys.argv[2],"category":sys.argv[3]}, ensure_ascii=False))' "$1" "$2" "$3")
    as "$AGENT" --data-binary "$body" "$U/api/v1/tickets"
    [ "$code" = 201 ] && jv "j['id']"
}
TODAY=$("$PY" -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(hours=8)).date())')
# what the demo itself said about 共享单车 yesterday and today (it runs up to
# now, so some days it does): the policy check below counts on top of it
policy_bikes() {
    as "$SUP" --get --data-urlencode doc=zjj-2024-003 --data-urlencode terms=共享单车 \
        --data-urlencode "effective=$TODAY" --data-urlencode months=1 "$U/api/v1/stats/policy"
}
policy_bikes
BIKES_BEFORE=$(jv "j['before']['count']")
BIKES_AFTER=$(jv "j['after']['count']")

# --- tickets made here
NEW=()
for k in 1 2 3 4 5 6; do
    NEW+=("$(new_ticket "小区门口的共享单车乱停乱放，堵住了人行道（第${k}位）" "荷塘区月塘街道某小区$k栋" 城管)")
done
ROAD=()
for k in 1 2 3; do
    ROAD+=("$(new_ticket "测试大道这一段路灯全都不亮，晚上漆黑一片" "芦淞区建设街道测试大道8号" 城管)")
done
GAP=()
for q in 外星人签证怎么办理 外星人签证怎么办理 外星人签证办理要什么; do
    id=$(new_ticket "想问外星人签证的事" "" 咨询)
    GAP+=("$id")
    as "$AGENT" --get --data-urlencode "q=$q" --data-urlencode "ticket=$id" "$U/api/v1/search" >/dev/null
done
check "the tickets are made and searched" [ ${#NEW[@]} -eq 6 -a -n "${NEW[5]}" -a -n "${ROAD[2]}" -a -n "${GAP[2]}" ]

# --- 民生热词
as "$SUP" --get --data-urlencode limit=10 "$U/api/v1/stats/hotwords"
check "hot words: from, to and terms, each with count, previous, last_year, growth and spike" okj 200 \
    "set(('from','to','terms')) <= set(j) and 0 < len(j['terms']) <= 10 and all(set(('term','count','previous','last_year','growth','spike')) <= set(t) and isinstance(t['spike'], bool) for t in j['terms'])"
check "… the most frequent first, each named by at least two tickets" jtrue \
    "[t['count'] for t in j['terms']] == sorted([t['count'] for t in j['terms']], reverse=True) and j['terms'][-1]['count'] >= 2"
check "… growth is (count − previous) / previous" jtrue \
    "all(t['growth'] is None if t['previous'] == 0 else abs(t['growth'] - (t['count'] - t['previous']) / t['previous']) < 1e-9 for t in j['terms'])"
check "… and the demo's second year is compared with its first (last year's tickets counted)" jtrue \
    "j['last_year_tickets'] > 0 and any(t['last_year'] > 0 for t in j['terms'])"
as "$SUP" --get --data-urlencode "from=$TODAY" --data-urlencode "to=$TODAY" --data-urlencode limit=200 \
    "$U/api/v1/stats/hotwords"
# 共享单车 is a synonym of 互联网租赁自行车 (corpus/synonyms.txt): counted as that
check "today's hot words count the six 共享单车 tickets (as 互联网租赁自行车) on top of the demo's, a spike against its own history" okj 200 \
    "any(t['term'] == '互联网租赁自行车' and t['count'] == ${BIKES_AFTER:-x} + 6 and t['spike'] for t in j['terms'])"
check "… and call-takers' small talk (反映, 希望, 处理) is no hot word" jtrue \
    "not any(t['term'] in ('反映', '希望', '处理', '来电人') for t in j['terms'])"

# --- 未诉先办
as "$SUP" --get --data-urlencode "from=$TODAY" --data-urlencode "to=$TODAY" "$U/api/v1/stats/warnings"
check "warnings: each says what, where, how many, why, with example tickets" okj 200 \
    "j['warnings'] and all(set(('kind','what','where','count','why','tickets')) <= set(w) and w['kind'] in ('seasonal','spike','cluster') and re.search('[\u4e00-\u9fff]', w['why']) for w in j['warnings'])"
check "… the 共享单车 spike, naming today's tickets" jtrue \
    "any(w['kind'] == 'spike' and w['what'] == '互联网租赁自行车' and set(w['tickets']) & set('${NEW[*]}'.split()) for w in j['warnings'])"
check "… and the three calls from one road as a cluster there" jtrue \
    "any(w['kind'] == 'cluster' and w['where'] == '芦淞区建设街道测试大道' and w['count'] == 3 and sorted(w['tickets']) == sorted('${ROAD[*]}'.split()) for w in j['warnings'])"

# --- 知识缺口
as "$SUP" --get --data-urlencode "from=$TODAY" --data-urlencode "to=$TODAY" "$U/api/v1/stats/gaps"
check "gaps: queries with count, resolved_rate and best_hit" okj 200 \
    "all(set(('query','count','resolved_rate','best_hit')) <= set(q) and 0 <= q['resolved_rate'] <= 1 for q in j['queries'])"
check "… the 外星人签证 questions in one group of three tickets, none resolved" jtrue \
    "any(q['query'].startswith('外星人签证') and q['count'] == 3 and q['resolved_rate'] == 0 for q in j['queries'])"
as "$SUP" --get --data-urlencode limit=5 "$U/api/v1/stats/gaps"
check "… the demo's own searches make gaps over the last 30 days" okj 200 "0 < len(j['queries']) <= 5"

# --- 政策效果
as "$SUP" --get --data-urlencode doc=zjj-2024-003 "$U/api/v1/stats/policy"
check "policy effect of a document: its topic terms, the four periods and the difference in differences" okj 200 \
    "j['terms'] and all(set(('from','to','count','tickets')) <= set(j[p]) for p in ('before','after','last_year_before','last_year_after')) and 'did' in j and j['doc']['id'] == 'zjj-2024-003'"
policy_bikes
check "… with terms (folded) and effective given: today's six tickets after, none of them before" okj 200 \
    "j['terms'] == ['互联网租赁自行车'] and j['after']['count'] == ${BIKES_AFTER:-x} + 6 and j['before']['count'] == ${BIKES_BEFORE:-x} and (j['change'] is None) == (j['before']['count'] == 0)"
as "$SUP" --get --data-urlencode doc=no-such-doc "$U/api/v1/stats/policy"
check "… an unknown document is 404" err 404 document_not_found
as "$SUP" "$U/api/v1/stats/policy"
check "… without doc it is 400" err 400 invalid_parameter

# --- bad parameters, roles
for p in "hotwords?from=2026-13-01" "warnings?from=2026-05-02&to=2026-05-01" "gaps?limit=0" \
    "hotwords?limit=abc" "policy?doc=zjj-2024-003&effective=yesterday"; do
    as "$SUP" "$U/api/v1/stats/$p"
    check "GET /api/v1/stats/$p is 400 with a Chinese message" jtrue \
        "'$code' == '400' and j['error']['code'] == 'invalid_parameter' and re.search('[\u4e00-\u9fff]', j['error']['message'])"
done
for r in hotwords warnings gaps; do
    as "$AGENT" "$U/api/v1/stats/$r"
    check "an agent may not read /stats/$r (403)" err 403 forbidden
    as "$TRAINER" "$U/api/v1/stats/$r"
    check "a trainer may (200)" [ "$code" = 200 ]
done

stop_server
finish
