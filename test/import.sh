#!/usr/bin/env bash
# test/import.sh: "schemamig import" and "schemamig adopt" (issue 17) with
# the real tools, against a throwaway server.
#
#   Alembic (Debian's alembic, python3-sqlalchemy, python3-psycopg2) on the
#   project test/fixtures/alembic_project (a branch, a merge, a branch
#   label, a depends_on on a second root, and one revision whose Python
#   reads from the database): import writes one file per revision with
#   ids, parents, labels, dependencies and messages kept and no version-
#   table statement or BEGIN/COMMIT; the Python revision is reported and
#   its file refuses to register (push names it) until its SQL is written
#   by hand; push, upgrade heads, and the schema (pg_dump --schema-only,
#   each tool's own tables left out) equals the schema "alembic upgrade
#   heads" makes.  A database Alembic left at two middle revisions (two
#   alembic_version rows) is adopted (one transaction, alembic_version
#   untouched) and the remaining revisions applied, nothing twice; the
#   schema again equals Alembic's.  Importing again leaves every file
#   alone.  Errors: unknown tool, missing config, --dir inside Alembic's
#   directory, no python with alembic, adopt without a peer table, with a
#   revision missing from the files, before push, and when schemamig is
#   ahead of the peer.
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/import.sh`) it starts its own.  Needs schemamig installed (make
# install) and cli/schemamig built.  Prints "PASS: import (N checks)" or
# "FAIL: import: ..." as its last line; exits non-zero on failure.

set -uo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SM=${SMIG_CLI:-$ROOT/cli/schemamig}
FIXTURES=$ROOT/test/fixtures
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_import.XXXXXX")
DBS=()
failures=0
checks=0

finish() {
	cd /
	for db in "${DBS[@]}"; do
		dropdb --if-exists "$db" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
	if [ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]; then
		echo "PASS: import ($checks checks)"
		exit 0
	fi
	echo "FAIL: import: $failures of $checks checks failed"
	exit 1
}
trap finish EXIT

step() { echo "---- $*"; }

fail() {
	failures=$((failures + 1))
	echo "FAIL: $*"
}

expect() {
	checks=$((checks + 1))
	if [ "$2" != "$3" ]; then
		fail "$1"
		diff -u <(printf '%s\n' "$3") <(printf '%s\n' "$2") | tail -n +3 | sed 's/^/    /'
	fi
}

expect_match() {
	checks=$((checks + 1))
	if ! printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1: no line matches /$3/ in:"
		printf '%s\n' "$2" | sed 's/^/    /'
	fi
}

expect_no_match() {
	checks=$((checks + 1))
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		fail "$1: a line matches /$3/ in:"
		printf '%s\n' "$2" | sed 's/^/    /'
	fi
}

expect_rc() {
	checks=$((checks + 1))
	if [ "$RC" != "$2" ]; then
		fail "$1: exit status $RC, expected $2"
		printf '%s\n' "$OUT" | sed 's/^/    stdout: /'
		printf '%s\n' "$ERR" | sed 's/^/    stderr: /'
	fi
}

# sm ARG...: run the client; sets OUT, ERR, RC
sm() {
	"$SM" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
	RC=$?
	OUT=$(cat "$WORK/stdout")
	ERR=$(cat "$WORK/stderr")
}

q() {
	local db=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$db" "$@"
}

newdb() {
	createdb "$1" || exit 1
	DBS+=("$1")
}

# the connection string of a database, for -d
url() {
	if [[ "${PGHOST:-}" == /* ]]; then
		echo "host=$PGHOST port=${PGPORT:-5432} dbname=$1"
	else
		echo "postgresql://${PGUSER:-postgres}@${PGHOST:-localhost}:${PGPORT:-5432}/$1"
	fi
}

# alembic DB ARG...: the real Alembic on the test project (libpq's PG*
# variables give host, port, user and password)
alembic_on() {
	local db=$1
	shift
	(cd "$WORK/proj" && DATABASE_URL="postgresql+psycopg2:///$db" alembic "$@")
}

# the schema as pg_dump sees it, without comments, SET lines and the
# tools' own objects (alembic_version, schema schemamig, the extension)
schema_of() {
	pg_dump --schema-only --no-owner --no-privileges \
		--exclude-table=alembic_version --exclude-schema=schemamig "$1" |
		grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' \
			-e '^$' -e 'EXTENSION' -e 'schemamig' -e '^\\restrict ' -e '^\\unrestrict '
}

for tool in "$SM" alembic pg_dump; do
	if ! command -v "$tool" >/dev/null; then
		echo "$tool is missing (cli/schemamig: make; alembic: test/setup.sh installs it)"
		exit 1
	fi
done

P=$$
REF=smig_imp_ref_$P
NEW=smig_imp_new_$P
MID=smig_imp_mid_$P
NONE=smig_imp_none_$P
cp -r "$FIXTURES/alembic_project" "$WORK/proj" || exit 1
cd "$WORK/proj" || exit 1
unset DATABASE_URL

step "bad arguments"
sm import
expect_rc "import without a tool" 2
sm import liquibase
expect_rc "import of an unknown tool" 2
expect_match "unknown tool: message" "$ERR" '^schemamig: error: import: unknown tool "liquibase"'
sm import alembic --config nope.ini
expect_rc "import alembic with a missing config" 5
expect_match "missing config: message" "$ERR" '^schemamig: error: cannot read the Alembic configuration "nope.ini"'
sm import alembic --dir alembic
expect_rc "import alembic into Alembic's own directory" 2
expect_match "own directory: message" "$ERR" "^schemamig: error: --dir \"alembic\" is Alembic's own directory"
expect "own directory: nothing written" "$(find alembic -name '*.sql' | wc -l)" 0
SCHEMAMIG_PYTHON=/nonexistent/python sm import alembic --dir schemamig
expect_rc "import alembic with no usable python" 5
expect_match "no python: message" "$ERR" '^schemamig: error: cannot run Alembic: no python with alembic importable \(tried /nonexistent/python\)'
expect_match "no python: hint" "$ERR" '^hint: .*SCHEMAMIG_PYTHON'

step "import alembic"
sm import alembic --dir schemamig
expect_rc "import alembic" 0
expect_match "import: summary" "$OUT" '^8 revisions from alembic: 7 written, 1 needs SQL written by hand, 0 already there \(left alone\)$'
expect_match "import: the Python revision is reported" "$ERR" "^schemamig: warning: revision 8b0000000008 \(alembic/versions/8b0000000008_admin_flag.py\): it reads from the database \(op.get_bind\(\)\), which offline mode cannot do: AttributeError: .* \(line 21 of alembic/versions/8b0000000008_admin_flag.py\)$"
expect_match "import: its line in the table" "$OUT" '^8b0000000008  needs SQL  schemamig/8b0000000008_admin_flag_set_from_the_data.sql$'
expect "import: one file per revision" "$(ls schemamig | wc -l)" 8
hdr() { grep -h '^-- schemamig:' schemamig/"$1"_*.sql | grep -v -e ':upgrade$' -e ':downgrade$'; }
expect "import: a root" "$(hdr 1a0000000001)" "-- schemamig:revision 1a0000000001
-- schemamig:message create account table"
expect "import: the merge keeps both parents" "$(hdr 5e0000000005)" "-- schemamig:revision 5e0000000005
-- schemamig:down_revision 3c0000000003 4d0000000004
-- schemamig:message merge orders and audit"
expect "import: the branch label (on its revision only)" "$(hdr 3c0000000003)" "-- schemamig:revision 3c0000000003
-- schemamig:down_revision 2b0000000002
-- schemamig:message orders branch: the orders table
-- schemamig:branch_labels orders"
expect "import: depends_on, resolved from a branch label" "$(hdr 7a0000000007)" "-- schemamig:revision 7a0000000007
-- schemamig:down_revision 5e0000000005
-- schemamig:message order totals view
-- schemamig:depends_on 6f0000000006"
expect "import: the second root with its label" "$(hdr 6f0000000006)" "-- schemamig:revision 6f0000000006
-- schemamig:message reports schema, a root of its own
-- schemamig:branch_labels reports"
expect "import: the SQL of a revision, both sections" "$(sed -n '/schemamig:upgrade/,$p' schemamig/2b0000000002_*.sql)" "-- schemamig:upgrade
ALTER TABLE account ADD COLUMN email VARCHAR(200);

UPDATE account SET email = name || '@example.com';

-- schemamig:downgrade
ALTER TABLE account DROP COLUMN email;"
expect_no_match "import: no version-table statement" "$(cat schemamig/*.sql)" 'alembic_version'
expect_no_match "import: no BEGIN/COMMIT" "$(cat schemamig/*.sql)" '^(BEGIN|COMMIT);'
expect_no_match "import: the merge renders only its own step" "$(cat schemamig/5e*.sql)" 'CREATE TABLE'
expect_no_match "import: depends_on is not rendered with the dependant" "$(cat schemamig/7a*.sql)" 'CREATE SCHEMA'
expect_match "import: the Python source is quoted" "$(cat schemamig/8b*.sql)" '^-- \|     n = conn.execute\(sa.text\("SELECT count\(\*\) FROM account"\)\).scalar\(\)$'
expect_match "import: the renderable downgrade is kept" "$(cat schemamig/8b*.sql)" '^ALTER TABLE account DROP COLUMN is_admin;$'

step "the Python revision refuses to register until written by hand"
newdb "$NEW"
q "$NEW" -c "CREATE EXTENSION schemamig" || exit 1
sm -d "$(url "$NEW")" push schemamig
expect_rc "push with the unwritten revision" 1
expect_match "push: the error names the line and the file" "$ERR" '^schemamig: error: syntax error at or near "WRITE_THIS_REVISION_BY_HAND" \(schemamig/8b0000000008_admin_flag_set_from_the_data.sql, line [0-9]+\)$'
expect "push: nothing registered" "$(q "$NEW" -c 'SELECT count(*) FROM schemamig.status()')" 0
# what a person writes in its place
python3 - schemamig/8b0000000008_admin_flag_set_from_the_data.sql <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("WRITE_THIS_REVISION_BY_HAND;\n",
              "ALTER TABLE account ADD COLUMN is_admin boolean DEFAULT false NOT NULL;\n"
              "UPDATE account SET is_admin = true WHERE id = (SELECT min(id) FROM account);\n")
open(p, "w").write(s)
PY
cp schemamig/8b0000000008_admin_flag_set_from_the_data.sql "$WORK/by_hand.sql"
sm -d "$(url "$NEW")" push schemamig
expect_rc "push after writing it" 0
expect_match "push: summary" "$OUT" '^8 revisions in 8 files: 8 added, 0 unchanged, 0 replaced$'

step "import again: every file left alone"
sm import alembic --dir schemamig
expect_rc "import again" 0
expect_match "import again: summary" "$OUT" '^8 revisions from alembic: 0 written, 0 need SQL written by hand, 8 already there \(left alone\)$'
expect "import again: the hand-written file kept" "$(cmp schemamig/8b0000000008_admin_flag_set_from_the_data.sql "$WORK/by_hand.sql" && echo same)" same

step "upgrade heads: the same schema as alembic upgrade heads"
sm -d "$(url "$NEW")" upgrade heads
expect_rc "schemamig upgrade heads" 0
newdb "$REF"
alembic_on "$REF" upgrade heads >"$WORK/alembic.log" 2>&1
RC=$? OUT=$(cat "$WORK/alembic.log") ERR=
expect_rc "alembic upgrade heads" 0
ref_schema=$(schema_of "$REF")
expect_match "the reference schema has the last revision" "$ref_schema" 'is_admin boolean DEFAULT false NOT NULL'
expect "schema after schemamig upgrade = schema after alembic upgrade heads" "$(schema_of "$NEW")" "$ref_schema"

step "adopt a database Alembic left at two middle revisions"
newdb "$MID"
alembic_on "$MID" upgrade 3c0000000003 >"$WORK/alembic.log" 2>&1 &&
	alembic_on "$MID" upgrade 4d0000000004 >>"$WORK/alembic.log" 2>&1
RC=$? OUT=$(cat "$WORK/alembic.log") ERR=
expect_rc "alembic upgrade to the middle" 0
expect "alembic_version has two rows" "$(q "$MID" -c 'SELECT version_num FROM alembic_version ORDER BY 1')" "3c0000000003
4d0000000004"
q "$MID" -c "CREATE EXTENSION schemamig" || exit 1
sm -d "$(url "$MID")" --dir schemamig adopt
expect_rc "adopt before push" 1
expect_match "adopt before push: message" "$ERR" '^schemamig: error: revision "[0-9a-f]+" is not registered in database'
expect_match "adopt before push: hint" "$ERR" '^hint: Register the imported files first: schemamig push$'
sm -d "$(url "$MID")" push schemamig
expect_rc "push to the middle database" 0
sm -d "$(url "$MID")" --dir schemamig adopt
expect_rc "adopt" 0
expect_match "adopt: what it stamped" "$OUT" '^Adopted 4 revisions from alembic \(alembic_version\), running no SQL: stamped 3c0000000003, 4d0000000004\.$'
expect_match "adopt: says the peer table is left alone" "$OUT" '^alembic_version was left as it is: .*DROP TABLE alembic_version;'
expect "adopt: schemamig's applied revisions" "$(q "$MID" -c "SELECT revision FROM schemamig.status() WHERE state = 'applied' ORDER BY 1")" "1a0000000001
2b0000000002
3c0000000003
4d0000000004"
expect "adopt: stamped in one go, no SQL run" "$(q "$MID" -c "SELECT count(*) FROM schemamig.events WHERE operation <> 'stamp'")" 0
expect "adopt: alembic_version untouched" "$(q "$MID" -c 'SELECT version_num FROM alembic_version ORDER BY 1')" "3c0000000003
4d0000000004"
sm -d "$(url "$MID")" --dir schemamig adopt
expect_rc "adopt again" 0
expect_match "adopt again: nothing to do" "$OUT" '^Nothing to stamp: schemamig already records the 4 revisions alembic records as applied\.$'
sm -d "$(url "$MID")" upgrade heads
expect_rc "upgrade the adopted database" 0
expect "upgrade after adopt runs only the rest" "$(printf '%s\n' "$OUT" | grep '^Running upgrade' | sed -E 's/^(Running upgrade [^>]*-> [^,]*),.*/\1/' | sort)" "Running upgrade  -> 6f0000000006
Running upgrade 3c0000000003, 4d0000000004 -> 5e0000000005
Running upgrade 5e0000000005 -> 7a0000000007
Running upgrade 7a0000000007 -> 8b0000000008"
expect "adopted database: the same schema as Alembic's" "$(schema_of "$MID")" "$ref_schema"

step "adopt refuses what does not fit"
sm -d "$(url "$MID")" --dir schemamig adopt
expect_rc "adopt when schemamig is ahead of the peer" 1
expect_match "schemamig ahead: message" "$ERR" '^schemamig: error: schemamig already records revision "[0-9a-f]+" as applied, which alembic does not'
newdb "$NONE"
q "$NONE" -c "CREATE EXTENSION schemamig" || exit 1
sm -d "$(url "$NONE")" --dir schemamig adopt
expect_rc "adopt with no peer table" 1
expect_match "no peer table: message" "$ERR" "^schemamig: error: database \"$NONE\" has no record of another migration tool on the search_path$"
sm -d "$(url "$NONE")" --dir schemamig adopt flyway
expect_rc "adopt flyway with no flyway table" 1
expect_match "no flyway table: message" "$ERR" '^schemamig: error: database ".*" has no flyway record: no table flyway_schema_history on the search_path$'
q "$NONE" -c "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('ffffffffffff')"
sm -d "$(url "$NONE")" --dir schemamig adopt
expect_rc "adopt with a revision missing from the files" 5
expect_match "missing revision: message" "$ERR" '^schemamig: error: alembic records revision "ffffffffffff" as applied \(alembic_version\), but schemamig/ has no file for it$'
sm -d "$(url "$NONE")" --dir schemamig adopt liquibase
expect_rc "adopt of an unknown tool" 2
