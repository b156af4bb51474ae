/*-------------------------------------------------------------------------
 *
 * runner.c
 *	  The migration lock and the running of revisions: upgrade, downgrade,
 *	  apply and stamp.
 *
 * Everything runs inside the caller's transaction, so an error anywhere
 * rolls back the DDL and the bookkeeping together.  Writers serialise on a
 * transaction-scoped advisory lock (SMIG_LOCK_KEY1, SMIG_LOCK_KEY2) that
 * the server releases at commit, abort or backend exit: it cannot leak.
 * The lock is taken before the graph is read; in READ COMMITTED each SPI
 * query then takes a new snapshot, so a caller that waited sees what the
 * previous holder committed and applies nothing twice.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "pgstat.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/parsenodes.h"
#include "miscadmin.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "base/session.h"
#include "base/subxact.h"
#include "compat.h"
#include "exec/locks.h"
#include "exec/runner.h"
#include "exec/statements.h"
#include "register/register.h"

#define STEP_COLS 4

typedef enum StepKind
{
	STEP_UPGRADE,
	STEP_DOWNGRADE
} StepKind;

/* what the error context callback says while a statement runs */
typedef struct StepErrorContext
{
	const char *revision;
	const char *parent;			/* first down_revision, or NULL */
	const char *section;
	SmigStatement *stmt;
	int			nstatements;
} StepErrorContext;

/* where a run is, for pg_stat_activity */
typedef struct StepProgress
{
	const char *operation;		/* "upgrade" or "downgrade" */
	int			step;			/* 1-based */
	int			nsteps;
} StepProgress;

/* true while revision SQL runs: schemamig must not be re-entered */
/* smig_in_revision (base/session.h) is true while revision SQL runs */

/* the statement that was running when the last attempt failed */
static SmigStatement *failed_statement = NULL;

static void run_plan(SmigGraph *g, SmigPlan plan, StepKind kind,
					 ReturnSetInfo *rsinfo);
static void run_statements(SmigRevision *rev, StepKind kind, List *stmts,
						   StepProgress *progress);
static List *split_body(SmigRevision *rev, StepKind kind);
static void step_error_callback(void *arg);
static void run_upgrade(const char *target, ReturnSetInfo *rsinfo);
static void check_registrant(SmigRevision *rev);


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

