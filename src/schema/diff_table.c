/*-------------------------------------------------------------------------
 *
 * diff_table.c
 *	  The tables of a diff: renames, tables created and dropped, columns
 *	  (type, default, identity, generated, NOT NULL, collation),
 *	  constraints, indexes, triggers, row-level security, policies,
 *	  comments and grants.  Going forward on a table that has rows, the
 *	  online-safe forms: CHECK and FOREIGN KEY added NOT VALID and
 *	  validated in a later revision, SET NOT NULL through a validated
 *	  CHECK; what cannot be avoided is a "-- hazard:" comment.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "base/spi.h"
#include "schema/diff_int.h"

#define RANK_TABLE 3

static void create_table(SmigDiffState *d, const char *key, JsonbContainer *t);
static void alter_table(SmigDiffState *d, SmigEntry *f, JsonbContainer *t,
						const char *key);
static void column_def(StringInfo sql, const char *name, JsonbContainer *c);
static void diff_columns(SmigDiffState *d, SmigEntry *fe, JsonbContainer *t,
						 const char *key, bool rows, StringInfo alter);
static void diff_constraints(SmigDiffState *d, JsonbContainer *f,
							 JsonbContainer *t, const char *key, bool rows,
							 bool cic);
static void diff_strings(SmigDiffState *d, JsonbContainer *f, JsonbContainer *t,
						 const char *kind, const char *key, bool rows,
						 bool cic, bool cic_drop);
static char *index_def(const char *def);
static char *cic_def(const char *def, const char *name, const char *newname);
static const char *unique_columns(const char *def);
static bool drops_column(JsonbContainer *f, JsonbContainer *t);
static void prepend_down(StringInfo buf, const char *text);
static char *schema_part(const char *key);
static void rename_columns(SmigDiffState *d, SmigMap *cols, const char *key,
						   const char *orig);
static const char *lit(const char *s);

static const char *
lit(const char *s)
{
	return s ? quote_literal_cstr(s) : "NULL";
}

/* "a"."b" -> "a" */
static char *
schema_part(const char *key)
{
	const char *p;
	bool		inq = false;

	for (p = key; *p; p++)
	{
		if (*p == '"')
			inq = !inq;
		else if (*p == '.' && !inq)
			return pnstrdup(key, p - key);
	}
	return pstrdup(key);
}

/* an index definition that also builds the partitions' indexes */
static char *
index_def(const char *def)
{
	const char *only = strstr(def, " ON ONLY ");

	if (only == NULL)
		return pstrdup(def);
	return psprintf("%.*s ON %s", (int) (only - def), def, only + strlen(" ON ONLY "));
}

/*
 * cic_def
 *		"CREATE [UNIQUE] INDEX name ON ..." (pg_get_indexdef) as
 *		"CREATE [UNIQUE] INDEX CONCURRENTLY newname ON ...", newname NULL
 *		for the same name; NULL when def is not of that form (ON ONLY).
 */
static char *
cic_def(const char *def, const char *name, const char *newname)
{
	const char *qname = quote_identifier(name);
	const char *forms[2] = {"CREATE INDEX ", "CREATE UNIQUE INDEX "};
	int			k;

	for (k = 0; k < 2; k++)
	{
		size_t		len = strlen(forms[k]);
		const char *rest = def + len;

		if (strncmp(def, forms[k], len) != 0 ||
			strncmp(rest, qname, strlen(qname)) != 0)
			continue;
		rest += strlen(qname);
		if (strncmp(rest, " ON ", 4) != 0 || strncmp(rest, " ON ONLY ", 9) == 0)
			return NULL;
		return psprintf("%sCONCURRENTLY %s%s", forms[k],
						quote_identifier(newname ? newname : name), rest);
	}
	return NULL;
}

/*
 * unique_columns
 *		"(a, b) [INCLUDE (c)]" of a UNIQUE or PRIMARY KEY constraint's
 *		definition, the part a CREATE UNIQUE INDEX takes as it is; NULL for
 *		the forms an index built beforehand cannot reproduce simply (NULLS
 *		NOT DISTINCT, WITH, USING INDEX TABLESPACE, DEFERRABLE).
 */
