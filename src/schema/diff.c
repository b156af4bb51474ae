/*-------------------------------------------------------------------------
 *
 * diff.c
 *	  diff(): compare the live schema (describe() of this database) with a
 *	  desired snapshot and produce the statements that take one to the
 *	  other, by phase; then the same comparison backwards for the
 *	  downgrade.  Here: the driver, schemas, extensions, types, sequences,
 *	  functions, views, comments and grants.  Tables are in diff_table.c,
 *	  ordering in order.c, the script text in render.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "base/spi.h"
#include "schema/diff_int.h"
#include "schema/schema.h"

/* ranks: the tie-break among objects with no dependency between them */
#define RANK_TYPE 0
#define RANK_SEQUENCE 1
#define RANK_FUNCTION 2
#define RANK_VIEW 4

static void diff_state_init(SmigDiffState *d, JsonbContainer *from,
							JsonbContainer *to, bool online, List *renames);
static void diff_run(SmigDiffState *d);
static void diff_schemas(SmigDiffState *d);
static void diff_extensions(SmigDiffState *d);
static bool extension_path_exists(const char *key, const char *from,
								  const char *to);
static void diff_types(SmigDiffState *d);
static void diff_enum(SmigDiffState *d, const char *key, JsonbContainer *f,
					  JsonbContainer *t);
static void diff_domain(SmigDiffState *d, SmigObjNode *node, const char *key,
						JsonbContainer *f, JsonbContainer *t);
static void diff_composite(SmigDiffState *d, SmigObjNode *node, const char *key,
						   JsonbContainer *f, JsonbContainer *t);
static void create_type(StringInfo sql, const char *key, JsonbContainer *t);
static void get_attrs(JsonbContainer *t, List **names, List **types);
static void diff_sequences(SmigDiffState *d);
static void sequence_options(StringInfo sql, JsonbContainer *s);
static void diff_functions(SmigDiffState *d);
static void diff_views(SmigDiffState *d);
static void diff_not_handled(SmigDiffState *d);
static bool depends_on_any(JsonbContainer *obj, List *ids);
static List *parse_renames(Jsonb *renames, SmigMap *tables);
static void check_versions(JsonbContainer *from, JsonbContainer *to);
static const char *lit(const char *s);

/* a quoted literal, or NULL spelled out */
static const char *
lit(const char *s)
{
	return s ? quote_literal_cstr(s) : "NULL";
}

void
smig_emit(SmigDiffState *d, SmigPhase p, const char *fmt,...)
{
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&d->out[p], fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&d->out[p], needed);
	}
	appendStringInfoChar(&d->out[p], '\n');
}

/* a new node "kind:key" with the deps of obj, added to *nodes */
SmigObjNode *
smig_node(List **nodes, const char *kind, const char *key, int rank,
		  JsonbContainer *obj)
{
	SmigObjNode *node = palloc0(sizeof(SmigObjNode));

	node->id = psprintf("%s:%s", kind, key);
	node->rank = rank;
	node->deps = smig_jstrings(smig_jobj(obj, "deps"));
	node->sql = makeStringInfo();
	*nodes = lappend(*nodes, node);
	return node;
}

static void
diff_state_init(SmigDiffState *d, JsonbContainer *from, JsonbContainer *to,
				bool online, List *renames)
{
	int			p;

	memset(d, 0, sizeof(SmigDiffState));
	d->from = from;
	d->to = to;
	d->online = online;
	d->renames = renames;
	for (p = 0; p < P_COUNT; p++)
		initStringInfo(&d->out[p]);
	initStringInfo(&d->validate_down);
	initStringInfo(&d->extra_down);
	initStringInfo(&d->cic_down);
	initStringInfo(&d->attach_down);
}

/*
 * smig_diff
 *		The script taking this database to desired, NULL when nothing
 *		differs.  Needs an open SPI connection; reads only.
 */
char *
smig_diff(Jsonb *desired, Jsonb *renames)
{
	JsonbContainer *to = &desired->root;
	JsonbContainer *from;
	JsonbContainer *filter;
	Jsonb	   *live;
	List	   *fwd_renames;
	List	   *rev_renames = NIL;
	SmigDiffState fwd;
	SmigDiffState rev;
	ListCell   *lc;

	if (!JsonContainerIsObject(to) || smig_jstr(to, "format") == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("desired is not a schemamig.describe() snapshot"),
				 errhint("Pass the jsonb that schemamig.describe() returned in a database holding the desired schema.")));
	if (strcmp(smig_jstr(to, "format"), "1") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("desired has snapshot format %s; this schemamig reads format 1",
						smig_jstr(to, "format"))));
	if (renames != NULL && !JsonContainerIsObject(&renames->root))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("renames must be a jsonb object"),
				 errhint("Example: '{\"public.audit\": \"audit_log\", \"public.orders.note\": \"memo\"}'.")));

	/* describe this database the way desired was described */
	filter = smig_jobj(to, "filter");
	if (filter != NULL && JsonContainerIsArray(filter))
		live = smig_describe(smig_list_to_array(smig_jstrings(filter)), false);
	else
		live = smig_describe((Datum) 0, true);
	from = &live->root;
	check_versions(from, to);

	fwd_renames = parse_renames(renames, smig_map(smig_jobj(from, "tables")));
	diff_state_init(&fwd, from, to, true, fwd_renames);
	diff_run(&fwd);

	/* the downgrade: the same comparison backwards, renames reversed */
	foreach(lc, fwd_renames)
	{
		SmigRename *r = lfirst(lc);
		SmigRename *b = palloc0(sizeof(SmigRename));

		b->schema = r->schema;
		if (r->column == NULL)
		{
			b->table = r->newname;
			b->newname = r->table;
		}
		else
		{
			b->table = r->table;
			b->column = r->newname;
			b->newname = r->column;
		}
		rev_renames = lcons(b, rev_renames);
	}
	diff_state_init(&rev, to, from, false, rev_renames);
	rev.concurrent = fwd.concurrent;
	diff_run(&rev);

	return smig_render(&fwd, &rev);
}

