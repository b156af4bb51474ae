/*-------------------------------------------------------------------------
 *
 * runner.c
 *	  Running plans of revisions: upgrade, downgrade and apply in one
 *	  transaction (atomic mode), migrate() committing after each revision
 *	  (commit-per-step mode), and stamp.
 *
 * A plan is a list of steps (one revision each); run_range() runs a range
 * of them with lock-timeout retries in batches of subtransactions, and
 * each step's statements go through the one execution path
 * (exec/execute.c).  The bookkeeping of a step, and of a stamp, is written
 * by model/catalog.c's one writer.
 *
 * Atomic mode runs inside the caller's transaction, so an error anywhere
 * rolls back the DDL and the bookkeeping together.  Writers serialise on a
 * transaction-scoped advisory lock (SMIG_LOCK_KEY1, SMIG_LOCK_KEY2) that
 * the server releases at commit, abort or backend exit: it cannot leak.
 * The lock is taken before the graph is read; in READ COMMITTED each SPI
 * query then takes a new snapshot, so a caller that waited sees what the
 * previous holder committed and applies nothing twice.
 *
 * Commit-per-step mode (migrate) builds the graph and the plan once and
 * keeps them across commits; each round takes the lock again and checks
 * cheaply (see state_is_current) that nobody changed schemamig's state
 * since its own last commit, rebuilding only if someone did.  Its cost is
 * therefore linear in the number of revisions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "base/session.h"
#include "base/subxact.h"
#include "compat.h"
#include "exec/execute.h"
#include "exec/locks.h"
#include "exec/nontx.h"
#include "exec/runner.h"
#include "model/catalog.h"

#define STEP_COLS 4

/*
 * How revisions are grouped into subtransactions when schemamig.lock_timeout
 * is set.  A subtransaction per revision costs little on short chains, but
 * ending one walks every relation created and every lock taken so far in the
 * transaction (pending file deletions, the local lock table), so a long
 * chain run that way is quadratic: 10,000 revisions took 8x as long as with
 * no subtransactions.  Instead a subtransaction runs revisions until it has
 * lasted schemamig.subtransaction_time, or 1/BATCH_SHARE of the call's time
 * so far if that is longer.  A lock timeout rolls back only the current
 * subtransaction: the revisions before the one that waited are run again
 * (without counting as retries), so a retry repeats at most that much work,
 * and the number of subtransactions grows with the logarithm of the call's
 * duration (about 30 for a 10 s call, 64 after ten minutes), not with the
 * number of revisions.
 * schemamig.subtransaction_time = 0 gives each revision its own.
 */
#define BATCH_SHARE 8

/* the state of a plan being run (in migrate(), across commits) */
typedef struct RunState
{
	SmigGraph  *g;
	SmigPlan   *plan;
	SmigRunKind kind;
	char	   *by;				/* the caller's role name */
	MemoryContext stepcxt;		/* reset before each step */
	SmigExecProgress progress;
	int64	   *elapsed;		/* per step, microseconds */
	int		   *attempts;		/* per step, lock timeouts so far */
	int			noticed;		/* steps [0, noticed) said "Running ..." */
	TimestampTz started;		/* start of the call's first step */
} RunState;

/* what run_steps() runs, and how far it got */
typedef struct BatchArgs
{
	RunState   *rs;
	volatile int k;				/* the next step to run */
	int			end;
	TimestampTz start;
	int64		budget_us;		/* stop after this long; -1: never */
} BatchArgs;

/*
 * What migrate() keeps across its commits: the graph and plan, where it is
 * in the plan, and the state it last left behind.
 */
typedef struct MigrateState
{
	MemoryContext graphcxt;		/* graph, plan and run state; reset on rebuild */
	List	   *ids;			/* the target, resolved once to revision ids */
	SmigGraph  *g;
	SmigPlan	plan;
	RunState	rs;
	int			next;			/* the next step of plan to run */
	Oid			extension;		/* OID of the schemamig extension */
	int64		last_event;		/* max(events.id) after our last commit */
	int64		last_seq;		/* max(revisions.seq) then */
} MigrateState;

static void refuse_nontx(SmigGraph *g, SmigPlan *plan, SmigRunKind kind);
static void run_init(RunState *rs, SmigGraph *g, SmigPlan *plan,
					 SmigRunKind kind);
static void run_range(RunState *rs, int first, int end,
					  ReturnSetInfo *rsinfo);
static bool run_batch(RunState *rs, int first, int end, int *reached);
static void run_steps(void *arg);
static void run_step(RunState *rs, int k);
static void finish_steps(RunState *rs, int first, int end,
						 ReturnSetInfo *rsinfo);
static List *split_body(SmigRevision *rev, SmigRunKind kind);
static void check_registrant(SmigRevision *rev);
static void migrate_build(MigrateState *ms, const char *target);
static bool state_is_current(MigrateState *ms);
static void remember_state(MigrateState *ms);
static void read_state(int64 *last_event, int64 *last_seq,
					   const char *next_id, char **next_shape);
