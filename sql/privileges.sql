--
-- privileges: nothing for PUBLIC; the README's GRANT recipes make a
-- migration role and a read-only role; internal queries cannot be
-- hijacked through search_path.
--

-- PUBLIC can execute no function and touch no table of the extension
SELECT p.proname FROM pg_proc p
WHERE p.pronamespace = 'schemamig'::regnamespace
  AND (p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0))
ORDER BY 1;
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = 'schemamig'::regnamespace AND c.relkind IN ('r', 'S')
  AND (c.relacl IS NULL OR EXISTS (SELECT FROM aclexplode(c.relacl) a WHERE a.grantee = 0))
ORDER BY 1;
-- no function is SECURITY DEFINER
SELECT count(*) AS definer FROM pg_proc
WHERE pronamespace = 'schemamig'::regnamespace AND prosecdef;
-- every catalog table refuses writes that are not schemamig's own
SELECT tgrelid::regclass AS "table", tgname, tgenabled
FROM pg_trigger WHERE tgfoid = 'schemamig.catalog_guard'::regproc
ORDER BY 1;

CREATE ROLE regress_migrator;
CREATE ROLE regress_reader;
CREATE ROLE regress_nobody;
CREATE SCHEMA priv AUTHORIZATION regress_migrator;

-- the migration role (README, "Privileges")
GRANT USAGE ON SCHEMA schemamig TO regress_migrator;
-- (no write privilege on the tables: schemamig writes them itself)
GRANT SELECT ON ALL TABLES IN SCHEMA schemamig TO regress_migrator;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA schemamig TO regress_migrator;

-- the read-only role
GRANT USAGE ON SCHEMA schemamig TO regress_reader;
GRANT SELECT ON schemamig.revisions, schemamig.applied TO regress_reader;
GRANT EXECUTE ON FUNCTION schemamig.current(), schemamig.heads(),
    schemamig.status(), schemamig.history(text), schemamig.show(text),
    schemamig.check(), schemamig.upgrade_sql(text, text),
    schemamig.downgrade_sql(text, text) TO regress_reader;

SET ROLE regress_migrator;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision p1
-- schemamig:upgrade
CREATE TABLE priv.t (id int);
-- schemamig:downgrade
DROP TABLE priv.t;
$s$);
SELECT revision FROM schemamig.upgrade();
SELECT tableowner FROM pg_tables WHERE schemaname = 'priv';
SELECT applied_by FROM schemamig.status();
RESET ROLE;

SET ROLE regress_reader;
SELECT revision, state FROM schemamig.status();
SELECT * FROM schemamig.current();
SELECT * FROM schemamig.check();
SELECT revision FROM schemamig.upgrade();
SELECT * FROM schemamig.register('-- schemamig:revision p2
-- schemamig:upgrade');
SELECT * FROM schemamig.stamp('base');
RESET ROLE;

-- The reading functions read the tables straight from the heap only when
-- the caller may read them whole and no row-level security policy applies;
-- otherwise they run a query, so column privileges and policies hold as for
-- any query.  A policy hiding every row hides every revision:
ALTER TABLE schemamig.revisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY regress_none ON schemamig.revisions FOR SELECT
    TO regress_reader USING (false);
SET ROLE regress_reader;
SELECT revision, state FROM schemamig.status();
RESET ROLE;
SELECT revision, state FROM schemamig.status();
DROP POLICY regress_none ON schemamig.revisions;
ALTER TABLE schemamig.revisions DISABLE ROW LEVEL SECURITY;
-- SELECT on the columns status() needs (not the SQL) is enough
GRANT USAGE ON SCHEMA schemamig TO regress_nobody;
GRANT EXECUTE ON FUNCTION schemamig.status() TO regress_nobody;
GRANT SELECT ON schemamig.applied TO regress_nobody;
SET ROLE regress_nobody;
SELECT revision, state FROM schemamig.status();
RESET ROLE;
GRANT SELECT (revision, down_revisions, depends_on, branch_labels, message,
    downgrade_sql, checksum, seq, upgrade_line, downgrade_line, registered_by,
    lint_allow, registered_by_oid, transactional) ON schemamig.revisions TO regress_nobody;
SET ROLE regress_nobody;
SELECT revision, state FROM schemamig.status();
RESET ROLE;
REVOKE ALL ON schemamig.revisions, schemamig.applied FROM regress_nobody;
REVOKE ALL ON FUNCTION schemamig.status() FROM regress_nobody;
REVOKE ALL ON SCHEMA schemamig FROM regress_nobody;

-- S4: SQL registered by a weaker role never runs with more rights
SET ROLE regress_migrator;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision p_escalate
-- schemamig:down_revision p1
-- schemamig:upgrade
ALTER ROLE regress_migrator SUPERUSER;
$s$);
RESET ROLE;
SELECT revision FROM schemamig.upgrade();
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_migrator';
-- run by its author, it has the author's rights only: the server refuses
-- the ALTER ROLE (insufficient_privilege; its wording changed in
-- PostgreSQL 16, so print the error class and schemamig's context line)
SET ROLE regress_migrator;
DO $$
DECLARE
	ctx text;
BEGIN
	PERFORM schemamig.upgrade();
	RAISE NOTICE 'upgrade() succeeded';
EXCEPTION WHEN insufficient_privilege THEN
	GET STACKED DIAGNOSTICS ctx = PG_EXCEPTION_CONTEXT;
	RAISE NOTICE 'refused: insufficient_privilege, in %',
		substring(ctx FROM 'revision "p_escalate" [^\n]*');
END
$$;
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_migrator';
SELECT schemamig.forget('p_escalate');
-- a revision the superuser reviewed and registered again (same content:
-- unchanged) is the superuser's, so the superuser may run it
SET ROLE regress_migrator;
SELECT schemamig.revision('harmless', 'CREATE TABLE priv.h (id int);',
                          'DROP TABLE priv.h;', revision => 'p_harmless');
RESET ROLE;
SELECT revision FROM schemamig.upgrade();
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision p_harmless
-- schemamig:down_revision p1
-- schemamig:message harmless
-- schemamig:upgrade
CREATE TABLE priv.h (id int);
-- schemamig:downgrade
DROP TABLE priv.h;
$s$);
SELECT registered_by FROM schemamig.revisions WHERE revision = 'p_harmless';
SELECT revision FROM schemamig.upgrade();
SELECT revision FROM schemamig.downgrade('p1');
SELECT schemamig.forget('p_harmless');
-- (an author role that no longer exists vouches for nothing, and who
-- registered a revision cannot be forged: sql/authorship.sql)

