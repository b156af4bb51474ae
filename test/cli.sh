#!/usr/bin/env bash
# test/cli.sh: the schemamig command-line client (cli/) against a throwaway
# server, as a new user would drive it (issue 6).
#
#   check before and after CREATE EXTENSION; where the connection comes from
#   (-d, $DATABASE_URL, .env, PG*); new -m "add users", edit, push (added),
#   push (unchanged), status --exit-code (4 pending, 0 at head), upgrade,
#   current, heads --json, history, show, downgrade -1, upgrade/downgrade
#   --sql (the script runs in psql), two branches: new refuses, merge writes
#   the merge file; a bad file (push fails with the file and line, nothing
#   registered); an applied revision edited (refused, both checksums);
#   stamp; lint (when the server has lint()); JSON escaping; a connection
#   failure (exit 3); bad arguments (exit 2).
#
# SMIG_CLI_VALGRIND=1 runs every call of the client under valgrind memcheck:
# a memory error or a definite or indirect leak fails the test (about 1m45s
# instead of 10s, hence not the default).  SMIG_CLI names the program
# (default: cli/schemamig of this tree, built by make).
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/cli.sh`) it starts its own.  Needs schemamig installed (make
# install).  Prints "PASS: cli" or "FAIL: cli: N checks failed" as its last
# line; exits non-zero on failure.

set -uo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	# not inside pg_virtualenv, and not told to use the server PG* names
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SM=${SMIG_CLI:-$ROOT/cli/schemamig}
DB=smig_cli_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_cli.XXXXXX")
failures=0
checks=0

finish() {
	cd /
	dropdb --if-exists "$DB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	if [ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]; then
		echo "PASS: cli ($checks checks)"
		exit 0
	fi
	echo "FAIL: cli: $failures of $checks checks failed"
	exit 1
}
trap finish EXIT

# step, fail, expect*, expect_rc, sm (SMIG_CLI_VALGRIND=1: under valgrind)
# shellcheck source=lib/checks.sh
. "$ROOT/test/lib/checks.sh"
if [ ${#VG[@]} -gt 0 ]; then
	echo "running every call of the client under valgrind memcheck"
fi

# psql against the test database
q() { psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$DB" "$@"; }

# a JSON text (from the client) queried by the server: jq JSON SQL-EXPR
# where the expression uses j (jsonb)
jq_sql() {
	printf 'SELECT %s FROM (SELECT :'"'"'j'"'"'::jsonb AS j) AS s\n' "$2" |
		psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$DB" -v j="$1"
}

# timestamps and checksums vary: mask them, keeping the width
mask() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/YYYY-MM-DD HH:MM:SS/g' \
		-e 's/v1-sha256:[0-9a-f]{64}/v1-sha256:<sha256>/g'
}

# the rows of a table sorted, header first
sort_rows() { awk 'NR == 1 { print; next } { print | "sort" }'; }

need_client

createdb "$DB" || exit 1
cd "$WORK" || exit 1
unset DATABASE_URL
if [[ "${PGHOST:-}" == /* ]]; then
	URL="host=$PGHOST port=${PGPORT:-5432} dbname=$DB"
else
	URL="postgresql://${PGUSER:-postgres}@${PGHOST:-localhost}:${PGPORT:-5432}/$DB"
fi
BAD_URL="postgresql://${PGUSER:-postgres}@127.0.0.1:1/$DB"

step "--help and bad arguments (exit 2)"
sm --help
expect_rc "--help" 0
expect_match "--help states the connection order" "$OUT" '^  3\. a line DATABASE_URL=\.\.\. in the file \.env of the current directory or$'
expect_match "--help documents exit 4" "$OUT" '^  4  status --exit-code: some revisions are pending$'
sm
expect_rc "no command" 2
expect "no command: message" "$ERR" 'schemamig: error: no command given
Try "schemamig --help" for more information.'
sm frobnicate
expect_rc "unknown command" 2
expect_match "unknown command: message" "$ERR" '^schemamig: error: unknown command "frobnicate"$'
sm status --bogus
expect_rc "unknown option" 2
sm status --sql
expect_rc "--sql with status" 2
expect_match "--sql with status: message" "$ERR" '^schemamig: error: option --sql does not apply to status$'
sm downgrade
expect_rc "downgrade without a target" 2
expect_match "downgrade without a target: message" "$ERR" 'downgrade needs TARGET \(for example -1, base or a revision id\)'
sm new
expect_rc "new without -m" 2
sm new -m "two
lines"
expect_rc "new with a two-line message" 2
sm show
expect_rc "show without a revision" 2
sm history a b
expect_rc "history with two ranges" 2
sm upgrade --from base
expect_rc "--from without --sql" 2
sm -m
expect_rc "-m without a value" 2

step "connection: .env, \$DATABASE_URL, -d, PG* (exit 3 when it fails)"
printf '# the app database\nexport DATABASE_URL="%s"  \n' "$URL" >.env
sm check
expect_rc "check before CREATE EXTENSION" 1
expect_match "check before CREATE EXTENSION: stdout" "$OUT" '^schemamig:  not installed in this database$'
expect "check before CREATE EXTENSION: stderr" "$ERR" "schemamig: error: schemamig is not installed in database \"$DB\"
hint: A superuser installs it with: CREATE EXTENSION schemamig;  (this server has version $(sed -n "s/^default_version *= *'\(.*\)'.*/\1/p" "$ROOT/schemamig.control"))"
sm status
expect_rc "status before CREATE EXTENSION" 1
expect_match "status before CREATE EXTENSION: message" "$ERR" "^schemamig: error: schemamig is not installed in database \"$DB\"$"
q -c "CREATE EXTENSION schemamig" || exit 1
sm check
expect_rc "check after CREATE EXTENSION" 0
expect_match "check: server version" "$OUT" '^server:     PostgreSQL [0-9]+'
expect_match "check: database from .env" "$OUT" "^connection: database $DB, "
expect_match "check: installed" "$OUT" '^schemamig:  [0-9.]+ installed$'
expect_match "check: health" "$OUT" '^health:     ok$'
DATABASE_URL=$BAD_URL sm check
expect_rc "\$DATABASE_URL wins over .env (and fails)" 3
# shellcheck disable=SC2016 # a literal $ in the regex
expect_match "connection failure: message" "$ERR" '^schemamig: error: cannot connect \(connection from \$DATABASE_URL\): .*port 1 failed'
DATABASE_URL=$BAD_URL sm -d "$URL" current
expect_rc "-d wins over \$DATABASE_URL" 0
expect "-d: current at base" "$OUT" "base"
sm -d "$BAD_URL" status
expect_rc "connection failure with -d" 3
expect_match "connection failure with -d: message" "$ERR" '^schemamig: error: cannot connect \(connection from -d\): '
cd / && PGDATABASE=$DB sm current
cd "$WORK" || exit 1
expect_rc "PG* variables without .env" 0
expect "PG* variables: current" "$OUT" "base"
printf "DATABASE_URL='%s' # quoted\n" "$URL" >.env
sm status --exit-code
expect_rc "status with no revisions" 0
expect "status with no revisions: output" "$OUT" 'No revisions registered ("schemamig push" registers the migration files).'

step "new -m \"add users\", edit, push, push again"
sm push
expect_rc "push without a migrations directory" 5
expect "push without a migrations directory: message" "$ERR" 'schemamig: error: migrations directory "migrations" does not exist
hint: Create it (mkdir), run from the directory that holds it, or name it with --dir.'
mkdir migrations
sm push
expect_rc "push of an empty directory" 5
sm new -m "add users"
expect_rc "new" 0
F1=$OUT
expect_match "new: file name" "$F1" '^migrations/[0-9a-f]{12}_add_users\.sql$'
R1=$(basename "$F1" | cut -c1-12)
expect "new: file" "$(cat "$F1")" "-- schemamig:revision $R1
-- schemamig:message add users
-- schemamig:upgrade

-- schemamig:downgrade"
sed -i -e '/^-- schemamig:upgrade$/a CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);' \
	-e '/^-- schemamig:downgrade$/a DROP TABLE users;' "$F1"
sm push
expect_rc "push" 0
expect "push: added" "$OUT" "revision      action  file
$R1  added   $F1
1 revision in 1 file: 1 added, 0 unchanged, 0 replaced"
sm push migrations
expect_rc "push again" 0
expect "push again: unchanged" "$OUT" "revision      action     file
$R1  unchanged  $F1
1 revision in 1 file: 0 added, 1 unchanged, 0 replaced"

step "status --exit-code, upgrade, status, current"
sm status --exit-code
expect_rc "status --exit-code with a pending revision" 4
expect "status: pending" "$OUT" "revision      state    applied_at  notes  message
$R1  pending              head   add users

Now at base; 1 of 1 revision pending."
sm upgrade
expect_rc "upgrade" 0
expect "upgrade: steps and summary" "$OUT" "Running upgrade  -> $R1, add users
Applied 1 revision; now at $R1."
sm status --exit-code
expect_rc "status --exit-code at head" 0
expect "status: applied" "$(printf '%s\n' "$OUT" | mask)" "revision      state    applied_at           notes          message
$R1  applied  YYYY-MM-DD HH:MM:SS  head, current  add users

Now at $R1; nothing pending."
sm upgrade
expect "upgrade at head" "$OUT" "Nothing to upgrade; now at $R1."
expect "users table exists" "$(q -c "SELECT to_regclass('public.users') IS NOT NULL")" "t"

step "a second revision; current, heads --json, history, show"
sm new -m "add email"
F2=$OUT
R2=$(basename "$F2" | cut -c1-12)
expect "new on top of the head" "$(sed -n 2p "$F2")" "-- schemamig:down_revision $R1"
sed -i -e '/^-- schemamig:upgrade$/a ALTER TABLE users ADD COLUMN email text;' \
	-e '/^-- schemamig:downgrade$/a ALTER TABLE users DROP COLUMN email;' "$F2"
sm push
expect "push of two files" "$(printf '%s\n' "$OUT" | sed '$d' | sort_rows)" \
	"$(printf '%s\n' "revision      action     file" "$R1  unchanged  $F1" "$R2  added      $F2" | sort_rows)"
expect "push of two files: summary" "$(printf '%s\n' "$OUT" | tail -n 1)" \
	"2 revisions in 2 files: 1 added, 1 unchanged, 0 replaced"
sm upgrade head
expect "upgrade: second step" "$OUT" "Running upgrade $R1 -> $R2, add email
Applied 1 revision; now at $R2."
sm current
expect "current: (head) as Alembic prints it" "$OUT" "$R2 (head)"
sm current --json
expect "current --json" "$OUT" "[
  \"$R2\"
]"
sm heads --json
expect_rc "heads --json" 0
expect "heads --json: output" "$OUT" "[
  {
    \"revision\": \"$R2\",
    \"message\": \"add email\",
    \"branch_labels\": []
  }
]"
sm heads
expect "heads" "$OUT" "revision      branch_labels  message
$R2                 add email"
sm history
expect_rc "history" 0
expect "history: output" "$OUT" "revision      down_revision  state    notes  message
$R2  $R1   applied  head   add email
$R1                 applied         add users"
sm history "$R2:"
expect "history RANGE" "$OUT" "revision      down_revision  state    notes  message
$R2  $R1   applied  head   add email"
sm show "${R2:0:8}"
expect_rc "show (by prefix)" 0
expect "show: output" "$(printf '%s\n' "$OUT" | mask)" "revision:          $R2
down_revision:     $R1
depends_on:
branch_labels:
message:           add email
state:             applied
checksum:          v1-sha256:<sha256>
applied_checksum:  v1-sha256:<sha256>
children:
registered:        YYYY-MM-DD HH:MM:SS by $PGUSER
applied:           YYYY-MM-DD HH:MM:SS by $PGUSER

-- upgrade
ALTER TABLE users ADD COLUMN email text;

-- downgrade
ALTER TABLE users DROP COLUMN email;"
sm show "$R2" --json
expect_rc "show --json" 0
expect "show --json is JSON with the registered values" \
	"$(jq_sql "$OUT" "j->>'revision', j->'down_revisions'->>0, j->>'upgrade_sql', j->>'state', jsonb_typeof(j->'applied_at'), j->>'checksum' = (SELECT checksum FROM schemamig.show('$R2'))")" \
	"$R2|$R1|ALTER TABLE users ADD COLUMN email text;|applied|string|t"
sm status --json
expect "status --json" "$(jq_sql "$OUT" "jsonb_array_length(j), j->0->>'revision', j->0->>'state', j->1->>'revision', (j->1->>'is_head')::boolean, jsonb_typeof(j->0->'applied_at')")" \
	"2|$R1|applied|$R2|t|string"
sm history --json
expect "history --json" "$(jq_sql "$OUT" "jsonb_array_length(j), j->0->>'revision', j->0->'down_revisions'->>0, (j->1->>'is_head')::boolean")" \
	"2|$R2|$R1|f"

step "downgrade -1, upgrade --sql, downgrade --sql"
sm downgrade -1
expect_rc "downgrade -1" 0
expect "downgrade -1: steps and summary" "$OUT" "Running downgrade $R2 -> $R1, add email
Undid 1 revision; now at $R1."
sm status --exit-code
expect_rc "status --exit-code after downgrade -1" 4
sm upgrade --sql
expect_rc "upgrade --sql" 0
printf '%s\n' "$OUT" >up.sql
expect_match "upgrade --sql: BEGIN" "$OUT" '^BEGIN;$'
expect_match "upgrade --sql: the step" "$OUT" "^-- Running upgrade $R1 -> $R2, add email$"
# (each statement on lines of its own, in a dollar quote, without its ';')
expect_match "upgrade --sql: the SQL" "$OUT" '^ALTER TABLE users ADD COLUMN email text$'
expect_match "upgrade --sql: COMMIT" "$OUT" '^COMMIT;$'
sm current
expect "upgrade --sql runs nothing" "$OUT" "$R1"
sm upgrade --sql --from base
expect_match "upgrade --sql --from base: first revision" "$OUT" '^CREATE TABLE users \(id bigint PRIMARY KEY, name text NOT NULL\)$'
psql -X -q -d "$DB" -f up.sql >/dev/null 2>"$WORK/psql.err"
expect "the offline script runs in psql" "$?:$(cat "$WORK/psql.err")" "0:"
sm current
expect "current after the offline script" "$OUT" "$R2 (head)"
sm downgrade --sql "$R1"
expect_rc "downgrade --sql" 0
expect_match "downgrade --sql: the SQL" "$OUT" '^ALTER TABLE users DROP COLUMN email$'

step "two branches: new refuses, merge writes the merge file"
sm new -m "add orders" --head "$R1"
expect_rc "new --head" 0
F3=$OUT
R3=$(basename "$F3" | cut -c1-12)
sed -i -e '/^-- schemamig:upgrade$/a CREATE TABLE orders (id bigint PRIMARY KEY);' \
	-e '/^-- schemamig:downgrade$/a DROP TABLE orders;' "$F3"
read -r H1 H2 <<<"$(printf '%s\n' "$R2" "$R3" | sort | tr '\n' ' ')"
FH1=$(ls migrations/"$H1"_*.sql)
FH2=$(ls migrations/"$H2"_*.sql)
sm new -m "more"
expect_rc "new with two heads" 5
expect "new with two heads: message" "$ERR" "schemamig: error: 2 heads in database \"$DB\" (its registered revisions and the files in migrations/): $H1 ($FH1), $H2 ($FH2)
detail: A new revision goes on top of one head; which one is not clear.
hint: Join them first with: schemamig merge heads -m \"merge heads\"  (or name the parent with --head REV)."
sm merge -m "merge email and orders"
expect_rc "merge" 0
F4=$OUT
expect_match "merge: file name" "$F4" '^migrations/[0-9a-f]{12}_merge_email_and_orders\.sql$'
R4=$(basename "$F4" | cut -c1-12)
expect "merge: file" "$(cat "$F4")" "-- schemamig:revision $R4
-- schemamig:down_revision $H1 $H2
-- schemamig:message merge email and orders
-- schemamig:upgrade

-- schemamig:downgrade"
sm merge
expect_rc "merge with one head" 5
expect "merge with one head: message" "$ERR" "schemamig: error: nothing to merge: migrations/ has 1 head: $R4
hint: \"schemamig new -m MESSAGE\" adds a revision on top of a single head."
sm push
expect_rc "push of the branches" 0
expect_match "push: the merge added" "$OUT" "^$R4  added      $F4$"
expect_match "push: summary" "$OUT" '^4 revisions in 4 files: 2 added, 2 unchanged, 0 replaced$'
sm upgrade
expect "upgrade through the branch and the merge" "$OUT" "Running upgrade $R1 -> $R3, add orders
Running upgrade $H1, $H2 -> $R4, merge email and orders
Applied 2 revisions; now at $R4."
sm history --json
expect "history --json: branch point and merge point" \
	"$(jq_sql "$OUT" "(SELECT string_agg(e->>'revision' || ':' || (e->>'is_branchpoint') || ':' || (e->>'is_mergepoint'), ' ' ORDER BY e->>'revision' = '$R1' DESC) FROM jsonb_array_elements(j) AS e WHERE e->>'revision' IN ('$R1', '$R4'))")" \
	"$R1:true:false $R4:false:true"
mkdir other && cp migrations/*.sql other/
sm new --dir other -m "feature flags" --branch-label feature --depends-on "${R3:0:7}" --rev-id f1a9
expect_rc "new --dir --branch-label --depends-on (a prefix) --rev-id" 0
expect "new with a label and a dependency: file" "$(cat other/f1a9_feature_flags.sql)" "-- schemamig:revision f1a9
-- schemamig:down_revision $R4
-- schemamig:message feature flags
-- schemamig:branch_labels feature
-- schemamig:depends_on $R3
-- schemamig:upgrade

-- schemamig:downgrade"
sm new --dir other -m "x" --depends-on nosuch
expect_rc "new --depends-on an unknown revision" 2
expect "new --depends-on an unknown revision: message" "$(grep error: <<<"$ERR")" "schemamig: error: --depends-on: no revision \"nosuch\" in other/ nor in database \"$DB\""
sm new --dir other -m "x" --rev-id f1a9
expect_rc "new --rev-id of an existing revision" 2
sm new --dir other -m "x" --branch-label 'bad label!'
expect_rc "new with an invalid branch label" 2
rm -rf other
sm heads
expect "one head after the merge" "$(printf '%s\n' "$OUT" | tail -n +2 | cut -c1-12)" "$R4"

step "a bad file: push fails naming the file and line, nothing is registered"
sm new -m "add t1 and t2" --rev-id e5bad0000001
F5=$OUT
expect "new --rev-id" "$F5" "migrations/e5bad0000001_add_t1_and_t2.sql"
sed -i -e '/^-- schemamig:upgrade$/a CREATE TABLE t1 (a int);\nCREAT TABLE t2 (a int);' "$F5"
sm new -m "good one on top" --rev-id e6g00d000001
F6=$OUT
sm push
expect_rc "push with a bad file" 1
expect "push with a bad file: message" "$ERR" "schemamig: error: syntax error at or near \"CREAT\" ($F5, line 6)
context: revision \"e5bad0000001\", upgrade section, line 6 of $F5"
sm status --json
expect "nothing of the bad push was registered" \
	"$(jq_sql "$OUT" "jsonb_array_length(j), j @? '\$[*] ? (@.revision == \"e5bad0000001\" || @.revision == \"e6g00d000001\")'")" "4|f"
sed -i -e 's/^CREAT TABLE t2 (a int);$/COMMIT;/' "$F5"
sm push
expect_rc "push with COMMIT in a revision" 1
expect_match "push with COMMIT: message" "$ERR" "^schemamig: error: transaction control statement COMMIT is not allowed in a migration \($F5, line 6\)$"
expect_match "push with COMMIT: detail" "$ERR" "^detail: Revision \"e5bad0000001\", upgrade statement 2, line 6 of $F5\.$"
sed -i -e 's/^COMMIT;$/-- schemamig:frobnicate/' "$F5"
sm push
expect_rc "push with an unknown directive" 1
expect_match "push with an unknown directive: message" "$ERR" "^schemamig: error: unknown directive \"frobnicate\" at line 6 of $F5$"
rm -f "$F5" "$F6"
printf 'SELECT 1;\n-- schemamig:revision x1\n-- schemamig:upgrade\n' >migrations/x1.sql
sm push
expect_rc "push with SQL before the first revision" 5
expect_match "SQL before the first revision: message" "$ERR" '^schemamig: error: migrations/x1\.sql:1: text before the first "-- schemamig:revision" line$'
printf -- '-- schemamig:revision %s\n-- schemamig:upgrade\n' "$R2" >migrations/x1.sql
sm push
expect_rc "push with an id defined twice" 5
expect "an id defined twice: message" "$ERR" "schemamig: error: revision \"$R2\" is defined twice: $F2:1 and migrations/x1.sql:1"
printf -- '-- schemamig:revision x1\n-- schemamig:down_revision nosuch\n-- schemamig:upgrade\n' >migrations/x1.sql
sm push
expect_rc "push with an unknown parent" 1
expect_match "unknown parent: message" "$ERR" '^schemamig: error: revision "x1" names down_revision "nosuch", which is not registered \(migrations/x1\.sql, line 1\)$'
rm -f migrations/x1.sql

step "an applied revision edited: push refused, both checksums shown"
cp "$F1" "$WORK/f1.orig"
sed -i -e 's/^CREATE TABLE users (id bigint/CREATE TABLE users (id int/' "$F1"
sm push
expect_rc "push of an edited applied revision" 1
expect_match "edited applied revision: message" "$ERR" "^schemamig: error: revision \"$R1\" is applied and the script changes it \(line 1 of $F1\)$"
expect "edited applied revision: two different checksums" \
	"$(printf '%s\n' "$ERR" | grep -Eo 'v1-sha256:[0-9a-f]{64}' | sort -u | wc -l)" 2
expect "edited applied revision: the applied checksum is the registered one" \
	"$(printf '%s\n' "$ERR" | grep -Eo 'Applied with checksum v1-sha256:[0-9a-f]{64}' | cut -d' ' -f4)" \
	"$(q -c "SELECT checksum FROM schemamig.show('$R1')")"
cp "$WORK/f1.orig" "$F1"
sm push
expect "push after undoing the edit" "$(printf '%s\n' "$OUT" | tail -n 1)" "4 revisions in 4 files: 0 added, 4 unchanged, 0 replaced"

step "server refusals (exit 1), stamp"
sm upgrade nosuchrev
expect_rc "upgrade to an unknown target" 1
expect_match "unknown target: message" "$ERR" '^schemamig: error: unknown revision or target "nosuchrev"$'
sm stamp base
expect_rc "stamp base" 0
expect "stamp base: output" "$OUT" "Stamped base; now at base."
sm status --exit-code
expect_rc "status --exit-code after stamp base" 4
sm stamp heads
expect "stamp heads: output" "$OUT" "Stamped heads; now at $R4."
sm status --exit-code
expect_rc "status --exit-code after stamp heads" 0

step "JSON escaping"
MSG=$(printf 'say "hi" \\ back\ttab \xc3\xa9t\xc3\xa9 \xe2\x9c\x93 \x01')
sm new -m "$MSG" --rev-id j50n
FJ=$OUT
sed -i -e '/^-- schemamig:upgrade$/a SELECT 1;' "$FJ"
sm push
expect_rc "push of a revision with an odd message" 0
sm show j50n --json
expect_rc "show --json of the odd message" 0
expect "show --json: the message survives" "$(jq_sql "$OUT" "j->>'message' = (SELECT message FROM schemamig.show('j50n'))")" "t"
expect "show --json: the message is the one given" "$(jq_sql "$OUT" "j->>'message'")" "$MSG"
expect_contains "show --json: escapes" "$OUT" '  "message": "say \"hi\" \\ back\ttab été ✓ \u0001",'
sm heads
expect "heads: control characters become spaces in tables" "$(printf '%s\n' "$OUT" | sed -n 2p)" \
	"$(printf '%-8s  %-13s  %s' j50n "" 'say "hi" \ back tab été ✓  ')"
rm -f "$FJ"
q -c "SELECT schemamig.forget('j50n')" >/dev/null

step "lint"
printf 'ALTER TABLE users DROP COLUMN name;\n' >drop.sql
if [ "$(q -c "SELECT to_regprocedure('schemamig.lint(text)') IS NOT NULL")" = t ]; then
	sm lint drop.sql
	checks=$((checks + 1))
	case "$RC" in 0 | 6) ;; *) fail "lint: exit status $RC (expected 0 or 6): $ERR" ;; esac
	expect_match "lint: file and line" "$OUT" '^drop\.sql:1: [a-z]+: .*\[[A-Z0-9a-z_-]+\]$'
	sm lint --json drop.sql
	expect "lint --json" "$(jq_sql "$OUT" "j->0->>'file', (j->0->>'line')::int")" "drop.sql|1"
else
	echo "note: this server's schemamig has no lint(): only the refusal is tested"
	sm lint drop.sql
	expect_rc "lint without lint()" 1
	expect_match "lint without lint(): message" "$ERR" "has no lint\(\) \(needs a newer schemamig\)$"
fi
sm lint nosuch.sql
expect_rc "lint of a missing file" 5

step "downgrade to base"
sm downgrade base
expect_rc "downgrade base" 0
expect_match "downgrade base: summary" "$OUT" '^Undid 4 revisions; now at base\.$'
expect "users table dropped" "$(q -c "SELECT to_regclass('public.users') IS NULL")" "t"
