--
-- authorship: who registered a revision cannot be forged, and the SQL that
-- role vouches for cannot be edited behind schemamig's back (issue 12,
-- attacks 1 and 2).  Each attack is performed and shown to fail.
--
CREATE ROLE regress_author_mig;
CREATE SCHEMA auth AUTHORIZATION regress_author_mig;
-- the migration role as README "Privileges" makes it: no write privilege
-- on the catalog tables
GRANT USAGE ON SCHEMA schemamig TO regress_author_mig;
GRANT SELECT ON ALL TABLES IN SCHEMA schemamig TO regress_author_mig;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA schemamig TO regress_author_mig;

-- schemamig's own writes need none: it records the caller as author and
-- as the one who applied, not the tables' owner it writes as
SET ROLE regress_author_mig;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision a1
-- schemamig:upgrade
CREATE TABLE auth.t (id int);
-- schemamig:downgrade
DROP TABLE auth.t;
$s$);
SELECT revision FROM schemamig.upgrade();
SELECT current_user;
RESET ROLE;
SELECT registered_by, registered_by_oid = 'regress_author_mig'::regrole AS by_oid
FROM schemamig.revisions;
SELECT applied_by FROM schemamig.applied;
-- downgrade(), migrate() and stamp() too
SET ROLE regress_author_mig;
SELECT revision FROM schemamig.downgrade('base');
CALL schemamig.migrate();
SELECT * FROM schemamig.stamp('base');
SELECT * FROM schemamig.stamp('a1');
RESET ROLE;
SELECT operation, revision, by FROM schemamig.events ORDER BY id;

-- Attack 1 (issue 12): register SQL that makes the migrator a superuser,
-- then name a superuser as its author.  Without write privileges:
SET ROLE regress_author_mig;
SELECT revision, action FROM schemamig.register(E'-- schemamig:revision m1\n-- schemamig:down_revision a1\n-- schemamig:upgrade\nALTER ROLE regress_author_mig SUPERUSER;\n-- schemamig:downgrade\n');
UPDATE schemamig.revisions SET registered_by = session_user WHERE revision = 'm1';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
RESET ROLE;
-- and with every write privilege the 0.1 README told to grant: the
-- catalog_guard trigger refuses every write that is not schemamig's own
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA schemamig TO regress_author_mig;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA schemamig TO regress_author_mig;
SET ROLE regress_author_mig;
UPDATE schemamig.revisions SET registered_by = session_user,
    registered_by_oid = (SELECT oid FROM pg_roles WHERE rolname = session_user)
WHERE revision = 'm1';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
DELETE FROM schemamig.revisions WHERE revision = 'm1';
INSERT INTO schemamig.applied (revision, checksum) VALUES ('m1', 'x');
INSERT INTO schemamig.events (operation, revision) VALUES ('stamp', 'm1');
DELETE FROM schemamig.events;
TRUNCATE schemamig.applied;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- the guard cannot be called directly, nor dropped or disabled (the
-- server's wording of "must be owner" differs between versions)
SELECT schemamig.catalog_guard();
\set VERBOSITY sqlstate
ALTER TABLE schemamig.revisions DISABLE TRIGGER catalog_guard;
DROP TRIGGER catalog_guard ON schemamig.revisions;
SET session_replication_role = replica;
\set VERBOSITY default
RESET ROLE;
-- so the superuser's upgrade refuses to run the migrator's SQL
SELECT revision FROM schemamig.upgrade();
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_author_mig';
SELECT registered_by FROM schemamig.revisions WHERE revision = 'm1';

-- revision SQL runs with no exemption either: a revision of the migrator
-- that writes the catalog (here with the 0.1 grants still held) is refused
SET ROLE regress_author_mig;
SELECT schemamig.forget('m1');
SELECT schemamig.revision('sneaky', 'DELETE FROM schemamig.applied WHERE revision = ''a1'';',
                          revision => 'sneaky');
SELECT revision FROM schemamig.upgrade();
SELECT count(*) AS applied FROM schemamig.applied;
SELECT schemamig.forget('sneaky');
RESET ROLE;

-- Variant of attack 1: copy a body and its matching checksum over a
-- pending revision a superuser registered.  Refused like any write:
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision s1
-- schemamig:down_revision a1
-- schemamig:message superuser's
-- schemamig:upgrade
CREATE TABLE auth.s (id int);
-- schemamig:downgrade
DROP TABLE auth.s;
$s$);
SET ROLE regress_author_mig;
SELECT revision, action FROM schemamig.register(E'-- schemamig:revision m2\n-- schemamig:down_revision s1\n-- schemamig:upgrade\nALTER ROLE regress_author_mig SUPERUSER;\n-- schemamig:downgrade\n');
UPDATE schemamig.revisions s
SET upgrade_sql = m.upgrade_sql, downgrade_sql = m.downgrade_sql, checksum = m.checksum
FROM schemamig.revisions m
WHERE s.revision = 's1' AND m.revision = 'm2';
SELECT schemamig.forget('m2');
RESET ROLE;
-- Whatever changes a body without register() (here a superuser, whom the
-- guard lets through), the runner recomputes the checksum of the SQL it is
-- about to run and refuses a mismatch: the checksum column is not trusted.
UPDATE schemamig.revisions SET upgrade_sql = 'ALTER ROLE regress_author_mig SUPERUSER;'
WHERE revision = 's1';
SELECT revision FROM schemamig.upgrade();
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_author_mig';

