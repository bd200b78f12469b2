/*
 * test_formula_suite.c -- the synthetic suite of formula laws: problems
 * across the families scaling-law work and classic nonlinear regression
 * use, generated from known parameters without noise, each fitted from no
 * start values.  A problem is recovered when every parameter is within
 * 1e-6 relative of its truth (after the family's symmetries); the suite
 * passes when at least 99% are, and prints every miss with what the fit
 * found, so that its cause can be read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formula.h"
#include "formula_fit.h"
#include "point_set.h"
#include "test_util.h"

static const SlAlloc *AL = &sl_malloc_alloc;

#define MAX_POINTS 200
#define INSTANCES 18
#define MANY_POINTS 5000
#define MANY_INSTANCES 2

typedef struct Family
{
	const char *name;
	const char *formula;
	int			m;
	/* the truth, in the formula's parameter order */
	void		(*draw) (uint64_t *rng, double *p);
	/* input tuple i of m */
	void		(*design) (int i, int m, double *x);
	/* the fit in the truth's form where the law has symmetries (optional) */
	void		(*normalise) (double *p);
} Family;

static double
log_unif(uint64_t *rng, double lo, double hi)
{
	return exp(tu_unif(rng, log(lo), log(hi)));
}

static double
logspace(int i, int m, double lo, double hi)
{
	return exp(log(lo) + (log(hi) - log(lo)) * i / (m - 1));
}

static double
linspace(int i, int m, double lo, double hi)
{
	return lo + (hi - lo) * i / (m - 1);
}

/* E + A * N^-alpha */
static void
d_sat(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 3);
	p[1] = log_unif(r, 10, 1000);
	p[2] = tu_unif(r, 0.1, 0.8);
}
static void
x_sat(int i, int m, double *x)
{
	x[0] = logspace(i, m, 1e6, 1e10);
}

/* E + A / N^alpha + B / D^beta */
static void
d_chin(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 2);
	p[1] = log_unif(r, 100, 1000);
	p[2] = tu_unif(r, 0.2, 0.5);
	p[3] = log_unif(r, 100, 2000);
	p[4] = tu_unif(r, 0.2, 0.5);
}
static void
x_chin(int i, int m, double *x)
{
	x[0] = logspace(i / 5, (m + 4) / 5, 1e7, 1e10);
	x[1] = logspace(i % 5, 5, 1e9, 1e12);
}

/* A * x^-a * (1 + x/d)^-b */
static void
d_broken(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 10);
	p[1] = tu_unif(r, 0.1, 0.5);
	p[2] = log_unif(r, 1e2, 1e4);
	p[3] = tu_unif(r, 0.3, 1.0);
}
static void
x_broken(int i, int m, double *x)
{
	x[0] = logspace(i, m, 1, 1e6);
}

/* a1 * exp(-k1 * t) + a2 * exp(-k2 * t) [+ c] */
static void
d_two_exp(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 5);
	p[1] = tu_unif(r, 0.1, 0.5);
	p[2] = tu_unif(r, 1, 5);
	p[3] = tu_unif(r, 1, 5);
}
static void
d_two_exp_c(uint64_t *r, double *p)
{
	d_two_exp(r, p);
	p[4] = tu_unif(r, 0, 1);
}
static void
x_time(int i, int m, double *x)
{
	x[0] = linspace(i, m, 0, 10);
}

/* A * exp(-(x - mu)^2 / (2 * s^2)) + c */
static void
d_gauss(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 5);
	p[1] = tu_unif(r, 3, 7);
	p[2] = tu_unif(r, 0.5, 2);
	p[3] = tu_unif(r, 0, 1);
}

/* L / (1 + exp(-k * (x - x0))) + c */
static void
d_logistic(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 5);
	p[1] = tu_unif(r, 0.5, 3);
	p[2] = tu_unif(r, 3, 7);
	p[3] = tu_unif(r, 0, 1);
}

static void
n_logistic(double *p)
{
	/* L / (1 + e^-z) = L - L / (1 + e^z): (L, k, x0, c) is (-L, -k, x0, c + L) */
	if (p[1] < 0)
	{
		p[3] += p[0];
		p[0] = -p[0];
		p[1] = -p[1];
	}
}

