/*-------------------------------------------------------------------------
 *
 * nontx.h
 *	  Running a revision that declares "-- schemamig:transaction off" one
 *	  committed statement at a time, healing what a failed index build
 *	  leaves, and the leases that stand in for the migration lock while a
 *	  statement runs in a background worker (issue 18).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_NONTX_H
#define SMIG_NONTX_H

#include "nodes/pg_list.h"

#include "exec/execute.h"
#include "schemamig.h"

/*
 * Run the next unfinished statement of rev's upgrade (or downgrade)
 * section, stmts as smig_exec_split() gave them.  The caller is migrate()
 * or migrate_down(): a procedure connected with SPI_OPT_NONATOMIC, holding
 * the migration lock; from is what the NOTICE names as where the step
 * starts.  A statement that needs a transaction of its own is run after a
 * commit (the lease recorded, the lock released), by a background worker,
 * and the lock is taken again afterwards.  Returns true once the last
 * statement is done and the revision recorded; the caller commits.  On
 * error, why it stopped is recorded and committed, then the error raised.
 */
extern bool smig_nontx_round(SmigRevision *rev, bool upgrade, List *stmts,
							 const char *by, const SmigExecProgress *progress,
							 const char *from);

/*
 * For upgrade(), downgrade(), apply(), stamp() (lock held): fail at once if
 * another backend runs a statement of a revision without a transaction, or
 * if such a revision is partly run.
 */
extern void smig_nontx_check_writer(void);

/*
 * For migrate() and migrate_down() (lock held): whether another backend
 * holds a live lease (NOTICE once per call, *noticed).  Stale leases, of
 * backends that are gone, are cleared.  The caller then commits and sleeps
 * (smig_nontx_sleep) without a snapshot, and tries again.
 */
extern bool smig_nontx_lease_taken(bool *noticed);
extern void smig_nontx_sleep(void);

/* the partly run revision of the other direction, if any (or NULL) */
extern char *smig_nontx_partial_in(bool upgrade);

#endif							/* SMIG_NONTX_H */
