/*-------------------------------------------------------------------------
 *
 * offline.c
 *	  heads, branches, history, show and check --offline from the files of
 *	  the migrations directory alone, with no server, as Alembic reads its
 *	  versions directory.
 *
 * heads, branches, history and show use the database when they can
 * connect to one with schemamig, and the files otherwise (or always with
 * --offline); the files' view ends with a line saying so, and why.
 * check --offline never connects: the graph (every parent and dependency
 * defined, no cycle), the number of heads (one, unless --allow-heads) and
 * the directives.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char *view_reason = NULL;

static void
free_reason(void)
{
	free(view_reason);
	view_reason = NULL;
}

/*
 * offline_view
 *		True when the command reads the files: --offline, or no database with
 *		schemamig to read (the reason is kept for the closing line).  False:
 *		connected to a database with schemamig.
 */
bool
offline_view(const CliOptions *o)
{
	char	   *why = NULL;

	if (o->offline)
	{
		view_reason = xstrdup("--offline");
		atexit(free_reason);
		return true;
	}
	if (cli_connect_soft(o->dbname, &why))
		return false;
	view_reason = why;
	atexit(free_reason);
	return true;
}

/* the closing line of the files' view */
static void
say_view(const MigDir *d, bool json)
{
	if (json)
		fprintf(stderr, "note: from the files in %s (%s)\n", dir_label(d),
				view_reason ? view_reason : "no database");
	else
		printf("(from the files in %s, not a database: %s)\n", dir_label(d),
			   view_reason ? view_reason : "no database");
}

/* the number of revisions naming rev as a parent; their ids into kids */
static int
children_of(const MigDir *d, const char *rev, StrList *kids)
{
	int			n = 0;
	int			i,
				k;

	for (i = 0; i < d->nrevs; i++)
		for (k = 0; k < d->revs[i].down.n; k++)
			if (strcmp(d->revs[i].down.items[k], rev) == 0)
			{
				if (kids != NULL)
					sl_push(kids, d->revs[i].id);
				n++;
			}
	return n;
}

/* heads [--json] from the files */
int
offline_heads(const CliOptions *o)
{
	MigDir		d;
	int		   *heads;
	int			n;
	int			i;

	migdir_load(&d, o->dir);
	n = migdir_heads(&d, &heads);
	if (o->json)
	{
		JsonWriter	w;

		json_init(&w);
		json_begin(&w, '[');
		for (i = 0; i < n; i++)
		{
			const MigRev *r = &d.revs[heads[i]];
			char	   *labels = join_words(&r->labels, " ");

			json_begin(&w, '{');
			json_key(&w, "revision");
			json_string(&w, r->id);
			json_key(&w, "message");
			json_string(&w, r->message);
			json_key(&w, "branch_labels");
			json_words(&w, labels);
			json_end(&w, '}');
			free(labels);
		}
		json_end(&w, ']');
		json_print(&w, stdout);
	}
	else if (n == 0)
		printf("No revisions in %s.\n", dir_label(&d));
	else
	{
		Table		t;
		static const char *const headers[] = {"revision", "branch_labels", "message"};

		table_init(&t, 3, headers);
		for (i = 0; i < n; i++)
		{
			const MigRev *r = &d.revs[heads[i]];
			char	   *labels = join_words(&r->labels, ", ");
			const char *cells[3] = {r->id, labels, r->message};

			table_add(&t, cells);
			free(labels);
		}
		table_print(&t, stdout);
		table_free(&t);
	}
	say_view(&d, o->json);
	free(heads);
	migdir_free(&d);
	return EXIT_OK;
}

/* branches from the files: Alembic's "REV (branchpoint), MESSAGE -> A, B" */
int
offline_branches(const CliOptions *o)
{
	MigDir		d;
	int			found = 0;
	int			i;

	migdir_load(&d, o->dir);
	if (o->json)
	{
		JsonWriter	w;

		json_init(&w);
		json_begin(&w, '[');
		for (i = 0; i < d.nrevs; i++)
		{
			StrList		kids = {0};
			char	   *k;

			if (children_of(&d, d.revs[i].id, &kids) > 1)
			{
				k = join_words(&kids, " ");
				json_begin(&w, '{');
				json_key(&w, "revision");
				json_string(&w, d.revs[i].id);
				json_key(&w, "children");
				json_words(&w, k);
				json_key(&w, "message");
				json_string(&w, d.revs[i].message);
				json_end(&w, '}');
				free(k);
			}
			sl_free(&kids);
		}
		json_end(&w, ']');
		json_print(&w, stdout);
	}
	else
	{
		for (i = 0; i < d.nrevs; i++)
		{
			StrList		kids = {0};

			if (children_of(&d, d.revs[i].id, &kids) > 1)
			{
				char	   *k = join_words(&kids, ", ");

				printf("%s (branchpoint), %s -> %s\n", d.revs[i].id,
					   d.revs[i].message ? d.revs[i].message : "", k);
				free(k);
				found++;
			}
			sl_free(&kids);
		}
		if (found == 0)
			printf("No branch points.\n");
	}
	say_view(&d, o->json);
	migdir_free(&d);
	return EXIT_OK;
}

