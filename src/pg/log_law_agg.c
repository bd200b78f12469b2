/*
 * log_law_agg.c -- fit_log_law(x1[, x2], y [, options]) over exact
 * sufficient statistics: the law's descriptor for the aggregate skeleton
 * (fit_agg.h), its result composite, and predict_loss for the log-law
 * result types.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/jsonb.h"

#include "fit_report.h"
#include "log_law.h"
#include "fit_agg.h"
#include "sl_fits.h"

#define FN "fit_log_law"

/* the state's own chunk is the 512 bytes SL_SSPACE_LOG_LAW1/2 count */
StaticAssertDecl(SL_FIT_STATE_SIZE(LogStats) > 256 && SL_FIT_STATE_SIZE(LogStats) <= 512,
				 "a log-law state no longer fills one 512-byte chunk: derive SL_SSPACE_LOG_LAW1/2 again");

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

/* ---- the accumulator: exact sufficient statistics ---- */

static void
stats_init(void *acc, int k)
{
	ls_init(acc, k);
}

/* false only past 2^63 - 1 rows (the allocator throws rather than fail) */
static PsStatus
stats_add(void *acc, const double *x, double y, const SlAlloc *al)
{
	return ls_add(acc, x, y, al) ? PS_OK : PS_COUNT_RANGE;
}

static PsStatus
stats_merge(void *acc, const void *other, const SlAlloc *al)
{
	return ls_merge(acc, other, al) ? PS_OK : PS_COUNT_RANGE;
}

static size_t
stats_serial_size(const void *acc, const SlAlloc *al)
{
	return ls_serial_size(acc);
}

static void
stats_serialize(const void *acc, unsigned char *out, const SlAlloc *al)
{
	ls_serialize(acc, out);
}

static bool
stats_deserialize(void *acc, const unsigned char *p, size_t len, int k, const SlAlloc *al)
{
	LogStats   *stats = acc;

	return ls_deserialize(stats, p, len, al) == 0 && stats->k == k;
}

static const SlAccOps stats_ops = {
	.size = sizeof(LogStats),
	.init = stats_init,
	.add = stats_add,
	.merge = stats_merge,
	.serial_size = stats_serial_size,
	.serialize = stats_serialize,
	.deserialize = stats_deserialize,
};

/*
 * The result composite of a fit of st (shared with fit_log_law(fit_points)).
 * A group whose rows cannot determine the law gives a row all the same:
 * its coefficients and everything computed from them NULL, n and the data
 * range filled, and status saying why.
 */
