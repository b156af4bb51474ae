/*-------------------------------------------------------------------------
 *
 * describe.c
 *	  describe(): the canonical snapshot of the user schemas as jsonb.
 *
 * A read-only catalog query, run through SPI with search_path set to
 * pg_catalog alone (so that every name the deparsers print is qualified),
 * quote_all_identifiers off, and DateStyle, IntervalStyle,
 * extra_float_digits and TimeZone fixed (constants print alike whatever
 * the session's settings).  Objects are keyed by their qualified,
 * quoted names, never by OID; arrays are ordered by position or by name in
 * the "C" collation; jsonb sorts object keys itself.  The same schema built
 * in two databases of one server therefore gives byte-identical jsonb.
 * Objects that belong to an extension appear only as the extension.
 * A small probe query runs first, under the same snapshot; the parts of
 * the document it finds nothing for (types, sequences, views, functions,
 * not-handled kinds, comments of tables and columns, policies) are
 * written as their empty values instead of being queried: planning and
 * per-table look-ups are most of the cost of describe() on a schema of
 * plain tables, as in the drift record after each run.
 *
 * Layout of the document (every kind an object keyed by name):
 *	  format, server_version_num, filter (the schemas argument),
 *	  schemas, extensions, types (enum, domain, composite), sequences,
 *	  tables (columns, column_order, constraints, indexes, triggers, rls,
 *	  policies, comment, acl, deps), views (plain and materialized, with
 *	  indexes), functions (and procedures), not_handled (names of objects
 *	  of kinds diff() does not model).
 * "deps" lists the kind-qualified names ("table:public.t") an object
 * depends on (pg_depend, normal dependencies, foreign keys left out), for
 * ordering.  "acl" lists "PRIVILEGE:grantee" ("+" after the privilege:
 * grantable), the owner's own rights left out.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "base/spi.h"
#include "schema/schema.h"

/* operators and class references spelled out, as every internal query */
#define EQ " OPERATOR(pg_catalog.=) "
#define NE " OPERATOR(pg_catalog.<>) "
#define GT " OPERATOR(pg_catalog.>) "
#define GE " OPERATOR(pg_catalog.>=) "
/*
 * every object made after initdb has an OID of at least FirstNormalObjectId
 * (pg_dump relies on it too): deps reads only such pg_depend rows
 */
#define USER_OID CppAsString2(FirstNormalObjectId) "::pg_catalog.oid"
#define CAT " OPERATOR(pg_catalog.||) "
#define RC(x) "'pg_catalog." x "'::pg_catalog.regclass::pg_catalog.oid"
#define COLLC " COLLATE pg_catalog.\"C\""
#define QI(x) "pg_catalog.quote_ident(" x ")"
#define QN(s, n) QI(s) CAT "'.'" CAT QI(n)

/* the privileges of an ACL but the owner's, as sorted "PRIV:grantee" */
#define ACL(acl, kind, owner) \
	"(SELECT COALESCE(pg_catalog.json_agg(g ORDER BY g" COLLC "), '[]')" \
	" FROM (SELECT e.privilege_type" CAT "CASE WHEN e.is_grantable THEN '+' ELSE '' END" \
	CAT "':'" CAT "CASE WHEN e.grantee" EQ "0 THEN 'PUBLIC' ELSE " \
	QI("pg_catalog.pg_get_userbyid(e.grantee)::pg_catalog.text") " END AS g" \
	" FROM pg_catalog.aclexplode(COALESCE(" acl ", pg_catalog.acldefault('" kind "', " owner "))) e" \
	" WHERE e.grantee" NE owner ") q)"

/*
 * the same for kinds whose default privileges are the owner's alone
 * (relations, sequences, schemas): no ACL means no row, so aclexplode()
 * runs only for objects that have one
 */
#define ACL_OWNER(acl, kind, owner) \
	"CASE WHEN " acl " IS NULL THEN '[]'::pg_catalog.json ELSE " ACL(acl, kind, owner) " END"

/* a relation's storage options, sorted; NULL when it has none */
#define OPTIONS \
	"CASE WHEN c.reloptions IS NOT NULL THEN (SELECT pg_catalog.json_agg(o ORDER BY o" COLLC ")" \
	" FROM pg_catalog.unnest(c.reloptions) o) END"

/*
 * column a is text, varchar or char in the default collation, which is
 * their types' own (pg_type.dat): no look-up of the type's collation then
 */
#define DEFAULT_TEXT(a) \
	"(" a ".attcollation" EQ CppAsString2(DEFAULT_COLLATION_OID) "::pg_catalog.oid AND " a ".atttypid IN (" \
	CppAsString2(TEXTOID) "::pg_catalog.oid, " CppAsString2(VARCHAROID) "::pg_catalog.oid, " \
	CppAsString2(BPCHAROID) "::pg_catalog.oid))"

/* column a's default or generation expression (pg_attrdef, by index) */
#define ADEXPR \
	"(SELECT pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) FROM pg_catalog.pg_attrdef ad" \
	" WHERE ad.adrelid" EQ "a.attrelid AND ad.adnum" EQ "a.attnum)"

/* an object's comment: pg_description read directly (obj_description() is a
 * SQL function that also looks its catalog up by name, for each call) */
