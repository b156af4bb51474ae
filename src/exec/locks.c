/*-------------------------------------------------------------------------
 *
 * locks.c
 *	  Lock waits of revision SQL.
 *
 * PostgreSQL's own lock_timeout cancels a wait but forgets, before the
 * error is raised, which lock was awaited.  schemamig.lock_timeout is
 * therefore enforced here: while revision SQL runs, a periodic timer
 * samples MyProc->waitLock; when one wait has lasted the timeout, it
 * records the lock's tag and mode and cancels the statement.  The runner
 * then rolls the revision back, asks smig_lockwait_blockers() who holds a
 * conflicting lock, and retries after smig_retry_sleep().
 *
 * Readers queue behind a waiting ACCESS EXCLUSIVE request, so they wait at
 * most schemamig.lock_timeout plus one sampling period.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "model/catalog.h"
#include "compat.h"
#include "exec/locks.h"
#include "schemamig.h"

/* most blocking sessions an error lists */
#define SMIG_MAX_BLOCKERS 10
/* the longest wait between two retries */
#define SMIG_MAX_RETRY_DELAY_MS 60000

/* state shared with the timer's signal handler */
static volatile sig_atomic_t lockwait_fired = false;
static volatile sig_atomic_t lockwait_seen = false;
static LOCKTAG lockwait_tag;
static LOCKMODE lockwait_mode;
static TimestampTz lockwait_since;

static TimeoutId sampler_id;
static bool sampler_registered = false;
static bool sampler_enabled = false;

static void lockwait_sampler(void);
static int	sampling_period_ms(void);

/*
 * lockwait_sampler
 *		Timer handler (signal context): note the lock this backend waits
 *		for, and cancel the statement once the wait reaches the timeout.
 *		It only reads our own PGPROC and copies a lock tag.
 */
static void
lockwait_sampler(void)
{
	LOCK	   *lock;
	TimestampTz now;

	if (MyProc == NULL || lockwait_fired)
		return;
	lock = MyProc->waitLock;
	if (lock == NULL)
	{
		lockwait_seen = false;
		return;
	}
	now = GetCurrentTimestamp();
	if (!lockwait_seen ||
		memcmp(&lockwait_tag, &lock->tag, sizeof(LOCKTAG)) != 0 ||
		lockwait_mode != MyProc->waitLockMode)
	{
		lockwait_tag = lock->tag;
		lockwait_mode = MyProc->waitLockMode;
		lockwait_since = now;
#if PG_VERSION_NUM >= 140000
		{
			TimestampTz started = (TimestampTz)
			pg_atomic_read_u64(&MyProc->waitStart);

			if (started > 0 && started <= now)
				lockwait_since = started;
		}
#endif
		lockwait_seen = true;
	}
	if (now - lockwait_since >= (int64) smig_lock_timeout * 1000)
	{
		lockwait_fired = true;
		InterruptPending = true;
		QueryCancelPending = true;
		SetLatch(MyLatch);
	}
}

/* a tenth of the timeout, between 5 and 100 ms */
static int
sampling_period_ms(void)
{
	return Max(5, Min(100, smig_lock_timeout / 10));
}

/*
 * smig_lockwait_start / smig_lockwait_stop
 *		Sample lock waits while revision SQL runs (when
 *		schemamig.lock_timeout is set).  Stop is safe to call twice and from
 *		error cleanup.
 */
void
smig_lockwait_start(void)
{
	lockwait_fired = false;
	lockwait_seen = false;
	if (smig_lock_timeout <= 0)
		return;
	if (!sampler_registered)
	{
		sampler_id = RegisterTimeout(USER_TIMEOUT, lockwait_sampler);
		sampler_registered = true;
	}
	enable_timeout_every(sampler_id,
						 TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													 sampling_period_ms()),
						 sampling_period_ms());
	sampler_enabled = true;
}

void
smig_lockwait_stop(void)
{
	if (sampler_enabled)
		disable_timeout(sampler_id, false);
	sampler_enabled = false;
}

/* did the last revision attempt give up waiting for a lock? */
bool
smig_lockwait_fired(void)
{
	return lockwait_fired;
}

/*
 * smig_lockwait_describe
 *		"AccessExclusiveLock on table public.t", for the lock last given up.
 */
