/*-------------------------------------------------------------------------
 *
 * connect.c
 *	  Where the connection comes from, running queries, and showing what
 *	  the server says (errors and notices) in the user's terms.
 *
 * The connection string is the first of: -d, $DATABASE_URL, DATABASE_URL=
 * in the nearest .env (the current directory up to the repository's top),
 * then POSTGRES_SERVER/PORT/USER/PASSWORD/DB (environment, then .env),
 * then nothing (libpq reads its PG* variables).  SQLAlchemy's
 * "postgresql+driver://" loses its driver part.  Queries always
 * pass values as parameters.  An error of register() counts lines in the
 * concatenation of the pushed files; with the files' map, "line N" becomes
 * "line K of FILE".  Ctrl-C during a query sends a cancel request, so the
 * server rolls back and the error says so.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

bool		cli_verbose = false;

PGconn	   *cli_conn = NULL;

/* the cancel handle of the query in flight, for the SIGINT handler */
static PGcancel *volatile cancel_handle = NULL;

/* the files map of the query in flight, for notices */
static const MigDir *query_map = NULL;

static char *find_dotenv(void);
static char *dotenv_get(const char *path, const char *key);
static char *dotenv_value(const char *v, int lineno, const char *key);
static void notice_receiver(void *arg, const PGresult *res);
static void handle_sigint(int signo);
static void report_server_error(const PGresult *res, const MigDir *map);
static char *map_lines(const char *text, const MigDir *map,
					   const char **loc_path, int *loc_line);
static bool locate_revision(const char *text, const MigDir *map,
							const char **loc_path, int *loc_line);
static const char *skip_number(const char *p, long *value);

/*
 * cli_connect
 *		Connect, or exit with EXIT_CONNECT and a message saying where the
 *		connection string came from.
 */
static char **soft_why = NULL;

/*
 * cli_connect_soft
 *		Connect like cli_connect, but when that fails, or schemamig is not
 *		installed there, return false with *why saying so (malloc'd).
 */
bool
cli_connect_soft(const char *dbname_flag, char **why)
{
	char	   *version;

	*why = NULL;
	soft_why = why;
	cli_connect(dbname_flag);
	soft_why = NULL;
	if (cli_conn == NULL)
		return false;
	version = cli_extension_version();
	if (version == NULL)
	{
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "schemamig is not installed in database \"%s\"", PQdb(cli_conn));
		*why = sb.data;
		cli_disconnect();
		return false;
	}
	free(version);
	return true;
}

