/*
 * formula_options.c -- the options of fit_scaling_law:
 *   {"bounds": {"alpha": [0, null], ...},   hard bounds per parameter
 *    "search": {"alpha": [0, 2], ...},      the global search's box
 *    "effort": 2}                           denser search (1..10, default 1)
 * Unknown keys and parameter names are ERRORs naming them.  As for the
 * presets, what options mean is the values they set, not their bytes.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/numeric.h"

#include "sl_formula.h"

static int
parse_effort(const char *fn, JsonbValue *v)
{
	double		d = NAN;

	if (v->type == jbvNumeric)
		d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
											   NumericGetDatum(v->val.numeric)));
	if (!(d >= 1 && d <= SL_FORMULA_EFFORT_MAX && d == floor(d)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: option \"effort\" must be an integer from 1 to %d", fn, SL_FORMULA_EFFORT_MAX)));
	return (int) d;
}

void
sl_formula_options(const char *fn, const SlFormula *f, Jsonb *options, FormulaSpec *spec)
{
	int			n = slf_n_params(f);
	const char *names[SLF_MAX_PARAMS];
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	formula_default_spec(spec);
	if (options == NULL)
		return;
	for (int p = 0; p < n; p++)
		names[p] = slf_param_name(f, p);
	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: options must be a JSON object", fn)));
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *key;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(k.val.string.val, k.val.string.len);
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		if (strcmp(key, "bounds") == 0)
			sl_parse_pairs(fn, "bounds", &v, names, n, spec->lo, spec->hi);
		else if (strcmp(key, "search") == 0)
			sl_parse_pairs(fn, "search", &v, names, n, spec->search_lo, spec->search_hi);
		else if (strcmp(key, "effort") == 0)
			spec->effort = parse_effort(fn, &v);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: unknown option \"%s\"", fn, key),
					 errhint("The options are \"bounds\", \"search\" and \"effort\".")));
	}
	for (int p = 0; p < n; p++)
	{
		/* a search side left open (null) is the default one */
		if (isinf(spec->search_lo[p]))
			spec->search_lo[p] = NAN;
		if (isinf(spec->search_hi[p]))
			spec->search_hi[p] = NAN;
		if ((isfinite(spec->lo[p]) || isfinite(spec->hi[p])) && !formula_param_boundable(f, p))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s: option \"bounds\" cannot bound \"%s\"", fn, names[p]),
					 errdetail("\"%s\" is solved as a product with another linear parameter.",
							   names[p]),
					 errhint("Bound the parameter it multiplies, or write the law with one parameter for the product.")));
		if ((!isnan(spec->search_lo[p]) || !isnan(spec->search_hi[p])) && !formula_param_searched(f, p))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: option \"search\" names \"%s\", which is not searched", fn, names[p]),
					 errdetail("\"%s\" enters the law linearly: it is solved exactly for every value of the others.",
							   names[p])));
	}
}

bool
sl_formula_spec_equal(const FormulaSpec *a, const FormulaSpec *b, int n_params)
{
	/* NaN (a default search side) equals NaN here */
#define SAME(x, y) ((x) == (y) || (isnan(x) && isnan(y)))
	if (a->effort != b->effort)
		return false;
	for (int p = 0; p < n_params; p++)
		if (!SAME(a->lo[p], b->lo[p]) || !SAME(a->hi[p], b->hi[p]) ||
			!SAME(a->search_lo[p], b->search_lo[p]) || !SAME(a->search_hi[p], b->search_hi[p]))
			return false;
#undef SAME
	return true;
}
