/*-------------------------------------------------------------------------
 *
 * offline.c
 *	  schemamig.offline_step(): how an offline script (upgrade_sql(),
 *	  downgrade_sql()) runs one revision and records it.
 *
 * The script shows every statement of the revision, each in a dollar quote
 * that psql cannot leave, and hands them to this procedure, which:
 *	- takes the migration lock (the script holds it already: no wait);
 *	- checks that the revision is registered here, that the script's
 *	  checksum is the registered one and that the registered bodies still
 *	  have that checksum;
 *	- checks that the step is valid now (an upgrade of a pending revision
 *	  whose parents and dependencies are applied, or a downgrade of an
 *	  applied one that nothing applied needs);
 *	- checks that the statements are exactly the registered body's, split
 *	  as the runner splits it;
 *	- runs them through the runner's own path (author check, settings and
 *	  role put back after the revision, timeouts);
 *	- records the step with the runner's writer, smig_record_step().
 *
 * So what psql runs is what was registered and linted, recorded as the
 * runner records it.
 *
 * A revision without a transaction ("-- schemamig:transaction off", issue
 * 18) is one step per statement, each committed on its own, as migrate()
 * runs it; the script runs them in psql's autocommit mode, outside any
 * transaction block.  offline_nontx_step() does what offline_step() does
 * for one statement.  A statement that can share a transaction runs there
 * and is recorded in the same transaction.  One that needs a transaction of
 * its own (CREATE INDEX CONCURRENTLY, ...) cannot run inside a function: the
 * function takes the lease that migrate() takes for it (a schemamig.partial
 * row naming the statement and this backend, committed with the call) and
 * returns the statement, and a second command that records it,
 * offline_nontx_done(); psql's \gexec runs both as top-level commands.
 * The statement text goes from the server back to the server: psql never
 * lexes it.  The history is migrate()'s: schemamig.partial while the
 * revision is partly run, the applied row and the event once the last
 * statement is done.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/procarray.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "base/session.h"
#include "base/spi.h"
#include "compat.h"
#include "exec/execute.h"
#include "exec/nontx.h"
#include "exec/runner.h"
#include "exec/statements.h"
#include "model/catalog.h"
#include "schema/schema.h"
#include "schemamig.h"

static SmigRevision *load_revision(const char *id);
static void check_step_valid(SmigRevision *rev, bool upgrade);
static void check_statements(SmigRevision *rev, bool upgrade, List *stmts,
							 ArrayType *given);
static char *spi_text(int row, int col);
static SmigRevision *load_checked(const char *id, const char *checksum);
static bool parse_operation(const char *operation);
static SmigPartial *nontx_state(SmigRevision *rev, bool upgrade);
static List *section_statements(SmigRevision *rev, bool upgrade, bool nontx,
								SmigBodySource *src);
static void record_nontx_progress(SmigRevision *rev, bool upgrade, int done,
								  int n);

/*
 * load_revision
 *		The registered revision id, with its bodies; an error if there is
 *		none.
 */
static SmigRevision *
load_revision(const char *id)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	SmigRevision *rev;
	bool		isnull;
	Datum		d;

	values[0] = CStringGetTextDatum(id);
	smig_spi_exec("SELECT revision, down_revisions, depends_on, message,"
				  " upgrade_sql, downgrade_sql, upgrade_line, downgrade_line,"
				  " checksum, registered_by::pg_catalog.text, registered_by_oid,"
				  " NOT transactional"
				  " FROM schemamig.revisions"
				  " WHERE revision OPERATOR(pg_catalog.=) $1",
				  1, types, values, NULL, false, SPI_OK_SELECT);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" of the offline script is not registered in this database", id),
				 errhint("Register the same script here first (schemamig.register()), then run the offline script.")));

	rev = palloc0(sizeof(SmigRevision));
	rev->id = spi_text(0, 1);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	rev->down_revisions = isnull ? NIL : smig_array_to_list(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
	rev->depends_on = isnull ? NIL : smig_array_to_list(d);
	rev->message = spi_text(0, 4);
	rev->upgrade_sql = spi_text(0, 5);
	if (rev->upgrade_sql == NULL)
		rev->upgrade_sql = pstrdup("");
	rev->downgrade_sql = spi_text(0, 6);
	rev->reversible = (rev->downgrade_sql != NULL);
	rev->bodies_loaded = true;
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7, &isnull);
	rev->upgrade_line = isnull ? 1 : DatumGetInt32(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 8, &isnull);
	rev->downgrade_line = isnull ? 0 : DatumGetInt32(d);
	rev->checksum = spi_text(0, 9);
	rev->registered_by = spi_text(0, 10);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 11, &isnull);
	rev->registered_by_oid = isnull ? InvalidOid : DatumGetObjectId(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 12, &isnull);
	rev->nontx = !isnull && DatumGetBool(d);
	SPI_freetuptable(SPI_tuptable);
	/* the runner's author check compares it with the registered checksum */
	rev->bodies_checksum = smig_checksum(rev->upgrade_sql, rev->downgrade_sql);
	return rev;
}

