/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  A checked SPI_execute_with_args and the Datum conversions the areas
 *	  share (text[] <-> List of C strings, interval from microseconds).
 *	  Nothing here knows schemamig's tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "base/spi.h"

/*
 * smig_spi_exec
 *		SPI_execute_with_args that checks the result code against expected
 *		(an SPI_OK_* code) and restores CurrentMemoryContext afterwards.
 */
int
smig_spi_exec(const char *sql, int nargs, Oid *types, Datum *values,
			  const char *nulls, bool read_only, int expected)
{
	MemoryContext cxt = CurrentMemoryContext;
	int			ret;

	ret = SPI_execute_with_args(sql, nargs, types, values, nulls,
								read_only, 0);
	MemoryContextSwitchTo(cxt);
	if (ret != expected)
		elog(ERROR, "schemamig: internal query failed (%s): %s",
			 SPI_result_code_string(ret), sql);
	return ret;
}

/*
 * Datum helpers
 */

/* a text[] datum from a List of C strings (empty array for NIL) */
Datum
smig_list_to_array(List *strings)
{
	int			n = list_length(strings);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, strings)
		elems[i++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/* a List of C strings from a text[] datum; NULL elements are skipped */
List *
smig_array_to_list(Datum array)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(array);
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	List	   *result = NIL;

	/* an empty array (no dimensions) without detoasting a copy */
	if (!VARATT_IS_EXTENDED(raw) || VARATT_IS_SHORT(raw))
	{
		int32		ndim;

		memcpy(&ndim, VARDATA_ANY(raw), sizeof(int32));
		if (ndim == 0)
			return NIL;
	}
	arr = DatumGetArrayTypeP(array);
	if (ARR_ELEMTYPE(arr) != TEXTOID)
		elog(ERROR, "expected a text[] array");
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
		if (!nulls[i])
			result = lappend(result, TextDatumGetCString(elems[i]));
	/* called once per revision for each array column: free what we made */
	pfree(elems);
	pfree(nulls);
	if ((Pointer) arr != DatumGetPointer(array))
		pfree(arr);
	return result;
}

/* an interval datum of usecs microseconds */
Datum
smig_interval_datum(int64 usecs)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = usecs;
	return IntervalPGetDatum(iv);
}

