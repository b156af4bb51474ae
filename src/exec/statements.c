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
 * The body is read twice, both times with the lexer settings revision SQL
 * runs with (standard_conforming_strings = on, backslash_quote =
 * safe_encoding), whatever the session has set:
 *	1. by the core scanner alone, to find what the grammar would reject with
 *	   an unhelpful message (psql meta-commands) or must never see (the data
 *	   rows that follow COPY FROM STDIN), to drop pg_dump's \restrict and
 *	   \unrestrict lines, and to note what the trees do not show (strings
 *	   naming a lexer setting, session-level advisory lock calls);
 *	2. by raw_parser(), whose RawStmt locations give each statement's text
 *	   and whose parse trees are classified once (classify.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/keywords.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "lib/stringinfo.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/memutils.h"

#include "exec/classify.h"
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
	const ScanFacts *facts;		/* for the scanner's base offset */
	const SmigBodySource *src;
	int			number;			/* statement number, for classification */
	int			line;			/* its line, for classification */
} SplitErrorState;

#define SMIG_MAX_OPERATOR_RUN 4096

static List *split_body(const char *sql, const SmigBodySource *src,
						bool nontx,
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
static List *parse_body(const char *sql);
static void report_lex_finding(const char *sql, const SmigBodySource *src,
							   LexFinding finding, int location);
static void split_error_callback(void *arg);
static void classify_error_callback(void *arg);
static bool word_at(const char *sql, int location, const char *word);
static int	skip_space_and_comments(const char *sql, int location, int end);
static int	count_newlines(const char *sql, int from, int to);
static int	char_to_byte_offset(const char *sql, int nchars);

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
	return split_body(sql, src, false, false);
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
	return split_body(sql, src, false, true);
}

/*
 * smig_split_revision_body / smig_parse_revision_body
 *		The two above, for a body of a revision that may declare
 *		"-- schemamig:transaction off" (nontx).
 */
List *
smig_split_revision_body(const char *sql, const SmigBodySource *src,
						 bool nontx)
{
	return split_body(sql, src, nontx, false);
}

List *
smig_parse_revision_body(const char *sql, const SmigBodySource *src,
						 bool nontx)
{
	return split_body(sql, src, nontx, true);
}

/*
 * split_body
 *		The work of both: with keep_trees, parse in the caller's context and
 *		record refusals; without, parse in a private one and raise them.
 */
static List *
split_body(const char *body, const SmigBodySource *src, bool nontx,
		   bool keep_trees)
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
	 * The NOTICE about dropped pg_dump lines is for whoever registers or
	 * lints the script, not for the runner and offline scripts, which
	 * re-split registered bodies (their lines count in the "revision").
	 */
	scan_and_parse(sql, &facts, src, strcmp(src->line_of, "revision") == 0,
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

		refused = smig_classify_statement(raw->stmt, &refusal);
		if (!refused)
			refused = smig_check_scan_facts(&facts, raw->stmt_location,
									   raw->stmt_location +
									   (raw->stmt_len > 0 ? raw->stmt_len :
										len - raw->stmt_location),
									   &refusal);
		if (nontx)
			refused = smig_classify_nontx(raw->stmt, &refusal);

		error_context_stack = errcallback.previous;

		/* outside the callback: the detail names the statement and line */
		if (refused && !keep_trees)
		{
			if (src->error_line != NULL)
				*src->error_line = errstate.line;
			smig_report_refusal(&refusal, src, number, errstate.line);
		}

		MemoryContextSwitchTo(callercxt);
		stmt = (SmigStatement *) palloc0(sizeof(SmigStatement));
		stmt->number = number;
		stmt->line = errstate.line;
		stmt->sql = pnstrdup(sql + start, end - start);
		stmt->stmt_class = refusal.stmt_class;
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
 * The scanner's token codes for a string constant, a U&'' string and an
 * identifier.  They live in the grammar's generated header (parser/gram.h),
 * which is private to the parser and not installed since PostgreSQL 16, so
 * learn them once from the public scanner itself by scanning a sample of
 * each kind.
 */
static int	tok_sconst = -1;
static int	tok_usconst = -1;
static int	tok_ident = -1;

static int
first_token_of(const char *sample)
{
	core_yy_extra_type yyextra;
	core_yyscan_t yyscanner;
	core_YYSTYPE yylval;
	int			yylloc;
	int			token;

	yyscanner = scanner_init(sample, &yyextra, &ScanKeywords, ScanKeywordTokens);
	token = core_yylex(&yylval, &yylloc, yyscanner);
	scanner_finish(yyscanner);
	return token;
}

static void
learn_token_codes(void)
{
	if (tok_ident >= 0)
		return;
	tok_sconst = first_token_of("'s'");
	tok_usconst = first_token_of("U&'s'");
	tok_ident = first_token_of("s");
	/* three different non-zero codes, or the scanner changed under us */
	if (tok_sconst <= 0 || tok_usconst <= 0 || tok_ident <= 0 ||
		tok_sconst == tok_usconst || tok_sconst == tok_ident ||
		tok_usconst == tok_ident)
		elog(ERROR, "schemamig: unexpected token codes from the SQL scanner");
}

#define SCONST tok_sconst
#define USCONST tok_usconst
#define IDENT tok_ident

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

	learn_token_codes();
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
