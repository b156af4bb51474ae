/*-------------------------------------------------------------------------
 *
 * lint.c
 *	  The migration linter's driver: schemamig.lint(), lint_revision(), the
 *	  warnings at registration, and the allow directives.
 *
 * A run lints the statements of a script (or of one revision) in order, so
 * that what an earlier statement created is known to be new, not
 * pre-existing.  Each statement is parsed by PostgreSQL's own grammar
 * (statements.c) and handed to the rules (lint_rules.c), which read the
 * catalog of the database the linter runs in; nothing is executed and no
 * lock stronger than ACCESS SHARE, taken only when free, is ever asked for.
 *
 * Findings can be silenced with "-- schemamig:allow RULE... reason" lines:
 * in a revision's header for the whole revision, inside a section for the
 * statement that follows.  An allow line that silences nothing is itself
 * reported (M001), so that stale allowances do not pile up.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/varlena.h"

#include "base/session.h"
#include "base/subxact.h"
#include "compat.h"
#include "exec/runner.h"
#include "exec/statements.h"
#include "lint/lint.h"
#include "model/catalog.h"
#include "model/graph.h"

/* the rule catalogue: ids are stable once shipped */
typedef struct LintRule
{
	const char *id;
	const char *name;
} LintRule;

static const LintRule lint_rules[] = {
	{"D001", "drop-table"},
	{"D002", "drop-column"},
	{"D003", "drop-schema"},
	{"D005", "truncate"},
	{"D006", "truncate-cascade"},
	{"D007", "cascade-drops-dependents"},
	{"D008", "unqualified-dml"},
	{"D010", "lossy-type-change"},
	{"D011", "drop-foreign-key"},
	{"D012", "irreversible-step"},
	{"B001", "rename-column"},
	{"B002", "rename-table"},
	{"B003", "rename-schema"},
	{"B004", "rename-enum-value"},
	{"B005", "drop-not-null"},
	{"B006", "add-required-column"},
	{"B007", "enum-value-append"},
	{"B009", "blocked-by-dependents"},
	{"L001", "add-column-volatile-default"},
	{"L002", "add-column-generated-stored"},
	{"L003", "add-column-serial-identity"},
	{"L004", "column-type-rewrite"},
	{"L005", "set-not-null-scan"},
	{"L006", "constraint-not-valid"},
	{"L007", "fk-locks-referenced"},
	{"L008", "add-unique-constraint"},
	{"L009", "add-primary-key"},
	{"L010", "add-exclusion-constraint"},
	{"L011", "create-index-blocking"},
	{"L012", "drop-index-blocking"},
	{"L013", "reindex-blocking"},
	{"L014", "detach-partition-blocking"},
	{"L015", "vacuum-full-cluster"},
	{"L016", "other-rewrite"},
	{"L017", "constrained-domain"},
	{"L018", "lock-held-across-statements"},
	{"L019", "explicit-lock-table"},
	{"L020", "attach-partition-scan"},
	{"L021", "validate-same-transaction"},
	{"L022", "fk-without-index"},
	{"L023", "combine-alter-table"},
	{"L024", "refresh-matview-blocking"},
	{"T001", "non-transactional-statement"},
	{"T002", "transaction-control"},
	{"T004", "lock-timeout-override"},
	{"T005", "statement-timeout-override"},
	{"T007", "enum-value-same-transaction"},
	{"T008", "invalid-index-leftover"},
	{"T010", "syntax-error"},
	{"P001", "prefer-bigint-over-int"},
	{"P002", "prefer-bigint-over-smallint"},
	{"P003", "prefer-identity"},
	{"P004", "prefer-text-field"},
	{"P005", "prefer-timestamptz"},
	{"P006", "ban-char-field"},
	{"P007", "prefer-jsonb"},
	{"P009", "wide-nonunique-index"},
	{"P012", "duplicate-column-assignment"},
	{"M001", "unused-allow"},
};

#define LINT_COLS 6

/* longest statement text shown in a finding, in bytes */
#define LINT_STATEMENT_MAXLEN 120

static const char *rule_name(const char *id);
static bool rule_ignored(const char *id);
static bool allowed(LintState *st, int line, const char *rule);
static LintAllow *parse_allow(const char *arg, int line, bool whole_revision);
static List *body_allows(const char *sql, int first_line);
static void lint_revision_run(LintState *st, SmigRevision *rev,
							  int first_line);
static void lint_section(LintState *st, const char *sql, int first_line,
						 List *revision_allows);
static void lint_one_statement(LintState *st, SmigStatement *stmt);
static bool must_rethrow(int code);
static void parse_section(void *arg);
static void run_rules(void *arg);
static void report_unused(LintState *st, List *allows);
static char *one_line(const char *sql);
static bool is_script(const char *text);
static List *lint_text(const char *text);
static void emit_findings(ReturnSetInfo *rsinfo, List *findings);
static int	cmp_findings(const ListCell *a, const ListCell *b);
static int	severity_rank(const char *severity);
static void init_state(LintState *st);
static List *applied_ids(void);

