/*
 * test_intervals.c -- what predict_interval is built from: Student's t
 * quantiles against a reference table (t_quantiles.h, from
 * gen_t_quantiles.py), the covariance of the R factor against a direct
 * inverse of J'J (LAPACKE), the log law's covariance against the same,
 * the power law's against its standard errors, and the data ranges of
 * the fits' inputs.
 */
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fit_points.h"
#include "log_law.h"
#include "point_set.h"
#include "power_law.h"
#include "std_errors.h"
#include "student_t.h"
#include "test_util.h"

#include "t_quantiles.h"

static const SlAlloc *AL = &sl_malloc_alloc;
static uint64_t rng = 20240610;

static void
test_t_quantiles(void)
{
	int			n = (int) (sizeof(t_quantiles) / sizeof(t_quantiles[0])),
				bad = 0;
	double		worst = 0,
				wl = 0,
				wd = 0;

	for (int i = 0; i < n; i++)
	{
		double		t = sl_t_quantile_two_sided(t_quantiles[i][0], t_quantiles[i][1]),
					e = fabs(t - t_quantiles[i][2]) / t_quantiles[i][2];

		if (!(e <= 1e-10))
			bad++;
		if (!(e <= worst))
		{
			worst = e;
			wl = t_quantiles[i][0];
			wd = t_quantiles[i][1];
		}
	}
	CHECK(bad == 0, "t quantiles: %d reference values (df 1 to 1e15, levels 1e-10 to 1 - 1e-12) "
		  "within 1e-10 relative; worst %.2g at level %.17g, df %g", n, worst, wl, wd);
	CHECK(sl_t_quantile_two_sided(0.95, 1) == sl_t_quantile_two_sided(0.95, 1) &&
		  fabs(sl_t_quantile_two_sided(0.5, 1) - 1.0) < 1e-15,
		  "t quantiles: df 1 is the Cauchy distribution, t(0.5) = tan(pi/4) = 1");
	CHECK(isnan(sl_t_quantile_two_sided(0, 5)) && isnan(sl_t_quantile_two_sided(1, 5)) &&
		  isnan(sl_t_quantile_two_sided(NAN, 5)) && isnan(sl_t_quantile_two_sided(-0.5, 5)) &&
		  isnan(sl_t_quantile_two_sided(0.95, 0)) && isnan(sl_t_quantile_two_sided(0.95, 0.5)) &&
		  isnan(sl_t_quantile_two_sided(0.95, NAN)),
		  "t quantiles: NaN for a level outside (0, 1) or df below 1");
	{
		/* the two probabilities, each without the other's cancellation */
		double		level = 1 - 1e-12,
					out,
					in = sl_t_prob_within(sl_t_quantile_two_sided(level, 30), 30, &out);

		CHECK(fabs(out - (1 - level)) < 1e-12 * 1e-12 && fabs(in - level) < 1e-16,
			  "t probabilities: outside 1 - level (about 1e-12) to 1e-12 of itself (%.17g)", out);
	}
	{
		double		prev = 0;
		bool		increasing = true;

		/* monotone across the switch to the asymptotic expansion */
		for (double df = SL_T_ASYMPTOTIC_DF - 50; df <= SL_T_ASYMPTOTIC_DF + 50; df += 1)
		{
			double		t = sl_t_quantile_two_sided(0.95, df);

			if (prev != 0 && !(t <= prev))
				increasing = false;
			prev = t;
		}
		CHECK(increasing, "t quantiles: decrease with df across df = %g", SL_T_ASYMPTOTIC_DF);
	}
}

/* (J'J)^-1 by LAPACKE Cholesky, p x p row major; false if not positive definite */
static bool
direct_inverse(const double *J, int m, int p, double *inv)
{
	for (int i = 0; i < p; i++)
		for (int j = 0; j < p; j++)
		{
			double		s = 0;

			for (int r = 0; r < m; r++)
				s += J[r * p + i] * J[r * p + j];
			inv[i * p + j] = s;
		}
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', p, inv, p) != 0 ||
		LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', p, inv, p) != 0)
		return false;
	for (int i = 0; i < p; i++)
		for (int j = 0; j < i; j++)
			inv[i * p + j] = inv[j * p + i];
	return true;
}