static char *revision_shape(SmigRevision *rev);
static void check_extension(MigrateState *ms);
static bool nontx_step(RunState *rs, int k);
static bool wait_for_lease(bool *noticed, MemoryContext callcxt);

/*
 * smig_run_plan
 *		Atomic mode: run each step of plan in the caller's transaction:
 *		NOTICE, SQL, bookkeeping, a result row (if rsinfo).  The caller
 *		holds the migration lock and an SPI connection.
 */
void
smig_run_plan(SmigGraph *g, SmigPlan plan, SmigRunKind kind,
			  ReturnSetInfo *rsinfo)
{
	RunState	rs;

	smig_nontx_check_writer();
	refuse_nontx(g, &plan, kind);
	run_init(&rs, g, &plan, kind);
	run_range(&rs, 0, plan.nsteps, rsinfo);
	MemoryContextDelete(rs.stepcxt);
}

/*
 * refuse_nontx
 *		Atomic mode runs a plan in one transaction: a revision that declares
 *		"-- schemamig:transaction off" cannot be part of it.  Checked for the
 *		whole plan before anything runs.
 */
static void
refuse_nontx(SmigGraph *g, SmigPlan *plan, SmigRunKind kind)
{
	int			k;

	for (k = 0; k < plan->nsteps; k++)
	{
		SmigRevision *rev = g->nodes[plan->steps[k]].rev;

		CHECK_FOR_INTERRUPTS();
		if (!rev->nontx)
			continue;
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("revision \"%s\" runs outside a transaction and cannot be part of an atomic %s", rev->id, kind == SMIG_RUN_UPGRADE ? "upgrade" : "downgrade"),
				 errdetail("Its header says \"-- schemamig:transaction off\": each of its statements commits on its own. It is step %d of %d of the plan; nothing was run.", k + 1, plan->nsteps),
				 kind == SMIG_RUN_UPGRADE ?
				 errhint("Use CALL schemamig.migrate(target), which commits after each revision and runs this one a statement at a time.") :
				 errhint("Use CALL schemamig.migrate_down(target), which commits after each revision and runs this one a statement at a time.")));
	}
}

/* set up rs to run plan, in CurrentMemoryContext */
static void
run_init(RunState *rs, SmigGraph *g, SmigPlan *plan, SmigRunKind kind)
{
	rs->g = g;
	rs->plan = plan;
	rs->kind = kind;
	rs->by = smig_caller_name();
	rs->stepcxt = AllocSetContextCreate(CurrentMemoryContext,
										"schemamig step",
										ALLOCSET_DEFAULT_SIZES);
	rs->progress.operation = (kind == SMIG_RUN_UPGRADE) ? "upgrade" : "downgrade";
	rs->progress.nsteps = plan->nsteps;
	rs->progress.step = 0;
	rs->elapsed = palloc0(sizeof(int64) * Max(plan->nsteps, 1));
	rs->attempts = palloc0(sizeof(int) * Max(plan->nsteps, 1));
	rs->noticed = 0;
	rs->started = GetCurrentTimestamp();
}

/*
 * run_range
 *		Run steps first .. end-1 of rs's plan.  With schemamig.lock_timeout
 *		set, steps run in subtransactions (see BATCH_SHARE) and a lock
 *		timeout is retried; without it they run directly in the caller's
 *		transaction.
 */
