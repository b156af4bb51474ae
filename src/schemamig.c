/*-------------------------------------------------------------------------
 *
 * schemamig.c
 *	  Module entry point: the magic block and _PG_init.
 *
 * schemamig keeps Alembic-style revisions in catalog tables and runs them
 * through SPI inside the caller's transaction.  The areas (src/<area>/),
 * lower ones first; a lower area never calls a higher one:
 *	  base/		session toolkit: write checks, the lock, SPI, subtransactions
 *	  model/	script text -> revisions; catalog rows; graph, targets, plans
 *	  schema/	describe() and diff(): autogenerate
 *	  exec/		bodies -> statements; running them; lock waits; offline SQL
 *	  register/	register(), revision(), merge(), forget()
 *	  lint/		lint(), lint_revision(), warnings at registration
 *	  api/		thin SQL entry points
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"

#include "lint/lint.h"
#include "schemamig.h"

PG_MODULE_MAGIC;

/* GUC variables, applied only while revision SQL runs (runner.c) */
int			smig_lock_timeout = 5000;
int			smig_lock_retries = 3;
int			smig_retry_delay = 1000;
int			smig_statement_timeout = 0;
int			smig_subtransaction_time = 100;
bool		smig_debug_skip_lock = false;

/* GUC variables of the linter (lint.c) */
int			smig_lint_mode = SMIG_LINT_WARN;
char	   *smig_lint_ignore = NULL;

static const struct config_enum_entry lint_mode_options[] = {
	{"off", SMIG_LINT_OFF, false},
	{"warn", SMIG_LINT_WARN, false},
	{"error", SMIG_LINT_ERROR, false},
	{NULL, 0, false}
};

void		_PG_init(void);

/*
 * _PG_init
 *		Define schemamig's GUCs and reserve the "schemamig." prefix.
 */
void
_PG_init(void)
{
	DefineCustomIntVariable("schemamig.lock_timeout",
							"How long revision SQL may wait for one lock before the revision is rolled back and retried; 0 turns this off.",
							NULL,
							&smig_lock_timeout,
							5000, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("schemamig.subtransaction_time",
							"With schemamig.lock_timeout set, how long one subtransaction runs revisions before the next one starts; 0 gives each revision its own.",
							"A lock-timeout retry rolls back the current subtransaction and runs its earlier revisions again.",
							&smig_subtransaction_time,
							100, 0, 3600 * 1000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("schemamig.lock_retries",
							"How many times a revision that hit schemamig.lock_timeout is rolled back and retried.",
							NULL,
							&smig_lock_retries,
							3, 0, 1000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("schemamig.retry_delay",
							"Wait before the first retry of a revision; doubled at each retry, with jitter.",
							NULL,
							&smig_retry_delay,
							1000, 0, 3600 * 1000,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("schemamig.statement_timeout",
							"Statement timeout for revision SQL; 0 leaves the session's statement_timeout in force.",
							NULL,
							&smig_statement_timeout,
							0, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomEnumVariable("schemamig.lint",
							 "What registering a revision does with its lint findings: off, warn (WARNINGs) or error (refuse the script).",
							 NULL,
							 &smig_lint_mode,
							 SMIG_LINT_WARN,
							 lint_mode_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("schemamig.lint_ignore",
							   "Lint rules (ids like L011, or classes like P) that lint() and registration leave out.",
							   NULL,
							   &smig_lint_ignore,
							   "",
							   PGC_USERSET, GUC_LIST_INPUT,
							   smig_lint_ignore_check, NULL, NULL);
#ifdef USE_ASSERT_CHECKING
	/* only in assert-enabled builds: the negative control of the stress test */
	DefineCustomBoolVariable("schemamig.debug_skip_lock",
							 "Test only: writers run without the migration lock.",
							 NULL,
							 &smig_debug_skip_lock,
							 false,
							 PGC_SUSET, GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							 NULL, NULL, NULL);
#endif

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("schemamig");
#else
	EmitWarningsOnPlaceholders("schemamig");
#endif
}

