/*
 * lsq.h -- the small dense solves of the fits: the bound-constrained
 * least-squares problem on an R factor, and a pivoted elimination.
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

/*
 * true when c satisfies every constraint exactly and none is an equality
 * (an equality is left to lsq_constrained, which meets it to rounding);
 * active[i] (optional) says whether constraint i holds with equality
 */
extern bool lsq_feasible(const double *c, int n, const LinConstraint *cons,
						 int n_cons, bool *active);

/* solve the small dense system M x = r in place (n <= 16); false if singular */
extern bool small_solve(double *M, int n, double *r);

#endif
