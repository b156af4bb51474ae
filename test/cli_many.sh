#!/usr/bin/env bash
# test/cli_many.sh: the command-line client over several databases (issue
# 16): upgrade, status and check with repeated -d and --targets FILE, at
# most --jobs at once, one transaction per database (a failing one keeps
# nothing, the others go on), the summary table, exit status 10 when any
# failed, passwords never printed, and the command-line errors.
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/cli_many.sh`) it starts its own.  Needs schemamig installed.
# Prints "PASS: cli_many (N checks)" or "FAIL: ..." last.

set -uo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SM=${SMIG_CLI:-$ROOT/cli/schemamig}
P=smig_climany_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_climany.XXXXXX")
failures=0
checks=0
SM_STDIN_NULL=1
# shellcheck source=lib/checks.sh
. "$ROOT/test/lib/checks.sh"

finish() {
	cd /
	for n in 1 2 3 4 5; do
		dropdb --if-exists "${P}_$n" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
	if [ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]; then
		echo "PASS: cli_many ($checks checks)"
		exit 0
	fi
	echo "FAIL: cli_many: $failures of $checks checks failed"
	exit 1
}
trap finish EXIT

q() {
	local db=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$db" "$@"
}
# row DB: the summary table's row of database DB, its columns joined by |
# (the time column, which varies, as T)
row() {
	printf '%s\n' "$OUT" | awk -v db="$1" '
		NR == 1 { n = split($0, h, ""); start[1] = 1; c = 1
			for (i = 2; i <= n; i++) if (h[i - 1] == " " && h[i] != " ") start[++c] = i
			next }
		{ first = substr($0, 1, start[2] - 1); sub(/ +$/, "", first)
		  if (first != db) next
		  out = first
		  for (k = 2; k <= c; k++) {
			  cell = (k < c) ? substr($0, start[k], start[k + 1] - start[k]) : substr($0, start[k])
			  sub(/ +$/, "", cell)
			  if (k == 5 && cell != "") cell = "T"
			  out = out "|" cell }
		  print out }'
}

need_client
for n in 1 2 3 4 5; do
	createdb "${P}_$n" || exit 1
done
for n in 1 2 3 4; do
	q "${P}_$n" -c "CREATE EXTENSION schemamig" || exit 1
done
cd "$WORK" || exit 1
unset DATABASE_URL PGDATABASE
mkdir migrations
for i in 1 2 3; do
	{
		echo "-- schemamig:revision r$i"
		[ "$i" -gt 1 ] && echo "-- schemamig:down_revision r$((i - 1))"
		echo "-- schemamig:message step $i"
		echo "-- schemamig:upgrade"
		echo "CREATE TABLE t$i (a int);"
		echo "-- schemamig:downgrade"
		echo "DROP TABLE t$i;"
	} >"migrations/00${i}_r$i.sql"
done
# database 3 already has t3 (made by hand): its upgrade fails at r3
q "${P}_3" -c "CREATE TABLE t3 (a int)"
cat >targets.txt <<EOT
# tenants
${P}_3

   # database 4, indented
  ${P}_4
postgresql://tenant:s3cret@localhost:1/${P}_9
EOT

step "upgrade over five databases, one failing, one without schemamig, one unreachable"
sm upgrade -d "${P}_1" -d "dbname=${P}_2 password=${PGPASSWORD:-hush}" --targets targets.txt -d "${P}_5" --jobs 2
expect_rc "upgrade of several databases, some failing" 10
expect "row: database 1 upgraded" "$(row "${P}_1")" "${P}_1|base|r3|3|T|0|"
expect "row: database 2 upgraded, its password masked" "$(row "dbname=${P}_2 password=***")" "dbname=${P}_2 password=***|base|r3|3|T|0|"
expect "row: database 3 failed at r3" "$(row "${P}_3")" "${P}_3|base||0|T|1|relation \"t3\" already exists"
expect "row: database 4 upgraded" "$(row "${P}_4")" "${P}_4|base|r3|3|T|0|"
expect_match "row: the unreachable one, masked" "$OUT" "^postgresql://tenant:\*\*\*@localhost:1/${P}_9 .* 3 +cannot connect \(connection from -d\)"
expect "row: database 5 has no schemamig" "$(row "${P}_5")" "${P}_5||||T|1|schemamig is not installed in database \"${P}_5\""
expect_match "the closing line" "$OUT" "^6 databases: 3 ok, 3 failed \(at most 2 at once\)\.$"
expect_contains "the failures' messages, on stderr" "$ERR" "==> ${P}_3 (exit 1) <=="
expect_no_match "no password is printed" "$OUT$ERR" "s3cret|${PGPASSWORD:-hush}"
expect "database 1 is at r3" "$(q "${P}_1" -c 'SELECT c FROM schemamig.current() c')" "r3"
expect "database 3: one transaction, nothing kept" "$(q "${P}_3" -c 'SELECT count(*) FROM schemamig.status()')" "0"
expect "database 3: its t1 rolled back" "$(q "${P}_3" -c "SELECT to_regclass('t1') IS NULL")" "t"

step "upgrade again: nothing to do on the good ones"
sm upgrade -d "${P}_1" -d "${P}_2" -d "${P}_4" --verbose
expect_rc "upgrade at head" 0
expect "row: at head, no steps" "$(row "${P}_2")" "${P}_2|r3|r3|0|T|0|"
expect_contains "--verbose: each database's output" "$OUT" "==> ${P}_4 <=="
expect_contains "--verbose: what upgrade said" "$OUT" "Nothing to upgrade; now at r3."

step "status and check over several databases"
{
	echo "-- schemamig:revision r4"
	echo "-- schemamig:down_revision r3"
	echo "-- schemamig:upgrade"
	echo "CREATE TABLE t4 (a int);"
	echo "-- schemamig:downgrade"
	echo "DROP TABLE t4;"
} >migrations/004_r4.sql
sm status -d "${P}_1" -d "${P}_2"
expect_rc "status without --exit-code" 0
expect "status row: current, head, pending" "$(row "${P}_1")" "${P}_1|r3|r3|0|T|0|"
sm status --exit-code -d "${P}_1" -d "${P}_2" -d "${P}_5"
expect_rc "status --exit-code: files not registered, and a failure" 10
expect "status row: exit 7 in words" "$(row "${P}_2")" "${P}_2|r3|r3|0|T|7|files not registered"
expect "status row: the database without schemamig" "$(row "${P}_5")" "${P}_5||||T|1|schemamig is not installed in database \"${P}_5\""
sm check -d "${P}_1" -d "${P}_4" --jobs 1
expect_rc "check of two good databases" 0
expect_match "check: the closing line" "$OUT" "^2 databases: 2 ok, 0 failed \(at most 1 at once\)\.$"
SM_STDIN_NULL=0 sm upgrade --targets - -d "${P}_1" <<<"${P}_2"
expect_rc "--targets - reads standard input" 0
expect_match "--targets -: the -d database and the one read" "$OUT" "^2 databases: 2 ok, 0 failed"
expect "--targets -: the database read from stdin, upgraded" "$(row "${P}_2")" "${P}_2|r3|r4|1|T|0|"
sm upgrade --jobs 3 -d "${P}_4"
expect_rc "--jobs with one database: the table" 0
expect "--jobs, one database: upgraded r4" "$(row "${P}_4")" "${P}_4|r3|r4|1|T|0|"

step "no password in --verbose's connection note"
sm -v -d "postgresql+asyncpg://tenant:s3cret@localhost:1/${P}_1" current
expect_rc "an unreachable SQLAlchemy URL" 3
expect_contains "--verbose: the URL, masked" "$ERR" "connecting with libpq to postgresql://tenant:***@localhost:1/${P}_1"
expect_no_match "--verbose: no password" "$ERR" 's3cret'

step "command-line errors"
sm downgrade base -d "${P}_1" -d "${P}_2"
expect_rc "downgrade with several -d" 2
expect_contains "downgrade with several -d: says which commands" "$ERR" "-d given 2 times: only upgrade, status and check take several databases"
sm current --jobs 2
expect_rc "--jobs with current" 2
sm upgrade --jobs 0 -d "${P}_1" -d "${P}_2"
expect_rc "--jobs 0" 2
sm upgrade --targets nosuch.txt
expect_rc "--targets of a missing file" 2
expect_contains "--targets missing: says so" "$ERR" "--targets: cannot open nosuch.txt"
printf '# nothing\n\n' >empty.txt
sm upgrade --targets empty.txt
expect_rc "--targets with no URL" 2
printf 'postgresql://a/b # tenant a\n' >comment.txt
sm upgrade --targets comment.txt
expect_rc "--targets: a comment after a URL" 2
sm upgrade --sql -d "${P}_1" -d "${P}_2"
expect_rc "--sql with several databases" 2
sm status --json -d "${P}_1" -d "${P}_2"
expect_rc "--json with several databases" 2
