/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  Running one statement as a top-level command of its own transaction,
 *	  in a dynamic background worker that takes the caller's identity and
 *	  settings (issue 18: the SMIG_EXEC_OWN_XACT executor's engine).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_WORKER_H
#define SMIG_WORKER_H

#include "fmgr.h"
#include "nodes/nodes.h"

/*
 * Run sql, which must parse into exactly one statement whose raw parse
 * tree has tag, in a background worker connected to this database as the
 * caller's authenticated user, with the caller's session user, role,
 * current user, security context and settings.  Its NOTICEs are relayed,
 * its error is raised here with its SQLSTATE, message, detail and hint.
 * activity is what pg_stat_activity shows for the caller meanwhile (the
 * worker's pid is appended).
 *
 * The caller must not be in a transaction block and must hold no snapshot
 * (checked): the statement may wait for every older snapshot in the
 * database (CREATE INDEX CONCURRENTLY).  A cancel or termination of the
 * caller stops the worker.
 */
extern void smig_worker_run(const char *sql, NodeTag tag,
							const char *activity);

/* the worker's entry point (bgw_function_name) */
extern PGDLLEXPORT void smig_worker_main(Datum main_arg);

#endif							/* SMIG_WORKER_H */
