/*-------------------------------------------------------------------------
 *
 * graph.c
 *	  The revision graph: building it (with the checks that refuse missing
 *	  parents, cycles and clashing labels), a stable topological order,
 *	  lookups by id and label, heads and current heads, and walks along
 *	  the edges.  What targets mean and the plans built from them live in
 *	  targets.c.
 *
 * Nothing here recurses: chains of 100,000 revisions are walked with
 * explicit stacks, and every loop checks for interrupts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "lib/binaryheap.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"

#include "model/graph.h"

#if PG_VERSION_NUM < 140000
#define HASH_STRINGS 0
#endif

/* most ids an error message lists before "..." */
#define SMIG_MAX_LISTED 10

/*
 * An entry of the id and label tables.  The key points at the string of
 * the revision (which lives as long as the graph), rather than holding a
 * copy: a large graph builds faster and takes less memory.
 */
typedef struct IdEntry
{
	const char *key;
	int			index;
} IdEntry;

static int	cmp_applied(const ListCell *a, const ListCell *b);
static HTAB *make_id_table(const char *name, long size);
static uint32 id_hash(const void *key, Size keysize);
static int	id_match(const void *key1, const void *key2, Size keysize);
static void add_edges(SmigGraph *g, int i, List *ids, const char *what,
					  int **edges, int *nedges);
static void fill_reverse_edges(SmigGraph *g);
static void order_topologically(SmigGraph *g);
static void report_cycle(SmigGraph *g, int *indegree);
static int	cmp_lowest_index(Datum a, Datum b, void *arg);

/*
 * smig_graph_build
 *		Build the graph of revisions (List of SmigRevision *, registration
 *		order) and mark those in applied (List of SmigApplied *).
 *
 * Raises an error for a duplicate id, a branch label used twice or equal to
 * a revision id, a down_revision or depends_on that is not in the list,
 * and a cycle.  Allocates in CurrentMemoryContext.
 */
SmigGraph *
smig_graph_build(List *revisions, List *applied)
{
	SmigGraph  *g = palloc0(sizeof(SmigGraph));
	ListCell   *lc;
	int			i;

	g->nnodes = list_length(revisions);
	g->nodes = palloc0(sizeof(SmigNode) * Max(g->nnodes, 1));
	g->ids = make_id_table("schemamig revision ids", g->nnodes);
	g->labels = make_id_table("schemamig branch labels", 16);

	i = 0;
	foreach(lc, revisions)
	{
		SmigRevision *rev = lfirst(lc);
		IdEntry    *e;
		bool		found;

		CHECK_FOR_INTERRUPTS();
		if (strlen(rev->id) > SMIG_ID_MAXLEN)
			elog(ERROR, "revision id longer than %d characters: \"%s\"",
				 SMIG_ID_MAXLEN, rev->id);
		e = hash_search(g->ids, &rev->id, HASH_ENTER, &found);
		if (found)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("revision \"%s\" is registered twice", rev->id)));
		e->index = i;
		g->nodes[i].rev = rev;
		i++;
	}

	/* branch labels: unique, and never the id of a revision */
	for (i = 0; i < g->nnodes; i++)
	{
		foreach(lc, g->nodes[i].rev->branch_labels)
		{
			char	   *label = lfirst(lc);
			IdEntry    *e;
			bool		found;

			CHECK_FOR_INTERRUPTS();
			if (smig_graph_find(g, label) >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("branch label \"%s\" of revision \"%s\" is also a revision id", label, g->nodes[i].rev->id),
						 errhint("Choose a label that is not a revision id.")));
			if (strlen(label) > SMIG_ID_MAXLEN)
				elog(ERROR, "branch label too long: \"%s\"", label);
			e = hash_search(g->labels, &label, HASH_ENTER, &found);
			if (found && e->index != i)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("branch label \"%s\" is on both revision \"%s\" and revision \"%s\"", label, g->nodes[e->index].rev->id, g->nodes[i].rev->id),
						 errhint("A branch label names one revision: the first of its branch.")));
			e->index = i;
		}
	}

	for (i = 0; i < g->nnodes; i++)
	{
		SmigNode   *node = &g->nodes[i];

		add_edges(g, i, node->rev->down_revisions, "down_revision",
				  &node->parents, &node->nparents);
		add_edges(g, i, node->rev->depends_on, "depends_on",
				  &node->deps, &node->ndeps);
	}
	fill_reverse_edges(g);

	foreach(lc, applied)
	{
		SmigApplied *app = lfirst(lc);
		int			idx = smig_graph_find(g, app->id);

		if (idx >= 0)
			g->nodes[idx].applied = app;
		else
			g->orphans = lappend(g->orphans, app);
	}

	/* in the order they were applied, then by id */
	if (list_length(g->orphans) > 1)
		list_sort(g->orphans, cmp_applied);
	order_topologically(g);
	return g;
}

