/*-------------------------------------------------------------------------
 *
 * subxact.h
 *	  Running a piece of work in an internal subtransaction and catching
 *	  its error, as PL/pgSQL's exception blocks do.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_SUBXACT_H
#define SMIG_SUBXACT_H

#include "utils/elog.h"

extern ErrorData *smig_run_caught(void (*fn) (void *), void *arg);

#endif							/* SMIG_SUBXACT_H */
