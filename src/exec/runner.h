/*-------------------------------------------------------------------------
 *
 * runner.h
 *	  Taking the migration lock and running revision SQL.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_RUNNER_H
#define SMIG_RUNNER_H

#include "fmgr.h"

#include "model/graph.h"

/*
 * Run the statements of one revision's upgrade (or downgrade) body as a step
 * of the runner does: the author check, then each statement with the
 * error context, timeouts, and settings and role put back afterwards.  For
 * offline scripts (schemamig.offline_step), which record the step
 * themselves.
 */
extern void smig_run_revision_statements(SmigRevision *rev, bool upgrade,
										 List *stmts);

#endif							/* SMIG_RUNNER_H */