-- Attack 2: after an in-place edit of a pending revision's body (kept
-- checksum), re-registering the reviewed script must not report
-- "unchanged" and keep the planted body: it is "replaced" by the script's.
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision s1
-- schemamig:down_revision a1
-- schemamig:message superuser's
-- schemamig:upgrade
CREATE TABLE auth.s (id int);
-- schemamig:downgrade
DROP TABLE auth.s;
$s$);
SELECT upgrade_sql, registered_by = session_user AS by_caller
FROM schemamig.revisions WHERE revision = 's1';
-- the same script again is unchanged now
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision s1
-- schemamig:down_revision a1
-- schemamig:message superuser's
-- schemamig:upgrade
CREATE TABLE auth.s (id int);
-- schemamig:downgrade
DROP TABLE auth.s;
$s$);
SELECT revision FROM schemamig.upgrade();
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_author_mig';

-- Authorship is by role OID: a role dropped and created again under the
-- same name is not the author, for itself or for anyone else.
CREATE ROLE regress_author_tmp;
GRANT USAGE ON SCHEMA schemamig TO regress_author_tmp;
GRANT SELECT ON ALL TABLES IN SCHEMA schemamig TO regress_author_tmp;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA schemamig TO regress_author_tmp;
GRANT USAGE, CREATE ON SCHEMA auth TO regress_author_tmp;
SET ROLE regress_author_tmp;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision t1
-- schemamig:down_revision s1
-- schemamig:message tmp
-- schemamig:upgrade
CREATE TABLE auth.tmp (id int);
-- schemamig:downgrade
DROP TABLE auth.tmp;
$s$);
RESET ROLE;
DROP OWNED BY regress_author_tmp;
DROP ROLE regress_author_tmp;
CREATE ROLE regress_author_tmp;
GRANT USAGE ON SCHEMA schemamig TO regress_author_tmp;
GRANT SELECT ON ALL TABLES IN SCHEMA schemamig TO regress_author_tmp;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA schemamig TO regress_author_tmp;
GRANT USAGE, CREATE ON SCHEMA auth TO regress_author_tmp;
SELECT registered_by FROM schemamig.revisions WHERE revision = 't1';
SET ROLE regress_author_tmp;
SELECT revision FROM schemamig.upgrade();
RESET ROLE;
SELECT revision FROM schemamig.upgrade();
-- a renamed author is refused too (until its revisions are registered again)
ALTER ROLE regress_author_tmp RENAME TO regress_author_tmp2;
UPDATE schemamig.revisions
SET registered_by_oid = 'regress_author_tmp2'::regrole WHERE revision = 't1';
SELECT revision FROM schemamig.upgrade();
ALTER ROLE regress_author_tmp2 RENAME TO regress_author_tmp;
-- the new role reviews the revision and registers it again: its author now
SET ROLE regress_author_tmp;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision t1
-- schemamig:down_revision s1
-- schemamig:message tmp
-- schemamig:upgrade
CREATE TABLE auth.tmp (id int);
-- schemamig:downgrade
DROP TABLE auth.tmp;
$s$);
SELECT revision FROM schemamig.upgrade();
RESET ROLE;
SELECT registered_by, registered_by_oid = 'regress_author_tmp'::regrole AS by_oid
FROM schemamig.revisions WHERE revision = 't1';

-- An applied revision edited in place (checksum kept): check() finds it,
-- and re-registering the reviewed script is refused, saying why
UPDATE schemamig.revisions SET downgrade_sql = 'DROP SCHEMA auth CASCADE;'
WHERE revision = 'a1';
SELECT severity, problem, revision FROM schemamig.check() WHERE severity = 'error';
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision a1
-- schemamig:upgrade
CREATE TABLE auth.t (id int);
-- schemamig:downgrade
DROP TABLE auth.t;
$s$);
UPDATE schemamig.revisions SET downgrade_sql = 'DROP TABLE auth.t;'
WHERE revision = 'a1';
SELECT severity, problem, revision FROM schemamig.check() WHERE severity = 'error';

-- forget() is logged
SET ROLE regress_author_tmp;
SELECT revision FROM schemamig.downgrade('s1');
SELECT schemamig.forget('t1');
RESET ROLE;
SELECT operation, revision, by FROM schemamig.events
WHERE operation = 'forget' ORDER BY id;

-- clean up (as a superuser, whom the guard lets through)
SELECT revision FROM schemamig.downgrade('a1');
SET ROLE regress_author_mig;
SELECT revision FROM schemamig.downgrade('base');
RESET ROLE;
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA auth CASCADE;
DROP OWNED BY regress_author_mig, regress_author_tmp;
DROP ROLE regress_author_mig, regress_author_tmp;
