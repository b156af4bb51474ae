/*-------------------------------------------------------------------------
 *
 * rules_table.c
 *	  The linter's table rules: CREATE TABLE and ALTER TABLE, subcommand
 *	  by subcommand (columns added, retyped, made NOT NULL or dropped;
 *	  constraints added, validated or dropped; partitions; rewrites), the
 *	  column type practices (P001-P007) and foreign keys (L007, L022).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_type.h"
#include "commands/tablecmds.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "base/spi.h"
#include "lint/rules.h"

/* an FK whose referencing columns want an index (L022) */
typedef struct LintFk
{
	SmigStatement *stmt;
	char	   *table;			/* relname */
	Oid			oid;			/* the table, when it pre-exists */
	char	   *column;			/* first referencing column */
	char	   *display;
} LintFk;

static void lint_add_column(LintState *st, LintRel *rel, ColumnDef *col);
static void lint_alter_type(LintState *st, LintRel *rel, AlterTableCmd *cmd);
static void lint_set_not_null(LintState *st, LintRel *rel, const char *column,
							  const char *what);
static void lint_add_constraint(LintState *st, LintRel *rel, Constraint *con);
static void lint_drop_column(LintState *st, LintRel *rel, AlterTableCmd *cmd);
static void lint_column_type(LintState *st, const char *column,
							 TypeName *type);
static void lint_fk(LintState *st, LintRel *rel, Constraint *con,
					const char *column);

/* CREATE TABLE: a new table; column types, FKs, duplicate columns */
void
smig_lint_create(LintState *st, CreateStmt *stmt)
{
	LintRel		rel;
	ListCell   *lc;

	/* IF NOT EXISTS of a table that is there: a no-op, the table stays old */
	smig_lint_rel_of(st, stmt->relation, &rel);
	if (stmt->if_not_exists && !rel.is_new && OidIsValid(rel.oid))
		return;
	smig_lint_add_created(st, stmt->relation);
	smig_lint_rel_of(st, stmt->relation, &rel);
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
												 smig_lint_key(rel.relname, col->colname));
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
											 smig_lint_key(rel.relname, strVal(linitial(con->keys))));
		}
	}
}

