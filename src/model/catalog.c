/*-------------------------------------------------------------------------
 *
 * catalog.c
 *	  SPI access to schemamig.revisions, schemamig.applied and
 *	  schemamig.events.
 *
 * Every query is schema-qualified, compares with OPERATOR(pg_catalog.=)
 * and takes its values as $n parameters, so nothing on the caller's
 * search_path can take part in it.  Results are copied into the memory
 * context that was current when the function was called.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "model/catalog.h"

static char *get_text(HeapTuple tuple, TupleDesc desc, int col);
static void delete_by_id(SPIPlanPtr *plan, const char *sql, const char *id);


/*
 * saved_plan
 *		The plan of sql, prepared and saved (SPI_keepplan) on first use in
 *		the session and kept in *slot: the bookkeeping queries run once per
 *		revision, and parsing and planning them each time cost more than
 *		running them.  The plan cache re-plans when the tables change (as
 *		after DROP and CREATE EXTENSION); the queries do not depend on
 *		search_path.
 */
static SPIPlanPtr
saved_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *types)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, types);

		if (plan == NULL)
			elog(ERROR, "schemamig: could not prepare internal query (%s): %s",
				 SPI_result_code_string(SPI_result), sql);
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "schemamig: could not save internal query: %s", sql);
		*slot = plan;
	}
	return *slot;
}

/*
 * exec_saved
 *		smig_spi_exec() of a saved plan (see saved_plan()).
 */
static int
exec_saved(SPIPlanPtr *slot, const char *sql, int nargs, Oid *types,
		   Datum *values, const char *nulls, bool read_only, int expected)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = saved_plan(slot, sql, nargs, types);
	int			ret;

	ret = SPI_execute_plan(plan, values, nulls, read_only, 0);
	MemoryContextSwitchTo(cxt);
	if (ret != expected)
		elog(ERROR, "schemamig: internal query failed (%s): %s",
			 SPI_result_code_string(ret), sql);
	return ret;
}

/*
 * A bump allocator for the rows of a long load: thousands of small structs
 * and strings that live as long as the caller's context and are never freed
 * one by one.  palloc would round each up to a power of two and add a chunk
 * header; this packs them into 32 kB blocks of the caller's context.
 */
typedef struct LoadArena
{
	char	   *next;
	Size		left;
} LoadArena;

#define ARENA_BLOCK 32768

static void *
arena_alloc(LoadArena *a, Size size)
{
	void	   *result;

	size = MAXALIGN(size);
	if (size > ARENA_BLOCK / 4)
		return palloc0(size);
	if (size > a->left)
	{
		a->next = palloc(ARENA_BLOCK);
		a->left = ARENA_BLOCK;
	}
	result = a->next;
	memset(result, 0, size);
	a->next += size;
	a->left -= size;
	return result;
}

/* a text datum as a C string in the arena */
static char *
arena_text(LoadArena *a, Datum d)
{
	text	   *t = DatumGetTextPP(d);
	Size		len = VARSIZE_ANY_EXHDR(t);
	char	   *result = arena_alloc(a, len + 1);

	memcpy(result, VARDATA_ANY(t), len);
	result[len] = '\0';
	return result;
}

/* a name datum as a C string in the arena */
static char *
arena_name(LoadArena *a, Datum d)
{
	const char *s = NameStr(*DatumGetName(d));
	Size		len = strlen(s);
	char	   *result = arena_alloc(a, len + 1);

	memcpy(result, s, len + 1);
	return result;
}

/* qsort comparator: revisions by registration order */
static int
cmp_seq(const void *a, const void *b)
{
	int64		sa = (*(SmigRevision *const *) a)->seq;
	int64		sb = (*(SmigRevision *const *) b)->seq;

	return (sa < sb) ? -1 : (sa > sb) ? 1 : 0;
}

/*
 * scan_saved
 *		Run the saved query sql (no parameters) through a cursor, a thousand
 *		rows at a time, and call fn with each row's columns.  One SPI_execute
 *		would copy every row into a tuple table at once.
 */
