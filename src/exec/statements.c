/*-------------------------------------------------------------------------
 *
 * statements.c
 *	  Splitting revision bodies into statements with PostgreSQL's own
 *	  parser, and refusing what cannot run inside a migration.
 *
 * A revision body runs statement by statement through SPI, inside the
 * caller's transaction and from inside a SQL function call.  Whatever needs
 * a transaction of its own (CREATE INDEX CONCURRENTLY, VACUUM, ...), ends or
 * starts one (COMMIT, SAVEPOINT) or only means something to psql (\connect,
 * COPY FROM STDIN) is refused here, when the script is registered, with the
 * revision and the line named.
 *
 * The body is read twice:
 *	1. by the core scanner alone, to find what the grammar would reject with
 *	   an unhelpful message (psql meta-commands) or must never see (the data
 *	   rows that follow COPY FROM STDIN);
 *	2. by raw_parser(), whose RawStmt locations give each statement's text
 *	   and whose parse trees are classified.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/defrem.h"
#include "common/keywords.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
#include "utils/memutils.h"

#include "exec/statements.h"

/* longest psql meta-command name quoted back in an error, in bytes */
#define META_COMMAND_MAXLEN 32

/* what the lexing pass found that the body must not contain */
typedef enum LexFinding
{
	LEX_NOTHING,
	LEX_META_COMMAND,			/* a backslash outside quotes and comments */
	LEX_COPY_FROM_STDIN,
	LEX_COPY_TO_STDOUT
} LexFinding;

/* state of the error context callbacks */
typedef struct SplitErrorState
{
	const char *sql;
	const SmigBodySource *src;
	int			number;			/* statement number, for classification */
	int			line;			/* its line, for classification */
} SplitErrorState;

/* why a parsed statement is refused */
typedef enum RefusalKind
{
	REFUSE_NONE,
	REFUSE_TRANSACTION_CONTROL, /* BEGIN, COMMIT, SAVEPOINT, ... */
	REFUSE_NEEDS_OWN_TRANSACTION,	/* CREATE INDEX CONCURRENTLY, VACUUM, ... */
	REFUSE_COPY_STDIO			/* COPY FROM STDIN / TO STDOUT */
} RefusalKind;

typedef struct Refusal
{
	RefusalKind kind;
	const char *what;			/* the statement kind, e.g. "VACUUM" */
	const char *hint;
} Refusal;

#define SMIG_MAX_OPERATOR_RUN 4096

static List *split_body(const char *sql, const SmigBodySource *src,
						bool keep_trees);
static void check_operator_runs(const char *sql, int len,
							   const SmigBodySource *src);
static LexFinding scan_for_psql_input(const char *sql, int *location);
static List *parse_body(const char *sql);
static void report_lex_finding(const char *sql, const SmigBodySource *src,
							   LexFinding finding, int location);
static bool classify_statement(Node *stmt, Refusal *refusal);
static void refuse(Refusal *refusal, RefusalKind kind, const char *what,
				   const char *hint);
static const char *transaction_stmt_name(TransactionStmt *stmt);
static bool option_is_true(List *options, const char *name, bool absent);
static bool reindex_is_concurrent(ReindexStmt *stmt);
static bool detaches_concurrently(AlterTableStmt *stmt);
static bool index_stmt_is_concurrent(Node *stmt);
static void report_refusal(const Refusal *refusal, const SmigBodySource *src,
						   int number, int line);
static void split_error_callback(void *arg);
static void classify_error_callback(void *arg);
static bool word_at(const char *sql, int location, const char *word);
static int	skip_space_and_comments(const char *sql, int location, int end);
static int	count_newlines(const char *sql, int from, int to);
static int	char_to_byte_offset(const char *sql, int nchars);

/* hints shared by several refusals */
#define HINT_CONCURRENTLY \
	"A CONCURRENTLY form cannot run inside a transaction block, and schemamig runs every revision inside one, so it refuses it for now. Run it outside schemamig, or use the form without CONCURRENTLY (it takes a stronger lock)."
#define HINT_OUTSIDE \
	"It cannot run inside a transaction block, and schemamig runs every revision inside one. Run it outside schemamig."

