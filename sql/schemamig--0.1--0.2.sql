/* schemamig--0.1--0.2.sql: what 0.2 changes in the catalog and the SQL interface */

\echo Use "ALTER EXTENSION schemamig UPDATE TO '0.2'" to load this file. \quit

/*
 * Each change below has its own section, named after what it is for.  The
 * history in schemamig.revisions, applied and events is kept as it is.
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
