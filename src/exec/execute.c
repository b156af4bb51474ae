/*-------------------------------------------------------------------------
 *
 * execute.c
 *	  The one path by which a statement of a revision runs: error context,
 *	  settings and role reset, lexer pinning and run-time parse check,
 *	  timers, progress, results discarded; dispatch to an executor by the
 *	  statement's class.
 *
 * What runs must be exactly what was registered and linted.  The body is
 * split with standard_conforming_strings = on and backslash_quote =
 * safe_encoding (smig_exec_split), those settings stay pinned at the
 * revision's GUC nest level while its statements run, and before a
 * statement runs its text is parsed again and must give exactly one
 * statement of the kind the split saw; after that, the pinned settings
 * must still hold (a revision may change them through set_config() or a
 * DO block, which registration cannot see).  So no setting a revision
 * changes can make the server run a statement nobody registered.
 *
 * Everything a revision changes in the session is undone when its body
 * ends, on success (AtEOXact_GUC at its nest level, the saved user id and
 * security context) or by the (sub)transaction abort on error: SET, SET
 * ROLE and SET SESSION AUTHORIZATION never leak into the next revision.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "pgstat.h"
#include "tcop/dest.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/guc.h"

#include "base/session.h"
#include "exec/execute.h"
#include "exec/locks.h"
#include "exec/worker.h"

/* the settings that decide how text is cut into tokens, and their pins */
typedef struct LexerSetting
{
	const char *name;
	const char *value;
} LexerSetting;

static const LexerSetting lexer_settings[] = {
	{"standard_conforming_strings", "on"},
	{"backslash_quote", "safe_encoding"},
};

#define N_LEXER_SETTINGS lengthof(lexer_settings)

/* what the error context callback says while a statement runs */
typedef struct ExecErrorContext
{
	const SmigExecBody *body;
	const SmigStatement *stmt;
	int			nstatements;
} ExecErrorContext;

static void run_in_xact(const SmigExecStatement *es);
static void run_in_worker(const SmigExecStatement *es);
static void check_parse(const SmigExecStatement *es);
static void check_parse_error_callback(void *arg);
static void pin_lexer_settings(void);
static void check_lexer_settings(const SmigExecStatement *es);
static void report_progress(const SmigExecStatement *es);
static void exec_error_callback(void *arg);

/* SMIG_EXEC_IN_XACT: SPI, in the caller's transaction */
static const SmigExecutor spi_executor = {"in transaction", run_in_xact};

/* SMIG_EXEC_OWN_XACT: a background worker, a top-level command */
static const SmigExecutor worker_executor = {"own transaction", run_in_worker};

/* the executor of each class */
static const SmigExecutor *const executors[SMIG_EXEC_NCLASSES] = {
	[SMIG_EXEC_IN_XACT] = &spi_executor,
	[SMIG_EXEC_OWN_XACT] = &worker_executor,
};

/* the statement that was running when the last body failed */
static const SmigStatement *failed_statement = NULL;

/*
 * The session's statement timer while a revision statement runs.  Static,
 * not a local of smig_execute_body(): it is written inside PG_TRY and read
 * in PG_FINALLY.  Bodies do not nest (smig_in_revision).
 */
static SmigSavedTimeout saved_timeout;

/*
 * smig_exec_split
 *		smig_split_statements() with the lexer settings pinned as they will
 *		be when the statements run, whatever the caller's session says.
 */
List *
smig_exec_split(const char *sql, const SmigBodySource *src, bool nontx)
{
	int			nestlevel = NewGUCNestLevel();
	List	   *stmts;

	pin_lexer_settings();
	stmts = smig_split_revision_body(sql, src, nontx);
	AtEOXact_GUC(true, nestlevel);
	return stmts;
}

/*
 * smig_exec_class
 *		How stmt must run: the executor for the class the splitter gave it
 *		(exec/classify.c).  SMIG_STMT_OWN_TRANSACTION statements come only
 *		from revisions that declare "-- schemamig:transaction off"; a
 *		statement that can never run is refused before it runs.
 */
SmigExecClass
smig_exec_class(const SmigStatement *stmt)
{
	switch (stmt->stmt_class)
	{
		case SMIG_STMT_IN_TRANSACTION:
			return SMIG_EXEC_IN_XACT;
		case SMIG_STMT_OWN_TRANSACTION:
			return SMIG_EXEC_OWN_XACT;
		case SMIG_STMT_NEVER:
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("statement %d cannot run inside a migration", stmt->number)));
	return SMIG_EXEC_IN_XACT;	/* keep the compiler quiet */
}

const SmigStatement *
smig_exec_failed_statement(void)
{
	return failed_statement;
}

