/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The background worker that runs one revision statement as a top-level
 *	  command of its own transaction (CREATE INDEX CONCURRENTLY and its
 *	  kind), and the caller's side of it.
 *
 * PostgreSQL refuses those statements inside a transaction block, a
 * function or a procedure, so the caller (CALL schemamig.migrate(), between
 * two commits) hands the statement to a dynamic background worker: no
 * shared_preload_libraries is needed, the worker loads this library itself.
 *
 * Identity.  The worker connects to the caller's database as the caller's
 * authenticated user (a login role: never InvalidOid, which would be the
 * bootstrap superuser), then takes the caller's session user and role
 * (SET SESSION AUTHORIZATION, SET ROLE), settings (SerializeGUCState) and
 * finally its current user and security context.  It never has more rights
 * than the caller: the role checks run again, as for the caller.
 *
 * Messages.  The worker's protocol messages (NOTICEs, the error, the final
 * ReadyForQuery) go through a shm_mq in a DSM segment; the caller relays
 * NOTICEs and raises the error as its own, SQLSTATE and fields kept.  A
 * worker that ends without ReadyForQuery and without an error is an error.
 *
 * Snapshots.  CREATE INDEX CONCURRENTLY waits for every transaction in the
 * database with an older xmin, the caller's included, and the caller waits
 * on a latch the deadlock detector cannot see: the caller must advertise no
 * xmin while it waits.  smig_worker_run() checks it.
 *
 * Cancellation.  A cancel of the caller ends its wait with an error; the
 * worker is then terminated and waited for (bounded), so that its
 * transaction is rolled back before the caller goes on.  A termination of
 * the caller (FATAL) terminates the worker from a before_shmem_exit
 * callback.  A cancel or termination of the worker reaches the caller as
 * the worker's error.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "libpq/pqformat.h"
#include "libpq/pqmq.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/backend_status.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

#include "base/session.h"
#include "compat.h"
#include "exec/worker.h"

#define WORKER_MAGIC		0x736d6967	/* "smig" */
#define KEY_FIXED			1
#define KEY_SQL				2
#define KEY_GUC				3
#define KEY_QUEUE			4
#define QUEUE_SIZE			16384

/* how long to retry when no worker slot is free, and how often */
#define START_RETRY_MS		100
#define START_RETRIES		50
/* how long a stopped worker is waited for after an error or cancel */
#define STOP_WAIT_MS		10000

/* what the worker needs besides the statement and the settings */
typedef struct WorkerFixed
{
	Oid			database;
	Oid			authenticated_user;
	Oid			session_user;
	Oid			role;			/* SET ROLE, or InvalidOid (none) */
	Oid			current_user;
	int			sec_context;
	NodeTag		tag;			/* what sql must parse into */
	int			caller_pid;
} WorkerFixed;

static void start_worker(dsm_segment *seg,
						 BackgroundWorkerHandle **handle);
static bool receive_messages(shm_mq_handle *mqh);
static void stop_worker(BackgroundWorkerHandle *handle);
static void stop_worker_at_exit(int code, Datum arg);
static void worker_error_callback(void *arg);
static void restore_identity(WorkerFixed *fixed, char *gucstate);
static void run_statement(const char *sql, NodeTag tag);

/* the worker running for this backend, for stop_worker_at_exit() */
static BackgroundWorkerHandle *running_worker = NULL;
static bool exit_callback_registered = false;

/*
 * smig_worker_run
 *		See worker.h.
 */
