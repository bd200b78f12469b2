/*
 * test_engine.c -- the law-agnostic engine (engine.h) and its bounded
 * linear solve (bvls.h) on models written directly in C with exact
 * derivatives: recovery of known parameters from noise-free data without
 * start values, over randomised instances of the families scaling-law work
 * and classic nonlinear regression use; bounds; determinism; rank
 * deficiency; bad input.
 *
 * Each test model plays the part of a model adapter: it sets the search
 * coordinates from the role a parameter plays next to the data (a rate
 * next to x: centre 0, scale 1 / median |x|; a location: centre mean x,
 * scale sd x; an exponent of x: centre 0, scale 1 / sd(ln x)).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bvls.h"
#include "engine.h"
#include "lowdisc.h"
#include "test_util.h"

static const SlAlloc *AL = &sl_malloc_alloc;
/* sines up to 15 rad per unit of x (the box's natural rate is 0.2): narrow basins */
static bool hard_sine = false;
static uint64_t rng = 0xe9619e5eedULL;

static double
unif(double lo, double hi)
{
	return tu_unif(&rng, lo, hi);
}

static double
sgn_unif(double lo, double hi)
{
	double		v = unif(lo, hi);

	return (tu_splitmix(&rng) & 1) ? v : -v;
}

#define MAXP 128				/* points of a test problem */
#define MAXK 3					/* inputs */

typedef enum Family
{
	F_EXP,						/* a exp(-k x) + c */
	F_EXP2,						/* a1 exp(-k1 x) + a2 exp(-k2 x) + c */
	F_GAUSS,					/* A exp(-(x - mu)^2 / (2 s^2)) + c */
	F_LOGISTIC,					/* L / (1 + exp(-k (x - x0))) */
	F_SINE,						/* A sin(w x + p) + c */
	F_SATPOW,					/* E + A N^-alpha + B D^-beta */
	F_RATIONAL,					/* (a + b x) / (1 + d x + e x^2) */
	F_VOCAB,					/* c0 P^-a V^-g D^-b + c1 D^-h + c2 */
	F_DUP,						/* a exp(-k x) + b exp(-k x) + c: dependent columns */
	N_FAMILY
} Family;

static const char *family_name[N_FAMILY] = {
	"exponential decay", "two exponentials", "Gaussian peak", "logistic",
	"sine of unknown period", "saturating power law (2 inputs)", "rational",
	"vocabulary product law (3 inputs, q = 4)", "duplicate columns"
};

typedef struct TModel
{
	Family		fam;
	int			m;
	int			k;
	double		x[MAXP][MAXK];
	long		calls;
} TModel;

/* one column c at theta for every point, and its partials (dcol[j*m + i]) */
static void
put(const TModel *t, double *G, double *dG, int M, int c, int j, int i, double v, double d)
{
	if (j == 0)
		G[(size_t) c * t->m + i] = v;
	if (dG)
		dG[((size_t) j * M + c) * t->m + i] = d;
}

static bool
columns(void *ctx, const double *th, double *G, double *g0, double *dG, double *dg0)
{
	TModel	   *t = ctx;
	int			m = t->m;

	(void) g0;
	(void) dg0;
	t->calls++;
	for (int i = 0; i < m; i++)
	{
		const double *x = t->x[i];

		switch (t->fam)
		{
			case F_EXP:
				{
					double		e = exp(-th[0] * x[0]);

					put(t, G, dG, 2, 0, 0, i, e, -x[0] * e);
					put(t, G, dG, 2, 1, 0, i, 1.0, 0.0);
					break;
				}
			case F_EXP2:
			case F_DUP:
				{
					double		k2 = t->fam == F_DUP ? th[0] : th[1];
					double		e1 = exp(-th[0] * x[0]),
								e2 = exp(-k2 * x[0]);

					put(t, G, dG, 3, 0, 0, i, e1, -x[0] * e1);
					put(t, G, dG, 3, 1, 0, i, e2, t->fam == F_DUP ? -x[0] * e2 : 0.0);
					put(t, G, dG, 3, 2, 0, i, 1.0, 0.0);
					if (t->fam == F_EXP2)
					{
						put(t, G, dG, 3, 0, 1, i, e1, 0.0);
						put(t, G, dG, 3, 1, 1, i, e2, -x[0] * e2);
						put(t, G, dG, 3, 2, 1, i, 1.0, 0.0);
					}
					break;
				}
			case F_GAUSS:
				{
					double		d = x[0] - th[0],
								s = th[1];
					double		g = exp(-d * d / (2.0 * s * s));

					put(t, G, dG, 2, 0, 0, i, g, g * d / (s * s));
					put(t, G, dG, 2, 0, 1, i, g, g * d * d / (s * s * s));
					put(t, G, dG, 2, 1, 0, i, 1.0, 0.0);
					put(t, G, dG, 2, 1, 1, i, 1.0, 0.0);
					break;
				}
			case F_LOGISTIC:
				{
					double		d = x[0] - th[1];
					double		e = exp(-th[0] * d);
					double		v = 1.0 / (1.0 + e);
					double		dv = v * v * e; /* d v / d(k d) */

					put(t, G, dG, 1, 0, 0, i, v, dv * d);
					put(t, G, dG, 1, 0, 1, i, v, -dv * th[0]);
					break;
				}
			case F_SINE:
				{
					double		a = th[0] * x[0] + th[1];

					put(t, G, dG, 2, 0, 0, i, sin(a), x[0] * cos(a));
					put(t, G, dG, 2, 0, 1, i, sin(a), cos(a));
					put(t, G, dG, 2, 1, 0, i, 1.0, 0.0);
					put(t, G, dG, 2, 1, 1, i, 1.0, 0.0);
					break;
				}
			case F_SATPOW:
				{
					double		p1 = pow(x[0], -th[0]),
								p2 = pow(x[1], -th[1]);

					put(t, G, dG, 3, 0, 0, i, 1.0, 0.0);
					put(t, G, dG, 3, 0, 1, i, 1.0, 0.0);
					put(t, G, dG, 3, 1, 0, i, p1, -log(x[0]) * p1);
					put(t, G, dG, 3, 1, 1, i, p1, 0.0);
					put(t, G, dG, 3, 2, 0, i, p2, 0.0);
					put(t, G, dG, 3, 2, 1, i, p2, -log(x[1]) * p2);
					break;
				}
			case F_RATIONAL:
				{
					double		Q = 1.0 + th[0] * x[0] + th[1] * x[0] * x[0];

					put(t, G, dG, 2, 0, 0, i, 1.0 / Q, -x[0] / (Q * Q));
					put(t, G, dG, 2, 0, 1, i, 1.0 / Q, -x[0] * x[0] / (Q * Q));
					put(t, G, dG, 2, 1, 0, i, x[0] / Q, -x[0] * x[0] / (Q * Q));
					put(t, G, dG, 2, 1, 1, i, x[0] / Q, -x[0] * x[0] * x[0] / (Q * Q));
					break;
				}
			case F_VOCAB:
				{
					double		lp = log(x[0]),
								lv = log(x[1]),
								ld = log(x[2]);
					double		p = exp(-th[0] * lp - th[1] * lv - th[2] * ld);
					double		h = exp(-th[3] * ld);

					put(t, G, dG, 3, 0, 0, i, p, -lp * p);
					put(t, G, dG, 3, 0, 1, i, p, -lv * p);
					put(t, G, dG, 3, 0, 2, i, p, -ld * p);
					put(t, G, dG, 3, 0, 3, i, p, 0.0);
					put(t, G, dG, 3, 1, 0, i, h, 0.0);
					put(t, G, dG, 3, 1, 1, i, h, 0.0);
					put(t, G, dG, 3, 1, 2, i, h, 0.0);
					put(t, G, dG, 3, 1, 3, i, h, -ld * h);
					put(t, G, dG, 3, 2, 0, i, 1.0, 0.0);
					put(t, G, dG, 3, 2, 1, i, 1.0, 0.0);
					put(t, G, dG, 3, 2, 2, i, 1.0, 0.0);
					put(t, G, dG, 3, 2, 3, i, 1.0, 0.0);
					break;
				}
			default:
				return false;
		}
	}
	/* the contract: non-finite anywhere makes theta inadmissible */
	{
		int			M = t->fam == F_LOGISTIC ? 1 :
			(t->fam == F_EXP || t->fam == F_GAUSS || t->fam == F_SINE || t->fam == F_RATIONAL) ? 2 : 3;
		int			q = t->fam == F_EXP || t->fam == F_DUP ? 1 : (t->fam == F_VOCAB ? 4 : 2);

		for (size_t i = 0; i < (size_t) m * M; i++)
			if (!isfinite(G[i]))
				return false;
		for (size_t i = 0; dG && i < (size_t) m * M * q; i++)
			if (!isfinite(dG[i]))
				return false;
	}
	return true;
}

