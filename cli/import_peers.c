/*-------------------------------------------------------------------------
 *
 * import_peers.c
 *	  import flyway|dbmate|goose|golang-migrate|sqitch DIR: convert the
 *	  migration files of those tools, which keep plain SQL, into an
 *	  ImportSet.  All five keep a linear history: each revision's parent is
 *	  the one before it in the tool's own order.
 *
 *	  flyway		 V<version>__<desc>.sql; U<version>__<desc>.sql is its
 *					 downgrade (none: irreversible); R__ repeatables are
 *					 reported and left out.  Order: the versions compared
 *					 part by part, numerically ("1.10" after "1.9").  Id:
 *					 the version with "_" as ".", as flyway_schema_history
 *					 keeps it.  <file>.conf with executeInTransaction=false:
 *					 no transaction.
 *	  dbmate		 <version>_<name>.sql with "-- migrate:up" and "--
 *					 migrate:down" sections (no down section:
 *					 irreversible); "transaction:false" on the up line: no
 *					 transaction.  Id: the version as written.
 *	  goose			 <version>_<name>.sql with "-- +goose Up" / "-- +goose
 *					 Down" (no Down: a downgrade that does nothing, as in
 *					 goose); StatementBegin/End lines dropped (schemamig
 *					 splits statements itself); "-- +goose NO TRANSACTION":
 *					 no transaction; .go migrations reported, left out.  Id:
 *					 the version without leading zeros, as goose_db_version.
 *	  golang-migrate <version>_<title>.up.sql / .down.sql (no down file:
 *					 irreversible).  Id: the version without leading zeros.
 *	  sqitch		 sqitch.plan: each change (in plan order) with
 *					 deploy/<change>.sql and revert/<change>.sql; its
 *					 [requires] become depends_on and its note the
 *					 message; a reworked change, a conflict (!x) and a
 *					 cross-project dependency are refused.
 *
 * BEGIN/COMMIT wrappers (a first statement BEGIN or START TRANSACTION, a
 * last COMMIT or END) are removed: schemamig runs each revision in its own
 * transaction and refuses transaction control.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* one migration file found in the peer's directory */
typedef struct PeerFile
{
	char	   *version;		/* the id */
	char	   *name;			/* the description part */
	char	   *path;			/* the up file (or the only file) */
	char	   *down_path;		/* flyway U, golang-migrate .down.sql */
	bool		no_tx;			/* flyway: executeInTransaction=false */
} PeerFile;

typedef struct PeerList
{
	PeerFile   *items;
	int			n;
	int			cap;
} PeerList;

static void list_dir(const char *dir, StrList *names);
static char *path_join(const char *dir, const char *name);
static char *read_text(const char *path);
static PeerFile *peer_get(PeerList *pl, const char *version, const char *what,
						  const char *path);
static int	cmp_versions(const char *a, const char *b);
static int	cmp_peerfiles(const void *a, const void *b);
static char *strip_zeros(const char *digits, size_t n);
static char *words_of(const char *name);
static char *strip_wrappers(char *sql);
static bool line_is(const char *line, size_t len, const char *const *words);
static void chain(ImportSet *s, PeerList *pl, const char *tool);
static void read_flyway(const char *dir, PeerList *pl);
static void read_numbered(const char *tool, const char *dir, PeerList *pl);
static void convert_dbmate(ImportRev *r, const PeerFile *f);
static void convert_goose(ImportRev *r, const PeerFile *f);
static void read_sqitch(const char *dir, ImportSet *s);

void
import_peer(const char *tool, const char *dir, ImportSet *s)
{
	PeerList	pl;
	struct stat st;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		die(EXIT_FILES, "%s: not a directory (the %s migrations to import)",
			dir, tool);
	if (strcmp(tool, "sqitch") == 0)
	{
		read_sqitch(dir, s);
		return;
	}
	memset(&pl, 0, sizeof(pl));
	if (strcmp(tool, "flyway") == 0)
		read_flyway(dir, &pl);
	else
		read_numbered(tool, dir, &pl);
	if (pl.n > 0)
		qsort(pl.items, pl.n, sizeof(PeerFile), cmp_peerfiles);
	chain(s, &pl, tool);
}

