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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "base/session.h"
#include "base/spi.h"
#include "exec/runner.h"
#include "exec/statements.h"
#include "model/catalog.h"
#include "schemamig.h"

static SmigRevision *load_revision(const char *id);
static void check_step_valid(SmigRevision *rev, bool upgrade);
static void check_statements(SmigRevision *rev, bool upgrade, List *stmts,
							 ArrayType *given);
static char *spi_text(int row, int col);

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
				  " checksum, registered_by::pg_catalog.text, registered_by_oid"
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
	const char *body;
	char	   *actual;
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
	if (strcmp(operation, "upgrade") == 0)
		upgrade = true;
	else if (strcmp(operation, "downgrade") == 0)
		upgrade = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("offline step operation must be \"upgrade\" or \"downgrade\", not \"%s\"",
						operation)));

	smig_begin_write("offline_step");
	opcxt = smig_begin_spi("schemamig offline_step");

	rev = load_revision(id);
	actual = rev->bodies_checksum;
	if (strcmp(checksum, rev->checksum) != 0 ||
		strcmp(actual, rev->checksum) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("revision \"%s\" of the offline script does not match the registered revision", id),
				 errdetail("Checksum in the script %s, registered %s, of the registered SQL %s.",
						   checksum, rev->checksum, actual),
				 errhint("Register the script the offline script was made from, or make a new offline script.")));
	check_step_valid(rev, upgrade);

	src.revision = rev->id;
	src.section = upgrade ? "upgrade" : "downgrade";
	src.first_line = upgrade ? rev->upgrade_line : rev->downgrade_line;
	src.line_of = "revision";
	src.error_line = NULL;
	body = upgrade ? rev->upgrade_sql : rev->downgrade_sql;
	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is irreversible: it has no downgrade section", rev->id)));
	stmts = smig_split_statements(body, &src);
	check_statements(rev, upgrade, stmts, PG_GETARG_ARRAYTYPE_P(3));

	start = GetCurrentTimestamp();
	smig_run_revision_statements(rev, upgrade, stmts);
	smig_record_step(upgrade, rev->id, rev->checksum, rev->down_revisions,
					 smig_caller_name(), GetCurrentTimestamp() - start);

	smig_end_spi(opcxt);
	PG_RETURN_VOID();
}
