/*-------------------------------------------------------------------------
 *
 * register.c
 *	  Registering revisions: register(script), revision(), merge() and
 *	  forget().  Nothing here runs revision SQL; it is parsed, checked and
 *	  stored.  A registration is all or nothing: every check runs before
 *	  the first row is written, and an error rolls back the caller's
 *	  transaction anyway.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "base/session.h"
#include "compat.h"
#include "exec/runner.h"
#include "exec/statements.h"
#include "lint/lint.h"
#include "register/register.h"

#define REGISTER_COLS 2

static void check_bodies(SmigRevision *rev, const char *line_of,
						 int first_line, SmigLintBodies *bodies);
static List *split_checked(const char *sql, const SmigBodySource *src,
						   bool nontx);
static bool same_set(List *a, List *b);
static bool same_list(List *a, List *b);
static int	cmp_strings(const ListCell *a, const ListCell *b);
static bool strings_equal(const char *a, const char *b);
static bool same_bodies(SmigRevision *cur, SmigRevision *rev);
static char *describe_changes(SmigRevision *old, SmigRevision *new);
static char *new_revision_id(SmigGraph *g);
static List *resolve_parents(SmigGraph *g, const char *spec);
static void check_message(const char *message);
static char *choose_id(SmigGraph *g, char *id);
static void store_new_revision(SmigRevision *rev, List *revisions,
							   List *applied);
static SmigPartial *find_partly_run(List *partials, const char *id);

/*
 * smig_register_script
 *		Register every revision of script; with rsinfo, put a row
 *		(revision, action) per revision into its tuplestore.  Needs the
 *		lock and SPI.
 */
