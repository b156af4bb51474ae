/*-------------------------------------------------------------------------
 *
 * commands.c
 *	  The commands that talk to the server: check, push, upgrade,
 *	  downgrade, stamp, status, current, heads, history, show and lint.
 *
 * Each is a thin layer over one of the extension's SQL functions: it
 * connects, runs the function with its arguments as parameters, and prints
 * the rows as an aligned table (or JSON with --json).  Arrays come from
 * the server joined by spaces (ids hold none), timestamps as to_char() for
 * people and to_json() for machines, so nothing here parses PostgreSQL's
 * array or date formats.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

#define TIME_FMT "'YYYY-MM-DD HH24:MI:SS'"

static void connect_to_schemamig(const CliOptions *o);
static const char *val(const PGresult *res, int row, int col);
static bool is_true(const PGresult *res, int row, int col);
static char *comma_list(const char *words);
static char *notes(bool a, const char *a_word, bool b, const char *b_word,
				   bool c, const char *c_word, const char *labels);
static void print_json_rows(const PGresult *res, const char *const *keys,
							const char *kinds);

/* connect and make sure the extension is there */
static void
connect_to_schemamig(const CliOptions *o)
{
	cli_connect(o->dbname);
	cli_require_extension();
}

/* a value, NULL when SQL NULL */
static const char *
val(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static bool
is_true(const PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) &&
		strcmp(PQgetvalue(res, row, col), "t") == 0;
}

/* "a b" -> "a, b" (malloc'd) */
static char *
comma_list(const char *words)
{
	StrList		sl = {0};
	char	   *s;

	if (words != NULL)
		split_words(words, &sl);
	s = join_words(&sl, ", ");
	sl_free(&sl);
	return s;
}

/*
 * print_json_rows
 *		The rows of res as a JSON array of objects on stdout: column k under
 *		keys[k], a string when kinds[k] is 's', an array of the words of a
 *		space-separated list when 'w' (one letter per column).
 */
static void
print_json_rows(const PGresult *res, const char *const *keys,
				const char *kinds)
{
	JsonWriter	w;
	int			ncols = strlen(kinds);
	int			i,
				k;

	json_init(&w);
	json_begin(&w, '[');
	for (i = 0; i < PQntuples(res); i++)
	{
		json_begin(&w, '{');
		for (k = 0; k < ncols; k++)
		{
			json_key(&w, keys[k]);
			if (kinds[k] == 'w')
				json_words(&w, val(res, i, k));
			else
				json_string(&w, val(res, i, k));
		}
		json_end(&w, '}');
	}
	json_end(&w, ']');
	json_print(&w, stdout);
}

/* the "notes" column: the words whose flag is set, and branch labels */
static char *
notes(bool a, const char *a_word, bool b, const char *b_word,
	  bool c, const char *c_word, const char *labels)
{
	StrList		sl = {0};
	char	   *s;

	if (a)
		sl_push(&sl, a_word);
	if (b)
		sl_push(&sl, b_word);
	if (c)
		sl_push(&sl, c_word);
	if (labels != NULL && labels[0] != '\0')
	{
		char	   *l = comma_list(labels);
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "label %s", l);
		sl_push_own(&sl, sb.data);
		free(l);
	}
	s = join_words(&sl, ", ");
	sl_free(&sl);
	return s;
}

/*
 * check: the server version, whether schemamig is installed (and how to
 * install it when not), and the findings of schemamig.check().
 */