#define DESCR(oid, cat) \
	"(SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid" EQ oid \
	" AND ds.classoid" EQ RC(cat) " AND ds.objsubid" EQ "0)"

/* an object's "deps", from the depj row joined as dj */
#define DEPS "COALESCE(dj.deps, '[]')"
#define DEPJ(id) " LEFT JOIN depj dj ON dj.id" EQ "(" id ")"

/*
 * index x is the relation's own: no constraint owns it and no parent index
 * has it.  NOT IN over uncorrelated subqueries: each is hashed once per
 * describe(), where NOT EXISTS ran two look-ups per index (a fifth of
 * describe()'s time at 1,000 tables); conindid and inhrelid are never NULL.
 */
#define INDEX_OWN(x) \
	x ".indexrelid NOT IN (SELECT k.conindid FROM pg_catalog.pg_constraint k" \
	"   WHERE k.contype" EQ "ANY ('{p,u,x}'::pg_catalog.\"char\"[]))" \
	" AND " x ".indexrelid NOT IN (SELECT h.inhrelid FROM pg_catalog.pg_inherits h)"

/* the own indexes of relation c.oid, by name (views; tables use tidx) */
#define INDEXES \
	"(SELECT COALESCE(pg_catalog.json_object_agg(ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid)), '{}')" \
	" FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid" EQ "i.indexrelid" \
	" WHERE i.indrelid" EQ "c.oid AND " INDEX_OWN("i") ")"

/* schema objects with no model at all: named, so none is dropped unseen */
#define NAMED(label, cat, alias, name, nsp) \
	"  UNION ALL SELECT '" label " '" CAT QN("n.nspname", alias "." name) \
	" FROM pg_catalog." cat " " alias " JOIN ns n ON n.oid" EQ alias "." nsp \
	" WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid" EQ RC(cat) \
	" AND ext.objid" EQ alias ".oid)"

/*
 * Built as json text, cast to jsonb once by smig_describe(): each jsonb
 * level (jsonb_build_object, jsonb_object_agg) walks and copies everything
 * below it again, which made most of describe()'s time on 1,000 tables;
 * the single cast gives the same jsonb (sorted keys, the last of
 * duplicates).
 * The types keep jsonb where objects are concatenated with ||.
 * The query is assembled from the pieces below by describe_query().
 *
 * First, the user schemas, extension members and relations: read by the
 * probe too.
 */
static const char *base_ctes =
"WITH ns AS ("
" SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n"
" WHERE CASE WHEN $1 IS NULL THEN"
"   n.nspname" NE "ALL ('{pg_catalog,information_schema,schemamig}'::pg_catalog.text[])"
"   AND NOT pg_catalog.starts_with(n.nspname, 'pg_toast')"
"   AND NOT pg_catalog.starts_with(n.nspname, 'pg_temp_')"
"  ELSE n.nspname" EQ "ANY ($1) END"
" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid" EQ RC("pg_namespace")
"   AND d.objid" EQ "n.oid AND d.deptype" EQ "'e')),"
"ext AS (SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.refclassid" EQ RC("pg_extension")
"  AND d.deptype" EQ "'e'),"
"rel AS ("
" SELECT c.oid, c.relkind, " QN("n.nspname", "c.relname") " AS key"
" FROM pg_catalog.pg_class c JOIN ns n ON c.relnamespace" EQ "n.oid"
" WHERE c.relkind" EQ "ANY ('{r,p,v,m,S,c,f}'::pg_catalog.\"char\"[])"
" AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid" EQ RC("pg_class") " AND ext.objid" EQ "c.oid))";

