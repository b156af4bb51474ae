/*-------------------------------------------------------------------------
 *
 * run.c
 *	  The SQL entry points that run or record revisions: upgrade(),
 *	  downgrade(), apply(), stamp() and the procedure migrate().
 *
 * Thin: read the arguments, take the lock and the SPI connection, call the
 * engines (exec/runner.c, register/register.c) and let them emit the rows.
 * One rule for NULL arguments: an error naming the argument (SQLSTATE
 * 22004), the same for every function here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"

#include "base/session.h"
#include "compat.h"
#include "exec/runner.h"
#include "register/register.h"
#include "schema/schema.h"

static char *text_arg(FunctionCallInfo fcinfo, int n, const char *name,
					  const char *fname);

/*
 * text_arg
 *		Argument n (called name) of schemamig.fname() as a C string; NULL is
 *		an error.
 */
static char *
text_arg(FunctionCallInfo fcinfo, int n, const char *name, const char *fname)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s of schemamig.%s() must not be NULL", name, fname),
				 strcmp(name, "target") == 0 ?
				 errhint("Give a target such as 'head', 'heads', 'base' or a revision id.") : 0));
	return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

PG_FUNCTION_INFO_V1(schemamig_upgrade);
Datum
schemamig_upgrade(PG_FUNCTION_ARGS)
{
	char	   *target = text_arg(fcinfo, 0, "target", "upgrade");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;

	smig_init_srf(fcinfo, false);
	smig_begin_write("upgrade");
	opcxt = smig_begin_spi("schemamig upgrade");
	smig_run_upgrade(target, rsinfo);
	smig_drift_record("upgrade");	/* issue 15: drift record */
	smig_end_spi(opcxt);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(schemamig_downgrade);
Datum
schemamig_downgrade(PG_FUNCTION_ARGS)
{
	char	   *target = text_arg(fcinfo, 0, "target", "downgrade");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;

	smig_init_srf(fcinfo, false);
	smig_begin_write("downgrade");
	opcxt = smig_begin_spi("schemamig downgrade");
	smig_run_downgrade(target, rsinfo);
	smig_drift_record("downgrade");	/* issue 15: drift record */
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/* apply(script, target): register(script) then upgrade(target), one call */
PG_FUNCTION_INFO_V1(schemamig_apply);
Datum
schemamig_apply(PG_FUNCTION_ARGS)
{
	char	   *script = text_arg(fcinfo, 0, "script", "apply");
	char	   *target = text_arg(fcinfo, 1, "target", "apply");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;

	smig_init_srf(fcinfo, false);
	smig_begin_write("apply");
	opcxt = smig_begin_spi("schemamig apply");
	smig_register_script(script, NULL);
	smig_run_upgrade(target, rsinfo);
	smig_drift_record("apply");	/* issue 15: drift record */
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/*
 * stamp(target): record the state target describes without running SQL,
 * then return the new current heads.
 */
PG_FUNCTION_INFO_V1(schemamig_stamp);
Datum
schemamig_stamp(PG_FUNCTION_ARGS)
{
	char	   *target = text_arg(fcinfo, 0, "target", "stamp");
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;

	smig_init_srf(fcinfo, true);
	smig_begin_write("stamp");
	opcxt = smig_begin_spi("schemamig stamp");
	smig_run_stamp(target, rsinfo);
	smig_drift_record("stamp");	/* issue 15: drift record */
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/*
 * migrate(target): CALL-able procedure, like upgrade() but committing after
 * each revision; the runner's commit-per-step mode.
 */
PG_FUNCTION_INFO_V1(schemamig_migrate);
Datum
schemamig_migrate(PG_FUNCTION_ARGS)
{
	char	   *target = text_arg(fcinfo, 0, "target", "migrate");
	bool		nonatomic;

	nonatomic = fcinfo->context != NULL &&
		IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("schemamig.migrate() cannot run inside a transaction block"),
				 errdetail("It commits after each revision."),
				 errhint("CALL it outside BEGIN ... COMMIT (and not from a function), or use SELECT * FROM schemamig.upgrade() for one atomic upgrade.")));

	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "schemamig: SPI_connect failed");
	smig_drift_mark_pending();	/* issue 15: drift record, until the end */
	smig_run_migrate(target);
	smig_drift_record("migrate");	/* issue 15: drift record */
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "schemamig: SPI_finish failed");
	PG_RETURN_VOID();
}

/*
 * migrate_down(target): CALL-able procedure, like downgrade() but
 * committing after each revision, and after each statement of a revision
 * without a transaction (issue 18).
 */
PG_FUNCTION_INFO_V1(schemamig_migrate_down);
Datum
schemamig_migrate_down(PG_FUNCTION_ARGS)
{
	char	   *target = text_arg(fcinfo, 0, "target", "migrate_down");
	bool		nonatomic;

	nonatomic = fcinfo->context != NULL &&
		IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("schemamig.migrate_down() cannot run inside a transaction block"),
				 errdetail("It commits after each revision."),
				 errhint("CALL it outside BEGIN ... COMMIT (and not from a function), or use SELECT * FROM schemamig.downgrade() for one atomic downgrade.")));

	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "schemamig: SPI_connect failed");
	smig_drift_mark_pending();	/* issue 15: drift record, until the end */
	smig_run_migrate_down(target);
	smig_drift_record("migrate_down");	/* issue 15: drift record */
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "schemamig: SPI_finish failed");
	PG_RETURN_VOID();
}
