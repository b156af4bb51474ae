/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Shims over the differences between PostgreSQL 13 and 17 that
 *	  schemamig meets, as static inline wrappers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SMIG_COMPAT_H
#define SMIG_COMPAT_H

#include "funcapi.h"
#include "miscadmin.h"
#include "utils/tuplestore.h"
#include "common/sha2.h"
#if PG_VERSION_NUM >= 150000
#include "common/pg_prng.h"
#endif
#if PG_VERSION_NUM >= 140000
#include "common/cryptohash.h"
#endif

/*
 * A function that never returns.  PostgreSQL 18 replaced the trailing
 * pg_attribute_noreturn() with pg_noreturn (C11 _Noreturn), which stands
 * among the declaration specifiers: write "extern SMIG_NORETURN void f(...)".
 * Before 18, the same GCC/Clang attribute is accepted in that place too.
 */
#ifdef pg_noreturn
#define SMIG_NORETURN pg_noreturn
#else
#define SMIG_NORETURN pg_attribute_noreturn()
#endif

/* SHA-256 of len bytes at data into out[PG_SHA256_DIGEST_LENGTH] */
static inline void
smig_sha256(const uint8 *data, size_t len, uint8 *out)
{
#if PG_VERSION_NUM >= 140000
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, data, len) < 0 ||
#if PG_VERSION_NUM >= 150000
		pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
#else
		pg_cryptohash_final(ctx, out) < 0)
#endif
		elog(ERROR, "could not compute SHA-256 checksum");
	pg_cryptohash_free(ctx);
#else
	pg_sha256_ctx ctx;

	pg_sha256_init(&ctx);
	pg_sha256_update(&ctx, data, len);
	pg_sha256_final(&ctx, out);
#endif
}

/*
 * Set up a materialized set-returning function (InitMaterializedSRF);
 * scalar is true for SETOF <scalar type> functions.
 */
static inline void
smig_init_srf(FunctionCallInfo fcinfo, bool scalar)
{
#if PG_VERSION_NUM >= 150000
	InitMaterializedSRF(fcinfo, scalar ? MAT_SRF_USE_EXPECTED_DESC : 0);
#else
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;
	TupleDesc	tupdesc;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	if (scalar)
		tupdesc = rsinfo->expectedDesc;
	else if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(oldcxt);
#endif
}

/* a random number in [0, 1) */
static inline double
smig_random_fraction(void)
{
#if PG_VERSION_NUM >= 150000
	return pg_prng_double(&pg_global_prng_state);
#else
	return (double) random() / ((double) MAX_RANDOM_VALUE + 1.0);
#endif
}

/*
 * PortalRun() as a top-level command, results to dest: PostgreSQL 18
 * dropped its run_once argument.
 */
#include "tcop/pquery.h"
static inline bool
smig_portal_run(Portal portal, bool isTopLevel, DestReceiver *dest,
				QueryCompletion *qc)
{
#if PG_VERSION_NUM >= 180000
	return PortalRun(portal, FETCH_ALL, isTopLevel, dest, dest, qc);
#else
	return PortalRun(portal, FETCH_ALL, isTopLevel, true, dest, dest, qc);
#endif
}

#endif							/* SMIG_COMPAT_H */
