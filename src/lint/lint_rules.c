/*-------------------------------------------------------------------------
 *
 * lint_rules.c
 *	  The linter's rules: one function per statement kind, reading the raw
 *	  parse tree and the catalog of the database the linter runs in.
 *
 * What the catalog adds to the text: whether a table existed before the
 * script (tables the script creates are new, so lock and rewrite rules are
 * waived for them), its size (severity scales with it), the old type of a
 * column whose type changes (and PostgreSQL's own coercion, with the
 * support functions that make some changes free), whether a default is
 * volatile, whether a validated CHECK already proves NOT NULL, what
 * depends on a column, and leftover invalid indexes.
 *
 * Sizes come from pg_class (reltuples) and the relation's real length,
 * read only when an ACCESS SHARE lock is free at once: the linter never
 * queues behind a migration.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/transam.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/tablecmds.h"
#include "common/keywords.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/gramparse.h"
#include "parser/parse_type.h"
#include "parser/scanner.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/lockdefs.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "model/catalog.h"
#include "lint/lint.h"

/* size classes: "large" tables make lock and rewrite findings errors */
#define LINT_LARGE_ROWS 1000000.0
#define LINT_LARGE_BLOCKS ((BlockNumber) (1024 * 1024 * 1024 / BLCKSZ))

/* a relation a statement names, with what the catalog says of it */
typedef struct LintRel
{
	const char *display;		/* quoted, as written */
	const char *relname;
	bool		is_new;			/* created earlier in the run */
	Oid			oid;			/* InvalidOid: not in this database */
	char		relkind;
	double		rows;			/* estimate; < 0 unknown */
	double		blocks;			/* < 0 unknown */
} LintRel;

/* an FK whose referencing columns want an index (L022) */
typedef struct LintFk
{
	SmigStatement *stmt;
	char	   *table;			/* relname */
	Oid			oid;			/* the table, when it pre-exists */
	char	   *column;			/* first referencing column */
	char	   *display;
} LintFk;

static void lint_create(LintState *st, CreateStmt *stmt);
static void lint_alter_table(LintState *st, AlterTableStmt *stmt);
static void lint_add_column(LintState *st, LintRel *rel, ColumnDef *col);
static void lint_alter_type(LintState *st, LintRel *rel, AlterTableCmd *cmd);
static void lint_set_not_null(LintState *st, LintRel *rel, const char *column);
static void lint_add_constraint(LintState *st, LintRel *rel, Constraint *con);
static void lint_drop_column(LintState *st, LintRel *rel, AlterTableCmd *cmd);
static void lint_index(LintState *st, IndexStmt *stmt);
static void lint_drop(LintState *st, DropStmt *stmt);
static void lint_truncate(LintState *st, TruncateStmt *stmt);
static void lint_dml(LintState *st, RangeVar *relation, Node *where,
					 const char *verb);
static void lint_rename(LintState *st, RenameStmt *stmt);
static void lint_enum(LintState *st, AlterEnumStmt *stmt);
static void lint_enum_use(LintState *st, Node *tree);
static bool statement_uses_type(LintState *st, Node *tree, const char *type);
static void lint_column_type(LintState *st, const char *column,
							 TypeName *type);
static void lint_fk(LintState *st, LintRel *rel, Constraint *con,
					const char *column);

static void rel_of(LintState *st, RangeVar *rv, LintRel *rel);
static void rel_size(LintRel *rel);
static bool is_created(LintState *st, RangeVar *rv);
static void add_created(LintState *st, RangeVar *rv);
static const char *size_severity(LintRel *rel);
static char *describe(LintRel *rel);
static char *size_text(double blocks);
static bool has_rows(LintRel *rel);
static char *display_name(const char *schema, const char *name);
static const char *lock_name(LOCKMODE mode);
static char *column_dependents(Oid relid, AttrNumber attnum,
							   bool for_type_change);
static char *relation_dependents(Oid relid);
static bool not_null_proven(LintState *st, LintRel *rel, const char *column,
							AttrNumber attnum);
static bool type_change_rewrites(Oid oldtype, int32 oldmod, Oid collation,
								 Oid newtype, int32 newmod, bool *no_cast);
static bool type_change_narrows(Oid oldtype, int32 oldmod, Oid newtype,
								int32 newmod);
static bool default_is_volatile(Node *raw_default, TypeName *type);
static bool calls_volatile_function(Node *node, void *context);
static bool is_user_function(Oid f, void *context);
static bool calls_user_function(Node *node, void *context);
static bool collect_column_names(Node *node, void *context);
static const char *type_last_name(TypeName *type);
static bool is_serial(const char *name);
static char *insert_after_keyword(const char *sql, const char *keyword,
								  const char *text);
static bool is_ident_char(char c);
static char *key(const char *a, const char *b);
static bool list_has(List *list, const char *s);

/*
 * smig_lint_statement
 *		Run the rules that apply to one raw parse tree.
 */
void
smig_lint_statement(LintState *st, Node *tree)
{
	if (tree == NULL)
		return;

	switch (nodeTag(tree))
	{
		case T_CreateStmt:
			lint_create(st, (CreateStmt *) tree);
			break;
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *ctas = (CreateTableAsStmt *) tree;

				if (ctas->into == NULL || ctas->into->rel == NULL)
					break;
				if (ctas->if_not_exists &&
					OidIsValid(RangeVarGetRelid(ctas->into->rel, NoLock, true)) &&
					!is_created(st, ctas->into->rel))
					break;
				add_created(st, ctas->into->rel);
			}
			break;
		case T_SelectStmt:
			if (((SelectStmt *) tree)->intoClause != NULL)
				add_created(st, ((SelectStmt *) tree)->intoClause->rel);
			break;
		case T_ViewStmt:
			add_created(st, ((ViewStmt *) tree)->view);
			break;
		case T_AlterTableStmt:
			lint_alter_table(st, (AlterTableStmt *) tree);
			break;
		case T_IndexStmt:
			lint_index(st, (IndexStmt *) tree);
			break;
		case T_DropStmt:
			lint_drop(st, (DropStmt *) tree);
			break;
		case T_TruncateStmt:
			lint_truncate(st, (TruncateStmt *) tree);
			break;
		case T_UpdateStmt:
			{
				UpdateStmt *upd = (UpdateStmt *) tree;
				ListCell   *a;

				lint_dml(st, upd->relation, upd->whereClause, "UPDATE");
				/* P012: SET a = 1, a = 2 */
				foreach(a, upd->targetList)
				{
					ResTarget  *ra = lfirst(a);
					ListCell   *b;

					for_each_from(b, upd->targetList, foreach_current_index(a) + 1)
					{
						ResTarget  *rb = lfirst(b);

						CHECK_FOR_INTERRUPTS();
						if (ra->name && rb->name && strcmp(ra->name, rb->name) == 0 &&
							ra->indirection == NIL && rb->indirection == NIL)
						{
							smig_lint_report(st, "P012", LINT_ERROR,
											 psprintf("column \"%s\" is assigned twice: PostgreSQL refuses the UPDATE (multiple assignments to same column)", ra->name),
											 "Assign each column once.");
							goto done_p012;
						}
					}
				}
		done_p012:
				break;
			}
		case T_DeleteStmt:
			lint_dml(st, ((DeleteStmt *) tree)->relation,
					 ((DeleteStmt *) tree)->whereClause, "DELETE");
			break;
		case T_RenameStmt:
			lint_rename(st, (RenameStmt *) tree);
			break;
		case T_AlterEnumStmt:
			lint_enum(st, (AlterEnumStmt *) tree);
			break;
		case T_CreateEnumStmt:
			st->created_types =
				lappend(st->created_types,
						pstrdup(strVal(llast(((CreateEnumStmt *) tree)->typeName))));
			break;
		case T_ReindexStmt:
			{
				ReindexStmt *r = (ReindexStmt *) tree;
				LintRel		rel;
				const char *sev;

				if (r->relation == NULL || st->stmt->refused != NULL ||
					(r->kind != REINDEX_OBJECT_TABLE &&
					 r->kind != REINDEX_OBJECT_INDEX))
					break;
				rel_of(st, r->relation, &rel);
				if ((sev = size_severity(&rel)) == NULL)
					break;
				st->stmt_slow = true;
				smig_lint_report(st, "L013", sev,
								 psprintf("REINDEX of %s blocks writes to the table (SHARE lock) and takes ACCESS EXCLUSIVE on each index while it is rebuilt: reads that use it wait too", describe(&rel)),
								 psprintf("Run it outside schemamig, where it can be concurrent: REINDEX %s CONCURRENTLY %s;",
										  r->kind == REINDEX_OBJECT_TABLE ? "TABLE" : "INDEX",
										  rel.display));
			}
			break;
		case T_ClusterStmt:
			{
				ClusterStmt *c = (ClusterStmt *) tree;
				LintRel		rel;
				const char *sev;

				if (c->relation == NULL)
					break;
				rel_of(st, c->relation, &rel);
				if ((sev = size_severity(&rel)) == NULL)
					break;
				st->stmt_slow = true;
				smig_lint_report(st, "L015", sev,
								 psprintf("CLUSTER rewrites %s under an ACCESS EXCLUSIVE lock: no reads or writes until it ends", describe(&rel)),
								 "Do not cluster in a migration; if the table must be compacted, use an online tool (pg_repack) outside schemamig.");
			}
			break;
		case T_LockStmt:
			{
				LockStmt   *l = (LockStmt *) tree;
				ListCell   *lc;

				foreach(lc, l->relations)
				{
					LintRel		rel;
					const char *sev;

					rel_of(st, lfirst(lc), &rel);
					if ((sev = size_severity(&rel)) == NULL)
						continue;
					if (l->mode >= ExclusiveLock)
					{
						smig_lint_report(st, "L019", LINT_WARNING,
										 psprintf("LOCK TABLE %s IN %s MODE blocks %s until the revision commits",
												  describe(&rel), lock_name(l->mode),
												  l->mode == AccessExclusiveLock ? "every query on it" : "every write to it"),
										 "Let the statements that need the lock take it themselves, as late as possible; schemamig.lock_timeout then bounds the wait.");
						if (l->mode == AccessExclusiveLock && st->held_table == NULL)
						{
							st->held_table = pstrdup(rel.display);
							st->held_line = st->stmt->line;
						}
					}
					else
						smig_lint_report(st, "L019", LINT_INFO,
										 psprintf("LOCK TABLE %s IN %s MODE", describe(&rel), lock_name(l->mode)),
										 "Let the statements that need the lock take it themselves.");
				}
			}
			break;
		case T_RefreshMatViewStmt:
			{
				RefreshMatViewStmt *r = (RefreshMatViewStmt *) tree;
				LintRel		rel;
				const char *sev;

				if (r->concurrent)
					break;
				rel_of(st, r->relation, &rel);
				if ((sev = size_severity(&rel)) == NULL)
					break;
				st->stmt_slow = true;
				smig_lint_report(st, "L024", sev,
								 psprintf("REFRESH MATERIALIZED VIEW %s takes an ACCESS EXCLUSIVE lock on it: no reads until the query has run again", describe(&rel)),
								 psprintf("Use REFRESH MATERIALIZED VIEW CONCURRENTLY %s; (it needs a unique index on the view, without WHERE, and lets reads go on).", rel.display));
			}
			break;
		case T_AlterDomainStmt:
			{
				AlterDomainStmt *d = (AlterDomainStmt *) tree;
				Constraint *con = (Constraint *) d->def;

				if (d->subtype == 'C' && con != NULL && IsA(con, Constraint) &&
					con->contype == CONSTR_CHECK && !con->skip_validation)
				{
					char	   *name = strVal(llast(d->typeName));

					if (list_has(st->created_types, name))
						break;
					smig_lint_report(st, "L017", LINT_WARNING,
									 psprintf("ALTER DOMAIN %s ADD CONSTRAINT checks every value of every column of that domain, holding a SHARE lock on each of their tables", NameListToString(d->typeName)),
									 psprintf("Add it as NOT VALID, then in a later revision: ALTER DOMAIN %s VALIDATE CONSTRAINT %s;",
											  NameListToString(d->typeName),
											  con->conname ? quote_identifier(con->conname) : "<name>"));
				}
			}
			break;
		case T_CreateDomainStmt:
			{
				CreateDomainStmt *d = (CreateDomainStmt *) tree;

				st->created_types = lappend(st->created_types,
											pstrdup(strVal(llast(d->domainname))));
			}
			break;
		case T_VariableSetStmt:
			{
				VariableSetStmt *v = (VariableSetStmt *) tree;

				if (v->name == NULL)
					break;
				if (strcmp(v->name, "lock_timeout") == 0)
					smig_lint_report(st, "T004", LINT_WARNING,
									 "SET lock_timeout in a revision overrides schemamig.lock_timeout for the statements after it: a lock wait is no longer bounded and retried by schemamig",
									 "Remove it; set schemamig.lock_timeout (and lock_retries) for the session that runs the upgrade instead.");
				else if (strcmp(v->name, "statement_timeout") == 0)
					smig_lint_report(st, "T005", LINT_INFO,
									 "SET statement_timeout in a revision overrides schemamig.statement_timeout for the statements after it",
									 "Set schemamig.statement_timeout for the session that runs the upgrade instead.");
			}
			break;
		default:
			break;
	}

	if (st->enum_values != NIL && !IsA(tree, AlterEnumStmt))
		lint_enum_use(st, tree);
}

