/*-------------------------------------------------------------------------
 *
 * import_alembic.c
 *	  import alembic: read an Alembic project through the project's own
 *	  Alembic, in offline mode, and fill an ImportSet.
 *
 * The helper below (Python; it lives here, as a string, and runs with
 * "python -c", so nothing is installed beside the program) loads the
 * project with alembic.config.Config and ScriptDirectory, walks the
 * revisions base first and, for each one, runs the project's env.py in
 * offline mode (what "alembic upgrade PARENT:REV --sql" and "alembic
 * downgrade REV:PARENT --sql" do) for exactly that one revision's step:
 * its parents and its depends_on are taken as already applied, so neither
 * a dependency nor the other side of a merge is rendered with it.  The
 * statements Alembic writes are kept one by one; BEGIN/COMMIT and the
 * version table's CREATE/INSERT/UPDATE/DELETE/DROP are left out.  A
 * revision whose Python fails in offline mode (it reads from the database,
 * say) is reported with the exception and the line of the revision file.
 *
 * The python that runs it: $SCHEMAMIG_PYTHON when set; otherwise the
 * interpreter named by the "#!" line of the first "alembic" on PATH (so a
 * virtualenv's alembic brings its own python), then "python3".  A python
 * that cannot import alembic exits 97 and the next one is tried.
 *
 * Records on the helper's stdout: "TAG LENGTH\n", LENGTH bytes, "\n".
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define HELPER_NO_ALEMBIC 97

static const char helper_py[] =
"# schemamig import alembic: the helper run through the project's own Alembic.\n"
"# argv: config file.  Output (stdout, bytes): records \"TAG LENGTH\\n\" followed\n"
"# by LENGTH bytes of UTF-8 and \"\\n\".  Exit 97: Alembic is not importable.\n"
"import os\n"
"import re\n"
"import sys\n"
"import traceback\n"
"\n"
"try:\n"
"    from alembic.config import Config\n"
"    from alembic.runtime.environment import EnvironmentContext\n"
"    from alembic.runtime.migration import MigrationStep\n"
"    from alembic.script import ScriptDirectory\n"
"except ImportError as exc:\n"
"    sys.stderr.write(\"cannot import alembic with %s: %s\\n\" % (sys.executable, exc))\n"
"    sys.exit(97)\n"
"\n"
"out = sys.stdout.buffer\n"
"# whatever env.py or the revisions print must not mix with the records\n"
"sys.stdout = sys.stderr\n"
"\n"
"\n"
"def put(tag, value):\n"
"    data = (value or \"\").encode(\"utf-8\", \"replace\")\n"
"    out.write(b\"%s %d\\n\" % (tag.encode(\"ascii\"), len(data)))\n"
"    out.write(data)\n"
"    out.write(b\"\\n\")\n"
"\n"
"\n"
"class Chunks:\n"
"    \"\"\"An output buffer that keeps each statement Alembic writes apart.\"\"\"\n"
"\n"
"    def __init__(self):\n"
"        self.items = []\n"
"\n"
"    def write(self, text):\n"
"        self.items.append(text)\n"
"\n"
"    def flush(self):\n"
"        pass\n"
"\n"
"\n"
"TX = {\"BEGIN\", \"COMMIT\", \"BEGIN TRANSACTION\", \"START TRANSACTION\", \"END\"}\n"
"\n"
"\n"
"def keep(chunk, table):\n"
"    s = chunk.strip()\n"
"    if not s or s.startswith(\"-- Running \"):\n"
"        return False\n"
"    if s.rstrip(\";\").strip().upper() in TX:\n"
"        return False\n"
"    vt = (r'^(CREATE\\s+TABLE|DROP\\s+TABLE|INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)'\n"
"          r'\\s+(\"?[\\w$]+\"?\\.)?\"?' + re.escape(table) + r'\"?(\\s|\\(|;|$)')\n"
"    return re.match(vt, s, re.IGNORECASE) is None\n"
"\n"
"\n"
"def render(cfg, script, sc, up):\n"
"    \"\"\"(sql, None) or (None, reason).\"\"\"\n"
"    buf = Chunks()\n"
"    cfg.output_buffer = buf\n"
"    seen = {\"table\": \"alembic_version\"}\n"
"\n"
"    def steps(heads, ctx):\n"
"        seen[\"table\"] = ctx.version_table\n"
"        if up:\n"
"            return [MigrationStep.upgrade_from_script(script.revision_map, sc)]\n"
"        return [MigrationStep.downgrade_from_script(script.revision_map, sc)]\n"
"\n"
"    if up:\n"
"        start = list(sc._versioned_down_revisions) + list(resolved_deps(script, sc))\n"
"        start = start or None\n"
"    else:\n"
"        start = [sc.revision]\n"
"    try:\n"
"        with EnvironmentContext(cfg, script, fn=steps, as_sql=True,\n"
"                                starting_rev=start,\n"
"                                destination_rev=sc.revision):\n"
"            script.run_env()\n"
"    except Exception as exc:\n"
"        where = \"\"\n"
"        for frame in traceback.extract_tb(exc.__traceback__):\n"
"            if frame.filename == sc.path:\n"
"                where = \" (line %d of %s)\" % (frame.lineno, os.path.relpath(sc.path))\n"
"        why = \"%s: %s%s\" % (type(exc).__name__, exc, where)\n"
"        try:\n"
"            with open(sc.path, encoding=\"utf-8\", errors=\"replace\") as f:\n"
"                if \"get_bind\" in f.read():\n"
"                    why = \"it reads from the database (op.get_bind()), which \" \\\n"
"                          \"offline mode cannot do: \" + why\n"
"        except OSError:\n"
"            pass\n"
"        return None, why\n"
"    sql = [c.strip() for c in buf.items if keep(c, seen[\"table\"])]\n"
"    return \"\\n\\n\".join(sql), None\n"
"\n"
"\n"
"def labels_of(sc):\n"
"    labels = getattr(sc, \"_orig_branch_labels\", None)\n"
"    if labels is None:\n"
"        labels = sc.branch_labels or ()\n"
"    return labels\n"
"\n"
"\n"
"def resolved_deps(script, sc):\n"
"    deps = getattr(sc, \"_resolved_dependencies\", None)\n"
"    if deps is None:\n"
"        deps = [script.get_revision(d).revision\n"
"                for d in (sc.dependencies or ())\n"
"                if d]\n"
"        if isinstance(sc.dependencies, str):\n"
"            deps = [script.get_revision(sc.dependencies).revision]\n"
"    return tuple(deps)\n"
"\n"
"\n"
"def main():\n"
"    cfg = Config(sys.argv[1])\n"
"    script = ScriptDirectory.from_config(cfg)\n"
"    put(\"LOCATION\", script.dir)\n"
"    revs = list(script.walk_revisions(\"base\", \"heads\"))\n"
"    revs.reverse()\n"
"    for sc in revs:\n"
"        doc = (sc.module.__doc__ or \"\").strip().splitlines()\n"
"        put(\"REV\", sc.revision)\n"
"        put(\"DOWN\", \" \".join(sc._versioned_down_revisions))\n"
"        put(\"LABELS\", \" \".join(sorted(labels_of(sc))))\n"
"        put(\"DEPENDS\", \" \".join(resolved_deps(script, sc)))\n"
"        put(\"MESSAGE\", doc[0].strip() if doc else \"\")\n"
"        put(\"PATH\", os.path.relpath(sc.path))\n"
"        problem = False\n"
"        for up in (True, False):\n"
"            sql, why = render(cfg, script, sc, up)\n"
"            tag = \"UP\" if up else \"DOWNGRADE\"\n"
"            if why is None:\n"
"                put(tag, sql)\n"
"            else:\n"
"                put(tag + \"_ERROR\", why)\n"
"                problem = True\n"
"        if problem:\n"
"            with open(sc.path, encoding=\"utf-8\", errors=\"replace\") as f:\n"
"                put(\"SOURCE\", f.read())\n"
"        put(\"END\", \"\")\n"
"    out.flush()\n"
"\n"
"\n"
"main()\n";

/* the output of one run of the helper */
typedef struct HelperRun
{
	int			status;			/* exit status; -1: did not start/killed */
	StrBuf		out;
	StrBuf		err;
} HelperRun;

