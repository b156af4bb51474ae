/* schemamig--0.1--0.2.sql: what 0.2 changes in the catalog and the SQL interface */

\echo Use "ALTER EXTENSION schemamig UPDATE TO '0.2'" to load this file. \quit

/*
 * Each change below has its own section, named after what it is for.  The
 * history in schemamig.revisions, applied and events is kept as it is.
 */

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
