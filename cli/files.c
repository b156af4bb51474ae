/*-------------------------------------------------------------------------
 *
 * files.c
 *	  The migrations directory: reading its *.sql files, the little of the
 *	  script format the client needs (revision ids, down_revision,
 *	  depends_on), local heads, and the map from lines of the pushed
 *	  script back to files.
 *
 * Directives are parsed as the server parses them (src/script.c): a line
 * starting "--", optional spaces or tabs, "schemamig:", a name, then the
 * argument, trimmed.  Everything else about the format is the server's
 * business: push sends the files as one script, and the server's errors
 * are mapped back to files.
 *
 * Files are pushed concatenated, so a file's lines before its first
 * revision end up in the previous file's last section.  The server drops
 * trailing blank and "--" lines from sections, so those are harmless;
 * anything else there (SQL, a block comment, a directive) would silently
 * become part of another revision, and is refused here, per file.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static void parse_file(MigDir *d, int fi);
static bool parse_directive(const char *line, size_t len, char **name,
							char **arg);
static bool is_blank_or_comment(const char *line, size_t len);
static long utf8_error_at(const char *s, size_t len);
static int	cmp_names(const void *a, const void *b);
static int	cmp_rev_ids(const void *a, const void *b);
static int	cmp_strp(const void *a, const void *b);
static bool is_space(char c);
static void add_problem(MigDir *d, const char *path, int line,
						const char *fmt,...) CLI_PRINTF(4, 5);

/*
 * migfile_read
 *		Read path into f, ending its text with a newline.  Exits with
 *		EXIT_FILES, naming the file and line, when it cannot be read or is
 *		not UTF-8 text.
 */
void
migfile_read(const char *path, MigFile *f)
{
	FILE	   *fp = fopen(path, "rb");
	StrBuf		sb;
	char		chunk[8192];
	size_t		n;
	const char *nul;
	long		bad;
	size_t		i;

	if (fp == NULL)
		die(EXIT_FILES, "cannot read %s: %s", path, strerror(errno));
	sb_init(&sb);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		sb_putn(&sb, chunk, n);
	if (ferror(fp))
		die(EXIT_FILES, "cannot read %s: %s", path, strerror(errno));
	fclose(fp);

	/* a NUL would end the text the server gets: nothing after it counts */
	nul = memchr(sb.data, '\0', sb.len);
	if (nul != NULL)
	{
		int			line = 1;
		const char *p;

		for (p = sb.data; p < nul; p++)
			if (*p == '\n')
				line++;
		die(EXIT_FILES, "%s:%d: the file holds a NUL byte (is it a text file?)",
			path, line);
	}
	if (sb.len >= 3 && memcmp(sb.data, "\xEF\xBB\xBF", 3) == 0)
	{
		cli_error("%s:1: the file starts with a byte order mark", path);
		cli_note("hint", "Save it as UTF-8 without BOM: the first line must be a directive or a -- comment.");
		cli_exit(EXIT_FILES);
	}
	bad = utf8_error_at(sb.data, sb.len);
	if (bad >= 0)
	{
		int			line = 1;

		for (i = 0; i < (size_t) bad; i++)
			if (sb.data[i] == '\n')
				line++;
		cli_error("%s:%d: invalid UTF-8 (byte 0x%02x)", path, line,
				  (unsigned char) sb.data[bad]);
		cli_note("hint", "Migration files are sent to the server as UTF-8; convert the file (iconv -t UTF-8).");
		cli_exit(EXIT_FILES);
	}
	if (sb.len > 0 && sb.data[sb.len - 1] != '\n')
		sb_putc(&sb, '\n');

	f->path = xstrdup(path);
	f->text = sb.data;
	f->len = sb.len;
	f->nlines = 0;
	for (i = 0; i < sb.len; i++)
		if (sb.data[i] == '\n')
			f->nlines++;
	f->first_line = 1;
}

/*
 * migdir_load
 *		Read and parse every *.sql file of dir (not hidden ones), in name
 *		order.  Exits with EXIT_FILES when the directory is missing or a
 *		file is unfit; an empty directory is not an error here.
 */
