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
			md->u_hi[0] = 5.0;
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
			t->m = 80;
			for (int i = 0; i < t->m; i++)
				t->x[i][0] = 10.0 * i / (t->m - 1);
			tr->theta[0] = unif(0.5, 6.0);
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

void		test_engine(void);

void
test_engine(void)
{
	test_recovery();
}