/*
 * smig_lint_end_section
 *		Rules decided at the end of a section, when all of its statements
 *		are known: L022 (an index created after the FK counts).
 */
void
smig_lint_end_section(LintState *st)
{
	ListCell   *lc;

	foreach(lc, st->fk_checks)
	{
		LintFk	   *fk = lfirst(lc);
		bool		indexed = list_has(st->script_indexes, key(fk->table, fk->column));

		CHECK_FOR_INTERRUPTS();
		if (!indexed && OidIsValid(fk->oid))
		{
			Oid			types[2] = {OIDOID, TEXTOID};
			Datum		values[2];

			values[0] = ObjectIdGetDatum(fk->oid);
			values[1] = CStringGetTextDatum(fk->column);
			smig_spi_exec("SELECT 1 FROM pg_catalog.pg_index i"
						  " JOIN pg_catalog.pg_attribute a"
						  " ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid"
						  " AND a.attnum OPERATOR(pg_catalog.=) i.indkey[0]"
						  " WHERE i.indrelid OPERATOR(pg_catalog.=) $1"
						  " AND a.attname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
						  " AND i.indisvalid LIMIT 1",
						  2, types, values, NULL, true, SPI_OK_SELECT);
			indexed = SPI_processed > 0;
		}
		if (!indexed)
		{
			st->stmt = fk->stmt;
			smig_lint_report(st, "L022", LINT_WARNING,
							 psprintf("no index leads with the referencing column \"%s\" of %s: each UPDATE or DELETE of a referenced row scans the whole table",
									  fk->column, fk->display),
							 psprintf("Add one: CREATE INDEX ON %s (%s);",
									  fk->display, quote_identifier(fk->column)));
		}
	}
	st->stmt = NULL;
	st->fk_checks = NIL;
}

/* CREATE TABLE: a new table; column types, FKs, duplicate columns */
static void
lint_create(LintState *st, CreateStmt *stmt)
{
	LintRel		rel;
	ListCell   *lc;

	/* IF NOT EXISTS of a table that is there: a no-op, the table stays old */
	rel_of(st, stmt->relation, &rel);
	if (stmt->if_not_exists && !rel.is_new && OidIsValid(rel.oid))
		return;
	add_created(st, stmt->relation);
	rel_of(st, stmt->relation, &rel);
	foreach(lc, stmt->tableElts)
	{
		Node	   *elt = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		if (IsA(elt, ColumnDef))
		{
			ColumnDef  *col = (ColumnDef *) elt;
			ListCell   *cc;
			ListCell   *other;

			lint_column_type(st, col->colname, col->typeName);
			foreach(cc, col->constraints)
			{
				Constraint *con = lfirst(cc);

				if (con->contype == CONSTR_FOREIGN)
					lint_fk(st, &rel, con, col->colname);
				else if (con->contype == CONSTR_PRIMARY ||
						 con->contype == CONSTR_UNIQUE)
					st->script_indexes = lappend(st->script_indexes,
												 key(rel.relname, col->colname));
			}
			for_each_from(other, stmt->tableElts, foreach_current_index(lc) + 1)
			{
				ColumnDef  *o = lfirst(other);

				if (IsA(o, ColumnDef) && o->colname && col->colname &&
					strcmp(o->colname, col->colname) == 0)
				{
					smig_lint_report(st, "P012", LINT_ERROR,
									 psprintf("column \"%s\" is defined twice: PostgreSQL refuses the CREATE TABLE", col->colname),
									 "Define each column once.");
					break;
				}
			}
		}
		else if (IsA(elt, Constraint))
		{
			Constraint *con = (Constraint *) elt;

			if (con->contype == CONSTR_FOREIGN && con->fk_attrs != NIL)
				lint_fk(st, &rel, con, strVal(linitial(con->fk_attrs)));
			else if ((con->contype == CONSTR_PRIMARY ||
					  con->contype == CONSTR_UNIQUE) && con->keys != NIL)
				st->script_indexes = lappend(st->script_indexes,
											 key(rel.relname, strVal(linitial(con->keys))));
		}
	}
}

/* the column's type: P001-P007 */
static void
lint_column_type(LintState *st, const char *column, TypeName *type)
{
	const char *name = type_last_name(type);
	const char *col = column ? column : "?";

	if (name == NULL)
		return;
	if (strcmp(name, "int4") == 0 || strcmp(name, "serial") == 0 ||
		strcmp(name, "serial4") == 0)
		smig_lint_report(st, "P001", LINT_INFO,
						 psprintf("column \"%s\" is a 32-bit integer: ids and counters run out at 2147483647, and widening it later rewrites the table", col),
						 "Use bigint (or bigint GENERATED ALWAYS AS IDENTITY).");
	if (strcmp(name, "int2") == 0 || strcmp(name, "smallserial") == 0 ||
		strcmp(name, "serial2") == 0)
		smig_lint_report(st, "P002", LINT_INFO,
						 psprintf("column \"%s\" is a 16-bit integer: it runs out at 32767, and widening it later rewrites the table", col),
						 "Use bigint, or integer where the range is known to be small.");
	if (is_serial(name))
		smig_lint_report(st, "P003", LINT_INFO,
						 psprintf("column \"%s\" is %s: its sequence has its own owner and privileges", col, name),
						 psprintf("Use an identity column: %s bigint GENERATED ALWAYS AS IDENTITY.", quote_identifier(col)));
	if (strcmp(name, "varchar") == 0 && type->typmods != NIL)
		smig_lint_report(st, "P004", LINT_INFO,
						 psprintf("column \"%s\" is varchar(n): raising the limit later is free, lowering it rewrites, and the limit rarely matches a real rule", col),
						 psprintf("Use text, with a CHECK (char_length(%s) <= n) if a limit is a real rule.", quote_identifier(col)));
	if (strcmp(name, "timestamp") == 0)
		smig_lint_report(st, "P005", LINT_INFO,
						 psprintf("column \"%s\" is timestamp without time zone: values lose their time zone", col),
						 "Use timestamptz (timestamp with time zone).");
	if (strcmp(name, "bpchar") == 0)
		smig_lint_report(st, "P006", LINT_INFO,
						 psprintf("column \"%s\" is char(n): values are padded with spaces", col),
						 "Use text (or varchar) instead.");
	if (strcmp(name, "json") == 0)
		smig_lint_report(st, "P007", LINT_INFO,
						 psprintf("column \"%s\" is json: no equality operator, so DISTINCT, UNIQUE and GROUP BY fail, and it is parsed at every use", col),
						 "Use jsonb.");
}

/* an FK: L007 (lock on the referenced table), and L022 later */
static void
lint_fk(LintState *st, LintRel *rel, Constraint *con, const char *column)
{
	LintRel		ref;
	LintFk	   *fk;

	if (con->pktable != NULL)
	{
		rel_of(st, con->pktable, &ref);
		if (!ref.is_new)
			smig_lint_report(st, "L007", LINT_INFO,
							 psprintf("the foreign key takes a SHARE ROW EXCLUSIVE lock on the referenced table %s until the revision commits: writes to it wait", describe(&ref)),
							 "Keep the revision short; schemamig.lock_timeout bounds the wait for the lock.");
	}
	if (column == NULL)
		return;
	fk = palloc0(sizeof(LintFk));
	fk->stmt = st->stmt;
	fk->table = pstrdup(rel->relname);
	fk->oid = rel->is_new ? InvalidOid : rel->oid;
	fk->column = pstrdup(column);
	fk->display = pstrdup(rel->display);
	st->fk_checks = lappend(st->fk_checks, fk);
}