void
migdir_load(MigDir *d, const char *dir)
{
	DIR		   *dp;
	struct dirent *de;
	StrList		names = {0};
	size_t		dlen = strlen(dir);
	int			i,
				line;

	memset(d, 0, sizeof(*d));
	d->dir = xstrdup(dir);
	d->label = xmalloc(dlen + 2);
	memcpy(d->label, dir, dlen + 1);
	if (dlen > 0 && dir[dlen - 1] != '/')
		strcat(d->label, "/");
	dp = opendir(dir);
	if (dp == NULL)
	{
		if (errno == ENOENT)
		{
			cli_error("migrations directory \"%s\" does not exist", dir);
			cli_note("hint", "Create it (mkdir), run from the directory that holds it, or name it with --dir.");
			cli_exit(EXIT_FILES);
		}
		die(EXIT_FILES, "cannot open migrations directory \"%s\": %s", dir,
			strerror(errno));
	}
	while ((errno = 0, de = readdir(dp)) != NULL)
	{
		size_t		len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 5 ||
			strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		sl_push(&names, de->d_name);
	}
	if (errno != 0)
		die(EXIT_FILES, "cannot list \"%s\": %s", dir, strerror(errno));
	closedir(dp);
	if (names.n > 0)
		qsort(names.items, names.n, sizeof(char *), cmp_names);

	d->files = xmalloc(sizeof(MigFile) * (names.n ? names.n : 1));
	line = 1;
	for (i = 0; i < names.n; i++)
	{
		StrBuf		path;
		struct stat st;

		sb_init(&path);
		sb_puts(&path, d->label);
		sb_puts(&path, names.items[i]);
		if (stat(path.data, &st) != 0)
			die(EXIT_FILES, "cannot read %s: %s", path.data, strerror(errno));
		if (!S_ISREG(st.st_mode))
		{
			sb_free(&path);
			continue;
		}
		migfile_read(path.data, &d->files[d->nfiles]);
		sb_free(&path);
		d->files[d->nfiles].first_line = line;
		line += d->files[d->nfiles].nlines;
		d->nfiles++;
		parse_file(d, d->nfiles - 1);
	}
	sl_free(&names);

	/* the same id twice: name both places */
	if (d->nrevs > 1)
	{
		MigRev	  **order = xmalloc(sizeof(MigRev *) * d->nrevs);
		MigRev	   *a = NULL;
		MigRev	   *b = NULL;

		for (i = 0; i < d->nrevs; i++)
			order[i] = &d->revs[i];
		qsort(order, d->nrevs, sizeof(MigRev *), cmp_rev_ids);
		for (i = 1; i < d->nrevs && a == NULL; i++)
			if (strcmp(order[i - 1]->id, order[i]->id) == 0)
			{
				a = order[i - 1];
				b = order[i];
			}
		free(order);
		if (a != NULL)
			die(EXIT_FILES, "revision \"%s\" is defined twice: %s:%d and %s:%d",
				a->id, d->files[a->file].path, a->line,
				d->files[b->file].path, b->line);
	}
}

/* the directory as shown in messages: "migrations/" */
const char *
dir_label(const MigDir *d)
{
	return d->label;
}

/* a MigDir holding one file (lint), for mapping the server's lines */
void
migdir_single(MigDir *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	d->dir = xstrdup(".");
	d->label = xstrdup("./");
	d->files = xmalloc(sizeof(MigFile));
	migfile_read(path, &d->files[0]);
	d->nfiles = 1;
}

void
migdir_free(MigDir *d)
{
	int			i;

	for (i = 0; i < d->nfiles; i++)
	{
		free(d->files[i].path);
		free(d->files[i].text);
	}
	for (i = 0; i < d->nrevs; i++)
	{
		free(d->revs[i].id);
		sl_free(&d->revs[i].down);
		sl_free(&d->revs[i].depends);
		sl_free(&d->revs[i].labels);
		free(d->revs[i].message);
	}
	sl_free(&d->problems);
	free(d->files);
	free(d->revs);
	free(d->dir);
	free(d->label);
	memset(d, 0, sizeof(*d));
}

/*
 * parse_file
 *		Collect the revision blocks of file fi, and refuse what must not
 *		come before its first "-- schemamig:revision" line.
 */