/* the revisions, each on the one before; frees pl */
static void
chain(ImportSet *s, PeerList *pl, const char *tool)
{
	int			i;

	for (i = 0; i < pl->n; i++)
	{
		PeerFile   *f = &pl->items[i];
		ImportRev  *r;

		if (f->path == NULL)
			die(EXIT_FILES, "%s: version %s has a down file but no up file",
				f->down_path, f->version);
		if (i > 0 && cmp_versions(pl->items[i - 1].version, f->version) == 0)
			die(EXIT_FILES, "%s and %s have the same version", pl->items[i - 1].path,
				f->path);
		r = importset_add(s, f->version);
		r->origin = xstrdup(f->path);
		r->message = words_of(f->name);
		if (i > 0)
			sl_push(&r->down, pl->items[i - 1].version);
		if (strcmp(tool, "dbmate") == 0)
			convert_dbmate(r, f);
		else if (strcmp(tool, "goose") == 0)
			convert_goose(r, f);
		else
		{
			r->upgrade = strip_wrappers(read_text(f->path));
			r->no_transaction = f->no_tx;
			if (f->down_path != NULL)
				r->downgrade = strip_wrappers(read_text(f->down_path));
		}
	}
	for (i = 0; i < pl->n; i++)
	{
		free(pl->items[i].version);
		free(pl->items[i].name);
		free(pl->items[i].path);
		free(pl->items[i].down_path);
	}
	free(pl->items);
}

/* ------------------------------------------------------------- flyway */

static void
read_flyway(const char *dir, PeerList *pl)
{
	StrList		names = {0};
	int			i;

	list_dir(dir, &names);
	for (i = 0; i < names.n; i++)
	{
		const char *n = names.items[i];
		size_t		len = strlen(n);
		const char *sep = strstr(n, "__");
		char	   *path = path_join(dir, n);
		char	   *version;
		char	   *conf;
		char	   *p;
		PeerFile   *f;

		if (len < 5 || strcmp(n + len - 4, ".sql") != 0)
		{
			free(path);
			continue;
		}
		if (n[0] == 'R' && sep == n + 1)
		{
			cli_warning("%s: repeatable migrations (R__) are not supported: left out", path);
			free(path);
			continue;
		}
		if ((n[0] != 'V' && n[0] != 'U') || sep == NULL || sep == n + 1)
		{
			cli_warning("%s: not a flyway V<version>__<description>.sql or U... file: left out", path);
			free(path);
			continue;
		}
		version = xstrndup(n + 1, sep - (n + 1));
		for (p = version; *p; p++)
		{
			if (*p == '_')
				*p = '.';
			if (!isdigit((unsigned char) *p) && *p != '.')
				die(EXIT_FILES, "%s: version \"%s\" is not made of numbers separated by \".\" or \"_\"",
					path, version);
		}
		f = peer_get(pl, version, n[0] == 'V' ? "up" : "undo", path);
		if (n[0] == 'U')
			f->down_path = path;
		else
		{
			f->path = path;
			f->name = xstrndup(sep + 2, n + len - 4 - (sep + 2));
			conf = xmalloc(strlen(path) + 6);
			sprintf(conf, "%s.conf", path);
			if (access(conf, R_OK) == 0)
			{
				char	   *text = read_text(conf);
				char	   *q;

				for (q = text; *q; q++)
					if (*q == ' ' || *q == '\t')
						memmove(q, q + 1, strlen(q));
				if (strstr(text, "executeInTransaction=false") != NULL)
					f->no_tx = true;
				free(text);
			}
			free(conf);
		}
		free(version);
	}
	sl_free(&names);
}

/* ---------------------------------- dbmate, goose, golang-migrate */

static void
read_numbered(const char *tool, const char *dir, PeerList *pl)
{
	bool		gm = strcmp(tool, "golang-migrate") == 0;
	StrList		names = {0};
	int			i;

	list_dir(dir, &names);
	for (i = 0; i < names.n; i++)
	{
		const char *n = names.items[i];
		size_t		len = strlen(n);
		size_t		digits = strspn(n, "0123456789");
		char	   *path = path_join(dir, n);
		char	   *version;
		PeerFile   *f;
		bool		down = false;
		size_t		stem;

		if (strcmp(tool, "goose") == 0 && len > 3 &&
			strcmp(n + len - 3, ".go") == 0)
		{
			cli_warning("%s: Go migrations are not supported: left out", path);
			free(path);
			continue;
		}
		if (len < 5 || strcmp(n + len - 4, ".sql") != 0)
		{
			free(path);
			continue;
		}
		if (digits == 0 || n[digits] != '_')
		{
			cli_warning("%s: not a %s migration (<version>_<name>%s): left out",
						path, tool, gm ? ".up.sql" : ".sql");
			free(path);
			continue;
		}
		stem = len - 4;
		if (gm)
		{
			if (len > 7 && strcmp(n + len - 7, ".up.sql") == 0)
				stem = len - 7;
			else if (len > 9 && strcmp(n + len - 9, ".down.sql") == 0)
			{
				stem = len - 9;
				down = true;
			}
			else
			{
				cli_warning("%s: neither .up.sql nor .down.sql: left out", path);
				free(path);
				continue;
			}
		}
		version = strcmp(tool, "dbmate") == 0 ? xstrndup(n, digits) :
			strip_zeros(n, digits);
		f = peer_get(pl, version, down ? "down" : "up", path);
		if (down)
			f->down_path = path;
		else
		{
			f->path = path;
			f->name = xstrndup(n + digits + 1, stem - digits - 1);
		}
		free(version);
	}
	sl_free(&names);
}

