/*
 * compute_optimal.c -- compute_optimal(fit, flops [, ...]): the N, D and
 * loss that minimise a fitted two-input law at the compute budget
 * C = 6 N D, in closed form for power_law2_fit and by a search over N for
 * scaling_law_fit (src/core/compute_optimal.c); NULL where the law has no
 * minimum with N >= 1 and D >= 1.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "compute_optimal.h"
#include "sl_formula.h"

#define FN "compute_optimal"

/*
 * ERROR unless flops is a budget that holds one parameter trained on one
 * token (not finite or not positive: the messages of every input check)
 */
static void
check_flops(double flops)
{
	char		buf[64];

	sl_check_input(FN, "flops", flops, true, ERRCODE_INVALID_PARAMETER_VALUE);
	if (flops < 6.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: argument flops must be at least 6, got %s",
						FN, sl_format_double(flops, buf, sizeof(buf))),
				 errdetail("The budget is C = 6 N D with N >= 1 parameters and D >= 1 tokens.")));
}

/* the result row (n, d, loss) */
static Datum
allocation_datum(FunctionCallInfo fcinfo, const CoAllocation *a)
{
	TupleDesc	td;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE || td->natts != 3 ||
		TupleDescAttr(td, 0)->atttypid != FLOAT8OID || TupleDescAttr(td, 1)->atttypid != FLOAT8OID ||
		TupleDescAttr(td, 2)->atttypid != FLOAT8OID)
		sl_wrong_declaration(fcinfo, FN, "It must return compute_optimum (n, d, loss float8).");
	sl_check_prediction(a->loss);
	values[0] = Float8GetDatum(a->n);
	values[1] = Float8GetDatum(a->d);
	values[2] = Float8GetDatum(a->loss);
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), values, nulls));
}

/* compute_optimal(power_law2_fit, flops) */
PG_FUNCTION_INFO_V1(sl_compute_optimal_power_law);
Datum
sl_compute_optimal_power_law(PG_FUNCTION_ARGS)
{
	static const char *const names[1] = {"flops"};
	double		f[5],
				flops;
	PowerLawFit fit;
	CoAllocation a;

	/* fields l_inf, a, alpha, b, beta */
	if (!sl_predict_args(fcinfo, FN, 5, f, 1, names, &flops, ERRCODE_INVALID_PARAMETER_VALUE))
		PG_RETURN_NULL();
	check_flops(flops);
	memset(&fit, 0, sizeof(fit));
	fit.l_inf = f[0];
	fit.coef[0] = f[1];
	fit.expo[0] = f[2];
	fit.coef[1] = f[3];
	fit.expo[1] = f[4];
	if (!co_power_law2(&fit, flops, &a))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(allocation_datum(fcinfo, &a));
}

/* the formula along the budget: N and D at their inputs, the others fixed */
typedef struct FormulaAlongBudget
{
	const SlFormula *f;
	const double *params;
	int			ni,
				di;
	double		x[SLF_MAX_INPUTS];
	double		dx[SLF_MAX_INPUTS];
} FormulaAlongBudget;

static double
formula_along_budget(void *ctx, double n, double d, double *slope)
{
	FormulaAlongBudget *fb = ctx;

	fb->x[fb->ni] = n;
	fb->x[fb->di] = d;
	/* d/d ln N with D = C / (6 N): dN = N, dD = -D */
	fb->dx[fb->ni] = n;
	fb->dx[fb->di] = -d;
	return slf_predict_tangent(fb->f, fb->params, fb->x, fb->dx, slope);
}

/* the index of the input named name, ERROR if the formula has none */
static int
input_index(const SlFormula *f, const char *arg, text *name)
{
	char	   *s = text_to_cstring(name);
	StringInfoData all;

	for (int j = 0; j < slf_n_inputs(f); j++)
		if (strcmp(slf_input_name(f, j), s) == 0)
			return j;
	initStringInfo(&all);
	for (int j = 0; j < slf_n_inputs(f); j++)
		appendStringInfo(&all, "%s%s", j ? ", " : "", slf_input_name(f, j));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the formula has no input \"%s\" (argument %s)", FN, s, arg),
			 errhint("Its inputs are %s; name the parameter count and the token count with n => and d =>.",
					 all.data)));
	return -1;
}

