/*-------------------------------------------------------------------------
 *
 * schemamig.h
 *	  Types shared by every area of schemamig: a revision, constants and
 *	  the GUC variables.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCHEMAMIG_H
#define SCHEMAMIG_H

#include "nodes/pg_list.h"

/* revision ids and branch labels: 1-64 chars of [A-Za-z0-9_.-] */
#define SMIG_ID_MAXLEN 64

/*
 * Key of the transaction-scoped advisory lock that serialises every writing
 * operation of one database: pg_advisory_xact_lock(1936549735, 1), i.e.
 * classid 0x736d6967 ("smig") and objid 1 in pg_locks.
 */
#define SMIG_LOCK_KEY1 1936549735
#define SMIG_LOCK_KEY2 1

/*
 * One revision: what a script block says, or what the catalog holds.
 * Lists hold palloc'd C strings.  Once bodies_loaded, upgrade_sql is never
 * NULL (it may be empty) and downgrade_sql is NULL when the revision is
 * irreversible.  Revisions loaded from the catalog come without their
 * bodies (smig_load_bodies fetches them) so that memory does not grow with
 * the total size of all scripts.
 *
 * Line numbers: upgrade_line/downgrade_line give the number, counted from
 * 1 at the "-- schemamig:revision" line of the block, of the first line of
 * each body; the statements of a body are numbered from there.  For
 * revisions made by schemamig.revision() the bodies start at line 1.
 */
typedef struct SmigRevision
{
	char	   *id;
	List	   *down_revisions;
	List	   *depends_on;
	List	   *branch_labels;
	char	   *message;		/* NULL when none */
	char	   *upgrade_sql;
	char	   *downgrade_sql;
	bool		reversible;		/* has a downgrade section */
	bool		bodies_loaded;	/* upgrade_sql/downgrade_sql are set */
	int			upgrade_line;
	int			downgrade_line;
	char	   *checksum;		/* smig_checksum() of the two bodies */
	int64		seq;			/* registration order, 0 when not stored */
	char	   *registered_by;	/* role that registered it, NULL if new */
	Oid			registered_by_oid;	/* its OID; InvalidOid if new or unknown */
	char	   *bodies_checksum;	/* smig_checksum() of the bodies as
									 * smig_load_bodies() read them (in the
									 * same memory context); NULL if not
									 * loaded from the catalog */
	int			script_line;	/* line of the block in the script, or 0 */
	List	   *lint_allow;		/* arguments of its header "allow" lines */
	List	   *lint_allow_lines;	/* their script lines (from a script) */
	bool		nontx;			/* "-- schemamig:transaction off": each
								 * statement is a step of its own, committed
								 * on its own; only migrate() and
								 * migrate_down() run it (issue 18) */
} SmigRevision;

/* schemamig.c: GUCs */
extern int	smig_lock_timeout;
extern int	smig_lock_retries;
extern int	smig_retry_delay;
extern int	smig_statement_timeout;
extern int	smig_subtransaction_time;
extern bool smig_debug_skip_lock;
extern int	smig_lint_mode;
extern char *smig_lint_ignore;

/* values of schemamig.lint */
typedef enum SmigLintMode
{
	SMIG_LINT_OFF,
	SMIG_LINT_WARN,
	SMIG_LINT_ERROR
} SmigLintMode;

/* script.c */
extern List *smig_parse_script(const char *script);
extern char *smig_checksum(const char *upgrade_sql, const char *downgrade_sql);
extern bool smig_valid_id(const char *id);
extern void smig_check_id(const char *id, const char *what, int script_line);
extern List *smig_split_list(const char *value);
extern void smig_check_unique(List *ids, const char *what, int line);
extern char *smig_clean_body(const char *sql);


#endif							/* SCHEMAMIG_H */
