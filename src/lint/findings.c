/*-------------------------------------------------------------------------
 *
 * findings.c
 *	  The linter's rule catalogue and its findings: recording a finding
 *	  (unless schemamig.lint_ignore or an allow line silences it), the
 *	  "-- schemamig:allow" lines and M001 for those that silence nothing,
 *	  the check hook of schemamig.lint_ignore, and the order findings are
 *	  shown in.
 *
 * The rules and the driver call this file; it calls neither.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/varlena.h"

#include "schemamig.h"
#include "lint/findings.h"
#include "lint/lint.h"

/* shorthands for the catalogue below */
#define UP	LINT_RULE_UPGRADE_ONLY

/*
 * The rule catalogue: ids are stable once shipped.  Data-loss (D) and
 * breaking-change (B) rules are for upgrades only: a downgrade is there to
 * drop and undo, so there only lock, runner and practice rules speak.
 */
static const LintRule lint_rules[] = {
	{"D001", "drop-table", UP},
	{"D002", "drop-column", UP},
	{"D003", "drop-schema", UP},
	{"D005", "truncate", UP},
	{"D006", "truncate-cascade", UP},
	{"D007", "cascade-drops-dependents", UP},
	{"D008", "unqualified-dml", UP},
	{"D010", "lossy-type-change", UP},
	{"D011", "drop-foreign-key", UP},
	{"D012", "irreversible-step", UP},
	{"B001", "rename-column", UP},
	{"B002", "rename-table", UP},
	{"B003", "rename-schema", UP},
	{"B004", "rename-enum-value", UP},
	{"B005", "drop-not-null", UP},
	{"B006", "add-required-column", UP},
	{"B007", "enum-value-append", UP},
	{"B009", "blocked-by-dependents", UP},
	{"L001", "add-column-volatile-default", 0},
	{"L002", "add-column-generated-stored", 0},
	{"L003", "add-column-serial-identity", 0},
	{"L004", "column-type-rewrite", 0},
	{"L005", "set-not-null-scan", 0},
	{"L006", "constraint-not-valid", 0},
	{"L007", "fk-locks-referenced", 0},
	{"L008", "add-unique-constraint", 0},
	{"L009", "add-primary-key", 0},
	{"L010", "add-exclusion-constraint", 0},
	{"L011", "create-index-blocking", 0},
	{"L012", "drop-index-blocking", 0},
	{"L013", "reindex-blocking", 0},
	{"L014", "detach-partition-blocking", 0},
	{"L015", "vacuum-full-cluster", 0},
	{"L016", "other-rewrite", 0},
	{"L017", "constrained-domain", 0},
	{"L018", "lock-held-across-statements", 0},
	{"L019", "explicit-lock-table", 0},
	{"L020", "attach-partition-scan", 0},
	{"L021", "validate-same-transaction", 0},
	{"L022", "fk-without-index", 0},
	{"L023", "combine-alter-table", 0},
	{"L024", "refresh-matview-blocking", 0},
	{"T001", "non-transactional-statement", 0},
	{"T002", "transaction-control", 0},
	{"T004", "lock-timeout-override", 0},
	{"T005", "statement-timeout-override", 0},
	{"T007", "enum-value-same-transaction", 0},
	{"T008", "invalid-index-leftover", 0},
	{"T010", "syntax-error", 0},
	{"T011", "nontx-mixed-statements", 0},
	{"T012", "nontx-not-needed", 0},
	{"T013", "nontx-step-scoped", 0},
	{"P001", "prefer-bigint-over-int", 0},
	{"P002", "prefer-bigint-over-smallint", 0},
	{"P003", "prefer-identity", 0},
	{"P004", "prefer-text-field", 0},
	{"P005", "prefer-timestamptz", 0},
	{"P006", "ban-char-field", 0},
	{"P007", "prefer-jsonb", 0},
	{"P009", "wide-nonunique-index", 0},
	{"P012", "duplicate-column-assignment", 0},
	{"M001", "unused-allow", 0},
};

