#!/usr/bin/env bash
# `rexian serve` end to end over real sockets: health, authentication and
# roles, search and its parameter errors, suggest, documents, routing,
# users, limits against hostile clients, metrics, the access log, swapping
# in a new index under load, and graceful shutdown. Needs curl; no python.
. "$(dirname "$0")/lib.sh"

SRV= # the server's pid
LOADERS=()
cleanup() {
    stop_all "${LOADERS[@]}" $SRV
    rm -rf "$T"
}
trap cleanup EXIT
trap '' PIPE # writes to a socket the server closed fail instead of ending the script

# --- helpers (req, show and is are in lib.sh)
api() { req -H "Authorization: Bearer $ADMIN" "$@"; } # as the admin
err() { # err STATUS CODE: the last response was our JSON error CODE with STATUS
    is "$1" "{\"error\":{\"code\":\"$2\",\"message\":\"" && is "$1" '"}}'
}
body_matches() { # body_matches ERE
    grep -Eq -- "$1" "$T/body" || { echo "  # body does not match /$1/"; show; return 1; }
}
body_lacks() { # body_lacks SUBSTRING
    ! grep -qF -- "$1" "$T/body" || { echo "  # body should not contain: $1"; show; return 1; }
}
header_is() { # header_is NAME VALUE
    grep -qi "^$1: $2"$'\r'"\$" "$T/headers" ||
        { echo "  # expected header '$1: $2' in:"; sed 's/^/  #   /' "$T/headers"; return 1; }
}
hits() { sed 's/,"facets":.*//' "$T/body"; } # the hits part of a search answer
ids() { hits | grep -o '"id":"[^"]*"' | cut -d'"' -f4; }
has_id() { # has_id ID: the last search answered 200 with ID among its hits
    is 200 '"hits":[' || return 1
    ids | grep -qx -- "$1" || { echo "  # $1 not among: $(ids | tr '\n' ' ')"; return 1; }
}
id_like() { # id_like ERE: the last search answered 200 with a hit whose id matches ERE
    is 200 '"hits":[' || return 1
    ids | grep -Eq -- "$1" || { echo "  # no id like /$1/ among: $(ids | tr '\n' ' ')"; return 1; }
}
lacks_id() { # lacks_id ID: the last search answered 200 with hits, none of them ID
    is 200 '"hits":[{' || return 1
    ! ids | grep -qx -- "$1" || { echo "  # $1 is among: $(ids | tr '\n' ' ')"; return 1; }
}
only() { # only FIELD VALUE: at least one hit, and every hit's FIELD is VALUE
    local vals
    vals=$(hits | grep -o "\"$1\":\"[^\"]*\"" | cut -d'"' -f4)
    [ -n "$vals" ] || { echo "  # no hits"; show; return 1; }
    if grep -qvxF -- "$2" <<<"$vals"; then
        echo "  # hits with $1 other than $2: $(grep -vxF -- "$2" <<<"$vals" | sort -u | tr '\n' ' ')"
        return 1
    fi
}
same() { # same A B [WHAT]
    [ "$1" = "$2" ] || { echo "  # ${3:-values} differ: '$1' vs '$2'"; return 1; }
}
log_has() { # log_has ERE: the server's stderr has a line matching ERE
    grep -Eq -- "$1" "$T/log" || {
        echo "  # no log line matches /$1/; last lines:"
        tail -3 "$T/log" | cut -c1-300 | sed 's/^/  #   /'
        return 1
    }
}
log_utf8_clean() { # the access-log line of /log%ffprobe exists and holds no raw 0xff byte
    local line
    line=$(LC_ALL=C grep -a '"path":"/log[^"]*probe"' "$T/log")
    [ -n "$line" ] || { echo "  # no access-log line for /log%ffprobe"; return 1; }
    if LC_ALL=C grep -q "$(printf '\377')" <<<"$line"; then
        echo "  # raw byte 0xff (M-^?) in: $(cat -v <<<"$line")"
        return 1
    fi
}
log_path_ok() { # log_path_ok PATH: its log line has PATH, then \u0001 whole or nothing
    grep -Eq "\"path\":\"$1(\\\\u0001)?\",\"status\":404," "$T/log" || {
        local line
        line=$(grep -F "\"path\":\"$1" "$T/log" | tail -1)
        if [ -n "$line" ]; then echo "  # the line ends: ${line: -90}"; else echo "  # no log line for that path (did the server die?)"; fi
        return 1
    }
}
alive() { kill -0 "$SRV" 2>/dev/null || { echo "  # the server process is gone"; return 1; }; }
healthy() { req "$U/healthz" && is 200 '"status":"ok"' && alive; }
raw() { # raw BYTES...: one raw request on its own connection, answer in $T/raw
    ( # a subshell: a write to a closed socket (SIGPIPE) must not end the script
        exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
        printf '%b' "$*" >&3
        timeout 3 cat <&3 >"$T/raw"
    )
}

