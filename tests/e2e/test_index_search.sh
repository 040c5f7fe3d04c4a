#!/usr/bin/env bash
# `rexian index` and `rexian search` end to end: the shipped corpus, broken
# files, incremental updates, expiry, and fatal errors leaving the index be.
. "$(dirname "$0")/lib.sh"

# --- the shipped corpus indexes cleanly and answers the seed's cases
"$REXIAN" index --quiet "$ROOT/corpus" "$T/idx" 2>"$T/err"
rc=$?
check "shipped corpus indexes with exit 0" [ $rc -eq 0 ]
check "summary line names documents and MB/s" grep -Eq '^[0-9]+ documents in generation 1 \(published\).* MB/s$' "$T/err"
check "no rejections in the shipped corpus" grep -q ' 0 rejected' "$T/err"

top() { "$REXIAN" search --index "$T/idx" --today 2026-11-28 --json --limit 3 "$@" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4; }
check "colloquial query finds the decoration-hours rule or its FAQ" \
    bash -c "[[ \$(\"$REXIAN\" search --index \"$T/idx\" --json --limit 3 楼上天天砸墙几点能装修) == *zjj-* ]]"
check "typo 异地就医备按 finds the 异地就医 guide in the top 3" \
    bash -c "\"$REXIAN\" search --index \"$T/idx\" --json --limit 3 异地就医备按 | grep -q ybj-"
check "a query typed in pinyin with the input method off finds the 公积金 guides" \
    bash -c "[[ \$(\"$REXIAN\" search --index \"$T/idx\" --json --limit 1 gongjijin tiqu) == *gjj-* ]]"
check "letters that are not pinyin stay a Latin word (no hits here)" \
    bash -c "\"$REXIAN\" search --index \"$T/idx\" --limit 1 wifi | grep -q 没有找到相关文档"
hant=$("$REXIAN" search --index "$T/idx" --json --limit 3 社保卡丟了怎麼補辦)
hans=$("$REXIAN" search --index "$T/idx" --json --limit 3 社保卡丢了怎么补办)
check "a query in traditional characters ranks as its simplified twin" \
    bash -c '[[ -n "$1" && "$1" == "$2" ]]' _ "$hant" "$hans"
# --- a remote shard (xapian-tcpsrv over the live generation, named by a
# stub) answers as the local index: facets fall back to Xapian's own spy
gen=$(awk '{print $2}' "$T/idx/current")
for rport in 34611 34623 34637 34649; do
    # its own session: on SIGTERM the server signals its whole process group
    setsid xapian-tcpsrv --port "$rport" "$T/idx/$gen" >"$T/tcpsrv.log" 2>&1 &
    rpid=$!
    for _ in $(seq 50); do grep -q Listening "$T/tcpsrv.log" 2>/dev/null && break; sleep 0.1; done
    kill -0 "$rpid" 2>/dev/null && break
done
printf 'remote %s:%s\n' 127.0.0.1 "$rport" >"$T/remote.stub"
remote=$("$REXIAN" search --index "$T/remote.stub" --json --limit 5 公积金提取 2>&1)
local_=$("$REXIAN" search --index "$T/idx" --json --limit 5 公积金提取)
check "a remote shard answers the same hits as the local index" \
    bash -c '[[ "$1" == *gjj* && "$1" == "$2" ]]' _ "$remote" "$local_"
kill "$rpid" 2>/dev/null
wait "$rpid" 2>/dev/null

out=$("$REXIAN" search --index "$T/idx" --json --limit 1 装修施工时段管理规定)
for k in id title department type score snippet effective expires; do
    check "--json hit has \"$k\"" grep -q "\"$k\":" <<<"$out"
done
check "snippet marks matches" grep -q '<mark>' <<<"$out"
check "plain output lists ranked hits" bash -c "\"$REXIAN\" search --index \"$T/idx\" 公积金提取 | grep -q '^ 1\\. '"
"$REXIAN" search --index "$T/idx" --department 不存在的部门 装修 >/dev/null 2>"$T/err"
check "unknown department is an error naming it" grep -q '不存在的部门' "$T/err"
"$REXIAN" search --index "$T/nope" 装修 >/dev/null 2>"$T/err"
check "missing index is a clear error" grep -q 'does not exist' "$T/err"
"$REXIAN" serve --help >"$T/out" 2>"$T/err"
rc=$?
check "a command's --help prints the usage on stdout and exits 0" \
    bash -c '[ "$3" -eq 0 ] && grep -q "rexian serve" "$1" && [ ! -s "$2" ]' _ "$T/out" "$T/err" "$rc"

