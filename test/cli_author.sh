#!/usr/bin/env bash
# test/cli_author.sh: the command-line client's authoring commands (issue 16)
# against a throwaway server: new builds on the database's head when one is
# reached (revisions made in psql), on the files' head otherwise, and says
# which; new --head naming a revision only the database has; export (files
# for revisions only the database has, registering as unchanged); edit;
# the warnings about empty sections; --template; README's psql recipe with
# a file lacking its final newline.
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/cli_author.sh`) it starts its own.  Needs schemamig installed.
# Prints "PASS: cli_author (N checks)" or "FAIL: ..." last.

set -uo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SM=${SMIG_CLI:-$ROOT/cli/schemamig}
DB=smig_cliau_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_cliau.XXXXXX")
failures=0
checks=0
SM_STDIN_NULL=1
# shellcheck source=lib/checks.sh
. "$ROOT/test/lib/checks.sh"

finish() {
	cd /
	dropdb --if-exists "$DB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	if [ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]; then
		echo "PASS: cli_author ($checks checks)"
		exit 0
	fi
	echo "FAIL: cli_author: $failures of $checks checks failed"
	exit 1
}
trap finish EXIT

q() { psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$DB" "$@"; }

need_client
createdb "$DB" || exit 1
q -c "CREATE EXTENSION schemamig" || exit 1
cd "$WORK" || exit 1
unset DATABASE_URL VISUAL EDITOR SCHEMAMIG_TEMPLATE
export PGDATABASE=$DB TZ=UTC
mkdir migrations

step "new builds on the database's head (revisions made in psql)"
q -c "SELECT schemamig.revision('one', 'CREATE TABLE p1 (a int)', 'DROP TABLE p1', NULL, 'p0001')" >/dev/null
q -c "SELECT schemamig.revision(E'two\\'s', E'CREATE TABLE p2 (a int);\\n-- a note\\nINSERT INTO p2 VALUES (1);', NULL, 'p0001', 'p0002')" >/dev/null
sm new -m "next" --rev-id n1
expect_rc "new in a database whose revisions came from psql" 0
expect "new: the path on stdout" "$OUT" "migrations/n1_next.sql"
expect_contains "new says it built on the database's head" "$ERR" "On top of p0002, the head of database \"$DB\" (its registered revisions and the files in migrations/)."
expect "new: the parent is the database's head" "$(grep '^-- schemamig:down_revision' migrations/n1_next.sql)" "-- schemamig:down_revision p0002"
expect_contains "new: the hint about empty sections and the irreversible marker" "$ERR" 'delete the "-- schemamig:downgrade" line (irreversible)'
fill migrations/n1_next.sql 'CREATE TABLE n1 (a int);' 'DROP TABLE n1;'
sm new -m "after next" --rev-id n2
expect_rc "new on an unregistered file" 0
expect_contains "new counts the files with the database" "$ERR" "On top of n1, the head of database"
rm migrations/n2_after_next.sql
sm new -m "offline" --rev-id o1 --offline
expect_rc "new --offline" 0
expect_contains "new --offline: the files' head, said so" "$ERR" "On top of n1, the head of the files in migrations/ (no database: --offline)."
rm migrations/o1_offline.sql
sm -d "postgresql:///${DB}_nosuch" new -m "no db" --rev-id o2
expect_rc "new with no database reachable" 0
expect_match "new with no database: the files' head and why" "$ERR" "^On top of n1, the head of the files in migrations/ \(no database: cannot connect .*\)\.$"
rm migrations/o2_no_db.sql

step "new --head REV: a revision only the database has"
sm new -m "branch" --rev-id b1 --head p0001
expect_rc "new --head with a database-only revision" 0
expect "new --head: its parent" "$(grep '^-- schemamig:down_revision' migrations/b1_branch.sql)" "-- schemamig:down_revision p0001"
rm migrations/b1_branch.sql
sm new -m "branch" --rev-id b2 --head p00
expect_rc "new --head: an ambiguous prefix in the database" 2
expect_match "new --head ambiguous: names the matches" "$ERR" 'is ambiguous in database .*: it matches p0001, p0002'
sm new -m "branch" --rev-id b3 --head nosuch
expect_rc "new --head: nowhere" 2
expect_contains "new --head nowhere: says where it looked" "$ERR" "--head: no revision \"nosuch\" in migrations/ nor in database \"$DB\""
sm new -m "branch" --rev-id b4 --head p0001 --offline
expect_rc "new --head --offline: the files only" 2
expect_contains "new --head --offline: the files only" "$ERR" 'no revision "p0001" in migrations/'
expect "the failed calls wrote nothing" "$(ls migrations)" "n1_next.sql"

step "two heads in the database"
q -c "SELECT schemamig.revision('side', 'SELECT 1', 'SELECT 1', 'p0001', 'p0side')" >/dev/null
sm new -m "x" --rev-id x1
expect_rc "new over two database heads" 5
expect_match "new over two heads: names them" "$ERR" '^schemamig: error: 2 heads in database .*: n1 \(migrations/n1_next.sql\), p0side$'
expect_contains "new over two heads: the command to merge" "$ERR" 'schemamig merge heads -m "merge heads"'
q -c "SELECT schemamig.forget('p0side')" >/dev/null

step "export: files for the revisions only the database has"
q -c "SELECT revision FROM schemamig.register(\$s\$-- schemamig:revision p0003
-- schemamig:down_revision p0002
-- schemamig:message allowed
-- schemamig:allow D012 the test says so
-- schemamig:upgrade
CREATE TABLE p3 (a int);
\$s\$)" >/dev/null
sm export --template '{id}_{slug}_x'
expect_rc "export" 0
expect "export: the files written, and the check" "$OUT" "migrations/p0001_one_x.sql
migrations/p0002_two_s_x.sql
migrations/p0003_allowed_x.sql
Exported 3 revisions; migrations registers them as unchanged."
expect "export: a revision as registered" "$(cat migrations/p0002_two_s_x.sql)" "-- schemamig:revision p0002
-- schemamig:down_revision p0001
-- schemamig:message two's
-- schemamig:upgrade
CREATE TABLE p2 (a int);
-- a note
INSERT INTO p2 VALUES (1);"
expect_contains "export: the header's lint allowances" "$(cat migrations/p0003_allowed_x.sql)" "-- schemamig:allow D012 the test says so"
sm push
expect_rc "push after export" 0
expect_match "push after export: p0001 unchanged" "$OUT" '^p0001 +unchanged +migrations/p0001_one_x.sql$'
expect_match "push after export: nothing replaced" "$OUT" ': 1 added, 3 unchanged, 0 replaced$'
sm export
expect_rc "export with nothing to export" 0
expect "export: nothing to export" "$OUT" "Nothing to export: every revision of database \"$DB\" has a file in migrations/."
sm export p0001
expect_rc "export of a revision that has a file" 2
expect_contains "export of a revision with a file: names it" "$ERR" 'revision "p0001" has a file already: migrations/p0001_one_x.sql'
sm export nosuch
expect_rc "export of an unknown revision" 2
q -c "SELECT schemamig.revision('tricky', E'SELECT 1;\\n--schemamig:upgrade\\nSELECT 2;', NULL, 'p0003', 'p0004')" >/dev/null
sm export p0004
expect_rc "export of a body a file cannot hold" 5
expect_contains "export refuses a directive-like line" "$ERR" 'revision "p0004" cannot be exported: line 2 of its upgrade SQL starts with "-- schemamig:"'
expect "export refused: no file written" "$(ls migrations | grep -c p0004)" "0"
q -c "SELECT schemamig.forget('p0004')" >/dev/null
rm -f migrations/*_x.sql
sm export
expect_rc "export again after the files were deleted" 0
expect_match "export again: the default names" "$OUT" '^migrations/p0001_one\.sql$'
sm status --exit-code
expect_rc "status after export: all registered, pending" 4
sm merge heads -m "merge" --rev-id m1 --template '{id}'
expect_rc "merge --template" 0
expect "merge --template: the name" "$OUT" "migrations/m1.sql"

step "edit REV"
printf '#!/bin/sh\necho "$@" >"%s/edited"\n' "$WORK" >"$WORK/ed"
chmod +x "$WORK/ed"
EDITOR="$WORK/ed one" sm edit n1
expect_rc "edit REV with \$EDITOR" 0
expect "edit: the editor got the file" "$(cat "$WORK/edited" 2>/dev/null)" "one migrations/n1_next.sql"
EDITOR="$WORK/ed one" VISUAL="$WORK/ed two" sm edit
expect_rc "edit (the head) with \$VISUAL" 0
expect "edit: \$VISUAL first, the head by default" "$(cat "$WORK/edited" 2>/dev/null)" "two migrations/m1.sql"
EDITOR=false sm edit p0001
expect_rc "edit: the editor fails" 5
expect_contains "edit: the editor's failure named" "$ERR" "the editor (false) failed on migrations/p0001_one.sql: exit status 1"
EDITOR=true sm edit nosuch
expect_rc "edit of an unknown revision" 2

step "push and upgrade warn about empty sections"
sm new -m "empty down" --rev-id e1
fill migrations/e1_empty_down.sql 'CREATE TABLE e1 (a int);' '-- nothing'
sm push
expect_rc "push of a file with an empty downgrade" 0
expect_contains "push: the empty downgrade named" "$ERR" 'warning: revision "e1" (migrations/e1_empty_down.sql): its downgrade section is empty: downgrading it runs nothing and succeeds'
expect_contains "push: the hint names the irreversible marker" "$ERR" 'delete its "-- schemamig:downgrade" line: a revision without one is irreversible'
sm push
expect "push again: unchanged, no warning" "$ERR" ""
printf -- '-- schemamig:revision e2\n-- schemamig:down_revision e1\n-- schemamig:upgrade\n-- schemamig:downgrade\nSELECT 1;\n' >migrations/e2_empty_up.sql
sm upgrade
expect_rc "upgrade with an empty upgrade section" 0
expect_contains "upgrade: the empty upgrade named" "$ERR" 'revision "e2" (migrations/e2_empty_up.sql): its upgrade section is empty: upgrading runs nothing'
printf -- '-- schemamig:revision e3\n-- schemamig:down_revision e2\n-- schemamig:upgrade\nCREATE TABLE e3 (a int);\n' >migrations/e3_irreversible.sql
sm push
expect_rc "push of an irreversible revision" 0
expect "push: no warning for an irreversible revision" "$ERR" ""

step "new when the files do not register (an applied file edited)"
sed -i 's/^CREATE TABLE e1 (a int);$/CREATE TABLE e1 (b int);/' migrations/e1_empty_down.sql
sm new -m "z" --rev-id z1
expect_rc "new with an applied file edited" 0
expect_contains "new: the server's refusal shown" "$ERR" 'schemamig: error: revision "e1" is applied and the script changes it'
expect_contains "new: then the files' head, and why" "$ERR" "On top of e3, the head of the files in migrations/ (no database: the files do not register in database \"$DB\" (above))."
sed -i 's/^CREATE TABLE e1 (b int);$/CREATE TABLE e1 (a int);/' migrations/e1_empty_down.sql
rm -f migrations/z1_z.sql

step "--template"
sm new -m "Add Users!" --rev-id t1 --template '{date}_{time}_{id}_{slug}'
expect_rc "new --template" 0
expect_match "new --template: date, time, id, slug" "$OUT" '^migrations/[0-9]{8}_[0-9]{4}_t1_add_users\.sql$'
expect "new --template: the date is today's" "${OUT:11:8}" "$(date -u +%Y%m%d)"
rm -f migrations/*_t1_add_users.sql
SCHEMAMIG_TEMPLATE='{id}' sm new -m "plain" --rev-id t2
expect "\$SCHEMAMIG_TEMPLATE" "$OUT" "migrations/t2.sql"
rm -f migrations/t2.sql
sm new -m "x" --rev-id t3 --template '{id}_{nope}'
expect_rc "new --template with an unknown placeholder" 2
expect_contains "--template: the placeholders known" "$ERR" 'unknown placeholder in "{id}_{nope}" (known: {id}, {slug}, {date}, {time})'
sm new -m "x" --rev-id t4 --template 'sub/{id}'
expect_rc "new --template naming a directory" 2

step "README's psql recipe: awk 1 over files lacking a final newline"
mkdir "$WORK/recipe"
printf -- '-- schemamig:revision r1\n-- schemamig:upgrade\nCREATE TABLE r1 (a int);\n-- schemamig:downgrade\nDROP TABLE r1;' >"$WORK/recipe/001_r1.sql"
printf -- '-- schemamig:revision r2\n-- schemamig:down_revision r1\n-- schemamig:upgrade\nCREATE TABLE r2 (a int);\n-- schemamig:downgrade\nDROP TABLE r2;' >"$WORK/recipe/002_r2.sql"
createdb "${DB}_r" || exit 1
psql -X -q -d "${DB}_r" -c "CREATE EXTENSION schemamig" || exit 1
out=$(cd "$WORK/recipe" && psql -X -q -A -t -v ON_ERROR_STOP=1 -d "${DB}_r" 2>&1 <<'SQL'
\set script `awk 1 *.sql`
SELECT * FROM schemamig.apply(:'script');
SELECT string_agg(c, ',') FROM schemamig.current() c;
SQL
)
rc=$?
checks=$((checks + 1))
[ "$rc" = 0 ] || fail "the awk 1 recipe failed: $out"
expect_match "the awk 1 recipe: both files applied" "$out" '^r2$'
out=$(cd "$WORK/recipe" && psql -X -q -A -t -v ON_ERROR_STOP=1 -d "${DB}_r" 2>&1 <<'SQL'
\set script `cat *.sql`
SELECT * FROM schemamig.register(:'script');
SQL
)
expect_match "cat instead of awk 1 glues the lines (why the recipe says awk 1)" "$out" 'ERROR'
dropdb "${DB}_r"