static void
test_rfactor_covariance(void)
{
	double		worst = 0;
	bool		symmetric = true,
				diag = true,
				same_se = true;

	for (int trial = 0; trial < 200; trial++)
	{
		int			p = 1 + (int) (tu_splitmix(&rng) % 7),
					m = p + 1 + (int) (tu_splitmix(&rng) % 40);
		double	   *J = malloc(sizeof(double) * (size_t) m * (size_t) p);
		double		inv[64],
					se[8],
					se2[8],
					cov[64],
					row[8],
					sigma = tu_unif(&rng, 0.01, 3);
		SlRFactor	rf;

		for (int i = 0; i < m * p; i++)
			J[i] = tu_unif(&rng, -1, 1) * (1 + (i % p));
		sl_rfactor_init(&rf, p);
		for (int r = 0; r < m; r++)
		{
			memcpy(row, &J[r * p], sizeof(double) * (size_t) p);
			sl_rfactor_add_row(&rf, row);
		}
		if (!direct_inverse(J, m, p, inv) || !sl_rfactor_std_errors(&rf, sigma, se, cov) ||
			!sl_rfactor_std_errors(&rf, sigma, se2, NULL))
		{
			free(J);
			continue;
		}
		for (int i = 0; i < p; i++)
		{
			if (se[i] != se2[i])
				same_se = false;
			if (fabs(cov[i * p + i] - se[i] * se[i]) > 1e-14 * cov[i * p + i])
				diag = false;
			for (int j = 0; j < p; j++)
			{
				double		ref = sigma * sigma * inv[i * p + j],
							e = fabs(cov[i * p + j] - ref) /
					(sigma * sigma * sqrt(inv[i * p + i] * inv[j * p + j]));

				if (cov[i * p + j] != cov[j * p + i])
					symmetric = false;
				if (!(e <= worst))
					worst = e;
			}
		}
		free(J);
	}
	CHECK(worst < 1e-12, "covariance: sigma^2 (J'J)^-1 of 200 random J equals LAPACKE's inverse "
		  "(worst %.2g of sqrt(c_ii c_jj))", worst);
	CHECK(symmetric && diag && same_se,
		  "covariance: exactly symmetric, its diagonal se^2, se the same bits with and without it");
}

static void
test_log_law_covariance(void)
{
	double		worst = 0;
	bool		held_ok = true;

	for (int trial = 0; trial < 50; trial++)
	{
		int			k = 1 + trial % 2,
					m = 6 + trial % 17,
					p = k + 1;
		LogStats	st;
		LogLawSpec	spec;
		LogLawFit	fit;
		double		J[40 * 3],
					inv[9];

		ls_init(&st, k);
		for (int r = 0; r < m; r++)
		{
			double		x[2] = {exp(tu_unif(&rng, 5, 20)), exp(tu_unif(&rng, 0, 4))},
						y = 3 - 0.1 * log(x[0]) + 0.02 * log(x[1]) + tu_unif(&rng, -0.01, 0.01);

			ls_add(&st, x, y, AL);
			J[r * p] = 1;
			for (int j = 0; j < k; j++)
				J[r * p + 1 + j] = log(x[j]);
		}
		log_law_default_spec(&spec, k);
		if (trial % 5 == 4)
		{
			/* the intercept held: covariance of the slopes alone, from uncentred moments */
			spec.lo[0] = spec.hi[0] = 2.5;
		}
		if (log_law_fit(&st, &spec, &fit) != FIT_OK)
		{
			held_ok = false;
			ls_free(&st, AL);
			continue;
		}
		{
			double		sigma2 = fit.rss / (double) (m - (fit.at_bound[0] ? k : p));
			int			off = fit.at_bound[0] ? 1 : 0,
						q = p - off;
			double		Jq[40 * 3];

			for (int r = 0; r < m; r++)
				for (int j = 0; j < q; j++)
					Jq[r * q + j] = J[r * p + j + off];
			if (!direct_inverse(Jq, m, q, inv))
				held_ok = false;
			for (int i = 0; i < q; i++)
				for (int j = 0; j < q; j++)
				{
					double		c = fit.cov[(i + off) * p + j + off],
								ref = sigma2 * inv[i * q + j],
								e = fabs(c - ref) / (sigma2 * sqrt(inv[i * q + i] * inv[j * q + j]));

					if (!(e <= worst))
						worst = e;
				}
			if (off && !(isnan(fit.cov[0]) && isnan(fit.cov[1]) && isnan(fit.cov[p])))
				held_ok = false;
		}
		ls_free(&st, AL);
	}
	CHECK(worst < 1e-9 && held_ok,
		  "log law: covariance equals sigma^2 (J'J)^-1 by LAPACKE on 50 fits, a held intercept "
		  "has none (worst %.2g)", worst);
}

