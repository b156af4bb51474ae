/*-------------------------------------------------------------------------
 *
 * steps.c
 *	  upgrade and downgrade of a plan that holds a revision without a
 *	  transaction ("-- schemamig:transaction off", issue 18): run through
 *	  CALL schemamig.migrate(target) / CALL schemamig.migrate_down(target),
 *	  which commit after each revision and after each statement of such a
 *	  revision, instead of upgrade() / downgrade(), which refuse such a plan.
 *
 * The choice is made before anything runs, by the server's own planner:
 * the offline script of the same plan (upgrade_sql() / downgrade_sql(),
 * which only reads) calls offline_nontx_step() exactly when the plan holds
 * such a revision.  Otherwise nothing changes: the plan runs in the one
 * transaction, all or nothing.  The procedures cannot run inside a
 * transaction block, so the files pushed in the command's transaction are
 * committed first (they stay registered if the run then stops).  The
 * server's NOTICEs print each revision, and each statement of a revision
 * without a transaction, as it starts.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* the number of applied revisions */
static long
applied_count(void)
{
	PGresult   *res = cli_query("SELECT pg_catalog.count(*) FROM schemamig.applied",
								0, NULL, NULL);
	long		n = PQntuples(res) == 1 ? atol(PQgetvalue(res, 0, 0)) : 0;

	PQclear(res);
	return n;
}

/*
 * steps_run
 *		For upgrade (up) or downgrade to target, inside the command's
 *		transaction: when the plan holds a revision without a transaction,
 *		commit, run it with migrate() / migrate_down(), start a new
 *		transaction (the caller goes on as after upgrade()), and return how
 *		many revisions were applied or undone.  Otherwise -1: nothing ran.
 */
int
steps_run(bool up, const char *target)
{
	const char *params[1] = {target};
	PGresult   *res;
	bool		needed;
	long		before;
	long		after;

	res = cli_query(up ? "SELECT pg_catalog.strpos(schemamig.upgrade_sql($1),"
					" 'schemamig.offline_nontx_step(') > 0"
					: "SELECT pg_catalog.strpos(schemamig.downgrade_sql($1),"
					" 'schemamig.offline_nontx_step(') > 0",
					1, params, NULL);
	needed = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!needed)
		return -1;

	before = applied_count();
	PQclear(cli_query("COMMIT", 0, NULL, NULL));
	printf("The plan holds a revision without a transaction: running CALL schemamig.%s(%s), which commits after each revision and each of its statements.\n",
		   up ? "migrate" : "migrate_down", target);
	fflush(stdout);
	PQclear(cli_query(up ? "CALL schemamig.migrate($1)"
					  : "CALL schemamig.migrate_down($1)",
					  1, params, NULL));
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	after = applied_count();
	return (int) (up ? after - before : before - after);
}
