/*-------------------------------------------------------------------------
 *
 * export.c
 *	  export: write a migration file for each revision the database has
 *	  registered and no file of the directory defines (revisions made with
 *	  schemamig.revision() in psql, or files lost); edit: open a
 *	  revision's file in the user's editor.
 *
 * An exported file holds the revision's header (parents, message, labels,
 * dependencies, lint allowances) and its bodies exactly as registered, so
 * that pushing the directory afterwards finds it unchanged; export checks
 * that by registering the directory in a transaction it rolls back.  A body
 * that a file cannot hold as it is (a line the parser would take for a
 * directive) is refused before anything is written.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static bool directive_line(const char *body, int *line);
static void export_one(const MigDir *d, const char *rev, const CliOptions *o,
					   StrList *paths);
static int	verify_exported(const CliOptions *o, const StrList *ids);

/* a value, NULL when SQL NULL */
static const char *
value_of(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/*
 * export [REV...] [--template T]: a file for each registered revision no
 * file defines (all of them, or the ones named), then a check that the
 * directory registers them as unchanged.
 */
int
cmd_export(const CliOptions *o)
{
	MigDir		d;
	PGresult   *res;
	StrList		ids = {0};
	StrList		paths = {0};
	struct stat st;
	int			i;
	int			rc;

	if (stat(o->dir, &st) != 0 && errno == ENOENT && mkdir(o->dir, 0777) != 0)
		die(EXIT_FILES, "cannot create directory %s: %s", o->dir, strerror(errno));
	migdir_load(&d, o->dir);
	cli_connect(o->dbname);
	cli_require_extension();
	res = cli_query("SELECT revision FROM schemamig.status()", 0, NULL, NULL);
	if (o->nargs == 0)
	{
		for (i = 0; i < PQntuples(res); i++)
			if (migdir_find(&d, PQgetvalue(res, i, 0)) < 0)
				sl_push(&ids, PQgetvalue(res, i, 0));
	}
	else
	{
		int			a;

		for (a = 0; a < o->nargs; a++)
		{
			const char *spec = o->args[a];
			size_t		len = strlen(spec);
			int			found = -1;
			int			n = 0;
			int			k;

			for (i = 0; i < PQntuples(res); i++)
				if (strcmp(PQgetvalue(res, i, 0), spec) == 0)
				{
					found = i;
					n = 1;
					break;
				}
				else if (len > 0 && strncmp(PQgetvalue(res, i, 0), spec, len) == 0)
				{
					found = i;
					n++;
				}
			if (n == 0)
				die(EXIT_USAGE, "export: no revision \"%s\" in database \"%s\"",
					spec, PQdb(cli_conn));
			if (n > 1)
				die(EXIT_USAGE, "export: \"%s\" is ambiguous in database \"%s\"",
					spec, PQdb(cli_conn));
			k = migdir_find(&d, PQgetvalue(res, found, 0));
			if (k >= 0)
				die(EXIT_USAGE, "export: revision \"%s\" has a file already: %s",
					PQgetvalue(res, found, 0), d.files[d.revs[k].file].path);
			sl_push(&ids, PQgetvalue(res, found, 0));
		}
	}
	PQclear(res);
	if (ids.n == 0)
	{
		printf("Nothing to export: every revision of database \"%s\" has a file in %s.\n",
			   PQdb(cli_conn), dir_label(&d));
		migdir_free(&d);
		return EXIT_OK;
	}

	for (i = 0; i < ids.n; i++)
		export_one(&d, ids.items[i], o, &paths);
	for (i = 0; i < paths.n; i++)
		printf("%s\n", paths.items[i]);
	migdir_free(&d);
	rc = verify_exported(o, &ids);
	sl_free(&ids);
	sl_free(&paths);
	return rc;
}

/* does body hold a line the script parser would take for a directive? */
static bool
directive_line(const char *body, int *line)
{
	const char *p = body;
	int			n = 1;

	while (p != NULL && *p)
	{
		const char *q = p;

		if (q[0] == '-' && q[1] == '-')
		{
			q += 2;
			while (*q == ' ')
				q++;
			if (strncmp(q, "schemamig:", 10) == 0)
			{
				*line = n;
				return true;
			}
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
		n++;
	}
	return false;
}

/* write the file of one registered revision; its path into paths */
static void
export_one(const MigDir *d, const char *rev, const CliOptions *o,
		   StrList *paths)
{
	const char *params[1] = {rev};
	PGresult   *res;
	StrList		down = {0},
				labels = {0},
				depends = {0};
	StrBuf		text;
	const char *up;
	const char *dn;
	char	   *path;
	int			line;
	int			i;

	res = cli_query("SELECT pg_catalog.array_to_string(down_revisions, ' '),"
					" pg_catalog.array_to_string(depends_on, ' '),"
					" pg_catalog.array_to_string(branch_labels, ' '),"
					" message, upgrade_sql, downgrade_sql"
					" FROM schemamig.show($1)", 1, params, NULL);
	if (PQntuples(res) != 1)
		die(EXIT_REFUSED, "show(%s) returned no row", rev);
	up = value_of(res, 0, 4);
	dn = value_of(res, 0, 5);
	if (up == NULL)
		up = "";
	if (directive_line(up, &line) || (dn != NULL && directive_line(dn, &line)))
	{
		cli_error("revision \"%s\" cannot be exported: line %d of its %s SQL starts with \"-- schemamig:\", which a file would read as a directive",
				  rev, line, directive_line(up, &line) ? "upgrade" : "downgrade");
		cli_note("detail", "Nothing was written for it.");
		cli_note("hint", "\"schemamig show REV\" prints its SQL; write the file by hand, changing that comment.");
		cli_exit(EXIT_FILES);
	}
	if (value_of(res, 0, 0) != NULL)
		split_words(value_of(res, 0, 0), &down);
	if (value_of(res, 0, 1) != NULL)
		split_words(value_of(res, 0, 1), &depends);
	if (value_of(res, 0, 2) != NULL)
		split_words(value_of(res, 0, 2), &labels);

	sb_init(&text);
	revision_header(&text, rev, value_of(res, 0, 3), &down, &labels, &depends);
	{
		/* the header's lint allowances, when this role may read them */
		PGresult   *allow = PQexecParams(cli_conn,
										 "SELECT a FROM schemamig.revisions r,"
										 " pg_catalog.unnest(r.lint_allow) WITH ORDINALITY AS u(a, n)"
										 " WHERE r.revision OPERATOR(pg_catalog.=) $1 ORDER BY u.n",
										 1, NULL, params, NULL, NULL, 0);

		if (allow != NULL && PQresultStatus(allow) == PGRES_TUPLES_OK)
			for (i = 0; i < PQntuples(allow); i++)
				sb_printf(&text, "-- schemamig:allow %s\n", PQgetvalue(allow, i, 0));
		PQclear(allow);
	}
	sb_puts(&text, "-- schemamig:upgrade\n");
	if (up[0] != '\0')
		sb_printf(&text, "%s\n", up);
	if (dn != NULL)
	{
		sb_puts(&text, "\n-- schemamig:downgrade\n");
		if (dn[0] != '\0')
			sb_printf(&text, "%s\n", dn);
	}
	path = migration_path(d, o->name_template, rev, value_of(res, 0, 3));
	write_new_file(path, text.data, text.len);
	sl_push_own(paths, path);
	sb_free(&text);
	sl_free(&down);
	sl_free(&labels);
	sl_free(&depends);
	PQclear(res);
}

/*
 * verify_exported
 *		Register the directory in a transaction that is rolled back: every
 *		exported revision must come out unchanged.
 */
static int
verify_exported(const CliOptions *o, const StrList *ids)
{
	MigDir		d;
	char	   *script;
	const char *params[1];
	PGresult   *res;
	StrList		bad = {0};
	int			i,
				k;

	migdir_load(&d, o->dir);
	script = migdir_script(&d);
	params[0] = script;
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	res = cli_query_try("SELECT revision, action FROM schemamig.register($1)",
						1, params, &d);
	free(script);
	if (res == NULL)
	{
		cli_note("hint", "The files were written; the directory does not register as it is (see the error).");
		migdir_free(&d);
		return EXIT_REFUSED;
	}
	for (i = 0; i < PQntuples(res); i++)
		for (k = 0; k < ids->n; k++)
			if (strcmp(PQgetvalue(res, i, 0), ids->items[k]) == 0 &&
				strcmp(PQgetvalue(res, i, 1), "unchanged") != 0)
			{
				StrBuf		sb;

				sb_init(&sb);
				sb_printf(&sb, "%s (%s)", ids->items[k], PQgetvalue(res, i, 1));
				sl_push_own(&bad, sb.data);
			}
	PQclear(res);
	PQclear(cli_query("ROLLBACK", 0, NULL, NULL));
	migdir_free(&d);
	if (bad.n > 0)
	{
		char	   *l = join_words(&bad, ", ");

		cli_error("the exported files do not register as what the database holds: %s", l);
		cli_note("hint", "Compare each with \"schemamig show REV\" before pushing.");
		free(l);
		sl_free(&bad);
		return EXIT_REFUSED;
	}
	printf("Exported %d revision%s; %s registers %s as unchanged.\n", ids->n,
		   ids->n == 1 ? "" : "s", o->dir, ids->n == 1 ? "it" : "them");
	return EXIT_OK;
}

/*
 * edit [REV]: open the file of REV (default: the single head of the files)
 * in $VISUAL, else $EDITOR, else vi, as Alembic's edit does.
 */
int
cmd_edit(const CliOptions *o)
{
	MigDir		d;
	const char *editor = getenv("VISUAL");
	const char *spec = o->nargs > 0 ? o->args[0] : "head";
	char	   *path;
	pid_t		pid;
	int			status;
	int			k;

	if (editor == NULL || editor[0] == '\0')
		editor = getenv("EDITOR");
	if (editor == NULL || editor[0] == '\0')
		editor = "vi";
	migdir_load(&d, o->dir);
	if (strcmp(spec, "head") == 0 && migdir_find(&d, "head") < 0)
	{
		int		   *heads;
		int			n = migdir_heads(&d, &heads);

		if (n != 1)
		{
			free(heads);
			die(EXIT_USAGE, "edit: %s has %d heads; name the revision: schemamig edit REV",
				dir_label(&d), n);
		}
		k = heads[0];
		free(heads);
	}
	else
		k = migdir_resolve(&d, spec, "edit");
	path = xstrdup(d.files[d.revs[k].file].path);
	migdir_free(&d);

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die(EXIT_FILES, "cannot start the editor: %s", strerror(errno));
	if (pid == 0)
	{
		StrBuf		cmd;

		/* the editor variable may hold arguments ("code --wait") */
		sb_init(&cmd);
		sb_printf(&cmd, "%s \"$1\"", editor);
		execl("/bin/sh", "sh", "-c", cmd.data, "sh", path, (char *) NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die(EXIT_FILES, "waiting for the editor: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
	{
		cli_error("the editor (%s) failed on %s: %s %d", editor, path,
				  WIFEXITED(status) ? "exit status" : "signal",
				  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		cli_note("hint", "Set $VISUAL or $EDITOR to the editor to use.");
		free(path);
		return EXIT_FILES;
	}
	free(path);
	return EXIT_OK;
}