void
cli_connect(const char *dbname_flag)
{
	static const char *const pgvars[][2] = {
		{"POSTGRES_SERVER", "host"},
		{"POSTGRES_PORT", "port"},
		{"POSTGRES_USER", "user"},
		{"POSTGRES_PASSWORD", "password"},
		{"POSTGRES_DB", "dbname"},
	};
	const char *keys[12];
	const char *values[12];
	char	   *owned[6] = {0};
	int			nowned = 0;
	const char *origin;
	char	   *url = NULL;
	const char *env = getenv("DATABASE_URL");
	char	   *dotenv = find_dotenv();
	StrBuf		origin_buf;
	int			n = 0;
	int			i;
	struct sigaction sa;

	sb_init(&origin_buf);
	if (dbname_flag != NULL)
	{
		url = xstrdup(dbname_flag);
		origin = "-d";
	}
	else if (env != NULL && env[0] != '\0')
	{
		url = xstrdup(env);
		origin = "$DATABASE_URL";
	}
	else if (dotenv != NULL && (url = dotenv_get(dotenv, "DATABASE_URL")) != NULL)
	{
		sb_printf(&origin_buf, "DATABASE_URL in %s", dotenv);
		origin = origin_buf.data;
	}
	else
		origin = "the PG* environment variables";

	/* defaults first: what the connection string says wins */
	keys[n] = "fallback_application_name";
	values[n++] = "schemamig";
	keys[n] = "client_encoding";
	values[n++] = "UTF8";
	if (getenv("PGCONNECT_TIMEOUT") == NULL)
	{
		keys[n] = "connect_timeout";
		values[n++] = "10";
	}
	if (url != NULL)
	{
		char	   *plain = cli_libpq_url(url, origin);

		free(url);
		url = plain;
		keys[n] = "dbname";
		values[n++] = url;
	}
	else
	{
		/* POSTGRES_* (environment, then .env), as docker images and templates set them */
		bool		any = false;

		for (i = 0; i < 5; i++)
		{
			const char *e = getenv(pgvars[i][0]);
			char	   *v = (e != NULL && e[0] != '\0') ? xstrdup(e) :
				dotenv != NULL ? dotenv_get(dotenv, pgvars[i][0]) : NULL;

			if (v == NULL)
				continue;
			owned[nowned++] = v;
			keys[n] = pgvars[i][1];
			values[n++] = v;
			any = true;
		}
		if (any)
			origin = "the POSTGRES_* variables";
	}
	if (cli_verbose)
	{
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "connection from %s", origin);
		cli_note("note", sb.data);
		sb_free(&sb);
	}
	free(dotenv);
	keys[n] = NULL;
	values[n] = NULL;

	cli_conn = PQconnectdbParams(keys, values, 1);
	free(url);
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	if (cli_conn == NULL)
		die(EXIT_CONNECT, "out of memory while connecting");
	if (PQstatus(cli_conn) != CONNECTION_OK)
	{
		char	   *msg = xstrdup(PQerrorMessage(cli_conn));
		char	   *eol = strchr(msg, '\n');

		/* the first line is the error; libpq's further lines are detail */
		if (eol != NULL)
			*eol = '\0';
		if (soft_why != NULL)
		{
			StrBuf		sb;

			sb_init(&sb);
			sb_printf(&sb, "cannot connect (connection from %s): %s", origin,
					  msg[0] ? msg : "unknown error");
			*soft_why = sb.data;
			free(msg);
			PQfinish(cli_conn);
			cli_conn = NULL;
			sb_free(&origin_buf);
			return;
		}
		cli_error("cannot connect (connection from %s): %s", origin,
				  msg[0] ? msg : "unknown error");
		if (eol != NULL)
		{
			char	   *p = eol + 1;
			char	   *o = p;

			/* libpq indents its further lines with a tab: drop it */
			while (*p)
			{
				if (*p == '\t' && (p == eol + 1 || p[-1] == '\n'))
				{
					p++;
					continue;
				}
				*o++ = *p++;
			}
			*o = '\0';
			cli_note("detail", eol + 1);
		}
		free(msg);
		cli_exit(EXIT_CONNECT);
	}
	PQsetNoticeReceiver(cli_conn, notice_receiver, NULL);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handle_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sb_free(&origin_buf);
}

/*
 * find_dotenv
 *		The .env file of the current directory or the nearest directory
 *		above it, up to the repository's top (a directory holding .git) or
 *		/; malloc'd path, or NULL.
 */
static char *
find_dotenv(void)
{
	StrBuf		rel;
	char		cwd[4096];
	char	   *p;
	struct stat st;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	sb_init(&rel);
	for (;;)
	{
		StrBuf		path;

		sb_init(&path);
		sb_printf(&path, "%s.env", rel.data);
		if (stat(path.data, &st) == 0 && !S_ISDIR(st.st_mode))
		{
			sb_free(&rel);
			return path.data;
		}
		sb_free(&path);
		sb_init(&path);
		sb_printf(&path, "%s.git", rel.data);
		if (stat(path.data, &st) == 0)
		{
			sb_free(&path);
			break;
		}
		sb_free(&path);
		p = strrchr(cwd, '/');
		if (p == NULL || (p == cwd && cwd[1] == '\0'))
			break;
		if (p == cwd)
			p[1] = '\0';
		else
			*p = '\0';
		sb_puts(&rel, "../");
	}
	sb_free(&rel);
	return NULL;
}