#define SCAN_MAX_COLS 12
typedef void (*RowFn) (Datum *values, bool *isnull, void *arg);

static void
scan_saved(SPIPlanPtr *slot, const char *sql, int natts, bool read_only,
		   RowFn fn, void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	Datum		values[SCAN_MAX_COLS];
	bool		isnull[SCAN_MAX_COLS];
	Portal		portal;

	Assert(natts <= SCAN_MAX_COLS);
	portal = SPI_cursor_open(NULL, saved_plan(slot, sql, 0, NULL),
							 NULL, NULL, read_only);
	MemoryContextSwitchTo(cxt);
	for (;;)
	{
		uint64		processed;
		uint64		r;

		SPI_cursor_fetch(portal, true, 1000);
		MemoryContextSwitchTo(cxt);
		if (SPI_tuptable == NULL)
			elog(ERROR, "schemamig: internal query returned no rows: %s", sql);
		if (SPI_tuptable->tupdesc->natts != natts)
			elog(ERROR, "schemamig: unexpected columns: %s", sql);
		processed = SPI_processed;
		for (r = 0; r < processed; r++)
		{
			CHECK_FOR_INTERRUPTS();
			heap_deform_tuple(SPI_tuptable->vals[r], SPI_tuptable->tupdesc,
							  values, isnull);
			fn(values, isnull, arg);
		}
		SPI_freetuptable(SPI_tuptable);
		if (processed == 0)
			break;
	}
	SPI_cursor_close(portal);
	MemoryContextSwitchTo(cxt);
}

/*
 * scan_direct
 *		The rows scan_saved() would give, read straight from the heap of
 *		schemamig.<relname> with the snapshot SPI would use (the active one
 *		when read_only, else a new command and the transaction snapshot):
 *		no executor, and no copy of every row into a tuple table.  The
 *		columns are colnames; those in the present_only bit mask give true
 *		when the column is not null, for "col IS NOT NULL".  The values
 *		point into the table's buffers: fn must copy what it keeps.
 *
 *		Returns false, having read nothing, unless the caller may read the
 *		whole table with no row-level security policy applying: then the
 *		query must run, so that the executor checks (and reports) column
 *		privileges and policies as for any query.
 */
static bool
scan_direct(const char *relname, const char *const *colnames, int natts,
			uint32 present_only, bool read_only, RowFn fn, void *arg)
{
	Oid			nsp = get_namespace_oid("schemamig", true);
	Oid			relid;
	Relation	rel;
	TupleDesc	desc;
	AttrNumber	attnums[SCAN_MAX_COLS];
	Datum		values[SCAN_MAX_COLS];
	bool		isnull[SCAN_MAX_COLS];
	Datum	   *all_values;
	bool	   *all_nulls;
	Snapshot	snapshot;
	TableScanDesc scan;
	HeapTuple	tuple;
	int			i;

	Assert(natts <= SCAN_MAX_COLS);
	if (!OidIsValid(nsp))
		return false;
	relid = get_relname_relid(relname, nsp);
	if (!OidIsValid(relid) ||
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
		check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		return false;
	for (i = 0; i < natts; i++)
	{
		attnums[i] = get_attnum(relid, colnames[i]);
		if (attnums[i] <= 0)
			return false;
	}

	/* held to the end of the transaction, as the executor would */
	rel = table_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relam != HEAP_TABLE_AM_OID)
	{
		table_close(rel, NoLock);
		return false;
	}
	desc = RelationGetDescr(rel);
	all_values = palloc(sizeof(Datum) * desc->natts);
	all_nulls = palloc(sizeof(bool) * desc->natts);

	if (read_only)
		snapshot = GetActiveSnapshot();
	else
	{
		CommandCounterIncrement();
		snapshot = GetTransactionSnapshot();
	}
	snapshot = RegisterSnapshot(snapshot);
	scan = table_beginscan(rel, snapshot, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		heap_deform_tuple(tuple, desc, all_values, all_nulls);
		for (i = 0; i < natts; i++)
		{
			int			a = attnums[i] - 1;

			if (present_only & (1 << i))
			{
				values[i] = BoolGetDatum(!all_nulls[a]);
				isnull[i] = false;
			}
			else
			{
				values[i] = all_values[a];
				isnull[i] = all_nulls[a];
			}
		}
		fn(values, isnull, arg);
	}
	table_endscan(scan);
	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);
	pfree(all_values);
	pfree(all_nulls);
	return true;
}