/* statistics of one input for the search coordinates */
static double
median_abs(const TModel *t, int j)
{
	double		v[MAXP];

	for (int i = 0; i < t->m; i++)
		v[i] = fabs(t->x[i][j]);
	for (int a = 1; a < t->m; a++)
		for (int b = a; b > 0 && v[b - 1] > v[b]; b--)
		{
			double		s = v[b];

			v[b] = v[b - 1];
			v[b - 1] = s;
		}
	return t->m % 2 ? v[t->m / 2] : 0.5 * (v[t->m / 2 - 1] + v[t->m / 2]);
}

static void
mean_sd(const TModel *t, int j, bool logs, double *mean, double *sd)
{
	double		s = 0.0,
				ss = 0.0;

	for (int i = 0; i < t->m; i++)
		s += logs ? log(t->x[i][j]) : t->x[i][j];
	*mean = s / t->m;
	for (int i = 0; i < t->m; i++)
	{
		double		d = (logs ? log(t->x[i][j]) : t->x[i][j]) - *mean;

		ss += d * d;
	}
	*sd = sqrt(ss / t->m);
}

/* the model of family t->fam: columns, search coordinates, no bounds */
static void
make_model(TModel *t, SlModel *md)
{
	double		mean,
				sd;

	memset(md, 0, sizeof(*md));
	md->ctx = t;
	md->columns = columns;
	for (int c = 0; c < SL_ENGINE_MAX_COLS; c++)
	{
		md->col_lo[c] = -INFINITY;
		md->col_hi[c] = INFINITY;
	}
	for (int j = 0; j < SL_ENGINE_MAX_NL; j++)
	{
		md->nl_lo[j] = -INFINITY;
		md->nl_hi[j] = INFINITY;
		md->scale[j] = 1.0;
		md->u_lo[j] = -6.0;		/* a rate: sinh(6) ~ 200 times the natural one */
		md->u_hi[j] = 6.0;
	}
	switch (t->fam)
	{
		case F_EXP:
		case F_DUP:
			md->n_cols = t->fam == F_EXP ? 2 : 3;
			md->n_nl = 1;
			md->scale[0] = 1.0 / median_abs(t, 0);
			break;
		case F_EXP2:
			md->n_cols = 3;
			md->n_nl = 2;
			md->scale[0] = md->scale[1] = 1.0 / median_abs(t, 0);
			break;
		case F_GAUSS:
			md->n_cols = 2;
			md->n_nl = 2;
			mean_sd(t, 0, false, &mean, &sd);
			md->centre[0] = mean;	/* a location */
			md->scale[0] = sd;
			md->u_lo[0] = -2.0;
			md->u_hi[0] = 2.0;
			md->scale[1] = sd;	/* a width, only squared: >= 0 */
			md->nl_lo[1] = 0.0;
			md->u_lo[1] = 0.0;
			md->u_hi[1] = 4.0;
			break;
		case F_LOGISTIC:
			md->n_cols = 1;
			md->n_nl = 2;
			mean_sd(t, 0, false, &mean, &sd);
			md->scale[0] = 1.0 / sd;	/* a rate next to x - x0 */
			md->centre[1] = mean;
			md->scale[1] = sd;
			md->u_lo[1] = -2.0;
			md->u_hi[1] = 2.0;
			break;
		case F_SINE:
			md->n_cols = 2;
			md->n_nl = 2;
			md->scale[0] = 1.0 / median_abs(t, 0);
			md->nl_lo[0] = 0.0; /* a frequency; its sign is the phase's */
			md->u_lo[0] = 0.0;
			md->u_hi[0] = hard_sine ? 6.0 : 5.0;
			md->u_lo[1] = -asinh(4.0);	/* a phase: an angle */
			md->u_hi[1] = asinh(4.0);
			break;
		case F_SATPOW:
			md->n_cols = 3;
			md->n_nl = 2;
			for (int j = 0; j < 2; j++)
			{
				mean_sd(t, j, true, &mean, &sd);
				md->scale[j] = 1.0 / sd;	/* an exponent of x_j */
				md->u_lo[j] = -4.0;
				md->u_hi[j] = 4.0;
			}
			break;
		case F_RATIONAL:
			md->n_cols = 2;
			md->n_nl = 2;
			md->scale[0] = 1.0 / median_abs(t, 0);
			md->scale[1] = md->scale[0] * md->scale[0];
			break;
		case F_VOCAB:
			md->n_cols = 3;
			md->n_nl = 4;
			for (int j = 0; j < 4; j++)
			{
				mean_sd(t, j < 3 ? j : 2, true, &mean, &sd);
				md->scale[j] = 1.0 / sd;
				md->u_lo[j] = -4.0;
				md->u_hi[j] = 4.0;
			}
			break;
		default:
			break;
	}
}

