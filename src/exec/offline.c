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
 * It must be safe to feed to psql whatever the revisions contain: psql
 * lexes the file itself, and a revision that made psql's lexer disagree
 * with the server's (standard_conforming_strings switched off, a
 * client_encoding whose characters can end in a backslash) could otherwise
 * smuggle a meta-command such as \! past it.  So:
 *	- the script pins client_encoding (the encoding it is written in),
 *	  standard_conforming_strings and backslash_quote at its top;
 *	- no revision text is ever outside a dollar quote: each statement sits
 *	  in its own, on lines of its own, with a tag that does not occur in it,
 *	  and is handed with its revision to schemamig.offline_step() (see
 *	  src/api/offline.c), which checks it is the registered statement, runs
 *	  the revision the way the runner does (settings and role put back
 *	  after it, so no revision changes the session psql goes on lexing
 *	  with) and records the step with the runner's writer;
 *	- what schemamig writes around them is ASCII, and a revision's message
 *	  goes into a comment with its line ends replaced.
 *
 * A revision that says "-- schemamig:transaction off" (issue 18) is written
 * outside BEGIN ... COMMIT, one statement at a time, as migrate() runs it:
 * the transaction before it is committed, and each statement goes, in its
 * dollar quote, to schemamig.offline_nontx_step() (src/api/offline.c),
 * which runs and records the statements that can share a transaction, and
 * hands the others back for psql's \gexec to run as top-level commands
 * (CREATE INDEX CONCURRENTLY cannot run in a transaction block), followed
 * by the call that records them.  So the revision text still never reaches
 * psql's lexer; after such a statement (a DO or CALL may change settings of
 * psql's session) the lexer settings are pinned again.  The statements a
 * partly run revision has done are left out, since the script is made from
 * where the database is.  Such a script must run in psql's autocommit mode
 * (no -1 / --single-transaction).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "base/session.h"
#include "exec/execute.h"
#include "exec/runner.h"
#include "exec/statements.h"
#include "model/catalog.h"

static void set_from_state(SmigGraph *g, const char *from);
static char *render_script(SmigGraph *g, SmigPlan plan, bool upgrade,
						   const char *call, bool live);
static void append_pins(StringInfo buf);
static void append_begin(StringInfo buf);
static int	partly_done(SmigRevision *rev, bool upgrade);
static void render_nontx(StringInfo buf, SmigRevision *rev, bool upgrade,
						 const char *body, const SmigBodySource *src,
						 bool live);
static void append_quoted(StringInfo buf, const char *sql);
static char *comment_text(const char *s);
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
 * comment_text
 *		s for a "--" comment: no line end may escape it.
 */
static char *
comment_text(const char *s)
{
	char	   *copy = pstrdup(s);
	char	   *c;

	for (c = copy; *c; c++)
		if (*c == '\r' || *c == '\n')
			*c = ' ';
	return copy;
}

/*
 * append_quoted
 *		sql as a dollar-quoted string constant that psql cannot leave early
 *		whatever its settings: "$tag$", a newline, sql, a newline and
 *		"$tag$" at the start of a line of its own, where tag is the first of
 *		smig, smig1, smig2, ... such that "$tag$" does not occur in sql.
 *
 * Inside a dollar quote psql looks for nothing but the closing tag, so no
 * backslash or quote in sql means anything to it.  The closing tag starts
 * a line: psql reads line by line, so no multibyte character of a
 * client-only encoding (whose later bytes can look like ASCII) can run
 * into it; and since '$' is never such a later byte, "$tag$" seen by psql
 * inside sql would have to be in sql.  offline_step() takes off the two
 * newlines.
 */
static void
append_quoted(StringInfo buf, const char *sql)
{
	char		tag[32];
	int			n = 0;

	strlcpy(tag, "$smig$", sizeof(tag));
	while (strstr(sql, tag) != NULL)
	{
		CHECK_FOR_INTERRUPTS();
		snprintf(tag, sizeof(tag), "$smig%d$", ++n);
	}
	appendStringInfo(buf, "%s\n%s\n%s", tag, sql, tag);
}

/* the settings psql lexes the script with (see the file's banner) */
static void
append_pins(StringInfo buf)
{
	appendStringInfo(buf,
					 "SET client_encoding = '%s';\n"
					 "SET standard_conforming_strings = on;\n"
					 "SET backslash_quote = safe_encoding;\n",
					 pg_get_client_encoding_name());
}

/* a transaction holding the migration lock */
static void
append_begin(StringInfo buf)
{
	appendStringInfo(buf, "BEGIN;\n\nSELECT pg_catalog.pg_advisory_xact_lock(%d, %d);\n\n",
					 SMIG_LOCK_KEY1, SMIG_LOCK_KEY2);
}

/* how many statements of rev ran in that direction (schemamig.partial) */
static int
partly_done(SmigRevision *rev, bool upgrade)
{
	ListCell   *lc;

	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		if (strcmp(p->revision, rev->id) == 0 && p->upgrade == upgrade &&
			strcmp(p->checksum, rev->checksum) == 0)
			return p->done;
	}
	return 0;
}

/*
 * render_nontx
 *		The steps of a revision without a transaction (outside any
 *		transaction block): one offline_nontx_step() call per statement not
 *		done yet (live: the script is made from where the database is).
 */
