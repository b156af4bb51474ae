/*-------------------------------------------------------------------------
 *
 * cli.h
 *	  The schemamig command-line client: shared declarations.
 *
 * The client is a plain libpq program.  It talks to the extension only
 * through its SQL functions (schema "schemamig"), always passing values as
 * parameters.  Areas:
 *
 *	  util.c	   memory, growable strings, messages, tables, JSON
 *	  connect.c	   where the connection comes from, queries, server errors
 *	  files.c	   the migrations directory: reading and parsing files
 *	  commands.c   the commands that talk to the server
 *	  sync.c	   files against database: push in the run's transaction,
 *				   status's comparison, forget
 *	  offline.c	   heads, branches, history, show, check from the files alone
 *	  authoring.c  new and merge: writing migration files
 *	  import.c	   import: the revisions of another tool, written as files
 *	  import_alembic.c  import alembic: through the project's own Alembic
 *	  import_peers.c  import flyway, dbmate, goose, golang-migrate, sqitch
 *	  adopt.c	   adopt: stamp what the other tool recorded as applied
 *	  autogen.c	   revision --autogenerate: files from diff() of a desired schema
 *	  main.c	   the command line
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_CLI_H
#define SCHEMAMIG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "libpq-fe.h"

#ifndef SMIG_VERSION
#define SMIG_VERSION "unknown"
#endif

#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define CLI_NORETURN __attribute__((noreturn))

/* exit status, one per failure class (documented in --help) */
#define EXIT_OK			0		/* success */
#define EXIT_REFUSED	1		/* the server refused, or lacks schemamig */
#define EXIT_USAGE		2		/* bad command line */
#define EXIT_CONNECT	3		/* could not connect, or lost the connection */
#define EXIT_PENDING	4		/* status --exit-code: revisions pending */
#define EXIT_FILES		5		/* migration files: unreadable, malformed */
#define EXIT_PROBLEMS	6		/* check / lint found errors */
#define EXIT_UNPUSHED	7		/* status --exit-code: files not registered */
#define EXIT_ORPHAN		8		/* a pending revision has no file */
#define EXIT_DRIFT		9		/* an applied revision's file is gone or changed */

#define SMIG_ID_MAXLEN 64

/* the parsed command line */
typedef struct CliOptions
{
	const char *command;
	char	  **args;			/* positional arguments after the command */
	int			nargs;
	const char *dbname;			/* -d */
	const char *dir;			/* --dir, default "migrations" */
	const char *message;		/* -m */
	const char *head;			/* --head */
	const char *branch_label;	/* --branch-label */
	const char *depends_on;		/* --depends-on */
	const char *rev_id;			/* --rev-id */
	const char *from;			/* --from */
	const char *config;			/* --config (import alembic) */
	bool		json;
	bool		sql;
	bool		exit_code;
	bool		no_push;		/* --no-push */
	bool		verbose;		/* --verbose, -v */
	bool		yes;			/* --yes, -y */
	bool		allow_heads;	/* --allow-heads */
	bool		offline;		/* --offline */
	bool		indicate_current;	/* --indicate-current, -i */
	const char *range;			/* -r, --rev-range */
	bool		autogenerate;	/* new/revision --autogenerate (autogen.c) */
	const char *from_db;		/* --from-db URL */
	const char *from_sql;		/* --from-sql FILE (more files: args) */
} CliOptions;

/* ------------------------------------------------------------ util.c */

void	   *xmalloc(size_t size);
void	   *xrealloc(void *ptr, size_t size);
char	   *xstrdup(const char *s);
char	   *xstrndup(const char *s, size_t n);

/* a growable, always NUL-terminated string */
typedef struct StrBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} StrBuf;

void		sb_init(StrBuf *sb);
void		sb_putc(StrBuf *sb, char c);
void		sb_puts(StrBuf *sb, const char *s);
void		sb_putn(StrBuf *sb, const char *s, size_t n);
void		sb_printf(StrBuf *sb, const char *fmt,...) CLI_PRINTF(2, 3);
void		sb_free(StrBuf *sb);