/*
 * smig_execute_body
 *		Run the statements of one body of one revision, one at a time, each
 *		by the executor of its class.  The caller holds the migration lock
 *		and an SPI connection.  On return, every setting, the role and the
 *		security context are as they were before; pg_stat_activity shows
 *		the caller's query (and query_id) again on every exit, error
 *		included.
 */
void
smig_execute_body(const SmigExecBody *body)
{
	ExecErrorContext ecx;
	ErrorContextCallback errcb;
	SmigExecStatement es;
	ListCell   *lc;
	int			save_nestlevel;
	Oid			save_userid;
	int			save_sec_context;
	uint64		save_query_id;

	es.body = body;
	es.stmt = NULL;
	es.nstatements = body->nstatements > 0 ? body->nstatements :
		list_length(body->stmts);
	ecx.body = body;
	ecx.stmt = NULL;
	ecx.nstatements = es.nstatements;
	errcb.callback = exec_error_callback;
	errcb.arg = &ecx;
	errcb.previous = error_context_stack;

	memset(&saved_timeout, 0, sizeof(saved_timeout));
	failed_statement = NULL;
	if (body->stmts == NIL)
		return;

	save_query_id = pgstat_get_my_query_id();
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	save_nestlevel = NewGUCNestLevel();
	pin_lexer_settings();
	smig_in_revision = true;
	error_context_stack = &errcb;
	PG_TRY();
	{
		smig_lockwait_start();
		foreach(lc, body->stmts)
		{
			const SmigStatement *stmt = lfirst(lc);
			const SmigExecutor *executor = executors[smig_exec_class(stmt)];
			MemoryContext cxt = CurrentMemoryContext;

			CHECK_FOR_INTERRUPTS();
			es.stmt = stmt;
			ecx.stmt = stmt;
			failed_statement = stmt;
			if (executor == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("statement %d of revision \"%s\" needs a transaction of its own, which this server cannot give it", stmt->number, body->revision)));
			report_progress(&es);
			smig_statement_timer_start(&saved_timeout);
			executor->run(&es);
			smig_statement_timer_stop(&saved_timeout);
			MemoryContextSwitchTo(cxt);
		}
		failed_statement = NULL;
	}
	PG_FINALLY();
	{
		smig_statement_timer_stop(&saved_timeout);
		smig_lockwait_stop();
		smig_in_revision = false;
		/* pg_stat_activity shows the caller's query again */
		if (body->progress != NULL && debug_query_string != NULL)
		{
			pgstat_report_activity(STATE_RUNNING, debug_query_string);
			pgstat_report_query_id(save_query_id, true);
		}
	}
	PG_END_TRY();
	/* after PG_END_TRY, which puts back the stack as PG_TRY found it */
	error_context_stack = errcb.previous;

	/* like a function with SET clauses, but for every GUC */
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * run_in_xact
 *		The SPI executor: check that the statement's text is the statement
 *		that was registered, then run it into a DestNone receiver so that
 *		no row it returns is kept.
 */
static void
run_in_xact(const SmigExecStatement *es)
{
	SPIExecuteOptions options;
	int			ret;

	check_parse(es);
	check_lexer_settings(es);

	memset(&options, 0, sizeof(options));
	options.read_only = false;
	options.allow_nonatomic = false;
	options.tcount = 0;
	options.dest = CreateDestReceiver(DestNone);
	ret = SPI_execute_extended(es->stmt->sql, &options);
	if (ret < 0)
		ereport(ERROR,
				(errcode(ret == SPI_ERROR_TRANSACTION ?
						 ERRCODE_INVALID_TRANSACTION_TERMINATION :
						 ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("statement cannot run inside a migration: %s",
						SPI_result_code_string(ret))));
}

/*
 * run_in_worker
 *		The background-worker executor (exec/worker.c): the same checks as
 *		for SPI, then the statement as a top-level command of its own
 *		transaction, with the caller's identity and settings (the pinned
 *		lexer settings among them).  The caller holds no snapshot.
 */
static void
run_in_worker(const SmigExecStatement *es)
{
	const SmigExecProgress *progress = es->body->progress;
	char		activity[200];

	check_parse(es);
	check_lexer_settings(es);
	if (progress != NULL)
		snprintf(activity, sizeof(activity),
				 "schemamig: %s %d/%d %s statement %d/%d",
				 progress->operation, progress->step, progress->nsteps,
				 es->body->revision, es->stmt->number, es->nstatements);
	smig_worker_run(es->stmt->sql, es->stmt->tag,
					progress != NULL ? activity : NULL);
}

/*
 * check_parse
 *		The text must parse, now, into exactly one statement of the kind
 *		the split saw when the body was registered and linted.  Anything
 *		else means the text is being read differently from how it was
 *		checked: refuse it before it runs.  SPI parses the same text again
 *		right after, with nothing run in between, so it sees the same.
 */
static void
check_parse(const SmigExecStatement *es)
{
	ErrorContextCallback errcb;
	List	   *raw;
	NodeTag		tag = T_Invalid;
	int			n;

	/* positions in what the scanner says point into the statement */
	errcb.callback = check_parse_error_callback;
	errcb.arg = (void *) es->stmt->sql;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	raw = raw_parser(es->stmt->sql, RAW_PARSE_DEFAULT);
	error_context_stack = errcb.previous;
	n = list_length(raw);

	if (n == 1 && linitial_node(RawStmt, raw)->stmt != NULL)
		tag = nodeTag(linitial_node(RawStmt, raw)->stmt);
	list_free_deep(raw);
	if (n == 1 && tag == es->stmt->tag)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("statement %d of revision \"%s\" (line %d) no longer reads as the statement that was registered", es->stmt->number, es->body->revision, es->stmt->line),
			 n != 1 ?
			 errdetail("It was registered as one statement; it now parses as %d.", n) :
			 errdetail("It now parses as a different kind of statement than when it was registered."),
			 errhint("A setting that changes how SQL text is read (standard_conforming_strings, backslash_quote) was changed by an earlier statement of the revision; schemamig keeps them fixed while revision SQL runs.")));
}

