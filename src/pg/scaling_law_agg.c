/*
 * scaling_law_agg.c -- fit_scaling_law(formula, inputs float8[] | x float8,
 * y [, options]): the law's descriptor for the aggregate skeleton
 * (fit_agg.h), and the result composite scaling_law_fit shared with
 * fit_scaling_law(formula, points).
 *
 * A group's state is its formula's text (the group's key), the options'
 * values and the point set of its rows.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "fit_agg.h"
#include "fit_report.h"
#include "sl_formula.h"

StaticAssertDecl(SLF_MAX_PARAMS <= SL_COV_MAX && SLF_MAX_INPUTS <= SL_COV_MAX,
				 "a formula's covariance or data range no longer fits SL_COV_MAX");

#define FN "fit_scaling_law"
#define SL_TAG_SCALING_LAW 0x4653534cU	/* "SLSF" */

/*
 * A group's state is one 1 kB chunk and its formula's text (a chunk of 64
 * bytes for a formula of up to 64): see SL_SSPACE_FORMULA.
 */
StaticAssertDecl(SL_FIT_STATE_SIZE(PointSet) + SL_CHUNK_HEADER <= SL_SSPACE_POINTS &&
				 SL_SSPACE_FORMULA == SL_SSPACE_POINTS + 64 + SL_CHUNK_HEADER,
				 "a formula state no longer fills one 1 kB chunk: derive SL_SSPACE_FORMULA again");

/* the transition function's call site (SlCall.law) */
typedef struct ScCall
{
	bool		array_inputs;	/* inputs float8[] (else one float8 x) */
	SlFormulaCache formula;
	const SlFormula *f;			/* the formula of the row being added */
} ScCall;

static SlCall *
trans_setup(FunctionCallInfo fcinfo, const SlFitLaw *law)
{
	SlCall	   *call;
	ScCall	   *sc;
	int			nargs;
	Oid			t;

	(void) sl_agg_context(fcinfo, FN);
	nargs = PG_NARGS();
	if (nargs != 4 && nargs != 5)
		sl_wrong_declaration(fcinfo, FN,
							 "Expected the state, the formula, the inputs, y and optionally options.");
	sl_check_arg_type(fcinfo, FN, 0, INTERNALOID, true);
	sl_check_arg_type(fcinfo, FN, 1, TEXTOID, true);
	sl_check_arg_type(fcinfo, FN, 3, FLOAT8OID, true);
	if (nargs == 5)
		sl_check_arg_type(fcinfo, FN, 4, JSONBOID, true);
	t = get_fn_expr_argtype(fcinfo->flinfo, 2);
	if (t != FLOAT8ARRAYOID)
		sl_check_arg_type(fcinfo, FN, 2, FLOAT8OID, true);
	sc = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ScCall));
	sc->array_inputs = t == FLOAT8ARRAYOID;
	call = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SlCall));
	call->has_options = nargs == 5;
	call->law = sc;
	fcinfo->flinfo->fn_extra = call;
	return call;
}

static void
prepare_key(FunctionCallInfo fcinfo, SlCall *call, text *formula)
{
	ScCall	   *sc = call->law;

	sc->f = sl_formula_get(&sc->formula, fcinfo->flinfo->fn_mcxt, FN, formula);
	call->k = slf_n_inputs(sc->f);
	call->n = slf_n_params(sc->f);
	/* options name the formula's parameters: another formula, another meaning */
	call->context = sc->formula.compiles;
}

static bool
row_inputs(FunctionCallInfo fcinfo, const SlFitLaw *law, SlCall *call, double *x, double *y)
{
	ScCall	   *sc = call->law;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		!sl_formula_inputs(FN, sc->f, PG_GETARG_DATUM(2), sc->array_inputs, x))
		return false;
	*y = PG_GETARG_FLOAT8(3);
	sl_check_input(FN, "y", *y, false, 0);
	return true;
}

/* the options' values when there are none (shared by every such group) */
static const void *
default_options(const SlFitLaw *law, int k)
{
	static FormulaSpec spec;
	static bool done = false;

	if (!done)
	{
		formula_default_spec(&spec);
		done = true;
	}
	return &spec;
}

static void
parse_options(const SlFitLaw *law, SlCall *call, Jsonb *options, void *out)
{
	sl_formula_options(FN, ((ScCall *) call->law)->f, options, out);
}

static bool
options_equal(const void *a, const void *b, int n)
{
	return sl_formula_spec_equal(a, b, n);
}

/* i32 effort, then per parameter lo, hi, search_lo, search_hi (float8) */
static size_t
options_bytes(const SlFitLaw *law, int k, int n)
{
	if (n < 1 || n > SLF_MAX_PARAMS)
		return 0;
	return 4 + (size_t) n * 4 * sizeof(double);
}

static void
write_options(unsigned char *p, const void *options, int n)
{
	const FormulaSpec *spec = options;
	int32		effort = spec->effort;

	memcpy(p, &effort, 4);
	p += 4;
	for (int i = 0; i < n; i++)
	{
		double		v[4] = {spec->lo[i], spec->hi[i], spec->search_lo[i], spec->search_hi[i]};

		memcpy(p, v, sizeof(v));
		p += sizeof(v);
	}
}

