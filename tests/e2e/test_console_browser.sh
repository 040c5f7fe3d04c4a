#!/usr/bin/env bash
# The console in Debian's chromium, headless, driven by playwright-core
# (tests/browser/console.test.mjs) against a real `rexian serve` on a copy
# of the shipped corpus and a fresh database. `make test` installs chromium
# and playwright-core first (make browser-deps). Screenshots of each step go
# to screenshots/console/ beside the binary (build/hc/screenshots/console).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"

if [ ! -d "$ROOT/tests/browser/node_modules/playwright-core" ] || [ ! -x /usr/bin/chromium ]; then
    not_ok "playwright-core and /usr/bin/chromium are installed (run: make browser-deps)"
    finish
    exit 1
fi
RULES+=(--web "$ROOT/web")
boot
# a file the admin's reindex (管理) must reject with its line and reason
printf 'id,question,answer,department,tags\nfaq-broken-001,"只有问题没有答案"\n' >"$T/corpus/faq/zz-broken.csv"
SHOTS=$(dirname "$REXIAN")/screenshots/console
rm -rf "$SHOTS"
start=$(date +%s.%N)
REXIAN_IMPORT_DOCX=${RX_IMPORT_FIXTURES:-$ROOT/build/fixtures/import}/zjj-charging.docx \
    REXIAN_URL=$U REXIAN_ADMIN=$ADMIN SHOTS=$SHOTS timeout 120 node "$ROOT/tests/browser/console.test.mjs" >"$T/browser.out" 2>&1
rc=$?
sed 's/^/  /' "$T/browser.out"
secs=$(echo "$(date +%s.%N) - $start" | bc)
check "the browser test passes (exit $rc, $(printf '%.1f' "$secs") s)" [ $rc -eq 0 ]
check "… in under 90 s" [ "$(echo "$secs < 90" | bc)" = 1 ]
check "… and wrote a screenshot of each step in $SHOTS" [ "$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)" -ge 14 ]
stop_server
finish