static const char *
unique_columns(const char *def)
{
	const char *rest;

	if (strncmp(def, "UNIQUE (", 8) == 0)
		rest = def + 7;
	else if (strncmp(def, "PRIMARY KEY (", 13) == 0)
		rest = def + 12;
	else
		return NULL;
	if (strstr(rest, " WITH (") || strstr(rest, " USING INDEX") ||
		strstr(rest, "DEFERRABLE") || strstr(rest, "NULLS "))
		return NULL;
	return rest;
}

/* whether a column of f is not in t (dropping it drops its indexes) */
static bool
drops_column(JsonbContainer *f, JsonbContainer *t)
{
	SmigMap    *fc = smig_map(smig_jobj(f, "columns"));
	SmigMap    *tc = smig_map(smig_jobj(t, "columns"));
	int			i;

	for (i = 0; i < fc->n; i++)
		if (smig_map_find(tc, fc->e[i].key) == NULL)
			return true;
	return false;
}

/* a downgrade runs its steps in the reverse order of the upgrade's */
static void
prepend_down(StringInfo buf, const char *text)
{
	char	   *rest = pstrdup(buf->data);

	resetStringInfo(buf);
	appendStringInfoString(buf, text);
	appendStringInfoString(buf, rest);
	pfree(rest);
}

/*
 * smig_table_has_rows
 *		Whether the live table key has a row; true when the caller may not
 *		read it (then the online-safe forms are used, which is harmless).
 */
bool
smig_table_has_rows(const char *key)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	bool		isnull;
	bool		readable;

	values[0] = CStringGetTextDatum(key);
	smig_spi_exec("SELECT pg_catalog.has_table_privilege(pg_catalog.to_regclass($1), 'SELECT')",
				  1, types, values, NULL, true, SPI_OK_SELECT);
	readable = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull));
	if (isnull || !readable)
		return true;
	smig_spi_exec(psprintf("SELECT EXISTS (SELECT 1 FROM %s)", key),
				  0, NULL, NULL, NULL, true, SPI_OK_SELECT);
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * smig_apply_renames
 *		ALTER TABLE ... RENAME for each rename asked, and the live tables'
 *		keys changed to their new names (column renames are applied when
 *		the table's columns are compared).
 */
void
smig_apply_renames(SmigDiffState *d, SmigMap *from)
{
	ListCell   *lc;

	foreach(lc, d->renames)
	{
		SmigRename *r = lfirst(lc);
		char	   *tkey = psprintf("%s.%s", quote_identifier(r->schema),
									quote_identifier(r->table));
		SmigEntry  *e;

		if (r->column != NULL)
			continue;
		e = smig_map_find(from, tkey);
		if (e == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("renames: table %s does not exist", tkey)));
		smig_emit(d, P_RENAME, "ALTER TABLE %s RENAME TO %s;", tkey,
				  quote_identifier(r->newname));
		e->key = psprintf("%s.%s", quote_identifier(r->schema),
						  quote_identifier(r->newname));
		smig_map_sort(from);
	}
}

/* column renames of the table now keyed key (orig before table renames) */
static void
rename_columns(SmigDiffState *d, SmigMap *cols, const char *key,
			   const char *orig)
{
	ListCell   *lc;

	foreach(lc, d->renames)
	{
		SmigRename *r = lfirst(lc);
		char	   *tkey;
		SmigEntry  *c;

		if (r->column == NULL)
			continue;
		tkey = psprintf("%s.%s", quote_identifier(r->schema), quote_identifier(r->table));
		if (strcmp(tkey, key) != 0 && strcmp(tkey, orig) != 0)
			continue;
		c = smig_map_find(cols, r->column);
		if (c == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("renames: column %s of table %s does not exist",
							quote_identifier(r->column), key)));
		smig_emit(d, P_RENAME, "ALTER TABLE %s RENAME COLUMN %s TO %s;", key,
				  quote_identifier(r->column), quote_identifier(r->newname));
		c->key = pstrdup(r->newname);
		smig_map_sort(cols);
	}
}

