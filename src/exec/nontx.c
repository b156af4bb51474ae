/*-------------------------------------------------------------------------
 *
 * nontx.c
 *	  Revisions that declare "-- schemamig:transaction off": each statement
 *	  a step of its own, committed on its own; statements that need a
 *	  transaction of their own run in a background worker (exec/worker.c)
 *	  while the caller holds no snapshot and no lock; what a failed index
 *	  build leaves is healed; leases stand in for the migration lock.
 *
 * Where a revision is, is a row of schemamig.partial (model/catalog.c):
 * the statements finished (each recorded in the same transaction as its
 * effect, or right after the worker's commit), and, while a worker runs,
 * the lease (statement, backend).  A rerun resumes at the first unfinished
 * statement.  A worker statement interrupted by a crash between its
 * commit and its record runs again: CREATE INDEX CONCURRENTLY is made
 * idempotent by the healing below (a valid index of that name on that
 * table means it ran); other such statements (VACUUM, CALL) should be
 * written to be safe to repeat.
 *
 * Why no lock during a worker statement: CREATE INDEX CONCURRENTLY waits
 * for every older snapshot in the database, so a session waiting for the
 * migration lock while holding one (SELECT schemamig.upgrade()) would
 * deadlock with it, through a latch the deadlock detector cannot see.  So
 * the lease is committed and the lock released; writers that see a live
 * lease fail at once, migrate() callers wait for it without a snapshot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "storage/latch.h"
#include "storage/procarray.h"
#include "storage/sinval.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/wait_event.h"

#include "base/session.h"
#include "base/subxact.h"
#include "exec/nontx.h"
#include "exec/worker.h"
#include "model/catalog.h"

/* how long migrate() sleeps between looks at another backend's lease */
#define LEASE_POLL_MS 200

/* an index a statement builds or rebuilds, found by name */
typedef struct IndexTarget
{
	bool		applies;		/* a named CIC, or REINDEX INDEX CONCURRENTLY */
	bool		reindex;
	Oid			nsp;			/* the index's schema */
	char	   *name;			/* the index built (CIC), or the _ccnew one */
	Oid			table;			/* CIC: its table */
	bool		unique;
	int			ncolumns;
} IndexTarget;

/* what run_caught_step() runs in its subtransaction */
typedef struct StepArgs
{
	SmigExecBody *body;
	IndexTarget *target;
	char	   *drop_first;		/* DROP INDEX CONCURRENTLY to run first */
} StepArgs;

static SmigPartial *find_partial(const char *id);
static void record_progress(SmigRevision *rev, bool upgrade, int done,
							int n, const char *by);
static void run_caught_step(void *arg);
static void index_target(const SmigStatement *stmt, IndexTarget *t);
static Oid	find_index(IndexTarget *t, Form_pg_index *form,
					   HeapTuple *tuple);
static char *heal_before(IndexTarget *t, bool *skip);
static char *drop_leftover(IndexTarget *t);
static void check_built(IndexTarget *t);
static char *drop_sql(Oid nsp, const char *name);
static bool lease_is_live(SmigPartial *p);

/*
 * smig_nontx_round
 *		See nontx.h.
 */
