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
 * Only this file writes the tables (and model/partial.c, schemamig.partial,
 * through the helpers catalog_int.h shares with it).  From 0.2 a trigger on them
 * (schemamig.catalog_guard(), defined here) refuses every other write by a
 * role that is not a superuser or the tables' owner, and the writes below
 * run as the tables' owner: migration roles need no write privilege, so
 * they cannot forge a revision's author or edit the SQL it vouches for.
 * The author is stored by role OID as well as by name, set here from the
 * calling role.  A catalog still at 0.1 (library updated, ALTER EXTENSION
 * UPDATE not run yet) has neither the trigger nor the OID column: it is
 * read and written as 0.1 did, authors by name, with a WARNING.
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
#include "commands/trigger.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_relation.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "model/catalog.h"
#include "model/catalog_int.h"

static Oid	catalog_owner(void);
static void prepare_as_owner(SPIPlanPtr *slot, const char *sql, int nargs,
							 Oid *types);

/*
 * True while one of the writes below runs: schemamig.catalog_guard() lets
 * it through.  Set and reset around the statement only (PG_FINALLY), so no
 * other code, and in particular no revision SQL, ever runs while it is set.
 */
static bool catalog_writing = false;


/*
 * smig_cat_saved_plan
 *		The plan of sql, prepared and saved (SPI_keepplan) on first use in
 *		the session and kept in *slot: the bookkeeping queries run once per
 *		revision, and parsing and planning them each time cost more than
 *		running them.  The plan cache re-plans when the tables change (as
 *		after DROP and CREATE EXTENSION); the queries do not depend on
 *		search_path.
 */
SPIPlanPtr
smig_cat_saved_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *types)
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
 * smig_cat_exec_saved
 *		smig_spi_exec() of a saved plan (see smig_cat_saved_plan()).  A statement
 *		that is not a SELECT is one of the bookkeeping writes of this file:
 *		it runs as the tables' owner (smig_cat_exec_as_owner()).
 */
int
smig_cat_exec_saved(SPIPlanPtr *slot, const char *sql, int nargs, Oid *types,
		   Datum *values, const char *nulls, bool read_only, int expected)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = smig_cat_saved_plan(slot, sql, nargs, types);
	int			ret;

	if (expected == SPI_OK_SELECT)
		ret = SPI_execute_plan(plan, values, nulls, read_only, 0);
	else
		ret = smig_cat_exec_as_owner(plan, values, nulls);
	MemoryContextSwitchTo(cxt);
	if (ret != expected)
		elog(ERROR, "schemamig: internal query failed (%s): %s",
			 SPI_result_code_string(ret), sql);
	return ret;
}

/*
 * catalog_owner
 *		The owner of schemamig.revisions (and of the other tables: CREATE
 *		EXTENSION made them all).
 */
static Oid
catalog_owner(void)
{
	Oid			nsp = get_namespace_oid("schemamig", true);
	Oid			relid = OidIsValid(nsp) ?
		get_relname_relid("revisions", nsp) : InvalidOid;
	HeapTuple	tuple;
	Oid			owner;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("schemamig's catalog table schemamig.revisions does not exist"),
				 errhint("Another session may have dropped the extension schemamig.")));
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("schemamig's catalog table schemamig.revisions does not exist"),
				 errhint("Another session may have dropped the extension schemamig.")));
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * smig_cat_exec_as_owner
 *		Execute the saved bookkeeping statement plan as the owner of the
 *		catalog tables, with catalog_writing set so that the guard trigger
 *		lets it through.  The statement is one of this file's fixed,
 *		schema-qualified, parameterised writes: nothing in it is the
 *		caller's but the parameter values, and no user code runs in it.
 *		SECURITY_RESTRICTED_OPERATION as for any code run on another
 *		role's behalf.  The caller's role and the flag are restored on
 *		every path.
 */