SET ROLE regress_nobody;
SELECT * FROM schemamig.status();
SELECT revision FROM schemamig.downgrade('base');
SELECT * FROM schemamig.revisions;
RESET ROLE;

-- search_path hijack: decoy operators and functions that record calls
CREATE SCHEMA evil;
CREATE TABLE evil.calls (what text);
CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE sql
AS $$ INSERT INTO evil.calls VALUES ('=') RETURNING true $$;
CREATE OPERATOR evil.= (leftarg = text, rightarg = text, function = evil.texteq);
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql
AS $$ INSERT INTO evil.calls VALUES ('now') RETURNING pg_catalog.now() $$;
CREATE FUNCTION evil.count(anyelement) RETURNS bigint LANGUAGE sql
AS $$ INSERT INTO evil.calls VALUES ('count') RETURNING 0::bigint $$;
SET search_path = evil, pg_catalog, public;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision p2
-- schemamig:down_revision p1
-- schemamig:upgrade
CREATE TABLE priv.t2 (id int);
-- schemamig:downgrade
DROP TABLE priv.t2;
$s$);
SELECT revision FROM schemamig.upgrade();
SELECT * FROM schemamig.stamp('p1');
SELECT * FROM schemamig.stamp('p2');
SELECT revision FROM schemamig.downgrade('p1');
SELECT count(*) FROM schemamig.status();
SELECT count(*) FROM schemamig.history();
SELECT count(*) FROM schemamig.check();
SELECT revision FROM schemamig.show('p2');
SELECT length(schemamig.downgrade_sql('base')) > 0 AS offline;
SELECT schemamig.forget('p2');
RESET search_path;
SELECT count(*) AS decoy_calls FROM evil.calls;

-- hostile install states are refused: a schema "schemamig" prepared by an
-- untrusted role, and a pre-created object of the extension
SELECT current_database() AS regress_db \gset
CREATE DATABASE regress_schemamig_s2;
\c regress_schemamig_s2
CREATE ROLE regress_hacker;
CREATE SCHEMA schemamig AUTHORIZATION regress_hacker;
-- no CONTEXT lines: PostgreSQL 18 adds the script's statement and line
\set SHOW_CONTEXT never
CREATE EXTENSION schemamig;
DROP SCHEMA schemamig;
CREATE SCHEMA schemamig;
CREATE FUNCTION schemamig.status() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE EXTENSION schemamig;
\set SHOW_CONTEXT errors
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'schemamig';
-- the control file: superuser = true, trusted (a database owner may install
-- it: sql/trusted.sql), not relocatable
SELECT DISTINCT superuser, trusted, relocatable FROM pg_available_extension_versions
WHERE name = 'schemamig';
\c :regress_db
DROP DATABASE regress_schemamig_s2;
DROP ROLE regress_hacker;

-- clean up: p1 is the migrator's, so the migrator takes it down
SET ROLE regress_migrator;
SELECT count(*) FROM schemamig.downgrade('base');
RESET ROLE;
TRUNCATE schemamig.revisions, schemamig.applied, schemamig.events;
DROP SCHEMA evil CASCADE;
DROP SCHEMA priv CASCADE;
REVOKE ALL ON ALL TABLES IN SCHEMA schemamig FROM regress_migrator, regress_reader;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA schemamig FROM regress_migrator;
REVOKE ALL ON ALL ROUTINES IN SCHEMA schemamig FROM regress_migrator, regress_reader;
REVOKE ALL ON SCHEMA schemamig FROM regress_migrator, regress_reader;
DROP ROLE regress_migrator, regress_reader, regress_nobody;