/* ALTER TABLE: each subcommand, then what the whole statement locks */
static void
lint_alter_table(LintState *st, AlterTableStmt *stmt)
{
	LintRel		rel;
	ListCell   *lc;
	LOCKMODE	mode;
	const char *sev;

	if (stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_MATVIEW &&
		stmt->objtype != OBJECT_FOREIGN_TABLE)
		return;
	rel_of(st, stmt->relation, &rel);
	sev = size_severity(&rel);

	foreach(lc, stmt->cmds)
	{
		AlterTableCmd *cmd = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		switch (cmd->subtype)
		{
			case AT_AddColumn:
				lint_add_column(st, &rel, (ColumnDef *) cmd->def);
				break;
			case AT_AlterColumnType:
				lint_alter_type(st, &rel, cmd);
				break;
			case AT_SetNotNull:
				lint_set_not_null(st, &rel, cmd->name);
				break;
			case AT_DropNotNull:
				if (sev != NULL)
					smig_lint_report(st, "B005", LINT_WARNING,
									 psprintf("DROP NOT NULL on column \"%s\" of %s: code that reads it may now get NULLs", cmd->name, describe(&rel)),
									 "Make sure every reader handles NULL first; deploy that code before this revision.");
				break;
			case AT_DropColumn:
				lint_drop_column(st, &rel, cmd);
				break;
			case AT_AddConstraint:
				lint_add_constraint(st, &rel, (Constraint *) cmd->def);
				break;
			case AT_ValidateConstraint:
				{
					char	   *k = key(rel.relname, cmd->name);
					ListCell   *nc;

					if (list_has(st->not_valid, k))
						smig_lint_report(st, "L021", LINT_WARNING,
										 psprintf("constraint \"%s\" is validated in the revision that added it NOT VALID: the scan runs in the same transaction, so NOT VALID gained nothing", cmd->name),
										 psprintf("Move \"ALTER TABLE %s VALIDATE CONSTRAINT %s;\" to a later revision, and run with CALL schemamig.migrate(), which commits after each revision.",
												  rel.display, quote_identifier(cmd->name)));
					foreach(nc, st->not_null_checks)
					{
						char	   *entry = lfirst(nc);

						if (strncmp(entry, k, strlen(k)) == 0 &&
							entry[strlen(k)] == '\037')
							st->proven = lappend(st->proven,
												 key(rel.relname, entry + strlen(k) + 1));
					}
					if (!list_has(st->not_valid, k) && sev != NULL)
						st->stmt_slow = true;
				}
				break;
			case AT_DropConstraint:
				if (OidIsValid(rel.oid) && !rel.is_new && cmd->name)
				{
					Oid			types[2] = {OIDOID, TEXTOID};
					Datum		values[2];

					values[0] = ObjectIdGetDatum(rel.oid);
					values[1] = CStringGetTextDatum(cmd->name);
					smig_spi_exec("SELECT 1 FROM pg_catalog.pg_constraint"
								  " WHERE conrelid OPERATOR(pg_catalog.=) $1"
								  " AND conname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
								  " AND contype OPERATOR(pg_catalog.=) 'f'",
								  2, types, values, NULL, true, SPI_OK_SELECT);
					if (SPI_processed > 0)
						smig_lint_report(st, "D011", LINT_WARNING,
										 psprintf("dropping foreign key \"%s\" of %s: nothing stops rows that point nowhere from now on", cmd->name, describe(&rel)),
										 "If it is replaced, add the new constraint (NOT VALID, then VALIDATE) before dropping this one.");
				}
				break;
			case AT_SetLogged:
			case AT_SetUnLogged:
			case AT_SetTableSpace:
			case AT_SetAccessMethod:
				if (sev != NULL)
				{
					st->stmt_slow = true;
					smig_lint_report(st, "L016", sev,
									 psprintf("%s rewrites %s under an ACCESS EXCLUSIVE lock: no reads or writes until the copy is done",
											  cmd->subtype == AT_SetLogged ? "SET LOGGED" :
											  cmd->subtype == AT_SetUnLogged ? "SET UNLOGGED" :
											  cmd->subtype == AT_SetTableSpace ? "SET TABLESPACE" : "SET ACCESS METHOD",
											  describe(&rel)),
									 "Do it in a maintenance window, or copy the data into a new table online and swap names.");
				}
				break;
			case AT_AttachPartition:
				{
					PartitionCmd *pc = (PartitionCmd *) cmd->def;
					LintRel		part;
					const char *psev;

					if (pc == NULL || !IsA(pc, PartitionCmd) || pc->name == NULL)
						break;
					rel_of(st, pc->name, &part);
					if ((psev = size_severity(&part)) == NULL)
						break;
					st->stmt_slow = true;
					smig_lint_report(st, "L020", psev,
									 psprintf("ATTACH PARTITION scans %s under an ACCESS EXCLUSIVE lock to check the partition bound, unless a validated CHECK constraint already implies it", describe(&part)),
									 psprintf("First add a CHECK constraint matching the bound to %s as NOT VALID and VALIDATE it (SHARE UPDATE EXCLUSIVE only); then ATTACH skips the scan, and the CHECK can be dropped after.", part.display));
				}
				break;
			case AT_DetachPartition:
				{
					PartitionCmd *pc = (PartitionCmd *) cmd->def;

					if (pc != NULL && IsA(pc, PartitionCmd) && !pc->concurrent &&
						sev != NULL)
						smig_lint_report(st, "L014", sev,
										 psprintf("DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table %s: every query on it waits", describe(&rel)),
										 "Run ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY outside schemamig (it cannot run in a transaction block), then keep the revision for the rest.");
				}
				break;
			default:
				break;
		}
	}

	if (sev == NULL)
		return;

	/*
	 * L023 and L018: what the statement as a whole does.  VALIDATE scans
	 * without blocking writes, and each VALIDATE scans anyway: no L023.
	 */
	foreach(lc, stmt->cmds)
		if (((AlterTableCmd *) lfirst(lc))->subtype != AT_ValidateConstraint)
			break;
	if (lc != NULL && list_has(st->altered, rel.relname) && st->stmt_slow)
		smig_lint_report(st, "L023", LINT_INFO,
						 psprintf("%s is altered by an earlier statement of this section too: each ALTER TABLE takes its lock and may scan or rewrite again", rel.display),
						 "Combine the subcommands into one ALTER TABLE, separated by commas: one lock, at most one scan or rewrite.");
	else
		st->altered = lappend(st->altered, pstrdup(rel.relname));

	mode = AlterTableGetLockLevel(stmt->cmds);
	if (mode == AccessExclusiveLock && st->held_table == NULL &&
		has_rows(&rel))
	{
		st->held_table = pstrdup(rel.display);
		st->held_line = st->stmt->line;
	}
}

/* ADD COLUMN: L001, L002, L003, B006, types, inline constraints */
static void
lint_add_column(LintState *st, LintRel *rel, ColumnDef *col)
{
	const char *sev = size_severity(rel);
	const char *typname;
	Node	   *raw_default;
	bool		not_null;
	bool		generated = false;
	bool		identity;
	bool		serial;
	ListCell   *lc;

	if (col == NULL || !IsA(col, ColumnDef))
		return;
	typname = type_last_name(col->typeName);
	raw_default = col->raw_default;
	not_null = col->is_not_null;
	identity = col->identity != 0;
	serial = typname != NULL && is_serial(typname);
	lint_column_type(st, col->colname, col->typeName);

	foreach(lc, col->constraints)
	{
		Constraint *con = lfirst(lc);

		switch (con->contype)
		{
			case CONSTR_DEFAULT:
				raw_default = con->raw_expr;
				break;
			case CONSTR_NOTNULL:
			case CONSTR_PRIMARY:
				not_null = true;
				break;
			case CONSTR_GENERATED:
				generated = true;
				break;
			case CONSTR_IDENTITY:
				identity = true;
				break;
			case CONSTR_FOREIGN:
				lint_fk(st, rel, con, col->colname);
				break;
			case CONSTR_UNIQUE:
				if (sev != NULL)
				{
					st->stmt_slow = true;
					smig_lint_report(st, "L008", sev,
									 psprintf("ADD COLUMN ... UNIQUE builds an index on %s under an ACCESS EXCLUSIVE lock", describe(rel)),
									 psprintf("Add the column alone; build the index outside schemamig with CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE %s ADD CONSTRAINT ... UNIQUE USING INDEX ...;", rel->display));
				}
				break;
			default:
				break;
		}
	}

	if (sev == NULL)
		return;

	if (generated)
	{
		st->stmt_slow = true;
		smig_lint_report(st, "L002", sev,
						 psprintf("ADD COLUMN \"%s\" ... GENERATED ALWAYS AS ... STORED rewrites %s under an ACCESS EXCLUSIVE lock: every row gets the value computed", col->colname, describe(rel)),
						 psprintf("Add a plain column, fill it in batches, and keep it current with a trigger; or compute it in a view: CREATE VIEW ... AS SELECT ..., <expression> AS %s FROM %s;", quote_identifier(col->colname), rel->display));
	}
	else if (identity || serial)
	{
		st->stmt_slow = true;
		smig_lint_report(st, "L003", sev,
						 psprintf("ADD COLUMN \"%s\" %s rewrites %s under an ACCESS EXCLUSIVE lock: every row gets a value from the sequence", col->colname, identity ? "GENERATED ... AS IDENTITY" : typname, describe(rel)),
						 identity ?
						 psprintf("Add a plain bigint column, fill the old rows in batches, make it NOT NULL (see L005), then ALTER TABLE %s ALTER COLUMN %s ADD GENERATED ALWAYS AS IDENTITY; which rewrites nothing.", rel->display, quote_identifier(col->colname)) :
						 psprintf("Add a plain bigint column, give it a sequence default for new rows (ALTER TABLE %s ALTER COLUMN %s SET DEFAULT nextval(...)), and fill the old rows in batches.", rel->display, quote_identifier(col->colname)));
	}
	else if (raw_default != NULL &&
			 default_is_volatile(raw_default, col->typeName))
	{
		st->stmt_slow = true;
		smig_lint_report(st, "L001", sev,
						 psprintf("ADD COLUMN \"%s\" with a volatile default rewrites %s under an ACCESS EXCLUSIVE lock: the default is computed for every row", col->colname, describe(rel)),
						 psprintf("Add the column without a default, then set the default for new rows and fill the old ones in batches: ALTER TABLE %s ADD COLUMN %s ...; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT ...; UPDATE %s SET %s = ... WHERE <a batch of keys>;",
								  rel->display, quote_identifier(col->colname),
								  rel->display, quote_identifier(col->colname),
								  rel->display, quote_identifier(col->colname)));
	}

	if (not_null && raw_default == NULL && !identity && !serial && !generated)
	{
		if (has_rows(rel))
			smig_lint_report(st, "B006", LINT_ERROR,
							 psprintf("ADD COLUMN \"%s\" NOT NULL without a default fails on %s: its rows would get NULL", col->colname, describe(rel)),
							 psprintf("Give it a constant default (ADD COLUMN %s ... NOT NULL DEFAULT <constant>, which rewrites nothing); or add it nullable, fill it in batches, then add CHECK (%s IS NOT NULL) NOT VALID, VALIDATE it in a later revision and SET NOT NULL (see L005).", quote_identifier(col->colname), quote_identifier(col->colname)));
		else
			smig_lint_report(st, "B006", LINT_WARNING,
							 psprintf("ADD COLUMN \"%s\" NOT NULL without a default on %s: INSERTs of code that does not know the column fail", col->colname, describe(rel)),
							 psprintf("Give it a default (ADD COLUMN %s ... NOT NULL DEFAULT <constant>), or deploy code that fills it first.", quote_identifier(col->colname)));
	}
}