int
cmd_check(const CliOptions *o)
{
	const char *params[1] = {"schemamig"};
	char	   *version;
	PGresult   *res;
	char	   *available = NULL;
	int			errors = 0;
	int			i;

	if (o->offline)
		return offline_check(o);
	cli_connect(o->dbname);
	printf("server:     PostgreSQL %s\n",
		   PQparameterStatus(cli_conn, "server_version"));
	printf("connection: database %s, user %s, host %s, port %s\n",
		   PQdb(cli_conn), PQuser(cli_conn), PQhost(cli_conn),
		   PQport(cli_conn));

	res = cli_query("SELECT a.default_version FROM pg_catalog.pg_available_extensions a"
					" WHERE a.name OPERATOR(pg_catalog.=) $1", 1, params, NULL);
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		available = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);

	version = cli_extension_version();
	if (version == NULL)
	{
		printf("schemamig:  not installed in this database\n");
		cli_error("schemamig is not installed in database \"%s\"",
				  PQdb(cli_conn));
		if (available != NULL)
		{
			StrBuf		sb;

			sb_init(&sb);
			sb_printf(&sb, "A superuser installs it with: CREATE EXTENSION schemamig;  (this server has version %s)",
					  available);
			cli_note("hint", sb.data);
			sb_free(&sb);
		}
		else
			cli_note("hint", "This server has no schemamig files either: on the database host, run \"make && make install\" in the schemamig sources, then CREATE EXTENSION schemamig;");
		free(available);
		return EXIT_REFUSED;
	}
	if (available != NULL && strcmp(available, version) != 0)
		printf("schemamig:  %s installed (%s available: ALTER EXTENSION schemamig UPDATE)\n",
			   version, available);
	else
		printf("schemamig:  %s installed\n", version);
	free(version);
	free(available);

	res = cli_query("SELECT severity, problem, revision, detail FROM schemamig.check()",
					0, NULL, NULL);
	if (PQntuples(res) == 0)
		printf("health:     ok\n");
	else
	{
		Table		t;
		static const char *const headers[] = {"severity", "problem", "revision", "detail"};
		int			pending = 0;
		int			others = 0;

		table_init(&t, 4, headers);
		for (i = 0; i < PQntuples(res); i++)
		{
			const char *cells[4] = {val(res, i, 0), val(res, i, 1),
			val(res, i, 2), val(res, i, 3)};

			table_add(&t, cells);
			if (cells[0] != NULL && strcmp(cells[0], "error") == 0)
				errors++;
			else if (cells[1] != NULL && strcmp(cells[1], "pending") == 0)
				pending++;
			else
				others++;
		}
		if (errors == 0 && others == 0)
			printf("health:     ok (%d pending)\n", pending);
		else
			printf("health:     %d error%s, %d other finding%s, %d pending\n",
				   errors, errors == 1 ? "" : "s", others,
				   others == 1 ? "" : "s", pending);
		printf("\n");
		table_print(&t, stdout);
		table_free(&t);
	}
	PQclear(res);
	return errors > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/*
 * push [DIR]: register every file in one register() call, so a bad file
 * means nothing is registered.
 */
int
cmd_push(const CliOptions *o)
{
	const char *dir = o->nargs > 0 ? o->args[0] : o->dir;
	MigDir		d;
	char	   *script;
	const char *params[1];
	PGresult   *res;
	Table		t;
	static const char *const headers[] = {"revision", "action", "file"};
	int			added = 0,
				unchanged = 0,
				replaced = 0;
	int			i;

	migdir_load(&d, dir);
	if (d.nfiles == 0)
	{
		cli_error("no migration files (*.sql) in %s", dir);
		cli_note("hint", "\"schemamig new -m MESSAGE\" writes one.");
		migdir_free(&d);
		return EXIT_FILES;
	}
	script = migdir_script(&d);
	connect_to_schemamig(o);
	params[0] = script;
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	res = cli_query("SELECT revision, action FROM schemamig.register($1)",
					1, params, &d);
	{
		StrList		add = {0},
					rep = {0};

		for (i = 0; i < PQntuples(res); i++)
		{
			const char *action = val(res, i, 1);

			if (action != NULL && strcmp(action, "added") == 0)
				sl_push(&add, val(res, i, 0));
			else if (action != NULL && strcmp(action, "replaced") == 0)
				sl_push(&rep, val(res, i, 0));
		}
		refuse_unfilled(&d, &add, &rep);
		warn_empty_sections(&d, &add, &rep);
		sl_free(&add);
		sl_free(&rep);
	}
	PQclear(cli_query("COMMIT", 0, NULL, NULL));

	table_init(&t, 3, headers);
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *rev = val(res, i, 0);
		const char *action = val(res, i, 1);
		int			k = rev ? migdir_find(&d, rev) : -1;
		const char *cells[3] = {rev, action,
		k >= 0 ? d.files[d.revs[k].file].path : NULL};

		table_add(&t, cells);
		if (action == NULL)
			continue;
		if (strcmp(action, "added") == 0)
			added++;
		else if (strcmp(action, "unchanged") == 0)
			unchanged++;
		else if (strcmp(action, "replaced") == 0)
			replaced++;
	}
	table_print(&t, stdout);
	table_free(&t);
	printf("%d revision%s in %d file%s: %d added, %d unchanged, %d replaced\n",
		   PQntuples(res), PQntuples(res) == 1 ? "" : "s",
		   d.nfiles, d.nfiles == 1 ? "" : "s", added, unchanged, replaced);
	PQclear(res);
	free(script);
	migdir_free(&d);
	return EXIT_OK;
}

/*
 * upgrade [TARGET], downgrade TARGET, stamp TARGET: the server's NOTICEs
 * show each step as it runs; then a summary.  --sql prints the offline
 * script instead.
 */