int
smig_cat_exec_as_owner(SPIPlanPtr plan, Datum *values, const char *nulls)
{
	Oid			owner = catalog_owner();
	Oid			save_userid;
	int			save_sec_context;
	bool		save_writing = catalog_writing;
	volatile int ret;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	catalog_writing = true;
	PG_TRY();
	{
		ret = SPI_execute_plan(plan, values, nulls, false, 0);
	}
	PG_FINALLY();
	{
		catalog_writing = save_writing;
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	return ret;
}

/*
 * catalog_guard() trigger: BEFORE INSERT, UPDATE, DELETE or TRUNCATE, FOR
 * EACH STATEMENT, on schemamig.revisions, applied and events.  Lets through
 * schemamig's own writes (smig_cat_exec_as_owner()), superusers, and roles with the
 * privileges of the table's owner (they could disable the trigger anyway;
 * pg_restore of the history runs as one of them).  Everyone else is
 * refused: a role that could write these tables could make a revision's
 * SQL look registered by another role, or change that SQL after review.
 */
PG_FUNCTION_INFO_V1(schemamig_catalog_guard);
Datum
schemamig_catalog_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	const char *what;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("schemamig.catalog_guard() must be called as a trigger")));
	event = trigdata->tg_event;
	if (!TRIGGER_FIRED_BEFORE(event) || !TRIGGER_FIRED_FOR_STATEMENT(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("schemamig.catalog_guard() must fire BEFORE, FOR EACH STATEMENT")));

	if (catalog_writing || superuser() ||
		has_privs_of_role(GetUserId(), trigdata->tg_relation->rd_rel->relowner))
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_BY_INSERT(event))
		what = "insert into";
	else if (TRIGGER_FIRED_BY_UPDATE(event))
		what = "update";
	else if (TRIGGER_FIRED_BY_DELETE(event))
		what = "delete from";
	else
		what = "truncate";
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot %s schemamig.%s directly", what,
					RelationGetRelationName(trigdata->tg_relation)),
			 errdetail("Only schemamig's functions write its catalog, so that who registered a revision, and the SQL that role vouches for, cannot be changed behind their back."),
			 errhint("Use schemamig.register(), revision(), merge() or forget() to change revisions, and upgrade(), downgrade() or stamp() to change what is applied.")));
	return PointerGetDatum(NULL);	/* keep the compiler quiet */
}

/*
 * smig_cat_has_author_oid
 *		Does schemamig.revisions have the 0.2 column registered_by_oid?  Not
 *		before ALTER EXTENSION schemamig UPDATE of a 0.1 catalog.  The 0.2
 *		column transactional (issue 18) comes with the same update.
 */
