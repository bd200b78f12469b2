/*
 * power_law_agg.c -- fit_power_law(x1[, x2[, x3]], y [, options]):
 * transition, combine, serialize, deserialize and final functions, and
 * predict_loss for the power-law result types.
 */
#include "sl_pg.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "point_set.h"
#include "power_law.h"
#include "sl_fits.h"

#define FN "fit_power_law"

typedef struct PlState
{
	SlAlloc		al;				/* allocates in the context owning the state */
	int			k;
	bool		has_opts_arg;	/* the signature ends in options jsonb */
	bool		opts_set;		/* spec comes from options */
	Jsonb	   *options;		/* the options first seen, to compare rows */		/* the options seen first, to compare rows */
	const PowerLawSpec *spec;	/* the default (static) or from options (in ctx) */
	PointSet	ps;
} PlState;

/* coefficient names in result order: l_inf, a, alpha, b, beta, c, gamma */
static const char *const coef_names[] = {"l_inf", "a", "alpha", "b", "beta", "c", "gamma"};
static const char *const arg_names[SL_MAX_INPUTS + 1][SL_MAX_INPUTS + 1] = {
	{NULL},
	{"x", "y"},
	{"x1", "x2", "y"},
	{"x1", "x2", "x3", "y"}
};

/* the default spec for k inputs (shared: a state holds only a pointer) */
static const PowerLawSpec *
default_spec(int k)
{
	static PowerLawSpec specs[SL_MAX_INPUTS + 1];
	static bool done = false;

	if (!done)
	{
		for (int j = 1; j <= SL_MAX_INPUTS; j++)
			power_law_default_spec(&specs[j], j);
		done = true;
	}
	return &specs[k];
}

/* a copy of spec in ctx */
static const PowerLawSpec *
spec_copy(MemoryContext ctx, const PowerLawSpec *spec)
{
	PowerLawSpec *c = MemoryContextAlloc(ctx, sizeof(PowerLawSpec));

	*c = *spec;
	return c;
}

static PlState *
new_state(MemoryContext ctx, int k)
{
	/* zeroed up to the point set, which ps_init clears itself (not its inline block) */
	PlState    *st = MemoryContextAlloc(ctx, sizeof(PlState));

	memset(st, 0, offsetof(PlState, ps));
	sl_pg_alloc_init(&st->al, ctx);
	st->k = k;
	st->spec = default_spec(k);
	ps_init(&st->ps, k);
	return st;
}

/* spec from options: bounds map onto (l_inf, a, alpha, b, beta, ...) */
static void
spec_from_options(PowerLawSpec *spec, int k, Jsonb *options)
{
	double		lo[2 * SL_MAX_INPUTS + 1],
				hi[2 * SL_MAX_INPUTS + 1];

	power_law_default_spec(spec, k);
	lo[0] = spec->lin_lo[0];
	hi[0] = spec->lin_hi[0];
	for (int j = 0; j < k; j++)
	{
		lo[1 + 2 * j] = spec->lin_lo[j + 1];
		hi[1 + 2 * j] = spec->lin_hi[j + 1];
		lo[2 + 2 * j] = spec->exp_lo[j];
		hi[2 + 2 * j] = spec->exp_hi[j];
	}
	sl_parse_options(FN, options, coef_names, 2 * k + 1, lo, hi);
	spec->lin_lo[0] = lo[0];
	spec->lin_hi[0] = hi[0];
	for (int j = 0; j < k; j++)
	{
		spec->lin_lo[j + 1] = lo[1 + 2 * j];
		spec->lin_hi[j + 1] = hi[1 + 2 * j];
		spec->exp_lo[j] = lo[2 + 2 * j];
		spec->exp_hi[j] = hi[2 + 2 * j];
	}
}

static bool
spec_equal(const PowerLawSpec *a, const PowerLawSpec *b)
{
	return a->k == b->k &&
		memcmp(a->exp_lo, b->exp_lo, sizeof(a->exp_lo)) == 0 &&
		memcmp(a->exp_hi, b->exp_hi, sizeof(a->exp_hi)) == 0 &&
		memcmp(a->lin_lo, b->lin_lo, sizeof(a->lin_lo)) == 0 &&
		memcmp(a->lin_hi, b->lin_hi, sizeof(a->lin_hi)) == 0;
}

