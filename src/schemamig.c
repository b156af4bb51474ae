/*-------------------------------------------------------------------------
 *
 * schemamig.c
 *	  Module entry point: the magic block and _PG_init.
 *
 * schemamig keeps Alembic-style revisions in catalog tables and runs them
 * through SPI inside the caller's transaction.  The areas are:
 *	  script.c		script text -> revision blocks
 *	  statements.c	bodies -> statements, with PostgreSQL's parser
 *	  catalog.c		SPI access to the tables
 *	  graph.c		heads, order, targets, plans
 *	  register.c	register(), revision(), merge(), forget()
 *	  runner.c		the lock; upgrade(), downgrade(), apply(), stamp()
 *	  reading.c		current(), heads(), status(), history(), show(), check()
 *	  offline.c		upgrade_sql(), downgrade_sql()
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * _PG_init
 *		Reserve the "schemamig." prefix for GUCs.
 */
void
_PG_init(void)
{
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("schemamig");
#else
	EmitWarningsOnPlaceholders("schemamig");
#endif
}