/* what the sections read besides (a CTE no section reads is not planned) */
static const char *more_ctes =
",typ AS ("
" SELECT t.oid, t.typtype, " QN("n.nspname", "t.typname") " AS key"
" FROM pg_catalog.pg_type t JOIN ns n ON t.typnamespace" EQ "n.oid"
" WHERE (t.typtype" EQ "ANY ('{e,d}'::pg_catalog.\"char\"[])"
"   OR (t.typtype" EQ "'c' AND t.typrelid IN (SELECT rel.oid FROM rel WHERE rel.relkind" EQ "'c')))"
" AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid" EQ RC("pg_type") " AND ext.objid" EQ "t.oid)),"
"fun AS ("
" SELECT p.oid, p.prokind, " QN("n.nspname", "p.proname") CAT "'('" CAT
"   pg_catalog.pg_get_function_identity_arguments(p.oid)" CAT "')' AS key"
" FROM pg_catalog.pg_proc p JOIN ns n ON p.pronamespace" EQ "n.oid"
" WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid" EQ RC("pg_proc") " AND ext.objid" EQ "p.oid)),"
"objs AS ("
" SELECT " RC("pg_class") " AS classid, rel.oid AS objid,"
"  CASE rel.relkind WHEN 'S' THEN 'sequence:' WHEN 'v' THEN 'view:' WHEN 'm' THEN 'view:'"
"   WHEN 'c' THEN 'type:' ELSE 'table:' END" CAT "rel.key AS id FROM rel WHERE rel.relkind" NE "'f'"
" UNION ALL SELECT " RC("pg_type") ", typ.oid, 'type:'" CAT "typ.key FROM typ"
" UNION ALL SELECT " RC("pg_proc") ", fun.oid, 'function:'" CAT "fun.key FROM fun"
"  WHERE fun.prokind" EQ "ANY ('{f,p}'::pg_catalog.\"char\"[])),"
"parts AS ("
" SELECT objs.classid, objs.objid, objs.classid AS tclass, objs.objid AS tobj FROM objs"
" UNION ALL SELECT " RC("pg_attrdef") ", a.oid, " RC("pg_class") ", a.adrelid FROM pg_catalog.pg_attrdef a"
" UNION ALL SELECT " RC("pg_constraint") ", k.oid,"
"  CASE WHEN k.conrelid" NE "0 THEN " RC("pg_class") " ELSE " RC("pg_type") " END,"
"  CASE WHEN k.conrelid" NE "0 THEN k.conrelid ELSE k.contypid END"
"  FROM pg_catalog.pg_constraint k WHERE k.contype" NE "'f'"
" UNION ALL SELECT " RC("pg_rewrite") ", r.oid, " RC("pg_class") ", r.ev_class FROM pg_catalog.pg_rewrite r"
" UNION ALL SELECT " RC("pg_trigger") ", g.oid, " RC("pg_class") ", g.tgrelid FROM pg_catalog.pg_trigger g"
" UNION ALL SELECT " RC("pg_policy") ", p.oid, " RC("pg_class") ", p.polrelid FROM pg_catalog.pg_policy p"
" UNION ALL SELECT " RC("pg_class") ", i.indexrelid, " RC("pg_class") ", i.indrelid FROM pg_catalog.pg_index i"
" UNION ALL SELECT " RC("pg_type") ", t.oid, " RC("pg_type") ", t.typelem FROM pg_catalog.pg_type t"
"  WHERE t.typcategory" EQ "'A' AND t.typelem" NE "0"
" UNION ALL SELECT " RC("pg_type") ", t.oid, " RC("pg_class") ", t.typrelid FROM pg_catalog.pg_type t"
"  WHERE t.typrelid" NE "0),"
"deps AS ("
" SELECT DISTINCT o.id, r.id AS ref FROM (SELECT d.classid, d.objid, d.refclassid, d.refobjid"
"   FROM pg_catalog.pg_depend d WHERE d.deptype" EQ "'n' AND d.refclassid" NE RC("pg_namespace")
"   AND d.objid" GE USER_OID " AND d.refobjid" GE USER_OID " OFFSET 0) d"
" JOIN parts p ON p.classid" EQ "d.classid AND p.objid" EQ "d.objid"
" JOIN objs o ON o.classid" EQ "p.tclass AND o.objid" EQ "p.tobj"
" JOIN parts rp ON rp.classid" EQ "d.refclassid AND rp.objid" EQ "d.refobjid"
" JOIN objs r ON r.classid" EQ "rp.tclass AND r.objid" EQ "rp.tobj"
" WHERE o.id" NE "r.id),"
"depj AS (SELECT deps.id, pg_catalog.json_agg(deps.ref ORDER BY deps.ref" COLLC ") AS deps"
" FROM deps GROUP BY deps.id),"
/*
 * the tables with their own indexes, in one grouped pass (views use
 * INDEXES, per view); an index of plain columns with default operator
 * classes and collations, no options and no predicate is printed here as
 * pg_get_indexdef() prints it (that function opens the table and scans
 * pg_opclass for each column: a fifth of the record at 1,000 tables), any
 * other by pg_get_indexdef()
 */
"tidx AS (SELECT rel.oid, rel.key, pg_catalog.json_object_agg(ic.relname, COALESCE("
"  CASE WHEN ic.relkind" EQ "'i' AND i.indexprs IS NULL AND i.indpred IS NULL AND ic.reloptions IS NULL"
"   AND i.indnatts" EQ "i.indnkeyatts AND NOT i.indnullsnotdistinct THEN"
"   (SELECT 'CREATE '" CAT "CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END" CAT "'INDEX '" CAT QI("ic.relname")
"     " CAT "' ON '" CAT "rel.key" CAT "' USING '" CAT QI("am.amname::pg_catalog.text") CAT "' ('"
"     " CAT "pg_catalog.string_agg(" QI("a.attname::pg_catalog.text") ", ', ' ORDER BY s.k)" CAT "')'"
"    FROM pg_catalog.generate_series(0, i.indnkeyatts OPERATOR(pg_catalog.-) 1) s(k)"
"    JOIN pg_catalog.pg_attribute a ON a.attrelid" EQ "i.indrelid AND a.attnum" EQ "i.indkey[s.k]"
"    JOIN pg_catalog.pg_opclass oc ON oc.oid" EQ "i.indclass[s.k]"
"    HAVING pg_catalog.bool_and(a.attnum" GT "0 AND i.indoption[s.k]" EQ "0"
"     AND i.indcollation[s.k]" EQ "a.attcollation AND oc.opcdefault AND oc.opcintype" EQ "a.atttypid)"
"     AND pg_catalog.count(*)" EQ "i.indnkeyatts) END,"
"  pg_catalog.pg_get_indexdef(i.indexrelid))) FILTER (WHERE i.indexrelid IS NOT NULL) AS j"
" FROM rel LEFT JOIN (pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid" EQ "i.indexrelid"
"  JOIN pg_catalog.pg_am am ON am.oid" EQ "ic.relam)"
"  ON i.indrelid" EQ "rel.oid AND " INDEX_OWN("i")
" WHERE rel.relkind" EQ "ANY ('{r,p}'::pg_catalog.\"char\"[]) GROUP BY rel.oid, rel.key)";

