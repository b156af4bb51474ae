/*-------------------------------------------------------------------------
 *
 * drift.c
 *	  Drift detection (issue 15): the record of the schema state that
 *	  schemamig's own runs leave, and the comparison of the live schema
 *	  with it.
 *
 * The record is one row of schemamig.schema_snapshot: the latest
 * describe() snapshot of the user schemas, kept as the json text the
 * describe query builds (cast to jsonb only when compared; TOAST
 * compresses it).  No per-object hashes are kept: comparing two objects'
 * jsonb is as cheap as comparing their hashes, and computing the hashes
 * cost more than a tenth of the record.  Every call that applies or undoes
 * revisions, stamp() and adopt() write it once, at their end (src/api/), in their own
 * transaction: a failed call leaves the record as it was.  migrate() and
 * migrate_down() commit per revision: they mark the record pending first
 * (committed with their first revision) and write it after their last
 * commit; the steps of an offline script mark it pending and its last
 * statement, offline_record(), writes it.  A pending record (a run that
 * died between two commits) is said by drift() and check() and replaced by
 * the next call that writes it.
 *
 * The comparison describes the live schema, finds the objects whose jsonb
 * differs from the recorded one (added, dropped, altered) and explains
 * each altered one from the two snapshots: which column, constraint,
 * index, trigger or policy was added, dropped or altered (and which of
 * its attributes), which grants were added or revoked, whether the
 * comment or the definition changed.  Who and when come from the DDL
 * audit (audit.c) when it saw the change.
 *
 * The queries run with search_path = pg_catalog: nothing the caller
 * defines can stand in for an operator or function used here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "base/spi.h"
#include "model/catalog.h"
#include "model/graph.h"
#include "schema/schema.h"

static bool record_table_exists(void);

/* the kinds of a snapshot compared, as "member:label", in report order */
#define KINDS \
	"(VALUES ('schemas', 'schema', 1), ('extensions', 'extension', 2)," \
	" ('types', 'type', 3), ('sequences', 'sequence', 4), ('tables', 'table', 5)," \
	" ('views', 'view', 6), ('functions', 'function', 7)) AS k(member, label, ord)"

/* the objects of snapshot SNAP, one row each: kind label, name, jsonb */
#define OBJECTS(snap) \
	"(SELECT k.label, e.key, e.value FROM " KINDS "," \
	"   pg_catalog.jsonb_each(COALESCE(" snap " OPERATOR(pg_catalog.->) k.member, '{}')) e)"

static const char *record_sql =
"INSERT INTO schemamig.schema_snapshot (id, taken_at, taken_by, heads,"
" server_version_num, pending, snapshot)"
" SELECT 1, pg_catalog.clock_timestamp(), $2, $3, pg_catalog.current_setting('server_version_num')::pg_catalog.int4,"
"  false, $1"
" ON CONFLICT (id) DO UPDATE SET taken_at = excluded.taken_at,"
"  taken_by = excluded.taken_by, heads = excluded.heads,"
"  server_version_num = excluded.server_version_num, pending = false,"
"  snapshot = excluded.snapshot";

/*
 * The report.  $1: the live snapshot.  changed: objects whose jsonb differs
 * (or that are on one side only); parts: for an altered object, each
 * member of it that differs, and for named sub-objects (columns,
 * constraints, indexes, triggers, policies) each one that differs, with
 * the attributes of a column that differ; the detail joins them.
 */