/*
 * check_operator_runs
 *		Refuse a body holding a run of more than SMIG_MAX_OPERATOR_RUN
 *		operator characters (a long run of slash-star pairs, or of plus
 *		signs): PostgreSQL's scanner
 *		takes time quadratic in such a run and cannot be interrupted inside
 *		it, so a cancel or statement_timeout would not be honoured.  No real
 *		SQL comes close; a run inside a comment or string counts too, which
 *		keeps this check linear and simple.
 */
static void
check_operator_runs(const char *sql, int len, const SmigBodySource *src)
{
	int			run = 0;
	int			line = 0;
	int			i;

	for (i = 0; i < len; i++)
	{
		if (sql[i] == '\n')
			line++;
		if (strchr("~!@#^&|`?+-*/%<>=", sql[i]) != NULL && sql[i] != '\0')
		{
			if (++run > SMIG_MAX_OPERATOR_RUN)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("run of more than %d operator characters in revision \"%s\", %s section, line %d of the %s",
								SMIG_MAX_OPERATOR_RUN, src->revision, src->section,
								src->first_line + line, src->line_of),
						 errhint("Break the run up with spaces or line breaks.")));
		}
		else
			run = 0;
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

/*
 * smig_split_statements
 *		Split a revision body into a List of SmigStatement *.
 *
 * sql is one section (upgrade or downgrade) of a revision; src says where it
 * comes from, for the errors.  Raises the server's own error, with a context
 * line naming the revision, section and line, for SQL that does not scan or
 * parse, and an error naming the statement and line for what cannot run
 * inside a migration (see classify_statement).  An empty or comment-only
 * body gives NIL.
 *
 * The result is allocated in CurrentMemoryContext; the parse trees live in
 * a private context that is gone on return.
 */
List *
smig_split_statements(const char *sql, const SmigBodySource *src)
{
	return split_body(sql, src, false);
}

/*
 * smig_parse_statements
 *		smig_split_statements() for the linter: statements keep their raw
 *		parse trees (in CurrentMemoryContext), and what cannot run in a
 *		migration is recorded in the statement rather than raised.
 */
List *
smig_parse_statements(const char *sql, const SmigBodySource *src)
{
	return split_body(sql, src, true);
}

/*
 * split_body
 *		The work of both: with keep_trees, parse in the caller's context and
 *		record refusals; without, parse in a private one and raise them.
 */