/*
 * smig_diff_between (issue 15, adopt_drift)
 *		The bodies of one revision taking snapshot from to snapshot to
 *		(*up) and back (*down), both plain (no online forms, no row
 *		checks): false when nothing differs.  Used with from = the state
 *		schemamig recorded and to = the live schema, so *down is what
 *		diff() would write to take this database back to the record.
 */
bool
smig_diff_between(Jsonb *from, Jsonb *to, char **up, char **down)
{
	SmigDiffState fore;
	SmigDiffState back;
	StringInfoData u;
	StringInfoData d;
	int			p;

	check_versions(&from->root, &to->root);
	diff_state_init(&fore, &from->root, &to->root, false, NIL);
	diff_run(&fore);
	diff_state_init(&back, &to->root, &from->root, false, NIL);
	diff_run(&back);
	initStringInfo(&u);
	initStringInfo(&d);
	for (p = 0; p < P_COUNT; p++)
	{
		appendBinaryStringInfo(&u, fore.out[p].data, fore.out[p].len);
		appendBinaryStringInfo(&d, back.out[p].data, back.out[p].len);
	}
	*up = u.data;
	*down = d.data;
	return u.len > 0 || d.len > 0;
}

/* both snapshots from one major version (the deparsers' text differs) */
static void
check_versions(JsonbContainer *from, JsonbContainer *to)
{
	char	   *a = smig_jstr(from, "server_version_num");
	char	   *b = smig_jstr(to, "server_version_num");

	if (b == NULL || atoi(a) / 10000 != atoi(b) / 10000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("desired was described on PostgreSQL %s, this server is %s",
						b ? b : "(unknown)", a),
				 errdetail("The deparsed definitions in a snapshot differ between major versions."),
				 errhint("Run schemamig.describe() for the desired schema on the same major version as this server.")));
}

/*
 * parse_renames
 *		{"schema.table": "new", "schema.table.column": "new"} as a list of
 *		SmigRename, tables first.  Names are split at dots (names holding
 *		dots cannot be renamed this way).
 */
static List *
parse_renames(Jsonb *renames, SmigMap *tables)
{
	List	   *tabs = NIL;
	List	   *cols = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	if (renames == NULL)
		return NIL;
	it = JsonbIteratorInit(&renames->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE && key != NULL)
		{
			SmigRename *r = palloc0(sizeof(SmigRename));
			List	   *parts = NIL;
			char	   *s = pstrdup(key);
			char	   *dot;

			if (v.type != jbvString || v.val.string.len == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("renames: the new name of \"%s\" must be a non-empty string", key)));
			while ((dot = strchr(s, '.')) != NULL)
			{
				*dot = '\0';
				parts = lappend(parts, s);
				s = dot + 1;
			}
			parts = lappend(parts, s);
			if (list_length(parts) < 2 || list_length(parts) > 3)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("renames: \"%s\" is neither schema.table nor schema.table.column", key),
						 errhint("Example: '{\"public.audit\": \"audit_log\", \"public.orders.note\": \"memo\"}'.")));
			r->schema = linitial(parts);
			r->table = lsecond(parts);
			r->column = list_length(parts) == 3 ? lthird(parts) : NULL;
			r->newname = pnstrdup(v.val.string.val, v.val.string.len);
			if (r->column == NULL)
			{
				char	   *tkey = psprintf("%s.%s", quote_identifier(r->schema),
											quote_identifier(r->table));

				if (smig_map_find(tables, tkey) == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_TABLE),
							 errmsg("renames: table %s does not exist in this database", tkey),
							 errhint("Only tables and columns can be renamed; name them as they are now.")));
				tabs = lappend(tabs, r);
			}
			else
				cols = lappend(cols, r);
			key = NULL;
		}
	}
	return list_concat(tabs, cols);
}

