/*-------------------------------------------------------------------------
 *
 * targets.c
 *	  What a target means, and the plans built from one: Alembic's target
 *	  grammar (head, heads, base, current, an id or a unique prefix of one,
 *	  a branch label, X@head, X@base, +N, -N, X+N, X-N), history ranges,
 *	  and which revisions upgrade, downgrade and stamp touch.
 *
 * The meanings are Alembic 1.8's wherever Alembic is consistent, checked
 * by running the same graphs in both; README "Where schemamig differs
 * from Alembic, and why" lists the exceptions.  Two edge kinds matter
 * here: a revision's lineage runs along down_revision (parents and
 * children), while depends_on only adds what must be applied first.  So
 * relative steps and "what comes after X" follow the lineage, and a
 * dependent is undone only when something it needs is.
 *
 * Nothing here recurses on the graph: walks are loops with explicit
 * stacks (graph.c's smig_walk), and the loops over the whole graph check
 * for interrupts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "miscadmin.h"

#include "model/graph.h"

static SmigTarget target_of_nodes(int *nodes, int n);
static SmigTarget target_of_one(int i);
static int *list_to_nodes(List *ids, int *n);
static SmigTarget resolve_at(SmigGraph *g, const char *target,
							 const char *at);
static int	branch_head(SmigGraph *g, int start, const char *target);
static bool split_relative(const char *target, char **left, char *sign,
						   int *count);
static bool is_resolvable(SmigGraph *g, const char *s);
static SmigTarget walk_up(SmigGraph *g, const char *target,
						  SmigTarget start, int count);
static SmigTarget walk_down(SmigGraph *g, const char *target,
							SmigTarget start, int count);
static int	find_prefix(SmigGraph *g, const char *prefix, bool raise);
static bool *after_on_lineage(SmigGraph *g, int *nodes, int n);
static bool *downgrade_set(SmigGraph *g, SmigTarget t);

/*
 * Resolving targets
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
	t.from_head = -1;
	return t;
}

/* a target naming node i */
static SmigTarget
target_of_one(int i)
{
	int		   *nodes = palloc(sizeof(int));

	nodes[0] = i;
	return target_of_nodes(nodes, 1);
}

/* an integer List of node indexes as an array */
static int *
list_to_nodes(List *ids, int *n)
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
 *		base, heads, head, current, an id, a branch label (the revision
 *		that carries it), X@head, X@base, +N, -N, X+N, X-N, or a unique id
 *		prefix.  Raises an error naming the target when it is unknown or
 *		ambiguous.
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
	SmigTarget	result;

	/* relative targets resolve their left side once; be safe anyway */
	check_stack_depth();

	/*
	 * The empty string is no target: left alone it would be the prefix of
	 * every id.
	 */
	if (target == NULL || target[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("unknown target \"\""),
				 errdetail("The target is an empty string."),
				 errhint("Use head, heads, base, a revision id, a branch label, +N or -N.")));

	if (strcmp(target, "base") == 0)
		return target_of_nodes(NULL, 0);

	if (strcmp(target, "heads") == 0)
	{
		nodes = list_to_nodes(smig_heads(g), &n);
		return target_of_nodes(nodes, n);
	}

	if (strcmp(target, "head") == 0)
	{
		nodes = list_to_nodes(smig_heads(g), &n);
		if (n > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("target \"head\" is ambiguous: there are %d heads: %s", n, smig_join_ids(g, nodes, n, ", ")),
					 errhint("Name one head or a branch label (label@head), use \"heads\", or merge them with schemamig.merge().")));
		return target_of_nodes(nodes, n);
	}

	if (strcmp(target, "current") == 0)
	{
		nodes = list_to_nodes(smig_current_heads(g), &n);
		return target_of_nodes(nodes, n);
	}

	/* an id, or a branch label: the revision that carries it (as Alembic) */
	idx = smig_graph_find(g, target);
	if (idx < 0)
		idx = smig_graph_find_label(g, target);
	if (idx >= 0)
		return target_of_one(idx);

	at = strchr(target, '@');
	if (at != NULL)
		return resolve_at(g, target, at);

	/* +N, -N, X+N, X-N */
	if (split_relative(target, &left, &sign, &count) &&
		(left[0] == '\0' || is_resolvable(g, left)))
	{
		SmigTarget	start;

		if (left[0] == '\0')
		{
			nodes = list_to_nodes(smig_current_heads(g), &n);
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
		if (count == 0)
			return start;
		if (sign == '+')
			result = walk_up(g, target, start, count);
		else
			result = walk_down(g, target, start, count);
		if (left[0] == '\0' && sign == '-')
			result.from_head = start.nodes[0];
		return result;
	}

	idx = find_prefix(g, target, true);
	if (idx >= 0)
		return target_of_one(idx);
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
 * resolve_at
 *		X@head and X@base (at points at the "@" in target), X a branch
 *		label, an id or a unique id prefix.  X is resolved without
 *		recursing, so no input can nest this.
 */
static SmigTarget
resolve_at(SmigGraph *g, const char *target, const char *at)
{
	const char *what = at + 1;
	char	   *name = pnstrdup(target, at - target);
	int			start;

	if (strcmp(what, "head") != 0 && strcmp(what, "base") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown target \"%s\"", target),
				 errhint("After \"@\" write head or base.")));

	/*
	 * "@head" with nothing before it: the empty name would be the prefix of
	 * every id.  Alembic reads it as "head"; it is more likely a label that
	 * went missing where the target was put together.
	 */
	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("unknown target \"%s\": the branch label before \"@\" is empty", target),
				 errhint("Write a branch label or a revision id before \"@\", or use %s alone.", what)));

	start = smig_graph_find_label(g, name);
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
		return target_of_one(branch_head(g, start, target));
	else
	{
		SmigTarget	t = target_of_nodes(NULL, 0);

		t.base = false;
		t.branch_base = start;
		return t;
	}
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
 * smig_resolve_upgrade_target
 *		Resolve a target to upgrade to.  -N is refused (an upgrade does not
 *		go back; Alembic refuses it too), and label@base means the labelled
 *		revision, the first of its branch.
 */
