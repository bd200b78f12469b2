/*
 * sl_pg.c -- module magic, the palloc allocator and the input checks.
 */
#include "sl_pg.h"

#include <math.h>
#include <stdint.h>
#include <sys/mman.h>

#include "catalog/pg_type.h"
#include "utils/typcache.h"
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
	al->interrupt = sl_pg_interrupt;
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

#define FIT_MAX_FIELDS 16

typedef struct FitFieldCache
{
	Oid			typid;
	int32		typmod;
	TupleDesc	tupdesc;		/* copy in fn_mcxt */
	int			n;				/* fields decoded */
	bool		valid;
	bool		all_set;		/* none of the n fields was NULL */
	uint32		len;
	uint32		cap;
	char	   *bytes;			/* the last tuple, to compare */
	double		vals[FIT_MAX_FIELDS];
} FitFieldCache;

bool
sl_fit_fields(FunctionCallInfo fcinfo, HeapTupleHeader tup, int n, double *out)
{
	FitFieldCache *c = (FitFieldCache *) fcinfo->flinfo->fn_extra;
	uint32		len = HeapTupleHeaderGetDatumLength(tup);
	Oid			typid = HeapTupleHeaderGetTypeId(tup);
	int32		typmod = HeapTupleHeaderGetTypMod(tup);
	Datum		values[FIT_MAX_FIELDS];
	bool		nulls[FIT_MAX_FIELDS];
	HeapTupleData tmp;

	if (n < 1 || n > FIT_MAX_FIELDS)
		elog(ERROR, "predict_loss: unexpected number of fields %d", n);
	if (c == NULL)
	{
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FitFieldCache));
		fcinfo->flinfo->fn_extra = c;
	}
	if (c->valid && c->n == n && c->len == len && memcmp(c->bytes, tup, len) == 0)
	{
		memcpy(out, c->vals, sizeof(double) * n);
		return c->all_set;
	}
	if (c->tupdesc == NULL || c->typid != typid || c->typmod != typmod)
	{
		TupleDesc	td = lookup_rowtype_tupdesc(typid, typmod);
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (c->tupdesc)
			FreeTupleDesc(c->tupdesc);
		c->tupdesc = CreateTupleDescCopy(td);
		MemoryContextSwitchTo(old);
		ReleaseTupleDesc(td);
		c->typid = typid;
		c->typmod = typmod;
	}
	if (c->tupdesc->natts < n || c->tupdesc->natts > FIT_MAX_FIELDS)
		elog(ERROR, "predict_loss: unexpected row type with %d fields", c->tupdesc->natts);
	for (int i = 0; i < n; i++)
		if (TupleDescAttr(c->tupdesc, i)->atttypid != FLOAT8OID)
			elog(ERROR, "predict_loss: field %d of the fit is not float8", i + 1);
	tmp.t_len = len;
	ItemPointerSetInvalid(&(tmp.t_self));
	tmp.t_tableOid = InvalidOid;
	tmp.t_data = tup;
	heap_deform_tuple(&tmp, c->tupdesc, values, nulls);
	c->all_set = true;
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			c->all_set = false;
		c->vals[i] = nulls[i] ? 0.0 : DatumGetFloat8(values[i]);
	}
	if (len > c->cap)
	{
		if (c->bytes)
			pfree(c->bytes);
		c->bytes = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len);
		c->cap = len;
	}
	memcpy(c->bytes, tup, len);
	c->len = len;
	c->n = n;
	c->valid = true;
	memcpy(out, c->vals, sizeof(double) * n);
	return c->all_set;
}

void
sl_check_points(const char *fn, PsStatus st)
{
	if (st == PS_TOO_MANY_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: too many distinct input points in one group (limit %d)",
						fn, PS_MAX_ENTRIES)));
	if (st == PS_COUNT_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: row count out of range for type bigint", fn)));
}

bool
sl_combine_start(FunctionCallInfo fcinfo, const char *fn, MemoryContext *aggctx,
				 void **s1, void **s2)
{
	if (!AggCheckCallContext(fcinfo, aggctx))
		elog(ERROR, "%s combine function called in non-aggregate context", fn);
	*s1 = PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0);
	*s2 = PG_ARGISNULL(1) ? NULL : PG_GETARG_POINTER(1);
	return *s2 == NULL;
}