void
smig_register_script(const char *script, ReturnSetInfo *rsinfo)
{
	List	   *parsed = smig_parse_script(script);
	List	   *applied = smig_load_applied(false);
	SmigGraph  *old = smig_graph_build(smig_load_revisions(false), applied);
	const char **actions = palloc(sizeof(char *) * list_length(parsed));
	bool	   *replaced = palloc0(sizeof(bool) * Max(old->nnodes, 1));
	SmigRevision **replacement = palloc0(sizeof(SmigRevision *) *
										 Max(old->nnodes, 1));
	List	   *combined = NIL;
	List	   *partials = smig_load_partial();
	char	   *caller = smig_caller_name();
	SmigLintBodies *bodies = palloc0(sizeof(SmigLintBodies) *
									 Max(list_length(parsed), 1));
	ListCell   *lc;
	int			k;

	/* the SQL of every block must split, and be fit to run */
	foreach(lc, parsed)
	{
		SmigRevision *rev = lfirst(lc);

		check_bodies(rev, "script", rev->script_line,
					 &bodies[foreach_current_index(lc)]);
	}

	/* compare with what is registered */
	foreach(lc, parsed)
	{
		SmigRevision *rev = lfirst(lc);
		int			i = smig_graph_find(old, rev->id);
		int			n = foreach_current_index(lc);

		CHECK_FOR_INTERRUPTS();
		if (i < 0)
			actions[n] = "added";
		else
		{
			SmigNode   *node = &old->nodes[i];
			SmigRevision *cur = node->rev;

			if (same_set(cur->down_revisions, rev->down_revisions) &&
				same_set(cur->depends_on, rev->depends_on) &&
				same_set(cur->branch_labels, rev->branch_labels) &&
				strings_equal(cur->message, rev->message) &&
				same_list(cur->lint_allow, rev->lint_allow) &&
				cur->nontx == rev->nontx &&
				strcmp(cur->checksum, rev->checksum) == 0 &&
				same_bodies(cur, rev))
			{
				actions[n] = "unchanged";

				/*
				 * Keep run-time line numbers true to the latest script, and
				 * make whoever submitted the same content its author: that
				 * role's privileges then bound who may run it.
				 */
				if (cur->upgrade_line != rev->upgrade_line ||
					(rev->downgrade_sql != NULL &&
					 cur->downgrade_line != rev->downgrade_line) ||
					cur->registered_by == NULL ||
					strcmp(cur->registered_by, caller) != 0 ||
					cur->registered_by_oid != GetUserId())
					smig_update_lines(rev);
			}
			else if (node->applied != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("revision \"%s\" is applied and the script changes it (line %d)", rev->id, rev->script_line),
						 errdetail("Applied with checksum %s; the script has %s. Changed: %s.", node->applied->checksum, rev->checksum, describe_changes(cur, rev)),
						 errhint("An applied revision cannot change: write a new revision that makes the change, or downgrade this one first.")));
			else if (find_partly_run(partials, rev->id) != NULL)
			{
				SmigPartial *p = find_partly_run(partials, rev->id);

				/*
				 * Its first statements ran from the registered text: the
				 * rest must come from the same text, or the revision would
				 * be neither the old nor the new one.
				 */
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("revision \"%s\" is partly run and the script changes it (line %d)", rev->id, rev->script_line),
						 errdetail("%d of the %d statements of its %s ran with checksum %s; the script has %s. Changed: %s.",
								   p->done, p->statements, p->upgrade ? "upgrade" : "downgrade",
								   p->checksum, rev->checksum, describe_changes(cur, rev)),
						 errhint("Finish it as registered (CALL schemamig.migrate()) or undo it (CALL schemamig.migrate_down()) first, then register the change.")));
			}
			else
			{
				actions[n] = "replaced";
				rev->seq = cur->seq;
				replaced[i] = true;
				replacement[i] = rev;
			}
		}
	}

	/* the graph as it would be: existing (some replaced), then the new */
	for (k = 0; k < old->nnodes; k++)
		combined = lappend(combined,
						   replaced[k] ? replacement[k] : old->nodes[k].rev);
	foreach(lc, parsed)
		if (strcmp(actions[foreach_current_index(lc)], "added") == 0)
			combined = lappend(combined, lfirst(lc));
	(void) smig_graph_build(combined, applied);

	/* lint what is new or changed (warnings, or an error by GUC) */
	{
		bool	   *changed = palloc(sizeof(bool) * Max(list_length(parsed), 1));
		bool	   *is_applied = palloc(sizeof(bool) * Max(list_length(parsed), 1));

		foreach(lc, parsed)
		{
			SmigRevision *rev = lfirst(lc);
			int			n = foreach_current_index(lc);
			int			i = smig_graph_find(old, rev->id);

			changed[n] = strcmp(actions[n], "unchanged") != 0;
			is_applied[n] = i >= 0 && old->nodes[i].applied != NULL;
		}
		smig_lint_at_registration(parsed, bodies, changed, is_applied,
								  "script");
	}

	/* all checks passed: write */
	foreach(lc, parsed)
	{
		SmigRevision *rev = lfirst(lc);
		const char *action = actions[foreach_current_index(lc)];

		CHECK_FOR_INTERRUPTS();
		if (strcmp(action, "added") == 0)
			smig_insert_revision(rev);
		else if (strcmp(action, "replaced") == 0)
			smig_update_revision(rev);

		if (rsinfo != NULL)
		{
			Datum		values[REGISTER_COLS];
			bool		nulls[REGISTER_COLS] = {false};

			values[0] = CStringGetTextDatum(rev->id);
			values[1] = CStringGetTextDatum(action);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
								 values, nulls);
		}
	}
}

/*
 * check_bodies
 *		Split both bodies of rev, which raises the errors for SQL that does
 *		not parse or cannot run in a migration, into *bodies (statements
 *		with their raw parse trees, for the linter: a body is parsed once).
 *		first_line is the line the block starts at, in what line_of names.
 */
static void
check_bodies(SmigRevision *rev, const char *line_of, int first_line,
			 SmigLintBodies *bodies)
{
	SmigBodySource src;

	src.revision = rev->id;
	src.line_of = line_of;
	src.error_line = NULL;
	src.section = "upgrade";
	src.first_line = first_line + rev->upgrade_line - 1;
	bodies->upgrade = split_checked(rev->upgrade_sql, &src, rev->nontx);
	bodies->downgrade = NIL;
	if (rev->downgrade_sql != NULL)
	{
		src.section = "downgrade";
		src.first_line = first_line + rev->downgrade_line - 1;
		bodies->downgrade = split_checked(rev->downgrade_sql, &src,
										  rev->nontx);
	}
}

/*
 * split_checked
 *		smig_parse_statements() of one body, with what cannot run in a
 *		migration raised as an error: by smig_split_statements(), whose
 *		error names the statement, so only a body being refused is split
 *		twice.  With schemamig.lint = off no parse tree is kept.
 */
