/* schemamig--0.1--0.2.sql: what 0.2 changes in the catalog and the SQL interface */

\echo Use "ALTER EXTENSION schemamig UPDATE TO '0.2'" to load this file. \quit

/*
 * Each change below has its own section, named after what it is for.  The
 * history in schemamig.revisions, applied and events is kept as it is.
 */

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
