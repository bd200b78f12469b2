/*
 * lsq.h -- linear least squares: the LAPACKE solve used for every fixed set
 * of exponents, and the small bound-constrained problem on its R factor.
 */
#ifndef LSQ_H
#define LSQ_H

#include <stdbool.h>

#define LSQ_MAX_COLS 4
#define LSQ_MAX_ROWS 8			/* linear constraints */

/* one linear constraint lo <= g . c <= hi (lo == hi for an equality) */
typedef struct LinConstraint
{
	double		g[LSQ_MAX_COLS];
	double		lo;
	double		hi;
} LinConstraint;

/*
 * Weighted least squares min ||A c - b|| by LAPACKE_dgels (QR), A column
 * major m x n (destroyed: R is left in its upper triangle), b of length m
 * (destroyed: c in b[0..n), the residual part below).  work has lwork
 * doubles (lsq_work_size).  Returns false when A is numerically rank
 * deficient.  *rss gets the residual sum of squares.
 */
extern int	lsq_work_size(int m, int n);
extern bool lsq_solve(double *A, int m, int n, const double *col_norm,
					  double *b, double *work, int lwork, double *c, double *rss);

/*
 * Given R (n x n upper triangle, column major with leading dimension lda)
 * and the unconstrained solution c_unc, find c minimising
 * ||R (c - c_unc)||^2 subject to the constraints.  Exact: enumerates the
 * active sets (n <= 4, at most LSQ_MAX_ROWS constraints).  Returns false if
 * no feasible point exists.  *extra gets the added squared residual;
 * active[i] says whether constraint i holds with equality at the answer.
 */
extern bool lsq_constrained(const double *R, int lda, int n, const double *c_unc,
							const LinConstraint *cons, int n_cons,
							double *c, double *extra, bool *active);

/* true when c satisfies every constraint (relative tolerance) */
extern bool lsq_feasible(const double *c, int n, const LinConstraint *cons,
						 int n_cons, bool *active);

/* solve the small dense system M x = r in place (n <= 16); false if singular */
extern bool small_solve(double *M, int n, double *r);

#endif