static void
parse_file(MigDir *d, int fi)
{
	MigFile    *f = &d->files[fi];
	const char *p = f->text;
	int			lineno = 0;
	MigRev	   *cur = NULL;
	int			i;

	while (*p)
	{
		const char *eol = strchr(p, '\n');
		size_t		len = eol - p;	/* every line ends with \n */
		char	   *name;
		char	   *arg;

		lineno++;
		/* the server reads CRLF as LF */
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (parse_directive(p, len, &name, &arg))
		{
			if (strcmp(name, "revision") == 0)
			{
				if (arg[0] == '\0')
					die(EXIT_FILES, "%s:%d: revision directive without an id",
						f->path, lineno);
				if (!valid_id(arg))
				{
					cli_error("%s:%d: invalid revision id \"%s\"", f->path,
							  lineno, arg);
					cli_note("detail", "A revision id is 1 to 64 characters of A-Z, a-z, 0-9, \"_\", \".\" and \"-\", and not base, head, heads or current.");
					cli_exit(EXIT_FILES);
				}
				if (d->nrevs == d->caprevs)
				{
					d->caprevs = d->caprevs ? d->caprevs * 2 : 16;
					d->revs = xrealloc(d->revs, sizeof(MigRev) * d->caprevs);
				}
				cur = &d->revs[d->nrevs++];
				memset(cur, 0, sizeof(*cur));
				cur->id = arg;
				cur->file = fi;
				cur->line = lineno;
				arg = NULL;
			}
			else if (cur == NULL)
			{
				cli_error("%s:%d: directive \"%s\" comes before the first \"-- schemamig:revision\" line",
						  f->path, lineno, name);
				cli_note("hint", "A migration file starts with \"-- schemamig:revision <id>\"; only blank lines and -- comments may come before it.");
				cli_exit(EXIT_FILES);
			}
			else if (strcmp(name, "down_revision") == 0)
			{
				sl_free(&cur->down);
				split_words(arg, &cur->down);
				if (cur->down.n == 1 && strcmp(cur->down.items[0], "base") == 0)
					sl_free(&cur->down);
			}
			else if (strcmp(name, "depends_on") == 0)
			{
				sl_free(&cur->depends);
				split_words(arg, &cur->depends);
			}
			else if (strcmp(name, "message") == 0)
			{
				free(cur->message);
				cur->message = arg;
				arg = NULL;
			}
			else if (strcmp(name, "branch_labels") == 0)
			{
				sl_free(&cur->labels);
				split_words(arg, &cur->labels);
			}
			else if (strcmp(name, "upgrade") == 0)
			{
				if (cur->section != 0)
					add_problem(d, f->path, lineno, "second upgrade section in revision \"%s\"", cur->id);
				cur->section = 1;
			}
			else if (strcmp(name, "downgrade") == 0)
			{
				if (cur->section != 1)
					add_problem(d, f->path, lineno, "downgrade section %s in revision \"%s\"",
								cur->section == 0 ? "before the upgrade section" : "twice", cur->id);
				cur->section = 2;
				cur->has_downgrade = true;
			}
			else if (strcmp(name, "allow") != 0 &&
					 strcmp(name, "transaction") != 0)
				add_problem(d, f->path, lineno, "unknown directive \"%s\"", name);
			if (cur != NULL && cur->section != 0 &&
				(strcmp(name, "down_revision") == 0 || strcmp(name, "message") == 0 ||
				 strcmp(name, "branch_labels") == 0 || strcmp(name, "depends_on") == 0 ||
				 strcmp(name, "transaction") == 0))
				add_problem(d, f->path, lineno, "directive \"%s\" must come before \"-- schemamig:upgrade\"", name);
			free(name);
			free(arg);
		}
		else if (cur != NULL && cur->section != 0 && !is_blank_or_comment(p, len))
		{
			if (cur->section == 1)
				cur->up_sql = true;
			else
				cur->down_sql = true;
		}
		else if (cur == NULL && !is_blank_or_comment(p, len))
		{
			const char *q = p;

			while (q < p + len && is_space(*q))
				q++;
			if (q + 1 < p + len && q[0] == '/' && q[1] == '*')
			{
				cli_error("%s:%d: a /* comment before the first \"-- schemamig:revision\" line",
						  f->path, lineno);
				cli_note("detail", "Files are pushed as one script, so it would become part of the previous file's last revision.");
				cli_note("hint", "Use -- comments before the first revision, or move the comment after \"-- schemamig:upgrade\".");
			}
			else
			{
				cli_error("%s:%d: text before the first \"-- schemamig:revision\" line",
						  f->path, lineno);
				cli_note("hint", "A migration file starts with \"-- schemamig:revision <id>\"; only blank lines and -- comments may come before it.");
			}
			cli_exit(EXIT_FILES);
		}
		if (cur != NULL)
			cur->end_line = lineno;
		p = eol + 1;
	}
	for (i = 0; i < d->nrevs; i++)
		if (d->revs[i].file == fi && d->revs[i].section == 0)
			add_problem(d, f->path, d->revs[i].line,
						"revision \"%s\" has no \"-- schemamig:upgrade\" section", d->revs[i].id);
	if (cur == NULL)
	{
		cli_error("%s: no \"-- schemamig:revision\" line in this file", f->path);
		cli_note("hint", "Every *.sql file of the migrations directory holds one or more revisions; \"schemamig new -m MESSAGE\" writes one.");
		cli_exit(EXIT_FILES);
	}
}