/* "name type [COLLATE] [GENERATED ...|DEFAULT ...] [NOT NULL]" */
static void
column_def(StringInfo sql, const char *name, JsonbContainer *c)
{
	char	   *coll = smig_jstr(c, "collation");
	char	   *gen = smig_jstr(c, "generated");
	char	   *ident = smig_jstr(c, "identity");
	char	   *def = smig_jstr(c, "default");

	appendStringInfo(sql, "%s %s", quote_identifier(name), smig_jstr(c, "type"));
	if (coll)
		appendStringInfo(sql, " COLLATE %s", coll);
	if (gen)
		appendStringInfo(sql, " GENERATED ALWAYS AS %s", gen);
	else if (ident)
		appendStringInfo(sql, " GENERATED %s AS IDENTITY", ident);
	else if (def)
		appendStringInfo(sql, " DEFAULT %s", def);
	if (smig_jbool(c, "not_null"))
		appendStringInfoString(sql, " NOT NULL");
}

void
smig_diff_tables(SmigDiffState *d, SmigMap *from, SmigMap *to)
{
	int			i;

	smig_apply_renames(d, from);
	for (i = 0; i < from->n; i++)
	{
		SmigEntry  *fe = &from->e[i];
		char	   *parent = smig_jstr(fe->obj, "partition_of");
		SmigObjNode   *n;
		int			j;

		if (smig_map_find(to, fe->key) != NULL)
			continue;
		d->changed = lappend(d->changed, psprintf("table:%s", fe->orig));
		/* a partition goes with its parent */
		if (parent && smig_map_find(to, parent) == NULL)
			continue;
		n = smig_node(&d->drop_nodes, "table", fe->key, RANK_TABLE, fe->obj);
		for (j = 0; j < to->n; j++)
			if (smig_map_find(from, to->e[j].key) == NULL &&
				strcmp(schema_part(to->e[j].key), schema_part(fe->key)) == 0 &&
				smig_jsame(fe->obj, to->e[j].obj, "columns"))
				appendStringInfo(n->sql, "-- looks like a rename: %s -> %s (pass renames => '{\"%s\": \"%s\"}' to keep the rows)\n",
								 fe->key, to->e[j].key, fe->key,
								 to->e[j].key + strlen(schema_part(fe->key)) + 1);
		appendStringInfo(n->sql, "-- hazard: deletes the rows of %s\nDROP TABLE %s;\n",
						 fe->key, fe->key);
	}
	for (i = 0; i < to->n; i++)
	{
		SmigEntry  *fe = smig_map_find(from, to->e[i].key);

		CHECK_FOR_INTERRUPTS();
		if (fe == NULL)
			create_table(d, to->e[i].key, to->e[i].obj);
		else if (d->renames == NIL &&
				 strcmp(JsonbToCString(NULL, fe->obj, -1),
						JsonbToCString(NULL, to->e[i].obj, -1)) == 0)
			continue;			/* the same table: nothing to look at */
		else
			alter_table(d, fe, to->e[i].obj, to->e[i].key);
	}
}