start_server() { # starts serve on a free port: $SRV, $PORT; stdout in $T/out, stderr in $T/log
    : >"$T/out" # not the last server's line: the job below truncates it only once it runs
    "$REXIAN" serve --index "$T/idx" --db "$T/db" --corpus "$T/corpus" --listen 127.0.0.1:0 >"$T/out" 2>"$T/log" &
    SRV=$!
    wait_served $SRV "$T/out"
    if [ -z "$PORT" ]; then
        echo "  # the server did not start; its output:"
        sed 's/^/  #   /' "$T/out" "$T/log" | head -20
    fi
}

# --- index a copy of the shipped corpus and start the server on a free port
cp -r "$ROOT/corpus" "$T/corpus"
"$REXIAN" index --quiet "$T/corpus" "$T/idx" 2>"$T/index.err"
check "the corpus copy indexes with exit 0" [ $? -eq 0 ]
start_server
ADMIN=$(sed -n '2,$p' "$T/out" | grep -o 'rx_[A-Za-z0-9_-]*' | head -1)
check "serve prints its URL with the real port on its first line" [ -n "$PORT" ]
check "first start prints the admin token" [ -n "$ADMIN" ]
if [ -z "$PORT" ] || [ -z "$ADMIN" ]; then
    finish
    exit 1
fi
U=http://127.0.0.1:$PORT

# --- health, without a token
req "$U/healthz"
check "GET /healthz without a token is 200 with status, documents, generation 1" \
    body_matches '^\{"status":"ok","index":\{"documents":[0-9]+,"generation":1\}\}$'
DOCS=$(grep -o '"documents":[0-9]*' "$T/body" | cut -d: -f2)
check "healthz counts the shipped corpus (more than 400 documents)" [ "${DOCS:-0}" -gt 400 ]

