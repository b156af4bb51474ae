#!/usr/bin/env bash
# bench/schema_diff.sh: describe() and diff() on schemas of 100, 1,000 and
# 5,000 tables (issue 14's performance targets).
#
#   bash bench/schema_diff.sh [--n "100 1000 5000"] [--runs 3] [--keep]
#
# For each N, in a throwaway PostgreSQL 15 cluster (bench/lib.sh), database A
# gets N tables t<i> of 10 columns (bigint primary key, a foreign key to
# t<i-1>, text, int, numeric, timestamptz with a default, boolean NOT NULL
# with a default, jsonb, varchar, date), 2 indexes each besides the primary
# key, plus N/10 views (each over a table) and N/10 SQL functions.  Database
# B is a copy of A (CREATE DATABASE ... TEMPLATE) with every 10th table
# changed: a column added, one index redefined, one column retyped every
# 50th, a view and a function more.  Timed inside the server
# (clock_timestamp() around the call in a DO block; no client transfer), the
# median of --runs:
#
#   describe      schemamig.describe() of A
#   diff same     diff(describe() of A) in A: nothing to do (it describes the
#                 live side, then compares)
#   diff changed  diff(describe() of B) in A: the script for the changes
#   diff empty    diff(describe() of A) in an empty database: the script that
#                 creates everything
#
# then the growth of each figure from one N to the next (time ratio over
# size ratio: 1.00 is linear) and the targets (describe and diff under 1 s at
# 1,000 tables) with MET/MISSED.  Wall-clock figures: on a machine running
# other work they move by 20 % or more.  It benchmarks the schemamig
# installed for PostgreSQL 15 (make install); it builds nothing.  About 6
# minutes on 2 cores.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# read by lib.sh
# shellcheck disable=SC2034
PORT_FIRST=5550
# shellcheck disable=SC2034
PORT_LAST=5559
NS="100 1000 5000"
RUNS=3
KEEP=0

# shellcheck disable=SC2034 # KEEP is read by lib.sh
while [ $# -gt 0 ]; do
	case "$1" in
		--n) NS=$2; shift 2 ;;
		--runs) RUNS=$2; shift 2 ;;
		--keep) KEEP=1; shift ;;
		-h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done

# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
[ -x "$PG_BIN/postgres" ] || die "no PostgreSQL at $PG_BIN"
start_server
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -A -t)

# build DB N: the schema of N tables
build() {
	"$PG_BIN/createdb" "$1"
	"${PSQL[@]}" -d "$1" <<'EOF'
CREATE EXTENSION schemamig;
CREATE SCHEMA app;
SET client_min_messages = warning;
DO $$
DECLARE
    n int := current_setting('bench.n')::int;
    t text;
BEGIN
    FOR i IN 1..n LOOP
        t := format('app.t%s', i);
        EXECUTE format('CREATE TABLE %s (id bigint PRIMARY KEY, parent_id bigint%s,'
                       ' name text, qty int, price numeric(12,2),'
                       ' created timestamptz DEFAULT now(), active boolean NOT NULL DEFAULT true,'
                       ' attrs jsonb, code varchar(40), due date)',
                       t, CASE WHEN i > 1 THEN format(' REFERENCES app.t%s', i - 1) ELSE '' END);
        EXECUTE format('CREATE INDEX t%s_parent_idx ON %s (parent_id)', i, t);
        EXECUTE format('CREATE INDEX t%s_name_idx ON %s (name, qty)', i, t);
        IF i % 10 = 0 THEN
            EXECUTE format('CREATE VIEW app.v%s AS SELECT id, name, price FROM %s WHERE active', i, t);
            EXECUTE format('CREATE FUNCTION app.f%s(p bigint) RETURNS bigint LANGUAGE sql STABLE'
                           ' AS ''SELECT count(*) FROM %s WHERE parent_id = p''', i, t);
        END IF;
    END LOOP;
END $$;
EOF
}

# change DB N: every 10th table of the copy
change() {
	"${PSQL[@]}" -d "$1" <<'EOF'
SET client_min_messages = warning;
DO $$
DECLARE
    n int := current_setting('bench.n')::int;
BEGIN
    FOR i IN 10..n BY 10 LOOP
        EXECUTE format('ALTER TABLE app.t%s ADD COLUMN note text', i);
        EXECUTE format('DROP INDEX app.t%s_name_idx', i);
        EXECUTE format('CREATE INDEX t%s_name_idx ON app.t%s (qty, name)', i, i);
        IF i % 50 = 0 THEN
            EXECUTE format('ALTER TABLE app.t%s ALTER COLUMN qty TYPE bigint', i);
        END IF;
        EXECUTE format('CREATE VIEW app.w%s AS SELECT id, note FROM app.t%s', i, i);
        EXECUTE format('CREATE FUNCTION app.g%s() RETURNS int LANGUAGE sql AS ''SELECT %s''', i, i);
    END LOOP;
END $$;
EOF
}

