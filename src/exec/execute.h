/*-------------------------------------------------------------------------
 *
 * execute.h
 *	  The one path by which a statement of a revision runs.
 *
 * A caller (the runner) hands over one body of one revision, already split
 * by smig_exec_split(); smig_execute_body() runs its statements one at a
 * time and owns everything around each of them: the error context that
 * says where the statement is, the revision's own GUC nest level and role
 * reset, the pinned lexer settings and the check that the statement parses
 * as it was registered, schemamig.statement_timeout, the lock-wait sampler,
 * the progress text in pg_stat_activity (restored on every exit) and the
 * results (discarded, never buffered).
 *
 * How a statement is carried out is an executor (SmigExecutor), chosen by
 * the statement's class: SMIG_EXEC_IN_XACT statements run through SPI in
 * the caller's transaction; SMIG_EXEC_OWN_XACT statements (CREATE INDEX
 * CONCURRENTLY and its kind) need a transaction of their own, which only a
 * background worker can give them (exec/worker.c); the caller must hold no
 * snapshot while they run (migrate() commits just before).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_EXECUTE_H
#define SMIG_EXECUTE_H

#include "nodes/pg_list.h"

#include "exec/statements.h"

/* how a statement must be run: decides its executor */
typedef enum SmigExecClass
{
	SMIG_EXEC_IN_XACT,			/* in the caller's transaction, via SPI */
	SMIG_EXEC_OWN_XACT,			/* as a top-level command of its own
								 * transaction (a background worker) */
	SMIG_EXEC_NCLASSES
} SmigExecClass;

/* where a run is, for pg_stat_activity ("schemamig: upgrade 3/10 ...") */
typedef struct SmigExecProgress
{
	const char *operation;		/* "upgrade" or "downgrade" */
	int			step;			/* 1-based */
	int			nsteps;
} SmigExecProgress;

/* one body of one revision, and what to say about it */
typedef struct SmigExecBody
{
	const char *revision;		/* revision id */
	const char *parent;			/* its first down_revision, or NULL */
	const char *section;		/* "upgrade" or "downgrade" */
	List	   *stmts;			/* SmigStatement *, from smig_exec_split */
	const SmigExecProgress *progress;	/* or NULL: no progress text */
	int			nstatements;	/* statements in the whole section, when
								 * stmts is one step of it (a revision
								 * without a transaction); 0: all of it */
} SmigExecBody;

/* a statement being run: what an executor gets */
typedef struct SmigExecStatement
{
	const SmigExecBody *body;
	const SmigStatement *stmt;
	int			nstatements;
} SmigExecStatement;

/*
 * An executor: run one statement, results discarded.  Called with the
 * error context, settings, timers and progress already in place; it must
 * verify that the text it runs is exactly one statement of kind
 * stmt->tag (smig_exec_check_parse() does it for SPI) and raise an error
 * otherwise.
 */
typedef struct SmigExecutor
{
	const char *name;
	void		(*run) (const SmigExecStatement *es);
} SmigExecutor;

extern List *smig_exec_split(const char *sql, const SmigBodySource *src,
							 bool nontx);
extern void smig_execute_body(const SmigExecBody *body);
extern SmigExecClass smig_exec_class(const SmigStatement *stmt);

/* the statement that was running when the last body failed, or NULL */
extern const SmigStatement *smig_exec_failed_statement(void);

#endif							/* SMIG_EXECUTE_H */