static void find_pythons(StrList *argv0s, StrList *argv1s);
static void run_helper(const char *py, const char *pyarg, const char *config,
					   HelperRun *run);
static void read_fd(int fd, StrBuf *sb);
static void parse_records(const char *data, size_t len, ImportSet *s,
						  char **location);
static void check_output_dir(const char *location, const char *dir);

void
import_alembic(const CliOptions *o, ImportSet *s)
{
	const char *config = o->config ? o->config : "alembic.ini";
	StrList		pys = {0};
	StrList		pyargs = {0};
	StrBuf		tried;
	HelperRun	run;
	char	   *location = NULL;
	int			i;
	bool		done = false;

	if (access(config, R_OK) != 0)
	{
		cli_error("cannot read the Alembic configuration \"%s\": %s", config,
				  strerror(errno));
		cli_note("hint", "Run from the directory of alembic.ini, or name it with --config.");
		cli_exit(EXIT_FILES);
	}
	find_pythons(&pys, &pyargs);
	sb_init(&tried);
	memset(&run, 0, sizeof(run));
	for (i = 0; i < pys.n && !done; i++)
	{
		const char *arg = pyargs.items[i][0] ? pyargs.items[i] : NULL;

		run_helper(pys.items[i], arg, config, &run);
		if (run.status == HELPER_NO_ALEMBIC || run.status == 127)
		{
			sb_printf(&tried, "%s%s%s%s", tried.len ? ", " : "", pys.items[i],
					  arg ? " " : "", arg ? arg : "");
			sb_free(&run.out);
			sb_free(&run.err);
			continue;
		}
		done = true;
	}
	sl_free(&pys);
	sl_free(&pyargs);
	if (!done)
	{
		cli_error("cannot run Alembic: no python with alembic importable (tried %s)",
				  tried.data);
		cli_note("hint", "import alembic needs Alembic and the project's env.py importable, as for \"alembic\" itself; set SCHEMAMIG_PYTHON to the python that runs the project's alembic (a virtualenv's bin/python).");
		sb_free(&tried);
		cli_exit(EXIT_FILES);
	}
	sb_free(&tried);
	if (run.status != 0)
	{
		fputs(run.err.data, stderr);
		die(EXIT_FILES, "Alembic failed reading the project of \"%s\" (exit status %d); its messages are above",
			config, run.status);
	}
	parse_records(run.out.data, run.out.len, s, &location);
	sb_free(&run.out);
	sb_free(&run.err);
	if (location != NULL)
	{
		check_output_dir(location, o->dir);
		free(location);
	}
}

