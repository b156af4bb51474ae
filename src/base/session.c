/*-------------------------------------------------------------------------
 *
 * session.c
 *	  The session toolkit every area uses: refusing writes where they
 *	  cannot happen (standby, read-only transaction, inside a revision),
 *	  the migration lock, the serialization check for REPEATABLE READ and
 *	  SERIALIZABLE callers, and the operation's memory context and SPI
 *	  connection.  It knows nothing of revisions or plans.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "base/session.h"
#include "schemamig.h"

bool		smig_in_revision = false;

static void check_snapshot_is_current(const char *fname);

/*
 * smig_begin_write
 *		Checks and locking before any function that writes: refuse on a hot
 *		standby, in a read-only transaction and from inside a revision, then
 *		wait for the migration lock.
 */
void
smig_begin_write(const char *fname)
{
	char	   *what = psprintf("schemamig.%s()", fname);

	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("cannot run %s on a hot standby", what),
				 errhint("Run it on the primary; the reading functions (status, current, history, check) work here.")));
	if (smig_in_revision)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s cannot be called from inside a revision", what)));
	PreventCommandIfReadOnly(what);

	if (!smig_debug_skip_lock)
		DirectFunctionCall2(pg_advisory_xact_lock_int4,
							Int32GetDatum(SMIG_LOCK_KEY1),
							Int32GetDatum(SMIG_LOCK_KEY2));

	if (IsolationUsesXactSnapshot())
		check_snapshot_is_current(fname);
}

/*
 * check_snapshot_is_current
 *		In REPEATABLE READ or SERIALIZABLE the transaction's snapshot may
 *		predate a migration that committed while we waited for the lock: we
 *		would not see it and would run its DDL again.  Compare schemamig's
 *		state as the snapshot sees it with the latest committed state, and
 *		raise a serialization failure when they differ, so the caller
 *		retries (as for any serialization failure).
 */
static void
check_snapshot_is_current(const char *fname)
{
	const char *sql =
		"SELECT pg_catalog.concat_ws(',',"
		" (SELECT pg_catalog.max(id) FROM schemamig.events),"
		" (SELECT pg_catalog.count(*) FROM schemamig.applied),"
		" (SELECT pg_catalog.md5(pg_catalog.string_agg(pg_catalog.concat("
		"    revision, ':', checksum, ':', registered_at), ',' ORDER BY seq))"
		"  FROM schemamig.revisions))";
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan;
	char	   *seen;
	char	   *latest;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "schemamig: SPI_connect failed");
	plan = SPI_prepare(sql, 0, NULL);
	if (plan == NULL)
		elog(ERROR, "schemamig: could not prepare the state query: %s",
			 SPI_result_code_string(SPI_result));

	if (SPI_execute_snapshot(plan, NULL, NULL, GetTransactionSnapshot(),
							 InvalidSnapshot, true, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "schemamig: state query failed");
	seen = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

	if (SPI_execute_snapshot(plan, NULL, NULL, GetLatestSnapshot(),
							 InvalidSnapshot, true, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "schemamig: state query failed");
	latest = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

	if (strcmp(seen ? seen : "", latest ? latest : "") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access: another transaction changed schemamig's state"),
				 errdetail("This %s transaction's snapshot does not show a migration that committed before schemamig.%s() got the migration lock; running it would repeat that work.",
						   IsolationIsSerializable() ? "SERIALIZABLE" : "REPEATABLE READ", fname),
				 errhint("Retry the transaction, or call schemamig.%s() in a READ COMMITTED transaction.", fname)));

	SPI_finish();
	MemoryContextSwitchTo(cxt);
}

/* name of the role calling us, for applied_by and the event log */
char *
smig_caller_name(void)
{
	return GetUserNameFromId(GetUserId(), false);
}

/*
 * smig_begin_spi
 *		Create the operation's memory context, connect to SPI and leave the
 *		context current.  smig_end_spi undoes both.
 */
MemoryContext
smig_begin_spi(const char *fname)
{
	MemoryContext opcxt = AllocSetContextCreate(CurrentMemoryContext,
												"schemamig operation",
												ALLOCSET_DEFAULT_SIZES);

	/* fname is a string literal: it outlives the context */
	MemoryContextSetIdentifier(opcxt, fname);
	MemoryContextSwitchTo(opcxt);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "schemamig: SPI_connect failed");
	MemoryContextSwitchTo(opcxt);
	return opcxt;
}

void
smig_end_spi(MemoryContext opcxt)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "schemamig: SPI_finish failed");
	MemoryContextSwitchTo(MemoryContextGetParent(opcxt));
	MemoryContextDelete(opcxt);
}

/* a text copy of s that outlives opcxt, for a function's result */
text *
smig_text_in_parent(MemoryContext opcxt, const char *s)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(MemoryContextGetParent(opcxt));
	text	   *result = cstring_to_text(s);

	MemoryContextSwitchTo(oldcxt);
	return result;
}

