/*-------------------------------------------------------------------------
 *
 * rules_types.c
 *	  The linter's type rules: enums (B004, B007), a new enum value used
 *	  before the transaction that added it commits (T007), and domain
 *	  constraints (L017).
 *
 * T007 reads the raw parse tree, not the text: the string constants of
 * the statement (A_Const), the type names it writes (TypeName: casts,
 * column definitions), and the columns it writes or compares with.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "utils/builtins.h"

#include "base/spi.h"
#include "lint/rules.h"

/* what collect_uses() gathers from a statement */
typedef struct TypeUses
{
	List	   *strings;		/* A_Const * holding a string */
	List	   *type_names;		/* TypeName * */
} TypeUses;

static bool collect_uses(Node *node, void *context);
static bool raw_walker_knows(NodeTag tag);
static int	cmp_location(const ListCell *a, const ListCell *b);
static bool statement_uses_type(LintState *st, Node *tree, TypeUses *uses,
								const char *type);

/* ALTER TYPE ... ADD VALUE / RENAME VALUE: B004, B007, notes for T007 */
void
smig_lint_enum(LintState *st, AlterEnumStmt *stmt)
{
	char	   *name = strVal(llast(stmt->typeName));

	if (stmt->oldVal != NULL)
	{
		if (!smig_lint_list_has(st->created_types, name))
			smig_lint_report(st, "B004", LINT_WARNING,
							 psprintf("renaming value '%s' of enum %s to '%s': stored rows now read as the new value, and code that writes the old one fails", stmt->oldVal, NameListToString(stmt->typeName), stmt->newVal),
							 "Add the new value, move the code and the rows to it, and stop using the old value (an enum value cannot be dropped).");
		return;
	}
	if (stmt->newVal == NULL || smig_lint_list_has(st->created_types, name))
		return;
	if (stmt->newValNeighbor == NULL)
		smig_lint_report(st, "B007", LINT_INFO,
						 psprintf("value '%s' is added last to enum %s: it sorts after every existing value", stmt->newVal, NameListToString(stmt->typeName)),
						 "If the enum's order matters, say where: ADD VALUE ... BEFORE / AFTER an existing value.");
	/* in a revision without a transaction, the value commits at once */
	if (st->nontx)
		return;
	st->enum_values = lappend(st->enum_values, pstrdup(stmt->newVal));
	st->enum_value_types = lappend(st->enum_value_types, name);
	st->enum_value_revs = lappend(st->enum_value_revs,
								  (void *) (st->revision ? st->revision : ""));
}


/* CREATE TYPE ... AS ENUM / CREATE DOMAIN: names is the new type's */
void
smig_lint_type_created(LintState *st, List *names)
{
	if (names == NIL || !IsA(llast(names), String))
		return;
	st->created_types = lappend(st->created_types,
								pstrdup(strVal(llast(names))));
}

/* ALTER DOMAIN ... ADD CONSTRAINT ... CHECK, validated: L017 */
void
smig_lint_alter_domain(LintState *st, AlterDomainStmt *stmt)
{
	Constraint *con = (Constraint *) stmt->def;
	char	   *name;

	if (stmt->subtype != 'C' || con == NULL || !IsA(con, Constraint) ||
		con->contype != CONSTR_CHECK || con->skip_validation)
		return;
	name = strVal(llast(stmt->typeName));
	if (smig_lint_list_has(st->created_types, name))
		return;
	smig_lint_report(st, "L017", LINT_WARNING,
					 psprintf("ALTER DOMAIN %s ADD CONSTRAINT checks every value of every column of that domain, holding a SHARE lock on each of their tables", NameListToString(stmt->typeName)),
					 psprintf("Add it as NOT VALID, then in a later revision: ALTER DOMAIN %s VALIDATE CONSTRAINT %s;",
							  NameListToString(stmt->typeName),
							  con->conname ? quote_identifier(con->conname) : "<name>"));
}

/*
 * smig_lint_enum_use
 *		T007: a string constant equal to an enum value added earlier, in a
 *		statement that names the enum type or writes a table with a column
 *		of it.  The first such constant (in the statement's order) decides.
 */