/* "-- migrate:up [transaction:false]" ... "-- migrate:down" */
static void
convert_dbmate(ImportRev *r, const PeerFile *f)
{
	char	   *text = read_text(f->path);
	StrBuf		up,
				down;
	StrBuf	   *cur = NULL;
	bool		has_down = false;
	char	   *p = text;

	sb_init(&up);
	sb_init(&down);
	while (*p)
	{
		char	   *eol = strchr(p, '\n');
		size_t		len = eol ? (size_t) (eol - p + 1) : strlen(p);
		const char *q = p + 2;

		if (strncmp(p, "--", 2) == 0)
		{
			while (*q == ' ' || *q == '\t')
				q++;
		}
		if (strncmp(p, "--", 2) == 0 && strncmp(q, "migrate:up", 10) == 0)
		{
			cur = &up;
			if (memmem(q, len - (q - p), "transaction:false", 17) != NULL)
				r->no_transaction = true;
		}
		else if (strncmp(p, "--", 2) == 0 && strncmp(q, "migrate:down", 12) == 0)
		{
			cur = &down;
			has_down = true;
		}
		else if (cur != NULL)
			sb_putn(cur, p, len);
		p += len;
	}
	if (up.len == 0 && strstr(text, "migrate:up") == NULL)
		die(EXIT_FILES, "%s: no \"-- migrate:up\" line", f->path);
	r->upgrade = strip_wrappers(up.data);
	if (has_down)
		r->downgrade = strip_wrappers(down.data);
	else
		sb_free(&down);
	free(text);
}

/* "-- +goose Up" / "-- +goose Down", StatementBegin/End, NO TRANSACTION */
static void
convert_goose(ImportRev *r, const PeerFile *f)
{
	char	   *text = read_text(f->path);
	StrBuf		up,
				down;
	StrBuf	   *cur = NULL;
	char	   *p = text;
	bool		seen_up = false;

	sb_init(&up);
	sb_init(&down);
	while (*p)
	{
		char	   *eol = strchr(p, '\n');
		size_t		len = eol ? (size_t) (eol - p + 1) : strlen(p);
		const char *q = p;

		if (strncmp(q, "--", 2) == 0)
		{
			q += 2;
			while (*q == ' ' || *q == '\t')
				q++;
		}
		if (q != p && strncmp(q, "+goose", 6) == 0)
		{
			q += 6;
			while (*q == ' ' || *q == '\t')
				q++;
			if (strncasecmp(q, "Up", 2) == 0 && !isalpha((unsigned char) q[2]))
			{
				cur = &up;
				seen_up = true;
			}
			else if (strncasecmp(q, "Down", 4) == 0)
				cur = &down;
			else if (strncasecmp(q, "NO TRANSACTION", 14) == 0)
				r->no_transaction = true;
			else if (strncasecmp(q, "Statement", 9) != 0)
				cli_warning("%s: goose annotation \"%.*s\" is not supported: dropped",
							f->path, (int) (len - (p[len - 1] == '\n') - (q - p)), q);
		}
		else if (cur != NULL)
			sb_putn(cur, p, len);
		p += len;
	}
	if (!seen_up)
		die(EXIT_FILES, "%s: no \"-- +goose Up\" line", f->path);
	r->upgrade = strip_wrappers(up.data);
	r->downgrade = strip_wrappers(down.data);
	free(text);
}

/* ------------------------------------------------------------- sqitch */