# --- a small corpus of our own: broken files are reported, the rest indexed
C=$T/corpus
mkdir -p "$C/zjj" "$C/faq"
printf '市住房和城乡建设局 住建局\n市医疗保障局 医保局\n' >"$C/departments.txt"
printf '噪声 噪音\n' >"$C/synonyms.txt"
doc() { # doc FILE ID TITLE EXPIRES BODY
    printf -- '---\nid: %s\ntitle: %s\ndepartment: 住建局\ntype: policy\ntags: [测试]\neffective: 2019-01-01\n%s---\n%s\n' \
        "$2" "$3" "${4:+expires: $4
}" "$5" >"$C/zjj/$1"
}
doc good.md zjj-good 装修噪声管理规定 "" "第一条 工作日中午禁止产生噪声的装修作业。"
doc old.md zjj-old 旧版装修噪声规定 2020-12-31 "第一条 已经废止的旧版装修噪声规定。"
printf -- '---\nid: zjj-bad\ntitle: 坏文件\ndepartment: 住建局\ntype: rule\neffective: 2024-01-01\n---\n正文\n' >"$C/zjj/bad.md"
printf -- '---\nid: zjj-good\ntitle: 重复\ndepartment: 住建局\ntype: guide\neffective: 2024-01-01\n---\n重复的编号\n' >"$C/zjj/zdup.md"
printf 'id,question,answer,department,tags\nfaq-1,"医保卡丢了怎么补","带身份证到医保窗口补办，当场可取。",医保局,医保;补卡\nfaq-2,"缺一列","答案",医保局\n' >"$C/faq/a.csv"
"$REXIAN" index --quiet "$C" "$T/small" 2>"$T/err"
rc=$?
check "rejections give exit status 1" [ $rc -eq 1 ]
check "bad type reported as PATH:LINE: reason" grep -q "zjj/bad.md:5: 未知类型“rule”" "$T/err"
check "duplicate id reported with its file" grep -q "zjj/zdup.md:1: id“zjj-good”重复" "$T/err"
check "short CSV row reported with its line" grep -q "faq/a.csv:3: 该行有 4 个字段" "$T/err"
check "good documents are indexed despite the bad ones" bash -c "\"$REXIAN\" search --index \"$T/small\" --json 装修噪音 | grep -q zjj-good"
check "FAQ rows are indexed" bash -c "\"$REXIAN\" search --index \"$T/small\" --json 医保卡补办 | grep -q faq-1"
check "alias resolved to the canonical department" bash -c "\"$REXIAN\" search --index \"$T/small\" --json 医保卡 | grep -q '市医疗保障局'"
check "expired document left out by default" bash -c "! \"$REXIAN\" search --index \"$T/small\" --json 旧版装修 | grep -q zjj-old"
check "expired document found with --expired" bash -c "\"$REXIAN\" search --index \"$T/small\" --expired --json 旧版装修 | grep -q zjj-old"
check "as-of finds the rule in force then" bash -c "\"$REXIAN\" search --index \"$T/small\" --as-of 2020-06-01 --json 旧版装修 | grep -q zjj-old"

# --- related.txt: a caller's situation words reach the concept's documents
check "without related.txt, 楼上砸墙 finds nothing (no shared words)" \
    bash -c "! \"$REXIAN\" search --index \"$T/small\" --json 楼上砸墙 | grep -q zjj-good"
printf '# 情景联想\n砸墙 电钻声 => 装修\n这一行没有箭头\n' >"$C/related.txt"
"$REXIAN" index --quiet "$C" "$T/small" 2>"$T/err"
check "a related.txt line without => is reported with its line" \
    grep -q 'related.txt:3: 联想规则需要用“=>”分隔触发词和目标词' "$T/err"
check "a related.txt change publishes a new index" grep -q 'published' "$T/err"
check "with related.txt, 楼上砸墙 finds the 装修 document" \
    bash -c "\"$REXIAN\" search --index \"$T/small\" --json 楼上砸墙 | grep -q zjj-good"
rm "$C/related.txt"

# --- synonyms-*.txt: extra synonym lists (kept apart for their source or licence)
check "without synonyms-x.txt, 嘈杂动静 finds nothing" \
    bash -c "! \"$REXIAN\" search --index \"$T/small\" --json 嘈杂动静 | grep -q zjj-good"