void
smig_worker_run(const char *sql, NodeTag tag, const char *activity)
{
	Size		sqllen = strlen(sql) + 1;
	Size		guclen;
	Size		segsize;
	shm_toc_estimator est;
	dsm_segment *seg;
	shm_toc    *toc;
	WorkerFixed *fixed;
	char	   *space;
	shm_mq	   *mq;
	shm_mq_handle *mqh;
	BackgroundWorkerHandle *handle = NULL;
	pid_t		pid = 0;
	ErrorContextCallback errcb;
	Oid			current_user;
	int			sec_context;

	/*
	 * The caller must advertise no xmin while it waits for the worker: a
	 * CREATE INDEX CONCURRENTLY would wait for it, and it for the worker.
	 * The catalog snapshot is the one we may hold without knowing.
	 */
	InvalidateCatalogSnapshot();
	if (TransactionIdIsValid(MyProc->xmin) || ActiveSnapshotSet())
		elog(ERROR, "schemamig: the caller holds a snapshot (xmin %u) while it would wait for a background worker",
			 MyProc->xmin);

	/* the segment: fixed part, statement, settings, queue */
	guclen = EstimateGUCStateSpace();
	shm_toc_initialize_estimator(&est);
	shm_toc_estimate_chunk(&est, sizeof(WorkerFixed));
	shm_toc_estimate_chunk(&est, sqllen);
	shm_toc_estimate_chunk(&est, guclen);
	shm_toc_estimate_chunk(&est, QUEUE_SIZE);
	shm_toc_estimate_keys(&est, 4);
	segsize = shm_toc_estimate(&est);

	seg = dsm_create(segsize, 0);
	toc = shm_toc_create(WORKER_MAGIC, dsm_segment_address(seg), segsize);

	GetUserIdAndSecContext(&current_user, &sec_context);
	fixed = shm_toc_allocate(toc, sizeof(WorkerFixed));
	memset(fixed, 0, sizeof(WorkerFixed));
	fixed->database = MyDatabaseId;
	fixed->authenticated_user = GetAuthenticatedUserId();
	fixed->session_user = GetSessionUserId();
	fixed->role = GetCurrentRoleId();
	fixed->current_user = current_user;
	fixed->sec_context = sec_context;
	fixed->tag = tag;
	fixed->caller_pid = MyProcPid;
	if (!OidIsValid(fixed->authenticated_user) ||
		!OidIsValid(fixed->session_user) || !OidIsValid(current_user))
		elog(ERROR, "schemamig: the caller has no user to give the background worker");
	shm_toc_insert(toc, KEY_FIXED, fixed);

	space = shm_toc_allocate(toc, sqllen);
	memcpy(space, sql, sqllen);
	shm_toc_insert(toc, KEY_SQL, space);

	space = shm_toc_allocate(toc, guclen);
	SerializeGUCState(guclen, space);
	shm_toc_insert(toc, KEY_GUC, space);

	mq = shm_mq_create(shm_toc_allocate(toc, QUEUE_SIZE), QUEUE_SIZE);
	shm_toc_insert(toc, KEY_QUEUE, mq);
	shm_mq_set_receiver(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);

	if (!exit_callback_registered)
	{
		before_shmem_exit(stop_worker_at_exit, (Datum) 0);
		exit_callback_registered = true;
	}

	errcb.callback = worker_error_callback;
	errcb.arg = &pid;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	PG_TRY();
	{
		BgwHandleStatus status;
		char		text[256];

		start_worker(seg, &handle);
		running_worker = handle;
		shm_mq_set_handle(mqh, handle);
		status = WaitForBackgroundWorkerStartup(handle, &pid);
		if (status == BGWH_POSTMASTER_DIED)
			ereport(FATAL,
					(errcode(ERRCODE_ADMIN_SHUTDOWN),
					 errmsg("postmaster exited while a schemamig background worker started")));
		if (activity != NULL && status == BGWH_STARTED)
		{
			snprintf(text, sizeof(text), "%s, in background worker pid %d",
					 activity, (int) pid);
			pgstat_report_activity(STATE_RUNNING, text);
		}

		if (!receive_messages(mqh))
			ereport(ERROR,
					(errcode(ERRCODE_CONNECTION_FAILURE),
					 errmsg("the schemamig background worker exited without reporting"),
					 errhint("See the server log for why it stopped.")));

		/*
		 * It said ReadyForQuery after its commit, and detached: its
		 * statement is committed and visible, its transaction's locks are
		 * gone (the builds give up their session locks before their last
		 * commit; a session advisory lock a CALL or DO kept goes with its
		 * exit).  Its process exit is not waited for: after a build it
		 * takes several ms.  Its slot is free once it has exited; a worker
		 * started meanwhile that finds no free slot retries (start_worker).
		 */
		running_worker = NULL;
	}
	PG_CATCH();
	{
		/* our error, a cancel, or the worker's error: stop it, bounded */
		if (handle != NULL)
			stop_worker(handle);
		running_worker = NULL;
		dsm_detach(seg);
		PG_RE_THROW();
	}
	PG_END_TRY();
	error_context_stack = errcb.previous;
	dsm_detach(seg);
}

/*
 * start_worker
 *		Register the worker; when every worker slot is taken (shared with
 *		parallel query), retry for a few seconds, then give up with a hint.
 */