void
smig_lint_enum_use(LintState *st, Node *tree)
{
	TypeUses	uses = {NIL, NIL};
	ListCell   *sc;

	(void) collect_uses(tree, &uses);
	list_sort(uses.strings, cmp_location);
	foreach(sc, uses.strings)
	{
		const char *str = strVal(&((A_Const *) lfirst(sc))->val);
		ListCell   *lc;

		CHECK_FOR_INTERRUPTS();
		foreach(lc, st->enum_values)
		{
			int			i = foreach_current_index(lc);
			const char *rev = list_nth(st->enum_value_revs, i);
			const char *type = list_nth(st->enum_value_types, i);
			bool		same = strcmp(rev, st->revision ? st->revision : "") == 0;

			if (strcmp(lfirst(lc), str) != 0)
				continue;
			if (!statement_uses_type(st, tree, &uses, type))
				return;
			smig_lint_report(st, "T007", same ? LINT_ERROR : LINT_WARNING,
							 psprintf("the statement uses the value '%s' of enum %s added %s: PostgreSQL refuses a new enum value before the transaction that added it commits (unsafe use of new value)",
									  str, type, same ? "earlier in this revision" : psprintf("by revision \"%s\"", rev)),
							 same ? "Move the statements that use the value to a later revision, and run with CALL schemamig.migrate(), which commits after each revision." :
							 "upgrade() runs all revisions in one transaction, so this fails there: run with CALL schemamig.migrate(), which commits after each revision.");
			return;
		}
	}
}

/*
 * collect_uses
 *		Walker over a raw parse tree: gathers string constants and type
 *		names into a TypeUses.  raw_expression_tree_walker() knows the
 *		expressions and DML statements; the DDL that can hold an expression
 *		or a type (CREATE TABLE, ALTER TABLE, CREATE VIEW / TABLE AS,
 *		domains, EXPLAIN, CALL) is walked here.  Nodes neither knows are
 *		skipped, never handed to raw_expression_tree_walker(), which would
 *		fail on them.
 */
static bool
collect_uses(Node *node, void *context)
{
	TypeUses   *uses = (TypeUses *) context;

	if (node == NULL)
		return false;
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	switch (nodeTag(node))
	{
		case T_A_Const:
			{
				A_Const    *c = (A_Const *) node;

				if (!c->isnull && IsA(&c->val, String))
					uses->strings = lappend(uses->strings, c);
				return false;
			}
		case T_TypeName:
			uses->type_names = lappend(uses->type_names, node);
			break;				/* and its typmods */
		case T_ColumnDef:
			{
				ColumnDef  *col = (ColumnDef *) node;

				return collect_uses((Node *) col->typeName, context) ||
					collect_uses(col->raw_default, context) ||
					collect_uses((Node *) col->constraints, context);
			}
		case T_Constraint:
			return collect_uses(((Constraint *) node)->raw_expr, context);
		case T_CreateStmt:
			return collect_uses((Node *) ((CreateStmt *) node)->tableElts,
								context);
		case T_AlterTableStmt:
			return collect_uses((Node *) ((AlterTableStmt *) node)->cmds,
								context);
		case T_AlterTableCmd:
			return collect_uses(((AlterTableCmd *) node)->def, context);
		case T_ViewStmt:
			return collect_uses(((ViewStmt *) node)->query, context);
		case T_CreateTableAsStmt:
			return collect_uses(((CreateTableAsStmt *) node)->query, context);
		case T_ExplainStmt:
			return collect_uses(((ExplainStmt *) node)->query, context);
		case T_CreateDomainStmt:
			{
				CreateDomainStmt *d = (CreateDomainStmt *) node;

				return collect_uses((Node *) d->typeName, context) ||
					collect_uses((Node *) d->constraints, context);
			}
		case T_AlterDomainStmt:
			return collect_uses(((AlterDomainStmt *) node)->def, context);
		case T_CallStmt:
			return collect_uses((Node *) ((CallStmt *) node)->funccall,
								context);
		default:
			break;
	}
	if (!raw_walker_knows(nodeTag(node)))
		return false;
	return raw_expression_tree_walker(node, collect_uses, context);
}

/*
 * raw_walker_knows
 *		Whether raw_expression_tree_walker() handles nodes of tag (it
 *		raises an error for others): the node types of expressions and of
 *		SELECT / INSERT / UPDATE / DELETE / MERGE, as in PostgreSQL 15 to
 *		18.  Nodes added in later releases (the SQL/JSON ones of 16 and
 *		17, RETURNING OLD/NEW of 18) are left out: they are skipped, which
 *		only means a constant inside them is not seen.
 */
