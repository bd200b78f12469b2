/*
 * power_law_agg.c -- fit_power_law(x1[, x2[, x3]], y [, options]): the
 * law's descriptor for the aggregate skeleton (fit_agg.h), its result
 * composite, and predict_loss for the power-law result types.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "fit_report.h"
#include "point_set.h"
#include "power_law.h"
#include "fit_agg.h"
#include "sl_fits.h"

#define FN "fit_power_law"

/* a group's state is one 1 kB chunk: see SL_SSPACE_POINTS */
StaticAssertDecl(SL_FIT_STATE_SIZE(PointSet) > 512 &&
				 SL_FIT_STATE_SIZE(PointSet) + SL_CHUNK_HEADER <= SL_SSPACE_POINTS &&
				 SL_SSPACE_POINTS == 1024 + SL_CHUNK_HEADER,
				 "a point-set state no longer fills one 1 kB chunk: derive SL_SSPACE_POINTS again");

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

/*
 * The result composite of a fit of the points sp (shared with
 * fit_power_law(fit_points)).  A group whose points cannot determine the
 * law gives a row all the same: its coefficients and everything computed
 * from them NULL, n and the data range filled, and status saying why.
 */
Datum
sl_power_law_result(FunctionCallInfo fcinfo, const SortedPoints *sp, int k,
					const PowerLawSpec *spec, bool *isnull)
{
	SlAlloc		al;
	PowerLawFit fit;
	FitStatus	status;
	Oid			types[SL_MAX_COEFS + 13];
	Datum		values[SL_MAX_COEFS + 13];
	bool		nulls[SL_MAX_COEFS + 13] = {false};
	double		se[SL_MAX_COEFS],
				cov[SL_MAX_COEFS * SL_MAX_COEFS],
				x_min[SL_MAX_INPUTS],
				x_max[SL_MAX_INPUTS],
				aic,
				bic;
	char		text[SL_STATUS_MAX];
	int			ncoef = 2 * k + 1,
				i = 0;
	bool		ok,
				converged;

	*isnull = true;
	if (sp->n_rows == 0)
		return (Datum) 0;
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	status = power_law_fit(sp, spec, &al, &fit);
	if (status == FIT_NO_MEMORY)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	ok = status == FIT_OK;
	/* an exponent the search's edge held: the optimum is not attained */
	converged = ok && fit.converged;
	for (int j = 0; j < k; j++)
		if (ok && power_law_at_search_edge(&fit, spec, j))
			converged = false;
	for (int j = 0; j < ncoef; j++)
	{
		types[i] = FLOAT8OID;
		nulls[i] = !ok;
		values[i++] = Float8GetDatum(j == 0 ? fit.l_inf :
									 j % 2 == 1 ? fit.coef[(j - 1) / 2] : fit.expo[j / 2 - 1]);
	}
	types[i] = INT8OID;
	values[i++] = Int64GetDatum(fit.n);
	types[i] = FLOAT8OID;
	if (!ok || isnan(fit.r2))
		nulls[i++] = true;
	else
		values[i++] = Float8GetDatum(fit.r2);
	types[i] = FLOAT8OID;
	nulls[i] = !ok;
	values[i++] = Float8GetDatum(fit.rmse);
	types[i] = TEXTARRAYOID;
	nulls[i] = !ok;
	values[i++] = ok ? sl_name_array(coef_names, fit.at_bound, ncoef) : (Datum) 0;
	/* std_errors, covariance, x_min, x_max, since 1.4 */
	if (ok)
		power_law_std_errors(sp, &fit, &al, se, cov);
	types[i] = JSONBOID;
	nulls[i] = !ok;
	values[i++] = ok ? sl_values_jsonb(coef_names, se, ncoef) : (Datum) 0;
	types[i] = JSONBOID;
	if (ok)
		values[i] = sl_covariance_jsonb(coef_names, cov, ncoef, &nulls[i]);
	else
		nulls[i] = true;
	i++;
	sp_input_range(sp, x_min, x_max, &al);
	types[i] = FLOAT8ARRAYOID;
	values[i++] = sl_float8_array(x_min, k);
	types[i] = FLOAT8ARRAYOID;
	values[i++] = sl_float8_array(x_max, k);
	/* status, converged, iterations, aic, bic, also since 1.4 */
	power_law_status_text(status, &fit, spec, converged, text, sizeof(text));
	sl_info_criteria(fit.n, fit.rmse, power_law_free_coefs(&fit, k), &aic, &bic);
	i = sl_report_columns(text, ok, converged, true, fit.iterations, aic, bic,
						  types, values, nulls, i);
	*isnull = false;
	return sl_make_result(fcinfo, FN, i, 9, types, values, nulls);
}