static List *
split_checked(const char *sql, const SmigBodySource *src, bool nontx)
{
	List	   *stmts;
	ListCell   *lc;

	if (smig_lint_mode == SMIG_LINT_OFF)
		return smig_split_revision_body(sql, src, nontx);
	stmts = smig_parse_revision_body(sql, src, nontx);
	foreach(lc, stmts)
		if (((SmigStatement *) lfirst(lc))->refused != NULL)
		{
			(void) smig_split_revision_body(sql, src, nontx);
			elog(ERROR, "statement refused by the linter's split was accepted");
		}
	return stmts;
}

/* qsort/list_sort comparator for a List of C strings */
static int
cmp_strings(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

/* do two Lists of (distinct) C strings hold the same strings? */
static bool
same_set(List *a, List *b)
{
	ListCell   *la,
			   *lb;
	List	   *sa;
	List	   *sb;

	if (list_length(a) != list_length(b))
		return false;
	sa = list_copy(a);
	sb = list_copy(b);
	list_sort(sa, cmp_strings);
	list_sort(sb, cmp_strings);
	forboth(la, sa, lb, sb)
		if (strcmp(lfirst(la), lfirst(lb)) != 0)
		return false;
	return true;
}

/* do two Lists of C strings hold the same strings in the same order? */
static bool
same_list(List *a, List *b)
{
	ListCell   *la,
			   *lb;

	if (list_length(a) != list_length(b))
		return false;
	forboth(la, a, lb, b)
		if (strcmp(lfirst(la), lfirst(lb)) != 0)
		return false;
	return true;
}

static bool
strings_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * same_bodies
 *		Are the bodies stored for cur the script's (rev's)?  Compared as
 *		text, not by the stored checksum: an edit in schemamig.revisions
 *		that kept the checksum must not pass for the reviewed script.
 */
static bool
same_bodies(SmigRevision *cur, SmigRevision *rev)
{
	smig_load_bodies(cur, false);
	return strcmp(cur->upgrade_sql, rev->upgrade_sql) == 0 &&
		strings_equal(cur->downgrade_sql, rev->downgrade_sql);
}

/* "upgrade or downgrade SQL, message", for the error about an edit */
static char *
describe_changes(SmigRevision *old, SmigRevision *new)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (strcmp(old->checksum, new->checksum) != 0)
		appendStringInfoString(&buf, ", upgrade or downgrade SQL");
	else if (old->bodies_loaded && !same_bodies(old, new))
		appendStringInfoString(&buf, ", upgrade or downgrade SQL (edited in schemamig.revisions: the checksums match)");
	if (!same_set(old->down_revisions, new->down_revisions))
		appendStringInfoString(&buf, ", down_revision");
	if (!same_set(old->depends_on, new->depends_on))
		appendStringInfoString(&buf, ", depends_on");
	if (!same_set(old->branch_labels, new->branch_labels))
		appendStringInfoString(&buf, ", branch_labels");
	if (!strings_equal(old->message, new->message))
		appendStringInfoString(&buf, ", message");
	if (!same_list(old->lint_allow, new->lint_allow))
		appendStringInfoString(&buf, ", schemamig:allow lines");
	if (old->nontx != new->nontx)
		appendStringInfoString(&buf, ", schemamig:transaction");
	return buf.len > 2 ? buf.data + 2 : buf.data;
}

/* a fresh random id of 12 hex characters, like Alembic's */
static char *
new_revision_id(SmigGraph *g)
{
	int			tries;

	for (tries = 0; tries < 100; tries++)
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
	elog(ERROR, "could not find an unused revision id");
	return NULL;
}

/*
 * resolve_parents
 *		The down_revisions named by spec: a space/comma list of targets
 *		("head" by default); NULL, "" or "base" make a root.
 */
static List *
resolve_parents(SmigGraph *g, const char *spec)
{
	List	   *result = NIL;
	bool	   *seen;
	ListCell   *lc;

	if (spec == NULL)
		return NIL;
	seen = palloc0(sizeof(bool) * Max(g->nnodes, 1));
	foreach(lc, smig_split_list(spec))
	{
		SmigTarget	t = smig_resolve_target(g, lfirst(lc));
		int			k;

		if (t.branch_base >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("down_revision \"%s\" is not a revision", (char *) lfirst(lc))));
		for (k = 0; k < t.nnodes; k++)
			if (!seen[t.nodes[k]])
			{
				seen[t.nodes[k]] = true;
				result = lappend(result, g->nodes[t.nodes[k]].rev->id);
			}
	}
	return result;
}

/*
 * choose_id
 *		The id for a new revision: id when given (it must be free), else a
 *		fresh random one.
 */
