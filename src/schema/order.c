/*-------------------------------------------------------------------------
 *
 * order.c
 *	  Dependency order of the objects a diff creates or drops: a
 *	  topological sort (Kahn) over the nodes' deps, ties broken by rank
 *	  then id so that the output is deterministic.  Dependencies on
 *	  objects that are not nodes are ignored; a cycle is broken at the
 *	  smallest remaining node.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "schema/diff_int.h"

static int	node_cmp(const void *a, const void *b);

static int
node_cmp(const void *a, const void *b)
{
	SmigObjNode   *x = *(SmigObjNode *const *) a;
	SmigObjNode   *y = *(SmigObjNode *const *) b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* index of id among the sorted-by-id array, or -1 */
static int
find_id(SmigObjNode **byid, int n, const char *id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = strcmp(byid[mid]->id, id);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp((*(SmigObjNode *const *) a)->id, (*(SmigObjNode *const *) b)->id);
}

/*
 * smig_order
 *		The nodes, each after the nodes it depends on (reverse: before).
 */
List *
smig_order(List *nodes, bool reverse)
{
	int			n = list_length(nodes);
	SmigObjNode  **byid;
	SmigObjNode  **sorted;
	int		   *pending;		/* unmet deps per sorted index */
	bool	   *done;
	int		   *idx_of;			/* byid index -> sorted index */
	List	  **dependents;		/* sorted index -> sorted indexes */
	List	   *result = NIL;
	int			i,
				k;

	if (n == 0)
		return NIL;
	byid = palloc(sizeof(SmigObjNode *) * n);
	sorted = palloc(sizeof(SmigObjNode *) * n);
	for (i = 0; i < n; i++)
		byid[i] = sorted[i] = list_nth(nodes, i);
	qsort(byid, n, sizeof(SmigObjNode *), id_cmp);
	qsort(sorted, n, sizeof(SmigObjNode *), node_cmp);
	idx_of = palloc(sizeof(int) * n);
	for (i = 0; i < n; i++)
		idx_of[find_id(byid, n, sorted[i]->id)] = i;
	pending = palloc0(sizeof(int) * n);
	done = palloc0(sizeof(bool) * n);
	dependents = palloc0(sizeof(List *) * n);
	for (i = 0; i < n; i++)
	{
		ListCell   *lc;

		foreach(lc, sorted[i]->deps)
		{
			int			j = find_id(byid, n, (char *) lfirst(lc));

			if (j >= 0 && idx_of[j] != i)
			{
				pending[i]++;
				dependents[idx_of[j]] = lappend_int(dependents[idx_of[j]], i);
			}
		}
	}
	for (k = 0; k < n; k++)
	{
		int			pick = -1;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n && pick < 0; i++)
			if (!done[i] && pending[i] == 0)
				pick = i;
		/* a cycle: take the first one left */
		for (i = 0; i < n && pick < 0; i++)
			if (!done[i])
				pick = i;
		done[pick] = true;
		result = lappend(result, sorted[pick]);
		{
			ListCell   *lc;

			foreach(lc, dependents[pick])
				pending[lfirst_int(lc)]--;
		}
	}
	if (reverse)
	{
		List	   *rev = NIL;
		ListCell   *lc;

		foreach(lc, result)
			rev = lcons(lfirst(lc), rev);
		result = rev;
	}
	return result;
}
