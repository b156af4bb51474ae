/*-------------------------------------------------------------------------
 *
 * script.c
 *	  Script text -> revision blocks.
 *
 * A script is a sequence of blocks, each opened by a
 * "-- schemamig:revision <id>" line and holding header directives, an
 * "-- schemamig:upgrade" body and an optional "-- schemamig:downgrade"
 * body.  This file knows the directives; it does not look inside the SQL
 * (statements.c does) nor at the graph (graph.c does).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"

#include "compat.h"
#include "schemamig.h"

#if PG_VERSION_NUM < 140000
#define HASH_STRINGS 0
#endif

typedef enum ScriptState
{
	SS_PREAMBLE,				/* before the first block */
	SS_HEADER,					/* after "revision", before "upgrade" */
	SS_UPGRADE,					/* in the upgrade body */
	SS_DOWNGRADE				/* in the downgrade body */
} ScriptState;

/* a block being read */
typedef struct BlockReader
{
	SmigRevision *rev;
	int			first_line;		/* line of its "revision" directive */
	bool		seen_down;
	bool		seen_message;
	bool		seen_labels;
	bool		seen_depends;
	bool		seen_transaction;
	StringInfoData upgrade;
	StringInfoData downgrade;
	bool		has_downgrade;
} BlockReader;

/* an id -> line table, for finding duplicates in linear time */
typedef struct SeenId
{
	char		key[SMIG_ID_MAXLEN + 1];
	int			line;
} SeenId;

static char *normalize_newlines(const char *script);
static bool is_blank_or_comment(const char *line, int len);
static bool parse_directive(const char *line, int len, char **name, char **arg);
static void finish_block(BlockReader *br, List **result);
static char *trim_body(StringInfo body);
static List *parse_id_list(const char *value, const char *directive,
						   int line, bool allow_base);
static HTAB *make_seen_table(long size);
static bool is_reserved_id(const char *id);

/*
 * smig_parse_script
 *		Parse script into a List of SmigRevision *, in script order.
 *
 * Raises an error naming the line for anything that is not the format:
 * unknown directives, text before the first block, blocks without an
 * upgrade section, bad ids, duplicate ids.  The SQL bodies are not looked
 * at here.
 */