bool
smig_cat_has_author_oid(void)
{
	Oid			nsp = get_namespace_oid("schemamig", true);
	Oid			relid = OidIsValid(nsp) ?
		get_relname_relid("revisions", nsp) : InvalidOid;

	return OidIsValid(relid) &&
		get_attnum(relid, "registered_by_oid") != InvalidAttrNumber;
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
#define SCAN_MAX_COLS 14
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
	portal = SPI_cursor_open(NULL, smig_cat_saved_plan(slot, sql, 0, NULL),
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
 * open_catalog_table
 *		Look up schemamig.<relname> and lock it with AccessShareLock in one
 *		step, as the parser does for a query: RangeVarGetRelidExtended()
 *		takes the lock and then looks the name up again, retrying until the
 *		name and the locked relation agree.  Looking the OID up first and
 *		locking it afterwards (as this code once did) fails with "could not
 *		open relation with OID" when DROP EXTENSION and CREATE EXTENSION run
 *		in another session while we wait for the lock: after the wait we
 *		get the table that exists now (the new one), or a clear error when
 *		there is none.  The lock is held to the end of the transaction, as
 *		the executor would hold it.
 */
static Oid
open_catalog_table(const char *relname)
{
	Oid			relid;

	relid = RangeVarGetRelidExtended(makeRangeVar("schemamig",
												  pstrdup(relname), -1),
									 AccessShareLock, RVR_MISSING_OK,
									 NULL, NULL);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("schemamig's catalog changed while it was being read: table schemamig.%s does not exist",
						relname),
				 errdetail("The extension schemamig was dropped, or is being re-installed, by another session."),
				 errhint("Retry once CREATE EXTENSION schemamig has committed.")));
	return relid;
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
 *		The table is resolved and locked first (open_catalog_table), and
 *		everything else (privileges, policies, columns) is read from the
 *		relation that is locked, so a concurrent re-install can no longer
 *		pull it away between the look-up and the scan.
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
	relid = open_catalog_table(relname);
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
		check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		return false;

	/* locked above: the relation cannot go away under us any more */
	rel = table_open(relid, NoLock);
	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relam != HEAP_TABLE_AM_OID)
	{
		table_close(rel, NoLock);
		return false;
	}
	desc = RelationGetDescr(rel);
	for (i = 0; i < natts; i++)
	{
		attnums[i] = attnameAttNum(rel, colnames[i], false);
		if (attnums[i] <= 0 || attnums[i] > desc->natts)
		{
			table_close(rel, NoLock);
			return false;
		}
	}
	all_values = palloc(sizeof(Datum) * desc->natts);
	all_nulls = palloc(sizeof(bool) * desc->natts);

	/*
	 * The snapshot SPI would use.  Every caller today runs inside a query,
	 * which has an active snapshot; one that does not (a procedure after
	 * COMMIT, a background worker) reads with the transaction snapshot.
	 */
	if (read_only && ActiveSnapshotSet())
		snapshot = GetActiveSnapshot();
	else
	{
		if (!read_only)
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
	bool		by_name;		/* 0.1 catalog: author OID from the name */
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
	if (rows->by_name)
		rev->registered_by_oid = rev->registered_by ?
			get_role_oid(rev->registered_by, true) : InvalidOid;
	else
		rev->registered_by_oid = isnull[12] ? InvalidOid :
			DatumGetObjectId(values[12]);
	/* transactional: 0.2 (issue 18); absent in 0.1, where all are */
	rev->nontx = !rows->by_name && !isnull[13] && !DatumGetBool(values[13]);

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
	static SPIPlanPtr plan_0_1 = NULL;
	RevisionRows rows;
	List	   *result = NIL;
	int			natts;
	int			i;

	static const char *const cols[14] = {"revision", "down_revisions",
		"depends_on", "branch_labels", "message", "downgrade_sql", "checksum",
		"seq", "upgrade_line", "downgrade_line", "registered_by", "lint_allow",
	"registered_by_oid", "transactional"};

	memset(&rows, 0, sizeof(rows));
	rows.by_name = !smig_cat_has_author_oid();
	natts = rows.by_name ? 12 : 14;
	if (rows.by_name && !read_only)
		ereport(WARNING,
				(errmsg("schemamig's catalog is still at version 0.1: the author of a revision is known by role name only"),
				 errdetail("Roles with write privileges on schemamig.revisions can change that name, and run SQL with the privileges of the roles it names."),
				 errhint("Run ALTER EXTENSION schemamig UPDATE.")));
	if (!scan_direct("revisions", cols, natts, 1 << 5, read_only,
					 revision_row, &rows))
	{
		if (rows.by_name)
			scan_saved(&plan_0_1,
					   "SELECT revision, down_revisions, depends_on,"
					   " branch_labels, message, downgrade_sql IS NOT NULL,"
					   " checksum, seq, upgrade_line, downgrade_line,"
					   " registered_by, lint_allow FROM schemamig.revisions",
					   12, read_only, revision_row, &rows);
		else
			scan_saved(&plan,
					   "SELECT revision, down_revisions, depends_on,"
					   " branch_labels, message, downgrade_sql IS NOT NULL,"
					   " checksum, seq, upgrade_line, downgrade_line,"
					   " registered_by, lint_allow, registered_by_oid,"
					   " transactional FROM schemamig.revisions",
					   14, read_only, revision_row, &rows);
	}
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
 *		Fetch the upgrade and downgrade SQL of a loaded revision, and
 *		compute their checksum (bodies_checksum): the stored checksum
 *		column is not to be trusted for the bodies actually read.
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
	smig_cat_exec_saved(&plan, "SELECT upgrade_sql, downgrade_sql, upgrade_line,"
			   " downgrade_line FROM schemamig.revisions"
			   " WHERE revision OPERATOR(pg_catalog.=) $1",
			   1, types, values, NULL, read_only, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" was unregistered while in use", rev->id)));
	tuple = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	rev->upgrade_sql = smig_cat_get_text(tuple, desc, 1);
	if (rev->upgrade_sql == NULL)
		rev->upgrade_sql = pstrdup("");
	rev->downgrade_sql = smig_cat_get_text(tuple, desc, 2);
	rev->upgrade_line = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &isnull));
	rev->downgrade_line = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
	if (isnull)
		rev->downgrade_line = 0;
	rev->bodies_checksum = smig_checksum(rev->upgrade_sql, rev->downgrade_sql);
	rev->bodies_loaded = true;
	SPI_freetuptable(SPI_tuptable);
}