static void
start_worker(dsm_segment *seg, BackgroundWorkerHandle **handle)
{
	BackgroundWorker worker;
	int			tries;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "schemamig");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "smig_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "schemamig worker for PID %d",
			 MyProcPid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "schemamig worker");
	worker.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
	worker.bgw_notify_pid = MyProcPid;

	for (tries = 0;; tries++)
	{
		CHECK_FOR_INTERRUPTS();
		if (RegisterDynamicBackgroundWorker(&worker, handle))
			return;
		if (tries >= START_RETRIES)
			break;
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 START_RETRY_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
			 errmsg("could not start a schemamig background worker: no free worker slot after %d ms", START_RETRIES * START_RETRY_MS),
			 errdetail("The statement needs a transaction of its own, which schemamig gives it in a background worker; max_worker_processes is %d, shared with parallel query and other extensions.", max_worker_processes),
			 errhint("Run it again when fewer workers are busy, or raise max_worker_processes (needs a restart).")));
}

/*
 * receive_messages
 *		Relay the worker's messages until it detaches: NOTICEs are raised
 *		here, its error is raised as ours.  Returns whether it said
 *		ReadyForQuery (the statement committed).  Waits on our latch, and
 *		checks for interrupts, so a cancel ends the wait with an error.
 */
static bool
receive_messages(shm_mq_handle *mqh)
{
	bool		ready = false;

	for (;;)
	{
		shm_mq_result res;
		Size		nbytes;
		void	   *data;
		StringInfoData msg;
		char		type;

		CHECK_FOR_INTERRUPTS();
		res = shm_mq_receive(mqh, &nbytes, &data, true);
		if (res == SHM_MQ_DETACHED)
			return ready;
		if (res == SHM_MQ_WOULD_BLOCK)
		{
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
							 PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			continue;
		}

		initStringInfo(&msg);
		appendBinaryStringInfo(&msg, data, nbytes);
		type = pq_getmsgbyte(&msg);
		switch (type)
		{
			case 'E':
			case 'N':
				{
					ErrorData	edata;

					memset(&edata, 0, sizeof(edata));
					pq_parse_errornotice(&msg, &edata);
					/* a FATAL of the worker is our ERROR */
					if (type == 'E' || edata.elevel > ERROR)
						edata.elevel = ERROR;
					else if (edata.elevel >= ERROR)
						edata.elevel = WARNING;
					ThrowErrorData(&edata);
				}
				break;
			case 'Z':
				ready = true;
				break;
			default:
				/* CommandComplete, rows, notifications: nothing for us */
				break;
		}
		pfree(msg.data);
	}
}

/*
 * stop_worker
 *		Terminate the worker and wait, at most STOP_WAIT_MS and with
 *		interrupts held, for it to be gone: its transaction is then rolled
 *		back.
 */
static void
stop_worker(BackgroundWorkerHandle *handle)
{
	int			waited = 0;
	pid_t		pid;

	TerminateBackgroundWorker(handle);
	HOLD_INTERRUPTS();
	while (GetBackgroundWorkerPid(handle, &pid) != BGWH_STOPPED &&
		   waited < STOP_WAIT_MS)
	{
		int			rc = WaitLatch(MyLatch,
								   WL_LATCH_SET | WL_TIMEOUT | WL_POSTMASTER_DEATH,
								   50, PG_WAIT_EXTENSION);

		if (rc & WL_POSTMASTER_DEATH)
			break;
		ResetLatch(MyLatch);
		waited += 50;
	}
	RESUME_INTERRUPTS();
}

/* before_shmem_exit: the caller is going away (FATAL, terminate) */
static void
stop_worker_at_exit(int code, Datum arg)
{
	if (running_worker != NULL)
		TerminateBackgroundWorker(running_worker);
	running_worker = NULL;
}

/* the caller's context line for what the worker reports */
static void
worker_error_callback(void *arg)
{
	/* no pid: the message says the same on every run */
	errcontext("schemamig background worker");
}

/*
 * smig_worker_main
 *		The worker: attach the segment, send every message to the caller,
 *		connect as the caller, run the one statement as a top-level command,
 *		say ReadyForQuery, exit.  An error here has no handler to catch it,
 *		so it is a FATAL: reported to the caller, the transaction aborted as
 *		the process exits.
 */
