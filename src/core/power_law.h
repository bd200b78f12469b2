/*
 * power_law.h -- the saturating power laws in one to three inputs,
 *   y = l_inf + a x1^-alpha [+ b x2^-beta [+ c x3^-gamma]],
 * fitted by variable projection (see varpro.c), and their evaluation.
 *
 * An exponent of exactly 0 stands for the logarithmic limit of its term:
 * as alpha -> 0 with a * alpha fixed, l_inf + a x^-alpha tends to a law in
 * ln x, and the fit reports that limit as alpha = 0 with the term -a ln x.
 */
#ifndef POWER_LAW_H
#define POWER_LAW_H

#include <stdbool.h>
#include <stdint.h>

#include "point_set.h"
#include "sl_alloc.h"

typedef struct PowerLawSpec
{
	int			k;				/* inputs, 1..3 */
	double		exp_lo[SL_MAX_INPUTS];	/* exponent domain (default [0, inf)) */
	double		exp_hi[SL_MAX_INPUTS];
	double		lin_lo[SL_MAX_INPUTS + 1];	/* l_inf, a, b, c (default free) */
	double		lin_hi[SL_MAX_INPUTS + 1];
} PowerLawSpec;

/*
 * Why a fit failed (or FIT_OK).  The reasons name what the user can change;
 * PowerLawFit's fail_input and fail_count say which input or coefficient
 * and how many values it has, where the reason has them.
 */
typedef enum FitStatus
{
	FIT_OK = 0,
	FIT_TOO_FEW_POINTS,			/* fewer distinct points than coefficients (fail_count: m) */
	FIT_FEW_VALUES,				/* input fail_input has fail_count distinct values of ln x,
								 * fewer than the law needs */
	FIT_LOG_SPREAD,				/* input fail_input's logs spread no further than their rounding */
	FIT_COLLINEAR,				/* input fail_input's log is an affine function of the others' */
	FIT_INFEASIBLE,				/* exponent of input fail_input: its bounds lie wholly where
								 * its term leaves the double range (-1: other bounds) */
	FIT_UNDETERMINED,			/* no point of the search is admissible */
	FIT_OVERFLOW,				/* coefficient fail_input (at_bound's order; -1: rmse) does
								 * not fit in a double, or its term leaves the double range */
	FIT_NO_MEMORY
} FitStatus;

/*
 * Identifiability thresholds shared by the laws: the spread of ln x must
 * exceed its rounding (about eps (1 + |ln x|)) by 2^20, and a log input's
 * residual against the others' span (relative) must exceed this.
 */
#define SL_LOG_SPREAD_MIN (0x1p20 * 0x1p-52)
#define SL_COLLINEAR_TOL 1e-7
/*
 * ln of the normal double range, and the |ln x^-p| up to which a power is a
 * normal double (exp(+-708) is)
 */
#define SL_LOG_DBL_MIN (-708.39641853226410)	/* ln DBL_MIN */
#define SL_LOG_DBL_MAX 709.78271289338397	/* ln DBL_MAX */
#define SL_LOG_POWER_MAX 708.0

typedef struct PowerLawFit
{
	double		l_inf;
	double		coef[SL_MAX_INPUTS];	/* a, b, c */
	double		expo[SL_MAX_INPUTS];	/* alpha, beta, gamma */
	int64_t		n;				/* rows */
	double		rss;			/* over all rows (may overflow for huge y: rmse is exact) */
	double		r2;				/* NaN when y has no variance */
	double		rmse;
	bool		at_bound[2 * SL_MAX_INPUTS + 1];	/* l_inf, a, alpha, b, beta, ... */
	/* the Levenberg-Marquardt polish that produced the answer */
	int			iterations;
	bool		converged;		/* it met its stopping rule */
	/* what a status other than FIT_OK is about (see FitStatus) */
	int			fail_input;
	int			fail_count;
} PowerLawFit;

extern void power_law_default_spec(PowerLawSpec *spec, int k);
/*
 * se[c] for the coefficients in at_bound's order (l_inf, a, alpha, b, ...):
 * sigma sqrt(((J'J)^-1)_cc) over those not in at_bound, sigma^2 = RSS /
 * (n - free), from pts (the points fit was fitted to); NaN for the others,
 * and for all when n <= free or J's columns are not independent.  Unless
 * cov is NULL, cov[c * (2k + 1) + d] = sigma^2 ((J'J)^-1)_cd, NaN where
 * se[c] or se[d] is.
 */
extern void power_law_std_errors(const SortedPoints *pts, const PowerLawFit *fit,
								 const SlAlloc *al, double *se, double *cov);
/*
 * Fits pts.  Bounds hold exactly: every coefficient returned lies within
 * its bounds.  When the points cannot identify the law: FIT_TOO_FEW_POINTS,
 * FIT_FEW_VALUES (an input with fewer than three distinct values of ln x),
 * FIT_LOG_SPREAD (a spread of ln x within its rounding), FIT_COLLINEAR
 * (inputs whose logs are collinear); FIT_INFEASIBLE when an exponent's
 * bounds lie wholly where its term leaves the double range.  Interrupts
 * through al's hook.
 */
extern FitStatus power_law_fit(const SortedPoints *pts, const PowerLawSpec *spec,
							   const SlAlloc *al, PowerLawFit *out);
/* a x^-alpha, or -a ln x when alpha == 0 */
extern double power_term(double a, double alpha, double x);
extern double power_law_predict(const PowerLawFit *fit, int k, const double *x);
/*
 * The law's derivatives at x by l_inf, a, alpha, b, ... (at_bound's order)
 * into grad: 1, x^-alpha and -a x^-alpha ln x per term; at an exponent of
 * 0 (the log limit, term -a ln x) -ln x for a and NaN for the exponent,
 * on which the law there does not depend.
 */
extern void power_law_gradient(const PowerLawFit *fit, int k, const double *x, double *grad);

#endif