/*
 * smig_lint_report
 *		Record a finding about the current statement, unless the rule is
 *		ignored (schemamig.lint_ignore) or allowed for the statement.
 */
void
smig_lint_report(LintState *st, const char *rule, const char *severity,
				 const char *message, const char *hint)
{
	Assert(st->stmt != NULL);
	smig_lint_report_at(st, st->stmt->line, rule, severity, message, hint);
}

/*
 * smig_lint_report_at
 *		Record a finding about line (of the current statement, or of a
 *		directive when no statement is current).
 */
void
smig_lint_report_at(LintState *st, int line, const char *rule,
					const char *severity, const char *message,
					const char *hint)
{
	LintFinding *f;

	Assert(smig_lint_rule_known(rule));
	if (!st->report || rule_ignored(rule))
		return;
	/* a downgrade is there to drop and undo: only lock and runner rules */
	if (st->downgrade && (rule[0] == 'D' || rule[0] == 'B'))
		return;
	if (strcmp(rule, "M001") != 0 && allowed(st, line, rule))
		return;

	f = palloc0(sizeof(LintFinding));
	f->line = line;
	f->rule = rule;
	f->severity = severity;
	f->statement = st->stmt ? one_line(st->stmt->sql) : NULL;
	f->message = pstrdup(message);
	f->hint = hint ? pstrdup(hint) : NULL;
	f->revision = st->revision;
	f->section = st->section;
	f->number = st->stmt ? st->stmt->number : 0;
	st->findings = lappend(st->findings, f);
}

/* is id a rule of the catalogue? */
bool
smig_lint_rule_known(const char *id)
{
	return rule_name(id) != NULL;
}

static const char *
rule_name(const char *id)
{
	int			i;

	for (i = 0; i < lengthof(lint_rules); i++)
		if (strcmp(lint_rules[i].id, id) == 0)
			return lint_rules[i].name;
	return NULL;
}

/*
 * smig_lint_ignore_check
 *		GUC check hook of schemamig.lint_ignore: a comma-separated list of
 *		rule ids, or of rule classes (one letter: D, B, L, T, P, M).
 */
bool
smig_lint_ignore_check(char **newval, void **extra, GucSource source)
{
	char	   *copy = pstrdup(*newval);
	List	   *items;
	ListCell   *lc;

	if (!SplitIdentifierString(copy, ',', &items))
	{
		GUC_check_errdetail("List syntax is invalid.");
		return false;
	}
	foreach(lc, items)
	{
		char	   *item = lfirst(lc);

		if (strlen(item) == 1 && strchr("dbltpm", item[0]) != NULL)
			continue;
		if (strlen(item) == 4)
		{
			char		upper[5];
			int			i;

			for (i = 0; i < 4; i++)
				upper[i] = pg_toupper((unsigned char) item[i]);
			upper[4] = '\0';
			if (smig_lint_rule_known(upper))
				continue;
		}
		GUC_check_errdetail("\"%s\" is not a lint rule id (like L011) or class (D, B, L, T, P, M).", item);
		return false;
	}
	return true;
}

/* is rule switched off by schemamig.lint_ignore? */
static bool
rule_ignored(const char *id)
{
	const char *p = smig_lint_ignore;

	if (p == NULL || *p == '\0')
		return false;
	/* the check hook has made it a list of ids and letters */
	while (*p)
	{
		const char *start;
		int			len;

		while (*p == ' ' || *p == ',' || *p == '"')
			p++;
		start = p;
		while (*p && *p != ',' && *p != ' ' && *p != '"')
			p++;
		len = p - start;
		if (len == 1 && pg_toupper((unsigned char) start[0]) == id[0])
			return true;
		if (len == 4 && pg_strncasecmp(start, id, 4) == 0)
			return true;
	}
	return false;
}

/* does an allow line in force silence rule at line? marks it used */
static bool
allowed(LintState *st, int line, const char *rule)
{
	ListCell   *lc;
	bool		found = false;

	foreach(lc, st->allows)
	{
		LintAllow  *a = lfirst(lc);
		ListCell   *rc;

		if (!a->whole_revision && a->stmt_line != line)
			continue;
		foreach(rc, a->rules)
		{
			if (strcmp(lfirst(rc), rule) == 0)
			{
				a->used[foreach_current_index(rc)] = true;
				found = true;
			}
		}
	}
	return found;
}

/*
 * parse_allow
 *		Read the argument of an allow line: rule ids, then a reason.
 *		Unknown ids and a missing reason are errors naming the line.
 */