PG_FUNCTION_INFO_V1(sl_power_law_trans);
Datum
sl_power_law_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	PlState    *st;
	int			nargs = PG_NARGS();
	int			k;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "%s transition function called in non-aggregate context", FN);
	if (PG_ARGISNULL(0))
	{
		bool		has_opts = sl_has_options_arg(fcinfo);

		k = nargs - 2 - (has_opts ? 1 : 0);
		if (k < 1 || k > SL_MAX_INPUTS)
			elog(ERROR, "%s: unexpected number of arguments %d", FN, nargs);
		st = new_state(aggctx, k);
		st->has_opts_arg = has_opts;
	}
	else
		st = (PlState *) PG_GETARG_POINTER(0);
	k = st->k;
	if (st->has_opts_arg && !PG_ARGISNULL(nargs - 1))
	{
		Jsonb	   *options = PG_GETARG_JSONB_P(nargs - 1);

		if (sl_options_first_seen(FN, &st->options, options, aggctx))
		{
			PowerLawSpec spec;

			spec_from_options(&spec, k, options);
			st->spec = spec_copy(aggctx, &spec);
			st->opts_set = true;
		}
	}
	sl_add_row(fcinfo, FN, k, &st->ps, &st->al);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(sl_power_law_combine);
Datum
sl_power_law_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	PlState    *s1,
			   *s2;

	if (sl_combine_start(fcinfo, FN, &aggctx, (void **) &s1, (void **) &s2))
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		/* copy into the aggregate context: s2 may live in a per-tuple one */
		s1 = new_state(aggctx, s2->k);
		if (s2->opts_set)
			s1->spec = spec_copy(aggctx, s2->spec);
		s1->opts_set = s2->opts_set;
	}
	else if (s1->k != s2->k)
		elog(ERROR, "%s: combining states of different laws", FN);
	else if (s1->opts_set && s2->opts_set)
	{
		if (!spec_equal(s1->spec, s2->spec))
			sl_options_mismatch(FN);
	}
	else if (s2->opts_set)
	{
		s1->spec = spec_copy(aggctx, s2->spec);
		s1->opts_set = true;
	}
	sl_check_points(FN, ps_merge(&s1->ps, &s2->ps, &s1->al));
	PG_RETURN_POINTER(s1);
}

/* state bytes: u8 version, u8 k, u8 opts_set, u8 0, 14 float8 of the spec, point set */
#define PL_STATE_VERSION 1
#define SPEC_DOUBLES (2 * SL_MAX_INPUTS + 2 * (SL_MAX_INPUTS + 1))

static void
spec_to_doubles(const PowerLawSpec *s, double *d)
{
	memcpy(d, s->exp_lo, sizeof(s->exp_lo));
	memcpy(d + 3, s->exp_hi, sizeof(s->exp_hi));
	memcpy(d + 6, s->lin_lo, sizeof(s->lin_lo));
	memcpy(d + 10, s->lin_hi, sizeof(s->lin_hi));
}

PG_FUNCTION_INFO_V1(sl_power_law_serialize);
Datum
sl_power_law_serialize(PG_FUNCTION_ARGS)
{
	PlState    *st = (PlState *) PG_GETARG_POINTER(0);
	size_t		size = 4 + sizeof(double) * SPEC_DOUBLES + ps_serial_size(&st->ps, &st->al);
	bytea	   *out;
	unsigned char *p;
	double		d[SPEC_DOUBLES];

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: aggregate state of %zu bytes is too large to send to another process",
						FN, size)));
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	p = (unsigned char *) VARDATA(out);
	p[0] = PL_STATE_VERSION;
	p[1] = (unsigned char) st->k;
	p[2] = st->opts_set ? 1 : 0;
	p[3] = 0;
	spec_to_doubles(st->spec, d);
	memcpy(p + 4, d, sizeof(d));
	ps_serialize(&st->ps, p + 4 + sizeof(d), &st->al);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(sl_power_law_deserialize);
Datum
sl_power_law_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	PlState    *st;
	double		d[SPEC_DOUBLES];

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "%s deserialize function called in non-aggregate context", FN);
	if (len < 4 + sizeof(d) || p[0] != PL_STATE_VERSION || p[1] < 1 ||
		p[1] > SL_MAX_INPUTS || p[2] > 1 || p[3] != 0)
		sl_bad_state(FN);
	st = new_state(CurrentMemoryContext, p[1]);
	st->opts_set = p[2] == 1;
	memcpy(d, p + 4, sizeof(d));
	for (int i = 0; i < SPEC_DOUBLES; i++)
		if (isnan(d[i]))
			sl_bad_state(FN);
	if (st->opts_set)
	{
		PowerLawSpec spec = *st->spec;

		memcpy(spec.exp_lo, d, sizeof(spec.exp_lo));
		memcpy(spec.exp_hi, d + 3, sizeof(spec.exp_hi));
		memcpy(spec.lin_lo, d + 6, sizeof(spec.lin_lo));
		memcpy(spec.lin_hi, d + 10, sizeof(spec.lin_hi));
		st->spec = spec_copy(CurrentMemoryContext, &spec);
	}
	if (ps_deserialize(&st->ps, p + 4 + sizeof(d), len - 4 - sizeof(d), &st->al) != PS_OK ||
		st->ps.k != st->k)
		sl_bad_state(FN);
	PG_RETURN_POINTER(st);
}