# --- authentication: every authenticated endpoint, without and with a bad token
for ep in "GET /metrics" "GET /api/v1/search?q=x" "GET /api/v1/suggest?q=x" \
    "GET /api/v1/docs/zjj-2024-003" "GET /api/v1/admin/users" "POST /api/v1/admin/users" \
    "POST /api/v1/admin/reindex" "GET /api/v1/admin/reindex/1"; do
    m=${ep%% *} p=${ep#* }
    req -X "$m" -d '{"name":"x","role":"agent"}' "$U$p"
    check "$ep without a token is 401 unauthorized" err 401 unauthorized
    req -X "$m" -H 'Authorization: Bearer rx_not-a-real-token' -d '{"name":"x","role":"agent"}' "$U$p"
    check "$ep with a bad token is 401 unauthorized" err 401 unauthorized
done
req -H "Authorization: Basic YWRtaW46YWRtaW4=" "$U/metrics"
check "a non-Bearer Authorization is 401 unauthorized" err 401 unauthorized
req -H "Authorization: Bearer ${ADMIN}x" "$U/metrics"
check "the admin token with a byte appended is 401" err 401 unauthorized

# --- roles: an agent from `rexian user add` while the server runs (shared SQLite)
AGENT=$("$REXIAN" user add clerk --role agent --db "$T/db" 2>"$T/user.err")
check "rexian user add works while the server runs" grep -Eq '^rx_[A-Za-z0-9_-]+$' <<<"$AGENT"
req -H "Authorization: Bearer $AGENT" --get --data-urlencode q=装修 "$U/api/v1/search"
check "the CLI-created agent token is accepted for search" is 200 '"hits":['
req -H "Authorization: Bearer $AGENT" "$U/api/v1/admin/users"
check "agent gets 403 forbidden on GET /api/v1/admin/users" err 403 forbidden
req -H "Authorization: Bearer $AGENT" -d '{"name":"sneaky","role":"admin"}' "$U/api/v1/admin/users"
check "agent gets 403 forbidden on POST /api/v1/admin/users" err 403 forbidden
req -H "Authorization: Bearer $AGENT" -X POST "$U/api/v1/admin/reindex"
check "agent gets 403 forbidden on POST /api/v1/admin/reindex" err 403 forbidden

# --- users: create, duplicate, bad input
api -H 'Content-Type: application/json' -d '{"name":"trainer1","role":"trainer"}' "$U/api/v1/admin/users"
check "POST /api/v1/admin/users as admin is 201 with name, role and token" \
    is 201 '"name":"trainer1"' '"role":"trainer"' '"token":"rx_'
TRAINER=$(grep -o 'rx_[A-Za-z0-9_-]*' "$T/body" | head -1)
req -H "Authorization: Bearer $TRAINER" --get --data-urlencode q=公积金 "$U/api/v1/search"
check "the new user's token works at once" is 200 '"hits":['
req -H "Authorization: Bearer $TRAINER" "$U/api/v1/admin/users"
check "trainer (created over HTTP) gets 403 forbidden on admin/users" err 403 forbidden
api -d '{"name":"clerk","role":"agent"}' "$U/api/v1/admin/users"
check "duplicate name (made by the CLI) is 409 user_exists" err 409 user_exists
api -d '{"name":"x","role":' "$U/api/v1/admin/users"
check "malformed JSON body is 400 invalid_json" err 400 invalid_json
api -d '["name","role"]' "$U/api/v1/admin/users"
check "a JSON array body is 400 invalid_json" err 400 invalid_json
api -d '{"name":"x","role":"god"}' "$U/api/v1/admin/users"
check "unknown role is 422 invalid_role" err 422 invalid_role
api "$U/api/v1/admin/users"
check "GET /api/v1/admin/users lists users made by the CLI and over HTTP" \
    is 200 '"users":[' '"name":"clerk"' '"name":"trainer1"' '"name":"admin"'
no_tokens() { is 200 '"users":[{' && body_lacks rx_; }
check "the user list reveals no tokens" no_tokens
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$T/big"
api -H 'Content-Type: application/json' --data-binary @"$T/big" "$U/api/v1/admin/users"
check "a body of 1 MiB + 1 byte is 413 body_too_large" err 413 body_too_large
check "the server answers /healthz after the oversized body" healthy
api -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" "$U/api/v1/admin/users"
check "a chunked body over 1 MiB (no Content-Length) is 413 body_too_large" err 413 body_too_large

# --- search
api --get --data-urlencode q=楼上天天砸墙几点能装修 "$U/api/v1/search"
check "search is 200 with query, total, took_ms, hits, facets" \
    is 200 '{"query":"楼上天天砸墙几点能装修","total":' '"took_ms":' '"hits":[{' '"facets":{'
for k in id title department type score snippet effective expires; do
    check "search hits have \"$k\"" bash -c "grep -q '\"$k\":' <<<\"\$1\"" _ "$(hits)"
done
S='"([^"\\]|\\.)*"'
check "a hit object is exactly id,title,department,type,score,snippet,effective,expires" \
    body_matches "\"hits\":\[\{\"id\":$S,\"title\":$S,\"department\":$S,\"type\":\"(policy|guide|notice|faq)\",\"score\":[0-9.]+,\"snippet\":$S,\"effective\":(null|\"[0-9]{4}-[0-9]{2}-[0-9]{2}\"),\"expires\":(null|\"[0-9]{4}-[0-9]{2}-[0-9]{2}\")\}"
check "snippets mark matches with <mark>…</mark>" body_matches '"snippet":"[^"]*<mark>[^"]*</mark>'
check "the colloquial query 楼上天天砸墙几点能装修 finds a zjj- document" \
    id_like '^zjj-'
check "a search answer says whether it is confident" body_matches '"confident":(true|false),"confidence":[0-9.]+'
api --get --data-urlencode q=株洲市住宅装修施工时段管理规定 "$U/api/v1/search"
check "a document's own title is answered confident:true" is 200 '"confident":true'
api --get --data-urlencode q=附近哪家火锅店好吃又便宜 "$U/api/v1/search"
check "a question the knowledge base does not cover is answered confident:false" is 200 '"confident":false'
check "facets have department and type objects" body_matches '"facets":\{"department":\{"[^"]+":[0-9]+.*\},"type":\{"(policy|guide|notice|faq)":[0-9]+'
api --get --data-urlencode q=装修 --data-urlencode department=住建局 "$U/api/v1/search"
check "department=住建局 (an alias) is 200" is 200 '"hits":[{'
check "department=住建局 returns only 市住房和城乡建设局 hits" only department 市住房和城乡建设局
check "department facet under the filter names only 市住房和城乡建设局" \
    body_matches '"facets":\{"department":\{"市住房和城乡建设局":[0-9]+\}'
api --get --data-urlencode q=医保 --data-urlencode type=faq "$U/api/v1/search"
check "type=faq returns only faq hits" only type faq
api --get --data-urlencode q=装修 --data-urlencode limit=3 "$U/api/v1/search"
check "limit=3 returns exactly 3 hits" same "$(ids | wc -l)" 3 "hit counts"
api --get --data-urlencode q=装修 --data-urlencode limit=2 "$U/api/v1/search"
second=$(ids | sed -n 2p)
api --get --data-urlencode q=装修 --data-urlencode limit=1 --data-urlencode offset=1 "$U/api/v1/search"
check "offset=1 first hit is offset=0's second hit" same "$(ids)" "${second:-(none)}" "ids"
api --get --data-urlencode q=装修施工时段管理暂行规定 --data-urlencode expired=0 "$U/api/v1/search"
check "expired=0 leaves out the expired zjj-2019-011 (expires 2024-02-29)" lacks_id zjj-2019-011
api --get --data-urlencode q=装修施工时段管理暂行规定 "$U/api/v1/search"
check "by default the expired zjj-2019-011 is left out" lacks_id zjj-2019-011
api --get --data-urlencode q=装修施工时段管理暂行规定 --data-urlencode expired=1 "$U/api/v1/search"
check "expired=1 includes the expired zjj-2019-011" has_id zjj-2019-011
check "expired=1 shows its expires date" is 200 '"id":"zjj-2019-011","title":"株洲市住宅装修施工时段管理暂行规定"' '"expires":"2024-02-29"'
api --get --data-urlencode q=装修施工时段 --data-urlencode as_of=2020-01-01 "$U/api/v1/search"
check "as_of=2020-01-01 finds zjj-2019-011, in force then" has_id zjj-2019-011
check "as_of=2020-01-01 leaves out zjj-2024-003 (effective 2024-03-01)" lacks_id zjj-2024-003
api --get --data-urlencode q=装修施工时段 "$U/api/v1/search"
check "without as_of the current zjj-2024-003 is found" has_id zjj-2024-003
check "without as_of zjj-2019-011 is not" lacks_id zjj-2019-011
head -c 1024 /dev/zero | tr '\0' a >"$T/q1024"
api --get --data-urlencode q@"$T/q1024" "$U/api/v1/search"
check "q of exactly 1024 bytes is accepted" is 200 '"hits":['

# --- search errors
api "$U/api/v1/search"
check "search without q is 400 missing_query" err 400 missing_query
api "$U/api/v1/search?q="
check "search with an empty q is 400 missing_query" err 400 missing_query
api "$U/api/v1/search?q=%ff%fe"
check "q=%ff%fe is 400 invalid_utf8" err 400 invalid_utf8
for bad in limit=0 limit=101 limit=abc limit=5x offset=-1 offset=10001 expired=2 type=rule \
    type=FAQ as_of=2020-13-01 as_of=2020-02-30 as_of=yesterday; do
    api "$U/api/v1/search?q=%E8%A3%85%E4%BF%AE&$bad"
    check "search $bad is 400 invalid_parameter" err 400 invalid_parameter
done
api --get --data-urlencode q=装修 --data-urlencode department=不存在的部门 "$U/api/v1/search"
check "an unknown department is 422 unknown_department (as in tickets: one error table)" err 422 unknown_department
printf 'a%.0s' {1..1025} >"$T/q1025"
api --get --data-urlencode q@"$T/q1025" "$U/api/v1/search"
check "q of 1025 bytes is 400 parameter_too_long" err 400 parameter_too_long
api "$U/api/v1/search?$(printf 'p%d=1&' {1..33})q=a"
check "33 query parameters is 400 too_many_parameters" err 400 too_many_parameters

# --- suggest
api --get --data-urlencode q=装修 "$U/api/v1/suggest"
check "suggest is 200 with suggestions that have id and title" \
    body_matches '^\{"query":"装修","suggestions":\[\{"id":"[a-z0-9-]+","title":"[^"]+"'
check "suggest gives 1 to 8 suggestions by default" bash -c 'n=$(grep -o "\"id\":" "$1" | wc -l); [ "$n" -ge 1 ] && [ "$n" -le 8 ] || { echo "  # $n suggestions"; false; }' _ "$T/body"
api "$U/api/v1/suggest"
check "suggest without q is 400 missing_query" err 400 missing_query
api "$U/api/v1/suggest?q=a&limit=21"
check "suggest limit=21 is 400 invalid_parameter" err 400 invalid_parameter

# --- documents
api "$U/api/v1/docs/zjj-2024-003"
check "GET /api/v1/docs/zjj-2024-003 is 200 with the document and its body" \
    is 200 '{"id":"zjj-2024-003","title":"株洲市住宅装修施工时段管理规定"' '"department":"市住房和城乡建设局"' '"tags":[' '"effective":"2024-03-01"'
check "the document body is not empty" body_matches '"body":"[^"]{20,}'
api "$U/api/v1/docs/zjj-1999-404"
check "an unknown document id is 404 not_found" err 404 not_found
api --path-as-is "$U/api/v1/docs/../../../etc/passwd"
check "a path-like id (../../../etc/passwd) is 404 not_found" err 404 not_found
api "$U/api/v1/docs/..%2F..%2F..%2Fetc%2Fpasswd"
check "an encoded path-like id (..%2F..%2Fetc) is 404 not_found" err 404 not_found
api --path-as-is "$U/api/v1/docs/.."
check "the id '..' is 404 not_found" err 404 not_found

# --- routing
api "$U/api/v1/nope"
check "an unknown route is 404 not_found" err 404 not_found
api "$U/healthz/"
check "a trailing slash is another route: 404 not_found" err 404 not_found
req -X POST -d 'q=x' "$U/api/v1/search"
check "POST /api/v1/search is 405 method_not_allowed" err 405 method_not_allowed
check "POST /api/v1/search's 405 carries Allow: GET" header_is Allow GET
req -X DELETE "$U/healthz"
check "DELETE /healthz is 405 method_not_allowed" err 405 method_not_allowed
check "DELETE /healthz's 405 carries Allow: GET" header_is Allow GET
api -X PUT "$U/api/v1/admin/users"
check "PUT /api/v1/admin/users is 405 with Allow: GET, POST" header_is Allow 'GET, POST'

# --- hostile clients
head -c 10000 /dev/zero | tr '\0' a >"$T/q10k"
api --get --data-urlencode q@"$T/q10k" "$U/api/v1/search"
check "a 10 KB URL gets a JSON error (400 parameter_too_long), not an HTML page" err 400 parameter_too_long
check "the 10 KB URL error is served as application/json" header_is Content-Type 'application/json; charset=utf-8'
head -c 100000 /dev/zero | tr '\0' a >"$T/q100k"
api --get --data-urlencode q@"$T/q100k" "$U/api/v1/search"
check "a 100 KB URL, past the connection's 32 KiB pool, is refused with 414" is 414
head -c 300000 /dev/zero | tr '\0' a >"$T/q300k"
api --get --data-urlencode q@"$T/q300k" "$U/api/v1/search"
check "the server survives a 300 KB URL" healthy
for ((k = 0; k < 50; k++)); do
    ( # a subshell each: the server may close first, and SIGPIPE ends the writer
        exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
        case $((k % 3)) in
        0) head -c 600 /dev/urandom >&3 ;;
        1) { printf 'GET /api/v1/search?q='; head -c 200 /dev/urandom; printf ' HTTP/1.1\r\nHost: x\r\n\r\n'; } >&3 ;;
        2) { printf 'POST /api/v1/admin/users HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n'; head -c 300 /dev/urandom; printf '\r\n\r\n'; } >&3 ;;
        esac
    ) 2>/dev/null
