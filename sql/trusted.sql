--
-- trusted: a database owner who is not a superuser installs schemamig
-- (trusted = true), uses it, and cannot use it to gain anything: hostile
-- schema states are refused, search_path decoys are never called, the
-- installer can change nothing that runs as the objects' owner, and no role
-- becomes superuser (README "Installing as a database owner").
--
SELECT current_database() AS regress_db \gset
-- no CONTEXT lines: PostgreSQL 18 adds the extension script's line to them
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE ROLE regress_dbowner;
CREATE ROLE regress_friend;
CREATE DATABASE regress_schemamig_trusted OWNER regress_dbowner;
\c regress_schemamig_trusted
SET client_min_messages = warning;
-- the version that CREATE EXTENSION installs is trusted; what the role is
SELECT DISTINCT superuser, trusted FROM pg_available_extension_versions
WHERE name = 'schemamig' AND version = '0.2';
SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'regress_dbowner';

SET ROLE regress_dbowner;

-- 1. hostile schema states, each refused
-- a schema "schemamig" the installer made earlier
CREATE SCHEMA schemamig;
CREATE EXTENSION schemamig;
DROP SCHEMA schemamig;
-- made in the same transaction, with a pre-created object of the extension
BEGIN;
CREATE SCHEMA schemamig;
CREATE FUNCTION schemamig.status() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE EXTENSION schemamig;
ROLLBACK;
-- ... with a table and a trigger waiting for the catalog's name
BEGIN;
CREATE SCHEMA schemamig;
CREATE TABLE schemamig.applied (revision text);
CREATE EXTENSION schemamig;
ROLLBACK;
-- ... with a privilege for another role
BEGIN;
CREATE SCHEMA schemamig;
GRANT CREATE ON SCHEMA schemamig TO regress_friend;
CREATE EXTENSION schemamig;
ROLLBACK;
-- ... with default privileges
BEGIN;
CREATE SCHEMA schemamig;
ALTER DEFAULT PRIVILEGES IN SCHEMA schemamig GRANT ALL ON TABLES TO regress_friend;
CREATE EXTENSION schemamig;
ROLLBACK;
-- CREATE EXTENSION in a savepoint cannot tell its schema from an older one
BEGIN;
SAVEPOINT s;
CREATE EXTENSION schemamig;
ROLLBACK;
-- version 0.1 keeps its own check: the installer's schema is refused
CREATE EXTENSION schemamig VERSION '0.1';
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'schemamig';
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'schemamig';

