/*-------------------------------------------------------------------------
 *
 * import.c
 *	  import TOOL: convert another migration tool's history into schemamig
 *	  files, one per revision, in the migrations directory (--dir).  The
 *	  per-tool readers (import_alembic.c, import_peers.c) fill an ImportSet;
 *	  this file checks it and writes the files.  Nothing is sent to the
 *	  server: push registers the files, adopt stamps what the other tool
 *	  recorded as applied.
 *
 * A revision whose file already exists in the directory (same id) is left
 * alone, so that importing again while both tools are in use adds only the
 * new revisions and never overwrites SQL a person wrote.  A section the
 * reader could not convert is written with the reason, the peer's source
 * quoted in comments, and a line WRITE_THIS_REVISION_BY_HAND, a syntax
 * error: push refuses the file, naming it and that line, until a person
 * has written the SQL and deleted the line.
 *
 * A revision the other tool runs outside a transaction (dbmate
 * transaction:false, goose NO TRANSACTION, flyway executeInTransaction=
 * false) is written with the header directive "-- schemamig:transaction
 * off" and a warning: until the server implements that directive, push
 * refuses the file, naming the line (unknown directive), so that it never
 * silently runs inside a transaction it was not written for.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define SLUG_MAXLEN 40
#define BY_HAND_LINE "WRITE_THIS_REVISION_BY_HAND;\n"

static const char *const tools[] = {
	"alembic", "flyway", "dbmate", "goose", "golang-migrate", "sqitch"
};

static void check_set(const ImportSet *s);
static char *import_slug(const char *message);
static void put_section(StrBuf *t, const ImportRev *r, bool up,
						bool *quoted);

bool
import_tool_known(const char *tool)
{
	int			i;

	for (i = 0; i < (int) (sizeof(tools) / sizeof(tools[0])); i++)
		if (strcmp(tools[i], tool) == 0)
			return true;
	return false;
}

/*
 * import alembic [--config alembic.ini] [--dir DIR]
 * import flyway|dbmate|goose|golang-migrate|sqitch PEER_DIR [--dir DIR]
 */
int
cmd_import(const CliOptions *o)
{
	ImportSet	s;
	const char *tool = o->args[0];
	int			status;

	if (!import_tool_known(tool))
		die_usage("import: unknown tool \"%s\" (alembic, flyway, dbmate, goose, golang-migrate or sqitch)",
				  tool);
	memset(&s, 0, sizeof(s));
	s.tool = tool;
	if (strcmp(tool, "alembic") == 0)
	{
		if (o->nargs > 1)
			die_usage("import alembic takes no directory: it reads the project through its configuration (--config, default alembic.ini)");
		import_alembic(o, &s);
	}
	else
	{
		if (o->config != NULL)
			die_usage("--config applies to import alembic only");
		if (o->nargs < 2)
			die_usage("import %s needs the directory of its migrations, for example: schemamig import %s db/migrations",
					  tool, tool);
		import_peer(tool, o->args[1], &s);
	}
	status = import_write(&s, o->dir);
	importset_free(&s);
	return status;
}

ImportRev *
importset_add(ImportSet *s, const char *id)
{
	ImportRev  *r;

	if (s->n == s->cap)
	{
		s->cap = s->cap ? s->cap * 2 : 16;
		s->revs = xrealloc(s->revs, sizeof(ImportRev) * s->cap);
	}
	r = &s->revs[s->n++];
	memset(r, 0, sizeof(*r));
	r->id = xstrdup(id);
	return r;
}

void
importset_free(ImportSet *s)
{
	int			i;

	for (i = 0; i < s->n; i++)
	{
		ImportRev  *r = &s->revs[i];

		free(r->id);
		sl_free(&r->down);
		sl_free(&r->labels);
		sl_free(&r->depends);
		free(r->message);
		free(r->origin);
		free(r->upgrade);
		free(r->downgrade);
		free(r->up_problem);
		free(r->down_problem);
		free(r->quoted);
	}
	free(s->revs);
	memset(s, 0, sizeof(*s));
}