static LintAllow *
parse_allow(const char *arg, int line, bool whole_revision)
{
	LintAllow  *a = palloc0(sizeof(LintAllow));
	const char *p = arg;

	for (;;)
	{
		const char *start;
		char	   *word;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != ',')
			p++;
		if (p == start)
			break;
		word = pnstrdup(start, p - start);
		/* a rule id is a capital letter and three digits */
		if (strlen(word) != 4 || !isupper((unsigned char) word[0]) ||
			!isdigit((unsigned char) word[1]) ||
			!isdigit((unsigned char) word[2]) ||
			!isdigit((unsigned char) word[3]))
		{
			p = start;
			break;
		}
		if (!smig_lint_rule_known(word))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown lint rule \"%s\" in the schemamig:allow line at line %d", word, line),
					 errhint("The rules are listed in the README, and by SELECT * FROM schemamig.lint_rules().")));
		a->rules = lappend(a->rules, word);
	}
	if (a->rules == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("schemamig:allow line at line %d names no lint rule", line),
				 errhint("Write \"-- schemamig:allow L011 <reason>\".")));
	if (*p == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("schemamig:allow line at line %d gives no reason", line),
				 errhint("Say why the finding does not apply after the rule ids, e.g. \"-- schemamig:allow L011 table holds ten rows\".")));
	a->line = line;
	a->whole_revision = whole_revision;
	a->used = palloc0(sizeof(bool) * list_length(a->rules));
	return a;
}

/*
 * body_allows
 *		The allow lines of a section body (first line numbered first_line):
 *		lines that start with "-- schemamig:allow", as script.c reads
 *		directives.
 */
static pg_noinline List *
body_allows(const char *sql, int first_line)
{
	static const char tag[] = "schemamig:allow";
	List	   *result = NIL;
	const char *p = sql;
	int			line = first_line;

	while (*p)
	{
		const char *eol = strchr(p, '\n');
		int			len = eol ? (int) (eol - p) : (int) strlen(p);

		CHECK_FOR_INTERRUPTS();
		if (len >= 2 && p[0] == '-' && p[1] == '-')
		{
			int			i = 2;

			while (i < len && (p[i] == ' ' || p[i] == '\t'))
				i++;
			if (len - i > (int) strlen(tag) &&
				strncmp(p + i, tag, strlen(tag)) == 0 &&
				(p[i + strlen(tag)] == ' ' || p[i + strlen(tag)] == '\t'))
			{
				char	   *arg = pnstrdup(p + i + strlen(tag),
										   len - i - strlen(tag));

				result = lappend(result, parse_allow(arg, line, false));
			}
		}
		if (eol == NULL)
			break;
		p = eol + 1;
		line++;
	}
	return result;
}

/* what parse_section() works on */
typedef struct ParseArgs
{
	const char *sql;
	SmigBodySource *src;
	List	   *stmts;
} ParseArgs;

