/*-------------------------------------------------------------------------
 *
 * adopt.c
 *	  adopt(source): take over a database another migration tool has
 *	  migrated, for psql-only users (the CLI's "schemamig adopt" does the
 *	  same from a workstation).  Reads that tool's own record of what is
 *	  applied, checks that every such revision is registered, and records
 *	  them all as applied, as stamp() does, running no revision SQL.  The
 *	  other tool's table is only read.
 *
 * Records (the table found through the search_path, then read qualified
 * with the schema it was found in):
 *	  alembic		 alembic_version: the applied heads
 *	  flyway		 flyway_schema_history: successful versioned rows by
 *					 installed_rank, minus those a later undo removed
 *	  dbmate		 schema_migrations(version): every applied version
 *	  golang-migrate schema_migrations(version, dirty): that version and
 *					 everything before it; dirty is refused
 *	  goose			 goose_db_version by id: is_applied adds, else removes
 *	  sqitch		 sqitch.changes
 *
 * Where the tool records every revision (all but alembic and
 * golang-migrate), a revision that a recorded one needs but that is not
 * recorded is an error.  So is a revision schemamig already has applied
 * that the tool does not record: adopting would have to mark it pending.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "base/session.h"
#include "base/spi.h"
#include "compat.h"
#include "model/catalog.h"
#include "model/graph.h"
#include "schema/schema.h"

typedef struct AdoptSource
{
	const char *tool;
	const char *table;
	const char *query;			/* rows (id text, adds bool) */
	bool		every;			/* records every applied revision */
} AdoptSource;

/* queries: %s is the schema the table was found in, quoted */
static const AdoptSource adopt_sources[] = {
	{"alembic", "alembic_version",
	"SELECT version_num::pg_catalog.text, true FROM %s.alembic_version ORDER BY 1", false},
	{"flyway", "flyway_schema_history",
		"SELECT version::pg_catalog.text, NOT (type OPERATOR(pg_catalog.~~) 'UNDO%%')"
		" AND type OPERATOR(pg_catalog.<>) 'DELETE'"
		" FROM %s.flyway_schema_history"
		" WHERE success AND version IS NOT NULL"
		" AND type OPERATOR(pg_catalog.<>) 'SCHEMA'"
	" ORDER BY installed_rank", true},
	{"dbmate", "schema_migrations",
	"SELECT version::pg_catalog.text, true FROM %s.schema_migrations ORDER BY version", true},
	{"golang-migrate", "schema_migrations",
	"SELECT version::pg_catalog.text, NOT dirty FROM %s.schema_migrations", false},
	{"goose", "goose_db_version",
		"SELECT version_id::pg_catalog.text, is_applied FROM %s.goose_db_version"
	" WHERE version_id OPERATOR(pg_catalog.<>) 0 ORDER BY id", true},
	{"sqitch", "sqitch.changes",
	"SELECT change::pg_catalog.text, true FROM %s.changes ORDER BY committed_at", true},
};

#define ADOPT_NSOURCES ((int) lengthof(adopt_sources))

static const AdoptSource *find_source(const char *source, char **schema);
static List *read_recorded(const AdoptSource *src, const char *schema);
static bool list_has(List *ids, const char *id);

PG_FUNCTION_INFO_V1(schemamig_adopt);
Datum
schemamig_adopt(PG_FUNCTION_ARGS)
{
	char	   *source = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext opcxt;
	const AdoptSource *src;
	char	   *schema;
	List	   *recorded;
	SmigGraph  *g;
	int		   *found;
	int			nfound = 0;
	bool	   *need;
	char	   *by;
	ListCell   *lc;
	int			i,
				k;

	smig_init_srf(fcinfo, true);
	smig_begin_write("adopt");
	opcxt = smig_begin_spi("schemamig adopt");
	src = find_source(source, &schema);
	recorded = read_recorded(src, schema);
	g = smig_load_graph(false);

	found = palloc(sizeof(int) * (list_length(recorded) + 1));
	foreach(lc, recorded)
	{
		const char *id = lfirst(lc);
		int			n = smig_graph_find(g, id);

		if (n < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("revision \"%s\" is recorded as applied by %s (%s) but is not registered",
							id, src->tool, src->table),
					 errhint("Register the imported files first (schemamig import, then schemamig push or schemamig.register()).")));
		found[nfound++] = n;
	}
	need = smig_ancestors(g, found, nfound, true);

	for (k = 0; k < g->nnodes; k++)
	{
		i = g->topo[k];
		if (need[i] && src->every && !list_has(recorded, g->nodes[i].rev->id))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("%s records revisions as applied but not \"%s\", which they need",
							src->tool, g->nodes[i].rev->id),
					 errhint("Apply it with %s first (or record it there if it was applied by hand), then adopt.",
							 src->tool)));
		if (!need[i] && g->nodes[i].applied != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("schemamig already records revision \"%s\" as applied, which %s does not",
							g->nodes[i].rev->id, src->tool),
					 errdetail("Adopting would mark it pending."),
					 errhint("Compare schemamig.status() with %s; use schemamig.stamp() if you are sure.",
							 src->table)));
	}
	if (g->orphans != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("schemamig records revision \"%s\" as applied but it is not registered",
						((SmigApplied *) linitial(g->orphans))->id),
				 errhint("Run schemamig.check() and repair the history first.")));

	/* record them, parents first, as stamp() does */
	by = smig_caller_name();
	for (k = 0; k < g->nnodes; k++)
	{
		i = g->topo[k];
		CHECK_FOR_INTERRUPTS();
		if (need[i] && g->nodes[i].applied == NULL)
		{
			smig_record_stamp(true, g->nodes[i].rev->id,
							  g->nodes[i].rev->checksum,
							  g->nodes[i].rev->down_revisions, by);
		}
	}

	smig_set_applied_state(g, need);
	foreach(lc, smig_current_heads(g))
	{
		Datum		value = CStringGetTextDatum(g->nodes[lfirst_int(lc)].rev->id);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc,
							 &value, &isnull);
	}
	smig_drift_record("adopt");	/* issue 15: drift record */
	smig_end_spi(opcxt);
	return (Datum) 0;
}