int
cmd_run(const CliOptions *o)
{
	bool		up = strcmp(o->command, "upgrade") == 0;
	bool		stamp = strcmp(o->command, "stamp") == 0;
	const char *target = o->nargs > 0 ? o->args[0] : "head";
	const char *params[2];
	PGresult   *res;
	SyncState	s;
	char	   *current;
	int			n = 0;
	int			i;

	connect_to_schemamig(o);
	params[0] = target;
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	sync_push_in_transaction(o, &s, up || stamp, o->sql ? stderr : stdout);
	if (o->sql)
	{
		const char *text;
		size_t		len;

		params[1] = o->from;
		res = cli_query(up ? "SELECT schemamig.upgrade_sql($1, $2)"
						: "SELECT schemamig.downgrade_sql($1, $2)",
						2, params, NULL);
		text = PQntuples(res) == 1 ? val(res, 0, 0) : NULL;
		if (text != NULL)
		{
			len = strlen(text);
			fputs(text, stdout);
			if (len > 0 && text[len - 1] != '\n')
				putchar('\n');
		}
		PQclear(res);
		/* the files were registered only to render the script */
		PQclear(cli_query("ROLLBACK", 0, NULL, NULL));
		sync_free(&s);
		return EXIT_OK;
	}

	if (cli_report.active)
		cli_report.from = cli_current();
	if (stamp)
	{
		for (i = 0; i < o->nargs; i++)
		{
			params[0] = o->args[i];
			PQclear(cli_query("SELECT s FROM schemamig.stamp($1) AS s", 1, params, NULL));
		}
	}
	else if ((n = steps_run(up, target)) < 0)	/* issue 18: steps.c */
	{
		res = cli_query(up ? "SELECT revision FROM schemamig.upgrade($1)"
						: "SELECT revision FROM schemamig.downgrade($1)",
						1, params, NULL);
		n = PQntuples(res);
		PQclear(res);
	}
	current = cli_current();
	PQclear(cli_query("COMMIT", 0, NULL, NULL));
	sync_free(&s);
	if (cli_report.active)
	{
		cli_report.to = xstrdup(current);
		cli_report.steps = n;
	}

	if (stamp)
	{
		StrList		sl = {0};
		char	   *targets;

		for (i = 0; i < o->nargs; i++)
			sl_push(&sl, o->args[i]);
		targets = join_words(&sl, ", ");
		printf("Stamped %s; now at %s.\n", targets, current);
		free(targets);
		sl_free(&sl);
	}
	else if (n == 0)
		printf("Nothing to %s; now at %s.\n", o->command, current);
	else
		printf("%s %d revision%s; now at %s.\n", up ? "Applied" : "Undid",
			   n, n == 1 ? "" : "s", current);
	free(current);
	return EXIT_OK;
}

/* is id one of sl's items? */
static bool
in_list(const StrList *sl, const char *id)
{
	int			i;

	for (i = 0; i < sl->n; i++)
		if (strcmp(sl->items[i], id) == 0)
			return true;
	return false;
}

/* what status says about a registered revision's file */
static const char *
file_state(const SyncState *s, const char *rev, const char *state)
{
	if (!s->have_dir)
		return NULL;
	if (in_list(&s->replaced, rev))
		return "file changed";
	if (migdir_find(&s->d, rev) < 0)
		return "no file";
	(void) state;
	return NULL;
}

/* the summary lines of status about the files, and the exit status */
static int
status_files_report(const SyncState *s, bool exit_code, int pending,
					FILE *out)
{
	int			rc = (exit_code && pending > 0) ? EXIT_PENDING : EXIT_OK;
	char	   *l;

	if (!s->have_dir)
		return rc;
	if (s->added.n + s->replaced.n > 0)
	{
		StrList		both = {0};
		int			i;

		for (i = 0; i < s->added.n; i++)
			sl_push(&both, s->added.items[i]);
		for (i = 0; i < s->replaced.n; i++)
			sl_push(&both, s->replaced.items[i]);
		l = join_words(&both, ", ");
		fprintf(out, "Not registered yet (changed or new in %s): %s; \"schemamig upgrade\" registers and applies them, \"schemamig push\" only registers.\n",
			   dir_label(&s->d), l);
		free(l);
		sl_free(&both);
		if (exit_code)
			rc = EXIT_UNPUSHED;
	}
	if (s->orphan_pending.n > 0)
	{
		l = join_words(&s->orphan_pending, " ");
		fprintf(out, "Pending but no file in %s: %s; \"schemamig forget %s\" unregisters %s (or restore the file).\n",
			   dir_label(&s->d), l, l,
			   s->orphan_pending.n == 1 ? "it" : "them");
		free(l);
		if (exit_code)
			rc = EXIT_ORPHAN;
	}
	if (s->orphan_applied.n > 0)
	{
		l = join_words(&s->orphan_applied, ", ");
		cli_error("applied revision%s %s: no file in %s defines %s",
				  s->orphan_applied.n == 1 ? "" : "s", l, dir_label(&s->d),
				  s->orphan_applied.n == 1 ? "it" : "them");
		cli_note("hint", "Restore the file from version control; to undo the revision, \"schemamig downgrade\" below it first.");
		free(l);
		rc = EXIT_DRIFT;
	}
	if (s->drift != NULL)
	{
		StrBuf		sb;

		cli_error("%s (the files of %s against the database)", s->drift,
				  dir_label(&s->d));
		if (s->drift_detail != NULL)
			cli_note("detail", s->drift_detail);
		sb_init(&sb);
		sb_printf(&sb, "An applied revision's file was edited: restore it (git checkout), and write the change as a new revision (\"schemamig revision -m MESSAGE\").");
		cli_note("hint", sb.data);
		sb_free(&sb);
		rc = EXIT_DRIFT;
	}
	return rc;
}

