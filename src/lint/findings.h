/*-------------------------------------------------------------------------
 *
 * findings.h
 *	  The linter's state and findings: the rule catalogue, what a run
 *	  carries from one statement to the next, and reporting (with the
 *	  schemamig.lint_ignore setting and the "-- schemamig:allow" lines).
 *
 * The lowest layer of src/lint/: facts.c, the rules and the driver call
 * it; it calls none of them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_LINT_FINDINGS_H
#define SMIG_LINT_FINDINGS_H

#include "nodes/pg_list.h"
#include "utils/hsearch.h"

#include "exec/statements.h"

/* severities, most serious first */
#define LINT_ERROR "error"
#define LINT_WARNING "warning"
#define LINT_INFO "info"

/* flags of a rule in the catalogue */
#define LINT_RULE_UPGRADE_ONLY	0x01	/* not reported in a downgrade section,
										 * which is there to drop and undo */

/* one rule of the catalogue */
typedef struct LintRule
{
	const char *id;				/* "L011": stable once shipped */
	const char *name;			/* "create-index-blocking" */
	int			flags;			/* LINT_RULE_* */
} LintRule;

/* one finding */
typedef struct LintFinding
{
	int			line;			/* line of the statement (or directive) */
	const char *rule;			/* "L011" */
	const char *severity;		/* LINT_ERROR, LINT_WARNING or LINT_INFO */
	char	   *statement;		/* the statement, on one line, shortened */
	char	   *message;
	char	   *hint;
	const char *revision;		/* revision id, NULL for plain SQL */
	const char *section;		/* "upgrade" or "downgrade" */
	int			number;			/* statement number in its section, or 0 */
} LintFinding;

/* relations of one name created earlier in the run */
typedef struct LintCreated
{
	char		name[NAMEDATALEN];	/* hash key */
	List	   *schemas;		/* as written (char *), NULL if unqualified */
} LintCreated;

/* a "-- schemamig:allow" line */
typedef struct LintAllow
{
	int			line;
	List	   *rules;			/* rule ids (char *) */
	bool	   *used;			/* one flag per rule */
	bool		whole_revision; /* header line: every statement */
	bool		assigned;		/* body line: given to its statement */
	int			stmt_line;		/* the statement it is for */
} LintAllow;

/*
 * State of one lint run: facts that carry across the statements of the
 * run (a script, or one revision), and those of the current section.
 */
typedef struct LintState
{
	List	   *findings;		/* LintFinding *, in the order found */
	bool		report;			/* false: collect facts, keep no finding */

	/* the whole run */
	HTAB	   *created;		/* tables, views, ... by name: LintCreated */
	List	   *created_types;	/* type names (char *) created by the run */
	List	   *enum_values;	/* values added by ADD VALUE (char *) */
	List	   *enum_value_revs;	/* ... and the revision that added them */
	List	   *enum_value_types;	/* ... and the enum's type name */
	List	   *fk_checks;		/* pending L022 checks (LintFk *) */
	List	   *script_indexes; /* "table\037column" the run indexes first */
	List	   *not_null_checks;	/* "table\037constraint\037column" */
	List	   *proven;			/* "table\037column" proven NOT NULL */

	/* the current section */
	const char *revision;
	const char *section;
	bool		downgrade;
	bool		has_downgrade;	/* the revision has a downgrade section */
	bool		nontx;			/* it says "-- schemamig:transaction off" */
	List	   *allows;			/* LintAllow * in force for the section */
	SmigStatement *stmt;		/* the statement being linted */
	bool		stmt_slow;		/* it rewrites, scans or builds an index */
	char	   *held_table;		/* ACCESS EXCLUSIVE taken earlier in it */
	int			held_line;
	bool		held_reported;	/* L018 said once for the section */
	List	   *altered;		/* tables ALTERed in the section (char *) */
	List	   *not_valid;		/* "table\037constraint" added NOT VALID */
} LintState;

/* the catalogue */
extern int	smig_lint_rule_count(void);
extern const LintRule *smig_lint_rule_at(int i);
extern const LintRule *smig_lint_rule_find(const char *id);
extern bool smig_lint_rule_known(const char *id);
extern bool smig_lint_rule_ignored(const char *id);

/* reporting */
extern void smig_lint_report(LintState *st, const char *rule,
							 const char *severity, const char *message,
							 const char *hint);
extern void smig_lint_report_at(LintState *st, int line, const char *rule,
								const char *severity, const char *message,
								const char *hint);
extern void smig_lint_report_unused(LintState *st, List *allows);
extern void smig_lint_sort_findings(List *findings);

/* allow lines */
extern LintAllow *smig_lint_parse_allow(const char *arg, int line,
										bool whole_revision);
extern List *smig_lint_body_allows(const char *sql, int first_line);

#endif							/* SMIG_LINT_FINDINGS_H */