static void
run_range(RunState *rs, int first, int end, ReturnSetInfo *rsinfo)
{
	SmigGraph  *g = rs->g;
	SmigPlan	plan = *rs->plan;
	int			k = first;
	int			retry_at = -1;	/* a step to run alone after a lock timeout */

	while (k < end)
	{
		int			stop;
		int			reached;
		int			f;
		SmigRevision *rev;
		const SmigStatement *stmt;
		char	   *lock;
		char	   *blockers;
		int			delay;

		CHECK_FOR_INTERRUPTS();
		if (retry_at > k)
			stop = retry_at;	/* redo the steps before it, then it alone */
		else if (retry_at == k)
			stop = k + 1;
		else
			stop = end;

		if (run_batch(rs, k, stop, &reached))
		{
			finish_steps(rs, k, reached, rsinfo);
			if (retry_at >= k && retry_at < reached)
				retry_at = -1;
			k = reached;
			continue;
		}

		/*
		 * Our lock timeout in step "reached": the subtransaction is rolled
		 * back, every lock it took is released.
		 */
		f = reached;
		rev = g->nodes[plan.steps[f]].rev;
		stmt = smig_exec_failed_statement();
		lock = smig_lockwait_describe();
		blockers = smig_lockwait_blockers();
		rs->attempts[f]++;
		if (rs->attempts[f] > smig_lock_retries)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("revision \"%s\" gave up waiting for a lock after %d attempt%s", rev->id, rs->attempts[f], rs->attempts[f] == 1 ? "" : "s"),
					 errdetail("%s statement %d (line %d) waited %d ms for %s: %s. Blocking: %s.",
							   rs->kind == SMIG_RUN_UPGRADE ? "Upgrade" : "Downgrade",
							   stmt ? stmt->number : 0, stmt ? stmt->line : 0,
							   smig_lock_timeout, lock,
							   stmt ? stmt->sql : "", blockers),
					 errhint("End or wait out the blocking sessions and run it again, or raise schemamig.lock_timeout or schemamig.lock_retries.")));
		delay = smig_retry_delay_ms(rs->attempts[f]);
		if (f == k)
			ereport(NOTICE,
					(errmsg("revision \"%s\" waited %d ms for %s in statement %d (line %d); rolled it back, retry %d of %d in %d ms",
							rev->id, smig_lock_timeout, lock,
							stmt ? stmt->number : 0, stmt ? stmt->line : 0,
							rs->attempts[f], smig_lock_retries, delay),
					 errdetail("Blocking: %s.", blockers)));
		else
			ereport(NOTICE,
					(errmsg("revision \"%s\" waited %d ms for %s in statement %d (line %d); rolled it back with the %d revision%s before it in its subtransaction, retry %d of %d in %d ms",
							rev->id, smig_lock_timeout, lock,
							stmt ? stmt->number : 0, stmt ? stmt->line : 0,
							f - k, f - k == 1 ? "" : "s",
							rs->attempts[f], smig_lock_retries, delay),
					 f - k == 1 ?
					 errdetail("Blocking: %s. Revision \"%s\" runs again first.",
							   blockers, g->nodes[plan.steps[k]].rev->id) :
					 errdetail("Blocking: %s. Revisions \"%s\" to \"%s\" run again first.",
							   blockers, g->nodes[plan.steps[k]].rev->id,
							   g->nodes[plan.steps[f - 1]].rev->id)));
		smig_sleep_ms(delay);
		retry_at = f;
	}
}

/*
 * run_batch
 *		Run steps first .. end-1, stopping early once the subtransaction has
 *		lasted long enough (see BATCH_SHARE); *reached is the step after the
 *		last one run.  Returns false after our lock timeout, with the
 *		subtransaction rolled back and *reached the step that waited.  Any
 *		other error is raised as it is.  Without schemamig.lock_timeout,
 *		every step runs directly, with no subtransaction.
 */
static bool
run_batch(RunState *rs, int first, int end, int *reached)
{
	BatchArgs	b;
	ErrorData  *edata;

	b.rs = rs;
	b.k = first;
	b.end = end;
	b.start = GetCurrentTimestamp();
	b.budget_us = -1;			/* no subtransaction: all in one go */
	if (smig_lock_timeout <= 0)
	{
		run_steps(&b);
		*reached = b.k;
		return true;
	}

	b.budget_us = 0;
	if (smig_subtransaction_time > 0)
		b.budget_us = Max((int64) smig_subtransaction_time * 1000,
						  (b.start - rs->started) / BATCH_SHARE);
	edata = smig_run_caught(run_steps, &b);
	*reached = b.k;
	if (edata == NULL)
		return true;
	if (!smig_lockwait_fired())
		ReThrowError(edata);
	FreeErrorData(edata);
	return false;
}

/* smig_run_caught() callback: steps b->k .. b->end-1, or until the budget */
static void
run_steps(void *arg)
{
	BatchArgs  *b = (BatchArgs *) arg;

	while (b->k < b->end)
	{
		run_step(b->rs, b->k);
		b->k++;
		if (b->budget_us >= 0 &&
			GetCurrentTimestamp() - b->start >= b->budget_us)
			break;
	}
}

/*
 * run_step
 *		Step k of the plan: its NOTICE (once, even when retried), its SQL,
 *		and its bookkeeping rows.  The graph and the result rows are
 *		updated by finish_steps() once the step can no longer be rolled
 *		back by a retry.
 */
