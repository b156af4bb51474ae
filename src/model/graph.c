/*-------------------------------------------------------------------------
 *
 * graph.c
 *	  The revision graph: building it (with the checks that refuse missing
 *	  parents, cycles and clashing labels), a stable topological order,
 *	  heads, the Alembic target grammar and the plans of upgrade, downgrade
 *	  and stamp.
 *
 * Nothing here recurses: chains of 100,000 revisions are walked with
 * explicit stacks, and every loop checks for interrupts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

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
static int	find_label(SmigGraph *g, const char *label);
static int *list_to_nodes(SmigGraph *g, List *ids, int *n);
static int	branch_head(SmigGraph *g, int start, const char *target);
static bool split_relative(const char *target, char **left, char *sign,
						   int *count);
static bool is_resolvable(SmigGraph *g, const char *s);
static SmigTarget walk_relative(SmigGraph *g, const char *target,
								SmigTarget start, char sign, int count);
static int	find_prefix(SmigGraph *g, const char *prefix, bool raise);
static SmigTarget target_of_nodes(int *nodes, int n);

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
static int
find_label(SmigGraph *g, const char *label)
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

/* is node i applied with no applied child? */
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
 * Targets
 */

/* a target naming the given nodes (base when there are none) */
static SmigTarget
target_of_nodes(int *nodes, int n)
{
	SmigTarget	t;

	t.base = (n == 0);
	t.branch_base = -1;
	t.nodes = nodes;
	t.nnodes = n;
	return t;
}

/* an integer List of node indexes as an array */
static int *
list_to_nodes(SmigGraph *g, List *ids, int *n)
{
	int		   *nodes = palloc(sizeof(int) * Max(list_length(ids), 1));
	ListCell   *lc;
	int			k = 0;

	foreach(lc, ids)
		nodes[k++] = lfirst_int(lc);
	*n = k;
	return nodes;
}

/*
 * smig_resolve_target
 *		Resolve an Alembic target against the graph and its applied state:
 *		base, heads, head, current, an id, a branch label (its head),
 *		X@head, X@base, +N, -N, X+N, X-N, or a unique id prefix.
 *
 * An exact id or label always wins, so ids containing "-" stay usable.
 */
