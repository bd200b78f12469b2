/*
 * std_errors.c -- standard errors from the R factor of the Jacobian (see
 * std_errors.h).  Each row enters R by Givens rotations (backward stable,
 * deterministic: the rows come in the points' sorted order); the
 * diagonal of R is then each column's distance from the span of those
 * before it, which the rank test reads.  The covariance is R^-1 R^-T:
 * its (i, j) entry is the dot product of rows i and j of R^-1, and the
 * standard errors are the square roots of its diagonal.
 */
#include <math.h>
#include <string.h>

#include "std_errors.h"

#define RR(i, j) rf->R[(i) * SL_SE_MAX_PARAMS + (j)]

void
sl_rfactor_init(SlRFactor *rf, int p)
{
	memset(rf, 0, sizeof(*rf));
	rf->p = p;
	rf->finite = true;
}

void
sl_rfactor_add_row(SlRFactor *rf, double *row)
{
	int			p = rf->p;

	for (int j = 0; j < p; j++)
	{
		if (!isfinite(row[j]))
		{
			rf->finite = false;
			return;
		}
		rf->ss[j] += row[j] * row[j];
	}
	for (int j = 0; j < p; j++)
	{
		double		r = RR(j, j),
					h,
					c,
					s;

		if (row[j] == 0)
			continue;
		/* hypot's care only where the squares could leave the double range */
		if (fabs(r) < 0x1p500 && fabs(row[j]) < 0x1p500 && fmax(fabs(r), fabs(row[j])) > 0x1p-500)
			h = sqrt(r * r + row[j] * row[j]);
		else
			h = hypot(r, row[j]);
		c = r / h;
		s = row[j] / h;
		RR(j, j) = h;
		for (int k = j + 1; k < p; k++)
		{
			double		t = c * RR(j, k) + s * row[k];

			row[k] = c * row[k] - s * RR(j, k);
			RR(j, k) = t;
		}
		row[j] = 0;
	}
}

bool
sl_rfactor_std_errors(const SlRFactor *rf, double sigma, double *se, double *cov)
{
	int			p = rf->p;
	double		X[SL_SE_MAX_PARAMS * SL_SE_MAX_PARAMS];	/* R^-1, upper triangle */

	if (!rf->finite)
		return false;
	for (int j = 0; j < p; j++)
		if (!(RR(j, j) > SL_SE_RANK_TOL * sqrt(rf->ss[j])))
			return false;
	/* R X = I, column by column, by back substitution */
	memset(X, 0, sizeof(double) * SL_SE_MAX_PARAMS * p);
	for (int c = 0; c < p; c++)
		for (int i = c; i >= 0; i--)
		{
			double		v = i == c ? 1.0 : 0.0;

			for (int k = i + 1; k <= c; k++)
				v -= RR(i, k) * X[k * SL_SE_MAX_PARAMS + c];
			X[i * SL_SE_MAX_PARAMS + c] = v / RR(i, i);
		}
	for (int i = 0; i < p; i++)
		/* rows i and j >= i of R^-1 are zero left of j: their dot runs from j */
		for (int j = i; j < (cov != NULL ? p : i + 1); j++)
		{
			double		s = 0;

			for (int c = j; c < p; c++)
				s += X[i * SL_SE_MAX_PARAMS + c] * X[j * SL_SE_MAX_PARAMS + c];
			if (j == i)
				se[i] = sigma * sqrt(s);
			/* (sigma s) sigma, not sigma^2 s: sigma^2 alone may overflow */
			if (cov != NULL)
				cov[i * p + j] = cov[j * p + i] = sigma * s * sigma;
		}
	return true;
}