static void
diff_run(SmigDiffState *d)
{
	List	   *ordered;
	ListCell   *lc;

	diff_schemas(d);
	diff_extensions(d);
	diff_types(d);
	diff_sequences(d);
	diff_functions(d);
	smig_diff_tables(d, smig_kind_map(d->from, "tables"),
					 smig_kind_map(d->to, "tables"));
	diff_views(d);
	diff_not_handled(d);

	ordered = smig_order(d->drop_views, true);
	foreach(lc, ordered)
		appendBinaryStringInfo(&d->out[P_DROP_VIEW],
							   ((SmigObjNode *) lfirst(lc))->sql->data,
							   ((SmigObjNode *) lfirst(lc))->sql->len);
	ordered = smig_order(d->drop_nodes, true);
	foreach(lc, ordered)
		appendBinaryStringInfo(&d->out[P_DROP_OBJECTS],
							   ((SmigObjNode *) lfirst(lc))->sql->data,
							   ((SmigObjNode *) lfirst(lc))->sql->len);
	ordered = smig_order(d->create_nodes, false);
	foreach(lc, ordered)
		appendBinaryStringInfo(&d->out[P_OBJECTS],
							   ((SmigObjNode *) lfirst(lc))->sql->data,
							   ((SmigObjNode *) lfirst(lc))->sql->len);
}

/* COMMENT ON what key when it differs (absent from: no comment) */
void
smig_diff_comment(SmigDiffState *d, const char *what, const char *key,
				  JsonbContainer *from, JsonbContainer *to)
{
	char	   *a = from ? smig_jstr(from, "comment") : NULL;
	char	   *b = smig_jstr(to, "comment");

	if ((a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0))
		return;
	smig_emit(d, P_COMMENT, "COMMENT ON %s %s IS %s;", what, key, lit(b));
}

/*
 * smig_diff_acl
 *		GRANT and REVOKE for the difference between two "acl" lists; for a
 *		new object (from NULL) the list it starts with is defaults
 *		("EXECUTE:PUBLIC" for routines, nothing for the others).
 */
void
smig_diff_acl(SmigDiffState *d, const char *what, const char *key,
			  JsonbContainer *from, JsonbContainer *to, const char *defaults)
{
	List	   *a = from ? smig_jstrings(smig_jobj(from, "acl")) : NIL;
	List	   *b = smig_jstrings(smig_jobj(to, "acl"));
	ListCell   *lc;

	if (from == NULL && defaults)
		a = list_make1((char *) defaults);
	foreach(lc, a)
	{
		char	   *e = lfirst(lc);
		char	   *colon = strrchr(e, ':');

		if (colon == NULL || smig_list_has(b, e))
			continue;
		smig_emit(d, P_GRANT, "REVOKE %.*s ON %s %s FROM %s;",
				  (int) (colon - e - (colon[-1] == '+' ? 1 : 0)), e,
				  what, key, colon + 1);
	}
	foreach(lc, b)
	{
		char	   *e = lfirst(lc);
		char	   *colon = strrchr(e, ':');
		bool		grantable;

		if (colon == NULL || smig_list_has(a, e))
			continue;
		grantable = colon[-1] == '+';
		smig_emit(d, P_GRANT, "GRANT %.*s ON %s %s TO %s%s;",
				  (int) (colon - e - (grantable ? 1 : 0)), e, what, key,
				  colon + 1, grantable ? " WITH GRANT OPTION" : "");
	}
}

static void
diff_schemas(SmigDiffState *d)
{
	SmigMap    *from = smig_kind_map(d->from, "schemas");
	SmigMap    *to = smig_kind_map(d->to, "schemas");
	int			i;

	for (i = 0; i < from->n; i++)
		if (smig_map_find(to, from->e[i].key) == NULL)
			smig_emit(d, P_DROP_SCHEMA, "DROP SCHEMA %s;", from->e[i].key);
	for (i = 0; i < to->n; i++)
	{
		SmigEntry  *f = smig_map_find(from, to->e[i].key);

		if (f == NULL)
			smig_emit(d, P_CREATE_SCHEMA, "CREATE SCHEMA %s;", to->e[i].key);
		smig_diff_comment(d, "SCHEMA", to->e[i].key, f ? f->obj : NULL, to->e[i].obj);
		smig_diff_acl(d, "SCHEMA", to->e[i].key, f ? f->obj : NULL, to->e[i].obj, NULL);
	}
}