/*
 * The revisions newest first: a revision comes out once every revision
 * naming it as a parent has (heads first); what is left (a cycle) last.
 */
static int *
newest_first(const MigDir *d)
{
	int		   *order = xmalloc(sizeof(int) * (d->nrevs ? d->nrevs : 1));
	bool	   *done = xmalloc(sizeof(bool) * (d->nrevs ? d->nrevs : 1));
	int			n = 0;
	bool		progress = true;
	int			i,
				j,
				k;

	memset(done, 0, sizeof(bool) * (d->nrevs ? d->nrevs : 1));
	while (n < d->nrevs && progress)
	{
		progress = false;
		for (i = d->nrevs - 1; i >= 0; i--)
		{
			bool		ready = !done[i];

			for (j = 0; ready && j < d->nrevs; j++)
				if (!done[j])
					for (k = 0; k < d->revs[j].down.n; k++)
						if (strcmp(d->revs[j].down.items[k], d->revs[i].id) == 0)
							ready = false;
			if (ready)
			{
				done[i] = true;
				order[n++] = i;
				progress = true;
			}
		}
	}
	for (i = 0; i < d->nrevs; i++)
		if (!done[i])
			order[n++] = i;
	free(done);
	return order;
}

/* history [--verbose] [--json] from the files (no range) */
int
offline_history(const CliOptions *o)
{
	MigDir		d;
	int		   *order;
	int			i;

	if (o->range != NULL)
		die(EXIT_USAGE, "history RANGE needs a database (%s); without one, history shows every revision of the files",
			view_reason ? view_reason : "none");
	migdir_load(&d, o->dir);
	order = newest_first(&d);
	if (o->json)
	{
		JsonWriter	w;

		json_init(&w);
		json_begin(&w, '[');
		for (i = 0; i < d.nrevs; i++)
		{
			const MigRev *r = &d.revs[order[i]];
			char	   *down = join_words(&r->down, " ");
			char	   *labels = join_words(&r->labels, " ");
			int			nkids = children_of(&d, r->id, NULL);

			json_begin(&w, '{');
			json_key(&w, "revision");
			json_string(&w, r->id);
			json_key(&w, "down_revisions");
			json_words(&w, down);
			json_key(&w, "message");
			json_string(&w, r->message);
			json_key(&w, "branch_labels");
			json_words(&w, labels);
			json_key(&w, "file");
			json_string(&w, d.files[r->file].path);
			json_key(&w, "is_head");
			json_bool(&w, nkids == 0);
			json_key(&w, "is_branchpoint");
			json_bool(&w, nkids > 1);
			json_key(&w, "is_mergepoint");
			json_bool(&w, r->down.n > 1);
			json_end(&w, '}');
			free(down);
			free(labels);
		}
		json_end(&w, ']');
		json_print(&w, stdout);
	}
	else if (o->verbose)
	{
		for (i = 0; i < d.nrevs; i++)
		{
			const MigRev *r = &d.revs[order[i]];
			char	   *down = join_words(&r->down, ", ");
			char	   *labels = join_words(&r->labels, ", ");

			printf("Rev: %s%s\n", r->id,
				   children_of(&d, r->id, NULL) == 0 ? " (head)" : "");
			printf("Parent: %s\n", down[0] ? down : "<base>");
			if (labels[0])
				printf("Branch names: %s\n", labels);
			printf("Path: %s\n\n    %s\n\n", d.files[r->file].path,
				   r->message ? r->message : "");
			free(down);
			free(labels);
		}
	}
	else if (d.nrevs == 0)
		printf("No revisions in %s.\n", dir_label(&d));
	else
	{
		/* Alembic's line: PARENTS -> REV (head), MESSAGE */
		for (i = 0; i < d.nrevs; i++)
		{
			const MigRev *r = &d.revs[order[i]];
			char	   *down = join_words(&r->down, ", ");
			int			nkids = children_of(&d, r->id, NULL);

			printf("%s -> %s%s%s, %s\n", down[0] ? down : "<base>", r->id,
				   nkids == 0 ? " (head)" : "",
				   nkids > 1 ? " (branchpoint)" : r->down.n > 1 ? " (mergepoint)" : "",
				   r->message ? r->message : "");
			free(down);
		}
	}
	say_view(&d, o->json);
	free(order);
	migdir_free(&d);
	return EXIT_OK;
}

