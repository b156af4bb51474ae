/*-------------------------------------------------------------------------
 *
 * main.c
 *	  The schemamig command line: options, commands, --help.
 *
 * Options may come before or after the command.  An argument that looks
 * like a negative number ("-1", "-2") is a target, not an option, so that
 * "schemamig downgrade -1" works; "--" ends the options.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* which options a command takes */
#define OPT_JSON		(1 << 0)
#define OPT_SQL			(1 << 1)
#define OPT_FROM		(1 << 2)
#define OPT_EXIT_CODE	(1 << 3)
#define OPT_MESSAGE		(1 << 4)
#define OPT_HEAD		(1 << 5)
#define OPT_LABEL		(1 << 6)
#define OPT_DEPENDS		(1 << 7)
#define OPT_REV_ID		(1 << 8)
#define OPT_DIR			(1 << 9)
#define OPT_CONFIG		(1 << 10)
#define OPT_NO_PUSH		(1 << 11)
#define OPT_YES			(1 << 12)
#define OPT_CHECK		(1 << 13)
#define OPT_RANGE		(1 << 14)
#define OPT_INDICATE	(1 << 15)
#define OPT_TEMPLATE	(1 << 16)
#define OPT_MANY		(1 << 17)	/* several -d, --targets, --jobs */
#define OPT_AUTOGEN		(1 << 18)
#define OPT_ADOPT		(1 << 19)

typedef struct Command
{
	const char *name;
	int			(*run) (const CliOptions *o);
	int			min_args;
	int			max_args;		/* -1: any number */
	int			options;
	const char *args_help;
} Command;

static const Command commands[] = {
	{"check", cmd_check, 0, 0, OPT_CHECK | OPT_MANY, ""},
	{"push", cmd_push, 0, 1, 0, "[DIR]"},
	{"upgrade", cmd_run, 0, 1, OPT_SQL | OPT_FROM | OPT_NO_PUSH | OPT_MANY, "[TARGET]"},
	{"downgrade", cmd_run, 1, 1, OPT_SQL | OPT_FROM | OPT_NO_PUSH, "TARGET"},
	{"stamp", cmd_run, 1, -1, OPT_NO_PUSH, "TARGET..."},
	{"status", cmd_status, 0, 0, OPT_JSON | OPT_EXIT_CODE | OPT_MANY, ""},
	{"current", cmd_current, 0, 0, OPT_JSON, ""},
	{"heads", cmd_heads, 0, 0, OPT_JSON | OPT_CHECK, ""},
	{"branches", cmd_branches, 0, 0, OPT_JSON | OPT_CHECK, ""},
	{"history", cmd_history, 0, 1, OPT_JSON | OPT_RANGE | OPT_INDICATE | OPT_CHECK, "[RANGE]"},
	{"show", cmd_show, 1, 1, OPT_JSON | OPT_CHECK, "REV"},
	{"new", cmd_new, 0, -1,
	OPT_MESSAGE | OPT_HEAD | OPT_LABEL | OPT_DEPENDS | OPT_REV_ID | OPT_TEMPLATE | OPT_CHECK | OPT_AUTOGEN, ""},
	{"revision", cmd_new, 0, -1,
	OPT_MESSAGE | OPT_HEAD | OPT_LABEL | OPT_DEPENDS | OPT_REV_ID | OPT_TEMPLATE | OPT_CHECK | OPT_AUTOGEN, ""},
	{"merge", cmd_merge, 0, -1, OPT_MESSAGE | OPT_REV_ID | OPT_TEMPLATE, "[REV...|heads]"},
	{"export", cmd_export, 0, -1, OPT_TEMPLATE, "[REV...]"},
	{"edit", cmd_edit, 0, 1, 0, "[REV]"},
	{"forget", cmd_forget, 1, -1, 0, "REV..."},
	{"reset", cmd_reset, 0, 0, OPT_YES | OPT_NO_PUSH, ""},
	{"lint", cmd_lint, 1, -1, OPT_JSON, "FILE..."},
	{"import", cmd_import, 1, 2, OPT_CONFIG, "TOOL [DIR]"},
	{"adopt", cmd_adopt, 0, 1, 0, "[TOOL]"},
	{"drift", cmd_drift, 0, 0, OPT_ADOPT | OPT_MESSAGE | OPT_TEMPLATE, "[--adopt -m MSG]"},
};