/* as SPI does: a position in the statement's text, not the caller's */
static void
check_parse_error_callback(void *arg)
{
	const char *sql = (const char *) arg;
	int			pos = geterrposition();

	if (pos > 0)
	{
		errposition(0);
		internalerrposition(pos);
		internalerrquery(sql);
	}
}

/* pin the lexer settings at the current GUC nest level */
static void
pin_lexer_settings(void)
{
	int			i;

	for (i = 0; i < N_LEXER_SETTINGS; i++)
		(void) set_config_option(lexer_settings[i].name,
								 lexer_settings[i].value,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * check_lexer_settings
 *		An earlier statement may have changed a pinned setting without
 *		changing how this statement parses: refuse it all the same.
 */
static void
check_lexer_settings(const SmigExecStatement *es)
{
	int			i;

	for (i = 0; i < N_LEXER_SETTINGS; i++)
	{
		const char *now = GetConfigOption(lexer_settings[i].name, false, false);

		if (now == NULL || strcmp(now, lexer_settings[i].value) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_CANT_CHANGE_RUNTIME_PARAM),
					 errmsg("revision \"%s\" changed %s to \"%s\" before its statement %d (line %d)", es->body->revision, lexer_settings[i].name, now ? now : "", es->stmt->number, es->stmt->line),
					 errdetail("While revision SQL runs, %s stays \"%s\", so that what runs is read as it was when it was registered.", lexer_settings[i].name, lexer_settings[i].value),
					 errhint("Remove the statement that changes %s from the revision.", lexer_settings[i].name)));
	}
}

/* "schemamig: upgrade 3/10 rev statement 2/4" in pg_stat_activity */
static void
report_progress(const SmigExecStatement *es)
{
	const SmigExecProgress *progress = es->body->progress;
	char		activity[200];

	if (progress == NULL)
		return;
	snprintf(activity, sizeof(activity),
			 "schemamig: %s %d/%d %s statement %d/%d",
			 progress->operation, progress->step, progress->nsteps,
			 es->body->revision, es->stmt->number, es->nstatements);
	pgstat_report_activity(STATE_RUNNING, activity);
}

/*
 * exec_error_callback
 *		Where a statement is, the one way schemamig says it:
 *		revision "x" upgrade, statement 2 of 3 (line 14)
 */
static void
exec_error_callback(void *arg)
{
	ExecErrorContext *ecx = (ExecErrorContext *) arg;
	const SmigExecBody *body = ecx->body;

	if (ecx->stmt == NULL)
		return;

	/*
	 * An enum value added earlier in this transaction cannot be used yet: say
	 * where to commit.
	 */
	if (geterrcode() == ERRCODE_UNSAFE_NEW_ENUM_VALUE_USAGE)
	{
		if (body->parent != NULL)
			errhint("New enum values must be committed before they are used. Upgrade to \"%s\" and commit, then upgrade the rest, or use CALL schemamig.migrate(), which commits after each revision. If revision \"%s\" adds the value itself, move ALTER TYPE ... ADD VALUE into a revision of its own.",
					body->parent, body->revision);
		else
			errhint("New enum values must be committed before they are used: move ALTER TYPE ... ADD VALUE into a revision of its own, and commit it before revision \"%s\" runs (CALL schemamig.migrate() commits after each revision).",
					body->revision);
	}
	errcontext("revision \"%s\" %s, statement %d of %d (line %d)",
			   body->revision, body->section, ecx->stmt->number,
			   ecx->nstatements, ecx->stmt->line);
}