/*
 * cli_libpq_url
 *		A connection string as libpq takes it.  SQLAlchemy's URLs name a
 *		driver: postgresql+psycopg2://, postgresql+asyncpg://,
 *		postgres+...://; libpq knows postgresql:// and postgres://, so the
 *		driver part is dropped (with --verbose, a note says so, naming
 *		origin and the URL with its password masked).  malloc'd.
 */
char *
cli_libpq_url(const char *url, const char *origin)
{
	static const char *const schemes[] = {"postgresql+", "postgres+"};
	int			i;

	for (i = 0; i < 2; i++)
	{
		size_t		len = strlen(schemes[i]);
		const char *rest;
		StrBuf		sb;

		if (strncmp(url, schemes[i], len) != 0 ||
			(rest = strstr(url + len, "://")) == NULL)
			continue;
		sb_init(&sb);
		sb_puts(&sb, "postgresql");
		sb_puts(&sb, rest);
		if (cli_verbose)
		{
			StrBuf		note;
			char	   *shown = mask_conninfo(sb.data);

			sb_init(&note);
			sb_printf(&note, "the connection URL from %s names a SQLAlchemy driver; connecting with libpq to %s",
					  origin, shown);
			cli_note("note", note.data);
			sb_free(&note);
			free(shown);
		}
		return sb.data;
	}
	return xstrdup(url);
}

void
cli_disconnect(void)
{
	if (cli_conn != NULL)
	{
		PQfinish(cli_conn);
		cli_conn = NULL;
	}
}

/*
 * handle_sigint
 *		Ctrl-C: ask the server to cancel the query in flight (PQcancel is
 *		safe in a signal handler); with none in flight, die as usual.
 */
static void
handle_sigint(int signo)
{
	PGcancel   *cancel = cancel_handle;
	char		errbuf[256];

	if (cancel != NULL)
	{
		(void) PQcancel(cancel, errbuf, sizeof(errbuf));
		return;
	}
	signal(SIGINT, SIG_DFL);
	raise(SIGINT);
}

/*
 * dotenv_database_url
 *		DATABASE_URL from ./.env (KEY=value lines, "#" comments, optional
 *		"export ", single or double quotes), malloc'd; NULL when there is no
 *		such file or no such line.  The last assignment wins.
 */
static char *
dotenv_get(const char *path, const char *key)
{
	FILE	   *f = fopen(path, "r");
	size_t		klen = strlen(key);
	StrBuf		sb;
	char		chunk[4096];
	size_t		n;
	char	   *result = NULL;
	char	   *p;
	int			lineno = 0;

	if (f == NULL)
	{
		if (errno == ENOENT)
			return NULL;
		die(EXIT_CONNECT, "cannot read %s: %s", path, strerror(errno));
	}
	sb_init(&sb);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_putn(&sb, chunk, n);
	if (ferror(f))
		die(EXIT_CONNECT, "cannot read %s: %s", path, strerror(errno));
	fclose(f);

	p = sb.data;
	while (*p)
	{
		char	   *eol = strchr(p, '\n');
		char	   *line = p;
		char	   *end;

		lineno++;
		if (eol != NULL)
			*eol = '\0';
		end = line + strlen(line);
		while (end > line && isspace((unsigned char) end[-1]))
			*--end = '\0';
		while (isspace((unsigned char) *line))
			line++;
		if (strncmp(line, "export", 6) == 0 &&
			(line[6] == ' ' || line[6] == '\t'))
		{
			line += 6;
			while (isspace((unsigned char) *line))
				line++;
		}
		if (strncmp(line, key, klen) == 0)
		{
			char	   *v = line + klen;

			while (*v == ' ' || *v == '\t')
				v++;
			if (*v == '=')
			{
				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				free(result);
				result = dotenv_value(v, lineno, key);
			}
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	sb_free(&sb);
	if (result != NULL && result[0] == '\0')
	{
		free(result);
		result = NULL;
	}
	return result;
}

/* a .env value: quoted (\" and \\ escapes in double quotes) or bare */
static char *
dotenv_value(const char *v, int lineno, const char *key)
{
	StrBuf		sb;

	sb_init(&sb);
	if (*v == '"' || *v == '\'')
	{
		char		quote = *v++;

		while (*v && *v != quote)
		{
			if (quote == '"' && *v == '\\' && (v[1] == '"' || v[1] == '\\'))
				v++;
			sb_putc(&sb, *v++);
		}
		if (*v != quote)
			die(EXIT_CONNECT, ".env line %d: %s has no closing %c",
				lineno, key, quote);
	}
	else
	{
		const char *end = v;

		/* a bare value ends at " #", a comment */
		while (*end && !((end[0] == ' ' || end[0] == '\t') && end[1] == '#'))
			end++;
		while (end > v && isspace((unsigned char) end[-1]))
			end--;
		sb_putn(&sb, v, end - v);
	}
	return sb.data;
}

/*
 * notice_receiver
 *		The server's NOTICEs (upgrade steps, retries) on stdout as they
 *		arrive; WARNINGs on stderr, with pushed files' lines mapped.
 */
static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);

	if (primary == NULL)
		primary = PQresultErrorMessage(res);
	if (severity != NULL && strcmp(severity, "WARNING") == 0)
	{
		const char *path = NULL;
		int			line = 0;
		char	   *msg = map_lines(primary, query_map, &path, &line);
		char	   *det = detail ? map_lines(detail, query_map, NULL, NULL) : NULL;

		cli_warning("%s", msg);
		cli_note("detail", det);
		cli_note("hint", hint);
		free(msg);
		free(det);
	}
	else
	{
		printf("%s\n", primary);
		if (detail != NULL)
			printf("  %s\n", detail);
		fflush(stdout);
	}
}