char *
smig_lockwait_describe(void)
{
	LOCKTAG    *tag = &lockwait_tag;
	const char *mode = GetLockmodeName(tag->locktag_lockmethodid,
									   lockwait_mode);

	switch ((LockTagType) tag->locktag_type)
	{
		case LOCKTAG_RELATION:
		case LOCKTAG_TUPLE:
			{
				Oid			relid = tag->locktag_field2;
				char	   *rel = get_rel_name(relid);
				char	   *nsp = rel ? get_namespace_name(get_rel_namespace(relid)) : NULL;
				char	   *name = rel ?
				quote_qualified_identifier(nsp, rel) :
				psprintf("relation %u", relid);

				if (tag->locktag_type == LOCKTAG_TUPLE)
					return psprintf("%s on a row of %s", mode, name);
				return psprintf("%s on %s", mode, name);
			}
		case LOCKTAG_TRANSACTION:
			return psprintf("%s on transaction %u (it holds a row this statement needs)",
							mode, tag->locktag_field1);
		case LOCKTAG_ADVISORY:
			return psprintf("%s on advisory lock (%u, %u)", mode,
							tag->locktag_field2, tag->locktag_field3);
		case LOCKTAG_OBJECT:
			return psprintf("%s on object %u of catalog %u", mode,
							tag->locktag_field3, tag->locktag_field2);
		default:
			return psprintf("%s on a lock of type %d", mode,
							(int) tag->locktag_type);
	}
}

/*
 * smig_lockwait_blockers
 *		The sessions holding a lock that conflicts with the one last given
 *		up: "pid 123 (user u, idle in transaction since ..., holds
 *		AccessShareLock): <query>; ...".  Needs SPI.
 */
char *
smig_lockwait_blockers(void)
{
	LOCKTAG    *tag = &lockwait_tag;
	LockMethod	method = GetLockTagsMethodTable(tag);
	LOCKMASK	conflicts = method->conflictTab[lockwait_mode];
	List	   *modes = NIL;
	StringInfoData where;
	StringInfoData out;
	Oid			types[5];
	Datum		values[5];
	int			nargs = 1;
	int			m;
	uint64		i;

	for (m = 1; m <= method->numLockModes; m++)
		if (conflicts & LOCKBIT_ON(m))
			modes = lappend(modes,
							(char *) GetLockmodeName(tag->locktag_lockmethodid, m));
	types[0] = TEXTARRAYOID;
	values[0] = smig_list_to_array(modes);

	initStringInfo(&where);
	switch ((LockTagType) tag->locktag_type)
	{
		case LOCKTAG_RELATION:
			appendStringInfoString(&where, "l.locktype OPERATOR(pg_catalog.=) 'relation'"
								   " AND l.database OPERATOR(pg_catalog.=) $2"
								   " AND l.relation OPERATOR(pg_catalog.=) $3");
			types[1] = OIDOID;
			values[1] = ObjectIdGetDatum(tag->locktag_field1);
			types[2] = OIDOID;
			values[2] = ObjectIdGetDatum(tag->locktag_field2);
			nargs = 3;
			break;
		case LOCKTAG_TUPLE:
			appendStringInfoString(&where, "l.locktype OPERATOR(pg_catalog.=) 'tuple'"
								   " AND l.database OPERATOR(pg_catalog.=) $2"
								   " AND l.relation OPERATOR(pg_catalog.=) $3"
								   " AND l.page OPERATOR(pg_catalog.=) $4"
								   " AND l.tuple OPERATOR(pg_catalog.=) $5");
			types[1] = OIDOID;
			values[1] = ObjectIdGetDatum(tag->locktag_field1);
			types[2] = OIDOID;
			values[2] = ObjectIdGetDatum(tag->locktag_field2);
			types[3] = INT4OID;
			values[3] = Int32GetDatum((int32) tag->locktag_field3);
			types[4] = INT2OID;
			values[4] = Int16GetDatum((int16) tag->locktag_field4);
			nargs = 5;
			break;
		case LOCKTAG_TRANSACTION:
			appendStringInfoString(&where, "l.locktype OPERATOR(pg_catalog.=) 'transactionid'"
								   " AND l.transactionid OPERATOR(pg_catalog.=) $2");
			types[1] = XIDOID;
			values[1] = TransactionIdGetDatum(tag->locktag_field1);
			nargs = 2;
			break;
		case LOCKTAG_ADVISORY:
		case LOCKTAG_OBJECT:
			appendStringInfo(&where, "l.locktype OPERATOR(pg_catalog.=) '%s'"
							 " AND l.database OPERATOR(pg_catalog.=) $2"
							 " AND l.classid OPERATOR(pg_catalog.=) $3"
							 " AND l.objid OPERATOR(pg_catalog.=) $4"
							 " AND l.objsubid OPERATOR(pg_catalog.=) $5",
							 tag->locktag_type == LOCKTAG_ADVISORY ? "advisory" : "object");
			types[1] = OIDOID;
			values[1] = ObjectIdGetDatum(tag->locktag_field1);
			types[2] = OIDOID;
			values[2] = ObjectIdGetDatum(tag->locktag_field2);
			types[3] = OIDOID;
			values[3] = ObjectIdGetDatum(tag->locktag_field3);
			types[4] = INT2OID;
			values[4] = Int16GetDatum((int16) tag->locktag_field4);
			nargs = 5;
			break;
		default:
			return pstrdup("unknown");
	}

	smig_spi_exec(psprintf("SELECT a.pid, a.usename, a.state,"
						   " pg_catalog.to_char(a.state_change, 'YYYY-MM-DD HH24:MI:SS'),"
						   " pg_catalog.\"left\"(pg_catalog.regexp_replace(a.query, '\\s+', ' ', 'g'), 120),"
						   " l.mode"
						   " FROM pg_catalog.pg_locks l"
						   " JOIN pg_catalog.pg_stat_activity a"
						   "   ON a.pid OPERATOR(pg_catalog.=) l.pid"
						   " WHERE l.granted"
						   "   AND l.pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()"
						   "   AND l.mode OPERATOR(pg_catalog.=) ANY ($1)"
						   "   AND %s"
						   " ORDER BY a.pid LIMIT %d",
						   where.data, SMIG_MAX_BLOCKERS),
				  nargs, types, values, NULL, true, SPI_OK_SELECT);

	initStringInfo(&out);
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *pid = SPI_getvalue(tuple, desc, 1);
		char	   *user = SPI_getvalue(tuple, desc, 2);
		char	   *state = SPI_getvalue(tuple, desc, 3);
		char	   *since = SPI_getvalue(tuple, desc, 4);
		char	   *query = SPI_getvalue(tuple, desc, 5);
		char	   *mode = SPI_getvalue(tuple, desc, 6);

		appendStringInfo(&out, "%spid %s (user %s, %s since %s, holds %s): %s",
						 i > 0 ? "; " : "",
						 pid ? pid : "?", user ? user : "?",
						 state ? state : "state unknown",
						 since ? since : "?", mode ? mode : "?",
						 query ? query : "");
	}
	if (SPI_processed == 0)
		appendStringInfoString(&out, "none any more (the holder has finished)");
	SPI_freetuptable(SPI_tuptable);
	return out.data;
}