/* the column's type: P001-P007 */
static void
lint_column_type(LintState *st, const char *column, TypeName *type)
{
	const char *name = smig_lint_type_last_name(type);
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
	if (smig_lint_is_serial(name))
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
		smig_lint_rel_of(st, con->pktable, &ref);
		if (!ref.is_new)
			smig_lint_report(st, "L007", LINT_INFO,
							 psprintf("the foreign key takes a SHARE ROW EXCLUSIVE lock on the referenced table %s until the revision commits: writes to it wait", smig_lint_describe(&ref)),
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

/*
 * smig_lint_fk_indexes
 *		L022, at the end of a section: the foreign keys it added whose
 *		referencing column leads no index (one the section creates after
 *		the FK counts).
 */
void
smig_lint_fk_indexes(LintState *st)
{
	ListCell   *lc;

	foreach(lc, st->fk_checks)
	{
		LintFk	   *fk = lfirst(lc);
		bool		indexed = smig_lint_list_has(st->script_indexes, smig_lint_key(fk->table, fk->column));

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

/* ALTER TABLE: each subcommand, then what the whole statement locks */
void
smig_lint_alter_table(LintState *st, AlterTableStmt *stmt)
{
	LintRel		rel;
	ListCell   *lc;
	LOCKMODE	mode;
	const char *sev;

	if (stmt->objtype != OBJECT_TABLE && stmt->objtype != OBJECT_MATVIEW &&
		stmt->objtype != OBJECT_FOREIGN_TABLE)
		return;
	smig_lint_rel_of(st, stmt->relation, &rel);
	sev = smig_lint_size_severity(&rel);

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
				lint_set_not_null(st, &rel, cmd->name, "SET NOT NULL");
				break;
			case AT_DropNotNull:
				if (sev != NULL)
					smig_lint_report(st, "B005", LINT_WARNING,
									 psprintf("DROP NOT NULL on column \"%s\" of %s: code that reads it may now get NULLs", cmd->name, smig_lint_describe(&rel)),
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
					char	   *k = smig_lint_key(rel.relname, cmd->name);
					ListCell   *nc;

					if (!st->nontx && smig_lint_list_has(st->not_valid, k))
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
												 smig_lint_key(rel.relname, entry + strlen(k) + 1));
					}
					if (!smig_lint_list_has(st->not_valid, k) && sev != NULL)
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
										 psprintf("dropping foreign key \"%s\" of %s: nothing stops rows that point nowhere from now on", cmd->name, smig_lint_describe(&rel)),
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
											  smig_lint_describe(&rel)),
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
					smig_lint_rel_of(st, pc->name, &part);
					if ((psev = smig_lint_size_severity(&part)) == NULL)
						break;
					st->stmt_slow = true;
					smig_lint_report(st, "L020", psev,
									 psprintf("ATTACH PARTITION scans %s under an ACCESS EXCLUSIVE lock to check the partition bound, unless a validated CHECK constraint already implies it", smig_lint_describe(&part)),
									 psprintf("First add a CHECK constraint matching the bound to %s as NOT VALID and VALIDATE it (SHARE UPDATE EXCLUSIVE only); then ATTACH skips the scan, and the CHECK can be dropped after.", part.display));
				}
				break;
			case AT_DetachPartition:
				{
					PartitionCmd *pc = (PartitionCmd *) cmd->def;

					if (pc != NULL && IsA(pc, PartitionCmd) && !pc->concurrent &&
						sev != NULL)
						smig_lint_report(st, "L014", sev,
										 psprintf("DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table %s: every query on it waits", smig_lint_describe(&rel)),
										 smig_lint_nontx_hint(st, "Detach it CONCURRENTLY, so that queries go on",
															  pc->name ?
															  psprintf("ALTER TABLE %s DETACH PARTITION %s CONCURRENTLY;",
																	   rel.display,
																	   quote_qualified_identifier(pc->name->schemaname, pc->name->relname)) :
															  "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY;",
															  NULL));
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
	if (lc != NULL && smig_lint_list_has(st->altered, rel.relname) && st->stmt_slow)
		smig_lint_report(st, "L023", LINT_INFO,
						 psprintf("%s is altered by an earlier statement of this section too: each ALTER TABLE takes its lock and may scan or rewrite again", rel.display),
						 "Combine the subcommands into one ALTER TABLE, separated by commas: one lock, at most one scan or rewrite.");
	else
		st->altered = lappend(st->altered, pstrdup(rel.relname));

	mode = AlterTableGetLockLevel(stmt->cmds);
	if (mode == AccessExclusiveLock && st->held_table == NULL &&
		smig_lint_has_rows(&rel))
	{
		st->held_table = pstrdup(rel.display);
		st->held_line = st->stmt->line;
	}
}

/* ADD COLUMN: L001, L002, L003, B006, types, inline constraints */
static void
lint_add_column(LintState *st, LintRel *rel, ColumnDef *col)
{
	const char *sev = smig_lint_size_severity(rel);
	const char *typname;
	Node	   *raw_default;
	bool		not_null;
	bool		generated = false;
	bool		identity;
	bool		serial;
	ListCell   *lc;

	if (col == NULL || !IsA(col, ColumnDef))
		return;
	typname = smig_lint_type_last_name(col->typeName);
	raw_default = col->raw_default;
	not_null = col->is_not_null;
	identity = col->identity != 0;
	serial = typname != NULL && smig_lint_is_serial(typname);
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
					const char *unique_name = quote_identifier(con->conname ? con->conname :
															   psprintf("%s_%s_key", rel->relname, col->colname));

					st->stmt_slow = true;
					smig_lint_report(st, "L008", sev,
									 psprintf("ADD COLUMN ... UNIQUE builds an index on %s under an ACCESS EXCLUSIVE lock", smig_lint_describe(rel)),
									 smig_lint_nontx_hint(st, "Add the column alone; then build its index CONCURRENTLY (writes go on) and make it the constraint",
														  psprintf("CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s);\nALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s;",
																   unique_name, rel->display, quote_identifier(col->colname),
																   rel->display, unique_name, unique_name),
														  psprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s;",
																   rel->display, unique_name)));
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
						 psprintf("ADD COLUMN \"%s\" ... GENERATED ALWAYS AS ... STORED rewrites %s under an ACCESS EXCLUSIVE lock: every row gets the value computed", col->colname, smig_lint_describe(rel)),
						 psprintf("Add a plain column, fill it in batches, and keep it current with a trigger; or compute it in a view: CREATE VIEW ... AS SELECT ..., <expression> AS %s FROM %s;", quote_identifier(col->colname), rel->display));
	}
	else if (identity || serial)
	{
		st->stmt_slow = true;
		smig_lint_report(st, "L003", sev,
						 psprintf("ADD COLUMN \"%s\" %s rewrites %s under an ACCESS EXCLUSIVE lock: every row gets a value from the sequence", col->colname, identity ? "GENERATED ... AS IDENTITY" : typname, smig_lint_describe(rel)),
						 identity ?
						 psprintf("Add a plain bigint column, fill the old rows in batches, make it NOT NULL (see L005), then ALTER TABLE %s ALTER COLUMN %s ADD GENERATED ALWAYS AS IDENTITY; which rewrites nothing.", rel->display, quote_identifier(col->colname)) :
						 psprintf("Add a plain bigint column, give it a sequence default for new rows (ALTER TABLE %s ALTER COLUMN %s SET DEFAULT nextval(...)), and fill the old rows in batches.", rel->display, quote_identifier(col->colname)));
	}
	else if (raw_default != NULL &&
			 smig_lint_default_is_volatile(raw_default, col->typeName))
	{
		st->stmt_slow = true;
		smig_lint_report(st, "L001", sev,
						 psprintf("ADD COLUMN \"%s\" with a volatile default rewrites %s under an ACCESS EXCLUSIVE lock: the default is computed for every row", col->colname, smig_lint_describe(rel)),
						 psprintf("Add the column without a default, then set the default for new rows and fill the old ones in batches: ALTER TABLE %s ADD COLUMN %s ...; ALTER TABLE %s ALTER COLUMN %s SET DEFAULT ...; UPDATE %s SET %s = ... WHERE <a batch of keys>;",
								  rel->display, quote_identifier(col->colname),
								  rel->display, quote_identifier(col->colname),
								  rel->display, quote_identifier(col->colname)));
	}

	if (not_null && raw_default == NULL && !identity && !serial && !generated)
	{
		if (smig_lint_has_rows(rel))
			smig_lint_report(st, "B006", LINT_ERROR,
							 psprintf("ADD COLUMN \"%s\" NOT NULL without a default fails on %s: its rows would get NULL", col->colname, smig_lint_describe(rel)),
							 psprintf("Give it a constant default (ADD COLUMN %s ... NOT NULL DEFAULT <constant>, which rewrites nothing); or add it nullable, fill it in batches, then add CHECK (%s IS NOT NULL) NOT VALID, VALIDATE it in a later revision and SET NOT NULL (see L005).", quote_identifier(col->colname), quote_identifier(col->colname)));
		else
			smig_lint_report(st, "B006", LINT_WARNING,
							 psprintf("ADD COLUMN \"%s\" NOT NULL without a default on %s: INSERTs of code that does not know the column fail", col->colname, smig_lint_describe(rel)),
							 psprintf("Give it a default (ADD COLUMN %s ... NOT NULL DEFAULT <constant>), or deploy code that fills it first.", quote_identifier(col->colname)));
	}
}

