/* schemamig--0.1--0.2.sql: what 0.2 changes in the catalog and the SQL interface */

\echo Use "ALTER EXTENSION schemamig UPDATE TO '0.2'" to load this file. \quit

/*
 * Each change below has its own section, named after what it is for.  The
 * history in schemamig.revisions, applied and events is kept as it is.
 */

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
