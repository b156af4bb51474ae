/*-------------------------------------------------------------------------
 *
 * statements.h
 *	  Splitting revision bodies into statements with PostgreSQL's own
 *	  parser, and refusing what cannot run inside a migration.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_STATEMENTS_H
#define SMIG_STATEMENTS_H

#include "nodes/nodes.h"
#include "nodes/pg_list.h"

/* where a body comes from, for the error messages about it */
typedef struct SmigBodySource
{
	const char *revision;		/* revision id */
	const char *section;		/* "upgrade" or "downgrade" */
	int			first_line;		/* number of the body's first line */
	const char *line_of;		/* what lines count in: "script", "revision" */
	int		   *error_line;		/* if not NULL: set to the line an error
								 * raised while splitting is about */
} SmigBodySource;

/* one statement of a body */
typedef struct SmigStatement
{
	int			number;			/* 1-based, within the body */
	int			line;			/* line of its first token */
	char	   *sql;			/* its text, without the trailing ';' */
	Node	   *tree;			/* raw parse tree (smig_parse_statements) */
	NodeTag		tag;			/* nodeTag() of that tree, always set */
	const char *refused;		/* what cannot run in a migration, or NULL */
	const char *refused_hint;	/* and why, as a hint */
	bool		refused_txn;	/* refused as transaction control */
} SmigStatement;

/*
 * Split sql into statements (List of SmigStatement *) with raw_parser(),
 * raising an error that names the revision, section and line for SQL that
 * does not parse, psql meta-commands, COPY FROM STDIN / TO STDOUT,
 * transaction control and statements that cannot run inside a transaction
 * block or a function.  An empty or comment-only body gives NIL.
 */
extern List *smig_split_statements(const char *sql, const SmigBodySource *src);

/*
 * The same, keeping each statement's raw parse tree, and recording in
 * refused/refused_hint what smig_split_statements() would refuse instead
 * of raising it (for the linter).  Other errors are raised as there.
 */
extern List *smig_parse_statements(const char *sql, const SmigBodySource *src);

#endif							/* SMIG_STATEMENTS_H */