typedef struct Truth
{
	double		theta[SL_ENGINE_MAX_NL];
	double		coef[SL_ENGINE_MAX_COLS];
} Truth;

/* a random instance of family fam: inputs, true parameters */
static void
draw(Family fam, TModel *t, Truth *tr)
{
	memset(t, 0, sizeof(*t));
	memset(tr, 0, sizeof(*tr));
	t->fam = fam;
	t->k = 1;
	t->m = 40;
	for (int i = 0; i < t->m; i++)
		t->x[i][0] = 10.0 * i / (t->m - 1);
	switch (fam)
	{
		case F_EXP:
			tr->theta[0] = exp(unif(log(0.05), log(3.0)));
			tr->coef[0] = sgn_unif(0.5, 5.0);
			tr->coef[1] = sgn_unif(0.0, 2.0);
			break;
		case F_EXP2:
			tr->theta[0] = exp(unif(log(0.05), log(0.4)));
			tr->theta[1] = tr->theta[0] * exp(unif(log(3.0), log(10.0)));
			tr->coef[0] = sgn_unif(0.5, 5.0);
			tr->coef[1] = sgn_unif(0.5, 5.0);
			tr->coef[2] = sgn_unif(0.0, 2.0);
			break;
		case F_GAUSS:
			t->m = 60;
			for (int i = 0; i < t->m; i++)
				t->x[i][0] = 10.0 * i / (t->m - 1);
			tr->theta[0] = unif(2.0, 8.0);
			tr->theta[1] = unif(0.4, 2.0);
			tr->coef[0] = sgn_unif(1.0, 5.0);
			tr->coef[1] = sgn_unif(0.0, 1.0);
			break;
		case F_LOGISTIC:
			tr->theta[0] = exp(unif(log(0.5), log(4.0)));
			tr->theta[1] = unif(3.0, 7.0);
			tr->coef[0] = sgn_unif(0.5, 5.0);
			break;
		case F_SINE:
			t->m = hard_sine ? 120 : 80;
			for (int i = 0; i < t->m; i++)
				t->x[i][0] = 10.0 * i / (t->m - 1);
			tr->theta[0] = unif(0.5, hard_sine ? 15.0 : 6.0);
			tr->theta[1] = unif(-1.5, 1.5);
			tr->coef[0] = unif(0.5, 3.0);
			tr->coef[1] = sgn_unif(0.0, 1.0);
			break;
		case F_SATPOW:
			t->k = 2;
			t->m = 36;
			for (int i = 0; i < t->m; i++)
			{
				t->x[i][0] = 1e6 * pow(10.0, 4.0 * (i % 6) / 5.0 + unif(-0.1, 0.1));
				t->x[i][1] = 1e8 * pow(10.0, 3.0 * (i / 6) / 5.0 + unif(-0.1, 0.1));
			}
			tr->theta[0] = unif(0.1, 1.0);
			tr->theta[1] = unif(0.1, 1.0);
			tr->coef[0] = unif(1.0, 3.0);
			tr->coef[1] = exp(unif(log(1.0), log(1e4))) * pow(1e8, tr->theta[0]) * 1e-3;
			tr->coef[2] = exp(unif(log(1.0), log(1e4))) * pow(1e10, tr->theta[1]) * 1e-3;
			break;
		case F_RATIONAL:
			for (int i = 0; i < t->m; i++)
				t->x[i][0] = 5.0 * i / (t->m - 1);
			tr->theta[0] = exp(unif(log(0.1), log(3.0)));
			tr->theta[1] = exp(unif(log(0.02), log(1.0)));
			tr->coef[0] = sgn_unif(0.5, 5.0);
			tr->coef[1] = sgn_unif(0.5, 5.0);
			break;
		case F_VOCAB:
			t->k = 3;
			t->m = 64;
			for (int i = 0; i < t->m; i++)
			{
				t->x[i][0] = 1e7 * pow(10.0, (i % 4) / 1.5 + unif(-0.1, 0.1));
				t->x[i][1] = 4096.0 * pow(2.0, 1.5 * ((i / 4) % 4) + unif(-0.2, 0.2));
				t->x[i][2] = 1e9 * pow(10.0, (i / 16) / 1.5 + unif(-0.1, 0.1));
			}
			tr->theta[0] = unif(0.1, 0.6);
			tr->theta[1] = unif(-0.3, 0.3);
			tr->theta[2] = unif(0.1, 0.6);
			tr->theta[3] = unif(0.2, 0.8);
			tr->coef[0] = exp(unif(log(0.5), log(5.0))) *
				pow(1e8, tr->theta[0]) * pow(2e4, tr->theta[1]) * pow(1e10, tr->theta[2]);
			tr->coef[1] = exp(unif(log(0.5), log(5.0))) * pow(1e10, tr->theta[3]);
			tr->coef[2] = sgn_unif(0.5, 3.0);
			break;
		case F_DUP:
			tr->theta[0] = exp(unif(log(0.1), log(2.0)));
			tr->coef[0] = sgn_unif(0.5, 5.0);
			tr->coef[1] = 0.0;
			tr->coef[2] = sgn_unif(0.0, 2.0);
			break;
		default:
			break;
	}
}

/* the law at point i with parameters theta, coef */
static double
law(TModel *t, const SlModel *md, const double *theta, const double *coef, int i)
{
	double		G[MAXP * 3];
	double		y = 0.0;
	TModel		one = *t;

	one.m = 1;
	memcpy(one.x[0], t->x[i], sizeof(t->x[0]));
	if (!columns(&one, theta, G, NULL, NULL, NULL))
		return NAN;
	for (int c = 0; c < md->n_cols; c++)
		y += coef[c] * G[c];
	return y;
}

static bool
close_rel(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(fabs(b), 1e-300);
}

/*
 * Does the fit recover the truth?  Parameters to tol relative, except
 * where the law has a symmetry (two exponentials: either order; sine: the
 * phase modulo pi with A's sign): there the fitted law must match the
 * truth at every point to tol relative to y's range, and the parameters
 * free of the symmetry must match.
 */