List *
smig_parse_script(const char *script)
{
	char	   *text = normalize_newlines(script);
	char	   *p = text;
	int			lineno = 0;
	ScriptState state = SS_PREAMBLE;
	BlockReader br;
	List	   *result = NIL;
	int			comment_depth = 0;	/* open block comments outside bodies */
	int			comment_line = 0;	/* where the outermost one opened */

	memset(&br, 0, sizeof(br));

	while (*p != '\0')
	{
		char	   *eol = strchr(p, '\n');
		int			len = eol ? (int) (eol - p) : (int) strlen(p);
		char	   *name;
		char	   *arg;

		CHECK_FOR_INTERRUPTS();
		lineno++;

		if (parse_directive(p, len, &name, &arg))
		{
			if (comment_depth > 0)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("directive at line %d is inside the /* comment opened at line %d", lineno, comment_line),
						 errhint("Close the comment with */ before the directive.")));
			if (strchr(arg, '\r') != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("carriage return inside the directive at line %d", lineno),
						 errdetail("PostgreSQL ends a -- comment at a carriage return, so the rest of the line would read as SQL."),
						 errhint("Use LF or CRLF line ends.")));
			if (strcmp(name, "revision") == 0)
			{
				if (state != SS_PREAMBLE)
					finish_block(&br, &result);
				memset(&br, 0, sizeof(br));
				br.rev = palloc0(sizeof(SmigRevision));
				br.first_line = lineno;
				br.rev->script_line = lineno;
				if (arg[0] == '\0')
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("revision directive without an id at line %d", lineno),
							 errhint("Write \"-- schemamig:revision <id>\".")));
				smig_check_id(arg, "revision id", lineno);
				br.rev->id = arg;
				initStringInfo(&br.upgrade);
				initStringInfo(&br.downgrade);
				state = SS_HEADER;
			}
			else if (state == SS_PREAMBLE)
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("directive \"%s\" at line %d comes before the first revision", name, lineno),
						 errhint("A block starts with \"-- schemamig:revision <id>\".")));
			else if (strcmp(name, "upgrade") == 0 ||
					 strcmp(name, "downgrade") == 0)
			{
				bool		up = (name[0] == 'u');

				if (arg[0] != '\0')
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("directive \"%s\" at line %d takes no argument", name, lineno),
							 errhint("Put the SQL on the lines after the directive.")));
				if (up && state != SS_HEADER)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("second upgrade section in revision \"%s\" at line %d", br.rev->id, lineno)));
				if (!up && state == SS_HEADER)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("downgrade section before the upgrade section in revision \"%s\" at line %d", br.rev->id, lineno),
							 errhint("Write \"-- schemamig:upgrade\" and its SQL first.")));
				if (!up && state == SS_DOWNGRADE)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("second downgrade section in revision \"%s\" at line %d", br.rev->id, lineno)));
				if (comment_depth > 0)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("unterminated /* comment at line %d", comment_line),
							 errhint("Close the comment with */ before \"-- schemamig:upgrade\".")));
				if (up)
				{
					state = SS_UPGRADE;
					br.rev->upgrade_line = lineno + 1 - br.first_line + 1;
				}
				else
				{
					state = SS_DOWNGRADE;
					br.has_downgrade = true;
					br.rev->downgrade_line = lineno + 1 - br.first_line + 1;
				}
			}
			else if (strcmp(name, "down_revision") == 0 ||
					 strcmp(name, "message") == 0 ||
					 strcmp(name, "branch_labels") == 0 ||
					 strcmp(name, "depends_on") == 0)
			{
				bool	   *seen;

				if (state != SS_HEADER)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("directive \"%s\" at line %d must come before \"-- schemamig:upgrade\"", name, lineno),
							 errdetail("Revision \"%s\" has its upgrade section already.", br.rev->id)));
				if (name[0] == 'm')
					seen = &br.seen_message;
				else if (name[0] == 'b')
					seen = &br.seen_labels;
				else if (name[1] == 'e')
					seen = &br.seen_depends;
				else
					seen = &br.seen_down;
				if (*seen)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("directive \"%s\" repeated at line %d in revision \"%s\"", name, lineno, br.rev->id)));
				*seen = true;

				if (name[0] == 'm')
					br.rev->message = arg[0] ? arg : NULL;
				else if (name[0] == 'b')
					br.rev->branch_labels = parse_id_list(arg, name, lineno, false);
				else if (name[1] == 'e')
					br.rev->depends_on = parse_id_list(arg, name, lineno, false);
				else
					br.rev->down_revisions = parse_id_list(arg, name, lineno, true);
			}
			else if (strcmp(name, "transaction") == 0)
			{
				/*
				 * "-- schemamig:transaction off": the revision runs outside
				 * a transaction, one committed step per statement (both
				 * sections).  "on" is the default, accepted for symmetry.
				 */
				if (state != SS_HEADER)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("directive \"%s\" at line %d must come before \"-- schemamig:upgrade\"", name, lineno),
							 errdetail("Revision \"%s\" has its upgrade section already.", br.rev->id)));
				if (br.seen_transaction)
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("directive \"%s\" repeated at line %d in revision \"%s\"", name, lineno, br.rev->id)));
				br.seen_transaction = true;
				if (pg_strcasecmp(arg, "off") == 0)
					br.rev->nontx = true;
				else if (pg_strcasecmp(arg, "on") == 0)
					br.rev->nontx = false;
				else
					ereport(ERROR,
							(errcode(ERRCODE_SYNTAX_ERROR),
							 errmsg("invalid value \"%s\" for directive \"transaction\" at line %d in revision \"%s\"", arg, lineno, br.rev->id),
							 errhint("Write \"-- schemamig:transaction off\" for a revision whose statements run outside a transaction, each committed on its own (run by CALL schemamig.migrate()).")));
			}
			else if (strcmp(name, "allow") == 0)
			{
				/*
				 * Lint allowances: in the header, for the whole revision; in
				 * a section, a comment for the linter about the statement
				 * that follows, kept in the body like any comment.
				 */
				if (state == SS_HEADER)
				{
					br.rev->lint_allow = lappend(br.rev->lint_allow, arg);
					br.rev->lint_allow_lines =
						lappend_int(br.rev->lint_allow_lines, lineno);
				}
				else
				{
					StringInfo	body = (state == SS_UPGRADE) ?
						&br.upgrade : &br.downgrade;

					appendBinaryStringInfo(body, p, len);
					appendStringInfoChar(body, '\n');
				}
			}
			else
				ereport(ERROR,
						(errcode(ERRCODE_SYNTAX_ERROR),
						 errmsg("unknown directive \"%s\" at line %d", name, lineno),
						 errhint("Directives are revision, down_revision, message, branch_labels, depends_on, transaction, allow, upgrade and downgrade.")));
		}
		else
		{
			switch (state)
			{
				case SS_PREAMBLE:
				case SS_HEADER:
					{
						/* blank lines and comments only */
						const char *q = p;
						const char *end = p + len;

						while (q < end)
						{
							if (comment_depth > 0)
							{
								/* inside a (nested) block comment */
								if (q + 1 < end && q[0] == '/' && q[1] == '*')
								{
									comment_depth++;
									q += 2;
								}
								else if (q + 1 < end && q[0] == '*' && q[1] == '/')
								{
									comment_depth--;
									q += 2;
								}
								else
									q++;
								continue;
							}
							while (q < end && (*q == ' ' || *q == '\t' || *q == '\f' || *q == '\v'))
								q++;
							if (q >= end)
								break;
							if (q + 1 < end && q[0] == '/' && q[1] == '*')
							{
								comment_depth = 1;
								comment_line = lineno;
								q += 2;
								continue;
							}
							if (is_blank_or_comment(q, (int) (end - q)))
								break;
							if (state == SS_PREAMBLE)
								ereport(ERROR,
										(errcode(ERRCODE_SYNTAX_ERROR),
										 errmsg("text before the first revision at line %d", lineno),
										 errhint("A script starts with a \"-- schemamig:revision <id>\" line; only blank lines and comments may come before it.")));
							ereport(ERROR,
									(errcode(ERRCODE_SYNTAX_ERROR),
									 errmsg("SQL before \"-- schemamig:upgrade\" at line %d in revision \"%s\"", lineno, br.rev->id),
									 errhint("Put the SQL after a \"-- schemamig:upgrade\" line.")));
						}
					}
					break;
				case SS_UPGRADE:
					appendBinaryStringInfo(&br.upgrade, p, len);
					appendStringInfoChar(&br.upgrade, '\n');
					break;
				case SS_DOWNGRADE:
					appendBinaryStringInfo(&br.downgrade, p, len);
					appendStringInfoChar(&br.downgrade, '\n');
					break;
			}
		}

		if (eol == NULL)
			break;
		p = eol + 1;
	}

	if (comment_depth > 0 && (state == SS_PREAMBLE || state == SS_HEADER))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("unterminated /* comment at line %d", comment_line),
				 errhint("Close the comment with */.")));
	if (state == SS_PREAMBLE)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("script contains no revision"),
				 errhint("A script holds one or more blocks starting with \"-- schemamig:revision <id>\".")));
	finish_block(&br, &result);

	/* duplicate ids inside the script */
	{
		HTAB	   *seen = make_seen_table(list_length(result));
		ListCell   *lc;

		foreach(lc, result)
		{
			SmigRevision *rev = lfirst(lc);
			SeenId	   *e;
			bool		found;

			CHECK_FOR_INTERRUPTS();
			e = hash_search(seen, rev->id, HASH_ENTER, &found);
			if (found)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("revision \"%s\" appears twice in the script, at lines %d and %d", rev->id, e->line, rev->script_line)));
			e->line = rev->script_line;
		}
		hash_destroy(seen);
	}

	return result;
}

