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
	# an error report is a block of lines.  It is ours when our code is
	# among the first eight frames of the error's own stack (deeper, ours
	# only means PostgreSQL was called from our code: a background worker's
	# every frame sits on smig_worker_main), or among the first five frames
	# of the stack that allocated the memory it names ("Uninitialised value
	# was created by", "Address ... alloc'd").  A write(2) of uninitialised
	# bytes is judged by where they were allocated only: PostgreSQL writes
	# struct padding into WAL and its relcache init file, whoever called it.
	n=$(awk -v re="$ours_re" '/^==[0-9]+== (Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination)/ {inblk=1; ours=0; origin=0; depth=0; sys=($0 ~ /Syscall param/); next}
		inblk && /^==[0-9]+== *$/ {if (ours) c++; inblk=0; next}
		inblk && /(Uninitialised value was created|Address 0x|Block was alloc)/ {origin=1; depth=0; next}
		inblk && origin && /(at|by) 0x/ {depth++; if (depth <= 5 && $0 ~ re) ours=1; next}
		inblk && !origin && /(at|by) 0x/ {depth++; if (!sys && depth <= 8 && $0 ~ re) ours=1; next}
		END {if (inblk && ours) c++; print c+0}' "$f")
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