static bool
recovered(TModel *t, const SlModel *md, const Truth *tr, const SlEngineResult *res,
		  double tol, char *why, size_t why_len)
{
	int			q = md->n_nl;

	if (t->fam == F_EXP2 || t->fam == F_SINE)
	{
		double		ymax = 0.0;

		for (int i = 0; i < t->m; i++)
			ymax = fmax(ymax, fabs(law(t, md, tr->theta, tr->coef, i)));
		for (int i = 0; i < t->m; i++)
		{
			double		want = law(t, md, tr->theta, tr->coef, i),
						got = law(t, md, res->theta, res->coef, i);

			if (!(fabs(want - got) <= tol * ymax))
			{
				snprintf(why, why_len, "prediction at x=%g: %.10g, want %.10g", t->x[i][0], got, want);
				return false;
			}
		}
		if (t->fam == F_EXP2)
		{
			int			lo = res->theta[0] <= res->theta[1] ? 0 : 1;

			if (!close_rel(res->theta[lo], tr->theta[0], tol) ||
				!close_rel(res->theta[1 - lo], tr->theta[1], tol) ||
				!close_rel(res->coef[lo], tr->coef[0], tol) ||
				!close_rel(res->coef[1 - lo], tr->coef[1], tol))
			{
				snprintf(why, why_len, "rates %.10g %.10g, want %.10g %.10g",
						 res->theta[0], res->theta[1], tr->theta[0], tr->theta[1]);
				return false;
			}
			return true;
		}
		if (!close_rel(res->theta[0], tr->theta[0], tol) ||
			!close_rel(fabs(res->coef[0]), tr->coef[0], tol) ||
			!(fabs(res->coef[1] - tr->coef[1]) <= tol * fmax(fabs(tr->coef[1]), 1.0)))
		{
			snprintf(why, why_len, "w %.10g A %.10g, want %.10g %.10g",
					 res->theta[0], res->coef[0], tr->theta[0], tr->coef[0]);
			return false;
		}
		return true;
	}
	for (int j = 0; j < q; j++)
		if (!close_rel(res->theta[j], tr->theta[j], tol))
		{
			snprintf(why, why_len, "theta[%d] %.10g, want %.10g (rss %g)", j, res->theta[j],
					 tr->theta[j], res->rss);
			return false;
		}
	for (int c = 0; c < md->n_cols; c++)
		if (!(fabs(res->coef[c] - tr->coef[c]) <= tol * fmax(fabs(tr->coef[c]), 1e-9)))
		{
			snprintf(why, why_len, "coef[%d] %.10g, want %.10g", c, res->coef[c], tr->coef[c]);
			return false;
		}
	return true;
}

/* y of the truth at every point, unit weights */
static void
truth_points(TModel *t, const SlModel *md, const Truth *tr, double *w, double *y)
{
	for (int i = 0; i < t->m; i++)
	{
		w[i] = 1.0;
		y[i] = law(t, md, tr->theta, tr->coef, i);
	}
}

static void
test_recovery(void)
{
	int			per_family = 40;
	int			total = 0,
				total_ok = 0;

	for (int f = 0; f < N_FAMILY; f++)
	{
		int			ok = 0;
		long		evals = 0;

		if (f == F_DUP)
			continue;
		for (int n = 0; n < per_family; n++)
		{
			TModel		t;
			Truth		tr;
			SlModel		md;
			double		w[MAXP],
						y[MAXP];
			SlEnginePoints pts;
			SlEngineResult res;
			SlEngineStatus st;
			char		why[256] = "";

			draw((Family) f, &t, &tr);
			make_model(&t, &md);
			truth_points(&t, &md, &tr, w, y);
			pts.m = t.m;
			pts.w = w;
			pts.y = y;
			pts.ss_within = 0.0;
			st = sl_engine_fit(&pts, &md, NULL, AL, &res);
			evals += res.n_evals;
			if (st == SL_ENGINE_OK && recovered(&t, &md, &tr, &res, 1e-6, why, sizeof(why)))
				ok++;
			else
				printf("     miss: %s #%d: status %d, %s\n", family_name[f], n, (int) st, why);
		}
		CHECK(ok == per_family, "engine recovers %s to 1e-6 from no start values: %d of %d "
			  "(%ld evaluations per fit)", family_name[f], ok, per_family, evals / per_family);
		total += per_family;
		total_ok += ok;
	}
	CHECK(total_ok * 100 >= total * 99, "engine recovery over all families: %d of %d (>= 99%%)",
		  total_ok, total);
}

/* points of the truth with noise of relative size sigma (of y's spread) */
static void
noisy_points(TModel *t, const SlModel *md, const Truth *tr, double sigma, double *w, double *y)
{
	double		lo = INFINITY,
				hi = -INFINITY;

	truth_points(t, md, tr, w, y);
	for (int i = 0; i < t->m; i++)
	{
		lo = fmin(lo, y[i]);
		hi = fmax(hi, y[i]);
	}
	for (int i = 0; i < t->m; i++)
		y[i] += sigma * (hi - lo) * unif(-1.0, 1.0);
}

/* weighted RSS of coef at theta, directly */
static double
rss_of(TModel *t, const SlModel *md, const double *theta, const double *coef,
	   const double *w, const double *y)
{
	double		s = 0.0;

	for (int i = 0; i < t->m; i++)
	{
		double		r = y[i] - law(t, md, theta, coef, i);

		s += w[i] * r * r;
	}
	return s;
}

/*
 * Does rss agree with the parameters' own RSS to rounding?  Rounding is
 * relative to the terms of the law, which can cancel far beyond y (a
 * coefficient pinned away from the optimum): each term's size counts.
 */
static bool
rss_is_own(TModel *t, const SlModel *md, const SlEngineResult *res, const double *w,
		   const double *y)
{
	double		own = rss_of(t, md, res->theta, res->coef, w, y);
	double		terms = 0.0;

	for (int i = 0; i < t->m; i++)
	{
		double		unit[3] = {0.0, 0.0, 0.0};
		double		s = fabs(y[i]);

		for (int c = 0; c < md->n_cols; c++)
		{
			unit[c] = res->coef[c];
			s += fabs(law(t, md, res->theta, unit, i));
			unit[c] = 0.0;
		}
		terms += w[i] * s * s;
	}
	return fabs(res->rss - own) <= 1e-9 * own + 1e-13 * terms;
}

/*
 * High frequencies: the basin of the period is a few hundredths wide in u,
 * below the default re-scan's spacing; effort 2 halves that spacing.
 */
