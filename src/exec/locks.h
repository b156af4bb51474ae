/*-------------------------------------------------------------------------
 *
 * locks.h
 *	  Lock waits of revision SQL: schemamig.lock_timeout enforced by a
 *	  sampler that knows which lock was awaited, the sessions that block
 *	  it, the back-off between retries, and schemamig.statement_timeout.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_LOCKS_H
#define SMIG_LOCKS_H

#include "datatype/timestamp.h"

/* the session's statement timer, saved while a revision statement runs */
typedef struct SmigSavedTimeout
{
	bool		armed;			/* did we arm the timer? */
	bool		active;
	TimestampTz finish;
} SmigSavedTimeout;

extern void smig_lockwait_start(void);
extern void smig_lockwait_stop(void);
extern bool smig_lockwait_fired(void);
extern char *smig_lockwait_describe(void);
extern char *smig_lockwait_blockers(void);
extern int	smig_retry_delay_ms(int attempt);
extern void smig_sleep_ms(int ms);

extern void smig_statement_timer_start(SmigSavedTimeout *saved);
extern void smig_statement_timer_stop(SmigSavedTimeout *saved);

#endif							/* SMIG_LOCKS_H */