/*
 * parse_directive
 *		If line is "--" [spaces] "schemamig:" name [arg], set *name and *arg
 *		(malloc'd, trimmed) and return true.  As src/script.c does.
 */
static bool
parse_directive(const char *line, size_t len, char **name, char **arg)
{
	static const char tag[] = "schemamig:";
	size_t		taglen = sizeof(tag) - 1;
	size_t		i = 2;
	size_t		start;
	size_t		end;

	if (len < 2 || line[0] != '-' || line[1] != '-')
		return false;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < taglen || strncmp(line + i, tag, taglen) != 0)
		return false;
	i += taglen;
	start = i;
	while (i < len && !is_space(line[i]))
		i++;
	*name = xstrndup(line + start, i - start);
	while (i < len && is_space(line[i]))
		i++;
	end = len;
	while (end > i && is_space(line[end - 1]))
		end--;
	*arg = xstrndup(line + i, end - i);
	return true;
}

/* as the server's isspace() in the C locale */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		c == '\v';
}

/* only white space, or a "--" comment without a carriage return? */
static bool
is_blank_or_comment(const char *line, size_t len)
{
	size_t		i = 0;

	while (i < len && is_space(line[i]))
		i++;
	if (i == len)
		return true;
	if (!(i + 1 < len && line[i] == '-' && line[i + 1] == '-'))
		return false;
	/* the server ends a -- comment at a carriage return */
	return memchr(line + i, '\r', len - i) == NULL;
}

/* the offset of the first byte that is not valid UTF-8, or -1 */
static long
utf8_error_at(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = u[i];
		size_t		n,
					k;
		unsigned char lo = 0x80,
					hi = 0xBF;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF)
		{
			n = 2;
			if (c == 0xE0)
				lo = 0xA0;		/* no overlong forms */
			else if (c == 0xED)
				hi = 0x9F;		/* no surrogates */
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			n = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;		/* up to U+10FFFF */
		}
		else
			return (long) i;
		if (i + n >= len)
			return (long) i;	/* cut short by the end */
		if (u[i + 1] < lo || u[i + 1] > hi)
			return (long) i;
		for (k = 2; k <= n; k++)
			if (u[i + k] < 0x80 || u[i + k] > 0xBF)
				return (long) i;
		i += n + 1;
	}
	return -1;
}

/*
 * migdir_script
 *		The files one after the other: the script push registers.  Each
 *		file ends with a newline, so file i starts at files[i].first_line.
 */
char *
migdir_script(const MigDir *d)
{
	StrBuf		sb;
	int			i;

	sb_init(&sb);
	for (i = 0; i < d->nfiles; i++)
		sb_putn(&sb, d->files[i].text, d->files[i].len);
	return sb.data;
}