static void
run_step(RunState *rs, int k)
{
	int			i = rs->plan->steps[k];
	SmigRevision *rev = rs->g->nodes[i].rev;
	MemoryContext oldcxt;
	char	   *from;
	List	   *stmts;
	SmigExecBody body;
	TimestampTz start;
	int64		elapsed;

	CHECK_FOR_INTERRUPTS();
	MemoryContextReset(rs->stepcxt);
	oldcxt = MemoryContextSwitchTo(rs->stepcxt);
	from = smig_from_text(rs->g, i);

	smig_load_bodies(rev, false);
	stmts = split_body(rev, rs->kind);
	/* free the bodies: memory stays flat over long chains */
	rev->upgrade_sql = NULL;
	rev->downgrade_sql = NULL;
	rev->bodies_loaded = false;

	if (stmts != NIL)
		check_registrant(rev);
	if (k >= rs->noticed)
	{
		if (rs->kind == SMIG_RUN_UPGRADE)
			ereport(NOTICE,
					(errmsg("Running upgrade %s -> %s%s%s",
							from ? from : "", rev->id,
							rev->message ? ", " : "",
							rev->message ? rev->message : "")));
		else
			ereport(NOTICE,
					(errmsg("Running downgrade %s -> %s%s%s",
							rev->id, from ? from : "",
							rev->message ? ", " : "",
							rev->message ? rev->message : "")));
		rs->noticed = k + 1;
	}

	rs->progress.step = k + 1;
	body.revision = rev->id;
	body.parent = rev->down_revisions ? linitial(rev->down_revisions) : NULL;
	body.section = (rs->kind == SMIG_RUN_UPGRADE) ? "upgrade" : "downgrade";
	body.stmts = stmts;
	body.progress = &rs->progress;
	body.nstatements = 0;
	start = GetCurrentTimestamp();
	smig_execute_body(&body);
	elapsed = GetCurrentTimestamp() - start;
	rs->elapsed[k] = elapsed;

	smig_record_step(rs->kind == SMIG_RUN_UPGRADE, rev->id, rev->checksum,
					 rev->down_revisions, rs->by, elapsed);
	MemoryContextSwitchTo(oldcxt);
}

/*
 * finish_steps
 *		Steps first .. end-1 are done for good: mark them applied (or not)
 *		in the graph, and return their result rows.
 */
static void
finish_steps(RunState *rs, int first, int end, ReturnSetInfo *rsinfo)
{
	int			k;

	for (k = first; k < end; k++)
	{
		int			i = rs->plan->steps[k];
		SmigRevision *rev = rs->g->nodes[i].rev;

		if (rs->kind == SMIG_RUN_UPGRADE)
		{
			SmigApplied *app = palloc0(sizeof(SmigApplied));

			app->id = rev->id;
			app->checksum = rev->checksum;
			app->applied_at = GetCurrentTransactionStartTimestamp();
			app->applied_by = rs->by;
			rs->g->nodes[i].applied = app;
		}
		else
			rs->g->nodes[i].applied = NULL;

		if (rsinfo != NULL)
		{
			Datum		values[STEP_COLS];
			bool		nulls[STEP_COLS] = {false};
			MemoryContext oldcxt;
			char	   *from;
			int			c = 0;

			/* the row is copied into the tuplestore: build it in stepcxt */
			MemoryContextReset(rs->stepcxt);
			oldcxt = MemoryContextSwitchTo(rs->stepcxt);
			from = smig_from_text(rs->g, i);

			values[c++] = CStringGetTextDatum(rev->id);
			if (from)
				values[c++] = CStringGetTextDatum(from);
			else
				nulls[c++] = true;
			if (rev->message)
				values[c++] = CStringGetTextDatum(rev->message);
			else
				nulls[c++] = true;
			values[c++] = smig_interval_datum(rs->elapsed[k]);
			Assert(c == STEP_COLS);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
								 values, nulls);
			MemoryContextSwitchTo(oldcxt);
		}
	}
}

/*
 * check_registrant
 *		Refuse to run revision SQL with privileges its author lacks, or SQL
 *		its author did not register.
 *
 *		The bodies about to run (as smig_load_bodies() read them, before
 *		they were freed) must have the checksum registered with them: the
 *		stored checksum column is not trusted to describe them.
 *
 *		The author is the role whose OID was recorded when the revision was
 *		registered; the role must still exist under the name recorded with
 *		it (a role dropped and created again under that name, or an OID
 *		that a restore into another cluster gave to another role, is not
 *		the author).  It must have the privileges of the role running the
 *		revision (the same role, a role it is a member of, or a superuser).
 *		Otherwise a role allowed to register could have a superuser run its
 *		SQL.  Only schemamig's functions write the OID and name (the
 *		catalog_guard trigger refuses other writers), from the calling role.
 */