static void
test_hard_sine(void)
{
	int			ok[2] = {0, 0},
				n = 50;

	hard_sine = true;
	for (int e = 0; e < 2; e++)
		for (int rep = 0; rep < n; rep++)
		{
			TModel		t;
			Truth		tr;
			SlModel		md;
			double		w[MAXP],
						y[MAXP];
			SlEnginePoints pts;
			SlEngineResult res;
			SlEngineOptions opt = {.effort = e + 1};
			char		why[256] = "";

			draw(F_SINE, &t, &tr);
			make_model(&t, &md);
			truth_points(&t, &md, &tr, w, y);
			pts.m = t.m;
			pts.w = w;
			pts.y = y;
			pts.ss_within = 0.0;
			if (sl_engine_fit(&pts, &md, &opt, AL, &res) == SL_ENGINE_OK &&
				recovered(&t, &md, &tr, &res, 1e-6, why, sizeof(why)))
				ok[e]++;
			else
				printf("     miss at effort %d: high-frequency sine #%d (w = %g): %s\n", e + 1, rep,
					   tr.theta[0], why);
		}
	hard_sine = false;
	CHECK(ok[0] * 100 >= n * 94, "high-frequency sines (w up to 15, 75 x the natural rate): "
		  "%d of %d recovered at effort 1 (>= 94%%)", ok[0], n);
	CHECK(ok[1] == n, "high-frequency sines: %d of %d recovered at effort 2", ok[1], n);
}

/*
 * The best RSS over a dense grid of side points per parameter over the
 * model's search box, each grid point's coefficients by least squares.
 */
static double
dense_reference(TModel *t, const SlModel *md, const double *w, const double *y, int side)
{
	SlBvls		ws;
	int			q = md->n_nl,
				M = md->n_cols,
				m = t->m;
	double		best = INFINITY;
	static double G[MAXP * 3],
				A[MAXP * 3];
	double		b[MAXP],
				r[MAXP],
				x[3],
				lo[3] = {-INFINITY, -INFINITY, -INFINITY},
				hi[3] = {INFINITY, INFINITY, INFINITY};

	if (!sl_bvls_init(&ws, m, M, AL))
		return NAN;
	for (int g = 0; g < (q == 1 ? side : side * side); g++)
	{
		double		th[2];
		SlBvlsInfo	info;
		double		f;

		for (int j = 0; j < q; j++)
		{
			int			gj = j == 0 ? g % side : g / side;
			double		u = md->u_lo[j] + (md->u_hi[j] - md->u_lo[j]) * gj / (side - 1);

			th[j] = fmax(md->centre[j] + md->scale[j] * sinh(u), md->nl_lo[j]);
		}
		if (!columns(t, th, G, NULL, NULL, NULL))
			continue;
		for (int c = 0; c < M; c++)
			for (int i = 0; i < m; i++)
				A[c * m + i] = sqrt(w[i]) * G[c * m + i];
		for (int i = 0; i < m; i++)
			b[i] = sqrt(w[i]) * y[i];
		f = sl_bvls_solve(&ws, m, M, A, b, lo, hi, x, r, &info);
		if (f < best)
			best = f;
	}
	sl_bvls_free(&ws);
	return best;
}

/*
 * Noisy data: the engine's optimum is no worse than the best point of a
 * dense grid (400 per side; 20000 for one parameter) over the same
 * search box.
 */
static void
test_noisy_vs_dense(void)
{
	const Family fams[] = {F_EXP, F_GAUSS, F_SATPOW, F_SINE, F_LOGISTIC};
	int			worse = 0,
				n = 0;
	double		worst = 0.0;

	for (size_t fi = 0; fi < sizeof(fams) / sizeof(fams[0]); fi++)
		for (int rep = 0; rep < 4; rep++)
		{
			TModel		t;
			Truth		tr;
			SlModel		md;
			double		w[MAXP],
						y[MAXP];
			SlEnginePoints pts;
			SlEngineResult res;
			double		ref;
			int			side = fams[fi] == F_EXP ? 20000 : 400;

			draw(fams[fi], &t, &tr);
			make_model(&t, &md);
			noisy_points(&t, &md, &tr, 0.1, w, y);
			pts.m = t.m;
			pts.w = w;
			pts.y = y;
			pts.ss_within = 0.0;
			if (sl_engine_fit(&pts, &md, NULL, AL, &res) != SL_ENGINE_OK)
			{
				worse++;
				n++;
				continue;
			}
			ref = dense_reference(&t, &md, w, y, side);
			n++;
			if (!(res.rss <= ref * (1.0 + 1e-9)))
			{
				worse++;
				printf("     %s #%d: engine rss %.10g, dense grid %.10g\n", family_name[fams[fi]],
					   rep, res.rss, ref);
			}
			worst = fmax(worst, res.rss / ref);
			/* the reported rss is that of the returned parameters */
			CHECK(rss_is_own(&t, &md, &res, w, y),
				  "noisy %s #%d: reported rss %.12g is the returned parameters' own",
				  family_name[fams[fi]], rep, res.rss);
		}
	CHECK(worse == 0, "noisy data: engine no worse than a dense grid reference in %d of %d "
		  "(largest ratio %.12f)", n - worse, n, worst);
}

