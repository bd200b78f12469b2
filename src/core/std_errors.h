/*
 * std_errors.h -- standard errors of least-squares estimates from the
 * Jacobian of the predictions at the optimum: cov = sigma^2 (J'J)^-1,
 * through the R factor of J, accumulated one row at a time (Givens
 * rotations), so a fit of millions of points needs no m x p matrix.
 */
#ifndef STD_ERRORS_H
#define STD_ERRORS_H

#include <stdbool.h>

#define SL_SE_MAX_PARAMS 32

typedef struct SlRFactor
{
	int			p;
	double		R[SL_SE_MAX_PARAMS * SL_SE_MAX_PARAMS];	/* upper triangle, row major */
	double		ss[SL_SE_MAX_PARAMS];	/* sum of squares of each column */
	bool		finite;			/* every row added was finite */
} SlRFactor;

extern void sl_rfactor_init(SlRFactor *rf, int p);
/* adds one row of J (p values; row is overwritten) */
extern void sl_rfactor_add_row(SlRFactor *rf, double *row);

/*
 * se[j] = sigma * sqrt(((J'J)^-1)_jj) for the rows added, and, unless cov
 * is NULL, the covariance cov[i * p + j] = sigma^2 ((J'J)^-1)_ij (p x p,
 * symmetric; its diagonal is se squared).  false (se, cov untouched) when
 * a row was not finite or a column of J lies within SL_SE_RANK_TOL of its
 * own norm of the span of the columns before it: the parameters are then
 * not separately determined.
 */
#define SL_SE_RANK_TOL 1e-10
extern bool sl_rfactor_std_errors(const SlRFactor *rf, double sigma, double *se, double *cov);

#endif