bool
smig_nontx_round(SmigRevision *rev, bool upgrade, List *stmts,
				 const char *by, const SmigExecProgress *progress,
				 const char *from)
{
	SmigPartial *p = find_partial(rev->id);
	int			n = list_length(stmts);
	int			done = 0;
	const SmigStatement *stmt;
	SmigExecBody body;
	StepArgs	args;
	IndexTarget target;
	ErrorData  *edata;
	bool		worker;

	if (p != NULL && p->upgrade == upgrade)
	{
		if (strcmp(p->checksum, rev->checksum) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" changed since %d of its %d statements ran", rev->id, p->done, p->statements),
					 errdetail("It was partly run with checksum %s; it is registered with %s now.", p->checksum, rev->checksum),
					 errhint("Register the script it was partly run from again, finish it, then write the change as a new revision.")));
		done = p->done;
	}
	if (done >= n)
	{
		record_progress(rev, upgrade, n, n, by);
		return true;
	}
	stmt = list_nth(stmts, done);
	ereport(NOTICE,
			(errmsg("Running %s %s -> %s, statement %d of %d (line %d)%s",
					upgrade ? "upgrade" : "downgrade",
					upgrade ? (from ? from : "") : rev->id,
					upgrade ? rev->id : (from ? from : ""),
					stmt->number, n, stmt->line,
					done > 0 && p != NULL && p->upgrade == upgrade &&
					p->last_error != NULL ? ", resumed" : "")));

	memset(&body, 0, sizeof(body));
	body.revision = rev->id;
	body.parent = rev->down_revisions ? linitial(rev->down_revisions) : NULL;
	body.section = upgrade ? "upgrade" : "downgrade";
	body.stmts = list_make1((void *) stmt);
	body.progress = progress;
	body.nstatements = n;
	memset(&args, 0, sizeof(args));
	args.body = &body;
	args.target = &target;
	worker = smig_exec_class(stmt) == SMIG_EXEC_OWN_XACT;
	index_target(stmt, &target);

	if (worker)
	{
		bool		skip = false;

		/* before: a finished build means done; an invalid one goes first */
		args.drop_first = heal_before(&target, &skip);
		if (skip)
		{
			ereport(NOTICE,
					(errmsg("index \"%s\" exists and is valid: statement %d of revision \"%s\" ran before, skipped", target.name, stmt->number, rev->id)));
			record_progress(rev, upgrade, done + 1, n, by);
			return done + 1 >= n;
		}

		/*
		 * The lease, committed; the lock goes with the commit.  Its commit
		 * waits for no WAL flush (nor standby): the lease is seen at once
		 * all the same, and whatever the worker then commits flushes the
		 * WAL past it.  A crash that loses it loses nothing after it, and
		 * a lease is cleared after a crash anyway (its backend is gone).
		 */
		smig_write_partial(rev->id, upgrade, rev->checksum, done, n,
						   stmt->number, NULL);
		(void) set_config_option("synchronous_commit", "off", PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0,
								 false);
		SPI_commit();
	}

	edata = smig_run_caught(run_caught_step, &args);
	if (edata != NULL)
	{
		char	   *dropped = NULL;

		if (worker && target.applies)
			dropped = drop_leftover(&target);
		if (dropped != NULL)
			edata->detail = psprintf("%s%sschemamig dropped the invalid index \"%s\" the failed statement left behind.",
									 edata->detail ? edata->detail : "",
									 edata->detail ? " " : "", dropped);
		if (worker)
			smig_begin_write("migrate");
		smig_write_partial(rev->id, upgrade, rev->checksum, done, n, 0,
						   edata->message ? edata->message : "error");
		SPI_commit();
		ReThrowError(edata);
	}

	if (worker)
		smig_begin_write("migrate");
	record_progress(rev, upgrade, done + 1, n, by);
	return done + 1 >= n;
}

/* smig_run_caught() callback: the statement (and the heal before it) */
static void
run_caught_step(void *arg)
{
	StepArgs   *args = (StepArgs *) arg;

	if (args->drop_first != NULL)
	{
		ereport(NOTICE,
				(errmsg("dropping the invalid index \"%s\" an earlier build left behind", args->target->name)));
		smig_worker_run(args->drop_first, T_DropStmt, NULL);
	}
	smig_execute_body(args->body);
	if (args->target->applies && !args->target->reindex &&
		smig_exec_class(linitial(args->body->stmts)) == SMIG_EXEC_OWN_XACT)
		check_built(args->target);
}

/* the statements finished so far: a partial row, or the revision recorded */
static void
record_progress(SmigRevision *rev, bool upgrade, int done, int n,
				const char *by)
{
	if (done < n)
	{
		smig_write_partial(rev->id, upgrade, rev->checksum, done, n, 0, NULL);
		return;
	}
	smig_record_step(upgrade, rev->id, rev->checksum, rev->down_revisions,
					 by, 0);
	smig_delete_partial(rev->id);
}

static SmigPartial *
find_partial(const char *id)
{
	ListCell   *lc;

	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		if (strcmp(p->revision, id) == 0)
			return p;
	}
	return NULL;
}

