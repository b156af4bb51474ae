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

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "catalog.h"

static char *get_text(HeapTuple tuple, TupleDesc desc, int col);
static List *get_list(HeapTuple tuple, TupleDesc desc, int col);
static void delete_by_id(const char *sql, const char *id);

/*
 * smig_spi_exec
 *		SPI_execute_with_args that checks the result code against expected
 *		(an SPI_OK_* code) and restores CurrentMemoryContext afterwards.
 */
int
smig_spi_exec(const char *sql, int nargs, Oid *types, Datum *values,
			  const char *nulls, bool read_only, int expected)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			ret;

	ret = SPI_execute_with_args(sql, nargs, types, values, nulls,
								read_only, 0);
	MemoryContextSwitchTo(cxt);
	if (ret != expected)
		elog(ERROR, "schemamig: internal query failed (%s): %s",
			 SPI_result_code_string(ret), sql);
	return ret;
}

/*
 * smig_load_revisions
 *		Every registered revision, in registration order, without bodies.
 */
List *
smig_load_revisions(bool read_only)
{
	List	   *result = NIL;
	uint64		i;

	smig_spi_exec("SELECT revision, down_revisions, depends_on, branch_labels,"
				  " message, downgrade_sql IS NOT NULL, checksum, seq,"
				  " upgrade_line, downgrade_line, registered_by, lint_allow"
				  " FROM schemamig.revisions ORDER BY seq",
				  0, NULL, NULL, NULL, read_only, SPI_OK_SELECT);

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		SmigRevision *rev = palloc0(sizeof(SmigRevision));
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		rev->id = get_text(tuple, desc, 1);
		rev->down_revisions = get_list(tuple, desc, 2);
		rev->depends_on = get_list(tuple, desc, 3);
		rev->branch_labels = get_list(tuple, desc, 4);
		rev->message = get_text(tuple, desc, 5);
		rev->reversible = DatumGetBool(SPI_getbinval(tuple, desc, 6, &isnull));
		rev->checksum = get_text(tuple, desc, 7);
		rev->seq = DatumGetInt64(SPI_getbinval(tuple, desc, 8, &isnull));
		rev->upgrade_line = DatumGetInt32(SPI_getbinval(tuple, desc, 9, &isnull));
		rev->downgrade_line = DatumGetInt32(SPI_getbinval(tuple, desc, 10, &isnull));
		if (isnull)
			rev->downgrade_line = 0;
		{
			Datum		by = SPI_getbinval(tuple, desc, 11, &isnull);

			rev->registered_by = isnull ? NULL :
				pstrdup(NameStr(*DatumGetName(by)));
		}
		rev->lint_allow = get_list(tuple, desc, 12);
		if (rev->id == NULL || rev->checksum == NULL)
			elog(ERROR, "schemamig.revisions holds a row without id or checksum");
		result = lappend(result, rev);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * smig_load_applied
 *		Every row of schemamig.applied (List of SmigApplied *), by id.
 */
List *
smig_load_applied(bool read_only)
{
	List	   *result = NIL;
	uint64		i;

	smig_spi_exec("SELECT revision, checksum, applied_at, applied_by"
				  " FROM schemamig.applied ORDER BY applied_at, revision",
				  0, NULL, NULL, NULL, read_only, SPI_OK_SELECT);

	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		SmigApplied *app = palloc0(sizeof(SmigApplied));
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		app->id = get_text(tuple, desc, 1);
		app->checksum = get_text(tuple, desc, 2);
		app->applied_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 3, &isnull));
		app->applied_by = pstrdup(NameStr(*DatumGetName(SPI_getbinval(tuple, desc, 4, &isnull))));
		if (app->id == NULL)
			elog(ERROR, "schemamig.applied holds a row without id");
		result = lappend(result, app);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * smig_load_bodies
 *		Fetch the upgrade and downgrade SQL of a loaded revision.
 */
void
smig_load_bodies(SmigRevision *rev, bool read_only)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;

	if (rev->bodies_loaded)
		return;
	values[0] = CStringGetTextDatum(rev->id);
	smig_spi_exec("SELECT upgrade_sql, downgrade_sql, upgrade_line,"
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
	Oid			types[REVISION_COLS];
	Datum		values[REVISION_COLS];
	char		nulls[REVISION_COLS];

	revision_values(rev, types, values, nulls);
	smig_spi_exec("INSERT INTO schemamig.revisions (revision, down_revisions,"
				  " depends_on, branch_labels, message, upgrade_sql,"
				  " downgrade_sql, upgrade_line, downgrade_line, checksum,"
				  " lint_allow)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
				  REVISION_COLS, types, values, nulls, false, SPI_OK_INSERT);
}