done
check "50 garbage requests do not kill the server (healthz 200)" healthy

# --- metrics
api "$U/metrics"
check "GET /metrics with a token is 200 Prometheus text" is 200 '# TYPE rexian_http_requests_total counter'
check "metrics count search requests by route and status class" body_matches '^rexian_http_requests_total\{route="search",method="GET",code="2xx"\} [1-9][0-9]*$'
check "metrics have rexian_index_documents $DOCS" body_matches "^rexian_index_documents $DOCS\$"
check "metrics are served as Prometheus text/plain" header_is Content-Type 'text/plain; version=0.0.4; charset=utf-8'

# --- the access log: one JSON line per request
for k in 1 2 3; do api "$U/api/v1/log-probe-$k"; done
check "each request has one access-log line with status and ms" bash -c '
    for k in 1 2 3; do
        n=$(grep -c "\"path\":\"/api/v1/log-probe-$k\",\"status\":404,\"bytes\":[0-9]*,\"ms\":[0-9.]*,\"user\":\"-\"}\$" "$1")
        [ "$n" -eq 1 ] || { echo "  # $n log lines for /api/v1/log-probe-$k"; exit 1; }
    done' _ "$T/log"
check "access-log lines are JSON objects with ts, method, path, status, bytes, ms, user" \
    log_has '^\{"ts":"[0-9T:-]+Z","remote":"127\.0\.0\.1","method":"GET","path":"/api/v1/search","status":200,"bytes":[0-9]+,"ms":[0-9]+\.[0-9]+,"user":"admin"\}$'
