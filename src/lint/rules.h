/*-------------------------------------------------------------------------
 *
 * rules.h
 *	  The linter's rules, by family.  rules.c hands each raw parse tree to
 *	  the family that knows its statement kind; the families read facts
 *	  (facts.h) and report findings (findings.h), and never call the driver.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_LINT_RULES_H
#define SMIG_LINT_RULES_H

#include "nodes/parsenodes.h"

#include "lint/facts.h"
#include "lint/findings.h"

/* rules.c: the entry points the driver calls */
extern void smig_lint_statement(LintState *st, Node *tree);
extern void smig_lint_end_section(LintState *st);
extern char *smig_lint_nontx_hint(LintState *st, const char *what,
								  const char *upgrade, const char *downgrade);

/* rules_table.c: CREATE TABLE, ALTER TABLE, FKs */
extern void smig_lint_create(LintState *st, CreateStmt *stmt);
extern void smig_lint_alter_table(LintState *st, AlterTableStmt *stmt);
extern void smig_lint_fk_indexes(LintState *st);

/* rules_index.c: indexes and maintenance */
extern void smig_lint_index(LintState *st, IndexStmt *stmt);
extern void smig_lint_reindex(LintState *st, ReindexStmt *stmt);
extern void smig_lint_cluster(LintState *st, ClusterStmt *stmt);
extern void smig_lint_lock(LintState *st, LockStmt *stmt);
extern void smig_lint_refresh(LintState *st, RefreshMatViewStmt *stmt);

/* rules_drop.c: DROP, TRUNCATE, UPDATE / DELETE, RENAME */
extern void smig_lint_drop(LintState *st, DropStmt *stmt);
extern void smig_lint_truncate(LintState *st, TruncateStmt *stmt);
extern void smig_lint_update(LintState *st, UpdateStmt *stmt);
extern void smig_lint_delete(LintState *st, DeleteStmt *stmt);
extern void smig_lint_rename(LintState *st, RenameStmt *stmt);

/* rules_types.c: enums, domains, new enum values in use */
extern void smig_lint_enum(LintState *st, AlterEnumStmt *stmt);
extern void smig_lint_enum_use(LintState *st, Node *tree);
extern void smig_lint_alter_domain(LintState *st, AlterDomainStmt *stmt);
extern void smig_lint_type_created(LintState *st, List *names);

#endif							/* SMIG_LINT_RULES_H */