SmigTarget
smig_resolve_target(SmigGraph *g, const char *target)
{
	int			idx;
	int		   *nodes;
	int			n;
	char	   *left;
	char		sign;
	int			count;
	const char *at;

	/* relative targets resolve their left side once; be safe anyway */
	check_stack_depth();

	if (target == NULL || target[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target must not be empty"),
				 errhint("Use head, heads, base, a revision id, a branch label, +N or -N.")));

	if (strcmp(target, "base") == 0)
		return target_of_nodes(NULL, 0);

	if (strcmp(target, "heads") == 0)
	{
		nodes = list_to_nodes(g, smig_heads(g), &n);
		return target_of_nodes(nodes, n);
	}

	if (strcmp(target, "head") == 0)
	{
		nodes = list_to_nodes(g, smig_heads(g), &n);
		if (n > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("target \"head\" is ambiguous: there are %d heads: %s", n, smig_join_ids(g, nodes, n, ", ")),
					 errhint("Name one head or a branch label (label@head), use \"heads\", or merge them with schemamig.merge().")));
		return target_of_nodes(nodes, n);
	}

	if (strcmp(target, "current") == 0)
	{
		nodes = list_to_nodes(g, smig_current_heads(g), &n);
		return target_of_nodes(nodes, n);
	}

	idx = smig_graph_find(g, target);
	if (idx < 0)
	{
		idx = find_label(g, target);
		if (idx >= 0)
			idx = branch_head(g, idx, target);
	}
	if (idx >= 0)
	{
		nodes = palloc(sizeof(int));
		nodes[0] = idx;
		return target_of_nodes(nodes, 1);
	}

	/*
	 * X@head and X@base, X a label, an id or a unique prefix.  X is resolved
	 * without recursing, so no input can nest this.
	 */
	at = strchr(target, '@');
	if (at != NULL)
	{
		const char *what = at + 1;
		char	   *name = pnstrdup(target, at - target);
		int			start;

		if (strcmp(what, "head") != 0 && strcmp(what, "base") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown target \"%s\"", target),
					 errhint("After \"@\" write head or base.")));
		start = find_label(g, name);
		if (start < 0)
			start = smig_graph_find(g, name);
		if (start < 0)
			start = find_prefix(g, name, true);
		if (start < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("unknown branch label or revision \"%s\" in target \"%s\"", name, target),
					 errhint("Before \"@\" write a branch label or a revision id.")));
		if (what[0] == 'h')
		{
			nodes = palloc(sizeof(int));
			nodes[0] = branch_head(g, start, target);
			return target_of_nodes(nodes, 1);
		}
		else
		{
			SmigTarget	t = target_of_nodes(NULL, 0);

			t.base = false;
			t.branch_base = start;
			return t;
		}
	}

	/* +N, -N, X+N, X-N */
	if (split_relative(target, &left, &sign, &count) &&
		(left[0] == '\0' || is_resolvable(g, left)))
	{
		SmigTarget	start;

		if (left[0] == '\0')
		{
			nodes = list_to_nodes(g, smig_current_heads(g), &n);
			if (n > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" is ambiguous: the database is at %d heads: %s", target, n, smig_join_ids(g, nodes, n, ", ")),
						 errhint("Make it relative to one of them, e.g. \"%s%c%d\".", g->nodes[nodes[0]].rev->id, sign, count)));
			start = target_of_nodes(nodes, n);
		}
		else
		{
			start = smig_resolve_target(g, left);
			if (start.branch_base >= 0 || start.nnodes > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" must start from one revision", target)));
		}
		return walk_relative(g, target, start, sign, count);
	}

	idx = find_prefix(g, target, true);
	if (idx >= 0)
	{
		nodes = palloc(sizeof(int));
		nodes[0] = idx;
		return target_of_nodes(nodes, 1);
	}
	/* "ab+1" where "ab" is an ambiguous prefix: say so, listing them */
	if (split_relative(target, &left, &sign, &count) && left[0] != '\0')
		(void) find_prefix(g, left, true);

	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("unknown revision or target \"%s\"", target),
			 errhint("Use a registered revision id or a unique prefix of one, a branch label, head, heads, base, +N or -N.")));
	return target_of_nodes(NULL, 0);	/* keep compiler quiet */
}

/*
 * smig_resolve_one
 *		Resolve a target that must name exactly one revision.
 */
int
smig_resolve_one(SmigGraph *g, const char *target)
{
	SmigTarget	t = smig_resolve_target(g, target);

	if (t.branch_base >= 0)
		return t.branch_base;
	if (t.nnodes != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 t.nnodes == 0 ?
				 errmsg("target \"%s\" names no revision", target) :
				 errmsg("target \"%s\" names %d revisions: %s", target, t.nnodes, smig_join_ids(g, t.nodes, t.nnodes, ", ")),
				 errhint("Name one revision.")));
	return t.nodes[0];
}

/*
 * branch_head
 *		The one head reachable from start through children; an error naming
 *		them when there are several.
 */
static int
branch_head(SmigGraph *g, int start, const char *target)
{
	/* a branch grows through children only; dependents are not part of it */
	bool	   *mark = smig_walk(g, &start, 1, true, SMIG_EDGE_CHILDREN);
	int		   *heads = palloc(sizeof(int) * Max(g->nnodes, 1));
	int			n = 0;
	int			k;

	for (k = 0; k < g->nnodes; k++)
		if (mark[g->topo[k]] && smig_is_head(g, g->topo[k]))
			heads[n++] = g->topo[k];

	if (n > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("target \"%s\" is ambiguous: the branch has %d heads: %s", target, n, smig_join_ids(g, heads, n, ", ")),
				 errhint("Name one head, or merge them with schemamig.merge().")));
	Assert(n == 1);
	pfree(mark);
	return heads[0];
}

/*
 * split_relative
 *		If target ends in +N or -N (N digits), set *left to what precedes
 *		the sign and return true.
 */