/*
 * The column values of a revision, for INSERT and UPDATE, and its author:
 * the calling role, by name ($12) and by OID ($13, 0.2 catalogs only).
 * Set here, never from the caller's input, and passed explicitly: the
 * statement runs as the tables' owner, whose name CURRENT_USER would give.
 */
#define REVISION_COLS 14
static void
revision_values(SmigRevision *rev, Oid *types, Datum *values, char *nulls)
{
	static const Oid coltypes[REVISION_COLS] = {TEXTOID, TEXTARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, TEXTOID, TEXTOID, TEXTOID, INT4OID,
	INT4OID, TEXTOID, TEXTARRAYOID, NAMEOID, OIDOID, BOOLOID};
	Oid			author = GetUserId();

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
	values[11] = DirectFunctionCall1(namein,
									 CStringGetDatum(GetUserNameFromId(author, false)));
	values[12] = ObjectIdGetDatum(author);
	values[13] = BoolGetDatum(!rev->nontx);
}

/* insert a new revision */
void
smig_insert_revision(SmigRevision *rev)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr plan_0_1 = NULL;
	Oid			types[REVISION_COLS];
	Datum		values[REVISION_COLS];
	char		nulls[REVISION_COLS];

	revision_values(rev, types, values, nulls);
	if (smig_cat_has_author_oid())
		smig_cat_exec_saved(&plan, "INSERT INTO schemamig.revisions (revision,"
				   " down_revisions, depends_on, branch_labels, message,"
				   " upgrade_sql, downgrade_sql, upgrade_line, downgrade_line,"
				   " checksum, lint_allow, registered_by, registered_by_oid,"
				   " transactional)"
				   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
				   " $12, $13, $14)",
				   REVISION_COLS, types, values, nulls, false, SPI_OK_INSERT);
	else
		smig_cat_exec_saved(&plan_0_1, "INSERT INTO schemamig.revisions (revision,"
				   " down_revisions, depends_on, branch_labels, message,"
				   " upgrade_sql, downgrade_sql, upgrade_line, downgrade_line,"
				   " checksum, lint_allow, registered_by)"
				   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
				   " $12)",
				   REVISION_COLS - 2, types, values, nulls, false,
				   SPI_OK_INSERT);
}

