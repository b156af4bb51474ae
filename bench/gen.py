#!/usr/bin/env python3
"""Generate the benchmark's chain of N revisions for each tool.

    gen.py OUTDIR N TOOL...        TOOL: psql schemamig alembic sqitch dbmate

Every tool gets the same logical chain, statement for statement:

  revision i (1..N)   CREATE TABLE t<i> (id bigint PRIMARY KEY, body text);
                      CREATE INDEX t<i>_body_idx ON t<i> (body);
  every 10th, also    ALTER TABLE t<i-9> ADD COLUMN extra text;
                      INSERT INTO t<i-9> ... 100 rows ...;
                      UPDATE t<i-9> SET extra = upper(body);     (backfill)
  downgrade           the reverse, statement by statement.

Python standard library only.
"""
import os
import sys

DQ = "$smigbench$"   # dollar-quote tag around whole schemamig scripts


def rid(i):
    return "r%05d" % i


def up_statements(i):
    t = "t%05d" % i
    stmts = [
        "CREATE TABLE %s (id bigint PRIMARY KEY, body text);" % t,
        "CREATE INDEX %s_body_idx ON %s (body);" % (t, t),
    ]
    if i % 10 == 0:
        e = "t%05d" % (i - 9)
        stmts += [
            "ALTER TABLE %s ADD COLUMN extra text;" % e,
            "INSERT INTO %s (id, body) SELECT g, 'row ' || g"
            " FROM generate_series(1, 100) AS g;" % e,
            "UPDATE %s SET extra = upper(body);" % e,
        ]
    return stmts


def down_statements(i):
    t = "t%05d" % i
    stmts = []
    if i % 10 == 0:
        e = "t%05d" % (i - 9)
        stmts += [
            "DELETE FROM %s;" % e,
            "ALTER TABLE %s DROP COLUMN extra;" % e,
        ]
    stmts.append("DROP TABLE %s;" % t)
    return stmts


def message(i):
    return ("create t%05d, backfill t%05d" % (i, i - 9)) if i % 10 == 0 \
        else "create t%05d" % i


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def gen_psql(out, n):
    """Raw SQL: the physical limit (psql -1 -f)."""
    up = []
    for i in range(1, n + 1):
        up += up_statements(i)
    down = []
    for i in range(n, 0, -1):
        down += down_statements(i)
    write(os.path.join(out, "up.sql"), "\n".join(up) + "\n")
    write(os.path.join(out, "down.sql"), "\n".join(down) + "\n")


def gen_schemamig(out, n):
    blocks = []
    for i in range(1, n + 1):
        b = ["-- schemamig:revision %s" % rid(i)]
        if i > 1:
            b.append("-- schemamig:down_revision %s" % rid(i - 1))
        b.append("-- schemamig:message %s" % message(i))
        b.append("-- schemamig:upgrade")
        b += up_statements(i)
        b.append("-- schemamig:downgrade")
        b += down_statements(i)
        blocks.append("\n".join(b))
    script = "\n".join(blocks) + "\n"
    assert DQ not in script
    write(os.path.join(out, "script.sql"), script)
    # The whole script goes to the server as one dollar-quoted literal read
    # by psql -f: no argv length limit, no shell in between.
    for fn in ("register", "apply"):
        write(os.path.join(out, fn + ".sql"),
              "SELECT count(*) FROM schemamig.%s(%s\n%s%s);\n"
              % (fn, DQ, script, DQ))


ALEMBIC_INI = """[alembic]
script_location = %(here)s
sqlalchemy.url = {url}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %%(levelname)-5.5s [%%(name)s] %%(message)s
"""

# the env.py of Alembic's "generic" template, online mode only
ALEMBIC_ENV = '''import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
# bench/run.sh names a fresh database for every run
config.set_main_option("sqlalchemy.url", os.environ["BENCH_DB_URL"])

connectable = engine_from_config(
    config.get_section(config.config_ini_section),
    prefix="sqlalchemy.",
    poolclass=pool.NullPool,
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''


def gen_alembic(out, n):
    # env.py takes the URL from $BENCH_DB_URL
    write(os.path.join(out, "alembic.ini"),
          ALEMBIC_INI.replace("{url}", "postgresql://set-by-BENCH_DB_URL"))
    write(os.path.join(out, "env.py"), ALEMBIC_ENV)
    for i in range(1, n + 1):
        down = repr(rid(i - 1)) if i > 1 else "None"
        lines = ['"""%s"""' % message(i),
                 "from alembic import op",
                 "",
                 "revision = %r" % rid(i),
                 "down_revision = %s" % down,
                 "branch_labels = None",
                 "depends_on = None",
                 "",
                 "",
                 "def upgrade():"]
        lines += ["    op.execute(%r)" % s for s in up_statements(i)]
        lines += ["", "", "def downgrade():"]
        lines += ["    op.execute(%r)" % s for s in down_statements(i)]
        write(os.path.join(out, "versions", "%s.py" % rid(i)),
              "\n".join(lines) + "\n")


def gen_sqitch(out, n):
    write(os.path.join(out, "sqitch.conf"),
          "[core]\n\tengine = pg\n\tplan_file = sqitch.plan\n\ttop_dir = .\n"
          "[user]\n\tname = Bench\n\temail = bench@localhost\n")
    plan = ["%syntax-version=1.0.0", "%project=bench", ""]
    for i in range(1, n + 1):
        plan.append("%s 2024-01-01T00:00:00Z Bench <bench@localhost> # %s"
                    % (rid(i), message(i)))
        # the shape of `sqitch add`'s templates: one transaction per change
        write(os.path.join(out, "deploy", rid(i) + ".sql"),
              "-- Deploy bench:%s to pg\n\nBEGIN;\n\n%s\n\nCOMMIT;\n"
              % (rid(i), "\n".join(up_statements(i))))
        write(os.path.join(out, "revert", rid(i) + ".sql"),
              "-- Revert bench:%s from pg\n\nBEGIN;\n\n%s\n\nCOMMIT;\n"
              % (rid(i), "\n".join(down_statements(i))))
    write(os.path.join(out, "sqitch.plan"), "\n".join(plan) + "\n")


def gen_dbmate(out, n):
    for i in range(1, n + 1):
        write(os.path.join(out, "migrations", "%05d_%s.sql" % (i, rid(i))),
              "-- migrate:up\n%s\n\n-- migrate:down\n%s\n"
              % ("\n".join(up_statements(i)), "\n".join(down_statements(i))))


GENERATORS = {"psql": gen_psql, "schemamig": gen_schemamig,
              "alembic": gen_alembic, "sqitch": gen_sqitch,
              "dbmate": gen_dbmate}


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    out, n = argv[1], int(argv[2])
    for tool in argv[3:]:
        if tool not in GENERATORS:
            sys.exit("gen.py: unknown tool %s" % tool)
        GENERATORS[tool](os.path.join(out, tool), n)


if __name__ == "__main__":
    main(sys.argv)
