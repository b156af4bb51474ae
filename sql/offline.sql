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

-- errors: a target that is not applied, a NULL target
SELECT schemamig.downgrade_sql('o2', 'o1');
SELECT schemamig.downgrade_sql(NULL);
SELECT schemamig.upgrade_sql('nope');

-- clean up
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA off CASCADE;
