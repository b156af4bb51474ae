--
-- running: the everyday workflow from psql, as an Alembic user knows it:
-- initial schema, add a table, upgrade head, current, history, back to a
-- named revision, downgrade -1 and base, an idempotent re-apply, an
-- irreversible revision, the session left as it was.
--
CREATE SCHEMA app;

\set script1 '-- schemamig:revision 1975ea83b712\n-- schemamig:message create account table\n-- schemamig:upgrade\nCREATE TABLE app.account (id serial PRIMARY KEY, name text NOT NULL);\n-- schemamig:downgrade\nDROP TABLE app.account;\n'
SELECT revision, from_revision, message FROM schemamig.apply(:'script1');

-- the same script, applied again: nothing to do
SELECT revision, from_revision, message FROM schemamig.apply(:'script1');

-- add a table on top (a second script, as a second file would be)
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision ae1027a6acf
-- schemamig:down_revision 1975ea83b712
-- schemamig:message add a column
-- schemamig:upgrade
ALTER TABLE app.account ADD COLUMN last_transaction_date timestamp;
-- schemamig:downgrade
ALTER TABLE app.account DROP COLUMN last_transaction_date;

-- schemamig:revision 27c6a30d7c24
-- schemamig:down_revision ae1027a6acf
-- schemamig:message add order table
-- schemamig:upgrade
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    account_id int NOT NULL REFERENCES app.account (id),
    total numeric(12, 2) NOT NULL DEFAULT 0
);
CREATE INDEX orders_account_idx ON app.orders (account_id);
INSERT INTO app.account (name) VALUES ('alice'), ('bob');
INSERT INTO app.orders (account_id, total)
SELECT id, 10 * id FROM app.account;
-- schemamig:downgrade
DROP TABLE app.orders;
DELETE FROM app.account WHERE name IN ('alice', 'bob');
$s$);

SELECT * FROM schemamig.check();
SELECT revision, from_revision, message, elapsed >= '0' AS timed
FROM schemamig.upgrade('head');
SELECT * FROM schemamig.current();
SELECT revision FROM schemamig.upgrade('head');
SELECT revision, down_revisions, message, state, is_head
FROM schemamig.history();
SELECT count(*) AS orders FROM app.orders;

-- every step is in the event log and in applied
SELECT operation, revision, from_revisions, by = current_user AS by_me
FROM schemamig.events ORDER BY id;
SELECT revision, applied_by = current_user AS by_me, elapsed IS NOT NULL AS timed
FROM schemamig.applied ORDER BY applied_at, revision;

-- back to a named revision (a prefix is enough), then -1, then base
SELECT revision, from_revision FROM schemamig.downgrade('ae10');
SELECT to_regclass('app.orders') AS orders_table;
SELECT revision, from_revision FROM schemamig.downgrade('-1');
SELECT * FROM schemamig.current();
SELECT column_name FROM information_schema.columns
WHERE table_schema = 'app' AND table_name = 'account' ORDER BY ordinal_position;
SELECT revision, from_revision FROM schemamig.downgrade('base');
SELECT to_regclass('app.account') AS account_table;
SELECT revision FROM schemamig.downgrade('base');
SELECT revision FROM schemamig.downgrade('-1');

-- up again with +2, then the rest
SELECT revision FROM schemamig.upgrade('+2');
SELECT revision FROM schemamig.upgrade();

-- an irreversible revision (no downgrade section) stops a downgrade
-- before anything runs
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision 3c4d
-- schemamig:down_revision 27c6a30d7c24
-- schemamig:message drop legacy data
-- schemamig:upgrade
DELETE FROM app.orders WHERE total > 15;
$s$);
SELECT revision FROM schemamig.upgrade();
SELECT revision FROM schemamig.downgrade('1975ea83b712');
SELECT * FROM schemamig.current();
SELECT count(*) AS orders FROM app.orders;

-- revision SQL that changes the session does not leak into the caller
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision 5e55
-- schemamig:down_revision 3c4d
-- schemamig:upgrade
SET search_path = app;
SET work_mem = '64MB';
CREATE TABLE notes (id int);
SET ROLE pg_database_owner;
SET SESSION AUTHORIZATION DEFAULT;
SET application_name = 'hijacked';
-- schemamig:downgrade
DROP TABLE app.notes;
$s$);
SET work_mem = '4MB';
SELECT current_setting('search_path') AS path_before, current_user = session_user AS same_user;
SELECT revision FROM schemamig.upgrade();
SELECT current_setting('search_path') AS search_path,
       current_setting('work_mem') AS work_mem,
       current_setting('application_name') AS application_name,
       current_user = session_user AS same_user;
SELECT to_regclass('app.notes') AS created_in_app;
RESET work_mem;

-- schemamig cannot be re-entered from inside a revision
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision 6f
-- schemamig:down_revision 5e55
-- schemamig:upgrade
SELECT revision FROM schemamig.downgrade('base');
$s$);
SELECT revision FROM schemamig.upgrade();
SELECT * FROM schemamig.current();

