/*-------------------------------------------------------------------------
 *
 * autogen.c
 *	  revision --autogenerate (and new --autogenerate): write the migration
 *	  file(s) that take the target database (-d) to a desired schema.
 *
 * The desired schema lives in a database: --from-db URL names one (a
 * development database that create_all() or a migration tool built), or
 * --from-sql FILE... loads schema files into a throwaway database this
 * command creates on the target's server and drops when it ends, whatever
 * way it ends (error, SIGINT, SIGTERM, SIGHUP).  There describe() gives the
 * snapshot; when schemamig is not installed in that database it is
 * installed inside a transaction that is rolled back, so nothing is left
 * behind.  The target then computes diff(snapshot): up to three revision
 * blocks chained on its head, each written to a file of its own, named and
 * chained as "new" names and chains them.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define SUMMARY_WIDTH 100

/* one revision block of diff()'s script */
typedef struct AutoBlock
{
	char	   *id;
	char	   *parents;		/* down_revision line's value, "" for none */
	char	   *message;		/* the message diff() gave */
	const char *start;			/* its text in the script */
	size_t		len;
	char	   *path;			/* the file written */
	char	   *text;			/* its text */
} AutoBlock;

/* a connection of this command (desired side), with its query's cancel */
static PGconn *src_conn = NULL;

/* the throwaway database of --from-sql, while it exists */
static char *scratch_db = NULL;

/* the target's connection parameters, to reach its server again */
static char **saved_keys = NULL;
static char **saved_values = NULL;

/* the query in flight (either connection), for the signal handler */
static PGcancel *volatile in_flight = NULL;
static volatile sig_atomic_t interrupted = 0;
static bool cleanup_registered = false;

/* the files being written: removed when the command dies half-way */
static const AutoBlock *written = NULL;
static int nwritten = 0;

static void check_options(const CliOptions *o, StrList *files);
static void save_conninfo(PGconn *conn);
static PGconn *connect_to(const char *dbname, bool expand);
static void on_signal(int signo);
static void install_signals(void);
static void check_interrupt(void);
static void drop_scratch(void);
static void atexit_drop_scratch(void);
static void remove_partial(void);
static PGresult *run(PGconn *conn, const char *sql, int nparams,
					 const char *const *params);
static void report(PGconn *conn, const PGresult *res, const char *what);
static char *create_scratch(void);
static void load_file(PGconn *conn, const char *path);
static char *snapshot(PGconn *conn, const char *where);
static int	split_blocks(const char *script, AutoBlock **blocks);
static char *line_value(const char *start, size_t len, const char *directive);
static void announce_parents(const MigDir *d, const AutoBlock *b);
static void check_paths(const AutoBlock *blocks, int nblocks);
static char *block_text(const AutoBlock *b, const char *message);
static void summarize(const AutoBlock *b, int nblocks);

/*
 * cmd_autogenerate
 *		revision|new --autogenerate -m MSG (--from-db URL | --from-sql FILE...)
 */