/*
 * cli_query_try
 *		Run sql with text parameters.  On success the result (the caller
 *		PQclears it); when the server refuses, report the error and return
 *		NULL.  A lost connection exits with EXIT_CONNECT.  map, when not
 *		NULL, maps script lines in errors to the pushed files.
 */
PGresult *
cli_query_try(const char *sql, int nparams, const char *const *params,
			  const MigDir *map)
{
	PGresult   *res;
	PGcancel   *cancel;
	ExecStatusType status;

	query_map = map;
	cancel_handle = PQgetCancel(cli_conn);
	res = PQexecParams(cli_conn, sql, nparams, NULL, params, NULL, NULL, 0);
	cancel = cancel_handle;
	cancel_handle = NULL;
	if (cancel != NULL)
		PQfreeCancel(cancel);
	query_map = NULL;

	status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
		return res;
	if (PQstatus(cli_conn) == CONNECTION_BAD)
	{
		char	   *msg = xstrdup(PQerrorMessage(cli_conn));
		char	   *eol = strchr(msg, '\n');

		if (eol != NULL)
			*eol = '\0';
		PQclear(res);
		cli_error("lost the connection to the server: %s", msg);
		free(msg);
		cli_note("hint", "Whatever the command was doing was rolled back unless it had finished; run \"schemamig status\" to see.");
		cli_exit(EXIT_CONNECT);
	}
	if (res == NULL)
		die(EXIT_REFUSED, "%s", PQerrorMessage(cli_conn));
	report_server_error(res, map);
	PQclear(res);
	return NULL;
}

/* cli_query_try, exiting with EXIT_REFUSED when the server refuses */
PGresult *
cli_query(const char *sql, int nparams, const char *const *params,
		  const MigDir *map)
{
	PGresult   *res = cli_query_try(sql, nparams, params, map);

	if (res == NULL)
		cli_exit(EXIT_REFUSED);
	return res;
}

/* the installed version of schemamig in this database, malloc'd, or NULL */
char *
cli_extension_version(void)
{
	const char *params[1] = {"schemamig"};
	PGresult   *res = cli_query("SELECT e.extversion FROM pg_catalog.pg_extension e"
								" WHERE e.extname OPERATOR(pg_catalog.=) $1",
								1, params, NULL);
	char	   *version = NULL;

	if (PQntuples(res) == 1)
		version = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return version;
}