/*
 * status [--json] [--exit-code]: every registered revision and its state,
 * compared with the migrations directory (files not registered, changed,
 * or gone); with --exit-code, a distinct status for each problem.
 */
int
cmd_status(const CliOptions *o)
{
	PGresult   *res;
	SyncState	s;
	int			nrows;
	int			pending = 0;
	int			rc;
	int			i;

	connect_to_schemamig(o);
	if (!sync_compare(&s, o->dir))
	{
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "no migrations directory \"%s\": showing the database only", o->dir);
		cli_note("note", sb.data);
		sb_free(&sb);
	}
	res = cli_query("SELECT revision, pg_catalog.array_to_string(down_revisions, ' '),"
					" message, state, pg_catalog.to_char(applied_at, " TIME_FMT "),"
					" pg_catalog.to_json(applied_at), applied_by, is_head, is_current"
					" FROM schemamig.status()", 0, NULL, NULL);
	nrows = PQntuples(res);
	for (i = 0; i < nrows; i++)
		if (val(res, i, 3) == NULL || strcmp(val(res, i, 3), "applied") != 0)
			pending++;

	if (o->json)
	{
		JsonWriter	w;

		json_init(&w);
		json_begin(&w, '[');
		for (i = 0; i < nrows; i++)
		{
			const char *fs = file_state(&s, val(res, i, 0), val(res, i, 3));
			int			k = s.have_dir ? migdir_find(&s.d, val(res, i, 0)) : -1;

			json_begin(&w, '{');
			json_key(&w, "revision");
			json_string(&w, val(res, i, 0));
			json_key(&w, "down_revisions");
			json_words(&w, val(res, i, 1));
			json_key(&w, "message");
			json_string(&w, val(res, i, 2));
			json_key(&w, "state");
			json_string(&w, val(res, i, 3));
			json_key(&w, "applied_at");
			json_raw(&w, val(res, i, 5));
			json_key(&w, "applied_by");
			json_string(&w, val(res, i, 6));
			json_key(&w, "is_head");
			json_bool(&w, is_true(res, i, 7));
			json_key(&w, "is_current");
			json_bool(&w, is_true(res, i, 8));
			json_key(&w, "file");
			json_string(&w, k >= 0 ? s.d.files[s.d.revs[k].file].path : NULL);
			json_key(&w, "file_state");
			json_string(&w, !s.have_dir ? NULL : fs ? fs : "registered");
			json_end(&w, '}');
		}
		for (i = 0; i < s.added.n; i++)
		{
			int			k = migdir_find(&s.d, s.added.items[i]);

			json_begin(&w, '{');
			json_key(&w, "revision");
			json_string(&w, s.added.items[i]);
			json_key(&w, "state");
			json_string(&w, "not registered");
			json_key(&w, "file");
			json_string(&w, k >= 0 ? s.d.files[s.d.revs[k].file].path : NULL);
			json_key(&w, "file_state");
			json_string(&w, "not registered");
			json_end(&w, '}');
		}
		json_end(&w, ']');
		json_print(&w, stdout);
	}
	else if (nrows == 0 && s.added.n == 0)
		printf("No revisions registered (\"schemamig push\" registers the migration files).\n");
	else
	{
		Table		t;
		static const char *const headers[] = {"revision", "state", "applied_at", "notes", "message"};
		char	   *current;

		table_init(&t, 5, headers);
		for (i = 0; i < nrows; i++)
		{
			const char *fs = file_state(&s, val(res, i, 0), val(res, i, 3));
			char	   *note = notes(is_true(res, i, 7), "head",
									 is_true(res, i, 8), "current",
									 fs != NULL, fs, NULL);
			const char *cells[5] = {val(res, i, 0), val(res, i, 3),
			val(res, i, 4), note, val(res, i, 2)};

			table_add(&t, cells);
			free(note);
		}
		for (i = 0; i < s.added.n; i++)
		{
			int			k = migdir_find(&s.d, s.added.items[i]);
			const char *cells[5] = {s.added.items[i], "not registered", NULL,
				k >= 0 ? s.d.files[s.d.revs[k].file].path : NULL, NULL};

			table_add(&t, cells);
		}
		table_print(&t, stdout);
		table_free(&t);
		current = cli_current();
		if (pending == 0)
			printf("\nNow at %s; nothing pending.\n", current);
		else
			printf("\nNow at %s; %d of %d revision%s pending.\n", current,
				   pending, nrows, nrows == 1 ? "" : "s");
		free(current);
	}
	PQclear(res);
	rc = status_files_report(&s, o->exit_code, pending,
							 o->json ? stderr : stdout);
	sync_free(&s);
	return rc;
}

