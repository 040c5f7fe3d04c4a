#!/usr/bin/env bash
# make bench-search: in-process query latency of rexian and its peers (naive
# Xapian bigrams, SQLite FTS5 trigram) on the same queries, over the shipped
# corpus and a synthetic one (default 100k documents); indexing throughput,
# peak RSS and index size. A benchmark, not a test: it asserts nothing.
# Figures vary with the machine's load: compare ratios within one run.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${BENCH_DOCS:-100000}
W=${BENCH_DIR:-build/bench}
Q=tests/relevance/queries.tsv
mkdir -p "$W"
# the judged queries plus the blind set, and a few that match nothing
cut -f2 tests/relevance/queries.tsv tests/relevance/blind.tsv >"$W/queries.txt"
printf '%s\n' 'qwxz' '𠀀𠀁' 'zzzz 9999' >>"$W/queries.txt"
sed 's/^/-\t/' "$W/queries.txt" >"$W/queries.tsv"
Q=$W/queries.tsv

index_stats() { # corpus index label
    rm -rf "$2"
    /usr/bin/time -f '%e %M' -o "$W/time" build/rexian index --quiet "$1" "$2" 2>"$W/index.log" || true
    read -r secs rss <"$W/time"
    docs=$(grep -Eo '^[0-9]+ documents' "$W/index.log" | cut -d' ' -f1)
    in_mb=$(du -sm --apparent-size --exclude=.done "$1" | cut -f1)
    gen=$(sed 's/auto //' "$2/current")
    idx_mb=$(du -sm --apparent-size "$2/$gen" | cut -f1)
    printf '%s: rexian indexed %s documents in %.1f s = %.0f docs/s, %.1f MB/s; peak RSS %d MB; index %s MB for %s MB input (%.2fx)\n' \
        "$3" "$docs" "$secs" "$(echo "$docs / $secs" | bc -l)" "$(echo "$in_mb / $secs" | bc -l)" \
        $((rss / 1024)) "$idx_mb" "$in_mb" "$(echo "$idx_mb / $in_mb" | bc -l)"
}

bench_all() { # corpus index label rounds
    index_stats "$1" "$2" "$3"
    # the peers depend on the corpus only: built once per corpus
    if [ ! -f "$2.fts5" ] || [ "$1" -nt "$2.fts5" ]; then
        rm -rf "$2.naive" "$2.fts5"
        build/tools/bench_search build-peers "$1" "$2.naive" "$2.fts5"
    fi
    build/tools/bench_search rexian "$2" "$Q" "$4"
    build/tools/bench_search rexian "$2" "$Q" "$4" 2
    build/tools/bench_search naive "$2.naive" "$Q" "$4"
    build/tools/bench_search fts5 "$2.fts5" "$Q" 1
}

echo "== shipped corpus"
bench_all corpus "$W/idx-shipped" shipped 20

echo "== synthetic corpus, $N documents"
if [ ! -f "$W/syn-$N/.done" ]; then
    build/tools/gencorpus --from corpus --out "$W/syn-$N" --docs "$N" --seed 42
    touch "$W/syn-$N/.done"
fi
bench_all "$W/syn-$N" "$W/idx-$N" "synthetic $N" 3
