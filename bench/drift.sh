#!/usr/bin/env bash
# bench/drift.sh -- what drift detection (issue 15) costs, on the chain of
# bench/gen.py (N tables, one per revision), in a throwaway PostgreSQL 15
# cluster (bench/lib.sh).
#
#   bash bench/drift.sh                 N = 1000, 3 runs: about 2 minutes
#   bash bench/drift.sh --n 1000 --runs 5
#
# What keeping the record adds to a run is measured two ways:
# - directly: in a database where the record is switched off, the run,
#   then, in the same backend right after it, the record on its own
#   (offline_record(), which writes it as the runs do: for upgrade() in
#   the same transaction, for migrate() in the next one, after its
#   commits), both timed in CPU time of that backend; printed as
#   (run + record) / run, the median over the runs.  The two parts run
#   within a second of each other, so the machine's speed, which drifts by
#   a third within minutes on a shared machine, hardly moves the ratio.
#   The target is judged on it.
# - by difference: the run with the record against the run without it,
#   in two databases, wall time and CPU time read in the backend around
#   the call: the ratio of the medians, the median of the per-run ratios
#   (the runs alternate) and the ratio of the fastest runs.  On this
#   machine these spread by about +-0.1 from one bench to the next.
# The record is switched off in a database by renaming the table
# schemamig.schema_snapshot (the runs look it up by name and then behave
# as on a 0.1 catalog, which has no record).
#   upgrade('head'): (run + record) / run           target < 1.10
#   CALL migrate('head'): (run + record) / run      target < 1.10
#   drift() with nothing changed, ms                target < 1000
#   the record's size in bytes per table (table + TOAST, after VACUUM)
# The extension measured is the one installed for PostgreSQL 15; this
# script builds and installs nothing.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
NS="1000"
RUNS=3
PORT_FIRST=5550
PORT_LAST=5559
KEEP=0

while [ $# -gt 0 ]; do
	case $1 in
		--n) NS=$2; shift ;;
		--runs) RUNS=$2; shift ;;
		--port) PORT_FIRST=$2; shift ;;
		--keep) KEEP=1 ;;
		-h|--help) sed -n '2,24p' "$0"; exit 0 ;;
		*) echo "drift.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later is needed (\$EPOCHREALTIME)"
export PATH="$PG_BIN:$PATH"
EXT_DIR=$("$PG_BIN/pg_config" --sharedir)/extension
[ -f "$EXT_DIR/schemamig.control" ] || die "schemamig is not installed (make install)"

start_server
PSQL=(psql -X -At -q -v ON_ERROR_STOP=1)
RESULTS=$W/results.tsv
: >"$RESULTS"

ms() { echo $(( (${2/./} - ${1/./}) / 1000 )); }

# fresh_db DB RECORD(1|0)
fresh_db() {
	"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" \
		-c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	"${PSQL[@]}" -d "$1" -c 'CREATE EXTENSION schemamig' >/dev/null
	if [ "$2" = 0 ]; then
		# hidden under another name, the runs do not see it (they look it
		# up by name); the direct measure renames it back
		"${PSQL[@]}" -d "$1" -c 'ALTER TABLE schemamig.schema_snapshot RENAME TO schema_snapshot_hidden' >/dev/null
	fi
}