/* replace the content of a pending revision, keeping its place */
void
smig_update_revision(SmigRevision *rev)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr plan_0_1 = NULL;
	Oid			types[REVISION_COLS];
	Datum		values[REVISION_COLS];
	char		nulls[REVISION_COLS];

	revision_values(rev, types, values, nulls);
	if (smig_cat_has_author_oid())
		smig_cat_exec_saved(&plan, "UPDATE schemamig.revisions SET down_revisions = $2,"
				   " depends_on = $3, branch_labels = $4, message = $5,"
				   " upgrade_sql = $6, downgrade_sql = $7, upgrade_line = $8,"
				   " downgrade_line = $9, checksum = $10, lint_allow = $11,"
				   " registered_at = pg_catalog.now(), registered_by = $12,"
				   " registered_by_oid = $13, transactional = $14"
				   " WHERE revision OPERATOR(pg_catalog.=) $1",
				   REVISION_COLS, types, values, nulls, false, SPI_OK_UPDATE);
	else
		smig_cat_exec_saved(&plan_0_1, "UPDATE schemamig.revisions SET"
				   " down_revisions = $2,"
				   " depends_on = $3, branch_labels = $4, message = $5,"
				   " upgrade_sql = $6, downgrade_sql = $7, upgrade_line = $8,"
				   " downgrade_line = $9, checksum = $10, lint_allow = $11,"
				   " registered_at = pg_catalog.now(), registered_by = $12"
				   " WHERE revision OPERATOR(pg_catalog.=) $1",
				   REVISION_COLS - 2, types, values, nulls, false,
				   SPI_OK_UPDATE);
}

/*
 * An unchanged revision registered again (its stored bodies equal the
 * script's): keep its line numbers true to the latest script, and make the
 * role that submitted it its author.
 */
void
smig_update_lines(SmigRevision *rev)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr plan_0_1 = NULL;
	Oid			types[5] = {TEXTOID, INT4OID, INT4OID, NAMEOID, OIDOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	Oid			author = GetUserId();

	values[0] = CStringGetTextDatum(rev->id);
	values[1] = Int32GetDatum(rev->upgrade_line);
	values[2] = Int32GetDatum(rev->downgrade_line);
	if (rev->downgrade_sql == NULL)
		nulls[2] = 'n';
	values[3] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(author, false)));
	values[4] = ObjectIdGetDatum(author);
	if (smig_cat_has_author_oid())
		smig_cat_exec_saved(&plan, "UPDATE schemamig.revisions SET upgrade_line = $2,"
				   " downgrade_line = $3, registered_by = $4,"
				   " registered_by_oid = $5"
				   " WHERE revision OPERATOR(pg_catalog.=) $1",
				   5, types, values, nulls, false, SPI_OK_UPDATE);
	else
		smig_cat_exec_saved(&plan_0_1, "UPDATE schemamig.revisions SET"
				   " upgrade_line = $2, downgrade_line = $3, registered_by = $4"
				   " WHERE revision OPERATOR(pg_catalog.=) $1",
				   4, types, values, nulls, false, SPI_OK_UPDATE);
}

/* run sql (plan saved in *plan): a DELETE whose $1 is a revision id */
void
smig_cat_delete_by_id(SPIPlanPtr *plan, const char *sql, const char *id)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(id);
	smig_cat_exec_saved(plan, sql, 1, types, values, NULL, false, SPI_OK_DELETE);
}