/* ALTER COLUMN TYPE: L004 (rewrite), D010 (narrowing), B009 */
static void
lint_alter_type(LintState *st, LintRel *rel, AlterTableCmd *cmd)
{
	ColumnDef  *def = (ColumnDef *) cmd->def;
	const char *sev = smig_lint_size_severity(rel);
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
		rewrites = smig_lint_type_change_rewrites(oldtype, oldmod, collation,
										newtype, newmod, &no_cast);

	deps = smig_lint_column_dependents(rel->oid, attnum, true);
	if (deps != NULL)
		smig_lint_report(st, "B009", LINT_ERROR,
						 psprintf("the type of column \"%s\" of %s cannot change while other objects use it: %s", cmd->name, rel->display, deps),
						 "Drop the dependent objects in the same revision and create them again after the change.");

	if (smig_lint_type_change_narrows(oldtype, oldmod, newtype, newmod))
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
										  cmd->name, smig_lint_describe(rel),
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
								  cmd->name, smig_lint_describe(rel),
								  format_type_with_typemod(oldtype, oldmod),
								  format_type_with_typemod(newtype, newmod)),
						 psprintf("Add a new column of the new type, fill it in batches and keep it current with a trigger, then swap names in one short revision: ALTER TABLE %s ADD COLUMN %s_new %s; ...",
								  rel->display, cmd->name,
								  format_type_with_typemod(newtype, newmod)));
	}
}

