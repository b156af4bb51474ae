/*-------------------------------------------------------------------------
 *
 * authoring.c
 *	  new and merge: write a migration file into the migrations directory,
 *	  on top of the local head(s).  These work on files only; nothing is
 *	  sent to the server until push.
 *
 * A new file is named <id>_<slug>.sql, with a fresh 12-hex id read from
 * /dev/urandom (as Alembic's ids), and is created with O_EXCL so that an
 * existing file is never overwritten.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define SLUG_MAXLEN 40

static void check_message(const char *message);
static char *new_id(const MigDir *d, const char *rev_id);
static char *slugify(const char *message);
static void resolve_list(const MigDir *d, const char *spec, const char *what,
						 StrList *out);
static char *write_revision(const MigDir *d, const char *id,
							const char *message, const StrList *down,
							const StrList *labels, const StrList *depends);

/*
 * new -m MESSAGE [--head REV|base] [--branch-label L] [--depends-on R]
 * [--rev-id ID]: a revision whose parent is the single local head.
 */
int
cmd_new(const CliOptions *o)
{
	MigDir		d;
	StrList		down = {0};
	StrList		labels = {0};
	StrList		depends = {0};
	char	   *id;
	char	   *path;
	int			i;

	/* --autogenerate, --from-db, --from-sql: autogen.c */
	if (o->autogenerate || o->from_db != NULL || o->from_sql != NULL)
		return cmd_autogenerate(o);
	if (o->nargs > 0)
		die_usage("too many arguments for %s: \"%s\"", o->command, o->args[0]);
	if (o->message == NULL)
		die_usage("%s needs a message: schemamig %s -m \"what it does\"",
				  o->command, o->command);
	check_message(o->message);
	if (o->branch_label != NULL)
	{
		split_words(o->branch_label, &labels);
		for (i = 0; i < labels.n; i++)
			if (!valid_id(labels.items[i]))
				die(EXIT_USAGE, "--branch-label: invalid branch label \"%s\" (1 to 64 characters of A-Z, a-z, 0-9, \"_\", \".\", \"-\"; not base, head, heads or current)",
					labels.items[i]);
	}

	migdir_load(&d, o->dir);
	if (o->head != NULL)
	{
		if (strcmp(o->head, "base") != 0)
			resolve_list(&d, o->head, "--head", &down);
	}
	else
	{
		int		   *heads;
		int			n = migdir_heads(&d, &heads);

		if (n == 1)
			sl_push(&down, d.revs[heads[0]].id);
		else if (n > 1)
		{
			StrBuf		sb;

			sb_init(&sb);
			for (i = 0; i < n; i++)
				sb_printf(&sb, "%s%s (%s)", i > 0 ? ", " : "",
						  d.revs[heads[i]].id,
						  d.files[d.revs[heads[i]].file].path);
			cli_error("%s has %d heads: %s", dir_label(&d), n, sb.data);
			cli_note("detail", "A new revision goes on top of one head; which one is not clear.");
			cli_note("hint", "Join them first with: schemamig merge -m \"merge heads\"  (or name the parent with --head REV).");
			sb_free(&sb);
			free(heads);
			cli_exit(EXIT_FILES);
		}
		free(heads);
	}
	if (o->depends_on != NULL)
		resolve_list(&d, o->depends_on, "--depends-on", &depends);

	id = new_id(&d, o->rev_id);
	path = write_revision(&d, id, o->message, &down, &labels, &depends);
	printf("%s\n", path);

	free(path);
	free(id);
	sl_free(&down);
	sl_free(&labels);
	sl_free(&depends);
	migdir_free(&d);
	return EXIT_OK;
}

/*
 * merge [-m MESSAGE] [REV...] [--rev-id ID]: a revision over the given
 * revisions (default: every local head), with empty sections.
 */
int
cmd_merge(const CliOptions *o)
{
	MigDir		d;
	StrList		down = {0};
	StrList		none = {0};
	char	   *id;
	char	   *path;
	char	   *message;
	int			i;

	if (o->message != NULL)
		check_message(o->message);
	migdir_load(&d, o->dir);
	/* Alembic's "merge heads": the same as naming none */
	if (o->nargs > 0 && !(o->nargs == 1 && strcmp(o->args[0], "heads") == 0))
	{
		for (i = 0; i < o->nargs; i++)
			resolve_list(&d, o->args[i], "merge", &down);
	}
	else
	{
		int		   *heads;
		int			n = migdir_heads(&d, &heads);

		for (i = 0; i < n; i++)
			sl_push(&down, d.revs[heads[i]].id);
		free(heads);
	}
	for (i = 1; i < down.n; i++)
	{
		int			k;

		for (k = 0; k < i; k++)
			if (strcmp(down.items[i], down.items[k]) == 0)
				die(EXIT_USAGE, "merge: revision \"%s\" is named twice", down.items[i]);
	}
	if (down.n < 2)
	{
		if (o->nargs > 0 && strcmp(o->args[0], "heads") != 0)
			die(EXIT_USAGE, "merge needs two or more revisions, got %d", down.n);
		cli_error("nothing to merge: %s has %d head%s%s%s",
				  dir_label(&d), down.n, down.n == 1 ? "" : "s",
				  down.n == 1 ? ": " : "", down.n == 1 ? down.items[0] : "");
		cli_note("hint", "\"schemamig new -m MESSAGE\" adds a revision on top of a single head.");
		cli_exit(EXIT_FILES);
	}

	if (o->message != NULL)
		message = xstrdup(o->message);
	else
	{
		char	   *ids = join_words(&down, ", ");
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "merge %s", ids);
		message = sb.data;
		free(ids);
	}
	id = new_id(&d, o->rev_id);
	path = write_revision(&d, id, message, &down, &none, &none);
	printf("%s\n", path);

	free(path);
	free(id);
	free(message);
	sl_free(&down);
	migdir_free(&d);
	return EXIT_OK;
}

