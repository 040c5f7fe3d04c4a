#!/usr/bin/env bash
# Crash safety: `rexian index --full` is killed with SIGKILL at random moments
# while it rebuilds; after every kill the published index opens and answers,
# and the next run succeeds.
. "$(dirname "$0")/lib.sh"
KILLS=${KILLS:-24}

# a corpus several times the shipped one, so a rebuild takes a while
C=$T/corpus
mkdir -p "$C"
cp "$ROOT/corpus/"*.txt "$C/"
for copy in 1 2 3; do
    for d in "$ROOT/corpus"/*/; do
        name=$(basename "$d")
        mkdir -p "$C/$name-$copy"
        for f in "$d"*; do
            if [[ $f == *.csv ]]; then
                sed -E "2,\$s/^(\"?)([a-z0-9-]+)/\\1\\2-c$copy/" "$f" >"$C/$name-$copy/$(basename "$f")"
            else
                sed -E "s/^id: (.*)$/id: \\1-c$copy/" "$f" >"$C/$name-$copy/$(basename "$f")"
            fi
        done
    done
done
"$REXIAN" index --quiet "$C" "$T/idx" 2>"$T/err"
check "initial build succeeds" [ $? -eq 0 ]
docs=$("$REXIAN" search --index "$T/idx" --json 装修 | grep -o '"id"' | wc -l)
start=$(date +%s.%N)
"$REXIAN" index --quiet --full "$C" "$T/idx" 2>/dev/null
took=$(echo "$(date +%s.%N) - $start" | bc)
echo "# a full rebuild takes ${took}s; killing at random points within it"

bad=0
for i in $(seq 1 "$KILLS"); do
    "$REXIAN" index --quiet --full "$C" "$T/idx" 2>/dev/null &
    pid=$!
    sleep "$(echo "scale=3; $RANDOM % 1000 / 1000 * $took" | bc)"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    n=$("$REXIAN" search --index "$T/idx" --json 装修 2>/dev/null | grep -o '"id"' | wc -l)
    if [ "$n" -ne "$docs" ]; then
        bad=$((bad + 1))
        echo "# kill $i: published index answered $n hits, expected $docs"
    fi
done
check "after $KILLS kills the published index always opened and answered" [ $bad -eq 0 ]
"$REXIAN" index --quiet "$C" "$T/idx" 2>"$T/err"
check "the next run after the kills succeeds" [ $? -eq 0 ]
live=$(sed 's/auto //' "$T/idx/current")
check "the published generation passes xapian-check" xapian-check "$T/idx/$live" >/dev/null
check "no more than two generations plus leftovers remain" [ "$(ls -d "$T/idx"/gen-* | wc -l)" -le 3 ]

finish
