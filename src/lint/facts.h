/*-------------------------------------------------------------------------
 *
 * facts.h
 *	  What the linter's rules ask the catalog of the database the linter
 *	  runs in: relations (new in the run, or found, with their size),
 *	  dependents, NOT NULL proofs, coercions and volatility; and small
 *	  helpers over raw parse trees shared by the rule families.
 *
 * Nothing here reports a finding; nothing takes a lock stronger than
 * ACCESS SHARE, and that one only when it is free at once.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_LINT_FACTS_H
#define SMIG_LINT_FACTS_H

#include "nodes/parsenodes.h"
#include "storage/lockdefs.h"

#include "lint/findings.h"

/* size classes: "large" tables make lock and rewrite findings errors */
#define LINT_LARGE_ROWS 1000000.0
#define LINT_LARGE_BLOCKS ((BlockNumber) (1024 * 1024 * 1024 / BLCKSZ))

/*
 * PostgreSQL 18 catalogues NOT NULL constraints and lets them be added NOT
 * VALID (ALTER TABLE ... ADD CONSTRAINT c NOT NULL col NOT VALID), then
 * validated under SHARE UPDATE EXCLUSIVE: the better advice for L005 there.
 * Both branches are compiled everywhere; this only picks one.
 */
#define LINT_NOT_NULL_NOT_VALID (PG_VERSION_NUM >= 180000)

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

/* relations */
extern void smig_lint_rel_of(LintState *st, RangeVar *rv, LintRel *rel);
extern void smig_lint_rel_size(LintRel *rel);
extern bool smig_lint_is_created(LintState *st, RangeVar *rv);
extern void smig_lint_add_created(LintState *st, RangeVar *rv);
extern const char *smig_lint_size_severity(LintRel *rel);
extern bool smig_lint_has_rows(LintRel *rel);
extern char *smig_lint_describe(LintRel *rel);
extern const char *smig_lint_lock_name(LOCKMODE mode);

/* dependents, proofs, coercions */
extern char *smig_lint_column_dependents(Oid relid, AttrNumber attnum,
									bool for_type_change);
extern char *smig_lint_relation_dependents(Oid relid);
extern char *smig_lint_invalid_not_null(Oid relid, AttrNumber attnum);
extern bool smig_lint_not_null_proven(LintState *st, LintRel *rel,
								 const char *column, AttrNumber attnum);
extern bool smig_lint_type_change_rewrites(Oid oldtype, int32 oldmod,
									  Oid collation, Oid newtype,
									  int32 newmod, bool *no_cast);
extern bool smig_lint_type_change_narrows(Oid oldtype, int32 oldmod,
									 Oid newtype, int32 newmod);
extern bool smig_lint_default_is_volatile(Node *raw_default, TypeName *type);

/* raw parse trees and names */
extern bool smig_lint_collect_column_names(Node *node, void *context);
extern const char *smig_lint_type_last_name(TypeName *type);
extern bool smig_lint_is_serial(const char *name);
extern char *smig_lint_key(const char *a, const char *b);
extern bool smig_lint_list_has(List *list, const char *s);

#endif							/* SMIG_LINT_FACTS_H */