/* ALTER COLUMN TYPE: L004 (rewrite), D010 (narrowing), B009 */
static void
lint_alter_type(LintState *st, LintRel *rel, AlterTableCmd *cmd)
{
	ColumnDef  *def = (ColumnDef *) cmd->def;
	const char *sev = size_severity(rel);
	AttrNumber	attnum;
	Oid			oldtype;
	int32		oldmod;
	Oid			collation;
	Oid			newtype;
	int32		newmod;
	bool		rewrites;
	bool		no_cast = false;
	char	   *deps;
	bool		using_self;

	if (def == NULL || !IsA(def, ColumnDef) || def->typeName == NULL)
		return;
	lint_column_type(st, cmd->name, def->typeName);
	if (sev == NULL || !OidIsValid(rel->oid) || cmd->name == NULL)
		return;
	attnum = get_attnum(rel->oid, cmd->name);
	if (attnum <= 0)
		return;
	get_atttypetypmodcoll(rel->oid, attnum, &oldtype, &oldmod, &collation);
	typenameTypeIdAndMod(NULL, def->typeName, &newtype, &newmod);

	/* USING the column itself is no USING at all */
	using_self = def->raw_default != NULL && IsA(def->raw_default, ColumnRef) &&
		list_length(((ColumnRef *) def->raw_default)->fields) == 1 &&
		IsA(linitial(((ColumnRef *) def->raw_default)->fields), String) &&
		strcmp(strVal(linitial(((ColumnRef *) def->raw_default)->fields)),
			   cmd->name) == 0;

	if (def->raw_default != NULL && !using_self)
		rewrites = true;
	else
		rewrites = type_change_rewrites(oldtype, oldmod, collation,
										newtype, newmod, &no_cast);

	deps = column_dependents(rel->oid, attnum, true);
	if (deps != NULL)
		smig_lint_report(st, "B009", LINT_ERROR,
						 psprintf("the type of column \"%s\" of %s cannot change while other objects use it: %s", cmd->name, rel->display, deps),
						 "Drop the dependent objects in the same revision and create them again after the change.");

	if (type_change_narrows(oldtype, oldmod, newtype, newmod))
		smig_lint_report(st, "D010", LINT_ERROR,
						 psprintf("column \"%s\" of %s narrows from %s to %s: values that do not fit fail the statement, or are rounded",
								  cmd->name, rel->display,
								  format_type_with_typemod(oldtype, oldmod),
								  format_type_with_typemod(newtype, newmod)),
						 psprintf("Check first: SELECT count(*) FROM %s WHERE <value does not fit>; or add a new column of the new type and copy the values that fit.", rel->display));

	if (no_cast)
		return;					/* the server refuses it: nothing to rewrite */
	if (!rewrites)
	{
		Oid			types[2] = {OIDOID, INT2OID};
		Datum		values[2];

		/* no rewrite, but its CHECK constraints are verified again */
		values[0] = ObjectIdGetDatum(rel->oid);
		values[1] = Int16GetDatum(attnum);
		smig_spi_exec("SELECT pg_catalog.string_agg(conname::pg_catalog.text, ', ' ORDER BY conname)"
					  " FROM pg_catalog.pg_constraint"
					  " WHERE conrelid OPERATOR(pg_catalog.=) $1"
					  " AND contype OPERATOR(pg_catalog.=) 'c'"
					  " AND $2 OPERATOR(pg_catalog.=) ANY (conkey)",
					  2, types, values, NULL, true, SPI_OK_SELECT);
		if (SPI_processed == 1)
		{
			char	   *checks = SPI_getvalue(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 1);

			if (checks != NULL)
			{
				st->stmt_slow = true;
				smig_lint_report(st, "L004", sev,
								 psprintf("changing column \"%s\" of %s from %s to %s rewrites nothing, but its CHECK constraints (%s) are verified again by a full scan under an ACCESS EXCLUSIVE lock",
										  cmd->name, describe(rel),
										  format_type_with_typemod(oldtype, oldmod),
										  format_type_with_typemod(newtype, newmod),
										  checks),
								 "Drop the CHECK constraints in the revision, change the type, and add them again as NOT VALID; VALIDATE them in a later revision.");
			}
		}
		return;
	}
	if (rewrites)
	{
		st->stmt_slow = true;
		smig_lint_report(st, "L004", sev,
						 psprintf("changing column \"%s\" of %s from %s to %s rewrites the table and rebuilds its indexes under an ACCESS EXCLUSIVE lock",
								  cmd->name, describe(rel),
								  format_type_with_typemod(oldtype, oldmod),
								  format_type_with_typemod(newtype, newmod)),
						 psprintf("Add a new column of the new type, fill it in batches and keep it current with a trigger, then swap names in one short revision: ALTER TABLE %s ADD COLUMN %s_new %s; ...",
								  rel->display, cmd->name,
								  format_type_with_typemod(newtype, newmod)));
	}
}

/* SET NOT NULL: L005 unless proven by a validated CHECK */
static void
lint_set_not_null(LintState *st, LintRel *rel, const char *column)
{
	const char *sev = size_severity(rel);
	AttrNumber	attnum = InvalidAttrNumber;
	char	   *cname;

	if (sev == NULL || column == NULL)
		return;
	if (list_has(st->proven, key(rel->relname, column)))
		return;
	if (OidIsValid(rel->oid))
	{
		HeapTuple	tuple = SearchSysCacheAttName(rel->oid, column);

		if (HeapTupleIsValid(tuple))
		{
			Form_pg_attribute att = (Form_pg_attribute) GETSTRUCT(tuple);
			bool		already = att->attnotnull;

			attnum = att->attnum;
			ReleaseSysCache(tuple);
			if (already)
				return;			/* a no-op */
		}
		if (attnum > 0 && not_null_proven(st, rel, column, attnum))
			return;
	}
	st->stmt_slow = true;
	cname = psprintf("%s_%s_not_null", rel->relname, column);
	smig_lint_report(st, "L005", sev,
					 psprintf("SET NOT NULL on column \"%s\" scans all of %s under an ACCESS EXCLUSIVE lock to check for NULLs", column, describe(rel)),
					 psprintf("Prove it first with a constraint: ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID; then in a later revision ALTER TABLE %s VALIDATE CONSTRAINT %s; and then SET NOT NULL skips the scan (the CHECK can be dropped after).",
							  rel->display, quote_identifier(cname),
							  quote_identifier(column), rel->display,
							  quote_identifier(cname)));
}

/* ADD CONSTRAINT: L006, L007, L008, L009, L010, L022; notes for L021 */
static void
lint_add_constraint(LintState *st, LintRel *rel, Constraint *con)
{
	const char *sev = size_severity(rel);
	const char *name;

	if (con == NULL || !IsA(con, Constraint))
		return;
	name = con->conname ? quote_identifier(con->conname) : "<name>";

	if (con->contype == CONSTR_FOREIGN)
		lint_fk(st, rel, con, con->fk_attrs ? strVal(linitial(con->fk_attrs)) : NULL);
	else if ((con->contype == CONSTR_PRIMARY || con->contype == CONSTR_UNIQUE) &&
			 con->keys != NIL)
		st->script_indexes = lappend(st->script_indexes,
									 key(rel->relname, strVal(linitial(con->keys))));

	if (con->skip_validation && con->conname != NULL)
	{
		st->not_valid = lappend(st->not_valid, key(rel->relname, con->conname));
		/* CHECK (col IS NOT NULL) NOT VALID: a proof once validated */
		if (con->contype == CONSTR_CHECK && con->raw_expr != NULL &&
			IsA(con->raw_expr, NullTest) &&
			((NullTest *) con->raw_expr)->nulltesttype == IS_NOT_NULL &&
			IsA(((NullTest *) con->raw_expr)->arg, ColumnRef))
		{
			ColumnRef  *cr = (ColumnRef *) ((NullTest *) con->raw_expr)->arg;

			if (list_length(cr->fields) == 1 && IsA(linitial(cr->fields), String))
				st->not_null_checks =
					lappend(st->not_null_checks,
							psprintf("%s\037%s",
									 key(rel->relname, con->conname),
									 strVal(linitial(cr->fields))));
		}
	}

	if (sev == NULL)
		return;

	switch (con->contype)
	{
		case CONSTR_CHECK:
		case CONSTR_FOREIGN:
			if (!con->skip_validation)
			{
				st->stmt_slow = true;
				smig_lint_report(st, "L006", sev,
								 psprintf("adding %s constraint %s validates every row of %s while holding its %s lock",
										  con->contype == CONSTR_CHECK ? "CHECK" : "FOREIGN KEY",
										  name, describe(rel),
										  con->contype == CONSTR_CHECK ? "ACCESS EXCLUSIVE" : "SHARE ROW EXCLUSIVE"),
								 psprintf("Add it with NOT VALID (new rows are checked at once), then in a later revision: ALTER TABLE %s VALIDATE CONSTRAINT %s; which takes only SHARE UPDATE EXCLUSIVE.",
										  rel->display, name));
			}
			break;
		case CONSTR_UNIQUE:
			if (con->indexname == NULL)
			{
				StringInfoData cols;
				ListCell   *kc;
				const char *idx = quote_identifier(psprintf("%s_idx", con->conname ? con->conname : rel->relname));

				initStringInfo(&cols);
				foreach(kc, con->keys)
					appendStringInfo(&cols, "%s%s", cols.len ? ", " : "",
									 quote_identifier(strVal(lfirst(kc))));
				st->stmt_slow = true;
				smig_lint_report(st, "L008", sev,
								 psprintf("ADD CONSTRAINT %s UNIQUE builds its index on %s under an ACCESS EXCLUSIVE lock", name, describe(rel)),
								 psprintf("Build the index outside schemamig: CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s); then in the revision: ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s;",
										  idx, rel->display, cols.len ? cols.data : "...",
										  rel->display, name, idx));
			}
			break;
		case CONSTR_PRIMARY:
			if (con->indexname == NULL)
			{
				st->stmt_slow = true;
				smig_lint_report(st, "L009", sev,
								 psprintf("ADD PRIMARY KEY builds its index on %s under an ACCESS EXCLUSIVE lock, and scans for NULLs in columns not yet NOT NULL", describe(rel)),
								 psprintf("Build the index outside schemamig: CREATE UNIQUE INDEX CONCURRENTLY %s_pkey_idx ON %s (...); make the columns NOT NULL with a validated CHECK first (see L005); then: ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY USING INDEX %s_pkey_idx;",
										  rel->relname, rel->display, rel->display,
										  con->conname ? name : quote_identifier(psprintf("%s_pkey", rel->relname)),
										  rel->relname));
			}
			else if (OidIsValid(rel->oid))
			{
				Oid			types[2] = {OIDOID, TEXTOID};
				Datum		values[2];

				/* USING INDEX: the columns must become NOT NULL: a scan */
				values[0] = ObjectIdGetDatum(rel->oid);
				values[1] = CStringGetTextDatum(con->indexname);
				smig_spi_exec("SELECT a.attname::pg_catalog.text"
							  " FROM pg_catalog.pg_class c"
							  " JOIN pg_catalog.pg_index i ON i.indexrelid OPERATOR(pg_catalog.=) c.oid"
							  " JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid"
							  " AND a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey)"
							  " WHERE i.indrelid OPERATOR(pg_catalog.=) $1"
							  " AND c.relname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
							  " AND NOT a.attnotnull ORDER BY a.attnum LIMIT 1",
							  2, types, values, NULL, true, SPI_OK_SELECT);
				if (SPI_processed > 0)
				{
					char	   *col = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

					st->stmt_slow = true;
					smig_lint_report(st, "L009", sev,
									 psprintf("ADD PRIMARY KEY USING INDEX makes column \"%s\" NOT NULL, which scans all of %s under an ACCESS EXCLUSIVE lock", col, describe(rel)),
									 psprintf("Make the column NOT NULL first, proven by a validated CHECK (%s IS NOT NULL) constraint (see L005).", quote_identifier(col)));
				}
			}
			break;
		case CONSTR_EXCLUSION:
			st->stmt_slow = true;
			smig_lint_report(st, "L010", sev,
							 psprintf("ADD EXCLUDE builds its index on %s under an ACCESS EXCLUSIVE lock; an exclusion constraint has no online way to be added", describe(rel)),
							 "Add it while the table is new or small, or in a maintenance window.");
			break;
		default:
			break;
	}
}

