/*-------------------------------------------------------------------------
 *
 * snapshot.c
 *	  Reading describe() snapshots: values by key, strings, arrays of
 *	  strings, and the objects of one kind as a sorted map.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "schema/diff_int.h"

static JsonbValue *get_value(JsonbContainer *c, const char *key);
static char *value_text(JsonbValue *v);
static int	entry_cmp(const void *a, const void *b);

static JsonbValue *
get_value(JsonbContainer *c, const char *key)
{
	if (c == NULL || !JsonContainerIsObject(c))
		return NULL;
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

/* a value as text: strings bare, containers as jsonb text, NULL for null */
static char *
value_text(JsonbValue *v)
{
	if (v == NULL)
		return NULL;
	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v->val.string.val, v->val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out,
													   NumericGetDatum(v->val.numeric)));
		case jbvBool:
			return pstrdup(v->val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
		default:
			elog(ERROR, "schemamig: unexpected jsonb value type %d", (int) v->type);
	}
	return NULL;
}

/* the object or array under key, or NULL */
JsonbContainer *
smig_jobj(JsonbContainer *c, const char *key)
{
	JsonbValue *v = get_value(c, key);

	if (v == NULL || v->type != jbvBinary)
		return NULL;
	return v->val.binary.data;
}

/* the scalar under key as text (NULL when missing or null) */
char *
smig_jstr(JsonbContainer *c, const char *key)
{
	return value_text(get_value(c, key));
}

bool
smig_jbool(JsonbContainer *c, const char *key)
{
	JsonbValue *v = get_value(c, key);

	return v != NULL && v->type == jbvBool && v->val.boolean;
}

/* any value under key as text, containers as jsonb text */
char *
smig_jtext(JsonbContainer *c, const char *key)
{
	return value_text(get_value(c, key));
}

/* do a and b hold the same value under key (both missing/null: yes) */
bool
smig_jsame(JsonbContainer *a, JsonbContainer *b, const char *key)
{
	char	   *x = smig_jtext(a, key);
	char	   *y = smig_jtext(b, key);

	if (x == NULL || y == NULL)
		return x == NULL && y == NULL;
	return strcmp(x, y) == 0;
}

/* the strings of a jsonb array (other elements skipped), in order */
List *
smig_jstrings(JsonbContainer *array)
{
	List	   *result = NIL;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (array == NULL || !JsonContainerIsArray(array))
		return NIL;
	it = JsonbIteratorInit(array);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_ELEM && v.type == jbvString)
			result = lappend(result, pnstrdup(v.val.string.val, v.val.string.len));
	}
	return result;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const SmigEntry *) a)->key, ((const SmigEntry *) b)->key);
}

/* the members of a jsonb object whose values are objects or strings */
SmigMap *
smig_map(JsonbContainer *obj)
{
	SmigMap    *m = palloc0(sizeof(SmigMap));
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			cap;
	char	   *key = NULL;

	if (obj == NULL || !JsonContainerIsObject(obj))
		return m;
	cap = JsonContainerSize(obj) + 1;
	m->e = palloc0(sizeof(SmigEntry) * cap);
	it = JsonbIteratorInit(obj);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE && key != NULL)
		{
			if ((v.type == jbvBinary || v.type == jbvString) && m->n < cap)
			{
				m->e[m->n].key = key;
				m->e[m->n].orig = key;
				if (v.type == jbvBinary)
					m->e[m->n].obj = v.val.binary.data;
				else
					m->e[m->n].str = pnstrdup(v.val.string.val, v.val.string.len);
				m->n++;
			}
			key = NULL;
		}
	}
	smig_map_sort(m);
	return m;
}

void
smig_map_sort(SmigMap *m)
{
	if (m->n > 1)
		qsort(m->e, m->n, sizeof(SmigEntry), entry_cmp);
}

SmigEntry *
smig_map_find(SmigMap *m, const char *key)
{
	SmigEntry	k;

	if (m->n == 0)
		return NULL;
	k.key = (char *) key;
	return bsearch(&k, m->e, m->n, sizeof(SmigEntry), entry_cmp);
}

bool
smig_list_has(List *strings, const char *s)
{
	ListCell   *lc;

	foreach(lc, strings)
		if (strcmp((char *) lfirst(lc), s) == 0)
			return true;
	return false;
}

/*
 * smig_kind_map
 *		The objects of one kind of a snapshot (root->kind), refusing a
 *		member that is not an object: the snapshot comes from the caller.
 */
SmigMap *
smig_kind_map(JsonbContainer *root, const char *kind)
{
	SmigMap    *m = smig_map(smig_jobj(root, kind));
	int			i;

	for (i = 0; i < m->n; i++)
		if (m->e[i].obj == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("malformed snapshot: %s \"%s\" is not an object", kind, m->e[i].key),
					 errhint("Pass the jsonb that schemamig.describe() returned, unchanged.")));
	return m;
}

/* the string under key; an error naming what when it is missing */
char *
smig_jreq(JsonbContainer *c, const char *key, const char *what)
{
	char	   *s = smig_jstr(c, key);

	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("malformed snapshot: %s has no \"%s\"", what, key),
				 errhint("Pass the jsonb that schemamig.describe() returned, unchanged.")));
	return s;
}