/* exit with EXIT_REFUSED and a clear message when schemamig is missing */
void
cli_require_extension(void)
{
	char	   *version = cli_extension_version();

	if (version != NULL)
	{
		free(version);
		return;
	}
	cli_error("schemamig is not installed in database \"%s\"", PQdb(cli_conn));
	cli_note("hint", "A superuser installs it with: CREATE EXTENSION schemamig;  (\"schemamig check\" tells more)");
	cli_exit(EXIT_REFUSED);
}

/* the current heads joined by ", ", or "base"; malloc'd */
char *
cli_current(void)
{
	PGresult   *res = cli_query("SELECT c FROM schemamig.current() AS c", 0,
								NULL, NULL);
	StrList		sl = {0};
	char	   *result;
	int			i;

	for (i = 0; i < PQntuples(res); i++)
		sl_push(&sl, PQgetvalue(res, i, 0));
	PQclear(res);
	result = sl.n > 0 ? join_words(&sl, ", ") : xstrdup("base");
	sl_free(&sl);
	return result;
}

/*
 * report_server_error
 *		The server's error as "schemamig: error: ..." with its detail, hint
 *		and context.  With a map, lines of the pushed script become lines
 *		of files, and when the message itself names no line, the first
 *		place found in the detail, the context or a revision id named by
 *		the message is added: "(FILE, line K)".
 */
static void
report_server_error(const PGresult *res, const MigDir *map)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
	const char *path = NULL;
	int			line = 0;
	char	   *msg;
	char	   *det = NULL;
	char	   *ctx = NULL;

	if (primary == NULL)
	{
		/* an error made by libpq itself: one line of its message */
		char	   *copy = xstrdup(PQresultErrorMessage(res));
		char	   *eol = strchr(copy, '\n');

		if (eol != NULL)
			*eol = '\0';
		cli_error("%s", copy[0] ? copy : "unknown error");
		free(copy);
		return;
	}

	msg = map_lines(primary, map, &path, &line);
	if (path == NULL && map != NULL)
	{
		const char *p2 = NULL;
		int			l2 = 0;

		if (detail != NULL)
			det = map_lines(detail, map, &p2, &l2);
		if (context != NULL)
			ctx = map_lines(context, map, p2 ? NULL : &p2, p2 ? NULL : &l2);
		if (p2 == NULL)
			(void) locate_revision(primary, map, &p2, &l2);
		if (p2 != NULL)
			cli_error("%s (%s, line %d)", msg, p2, l2);
		else
			cli_error("%s", msg);
	}
	else
	{
		cli_error("%s", msg);
		if (detail != NULL)
			det = map_lines(detail, map, NULL, NULL);
		if (context != NULL)
			ctx = map_lines(context, map, NULL, NULL);
	}
	cli_note("detail", det ? det : detail);
	cli_note("hint", cli_hint(hint));
	cli_note("context", ctx ? ctx : context);
	free(msg);
	free(det);
	free(ctx);
}

/*
 * cli_hint
 *		A server hint that names SQL functions, in the words of this client
 *		(the command to run); others unchanged.
 */
const char *
cli_hint(const char *hint)
{
	static const char *const map[][2] = {
		{"Name one head, or merge them with schemamig.merge().",
		"Name one head (schemamig upgrade REV, or LABEL@head), or join them: schemamig merge heads -m \"merge heads\", then schemamig upgrade."},
		{"Name one head or a branch label (label@head), use \"heads\", or merge them with schemamig.merge().",
		"Name one head (schemamig upgrade REV, or LABEL@head), or join them: schemamig merge heads -m \"merge heads\", then schemamig upgrade."},
		{"Downgrade to a later revision, or use schemamig.stamp() to record a state without running SQL.",
		"Downgrade to a later revision, or record a state without running SQL: schemamig stamp TARGET."},
		{"Review the revision; register the reviewed script again if it is pending (see schemamig.check()).",
		"Review the revision; if it is pending, fix its file and run the command again (schemamig check lists the problems)."},
		{"Use schemamig.register(), revision(), merge() or forget() to change revisions, and upgrade(), downgrade() or stamp() to change what is applied.",
		"Use schemamig push, forget, upgrade, downgrade or stamp."},
	};
	int			i;

	if (hint == NULL)
		return NULL;
	for (i = 0; i < (int) (sizeof(map) / sizeof(map[0])); i++)
		if (strcmp(hint, map[i][0]) == 0)
			return map[i][1];
	return hint;
}

