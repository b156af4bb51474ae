/*-------------------------------------------------------------------------
 *
 * runner.h
 *	  Taking the migration lock and running revision SQL.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_RUNNER_H
#define SMIG_RUNNER_H

#include "fmgr.h"

#include "graph.h"

extern void smig_begin_write(const char *fname);
extern char *smig_caller_name(void);
extern MemoryContext smig_begin_spi(const char *fname);
extern void smig_end_spi(MemoryContext opcxt);
extern text *smig_text_in_parent(MemoryContext opcxt, const char *s);
extern SmigGraph *smig_load_graph(bool read_only);
extern char *smig_from_text(SmigGraph *g, int i);

/* register.c */
extern void smig_register_script(const char *script, ReturnSetInfo *rsinfo);

#endif							/* SMIG_RUNNER_H */
