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

#include "model/graph.h"



#endif							/* SMIG_RUNNER_H */
