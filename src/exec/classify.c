/*-------------------------------------------------------------------------
 *
 * classify.c
 *	  Classifying the statements of a revision body, once: whether each runs
 *	  inside the migration's transaction, needs a transaction of its own
 *	  (CREATE INDEX CONCURRENTLY, VACUUM, ...), or can never run in a
 *	  migration (transaction control, COPY from/to the client, CREATE
 *	  DATABASE, statements that change how later text is lexed or that leave
 *	  state in the caller's session), and the errors that refuse them.
 *
 * statements.c splits the body and calls this for each raw parse tree,
 * with what its scanning pass saw in the statement's text.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"

#include "exec/classify.h"

static void refuse(Refusal *refusal, RefusalKind kind, const char *what,
				   const char *hint);
static void refuse_never(Refusal *refusal, const char *what, const char *hint);
static bool check_variable_set(VariableSetStmt *set, bool other_sessions,
							   Refusal *refusal);
static const char *transaction_stmt_name(TransactionStmt *stmt);
static bool option_is_true(List *options, const char *name, bool absent);
static bool reindex_is_concurrent(ReindexStmt *stmt);
static bool detaches_concurrently(AlterTableStmt *stmt);
static bool index_stmt_is_concurrent(Node *stmt);

/* hints shared by several refusals */
#define HINT_CONCURRENTLY \
	"A CONCURRENTLY form cannot run inside a transaction block. Put it in a revision whose header says \"-- schemamig:transaction off\": CALL schemamig.migrate() runs such a revision one committed statement at a time. Or use the form without CONCURRENTLY (it takes a stronger lock)."
#define HINT_OUTSIDE \
	"It cannot run inside a transaction block, and schemamig runs every revision inside one. Run it outside schemamig."

/*
 * smig_classify_statement
 *		Decide whether a raw parse tree can run inside a migration.
 *
 * Returns true, with *refusal filled in, for transaction control, COPY
 * from/to the client, and the statements that call
 * PreventInTransactionBlock() whatever the catalog says.  Those that do so
 * only for some objects (CLUSTER or REINDEX TABLE on a partitioned table,
 * DROP SUBSCRIPTION without a slot) are decided by the statement's form
 * alone, or left to fail when they run.
 */