/* the source named, or the only one whose table exists */
static const AdoptSource *
find_source(const char *source, char **schema)
{
	char	   *schemas[ADOPT_NSOURCES];
	StringInfoData names;
	int			only = -1;
	int			nfound = 0;
	int			i;

	initStringInfo(&names);

	for (i = 0; i < ADOPT_NSOURCES; i++)
	{
		const char *name = adopt_sources[i].table;
		Oid			argtypes[1] = {TEXTOID};
		Datum		args[1];
		bool		isnull;
		bool		dirty;

		/* golang-migrate and dbmate share the name; a dirty column tells */
		args[0] = CStringGetTextDatum(name);
		smig_spi_exec("SELECT n.nspname::pg_catalog.text, EXISTS (SELECT FROM pg_catalog.pg_attribute a"
					  "   WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid"
					  "   AND a.attname OPERATOR(pg_catalog.=) 'dirty' AND NOT a.attisdropped)"
					  " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
					  "   ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
					  " WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)",
					  1, argtypes, args, NULL, true, SPI_OK_SELECT);
		schemas[i] = NULL;
		if (SPI_processed == 0)
			continue;
		dirty = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 2, &isnull));
		if (strcmp(adopt_sources[i].tool, "dbmate") == 0 && dirty)
			continue;
		if (strcmp(adopt_sources[i].tool, "golang-migrate") == 0 && !dirty)
			continue;
		schemas[i] = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		nfound++;
		only = i;
		appendStringInfo(&names, "%s%s (%s)", names.len ? ", " : "",
						 adopt_sources[i].tool, adopt_sources[i].table);
	}
	if (source != NULL)
	{
		for (i = 0; i < ADOPT_NSOURCES; i++)
			if (strcmp(adopt_sources[i].tool, source) == 0)
				break;
		if (i == ADOPT_NSOURCES)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown source \"%s\"", source),
					 errhint("The sources are alembic, flyway, dbmate, goose, golang-migrate and sqitch.")));
		if (schemas[i] == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("no %s record in this database: no table %s%s on the search_path",
							source, adopt_sources[i].table,
							strcmp(source, "dbmate") == 0 ? " without a dirty column" :
							strcmp(source, "golang-migrate") == 0 ? " with a dirty column" : "")));
		*schema = schemas[i];
		return &adopt_sources[i];
	}
	if (nfound == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("no record of another migration tool on the search_path"),
				 errhint("adopt() reads alembic_version, flyway_schema_history, schema_migrations (dbmate, golang-migrate), goose_db_version or sqitch.changes.")));
	if (nfound > 1)
		ereport(ERROR,
				(errcode(ERRCODE_AMBIGUOUS_PARAMETER),
				 errmsg("this database has the records of several tools: %s",
						names.data),
				 errhint("Name the one to adopt: schemamig.adopt('alembic'), for example.")));
	*schema = schemas[only];
	return &adopt_sources[only];
}

/* the recorded set, ids in the operation's memory */
static List *
read_recorded(const AdoptSource *src, const char *schema)
{
	List	   *ids = NIL;
	uint64		n,
				r;

	smig_spi_exec(psprintf(src->query, quote_identifier(schema)), 0, NULL,
				  NULL, NULL, true, SPI_OK_SELECT);
	n = SPI_processed;
	for (r = 0; r < n; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *id = SPI_getvalue(tup, desc, 1);
		bool		isnull;
		bool		adds = DatumGetBool(SPI_getbinval(tup, desc, 2, &isnull));
		ListCell   *lc;

		if (id == NULL)
			continue;
		if (isnull || !adds)
		{
			if (strcmp(src->tool, "golang-migrate") == 0)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("golang-migrate left the database dirty at version %s", id),
						 errhint("A migration failed half-way: repair the database and force the version with golang-migrate first.")));
			foreach(lc, ids)
				if (strcmp(lfirst(lc), id) == 0)
				{
					ids = foreach_delete_current(ids, lc);
					break;
				}
			continue;
		}
		if (!list_has(ids, id))
			ids = lappend(ids, pstrdup(id));
	}
	return ids;
}

static bool
list_has(List *ids, const char *id)
{
	ListCell   *lc;

	foreach(lc, ids)
		if (strcmp(lfirst(lc), id) == 0)
			return true;
	return false;
}