static bool
split_relative(const char *target, char **left, char *sign, int *count)
{
	int			len = strlen(target);
	int			i = len;
	long		value = 0;
	int			k;

	while (i > 0 && isdigit((unsigned char) target[i - 1]))
		i--;
	if (i == len || i == 0 || (target[i - 1] != '+' && target[i - 1] != '-'))
		return false;
	if (len - i > 9)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relative step in target \"%s\" is too large", target)));
	for (k = i; k < len; k++)
		value = value * 10 + (target[k] - '0');
	*count = (int) value;
	*sign = target[i - 1];
	*left = pnstrdup(target, i - 1);
	return true;
}

/*
 * Does s name something by itself (keyword, id, label, unique prefix)?
 * X@head-1 is not supported, so "@" forms are not resolvable here.
 */
static bool
is_resolvable(SmigGraph *g, const char *s)
{
	if (strcmp(s, "base") == 0 || strcmp(s, "head") == 0 ||
		strcmp(s, "heads") == 0 || strcmp(s, "current") == 0)
		return true;
	if (smig_graph_find(g, s) >= 0 || find_label(g, s) >= 0)
		return true;
	return find_prefix(g, s, false) >= 0;
}

/*
 * walk_relative
 *		Move count steps up (children) or down (parents) from start.
 */
static SmigTarget
walk_relative(SmigGraph *g, const char *target, SmigTarget start, char sign,
			  int count)
{
	int			step;

	if (count == 0)
		return start;

	if (sign == '+')
	{
		int			cur;

		if (start.base)
		{
			int		   *roots = palloc(sizeof(int) * Max(g->nnodes, 1));
			int			n = 0;
			int			k;

			for (k = 0; k < g->nnodes; k++)
				if (g->nodes[g->topo[k]].nparents == 0)
					roots[n++] = g->topo[k];
			if (n == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("target \"%s\" goes beyond the head: no revision is registered", target)));
			if (n > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" is ambiguous: there are %d base revisions: %s", target, n, smig_join_ids(g, roots, n, ", ")),
						 count > 1 ?
						 errhint("Name the revision to start from, e.g. \"%s+%d\".", g->nodes[roots[0]].rev->id, count - 1) :
						 errhint("Name the revision to go to, e.g. \"%s\".", g->nodes[roots[0]].rev->id)));
			cur = roots[0];
			count--;
		}
		else
			cur = start.nodes[0];

		for (step = 0; step < count; step++)
		{
			SmigNode   *node = &g->nodes[cur];

			CHECK_FOR_INTERRUPTS();
			if (node->nchildren == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" goes beyond the head \"%s\"", target, node->rev->id)));
			if (node->nchildren > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" is ambiguous: revision \"%s\" is a branch point with children %s", target, node->rev->id, smig_join_ids(g, node->children, node->nchildren, ", ")),
						 errhint("Name the revision or branch label to go to.")));
			cur = node->children[0];
		}
		{
			int		   *nodes = palloc(sizeof(int));

			nodes[0] = cur;
			return target_of_nodes(nodes, 1);
		}
	}
	else
	{
		/* down: the set of revisions count parent steps below start */
		int		   *set;
		int			n;
		int		   *seen = palloc(sizeof(int) * Max(g->nnodes, 1));
		int			k;

		if (start.base)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relative target \"%s\" goes below base", target),
					 errhint("Nothing is applied: there is nothing to go back from.")));
		for (k = 0; k < g->nnodes; k++)
			seen[k] = -1;
		set = palloc(sizeof(int) * Max(g->nnodes, 1));
		memcpy(set, start.nodes, sizeof(int) * start.nnodes);
		n = start.nnodes;

		for (step = 0; step < count; step++)
		{
			int		   *next = palloc(sizeof(int) * Max(g->nnodes, 1));
			int			m = 0;

			CHECK_FOR_INTERRUPTS();
			if (n == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("relative target \"%s\" goes below base", target)));
			for (k = 0; k < n; k++)
			{
				SmigNode   *node = &g->nodes[set[k]];
				int			j;

				for (j = 0; j < node->nparents; j++)
					if (seen[node->parents[j]] != step)
					{
						seen[node->parents[j]] = step;
						next[m++] = node->parents[j];
					}
			}
			pfree(set);
			set = next;
			n = m;
		}
		pfree(seen);
		return target_of_nodes(set, n);
	}
}