bool
smig_classify_statement(Node *stmt, Refusal *refusal)
{
	refusal->kind = REFUSE_NONE;
	refusal->what = NULL;
	refusal->hint = NULL;
	refusal->stmt_class = SMIG_STMT_IN_TRANSACTION;

	if (stmt == NULL)
		return false;

	switch (nodeTag(stmt))
	{
		case T_VariableSetStmt:
			(void) check_variable_set((VariableSetStmt *) stmt, false, refusal);
			break;

		case T_AlterRoleSetStmt:
			(void) check_variable_set(((AlterRoleSetStmt *) stmt)->setstmt,
									  true, refusal);
			break;

		case T_AlterDatabaseSetStmt:
			(void) check_variable_set(((AlterDatabaseSetStmt *) stmt)->setstmt,
									  true, refusal);
			break;

		case T_ListenStmt:
			refuse_never(refusal, "LISTEN",
						 "The session would go on listening after the migration, on a connection that is not the migration's. Listen from the application that waits for the notification; NOTIFY is allowed.");
			break;

		case T_PrepareStmt:
			refuse_never(refusal, "PREPARE",
						 "The prepared statement would outlive the migration in the caller's session, where its name may clash. Write the statement out, or use a function.");
			break;

		case T_DeallocateStmt:
			refuse_never(refusal,
						 ((DeallocateStmt *) stmt)->name == NULL ?
						 "DEALLOCATE ALL" : "DEALLOCATE",
						 "It would drop the caller's own prepared statements (a driver's or a connection pool's); a migration may not prepare any. Remove the statement.");
			break;

		case T_DeclareCursorStmt:
			if (((DeclareCursorStmt *) stmt)->options & CURSOR_OPT_HOLD)
				refuse_never(refusal, "DECLARE ... CURSOR WITH HOLD",
							 "A WITH HOLD cursor stays open in the caller's session after the migration commits. Declare it WITHOUT HOLD: it is closed when the transaction ends.");
			break;

		case T_TransactionStmt:
			refuse(refusal, REFUSE_TRANSACTION_CONTROL,
				   transaction_stmt_name((TransactionStmt *) stmt),
				   "schemamig runs each call inside the caller's transaction, and the runner owns the transaction: remove the statement. Each call of upgrade() is one transaction; to commit between revisions, use CALL schemamig.migrate(), which commits after each revision.");
			break;

		case T_CopyStmt:
			{
				CopyStmt   *copy = (CopyStmt *) stmt;

				if (copy->filename == NULL && !copy->is_program)
				{
					if (copy->is_from)
						refuse(refusal, REFUSE_COPY_STDIO, "COPY FROM STDIN",
							   "Use INSERT ... VALUES, or COPY ... FROM a file on the server.");
					else
						refuse(refusal, REFUSE_COPY_STDIO, "COPY TO STDOUT",
							   "Use COPY ... TO a file on the server, or run the query outside the migration.");
				}
			}
			break;

		case T_IndexStmt:
			if (index_stmt_is_concurrent(stmt))
				refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
					   "CREATE INDEX CONCURRENTLY", HINT_CONCURRENTLY);
			break;

		case T_CreateSchemaStmt:
			{
				/* CREATE SCHEMA ... CREATE INDEX CONCURRENTLY ... */
				CreateSchemaStmt *schema = (CreateSchemaStmt *) stmt;
				ListCell   *lc;

				foreach(lc, schema->schemaElts)
				{
					CHECK_FOR_INTERRUPTS();
					if (index_stmt_is_concurrent((Node *) lfirst(lc)))
					{
						refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
							   "CREATE INDEX CONCURRENTLY", HINT_CONCURRENTLY);
						break;
					}
				}
			}
			break;

		case T_DropStmt:
			{
				DropStmt   *drop = (DropStmt *) stmt;

				if (drop->removeType == OBJECT_INDEX && drop->concurrent)
					refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
						   "DROP INDEX CONCURRENTLY", HINT_CONCURRENTLY);
			}
			break;

		case T_ReindexStmt:
			{
				ReindexStmt *reindex = (ReindexStmt *) stmt;
				const char *hint = "It reindexes table after table, each in a transaction of its own, so it cannot run inside one. Use REINDEX TABLE or REINDEX INDEX, or run it outside schemamig.";

				if (reindex->kind == REINDEX_OBJECT_SCHEMA)
					refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
						   "REINDEX SCHEMA", hint);
				else if (reindex->kind == REINDEX_OBJECT_SYSTEM)
					refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
						   "REINDEX SYSTEM", hint);
				else if (reindex->kind == REINDEX_OBJECT_DATABASE)
					refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
						   "REINDEX DATABASE", hint);
				else if (reindex_is_concurrent(reindex))
					refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
						   "REINDEX CONCURRENTLY", HINT_CONCURRENTLY);
			}
			break;

		case T_AlterTableStmt:
			if (detaches_concurrently((AlterTableStmt *) stmt))
				refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
					   "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY",
					   HINT_CONCURRENTLY);
			break;

		case T_VacuumStmt:
			/* ANALYZE is a VacuumStmt too, and runs in a transaction */
			if (((VacuumStmt *) stmt)->is_vacuumcmd)
				refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION, "VACUUM",
					   "VACUUM cannot run inside a transaction block. Put it in a revision whose header says \"-- schemamig:transaction off\" (run by CALL schemamig.migrate(), one committed statement at a time); ANALYZE alone is allowed in any revision.");
			break;

		case T_ClusterStmt:
			if (((ClusterStmt *) stmt)->relation == NULL)
				refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
					   "CLUSTER without a table name",
					   "It clusters table after table, each in a transaction of its own, so it cannot run inside one. Name the table: CLUSTER table_name USING index_name.");
			break;

		case T_AlterSystemStmt:
			refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION, "ALTER SYSTEM",
				   "ALTER SYSTEM cannot run inside a transaction block. Use ALTER DATABASE ... SET or ALTER ROLE ... SET, or run it outside schemamig.");
			break;

		case T_CreatedbStmt:
			refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION, "CREATE DATABASE",
				   HINT_OUTSIDE);
			break;

		case T_DropdbStmt:
			refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION, "DROP DATABASE",
				   HINT_OUTSIDE);
			break;

		case T_AlterDatabaseStmt:
			{
				AlterDatabaseStmt *alter = (AlterDatabaseStmt *) stmt;
				ListCell   *lc;

				/* SET TABLESPACE, or WITH TABLESPACE = ... */
				foreach(lc, alter->options)
				{
					DefElem    *opt = (DefElem *) lfirst(lc);

					CHECK_FOR_INTERRUPTS();
					if (opt != NULL && IsA(opt, DefElem) &&
						opt->defname != NULL &&
						strcmp(opt->defname, "tablespace") == 0)
					{
						refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
							   "ALTER DATABASE ... SET TABLESPACE",
							   HINT_OUTSIDE);
						break;
					}
				}
			}
			break;

		case T_CreateTableSpaceStmt:
			refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION, "CREATE TABLESPACE",
				   HINT_OUTSIDE);
			break;

		case T_DropTableSpaceStmt:
			refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION, "DROP TABLESPACE",
				   HINT_OUTSIDE);
			break;

		case T_CreateSubscriptionStmt:
			{
				List	   *options = ((CreateSubscriptionStmt *) stmt)->options;

				/* connect = false implies create_slot = false */
				if (option_is_true(options, "connect", true) &&
					option_is_true(options, "create_slot", true))
					refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
						   "CREATE SUBSCRIPTION",
						   "Creating its replication slot cannot run inside a transaction block. Use WITH (connect = false) or WITH (create_slot = false), and create the slot outside schemamig.");
			}
			break;

		case T_DropSubscriptionStmt:
			refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION, "DROP SUBSCRIPTION",
				   "Dropping a subscription's replication slot cannot run inside a transaction block. Run it outside schemamig.");
			break;

		case T_AlterSubscriptionStmt:
			{
				AlterSubscriptionStmt *alter = (AlterSubscriptionStmt *) stmt;
				const char *hint = "Refreshing a subscription cannot run inside a transaction block. Add WITH (refresh = false), and run ALTER SUBSCRIPTION ... REFRESH PUBLICATION outside schemamig.";

				switch (alter->kind)
				{
					case ALTER_SUBSCRIPTION_REFRESH:
						refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
							   "ALTER SUBSCRIPTION ... REFRESH PUBLICATION",
							   "It cannot run inside a transaction block. Run it outside schemamig.");
						break;
#if PG_VERSION_NUM >= 140000
					case ALTER_SUBSCRIPTION_SET_PUBLICATION:
						if (option_is_true(alter->options, "refresh", true))
							refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
								   "ALTER SUBSCRIPTION ... SET PUBLICATION", hint);
						break;
					case ALTER_SUBSCRIPTION_ADD_PUBLICATION:
						if (option_is_true(alter->options, "refresh", true))
							refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
								   "ALTER SUBSCRIPTION ... ADD PUBLICATION", hint);
						break;
					case ALTER_SUBSCRIPTION_DROP_PUBLICATION:
						if (option_is_true(alter->options, "refresh", true))
							refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
								   "ALTER SUBSCRIPTION ... DROP PUBLICATION", hint);
						break;
