/*-------------------------------------------------------------------------
 *
 * partial.c
 *	  schemamig.partial: how far a revision without a transaction has got
 *	  (the statements finished, the lease of the one running in a
 *	  background worker, why it stopped).  Read and written as the tables'
 *	  owner with catalog.c's helpers (catalog_int.h), like the rest of the
 *	  bookkeeping.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "model/catalog.h"
#include "model/catalog_int.h"

/*
 * smig_load_partial
 *		The rows of schemamig.partial (issue 18), read with a fresh snapshot;
 *		none on a 0.1 catalog, which has no such table.
 */
List *
smig_load_partial(void)
{
	static SPIPlanPtr plan = NULL;
	List	   *result = NIL;
	uint64		i;

	if (!smig_cat_has_author_oid())
		return NIL;
	/*
	 * Read as the tables' owner, like the writes: a role that may read the
	 * history (status(), check()) or run revisions needs no privilege on
	 * this table, added in 0.2, to learn that a revision is partly run.
	 */
	if (smig_cat_exec_as_owner(smig_cat_saved_plan(&plan,
								 "SELECT revision, operation OPERATOR(pg_catalog.=) 'upgrade',"
								 " checksum, done, statements, coalesce(running, 0),"
								 " coalesce(pid, 0), last_error, started_at::pg_catalog.text"
								 " FROM schemamig.partial ORDER BY revision",
								 0, NULL),
					  NULL, NULL) != SPI_OK_SELECT)
		elog(ERROR, "schemamig: could not read schemamig.partial");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		SmigPartial *p = palloc0(sizeof(SmigPartial));
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		p->revision = smig_cat_get_text(tuple, desc, 1);
		p->upgrade = DatumGetBool(SPI_getbinval(tuple, desc, 2, &isnull));
		p->checksum = smig_cat_get_text(tuple, desc, 3);
		p->done = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
		p->statements = DatumGetInt32(SPI_getbinval(tuple, desc, 5, &isnull));
		p->running = DatumGetInt32(SPI_getbinval(tuple, desc, 6, &isnull));
		p->pid = DatumGetInt32(SPI_getbinval(tuple, desc, 7, &isnull));
		p->last_error = smig_cat_get_text(tuple, desc, 8);
		p->since = smig_cat_get_text(tuple, desc, 9);
		result = lappend(result, p);
	}
	SPI_freetuptable(SPI_tuptable);
	return result;
}

/*
 * smig_write_partial
 *		Record where a revision without a transaction is: done statements
 *		of the upgrade (or downgrade) section finished; running > 0 takes
 *		the lease for statement running in this backend; error (or NULL)
 *		is why it stopped.  started_at is kept while the section stays the
 *		same.
 */
#define PARTIAL_ARGS 7
void
smig_write_partial(const char *id, bool upgrade, const char *checksum,
				   int done, int statements, int running, const char *error)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[PARTIAL_ARGS] = {TEXTOID, TEXTOID, TEXTOID, INT4OID,
	INT4OID, INT4OID, TEXTOID};
	Datum		values[PARTIAL_ARGS];
	char		nulls[PARTIAL_ARGS] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = CStringGetTextDatum(id);
	values[1] = CStringGetTextDatum(upgrade ? "upgrade" : "downgrade");
	values[2] = CStringGetTextDatum(checksum);
	values[3] = Int32GetDatum(done);
	values[4] = Int32GetDatum(statements);
	values[5] = Int32GetDatum(running);
	if (running <= 0)
		nulls[5] = 'n';
	if (error != NULL)
		values[6] = CStringGetTextDatum(error);
	else
		nulls[6] = 'n';
	smig_cat_exec_saved(&plan,
			   "INSERT INTO schemamig.partial (revision, operation,"
			   " checksum, done, statements, running, pid, lease_at,"
			   " stopped_at, last_error)"
			   " VALUES ($1, $2, $3, $4, $5, $6,"
			   "  CASE WHEN $6 IS NULL THEN NULL ELSE pg_catalog.pg_backend_pid() END,"
			   "  CASE WHEN $6 IS NULL THEN NULL ELSE pg_catalog.clock_timestamp() END,"
			   "  CASE WHEN $7 IS NULL THEN NULL ELSE pg_catalog.clock_timestamp() END,"
			   "  $7)"
			   " ON CONFLICT (revision) DO UPDATE SET"
			   " started_at = CASE WHEN partial.operation OPERATOR(pg_catalog.=) EXCLUDED.operation"
			   "  THEN partial.started_at ELSE EXCLUDED.started_at END,"
			   " operation = EXCLUDED.operation, checksum = EXCLUDED.checksum,"
			   " done = EXCLUDED.done, statements = EXCLUDED.statements,"
			   " running = EXCLUDED.running, pid = EXCLUDED.pid,"
			   " lease_at = EXCLUDED.lease_at,"
			   " stopped_at = EXCLUDED.stopped_at,"
			   " last_error = EXCLUDED.last_error",
			   PARTIAL_ARGS, types, values, nulls, false, SPI_OK_INSERT);
}

/* a revision without a transaction is finished (or undone): no row */
void
smig_delete_partial(const char *id)
{
	static SPIPlanPtr plan = NULL;

	if (!smig_cat_has_author_oid())
		return;
	smig_cat_delete_by_id(&plan, "DELETE FROM schemamig.partial"
				 " WHERE revision OPERATOR(pg_catalog.=) $1", id);
}