static void
diff_extensions(SmigDiffState *d)
{
	SmigMap    *from = smig_kind_map(d->from, "extensions");
	SmigMap    *to = smig_kind_map(d->to, "extensions");
	int			i;

	for (i = 0; i < from->n; i++)
		if (smig_map_find(to, from->e[i].key) == NULL)
			smig_emit(d, P_DROP_EXTENSION, "DROP EXTENSION %s;", from->e[i].key);
	for (i = 0; i < to->n; i++)
	{
		SmigEntry  *f = smig_map_find(from, to->e[i].key);
		JsonbContainer *t = to->e[i].obj;

		if (f == NULL)
			smig_emit(d, P_CREATE_EXTENSION, "CREATE EXTENSION %s WITH SCHEMA %s VERSION %s;",
					  to->e[i].key, smig_jstr(t, "schema"),
					  lit(smig_jstr(t, "version")));
		else if (!smig_jsame(f->obj, t, "schema"))
			smig_emit(d, P_CREATE_EXTENSION, "ALTER EXTENSION %s SET SCHEMA %s;",
					  to->e[i].key, smig_jstr(t, "schema"));
		if (f != NULL && !smig_jsame(f->obj, t, "version"))
		{
			char	   *fv = smig_jstr(f->obj, "version");
			char	   *tv = smig_jstr(t, "version");

			/*
			 * Going forward, a missing update path fails loudly when it runs;
			 * going back (most extensions ship no downgrade scripts) it is
			 * said, and the version stays.
			 */
			if (!d->online && fv != NULL && tv != NULL &&
				!extension_path_exists(to->e[i].key, fv, tv))
				smig_emit(d, P_CREATE_EXTENSION, "-- not handled: extension %s has no update path from version %s back to %s: it stays at %s",
						  to->e[i].key, fv, tv, fv);
			else
				smig_emit(d, P_CREATE_EXTENSION, "ALTER EXTENSION %s UPDATE TO %s;",
						  to->e[i].key, lit(tv));
		}
	}
}

/*
 * extension_path_exists
 *		Whether this server's extension files hold an update path of
 *		extension key (a quoted identifier) from version from to to.
 */
static bool
extension_path_exists(const char *key, const char *from, const char *to)
{
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];
	bool		isnull;
	bool		found;
	StringInfoData name;
	const char *p;

	/* the key is quote_ident(extname) */
	initStringInfo(&name);
	if (key[0] == '"')
	{
		for (p = key + 1; *p && !(p[0] == '"' && p[1] != '"'); p++)
		{
			appendStringInfoChar(&name, *p);
			if (p[0] == '"')
				p++;
		}
	}
	else
		appendStringInfoString(&name, key);
	values[0] = CStringGetTextDatum(name.data);
	values[1] = CStringGetTextDatum(from);
	values[2] = CStringGetTextDatum(to);
	smig_spi_exec("SELECT CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_available_extensions a"
				  " WHERE a.name OPERATOR(pg_catalog.=) $1)"
				  " THEN EXISTS (SELECT FROM pg_catalog.pg_extension_update_paths($1::pg_catalog.name) p"
				  " WHERE p.source OPERATOR(pg_catalog.=) $2 AND p.target OPERATOR(pg_catalog.=) $3"
				  " AND p.path IS NOT NULL) ELSE false END",
				  3, types, values, NULL, true, SPI_OK_SELECT);
	found = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 1, &isnull));
	return !isnull && found;
}

/* CREATE TYPE / CREATE DOMAIN for a type of the snapshot */
static void
create_type(StringInfo sql, const char *key, JsonbContainer *t)
{
	char	   *kind = smig_jreq(t, "kind", key);

	if (strcmp(kind, "enum") == 0)
	{
		ListCell   *lc;
		bool		first = true;

		appendStringInfo(sql, "CREATE TYPE %s AS ENUM (", key);
		foreach(lc, smig_jstrings(smig_jobj(t, "values")))
		{
			appendStringInfo(sql, "%s%s", first ? "" : ", ",
							 quote_literal_cstr(lfirst(lc)));
			first = false;
		}
		appendStringInfoString(sql, ");\n");
	}
	else if (strcmp(kind, "domain") == 0)
	{
		char	   *coll = smig_jstr(t, "collation");
		char	   *def = smig_jstr(t, "default");
		JsonbContainer *c = smig_jobj(t, "constraints");
		JsonbIterator *it;
		JsonbValue	v;
		JsonbIteratorToken tok;
		char	   *name = NULL;

		appendStringInfo(sql, "CREATE DOMAIN %s AS %s", key, smig_jreq(t, "base", key));
		if (coll)
			appendStringInfo(sql, " COLLATE %s", coll);
		if (def)
			appendStringInfo(sql, " DEFAULT %s", def);
		if (smig_jbool(t, "not_null"))
			appendStringInfoString(sql, " NOT NULL");
		if (c != NULL)
		{
			it = JsonbIteratorInit(c);
			while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
			{
				if (tok == WJB_KEY)
					name = pnstrdup(v.val.string.val, v.val.string.len);
				else if (tok == WJB_VALUE && name && v.type == jbvString)
					appendStringInfo(sql, " CONSTRAINT %s %.*s", quote_identifier(name),
									 v.val.string.len, v.val.string.val);
			}
		}
		appendStringInfoString(sql, ";\n");
	}
	else
	{
		List	   *names = NIL;
		List	   *types = NIL;
		int			i;

		get_attrs(t, &names, &types);
		appendStringInfo(sql, "CREATE TYPE %s AS (", key);
		for (i = 0; i < list_length(names); i++)
			appendStringInfo(sql, "%s%s %s", i ? ", " : "",
							 quote_identifier(list_nth(names, i)),
							 (char *) list_nth(types, i));
		appendStringInfoString(sql, ");\n");
	}
}