static void
create_table(SmigDiffState *d, const char *key, JsonbContainer *t)
{
	SmigObjNode   *n = smig_node(&d->create_nodes, "table", key, RANK_TABLE, t);
	char	   *parent = smig_jstr(t, "partition_of");
	char	   *partby = smig_jstr(t, "partition_by");
	List	   *opts = smig_jstrings(smig_jobj(t, "options"));
	JsonbContainer *cols = smig_jobj(t, "columns");
	ListCell   *lc;
	bool		first = true;

	appendStringInfo(n->sql, "CREATE %sTABLE %s",
					 smig_jbool(t, "unlogged") ? "UNLOGGED " : "", key);
	if (parent)
	{
		n->deps = lappend(n->deps, psprintf("table:%s", parent));
		appendStringInfo(n->sql, " PARTITION OF %s %s", parent,
						 smig_jstr(t, "partition_bound"));
	}
	else
	{
		appendStringInfoString(n->sql, " (");
		foreach(lc, smig_jstrings(smig_jobj(t, "column_order")))
		{
			appendStringInfoString(n->sql, first ? "\n    " : ",\n    ");
			column_def(n->sql, lfirst(lc), smig_jobj(cols, lfirst(lc)));
			first = false;
		}
		appendStringInfoString(n->sql, first ? ")" : "\n)");
	}
	if (partby)
		appendStringInfo(n->sql, " PARTITION BY %s", partby);
	if (opts != NIL)
	{
		appendStringInfo(n->sql, " %s (", "WITH");	/* storage options */
		first = true;
		foreach(lc, opts)
		{
			appendStringInfo(n->sql, "%s%s", first ? "" : ", ", (char *) lfirst(lc));
			first = false;
		}
		appendStringInfoChar(n->sql, ')');
	}
	appendStringInfoString(n->sql, ";\n");

	diff_constraints(d, NULL, t, key, false, false);
	diff_strings(d, NULL, t, "indexes", key, false, false, false);
	diff_strings(d, NULL, t, "triggers", key, false, false, false);
	diff_strings(d, NULL, t, "policies", key, false, false, false);
	if (smig_jbool(t, "rls"))
		smig_emit(d, P_RLS, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;", key);
	if (smig_jbool(t, "force_rls"))
		smig_emit(d, P_RLS, "ALTER TABLE %s FORCE ROW LEVEL SECURITY;", key);
	smig_diff_comment(d, "TABLE", key, NULL, t);
	if (cols)
	{
		SmigMap    *cm = smig_map(cols);
		int			i;

		for (i = 0; i < cm->n; i++)
		{
			char	   *c = smig_jstr(cm->e[i].obj, "comment");

			if (c)
				smig_emit(d, P_COMMENT, "COMMENT ON COLUMN %s.%s IS %s;", key,
						  quote_identifier(cm->e[i].key), lit(c));
		}
	}
	smig_diff_acl(d, "TABLE", key, NULL, t, NULL);
}

static void
alter_table(SmigDiffState *d, SmigEntry *fe, JsonbContainer *t, const char *key)
{
	JsonbContainer *f = fe->obj;
	StringInfoData alter;
	bool		rows = false;
	bool		cic;
	bool		cic_drop;

	/* only the forward direction looks at the rows */
	if (d->online)
		rows = smig_table_has_rows(fe->orig);

	/*
	 * Indexes of a table with rows are built and dropped CONCURRENTLY in a
	 * revision without a transaction, after the main one.  Not on a
	 * partitioned table (no CONCURRENTLY there), nor when diff() renames
	 * (the downgrade would name the old table or columns); an index is not
	 * dropped there when the main revision drops one of the table's
	 * columns (which may drop the index first, and whose downgrade would
	 * come after the index's).
	 */
	cic = rows && d->renames == NIL && !smig_jstr(t, "partition_by") &&
		!smig_jstr(f, "partition_by");
	cic_drop = cic && !drops_column(f, t);

	initStringInfo(&alter);
	if (smig_jbool(f, "unlogged") != smig_jbool(t, "unlogged"))
		appendStringInfo(&alter, "ALTER TABLE %s SET %s;\n", key,
						 smig_jbool(t, "unlogged") ? "UNLOGGED" : "LOGGED");
	if (!smig_jsame(f, t, "partition_by") || !smig_jsame(f, t, "partition_of") ||
		!smig_jsame(f, t, "partition_bound"))
		appendStringInfo(&alter, "-- not handled: partitioning of %s changes (%s %s -> %s %s)\n",
						 key, smig_jstr(f, "partition_by") ? smig_jstr(f, "partition_by") : "",
						 smig_jstr(f, "partition_bound") ? smig_jstr(f, "partition_bound") : "",
						 smig_jstr(t, "partition_by") ? smig_jstr(t, "partition_by") : "",
						 smig_jstr(t, "partition_bound") ? smig_jstr(t, "partition_bound") : "");
	if (!smig_jsame(f, t, "options"))
		appendStringInfo(&alter, "-- not handled: storage options of %s change (%s -> %s)\n",
						 key, smig_jtext(f, "options") ? smig_jtext(f, "options") : "none",
						 smig_jtext(t, "options") ? smig_jtext(t, "options") : "none");
	diff_columns(d, fe, t, key, rows, &alter);
	if (alter.len > 0)
	{
		SmigObjNode   *n = smig_node(&d->create_nodes, "table", key, RANK_TABLE, t);

		appendBinaryStringInfo(n->sql, alter.data, alter.len);
	}
	diff_constraints(d, f, t, key, rows, cic);
	diff_strings(d, f, t, "indexes", key, rows, cic, cic_drop);
	diff_strings(d, f, t, "triggers", key, rows, false, false);
	diff_strings(d, f, t, "policies", key, rows, false, false);
	if (smig_jbool(f, "rls") != smig_jbool(t, "rls"))
		smig_emit(d, P_RLS, "ALTER TABLE %s %s ROW LEVEL SECURITY;", key,
				  smig_jbool(t, "rls") ? "ENABLE" : "DISABLE");
	if (smig_jbool(f, "force_rls") != smig_jbool(t, "force_rls"))
		smig_emit(d, P_RLS, "ALTER TABLE %s %s ROW LEVEL SECURITY;", key,
				  smig_jbool(t, "force_rls") ? "FORCE" : "NO FORCE");
	smig_diff_comment(d, "TABLE", key, f, t);
	smig_diff_acl(d, "TABLE", key, f, t, NULL);
}

/* ALTER TABLE for the columns; drops of parts go to P_DROP_COLUMN */
static void
diff_columns(SmigDiffState *d, SmigEntry *fe, JsonbContainer *t,
			 const char *key, bool rows, StringInfo alter)
{
	SmigMap    *fc = smig_map(smig_jobj(fe->obj, "columns"));
	SmigMap    *tc = smig_map(smig_jobj(t, "columns"));
	bool		changed = false;
	int			i;

	rename_columns(d, fc, key, fe->orig);
	for (i = 0; i < fc->n; i++)
	{
		int			j;

		if (smig_map_find(tc, fc->e[i].key) != NULL)
			continue;
		for (j = 0; j < tc->n; j++)
			if (smig_map_find(fc, tc->e[j].key) == NULL &&
				smig_jsame(fc->e[i].obj, tc->e[j].obj, "type"))
				smig_emit(d, P_DROP_COLUMN, "-- looks like a rename: column %s.%s -> %s (pass renames => '{\"%s.%s\": \"%s\"}' to keep the data)",
						  key, quote_identifier(fc->e[i].key), quote_identifier(tc->e[j].key),
						  key, fc->e[i].key, tc->e[j].key);
		smig_emit(d, P_DROP_COLUMN, "-- hazard: deletes the data of column %s.%s",
				  key, quote_identifier(fc->e[i].key));
		smig_emit(d, P_DROP_COLUMN, "ALTER TABLE %s DROP COLUMN %s;", key,
				  quote_identifier(fc->e[i].key));
		changed = true;
	}
	for (i = 0; i < tc->n; i++)
	{
		const char *col = quote_identifier(tc->e[i].key);
		JsonbContainer *c = tc->e[i].obj;
		SmigEntry  *oe = smig_map_find(fc, tc->e[i].key);
		JsonbContainer *o;
		char	   *gen = smig_jstr(c, "generated");
		char	   *ident = smig_jstr(c, "identity");
		char	   *def = smig_jstr(c, "default");
		bool		readd = false;

		if (oe != NULL)
		{
			o = oe->obj;
			/* a generation expression cannot change in place */
			if (gen && !smig_jsame(o, c, "generated"))
			{
				smig_emit(d, P_DROP_COLUMN, "ALTER TABLE %s DROP COLUMN %s;", key, col);
				readd = true;
				changed = true;
			}
		}
		if (oe == NULL || readd)
		{
			if (rows && smig_jbool(c, "not_null") && !gen && !ident && !def)
				appendStringInfo(alter, "-- hazard: %s has rows: adding NOT NULL column %s without a default fails; give it a default or backfill it first\n",
								 key, col);
			appendStringInfo(alter, "ALTER TABLE %s ADD COLUMN ", key);
			column_def(alter, tc->e[i].key, c);
			appendStringInfoString(alter, ";\n");
			if (oe == NULL)
			{
				char	   *cm = smig_jstr(c, "comment");

				if (cm)
					smig_emit(d, P_COMMENT, "COMMENT ON COLUMN %s.%s IS %s;", key, col, lit(cm));
				continue;
			}
		}
		o = oe->obj;
		if (!gen && smig_jstr(o, "generated"))
			appendStringInfo(alter, "ALTER TABLE %s ALTER COLUMN %s DROP EXPRESSION;\n", key, col);
		if (!readd && (!smig_jsame(o, c, "type") || !smig_jsame(o, c, "collation")))
		{
			char	   *coll = smig_jstr(c, "collation");

			if (rows)
				appendStringInfo(alter, "-- hazard: rewrites %s under ACCESS EXCLUSIVE (column %s: %s -> %s)\n",
								 key, col, smig_jstr(o, "type"), smig_jstr(c, "type"));
			appendStringInfo(alter, "ALTER TABLE %s ALTER COLUMN %s TYPE %s%s%s USING %s::%s;\n",
							 key, col, smig_jstr(c, "type"), coll ? " COLLATE " : "",
							 coll ? coll : "", col, smig_jstr(c, "type"));
			changed = true;
		}
		if (!readd && !smig_jsame(o, c, "default"))
		{
			if (smig_jstr(o, "default"))
				smig_emit(d, P_DROP_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT;", key, col);
			if (def)
				appendStringInfo(alter, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s;\n", key, col, def);
		}
		if (!readd && !smig_jsame(o, c, "identity") && smig_jstr(o, "identity"))
		{
			if (ident)
				appendStringInfo(alter, "ALTER TABLE %s ALTER COLUMN %s SET GENERATED %s;\n", key, col, ident);
			else
				smig_emit(d, P_DROP_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY;", key, col);
		}
		if (!readd && smig_jbool(o, "not_null") && !smig_jbool(c, "not_null"))
			smig_emit(d, P_DROP_COLUMN, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL;", key, col);
		if (!readd && !smig_jbool(o, "not_null") && smig_jbool(c, "not_null"))
		{
			if (d->online && rows && !ident)
			{
				/* SET NOT NULL skips its scan when a valid CHECK proves it */
				const char *tmp = quote_identifier(psprintf("%.50s_not_null", tc->e[i].key));

				appendStringInfo(alter, "ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID;\n",
								 key, tmp, col);
				smig_emit(d, P_VALIDATE, "ALTER TABLE %s VALIDATE CONSTRAINT %s;", key, tmp);
				smig_emit(d, P_VALIDATE, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;", key, col);
				smig_emit(d, P_VALIDATE, "ALTER TABLE %s DROP CONSTRAINT %s;", key, tmp);
				appendStringInfo(&d->validate_down, "ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL;\n", key, col);
				appendStringInfo(&d->extra_down, "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s;\n", key, tmp);
			}
			else
				appendStringInfo(alter, "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL;\n", key, col);
		}
		if (!readd && ident && !smig_jstr(o, "identity"))
			appendStringInfo(alter, "ALTER TABLE %s ALTER COLUMN %s ADD GENERATED %s AS IDENTITY;\n", key, col, ident);
		if (!smig_jsame(o, c, "comment"))
			smig_emit(d, P_COMMENT, "COMMENT ON COLUMN %s.%s IS %s;", key, col,
					  lit(smig_jstr(c, "comment")));
	}
	if (changed)
	{
		d->changed = lappend(d->changed, psprintf("table:%s", fe->orig));
		d->changed = lappend(d->changed, psprintf("table:%s", key));
	}
}

/* CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY, EXCLUDE by name */
static void
diff_constraints(SmigDiffState *d, JsonbContainer *f, JsonbContainer *t,
				 const char *key, bool rows, bool cic)
{
	SmigMap    *fm = smig_map(f ? smig_jobj(f, "constraints") : NULL);
	SmigMap    *tm = smig_map(smig_jobj(t, "constraints"));
	int			i;

	for (i = 0; i < fm->n; i++)
	{
		SmigEntry  *te = smig_map_find(tm, fm->e[i].key);
		char	   *fdef = smig_jreq(fm->e[i].obj, "def", fm->e[i].key);
		char	   *type = smig_jreq(fm->e[i].obj, "type", fm->e[i].key);

		if (te != NULL && smig_jsame(fm->e[i].obj, te->obj, "def"))
			continue;
		/* only a validation missing: VALIDATE, no drop */
		if (te != NULL)
		{
			char	   *tdef = smig_jreq(te->obj, "def", te->key);

			if (strlen(fdef) == strlen(tdef) + strlen(" NOT VALID") &&
				strncmp(fdef, tdef, strlen(tdef)) == 0 &&
				strcmp(fdef + strlen(tdef), " NOT VALID") == 0)
				continue;
		}
		/* backwards: the downgrade of P_ATTACH drops it */
		if (!d->online &&
			smig_list_has(d->concurrent, psprintf("%s.%s", schema_part(key),
												  quote_identifier(fm->e[i].key))))
			continue;
		smig_emit(d, strcmp(type, "f") == 0 ? P_DROP_FK : P_DROP_CONSTRAINT,
				  "ALTER TABLE %s DROP CONSTRAINT %s;", key,
				  quote_identifier(fm->e[i].key));
	}
	for (i = 0; i < tm->n; i++)
	{
		SmigEntry  *fe = smig_map_find(fm, tm->e[i].key);
		char	   *def = smig_jreq(tm->e[i].obj, "def", tm->e[i].key);
		char	   *type = smig_jreq(tm->e[i].obj, "type", tm->e[i].key);
		const char *name = quote_identifier(tm->e[i].key);
		SmigPhase	p = strcmp(type, "f") == 0 ? P_FK : P_CONSTRAINT;
		int			len = strlen(def);
		bool		not_valid = len > 10 && strcmp(def + len - 10, " NOT VALID") == 0;

		if (fe != NULL && smig_jsame(fe->obj, tm->e[i].obj, "def"))
			continue;
		if (fe != NULL)
		{
			char	   *fdef = smig_jreq(fe->obj, "def", fe->key);

			if (strlen(fdef) == strlen(def) + 10 && strncmp(fdef, def, strlen(def)) == 0)
			{
				smig_emit(d, d->online ? P_VALIDATE : p,
						  "ALTER TABLE %s VALIDATE CONSTRAINT %s;", key, name);
				continue;
			}
		}
		if (rows && (strcmp(type, "c") == 0 || strcmp(type, "f") == 0) && !not_valid)
		{
			smig_emit(d, p, "ALTER TABLE %s ADD CONSTRAINT %s %s NOT VALID;", key, name, def);
			smig_emit(d, P_VALIDATE, "ALTER TABLE %s VALIDATE CONSTRAINT %s;", key, name);
			continue;
		}
		if (cic && (strcmp(type, "p") == 0 || strcmp(type, "u") == 0) &&
			unique_columns(def) != NULL)
		{
			char	   *qual = psprintf("%s.%s", schema_part(key), name);

			/* its index built concurrently, then made the constraint */
			smig_emit(d, P_CIC, "CREATE UNIQUE INDEX CONCURRENTLY %s ON %s %s;",
					  name, key, unique_columns(def));
			prepend_down(&d->cic_down,
						 psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;\n", qual));
			smig_emit(d, P_ATTACH, "ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s;",
					  key, name, strcmp(type, "p") == 0 ? "PRIMARY KEY" : "UNIQUE", name);
			prepend_down(&d->attach_down,
						 psprintf("ALTER TABLE %s DROP CONSTRAINT %s;\n", key, name));
			d->concurrent = lappend(d->concurrent, qual);
			continue;
		}
		if (rows && (strcmp(type, "p") == 0 || strcmp(type, "u") == 0))
			smig_emit(d, p, "-- hazard: %s has rows: this builds the index of %s under ACCESS EXCLUSIVE (not built CONCURRENTLY: %s)",
					  key, name, cic ? "a form CREATE UNIQUE INDEX does not take" :
					  "the table is partitioned, or this diff changes names");
		if (rows && strcmp(type, "x") == 0)
			smig_emit(d, p, "-- hazard: %s has rows: EXCLUDE constraint %s is built and checked under ACCESS EXCLUSIVE",
					  key, name);
		smig_emit(d, p, "ALTER TABLE %s ADD CONSTRAINT %s %s;", key, name, def);
	}
}

/*
 * Indexes, triggers and policies: name -> full definition.  Changed ones
 * are dropped and made again.
 */
static void
diff_strings(SmigDiffState *d, JsonbContainer *f, JsonbContainer *t,
			 const char *kind, const char *key, bool rows, bool cic,
			 bool cic_drop)
{
	SmigMap    *fm = smig_map(f ? smig_jobj(f, kind) : NULL);
	SmigMap    *tm = smig_map(smig_jobj(t, kind));
	bool		index = strcmp(kind, "indexes") == 0;
	bool		trigger = strcmp(kind, "triggers") == 0;
	int			i;

	for (i = 0; i < fm->n; i++)
	{
		SmigEntry  *te = smig_map_find(tm, fm->e[i].key);
		const char *name = quote_identifier(fm->e[i].key);
		char	   *qual = psprintf("%s.%s", schema_part(key), name);
		char	   *old = fm->e[i].str ? index_def(fm->e[i].str) : NULL;

		CHECK_FOR_INTERRUPTS();
		if (te != NULL && fm->e[i].str && te->str && strcmp(fm->e[i].str, te->str) == 0)
			continue;
		if (!index)
		{
			if (trigger)
				smig_emit(d, P_DROP_TRIGGER, "DROP TRIGGER %s ON %s;", name, key);
			else
				smig_emit(d, P_DROP_POLICY, "DROP POLICY %s ON %s;", name, key);
			continue;
		}
		/* backwards: the downgrade of the P_CIC revision handles it */
		if (!d->online && smig_list_has(d->concurrent, qual))
			continue;
		/* a redefinition swapped concurrently: below */
		if (cic_drop && te != NULL && te->str && old &&
			cic_def(old, fm->e[i].key, NULL) &&
			cic_def(index_def(te->str), te->key, NULL))
			continue;
		if (cic_drop && te == NULL && old && cic_def(old, fm->e[i].key, NULL))
		{
			smig_emit(d, P_CIC, "DROP INDEX CONCURRENTLY %s;", qual);
			prepend_down(&d->cic_down,
						 psprintf("%s;\n", cic_def(old, fm->e[i].key, NULL)));
			d->concurrent = lappend(d->concurrent, qual);
			continue;
		}
		smig_emit(d, P_DROP_INDEX, "DROP INDEX %s;", qual);
	}
	for (i = 0; i < tm->n; i++)
	{
		SmigEntry  *fe = smig_map_find(fm, tm->e[i].key);
		char	   *def = tm->e[i].str;
		const char *iname = tm->e[i].key;
		char	   *qual;
		char	   *idef;

		CHECK_FOR_INTERRUPTS();
		if (def == NULL || (fe != NULL && fe->str && strcmp(fe->str, def) == 0))
			continue;
		if (!index)
		{
			smig_emit(d, trigger ? P_TRIGGER : P_POLICY, "%s;", def);
			continue;
		}
		qual = psprintf("%s.%s", schema_part(key), quote_identifier(iname));
		idef = index_def(def);
		if (!d->online && smig_list_has(d->concurrent, qual))
			continue;
		if (cic && fe == NULL && cic_def(idef, iname, NULL))
		{
			smig_emit(d, P_CIC, "%s;", cic_def(idef, iname, NULL));
			prepend_down(&d->cic_down,
						 psprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;\n", qual));
			d->concurrent = lappend(d->concurrent, qual);
			continue;
		}
		if (cic_drop && fe != NULL && fe->str && cic_def(idef, iname, NULL) &&
			cic_def(index_def(fe->str), iname, NULL))
		{
			/* built beside the old one, which it then replaces */
			char	   *tmp = psprintf("%.50s_smig_new", iname);
			char	   *qtmp = psprintf("%s.%s", schema_part(key), quote_identifier(tmp));
			const char *swap = psprintf("DROP INDEX CONCURRENTLY %s;\nALTER INDEX %s RENAME TO %s;",
										qual, qtmp, quote_identifier(iname));

			smig_emit(d, P_CIC, "%s;\n%s", cic_def(idef, iname, tmp), swap);
			prepend_down(&d->cic_down,
						 psprintf("%s;\n%s\n", cic_def(index_def(fe->str), iname, tmp), swap));
			d->concurrent = lappend(d->concurrent, qual);
			continue;
		}
		if (rows)
			smig_emit(d, P_INDEX, "-- hazard: %s has rows: CREATE INDEX blocks its writes while it builds (not built CONCURRENTLY: the table is partitioned, or this diff changes names or drops a column of it)",
					  key);
		smig_emit(d, P_INDEX, "%s;", idef);
	}
}
