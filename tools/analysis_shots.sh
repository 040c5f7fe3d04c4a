#!/usr/bin/env bash
# The demo month shown in docs/ANALYSIS.md: two demo years (40,000 tickets,
# with the call-takers' searches), served; its statistics caught up; then
# the 统计 page over MONTH and its 热线监督报告, screenshotted into
# docs/screenshots/ (tests/browser/analysis_shots.mjs), and the month's
# figures as JSON into build/analysis/. Not a test: `make analysis-shots`.
set -euo pipefail
cd "$(dirname "$0")/.."
MONTH=${MONTH:-2026-07}
W=build/analysis
rm -rf "$W" && mkdir -p "$W"
build/rexian index --quiet corpus "$W/idx" || [ $? -eq 1 ]
build/rexian demo --db "$W/demo.db" --years 2 --count 40000 --index "$W/idx" --quiet
TOKEN=$(build/rexian user add 分析员 --role supervisor --db "$W/demo.db" | tail -1)
build/rexian serve --index "$W/idx" --db "$W/demo.db" --corpus corpus --listen 127.0.0.1:0 \
    >"$W/serve.out" 2>"$W/serve.err" &
SPID=$!
trap 'kill $SPID 2>/dev/null' EXIT
for ((k = 0; k < 600; k++)); do
    grep -q 'statistics caught up' "$W/serve.err" 2>/dev/null && break
    sleep 1
done
PORT=$(sed -n '1s|^rexian .*正在服务：http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$W/serve.out")
U=http://127.0.0.1:$PORT
LAST=$(date -d "$MONTH-01 +1 month -1 day" +%F)
for r in "resolution?by=department" hotwords warnings gaps; do
    curl -s -H "Authorization: Bearer $TOKEN" "$U/api/v1/stats/${r%%\?*}?from=$MONTH-01&to=$LAST&${r#*\?}" \
        >"$W/${r%%\?*}.json"
done
curl -s -H "Authorization: Bearer $TOKEN" "$U/api/v1/stats/report?period=$MONTH&format=md" >"$W/report.md"
REXIAN_URL=$U REXIAN_TOKEN=$TOKEN MONTH=$MONTH OUT=docs/screenshots \
    NODE_PATH=tests/browser/node_modules node tests/browser/analysis_shots.mjs