int
cmd_autogenerate(const CliOptions *o)
{
	StrList		files = {0};
	MigDir		d;
	PGresult   *res;
	char	   *desired;
	char	   *script;
	AutoBlock  *blocks;
	int			nblocks;
	int			i;
	const char *params[1];

	check_options(o, &files);
	for (i = 0; i < files.n; i++)
		if (access(files.items[i], R_OK) != 0)
			die(EXIT_FILES, "--from-sql: cannot read %s: %s", files.items[i],
				strerror(errno));
	migdir_load(&d, o->dir);

	cli_connect(o->dbname);
	cli_require_extension();
	save_conninfo(cli_conn);
	install_signals();

	if (o->from_db != NULL)
	{
		char	   *url = cli_libpq_url(o->from_db, "--from-db");

		src_conn = connect_to(url, true);
		free(url);
		if (PQstatus(src_conn) != CONNECTION_OK)
		{
			char	   *msg = xstrdup(PQerrorMessage(src_conn));
			char	   *eol = strchr(msg, '\n');

			if (eol != NULL)
				*eol = '\0';
			cli_error("--from-db: cannot connect to the desired-state database: %s",
					  msg[0] ? msg : "unknown error");
			cli_note("hint", "--from-db takes a connection string or URI, e.g. postgresql://user@host/devdb (SQLAlchemy's postgresql+psycopg2:// works too).");
			free(msg);
			cli_exit(EXIT_CONNECT);
		}
		check_interrupt();
		desired = snapshot(src_conn, "the --from-db database");
	}
	else
	{
		char	   *name = create_scratch();

		src_conn = connect_to(name, false);
		if (PQstatus(src_conn) != CONNECTION_OK)
			die(EXIT_CONNECT, "cannot connect to the throwaway database \"%s\": %s",
				name, PQerrorMessage(src_conn));
		free(name);
		check_interrupt();
		for (i = 0; i < files.n; i++)
			load_file(src_conn, files.items[i]);
		desired = snapshot(src_conn, "the throwaway database");
	}
	PQfinish(src_conn);
	src_conn = NULL;
	drop_scratch();
	check_interrupt();

	/*
	 * The target writes the script, chained on its head as "new" sees it:
	 * its registered revisions and the files, registered in a transaction
	 * that is rolled back (a file not pushed yet counts; one not applied
	 * yet is refused, as the live schema is not the head's).  When they do
	 * not register (a role that may only read, an applied file edited),
	 * the database's registered revisions alone, as new does.
	 */
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	if (d.nfiles > 0)
	{
		char	   *files_sql = migdir_script(&d);

		params[0] = files_sql;
		res = cli_query_try("SELECT revision FROM schemamig.register($1)", 1,
							params, &d);
		free(files_sql);
		if (res == NULL)
		{
			/* as new: the error is shown, the database's revisions remain */
			fprintf(stderr, "The files do not register in database \"%s\" (above): going on with its registered revisions only.\n",
					PQdb(cli_conn));
			PQclear(cli_query("ROLLBACK", 0, NULL, NULL));
			PQclear(cli_query("BEGIN", 0, NULL, NULL));
		}
		else
			PQclear(res);
	}
	res = cli_query("SELECT string_agg(h.revision, ', ' ORDER BY h.revision)"
					" FROM schemamig.heads() AS h"
					" WHERE h.revision NOT IN (SELECT c FROM schemamig.current() AS c)",
					0, NULL, NULL);
	if (!PQgetisnull(res, 0, 0))
	{
		cli_error("database \"%s\" is not at its head %s: revisions registered or in %s are not applied yet",
				  PQdb(cli_conn), PQgetvalue(res, 0, 0), dir_label(&d));
		cli_note("detail", "--autogenerate compares the live schema with the desired one; the pending revisions would run before the new one.");
		cli_note("hint", "Run \"schemamig upgrade\" first.");
		PQclear(res);
		free(desired);
		cli_exit(EXIT_REFUSED);
	}
	PQclear(res);
	params[0] = desired;
	res = run(cli_conn, "SELECT schemamig.diff($1::pg_catalog.jsonb)", 1, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		report(cli_conn, res, "");
		cli_exit(EXIT_REFUSED);
	}
	PQclear(cli_query("ROLLBACK", 0, NULL, NULL));
	free(desired);
	if (PQgetisnull(res, 0, 0))
	{
		PQclear(res);
		printf("No changes: database \"%s\" already has the desired schema; no file written.\n",
			   PQdb(cli_conn));
		migdir_free(&d);
		sl_free(&files);
		return EXIT_OK;
	}
	script = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);

	nblocks = split_blocks(script, &blocks);
	if (nblocks == 0)
		die(EXIT_REFUSED, "diff() returned a script without a revision block");
	announce_parents(&d, &blocks[0]);
	for (i = 0; i < nblocks; i++)
		if (migdir_find(&d, blocks[i].id) >= 0)
			die(EXIT_FILES, "diff() chose revision id \"%s\", which is already in %s; run the command again",
				blocks[i].id, dir_label(&d));

	/* one file per block, named as "new" names them; on a failure, none */
	for (i = 0; i < nblocks; i++)
	{
		StrBuf		msg;

		sb_init(&msg);
		sb_puts(&msg, o->message);
		if (strcmp(blocks[i].message, "autogenerate") != 0 &&
			strncmp(blocks[i].message, "autogenerate: ", 14) == 0)
			sb_printf(&msg, " (%s)", blocks[i].message + 14);
		blocks[i].path = migration_path(&d, o->name_template, blocks[i].id,
										msg.data);
		blocks[i].text = block_text(&blocks[i], msg.data);
		sb_free(&msg);
	}
	check_paths(blocks, nblocks);
	written = blocks;
	atexit(remove_partial);
	for (i = 0; i < nblocks; i++)
	{
		write_new_file(blocks[i].path, blocks[i].text, strlen(blocks[i].text));
		nwritten = i + 1;
	}
	written = NULL;
	summarize(blocks, nblocks);

	for (i = 0; i < nblocks; i++)
	{
		free(blocks[i].id);
		free(blocks[i].parents);
		free(blocks[i].message);
		free(blocks[i].path);
		free(blocks[i].text);
	}
	free(blocks);
	free(script);
	migdir_free(&d);
	sl_free(&files);
	return EXIT_OK;
}

