/*-------------------------------------------------------------------------
 *
 * catalog_int.h
 *	  The query helpers of model/catalog.c that model/partial.c shares:
 *	  saved plans, running them (as the tables' owner where they write),
 *	  and reading a text column.  Only model/ includes this.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_CATALOG_INT_H
#define SMIG_CATALOG_INT_H

#include "executor/spi.h"

extern SPIPlanPtr smig_cat_saved_plan(SPIPlanPtr *slot, const char *sql,
									  int nargs, Oid *types);
extern int	smig_cat_exec_saved(SPIPlanPtr *slot, const char *sql, int nargs,
								Oid *types, Datum *values, const char *nulls,
								bool read_only, int expected);
extern int	smig_cat_exec_as_owner(SPIPlanPtr plan, Datum *values,
								   const char *nulls);
extern bool smig_cat_has_author_oid(void);
extern void smig_cat_delete_by_id(SPIPlanPtr *plan, const char *sql,
								  const char *id);
extern char *smig_cat_get_text(HeapTuple tuple, TupleDesc desc, int col);

#endif							/* SMIG_CATALOG_INT_H */