/* the file defining rev in dir, or NULL (a loaded directory, when any) */
static const char *
file_of(const MigDir *d, bool have, const char *rev)
{
	int			k = have ? migdir_find(d, rev) : -1;

	return k >= 0 ? d->files[d->revs[k].file].path : NULL;
}

/* Alembic's verbose block of one revision: Rev, Parent, Path, message */
static void
print_verbose_rev(const char *rev, const char *down, bool head,
				  const char *labels, const char *path, const char *message)
{
	char	   *parents = comma_list(down);
	char	   *l = comma_list(labels);

	printf("Rev: %s%s\n", rev, head ? " (head)" : "");
	printf("Parent: %s\n", parents[0] ? parents : "<base>");
	if (l[0])
		printf("Branch names: %s\n", l);
	printf("Path: %s\n", path ? path : "(no file: registered in the database only)");
	printf("\n    %s\n\n", message ? message : "");
	free(parents);
	free(l);
}

/*
 * current [--json] [--verbose]: the applied heads, one per line ("base"
 * when none), "(head)" after those that are heads; --verbose: Alembic's
 * block for each.
 */
int
cmd_current(const CliOptions *o)
{
	PGresult   *res;
	MigDir		d;
	bool		have = false;
	int			i;

	connect_to_schemamig(o);
	res = cli_query("SELECT c.c, s.is_head, pg_catalog.array_to_string(s.down_revisions, ' '),"
					" s.message"
					" FROM schemamig.current() AS c(c)"
					" LEFT JOIN schemamig.status() AS s"
					" ON s.revision OPERATOR(pg_catalog.=) c.c", 0, NULL, NULL);
	if (o->json)
	{
		JsonWriter	w;

		json_init(&w);
		json_begin(&w, '[');
		for (i = 0; i < PQntuples(res); i++)
			json_string(&w, val(res, i, 0));
		json_end(&w, ']');
		json_print(&w, stdout);
	}
	else if (o->verbose)
	{
		struct stat st;

		if (stat(o->dir, &st) == 0 && S_ISDIR(st.st_mode))
		{
			migdir_load(&d, o->dir);
			have = true;
		}
		printf("Current revision(s) for database %s:\n", PQdb(cli_conn));
		if (PQntuples(res) == 0)
			printf("Rev: base\n");
		for (i = 0; i < PQntuples(res); i++)
			print_verbose_rev(val(res, i, 0), val(res, i, 2), is_true(res, i, 1),
							  NULL, file_of(&d, have, val(res, i, 0)),
							  val(res, i, 3));
		if (have)
			migdir_free(&d);
	}
	else if (PQntuples(res) == 0)
		printf("base\n");
	else
		for (i = 0; i < PQntuples(res); i++)
			printf("%s%s\n", PQgetvalue(res, i, 0),
				   is_true(res, i, 1) ? " (head)" : "");
	PQclear(res);
	return EXIT_OK;
}

/* heads [--json]: the registered heads */
int
cmd_heads(const CliOptions *o)
{
	PGresult   *res;
	int			i;

	if (offline_view(o))
		return offline_heads(o);
	res = cli_query("SELECT revision, message, pg_catalog.array_to_string(branch_labels, ' ')"
					" FROM schemamig.heads()", 0, NULL, NULL);
	if (o->json)
	{
		static const char *const keys[] = {"revision", "message", "branch_labels"};

		print_json_rows(res, keys, "ssw");
	}
	else if (PQntuples(res) == 0)
		printf("No revisions registered.\n");
	else
	{
		Table		t;
		static const char *const headers[] = {"revision", "branch_labels", "message"};

		table_init(&t, 3, headers);
		for (i = 0; i < PQntuples(res); i++)
		{
			char	   *labels = comma_list(val(res, i, 2));
			const char *cells[3] = {val(res, i, 0), labels, val(res, i, 1)};

			table_add(&t, cells);
			free(labels);
		}
		table_print(&t, stdout);
		table_free(&t);
	}
	PQclear(res);
	return EXIT_OK;
}

