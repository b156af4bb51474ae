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
#include "datatype/timestamp.h"
#include "utils/jsonb.h"

/* describe.c */
extern Jsonb *smig_describe(Datum schemas, bool schemas_null);
extern text *smig_describe_json(Datum schemas, bool schemas_null);
extern Jsonb *smig_json_to_jsonb(text *json);

/* diff.c: the script taking the live database to desired, or NULL */
extern char *smig_diff(Jsonb *desired, Jsonb *renames);
extern bool smig_diff_between(Jsonb *from, Jsonb *to, char **up, char **down);

/* render.c: a new revision id (adopt_drift()) */
struct SmigGraph;
extern char *smig_new_revision_id(struct SmigGraph *g);

/* drift.c (issue 15): the record of the schema schemamig's runs leave */
typedef struct SmigDriftRow
{
	char	   *kind;
	char	   *name;
	char	   *change;			/* added, dropped, altered */
	char	   *detail;
	char	   *changed_by;		/* NULL: not known */
	TimestampTz changed_at;		/* with changed_by */
	bool		severe;			/* a table or a column dropped */
} SmigDriftRow;

typedef struct SmigDriftReport
{
	bool		recorded;		/* a snapshot exists */
	bool		pending;		/* a migrate() did not finish */
	char	   *taken_by;
	List	   *rows;			/* SmigDriftRow * */
	Jsonb	   *snapshot;		/* the recorded one, when asked */
	Jsonb	   *live;
} SmigDriftReport;

extern int	smig_pin_search_path(void);
extern void smig_drift_record(const char *by);
extern void smig_drift_mark_pending(void);
extern SmigDriftReport *smig_drift_report(bool keep_snapshots);

/* audit.c (issue 15): the DDL audit's switch */
extern void smig_drift_audit_switch(bool on);

#endif							/* SMIG_SCHEMA_H */
