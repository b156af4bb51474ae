/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The migration linter's driver: schemamig.lint(), lint_revision(),
 *	  lint_rules(), and the warnings at registration.
 *
 * A run lints the statements of a script (or of one revision) in order, so
 * that what an earlier statement created is known to be new, not
 * pre-existing.  Statements come from PostgreSQL's own grammar
 * (exec/statements.c): at registration, the ones registration already
 * split (a body is parsed once per operation); for lint() and
 * lint_revision(), parsed here.  Each raw parse tree is handed to the rules
 * (rules.c), which read the catalog of the database the linter runs in;
 * nothing is executed and no lock stronger than ACCESS SHARE, taken only
 * when free, is ever asked for.
 *
 * Findings can be silenced with "-- schemamig:allow RULE... reason" lines
 * (findings.c reads them): in a revision's header for the whole revision,
 * inside a section for the statement that follows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"

#include "base/session.h"
#include "base/spi.h"
#include "base/subxact.h"
#include "compat.h"
#include "exec/statements.h"
#include "lint/findings.h"
#include "lint/lint.h"
#include "lint/rules.h"
#include "model/catalog.h"
#include "model/graph.h"

#define LINT_COLS 6
#define LINT_RULES_COLS 3

/* what parse_section() works on */
typedef struct ParseArgs
{
	const char *sql;
	SmigBodySource *src;
	bool		nontx;			/* split as a revision without a transaction */
	List	   *stmts;
} ParseArgs;

/* an entry of the set of applied revision ids */
typedef struct AppliedId
{
	char		id[SMIG_ID_MAXLEN + 1]; /* hash key */
} AppliedId;

static void lint_revision_run(LintState *st, SmigRevision *rev,
							  int first_line, const SmigLintBodies *bodies);
static void lint_section(LintState *st, const char *sql, int first_line,
						 List *revision_allows, List *const *given);
static void lint_one_statement(LintState *st, SmigStatement *stmt);
static bool must_rethrow(int code);
static void parse_section(void *arg);
static void run_rules(void *arg);
static bool is_script(const char *text);
static List *lint_text(const char *text);
static HTAB *applied_ids(void);
static void emit_findings(ReturnSetInfo *rsinfo, List *findings);
static void init_state(LintState *st);

/* smig_run_caught() callbacks: parse a section; run the rules on a statement */
static void
parse_section(void *arg)
{
	ParseArgs  *parse = (ParseArgs *) arg;

	parse->stmts = smig_parse_revision_body(parse->sql, parse->src, parse->nontx);
}

static void
run_rules(void *arg)
{
	LintState  *st = (LintState *) arg;

	smig_lint_statement(st, st->stmt->tree);
}

/*
 * must_rethrow
 *		Whether an error caught while linting is about the session, not the
 *		statement: cancels, shutdowns, lack of resources, system errors,
 *		serialization and deadlock failures, lock timeouts.  Those are raised
 *		again; the others only mean the linter cannot tell.
 */
static bool
must_rethrow(int code)
{
	switch (ERRCODE_TO_CATEGORY(code))
	{
		case ERRCODE_INSUFFICIENT_RESOURCES:
		case ERRCODE_OPERATOR_INTERVENTION:
		case ERRCODE_SYSTEM_ERROR:
		case ERRCODE_TRANSACTION_ROLLBACK:
		case ERRCODE_INTERNAL_ERROR:
			return true;
		default:
			return code == ERRCODE_LOCK_NOT_AVAILABLE;
	}
}

/*
 * lint_section
 *		Lint one body whose first line is numbered first_line.  With given,
 *		*given holds its statements as smig_parse_statements() split them
 *		(at registration); without, the body is parsed here, and a body that
 *		does not parse gives one T010 finding.
 */