#else
					case ALTER_SUBSCRIPTION_PUBLICATION:
						if (option_is_true(alter->options, "refresh", true))
							refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION,
								   "ALTER SUBSCRIPTION ... SET PUBLICATION", hint);
						break;
#endif
					default:
						break;
				}
			}
			break;

		case T_DiscardStmt:
			if (((DiscardStmt *) stmt)->target == DISCARD_ALL)
				refuse(refusal, REFUSE_NEEDS_OWN_TRANSACTION, "DISCARD ALL",
					   "DISCARD ALL cannot run inside a transaction block. Use DISCARD PLANS, DISCARD SEQUENCES or DISCARD TEMP.");
			break;

		default:
			break;
	}

	return refusal->kind != REFUSE_NONE;
}

/*
 * smig_classify_nontx
 *		Revisit the classification of a statement of a revision that
 *		declares "-- schemamig:transaction off" (issue 18), where every
 *		statement is a committed step of its own.  What needs a transaction
 *		of its own is accepted (it runs as a top-level command in a
 *		background worker), and so are CALL and DO, which then run there too
 *		and may COMMIT between batches.  Still refused: what can never run
 *		(transaction control, ..., SMIG_STMT_NEVER), a CONCURRENTLY index
 *		inside CREATE SCHEMA, and an unnamed CREATE INDEX CONCURRENTLY,
 *		whose leftovers could not be found by name.  Returns whether the
 *		statement is refused.
 */