/* the sections, in document order; each a json expression */
static const char *sec_top =
" SELECT (pg_catalog.json_build_object("
" 'format', 1,"
" 'server_version_num', pg_catalog.current_setting('server_version_num')::pg_catalog.int4,"
" 'filter', pg_catalog.to_json($1),";

static const char *sec_schemas =
" 'schemas', (SELECT COALESCE(pg_catalog.json_object_agg(" QI("n.nspname") ","
"   pg_catalog.json_build_object('comment', " DESCR("n.oid", "pg_namespace") ","
"   'acl', " ACL_OWNER("x.nspacl", "n", "x.nspowner") ")), '{}')"
"  FROM ns n JOIN pg_catalog.pg_namespace x ON x.oid" EQ "n.oid),"
" 'extensions', (SELECT COALESCE(pg_catalog.json_object_agg(" QI("e.extname") ","
"   pg_catalog.json_build_object('schema', " QI("n.nspname") ", 'version', e.extversion)), '{}')"
"  FROM pg_catalog.pg_extension e JOIN ns n ON n.oid" EQ "e.extnamespace),";

static const char *sec_types =
"(SELECT COALESCE(pg_catalog.json_object_agg(typ.key, CASE t.typtype"
"  WHEN 'e' THEN pg_catalog.jsonb_build_object('kind', 'enum', 'values',"
"   (SELECT COALESCE(pg_catalog.json_agg(v.enumlabel ORDER BY v.enumsortorder), '[]')"
"    FROM pg_catalog.pg_enum v WHERE v.enumtypid" EQ "t.oid))"
"  WHEN 'd' THEN pg_catalog.jsonb_build_object('kind', 'domain',"
"   'base', pg_catalog.format_type(t.typbasetype, t.typtypmod),"
"   'not_null', t.typnotnull, 'default', t.typdefault,"
"   'collation', (SELECT " QN("cn.nspname", "co.collname") " FROM pg_catalog.pg_collation co"
"     JOIN pg_catalog.pg_namespace cn ON cn.oid" EQ "co.collnamespace JOIN pg_catalog.pg_type bt ON bt.oid" EQ "t.typbasetype"
"     WHERE co.oid" EQ "t.typcollation AND t.typcollation" NE "bt.typcollation),"
"   'constraints', (SELECT COALESCE(pg_catalog.json_object_agg(k.conname, pg_catalog.pg_get_constraintdef(k.oid)), '{}')"
"    FROM pg_catalog.pg_constraint k WHERE k.contypid" EQ "t.oid AND k.contype" EQ "'c'))"
"  ELSE pg_catalog.jsonb_build_object('kind', 'composite', 'attributes',"
"   (SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_array(a.attname,"
"     pg_catalog.format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum), '[]')"
"    FROM pg_catalog.pg_attribute a WHERE a.attrelid" EQ "t.typrelid AND a.attnum" GT "0 AND NOT a.attisdropped))"
"  END" CAT "pg_catalog.jsonb_build_object('comment', " DESCR("t.oid", "pg_type") ","
"   'deps', " DEPS ")), '{}')"
"  FROM typ JOIN pg_catalog.pg_type t ON t.oid" EQ "typ.oid" DEPJ("'type:'" CAT "typ.key") ")";

/* sequences (identity sequences belong to their column) */
static const char *sec_sequences =
"(SELECT COALESCE(pg_catalog.json_object_agg(rel.key, pg_catalog.json_build_object("
"   'type', pg_catalog.format_type(s.seqtypid, NULL), 'start', s.seqstart, 'increment', s.seqincrement,"
"   'min', s.seqmin, 'max', s.seqmax, 'cache', s.seqcache, 'cycle', s.seqcycle,"
"   'owned_by', (SELECT " QN("tn.nspname", "tc.relname") CAT "'.'" CAT QI("ta.attname")
"     FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class tc ON tc.oid" EQ "d.refobjid"
"     JOIN pg_catalog.pg_namespace tn ON tn.oid" EQ "tc.relnamespace"
"     JOIN pg_catalog.pg_attribute ta ON ta.attrelid" EQ "tc.oid AND ta.attnum" EQ "d.refobjsubid"
"     WHERE d.classid" EQ RC("pg_class") " AND d.objid" EQ "rel.oid AND d.refclassid" EQ RC("pg_class")
"     AND d.deptype" EQ "'a' AND d.refobjsubid" GT "0),"
"   'comment', " DESCR("rel.oid", "pg_class") ","
"   'acl', " ACL_OWNER("c.relacl", "s", "c.relowner") ")), '{}')"
"  FROM rel JOIN pg_catalog.pg_sequence s ON s.seqrelid" EQ "rel.oid"
"  JOIN pg_catalog.pg_class c ON c.oid" EQ "rel.oid"
"  WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid" EQ RC("pg_class")
"   AND d.objid" EQ "rel.oid AND d.deptype" EQ "'i'))";

