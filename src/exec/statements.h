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

/*
 * Where a statement can run, decided once when the body is split.  The
 * runner runs every revision inside a transaction, so today only the first
 * class runs at all; the others are refused (see refused below).
 */
typedef enum SmigStatementClass
{
	SMIG_STMT_IN_TRANSACTION = 0,	/* runs inside the migration's transaction */
	SMIG_STMT_OWN_TRANSACTION,	/* needs a transaction of its own: CREATE
								 * INDEX CONCURRENTLY, VACUUM, ... */
	SMIG_STMT_NEVER				/* never allowed: transaction control, COPY
								 * from/to the client, CREATE DATABASE, ALTER
								 * SYSTEM, lexer settings, session state */
} SmigStatementClass;

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
	SmigStatementClass stmt_class;	/* where it can run; always
									 * SMIG_STMT_IN_TRANSACTION from
									 * smig_split_statements(), which raises
									 * the refusals */
} SmigStatement;

/*
 * Split sql into statements (List of SmigStatement *) with raw_parser(),
 * raising an error that names the revision, section and line for SQL that
 * does not parse, psql meta-commands, COPY FROM STDIN / TO STDOUT,
 * transaction control and statements that cannot run inside a transaction
 * block or a function, and statements that change how later text is lexed
 * or leave state in the session (LISTEN, WITH HOLD cursors, session-level
 * advisory locks, ...).  The body is split with the lexer settings it runs
 * with (standard_conforming_strings = on, backslash_quote = safe_encoding),
 * whatever the session has set.  pg_dump's "\restrict KEY" and
 * "\unrestrict KEY" lines are dropped, with a NOTICE unless line_of is
 * "revision" (the runner and offline scripts re-split registered bodies).
 * An empty or comment-only body gives NIL.
 */
extern List *smig_split_statements(const char *sql, const SmigBodySource *src);

/*
 * The same, keeping each statement's raw parse tree, and recording in
 * refused/refused_hint what smig_split_statements() would refuse instead
 * of raising it (for the linter).  Other errors are raised as there.
 */
extern List *smig_parse_statements(const char *sql, const SmigBodySource *src);

/*
 * Both, for a body of a revision that declares "-- schemamig:transaction
 * off" when nontx (issue 18): the statements that need a transaction of
 * their own are accepted (class SMIG_STMT_OWN_TRANSACTION), and so are
 * CALL and DO, which then run as top-level commands that may COMMIT; an
 * unnamed CREATE INDEX CONCURRENTLY is refused.  Without nontx, the same
 * as the two above.
 */
extern List *smig_split_revision_body(const char *sql,
									  const SmigBodySource *src, bool nontx);
extern List *smig_parse_revision_body(const char *sql,
									  const SmigBodySource *src, bool nontx);

#endif							/* SMIG_STATEMENTS_H */