/* a message is one line of text */
static void
check_message(const char *message)
{
	const char *p;

	for (p = message; *p; p++)
		if (*p == '\n' || *p == '\r')
			die(EXIT_USAGE, "-m: the message must be one line");
	for (p = message; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0')
		die(EXIT_USAGE, "-m: the message is empty");
}

/* each id or unique prefix of a space/comma list, resolved, into out */
static void
resolve_list(const MigDir *d, const char *spec, const char *what,
			 StrList *out)
{
	StrList		words = {0};
	int			i;

	split_words(spec, &words);
	if (words.n == 0)
		die(EXIT_USAGE, "%s: no revision given", what);
	for (i = 0; i < words.n; i++)
		sl_push(out, d->revs[migdir_resolve(d, words.items[i], what)].id);
	sl_free(&words);
}

/*
 * new_id
 *		rev_id when given (valid and not in the files), else 12 random hex
 *		characters not in the files.
 */
static char *
new_id(const MigDir *d, const char *rev_id)
{
	int			fd;
	int			tries;

	if (rev_id != NULL)
	{
		if (!valid_id(rev_id))
			die(EXIT_USAGE, "--rev-id: invalid revision id \"%s\" (1 to 64 characters of A-Z, a-z, 0-9, \"_\", \".\", \"-\"; not base, head, heads or current)",
				rev_id);
		if (migdir_find(d, rev_id) >= 0)
			die(EXIT_USAGE, "--rev-id: revision \"%s\" is already in %s",
				rev_id, d->files[d->revs[migdir_find(d, rev_id)].file].path);
		return xstrdup(rev_id);
	}

	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0)
		die(EXIT_FILES, "cannot open /dev/urandom: %s", strerror(errno));
	for (tries = 0; tries < 100; tries++)
	{
		unsigned char bytes[6];
		char	   *id = xmalloc(13);
		ssize_t		got = read(fd, bytes, sizeof(bytes));
		int			k;

		if (got != (ssize_t) sizeof(bytes))
		{
			free(id);
			close(fd);
			die(EXIT_FILES, "cannot read /dev/urandom");
		}
		for (k = 0; k < 6; k++)
			snprintf(id + k * 2, 3, "%02x", bytes[k]);
		if (migdir_find(d, id) < 0)
		{
			close(fd);
			return id;
		}
		free(id);
	}
	close(fd);
	die(EXIT_FILES, "could not find an unused revision id");
}

/* "Add users!" -> "add_users": lower-case ASCII letters and digits, "_" */
static char *
slugify(const char *message)
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

/*
 * write_revision
 *		Create <dir>/<id>_<slug>.sql holding one revision with empty
 *		upgrade and downgrade sections; its path (malloc'd).  Exits with
 *		EXIT_FILES when the file exists or cannot be written.
 */
static char *
write_revision(const MigDir *d, const char *id, const char *message,
			   const StrList *down, const StrList *labels,
			   const StrList *depends)
{
	StrBuf		path;
	StrBuf		text;
	char	   *slug = slugify(message);
	const char *msg = message;
	char	   *list;
	int			fd;
	size_t		done = 0;

	sb_init(&path);
	sb_puts(&path, d->label);
	sb_puts(&path, id);
	if (slug[0] != '\0')
		sb_printf(&path, "_%s", slug);
	sb_puts(&path, ".sql");
	free(slug);

	while (*msg == ' ' || *msg == '\t')
		msg++;
	sb_init(&text);
	sb_printf(&text, "-- schemamig:revision %s\n", id);
	if (down->n > 0)
	{
		list = join_words(down, " ");
		sb_printf(&text, "-- schemamig:down_revision %s\n", list);
		free(list);
	}
	sb_printf(&text, "-- schemamig:message %s\n", msg);
	if (labels->n > 0)
	{
		list = join_words(labels, " ");
		sb_printf(&text, "-- schemamig:branch_labels %s\n", list);
		free(list);
	}
	if (depends->n > 0)
	{
		list = join_words(depends, " ");
		sb_printf(&text, "-- schemamig:depends_on %s\n", list);
		free(list);
	}
	sb_puts(&text, "-- schemamig:upgrade\n\n-- schemamig:downgrade\n\n");

	fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
		die(EXIT_FILES, "cannot create %s: %s", path.data, strerror(errno));
	while (done < text.len)
	{
		ssize_t		n = write(fd, text.data + done, text.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			int			err = errno;

			close(fd);
			unlink(path.data);
			die(EXIT_FILES, "cannot write %s: %s", path.data,
				n < 0 ? strerror(err) : "short write");
		}
		done += n;
	}
	if (close(fd) != 0)
	{
		int			err = errno;

		unlink(path.data);
		die(EXIT_FILES, "cannot write %s: %s", path.data, strerror(err));
	}
	sb_free(&text);
	return path.data;
}