/*
 * compute_optimal(scaling_law_fit, flops, n text DEFAULT 'N', d text
 * DEFAULT 'D', others float8[] DEFAULT NULL): others holds the values of
 * the inputs other than N and D, in the order of the formula's header.
 */
PG_FUNCTION_INFO_V1(sl_compute_optimal_scaling_law);
Datum
sl_compute_optimal_scaling_law(PG_FUNCTION_ARGS)
{
	SlFitReader *r = (SlFitReader *) fcinfo->flinfo->fn_extra;
	FormulaAlongBudget fb;
	const SlFormula *f;
	double		flops;
	int			k,
				n_others = 0;
	CoAllocation a;

	if (PG_NARGS() != 5)
		sl_wrong_declaration(fcinfo, FN, "Expected a scaling_law_fit, flops, n, d and others.");
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	if (r == NULL)
	{
		Oid			t = get_fn_expr_argtype(fcinfo->flinfo, 0);

		if (OidIsValid(t) && !type_is_rowtype(t))
			sl_wrong_declaration(fcinfo, FN, "Argument 1 must be a scaling_law_fit.");
		sl_check_arg_type(fcinfo, FN, 1, FLOAT8OID, true);
		sl_check_arg_type(fcinfo, FN, 2, TEXTOID, true);
		sl_check_arg_type(fcinfo, FN, 3, TEXTOID, true);
		sl_check_arg_type(fcinfo, FN, 4, FLOAT8ARRAYOID, true);
		r = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SlFitReader));
		fcinfo->flinfo->fn_extra = r;
	}
	flops = PG_GETARG_FLOAT8(1);
	check_flops(flops);
	f = sl_fit_reader_read(r, fcinfo->flinfo->fn_mcxt, FN, PG_GETARG_HEAPTUPLEHEADER(0));
	if (f == NULL)
		PG_RETURN_NULL();
	k = slf_n_inputs(f);
	if (k < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the formula has one input, and a compute budget splits into two (N and D)", FN)));
	memset(&fb, 0, sizeof(fb));
	fb.f = f;
	fb.params = r->params;
	fb.ni = input_index(f, "n", PG_GETARG_TEXT_PP(2));
	fb.di = input_index(f, "d", PG_GETARG_TEXT_PP(3));
	if (fb.ni == fb.di)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: n and d name the same input \"%s\"", FN, slf_input_name(f, fb.ni))));
	if (!PG_ARGISNULL(4))
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(4);
		Datum	   *elems;
		bool	   *enulls;
		int			j = 0;

		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s: others must be a one-dimensional array", FN)));
		deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &enulls,
						  &n_others);
		if (n_others != k - 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: others has %d value%s, but the formula has %d input%s besides N and D",
							FN, n_others, n_others == 1 ? "" : "s", k - 2, k - 2 == 1 ? "" : "s")));
		for (int i = 0; i < k; i++)
		{
			if (i == fb.ni || i == fb.di)
				continue;
			if (enulls[j])
				PG_RETURN_NULL();
			fb.x[i] = DatumGetFloat8(elems[j++]);
			sl_check_input(FN, slf_input_name(f, i), fb.x[i], false, 0);
		}
	}
	else if (k > 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the formula has %d input%s besides N and D, and others gives no values for them",
						FN, k - 2, k - 2 == 1 ? "" : "s"),
				 errhint("Pass their values in the order of the formula's header: others => ARRAY[...].")));
	if (!co_minimise(formula_along_budget, &fb, flops, &a))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(allocation_datum(fcinfo, &a));
}
