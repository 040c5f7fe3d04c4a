#!/usr/bin/env bash
# Makes the import tests' files from the Markdown in tests/fixtures/import:
# each X.md becomes X.docx (LibreOffice, headless: letterhead, page header
# and footer with the page number, tables), X.pdf (that .docx printed to
# PDF by LibreOffice, as departments do) and X.html (a saved web page: the
# article inside a site's navigation, banner and footer); scan.pdf is the
# first page of the first PDF as an image only (a scan, no text layer),
# encrypted.pdf the first PDF with a password to open it.
# Usage: fixtures.sh OUT_DIR MD2HTML. Skips the work when OUT_DIR is newer
# than every source. About 5 s.
set -eu
mkdir -p "$1"; out=$(cd "$1" && pwd)
md2html=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
src=$(cd "$(dirname "$0")/../fixtures/import" && pwd)
mkdir -p "$out"
if [ -f "$out/.stamp" ] && [ -z "$(find "$src" "$0" -newer "$out/.stamp" -print -quit)" ]; then
    exit 0
fi
command -v soffice >/dev/null || { echo "fixtures.sh: soffice missing (make browser-deps installs libreoffice-writer-nogui)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# LibreOffice keeps a profile: a private one, so that a running office or
# another test does not get in the way
profile="-env:UserInstallation=file://$work/profile"
for md in "$src"/*.md; do
    name=$(basename "$md" .md)
    body=$("$md2html" "$md")
    printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title></head><body>\n%s\n</body></html>\n' \
        "$name" "$body" >"$work/$name.html"
    # the web page: the article's text without the print layout's page
    # header and footer, inside a site's boilerplate
    article=$(printf '%s\n' "$body" | grep -v '<div title="\(header\|footer\)">')
    cat >"$out/$name.html" <<HTML
<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${name} - 株洲市人民政府门户网站</title>
<style>body{font-family:sans-serif}</style><script>var nav = "首页";</script></head>
<body>
<header class="site-header"><div class="logo">株洲市人民政府门户网站</div>
<nav class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/bsfw">办事服务</a></li><li><a href="/hdjl">互动交流</a></li></ul></nav></header>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="main"><div class="article">
${article}
</div>
<div class="share">分享到：微信 微博</div></div>
<aside class="sidebar"><h3>热点专题</h3><ul><li>优化营商环境</li><li>12345热线</li></ul></aside>
<footer class="footer"><p>主办：株洲市人民政府办公室　版权所有</p><p>网站标识码 0000000000</p></footer>
</body></html>
HTML
done
(cd "$work" && soffice $profile --headless --infilter="HTML (StarWriter)" \
    --convert-to 'docx:MS Word 2007 XML' --outdir "$out" ./*.html >/dev/null 2>&1)
(cd "$out" && soffice $profile --headless --convert-to pdf --outdir "$out" ./*.docx >/dev/null 2>&1)
first=$(ls "$src"/*.md | head -1)
first=$(basename "$first" .md)
# encrypted.pdf: the same, with a password to open it
mkdir -p "$work/enc"
(cd "$out" && soffice $profile --headless --convert-to \
    'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"secret"}}' \
    --outdir "$work/enc" "$first.docx" >/dev/null 2>&1)
mv "$work/enc/$first.pdf" "$out/encrypted.pdf"
pdftoppm -r 90 -png -f 1 -l 1 "$out/$first.pdf" "$work/scan"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p><img src="%s" width="620"></p></body></html>\n' \
    "$(ls "$work"/scan*.png | head -1)" >"$work/scan.html"
(cd "$work" && soffice $profile --headless --infilter="HTML (StarWriter)" --convert-to pdf \
    --outdir "$out" scan.html >/dev/null 2>&1)
for f in "$src"/*.md; do
    n=$(basename "$f" .md)
    for ext in docx pdf html; do
        [ -s "$out/$n.$ext" ] || { echo "fixtures.sh: $out/$n.$ext was not made" >&2; exit 1; }
    done
done
for f in scan.pdf encrypted.pdf; do
    [ -s "$out/$f" ] || { echo "fixtures.sh: $f was not made" >&2; exit 1; }
done
touch "$out/.stamp"
