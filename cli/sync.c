/*-------------------------------------------------------------------------
 *
 * sync.c
 *	  The files are the truth: comparing the migrations directory with
 *	  what the database has registered, registering the files inside the
 *	  transaction of upgrade, downgrade and stamp, and forget.
 *
 * A comparison runs register() on the directory's script inside a
 * transaction (under a savepoint) and rolls it back: the server says which
 * file revisions it would add or replace, and refuses when an applied
 * revision's file changed.  Registered revisions that no file defines are
 * "orphans": a pending one would run although its file is gone (a git
 * revert), so upgrade and stamp refuse until it is forgotten; an applied
 * one is an error for status.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/*
 * sync_load
 *		Load the migrations directory into s->dir; false (with s->have_dir
 *		unset) when the directory does not exist.
 */
static bool
sync_load(SyncState *s, const char *dir)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	if (stat(dir, &st) != 0 && errno == ENOENT)
		return false;
	migdir_load(&s->d, dir);
	s->have_dir = true;
	return true;
}

void
sync_free(SyncState *s)
{
	if (s->have_dir)
		migdir_free(&s->d);
	sl_free(&s->added);
	sl_free(&s->replaced);
	sl_free(&s->orphan_pending);
	sl_free(&s->orphan_applied);
	free(s->drift);
	free(s->drift_detail);
	memset(s, 0, sizeof(*s));
}

/* the registered revisions no file defines, by state */
static void
find_orphans(SyncState *s)
{
	PGresult   *res = cli_query("SELECT revision, state FROM schemamig.status()",
								0, NULL, NULL);
	int			i;

	for (i = 0; i < PQntuples(res); i++)
	{
		const char *rev = PQgetvalue(res, i, 0);

		if (migdir_find(&s->d, rev) >= 0)
			continue;
		if (strcmp(PQgetvalue(res, i, 1), "applied") == 0)
			sl_push(&s->orphan_applied, rev);
		else
			sl_push(&s->orphan_pending, rev);
	}
	PQclear(res);
}

/* the actions of register()'s result into s */
static void
collect_actions(SyncState *s, const PGresult *res)
{
	int			i;

	for (i = 0; i < PQntuples(res); i++)
	{
		const char *rev = PQgetvalue(res, i, 0);
		const char *action = PQgetvalue(res, i, 1);

		if (strcmp(action, "added") == 0)
			sl_push(&s->added, rev);
		else if (strcmp(action, "replaced") == 0)
			sl_push(&s->replaced, rev);
	}
}

/*
 * refuse_unfilled
 *		Exit (rolling back) when a revision just added or replaced is the
 *		template "new" writes, unfilled: empty upgrade and downgrade sections
 *		(a merge may be empty).
 */
void
refuse_unfilled(const MigDir *d, const StrList *added, const StrList *replaced)
{
	int			i;

	for (i = 0; i < added->n + replaced->n; i++)
	{
		const char *id = i < added->n ? added->items[i] : replaced->items[i - added->n];
		int			k = migdir_find(d, id);
		const MigRev *r;

		if (k < 0)
			continue;
		r = &d->revs[k];
		if (r->up_sql || r->down_sql || !r->has_downgrade || r->down.n > 1)
			continue;
		cli_error("revision \"%s\" (%s, line %d) is an unfilled template: its upgrade and downgrade sections are empty",
				  id, d->files[r->file].path, r->line);
		cli_note("detail", "Nothing was registered or run.");
		cli_note("hint", "Write its SQL under \"-- schemamig:upgrade\" and \"-- schemamig:downgrade\" (delete the file if it is not needed; a revision meant to run nothing needs a statement such as SELECT 1;).");
		cli_exit(EXIT_FILES);
	}
}

/*
 * warn_empty_sections
 *		A warning for each revision just added or replaced with one empty
 *		section (both empty is refuse_unfilled's; merges may be empty): an
 *		empty downgrade runs nothing and succeeds, which is not the same as
 *		irreversible (no downgrade section).
 */
