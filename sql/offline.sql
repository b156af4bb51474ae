--
-- offline: upgrade_sql() and downgrade_sql() write the script that would
-- run (with bookkeeping, lock and a state guard); psql runs it.
--
CREATE SCHEMA off;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision o1
-- schemamig:message create items
-- schemamig:upgrade
CREATE TABLE off.items (id int PRIMARY KEY, label text);
-- schemamig:downgrade
DROP TABLE off.items;
-- schemamig:revision o2
-- schemamig:down_revision o1
-- schemamig:message function with a trailing comment
-- schemamig:upgrade
CREATE FUNCTION off.answer() RETURNS int LANGUAGE sql
AS $$ SELECT 42 $$   -- the answer
;
INSERT INTO off.items VALUES (1, 'it''s');
-- schemamig:downgrade
DROP FUNCTION off.answer();
DELETE FROM off.items;
$s$);
SELECT revision FROM schemamig.upgrade('o1');

-- what would run from the current state (o1)
SELECT schemamig.upgrade_sql();
-- the whole thing from base, whatever the database holds
SELECT schemamig.upgrade_sql('head', 'base');
-- nothing to do gives a script that does nothing
SELECT schemamig.upgrade_sql('o1');

-- run the generated script through psql
\pset tuples_only on
\pset format unaligned
\o results/offline_up.sql
SELECT schemamig.upgrade_sql();
\o
\set ECHO none
\i results/offline_up.sql
\set ECHO all
\unset ON_ERROR_STOP
\pset tuples_only off
\pset format aligned
SELECT * FROM schemamig.current();
SELECT off.answer(), label FROM off.items;
SELECT operation, revision FROM schemamig.events ORDER BY id;
-- the script wrote the drift record: what its steps did is not drift
SELECT taken_by, pending FROM schemamig.schema_snapshot;
SELECT count(*) AS drift FROM schemamig.drift();

-- running a stale script again is refused by its guard; nothing changes
\set ECHO none
\i results/offline_up.sql
\set ECHO all
\unset ON_ERROR_STOP
ROLLBACK;
\pset tuples_only off
SELECT count(*) AS applied FROM schemamig.applied;

-- and back down to base offline
SELECT schemamig.downgrade_sql('base');
\pset tuples_only on
\pset format unaligned
\o results/offline_down.sql
SELECT schemamig.downgrade_sql('base');
\o
\set ECHO none
\i results/offline_down.sql
\set ECHO all
\unset ON_ERROR_STOP
\pset tuples_only off
\pset format aligned
SELECT count(*) AS applied FROM schemamig.applied;
SELECT to_regclass('off.items') AS items;
SELECT taken_by, pending FROM schemamig.schema_snapshot;
SELECT count(*) AS drift FROM schemamig.drift();

-- errors: a target that is not applied, a NULL target
SELECT schemamig.downgrade_sql('o2', 'o1');
SELECT schemamig.downgrade_sql(NULL);
SELECT schemamig.upgrade_sql('nope');

-- the offline steps were recorded by the runner's writer: who, how long
SELECT operation, revision, by = current_user AS by_me,
       elapsed IS NOT NULL AS timed
  FROM schemamig.events ORDER BY id;

--
-- schemamig.offline_step() checks what it runs and records: the revision
-- registered, the script's checksum the registered one (and the bodies'),
-- the step valid now, the statements the registered ones
--
SELECT checksum AS sum1 FROM schemamig.revisions WHERE revision = 'o1' \gset
SELECT checksum AS sum2 FROM schemamig.revisions WHERE revision = 'o2' \gset
CALL schemamig.offline_step('upgrade', 'o1', :'sum1',
  ARRAY[E'\nDROP TABLE IF EXISTS off.other\n']);
CALL schemamig.offline_step('upgrade', 'o1', :'sum1', ARRAY[]::text[]);
CALL schemamig.offline_step('upgrade', 'o1', :'sum2',
  ARRAY[E'\nCREATE TABLE off.items (id int PRIMARY KEY, label text)\n']);
CALL schemamig.offline_step('upgrade', 'nope', :'sum1', ARRAY[]::text[]);
CALL schemamig.offline_step('upgrade', 'o2', :'sum2', ARRAY[]::text[]);
CALL schemamig.offline_step('downgrade', 'o1', :'sum1', ARRAY[]::text[]);
CALL schemamig.offline_step('sideways', 'o1', :'sum1', ARRAY[]::text[]);
CALL schemamig.offline_step('upgrade', 'o1', NULL, ARRAY[]::text[]);
-- offline_record(), the scripts' last statement: the same two argument errors
CALL schemamig.offline_record('sideways');
CALL schemamig.offline_record(NULL);
-- the right statement runs and is recorded
CALL schemamig.offline_step('upgrade', 'o1', :'sum1',
  ARRAY[E'\nCREATE TABLE off.items (id int PRIMARY KEY, label text)\n']);
SELECT revision, checksum = :'sum1' AS same FROM schemamig.applied;
-- a body changed behind schemamig's back no longer matches its checksum
UPDATE schemamig.revisions SET downgrade_sql = 'DROP TABLE off.items CASCADE;'
 WHERE revision = 'o1';
CALL schemamig.offline_step('downgrade', 'o1', :'sum1',
  ARRAY[E'\nDROP TABLE off.items CASCADE\n']);
SELECT count(*) AS applied FROM schemamig.applied;
TRUNCATE schemamig.applied;
DROP TABLE off.items;

--
-- Statements are rendered in dollar quotes whose tag does not occur in them
--
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision q1
-- schemamig:message a message
--   with \! in it
-- schemamig:upgrade
CREATE TABLE off.q (a text, b text);
INSERT INTO off.q VALUES ('$smig$', $smig$ \! $smig$), ($smig1$x$smig1$, 'y');
-- schemamig:downgrade
DROP TABLE off.q;
$s$);
SELECT schemamig.upgrade_sql();
\pset tuples_only on
\pset format unaligned
\o results/offline_q.sql
SELECT schemamig.upgrade_sql();
\o
\set ECHO none
\i results/offline_q.sql
\set ECHO all
\unset ON_ERROR_STOP
\pset tuples_only off
\pset format aligned
SELECT * FROM off.q ORDER BY a;
SELECT * FROM schemamig.current();

-- clean up
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA off CASCADE;
