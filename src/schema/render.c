/*-------------------------------------------------------------------------
 *
 * render.c
 *	  The text diff() returns: one to three revision blocks in register()
 *	  format, chained on the current head(s) read through model/:
 *	    1. new values of existing enum types (a revision of their own, so
 *	       that a later revision may use them once it has committed, as
 *	       migrate() does between revisions);
 *	    2. everything else, with the whole backwards comparison as its
 *	       downgrade;
 *	    3. on tables with rows, indexes built and dropped CONCURRENTLY, in
 *	       a revision without a transaction ("-- schemamig:transaction
 *	       off": migrate() runs it, a statement per step);
 *	    4. validations (VALIDATE CONSTRAINT, SET NOT NULL over a validated
 *	       CHECK) of what revision 2 added NOT VALID on tables with rows,
 *	       then the UNIQUE and PRIMARY KEY constraints made of the indexes
 *	       revision 3 built (ADD CONSTRAINT ... USING INDEX).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "port.h"

#include "model/graph.h"
#include "schema/diff_int.h"
#include "schema/schema.h"

/*
 * Functions are created before the tables (a default or CHECK may call
 * one), but the body of a LANGUAGE sql function that reads a table is
 * checked at CREATE, and its dependency on the table is not in pg_depend.
 * As pg_dump does: no body check while the revision runs.
 */
#define NO_BODY_CHECK \
	"-- function bodies are checked when called, not when created (as pg_dump restores them)\n" \
	"SET LOCAL check_function_bodies = off;\n"

static void prepend_no_body_check(StringInfo s);
static char *new_id(SmigGraph *g);
static void add_revision(StringInfo out, const char *id, const char *parents,
						 const char *message, bool nontx, const char *up,
						 const char *down);

static void
prepend_no_body_check(StringInfo s)
{
	char	   *rest = pstrdup(s->data);

	resetStringInfo(s);
	appendStringInfoString(s, NO_BODY_CHECK);
	appendStringInfoString(s, rest);
	pfree(rest);
}

/* 12 random hex characters, not a registered id (adopt_drift() too) */
char *
smig_new_revision_id(SmigGraph *g)
{
	return new_id(g);
}

/* 12 random hex characters, not a registered id */
static char *
new_id(SmigGraph *g)
{
	for (;;)
	{
		uint8		bytes[6];
		char	   *id = palloc(13);
		int			k;

		if (!pg_strong_random(bytes, sizeof(bytes)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random revision id")));
		for (k = 0; k < 6; k++)
			snprintf(id + k * 2, 3, "%02x", bytes[k]);
		if (smig_graph_find(g, id) < 0 && smig_valid_id(id))
			return id;
	}
}

static void
add_revision(StringInfo out, const char *id, const char *parents,
			 const char *message, bool nontx, const char *up, const char *down)
{
	if (out->len > 0)
		appendStringInfoChar(out, '\n');
	appendStringInfo(out, "-- schemamig:revision %s\n", id);
	if (parents && parents[0])
		appendStringInfo(out, "-- schemamig:down_revision %s\n", parents);
	appendStringInfo(out, "-- schemamig:message %s\n", message);
	if (nontx)
		appendStringInfoString(out, "-- schemamig:transaction off\n");
	appendStringInfo(out, "-- schemamig:upgrade\n%s", up);
	appendStringInfo(out, "-- schemamig:downgrade\n%s", down);
}

/*
 * smig_render
 *		The script of a forward and a backward comparison, or NULL when
 *		the forward one found nothing.  Refuses to run when revisions are
 *		pending: the live schema would not be the head's.
 */
char *
smig_render(SmigDiffState *fwd, SmigDiffState *rev)
{
	StringInfoData main_up;
	StringInfoData main_down;
	StringInfoData out;
	StringInfo	enum_up = &fwd->out[P_ENUM];
	StringInfo	cic_up = &fwd->out[P_CIC];
	StringInfoData val_up;
	StringInfoData val_down;
	SmigGraph  *g;
	List	   *heads;
	List	   *current;
	ListCell   *lc;
	StringInfoData parents;
	char	   *prev;
	int			p;

	initStringInfo(&main_up);
	for (p = P_RENAME; p < P_VALIDATE; p++)
		appendBinaryStringInfo(&main_up, fwd->out[p].data, fwd->out[p].len);
	initStringInfo(&val_up);
	appendBinaryStringInfo(&val_up, fwd->out[P_VALIDATE].data, fwd->out[P_VALIDATE].len);
	appendBinaryStringInfo(&val_up, fwd->out[P_ATTACH].data, fwd->out[P_ATTACH].len);
	if (main_up.len == 0 && enum_up->len == 0 && cic_up->len == 0 && val_up.len == 0)
		return NULL;
	/* a PRIMARY KEY is dropped before its columns lose NOT NULL */
	initStringInfo(&val_down);
	appendBinaryStringInfo(&val_down, fwd->attach_down.data, fwd->attach_down.len);
	appendBinaryStringInfo(&val_down, fwd->validate_down.data, fwd->validate_down.len);
	if (fwd->creates_routine)
		prepend_no_body_check(&main_up);

	initStringInfo(&main_down);
	if (rev->creates_routine)
		appendStringInfoString(&main_down, NO_BODY_CHECK);
	appendBinaryStringInfo(&main_down, fwd->extra_down.data, fwd->extra_down.len);
	for (p = 0; p < P_COUNT; p++)
		appendBinaryStringInfo(&main_down, rev->out[p].data, rev->out[p].len);

	g = smig_load_graph(true);
	heads = smig_heads(g);
	current = smig_current_heads(g);
	if (list_length(heads) != list_length(current) ||
		list_difference_int(heads, current) != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("database is not up to date: registered revisions are pending"),
				 errdetail("diff() compares the live schema with the desired one and chains the result on the head; the pending revisions would be applied before it."),
				 errhint("Run schemamig.upgrade() first.")));
	initStringInfo(&parents);
	foreach(lc, heads)
		appendStringInfo(&parents, "%s%s", parents.len ? " " : "",
						 g->nodes[lfirst_int(lc)].rev->id);
	prev = parents.data;

	initStringInfo(&out);
	if (enum_up->len > 0)
	{
		char	   *id = new_id(g);

		add_revision(&out, id, prev, "autogenerate: new enum values", false,
					 enum_up->data,
					 main_up.len > 0 ? "-- PostgreSQL cannot remove a value from an enum type: the values stay\n"
					 : psprintf("-- PostgreSQL cannot remove a value from an enum type: the values stay\n%s",
								main_down.data));
		prev = id;
	}
	if (main_up.len > 0)
	{
		char	   *id = new_id(g);

		add_revision(&out, id, prev, "autogenerate", false, main_up.data,
					 main_down.data);
		prev = id;
	}
	if (cic_up->len > 0)
	{
		char	   *id = new_id(g);

		add_revision(&out, id, prev,
					 "autogenerate: indexes built and dropped CONCURRENTLY (CALL schemamig.migrate)",
					 true, cic_up->data, fwd->cic_down.data);
		prev = id;
	}
	if (val_up.len > 0)
		add_revision(&out, new_id(g), prev,
					 fwd->out[P_ATTACH].len == 0 ?
					 "autogenerate: validate constraints added NOT VALID" :
					 fwd->out[P_VALIDATE].len == 0 ?
					 "autogenerate: constraints made of the indexes built concurrently" :
					 "autogenerate: validate constraints added NOT VALID, constraints made of the indexes built concurrently",
					 false, val_up.data, val_down.data);
	return out.data;
}