static void
check_registrant(SmigRevision *rev)
{
	Oid			caller = GetUserId();
	Oid			author = rev->registered_by_oid;
	char	   *author_name;

	if (rev->bodies_checksum != NULL &&
		strcmp(rev->bodies_checksum, rev->checksum) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the stored SQL of revision \"%s\" does not match its checksum", rev->id),
				 errdetail("Registered with %s; the SQL in schemamig.revisions now has %s. It was changed without schemamig.register().", rev->checksum, rev->bodies_checksum),
				 errhint("Review the revision; register the reviewed script again if it is pending (see schemamig.check()).")));

	if (rev->registered_by == NULL)
		return;
	author_name = OidIsValid(author) ? GetUserNameFromId(author, true) : NULL;
	if (author_name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("revision \"%s\" was registered by role \"%s\", which no longer exists", rev->id, rev->registered_by),
				 errdetail("No role vouches for its SQL; a role of that name created since is not the one that registered it."),
				 errhint("Review the revision and register it again as \"%s\".", GetUserNameFromId(caller, false))));
	if (strcmp(author_name, rev->registered_by) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("revision \"%s\" was registered by role \"%s\", which no longer exists under that name", rev->id, rev->registered_by),
				 errdetail("The role recorded as its author is now called \"%s\" (renamed, or the history was restored from another cluster).", author_name),
				 errhint("Review the revision and register it again as \"%s\".", GetUserNameFromId(caller, false))));
	if (author == caller || has_privs_of_role(author, caller))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("revision \"%s\" was registered by role \"%s\", which lacks the privileges of role \"%s\" that would run it", rev->id, rev->registered_by, GetUserNameFromId(caller, false)),
			 errdetail("Running it would let its SQL act with privileges its author does not have."),
			 errhint("Run it as role \"%s\", or review the revision and register it again as \"%s\".", rev->registered_by, GetUserNameFromId(caller, false))));
}

/*
 * smig_run_revision_statements
 *		What run_step() does around a revision's statements, without the
 *		progress and the bookkeeping: for offline scripts.
 */
void
smig_run_revision_statements(SmigRevision *rev, bool upgrade, List *stmts)
{
	SmigExecBody body;

	if (stmts != NIL)
		check_registrant(rev);
	body.revision = rev->id;
	body.parent = rev->down_revisions ? linitial(rev->down_revisions) : NULL;
	body.section = upgrade ? "upgrade" : "downgrade";
	body.stmts = stmts;
	body.progress = NULL;
	body.nstatements = 0;
	smig_execute_body(&body);
}

/*
 * split_body
 *		The statements of rev's upgrade or downgrade body, split as they
 *		will run (smig_exec_split).
 */
static List *
split_body(SmigRevision *rev, SmigRunKind kind)
{
	SmigBodySource src;
	const char *body;

	src.revision = rev->id;
	src.section = (kind == SMIG_RUN_UPGRADE) ? "upgrade" : "downgrade";
	src.first_line = (kind == SMIG_RUN_UPGRADE) ? rev->upgrade_line :
		rev->downgrade_line;
	src.line_of = "revision";
	src.error_line = NULL;
	body = (kind == SMIG_RUN_UPGRADE) ? rev->upgrade_sql : rev->downgrade_sql;
	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is irreversible: it has no downgrade section", rev->id)));
	return smig_exec_split(body, &src, rev->nontx);
}

/*
 * smig_run_upgrade / smig_run_downgrade
 *		Atomic mode, with the lock held and SPI connected: plan to target
 *		and run the plan, a row per step into rsinfo.
 */
void
smig_run_upgrade(const char *target, ReturnSetInfo *rsinfo)
{
	SmigGraph  *g = smig_load_graph(false);

	smig_run_plan(g, smig_plan_upgrade(g, target), SMIG_RUN_UPGRADE, rsinfo);
}

void
smig_run_downgrade(const char *target, ReturnSetInfo *rsinfo)
{
	SmigGraph  *g = smig_load_graph(false);

	smig_run_plan(g, smig_plan_downgrade(g, target), SMIG_RUN_DOWNGRADE,
				  rsinfo);
}

/*
 * smig_run_stamp
 *		Record the state target describes without running SQL, through the
 *		same bookkeeping writer as the steps (smig_record_stamp), then
 *		return the new current heads into rsinfo.  Lock held, SPI
 *		connected.
 */
void
smig_run_stamp(const char *target, ReturnSetInfo *rsinfo)
{
	SmigGraph  *g = smig_load_graph(false);
	bool		to_base;
	bool	   *state = smig_stamp_state(g, target, &to_base);
	char	   *by = smig_caller_name();
	ListCell   *lc;
	int			k;

	smig_nontx_check_writer();

	/* undo newest first, then record oldest first */
	for (k = g->nnodes - 1; k >= 0; k--)
	{
		SmigRevision *rev = g->nodes[g->topo[k]].rev;

		CHECK_FOR_INTERRUPTS();
		if (!state[g->topo[k]] && g->nodes[g->topo[k]].applied != NULL)
			smig_record_stamp(false, rev->id, rev->checksum,
							  rev->down_revisions, by);
	}
	if (to_base)
	{
		/* base clears unregistered applied rows too */
		foreach(lc, g->orphans)
		{
			SmigApplied *app = lfirst(lc);

			smig_record_stamp(false, app->id, app->checksum, NIL, by);
		}
	}
	for (k = 0; k < g->nnodes; k++)
	{
		SmigRevision *rev = g->nodes[g->topo[k]].rev;

		CHECK_FOR_INTERRUPTS();
		if (state[g->topo[k]] && g->nodes[g->topo[k]].applied == NULL)
			smig_record_stamp(true, rev->id, rev->checksum,
							  rev->down_revisions, by);
	}

	smig_set_applied_state(g, state);
	foreach(lc, smig_current_heads(g))
	{
		Datum		value = CStringGetTextDatum(g->nodes[lfirst_int(lc)].rev->id);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 &value, &isnull);
	}
}