static char *
choose_id(SmigGraph *g, char *id)
{
	if (id == NULL)
		return new_revision_id(g);
	if (smig_graph_find(g, id) >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("revision \"%s\" is already registered", id),
				 errhint("Choose another id, or leave it NULL for a generated one.")));
	return id;
}

/*
 * store_new_revision
 *		Finish a revision made by revision() or merge() (line numbers count
 *		from its SQL text, checksum), check its SQL and the graph it makes
 *		with revisions, and insert it.
 */
static void
store_new_revision(SmigRevision *rev, List *revisions, List *applied)
{
	SmigLintBodies bodies;

	rev->bodies_loaded = true;
	rev->upgrade_line = 1;
	rev->downgrade_line = 1;
	rev->checksum = smig_checksum(rev->upgrade_sql, rev->downgrade_sql);
	check_bodies(rev, "revision", 1, &bodies);
	(void) smig_graph_build(lappend(revisions, rev), applied);
	{
		bool		changed[1] = {true};
		bool		is_applied[1] = {false};

		smig_lint_at_registration(list_make1(rev), &bodies, changed,
								  is_applied, "revision");
	}
	smig_insert_revision(rev);
}

/* a revision message is one line */
static void
check_message(const char *message)
{
	if (message != NULL && strpbrk(message, "\r\n") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision message must be one line"),
				 errhint("Put longer explanations in SQL comments of the upgrade section.")));
}

/*
 * SQL-callable functions
 */

PG_FUNCTION_INFO_V1(schemamig_register);
Datum
schemamig_register(PG_FUNCTION_ARGS)
{
	char	   *script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;

	smig_init_srf(fcinfo, false);
	smig_begin_write("register");
	opcxt = smig_begin_spi("schemamig register");
	smig_register_script(script, rsinfo);
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/*
 * revision(message, upgrade, downgrade, down_revision, revision,
 * branch_label): register one revision, like "alembic revision -m".
 */
PG_FUNCTION_INFO_V1(schemamig_revision);
Datum
schemamig_revision(PG_FUNCTION_ARGS)
{
	char	   *message = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *upgrade = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *downgrade = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *down = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	char	   *id = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	char	   *label = PG_ARGISNULL(5) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(5));
	MemoryContext opcxt;
	SmigGraph  *g;
	SmigRevision *rev;
	List	   *revisions;
	List	   *applied;
	text	   *result;
	ListCell   *lc;

	if (upgrade == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("upgrade SQL of a revision must not be NULL"),
				 errhint("Pass '' for a revision without SQL.")));
	check_message(message);
	if (id != NULL)
		smig_check_id(id, "revision id", 0);

	smig_begin_write("revision");
	opcxt = smig_begin_spi("schemamig revision");
	revisions = smig_load_revisions(false);
	applied = smig_load_applied(false);
	g = smig_graph_build(revisions, applied);

	rev = palloc0(sizeof(SmigRevision));
	id = choose_id(g, id);
	rev->id = id;
	rev->message = (message && message[0]) ? message : NULL;
	rev->down_revisions = (down == NULL || strcmp(down, "base") == 0) ? NIL :
		resolve_parents(g, down);
	rev->branch_labels = label ? smig_split_list(label) : NIL;
	foreach(lc, rev->branch_labels)
		smig_check_id(lfirst(lc), "branch label", 0);
	smig_check_unique(rev->branch_labels, "branch_label", 0);
	rev->upgrade_sql = smig_clean_body(upgrade);
	rev->downgrade_sql = downgrade ? smig_clean_body(downgrade) : NULL;
	rev->reversible = (downgrade != NULL);
	store_new_revision(rev, revisions, applied);

	result = smig_text_in_parent(opcxt, id);
	smig_end_spi(opcxt);
	PG_RETURN_TEXT_P(result);
}

/*
 * merge(revisions, message, revision): a revision whose down_revisions are
 * the given revisions (default: every head), with no SQL.  revision: its
 * id (default: a generated one).
 */
