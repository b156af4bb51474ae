/*-------------------------------------------------------------------------
 *
 * reading.c
 *	  The reading functions: current(), heads(), status(), history(),
 *	  show() and check().
 *
 * They take no lock but the AccessShareLock of a SELECT, run SPI in
 * read-only mode on the caller's snapshot, never write and so never need a
 * transaction id: they work on a hot standby.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "base/session.h"
#include "compat.h"
#include "exec/runner.h"
#include "model/catalog.h"
#include "schema/schema.h"

#define HEADS_COLS 3
#define STATUS_COLS 8
#define HISTORY_COLS 8
#define SHOW_COLS 15
#define CHECK_COLS 4

typedef struct CheckSums CheckSums;

static const char *state_of(SmigNode *node);
static void remember_checksum(const char *id, const char *checksum,
							  void *arg);
static Datum name_datum(const char *s);
static void put_drift_rows(ReturnSetInfo *rsinfo, SmigDriftReport *rep,
						   bool errors);
static bool is_partial(List *partial, const char *id);
static void put_check_row(ReturnSetInfo *rsinfo, const char *severity,
						  const char *problem, const char *revision,
						  const char *detail);

/* "applied" or "pending" */
static const char *
state_of(SmigNode *node)
{
	return node->applied ? "applied" : "pending";
}

/* is revision id partly run (a row of schemamig.partial)? */
static bool
is_partial(List *partial, const char *id)
{
	ListCell   *lc;

	foreach(lc, partial)
		if (strcmp(((SmigPartial *) lfirst(lc))->revision, id) == 0)
			return true;
	return false;
}

static Datum
name_datum(const char *s)
{
	return DirectFunctionCall1(namein, CStringGetDatum(s));
}