static const char *report_sql =
"WITH rec AS (SELECT s.snapshot::pg_catalog.jsonb AS snapshot, s.taken_at"
"  FROM schemamig.schema_snapshot s WHERE s.id OPERATOR(pg_catalog.=) 1),"
" changed AS ("
"  SELECT COALESCE(r.label, l.label) AS label, COALESCE(r.key, l.key) AS name"
"  FROM (SELECT o.* FROM rec, LATERAL " OBJECTS("rec.snapshot") " o) r"
"  FULL JOIN " OBJECTS("$1") " l ON l.label OPERATOR(pg_catalog.=) r.label AND l.key OPERATOR(pg_catalog.=) r.key"
"  WHERE r.value IS DISTINCT FROM l.value),"
" pairs AS ("
"  SELECT c.label, c.name, k.ord, rec.snapshot OPERATOR(pg_catalog.->) k.member OPERATOR(pg_catalog.->) c.name AS old,"
"   $1 OPERATOR(pg_catalog.->) k.member OPERATOR(pg_catalog.->) c.name AS new, rec.taken_at"
"  FROM changed c JOIN " KINDS " ON k.label OPERATOR(pg_catalog.=) c.label CROSS JOIN rec),"
" fields AS ("
"  SELECT p.label, p.name, f.key AS field, p.old OPERATOR(pg_catalog.->) f.key AS o, p.new OPERATOR(pg_catalog.->) f.key AS n"
"  FROM pairs p, LATERAL (SELECT pg_catalog.jsonb_object_keys(p.old) UNION SELECT pg_catalog.jsonb_object_keys(p.new)) f(key)"
"  WHERE p.old IS NOT NULL AND p.new IS NOT NULL"
"   AND f.key OPERATOR(pg_catalog.<>) 'deps'"
"   AND (p.old OPERATOR(pg_catalog.->) f.key) IS DISTINCT FROM (p.new OPERATOR(pg_catalog.->) f.key)),"
" parts AS ("
"  SELECT f.label, f.name, f.field, s.key AS part,"
"   CASE WHEN f.o OPERATOR(pg_catalog.->) s.key IS NULL THEN 'added' WHEN f.n OPERATOR(pg_catalog.->) s.key IS NULL THEN 'dropped'"
"    ELSE 'altered' END AS change,"
"   CASE WHEN f.field OPERATOR(pg_catalog.=) 'columns' AND f.o OPERATOR(pg_catalog.->) s.key IS NOT NULL AND f.n OPERATOR(pg_catalog.->) s.key IS NOT NULL THEN"
"    (SELECT ' (' OPERATOR(pg_catalog.||) pg_catalog.string_agg(a.key, ', ' ORDER BY a.key COLLATE pg_catalog.\"C\") OPERATOR(pg_catalog.||) ')'"
"     FROM (SELECT pg_catalog.jsonb_object_keys(f.o OPERATOR(pg_catalog.->) s.key) UNION SELECT pg_catalog.jsonb_object_keys(f.n OPERATOR(pg_catalog.->) s.key)) a(key)"
"     WHERE (f.o OPERATOR(pg_catalog.->) s.key OPERATOR(pg_catalog.->) a.key) IS DISTINCT FROM (f.n OPERATOR(pg_catalog.->) s.key OPERATOR(pg_catalog.->) a.key)) END AS attrs"
"  FROM fields f,"
"   LATERAL (SELECT pg_catalog.jsonb_object_keys(f.o) UNION SELECT pg_catalog.jsonb_object_keys(f.n)) s(key)"
"  WHERE f.field IN ('columns', 'constraints', 'indexes', 'triggers', 'policies')"
"   AND pg_catalog.jsonb_typeof(f.o) OPERATOR(pg_catalog.=) 'object' AND pg_catalog.jsonb_typeof(f.n) OPERATOR(pg_catalog.=) 'object'"
"   AND (f.o OPERATOR(pg_catalog.->) s.key) IS DISTINCT FROM (f.n OPERATOR(pg_catalog.->) s.key)),"
" lines AS ("
"  SELECT pt.label, pt.name, 1 AS ord, pt.field AS sort1, pt.part AS sort2,"
"   CASE pt.field WHEN 'columns' THEN 'column' WHEN 'constraints' THEN 'constraint'"
"    WHEN 'indexes' THEN 'index' WHEN 'triggers' THEN 'trigger' ELSE 'policy' END"
"   OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(pt.part) OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) pt.change OPERATOR(pg_catalog.||) COALESCE(pt.attrs, '') AS line,"
"   pt.field OPERATOR(pg_catalog.=) 'columns' AND pt.change OPERATOR(pg_catalog.=) 'dropped' AS severe,"
"   CASE WHEN pt.field IN ('indexes', 'constraints') THEN"
"    pg_catalog.split_part(pt.name, '.', 1) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(pt.part) END AS ident"
"  FROM parts pt"
"  UNION ALL"
"  SELECT f.label, f.name, 2, f.field, g.grant_text,"
"   'grant ' OPERATOR(pg_catalog.||) g.grant_text OPERATOR(pg_catalog.||) CASE WHEN g.was THEN ' revoked' ELSE ' added' END, false, NULL"
"  FROM fields f, LATERAL ("
"   SELECT x.value OPERATOR(pg_catalog.#>>) '{}' AS grant_text, true AS was FROM pg_catalog.jsonb_array_elements(f.o) x"
"    WHERE NOT f.n OPERATOR(pg_catalog.@>) pg_catalog.jsonb_build_array(x.value)"
"   UNION ALL SELECT x.value OPERATOR(pg_catalog.#>>) '{}', false FROM pg_catalog.jsonb_array_elements(f.n) x"
"    WHERE NOT f.o OPERATOR(pg_catalog.@>) pg_catalog.jsonb_build_array(x.value)) g"
"  WHERE f.field OPERATOR(pg_catalog.=) 'acl' AND pg_catalog.jsonb_typeof(f.o) OPERATOR(pg_catalog.=) 'array' AND pg_catalog.jsonb_typeof(f.n) OPERATOR(pg_catalog.=) 'array'"
"  UNION ALL"
"  SELECT f.label, f.name, 3, f.field, '',"
"   CASE WHEN f.field OPERATOR(pg_catalog.=) 'comment' THEN"
"     CASE WHEN f.o OPERATOR(pg_catalog.=) 'null' THEN 'comment set' WHEN f.n OPERATOR(pg_catalog.=) 'null' THEN 'comment removed'"
"      ELSE 'comment changed' END"
"    WHEN f.field OPERATOR(pg_catalog.=) 'def' THEN 'definition changed'"
"    ELSE pg_catalog.replace(f.field, '_', ' ') OPERATOR(pg_catalog.||) ' changed' END, false, NULL"
"  FROM fields f"
"  WHERE NOT (f.field IN ('columns', 'constraints', 'indexes', 'triggers', 'policies')"
"    AND pg_catalog.jsonb_typeof(f.o) OPERATOR(pg_catalog.=) 'object' AND pg_catalog.jsonb_typeof(f.n) OPERATOR(pg_catalog.=) 'object')"
"   AND NOT (f.field OPERATOR(pg_catalog.=) 'acl' AND pg_catalog.jsonb_typeof(f.o) OPERATOR(pg_catalog.=) 'array' AND pg_catalog.jsonb_typeof(f.n) OPERATOR(pg_catalog.=) 'array')"
"   AND NOT (f.field OPERATOR(pg_catalog.=) 'column_order' AND EXISTS (SELECT 1 FROM fields f2"
"    WHERE f2.label OPERATOR(pg_catalog.=) f.label AND f2.name OPERATOR(pg_catalog.=) f.name AND f2.field OPERATOR(pg_catalog.=) 'columns'))),"
" rows AS ("
"  SELECT p.label, p.name, p.ord, p.taken_at,"
"   CASE WHEN p.old IS NULL THEN 'added' WHEN p.new IS NULL THEN 'dropped' ELSE 'altered' END AS change,"
"   (SELECT pg_catalog.string_agg(ln.line, '; ' ORDER BY ln.ord, ln.sort1 COLLATE pg_catalog.\"C\", ln.sort2 COLLATE pg_catalog.\"C\")"
"     FROM lines ln WHERE ln.label OPERATOR(pg_catalog.=) p.label AND ln.name OPERATOR(pg_catalog.=) p.name) AS detail,"
"   (p.new IS NULL AND p.label OPERATOR(pg_catalog.=) 'table') OR EXISTS (SELECT 1 FROM lines ln"
"     WHERE ln.label OPERATOR(pg_catalog.=) p.label AND ln.name OPERATOR(pg_catalog.=) p.name AND ln.severe) AS severe,"
"   ARRAY(SELECT ln.ident FROM lines ln WHERE ln.label OPERATOR(pg_catalog.=) p.label AND ln.name OPERATOR(pg_catalog.=) p.name"
"     AND ln.ident IS NOT NULL) AS idents"
"  FROM pairs p)"
" SELECT r.label, r.name, r.change,"
"  COALESCE(r.detail, CASE r.change WHEN 'added' THEN 'not in the recorded schema'"
"   WHEN 'dropped' THEN 'in the recorded schema, not in the database'"
"   ELSE 'changed (no member of the snapshot says what)' END),"
"  a.role, a.at, r.severe"
" FROM rows r LEFT JOIN LATERAL ("
"  SELECT d.role, d.at FROM schemamig.ddl_audit d"
"  WHERE d.at OPERATOR(pg_catalog.>=) r.taken_at AND (d.object_identity OPERATOR(pg_catalog.=) r.name"
"   OR (r.label OPERATOR(pg_catalog.<>) 'schema' AND pg_catalog.starts_with(d.object_identity, r.name OPERATOR(pg_catalog.||) '.'))"
"   OR d.object_identity OPERATOR(pg_catalog.~~) ('% on ' OPERATOR(pg_catalog.||) r.name) OR d.object_identity OPERATOR(pg_catalog.=) ANY (r.idents))"
"  ORDER BY d.at DESC, d.id DESC LIMIT 1) a ON true"
" ORDER BY r.ord, r.name COLLATE pg_catalog.\"C\"";

