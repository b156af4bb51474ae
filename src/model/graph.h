/*-------------------------------------------------------------------------
 *
 * graph.h
 *	  The revision graph (graph.c: build, order, heads, walks) and what
 *	  targets mean on it (targets.c: the target grammar, history ranges,
 *	  the plans of upgrade, downgrade and stamp).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_GRAPH_H
#define SMIG_GRAPH_H

#include "utils/hsearch.h"

#include "model/catalog.h"
#include "schemamig.h"

/*
 * A node of the graph.  Edges are node indexes: parents/children follow
 * down_revision, deps/dependents follow depends_on.  Both kinds order an
 * upgrade; only the parent edges decide heads and branches.
 */
typedef struct SmigNode
{
	SmigRevision *rev;
	int		   *parents;
	int			nparents;
	int		   *deps;
	int			ndeps;
	int		   *children;
	int			nchildren;
	int		   *dependents;
	int			ndependents;
	SmigApplied *applied;		/* NULL unless applied */
	int			topo_pos;		/* position in SmigGraph.topo */
} SmigNode;

typedef struct SmigGraph
{
	int			nnodes;
	SmigNode   *nodes;
	HTAB	   *ids;			/* id -> node index */
	HTAB	   *labels;			/* branch label -> node index */
	int		   *topo;			/* node indexes, every parent first */
	List	   *orphans;		/* SmigApplied * not registered */
} SmigGraph;

/*
 * A resolved target.  base: the empty state.  branch_base >= 0: the base of
 * the branch starting at that node ("label@base").  Otherwise nodes[] are
 * the revisions named (a branch label alone names the revision carrying
 * it).  from_head >= 0: the target was -N counted from that current
 * head (a downgrade to -N then undoes only that head's own lineage).
 */
typedef struct SmigTarget
{
	bool		base;
	int			branch_base;
	int		   *nodes;
	int			nnodes;
	int			from_head;
} SmigTarget;

/* a list of node indexes in the order to run them */
typedef struct SmigPlan
{
	int		   *steps;
	int			nsteps;
} SmigPlan;

/* graph.c */
extern SmigGraph *smig_graph_build(List *revisions, List *applied);
extern int	smig_graph_find(SmigGraph *g, const char *id);
extern int	smig_graph_find_label(SmigGraph *g, const char *label);
extern bool smig_is_head(SmigGraph *g, int i);
extern bool smig_is_current(SmigGraph *g, int i);
extern List *smig_heads(SmigGraph *g);
extern List *smig_current_heads(SmigGraph *g);
extern void smig_set_applied_state(SmigGraph *g, bool *applied);

/* edge kinds for smig_walk */
#define SMIG_EDGE_PARENTS		(1 << 0)
#define SMIG_EDGE_DEPS			(1 << 1)
#define SMIG_EDGE_CHILDREN		(1 << 2)
#define SMIG_EDGE_DEPENDENTS	(1 << 3)

extern bool *smig_walk(SmigGraph *g, int *nodes, int n, bool self, int edges);
extern bool *smig_ancestors(SmigGraph *g, int *nodes, int n, bool self);
extern bool *smig_descendants(SmigGraph *g, int *nodes, int n, bool self);

extern char *smig_join_ids(SmigGraph *g, int *nodes, int n, const char *sep);
extern SmigGraph *smig_load_graph(bool read_only);
extern char *smig_from_text(SmigGraph *g, int i);

/* targets.c */
extern SmigTarget smig_resolve_target(SmigGraph *g, const char *target);
extern SmigTarget smig_resolve_upgrade_target(SmigGraph *g,
											  const char *target);
extern int	smig_resolve_one(SmigGraph *g, const char *target);
extern SmigPlan smig_plan_upgrade(SmigGraph *g, const char *target);
extern SmigPlan smig_plan_upgrade_nodes(SmigGraph *g, int *nodes, int n);
extern SmigPlan smig_plan_downgrade(SmigGraph *g, const char *target);
extern bool *smig_stamp_state(SmigGraph *g, const char *target,
							  bool *is_base);
extern bool *smig_range(SmigGraph *g, const char *range);

#endif							/* SMIG_GRAPH_H */