/*
 * lint_set_not_null
 *		L005: making column NOT NULL (what: "SET NOT NULL", or on 18 "ADD
 *		CONSTRAINT ... NOT NULL") scans the table under ACCESS EXCLUSIVE,
 *		unless the column is NOT NULL already (a no-op) or a validated
 *		CHECK proves it (the server skips the scan, 12 and later).
 *
 * From PostgreSQL 18 a NOT NULL constraint is catalogued and can be added
 * NOT VALID: the column's attnotnull is then set although nothing was
 * checked, and SET NOT NULL validates it with the same scan; VALIDATE
 * CONSTRAINT does it under SHARE UPDATE EXCLUSIVE only, which is the
 * advice there.  Before 18 no NOT NULL constraint is ever found invalid.
 */
static void
lint_set_not_null(LintState *st, LintRel *rel, const char *column,
				  const char *what)
{
	const char *sev = smig_lint_size_severity(rel);
	AttrNumber	attnum = InvalidAttrNumber;
	char	   *invalid = NULL;
	char	   *cname;

	if (sev == NULL || column == NULL)
		return;
	if (smig_lint_list_has(st->proven, smig_lint_key(rel->relname, column)))
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
			if (already &&
				(invalid = smig_lint_invalid_not_null(rel->oid, attnum)) == NULL)
				return;			/* a no-op */
		}
		if (attnum > 0 && smig_lint_not_null_proven(st, rel, column, attnum))
			return;
	}
	st->stmt_slow = true;
	if (invalid != NULL)
	{
		smig_lint_report(st, "L005", sev,
						 psprintf("%s on column \"%s\" validates its NOT VALID constraint %s by scanning all of %s under an ACCESS EXCLUSIVE lock",
								  what, column, quote_identifier(invalid),
								  smig_lint_describe(rel)),
						 psprintf("Validate it instead: ALTER TABLE %s VALIDATE CONSTRAINT %s; which scans under a SHARE UPDATE EXCLUSIVE lock only (reads and writes go on) and makes the column NOT NULL.",
								  rel->display, quote_identifier(invalid)));
		return;
	}
	cname = psprintf("%s_%s_not_null", rel->relname, column);
	smig_lint_report(st, "L005", sev,
					 psprintf("%s on column \"%s\" scans all of %s under an ACCESS EXCLUSIVE lock to check for NULLs", what, column, smig_lint_describe(rel)),
					 LINT_NOT_NULL_NOT_VALID ?
					 psprintf("Add it unchecked first: ALTER TABLE %s ADD CONSTRAINT %s NOT NULL %s NOT VALID; then in a later revision ALTER TABLE %s VALIDATE CONSTRAINT %s; which scans under a SHARE UPDATE EXCLUSIVE lock only (reads and writes go on) and makes the column NOT NULL.",
							  rel->display, quote_identifier(cname),
							  quote_identifier(column), rel->display,
							  quote_identifier(cname)) :
					 psprintf("Prove it first with a constraint: ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID; then in a later revision ALTER TABLE %s VALIDATE CONSTRAINT %s; and then SET NOT NULL skips the scan (the CHECK can be dropped after).",
							  rel->display, quote_identifier(cname),
							  quote_identifier(column), rel->display,
							  quote_identifier(cname)));
}