/* DROP COLUMN: D002, and B009 / D007 for what depends on it */
static void
lint_drop_column(LintState *st, LintRel *rel, AlterTableCmd *cmd)
{
	char	   *deps = NULL;
	AttrNumber	attnum;

	if (size_severity(rel) == NULL || cmd->name == NULL)
		return;
	if (OidIsValid(rel->oid) && (attnum = get_attnum(rel->oid, cmd->name)) > 0)
		deps = column_dependents(rel->oid, attnum, false);

	smig_lint_report(st, "D002", has_rows(rel) ? LINT_ERROR : LINT_WARNING,
					 psprintf("DROP COLUMN \"%s\" of %s loses its data, and running code that still names the column fails", cmd->name, describe(rel)),
					 "Deploy code that no longer uses the column first; drop it in a later release (keep a copy if the data may be needed: CREATE TABLE ... AS SELECT key, column FROM ...).");
	if (deps != NULL)
	{
		if (cmd->behavior == DROP_CASCADE)
			smig_lint_report(st, "D007", LINT_ERROR,
							 psprintf("CASCADE also drops: %s", deps),
							 "Drop the dependent objects explicitly, so that the revision says what it removes (and its downgrade can create them again).");
		else
			smig_lint_report(st, "B009", LINT_ERROR,
							 psprintf("DROP COLUMN \"%s\" fails: other objects depend on it: %s", cmd->name, deps),
							 "Drop or change the dependent objects first, in the same revision.");
	}
}

/* CREATE INDEX: L011, T008, P009 */
static void
lint_index(LintState *st, IndexStmt *stmt)
{
	LintRel		rel;
	const char *sev;

	if (stmt->relation == NULL)
		return;
	rel_of(st, stmt->relation, &rel);
	/* an index the script makes is new: dropping it is no surprise */
	if (stmt->idxname != NULL)
		add_created(st, makeRangeVar(stmt->relation->schemaname,
									 stmt->idxname, -1));
	if (stmt->indexParams != NIL)
	{
		IndexElem  *first = linitial(stmt->indexParams);

		if (first->name != NULL)
			st->script_indexes = lappend(st->script_indexes,
										 key(rel.relname, first->name));
	}
	if (!stmt->unique && list_length(stmt->indexParams) > 3)
		smig_lint_report(st, "P009", LINT_INFO,
						 psprintf("a non-unique index of %d columns: it is large and slow to keep up, and rarely used beyond its first columns", list_length(stmt->indexParams)),
						 "Index the leading columns the queries filter on (usually 1 to 3).");

	/* T008: IF NOT EXISTS keeps an index left invalid by a failed build */
	if (stmt->if_not_exists && stmt->idxname != NULL && OidIsValid(rel.oid))
	{
		Oid			nsp = get_rel_namespace(rel.oid);
		Oid			idx = get_relname_relid(stmt->idxname, nsp);

		if (OidIsValid(idx))
		{
			HeapTuple	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(idx));

			if (HeapTupleIsValid(tuple))
			{
				bool		valid = ((Form_pg_index) GETSTRUCT(tuple))->indisvalid;

				ReleaseSysCache(tuple);
				if (!valid)
					smig_lint_report(st, "T008", LINT_ERROR,
									 psprintf("index \"%s\" exists but is invalid (a CREATE INDEX CONCURRENTLY failed): IF NOT EXISTS keeps it, and queries never use it", stmt->idxname),
									 psprintf("Drop it first: DROP INDEX CONCURRENTLY %s; then build it again.", quote_identifier(stmt->idxname)));
			}
		}
	}

	if (stmt->concurrent || (sev = size_severity(&rel)) == NULL)
		return;
	/* IF NOT EXISTS of an index that is there (built CONCURRENTLY): no-op */
	if (stmt->if_not_exists && stmt->idxname != NULL && OidIsValid(rel.oid) &&
		OidIsValid(get_relname_relid(stmt->idxname,
									 get_rel_namespace(rel.oid))))
		return;
	st->stmt_slow = true;
	if (stmt->idxname != NULL)
	{
		char	   *concurrently = insert_after_keyword(st->stmt->sql, "index",
														stmt->if_not_exists ? "CONCURRENTLY" : "CONCURRENTLY IF NOT EXISTS");
		char	   *guarded = stmt->if_not_exists ? st->stmt->sql :
			insert_after_keyword(st->stmt->sql, "index", "IF NOT EXISTS");

		smig_lint_report(st, "L011", sev,
						 psprintf("CREATE INDEX on %s takes a SHARE lock: every write to the table waits until the index is built", describe(&rel)),
						 psprintf("Build it outside schemamig first (CONCURRENTLY cannot run in a transaction block): %s; and keep in the revision: %s; which is then a no-op.",
								  concurrently, guarded));
	}
	else
		smig_lint_report(st, "L011", sev,
						 psprintf("CREATE INDEX on %s takes a SHARE lock: every write to the table waits until the index is built", describe(&rel)),
						 "Name the index, build it outside schemamig first with CREATE INDEX CONCURRENTLY IF NOT EXISTS <name> ON ... (it cannot run in a transaction block), and keep CREATE INDEX IF NOT EXISTS <name> ON ... in the revision, which is then a no-op.");
}

/* DROP TABLE / INDEX / SCHEMA / ...: D001, D003, D007, L012 */
static void
lint_drop(LintState *st, DropStmt *stmt)
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
		rel_of(st, rv, &rel);
		if ((sev = size_severity(&rel)) == NULL)
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
				rel_size(&trel);
				sev = size_severity(&trel);
			}
			smig_lint_report(st, "L012", sev,
							 psprintf("DROP INDEX %s takes an ACCESS EXCLUSIVE lock on its table%s: every query on it waits, even a short wait queues everyone behind it",
									  rel.display, OidIsValid(table) ? psprintf(" %s", describe(&trel)) : ""),
							 psprintf("Drop it outside schemamig first: DROP INDEX CONCURRENTLY IF EXISTS %s; and keep DROP INDEX IF EXISTS %s; in the revision, which is then a no-op.",
									  rel.display, rel.display));
			continue;
		}

		if (stmt->behavior == DROP_CASCADE && OidIsValid(rel.oid))
		{
			char	   *deps = relation_dependents(rel.oid);

			if (deps != NULL)
				smig_lint_report(st, "D007", LINT_ERROR,
								 psprintf("CASCADE also drops: %s", deps),
								 "Drop the dependent objects explicitly, so that the revision says what it removes.");
		}
		if (stmt->removeType == OBJECT_TABLE)
			smig_lint_report(st, "D001", has_rows(&rel) ? LINT_ERROR : LINT_WARNING,
							 psprintf("DROP TABLE %s loses its data, and running code that uses it fails", describe(&rel)),
							 psprintf("Stop using the table first; to keep the data for a while, rename it instead: ALTER TABLE %s RENAME TO %s;",
									  rel.display, quote_identifier(psprintf("%s_dropped", rel.relname))));
	}
}