/* history [RANGE] [--json]: revisions newest first */
int
cmd_history(const CliOptions *o)
{
	const char *params[1] = {o->range};
	PGresult   *res;
	StrList		current = {0};
	int			i;

	if (offline_view(o))
		return offline_history(o);
	if (o->indicate_current)
	{
		res = cli_query("SELECT c FROM schemamig.current() AS c", 0, NULL, NULL);
		for (i = 0; i < PQntuples(res); i++)
			sl_push(&current, PQgetvalue(res, i, 0));
		PQclear(res);
	}
	res = cli_query("SELECT revision, pg_catalog.array_to_string(down_revisions, ' '),"
					" message, pg_catalog.array_to_string(branch_labels, ' '), state,"
					" is_head, is_branchpoint, is_mergepoint"
					" FROM schemamig.history($1)", 1, params, NULL);
	if (o->json)
	{
		JsonWriter	w;

		json_init(&w);
		json_begin(&w, '[');
		for (i = 0; i < PQntuples(res); i++)
		{
			json_begin(&w, '{');
			json_key(&w, "revision");
			json_string(&w, val(res, i, 0));
			json_key(&w, "down_revisions");
			json_words(&w, val(res, i, 1));
			json_key(&w, "message");
			json_string(&w, val(res, i, 2));
			json_key(&w, "branch_labels");
			json_words(&w, val(res, i, 3));
			json_key(&w, "state");
			json_string(&w, val(res, i, 4));
			json_key(&w, "is_head");
			json_bool(&w, is_true(res, i, 5));
			json_key(&w, "is_branchpoint");
			json_bool(&w, is_true(res, i, 6));
			json_key(&w, "is_mergepoint");
			json_bool(&w, is_true(res, i, 7));
			json_end(&w, '}');
		}
		json_end(&w, ']');
		json_print(&w, stdout);
	}
	else if (PQntuples(res) == 0)
		printf("No revisions%s.\n", o->range ? " in this range" : " registered");
	else if (o->verbose)
	{
		MigDir		d;
		bool		have = false;
		struct stat st;

		if (stat(o->dir, &st) == 0 && S_ISDIR(st.st_mode))
		{
			migdir_load(&d, o->dir);
			have = true;
		}
		for (i = 0; i < PQntuples(res); i++)
		{
			if (in_list(&current, val(res, i, 0)))
				printf("(current) ");
			print_verbose_rev(val(res, i, 0), val(res, i, 1), is_true(res, i, 5),
							  val(res, i, 3), file_of(&d, have, val(res, i, 0)),
							  val(res, i, 2));
		}
		if (have)
			migdir_free(&d);
	}
	else
	{
		Table		t;
		static const char *const headers[] = {"revision", "down_revision", "state", "notes", "message"};

		table_init(&t, 5, headers);
		for (i = 0; i < PQntuples(res); i++)
		{
			char	   *down = comma_list(val(res, i, 1));
			char	   *note = notes(is_true(res, i, 5), "head",
									 is_true(res, i, 6), "branchpoint",
									 is_true(res, i, 7), "mergepoint",
									 val(res, i, 3));
			const char *cells[5] = {val(res, i, 0), down, val(res, i, 4),
			note, val(res, i, 2)};
			StrBuf		withcur;

			sb_init(&withcur);
			if (in_list(&current, val(res, i, 0)))
			{
				sb_printf(&withcur, "%s%scurrent", note, note[0] ? ", " : "");
				cells[3] = withcur.data;
			}

			table_add(&t, cells);
			sb_free(&withcur);
			free(down);
			free(note);
		}
		table_print(&t, stdout);
		table_free(&t);
	}
	PQclear(res);
	sl_free(&current);
	return EXIT_OK;
}

