#!/usr/bin/env bash
# The import graph runs one way: cli → http → assist → domain (tickets,
# indexer, import; search, auth) → corpus, store → text → util. Every #include "rexian/X.h"
# in a module must name a header of the same module or of a lower layer.
# Run by `make test`; prints each violation and exits 1.
cd "$(dirname "$0")/.." || exit 2
declare -A MOD=(
    [error]=util [util]=util [strmap]=util
    [text]=text [synonyms]=text [related]=text [terms]=text
    [corpus]=corpus [store]=store
    [analyzer]=search [kb]=search [record]=search [search]=search [snippet]=search
    [roles]=auth [users]=auth
    [tickets]=tickets [workflow]=tickets
    [indexer]=indexer [reindex]=indexer
    [assist]=assist [stats]=stats [casebook]=stats [report]=stats
    [import]=import
    [http]=http [app]=http
)
declare -A RANK=([util]=0 [text]=1 [corpus]=2 [store]=2 [search]=3 [auth]=3 [tickets]=4
    [indexer]=4 [import]=4 [assist]=5 [stats]=5 [http]=6 [cli]=7)
module_of() { # the module of a source or header path
    case $1 in
    src/util/*) echo util ;; src/text/*) echo text ;; src/corpus/*) echo corpus ;;
    src/store/*) echo store ;; src/search/*) echo search ;; src/auth/*) echo auth ;;
    src/tickets/*) echo tickets ;; src/import/*) echo import ;; src/assist/*) echo assist ;; src/stats/*) echo stats ;; indexer/*) echo indexer ;; src/http/*) echo http ;;
    src/cli/*) echo cli ;;
    include/rexian/*) local h=${1##*/}; echo "${MOD[${h%.h}]:-?}" ;;
    *) echo ? ;;
    esac
}
bad=0
for f in $(git ls-files 'src/*.c' 'src/*.cc' 'src/*.h' 'indexer/*.c' 'include/rexian/*.h'); do
    m=$(module_of "$f")
    if [ "$m" = "?" ]; then
        echo "$f: not in any layer (tools/check_layers.sh knows no module for it)"
        bad=1
        continue
    fi
    while read -r h; do
        hm=${MOD[$h]:-?}
        if [ "$hm" = "?" ]; then
            echo "$f: includes rexian/$h.h, which no layer owns"
            bad=1
        elif [ "$hm" != "$m" ] && [ "${RANK[$hm]}" -ge "${RANK[$m]}" ]; then
            echo "$f ($m) includes rexian/$h.h ($hm): the layers run the other way"
            bad=1
        fi
    done < <(sed -n 's|^#include "rexian/\([a-z_]*\)\.h".*|\1|p' "$f")
done
# the core speaks its own error codes: no HTTP status below the http layer
if grep -nE '\b(rx_http_|MHD_|HTTP/1)' $(git ls-files 'src/util' 'src/text' 'src/corpus' 'src/store' \
    'src/search' 'src/auth' 'src/tickets' 'src/import' 'indexer'); then
    echo "the lines above use the HTTP layer below it"
    bad=1
fi
[ $bad -eq 0 ] && echo "layers: every include runs one way"
exit $bad
