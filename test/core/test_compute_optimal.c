/*
 * test_compute_optimal.c -- the compute-optimal allocation
 * (compute_optimal.h): the search over N agrees with the power law's
 * closed form to 1e-9, and no point of a brute-force grid of 1,000,001
 * values of N at the same budget has a lower loss; degenerate laws have no
 * minimum.
 */
#include <math.h>
#include <string.h>

#include "compute_optimal.h"
#include "test_util.h"

/* the power law with its analytic slope d L / d ln N along the budget */
static double
power_law_along(void *ctx, double n, double d, double *slope)
{
	const PowerLawFit *f = ctx;
	double		x[2] = {n, d};
	double		ta = f->expo[0] == 0 ? -f->coef[0] : -f->expo[0] * f->coef[0] * pow(n, -f->expo[0]);
	double		tb = f->expo[1] == 0 ? -f->coef[1] : -f->expo[1] * f->coef[1] * pow(d, -f->expo[1]);

	*slope = ta - tb;
	return power_law_predict(f, 2, x);
}

static double
rel(double a, double b)
{
	return fabs(a - b) / fmax(fabs(a), fabs(b));
}

void
test_compute_optimal(void)
{
	uint64_t	rng = 20261202;
	double		worst = 0;
	int			both = 0,
				agree = 0,
				brute_ok = 0,
				brute_n = 0;

	for (int c = 0; c < 1000; c++)
	{
		PowerLawFit f;
		CoAllocation closed,
					searched;
		bool		has_closed,
					has_searched;
		double		flops = exp(tu_unif(&rng, log(1e15), log(1e27)));

		memset(&f, 0, sizeof(f));
		f.l_inf = tu_unif(&rng, 0.5, 3);
		f.coef[0] = exp(tu_unif(&rng, log(1e-2), log(1e4)));
		f.coef[1] = exp(tu_unif(&rng, log(1e-2), log(1e4)));
		f.expo[0] = c % 10 == 0 ? 0 : tu_unif(&rng, 0.05, 0.8);	/* some at the log limit */
		f.expo[1] = tu_unif(&rng, 0.05, 0.8);
		has_closed = co_power_law2(&f, flops, &closed);
		has_searched = co_minimise(power_law_along, &f, flops, &searched);
		if (has_closed != has_searched)
			continue;
		both++;
		if (has_closed)
		{
			double		e = fmax(rel(closed.n, searched.n),
								 fmax(rel(closed.d, searched.d), rel(closed.loss, searched.loss)));

			worst = fmax(worst, e);
			agree += e <= 1e-9;
			if (c % 10 == 1)
			{
				/* brute force: the loss at 1,000,001 values of ln N */
				double		T = log(flops / 6),
							best = INFINITY;

				for (int i = 0; i <= 1000000; i++)
				{
					double		t = T * i / 1000000.0,
								x[2] = {exp(t), exp(T - t)};

					best = fmin(best, power_law_predict(&f, 2, x));
				}
				brute_n++;
				brute_ok += searched.loss <= best * (1 + 1e-15);
			}
		}
		else
			agree++;
	}
	CHECK(both == 1000, "closed form and search agree on whether a minimum exists: %d of 1000", both);
	CHECK(agree == 1000, "N, D and loss agree to 1e-9: %d of 1000 (worst %.2e)", agree, worst);
	CHECK(brute_n > 50 && brute_ok == brute_n,
		  "no point of a 1,000,001-point grid lower than the search's minimum: %d of %d", brute_ok,
		  brute_n);

	/* degenerate laws: no minimum */
	{
		PowerLawFit f;
		CoAllocation a;

		memset(&f, 0, sizeof(f));
		f.l_inf = 1.69;
		f.coef[0] = -406.4;		/* a term that rises with N */
		f.expo[0] = 0.34;
		f.coef[1] = 410.7;
		f.expo[1] = 0.28;
		CHECK(!co_power_law2(&f, 5.76e23, &a) && !co_minimise(power_law_along, &f, 5.76e23, &a),
			  "a < 0: the loss falls toward N = 1, no interior minimum");
		f.coef[0] = 406.4;
		f.expo[0] = 0;
		f.expo[1] = 0;
		CHECK(!co_power_law2(&f, 5.76e23, &a) && !co_minimise(power_law_along, &f, 5.76e23, &a),
			  "both terms logarithmic: the loss is monotone along the budget");
		f.expo[1] = 0.28;
		CHECK(!co_power_law2(&f, 5.76e23, &a) && !co_minimise(power_law_along, &f, 5.76e23, &a),
			  "-406.4 ln N against 410.7 D^-0.28: the minimum lies past D = 1");
		f.coef[0] = 0.05;
		CHECK(co_power_law2(&f, 5.76e23, &a) && a.n > 1 && a.d > 1 && fabs(a.n * a.d * 6 / 5.76e23 - 1) < 1e-14,
			  "-0.05 ln N against 410.7 D^-0.28: N %.6g, D %.6g", a.n, a.d);
		CHECK(!co_power_law2(&f, 6, &a) && !co_minimise(power_law_along, &f, 6, &a),
			  "a budget of 6: only N = D = 1");
	}
}
