#!/usr/bin/env bash
# test/drift_cli.sh: "schemamig check" and "schemamig drift [--adopt -m MSG]"
# of the command-line client (issue 15) against a throwaway server.
#
#   push + upgrade a revision file: no drift (exit 0); a column added and an
#   index dropped by hand: drift names both (exit 6), check shows them as
#   schema_drift rows; drift --adopt -m writes <dir>/<id>_<slug>.sql, which
#   status sees as applied, and drift is empty again; downgrade -1 undoes
#   it; --adopt without -m and -m without --adopt are usage errors (exit 2).
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# it starts its own.  Needs schemamig installed.  Prints "PASS: drift_cli
# (N checks)" or "FAIL: ..." as its last line; exits non-zero on failure.

set -uo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SM=${SMIG_CLI:-$ROOT/cli/schemamig}
DB=smig_drift_cli_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_drift_cli.XXXXXX")
failures=0
checks=0

finish() {
	cd /
	dropdb --if-exists "$DB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	if [ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]; then
		echo "PASS: drift_cli ($checks checks)"
		exit 0
	fi
	echo "FAIL: drift_cli: $failures of $checks checks failed"
	exit 1
}
trap finish EXIT

# shellcheck source=lib/checks.sh
. "$ROOT/test/lib/checks.sh"
q() { psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$DB" "$@"; }

need_client
createdb "$DB" || exit 1
q -c 'CREATE EXTENSION schemamig' || exit 1
export PGDATABASE=$DB
cd "$WORK" || exit 1
mkdir migrations
cat >migrations/aaaaaaaaaaaa_base.sql <<'SQL'
-- schemamig:revision aaaaaaaaaaaa
-- schemamig:message base
-- schemamig:upgrade
CREATE TABLE public.shop (id bigint PRIMARY KEY, name text);
CREATE INDEX shop_name_idx ON public.shop (name);
-- schemamig:downgrade
DROP TABLE public.shop;
SQL

step "upgrade, then no drift"
sm upgrade
expect_rc "upgrade" 0
sm drift
expect_rc "drift with nothing changed" 0
expect "drift with nothing changed" "$OUT" "no drift: the schema is what schemamig's runs left"

step "changes by hand: drift names them, check shows them"
q -c 'ALTER TABLE public.shop ADD COLUMN city text' -c 'DROP INDEX public.shop_name_idx'
sm drift
expect_rc "drift after hand-made changes" 6
expect_contains "drift: the object" "$OUT" "public.shop"
expect_contains "drift: the column" "$OUT" "column city added"
expect_contains "drift: the index" "$OUT" "index shop_name_idx dropped"
expect_contains "drift: what to do" "$OUT" "schemamig drift --adopt -m MESSAGE"
sm check
expect_contains "check: schema_drift row" "$OUT" "schema_drift"
expect_contains "check: the detail" "$OUT" "table public.shop altered outside schemamig: column city added; index shop_name_idx dropped"

step "usage errors"
sm drift --adopt
expect_rc "--adopt without -m" 2
sm drift -m "x"
expect_rc "-m without --adopt" 2

step "drift --adopt -m writes the revision file and records it applied"
sm drift --adopt -m "Hotfix: city column"
expect_rc "drift --adopt" 0
expect_contains "drift --adopt: says what it wrote" "$OUT" "wrote migrations/"
file=$(ls migrations/*_hotfix_city_column.sql 2>/dev/null)
expect "one file written" "$(printf '%s\n' "$file" | grep -c .)" "1"
expect_contains "the file: chained on the head" "$(cat "$file" 2>/dev/null)" "-- schemamig:down_revision aaaaaaaaaaaa"
expect_contains "the file: the drift as upgrade" "$(cat "$file" 2>/dev/null)" "ALTER TABLE public.shop ADD COLUMN city text;"
expect_contains "the file: the way back" "$(cat "$file" 2>/dev/null)" "CREATE INDEX shop_name_idx ON public.shop USING btree (name);"
sm drift
expect_rc "no drift after adopting" 0
sm status --exit-code
expect_rc "status: files and database agree, nothing pending" 0
sm drift --adopt -m "again"
expect_rc "nothing to adopt" 0
expect "nothing to adopt" "$OUT" "no drift: nothing to adopt"

step "the adopted revision downgrades"
sm downgrade -1
expect_rc "downgrade -1" 0
expect "index back, column gone" "$(q -c "SELECT to_regclass('public.shop_name_idx') IS NOT NULL, count(*) FROM pg_attribute WHERE attrelid = 'public.shop'::regclass AND attname = 'city'")" "t|0"
sm drift
expect_rc "no drift after the downgrade" 0