/* $SCHEMAMIG_PYTHON; else alembic's "#!" interpreter, then python3 */
static void
find_pythons(StrList *pys, StrList *args)
{
	const char *env = getenv("SCHEMAMIG_PYTHON");
	const char *path = getenv("PATH");

	if (env != NULL && env[0] != '\0')
	{
		sl_push(pys, env);
		sl_push(args, "");
		return;
	}
	while (path != NULL && *path)
	{
		const char *colon = strchr(path, ':');
		size_t		len = colon ? (size_t) (colon - path) : strlen(path);
		StrBuf		file;
		FILE	   *f;
		char		line[512];

		sb_init(&file);
		sb_putn(&file, len ? path : ".", len ? len : 1);
		sb_puts(&file, "/alembic");
		path = colon ? colon + 1 : NULL;
		if (access(file.data, X_OK) != 0 ||
			(f = fopen(file.data, "r")) == NULL)
		{
			sb_free(&file);
			continue;
		}
		sb_free(&file);
		if (fgets(line, sizeof(line), f) != NULL &&
			line[0] == '#' && line[1] == '!')
		{
			StrList		words = {0};
			char	   *eol = strpbrk(line, "\r\n");

			if (eol)
				*eol = '\0';
			split_words(line + 2, &words);
			if (words.n >= 1 && strchr(line + 2, ',') == NULL)
			{
				sl_push(pys, words.items[0]);
				sl_push(args, words.n >= 2 ? words.items[1] : "");
			}
			sl_free(&words);
		}
		fclose(f);
		break;
	}
	sl_push(pys, "python3");
	sl_push(args, "");
}

/* run "PY [PYARG] -c HELPER CONFIG", collecting stdout and stderr */
static void
run_helper(const char *py, const char *pyarg, const char *config,
		   HelperRun *run)
{
	int			outp[2];
	int			errfd;
	char		errname[] = "/tmp/schemamig-import-XXXXXX";
	pid_t		pid;
	int			wstatus;
	const char *argv[6];
	int			n = 0;

	sb_init(&run->out);
	sb_init(&run->err);
	run->status = -1;
	errfd = mkstemp(errname);
	if (errfd < 0)
		die(EXIT_FILES, "cannot create a temporary file: %s", strerror(errno));
	unlink(errname);
	if (pipe(outp) != 0)
		die(EXIT_FILES, "cannot create a pipe: %s", strerror(errno));
	argv[n++] = py;
	if (pyarg != NULL)
		argv[n++] = pyarg;
	argv[n++] = "-c";
	argv[n++] = helper_py;
	argv[n++] = config;
	argv[n] = NULL;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die(EXIT_FILES, "cannot start %s: %s", py, strerror(errno));
	if (pid == 0)
	{
		dup2(outp[1], 1);
		dup2(errfd, 2);
		close(outp[0]);
		close(outp[1]);
		close(errfd);
		execvp(py, (char *const *) argv);
		_exit(127);
	}
	close(outp[1]);
	read_fd(outp[0], &run->out);
	close(outp[0]);
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			die(EXIT_FILES, "waiting for %s: %s", py, strerror(errno));
	if (WIFEXITED(wstatus))
		run->status = WEXITSTATUS(wstatus);
	if (lseek(errfd, 0, SEEK_SET) == 0)
		read_fd(errfd, &run->err);
	close(errfd);
}