/*
 * smig_run_migrate
 *		Commit-per-step mode: upgrade to target committing after each
 *		revision (Alembic's transaction_per_migration), so that a long chain
 *		neither holds every lock to the end nor loses finished revisions
 *		when a later one fails.  The caller is a procedure in a non-atomic
 *		context, connected to SPI with SPI_OPT_NONATOMIC.
 *
 * The graph, the target (resolved once, to revision ids, so that a
 * relative target does not move as revisions commit) and the plan are
 * built in the first round and kept.  Every round takes the migration
 * lock, checks that the state is the one this call left behind, runs the
 * next step and commits, which releases the lock.  If another session
 * changed the state meanwhile, the graph and plan are built again from
 * the same revision ids.
 */
void
smig_run_migrate(const char *target)
{
	MemoryContext callcxt = CurrentMemoryContext;
	MigrateState ms;
	bool		noticed = false;

	memset(&ms, 0, sizeof(ms));
	ms.graphcxt = AllocSetContextCreate(callcxt, "schemamig migrate graph",
										ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		char	   *down;

		CHECK_FOR_INTERRUPTS();
		MemoryContextSwitchTo(ms.graphcxt);
		smig_begin_write("migrate");
		if (ms.g == NULL)
			migrate_build(&ms, target);
		else if (!state_is_current(&ms))
			migrate_build(&ms, NULL);
		/* after the extension check: the tables are there, and locked */
		if (wait_for_lease(&noticed, callcxt))
			continue;
		down = smig_nontx_partial_in(false);
		if (down != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" is partly downgraded", down),
					 errhint("Finish its downgrade with CALL schemamig.migrate_down(target) first.")));
		if (ms.next >= ms.plan.nsteps)
			break;

		if (ms.g->nodes[ms.plan.steps[ms.next]].rev->nontx)
		{
			/* a statement per round; the revision is done with its last */
			if (nontx_step(&ms.rs, ms.next))
				ms.next++;
		}
		else
		{
			run_range(&ms.rs, ms.next, ms.next + 1, NULL);
			ms.next++;
		}
		remember_state(&ms);

		MemoryContextSwitchTo(callcxt);
		SPI_commit();
	}
	MemoryContextSwitchTo(callcxt);
	MemoryContextDelete(ms.graphcxt);
}

/*
 * wait_for_lease
 *		Another backend runs a statement of a revision without a
 *		transaction: commit (releasing the lock, holding no snapshot), sleep
 *		and return true, for the caller to start its round again.
 */
static bool
wait_for_lease(bool *noticed, MemoryContext callcxt)
{
	if (!smig_nontx_lease_taken(noticed))
		return false;
	MemoryContextSwitchTo(callcxt);
	SPI_commit();
	smig_nontx_sleep();
	return true;
}

/*
 * nontx_step
 *		One round of step k, a revision without a transaction: its next
 *		statement (exec/nontx.c).  Returns true once the revision is done
 *		and recorded (the graph then says so).
 */
static bool
nontx_step(RunState *rs, int k)
{
	int			i = rs->plan->steps[k];
	SmigRevision *rev = rs->g->nodes[i].rev;
	MemoryContext oldcxt;
	char	   *from;
	List	   *stmts;
	bool		done;

	CHECK_FOR_INTERRUPTS();
	MemoryContextReset(rs->stepcxt);
	oldcxt = MemoryContextSwitchTo(rs->stepcxt);
	from = smig_from_text(rs->g, i);
	smig_load_bodies(rev, false);
	stmts = split_body(rev, rs->kind);
	rev->upgrade_sql = NULL;
	rev->downgrade_sql = NULL;
	rev->bodies_loaded = false;
	if (stmts != NIL)
		check_registrant(rev);
	rs->progress.step = k + 1;
	done = smig_nontx_round(rev, rs->kind == SMIG_RUN_UPGRADE, stmts, rs->by,
							&rs->progress, from);
	MemoryContextSwitchTo(oldcxt);
	if (done)
		finish_steps(rs, k, k + 1, NULL);
	return done;
}

/*
 * smig_run_migrate_down
 *		Commit-per-step downgrade to target (CALL schemamig.migrate_down()):
 *		one revision per commit, and one statement per commit in a revision
 *		without a transaction.  The plan is made once, to revision ids; each
 *		round loads the graph again under the lock and runs the next one,
 *		which must still be applied.  A revision whose upgrade is partly run
 *		is undone first: its whole downgrade section runs (README
 *		"Non-transactional revisions").  Same caller as smig_run_migrate.
 */