/* the index of revision id, or -1 */
int
migdir_find(const MigDir *d, const char *id)
{
	int			i;

	for (i = 0; i < d->nrevs; i++)
		if (strcmp(d->revs[i].id, id) == 0)
			return i;
	return -1;
}

/* the file and line holding line script_line of the pushed script */
bool
migdir_locate(const MigDir *d, int script_line, const char **path, int *line)
{
	int			i;

	for (i = 0; i < d->nfiles; i++)
	{
		const MigFile *f = &d->files[i];

		if (script_line >= f->first_line &&
			script_line < f->first_line + f->nlines)
		{
			*path = f->path;
			*line = script_line - f->first_line + 1;
			return true;
		}
	}
	return false;
}

/*
 * migdir_heads
 *		The revisions no revision names as down_revision, in file order:
 *		their count, and their indexes in *heads (malloc'd).
 */
int
migdir_heads(const MigDir *d, int **heads)
{
	const char **parents;
	int			nparents = 0;
	int			n = 0;
	int			i,
				k;

	for (i = 0; i < d->nrevs; i++)
		nparents += d->revs[i].down.n;
	parents = xmalloc(sizeof(char *) * (nparents ? nparents : 1));
	nparents = 0;
	for (i = 0; i < d->nrevs; i++)
		for (k = 0; k < d->revs[i].down.n; k++)
			parents[nparents++] = d->revs[i].down.items[k];
	if (nparents > 0)
		qsort(parents, nparents, sizeof(char *), cmp_strp);

	*heads = xmalloc(sizeof(int) * (d->nrevs ? d->nrevs : 1));
	for (i = 0; i < d->nrevs; i++)
	{
		const char *id = d->revs[i].id;

		if (nparents == 0 ||
			bsearch(&id, parents, nparents, sizeof(char *), cmp_strp) == NULL)
			(*heads)[n++] = i;
	}
	free(parents);
	return n;
}

/*
 * migdir_resolve
 *		The revision named by spec, an id or a unique prefix of one; exits
 *		with EXIT_USAGE naming what (the option) when there is none, or
 *		several.
 */
int
migdir_resolve(const MigDir *d, const char *spec, const char *what)
{
	int			found = migdir_find(d, spec);
	StrList		matches = {0};
	size_t		len = strlen(spec);
	int			i;

	if (found >= 0)
		return found;
	for (i = 0; i < d->nrevs; i++)
		if (len > 0 && strncmp(d->revs[i].id, spec, len) == 0)
		{
			sl_push(&matches, d->revs[i].id);
			found = i;
		}
	if (matches.n == 1)
	{
		sl_free(&matches);
		return found;
	}
	if (matches.n == 0)
		die(EXIT_USAGE, "%s: no revision \"%s\" in %s", what, spec,
			dir_label(d));
	die(EXIT_USAGE, "%s: \"%s\" is ambiguous: it matches %s", what, spec,
		join_words(&matches, ", "));
}

/* is id a valid revision id or label, as the server's smig_valid_id()? */
bool
valid_id(const char *id)
{
	size_t		len = strlen(id);
	size_t		i;

	if (len == 0 || len > SMIG_ID_MAXLEN ||
		strcmp(id, "base") == 0 || strcmp(id, "head") == 0 ||
		strcmp(id, "heads") == 0 || strcmp(id, "current") == 0)
		return false;
	for (i = 0; i < len; i++)
	{
		char		c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static int
cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* by id, then by place (revs is in file order, so by address) */
static int
cmp_rev_ids(const void *a, const void *b)
{
	const MigRev *ra = *(const MigRev *const *) a;
	const MigRev *rb = *(const MigRev *const *) b;
	int			c = strcmp(ra->id, rb->id);

	return c != 0 ? c : (ra > rb) - (ra < rb);
}

/* note a problem of the files the server would refuse: "FILE:LINE: ..." */
static void
add_problem(MigDir *d, const char *path, int line, const char *fmt,...)
{
	StrBuf		sb;
	char		buf[1024];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sb_init(&sb);
	sb_printf(&sb, "%s:%d: %s", path, line, buf);
	sl_push_own(&d->problems, sb.data);
}