/* ids valid, each once, parents and dependencies among the set */
static void
check_set(const ImportSet *s)
{
	int			i,
				j,
				k;

	for (i = 0; i < s->n; i++)
	{
		const ImportRev *r = &s->revs[i];

		if (!valid_id(r->id))
			die(EXIT_FILES, "%s: revision id \"%s\" cannot be a schemamig id (1 to 64 characters of A-Z, a-z, 0-9, \"_\", \".\", \"-\"; not base, head, heads or current)",
				r->origin, r->id);
		for (j = 0; j < i; j++)
			if (strcmp(s->revs[j].id, r->id) == 0)
				die(EXIT_FILES, "revision \"%s\" comes twice: %s and %s",
					r->id, s->revs[j].origin, r->origin);
		for (k = 0; k < r->labels.n; k++)
			if (!valid_id(r->labels.items[k]))
				die(EXIT_FILES, "%s: branch label \"%s\" cannot be a schemamig label",
					r->origin, r->labels.items[k]);
	}
	for (i = 0; i < s->n; i++)
	{
		const ImportRev *r = &s->revs[i];

		for (k = 0; k < r->down.n + r->depends.n; k++)
		{
			const char *p = k < r->down.n ? r->down.items[k] :
				r->depends.items[k - r->down.n];

			for (j = 0; j < s->n; j++)
				if (strcmp(s->revs[j].id, p) == 0)
					break;
			if (j == s->n)
				die(EXIT_FILES, "%s: revision \"%s\" names \"%s\" as %s, which is not among the imported revisions",
					r->origin, r->id, p,
					k < r->down.n ? "its parent" : "a dependency");
		}
	}
}

/*
 * import_write
 *		Write the revisions of s into dir (created when missing), leaving
 *		revisions that already have a file alone.  Prints one line per
 *		revision and a summary; returns the exit status.
 */
int
import_write(const ImportSet *s, const char *dir)
{
	MigDir		d;
	Table		t;
	static const char *const headers[] = {"revision", "action", "file"};
	struct stat st;
	int			i;
	int			written = 0,
				kept = 0,
				by_hand = 0;

	check_set(s);
	if (s->n == 0)
		die(EXIT_FILES, "import %s: no migrations found", s->tool);
	if (stat(dir, &st) != 0)
	{
		if (errno != ENOENT || mkdir(dir, 0777) != 0)
			die(EXIT_FILES, "cannot create migrations directory \"%s\": %s",
				dir, strerror(errno));
	}
	migdir_load(&d, dir);
	table_init(&t, 3, headers);
	for (i = 0; i < s->n; i++)
	{
		const ImportRev *r = &s->revs[i];
		int			found = migdir_find(&d, r->id);
		StrBuf		path;
		StrBuf		text;
		char	   *slug;
		char	   *list;
		bool		quoted = false;
		const char *cells[3];

		if (found >= 0)
		{
			cells[0] = r->id;
			cells[1] = "exists";
			cells[2] = d.files[d.revs[found].file].path;
			table_add(&t, cells);
			kept++;
			continue;
		}
		slug = import_slug(r->message ? r->message : "");
		sb_init(&path);
		sb_printf(&path, "%s%s%s%s.sql", dir_label(&d), r->id,
				  slug[0] ? "_" : "", slug);
		free(slug);

		sb_init(&text);
		sb_printf(&text, "-- Imported by \"schemamig import %s\" from %s.\n",
				  s->tool, r->origin);
		sb_printf(&text, "-- schemamig:revision %s\n", r->id);
		if (r->down.n > 0)
		{
			list = join_words(&r->down, " ");
			sb_printf(&text, "-- schemamig:down_revision %s\n", list);
			free(list);
		}
		if (r->message != NULL && r->message[0] != '\0')
			sb_printf(&text, "-- schemamig:message %s\n", r->message);
		if (r->labels.n > 0)
		{
			list = join_words(&r->labels, " ");
			sb_printf(&text, "-- schemamig:branch_labels %s\n", list);
			free(list);
		}
		if (r->depends.n > 0)
		{
			list = join_words(&r->depends, " ");
			sb_printf(&text, "-- schemamig:depends_on %s\n", list);
			free(list);
		}
		if (r->no_transaction)
			sb_puts(&text, "-- schemamig:transaction off\n");
		put_section(&text, r, true, &quoted);
		put_section(&text, r, false, &quoted);
		write_new_file(path.data, text.data, text.len);
		sb_free(&text);

		cells[0] = r->id;
		cells[1] = (r->up_problem || r->down_problem) ? "needs SQL" : "written";
		cells[2] = path.data;
		table_add(&t, cells);
		if (r->up_problem || r->down_problem)
		{
			cli_warning("revision %s (%s): %s", r->id, r->origin,
						r->up_problem ? r->up_problem : r->down_problem);
			cli_note("hint", "Write its SQL by hand in the file, then delete its WRITE_THIS_REVISION_BY_HAND line: push refuses the file until then.");
			by_hand++;
		}
		else
			written++;
		if (r->no_transaction)
		{
			cli_warning("revision %s (%s) runs outside a transaction in %s: written with \"-- schemamig:transaction off\"",
						r->id, r->origin, s->tool);
			cli_note("detail", "This server does not know that directive yet (non-transactional revisions are another issue): push refuses the file, naming that line, until it does.");
			cli_note("hint", "To register it now, delete the directive (the revision then runs in a transaction; CREATE INDEX CONCURRENTLY and the like are refused).");
		}
		sb_free(&path);
	}
	table_print(&t, stdout);
	table_free(&t);
	printf("%d revision%s from %s: %d written, %d need%s SQL written by hand, %d already there (left alone)\n",
		   s->n, s->n == 1 ? "" : "s", s->tool, written, by_hand,
		   by_hand == 1 ? "s" : "", kept);
	migdir_free(&d);
	return EXIT_OK;
}

