/*-------------------------------------------------------------------------
 *
 * classify.h
 *	  Deciding, from a statement's raw parse tree and what the scanner saw
 *	  in its text, whether it can run inside a migration (exec/ private:
 *	  statements.c is its one user).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_CLASSIFY_H
#define SMIG_CLASSIFY_H

#include "nodes/nodes.h"
#include "nodes/pg_list.h"

#include "compat.h"
#include "exec/statements.h"

/* what the scanning pass saw that the parse trees do not show */
typedef struct ScanFacts
{
	List	   *lexer_strings;	/* offsets of strings naming a lexer setting */
	List	   *lock_calls;		/* offsets of session advisory lock calls */
	List	   *lock_names;		/* and the functions' names */
	int			base;			/* offset in the body of the text the
								 * scanner is reading (it restarts after a
								 * dropped pg_dump line) */
} ScanFacts;

/* why a parsed statement is refused */
typedef enum RefusalKind
{
	REFUSE_NONE,
	REFUSE_TRANSACTION_CONTROL, /* BEGIN, COMMIT, SAVEPOINT, ... */
	REFUSE_NEEDS_OWN_TRANSACTION,	/* CREATE INDEX CONCURRENTLY, VACUUM, ... */
	REFUSE_COPY_STDIO,			/* COPY FROM STDIN / TO STDOUT */
	REFUSE_NEVER				/* changes the lexer or outlives the call */
} RefusalKind;

typedef struct Refusal
{
	RefusalKind kind;
	const char *what;			/* the statement kind, e.g. "VACUUM" */
	const char *hint;
	SmigStatementClass stmt_class;	/* where it could run at all */
} Refusal;

/*
 * Whether the statement whose raw parse tree is stmt is refused, with
 * *refusal filled in (its class too, also when it is not refused).
 */
extern bool smig_classify_statement(Node *stmt, Refusal *refusal);

/*
 * The same decision revisited for a revision that declares
 * "-- schemamig:transaction off" (after the two checks above).
 */
extern bool smig_classify_nontx(Node *stmt, Refusal *refusal);

/*
 * Whether the statement between byte offsets start and end of the body is
 * refused for what the scanner saw in it (facts).
 */
extern bool smig_check_scan_facts(const ScanFacts *facts, int start, int end,
								  Refusal *refusal);

/* Raise the error for statement number (at line) being refused. */
extern SMIG_NORETURN void smig_report_refusal(const Refusal *refusal,
											 const SmigBodySource *src,
											 int number, int line);

#endif							/* SMIG_CLASSIFY_H */