SmigTarget
smig_resolve_upgrade_target(SmigGraph *g, const char *target)
{
	SmigTarget	t;
	char	   *left;
	char		sign;
	int			count;

	if (target != NULL && target[0] == '-' &&
		smig_graph_find(g, target) < 0 &&
		smig_graph_find_label(g, target) < 0 &&
		split_relative(target, &left, &sign, &count) && left[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot upgrade to relative target \"%s\": it counts down from the current head", target),
				 errhint("Use downgrade('%s') to go back, or +N to go forward.", target)));

	t = smig_resolve_target(g, target);
	if (t.branch_base >= 0)
		t = target_of_one(t.branch_base);
	return t;
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
	if (smig_graph_find(g, s) >= 0 || smig_graph_find_label(g, s) >= 0)
		return true;
	return find_prefix(g, s, false) >= 0;
}

/*
 * walk_up
 *		count (> 0) steps up from start, through children; a branch point
 *		on the way is ambiguous.
 */
static SmigTarget
walk_up(SmigGraph *g, const char *target, SmigTarget start, int count)
{
	int			cur;
	int			step;

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
	return target_of_one(cur);
}

/*
 * walk_down
 *		count (> 0) steps down from start, through down_revision (not
 *		depends_on, as in Alembic).  One step below a root is base; a merge
 *		point on the way is ambiguous (it has several down_revisions).
 */
static SmigTarget
walk_down(SmigGraph *g, const char *target, SmigTarget start, int count)
{
	int			cur;
	int			step;

	if (start.base)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("relative target \"%s\" goes below base", target),
				 errhint("Nothing is applied: there is nothing to go back from.")));
	Assert(start.nnodes == 1);
	cur = start.nodes[0];

	for (step = 0; step < count; step++)
	{
		SmigNode   *node;

		CHECK_FOR_INTERRUPTS();
		if (cur < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relative target \"%s\" goes below base", target),
					 errdetail("Revision \"%s\" is %d step%s above base.", g->nodes[start.nodes[0]].rev->id, step, step == 1 ? "" : "s")));
		node = &g->nodes[cur];
		if (node->nparents > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relative target \"%s\" is ambiguous: revision \"%s\" is a merge point of %s", target, node->rev->id, smig_join_ids(g, node->parents, node->nparents, ", ")),
					 errhint("Name the revision or branch label to go back to.")));
		cur = (node->nparents == 0) ? -1 : node->parents[0];
	}
	if (cur < 0)
		return target_of_nodes(NULL, 0);
	return target_of_one(cur);
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

	/* the empty prefix would match everything: no caller may mean that */
	if (len == 0)
		return -1;
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
 * after_on_lineage
 *		What comes after nodes[] on their lineage: their children and
 *		everything that needs those, through children and dependents.  A
 *		revision that merely depends_on one of nodes[] is not in it (it
 *		still has what it needs), as in Alembic's downgrade.
 */
static bool *
after_on_lineage(SmigGraph *g, int *nodes, int n)
{
	bool	   *seen = palloc0(sizeof(bool) * Max(g->nnodes, 1));
	int		   *kids = palloc(sizeof(int) * Max(g->nnodes, 1));
	int			nkids = 0;
	int			k,
				j;
	bool	   *result;

	for (k = 0; k < n; k++)
	{
		SmigNode   *node = &g->nodes[nodes[k]];

		for (j = 0; j < node->nchildren; j++)
			if (!seen[node->children[j]])
			{
				seen[node->children[j]] = true;
				kids[nkids++] = node->children[j];
			}
	}
	result = smig_descendants(g, kids, nkids, true);
	pfree(seen);
	pfree(kids);
	return result;
}

