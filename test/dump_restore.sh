#!/usr/bin/env bash
# test/dump_restore.sh: revisions and their state survive pg_dump / pg_restore
# (TESTPLAN F7, CONTRACT "Guarantees").
#
#   1. a database with schemamig and 3 revisions applied (each creates a table,
#      the first also gets a row of data);
#   2. pg_dump -Fc, pg_restore into a fresh database;
#   3. status() (volatile columns as booleans), the raw applied_at/applied_by
#      values, the list of user tables and the data row are identical;
#   4. in the restored database, register() + upgrade() of a 4th revision
#      succeeds and applies exactly that one revision (0 re-applied).
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/dump_restore.sh`) it starts its own.  Needs schemamig installed
# (make install).  Prints "PASS: dump_restore" or "FAIL: dump_restore: why"
# as its last line; exits non-zero on failure.

set -euo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	# not inside pg_virtualenv, and not told to use the server PG* names
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

SRC=smig_dr_src_$$
DST=smig_dr_dst_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_dr.XXXXXX")
result=FAIL
why="unexpected error (see above)"

finish() {
	local rc=$?
	dropdb --if-exists "$SRC" >/dev/null 2>&1 || true
	dropdb --if-exists "$DST" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	if [ "$result" = PASS ]; then
		echo "PASS: dump_restore"
		exit 0
	fi
	echo "FAIL: dump_restore: $why"
	[ "$rc" -ne 0 ] || rc=1
	exit "$rc"
}
trap finish EXIT

# psql against database $1, unaligned, tuples only, stop at the first error.
q() {
	local db=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$db" "$@"
}

fail() {
	why=$1
	exit 1
}

# expect WHAT GOT WANT
expect() {
	if [ "$2" != "$3" ]; then
		printf '%s:\n--- got\n%s\n--- want\n%s\n' "$1" "$2" "$3"
		fail "$1"
	fi
}

rev() {
	local id=$1 down=$2 n=$3
	cat <<EOF
-- schemamig:revision $id
-- schemamig:down_revision $down
-- schemamig:message create table dr_t$n
-- schemamig:upgrade
CREATE TABLE public.dr_t$n (id bigint PRIMARY KEY, note text NOT NULL);
-- schemamig:downgrade
DROP TABLE public.dr_t$n;

EOF
}

R1=d0d0d0000001
R2=d0d0d0000002
R3=d0d0d0000003
R4=d0d0d0000004
nl=$'\n'
SCRIPT3="$(rev $R1 base 1)$nl$nl$(rev $R2 $R1 2)$nl$nl$(rev $R3 $R2 3)"
SCRIPT4=$(rev $R4 $R3 4)

STATUS_SQL="SELECT revision, down_revisions, message, state,
       applied_at IS NOT NULL AS has_applied_at,
       applied_by IS NOT NULL AS has_applied_by,
       is_head, is_current
  FROM schemamig.status()"
RAW_SQL="SELECT revision, applied_at, applied_by FROM schemamig.status() ORDER BY revision"
TABLES_SQL="SELECT n.nspname || '.' || c.relname
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'schemamig')
   AND n.nspname NOT LIKE 'pg_toast%'
 ORDER BY 1"

step() {
	why="$1 failed"
	echo "== $1"
}

step "source database $SRC: CREATE EXTENSION, apply 3 revisions"
createdb "$SRC"
q "$SRC" -c "CREATE EXTENSION schemamig"
applied=$(q "$SRC" -v script="$SCRIPT3" <<'SQL'
SELECT revision FROM schemamig.apply(:'script');
SQL
)
expect "apply() of 3 revisions returned" "$applied" "$R1
$R2
$R3"
q "$SRC" -c "INSERT INTO public.dr_t1 VALUES (1, 'kept across dump/restore')"

src_status=$(q "$SRC" -c "$STATUS_SQL")
src_raw=$(q "$SRC" -c "$RAW_SQL")
src_tables=$(q "$SRC" -c "$TABLES_SQL")
echo "$src_status"
expect "tables in source" "$src_tables" "public.dr_t1
public.dr_t2
public.dr_t3"
expect "applied revisions in source" \
	"$(q "$SRC" -c "SELECT count(*) FROM schemamig.status() WHERE state = 'applied'")" 3
expect "current() in source" "$(q "$SRC" -c "SELECT * FROM schemamig.current()")" "$R3"

step "pg_dump -Fc $SRC, pg_restore into $DST"
pg_dump -Fc -d "$SRC" -f "$WORK/src.dump"
createdb "$DST"
pg_restore --exit-on-error -d "$DST" "$WORK/src.dump"

step "compare $SRC and $DST"
dst_status=$(q "$DST" -c "$STATUS_SQL")
expect "status() after restore" "$dst_status" "$src_status"
expect "applied_at/applied_by after restore" "$(q "$DST" -c "$RAW_SQL")" "$src_raw"
expect "tables after restore" "$(q "$DST" -c "$TABLES_SQL")" "$src_tables"
expect "data after restore" "$(q "$DST" -c "SELECT id, note FROM public.dr_t1")" \
	"1|kept across dump/restore"
expect "current() after restore" "$(q "$DST" -c "SELECT * FROM schemamig.current()")" "$R3"

step "in $DST: register and upgrade a 4th revision"
registered=$(q "$DST" -v script="$SCRIPT4" <<'SQL'
SELECT revision || ' ' || action FROM schemamig.register(:'script');
SQL
)
expect "register() of the 4th revision returned" "$registered" "$R4 added"
upgraded=$(q "$DST" -c "SELECT revision FROM schemamig.upgrade('head')")
expect "upgrade('head') after restore applied" "$upgraded" "$R4"
expect "current() after the 4th revision" \
	"$(q "$DST" -c "SELECT * FROM schemamig.current()")" "$R4"
expect "applied revisions after the 4th" \
	"$(q "$DST" -c "SELECT count(*) FROM schemamig.status() WHERE state = 'applied'")" 4
expect "tables after the 4th revision" "$(q "$DST" -c "$TABLES_SQL")" "public.dr_t1
public.dr_t2
public.dr_t3
public.dr_t4"
expect "a second upgrade('head')" "$(q "$DST" -c "SELECT count(*) FROM schemamig.upgrade('head')")" 0
q "$DST" -c "$STATUS_SQL"

result=PASS
