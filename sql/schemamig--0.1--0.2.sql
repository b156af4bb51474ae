/* schemamig--0.1--0.2.sql: what 0.2 changes in the catalog and the SQL interface */

\echo Use "ALTER EXTENSION schemamig UPDATE TO '0.2'" to load this file. \quit

/*
 * Each change below has its own section, named after what it is for.  The
 * history in schemamig.revisions, applied and events is kept as it is.
 */