/* TRUNCATE: D005, D006 */
static void
lint_truncate(LintState *st, TruncateStmt *stmt)
{
	ListCell   *lc;

	foreach(lc, stmt->relations)
	{
		LintRel		rel;

		rel_of(st, lfirst(lc), &rel);
		if (size_severity(&rel) == NULL)
			continue;
		smig_lint_report(st, "D005", has_rows(&rel) ? LINT_ERROR : LINT_WARNING,
						 psprintf("TRUNCATE empties %s under an ACCESS EXCLUSIVE lock", describe(&rel)),
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
	rel_of(st, relation, &rel);
	if ((sev = size_severity(&rel)) == NULL)
		return;
	if (has_rows(&rel))
		st->stmt_slow = true;
	if (where != NULL)
		return;
	if (verb[0] == 'D')
		smig_lint_report(st, "D008", has_rows(&rel) ? LINT_ERROR : LINT_WARNING,
						 psprintf("a DELETE without WHERE removes every row of %s", describe(&rel)),
						 "Add the WHERE clause that says which rows go.");
	else
		smig_lint_report(st, "D008", sev,
						 psprintf("an UPDATE without WHERE writes every row of %s in one transaction: each row stays locked until the revision commits, and the table doubles in size until vacuum", describe(&rel)),
						 psprintf("Backfill in batches, outside the revision or over several: UPDATE %s SET ... WHERE <key> BETWEEN <a> AND <b>;", rel.display));
}

/* RENAME: B001, B002, B003 */
static void
lint_rename(LintState *st, RenameStmt *stmt)
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
	rel_of(st, stmt->relation, &rel);
	if (stmt->renameType == OBJECT_TABLE)
	{
		if (rel.is_new)
		{
			RangeVar   *renamed = makeRangeVar(stmt->relation->schemaname,
											   stmt->newname, -1);

			add_created(st, renamed);
			return;
		}
		if (size_severity(&rel) != NULL)
			smig_lint_report(st, "B002", LINT_WARNING,
							 psprintf("renaming table %s to %s breaks running code that uses the old name", rel.display, quote_identifier(stmt->newname)),
							 psprintf("Keep the old name working during the deploy: ALTER TABLE %s RENAME TO %s; CREATE VIEW %s AS SELECT * FROM %s; and drop the view in a later revision.",
									  rel.display, quote_identifier(stmt->newname),
									  rel.display, quote_identifier(stmt->newname)));
	}
	else if (stmt->renameType == OBJECT_COLUMN && size_severity(&rel) != NULL)
		smig_lint_report(st, "B001", LINT_WARNING,
						 psprintf("renaming column \"%s\" of %s to \"%s\" breaks running code that uses the old name", stmt->subname, rel.display, stmt->newname),
						 "Add the new column, write both (trigger) and backfill, move the code to the new name, then drop the old column in a later release.");
}

/* ALTER TYPE ... ADD VALUE / RENAME VALUE: B004, B007, notes for T007 */
static void
lint_enum(LintState *st, AlterEnumStmt *stmt)
{
	char	   *name = strVal(llast(stmt->typeName));

	if (stmt->oldVal != NULL)
	{
		if (!list_has(st->created_types, name))
			smig_lint_report(st, "B004", LINT_WARNING,
							 psprintf("renaming value '%s' of enum %s to '%s': stored rows now read as the new value, and code that writes the old one fails", stmt->oldVal, NameListToString(stmt->typeName), stmt->newVal),
							 "Add the new value, move the code and the rows to it, and stop using the old value (an enum value cannot be dropped).");
		return;
	}
	if (stmt->newVal == NULL || list_has(st->created_types, name))
		return;
	if (stmt->newValNeighbor == NULL)
		smig_lint_report(st, "B007", LINT_INFO,
						 psprintf("value '%s' is added last to enum %s: it sorts after every existing value", stmt->newVal, NameListToString(stmt->typeName)),
						 "If the enum's order matters, say where: ADD VALUE ... BEFORE / AFTER an existing value.");
	st->enum_values = lappend(st->enum_values, pstrdup(stmt->newVal));
	st->enum_value_types = lappend(st->enum_value_types, name);
	st->enum_value_revs = lappend(st->enum_value_revs,
								  (void *) (st->revision ? st->revision : ""));
}

/*
 * T007: a string constant equal to an enum value added earlier, in a
 * statement that names the enum type or writes a table with a column of it.
 */
static void
lint_enum_use(LintState *st, Node *tree)
{
	core_yy_extra_type yyextra;
	core_yyscan_t yyscanner;
	core_YYSTYPE yylval;
	int			yylloc;

	yyscanner = scanner_init(st->stmt->sql, &yyextra, &ScanKeywords,
							 ScanKeywordTokens);
	yyextra.escape_string_warning = false;
	for (;;)
	{
		int			token = core_yylex(&yylval, &yylloc, yyscanner);
		ListCell   *lc;

		CHECK_FOR_INTERRUPTS();
		if (token == 0)
			break;
		if (token != SCONST)
			continue;
		foreach(lc, st->enum_values)
		{
			int			i = foreach_current_index(lc);
			const char *rev = list_nth(st->enum_value_revs, i);
			const char *type = list_nth(st->enum_value_types, i);
			bool		same = strcmp(rev, st->revision ? st->revision : "") == 0;
			char	   *value;

			if (strcmp(lfirst(lc), yylval.str) != 0)
				continue;
			value = pstrdup(yylval.str);
			scanner_finish(yyscanner);
			if (!statement_uses_type(st, tree, type))
				return;
			smig_lint_report(st, "T007", same ? LINT_ERROR : LINT_WARNING,
							 psprintf("the statement uses the value '%s' of enum %s added %s: PostgreSQL refuses a new enum value before the transaction that added it commits (unsafe use of new value)",
									  value, type, same ? "earlier in this revision" : psprintf("by revision \"%s\"", rev)),
							 same ? "Move the statements that use the value to a later revision, and run with CALL schemamig.migrate(), which commits after each revision." :
							 "upgrade() runs all revisions in one transaction, so this fails there: run with CALL schemamig.migrate(), which commits after each revision.");
			return;
		}
	}
	scanner_finish(yyscanner);
}

/*
 * statement_uses_type
 *		Whether the statement names the type (an identifier token equal to
 *		it), or inserts into / updates / deletes from a table that has a
 *		column of a type of that name.
 */
static bool
statement_uses_type(LintState *st, Node *tree, const char *type)
{
	core_yy_extra_type yyextra;
	core_yyscan_t yyscanner;
	core_YYSTYPE yylval;
	int			yylloc;
	bool		named = false;
	RangeVar   *target = NULL;
	List	   *columns = NIL;
	bool		any_column = false;

	yyscanner = scanner_init(st->stmt->sql, &yyextra, &ScanKeywords,
							 ScanKeywordTokens);
	yyextra.escape_string_warning = false;
	for (;;)
	{
		int			token = core_yylex(&yylval, &yylloc, yyscanner);

		CHECK_FOR_INTERRUPTS();
		if (token == 0)
			break;
		if (token == IDENT && strcmp(yylval.str, type) == 0)
		{
			named = true;
			break;
		}
	}
	scanner_finish(yyscanner);
	if (named)
		return true;

	/* the columns the statement writes or compares with */
	if (IsA(tree, InsertStmt))
	{
		InsertStmt *ins = (InsertStmt *) tree;
		ListCell   *lc;

		target = ins->relation;
		foreach(lc, ins->cols)
			columns = lappend(columns, ((ResTarget *) lfirst(lc))->name);
		any_column = (ins->cols == NIL);
	}
	else if (IsA(tree, UpdateStmt))
	{
		UpdateStmt *upd = (UpdateStmt *) tree;
		ListCell   *lc;

		target = upd->relation;
		foreach(lc, upd->targetList)
			columns = lappend(columns, ((ResTarget *) lfirst(lc))->name);
		(void) collect_column_names(upd->whereClause, &columns);
	}
	else if (IsA(tree, DeleteStmt))
	{
		target = ((DeleteStmt *) tree)->relation;
		(void) collect_column_names(((DeleteStmt *) tree)->whereClause, &columns);
	}
	if (target != NULL && (any_column || columns != NIL))
	{
		LintRel		rel;
		Oid			types[3] = {OIDOID, TEXTOID, TEXTARRAYOID};
		Datum		values[3];

		rel_of(st, target, &rel);
		if (!OidIsValid(rel.oid))
			return rel.is_new;	/* cannot tell: a table of the script */
		values[0] = ObjectIdGetDatum(rel.oid);
		values[1] = CStringGetTextDatum(type);
		values[2] = smig_list_to_array(columns);
		smig_spi_exec("SELECT 1 FROM pg_catalog.pg_attribute a"
					  " JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid"
					  " WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attnum OPERATOR(pg_catalog.>) 0"
					  " AND NOT a.attisdropped AND t.typname OPERATOR(pg_catalog.=) $2::pg_catalog.name"
					  " AND (pg_catalog.cardinality($3) OPERATOR(pg_catalog.=) 0"
					  "  OR a.attname::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($3))",
					  3, types, values, NULL, true, SPI_OK_SELECT);
		return SPI_processed > 0;
	}
	return false;
}

/*
 * Catalog facts
 */

/*
 * rel_of
 *		What the run and the catalog know of the relation rv names: new
 *		(created earlier in the run), found (with its size), or unknown.
 *		Takes no lock.
 */
static void
rel_of(LintState *st, RangeVar *rv, LintRel *rel)
{
	memset(rel, 0, sizeof(LintRel));
	rel->relname = rv->relname;
	rel->display = display_name(rv->schemaname, rv->relname);
	rel->rows = -1;
	rel->blocks = -1;
	rel->oid = InvalidOid;
	if (is_created(st, rv))
	{
		rel->is_new = true;
		return;
	}
	if (rv->catalogname != NULL)
		return;					/* cross-database: the server refuses it */
	rel->oid = RangeVarGetRelid(rv, NoLock, true);
	if (OidIsValid(rel->oid))
	{
		rel->relkind = get_rel_relkind(rel->oid);
		rel_size(rel);
	}
}

/*
 * rel_size
 *		rel->rows and rel->blocks of a found relation: the real length of
 *		its files when its ACCESS SHARE lock is free at once, scaled by
 *		pg_class's density (as the planner does), else pg_class alone.  A
 *		partitioned table sums its partitions' pg_class figures.
 */
static void
rel_size(LintRel *rel)
{
	HeapTuple	tuple;
	Form_pg_class cls;
	double		reltuples;
	double		relpages;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(rel->oid));
	if (!HeapTupleIsValid(tuple))
		return;
	cls = (Form_pg_class) GETSTRUCT(tuple);
	reltuples = cls->reltuples;
	relpages = cls->relpages;
	ReleaseSysCache(tuple);

	if (rel->relkind == RELKIND_PARTITIONED_TABLE)
	{
		List	   *parts = find_all_inheritors(rel->oid, NoLock, NULL);
		ListCell   *lc;

		rel->rows = 0;
		rel->blocks = 0;
		foreach(lc, parts)
		{
			HeapTuple	pt = SearchSysCache1(RELOID, ObjectIdGetDatum(lfirst_oid(lc)));

			if (!HeapTupleIsValid(pt))
				continue;
			cls = (Form_pg_class) GETSTRUCT(pt);
			if (cls->reltuples > 0)
				rel->rows += cls->reltuples;
			rel->blocks += cls->relpages;
			ReleaseSysCache(pt);
		}
		return;
	}

	rel->blocks = relpages;
	rel->rows = reltuples;		/* -1: never vacuumed or analyzed */
	if ((rel->relkind == RELKIND_RELATION || rel->relkind == RELKIND_MATVIEW ||
		 rel->relkind == RELKIND_INDEX) &&
		ConditionalLockRelationOid(rel->oid, AccessShareLock))
	{
		Relation	r = try_relation_open(rel->oid, NoLock);

		if (r != NULL)
		{
			BlockNumber blocks = RelationGetNumberOfBlocks(r);

			rel->blocks = blocks;
			if (relpages > 0 && reltuples >= 0)
				rel->rows = reltuples / relpages * blocks;
			else if (blocks == 0)
				rel->rows = 0;
			else
				rel->rows = -1;
			relation_close(r, NoLock);
		}
		UnlockRelationOid(rel->oid, AccessShareLock);
	}
}