/* the command line: a message, one source, nothing that does not apply */
static void
check_options(const CliOptions *o, StrList *files)
{
	const char *p;
	int			i;

	if (!o->autogenerate)
		die_usage("--%s goes with --autogenerate: schemamig %s --autogenerate -m MESSAGE %s ...",
				  o->from_db ? "from-db" : "from-sql", o->command,
				  o->from_db ? "--from-db URL" : "--from-sql FILE");
	if (o->message == NULL)
		die_usage("%s --autogenerate needs a message: schemamig %s --autogenerate -m \"what it does\" --from-db URL",
				  o->command, o->command);
	for (p = o->message; *p; p++)
		if (*p == '\n' || *p == '\r')
			die(EXIT_USAGE, "-m: the message must be one line");
	for (p = o->message; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0')
		die(EXIT_USAGE, "-m: the message is empty");
	if (o->from_db == NULL && o->from_sql == NULL)
		die_usage("--autogenerate needs the desired schema: --from-db URL (a database that has it) or --from-sql FILE... (schema files)");
	if (o->from_db != NULL && o->from_sql != NULL)
		die_usage("--from-db and --from-sql exclude each other: give the desired schema one way");
	if (o->from_db != NULL && o->from_db[0] == '\0')
		die_usage("--from-db needs a connection string");
	if (o->from_db != NULL && o->nargs > 0)
		die_usage("too many arguments for %s --autogenerate: \"%s\" (only --from-sql takes several files)",
				  o->command, o->args[0]);
	if (o->head != NULL || o->branch_label != NULL || o->depends_on != NULL ||
		o->rev_id != NULL)
		die_usage("--%s does not apply to --autogenerate (its revisions go on the database's head, which must be the files' head)",
				  o->head ? "head" : o->branch_label ? "branch-label" :
				  o->depends_on ? "depends-on" : "rev-id");
	if (o->from_sql != NULL)
	{
		sl_push(files, o->from_sql);
		for (i = 0; i < o->nargs; i++)
			sl_push(files, o->args[i]);
		for (i = 0; i < files->n; i++)
			if (files->items[i][0] == '\0')
				die_usage("--from-sql needs a file name");
	}
}

/* the target connection's parameters (password included), kept */
static void
save_conninfo(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn);
	PQconninfoOption *opt;
	int			n = 0;

	if (opts == NULL)
		die(EXIT_CONNECT, "out of memory reading the connection's parameters");
	for (opt = opts; opt->keyword != NULL; opt++)
		n++;
	saved_keys = xmalloc(sizeof(char *) * (n + 2));
	saved_values = xmalloc(sizeof(char *) * (n + 2));
	n = 0;
	for (opt = opts; opt->keyword != NULL; opt++)
	{
		if (opt->val == NULL || strcmp(opt->keyword, "dbname") == 0)
			continue;
		saved_keys[n] = xstrdup(opt->keyword);
		saved_values[n] = xstrdup(opt->val);
		n++;
	}
	saved_keys[n] = xstrdup("dbname");
	saved_values[n] = xstrdup(PQdb(conn));
	saved_keys[n + 1] = NULL;
	saved_values[n + 1] = NULL;
	PQconninfoFree(opts);
}