static void
read_sqitch(const char *dir, ImportSet *s)
{
	char	   *plan_path = path_join(dir, "sqitch.plan");
	char	   *plan = read_text(plan_path);
	char	   *p = plan;
	int			lineno = 0;
	const char *prev = NULL;

	while (*p)
	{
		char	   *eol = strchr(p, '\n');
		char	   *line;
		char	   *note;
		char	   *name_end;
		char	   *deps = NULL;
		ImportRev  *r;
		char	   *path;
		int			i;

		lineno++;
		if (eol)
			*eol = '\0';
		line = p;
		p = eol ? eol + 1 : p + strlen(p);
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#' || *line == '%' || *line == '@')
			continue;			/* blank, comment, pragma, tag */
		note = strstr(line, " #");
		if (note != NULL)
		{
			*note = '\0';
			note += 2;
			while (*note == ' ')
				note++;
		}
		name_end = line + strcspn(line, " \t[");
		if (strchr(line, '[') != NULL)
		{
			deps = strchr(line, '[') + 1;
			if (strchr(deps, ']') == NULL)
				die(EXIT_FILES, "%s:%d: \"[\" without \"]\"", plan_path, lineno);
			*strchr(deps, ']') = '\0';
		}
		*name_end = '\0';
		for (i = 0; i < s->n; i++)
			if (strcmp(s->revs[i].id, line) == 0)
				die(EXIT_FILES, "%s:%d: change \"%s\" is reworked (it comes twice): not supported",
					plan_path, lineno, line);
		r = importset_add(s, line);
		path = path_join(dir, "deploy/");
		r->origin = xmalloc(strlen(path) + strlen(line) + 5);
		sprintf(r->origin, "%s%s.sql", path, line);
		free(path);
		if (note != NULL && *note)
			r->message = xstrdup(note);
		if (prev != NULL)
			sl_push(&r->down, prev);
		if (deps != NULL)
		{
			StrList		w = {0};

			split_words(deps, &w);
			for (i = 0; i < w.n; i++)
			{
				if (w.items[i][0] == '!')
					die(EXIT_FILES, "%s:%d: change \"%s\": conflicts (%s) are not supported",
						plan_path, lineno, line, w.items[i]);
				if (strchr(w.items[i], ':') != NULL)
					die(EXIT_FILES, "%s:%d: change \"%s\": a dependency on another project (%s) is not supported",
						plan_path, lineno, line, w.items[i]);
				if (prev == NULL || strcmp(w.items[i], prev) != 0)
					sl_push(&r->depends, w.items[i]);
			}
			sl_free(&w);
		}
		r->upgrade = strip_wrappers(read_text(r->origin));
		path = path_join(dir, "revert/");
		{
			char	   *revert = xmalloc(strlen(path) + strlen(line) + 5);

			sprintf(revert, "%s%s.sql", path, line);
			if (access(revert, F_OK) == 0)
				r->downgrade = strip_wrappers(read_text(revert));
			free(revert);
		}
		free(path);
		prev = r->id;
	}
	free(plan);
	free(plan_path);
}

/* ------------------------------------------------------------ helpers */

static void
list_dir(const char *dir, StrList *names)
{
	DIR		   *dp = opendir(dir);
	struct dirent *de;

	if (dp == NULL)
		die(EXIT_FILES, "cannot open \"%s\": %s", dir, strerror(errno));
	while ((errno = 0, de = readdir(dp)) != NULL)
		if (de->d_name[0] != '.')
			sl_push(names, de->d_name);
	if (errno != 0)
		die(EXIT_FILES, "cannot list \"%s\": %s", dir, strerror(errno));
	closedir(dp);
}

static char *
path_join(const char *dir, const char *name)
{
	size_t		dl = strlen(dir);
	char	   *p = xmalloc(dl + strlen(name) + 2);

	sprintf(p, "%s%s%s", dir, (dl > 0 && dir[dl - 1] == '/') ? "" : "/", name);
	return p;
}

static char *
read_text(const char *path)
{
	MigFile		f;

	migfile_read(path, &f);
	free(f.path);
	return f.text;
}

