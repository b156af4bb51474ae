/*-------------------------------------------------------------------------
 *
 * authoring.c
 *	  new and merge: write a migration file into the migrations directory.
 *	  Nothing is registered until push (or upgrade).
 *
 * new builds on the database's head when it can reach a database with
 * schemamig (its registered revisions and the directory's files, the files
 * registered in a transaction that is rolled back), and on the files' head
 * otherwise; it says which.  --head may name a revision that only the
 * database has.  merge works on the files.
 *
 * A new file is named <id>_<slug>.sql, or after --template
 * ("{date}_{id}_{slug}"), with a fresh 12-hex id read from /dev/urandom
 * (as Alembic's ids), and is created with O_EXCL so that an existing file
 * is never overwritten.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define SLUG_MAXLEN 40

static void check_message(const char *message);
static char *new_id(const MigDir *d, const char *rev_id);
static char *slugify(const char *message);
static void resolve_list(const MigDir *d, const char *spec, const char *what,
						 const CliOptions *db, StrList *out);
static char *write_revision(const MigDir *d, const char *name_template,
							const char *id, const char *message,
							const StrList *down, const StrList *labels,
							const StrList *depends);
static bool database_heads(const CliOptions *o, const MigDir *d,
						   StrList *heads, char **why);
static void too_many_heads(const char *where, const StrList *heads,
						   const MigDir *d) CLI_NORETURN;

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
			resolve_list(&d, o->head, "--head", o->offline ? NULL : o, &down);
	}
	else
	{
		StrList		heads = {0};
		char	   *why = NULL;
		bool		db = !o->offline && database_heads(o, &d, &heads, &why);
		StrBuf		where;

		sb_init(&where);
		if (db)
			sb_printf(&where, "database \"%s\" (its registered revisions and the files in %s)",
					  PQdb(cli_conn), dir_label(&d));
		else
		{
			int		   *fh;
			int			n = migdir_heads(&d, &fh);

			for (i = 0; i < n; i++)
				sl_push(&heads, d.revs[fh[i]].id);
			free(fh);
			sb_printf(&where, "the files in %s (no database: %s)",
					  dir_label(&d), why ? why : "--offline");
		}
		if (heads.n > 1)
			too_many_heads(where.data, &heads, &d);
		if (heads.n == 1)
			sl_push(&down, heads.items[0]);
		announce_base(&heads, where.data);
		sb_free(&where);
		sl_free(&heads);
		free(why);
	}
	if (o->depends_on != NULL)
		resolve_list(&d, o->depends_on, "--depends-on", o->offline ? NULL : o,
					 &depends);

	id = new_id(&d, o->rev_id);
	path = write_revision(&d, o->name_template, id, o->message, &down,
						  &labels, &depends);
	printf("%s\n", path);
	cli_note("hint", "Write its SQL under \"-- schemamig:upgrade\" and \"-- schemamig:downgrade\".  An empty downgrade section is a downgrade that runs nothing; a revision that cannot be undone has none: delete the \"-- schemamig:downgrade\" line (irreversible).");

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
			resolve_list(&d, o->args[i], "merge", NULL, &down);
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
	path = write_revision(&d, o->name_template, id, message, &down, &none,
						  &none);
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

/*
 * database_heads
 *		When a database with schemamig can be reached: its heads with the
 *		files of d registered, in a transaction that is rolled back, into
 *		heads; true.  Otherwise false with *why saying why (malloc'd).
 */
static bool
database_heads(const CliOptions *o, const MigDir *d, StrList *heads,
			   char **why)
{
	PGresult   *res;
	int			i;

	if (!cli_connect_soft(o->dbname, why))
		return false;
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	if (d->nfiles > 0)
	{
		char	   *script = migdir_script(d);
		const char *params[1] = {script};

		/* the files as they would be registered */
		res = cli_query_try("SELECT revision FROM schemamig.register($1)", 1,
							params, d);
		free(script);
		if (res == NULL)
		{
			StrBuf		sb;

			/* the error is shown; the files alone can still say the head */
			sb_init(&sb);
			sb_printf(&sb, "the files do not register in database \"%s\" (above)",
					  PQdb(cli_conn));
			*why = sb.data;
			PQclear(cli_query("ROLLBACK", 0, NULL, NULL));
			return false;
		}
		PQclear(res);
	}
	res = cli_query("SELECT revision FROM schemamig.heads() ORDER BY revision",
					0, NULL, NULL);
	for (i = 0; i < PQntuples(res); i++)
		sl_push(heads, PQgetvalue(res, i, 0));
	PQclear(res);
	PQclear(cli_query("ROLLBACK", 0, NULL, NULL));
	return true;
}

