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
#   ahead of the peer.  The others: a fixture directory each in that tool's
#   format (test/fixtures/), imported, pushed and run, and each tool's
#   record adopted; a real Sqitch deploy (Debian's sqitch) and a real
#   dbmate run (npm's dbmate, when on PATH or named by SMIG_DBMATE) are
#   adopted and the rest applied once.
#
# SMIG_CLI_VALGRIND=1 runs every call of the client under valgrind memcheck.
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

# SMIG_CLI_VALGRIND=1: every call of the client under valgrind memcheck, as
# in test/cli.sh (a memory error or a definite/indirect leak fails)
VG=()
if [ "${SMIG_CLI_VALGRIND:-0}" != 0 ]; then
	# shellcheck disable=SC2054 # the commas belong to valgrind's options
	VG=(valgrind -q --error-exitcode=99 --leak-check=full
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
		--log-file="$WORK/valgrind.log")
fi

# sm ARG...: run the client; sets OUT, ERR, RC
sm() {
	"${VG[@]}" "$SM" "$@" >"$WORK/stdout" 2>"$WORK/stderr"
	RC=$?
	OUT=$(cat "$WORK/stdout")
	ERR=$(cat "$WORK/stderr")
	if [ ${#VG[@]} -gt 0 ] && [ -s "$WORK/valgrind.log" ]; then
		checks=$((checks + 1))
		fail "valgrind reports errors for: schemamig $*"
		sed 's/^/    /' "$WORK/valgrind.log"
		: >"$WORK/valgrind.log"
	fi
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
expect "import: one file per revision" "$(find schemamig -name "*.sql" | wc -l)" 8
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
# a file that does not register: nothing changes
cp -r schemamig "$WORK/bad_dir"
printf 'WRITE_THIS_REVISION_BY_HAND;\n' >>"$WORK/bad_dir/1a0000000001_create_account_table.sql"
sm -d "$(url "$MID")" --dir "$WORK/bad_dir" adopt
expect_rc "adopt with a file that does not register" 1
expect_match "adopt with a bad file: names it" "$ERR" '1a0000000001_create_account_table.sql, line [0-9]+\)$'
expect "adopt with a bad file: nothing registered" "$(q "$MID" -c 'SELECT count(*) FROM schemamig.revisions')" 0
# adopt registers the files first (the directory is the truth), then stamps
sm -d "$(url "$MID")" --dir schemamig adopt
expect_rc "adopt" 0
expect_match "adopt: registers the files first" "$OUT" '^Registered the files of schemamig/ first: 8 revisions added or replaced\.$'
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

# ------------------------------------------------------------------ the others

# peer TOOL FIXTURE-DIR: import into $WORK/peer_TOOL, push into a new
# database; sets PDB (the database) and PDIR (the files)
peer() {
	local tool=$1 src=$2
	PDIR=$WORK/peer_${tool//-/_}
	PDB=smig_imp_${tool//-/_}_$P
	mkdir -p "$PDIR"
	sm import "$tool" "$src" --dir "$PDIR/out"
	expect_rc "import $tool" 0
	newdb "$PDB"
	q "$PDB" -c "CREATE EXTENSION schemamig" || exit 1
}

# applied DB: schemamig's applied revisions, in id order
applied() { q "$1" -c "SELECT revision FROM schemamig.status() WHERE state = 'applied' ORDER BY 1"; }

step "import flyway: V/U files, version order, R__ reported"
peer flyway "$FIXTURES/flyway"
expect_match "flyway: versions ordered part by part" "$OUT" '^4 revisions from flyway: 4 written'
expect_match "flyway: R__ reported" "$ERR" 'R__shop_view.sql: repeatable migrations \(R__\) are not supported: left out$'
expect "flyway: 1.10 comes after 1.9" "$(grep -h '^-- schemamig:down_revision' "$PDIR"/out/1.10_*.sql)" "-- schemamig:down_revision 1.9"
expect "flyway: the undo file is the downgrade" "$(sed -n '/schemamig:downgrade/,$p' "$PDIR"/out/1.1_*.sql)" "-- schemamig:downgrade
ALTER TABLE shop DROP COLUMN city;"
expect "flyway: no undo file: irreversible" "$(grep -c 'schemamig:downgrade' "$PDIR"/out/1.10_*.sql)" 0
# a database flyway left at 1.1: its SQL run, its history table written as flyway does
psql -X -q -v ON_ERROR_STOP=1 -d "$PDB" -f "$FIXTURES/flyway/V1__create_shop.sql" -f "$FIXTURES/flyway/V1_1__add_city.sql" || exit 1
q "$PDB" -c "CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum int, installed_by varchar(100) NOT NULL, installed_on timestamp NOT NULL DEFAULT now(), execution_time int NOT NULL, success boolean NOT NULL);
INSERT INTO flyway_schema_history VALUES
 (1, '1', 'create shop', 'SQL', 'V1__create_shop.sql', 1, 'me', now(), 5, true),
 (2, '1.1', 'add city', 'SQL', 'V1_1__add_city.sql', 2, 'me', now(), 5, true),
 (3, '1.9', 'city index', 'SQL', 'V1_9__city_index.sql', 3, 'me', now(), 5, false)" || exit 1
sm -d "$(url "$PDB")" push "$PDIR/out"
expect_rc "flyway: push" 0
sm -d "$(url "$PDB")" --dir "$PDIR/out" adopt
expect_rc "flyway: adopt (failed rows do not count)" 0
expect "flyway: adopted 1 and 1.1" "$(applied "$PDB")" "1
1.1"
sm -d "$(url "$PDB")" upgrade
expect_rc "flyway: upgrade the rest" 0
expect "flyway: the rest ran" "$(printf '%s\n' "$OUT" | grep -c '^Running upgrade')" 2

step "import dbmate: migrate:up/down; a real round trip"
peer dbmate "$FIXTURES/dbmate"
expect "dbmate: no down section: irreversible" "$(grep -c 'schemamig:downgrade' "$PDIR"/out/20240103120000_*.sql)" 0
expect "dbmate: the down section" "$(sed -n '/schemamig:downgrade/,$p' "$PDIR"/out/20240101120000_*.sql | sed '/^$/d')" "-- schemamig:downgrade
drop table shop;"
sm -d "$(url "$PDB")" push "$PDIR/out"
expect_rc "dbmate: push" 0
sm -d "$(url "$PDB")" upgrade
expect_rc "dbmate: upgrade" 0
sm -d "$(url "$PDB")" downgrade 20240101120000
expect_rc "dbmate: downgrade past a reversible revision refused (an irreversible one is on the way)" 1
# dbmate's own record: every applied version
newdb "${PDB}_b"
psql -X -q -v ON_ERROR_STOP=1 -d "${PDB}_b" -c "create table shop (id int primary key, name text not null)" \
	-c "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)" \
	-c "INSERT INTO schema_migrations VALUES ('20240101120000')" -c "CREATE EXTENSION schemamig" || exit 1
sm -d "$(url "${PDB}_b")" push "$PDIR/out"
sm -d "$(url "${PDB}_b")" --dir "$PDIR/out" adopt
expect_rc "dbmate: adopt" 0
expect "dbmate: adopted" "$(applied "${PDB}_b")" "20240101120000"
q "${PDB}_b" -c "INSERT INTO schema_migrations VALUES ('20240103120000')"
sm -d "$(url "${PDB}_b")" --dir "$PDIR/out" adopt
expect_rc "dbmate: adopt with a gap" 1
expect_match "dbmate: the gap is named" "$ERR" '^schemamig: error: dbmate records some revisions as applied but not "20240102120000", which they need \(schema_migrations\)$'
expect "dbmate: nothing changed by the refused adopt" "$(applied "${PDB}_b")" "20240101120000"

DBMATE=${SMIG_DBMATE:-$(command -v dbmate || true)}
# Not on PATH: the npm registry's dbmate package (it ships the binary), kept
# in a cache beside the PostgreSQL chroots; skipped only where npm is absent
# (the chroot lanes) or the registry cannot be reached.
NPM_CACHE_DIR=/var/cache/schemamig-npm
if [ -z "$DBMATE" ] && command -v npm >/dev/null 2>&1; then
	if [ ! -x "$NPM_CACHE_DIR/node_modules/.bin/dbmate" ]; then
		mkdir -p "$NPM_CACHE_DIR" 2>/dev/null &&
			timeout 300 npm install --no-audit --no-fund --prefix "$NPM_CACHE_DIR" dbmate@2 >"$WORK/npm.log" 2>&1 ||
			echo "note: npm install dbmate failed; the real dbmate round trip is skipped ($(tail -n 1 "$WORK/npm.log" 2>/dev/null))"
	fi
	[ -x "$NPM_CACHE_DIR/node_modules/.bin/dbmate" ] && DBMATE="$NPM_CACHE_DIR/node_modules/.bin/dbmate"
fi
if [ -z "$DBMATE" ]; then
	echo "note: no dbmate (not on PATH, no npm): the real dbmate round trip is skipped"
fi
if [ -n "$DBMATE" ]; then
	# the real dbmate (npm install dbmate) applies the first two files;
	# schemamig adopts them and applies the third
	if [[ "${PGHOST:-}" == /* ]]; then
		DBMATE_URL="postgres://${PGUSER:-postgres}@:${PGPORT:-5432}/${PDB}_real?socket=$PGHOST&sslmode=disable"
	else
		DBMATE_URL="postgres://${PGUSER:-postgres}:${PGPASSWORD:-}@${PGHOST:-localhost}:${PGPORT:-5432}/${PDB}_real?sslmode=disable"
	fi
	newdb "${PDB}_real"
	mkdir -p "$WORK/dbmate_two"
	cp "$FIXTURES"/dbmate/20240101120000_*.sql "$FIXTURES"/dbmate/20240102120000_*.sql "$WORK/dbmate_two/"
	"$DBMATE" --url "$DBMATE_URL" --migrations-dir "$WORK/dbmate_two" --no-dump-schema up >"$WORK/dbmate.log" 2>&1
	RC=$? OUT=$(cat "$WORK/dbmate.log") ERR=
	expect_rc "dbmate up (two migrations)" 0
	q "${PDB}_real" -c "CREATE EXTENSION schemamig" || exit 1
	sm -d "$(url "${PDB}_real")" push "$PDIR/out"
	sm -d "$(url "${PDB}_real")" --dir "$PDIR/out" adopt
	expect_rc "dbmate: adopt what dbmate applied" 0
	expect "dbmate: adopted" "$(applied "${PDB}_real")" "20240101120000
20240102120000"
	sm -d "$(url "${PDB}_real")" upgrade
	expect "dbmate: then only the third runs" "$(printf '%s\n' "$OUT" | grep '^Running upgrade')" "Running upgrade 20240102120000 -> 20240103120000, shop items"
else
	echo "dbmate is not installed (npm install dbmate; or SMIG_DBMATE=path): the real dbmate round trip is skipped"
fi

step "import goose: Up/Down, StatementBegin/End"
peer goose "$FIXTURES/goose"
expect_no_match "goose: no goose annotation left" "$(cat "$PDIR"/out/*.sql)" '\+goose'
sm -d "$(url "$PDB")" push "$PDIR/out"
expect_rc "goose: push (the plpgsql body between StatementBegin/End)" 0
sm -d "$(url "$PDB")" upgrade
expect_rc "goose: upgrade" 0
sm -d "$(url "$PDB")" downgrade base
expect_rc "goose: downgrade base" 0
expect "goose: back at base" "$(q "$PDB" -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'shop%'")" 0
q "$PDB" -c "CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (2, false);
CREATE TABLE shop (id int PRIMARY KEY, name text NOT NULL)" || exit 1
sm -d "$(url "$PDB")" --dir "$PDIR/out" adopt
expect_rc "goose: adopt (a later row undoes version 2)" 0
expect "goose: adopted" "$(applied "$PDB")" "1"

step "import golang-migrate: .up.sql/.down.sql, BEGIN/COMMIT removed"
peer golang-migrate "$FIXTURES/golang_migrate"
expect "golang-migrate: the wrapper removed" "$(sed -n '/schemamig:upgrade/,/^$/p' "$PDIR"/out/1_*.sql)" "-- schemamig:upgrade
CREATE TABLE shop (id int PRIMARY KEY, name text NOT NULL);"
sm -d "$(url "$PDB")" push "$PDIR/out"
expect_rc "golang-migrate: push" 0
psql -X -q -v ON_ERROR_STOP=1 -d "$PDB" -f "$FIXTURES/golang_migrate/000001_create_shop.up.sql" \
	-f "$FIXTURES/golang_migrate/000002_add_city.up.sql" \
	-c "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)" \
	-c "INSERT INTO schema_migrations VALUES (2, true)" || exit 1
sm -d "$(url "$PDB")" --dir "$PDIR/out" adopt
expect_rc "golang-migrate: adopt a dirty database" 1
expect_match "golang-migrate: dirty: message" "$ERR" '^schemamig: error: golang-migrate left the database dirty at version 2'
q "$PDB" -c "UPDATE schema_migrations SET dirty = false"
sm -d "$(url "$PDB")" --dir "$PDIR/out" adopt golang-migrate
expect_rc "golang-migrate: adopt" 0
expect "golang-migrate: the last version and all before it" "$(applied "$PDB")" "1
2"
sm -d "$(url "$PDB")" upgrade
expect "golang-migrate: then only 3 runs" "$(printf '%s\n' "$OUT" | grep '^Running upgrade')" "Running upgrade 2 -> 3, shop items"

step "import sqitch: sqitch.plan, requires as depends_on"
peer sqitch "$FIXTURES/sqitch"
expect "sqitch: requires become depends_on (the parent left out)" "$(grep -h -e down_revision -e depends_on "$PDIR"/out/shop_item_*.sql)" "-- schemamig:down_revision shop_city
-- schemamig:depends_on shop appschema"
expect_no_match "sqitch: BEGIN/COMMIT wrappers removed" "$(cat "$PDIR"/out/*.sql)" '^(BEGIN|COMMIT);'
sm -d "$(url "$PDB")" push "$PDIR/out"
expect_rc "sqitch: push" 0
sm -d "$(url "$PDB")" upgrade
expect_rc "sqitch: upgrade" 0
sm -d "$(url "$PDB")" downgrade base
expect_rc "sqitch: downgrade base" 0
if command -v sqitch >/dev/null; then
	# the real Sqitch deploys two changes; schemamig adopts them and does the rest
	newdb "${PDB}_real"
	(cd "$WORK" && cp -r "$FIXTURES/sqitch" sq && cd sq &&
		sqitch deploy --to shop "db:pg:${PDB}_real") >"$WORK/sqitch.log" 2>&1
	RC=$? OUT=$(cat "$WORK/sqitch.log") ERR=
	expect_rc "sqitch deploy --to shop" 0
	q "${PDB}_real" -c "CREATE EXTENSION schemamig" || exit 1
	sm -d "$(url "${PDB}_real")" push "$PDIR/out"
	sm -d "$(url "${PDB}_real")" --dir "$PDIR/out" adopt
	expect_rc "sqitch: adopt what sqitch deployed" 0
	expect "sqitch: adopted" "$(applied "${PDB}_real")" "appschema
shop"
	sm -d "$(url "${PDB}_real")" upgrade
	expect_rc "sqitch: upgrade the rest" 0
	expect "sqitch: the rest ran, once" "$(printf '%s\n' "$OUT" | grep -c '^Running upgrade')" 2
else
	echo "sqitch is not installed: the real Sqitch round trip is skipped"
fi

step "no-transaction markers: written, and pushed as non-transactional revisions"
mkdir -p "$WORK/notx"
printf -- '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY t_idx ON t (a);\n-- migrate:down\nDROP INDEX t_idx;\n' \
	>"$WORK/notx/20240201000000_concurrent_index.sql"
sm import dbmate "$WORK/notx" --dir "$WORK/notx_out"
expect_rc "import dbmate transaction:false" 0
expect_match "transaction:false reported" "$ERR" '^schemamig: warning: revision 20240201000000 \(.*20240201000000_concurrent_index.sql\) runs outside a transaction in dbmate: written with "-- schemamig:transaction off"$'
expect_match "transaction:false: the directive is written" "$(cat "$WORK"/notx_out/*.sql)" '^-- schemamig:transaction off$'
sm -d "$(url "$NONE")" push "$WORK/notx_out"
expect_rc "push of a no-transaction revision (issue 18: the server runs it with CALL schemamig.migrate())" 0
expect "the revision is registered as non-transactional" \
	"$(q "$NONE" -c "SELECT revision || ' ' || transactional FROM schemamig.revisions WHERE revision = '20240201000000'")" "20240201000000 false"
