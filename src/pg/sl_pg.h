/*
 * sl_pg.h -- what the PostgreSQL glue files share: the palloc-backed
 * allocator for the core, the interrupt hook, input checks and the
 * option parser.
 */
#ifndef SL_PG_H
#define SL_PG_H

#include <math.h>

#include "postgres.h"
#include "fmgr.h"
#include "access/htup_details.h"
#include "utils/jsonb.h"

#include "point_set.h"
#include "sl_alloc.h"

/* an allocator that pallocs in ctx (huge allocations allowed) */
extern void sl_pg_alloc_init(SlAlloc *al, MemoryContext ctx);
extern void sl_pg_interrupt(void);

/* ERROR unless v is finite (and positive when positive is set) */
extern void sl_input_error(const char *fn, const char *arg, double v,
						   bool positive, int positive_errcode) pg_attribute_noreturn();

static inline void
sl_check_input(const char *fn, const char *arg, double v, bool positive,
			   int positive_errcode)
{
	if (likely(isfinite(v) && (!positive || v > 0.0)))
		return;
	sl_input_error(fn, arg, v, positive, positive_errcode);
}
/* "NaN", "Infinity", or %.17g */
extern const char *sl_format_double(double v, char *buf, size_t len);

/*
 * Parse {"bounds": {"coef": [lo, hi], ...}} for a law whose coefficients
 * are names[0..n).  lo/hi hold the defaults on entry and are overwritten
 * where the options say; a JSON null leaves that side unbounded.
 */
extern void sl_parse_options(const char *fn, Jsonb *options, const char *const *names,
							 int n, double *lo, double *hi);



/*
 * Per-row options check of a transition function.  *seen holds the first
 * options value of the group (copied into ctx).  Returns true the first
 * time (the caller then parses them); ERROR if a later row's differ.
 */
extern bool sl_options_first_seen(const char *fn, Jsonb **seen, Jsonb *options,
								  MemoryContext ctx);
/* ERROR: two parts of a group were given different options */
extern void sl_options_mismatch(const char *fn) pg_attribute_noreturn();
/* does the aggregate's signature end in the options jsonb? */
extern bool sl_has_options_arg(FunctionCallInfo fcinfo);

/* text[] of the names whose flag is set (an empty array if none) */
extern Datum sl_name_array(const char *const *names, const bool *flags, int n);
/*
 * The first n fields (float8) of a fit composite into out; false if one is
 * NULL.  Decodes through a tuple descriptor cached in fn_extra and reuses
 * the previous call's fields when the tuple's bytes are the same (a fit
 * that is constant over a query is decoded once).
 */
extern bool sl_fit_fields(FunctionCallInfo fcinfo, HeapTupleHeader tup, int n,
						  double *out);

/*
 * A row of a point-set aggregate: arguments 1..k are the inputs, k + 1 is
 * y.  Checks them (named x or x1..x3, and y, in messages of fn) and adds
 * the row to ps; does nothing if one of them is NULL.
 */
/*
 * The start of every combine function: the aggregate context and the two
 * states (NULL for an empty side).  Returns true when the answer is
 * already known (a side is empty): the caller then returns *s1, which is
 * the non-empty state or NULL.
 */
extern bool sl_combine_start(FunctionCallInfo fcinfo, const char *fn, MemoryContext *aggctx,
							 void **s1, void **s2);

/* ERROR unless a point-set operation stayed within the point and row limits */
extern void sl_check_points(const char *fn, PsStatus st);

static inline void
sl_add_row(FunctionCallInfo fcinfo, const char *fn, int k, PointSet *ps, const SlAlloc *al)
{
	static const char *const names[SL_MAX_INPUTS + 1][SL_MAX_INPUTS] = {
		{NULL}, {"x"}, {"x1", "x2"}, {"x1", "x2", "x3"}
	};
	double		x[SL_MAX_INPUTS],
				y;

	for (int j = 0; j <= k; j++)
		if (PG_ARGISNULL(j + 1))
			return;
	for (int j = 0; j < k; j++)
	{
		x[j] = PG_GETARG_FLOAT8(j + 1);
		sl_check_input(fn, names[k][j], x[j], true,
					   ERRCODE_INVALID_ARGUMENT_FOR_POWER_FUNCTION);
	}
	y = PG_GETARG_FLOAT8(k + 1);
	sl_check_input(fn, "y", y, false, 0);
	sl_check_points(fn, ps_add(ps, x, y, al));
}

/* ERROR for a state that failed to deserialise */
extern void sl_bad_state(const char *fn) pg_attribute_noreturn();
#endif