/* words of other tools and their schemamig command, for "did you mean" */
static const char *const synonyms[][2] = {
	{"migrate", "upgrade"},
	{"rollback", "downgrade"},
	{"create-migration", "revision"},
	{"makemigrations", "revision"},
	{"makemigration", "revision"},
	{"generate", "revision"},
	{"register", "push"},
	{"unregister", "forget"},
	{"version", "current"},
	{"info", "status"},
	{"log", "history"},
};

/* the options, long name first; short is 0 when there is none */
typedef struct Option
{
	const char *name;
	char		short_name;
	bool		has_value;
	int			flag;			/* OPT_*, 0 for global ones */
} Option;

static const Option options[] = {
	{"dbname", 'd', true, 0},
	{"dir", 0, true, 0},
	{"json", 0, false, OPT_JSON},
	{"sql", 0, false, OPT_SQL},
	{"from", 0, true, OPT_FROM},
	{"exit-code", 0, false, OPT_EXIT_CODE},
	{"message", 'm', true, OPT_MESSAGE},
	{"head", 0, true, OPT_HEAD},
	{"branch-label", 0, true, OPT_LABEL},
	{"depends-on", 0, true, OPT_DEPENDS},
	{"rev-id", 0, true, OPT_REV_ID},
	{"config", 0, true, OPT_CONFIG},
	{"no-push", 0, false, OPT_NO_PUSH},
	{"yes", 'y', false, OPT_YES},
	{"verbose", 'v', false, 0},
	{"offline", 0, false, OPT_CHECK},
	{"allow-heads", 0, false, OPT_CHECK},
	{"rev-range", 'r', true, OPT_RANGE},
	{"indicate-current", 'i', false, OPT_INDICATE},
	{"template", 0, true, OPT_TEMPLATE},
	{"targets", 0, true, OPT_MANY},
	{"jobs", 'j', true, OPT_MANY},
	{"autogenerate", 0, false, OPT_AUTOGEN},
	{"from-db", 0, true, OPT_AUTOGEN},
	{"from-sql", 0, true, OPT_AUTOGEN},
	{"adopt", 0, false, OPT_ADOPT},
	{"help", 'h', false, 0},
	{"version", 'V', false, 0},
};

