/* schemamig--0.1--0.2.sql: what 0.2 changes in the catalog and the SQL interface */

\echo Use "ALTER EXTENSION schemamig UPDATE TO '0.2'" to load this file. \quit

/*
 * Each change below has its own section, named after what it is for.  The
 * history in schemamig.revisions, applied and events is kept as it is.
 * The trusted-install grants stay the LAST section: they grant on ALL
 * routines, so every routine must be created before them.
 */

/*
 * Autogenerate (issue 14): describe() snapshots the user schemas as jsonb;
 * diff() writes the register() script that takes this database to such a
 * snapshot.  Both only read.  Readers are granted them explicitly (README
 * "Autogenerate: describe() and diff()"): describe() needs nothing more,
 * diff() also reads schemamig.revisions and schemamig.applied.
 */
CREATE FUNCTION schemamig.describe(schemas text[] DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'schemamig_describe'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.describe(text[]) IS
	'canonical snapshot of the user schemas (or of the schemas named), objects by name, for diff()';

CREATE FUNCTION schemamig.diff(desired jsonb, renames jsonb DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'schemamig_diff'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION schemamig.diff(jsonb, jsonb) IS
	'register() script (revisions chained on the head, with downgrades) taking this database to a describe() snapshot; NULL when nothing differs';

REVOKE ALL ON FUNCTION schemamig.describe(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION schemamig.diff(jsonb, jsonb) FROM PUBLIC;

/*
 * NULL arguments of the running functions: one rule, a clear error.
 * In 0.1 upgrade(), downgrade(), apply() and stamp() were STRICT, so a NULL
 * target silently did nothing, while migrate(NULL) meant head.  Now each is
 * called on NULL input and raises null_value_not_allowed (22004) naming the
 * argument, as migrate() does.
 */
ALTER FUNCTION schemamig.upgrade(text) CALLED ON NULL INPUT;
ALTER FUNCTION schemamig.downgrade(text) CALLED ON NULL INPUT;
ALTER FUNCTION schemamig.apply(text, text) CALLED ON NULL INPUT;
ALTER FUNCTION schemamig.stamp(text) CALLED ON NULL INPUT;

/*
 * Authorship that cannot be forged (issue 12, attacks 1 and 2)
 *
 * 0.1 trusted schemamig.revisions.registered_by, a role name that any role
 * with the documented UPDATE grant could rewrite, to decide whose
 * privileges a revision's SQL may use.  From 0.2:
 *   - the author is also kept by role OID (registered_by_oid), set by
 *     schemamig's C code from the calling role, never from input; a role
 *     dropped and created again under the same name is not the author;
 *   - the catalog tables refuse every write that does not come from
 *     schemamig's own functions (the trigger below), except from
 *     superusers and roles with the privileges of the tables' owner, who
 *     could disable the trigger anyway (and pg_restore runs as one);
 *   - schemamig writes its bookkeeping as the tables' owner, so migration
 *     roles need no write privilege on them, and lose the ones 0.1's README
 *     told to grant (revoked below, with a NOTICE naming the roles).
 */
ALTER TABLE schemamig.revisions ADD COLUMN registered_by_oid oid;
COMMENT ON COLUMN schemamig.revisions.registered_by_oid IS
	'OID of the role that registered the revision (registered_by is its name then); whose privileges the revision''s SQL may use';

-- the authors of revisions registered under 0.1, by the names recorded;
-- a role that no longer exists stays NULL and vouches for nothing
UPDATE schemamig.revisions r
SET registered_by_oid = a.oid
FROM pg_catalog.pg_authid a
WHERE a.rolname OPERATOR(pg_catalog.=) r.registered_by;

CREATE FUNCTION schemamig.catalog_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'schemamig_catalog_guard'
LANGUAGE C;
COMMENT ON FUNCTION schemamig.catalog_guard() IS
	'trigger: refuses writes to schemamig''s catalog tables that do not come from schemamig''s functions';
REVOKE ALL ON FUNCTION schemamig.catalog_guard() FROM PUBLIC;

CREATE TRIGGER catalog_guard
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON schemamig.revisions
	FOR EACH STATEMENT EXECUTE FUNCTION schemamig.catalog_guard();
CREATE TRIGGER catalog_guard
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON schemamig.applied
	FOR EACH STATEMENT EXECUTE FUNCTION schemamig.catalog_guard();
CREATE TRIGGER catalog_guard
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON schemamig.events
	FOR EACH STATEMENT EXECUTE FUNCTION schemamig.catalog_guard();

/*
 * Write privileges on the tables and sequences are now useless to every
 * role but the owner (the trigger refuses the writes) and, on the
 * sequences, harmful (setval() would make registrations collide): revoke
 * them, and say from whom (a WARNING each, so that the one who runs ALTER
 * EXTENSION sees it).  SELECT stays: the reading functions need it.
 */
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT pg_catalog.format('schemamig.%I', c.relname) AS rel, c.relkind,
			   pg_catalog.quote_ident(g.rolname) AS grantee,
			   pg_catalog.string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privs
		FROM pg_catalog.pg_class c
		CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
		JOIN pg_catalog.pg_authid g ON g.oid OPERATOR(pg_catalog.=) a.grantee
		WHERE c.relnamespace OPERATOR(pg_catalog.=) 'schemamig'::pg_catalog.regnamespace
		  AND c.relname OPERATOR(pg_catalog.=) ANY (ARRAY['revisions', 'applied', 'events',
														  'revisions_seq', 'events_id_seq'])
		  AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
		  AND a.privilege_type OPERATOR(pg_catalog.=) ANY (ARRAY['INSERT', 'UPDATE', 'DELETE',
																 'TRUNCATE', 'USAGE'])
		GROUP BY c.relname, c.relkind, g.rolname
		ORDER BY c.relname, g.rolname
	LOOP
		-- a WARNING: CREATE and ALTER EXTENSION hide NOTICEs of the script
		RAISE WARNING 'schemamig 0.2: revoking % on % from role %: schemamig writes its catalog itself now',
			r.privs, r.rel, r.grantee;
		IF r.relkind OPERATOR(pg_catalog.=) 'S' THEN
			EXECUTE pg_catalog.format('REVOKE USAGE, UPDATE ON SEQUENCE %s FROM %s',
									  r.rel, r.grantee);
		ELSE
			EXECUTE pg_catalog.format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE %s FROM %s',
									  r.rel, r.grantee);
		END IF;
	END LOOP;
END
$$;

/*
 * forget() leaves an event (issue 11): 'forget' joins the operations.
 */
ALTER TABLE schemamig.events DROP CONSTRAINT events_operation_check;
ALTER TABLE schemamig.events ADD CONSTRAINT events_operation_check
	CHECK (operation IN ('upgrade', 'downgrade', 'stamp', 'unstamp', 'forget'));

/*
 * adopt(): take over a database another migration tool has migrated
 * (issue 17).  Reads that tool's record of what is applied and stamps it,
 * running no revision SQL; like stamp(), nothing for PUBLIC.
 */
CREATE FUNCTION schemamig.adopt(source text DEFAULT NULL)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'schemamig_adopt'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION schemamig.adopt(text) IS
	'record as applied, without running SQL, what another tool (alembic, flyway, dbmate, goose, golang-migrate, sqitch) records as applied; returns the new current heads';
REVOKE ALL ON FUNCTION schemamig.adopt(text) FROM PUBLIC;

/*
 * Offline scripts run each revision through the server (issue 12, attack 4;
 * issue 11, item 1).  upgrade_sql() and downgrade_sql() hand every revision's
 * statements, each in a dollar quote psql cannot leave, to this procedure:
 * it takes the migration lock, checks that the revision is registered, that
 * its checksum is the script's and matches its registered bodies, that the
 * step is valid now and that the statements are the registered ones, runs
 * them as the runner does and records the step with the runner's writer.
 * Whoever runs offline scripts needs EXECUTE on it (README "Privileges").
 */
CREATE PROCEDURE schemamig.offline_step(operation text, revision text,
										checksum text, statements text[])
AS 'MODULE_PATHNAME', 'schemamig_offline_step'
LANGUAGE C;
COMMENT ON PROCEDURE schemamig.offline_step(text, text, text, text[]) IS
	'one step of an offline script: checks the registered revision and its statements, runs them as upgrade()/downgrade() do, records the step';
REVOKE ALL ON PROCEDURE schemamig.offline_step(text, text, text, text[]) FROM PUBLIC;

-- ==== issue 18: non-transactional revisions ====
/*
 * A revision may declare "-- schemamig:transaction off": each statement of
 * it is a step of its own, committed on its own, and the statements that
 * cannot run in a transaction block (CREATE INDEX CONCURRENTLY and its
 * kind) run in a background worker as top-level commands.  Only the
 * procedures run such revisions: migrate() and migrate_down().
 */
ALTER TABLE schemamig.revisions
	ADD COLUMN transactional boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN schemamig.revisions.transactional IS
	'false for a revision with "-- schemamig:transaction off": one committed step per statement, run only by migrate() / migrate_down()';

/*
 * Where a revision without a transaction is: the statements of its section
 * finished so far (each committed on its own), and, while one of them runs
 * in a background worker, the lease: the statement and the backend running
 * it.  Writers that see a live lease fail at once; migrate() waits for it;
 * a lease whose backend is gone is stale, and the next run resumes.
 */
CREATE TABLE schemamig.partial (
	revision		text PRIMARY KEY,
	operation		text NOT NULL CHECK (operation IN ('upgrade', 'downgrade')),
	checksum		text NOT NULL,
	done			integer NOT NULL,
	statements		integer NOT NULL,
	started_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	running			integer,
	pid				integer,
	lease_at		timestamptz,
	stopped_at		timestamptz,
	last_error		text
);
COMMENT ON TABLE schemamig.partial IS
	'revisions without a transaction that are partly run: statements done, the lease of the one running (running, pid), why it last stopped';
SELECT pg_catalog.pg_extension_config_dump('schemamig.partial', '');
CREATE TRIGGER catalog_guard
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON schemamig.partial
	FOR EACH STATEMENT EXECUTE FUNCTION schemamig.catalog_guard();

CREATE PROCEDURE schemamig.migrate_down(target text)
AS 'MODULE_PATHNAME', 'schemamig_migrate_down'
LANGUAGE C;
COMMENT ON PROCEDURE schemamig.migrate_down(text) IS
	'downgrade to target, committing after each revision (and after each statement of a revision without a transaction); CALL it outside a transaction block';
REVOKE ALL ON PROCEDURE schemamig.migrate_down(text) FROM PUBLIC;
COMMENT ON FUNCTION schemamig.status() IS
	'one row per registered revision, base first: applied, pending or partial (a revision without a transaction, partly run; check() says how far)';

-- ==== issue 18: offline scripts of revisions without a transaction ====
/*
 * upgrade_sql() / downgrade_sql() render a revision that says
 * "-- schemamig:transaction off" outside BEGIN ... COMMIT, one statement at
 * a time, for psql in autocommit mode: offline_nontx_step() checks the
 * statement and either runs and records it, or (CREATE INDEX CONCURRENTLY
 * and its kind) takes migrate()'s lease and hands it back, with the
 * offline_nontx_done() call that records it, for psql's \gexec.  Whoever
 * runs offline scripts needs EXECUTE on both (README "Privileges").
 */
CREATE FUNCTION schemamig.offline_nontx_step(operation text, revision text,
											 checksum text, statement integer,
											 sql text)
RETURNS SETOF text
AS 'MODULE_PATHNAME', 'schemamig_offline_nontx_step'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION schemamig.offline_nontx_step(text, text, text, integer, text) IS
	'one statement of a revision without a transaction in an offline script: runs and records it, or takes the lease and returns it and the call that records it, for psql''s \gexec';
REVOKE ALL ON FUNCTION schemamig.offline_nontx_step(text, text, text, integer, text) FROM PUBLIC;

CREATE PROCEDURE schemamig.offline_nontx_done(operation text, revision text,
											  checksum text, statement integer)
AS 'MODULE_PATHNAME', 'schemamig_offline_nontx_done'
LANGUAGE C;
COMMENT ON PROCEDURE schemamig.offline_nontx_done(text, text, text, integer) IS
	'records that the statement offline_nontx_step() handed to psql ran (the lease must be this session''s)';
REVOKE ALL ON PROCEDURE schemamig.offline_nontx_done(text, text, text, integer) FROM PUBLIC;

-- ==== issue 15: drift ====
/*
 * Drift detection: the schema state that schemamig's own runs leave is
 * recorded (one row: the latest describe() snapshot, as json text), and
 * drift() compares the live schema with it.  The optional
 * DDL audit records who changed what outside schemamig; its event
 * triggers are created here DISABLED and only enable_ddl_audit() (a
 * superuser) turns them on, so DROP EXTENSION and ALTER EXTENSION UPDATE
 * find them as members and drop or keep them with the rest.
 */
CREATE TABLE schemamig.schema_snapshot (
	id				integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
	taken_at		timestamptz NOT NULL,
	taken_by		text NOT NULL,
	heads			text[] NOT NULL,
	server_version_num integer NOT NULL,
	pending			boolean NOT NULL DEFAULT false,
	snapshot		json NOT NULL
);
COMMENT ON TABLE schemamig.schema_snapshot IS
	'the schema state schemamig''s last run, stamp or adopt left (its describe() snapshot); pending: a migrate() did not finish';

CREATE TABLE schemamig.ddl_audit (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at				timestamptz NOT NULL,
	role			name NOT NULL,
	event			text NOT NULL CHECK (event IN ('ddl_command_end', 'sql_drop')),
	command_tag		text NOT NULL,
	object_type		text,
	object_identity	text,
	statement_md5	text,
	statement_head	text
);
COMMENT ON TABLE schemamig.ddl_audit IS
	'DDL made outside schemamig while the audit was on: role, time, command tag, object; the statement only as an md5 and its first line, literals redacted';

CREATE TRIGGER catalog_guard
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON schemamig.schema_snapshot
	FOR EACH STATEMENT EXECUTE FUNCTION schemamig.catalog_guard();
CREATE TRIGGER catalog_guard
	BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON schemamig.ddl_audit
	FOR EACH STATEMENT EXECUTE FUNCTION schemamig.catalog_guard();

CREATE FUNCTION schemamig.drift()
RETURNS TABLE (object_kind text, object_name text, change text, detail text,
			   changed_by name, changed_at timestamptz)
AS 'MODULE_PATHNAME', 'schemamig_drift'
LANGUAGE C STABLE;
COMMENT ON FUNCTION schemamig.drift() IS
	'objects that differ from what schemamig''s runs left (added, dropped, altered), with who and when when the DDL audit saw it';

CREATE FUNCTION schemamig.adopt_drift(message text)
RETURNS text
AS 'MODULE_PATHNAME', 'schemamig_adopt_drift'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION schemamig.adopt_drift(text) IS
	'registers a revision whose upgrade is the drift and whose downgrade undoes it, records it applied; returns its script (NULL: no drift)';

CREATE FUNCTION schemamig.ddl_audit_trigger()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'schemamig_ddl_audit_trigger'
LANGUAGE C;
COMMENT ON FUNCTION schemamig.ddl_audit_trigger() IS
	'event trigger of the DDL audit: records DDL made outside schemamig; never raises';

CREATE EVENT TRIGGER schemamig_ddl_audit_end ON ddl_command_end
	EXECUTE FUNCTION schemamig.ddl_audit_trigger();
ALTER EVENT TRIGGER schemamig_ddl_audit_end DISABLE;
CREATE EVENT TRIGGER schemamig_ddl_audit_drop ON sql_drop
	EXECUTE FUNCTION schemamig.ddl_audit_trigger();
ALTER EVENT TRIGGER schemamig_ddl_audit_drop DISABLE;

CREATE FUNCTION schemamig.enable_ddl_audit()
RETURNS void
AS 'MODULE_PATHNAME', 'schemamig_enable_ddl_audit'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION schemamig.enable_ddl_audit() IS
	'turns the DDL audit on (superuser only)';

CREATE FUNCTION schemamig.disable_ddl_audit()
RETURNS void
AS 'MODULE_PATHNAME', 'schemamig_disable_ddl_audit'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION schemamig.disable_ddl_audit() IS
	'turns the DDL audit off (superuser only)';

REVOKE ALL ON FUNCTION schemamig.drift() FROM PUBLIC;
REVOKE ALL ON FUNCTION schemamig.adopt_drift(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION schemamig.ddl_audit_trigger() FROM PUBLIC;
REVOKE ALL ON FUNCTION schemamig.enable_ddl_audit() FROM PUBLIC;
REVOKE ALL ON FUNCTION schemamig.disable_ddl_audit() FROM PUBLIC;

/*
 * Offline scripts bring the record up to date too: each step marks it
 * pending, and the script's last statement (in the transaction of its last
 * step when it has one) writes it.  Whoever runs offline scripts needs
 * EXECUTE on it, as on offline_step().
 */
CREATE PROCEDURE schemamig.offline_record(operation text)
AS 'MODULE_PATHNAME', 'schemamig_offline_record'
LANGUAGE C;
COMMENT ON PROCEDURE schemamig.offline_record(text) IS
	'the end of an offline script: records the schema its steps left as the state schemamig left (drift())';
REVOKE ALL ON PROCEDURE schemamig.offline_record(text) FROM PUBLIC;

/*
 * Trusted install: the installer's rights (README "Installing as a database
 * owner").
 *
 * schemamig.control says trusted = true: a role with CREATE on the database
 * may run CREATE EXTENSION schemamig, the scripts run as the bootstrap
 * superuser, and every object is owned by that superuser.  The role that
 * installed the extension (the extension's owner, substituted by CREATE
 * EXTENSION below as a quoted identifier, only ever in the role position of
 * a GRANT) gets what it needs to use schemamig and to hand it on, and
 * nothing that runs code as the tables' owner: no TRIGGER, REFERENCES,
 * TRUNCATE, no CREATE on the schema, and no write privilege on the catalog
 * tables (catalog writes are the functions' job).  When a superuser
 * installed the extension these grants are to that superuser and change
 * nothing.
 */
GRANT USAGE ON SCHEMA schemamig TO @extowner@ WITH GRANT OPTION;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA schemamig TO @extowner@ WITH GRANT OPTION;
GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA schemamig TO @extowner@ WITH GRANT OPTION;
GRANT SELECT ON ALL TABLES IN SCHEMA schemamig TO @extowner@ WITH GRANT OPTION;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA schemamig TO @extowner@ WITH GRANT OPTION;
