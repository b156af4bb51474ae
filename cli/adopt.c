/*-------------------------------------------------------------------------
 *
 * adopt.c
 *	  adopt [TOOL]: take over a database another tool has migrated.  Reads
 *	  that tool's own record of what is applied, checks that every such
 *	  revision is in the migrations directory (--dir), registers the
 *	  directory's files (as push) and stamps them all, in one transaction,
 *	  running no revision SQL.  The other tool's table is only read.
 *
 * The records read (the table is found through the search_path):
 *	  alembic		 alembic_version rows: the applied heads
 *	  flyway		 flyway_schema_history, by installed_rank: successful
 *					 versioned rows, minus those a later undo removed
 *	  dbmate		 schema_migrations(version): every applied version
 *	  golang-migrate schema_migrations(version, dirty): the last version
 *					 (everything before it is applied); dirty is refused
 *	  goose			 goose_db_version, by id: is_applied true adds a
 *					 version, false removes it (version 0 is goose's own)
 *	  sqitch		 sqitch.changes: every deployed change
 *
 * The client checks the files and the server's state first, so that its
 * errors name the directory.  Then, in one transaction, it calls the
 * server's schemamig.adopt(TOOL) (0.2 and later), which reads the same
 * record and stamps it; with an older server it stamps each head of the
 * recorded set with schemamig.stamp() (which marks a target and everything
 * it needs applied, leaving other branches alone).  Either way the applied
 * set is compared with the recorded one before COMMIT.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct Source
{
	const char *tool;
	const char *table;			/* as shown to the user */
	const char *query;			/* the applied set (see fold_rows) */
} Source;

static const Source sources[] = {
	{"alembic", "alembic_version",
	"SELECT version_num::text, true FROM alembic_version ORDER BY 1"},
	{"flyway", "flyway_schema_history",
		"SELECT version::text, type NOT LIKE 'UNDO%' AND type <> 'DELETE'"
		" FROM flyway_schema_history"
		" WHERE success AND version IS NOT NULL AND type <> 'SCHEMA'"
	" ORDER BY installed_rank"},
	{"dbmate", "schema_migrations",
	"SELECT version::text, true FROM schema_migrations ORDER BY version"},
	{"golang-migrate", "schema_migrations",
	"SELECT version::text, NOT dirty FROM schema_migrations"},
	{"goose", "goose_db_version",
		"SELECT version_id::text, is_applied FROM goose_db_version"
	" WHERE version_id <> 0 ORDER BY id"},
	{"sqitch", "sqitch.changes",
	"SELECT change::text, true FROM sqitch.changes ORDER BY committed_at"},
};

#define NSOURCES ((int) (sizeof(sources) / sizeof(sources[0])))

static const Source *detect_source(const char *tool);
static void read_applied(const Source *src, StrList *set);
static void ancestors(const MigDir *d, int i, bool *mark);
static bool in_list(const StrList *sl, const char *s);

/* file-level so that they stay reachable when an error exits the program */
static bool *need;
static bool *mark;