static void
render_nontx(StringInfo buf, SmigRevision *rev, bool upgrade,
			 const char *body, const SmigBodySource *src, bool live)
{
	List	   *stmts = smig_split_revision_body(body, src, true);
	int			done = live ? partly_done(rev, upgrade) : 0;
	int			n = list_length(stmts);
	ListCell   *lc;

	appendStringInfo(buf, "-- without a transaction: each of its %d statement%s commits on its own\n",
					 n, n == 1 ? "" : "s");
	if (done > 0)
		appendStringInfo(buf, "-- statements 1 to %d ran already\n", done);
	foreach(lc, stmts)
	{
		SmigStatement *stmt = lfirst(lc);
		bool		own = smig_exec_class(stmt) == SMIG_EXEC_OWN_XACT;

		CHECK_FOR_INTERRUPTS();
		if (stmt->number <= done)
			continue;
		appendStringInfo(buf, "\n-- statement %d of %d (line %d)%s\n"
						 "SELECT schemamig.offline_nontx_step('%s', %s, %s, %d, ",
						 stmt->number, n, stmt->line,
						 own ? ", run by psql as a command of its own" : "",
						 upgrade ? "upgrade" : "downgrade",
						 quote_literal_cstr(rev->id),
						 quote_literal_cstr(rev->checksum), stmt->number);
		append_quoted(buf, stmt->sql);
		appendStringInfoString(buf, ") \\gexec\n");
		if (own)
			append_pins(buf);
	}
}

/*
 * render_script
 *		The offline script for plan.  call is the function call that made
 *		it, for the header; live: it is made from the database's own state
 *		(no from_revision).
 */
static char *
render_script(SmigGraph *g, SmigPlan plan, bool upgrade, const char *call,
			  bool live)
{
	StringInfoData buf;
	List	   *cur = smig_current_heads(g);
	ListCell   *lc;
	int			k;
	bool		in_xact = true;

	initStringInfo(&buf);
	appendStringInfo(&buf, "-- schemamig offline %s script, made by %s\n",
					 upgrade ? "upgrade" : "downgrade", comment_text(call));
	appendStringInfoString(&buf, "-- starting from: ");
	if (cur == NIL)
		appendStringInfoString(&buf, "base");
	foreach(lc, cur)
		appendStringInfo(&buf, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 g->nodes[lfirst_int(lc)].rev->id);
	appendStringInfo(&buf, "\n-- %d revision%s to %s\n", plan.nsteps,
					 plan.nsteps == 1 ? "" : "s",
					 upgrade ? "apply" : "undo");
	/*
	 * Pinned before anything from a revision: the encoding the text is in
	 * (it reaches the caller converted to its client_encoding), and the
	 * lexer settings revision SQL is split and run with.
	 */
	for (k = 0; k < plan.nsteps; k++)
		if (g->nodes[plan.steps[k]].rev->nontx)
		{
			appendStringInfoString(&buf, "-- it holds revisions without a transaction: run it with psql in autocommit\n"
								   "-- mode (the default; not with -1 / --single-transaction)\n");
			break;
		}
	appendStringInfoString(&buf, "\\set ON_ERROR_STOP on\n");
	append_pins(&buf);
	appendStringInfoString(&buf, "\n");
	append_begin(&buf);

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
		List	   *stmts;

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
			appendStringInfo(&buf, ", %s", comment_text(rev->message));
		appendStringInfoString(&buf, "\n\n");

		if (body == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" is irreversible: it has no downgrade section", rev->id)));
		if (rev->nontx)
		{
			if (in_xact)
				appendStringInfoString(&buf, "COMMIT;\n\n");
			in_xact = false;
			render_nontx(&buf, rev, upgrade, body, &src, live);
			continue;
		}
		if (!in_xact)
		{
			appendStringInfoString(&buf, "\n");
			append_begin(&buf);
			in_xact = true;
		}
		stmts = smig_split_statements(body, &src);

		/* the statements, checked, run and recorded as the runner does */
		appendStringInfo(&buf, "CALL schemamig.offline_step('%s', %s, %s, ",
						 upgrade ? "upgrade" : "downgrade", idlit, sumlit);
		if (stmts == NIL)
			appendStringInfoString(&buf, "ARRAY[]::pg_catalog.text[]");
		else
		{
			appendStringInfoString(&buf, "ARRAY[\n");
			foreach(lc, stmts)
			{
				if (foreach_current_index(lc) > 0)
					appendStringInfoString(&buf, ",\n");
				append_quoted(&buf, ((SmigStatement *) lfirst(lc))->sql);
			}
			appendStringInfoString(&buf, "]");
		}
		appendStringInfoString(&buf, ");\n");
	}

	/* the drift record of what the steps left (issue 15) */
	if (plan.nsteps > 0)
		appendStringInfo(&buf, "\nCALL schemamig.offline_record('%s');\n",
						 upgrade ? "upgrade" : "downgrade");
	if (in_xact)
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
											   true, call, from == NULL));
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
											   false, call, from == NULL));
	smig_end_spi(opcxt);
	PG_RETURN_TEXT_P(result);
}