/* random bounds on every coefficient and parameter: each result within them */
static void
test_bounds(void)
{
	const Family fams[] = {F_EXP, F_SATPOW, F_GAUSS, F_EXP2};
	int			bad = 0,
				n = 0,
				n_at = 0,
				flag_bad = 0;

	for (size_t fi = 0; fi < sizeof(fams) / sizeof(fams[0]); fi++)
		for (int rep = 0; rep < 25; rep++)
		{
			TModel		t;
			Truth		tr;
			SlModel		md;
			double		w[MAXP],
						y[MAXP];
			SlEnginePoints pts;
			SlEngineResult res;
			SlEngineStatus st;

			draw(fams[fi], &t, &tr);
			make_model(&t, &md);
			noisy_points(&t, &md, &tr, rep % 2 ? 0.05 : 0.0, w, y);
			for (int c = 0; c < md.n_cols; c++)
			{
				double		a = tr.coef[c] * unif(-0.5, 1.5),
							b = tr.coef[c] * unif(-0.5, 1.5);

				switch (tu_splitmix(&rng) % 4)
				{
					case 0:
						md.col_lo[c] = fmin(a, b);
						md.col_hi[c] = fmax(a, b);
						break;
					case 1:
						md.col_lo[c] = a;
						break;
					case 2:
						md.col_hi[c] = a;
						break;
					default:
						md.col_lo[c] = md.col_hi[c] = a;	/* pinned */
						break;
				}
			}
			for (int j = 0; j < md.n_nl; j++)
				if (tu_splitmix(&rng) % 2)
				{
					double		a = tr.theta[j] * unif(0.5, 1.5);

					if (tu_splitmix(&rng) % 2)
						md.nl_lo[j] = fmax(a, md.nl_lo[j]);
					else
						md.nl_hi[j] = fmax(a, md.nl_lo[j]);
				}
			pts.m = t.m;
			pts.w = w;
			pts.y = y;
			pts.ss_within = 0.0;
			st = sl_engine_fit(&pts, &md, NULL, AL, &res);
			n++;
			if (st != SL_ENGINE_OK)
			{
				bad++;
				printf("     bounded %s #%d: status %d\n", family_name[fams[fi]], rep, (int) st);
				continue;
			}
			for (int c = 0; c < md.n_cols; c++)
			{
				bool		on = res.coef[c] == md.col_lo[c] || res.coef[c] == md.col_hi[c];

				if (!(res.coef[c] >= md.col_lo[c] && res.coef[c] <= md.col_hi[c]))
				{
					bad++;
					printf("     bounded %s #%d: coef[%d] %.17g outside [%.17g, %.17g]\n",
						   family_name[fams[fi]], rep, c, res.coef[c], md.col_lo[c], md.col_hi[c]);
				}
				if (on != res.col_at_bound[c])
					flag_bad++;
				n_at += on;
			}
			for (int j = 0; j < md.n_nl; j++)
			{
				bool		on = res.theta[j] == md.nl_lo[j] || res.theta[j] == md.nl_hi[j];

				if (!(res.theta[j] >= md.nl_lo[j] && res.theta[j] <= md.nl_hi[j]))
				{
					bad++;
					printf("     bounded %s #%d: theta[%d] %.17g outside [%.17g, %.17g]\n",
						   family_name[fams[fi]], rep, j, res.theta[j], md.nl_lo[j], md.nl_hi[j]);
				}
				if (on != res.nl_at_bound[j])
					flag_bad++;
				n_at += on;
			}
			if (!rss_is_own(&t, &md, &res, w, y))
			{
				bad++;
				printf("     bounded %s #%d: rss %.12g is not the returned parameters' %.12g\n",
					   family_name[fams[fi]], rep, res.rss,
					   rss_of(&t, &md, res.theta, res.coef, w, y));
			}
		}
	CHECK(bad == 0, "bounds: every coef and theta within its bounds exactly, rss their own, "
		  "in %d random bounded fits (%d values on a bound)", n, n_at);
	CHECK(flag_bad == 0, "bounds: at_bound flags say exactly which values equal a bound");
}

/* two runs: the same bits; permuted points: the same result to rounding */
static void
test_determinism(void)
{
	int			same = 0,
				close = 0,
				n = 0;

	for (int f = 0; f < N_FAMILY; f++)
		for (int rep = 0; rep < 2; rep++)
		{
			TModel		t,
						tp;
			Truth		tr;
			SlModel		md,
						mdp;
			double		w[MAXP],
						y[MAXP],
						wp[MAXP],
						yp[MAXP];
			int			perm[MAXP];
			SlEnginePoints pts,
						ptp;
			SlEngineResult a,
						b,
						c;

			draw((Family) f, &t, &tr);
			make_model(&t, &md);
			noisy_points(&t, &md, &tr, rep ? 0.05 : 0.0, w, y);
			pts.m = t.m;
			pts.w = w;
			pts.y = y;
			pts.ss_within = 0.5;
			(void) sl_engine_fit(&pts, &md, NULL, AL, &a);
			(void) sl_engine_fit(&pts, &md, NULL, AL, &b);
			same += memcmp(&a, &b, sizeof(a)) == 0;
			tp = t;
			for (int i = 0; i < t.m; i++)
				perm[i] = i;
			for (int i = t.m - 1; i > 0; i--)
			{
				int			k = (int) (tu_splitmix(&rng) % (uint64_t) (i + 1));
				int			s = perm[i];

				perm[i] = perm[k];
				perm[k] = s;
			}
			for (int i = 0; i < t.m; i++)
			{
				memcpy(tp.x[i], t.x[perm[i]], sizeof(t.x[0]));
				wp[i] = w[perm[i]];
				yp[i] = y[perm[i]];
			}
			make_model(&tp, &mdp);
			ptp = pts;
			ptp.w = wp;
			ptp.y = yp;
			(void) sl_engine_fit(&ptp, &mdp, NULL, AL, &c);
			if (fabs(c.rss - a.rss) <= 1e-9 * a.rss)
				close++;
			else
				printf("     permuted %s #%d: rss %.15g vs %.15g\n", family_name[f], rep, c.rss, a.rss);
			n++;
		}
	CHECK(same == n, "determinism: two runs give bit-identical results in %d of %d", same, n);
	CHECK(close == n, "determinism: permuted points give the same rss to 1e-9 in %d of %d", close, n);
}

/* two identical columns: one is dependent, coefficient 0, no huge values */
static void
test_rank_deficient(void)
{
	int			ok = 0,
				n = 10;

	for (int rep = 0; rep < n; rep++)
	{
		TModel		t;
		Truth		tr;
		SlModel		md;
		double		w[MAXP],
					y[MAXP];
		SlEnginePoints pts;
		SlEngineResult res;

		draw(F_DUP, &t, &tr);
		make_model(&t, &md);
		truth_points(&t, &md, &tr, w, y);
		pts.m = t.m;
		pts.w = w;
		pts.y = y;
		pts.ss_within = 0.0;
		if (sl_engine_fit(&pts, &md, NULL, AL, &res) == SL_ENGINE_OK && res.rank_deficient &&
			(res.col_dependent[0] != res.col_dependent[1]) && !res.col_dependent[2] &&
			res.coef[res.col_dependent[0] ? 0 : 1] == 0.0 &&
			close_rel(res.coef[res.col_dependent[0] ? 1 : 0], tr.coef[0], 1e-6) &&
			close_rel(res.theta[0], tr.theta[0], 1e-6))
			ok++;
		else
			printf("     duplicate #%d: rank_deficient %d coef %g %g %g theta %g\n", rep,
				   res.rank_deficient, res.coef[0], res.coef[1], res.coef[2], res.theta[0]);
	}
	CHECK(ok == n, "rank deficiency: a duplicate column is flagged with coefficient 0 and the "
		  "fit still exact, %d of %d", ok, n);
}

