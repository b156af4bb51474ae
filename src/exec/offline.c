/*-------------------------------------------------------------------------
 *
 * offline.c
 *	  Offline scripts: upgrade_sql() and downgrade_sql() write what
 *	  upgrade() or downgrade() would run, with the bookkeeping, as one
 *	  psql-runnable transaction (Alembic's --sql mode).
 *
 * The script takes the same advisory lock as the runner and starts with a
 * guard that refuses to run when the database is not in the state the
 * script was made for.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "base/session.h"
#include "exec/runner.h"
#include "exec/statements.h"

static void set_from_state(SmigGraph *g, const char *from);
static char *render_script(SmigGraph *g, SmigPlan plan, bool upgrade,
						   const char *call);
static void append_statement(StringInfo buf, const char *sql);
static char *id_array_literal(SmigGraph *g, SmigPlan plan);
static char *list_array_literal(List *ids);

/*
 * set_from_state
 *		Make the graph look as if the database were at from (a target):
 *		from and everything it needs applied, nothing else.
 */
static void
set_from_state(SmigGraph *g, const char *from)
{
	SmigTarget	t = smig_resolve_target(g, from);
	bool	   *state;

	if (t.branch_base >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_revision \"%s\" must name revisions, not a branch base", from)));
	if (t.base)
		state = palloc0(sizeof(bool) * Max(g->nnodes, 1));
	else
		state = smig_ancestors(g, t.nodes, t.nnodes, true);
	smig_set_applied_state(g, state);
}

/* an ARRAY[...]::text[] literal of the plan's revision ids */
static char *
id_array_literal(SmigGraph *g, SmigPlan plan)
{
	List	   *ids = NIL;
	int			k;

	for (k = 0; k < plan.nsteps; k++)
		ids = lappend(ids, g->nodes[plan.steps[k]].rev->id);
	return list_array_literal(ids);
}

static char *
list_array_literal(List *ids)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "ARRAY[");
	foreach(lc, ids)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 quote_literal_cstr(lfirst(lc)));
	appendStringInfoString(&buf, "]::pg_catalog.text[]");
	return buf.data;
}

/*
 * append_statement
 *		A statement and its ";".  When its last line holds "--" the ";"
 *		goes on a line of its own, so that a trailing comment cannot
 *		swallow it.
 */
static void
append_statement(StringInfo buf, const char *sql)
{
	const char *last_line = strrchr(sql, '\n');

	appendStringInfoString(buf, sql);
	if (strstr(last_line ? last_line : sql, "--") != NULL)
		appendStringInfoString(buf, "\n;\n");
	else
		appendStringInfoString(buf, ";\n");
}

/*
 * render_script
 *		The offline script for plan.  call is the function call that made
 *		it, for the header.
 */
