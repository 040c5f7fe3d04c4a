#!/usr/bin/env bash
# Sums up the valgrind logs of `make valgrind` (build/vg/logs/SCRIPT/PID.log).
#   valgrind_report.sh DIR [NOTE]   one line for DIR: processes, errors, leaks
#   valgrind_report.sh --errors DIR every log under DIR that counts an error
#                                   is printed; exit 1 if there is one
set -u
if [ "${1:-}" = --errors ]; then
    bad=0
    while IFS= read -r f; do
        n=$(sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' "$f" | tail -1)
        [ "${n:-0}" -eq 0 ] && continue
        bad=$((bad + 1))
        echo "==== $f: $n errors"
        cat "$f"
    done < <(find "$2" -name '*.log' 2>/dev/null | sort)
    [ "$bad" -eq 0 ] || { echo "valgrind: $bad logs with errors"; exit 1; }
    exit 0
fi
dir=$1
[ -d "$dir" ] || exit 0 # the script started no rexian (lib.sh, tickets_lib.sh)
logs=0 done=0 errors=0 def=0 ind=0
for f in "$dir"/*.log; do
    [ -e "$f" ] || continue
    logs=$((logs + 1))
    n=$(sed -n 's/.*ERROR SUMMARY: \([0-9][0-9]*\) errors.*/\1/p' "$f" | tail -1)
    [ -n "$n" ] || continue # killed (SIGKILL) or still running: no summary
    done=$((done + 1)) errors=$((errors + n))
    b=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tail -1 | tr -d ,)
    def=$((def + ${b:-0}))
    b=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tail -1 | tr -d ,)
    ind=$((ind + ${b:-0}))
done
echo "== valgrind $(basename "$dir"): $logs processes ($((logs - done)) without a summary)," \
    "$errors errors, definitely lost $def B, indirectly lost $ind B${2:+, $2}"