# timed DB EXPR [SNAPSHOT-FILE]: median seconds of RUNS evaluations of EXPR
# in DB (inside the server); $1::jsonb in EXPR is the snapshot
timed() {
	local db=$1 expr=$2 file=${3:-} out=()
	for _ in $(seq 1 "$RUNS"); do
		out+=("$(
			{
				if [ -n "$file" ]; then
					# shellcheck disable=SC2016 # psql's backquotes
					printf '\\set snap `cat %s`\n' "$file"
					echo "CREATE TEMP TABLE snap AS SELECT :'snap'::jsonb AS j;"
				else
					echo "CREATE TEMP TABLE snap AS SELECT NULL::jsonb AS j;"
				fi
				cat <<EOF
DO \$\$
DECLARE s jsonb := (SELECT j FROM snap); t0 timestamptz; x text;
BEGIN
    t0 := clock_timestamp();
    x := ($expr)::text;
    RAISE NOTICE 'secs %', extract(epoch FROM clock_timestamp() - t0);
END \$\$;
EOF
			} | "${PSQL[@]}" -d "$db" 2>&1 | sed -n 's/.*secs //p'
		)")
	done
	printf '%s\n' "${out[@]}" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'
}

declare -A FIG
printf '%-8s %10s %10s %12s %12s %10s %10s\n' tables describe "diff same" "diff changed" "diff empty" "snapshot" "script"
for n in $NS; do
	a=bench_a_$n b=bench_b_$n e=bench_e_$n
	note "building $n tables"
	export PGOPTIONS="-c bench.n=$n"
	build "$a" "$n"
	"$PG_BIN/createdb" -T "$a" "$b"
	change "$b" "$n"
	"$PG_BIN/createdb" "$e"
	"${PSQL[@]}" -d "$e" -c "CREATE EXTENSION schemamig"
	unset PGOPTIONS
	"${PSQL[@]}" -d "$a" -c "SELECT schemamig.describe()" >"$W/a_$n.json"
	"${PSQL[@]}" -d "$b" -c "SELECT schemamig.describe()" >"$W/b_$n.json"
	FIG[describe_$n]=$(timed "$a" "schemamig.describe()")
	FIG[same_$n]=$(timed "$a" "schemamig.diff(s)" "$W/a_$n.json")
	FIG[changed_$n]=$(timed "$a" "schemamig.diff(s)" "$W/b_$n.json")
	FIG[empty_$n]=$(timed "$e" "schemamig.diff(s)" "$W/a_$n.json")
	# shellcheck disable=SC2016 # psql's backquotes
	script_kb=$(printf '\\set snap `cat %s`\nSELECT length(schemamig.diff(:%s)) / 1024;\n' \
		"$W/b_$n.json" "'snap'" | "${PSQL[@]}" -d "$a")
	printf '%-8s %9ss %9ss %11ss %11ss %8sKB %8sKB\n' "$n" "${FIG[describe_$n]}" "${FIG[same_$n]}" \
		"${FIG[changed_$n]}" "${FIG[empty_$n]}" "$(($(wc -c <"$W/a_$n.json") / 1024))" "$script_kb"
	for d in "$a" "$b" "$e"; do "$PG_BIN/dropdb" "$d"; done
done

echo
echo "growth (time ratio / size ratio; 1.00 = linear):"
prev=""
for n in $NS; do
	if [ -n "$prev" ]; then
		printf '  %s -> %s tables:' "$prev" "$n"
		for f in describe same changed empty; do
			printf ' %s %s' "$f" "$(awk -v a="${FIG[${f}_$prev]}" -v b="${FIG[${f}_$n]}" -v p="$prev" -v q="$n" \
				'BEGIN { if (a > 0) printf "%.2f", (b / a) / (q / p); else print "n/a" }')"
		done
		echo
	fi
	prev=$n
done

if [ -n "${FIG[describe_1000]:-}" ]; then
	echo
	echo "targets at 1,000 tables:"
	for f in describe same changed; do
		v=${FIG[${f}_1000]}
		verdict=$(awk -v v="$v" 'BEGIN { print (v < 1.0) ? "MET" : "MISSED" }')
		printf '  %-13s %6ss < 1 s  %s\n' "$f" "$v" "$verdict"
	done
fi