static char *
render_script(SmigGraph *g, SmigPlan plan, bool upgrade, const char *call)
{
	StringInfoData buf;
	List	   *cur = smig_current_heads(g);
	ListCell   *lc;
	int			k;

	initStringInfo(&buf);
	appendStringInfo(&buf, "-- schemamig offline %s script, made by %s\n",
					 upgrade ? "upgrade" : "downgrade", call);
	appendStringInfoString(&buf, "-- starting from: ");
	if (cur == NIL)
		appendStringInfoString(&buf, "base");
	foreach(lc, cur)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 g->nodes[lfirst_int(lc)].rev->id);
	appendStringInfo(&buf, "\n-- %d revision%s to %s\n", plan.nsteps,
					 plan.nsteps == 1 ? "" : "s",
					 upgrade ? "apply" : "undo");
	appendStringInfoString(&buf, "\\set ON_ERROR_STOP on\n\nBEGIN;\n\n");
	appendStringInfo(&buf, "SELECT pg_catalog.pg_advisory_xact_lock(%d, %d);\n\n",
					 SMIG_LOCK_KEY1, SMIG_LOCK_KEY2);

	if (plan.nsteps > 0)
	{
		appendStringInfo(&buf,
						 "DO $schemamig$\nBEGIN\n"
						 "  IF (SELECT pg_catalog.count(*) FROM schemamig.applied\n"
						 "      WHERE revision OPERATOR(pg_catalog.=) ANY (%s))\n"
						 "     OPERATOR(pg_catalog.<>) %d THEN\n"
						 "    RAISE EXCEPTION 'schemamig: the database is not in the state this script was made for'\n"
						 "      USING HINT = 'Make a new script with schemamig.%s_sql().';\n"
						 "  END IF;\n"
						 "END\n$schemamig$;\n",
						 id_array_literal(g, plan),
						 upgrade ? 0 : plan.nsteps,
						 upgrade ? "upgrade" : "downgrade");
	}

	for (k = 0; k < plan.nsteps; k++)
	{
		SmigRevision *rev = g->nodes[plan.steps[k]].rev;
		char	   *from = smig_from_text(g, plan.steps[k]);
		SmigBodySource src;
		const char *body;
		char	   *idlit = quote_literal_cstr(rev->id);
		char	   *sumlit = quote_literal_cstr(rev->checksum);

		CHECK_FOR_INTERRUPTS();
		smig_load_bodies(rev, true);
		src.revision = rev->id;
		src.section = upgrade ? "upgrade" : "downgrade";
		src.first_line = upgrade ? rev->upgrade_line : rev->downgrade_line;
		src.line_of = "revision";
		src.error_line = NULL;
		body = upgrade ? rev->upgrade_sql : rev->downgrade_sql;

		if (upgrade)
			appendStringInfo(&buf, "\n-- Running upgrade %s -> %s",
							 from ? from : "", rev->id);
		else
			appendStringInfo(&buf, "\n-- Running downgrade %s -> %s",
							 rev->id, from ? from : "");
		if (rev->message)
		{
			/* it sits in a -- comment: no line end may escape it */
			char	   *msg = pstrdup(rev->message);
			char	   *c;

			for (c = msg; *c; c++)
				if (*c == '\r' || *c == '\n')
					*c = ' ';
			appendStringInfo(&buf, ", %s", msg);
		}
		appendStringInfoString(&buf, "\n\n");

		foreach(lc, smig_split_statements(body, &src))
			append_statement(&buf, ((SmigStatement *) lfirst(lc))->sql);

		if (upgrade)
			appendStringInfo(&buf,
							 "\nINSERT INTO schemamig.applied (revision, checksum)"
							 " VALUES (%s, %s);\n", idlit, sumlit);
		else
			appendStringInfo(&buf,
							 "\nDELETE FROM schemamig.applied"
							 " WHERE revision OPERATOR(pg_catalog.=) %s;\n",
							 idlit);
		appendStringInfo(&buf,
						 "INSERT INTO schemamig.events (operation, revision,"
						 " from_revisions, checksum) VALUES ('%s', %s, %s, %s);\n",
						 upgrade ? "upgrade" : "downgrade", idlit,
						 list_array_literal(rev->down_revisions), sumlit);
	}

	appendStringInfoString(&buf, "\nCOMMIT;\n");
	return buf.data;
}

/* upgrade_sql(target, from_revision) */
PG_FUNCTION_INFO_V1(schemamig_upgrade_sql);
Datum
schemamig_upgrade_sql(PG_FUNCTION_ARGS)
{
	char	   *target = PG_ARGISNULL(0) ? "head" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *from = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext opcxt;
	SmigGraph  *g;
	char	   *call;
	text	   *result;

	opcxt = smig_begin_spi("schemamig upgrade_sql");
	g = smig_load_graph(true);
	if (from)
		set_from_state(g, from);
	call = from ? psprintf("schemamig.upgrade_sql(%s, %s)",
						   quote_literal_cstr(target), quote_literal_cstr(from)) :
		psprintf("schemamig.upgrade_sql(%s)", quote_literal_cstr(target));
	result = smig_text_in_parent(opcxt,
								 render_script(g, smig_plan_upgrade(g, target),
											   true, call));
	smig_end_spi(opcxt);
	PG_RETURN_TEXT_P(result);
}

/* downgrade_sql(target, from_revision) */
PG_FUNCTION_INFO_V1(schemamig_downgrade_sql);
Datum
schemamig_downgrade_sql(PG_FUNCTION_ARGS)
{
	char	   *target;
	char	   *from = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	MemoryContext opcxt;
	SmigGraph  *g;
	char	   *call;
	text	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("downgrade target must not be NULL"),
				 errhint("Use base, -1 or a revision id.")));
	target = text_to_cstring(PG_GETARG_TEXT_PP(0));

	opcxt = smig_begin_spi("schemamig downgrade_sql");
	g = smig_load_graph(true);
	if (from)
		set_from_state(g, from);
	call = from ? psprintf("schemamig.downgrade_sql(%s, %s)",
						   quote_literal_cstr(target), quote_literal_cstr(from)) :
		psprintf("schemamig.downgrade_sql(%s)", quote_literal_cstr(target));
	result = smig_text_in_parent(opcxt,
								 render_script(g, smig_plan_downgrade(g, target),
											   false, call));
	smig_end_spi(opcxt);
	PG_RETURN_TEXT_P(result);
}