/* unregister a revision */
void
smig_delete_revision(const char *id)
{
	static SPIPlanPtr plan = NULL;

	smig_cat_delete_by_id(&plan, "DELETE FROM schemamig.revisions"
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
		smig_cat_exec_saved(&insert_plan,
				   "WITH a AS (INSERT INTO schemamig.applied (revision,"
				   " checksum, applied_by, elapsed) VALUES ($1, $3, $4, $5))"
				   " INSERT INTO schemamig.events (operation, revision,"
				   " from_revisions, checksum, by, elapsed)"
				   " VALUES ($7, $1, $2, $3, $4, $6)",
				   BOOKKEEPING_ARGS, types, values, nulls, false,
				   SPI_OK_INSERT);
	else
		smig_cat_exec_saved(&delete_plan,
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

/*
 * smig_catalog_write
 *		One of the drift record's fixed, parameterised writes (schema/drift.c,
 *		schema/audit.c) on schemamig's tables, prepared once and run as the
 *		tables' owner behind catalog_guard, like the writes above.
 */
int
smig_catalog_write(SPIPlanPtr *slot, const char *sql, int nargs, Oid *types,
				   Datum *values, const char *nulls, int expected)
{
	/*
	 * Prepared as the owner too: the caller (the audit trigger runs for
	 * any role's DDL) may have no USAGE on schema schemamig.
	 */
	if (*slot == NULL)
		prepare_as_owner(slot, sql, nargs, types);
	return smig_cat_exec_saved(slot, sql, nargs, types, values, nulls, false, expected);
}

/*
 * smig_catalog_read
 *		A fixed read of the drift record (schema/drift.c) as the tables'
 *		owner: check() and drift() report drift to whoever may run them,
 *		without SELECT on schemamig.schema_snapshot and ddl_audit.
 */
int
smig_catalog_read(SPIPlanPtr *slot, const char *sql, int nargs, Oid *types,
				  Datum *values, const char *nulls)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			ret;

	if (*slot == NULL)
		prepare_as_owner(slot, sql, nargs, types);
	ret = smig_cat_exec_as_owner(*slot, values, nulls);
	MemoryContextSwitchTo(cxt);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "schemamig: internal query failed (%s): %s",
			 SPI_result_code_string(ret), sql);
	return ret;
}

/* smig_cat_saved_plan() as the tables' owner */
static void
prepare_as_owner(SPIPlanPtr *slot, const char *sql, int nargs, Oid *types)
{
	Oid			owner = catalog_owner();
	Oid			save_userid;
	int			save_sec_context;

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	PG_TRY();
	{
		(void) smig_cat_saved_plan(slot, sql, nargs, types);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
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
	smig_cat_exec_saved(&plan, "INSERT INTO schemamig.events (operation, revision,"
			   " from_revisions, checksum, by, elapsed)"
			   " VALUES ($1, $2, $3, $4, $5, $6)",
			   6, types, values, nulls, false, SPI_OK_INSERT);
}

/*
 * smig_log_forget
 *		Log that rev was unregistered by the calling role.  A 0.1 catalog
 *		has no 'forget' operation: nothing is logged there.
 */
void
smig_log_forget(SmigRevision *rev)
{
	if (!smig_cat_has_author_oid())
		return;
	smig_insert_event("forget", rev->id, rev->down_revisions, rev->checksum,
					  GetUserNameFromId(GetUserId(), false), -1);
}

/* what checksum_row() needs */
typedef struct ChecksumRows
{
	MemoryContext rowcxt;
	SmigChecksumFn fn;
	void	   *arg;
} ChecksumRows;

/* scan_saved() callback: one revision's bodies, hashed */
static void
checksum_row(Datum *values, bool *isnull, void *arg)
{
	ChecksumRows *rows = (ChecksumRows *) arg;
	MemoryContext oldcxt = MemoryContextSwitchTo(rows->rowcxt);

	if (isnull[0] || isnull[1])
		elog(ERROR, "schemamig.revisions holds a row without id or upgrade_sql");
	rows->fn(TextDatumGetCString(values[0]),
			 smig_checksum(TextDatumGetCString(values[1]),
						   isnull[2] ? NULL : TextDatumGetCString(values[2])),
			 rows->arg);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(rows->rowcxt);
}

/*
 * smig_scan_checksums
 *		Call fn(id, checksum, arg) for every registered revision, with the
 *		checksum computed from the bodies stored now (not the checksum
 *		column).  One cursor over the table; fn's strings live until it
 *		returns.
 */
void
smig_scan_checksums(bool read_only, SmigChecksumFn fn, void *arg)
{
	static SPIPlanPtr plan = NULL;
	ChecksumRows rows;

	rows.rowcxt = AllocSetContextCreate(CurrentMemoryContext,
										"schemamig checksum row",
										ALLOCSET_DEFAULT_SIZES);
	rows.fn = fn;
	rows.arg = arg;
	scan_saved(&plan, "SELECT revision, upgrade_sql, downgrade_sql"
			   " FROM schemamig.revisions",
			   3, read_only, checksum_row, &rows);
	MemoryContextDelete(rows.rowcxt);
}

/* column col of tuple as a palloc'd C string, or NULL */
char *
smig_cat_get_text(HeapTuple tuple, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, col, &isnull);

	if (isnull)
		return NULL;
	return TextDatumGetCString(d);
}