/* list_sort comparator: SmigApplied by applied_at, then id */
static int
cmp_applied(const ListCell *a, const ListCell *b)
{
	SmigApplied *aa = lfirst(a);
	SmigApplied *ab = lfirst(b);

	if (aa->applied_at != ab->applied_at)
		return (aa->applied_at < ab->applied_at) ? -1 : 1;
	return strcmp(aa->id, ab->id);
}

/* a string-keyed hash table of node indexes (keys: const char *) */
static HTAB *
make_id_table(const char *name, long size)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(const char *);
	ctl.entrysize = sizeof(IdEntry);
	ctl.hash = id_hash;
	ctl.match = id_match;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, Max(size, 16), &ctl,
					   HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
}

static uint32
id_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, strlen(s));
}

static int
id_match(const void *key1, const void *key2, Size keysize)
{
	return strcmp(*(const char *const *) key1, *(const char *const *) key2);
}

/* resolve the ids of node i's down_revision or depends_on list */
static void
add_edges(SmigGraph *g, int i, List *ids, const char *what,
		  int **edges, int *nedges)
{
	ListCell   *lc;
	int			n = 0;

	*edges = palloc(sizeof(int) * Max(list_length(ids), 1));
	foreach(lc, ids)
	{
		char	   *id = lfirst(lc);
		int			j = smig_graph_find(g, id);

		if (j < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("revision \"%s\" names %s \"%s\", which is not registered", g->nodes[i].rev->id, what, id),
					 errhint("Register \"%s\" first, or in the same script.", id)));
		if (j == i)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_RECURSION),
					 errmsg("revision \"%s\" names itself as its %s", id, what)));
		(*edges)[n++] = j;
	}
	*nedges = n;
}

/*
 * children and dependents: the parent and deps edges reversed, carved out
 * of one array (one palloc per node and direction made a large graph slow
 * to build)
 */
static void
fill_reverse_edges(SmigGraph *g)
{
	int			i,
				k;
	Size		nedges = 0;
	int		   *pool;

	for (i = 0; i < g->nnodes; i++)
	{
		for (k = 0; k < g->nodes[i].nparents; k++)
			g->nodes[g->nodes[i].parents[k]].nchildren++;
		for (k = 0; k < g->nodes[i].ndeps; k++)
			g->nodes[g->nodes[i].deps[k]].ndependents++;
		nedges += g->nodes[i].nparents + g->nodes[i].ndeps;
	}
	pool = palloc(sizeof(int) * Max(nedges, 1));
	for (i = 0; i < g->nnodes; i++)
	{
		SmigNode   *node = &g->nodes[i];

		node->children = pool;
		pool += node->nchildren;
		node->dependents = pool;
		pool += node->ndependents;
		node->nchildren = 0;
		node->ndependents = 0;
	}
	for (i = 0; i < g->nnodes; i++)
	{
		CHECK_FOR_INTERRUPTS();
		for (k = 0; k < g->nodes[i].nparents; k++)
		{
			SmigNode   *p = &g->nodes[g->nodes[i].parents[k]];

			p->children[p->nchildren++] = i;
		}
		for (k = 0; k < g->nodes[i].ndeps; k++)
		{
			SmigNode   *d = &g->nodes[g->nodes[i].deps[k]];

			d->dependents[d->ndependents++] = i;
		}
	}
}

/*
 * order_topologically
 *		Kahn's algorithm; among the revisions that are ready, the one
 *		registered first goes first, so the order is stable.
 */
static void
order_topologically(SmigGraph *g)
{
	int			n = g->nnodes;
	int		   *indegree = palloc(sizeof(int) * Max(n, 1));
	binaryheap *ready = binaryheap_allocate(Max(n, 1), cmp_lowest_index, NULL);
	int			placed = 0;
	int			i;

	g->topo = palloc(sizeof(int) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		indegree[i] = g->nodes[i].nparents + g->nodes[i].ndeps;
		if (indegree[i] == 0)
			binaryheap_add_unordered(ready, Int32GetDatum(i));
	}
	binaryheap_build(ready);

	while (!binaryheap_empty(ready))
	{
		int			cur = DatumGetInt32(binaryheap_remove_first(ready));
		SmigNode   *node = &g->nodes[cur];
		int			k;

		CHECK_FOR_INTERRUPTS();
		node->topo_pos = placed;
		g->topo[placed++] = cur;
		for (k = 0; k < node->nchildren; k++)
			if (--indegree[node->children[k]] == 0)
				binaryheap_add(ready, Int32GetDatum(node->children[k]));
		for (k = 0; k < node->ndependents; k++)
			if (--indegree[node->dependents[k]] == 0)
				binaryheap_add(ready, Int32GetDatum(node->dependents[k]));
	}

	if (placed < n)
		report_cycle(g, indegree);
	binaryheap_free(ready);
	pfree(indegree);
}

