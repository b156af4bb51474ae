/*-------------------------------------------------------------------------
 *
 * catalog.h
 *	  SPI access to schemamig's tables.  Every function here needs an open
 *	  SPI connection and leaves CurrentMemoryContext as it found it; what it
 *	  returns is allocated there.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_CATALOG_H
#define SMIG_CATALOG_H

#include "datatype/timestamp.h"
#include "executor/spi.h"

#include "base/spi.h"
#include "schemamig.h"

/* one row of schemamig.applied */
typedef struct SmigApplied
{
	char	   *id;
	char	   *checksum;
	TimestampTz applied_at;
	char	   *applied_by;
} SmigApplied;

extern List *smig_load_revisions(bool read_only);
extern List *smig_load_applied(bool read_only);
extern void smig_load_bodies(SmigRevision *rev, bool read_only);

extern void smig_insert_revision(SmigRevision *rev);
extern void smig_update_revision(SmigRevision *rev);
extern void smig_update_lines(SmigRevision *rev);
extern void smig_delete_revision(const char *id);

/* the one bookkeeping writer: a step of a run, a revision stamped */
extern void smig_record_step(bool upgrade, const char *id,
							 const char *checksum, List *from_revisions,
							 const char *by, int64 elapsed_us);
extern void smig_record_stamp(bool stamp, const char *id,
							  const char *checksum, List *from_revisions,
							  const char *by);
extern void smig_log_forget(SmigRevision *rev);

/* issue 15: the drift record's writes (schema_snapshot, ddl_audit) */
extern int	smig_catalog_write(SPIPlanPtr *slot, const char *sql, int nargs,
							   Oid *types, Datum *values, const char *nulls,
							   int expected);
extern int	smig_catalog_read(SPIPlanPtr *slot, const char *sql, int nargs,
							  Oid *types, Datum *values, const char *nulls);

/* smig_scan_checksums() callback */
typedef void (*SmigChecksumFn) (const char *id, const char *checksum,
								void *arg);
extern void smig_scan_checksums(bool read_only, SmigChecksumFn fn, void *arg);

/*
 * A revision without a transaction that is partly run (issue 18): one row
 * of schemamig.partial.  running > 0 with a pid is a lease: that backend
 * runs statement running in a background worker now.
 */
typedef struct SmigPartial
{
	char	   *revision;
	bool		upgrade;		/* which section is being run */
	char	   *checksum;
	int			done;			/* statements finished (and committed) */
	int			statements;		/* in the section */
	int			running;		/* statement number in a worker, or 0 */
	int			pid;			/* backend holding the lease, or 0 */
	char	   *last_error;		/* why it stopped last, or NULL */
	char	   *since;			/* started_at, as text */
} SmigPartial;

extern List *smig_load_partial(void);
extern void smig_write_partial(const char *id, bool upgrade,
							   const char *checksum, int done,
							   int statements, int running,
							   const char *error);
extern void smig_delete_partial(const char *id);

extern void smig_insert_event(const char *operation, const char *id,
							  List *from_revisions, const char *checksum,
							  const char *by, int64 elapsed_us);


#endif							/* SMIG_CATALOG_H */