/*
 * index_target
 *		The index a named CREATE INDEX CONCURRENTLY builds, or the _ccnew
 *		index a REINDEX INDEX CONCURRENTLY builds, by schema and name.
 */
static void
index_target(const SmigStatement *stmt, IndexTarget *t)
{
	List	   *raw;
	Node	   *tree;

	memset(t, 0, sizeof(*t));
	if (stmt->tag != T_IndexStmt && stmt->tag != T_ReindexStmt)
		return;
	raw = raw_parser(stmt->sql, RAW_PARSE_DEFAULT);
	if (list_length(raw) != 1)
		return;
	tree = linitial_node(RawStmt, raw)->stmt;
	if (tree != NULL && IsA(tree, IndexStmt))
	{
		IndexStmt  *ix = (IndexStmt *) tree;

		if (!ix->concurrent || ix->idxname == NULL || ix->relation == NULL)
			return;
		t->table = RangeVarGetRelid(ix->relation, NoLock, true);
		if (!OidIsValid(t->table))
			return;
		t->nsp = get_rel_namespace(t->table);
		t->name = pstrdup(ix->idxname);
		t->unique = ix->unique;
		t->ncolumns = list_length(ix->indexParams) +
			list_length(ix->indexIncludingParams);
		t->applies = true;
	}
	else if (tree != NULL && IsA(tree, ReindexStmt))
	{
		ReindexStmt *rx = (ReindexStmt *) tree;
		Oid			index;

		if (rx->kind != REINDEX_OBJECT_INDEX || rx->relation == NULL)
			return;
		index = RangeVarGetRelid(rx->relation, NoLock, true);
		if (!OidIsValid(index))
			return;
		t->nsp = get_rel_namespace(index);
		t->name = psprintf("%s_ccnew", get_rel_name(index));
		t->reindex = true;
		t->applies = true;
	}
}

/*
 * find_index
 *		The index t names, now (the catalog read afresh: a worker may just
 *		have changed it), and its pg_index row; InvalidOid if there is none.
 */
static Oid
find_index(IndexTarget *t, Form_pg_index *form, HeapTuple *tuple)
{
	Oid			index;

	AcceptInvalidationMessages();
	index = get_relname_relid(t->name, t->nsp);
	*tuple = NULL;
	if (!OidIsValid(index))
		return InvalidOid;
	*tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
	if (!HeapTupleIsValid(*tuple))
		return InvalidOid;
	*form = (Form_pg_index) GETSTRUCT(*tuple);
	return index;
}

/*
 * heal_before
 *		Before a build: a valid index of that name on that table, unique as
 *		asked, with as many columns, means the build ran already (*skip);
 *		an invalid one (a build that failed or was interrupted, a _ccnew
 *		leftover) is dropped first: the DROP to run is returned.
 */
static char *
heal_before(IndexTarget *t, bool *skip)
{
	Form_pg_index form;
	HeapTuple	tuple;
	char	   *result = NULL;

	*skip = false;
	if (!t->applies || !OidIsValid(find_index(t, &form, &tuple)))
		return NULL;
	if (t->reindex)
	{
		if (!form->indisvalid)
			result = drop_sql(t->nsp, t->name);
	}
	else if (form->indrelid == t->table)
	{
		if (form->indisvalid && form->indisready)
			*skip = (form->indisunique == t->unique &&
					 form->indnatts == t->ncolumns);
		else
			result = drop_sql(t->nsp, t->name);
	}
	ReleaseSysCache(tuple);
	return result;
}

/*
 * check_built
 *		After a build that reported success: the index must be valid and
 *		ready, whatever the command tag said.
 */
static void
check_built(IndexTarget *t)
{
	Form_pg_index form;
	HeapTuple	tuple;
	bool		ok;

	if (!OidIsValid(find_index(t, &form, &tuple)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s\" does not exist after its build", t->name)));
	ok = form->indisvalid && form->indisready;
	ReleaseSysCache(tuple);
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("index \"%s\" is not valid after its build", t->name)));
}