int
cmd_adopt(const CliOptions *o)
{
	const Source *src;
	StrList		recorded = {0};
	StrList		registered = {0};
	StrList		applied = {0};
	StrList		heads = {0};
	MigDir		d;
	PGresult   *res;
	int			i,
				j,
				nneed = 0;
	char	   *list;
	char	   *now;

	if (o->nargs == 1 && !import_tool_known(o->args[0]))
		die_usage("adopt: unknown tool \"%s\" (alembic, flyway, dbmate, goose, golang-migrate or sqitch)",
				  o->args[0]);
	migdir_load(&d, o->dir);
	cli_connect(o->dbname);
	cli_require_extension();
	src = detect_source(o->nargs == 1 ? o->args[0] : NULL);
	read_applied(src, &recorded);
	if (recorded.n == 0)
	{
		printf("%s records nothing as applied (%s): nothing to adopt.\n",
			   src->tool, src->table);
		migdir_free(&d);
		return EXIT_OK;
	}

	/* every recorded revision in the files */
	need = xmalloc(sizeof(bool) * (d.nrevs ? d.nrevs : 1));
	mark = xmalloc(sizeof(bool) * (d.nrevs ? d.nrevs : 1));
	memset(need, 0, sizeof(bool) * (d.nrevs ? d.nrevs : 1));
	for (i = 0; i < recorded.n; i++)
	{
		int			k = migdir_find(&d, recorded.items[i]);

		if (k < 0)
		{
			cli_error("%s records revision \"%s\" as applied (%s), but %s has no file for it",
					  src->tool, recorded.items[i], src->table, dir_label(&d));
			cli_note("hint", "Import the project again (schemamig import ...) so that the directory holds every revision the database has, then push and adopt.");
			cli_exit(EXIT_FILES);
		}
		ancestors(&d, k, need);
	}

	/*
	 * alembic records heads and golang-migrate the last version: what they
	 * need is applied.  The others record each revision: none may be missing.
	 */
	for (i = 0; i < d.nrevs; i++)
	{
		if (!need[i])
			continue;
		nneed++;
		if (strcmp(src->tool, "alembic") != 0 &&
			strcmp(src->tool, "golang-migrate") != 0 &&
			!in_list(&recorded, d.revs[i].id))
		{
			cli_error("%s records some revisions as applied but not \"%s\", which they need (%s)",
					  src->tool, d.revs[i].id, src->table);
			cli_note("hint", "Apply it with the other tool first (or, if it was applied by hand, record it there), then adopt.");
			cli_exit(EXIT_REFUSED);
		}
	}
	for (i = 0; i < d.nrevs; i++)
	{
		bool		head = need[i];

		if (!head)
			continue;
		for (j = 0; j < d.nrevs && head; j++)
		{
			if (j == i || !need[j])
				continue;
			memset(mark, 0, sizeof(bool) * d.nrevs);
			ancestors(&d, j, mark);
			if (mark[i])
				head = false;
		}
		if (head)
			sl_push(&heads, d.revs[i].id);
	}

	/*
	 * The directory is the truth: register its files first, in the same
	 * transaction, so that a file that does not register leaves everything
	 * as it was.
	 */
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	if (d.nfiles > 0)
	{
		char	   *script = migdir_script(&d);
		const char *params[1] = {script};
		int			added = 0;

		res = cli_query("SELECT revision, action FROM schemamig.register($1)",
						1, params, &d);
		for (i = 0; i < PQntuples(res); i++)
			if (strcmp(PQgetvalue(res, i, 1), "unchanged") != 0)
				added++;
		PQclear(res);
		free(script);
		if (added > 0)
			printf("Registered the files of %s first: %d revision%s added or replaced.\n",
				   dir_label(&d), added, added == 1 ? "" : "s");
	}

	/* registered, and schemamig's own state compatible */
	res = cli_query("SELECT revision, state FROM schemamig.status()", 0, NULL,
					NULL);
	for (i = 0; i < PQntuples(res); i++)
	{
		sl_push(&registered, PQgetvalue(res, i, 0));
		if (strcmp(PQgetvalue(res, i, 1), "applied") == 0)
			sl_push(&applied, PQgetvalue(res, i, 0));
	}
	PQclear(res);
	for (i = 0; i < d.nrevs; i++)
		if (need[i] && !in_list(&registered, d.revs[i].id))
		{
			cli_error("revision \"%s\" is not registered in database \"%s\"",
					  d.revs[i].id, PQdb(cli_conn));
			cli_note("hint", "Register the imported files first: schemamig push");
			cli_exit(EXIT_REFUSED);
		}
	for (i = 0; i < applied.n; i++)
	{
		int			k = migdir_find(&d, applied.items[i]);

		if (k < 0 || !need[k])
		{
			cli_error("schemamig already records revision \"%s\" as applied, which %s does not: adopting would mark it pending",
					  applied.items[i], src->tool);
			cli_note("hint", "Compare \"schemamig status\" with the other tool's record; stamp by hand if you are sure.");
			cli_exit(EXIT_REFUSED);
		}
	}
	if (applied.n == nneed)
	{
		PQclear(cli_query("COMMIT", 0, NULL, NULL));
		printf("Nothing to stamp: schemamig already records the %d revision%s %s records as applied.\n",
			   nneed, nneed == 1 ? "" : "s", src->tool);
		goto done;
	}

	/* stamp the heads; check; commit */
	res = cli_query("SELECT pg_catalog.to_regprocedure('schemamig.adopt(text)') IS NOT NULL",
					0, NULL, NULL);
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
	{
		/* the server reads the same record and stamps it (0.2 and later) */
		const char *params[1] = {src->tool};

		PQclear(res);
		PQclear(cli_query("SELECT schemamig.adopt($1)", 1, params, NULL));
	}
	else
	{
		PQclear(res);
		for (i = 0; i < heads.n; i++)
		{
			const char *params[1] = {heads.items[i]};

			PQclear(cli_query("SELECT schemamig.stamp($1)", 1, params, NULL));
		}
	}
	res = cli_query("SELECT revision FROM schemamig.status() WHERE state = 'applied'",
					0, NULL, NULL);
	if (PQntuples(res) != nneed)
	{
		PQclear(res);
		die(EXIT_REFUSED, "stamping %d head%s did not leave exactly the %d recorded revisions applied: rolled back",
			heads.n, heads.n == 1 ? "" : "s", nneed);
	}
	for (i = 0; i < PQntuples(res); i++)
	{
		int			k = migdir_find(&d, PQgetvalue(res, i, 0));

		if (k < 0 || !need[k])
			die(EXIT_REFUSED, "stamping would leave \"%s\" applied, which %s does not record: rolled back",
				PQgetvalue(res, i, 0), src->tool);
	}
	PQclear(res);
	PQclear(cli_query("COMMIT", 0, NULL, NULL));

	list = join_words(&heads, ", ");
	now = cli_current();
	printf("Adopted %d revision%s from %s (%s), running no SQL: stamped %s.\n",
		   nneed, nneed == 1 ? "" : "s", src->tool, src->table, list);
	printf("Now at %s.\n", now);
	free(list);
	free(now);

done:
	printf("%s was left as it is: while both tools are in use it stays %s's record; once the switch is done, drop it (DROP TABLE %s;).\n",
		   src->table, src->tool,
		   strcmp(src->tool, "sqitch") == 0 ? "sqitch.changes ... (DROP SCHEMA sqitch CASCADE)" :
		   src->table);
	free(need);
	free(mark);
	need = mark = NULL;
	sl_free(&recorded);
	sl_free(&registered);
	sl_free(&applied);
	sl_free(&heads);
	migdir_free(&d);
	return EXIT_OK;
}

