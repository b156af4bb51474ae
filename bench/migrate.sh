#!/usr/bin/env bash
# bench/migrate.sh -- CALL schemamig.migrate() (a commit per revision) next
# to SELECT schemamig.upgrade() (one transaction), on the chain of
# bench/gen.py, in a throwaway PostgreSQL 15 cluster (bench/lib.sh).
#
#   bash bench/migrate.sh                 N = 1000 10000: about 2-3 minutes
#   bash bench/migrate.sh --n "1000" --runs 5
#   bash bench/migrate.sh --what upgrade --n 1000 --runs 5   upgrade() alone
#
# Each figure is the median wall time of the client command (psql -c) over
# the runs, each run in a fresh database with the chain registered first
# (untimed); next to it the median CPU time of the backend.  It prints the targets of issue 11 as ratios:
#   migrate(N=10,000) / migrate(N=1,000)    at most 11 (linear: 10)
#   migrate(N) / upgrade(N)                 at most 1.5
# The extension measured is the one installed for PostgreSQL 15; this
# script builds and installs nothing.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
NS="1000 10000"
RUNS=3          # runs at N < 10000
BIG_RUNS=1      # runs at N >= 10000
PORT_FIRST=5540
PORT_LAST=5549
KEEP=0
WHAT="upgrade migrate"

while [ $# -gt 0 ]; do
	case $1 in
		--n) NS=$2; shift ;;
		--runs) RUNS=$2; shift ;;
		--big-runs) BIG_RUNS=$2; shift ;;
		--port) PORT_FIRST=$2; shift ;;
		--keep) KEEP=1 ;;
		--what) WHAT=$2; shift ;;
		-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
		*) echo "migrate.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (\$EPOCHREALTIME)"
export PATH="$PG_BIN:$PATH"
EXT_DIR=$("$PG_BIN/pg_config" --sharedir)/extension
PKGLIB=$("$PG_BIN/pg_config" --pkglibdir)
[ -f "$EXT_DIR/schemamig.control" ] || die "schemamig is not installed (make install)"
SO_MD5=$(md5sum "$PKGLIB/schemamig.so" | cut -c1-12)

start_server
PSQL=(psql -X -At -q -v ON_ERROR_STOP=1)
RESULTS=$W/results.tsv
: >"$RESULTS"

fresh_db() {
	"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" \
		-c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	"${PSQL[@]}" -d "$1" -c 'CREATE EXTENSION schemamig' >/dev/null
}

# one_run WHAT N RUN: register the chain, then time WHAT (upgrade|migrate)
one_run() {
	local what=$1 n=$2 run=$3 db=m_$1_$2_$3 cmd t0 t1 applied cpu
	case $what in
		upgrade) cmd="SELECT pg_catalog.count(*) FROM schemamig.upgrade('head')" ;;
		migrate) cmd="CALL schemamig.migrate('head')" ;;
	esac
	fresh_db "$db"
	PGOPTIONS='-c schemamig.lint=off -c client_min_messages=warning' \
		"${PSQL[@]}" -d "$db" -f "$W/gen/$n/schemamig/register.sql" >/dev/null
	# the backend's CPU time too (/proc/self/schedstat, ns on a CPU): other
	# load on the machine hardly moves it
	t0=$EPOCHREALTIME
	PGOPTIONS="-c client_min_messages=warning ${BENCH_PGOPTIONS:-}" "${PSQL[@]}" -d "$db" \
		-c "SELECT 'cpu_start ' || pg_catalog.split_part(pg_catalog.pg_read_file('/proc/self/schedstat'), ' ', 1)" \
		-c "$cmd" \
		-c "SELECT 'cpu_end ' || pg_catalog.split_part(pg_catalog.pg_read_file('/proc/self/schedstat'), ' ', 1)" \
		>"$W/cmd.out"
	t1=$EPOCHREALTIME
	cpu=$(awk '$1 == "cpu_start" {a=$2} $1 == "cpu_end" {b=$2} END {printf "%d", (b - a) / 1000000}' "$W/cmd.out")
	applied=$("${PSQL[@]}" -d "$db" -c 'SELECT pg_catalog.count(*) FROM schemamig.applied')
	[ "$applied" = "$n" ] || die "$what N=$n run $run applied $applied revisions, not $n"
	printf '%s\t%s\t%s\t%s\t%s\n' "$what" "$n" "$run" $(( (${t1/./} - ${t0/./}) / 1000 )) "$cpu" >>"$RESULTS"
	note "$what N=$n run $run: $(( (${t1/./} - ${t0/./}) / 1000 )) ms wall, $cpu ms CPU"
	"${PSQL[@]}" -d postgres -c "DROP DATABASE $db" >/dev/null
}

for n in $NS; do
	python3 "$BENCH_DIR/gen.py" "$W/gen/$n" "$n" schemamig
	runs=$RUNS
	[ "$n" -ge 10000 ] && runs=$BIG_RUNS
	for ((run = 1; run <= runs; run++)); do
		# alternate the order so that neither always runs first
		order=$WHAT
		[ $((run % 2)) = 1 ] || order=$(echo "$WHAT" | tr ' ' '\n' | tac | tr '\n' ' ')
		for what in $order; do one_run "$what" "$n" "$run"; done
	done
done

[ "$(md5sum "$PKGLIB/schemamig.so" | cut -c1-12)" = "$SO_MD5" ] ||
	note "warning: schemamig.so changed during the run (reinstalled): rerun"

echo "schemamig.so md5 $SO_MD5, PostgreSQL $("$PG_BIN/postgres" --version | sed 's/.* //'), cluster on $STORAGE, $(nproc) cores"
awk -F'\t' -v ns="$NS" '
	{ v[$1 " " $2] = v[$1 " " $2] " " $4; c[$1 " " $2] = c[$1 " " $2] " " $5 }
	function median(s,   a, k, i, j, t) {
		k = split(s, a, " ")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		k = split(ns, n, " ")
		printf "%8s %12s %12s %16s %18s\n", "N", "upgrade ms", "migrate ms", "migrate/upgrade", "CPU ms up/migrate"
		for (i = 1; i <= k; i++) {
			u[i] = median(v["upgrade " n[i]]); m[i] = median(v["migrate " n[i]])
			cu = median(c["upgrade " n[i]]); cm = median(c["migrate " n[i]])
			if (u[i] == 0 || m[i] == 0) { printf "%8d %12d %12d %16s %11d/%d\n", n[i], u[i], m[i], "", cu, cm; continue }
			r = m[i] / u[i]
			printf "%8d %12d %12d %16.2f %11d/%d  (target <= 1.5: %s)\n", n[i], u[i], m[i], r, cu, cm, r <= 1.5 ? "met" : "NOT met"
		}
		for (i = 2; i <= k; i++) {
			if (m[i - 1] == 0) continue
			r = m[i] / m[i - 1]
			printf "migrate N=%d / N=%d: %.2f (linear: %.1f, target <= %.1f: %s)\n", n[i], n[i - 1], r,
				n[i] / n[i - 1], 1.1 * n[i] / n[i - 1], r <= 1.1 * n[i] / n[i - 1] ? "met" : "NOT met"
		}
	}' "$RESULTS"
