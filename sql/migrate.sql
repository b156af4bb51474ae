--
-- migrate: CALL schemamig.migrate() commits after each revision, so a
-- failure keeps the revisions before it; it refuses to run inside a
-- transaction block.
--
CREATE SCHEMA mg;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision m1
-- schemamig:message one
-- schemamig:upgrade
CREATE TABLE mg.t1 (id int);
-- schemamig:downgrade
DROP TABLE mg.t1;
-- schemamig:revision m2
-- schemamig:down_revision m1
-- schemamig:message two
-- schemamig:upgrade
CREATE TABLE mg.t2 (id int);
-- schemamig:downgrade
DROP TABLE mg.t2;
-- schemamig:revision m3
-- schemamig:down_revision m2
-- schemamig:message three fails
-- schemamig:upgrade
CREATE TABLE mg.t3 (id int);
SELECT 1 / 0;
-- schemamig:downgrade
DROP TABLE mg.t3;
-- schemamig:revision m4
-- schemamig:down_revision m3
-- schemamig:upgrade
CREATE TABLE mg.t4 (id int);
-- schemamig:downgrade
DROP TABLE mg.t4;
$s$);

-- not inside a transaction block, nor from a function
BEGIN;
CALL schemamig.migrate();
ROLLBACK;
CREATE FUNCTION mg.wrap() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CALL schemamig.migrate();
END $$;
SELECT mg.wrap();
SELECT count(*) AS applied FROM schemamig.applied;

-- a relative target is resolved once: +1 applies exactly one revision
CALL schemamig.migrate('+1');
SELECT * FROM schemamig.current();

-- m3 fails: m2 was committed before it and stays; m3 left nothing behind
CALL schemamig.migrate('head');
SELECT revision, state FROM schemamig.status();
SELECT tablename FROM pg_tables WHERE schemaname = 'mg' ORDER BY 1;
SELECT count(*) AS advisory FROM pg_locks WHERE locktype = 'advisory';

-- fix m3 (pending, so it may change) and carry on
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision m3
-- schemamig:down_revision m2
-- schemamig:message three fixed
-- schemamig:upgrade
CREATE TABLE mg.t3 (id int);
-- schemamig:downgrade
DROP TABLE mg.t3;
$s$);
CALL schemamig.migrate();
SELECT revision, state FROM schemamig.status();
SELECT operation, revision FROM schemamig.events ORDER BY id;

-- nothing to do, and errors
CALL schemamig.migrate();
CALL schemamig.migrate('nope');
-- NULL is an error naming the argument (it meant head in 0.1)
CALL schemamig.migrate(NULL);

-- clean up
SELECT count(*) FROM schemamig.downgrade('base');
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA mg CASCADE;