/* smig_run_caught() callbacks: parse a section; run the rules on a statement */
static void
parse_section(void *arg)
{
	ParseArgs  *parse = (ParseArgs *) arg;

	parse->stmts = smig_parse_statements(parse->sql, parse->src);
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
 *		Lint one body whose first line is numbered first_line.  A body that
 *		does not parse gives one T010 finding.
 */
static void
lint_section(LintState *st, const char *sql, int first_line,
			 List *revision_allows)
{
	SmigBodySource src;
	int			error_line = first_line;
	ParseArgs	parse;
	List	   *stmts;
	List	   *allows;
	ErrorData  *edata;
	ListCell   *lc;

	allows = body_allows(sql, first_line);
	st->allows = list_concat_copy(revision_allows, allows);
	st->stmt = NULL;
	st->held_table = NULL;
	st->held_line = 0;
	st->held_reported = false;
	st->altered = NIL;
	st->not_valid = NIL;

	src.revision = st->revision ? st->revision : "(lint)";
	src.section = st->section;
	src.first_line = first_line;
	src.line_of = st->revision ? "script" : "input";
	src.error_line = &error_line;

	/* parse errors become a finding */
	parse.sql = sql;
	parse.src = &src;
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
		report_unused(st, allows);
		return;
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
	report_unused(st, allows);
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

/* M001 for every rule of allows that silenced nothing */
static void
report_unused(LintState *st, List *allows)
{
	ListCell   *lc;

	st->stmt = NULL;
	foreach(lc, allows)
	{
		LintAllow  *a = lfirst(lc);
		ListCell   *rc;

		foreach(rc, a->rules)
		{
			if (a->used[foreach_current_index(rc)])
				continue;
			smig_lint_report_at(st, a->line, "M001", LINT_WARNING,
								psprintf("\"-- schemamig:allow %s\" silences no finding %s",
										 (char *) lfirst(rc),
										 a->whole_revision ? "in its revision" :
										 a->assigned ? psprintf("of the statement at line %d", a->stmt_line) :
										 "(no statement follows it)"),
								"Remove the rule from the allow line: the hazard it was for is gone, or the line is not directly above the statement.");
		}
	}
}

/*
 * lint_revision_run
 *		Lint both sections of rev; its block starts at first_line of what
 *		lines count in.  The header's allow lines hold for both sections.
 */
static void
lint_revision_run(LintState *st, SmigRevision *rev, int first_line)
{
	List	   *header = NIL;
	ListCell   *lc;

	st->revision = rev->id;
	st->has_downgrade = rev->downgrade_sql != NULL;
	foreach(lc, rev->lint_allow)
	{
		int			i = foreach_current_index(lc);
		int			line = (i < list_length(rev->lint_allow_lines)) ?
			list_nth_int(rev->lint_allow_lines, i) : first_line;

		header = lappend(header, parse_allow(lfirst(lc), line, true));
	}

	st->section = "upgrade";
	st->downgrade = false;
	lint_section(st, rev->upgrade_sql, first_line + rev->upgrade_line - 1,
				 header);

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
					 first_line + rev->downgrade_line - 1, header);
	}
	report_unused(st, header);
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

/* ids of the applied revisions (String nodes) */
static List *
applied_ids(void)
{
	List	   *result = NIL;
	uint64		i;

	smig_spi_exec("SELECT revision FROM schemamig.applied",
				  0, NULL, NULL, NULL, true, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *id = SPI_getvalue(SPI_tuptable->vals[i],
									  SPI_tuptable->tupdesc, 1);

		if (id != NULL)
			result = lappend(result, makeString(id));
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
		List	   *applied = applied_ids();
		ListCell   *lc;

		/* what an applied revision made is in the catalog: skip it */
		foreach(lc, revisions)
		{
			SmigRevision *rev = lfirst(lc);

			if (!list_member(applied, makeString(rev->id)))
				lint_revision_run(&st, rev, rev->script_line);
		}
	}
	else
	{
		st.section = "upgrade";
		lint_section(&st, text, 1, NIL);
	}
	st.stmt = NULL;
	list_sort(st.findings, cmp_findings);
	return st.findings;
}

/* by line, then severity (errors first), then rule */
static int
cmp_findings(const ListCell *a, const ListCell *b)
{
	LintFinding *fa = lfirst(a);
	LintFinding *fb = lfirst(b);
	int			c;

	if (fa->line != fb->line)
		return fa->line < fb->line ? -1 : 1;
	c = severity_rank(fa->severity) - severity_rank(fb->severity);
	if (c != 0)
		return c;
	return strcmp(fa->rule, fb->rule);
}

static int
severity_rank(const char *severity)
{
	if (strcmp(severity, LINT_ERROR) == 0)
		return 0;
	if (strcmp(severity, LINT_WARNING) == 0)
		return 1;
	return 2;
}

/* the statement on one line, white space runs made one space, shortened */
static char *
one_line(const char *sql)
{
	StringInfoData buf;
	const char *p;
	bool		space = false;

	initStringInfo(&buf);
	for (p = sql; *p; p++)
	{
		if (isspace((unsigned char) *p))
		{
			space = true;
			continue;
		}
		if (space && buf.len > 0)
			appendStringInfoChar(&buf, ' ');
		space = false;
		appendStringInfoChar(&buf, *p);
		if (buf.len > LINT_STATEMENT_MAXLEN)
		{
			int			cut = pg_mbcliplen(buf.data, buf.len,
										   LINT_STATEMENT_MAXLEN - 3);

			buf.data[cut] = '\0';
			buf.len = cut;
			appendStringInfoString(&buf, "...");
			break;
		}
	}
	return buf.data;
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
 *		schemamig.lint = error.  changed[i] says whether revision i is
 *		added or replaced: the others only contribute facts (what they
 *		create), unless applied[i]: what an applied revision made is in the
 *		catalog already, so it is skipped.  Info findings are not raised.
 *		Needs SPI.
 */
void
smig_lint_at_registration(List *revisions, const bool *changed,
						  const bool *applied, const char *line_of)
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

		if (applied[foreach_current_index(lc)])
			continue;
		st.report = changed[foreach_current_index(lc)];
		lint_revision_run(&st, rev, rev->script_line > 0 ? rev->script_line : 1);
	}
	st.report = true;
	st.stmt = NULL;
	list_sort(st.findings, cmp_findings);

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
				 errmsg("%s %s: %s", f->rule, rule_name(f->rule), f->message),
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
	lint_revision_run(&st, rev, 1);
	st.stmt = NULL;
	list_sort(st.findings, cmp_findings);
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
	for (i = 0; i < lengthof(lint_rules); i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(lint_rules[i].id);
		values[1] = CStringGetTextDatum(lint_rules[i].name);
		values[2] = BoolGetDatum(!rule_ignored(lint_rules[i].id));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
