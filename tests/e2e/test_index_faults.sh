#!/usr/bin/env bash
# Faults around the index and the database, end to end: symbolic links in the
# corpus (refused, never followed out of it), unreadable files (their old
# documents kept), the modes of what the indexer and the database create, a
# read-only index folder and a full disk during `rexian index` and the
# server's reindex job (clear error, nothing partial left, no descriptor
# held on deleted files, the old index served), and the ticket database
# locked by another process while the server takes writes.
# Needs root for mount(8) (a small tmpfs; without it those parts fall back or
# are skipped, and say so), setpriv(1) for a file unreadable to its reader,
# curl and python3.
. "$(dirname "$0")/lib.sh"

SRV=
LOCKER=
MNT=$T/mnt
MOUNTED=0
cleanup() {
    stop_all $SRV $LOCKER
    [ "$MOUNTED" = 1 ] && { umount "$MNT" 2>/dev/null || umount -l "$MNT"; }
    [ -n "${KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap '' PIPE

doc() { # doc DIR ID TITLE BODY [TYPE]: a Markdown document DIR/ID.md
    mkdir -p "$1"
    printf -- '---\nid: %s\ntitle: %s\ndepartment: 市住房和城乡建设局\ntype: %s\neffective: 2019-01-01\n---\n%s\n' \
        "$2" "$3" "${5:-policy}" "$4" >"$1/$2.md"
}
lists() { mkdir -p "$1" && printf '市住房和城乡建设局 住建局\n' >"$1/departments.txt"; }
found() { # found INDEX QUERY ID: rexian search finds ID
    "$REXIAN" search --index "$1" --json "$2" 2>/dev/null | grep -q "\"id\":\"$3\""
}
not_found() { ! found "$@"; }
has() { # has FILE TEXT: FILE contains TEXT (else show FILE)
    grep -qF -- "$2" "$1" || { echo "  # no '$2' in:"; sed 's/^/  #   /' "$1" | cut -c1-300 | head -8; return 1; }
}
leftovers() { # leftovers INDEX: no partial generation beside the live one
    local x
    x=$(ls -A "$1" | grep -v -x -e current -e .lock -e "$2")
    [ -z "$x" ] || { echo "  # left in $1: $x"; return 1; }
}
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
CAN_DROP=0
as_nobody true 2>/dev/null && CAN_DROP=1

# ---------------------------------------------------------------- symbolic links
C=$T/links
lists "$C"
doc "$C/zjj" zjj-good 装修噪声管理规定 "第一条 工作日中午禁止产生噪声的装修作业。"
mkdir -p "$T/outside/zjj"
doc "$T/outside" out-secret 机密文件 "这份机密文件在语料库之外。"
doc "$T/outside/zjj" out-folder 外部文件夹 "外部文件夹里的机密正文。"
ln -s "$T/outside/out-secret.md" "$C/zjj/link.md"
ln -s "$T/outside/zjj" "$C/linked"
ln -s /etc "$C/etc"
ln -s zjj-good.md "$C/zjj/alias.md" # inside the corpus: refused all the same
"$REXIAN" index --quiet "$C" "$T/lidx" 2>"$T/err"
check "symbolic links in the corpus give exit status 1" [ $? -eq 1 ]
check "a link to a file outside is reported as PATH:LINE: reason" has "$T/err" "zjj/link.md:1: 拒绝符号链接"
check "a link to a folder outside is reported and not walked" has "$T/err" "linked:1: 拒绝指向文件夹的符号链接，未读取"
check "a link to /etc is reported and not walked" has "$T/err" "/etc:1: 拒绝指向文件夹的符号链接"
check "a link inside the corpus is refused too (all links are)" has "$T/err" "zjj/alias.md:1: 拒绝符号链接"
check "the linked file outside the corpus is not indexed" not_found "$T/lidx" 机密文件 out-secret
check "the linked folder's document is not indexed" not_found "$T/lidx" 外部文件夹 out-folder
check "the real document is indexed" found "$T/lidx" 装修噪声 zjj-good
published=$(cat "$T/lidx/current")
cp "$C/departments.txt" "$T/outside/departments.txt"
ln -sf "$T/outside/departments.txt" "$C/departments.txt"
"$REXIAN" index --quiet "$C" "$T/lidx" 2>"$T/err"
check "departments.txt as a link is fatal (exit 2): without it every document would go" [ $? -eq 2 ]
check "the list link is named in the error" has "$T/err" "departments.txt: 拒绝符号链接"
check "the published index is unchanged after the refused list" [ "$(cat "$T/lidx/current")" = "$published" ]

# ---------------------------------------------------------------- unreadable files
C=$T/unread
I=$T/uidx
lists "$C"
doc "$C/zjj" zjj-a 装修噪声管理规定 "第一条 工作日中午禁止产生噪声的装修作业。"
doc "$C/zjj" zjj-b 电梯维修管理规定 "第一条 电梯维修由物业负责。"
doc "$C/zjj" zjj-c 燃气安全规定 "第一条 燃气管道不得私自改装。"
"$REXIAN" index --quiet "$C" "$I" 2>"$T/err"
check "the corpus of three documents indexes with exit 0" [ $? -eq 0 ]
# root reads any file: a FIFO in a file's place cannot be read by anyone
rm "$C/zjj/zjj-b.md"
mkfifo "$C/zjj/zjj-b.md"
doc "$C/zjj" zjj-a 装修噪声管理规定 "第一条 修订后的条文提到垃圾清运。"
timeout 60 "$REXIAN" index --quiet "$C" "$I" 2>"$T/err"
check "an unreadable file (a FIFO) gives exit 1, the rest published" [ $? -eq 1 ]
check "it is reported, saying its documents are kept" has "$T/err" "zjj/zjj-b.md:1: 无法读取文件：不是普通文件（保留上一版索引中它的 1 篇文档）"
check "the unreadable file's document is still searchable" found "$I" 电梯维修 zjj-b
check "the edit made in the same run is searchable" found "$I" 垃圾清运 zjj-a
timeout 60 "$REXIAN" index --quiet "$C" "$I" 2>"$T/err"
check "the next run reports it again (exit 1)" [ $? -eq 1 ]
check "... and still keeps its document" found "$I" 电梯维修 zjj-b
published=$(cat "$I/current")
timeout 60 "$REXIAN" index --quiet --full "$C" "$I" 2>"$T/err"
check "--full with an unreadable indexed file is fatal (exit 2)" [ $? -eq 2 ]
check "it says the rebuild would drop the file's documents" has "$T/err" "rebuilding without it would drop its 1 document"
check "the published index is unchanged after it" [ "$(cat "$I/current")" = "$published" ]
rm "$C/zjj/zjj-b.md"
doc "$C/zjj" zjj-b 电梯维修管理规定 "第一条 电梯维修由物业负责。"
if [ "$CAN_DROP" = 1 ]; then
    # permission denied for real: the indexer runs as nobody, one file is 000
    chmod 711 "$T"
    chown -R 65534:65534 "$C" "$I"
    chmod 000 "$C/zjj/zjj-c.md"
    doc "$C/zjj" zjj-a 装修噪声管理规定 "第一条 再次修订的条文提到绿化养护。"
    chown 65534:65534 "$C/zjj/zjj-a.md"
    as_nobody "$REXIAN" index --quiet "$C" "$I" 2>"$T/err"
    check "a file its reader may not read (chmod 000, run as nobody) gives exit 1" [ $? -eq 1 ]
    check "it is reported with the system's reason" has "$T/err" "zjj/zjj-c.md:1: 无法读取文件：没有读取权限（保留上一版索引中它的 1 篇文档"
    check "its document is still searchable" found "$I" 燃气管道 zjj-c
    check "the other edit is searchable" found "$I" 绿化养护 zjj-a
    chmod 644 "$C/zjj/zjj-c.md"
    as_nobody "$REXIAN" index --quiet "$C" "$I" 2>"$T/err"
    check "readable again: exit 0" [ $? -eq 0 ]
    chmod 700 "$T"
else
    echo "# setpriv cannot drop to nobody here: the chmod 000 case is skipped (the FIFO case stands)"
fi
printf -- '---\nid: zjj-c\ntitle: 燃气安全规定\ndepartment: 市住房和城乡建设局\ntype: rule\neffective: 2019-01-01\n---\n燃气管道\n' >"$C/zjj/zjj-c.md"
"$REXIAN" index --quiet "$C" "$I" 2>"$T/err"
check "a file that parses as bad is still rejected (exit 1)" [ $? -eq 1 ]
check "the bad file is reported" has "$T/err" "zjj/zjj-c.md:5: 未知类型“rule”"
check "the bad file's old document leaves the index" not_found "$I" 燃气管道 zjj-c

# ---------------------------------------------------------------- a tmpfs for the index
mkdir -p "$MNT"
if mount -t tmpfs -o size=64m,mode=0755 tmpfs "$MNT" 2>"$T/mount.err"; then
    MOUNTED=1
else
    echo "# mount is not permitted here ($(head -c 200 "$T/mount.err")): the read-only and"
    echo "# full-disk cases fall back to a folder nobody may write and to ulimit -f"
fi
IX=$MNT/idx
SC=$T/served
lists "$SC"
cp "$ROOT/corpus/calendar.txt" "$SC/"
doc "$SC/zjj" zjj-old 装修噪声管理规定 "第一条 工作日中午禁止产生噪声的装修作业。"
(umask 000 && "$REXIAN" index --quiet "$SC" "$IX") 2>"$T/err"
check "the served corpus indexes (umask 000)" [ $? -eq 0 ]
check "with umask 000 nothing the indexer made is open to group or others" \
    bash -c "[ -z \"\$(find \"$IX\" -perm /077)\" ] || { find \"$IX\" -perm /077 -printf '  # %m %p\n'; false; }"

# the server, started with umask 000 on a fresh database
PORT=
start_server() {
    : >"$T/out"
    (umask 000 && exec "$REXIAN" serve --index "$IX" --db "$T/db" --corpus "$SC" --listen 127.0.0.1:0) >"$T/out" 2>"$T/log" &
    SRV=$!
    wait_served $SRV "$T/out"
}
start_server
ADMIN=$(sed -n '2,$p' "$T/out" | grep -o 'rx_[A-Za-z0-9_-]*' | head -1)
check "serve starts and prints the admin token" [ -n "$PORT" -a -n "$ADMIN" ]
[ -n "$PORT" ] && [ -n "$ADMIN" ] || { finish; exit 1; }
U=http://127.0.0.1:$PORT
api() { req -H "Authorization: Bearer $ADMIN" "$@"; }
served() { # served QUERY ID: the running server finds ID
    api --get --data-urlencode "q=$1" "$U/api/v1/search" && is 200 "\"id\":\"$2\""
}
not_served() { api --get --data-urlencode "q=$1" "$U/api/v1/search" && is 200 && ! grep -q "\"id\":\"$2\"" "$T/body"; }
mode_of() { stat -c %a "$1" 2>/dev/null; }
dbmodes() { # the database and its -wal and -shm are 600
    local f bad=
    for f in "$T/db" "$T/db-wal" "$T/db-shm"; do
        [ -e "$f" ] && [ "$(mode_of "$f")" != 600 ] && bad="$bad $(basename "$f"):$(mode_of "$f")"
    done
    [ -e "$T/db" ] && [ -z "$bad" ] || { echo "  # modes:$bad"; ls -l "$T"/db* | sed 's/^/  #   /'; return 1; }
}
check "the database, its -wal and -shm are 0600 although the server's umask is 000" dbmodes
reindex() { # reindex: POST a job and wait for its end; its status in $T/body
    local job k
    api -X POST "$U/api/v1/admin/reindex"
    job=$(grep -o '"job":"[^"]*"' "$T/body" | cut -d'"' -f4)
    [ -n "$job" ] || return 1
    for ((k = 0; k < 1200; k++)); do
        api "$U/api/v1/admin/reindex/$job"
        grep -q '"status":"\(done\|failed\)"' "$T/body" && return 0
        sleep 0.05
    done
}
no_deleted_fds() { # the server holds no descriptor on a deleted file or a failed generation
    local bad
    bad=$(ls -l /proc/$SRV/fd 2>/dev/null | grep -e '(deleted)' -e "$IX/gen-[0-9]*\.build" -e "$IX/$1" |
        grep -v '/valgrind_proc_') # make valgrind: valgrind's own unlinked /proc stand-ins
    [ -z "$bad" ] || { echo "  # the server still holds:"; echo "$bad" | sed 's/^/  #   /' | head -5; return 1; }
}
check "the server answers from generation 1" served 装修噪声 zjj-old

# ---------------------------------------------------------------- read-only index folder
doc "$SC/zjj" zjj-new 电梯维修管理规定 "第一条 电梯维修由物业负责。"
live=$(cat "$IX/current")
if [ "$MOUNTED" = 1 ]; then
    mount -o remount,ro "$MNT"
    "$REXIAN" index --quiet "$SC" "$IX" 2>"$T/err"
    check "rexian index on a read-only index folder: exit 2" [ $? -eq 2 ]
    check "its error says the file system is read-only" has "$T/err" "Read-only file system"
    reindex
    check "the reindex job on a read-only index folder fails" is 200 '"status":"failed"'
    check "the job's error is clear and says the index is unchanged" \
        is 200 'Read-only file system' 'the published index is unchanged'
    mount -o remount,rw "$MNT"
elif [ "$CAN_DROP" = 1 ]; then
    chmod 711 "$T"
    chmod 755 "$IX"
    as_nobody "$REXIAN" index --quiet "$SC" "$IX" 2>"$T/err"
    check "rexian index on an index folder it may not write (as nobody): exit 2" [ $? -eq 2 ]
    check "its error says why" has "$T/err" "Permission denied"
    chmod 700 "$T"
fi
check "the running server still answers with the old documents" served 装修噪声 zjj-old
check "... and not with the unpublished one" not_served 电梯维修 zjj-new
check "the published index is unchanged" [ "$(cat "$IX/current")" = "$live" ]
check "no partial generation is left" leftovers "$IX" gen-000001

# ---------------------------------------------------------------- full disk
# the shipped corpus makes the next generation too large for a small tmpfs
for d in "$ROOT/corpus"/*/; do cp -r "$d" "$SC/"; done
cp "$ROOT/corpus/departments.txt" "$SC/"
full_ok() { # full_ok ERRFILE: exit 2's message says the disk is full
    has "$1" "no space left on the file system of the index folder"
}
# Xapian 1.4's compactor leaks its output tables when it fails (their
# descriptors are closed by rexian, their memory is not ours to free): an
# ASan build's leak report would turn exit 2 into 1
printf 'leak:libxapian.so\n' >"$T/lsan.supp"
export LSAN_OPTIONS=suppressions=$T/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}
if [ "$MOUNTED" = 1 ]; then
    used=$(df -k --output=used "$MNT" | tail -1)
    # find a size where compaction is the step that fails (the one that
    # leaked descriptors), trying the writers' step on the way
    csize=
    wsize=
    for extra in 12 11 14 10 16; do
        mount -o remount,size=$((used + extra * 1024))k "$MNT"
        "$REXIAN" index --quiet "$SC" "$IX" 2>"$T/err"
        rc=$?
        [ $rc -eq 2 ] || break # it fitted (or broke otherwise): the checks below say so
        if grep -q 'compact index' "$T/err"; then csize=$extra; break; fi
        wsize=${wsize:-$extra}
    done
    check "rexian index on a full disk: exit 2 (${csize:+compaction failed at +${csize}M})" [ $rc -eq 2 ]
    check "its error says the disk is full" full_ok "$T/err"
    check "no partial generation is left after rexian index" leftovers "$IX" gen-000001
    check "the published index is unchanged" [ "$(cat "$IX/current")" = "$live" ]
    [ -n "$csize" ] || echo "# no size made compaction fail; the server's test covers the writers' step only"
    for extra in ${csize:-12} ${wsize:-3}; do
        mount -o remount,size=$((used + extra * 1024))k "$MNT"
        reindex
        check "the reindex job on a full disk (+${extra}M) fails, saying so" \
            is 200 '"status":"failed"' 'no space left on the file system of the index folder'
        check "... no partial generation is left" leftovers "$IX" gen-000001
        check "... the server holds no descriptor on deleted or failed files" no_deleted_fds gen-000002
        check "... the published index is unchanged" [ "$(cat "$IX/current")" = "$live" ]
        check "... the running server still answers with the old documents" served 装修噪声 zjj-old
    done
    mount -o remount,size=256m "$MNT"
    reindex
    check "with room again, the reindex job publishes" is 200 '"status":"done"' '"published":true'
    check "the server answers with the new documents" served 电梯维修 zjj-new
else
    # no tmpfs: a file size limit (SIGXFSZ ignored: writes fail with EFBIG)
    (trap '' XFSZ && ulimit -f 1024 && exec "$REXIAN" index --quiet "$SC" "$IX") 2>"$T/err"
    check "rexian index over a file size limit: exit 2" [ $? -eq 2 ]
    check "no partial generation is left after rexian index" leftovers "$IX" gen-000001
    check "the running server still answers with the old documents" served 装修噪声 zjj-old
fi

# ---------------------------------------------------------------- database locked
TICKETS=()
ticket() { # ticket N: POST a ticket; 201 → its id in TICKETS
    api -H 'Content-Type: application/json' --data-binary \
        "{\"channel\":\"phone\",\"content\":\"锁测试工单 $1：楼上装修噪声扰民\"}" "$U/api/v1/tickets"
    if [ "$code" = 201 ]; then TICKETS+=("$(grep -o '"id":"[^"]*"' "$T/body" | head -1 | cut -d'"' -f4)"); fi
}
hold_lock() { # hold_lock SECONDS: another process takes the write lock (BEGIN EXCLUSIVE)
    rm -f "$T/locked"
    python3 - "$T/db" "$1" "$T/locked" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute('BEGIN EXCLUSIVE')
open(sys.argv[3], 'w').close()
time.sleep(float(sys.argv[2]))
c.execute('ROLLBACK')
PY
    LOCKER=$!
    for ((k = 0; k < 100; k++)); do [ -e "$T/locked" ] && break; sleep 0.05; done
}
ticket 0
check "a ticket is created before the lock" is 201
hold_lock 1.5
start=$(date +%s.%N)
ticket 1
took=$(echo "$(date +%s.%N) - $start" | bc)
check "a write during a 1.5 s lock waits for it and succeeds (201 after ${took}s)" is 201
wait $LOCKER 2>/dev/null
hold_lock 6.5
ticket 2
check "a write during a lock longer than the busy timeout is a 503, not a 500" is 503
check "... with a JSON error naming the busy database" is 503 '"error":{"code":"database_busy"'
check "... and no raw SQLite message" bash -c "! grep -qi 'database is locked\|sqlite' \"$T/body\""
wait $LOCKER 2>/dev/null
LOCKER=
ticket 3
check "after the lock is released writes succeed again" is 201
lost=0
for id in "${TICKETS[@]}"; do
    api "$U/api/v1/tickets/$id"
    [ "$code" = 200 ] || { lost=$((lost + 1)); echo "  # acknowledged ticket $id: $code"; }
done
check "every acknowledged ticket (${#TICKETS[@]}) is there" [ "$lost" -eq 0 -a "${#TICKETS[@]}" -eq 3 ]
stop_all $SRV
SRV=
check "PRAGMA integrity_check is ok afterwards" \
    bash -c "[ \"\$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"PRAGMA integrity_check\").fetchone()[0])' \"$T/db\")\" = ok ]"
check "the database is still 0600 after the server's writes" dbmodes

finish