/* new with several heads: which one to build on is not clear */
static void
too_many_heads(const char *where, const StrList *heads, const MigDir *d)
{
	StrBuf		sb;
	int			i;

	sb_init(&sb);
	for (i = 0; i < heads->n; i++)
	{
		int			k = migdir_find(d, heads->items[i]);

		sb_printf(&sb, "%s%s", i > 0 ? ", " : "", heads->items[i]);
		if (k >= 0)
			sb_printf(&sb, " (%s)", d->files[d->revs[k].file].path);
	}
	cli_error("%d heads in %s: %s", heads->n, where, sb.data);
	cli_note("detail", "A new revision goes on top of one head; which one is not clear.");
	cli_note("hint", "Join them first with: schemamig merge heads -m \"merge heads\"  (or name the parent with --head REV).");
	sb_free(&sb);
	cli_exit(EXIT_FILES);
}

/*
 * announce_base
 *		Say on stderr what a new revision goes on: heads of where (one; or
 *		several, which the revision merges; or none, a new root).
 */
void
announce_base(const StrList *heads, const char *where)
{
	char	   *list;

	if (heads->n == 0)
	{
		fprintf(stderr, "A new root: no revision in %s.\n", where);
		return;
	}
	list = join_words(heads, ", ");
	if (heads->n == 1)
		fprintf(stderr, "On top of %s, the head of %s.\n", list, where);
	else
		fprintf(stderr, "On top of %s (merged), the heads of %s.\n", list,
				where);
	free(list);
}

/*
 * resolve_one
 *		The revision named by spec, an id or a unique prefix: in the files
 *		first, then (db: the options to connect with, NULL for files only)
 *		in the database, when one with schemamig can be reached.  malloc'd;
 *		exits with EXIT_USAGE when there is none.
 */
static char *
resolve_one(const MigDir *d, const char *spec, const char *what,
			const CliOptions *db)
{
	size_t		len = strlen(spec);
	int			matches = 0;
	int			i;
	char	   *why = NULL;
	PGresult   *res;
	char	   *id;

	for (i = 0; i < d->nrevs; i++)
		if (len > 0 && strncmp(d->revs[i].id, spec, len) == 0)
			matches++;
	if (matches > 0 || db == NULL)
		return xstrdup(d->revs[migdir_resolve(d, spec, what)].id);
	if (cli_conn == NULL && !cli_connect_soft(db->dbname, &why))
	{
		StrBuf		sb;

		sb_init(&sb);
		sb_printf(&sb, "It is not in the database either: %s.", why);
		cli_error("%s: no revision \"%s\" in %s", what, spec, dir_label(d));
		cli_note("detail", sb.data);
		sb_free(&sb);
		free(why);
		cli_exit(EXIT_USAGE);
	}
	{
		const char *params[1] = {spec};

		res = cli_query("SELECT revision FROM schemamig.history()"
						" WHERE pg_catalog.starts_with(revision, $1)"
						" ORDER BY revision OPERATOR(pg_catalog.<>) $1, revision",
						1, params, NULL);
	}
	if (PQntuples(res) == 0)
	{
		PQclear(res);
		die(EXIT_USAGE, "%s: no revision \"%s\" in %s nor in database \"%s\"",
			what, spec, dir_label(d), PQdb(cli_conn));
	}
	if (PQntuples(res) > 1 && strcmp(PQgetvalue(res, 0, 0), spec) != 0)
	{
		StrList		sl = {0};

		for (i = 0; i < PQntuples(res); i++)
			sl_push(&sl, PQgetvalue(res, i, 0));
		PQclear(res);
		die(EXIT_USAGE, "%s: \"%s\" is ambiguous in database \"%s\": it matches %s",
			what, spec, PQdb(cli_conn), join_words(&sl, ", "));
	}
	id = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return id;
}

