/*-------------------------------------------------------------------------
 *
 * drift.c
 *	  SQL entry points of drift detection (issue 15): drift(),
 *	  adopt_drift(), enable_ddl_audit(), disable_ddl_audit().  The record
 *	  and the comparison are schema/drift.c's, the audit schema/audit.c's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "base/session.h"
#include "compat.h"
#include "model/catalog.h"
#include "model/graph.h"
#include "register/register.h"
#include "schema/schema.h"

#define DRIFT_COLS 6

static void say_pending(SmigDriftReport *rep);

/* a migrate() that did not finish: the record is older than the schema */
static void
say_pending(SmigDriftReport *rep)
{
	if (rep->pending)
		ereport(NOTICE,
				(errmsg("the schema record is pending: a migrate() did not finish"),
				 errdetail("Revisions it committed may show as drift."),
				 errhint("The next upgrade(), downgrade(), apply(), migrate() or stamp() records the schema again.")));
}

/* drift() RETURNS TABLE (object_kind, object_name, change, detail, changed_by, changed_at) */
PG_FUNCTION_INFO_V1(schemamig_drift);
Datum
schemamig_drift(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	SmigDriftReport *rep;
	ListCell   *lc;

	smig_init_srf(fcinfo, false);
	opcxt = smig_begin_spi("schemamig drift");
	rep = smig_drift_report(false);
	say_pending(rep);
	foreach(lc, rep->rows)
	{
		SmigDriftRow *row = lfirst(lc);
		Datum		values[DRIFT_COLS];
		bool		nulls[DRIFT_COLS] = {false};

		values[0] = CStringGetTextDatum(row->kind);
		values[1] = CStringGetTextDatum(row->name);
		values[2] = CStringGetTextDatum(row->change);
		values[3] = CStringGetTextDatum(row->detail);
		if (row->changed_by)
		{
			values[4] = DirectFunctionCall1(namein, CStringGetDatum(row->changed_by));
			values[5] = TimestampTzGetDatum(row->changed_at);
		}
		else
			nulls[4] = nulls[5] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/*
 * adopt_drift(message) RETURNS text: register a revision whose upgrade is
 * the drift (the recorded schema -> the live one) and whose downgrade
 * undoes it, chained on the current head, record it applied without
 * running it, and record the schema; returns the revision's script, NULL
 * when there is no drift.
 */
PG_FUNCTION_INFO_V1(schemamig_adopt_drift);
Datum
schemamig_adopt_drift(PG_FUNCTION_ARGS)
{
	char	   *message;
	MemoryContext opcxt;
	SmigDriftReport *rep;
	SmigGraph  *g;
	List	   *heads;
	List	   *current;
	StringInfoData parents;
	StringInfoData script;
	ListCell   *lc;
	char	   *up;
	char	   *down;
	char	   *id;
	bool	   *state;
	int			n;
	int			k;
	text	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("message of schemamig.adopt_drift() must not be NULL"),
				 errhint("Say what the drift was, e.g. 'hotfix: index on orders.created_at'.")));
	message = text_to_cstring(PG_GETARG_TEXT_PP(0));
	if (message[0] == '\0' || strchr(message, '\n') || strchr(message, '\r'))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("message of schemamig.adopt_drift() must be one non-empty line")));

	smig_begin_write("adopt_drift");
	opcxt = smig_begin_spi("schemamig adopt_drift");
	rep = smig_drift_report(true);
	if (!rep->recorded)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("no schema has been recorded in this database yet"),
				 errdetail("Drift is measured from the schema that schemamig's last upgrade(), downgrade(), apply(), migrate(), stamp() or adopt() left."),
				 errhint("Run schemamig.stamp('head') to record the schema as it is.")));
	if (rep->pending)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the schema record is pending: a migrate() did not finish"),
				 errhint("Run schemamig.migrate() or schemamig.upgrade() again first.")));
	g = smig_load_graph(false);
	heads = smig_heads(g);
	current = smig_current_heads(g);
	if (list_length(heads) != list_length(current) ||
		list_difference_int(heads, current) != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("database is not up to date: registered revisions are pending"),
				 errdetail("The adopted revision is chained on the head; the pending revisions would run before it."),
				 errhint("Run schemamig.upgrade() first, or forget() the revisions that will not be applied.")));
	if (rep->rows == NIL ||
		!smig_diff_between(rep->snapshot, rep->live, &up, &down))
	{
		smig_end_spi(opcxt);
		ereport(NOTICE, (errmsg("no drift: nothing to adopt")));
		PG_RETURN_NULL();
	}

	initStringInfo(&parents);
	foreach(lc, heads)
		appendStringInfo(&parents, "%s%s", parents.len ? " " : "",
						 g->nodes[lfirst_int(lc)].rev->id);
	id = smig_new_revision_id(g);
	initStringInfo(&script);
	appendStringInfo(&script, "-- schemamig:revision %s\n", id);
	if (parents.len > 0)
		appendStringInfo(&script, "-- schemamig:down_revision %s\n", parents.data);
	appendStringInfo(&script, "-- schemamig:message %s\n", message);
	appendStringInfo(&script, "-- schemamig:upgrade\n-- adopted drift: made outside schemamig, recorded as applied\n%s",
					 up);
	appendStringInfo(&script, "-- schemamig:downgrade\n%s", down);
	smig_register_script(script.data, NULL);

	/* record it applied, as stamp() does, and the schema as it is now */
	g = smig_load_graph(false);
	n = smig_graph_find(g, id);
	if (n < 0)
		elog(ERROR, "schemamig: adopted revision \"%s\" not found after registering it", id);
	state = palloc0(sizeof(bool) * g->nnodes);
	for (k = 0; k < g->nnodes; k++)
		state[k] = g->nodes[k].applied != NULL || k == n;
	smig_record_stamp(true, id, g->nodes[n].rev->checksum,
					  g->nodes[n].rev->down_revisions, smig_caller_name());
	smig_set_applied_state(g, state);
	smig_drift_record("adopt_drift");	/* issue 15: drift record */

	result = smig_text_in_parent(opcxt, script.data);
	smig_end_spi(opcxt);
	PG_RETURN_TEXT_P(result);
}

/* enable_ddl_audit() */
PG_FUNCTION_INFO_V1(schemamig_enable_ddl_audit);
Datum
schemamig_enable_ddl_audit(PG_FUNCTION_ARGS)
{
	MemoryContext opcxt = smig_begin_spi("schemamig enable_ddl_audit");

	smig_drift_audit_switch(true);
	smig_end_spi(opcxt);
	PG_RETURN_VOID();
}

/* disable_ddl_audit() */
PG_FUNCTION_INFO_V1(schemamig_disable_ddl_audit);
Datum
schemamig_disable_ddl_audit(PG_FUNCTION_ARGS)
{
	MemoryContext opcxt = smig_begin_spi("schemamig disable_ddl_audit");

	smig_drift_audit_switch(false);
	smig_end_spi(opcxt);
	PG_RETURN_VOID();
}
