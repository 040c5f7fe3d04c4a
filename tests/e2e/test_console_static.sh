#!/usr/bin/env bash
# The console's static files over real sockets (docs/SECURITY.md): served
# without a token, with their types and Cache-Control: no-cache; GET only;
# nothing outside the web folder reachable (.., encoded dots, symlinks,
# subfolders, dot files); missing files are 404 JSON; the API behind them
# still wants a token. Needs curl and python3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tickets_lib.sh"

# a web folder of its own: the shipped files, plus what must not be served
cp -r "$ROOT/web" "$T/web"
echo 'secret outside the web folder' >"$T/outside.txt"
ln -s "$T/outside.txt" "$T/web/link.txt"
ln -s /etc "$T/web/etc"
mkdir "$T/web/sub" && echo 'in a subfolder' >"$T/web/sub/inner.txt"
echo 'a dot file' >"$T/web/.hidden.txt"
echo 'an unknown type' >"$T/web/notes.md"
RULES+=(--web "$T/web")
boot
U=http://127.0.0.1:$PORT

req "$U/"
check "GET / without a token is the console's index.html (200, text/html; charset=utf-8)" \
    bash -c "[ $code = 200 ] && grep -qi '^content-type: text/html; charset=utf-8' '$T/headers' && cmp -s '$T/body' '$ROOT/web/index.html'"
check "… with Cache-Control: no-cache and a same-origin Content-Security-Policy" \
    bash -c "grep -qi '^cache-control: no-cache' '$T/headers' && grep -qi \"^content-security-policy: default-src 'self'\" '$T/headers'"
req "$U/index.html"
check "GET /index.html is the same file" bash -c "[ $code = 200 ] && cmp -s '$T/body' '$ROOT/web/index.html'"
req "$U/app.js"
check "GET /app.js is text/javascript; charset=utf-8" \
    bash -c "[ $code = 200 ] && grep -qi '^content-type: text/javascript; charset=utf-8' '$T/headers' && cmp -s '$T/body' '$ROOT/web/app.js'"
req "$U/app.css"
check "GET /app.css is text/css; charset=utf-8" \
    bash -c "[ $code = 200 ] && grep -qi '^content-type: text/css; charset=utf-8' '$T/headers'"
for p in /../outside.txt /%2e%2e/outside.txt /%2E%2E%2Foutside.txt /..%2foutside.txt /link.txt /etc/passwd \
    /sub/inner.txt /sub/ /sub /.hidden.txt /notes.md /missing.js /app.js/ //app.js; do
    req --path-as-is "$U$p"
    check "GET $p is 404 not_found in JSON, and shows nothing of the file" \
        bash -c "[ $code = 404 ] && grep -q '\"code\":\"not_found\"' '$T/body' && grep -qi '^content-type: application/json' '$T/headers' && ! grep -q 'secret\|subfolder\|dot file\|root:' '$T/body'"
done
req --path-as-is "$U/app.js%00/../../outside.txt"
check "an encoded NUL ends the decoded path: /app.js%00/../../outside.txt is app.js at most" \
    bash -c "[ $code = 404 ] || cmp -s '$T/body' '$ROOT/web/app.js'"
req -X POST --data-binary x "$U/app.js"
check "POST /app.js is 405 with Allow: GET" bash -c "[ $code = 405 ] && grep -qi '^allow: GET' '$T/headers'"
req -X DELETE "$U/"
check "DELETE / is 405" is 405
req "$U/api/v1/me"
check "the API behind the console still wants a token (401)" is 401 unauthorized
as "$ADMIN" "$U/api/v1/me"
check "GET /api/v1/me names the token's user and role" okj 200 "j['user']=='admin' and j['role']=='admin' and j['label']=='管理员'"
check "the API's answers stay Cache-Control: no-store" grep -qi '^cache-control: no-store' "$T/headers"
stop_server

: >"$T/out"
"$REXIAN" serve --index "$T/idx" --db "$T/db" --corpus "$T/corpus" --web "$T/nope" \
    --listen 127.0.0.1:0 >"$T/out" 2>"$T/err"
check "--web naming a missing folder is fatal (exit 2) and says why" \
    bash -c "[ $? = 2 ] && grep -q 'web folder' '$T/err'"
finish
