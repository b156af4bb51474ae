/*
 * cli/drift.c: "schemamig drift [--adopt -m MSG]" (issue 15).
 *
 * Without --adopt: print schemamig.drift(), the objects that differ from
 * the schema schemamig's own runs left; exit 6 when there are some (for CI),
 * 0 when there are none.  With --adopt -m MSG: in one transaction, call
 * schemamig.adopt_drift(MSG) (it registers a revision whose upgrade is the
 * drift and records it applied) and write that revision to
 * the directory, named as "new" names files (<id>_<slug>.sql, or
 * --template); if the file cannot be written, nothing is committed, so the
 * files stay the truth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int	drift_adopt(const CliOptions *o);

static int
drift_adopt(const CliOptions *o)
{
	const char *params[1] = {o->message};
	MigDir		d;
	PGresult   *res;
	const char *script;
	char		id[64];
	char	   *path;

	if (o->message == NULL || o->message[0] == '\0')
		die_usage("drift --adopt needs a message: -m MSG");
	migdir_load(&d, o->dir);
	PQclear(cli_query("BEGIN", 0, NULL, NULL));
	/* its NOTICE (no drift) is said below; lint warnings name the upgrade,
	 * which never runs */
	PQclear(cli_query("SET LOCAL client_min_messages = warning", 0, NULL, NULL));
	res = cli_query("SELECT schemamig.adopt_drift($1)", 1, params, NULL);
	if (PQgetisnull(res, 0, 0))
	{
		PQclear(res);
		PQclear(cli_query("ROLLBACK", 0, NULL, NULL));
		printf("no drift: nothing to adopt\n");
		migdir_free(&d);
		return EXIT_OK;
	}
	script = PQgetvalue(res, 0, 0);
	if (sscanf(script, "-- schemamig:revision %63s", id) != 1)
		die(EXIT_REFUSED, "adopt_drift() returned a script without a revision line");
	/* named as new names files (--template); on failure the connection
	 * ends with the process, so the transaction and the adoption go too */
	path = migration_path(&d, o->name_template, id, o->message);
	write_new_file(path, script, strlen(script));
	PQclear(res);
	res = cli_query_try("COMMIT", 0, NULL, NULL);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		unlink(path);
		die(EXIT_REFUSED, "COMMIT failed: nothing was adopted; %s removed", path);
	}
	PQclear(res);
	printf("adopted the drift as revision %s (recorded as applied)\n", id);
	printf("wrote %s\n", path);
	free(path);
	migdir_free(&d);
	return EXIT_OK;
}

/* drift [--adopt -m MSG] */
int
cmd_drift(const CliOptions *o)
{
	static const char *const headers[] = {"object", "name", "change", "detail", "changed by", "changed at"};
	PGresult   *res;
	Table		t;
	int			i;

	cli_connect(o->dbname);
	cli_require_extension();
	if (o->adopt)
		return drift_adopt(o);
	if (o->message != NULL)
		die_usage("-m goes with drift --adopt");
	res = cli_query("SELECT object_kind, object_name, change, detail, changed_by,"
					" pg_catalog.to_char(changed_at, 'YYYY-MM-DD HH24:MI:SS TZ')"
					" FROM schemamig.drift()", 0, NULL, NULL);
	if (PQntuples(res) == 0)
	{
		printf("no drift: the schema is what schemamig's runs left\n");
		PQclear(res);
		return EXIT_OK;
	}
	table_init(&t, 6, headers);
	for (i = 0; i < PQntuples(res); i++)
	{
		const char *cells[6];
		int			c;

		for (c = 0; c < 6; c++)
			cells[c] = PQgetisnull(res, i, c) ? NULL : PQgetvalue(res, i, c);
		table_add(&t, cells);
	}
	printf("%d object%s changed outside schemamig:\n\n", PQntuples(res),
		   PQntuples(res) == 1 ? "" : "s");
	table_print(&t, stdout);
	table_free(&t);
	PQclear(res);
	printf("\nadopt it as a revision: schemamig drift --adopt -m MESSAGE\n");
	return EXIT_PROBLEMS;
}