Datum
sl_log_law_result(FunctionCallInfo fcinfo, const LogStats *stats, const LogLawSpec *spec,
				  bool *isnull)
{
	LogLawFit	fit;
	FitStatus	status;
	Oid			types[LL_MAX_INPUTS + 14];
	Datum		values[LL_MAX_INPUTS + 14];
	bool		nulls[LL_MAX_INPUTS + 14] = {false};
	char		text[SL_STATUS_MAX];
	double		aic,
				bic;
	int			k = stats->k,
				i = 0;
	bool		ok;

	*isnull = true;
	if (stats->n == 0)
		return (Datum) 0;
	status = log_law_fit(stats, spec, &fit);
	ok = status == FIT_OK;
	for (int j = 0; j <= k; j++)
	{
		types[i] = FLOAT8OID;
		nulls[i] = !ok;
		values[i++] = Float8GetDatum(fit.coef[j]);
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
	values[i++] = ok ? sl_name_array(coef_names, fit.at_bound, k + 1) : (Datum) 0;
	/* std_errors, covariance, x_min, x_max, since 1.4 */
	types[i] = JSONBOID;
	nulls[i] = !ok;
	values[i++] = ok ? sl_values_jsonb(coef_names, fit.std_err, k + 1) : (Datum) 0;
	types[i] = JSONBOID;
	if (ok)
		values[i] = sl_covariance_jsonb(coef_names, fit.cov, k + 1, &nulls[i]);
	else
		nulls[i] = true;
	i++;
	types[i] = FLOAT8ARRAYOID;
	values[i++] = sl_float8_array(stats->x_min, k);
	types[i] = FLOAT8ARRAYOID;
	values[i++] = sl_float8_array(stats->x_max, k);
	/* status, converged, iterations, aic, bic, also since 1.4: a closed form, no iterations */
	log_law_status_text(status, &fit, k, text, sizeof(text));
	sl_info_criteria(fit.n, fit.rmse, log_law_free_coefs(&fit, k), &aic, &bic);
	i = sl_report_columns(text, ok, true, true, 0, aic, bic, types, values, nulls, i);
	*isnull = false;
	return sl_make_result(fcinfo, FN, i, 9, types, values, nulls);
}

/* the spec options give (defaults where options is NULL) */
void
sl_log_law_spec(LogLawSpec *spec, int k, Jsonb *options)
{
	SlBounds	b;

	sl_options_bounds(options_law(k), options, &b);
	bounds_to_spec(&b, k, spec);
}

static Datum
final(FunctionCallInfo fcinfo, SlCall *call, SlFitState *st, bool *isnull)
{
	LogLawSpec	spec;

	bounds_to_spec(st->options, st->k, &spec);
	return sl_log_law_result(fcinfo, SL_FIT_ACC(st), &spec, isnull);
}

static const SlFitLaw log_law = {
	.fn = FN,
	.tag = SL_TAG_LOG_LAW,
	.max_k = LL_MAX_INPUTS,
	.acc = &stats_ops,
	.n_per_input = 1,
	.n_fixed = 1,
	.positive_errcode = ERRCODE_INVALID_ARGUMENT_FOR_LOG,
	.bounds_law = options_law,
	SL_PRESET_PARTS,
	.final = final,
};

SL_FIT_AGG_FUNCTIONS(sl_log_law, log_law)

PG_FUNCTION_INFO_V1(sl_log_law_predict);
Datum
sl_log_law_predict(PG_FUNCTION_ARGS)
{
	int			k = Min(Max(PG_NARGS() - 1, 1), LL_MAX_INPUTS);
	LogLawFit	fit;
	double		x[LL_MAX_INPUTS];
	double		y;

	if (!sl_predict_args(fcinfo, "predict_loss", k + 1, fit.coef, k, arg_names[k], x,
						 ERRCODE_INVALID_ARGUMENT_FOR_LOG))
		PG_RETURN_NULL();
	y = log_law_predict(&fit, k, x);
	sl_check_prediction(y);
	PG_RETURN_FLOAT8(y);
}

/*
 * predict_interval(log_law[2]_fit, x..., level): predict_loss and the
 * interval of the mean prediction; the law's gradient by a, b, c is
 * 1, ln x1, ln x2.
 */
PG_FUNCTION_INFO_V1(sl_log_law_interval);
Datum
sl_log_law_interval(PG_FUNCTION_ARGS)
{
	const char *fn = "predict_interval";
	int			k = Min(Max(PG_NARGS() - 2, 1), LL_MAX_INPUTS);
	LogLawFit	fit;
	const SlFitCovariance *cov;
	double		x[LL_MAX_INPUTS],
				grad[LL_MAX_INPUTS + 1],
				g[SL_COV_MAX],
				level,
				y;

	if (!sl_interval_args(fcinfo, fn, k + 1, coef_names, fit.coef, k, arg_names[k], x,
						  ERRCODE_INVALID_ARGUMENT_FOR_LOG, &cov, &level))
		PG_RETURN_NULL();
	y = log_law_predict(&fit, k, x);
	sl_check_prediction(y);
	grad[0] = 1.0;
	for (int j = 0; j < k; j++)
		grad[j + 1] = log(x[j]);
	for (int a = 0; cov->known && a < cov->p; a++)
		g[a] = grad[cov->which[a]];
	PG_RETURN_DATUM(sl_interval_result(fcinfo, fn, y, g, cov, level, sl_interval_t_cache(fcinfo)));
}