/* the state of one run_plan() call */
typedef struct RunState
{
	SmigGraph  *g;
	SmigPlan   *plan;
	StepKind	kind;
	char	   *by;				/* the caller's role name */
	MemoryContext stepcxt;		/* reset before each step */
	StepProgress progress;
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

static bool run_batch(RunState *rs, int first, int end, int *reached);
static void run_steps(void *arg);
static void run_step(RunState *rs, int k);
static void finish_steps(RunState *rs, int first, int end,
						 ReturnSetInfo *rsinfo);

/*
 * run_plan
 *		Run each step of plan: NOTICE, SQL, bookkeeping, a result row.
 *		With schemamig.lock_timeout set, steps run in subtransactions
 *		(see BATCH_SHARE) and a lock timeout is retried; without it they
 *		run directly in the caller's transaction.
 */
static void
run_plan(SmigGraph *g, SmigPlan plan, StepKind kind, ReturnSetInfo *rsinfo)
{
	RunState	rs;
	int			k = 0;
	int			retry_at = -1;	/* a step to run alone after a lock timeout */

	rs.g = g;
	rs.plan = &plan;
	rs.kind = kind;
	rs.by = smig_caller_name();
	rs.stepcxt = AllocSetContextCreate(CurrentMemoryContext,
									   "schemamig step",
									   ALLOCSET_DEFAULT_SIZES);
	rs.progress.operation = (kind == STEP_UPGRADE) ? "upgrade" : "downgrade";
	rs.progress.nsteps = plan.nsteps;
	rs.progress.step = 0;
	rs.elapsed = palloc0(sizeof(int64) * Max(plan.nsteps, 1));
	rs.attempts = palloc0(sizeof(int) * Max(plan.nsteps, 1));
	rs.noticed = 0;
	rs.started = GetCurrentTimestamp();

	while (k < plan.nsteps)
	{
		int			end;
		int			reached;
		int			f;
		SmigRevision *rev;
		SmigStatement *stmt;
		char	   *lock;
		char	   *blockers;
		int			delay;

		CHECK_FOR_INTERRUPTS();
		if (retry_at > k)
			end = retry_at;		/* redo the steps before it, then it alone */
		else if (retry_at == k)
			end = k + 1;
		else
			end = plan.nsteps;

		if (run_batch(&rs, k, end, &reached))
		{
			finish_steps(&rs, k, reached, rsinfo);
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
		stmt = failed_statement;
		lock = smig_lockwait_describe();
		blockers = smig_lockwait_blockers();
		rs.attempts[f]++;
		if (rs.attempts[f] > smig_lock_retries)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("revision \"%s\" gave up waiting for a lock after %d attempt%s", rev->id, rs.attempts[f], rs.attempts[f] == 1 ? "" : "s"),
					 errdetail("%s statement %d (line %d) waited %d ms for %s: %s. Blocking: %s.",
							   kind == STEP_UPGRADE ? "Upgrade" : "Downgrade",
							   stmt ? stmt->number : 0, stmt ? stmt->line : 0,
							   smig_lock_timeout, lock,
							   stmt ? stmt->sql : "", blockers),
					 errhint("End or wait out the blocking sessions and run it again, or raise schemamig.lock_timeout or schemamig.lock_retries.")));
		delay = smig_retry_delay_ms(rs.attempts[f]);
		if (f == k)
			ereport(NOTICE,
					(errmsg("revision \"%s\" waited %d ms for %s in statement %d (line %d); rolled it back, retry %d of %d in %d ms",
							rev->id, smig_lock_timeout, lock,
							stmt ? stmt->number : 0, stmt ? stmt->line : 0,
							rs.attempts[f], smig_lock_retries, delay),
					 errdetail("Blocking: %s.", blockers)));
		else
			ereport(NOTICE,
					(errmsg("revision \"%s\" waited %d ms for %s in statement %d (line %d); rolled it back with the %d revision%s before it in its subtransaction, retry %d of %d in %d ms",
							rev->id, smig_lock_timeout, lock,
							stmt ? stmt->number : 0, stmt ? stmt->line : 0,
							f - k, f - k == 1 ? "" : "s",
							rs.attempts[f], smig_lock_retries, delay),
					 f - k == 1 ?
					 errdetail("Blocking: %s. Revision \"%s\" runs again first.",
							   blockers, g->nodes[plan.steps[k]].rev->id) :
					 errdetail("Blocking: %s. Revisions \"%s\" to \"%s\" run again first.",
							   blockers, g->nodes[plan.steps[k]].rev->id,
							   g->nodes[plan.steps[f - 1]].rev->id)));
		smig_sleep_ms(delay);
		retry_at = f;
	}
	MemoryContextDelete(rs.stepcxt);
	/* pg_stat_activity shows the caller's query again */
	if (plan.nsteps > 0 && debug_query_string != NULL)
		pgstat_report_activity(STATE_RUNNING, debug_query_string);
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
		if (rs->kind == STEP_UPGRADE)
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
	start = GetCurrentTimestamp();
	run_statements(rev, rs->kind, stmts, &rs->progress);
	elapsed = GetCurrentTimestamp() - start;
	rs->elapsed[k] = elapsed;

	smig_record_step(rs->kind == STEP_UPGRADE, rev->id, rev->checksum,
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

		if (rs->kind == STEP_UPGRADE)
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

/* the statements of rev's upgrade or downgrade body */
static List *
split_body(SmigRevision *rev, StepKind kind)
{
	SmigBodySource src;
	const char *body;

	src.revision = rev->id;
	src.section = (kind == STEP_UPGRADE) ? "upgrade" : "downgrade";
	src.first_line = (kind == STEP_UPGRADE) ? rev->upgrade_line :
		rev->downgrade_line;
	src.line_of = "revision";
	src.error_line = NULL;
	body = (kind == STEP_UPGRADE) ? rev->upgrade_sql : rev->downgrade_sql;
	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is irreversible: it has no downgrade section", rev->id)));
	return smig_split_statements(body, &src);
}

/*
 * run_statements
 *		Execute stmts one by one, with an error context naming revision,
 *		statement and line, progress in pg_stat_activity, and
 *		schemamig.statement_timeout / lock_timeout armed.  GUCs (search_path,
 *		role, session authorization, work_mem...) set by the revision are put
 *		back afterwards, and so is the current user.
 */
static void
run_statements(SmigRevision *rev, StepKind kind, List *stmts,
			   StepProgress *progress)
{
	StepErrorContext sec;
	ErrorContextCallback errcb;
	ListCell   *lc;
	int			save_nestlevel;
	Oid			save_userid;
	int			save_sec_context;
	SmigSavedTimeout saved;

	sec.revision = rev->id;
	sec.parent = rev->down_revisions ? linitial(rev->down_revisions) : NULL;
	sec.section = (kind == STEP_UPGRADE) ? "upgrade" : "downgrade";
	sec.stmt = NULL;
	sec.nstatements = list_length(stmts);
	errcb.callback = step_error_callback;
	errcb.arg = &sec;
	errcb.previous = error_context_stack;

	memset(&saved, 0, sizeof(saved));
	failed_statement = NULL;
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	save_nestlevel = NewGUCNestLevel();
	smig_in_revision = true;
	error_context_stack = &errcb;
	PG_TRY();
	{
		smig_lockwait_start();
		foreach(lc, stmts)
		{
			MemoryContext cxt = CurrentMemoryContext;
			int			ret;

			CHECK_FOR_INTERRUPTS();
			sec.stmt = lfirst(lc);
			failed_statement = sec.stmt;
			if (progress != NULL)
			{
				char		activity[200];

				snprintf(activity, sizeof(activity),
						 "schemamig: %s %d/%d %s statement %d/%d",
						 progress->operation, progress->step,
						 progress->nsteps, rev->id, sec.stmt->number,
						 sec.nstatements);
				pgstat_report_activity(STATE_RUNNING, activity);
			}
			smig_statement_timer_start(&saved);
			ret = SPI_execute(sec.stmt->sql, false, 0);
			smig_statement_timer_stop(&saved);
			MemoryContextSwitchTo(cxt);
			if (ret < 0)
				ereport(ERROR,
						(errcode(ret == SPI_ERROR_TRANSACTION ?
								 ERRCODE_INVALID_TRANSACTION_TERMINATION :
								 ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("statement cannot run inside a migration: %s",
								SPI_result_code_string(ret))));
			SPI_freetuptable(SPI_tuptable);
		}
		failed_statement = NULL;
	}
	PG_FINALLY();
	{
		smig_statement_timer_stop(&saved);
		smig_lockwait_stop();
		smig_in_revision = false;
	}
	PG_END_TRY();
	error_context_stack = errcb.previous;

	/* like a function with SET clauses, but for every GUC */
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/* "upgrade of revision "x", statement 2 of 3 (line 14)" */
static void
step_error_callback(void *arg)
{
	StepErrorContext *sec = (StepErrorContext *) arg;

	if (sec->stmt == NULL)
		return;

	/*
	 * An enum value added earlier in this transaction cannot be used yet: say
	 * where to commit.
	 */
	if (geterrcode() == ERRCODE_UNSAFE_NEW_ENUM_VALUE_USAGE)
	{
		if (sec->parent != NULL)
			errhint("New enum values must be committed before they are used. Upgrade to \"%s\" and commit, then upgrade the rest, or use CALL schemamig.migrate(), which commits after each revision. If revision \"%s\" adds the value itself, move ALTER TYPE ... ADD VALUE into a revision of its own.",
					sec->parent, sec->revision);
		else
			errhint("New enum values must be committed before they are used: move ALTER TYPE ... ADD VALUE into a revision of its own, and commit it before revision \"%s\" runs (CALL schemamig.migrate() commits after each revision).",
					sec->revision);
	}
	errcontext("revision \"%s\" %s, statement %d of %d (line %d)",
			   sec->revision, sec->section, sec->stmt->number,
			   sec->nstatements, sec->stmt->line);
}

/* upgrade, with the lock held and SPI connected */
static void
run_upgrade(const char *target, ReturnSetInfo *rsinfo)
{
	SmigGraph  *g = smig_load_graph(false);
	SmigPlan	plan = smig_plan_upgrade(g, target);

	run_plan(g, plan, STEP_UPGRADE, rsinfo);
}

/*
 * SQL-callable functions
 */

PG_FUNCTION_INFO_V1(schemamig_upgrade);
Datum
schemamig_upgrade(PG_FUNCTION_ARGS)
{
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;

	smig_init_srf(fcinfo, false);
	smig_begin_write("upgrade");
	opcxt = smig_begin_spi("schemamig upgrade");
	run_upgrade(target, rsinfo);
	smig_end_spi(opcxt);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(schemamig_downgrade);
Datum
schemamig_downgrade(PG_FUNCTION_ARGS)
{
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	SmigGraph  *g;

	smig_init_srf(fcinfo, false);
	smig_begin_write("downgrade");
	opcxt = smig_begin_spi("schemamig downgrade");
	g = smig_load_graph(false);
	run_plan(g, smig_plan_downgrade(g, target), STEP_DOWNGRADE, rsinfo);
	smig_end_spi(opcxt);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(schemamig_apply);
Datum
schemamig_apply(PG_FUNCTION_ARGS)
{
	char	   *script = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;

	smig_init_srf(fcinfo, false);
	smig_begin_write("apply");
	opcxt = smig_begin_spi("schemamig apply");
	smig_register_script(script, NULL);
	run_upgrade(target, rsinfo);
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/*
 * stamp(target): record the state target describes without running SQL,
 * then return the new current heads.
 */
PG_FUNCTION_INFO_V1(schemamig_stamp);
Datum
schemamig_stamp(PG_FUNCTION_ARGS)
{
	char	   *target = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	SmigGraph  *g;
	bool	   *state;
	bool		to_base;
	char	   *by;
	ListCell   *lc;
	int			k;

	smig_init_srf(fcinfo, true);
	smig_begin_write("stamp");
	opcxt = smig_begin_spi("schemamig stamp");
	g = smig_load_graph(false);
	state = smig_stamp_state(g, target, &to_base);
	by = smig_caller_name();

	/* undo newest first, then record oldest first */
	for (k = g->nnodes - 1; k >= 0; k--)
	{
		int			i = g->topo[k];

		CHECK_FOR_INTERRUPTS();
		if (!state[i] && g->nodes[i].applied != NULL)
		{
			smig_delete_applied(g->nodes[i].rev->id);
			smig_insert_event("unstamp", g->nodes[i].rev->id,
							  g->nodes[i].rev->down_revisions,
							  g->nodes[i].rev->checksum, by, -1);
		}
	}
	if (to_base)
	{
		/* base clears unregistered applied rows too */
		foreach(lc, g->orphans)
		{
			SmigApplied *app = lfirst(lc);

			smig_delete_applied(app->id);
			smig_insert_event("unstamp", app->id, NIL, app->checksum, by, -1);
		}
	}
	for (k = 0; k < g->nnodes; k++)
	{
		int			i = g->topo[k];

		CHECK_FOR_INTERRUPTS();
		if (state[i] && g->nodes[i].applied == NULL)
		{
			smig_insert_applied(g->nodes[i].rev->id,
								g->nodes[i].rev->checksum, by, 0);
			smig_insert_event("stamp", g->nodes[i].rev->id,
							  g->nodes[i].rev->down_revisions,
							  g->nodes[i].rev->checksum, by, -1);
		}
	}

	smig_set_applied_state(g, state);
	foreach(lc, smig_current_heads(g))
	{
		Datum		value = CStringGetTextDatum(g->nodes[lfirst_int(lc)].rev->id);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 &value, &isnull);
	}
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/*
 * migrate(target): CALL-able procedure, like upgrade() but committing after
 * each revision (Alembic's transaction_per_migration), so that a long chain
 * neither holds every lock to the end nor loses finished revisions when a
 * later one fails.
 *
 * The target is resolved once, to revision ids, so that a relative target
 * does not move as revisions commit.  Then each round takes the migration
 * lock, reloads the state (another caller may have applied some), applies
 * the first pending revision and commits, which releases the lock.
 */
PG_FUNCTION_INFO_V1(schemamig_migrate);
Datum
schemamig_migrate(PG_FUNCTION_ARGS)
{
	char	   *target = PG_ARGISNULL(0) ? "head" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	MemoryContext callcxt = CurrentMemoryContext;
	MemoryContext roundcxt;
	List	   *ids = NIL;
	bool		nonatomic;
	int			done = 0;

	nonatomic = fcinfo->context != NULL &&
		IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
				 errmsg("schemamig.migrate() cannot run inside a transaction block"),
				 errdetail("It commits after each revision."),
				 errhint("CALL it outside BEGIN ... COMMIT (and not from a function), or use SELECT * FROM schemamig.upgrade() for one atomic upgrade.")));

	if (SPI_connect_ext(SPI_OPT_NONATOMIC) != SPI_OK_CONNECT)
		elog(ERROR, "schemamig: SPI_connect failed");
	roundcxt = AllocSetContextCreate(callcxt, "schemamig migrate round",
									 ALLOCSET_DEFAULT_SIZES);

	for (;;)
	{
		SmigGraph  *g;
		SmigPlan	plan;
		int		   *nodes;
		int			n = 0;
		ListCell   *lc;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(roundcxt);
		MemoryContextSwitchTo(roundcxt);
		smig_begin_write("migrate");
		g = smig_load_graph(false);

		if (done == 0)
		{
			/* first round: resolve the target to revision ids */
			SmigTarget	t = smig_resolve_upgrade_target(g, target);
			MemoryContext old = MemoryContextSwitchTo(callcxt);
			int			k;

			if (t.branch_base >= 0)
				ids = lappend(ids, pstrdup(g->nodes[t.branch_base].rev->id));
			for (k = 0; k < t.nnodes; k++)
				ids = lappend(ids, pstrdup(g->nodes[t.nodes[k]].rev->id));
			MemoryContextSwitchTo(old);
		}

		nodes = palloc(sizeof(int) * Max(list_length(ids), 1));
		foreach(lc, ids)
		{
			int			i = smig_graph_find(g, lfirst(lc));

			if (i < 0)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("revision \"%s\" was unregistered while schemamig.migrate() ran", (char *) lfirst(lc))));
			nodes[n++] = i;
		}
		plan = smig_plan_upgrade_nodes(g, nodes, n);
		if (plan.nsteps == 0)
			break;
		plan.nsteps = 1;
		run_plan(g, plan, STEP_UPGRADE, NULL);
		done++;

		MemoryContextSwitchTo(callcxt);
		SPI_commit();
	}

	MemoryContextSwitchTo(callcxt);
	MemoryContextDelete(roundcxt);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "schemamig: SPI_finish failed");
	PG_RETURN_VOID();
}
