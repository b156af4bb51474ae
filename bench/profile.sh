#!/usr/bin/env bash
# bench/profile.sh -- where a schemamig backend spends its time: perf record
# attached to the migrating backend while it registers, upgrades and
# downgrades the benchmark's chain (bench/gen.py), on a throwaway server.
#
#   bash bench/profile.sh                      N = 1000, default settings
#   bash bench/profile.sh --n 3000 --lock-timeout 0
#   bash bench/profile.sh --ops "upgrade" --callers AtSubCommit_smgr
#   bash bench/profile.sh --ops migrate              CALL migrate(), commit per revision
#   bash bench/profile.sh --ops "psql-upgrade upgrade"   raw psql's backend too
#   bash bench/profile.sh --n 10000 --ops status --repeat 200   warm status()
#
# Prints, per operation, the wall time, the hottest functions (self time),
# and the inclusive share of schemamig's own functions (frame-pointer call
# graphs: Debian builds PostgreSQL with -fno-omit-frame-pointer).  Static
# functions of the server show as hex addresses without a debug-symbol
# package.  Needs perf (Debian linux-perf); perf stat's hardware counters are
# not needed (they are often missing in VMs), the cpu-clock event is used.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PY=/usr/bin/python3
N=1000
OPS="register upgrade downgrade"
LOCK_TIMEOUT=""
FREQ=999
TOP=25
CALLERS=""
REPEAT=1
PORT_FIRST=5530
PORT_LAST=5539
KEEP=0
STORAGE=tmpfs

while [ $# -gt 0 ]; do
	case $1 in
		--n) N=$2; shift ;;
		--ops) OPS=$2; shift ;;
		--lock-timeout) LOCK_TIMEOUT=$2; shift ;;
		--freq) FREQ=$2; shift ;;
		--top) TOP=$2; shift ;;
		--callers) CALLERS=$2; shift ;;
		--repeat) REPEAT=$2; shift ;;
		--port) PORT_FIRST=$2; shift ;;
		--keep) KEEP=1 ;;
		--disk) STORAGE=disk ;;
		-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
		*) echo "profile.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
command -v perf >/dev/null || die "perf is needed (apt-get install linux-perf)"
export PATH="$PG_BIN:$PATH"

start_server
# schemamig's own function names, to pick them out of the inclusive report
nm --defined-only "$("$PG_BIN/pg_config" --pkglibdir)/schemamig.so" |
	awk '$2 ~ /^[tT]$/ {print $3}' >"$W/smsyms"
PSQL=(psql -X -At -v ON_ERROR_STOP=1)
$PY "$BENCH_DIR/gen.py" "$W/gen" "$N" schemamig psql
"${PSQL[@]}" -d postgres -c "CREATE DATABASE prof" >/dev/null
"${PSQL[@]}" -d prof -c "CREATE EXTENSION schemamig" >/dev/null
if [ -n "$LOCK_TIMEOUT" ]; then
	export PGOPTIONS="-c schemamig.lock_timeout=$LOCK_TIMEOUT"
fi

# profile OP SQL...: run SQL in a session whose backend perf is attached to
# before the first statement of SQL starts
profile() {
	local op=$1 pid perfpid t0 t1
	shift
	rm -f "$W/pid" "$W/go"
	{
		echo 'SELECT pg_backend_pid() AS pid \gset'
		echo '\setenv BENCH_PID :pid'
		echo "\\! echo \$BENCH_PID > $W/pid; while [ ! -e $W/go ]; do sleep 0.02; done"
		echo '\setenv BENCH_T0 x'
		printf '%s\n' "$@"
	} | "${PSQL[@]}" -d "${PROFILE_DB:-prof}" >"$W/$op.out" 2>"$W/$op.err" &
	local client=$!
	for _ in $(seq 500); do [ -s "$W/pid" ] && break; sleep 0.02; done
	pid=$(cat "$W/pid")
	perf record -q -e cpu-clock -F "$FREQ" -g -p "$pid" -o "$W/$op.data" \
		>/dev/null 2>&1 &
	perfpid=$!
	sleep 0.5
	t0=$EPOCHREALTIME
	touch "$W/go"
	wait "$client" || { tail -5 "$W/$op.err" >&2; die "$op failed"; }
	t1=$EPOCHREALTIME
	kill -INT "$perfpid" 2>/dev/null || true
	wait "$perfpid" 2>/dev/null || true
	echo
	echo "=== $op, N=$N${LOCK_TIMEOUT:+, schemamig.lock_timeout=$LOCK_TIMEOUT}: $(( (${t1/./} - ${t0/./}) / 1000 )) ms wall (backend pid $pid)"
	echo "--- self time, top $TOP"
	perf report -i "$W/$op.data" --no-children --sort dso,sym -g none --stdio 2>/dev/null |
		grep -E '^ +[0-9]' | head -n "$TOP" || true
	echo "--- inclusive time of schemamig.so functions"
	perf report -i "$W/$op.data" --children --sort sym -g none --stdio 2>/dev/null |
		grep -E '^ +[0-9]' | grep -wFf "$W/smsyms" | head -n "$TOP" || true
	if [ -n "$CALLERS" ]; then
		echo "--- callers of $CALLERS"
		perf report -i "$W/$op.data" --no-children --symbols "$CALLERS" -g caller,0.5,callee,function,percent --stdio 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -n 60 || true
	fi
}

case " $OPS " in
	*" register "*) ;;
	*) "${PSQL[@]}" -d prof -f "$W/gen/schemamig/register.sql" >/dev/null ;;
esac
case " $OPS " in
	*" upgrade "*|*" migrate "*) ;;
	*" downgrade "*|*" noop "*|*" status "*)
		"${PSQL[@]}" -d prof -c "SELECT pg_catalog.count(*) FROM schemamig.upgrade('head')" \
			>/dev/null 2>&1 ;;
esac
repeated_noop=() repeated_status=()
for ((r = 0; r < REPEAT; r++)); do
	repeated_noop+=("SELECT pg_catalog.count(*) FROM schemamig.upgrade('head');")
	repeated_status+=("SELECT pg_catalog.count(*) FROM schemamig.status();")
done
for op in $OPS; do
	case $op in
		register) profile register "\\i $W/gen/schemamig/register.sql" ;;
		upgrade) profile upgrade "SELECT pg_catalog.count(*) FROM schemamig.upgrade('head');" ;;
		# a commit per revision (give it alone: --ops migrate)
		migrate) profile migrate "CALL schemamig.migrate('head');" ;;
		# --repeat R: R calls in one session (a warm backend)
		noop) profile noop "${repeated_noop[@]}" ;;
		status) profile status "${repeated_status[@]}" ;;
		downgrade) profile downgrade "SELECT pg_catalog.count(*) FROM schemamig.downgrade('base');" ;;
		# raw psql's backend on the same SQL, in a database of its own
		psql-upgrade|psql-downgrade)
			if [ "$op" = psql-upgrade ]; then
				"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS raw" -c "CREATE DATABASE raw" >/dev/null
				sql=up
			else
				sql=down
			fi
			PROFILE_DB=raw profile "$op" "BEGIN;" "\\i $W/gen/psql/$sql.sql" "COMMIT;" ;;
		*) die "unknown op $op (register upgrade migrate noop status downgrade psql-upgrade psql-downgrade)" ;;
	esac
done