/*
 * connect_to
 *		expand: dbname is a connection string of its own (--from-db);
 *		else it is the name of a database on the target's server.
 */
static PGconn *
connect_to(const char *dbname, bool expand)
{
	PGconn	   *conn;

	if (expand)
	{
		const char *keys[] = {"fallback_application_name", "client_encoding",
		"connect_timeout", "dbname", NULL};
		const char *values[] = {"schemamig", "UTF8",
		getenv("PGCONNECT_TIMEOUT") ? getenv("PGCONNECT_TIMEOUT") : "10",
		dbname, NULL};

		conn = PQconnectdbParams(keys, values, 1);
	}
	else
	{
		int			n;
		const char *old;

		for (n = 0; saved_keys[n] != NULL; n++)
			;
		old = saved_values[n - 1];
		saved_values[n - 1] = (char *) dbname;
		conn = PQconnectdbParams((const char *const *) saved_keys,
								 (const char *const *) saved_values, 0);
		saved_values[n - 1] = (char *) old;
	}
	if (conn == NULL)
		die(EXIT_CONNECT, "out of memory while connecting");
	return conn;
}

/*
 * on_signal
 *		SIGINT, SIGTERM, SIGHUP: cancel the query in flight (PQcancel is
 *		safe here) and remember; the command stops at its next step and
 *		drops the throwaway database on the way out.
 */
static void
on_signal(int signo)
{
	PGcancel   *cancel = in_flight;
	char		errbuf[256];

	interrupted = signo;
	if (cancel != NULL)
		(void) PQcancel(cancel, errbuf, sizeof(errbuf));
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* after a signal: clean up, then die of it, as the caller expects */
static void
check_interrupt(void)
{
	int			signo = interrupted;

	if (signo == 0)
		return;
	fputs("schemamig: interrupted\n", stderr);
	drop_scratch();
	fflush(stdout);
	signal(signo, SIG_DFL);
	raise(signo);
	cli_exit(EXIT_REFUSED);
}

/*
 * drop_scratch
 *		Drop the throwaway database, if there is one, over a connection of
 *		its own to the target's database (the main one may be gone or in a
 *		failed transaction).  Signals wait until it is done.
 */
static void
drop_scratch(void)
{
	sigset_t	block;
	sigset_t	old;
	PGconn	   *conn;
	PGresult   *res;
	StrBuf		sql;
	char	   *ident;

	if (scratch_db == NULL)
		return;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);

	if (src_conn != NULL)
	{
		PQfinish(src_conn);
		src_conn = NULL;
	}
	/* the target's own database (saved_values ends with its name) */
	conn = PQconnectdbParams((const char *const *) saved_keys,
							 (const char *const *) saved_values, 0);
	sb_init(&sql);
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK &&
		(ident = PQescapeIdentifier(conn, scratch_db, strlen(scratch_db))) != NULL)
	{
		sb_printf(&sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", ident);
		PQfreemem(ident);
		res = PQexec(conn, sql.data);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			cli_warning("could not drop the throwaway database \"%s\": %s",
						scratch_db, PQresultErrorMessage(res));
			cli_note("hint", "Drop it by hand: DROP DATABASE ... WITH (FORCE);");
		}
		else if (cli_verbose)
			fprintf(stderr, "schemamig: dropped the throwaway database \"%s\"\n",
					scratch_db);
		PQclear(res);
	}
	else
	{
		cli_warning("could not connect to drop the throwaway database \"%s\": %s",
					scratch_db, conn ? PQerrorMessage(conn) : "out of memory");
		cli_note("hint", "Drop it by hand: DROP DATABASE ... WITH (FORCE);");
	}
	if (conn != NULL)
		PQfinish(conn);
	sb_free(&sql);
	free(scratch_db);
	scratch_db = NULL;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
