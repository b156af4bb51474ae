/*-------------------------------------------------------------------------
 *
 * schema.c
 *	  SQL entry points of autogenerate: describe() and diff().  Both only
 *	  read (the catalog, the revision graph, whether tables have rows):
 *	  they take no lock beyond a SELECT's and work on a hot standby.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "base/session.h"
#include "schema/schema.h"

/* describe(schemas text[] DEFAULT NULL) RETURNS jsonb */
PG_FUNCTION_INFO_V1(schemamig_describe);
Datum
schemamig_describe(PG_FUNCTION_ARGS)
{
	bool		schemas_null = PG_ARGISNULL(0);
	Datum		schemas = schemas_null ? (Datum) 0 : PG_GETARG_DATUM(0);
	MemoryContext opcxt;
	MemoryContext oldcxt;
	Jsonb	   *snapshot;
	Jsonb	   *result;

	opcxt = smig_begin_spi("schemamig describe");
	snapshot = smig_describe(schemas, schemas_null);
	oldcxt = MemoryContextSwitchTo(MemoryContextGetParent(opcxt));
	result = palloc(VARSIZE(snapshot));
	memcpy(result, snapshot, VARSIZE(snapshot));
	MemoryContextSwitchTo(oldcxt);
	smig_end_spi(opcxt);
	PG_RETURN_JSONB_P(result);
}

/* diff(desired jsonb, renames jsonb DEFAULT NULL) RETURNS text */
PG_FUNCTION_INFO_V1(schemamig_diff);
Datum
schemamig_diff(PG_FUNCTION_ARGS)
{
	Jsonb	   *desired;
	Jsonb	   *renames = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	MemoryContext opcxt;
	char	   *script;
	text	   *result = NULL;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("desired must not be NULL"),
				 errhint("Pass the jsonb that schemamig.describe() returned in a database holding the desired schema.")));
	desired = PG_GETARG_JSONB_P(0);
	opcxt = smig_begin_spi("schemamig diff");
	script = smig_diff(desired, renames);
	if (script)
		result = smig_text_in_parent(opcxt, script);
	smig_end_spi(opcxt);
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(result);
}
