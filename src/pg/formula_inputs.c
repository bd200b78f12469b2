/*
 * formula_inputs.c -- the inputs of one row of a formula law: an array in
 * the order of the formula's header (its shape checked as every array
 * argument's, array_inputs.h), or one float8 for a one-input law.
 */
#include "postgres.h"

#include "array_inputs.h"
#include "sl_formula.h"

bool
sl_formula_inputs(const char *fn, const SlFormula *f, Datum inputs, bool is_array, double *x)
{
	int			k = slf_n_inputs(f);

	if (!is_array)
	{
		if (k != 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the formula has %d inputs, but one input value was given", fn, k),
					 errhint("Pass the inputs as an array in the order of the formula's header.")));
		x[0] = DatumGetFloat8(inputs);
	}
	else
	{
		int			n = sl_array_inputs(fn, "inputs", inputs, SLF_MAX_INPUTS, x);

		if (n == 0)
			return false;
		if (n != k)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s: argument inputs has %d element%s, but the formula has %d input%s",
							fn, n, n == 1 ? "" : "s", k, k == 1 ? "" : "s")));
	}
	for (int j = 0; j < k; j++)
		sl_check_input(fn, slf_input_name(f, j), x[j], false, 0);
	return true;
}
