/*-------------------------------------------------------------------------
 *
 * many.c
 *	  upgrade, status and check over several databases (a database per
 *	  tenant): repeated -d, or --targets FILE with one URL a line; at most
 *	  --jobs of them at once; a summary table at the end.
 *
 * Each database is handled by a child process running the very command a
 * single -d runs (one connection, one transaction per database, the files
 * registered first), its output kept in temporary files.  Processes rather
 * than libpq's asynchronous API: the single-database commands stay the one
 * code path (errors that end the command end only that child), a failure
 * in one database cannot disturb another, and a fork costs little next to
 * a connection and a migration.  The child reports where the database was
 * and is (from, to, steps) through cli_report; the parent prints the table
 * in the order the databases were given, then the errors of those that
 * failed.  Passwords in URLs are never printed.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_JOBS 4

RunReport	cli_report = {0};

/* one database of the run */
typedef struct Target
{
	const char *url;
	char	   *shown;			/* url with its password masked */
	pid_t		pid;			/* 0: not started or done */
	FILE	   *out;			/* the child's stdout, stderr, report */
	char	   *out_text;		/* what it said on stdout */
	FILE	   *err;
	FILE	   *rep;
	struct timeval start;
	double		secs;
	bool		done;
	int			status;
	char	   *from;
	char	   *to;
	char	   *steps;
	char	   *error;
	char	   *err_text;		/* everything it said on stderr */
} Target;

static FILE *report_file = NULL;
static volatile sig_atomic_t interrupted = 0;

static void read_targets(const char *path, StrList *urls);
static void launch(Target *t, const CliOptions *o,
				   int (*run) (const CliOptions *o));
static void collect(Target *t, int status);
static char *slurp(FILE *f);
static const char *status_words(int status);

/* several databases: more than one -d, --targets or --jobs */
bool
many_wanted(const CliOptions *o)
{
	return o->ndbnames > 1 || o->targets_file != NULL || o->jobs > 0;
}

static void
on_sigint(int signo)
{
	interrupted = 1;
}

/* the child's report, written however it exits */
static void
write_report(void)
{
	if (report_file == NULL)
		return;
	fprintf(report_file, "%s\n%s\n%d\n",
			cli_report.from ? cli_report.from : "",
			cli_report.to ? cli_report.to : "", cli_report.steps);
	fflush(report_file);
	free(cli_report.from);
	free(cli_report.to);
	cli_report.from = cli_report.to = NULL;
}

/*
 * many_run
 *		Run the command on every target, at most o->jobs at once; print the
 *		table; EXIT_TARGETS when any failed.
 */
int
many_run(const CliOptions *o, int (*run) (const CliOptions *o))
{
	StrList		urls = {0};
	Target	   *t;
	int			jobs = o->jobs > 0 ? o->jobs : DEFAULT_JOBS;
	int			next = 0;
	int			running = 0;
	int			failed = 0;
	int			i;
	Table		tab;
	static const char *const headers[] = {"database", "from", "to", "steps",
	"time", "exit", "error"};
	struct sigaction sa,
				old_sa;

	if (o->sql)
		die_usage("--sql takes one database");
	if (o->json)
		die_usage("--json takes one database");
	if (o->offline)
		die_usage("check --offline reads the files: it takes no database");
	for (i = 0; i < o->ndbnames; i++)
	{
		if (o->dbnames[i][0] == '\0')
			die_usage("-d needs a connection string");
		sl_push(&urls, o->dbnames[i]);
	}
	if (o->targets_file != NULL)
		read_targets(o->targets_file, &urls);
	if (urls.n == 0)
		die_usage("no databases: --targets %s holds no URL", o->targets_file);

	t = xmalloc(sizeof(Target) * urls.n);
	memset(t, 0, sizeof(Target) * urls.n);
	for (i = 0; i < urls.n; i++)
	{
		t[i].url = urls.items[i];
		t[i].shown = mask_conninfo(urls.items[i]);
	}

	/* Ctrl-C: the children cancel their own work; start no more */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);

	while (running > 0 || (next < urls.n && !interrupted))
	{
		int			status;
		pid_t		pid;

		while (running < jobs && next < urls.n && !interrupted)
		{
			launch(&t[next++], o, run);
			running++;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0)
		{
			if (errno == EINTR)
				continue;
			die(EXIT_REFUSED, "waiting for the databases' processes: %s",
				strerror(errno));
		}
		for (i = 0; i < next; i++)
			if (t[i].pid == pid && !t[i].done)
			{
				collect(&t[i], status);
				running--;
				break;
			}
	}
	sigaction(SIGINT, &old_sa, NULL);

	table_init(&tab, 7, headers);
	for (i = 0; i < urls.n; i++)
	{
		char		secs[32];
		char		code[16];
		const char *cells[7];

		if (!t[i].done)
		{
			t[i].status = EXIT_REFUSED;
			t[i].error = xstrdup("not run (interrupted)");
		}
		snprintf(secs, sizeof(secs), "%.2fs", t[i].secs);
		snprintf(code, sizeof(code), "%d", t[i].status);
		cells[0] = t[i].shown;
		cells[1] = t[i].from;
		cells[2] = t[i].to;
		cells[3] = t[i].steps;
		cells[4] = t[i].done ? secs : NULL;
		cells[5] = code;
		cells[6] = t[i].error;
		table_add(&tab, cells);
		if (t[i].status != EXIT_OK)
			failed++;
	}
	table_print(&tab, stdout);
	table_free(&tab);
	printf("\n%d database%s: %d ok, %d failed (at most %d at once).\n",
		   urls.n, urls.n == 1 ? "" : "s", urls.n - failed, failed, jobs);
	fflush(stdout);

	/* what each said: all of it with --verbose, else the failures' errors */
	for (i = 0; i < urls.n; i++)
	{
		bool		show_err = t[i].status != EXIT_OK || o->verbose;

		if (o->verbose && t[i].out_text != NULL)
		{
			const char *text = t[i].out_text;

			if (text[0] != '\0')
			{
				printf("\n==> %s <==\n%s", t[i].shown, text);
				if (text[strlen(text) - 1] != '\n')
					putchar('\n');
			}
		}
		if (show_err && t[i].err_text != NULL && t[i].err_text[0] != '\0')
		{
			fflush(stdout);
			fprintf(stderr, "\n==> %s (exit %d) <==\n%s", t[i].shown,
					t[i].status, t[i].err_text);
			if (t[i].err_text[strlen(t[i].err_text) - 1] != '\n')
				fputc('\n', stderr);
		}
	}

	for (i = 0; i < urls.n; i++)
	{
		free(t[i].out_text);
		free(t[i].shown);
		free(t[i].from);
		free(t[i].to);
		free(t[i].steps);
		free(t[i].error);
		free(t[i].err_text);
	}
	free(t);
	sl_free(&urls);
	if (interrupted)
		return EXIT_TARGETS;
	return failed > 0 ? EXIT_TARGETS : EXIT_OK;
}

