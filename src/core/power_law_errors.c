/*
 * power_law_errors.c -- the standard errors of a power-law fit
 * (power_law.h), from the points it was fitted to: sigma^2 (J'J)^-1 over
 * the coefficients not in at_bound, J the derivatives of the law at each
 * point (std_errors.h), and their covariance.  A term at the logarithmic limit (exponent 0) is
 * -coef ln x: its coefficient's column is -ln x, and its exponent is held.
 */
#include <math.h>

#include "power_law.h"
#include "std_errors.h"

void
power_law_gradient(const PowerLawFit *fit, int k, const double *x, double *grad)
{
	grad[0] = 1.0;
	for (int j = 0; j < k; j++)
	{
		double		lx = log(x[j]);

		if (fit->expo[j] == 0)
		{
			grad[1 + 2 * j] = -lx;
			grad[2 + 2 * j] = NAN;
		}
		else
		{
			double		t = exp(-fit->expo[j] * lx);

			grad[1 + 2 * j] = t;
			grad[2 + 2 * j] = -fit->coef[j] * t * lx;
		}
	}
}

void
power_law_std_errors(const SortedPoints *pts, const PowerLawFit *fit, const SlAlloc *al,
					 double *se, double *cov)
{
	int			k = pts->k,
				nc = 2 * k + 1,
				nf = 0;
	int			free_c[2 * SL_MAX_INPUTS + 1];
	double		value[2 * SL_MAX_INPUTS + 1],
				scale[2 * SL_MAX_INPUTS + 1],
				row[2 * SL_MAX_INPUTS + 1],
				out[2 * SL_MAX_INPUTS + 1],
				cov_f[(2 * SL_MAX_INPUTS + 1) * (2 * SL_MAX_INPUTS + 1)];
	int			e = pts->y_exp;
	SlRFactor	rf;

	value[0] = fit->l_inf;
	for (int j = 0; j < k; j++)
	{
		value[1 + 2 * j] = fit->coef[j];
		value[2 + 2 * j] = fit->expo[j];
	}
	for (int c = 0; c < nc; c++)
	{
		se[c] = NAN;
		for (int d = 0; cov != NULL && d < nc; d++)
			cov[c * nc + d] = NAN;
		/* an exponent of 0 is the log limit, held there */
		if (!fit->at_bound[c] && isfinite(value[c]) && !(c > 0 && c % 2 == 0 && value[c] == 0))
			free_c[nf++] = c;
	}
	if (nf == 0 || pts->n_rows <= nf)
		return;
	for (int f = 0; f < nf; f++)
		scale[f] = value[free_c[f]] != 0 ? fabs(value[free_c[f]]) : 1.0;
	sl_rfactor_init(&rf, nf);
	for (int32_t i = 0; i < pts->m; i++)
	{
		double		sw = ldexp(sqrt(pts->w[i]), -e);
		double		grad[2 * SL_MAX_INPUTS + 1];

		sl_check_interrupts_every(al, (uint64_t) i);
		power_law_gradient(fit, k, &pts->x[(size_t) i * k], grad);
		for (int f = 0; f < nf; f++)
			row[f] = grad[free_c[f]] * sw * scale[f];
		sl_rfactor_add_row(&rf, row);
	}
	/* sigma in y scaled by 2^-e, from rmse (RSS itself may overflow) */
	if (sl_rfactor_std_errors(&rf, ldexp(fit->rmse, -e) * sqrt((double) pts->n_rows /
																(double) (pts->n_rows - nf)),
							  out, cov_f))
		for (int f = 0; f < nf; f++)
		{
			se[free_c[f]] = out[f] * scale[f];
			/* one product for both triangles: exactly symmetric */
			for (int g = f; cov != NULL && g < nf; g++)
				cov[free_c[f] * nc + free_c[g]] = cov[free_c[g] * nc + free_c[f]] =
					cov_f[f * nf + g] * scale[f] * scale[g];
		}
}