PG_FUNCTION_INFO_V1(schemamig_merge);
Datum
schemamig_merge(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_ARGISNULL(0) ? NULL : PG_GETARG_ARRAYTYPE_P(0);
	char	   *message = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *id = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	MemoryContext opcxt;
	SmigGraph  *g;
	SmigRevision *rev;
	List	   *revisions;
	List	   *applied;
	int		   *nodes;
	int			n = 0;
	bool	   *seen;
	int			k;
	text	   *result;

	check_message(message);
	if (id != NULL)
		smig_check_id(id, "revision id", 0);
	smig_begin_write("merge");
	opcxt = smig_begin_spi("schemamig merge");
	revisions = smig_load_revisions(false);
	applied = smig_load_applied(false);
	g = smig_graph_build(revisions, applied);
	nodes = palloc(sizeof(int) * Max(g->nnodes, 1));
	seen = palloc0(sizeof(bool) * Max(g->nnodes, 1));

	if (arr == NULL)
	{
		ListCell   *lc;

		foreach(lc, smig_heads(g))
			nodes[n++] = lfirst_int(lc);
	}
	else
	{
		ListCell   *lc;

		foreach(lc, smig_array_to_list(PointerGetDatum(arr)))
		{
			int			i = smig_resolve_one(g, lfirst(lc));

			if (!seen[i])
			{
				seen[i] = true;
				nodes[n++] = i;
			}
		}
	}
	if (n < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("merge needs at least two revisions, got %d", n),
				 arr == NULL ? errdetail("There is only one head.") : 0,
				 errhint("A merge joins two or more heads into one.")));
	for (k = 0; k < n; k++)
	{
		/* depends_on makes no branch: it does not stop a merge */
		bool	   *anc = smig_walk(g, &nodes[k], 1, false, SMIG_EDGE_PARENTS);
		int			j;

		for (j = 0; j < n; j++)
			if (anc[nodes[j]])
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("cannot merge \"%s\" with its own ancestor \"%s\"", g->nodes[nodes[k]].rev->id, g->nodes[nodes[j]].rev->id)));
		pfree(anc);
	}

	id = choose_id(g, id);
	rev = palloc0(sizeof(SmigRevision));
	rev->id = id;
	rev->message = (message && message[0]) ? message :
		psprintf("merge %s", smig_join_ids(g, nodes, n, ", "));
	for (k = 0; k < n; k++)
		rev->down_revisions = lappend(rev->down_revisions,
									  g->nodes[nodes[k]].rev->id);
	rev->upgrade_sql = "";
	rev->downgrade_sql = "";
	rev->reversible = true;
	store_new_revision(rev, revisions, applied);

	result = smig_text_in_parent(opcxt, id);
	smig_end_spi(opcxt);
	PG_RETURN_TEXT_P(result);
}

/*
 * forget(revision): unregister a revision that is not applied and that no
 * other revision builds on.
 */
PG_FUNCTION_INFO_V1(schemamig_forget);
Datum
schemamig_forget(PG_FUNCTION_ARGS)
{
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	MemoryContext opcxt;
	SmigGraph  *g;
	SmigNode   *node;
	int			i;

	smig_begin_write("forget");
	opcxt = smig_begin_spi("schemamig forget");
	g = smig_load_graph(false);
	i = smig_resolve_one(g, target);
	node = &g->nodes[i];

	if (node->applied != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot forget revision \"%s\": it is applied", node->rev->id),
				 errhint("Downgrade below it first.")));
	if (node->nchildren > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot forget revision \"%s\": %s builds on it", node->rev->id, smig_join_ids(g, node->children, node->nchildren, ", ")),
				 errhint("Forget the revisions that name it as down_revision first.")));
	if (node->ndependents > 0)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot forget revision \"%s\": %s depends on it", node->rev->id, smig_join_ids(g, node->dependents, node->ndependents, ", ")),
				 errhint("Forget the revisions that name it in depends_on first.")));
	if (find_partly_run(smig_load_partial(), node->rev->id) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot forget revision \"%s\": it is partly run", node->rev->id),
				 errdetail("Statements of it ran and are committed; schemamig.partial records how far it got."),
				 errhint("Undo it first: CALL schemamig.migrate_down() runs its whole downgrade.")));
	smig_delete_revision(node->rev->id);
	smig_log_forget(node->rev);

	smig_end_spi(opcxt);
	PG_RETURN_VOID();
}

/*
 * find_partly_run
 *		The schemamig.partial row of revision id among partials, or NULL.
 */
static SmigPartial *
find_partly_run(List *partials, const char *id)
{
	ListCell   *lc;

	foreach(lc, partials)
	{
		SmigPartial *p = lfirst(lc);

		if (strcmp(p->revision, id) == 0)
			return p;
	}
	return NULL;
}