/*
 * tables, in pieces: the comments of tables and columns and the policies
 * are read only when the probe found any (a look-up per table each)
 */
static const char *sec_tables_a =
" 'tables', (SELECT COALESCE(pg_catalog.json_object_agg(rel.key, pg_catalog.json_build_object("
"   'kind', CASE c.relkind WHEN 'p' THEN 'partitioned' ELSE 'table' END,"
"   'unlogged', c.relpersistence" EQ "'u',"
"   'options', " OPTIONS ","
"   'partition_by', CASE WHEN c.relkind" EQ "'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
"   'partition_of', (SELECT " QN("pn.nspname", "pc.relname") " FROM pg_catalog.pg_inherits h"
"     JOIN pg_catalog.pg_class pc ON pc.oid" EQ "h.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid" EQ "pc.relnamespace"
"     WHERE h.inhrelid" EQ "c.oid AND c.relispartition),"
"   'partition_bound', CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,"
"   'columns', COALESCE(ca.cols, '{}'), 'column_order', COALESCE(ca.ord, '[]'),"
"   'constraints', (SELECT COALESCE(pg_catalog.json_object_agg(k.conname, pg_catalog.json_build_object("
"     'type', k.contype, 'def', pg_catalog.pg_get_constraintdef(k.oid))), '{}')"
"    FROM pg_catalog.pg_constraint k WHERE k.conrelid" EQ "c.oid"
"    AND k.contype" EQ "ANY ('{c,u,p,f,x}'::pg_catalog.\"char\"[]) AND k.conislocal AND k.conparentid" EQ "0),"
"   'indexes', COALESCE(rel.j, '{}'),"
"   'triggers', CASE WHEN NOT c.relhastriggers THEN '{}' ELSE (SELECT COALESCE(pg_catalog.json_object_agg(g.tgname, pg_catalog.pg_get_triggerdef(g.oid)), '{}')"
"    FROM pg_catalog.pg_trigger g WHERE g.tgrelid" EQ "c.oid AND NOT g.tgisinternal AND g.tgparentid" EQ "0) END,"
"   'rls', c.relrowsecurity, 'force_rls', c.relforcerowsecurity,"
"   'policies', ";

static const char *policies =
"(SELECT COALESCE(pg_catalog.json_object_agg(p.polname,"
"     'CREATE POLICY '" CAT QI("p.polname") CAT "' ON '" CAT "rel.key" CAT "' AS '"
"     " CAT "CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END" CAT "' FOR '"
"     " CAT "CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'"
"       WHEN 'd' THEN 'DELETE' ELSE 'ALL' END" CAT "' TO '"
"     " CAT "(SELECT pg_catalog.string_agg(rn, ', ' ORDER BY rn" COLLC ") FROM (SELECT CASE WHEN x" EQ "0"
"       THEN 'PUBLIC' ELSE " QI("pg_catalog.pg_get_userbyid(x)::pg_catalog.text") " END AS rn"
"       FROM pg_catalog.unnest(p.polroles) x) pr)"
"     " CAT "COALESCE(' USING ('" CAT "pg_catalog.pg_get_expr(p.polqual, p.polrelid)" CAT "')', '')"
"     " CAT "COALESCE(' WITH CHECK ('" CAT "pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)" CAT "')', '')), '{}')"
"    FROM pg_catalog.pg_policy p WHERE p.polrelid" EQ "c.oid)";

static const char *sec_tables_b =
",   'comment', ";

static const char *table_comment =
DESCR("c.oid", "pg_class");

/*
 * the rest of a table, its FROM list, and the columns and their order,
 * from one pass over pg_attribute per table (LATERAL)
 */
static const char *sec_tables_c =
",   'acl', " ACL_OWNER("c.relacl", "r", "c.relowner") ","
"   'deps', " DEPS ")), '{}')"
"  FROM tidx rel JOIN pg_catalog.pg_class c ON c.oid" EQ "rel.oid" DEPJ("'table:'" CAT "rel.key")
"  LEFT JOIN LATERAL (SELECT pg_catalog.json_object_agg(a.attname, pg_catalog.json_build_object("
"     'type', pg_catalog.format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,"
"     'default', CASE WHEN a.atthasdef AND a.attgenerated" EQ "'' THEN " ADEXPR " END,"
"     'generated', CASE WHEN a.attgenerated" NE "'' THEN '('" CAT ADEXPR CAT "')'"
"       " CAT "CASE a.attgenerated WHEN 's' THEN ' STORED' ELSE ' VIRTUAL' END END,"
"     'identity', CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END,"
"     'collation', CASE WHEN a.attcollation" NE "0 AND NOT " DEFAULT_TEXT("a") " AND a.attcollation" NE "(SELECT at.typcollation"
"       FROM pg_catalog.pg_type at WHERE at.oid" EQ "a.atttypid) THEN (SELECT " QN("cn.nspname", "co.collname")
"       FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid" EQ "co.collnamespace"
"       WHERE co.oid" EQ "a.attcollation) END,"
"     'comment', ";

