/*-------------------------------------------------------------------------
 *
 * audit.c
 *	  The opt-in DDL audit (issue 15): the event trigger function behind
 *	  schemamig_ddl_audit_end (ddl_command_end) and schemamig_ddl_audit_drop
 *	  (sql_drop), and the switch that enables or disables them.
 *
 * What it records, into schemamig.ddl_audit: the role, the time, the
 * command tag, the object's type and identity, and the statement only as
 * the md5 of the client's query string plus its first line, cut at 80
 * characters with every quoted literal replaced by '***' (a statement may
 * hold a password).  What it skips: DDL that schemamig runs (the C-level
 * flag smig_in_revision, which only the statement path sets: no setting a
 * user can change turns it on), extension scripts, temporary objects,
 * objects in schemamig's own schema, and the internal objects a DROP takes
 * with it (array types, TOAST tables).
 *
 * It never raises: an error in a ddl_command_end or sql_drop trigger would
 * roll back the user's DDL, and a broken trigger would block every DDL in
 * the database.  The work runs in a subtransaction; any error in it is
 * rolled back and said as a WARNING, and the DDL goes on.  Only a query
 * cancel is passed on (the user asked to stop).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "base/session.h"
#include "base/spi.h"
#include "base/subxact.h"
#include "model/catalog.h"
#include "schema/schema.h"

/* what one firing records */
typedef struct AuditArg
{
	bool		drop;			/* sql_drop, else ddl_command_end */
	const char *tag;
} AuditArg;

static void audit_record(void *arg);
static char *statement_head(const char *query);

static const char *end_sql =
"INSERT INTO schemamig.ddl_audit (at, role, event, command_tag, object_type,"
" object_identity, statement_md5, statement_head)"
" SELECT pg_catalog.statement_timestamp(), $1, 'ddl_command_end', c.command_tag, c.object_type,"
"  c.object_identity, pg_catalog.md5($2), $3"
" FROM pg_catalog.pg_event_trigger_ddl_commands() c"
" WHERE NOT c.in_extension"
"  AND (c.schema_name IS NULL OR (c.schema_name OPERATOR(pg_catalog.<>) 'schemamig'"
"   AND NOT pg_catalog.starts_with(c.schema_name, 'pg_temp') AND NOT pg_catalog.starts_with(c.schema_name, 'pg_toast')))";

static const char *drop_sql =
"INSERT INTO schemamig.ddl_audit (at, role, event, command_tag, object_type,"
" object_identity, statement_md5, statement_head)"
" SELECT pg_catalog.statement_timestamp(), $1, 'sql_drop', $4, d.object_type,"
"  d.object_identity, pg_catalog.md5($2), $3"
" FROM pg_catalog.pg_event_trigger_dropped_objects() d"
" WHERE (d.original OR d.normal) AND NOT d.is_temporary"
"  AND (d.schema_name IS NULL OR (d.schema_name OPERATOR(pg_catalog.<>) 'schemamig'"
"   AND NOT pg_catalog.starts_with(d.schema_name, 'pg_toast')))";

/*
 * statement_head
 *		The first non-empty line of query, at most 80 characters, with the
 *		inside of every '...' literal replaced by ***.
 */
static char *
statement_head(const char *query)
{
	StringInfoData out;
	const char *p = query;
	bool		in_literal = false;

	initStringInfo(&out);
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	for (; *p && *p != '\n' && *p != '\r' && out.len < 80; p++)
	{
		if (*p == '\'')
		{
			appendStringInfoString(&out, in_literal ? "'" : "'***");
			in_literal = !in_literal;
		}
		else if (!in_literal)
			appendStringInfoChar(&out, *p);
	}
	if (in_literal)
		appendStringInfoChar(&out, '\'');
	if (*p && *p != '\n' && *p != '\r')
		appendStringInfoString(&out, " ...");
	return out.data;
}

/* the insert of one firing, in the subtransaction smig_run_caught() opened */
static void
audit_record(void *arg)
{
	static SPIPlanPtr end_plan = NULL;
	static SPIPlanPtr drop_plan = NULL;
	AuditArg   *a = (AuditArg *) arg;
	const char *query = debug_query_string ? debug_query_string : "";
	Oid			types[4] = {NAMEOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	int			nestlevel;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "schemamig: SPI_connect failed");
	values[0] = DirectFunctionCall1(namein,
									CStringGetDatum(GetUserNameFromId(GetUserId(), false)));
	values[1] = CStringGetTextDatum(query);
	values[2] = CStringGetTextDatum(statement_head(query));
	values[3] = CStringGetTextDatum(a->tag);
	nestlevel = smig_pin_search_path();
	if (a->drop)
		smig_catalog_write(&drop_plan, drop_sql, 4, types, values, NULL,
						   SPI_OK_INSERT);
	else
		smig_catalog_write(&end_plan, end_sql, 3, types, values, NULL,
						   SPI_OK_INSERT);
	AtEOXact_GUC(true, nestlevel);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "schemamig: SPI_finish failed");
}

/* ddl_audit_trigger() RETURNS event_trigger */
PG_FUNCTION_INFO_V1(schemamig_ddl_audit_trigger);
Datum
schemamig_ddl_audit_trigger(PG_FUNCTION_ARGS)
{
	EventTriggerData *trig;
	AuditArg	arg;
	ErrorData  *err;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		PG_RETURN_NULL();
	/* schemamig's own revisions, and extension scripts, are not audited */
	if (smig_in_revision || creating_extension)
		PG_RETURN_NULL();
	trig = (EventTriggerData *) fcinfo->context;
	arg.drop = strcmp(trig->event, "sql_drop") == 0;
	arg.tag = GetCommandTagName(trig->tag);
	err = smig_run_caught(audit_record, &arg);
	if (err != NULL)
	{
		if (err->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(err);
		ereport(WARNING,
				(errcode(err->sqlerrcode),
				 errmsg("schemamig DDL audit: %s not recorded: %s",
						arg.tag, err->message),
				 errdetail("The statement itself ran; only its audit record is missing."),
				 errhint("A superuser can turn the audit off with SELECT schemamig.disable_ddl_audit().")));
		FreeErrorData(err);
	}
	PG_RETURN_NULL();
}

/*
 * smig_drift_audit_switch
 *		Enable or disable the audit's two event triggers (created disabled
 *		by the extension script).  Event triggers are a superuser's: the
 *		caller must be one.
 */
void
smig_drift_audit_switch(bool on)
{
	const char *const names[2] = {"schemamig_ddl_audit_end", "schemamig_ddl_audit_drop"};
	int			i;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s the schemamig DDL audit",
						on ? "enable" : "disable"),
				 errdetail("The audit is an event trigger; only superusers can change event triggers."),
				 errhint("Ask a superuser to run SELECT schemamig.%s_ddl_audit().",
						 on ? "enable" : "disable")));
	for (i = 0; i < 2; i++)
	{
		if (!SearchSysCacheExists1(EVENTTRIGGERNAME, CStringGetDatum(names[i])))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("event trigger \"%s\" of the schemamig DDL audit does not exist",
							names[i]),
					 errhint("It belongs to the extension: ALTER EXTENSION schemamig UPDATE, or drop and create the extension, brings it back.")));
		smig_spi_exec(psprintf("ALTER EVENT TRIGGER %s %s", names[i],
							   on ? "ENABLE" : "DISABLE"),
					  0, NULL, NULL, NULL, false, SPI_OK_UTILITY);
	}
}