/* column col (from 1) of row of SPI_tuptable as a C string, or NULL */
static char *
spi_text(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/*
 * check_step_valid
 *		Upgrade: rev is not applied, and every revision it comes from or
 *		depends on is.  Downgrade: rev is applied, and no applied revision
 *		comes from it or depends on it.
 */
static void
check_step_valid(SmigRevision *rev, bool upgrade)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char	   *missing;

	values[0] = CStringGetTextDatum(rev->id);
	if (upgrade)
	{
		smig_spi_exec("SELECT EXISTS (SELECT FROM schemamig.applied"
					  "  WHERE revision OPERATOR(pg_catalog.=) $1),"
					  " (SELECT pg_catalog.string_agg(n, ', ' ORDER BY n)"
					  "  FROM schemamig.revisions r,"
					  "   pg_catalog.unnest(r.down_revisions"
					  "    OPERATOR(pg_catalog.||) r.depends_on) AS n"
					  "  WHERE r.revision OPERATOR(pg_catalog.=) $1"
					  "  AND NOT EXISTS (SELECT FROM schemamig.applied a"
					  "   WHERE a.revision OPERATOR(pg_catalog.=) n))",
					  1, types, values, NULL, false, SPI_OK_SELECT);
		if (strcmp(spi_text(0, 1), "t") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" is applied already", rev->id),
					 errhint("The database is not in the state the offline script was made for: make a new one.")));
		missing = spi_text(0, 2);
		if (missing != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" needs revisions that are not applied: %s",
							rev->id, missing),
					 errhint("The database is not in the state the offline script was made for: make a new one.")));
	}
	else
	{
		smig_spi_exec("SELECT EXISTS (SELECT FROM schemamig.applied"
					  "  WHERE revision OPERATOR(pg_catalog.=) $1),"
					  " (SELECT pg_catalog.string_agg(r.revision, ', '"
					  "   ORDER BY r.revision)"
					  "  FROM schemamig.revisions r JOIN schemamig.applied a"
					  "   ON a.revision OPERATOR(pg_catalog.=) r.revision"
					  "  WHERE $1 OPERATOR(pg_catalog.=) ANY (r.down_revisions"
					  "   OPERATOR(pg_catalog.||) r.depends_on))",
					  1, types, values, NULL, false, SPI_OK_SELECT);
		if (strcmp(spi_text(0, 1), "t") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" is not applied", rev->id),
					 errhint("The database is not in the state the offline script was made for: make a new one.")));
		missing = spi_text(0, 2);
		if (missing != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" is needed by applied revisions: %s",
							rev->id, missing),
					 errhint("The database is not in the state the offline script was made for: make a new one.")));
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * check_statements
 *		The statements the script gave (each between the newlines that
 *		follow and precede its dollar quotes) must be exactly stmts.
 */
static void
check_statements(SmigRevision *rev, bool upgrade, List *stmts,
				 ArrayType *given)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (ARR_NDIM(given) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("statements must be a one-dimensional array")));
	deconstruct_array(given, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n != list_length(stmts))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the offline script has %d statements for the %s of revision \"%s\", the registered revision has %d",
						n, upgrade ? "upgrade" : "downgrade", rev->id,
						list_length(stmts)),
				 errhint("Make a new offline script from the registered revisions.")));
	for (i = 0; i < n; i++)
	{
		SmigStatement *stmt = list_nth(stmts, i);
		char	   *given_sql;
		size_t		len;

		CHECK_FOR_INTERRUPTS();
		if (nulls[i])
			given_sql = "";
		else
			given_sql = TextDatumGetCString(elems[i]);
		len = strlen(given_sql);
		if (len > 0 && given_sql[0] == '\n')
		{
			given_sql++;
			len--;
		}
		if (len > 0 && given_sql[len - 1] == '\n')
			len--;
		if (len != strlen(stmt->sql) || strncmp(given_sql, stmt->sql, len) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("statement %d of the %s of revision \"%s\" in the offline script is not the registered one",
							stmt->number, upgrade ? "upgrade" : "downgrade",
							rev->id),
					 errdetail("The registered statement starts at line %d of the revision.",
							   stmt->line),
					 errhint("Run offline scripts as schemamig wrote them, against a database where the same revisions are registered; if the file went through a change of encoding, make it again with the client_encoding it is run with.")));
	}
}

