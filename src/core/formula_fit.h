/*
 * formula_fit.h -- a formula law (formula.h) fitted to sorted points by the
 * engine (engine.h): the model the engine sees, the search coordinates of
 * each nonlinear parameter taken from the role it plays next to the data,
 * and the result in the user's parameters.
 */
#ifndef FORMULA_FIT_H
#define FORMULA_FIT_H

#include <stdbool.h>
#include <stdint.h>

#include "formula.h"
#include "point_set.h"
#include "sl_alloc.h"

typedef struct FormulaSpec
{
	/* per parameter, in the formula's order; +-inf when unbounded */
	double		lo[SLF_MAX_PARAMS];
	double		hi[SLF_MAX_PARAMS];
	/* the box of the global search per parameter; NaN: from the data */
	double		search_lo[SLF_MAX_PARAMS];
	double		search_hi[SLF_MAX_PARAMS];
	int			effort;			/* 1 = default */
} FormulaSpec;

typedef enum FormulaStatus
{
	FF_OK = 0,
	FF_TOO_FEW_POINTS,			/* fewer distinct points (fail_count) than unknowns (fail_need) */
	FF_UNDETERMINED,			/* no admissible value of the searched parameters */
	FF_INFEASIBLE,				/* the bounds admit no value of the law */
	FF_OVERFLOW,				/* parameter fail_param (-1: rmse) does not fit in a double */
	FF_NOT_FINITE,				/* an input-only expression is not finite at a point (err) */
	FF_NO_MEMORY,
	FF_INVALID					/* the model given to the engine was out of range (a bug) */
} FormulaStatus;

typedef struct FormulaFit
{
	int			n_params;
	double		params[SLF_MAX_PARAMS]; /* NaN: not determined (listed in at_bound) */
	bool		at_bound[SLF_MAX_PARAMS];
	/* sigma sqrt(((J'J)^-1)_pp), sigma^2 = RSS / (n - free); NaN where not estimated */
	double		std_err[SLF_MAX_PARAMS];
	/* sigma^2 ((J'J)^-1)_pq at [p * n_params + q]; NaN where std_err[p] or [q] is */
	double		cov[SLF_MAX_PARAMS * SLF_MAX_PARAMS];
	int64_t		n;				/* rows */
	double		rss;
	double		r2;				/* NaN when y has no variance */
	double		rmse;
	bool		converged;
	int			iterations;		/* Levenberg-Marquardt iterations of the final polish */
	/*
	 * Why a parameter is in at_bound: at_limit, its terms diverge toward a
	 * limit only approached (the law of that limit is fitted); at_cap, it
	 * ended on the search's reach, the optimum not attained; else on a
	 * bound, or not determined (NaN).
	 */
	bool		at_limit[SLF_MAX_PARAMS];
	bool		at_cap[SLF_MAX_PARAMS];
	/* what a status other than FF_OK is about */
	int			fail_param;
	int			fail_count;
	int			fail_need;
} FormulaFit;

extern void formula_default_spec(FormulaSpec *spec);

/*
 * Which parameter a bound can hold: a nonlinear parameter or a linear one
 * that is a whole column's unknown.  false for a parameter solved as a
 * product with another (b2 in b1*(x^2 + b2*x)).
 */
extern bool formula_param_boundable(const SlFormula *f, int p);
/* whether parameter p is searched (nonlinear) rather than solved */
extern bool formula_param_searched(const SlFormula *f, int p);

/*
 * Fits pts (k = slf_n_inputs(f)).  Every parameter returned lies within
 * its bounds.  FF_NOT_FINITE fills err.  Interrupts through al's hook.
 */
extern FormulaStatus formula_fit(const SlFormula *f, const SortedPoints *pts,
								 const FormulaSpec *spec, const SlAlloc *al,
								 FormulaFit *out, SlfError *err);

#endif