/* was rv created earlier in the run? */
static bool
is_created(LintState *st, RangeVar *rv)
{
	LintCreated *c;
	ListCell   *lc;

	if (st->created == NULL || rv == NULL || rv->relname == NULL)
		return false;
	c = hash_search(st->created, rv->relname, HASH_FIND, NULL);
	if (c == NULL)
		return false;
	foreach(lc, c->schemas)
	{
		char	   *schema = lfirst(lc);

		if (schema == NULL || rv->schemaname == NULL ||
			strcmp(schema, rv->schemaname) == 0)
			return true;
	}
	return false;
}

/* remember that the run creates rv (a hash table: long scripts create many) */
static void
add_created(LintState *st, RangeVar *rv)
{
	LintCreated *c;
	bool		found;

	if (rv == NULL || rv->relname == NULL)
		return;
	if (st->created == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = NAMEDATALEN;
		ctl.entrysize = sizeof(LintCreated);
		ctl.hcxt = CurrentMemoryContext;
		st->created = hash_create("schemamig lint created relations", 64,
								  &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	c = hash_search(st->created, rv->relname, HASH_ENTER, &found);
	if (!found)
		c->schemas = NIL;
	c->schemas = lappend(c->schemas,
						 rv->schemaname ? pstrdup(rv->schemaname) : NULL);
}

/*
 * size_severity
 *		The severity of a lock or rewrite finding about rel: NULL (no
 *		finding) when the run created it; info when it is empty; error when
 *		large (a million rows or 1 GB); else warning, also when the table
 *		is not in this database (its size is unknown).
 */
static const char *
size_severity(LintRel *rel)
{
	if (rel->is_new)
		return NULL;
	if (!OidIsValid(rel->oid))
		return LINT_WARNING;
	if (rel->blocks == 0 && rel->rows <= 0)
		return LINT_INFO;
	if (rel->rows >= LINT_LARGE_ROWS || rel->blocks >= LINT_LARGE_BLOCKS)
		return LINT_ERROR;
	return LINT_WARNING;
}

/* may rel hold rows? (unknown: yes) */
static bool
has_rows(LintRel *rel)
{
	if (rel->is_new)
		return false;
	if (!OidIsValid(rel->oid))
		return true;
	return !(rel->blocks == 0 && rel->rows <= 0);
}

/* "orders" (about 120000 rows, 6 MB) */
static char *
describe(LintRel *rel)
{
	if (rel->is_new)
		return psprintf("%s (created by this script)", rel->display);
	if (!OidIsValid(rel->oid))
		return psprintf("%s (not in this database: size unknown)", rel->display);
	if (rel->blocks == 0 && rel->rows <= 0)
		return psprintf("%s (empty here)", rel->display);
	if (rel->rows < 0)
		return psprintf("%s (%s here)", rel->display, size_text(rel->blocks));
	return psprintf("%s (about %.0f rows, %s here)", rel->display,
					rel->rows, size_text(rel->blocks));
}

/* blocks as "8 kB", "12 MB" or "3 GB" */
static char *
size_text(double blocks)
{
	double		kb = blocks * (BLCKSZ / 1024.0);

	if (kb < 1024)
		return psprintf("%.0f kB", kb);
	if (kb < 1024 * 1024)
		return psprintf("%.0f MB", kb / 1024);
	return psprintf("%.0f GB", kb / (1024 * 1024));
}

static char *
display_name(const char *schema, const char *name)
{
	if (schema != NULL)
		return psprintf("%s.%s", quote_identifier(schema), quote_identifier(name));
	return pstrdup(quote_identifier(name));
}

static const char *
lock_name(LOCKMODE mode)
{
	static const char *const names[] = {
		"NO", "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE",
		"SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE",
		"EXCLUSIVE", "ACCESS EXCLUSIVE"
	};

	if (mode < 0 || mode >= lengthof(names))
		return "unknown";
	return names[mode];
}

/*
 * column_dependents
 *		What would stop a column from changing type (for_type_change) or
 *		from being dropped without CASCADE, from pg_depend, as "view v,
 *		generated column g, ...", or NULL.
 *
 * A type change is refused by views and rules, generated columns,
 * policies and trigger definitions that use the column; constraints and
 * indexes are rebuilt.  DROP COLUMN is refused by normal dependents that
 * are not also dropped with the column (the table's own constraints and
 * indexes depend on it automatically too, and go silently).
 */
static char *
column_dependents(Oid relid, AttrNumber attnum, bool for_type_change)
{
	Oid			types[3] = {OIDOID, INT4OID, BOOLOID};
	Datum		values[3];

	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int32GetDatum(attnum);
	values[2] = BoolGetDatum(for_type_change);
	smig_spi_exec("SELECT pg_catalog.string_agg(x.what, ', ' ORDER BY x.what) FROM ("
				  " SELECT DISTINCT CASE"
				  "  WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
				  "  THEN (SELECT 'view ' OPERATOR(pg_catalog.||) r.ev_class::pg_catalog.regclass::pg_catalog.text"
				  "        FROM pg_catalog.pg_rewrite r WHERE r.oid OPERATOR(pg_catalog.=) d.objid)"
				  "  WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
				  "  THEN (SELECT 'generated column ' OPERATOR(pg_catalog.||) a.attname"
				  "        FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a"
				  "        ON a.attrelid OPERATOR(pg_catalog.=) ad.adrelid AND a.attnum OPERATOR(pg_catalog.=) ad.adnum"
				  "        WHERE ad.oid OPERATOR(pg_catalog.=) d.objid)"
				  "  WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
				  "   AND d.objid OPERATOR(pg_catalog.=) $1"
				  "  THEN (SELECT 'generated column ' OPERATOR(pg_catalog.||) a.attname"
				  "        FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) $1"
				  "        AND a.attnum OPERATOR(pg_catalog.=) d.objsubid)"
				  "  ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END AS what"
				  " FROM pg_catalog.pg_depend d"
				  " WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
				  " AND d.refobjid OPERATOR(pg_catalog.=) $1"
				  " AND d.refobjsubid OPERATOR(pg_catalog.=) $2"
				  " AND NOT (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
				  "  AND d.objid OPERATOR(pg_catalog.=) $1 AND d.objsubid OPERATOR(pg_catalog.=) $2)"
				  " AND CASE WHEN $3 THEN"
				  "  d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_rewrite'::pg_catalog.regclass,"
				  "   'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_trigger'::pg_catalog.regclass]::pg_catalog.oid[])"
				  "  OR (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
				  "   AND d.objid OPERATOR(pg_catalog.=) $1)"
				  "  OR (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_attrdef'::pg_catalog.regclass"
				  "   AND EXISTS (SELECT 1 FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_attribute a"
				  "    ON a.attrelid OPERATOR(pg_catalog.=) ad.adrelid AND a.attnum OPERATOR(pg_catalog.=) ad.adnum"
				  "    WHERE ad.oid OPERATOR(pg_catalog.=) d.objid AND a.attgenerated OPERATOR(pg_catalog.<>) ''))"
				  " ELSE d.deptype OPERATOR(pg_catalog.=) 'n'"
				  "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d2"
				  "   WHERE d2.classid OPERATOR(pg_catalog.=) d.classid AND d2.objid OPERATOR(pg_catalog.=) d.objid"
				  "   AND d2.refclassid OPERATOR(pg_catalog.=) d.refclassid"
				  "   AND d2.refobjid OPERATOR(pg_catalog.=) $1"
				  "   AND d2.refobjsubid OPERATOR(pg_catalog.=) ANY (ARRAY[0, $2])"
				  "   AND d2.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'))"
				  " END) x",
				  3, types, values, NULL, true, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* what DROP ... CASCADE of a relation would take along, or NULL */
static char *
relation_dependents(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];

	values[0] = ObjectIdGetDatum(relid);
	smig_spi_exec("SELECT pg_catalog.string_agg(x.what, ', ' ORDER BY x.what) FROM ("
				  " SELECT DISTINCT CASE WHEN d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
				  "  THEN (SELECT 'view ' OPERATOR(pg_catalog.||) r.ev_class::pg_catalog.regclass::pg_catalog.text"
				  "        FROM pg_catalog.pg_rewrite r WHERE r.oid OPERATOR(pg_catalog.=) d.objid)"
				  "  ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END AS what"
				  " FROM pg_catalog.pg_depend d"
				  " WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
				  " AND d.refobjid OPERATOR(pg_catalog.=) $1"
				  " AND d.deptype OPERATOR(pg_catalog.=) 'n'"
				  " AND NOT (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
				  "  AND EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite r WHERE r.oid OPERATOR(pg_catalog.=) d.objid"
				  "   AND r.ev_class OPERATOR(pg_catalog.=) $1))"
				  " ) x",
				  1, types, values, NULL, true, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * not_null_proven
 *		Whether the table's validated CHECK constraints imply that column is
 *		not null, as ALTER TABLE's own test does (PostgreSQL 12 and later):
 *		then SET NOT NULL skips its scan.
 */
static bool
not_null_proven(LintState *st, LintRel *rel, const char *column,
				AttrNumber attnum)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1];
	List	   *checks = NIL;
	NullTest   *test;
	Oid			typid;
	int32		typmod;
	Oid			collid;
	uint64		i;

	values[0] = ObjectIdGetDatum(rel->oid);
	smig_spi_exec("SELECT conbin::pg_catalog.text FROM pg_catalog.pg_constraint"
				  " WHERE conrelid OPERATOR(pg_catalog.=) $1"
				  " AND contype OPERATOR(pg_catalog.=) 'c' AND convalidated",
				  1, types, values, NULL, true, SPI_OK_SELECT);
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *bin = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		Node	   *expr;

		if (bin == NULL)
			continue;
		expr = stringToNode(bin);
		/* inlining a user's SQL function would lock what its body reads */
		if (!calls_user_function(expr, NULL))
			expr = eval_const_expressions(NULL, expr);
		expr = (Node *) canonicalize_qual((Expr *) expr, true);
		checks = list_concat(checks, make_ands_implicit((Expr *) expr));
	}
	if (checks == NIL)
		return false;

	get_atttypetypmodcoll(rel->oid, attnum, &typid, &typmod, &collid);
	test = makeNode(NullTest);
	test->arg = (Expr *) makeVar(1, attnum, typid, typmod, collid, 0);
	test->nulltesttype = IS_NOT_NULL;
	test->argisrow = false;
	test->location = -1;
	return predicate_implied_by(list_make1(test), checks, false);
}

/*
 * type_change_rewrites
 *		Whether ALTER COLUMN TYPE from (oldtype, oldmod) to (newtype,
 *		newmod), without USING, rewrites the table.  Builds the coercion
 *		the server would (assignment cast of the column), simplifies it as
 *		the planner does (support functions drop length coercions that
 *		cannot fail: varchar(10) to varchar(20), numeric(10,2) to
 *		numeric(12,2), ...) and then applies ALTER TABLE's test: nothing is
 *		rewritten when only relabelings of the column remain.  *no_cast is
 *		set when there is no assignment cast (the server refuses it).
 */
static bool
type_change_rewrites(Oid oldtype, int32 oldmod, Oid collation,
					 Oid newtype, int32 newmod, bool *no_cast)
{
	Var		   *var = makeVar(1, 1, oldtype, oldmod, collation, 0);
	Node	   *expr;

	*no_cast = false;
	if (oldtype == newtype && oldmod == newmod)
		return false;
	expr = coerce_to_target_type(NULL, (Node *) var, oldtype, newtype, newmod,
								 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	if (expr == NULL)
	{
		*no_cast = true;
		return true;
	}
	if (calls_user_function(expr, NULL))
		return true;			/* a user's cast: assume it rewrites */
	expr = (Node *) expression_planner((Expr *) expr);

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (IsA(expr, Var) && ((Var *) expr)->varattno == 1)
			return false;
		else if (IsA(expr, RelabelType))
			expr = (Node *) ((RelabelType *) expr)->arg;
		else if (IsA(expr, CoerceToDomain))
		{
			CoerceToDomain *d = (CoerceToDomain *) expr;

			if (DomainHasConstraints(d->resulttype))
				return true;
			expr = (Node *) d->arg;
		}
		else if (IsA(expr, FuncExpr))
		{
			FuncExpr   *f = (FuncExpr *) expr;

			/* timestamp <-> timestamptz: free when the session is in UTC */
			if ((f->funcid == F_TIMESTAMPTZ_TIMESTAMP ||
				 f->funcid == F_TIMESTAMP_TIMESTAMPTZ) &&
				!TimestampTimestampTzRequiresRewrite())
				expr = linitial(f->args);
			else
				return true;
		}
		else
			return true;
	}
}

/*
 * type_change_narrows
 *		Whether a type change can lose or refuse values: a smaller length,
 *		precision or scale of the same type, a narrower integer or float,
 *		numbers to integers, text to a bounded string, a timestamp to a
 *		date.
 */
static bool
type_change_narrows(Oid oldtype, int32 oldmod, Oid newtype, int32 newmod)
{
	if (oldtype == newtype)
	{
		if (newmod < 0 || oldmod == newmod)
			return false;
		if (oldmod < 0)
			return true;
		if (oldtype == NUMERICOID)
		{
			int			op = ((oldmod - VARHDRSZ) >> 16) & 0xffff;
			int			os = (oldmod - VARHDRSZ) & 0xffff;
			int			np = ((newmod - VARHDRSZ) >> 16) & 0xffff;
			int			ns = (newmod - VARHDRSZ) & 0xffff;

			return ns < os || (np - ns) < (op - os);
		}
		return newmod < oldmod;
	}
	switch (newtype)
	{
		case INT2OID:
			return oldtype == INT4OID || oldtype == INT8OID ||
				oldtype == NUMERICOID || oldtype == FLOAT4OID ||
				oldtype == FLOAT8OID;
		case INT4OID:
			return oldtype == INT8OID || oldtype == NUMERICOID ||
				oldtype == FLOAT4OID || oldtype == FLOAT8OID;
		case INT8OID:
			return oldtype == NUMERICOID || oldtype == FLOAT4OID ||
				oldtype == FLOAT8OID;
		case FLOAT4OID:
			return oldtype == FLOAT8OID || oldtype == NUMERICOID ||
				oldtype == INT8OID || oldtype == INT4OID;
		case VARCHAROID:
		case BPCHAROID:
			return newmod >= 0 &&
				(oldtype == TEXTOID || oldtype == VARCHAROID ||
				 oldtype == BPCHAROID) &&
				(oldmod < 0 || newmod < oldmod);
		case DATEOID:
			return oldtype == TIMESTAMPOID || oldtype == TIMESTAMPTZOID;
		default:
			return false;
	}
}

/*
 * default_is_volatile
 *		Whether a column default, analysed as the server would, contains a
 *		volatile function: then ADD COLUMN cannot store it once as the
 *		"missing" value and rewrites the table.  A default on a domain with
 *		constraints counts as volatile: it rewrites too.
 */
static bool
default_is_volatile(Node *raw_default, TypeName *type)
{
	ParseState *pstate;
	Oid			typid;
	int32		typmod;
	Node	   *expr;

	/*
	 * A call of a function whose every version is volatile (nextval,
	 * random, ...) is volatile whatever its arguments: decided before the
	 * analysis, which fails on a sequence the script creates.
	 */
	if (calls_volatile_function(raw_default, NULL))
		return true;

	pstate = make_parsestate(NULL);
	typenameTypeIdAndMod(pstate, type, &typid, &typmod);
	if (get_typtype(typid) == TYPTYPE_DOMAIN && DomainHasConstraints(typid))
		return true;
	expr = transformExpr(pstate, copyObject(raw_default), EXPR_KIND_COLUMN_DEFAULT);
	expr = coerce_to_target_type(pstate, expr, exprType(expr), typid, typmod,
								 COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, -1);
	free_parsestate(pstate);
	if (expr == NULL)
		return false;			/* the server refuses it */
	return contain_volatile_functions(expr);
}

/*
 * collect_column_names
 *		raw_expression_tree_walker callback: append the last name of each
 *		ColumnRef to *context (a List **).
 */
static bool
collect_column_names(Node *node, void *context)
{
	List	  **names = (List **) context;

	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, ColumnRef))
	{
		Node	   *last = llast(((ColumnRef *) node)->fields);

		if (IsA(last, String))
			*names = lappend(*names, strVal(last));
		return false;
	}
	return raw_expression_tree_walker(node, collect_column_names, context);
}