bool
smig_classify_nontx(Node *stmt, Refusal *refusal)
{
	if (stmt == NULL)
		return refusal->kind != REFUSE_NONE;

	if (IsA(stmt, IndexStmt) && index_stmt_is_concurrent(stmt) &&
		((IndexStmt *) stmt)->idxname == NULL)
	{
		refuse_never(refusal, "CREATE INDEX CONCURRENTLY without an index name",
					 "Name the index (CREATE INDEX CONCURRENTLY name ON ...): schemamig finds it by name to skip a build that already finished and to drop what a failed or interrupted build leaves behind.");
		return true;
	}
	if (refusal->kind == REFUSE_NEEDS_OWN_TRANSACTION &&
		refusal->stmt_class == SMIG_STMT_OWN_TRANSACTION &&
		!IsA(stmt, CreateSchemaStmt))
	{
		refusal->kind = REFUSE_NONE;
		refusal->what = NULL;
		refusal->hint = NULL;
		return false;
	}
	if (refusal->kind == REFUSE_NONE &&
		(IsA(stmt, CallStmt) || IsA(stmt, DoStmt)))
		refusal->stmt_class = SMIG_STMT_OWN_TRANSACTION;
	return refusal->kind != REFUSE_NONE;
}

/* refused statements that need their own transaction but could never run */
static const char *const never_anywhere[] = {
	"ALTER SYSTEM", "CREATE DATABASE", "DROP DATABASE",
	"ALTER DATABASE ... SET TABLESPACE", "CREATE TABLESPACE",
	"DROP TABLESPACE", "DISCARD ALL", NULL
};

/*
 * refuse
 *		Fill in *refusal, and the class of the statement: transaction control
 *		and COPY from or to the client can never run in a migration;
 *		statements that cannot run in a transaction block need one of their
 *		own, except those that act on the whole cluster, the database or the
 *		session, which never can.
 */
static void
refuse(Refusal *refusal, RefusalKind kind, const char *what, const char *hint)
{
	int			i;

	refusal->kind = kind;
	refusal->what = what;
	refusal->hint = hint;
	refusal->stmt_class = (kind == REFUSE_NEEDS_OWN_TRANSACTION) ?
		SMIG_STMT_OWN_TRANSACTION : SMIG_STMT_NEVER;
	for (i = 0; never_anywhere[i] != NULL; i++)
		if (strcmp(what, never_anywhere[i]) == 0)
			refusal->stmt_class = SMIG_STMT_NEVER;
}

/* refuse what changes the lexer or outlives the call */
static void
refuse_never(Refusal *refusal, const char *what, const char *hint)
{
	refuse(refusal, REFUSE_NEVER, what, hint);
}

#define HINT_LEXER \
	"schemamig splits revision SQL, and runs it, with standard_conforming_strings = on and backslash_quote = safe_encoding: a revision that changes them would make later statements mean something else than what was registered and linted. Remove the statement; SET standard_conforming_strings = on and SET backslash_quote = safe_encoding are allowed."

/*
 * check_variable_set
 *		Refuse a SET, SET LOCAL or RESET (other_sessions: ALTER ROLE or
 *		ALTER DATABASE ... SET or RESET) that changes how later text is
 *		lexed.  In this session, setting the values schemamig pins is
 *		allowed (pg_dump prints SET standard_conforming_strings = on);
 *		RESET ALL and SET ... TO DEFAULT may change them and are refused.
 *		For other sessions any change is refused.
 */