/* current(): the applied heads, oldest branch first */
PG_FUNCTION_INFO_V1(schemamig_current);
Datum
schemamig_current(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	SmigGraph  *g;
	ListCell   *lc;

	smig_init_srf(fcinfo, true);
	opcxt = smig_begin_spi("schemamig current");
	g = smig_load_graph(true);
	foreach(lc, smig_current_heads(g))
	{
		Datum		value = CStringGetTextDatum(g->nodes[lfirst_int(lc)].rev->id);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 &value, &isnull);
	}
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/* heads(): revisions without children */
PG_FUNCTION_INFO_V1(schemamig_heads);
Datum
schemamig_heads(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	SmigGraph  *g;
	ListCell   *lc;

	smig_init_srf(fcinfo, false);
	opcxt = smig_begin_spi("schemamig heads");
	g = smig_load_graph(true);
	foreach(lc, smig_heads(g))
	{
		SmigRevision *rev = g->nodes[lfirst_int(lc)].rev;
		Datum		values[HEADS_COLS];
		bool		nulls[HEADS_COLS] = {false};
		int			c = 0;

		values[c++] = CStringGetTextDatum(rev->id);
		if (rev->message)
			values[c++] = CStringGetTextDatum(rev->message);
		else
			nulls[c++] = true;
		values[c++] = smig_list_to_array(rev->branch_labels);
		Assert(c == HEADS_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 values, nulls);
	}
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/* status(): every registered revision, base first */
PG_FUNCTION_INFO_V1(schemamig_status);
Datum
schemamig_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	MemoryContext rowcxt;
	SmigGraph  *g;
	List	   *partial;
	int			k;

	smig_init_srf(fcinfo, false);
	opcxt = smig_begin_spi("schemamig status");
	g = smig_load_graph(true);
	partial = smig_load_partial();
	/* each row is copied into the tuplestore: build it in a reset context */
	rowcxt = AllocSetContextCreate(opcxt, "schemamig status row",
								   ALLOCSET_SMALL_SIZES);
	for (k = 0; k < g->nnodes; k++)
	{
		int			i = g->topo[k];
		SmigNode   *node = &g->nodes[i];
		Datum		values[STATUS_COLS];
		bool		nulls[STATUS_COLS] = {false};
		int			c = 0;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(rowcxt);
		MemoryContextSwitchTo(rowcxt);
		values[c++] = CStringGetTextDatum(node->rev->id);
		values[c++] = smig_list_to_array(node->rev->down_revisions);
		if (node->rev->message)
			values[c++] = CStringGetTextDatum(node->rev->message);
		else
			nulls[c++] = true;
		values[c++] = CStringGetTextDatum(is_partial(partial, node->rev->id) ?
										  "partial" : state_of(node));
		if (node->applied)
		{
			values[c++] = TimestampTzGetDatum(node->applied->applied_at);
			values[c++] = name_datum(node->applied->applied_by);
		}
		else
		{
			nulls[c++] = true;
			nulls[c++] = true;
		}
		values[c++] = BoolGetDatum(smig_is_head(g, i));
		values[c++] = BoolGetDatum(smig_is_current(g, i));
		Assert(c == STATUS_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 values, nulls);
	}
	MemoryContextSwitchTo(opcxt);
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/* history(range): revisions in range, newest first */
PG_FUNCTION_INFO_V1(schemamig_history);
Datum
schemamig_history(PG_FUNCTION_ARGS)
{
	char	   *range = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	SmigGraph  *g;
	bool	   *sel;
	int			k;

	smig_init_srf(fcinfo, false);
	opcxt = smig_begin_spi("schemamig history");
	g = smig_load_graph(true);
	sel = smig_range(g, range);
	for (k = g->nnodes - 1; k >= 0; k--)
	{
		int			i = g->topo[k];
		SmigNode   *node = &g->nodes[i];
		Datum		values[HISTORY_COLS];
		bool		nulls[HISTORY_COLS] = {false};
		int			c = 0;

		CHECK_FOR_INTERRUPTS();
		if (!sel[i])
			continue;
		values[c++] = CStringGetTextDatum(node->rev->id);
		values[c++] = smig_list_to_array(node->rev->down_revisions);
		if (node->rev->message)
			values[c++] = CStringGetTextDatum(node->rev->message);
		else
			nulls[c++] = true;
		values[c++] = smig_list_to_array(node->rev->branch_labels);
		values[c++] = CStringGetTextDatum(state_of(node));
		values[c++] = BoolGetDatum(smig_is_head(g, i));
		values[c++] = BoolGetDatum(node->nchildren > 1);
		values[c++] = BoolGetDatum(node->nparents > 1);
		Assert(c == HISTORY_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 values, nulls);
	}
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/* show(revision): one row with everything about one revision */
PG_FUNCTION_INFO_V1(schemamig_show);
Datum
schemamig_show(PG_FUNCTION_ARGS)
{
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	MemoryContext opcxt;
	MemoryContext oldcxt;
	SmigGraph  *g;
	SmigNode   *node;
	SmigRevision *rev;
	TupleDesc	tupdesc;
	Datum		values[SHOW_COLS];
	bool		nulls[SHOW_COLS] = {false};
	Oid			types[1] = {TEXTOID};
	Datum		arg[1];
	Datum		registered_at;
	char	   *registered_by;
	bool		isnull;
	List	   *children = NIL;
	HeapTuple	tuple;
	int			c = 0;
	int			k;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	opcxt = smig_begin_spi("schemamig show");
	g = smig_load_graph(true);
	node = &g->nodes[smig_resolve_one(g, target)];
	rev = node->rev;
	smig_load_bodies(rev, true);

	arg[0] = CStringGetTextDatum(rev->id);
	smig_spi_exec("SELECT registered_at, registered_by"
				  " FROM schemamig.revisions"
				  " WHERE revision OPERATOR(pg_catalog.=) $1",
				  1, types, arg, NULL, true, SPI_OK_SELECT);
	if (SPI_processed != 1)
		elog(ERROR, "revision \"%s\" vanished", rev->id);
	registered_at = SPI_getbinval(SPI_tuptable->vals[0],
								  SPI_tuptable->tupdesc, 1, &isnull);
	registered_by = pstrdup(NameStr(*DatumGetName(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull))));
	for (k = 0; k < node->nchildren; k++)
		children = lappend(children, g->nodes[node->children[k]].rev->id);

	oldcxt = MemoryContextSwitchTo(MemoryContextGetParent(opcxt));
	values[c++] = CStringGetTextDatum(rev->id);
	values[c++] = smig_list_to_array(rev->down_revisions);
	values[c++] = smig_list_to_array(rev->depends_on);
	values[c++] = smig_list_to_array(rev->branch_labels);
	if (rev->message)
		values[c++] = CStringGetTextDatum(rev->message);
	else
		nulls[c++] = true;
	values[c++] = CStringGetTextDatum(state_of(node));
	values[c++] = CStringGetTextDatum(rev->upgrade_sql);
	if (rev->downgrade_sql)
		values[c++] = CStringGetTextDatum(rev->downgrade_sql);
	else
		nulls[c++] = true;
	values[c++] = CStringGetTextDatum(rev->checksum);
	if (node->applied)
		values[c++] = CStringGetTextDatum(node->applied->checksum);
	else
		nulls[c++] = true;
	values[c++] = smig_list_to_array(children);
	values[c++] = registered_at;
	values[c++] = name_datum(registered_by);
	if (node->applied)
	{
		values[c++] = TimestampTzGetDatum(node->applied->applied_at);
		values[c++] = name_datum(node->applied->applied_by);
	}
	else
	{
		nulls[c++] = true;
		nulls[c++] = true;
	}
	Assert(c == SHOW_COLS);
	tuple = heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls);
	MemoryContextSwitchTo(oldcxt);

	smig_end_spi(opcxt);
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}