/* BVLS: random problems; the answer meets the KKT conditions of the bounded problem */
static void
test_bvls_kkt(void)
{
	SlBvls		ws;
	int			bad = 0,
				n = 400,
				n_bound = 0,
				n_dep = 0;

	if (!sl_bvls_init(&ws, 60, SL_BVLS_MAX_COLS, AL))
	{
		CHECK(false, "bvls: workspace");
		return;
	}
	for (int rep = 0; rep < n; rep++)
	{
		int			m = 5 + (int) (tu_splitmix(&rng) % 56);
		int			nc = 1 + (int) (tu_splitmix(&rng) % (uint64_t) (m < 32 ? m : 32));
		static double A[60 * 32];
		double		b[60],
					r[60],
					x[32],
					lo[32],
					hi[32],
					scale[32];
		SlBvlsInfo	info;
		double		rss,
					direct = 0.0;

		for (int c = 0; c < nc; c++)
		{
			scale[c] = pow(10.0, unif(-50.0, 50.0));	/* columns of any size */
			for (int i = 0; i < m; i++)
				A[c * m + i] = scale[c] * unif(-1.0, 1.0);
			lo[c] = -INFINITY;
			hi[c] = INFINITY;
			switch (tu_splitmix(&rng) % 4)
			{
				case 0:
					lo[c] = unif(-1.0, 0.5) / scale[c];
					break;
				case 1:
					hi[c] = unif(-0.5, 1.0) / scale[c];
					break;
				case 2:
					lo[c] = unif(-1.0, 0.0) / scale[c];
					hi[c] = lo[c] + unif(0.0, 1.0) / scale[c];
					break;
				default:
					break;
			}
		}
		/* some problems with a column a multiple of another */
		if (nc >= 2 && rep % 5 == 0)
			for (int i = 0; i < m; i++)
				A[(nc - 1) * m + i] = 3.0 * A[i] * scale[nc - 1] / scale[0];
		for (int i = 0; i < m; i++)
			b[i] = unif(-2.0, 2.0);
		rss = sl_bvls_solve(&ws, m, nc, A, b, lo, hi, x, r, &info);
		for (int i = 0; i < m; i++)
		{
			double		s = b[i];

			for (int c = 0; c < nc; c++)
				s -= A[c * m + i] * x[c];
			direct += s * s;
		}
		if (!(fabs(rss - direct) <= 1e-12 * (direct + 1.0)))
			bad++;
		for (int c = 0; c < nc; c++)
		{
			/* gradient of -|r|^2/2 in the column's unit-norm coordinate */
			double		g = 0.0,
						nrm = 0.0;

			for (int i = 0; i < m; i++)
			{
				g += A[c * m + i] * r[i];
				nrm += A[c * m + i] * A[c * m + i];
			}
			g /= sqrt(nrm);
			if (!(x[c] >= lo[c] && x[c] <= hi[c]))
				bad++;
			if (info.dependent[c])
			{
				n_dep++;
				if (x[c] != fmin(fmax(0.0, lo[c]), hi[c]))
					bad++;
				continue;
			}
			if (x[c] == lo[c] && lo[c] != hi[c])
			{
				n_bound++;
				if (g > 1e-9)
					bad++;
			}
			else if (x[c] == hi[c] && lo[c] != hi[c])
			{
				n_bound++;
				if (g < -1e-9)
					bad++;
			}
			else if (lo[c] != hi[c] && !(fabs(g) <= 1e-9))
				bad++;
		}
	}
	sl_bvls_free(&ws);
	CHECK(bad == 0, "bvls: %d random problems (columns 1e-50..1e50) meet the KKT conditions, "
		  "bounds exactly, rss from the residual (%d at a bound, %d dependent)", n, n_bound, n_dep);
}

/* the Sobol points: each dimension's first 2^k points stratify [0, 1) into 2^k cells */
static void
test_sobol(void)
{
	bool		ok = true;
	double		p[SL_SOBOL_MAX_DIM];

	for (int d = 0; d < SL_SOBOL_MAX_DIM; d++)
	{
		static bool hit[1024];

		memset(hit, 0, sizeof(hit));
		for (uint32_t i = 0; i < 1024; i++)
		{
			int			cell;

			sl_sobol_point(i, SL_SOBOL_MAX_DIM, p);
			cell = (int) (p[d] * 1024);
			if (hit[cell])
				ok = false;
			hit[cell] = true;
		}
	}
	sl_sobol_point(2, 3, p);
	CHECK(ok && p[0] == 0.25 && p[1] == 0.75 && p[2] == 0.75,
		  "sobol: 1024 points stratify every dimension; point 2 is (0.25, 0.75, 0.75)");
	/* two-dimensional projection (dims 1, 2): 256 points, one per 16 x 16 cell */
	{
		static bool cell2[256];
		bool		ok2 = true;

		memset(cell2, 0, sizeof(cell2));
		for (uint32_t i = 0; i < 256; i++)
		{
			int			c;

			sl_sobol_point(i, 2, p);
			c = (int) (p[0] * 16) * 16 + (int) (p[1] * 16);
			ok2 = ok2 && !cell2[c];
			cell2[c] = true;
		}
		CHECK(ok2, "sobol: the first 256 points of dimensions 1-2 fill the 16 x 16 cells once each");
	}
}

static int	n_interrupts;
static void
count_interrupt(void)
{
	n_interrupts++;
}

/* a model that no theta admits */
static bool
never(void *ctx, const double *th, double *G, double *g0, double *dG, double *dg0)
{
	(void) ctx;
	(void) th;
	(void) G;
	(void) g0;
	(void) dG;
	(void) dg0;
	return false;
}

/* 1, x, x^2 at the points in ctx (40 of them); no parameter */
static int	n_poly_calls;
static bool
poly_columns(void *ctx, const double *th, double *G, double *g0, double *dG, double *dg0)
{
	const double *x = ctx;

	(void) th;
	(void) g0;
	(void) dG;
	(void) dg0;
	n_poly_calls++;
	for (int i = 0; i < 40; i++)
	{
		G[i] = 1.0;
		G[40 + i] = x[i];
		G[80 + i] = x[i] * x[i];
	}
	return true;
}