-- a read-only transaction refuses writes, but reads work
BEGIN READ ONLY;
SELECT revision FROM schemamig.upgrade();
ROLLBACK;
BEGIN READ ONLY;
SELECT revision, state FROM schemamig.status();
ROLLBACK;

-- NULL arguments: one rule, an error naming the argument (22004)
SELECT * FROM schemamig.upgrade(NULL);
SELECT * FROM schemamig.downgrade(NULL);
SELECT * FROM schemamig.apply(NULL);
SELECT * FROM schemamig.apply('-- schemamig:revision nn
-- schemamig:upgrade
SELECT 1;', NULL);
SELECT count(*) AS nn_registered FROM schemamig.revisions WHERE revision = 'nn';
DO $$
DECLARE
	c text;
BEGIN
	FOREACH c IN ARRAY ARRAY[
		'SELECT * FROM schemamig.upgrade(NULL)',
		'SELECT * FROM schemamig.downgrade(NULL)',
		'SELECT * FROM schemamig.apply(''x'', NULL)',
		'SELECT * FROM schemamig.stamp(NULL)',
		'CALL schemamig.migrate(NULL)']
	LOOP
		BEGIN
			EXECUTE c;
		EXCEPTION WHEN null_value_not_allowed THEN
			RAISE NOTICE '%: %', SQLSTATE, SQLERRM;
		END;
	END LOOP;
END
$$;

-- a failed upgrade leaves pg_stat_activity showing the caller's query and
-- query_id, not the progress text of the statement that failed
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision 7fail
-- schemamig:down_revision 5e55
-- schemamig:upgrade
CREATE TABLE app.fails (id int);
SELECT 1 / 0;
$s$);
SET compute_query_id = on;
DO $$
DECLARE
	q text;
	qid_before bigint;
	qid_after bigint;
BEGIN
	SELECT query_id INTO qid_before FROM pg_stat_activity
	WHERE pid = pg_backend_pid();
	PERFORM pg_stat_clear_snapshot();
	BEGIN
		PERFORM * FROM schemamig.upgrade('7fail');
	EXCEPTION WHEN division_by_zero THEN
		RAISE NOTICE 'upgrade failed: %', SQLERRM;
	END;
	PERFORM pg_stat_clear_snapshot();
	SELECT query, query_id INTO q, qid_after FROM pg_stat_activity
	WHERE pid = pg_backend_pid();
	RAISE NOTICE 'query is the caller''s: %, query_id kept: %',
		q = current_query(), qid_before IS NOT NULL AND qid_after = qid_before;
END
$$;
RESET compute_query_id;
SELECT schemamig.forget('7fail');

-- What runs is what was registered (issue 12, attack 3, run-time half).
-- A revision that turns standard_conforming_strings off before a statement
-- would make the server re-read that statement's text as other statements:
-- here a harmless SELECT would become a DROP TABLE.  The lexer settings are
-- pinned while revision SQL runs and each statement must parse, at run
-- time, into exactly the statement the split saw.  Registered with lint off
-- and set_config() (not SET), so that the run-time check is what stops it.
CREATE TABLE public.victim (id int);
SET schemamig.lint = off;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision 7smuggle
-- schemamig:down_revision 5e55
-- schemamig:upgrade
SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);
SELECT 'x\', $$'; DROP TABLE public.victim; --$$;
$s$);
SELECT revision FROM schemamig.upgrade('7smuggle');
SELECT to_regclass('public.victim') AS victim_survives;
SELECT schemamig.forget('7smuggle');
-- the same through a DO block: the setting itself is refused before the
-- next statement runs, even when that statement would parse alike
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision 7smuggle2
-- schemamig:down_revision 5e55
-- schemamig:upgrade
DO $do$ BEGIN PERFORM pg_catalog.set_config('standard_' || 'conforming_strings', 'off', false); END $do$;
SELECT 1;
$s$);
SELECT revision FROM schemamig.upgrade('7smuggle2');
SELECT schemamig.forget('7smuggle2');
RESET schemamig.lint;
-- the caller's own settings do not change how a body is read: split and
-- run with standard_conforming_strings on, and the caller's value is back
-- afterwards
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision 7backslash
-- schemamig:down_revision 5e55
-- schemamig:upgrade
CREATE TABLE app.backslash AS SELECT 'x\' AS v;
$s$);
SET standard_conforming_strings = off;
SET escape_string_warning = off;
SELECT revision FROM schemamig.upgrade('7backslash');
SHOW standard_conforming_strings;
RESET standard_conforming_strings;
RESET escape_string_warning;
SELECT v, length(v) FROM app.backslash;
SELECT * FROM schemamig.stamp('5e55');
SELECT schemamig.forget('7backslash');
DROP TABLE app.backslash;
DROP TABLE public.victim;

-- clean up
SELECT schemamig.forget('6f');
SELECT count(*) FROM schemamig.stamp('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA app CASCADE;
