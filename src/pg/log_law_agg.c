/*
 * log_law_agg.c -- fit_log_law(x1[, x2], y [, options]) over exact
 * sufficient statistics, and predict_loss for the log-law result types.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/jsonb.h"

#include "log_law.h"
#include "sl_fits.h"
#include "sl_pg.h"

#define FN "fit_log_law"

typedef struct LlState
{
	uint32		tag;			/* SL_TAG_LOG_LAW */
	int			k;
	SlGroupOptions options;
	SlAlloc		al;
	LogStats	stats;
} LlState;

/* the state's own chunk is the 512 bytes SL_SSPACE_LOG_LAW1/2 count */
StaticAssertDecl(sizeof(LlState) > 256 && sizeof(LlState) <= 512,
				 "LlState no longer fills one 512-byte chunk: derive SL_SSPACE_LOG_LAW1/2 again");

static const char *const coef_names[] = {"a", "b", "c"};
static const char *const arg_names[LL_MAX_INPUTS + 1][LL_MAX_INPUTS] = {
	{NULL},
	{"x"},
	{"x1", "x2"}
};

/* the law with k inputs as its options see it (defaults: the core's) */
static const SlOptionsLaw *
options_law(int k)
{
	static SlBounds defaults[LL_MAX_INPUTS + 1];
	static SlOptionsLaw laws[LL_MAX_INPUTS + 1];

	Assert(k >= 1 && k <= LL_MAX_INPUTS);
	if (laws[k].fn == NULL)
	{
		LogLawSpec	spec;

		log_law_default_spec(&spec, k);
		memset(&defaults[k], 0, sizeof(SlBounds));
		for (int j = 0; j <= k; j++)
		{
			defaults[k].lo[j] = spec.lo[j];
			defaults[k].hi[j] = spec.hi[j];
		}
		laws[k].names = coef_names;
		laws[k].n = k + 1;
		laws[k].defaults = &defaults[k];
		laws[k].fn = FN;
	}
	return &laws[k];
}

static void
bounds_to_spec(const SlBounds *b, int k, LogLawSpec *spec)
{
	log_law_default_spec(spec, k);
	for (int j = 0; j <= k; j++)
	{
		spec->lo[j] = b->lo[j];
		spec->hi[j] = b->hi[j];
	}
}

static LlState *
new_state(MemoryContext ctx, int k)
{
	LlState    *st = MemoryContextAllocZero(ctx, sizeof(LlState));

	st->tag = SL_TAG_LOG_LAW;
	st->k = k;
	sl_pg_alloc_init(&st->al, ctx);
	ls_init(&st->stats, k);
	return st;
}

PG_FUNCTION_INFO_V1(sl_log_law_trans);
Datum
sl_log_law_trans(PG_FUNCTION_ARGS)
{
	SlCall	   *call = sl_trans_call(fcinfo, FN, LL_MAX_INPUTS, true);
	MemoryContext aggctx = sl_agg_context(fcinfo, FN);
	LlState    *st = sl_state_arg(fcinfo, 0, SL_TAG_LOG_LAW, FN);
	int			k = call->k;
	double		x[LL_MAX_INPUTS],
				y;

	if (st == NULL)
	{
		st = new_state(aggctx, k);
		if (!call->has_options)
			st->options.bounds = options_law(k)->defaults;
	}
	if (call->has_options)
		sl_row_options(fcinfo, call, options_law(k), &st->options, aggctx);
	for (int j = 0; j <= k; j++)
		if (PG_ARGISNULL(j + 1))
			PG_RETURN_POINTER(st);
	for (int j = 0; j < k; j++)
	{
		x[j] = PG_GETARG_FLOAT8(j + 1);
		sl_check_input(FN, arg_names[k][j], x[j], true, ERRCODE_INVALID_ARGUMENT_FOR_LOG);
	}
	y = PG_GETARG_FLOAT8(k + 1);
	sl_check_input(FN, "y", y, false, 0);
	/* false only past 2^63 - 1 rows (the allocator throws rather than fail) */
	if (!ls_add(&st->stats, x, y, &st->al))
		sl_check_points(FN, PS_COUNT_RANGE);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(sl_log_law_combine);
Datum
sl_log_law_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	LlState    *s1,
			   *s2;

	if (sl_combine_start(fcinfo, FN, SL_TAG_LOG_LAW, &aggctx, (void **) &s1, (void **) &s2))
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = new_state(aggctx, s2->k);
		s1->options.bounds = sl_keep_bounds(options_law(s2->k), s2->options.bounds, aggctx);
	}
	else if (s1->k != s2->k)
		elog(ERROR, "%s: combining states of different laws", FN);
	else if (!sl_bounds_equal(s1->options.bounds, s2->options.bounds, s1->k + 1))
		sl_options_mismatch(FN);
	if (!ls_merge(&s1->stats, &s2->stats, &s1->al))
		sl_check_points(FN, PS_COUNT_RANGE);	/* as ls_add */
	PG_RETURN_POINTER(s1);
}