/*
 * smig_pin_search_path
 *		search_path = pg_catalog and jit = off until AtEOXact_GUC(true, the
 *		level returned); an error unwinds them with the transaction.  JIT:
 *		the planner's cost of the report query (subplans over jsonb sets it
 *		cannot estimate) passes jit_optimize_above_cost, and compiling it
 *		took 1.4 s of a 1.5 s drift() at 1,000 tables, for a query that runs
 *		in 50 ms.
 */
int
smig_pin_search_path(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("jit", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nestlevel;
}

/*
 * record_table_exists
 *		Whether schemamig.schema_snapshot exists: not in a 0.1 catalog that
 *		this library serves before ALTER EXTENSION UPDATE, where the runs
 *		work as before and there is no record.
 */
static bool
record_table_exists(void)
{
	Oid			nsp = get_namespace_oid("schemamig", true);

	return OidIsValid(nsp) &&
		OidIsValid(get_relname_relid("schema_snapshot", nsp));
}

/*
 * smig_drift_record
 *		Record the live schema as the state schemamig left, by the operation
 *		named (upgrade, downgrade, apply, migrate, stamp, adopt,
 *		adopt_drift).  Needs an open SPI connection; one describe() per
 *		call.
 */
void
smig_drift_record(const char *by)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[3] = {JSONOID, TEXTOID, TEXTARRAYOID};
	Datum		values[3];
	SmigGraph  *g;
	List	   *heads = NIL;
	ListCell   *lc;
	int			nestlevel;

	if (!record_table_exists())
		return;

	/*
	 * The reads below are read-only SPI queries, which use the active
	 * snapshot: take one that sees everything this call did.
	 */
	CommandCounterIncrement();
	if (ActiveSnapshotSet())
	{
		PushCopiedSnapshot(GetActiveSnapshot());
		UpdateActiveSnapshotCommandId();
	}
	else
		PushActiveSnapshot(GetTransactionSnapshot());
	values[0] = PointerGetDatum(smig_describe_json((Datum) 0, true));
	values[1] = CStringGetTextDatum(by);
	g = smig_load_graph(true);
	foreach(lc, smig_current_heads(g))
		heads = lappend(heads, g->nodes[lfirst_int(lc)].rev->id);
	values[2] = smig_list_to_array(heads);
	PopActiveSnapshot();
	nestlevel = smig_pin_search_path();
	smig_catalog_write(&plan, record_sql, 3, types, values, NULL, SPI_OK_INSERT);
	AtEOXact_GUC(true, nestlevel);
}

