/* schemamig--0.1--0.2.sql: what 0.2 changes in the catalog and the SQL interface */

\echo Use "ALTER EXTENSION schemamig UPDATE TO '0.2'" to load this file. \quit

/*
 * Each change below has its own section, named after what it is for.  The
 * history in schemamig.revisions, applied and events is kept as it is.
 */

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