/* is f a user's function (not built in)? */
static bool
is_user_function(Oid f, void *context)
{
	return f >= FirstNormalObjectId;
}

/*
 * calls_user_function
 *		expression_tree_walker callback: whether an analysed expression
 *		calls a function that is not built in.  The planner's simplification
 *		would inline such a SQL function, parsing its body, which takes
 *		(and may wait for) locks on what it reads.
 */
static bool
calls_user_function(Node *node, void *context)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (check_functions_in_node(node, is_user_function, context))
		return true;
	return expression_tree_walker(node, calls_user_function, context);
}

/*
 * calls_volatile_function
 *		raw_expression_tree_walker callback: true at a function call whose
 *		name only has volatile versions in pg_proc.
 */
static bool
calls_volatile_function(Node *node, void *context)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, FuncCall))
	{
		FuncCall   *fc = (FuncCall *) node;
		Node	   *last = llast(fc->funcname);
		Oid			types[1] = {TEXTOID};
		Datum		values[1];

		if (IsA(last, String))
		{
			values[0] = CStringGetTextDatum(strVal(last));
			smig_spi_exec("SELECT pg_catalog.bool_and(provolatile OPERATOR(pg_catalog.=) 'v')"
						  " FROM pg_catalog.pg_proc"
						  " WHERE proname OPERATOR(pg_catalog.=) $1::pg_catalog.name",
						  1, types, values, NULL, true, SPI_OK_SELECT);
			if (SPI_processed == 1)
			{
				bool		isnull;
				Datum		v = SPI_getbinval(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 1, &isnull);

				if (!isnull && DatumGetBool(v))
					return true;
			}
		}
	}
	return raw_expression_tree_walker(node, calls_volatile_function, context);
}

/* the type's own name ("int4", "varchar", "serial"), or NULL */
static const char *
type_last_name(TypeName *type)
{
	Node	   *last;

	if (type == NULL || type->names == NIL || type->arrayBounds != NIL)
		return NULL;
	last = llast(type->names);
	return IsA(last, String) ? strVal(last) : NULL;
}

static bool
is_serial(const char *name)
{
	return strcmp(name, "serial") == 0 || strcmp(name, "serial4") == 0 ||
		strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0 ||
		strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0;
}

/*
 * insert_after_keyword
 *		sql with text inserted after its first token that is the (lower
 *		case) keyword, found by the core scanner; sql unchanged if none.
 */
static char *
insert_after_keyword(const char *sql, const char *keyword, const char *text)
{
	core_yy_extra_type yyextra;
	core_yyscan_t yyscanner;
	core_YYSTYPE yylval;
	int			yylloc;
	int			at = -1;

	yyscanner = scanner_init(sql, &yyextra, &ScanKeywords, ScanKeywordTokens);
	yyextra.escape_string_warning = false;
	for (;;)
	{
		int			token = core_yylex(&yylval, &yylloc, yyscanner);

		CHECK_FOR_INTERRUPTS();
		if (token == 0)
			break;
		/* an unquoted keyword: its text, not followed by an ident char */
		if (pg_strncasecmp(sql + yylloc, keyword, strlen(keyword)) == 0 &&
			!is_ident_char(sql[yylloc + strlen(keyword)]))
		{
			at = yylloc + strlen(keyword);
			break;
		}
	}
	scanner_finish(yyscanner);
	if (at < 0)
		return pstrdup(sql);
	return psprintf("%.*s %s%s", at, sql, text, sql + at);
}

/* may c continue an unquoted identifier? (the scanner's ident_cont) */
static bool
is_ident_char(char c)
{
	unsigned char u = (unsigned char) c;

	return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
		(u >= '0' && u <= '9') || u == '_' || u == '$' || IS_HIGHBIT_SET(u);
}

/* "a\037b": a key of two names */
static char *
key(const char *a, const char *b)
{
	return psprintf("%s\037%s", a, b);
}

static bool
list_has(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(lfirst(lc), s) == 0)
		return true;
	return false;
}
