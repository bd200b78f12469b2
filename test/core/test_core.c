/*
 * test_core.c -- unit tests of the numerical core, built and run without a
 * PostgreSQL server (make -C test/core).  Each check prints a line; the
 * last line is "N passed, N failed".
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exact_sum.h"
#include "log_law.h"
#include "point_set.h"
#include "power_law.h"

static int	n_pass,
			n_fail;

#define CHECK(cond, ...) do { \
	if (cond) { n_pass++; printf("ok   - "); } \
	else { n_fail++; printf("FAIL - "); } \
	printf(__VA_ARGS__); printf("\n"); } while (0)

static const SlAlloc *AL = &sl_malloc_alloc;

/* deterministic generator (splitmix64) */
static uint64_t rng_state = 12345;
static uint64_t
rng_next(void)
{
	uint64_t	z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static double
unif(double lo, double hi)
{
	return lo + (hi - lo) * ((rng_next() >> 11) * 0x1.0p-53);
}
static void
shuffle_idx(int *idx, int n)
{
	for (int i = n - 1; i > 0; i--)
	{
		int			j = (int) (rng_next() % (uint64_t) (i + 1));
		int			t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
}

static void
test_exact_sum(void)
{
	enum {N = 2000};
	double		v[N];
	int			idx[N];
	ExactSum	a,
				b;
	double		va,
				vb;
	bool		same = true;

	for (int i = 0; i < N; i++)
	{
		v[i] = ldexp(unif(-1, 1), (int) (rng_next() % 200) - 100);
		idx[i] = i;
	}
	xs_init(&a);
	for (int i = 0; i < N; i++)
		xs_add(&a, v[i], AL);
	va = xs_value(&a);
	for (int rep = 0; rep < 20; rep++)
	{
		shuffle_idx(idx, N);
		xs_init(&b);
		for (int i = 0; i < N; i++)
			xs_add(&b, v[idx[i]], AL);
		vb = xs_value(&b);
		same = same && memcmp(&va, &vb, 8) == 0;
		xs_free(&b, AL);
	}
	CHECK(same, "exact sum: same bits in 20 shuffled orders");

	/* cancellation: 1e20 + 1 - 1e20 = 1 exactly */
	xs_init(&b);
	xs_add(&b, 1e20, AL);
	xs_add(&b, 1.0, AL);
	xs_add(&b, -1e20, AL);
	CHECK(xs_value(&b) == 1.0, "exact sum: 1e20 + 1 - 1e20 = %g", xs_value(&b));
	xs_free(&b, AL);

	/* products exact: sum (1+2^-40)^2 - 1 - 2^-39 = 2^-80 */
	xs_init(&b);
	xs_add_product(&b, 1.0 + 0x1p-40, 1.0 + 0x1p-40, AL);
	xs_add(&b, -1.0, AL);
	xs_add(&b, -0x1p-39, AL);
	CHECK(xs_value(&b) == 0x1p-80, "exact sum: products are exact (%a)", xs_value(&b));
	xs_free(&b, AL);

	/* correct rounding: 1 + 2^-53 (tie) + 2^-200 rounds up */
	xs_init(&b);
	xs_add(&b, 1.0, AL);
	xs_add(&b, 0x1p-53, AL);
	xs_add(&b, 0x1p-200, AL);
	CHECK(xs_value(&b) == 1.0 + 0x1p-52, "exact sum: sticky bit breaks a tie upward");
	xs_free(&b, AL);

	/* negative totals and double-double read-back */
	{
		double		hi,
					lo;

		xs_init(&b);
		xs_add(&b, -3.0, AL);
		xs_add(&b, 0x1p-70, AL);
		xs_value_dd(&b, &hi, &lo);
		CHECK(hi == -3.0 && lo == 0x1p-70, "exact sum: dd of -3 + 2^-70 = (%g, %a)", hi, lo);
		xs_free(&b, AL);
	}
	/* merge equals the sum of the parts */
	{
		ExactSum	c;

		xs_init(&b);
		xs_init(&c);
		for (int i = 0; i < N; i++)
			xs_add(i % 2 ? &b : &c, v[i], AL);
		xs_add_sum(&b, &c, AL);
		vb = xs_value(&b);
		CHECK(memcmp(&va, &vb, 8) == 0, "exact sum: merged halves equal the whole");
		xs_free(&b, AL);
		xs_free(&c, AL);
	}
	xs_free(&a, AL);
}

/* y = l + a x^-alpha at n points spanning dec decades from x0 */
static void
make_problem(PointSet *ps, double l, double a, double alpha, int n,
			 double x0, double dec)
{
	ps_init(ps, 1);
	for (int i = 0; i < n; i++)
	{
		double		x = x0 * pow(10.0, dec * i / (n - 1));

		ps_add(ps, &x, l + a * pow(x, -alpha), AL);
	}
}

static void
test_synthetic_1(void)
{
	int			good = 0,
				total = 1000;
	double		worst = 0.0;

	for (int p = 0; p < total; p++)
	{
		double		alpha = unif(0.02, 1.5),
					a = exp(unif(log(0.5), log(50))),
					l = unif(0, 5);
		int			n = 8 + (int) (rng_next() % 8);
		double		dec = unif(2, 6);
		double		x0 = pow(10.0, unif(3, 12 - dec));
		PointSet	ps;
		SortedPoints sp;
		PowerLawSpec spec;
		PowerLawFit fit;
		FitStatus	st;
		double		err;

		make_problem(&ps, l, a, alpha, n, x0, dec);
		ps_sorted(&ps, &sp, AL);
		power_law_default_spec(&spec, 1);
		st = power_law_fit(&sp, &spec, AL, NULL, &fit);
		err = st == FIT_OK ? fabs(fit.expo[0] - alpha) / alpha : INFINITY;
		if (err <= 1e-4)
			good++;
		else
		{
			double		rss_true = 0.0;

			for (int i = 0; i < sp.m; i++)
			{
				double		d = sp.y[i] - (l + a * pow(sp.x[i], -alpha));

				rss_true += d * d;
			}
			printf("  miss: alpha=%.6g a=%.6g l=%.6g n=%d dec=%.3g x0=%.3g -> st=%d alpha=%.8g rss %.3e (at truth %.3e)\n",
				   alpha, a, l, n, dec, x0, st, fit.expo[0], fit.rss, rss_true);
		}
		if (err > worst)
			worst = err;
		ps_sorted_free(&sp, AL);
		ps_free(&ps, AL);
	}
	CHECK(good == total, "synthetic 1-input: alpha within 1e-4 relative in %d/%d (worst %.2e)",
		  good, total, worst);
}

static void
test_synthetic_2(void)
{
	int			good = 0,
				total = 200;
	double		worst = 0.0;

	for (int p = 0; p < total; p++)
	{
		double		alpha = unif(0.05, 1.2),
					beta = unif(0.05, 1.2),
					a = exp(unif(log(0.5), log(50))),
					b = exp(unif(log(0.5), log(50))),
					l = unif(0, 5);
		double		x10 = pow(10.0, unif(3, 7)),
					x20 = pow(10.0, unif(3, 7));
		double		d1 = unif(2, 4),
					d2 = unif(2, 4);
		PointSet	ps;
		SortedPoints sp;
		PowerLawSpec spec;
		PowerLawFit fit;
		FitStatus	st;
		double		err;

		ps_init(&ps, 2);
		for (int i = 0; i < 5; i++)
			for (int j = 0; j < 5; j++)
			{
				double		x[2] = {x10 * pow(10.0, d1 * i / 4), x20 * pow(10.0, d2 * j / 4)};

				ps_add(&ps, x, l + a * pow(x[0], -alpha) + b * pow(x[1], -beta), AL);
			}
		ps_sorted(&ps, &sp, AL);
		power_law_default_spec(&spec, 2);
		st = power_law_fit(&sp, &spec, AL, NULL, &fit);
		err = st == FIT_OK ? fmax(fabs(fit.expo[0] - alpha) / alpha,
								  fabs(fit.expo[1] - beta) / beta) : INFINITY;
		if (err <= 1e-4)
			good++;
		else if (n_fail < 20)
			printf("  miss: alpha=%.6g beta=%.6g -> st=%d %.8g %.8g\n",
				   alpha, beta, st, fit.expo[0], fit.expo[1]);
		worst = fmax(worst, err);
		ps_sorted_free(&sp, AL);
		ps_free(&ps, AL);
	}
	CHECK(good == total, "synthetic 2-input: alpha, beta within 1e-4 relative in %d/%d (worst %.2e)",
		  good, total, worst);
}

int
main(void)
{
	test_exact_sum();
	test_synthetic_1();
	test_synthetic_2();
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