static const char *col_comment =
"cd.description)) AS cols, pg_catalog.json_agg(a.attname ORDER BY a.attnum) AS ord"
"    FROM pg_catalog.pg_attribute a"
"    LEFT JOIN pg_catalog.pg_description cd ON cd.objoid" EQ "a.attrelid"
"     AND cd.classoid" EQ RC("pg_class") " AND cd.objsubid" EQ "a.attnum";

static const char *col_no_comment =
"NULL::pg_catalog.text)) AS cols, pg_catalog.json_agg(a.attname ORDER BY a.attnum) AS ord"
"    FROM pg_catalog.pg_attribute a";

static const char *sec_tables_d =
"    WHERE a.attrelid" EQ "c.oid AND a.attnum" GT "0 AND NOT a.attisdropped AND NOT c.relispartition) ca ON true),";

/* views and materialized views */
static const char *sec_views =
"(SELECT COALESCE(pg_catalog.json_object_agg(rel.key, pg_catalog.json_build_object("
"   'materialized', c.relkind" EQ "'m', 'def', pg_catalog.pg_get_viewdef(c.oid),"
"   'options', " OPTIONS ","
"   'indexes', CASE WHEN c.relhasindex THEN " INDEXES " ELSE '{}' END,"
"   'comment', " DESCR("c.oid", "pg_class") ","
"   'acl', " ACL_OWNER("c.relacl", "r", "c.relowner") ","
"   'deps', " DEPS ")), '{}')"
"  FROM rel JOIN pg_catalog.pg_class c ON c.oid" EQ "rel.oid" DEPJ("'view:'" CAT "rel.key")
"  WHERE rel.relkind" EQ "ANY ('{v,m}'::pg_catalog.\"char\"[]))";

/* functions and procedures */
static const char *sec_functions =
"(SELECT COALESCE(pg_catalog.json_object_agg(fun.key, pg_catalog.json_build_object("
"   'kind', CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,"
"   'def', pg_catalog.pg_get_functiondef(p.oid),"
"   'comment', " DESCR("p.oid", "pg_proc") ","
"   'acl', " ACL("p.proacl", "f", "p.proowner") ","
"   'deps', " DEPS ")), '{}')"
"  FROM fun JOIN pg_catalog.pg_proc p ON p.oid" EQ "fun.oid" DEPJ("'function:'" CAT "fun.key")
"  WHERE fun.prokind" EQ "ANY ('{f,p}'::pg_catalog.\"char\"[]))";

/* what diff() does not model: named, so that a change is reported */
static const char *sec_not_handled =
"(SELECT COALESCE(pg_catalog.json_agg(w ORDER BY w" COLLC "), '[]') FROM ("
"  SELECT 'foreign table '" CAT "rel.key AS w FROM rel WHERE rel.relkind" EQ "'f'"
"  UNION ALL SELECT 'aggregate '" CAT "fun.key FROM fun WHERE fun.prokind" NE "ALL ('{f,p}'::pg_catalog.\"char\"[])"
"  UNION ALL SELECT 'type '" CAT QN("n.nspname", "t.typname") CAT "' (' " CAT "t.typtype::pg_catalog.text" CAT "')'"
"   FROM pg_catalog.pg_type t JOIN ns n ON n.oid" EQ "t.typnamespace"
"   WHERE t.typtype" EQ "ANY ('{b,r,m}'::pg_catalog.\"char\"[]) AND t.typcategory" NE "'A'"
"   AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid" EQ RC("pg_type") " AND ext.objid" EQ "t.oid)"
"  UNION ALL SELECT 'rule '" CAT QI("r.rulename") CAT "' on '" CAT "rel.key FROM pg_catalog.pg_rewrite r"
"   JOIN rel ON rel.oid" EQ "r.ev_class WHERE r.rulename" NE "'_RETURN'"
"  UNION ALL SELECT 'inheritance '" CAT "rel.key FROM pg_catalog.pg_inherits h JOIN rel ON rel.oid" EQ "h.inhrelid"
"   JOIN pg_catalog.pg_class c ON c.oid" EQ "rel.oid WHERE NOT c.relispartition AND rel.relkind" NE "'i'"
"  UNION ALL SELECT 'column privileges on '" CAT "rel.key FROM rel WHERE (SELECT pg_catalog.bool_or(a.attacl IS NOT NULL)"
"   FROM pg_catalog.pg_attribute a WHERE a.attrelid" EQ "rel.oid AND a.attnum" GT "0)"
"  UNION ALL SELECT 'operator '" CAT QI("n.nspname") CAT "'.'" CAT "o.oprname FROM pg_catalog.pg_operator o"
"   JOIN ns n ON n.oid" EQ "o.oprnamespace"
"   WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid" EQ RC("pg_operator") " AND ext.objid" EQ "o.oid)"
"  UNION ALL SELECT 'collation '" CAT QN("n.nspname", "co.collname") " FROM pg_catalog.pg_collation co"
"   JOIN ns n ON n.oid" EQ "co.collnamespace"
"   WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid" EQ RC("pg_collation") " AND ext.objid" EQ "co.oid)"
"  UNION ALL SELECT 'statistics '" CAT QN("n.nspname", "s.stxname") " FROM pg_catalog.pg_statistic_ext s"
"   JOIN ns n ON n.oid" EQ "s.stxnamespace"
NAMED("operator class", "pg_opclass", "oc", "opcname", "opcnamespace")
NAMED("operator family", "pg_opfamily", "of", "opfname", "opfnamespace")
NAMED("text search configuration", "pg_ts_config", "tc", "cfgname", "cfgnamespace")
NAMED("text search dictionary", "pg_ts_dict", "td", "dictname", "dictnamespace")
NAMED("text search parser", "pg_ts_parser", "tp", "prsname", "prsnamespace")
NAMED("text search template", "pg_ts_template", "tt", "tmplname", "tmplnamespace")
NAMED("conversion", "pg_conversion", "cv", "conname", "connamespace")
"  UNION ALL SELECT 'privileges on type '" CAT QN("n.nspname", "t.typname") " FROM pg_catalog.pg_type t"
"   JOIN ns n ON n.oid" EQ "t.typnamespace WHERE t.typacl IS NOT NULL"
"   AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid" EQ RC("pg_type") " AND ext.objid" EQ "t.oid)"
"  UNION ALL SELECT 'disabled trigger '" CAT QI("g.tgname") CAT "' on '" CAT "rel.key FROM pg_catalog.pg_trigger g"
"   JOIN rel ON rel.oid" EQ "g.tgrelid WHERE NOT g.tgisinternal AND g.tgenabled" NE "'O'"
" ) nh)";

