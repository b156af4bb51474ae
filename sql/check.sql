--
-- check(): drift between what was applied and what is registered.
--
CREATE SCHEMA chk;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision k1
-- schemamig:upgrade
CREATE TABLE chk.a (id int);
-- schemamig:downgrade
DROP TABLE chk.a;
-- schemamig:revision k2
-- schemamig:down_revision k1
-- schemamig:message second
-- schemamig:upgrade
CREATE TABLE chk.b (id int);
-- schemamig:downgrade
DROP TABLE chk.b;
-- schemamig:revision k3
-- schemamig:down_revision k2
-- schemamig:message third
-- schemamig:upgrade
CREATE TABLE chk.c (id int);
$s$);

-- pending revisions are information only
SELECT * FROM schemamig.check();
SELECT revision FROM schemamig.upgrade();
-- healthy: no rows
SELECT * FROM schemamig.check();

-- somebody edits an applied revision behind schemamig's back
UPDATE schemamig.revisions
SET upgrade_sql = 'CREATE TABLE chk.b (id bigint);',
    checksum = 'v1-sha256:0000000000000000000000000000000000000000000000000000000000000000'
WHERE revision = 'k2';
-- an applied revision is unregistered by hand
DELETE FROM schemamig.revisions WHERE revision = 'k3';
-- the record of k1 is lost, while k2 above it stays applied
DELETE FROM schemamig.applied WHERE revision = 'k1';

SELECT severity, problem, revision,
       regexp_replace(detail, '[0-9a-f]{64}', '<sha>', 'g') AS detail
FROM schemamig.check();

-- An edit that leaves the checksum column alone is found too: check()
-- recomputes the checksum from the SQL stored now, and the runner refuses
-- to run SQL whose checksum is not the registered one.  (A superuser
-- edits here: the catalog_guard trigger refuses anyone else.)
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA chk CASCADE;
CREATE SCHEMA chk;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision k1
-- schemamig:upgrade
CREATE TABLE chk.a (id int);
-- schemamig:downgrade
DROP TABLE chk.a;
-- schemamig:revision k2
-- schemamig:down_revision k1
-- schemamig:upgrade
CREATE TABLE chk.b (id int);
-- schemamig:downgrade
DROP TABLE chk.b;
$s$);
SELECT revision FROM schemamig.upgrade('k1');
SELECT * FROM schemamig.check() WHERE severity <> 'info';
UPDATE schemamig.revisions SET downgrade_sql = 'DROP SCHEMA chk CASCADE;'
WHERE revision = 'k1';
UPDATE schemamig.revisions SET upgrade_sql = 'CREATE TABLE chk.b (id bigint);'
WHERE revision = 'k2';
SELECT severity, problem, revision,
       regexp_replace(detail, '[0-9a-f]{64}', '<sha>', 'g') AS detail
FROM schemamig.check();
SELECT revision FROM schemamig.upgrade();
SELECT revision FROM schemamig.downgrade('base');
SELECT revision, state FROM schemamig.status();
SELECT pg_catalog.to_regclass('chk.a') IS NOT NULL AS a_kept;

-- clean up
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA chk CASCADE;
