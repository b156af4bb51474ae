/*-------------------------------------------------------------------------
 *
 * schema.h
 *	  The schema area: describe() snapshots (describe.c), reading them
 *	  (snapshot.c), comparing two of them (diff.c, diff_table.c), ordering
 *	  (order.c) and writing the result as a register() script (render.c).
 *	  It uses base/ and model/ only.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_SCHEMA_H
#define SMIG_SCHEMA_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* describe.c */
extern Jsonb *smig_describe(Datum schemas, bool schemas_null);

/* diff.c: the script taking the live database to desired, or NULL */
extern char *smig_diff(Jsonb *desired, Jsonb *renames);

#endif							/* SMIG_SCHEMA_H */
