#!/usr/bin/env bash
# test/cli_workflow.sh: the command-line client's workflow of issue 16
# against a throwaway server: the files are the truth (upgrade, downgrade,
# stamp register the directory first, in the run's transaction; status
# compares files and database, with a distinct --exit-code per problem; a
# deleted pending revision never runs; forget), Alembic's words (revision
# -m, merge heads, stamp A B, branches, "did you mean"), and reset.
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/cli_workflow.sh`) it starts its own.  Needs schemamig
# installed.  Prints "PASS: cli_workflow (N checks)" or "FAIL: ..." last.

set -uo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SM=${SMIG_CLI:-$ROOT/cli/schemamig}
DB=smig_cliwf_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_cliwf.XXXXXX")
failures=0
checks=0

finish() {
	cd /
	dropdb --if-exists "$DB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	if [ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]; then
		echo "PASS: cli_workflow ($checks checks)"
		exit 0
	fi
	echo "FAIL: cli_workflow: $failures of $checks checks failed"
	exit 1
}
trap finish EXIT

# step, fail, expect*, expect_rc, sm (stdin: /dev/null)
SM_STDIN_NULL=1
# shellcheck source=lib/checks.sh
. "$ROOT/test/lib/checks.sh"
q() { psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$DB" "$@"; }

need_client
createdb "$DB" || exit 1
q -c "CREATE EXTENSION schemamig" || exit 1
cd "$WORK" || exit 1
unset DATABASE_URL
export PGDATABASE=$DB
mkdir migrations

step "upgrade registers the files first"
sm revision -m "add t1" --rev-id a1
expect_rc "revision -m (Alembic's word for new)" 0
expect "revision -m: the file" "$OUT" "migrations/a1_add_t1.sql"
fill migrations/a1_add_t1.sql 'CREATE TABLE t1 (a int);' 'DROP TABLE t1;'
sm status --exit-code
expect_rc "status --exit-code: a file not registered" 7
expect "status: the unregistered file" "$OUT" "revision  state           applied_at  notes                     message
a1        not registered              migrations/a1_add_t1.sql

Now at base; nothing pending.
Not registered yet (changed or new in migrations/): a1; \"schemamig upgrade\" registers and applies them, \"schemamig push\" only registers."
sm upgrade --sql
expect_rc "upgrade --sql of an unregistered file" 0
expect_match "upgrade --sql renders the file's SQL" "$OUT" '^CREATE TABLE t1 \(a int\);?$'
expect_match "upgrade --sql: what it registered, on stderr" "$ERR" '^Registered migrations/: 1 added, 0 replaced\.$'
sm status --exit-code
expect_rc "upgrade --sql registered nothing for good" 7
sm upgrade
expect_rc "upgrade of an unregistered file" 0
expect "upgrade: registered, then applied" "$OUT" "Registered migrations/: 1 added, 0 replaced.
Running upgrade  -> a1, add t1
Applied 1 revision; now at a1."
sm status --exit-code
expect_rc "status --exit-code at head" 0

step "a failing upgrade leaves nothing registered"
sm revision -m "bad" --rev-id a2
fill migrations/a2_bad.sql 'ALTER TABLE nosuch ADD COLUMN b int;' 'SELECT 1;'
sm upgrade
expect_rc "upgrade whose SQL fails" 1
expect "the failed upgrade's registration rolled back" "$(q -c "SELECT count(*) FROM schemamig.status() WHERE revision = 'a2'")" "0"
sed -i 's/^ALTER TABLE nosuch ADD COLUMN b int;$/ALTER TABLE t1 ADD COLUMN b int;/; s/^SELECT 1;$/ALTER TABLE t1 DROP COLUMN b;/' migrations/a2_bad.sql
sm upgrade --no-push
expect_rc "upgrade --no-push" 0
expect "upgrade --no-push runs what is registered" "$OUT" "Nothing to upgrade; now at a1."

step "git revert: a pending revision's file deleted never runs"
sm push
expect_rc "push" 0
sm status --exit-code
expect_rc "status --exit-code: pending" 4
rm migrations/a2_bad.sql
sm status --exit-code
expect_rc "status --exit-code: a pending revision with no file" 8
expect_match "status: the orphan noted" "$OUT" '^a2 +pending +head, no file +bad$'
expect_match "status: forget offered" "$OUT" '"schemamig forget a2" unregisters it'
sm upgrade
expect_rc "upgrade with a pending orphan" 8
expect "upgrade with a pending orphan: message" "$ERR" "schemamig: error: pending revision a2 is registered but no file in migrations/ defines it
detail: Its file was deleted or renamed (a git revert?); running it now would run SQL no file holds.  Nothing was done.
hint: Unregister it with: schemamig forget a2  (or restore its file)."
sm upgrade --sql
expect_rc "upgrade --sql with a pending orphan" 8
sm stamp heads
expect_rc "stamp with a pending orphan" 8
expect "the orphan never ran" "$(q -c "SELECT count(*) FROM information_schema.columns WHERE table_name = 't1' AND column_name = 'b'")" "0"
sm forget a1
expect_rc "forget of an applied revision" 1
sm forget a2
expect_rc "forget" 0
expect "forget: output" "$OUT" "Forgot a2."
sm status --exit-code
expect_rc "status --exit-code after forget" 0

step "an applied revision's file edited or deleted"
cp migrations/a1_add_t1.sql a1.orig
sed -i 's/^CREATE TABLE t1 (a int);$/CREATE TABLE t1 (a bigint);/' migrations/a1_add_t1.sql
sm status --exit-code
expect_rc "status: an applied file changed" 9
expect_match "status: the applied file changed, named" "$ERR" '^schemamig: error: revision "a1" is applied and the script changes it .*\(the files of migrations/ against the database\)$'
expect_match "status: the way out" "$ERR" '^hint: .*schemamig revision -m MESSAGE'
sm status
expect_rc "status without --exit-code: an applied file changed is an error" 9
sm upgrade
expect_rc "upgrade with an applied file changed" 1
rm migrations/a1_add_t1.sql
sm status --exit-code
expect_rc "status: an applied revision with no file" 9
expect_match "status: applied with no file: message" "$ERR" '^schemamig: error: applied revision a1: no file in migrations/ defines it$'
cp a1.orig migrations/a1_add_t1.sql
sm status --exit-code
expect_rc "status after restoring the file" 0

step "downgrade and stamp register the files too"
sm revision -m "add t2" --rev-id a3
fill migrations/a3_add_t2.sql 'CREATE TABLE t2 (a int);' 'DROP TABLE t2;'
sm stamp a3
expect_rc "stamp of an unregistered file's revision" 0
expect "stamp: registered, then stamped" "$OUT" "Registered migrations/: 1 added, 0 replaced.
Stamped a3; now at a3."
expect "stamp ran no SQL" "$(q -c "SELECT to_regclass('public.t2') IS NULL")" "t"
sm stamp a1
sm upgrade
expect_rc "upgrade after stamp a1" 0
sm downgrade base
expect_rc "downgrade base" 0
expect "downgrade base: Alembic's lines" "$OUT" "Running downgrade a3 -> a1, add t2
Running downgrade a1 -> , add t1
Undid 2 revisions; now at base."

step "Alembic's words: did you mean, two heads, merge heads, stamp A B, branches"
sm revison -m x
expect_rc "a misspelt command" 2
expect "a misspelt command: did you mean" "$ERR" 'schemamig: error: unknown command "revison"
Did you mean "schemamig revision"?
Try "schemamig --help" for more information.'
sm migrate
expect_rc "another tool's word" 2
expect_match "another tool's word: did you mean" "$ERR" '^Did you mean "schemamig upgrade"\?$'
sm revision -m "add t3" --rev-id b1 --head a1
fill migrations/b1_add_t3.sql 'CREATE TABLE t3 (a int);' 'DROP TABLE t3;'
sm upgrade head
expect_rc "upgrade head with two heads" 1
expect "two heads: the hint names the command to run" "$(printf '%s\n' "$ERR" | grep '^hint:')" \
	'hint: Name one head (schemamig upgrade REV, or LABEL@head), or join them: schemamig merge heads -m "merge heads", then schemamig upgrade.'
expect "two heads: nothing registered" "$(q -c "SELECT count(*) FROM schemamig.status() WHERE revision = 'b1'")" "0"
sm upgrade heads
expect_rc "upgrade heads" 0
sm branches
expect_rc "branches" 0
expect "branches: Alembic's line" "$OUT" "a1 (branchpoint), add t1 -> a3, b1"
sm current
expect "current: both heads" "$(printf '%s\n' "$OUT" | sort)" "a3 (head)
b1 (head)"
sm stamp a1
sm stamp a3 b1
expect_rc "stamp A B" 0
expect "stamp A B: output" "$OUT" "Stamped a3, b1; now at a3, b1."
sm merge heads -m "join" --rev-id m1
expect_rc "merge heads" 0
expect "merge heads: over both heads" "$(sed -n 2p migrations/m1_join.sql)" "-- schemamig:down_revision a3 b1"
sm upgrade
expect_rc "upgrade through the merge" 0
expect "upgrade through the merge: Alembic's line" "$OUT" "Registered migrations/: 1 added, 0 replaced.
Running upgrade a3, b1 -> m1, join
Applied 1 revision; now at m1."

step "current --verbose, history -r / --verbose / --indicate-current"
sm current --verbose
expect_rc "current --verbose" 0
expect "current --verbose: output" "$OUT" "Current revision(s) for database $DB:
Rev: m1 (head)
Parent: a3, b1
Path: migrations/m1_join.sql

    join"
sm history -r a3:
expect_rc "history -r" 0
expect "history -r RANGE" "$(printf '%s\n' "$OUT" | cut -c1-8)" "revision
m1      
a3      "
sm history a3: -r a3:
expect_rc "history with RANGE and -r" 2
sm history --indicate-current -r b1:
expect "history --indicate-current" "$OUT" "revision  down_revision  state    notes                      message
m1        a3, b1         applied  head, mergepoint, current  join
b1        a1             applied                             add t3"
sm history --verbose -r a1:a1 -i
expect "history --verbose" "$OUT" "Rev: a1
Parent: <base>
Path: migrations/a1_add_t1.sql

    add t1"

step "connection: SQLAlchemy URLs, .env up to the repository's top, POSTGRES_*, --dir everywhere"
if [[ "${PGHOST:-}" == /* ]]; then
	HOSTPART="${PGUSER:-postgres}@:${PGPORT:-5432}/$DB?host=$PGHOST"
else
	HOSTPART="${PGUSER:-postgres}@${PGHOST:-localhost}:${PGPORT:-5432}/$DB"
fi
for driver in asyncpg psycopg2 psycopg; do
	DATABASE_URL="postgresql+$driver://$HOSTPART" sm current
	expect_rc "DATABASE_URL=postgresql+$driver://" 0
	expect "DATABASE_URL=postgresql+$driver://: current" "$OUT" "m1 (head)"
done
DATABASE_URL="postgres://$HOSTPART" sm current
expect_rc "DATABASE_URL=postgres://" 0
DATABASE_URL="postgresql+asyncpg://$HOSTPART" sm current --verbose
expect_match "the driver dropped: a note under --verbose" "$ERR" "^note: the connection URL from \\\$DATABASE_URL names a SQLAlchemy driver; connecting with libpq to postgresql://"
mkdir -p proj/.git proj/src/app outer/repo/.git outer/repo/src
printf 'DATABASE_URL=postgresql+psycopg2://%s\n' "$HOSTPART" >proj/.env
(cd proj/src/app && env -u PGDATABASE "$SM" current -v >"$WORK/stdout" 2>"$WORK/stderr")
RC=$? OUT=$(cat "$WORK/stdout") ERR=$(cat "$WORK/stderr")
expect_rc ".env two directories up" 0
expect_match ".env two directories up: named" "$ERR" '^note: connection from DATABASE_URL in \.\./\.\./\.env$'
printf 'DATABASE_URL=postgresql://nosuchuser@127.0.0.1:1/x\n' >outer/.env
(cd outer/repo/src && "$SM" current -v >"$WORK/stdout" 2>"$WORK/stderr")
RC=$? OUT=$(cat "$WORK/stdout") ERR=$(cat "$WORK/stderr")
expect_rc ".env above the repository's top is not read" 0
expect_match ".env above the repository's top: PG* used" "$ERR" '^note: connection from the PG\* environment variables$'
(cd outer/repo/src && env -u PGDATABASE -u PGHOST -u PGPORT -u PGUSER POSTGRES_DB="$DB" \
	POSTGRES_SERVER="${PGHOST:-localhost}" POSTGRES_PORT="${PGPORT:-5432}" \
	POSTGRES_USER="${PGUSER:-postgres}" "$SM" current -v >"$WORK/stdout" 2>"$WORK/stderr")
RC=$? OUT=$(cat "$WORK/stdout") ERR=$(cat "$WORK/stderr")
expect_rc "POSTGRES_* variables" 0
expect_match "POSTGRES_* variables: current" "$OUT" "^Rev: m1 \(head\)$"
expect_match "POSTGRES_* variables: named" "$ERR" '^note: connection from the POSTGRES_\* variables$'
for c in status current heads history branches check; do
	sm "$c" --dir migrations
	expect_rc "$c --dir" 0
done
sm status -d "postgresql+psycopg://$HOSTPART" --dir migrations
expect_rc "status -d SQLALCHEMY-URL --dir" 0

step "file-only commands: heads, history, show, branches, check --offline with no server"
# nsm ARG...: the client with no server to reach
nsm() {
	env -u DATABASE_URL PGHOST=127.0.0.1 PGPORT=1 "$SM" "$@" >"$WORK/stdout" 2>"$WORK/stderr" </dev/null
	RC=$?
	OUT=$(cat "$WORK/stdout")
	ERR=$(cat "$WORK/stderr")
}
nsm heads
expect_rc "heads with no server" 0
expect "heads with no server: from the files, said so" "$(printf '%s\n' "$OUT" | sed 's/: cannot connect .*/: cannot connect .../')" "revision  branch_labels  message
m1                       join
(from the files in migrations/, not a database: cannot connect ..."
nsm history
expect_rc "history with no server" 0
expect "history with no server: Alembic's lines" "$(printf '%s\n' "$OUT" | sed '$d')" "a3, b1 -> m1 (head) (mergepoint), join
a1 -> b1, add t3
a1 -> a3, add t2
<base> -> a1 (branchpoint), add t1"
nsm history -r a1:
expect_rc "history RANGE with no server" 2
nsm branches
expect "branches with no server" "$(printf '%s\n' "$OUT" | sed '$d')" "a1 (branchpoint), add t1 -> a3, b1"
nsm show b1
expect_rc "show with no server" 0
expect_match "show with no server: the file" "$OUT" '^migrations/b1_add_t3\.sql, lines 1-[0-9]+:$'
expect_match "show with no server: the SQL" "$OUT" '^CREATE TABLE t3 \(a int\);$'
nsm heads --json
expect "heads --json with no server" "$(printf '%s' "$OUT" | tr -d ' \n')" '[{"revision":"m1","message":"join","branch_labels":[]}]'
nsm check --offline
expect_rc "check --offline" 0
expect "check --offline: output" "$OUT" "migrations/: 4 revisions in 4 files, 1 head: ok"
sm heads --offline
expect_match "heads --offline with a server: the files, said so" "$OUT" '^\(from the files in migrations/, not a database: --offline\)$'
sm heads
expect "heads with a server: the database's view" "$OUT" "revision  branch_labels  message
m1                       join"
cp -r migrations offcheck
printf -- '-- schemamig:revision c1\n-- schemamig:down_revision a1\n-- schemamig:message x\n-- schemamig:upgrade\nSELECT 1;\n-- schemamig:frobnicate\n' >offcheck/c1.sql
printf -- '-- schemamig:revision c2\n-- schemamig:down_revision nosuch\n-- schemamig:upgrade\n\n-- schemamig:downgrade\n' >offcheck/c2.sql
nsm check --offline --dir offcheck
expect_rc "check --offline with problems" 6
expect "check --offline: the problems" "$OUT" "offcheck/c1.sql:6: unknown directive \"frobnicate\"
offcheck/c2.sql:1: revision \"c2\" names down_revision \"nosuch\", which no file defines
offcheck/c2.sql:1: revision \"c2\" is an unfilled template: its upgrade and downgrade sections are empty
offcheck/ has 3 heads: c1 c2 m1 (join them: schemamig merge heads -m \"merge heads\"; or allow it: --allow-heads)
offcheck/: 6 revisions in 6 files, 3 heads: problems found"
rm offcheck/c2.sql
sed -i '/frobnicate/d' offcheck/c1.sql
nsm check --offline --allow-heads --dir offcheck
expect_rc "check --offline --allow-heads" 0
nsm check --allow-heads
expect_rc "--allow-heads without --offline" 2
rm -rf offcheck

step "reset: a development database, in a database and directory of its own"
RDB=${DB}_reset
createdb "$RDB" && psql -X -q -d "$RDB" -c "CREATE EXTENSION schemamig" || fail "reset: set-up"
mkdir -p "$WORK/rs/migrations"
printf -- '-- schemamig:revision r1\n-- schemamig:upgrade\nCREATE TABLE public.rt (id int);\n-- schemamig:downgrade\nDROP TABLE public.rt;\n' >"$WORK/rs/migrations/001_r1.sql"
printf -- '-- schemamig:revision r2\n-- schemamig:down_revision r1\n-- schemamig:upgrade\nALTER TABLE public.rt ADD COLUMN b int;\n-- schemamig:downgrade\nALTER TABLE public.rt DROP COLUMN b;\n' >"$WORK/rs/migrations/002_r2.sql"
rq() { psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$RDB" "$@"; }
sm -d "$RDB" --dir "$WORK/rs/migrations" upgrade
expect_rc "reset: upgrade first" 0
rq -c "INSERT INTO public.rt VALUES (1, 2)"
sm -d "$RDB" --dir "$WORK/rs/migrations" reset
expect_rc "reset without --yes and no answer" 1
expect_match "reset without --yes: nothing done" "$ERR" '^schemamig: error: reset cancelled; nothing was done$'
expect "reset cancelled: the data stays" "$(rq -c "SELECT count(*) FROM public.rt")" "1"
sm -d "$RDB" --dir "$WORK/rs/migrations" reset --yes
expect_rc "reset --yes" 0
expect_match "reset --yes: what it did" "$OUT" '^Reset: undid 2 revisions, applied 2; now at r2\.$'
expect "reset --yes: the rows are gone, the table is back" "$(rq -c "SELECT count(*) FROM public.rt")" "0"
expect "reset --yes: both applied again" "$(rq -c "SELECT string_agg(revision, ' ' ORDER BY revision) FROM schemamig.applied")" "r1 r2"
rq -c "DROP TABLE public.rt"
sm -d "$RDB" --dir "$WORK/rs/migrations" reset --yes
expect_rc "reset when a downgrade cannot run" 1
expect_match "reset when a downgrade cannot run: the way out" "$ERR" '^hint: Nothing was changed\.'
expect "reset that failed: nothing changed" "$(rq -c "SELECT string_agg(revision, ' ' ORDER BY revision) FROM schemamig.applied")" "r1 r2"
cd "$WORK" || true
dropdb --if-exists "$RDB" >/dev/null 2>&1
