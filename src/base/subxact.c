/*-------------------------------------------------------------------------
 *
 * subxact.c
 *	  smig_run_caught: one home for "run this, and if it fails, roll back
 *	  what it did and hand me the error" (lint rules, lock retries).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "base/subxact.h"

/*
 * smig_run_caught
 *		Run fn(arg) in an internal subtransaction, as PL/pgSQL runs a block
 *		with an exception handler: on an error, roll the subtransaction back
 *		(releasing what it took, locks included) and return the error; else
 *		return NULL.  What fn allocates stays in the caller's context.
 */
ErrorData *
smig_run_caught(void (*fn) (void *), void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_END_TRY();
	return edata;
}
