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
#include "lib/stringinfo.h"
#include "parser/parser.h"
#include "parser/scanner.h"
/* token numbers (SCONST, ...), as pg_stat_statements uses them */
#include "parser/gram.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/guc.h"
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

/* what the scanning pass saw that the parse trees do not show */
typedef struct ScanFacts
{
	List	   *lexer_strings;	/* offsets of strings naming a lexer setting */
	List	   *lock_calls;		/* offsets of session advisory lock calls */
	List	   *lock_names;		/* and the functions' names */
	int			base;			/* offset in the body of the text the
								 * scanner is reading (it restarts after a
								 * dropped pg_dump line) */
} ScanFacts;

/* state of the error context callbacks */
typedef struct SplitErrorState
{
	const char *sql;
	const ScanFacts *facts;		/* for the scanner's base offset */
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
	REFUSE_COPY_STDIO,			/* COPY FROM STDIN / TO STDOUT */
	REFUSE_NEVER				/* changes the lexer or outlives the call */
} RefusalKind;

typedef struct Refusal
{
	RefusalKind kind;
	const char *what;			/* the statement kind, e.g. "VACUUM" */
	const char *hint;
	SmigStatementClass stmt_class;	/* where it could run at all */
} Refusal;

#define SMIG_MAX_OPERATOR_RUN 4096

static List *split_body(const char *sql, const SmigBodySource *src,
						bool keep_trees);
static void check_operator_runs(const char *sql, int len,
							   const SmigBodySource *src);
static int	restrict_line_end(const char *sql, int location);
static bool mentions_lexer_setting(const char *value);
static char *decode_unicode_string(const char *raw, char esc);
static LexFinding scan_body(char *sql, ScanFacts *facts,
							const SmigBodySource *src, bool quiet,
							int *location);
static void scan_and_parse(char *sql, ScanFacts *facts,
						   const SmigBodySource *src, bool quiet,
						   LexFinding *finding, int *location,
						   List **parsetree);
static bool check_scan_facts(const ScanFacts *facts, int start, int end,
							 Refusal *refusal);
static bool check_variable_set(VariableSetStmt *set, bool other_sessions,
							   Refusal *refusal);
static List *parse_body(const char *sql);
static void report_lex_finding(const char *sql, const SmigBodySource *src,
							   LexFinding finding, int location);
static bool classify_statement(Node *stmt, Refusal *refusal);
static void refuse(Refusal *refusal, RefusalKind kind, const char *what,
				   const char *hint);
static void refuse_never(Refusal *refusal, const char *what, const char *hint);
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
split_body(const char *body, const SmigBodySource *src, bool keep_trees)
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
	char	   *sql;
	ScanFacts	facts;

	Assert(body != NULL && src != NULL);
	len = strlen(body);
	check_operator_runs(body, len, src);

	/* with keep_trees, the trees must outlive this function */
	workcxt = keep_trees ? callercxt :
		AllocSetContextCreate(callercxt, "schemamig split statements",
							  ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(workcxt);

	/* the scan blanks pg_dump's \restrict lines out of this copy */
	sql = pstrdup(body);
	memset(&facts, 0, sizeof(facts));
	errstate.sql = sql;
	errstate.facts = &facts;
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

	/*
	 * The NOTICE about dropped pg_dump lines is for whoever registers the
	 * script: not for the linter, which registration runs too, nor for the
	 * runner and offline scripts, which re-split registered bodies.
	 */
	scan_and_parse(sql, &facts, src,
				   keep_trees || strcmp(src->line_of, "revision") == 0,
				   &finding, &finding_location, &parsetree);

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
		if (!refused)
			refused = check_scan_facts(&facts, raw->stmt_location,
									   raw->stmt_location +
									   (raw->stmt_len > 0 ? raw->stmt_len :
										len - raw->stmt_location),
									   &refusal);

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
		stmt->stmt_class = refusal.stmt_class;
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
 * restrict_line_end
 *		If the backslash at byte offset location of sql starts one of the two
 *		lines pg_dump (15.14+, 17.6+) prints around a dump, "\restrict KEY"
 *		or "\unrestrict KEY" (KEY alphanumeric, alone on its line), the
 *		offset of that line's end (its newline, or the end of sql); else -1.
 */
static int
restrict_line_end(const char *sql, int location)
{
	const char *p = sql + location + 1;
	int			keylen = 0;

	if (location > 0 && sql[location - 1] != '\n')
		return -1;
	if (strncmp(p, "restrict ", 9) == 0)
		p += 9;
	else if (strncmp(p, "unrestrict ", 11) == 0)
		p += 11;
	else
		return -1;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		   (*p >= '0' && *p <= '9'))
	{
		p++;
		keylen++;
	}
	if (keylen == 0)
		return -1;
	if (*p == '\r')
		p++;
	if (*p != '\n' && *p != '\0')
		return -1;
	return p - sql;
}