/* what revision_row() fills */
typedef struct RevisionRows
{
	LoadArena	arena;
	SmigRevision **revs;
	int			n;
	int			max;
} RevisionRows;

/* scan_saved() callback: one row of schemamig.revisions */
static void
revision_row(Datum *values, bool *isnull, void *arg)
{
	RevisionRows *rows = (RevisionRows *) arg;
	LoadArena  *arena = &rows->arena;
	SmigRevision *rev = arena_alloc(arena, sizeof(SmigRevision));

	if (isnull[0] || isnull[6] || isnull[7] || isnull[8])
		elog(ERROR, "schemamig.revisions holds a row without id, checksum, seq or line");
	rev->id = arena_text(arena, values[0]);
	rev->down_revisions = isnull[1] ? NIL : smig_array_to_list(values[1]);
	rev->depends_on = isnull[2] ? NIL : smig_array_to_list(values[2]);
	rev->branch_labels = isnull[3] ? NIL : smig_array_to_list(values[3]);
	rev->message = isnull[4] ? NULL : arena_text(arena, values[4]);
	rev->reversible = !isnull[5] && DatumGetBool(values[5]);
	rev->checksum = arena_text(arena, values[6]);
	rev->seq = DatumGetInt64(values[7]);
	rev->upgrade_line = DatumGetInt32(values[8]);
	rev->downgrade_line = isnull[9] ? 0 : DatumGetInt32(values[9]);
	rev->registered_by = isnull[10] ? NULL : arena_name(arena, values[10]);
	rev->lint_allow = isnull[11] ? NIL : smig_array_to_list(values[11]);

	if (rows->n == rows->max)
	{
		rows->max = Max(rows->max * 2, 1024);
		rows->revs = rows->revs ?
			repalloc(rows->revs, sizeof(SmigRevision *) * rows->max) :
			palloc(sizeof(SmigRevision *) * rows->max);
	}
	rows->revs[rows->n++] = rev;
}

/*
 * smig_load_revisions
 *		Every registered revision, in registration order, without bodies.
 *		Sorted here: an ORDER BY would sort the wide rows in the executor.
 */
List *
smig_load_revisions(bool read_only)
{
	static SPIPlanPtr plan = NULL;
	RevisionRows rows;
	List	   *result = NIL;
	int			i;

	static const char *const cols[12] = {"revision", "down_revisions",
		"depends_on", "branch_labels", "message", "downgrade_sql", "checksum",
	"seq", "upgrade_line", "downgrade_line", "registered_by", "lint_allow"};

	memset(&rows, 0, sizeof(rows));
	if (!scan_direct("revisions", cols, 12, 1 << 5, read_only,
					 revision_row, &rows))
		scan_saved(&plan,
				   "SELECT revision, down_revisions, depends_on, branch_labels,"
				   " message, downgrade_sql IS NOT NULL, checksum, seq,"
				   " upgrade_line, downgrade_line, registered_by, lint_allow"
				   " FROM schemamig.revisions",
				   12, read_only, revision_row, &rows);
	if (rows.n > 1)
		qsort(rows.revs, rows.n, sizeof(SmigRevision *), cmp_seq);
	for (i = 0; i < rows.n; i++)
		result = lappend(result, rows.revs[i]);
	if (rows.revs)
		pfree(rows.revs);
	return result;
}