# one_run WHAT(upgrade|migrate) N RUN RECORD
one_run() {
	local what=$1 n=$2 run=$3 rec=$4 db=d_$1_$2_$3_$4 cmd t0 t1 t
	case $what in
		upgrade) cmd="SELECT pg_catalog.count(*) FROM schemamig.upgrade('head')" ;;
		migrate) cmd="CALL schemamig.migrate('head')" ;;
	esac
	fresh_db "$db" "$rec"
	PGOPTIONS='-c schemamig.lint=off -c client_min_messages=warning' \
		"${PSQL[@]}" -d "$db" -f "$W/gen/$n/schemamig/register.sql" >/dev/null
	# read in the backend around the command: its CPU time
	# (/proc/self/schedstat, ns on a CPU; other load on the machine moves
	# it less than the wall time) and the wall clock (ms)
	local cpu="pg_catalog.split_part(pg_catalog.pg_read_file('/proc/self/schedstat'), ' ', 1)
		|| ' ' || pg_catalog.round(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()) * 1000)"
	local steps=(-c "SELECT 'cpu_start ' || $cpu" -c "$cmd" -c "SELECT 'cpu_end ' || $cpu")
	local direct=()
	if [ "$rec" = 0 ]; then
		# the direct measure: the record on its own, in the same backend
		# right after the run, written by offline_record() as the runs
		# write it (smig_drift_record): for upgrade() in its transaction,
		# as upgrade() does; for migrate() in the next one, after its
		# commits, as migrate() does
		direct=(-c 'ALTER TABLE schemamig.schema_snapshot_hidden RENAME TO schema_snapshot'
			-c "SELECT 'rec_start ' || $cpu" -c "CALL schemamig.offline_record('upgrade')"
			-c "SELECT 'rec_end ' || $cpu")
	fi
	if [ "$what" = upgrade ]; then
		# one transaction around the run and the direct measure
		PGOPTIONS="-c client_min_messages=warning" "${PSQL[@]}" -d "$db" \
			-c BEGIN "${steps[@]}" "${direct[@]}" -c COMMIT >"$W/cmd.out"
	elif [ "$rec" = 0 ]; then
		PGOPTIONS="-c client_min_messages=warning" "${PSQL[@]}" -d "$db" \
			"${steps[@]}" -c BEGIN "${direct[@]}" -c COMMIT >"$W/cmd.out"
	else
		PGOPTIONS="-c client_min_messages=warning" "${PSQL[@]}" -d "$db" \
			"${steps[@]}" >"$W/cmd.out"
	fi
	t=$(awk '$1 == "cpu_start" {a=$3} $1 == "cpu_end" {b=$3} END {printf "%d", b - a}' "$W/cmd.out")
	cpu=$(awk '$1 == "cpu_start" {a=$2} $1 == "cpu_end" {b=$2} END {printf "%d", (b - a) / 1000000}' "$W/cmd.out")
	if [ "$rec" = 0 ]; then
		awk -v w="$what" -v n="$n" -v r="$run" '$1 == "cpu_start" {a=$2} $1 == "cpu_end" {b=$2}
			$1 == "rec_start" {c=$2} $1 == "rec_end" {d=$2}
			END {printf "%s_direct\t%s\t0\t%s\t%.4f\n", w, n, r, 1 + (d - c) / (b - a)}' "$W/cmd.out" >>"$RESULTS"
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$what" "$n" "$rec" "$run" "$t" >>"$RESULTS"
	printf '%s_cpu\t%s\t%s\t%s\t%s\n' "$what" "$n" "$rec" "$run" "$cpu" >>"$RESULTS"
	note "$what N=$n record=$rec run $run: $t ms (backend CPU $cpu ms)"
	if [ "$what" = upgrade ] && [ "$rec" = 1 ]; then
		# drift() with nothing changed, and the record's size
		for _ in 1 2 3; do
			t0=$EPOCHREALTIME
			"${PSQL[@]}" -d "$db" -c 'SELECT pg_catalog.count(*) FROM schemamig.drift()' >"$W/drift.out"
			t1=$EPOCHREALTIME
			[ "$(cat "$W/drift.out")" = 0 ] || die "drift() found drift after a clean upgrade"
			printf 'drift\t%s\t1\t%s\t%s\n' "$n" "$run" "$(ms "$t0" "$t1")" >>"$RESULTS"
		done
		"${PSQL[@]}" -d "$db" -c 'VACUUM schemamig.schema_snapshot' >/dev/null
		"${PSQL[@]}" -d "$db" -c "SELECT 'bytes', pg_catalog.pg_total_relation_size('schemamig.schema_snapshot'),
			(SELECT pg_catalog.pg_column_size(snapshot) FROM schemamig.schema_snapshot),
			(SELECT pg_catalog.octet_length(snapshot::text) FROM schemamig.schema_snapshot)" |
			awk -F'|' -v n="$n" -v run="$run" '{printf "bytes\t%s\t1\t%s\t%s\t%s\t%s\n", n, run, $2, $3, $4}' >>"$RESULTS"
	fi
	"${PSQL[@]}" -d postgres -c "DROP DATABASE $db" >/dev/null
}

for n in $NS; do
	python3 "$BENCH_DIR/gen.py" "$W/gen/$n" "$n" schemamig
	for ((run = 1; run <= RUNS; run++)); do
		# alternate the order so that neither always runs first
		if [ $((run % 2)) = 1 ]; then order="1 0"; else order="0 1"; fi
		for what in upgrade migrate; do
			for rec in $order; do one_run "$what" "$n" "$run" "$rec"; done
		done
	done