/*
 * mentions_lexer_setting
 *		Whether a string constant's value names a setting that changes how
 *		later text is lexed (in any case: setting names are looked up
 *		without regard to case).
 */
static bool
mentions_lexer_setting(const char *value)
{
	char	   *lower;
	bool		found;

	if (value == NULL)
		return false;
	lower = asc_tolower(value, strlen(value));
	found = strstr(lower, "standard_conforming_strings") != NULL ||
		strstr(lower, "backslash_quote") != NULL;
	pfree(lower);
	return found;
}

/*
 * decode_unicode_string
 *		The ASCII characters of a U&'' string's raw text with escape
 *		character esc (others become '?'), enough to see a setting name
 *		spelled with escapes.  Malformed escapes are the parser's business.
 */
static char *
decode_unicode_string(const char *raw, char esc)
{
	StringInfoData buf;
	const char *p = raw;

	initStringInfo(&buf);
	while (*p)
	{
		CHECK_FOR_INTERRUPTS();
		if (*p == esc && p[1] == esc)
		{
			appendStringInfoChar(&buf, esc);
			p += 2;
		}
		else if (*p == esc)
		{
			int			ndigits = (p[1] == '+') ? 6 : 4;
			long		code = 0;
			int			i;

			p += (p[1] == '+') ? 2 : 1;
			for (i = 0; i < ndigits && isxdigit((unsigned char) *p); i++, p++)
				code = code * 16 + (isdigit((unsigned char) *p) ? *p - '0' :
									(pg_tolower((unsigned char) *p) - 'a' + 10));
			appendStringInfoChar(&buf, (code > 0 && code < 128) ? (char) code : '?');
		}
		else
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/* functions whose locks (or unlocks) outlive the transaction */
static const char *const session_lock_functions[] = {
	"pg_advisory_lock", "pg_advisory_lock_shared",
	"pg_try_advisory_lock", "pg_try_advisory_lock_shared",
	"pg_advisory_unlock", "pg_advisory_unlock_shared",
	"pg_advisory_unlock_all", NULL
};

/*
 * scan_body
 *		Run the core scanner over sql (pinned lexer settings in force),
 *		looking for what belongs to psql and for what the statement trees
 *		do not show.
 *
 * Returns LEX_META_COMMAND at the first backslash token (psql's \connect,
 * \set, \., ...), which can only be outside quotes and comments, or
 * LEX_COPY_FROM_STDIN / LEX_COPY_TO_STDOUT as soon as a statement starting
 * with COPY names STDIN or STDOUT as its file: reporting then means the
 * COPY data rows that follow, which are not SQL, are never scanned.
 * *location is set to the byte offset of the backslash or of the COPY.
 *
 * pg_dump's "\restrict KEY" and "\unrestrict KEY" lines, and only those,
 * are blanked out of sql (it is the caller's copy: line numbers stay) and
 * reported with a NOTICE (at DEBUG1 when quiet); the scan goes on after
 * the line.  The byte
 * offsets of string constants naming a lexer setting and of identifiers
 * naming a session-level advisory lock function are recorded in *facts.
 *
 * Scanner errors (unterminated quoted string, comment or dollar quote) are
 * raised from here with their position; the caller's context callback
 * names the line.
 */
static LexFinding
scan_body(char *sql, ScanFacts *facts, const SmigBodySource *src,
		  bool quiet, int *location)
{
	core_yy_extra_type yyextra;
	core_yyscan_t yyscanner;
	core_YYSTYPE yylval;
	int			yylloc;
	int			base = 0;		/* offset in sql of the scanner's text */
	LexFinding	finding = LEX_NOTHING;
	bool		at_start = true;	/* next token starts a statement */
	bool		in_copy = false;	/* in a statement starting with COPY */
	bool		copy_direction_seen = false;
	LexFinding	copy_pending = LEX_NOTHING; /* previous token: COPY's FROM/TO */
	int			copy_location = -1;
	int			depth = 0;
	char	   *pending_ustr = NULL;	/* a U&'' string, until UESCAPE is
										 * known */
	int			pending_uloc = -1;
	bool		uescape_next = false;	/* previous token: UESCAPE */

	yyscanner = scanner_init(sql, &yyextra, &ScanKeywords, ScanKeywordTokens);

	/* raw_parser() scans the same text again: warn about escapes once */
	yyextra.escape_string_warning = false;

	for (;;)
	{
		int			token;
		int			loc;

		CHECK_FOR_INTERRUPTS();

		token = core_yylex(&yylval, &yylloc, yyscanner);
		loc = base + yylloc;

		/* a U&'' string: decoded with the escape of its UESCAPE, if any */
		if (pending_ustr != NULL)
		{
			char		esc = '\\';
			bool		decide = true;

			if (token == SCONST && uescape_next && yylval.str != NULL &&
				yylval.str[0] != '\0')
				esc = yylval.str[0];
			else if (token != 0 && !uescape_next && word_at(sql, loc, "uescape"))
			{
				uescape_next = true;
				decide = false;
			}
			if (decide)
			{
				if (mentions_lexer_setting(decode_unicode_string(pending_ustr, esc)))
					facts->lexer_strings = lappend_int(facts->lexer_strings,
													   pending_uloc);
				pending_ustr = NULL;
				uescape_next = false;
			}
		}

		if (token == 0)
			break;

		if (token == '\\')
		{
			int			line_end = restrict_line_end(sql, loc);

			if (line_end >= 0)
			{
				int			line = src->first_line + count_newlines(sql, 0, loc);

				/* drop the line: rescan from its end, where no token is open */
				ereport(quiet ? DEBUG1 : NOTICE,
						(errmsg("pg_dump's \"\\%s\" line dropped from revision \"%s\", %s section, line %d of the %s",
								sql[loc + 1] == 'r' ? "restrict" : "unrestrict",
								src->revision, src->section, line, src->line_of),
						 errdetail("psql refuses meta-commands after it; schemamig runs no meta-commands.")));
				memset(sql + loc, ' ', line_end - loc);
				scanner_finish(yyscanner);
				base = line_end;
				facts->base = base;
				yyscanner = scanner_init(sql + base, &yyextra, &ScanKeywords,
										 ScanKeywordTokens);
				yyextra.escape_string_warning = false;
				continue;
			}
			finding = LEX_META_COMMAND;
			*location = loc;
			break;
		}

		if (token == SCONST && mentions_lexer_setting(yylval.str))
			facts->lexer_strings = lappend_int(facts->lexer_strings, loc);
		else if (token == USCONST && yylval.str != NULL)
		{
			pending_ustr = pstrdup(yylval.str);
			pending_uloc = loc;
		}
		else if (token == IDENT && yylval.str != NULL)
		{
			int			i;

			for (i = 0; session_lock_functions[i] != NULL; i++)
				if (strcmp(yylval.str, session_lock_functions[i]) == 0)
				{
					facts->lock_calls = lappend_int(facts->lock_calls, loc);
					facts->lock_names = lappend(facts->lock_names,
												(char *) session_lock_functions[i]);
					break;
				}
		}

		/*
		 * COPY's file comes right after the first FROM or TO outside
		 * parentheses (a query or a column list): STDIN and STDOUT are
		 * accepted by the grammar in either direction.
		 */
		if (copy_pending != LEX_NOTHING)
		{
			if (word_at(sql, loc, "stdin") || word_at(sql, loc, "stdout"))
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
			in_copy = word_at(sql, loc, "copy");
			copy_direction_seen = false;
			copy_location = loc;
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
			if (word_at(sql, loc, "from"))
			{
				copy_direction_seen = true;
				copy_pending = LEX_COPY_FROM_STDIN;
			}
			else if (word_at(sql, loc, "to"))
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
 * scan_and_parse
 *		scan_body() and, when it finds nothing to refuse, raw_parser(), both
 *		with the lexer settings revision SQL runs with: the runner pins
 *		standard_conforming_strings = on and backslash_quote = safe_encoding
 *		while it runs a revision, so the statements found here are the ones
 *		that run, whatever the session splitting the body has set.  The
 *		scanner reads these variables when it starts; they are put back
 *		however this ends.
 */
static void
scan_and_parse(char *sql, ScanFacts *facts, const SmigBodySource *src,
			   bool quiet, LexFinding *finding, int *location,
			   List **parsetree)
{
	bool		save_scs = standard_conforming_strings;
	int			save_bq = backslash_quote;

	*parsetree = NIL;
	PG_TRY();
	{
		standard_conforming_strings = true;
		backslash_quote = BACKSLASH_QUOTE_SAFE_ENCODING;
		*finding = scan_body(sql, facts, src, quiet, location);
		facts->base = 0;		/* raw_parser() reads the whole body */
		if (*finding == LEX_NOTHING)
			*parsetree = parse_body(sql);
	}
	PG_FINALLY();
	{
		standard_conforming_strings = save_scs;
		backslash_quote = save_bq;
	}
	PG_END_TRY();
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
 * check_scan_facts
 *		Refuse the statement between byte offsets start and end if the scan
 *		saw in it a string naming a lexer setting (set_config('standard_
 *		conforming_strings', ...), or such a SET run by EXECUTE in a DO
 *		block) or a call of a session-level advisory lock function.
 */
static bool
check_scan_facts(const ScanFacts *facts, int start, int end, Refusal *refusal)
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
		int			base = state->facts ? state->facts->base : 0;
		int			offset = base +
			char_to_byte_offset(state->sql + base, position - 1);
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