void
smig_run_migrate_down(const char *target)
{
	MemoryContext callcxt = CurrentMemoryContext;
	MemoryContext roundcxt = AllocSetContextCreate(callcxt,
												   "schemamig migrate_down",
												   ALLOCSET_DEFAULT_SIZES);
	List	   *ids = NIL;
	char	   *undo = NULL;
	bool		planned = false;
	bool		noticed = false;
	int			next = 0;

	for (;;)
	{
		SmigGraph  *g;
		SmigPlan	plan;
		RunState	rs;
		int			i;
		char	   *partial_down;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(roundcxt);
		MemoryContextSwitchTo(roundcxt);
		smig_begin_write("migrate_down");
		if (wait_for_lease(&noticed, callcxt))
			continue;
		g = smig_load_graph(false);
		if (!planned)
		{
			SmigPlan	first = smig_plan_downgrade(g, target);
			MemoryContext old = MemoryContextSwitchTo(callcxt);
			int			k;

			for (k = 0; k < first.nsteps; k++)
				ids = lappend(ids, pstrdup(g->nodes[first.steps[k]].rev->id));
			undo = smig_nontx_partial_in(true);
			if (undo != NULL)
				undo = pstrdup(undo);
			MemoryContextSwitchTo(old);
			planned = true;
		}

		/* a partly run downgrade finishes before anything else */
		partial_down = smig_nontx_partial_in(false);
		if (undo != NULL)
			i = smig_graph_find(g, undo);
		else if (partial_down != NULL)
			i = smig_graph_find(g, partial_down);
		else
		{
			if (next >= list_length(ids))
				break;
			i = smig_graph_find(g, list_nth(ids, next));
			if (i < 0 || g->nodes[i].applied == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("revision \"%s\" is no longer applied: another session changed the state while schemamig.migrate_down() ran", (char *) list_nth(ids, next)),
						 errhint("Check the state with schemamig.status(), then run it again.")));
		}
		if (i < 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("a partly run revision was unregistered while schemamig.migrate_down() ran")));

		plan.steps = &i;
		plan.nsteps = 1;
		run_init(&rs, g, &plan, SMIG_RUN_DOWNGRADE);
		if (g->nodes[i].rev->nontx)
		{
			if (nontx_step(&rs, 0))
			{
				if (undo != NULL)
					undo = NULL;
				else if (partial_down == NULL ||
						 (next < list_length(ids) &&
						  strcmp(partial_down, list_nth(ids, next)) == 0))
					next++;
			}
		}
		else
		{
			run_range(&rs, 0, 1, NULL);
			next++;
		}
		MemoryContextSwitchTo(callcxt);
		SPI_commit();
	}
	MemoryContextSwitchTo(callcxt);
	MemoryContextDelete(roundcxt);
}

/*
 * migrate_build
 *		(Re)build the graph and the plan in ms->graphcxt.  With a target
 *		(first round), resolve it to revision ids; without, plan to the ids
 *		resolved before.  Lock held.
 */
static void
migrate_build(MigrateState *ms, const char *target)
{
	int		   *nodes;
	int			n = 0;
	ListCell   *lc;

	MemoryContextReset(ms->graphcxt);
	MemoryContextSwitchTo(ms->graphcxt);
	if (target != NULL)
		check_extension(ms);
	ms->g = smig_load_graph(false);
	if (target != NULL)
	{
		/* the ids outlive every rebuild: keep them in the call's context */
		SmigTarget	t = smig_resolve_upgrade_target(ms->g, target);
		MemoryContext old = MemoryContextSwitchTo(MemoryContextGetParent(ms->graphcxt));
		int			k;

		if (t.branch_base >= 0)
			ms->ids = lappend(ms->ids, pstrdup(ms->g->nodes[t.branch_base].rev->id));
		for (k = 0; k < t.nnodes; k++)
			ms->ids = lappend(ms->ids, pstrdup(ms->g->nodes[t.nodes[k]].rev->id));
		MemoryContextSwitchTo(old);
	}

	nodes = palloc(sizeof(int) * Max(list_length(ms->ids), 1));
	foreach(lc, ms->ids)
	{
		int			i = smig_graph_find(ms->g, lfirst(lc));

		if (i < 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" was unregistered while schemamig.migrate() ran", (char *) lfirst(lc))));
		nodes[n++] = i;
	}
	ms->plan = smig_plan_upgrade_nodes(ms->g, nodes, n);
	run_init(&ms->rs, ms->g, &ms->plan, SMIG_RUN_UPGRADE);
	ms->next = 0;
	remember_state(ms);
}

/*
 * state_is_current
 *		Is schemamig's state, under the lock, the one this call left behind
 *		at its last commit?  Cheap: two index probes and the next step's
 *		revision by primary key.  Every upgrade, downgrade and stamp writes
 *		an event (max(events.id)); every registration takes a new seq
 *		(max(revisions.seq)); a pending revision replaced or forgotten
 *		matters only if it is one still to run, and the next one is checked
 *		before it runs (the others in their own rounds).
 */
