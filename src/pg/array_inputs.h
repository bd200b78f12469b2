/*
 * array_inputs.h -- the inputs of a row given as one float8[] argument
 * (fit_points(inputs float8[], y), and the formula laws' aggregates): the
 * shape checks every such aggregate makes, in one place, so that they all
 * report the same errors.  Include postgres.h first.
 */
#ifndef ARRAY_INPUTS_H
#define ARRAY_INPUTS_H

#include "fmgr.h"

/*
 * ERROR (42P13) unless the function being called is declared with a
 * float8[] at argument argno (a superuser can declare one of our C symbols
 * again with other types; an integer read as an array would crash).  Once
 * per call site: the result is kept in fn_extra, which must be otherwise
 * unused.
 */
extern void sl_check_array_arg(FunctionCallInfo fcinfo, const char *fn, int argno);

/*
 * The elements of the inputs array of one row into x (room for max_k).
 * Returns the number of elements k, or 0 when the row is to be skipped
 * (the array has a NULL element).  ERROR (2202E) unless the array is
 * one-dimensional with 1 to max_k elements (arg names it in messages).
 * The values themselves are not checked: callers apply their own rule.
 */
extern int	sl_array_inputs(const char *fn, const char *arg, Datum array, int max_k, double *x);

/* ERROR (22023): rows of one group with k1 and k2 inputs (in either order) */
extern void sl_array_length_mismatch(const char *fn, const char *arg, int k1, int k2) pg_attribute_noreturn();

#endif
