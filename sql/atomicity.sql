--
-- atomicity: a failing statement rolls the whole call back and names the
-- revision, statement and line; callers keep control with savepoints and
-- exception blocks; fixing the pending revision and re-running works.
--
CREATE SCHEMA at;

SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision at1
-- schemamig:upgrade
CREATE TABLE at.t1 (id int);
-- schemamig:downgrade
DROP TABLE at.t1;
-- schemamig:revision at2
-- schemamig:down_revision at1
-- schemamig:upgrade
CREATE TABLE at.t2 (id int);
-- schemamig:downgrade
DROP TABLE at.t2;
-- schemamig:revision at3
-- schemamig:down_revision at2
-- schemamig:message breaks
-- schemamig:upgrade
CREATE TABLE at.t3 (id int);

INSERT INTO at.t3 VALUES (1);
INSERT INTO at.t3 VALUES (1 / 0);
-- schemamig:downgrade
DROP TABLE at.t3;
-- schemamig:revision at4
-- schemamig:down_revision at3
-- schemamig:upgrade
CREATE TABLE at.t4 (id int);
-- schemamig:downgrade
DROP TABLE at.t4;
-- schemamig:revision at5
-- schemamig:down_revision at4
-- schemamig:upgrade
CREATE TABLE at.t5 (id int);
-- schemamig:downgrade
DROP TABLE at.t5;
$s$);

-- revision 3 of 5 fails: the error names it, statement 3, line 8 of its block
SELECT revision FROM schemamig.upgrade('head');
-- nothing stayed: no table, no applied row, no event
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'at';
SELECT count(*) AS applied FROM schemamig.applied;
SELECT count(*) AS events FROM schemamig.events;

-- inside a caller's transaction: ROLLBACK TO SAVEPOINT undoes the call,
-- the transaction goes on and commits its other work
CREATE TABLE at.other (x int);
BEGIN;
INSERT INTO at.other VALUES (1);
SAVEPOINT s;
SELECT revision FROM schemamig.upgrade('at2');
ROLLBACK TO SAVEPOINT s;
INSERT INTO at.other VALUES (2);
COMMIT;
SELECT * FROM at.other ORDER BY x;
SELECT count(*) AS applied FROM schemamig.applied;

-- a PL/pgSQL exception block catches the failure; state unchanged
DO $$
BEGIN
  PERFORM * FROM schemamig.upgrade('head');
EXCEPTION WHEN division_by_zero THEN
  RAISE NOTICE 'caught: %', SQLERRM;
END
$$;
SELECT count(*) AS applied FROM schemamig.applied;
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'at' AND tablename LIKE 't_';

-- an error that only the run can find: transaction control inside DO
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision at3
-- schemamig:down_revision at2
-- schemamig:message breaks differently
-- schemamig:upgrade
CREATE TABLE at.t3 (id int);
DO $$ BEGIN COMMIT; END $$;
-- schemamig:downgrade
DROP TABLE at.t3;
$s$);
SELECT revision FROM schemamig.upgrade('head');
SELECT count(*) AS applied FROM schemamig.applied;

-- fix the pending revision, re-run: all five apply
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision at3
-- schemamig:down_revision at2
-- schemamig:message fixed
-- schemamig:upgrade
CREATE TABLE at.t3 (id int);
INSERT INTO at.t3 VALUES (1);
-- schemamig:downgrade
DROP TABLE at.t3;
$s$);
SELECT revision, from_revision, message FROM schemamig.upgrade('head');
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'at' AND tablename LIKE 't_';

-- a failing downgrade rolls back the same way (at4's DROP TABLE fails:
-- a view depends on the table; its SQL cannot be edited in the catalog,
-- the runner would refuse SQL that does not match its checksum)
CREATE VIEW at.v4 AS SELECT * FROM at.t4;
SELECT revision FROM schemamig.downgrade('at2');
SELECT * FROM schemamig.current();
SELECT count(*) AS tables FROM pg_tables WHERE schemaname = 'at' AND tablename LIKE 't_';
DROP VIEW at.v4;

-- an enum value added by one revision and used by the next, in one call:
-- 55P04 with a hint naming where to commit; everything rolls back
SELECT count(*) FROM schemamig.stamp('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision en1
-- schemamig:upgrade
CREATE TYPE at.mood AS ENUM ('sad');
-- schemamig:downgrade
DROP TYPE at.mood;
-- schemamig:revision en2
-- schemamig:down_revision en1
-- schemamig:upgrade
ALTER TYPE at.mood ADD VALUE 'happy';
-- schemamig:revision en3
-- schemamig:down_revision en2
-- schemamig:upgrade
CREATE TABLE at.feelings (m at.mood);
INSERT INTO at.feelings VALUES ('happy');
-- schemamig:downgrade
DROP TABLE at.feelings;
$s$);
SELECT revision FROM schemamig.upgrade('en1');
SELECT revision FROM schemamig.upgrade('head');
SELECT * FROM schemamig.current();
SELECT enum_range(NULL::at.mood);
-- as the hint says: upgrade to en2, commit, then the rest
SELECT revision FROM schemamig.upgrade('en2');
SELECT revision FROM schemamig.upgrade('head');
SELECT * FROM at.feelings;

-- clean up
SELECT count(*) FROM schemamig.stamp('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA at CASCADE;