static const char help_text[] =
"schemamig: Alembic-style migrations run by the schemamig extension inside\n"
"PostgreSQL, driven from files in a migrations directory.\n"
"\n"
"Usage:\n"
"  schemamig [OPTION]... COMMAND [ARG]...\n"
"\n"
"Commands:\n"
"  check [--offline [--allow-heads]]\n"
"                         connect; show the server version, whether schemamig\n"
"                         is installed (how to install it if not), check();\n"
"                         --offline: check the files alone, no server\n"
"  push [DIR]             register every *.sql file of DIR (default: --dir) in\n"
"                         one call: all or nothing; prints added/unchanged/replaced\n"
"  upgrade [TARGET]       register the files, then apply pending revisions up to\n"
"                         TARGET (default head), in one transaction\n"
"  downgrade TARGET       register the files, then undo revisions back to TARGET\n"
"                         (-1, base, an id, ...), in one transaction\n"
"  stamp TARGET...        register the files, then record each TARGET as applied\n"
"                         without running its SQL\n"
"  status                 every registered revision and its state, compared with\n"
"                         the files (not registered, changed, no file)\n"
"  current                the applied heads (\"base\" when none)\n"
"  heads                  the heads\n"
"  branches               the branch points\n"
"                         (heads, branches, history, show: the database's view;\n"
"                         the files' when --offline or no database, said so)\n"
"  history [RANGE]        revisions, newest first (base:head, rev:, :rev, current:)\n"
"  show REV               everything about one revision, with its SQL\n"
"  new -m MESSAGE         write <id>_<slug>.sql on top of the head: the\n"
"                         database's (with the files) when one can be reached,\n"
"                         else the files' (--offline: always); says which\n"
"  revision -m MESSAGE    the same as new (Alembic's word)\n"
"  revision --autogenerate -m MESSAGE (--from-db URL | --from-sql FILE...)\n"
"                         write the file(s) taking the database (-d) to the\n"
"                         schema of URL, or of FILEs loaded into a throwaway\n"
"                         database (needs CREATEDB); \"No changes\" when none\n"
"  merge [-m MESSAGE] [REV...|heads]\n"
"                         write a merge revision over REVs (default: local heads)\n"
"  export [REV...]        write a file for each revision the database has and\n"
"                         no file defines (default: all of them)\n"
"  edit [REV]             open the revision's file (default: the head) in\n"
"                         $VISUAL, else $EDITOR, else vi\n"
"  forget REV...          unregister pending revisions (whose file is gone)\n"
"  reset [--yes]          development databases: downgrade to base and upgrade\n"
"                         to head in one transaction (asks first)\n"
"  lint FILE...           the server's lint() findings for the files\n"
"  import alembic [--config alembic.ini]\n"
"                         write one file per Alembic revision into --dir,\n"
"                         its SQL rendered by the project's Alembic (offline)\n"
"  import flyway|dbmate|goose|golang-migrate|sqitch PEER_DIR\n"
"                         convert that tool's migration files into --dir\n"
"  adopt [TOOL]           stamp, in one transaction, the revisions the other\n"
"                         tool recorded as applied (alembic_version, ...)\n"
"  drift [--adopt -m MSG] schema changes made outside schemamig (exit 6 when\n"
"                         there are some); --adopt: register them as a revision\n"
"                         recorded applied, and write its file into --dir\n"
"\n"
"Options:\n"
"  -d, --dbname=URL       connection string or URI (postgresql://user@host/db);\n"
"                         upgrade, status, check: repeat it for several databases\n"
"      --targets=FILE     upgrade, status, check: the databases, one URL a line\n"
"                         (blank lines and lines starting with # skipped)\n"
"  -j, --jobs=N           with several databases: at most N at once (default 4)\n"
"      --dir=DIR          migrations directory (default: migrations), any command\n"
"      --json             JSON output: status, current, heads, history, show, lint\n"
"      --sql              upgrade, downgrade: print the offline script, run nothing\n"
"      --from=REV         with --sql: plan as if the database were at REV (base: empty)\n"
"      --exit-code        status: exit with 4, 7 or 8 (below) when the database\n"
"                         is not at the files' head\n"
"      --no-push          upgrade, downgrade, stamp, reset: do not register the\n"
"                         files first (run what the database has registered)\n"
"  -y, --yes              reset: do not ask\n"
"      --offline          heads, branches, history, show: read the files, not\n"
"                         the database (also when none can be reached);\n"
"                         check: check the files alone\n"
"      --allow-heads      check --offline: several heads are not a problem\n"
"  -v, --verbose          more detail (current: messages; history: everything;\n"
"                         the connection: which URL was used)\n"
"  -r, --rev-range=RANGE  history: the range (as the RANGE argument)\n"
"  -i, --indicate-current history: mark the current revisions\n"
"  -m, --message=TEXT     new, merge: the revision's message (one line)\n"
"      --head=REV         new: the parent (default: the single head; base: a\n"
"                         new root); the files' ids first, then the database's\n"
"      --branch-label=L   new: branch label(s), space- or comma-separated\n"
"      --depends-on=REV   new: revision(s) to be applied first\n"
"      --rev-id=ID        new, merge: this id instead of a random 12-hex one\n"
"      --template=T       new, merge, export, drift --adopt: the file name,\n"
"                         from {id}, {slug}, {date} (YYYYMMDD), {time} (HHMM);\n"
"                         default {id}_{slug} or $SCHEMAMIG_TEMPLATE\n"
"      --autogenerate     new, revision: generate the SQL (see above)\n"
"      --from-db=URL      --autogenerate: the database holding the desired schema\n"
"      --from-sql=FILE    --autogenerate: schema file(s) (later arguments: more)\n"
"      --config=FILE      import alembic: the Alembic configuration (alembic.ini)\n"
"  -h, --help             show this help, then exit\n"
"  -V, --version          show the version, then exit\n"
"\n"
"TARGET is a revision id or unique prefix, head, heads, base, +N, -N, REV+N,\n"
"REV-N, a branch label, LABEL@head or LABEL@base.  Revision ids in new, merge,\n"
"--head and --depends-on may be unique prefixes of ids in the files.\n"
"\n"
"Connection: the first of these that is set is used\n"
"  1. -d URL\n"
"  2. the environment variable DATABASE_URL\n"
"  3. a line DATABASE_URL=... in the file .env of the current directory or\n"
"     the nearest one above it, up to the repository's top (.git) or /\n"
"  4. POSTGRES_SERVER, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD,\n"
"     POSTGRES_DB (environment, else that .env), those that are set\n"
"  5. libpq's environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER,\n"
"     PGPASSWORD, ...), ~/.pgpass and libpq's defaults\n"
"URLs may be SQLAlchemy's (postgresql+psycopg2://, +asyncpg, +psycopg):\n"
"the driver part is dropped (--verbose says so).\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  1  the server refused (an SQL error), or schemamig is not installed there\n"
"     (or, for lint, has no lint())\n"
"  2  bad command line\n"
"  3  could not connect, or the connection was lost\n"
"  4  status --exit-code: some revisions are pending\n"
"  5  migration files: missing directory, unreadable or malformed file,\n"
"     several heads for new, nothing to merge, cannot write\n"
"  6  check: check() reported errors; lint: findings of severity error\n"
"  7  status --exit-code: files not registered yet (new or changed)\n"
"  8  a pending revision is registered but its file is gone: status\n"
"     --exit-code; upgrade and stamp refuse (schemamig forget REV)\n"
"  9  status: an applied revision's file is gone or was changed\n"
" 10  several databases: one or more failed (the table's exit column gives\n"
"     each one's own status, as above)\n";