void
smig_worker_main(Datum main_arg)
{
	dsm_segment *seg;
	shm_toc    *toc;
	WorkerFixed *fixed;
	char	   *sql;
	char	   *gucstate;
	shm_mq	   *mq;
	shm_mq_handle *mqh;

	/* terminate at the next CHECK_FOR_INTERRUPTS, not in the handler */
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	CurrentResourceOwner = ResourceOwnerCreate(NULL, "schemamig worker");
	seg = dsm_attach(DatumGetUInt32(main_arg));
	if (seg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("schemamig worker: the caller went away before the worker started")));
	toc = shm_toc_attach(WORKER_MAGIC, dsm_segment_address(seg));
	if (toc == NULL)
		elog(ERROR, "schemamig worker: bad shared memory segment");
	fixed = shm_toc_lookup(toc, KEY_FIXED, false);
	sql = shm_toc_lookup(toc, KEY_SQL, false);
	gucstate = shm_toc_lookup(toc, KEY_GUC, false);
	mq = shm_toc_lookup(toc, KEY_QUEUE, false);

	/* from here on, every message goes to the caller */
	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	pq_redirect_to_shm_mq(seg, mqh);

	/* the caller's authenticated user: a login role, never InvalidOid */
	if (!OidIsValid(fixed->authenticated_user))
		elog(FATAL, "schemamig worker: no user to connect as");
	BackgroundWorkerInitializeConnectionByOid(fixed->database,
											  fixed->authenticated_user, 0);

	restore_identity(fixed, gucstate);

	/*
	 * A revision's statement, as on the caller's side: the DDL audit trigger
	 * leaves it alone, and schemamig's writing functions refuse to run from
	 * inside it (a CALL or DO of the revision cannot start another run).
	 */
	smig_in_revision = true;
	run_statement(sql, fixed->tag);

	ReadyForQuery(DestRemote);
	dsm_detach(seg);
	proc_exit(0);
}

/*
 * restore_identity
 *		Session user and role first (so that the settings' own checks, SET
 *		ROLE's membership check among them, run as they did for the
 *		caller), then the settings, then the current user and security
 *		context.  Messages in the database's encoding, as the caller's
 *		server side reads them.
 */
static void
restore_identity(WorkerFixed *fixed, char *gucstate)
{
	StartTransactionCommand();
	SetClientEncoding(GetDatabaseEncoding());
	SetSessionAuthorization(fixed->session_user,
							superuser_arg(fixed->session_user));
	if (OidIsValid(fixed->role))
		SetCurrentRoleId(fixed->role, superuser_arg(fixed->role));
	RestoreGUCState(gucstate);
	SetUserIdAndSecContext(fixed->current_user, fixed->sec_context);
	CommitTransactionCommand();
}

/*
 * run_statement
 *		The statement as a top-level command, as the server runs a simple
 *		query of one statement: parse (in a context that survives the
 *		statement's own commits), analyze and plan under a snapshot when
 *		needed, run in an unnamed portal with isTopLevel, results
 *		discarded, commit.  It must be one statement of the kind the caller
 *		checked.
 */
static void
run_statement(const char *sql, NodeTag tag)
{
	MemoryContext cxt = AllocSetContextCreate(TopMemoryContext,
											  "schemamig worker statement",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldcxt;
	List	   *raw;
	RawStmt    *stmt;
	List	   *querytrees;
	List	   *plantrees;
	bool		snapshot;
	Portal		portal;
	DestReceiver *dest;
	QueryCompletion qc;
	CommandTag	cmdtag;

	StartTransactionCommand();
	oldcxt = MemoryContextSwitchTo(cxt);
	pgstat_report_activity(STATE_RUNNING, sql);

	raw = pg_parse_query(sql);
	if (list_length(raw) != 1 ||
		linitial_node(RawStmt, raw)->stmt == NULL ||
		nodeTag(linitial_node(RawStmt, raw)->stmt) != tag)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the statement no longer reads as the statement that was registered"),
				 errdetail("The background worker parsed it into %d statement(s) of another kind.", list_length(raw))));
	stmt = linitial_node(RawStmt, raw);
	cmdtag = CreateCommandTag(stmt->stmt);

	snapshot = analyze_requires_snapshot(stmt);
	if (snapshot)
		PushActiveSnapshot(GetTransactionSnapshot());
	querytrees = pg_analyze_and_rewrite_fixedparams(stmt, sql, NULL, 0, NULL);
	plantrees = pg_plan_queries(querytrees, sql, CURSOR_OPT_PARALLEL_OK, NULL);
	if (snapshot)
		PopActiveSnapshot();

	portal = CreatePortal("", true, true);
	portal->visible = false;
	PortalDefineQuery(portal, NULL, sql, cmdtag, plantrees, NULL);
	PortalStart(portal, NULL, 0, InvalidSnapshot);
	dest = CreateDestReceiver(DestNone);
	MemoryContextSwitchTo(oldcxt);
	(void) smig_portal_run(portal, true, dest, &qc);
	dest->rDestroy(dest);
	PortalDrop(portal, false);

	CommitTransactionCommand();
	pgstat_report_activity(STATE_IDLE, NULL);
	MemoryContextDelete(cxt);
}