/* "upgrade" -> true, "downgrade" -> false, anything else an error */
static bool
parse_operation(const char *operation)
{
	if (strcmp(operation, "upgrade") == 0)
		return true;
	if (strcmp(operation, "downgrade") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offline step operation must be \"upgrade\" or \"downgrade\", not \"%s\"",
						operation)));
	return false;
}

/*
 * load_checked
 *		The registered revision id, whose registered checksum and stored
 *		SQL must both be the script's checksum.
 */
static SmigRevision *
load_checked(const char *id, const char *checksum)
{
	SmigRevision *rev = load_revision(id);
	char	   *actual = rev->bodies_checksum;

	if (strcmp(checksum, rev->checksum) != 0 ||
		strcmp(actual, rev->checksum) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("revision \"%s\" of the offline script does not match the registered revision", id),
				 errdetail("Checksum in the script %s, registered %s, of the registered SQL %s.",
						   checksum, rev->checksum, actual),
				 errhint("Register the script the offline script was made from, or make a new offline script.")));
	return rev;
}

/*
 * section_statements
 *		The statements of rev's upgrade (or downgrade) section, split as the
 *		runner splits them (nontx: as a revision without a transaction);
 *		*src, the caller's, names them in errors.  An irreversible revision
 *		has no downgrade to run.
 */
static List *
section_statements(SmigRevision *rev, bool upgrade, bool nontx,
				   SmigBodySource *src)
{
	const char *body = upgrade ? rev->upgrade_sql : rev->downgrade_sql;

	src->revision = rev->id;
	src->section = upgrade ? "upgrade" : "downgrade";
	src->first_line = upgrade ? rev->upgrade_line : rev->downgrade_line;
	src->line_of = "revision";
	src->error_line = NULL;
	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is irreversible: it has no downgrade section", rev->id)));
	return smig_split_revision_body(body, src, nontx);
}

/*
 * offline_step(operation, revision, checksum, statements)
 *		One step of an offline script: see the file's banner.
 */
PG_FUNCTION_INFO_V1(schemamig_offline_step);
Datum
schemamig_offline_step(PG_FUNCTION_ARGS)
{
	char	   *operation;
	char	   *id;
	char	   *checksum;
	bool		upgrade;
	MemoryContext opcxt;
	SmigRevision *rev;
	SmigBodySource src;
	List	   *stmts;
	TimestampTz start;
	int			i;

	for (i = 0; i < 4; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the arguments of schemamig.offline_step() must not be NULL")));
	operation = text_to_cstring(PG_GETARG_TEXT_PP(0));
	id = text_to_cstring(PG_GETARG_TEXT_PP(1));
	checksum = text_to_cstring(PG_GETARG_TEXT_PP(2));
	upgrade = parse_operation(operation);

	smig_begin_write("offline_step");
	opcxt = smig_begin_spi("schemamig offline_step");
	smig_drift_mark_pending();	/* issue 15: until offline_record() */

	rev = load_checked(id, checksum);
	if (rev->nontx)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" runs without a transaction: the offline script runs it with schemamig.offline_nontx_step(), one statement at a time", id),
				 errhint("Make a new offline script from the registered revisions.")));
	/* as upgrade() and downgrade(): not while such a revision is partly run */
	smig_nontx_check_writer();
	check_step_valid(rev, upgrade);

	stmts = section_statements(rev, upgrade, false, &src);
	check_statements(rev, upgrade, stmts, PG_GETARG_ARRAYTYPE_P(3));

	start = GetCurrentTimestamp();
	smig_run_revision_statements(rev, upgrade, stmts);
	smig_record_step(upgrade, rev->id, rev->checksum, rev->down_revisions,
					 smig_caller_name(), GetCurrentTimestamp() - start);

	smig_end_spi(opcxt);
	PG_RETURN_VOID();
}