/* the entry for version, added when new */
static PeerFile *
peer_get(PeerList *pl, const char *version, const char *what,
		 const char *path)
{
	int			i;
	PeerFile   *f;

	for (i = 0; i < pl->n; i++)
		if (cmp_versions(pl->items[i].version, version) == 0)
		{
			f = &pl->items[i];
			if ((strcmp(what, "up") == 0 && f->path != NULL) ||
				(strcmp(what, "up") != 0 && f->down_path != NULL))
				die(EXIT_FILES, "%s: a second %s file for version %s (the other: %s)",
					path, what, version,
					strcmp(what, "up") == 0 ? f->path : f->down_path);
			return f;
		}
	if (pl->n == pl->cap)
	{
		pl->cap = pl->cap ? pl->cap * 2 : 16;
		pl->items = xrealloc(pl->items, sizeof(PeerFile) * pl->cap);
	}
	f = &pl->items[pl->n++];
	memset(f, 0, sizeof(*f));
	f->version = xstrdup(version);
	return f;
}

/* "1.10" > "1.9"; "1.0" = "1"; each part compared as a number */
static int
cmp_versions(const char *a, const char *b)
{
	while (*a || *b)
	{
		size_t		la,
					lb;
		int			c;

		while (*a == '0' && isdigit((unsigned char) a[1]))
			a++;
		while (*b == '0' && isdigit((unsigned char) b[1]))
			b++;
		la = strspn(a, "0123456789");
		lb = strspn(b, "0123456789");
		if (la == 0 && lb == 0)
			return strcmp(a, b);
		if (la != lb)
		{
			/* a missing part counts as 0 */
			if (la == 0 && lb == 1 && *b == '0')
				la = lb;
			else if (lb == 0 && la == 1 && *a == '0')
				lb = la;
			else
				return la < lb ? -1 : 1;
		}
		if (la > 0 && lb > 0 && (c = strncmp(a, b, la)) != 0)
			return c;
		a += la;
		b += lb;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

static int
cmp_peerfiles(const void *a, const void *b)
{
	return cmp_versions(((const PeerFile *) a)->version,
						((const PeerFile *) b)->version);
}

static char *
strip_zeros(const char *digits, size_t n)
{
	while (n > 1 && *digits == '0')
	{
		digits++;
		n--;
	}
	return xstrndup(digits, n);
}

/* "add_users_table" -> "add users table" */
static char *
words_of(const char *name)
{
	char	   *m = xstrdup(name ? name : "");
	char	   *p;

	for (p = m; *p; p++)
		if (*p == '_' || *p == '\r' || *p == '\n')
			*p = ' ';
	return m;
}

static bool
line_is(const char *line, size_t len, const char *const *words)
{
	char		buf[32];
	size_t		i,
				n = 0;

	for (i = 0; i < len && n < sizeof(buf) - 1; i++)
	{
		char		c = line[i];

		if (c == '\r' || c == '\n')
			continue;
		buf[n++] = toupper((unsigned char) c);
	}
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(buf, words[i]) == 0)
			return true;
	return false;
}

/*
 * strip_wrappers
 *		Remove a first statement line BEGIN; / BEGIN TRANSACTION; / START
 *		TRANSACTION; and a last COMMIT; / END; (blank and "--" lines around
 *		them are kept); takes and returns a malloc'd string.
 */
static char *
strip_wrappers(char *sql)
{
	static const char *const begins[] = {
		"BEGIN;", "BEGIN TRANSACTION;", "START TRANSACTION;", "BEGIN WORK;", NULL
	};
	static const char *const commits[] = {
		"COMMIT;", "END;", "COMMIT TRANSACTION;", "COMMIT WORK;", NULL
	};
	char	   *p = sql;
	char	   *last = NULL;
	size_t		last_len = 0;

	/* the first line that is not blank or a comment */
	while (*p)
	{
		char	   *eol = strchr(p, '\n');
		size_t		len = eol ? (size_t) (eol - p + 1) : strlen(p);
		size_t		ws = strspn(p, " \t\r");

		if (p[ws] == '\n' || p[ws] == '\0' || strncmp(p + ws, "--", 2) == 0)
		{
			p += len;
			continue;
		}
		if (line_is(p + ws, len - ws, begins))
			memmove(p, p + len, strlen(p + len) + 1);
		break;
	}
	/* the last such line */
	for (p = sql; *p;)
	{
		char	   *eol = strchr(p, '\n');
		size_t		len = eol ? (size_t) (eol - p + 1) : strlen(p);
		size_t		ws = strspn(p, " \t\r");

		if (!(p[ws] == '\n' || p[ws] == '\0' || strncmp(p + ws, "--", 2) == 0))
		{
			last = p;
			last_len = len;
		}
		p += len;
	}
	if (last != NULL && line_is(last + strspn(last, " \t"), last_len - strspn(last, " \t"), commits))
		memmove(last, last + last_len, strlen(last + last_len) + 1);
	return sql;
}
