/*
 * compute_optimal.c -- the allocation of a compute budget C = 6 N D that
 * minimises a fitted two-input law (see compute_optimal.h).
 *
 * Along the budget, with t = ln N and T = ln (C / 6), N = e^t and
 * D = e^(T - t).  The closed form of the power law follows from
 * dL/dt = -s_a N^-alpha + s_b D^-beta = 0, whose second derivative at the
 * root is K (alpha + beta) with K > 0 the common value of both terms.  A
 * general law is searched on a grid of t and polished on its slope, which
 * the caller computes exactly (forward mode): a minimum found from values
 * alone is only known to about sqrt(eps) in t, the root of the slope to the
 * last bits.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "compute_optimal.h"

/* d/d ln x of a term coef x^-expo (coef ln x's -coef where expo = 0), negated */
static double
term_rate(double coef, double expo)
{
	return expo == 0.0 ? coef : expo * coef;
}

bool
co_power_law2(const PowerLawFit *fit, double flops, CoAllocation *out)
{
	double		alpha = fit->expo[0],
				beta = fit->expo[1];
	double		sa = term_rate(fit->coef[0], alpha),
				sb = term_rate(fit->coef[1], beta);
	double		T = log(flops / 6.0);
	double		t;
	double		x[2];

	if (!(sa > 0.0 && sb > 0.0 && alpha + beta > 0.0) || !(T > 0.0))
		return false;
	t = (log(sa) - log(sb) + beta * T) / (alpha + beta);
	if (!(t > 0.0 && t < T))
		return false;
	x[0] = out->n = exp(t);
	x[1] = out->d = exp(T - t);
	out->loss = power_law_predict(fit, 2, x);
	return isfinite(out->loss);
}

typedef struct Candidate
{
	int			i;				/* grid index */
	double		g;				/* value there */
} Candidate;

static int
cmp_candidates(const void *pa, const void *pb)
{
	const Candidate *a = pa,
			   *b = pb;

	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

/* the law at t: its value (+inf where not defined) and slope (NaN there) */
static double
at(CoLawFn law, void *ctx, double T, double t, double *slope)
{
	double		v = law(ctx, exp(t), exp(T - t), slope);

	if (!isfinite(v))
	{
		*slope = NAN;
		return INFINITY;
	}
	return v;
}

/*
 * The root of the slope in [lo, hi], where it goes from <= 0 to >= 0, by
 * bisection until the bracket cannot shrink.
 */
static double
slope_root(CoLawFn law, void *ctx, double T, double lo, double hi)
{
	for (int it = 0; it < 200; it++)
	{
		double		mid = lo + (hi - lo) / 2;
		double		s;

		if (!(mid > lo && mid < hi))
			break;
		(void) at(law, ctx, T, mid, &s);
		if (isnan(s))
			break;
		if (s < 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2;
}

bool
co_minimise(CoLawFn law, void *ctx, double flops, CoAllocation *out)
{
	double		T = log(flops / 6.0);
	double		g[CO_GRID];		/* 48 kB on the stack in all: no allocator needed */
	Candidate	cand[CO_GRID];
	int			nc = 0;
	double		best_t = NAN,
				best_g = INFINITY;
	bool		best_inside = false;

	if (!(T > 0.0) || !isfinite(T))
		return false;
	for (int i = 0; i < CO_GRID; i++)
	{
		double		s;

		g[i] = at(law, ctx, T, T * i / (CO_GRID - 1), &s);
	}
	/* grid minima: no neighbour lower, and the first of a plateau */
	for (int i = 0; i < CO_GRID; i++)
		if (isfinite(g[i]) && (i == 0 || g[i] < g[i - 1]) && (i == CO_GRID - 1 || g[i] <= g[i + 1]))
			cand[nc++] = (Candidate) {i, g[i]};
	qsort(cand, nc, sizeof(Candidate), cmp_candidates);
	for (int c = 0; c < nc && c < CO_POLISH; c++)
	{
		int			i = cand[c].i;
		double		lo = T * (i > 0 ? i - 1 : 0) / (CO_GRID - 1),
					hi = T * (i < CO_GRID - 1 ? i + 1 : i) / (CO_GRID - 1),
					t = T * i / (CO_GRID - 1);
		double		s_lo,
					s_hi,
					s,
					v;
		bool		inside = i > 0 && i < CO_GRID - 1;

		(void) at(law, ctx, T, lo, &s_lo);
		(void) at(law, ctx, T, hi, &s_hi);
		if (i == 0 && s_lo < 0)
			inside = true;		/* falling at N = 1: the minimum is past the first step */
		if (i == CO_GRID - 1 && s_hi > 0)
			inside = true;
		if (inside && s_lo <= 0 && s_hi >= 0)
			t = slope_root(law, ctx, T, lo, hi);
		v = at(law, ctx, T, t, &s);
		/* the grid point itself where the bracket does not hold a root */
		if (!(v <= cand[c].g))
		{
			t = T * i / (CO_GRID - 1);
			v = cand[c].g;
		}
		inside = inside && t > 0 && t < T;
		if (v < best_g || (v == best_g && t < best_t))
		{
			best_g = v;
			best_t = t;
			best_inside = inside;
		}
	}
	if (!best_inside)
		return false;
	out->n = exp(best_t);
	out->d = exp(T - best_t);
	out->loss = best_g;
	return true;
}
