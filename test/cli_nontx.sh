#!/usr/bin/env bash
# test/cli_nontx.sh: schemamig upgrade and downgrade of a plan that holds a
# revision without a transaction (issue 18): the client sees it before
# running anything and runs CALL schemamig.migrate() / migrate_down(),
# printing each revision and each statement as it starts; a plan without
# one still runs in one transaction; a failed statement stops the command
# with the server's error and the next upgrade resumes.
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/cli_nontx.sh`) it starts its own.  Needs schemamig installed
# and cli/schemamig built.  Prints "PASS: cli_nontx (N checks)" or "FAIL:
# cli_nontx: ..." as its last line; exits non-zero on failure.

set -uo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SM=${SMIG_CLI:-$ROOT/cli/schemamig}
DB=smig_clint_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_clint.XXXXXX")
failures=0
checks=0

finish() {
	cd /
	dropdb --if-exists "$DB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	if [ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]; then
		echo "PASS: cli_nontx ($checks checks)"
		exit 0
	fi
	echo "FAIL: cli_nontx: $failures of $checks checks failed"
	exit 1
}
trap finish EXIT

# shellcheck source=lib/checks.sh
. "$ROOT/test/lib/checks.sh"
q() { psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$DB" "$@"; }

need_client
createdb "$DB" || exit 1
cd "$WORK" || exit 1
unset DATABASE_URL
if [[ "${PGHOST:-}" == /* ]]; then
	URL="host=$PGHOST port=${PGPORT:-5432} dbname=$DB"
else
	URL="postgresql://${PGUSER:-postgres}@${PGHOST:-localhost}:${PGPORT:-5432}/$DB"
fi
printf "DATABASE_URL='%s'\n" "$URL" >.env
q -c "CREATE EXTENSION schemamig" || exit 1
q -c "CREATE TABLE public.t (id int PRIMARY KEY, v int);
	INSERT INTO public.t SELECT g, g % 10 FROM generate_series(1, 20000) g;" || exit 1
mkdir migrations

step "a plan without a revision without a transaction: upgrade() as before"
cat >migrations/c1_log.sql <<'EOF'
-- schemamig:revision c1
-- schemamig:message log table
-- schemamig:upgrade
CREATE TABLE public.log (n int);
-- schemamig:downgrade
DROP TABLE public.log;
EOF
sm upgrade
expect_rc "upgrade of a transactional plan" 0
expect "upgrade of a transactional plan: output" "$OUT" "Registered migrations/: 1 added, 0 replaced.
Running upgrade  -> c1, log table
Applied 1 revision; now at c1."

step "upgrade of a plan holding one: migrate(), each statement printed"
cat >migrations/c2_index.sql <<'EOF'
-- schemamig:revision c2
-- schemamig:down_revision c1
-- schemamig:message index on v
-- schemamig:transaction off
-- schemamig:upgrade
ALTER TABLE public.t ADD COLUMN w int;
CREATE INDEX CONCURRENTLY t_v ON public.t (v);
-- schemamig:downgrade
DROP INDEX CONCURRENTLY IF EXISTS public.t_v;
ALTER TABLE public.t DROP COLUMN w;
EOF
cat >migrations/c3_view.sql <<'EOF'
-- schemamig:revision c3
-- schemamig:down_revision c2
-- schemamig:upgrade
CREATE VIEW public.tv AS SELECT id, v FROM public.t;
-- schemamig:downgrade
DROP VIEW public.tv;
EOF
sm upgrade
expect_rc "upgrade through migrate()" 0
expect "upgrade through migrate(): output" "$(printf '%s\n' "$OUT" | grep -v '^  ')" "Registered migrations/: 2 added, 0 replaced.
The plan holds a revision without a transaction: running CALL schemamig.migrate(head), which commits after each revision and each of its statements.
Running upgrade c1 -> c2, statement 1 of 2 (line 6)
Running upgrade c1 -> c2, statement 2 of 2 (line 7)
Running upgrade c2 -> c3
Applied 2 revisions; now at c3."
expect "the index is valid" "$(q -c "SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'public.t_v'::regclass")" t
expect "the history" "$(q -c "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemamig.applied")" "c1,c2,c3"
sm upgrade
expect "upgrade at head" "$OUT" "Nothing to upgrade; now at c3."

step "downgrade through migrate_down()"
sm downgrade c1
expect_rc "downgrade through migrate_down()" 0
expect "downgrade through migrate_down(): output" "$(printf '%s\n' "$OUT" | grep -v '^  ')" "The plan holds a revision without a transaction: running CALL schemamig.migrate_down(c1), which commits after each revision and each of its statements.
Running downgrade c3 -> c2
Running downgrade c2 -> c1, statement 1 of 2 (line 9)
Running downgrade c2 -> c1, statement 2 of 2 (line 10)
Undid 2 revisions; now at c1."
expect "the index is gone" "$(q -c "SELECT to_regclass('public.t_v') IS NULL")" t
sm downgrade base
expect_rc "downgrade of a transactional plan" 0
expect "downgrade of a transactional plan: output" "$OUT" "Running downgrade c1 -> , log table
Undid 1 revision; now at base."

step "a failed statement: the server's error, exit 1; the next upgrade resumes"
cat >migrations/c4_unique.sql <<'EOF'
-- schemamig:revision c4
-- schemamig:down_revision c3
-- schemamig:transaction off
-- schemamig:upgrade
UPDATE public.t SET w = 1;
CREATE UNIQUE INDEX CONCURRENTLY t_w_key ON public.t (w);
-- schemamig:downgrade
DROP INDEX CONCURRENTLY IF EXISTS public.t_w_key;
EOF
sm upgrade
expect_rc "upgrade that fails in a statement" 1
expect "upgrade that fails: applied up to c3" "$(q -c "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemamig.applied")" "c1,c2,c3"
checks=$((checks + 1))
grep -q 'could not create unique index "t_w_key"' <<<"$ERR" ||
	{ fail "the failed statement's error is not shown"; printf '%s\n' "$ERR" | sed 's/^/    /'; }
expect "upgrade that fails: statement 1 done" "$(q -c "SELECT done FROM schemamig.partial WHERE revision = 'c4'")" 1
q -c "UPDATE public.t SET w = id" || exit 1
sm upgrade
expect_rc "upgrade resumed" 0
expect "upgrade resumed: output" "$(printf '%s\n' "$OUT" | grep -v '^  ' | grep -v '^dropping the invalid index')" "The plan holds a revision without a transaction: running CALL schemamig.migrate(head), which commits after each revision and each of its statements.
Running upgrade c3 -> c4, statement 2 of 2 (line 6), resumed
Applied 1 revision; now at c4."
expect "the unique index is valid" "$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.t_w_key'::regclass")" t

step "--sql: the offline script of such a plan"
sm downgrade c3 --sql
expect_rc "downgrade --sql" 0
checks=$((checks + 1))
grep -q "^SELECT schemamig.offline_nontx_step('downgrade', 'c4', " <<<"$OUT" ||
	{ fail "downgrade --sql does not render the revision a statement at a time"; printf '%s\n' "$OUT" | sed 's/^/    /'; }