/*
 * smig_retry_delay_ms
 *		How long to wait before retry number attempt (1, 2, ...):
 *		schemamig.retry_delay doubled each time, capped at a minute, times a
 *		random factor in [0.5, 1.5) so that competing migrators do not retry
 *		in step.
 */
int
smig_retry_delay_ms(int attempt)
{
	double		base = (double) smig_retry_delay * pow(2.0, Min(attempt - 1, 30));

	base = Min(base, (double) SMIG_MAX_RETRY_DELAY_MS);
	return (int) (base * (0.5 + smig_random_fraction()));
}

/* sleep ms milliseconds, interruptibly */
void
smig_sleep_ms(int ms)
{
	TimestampTz end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);

	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
														   end);

		CHECK_FOR_INTERRUPTS();
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * smig_statement_timer_start / smig_statement_timer_stop
 *		Arm schemamig.statement_timeout for one revision statement (the
 *		server only times top-level statements), and put the session's own
 *		statement timer back afterwards.  The earlier deadline wins.
 */
void
smig_statement_timer_start(SmigSavedTimeout *saved)
{
	saved->armed = false;
	saved->active = get_timeout_active(STATEMENT_TIMEOUT);
	saved->finish = saved->active ?
		get_timeout_finish_time(STATEMENT_TIMEOUT) : 0;
	if (smig_statement_timeout > 0)
	{
		TimestampTz ours = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
													   smig_statement_timeout);

		if (!saved->active || ours < saved->finish)
		{
			enable_timeout_at(STATEMENT_TIMEOUT, ours);
			saved->armed = true;
		}
	}
}

void
smig_statement_timer_stop(SmigSavedTimeout *saved)
{
	if (!saved->armed)
		return;
	if (saved->active)
		enable_timeout_at(STATEMENT_TIMEOUT, saved->finish);
	else
		disable_timeout(STATEMENT_TIMEOUT, false);
	saved->armed = false;
}