/* binaryheap keeps the "largest" on top: make that the lowest index */
static int
cmp_lowest_index(Datum a, Datum b, void *arg)
{
	int			ia = DatumGetInt32(a);
	int			ib = DatumGetInt32(b);

	return (ia < ib) ? 1 : (ia > ib) ? -1 : 0;
}

/*
 * report_cycle
 *		Raise the error for a cycle.  Every revision Kahn's algorithm could
 *		not place has a predecessor it could not place either, so walking
 *		predecessors from one of them must come back to a revision seen.
 */
static void
report_cycle(SmigGraph *g, int *indegree)
{
	int		   *seen_at = palloc(sizeof(int) * g->nnodes);
	int		   *path = palloc(sizeof(int) * (g->nnodes + 1));
	int			len = 0;
	int			cur = -1;
	int			i;
	StringInfoData buf;

	for (i = 0; i < g->nnodes; i++)
	{
		seen_at[i] = -1;
		if (cur < 0 && indegree[i] > 0)
			cur = i;
	}
	Assert(cur >= 0);

	while (seen_at[cur] < 0)
	{
		SmigNode   *node = &g->nodes[cur];
		int			next = -1;
		int			k;

		CHECK_FOR_INTERRUPTS();
		seen_at[cur] = len;
		path[len++] = cur;
		for (k = 0; k < node->nparents && next < 0; k++)
			if (indegree[node->parents[k]] > 0)
				next = node->parents[k];
		for (k = 0; k < node->ndeps && next < 0; k++)
			if (indegree[node->deps[k]] > 0)
				next = node->deps[k];
		if (next < 0)
			elog(ERROR, "schemamig: cycle walk lost its way at \"%s\"",
				 node->rev->id);
		cur = next;
	}

	/* the path runs child -> parent; print it parent -> child */
	initStringInfo(&buf);
	appendStringInfoString(&buf, g->nodes[cur].rev->id);
	for (i = len - 1; i >= seen_at[cur]; i--)
	{
		if (len - 1 - i >= SMIG_MAX_LISTED * 2)
		{
			appendStringInfoString(&buf, " -> ...");
			break;
		}
		appendStringInfo(&buf, " -> %s", g->nodes[path[i]].rev->id);
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_RECURSION),
			 errmsg("revisions form a cycle: %s", buf.data),
			 errhint("down_revision and depends_on must point to older revisions.")));
}

/*
 * Lookups and simple properties
 */

/* index of the revision with exactly this id, or -1 */
int
smig_graph_find(SmigGraph *g, const char *id)
{
	IdEntry    *e;

	if (strlen(id) > SMIG_ID_MAXLEN)
		return -1;
	e = hash_search(g->ids, &id, HASH_FIND, NULL);
	return e ? e->index : -1;
}

/* index of the revision carrying this branch label, or -1 */
int
smig_graph_find_label(SmigGraph *g, const char *label)
{
	IdEntry    *e;

	if (strlen(label) > SMIG_ID_MAXLEN)
		return -1;
	e = hash_search(g->labels, &label, HASH_FIND, NULL);
	return e ? e->index : -1;
}

/* is node i a head (no revision has it as down_revision)? */
bool
smig_is_head(SmigGraph *g, int i)
{
	return g->nodes[i].nchildren == 0;
}

/*
 * Is node i a current head: applied, with no applied child and no applied
 * dependent?  A revision applied because another depends_on it is not a
 * current head once that one is applied too (as in Alembic, whose version
 * table then holds only the dependent).
 */
bool
smig_is_current(SmigGraph *g, int i)
{
	SmigNode   *node = &g->nodes[i];
	int			k;

	if (node->applied == NULL)
		return false;
	for (k = 0; k < node->nchildren; k++)
		if (g->nodes[node->children[k]].applied != NULL)
			return false;
	for (k = 0; k < node->ndependents; k++)
		if (g->nodes[node->dependents[k]].applied != NULL)
			return false;
	return true;
}