static void
read_fd(int fd, StrBuf *sb)
{
	char		buf[8192];

	for (;;)
	{
		ssize_t		n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sb_putn(sb, buf, n);
	}
}

/* the helper's records into s */
static void
parse_records(const char *data, size_t len, ImportSet *s, char **location)
{
	size_t		pos = 0;
	ImportRev  *r = NULL;

	while (pos < len)
	{
		const char *sp = memchr(data + pos, ' ', len - pos);
		char		tag[32];
		size_t		taglen;
		char	   *end;
		unsigned long vlen;
		char	   *value;

		if (sp == NULL || (taglen = sp - (data + pos)) >= sizeof(tag))
			die(EXIT_FILES, "import alembic: unexpected output from the helper");
		memcpy(tag, data + pos, taglen);
		tag[taglen] = '\0';
		errno = 0;
		vlen = strtoul(sp + 1, &end, 10);
		if (errno != 0 || end >= data + len || *end != '\n' ||
			vlen > len - (size_t) (end + 1 - data))
			die(EXIT_FILES, "import alembic: unexpected output from the helper");
		value = xstrndup(end + 1, vlen);
		pos = (end + 1 - data) + vlen + 1;

		if (strcmp(tag, "LOCATION") == 0)
		{
			free(*location);
			*location = value;
			continue;
		}
		if (strcmp(tag, "REV") == 0)
		{
			r = importset_add(s, value);
			free(value);
			continue;
		}
		if (r == NULL)
			die(EXIT_FILES, "import alembic: unexpected output from the helper");
		if (strcmp(tag, "DOWN") == 0)
			split_words(value, &r->down);
		else if (strcmp(tag, "LABELS") == 0)
			split_words(value, &r->labels);
		else if (strcmp(tag, "DEPENDS") == 0)
			split_words(value, &r->depends);
		else if (strcmp(tag, "MESSAGE") == 0)
		{
			r->message = value;
			value = NULL;
		}
		else if (strcmp(tag, "PATH") == 0)
		{
			r->origin = value;
			value = NULL;
		}
		else if (strcmp(tag, "UP") == 0)
		{
			r->upgrade = value;
			value = NULL;
		}
		else if (strcmp(tag, "DOWNGRADE") == 0)
		{
			r->downgrade = value;
			value = NULL;
		}
		else if (strcmp(tag, "UP_ERROR") == 0)
		{
			r->up_problem = value;
			value = NULL;
		}
		else if (strcmp(tag, "DOWNGRADE_ERROR") == 0)
		{
			r->down_problem = value;
			value = NULL;
		}
		else if (strcmp(tag, "SOURCE") == 0)
		{
			r->quoted = value;
			value = NULL;
		}
		else if (strcmp(tag, "END") == 0)
		{
			if (r->origin == NULL)
				r->origin = xstrdup(r->id);
			if (r->message != NULL)
			{
				char	   *nl = strpbrk(r->message, "\r\n");

				if (nl != NULL)
					*nl = '\0';
			}
			r = NULL;
		}
		free(value);
	}
	if (r != NULL)
		die(EXIT_FILES, "import alembic: the helper's output ended early");
}

/* the schemamig files must not go into Alembic's own directory */
static void
check_output_dir(const char *location, const char *dir)
{
	char		a[PATH_MAX];
	char		b[PATH_MAX];
	StrBuf		versions;
	bool		same;

	if (realpath(location, a) == NULL || realpath(dir, b) == NULL)
		return;
	sb_init(&versions);
	sb_printf(&versions, "%s/versions", a);
	same = strcmp(a, b) == 0 || strcmp(versions.data, b) == 0;
	sb_free(&versions);
	if (same)
	{
		cli_error("--dir \"%s\" is Alembic's own directory (script_location %s)",
				  dir, location);
		cli_note("hint", "Write the schemamig files elsewhere, for example --dir schemamig.");
		cli_exit(EXIT_USAGE);
	}
}
