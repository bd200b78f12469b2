/*
 * test_intervals.c -- what predict_interval is built from: Student's t
 * quantiles against a reference table (t_quantiles.h, from
 * gen_t_quantiles.py).
 */
#include <math.h>
#include <stdbool.h>

#include "student_t.h"
#include "test_util.h"

#include "t_quantiles.h"

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

void
test_intervals(void)
{
	test_t_quantiles();
}