/* ADD CONSTRAINT: L006, L007, L008, L009, L010, L022; notes for L021 */
static void
lint_add_constraint(LintState *st, LintRel *rel, Constraint *con)
{
	const char *sev = smig_lint_size_severity(rel);
	const char *name;

	if (con == NULL || !IsA(con, Constraint))
		return;
	name = con->conname ? quote_identifier(con->conname) : "<name>";

	if (con->contype == CONSTR_FOREIGN)
		lint_fk(st, rel, con, con->fk_attrs ? strVal(linitial(con->fk_attrs)) : NULL);
	else if ((con->contype == CONSTR_PRIMARY || con->contype == CONSTR_UNIQUE) &&
			 con->keys != NIL)
		st->script_indexes = lappend(st->script_indexes,
									 smig_lint_key(rel->relname, strVal(linitial(con->keys))));

	if (con->skip_validation && con->conname != NULL)
	{
		st->not_valid = lappend(st->not_valid, smig_lint_key(rel->relname, con->conname));
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
									 smig_lint_key(rel->relname, con->conname),
									 strVal(linitial(cr->fields))));
		}
		/* NOT NULL col NOT VALID (18 and later): validated, it is one */
		if (con->contype == CONSTR_NOTNULL && con->keys != NIL &&
			IsA(linitial(con->keys), String))
			st->not_null_checks =
				lappend(st->not_null_checks,
						psprintf("%s\037%s",
								 smig_lint_key(rel->relname, con->conname),
								 strVal(linitial(con->keys))));
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
										  name, smig_lint_describe(rel),
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
								 psprintf("ADD CONSTRAINT %s UNIQUE builds its index on %s under an ACCESS EXCLUSIVE lock", name, smig_lint_describe(rel)),
								 smig_lint_nontx_hint(st, "Build its index CONCURRENTLY (writes go on), then make it the constraint",
													  psprintf("CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s);\nALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s;",
															   idx, rel->display, cols.len ? cols.data : "...",
															   rel->display, name, idx),
													  psprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s;",
															   rel->display, name)));
			}
			break;
		case CONSTR_PRIMARY:
			if (con->indexname == NULL)
			{
				StringInfoData pkcols;
				ListCell   *kc;
				const char *pkname = con->conname ? name :
					quote_identifier(psprintf("%s_pkey", rel->relname));
				const char *pkidx = quote_identifier(psprintf("%s_pkey_idx", rel->relname));

				initStringInfo(&pkcols);
				foreach(kc, con->keys)
					appendStringInfo(&pkcols, "%s%s", pkcols.len ? ", " : "",
									 quote_identifier(strVal(lfirst(kc))));
				st->stmt_slow = true;
				smig_lint_report(st, "L009", sev,
								 psprintf("ADD PRIMARY KEY builds its index on %s under an ACCESS EXCLUSIVE lock, and scans for NULLs in columns not yet NOT NULL", smig_lint_describe(rel)),
								 smig_lint_nontx_hint(st, "Make the columns NOT NULL with a validated CHECK first (see L005); then build the index CONCURRENTLY (writes go on) and make it the key",
													  psprintf("CREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s);\nALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY USING INDEX %s;",
															   pkidx, rel->display, pkcols.len ? pkcols.data : "...",
															   rel->display, pkname, pkidx),
													  psprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s;",
															   rel->display, pkname)));
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
									 psprintf("ADD PRIMARY KEY USING INDEX makes column \"%s\" NOT NULL, which scans all of %s under an ACCESS EXCLUSIVE lock", col, smig_lint_describe(rel)),
									 psprintf("Make the column NOT NULL first, proven by a validated CHECK (%s IS NOT NULL) constraint (see L005).", quote_identifier(col)));
				}
			}
			break;
		case CONSTR_NOTNULL:
			/* ADD CONSTRAINT ... NOT NULL col (18 and later) */
			if (!con->skip_validation && con->keys != NIL &&
				IsA(linitial(con->keys), String))
				lint_set_not_null(st, rel, strVal(linitial(con->keys)),
								  "ADD CONSTRAINT ... NOT NULL");
			break;
		case CONSTR_EXCLUSION:
			st->stmt_slow = true;
			smig_lint_report(st, "L010", sev,
							 psprintf("ADD EXCLUDE builds its index on %s under an ACCESS EXCLUSIVE lock; an exclusion constraint has no online way to be added", smig_lint_describe(rel)),
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

	if (smig_lint_size_severity(rel) == NULL || cmd->name == NULL)
		return;
	if (OidIsValid(rel->oid) && (attnum = get_attnum(rel->oid, cmd->name)) > 0)
		deps = smig_lint_column_dependents(rel->oid, attnum, false);

	smig_lint_report(st, "D002", smig_lint_has_rows(rel) ? LINT_ERROR : LINT_WARNING,
					 psprintf("DROP COLUMN \"%s\" of %s loses its data, and running code that still names the column fails", cmd->name, smig_lint_describe(rel)),
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