/*
 * smig_drift_mark_pending
 *		migrate() is about to commit revisions one by one: until it writes
 *		the record at its end, the record is not the state it leaves.
 */
void
smig_drift_mark_pending(void)
{
	static SPIPlanPtr plan = NULL;

	if (!record_table_exists())
		return;
	smig_catalog_write(&plan, "UPDATE schemamig.schema_snapshot SET pending = true"
					   " WHERE id OPERATOR(pg_catalog.=) 1 AND NOT pending",
					   0, NULL, NULL, NULL, SPI_OK_UPDATE);
}

/*
 * smig_drift_report
 *		The live schema compared with the record.  No record yet: an empty
 *		report with recorded false.  With keep_snapshots, the report keeps
 *		both snapshots (for adopt_drift()).  Needs an open SPI connection;
 *		reads only.
 */
SmigDriftReport *
smig_drift_report(bool keep_snapshots)
{
	static SPIPlanPtr head_plan = NULL;
	static SPIPlanPtr report_plan = NULL;
	SmigDriftReport *rep = palloc0(sizeof(SmigDriftReport));
	Oid			types[1] = {JSONBOID};
	Datum		values[1];
	Jsonb	   *live;
	int			nestlevel;
	uint64		i;

	if (!record_table_exists())
		return rep;
	nestlevel = smig_pin_search_path();
	smig_catalog_read(&head_plan, "SELECT pending, taken_by, CASE WHEN $1 THEN snapshot::pg_catalog.jsonb END"
					  " FROM schemamig.schema_snapshot WHERE id OPERATOR(pg_catalog.=) 1",
					  1, (Oid[]) {BOOLOID}, (Datum[]) {BoolGetDatum(keep_snapshots)},
					  NULL);
	AtEOXact_GUC(true, nestlevel);
	if (SPI_processed == 0)
		return rep;
	rep->recorded = true;
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d;

		rep->pending = DatumGetBool(SPI_getbinval(tup, desc, 1, &isnull));
		rep->taken_by = SPI_getvalue(tup, desc, 2);
		d = SPI_getbinval(tup, desc, 3, &isnull);
		if (!isnull)
			rep->snapshot = DatumGetJsonbPCopy(d);
	}

	live = smig_describe((Datum) 0, true);
	if (keep_snapshots)
		rep->live = live;
	values[0] = JsonbPGetDatum(live);
	nestlevel = smig_pin_search_path();
	smig_catalog_read(&report_plan, report_sql, 1, types, values, NULL);
	AtEOXact_GUC(true, nestlevel);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		SmigDriftRow *row = palloc0(sizeof(SmigDriftRow));
		bool		isnull;
		Datum		d;

		CHECK_FOR_INTERRUPTS();
		row->kind = SPI_getvalue(tup, desc, 1);
		row->name = SPI_getvalue(tup, desc, 2);
		row->change = SPI_getvalue(tup, desc, 3);
		row->detail = SPI_getvalue(tup, desc, 4);
		row->changed_by = SPI_getvalue(tup, desc, 5);
		d = SPI_getbinval(tup, desc, 6, &isnull);
		row->changed_at = isnull ? 0 : DatumGetTimestampTz(d);
		d = SPI_getbinval(tup, desc, 7, &isnull);
		row->severe = !isnull && DatumGetBool(d);
		if (row->kind == NULL || row->name == NULL || row->change == NULL)
			elog(ERROR, "schemamig: drift query returned a NULL name");
		rep->rows = lappend(rep->rows, row);
	}
	return rep;
}