/* A * sin(w * t + p) + c */
static void
d_sine(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 3);
	p[1] = tu_unif(r, 0.5, 3);
	p[2] = tu_unif(r, -1, 1);
	p[3] = tu_unif(r, 0, 1);
}
static void
x_sine(int i, int m, double *x)
{
	x[0] = linspace(i, m, 0, 20);
}
static void
n_sine(double *p)
{
	/* A sin(w t + p) = A sin(w t + p + 2 pi) = -A sin(w t + p + pi) = -A sin(-w t - p) */
	if (p[1] < 0)
	{
		p[1] = -p[1];
		p[2] = -p[2];
		p[0] = -p[0];
	}
	if (p[0] < 0)
	{
		p[0] = -p[0];
		p[2] += M_PI;
	}
	p[2] = remainder(p[2], 2 * M_PI);
}

/* E + A / N^a + B / (U + U * R * (1 - exp(-(D / U - 1) / R)))^b */
static void
d_dc(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 2);
	p[1] = log_unif(r, 100, 1000);
	p[2] = tu_unif(r, 0.2, 0.5);
	p[3] = log_unif(r, 100, 2000);
	p[4] = tu_unif(r, 5, 30);
	p[5] = tu_unif(r, 0.2, 0.5);
}
static void
x_dc(int i, int m, double *x)
{
	static const double epochs[7] = {1, 2, 4, 8, 16, 32, 64};

	(void) m;
	x[0] = logspace(i / 14, 4, 1e8, 1e10);
	x[2] = (i / 7) % 2 ? 1e10 : 1e9;
	x[1] = x[2] * epochs[i % 7];
}

/* V * x / (K + x) */
static void
d_mm(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 5);
	p[1] = tu_unif(r, 1, 10);
}
static void
x_mm(int i, int m, double *x)
{
	x[0] = logspace(i, m, 0.1, 50);
}

/* a - b * exp(-c * x) */
static void
d_approach(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 2, 5);
	p[1] = tu_unif(r, 1, 2);
	p[2] = tu_unif(r, 0.1, 1);
}
static void
x_approach(int i, int m, double *x)
{
	x[0] = linspace(i, m, 0, 20);
}

/* (a + b * x) / (1 + c * x) */
static void
d_rational(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 5);
	p[1] = tu_unif(r, 1, 5);
	p[2] = tu_unif(r, 0.1, 2);
}

/* a + b * ln(x) */
static void
d_log(uint64_t *r, double *p)
{
	p[0] = tu_unif(r, 1, 5);
	p[1] = tu_unif(r, -1, -0.1);
}
static void
x_log(int i, int m, double *x)
{
	x[0] = logspace(i, m, 1, 1e6);
}

static const Family families[] = {
	{"saturating power law", "N => E + A * N^-alpha", 20, d_sat, x_sat, NULL},
	{"Chinchilla", "(N, D) => E + A / N^alpha + B / D^beta", 30, d_chin, x_chin, NULL},
	{"broken power law", "x => A * x^-a * (1 + x/d)^-b", 40, d_broken, x_broken, NULL},
	{"two exponentials", "t => a1 * exp(-k1 * t) + a2 * exp(-k2 * t)", 40, d_two_exp, x_time, NULL},
	{"two exponentials and a constant", "t => a1 * exp(-k1 * t) + a2 * exp(-k2 * t) + c", 40,
	d_two_exp_c, x_time, NULL},
	{"Gaussian peak", "x => A * exp(-(x - mu)^2 / (2 * s^2)) + c", 50, d_gauss, x_time, NULL},
	{"logistic", "x => L / (1 + exp(-k * (x - x0))) + c", 40, d_logistic, x_time, n_logistic},
	{"oscillation", "t => A * sin(w * t + p) + c", 80, d_sine, x_sine, n_sine},
	{"data-constrained", "(N, D, U) => E + A / N^a + B / (U + U * R * (1 - exp(-(D / U - 1) / R)))^b",
	56, d_dc, x_dc, NULL},
	{"Michaelis-Menten", "x => V * x / (K + x)", 30, d_mm, x_mm, NULL},
	{"exponential approach", "x => a - b * exp(-c * x)", 40, d_approach, x_approach, NULL},
	{"rational", "x => (a + b * x) / (1 + c * x)", 40, d_rational, x_time, NULL},
	{"log law", "x => a + b * ln(x)", 20, d_log, x_log, NULL},
};