/* show REV from the files: where it is, and its block as written */
int
offline_show(const CliOptions *o)
{
	MigDir		d;
	const MigRev *r;
	const MigFile *f;
	const char *p;
	int			line = 1;

	migdir_load(&d, o->dir);
	r = &d.revs[migdir_resolve(&d, o->args[0], "show")];
	f = &d.files[r->file];
	if (o->json)
	{
		JsonWriter	w;
		char	   *down = join_words(&r->down, " ");
		char	   *deps = join_words(&r->depends, " ");
		char	   *labels = join_words(&r->labels, " ");

		json_init(&w);
		json_begin(&w, '{');
		json_key(&w, "revision");
		json_string(&w, r->id);
		json_key(&w, "down_revisions");
		json_words(&w, down);
		json_key(&w, "depends_on");
		json_words(&w, deps);
		json_key(&w, "branch_labels");
		json_words(&w, labels);
		json_key(&w, "message");
		json_string(&w, r->message);
		json_key(&w, "file");
		json_string(&w, f->path);
		json_end(&w, '}');
		json_print(&w, stdout);
		free(down);
		free(deps);
		free(labels);
	}
	else
	{
		printf("%s, lines %d-%d:\n\n", f->path, r->line, r->end_line);
		for (p = f->text; *p; line++)
		{
			const char *eol = strchr(p, '\n');

			if (line >= r->line && line <= r->end_line)
				printf("%.*s\n", (int) (eol - p), p);
			p = eol + 1;
		}
		printf("\n");
	}
	say_view(&d, o->json);
	migdir_free(&d);
	return EXIT_OK;
}

/*
 * check --offline [--allow-heads]: the files alone.  Every parent and
 * dependency defined, no cycle, one head (unless --allow-heads), the
 * directives as the server reads them.  EXIT_PROBLEMS when any fails.
 */
int
offline_check(const CliOptions *o)
{
	MigDir		d;
	StrList		problems = {0};
	int		   *heads;
	int		   *order;
	int			nheads;
	int			i,
				k;

	migdir_load(&d, o->dir);
	for (i = 0; i < d.problems.n; i++)
		sl_push(&problems, d.problems.items[i]);
	for (i = 0; i < d.nrevs; i++)
	{
		const MigRev *r = &d.revs[i];
		StrBuf		sb;

		for (k = 0; k < r->down.n + r->depends.n; k++)
		{
			bool		dep = k >= r->down.n;
			const char *id = dep ? r->depends.items[k - r->down.n] : r->down.items[k];

			if (migdir_find(&d, id) >= 0)
				continue;
			sb_init(&sb);
			sb_printf(&sb, "%s:%d: revision \"%s\" names %s \"%s\", which no file defines",
					  d.files[r->file].path, r->line, r->id,
					  dep ? "depends_on" : "down_revision", id);
			sl_push_own(&problems, sb.data);
		}
		if (!r->up_sql && !r->down_sql && r->down.n < 2 && r->section > 0)
		{
			sb_init(&sb);
			sb_printf(&sb, "%s:%d: revision \"%s\" is an unfilled template: its upgrade and downgrade sections are empty",
					  d.files[r->file].path, r->line, r->id);
			sl_push_own(&problems, sb.data);
		}
	}
	/* a cycle: newest_first puts what it cannot order last, with a child left */
	order = newest_first(&d);
	for (i = 0; i < d.nrevs; i++)
	{
		const MigRev *r = &d.revs[order[i]];

		for (k = 0; k < r->down.n; k++)
		{
			int			pi = migdir_find(&d, r->down.items[k]);
			int			j;

			/* a parent must come after its child, newest first */
			for (j = 0; pi >= 0 && j < i; j++)
				if (order[j] == pi)
				{
					StrBuf		sb;

					sb_init(&sb);
					sb_printf(&sb, "%s:%d: revision \"%s\" is part of a cycle of down_revisions",
							  d.files[r->file].path, r->line, r->id);
					sl_push_own(&problems, sb.data);
					pi = -1;
				}
		}
	}
	free(order);
	nheads = migdir_heads(&d, &heads);
	if (nheads > 1 && !o->allow_heads)
	{
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "%s has %d heads:", dir_label(&d), nheads);
		for (i = 0; i < nheads; i++)
			sb_printf(&sb, " %s", d.revs[heads[i]].id);
		sb_puts(&sb, " (join them: schemamig merge heads -m \"merge heads\"; or allow it: --allow-heads)");
		sl_push_own(&problems, sb.data);
	}
	for (i = 0; i < problems.n; i++)
		printf("%s\n", problems.items[i]);
	printf("%s: %d revision%s in %d file%s, %d head%s: %s\n", dir_label(&d),
		   d.nrevs, d.nrevs == 1 ? "" : "s", d.nfiles, d.nfiles == 1 ? "" : "s",
		   nheads, nheads == 1 ? "" : "s",
		   problems.n == 0 ? "ok" : "problems found");
	free(heads);
	k = problems.n;
	sl_free(&problems);
	migdir_free(&d);
	return k > 0 ? EXIT_PROBLEMS : EXIT_OK;
}