/* what the probe finds: which optional parts the query needs */
enum
{
	HAS_TYPES,
	HAS_SEQUENCES,
	HAS_VIEWS,
	HAS_FUNCTIONS,
	HAS_NOT_HANDLED,
	HAS_COMMENTS,
	HAS_POLICIES,
	N_HAS
};

#define IN_NS(col) col " IN (SELECT ns.oid FROM ns)"
#define ANY_IN_NS(cat, nsp) " OR EXISTS (SELECT 1 FROM pg_catalog." cat " x WHERE " IN_NS("x." nsp) ")"

/*
 * The probe: for each optional part, whether the catalogs hold anything it
 * could show.  Each test is a superset of what its part selects (it may
 * say yes where the part then finds nothing, never the reverse): a part
 * left out prints what it would print on no rows.  It runs under the same
 * snapshot as the query (both are read-only SPI queries, which use the
 * active snapshot).  The saving is the planning and the per-table
 * look-ups of the parts a schema does not use.
 */
static const char *probe_sql =
" SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE " IN_NS("t.typnamespace")
"   AND (t.typtype" EQ "ANY ('{e,d}'::pg_catalog.\"char\"[])"
"    OR (t.typtype" EQ "'c' AND t.typrelid IN (SELECT rel.oid FROM rel WHERE rel.relkind" EQ "'c')))),"
" EXISTS (SELECT 1 FROM rel WHERE rel.relkind" EQ "'S'),"
" EXISTS (SELECT 1 FROM rel WHERE rel.relkind" EQ "ANY ('{v,m}'::pg_catalog.\"char\"[])),"
" EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE " IN_NS("p.pronamespace")
"   AND p.prokind" EQ "ANY ('{f,p}'::pg_catalog.\"char\"[])),"
" EXISTS (SELECT 1 FROM rel WHERE rel.relkind" EQ "'f')"
"  OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE " IN_NS("p.pronamespace")
"   AND p.prokind" NE "ALL ('{f,p}'::pg_catalog.\"char\"[]))"
"  OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE " IN_NS("t.typnamespace")
"   AND ((t.typtype" EQ "ANY ('{b,r,m}'::pg_catalog.\"char\"[]) AND t.typcategory" NE "'A') OR t.typacl IS NOT NULL))"
"  OR EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r WHERE r.rulename" NE "'_RETURN'"
"   AND r.ev_class IN (SELECT rel.oid FROM rel))"
"  OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits h WHERE h.inhrelid IN (SELECT rel.oid FROM rel))"
"  OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attacl IS NOT NULL"
"   AND a.attrelid IN (SELECT rel.oid FROM rel))"
"  OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g WHERE NOT g.tgisinternal AND g.tgenabled" NE "'O'"
"   AND g.tgrelid IN (SELECT rel.oid FROM rel))"
ANY_IN_NS("pg_operator", "oprnamespace")
ANY_IN_NS("pg_collation", "collnamespace")
ANY_IN_NS("pg_statistic_ext", "stxnamespace")
ANY_IN_NS("pg_opclass", "opcnamespace")
ANY_IN_NS("pg_opfamily", "opfnamespace")
ANY_IN_NS("pg_ts_config", "cfgnamespace")
ANY_IN_NS("pg_ts_dict", "dictnamespace")
ANY_IN_NS("pg_ts_parser", "prsnamespace")
ANY_IN_NS("pg_ts_template", "tmplnamespace")
ANY_IN_NS("pg_conversion", "connamespace") ","
" EXISTS (SELECT 1 FROM pg_catalog.pg_description ds WHERE ds.classoid" EQ RC("pg_class")
"   AND ds.objoid IN (SELECT rel.oid FROM rel WHERE rel.relkind" EQ "ANY ('{r,p}'::pg_catalog.\"char\"[]))),"
" EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid IN (SELECT rel.oid FROM rel))";