atexit_drop_scratch(void)
{
	drop_scratch();
}

/* at exit, while writing: remove the files already written */
static void
remove_partial(void)
{
	int			i;

	if (written == NULL)
		return;
	for (i = 0; i < nwritten; i++)
		unlink(written[i].path);
}

/*
 * run
 *		One query with text parameters, cancellable by a signal.  The
 *		result, or NULL after reporting the server's error (a lost
 *		connection exits with EXIT_CONNECT).
 */
static PGresult *
run(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult   *res;
	PGcancel   *cancel;
	ExecStatusType status;

	check_interrupt();
	in_flight = PQgetCancel(conn);
	if (nparams == 0)
		res = PQexec(conn, sql);
	else
		res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	cancel = in_flight;
	in_flight = NULL;
	if (cancel != NULL)
		PQfreeCancel(cancel);
	check_interrupt();

	status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
		return res;
	if (PQstatus(conn) == CONNECTION_BAD)
		die(EXIT_CONNECT, "lost the connection to the server: %s",
			PQerrorMessage(conn));
	return res;
}

/* the server's error of res, with its detail and hint */
static void
report(PGconn *conn, const PGresult *res, const char *what)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (primary == NULL)
		cli_error("%s%s", what ? what : "", PQerrorMessage(conn));
	else
		cli_error("%s%s", what ? what : "", primary);
	if (res != NULL)
	{
		cli_note("detail", PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
		cli_note("hint", cli_hint(PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)));
	}
}

/*
 * create_scratch
 *		CREATE DATABASE schemamig_autogen_<pid>_<hex> on the target's
 *		server (needs CREATEDB); dropped at exit.
 */
static char *
create_scratch(void)
{
	unsigned char bytes[4] = {0};
	int			fd = open("/dev/urandom", O_RDONLY);
	StrBuf		name;
	StrBuf		sql;
	PGresult   *res;

	if (fd >= 0)
	{
		if (read(fd, bytes, sizeof(bytes)) != (ssize_t) sizeof(bytes))
			memset(bytes, 0, sizeof(bytes));
		close(fd);
	}
	sb_init(&name);
	sb_printf(&name, "schemamig_autogen_%ld_%02x%02x%02x%02x", (long) getpid(),
			  bytes[0], bytes[1], bytes[2], bytes[3]);
	sb_init(&sql);
	sb_printf(&sql, "CREATE DATABASE %s", name.data);

	if (!cleanup_registered)
	{
		atexit(atexit_drop_scratch);
		cleanup_registered = true;
	}
	/* set first: a signal during CREATE DATABASE still drops it */
	scratch_db = xstrdup(name.data);
	res = run(cli_conn, sql.data, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		free(scratch_db);
		scratch_db = NULL;
		report(cli_conn, res, "--from-sql: cannot create a throwaway database: ");
		if (state != NULL && strcmp(state, "42501") == 0)
			cli_note("hint", "--from-sql loads the files into a database it creates on the target's server and drops afterwards: the role needs CREATEDB (ALTER ROLE ... CREATEDB). Without it, load the files into a database of your own and use --from-db URL.");
		PQclear(res);
		cli_exit(EXIT_REFUSED);
	}
	PQclear(res);
	if (cli_verbose)
		fprintf(stderr, "schemamig: created the throwaway database \"%s\"\n",
				name.data);
	sb_free(&sql);
	return name.data;
}

/*
 * load_file
 *		Run a schema file in the throwaway database, as one simple query
 *		(several statements).  pg_dump's "\restrict KEY" / "\unrestrict KEY"
 *		lines are left out; other psql meta-commands are refused.  Errors
 *		name the file and line.
 */