/*
 * The result composite of a fit of ps (shared with fit_power_law(fit_points)):
 * *isnull when the data cannot determine the law.
 */
Datum
sl_power_law_result(FunctionCallInfo fcinfo, const PointSet *ps, int k,
					const PowerLawSpec *spec, bool *isnull)
{
	SlAlloc		al;
	SortedPoints sp;
	PowerLawFit fit;
	FitStatus	status;
	TupleDesc	tupdesc;
	Datum		values[2 * SL_MAX_INPUTS + 5];
	bool		nulls[2 * SL_MAX_INPUTS + 5] = {false};
	int			ncoef = 2 * k + 1,
				i = 0;

	*isnull = true;
	if (ps->n_rows == 0)
		return (Datum) 0;
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	ps_sorted(ps, &sp, &al);
	status = power_law_fit(&sp, spec, &al, sl_pg_interrupt, &fit);
	ps_sorted_free(&sp, &al);
	if (status != FIT_OK)
		return (Datum) 0;
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "%s: return type must be a row type", FN);
	if (tupdesc->natts != ncoef + 4)
		elog(ERROR, "%s: result type has %d columns, expected %d", FN, tupdesc->natts, ncoef + 4);
	tupdesc = BlessTupleDesc(tupdesc);
	values[i++] = Float8GetDatum(fit.l_inf);
	for (int j = 0; j < k; j++)
	{
		values[i++] = Float8GetDatum(fit.coef[j]);
		values[i++] = Float8GetDatum(fit.expo[j]);
	}
	values[i++] = Int64GetDatum(fit.n);
	if (isnan(fit.r2))
		nulls[i++] = true;
	else
		values[i++] = Float8GetDatum(fit.r2);
	values[i++] = Float8GetDatum(fit.rmse);
	values[i++] = sl_name_array(coef_names, fit.at_bound, ncoef);
	*isnull = false;
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* the spec options give (defaults where options is NULL) */
void
sl_power_law_spec(PowerLawSpec *spec, int k, Jsonb *options)
{
	if (options == NULL)
		power_law_default_spec(spec, k);
	else
		spec_from_options(spec, k, options);
}

PG_FUNCTION_INFO_V1(sl_power_law_final);
Datum
sl_power_law_final(PG_FUNCTION_ARGS)
{
	PlState    *st = PG_ARGISNULL(0) ? NULL : (PlState *) PG_GETARG_POINTER(0);
	Datum		result;
	bool		isnull;

	if (st == NULL)
		PG_RETURN_NULL();
	/* order the log in place (the state's value is unchanged) */
	if (ps_sort_log(&st->ps, &st->al) != PS_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	result = sl_power_law_result(fcinfo, &st->ps, st->k, st->spec, &isnull);
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
	HeapTupleHeader fit_tuple = PG_GETARG_HEAPTUPLEHEADER(0);
	int			k = PG_NARGS() - 1;
	PowerLawFit fit;
	double		x[SL_MAX_INPUTS];
	double		f[1 + 2 * SL_MAX_INPUTS];
	double		y;

	if (k < 1 || k > SL_MAX_INPUTS)
		elog(ERROR, "predict_loss: unexpected number of arguments");
	/* fields: l_inf, then (coef, exponent) per input */
	if (!sl_fit_fields(fcinfo, fit_tuple, 1 + 2 * k, f))
		PG_RETURN_NULL();
	fit.l_inf = f[0];
	for (int j = 0; j < k; j++)
	{
		fit.coef[j] = f[1 + 2 * j];
		fit.expo[j] = f[2 + 2 * j];
	}
	for (int j = 0; j < k; j++)
	{
		x[j] = PG_GETARG_FLOAT8(j + 1);
		sl_check_input("predict_loss", arg_names[k][j], x[j], true,
					   ERRCODE_INVALID_ARGUMENT_FOR_POWER_FUNCTION);
	}
	y = power_law_predict(&fit, k, x);
	PG_RETURN_FLOAT8(y);
}