raw 'GE"T /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
check "a method with a quote is escaped in the access log" log_has '"method":"GE(\\"|\\u0022)T",'
api -d '{"name":"o\"brien","role":"agent"}' "$U/api/v1/admin/users"
QUOTED=$(grep -o 'rx_[A-Za-z0-9_-]*' "$T/body" | head -1)
req -H "Authorization: Bearer $QUOTED" "$U/api/v1/search?q=log-user-probe"
check "a user name with a quote is escaped in the access log" \
    log_has '"path":"/api/v1/search","status":200,.*"user":"o(\\"|\\u0022)brien"\}$'
req "$U/log%ffprobe"
check "a path with invalid UTF-8 is 400 invalid_utf8" err 400 invalid_utf8
check "the access log stays valid UTF-8 (no raw 0xff byte from that path)" \
    log_utf8_clean
long=/$(printf 'a%.0s' {1..249})
req "$U$long%01"
check "a control byte at the end of a 250-byte path is escaped whole in the log" log_path_ok "$long"
check "the server is alive after logging that path" healthy

# --- swapping in a new index under load
cat >"$T/corpus/minzheng/mzj-e2e-001.md" <<'EOF'
---
id: mzj-e2e-001
title: 株洲市萤火虫观测志愿者补贴暂行办法
department: 市民政局
type: notice
tags: [测试, 志愿者]
effective: 2026-01-01
---
萤火虫观测志愿者每次参加夜间观测，可领取交通补贴三十元。
EOF
: >"$T/bad"
rm -f "$T/stop"
load() { # load N QUERY: search until $T/stop appears, recording every non-200
    local n=0 c
    while [ ! -e "$T/stop" ] && [ $n -lt 3000 ]; do
        c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $ADMIN" \
            --get --data-urlencode "q=$2" --data-urlencode department=民政局 "$U/api/v1/search")
        [ "$c" = 200 ] || echo "loop $1: $c" >>"$T/bad"
        n=$((n + 1))
    done
    echo $n >"$T/count.$1"
}
for k in 1 2 3 4; do
    case $k in 1) q=低保申请 ;; 2) q=萤火虫观测志愿者 ;; 3) q=养老补贴 ;; 4) q=婚姻登记需要什么材料 ;; esac
    load $k "$q" &
    LOADERS+=($!)