static bool
state_is_current(MigrateState *ms)
{
	int64		last_event;
	int64		last_seq;
	char	   *shape = NULL;
	SmigRevision *next = NULL;

	check_extension(ms);
	if (ms->next < ms->plan.nsteps)
		next = ms->g->nodes[ms->plan.steps[ms->next]].rev;
	read_state(&last_event, &last_seq, next ? next->id : NULL,
			   next ? &shape : NULL);
	if (last_event != ms->last_event || last_seq != ms->last_seq)
		return false;
	if (next != NULL &&
		(shape == NULL || strcmp(shape, revision_shape(next)) != 0))
		return false;
	return true;
}

/* after our own step (before the commit): the state we leave behind */
static void
remember_state(MigrateState *ms)
{
	read_state(&ms->last_event, &ms->last_seq, NULL, NULL);
}

/*
 * read_state
 *		max(events.id) and max(revisions.seq) (0 when empty), and, when
 *		next_id is given, *next_shape = what revision_shape() says of the
 *		stored revision next_id (NULL if it is not registered).  Naming
 *		the tables locks them (ACCESS SHARE) to the end of the transaction:
 *		the extension cannot be dropped under the round.
 */
static void
read_state(int64 *last_event, int64 *last_seq, const char *next_id,
		   char **next_shape)
{
	static SPIPlanPtr plan = NULL;
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char		nulls[1] = {' '};
	bool		isnull;
	int			ret;

	if (plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(
									"SELECT coalesce((SELECT pg_catalog.max(id) FROM schemamig.events), 0),"
									" coalesce((SELECT pg_catalog.max(seq) FROM schemamig.revisions), 0),"
									" (SELECT pg_catalog.concat_ws('|', checksum,"
									"   pg_catalog.array_to_string(down_revisions, ','),"
									"   pg_catalog.array_to_string(depends_on, ','))"
									"  FROM schemamig.revisions"
									"  WHERE revision OPERATOR(pg_catalog.=) $1)",
									1, types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "schemamig: could not prepare the state query: %s",
				 SPI_result_code_string(SPI_result));
		plan = p;
	}
	if (next_id != NULL)
		values[0] = CStringGetTextDatum(next_id);
	else
	{
		values[0] = (Datum) 0;
		nulls[0] = 'n';
	}
	/* not read-only: a fresh snapshot that sees our own step too */
	ret = SPI_execute_plan(plan, values, nulls, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "schemamig: state query failed: %s",
			 SPI_result_code_string(ret));
	*last_event = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 1,
											  &isnull));
	*last_seq = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 2,
											&isnull));
	if (next_shape != NULL)
		*next_shape = SPI_getvalue(SPI_tuptable->vals[0],
								   SPI_tuptable->tupdesc, 3);
	SPI_freetuptable(SPI_tuptable);
}

/* what the state query says of a revision: checksum|parents|depends_on */
static char *
revision_shape(SmigRevision *rev)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	appendStringInfoString(&buf, rev->checksum);
	appendStringInfoChar(&buf, '|');
	foreach(lc, rev->down_revisions)
	{
		if (lc != list_head(rev->down_revisions))
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf, lfirst(lc));
	}
	appendStringInfoChar(&buf, '|');
	foreach(lc, rev->depends_on)
	{
		if (lc != list_head(rev->depends_on))
			appendStringInfoChar(&buf, ',');
		appendStringInfoString(&buf, lfirst(lc));
	}
	return buf.data;
}

/*
 * check_extension
 *		The extension must still be the one the call started with: another
 *		session may have dropped it (and created it again) between two
 *		rounds.  Say so, rather than failing on a table that is gone.  The
 *		extension is locked (as DROP EXTENSION locks it) to the end of the
 *		round, so that it cannot go away while the round runs.
 */
static void
check_extension(MigrateState *ms)
{
	Oid			now = get_extension_oid("schemamig", true);

	if (OidIsValid(now))
	{
		LockDatabaseObject(ExtensionRelationId, now, 0, AccessShareLock);
		/* a DROP we waited for has committed: look again */
		if (get_extension_oid("schemamig", true) != now)
			now = get_extension_oid("schemamig", true);
	}
	if (!OidIsValid(ms->extension))
		ms->extension = now;
	if (OidIsValid(now) && now == ms->extension)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 OidIsValid(now) ?
			 errmsg("extension schemamig was dropped and created again while schemamig.migrate() ran") :
			 errmsg("extension schemamig was dropped while schemamig.migrate() ran"),
			 errdetail("The revisions this call committed before that stay applied, but their record went with the extension."),
			 errhint("Check the state with schemamig.status() before migrating again.")));
}

/* see runner.h: the author check, for a statement psql runs itself */
void
smig_check_registrant(SmigRevision *rev)
{
	check_registrant(rev);
}