static List *
split_body(const char *sql, const SmigBodySource *src, bool keep_trees)
{
	MemoryContext callercxt = CurrentMemoryContext;
	MemoryContext workcxt;
	SplitErrorState errstate;
	ErrorContextCallback errcallback;
	List	   *parsetree;
	List	   *result = NIL;
	LexFinding	finding;
	int			finding_location = -1;
	int			len;
	int			counted_to = 0;
	int			newlines = 0;
	int			number = 0;
	ListCell   *lc;

	Assert(sql != NULL && src != NULL);
	len = strlen(sql);
	check_operator_runs(sql, len, src);

	/* with keep_trees, the trees must outlive this function */
	workcxt = keep_trees ? callercxt :
		AllocSetContextCreate(callercxt, "schemamig split statements",
							  ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(workcxt);

	errstate.sql = sql;
	errstate.src = src;
	errstate.number = 0;
	errstate.line = 0;

	/*
	 * Scanner and grammar errors carry a position in sql; the callback turns
	 * it into a line of the script.
	 */
	errcallback.callback = split_error_callback;
	errcallback.arg = &errstate;
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;

	finding = scan_for_psql_input(sql, &finding_location);
	parsetree = NIL;
	if (finding == LEX_NOTHING)
		parsetree = parse_body(sql);

	error_context_stack = errcallback.previous;

	/* outside the callback: these errors name the line in their detail */
	if (finding != LEX_NOTHING)
		report_lex_finding(sql, src, finding, finding_location);

	foreach(lc, parsetree)
	{
		RawStmt    *raw = (RawStmt *) lfirst(lc);
		Refusal		refusal;
		bool		refused;
		SmigStatement *stmt;
		int			start;
		int			end;

		CHECK_FOR_INTERRUPTS();

		if (raw == NULL || !IsA(raw, RawStmt) || raw->stmt == NULL)
			elog(ERROR, "unexpected node in raw parse tree");
		if (raw->stmt_location < 0 || raw->stmt_location > len ||
			raw->stmt_len < 0 || raw->stmt_location + raw->stmt_len > len)
			elog(ERROR, "statement location %d, length %d outside body of length %d",
				 raw->stmt_location, raw->stmt_len, len);

		end = (raw->stmt_len > 0) ? raw->stmt_location + raw->stmt_len : len;

		/*
		 * stmt_location can point just after the previous ';', at blank lines
		 * and comments: the statement starts at its first token.
		 */
		start = skip_space_and_comments(sql, raw->stmt_location, end);
		while (end > start && scanner_isspace(sql[end - 1]))
		{
			CHECK_FOR_INTERRUPTS();
			end--;
		}

		newlines += count_newlines(sql, counted_to, start);
		counted_to = start;
		number++;

		errstate.number = number;
		errstate.line = src->first_line + newlines;
		errcallback.callback = classify_error_callback;
		errcallback.previous = error_context_stack;
		error_context_stack = &errcallback;

		refused = classify_statement(raw->stmt, &refusal);

		error_context_stack = errcallback.previous;

		/* outside the callback: the detail names the statement and line */
		if (refused && !keep_trees)
		{
			if (src->error_line != NULL)
				*src->error_line = errstate.line;
			report_refusal(&refusal, src, number, errstate.line);
		}

		MemoryContextSwitchTo(callercxt);
		stmt = (SmigStatement *) palloc0(sizeof(SmigStatement));
		stmt->number = number;
		stmt->line = errstate.line;
		stmt->sql = pnstrdup(sql + start, end - start);
		stmt->tag = nodeTag(raw->stmt);
		if (keep_trees)
		{
			stmt->tree = raw->stmt;
			if (refused)
			{
				stmt->refused = refusal.what;
				stmt->refused_hint = refusal.hint;
				stmt->refused_txn =
					(refusal.kind == REFUSE_TRANSACTION_CONTROL);
			}
		}
		result = lappend(result, stmt);
		MemoryContextSwitchTo(workcxt);
	}

	MemoryContextSwitchTo(callercxt);
	if (!keep_trees)
		MemoryContextDelete(workcxt);

	return result;
}

/*
 * scan_for_psql_input
 *		Run the core scanner over sql, looking for what belongs to psql.
 *
 * Returns LEX_META_COMMAND at the first backslash token (psql's \connect,
 * \set, \., ...), which can only be outside quotes and comments, or
 * LEX_COPY_FROM_STDIN / LEX_COPY_TO_STDOUT as soon as a statement starting
 * with COPY names STDIN or STDOUT as its file: reporting then means the
 * COPY data rows that follow, which are not SQL, are never scanned.
 * *location is set to the byte offset of the backslash or of the COPY.
 *
 * Scanner errors (unterminated quoted string, comment or dollar quote) are
 * raised from here with their position; the caller's context callback
 * names the line.
 */
static LexFinding
scan_for_psql_input(const char *sql, int *location)
{
	core_yy_extra_type yyextra;
	core_yyscan_t yyscanner;
	core_YYSTYPE yylval;
	int			yylloc;
	LexFinding	finding = LEX_NOTHING;
	bool		at_start = true;	/* next token starts a statement */
	bool		in_copy = false;	/* in a statement starting with COPY */
	bool		copy_direction_seen = false;
	LexFinding	copy_pending = LEX_NOTHING; /* previous token: COPY's FROM/TO */
	int			copy_location = -1;
	int			depth = 0;

	yyscanner = scanner_init(sql, &yyextra, &ScanKeywords, ScanKeywordTokens);

	/* raw_parser() scans the same text again: warn about escapes once */
	yyextra.escape_string_warning = false;

	for (;;)
	{
		int			token;

		CHECK_FOR_INTERRUPTS();

		token = core_yylex(&yylval, &yylloc, yyscanner);
		if (token == 0)
			break;

		if (token == '\\')
		{
			finding = LEX_META_COMMAND;
			*location = yylloc;
			break;
		}

		/*
		 * COPY's file comes right after the first FROM or TO outside
		 * parentheses (a query or a column list): STDIN and STDOUT are
		 * accepted by the grammar in either direction.
		 */
		if (copy_pending != LEX_NOTHING)
		{
			if (word_at(sql, yylloc, "stdin") || word_at(sql, yylloc, "stdout"))
			{
				finding = copy_pending;
				*location = copy_location;
				break;
			}
			copy_pending = LEX_NOTHING;
		}

		if (token == ';')
		{
			at_start = true;
			in_copy = false;
			continue;
		}

		if (at_start)
		{
			at_start = false;
			in_copy = word_at(sql, yylloc, "copy");
			copy_direction_seen = false;
			copy_location = yylloc;
			depth = 0;
			continue;
		}

		if (!in_copy)
			continue;

		if (token == '(' || token == '[')
			depth++;
		else if (token == ')' || token == ']')
		{
			if (depth > 0)
				depth--;
		}
		else if (depth == 0 && !copy_direction_seen)
		{
			if (word_at(sql, yylloc, "from"))
			{
				copy_direction_seen = true;
				copy_pending = LEX_COPY_FROM_STDIN;
			}
			else if (word_at(sql, yylloc, "to"))
			{
				copy_direction_seen = true;
				copy_pending = LEX_COPY_TO_STDOUT;
			}
		}
	}

	scanner_finish(yyscanner);

	return finding;
}

/*
 * parse_body
 *		raw_parser() in its default mode, whatever the server version.
 */
static List *
parse_body(const char *sql)
{
#if PG_VERSION_NUM >= 140000
	return raw_parser(sql, RAW_PARSE_DEFAULT);
#else
	return raw_parser(sql);
#endif
}

/*
 * report_lex_finding
 *		Raise the error for what scan_for_psql_input() found at location.
 */
static void
report_lex_finding(const char *sql, const SmigBodySource *src,
				   LexFinding finding, int location)
{
	int			line = src->first_line + count_newlines(sql, 0, location);

	if (src->error_line != NULL)
		*src->error_line = line;
	if (finding == LEX_META_COMMAND)
	{
		int			len = 1;
		char	   *word;

		/* the backslash and what follows it up to white space */
		while (sql[location + len] != '\0' &&
			   !scanner_isspace(sql[location + len]) &&
			   len < META_COMMAND_MAXLEN)
		{
			CHECK_FOR_INTERRUPTS();
			len++;
		}
		len = pg_mbcliplen(sql + location, len, len);
		word = pnstrdup(sql + location, len);

		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("psql meta-command \"%s\" is not supported in a migration", word),
				 errdetail("Revision \"%s\", %s section, line %d of the %s.",
						   src->revision, src->section, line, src->line_of),
				 errhint("Migrations run inside the server, not in psql; write the SQL the meta-command would produce.")));
	}
	else if (finding == LEX_COPY_FROM_STDIN)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY FROM STDIN is not supported in a migration"),
				 errdetail("Revision \"%s\", %s section, line %d of the %s.",
						   src->revision, src->section, line, src->line_of),
				 errhint("Use INSERT ... VALUES, or COPY ... FROM a file on the server.")));
	else if (finding == LEX_COPY_TO_STDOUT)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("COPY TO STDOUT is not supported in a migration"),
				 errdetail("Revision \"%s\", %s section, line %d of the %s.",
						   src->revision, src->section, line, src->line_of),
				 errhint("Use COPY ... TO a file on the server, or run the query outside the migration.")));
	else
		elog(ERROR, "unexpected lexing finding %d", (int) finding);
}

