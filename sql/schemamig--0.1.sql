/* schemamig--0.1.sql: catalog tables and functions of schemamig 0.1 */

\echo Use "CREATE EXTENSION schemamig" to load this file. \quit

/*
 * Refuse a schema "schemamig" that an untrusted role prepared: as its owner
 * it could drop or replace the objects created below.
 */
DO $$
BEGIN
	IF NOT (SELECT r.rolsuper
			FROM pg_catalog.pg_namespace n
			JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
			WHERE n.nspname OPERATOR(pg_catalog.=) 'schemamig') THEN
		RAISE EXCEPTION 'schema "schemamig" is owned by a role that is not a superuser'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Drop that schema, or make a superuser its owner, before CREATE EXTENSION schemamig.';
	END IF;
END
$$;

/*
 * Catalog tables
 *
 * Every write to them happens under the advisory lock
 * pg_advisory_xact_lock(1936549735, 1), taken by the C functions below.
 */

CREATE SEQUENCE schemamig.revisions_seq;
COMMENT ON SEQUENCE schemamig.revisions_seq IS
	'registration order of schemamig.revisions';

CREATE TABLE schemamig.revisions (
	revision		text PRIMARY KEY,
	down_revisions	text[] NOT NULL DEFAULT '{}',
	depends_on		text[] NOT NULL DEFAULT '{}',
	branch_labels	text[] NOT NULL DEFAULT '{}',
	message			text,
	upgrade_sql		text NOT NULL,
	downgrade_sql	text,
	upgrade_line	integer NOT NULL DEFAULT 1,
	downgrade_line	integer,
	checksum		text NOT NULL,
	seq				bigint NOT NULL UNIQUE
		DEFAULT pg_catalog.nextval('schemamig.revisions_seq'),
	registered_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	registered_by	name NOT NULL DEFAULT CURRENT_USER,
	lint_allow		text[] NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE schemamig.revisions IS
	'registered revisions: graph edges, SQL and checksum (downgrade_sql NULL = irreversible)';

CREATE TABLE schemamig.applied (
	revision		text PRIMARY KEY,
	checksum		text NOT NULL,
	applied_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	applied_by		name NOT NULL DEFAULT CURRENT_USER,
	elapsed			interval
);
COMMENT ON TABLE schemamig.applied IS
	'revisions applied to this database, with the checksum they had when applied';

CREATE SEQUENCE schemamig.events_id_seq;
COMMENT ON SEQUENCE schemamig.events_id_seq IS 'ids of schemamig.events';

CREATE TABLE schemamig.events (
	id				bigint PRIMARY KEY
		DEFAULT pg_catalog.nextval('schemamig.events_id_seq'),
	operation		text NOT NULL
		CHECK (operation IN ('upgrade', 'downgrade', 'stamp', 'unstamp')),
	revision		text NOT NULL,
	from_revisions	text[] NOT NULL DEFAULT '{}',
	checksum		text,
	at				timestamptz NOT NULL DEFAULT pg_catalog.now(),
	by				name NOT NULL DEFAULT CURRENT_USER,
	elapsed			interval
);
COMMENT ON TABLE schemamig.events IS
	'log of every upgrade, downgrade and stamp step ever run';

ALTER SEQUENCE schemamig.events_id_seq OWNED BY schemamig.events.id;
ALTER SEQUENCE schemamig.revisions_seq OWNED BY schemamig.revisions.seq;

-- keep the history in pg_dump output
SELECT pg_catalog.pg_extension_config_dump('schemamig.revisions', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.revisions_seq', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.applied', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.events', '');
SELECT pg_catalog.pg_extension_config_dump('schemamig.events_id_seq', '');

/*
 * Registering
 */

CREATE FUNCTION schemamig.register(script text)
RETURNS TABLE (revision text, action text)
AS 'MODULE_PATHNAME', 'schemamig_register'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION schemamig.register(text) IS
	'register the revisions of a script, all or nothing (added, unchanged or replaced)';

CREATE FUNCTION schemamig.revision(message text, upgrade text,
								   downgrade text DEFAULT NULL,
								   down_revision text DEFAULT 'head',
								   revision text DEFAULT NULL,
								   branch_label text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemamig_revision'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION schemamig.revision(text, text, text, text, text, text) IS
	'register one new revision on top of the head (like alembic revision -m), returning its id';

CREATE FUNCTION schemamig.merge(revisions text[] DEFAULT NULL,
								message text DEFAULT NULL,
								revision text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemamig_merge'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION schemamig.merge(text[], text, text) IS
	'register a merge revision over the given heads (default: all heads), returning its id';

CREATE FUNCTION schemamig.forget(revision text)
RETURNS void
AS 'MODULE_PATHNAME', 'schemamig_forget'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION schemamig.forget(text) IS
	'unregister a revision that is not applied and has no children';

/*
 * Running
 */

CREATE FUNCTION schemamig.upgrade(target text DEFAULT 'head')
RETURNS TABLE (revision text, from_revision text, message text,
			   elapsed interval)
AS 'MODULE_PATHNAME', 'schemamig_upgrade'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION schemamig.upgrade(text) IS
	'apply pending revisions up to target, atomically with the caller''s transaction';

CREATE FUNCTION schemamig.downgrade(target text)
RETURNS TABLE (revision text, from_revision text, message text,
			   elapsed interval)
AS 'MODULE_PATHNAME', 'schemamig_downgrade'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION schemamig.downgrade(text) IS
	'run downgrade SQL back to target, atomically with the caller''s transaction';

CREATE FUNCTION schemamig.apply(script text, target text DEFAULT 'head')
RETURNS TABLE (revision text, from_revision text, message text,
			   elapsed interval)
AS 'MODULE_PATHNAME', 'schemamig_apply'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION schemamig.apply(text, text) IS
	'register a script, then upgrade to target, in one call';

CREATE FUNCTION schemamig.stamp(target text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'schemamig_stamp'
LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION schemamig.stamp(text) IS
	'record target as applied without running SQL; returns the new current heads';

CREATE PROCEDURE schemamig.migrate(target text DEFAULT 'head')
AS 'MODULE_PATHNAME', 'schemamig_migrate'
LANGUAGE C;
COMMENT ON PROCEDURE schemamig.migrate(text) IS
	'upgrade to target, committing after each revision (CALL it outside a transaction block)';

/*
 * Reading (never writes; works on a hot standby)
 */

CREATE FUNCTION schemamig.current()
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'schemamig_current'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.current() IS
	'the applied heads (no rows at base)';

CREATE FUNCTION schemamig.heads()
RETURNS TABLE (revision text, message text, branch_labels text[])
AS 'MODULE_PATHNAME', 'schemamig_heads'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.heads() IS
	'the registered revisions that have no children';

CREATE FUNCTION schemamig.status()
RETURNS TABLE (revision text, down_revisions text[], message text,
			   state text, applied_at timestamptz, applied_by name,
			   is_head boolean, is_current boolean)
AS 'MODULE_PATHNAME', 'schemamig_status'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.status() IS
	'one row per registered revision, base first: applied or pending';

CREATE FUNCTION schemamig.history("range" text DEFAULT NULL)
RETURNS TABLE (revision text, down_revisions text[], message text,
			   branch_labels text[], state text, is_head boolean,
			   is_branchpoint boolean, is_mergepoint boolean)
AS 'MODULE_PATHNAME', 'schemamig_history'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.history(text) IS
	'revisions newest first, optionally in an Alembic range (base:head, rev:, :rev, current:)';

CREATE FUNCTION schemamig.show(rev text,
							   OUT revision text,
							   OUT down_revisions text[],
							   OUT depends_on text[],
							   OUT branch_labels text[],
							   OUT message text,
							   OUT state text,
							   OUT upgrade_sql text,
							   OUT downgrade_sql text,
							   OUT checksum text,
							   OUT applied_checksum text,
							   OUT children text[],
							   OUT registered_at timestamptz,
							   OUT registered_by name,
							   OUT applied_at timestamptz,
							   OUT applied_by name)
RETURNS record
AS 'MODULE_PATHNAME', 'schemamig_show'
LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION schemamig.show(text) IS
	'everything registered about one revision: edges, SQL, checksum and state';

CREATE FUNCTION schemamig.check()
RETURNS TABLE (severity text, problem text, revision text, detail text)
AS 'MODULE_PATHNAME', 'schemamig_check'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.check() IS
	'drift report: changed or missing applied revisions, gaps, pending revisions';

CREATE FUNCTION schemamig.upgrade_sql(target text DEFAULT 'head',
									  from_revision text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemamig_upgrade_sql'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.upgrade_sql(text, text) IS
	'the offline upgrade script (like alembic upgrade --sql), runnable by psql';

CREATE FUNCTION schemamig.downgrade_sql(target text,
										from_revision text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemamig_downgrade_sql'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.downgrade_sql(text, text) IS
	'the offline downgrade script (like alembic downgrade --sql), runnable by psql';

/*
 * The linter: never writes, takes no lock that is not free at once.
 */
CREATE FUNCTION schemamig.lint(sql text)
RETURNS TABLE (line integer, rule text, severity text, statement text,
			   message text, hint text)
AS 'MODULE_PATHNAME', 'schemamig_lint'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION schemamig.lint(text) IS
	'lint findings for a script or plain SQL, from the parse trees and this database''s catalog';

CREATE FUNCTION schemamig.lint_revision(revision text)
RETURNS TABLE (line integer, rule text, severity text, statement text,
			   message text, hint text)
AS 'MODULE_PATHNAME', 'schemamig_lint_revision'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION schemamig.lint_revision(text) IS
	'lint findings for a registered revision, lines counted from its revision line';

CREATE FUNCTION schemamig.lint_rules()
RETURNS TABLE (rule text, name text, enabled boolean)
AS 'MODULE_PATHNAME', 'schemamig_lint_rules'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.lint_rules() IS
	'the lint rules, and whether schemamig.lint_ignore leaves them on';

/*
 * Privileges: nothing for PUBLIC.  See README "Privileges" for the GRANTs
 * that make a migration role and a read-only role.
 */
REVOKE ALL ON ALL TABLES IN SCHEMA schemamig FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA schemamig FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA schemamig FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA schemamig FROM PUBLIC;