static bool
check_variable_set(VariableSetStmt *set, bool other_sessions,
				   Refusal *refusal)
{
	const char *name;
	const char *value = NULL;
	bool		scs;
	bool		pinned = false;

	if (set == NULL || !IsA(set, VariableSetStmt))
		return false;
	if (set->kind == VAR_RESET_ALL)
	{
		if (other_sessions)
			return false;
		refuse_never(refusal, "RESET ALL",
					 "RESET ALL would put back standard_conforming_strings and backslash_quote, which schemamig pins while revision SQL runs, and every setting of the caller's session. RESET the settings the revision changed by name.");
		return true;
	}
	name = set->name;
	if (name == NULL)
		return false;
	if (pg_strcasecmp(name, "standard_conforming_strings") == 0)
		scs = true;
	else if (pg_strcasecmp(name, "backslash_quote") == 0)
		scs = false;
	else
		return false;

	if (set->kind == VAR_SET_VALUE && list_length(set->args) == 1 &&
		IsA(linitial(set->args), A_Const))
	{
		A_Const    *c = (A_Const *) linitial(set->args);

		if (!c->isnull && IsA(&c->val, String))
			value = strVal(&c->val);
		else if (!c->isnull && IsA(&c->val, Integer))
			value = intVal(&c->val) == 1 ? "1" : "0";
	}
	if (value != NULL)
	{
		bool		on;

		if (scs)
			pinned = parse_bool(value, &on) && on;
		else
			pinned = pg_strcasecmp(value, "safe_encoding") == 0;
	}
	if (pinned && !other_sessions)
		return false;

	refuse_never(refusal,
				 other_sessions ?
				 (scs ? "ALTER ROLE or DATABASE ... SET standard_conforming_strings" :
				  "ALTER ROLE or DATABASE ... SET backslash_quote") :
				 (scs ? "changing standard_conforming_strings" :
				  "changing backslash_quote"),
				 other_sessions ?
				 "It changes how the text of later sessions (and offline scripts fed to psql) is lexed. Change it outside schemamig if you must." :
				 HINT_LEXER);
	return true;
}

/*
 * smig_check_scan_facts
 *		Refuse the statement between byte offsets start and end if the scan
 *		saw in it a string naming a lexer setting (set_config('standard_
 *		conforming_strings', ...), or such a SET run by EXECUTE in a DO
 *		block) or a call of a session-level advisory lock function.
 */
bool
smig_check_scan_facts(const ScanFacts *facts, int start, int end,
					  Refusal *refusal)
{
	ListCell   *lc;

	foreach(lc, facts->lexer_strings)
	{
		int			loc = lfirst_int(lc);

		if (loc >= start && loc < end)
		{
			refuse_never(refusal,
						 "a string naming standard_conforming_strings or backslash_quote",
						 "Such a string is how set_config() and dynamic SQL change the settings schemamig pins while revision SQL runs (standard_conforming_strings = on, backslash_quote = safe_encoding); a revision that changes them would make later statements mean something else than what was registered and linted. Remove it, or spell the text differently if it only mentions the name.");
			return true;
		}
	}
	foreach(lc, facts->lock_calls)
	{
		int			loc = lfirst_int(lc);

		if (loc >= start && loc < end)
		{
			refuse_never(refusal,
						 psprintf("%s()",
								  (char *) list_nth(facts->lock_names,
													foreach_current_index(lc))),
						 "Session-level advisory locks outlive the migration (the migration lock itself would then block every later migration until the session ends), and unlocking would release the caller's own. Use pg_advisory_xact_lock() or pg_try_advisory_xact_lock(), released when the transaction ends.");
			return true;
		}
	}
	return false;
}

/*
 * transaction_stmt_name
 *		The statement a TransactionStmt was written as, near enough (END
 *		is reported as COMMIT, ABORT as ROLLBACK).
 */