/* each id or unique prefix of a space/comma list, resolved, into out */
static void
resolve_list(const MigDir *d, const char *spec, const char *what,
			 const CliOptions *db, StrList *out)
{
	StrList		words = {0};
	int			i;

	split_words(spec, &words);
	if (words.n == 0)
		die(EXIT_USAGE, "%s: no revision given", what);
	for (i = 0; i < words.n; i++)
		sl_push_own(out, resolve_one(d, words.items[i], what, db));
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
 * migration_path
 *		dir/NAME.sql for a new revision: NAME is name_template with {id},
 *		{slug} (of message), {date} (YYYYMMDD) and {time} (HHMM, local
 *		time) filled in, or "{id}_{slug}" when name_template is NULL (then
 *		$SCHEMAMIG_TEMPLATE, when set).  Exits with EXIT_USAGE on a bad
 *		template.  malloc'd.
 */
char *
migration_path(const MigDir *d, const char *name_template, const char *id,
			   const char *message)
{
	StrBuf		path;
	char	   *slug = slugify(message ? message : "");
	const char *p;
	const char *env = getenv("SCHEMAMIG_TEMPLATE");
	const char *what = name_template ? "--template" : "$SCHEMAMIG_TEMPLATE";
	time_t		now = time(NULL);
	struct tm	tm;
	size_t		start;

	if (name_template == NULL)
		name_template = (env != NULL && env[0] != '\0') ? env : "{id}_{slug}";
	localtime_r(&now, &tm);
	sb_init(&path);
	sb_puts(&path, d->label);
	start = path.len;
	for (p = name_template; *p; p++)
	{
		const char *close;
		size_t		n;

		if (*p == '/' || *p == '\\')
			die(EXIT_USAGE, "%s: \"%s\" names a directory; the file goes into --dir",
				what, name_template);
		if (*p != '{')
		{
			sb_putc(&path, *p);
			continue;
		}
		close = strchr(p, '}');
		n = close ? (size_t) (close - p - 1) : 0;
		if (close != NULL && n == 2 && strncmp(p + 1, "id", 2) == 0)
			sb_puts(&path, id);
		else if (close != NULL && n == 4 && strncmp(p + 1, "slug", 4) == 0)
			sb_puts(&path, slug);
		else if (close != NULL && n == 4 && strncmp(p + 1, "date", 4) == 0)
			sb_printf(&path, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
					  tm.tm_mday);
		else if (close != NULL && n == 4 && strncmp(p + 1, "time", 4) == 0)
			sb_printf(&path, "%02d%02d", tm.tm_hour, tm.tm_min);
		else
			die(EXIT_USAGE, "%s: unknown placeholder in \"%s\" (known: {id}, {slug}, {date}, {time})",
				what, name_template);
		p = close;
	}
	/* an empty slug leaves a separator behind: drop it */
	while (path.len > start &&
		   (path.data[path.len - 1] == '_' || path.data[path.len - 1] == '-'))
		path.data[--path.len] = '\0';
	if (path.len == start)
		die(EXIT_USAGE, "%s: \"%s\" gives an empty file name", what,
			name_template);
	if (path.len < 4 || strcmp(path.data + path.len - 4, ".sql") != 0)
		sb_puts(&path, ".sql");
	free(slug);
	return path.data;
}

/*
 * write_new_file
 *		Create path (it must not exist) holding text.  Exits with EXIT_FILES
 *		when it exists or cannot be written (removing what was written).
 */
void
write_new_file(const char *path, const char *text, size_t len)
{
	int			fd;
	size_t		done = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0)
		die(EXIT_FILES, "cannot create %s: %s", path, strerror(errno));
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
			die(EXIT_FILES, "cannot write %s: %s", path,
				n < 0 ? strerror(err) : "short write");
		}
		done += n;
	}
	if (close(fd) != 0)
	{
		int			err = errno;

		unlink(path);
		die(EXIT_FILES, "cannot write %s: %s", path, strerror(err));
	}
}

/*
 * revision_header
 *		The header directives of a revision, up to (not including) its
 *		upgrade line, appended to text.
 */
void
revision_header(StrBuf *text, const char *id, const char *message,
				const StrList *down, const StrList *labels,
				const StrList *depends)
{
	const char *msg = message;
	char	   *list;

	sb_printf(text, "-- schemamig:revision %s\n", id);
	if (down->n > 0)
	{
		list = join_words(down, " ");
		sb_printf(text, "-- schemamig:down_revision %s\n", list);
		free(list);
	}
	if (msg != NULL)
	{
		while (*msg == ' ' || *msg == '\t')
			msg++;
		sb_printf(text, "-- schemamig:message %s\n", msg);
	}
	if (labels->n > 0)
	{
		list = join_words(labels, " ");
		sb_printf(text, "-- schemamig:branch_labels %s\n", list);
		free(list);
	}
	if (depends->n > 0)
	{
		list = join_words(depends, " ");
		sb_printf(text, "-- schemamig:depends_on %s\n", list);
		free(list);
	}
}

/*
 * write_revision
 *		Create the file of a new revision with empty upgrade and downgrade
 *		sections; its path (malloc'd).
 */
static char *
write_revision(const MigDir *d, const char *name_template, const char *id,
			   const char *message, const StrList *down,
			   const StrList *labels, const StrList *depends)
{
	char	   *path = migration_path(d, name_template, id, message);
	StrBuf		text;

	sb_init(&text);
	revision_header(&text, id, message, down, labels, depends);
	sb_puts(&text, "-- schemamig:upgrade\n\n-- schemamig:downgrade\n\n");
	write_new_file(path, text.data, text.len);
	sb_free(&text);
	return path;
}
