/*-------------------------------------------------------------------------
 *
 * rules_drop.c
 *	  The linter's rules about losing data or breaking running code: DROP
 *	  (D001, D003, D007, L012), TRUNCATE (D005, D006), UPDATE and DELETE
 *	  without WHERE (D008, and P012 for a column assigned twice), RENAME
 *	  (B001, B002, B003).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"

#include "base/spi.h"
#include "lint/rules.h"

static char *index_rebuild_sql(Oid index);
static void lint_dml(LintState *st, RangeVar *relation, Node *where,
					 const char *verb);

/* DROP TABLE / INDEX / SCHEMA / ...: D001, D003, D007, L012 */
void
smig_lint_drop(LintState *st, DropStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->objects)
	{
		Node	   *obj = lfirst(lc);
		List	   *names = NIL;
		RangeVar   *rv;
		LintRel		rel;
		const char *sev;

		CHECK_FOR_INTERRUPTS();
		if (stmt->removeType == OBJECT_SCHEMA)
		{
			char	   *schema = strVal(obj);
			Oid			nsp = get_namespace_oid(schema, true);
			Oid			types[1] = {OIDOID};
			Datum		values[1];
			int64		tables = 0;

			if (!OidIsValid(nsp))
				continue;
			values[0] = ObjectIdGetDatum(nsp);
			smig_spi_exec("SELECT pg_catalog.count(*) FROM pg_catalog.pg_class"
						  " WHERE relnamespace OPERATOR(pg_catalog.=) $1"
						  " AND relkind OPERATOR(pg_catalog.=) ANY ('{r,p,m}')",
						  1, types, values, NULL, true, SPI_OK_SELECT);
			if (SPI_processed == 1)
			{
				bool		isnull;

				tables = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
													 SPI_tuptable->tupdesc, 1,
													 &isnull));
			}
			smig_lint_report(st, "D003", tables > 0 ? LINT_ERROR : LINT_WARNING,
							 psprintf("DROP SCHEMA %s%s", quote_identifier(schema),
									  tables > 0 ?
									  psprintf(" CASCADE drops its %lld table%s and their data", (long long) tables, tables == 1 ? "" : "s") :
									  ": code that names it breaks"),
							 "Drop the objects one by one, each in the revision that stops using it.");
			continue;
		}
		if (stmt->removeType != OBJECT_TABLE && stmt->removeType != OBJECT_INDEX &&
			stmt->removeType != OBJECT_VIEW && stmt->removeType != OBJECT_MATVIEW)
			continue;
		names = (List *) obj;
		rv = makeRangeVarFromNameList(names);
		smig_lint_rel_of(st, rv, &rel);
		if ((sev = smig_lint_size_severity(&rel)) == NULL)
			continue;

		/* DROP ... IF EXISTS of what is not there: a no-op */
		if (!rel.is_new && !OidIsValid(rel.oid) && stmt->missing_ok)
			continue;
		if (stmt->removeType == OBJECT_INDEX)
		{
			Oid			table = OidIsValid(rel.oid) ? IndexGetRelation(rel.oid, true) : InvalidOid;
			LintRel		trel = rel;

			if (stmt->concurrent)
				continue;
			if (OidIsValid(table))
			{
				trel.oid = table;
				trel.display = quote_identifier(get_rel_name(table));
				trel.relkind = get_rel_relkind(table);
				smig_lint_rel_size(&trel);
				sev = smig_lint_size_severity(&trel);
			}
			smig_lint_report(st, "L012", sev,
							 psprintf("DROP INDEX %s takes an ACCESS EXCLUSIVE lock on its table%s: every query on it waits, even a short wait queues everyone behind it",
									  rel.display, OidIsValid(table) ? psprintf(" %s", smig_lint_describe(&trel)) : ""),
							 smig_lint_nontx_hint(st, "Drop it CONCURRENTLY, so that queries go on",
												  psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;", rel.display),
												  OidIsValid(table) ? index_rebuild_sql(rel.oid) : NULL));
			continue;
		}

		if (stmt->behavior == DROP_CASCADE && OidIsValid(rel.oid))
		{
			char	   *deps = smig_lint_relation_dependents(rel.oid);

			if (deps != NULL)
				smig_lint_report(st, "D007", LINT_ERROR,
								 psprintf("CASCADE also drops: %s", deps),
								 "Drop the dependent objects explicitly, so that the revision says what it removes.");
		}
		if (stmt->removeType == OBJECT_TABLE)
			smig_lint_report(st, "D001", smig_lint_has_rows(&rel) ? LINT_ERROR : LINT_WARNING,
							 psprintf("DROP TABLE %s loses its data, and running code that uses it fails", smig_lint_describe(&rel)),
							 psprintf("Stop using the table first; to keep the data for a while, rename it instead: ALTER TABLE %s RENAME TO %s;",
									  rel.display, quote_identifier(psprintf("%s_dropped", rel.relname))));
	}
}

/*
 * index_rebuild_sql
 *		The statement that builds index again, CONCURRENTLY (for the
 *		downgrade section of the hint of L012), or NULL.
 */
static char *
index_rebuild_sql(Oid index)
{
	char	   *def = pg_get_indexdef_string(index);
	char	   *at = def ? strstr(def, " INDEX ") : NULL;

	if (at == NULL)
		return NULL;
	at += strlen(" INDEX ");
	return psprintf("%.*sCONCURRENTLY %s;", (int) (at - def), def, at);
}

