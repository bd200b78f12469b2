/*
 * array_inputs.c -- reading a row's inputs from a float8[] argument; see
 * array_inputs.h.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "array_inputs.h"

void
sl_check_array_arg(FunctionCallInfo fcinfo, const char *fn, int argno)
{
	Oid			t;

	if (likely(fcinfo->flinfo->fn_extra != NULL))
		return;
	t = get_fn_expr_argtype(fcinfo->flinfo, argno);
	if (t != FLOAT8ARRAYOID)
	{
		char	   *name = get_func_name(fcinfo->flinfo->fn_oid);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("%s: %s is declared with arguments its code cannot read", fn,
						name ? name : "this function"),
				 errdetail_internal("Argument %d has type %s; expected %s.", argno + 1,
									t == InvalidOid ? "unknown" : format_type_be(t),
									format_type_be(FLOAT8ARRAYOID))));
	}
	/* any non-NULL pointer marks the call site as checked */
	fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, 1);
}

int
sl_array_inputs(const char *fn, const char *arg, Datum array, int max_k, double *x)
{
	ArrayType  *a = DatumGetArrayTypeP(array);
	int			ndim = ARR_NDIM(a);
	int			k;

	/* a NULL anywhere skips the row before any other check, as a NULL scalar does */
	if (array_contains_nulls(a))
		return 0;
	if (ARR_ELEMTYPE(a) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: argument %s must be an array of float8, got %s", fn, arg,
						format_type_be(ARR_ELEMTYPE(a)))));
	if (ndim > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: argument %s must be a one-dimensional array, got %d dimensions",
						fn, arg, ndim)));
	k = ndim == 0 ? 0 : ARR_DIMS(a)[0];
	if (k < 1 || k > max_k)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: argument %s must have 1 to %d elements, got %d", fn, arg, max_k, k)));
	/* one dimension, no NULL bitmap: k float8 in a row after the header */
	memcpy(x, (const char *) a + ARR_OVERHEAD_NONULLS(1), sizeof(double) * (size_t) k);
	return k;
}

void
sl_array_length_mismatch(const char *fn, const char *arg, int k1, int k2)
{
	/* the smaller first: the message does not depend on which row came first */
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s have %d elements in one row and %d in another", fn, arg,
					Min(k1, k2), Max(k1, k2)),
			 errdetail("Every row of a group must give the same number of inputs.")));
}