/*
 * downgrade_set
 *		What downgrading to t undoes, applied or not: base, everything;
 *		label@base, the labelled revision and what comes after it; -N from
 *		the current head X, what comes after the target on X's own lineage
 *		(as Alembic: one step back from X undoes X, not a sibling branch
 *		that X merely depends_on, nor another lineage when the walk reaches
 *		base); revisions, what comes after them on their lineage and is not
 *		needed by one of them.
 */
static bool *
downgrade_set(SmigGraph *g, SmigTarget t)
{
	bool	   *remove;
	bool	   *keep;
	int			k;

	if (t.from_head >= 0 && t.branch_base < 0 && t.nnodes <= 1)
	{
		/* X's down_revision ancestry: a chain, -N walks through no merge */
		bool	   *path = smig_walk(g, &t.from_head, 1, true,
									 SMIG_EDGE_PARENTS);
		int		   *roots = palloc(sizeof(int) * Max(g->nnodes, 1));
		int			n = 0;

		if (t.base)
		{
			for (k = 0; k < g->nnodes; k++)
				if (path[k] && g->nodes[k].nparents == 0)
					roots[n++] = k;
		}
		else
		{
			SmigNode   *node = &g->nodes[t.nodes[0]];

			for (k = 0; k < node->nchildren; k++)
				if (path[node->children[k]])
					roots[n++] = node->children[k];
		}
		remove = smig_descendants(g, roots, n, true);
		pfree(path);
		pfree(roots);
		return remove;
	}
	if (t.base)
	{
		remove = palloc(sizeof(bool) * Max(g->nnodes, 1));
		for (k = 0; k < g->nnodes; k++)
			remove[k] = true;
		return remove;
	}
	if (t.branch_base >= 0)
		return smig_descendants(g, &t.branch_base, 1, true);

	/* with several target revisions, one may come after another: keep it */
	remove = after_on_lineage(g, t.nodes, t.nnodes);
	keep = smig_ancestors(g, t.nodes, t.nnodes, true);
	for (k = 0; k < g->nnodes; k++)
		if (keep[k])
			remove[k] = false;
	pfree(keep);
	return remove;
}

/*
 * smig_plan_upgrade
 *		The pending revisions target needs, in the order to apply them.
 */
SmigPlan
smig_plan_upgrade(SmigGraph *g, const char *target)
{
	SmigTarget	t = smig_resolve_upgrade_target(g, target);

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
 *		The applied revisions to undo to get back to target (see
 *		downgrade_set), newest first.  Refuses a target that is not
 *		applied, and an irreversible revision on the way.
 */
SmigPlan
smig_plan_downgrade(SmigGraph *g, const char *target)
{
	SmigTarget	t = smig_resolve_target(g, target);
	SmigPlan	plan = {palloc(sizeof(int) * Max(g->nnodes, 1)), 0};
	bool	   *remove;
	int			k;

	if (t.branch_base < 0)
	{
		for (k = 0; k < t.nnodes; k++)
			if (g->nodes[t.nodes[k]].applied == NULL)
			{
				List	   *cur = smig_current_heads(g);
				int			n;
				int		   *curnodes = list_to_nodes(cur, &n);

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("cannot downgrade to revision \"%s\": it is not applied", g->nodes[t.nodes[k]].rev->id),
						 n > 0 ?
						 errdetail("The database is at %s.", smig_join_ids(g, curnodes, n, ", ")) :
						 errdetail("Nothing is applied."),
						 errhint("Downgrade goes back to an applied revision; use upgrade() to go forward.")));
			}
	}
	remove = downgrade_set(g, t);

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
 *		The applied set after stamp(target): the state upgrade(target) or
 *		downgrade(target) would leave.  Target and what it needs are
 *		applied, what comes after it on its lineage is not, every other
 *		revision keeps its state.  *is_base says whether target resolved to
 *		base.
 */
bool *
smig_stamp_state(SmigGraph *g, const char *target, bool *is_base)
{
	SmigTarget	t = smig_resolve_target(g, target);
	bool	   *state = palloc0(sizeof(bool) * Max(g->nnodes, 1));
	bool	   *remove;
	bool	   *anc = NULL;
	int			k;

	/* -N that reaches base from one head is that head's lineage undone */
	*is_base = t.base && t.from_head < 0;
	if (*is_base)
		return state;
	remove = downgrade_set(g, t);
	if (t.nnodes > 0)
		anc = smig_ancestors(g, t.nodes, t.nnodes, true);
	for (k = 0; k < g->nnodes; k++)
		state[k] = (anc != NULL && anc[k]) ||
			(g->nodes[k].applied != NULL && !remove[k]);
	if (anc)
		pfree(anc);
	pfree(remove);
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
