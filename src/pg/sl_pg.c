/*
 * sl_pg.c -- module magic, the palloc allocator and the input checks.
 */
#include "sl_pg.h"

#include <math.h>
#include <stdint.h>
#include <sys/mman.h>

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

#define HUGE_HINT_BYTES ((size_t) 8 << 20)

/*
 * Large buffers (points of millions of rows) are touched page by page
 * once; on Linux, ask for transparent huge pages on their aligned
 * interior so that costs a few faults instead of one per 4 kB.  A hint
 * only: nothing changes where the kernel declines.
 */
static void *
huge_hint(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
	if (p != NULL && size >= HUGE_HINT_BYTES)
	{
		uintptr_t	lo = ((uintptr_t) p + ((uintptr_t) 2 << 20) - 1) & ~(((uintptr_t) 2 << 20) - 1);
		uintptr_t	hi = ((uintptr_t) p + size) & ~(((uintptr_t) 2 << 20) - 1);

		if (hi > lo)
			(void) madvise((void *) lo, hi - lo, MADV_HUGEPAGE);
	}
#endif
	return p;
}

static void *
pg_alloc(void *ctx, size_t size)
{
	return huge_hint(MemoryContextAllocHuge((MemoryContext) ctx, size ? size : 1), size);
}

static void *
pg_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
	(void) ctx;
	(void) old_size;
	return huge_hint(repalloc_huge(ptr, new_size ? new_size : 1), new_size);
}

static void
pg_free(void *ctx, void *ptr)
{
	(void) ctx;
	pfree(ptr);
}

void
sl_pg_alloc_init(SlAlloc *al, MemoryContext ctx)
{
	al->alloc = pg_alloc;
	al->realloc = pg_realloc;
	al->free = pg_free;
	al->ctx = ctx;
}

void
sl_pg_interrupt(void)
{
	CHECK_FOR_INTERRUPTS();
}

const char *
sl_format_double(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "Infinity" : "-Infinity");
	else
		snprintf(buf, len, "%.17g", v);
	return buf;
}

void
sl_input_error(const char *fn, const char *arg, double v, bool positive,
			   int positive_errcode)
{
	char		buf[64];

	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: argument %s must be finite, got %s",
						fn, arg, sl_format_double(v, buf, sizeof(buf)))));
	if (positive && !(v > 0.0))
		ereport(ERROR,
				(errcode(positive_errcode),
				 errmsg("%s: argument %s must be positive, got %s",
						fn, arg, sl_format_double(v, buf, sizeof(buf)))));
	elog(ERROR, "%s: argument %s rejected", fn, arg);
}

Datum
sl_name_array(const char *const *names, const bool *flags, int n)
{
	Datum		elems[16];
	int			count = 0;

	for (int i = 0; i < n && count < 16; i++)
		if (flags[i])
			elems[count++] = CStringGetTextDatum(names[i]);
	return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false, TYPALIGN_INT));
}

void
sl_bad_state(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s: invalid aggregate state", fn)));
}

bool
sl_has_options_arg(FunctionCallInfo fcinfo)
{
	return get_fn_expr_argtype(fcinfo->flinfo, PG_NARGS() - 1) == JSONBOID;
}

void
sl_options_mismatch(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: options must be the same for every row of a group", fn)));
}

bool
sl_options_first_seen(const char *fn, Jsonb **seen, Jsonb *options, MemoryContext ctx)
{
	if (*seen == NULL)
	{
		*seen = MemoryContextAlloc(ctx, VARSIZE(options));
		memcpy(*seen, options, VARSIZE(options));
		return true;
	}
	if (VARSIZE(options) != VARSIZE(*seen) ||
		memcmp(options, *seen, VARSIZE(options)) != 0)
		sl_options_mismatch(fn);
	return false;
}