/*
 * finish_block
 *		Close the block being read: check it has an upgrade section, trim
 *		its bodies, compute its checksum and append it to *result.
 */
static void
finish_block(BlockReader *br, List **result)
{
	SmigRevision *rev = br->rev;
	ListCell   *lc;

	if (rev->upgrade_line == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("revision \"%s\" at line %d has no upgrade section", rev->id, br->first_line),
				 errhint("Add a \"-- schemamig:upgrade\" line followed by its SQL.")));

	foreach(lc, rev->down_revisions)
		if (strcmp((char *) lfirst(lc), rev->id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_RECURSION),
					 errmsg("revision \"%s\" at line %d names itself as its down_revision", rev->id, br->first_line)));
	foreach(lc, rev->depends_on)
		if (strcmp((char *) lfirst(lc), rev->id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_RECURSION),
					 errmsg("revision \"%s\" at line %d depends on itself", rev->id, br->first_line)));

	rev->upgrade_sql = trim_body(&br->upgrade);
	rev->downgrade_sql = br->has_downgrade ? trim_body(&br->downgrade) : NULL;
	rev->reversible = br->has_downgrade;
	rev->bodies_loaded = true;
	rev->checksum = smig_checksum(rev->upgrade_sql, rev->downgrade_sql);
	*result = lappend(*result, rev);
}