/* a composite type's attributes: [[name, type], ...] as two lists */
static void
get_attrs(JsonbContainer *t, List **names, List **types)
{
	JsonbContainer *attrs = smig_jobj(t, "attributes");
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			depth = 0;
	int			k = 0;

	if (attrs == NULL)
		return;
	it = JsonbIteratorInit(attrs);
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_ARRAY)
		{
			depth++;
			k = 0;
		}
		else if (tok == WJB_END_ARRAY)
			depth--;
		else if (tok == WJB_ELEM && depth == 2 && v.type == jbvString)
		{
			char	   *s = pnstrdup(v.val.string.val, v.val.string.len);

			if (k++ == 0)
				*names = lappend(*names, s);
			else
				*types = lappend(*types, s);
		}
	}
}

static void
diff_types(SmigDiffState *d)
{
	SmigMap    *from = smig_kind_map(d->from, "types");
	SmigMap    *to = smig_kind_map(d->to, "types");
	int			i;

	for (i = 0; i < from->n; i++)
		if (smig_map_find(to, from->e[i].key) == NULL)
		{
			SmigObjNode *n = smig_node(&d->drop_nodes, "type", from->e[i].key,
									  RANK_TYPE, from->e[i].obj);

			appendStringInfo(n->sql, "DROP %s %s;\n",
							 strcmp(smig_jreq(from->e[i].obj, "kind", from->e[i].key), "domain") == 0 ? "DOMAIN" : "TYPE",
							 from->e[i].key);
		}
	for (i = 0; i < to->n; i++)
	{
		char	   *key = to->e[i].key;
		JsonbContainer *t = to->e[i].obj;
		SmigEntry  *f = smig_map_find(from, key);
		char	   *kind = smig_jreq(t, "kind", key);
		SmigObjNode *n;

		CHECK_FOR_INTERRUPTS();
		if (f == NULL)
		{
			n = smig_node(&d->create_nodes, "type", key, RANK_TYPE, t);
			create_type(n->sql, key, t);
		}
		else if (strcmp(smig_jreq(f->obj, "kind", key), kind) != 0)
			smig_emit(d, P_OBJECTS, "-- not handled: type %s changes from %s to %s (drop it and create it again)",
					  key, smig_jstr(f->obj, "kind"), kind);
		else if (strcmp(kind, "enum") == 0)
			diff_enum(d, key, f->obj, t);
		else
		{
			n = smig_node(&d->create_nodes, "type", key, RANK_TYPE, t);
			if (strcmp(kind, "domain") == 0)
				diff_domain(d, n, key, f->obj, t);
			else
				diff_composite(d, n, key, f->obj, t);
		}
		smig_diff_comment(d, strcmp(kind, "domain") == 0 ? "DOMAIN" : "TYPE", key,
						  f ? f->obj : NULL, t);
	}
}

/* new values in place; removed or reordered ones are not handled */
static void
diff_enum(SmigDiffState *d, const char *key, JsonbContainer *f,
		  JsonbContainer *t)
{
	List	   *a = smig_jstrings(smig_jobj(f, "values"));
	List	   *b = smig_jstrings(smig_jobj(t, "values"));
	ListCell   *lc;
	int			pos = 0;
	char	   *prev = NULL;

	/* the current values must appear in desired in the same order */
	foreach(lc, a)
	{
		bool		found = false;

		while (pos < list_length(b))
			if (strcmp(list_nth(b, pos++), lfirst(lc)) == 0)
			{
				found = true;
				break;
			}
		if (!found)
		{
			smig_emit(d, P_OBJECTS, "-- not handled: enum %s loses or reorders values (has %s, wants %s); PostgreSQL cannot drop an enum value",
					  key, smig_jtext(f, "values"), smig_jtext(t, "values"));
			return;
		}
	}
	foreach(lc, b)
	{
		char	   *v = lfirst(lc);

		if (!smig_list_has(a, v))
		{
			if (prev)
				smig_emit(d, P_ENUM, "ALTER TYPE %s ADD VALUE IF NOT EXISTS %s AFTER %s;", key,
						  quote_literal_cstr(v), quote_literal_cstr(prev));
			else if (a != NIL)
				smig_emit(d, P_ENUM, "ALTER TYPE %s ADD VALUE IF NOT EXISTS %s BEFORE %s;", key,
						  quote_literal_cstr(v), quote_literal_cstr(linitial(a)));
			else
				smig_emit(d, P_ENUM, "ALTER TYPE %s ADD VALUE IF NOT EXISTS %s;", key,
						  quote_literal_cstr(v));
		}
		prev = v;
	}
}