/* one row of check() */
static void
put_check_row(ReturnSetInfo *rsinfo, const char *severity,
			  const char *problem, const char *revision, const char *detail)
{
	Datum		values[CHECK_COLS];
	bool		nulls[CHECK_COLS] = {false};
	int			c = 0;

	values[c++] = CStringGetTextDatum(severity);
	values[c++] = CStringGetTextDatum(problem);
	if (revision)
		values[c++] = CStringGetTextDatum(revision);
	else
		nulls[c++] = true;		/* schema_drift: no revision */
	values[c++] = CStringGetTextDatum(detail);
	Assert(c == CHECK_COLS);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * issue 15: check()'s schema_drift rows, the errors (a table or a column
 * dropped) or the warnings (the rest, and a pending record) of a drift
 * report; revision NULL, the object and the change in the detail.
 */
static void
put_drift_rows(ReturnSetInfo *rsinfo, SmigDriftReport *rep, bool errors)
{
	ListCell   *lc;

	if (!errors && rep->pending)
		put_check_row(rsinfo, "warning", "schema_drift", NULL,
					  "the schema record is pending: a migrate() did not finish; the next run records the schema again");
	foreach(lc, rep->rows)
	{
		SmigDriftRow *row = lfirst(lc);

		if (row->severe != errors)
			continue;
		put_check_row(rsinfo, errors ? "error" : "warning", "schema_drift", NULL,
					  psprintf("%s %s %s outside schemamig: %s", row->kind,
							   row->name, row->change, row->detail));
	}
}

/* the checksums check() computes, by graph node */
struct CheckSums
{
	SmigGraph  *g;
	char	  **actual;
};

/* smig_scan_checksums() callback */
static void
remember_checksum(const char *id, const char *checksum, void *arg)
{
	CheckSums  *sums = (CheckSums *) arg;
	int			i = smig_graph_find(sums->g, id);

	if (i >= 0)
		sums->actual[i] = MemoryContextStrdup(GetMemoryChunkContext(sums->actual),
											  checksum);
}

