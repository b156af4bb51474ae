#!/usr/bin/env bash
# bench/many_dbs.sh -- the command-line client over many databases: one
# `schemamig upgrade --targets FILE --jobs J` next to a shell loop of single
# `schemamig -d DB upgrade` calls, on D databases (a database per tenant)
# each taking the same chain of R revisions, in a throwaway PostgreSQL 15
# cluster (bench/lib.sh).
#
#   bash bench/many_dbs.sh                       D = 200, R = 20, J = 8: about a minute
#   bash bench/many_dbs.sh --dbs 50 --revs 10 --jobs 4
#
# Every database starts fresh (CREATE DATABASE ... TEMPLATE of one with the
# extension, untimed) for each of the two ways; each figure is the wall time
# of the whole run ($EPOCHREALTIME around it).  It prints both, per database,
# and the ratio loop / --jobs (issue 16: "200 databases x 20 revisions with
# --jobs 8, vs a shell loop of single calls").  Both ways must leave every
# database at the head, or the script fails.  The client measured is
# cli/schemamig of this tree (SMIG_CLI to change it), against the extension
# installed for PostgreSQL 15; this script builds and installs nothing.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SM=${SMIG_CLI:-$BENCH_DIR/../cli/schemamig}
DBS=200
REVS=20
JOBS=8
PORT_FIRST=5550
PORT_LAST=5559
KEEP=0

while [ $# -gt 0 ]; do
	case $1 in
		--dbs) DBS=$2; shift ;;
		--revs) REVS=$2; shift ;;
		--jobs) JOBS=$2; shift ;;
		--port) PORT_FIRST=$2; PORT_LAST=$2; shift ;;
		--keep) KEEP=1 ;;
		-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
		*) echo "many_dbs.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck source=lib.sh
. "$BENCH_DIR/lib.sh"
[ -x "$SM" ] || die "$SM is missing: build it with make -C cli"
start_server
unset DATABASE_URL
# a copy: a rebuild of the tree during the run must not change the client
cp "$SM" "$W/schemamig"
SM=$W/schemamig

psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# the chain: revision i creates a table with an index, and undoes it
mkdir "$W/migrations"
for i in $(seq 1 "$REVS"); do
	{
		printf -- '-- schemamig:revision r%04d\n' "$i"
		[ "$i" -gt 1 ] && printf -- '-- schemamig:down_revision r%04d\n' $((i - 1))
		printf -- '-- schemamig:message table %d\n-- schemamig:upgrade\n' "$i"
		printf 'CREATE TABLE t%d (id bigint PRIMARY KEY, body text);\n' "$i"
		printf 'CREATE INDEX t%d_body_idx ON t%d (body);\n' "$i" "$i"
		printf -- '-- schemamig:downgrade\nDROP TABLE t%d;\n' "$i"
	} >"$W/migrations/$(printf '%04d' "$i")_r.sql"
done
HEAD=$(printf 'r%04d' "$REVS")

psql -d postgres -c "CREATE DATABASE tmpl"
psql -d tmpl -c "CREATE EXTENSION schemamig"
: >"$W/targets"
for i in $(seq 1 "$DBS"); do
	echo "host=$PGHOST port=$PGPORT user=$PGUSER dbname=tenant_$i" >>"$W/targets"
done

# fresh: drop and create the tenants from the template (untimed)
fresh() {
	local i
	{
		echo "SET client_min_messages = warning;"
		for i in $(seq 1 "$DBS"); do
			echo "DROP DATABASE IF EXISTS tenant_$i;"
			echo "CREATE DATABASE tenant_$i TEMPLATE tmpl;"
		done
	} | psql -d postgres
}

# at_head: every tenant at the head, or die
at_head() {
	local i n=0
	for i in $(seq 1 "$DBS"); do
		echo "\\connect tenant_$i"
		echo "SELECT string_agg(c, ',') FROM schemamig.current() c;"
	done | psql -A -t -d postgres >"$W/heads"
	n=$(grep -cx "$HEAD" "$W/heads" || true)
	[ "$n" = "$DBS" ] || die "$1: $n of $DBS databases at $HEAD"
}

note "$DBS databases x $REVS revisions; $SM"
fresh
cd "$W"
t0=$EPOCHREALTIME
while read -r url; do
	"$SM" -d "$url" upgrade >/dev/null
done <"$W/targets"
t1=$EPOCHREALTIME
at_head "the loop"
LOOP=$(echo "$t1 - $t0" | bc -l)

fresh
t0=$EPOCHREALTIME
"$SM" upgrade --targets "$W/targets" --jobs "$JOBS" >"$W/many.out" ||
	die "upgrade --targets failed: $(tail -3 "$W/many.out")"
t1=$EPOCHREALTIME
at_head "--jobs $JOBS"
MANY=$(echo "$t1 - $t0" | bc -l)

printf '\n%d databases x %d revisions (PostgreSQL %s, %d CPUs)\n' "$DBS" "$REVS" \
	"$("$PG_BIN/postgres" -V | awk '{print $3}')" "$(nproc)"
printf '%-40s %9s %12s\n' "way" "wall (s)" "per db (ms)"
printf '%-40s %9.2f %12.1f\n' "shell loop of single upgrade calls" "$LOOP" "$(echo "$LOOP * 1000 / $DBS" | bc -l)"
printf '%-40s %9.2f %12.1f\n' "upgrade --targets FILE --jobs $JOBS" "$MANY" "$(echo "$MANY * 1000 / $DBS" | bc -l)"
printf 'ratio loop / --jobs %d: %.2f\n' "$JOBS" "$(echo "$LOOP / $MANY" | bc -l)"