/*
 * find_prefix
 *		The one revision whose id starts with prefix; -1 when none.  When
 *		several match: an error listing them if raise, else -1.
 */
static int
find_prefix(SmigGraph *g, const char *prefix, bool raise)
{
	size_t		len = strlen(prefix);
	int		   *matches = palloc(sizeof(int) * Max(g->nnodes, 1));
	int			n = 0;
	int			k;

	for (k = 0; k < g->nnodes; k++)
	{
		int			i = g->topo[k];

		CHECK_FOR_INTERRUPTS();
		if (strncmp(g->nodes[i].rev->id, prefix, len) == 0)
			matches[n++] = i;
	}
	if (n == 1)
		return matches[0];
	if (n > 1 && raise)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("revision prefix \"%s\" is ambiguous: it matches %s", prefix, smig_join_ids(g, matches, n, ", ")),
				 errhint("Give more characters of the id.")));
	return -1;
}

/*
 * Plans
 */

/*
 * smig_plan_upgrade
 *		The pending revisions target needs, in the order to apply them.
 */
SmigPlan
smig_plan_upgrade(SmigGraph *g, const char *target)
{
	SmigTarget	t = smig_resolve_target(g, target);

	if (t.branch_base >= 0)
	{
		/* upgrading to label@base: to the first revision of the branch */
		int		   *first = palloc(sizeof(int));

		first[0] = t.branch_base;
		t = target_of_nodes(first, 1);
	}
	return smig_plan_upgrade_nodes(g, t.nodes, t.nnodes);
}

/*
 * smig_plan_upgrade_nodes
 *		The pending revisions that nodes[] need (nodes[] included), in the
 *		order to apply them.  No nodes: nothing to do.
 */
SmigPlan
smig_plan_upgrade_nodes(SmigGraph *g, int *nodes, int n)
{
	SmigPlan	plan = {palloc(sizeof(int) * Max(g->nnodes, 1)), 0};
	bool	   *want;
	int			k;

	if (n == 0)
		return plan;
	want = smig_ancestors(g, nodes, n, true);
	for (k = 0; k < g->nnodes; k++)
	{
		int			i = g->topo[k];

		if (want[i] && g->nodes[i].applied == NULL)
			plan.steps[plan.nsteps++] = i;
	}
	pfree(want);
	return plan;
}

/*
 * smig_plan_downgrade
 *		The applied revisions to undo to get back to target, newest first.
 *		Refuses a target that is not applied, and an irreversible revision
 *		on the way.
 */
SmigPlan
smig_plan_downgrade(SmigGraph *g, const char *target)
{
	SmigTarget	t = smig_resolve_target(g, target);
	SmigPlan	plan = {palloc(sizeof(int) * Max(g->nnodes, 1)), 0};
	bool	   *remove;
	int			k;

	if (t.base)
	{
		remove = palloc(sizeof(bool) * Max(g->nnodes, 1));
		for (k = 0; k < g->nnodes; k++)
			remove[k] = true;
	}
	else if (t.branch_base >= 0)
		remove = smig_descendants(g, &t.branch_base, 1, true);
	else
	{
		bool	   *keep = smig_ancestors(g, t.nodes, t.nnodes, true);

		for (k = 0; k < t.nnodes; k++)
			if (g->nodes[t.nodes[k]].applied == NULL)
			{
				List	   *cur = smig_current_heads(g);
				int			n;
				int		   *curnodes = list_to_nodes(g, cur, &n);

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("cannot downgrade to revision \"%s\": it is not applied", g->nodes[t.nodes[k]].rev->id),
						 n > 0 ?
						 errdetail("The database is at %s.", smig_join_ids(g, curnodes, n, ", ")) :
						 errdetail("Nothing is applied."),
						 errhint("Downgrade goes back to an applied revision; use upgrade() to go forward.")));
			}
		remove = smig_descendants(g, t.nodes, t.nnodes, false);
		for (k = 0; k < g->nnodes; k++)
			if (keep[k])
				remove[k] = false;
		pfree(keep);
	}

	for (k = g->nnodes - 1; k >= 0; k--)
	{
		int			i = g->topo[k];

		if (remove[i] && g->nodes[i].applied != NULL)
			plan.steps[plan.nsteps++] = i;
	}
	pfree(remove);

	for (k = 0; k < plan.nsteps; k++)
	{
		SmigRevision *rev = g->nodes[plan.steps[k]].rev;

		if (!rev->reversible)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("revision \"%s\" is irreversible: it has no downgrade section", rev->id),
					 errdetail("Downgrading to \"%s\" would need to undo it; nothing was changed.", target),
					 errhint("Downgrade to a later revision, or use schemamig.stamp() to record a state without running SQL.")));
	}
	return plan;
}