static void
lint_section(LintState *st, const char *sql, int first_line,
			 List *revision_allows, List *const *given)
{
	List	   *stmts;
	List	   *allows;
	ListCell   *lc;

	allows = smig_lint_body_allows(sql, first_line);
	st->allows = list_concat_copy(revision_allows, allows);
	st->stmt = NULL;
	st->held_table = NULL;
	st->held_line = 0;
	st->held_reported = false;
	st->altered = NIL;
	st->not_valid = NIL;

	if (given != NULL)
		stmts = *given;
	else
	{
		SmigBodySource src;
		int			error_line = first_line;
		ParseArgs	parse;
		ErrorData  *edata;

		src.revision = st->revision ? st->revision : "(lint)";
		src.section = st->section;
		src.first_line = first_line;
		src.line_of = st->revision ? "script" : "input";
		src.error_line = &error_line;

		/* parse errors become a finding */
		parse.sql = sql;
		parse.src = &src;
		parse.nontx = st->nontx;
		parse.stmts = NIL;
		edata = smig_run_caught(parse_section, &parse);
		stmts = parse.stmts;

		if (edata != NULL)
		{
			if (must_rethrow(edata->sqlerrcode))
				ReThrowError(edata);
			smig_lint_report_at(st, error_line, "T010", LINT_ERROR,
								psprintf("%s does not parse: %s",
										 st->revision ? psprintf("revision \"%s\", %s section,", st->revision, st->section) : "the SQL",
										 edata->message),
								edata->hint ? edata->hint :
								"Fix the SQL: it is read by this server's own parser (PostgreSQL's grammar of the running major version).");
			FreeErrorData(edata);
			smig_lint_report_unused(st, allows);
			return;
		}
	}

	foreach(lc, stmts)
	{
		SmigStatement *stmt = lfirst(lc);
		ListCell   *ac;

		CHECK_FOR_INTERRUPTS();
		/* a body allow line is for the first statement after it */
		foreach(ac, allows)
		{
			LintAllow  *a = lfirst(ac);

			if (!a->assigned && a->line < stmt->line)
			{
				a->assigned = true;
				a->stmt_line = stmt->line;
			}
		}
		lint_one_statement(st, stmt);
	}
	st->stmt = NULL;
	smig_lint_end_section(st);
	smig_lint_report_unused(st, allows);
}

/*
 * lint_one_statement
 *		Run the rules over one statement.  The rules look things up in the
 *		catalog, and a lookup can fail (a type the script creates later, a
 *		cross-database name): such a failure only means the rules cannot
 *		tell, so it is caught in a subtransaction and the statement is left
 *		with what was found before it.  Cancels are not swallowed.
 */
static void
lint_one_statement(LintState *st, SmigStatement *stmt)
{
	ErrorData  *edata;

	st->stmt = stmt;
	st->stmt_slow = false;

	if (stmt->refused != NULL)
	{
		smig_lint_report(st, stmt->refused_txn ? "T002" : "T001", LINT_ERROR,
						 psprintf("%s cannot run inside a migration: schemamig runs every revision in a transaction, from inside a function, and registration refuses it", stmt->refused),
						 stmt->refused_hint);
		if (stmt->refused_txn)
			return;
	}

	edata = smig_run_caught(run_rules, st);

	if (edata != NULL)
	{
		if (must_rethrow(edata->sqlerrcode))
			ReThrowError(edata);
		/* keep what the statement's rules found before the failure */
		FreeErrorData(edata);
	}

	/* L018: a slow statement while an earlier one holds a table */
	if (st->stmt_slow && st->held_table != NULL &&
		st->held_line < stmt->line && !st->held_reported)
	{
		st->held_reported = true;
		smig_lint_report(st, "L018", LINT_WARNING,
						 psprintf("the ACCESS EXCLUSIVE lock on \"%s\" taken at line %d is held while this slow statement runs: every query on \"%s\" waits until the revision commits",
								  st->held_table, st->held_line, st->held_table),
						 "Put the statement that takes the ACCESS EXCLUSIVE lock in a revision of its own (or last in this one), and run with CALL schemamig.migrate(), which commits after each revision.");
	}
}

/*
 * lint_revision_run
 *		Lint both sections of rev; its block starts at first_line of what
 *		lines count in.  The header's allow lines hold for both sections.
 *		bodies, if not NULL, are its sections as registration split them.
 */
