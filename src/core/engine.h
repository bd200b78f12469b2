/*
 * engine.h -- the law-agnostic fitting engine: variable projection with a
 * global search over the nonlinear parameters.
 *
 * Fits y ~ sum_m c_m G_m(theta) + g0(theta) over m weighted points: w_i
 * rows at a point, y_i their mean, minimising sum_i w_i (y_i - f_i)^2.  A
 * model (SlModel) supplies the columns G_m, the offset g0 and their exact
 * partials in theta; the engine knows nothing of any particular law.  The
 * linear unknowns c are eliminated by bounded linear least squares (bvls.h)
 * at every theta, and only theta (0..SL_ENGINE_MAX_NL parameters) is
 * searched, globally and without start values: a dense grid (1-3
 * parameters) or Sobol points (4-8) in the model's search coordinates,
 * bounded Levenberg-Marquardt with Kaufman's Jacobian from many distinct
 * grid minima, then dense re-scans of each parameter (and of the others of
 * its column coarsely) with the rest fixed, polished again.  Deterministic:
 * the same input gives the same bits.
 *
 * Differences from the interface first specified (prompt_engine.md):
 *  - SlEngineStatus gains SL_ENGINE_INVALID: a model or points the engine
 *    cannot accept (sizes out of range, a scale <= 0 or a search box not
 *    finite, a NaN bound, a weight <= 0, a y not finite).  These are the
 *    adapter's bugs, not properties of the data.  Bounds with lo > hi (or
 *    lo = +inf, hi = -inf) are SL_ENGINE_INFEASIBLE.
 *  - SL_ENGINE_UNDETERMINED also covers an optimum whose coefficients do
 *    not fit in a double once y's scale is undone (such theta are
 *    inadmissible to the search, so this needs every theta to be so).
 *  - SlEngineResult gains lin_dependent[] (which columns were dependent,
 *    with rank_deficient their disjunction) and nl_at_cap[]: a nonlinear
 *    parameter that ended on the Levenberg-Marquardt cap
 *    (SL_ENGINE_U_MARGIN beyond the search box where no hard bound is
 *    nearer): the optimum is not attained in the box, converged is then
 *    false.
 *  - The QR under the bounded linear solve is the project's own
 *    Householder code, not LAPACKE's (see bvls.h for why).
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stdbool.h>

#include "sl_alloc.h"

#define SL_ENGINE_MAX_NL 8
#define SL_ENGINE_MAX_COLS 32
#define SL_ENGINE_MAX_OPTIMA 2
/* how far (in u) Levenberg-Marquardt may leave the search box without a hard bound */
#define SL_ENGINE_U_MARGIN 6.0

typedef struct SlModel
{
	int			n_cols;			/* M linear unknowns, 0..SL_ENGINE_MAX_COLS */
	int			n_nl;			/* q nonlinear parameters, 0..SL_ENGINE_MAX_NL */
	bool		has_offset;		/* g0 present (else g0 = 0 and columns may leave it alone) */
	void	   *ctx;

	/*
	 * Columns at theta for all m points: G column major m x M (G[c*m + i]),
	 * g0[i]; when dG != NULL also dG[(j*M + c)*m + i] = dG_c(x_i)/dtheta_j
	 * and dg0[j*m + i].  Returns false when any value or partial is not
	 * finite: theta is inadmissible (treated as infinite RSS).  Called with
	 * the same theta, it must return the same bits.
	 */
	bool		(*columns) (void *ctx, const double *theta, double *G, double *g0,
							double *dG, double *dg0);

	/*
	 * Search coordinates: theta_j = centre[j] + scale[j] * sinh(u_j), u_j
	 * searched in [u_lo[j], u_hi[j]] (a soft box for the global search
	 * only; Levenberg-Marquardt may go SL_ENGINE_U_MARGIN beyond it).
	 * scale > 0, all finite.
	 */
	double		centre[SL_ENGINE_MAX_NL],
				scale[SL_ENGINE_MAX_NL],
				u_lo[SL_ENGINE_MAX_NL],
				u_hi[SL_ENGINE_MAX_NL];
	/* hard bounds (may be +-inf): on theta, and on each column's unknown */
	double		nl_lo[SL_ENGINE_MAX_NL],
				nl_hi[SL_ENGINE_MAX_NL];
	double		col_lo[SL_ENGINE_MAX_COLS],
				col_hi[SL_ENGINE_MAX_COLS];
} SlModel;

typedef struct SlEnginePoints
{
	int			m;
	const double *w;			/* rows at each point, > 0 */
	const double *y;			/* their mean y */
	double		ss_within;		/* sum of squares of the rows about their points' means */
} SlEnginePoints;

typedef enum SlEngineStatus
{
	SL_ENGINE_OK = 0,
	SL_ENGINE_UNDETERMINED,		/* fewer points than unknowns, or no admissible theta */
	SL_ENGINE_INFEASIBLE,		/* a hard bound with lo > hi: no admissible value */
	SL_ENGINE_NO_MEMORY,
	SL_ENGINE_INVALID			/* a model or points out of the ranges above */
} SlEngineStatus;

typedef struct SlEngineResult
{
	double		theta[SL_ENGINE_MAX_NL];
	double		coef[SL_ENGINE_MAX_COLS];
	double		rss;			/* sum w (y - f)^2 + ss_within */
	bool		converged;		/* the polish of the best point met the stopping rule */
	int			iterations;		/* Levenberg-Marquardt iterations of its final polish */
	bool		nl_at_bound[SL_ENGINE_MAX_NL];	/* theta_j equals a finite hard bound */
	bool		nl_at_cap[SL_ENGINE_MAX_NL];	/* on the search cap: not attained */
	bool		col_at_bound[SL_ENGINE_MAX_COLS];	/* coef equals a finite bound */
	bool		col_dependent[SL_ENGINE_MAX_COLS];	/* in the others' span: coef 0 */
	bool		rank_deficient; /* the columns at the optimum are (numerically) dependent */
	int			n_evals;		/* column evaluations */
	/* the best distinct optima the polishes reached, best first (theta) */
	int			n_optima;
	double		optima[SL_ENGINE_MAX_OPTIMA][SL_ENGINE_MAX_NL];
} SlEngineResult;

typedef struct SlEngineOptions
{
	int			effort;			/* 1 = default; larger: denser grids, more polishes */

	/*
	 * n_starts > 0: polish these points (theta, within the hard bounds)
	 * alone instead of searching, as after a search on a subsample.
	 */
	int			n_starts;
	double		starts[SL_ENGINE_MAX_OPTIMA][SL_ENGINE_MAX_NL];
} SlEngineOptions;

/*
 * Fits pts with model.  opt may be NULL (effort 1).  Every coef and theta
 * returned lies within its hard bounds exactly.  Interrupts through al's
 * hook in every loop over points, grid points and iterations.
 */
extern SlEngineStatus sl_engine_fit(const SlEnginePoints *pts, const SlModel *model,
									const SlEngineOptions *opt, const SlAlloc *al,
									SlEngineResult *out);

#endif