/*
 * smig_stamp_state
 *		The applied set after stamp(target): target and what it needs are
 *		applied, what comes after target is not, other branches keep their
 *		state.  *is_base says whether target resolved to base.
 */
bool *
smig_stamp_state(SmigGraph *g, const char *target, bool *is_base)
{
	SmigTarget	t = smig_resolve_target(g, target);
	bool	   *state = palloc0(sizeof(bool) * Max(g->nnodes, 1));
	int			k;

	*is_base = t.base;
	if (t.base)
		return state;
	if (t.branch_base >= 0)
	{
		bool	   *branch = smig_descendants(g, &t.branch_base, 1, true);

		for (k = 0; k < g->nnodes; k++)
			state[k] = g->nodes[k].applied != NULL && !branch[k];
		pfree(branch);
	}
	else
	{
		bool	   *anc = smig_ancestors(g, t.nodes, t.nnodes, true);
		bool	   *desc = smig_descendants(g, t.nodes, t.nnodes, false);

		for (k = 0; k < g->nnodes; k++)
			state[k] = anc[k] || (g->nodes[k].applied != NULL && !desc[k]);
		pfree(anc);
		pfree(desc);
	}
	return state;
}

/*
 * smig_range
 *		The revisions in an Alembic history range: "lower:upper", either side
 *		optional ("rev:", ":rev", "current:"); a single target names just
 *		its revisions.  NULL or "" is everything.
 */
bool *
smig_range(SmigGraph *g, const char *range)
{
	bool	   *sel = palloc(sizeof(bool) * Max(g->nnodes, 1));
	const char *colon;
	int			k;

	for (k = 0; k < g->nnodes; k++)
		sel[k] = true;
	if (range == NULL || range[0] == '\0')
		return sel;

	colon = strchr(range, ':');
	if (colon == NULL)
	{
		SmigTarget	t = smig_resolve_target(g, range);

		memset(sel, 0, sizeof(bool) * Max(g->nnodes, 1));
		if (t.branch_base >= 0)
			sel[t.branch_base] = true;
		for (k = 0; k < t.nnodes; k++)
			sel[t.nodes[k]] = true;
		return sel;
	}
	if (strchr(colon + 1, ':') != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid history range \"%s\"", range),
				 errhint("Write lower:upper, e.g. base:head, abc123:, :abc123 or current:.")));

	if (colon > range)
	{
		char	   *lower = pnstrdup(range, colon - range);
		SmigTarget	t = smig_resolve_target(g, lower);
		bool	   *desc = NULL;

		if (t.branch_base >= 0)
			desc = smig_descendants(g, &t.branch_base, 1, true);
		else if (!t.base)
			desc = smig_descendants(g, t.nodes, t.nnodes, true);
		if (desc)
			for (k = 0; k < g->nnodes; k++)
				sel[k] = sel[k] && desc[k];
	}
	if (colon[1] != '\0')
	{
		SmigTarget	t = smig_resolve_target(g, colon + 1);
		bool	   *anc = NULL;

		if (t.branch_base >= 0)
			anc = smig_ancestors(g, &t.branch_base, 1, true);
		else if (!t.base)
			anc = smig_ancestors(g, t.nodes, t.nnodes, true);
		for (k = 0; k < g->nnodes; k++)
			sel[k] = sel[k] && anc != NULL && anc[k];
	}
	return sel;
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