static void
lint_revision_run(LintState *st, SmigRevision *rev, int first_line,
				  const SmigLintBodies *bodies)
{
	List	   *header = NIL;
	ListCell   *lc;

	st->revision = rev->id;
	st->has_downgrade = rev->downgrade_sql != NULL;
	st->nontx = rev->nontx;
	foreach(lc, rev->lint_allow)
	{
		int			i = foreach_current_index(lc);
		int			line = (i < list_length(rev->lint_allow_lines)) ?
			list_nth_int(rev->lint_allow_lines, i) : first_line;

		header = lappend(header, smig_lint_parse_allow(lfirst(lc), line, true));
	}

	st->section = "upgrade";
	st->downgrade = false;
	lint_section(st, rev->upgrade_sql, first_line + rev->upgrade_line - 1,
				 header, bodies ? &bodies->upgrade : NULL);

	/* D012: nothing to run back to */
	if (rev->downgrade_sql == NULL && rev->upgrade_sql[0] != '\0')
	{
		st->stmt = NULL;
		st->allows = header;
		smig_lint_report_at(st, first_line, "D012", LINT_INFO,
							psprintf("revision \"%s\" has no downgrade section: a downgrade past it is refused", rev->id),
							"Add \"-- schemamig:downgrade\" with the SQL that undoes the upgrade, if it can be undone.");
	}

	if (rev->downgrade_sql != NULL)
	{
		st->section = "downgrade";
		st->downgrade = true;
		lint_section(st, rev->downgrade_sql,
					 first_line + rev->downgrade_line - 1, header,
					 bodies ? &bodies->downgrade : NULL);
	}
	smig_lint_report_unused(st, header);
	st->allows = NIL;
}