/* the URLs of a targets file: one a line; blank lines and #-lines skipped */
static void
read_targets(const char *path, StrList *urls)
{
	FILE	   *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;
	int			lineno = 0;

	if (f == NULL)
		die(EXIT_USAGE, "--targets: cannot open %s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) >= 0)
	{
		char	   *p = line;
		char	   *end = line + len;

		lineno++;
		while (end > p && (end[-1] == '\n' || end[-1] == '\r' ||
						   end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (strpbrk(p, " \t") != NULL && strstr(p, "://") != NULL)
			die(EXIT_USAGE, "--targets: %s, line %d: one URL a line (a space is in it; comments go on lines of their own)",
				path, lineno);
		sl_push(urls, p);
	}
	if (ferror(f))
		die(EXIT_USAGE, "--targets: cannot read %s: %s", path, strerror(errno));
	free(line);
	if (f != stdin)
		fclose(f);
}

/* start one child: the command against one database */
static void
launch(Target *t, const CliOptions *o, int (*run) (const CliOptions *o))
{
	pid_t		pid;

	t->out = tmpfile();
	t->err = tmpfile();
	t->rep = tmpfile();
	if (t->out == NULL || t->err == NULL || t->rep == NULL)
		die(EXIT_REFUSED, "cannot create a temporary file: %s", strerror(errno));
	gettimeofday(&t->start, NULL);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die(EXIT_REFUSED, "cannot start a process: %s", strerror(errno));
	if (pid == 0)
	{
		CliOptions	one = *o;
		int			status;

		signal(SIGINT, SIG_DFL);
		if (dup2(fileno(t->out), STDOUT_FILENO) < 0 ||
			dup2(fileno(t->err), STDERR_FILENO) < 0)
			_exit(EXIT_REFUSED);
		if (freopen("/dev/null", "r", stdin) == NULL)
			_exit(EXIT_REFUSED);
		report_file = t->rep;
		cli_report.active = true;
		atexit(write_report);
		one.dbname = t->url;
		one.dbnames = &t->url;
		one.ndbnames = 1;
		one.targets_file = NULL;
		one.jobs = 0;
		status = run(&one);

		/* status and check change nothing: where the database is, after */
		if (cli_conn != NULL && cli_report.from == NULL &&
			PQstatus(cli_conn) == CONNECTION_OK &&
			PQtransactionStatus(cli_conn) == PQTRANS_IDLE)
		{
			PGresult   *res = PQexec(cli_conn,
									 "SELECT (SELECT pg_catalog.string_agg(c, ', ' ORDER BY c) FROM schemamig.current() AS c),"
									 " (SELECT pg_catalog.string_agg(revision, ', ' ORDER BY revision) FROM schemamig.heads()),"
									 " (SELECT pg_catalog.count(*) FROM schemamig.status() WHERE state OPERATOR(pg_catalog.<>) 'applied')");

			if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			{
				cli_report.from = xstrdup(PQgetisnull(res, 0, 0) ? "base" : PQgetvalue(res, 0, 0));
				cli_report.to = xstrdup(PQgetisnull(res, 0, 1) ? "base" : PQgetvalue(res, 0, 1));
				cli_report.steps = atoi(PQgetvalue(res, 0, 2));
			}
			PQclear(res);
		}
		cli_exit(status);
	}
	t->pid = pid;
}

/* a child is done: read what it left */
static void
collect(Target *t, int status)
{
	struct timeval end;
	char	   *rep;
	char	   *p;

	gettimeofday(&end, NULL);
	t->secs = (end.tv_sec - t->start.tv_sec) +
		(end.tv_usec - t->start.tv_usec) / 1e6;
	t->done = true;
	t->pid = 0;
	if (WIFEXITED(status))
		t->status = WEXITSTATUS(status);
	else
	{
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "killed by signal %d", WTERMSIG(status));
		t->error = sb.data;
		t->status = EXIT_REFUSED;
	}

	rep = slurp(t->rep);
	fclose(t->rep);
	t->rep = NULL;
	p = rep;
	if (*p != '\0')
	{
		char	   *l1 = p;
		char	   *l2 = strchr(l1, '\n');
		char	   *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;

		if (l2 != NULL && l3 != NULL)
		{
			*l2 = '\0';
			*l3 = '\0';
			if (l1[0] != '\0')
				t->from = xstrdup(l1);
			if (l2[1] != '\0')
				t->to = xstrdup(l2 + 1);
			if (t->from != NULL || t->to != NULL)
				t->steps = xstrndup(l3 + 1, strcspn(l3 + 1, "\n"));
		}
	}
	free(rep);

	t->out_text = slurp(t->out);
	fclose(t->out);
	t->out = NULL;
	t->err_text = slurp(t->err);
	fclose(t->err);
	t->err = NULL;
	if (t->error == NULL && t->status != EXIT_OK)
	{
		const char *e = strstr(t->err_text, "schemamig: error: ");

		if (e != NULL)
		{
			e += strlen("schemamig: error: ");
			t->error = xstrndup(e, strcspn(e, "\n"));
		}
		else
			t->error = xstrdup(status_words(t->status));
	}
}

/* the whole of a temporary file, from its start (malloc'd) */
static char *
slurp(FILE *f)
{
	StrBuf		sb;
	char		buf[8192];
	size_t		n;

	sb_init(&sb);
	fflush(f);
	rewind(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_putn(&sb, buf, n);
	return sb.data;
}

/* an exit status in words, for a child that printed no error */
static const char *
status_words(int status)
{
	switch (status)
	{
		case EXIT_PENDING:
			return "revisions pending";
		case EXIT_PROBLEMS:
			return "check found problems";
		case EXIT_UNPUSHED:
			return "files not registered";
		case EXIT_ORPHAN:
			return "a pending revision has no file";
		case EXIT_DRIFT:
			return "an applied revision's file is gone or changed";
		default:
			return "failed";
	}
}

/*
 * mask_conninfo
 *		A connection string fit to print: the password of a URL
 *		(user:PASSWORD@host, ?password=) or of key=value pairs replaced by
 *		"***".  malloc'd.
 */
char *
mask_conninfo(const char *conninfo)
{
	StrBuf		sb;
	const char *scheme = strstr(conninfo, "://");
	const char *p;

	sb_init(&sb);
	if (scheme != NULL && strncmp(conninfo, "postgres", 8) == 0)
	{
		const char *auth = scheme + 3;
		size_t		alen = strcspn(auth, "/?");
		const char *at = NULL;
		const char *q;

		for (q = auth; q < auth + alen; q++)
			if (*q == '@')
				at = q;
		sb_putn(&sb, conninfo, auth - conninfo);
		if (at != NULL)
		{
			const char *colon = memchr(auth, ':', at - auth);

			if (colon != NULL)
			{
				sb_putn(&sb, auth, colon + 1 - auth);
				sb_puts(&sb, "***");
				sb_putn(&sb, at, auth + alen - at);
			}
			else
				sb_putn(&sb, auth, alen);
		}
		else
			sb_putn(&sb, auth, alen);
		/* the path, and the query with its password= value masked */
		p = auth + alen;
		while (*p)
		{
			if ((p[-1] == '?' || p[-1] == '&') && strncmp(p, "password=", 9) == 0)
			{
				sb_puts(&sb, "password=***");
				p += 9;
				p += strcspn(p, "&");
				continue;
			}
			sb_putc(&sb, *p++);
		}
		return sb.data;
	}

	/* key=value pairs: password = 'x y' or password=x */
	p = conninfo;
	while (*p)
	{
		if ((p == conninfo || p[-1] == ' ' || p[-1] == '\t') &&
			strncmp(p, "password", 8) == 0)
		{
			const char *q = p + 8;

			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == '=')
			{
				q++;
				while (*q == ' ' || *q == '\t')
					q++;
				sb_puts(&sb, "password=***");
				if (*q == '\'')
				{
					for (q++; *q && *q != '\''; q++)
						if (*q == '\\' && q[1])
							q++;
					if (*q)
						q++;
				}
				else
					q += strcspn(q, " \t");
				p = q;
				continue;
			}
		}
		sb_putc(&sb, *p++);
	}
	return sb.data;
}
