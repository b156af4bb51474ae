--
-- nontx: revisions that declare "-- schemamig:transaction off" (issue 18).
-- The directive, what such a revision may hold, what stays refused, and the
-- functions that run a plan in one transaction refusing such a plan.
--
CREATE SCHEMA nt;
CREATE TABLE nt.t (id int PRIMARY KEY, v int);
INSERT INTO nt.t SELECT g, g % 7 FROM generate_series(1, 100) g;

-- without the directive, CONCURRENTLY is refused and the hint shows it
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY t_v ON nt.t (v);
$s$);
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:upgrade
VACUUM nt.t;
$s$);

-- the directive: a header line, off or on, once, before the upgrade section
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:transaction maybe
-- schemamig:upgrade
SELECT 1;
$s$);
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:transaction off
-- schemamig:transaction off
-- schemamig:upgrade
SELECT 1;
$s$);
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:upgrade
SELECT 1;
-- schemamig:transaction off
$s$);

-- with it: an unnamed CIC is refused (healing needs the name) ...
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY ON nt.t (v);
$s$);
-- ... and what can never run stays refused everywhere
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:transaction off
-- schemamig:upgrade
COMMIT;
$s$);
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:transaction off
-- schemamig:upgrade
ALTER SYSTEM SET work_mem = '8MB';
$s$);
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:transaction off
-- schemamig:upgrade
CREATE DATABASE nt_never;
$s$);
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n0
-- schemamig:transaction off
-- schemamig:upgrade
\connect postgres
$s$);

-- accepted: the CONCURRENTLY forms, VACUUM, ANALYZE, CALL, DO, mixed with
-- ordinary statements; the downgrade section is covered too
CREATE PROCEDURE nt.backfill() LANGUAGE plpgsql AS $$
BEGIN
  UPDATE nt.t SET v = v + 1 WHERE id <= 50;
  COMMIT;
  UPDATE nt.t SET v = v + 1 WHERE id > 50;
END $$;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n1
-- schemamig:message plain
-- schemamig:upgrade
CREATE TABLE nt.p (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE nt.p1 PARTITION OF nt.p FOR VALUES FROM (0) TO (10);
-- schemamig:downgrade
DROP TABLE nt.p;
-- schemamig:revision n2
-- schemamig:down_revision n1
-- schemamig:message indexes
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY t_v ON nt.t (v);
CREATE UNIQUE INDEX CONCURRENTLY t_id_v ON nt.t (id, v);
REINDEX INDEX CONCURRENTLY nt.t_v;
ALTER TABLE nt.p DETACH PARTITION nt.p1 CONCURRENTLY;
CALL nt.backfill();
DO $$ BEGIN PERFORM 1; COMMIT; END $$;
VACUUM (ANALYZE) nt.t;
ANALYZE nt.t;
CREATE TABLE nt.after (id int);
-- schemamig:downgrade
DROP TABLE nt.after;
ALTER TABLE nt.p ATTACH PARTITION nt.p1 FOR VALUES FROM (0) TO (10);
DROP INDEX CONCURRENTLY nt.t_id_v;
DROP INDEX CONCURRENTLY nt.t_v;
$s$) ORDER BY revision;
SELECT revision, transactional FROM schemamig.revisions ORDER BY revision;

-- the same revision without the directive (or with "on") is refused
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n2
-- schemamig:down_revision n1
-- schemamig:message indexes
-- schemamig:transaction on
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY t_v ON nt.t (v);
$s$);

-- upgrade(), apply() and downgrade() refuse a plan holding it, naming it,
-- before anything runs
SELECT * FROM schemamig.upgrade();
SELECT count(*) AS applied FROM schemamig.applied;
SELECT revision, from_revision FROM schemamig.upgrade('n1');
SELECT revision FROM schemamig.apply($s$
-- schemamig:revision n3
-- schemamig:down_revision n2
-- schemamig:transaction off
-- schemamig:upgrade
ANALYZE nt.t;
$s$);
SELECT count(*) AS registered FROM schemamig.revisions;
SELECT schemamig.stamp('n2');
SELECT * FROM schemamig.downgrade('base');
SELECT * FROM schemamig.downgrade('n1');
SELECT schemamig.stamp('n1');
SELECT revision FROM schemamig.downgrade('base');
SELECT revision, transactional FROM schemamig.revisions ORDER BY revision;

--
-- CALL schemamig.migrate() runs it a statement per commit, in background
-- workers for what needs a transaction of its own
--
CALL schemamig.migrate('n2');
SELECT revision FROM schemamig.applied ORDER BY revision;
SELECT indexrelid::regclass AS index, indisvalid, indisready FROM pg_index
WHERE indrelid = 'nt.t'::regclass ORDER BY 1;
SELECT count(*) AS detached FROM pg_inherits WHERE inhparent = 'nt.p'::regclass;
SELECT sum(v) AS backfilled FROM nt.t;
SELECT count(*) AS partial FROM schemamig.partial;