/* state bytes: the header (sl_write_state_header), then the statistics' format */

PG_FUNCTION_INFO_V1(sl_log_law_serialize);
Datum
sl_log_law_serialize(PG_FUNCTION_ARGS)
{
	LlState    *st = sl_support_state(fcinfo, FN, SL_TAG_LOG_LAW);
	size_t		size = SL_STATE_HEADER + ls_serial_size(&st->stats);
	bytea	   *out = palloc(VARHDRSZ + size);
	unsigned char *p = (unsigned char *) VARDATA(out);

	SET_VARSIZE(out, VARHDRSZ + size);
	sl_write_state_header(p, SL_TAG_LOG_LAW, st->k, st->options.bounds);
	ls_serialize(&st->stats, p + SL_STATE_HEADER);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(sl_log_law_deserialize);
Datum
sl_log_law_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	SlBounds	b;
	LlState    *st;
	int			k;

	(void) sl_agg_context(fcinfo, FN);
	k = sl_read_state_header(p, len, SL_TAG_LOG_LAW, LL_MAX_INPUTS, &b, FN);
	st = new_state(CurrentMemoryContext, k);
	st->options.bounds = sl_keep_bounds(options_law(k), &b, CurrentMemoryContext);
	if (ls_deserialize(&st->stats, p + SL_STATE_HEADER, len - SL_STATE_HEADER, &st->al) != 0 ||
		st->stats.k != k)
		sl_bad_state(FN);
	PG_RETURN_POINTER(st);
}

/*
 * The result composite of a fit of st (shared with fit_log_law(fit_points)):
 * *isnull when the data cannot determine the law.
 */
Datum
sl_log_law_result(FunctionCallInfo fcinfo, const LogStats *stats, const LogLawSpec *spec,
				  bool *isnull)
{
	LogLawFit	fit;
	Oid			types[LL_MAX_INPUTS + 5];
	Datum		values[LL_MAX_INPUTS + 5];
	bool		nulls[LL_MAX_INPUTS + 5] = {false};
	int			k = stats->k,
				i = 0;

	*isnull = true;
	if (stats->n == 0 || log_law_fit(stats, spec, &fit) != FIT_OK)
		return (Datum) 0;
	for (int j = 0; j <= k; j++)
	{
		types[i] = FLOAT8OID;
		values[i++] = Float8GetDatum(fit.coef[j]);
	}
	types[i] = INT8OID;
	values[i++] = Int64GetDatum(fit.n);
	types[i] = FLOAT8OID;
	if (isnan(fit.r2))
		nulls[i++] = true;
	else
		values[i++] = Float8GetDatum(fit.r2);
	types[i] = FLOAT8OID;
	values[i++] = Float8GetDatum(fit.rmse);
	types[i] = TEXTARRAYOID;
	values[i++] = sl_name_array(coef_names, fit.at_bound, k + 1);
	*isnull = false;
	return sl_make_result(fcinfo, FN, i, types, values, nulls);
}

/* the spec options give (defaults where options is NULL) */
void
sl_log_law_spec(LogLawSpec *spec, int k, Jsonb *options)
{
	SlBounds	b;

	sl_options_bounds(options_law(k), options, &b);
	bounds_to_spec(&b, k, spec);
}

PG_FUNCTION_INFO_V1(sl_log_law_final);
Datum
sl_log_law_final(PG_FUNCTION_ARGS)
{
	LlState    *st = sl_support_state(fcinfo, FN, SL_TAG_LOG_LAW);
	LogLawSpec	spec;
	Datum		result;
	bool		isnull;

	if (st == NULL)
		PG_RETURN_NULL();
	bounds_to_spec(st->options.bounds, st->k, &spec);
	result = sl_log_law_result(fcinfo, &st->stats, &spec, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(sl_log_law_predict);
Datum
sl_log_law_predict(PG_FUNCTION_ARGS)
{
	int			k = Min(Max(PG_NARGS() - 1, 1), LL_MAX_INPUTS);
	LogLawFit	fit;
	double		x[LL_MAX_INPUTS];
	double		y;

	if (!sl_predict_args(fcinfo, k + 1, fit.coef, k, arg_names[k], x,
						 ERRCODE_INVALID_ARGUMENT_FOR_LOG))
		PG_RETURN_NULL();
	y = log_law_predict(&fit, k, x);
	sl_check_prediction(y);
	PG_RETURN_FLOAT8(y);
}