/* what applied_row() fills */
typedef struct AppliedRows
{
	LoadArena	arena;
	List	   *result;
} AppliedRows;

/* scan_saved() callback: one row of schemamig.applied */
static void
applied_row(Datum *values, bool *isnull, void *arg)
{
	AppliedRows *rows = (AppliedRows *) arg;
	SmigApplied *app = arena_alloc(&rows->arena, sizeof(SmigApplied));

	if (isnull[0] || isnull[2] || isnull[3])
		elog(ERROR, "schemamig.applied holds a row without id, time or role");
	app->id = arena_text(&rows->arena, values[0]);
	app->checksum = isnull[1] ? NULL : arena_text(&rows->arena, values[1]);
	app->applied_at = DatumGetTimestampTz(values[2]);
	app->applied_by = arena_name(&rows->arena, values[3]);
	rows->result = lappend(rows->result, app);
}

/*
 * smig_load_applied
 *		Every row of schemamig.applied (List of SmigApplied *), in no
 *		particular order.
 */
List *
smig_load_applied(bool read_only)
{
	static SPIPlanPtr plan = NULL;
	AppliedRows rows;

	static const char *const cols[4] = {"revision", "checksum",
	"applied_at", "applied_by"};

	memset(&rows, 0, sizeof(rows));
	if (!scan_direct("applied", cols, 4, 0, read_only, applied_row, &rows))
		scan_saved(&plan,
				   "SELECT revision, checksum, applied_at, applied_by"
				   " FROM schemamig.applied",
				   4, read_only, applied_row, &rows);
	return rows.result;
}

/*
 * smig_load_bodies
 *		Fetch the upgrade and downgrade SQL of a loaded revision.
 */
void
smig_load_bodies(SmigRevision *rev, bool read_only)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;

	if (rev->bodies_loaded)
		return;
	values[0] = CStringGetTextDatum(rev->id);
	exec_saved(&plan, "SELECT upgrade_sql, downgrade_sql, upgrade_line,"
			   " downgrade_line FROM schemamig.revisions"
			   " WHERE revision OPERATOR(pg_catalog.=) $1",
			   1, types, values, NULL, read_only, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" was unregistered while in use", rev->id)));
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	rev->upgrade_sql = get_text(tuple, desc, 1);
	if (rev->upgrade_sql == NULL)
		rev->upgrade_sql = pstrdup("");
	rev->downgrade_sql = get_text(tuple, desc, 2);
	rev->upgrade_line = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &isnull));
	rev->downgrade_line = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
	if (isnull)
		rev->downgrade_line = 0;
	rev->bodies_loaded = true;
	SPI_freetuptable(SPI_tuptable);
}

/* the column values of a revision, for INSERT and UPDATE */
#define REVISION_COLS 11
static void
revision_values(SmigRevision *rev, Oid *types, Datum *values, char *nulls)
{
	static const Oid coltypes[REVISION_COLS] = {TEXTOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID, TEXTOID, INT4OID,
	INT4OID, TEXTOID, TEXTARRAYOID};

	Assert(rev->bodies_loaded);
	memcpy(types, coltypes, sizeof(coltypes));
	memset(nulls, ' ', REVISION_COLS);
	values[0] = CStringGetTextDatum(rev->id);
	values[1] = smig_list_to_array(rev->down_revisions);
	values[2] = smig_list_to_array(rev->depends_on);
	values[3] = smig_list_to_array(rev->branch_labels);
	if (rev->message)
		values[4] = CStringGetTextDatum(rev->message);
	else
		nulls[4] = 'n';
	values[5] = CStringGetTextDatum(rev->upgrade_sql);
	if (rev->downgrade_sql)
		values[6] = CStringGetTextDatum(rev->downgrade_sql);
	else
		nulls[6] = 'n';
	values[7] = Int32GetDatum(rev->upgrade_line);
	if (rev->downgrade_sql)
		values[8] = Int32GetDatum(rev->downgrade_line);
	else
		nulls[8] = 'n';
	values[9] = CStringGetTextDatum(rev->checksum);
	values[10] = smig_list_to_array(rev->lint_allow);
}