#undef UP

/* longest statement text shown in a finding, in bytes */
#define LINT_STATEMENT_MAXLEN 120

static bool allowed(LintState *st, int line, const char *rule);
static char *one_line(const char *sql);
static int	cmp_findings(const ListCell *a, const ListCell *b);
static int	severity_rank(const char *severity);

/* the catalogue, by position (0 .. smig_lint_rule_count() - 1) */
int
smig_lint_rule_count(void)
{
	return lengthof(lint_rules);
}

const LintRule *
smig_lint_rule_at(int i)
{
	Assert(i >= 0 && i < lengthof(lint_rules));
	return &lint_rules[i];
}

/* the rule of id, or NULL */
const LintRule *
smig_lint_rule_find(const char *id)
{
	int			i;

	for (i = 0; i < lengthof(lint_rules); i++)
		if (strcmp(lint_rules[i].id, id) == 0)
			return &lint_rules[i];
	return NULL;
}

/* is id a rule of the catalogue? */
bool
smig_lint_rule_known(const char *id)
{
	return smig_lint_rule_find(id) != NULL;
}

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
	const LintRule *r = smig_lint_rule_find(rule);
	LintFinding *f;

	Assert(r != NULL);
	if (r == NULL || !st->report || smig_lint_rule_ignored(rule))
		return;
	if (st->downgrade && (r->flags & LINT_RULE_UPGRADE_ONLY) != 0)
		return;
	if (strcmp(rule, "M001") != 0 && allowed(st, line, rule))
		return;

	f = palloc0(sizeof(LintFinding));
	f->line = line;
	f->rule = r->id;
	f->severity = severity;
	f->statement = st->stmt ? one_line(st->stmt->sql) : NULL;
	f->message = pstrdup(message);
	f->hint = hint ? pstrdup(hint) : NULL;
	f->revision = st->revision;
	f->section = st->section;
	f->number = st->stmt ? st->stmt->number : 0;
	st->findings = lappend(st->findings, f);
}

/*
 * smig_lint_ignore_check
 *		GUC check hook of schemamig.lint_ignore: a comma-separated list of
 *		rule ids, or of rule classes (one letter: D, B, L, T, P, M).  What
 *		it allocates to check is freed again.
 */
bool
smig_lint_ignore_check(char **newval, void **extra, GucSource source)
{
	char	   *copy = pstrdup(*newval);
	List	   *items;
	ListCell   *lc;
	bool		ok = true;

	if (!SplitIdentifierString(copy, ',', &items))
	{
		GUC_check_errdetail("List syntax is invalid.");
		ok = false;
	}
	else
	{
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
			ok = false;
			break;
		}
	}
	list_free(items);
	pfree(copy);
	return ok;
}

/* is rule switched off by schemamig.lint_ignore? */
bool
smig_lint_rule_ignored(const char *id)
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
		if (len == 1 &&
			pg_toupper((unsigned char) start[0]) == (unsigned char) id[0])
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
 * smig_lint_parse_allow
 *		Read the argument of an allow line: rule ids, then a reason.
 *		Unknown ids and a missing reason are errors naming the line.
 */
LintAllow *
smig_lint_parse_allow(const char *arg, int line, bool whole_revision)
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
 * smig_lint_body_allows
 *		The allow lines of a section body (first line numbered first_line):
 *		lines that start with "-- schemamig:allow", as script.c reads
 *		directives.
 */
pg_noinline List *
smig_lint_body_allows(const char *sql, int first_line)
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

				result = lappend(result,
								 smig_lint_parse_allow(arg, line, false));
			}
		}
		if (eol == NULL)
			break;
		p = eol + 1;
		line++;
	}
	return result;
}

/* M001 for every rule of allows that silenced nothing */
void
smig_lint_report_unused(LintState *st, List *allows)
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

/* sort findings in the order they are shown */
void
smig_lint_sort_findings(List *findings)
{
	list_sort(findings, cmp_findings);
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