/* replace the content of a pending revision, keeping its place */
void
smig_update_revision(SmigRevision *rev)
{
	Oid			types[REVISION_COLS];
	Datum		values[REVISION_COLS];
	char		nulls[REVISION_COLS];

	revision_values(rev, types, values, nulls);
	smig_spi_exec("UPDATE schemamig.revisions SET down_revisions = $2,"
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
	Oid			types[3] = {TEXTOID, INT4OID, INT4OID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};

	values[0] = CStringGetTextDatum(rev->id);
	values[1] = Int32GetDatum(rev->upgrade_line);
	values[2] = Int32GetDatum(rev->downgrade_line);
	if (rev->downgrade_sql == NULL)
		nulls[2] = 'n';
	smig_spi_exec("UPDATE schemamig.revisions SET upgrade_line = $2,"
				  " downgrade_line = $3,"
				  " registered_by = pg_catalog.\"current_user\"()"
				  " WHERE revision OPERATOR(pg_catalog.=) $1",
				  3, types, values, nulls, false, SPI_OK_UPDATE);
}

/* run sql, a DELETE whose only parameter $1 is a revision id */
static void
delete_by_id(const char *sql, const char *id)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];

	values[0] = CStringGetTextDatum(id);
	smig_spi_exec(sql, 1, types, values, NULL, false, SPI_OK_DELETE);
}

/* unregister a revision */
void
smig_delete_revision(const char *id)
{
	delete_by_id("DELETE FROM schemamig.revisions"
				 " WHERE revision OPERATOR(pg_catalog.=) $1", id);
}

/* record a revision as applied */
void
smig_insert_applied(const char *id, const char *checksum, const char *by,
					int64 elapsed_us)
{
	Oid			types[4] = {TEXTOID, TEXTOID, NAMEOID, INTERVALOID};
	Datum		values[4];

	values[0] = CStringGetTextDatum(id);
	values[1] = CStringGetTextDatum(checksum);
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(by));
	values[3] = smig_interval_datum(elapsed_us);
	smig_spi_exec("INSERT INTO schemamig.applied (revision, checksum,"
				  " applied_by, elapsed) VALUES ($1, $2, $3, $4)",
				  4, types, values, NULL, false, SPI_OK_INSERT);
}

/* record a revision as no longer applied */
void
smig_delete_applied(const char *id)
{
	delete_by_id("DELETE FROM schemamig.applied"
				 " WHERE revision OPERATOR(pg_catalog.=) $1", id);
}

/* append a step to the event log */
void
smig_insert_event(const char *operation, const char *id,
				  List *from_revisions, const char *checksum,
				  const char *by, int64 elapsed_us)
{
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
	smig_spi_exec("INSERT INTO schemamig.events (operation, revision,"
				  " from_revisions, checksum, by, elapsed)"
				  " VALUES ($1, $2, $3, $4, $5, $6)",
				  6, types, values, nulls, false, SPI_OK_INSERT);
}

/*
 * Datum helpers
 */

/* a text[] datum from a List of C strings (empty array for NIL) */
Datum
smig_list_to_array(List *strings)
{
	int			n = list_length(strings);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, strings)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/* a List of C strings from a text[] datum; NULL elements are skipped */
List *
smig_array_to_list(Datum array)
{
	ArrayType  *arr = DatumGetArrayTypeP(array);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	List	   *result = NIL;

	if (ARR_ELEMTYPE(arr) != TEXTOID)
		elog(ERROR, "expected a text[] array");
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
		if (!nulls[i])
			result = lappend(result, TextDatumGetCString(elems[i]));
	return result;
}

/* an interval datum of usecs microseconds */
Datum
smig_interval_datum(int64 usecs)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = usecs;
	return IntervalPGetDatum(iv);
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

/* column col of tuple, a text[], as a List of C strings */
static List *
get_list(HeapTuple tuple, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, col, &isnull);

	if (isnull)
		return NIL;
	return smig_array_to_list(d);
}