/* one problem: true when recovered; *why says what the fit found otherwise */
static bool
run_problem(const Family *fam, const SlFormula *f, const double *truth, char *why, size_t wlen)
{
	int			k = slf_n_inputs(f),
				n = slf_n_params(f);
	PointSet	ps;
	SortedPoints sp;
	FormulaSpec spec;
	FormulaFit fit;
	SlfError	err;
	FormulaStatus st;
	double		x[SLF_MAX_INPUTS],
				want[SLF_MAX_PARAMS];
	bool		ok = true;

	ps_init(&ps, k);
	for (int i = 0; i < fam->m; i++)
	{
		fam->design(i, fam->m, x);
		if (ps_add(&ps, x, slf_predict(f, truth, x), AL) != PS_OK)
			abort();
	}
	if (ps_sorted(&ps, &sp, AL) != PS_OK)
		abort();
	formula_default_spec(&spec);
	st = formula_fit(f, &sp, &spec, AL, &fit, &err);
	ps_sorted_free(&sp, AL);
	ps_free(&ps, AL);
	if (st != FF_OK)
	{
		snprintf(why, wlen, "status %d", (int) st);
		return false;
	}
	memcpy(want, truth, sizeof(double) * n);
	slf_canonicalize(f, want);
	if (fam->normalise)
	{
		fam->normalise(want);
		fam->normalise(fit.params);
	}
	why[0] = '\0';
	for (int p = 0; p < n; p++)
	{
		size_t		used = strlen(why);

		if (!(fabs(fit.params[p] - want[p]) <= 1e-6 * fabs(want[p])))
			ok = false;
		snprintf(why + used, wlen - used, "%s%s %.10g (true %.10g)", p ? ", " : "",
				 slf_param_name(f, p), fit.params[p], want[p]);
	}
	return ok;
}

void
test_formula_suite(void)
{
	int			total = 0,
				recovered = 0;
	uint64_t	rng = 20261202;

	for (size_t fi = 0; fi < sizeof(families) / sizeof(families[0]); fi++)
	{
		const Family *fam = &families[fi];
		SlfError	err;
		SlFormula  *f = slf_compile(fam->formula, strlen(fam->formula), AL, &err);
		int			fam_ok = 0;

		if (f == NULL)
		{
			CHECK(false, "suite: %s compiles: %s", fam->formula, err.message);
			continue;
		}
		for (int t = 0; t < INSTANCES; t++)
		{
			double		truth[SLF_MAX_PARAMS];
			char		why[1024];

			fam->draw(&rng, truth);
			total++;
			if (run_problem(fam, f, truth, why, sizeof(why)))
			{
				recovered++;
				fam_ok++;
			}
			else
				printf("  miss: %s #%d: %s\n", fam->name, t, why);
		}
		printf("  suite: %s: %d of %d recovered to 1e-6\n", fam->name, fam_ok, INSTANCES);
		slf_free(f, AL);
	}
	CHECK(total >= 200 && recovered >= 0.99 * total,
		  "synthetic suite: %d of %d problems recovered to 1e-6 from no start values (99%% needed)",
		  recovered, total);

	/*
	 * More distinct points than the search's subsample: the search runs on
	 * 2048 of them and the polish on all, which must recover the law alike.
	 */
	total = recovered = 0;
	for (size_t fi = 0; fi < sizeof(families) / sizeof(families[0]); fi++)
	{
		Family		big = families[fi];
		SlfError	err;
		SlFormula  *f = slf_compile(big.formula, strlen(big.formula), AL, &err);

		big.m = MANY_POINTS;
		for (int t = 0; t < MANY_INSTANCES && f != NULL; t++)
		{
			double		truth[SLF_MAX_PARAMS];
			char		why[1024];

			big.draw(&rng, truth);
			total++;
			if (run_problem(&big, f, truth, why, sizeof(why)))
				recovered++;
			else
				printf("  miss with %d points: %s #%d: %s\n", MANY_POINTS, big.name, t, why);
		}
		slf_free(f, AL);
	}
	CHECK(total == MANY_INSTANCES * (int) (sizeof(families) / sizeof(families[0])) && recovered == total,
		  "synthetic suite with %d points per problem (search on a subsample): %d of %d recovered to 1e-6",
		  MANY_POINTS, recovered, total);
}
