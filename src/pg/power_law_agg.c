/*
 * power_law_agg.c -- fit_power_law(x1[, x2[, x3]], y [, options]):
 * transition, combine, serialize, deserialize and final functions, and
 * predict_loss for the power-law result types.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "point_set.h"
#include "power_law.h"
#include "sl_fits.h"
#include "sl_pg.h"

#define FN "fit_power_law"

typedef struct PlState
{
	uint32		tag;			/* SL_TAG_POWER_LAW */
	int			k;
	SlGroupOptions options;
	SlAlloc		al;				/* allocates in the context owning the state */
	PointSet	ps;
} PlState;

/* a group's state is one 1 kB chunk: see SL_SSPACE_POINTS */
StaticAssertDecl(sizeof(PlState) > 512 && sizeof(PlState) + SL_CHUNK_HEADER <= SL_SSPACE_POINTS &&
				 SL_SSPACE_POINTS == 1024 + SL_CHUNK_HEADER,
				 "PlState no longer fills one 1 kB chunk: derive SL_SSPACE_POINTS again");

/* coefficient names in result order: l_inf, a, alpha, b, beta, c, gamma */
static const char *const coef_names[] = {"l_inf", "a", "alpha", "b", "beta", "c", "gamma"};
static const char *const arg_names[SL_MAX_INPUTS + 1][SL_MAX_INPUTS] = {
	{NULL},
	{"x"},
	{"x1", "x2"},
	{"x1", "x2", "x3"}
};

/* bounds (l_inf, a, alpha, b, beta, ...) <-> spec */
static void
spec_to_bounds(const PowerLawSpec *spec, SlBounds *b)
{
	memset(b, 0, sizeof(*b));
	b->lo[0] = spec->lin_lo[0];
	b->hi[0] = spec->lin_hi[0];
	for (int j = 0; j < spec->k; j++)
	{
		b->lo[1 + 2 * j] = spec->lin_lo[j + 1];
		b->hi[1 + 2 * j] = spec->lin_hi[j + 1];
		b->lo[2 + 2 * j] = spec->exp_lo[j];
		b->hi[2 + 2 * j] = spec->exp_hi[j];
	}
}

static void
bounds_to_spec(const SlBounds *b, int k, PowerLawSpec *spec)
{
	power_law_default_spec(spec, k);
	spec->lin_lo[0] = b->lo[0];
	spec->lin_hi[0] = b->hi[0];
	for (int j = 0; j < k; j++)
	{
		spec->lin_lo[j + 1] = b->lo[1 + 2 * j];
		spec->lin_hi[j + 1] = b->hi[1 + 2 * j];
		spec->exp_lo[j] = b->lo[2 + 2 * j];
		spec->exp_hi[j] = b->hi[2 + 2 * j];
	}
}

/* the law with k inputs as its options see it (defaults: the core's) */
static const SlOptionsLaw *
options_law(int k)
{
	static SlBounds defaults[SL_MAX_INPUTS + 1];
	static SlOptionsLaw laws[SL_MAX_INPUTS + 1];

	Assert(k >= 1 && k <= SL_MAX_INPUTS);
	if (laws[k].fn == NULL)
	{
		PowerLawSpec spec;

		power_law_default_spec(&spec, k);
		spec_to_bounds(&spec, &defaults[k]);
		laws[k].names = coef_names;
		laws[k].n = 2 * k + 1;
		laws[k].defaults = &defaults[k];
		laws[k].fn = FN;
	}
	return &laws[k];
}

static PlState *
new_state(MemoryContext ctx, int k)
{
	/* zeroed up to the point set, which ps_init clears itself (not its inline block) */
	PlState    *st = MemoryContextAlloc(ctx, sizeof(PlState));

	memset(st, 0, offsetof(PlState, ps));
	st->tag = SL_TAG_POWER_LAW;
	st->k = k;
	sl_pg_alloc_init(&st->al, ctx);
	ps_init(&st->ps, k);
	return st;
}

PG_FUNCTION_INFO_V1(sl_power_law_trans);
Datum
sl_power_law_trans(PG_FUNCTION_ARGS)
{
	SlCall	   *call = sl_trans_call(fcinfo, FN, SL_MAX_INPUTS, true);
	MemoryContext aggctx = sl_agg_context(fcinfo, FN);
	PlState    *st = sl_state_arg(fcinfo, 0, SL_TAG_POWER_LAW, FN);

	if (st == NULL)
	{
		st = new_state(aggctx, call->k);
		if (!call->has_options)
			st->options.bounds = options_law(call->k)->defaults;
	}
	if (call->has_options)
		sl_row_options(fcinfo, call, options_law(st->k), &st->options, aggctx);
	sl_add_row(fcinfo, FN, st->k, &st->ps, &st->al);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(sl_power_law_combine);
Datum
sl_power_law_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	PlState    *s1,
			   *s2;

	if (sl_combine_start(fcinfo, FN, SL_TAG_POWER_LAW, &aggctx, (void **) &s1, (void **) &s2))
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		/* copy into the aggregate context: s2 may live in a per-tuple one */
		s1 = new_state(aggctx, s2->k);
		s1->options.bounds = sl_keep_bounds(options_law(s2->k), s2->options.bounds, aggctx);
	}
	else if (s1->k != s2->k)
		elog(ERROR, "%s: combining states of different laws", FN);
	else if (!sl_bounds_equal(s1->options.bounds, s2->options.bounds, 2 * s1->k + 1))
		sl_options_mismatch(FN);
	sl_check_points(FN, ps_merge(&s1->ps, &s2->ps, &s1->al));
	PG_RETURN_POINTER(s1);
}