void
warn_empty_sections(const MigDir *d, const StrList *added,
					const StrList *replaced)
{
	int			i;

	for (i = 0; i < added->n + replaced->n; i++)
	{
		const char *id = i < added->n ? added->items[i] : replaced->items[i - added->n];
		int			k = migdir_find(d, id);
		const MigRev *r;

		if (k < 0)
			continue;
		r = &d->revs[k];
		if (r->down.n > 1 || (!r->up_sql && !r->down_sql && r->has_downgrade))
			continue;
		if (!r->up_sql)
			cli_warning("revision \"%s\" (%s): its upgrade section is empty: upgrading runs nothing",
						id, d->files[r->file].path);
		if (r->has_downgrade && !r->down_sql)
		{
			cli_warning("revision \"%s\" (%s): its downgrade section is empty: downgrading it runs nothing and succeeds",
						id, d->files[r->file].path);
			cli_note("hint", "If it cannot be undone, delete its \"-- schemamig:downgrade\" line: a revision without one is irreversible, and downgrade refuses to pass it.  If undoing really needs nothing, leave it so.");
		}
	}
}

/* run a statement without parameters, exiting when the server refuses */
static void
exec_simple(const char *sql)
{
	PQclear(cli_query(sql, 0, NULL, NULL));
}

/*
 * sync_compare
 *		Compare dir with the database, changing nothing: false when there is
 *		no such directory.  Runs in its own transaction, rolled back.
 */
bool
sync_compare(SyncState *s, const char *dir)
{
	char	   *script;
	const char *params[1];
	PGresult   *res;

	if (!sync_load(s, dir))
		return false;
	exec_simple("BEGIN");
	if (s->d.nfiles > 0)
	{
		exec_simple("SAVEPOINT schemamig_compare");
		script = migdir_script(&s->d);
		params[0] = script;
		res = PQexecParams(cli_conn,
						   "SELECT revision, action FROM schemamig.register($1)",
						   1, NULL, params, NULL, NULL, 0);
		free(script);
		if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK)
			collect_actions(s, res);
		else if (PQstatus(cli_conn) == CONNECTION_BAD)
		{
			PQclear(res);
			die(EXIT_CONNECT, "lost the connection to the server");
		}
		else
		{
			const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
			const char *dt = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;

			s->drift = xstrdup(m ? m : PQerrorMessage(cli_conn));
			s->drift_detail = dt ? xstrdup(dt) : NULL;
		}
		PQclear(res);
		exec_simple("ROLLBACK TO SAVEPOINT schemamig_compare");
	}
	find_orphans(s);
	exec_simple("ROLLBACK");
	return true;
}

/* "a, b, c" of a list (malloc'd) */
static char *
listed(const StrList *sl)
{
	return join_words(sl, ", ");
}

/*
 * sync_push_in_transaction
 *		Inside the caller's transaction: register the files of o->dir (unless
 *		--no-push or no such directory), then refuse when registered
 *		revisions that no file defines would be run (pending ones; with
 *		strict, for upgrade and stamp).  Says what was registered on out.
 */