/* insert a new revision */
void
smig_insert_revision(SmigRevision *rev)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[REVISION_COLS];
	Datum		values[REVISION_COLS];
	char		nulls[REVISION_COLS];

	revision_values(rev, types, values, nulls);
	exec_saved(&plan, "INSERT INTO schemamig.revisions (revision,"
			   " down_revisions, depends_on, branch_labels, message, upgrade_sql,"
			   " downgrade_sql, upgrade_line, downgrade_line, checksum,"
			   " lint_allow)"
			   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			   REVISION_COLS, types, values, nulls, false, SPI_OK_INSERT);
}

/* replace the content of a pending revision, keeping its place */
void
smig_update_revision(SmigRevision *rev)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[REVISION_COLS];
	Datum		values[REVISION_COLS];
	char		nulls[REVISION_COLS];

	revision_values(rev, types, values, nulls);
	exec_saved(&plan, "UPDATE schemamig.revisions SET down_revisions = $2,"
			   " depends_on = $3, branch_labels = $4, message = $5,"
			   " upgrade_sql = $6, downgrade_sql = $7, upgrade_line = $8,"
			   " downgrade_line = $9, checksum = $10, lint_allow = $11,"
			   " registered_at = pg_catalog.now(),"
			   " registered_by = pg_catalog.\"current_user\"()"
			   " WHERE revision OPERATOR(pg_catalog.=) $1",
			   REVISION_COLS, types, values, nulls, false, SPI_OK_UPDATE);
}

/*
 * An unchanged revision registered again: keep its line numbers true to
 * the latest script, and make the role that submitted it its author.
 */
void
smig_update_lines(SmigRevision *rev)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[3] = {TEXTOID, INT4OID, INT4OID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};

	values[0] = CStringGetTextDatum(rev->id);
	values[1] = Int32GetDatum(rev->upgrade_line);
	values[2] = Int32GetDatum(rev->downgrade_line);
	if (rev->downgrade_sql == NULL)
		nulls[2] = 'n';
	exec_saved(&plan, "UPDATE schemamig.revisions SET upgrade_line = $2,"
			   " downgrade_line = $3,"
			   " registered_by = pg_catalog.\"current_user\"()"
			   " WHERE revision OPERATOR(pg_catalog.=) $1",
			   3, types, values, nulls, false, SPI_OK_UPDATE);
}

/* run sql (plan saved in *plan): a DELETE whose $1 is a revision id */
static void
delete_by_id(SPIPlanPtr *plan, const char *sql, const char *id)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(id);
	exec_saved(plan, sql, 1, types, values, NULL, false, SPI_OK_DELETE);
}

/* unregister a revision */
void
smig_delete_revision(const char *id)
{
	static SPIPlanPtr plan = NULL;

	delete_by_id(&plan, "DELETE FROM schemamig.revisions"
				 " WHERE revision OPERATOR(pg_catalog.=) $1", id);
}

/*
 * The bookkeeping writer: every step of a run and every revision a stamp
 * records or clears goes through write_bookkeeping(), one statement that
 * inserts (or deletes) the applied row and logs the event.
 */
#define BOOKKEEPING_ARGS 7