done
t_start=$SECONDS
sleep 1.5
"$REXIAN" index --quiet "$T/corpus" "$T/idx" 2>"$T/index.err"
rc=$?
gen2=no
for ((k = 0; k < 20; k++)); do
    req "$U/healthz"
    grep -q '"generation":2}' "$T/body" && { gen2=yes; break; }
    sleep 0.05
done
check "indexing the changed corpus under load exits 0" [ $rc -eq 0 ]
check "healthz reports generation 2 within 1 s of the index command returning" \
    bash -c "[ $gen2 = yes ] || { echo '  # still: '\"\$(cat \"\$1\")\"; false; }" _ "$T/body"
gens=$(for k in 1 2 3 4 5 6 7 8; do curl -s "$U/healthz" | grep -o '"generation":[0-9]*'; done | sort -u | tr '\n' ' ')
check "every worker serves generation 2 (8 healthz in a row)" same "$gens" '"generation":2 ' "generations"
check "healthz counts the added document" is 200 "\"documents\":$((DOCS + 1)),"
api --get --data-urlencode q=株洲市萤火虫观测志愿者补贴暂行办法 "$U/api/v1/search"
check "a search for the new document's unique title finds it first" same "$(ids | head -1)" mzj-e2e-001 "top ids"
api "$U/api/v1/docs/mzj-e2e-001"
check "the new document is served by /api/v1/docs" is 200 '"id":"mzj-e2e-001"' '"department":"市民政局"'
# a second swap: gen 1 is pruned while the workers still may hold it
sleep 1
rm "$T/corpus/minzheng/mzj-e2e-001.md"
"$REXIAN" index --quiet "$T/corpus" "$T/idx" 2>"$T/index.err"
check "a second index run under load (removing the document) exits 0" [ $? -eq 0 ]
gen3=no
for ((k = 0; k < 20; k++)); do
    req "$U/healthz"
    grep -q '"generation":3}' "$T/body" && { gen3=yes; break; }
    sleep 0.05
