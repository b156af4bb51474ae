#!/usr/bin/env bash
# test/autogen.sh: schemamig revision --autogenerate (cli/autogen.c, issue 14)
# against a throwaway server.
#
#   bad command lines (exit 2), a bad --from-db URL (exit 3), an unreadable
#   --from-sql file (exit 5); --from-sql: files written, upgrade converges
#   (pg_dump --schema-only equal to the schema files loaded by psql), the
#   second run says "No changes", the throwaway database is gone; --from-db
#   of a database without schemamig (left without it), on a target with
#   rows: several chained files (constraints validated later), rows kept,
#   converges, downgrade goes back; a failing schema file (file:line, exit 1)
#   and SIGINT still drop the throwaway database; a role without CREATEDB is
#   told what to do; it builds on the database's head as new does (a file
#   not applied yet refused); --template and $SCHEMAMIG_TEMPLATE; then the
#   SQLAlchemy workflow: a model file, metadata.create_all() into a scratch
#   database, autogenerate --from-db, upgrade, compare; the model changed (a
#   column, an index, a foreign key), again.
#
# Run by test/run.sh inside a throwaway cluster (pg_virtualenv); run alone
# (`bash test/autogen.sh`) it starts its own.  Needs schemamig installed and
# cli/schemamig built; the SQLAlchemy part needs Debian's python3-sqlalchemy
# and python3-psycopg2 (test/setup.sh installs them).  Prints "PASS:
# autogen (N checks)" or "FAIL: ..." as its last line.

set -uo pipefail

if [ -z "${PG_CLUSTER_CONF_ROOT:-}" ] && [ -z "${SMIG_USE_RUNNING_SERVER:-}" ]; then
	exec pg_virtualenv -t -v "${SMIG_PG_MAJOR:-15}" bash "$0" "$@"
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SM=${SMIG_CLI:-$ROOT/cli/schemamig}
DB=smig_ag_$$
REF=smig_ag_ref_$$
DEV=smig_ag_dev_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smig_ag.XXXXXX")
failures=0
checks=0
SM_STDIN_NULL=1
# shellcheck source=lib/checks.sh
. "$ROOT/test/lib/checks.sh"

finish() {
	cd /
	for d in "$DB" "$REF" "$DEV" "${DB}_sa" "${DEV}_sa"; do
		dropdb --if-exists "$d" >/dev/null 2>&1 || true
	done
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS smig_ag_nocreatedb" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	if [ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]; then
		echo "PASS: autogen ($checks checks)"
		exit 0
	fi
	echo "FAIL: autogen: $failures of $checks checks failed"
	exit 1
}
trap finish EXIT

q() { psql -X -q -v ON_ERROR_STOP=1 -A -t "$@"; }

