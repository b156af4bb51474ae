#!/usr/bin/env bash
# examples/demo.sh: the demo.  `bash examples/demo.sh`, as root on Debian 12.
#
# Installs what is missing and builds + installs schemamig (test/setup.sh),
# starts a throwaway PostgreSQL (pg_virtualenv, which drops it again when this
# script's inner part exits), and from psql:
#   pcs   (examples/pcs):   apply the whole set in one call, show status(),
#                           history(), current(), step back with
#                           downgrade('-1') and forward with upgrade('head');
#   tasks (examples/tasks): register a set with two branches and a merge, print
#                           the offline script upgrade_sql('head') for review,
#                           upgrade one branch by id prefix, then to head.
# Each set goes into its own database: two unrelated histories in one
# database would have two heads, and 'head' would then be ambiguous.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")

if [ -z "${SMIG_DEMO_INSIDE:-}" ]; then
	# shellcheck source=test/setup.sh
	. "$ROOT/test/setup.sh"
	SMIG_QUIET_BUILD=1
	smig_install_deps
	smig_build
	echo
	echo "== starting a throwaway PostgreSQL $SMIG_PG_MAJOR server (pg_virtualenv)"
	SMIG_DEMO_INSIDE=1 exec pg_virtualenv -t -v "$SMIG_PG_MAJOR" bash "$HERE/demo.sh" "$@"
fi

# ---- from here on: inside pg_virtualenv (PGHOST, PGPORT, PGUSER exported)

# The revisions of one example set as one script, in file order (a newline
# after each file, so no block runs into the next).
script_of() {
	local f
	for f in "$HERE/$1"/*.sql; do
		cat "$f"
		echo
	done
}

# psql that echoes each input line (-a: before variables are interpolated,
# so the scripts themselves are not echoed) and stops at the first error.
demo_psql() {
	psql -X -a -v ON_ERROR_STOP=1 -P pager=off "$@"
}

count_revisions() {
	local files=("$HERE/$1"/*.sql)
	echo "${#files[@]}"
}

banner() {
	printf '\n################ %s\n\n' "$*"
}

banner "examples/pcs: contexts, conversations, prompts ($(count_revisions pcs) revisions)"
createdb pcs_demo
demo_psql -d pcs_demo -v script="$(script_of pcs)" <<'SQL'
CREATE EXTENSION schemamig;

-- register every revision and upgrade to head, in one call
SELECT * FROM schemamig.apply(:'script');

SELECT revision, down_revisions, message, state,
       applied_at IS NOT NULL AS applied, is_head, is_current
  FROM schemamig.status();
SELECT * FROM schemamig.history();
SELECT * FROM schemamig.current();
\d conversations

-- one step back, then forward again
SELECT * FROM schemamig.downgrade('-1');
SELECT * FROM schemamig.current();
SELECT * FROM schemamig.upgrade('head');
SELECT * FROM schemamig.current();
-- already at head: nothing to do, zero rows
SELECT * FROM schemamig.upgrade('head');
SQL

banner "examples/tasks: two branches and a merge ($(count_revisions tasks) revisions)"
createdb tasks_demo
demo_psql -d tasks_demo -v script="$(script_of tasks)" <<'SQL'
CREATE EXTENSION schemamig;

-- register only: nothing runs yet
SELECT * FROM schemamig.register(:'script');
SELECT * FROM schemamig.heads();

-- the offline script (Alembic's --sql) of what upgrade('head') would run
\pset format unaligned
\pset tuples_only on
SELECT schemamig.upgrade_sql('head');
\pset tuples_only off
\pset format aligned

-- first the tags branch alone (a unique id prefix is a target), then the rest
SELECT * FROM schemamig.upgrade('d4a9');
SELECT * FROM schemamig.current();
SELECT * FROM schemamig.upgrade('head');
SELECT * FROM schemamig.current();
SELECT * FROM schemamig.history();
SELECT * FROM task_overview;
SQL

banner "done: pg_virtualenv now stops and drops the throwaway server"