/* state bytes: the header (sl_write_state_header), then the point set's format */

PG_FUNCTION_INFO_V1(sl_power_law_serialize);
Datum
sl_power_law_serialize(PG_FUNCTION_ARGS)
{
	PlState    *st = sl_support_state(fcinfo, FN, SL_TAG_POWER_LAW);
	size_t		size = SL_STATE_HEADER + ps_serial_size(&st->ps, &st->al);
	bytea	   *out;
	unsigned char *p;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: aggregate state of %zu bytes is too large to send to another process",
						FN, size)));
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	p = (unsigned char *) VARDATA(out);
	sl_write_state_header(p, SL_TAG_POWER_LAW, st->k, st->options.bounds);
	ps_serialize(&st->ps, p + SL_STATE_HEADER, &st->al);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(sl_power_law_deserialize);
Datum
sl_power_law_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	SlBounds	b;
	PlState    *st;
	int			k;

	(void) sl_agg_context(fcinfo, FN);
	k = sl_read_state_header(p, len, SL_TAG_POWER_LAW, SL_MAX_INPUTS, &b, FN);
	st = new_state(CurrentMemoryContext, k);
	st->options.bounds = sl_keep_bounds(options_law(k), &b, CurrentMemoryContext);
	if (ps_deserialize(&st->ps, p + SL_STATE_HEADER, len - SL_STATE_HEADER, &st->al) != PS_OK ||
		st->ps.k != k)
		sl_bad_state(FN);
	PG_RETURN_POINTER(st);
}

/*
 * The result composite of a fit of the points sp (shared with
 * fit_power_law(fit_points)):
 * *isnull when the data cannot determine the law.
 */
Datum
sl_power_law_result(FunctionCallInfo fcinfo, const SortedPoints *sp, int k,
					const PowerLawSpec *spec, bool *isnull)
{
	SlAlloc		al;
	PowerLawFit fit;
	FitStatus	status;
	Oid			types[SL_MAX_COEFS + 4];
	Datum		values[SL_MAX_COEFS + 4];
	bool		nulls[SL_MAX_COEFS + 4] = {false};
	int			ncoef = 2 * k + 1,
				i = 0;

	*isnull = true;
	if (sp->n_rows == 0)
		return (Datum) 0;
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	status = power_law_fit(sp, spec, &al, &fit);
	if (status != FIT_OK)
		return (Datum) 0;
	values[i++] = Float8GetDatum(fit.l_inf);
	for (int j = 0; j < k; j++)
	{
		values[i++] = Float8GetDatum(fit.coef[j]);
		values[i++] = Float8GetDatum(fit.expo[j]);
	}
	for (int j = 0; j < ncoef; j++)
		types[j] = FLOAT8OID;
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
	values[i++] = sl_name_array(coef_names, fit.at_bound, ncoef);
	*isnull = false;
	return sl_make_result(fcinfo, FN, i, types, values, nulls);
}

/* the spec options give (defaults where options is NULL) */
void
sl_power_law_spec(PowerLawSpec *spec, int k, Jsonb *options)
{
	SlBounds	b;

	sl_options_bounds(options_law(k), options, &b);
	bounds_to_spec(&b, k, spec);
}

PG_FUNCTION_INFO_V1(sl_power_law_final);
Datum
sl_power_law_final(PG_FUNCTION_ARGS)
{
	PlState    *st = sl_support_state(fcinfo, FN, SL_TAG_POWER_LAW);
	PowerLawSpec spec;
	Datum		result;
	bool		isnull;

	if (st == NULL)
		PG_RETURN_NULL();
	/* order the log in place (the state's value is unchanged) */
	if (ps_sort_log(&st->ps, &st->al) != PS_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	bounds_to_spec(st->options.bounds, st->k, &spec);
	{
		SlAlloc		al;
		SortedPoints sp;

		sl_pg_alloc_init(&al, CurrentMemoryContext);
		if (ps_sorted(&st->ps, &sp, &al) != PS_OK)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
		result = sl_power_law_result(fcinfo, &sp, st->k, &spec, &isnull);
		ps_sorted_free(&sp, &al);
	}
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/*
 * predict_loss(power_law[2|3]_fit, x...): l_inf + sum of a x^-alpha, with
 * an exponent of 0 meaning the logarithmic limit -a ln x.
 */
PG_FUNCTION_INFO_V1(sl_power_law_predict);
Datum
sl_power_law_predict(PG_FUNCTION_ARGS)
{
	int			k = Min(Max(PG_NARGS() - 1, 1), SL_MAX_INPUTS);
	PowerLawFit fit;
	double		x[SL_MAX_INPUTS];
	double		f[SL_MAX_COEFS];
	double		y;

	/* fields: l_inf, then (coef, exponent) per input */
	if (!sl_predict_args(fcinfo, 1 + 2 * k, f, k, arg_names[k], x,
						 ERRCODE_INVALID_ARGUMENT_FOR_POWER_FUNCTION))
		PG_RETURN_NULL();
	fit.l_inf = f[0];
	for (int j = 0; j < k; j++)
	{
		fit.coef[j] = f[1 + 2 * j];
		fit.expo[j] = f[2 + 2 * j];
	}
	y = power_law_predict(&fit, k, x);
	sl_check_prediction(y);
	PG_RETURN_FLOAT8(y);
}
