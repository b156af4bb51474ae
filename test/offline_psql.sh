#!/usr/bin/env bash
# test/offline_psql.sh: offline scripts are safe to feed to a real psql
# (issue 12, attack 4), and still apply benign revisions; a baseline taken
# with pg_dump --schema-only registers (issue 11, item 5).
#
#   1. for each hostile revision below, in a fresh database: register it (or,
#      for what registration refuses, register a benign body and put the
#      hostile one in its place behind schemamig's back), write
#      upgrade_sql() to a file, feed the file to `psql -f`, and check that
#      the marker file a smuggled psql meta-command would create never
#      appears.  The payloads try \!, \o |cmd, \copy ... program, \gexec
#      and \i, smuggled through a standard_conforming_strings flip (dynamic
#      set_config), a client_encoding flip, dollar quotes (our own tag
#      among them), E'' and U&'' strings and comments;
#   2. with the operator's session at standard_conforming_strings = off, a
#      benign three-revision script applies, records its steps, and the
#      downgrade script undoes it;
#   3. pg_dump --schema-only of a database (with its \restrict lines on
#      PostgreSQL 15.14+ / 17.6+) registers as a revision, applies in an
#      empty database, and the two schemas dump the same;
#   4. revisions without a transaction (issue 18) render outside BEGIN ...
#      COMMIT and run with psql -f: a real CREATE INDEX CONCURRENTLY, the
#      history migrate() keeps, a failed statement left for migrate(); and
#      (with part 1) CONCURRENTLY statements that hold meta-command text in
#      an identifier, E'' and dollar-quoted strings and a comment come back
#      through psql's \gexec and run as SQL, never as a meta-command.
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/offline_psql.sh`) it starts its own.  Needs schemamig
# installed.  Prints "PASS: offline_psql" or "FAIL: offline_psql: why" as
# its last line; exits non-zero on failure.

set -euo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_op.XXXXXX")
chmod 777 "$WORK"	# COPY TO PROGRAM would run as the server's user
MARK=$WORK/pwned
DBS=()
result=FAIL
why="unexpected error (see above)"
cases=0

finish() {
	local rc=$?
	local db
	for db in "${DBS[@]}"; do
		dropdb --if-exists "$db" >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
	if [ "$result" = PASS ]; then
		echo "PASS: offline_psql"
		exit 0
	fi
	echo "FAIL: offline_psql: $why"
	[ "$rc" -ne 0 ] || rc=1
	exit "$rc"
}
trap finish EXIT

fail() {
	why=$1
	exit 1
}

# q DB ARGS...: psql, unaligned, tuples only, stop at the first error
q() {
	local db=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -A -t -d "$db" "$@"
}

newdb() {
	local db=smig_op_$$_$1
	createdb "$db"
	DBS+=("$db")
	q "$db" -c "CREATE EXTENSION schemamig" >/dev/null
	echo "$db"
}

# register DB FILE: schemamig.register() of the script in FILE
register() {
	q "$1" -v script="$(cat "$2")" >/dev/null <<'EOF'
SELECT * FROM schemamig.register(:'script');
EOF
}

# script ID BODY [DIRECTIVE]: a one-revision script
script() {
	printf -- '-- schemamig:revision %s\n%s-- schemamig:upgrade\n%s\n' "$1" "${3:+$3
}" "$2"
}

# payloads: one revision body each; @MARK@ and @WORK@ are substituted
FLIP="SELECT pg_catalog.set_config('standard_' || 'conforming_strings', 'off', false);"
printf '\\! touch %s\n' "$MARK" >"$WORK/evil.sql"
payloads=()
payloads+=("$FLIP
SELECT 'a\\', '\\! touch @MARK@ #';")
payloads+=("$FLIP
SELECT 'a\\', '\\o |touch @MARK@ #';
SELECT 1;")
payloads+=("$FLIP
SELECT 'a\\', '\\copy (SELECT 1) to program ''touch @MARK@'' #';")
payloads+=("$FLIP
SELECT 'a\\', ' x'' \\gexec #', 'COPY (SELECT 1) TO PROGRAM ''touch @MARK@''';")
payloads+=("$FLIP
SELECT 'a\\', '\\i @WORK@/evil.sql #';")
payloads+=("SET client_encoding = 'SJIS';
SELECT E'х\\'', '\\! touch @MARK@ #';")
payloads+=("SELECT \$\$
\$smig\$]);
\\! touch @MARK@
\$\$;")
payloads+=("SELECT \$a\$ \$smig\$ \$smig1\$ \$smig2\$ \$a\$, \$b\$
\$smig3\$]);
\\! touch @MARK@
\$b\$;")
payloads+=("SELECT E'\\'', '
\\! touch @MARK@
';")
payloads+=("SELECT U&'\\0027', '
\\! touch @MARK@
';")
payloads+=("SELECT 1 /* a comment
\\! touch @MARK@
*/;
SELECT 2 -- \\! touch @MARK@
;")
payloads+=("SELECT 1 /* nested /* comment */
\\! touch @MARK@
*/;")
# refused at registration: planted behind schemamig's back
tampered=()
tampered+=("SELECT pg_catalog.set_config('standard_conforming_strings','off',false);
SELECT 'a\\', '\\! touch @MARK@ #';")
tampered+=("SET standard_conforming_strings = off;
SELECT 'a\\', '\\! touch @MARK@ #';")

# revisions without a transaction: their CONCURRENTLY statements come back
# from offline_nontx_step() and run through psql's \gexec, which must run
# them as SQL and never read a meta-command in them
nontx_payloads=()
nontx_payloads+=("CREATE TABLE public.h (v int);
CREATE INDEX CONCURRENTLY \"h_a
\\! touch @MARK@
\" ON public.h (v);
CREATE INDEX CONCURRENTLY h_b ON public.h (v) WHERE v <> pg_catalog.length(E'
\\! touch @MARK@
');
CREATE INDEX CONCURRENTLY h_c ON public.h (v) WHERE v <> pg_catalog.length(\$q\$
\\! touch @MARK@
\$q\$);
CREATE INDEX CONCURRENTLY h_d ON public.h (v) /*
\\! touch @MARK@
*/;
CREATE INDEX CONCURRENTLY h_e ON public.h (v) WHERE v <> pg_catalog.length(E'\\'' || '
\\! touch @MARK@
');")

# attack N BODY TAMPER (yes: planted behind schemamig's back; nontx: a
# revision without a transaction)
attack() {
	local n=$1 body=$2 tamper=$3
	local db
	body=${body//@MARK@/$MARK}
	body=${body//@WORK@/$WORK}
	db=$(newdb "a$n")
	if [ "$tamper" = nontx ]; then
		script "p$n" "$body" "-- schemamig:transaction off" >"$WORK/p$n.script"
		register "$db" "$WORK/p$n.script" ||
			fail "payload $n was refused at registration"
	elif [ "$tamper" = yes ]; then
		script "p$n" "SELECT 1;" >"$WORK/p$n.script"
		register "$db" "$WORK/p$n.script"
		q "$db" -v body="$body" >/dev/null <<'EOF'
UPDATE schemamig.revisions SET upgrade_sql = :'body';
EOF
	else
		script "p$n" "$body" >"$WORK/p$n.script"
		register "$db" "$WORK/p$n.script" ||
			fail "payload $n was refused at registration"
	fi
	# rendering may refuse the planted body: then there is nothing to run
	if q "$db" -c "SELECT schemamig.upgrade_sql()" >"$WORK/p$n.sql" 2>"$WORK/p$n.err"; then
		(cd "$WORK" && psql -X -d "$db" -f "p$n.sql" >"p$n.log" 2>&1) || true
	fi
	if [ -e "$MARK" ]; then
		cat "$WORK/p$n.sql" "$WORK/p$n.log" 2>/dev/null || true
		fail "payload $n ran a psql meta-command"
	fi
	cases=$((cases + 1))
}

n=0
for body in "${payloads[@]}"; do
	n=$((n + 1))
	attack "$n" "$body" no
done
for body in "${tampered[@]}"; do
	n=$((n + 1))
	attack "$n" "$body" yes
done
for body in "${nontx_payloads[@]}"; do
	n=$((n + 1))
	attack "$n" "$body" nontx
	# not a refusal that proves nothing: the statements ran, through \gexec
	[ "$(grep -c 'gexec$' "$WORK/p$n.sql")" = 6 ] &&
		[ "$(q "smig_op_$$_a$n" -c "SELECT count(*) FROM schemamig.applied")" = 1 ] &&
		[ "$(q "smig_op_$$_a$n" -c "SELECT count(*) FROM pg_index WHERE indrelid = 'public.h'::regclass AND indisvalid")" = 5 ] ||
		{ cat "$WORK/p$n.sql" "$WORK/p$n.log"; fail "payload $n (a revision without a transaction) did not apply"; }
done
# the harmless payloads (quotes, comments) applied as registered
db=smig_op_$$_a7
[ "$(q "$db" -c "SELECT count(*) FROM schemamig.applied")" = 1 ] ||
	fail "payload 7 (a string holding our tag) did not apply"
db=smig_op_$$_a11
[ "$(q "$db" -c "SELECT count(*) FROM schemamig.applied")" = 1 ] ||
	fail "payload 11 (comments) did not apply"

# the operator's session with standard_conforming_strings = off
db=$(newdb benign)
cat >"$WORK/benign.script" <<'EOF'
-- schemamig:revision b1
-- schemamig:message create items
-- schemamig:upgrade
CREATE TABLE public.items (id int PRIMARY KEY, label text);
-- schemamig:downgrade
DROP TABLE public.items;

-- schemamig:revision b2
-- schemamig:down_revision b1
-- schemamig:upgrade
SET search_path = public;
INSERT INTO items VALUES (1, 'back\slash'), (2, E'it''s'), (3, $x$ $smig$ $x$);
CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql
AS $$ SELECT 42 $$   -- the answer
;
-- schemamig:downgrade
DROP FUNCTION public.answer();
DELETE FROM public.items;

-- schemamig:revision b3
-- schemamig:down_revision b2
-- schemamig:upgrade
COMMENT ON TABLE public.items IS 'items; \! not a command';
-- schemamig:downgrade
COMMENT ON TABLE public.items IS NULL;
EOF
register "$db" "$WORK/benign.script"
q "$db" -c "SELECT schemamig.upgrade_sql()" >"$WORK/benign_up.sql"
PGOPTIONS="-c standard_conforming_strings=off" psql -X -q -d "$db" \
	-f "$WORK/benign_up.sql" >"$WORK/benign_up.log" 2>&1 ||
	{ cat "$WORK/benign_up.log"; fail "the benign upgrade script failed"; }
[ "$(q "$db" -c "SELECT string_agg(label, '|' ORDER BY id) FROM public.items")" = 'back\slash|it'"'"'s| $smig$ ' ] ||
	fail "the benign upgrade script stored other values"
[ "$(q "$db" -c "SELECT public.answer()")" = 42 ] ||
	fail "the benign upgrade script did not create the function"
[ "$(q "$db" -c "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemamig.applied")" = "b1,b2,b3" ] ||
	fail "the benign upgrade script did not record its steps"
[ "$(q "$db" -c "SELECT count(*) FROM schemamig.events WHERE operation = 'upgrade' AND by = current_user AND elapsed IS NOT NULL")" = 3 ] ||
	fail "the benign upgrade script did not log its steps as the runner does"
[ "$(q "$db" -c "SHOW search_path")" = '"$user", public' ] ||
	fail "a revision's SET search_path outlived its step"
q "$db" -c "SELECT schemamig.downgrade_sql('base')" >"$WORK/benign_down.sql"
PGOPTIONS="-c standard_conforming_strings=off" psql -X -q -d "$db" \
	-f "$WORK/benign_down.sql" >"$WORK/benign_down.log" 2>&1 ||
	{ cat "$WORK/benign_down.log"; fail "the benign downgrade script failed"; }
[ "$(q "$db" -c "SELECT count(*) FROM schemamig.applied")" = 0 ] ||
	fail "the benign downgrade script left revisions applied"
[ -z "$(q "$db" -c "SELECT to_regclass('public.items')")" ] ||
	fail "the benign downgrade script left the table"

# a baseline from pg_dump --schema-only
src=$(newdb dumpsrc)
q "$src" >/dev/null <<'EOF'
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE public.people (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL DEFAULT 'it''s \ me', mood public.mood);
CREATE INDEX people_name ON public.people (name);
CREATE FUNCTION public.greet(p public.people) RETURNS text LANGUAGE plpgsql
AS $$BEGIN RETURN 'hi ' || p.name; END$$;
CREATE VIEW public.happy AS SELECT * FROM public.people WHERE mood = 'happy';
EOF
pg_dump --schema-only --no-owner -N schemamig -d "$src" >"$WORK/dump.sql"
grep -q '^\\restrict ' "$WORK/dump.sql" && restrict=yes || restrict=no
{
	printf -- '-- schemamig:revision baseline\n-- schemamig:upgrade\n'
	# the extension's own objects are not part of the baseline
	grep -v -e '^CREATE EXTENSION' -e '^COMMENT ON EXTENSION' "$WORK/dump.sql"
} >"$WORK/baseline.script"
dst=$(newdb dumpdst)
register "$dst" "$WORK/baseline.script" 2>"$WORK/baseline.err" ||
	{ cat "$WORK/baseline.err"; fail "the pg_dump baseline did not register"; }
if [ "$restrict" = yes ] && ! grep -q 'restrict" line dropped' "$WORK/baseline.err"; then
	cat "$WORK/baseline.err"
	fail "no NOTICE for the dropped \\restrict line"
fi
q "$dst" -c "SELECT schemamig.upgrade_sql()" >"$WORK/baseline.sql"
psql -X -q -d "$dst" -f "$WORK/baseline.sql" >"$WORK/baseline.log" 2>&1 ||
	{ cat "$WORK/baseline.log"; fail "the pg_dump baseline did not apply offline"; }
pg_dump --schema-only --no-owner -N schemamig -d "$src" | grep -v -e '^\\' -e '^--' >"$WORK/a.sql"
pg_dump --schema-only --no-owner -N schemamig -d "$dst" | grep -v -e '^\\' -e '^--' >"$WORK/b.sql"
diff "$WORK/a.sql" "$WORK/b.sql" || fail "the baseline's schema differs from its source"

# revisions without a transaction (issue 18): outside BEGIN ... COMMIT, one
# statement at a time; CREATE INDEX CONCURRENTLY really run by psql; the
# history migrate() keeps; a stopped statement left to migrate(), which heals
db=$(newdb nontx)
q "$db" >/dev/null <<'EOF'
CREATE TABLE public.t (id int PRIMARY KEY, v int);
INSERT INTO public.t SELECT g, g % 100 FROM generate_series(1, 50000) g;
EOF
cat >"$WORK/nontx.script" <<'EOF'
-- schemamig:revision x1
-- schemamig:upgrade
CREATE TABLE public.log (n int);
-- schemamig:downgrade
DROP TABLE public.log;

-- schemamig:revision x2
-- schemamig:down_revision x1
-- schemamig:transaction off
-- schemamig:upgrade
ALTER TABLE public.t ADD COLUMN w int;
CREATE INDEX CONCURRENTLY t_v ON public.t (v);
DO $$ BEGIN PERFORM pg_catalog.set_config('standard_' || 'conforming_strings', 'off', false); END $$;
COMMENT ON TABLE public.t IS 'a \ b';
-- schemamig:downgrade
DROP INDEX CONCURRENTLY IF EXISTS public.t_v;
ALTER TABLE public.t DROP COLUMN w;

-- schemamig:revision x3
-- schemamig:down_revision x2
-- schemamig:upgrade
CREATE VIEW public.tv AS SELECT id, v FROM public.t;
-- schemamig:downgrade
DROP VIEW public.tv;
EOF
register "$db" "$WORK/nontx.script"
q "$db" -c "SELECT schemamig.upgrade_sql()" >"$WORK/nontx_up.sql"
# x1 in a transaction, x2's statements outside any, x3 in a new one
[ "$(grep -c '^BEGIN;$' "$WORK/nontx_up.sql")" = 2 ] &&
	[ "$(grep -c '^COMMIT;$' "$WORK/nontx_up.sql")" = 2 ] &&
	[ "$(grep -c 'offline_nontx_step(' "$WORK/nontx_up.sql")" = 4 ] &&
	[ "$(grep -c 'gexec$' "$WORK/nontx_up.sql")" = 4 ] ||
	{ cat "$WORK/nontx_up.sql"; fail "the offline script of a revision without a transaction is not laid out as expected"; }
awk '/^BEGIN;$/ {inx = 1} /^COMMIT;$/ {inx = 0}
	/CREATE INDEX CONCURRENTLY/ && inx {bad = 1} END {exit bad}' "$WORK/nontx_up.sql" ||
	{ cat "$WORK/nontx_up.sql"; fail "CREATE INDEX CONCURRENTLY is inside BEGIN ... COMMIT"; }
psql -X -q -d "$db" -f "$WORK/nontx_up.sql" >"$WORK/nontx_up.log" 2>&1 ||
	{ cat "$WORK/nontx_up.sql" "$WORK/nontx_up.log"; fail "the offline script of a revision without a transaction failed"; }
[ "$(q "$db" -c "SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'public.t_v'::regclass")" = t ] ||
	fail "the offline CREATE INDEX CONCURRENTLY did not leave a valid index"
[ "$(q "$db" -c "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemamig.applied")" = "x1,x2,x3" ] ||
	fail "the offline script did not record the three revisions"
[ "$(q "$db" -c "SELECT count(*) FROM schemamig.partial")" = 0 ] ||
	fail "the offline script left a schemamig.partial row"
[ "$(q "$db" -c "SELECT count(*) FROM schemamig.events WHERE operation = 'upgrade'")" = 3 ] ||
	fail "the offline script did not log one event per revision"
[ "$(q "$db" -c "SELECT obj_description('public.t'::regclass)")" = 'a \ b' ] ||
	fail "the statement after a DO that switched standard_conforming_strings off was lexed otherwise"

# a statement that fails in psql: the lease stays, the next offline script
# refuses it, migrate() heals and finishes
cat >"$WORK/nontx2.script" <<'EOF'
-- schemamig:revision x4
-- schemamig:down_revision x3
-- schemamig:transaction off
-- schemamig:upgrade
UPDATE public.t SET w = 1;
CREATE UNIQUE INDEX CONCURRENTLY t_w_key ON public.t (w);
-- schemamig:downgrade
DROP INDEX CONCURRENTLY IF EXISTS public.t_w_key;
EOF
register "$db" "$WORK/nontx2.script"
q "$db" -c "SELECT schemamig.upgrade_sql()" >"$WORK/nontx_fail.sql"
if psql -X -q -d "$db" -f "$WORK/nontx_fail.sql" >"$WORK/nontx_fail.log" 2>&1; then
	fail "a UNIQUE CREATE INDEX CONCURRENTLY over duplicates succeeded offline"
fi
grep -q 'could not create unique index' "$WORK/nontx_fail.log" ||
	{ cat "$WORK/nontx_fail.log"; fail "the offline failure is not the index build's"; }
[ "$(q "$db" -c "SELECT done || '/' || statements || ' ' || running FROM schemamig.partial WHERE revision = 'x4'")" = "1/2 2" ] ||
	fail "the failed offline statement did not leave its lease after statement 1"
q "$db" -c "SELECT schemamig.upgrade_sql()" >"$WORK/nontx_again.sql"
grep -q '^-- statements 1 to 1 ran already$' "$WORK/nontx_again.sql" &&
	[ "$(grep -c 'offline_nontx_step(' "$WORK/nontx_again.sql")" = 1 ] ||
	{ cat "$WORK/nontx_again.sql"; fail "the next offline script does not start at statement 2"; }
if psql -X -q -d "$db" -f "$WORK/nontx_again.sql" >"$WORK/nontx_again.log" 2>&1; then
	fail "an offline script ran over a statement that stopped"
fi
grep -q 'statement 2 of revision "x4" was started by backend' "$WORK/nontx_again.log" ||
	{ cat "$WORK/nontx_again.log"; fail "the offline script over a stopped statement did not say why"; }
q "$db" -c "UPDATE public.t SET w = id" >/dev/null
q "$db" -c "CALL schemamig.migrate()" >"$WORK/nontx_migrate.log" 2>&1 ||
	{ cat "$WORK/nontx_migrate.log"; fail "migrate() did not finish the revision the offline script stopped in"; }
[ "$(q "$db" -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.t_w_key'::regclass")" = t ] &&
	[ "$(q "$db" -c "SELECT count(*) FROM schemamig.applied WHERE revision = 'x4'")" = 1 ] ||
	fail "migrate() after the offline failure did not build the index and record the revision"

# and back down, offline: DROP INDEX CONCURRENTLY in the downgrade sections
q "$db" -c "SELECT schemamig.downgrade_sql('base')" >"$WORK/nontx_down.sql"
psql -X -q -d "$db" -f "$WORK/nontx_down.sql" >"$WORK/nontx_down.log" 2>&1 ||
	{ cat "$WORK/nontx_down.sql" "$WORK/nontx_down.log"; fail "the offline downgrade of revisions without a transaction failed"; }
[ "$(q "$db" -c "SELECT count(*) FROM schemamig.applied")" = 0 ] &&
	[ -z "$(q "$db" -c "SELECT to_regclass('public.t_v')")" ] &&
	[ -z "$(q "$db" -c "SELECT to_regclass('public.t_w_key')")" ] &&
	[ "$(q "$db" -c "SELECT count(*) FROM schemamig.partial")" = 0 ] ||
	fail "the offline downgrade did not undo the revisions without a transaction"

echo "$cases payloads fed to psql, no meta-command ran; pg_dump \\restrict lines present: $restrict"
result=PASS