/*
 * describe_query
 *		The describe query for what the probe found (has[HAS_*]): the
 *		parts it found nothing for are their empty values.
 */
static char *
describe_query(const bool *has)
{
	StringInfoData q;

	initStringInfo(&q);
	appendStringInfoString(&q, base_ctes);
	appendStringInfoString(&q, more_ctes);
	appendStringInfoString(&q, sec_top);
	appendStringInfoString(&q, sec_schemas);
	appendStringInfo(&q, " 'types', %s,", has[HAS_TYPES] ? sec_types : "'{}'::pg_catalog.json");
	appendStringInfo(&q, " 'sequences', %s,", has[HAS_SEQUENCES] ? sec_sequences : "'{}'::pg_catalog.json");
	appendStringInfoString(&q, sec_tables_a);
	appendStringInfoString(&q, has[HAS_POLICIES] ? policies : "'{}'::pg_catalog.json");
	appendStringInfoString(&q, sec_tables_b);
	appendStringInfoString(&q, has[HAS_COMMENTS] ? table_comment : "NULL::pg_catalog.text");
	appendStringInfoString(&q, sec_tables_c);
	appendStringInfoString(&q, has[HAS_COMMENTS] ? col_comment : col_no_comment);
	appendStringInfoString(&q, sec_tables_d);
	appendStringInfo(&q, " 'views', %s,", has[HAS_VIEWS] ? sec_views : "'{}'::pg_catalog.json");
	appendStringInfo(&q, " 'functions', %s,", has[HAS_FUNCTIONS] ? sec_functions : "'{}'::pg_catalog.json");
	appendStringInfo(&q, " 'not_handled', %s))", has[HAS_NOT_HANDLED] ? sec_not_handled : "'[]'::pg_catalog.json");
	return q.data;
}

/*
 * probe_query
 *		Run the probe; the describe query for what it found.
 */
static char *
probe_query(Oid *types, Datum *values, const char *nulls)
{
	StringInfoData q;
	bool		has[N_HAS];
	int			i;

	initStringInfo(&q);
	appendStringInfoString(&q, base_ctes);
	appendStringInfoString(&q, probe_sql);
	smig_spi_exec(q.data, 1, types, values, nulls, true, SPI_OK_SELECT);
	if (SPI_processed != 1 || SPI_tuptable->tupdesc->natts != N_HAS)
		elog(ERROR, "schemamig: describe probe returned " UINT64_FORMAT " rows",
			 (uint64) SPI_processed);
	for (i = 0; i < N_HAS; i++)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									  i + 1, &isnull);

		/* unknown: keep the part */
		has[i] = isnull || DatumGetBool(d);
	}
	SPI_freetuptable(SPI_tuptable);
	pfree(q.data);
	return describe_query(has);
}

/*
 * smig_describe_json
 *		The snapshot of the schemas in schemas (a text[] datum, or all user
 *		schemas when schemas_null), as json text (a json datum) allocated in
 *		the current memory context: keys in query order, which the cast to
 *		jsonb sorts.  The drift record keeps this form (the cast costs a
 *		sixth of describe() at 1,000 tables).  Needs an open SPI connection;
 *		read-only.
 */
text *
smig_describe_json(Datum schemas, bool schemas_null)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			types[1] = {TEXTARRAYOID};
	Datum		values[1];
	char		nulls[1];
	int			nestlevel;
	bool		isnull;
	Datum		d;
	char	   *query;
	text	   *result;

	values[0] = schemas;
	nulls[0] = schemas_null ? 'n' : ' ';

	/* the deparsers qualify every name not visible in search_path */
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	/* a catalog query is never worth compiling (see smig_pin_search_path) */
	(void) set_config_option("jit", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("quote_all_identifiers", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	/* constants in defaults, bounds and bodies print the same everywhere */
	(void) set_config_option("datestyle", "ISO, YMD", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("intervalstyle", "postgres", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("extra_float_digits", "3", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("timezone", "UTC", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	query = probe_query(types, values, nulls);
	smig_spi_exec(query, 1, types, values, nulls, true, SPI_OK_SELECT);
	AtEOXact_GUC(true, nestlevel);

	if (SPI_processed != 1)
		elog(ERROR, "schemamig: describe query returned " UINT64_FORMAT " rows",
			 (uint64) SPI_processed);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "schemamig: describe query returned NULL");
	MemoryContextSwitchTo(cxt);
	result = DatumGetTextPCopy(d);
	return result;
}

/*
 * smig_describe
 *		The same snapshot as jsonb (sorted keys, the last of duplicate
 *		keys), allocated in the current memory context: what describe()
 *		returns and diff() and drift() compare.
 */
Jsonb *
smig_describe(Datum schemas, bool schemas_null)
{
	return smig_json_to_jsonb(smig_describe_json(schemas, schemas_null));
}

/*
 * smig_json_to_jsonb
 *		json text as jsonb, as the cast json::jsonb makes it.
 */
Jsonb *
smig_json_to_jsonb(text *json)
{
	char	   *str = text_to_cstring(json);

	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(str)));
}
