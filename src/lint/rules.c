/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The linter's rules, entry points: each raw parse tree goes to the
 *	  rule family of its statement kind (rules_table.c, rules_index.c,
 *	  rules_drop.c, rules_types.c); what a statement creates is noted for
 *	  the statements after it; the rules about session settings (T004,
 *	  T005) are here, being one line each; the end of a section runs the
 *	  rules that need all of its statements (L022); and the hints that
 *	  move a statement into a revision without a transaction are written
 *	  here (smig_lint_nontx_hint), so that they all read alike.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"

#include "lint/rules.h"

static void lint_set(LintState *st, VariableSetStmt *stmt);

/*
 * smig_lint_statement
 *		Run the rules that apply to one raw parse tree.
 */
void
smig_lint_statement(LintState *st, Node *tree)
{
	if (tree == NULL)
		return;

	/* first: the rules below may fail on the value the catalog lacks yet */
	if (st->enum_values != NIL && !st->nontx && !IsA(tree, AlterEnumStmt))
		smig_lint_enum_use(st, tree);

	switch (nodeTag(tree))
	{
		case T_CreateStmt:
			smig_lint_create(st, (CreateStmt *) tree);
			break;
		case T_CreateTableAsStmt:
			{
				CreateTableAsStmt *ctas = (CreateTableAsStmt *) tree;

				if (ctas->into == NULL || ctas->into->rel == NULL)
					break;
				if (ctas->if_not_exists &&
					OidIsValid(RangeVarGetRelid(ctas->into->rel, NoLock, true)) &&
					!smig_lint_is_created(st, ctas->into->rel))
					break;
				smig_lint_add_created(st, ctas->into->rel);
			}
			break;
		case T_SelectStmt:
			if (((SelectStmt *) tree)->intoClause != NULL)
				smig_lint_add_created(st, ((SelectStmt *) tree)->intoClause->rel);
			break;
		case T_ViewStmt:
			smig_lint_add_created(st, ((ViewStmt *) tree)->view);
			break;
		case T_AlterTableStmt:
			smig_lint_alter_table(st, (AlterTableStmt *) tree);
			break;
		case T_IndexStmt:
			smig_lint_index(st, (IndexStmt *) tree);
			break;
		case T_DropStmt:
			smig_lint_drop(st, (DropStmt *) tree);
			break;
		case T_TruncateStmt:
			smig_lint_truncate(st, (TruncateStmt *) tree);
			break;
		case T_UpdateStmt:
			smig_lint_update(st, (UpdateStmt *) tree);
			break;
		case T_DeleteStmt:
			smig_lint_delete(st, (DeleteStmt *) tree);
			break;
		case T_RenameStmt:
			smig_lint_rename(st, (RenameStmt *) tree);
			break;
		case T_AlterEnumStmt:
			smig_lint_enum(st, (AlterEnumStmt *) tree);
			break;
		case T_CreateEnumStmt:
			smig_lint_type_created(st, ((CreateEnumStmt *) tree)->typeName);
			break;
		case T_CreateDomainStmt:
			smig_lint_type_created(st, ((CreateDomainStmt *) tree)->domainname);
			break;
		case T_AlterDomainStmt:
			smig_lint_alter_domain(st, (AlterDomainStmt *) tree);
			break;
		case T_ReindexStmt:
			smig_lint_reindex(st, (ReindexStmt *) tree);
			break;
		case T_ClusterStmt:
			smig_lint_cluster(st, (ClusterStmt *) tree);
			break;
		case T_LockStmt:
			smig_lint_lock(st, (LockStmt *) tree);
			break;
		case T_RefreshMatViewStmt:
			smig_lint_refresh(st, (RefreshMatViewStmt *) tree);
			break;
		case T_VariableSetStmt:
			lint_set(st, (VariableSetStmt *) tree);
			break;
		default:
			break;
	}
}

/*
 * smig_lint_end_section
 *		Rules decided at the end of a section, when all of its statements
 *		are known: L022 (an index created after the FK counts).
 */
void
smig_lint_end_section(LintState *st)
{
	smig_lint_fk_indexes(st);
	st->stmt = NULL;
}

/*
 * smig_lint_nontx_hint
 *		The hint of a rule whose safe form cannot run in a transaction
 *		block: what says what the safe form does, upgrade is its SQL (one
 *		or more statements, each ending with ';') and downgrade, if not
 *		NULL, what undoes it.  In a revision that already says
 *		"-- schemamig:transaction off", the hint is to write the safe form
 *		here; otherwise it shows the revision that runs it, which CALL
 *		schemamig.migrate() runs one committed statement at a time.
 */
char *
smig_lint_nontx_hint(LintState *st, const char *what, const char *upgrade,
					 const char *downgrade)
{
	if (st->nontx)
		return psprintf("%s; this revision runs without a transaction, so write it here: %s",
						what, upgrade);
	return psprintf("%s, in a revision of its own without a transaction, which CALL schemamig.migrate() runs one committed statement at a time:\n"
					"-- schemamig:revision <id>\n"
					"-- schemamig:transaction off\n"
					"-- schemamig:upgrade\n"
					"%s%s%s",
					what, upgrade,
					downgrade ? "\n-- schemamig:downgrade\n" : "",
					downgrade ? downgrade : "");
}

/* SET lock_timeout / statement_timeout: T004, T005 */
static void
lint_set(LintState *st, VariableSetStmt *stmt)
{
	if (stmt->name == NULL)
		return;
	/* there each statement is a step, and a step's settings end with it */
	if (st->nontx && stmt->kind != VAR_RESET && stmt->kind != VAR_RESET_ALL)
	{
		smig_lint_report(st, "T013", LINT_WARNING,
						 psprintf("SET %s%s in a revision without a transaction lasts only for this statement's own step: the statement after it runs without it",
								  stmt->is_local ? "LOCAL " : "", stmt->name),
						 "Put the setting where the statement that needs it runs: in the session that calls CALL schemamig.migrate(), or in the procedure the revision CALLs.");
		return;
	}
	if (strcmp(stmt->name, "lock_timeout") == 0)
		smig_lint_report(st, "T004", LINT_WARNING,
						 "SET lock_timeout in a revision overrides schemamig.lock_timeout for the statements after it: a lock wait is no longer bounded and retried by schemamig",
						 "Remove it; set schemamig.lock_timeout (and lock_retries) for the session that runs the upgrade instead.");
	else if (strcmp(stmt->name, "statement_timeout") == 0)
		smig_lint_report(st, "T005", LINT_INFO,
						 "SET statement_timeout in a revision overrides schemamig.statement_timeout for the statements after it",
						 "Set schemamig.statement_timeout for the session that runs the upgrade instead.");
}