/*
 * nontx_state
 *		Where rev (a revision without a transaction) is for an offline step
 *		in the given direction: its schemamig.partial row, or NULL when none
 *		of its statements ran.  Refuses what migrate() would not take up:
 *		another revision partly run or running, this one partly run the
 *		other way or from other SQL, or stopped while a statement ran.
 */
static SmigPartial *
nontx_state(SmigRevision *rev, bool upgrade)
{
	SmigPartial *mine = NULL;
	ListCell   *lc;

	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (strcmp(p->revision, rev->id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" is partly %s: %d of its %d statements ran",
							p->revision, p->upgrade ? "applied" : "downgraded",
							p->done, p->statements),
					 errhint("Finish it with CALL schemamig.migrate() or CALL schemamig.migrate_down(target), then make a new offline script.")));
		mine = p;
	}
	if (mine == NULL)
		return NULL;
	if (mine->upgrade != upgrade || strcmp(mine->checksum, rev->checksum) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is partly %s%s: %d of its %d statements ran",
						rev->id, mine->upgrade ? "applied" : "downgraded",
						mine->upgrade == upgrade ? " from other SQL" : "",
						mine->done, mine->statements),
				 errhint("Finish it with CALL schemamig.migrate() or CALL schemamig.migrate_down(target), then make a new offline script.")));
	if (mine->running > 0)
		ereport(ERROR,
				(errcode(mine->pid > 0 && mine->pid != MyProcPid &&
						 BackendPidGetProc(mine->pid) != NULL ?
						 ERRCODE_OBJECT_IN_USE : ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("statement %d of revision \"%s\" was started by backend %d and not recorded as done",
						mine->running, rev->id, mine->pid),
				 errdetail("It may still run, or its session ended while it ran, which can leave an invalid index behind."),
				 errhint("CALL schemamig.%s() finishes the revision: it waits for a running statement, and drops or keeps what a stopped one left.",
						 upgrade ? "migrate" : "migrate_down(target)")));
	return mine;
}

/*
 * record_nontx_progress
 *		done of the n statements of rev have run: the partial row, or, after
 *		the last one, the step recorded and the row gone (what migrate()
 *		records).
 */
static void
record_nontx_progress(SmigRevision *rev, bool upgrade, int done, int n)
{
	if (done < n)
	{
		smig_write_partial(rev->id, upgrade, rev->checksum, done, n, 0, NULL);
		return;
	}
	smig_record_step(upgrade, rev->id, rev->checksum, rev->down_revisions,
					 smig_caller_name(), 0);
	smig_delete_partial(rev->id);
}

/*
 * offline_nontx_step(operation, revision, checksum, statement, sql)
 *		Statement number statement of a revision without a transaction, in
 *		an offline script: see the file's banner.  Returns nothing when the
 *		statement ran here (and was recorded); otherwise the statement and
 *		the call that records it, for psql's \gexec, with the lease taken.
 */
