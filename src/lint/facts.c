/*-------------------------------------------------------------------------
 *
 * facts.c
 *	  Catalog facts for the linter's rules: what the catalog adds to the
 *	  text of a statement.
 *
 * Whether a table existed before the script (tables the script creates
 * are new, so lock and rewrite rules are waived for them), its size
 * (severity scales with it), what depends on a column or relation
 * (pg_depend), whether a validated CHECK already proves NOT NULL, the
 * coercion an ALTER COLUMN TYPE would build (and whether it rewrites or
 * narrows), and whether a default is volatile.
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
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "commands/tablecmds.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_type.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "base/spi.h"
#include "lint/facts.h"

static char *size_text(double blocks);
static char *display_name(const char *schema, const char *name);
static bool calls_volatile_function(Node *node, void *context);
static bool is_user_function(Oid f, void *context);
static bool calls_user_function(Node *node, void *context);

/*
 * smig_lint_rel_of
 *		What the run and the catalog know of the relation rv names: new
 *		(created earlier in the run), found (with its size), or unknown.
 *		Takes no lock.
 */
void
smig_lint_rel_of(LintState *st, RangeVar *rv, LintRel *rel)
{
	memset(rel, 0, sizeof(LintRel));
	rel->relname = rv->relname;
	rel->display = display_name(rv->schemaname, rv->relname);
	rel->rows = -1;
	rel->blocks = -1;
	rel->oid = InvalidOid;
	if (smig_lint_is_created(st, rv))
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
		smig_lint_rel_size(rel);
	}
}

/*
 * smig_lint_rel_size
 *		rel->rows and rel->blocks of a found relation: the real length of
 *		its files when its ACCESS SHARE lock is free at once, scaled by
 *		pg_class's density (as the planner does), else pg_class alone.  A
 *		partitioned table sums its partitions' pg_class figures.
 */
void
smig_lint_rel_size(LintRel *rel)
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
bool
smig_lint_is_created(LintState *st, RangeVar *rv)
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
void
smig_lint_add_created(LintState *st, RangeVar *rv)
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
 * smig_lint_size_severity
 *		The severity of a lock or rewrite finding about rel: NULL (no
 *		finding) when the run created it; info when it is empty; error when
 *		large (a million rows or 1 GB); else warning, also when the table
 *		is not in this database (its size is unknown).
 */
const char *
smig_lint_size_severity(LintRel *rel)
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
bool
smig_lint_has_rows(LintRel *rel)
{
	if (rel->is_new)
		return false;
	if (!OidIsValid(rel->oid))
		return true;
	return !(rel->blocks == 0 && rel->rows <= 0);
}

/* "orders" (about 120000 rows, 6 MB) */
char *
smig_lint_describe(LintRel *rel)
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

const char *
smig_lint_lock_name(LOCKMODE mode)
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
 * smig_lint_column_dependents
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
char *
smig_lint_column_dependents(Oid relid, AttrNumber attnum, bool for_type_change)
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
char *
smig_lint_relation_dependents(Oid relid)
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
 * smig_lint_invalid_not_null
 *		The name of the column's NOT NULL constraint when it is catalogued
 *		but not validated (PostgreSQL 18 and later: added NOT VALID; the
 *		column's attnotnull is set all the same), else NULL.  Before 18 no
 *		NOT NULL constraint is catalogued, and nothing is found.
 */
char *
smig_lint_invalid_not_null(Oid relid, AttrNumber attnum)
{
	Oid			types[2] = {OIDOID, INT2OID};
	Datum		values[2];

	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int16GetDatum(attnum);
	smig_spi_exec("SELECT conname::pg_catalog.text FROM pg_catalog.pg_constraint"
				  " WHERE conrelid OPERATOR(pg_catalog.=) $1"
				  " AND contype OPERATOR(pg_catalog.=) 'n' AND NOT convalidated"
				  " AND $2 OPERATOR(pg_catalog.=) ANY (conkey)"
				  " ORDER BY conname LIMIT 1",
				  2, types, values, NULL, true, SPI_OK_SELECT);
	if (SPI_processed != 1)
		return NULL;
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * smig_lint_not_null_proven
 *		Whether the table's validated CHECK constraints imply that column is
 *		not null, as ALTER TABLE's own test does (PostgreSQL 12 and later):
 *		then SET NOT NULL skips its scan.
 */
bool
smig_lint_not_null_proven(LintState *st, LintRel *rel, const char *column,
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
 * smig_lint_type_change_rewrites
 *		Whether ALTER COLUMN TYPE from (oldtype, oldmod) to (newtype,
 *		newmod), without USING, rewrites the table.  Builds the coercion
 *		the server would (assignment cast of the column), simplifies it as
 *		the planner does (support functions drop length coercions that
 *		cannot fail: varchar(10) to varchar(20), numeric(10,2) to
 *		numeric(12,2), ...) and then applies ALTER TABLE's test: nothing is
 *		rewritten when only relabelings of the column remain.  *no_cast is
 *		set when there is no assignment cast (the server refuses it).
 */
bool
smig_lint_type_change_rewrites(Oid oldtype, int32 oldmod, Oid collation,
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
 * smig_lint_type_change_narrows
 *		Whether a type change can lose or refuse values: a smaller length,
 *		precision or scale of the same type, a narrower integer or float,
 *		numbers to integers, text to a bounded string, a timestamp to a
 *		date.
 */
bool
smig_lint_type_change_narrows(Oid oldtype, int32 oldmod, Oid newtype, int32 newmod)
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
 * smig_lint_default_is_volatile
 *		Whether a column default, analysed as the server would, contains a
 *		volatile function: then ADD COLUMN cannot store it once as the
 *		"missing" value and rewrites the table.  A default on a domain with
 *		constraints counts as volatile: it rewrites too.
 */
bool
smig_lint_default_is_volatile(Node *raw_default, TypeName *type)
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
 * smig_lint_collect_column_names
 *		raw_expression_tree_walker callback: append the last name of each
 *		ColumnRef to *context (a List **).
 */
bool
smig_lint_collect_column_names(Node *node, void *context)
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
	return raw_expression_tree_walker(node, smig_lint_collect_column_names, context);
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
const char *
smig_lint_type_last_name(TypeName *type)
{
	Node	   *last;

	if (type == NULL || type->names == NIL || type->arrayBounds != NIL)
		return NULL;
	last = llast(type->names);
	return IsA(last, String) ? strVal(last) : NULL;
}

bool
smig_lint_is_serial(const char *name)
{
	return strcmp(name, "serial") == 0 || strcmp(name, "serial4") == 0 ||
		strcmp(name, "bigserial") == 0 || strcmp(name, "serial8") == 0 ||
		strcmp(name, "smallserial") == 0 || strcmp(name, "serial2") == 0;
}

/* "a\037b": a key of two names */
char *
smig_lint_key(const char *a, const char *b)
{
	return psprintf("%s\037%s", a, b);
}

bool
smig_lint_list_has(List *list, const char *s)
{
	ListCell   *lc;

	foreach(lc, list)
		if (strcmp(lfirst(lc), s) == 0)
		return true;
	return false;
}