/*
 * trim_body
 *		A body without its trailing blank and comment-only lines, so that
 *		spacing and comments between blocks do not change checksums.
 */
static char *
trim_body(StringInfo body)
{
	int			end = body->len;

	for (;;)
	{
		int			start;

		CHECK_FOR_INTERRUPTS();
		/* drop trailing newline characters and whitespace */
		while (end > 0 && isspace((unsigned char) body->data[end - 1]))
			end--;
		if (end == 0)
			break;
		/* look at the last line */
		start = end;
		while (start > 0 && body->data[start - 1] != '\n')
			start--;
		if (is_blank_or_comment(body->data + start, end - start))
			end = start;
		else
			break;
	}
	return pnstrdup(body->data, end);
}

/*
 * smig_clean_body
 *		A body given as a function argument, cleaned as script bodies are:
 *		LF line ends, no trailing blank or comment-only lines.
 */
char *
smig_clean_body(const char *sql)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, normalize_newlines(sql));
	return trim_body(&buf);
}

/*
 * normalize_newlines
 *		A copy of script with CRLF line ends turned into LF, so that a
 *		script checked out on Windows has the same checksums.
 */
static char *
normalize_newlines(const char *script)
{
	size_t		len = strlen(script);
	char	   *out = palloc(len + 1);
	char	   *o = out;
	const char *s;

	for (s = script; *s; s++)
	{
		if (s[0] == '\r' && s[1] == '\n')
			continue;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* is the len bytes at line only whitespace, or a "--" comment? */
static bool
is_blank_or_comment(const char *line, int len)
{
	int			i = 0;

	while (i < len && isspace((unsigned char) line[i]))
		i++;
	if (i == len)
		return true;
	if (!(i + 1 < len && line[i] == '-' && line[i + 1] == '-'))
		return false;
	/* the server ends a -- comment at a carriage return too */
	return memchr(line + i, '\r', len - i) == NULL;
}

/*
 * parse_directive
 *		If the line is "--" [spaces] "schemamig:" name [arg], set *name and
 *		*arg (trimmed, palloc'd) and return true.
 */
static bool
parse_directive(const char *line, int len, char **name, char **arg)
{
	static const char tag[] = "schemamig:";
	int			i = 2;
	int			start;
	int			end;

	if (len < 2 || line[0] != '-' || line[1] != '-')
		return false;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < (int) strlen(tag) || strncmp(line + i, tag, strlen(tag)) != 0)
		return false;
	i += strlen(tag);

	start = i;
	while (i < len && !isspace((unsigned char) line[i]))
		i++;
	*name = pnstrdup(line + start, i - start);

	while (i < len && isspace((unsigned char) line[i]))
		i++;
	end = len;
	while (end > i && isspace((unsigned char) line[end - 1]))
		end--;
	*arg = pnstrdup(line + i, end - i);
	return true;
}

/*
 * smig_split_list
 *		Split a space- or comma-separated list into a List of strings.
 */
List *
smig_split_list(const char *value)
{
	List	   *result = NIL;
	const char *p = value;

	while (*p)
	{
		const char *start;

		while (*p && (isspace((unsigned char) *p) || *p == ','))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && !isspace((unsigned char) *p) && *p != ',')
			p++;
		result = lappend(result, pnstrdup(start, p - start));
	}
	return result;
}

/*
 * parse_id_list
 *		A directive's list of ids, checked; "base" alone (allow_base) or an
 *		empty value mean none.
 */