/* does text hold a revision directive, i.e. is it a script? */
static bool
is_script(const char *text)
{
	const char *p = text;

	while (p != NULL && *p)
	{
		const char *q = p;

		CHECK_FOR_INTERRUPTS();
		if (q[0] == '-' && q[1] == '-')
		{
			q += 2;
			while (*q == ' ' || *q == '\t')
				q++;
			if (strncmp(q, "schemamig:revision", 18) == 0 &&
				(q[18] == ' ' || q[18] == '\t' || q[18] == '\r' ||
				 q[18] == '\n' || q[18] == '\0'))
				return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

/* the ids of the applied revisions, as a set (a hash table) */
static HTAB *
applied_ids(void)
{
	HASHCTL		ctl;
	HTAB	   *result;
	uint64		i;

	ctl.keysize = SMIG_ID_MAXLEN + 1;
	ctl.entrysize = sizeof(AppliedId);
	ctl.hcxt = CurrentMemoryContext;
	result = hash_create("schemamig lint applied revisions", 64, &ctl,
						 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	smig_spi_exec("SELECT revision FROM schemamig.applied",
				  0, NULL, NULL, NULL, true, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[i],
									  SPI_tuptable->tupdesc, 1);

		CHECK_FOR_INTERRUPTS();
		/* a longer id cannot be a script's: the script format refuses it */
		if (id != NULL && strlen(id) <= SMIG_ID_MAXLEN)
			(void) hash_search(result, id, HASH_ENTER, NULL);
	}
	return result;
}

static void
init_state(LintState *st)
{
	memset(st, 0, sizeof(LintState));
	st->report = true;
}

/*
 * lint_text
 *		The findings (sorted) for what lint() was given: a script (it holds
 *		a "-- schemamig:revision" line) or plain SQL, which is read as one
 *		upgrade section starting at line 1.
 */
static List *
lint_text(const char *text)
{
	LintState	st;

	init_state(&st);
	if (is_script(text))
	{
		List	   *revisions = smig_parse_script(text);
		HTAB	   *applied = applied_ids();
		ListCell   *lc;

		/* what an applied revision made is in the catalog: skip it */
		foreach(lc, revisions)
		{
			SmigRevision *rev = lfirst(lc);

			if (strlen(rev->id) > SMIG_ID_MAXLEN ||
				hash_search(applied, rev->id, HASH_FIND, NULL) == NULL)
				lint_revision_run(&st, rev, rev->script_line, NULL);
		}
	}
	else
	{
		st.section = "upgrade";
		lint_section(&st, text, 1, NIL, NULL);
	}
	st.stmt = NULL;
	smig_lint_sort_findings(st.findings);
	return st.findings;
}

static void
emit_findings(ReturnSetInfo *rsinfo, List *findings)
{
	ListCell   *lc;

	foreach(lc, findings)
	{
		LintFinding *f = lfirst(lc);
		Datum		values[LINT_COLS];
		bool		nulls[LINT_COLS] = {false};
		int			i = 0;

		values[i++] = Int32GetDatum(f->line);
		values[i++] = CStringGetTextDatum(f->rule);
		values[i++] = CStringGetTextDatum(f->severity);
		if (f->statement)
			values[i++] = CStringGetTextDatum(f->statement);
		else
			nulls[i++] = true;
		values[i++] = CStringGetTextDatum(f->message);
		if (f->hint)
			values[i++] = CStringGetTextDatum(f->hint);
		else
			nulls[i++] = true;
		Assert(i == LINT_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/*
 * smig_lint_at_registration
 *		Lint the revisions of a script being registered (in script order)
 *		and raise their findings as WARNINGs, or fail with an ERROR when
 *		schemamig.lint = error.  bodies[i] holds the statements of revision
 *		i as registration split them (smig_parse_statements(), trees kept):
 *		they are not parsed again.  changed[i] says whether revision i is
 *		added or replaced: the others only contribute facts (what they
 *		create), unless applied[i]: what an applied revision made is in the
 *		catalog already, so it is skipped.  Info findings are not raised.
 *		Needs SPI.
 */
void
smig_lint_at_registration(List *revisions, const SmigLintBodies *bodies,
						  const bool *changed, const bool *applied,
						  const char *line_of)
{
	LintState	st;
	ListCell   *lc;
	int			raised = 0;
	const char *first_rev = NULL;

	if (smig_lint_mode == SMIG_LINT_OFF)
		return;

	init_state(&st);
	foreach(lc, revisions)
	{
		SmigRevision *rev = lfirst(lc);
		int			n = foreach_current_index(lc);

		if (applied[n])
			continue;
		st.report = changed[n];
		lint_revision_run(&st, rev, rev->script_line > 0 ? rev->script_line : 1,
						  &bodies[n]);
	}
	st.report = true;
	st.stmt = NULL;
	smig_lint_sort_findings(st.findings);

	foreach(lc, st.findings)
	{
		LintFinding *f = lfirst(lc);

		if (strcmp(f->severity, LINT_INFO) == 0)
			continue;
		raised++;
		if (first_rev == NULL)
			first_rev = f->revision;
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%s %s: %s", f->rule,
						smig_lint_rule_find(f->rule)->name, f->message),
				 f->number > 0 ?
				 errdetail("Revision \"%s\", %s statement %d, line %d of the %s: %s",
						   f->revision, f->section, f->number, f->line,
						   line_of, f->statement) :
				 errdetail("Revision \"%s\", line %d of the %s.",
						   f->revision, f->line, line_of),
				 f->hint ? errhint("%s", f->hint) : 0));
	}
	if (raised > 0 && smig_lint_mode == SMIG_LINT_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION),
				 errmsg("lint found %d problem%s, first in revision \"%s\"; nothing was registered",
						raised, raised == 1 ? "" : "s", first_rev),
				 errhint("Fix them, or put \"-- schemamig:allow <rule> <reason>\" above the statement, or SET schemamig.lint = warn.")));
}

/*
 * SQL-callable functions
 */

/* lint(sql text): findings for a script or plain SQL */
PG_FUNCTION_INFO_V1(schemamig_lint);
Datum
schemamig_lint(PG_FUNCTION_ARGS)
{
	char	   *sql = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	List	   *findings;

	smig_init_srf(fcinfo, false);
	opcxt = smig_begin_spi("schemamig lint");
	findings = lint_text(sql);
	emit_findings(rsinfo, findings);
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/* lint_revision(revision text): findings for a registered revision */
PG_FUNCTION_INFO_V1(schemamig_lint_revision);
Datum
schemamig_lint_revision(PG_FUNCTION_ARGS)
{
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	LintState	st;
	SmigGraph  *g;
	SmigRevision *rev;

	smig_init_srf(fcinfo, false);
	opcxt = smig_begin_spi("schemamig lint_revision");
	g = smig_load_graph(true);
	rev = g->nodes[smig_resolve_one(g, id)].rev;
	smig_load_bodies(rev, true);
	init_state(&st);
	lint_revision_run(&st, rev, 1, NULL);
	st.stmt = NULL;
	smig_lint_sort_findings(st.findings);
	emit_findings(rsinfo, st.findings);
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/* lint_rules(): the catalogue, for reference */
PG_FUNCTION_INFO_V1(schemamig_lint_rules);
Datum
schemamig_lint_rules(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	smig_init_srf(fcinfo, false);
	for (i = 0; i < smig_lint_rule_count(); i++)
	{
		const LintRule *r = smig_lint_rule_at(i);
		Datum		values[LINT_RULES_COLS];
		bool		nulls[LINT_RULES_COLS] = {false, false, false};

		values[0] = CStringGetTextDatum(r->id);
		values[1] = CStringGetTextDatum(r->name);
		values[2] = BoolGetDatum(!smig_lint_rule_ignored(r->id));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