/* the positional arguments and the -d values; freed at exit, whichever way it comes */
static char **positional = NULL;
static const char **dbnames_seen = NULL;

static void free_positional(void);
static const Command *find_command(const char *name);
static const Option *find_long(const char *name, size_t len);
static const Option *find_short(char c);
static bool is_negative_number(const char *s);
static void unknown_command(const char *name) CLI_NORETURN;
static int	edit_distance(const char *a, const char *b);
static void set_option(CliOptions *o, const Option *opt, const char *value,
					   int *seen);

int
main(int argc, char **argv)
{
	CliOptions	o;
	const Command *cmd;
	int			seen = 0;
	bool		help = false;
	bool		version = false;
	bool		end_of_options = false;
	int			i;
	int			status;
	int			npositional = 0;

	positional = xmalloc(sizeof(char *) * (argc > 0 ? argc : 1));
	atexit(free_positional);
	memset(&o, 0, sizeof(o));
	dbnames_seen = o.dbnames = xmalloc(sizeof(char *) * (argc > 0 ? argc : 1));

	for (i = 1; i < argc; i++)
	{
		const char *a = argv[i];
		const Option *opt;
		const char *value = NULL;

		if (end_of_options || a[0] != '-' || a[1] == '\0' ||
			is_negative_number(a))
		{
			positional[npositional++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0)
		{
			end_of_options = true;
			continue;
		}
		if (a[1] == '-')
		{
			const char *eq = strchr(a + 2, '=');
			size_t		len = eq ? (size_t) (eq - (a + 2)) : strlen(a + 2);

			opt = find_long(a + 2, len);
			if (opt == NULL)
				die_usage("unknown option \"%.*s\"", (int) len + 2, a);
			if (eq != NULL)
			{
				if (!opt->has_value)
					die_usage("option --%s takes no value", opt->name);
				value = eq + 1;
			}
		}
		else
		{
			opt = find_short(a[1]);
			if (opt == NULL)
				die_usage("unknown option \"-%c\"", a[1]);
			if (a[2] != '\0')
			{
				if (!opt->has_value)
					die_usage("unknown option \"%s\"", a);
				value = a + 2;
			}
		}
		if (opt->has_value && value == NULL)
		{
			if (i + 1 >= argc)
				die_usage("option --%s needs a value", opt->name);
			value = argv[++i];
		}
		if (strcmp(opt->name, "help") == 0)
			help = true;
		else if (strcmp(opt->name, "version") == 0)
			version = true;
		else
			set_option(&o, opt, value, &seen);
	}

	if (o.dir == NULL)
		o.dir = "migrations";
	if (help || (npositional > 0 && strcmp(positional[0], "help") == 0))
	{
		fputs(help_text, stdout);
		return EXIT_OK;
	}
	if (version)
	{
		printf("schemamig %s (command-line client, libpq %d)\n", SMIG_VERSION,
			   PQlibVersion());
		return EXIT_OK;
	}
	if (npositional == 0)
		die_usage("no command given");

	o.command = positional[0];
	o.args = positional + 1;
	o.nargs = npositional - 1;
	cmd = find_command(o.command);
	if (cmd == NULL)
		unknown_command(o.command);
	if (o.nargs < cmd->min_args)
		die_usage("%s needs %s%s", cmd->name, cmd->args_help,
				  strcmp(cmd->name, "downgrade") == 0 ||
				  strcmp(cmd->name, "stamp") == 0 ?
				  " (for example -1, base or a revision id)" : "");
	if (cmd->max_args >= 0 && o.nargs > cmd->max_args)
		die_usage("too many arguments for %s: \"%s\"", cmd->name,
				  o.args[cmd->max_args]);
	if ((seen & OPT_MANY) && !(cmd->options & OPT_MANY))
	{
		if (o.ndbnames > 1)
			die_usage("-d given %d times: only upgrade, status and check take several databases",
					  o.ndbnames);
		die_usage("--targets and --jobs go with upgrade, status and check");
	}
	for (i = 0; i < (int) (sizeof(options) / sizeof(options[0])); i++)
		if ((seen & options[i].flag) && !(cmd->options & options[i].flag))
			die_usage("option --%s does not apply to %s", options[i].name,
					  cmd->name);
	if (o.range != NULL && o.nargs > 0)
		die_usage("history takes a RANGE or -r RANGE, not both");
	if (o.range == NULL && o.nargs > 0 && strcmp(cmd->name, "history") == 0)
		o.range = o.args[0];
	if (o.allow_heads && !(o.offline && strcmp(cmd->name, "check") == 0))
		die_usage("--allow-heads goes with check --offline");
	if (o.from != NULL && !o.sql)
		die_usage("--from goes with --sql");
	if (o.dbname != NULL && o.dbname[0] == '\0')
		die_usage("-d needs a connection string");
	if (o.dir[0] == '\0')
		die_usage("--dir needs a directory");

	if (many_wanted(&o))
		status = many_run(&o, cmd->run);
	else
		status = cmd->run(&o);
	fflush(stdout);
	cli_disconnect();
	if (ferror(stdout))
	{
		fputs("schemamig: error: could not write the output\n", stderr);
		if (status == EXIT_OK)
			status = EXIT_REFUSED;
	}
	return status;
}

static void
free_positional(void)
{
	free(positional);
	positional = NULL;
	free((void *) dbnames_seen);
	dbnames_seen = NULL;
}

static const Command *
find_command(const char *name)
{
	int			i;

	for (i = 0; i < (int) (sizeof(commands) / sizeof(commands[0])); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const Option *
find_long(const char *name, size_t len)
{
	int			i;

	for (i = 0; i < (int) (sizeof(options) / sizeof(options[0])); i++)
		if (strlen(options[i].name) == len &&
			strncmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

static const Option *
find_short(char c)
{
	int			i;

	for (i = 0; i < (int) (sizeof(options) / sizeof(options[0])); i++)
		if (options[i].short_name == c)
			return &options[i];
	return NULL;
}

/* "-1", "-20": a relative target */
static bool
is_negative_number(const char *s)
{
	if (s[0] != '-' || s[1] < '0' || s[1] > '9')
		return false;
	for (s++; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* store an option's value; each may be given once */
static void
set_option(CliOptions *o, const Option *opt, const char *value, int *seen)
{
	const char **slot = NULL;

	if (strcmp(opt->name, "dbname") == 0)
	{
		/* repeatable: several databases (upgrade, status, check) */
		o->dbnames[o->ndbnames++] = value;
		o->dbname = o->dbnames[0];
		if (o->ndbnames > 1)
			*seen |= OPT_MANY;
		return;
	}
	else if (strcmp(opt->name, "dir") == 0)
		slot = &o->dir;
	else if (strcmp(opt->name, "from") == 0)
		slot = &o->from;
	else if (strcmp(opt->name, "message") == 0)
		slot = &o->message;
	else if (strcmp(opt->name, "head") == 0)
		slot = &o->head;
	else if (strcmp(opt->name, "branch-label") == 0)
		slot = &o->branch_label;
	else if (strcmp(opt->name, "depends-on") == 0)
		slot = &o->depends_on;
	else if (strcmp(opt->name, "rev-id") == 0)
		slot = &o->rev_id;
	else if (strcmp(opt->name, "config") == 0)
		slot = &o->config;
	else if (strcmp(opt->name, "json") == 0)
		o->json = true;
	else if (strcmp(opt->name, "sql") == 0)
		o->sql = true;
	else if (strcmp(opt->name, "exit-code") == 0)
		o->exit_code = true;
	else if (strcmp(opt->name, "no-push") == 0)
		o->no_push = true;
	else if (strcmp(opt->name, "yes") == 0)
		o->yes = true;
	else if (strcmp(opt->name, "verbose") == 0)
		o->verbose = cli_verbose = true;
	else if (strcmp(opt->name, "offline") == 0)
		o->offline = true;
	else if (strcmp(opt->name, "allow-heads") == 0)
		o->allow_heads = true;
	else if (strcmp(opt->name, "indicate-current") == 0)
		o->indicate_current = true;
	else if (strcmp(opt->name, "adopt") == 0)
		o->adopt = true;
	else if (strcmp(opt->name, "rev-range") == 0)
		slot = &o->range;
	else if (strcmp(opt->name, "template") == 0)
		slot = &o->name_template;
	else if (strcmp(opt->name, "targets") == 0)
		slot = &o->targets_file;
	else if (strcmp(opt->name, "jobs") == 0)
	{
		char	   *end;
		long		n = strtol(value, &end, 10);

		if (o->jobs != 0)
			die_usage("option --jobs given twice");
		if (end == value || *end != '\0' || n < 1 || n > 1000)
			die_usage("--jobs needs a number from 1 to 1000, not \"%s\"", value);
		o->jobs = (int) n;
		*seen |= OPT_MANY;
		return;
	}
	else if (strcmp(opt->name, "autogenerate") == 0)
		o->autogenerate = true;
	else if (strcmp(opt->name, "from-db") == 0)
		slot = &o->from_db;
	else if (strcmp(opt->name, "from-sql") == 0)
		slot = &o->from_sql;

	if (opt->flag != 0 && opt->flag != OPT_CHECK && opt->flag != OPT_MANY &&
		opt->flag != OPT_AUTOGEN)
	{
		if (*seen & opt->flag)
			die_usage("option --%s given twice", opt->name);
		*seen |= opt->flag;
	}
	else if (slot != NULL && *slot != NULL)
		die_usage("option --%s given twice", opt->name);
	else if (opt->flag == OPT_CHECK || opt->flag == OPT_MANY || opt->flag == OPT_AUTOGEN)
		*seen |= opt->flag;
	if (slot != NULL)
		*slot = value;
}

/* the number of single-character edits from a to b (short words) */
static int
edit_distance(const char *a, const char *b)
{
	int			la = strlen(a),
				lb = strlen(b);
	int			row[64];
	int			i,
				j;

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++)
	{
		int			diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++)
		{
			int			up = row[j];
			int			best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* "unknown command", with the command meant when one is close enough */
static void
unknown_command(const char *name)
{
	const char *best = NULL;
	int			best_d = 3;
	size_t		len = strlen(name);
	int			i;

	for (i = 0; i < (int) (sizeof(synonyms) / sizeof(synonyms[0])); i++)
		if (strcmp(synonyms[i][0], name) == 0)
		{
			best = synonyms[i][1];
			best_d = 0;
		}
	for (i = 0; best_d > 0 && i < (int) (sizeof(commands) / sizeof(commands[0])); i++)
	{
		int			d = edit_distance(name, commands[i].name);

		/* close enough, or a prefix of at least 3 characters ("hist") */
		if (d < best_d ||
			(len >= 3 && strncmp(name, commands[i].name, len) == 0 &&
			 (best == NULL || strncmp(name, best, len) != 0)))
		{
			best = commands[i].name;
			best_d = (len >= 3 && strncmp(name, commands[i].name, len) == 0) ? 0 : d;
		}
	}
	cli_error("unknown command \"%s\"", name);
	if (best != NULL)
		fprintf(stderr, "Did you mean \"schemamig %s\"?\n", best);
	fputs("Try \"schemamig --help\" for more information.\n", stderr);
	cli_exit(EXIT_USAGE);
}