/* a growable array of owned strings */
typedef struct StrList
{
	char	  **items;
	int			n;
	int			cap;
} StrList;

void		sl_push(StrList *sl, const char *s);
void		sl_push_own(StrList *sl, char *s);
void		sl_free(StrList *sl);
void		split_words(const char *s, StrList *out);
char	   *join_words(const StrList *sl, const char *sep);

/* messages on stderr; die() exits after closing the connection */
void		cli_error(const char *fmt,...) CLI_PRINTF(1, 2);
void		cli_warning(const char *fmt,...) CLI_PRINTF(1, 2);
void		cli_note(const char *label, const char *text);
void		die(int status, const char *fmt,...) CLI_PRINTF(2, 3) CLI_NORETURN;
void		die_usage(const char *fmt,...) CLI_PRINTF(1, 2) CLI_NORETURN;
void		cli_exit(int status) CLI_NORETURN;

/* an aligned table; cells are copied */
typedef struct Table
{
	int			ncols;
	int			nrows;			/* including the header row */
	int			caprows;
	char	  **cells;
} Table;

void		table_init(Table *t, int ncols, const char *const *headers);
void		table_add(Table *t, const char *const *cells);
void		table_print(const Table *t, FILE *out);
void		table_free(Table *t);

/* JSON written into a buffer, pretty-printed */
typedef struct JsonWriter
{
	StrBuf		out;
	int			depth;
	bool		first;
	bool		after_key;
} JsonWriter;

void		json_init(JsonWriter *w);
void		json_begin(JsonWriter *w, char open);
void		json_end(JsonWriter *w, char close);
void		json_key(JsonWriter *w, const char *key);
void		json_string(JsonWriter *w, const char *s);
void		json_bool(JsonWriter *w, bool b);
void		json_raw(JsonWriter *w, const char *json);
void		json_words(JsonWriter *w, const char *words);
void		json_print(JsonWriter *w, FILE *out);

/* ------------------------------------------------------------ files.c */

/* one revision block, as far as the client needs it */
typedef struct MigRev
{
	char	   *id;
	StrList		down;			/* down_revision ids (none: a root) */
	StrList		depends;		/* depends_on ids */
	int			file;			/* index into MigDir.files */
	int			line;			/* line of its revision directive */
	char	   *message;		/* NULL when none */
	StrList		labels;			/* branch_labels */
	int			section;		/* 0 header, 1 upgrade, 2 downgrade */
	bool		has_downgrade;
	bool		up_sql;			/* the upgrade section holds SQL */
	bool		down_sql;		/* the downgrade section holds SQL */
	int			end_line;		/* its last line in its file */
} MigRev;

typedef struct MigFile
{
	char	   *path;			/* as shown to the user: dir/name */
	char	   *text;			/* contents, ending with a newline */
	size_t		len;
	int			nlines;
	int			first_line;		/* its first line in the pushed script */
} MigFile;

typedef struct MigDir
{
	char	   *dir;
	char	   *label;			/* dir, ending with "/", for messages */
	MigFile    *files;
	int			nfiles;
	MigRev	   *revs;
	int			nrevs;
	int			caprevs;
	StrList		problems;		/* "FILE:LINE: ..." the server would refuse */
} MigDir;

void		migfile_read(const char *path, MigFile *f);
void		migdir_load(MigDir *d, const char *dir);
void		migdir_single(MigDir *d, const char *path);
void		migdir_free(MigDir *d);
char	   *migdir_script(const MigDir *d);
int			migdir_find(const MigDir *d, const char *id);
bool		migdir_locate(const MigDir *d, int script_line,
						  const char **path, int *line);
int			migdir_heads(const MigDir *d, int **heads);
int			migdir_resolve(const MigDir *d, const char *spec,
						   const char *what);
bool		valid_id(const char *id);
const char *dir_label(const MigDir *d);

/* ---------------------------------------------------------- connect.c */

extern PGconn *cli_conn;
extern bool cli_verbose;		/* --verbose: notes about the connection */