static bool
read_options(const SlFitLaw *law, const unsigned char *p, int k, int n, void *out)
{
	FormulaSpec *spec = out;
	int32		effort;

	formula_default_spec(spec);
	memcpy(&effort, p, 4);
	p += 4;
	if (effort < 1 || effort > SL_FORMULA_EFFORT_MAX)
		return false;
	spec->effort = effort;
	for (int i = 0; i < n; i++)
	{
		double		v[4];

		memcpy(v, p, sizeof(v));
		p += sizeof(v);
		/* as the options could have set them */
		if (isnan(v[0]) || isnan(v[1]) || !(v[0] <= v[1]) || isinf(v[2]) || isinf(v[3]))
			return false;
		spec->lo[i] = v[0];
		spec->hi[i] = v[1];
		spec->search_lo[i] = v[2];
		spec->search_hi[i] = v[3];
	}
	return true;
}


/*
 * The result composite of a fit of the points sp.  A group whose points
 * cannot determine the law gives a row all the same: its parameters and
 * everything computed from them NULL, n and the data range filled, and
 * status saying why.
 */
Datum
sl_scaling_law_result(FunctionCallInfo fcinfo, const SlFormula *f, const char *formula,
					  size_t len, const SortedPoints *sp, const FormulaSpec *spec,
					  bool *isnull)
{
	SlAlloc		al;
	FormulaFit	fit;
	FormulaStatus status;
	SlfError	err;
	Oid			types[15] = {TEXTOID, JSONBOID, INT8OID, FLOAT8OID, FLOAT8OID,
	TEXTARRAYOID, BOOLOID, JSONBOID, JSONBOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID};
	Datum		values[15];
	bool		nulls[15] = {false};
	const char *names[SLF_MAX_PARAMS];
	double		x_min[SLF_MAX_INPUTS],
				x_max[SLF_MAX_INPUTS],
				aic,
				bic;
	char	   *text;
	int			np = slf_n_params(f),
				i;
	bool		ok;

	*isnull = true;
	if (sp->n_rows == 0)
		return (Datum) 0;
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	memset(&err, 0, sizeof(err));
	status = formula_fit(f, sp, spec, &al, &fit, &err);
	if (status == FF_NOT_FINITE)
		sl_formula_error(FN, formula, len, &err);
	if (status == FF_NO_MEMORY)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (status == FF_INVALID)
		elog(ERROR, "%s: the model of the formula is out of the engine's range", FN);
	ok = status == FF_OK;
	for (int p = 0; p < np; p++)
		names[p] = slf_param_name(f, p);
	values[0] = PointerGetDatum(cstring_to_text_with_len(formula, len));
	nulls[1] = !ok;
	values[1] = ok ? sl_values_jsonb(names, fit.params, np) : (Datum) 0;
	values[2] = Int64GetDatum(fit.n);
	if (!ok || isnan(fit.r2))
		nulls[3] = true;
	else
		values[3] = Float8GetDatum(fit.r2);
	nulls[4] = !ok;
	values[4] = Float8GetDatum(fit.rmse);
	nulls[5] = !ok;
	values[5] = ok ? sl_name_array(names, fit.at_bound, np) : (Datum) 0;
	values[6] = BoolGetDatum(ok && fit.converged);
	/* std_errors, covariance, x_min, x_max, since 1.4 */
	nulls[7] = !ok;
	values[7] = ok ? sl_values_jsonb(names, fit.std_err, np) : (Datum) 0;
	if (ok)
		values[8] = sl_covariance_jsonb(names, fit.cov, np, &nulls[8]);
	else
		nulls[8] = true;
	sp_input_range(sp, x_min, x_max, &al);
	values[9] = sl_float8_array(x_min, sp->k);
	values[10] = sl_float8_array(x_max, sp->k);
	/* status, iterations, aic, bic, also since 1.4 */
	text = palloc(SL_STATUS_MAX);
	formula_status_text(status, &fit, f, x_min, x_max, text, SL_STATUS_MAX);
	sl_info_criteria(fit.n, fit.rmse, formula_free_params(f, &fit), &aic, &bic);
	i = sl_report_columns(text, ok, fit.converged, false, fit.iterations, aic, bic,
						  types, values, nulls, 11);
	*isnull = false;
	return sl_make_result(fcinfo, FN, i, 8, types, values, nulls);
}

static Datum
final(FunctionCallInfo fcinfo, SlCall *call, SlFitState *st, bool *isnull)
{
	SlFormulaCache *cache = call->law;
	const SlFormula *f;
	SlAlloc		al;
	SortedPoints sp;
	Datum		result;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SlFormulaCache));
		call->law = cache;
	}
	f = sl_formula_get(cache, fcinfo->flinfo->fn_mcxt, FN,
					   cstring_to_text_with_len(st->key, st->key_len));
	if (slf_n_inputs(f) != st->k || slf_n_params(f) != st->n)
		sl_bad_state(FN);
	sl_fit_sorted_points(st, &sp, &al);
	result = sl_scaling_law_result(fcinfo, f, st->key, st->key_len, &sp, st->options, isnull);
	ps_sorted_free(&sp, &al);
	return result;
}

static const SlFitLaw scaling_law = {
	.fn = FN,
	.tag = SL_TAG_SCALING_LAW,
	.max_k = SLF_MAX_INPUTS,
	.acc = &sl_point_set_ops,
	.trans_setup = trans_setup,
	.key_arg = 1,
	.key_name = "formula",
	.max_key_len = SLF_MAX_TEXT,
	.prepare_key = prepare_key,
	.row_inputs = row_inputs,
	.options_size = sizeof(FormulaSpec),
	.default_options = default_options,
	.parse_options = parse_options,
	.options_equal = options_equal,
	.options_bytes = options_bytes,
	.write_options = write_options,
	.read_options = read_options,
	.final = final,
};

SL_FIT_AGG_FUNCTIONS(sl_scaling_law, scaling_law)
