/*-------------------------------------------------------------------------
 *
 * diff_int.h
 *	  Private to the schema area: reading snapshots, the state of one
 *	  comparison (statements by phase), ordering nodes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_DIFF_INT_H
#define SMIG_DIFF_INT_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* one member of a snapshot object: its key and its object or string */
typedef struct SmigEntry
{
	char	   *key;
	char	   *orig;			/* the key before renames */
	JsonbContainer *obj;		/* NULL when the value is a string */
	char	   *str;			/* the string value, or NULL */
} SmigEntry;

/* the objects of one kind, sorted by key (strcmp) */
typedef struct SmigMap
{
	int			n;
	SmigEntry  *e;
} SmigMap;

/* snapshot.c */
extern JsonbContainer *smig_jobj(JsonbContainer *c, const char *key);
extern char *smig_jstr(JsonbContainer *c, const char *key);
extern bool smig_jbool(JsonbContainer *c, const char *key);
extern char *smig_jtext(JsonbContainer *c, const char *key);
extern bool smig_jsame(JsonbContainer *a, JsonbContainer *b, const char *key);
extern List *smig_jstrings(JsonbContainer *array);
extern SmigMap *smig_map(JsonbContainer *obj);
extern void smig_map_sort(SmigMap *m);
extern SmigEntry *smig_map_find(SmigMap *m, const char *key);
extern bool smig_list_has(List *strings, const char *s);
extern SmigMap *smig_kind_map(JsonbContainer *root, const char *kind);
extern char *smig_jreq(JsonbContainer *c, const char *key, const char *what);

/*
 * Phases of a script section, in the order they run.  Whole objects are
 * created (and altered) in P_OBJECTS in dependency order, and dropped in
 * P_DROP_VIEW / P_DROP_OBJECTS in reverse dependency order; the parts of
 * tables are dropped before and added after.
 */
typedef enum SmigPhase
{
	P_ENUM,						/* new enum values: a revision of their own */
	P_RENAME,
	P_DROP_POLICY,
	P_DROP_TRIGGER,
	P_DROP_VIEW,
	P_DROP_FK,
	P_DROP_CONSTRAINT,
	P_DROP_INDEX,
	P_DROP_COLUMN,
	P_DROP_OBJECTS,
	P_DROP_EXTENSION,
	P_CREATE_SCHEMA,
	P_CREATE_EXTENSION,			/* and SET SCHEMA, UPDATE TO */
	P_DROP_SCHEMA,				/* after an extension has left it */
	P_OBJECTS,
	P_SEQ_OWNED,
	P_CONSTRAINT,
	P_FK,
	P_INDEX,
	P_TRIGGER,
	P_RLS,
	P_POLICY,
	P_COMMENT,
	P_GRANT,
	P_VALIDATE,					/* validations: a later revision */
	P_CIC,						/* CONCURRENTLY: a revision without a
								 * transaction, between the main one and
								 * the validations */
	P_ATTACH,					/* ADD CONSTRAINT ... USING INDEX, after
								 * the validations in their revision */
	P_COUNT
} SmigPhase;

/* a rename asked for: a table (column NULL) or a column */
typedef struct SmigRename
{
	char	   *schema;
	char	   *table;
	char	   *column;
	char	   *newname;
} SmigRename;

/* an object to create, alter or drop, ordered by its dependencies */
typedef struct SmigObjNode
{
	char	   *id;				/* "kind:key" */
	int			rank;			/* tie-break: types, sequences, tables, ... */
	List	   *deps;			/* ids */
	StringInfo	sql;
} SmigObjNode;

/* one comparison: from (the live side) -> to */
typedef struct SmigDiffState
{
	JsonbContainer *from;
	JsonbContainer *to;
	bool		online;			/* forward: online-safe forms, row checks */
	List	   *renames;		/* SmigRename * */
	StringInfoData out[P_COUNT];
	List	   *create_nodes;
	List	   *drop_nodes;		/* whole objects but views */
	List	   *drop_views;
	List	   *recreate;		/* ids of views dropped and created again */
	List	   *changed;		/* ids whose dependent views are recreated */
	StringInfoData validate_down;	/* downgrade of the validation revision */
	StringInfoData extra_down;	/* prepended to the main downgrade */
	StringInfoData cic_down;	/* downgrade of the P_CIC revision */
	StringInfoData attach_down;	/* downgrade of P_ATTACH (runs first) */
	List	   *concurrent;		/* "schema"."name" of the indexes and
								 * constraints the P_CIC revision builds
								 * or drops: the backward comparison
								 * (the main downgrade) leaves them out */
	bool		creates_routine;	/* a function or procedure is (re)created */
} SmigDiffState;

/* diff.c */
extern void smig_emit(SmigDiffState *d, SmigPhase p, const char *fmt,...)
			pg_attribute_printf(3, 4);
extern SmigObjNode *smig_node(List **nodes, const char *kind, const char *key,
						   int rank, JsonbContainer *obj);
extern void smig_diff_acl(SmigDiffState *d, const char *what, const char *key,
						  JsonbContainer *from, JsonbContainer *to,
						  const char *defaults);
extern void smig_diff_comment(SmigDiffState *d, const char *what,
							  const char *key, JsonbContainer *from,
							  JsonbContainer *to);

/* diff_table.c */
extern void smig_diff_tables(SmigDiffState *d, SmigMap *from, SmigMap *to);
extern void smig_apply_renames(SmigDiffState *d, SmigMap *from);
extern bool smig_table_has_rows(const char *key);

/* order.c */
extern List *smig_order(List *nodes, bool reverse);

/* render.c */
extern char *smig_render(SmigDiffState *fwd, SmigDiffState *rev);

#endif							/* SMIG_DIFF_INT_H */
