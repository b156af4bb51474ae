/*-------------------------------------------------------------------------
 *
 * lint.h
 *	  The migration linter: findings about hazardous DDL, from PostgreSQL's
 *	  own parse trees and the catalog of the database it runs in.
 *
 * lint.c drives it (statements in script order, allow directives, the
 * findings, the SQL functions and the warnings at registration);
 * lint_rules.c holds the rules, one function per statement kind.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_LINT_H
#define SMIG_LINT_H

#include "nodes/parsenodes.h"
#include "utils/guc.h"
#include "utils/hsearch.h"

#include "schemamig.h"
#include "exec/statements.h"

/* severities, most serious first */
#define LINT_ERROR "error"
#define LINT_WARNING "warning"
#define LINT_INFO "info"

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
	List	   *fk_checks;		/* pending L022 checks (opaque to lint.c) */
	List	   *script_indexes; /* indexes the run creates (opaque) */
	List	   *not_null_checks;	/* "table\037constraint\037column" */
	List	   *proven;			/* "table\037column" proven NOT NULL */

	/* the current section */
	const char *revision;
	const char *section;
	bool		downgrade;
	bool		has_downgrade;	/* the revision has a downgrade section */
	List	   *allows;			/* LintAllow * in force for the section */
	SmigStatement *stmt;		/* the statement being linted */
	bool		stmt_slow;		/* it rewrites, scans or builds an index */
	char	   *held_table;		/* ACCESS EXCLUSIVE taken earlier in it */
	int			held_line;
	bool		held_reported;	/* L018 said once for the section */
	List	   *altered;		/* tables ALTERed in the section (char *) */
	List	   *not_valid;		/* "table\037constraint" added NOT VALID */
} LintState;

/* lint.c */
extern void smig_lint_report(LintState *st, const char *rule,
							 const char *severity, const char *message,
							 const char *hint);
extern void smig_lint_report_at(LintState *st, int line, const char *rule,
								const char *severity, const char *message,
								const char *hint);
extern bool smig_lint_rule_known(const char *id);
extern bool smig_lint_ignore_check(char **newval, void **extra,
								   GucSource source);
extern void smig_lint_at_registration(List *revisions, const bool *changed,
									  const bool *applied,
									  const char *line_of);

/* lint_rules.c */
extern void smig_lint_statement(LintState *st, Node *tree);
extern void smig_lint_end_section(LintState *st);

#endif							/* SMIG_LINT_H */