static const char *
transaction_stmt_name(TransactionStmt *stmt)
{
	switch (stmt->kind)
	{
		case TRANS_STMT_BEGIN:
			return "BEGIN";
		case TRANS_STMT_START:
			return "START TRANSACTION";
		case TRANS_STMT_COMMIT:
			return "COMMIT";
		case TRANS_STMT_ROLLBACK:
			return "ROLLBACK";
		case TRANS_STMT_SAVEPOINT:
			return "SAVEPOINT";
		case TRANS_STMT_RELEASE:
			return "RELEASE SAVEPOINT";
		case TRANS_STMT_ROLLBACK_TO:
			return "ROLLBACK TO SAVEPOINT";
		case TRANS_STMT_PREPARE:
			return "PREPARE TRANSACTION";
		case TRANS_STMT_COMMIT_PREPARED:
			return "COMMIT PREPARED";
		case TRANS_STMT_ROLLBACK_PREPARED:
			return "ROLLBACK PREPARED";
	}
	return "transaction control";
}

/*
 * option_is_true
 *		The Boolean value of option name in a list of DefElem, read as the
 *		command itself reads it (defGetBoolean, the last one wins); absent
 *		when the option is not given.
 */
static bool
option_is_true(List *options, const char *name, bool absent)
{
	bool		value = absent;
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *opt = (DefElem *) lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (opt != NULL && IsA(opt, DefElem) && opt->defname != NULL &&
			strcmp(opt->defname, name) == 0)
			value = defGetBoolean(opt);
	}
	return value;
}

/*
 * reindex_is_concurrent
 *		Whether REINDEX has CONCURRENTLY, in either syntax.
 */
static bool
reindex_is_concurrent(ReindexStmt *stmt)
{
#if PG_VERSION_NUM >= 140000
	/* REINDEX (CONCURRENTLY) and REINDEX ... CONCURRENTLY both land here */
	return option_is_true(stmt->params, "concurrently", false);
#else
	return stmt->concurrent;
#endif
}

/*
 * detaches_concurrently
 *		Whether ALTER TABLE has a DETACH PARTITION ... CONCURRENTLY.
 */
static bool
detaches_concurrently(AlterTableStmt *stmt)
{
#if PG_VERSION_NUM >= 140000
	ListCell   *lc;

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (cmd != NULL && IsA(cmd, AlterTableCmd) &&
			cmd->subtype == AT_DetachPartition &&
			cmd->def != NULL && IsA(cmd->def, PartitionCmd) &&
			((PartitionCmd *) cmd->def)->concurrent)
			return true;
	}
#endif
	return false;
}

/*
 * index_stmt_is_concurrent
 *		Whether stmt is CREATE INDEX CONCURRENTLY.
 */
static bool
index_stmt_is_concurrent(Node *stmt)
{
	return stmt != NULL && IsA(stmt, IndexStmt) &&
		((IndexStmt *) stmt)->concurrent;
}

/*
 * smig_report_refusal
 *		Raise the error for statement number (at line) being refused.
 */
void
smig_report_refusal(const Refusal *refusal, const SmigBodySource *src,
					int number, int line)
{
	switch (refusal->kind)
	{
		case REFUSE_TRANSACTION_CONTROL:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
					 errmsg("transaction control statement %s is not allowed in a migration", refusal->what),
					 errdetail("Revision \"%s\", %s statement %d, line %d of the %s.",
							   src->revision, src->section, number, line,
							   src->line_of),
					 errhint("%s", refusal->hint)));
			break;
		case REFUSE_NEEDS_OWN_TRANSACTION:
			ereport(ERROR,
					(errcode(ERRCODE_ACTIVE_SQL_TRANSACTION),
					 errmsg("%s cannot run inside a migration", refusal->what),
					 errdetail("Revision \"%s\", %s statement %d, line %d of the %s.",
							   src->revision, src->section, number, line,
							   src->line_of),
					 errhint("%s", refusal->hint)));
			break;
		case REFUSE_COPY_STDIO:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s is not supported in a migration", refusal->what),
					 errdetail("Revision \"%s\", %s statement %d, line %d of the %s.",
							   src->revision, src->section, number, line,
							   src->line_of),
					 errhint("%s", refusal->hint)));
			break;
		case REFUSE_NEVER:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s is not allowed in a migration", refusal->what),
					 errdetail("Revision \"%s\", %s statement %d, line %d of the %s.",
							   src->revision, src->section, number, line,
							   src->line_of),
					 errhint("%s", refusal->hint)));
			break;
		case REFUSE_NONE:
			break;
	}
	elog(ERROR, "unexpected refusal kind %d", (int) refusal->kind);
}