done

echo "PostgreSQL $("$PG_BIN/postgres" --version | sed 's/.* //'), cluster on $STORAGE, $(nproc) cores, runs $RUNS"
awk -F'\t' -v ns="$NS" -v nruns="$RUNS" '
	function median(s,   a, k, i, j, t) {
		k = split(s, a, " ")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	function least(s,   a, k, i, m) {
		k = split(s, a, " "); m = a[1] + 0
		for (i = 2; i <= k; i++) if (a[i] + 0 < m) m = a[i] + 0
		return m
	}
	# the ratio of each run with the record to the same run without it
	function pairs(w, N,   r, s) {
		s = ""
		for (r in run) if ((w " " N " 1 " r) in one && (w " " N " 0 " r) in one)
			s = s " " one[w " " N " 1 " r] / one[w " " N " 0 " r]
		return median(s)
	}
	$1 == "bytes" { total[$2] = $5; snap[$2] = $6; raw[$2] = $7; next }
	{ v[$1 " " $2 " " $3] = v[$1 " " $2 " " $3] " " $5; one[$1 " " $2 " " $3 " " $4] = $5; run[$4] = 1 }
	END {
		k = split(ns, n, " ")
		for (i = 1; i <= k; i++) {
			N = n[i]
			u1 = median(v["upgrade " N " 1"]); u0 = median(v["upgrade " N " 0"])
			m1 = median(v["migrate " N " 1"]); m0 = median(v["migrate " N " 0"])
			d = median(v["drift " N " 1"])
			printf "N = %d tables (one per revision)\n", N
			pu = pairs("upgrade", N); pm = pairs("migrate", N)
			du = median(v["upgrade_direct " N " 0"]); dm = median(v["migrate_direct " N " 0"])
			printf "  the record on its own, right after the run in the same backend: (run + record) / run, median of %d\n", nruns
			printf "    upgrade(head) %.3f  (target < 1.10: %s)\n", du, (du < 1.10) ? "MET" : "MISSED"
			printf "    migrate(head) %.3f  (target < 1.10: %s)\n", dm, (dm < 1.10) ? "MET" : "MISSED"
			printf "  the runs with and without the record, wall time in the backend:\n"
			printf "  upgrade(head)   without record %7d ms, with %7d ms (medians): ratio %.2f; median of the per-run ratios %.2f\n", u0, u1, u1 / u0, pu
			printf "  migrate(head)   without record %7d ms, with %7d ms (medians): ratio %.2f; median of the per-run ratios %.2f\n", m0, m1, m1 / m0, pm
			u1 = median(v["upgrade_cpu " N " 1"]); u0 = median(v["upgrade_cpu " N " 0"])
			m1 = median(v["migrate_cpu " N " 1"]); m0 = median(v["migrate_cpu " N " 0"])
			printf "    backend CPU time of the calling backend (migrate() runs these steps there too):\n"
			printf "    upgrade(head) without record %7d ms, with %7d ms: ratio %.2f\n", u0, u1, u1 / u0
			printf "    migrate(head) without record %7d ms, with %7d ms: ratio %.2f\n", m0, m1, m1 / m0
			# other load on a shared machine only ever adds time: the
			# fastest run of each kind and the paired runs say it too
			printf "    the same CPU times, fastest run of each: upgrade %d / %d ms = %.2f, migrate %d / %d ms = %.2f\n", \
				least(v["upgrade_cpu " N " 1"]), least(v["upgrade_cpu " N " 0"]), \
				least(v["upgrade_cpu " N " 1"]) / least(v["upgrade_cpu " N " 0"]), \
				least(v["migrate_cpu " N " 1"]), least(v["migrate_cpu " N " 0"]), \
				least(v["migrate_cpu " N " 1"]) / least(v["migrate_cpu " N " 0"])
			printf "    median of the per-run CPU ratios (run k with / run k without): upgrade %.2f, migrate %.2f\n", \
				pairs("upgrade_cpu", N), pairs("migrate_cpu", N)
			printf "  drift(), nothing changed: %d ms  (target < 1000: %s)\n", d, (d < 1000) ? "MET" : "MISSED"
			printf "  record: %d bytes on disk (table + TOAST), %.0f bytes per table; snapshot %d bytes stored (%d as text)\n", total[N], total[N] / N, snap[N], raw[N]
		}
	}' "$RESULTS"
