#!/usr/bin/env bash
# bench/cic.sh -- a revision without a transaction holding one CREATE INDEX
# CONCURRENTLY on a 1,000,000-row table, run by CALL schemamig.migrate()
# (a background worker builds it; issue 18), next to the same CREATE INDEX
# CONCURRENTLY sent by psql, in a throwaway PostgreSQL 15 cluster
# (bench/lib.sh).
#
#   bash bench/cic.sh                  9 runs of each: about 1 minute
#   bash bench/cic.sh --runs 15 --rows 2000000
#
# Each figure is the median wall time of the client command (psql -c) over
# the runs, the two alternating; before each schemamig run the revision is
# undone (CALL schemamig.migrate_down('base'), untimed), before each psql
# run the index is dropped.  It prints the overhead of schemamig per step,
# median(migrate) - median(psql) in ms and median(migrate) / median(psql)
# as a ratio, against issue 18's target: under 50 ms beyond the build;
# then the median of the runs' own differences and the range of the psql
# builds, which shows how far the build alone varies (on a busy 2-core
# machine, by more than the overhead: the VACUUM figure at the end, whose
# statement costs nothing, is the steadier measure of what a step adds).
# The extension measured is the one installed for PostgreSQL 15; this
# script builds and installs nothing.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
RUNS=9
ROWS=1000000
PORT_FIRST=5550
PORT_LAST=5559
KEEP=0

while [ $# -gt 0 ]; do
	case $1 in
		--runs) RUNS=$2; shift ;;
		--rows) ROWS=$2; shift ;;
		--port) PORT_FIRST=$2; PORT_LAST=$((PORT_FIRST + 9)); shift ;;
		--keep) KEEP=1 ;;
		-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
		*) echo "cic.sh: unknown option $1" >&2; exit 2 ;;
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
DB=cic
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
"${PSQL[@]}" -d "$DB" >/dev/null <<EOF
CREATE EXTENSION schemamig;
CREATE TABLE public.big (id bigint PRIMARY KEY, v integer, note text);
INSERT INTO public.big SELECT g, (g::bigint * 7919) % 100003, 'row ' || g
	FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE public.big;
SELECT * FROM schemamig.register(\$s\$
-- schemamig:revision cic1
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY big_v_idx ON public.big (v);
-- schemamig:downgrade
DROP INDEX CONCURRENTLY IF EXISTS public.big_v_idx;
\$s\$);
EOF
note "table of $ROWS rows ready; schemamig.so $SO_MD5; $RUNS runs of each"

# timed SQL: the wall time of psql -c, in ms
timed() {
	local t0 t1
	t0=$EPOCHREALTIME
	PGOPTIONS='-c client_min_messages=warning' "${PSQL[@]}" -d "$DB" -c "$1" >/dev/null
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

PS=()
SM=()
for run in $(seq 1 "$RUNS"); do
	PGOPTIONS="-c client_min_messages=warning" "${PSQL[@]}" -d "$DB" -c "DROP INDEX IF EXISTS public.big_v_idx" >/dev/null
	PS+=("$(timed "CREATE INDEX CONCURRENTLY big_v_idx ON public.big (v)")")
	"${PSQL[@]}" -d "$DB" -c "DROP INDEX public.big_v_idx" >/dev/null
	SM+=("$(timed "CALL schemamig.migrate('head')")")
	[ "$("${PSQL[@]}" -d "$DB" -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.big_v_idx'::regclass")" = t ] ||
		die "migrate() did not build a valid index"
	PGOPTIONS='-c client_min_messages=warning' "${PSQL[@]}" -d "$DB" \
		-c "CALL schemamig.migrate_down('base')" >/dev/null
	note "run $run: psql ${PS[-1]} ms, migrate() ${SM[-1]} ms"
done

# the fixed cost of a step run by a worker: VACUUM of a one-row table
"${PSQL[@]}" -d postgres -c "CREATE DATABASE fixed" >/dev/null
"${PSQL[@]}" -d fixed >/dev/null <<'EOF'
CREATE EXTENSION schemamig;
CREATE TABLE public.tiny (id int);
INSERT INTO public.tiny VALUES (1);
SELECT * FROM schemamig.register($s$
-- schemamig:revision vac1
-- schemamig:transaction off
-- schemamig:upgrade
VACUUM public.tiny;
-- schemamig:downgrade
VACUUM public.tiny;
$s$);
EOF
FP=()
FS=()
for run in $(seq 1 "$RUNS"); do
	FP+=("$(DB=fixed timed "VACUUM public.tiny")")
	FS+=("$(DB=fixed timed "CALL schemamig.migrate('head')")")
	PGOPTIONS='-c client_min_messages=warning' "${PSQL[@]}" -d fixed \
		-c "CALL schemamig.migrate_down('base')" >/dev/null
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mp=$(median "${PS[@]}")
ms=$(median "${SM[@]}")
DIFF=()
for i in "${!PS[@]}"; do
	DIFF+=("$(awk -v p="${PS[$i]}" -v s="${SM[$i]}" 'BEGIN { printf "%.1f\n", s - p }')")
done
md=$(median "${DIFF[@]}")
lo=$(printf '%s\n' "${PS[@]}" | sort -n | head -1)
hi=$(printf '%s\n' "${PS[@]}" | sort -n | tail -1)
awk -v p="$mp" -v s="$ms" -v d="$md" -v lo="$lo" -v hi="$hi" -v rows="$ROWS" -v runs="$RUNS" 'BEGIN {
	over = s - p
	printf "CREATE INDEX CONCURRENTLY on %d rows, median of %d runs (wall time of psql -c)\n", rows, runs
	printf "  psql                      %9.1f ms\n", p
	printf "  CALL schemamig.migrate()  %9.1f ms\n", s
	printf "  overhead per step         %9.1f ms   ratio %.3f\n", over, s / p
	printf "  target: under 50 ms beyond the build: %s\n", over < 50 ? "MET" : "MISSED"
	printf "  median difference of the paired runs %.1f ms; psql builds ranged %.1f-%.1f ms\n", d, lo, hi
}'
fp=$(median "${FP[@]}")
fs=$(median "${FS[@]}")
awk -v p="$fp" -v s="$fs" 'BEGIN {
	printf "VACUUM of a one-row table (what a worker step costs besides its statement)\n"
	printf "  psql                      %9.1f ms\n", p
	printf "  CALL schemamig.migrate()  %9.1f ms   difference %.1f ms\n", s, s - p
}'