/* the source named, or the only one whose table exists */
static const Source *
detect_source(const char *tool)
{
	PGresult   *res;
	bool		found[NSOURCES];
	int			i,
				nfound = 0;
	StrBuf		names;
	const Source *only = NULL;

	res = cli_query("SELECT pg_catalog.to_regclass('alembic_version') IS NOT NULL,"
					" pg_catalog.to_regclass('flyway_schema_history') IS NOT NULL,"
					" m.t IS NOT NULL AND NOT m.dirty,"
					" m.t IS NOT NULL AND m.dirty,"
					" pg_catalog.to_regclass('goose_db_version') IS NOT NULL,"
					" pg_catalog.to_regclass('sqitch.changes') IS NOT NULL"
					" FROM (SELECT t, EXISTS (SELECT FROM pg_catalog.pg_attribute a"
					"   WHERE a.attrelid = t AND a.attname = 'dirty' AND NOT a.attisdropped) AS dirty"
					"   FROM (SELECT pg_catalog.to_regclass('schema_migrations') AS t) AS s) AS m",
					0, NULL, NULL);
	sb_init(&names);
	for (i = 0; i < NSOURCES; i++)
	{
		found[i] = strcmp(PQgetvalue(res, 0, i), "t") == 0;
		if (!found[i])
			continue;
		nfound++;
		only = &sources[i];
		sb_printf(&names, "%s%s (%s)", names.len ? ", " : "", sources[i].tool,
				  sources[i].table);
	}
	PQclear(res);
	if (tool != NULL)
	{
		for (i = 0; i < NSOURCES; i++)
			if (strcmp(sources[i].tool, tool) == 0)
				break;
		if (!found[i])
		{
			cli_error("database \"%s\" has no %s record: no table %s%s on the search_path",
					  PQdb(cli_conn), tool, sources[i].table,
					  strcmp(tool, "dbmate") == 0 ? " without a dirty column" :
					  strcmp(tool, "golang-migrate") == 0 ? " with a dirty column" : "");
			if (nfound > 0)
				cli_note("detail", names.data);
			cli_exit(EXIT_REFUSED);
		}
		sb_free(&names);
		return &sources[i];
	}
	if (nfound == 1)
	{
		sb_free(&names);
		return only;
	}
	if (nfound == 0)
	{
		cli_error("database \"%s\" has no record of another migration tool on the search_path",
				  PQdb(cli_conn));
		cli_note("hint", "adopt reads alembic_version, flyway_schema_history, schema_migrations (dbmate, golang-migrate), goose_db_version or sqitch.changes; set the search_path (in -d, options=-csearch_path=...) if the table is elsewhere.");
		cli_exit(EXIT_REFUSED);
	}
	cli_error("database \"%s\" has the records of several tools: %s", PQdb(cli_conn),
			  names.data);
	cli_note("hint", "Name the one to adopt: schemamig adopt TOOL");
	sb_free(&names);
	cli_exit(EXIT_USAGE);
}