/*
 * classify_statement
 *		Decide whether a raw parse tree can run inside a migration.
 *
 * Returns true, with *refusal filled in, for transaction control, COPY
 * from/to the client, and the statements that call
 * PreventInTransactionBlock() whatever the catalog says.  Those that do so
 * only for some objects (CLUSTER or REINDEX TABLE on a partitioned table,
 * DROP SUBSCRIPTION without a slot) are decided by the statement's form
 * alone, or left to fail when they run.
 */
static bool
classify_statement(Node *stmt, Refusal *refusal)
{
	refusal->kind = REFUSE_NONE;
	refusal->what = NULL;
	refusal->hint = NULL;

	if (stmt == NULL)
		return false;

	switch (nodeTag(stmt))
	{
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
					   "VACUUM cannot run inside a transaction block, and schemamig runs every revision inside one. Run it outside schemamig; ANALYZE alone is allowed in a migration.");
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
 * refuse
 *		Fill in *refusal.
 */
static void
refuse(Refusal *refusal, RefusalKind kind, const char *what, const char *hint)
{
	refusal->kind = kind;
	refusal->what = what;
	refusal->hint = hint;
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
 * report_refusal
 *		Raise the error for statement number (at line) being refused.
 */
static void
report_refusal(const Refusal *refusal, const SmigBodySource *src,
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
		case REFUSE_NONE:
			break;
	}
	elog(ERROR, "unexpected refusal kind %d", (int) refusal->kind);
}

/*
 * split_error_callback
 *		Error context while the body is scanned and parsed.
 *
 * A scanner or grammar error has a cursor position that counts characters
 * (from 1) in the body, not in the query the client sent: turn it into a
 * line of the script, and drop it so that the client does not point into
 * its own query with it.  No CHECK_FOR_INTERRUPTS() in here: this runs
 * while an error is being reported.
 */
static void
split_error_callback(void *arg)
{
	SplitErrorState *state = (SplitErrorState *) arg;
	const SmigBodySource *src = state->src;
	int			position = geterrposition();

	if (position > 0)
	{
		int			offset = char_to_byte_offset(state->sql, position - 1);
		int			line = src->first_line;
		int			i;

		/* "at end of input": name the line of the last token, not the next */
		if (state->sql[offset] == '\0')
			while (offset > 0 && scanner_isspace(state->sql[offset - 1]))
				offset--;

		for (i = 0; i < offset; i++)
			if (state->sql[i] == '\n')
				line++;

		if (src->error_line != NULL)
			*src->error_line = line;
		errposition(0);
		errcontext("revision \"%s\", %s section, line %d of the %s",
				   src->revision, src->section, line, src->line_of);
	}
	else
		errcontext("revision \"%s\", %s section",
				   src->revision, src->section);
}

/*
 * classify_error_callback
 *		Error context while a parsed statement is classified (an option
 *		value that is not a Boolean, say).
 */
static void
classify_error_callback(void *arg)
{
	SplitErrorState *state = (SplitErrorState *) arg;

	errcontext("revision \"%s\", %s statement %d, line %d of the %s",
			   state->src->revision, state->src->section, state->number,
			   state->line, state->src->line_of);
}

/*
 * word_at
 *		Whether the token at byte offset location of sql is the unquoted
 *		word (lower case), in any case.
 */
static bool
word_at(const char *sql, int location, const char *word)
{
	int			len = strlen(word);
	unsigned char next;

	if (pg_strncasecmp(sql + location, word, len) != 0)
		return false;
	next = (unsigned char) sql[location + len];
	/* the scanner's ident_cont, so that "copy" does not match "copy_log" */
	return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
			 (next >= '0' && next <= '9') || next == '_' || next == '$' ||
			 IS_HIGHBIT_SET(next));
}

