#!/bin/bash
# The assist's figures over several demo years (docs/ASSIST.md, "Demo draws").
# The shipped model learns from `rexian demo`: another seed is another
# year of the same generator, and moves department top-1 on a 200-ticket set
# by a few tickets. A change is judged on the mean over seeds; a set's
# figure is given with its range.
#
# usage: assist_seeds.sh INDEX WORKDIR SEEDS COUNT UNTIL SET...
#   the demo databases are kept in WORKDIR (made once per seed, count and end)
set -euo pipefail
index=$1 work=$2 seeds=$3 count=$4 until=$5
shift 5
here=$(cd "$(dirname "$0")/../.." && pwd)
rexian=${REXIAN:-$here/build/rexian}
eval_bin=${ASSIST_EVAL:-$here/build/tools/assist_eval}
mkdir -p "$work"
for s in $(seq 1 "$seeds"); do
    db=$work/demo-$count-s$s-$until.db
    [ -f "$db" ] || "$rexian" demo --quiet --db "$db" --count "$count" --seed "$s" \
        --until "$until" --index "$index" 2>/dev/null
done
printf '%-9s %-23s %-23s %-23s %s\n' set "top-1 mean [min, max]" "top-3 mean [min, max]" \
    "level mean [min, max]" "documents recall@3 mean [min, max]"
for set in "$@"; do
    docs=()
    [ -f "$here/tests/assist/${set}_docs.tsv" ] && docs=(--docs "$here/tests/assist/${set}_docs.tsv")
    for s in $(seq 1 "$seeds"); do
        "$eval_bin" --index "$index" --db "$work/demo-$count-s$s-$until.db" \
            --heldout "$here/tests/assist/$set.tsv" "${docs[@]}" 2>/dev/null
    done | awk -v set="$set" '
        function add(k, v) { n[k]++; sum[k] += v; if (!(k in lo) || v < lo[k]) lo[k] = v; if (!(k in hi) || v > hi[k]) hi[k] = v }
        function show(k) { return n[k] ? sprintf("%.3f [%.3f, %.3f]", sum[k] / n[k], lo[k], hi[k]) : "-" }
        /department top-1/ { for (i = 1; i <= NF; i++) { if ($i == "top-1" && $(i-1) == "department") add("t1", $(i+1)); if ($i == "top-3") add("t3", $(i+1) + 0); if ($i == "level") add("lv", $(i+1)) } }
        /documents recall@3/ { for (i = 1; i <= NF; i++) if ($i == "recall@3") add("doc", $(i+1)) }
        END { printf "%-9s %-23s %-23s %-23s %s\n", set, show("t1"), show("t3"), show("lv"), show("doc") }'
done