/* domain: default, NOT NULL and constraints in place */
static void
diff_domain(SmigDiffState *d, SmigObjNode *n, const char *key,
			JsonbContainer *f, JsonbContainer *t)
{
	int			i;

	if (!smig_jsame(f, t, "base") || !smig_jsame(f, t, "collation"))
	{
		appendStringInfo(n->sql, "-- not handled: domain %s changes its base type or collation (%s -> %s)\n",
						 key, smig_jstr(f, "base"), smig_jstr(t, "base"));
		return;
	}
	if (!smig_jsame(f, t, "default"))
	{
		if (smig_jstr(t, "default"))
			appendStringInfo(n->sql, "ALTER DOMAIN %s SET DEFAULT %s;\n", key, smig_jstr(t, "default"));
		else
			appendStringInfo(n->sql, "ALTER DOMAIN %s DROP DEFAULT;\n", key);
	}
	if (smig_jbool(f, "not_null") != smig_jbool(t, "not_null"))
		appendStringInfo(n->sql, "ALTER DOMAIN %s %s NOT NULL;\n", key,
						 smig_jbool(t, "not_null") ? "SET" : "DROP");
	/* constraints are name -> definition strings: compare as text */
	{
		JsonbContainer *x = smig_jobj(f, "constraints");
		JsonbContainer *y = smig_jobj(t, "constraints");
		JsonbIterator *it;
		JsonbValue	v;
		JsonbIteratorToken tok;
		char	   *name = NULL;

		for (i = 0; i < 2; i++)
		{
			JsonbContainer *src = i == 0 ? x : y;
			JsonbContainer *other = i == 0 ? y : x;

			if (src == NULL)
				continue;
			it = JsonbIteratorInit(src);
			while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
			{
				if (tok == WJB_KEY)
					name = pnstrdup(v.val.string.val, v.val.string.len);
				else if (tok == WJB_VALUE && name && v.type == jbvString)
				{
					char	   *def = pnstrdup(v.val.string.val, v.val.string.len);
					char	   *odef = smig_jstr(other, name);

					if (odef != NULL && strcmp(odef, def) == 0)
						continue;
					if (i == 0)
						appendStringInfo(n->sql, "ALTER DOMAIN %s DROP CONSTRAINT %s;\n",
										 key, quote_identifier(name));
					else
						appendStringInfo(n->sql, "ALTER DOMAIN %s ADD CONSTRAINT %s %s;\n",
										 key, quote_identifier(name), def);
				}
			}
		}
	}
}

/* composite type: attributes added, dropped, retyped */
static void
diff_composite(SmigDiffState *d, SmigObjNode *n, const char *key,
			   JsonbContainer *f, JsonbContainer *t)
{
	List	   *fn = NIL,
			   *ft = NIL,
			   *tn = NIL,
			   *tt = NIL;
	int			i;

	if (smig_jsame(f, t, "attributes"))
		return;
	get_attrs(f, &fn, &ft);
	get_attrs(t, &tn, &tt);
	for (i = 0; i < list_length(fn); i++)
		if (!smig_list_has(tn, list_nth(fn, i)))
			appendStringInfo(n->sql, "ALTER TYPE %s DROP ATTRIBUTE %s;\n",
							 key, quote_identifier(list_nth(fn, i)));
	for (i = 0; i < list_length(tn); i++)
	{
		char	   *name = list_nth(tn, i);
		int			j;

		for (j = 0; j < list_length(fn); j++)
			if (strcmp(list_nth(fn, j), name) == 0)
				break;
		if (j == list_length(fn))
			appendStringInfo(n->sql, "ALTER TYPE %s ADD ATTRIBUTE %s %s;\n",
							 key, quote_identifier(name), (char *) list_nth(tt, i));
		else if (strcmp(list_nth(ft, j), list_nth(tt, i)) != 0)
			appendStringInfo(n->sql, "ALTER TYPE %s ALTER ATTRIBUTE %s TYPE %s;\n",
							 key, quote_identifier(name), (char *) list_nth(tt, i));
	}
}

static void
sequence_options(StringInfo sql, JsonbContainer *s)
{
	appendStringInfo(sql, " AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s;\n",
					 smig_jstr(s, "type"), smig_jstr(s, "increment"),
					 smig_jstr(s, "min"), smig_jstr(s, "max"),
					 smig_jstr(s, "start"), smig_jstr(s, "cache"),
					 smig_jbool(s, "cycle") ? "CYCLE" : "NO CYCLE");
}

