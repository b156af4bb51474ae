# schemamig: PGXS build
EXTENSION = schemamig
MODULE_big = schemamig
OBJS = src/schemamig.o \
       src/base/session.o src/base/spi.o src/base/subxact.o \
       src/model/script.o src/model/catalog.o src/model/graph.o \
       src/model/targets.o src/model/partial.o \
       src/exec/statements.o src/exec/classify.o src/exec/execute.o \
       src/exec/locks.o src/exec/runner.o src/exec/offline.o \
       src/register/register.o \
       src/lint/lint.o src/lint/findings.o src/lint/facts.o \
       src/lint/rules.o src/lint/rules_table.o src/lint/rules_index.o \
       src/lint/rules_drop.o src/lint/rules_types.o \
       src/schema/describe.o src/schema/snapshot.o src/schema/diff.o \
       src/schema/diff_table.o src/schema/order.o src/schema/render.o \
       src/api/reading.o src/api/run.o src/api/adopt.o src/api/offline.o \
       src/api/schema.o \
       src/schema/drift.o src/schema/audit.o src/api/drift.o \
       src/exec/worker.o src/exec/nontx.o
DATA = sql/schemamig--0.1.sql sql/schemamig--0.1--0.2.sql
# The direct install script of 0.2 (what CREATE EXTENSION runs): the schema
# hand-over of a trusted install (sql/schemamig-prelude.sql), then 0.1's
# script, then the update to 0.2, so a fresh install and an updated one are
# the same by construction.  CREATE EXTENSION drops "\echo" lines.
DATA_built = sql/schemamig--0.2.sql

REGRESS = format register graph running atomicity offline check \
          stamp privileges authorship statements locking migrate lint adopt \
          describe diff upgrade trusted diff_kinds drift nontx lint_nontx diff_online
REGRESS_OPTS = --load-extension=schemamig --encoding=UTF8 --no-locale

ISOLATION = upgrade_vs_upgrade waits reinstall_vs_status migrate_rounds
ISOLATION_OPTS = --inputdir=test --load-extension=schemamig

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow=compatible-local \
            -Wno-missing-field-initializers -Wno-sign-compare

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/schemamig--0.2.sql: sql/schemamig-prelude.sql sql/schemamig--0.1.sql sql/schemamig--0.1--0.2.sql
	cat $^ > $@

# PGXS tracks no header dependencies: rebuild everything when one changes
$(OBJS): $(wildcard src/*.h src/*/*.h)

# The command-line client (cli/): built, installed and cleaned with the
# extension, by its own PGXS makefile (PGXS allows one MODULE_big or PROGRAM
# per makefile).
ifneq ($(wildcard cli/Makefile),)
all: cli
cli:
	$(MAKE) -C cli
install: install-cli
install-cli: cli
	$(MAKE) -C cli install
clean: clean-cli
clean-cli:
	$(MAKE) -C cli clean
.PHONY: cli install-cli clean-cli
endif