/* TRUNCATE: D005, D006 */
void
smig_lint_truncate(LintState *st, TruncateStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		LintRel		rel;

		smig_lint_rel_of(st, lfirst(lc), &rel);
		if (smig_lint_size_severity(&rel) == NULL)
			continue;
		smig_lint_report(st, "D005", smig_lint_has_rows(&rel) ? LINT_ERROR : LINT_WARNING,
						 psprintf("TRUNCATE empties %s under an ACCESS EXCLUSIVE lock", smig_lint_describe(&rel)),
						 "Delete only the rows the migration means to remove, with a WHERE clause.");
		if (stmt->behavior == DROP_CASCADE && OidIsValid(rel.oid))
		{
			Oid			types[1] = {OIDOID};
			Datum		values[1];

			values[0] = ObjectIdGetDatum(rel.oid);
			smig_spi_exec("SELECT pg_catalog.string_agg(DISTINCT c.conrelid::pg_catalog.regclass::pg_catalog.text, ', ')"
						  " FROM pg_catalog.pg_constraint c"
						  " WHERE c.confrelid OPERATOR(pg_catalog.=) $1"
						  " AND c.contype OPERATOR(pg_catalog.=) 'f'"
						  " AND c.conrelid OPERATOR(pg_catalog.<>) $1",
						  1, types, values, NULL, true, SPI_OK_SELECT);
			if (SPI_processed == 1)
			{
				char	   *tables = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

				smig_lint_report(st, "D006", LINT_ERROR,
								 psprintf("TRUNCATE ... CASCADE also empties every table with a foreign key to %s%s", rel.display,
										  tables ? psprintf(": %s", tables) : ""),
								 "Name each table to empty, without CASCADE.");
			}
		}
	}
}

/* UPDATE / DELETE without WHERE: D008 */
static void
lint_dml(LintState *st, RangeVar *relation, Node *where, const char *verb)
{
	LintRel		rel;
	const char *sev;

	if (relation == NULL)
		return;
	smig_lint_rel_of(st, relation, &rel);
	if ((sev = smig_lint_size_severity(&rel)) == NULL)
		return;
	if (smig_lint_has_rows(&rel))
		st->stmt_slow = true;
	if (where != NULL)
		return;
	if (verb[0] == 'D')
		smig_lint_report(st, "D008", smig_lint_has_rows(&rel) ? LINT_ERROR : LINT_WARNING,
						 psprintf("a DELETE without WHERE removes every row of %s", smig_lint_describe(&rel)),
						 "Add the WHERE clause that says which rows go.");
	else
		smig_lint_report(st, "D008", sev,
						 psprintf("an UPDATE without WHERE writes every row of %s in one transaction: each row stays locked until the revision commits, and the table doubles in size until vacuum", smig_lint_describe(&rel)),
						 psprintf("Backfill in batches, outside the revision or over several: UPDATE %s SET ... WHERE <key> BETWEEN <a> AND <b>;", rel.display));
}


/* UPDATE: D008, and P012 for SET a = 1, a = 2 */
void
smig_lint_update(LintState *st, UpdateStmt *stmt)
{
	ListCell   *a;

	lint_dml(st, stmt->relation, stmt->whereClause, "UPDATE");
	foreach(a, stmt->targetList)
	{
		ResTarget  *ra = lfirst(a);
		ListCell   *b;

		for_each_from(b, stmt->targetList, foreach_current_index(a) + 1)
		{
			ResTarget  *rb = lfirst(b);

			CHECK_FOR_INTERRUPTS();
			if (ra->name && rb->name && strcmp(ra->name, rb->name) == 0 &&
				ra->indirection == NIL && rb->indirection == NIL)
			{
				smig_lint_report(st, "P012", LINT_ERROR,
								 psprintf("column \"%s\" is assigned twice: PostgreSQL refuses the UPDATE (multiple assignments to same column)", ra->name),
								 "Assign each column once.");
				return;
			}
		}
	}
}

/* DELETE: D008 */
void
smig_lint_delete(LintState *st, DeleteStmt *stmt)
{
	lint_dml(st, stmt->relation, stmt->whereClause, "DELETE");
}

/* RENAME: B001, B002, B003 */
void
smig_lint_rename(LintState *st, RenameStmt *stmt)
{
	LintRel		rel;

	if (stmt->renameType == OBJECT_SCHEMA)
	{
		if (stmt->subname && OidIsValid(get_namespace_oid(stmt->subname, true)))
			smig_lint_report(st, "B003", LINT_WARNING,
							 psprintf("renaming schema %s breaks every query and function that names it", quote_identifier(stmt->subname)),
							 "Move objects one by one, or keep the old name working with views during the switch.");
		return;
	}
	if (stmt->relation == NULL)
		return;
	smig_lint_rel_of(st, stmt->relation, &rel);
	if (stmt->renameType == OBJECT_TABLE)
	{
		if (rel.is_new)
		{
			RangeVar   *renamed = makeRangeVar(stmt->relation->schemaname,
											   stmt->newname, -1);

			smig_lint_add_created(st, renamed);
			return;
		}
		if (smig_lint_size_severity(&rel) != NULL)
			smig_lint_report(st, "B002", LINT_WARNING,
							 psprintf("renaming table %s to %s breaks running code that uses the old name", rel.display, quote_identifier(stmt->newname)),
							 psprintf("Keep the old name working during the deploy: ALTER TABLE %s RENAME TO %s; CREATE VIEW %s AS SELECT * FROM %s; and drop the view in a later revision.",
									  rel.display, quote_identifier(stmt->newname),
									  rel.display, quote_identifier(stmt->newname)));
	}
	else if (stmt->renameType == OBJECT_COLUMN && smig_lint_size_severity(&rel) != NULL)
		smig_lint_report(st, "B001", LINT_WARNING,
						 psprintf("renaming column \"%s\" of %s to \"%s\" breaks running code that uses the old name", stmt->subname, rel.display, stmt->newname),
						 "Add the new column, write both (trigger) and backfill, move the code to the new name, then drop the old column in a later release.");
}