PG_FUNCTION_INFO_V1(schemamig_offline_nontx_step);
Datum
schemamig_offline_nontx_step(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *id;
	char	   *checksum;
	char	   *given;
	bool		upgrade;
	int			number;
	MemoryContext opcxt;
	SmigRevision *rev;
	SmigPartial *p;
	SmigBodySource src;
	List	   *stmts;
	SmigStatement *stmt;
	size_t		len;
	int			i;

	for (i = 0; i < 5; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the arguments of schemamig.offline_nontx_step() must not be NULL")));
	upgrade = parse_operation(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	id = text_to_cstring(PG_GETARG_TEXT_PP(1));
	checksum = text_to_cstring(PG_GETARG_TEXT_PP(2));
	number = PG_GETARG_INT32(3);
	given = text_to_cstring(PG_GETARG_TEXT_PP(4));

	smig_init_srf(fcinfo, true);
	smig_begin_write("offline_nontx_step");
	opcxt = smig_begin_spi("schemamig offline_nontx_step");
	smig_drift_mark_pending();	/* issue 15: until offline_record() */

	rev = load_checked(id, checksum);
	if (!rev->nontx)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" runs in a transaction: the offline script runs it with schemamig.offline_step()", id),
				 errhint("Make a new offline script from the registered revisions.")));
	p = nontx_state(rev, upgrade);
	check_step_valid(rev, upgrade);

	stmts = section_statements(rev, upgrade, true, &src);
	if (number != (p ? p->done : 0) + 1 || number > list_length(stmts))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("statement %d of the %s of revision \"%s\" is not the next one: %d of its %d statements ran",
						number, src.section, id, p ? p->done : 0,
						list_length(stmts)),
				 errhint("The database is not in the state the offline script was made for: make a new one.")));
	stmt = list_nth(stmts, number - 1);

	/* the statement of the script must be the registered one */
	len = strlen(given);
	if (len > 0 && given[0] == '\n')
	{
		given++;
		len--;
	}
	if (len > 0 && given[len - 1] == '\n')
		len--;
	if (len != strlen(stmt->sql) || strncmp(given, stmt->sql, len) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("statement %d of the %s of revision \"%s\" in the offline script is not the registered one",
						number, src.section, id),
				 errdetail("The registered statement starts at line %d of the revision.",
						   stmt->line),
				 errhint("Run offline scripts as schemamig wrote them, against a database where the same revisions are registered.")));

	if (smig_exec_class(stmt) != SMIG_EXEC_OWN_XACT)
	{
		/* runs here, recorded in the same transaction */
		smig_run_revision_statements(rev, upgrade, list_make1(stmt));
		record_nontx_progress(rev, upgrade, number, list_length(stmts));
	}
	else
	{
		MemoryContext old;
		Datum		value;
		bool		isnull = false;
		char	   *done_call;

		/* the author check, then the lease; psql runs the statement */
		smig_check_registrant(rev);
		smig_write_partial(rev->id, upgrade, rev->checksum, number - 1,
						   list_length(stmts), number, NULL);
		done_call = psprintf("CALL schemamig.offline_nontx_done(%s, %s, %s, %d)",
							 quote_literal_cstr(src.section),
							 quote_literal_cstr(rev->id),
							 quote_literal_cstr(rev->checksum), number);
		old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
		value = CStringGetTextDatum(stmt->sql);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
		value = CStringGetTextDatum(done_call);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
		MemoryContextSwitchTo(old);
	}

	smig_end_spi(opcxt);
	return (Datum) 0;
}

/*
 * offline_nontx_done(operation, revision, checksum, statement)
 *		Record that the statement offline_nontx_step() handed to psql ran:
 *		the lease must be this backend's, for that statement.
 */
PG_FUNCTION_INFO_V1(schemamig_offline_nontx_done);
Datum
schemamig_offline_nontx_done(PG_FUNCTION_ARGS)
{
	char	   *id;
	char	   *checksum;
	bool		upgrade;
	int			number;
	MemoryContext opcxt;
	SmigRevision *rev;
	SmigPartial *mine = NULL;
	ListCell   *lc;
	int			i;

	for (i = 0; i < 4; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the arguments of schemamig.offline_nontx_done() must not be NULL")));
	upgrade = parse_operation(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	id = text_to_cstring(PG_GETARG_TEXT_PP(1));
	checksum = text_to_cstring(PG_GETARG_TEXT_PP(2));
	number = PG_GETARG_INT32(3);

	smig_begin_write("offline_nontx_done");
	opcxt = smig_begin_spi("schemamig offline_nontx_done");
	rev = load_checked(id, checksum);
	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		if (strcmp(p->revision, id) == 0)
			mine = p;
	}
	if (mine == NULL || mine->upgrade != upgrade || mine->running != number ||
		mine->pid != MyProcPid || strcmp(mine->checksum, rev->checksum) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("statement %d of revision \"%s\" was not started by this session", number, id),
				 errhint("Run offline scripts as schemamig wrote them: schemamig.offline_nontx_step() starts the statement, psql's \\gexec runs it and this call.")));
	record_nontx_progress(rev, upgrade, number, mine->statements);
	smig_end_spi(opcxt);
	PG_RETURN_VOID();
}

/*
 * offline_record(operation)
 *		The last statement of an offline script that ran steps: the drift
 *		record of the schema they left (issue 15), as the end of upgrade()
 *		or downgrade() writes it.
 */
PG_FUNCTION_INFO_V1(schemamig_offline_record);
Datum
schemamig_offline_record(PG_FUNCTION_ARGS)
{
	bool		upgrade;
	MemoryContext opcxt;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the argument of schemamig.offline_record() must not be NULL")));
	upgrade = parse_operation(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	smig_begin_write("offline_record");
	opcxt = smig_begin_spi("schemamig offline_record");
	smig_drift_record(upgrade ? "upgrade_sql" : "downgrade_sql");
	smig_end_spi(opcxt);
	PG_RETURN_VOID();
}
