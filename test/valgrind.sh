#!/usr/bin/env bash
# test/valgrind.sh: the memory-checker lane (TESTPLAN R5).
#
# Starts a private server under valgrind memcheck (--trace-children=yes, so
# every backend is checked), runs the pg_regress suite and the isolation
# specs that do not race timers (all but waits.spec) against it, and fails when valgrind reports any error with a frame
# in schemamig.so, when a backend dies of a signal, or when a test fails.
# Errors in PostgreSQL's own frames (known padding writes of WAL and the
# relcache init file) are counted and shown but do not fail the lane.
#
# The packaged server is not built with USE_VALGRIND, so misuse inside
# palloc'd chunks is not seen here; raw memory errors (invalid reads and
# writes, uses of uninitialised values, bad frees) are.
#
# Run by test/run.sh (which also sets up a throwaway cluster it does not
# need); needs root or the postgres user, and valgrind.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_CONFIG=${PG_CONFIG:-pg_config}
BINDIR=$("$PG_CONFIG" --bindir)
PORT=${SMIG_VG_PORT:-54$((RANDOM % 90 + 10))}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/schemamig-vg.XXXXXX")

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

stop_server() {
	as_pg "$BINDIR/pg_ctl" -D "$WORK/data" stop -m fast -t 300 >/dev/null 2>&1 || true
}
trap stop_server EXIT

if ! command -v valgrind >/dev/null; then
	echo "FAIL: valgrind is not installed"
	exit 1
fi

