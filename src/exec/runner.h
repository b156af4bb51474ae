/*-------------------------------------------------------------------------
 *
 * runner.h
 *	  Running plans of revisions, in one transaction (upgrade, downgrade,
 *	  apply) or committing after each revision (migrate); and stamp.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_RUNNER_H
#define SMIG_RUNNER_H

#include "fmgr.h"

#include "model/graph.h"

/* which body of its revisions a plan runs */
typedef enum SmigRunKind
{
	SMIG_RUN_UPGRADE,
	SMIG_RUN_DOWNGRADE
} SmigRunKind;

/* atomic mode: the caller holds the migration lock and an SPI connection */
extern void smig_run_plan(SmigGraph *g, SmigPlan plan, SmigRunKind kind,
						  ReturnSetInfo *rsinfo);
extern void smig_run_upgrade(const char *target, ReturnSetInfo *rsinfo);
extern void smig_run_downgrade(const char *target, ReturnSetInfo *rsinfo);
extern void smig_run_stamp(const char *target, ReturnSetInfo *rsinfo);

/*
 * Run the statements of one revision's upgrade (or downgrade) body as a step
 * of the runner does: the author check, then the one execution path
 * (exec/execute.c), without progress text or bookkeeping.  For offline
 * scripts (schemamig.offline_step), which record the step themselves.
 */
extern void smig_run_revision_statements(SmigRevision *rev, bool upgrade,
										 List *stmts);

/*
 * commit-per-step mode: the caller is a procedure in a non-atomic context,
 * connected with SPI_connect_ext(SPI_OPT_NONATOMIC); takes the lock itself
 */
extern void smig_run_migrate(const char *target);
extern void smig_run_migrate_down(const char *target);

/*
 * The author check of smig_run_revision_statements() alone: for a statement
 * an offline script has psql run itself (issue 18).
 */
extern void smig_check_registrant(SmigRevision *rev);

#endif							/* SMIG_RUNNER_H */