static void
write_bookkeeping(const char *operation, bool applied, const char *id,
				  const char *checksum, List *from_revisions, const char *by,
				  int64 applied_elapsed_us, int64 event_elapsed_us)
{
	static SPIPlanPtr insert_plan = NULL;
	static SPIPlanPtr delete_plan = NULL;
	Oid			types[BOOKKEEPING_ARGS] = {TEXTOID, TEXTARRAYOID, TEXTOID,
		NAMEOID, INTERVALOID, INTERVALOID, TEXTOID};
	Datum		values[BOOKKEEPING_ARGS];
	char		nulls[BOOKKEEPING_ARGS] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = CStringGetTextDatum(id);
	values[1] = smig_list_to_array(from_revisions);
	if (checksum)
		values[2] = CStringGetTextDatum(checksum);
	else
		nulls[2] = 'n';
	values[3] = DirectFunctionCall1(namein, CStringGetDatum(by));
	/* $5 (the applied row's time) is not used by the DELETE */
	values[4] = smig_interval_datum(Max(applied_elapsed_us, 0));
	if (event_elapsed_us >= 0)
		values[5] = smig_interval_datum(event_elapsed_us);
	else
		nulls[5] = 'n';
	values[6] = CStringGetTextDatum(operation);
	if (applied)
		exec_saved(&insert_plan,
				   "WITH a AS (INSERT INTO schemamig.applied (revision,"
				   " checksum, applied_by, elapsed) VALUES ($1, $3, $4, $5))"
				   " INSERT INTO schemamig.events (operation, revision,"
				   " from_revisions, checksum, by, elapsed)"
				   " VALUES ($7, $1, $2, $3, $4, $6)",
				   BOOKKEEPING_ARGS, types, values, nulls, false,
				   SPI_OK_INSERT);
	else
		exec_saved(&delete_plan,
				   "WITH d AS (DELETE FROM schemamig.applied"
				   " WHERE revision OPERATOR(pg_catalog.=) $1)"
				   " INSERT INTO schemamig.events (operation, revision,"
				   " from_revisions, checksum, by, elapsed)"
				   " VALUES ($7, $1, $2, $3, $4, $6)",
				   BOOKKEEPING_ARGS, types, values, nulls, false,
				   SPI_OK_INSERT);
}

/*
 * smig_record_step
 *		The bookkeeping of one upgrade or downgrade step: the applied row
 *		inserted (or deleted) and the event logged, with the time the
 *		step's SQL took.
 */
void
smig_record_step(bool upgrade, const char *id, const char *checksum,
				 List *from_revisions, const char *by, int64 elapsed_us)
{
	write_bookkeeping(upgrade ? "upgrade" : "downgrade", upgrade, id,
					  checksum, from_revisions, by, elapsed_us, elapsed_us);
}

/*
 * smig_record_stamp
 *		The bookkeeping of a revision that stamp() records as applied
 *		(stamp) or no longer applied (unstamp): the same rows as a step,
 *		with no time (no SQL ran).
 */
void
smig_record_stamp(bool stamp, const char *id, const char *checksum,
				  List *from_revisions, const char *by)
{
	write_bookkeeping(stamp ? "stamp" : "unstamp", stamp, id, checksum,
					  from_revisions, by, 0, -1);
}

/* append a step to the event log */
void
smig_insert_event(const char *operation, const char *id,
				  List *from_revisions, const char *checksum,
				  const char *by, int64 elapsed_us)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[6] = {TEXTOID, TEXTOID, TEXTARRAYOID, TEXTOID,
	NAMEOID, INTERVALOID};
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = CStringGetTextDatum(operation);
	values[1] = CStringGetTextDatum(id);
	values[2] = smig_list_to_array(from_revisions);
	if (checksum)
		values[3] = CStringGetTextDatum(checksum);
	else
		nulls[3] = 'n';
	values[4] = DirectFunctionCall1(namein, CStringGetDatum(by));
	if (elapsed_us >= 0)
		values[5] = smig_interval_datum(elapsed_us);
	else
		nulls[5] = 'n';
	exec_saved(&plan, "INSERT INTO schemamig.events (operation, revision,"
			   " from_revisions, checksum, by, elapsed)"
			   " VALUES ($1, $2, $3, $4, $5, $6)",
			   6, types, values, nulls, false, SPI_OK_INSERT);
}

/* column col of tuple as a palloc'd C string, or NULL */
static char *
get_text(HeapTuple tuple, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, col, &isnull);

	if (isnull)
		return NULL;
	return TextDatumGetCString(d);
}