void		cli_connect(const char *dbname_flag);
bool		cli_connect_soft(const char *dbname_flag, char **why);
void		cli_disconnect(void);
PGresult   *cli_query(const char *sql, int nparams,
					  const char *const *params, const MigDir *map);
PGresult   *cli_query_try(const char *sql, int nparams,
						  const char *const *params, const MigDir *map);
char	   *cli_extension_version(void);
void		cli_require_extension(void);
char	   *cli_current(void);
const char *cli_hint(const char *hint);

/* ------------------------------------------------------------- sync.c */

/* the migrations directory compared with the database */
typedef struct SyncState
{
	MigDir		d;
	bool		have_dir;		/* the directory exists (d is loaded) */
	StrList		added;			/* file revisions not registered */
	StrList		replaced;		/* pending revisions whose file changed */
	StrList		orphan_pending; /* registered, pending, no file */
	StrList		orphan_applied; /* registered, applied, no file */
	char	   *drift;			/* register()'s refusal (an applied file changed) */
	char	   *drift_detail;
} SyncState;

bool		sync_compare(SyncState *s, const char *dir);
void		sync_push_in_transaction(const CliOptions *o, SyncState *s,
									 bool strict, FILE *out);
void		sync_free(SyncState *s);
void		refuse_unfilled(const MigDir *d, const StrList *added,
							const StrList *replaced);

/* ----------------------------------------------------- commands, main */

int			cmd_check(const CliOptions *o);
int			cmd_push(const CliOptions *o);
int			cmd_run(const CliOptions *o);
int			cmd_status(const CliOptions *o);
int			cmd_current(const CliOptions *o);
int			cmd_heads(const CliOptions *o);
int			cmd_history(const CliOptions *o);
int			cmd_show(const CliOptions *o);
int			cmd_lint(const CliOptions *o);
int			cmd_new(const CliOptions *o);
int			cmd_merge(const CliOptions *o);
int			cmd_import(const CliOptions *o);
int			cmd_adopt(const CliOptions *o);
int			cmd_forget(const CliOptions *o);
int			cmd_reset(const CliOptions *o);
int			cmd_branches(const CliOptions *o);
int			cmd_autogenerate(const CliOptions *o);

/* ---------------------------------------------------------- offline.c */

bool		offline_view(const CliOptions *o);
int			offline_heads(const CliOptions *o);
int			offline_branches(const CliOptions *o);
int			offline_history(const CliOptions *o);
int			offline_show(const CliOptions *o);
int			offline_check(const CliOptions *o);

/* ------------------------------------------------------------ import*.c */

/* one revision converted from another tool, before it is written */
typedef struct ImportRev
{
	char	   *id;
	StrList		down;			/* parents (none: a root) */
	StrList		labels;			/* branch labels */
	StrList		depends;		/* depends_on */
	char	   *message;		/* one line, may be empty */
	char	   *origin;			/* the peer's file(s) it comes from */
	char	   *upgrade;		/* SQL; NULL when up_problem says why not */
	char	   *downgrade;		/* SQL; NULL: irreversible or down_problem */
	char	   *up_problem;		/* why a person must write the upgrade */
	char	   *down_problem;	/* likewise for the downgrade */
	char	   *quoted;			/* source quoted in the file for that person */
	bool		no_transaction; /* the peer runs it outside a transaction */
} ImportRev;

typedef struct ImportSet
{
	const char *tool;			/* "alembic", "flyway", ... */
	ImportRev  *revs;			/* in the peer's order, parents first */
	int			n;
	int			cap;
} ImportSet;

ImportRev  *importset_add(ImportSet *s, const char *id);
void		importset_free(ImportSet *s);
int			import_write(const ImportSet *s, const char *dir);
void		import_alembic(const CliOptions *o, ImportSet *s);
void		import_peer(const char *tool, const char *dir, ImportSet *s);
bool		import_tool_known(const char *tool);

#endif							/* SCHEMAMIG_CLI_H */