/*
 * skip_space_and_comments
 *		Byte offset of the first token at or after location, stopping at
 *		end.  sql has been scanned already, so comments are well formed;
 *		slash-star comments nest, as in the server's scanner.
 */
static int
skip_space_and_comments(const char *sql, int location, int end)
{
	int			i = location;

	while (i < end)
	{
		CHECK_FOR_INTERRUPTS();

		if (scanner_isspace(sql[i]))
			i++;
		else if (sql[i] == '-' && i + 1 < end && sql[i + 1] == '-')
		{
			while (i < end && sql[i] != '\n' && sql[i] != '\r')
			{
				CHECK_FOR_INTERRUPTS();
				i++;
			}
		}
		else if (sql[i] == '/' && i + 1 < end && sql[i + 1] == '*')
		{
			int			depth = 1;

			i += 2;
			while (i < end && depth > 0)
			{
				CHECK_FOR_INTERRUPTS();
				if (sql[i] == '/' && i + 1 < end && sql[i + 1] == '*')
				{
					depth++;
					i += 2;
				}
				else if (sql[i] == '*' && i + 1 < end && sql[i + 1] == '/')
				{
					depth--;
					i += 2;
				}
				else
					i++;
			}
		}
		else
			break;
	}
	return i;
}

/*
 * count_newlines
 *		Number of newlines in sql between byte offsets from and to.
 */
static int
count_newlines(const char *sql, int from, int to)
{
	int			n = 0;
	int			i;

	for (i = from; i < to; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (sql[i] == '\n')
			n++;
	}
	return n;
}

/*
 * char_to_byte_offset
 *		Byte offset of the character at (0-based) index nchars of sql, in the
 *		server encoding, or strlen(sql) past the end.  Error positions count
 *		characters.  Called from an error callback: must not raise errors.
 */
static int
char_to_byte_offset(const char *sql, int nchars)
{
	int			len = strlen(sql);
	int			offset = 0;

	while (nchars-- > 0 && offset < len)
		offset += pg_mblen(sql + offset);
	return Min(offset, len);
}
