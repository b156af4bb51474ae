/*
 * cli/drift.c: "schemamig drift [--adopt -m MSG]" (issue 15).
 *
 * Without --adopt: print schemamig.drift(), the objects that differ from
 * the schema schemamig's own runs left; exit 6 when there are some (for CI),
 * 0 when there are none.  With --adopt -m MSG: in one transaction, call
 * schemamig.adopt_drift(MSG) (it registers a revision whose upgrade is the
 * drift and records it applied) and write that revision to
 * <dir>/<id>_<slug>.sql; if the file cannot be written, nothing is
 * committed, so the files stay the truth.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define DRIFT_SLUG_MAX 40

static char *drift_slug(const char *message);
static int	drift_adopt(const CliOptions *o);
static void write_all(const char *path, const char *text);

/* "Hotfix: orders index!" -> "hotfix_orders_index" */
static char *
drift_slug(const char *message)
{
	StrBuf		sb;
	const char *p;
	bool		gap = false;

	sb_init(&sb);
	for (p = message; *p && sb.len < DRIFT_SLUG_MAX; p++)
	{
		char		c = *p;

		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		{
			if (gap && sb.len > 0)
				sb_putc(&sb, '_');
			gap = false;
			sb_putc(&sb, c);
		}
		else
			gap = true;
	}
	return sb.data;
}

/* create path (it must not exist) holding text; die on failure */
static void
write_all(const char *path, const char *text)
{
	size_t		len = strlen(text);
	size_t		done = 0;
	int			fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);

	if (fd < 0)
		die(EXIT_FILES, "cannot create %s: %s (nothing was adopted)", path,
			strerror(errno));
	while (done < len)
	{
		ssize_t		n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			int			err = errno;

			close(fd);
			unlink(path);
			die(EXIT_FILES, "cannot write %s: %s (nothing was adopted)", path,
				strerror(err));
		}
		done += (size_t) n;
	}
	if (close(fd) != 0)
	{
		int			err = errno;

		unlink(path);
		die(EXIT_FILES, "cannot write %s: %s (nothing was adopted)", path,
			strerror(err));
	}
}

static int
drift_adopt(const CliOptions *o)
{
	const char *params[1] = {o->message};
	MigDir		d;
	PGresult   *res;
	const char *script;
	char		id[64];
	char	   *slug;
	StrBuf		path;

	if (o->message == NULL || o->message[0] == '\0')
		die_usage("drift --adopt needs a message: -m MSG");
	migdir_load(&d, o->dir);
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	/* its NOTICE (no drift) is said below; lint warnings name the upgrade,
	 * which never runs */
	PQclear(cli_query("SET LOCAL client_min_messages = warning", 0, NULL, NULL));
	res = cli_query("SELECT schemamig.adopt_drift($1)", 1, params, NULL);
	if (PQgetisnull(res, 0, 0))
	{
		PQclear(res);
		PQclear(cli_query("ROLLBACK", 0, NULL, NULL));
		printf("no drift: nothing to adopt\n");
		migdir_free(&d);
		return EXIT_OK;
	}
	script = PQgetvalue(res, 0, 0);
	if (sscanf(script, "-- schemamig:revision %63s", id) != 1)
		die(EXIT_REFUSED, "adopt_drift() returned a script without a revision line");
	slug = drift_slug(o->message);
	sb_init(&path);
	sb_printf(&path, "%s%s%s%s.sql", dir_label(&d), id, slug[0] ? "_" : "", slug);
	free(slug);
	write_all(path.data, script);
	PQclear(res);
	res = cli_query_try("COMMIT", 0, NULL, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		unlink(path.data);
		die(EXIT_REFUSED, "COMMIT failed: nothing was adopted; %s removed", path.data);
	}
	PQclear(res);
	printf("adopted the drift as revision %s (recorded as applied)\n", id);
	printf("wrote %s\n", path.data);
	sb_free(&path);
	migdir_free(&d);
	return EXIT_OK;
}

/* drift [--adopt -m MSG] */
int
cmd_drift(const CliOptions *o)
{
	static const char *const headers[] = {"object", "name", "change", "detail", "changed by", "changed at"};
	PGresult   *res;
	Table		t;
	int			i;

	cli_connect(o->dbname);
	cli_require_extension();
	if (o->adopt)
		return drift_adopt(o);
	if (o->message != NULL)
		die_usage("-m goes with drift --adopt");
	res = cli_query("SELECT object_kind, object_name, change, detail, changed_by,"
					" pg_catalog.to_char(changed_at, 'YYYY-MM-DD HH24:MI:SS TZ')"
					" FROM schemamig.drift()", 0, NULL, NULL);
	if (PQntuples(res) == 0)
	{
		printf("no drift: the schema is what schemamig's runs left\n");
		PQclear(res);
		return EXIT_OK;
	}
	table_init(&t, 6, headers);
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *cells[6];
		int			c;

		for (c = 0; c < 6; c++)
			cells[c] = PQgetisnull(res, i, c) ? NULL : PQgetvalue(res, i, c);
		table_add(&t, cells);
	}
	printf("%d object%s changed outside schemamig:\n\n", PQntuples(res),
		   PQntuples(res) == 1 ? "" : "s");
	table_print(&t, stdout);
	table_free(&t);
	PQclear(res);
	printf("\nadopt it as a revision: schemamig drift --adopt -m MESSAGE\n");
	return EXIT_PROBLEMS;
}