/* the heads, as an integer List of node indexes in topological order */
List *
smig_heads(SmigGraph *g)
{
	List	   *result = NIL;
	int			k;

	for (k = 0; k < g->nnodes; k++)
		if (smig_is_head(g, g->topo[k]))
			result = lappend_int(result, g->topo[k]);
	return result;
}

/* the current heads, likewise */
List *
smig_current_heads(SmigGraph *g)
{
	List	   *result = NIL;
	int			k;

	for (k = 0; k < g->nnodes; k++)
	{
		CHECK_FOR_INTERRUPTS();
		if (smig_is_current(g, g->topo[k]))
			result = lappend_int(result, g->topo[k]);
	}
	return result;
}

/*
 * smig_set_applied_state
 *		Pretend exactly the nodes set in applied[] are applied (for offline
 *		scripts computed from another starting point).
 */
void
smig_set_applied_state(SmigGraph *g, bool *applied)
{
	int			i;

	for (i = 0; i < g->nnodes; i++)
	{
		if (!applied[i])
			g->nodes[i].applied = NULL;
		else if (g->nodes[i].applied == NULL)
		{
			SmigApplied *app = palloc0(sizeof(SmigApplied));

			app->id = g->nodes[i].rev->id;
			app->checksum = g->nodes[i].rev->checksum;
			g->nodes[i].applied = app;
		}
	}
}

/*
 * smig_walk
 *		The set (a bool per node) reachable from nodes[] through the edges
 *		named in the SMIG_EDGE_* mask, transitively.  self: include nodes[]
 *		themselves.
 */
bool *
smig_walk(SmigGraph *g, int *nodes, int n, bool self, int edges)
{
	bool	   *mark = palloc0(sizeof(bool) * Max(g->nnodes, 1));
	int		   *stack = palloc(sizeof(int) * (g->nnodes + n + 1));
	int			top = 0;
	int			k;

	for (k = 0; k < n; k++)
	{
		if (self)
			mark[nodes[k]] = true;
		stack[top++] = nodes[k];
	}
	while (top > 0)
	{
		SmigNode   *node = &g->nodes[stack[--top]];
		int		   *lists[4] = {node->parents, node->deps,
		node->children, node->dependents};
		int			lens[4] = {node->nparents, node->ndeps,
		node->nchildren, node->ndependents};
		int			e;

		CHECK_FOR_INTERRUPTS();
		for (e = 0; e < 4; e++)
		{
			if (!(edges & (1 << e)))
				continue;
			for (k = 0; k < lens[e]; k++)
				if (!mark[lists[e][k]])
				{
					mark[lists[e][k]] = true;
					stack[top++] = lists[e][k];
				}
		}
	}
	pfree(stack);
	return mark;
}

/* what nodes[] need before them: parents and depends_on, transitively */
bool *
smig_ancestors(SmigGraph *g, int *nodes, int n, bool self)
{
	return smig_walk(g, nodes, n, self, SMIG_EDGE_PARENTS | SMIG_EDGE_DEPS);
}

/* what needs nodes[]: children and dependents, transitively */
bool *
smig_descendants(SmigGraph *g, int *nodes, int n, bool self)
{
	return smig_walk(g, nodes, n, self,
					 SMIG_EDGE_CHILDREN | SMIG_EDGE_DEPENDENTS);
}

/*
 * Formatting
 */

/* ids of nodes[] joined with sep; long lists end in "..." */
char *
smig_join_ids(SmigGraph *g, int *nodes, int n, const char *sep)
{
	StringInfoData buf;
	int			k;

	initStringInfo(&buf);
	for (k = 0; k < n; k++)
	{
		if (k == SMIG_MAX_LISTED)
		{
			appendStringInfo(&buf, "%s... (%d more)", sep, n - k);
			break;
		}
		appendStringInfo(&buf, "%s%s", k > 0 ? sep : "",
						 g->nodes[nodes[k]].rev->id);
	}
	return buf.data;
}

/* load the registered revisions and the applied state into a graph */
SmigGraph *
smig_load_graph(bool read_only)
{
	List	   *revisions = smig_load_revisions(read_only);
	List	   *applied = smig_load_applied(read_only);

	return smig_graph_build(revisions, applied);
}

/* a revision's down_revisions as Alembic prints them, NULL for a root */
char *
smig_from_text(SmigGraph *g, int i)
{
	if (g->nodes[i].nparents == 0)
		return NULL;
	return smig_join_ids(g, g->nodes[i].parents, g->nodes[i].nparents, ", ");
}