/* the spec options give (defaults where options is NULL) */
void
sl_power_law_spec(PowerLawSpec *spec, int k, Jsonb *options)
{
	SlBounds	b;

	sl_options_bounds(options_law(k), options, &b);
	bounds_to_spec(&b, k, spec);
}

static Datum
final(FunctionCallInfo fcinfo, SlCall *call, SlFitState *st, bool *isnull)
{
	PowerLawSpec spec;
	SlAlloc		al;
	SortedPoints sp;
	Datum		result;

	bounds_to_spec(st->options, st->k, &spec);
	sl_fit_sorted_points(st, &sp, &al);
	result = sl_power_law_result(fcinfo, &sp, st->k, &spec, isnull);
	ps_sorted_free(&sp, &al);
	return result;
}

static const SlFitLaw power_law = {
	.fn = FN,
	.tag = SL_TAG_POWER_LAW,
	.max_k = SL_MAX_INPUTS,
	.acc = &sl_point_set_ops,
	.n_per_input = 2,
	.n_fixed = 1,
	.positive_errcode = ERRCODE_INVALID_ARGUMENT_FOR_POWER_FUNCTION,
	.bounds_law = options_law,
	SL_PRESET_PARTS,
	.final = final,
};

SL_FIT_AGG_FUNCTIONS(sl_power_law, power_law)

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
	if (!sl_predict_args(fcinfo, "predict_loss", 1 + 2 * k, f, k, arg_names[k], x,
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

/*
 * predict_interval(power_law[2|3]_fit, x..., level): predict_loss and the
 * interval of the mean prediction, from the gradient of the law by the
 * coefficients the covariance covers: 1 for l_inf, x^-alpha (or -ln x at
 * the logarithmic limit) for a, -a x^-alpha ln x for alpha.  An exponent
 * at the limit is not a coefficient of the law there (its term is -a ln x
 * for every alpha near it), so a covariance that covers it is an ERROR.
 */
PG_FUNCTION_INFO_V1(sl_power_law_interval);
Datum
sl_power_law_interval(PG_FUNCTION_ARGS)
{
	const char *fn = "predict_interval";
	int			k = Min(Max(PG_NARGS() - 2, 1), SL_MAX_INPUTS);
	PowerLawFit fit;
	const SlFitCovariance *cov;
	double		x[SL_MAX_INPUTS],
				f[SL_MAX_COEFS],
				grad[SL_MAX_COEFS],
				g[SL_COV_MAX],
				level,
				y;

	if (!sl_interval_args(fcinfo, fn, 1 + 2 * k, coef_names, f, k, arg_names[k], x,
						  ERRCODE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, &cov, &level))
		PG_RETURN_NULL();
	fit.l_inf = f[0];
	for (int j = 0; j < k; j++)
	{
		fit.coef[j] = f[1 + 2 * j];
		fit.expo[j] = f[2 + 2 * j];
	}
	power_law_gradient(&fit, k, x, grad);
	y = power_law_predict(&fit, k, x);
	sl_check_prediction(y);
	for (int a = 0; cov->known && a < cov->p; a++)
	{
		g[a] = grad[cov->which[a]];
		if (isnan(g[a]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the fit's covariance is not a covariance of its coefficients", fn),
					 errdetail("It covers \"%s\", an exponent of 0: the term is then -%s ln x, which does not depend on it.",
							   coef_names[cov->which[a]], coef_names[cov->which[a] - 1])));
		/* x^-alpha beyond the double range: the interval is not representable */
		sl_check_prediction(g[a]);
	}
	PG_RETURN_DATUM(sl_interval_result(fcinfo, fn, y, g, cov, level, sl_interval_t_cache(fcinfo)));
}