/* one section; the reason, quoted source and refusing line when needed */
static void
put_section(StrBuf *t, const ImportRev *r, bool up, bool *quoted)
{
	const char *sql = up ? r->upgrade : r->downgrade;
	const char *problem = up ? r->up_problem : r->down_problem;
	const char *p;

	if (!up && sql == NULL && problem == NULL)
		return;					/* irreversible: no downgrade section */
	sb_puts(t, up ? "-- schemamig:upgrade\n" : "-- schemamig:downgrade\n");
	if (problem != NULL)
	{
		sb_printf(t, "-- schemamig import could not convert this section:\n--   %s\n",
				  problem);
		sb_puts(t, "-- Write its SQL here, then delete the WRITE_THIS_REVISION_BY_HAND line:\n"
				"-- until then this file does not register (push refuses it).\n");
		if (r->quoted != NULL && !*quoted)
		{
			sb_printf(t, "-- The source (%s):\n", r->origin);
			for (p = r->quoted; *p;)
			{
				const char *eol = strchr(p, '\n');
				size_t		len = eol ? (size_t) (eol - p) : strlen(p);

				sb_puts(t, len ? "-- | " : "-- |");
				sb_putn(t, p, len);
				sb_putc(t, '\n');
				p += len + (eol ? 1 : 0);
			}
			*quoted = true;
		}
		sb_puts(t, BY_HAND_LINE);
	}
	else if (sql[0] != '\0')
	{
		sb_puts(t, sql);
		if (sql[strlen(sql) - 1] != '\n')
			sb_putc(t, '\n');
	}
	sb_putc(t, '\n');
}

/* "Add users!" -> "add_users" */
static char *
import_slug(const char *message)
{
	StrBuf		sb;
	const char *p;
	bool		gap = false;

	sb_init(&sb);
	for (p = message; *p && sb.len < SLUG_MAXLEN; p++)
	{
		char		c = *p;

		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		{
			if (gap && sb.len > 0)
			{
				if (sb.len + 2 > SLUG_MAXLEN)
					break;
				sb_putc(&sb, '_');
			}
			gap = false;
			sb_putc(&sb, c);
		}
		else
			gap = true;
	}
	return sb.data;
}
