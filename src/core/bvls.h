/*
 * bvls.h -- bounded-variable linear least squares for the engine:
 *   minimise ||A x - b||^2 subject to lo <= x <= hi,
 * A an m x n matrix (n <= SL_BVLS_MAX_COLS), the bounds possibly infinite.
 *
 * Method: Stark and Parker's BVLS active-set iteration, run on the
 * triangular factor of a Householder QR with column pivoting of A whose
 * columns are first scaled to unit norm (conditioning by scaling: the
 * columns of a law can differ by 1e100 in size).  The QR is the project's
 * own rather than LAPACK's dgeqp3: it stops at the numerical rank (a
 * column within SL_BVLS_RANK_TOL of the span of those before it is
 * dependent), checks for interrupts between columns, and takes its
 * memory from the caller, which dgeqp3's LAPACKE wrapper does not.
 *
 * A dependent column gets the coefficient nearest 0 its bounds allow
 * (0 when they contain it), never a large value; the solve says so.
 * Bounds hold exactly: a coefficient on a bound equals that bound, and
 * none lies outside.  The residual r = b - A x is computed from the
 * returned x directly, so its sum of squares has no cancellation.
 */
#ifndef BVLS_H
#define BVLS_H

#include <stdbool.h>

#include "sl_alloc.h"

#define SL_BVLS_MAX_COLS 32
/* distance of a unit column from the span of the others that makes it dependent */
#define SL_BVLS_RANK_TOL 1e-10

/* workspace and the factorisation of the last solve, for projections */
typedef struct SlBvls
{
	int			m_max;
	int			n_max;
	double	   *unit;			/* m x n: the columns of A scaled to unit norm */
	double	   *house;			/* m x n: Householder vectors of the factored columns */
	double		beta[SL_BVLS_MAX_COLS];	/* their factors 2 / |v|^2 */
	int			n_house;		/* reflectors in house */
	int			m;				/* rows of the last solve */
	const SlAlloc *al;
} SlBvls;

typedef struct SlBvlsInfo
{
	bool		at_bound[SL_BVLS_MAX_COLS];	/* x[j] equals a finite bound */
	bool		dependent[SL_BVLS_MAX_COLS];	/* column j in the others' span (or 0) */
	bool		rank_deficient; /* some column dependent */
	int			n_free;			/* independent columns strictly inside their bounds */
} SlBvlsInfo;

/* false when out of memory; m_max >= 1, 0 <= n_max <= SL_BVLS_MAX_COLS */
extern bool sl_bvls_init(SlBvls *ws, int m_max, int n_max, const SlAlloc *al);
extern void sl_bvls_free(SlBvls *ws);

/*
 * Solves the problem for A (m x n, column major, lda = m), b (m), bounds
 * lo, hi (n; lo <= hi, not NaN).  x (n) gets the solution, r (m) the
 * residual b - A x, info the active set.  Returns the residual sum of
 * squares, or INFINITY when A, b or the solution is not finite (nothing
 * else is then meaningful).  Afterwards sl_bvls_project projects onto the
 * orthogonal complement of the free columns' span.
 */
extern double sl_bvls_solve(SlBvls *ws, int m, int n, const double *A, const double *b,
							const double *lo, const double *hi, double *x, double *r,
							SlBvlsInfo *info);

/*
 * An unpivoted Householder QR of A (m x n) in place, for projections off
 * its span: a column within SL_BVLS_RANK_TOL of its own norm of the span
 * of those before it is skipped as dependent.  Reflector r (r < rank) is
 * stored in column cols[r] from row r, with its factor beta[r] (beta and
 * cols hold n).  Returns the rank, or -1 when A is not finite.
 */
extern int	sl_qr_factor(int m, int n, double *A, double *beta, int *cols, const SlAlloc *al);

/*
 * v (m) <- Q'v with its first rank entries zeroed: the component of v
 * off the span of A, in the QR's rotated coordinates (norms and dot
 * products of such vectors are those of the projections).
 */
extern void sl_qr_reduce(int m, const double *A, const double *beta, const int *cols, int rank,
						 double *v);

/*
 * The residual sum of squares of the unbounded problem alone, for ranking
 * the points of a scan: sl_qr_factor of A and the squares of Q'b below
 * the rank (A and b destroyed).  About a third of a bounded solve's work:
 * no scaled copy, no pivoting, no coefficients.  INFINITY when A or b is
 * not finite.  Leaves the factorisation of the last sl_bvls_solve alone.
 */
extern double sl_lsq_rss(int m, int n, double *A, double *b, const SlAlloc *al);

/*
 * v (m of the last solve) <- (I - Q Q') v, Q an orthonormal basis of the
 * columns free at the last solve (independent and strictly inside their
 * bounds): the projection of Kaufman's variable-projection Jacobian.
 */
extern void sl_bvls_project(const SlBvls *ws, double *v);

#endif