/*
 * read_applied
 *		The recorded set: rows (id, adds) in order; adds false removes the
 *		id (an undo), except for golang-migrate where it means dirty.
 */
static void
read_applied(const Source *src, StrList *set)
{
	PGresult   *res = cli_query(src->query, 0, NULL, NULL);
	int			i,
				k;

	for (i = 0; i < PQntuples(res); i++)
	{
		const char *id = PQgetvalue(res, i, 0);
		bool		adds = strcmp(PQgetvalue(res, i, 1), "t") == 0;

		if (strcmp(src->tool, "golang-migrate") == 0 && !adds)
		{
			cli_error("golang-migrate left the database dirty at version %s (schema_migrations.dirty)",
					  id);
			cli_note("hint", "A migration failed half-way: repair the database and force the version with golang-migrate first, then adopt.");
			PQclear(res);
			cli_exit(EXIT_REFUSED);
		}
		for (k = 0; k < set->n; k++)
			if (strcmp(set->items[k], id) == 0)
				break;
		if (adds && k == set->n)
			sl_push(set, id);
		else if (!adds && k < set->n)
		{
			free(set->items[k]);
			set->items[k] = set->items[--set->n];
		}
	}
	PQclear(res);
}

/* mark revision i and everything it needs (parents, depends_on) */
static void
ancestors(const MigDir *d, int i, bool *mark)
{
	int			k;

	if (mark[i])
		return;
	mark[i] = true;
	for (k = 0; k < d->revs[i].down.n + d->revs[i].depends.n; k++)
	{
		const char *p = k < d->revs[i].down.n ? d->revs[i].down.items[k] :
			d->revs[i].depends.items[k - d->revs[i].down.n];
		int			j = migdir_find(d, p);

		if (j >= 0)
			ancestors(d, j, mark);
	}
}

static bool
in_list(const StrList *sl, const char *s)
{
	int			i;

	for (i = 0; i < sl->n; i++)
		if (strcmp(sl->items[i], s) == 0)
			return true;
	return false;
}
