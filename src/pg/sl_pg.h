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
#include "utils/jsonb.h"

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
/* ERROR for a state that failed to deserialise */
extern void sl_bad_state(const char *fn) pg_attribute_noreturn();
#endif