-- migrate_down: not in a transaction block; one statement per commit
BEGIN;
CALL schemamig.migrate_down('n1');
ROLLBACK;
CALL schemamig.migrate_down('n1');
SELECT revision FROM schemamig.applied ORDER BY revision;
SELECT indexrelid::regclass AS index FROM pg_index
WHERE indrelid = 'nt.t'::regclass ORDER BY 1;
-- migrate_down() wrote the drift record: what it undid is not drift
SELECT taken_by, pending FROM schemamig.schema_snapshot;
SELECT count(*) AS drift FROM schemamig.drift();

--
-- a failure stops the revision where it is: the statements before it stay
-- committed, the history says where and why (status(), check()), writers
-- that run a plan in one transaction are refused, and a rerun resumes
--
UPDATE nt.t SET v = 1 WHERE id <= 2;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n4
-- schemamig:down_revision n1
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY t_v4 ON nt.t (v);
CREATE UNIQUE INDEX CONCURRENTLY t_v4u ON nt.t (v);
CREATE TABLE nt.after4 (id int);
-- schemamig:downgrade
DROP TABLE IF EXISTS nt.after4;
DROP INDEX CONCURRENTLY IF EXISTS nt.t_v4u;
DROP INDEX CONCURRENTLY IF EXISTS nt.t_v4;
$s$);
CALL schemamig.migrate('n4');
\echo :LAST_ERROR_SQLSTATE
-- the failed UNIQUE build left no index behind
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index
WHERE indrelid = 'nt.t'::regclass ORDER BY 1;
SELECT revision, state FROM schemamig.status() ORDER BY revision;
SELECT severity, problem, revision,
       regexp_replace(detail, 'since [^;]*', 'since (time)') AS detail
FROM schemamig.check() WHERE problem = 'partial';
SELECT * FROM schemamig.upgrade('n1');
SELECT schemamig.stamp('base');
-- a partly run revision cannot be changed by registering it again, nor be
-- forgotten: the rest of it must come from the text its first statements
-- ran from
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision n4
-- schemamig:down_revision n1
-- schemamig:transaction off
-- schemamig:upgrade
CREATE INDEX CONCURRENTLY t_v4 ON nt.t (v);
CREATE UNIQUE INDEX CONCURRENTLY t_v4u ON nt.t (v);
CREATE TABLE nt.after4 (id int, note text);
-- schemamig:downgrade
DROP TABLE IF EXISTS nt.after4;
DROP INDEX CONCURRENTLY IF EXISTS nt.t_v4u;
DROP INDEX CONCURRENTLY IF EXISTS nt.t_v4;
$s$);
SELECT schemamig.forget('n4');
-- fix the data; the rerun resumes at the UNIQUE build
UPDATE nt.t SET v = id;
CALL schemamig.migrate('n4');
SELECT revision FROM schemamig.applied ORDER BY revision;
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index
WHERE indrelid = 'nt.t'::regclass ORDER BY 1;

-- an index that is there and valid counts as built: the statement is skipped
CALL schemamig.migrate_down('n1');
CREATE INDEX t_v4 ON nt.t (v);
CALL schemamig.migrate('n4');
CALL schemamig.migrate_down('n1');

-- a partly applied revision, undone: migrate_down runs its whole downgrade
-- section (written with IF EXISTS for that reason)
UPDATE nt.t SET v = 1 WHERE id <= 2;
CALL schemamig.migrate('n4');
CALL schemamig.migrate_down('n1');
SELECT count(*) AS partial FROM schemamig.partial;
SELECT revision FROM schemamig.applied ORDER BY revision;
SELECT indexrelid::regclass AS index FROM pg_index
WHERE indrelid = 'nt.t'::regclass ORDER BY 1;

-- the worker runs as the caller: a role without rights on the table fails
-- with 42501, whatever the caller's session could do before SET ROLE
UPDATE nt.t SET v = id;
CREATE ROLE regress_nontx_nobody;
GRANT USAGE ON SCHEMA schemamig TO regress_nontx_nobody;
GRANT SELECT ON ALL TABLES IN SCHEMA schemamig TO regress_nontx_nobody;
GRANT EXECUTE ON PROCEDURE schemamig.migrate(text) TO regress_nontx_nobody;
GRANT USAGE ON SCHEMA nt TO regress_nontx_nobody;
SET ROLE regress_nontx_nobody;
CALL schemamig.migrate('n4');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS partial FROM schemamig.partial;

-- clean up
DELETE FROM schemamig.partial;
SELECT schemamig.stamp('base');
SELECT schemamig.forget('n4'), schemamig.forget('n2'), schemamig.forget('n1');
DROP SCHEMA nt CASCADE;
REVOKE ALL ON ALL TABLES IN SCHEMA schemamig FROM regress_nontx_nobody;
REVOKE ALL ON SCHEMA schemamig FROM regress_nontx_nobody;
REVOKE ALL ON PROCEDURE schemamig.migrate(text) FROM regress_nontx_nobody;
DROP ROLE regress_nontx_nobody;
