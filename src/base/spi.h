/*-------------------------------------------------------------------------
 *
 * spi.h
 *	  Small SPI and Datum helpers shared by every area: a checked
 *	  SPI_execute_with_args, text[] <-> List, intervals.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_SPI_H
#define SMIG_SPI_H

#include "executor/spi.h"
#include "nodes/pg_list.h"

extern int	smig_spi_exec(const char *sql, int nargs, Oid *types,
						  Datum *values, const char *nulls, bool read_only,
						  int expected);
extern Datum smig_list_to_array(List *strings);
extern List *smig_array_to_list(Datum array);
extern Datum smig_interval_datum(int64 usecs);

#endif							/* SMIG_SPI_H */