/* parse decimal digits at p into *value; the end, or NULL if none/too big */
static const char *
skip_number(const char *p, long *value)
{
	long		v = 0;

	if (!isdigit((unsigned char) *p))
		return NULL;
	while (isdigit((unsigned char) *p))
	{
		if (v > 100000000L)
			return NULL;
		v = v * 10 + (*p - '0');
		p++;
	}
	*value = v;
	return p;
}

/*
 * map_lines
 *		text with every "line N" of the pushed script written as "line K of
 *		FILE" ("lines N and M" likewise; " of the script" is dropped, and
 *		"line N of the revision" counts in a revision, so it stays).  The
 *		first place mapped goes to *loc_path and *loc_line when those are not
 *		NULL.  Without a map, a copy of text.  malloc'd.
 */
static char *
map_lines(const char *text, const MigDir *map, const char **loc_path,
		  int *loc_line)
{
	StrBuf		sb;
	const char *p = text;

	sb_init(&sb);
	if (map == NULL)
	{
		sb_puts(&sb, text);
		return sb.data;
	}
	while (*p)
	{
		bool		plural;
		const char *q;
		const char *after;
		long		n1 = 0,
					n2 = 0;
		const char *f1,
				   *f2;
		int			k1,
					k2;

		if (strncmp(p, "line", 4) != 0 ||
			(p > text && isalnum((unsigned char) p[-1])))
		{
			sb_putc(&sb, *p++);
			continue;
		}
		plural = (p[4] == 's');
		q = p + 4 + (plural ? 1 : 0);
		if (*q != ' ' || (after = skip_number(q + 1, &n1)) == NULL ||
			isalnum((unsigned char) *after))
		{
			sb_putc(&sb, *p++);
			continue;
		}
		if (!plural)
		{
			if (strncmp(after, " of the revision", 16) == 0 ||
				!migdir_locate(map, (int) n1, &f1, &k1))
			{
				sb_putn(&sb, p, after - p);
				p = after;
				continue;
			}
			if (strncmp(after, " of the script", 14) == 0)
				after += 14;
			sb_printf(&sb, "line %d of %s", k1, f1);
		}
		else
		{
			const char *and_end;

			if (strncmp(after, " and ", 5) != 0 ||
				(and_end = skip_number(after + 5, &n2)) == NULL ||
				!migdir_locate(map, (int) n1, &f1, &k1) ||
				!migdir_locate(map, (int) n2, &f2, &k2))
			{
				sb_putn(&sb, p, after - p);
				p = after;
				continue;
			}
			after = and_end;
			if (strncmp(after, " of the script", 14) == 0)
				after += 14;
			if (strcmp(f1, f2) == 0)
				sb_printf(&sb, "lines %d and %d of %s", k1, k2, f1);
			else
				sb_printf(&sb, "line %d of %s and line %d of %s",
						  k1, f1, k2, f2);
		}
		if (loc_path != NULL && *loc_path == NULL)
		{
			*loc_path = f1;
			*loc_line = k1;
		}
		p = after;
	}
	return sb.data;
}

/* the file and line of the first pushed revision named "revision "ID"" */
static bool
locate_revision(const char *text, const MigDir *map, const char **loc_path,
				int *loc_line)
{
	const char *p = text;

	while ((p = strstr(p, "revision \"")) != NULL)
	{
		const char *start = p + 10;
		const char *end = strchr(start, '"');

		if (end != NULL && end - start <= SMIG_ID_MAXLEN)
		{
			char	   *id = xstrndup(start, end - start);
			int			i = migdir_find(map, id);

			free(id);
			if (i >= 0)
			{
				*loc_path = map->files[map->revs[i].file].path;
				*loc_line = map->revs[i].line;
				return true;
			}
		}
		p = start;
	}
	return false;
}