static void
diff_sequences(SmigDiffState *d)
{
	SmigMap    *from = smig_kind_map(d->from, "sequences");
	SmigMap    *to = smig_kind_map(d->to, "sequences");
	int			i;

	for (i = 0; i < from->n; i++)
		if (smig_map_find(to, from->e[i].key) == NULL)
		{
			SmigObjNode *n = smig_node(&d->drop_nodes, "sequence", from->e[i].key,
									  RANK_SEQUENCE, from->e[i].obj);

			/* one owned by a dropped column or table is already gone */
			appendStringInfo(n->sql, "DROP SEQUENCE %s%s;\n",
							 smig_jstr(from->e[i].obj, "owned_by") ? "IF EXISTS " : "",
							 from->e[i].key);
		}
	for (i = 0; i < to->n; i++)
	{
		char	   *key = to->e[i].key;
		JsonbContainer *t = to->e[i].obj;
		SmigEntry  *f = smig_map_find(from, key);
		char	   *owner = smig_jstr(t, "owned_by");

		CHECK_FOR_INTERRUPTS();
		if (f == NULL)
		{
			SmigObjNode *n = smig_node(&d->create_nodes, "sequence", key, RANK_SEQUENCE, t);

			appendStringInfo(n->sql, "CREATE SEQUENCE %s", key);
			sequence_options(n->sql, t);
			if (owner)
				smig_emit(d, P_SEQ_OWNED, "ALTER SEQUENCE %s OWNED BY %s;", key, owner);
		}
		else
		{
			if (!smig_jsame(f->obj, t, "type") || !smig_jsame(f->obj, t, "increment") ||
				!smig_jsame(f->obj, t, "min") || !smig_jsame(f->obj, t, "max") ||
				!smig_jsame(f->obj, t, "start") || !smig_jsame(f->obj, t, "cache") ||
				!smig_jsame(f->obj, t, "cycle"))
			{
				SmigObjNode *n = smig_node(&d->create_nodes, "sequence", key, RANK_SEQUENCE, t);

				appendStringInfo(n->sql, "ALTER SEQUENCE %s", key);
				sequence_options(n->sql, t);
			}
			if (!smig_jsame(f->obj, t, "owned_by"))
				smig_emit(d, P_SEQ_OWNED, "ALTER SEQUENCE %s OWNED BY %s;", key,
						  owner ? owner : "NONE");
		}
		smig_diff_comment(d, "SEQUENCE", key, f ? f->obj : NULL, t);
		smig_diff_acl(d, "SEQUENCE", key, f ? f->obj : NULL, t, NULL);
	}
}

static void
diff_functions(SmigDiffState *d)
{
	SmigMap    *from = smig_kind_map(d->from, "functions");
	SmigMap    *to = smig_kind_map(d->to, "functions");
	int			i;

	for (i = 0; i < from->n; i++)
		if (smig_map_find(to, from->e[i].key) == NULL)
		{
			SmigObjNode *n;
			ListCell   *lc;
			bool		on_relations = false;

			/* one over a view or table goes with the views, before them */
			foreach(lc, smig_jstrings(smig_jobj(from->e[i].obj, "deps")))
				if (strncmp(lfirst(lc), "view:", 5) == 0 ||
					strncmp(lfirst(lc), "table:", 6) == 0)
					on_relations = true;
			n = smig_node(on_relations ? &d->drop_views : &d->drop_nodes,
						  "function", from->e[i].key, RANK_FUNCTION,
						  from->e[i].obj);
			appendStringInfo(n->sql, "DROP %s %s;\n",
							 strcmp(smig_jreq(from->e[i].obj, "kind", from->e[i].key), "procedure") == 0 ? "PROCEDURE" : "FUNCTION",
							 from->e[i].key);
			d->changed = lappend(d->changed, n->id);
		}
	for (i = 0; i < to->n; i++)
	{
		char	   *key = to->e[i].key;
		JsonbContainer *t = to->e[i].obj;
		SmigEntry  *f = smig_map_find(from, key);
		const char *what = strcmp(smig_jreq(t, "kind", key), "procedure") == 0 ? "PROCEDURE" : "FUNCTION";

		CHECK_FOR_INTERRUPTS();
		if (f == NULL || !smig_jsame(f->obj, t, "def"))
		{
			SmigObjNode *n = smig_node(&d->create_nodes, "function", key, RANK_FUNCTION, t);
			char	   *def = smig_jreq(t, "def", key);
			int			len = strlen(def);

			while (len > 0 && (def[len - 1] == '\n' || def[len - 1] == ' '))
				len--;
			/* pg_get_functiondef writes CREATE OR REPLACE: replaces in place */
			appendStringInfo(n->sql, "%.*s;\n", len, def);
			d->creates_routine = true;
		}
		smig_diff_comment(d, what, key, f ? f->obj : NULL, t);
		smig_diff_acl(d, what, key, f ? f->obj : NULL, t, "EXECUTE:PUBLIC");
	}
}

/* does obj's "deps" name one of ids */
static bool
depends_on_any(JsonbContainer *obj, List *ids)
{
	ListCell   *lc;

	foreach(lc, smig_jstrings(smig_jobj(obj, "deps")))
		if (smig_list_has(ids, lfirst(lc)))
			return true;
	return false;
}

/* the indexes of a relation, as in diff_table.c: by name */
static void
diff_view_indexes(SmigDiffState *d, const char *schema_of, JsonbContainer *f,
				  JsonbContainer *t)
{
	JsonbContainer *fi = f ? smig_jobj(f, "indexes") : NULL;
	JsonbContainer *ti = smig_jobj(t, "indexes");
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *name = NULL;

	if (fi)
	{
		it = JsonbIteratorInit(fi);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
				name = pnstrdup(v.val.string.val, v.val.string.len);
			else if (tok == WJB_VALUE && name)
			{
				char	   *def = pnstrdup(v.val.string.val, v.val.string.len);
				char	   *other = smig_jstr(ti, name);

				if (other == NULL || strcmp(other, def) != 0)
					smig_emit(d, P_DROP_INDEX, "DROP INDEX %s.%s;", schema_of,
							  quote_identifier(name));
			}
		}
	}
	if (ti)
	{
		it = JsonbIteratorInit(ti);
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok == WJB_KEY)
				name = pnstrdup(v.val.string.val, v.val.string.len);
			else if (tok == WJB_VALUE && name)
			{
				char	   *def = pnstrdup(v.val.string.val, v.val.string.len);
				char	   *other = fi ? smig_jstr(fi, name) : NULL;

				if (other == NULL || strcmp(other, def) != 0)
					smig_emit(d, P_INDEX, "%s;", def);
			}
		}
	}
}