static void
test_bad_input(void)
{
	TModel		t;
	Truth		tr;
	SlModel		md,
				bad;
	double		w[MAXP],
				y[MAXP];
	SlEnginePoints pts;
	SlEngineResult res;
	SlAlloc		al = sl_malloc_alloc;

	draw(F_EXP, &t, &tr);
	make_model(&t, &md);
	truth_points(&t, &md, &tr, w, y);
	pts.m = t.m;
	pts.w = w;
	pts.y = y;
	pts.ss_within = 0.0;

	pts.m = 2;
	CHECK(sl_engine_fit(&pts, &md, NULL, AL, &res) == SL_ENGINE_UNDETERMINED,
		  "bad input: fewer points than unknowns is undetermined");
	pts.m = t.m;
	bad = md;
	bad.columns = never;
	CHECK(sl_engine_fit(&pts, &bad, NULL, AL, &res) == SL_ENGINE_UNDETERMINED,
		  "bad input: a model no theta admits is undetermined");
	bad = md;
	bad.nl_lo[0] = 2.0;
	bad.nl_hi[0] = 1.0;
	CHECK(sl_engine_fit(&pts, &bad, NULL, AL, &res) == SL_ENGINE_INFEASIBLE,
		  "bad input: theta bounds lo > hi are infeasible");
	bad = md;
	bad.col_lo[1] = INFINITY;
	CHECK(sl_engine_fit(&pts, &bad, NULL, AL, &res) == SL_ENGINE_INFEASIBLE,
		  "bad input: a coefficient bound of lo = +inf is infeasible");
	bad = md;
	bad.scale[0] = 0.0;
	CHECK(sl_engine_fit(&pts, &bad, NULL, AL, &res) == SL_ENGINE_INVALID,
		  "bad input: a search scale of 0 is invalid");
	bad = md;
	bad.col_lo[0] = NAN;
	CHECK(sl_engine_fit(&pts, &bad, NULL, AL, &res) == SL_ENGINE_INVALID,
		  "bad input: a NaN bound is invalid");
	bad = md;
	bad.n_nl = SL_ENGINE_MAX_NL + 1;
	CHECK(sl_engine_fit(&pts, &bad, NULL, AL, &res) == SL_ENGINE_INVALID,
		  "bad input: too many nonlinear parameters is invalid");
	w[3] = 0.0;
	CHECK(sl_engine_fit(&pts, &md, NULL, AL, &res) == SL_ENGINE_INVALID,
		  "bad input: a weight of 0 is invalid");
	w[3] = 1.0;
	y[5] = NAN;
	CHECK(sl_engine_fit(&pts, &md, NULL, AL, &res) == SL_ENGINE_INVALID,
		  "bad input: a NaN y is invalid");
	truth_points(&t, &md, &tr, w, y);

	/* y of 1e300 and 1e-300: the same parameters, coefficients scaled exactly */
	{
		SlEngineResult big,
					small,
					one;
		double		yb[MAXP],
					ysm[MAXP];
		SlEnginePoints pb = pts,
					psm = pts;

		for (int i = 0; i < t.m; i++)
		{
			yb[i] = y[i] * 0x1p996;
			ysm[i] = y[i] * 0x1p-996;
		}
		pb.y = yb;
		psm.y = ysm;
		(void) sl_engine_fit(&pts, &md, NULL, AL, &one);
		CHECK(sl_engine_fit(&pb, &md, NULL, AL, &big) == SL_ENGINE_OK &&
			  sl_engine_fit(&psm, &md, NULL, AL, &small) == SL_ENGINE_OK &&
			  big.theta[0] == one.theta[0] && small.theta[0] == one.theta[0] &&
			  big.coef[0] == one.coef[0] * 0x1p996 && small.coef[0] == one.coef[0] * 0x1p-996,
			  "scaling: y times 2^+-996 gives the same theta and coefficients times 2^+-996 exactly");
	}

	/* weights: a point of weight 3 is three rows at it; ss_within adds to rss */
	{
		TModel		t3 = t;
		double		w3[MAXP],
					y3[MAXP];
		SlEnginePoints p3;
		SlEngineResult a,
					b;

		noisy_points(&t, &md, &tr, 0.05, w, y);
		pts.ss_within = 0.25;
		w[0] = 3.0;
		(void) sl_engine_fit(&pts, &md, NULL, AL, &a);
		for (int i = 0; i < t.m; i++)
		{
			w3[i] = 1.0;
			y3[i] = y[i];
		}
		t3.m = t.m + 2;
		for (int e = 0; e < 2; e++)
		{
			memcpy(t3.x[t.m + e], t.x[0], sizeof(t.x[0]));
			w3[t.m + e] = 1.0;
			y3[t.m + e] = y[0];
		}
		{
			SlModel		md3;

			make_model(&t3, &md3);
			md3.scale[0] = md.scale[0];
			p3.m = t3.m;
			p3.w = w3;
			p3.y = y3;
			p3.ss_within = 0.0;
			(void) sl_engine_fit(&p3, &md3, NULL, AL, &b);
		}
		CHECK(close_rel(a.theta[0], b.theta[0], 1e-8) && close_rel(a.rss, b.rss + 0.25, 1e-9),
			  "weights: a point of weight 3 fits as three rows (theta %.12g vs %.12g), "
			  "rss includes ss_within (%.12g vs %.12g)", a.theta[0], b.theta[0], a.rss, b.rss + 0.25);
		pts.ss_within = 0.0;
	}

	/* interrupts: the hook is called */
	al.interrupt = count_interrupt;
	n_interrupts = 0;
	(void) sl_engine_fit(&pts, &md, NULL, &al, &res);
	CHECK(n_interrupts >= res.n_evals, "interrupts: the hook ran %d times in %d evaluations",
		  n_interrupts, res.n_evals);

	/* no nonlinear parameter: one bounded linear solve */
	{
		SlModel		lin;
		SlEngineResult a;
		double		x[MAXP];

		for (int i = 0; i < t.m; i++)
		{
			x[i] = t.x[i][0];
			y[i] = 1.0 + 2.0 * x[i] - 0.5 * x[i] * x[i];
		}
		memset(&lin, 0, sizeof(lin));
		lin.n_cols = 3;
		lin.ctx = x;
		lin.columns = poly_columns;
		lin.col_lo[0] = -INFINITY;
		lin.col_hi[0] = INFINITY;
		lin.col_lo[1] = -INFINITY;
		lin.col_hi[1] = 1.5;	/* the slope held below its value */
		lin.col_lo[2] = -INFINITY;
		lin.col_hi[2] = INFINITY;
		n_poly_calls = 0;
		CHECK(sl_engine_fit(&pts, &lin, NULL, AL, &a) == SL_ENGINE_OK && n_poly_calls == 1 &&
			  a.converged && a.coef[1] == 1.5 && a.col_at_bound[1] && !a.col_at_bound[0] &&
			  a.rss > 0.0,
			  "no nonlinear parameter: one bounded linear solve (%d call), slope on its bound %g",
			  n_poly_calls, a.coef[1]);
	}
}

void		test_engine(void);

void
test_engine(void)
{
	test_sobol();
	test_bvls_kkt();
	test_recovery();
	test_hard_sine();
	test_noisy_vs_dense();
	test_bounds();
	test_determinism();
	test_rank_deficient();
	test_bad_input();
}