static void
load_file(PGconn *conn, const char *path)
{
	MigFile		f;
	StrBuf		sql;
	const char *p;
	int			line = 1;
	PGresult   *res;

	migfile_read(path, &f);
	sb_init(&sql);
	for (p = f.text; *p; line++)
	{
		const char *eol = strchr(p, '\n');
		size_t		len = eol ? (size_t) (eol - p + 1) : strlen(p);

		if (p[0] == '\\')
		{
			if (strncmp(p, "\\restrict ", 10) == 0 ||
				strncmp(p, "\\unrestrict ", 12) == 0)
			{
				sb_putc(&sql, '\n');	/* keep the line numbers */
				p += len;
				continue;
			}
			die(EXIT_FILES, "%s:%d: psql meta-command \"%.*s\": --from-sql runs SQL only",
				path, line, (int) (len > 0 && p[len - 1] == '\n' ? len - 1 : len), p);
		}
		sb_putn(&sql, p, len);
		p += len;
	}

	res = run(conn, sql.data, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
		const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		int			errline = 0;

		if (pos != NULL)
		{
			long		chars = atol(pos);
			const char *q;

			/* the position counts characters (UTF8): skip continuation bytes */
			errline = 1;
			for (q = sql.data; *q && chars > 1; q++)
			{
				if ((*q & 0xC0) != 0x80)
					chars--;
				if (*q == '\n')
					errline++;
			}
		}
		if (errline > 0)
			cli_error("--from-sql: %s:%d: %s", path, errline,
					  primary ? primary : PQerrorMessage(conn));
		else
			cli_error("--from-sql: %s: %s", path,
					  primary ? primary : PQerrorMessage(conn));
		cli_note("detail", PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
		cli_note("hint", PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
		cli_note("context", PQresultErrorField(res, PG_DIAG_CONTEXT));
		PQclear(res);
		cli_exit(EXIT_REFUSED);
	}
	PQclear(res);
	/* the file may have changed settings or left a transaction open */
	res = run(conn, PQtransactionStatus(conn) == PQTRANS_IDLE ?
			  "RESET ALL" : "ROLLBACK", 0, NULL);
	PQclear(res);
	sb_free(&sql);
	free(f.text);
	free(f.path);
}

/*
 * snapshot
 *		describe() of the database conn is connected to.  Where schemamig is
 *		not installed, it is installed in a transaction that is rolled back
 *		after describe(): nothing stays.
 */
static char *
snapshot(PGconn *conn, const char *where)
{
	PGresult   *res;
	bool		installed;
	char	   *json;

	res = run(conn, "SELECT 1 FROM pg_catalog.pg_extension"
			  " WHERE extname OPERATOR(pg_catalog.=) 'schemamig'", 0, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		report(conn, res, "cannot read the desired-state database: ");
		cli_exit(EXIT_REFUSED);
	}
	installed = PQntuples(res) > 0;
	PQclear(res);

	if (!installed)
	{
		res = run(conn, "BEGIN", 0, NULL);
		PQclear(res);
		res = run(conn, "CREATE EXTENSION schemamig", 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			StrBuf		what;

			sb_init(&what);
			sb_printf(&what, "cannot describe %s (database \"%s\"): schemamig is not installed there, and installing it for the moment (in a transaction rolled back afterwards) failed: ",
					  where, PQdb(conn));
			report(conn, res, what.data);
			cli_note("hint", "That needs the extension's files on that server and the right to run CREATE EXTENSION schemamig in that database (it is a trusted extension: the CREATE privilege on the database, which its owner has). Otherwise install schemamig there once, or give the schema as files with --from-sql.");
			PQclear(res);
			sb_free(&what);
			cli_exit(EXIT_REFUSED);
		}
		PQclear(res);
	}
	res = run(conn, "SELECT schemamig.describe()::pg_catalog.text", 0, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
	{
		report(conn, res, "describe() failed in the desired-state database: ");
		cli_exit(EXIT_REFUSED);
	}
	json = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!installed)
	{
		res = run(conn, "ROLLBACK", 0, NULL);
		PQclear(res);
	}
	return json;
}

/* the revision blocks of script (which starts with the first) */
static int
split_blocks(const char *script, AutoBlock **blocks)
{
	const char *marker = "-- schemamig:revision ";
	const char *p = script;
	int			n = 0;
	int			cap = 4;

	*blocks = xmalloc(sizeof(AutoBlock) * cap);
	while ((p = strstr(p, marker)) != NULL)
	{
		AutoBlock  *b;
		const char *next;
		char	   *v;

		if (p != script && p[-1] != '\n')
		{
			p += strlen(marker);
			continue;
		}
		if (n == cap)
		{
			cap *= 2;
			*blocks = xrealloc(*blocks, sizeof(AutoBlock) * cap);
		}
		b = &(*blocks)[n++];
		memset(b, 0, sizeof(*b));
		b->start = p;
		next = p + 1;
		for (;;)
		{
			next = strstr(next, marker);
			if (next == NULL || next[-1] == '\n')
				break;
			next++;
		}
		b->len = next ? (size_t) (next - p) : strlen(p);
		v = line_value(p, b->len, "revision");
		b->id = v ? v : xstrdup("");
		v = line_value(p, b->len, "down_revision");
		b->parents = v ? v : xstrdup("");
		v = line_value(p, b->len, "message");
		b->message = v ? v : xstrdup("");
		p += strlen(marker);
	}
	return n;
}

/* the value of "-- schemamig:DIRECTIVE value" in the block's header */
static char *
line_value(const char *start, size_t len, const char *directive)
{
	const char *p = start;
	const char *end = start + len;
	size_t		dlen = strlen(directive);

	while (p < end)
	{
		const char *eol = memchr(p, '\n', end - p);
		size_t		llen = eol ? (size_t) (eol - p) : (size_t) (end - p);

		if (llen > 13 + dlen && strncmp(p, "-- schemamig:", 13) == 0 &&
			strncmp(p + 13, directive, dlen) == 0 && p[13 + dlen] == ' ')
			return xstrndup(p + 14 + dlen, llen - 14 - dlen);
		if (strncmp(p, "-- schemamig:upgrade", 20) == 0)
			break;
		p = eol ? eol + 1 : end;
	}
	return NULL;
}

/*
 * announce_parents
 *		diff() chained its first block on the database's head(s), with the
 *		files registered: say so as "new" does, and which of them has no
 *		file here (export writes it).
 */
static void
announce_parents(const MigDir *d, const AutoBlock *b)
{
	StrList		heads = {0};
	StrBuf		where;
	int			i;

	split_words(b->parents, &heads);
	sb_init(&where);
	sb_printf(&where, "database \"%s\" (its registered revisions and the files in %s)",
			  PQdb(cli_conn), dir_label(d));
	announce_base(&heads, where.data);
	for (i = 0; i < heads.n; i++)
		if (migdir_find(d, heads.items[i]) < 0)
		{
			StrBuf		hint;

			sb_init(&hint);
			sb_printf(&hint, "Revision %s is in the database but has no file in %s: \"schemamig export %s\" writes it.",
					  heads.items[i], dir_label(d), heads.items[i]);
			cli_note("hint", hint.data);
			sb_free(&hint);
		}
	sb_free(&where);
	sl_free(&heads);
}

/* the files to write: none exists yet, no two the same (--template) */
static void
check_paths(const AutoBlock *blocks, int nblocks)
{
	int			i,
				k;

	for (i = 0; i < nblocks; i++)
	{
		if (access(blocks[i].path, F_OK) == 0)
			die(EXIT_FILES, "cannot create %s: it exists", blocks[i].path);
		for (k = 0; k < i; k++)
			if (strcmp(blocks[i].path, blocks[k].path) == 0)
				die(EXIT_USAGE, "the template gives the same file name to revisions %s and %s: %s (add {id} or {slug})",
					blocks[k].id, blocks[i].id, blocks[i].path);
	}
}

/*
 * block_text
 *		The file of a block: the header as "new" writes it (with message),
 *		then the block from its upgrade line on.  malloc'd.
 */
static char *
block_text(const AutoBlock *b, const char *message)
{
	StrBuf		sb;
	StrList		down = {0};
	StrList		none = {0};
	const char *p = b->start;
	const char *end = b->start + b->len;

	while (p < end && strncmp(p, "-- schemamig:upgrade", 20) != 0)
	{
		const char *eol = memchr(p, '\n', end - p);

		p = eol ? eol + 1 : end;
	}
	if (p == end)
		die(EXIT_REFUSED, "diff() returned revision %s without an upgrade section",
			b->id);
	split_words(b->parents, &down);
	sb_init(&sb);
	revision_header(&sb, b->id, message, &down, &none, &none);
	/*
	 * The other header directives diff() wrote (such as "-- schemamig:
	 * transaction off" of a revision of CONCURRENTLY statements), as they are.
	 */
	for (const char *h = b->start; h < p;)
	{
		const char *eol = memchr(h, '\n', p - h);
		size_t		hlen = eol ? (size_t) (eol - h) : (size_t) (p - h);
		static const char *const own[] = {"revision ", "down_revision ",
		"message ", "branch_labels ", "depends_on "};
		bool		ours = false;

		if (hlen > 13 && strncmp(h, "-- schemamig:", 13) == 0)
		{
			for (int k = 0; k < (int) (sizeof(own) / sizeof(own[0])); k++)
				if (strncmp(h + 13, own[k], strlen(own[k])) == 0)
					ours = true;
			if (!ours)
			{
				sb_putn(&sb, h, hlen);
				sb_puts(&sb, "\n");
			}
		}
		h = eol ? eol + 1 : p;
	}
	sb_putn(&sb, p, end - p);
	/* one blank line between the generated SQL and the end of the file */
	while (sb.len > 0 && sb.data[sb.len - 1] == '\n')
		sb.data[--sb.len] = '\0';
	sb_puts(&sb, "\n");
	sl_free(&down);
	return sb.data;
}

/*
 * summarize
 *		Each file's path, then its upgrade's statements (first line), and
 *		the comments a reviewer must read: hazards, what is not handled,
 *		what looks like a rename.
 */
static void
summarize(const AutoBlock *b, int nblocks)
{
	int			i;
	int			hazards = 0;
	int			unhandled = 0;

	for (i = 0; i < nblocks; i++)
	{
		const char *p = b[i].start;
		const char *end = b[i].start + b[i].len;
		bool		upgrade = false;
		int			statements = 0;

		printf("%s\n", b[i].path);
		while (p < end)
		{
			const char *eol = memchr(p, '\n', end - p);
			int			llen = eol ? (int) (eol - p) : (int) (end - p);
			int			shown = llen > SUMMARY_WIDTH ? SUMMARY_WIDTH : llen;
			const char *more = llen > SUMMARY_WIDTH ? " ..." : "";

			if (strncmp(p, "-- schemamig:upgrade", 20) == 0)
				upgrade = true;
			else if (strncmp(p, "-- schemamig:downgrade", 22) == 0)
				break;
			else if (upgrade && strncmp(p, "-- hazard: ", 11) == 0)
			{
				printf("  ! %.*s%s\n", shown - 3, p + 3, more);
				hazards++;
			}
			else if (upgrade && (strncmp(p, "-- not handled: ", 16) == 0 ||
								 strncmp(p, "-- looks like a rename: ", 24) == 0))
			{
				printf("  ? %.*s%s\n", shown - 3, p + 3, more);
				unhandled++;
			}
			else if (upgrade &&
					 (strncmp(p, "CREATE ", 7) == 0 || strncmp(p, "ALTER ", 6) == 0 ||
					  strncmp(p, "DROP ", 5) == 0 || strncmp(p, "COMMENT ", 8) == 0 ||
					  strncmp(p, "GRANT ", 6) == 0 || strncmp(p, "REVOKE ", 7) == 0))
			{
				printf("  %.*s%s\n", shown, p, more);
				statements++;
			}
			p = eol ? eol + 1 : end;
		}
		if (statements == 0)
			printf("  (no statements)\n");
	}
	printf("%d file%s written, %d hazard%s, %d item%s to review (not handled / possible renames)\n",
		   nblocks, nblocks == 1 ? "" : "s", hazards, hazards == 1 ? "" : "s",
		   unhandled, unhandled == 1 ? "" : "s");
	if (hazards > 0 || unhandled > 0)
		fprintf(stderr, "schemamig: review the files before \"schemamig upgrade\": lines marked ! and ? above\n");
}
