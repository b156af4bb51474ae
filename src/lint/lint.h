/*-------------------------------------------------------------------------
 *
 * lint.h
 *	  The migration linter: findings about hazardous DDL, from PostgreSQL's
 *	  own parse trees and the catalog of the database it runs in.  What the
 *	  rest of schemamig calls.
 *
 * src/lint/ in layers, each calling only those below it:
 *	  lint.c		the driver: statements in script order, allow lines in
 *					force, the SQL functions, the warnings at registration
 *	  rules.c		dispatch of a statement to its rule family:
 *	  rules_table.c	  CREATE TABLE, ALTER TABLE (columns, constraints, FKs)
 *	  rules_index.c	  indexes and maintenance (REINDEX, CLUSTER, REFRESH, LOCK)
 *	  rules_drop.c	  DROP, TRUNCATE, UPDATE / DELETE, RENAME
 *	  rules_types.c	  enums, domains, the use of new enum values
 *	  facts.c		what the catalog says: relations, sizes, dependents,
 *					NOT NULL proofs, coercions, volatility
 *	  findings.c	the rule catalogue, reporting, allow and ignore
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_LINT_H
#define SMIG_LINT_H

#include "nodes/pg_list.h"
#include "utils/guc.h"

/*
 * The bodies of one revision as registration split them with
 * smig_parse_statements() (SmigStatement *, raw parse trees kept), so that
 * the linter does not parse them again.
 */
typedef struct SmigLintBodies
{
	List	   *upgrade;
	List	   *downgrade;		/* NIL without a downgrade section */
} SmigLintBodies;

/* findings.c: check hook of schemamig.lint_ignore */
extern bool smig_lint_ignore_check(char **newval, void **extra,
								   GucSource source);

/* lint.c */
extern void smig_lint_at_registration(List *revisions,
									  const SmigLintBodies *bodies,
									  const bool *changed,
									  const bool *applied,
									  const char *line_of);

#endif							/* SMIG_LINT_H */