/* show REV [--json]: everything registered about one revision */
int
cmd_show(const CliOptions *o)
{
	const char *params[1] = {o->args[0]};
	PGresult   *res;

	if (offline_view(o))
		return offline_show(o);
	res = cli_query("SELECT revision,"
					" pg_catalog.array_to_string(down_revisions, ' '),"
					" pg_catalog.array_to_string(depends_on, ' '),"
					" pg_catalog.array_to_string(branch_labels, ' '),"
					" message, state, upgrade_sql, downgrade_sql, checksum,"
					" applied_checksum, pg_catalog.array_to_string(children, ' '),"
					" pg_catalog.to_char(registered_at, " TIME_FMT "), registered_by,"
					" pg_catalog.to_char(applied_at, " TIME_FMT "), applied_by,"
					" pg_catalog.to_json(registered_at), pg_catalog.to_json(applied_at)"
					" FROM schemamig.show($1)", 1, params, NULL);
	if (PQntuples(res) != 1)
	{
		PQclear(res);
		die(EXIT_REFUSED, "show(%s) returned no row", o->args[0]);
	}
	if (o->json)
	{
		JsonWriter	w;

		json_init(&w);
		json_begin(&w, '{');
		json_key(&w, "revision");
		json_string(&w, val(res, 0, 0));
		json_key(&w, "down_revisions");
		json_words(&w, val(res, 0, 1));
		json_key(&w, "depends_on");
		json_words(&w, val(res, 0, 2));
		json_key(&w, "branch_labels");
		json_words(&w, val(res, 0, 3));
		json_key(&w, "message");
		json_string(&w, val(res, 0, 4));
		json_key(&w, "state");
		json_string(&w, val(res, 0, 5));
		json_key(&w, "upgrade_sql");
		json_string(&w, val(res, 0, 6));
		json_key(&w, "downgrade_sql");
		json_string(&w, val(res, 0, 7));
		json_key(&w, "checksum");
		json_string(&w, val(res, 0, 8));
		json_key(&w, "applied_checksum");
		json_string(&w, val(res, 0, 9));
		json_key(&w, "children");
		json_words(&w, val(res, 0, 10));
		json_key(&w, "registered_at");
		json_raw(&w, val(res, 0, 15));
		json_key(&w, "registered_by");
		json_string(&w, val(res, 0, 12));
		json_key(&w, "applied_at");
		json_raw(&w, val(res, 0, 16));
		json_key(&w, "applied_by");
		json_string(&w, val(res, 0, 14));
		json_end(&w, '}');
		json_print(&w, stdout);
	}
	else
	{
		Table		t;
		const char *first[2] = {"revision:", val(res, 0, 0)};
		char	   *down = comma_list(val(res, 0, 1));
		char	   *deps = comma_list(val(res, 0, 2));
		char	   *labels = comma_list(val(res, 0, 3));
		char	   *children = comma_list(val(res, 0, 10));
		const char *up_sql = val(res, 0, 6);
		const char *down_sql = val(res, 0, 7);
		StrBuf		reg,
					app;
		const char *rows[][2] = {
			{"down_revision:", down},
			{"depends_on:", deps},
			{"branch_labels:", labels},
			{"message:", val(res, 0, 4)},
			{"state:", val(res, 0, 5)},
			{"checksum:", val(res, 0, 8)},
			{"applied_checksum:", val(res, 0, 9)},
			{"children:", children},
			{"registered:", NULL},
			{"applied:", NULL},
		};
		int			i;

		sb_init(&reg);
		sb_init(&app);
		if (val(res, 0, 11) != NULL)
			sb_printf(&reg, "%s by %s", val(res, 0, 11),
					  val(res, 0, 12) ? val(res, 0, 12) : "?");
		if (val(res, 0, 13) != NULL)
			sb_printf(&app, "%s by %s", val(res, 0, 13),
					  val(res, 0, 14) ? val(res, 0, 14) : "?");
		rows[8][1] = reg.data;
		rows[9][1] = app.data;

		/* the "header" row is the revision itself */
		table_init(&t, 2, first);
		for (i = 0; i < (int) (sizeof(rows) / sizeof(rows[0])); i++)
			table_add(&t, rows[i]);
		table_print(&t, stdout);
		table_free(&t);
		sb_free(&reg);
		sb_free(&app);
		free(down);
		free(deps);
		free(labels);
		free(children);

		printf("\n-- upgrade\n");
		if (up_sql != NULL && up_sql[0] != '\0')
			printf("%s\n", up_sql);
		if (down_sql == NULL)
			printf("\n-- no downgrade: irreversible\n");
		else
		{
			printf("\n-- downgrade\n");
			if (down_sql[0] != '\0')
				printf("%s\n", down_sql);
		}
	}
	PQclear(res);
	return EXIT_OK;
}

/*
 * lint FILE...: the server's lint() findings for each file, as
 * FILE:LINE: severity: message [rule].  The files are read before
 * connecting, so a missing one fails fast.
 */