-- 2. search_path decoys for everything the install script and the C code
-- call; each records its call and, when a superuser calls it, makes the
-- installer a superuser
CREATE TABLE public.calls (what text, by_role name);
GRANT INSERT ON public.calls TO PUBLIC;
CREATE FUNCTION public.trap(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.calls VALUES (what, current_user);
	IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r
		WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
		ALTER ROLE regress_dbowner SUPERUSER;
	END IF;
END
$$;
CREATE FUNCTION public.eq_text(text, text) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('= text'); RETURN pg_catalog.texteq($1, $2); END $$;
CREATE OPERATOR public.= (leftarg = text, rightarg = text, function = public.eq_text);
CREATE FUNCTION public.eq_name(name, name) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('= name'); RETURN pg_catalog.nameeq($1, $2); END $$;
CREATE OPERATOR public.= (leftarg = name, rightarg = name, function = public.eq_name);
CREATE FUNCTION public.eq_oid(oid, oid) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('= oid'); RETURN pg_catalog.oideq($1, $2); END $$;
CREATE OPERATOR public.= (leftarg = oid, rightarg = oid, function = public.eq_oid);
CREATE FUNCTION public.cat(text, text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('||'); RETURN pg_catalog.textcat($1, $2); END $$;
CREATE OPERATOR public.|| (leftarg = text, rightarg = text, function = public.cat);
CREATE FUNCTION public.nextval(regclass) RETURNS bigint LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('nextval'); RETURN 0; END $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('now'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION public.age(xid) RETURNS integer LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('age'); RETURN 0; END $$;
CREATE FUNCTION public.format(text, name) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('format'); RETURN $1; END $$;
CREATE FUNCTION public.pg_extension_config_dump(regclass, text) RETURNS void
LANGUAGE plpgsql AS $$ BEGIN PERFORM public.trap('config_dump'); END $$;
CREATE FUNCTION public.count(anyelement) RETURNS bigint LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('count'); RETURN 0; END $$;
CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('current_setting'); RETURN ''; END $$;
CREATE FUNCTION public.array_agg(anynonarray) RETURNS anyarray LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('array_agg'); RETURN NULL; END $$;
-- types in pg_temp come first for unqualified type names, whatever
-- search_path says (kept until the end of section 6: superuser calls too)
CREATE TYPE pg_temp.text AS (decoy int);
CREATE TYPE pg_temp.name AS (decoy int);
CREATE TYPE pg_temp.int8 AS (decoy int);
CREATE TYPE pg_temp.int4 AS (decoy int);
CREATE TYPE pg_temp.timestamptz AS (decoy int);
CREATE TYPE pg_temp.interval AS (decoy int);
SET search_path = public, pg_catalog;

-- 3. the database owner installs it
CREATE EXTENSION schemamig;
SELECT e.extowner::regrole AS extension_owner, r.rolsuper AS schema_owner_is_superuser
FROM pg_extension e, pg_namespace n JOIN pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
WHERE e.extname OPERATOR(pg_catalog.=) 'schemamig' AND n.nspname OPERATOR(pg_catalog.=) 'schemamig';
-- every member belongs to a superuser, none to the installer
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 AS has_members,
       pg_catalog.count(*) FILTER (WHERE NOT o.super) AS not_superuser_owned
FROM pg_depend d
JOIN LATERAL (
	SELECT r.rolsuper AS super FROM pg_class c JOIN pg_roles r ON r.oid OPERATOR(pg_catalog.=) c.relowner
	WHERE d.classid OPERATOR(pg_catalog.=) 'pg_class'::regclass AND c.oid OPERATOR(pg_catalog.=) d.objid
	UNION ALL
	SELECT r.rolsuper FROM pg_proc p JOIN pg_roles r ON r.oid OPERATOR(pg_catalog.=) p.proowner
	WHERE d.classid OPERATOR(pg_catalog.=) 'pg_proc'::regclass AND p.oid OPERATOR(pg_catalog.=) d.objid
	UNION ALL
	SELECT r.rolsuper FROM pg_type t JOIN pg_roles r ON r.oid OPERATOR(pg_catalog.=) t.typowner
	WHERE d.classid OPERATOR(pg_catalog.=) 'pg_type'::regclass AND t.oid OPERATOR(pg_catalog.=) d.objid
) o ON true
WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_extension'::regclass AND d.deptype OPERATOR(pg_catalog.=) 'e'
  AND d.refobjid OPERATOR(pg_catalog.=) (SELECT oid FROM pg_extension WHERE extname OPERATOR(pg_catalog.=) 'schemamig');

-- the installer's rights: use and hand on, nothing that runs as the owner
SELECT c.relname,
       has_table_privilege(c.oid, 'SELECT WITH GRANT OPTION') AS sel,
       has_table_privilege(c.oid, 'INSERT') AS ins,
       has_table_privilege(c.oid, 'UPDATE') AS upd,
       has_table_privilege(c.oid, 'DELETE') AS del,
       has_table_privilege(c.oid, 'TRUNCATE') AS trunc,
       has_table_privilege(c.oid, 'REFERENCES') AS refs,
       has_table_privilege(c.oid, 'TRIGGER') AS trig
FROM pg_class c
WHERE c.relnamespace OPERATOR(pg_catalog.=) 'schemamig'::regnamespace
  AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,S}')
ORDER BY 1;
SELECT has_schema_privilege('schemamig', 'USAGE WITH GRANT OPTION') AS usage,
       has_schema_privilege('schemamig', 'CREATE') AS "create";
SELECT pg_catalog.count(*) FILTER (WHERE has_function_privilege(p.oid, 'EXECUTE WITH GRANT OPTION'))
         OPERATOR(pg_catalog.=) pg_catalog.count(*) AS all_executable,
       pg_catalog.count(*) OPERATOR(pg_catalog.>) 20 AS routines
FROM pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) 'schemamig'::regnamespace;
-- and nothing for PUBLIC
SELECT pg_catalog.count(*) AS public_grants
FROM pg_class c, pg_catalog.aclexplode(c.relacl) a
WHERE c.relnamespace OPERATOR(pg_catalog.=) 'schemamig'::regnamespace
  AND a.grantee OPERATOR(pg_catalog.=) 0;

-- 4. what the installer cannot do with the objects the superuser owns
\set VERBOSITY terse
CREATE FUNCTION public.stamp_trigger() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.trap('trigger'); RETURN NEW; END $$;
CREATE TRIGGER t BEFORE INSERT ON schemamig.applied
	FOR EACH ROW EXECUTE FUNCTION public.stamp_trigger();
CREATE TRIGGER t BEFORE INSERT ON schemamig.revisions
	FOR EACH ROW EXECUTE FUNCTION public.stamp_trigger();
CREATE FUNCTION schemamig.decoy() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER SCHEMA schemamig RENAME TO schemamig_old;
ALTER TABLE schemamig.revisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON schemamig.events USING (true);
ALTER TABLE schemamig.events ALTER COLUMN by SET DEFAULT 'postgres';
CREATE RULE r AS ON INSERT TO schemamig.events DO ALSO SELECT public.trap('rule');
ALTER FUNCTION schemamig.status() SECURITY DEFINER;
ALTER FUNCTION schemamig.status() SET search_path = public;
ALTER EXTENSION schemamig DROP TABLE schemamig.applied;
ALTER EXTENSION schemamig SET SCHEMA public;
DROP TABLE schemamig.events;
ALTER SEQUENCE schemamig.events_id_seq RESTART;
GRANT INSERT ON schemamig.revisions TO regress_dbowner;
DO $$
BEGIN
	PERFORM pg_catalog.set_config('schemamig.debug_skip_lock', 'on', false);
	RAISE WARNING 'debug_skip_lock: set';
EXCEPTION WHEN OTHERS THEN
	RAISE WARNING 'debug_skip_lock: refused';
END
$$;
\set VERBOSITY default

-- 5. the installer uses it with nothing but its own rights (schemamig
-- writes its catalog as the tables' owner)
SET search_path = public, pg_catalog;
SELECT revision, action FROM schemamig.register($s$
-- schemamig:revision t1
-- schemamig:upgrade
CREATE TABLE public.app (id int);
-- schemamig:downgrade
DROP TABLE public.app;

-- schemamig:revision t2
-- schemamig:down_revision t1
-- schemamig:upgrade
ALTER TABLE public.app ADD COLUMN note text;
-- schemamig:downgrade
ALTER TABLE public.app DROP COLUMN note;
$s$);
SELECT revision FROM schemamig.upgrade('t1');
RESET search_path;
CALL schemamig.migrate();
SET search_path = public, pg_catalog;
SELECT revision, state FROM schemamig.status();
SELECT pg_catalog.count(*) AS app_columns FROM pg_attribute
WHERE attrelid OPERATOR(pg_catalog.=) 'public.app'::regclass AND attnum OPERATOR(pg_catalog.>) 0;
-- handing on: a read-only friend
GRANT SELECT ON schemamig.revisions, schemamig.applied TO regress_friend;
GRANT USAGE ON SCHEMA schemamig TO regress_friend;
GRANT EXECUTE ON FUNCTION schemamig.status() TO regress_friend;
SET ROLE regress_friend;
SELECT pg_catalog.count(*) AS friend_sees FROM schemamig.status();
RESET ROLE;

-- 6. a superuser uses it in that database, with the decoys first on its
-- search_path: nothing of the installer's runs as the superuser
SET search_path = public, pg_catalog;
SELECT revision FROM schemamig.downgrade('t1');
SELECT revision FROM schemamig.upgrade();
SELECT * FROM schemamig.stamp('t1');
SELECT * FROM schemamig.stamp('t2');
SELECT revision, state FROM schemamig.status();
SELECT pg_catalog.count(*) FROM schemamig.history();
SELECT pg_catalog.count(*) FROM schemamig.check();
SELECT pg_catalog.length(schemamig.upgrade_sql('head', 'base')) OPERATOR(pg_catalog.>) 0 AS offline;
RESET search_path;
DISCARD TEMP;
SELECT what, count(*) FROM public.calls GROUP BY what ORDER BY what;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_dbowner';

-- 7. a fresh session: a placeholder value of the superuser-only setting,
-- set before the library is loaded, is not taken
\c regress_schemamig_trusted
SET client_min_messages = error;
SET ROLE regress_dbowner;
SET schemamig.debug_skip_lock = on;
SELECT pg_catalog.count(*) FROM schemamig.current();
SELECT coalesce(current_setting('schemamig.debug_skip_lock', true), 'off') AS debug_skip_lock;
RESET ROLE;

-- 8. the installer may drop it (it owns the extension) and install it again:
-- the schema stays the superuser's and is taken as it is
SET ROLE regress_dbowner;
DROP EXTENSION schemamig;
SELECT r.rolsuper AS schema_owner_is_superuser FROM pg_namespace n
JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'schemamig';
CREATE EXTENSION schemamig;
SELECT pg_catalog.count(*) FROM schemamig.status();
-- the update path: into the superuser's schema 0.1 installs (granting the
-- installer nothing; the schema is no member of the extension and keeps the
-- USAGE granted before), and ALTER EXTENSION UPDATE, run as the bootstrap
-- superuser for the extension's owner, ends with the rights of a fresh 0.2
DROP EXTENSION schemamig;
CREATE EXTENSION schemamig VERSION '0.1';
SELECT has_schema_privilege('schemamig', 'USAGE') AS usage_on_0_1;
ALTER EXTENSION schemamig UPDATE;
SELECT extversion, extowner::regrole AS extension_owner FROM pg_extension
WHERE extname = 'schemamig';
SELECT has_schema_privilege('schemamig', 'USAGE WITH GRANT OPTION') AS usage,
       has_schema_privilege('schemamig', 'CREATE') AS "create",
       has_table_privilege('schemamig.revisions', 'SELECT WITH GRANT OPTION') AS sel,
       has_table_privilege('schemamig.revisions', 'INSERT') AS ins,
       has_table_privilege('schemamig.revisions', 'TRIGGER') AS trig,
       has_function_privilege('schemamig.upgrade(text)', 'EXECUTE WITH GRANT OPTION') AS exec;
SELECT pg_catalog.count(*) FROM schemamig.status();
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_dbowner';

\c :regress_db
SET client_min_messages = warning;
DROP DATABASE regress_schemamig_trusted;
DROP ROLE regress_dbowner;
DROP ROLE regress_friend;