static List *
parse_id_list(const char *value, const char *directive, int line,
			  bool allow_base)
{
	List	   *ids = smig_split_list(value);
	ListCell   *lc;

	if (allow_base && list_length(ids) == 1 &&
		strcmp((char *) linitial(ids), "base") == 0)
		return NIL;

	foreach(lc, ids)
		smig_check_id(lfirst(lc),
					  strcmp(directive, "branch_labels") == 0 ?
					  "branch label" : "revision id",
					  line);
	smig_check_unique(ids, directive, line);
	return ids;
}

static HTAB *
make_seen_table(long size)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = SMIG_ID_MAXLEN + 1;
	ctl.entrysize = sizeof(SeenId);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create("schemamig seen ids", Max(size, 16), &ctl,
					   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

/*
 * smig_check_unique
 *		Refuse a list (of valid ids) naming the same id twice.  line is the
 *		script line, or 0 for a function argument.
 */
void
smig_check_unique(List *ids, const char *what, int line)
{
	HTAB	   *seen = make_seen_table(list_length(ids));
	ListCell   *lc;

	foreach(lc, ids)
	{
		bool		found;

		CHECK_FOR_INTERRUPTS();
		(void) hash_search(seen, lfirst(lc), HASH_ENTER, &found);
		if (found)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 line > 0 ?
					 errmsg("\"%s\" is listed twice in %s at line %d", (char *) lfirst(lc), what, line) :
					 errmsg("\"%s\" is listed twice in %s", (char *) lfirst(lc), what)));
	}
	hash_destroy(seen);
}

/* words that are targets, never revision ids or labels */
static bool
is_reserved_id(const char *id)
{
	return strcmp(id, "base") == 0 || strcmp(id, "head") == 0 ||
		strcmp(id, "heads") == 0 || strcmp(id, "current") == 0;
}

/*
 * smig_valid_id
 *		Is id 1-64 chars of [A-Za-z0-9_.-] and not a reserved word?
 */
bool
smig_valid_id(const char *id)
{
	size_t		len = strlen(id);
	size_t		i;

	if (len == 0 || len > SMIG_ID_MAXLEN || is_reserved_id(id))
		return false;
	for (i = 0; i < len; i++)
	{
		char		c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/*
 * smig_check_id
 *		Raise an error unless id is a valid revision id or label.  what says
 *		what it is ("revision id", "branch label"); script_line is the line
 *		it came from, or 0 when it came from a function argument.
 */
void
smig_check_id(const char *id, const char *what, int script_line)
{
	if (smig_valid_id(id))
		return;
	if (is_reserved_id(id))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 script_line > 0 ?
				 errmsg("\"%s\" is reserved and cannot be a %s (line %d)", id, what, script_line) :
				 errmsg("\"%s\" is reserved and cannot be a %s", id, what),
				 errhint("base, head, heads and current are targets.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_NAME),
			 script_line > 0 ?
			 errmsg("invalid %s \"%s\" at line %d", what, id, script_line) :
			 errmsg("invalid %s \"%s\"", what, id),
			 errdetail("A %s is 1 to %d characters of A-Z, a-z, 0-9, \"_\", \".\" and \"-\".", what, SMIG_ID_MAXLEN)));
}

/*
 * smig_checksum
 *		Versioned checksum of a revision's two bodies: "v1-sha256:<hex>".
 *		An irreversible revision (downgrade_sql NULL) differs from one with
 *		an empty downgrade.
 */
char *
smig_checksum(const char *upgrade_sql, const char *downgrade_sql)
{
	StringInfoData buf;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		hex[PG_SHA256_DIGEST_LENGTH * 2 + 1];
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "schemamig-v1\nupgrade %zu\n", strlen(upgrade_sql));
	appendStringInfoString(&buf, upgrade_sql);
	if (downgrade_sql == NULL)
		appendStringInfoString(&buf, "\nirreversible\n");
	else
	{
		appendStringInfo(&buf, "\ndowngrade %zu\n", strlen(downgrade_sql));
		appendStringInfoString(&buf, downgrade_sql);
	}
	smig_sha256((uint8 *) buf.data, buf.len, digest);
	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + i * 2, 3, "%02x", digest[i]);
	pfree(buf.data);
	return psprintf("v1-sha256:%s", hex);
}