static void
test_power_law_covariance(void)
{
	PointSet	ps;
	SortedPoints sp;
	PowerLawSpec spec;
	PowerLawFit fit;
	double		se[7],
				cov[49];
	bool		ok = true;

	ps_init(&ps, 2);
	for (int i = 0; i < 30; i++)
	{
		double		x[2] = {1e7 * pow(1.6, i % 10), 1e9 * pow(2.1, i / 10 + (i % 3))},
					y = 1.7 + 400 * pow(x[0], -0.34) + 900 * pow(x[1], -0.28) + 0.01 * sin(3.0 * i);

		ps_add(&ps, x, y, AL);
	}
	ps_sorted(&ps, &sp, AL);
	power_law_default_spec(&spec, 2);
	if (power_law_fit(&sp, &spec, AL, &fit) != FIT_OK)
		ok = false;
	power_law_std_errors(&sp, &fit, AL, se, cov);
	for (int c = 0; c < 5; c++)
		for (int d = 0; d < 5; d++)
		{
			if (isnan(se[c]) != isnan(cov[c * 5 + d]) && !isnan(se[d]))
				ok = false;
			if (cov[c * 5 + d] != cov[d * 5 + c] && !isnan(cov[c * 5 + d]))
				ok = false;
		}
	for (int c = 0; c < 5; c++)
		if (!isnan(se[c]) && fabs(cov[c * 5 + c] - se[c] * se[c]) > 1e-13 * cov[c * 5 + c])
			ok = false;
	CHECK(ok && !isnan(se[0]) && !isnan(se[2]),
		  "power law: covariance symmetric, its diagonal the standard errors squared "
		  "(alpha %.4f, beta %.4f, se %g %g %g %g %g)", fit.expo[0], fit.expo[1], se[0], se[1], se[2], se[3], se[4]);
	{
		double		lo[2],
					hi[2];

		sp_input_range(&sp, lo, hi, AL);
		CHECK(lo[0] == 1e7 && hi[0] == 1e7 * pow(1.6, 9) && lo[1] == 1e9 && hi[1] == 1e9 * pow(2.1, 4),
			  "point set: data range of each input");
	}
	ps_sorted_free(&sp, AL);
	ps_free(&ps, AL);
}

static void
test_log_law_range(void)
{
	LogStats	a,
				b,
				all,
				back;
	double		lo = INFINITY,
				hi = -INFINITY;
	bool		ok = true;

	ls_init(&a, 1);
	ls_init(&b, 1);
	ls_init(&all, 1);
	CHECK(a.x_min[0] == INFINITY && a.x_max[0] == -INFINITY, "log law: no rows, empty range");
	for (int i = 0; i < 40; i++)
	{
		double		x = exp(tu_unif(&rng, -30, 30)),
					y = tu_unif(&rng, 0, 1);

		ls_add(i % 3 ? &a : &b, &x, y, AL);
		ls_add(&all, &x, y, AL);
		lo = fmin(lo, x);
		hi = fmax(hi, x);
	}
	ls_merge(&b, &a, AL);
	ok = b.x_min[0] == lo && b.x_max[0] == hi && all.x_min[0] == lo && all.x_max[0] == hi;
	{
		size_t		len = ls_serial_size(&b);
		unsigned char *buf = malloc(len);

		ls_serialize(&b, buf);
		ok = ok && ls_deserialize(&back, buf, len, AL) == 0 && back.x_min[0] == lo && back.x_max[0] == hi;
		ls_free(&back, AL);
		/* a range that rows cannot give is refused */
		memcpy(buf + 16, &hi, 8);
		memcpy(buf + 24, &lo, 8);
		ok = ok && ls_deserialize(&back, buf, len, AL) == 1;
		ls_free(&back, AL);
		free(buf);
	}
	CHECK(ok, "log law: data range exact through merges and the state's bytes; min > max refused");
	ls_free(&a, AL);
	ls_free(&b, AL);
	ls_free(&all, AL);
}

void
test_intervals(void)
{
	test_t_quantiles();
	test_rfactor_covariance();
	test_log_law_covariance();
	test_power_law_covariance();
	test_log_law_range();
}