/* the schema part of a qualified key ("a"."b" -> "a") */
static char *
schema_of(const char *key)
{
	const char *p = key;
	bool		inq = false;

	for (; *p; p++)
	{
		if (*p == '"')
			inq = !inq;
		else if (*p == '.' && !inq)
			return pnstrdup(key, p - key);
	}
	return pstrdup(key);
}

static void
diff_views(SmigDiffState *d)
{
	SmigMap    *from = smig_kind_map(d->from, "views");
	SmigMap    *to = smig_kind_map(d->to, "views");
	bool	   *redo = palloc0(sizeof(bool) * Max(from->n, 1));
	bool		more = true;
	int			i;

	/* changed or gone views, then every view over them, transitively */
	for (i = 0; i < from->n; i++)
	{
		SmigEntry  *t = smig_map_find(to, from->e[i].key);

		if (t == NULL || !smig_jsame(from->e[i].obj, t->obj, "def") ||
			!smig_jsame(from->e[i].obj, t->obj, "options") ||
			!smig_jsame(from->e[i].obj, t->obj, "materialized"))
		{
			redo[i] = true;
			d->changed = lappend(d->changed, psprintf("view:%s", from->e[i].key));
		}
	}
	while (more)
	{
		more = false;
		for (i = 0; i < from->n; i++)
			if (!redo[i] && depends_on_any(from->e[i].obj, d->changed))
			{
				redo[i] = more = true;
				d->changed = lappend(d->changed, psprintf("view:%s", from->e[i].key));
			}
	}
	for (i = 0; i < from->n; i++)
		if (redo[i])
		{
			SmigObjNode *n = smig_node(&d->drop_views, "view", from->e[i].key,
									  RANK_VIEW, from->e[i].obj);

			appendStringInfo(n->sql, "DROP %sVIEW %s;\n",
							 smig_jbool(from->e[i].obj, "materialized") ? "MATERIALIZED " : "",
							 from->e[i].key);
			d->recreate = lappend(d->recreate, n->id);
		}
	for (i = 0; i < to->n; i++)
	{
		char	   *key = to->e[i].key;
		JsonbContainer *t = to->e[i].obj;
		SmigEntry  *f = smig_map_find(from, key);
		bool		mat = smig_jbool(t, "materialized");
		const char *what = mat ? "MATERIALIZED VIEW" : "VIEW";

		CHECK_FOR_INTERRUPTS();
		if (f != NULL && smig_list_has(d->recreate, psprintf("view:%s", key)))
			f = NULL;			/* dropped above: made again from nothing */
		if (f == NULL)
		{
			SmigObjNode *n = smig_node(&d->create_nodes, "view", key, RANK_VIEW, t);
			char	   *def = smig_jreq(t, "def", key);
			int			len = strlen(def);
			List	   *opts = smig_jstrings(smig_jobj(t, "options"));

			while (len > 0 && (def[len - 1] == ';' || def[len - 1] == '\n' || def[len - 1] == ' '))
				len--;
			appendStringInfo(n->sql, "CREATE %s %s", what, key);
			if (opts != NIL)
			{
				ListCell   *lc;
				bool		first = true;

				appendStringInfo(n->sql, " %s (", "WITH");	/* storage options */
				foreach(lc, opts)
				{
					appendStringInfo(n->sql, "%s%s", first ? "" : ", ", (char *) lfirst(lc));
					first = false;
				}
				appendStringInfoChar(n->sql, ')');
			}
			appendStringInfo(n->sql, " AS\n%.*s;\n", len, def);
		}
		diff_view_indexes(d, schema_of(key), f ? f->obj : NULL, t);
		smig_diff_comment(d, what, key, f ? f->obj : NULL, t);
		smig_diff_acl(d, "TABLE", key, f ? f->obj : NULL, t, NULL);
	}
}

/* objects of kinds diff() does not model: named, never silently dropped */
static void
diff_not_handled(SmigDiffState *d)
{
	List	   *a = smig_jstrings(smig_jobj(d->from, "not_handled"));
	List	   *b = smig_jstrings(smig_jobj(d->to, "not_handled"));
	ListCell   *lc;

	foreach(lc, a)
		if (!smig_list_has(b, lfirst(lc)))
			smig_emit(d, P_OBJECTS, "-- not handled: %s is here but not in the target schema",
					  (char *) lfirst(lc));
	foreach(lc, b)
		if (!smig_list_has(a, lfirst(lc)))
			smig_emit(d, P_OBJECTS, "-- not handled: %s is in the target schema but not here",
					  (char *) lfirst(lc));
}
