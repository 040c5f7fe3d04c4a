#!/usr/bin/env bash
# make bench-search: in-process query latency on the shipped corpus and on a
# synthetic corpus (default 100k documents), indexing throughput, peak RSS
# and index size. A benchmark, not a test: it asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${BENCH_DOCS:-100000}
W=${BENCH_DIR:-build/bench}
mkdir -p "$W"
Q=tests/relevance/queries.tsv

index_stats() { # corpus index label
    rm -rf "$2"
    /usr/bin/time -f '%e %M' -o "$W/time" build/rexian index --quiet "$1" "$2" 2>"$W/index.log" || true
    read -r secs rss <"$W/time"
    docs=$(grep -Eo '^[0-9]+ documents' "$W/index.log" | cut -d' ' -f1)
    in_mb=$(du -sm --apparent-size "$1" | cut -f1)
    gen=$(sed 's/auto //' "$2/current")
    idx_mb=$(du -sm --apparent-size "$2/$gen" | cut -f1)
    printf '%s: indexed %s documents in %.1f s = %.0f docs/s, %.1f MB/s; peak RSS %d MB; index %s MB for %s MB input (%.2fx)\n' \
        "$3" "$docs" "$secs" "$(echo "$docs / $secs" | bc -l)" "$(echo "$in_mb / $secs" | bc -l)" \
        $((rss / 1024)) "$idx_mb" "$in_mb" "$(echo "$idx_mb / $in_mb" | bc -l)"
}

echo "== shipped corpus"
index_stats corpus "$W/idx-shipped" shipped
build/tools/bench_search "$W/idx-shipped" "$Q" 50

echo "== synthetic corpus, $N documents"
if [ ! -f "$W/syn-$N/.done" ]; then
    rm -rf "$W/syn-$N"
    build/tools/gencorpus --from corpus --out "$W/syn-$N" --docs "$N" --seed 42
    touch "$W/syn-$N/.done"
fi
index_stats "$W/syn-$N" "$W/idx-$N" "synthetic $N"
build/tools/bench_search "$W/idx-$N" "$Q" 10