done
check "healthz reports generation 3 within 1 s" [ $gen3 = yes ]
api "$U/api/v1/docs/mzj-e2e-001"
check "the removed document is 404 not_found after the swap" err 404 not_found
while [ $((SECONDS - t_start)) -lt 6 ]; do sleep 0.2; done
touch "$T/stop"
wait "${LOADERS[@]}"
LOADERS=()
total=0
for f in "$T"/count.*; do [ -e "$f" ] && total=$((total + $(cat "$f"))); done
check "the 4 load loops ran (at least 100 searches; ran ${total:-0})" [ "${total:-0}" -ge 100 ]
no_bad() { # no_bad TOTAL: the loops ran, and none recorded a non-200
    [ "$1" -ge 100 ] || { echo "  # only $1 searches ran"; return 1; }
    [ ! -s "$T/bad" ] || {
        echo "  # $(wc -l <"$T/bad") non-200 of $1: $(sort "$T/bad" | uniq -c | head -5 | tr '\n' ' ')"
        return 1
    }
}
check "zero non-200 answers during both swaps" no_bad "$total"

# --- an admin edits related.txt and reindexes through the API: no restart
top_id() { api --get --data-urlencode "q=$1" "$U/api/v1/search" && ids | head -1; }
check "before the edit, 家里揭不开锅了 does not find a 民政 document first" \
    bash -c '[[ $1 != *mzj* ]] || { echo "  # top: $1"; false; }' _ "$(top_id 家里揭不开锅了)"
printf '揭不开锅 => 最低生活保障\n' >>"$T/corpus/related.txt"
api -X POST "$U/api/v1/admin/reindex"
job=$(grep -o '"job":"[^"]*"' "$T/body" | cut -d'"' -f4)
check "the reindex job is accepted (202)" is 202 '"job":"'
for ((k = 0; k < 200 * SLOW; k++)); do
    api "$U/api/v1/admin/reindex/$job"
    grep -q '"status":"\(done\|failed\)"' "$T/body" && break
    sleep 0.05
done
check "the reindex job finishes and publishes" is 200 '"status":"done"' '"published":true'
check "after the reindex, 家里揭不开锅了 finds a 民政 document first" \
    bash -c '[[ $1 == *mzj* ]] || { echo "  # top: $1"; false; }' _ "$(top_id 家里揭不开锅了)"