static bool
raw_walker_knows(NodeTag tag)
{
	switch (tag)
	{
		case T_SetToDefault:
		case T_CurrentOfExpr:
		case T_SQLValueFunction:
		case T_Integer:
		case T_Float:
		case T_Boolean:
		case T_String:
		case T_BitString:
		case T_ParamRef:
		case T_A_Const:
		case T_A_Star:
		case T_Alias:
		case T_RangeVar:
		case T_GroupingFunc:
		case T_SubLink:
		case T_CaseExpr:
		case T_RowExpr:
		case T_CoalesceExpr:
		case T_MinMaxExpr:
		case T_XmlExpr:
		case T_NullTest:
		case T_BooleanTest:
		case T_JoinExpr:
		case T_IntoClause:
		case T_List:
		case T_InsertStmt:
		case T_DeleteStmt:
		case T_UpdateStmt:
		case T_MergeStmt:
		case T_MergeWhenClause:
		case T_SelectStmt:
		case T_PLAssignStmt:
		case T_A_Expr:
		case T_BoolExpr:
		case T_ColumnRef:
		case T_FuncCall:
		case T_NamedArgExpr:
		case T_A_Indices:
		case T_A_Indirection:
		case T_A_ArrayExpr:
		case T_ResTarget:
		case T_MultiAssignRef:
		case T_TypeCast:
		case T_CollateClause:
		case T_SortBy:
		case T_WindowDef:
		case T_RangeSubselect:
		case T_RangeFunction:
		case T_RangeTableSample:
		case T_RangeTableFunc:
		case T_RangeTableFuncCol:
		case T_TypeName:
		case T_IndexElem:
		case T_GroupingSet:
		case T_LockingClause:
		case T_XmlSerialize:
		case T_WithClause:
		case T_InferClause:
		case T_OnConflictClause:
		case T_CommonTableExpr:
			return true;
		default:
			return false;
	}
}

/* list_sort comparator: A_Const nodes in the order of the text */
static int
cmp_location(const ListCell *a, const ListCell *b)
{
	int			la = ((A_Const *) lfirst(a))->location;
	int			lb = ((A_Const *) lfirst(b))->location;

	return (la > lb) - (la < lb);
}

/*
 * statement_uses_type
 *		Whether the statement names the type (a type name whose last part
 *		is type: a cast, a column definition), or inserts into / updates /
 *		deletes from a table that has a column of a type of that name.
 */
static bool
statement_uses_type(LintState *st, Node *tree, TypeUses *uses,
					const char *type)
{
	RangeVar   *target = NULL;
	List	   *columns = NIL;
	bool		any_column = false;
	ListCell   *lc;

	foreach(lc, uses->type_names)
	{
		TypeName   *tn = lfirst(lc);
		Node	   *last = tn->names != NIL ? llast(tn->names) : NULL;

		if (last != NULL && IsA(last, String) &&
			strcmp(strVal(last), type) == 0)
			return true;
	}

	/* the columns the statement writes or compares with */
	if (IsA(tree, InsertStmt))
	{
		InsertStmt *ins = (InsertStmt *) tree;

		target = ins->relation;
		foreach(lc, ins->cols)
			columns = lappend(columns, ((ResTarget *) lfirst(lc))->name);
		any_column = (ins->cols == NIL);
	}
	else if (IsA(tree, UpdateStmt))
	{
		UpdateStmt *upd = (UpdateStmt *) tree;

		target = upd->relation;
		foreach(lc, upd->targetList)
			columns = lappend(columns, ((ResTarget *) lfirst(lc))->name);
		(void) smig_lint_collect_column_names(upd->whereClause, &columns);
	}
	else if (IsA(tree, DeleteStmt))
	{
		target = ((DeleteStmt *) tree)->relation;
		(void) smig_lint_collect_column_names(((DeleteStmt *) tree)->whereClause, &columns);
	}
	if (target != NULL && (any_column || columns != NIL))
	{
		LintRel		rel;
		Oid			types[3] = {OIDOID, TEXTOID, TEXTARRAYOID};
		Datum		values[3];

		smig_lint_rel_of(st, target, &rel);
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

