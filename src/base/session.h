/*-------------------------------------------------------------------------
 *
 * session.h
 *	  What every operation does around its work: the checks and the lock
 *	  before a write, the operation's memory context and SPI connection,
 *	  the caller's name, and results that outlive the operation.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_SESSION_H
#define SMIG_SESSION_H

#include "fmgr.h"

/* true while revision SQL runs: schemamig must not be re-entered */
extern bool smig_in_revision;

extern void smig_begin_write(const char *fname);
extern char *smig_caller_name(void);
extern MemoryContext smig_begin_spi(const char *fname);
extern void smig_end_spi(MemoryContext opcxt);
extern text *smig_text_in_parent(MemoryContext opcxt, const char *s);

#endif							/* SMIG_SESSION_H */