/*
 * check(): what is wrong or waiting, errors first.  No rows: healthy.
 * Applied revisions are compared with the checksum of their SQL as stored
 * now, computed here: an edit of schemamig.revisions that also rewrote the
 * checksum column, or left it alone, is found either way.
 */
PG_FUNCTION_INFO_V1(schemamig_check);
Datum
schemamig_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	SmigGraph  *g;
	CheckSums	sums;
	SmigDriftReport *drift;
	ListCell   *lc;
	int			k;

	smig_init_srf(fcinfo, false);
	opcxt = smig_begin_spi("schemamig check");
	g = smig_load_graph(true);

	foreach(lc, g->orphans)
	{
		SmigApplied *app = lfirst(lc);

		put_check_row(rsinfo, "error", "missing_revision", app->id,
					  psprintf("applied by %s but no longer registered; its SQL is unknown",
							   app->applied_by));
	}
	/* checksums of the SQL stored now: the checksum column may be stale */
	sums.g = g;
	sums.actual = palloc0(sizeof(char *) * Max(g->nnodes, 1));
	smig_scan_checksums(true, remember_checksum, &sums);
	for (k = 0; k < g->nnodes; k++)
	{
		int			i = g->topo[k];
		SmigNode   *node = &g->nodes[i];
		const char *actual = sums.actual[i];

		CHECK_FOR_INTERRUPTS();
		if (actual == NULL)
			continue;			/* unregistered since the graph was read */
		if (node->applied &&
			strcmp(node->applied->checksum, actual) != 0)
			put_check_row(rsinfo, "error", "checksum_mismatch", node->rev->id,
						  psprintf("applied with %s, its SQL now has %s",
								   node->applied->checksum, actual));
		else if (strcmp(node->rev->checksum, actual) != 0)
			put_check_row(rsinfo, "error", "checksum_mismatch", node->rev->id,
						  psprintf("%s; registered with %s, its SQL now has %s (changed in schemamig.revisions, not by register())",
								   node->applied ? "applied" : "pending",
								   node->rev->checksum, actual));
	}
	drift = smig_drift_report(false);	/* issue 15: schema_drift rows */
	put_drift_rows(rsinfo, drift, true);
	for (k = 0; k < g->nnodes; k++)
	{
		SmigNode   *node = &g->nodes[g->topo[k]];
		int			j;

		CHECK_FOR_INTERRUPTS();
		if (node->applied == NULL)
			continue;
		for (j = 0; j < node->nparents + node->ndeps; j++)
		{
			int			p = j < node->nparents ? node->parents[j] :
				node->deps[j - node->nparents];

			if (g->nodes[p].applied == NULL)
				put_check_row(rsinfo, "warning", "unapplied_ancestor",
							  node->rev->id,
							  psprintf("applied, but its %s \"%s\" is not",
									   j < node->nparents ? "down_revision" : "depends_on",
									   g->nodes[p].rev->id));
		}
	}
	put_drift_rows(rsinfo, drift, false);	/* issue 15 */
	/* revisions without a transaction that are partly run (issue 18) */
	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		put_check_row(rsinfo, "warning", "partial", p->revision,
					  psprintf("%d of the %d statements of its %s section ran, since %s%s%s%s",
							   p->done, p->statements,
							   p->upgrade ? "upgrade" : "downgrade", p->since,
							   p->running > 0 ? psprintf("; statement %d is running for backend %d", p->running, p->pid) : "",
							   p->last_error ? "; stopped on: " : "",
							   p->last_error ? p->last_error : ""));
	}
	for (k = 0; k < g->nnodes; k++)
	{
		SmigNode   *node = &g->nodes[g->topo[k]];

		if (node->applied == NULL)
			put_check_row(rsinfo, "info", "pending", node->rev->id,
						  node->rev->message ?
						  psprintf("not applied yet: %s", node->rev->message) :
						  "not applied yet");
	}
	smig_end_spi(opcxt);
	return (Datum) 0;
}