printf '装修噪声 嘈杂动静\n孤零零\n' >"$C/synonyms-x.txt"
"$REXIAN" index --quiet "$C" "$T/small" 2>"$T/err"
check "a bad line of synonyms-x.txt is reported with its file and line" \
    grep -q 'synonyms-x.txt:2: 同义词组至少需要两个不同的词' "$T/err"
check "with synonyms-x.txt, 嘈杂动静 finds the 装修噪声 document" \
    bash -c "\"$REXIAN\" search --index \"$T/small\" --json 嘈杂动静 | grep -q zjj-good"
rm "$C/synonyms-x.txt"

# --- confidence: shown by the CLI, and in the whole answer with --answer
"$REXIAN" search --index "$T/idx" --today 2026-11-28 --answer 株洲市住宅装修施工时段管理规定 >"$T/ans"
check "--answer prints the whole answer with confident:true for a title" \
    grep -q '"confident":true,"confidence":' "$T/ans"
"$REXIAN" search --index "$T/idx" --today 2026-11-28 --answer 附近哪家火锅店好吃又便宜 >"$T/ans"
check "a question the knowledge base does not cover is confident:false" \
    grep -q '"confident":false' "$T/ans"
check "the CLI says 没有把握 when the answer is not confident" \
    bash -c "\"$REXIAN\" search --index \"$T/idx\" --today 2026-11-28 附近哪家火锅店好吃又便宜 | grep -q 没有把握"
check "the CLI does not say 没有把握 for a confident answer" \
    bash -c "! \"$REXIAN\" search --index \"$T/idx\" --today 2026-11-28 株洲市住宅装修施工时段管理规定 | grep -q 没有把握"

# --- incremental: unchanged is a no-op, edits and deletions are picked up
rm "$C/zjj/bad.md" "$C/zjj/zdup.md"
sed -i '$d' "$C/faq/a.csv"
"$REXIAN" index --quiet "$C" "$T/small" 2>"$T/err"
check "fixed corpus indexes with exit 0" [ $? -eq 0 ]
"$REXIAN" index --quiet "$C" "$T/small" 2>"$T/err"
check "second run is up to date" grep -q 'up to date' "$T/err"
gen_before=$(cat "$T/small/current")
doc good.md zjj-good 装修噪声管理规定 "" "第一条 新增的条文提到电梯维修。"
"$REXIAN" index --quiet "$C" "$T/small" 2>"$T/err"
check "an edited file is re-indexed (1 changed)" grep -q '1 changed' "$T/err"
check "a new generation was published" [ "$(cat "$T/small/current")" != "$gen_before" ]
check "edited text is searchable" bash -c "\"$REXIAN\" search --index \"$T/small\" --json 电梯维修 | grep -q zjj-good"
rm "$C/faq/a.csv"
"$REXIAN" index --quiet "$C" "$T/small" 2>"$T/err"
check "a deleted file's documents are removed" bash -c "! \"$REXIAN\" search --index \"$T/small\" --json 医保卡补办 | grep -q faq-1"
check "old generations are pruned" [ "$(ls -d "$T/small"/gen-* | wc -l)" -le 2 ]

# --- on a terminal (a pty from script(1)) a progress bar is drawn
if command -v script >/dev/null; then
    script -qec "\"$REXIAN\" index --full \"$C\" \"$T/tty\"" /dev/null >"$T/tty.out" 2>&1
    check "a progress bar on a terminal" grep -q '\[#*  *\] *[0-9]*%\|\[#*\] 100%' "$T/tty.out"
    "$REXIAN" index --full --quiet "$C" "$T/tty2" 2>"$T/err"
    check "no progress bar with --quiet or without a terminal" bash -c "! grep -q '%' \"$T/err\""
fi

# --- fatal errors: exit 2, published index untouched
published=$(cat "$T/small/current")
"$REXIAN" index --quiet "$T/no-such-corpus" "$T/small" 2>"$T/err"
check "missing corpus gives exit 2" [ $? -eq 2 ]
check "published index unchanged after a fatal error" [ "$(cat "$T/small/current")" = "$published" ]
"$REXIAN" index 2>/dev/null
check "usage error gives exit 2" [ $? -eq 2 ]
exec 9>"$T/small/.lock"
flock 9
"$REXIAN" index --quiet "$C" "$T/small" 2>"$T/err"
check "a second indexer is refused while one holds the lock" bash -c "grep -q 'another' \"$T/err\""
exec 9>&-

finish