# The rule that decides which reports are ours (test/lib/vg_ours.awk) is
# checked first on synthetic reports of each kind, so that it cannot pass
# by counting nothing.
vg_rule_check() {
	local want=$1 got
	got=$(awk -v re="schemamig|smig_|[(](worker|describe)[.]c:[0-9]" -f "$ROOT/test/lib/vg_ours.awk")
	[ "$got" = "$want" ] || { echo "FAIL: valgrind rule counts $got, wants $want: $2"; exit 1; }
}
vg_rule_check 1 "invalid read in our frame" <<'R'
==1== Invalid read of size 4
==1==    at 0x1: smig_describe_table (describe.c:10)
==1==    by 0x2: ExecInterpExpr (in /usr/lib/postgresql/17/bin/postgres)
==1== 
R
vg_rule_check 0 "PostgreSQL's frames deep under a background worker" <<'R'
==1== Conditional jump or move depends on uninitialised value(s)
==1==    at 0x1: a (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: b (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: c (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: d (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: e (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: f (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: g (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: h (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: smig_worker_main (worker.c:447)
==1== 
R
vg_rule_check 0 "WAL write of a block that a context created from our worker holds" <<'R'
==1== Syscall param pwrite64(buf) points to uninitialised byte(s)
==1==    at 0x1: pwrite (pwrite64.c:25)
==1==    by 0x1: XLogWrite (in /usr/lib/postgresql/17/bin/postgres)
==1==  Address 0x87e6bfc is in a rw- anonymous segment
==1==  Uninitialised value was created by a heap allocation
==1==    at 0x1: malloc (vg_replace_malloc.c:446)
==1==    by 0x1: AllocSetContextCreateInternal (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: ??? (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: StartTransactionCommand (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: run_statement (worker.c:502)
==1==    by 0x1: smig_worker_main (worker.c:447)
==1== 
R
vg_rule_check 1 "WAL write of bytes our code palloc'd" <<'R'
==1== Syscall param write(buf) points to uninitialised byte(s)
==1==    at 0x1: write (write.c:26)
==1==    by 0x1: XLogWrite (in /usr/lib/postgresql/17/bin/postgres)
==1==  Uninitialised value was created by a heap allocation
==1==    at 0x1: malloc (vg_replace_malloc.c:446)
==1==    by 0x1: ??? (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: AllocSetAlloc (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: palloc (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: build_entry (describe.c:77)
==1== 
R
vg_rule_check 0 "padding of a tuple PostgreSQL formed for our call" <<'R'
==1== Syscall param write(buf) points to uninitialised byte(s)
==1==    at 0x1: write (write.c:26)
==1==  Uninitialised value was created by a heap allocation
==1==    at 0x1: malloc (vg_replace_malloc.c:446)
==1==    by 0x1: AllocSetAlloc (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: palloc0 (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: heap_form_tuple (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: smig_cat_insert (catalog.c:300)
==1== 
R
vg_rule_check 2 "two reports in one log, each with our frame" <<'R'
==1== Use of uninitialised value of size 8
==1==    at 0x1: smig_hash (schemamig.so)
==1== 
==1== Invalid write of size 1
==1==    at 0x1: memcpy (vg_replace_strmem.c:1)
==1==    by 0x1: copy_name (describe.c:9)
==1==  Address 0x2 is 0 bytes after a block of size 8 alloc'd
==1==    at 0x1: malloc (vg_replace_malloc.c:446)
==1==    by 0x1: palloc (in /usr/lib/postgresql/17/bin/postgres)
==1==    by 0x1: copy_name (describe.c:8)
==1== 
R

tar -C "$ROOT" --exclude=./.git --exclude=./results --exclude=./output_iso \
	-cf - . | (mkdir -p "$WORK/tree" && tar -C "$WORK/tree" -xf -)
[ "$(id -u)" -eq 0 ] && chown -R postgres "$WORK"

as_pg "$BINDIR/initdb" -D "$WORK/data" -E UTF8 --no-locale -A trust >"$WORK/initdb.log" 2>&1 ||
	{ echo "FAIL: initdb"; cat "$WORK/initdb.log"; exit 1; }

echo "== starting PostgreSQL under valgrind on port $PORT"
(cd "$WORK" && as_pg setsid valgrind --quiet --trace-children=yes \
	--track-origins=yes --read-inline-info=yes --num-callers=40 \
	--leak-check=no --error-exitcode=0 --log-file="$WORK/vg.%p.log" \
	"$BINDIR/postgres" -D "$WORK/data" -p "$PORT" -k "$WORK" \
	-c max_connections=20 -c listen_addresses='' \
	>"$WORK/server.log" 2>&1 </dev/null &)
for _ in $(seq 120); do
	"$BINDIR/pg_isready" -q -h "$WORK" -p "$PORT" && break
	sleep 1
done
"$BINDIR/pg_isready" -q -h "$WORK" -p "$PORT" || { echo "FAIL: server did not start"; cat "$WORK/server.log"; exit 1; }

# waits.spec relies on 100 ms deadlock and 200 ms lock timeouts racing a
# 0.5 s pause: under valgrind's slowdown that race has no fixed winner
VG_ISOLATION=upgrade_vs_upgrade
echo "== regress and isolation suites under valgrind"
status=0
(cd "$WORK/tree" && as_pg env PGHOST="$WORK" PGPORT="$PORT" PGUSER=postgres \
	make -s installcheck TAP_TESTS= ISOLATION="$VG_ISOLATION" PG_CONFIG="$PG_CONFIG") >"$WORK/installcheck.log" 2>&1 || status=1
grep -E "^(ok|not ok|test )|tests (passed|failed)|FAILED" "$WORK/installcheck.log" || true
stop_server

total=$(cat "$WORK"/vg.*.log 2>/dev/null | grep -cE "^==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination)" || true)
ours=0
# our frames: schemamig_* / smig_* functions, schemamig.so, or one of our
# source files with a line number (static functions, with debug info)
ours_re="schemamig|smig_|[(]($(cd "$ROOT/src" && ls ./*.c ./*/*.c | sed 's#.*/##; s#[.]c$##' | sort -u | paste -sd'|'))[.]c:[0-9]"
for f in "$WORK"/vg.*.log; do
	n=$(awk -v re="$ours_re" -f "$ROOT/test/lib/vg_ours.awk" "$f")
	if [ "$n" -gt 0 ]; then
		ours=$((ours + n))
		echo "---- $f"
		cat "$f"
	fi
done
crashes=$(grep -c "terminated by signal" "$WORK/server.log" || true)

echo "valgrind: $total error reports in all, $ours with a schemamig frame; $crashes backends killed by a signal"
if [ "$status" -ne 0 ]; then
	echo "---- installcheck output"
	tail -50 "$WORK/installcheck.log"
	find "$WORK/tree" -name regression.diffs -exec cat {} + | head -200
fi
if [ "$status" -ne 0 ] || [ "$ours" -ne 0 ] || [ "$crashes" -ne 0 ]; then
	echo "FAIL: valgrind lane"
	exit 1
fi
rm -rf "$WORK"
echo "PASS: valgrind lane"