# --- API requests wait in one queue for the next free worker, whichever
# socket thread took their connection (a burst of connects can all land on
# one): 8 keep-alive clients at once keep both workers of --threads 2 busy
worker_ticks() { # the CPU ticks of each rx-worker thread, one a line
    local t
    for t in /proc/$SRV/task/*; do
        [ "$(cat "$t/comm" 2>/dev/null)" = rx-worker ] && awk '{print $14 + $15}' "$t/stat"
    done
}
check "serve runs two rx-worker threads by default" same "$(worker_ticks | wc -l)" 2 "worker threads"
before=$(worker_ticks | tr '\n' ' ')
urls=()
for ((k = 0; k < 150; k++)); do urls+=("$U/api/v1/search?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%8F%90%E5%8F%96%E8%A6%81%E5%8A%9E%E4%BB%80%E4%B9%88%E6%89%8B%E7%BB%AD&limit=10"); done
pids=()
for ((c = 0; c < 8; c++)); do
    curl -s -H "Authorization: Bearer $AGENT" "${urls[@]}" >/dev/null &
    pids+=($!)
done
wait "${pids[@]}"
both_busy() {
    local b=($before) a=($(worker_ticks))
    [ ${#a[@]} -eq 2 ] && [ $((a[0] - b[0])) -gt 0 ] && [ $((a[1] - b[1])) -gt 0 ] ||
        { echo "  # CPU ticks per worker before: ${b[*]}, after: ${a[*]}"; return 1; }
}
check "1,200 searches from 8 connections at once run on both workers" both_busy
api "$U/api/v1/stats/resolution"
api "$U/metrics"
check "a report waits in the background lane, behind what call-takers wait on" \
    body_matches '^rexian_http_queue_wait_seconds_count\{lane="background"\} [1-9][0-9]*$'
check "metrics count the searches' waits for a worker" \
    body_matches '^rexian_http_queue_wait_seconds_count\{lane="interactive"\} (1[2-9]|[2-9][0-9])[0-9]{2,}$'
check "metrics show the queues empty and the two workers" \
    bash -c 'grep -qx "rexian_http_queue_depth{lane=\"interactive\"} 0" "$1" && grep -qx "rexian_http_workers 2" "$1"' _ "$T/body"

# --- graceful shutdown: a request in flight finishes, then exit 0
check "the server is running before the shutdown test" alive
body='{"name":"late","role":"agent"}'
: >"$T/raw"
if exec 4<>"/dev/tcp/127.0.0.1/$PORT"; then
    # headers and half the body: the request is in flight when SIGTERM comes
    printf 'POST /api/v1/admin/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
        "$ADMIN" ${#body} "${body:0:12}" >&4
    sleep 0.3
fi 2>/dev/null
kill -TERM $SRV 2>/dev/null
sleep 0.3
check "after SIGTERM new connections are refused" \
    same "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$U/healthz")" 000 "status codes"
{
    printf '%s' "${body:12}" >&4
    timeout 5 cat <&4 >"$T/raw"
    exec 4<&-
} 2>/dev/null
in_flight_done() {
    head -1 "$T/raw" | grep -q "^HTTP/1.1 201" && grep -q '"name":"late"' "$T/raw" ||
        { echo "  # got: $(head -c 200 "$T/raw" | tr '\r\n' '  ')"; return 1; }
}
check "the request in flight at SIGTERM completes (201 Created)" in_flight_done
check "the server exits within 5 s of SIGTERM" wait_exit $SRV 5
kill -0 $SRV 2>/dev/null && kill -9 $SRV # still running: do not wait for ever
{ wait $SRV; } 2>/dev/null
rc=$?
SRV=
check "the server exits with status 0 (got $rc)" [ $rc -eq 0 ]
check "the server logged the shutdown" log_has '^rexian serve: SIGTERM received, finishing requests in flight$'

# --- a restart on the same database; idle keep-alive connections at shutdown
start_server
check "the server restarts on the same index and database" [ -n "$PORT" ]
U=http://127.0.0.1:$PORT
check "a restart prints no admin token (the database has users)" bash -c 'grep -q 正在服务 "$1" && ! grep -q "rx_" "$1"' _ "$T/out"
req -H "Authorization: Bearer $AGENT" "$U/api/v1/docs/zjj-2024-003"
check "tokens survive the restart" is 200 '"id":"zjj-2024-003"'
# a client (a browser, a proxy) keeps its connection open after an answer
status_line=
if [ -n "$PORT" ] && exec 4<>"/dev/tcp/127.0.0.1/$PORT"; then
    printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&4
    IFS= read -r -t 3 status_line <&4
fi
check "a keep-alive request on the restarted server is answered" \
    same "${status_line%$'\r'}" 'HTTP/1.1 200 OK' "status lines"
kill -TERM $SRV
idle_exit() {
    wait_exit $SRV 3 ||
        { echo "  # still running 3 s after SIGTERM: the idle connection holds it (up to the 10 s grace)"; return 1; }
}
check "SIGTERM with only an idle keep-alive connection open exits within 3 s" idle_exit
disown $SRV 2>/dev/null # no "Killed" notice from the shell
kill -9 $SRV 2>/dev/null
SRV=
exec 4<&-

finish