int
cmd_lint(const CliOptions *o)
{
	MigDir	   *files = xmalloc(sizeof(MigDir) * o->nargs);
	PGresult   *res;
	char	   *version;
	JsonWriter	w;
	int			errors = 0,
				findings = 0;
	bool		failed = false;
	bool		has_lint;
	int			i,
				r;

	for (i = 0; i < o->nargs; i++)
		migdir_single(&files[i], o->args[i]);

	connect_to_schemamig(o);
	res = cli_query("SELECT pg_catalog.to_regprocedure('schemamig.lint(text)') IS NOT NULL",
					0, NULL, NULL);
	has_lint = is_true(res, 0, 0);
	PQclear(res);
	if (!has_lint)
	{
		version = cli_extension_version();
		cli_error("this server's schemamig (version %s) has no lint() (needs a newer schemamig)",
				  version ? version : "?");
		cli_note("hint", "Install a schemamig with lint() on the server, then ALTER EXTENSION schemamig UPDATE.");
		free(version);
		for (i = 0; i < o->nargs; i++)
			migdir_free(&files[i]);
		free(files);
		return EXIT_REFUSED;
	}

	if (o->json)
	{
		json_init(&w);
		json_begin(&w, '[');
	}
	for (i = 0; i < o->nargs; i++)
	{
		const MigFile *f = &files[i].files[0];
		const char *params[1] = {f->text};

		res = cli_query_try("SELECT line, rule, severity, statement, message, hint"
							" FROM schemamig.lint($1)", 1, params, &files[i]);
		if (res == NULL)
		{
			failed = true;
			continue;
		}
		for (r = 0; r < PQntuples(res); r++)
		{
			const char *line = val(res, r, 0);
			const char *rule = val(res, r, 1);
			const char *severity = val(res, r, 2);
			const char *message = val(res, r, 4);
			const char *hint = val(res, r, 5);

			findings++;
			if (severity != NULL && strcasecmp(severity, "error") == 0)
				errors++;
			if (o->json)
			{
				json_begin(&w, '{');
				json_key(&w, "file");
				json_string(&w, f->path);
				json_key(&w, "line");
				if (line != NULL && strspn(line, "0123456789") == strlen(line) &&
					line[0] != '\0')
					json_raw(&w, line);
				else
					json_string(&w, line);
				json_key(&w, "rule");
				json_string(&w, rule);
				json_key(&w, "severity");
				json_string(&w, severity);
				json_key(&w, "statement");
				json_string(&w, val(res, r, 3));
				json_key(&w, "message");
				json_string(&w, message);
				json_key(&w, "hint");
				json_string(&w, hint);
				json_end(&w, '}');
			}
			else
			{
				printf("%s:%s: %s: %s", f->path, line ? line : "?",
					   severity ? severity : "?", message ? message : "");
				if (rule != NULL)
					printf(" [%s]", rule);
				printf("\n");
				if (hint != NULL && hint[0] != '\0')
					printf("  hint: %s\n", hint);
			}
		}
		PQclear(res);
	}
	if (o->json)
	{
		json_end(&w, ']');
		json_print(&w, stdout);
	}
	else if (!failed)
		printf("%d finding%s (%d error%s) in %d file%s\n",
			   findings, findings == 1 ? "" : "s", errors, errors == 1 ? "" : "s",
			   o->nargs, o->nargs == 1 ? "" : "s");

	for (i = 0; i < o->nargs; i++)
		migdir_free(&files[i]);
	free(files);
	if (failed)
		return EXIT_REFUSED;
	return errors > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/* branches [--json]: the revisions with more than one child */
int
cmd_branches(const CliOptions *o)
{
	PGresult   *res;
	int			i;

	if (offline_view(o))
		return offline_branches(o);
	res = cli_query("SELECT h.revision, (SELECT pg_catalog.string_agg(c.revision, ' ' ORDER BY c.revision)"
					" FROM schemamig.history() c"
					" WHERE h.revision OPERATOR(pg_catalog.=) ANY (c.down_revisions)), h.message"
					" FROM schemamig.history() h WHERE h.is_branchpoint", 0, NULL, NULL);
	if (o->json)
	{
		static const char *const keys[] = {"revision", "children", "message"};

		print_json_rows(res, keys, "sws");
	}
	else if (PQntuples(res) == 0)
		printf("No branch points.\n");
	else
		for (i = 0; i < PQntuples(res); i++)
		{
			char	   *children = comma_list(val(res, i, 1));

			printf("%s (branchpoint), %s -> %s\n", val(res, i, 0),
				   val(res, i, 2) ? val(res, i, 2) : "", children);
			free(children);
		}
	PQclear(res);
	return EXIT_OK;
}