void
sync_push_in_transaction(const CliOptions *o, SyncState *s, bool strict,
						 FILE *out)
{
	char	   *script;
	const char *params[1];
	PGresult   *res;

	memset(s, 0, sizeof(*s));
	if (o->no_push)
		return;
	if (!sync_load(s, o->dir))
	{
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "no migrations directory \"%s\": running what the database has registered", o->dir);
		cli_note("note", sb.data);
		sb_free(&sb);
		return;
	}
	if (s->d.nfiles > 0)
	{
		script = migdir_script(&s->d);
		params[0] = script;
		res = cli_query("SELECT revision, action FROM schemamig.register($1)",
						1, params, &s->d);
		free(script);
		collect_actions(s, res);
		PQclear(res);
		refuse_unfilled(&s->d, &s->added, &s->replaced);
		warn_empty_sections(&s->d, &s->added, &s->replaced);
		if (s->added.n + s->replaced.n > 0)
			fprintf(out, "Registered %s: %d added, %d replaced.\n",
					dir_label(&s->d), s->added.n, s->replaced.n);
	}
	find_orphans(s);
	if (s->orphan_pending.n > 0 && strict)
	{
		char	   *l = listed(&s->orphan_pending);
		StrBuf		sb;

		cli_error("pending revision%s %s %s registered but no file in %s defines %s",
				  s->orphan_pending.n == 1 ? "" : "s", l,
				  s->orphan_pending.n == 1 ? "is" : "are", dir_label(&s->d),
				  s->orphan_pending.n == 1 ? "it" : "them");
		cli_note("detail", "Its file was deleted or renamed (a git revert?); running it now would run SQL no file holds.  Nothing was done.");
		sb_init(&sb);
		sb_printf(&sb, "Unregister it with: schemamig forget %s  (or restore its file).",
				  s->orphan_pending.items[0]);
		cli_note("hint", sb.data);
		sb_free(&sb);
		free(l);
		cli_exit(EXIT_ORPHAN);
	}
	if (s->orphan_applied.n > 0)
	{
		char	   *l = listed(&s->orphan_applied);

		cli_warning("applied revision%s %s: no file in %s defines %s",
					s->orphan_applied.n == 1 ? "" : "s", l, dir_label(&s->d),
					s->orphan_applied.n == 1 ? "it" : "them");
		free(l);
	}
}

/*
 * forget REV...: unregister pending revisions, in one transaction.  The
 * server refuses applied ones and ones with children.
 */
int
cmd_forget(const CliOptions *o)
{
	int			i;

	cli_connect(o->dbname);
	cli_require_extension();
	exec_simple("BEGIN");
	for (i = 0; i < o->nargs; i++)
	{
		const char *params[1] = {o->args[i]};

		PQclear(cli_query("SELECT schemamig.forget($1)", 1, params, NULL));
	}
	exec_simple("COMMIT");
	for (i = 0; i < o->nargs; i++)
		printf("Forgot %s.\n", o->args[i]);
	return EXIT_OK;
}

/*
 * reset [--yes]: for development databases, downgrade to base and upgrade
 * to head in one transaction (the files registered first): either both
 * happen or nothing does.  Asks first unless --yes.
 */
int
cmd_reset(const CliOptions *o)
{
	SyncState	s;
	PGresult   *res;
	char	   *current;
	int			down,
				up;

	cli_connect(o->dbname);
	cli_require_extension();
	if (!o->yes)
	{
		char		answer[16];

		fprintf(stderr, "This undoes every revision in database \"%s\" (their downgrade SQL drops what they created, data included), then applies them again.  Continue? [y/N] ",
				PQdb(cli_conn));
		fflush(stderr);
		if (fgets(answer, sizeof(answer), stdin) == NULL ||
			(answer[0] != 'y' && answer[0] != 'Y'))
		{
			fprintf(stderr, "\n");
			cli_error("reset cancelled; nothing was done");
			cli_note("hint", "In scripts: schemamig reset --yes");
			return EXIT_REFUSED;
		}
	}
	exec_simple("BEGIN");
	sync_push_in_transaction(o, &s, true, stdout);
	res = cli_query_try("SELECT revision FROM schemamig.downgrade('base')", 0, NULL, NULL);
	if (res == NULL)
	{
		cli_note("hint", "Nothing was changed.  When objects were dropped by hand, the downgrades cannot run: drop what is left (for example DROP SCHEMA public CASCADE; CREATE SCHEMA public;), then run: schemamig stamp base && schemamig upgrade");
		cli_exit(EXIT_REFUSED);
	}
	down = PQntuples(res);
	PQclear(res);
	res = cli_query("SELECT revision FROM schemamig.upgrade('head')", 0, NULL, NULL);
	up = PQntuples(res);
	PQclear(res);
	current = cli_current();
	exec_simple("COMMIT");
	sync_free(&s);
	printf("Reset: undid %d revision%s, applied %d; now at %s.\n",
		   down, down == 1 ? "" : "s", up, current);
	free(current);
	return EXIT_OK;
}
