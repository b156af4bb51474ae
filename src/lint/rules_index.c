/*-------------------------------------------------------------------------
 *
 * rules_index.c
 *	  The linter's index and maintenance rules: CREATE INDEX (L011, T008,
 *	  P009), REINDEX (L013), CLUSTER (L015), LOCK TABLE (L019, T013) and REFRESH
 *	  MATERIALIZED VIEW (L024).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_index.h"
#include "common/keywords.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/scanner.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "lint/rules.h"

static char *insert_after_keyword(const char *sql, const char *keyword,
								  const char *text);
static bool is_ident_char(char c);

/* CREATE INDEX: L011, T008, P009 */
void
smig_lint_index(LintState *st, IndexStmt *stmt)
{
	LintRel		rel;
	const char *sev;

	if (stmt->relation == NULL)
		return;
	smig_lint_rel_of(st, stmt->relation, &rel);
	/* an index the script makes is new: dropping it is no surprise */
	if (stmt->idxname != NULL)
		smig_lint_add_created(st, makeRangeVar(stmt->relation->schemaname,
									 stmt->idxname, -1));
	if (stmt->indexParams != NIL)
	{
		IndexElem  *first = linitial(stmt->indexParams);

		if (first->name != NULL)
			st->script_indexes = lappend(st->script_indexes,
										 smig_lint_key(rel.relname, first->name));
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

	if (stmt->concurrent || (sev = smig_lint_size_severity(&rel)) == NULL)
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
														"CONCURRENTLY");
		const char *idx = quote_qualified_identifier(stmt->relation->schemaname,
													 stmt->idxname);

		smig_lint_report(st, "L011", sev,
						 psprintf("CREATE INDEX on %s takes a SHARE lock: every write to the table waits until the index is built", smig_lint_describe(&rel)),
						 smig_lint_nontx_hint(st, "Build it CONCURRENTLY, so that writes go on",
											  psprintf("%s;", concurrently),
											  psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;", idx)));
	}
	else
		smig_lint_report(st, "L011", sev,
						 psprintf("CREATE INDEX on %s takes a SHARE lock: every write to the table waits until the index is built", smig_lint_describe(&rel)),
						 smig_lint_nontx_hint(st, "Name the index (an unnamed CREATE INDEX CONCURRENTLY is refused: a failed build is found again by its name) and build it CONCURRENTLY, so that writes go on",
											  "CREATE INDEX CONCURRENTLY <name> ON ...;",
											  "DROP INDEX CONCURRENTLY IF EXISTS <name>;"));
}


/* REINDEX TABLE / INDEX: L013 */
void
smig_lint_reindex(LintState *st, ReindexStmt *stmt)
{
	LintRel		rel;
	const char *sev;

	if (stmt->relation == NULL || st->stmt->refused != NULL ||
		(stmt->kind != REINDEX_OBJECT_TABLE &&
		 stmt->kind != REINDEX_OBJECT_INDEX))
		return;
	smig_lint_rel_of(st, stmt->relation, &rel);
	if ((sev = smig_lint_size_severity(&rel)) == NULL)
		return;
	st->stmt_slow = true;
	smig_lint_report(st, "L013", sev,
					 psprintf("REINDEX of %s blocks writes to the table (SHARE lock) and takes ACCESS EXCLUSIVE on each index while it is rebuilt: reads that use it wait too", smig_lint_describe(&rel)),
					 smig_lint_nontx_hint(st, "Rebuild it CONCURRENTLY, so that reads and writes go on",
										  psprintf("REINDEX %s CONCURRENTLY %s;",
												   stmt->kind == REINDEX_OBJECT_TABLE ? "TABLE" : "INDEX",
												   rel.display),
										  NULL));
}

/* CLUSTER: L015 */
void
smig_lint_cluster(LintState *st, ClusterStmt *stmt)
{
	LintRel		rel;
	const char *sev;

	if (stmt->relation == NULL)
		return;
	smig_lint_rel_of(st, stmt->relation, &rel);
	if ((sev = smig_lint_size_severity(&rel)) == NULL)
		return;
	st->stmt_slow = true;
	smig_lint_report(st, "L015", sev,
					 psprintf("CLUSTER rewrites %s under an ACCESS EXCLUSIVE lock: no reads or writes until it ends", smig_lint_describe(&rel)),
					 "Do not cluster in a migration; if the table must be compacted, use an online tool (pg_repack) outside schemamig.");
}

/* LOCK TABLE: L019; an ACCESS EXCLUSIVE one is held for L018 */
void
smig_lint_lock(LintState *st, LockStmt *stmt)
{
	ListCell   *lc;

	if (st->nontx)
	{
		smig_lint_report(st, "T013", LINT_WARNING,
						 "LOCK TABLE in a revision without a transaction locks nothing for the statements after it: it is a step of its own, and its lock goes when that step commits",
						 "Remove it; to change a table under a lock, put the statements in a revision of their own, which runs in one transaction.");
		return;
	}
	foreach(lc, stmt->relations)
	{
		LintRel		rel;

		smig_lint_rel_of(st, lfirst(lc), &rel);
		if (smig_lint_size_severity(&rel) == NULL)
			continue;			/* created by the run */
		if (stmt->mode >= ExclusiveLock)
		{
			smig_lint_report(st, "L019", LINT_WARNING,
							 psprintf("LOCK TABLE %s IN %s MODE blocks %s until the revision commits",
									  smig_lint_describe(&rel), smig_lint_lock_name(stmt->mode),
									  stmt->mode == AccessExclusiveLock ? "every query on it" : "every write to it"),
							 "Let the statements that need the lock take it themselves, as late as possible; schemamig.lock_timeout then bounds the wait.");
			if (stmt->mode == AccessExclusiveLock && st->held_table == NULL)
			{
				st->held_table = pstrdup(rel.display);
				st->held_line = st->stmt->line;
			}
		}
		else
			smig_lint_report(st, "L019", LINT_INFO,
							 psprintf("LOCK TABLE %s IN %s MODE", smig_lint_describe(&rel), smig_lint_lock_name(stmt->mode)),
							 "Let the statements that need the lock take it themselves.");
	}
}

/*
 * smig_lint_refresh
 *		REFRESH MATERIALIZED VIEW without CONCURRENTLY: L024.  Its ACCESS
 *		EXCLUSIVE lock on the view is the same on every supported major
 *		version.  (Before 16, planning the view's query also took ACCESS
 *		SHARE on the view itself, through the OLD/NEW entries of its rule's
 *		range table, which 16 removed; that weaker lock changes nothing the
 *		rule says.)
 */
void
smig_lint_refresh(LintState *st, RefreshMatViewStmt *stmt)
{
	LintRel		rel;
	const char *sev;

	if (stmt->concurrent)
		return;
	smig_lint_rel_of(st, stmt->relation, &rel);
	if ((sev = smig_lint_size_severity(&rel)) == NULL)
		return;
	st->stmt_slow = true;
	smig_lint_report(st, "L024", sev,
					 psprintf("REFRESH MATERIALIZED VIEW %s takes an ACCESS EXCLUSIVE lock on it: no reads until the query has run again", smig_lint_describe(&rel)),
					 psprintf("Use REFRESH MATERIALIZED VIEW CONCURRENTLY %s; (it needs a unique index on the view, without WHERE, and lets reads go on).", rel.display));
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

