/*-------------------------------------------------------------------------
 *
 * register.h
 *	  The registering engine, for apply(): register a script and emit its
 *	  (revision, action) rows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_REGISTER_H
#define SMIG_REGISTER_H

#include "fmgr.h"
#include "nodes/execnodes.h"

extern void smig_register_script(const char *script, ReturnSetInfo *rsinfo);

#endif							/* SMIG_REGISTER_H */