url() {
	if [[ "${PGHOST:-}" == /* ]]; then
		echo "host=$PGHOST port=${PGPORT:-5432} dbname=$1"
	else
		echo "postgresql://${PGUSER:-postgres}@${PGHOST:-localhost}:${PGPORT:-5432}/$1"
	fi
}

# the schema of a database as pg_dump prints it, without schemamig, its
# comments, settings and blank lines
schema() {
	pg_dump --schema-only --no-owner -N schemamig -d "$1" |
		grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' \
			-e '^\\restrict' -e '^\\unrestrict' -e '^$' -e 'schemamig'
}

# throwaway databases left on the server
leftovers() { q -d postgres -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'schemamig_autogen_%'"; }

nfiles() { find migrations -name '*.sql' | wc -l; }

need_client

createdb "$DB" && createdb "$REF" && createdb "$DEV" || exit 1
q -d "$DB" -c "CREATE EXTENSION schemamig" || exit 1
cd "$WORK" || exit 1
unset DATABASE_URL SCHEMAMIG_TEMPLATE
export DATABASE_URL
DATABASE_URL=$(url "$DB")
mkdir migrations

cat >v1.sql <<'EOF'
CREATE TYPE public.mood AS ENUM ('happy', 'sad');
CREATE TABLE public.users (
    id bigint PRIMARY KEY,
    email text NOT NULL UNIQUE,
    mood public.mood DEFAULT 'happy'
);
CREATE TABLE public.posts (
    id bigint PRIMARY KEY,
    user_id bigint,
    title text
);
CREATE INDEX posts_title_idx ON public.posts (title);
CREATE VIEW public.user_emails AS SELECT id, email FROM public.users;
CREATE FUNCTION public.post_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.posts';
COMMENT ON TABLE public.users IS 'who writes';
EOF
# v2: a column, a CHECK, a foreign key, an index, a new enum value, a table
cat >v2.sql <<'EOF'
CREATE TYPE public.mood AS ENUM ('happy', 'sad', 'calm');
CREATE TABLE public.users (
    id bigint PRIMARY KEY,
    email text NOT NULL UNIQUE,
    mood public.mood DEFAULT 'happy',
    name text
);
CREATE TABLE public.posts (
    id bigint PRIMARY KEY,
    user_id bigint REFERENCES public.users,
    title text CONSTRAINT title_not_empty CHECK (title <> '')
);
CREATE INDEX posts_title_idx ON public.posts (title);
CREATE INDEX posts_user_idx ON public.posts (user_id);
CREATE VIEW public.user_emails AS SELECT id, email FROM public.users;
CREATE FUNCTION public.post_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.posts';
COMMENT ON TABLE public.users IS 'who writes';
CREATE TABLE public.tags (post_id bigint REFERENCES public.posts, tag text);
EOF

step "bad command lines (exit 2), bad URL (exit 3), unreadable file (exit 5)"
sm revision --autogenerate --from-sql v1.sql
expect_rc "no -m" 2
expect_match "no -m: message" "$ERR" '^schemamig: error: revision --autogenerate needs a message'
sm revision --autogenerate -m x
expect_rc "no source" 2
expect_match "no source: message" "$ERR" 'needs the desired schema: --from-db URL .* or --from-sql FILE'
sm revision --autogenerate -m x --from-sql v1.sql --from-db "$(url "$DEV")"
expect_rc "both sources" 2
expect_match "both sources: message" "$ERR" '^schemamig: error: --from-db and --from-sql exclude each other'
sm revision -m x --from-db "$(url "$DEV")"
expect_rc "--from-db without --autogenerate" 2
expect_match "--from-db without --autogenerate: message" "$ERR" '^schemamig: error: --from-db goes with --autogenerate'
sm new --autogenerate -m x --from-sql v1.sql --rev-id abc
expect_rc "--rev-id with --autogenerate" 2
sm revision --autogenerate -m x --from-db "$(url "$DEV")" extra
expect_rc "a positional argument with --from-db" 2
sm revision -m x stray
expect_rc "revision without --autogenerate takes no argument" 2
sm status --from-sql v1.sql
expect_rc "--from-sql with status" 2
sm revision --autogenerate -m x --from-db "postgresql://nobody@127.0.0.1:1/nothing"
expect_rc "bad --from-db URL" 3
expect_match "bad --from-db URL: message" "$ERR" '^schemamig: error: --from-db: cannot connect to the desired-state database: .*port 1 failed'
sm revision --autogenerate -m x --from-sql missing.sql
expect_rc "missing --from-sql file" 5
expect_match "missing file: message" "$ERR" '^schemamig: error: --from-sql: cannot read missing.sql: No such file or directory$'
expect "nothing written by the failures" "$(nfiles)" 0
expect "no throwaway database left by the failures" "$(leftovers)" 0

step "--from-sql: files, upgrade converges, second run: No changes"
q -d "$REF" -f v1.sql >/dev/null || exit 1
sm revision --autogenerate -m "first schema" --from-sql v1.sql
expect_rc "autogenerate --from-sql" 0
expect_match "the file's path" "$OUT" '^migrations/[0-9a-f]{12}_first_schema\.sql$'
expect_match "summary: a statement" "$OUT" '^  CREATE TABLE public\.users'
expect_match "summary: totals" "$OUT" '^1 file written, 0 hazards, 0 items to review'
expect_contains "says what it builds on (as new does)" "$ERR" "A new root: no revision in database \"$DB\" (its registered revisions and the files in migrations/)."
expect "one file" "$(nfiles)" 1
expect "no throwaway database left" "$(leftovers)" 0
F1=$(ls migrations/*_first_schema.sql)
expect_match "the file chains on nothing (a root)" "$(head -3 "$F1")" '^-- schemamig:message first schema$'
sm upgrade
expect_rc "upgrade" 0
expect "converged on v1" "$(schema "$DB")" "$(schema "$REF")"
sm revision --autogenerate -m "again" --from-sql v1.sql
expect_rc "second autogenerate" 0
expect_match "second autogenerate: No changes" "$OUT" '^No changes: database .* already has the desired schema; no file written\.$'
expect "still one file" "$(nfiles)" 1
HEAD1=$(q -d "$DB" -c "SELECT c FROM schemamig.current() AS c")

step "--from-db of a database without schemamig, target with rows"
q -d "$DEV" -f v2.sql >/dev/null || exit 1
q -d "$DB" -c "INSERT INTO public.users VALUES (1, 'a@example.com', 'sad'), (2, 'b@example.com', DEFAULT);
	INSERT INTO public.posts VALUES (10, 1, 'hello'), (11, 2, 'world')" || exit 1
sm revision --autogenerate -m "Add names, tags" --from-db "$(url "$DEV")"
expect_rc "autogenerate --from-db" 0
expect "schemamig not left in the --from-db database" \
	"$(q -d "$DEV" -c "SELECT count(*) FROM pg_extension WHERE extname = 'schemamig'")" 0
expect "four files: enum values, the change, indexes built concurrently, validations" "$(nfiles)" 5
expect_match "enum file" "$OUT" '^migrations/[0-9a-f]{12}_add_names_tags_new_enum_values\.sql$'
expect_match "validation file" "$OUT" '^migrations/[0-9a-f]{12}_add_names_tags_validate_[a-z_]*\.sql$'
expect_match "the foreign key added NOT VALID" "$(cat migrations/*_add_names_tags.sql)" '^ALTER TABLE public\.posts ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY .* NOT VALID;$'
expect_match "validated in the last file" "$(cat migrations/*_add_names_tags_validate_*.sql)" '^ALTER TABLE public\.posts VALIDATE CONSTRAINT posts_user_id_fkey;$'
expect_match "the index of a table with rows: CONCURRENTLY, in a revision without a transaction" \
	"$(cat migrations/*_add_names_tags_indexes_*.sql)" '^-- schemamig:transaction off$'
expect_match "summary: the index built concurrently" "$OUT" '^ *CREATE INDEX CONCURRENTLY posts_user_idx ON public\.posts'
sm heads --offline
expect_rc "heads --offline" 0
expect "one local head" "$(printf '%s\n' "$OUT" | grep -c '^[0-9a-f]\{12\}')" 1
sm upgrade
expect_rc "upgrade of the generated chain" 0
expect "converged on v2" "$(schema "$DB")" "$(schema "$DEV")"
expect "rows kept" "$(q -d "$DB" -c "SELECT string_agg(u.email || ':' || p.title, ',' ORDER BY p.id) FROM public.posts p JOIN public.users u ON u.id = p.user_id")" \
	"a@example.com:hello,b@example.com:world"
sm revision --autogenerate -m "again" --from-db "$(url "$DEV")"
expect_match "second --from-db: No changes" "$OUT" '^No changes'
sm downgrade "$HEAD1"
expect_rc "downgrade back" 0
# the enum value added stays (PostgreSQL cannot drop one): compare without types
expect "downgrade converged on v1 (but the enum)" \
	"$(schema "$DB" | grep -v -e "^CREATE TYPE public.mood" -e "^    '")" \
	"$(schema "$REF" | grep -v -e "^CREATE TYPE public.mood" -e "^    '")"
sm upgrade
expect_rc "upgrade again" 0

step "a failing schema file: file:line, exit 1, no throwaway database left"
printf 'CREATE TABLE ok (id int);\n\nCREATE TABLE bad (id nosuchtype);\n' >bad.sql
sm revision --autogenerate -m "bad" --from-sql v2.sql bad.sql
expect_rc "failing file" 1
expect_match "failing file: file and line" "$ERR" '^schemamig: error: --from-sql: bad\.sql:3: type "nosuchtype" does not exist$'
expect "no throwaway database after the failure" "$(leftovers)" 0
printf 'CREATE TABLE x (id int);\n\\connect other\n' >meta.sql
sm revision --autogenerate -m "meta" --from-sql meta.sql
expect_rc "psql meta-command" 5
expect_match "psql meta-command: message" "$ERR" '^schemamig: error: meta\.sql:2: psql meta-command "\\connect other": --from-sql runs SQL only$'
expect "nothing written by these" "$(nfiles)" 5

step "SIGINT while a schema file runs: the throwaway database is dropped"
printf 'CREATE TABLE slow (id int);\nSELECT pg_sleep(60);\n' >slow.sql
"$SM" revision --autogenerate -m "slow" --from-sql slow.sql >"$WORK/stdout" 2>"$WORK/stderr" &
pid=$!
for _ in $(seq 1 50); do
	[ "$(q -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()")" = 1 ] && break
	sleep 0.2
done
expect "the throwaway database exists while it runs" "$(leftovers)" 1
kill -INT "$pid"
wait "$pid"
RC=$?
OUT=$(cat "$WORK/stdout")
ERR=$(cat "$WORK/stderr")
expect_rc "SIGINT: killed by the signal" 130
expect "SIGINT: no throwaway database left" "$(leftovers)" 0
expect "SIGINT: nothing written" "$(nfiles)" 5

step "a role without CREATEDB: --from-sql refused with what to do"
q -d postgres -c "CREATE ROLE smig_ag_nocreatedb LOGIN PASSWORD '${PGPASSWORD:-x}'" >/dev/null || exit 1
NOURL=$(url "$DB" | sed -e 's/user=[^ ]*//' -e "s|//[^@]*@|//smig_ag_nocreatedb@|")
[[ "$NOURL" == host=* ]] && NOURL="$NOURL user=smig_ag_nocreatedb"
sm -d "$NOURL" revision --autogenerate -m "x" --from-sql v2.sql
expect_rc "no CREATEDB" 1
expect_match "no CREATEDB: message" "$ERR" '^schemamig: error: --from-sql: cannot create a throwaway database: permission denied to create database$'
expect_match "no CREATEDB: hint" "$ERR" 'the role needs CREATEDB .* use --from-db URL'

step "on the database's head, as new: a revision only the database has, a file not applied yet"
DBHEAD=$(q -d "$DB" -c "SELECT revision FROM schemamig.heads()")
mv migrations "$WORK/kept"
mkdir migrations
sm revision --autogenerate -m "elsewhere" --from-sql v1.sql
expect_rc "files behind the database: built on the database's head" 0
expect_contains "files behind: says so" "$ERR" "On top of $DBHEAD, the head of database \"$DB\" (its registered revisions and the files in migrations/)."
expect_contains "files behind: export named" "$ERR" "schemamig export $DBHEAD"
expect_match "files behind: the file chains on the database's head" "$(cat migrations/*_elsewhere*.sql)" "^-- schemamig:down_revision $DBHEAD\$"
rm -rf migrations
mv "$WORK/kept" migrations
sm new -m "not applied"
expect_rc "new (a file not pushed)" 0
PENDING=$OUT
sm revision --autogenerate -m "pending" --from-sql v2.sql
expect_rc "a file not applied yet (even with no change)" 1
expect_match "not applied: message" "$ERR" "^schemamig: error: database \"$DB\" is not at its head [0-9a-f]{12}: revisions registered or in migrations/ are not applied yet\$"
expect_contains "not applied: hint" "$ERR" 'Run "schemamig upgrade" first.'
expect "not applied: nothing written" "$(nfiles)" 6
rm -f "$PENDING"

step "--template and \$SCHEMAMIG_TEMPLATE name autogenerated files"
{ cat v2.sql; echo 'CREATE TABLE public.notes (id int);'; } >v3.sql
SCHEMAMIG_TEMPLATE='{nope}' sm revision --autogenerate -m "add notes" --from-sql v3.sql
expect_rc "a bad \$SCHEMAMIG_TEMPLATE" 2
expect_match "bad template: message" "$ERR" '^schemamig: error: \$SCHEMAMIG_TEMPLATE: unknown placeholder in "\{nope\}"'
expect "bad template: nothing written" "$(nfiles)" 5
expect "bad template: no throwaway database left" "$(leftovers)" 0
SCHEMAMIG_TEMPLATE='{date}_{slug}' sm revision --autogenerate -m "add notes" --from-sql v3.sql
expect_rc "\$SCHEMAMIG_TEMPLATE" 0
expect_match "\$SCHEMAMIG_TEMPLATE: the name" "$OUT" '^migrations/[0-9]{8}_add_notes\.sql$'
rm -f migrations/*_add_notes.sql
SCHEMAMIG_TEMPLATE='{date}_{slug}' sm revision --autogenerate -m "add notes" --template "n_{id}" --from-sql v3.sql
expect_rc "--template over \$SCHEMAMIG_TEMPLATE" 0
expect_match "--template: the name" "$OUT" '^migrations/n_[0-9a-f]{12}\.sql$'
F3=$(ls migrations/n_*.sql)
expect "--template: the header as new writes it" "$(head -4 "$F3")" \
"-- schemamig:revision $(basename "$F3" .sql | cut -c3-)
-- schemamig:down_revision $DBHEAD
-- schemamig:message add notes
-- schemamig:upgrade"
sm upgrade
expect_rc "--template: upgrade" 0
expect "--template: the table is there" "$(q -d "$DB" -c "SELECT count(*) FROM pg_tables WHERE tablename = 'notes'")" 1
cp "$F3" "$WORK/f3.kept"
sed -i '/^-- schemamig:upgrade$/a SELECT 1;' "$F3"
sm revision --autogenerate -m "again" --from-sql v3.sql
expect_rc "an applied file edited: as new, the database's revisions only" 0
expect_contains "edited file: says so" "$ERR" "The files do not register in database \"$DB\" (above): going on with its registered revisions only."
expect_match "edited file: then No changes" "$OUT" '^No changes'
cp "$WORK/f3.kept" "$F3"

step "SQLAlchemy: models -> create_all -> revision --autogenerate -> upgrade"
PY=/usr/bin/python3
if ! "$PY" -c 'import sqlalchemy, psycopg2' 2>/dev/null; then
	checks=$((checks + 1))
	fail "python3-sqlalchemy and python3-psycopg2 are needed (test/setup.sh installs them)"
	exit 1
fi
createdb "${DB}_sa" && createdb "${DEV}_sa" || exit 1
q -d "${DB}_sa" -c "CREATE EXTENSION schemamig" || exit 1
mkdir sa sa/migrations
if [[ "${PGHOST:-}" == /* ]]; then
	SAURL="postgresql+psycopg2://${PGUSER:-postgres}:${PGPASSWORD:-}@/${DEV}_sa?host=$PGHOST&port=${PGPORT:-5432}"
else
	SAURL="postgresql+psycopg2://${PGUSER:-postgres}:${PGPASSWORD:-}@${PGHOST:-localhost}:${PGPORT:-5432}/${DEV}_sa"
fi
# the model file, as a team writes it (SQLAlchemy 1.4 and 2.0)
write_models() {
	cat >models.py <<EOF
import os
from sqlalchemy import (Column, BigInteger, Integer, String, Text, Boolean,
                        DateTime, ForeignKey, Index, create_engine, func)
from sqlalchemy.orm import declarative_base

Base = declarative_base()

class Author(Base):
    __tablename__ = "author"
    id = Column(BigInteger, primary_key=True)
    name = Column(String(100), nullable=False)
    email = Column(String(200), unique=True)
    active = Column(Boolean, nullable=False, server_default="true")
$( [ "$1" = v2 ] && echo '    bio = Column(Text)' )

class Book(Base):
    __tablename__ = "book"
    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False, index=True)
    created = Column(DateTime(timezone=True), server_default=func.now())
$( [ "$1" = v2 ] && echo '    author_id = Column(BigInteger, ForeignKey("author.id"))' )
$( [ "$1" = v2 ] && echo '    __table_args__ = (Index("book_author_idx", "author_id"),)' )

if __name__ == "__main__":
    engine = create_engine(os.environ["SA_URL"])
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
EOF
}
cd sa || exit 1
for v in v1 v2; do
	write_models "$v"
	if ! SA_URL=$SAURL "$PY" models.py; then
		checks=$((checks + 1))
		fail "$v: create_all failed"
		break
	fi
	sm -d "$(url "${DB}_sa")" revision --autogenerate -m "models $v" --from-db "$SAURL"
	expect_rc "$v: revision --autogenerate --from-db (SQLAlchemy URL)" 0
	expect_match "$v: a file" "$OUT" "^migrations/[0-9a-f]{12}_models_$v\.sql$"
	sm -d "$(url "${DB}_sa")" upgrade
	expect_rc "$v: upgrade" 0
	expect "$v: the database has the models' schema" "$(schema "${DB}_sa")" "$(schema "${DEV}_sa")"
	sm -d "$(url "${DB}_sa")" revision --autogenerate -m "again" --from-db "$SAURL"
	expect_match "$v: then No changes" "$OUT" '^No changes'
	[ "$v" = v1 ] && q -d "${DB}_sa" -c "INSERT INTO author (id, name) VALUES (1, 'Ann'); INSERT INTO book (id, title) VALUES (1, 'Notes')"
done
expect_match "v2: the new column, index and foreign key were generated" \
	"$(cat migrations/*_models_v2.sql)" '^ALTER TABLE public\.book ADD CONSTRAINT book_author_id_fkey FOREIGN KEY'
expect "v2: rows kept" "$(q -d "${DB}_sa" -c "SELECT title FROM book")" "Notes"
cd "$WORK" || exit 1