/*
 * drop_leftover
 *		After a failed build: drop the invalid index it left (a failed
 *		UNIQUE build goes on enforcing uniqueness otherwise), in a worker.
 *		Returns its name, or NULL if there was none or the drop failed (a
 *		WARNING says so).  The caller holds no snapshot.
 */
static char *
drop_leftover(IndexTarget *t)
{
	Form_pg_index form;
	HeapTuple	tuple;
	bool		invalid;
	char	   *sql;
	ErrorData  *edata;
	MemoryContext cxt = CurrentMemoryContext;

	if (!OidIsValid(find_index(t, &form, &tuple)))
		return NULL;
	invalid = !form->indisvalid &&
		(t->reindex || form->indrelid == t->table);
	ReleaseSysCache(tuple);
	if (!invalid)
		return NULL;
	sql = drop_sql(t->nsp, t->name);
	PG_TRY();
	{
		smig_worker_run(sql, T_DropStmt, NULL);
		edata = NULL;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
	}
	PG_END_TRY();
	if (edata == NULL)
		return t->name;
	ereport(WARNING,
			(errmsg("could not drop the invalid index \"%s\" a failed build left behind: %s", t->name, edata->message),
			 errhint("Drop it with DROP INDEX CONCURRENTLY; the next run of the revision drops it too.")));
	return NULL;
}

static char *
drop_sql(Oid nsp, const char *name)
{
	return psprintf("DROP INDEX CONCURRENTLY %s",
					quote_qualified_identifier(get_namespace_name(nsp), name));
}

/* is p a lease of another backend that is still there? */
static bool
lease_is_live(SmigPartial *p)
{
	return p->running > 0 && p->pid > 0 && p->pid != MyProcPid &&
		BackendPidGetProc(p->pid) != NULL;
}

/*
 * smig_nontx_check_writer
 *		See nontx.h.
 */
void
smig_nontx_check_writer(void)
{
	ListCell   *lc;

	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (lease_is_live(p))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_IN_USE),
					 errmsg("revision \"%s\" is running its statement %d in a background worker", p->revision, p->running),
					 errdetail("Backend %d holds its lease: a revision without a transaction holds a lease instead of the migration lock while such a statement runs.", p->pid),
					 errhint("Retry when it has finished; CALL schemamig.migrate() waits for it.")));
	}
	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("revision \"%s\" is partly %s: %d of its %d statements ran", p->revision, p->upgrade ? "applied" : "downgraded", p->done, p->statements),
				 p->last_error ?
				 errdetail("It stopped on: %s", p->last_error) : 0,
				 p->upgrade ?
				 errhint("Finish it with CALL schemamig.migrate(), or undo it with CALL schemamig.migrate_down(target).") :
				 errhint("Finish its downgrade with CALL schemamig.migrate_down(target).")));
	}
}

/*
 * smig_nontx_lease_taken
 *		See nontx.h.
 */
bool
smig_nontx_lease_taken(bool *noticed)
{
	ListCell   *lc;

	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (lease_is_live(p))
		{
			if (!*noticed)
				ereport(NOTICE,
						(errmsg("waiting for revision \"%s\": its statement %d runs in a background worker for backend %d", p->revision, p->running, p->pid)));
			*noticed = true;
			return true;
		}
		if (p->running > 0)
		{
			/* stale: its backend is gone; the next run resumes */
			char	   *why = psprintf("backend %d ended while statement %d ran",
									   p->pid, p->running);

			smig_write_partial(p->revision, p->upgrade, p->checksum, p->done,
							   p->statements, 0, why);
		}
	}
	return false;
}

/* sleep a little between looks at a lease; the caller holds no snapshot */
void
smig_nontx_sleep(void)
{
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 LEASE_POLL_MS, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
}

/*
 * smig_nontx_partial_in
 *		The revision partly run in the given direction, or NULL.
 */
char *
smig_nontx_partial_in(bool upgrade)
{
	ListCell   *lc;

	foreach(lc, smig_load_partial())
	{
		SmigPartial *p = lfirst(lc);

		if (p->upgrade == upgrade)
			return p->revision;
	}
	return NULL;
}
