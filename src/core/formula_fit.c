/*
 * formula_fit.c -- a compiled formula law fitted by the engine.
 *
 * The engine sees the law as its columns (formula.h's slf_columns on the
 * points bound once), the bounds of the parameters that are whole columns'
 * unknowns or nonlinear, and for every nonlinear parameter a search
 * coordinate theta = centre + scale * sinh(u) derived from the role the
 * parameter plays next to the data: an exponent of an input is searched
 * on the scale of 1 / (spread of ln x), a rate on 1 / (spread of x), a
 * location across the range of x.  The result is read back in the user's
 * parameters, put in canonical form, clamped to the bounds exactly, and
 * its RSS recomputed from the parameters returned, so that r2 and rmse
 * describe what predict_loss will predict.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "dd.h"
#include "lsq.h"
#include "engine.h"
#include "formula_fit.h"
#include "std_errors.h"

/* |theta * spread| the default search reaches: a column ranging e^60 over the data */
#define SEARCH_REACH 60.0
/* a location is searched up to this many half-ranges of its input from their middle */
#define LOCATION_REACH 4.0

void
formula_default_spec(FormulaSpec *spec)
{
	for (int p = 0; p < SLF_MAX_PARAMS; p++)
	{
		spec->lo[p] = -INFINITY;
		spec->hi[p] = INFINITY;
		spec->search_lo[p] = NAN;
		spec->search_hi[p] = NAN;
	}
	spec->effort = 1;
}

/* the column whose unknown is parameter p, or -1 */
static int
param_column(const SlFormula *f, int p)
{
	for (int c = 0; c < slf_n_columns(f); c++)
		if (slf_column_param(f, c) == p)
			return c;
	return -1;
}

/* the nonlinear index of parameter p, or -1 */
static int
param_nonlinear(const SlFormula *f, int p)
{
	for (int j = 0; j < slf_n_nonlinear(f); j++)
		if (slf_nonlinear_param(f, j) == p)
			return j;
	return -1;
}

bool
formula_param_searched(const SlFormula *f, int p)
{
	return param_nonlinear(f, p) >= 0;
}

bool
formula_param_boundable(const SlFormula *f, int p)
{
	return param_column(f, p) >= 0 || param_nonlinear(f, p) >= 0;
}

/* what the roles need to know of input j over the points */
typedef struct InputRange
{
	double		lo,
				hi;				/* of x */
	double		ln_lo,
				ln_hi;			/* of ln x, when every x > 0 */
	bool		positive;
	double		abs_max;
} InputRange;

static void
input_ranges(const SortedPoints *pts, InputRange *r, const SlAlloc *al)
{
	int			k = pts->k;

	for (int j = 0; j < k; j++)
	{
		r[j].lo = INFINITY;
		r[j].hi = -INFINITY;
		r[j].positive = true;
		r[j].abs_max = 0.0;
	}
	for (int32_t i = 0; i < pts->m; i++)
	{
		sl_check_interrupts_every(al, (uint64_t) i);
		for (int j = 0; j < k; j++)
		{
			double		x = pts->x[(size_t) i * k + j];

			r[j].lo = fmin(r[j].lo, x);
			r[j].hi = fmax(r[j].hi, x);
			r[j].abs_max = fmax(r[j].abs_max, fabs(x));
			if (!(x > 0.0))
				r[j].positive = false;
		}
	}
	for (int j = 0; j < k; j++)
	{
		r[j].ln_lo = r[j].positive ? log(r[j].lo) : NAN;
		r[j].ln_hi = r[j].positive ? log(r[j].hi) : NAN;
	}
}

/* a positive scale from a spread, falling back to a magnitude, then to 1 */
static double
positive_scale(double spread, double magnitude)
{
	if (spread > 0.0 && isfinite(spread))
		return spread;
	if (magnitude > 0.0 && isfinite(magnitude))
		return magnitude;
	return 1.0;
}

/*
 * The search coordinate of nonlinear parameter j: centre, scale and the
 * default soft box of u.
 */
static void
search_coordinate(const SlFormula *f, int j, const InputRange *ranges,
				  double *centre, double *scale, double *u_lo, double *u_hi)
{
	SlfParamRole role;
	double		reach = asinh(SEARCH_REACH);

	slf_param_role(f, j, &role);
	*centre = 0.0;
	*scale = 1.0;
	*u_lo = -reach;
	*u_hi = reach;
	if (role.input >= 0 && role.input < slf_n_inputs(f))
	{
		const InputRange *r = &ranges[role.input];

		switch (role.role)
		{
			case SLF_ROLE_EXPONENT:
				if (r->positive)
					*scale = 1.0 / positive_scale(r->ln_hi - r->ln_lo, fabs(r->ln_hi));
				break;
			case SLF_ROLE_RATE:
				{
					double		s = positive_scale(r->hi - r->lo, r->abs_max);

					/* x / s: s on the scale of x; k x: k on the scale of 1 / x */
					*scale = role.inverse ? s / SEARCH_REACH : 1.0 / s;
				}
				break;
			case SLF_ROLE_LOCATION:
				*centre = 0.5 * r->lo + 0.5 * r->hi;
				*scale = positive_scale(0.5 * (r->hi - r->lo), r->abs_max);
				*u_lo = -asinh(LOCATION_REACH);
				*u_hi = asinh(LOCATION_REACH);
				break;
			case SLF_ROLE_OTHER:
				break;
		}
	}
	if (!isfinite(*scale) || !(*scale > 0.0))
		*scale = 1.0;
	/* parameters seen only squared or under abs: one sign suffices */
	if (role.nonneg && *centre == 0.0)
		*u_lo = 0.0;
}

/* u of theta in a coordinate (monotone; +-inf beyond the double range) */
static double
u_of(double theta, double centre, double scale)
{
	return asinh((theta - centre) / scale);
}

/*
 * A limit on a bound.  E + A N^-alpha with alpha >= 0: as alpha -> 0 the
 * column N^-alpha tends into the span of the constant column, E and A
 * diverge, and the best fit is only approached, by an ill-conditioned
 * crawl towards the bound.  Its limit is the law E' + A' dN^-alpha/dalpha
 * = E' - A' ln N, which is what the model evaluates at alpha = 0 exactly:
 * the objective is then continuous up to the bound and the bound attains
 * the limit, as the presets' Box-Cox coordinates do.  The result is
 * written back in the user's form beside the bound (write_back_limit).
 *
 * Taken where it is exact whatever the other parameters: theta_j has 0 as
 * a bound of a non-empty range; one column (col) moves with theta_j and
 * with no other parameter; the offset does not move with it; at 0, col
 * lies in the span of columns that move with no parameter (beta); none of
 * those coefficients has a bound (a bound on a diverging coefficient has
 * no meaning in the limit).
 */
typedef struct BoundLimit
{
	bool		on;
	int			col;
	double		beta[SLF_MAX_COLUMNS];	/* col at the limit in the fixed columns' terms */
	double		delta;			/* theta_j of the write-back */
} BoundLimit;

typedef struct ModelCtx
{
	SlfBound   *bound;
	int			M,
				q,
				m;
	bool		has_offset;
	bool		any_limit;
	BoundLimit	lim[SLF_MAX_NONLINEAR];
	double	   *G,
			   *g0,
			   *dG,
			   *dg0;			/* scratch of the full law at a limit */
} ModelCtx;

static bool
model_columns(void *ctx, const double *theta, double *G, double *g0, double *dG, double *dg0)
{
	ModelCtx   *mc = ctx;
	size_t		mm = (size_t) mc->m;
	int			M = mc->M,
				q = mc->q;
	bool		at_limit[SLF_MAX_NONLINEAR] = {false};
	bool		any = false;

	for (int j = 0; j < q && mc->any_limit; j++)
		if (mc->lim[j].on && theta[j] == 0.0)
			any = at_limit[j] = true;
	if (!any)
		return slf_columns(mc->bound, theta, G, g0, dG, dg0);

	/* col replaced by its derivative there (a law in which col is fixed: no partials) */
	if (!slf_columns(mc->bound, theta, mc->G, mc->g0, mc->dG, mc->dg0))
		return false;
	memcpy(G, mc->G, sizeof(double) * mm * (size_t) M);
	if (g0 && mc->has_offset)
		memcpy(g0, mc->g0, sizeof(double) * mm);
	if (dG)
		memcpy(dG, mc->dG, sizeof(double) * mm * (size_t) M * (size_t) q);
	if (dg0 && mc->has_offset)
		memcpy(dg0, mc->dg0, sizeof(double) * mm * (size_t) q);
	for (int j = 0; j < q; j++)
	{
		int			col = mc->lim[j].col;

		if (!at_limit[j])
			continue;
		memcpy(&G[(size_t) col * mm], &mc->dG[((size_t) j * M + col) * mm], sizeof(double) * mm);
		for (int jj = 0; jj < q && dG; jj++)
			memset(&dG[((size_t) jj * M + col) * mm], 0, sizeof(double) * mm);
	}
	return true;
}

/*
 * Sum of w (y - law)^2 over the points, y and the law both scaled by
 * 2^-e, with the within-point sum; +inf if the law is not finite at a point.
 */
static double
scaled_rss(const SlFormula *f, const SortedPoints *pts, const double *params, int e,
		   const SlAlloc *al)
{
	dd_t		acc = dd_from(pts->ss_within);
	int			k = pts->k;

	for (int32_t i = 0; i < pts->m; i++)
	{
		double		pred,
					r;

		sl_check_interrupts_every(al, (uint64_t) i);
		pred = slf_predict(f, params, &pts->x[(size_t) i * k]);
		r = pts->y[i] - ldexp(pred, -e);
		if (!isfinite(r))
			return INFINITY;
		acc = dd_add(acc, dd_mul(dd_from(pts->w[i] * r), dd_from(r)));
	}
	return acc.hi + acc.lo;
}

/*
 * The standard error of every parameter the fit estimates (not on a
 * bound, not flagged, determined): sigma^2 (J'J)^-1 with J the derivatives
 * of the predictions by the free parameters (forward mode through the
 * compiled law, in the user's parameters), weighted by the rows of each
 * point, and sigma^2 = RSS / (n - free).  Columns are scaled by the
 * parameters' magnitudes and y by 2^-e, so J holds numbers near y's
 * scale whatever the units.  NaN elsewhere, and for all when J is rank
 * deficient or there are no more rows than free parameters; the
 * covariance alike.
 */
static void
std_errors(const SlFormula *f, const SortedPoints *pts, FormulaFit *out, int e, double rss_s,
		   const SlAlloc *al)
{
	int			n_par = slf_n_params(f),
				k = pts->k,
				nf = 0;
	int			free_p[SLF_MAX_PARAMS];
	double		scale[SLF_MAX_PARAMS],
				row[SLF_MAX_PARAMS],
				se[SLF_MAX_PARAMS],
				cov[SLF_MAX_PARAMS * SLF_MAX_PARAMS];
	double	   *work;
	SlRFactor	rf;

	for (int p = 0; p < n_par; p++)
	{
		out->std_err[p] = NAN;
		for (int q = 0; q < n_par; q++)
			out->cov[p * n_par + q] = NAN;
		if (!out->at_bound[p] && isfinite(out->params[p]))
			free_p[nf++] = p;
	}
	if (nf == 0 || pts->n_rows <= nf || !isfinite(rss_s))
		return;
	work = al->alloc(al->ctx, sizeof(double) * slf_jacobian_work(f, nf));
	if (work == NULL)
		return;
	for (int j = 0; j < nf; j++)
		scale[j] = out->params[free_p[j]] != 0 ? fabs(out->params[free_p[j]]) : 1.0;
	sl_rfactor_init(&rf, nf);
	for (int32_t i = 0; i < pts->m; i++)
	{
		double		sw = ldexp(sqrt(pts->w[i]), -e);

		sl_check_interrupts_every(al, (uint64_t) i);
		(void) slf_predict_jacobian(f, out->params, &pts->x[(size_t) i * k], free_p, nf, work, row);
		for (int j = 0; j < nf; j++)
			row[j] *= sw * scale[j];
		sl_rfactor_add_row(&rf, row);
	}
	al->free(al->ctx, work);
	if (sl_rfactor_std_errors(&rf, sqrt(rss_s / (double) (pts->n_rows - nf)), se, cov))
		for (int i = 0; i < nf; i++)
		{
			out->std_err[free_p[i]] = se[i] * scale[i];
			/* one product for both triangles: exactly symmetric */
			for (int j = i; j < nf; j++)
				out->cov[free_p[i] * n_par + free_p[j]] = out->cov[free_p[j] * n_par + free_p[i]] =
					cov[i * nf + j] * scale[i] * scale[j];
		}
}

/* total sum of squares about the weighted mean, scaled as pts->y; and the mean square */
static double
scaled_tss(const SortedPoints *pts, double *mean_sq, const SlAlloc *al)
{
	dd_t		sw = dd_from(0.0),
				swy = dd_from(0.0),
				acc = dd_from(pts->ss_within),
				sq = dd_from(pts->ss_within);
	double		mean;

	for (int32_t i = 0; i < pts->m; i++)
	{
		sl_check_interrupts_every(al, (uint64_t) i);
		sw = dd_add(sw, dd_from(pts->w[i]));
		swy = dd_add(swy, dd_mul(dd_from(pts->w[i]), dd_from(pts->y[i])));
		sq = dd_add(sq, dd_mul(dd_from(pts->w[i] * pts->y[i]), dd_from(pts->y[i])));
	}
	mean = dd_div(swy, sw).hi;
	for (int32_t i = 0; i < pts->m; i++)
	{
		double		r = pts->y[i] - mean;

		sl_check_interrupts_every(al, (uint64_t) i);
		acc = dd_add(acc, dd_mul(dd_from(pts->w[i] * r), dd_from(r)));
	}
	*mean_sq = sq.hi;
	return acc.hi + acc.lo;
}

/*
 * Terms whose size at some point exceeds the data's by this factor cancel
 * each other: the optimum is only approached as their coefficients run off
 * (E + A N^-alpha as alpha -> 0, where E and A tend to -+infinity while
 * their sum tends to a law in ln N).
 */
#define DIVERGENCE_RATIO 1e4

/* whether column c moves with theta_j at some point (dG as slf_columns writes it) */
static bool
column_depends(const double *dG, int M, size_t mm, int m, int c, int j)
{
	for (int i = 0; i < m; i++)
		if (dG[((size_t) j * M + c) * mm + i] != 0.0)
			return true;
	return false;
}

/* the root mean square of y as the engine sees it (scaled by 2^-ye) */
static double
y_engine_scale(const SortedPoints *pts, int ye, const SlAlloc *al)
{
	double		s = 0.0,
				w = 0.0;

	for (int32_t i = 0; i < pts->m; i++)
	{
		double		y = ye == pts->y_exp ? pts->y[i] : ldexp(pts->y[i], pts->y_exp - ye);

		sl_check_interrupts_every(al, (uint64_t) i);
		s += pts->w[i] * y * y;
		w += pts->w[i];
	}
	return w > 0.0 ? sqrt(s / w) : 0.0;
}

/*
 * Flags (in flags, by parameter) the terms of the fit res that diverge:
 * columns whose term c_m G_m exceeds DIVERGENCE_RATIO times the scale of y
 * at some point, and the nonlinear parameters those columns depend on.
 * Their values still predict the limit at the data; the flag says that
 * they are not an attained optimum.
 */
static FormulaStatus
diverging_terms(const SlFormula *f, SlfBound *bound, int m, double y_scale,
				const SlEngineResult *res, bool *diverge, bool *nl_diverge, const SlAlloc *al)
{
	int			M = slf_n_columns(f),
				q = slf_n_nonlinear(f);
	size_t		mm = (size_t) (m > 0 ? m : 1);
	double	   *G,
			   *g0,
			   *dG,
			   *dg0;
	int			n_div = 0;

	memset(diverge, 0, sizeof(bool) * SLF_MAX_COLUMNS);
	memset(nl_diverge, 0, sizeof(bool) * SLF_MAX_NONLINEAR);
	if (M == 0 || !(y_scale > 0.0))
		return FF_OK;
	G = al->alloc(al->ctx, sizeof(double) * mm * (size_t) M * (size_t) (q + 1) +
				  sizeof(double) * mm * (size_t) (q + 1));
	if (G == NULL)
		return FF_NO_MEMORY;
	dG = G + mm * (size_t) M;
	g0 = dG + mm * (size_t) M * (size_t) q;
	dg0 = g0 + mm;
	if (!slf_columns(bound, res->theta, G, g0, q > 0 ? dG : NULL, q > 0 ? dg0 : NULL))
	{
		al->free(al->ctx, G);
		return FF_OK;
	}
	for (int c = 0; c < M; c++)
		for (int i = 0; i < m && !diverge[c]; i++)
			if (sl_check_interrupts_every(al, (uint64_t) i), fabs(res->coef[c] * G[(size_t) c * mm + i]) > DIVERGENCE_RATIO * y_scale)
				diverge[c] = true;
	for (int c = 0; c < M; c++)
		n_div += diverge[c];
	/* one large term alone does not cancel: it is the data's own size somewhere */
	if (n_div < 2)
		memset(diverge, 0, sizeof(bool) * SLF_MAX_COLUMNS);
	for (int c = 0; c < M; c++)
		if (diverge[c])
			for (int j = 0; j < q; j++)
				if (column_depends(dG, M, mm, m, c, j))
					nl_diverge[j] = true;
	al->free(al->ctx, G);
	return FF_OK;
}

/*
 * theta_j of the user's form beside a limit, on the side given (+-1):
 * the limit's expansion's next term grows as delta (dmax/gmax)^2 and the
 * rounding of c_col as eps / delta, which balance at sqrt(2 eps) gmax /
 * dmax, gmax and dmax the largest |column| and |its derivative in theta_j|
 * at the limit (g, dg: m points).  0 when they cannot say.
 */
static double
limit_delta(const double *g, const double *dg, int m, double side)
{
	double		gmax = 0.0,
				dmax = 0.0;

	for (int i = 0; i < m; i++)
	{
		gmax = fmax(gmax, fabs(g[i]));
		dmax = fmax(dmax, fabs(dg[i]));
	}
	if (!(gmax > 0.0 && dmax > 0.0 && isfinite(gmax) && isfinite(dmax)))
		return 0.0;
	return side * sqrt(2.0 * DBL_EPSILON) * gmax / dmax;
}

/*
 * The limit law's coefficients (coef[col] that of the derivative column)
 * in the user's form at theta_j = delta: c_col = c' / delta, and the
 * columns col tends into absorb -c_col times their share of it (beta).
 */
static void
limit_to_user_form(double *coef, int M, int col, const double *beta, double delta)
{
	coef[col] /= delta;
	for (int c = 0; c < M; c++)
		if (c != col && beta[c] != 0.0)
			coef[c] -= coef[col] * beta[c];
}

/*
 * The limit of a diverging fit, fitted as a law of its own.
 *
 * Near E + A N^-alpha at alpha -> 0, E and A run off and the engine's
 * polish is ill-conditioned: the other parameters stop short.  The limit
 * is itself a law, E' + A' dG/dalpha (here -ln N), with alpha fixed: the
 * column that tends into the span of the others is replaced by its
 * derivative at the limit (exact, from the dual numbers), and the other
 * nonlinear parameters are searched as usual.  Where that law fits at
 * least as well, the result is written back in the user's form at a
 * theta_j beside the limit where the truncation of the limit's expansion
 * and the rounding of the cancelling coefficients balance, so that the
 * parameters returned predict the limit at the data.
 */
typedef struct LimitCtx
{
	SlfBound   *bound;
	int			M,
				q,
				m;
	int			col;			/* the column that tends into the others' span */
	int			j;				/* the nonlinear parameter that takes it there */
	double		theta_star;		/* where */
	double	   *G,
			   *g0,
			   *dG,
			   *dg0;			/* scratch of the full law */
} LimitCtx;

static void
full_theta(const LimitCtx *lc, const double *theta, double *full)
{
	for (int j = 0, r = 0; j < lc->q; j++)
		full[j] = j == lc->j ? lc->theta_star : theta[r++];
}

static bool
limit_columns(void *ctx, const double *theta, double *G, double *g0, double *dG, double *dg0)
{
	LimitCtx   *lc = ctx;
	size_t		m = (size_t) lc->m;
	double		full[SLF_MAX_NONLINEAR];

	full_theta(lc, theta, full);
	if (!slf_columns(lc->bound, full, lc->G, lc->g0, lc->dG, lc->dg0))
		return false;
	for (int c = 0; c < lc->M; c++)
	{
		const double *src = c == lc->col ? &lc->dG[((size_t) lc->j * lc->M + c) * m] : &lc->G[c * m];

		memcpy(&G[c * m], src, sizeof(double) * m);
	}
	if (g0)
		memcpy(g0, lc->g0, sizeof(double) * m);
	if (dG)
	{
		/* partials in the remaining parameters: the limit column depends on theta_j alone */
		for (int jj = 0, r = 0; jj < lc->q; jj++)
		{
			if (jj == lc->j)
				continue;
			for (int c = 0; c < lc->M; c++)
			{
				double	   *to = &dG[((size_t) r * lc->M + c) * m];

				if (c == lc->col)
					memset(to, 0, sizeof(double) * m);
				else
					memcpy(to, &lc->dG[((size_t) jj * lc->M + c) * m], sizeof(double) * m);
			}
			if (dg0)
				memcpy(&dg0[r * m], &lc->dg0[jj * m], sizeof(double) * m);
			r++;
		}
	}
	return true;
}

/*
 * Least squares of v on the columns in cols (of G, m x M): coefficients
 * into beta, true when v lies in their span to within 1e-10 of its norm.
 */
static bool
in_span(const double *G, int m, int M, const bool *cols, const double *v, double *beta)
{
	int			idx[SLF_MAX_COLUMNS],
				n = 0;
	double		A[SLF_MAX_COLUMNS * SLF_MAX_COLUMNS],
				b[SLF_MAX_COLUMNS],
				vv = 0.0,
				rr = 0.0;

	for (int c = 0; c < M; c++)
		if (cols[c])
			idx[n++] = c;
	if (n == 0 || n > 16)
		return false;
	/* normal equations: n is the handful of cancelling columns */
	for (int a = 0; a < n; a++)
	{
		b[a] = 0.0;
		for (int i = 0; i < m; i++)
			b[a] += G[(size_t) idx[a] * m + i] * v[i];
		for (int c = 0; c < n; c++)
		{
			double		sum = 0.0;

			for (int i = 0; i < m; i++)
				sum += G[(size_t) idx[a] * m + i] * G[(size_t) idx[c] * m + i];
			A[a * n + c] = sum;
		}
	}
	if (!small_solve(A, n, b))
		return false;
	for (int i = 0; i < m; i++)
	{
		double		r = v[i];

		for (int a = 0; a < n; a++)
			r -= b[a] * G[(size_t) idx[a] * m + i];
		rr += r * r;
		vv += v[i] * v[i];
	}
	memset(beta, 0, sizeof(double) * M);
	for (int a = 0; a < n; a++)
		beta[idx[a]] = b[a];
	return vv > 0.0 && rr <= 1e-20 * vv;
}

/*
 * Tries the limit of res (diverging columns div, nonlinear params nl_div):
 * replaces res by the limit written in the user's form when the limit
 * fits at least as well.  Handles one nonlinear parameter driving one
 * column into the span of the other diverging ones at theta_j = 0; leaves
 * res alone otherwise (it still predicts the limit, flagged).
 */
static FormulaStatus
limit_refit(SlfBound *bound, const SlModel *model, const SlEnginePoints *ep,
			const SlEngineOptions *eo, const bool *div, const bool *nl_div,
			SlEngineResult *res, const SlAlloc *al)
{
	int			M = model->n_cols,
				q = model->n_nl,
				m = ep->m;
	size_t		mm = (size_t) m;
	LimitCtx	lc;
	SlModel		lm;
	SlEngineResult lres;
	SlEngineStatus est;
	double		full[SLF_MAX_NONLINEAR],
				beta[SLF_MAX_COLUMNS];
	bool		others[SLF_MAX_COLUMNS] = {false};
	int			j = -1,
				col = -1;
	double	   *buf;
	double		rss_coef,
				rss_noise,
				delta,
				side;

	for (int jj = 0; jj < q; jj++)
		if (nl_div[jj])
		{
			if (j >= 0)
				return FF_OK;	/* more than one parameter runs to a limit */
			j = jj;
		}
	if (j < 0 || !(model->nl_lo[j] <= 0.0 && model->nl_hi[j] >= 0.0))
		return FF_OK;
	buf = al->alloc(al->ctx, sizeof(double) * mm * ((size_t) M * (size_t) (q + 1) + (size_t) (q + 1)));
	if (buf == NULL)
		return FF_NO_MEMORY;
	memset(&lc, 0, sizeof(lc));
	lc.bound = bound;
	lc.M = M;
	lc.q = q;
	lc.m = m;
	lc.j = j;
	lc.theta_star = 0.0;
	lc.G = buf;
	lc.dG = lc.G + mm * (size_t) M;
	lc.g0 = lc.dG + mm * (size_t) M * (size_t) q;
	lc.dg0 = lc.g0 + mm;
	/*
	 * What the fit's own coefficients give: near the limit the engine's
	 * RSS, from the projection, is below what its cancelling coefficients
	 * can reproduce in doubles.
	 */
	if (!slf_columns(bound, res->theta, lc.G, lc.g0, NULL, NULL))
		goto keep;
	{
		dd_t		acc = dd_from(ep->ss_within);
		double		size = 0.0,
					wsum = 0.0;

		for (int i = 0; i < m; i++)
		{
			double		r = ep->y[i] - (model->has_offset ? lc.g0[i] : 0.0),
						terms = 0.0;

			sl_check_interrupts_every(al, (uint64_t) i);
			for (int c = 0; c < M; c++)
			{
				r -= res->coef[c] * lc.G[(size_t) c * mm + i];
				terms += fabs(res->coef[c] * lc.G[(size_t) c * mm + i]);
			}
			acc = dd_add(acc, dd_mul(dd_from(ep->w[i] * r), dd_from(r)));
			size = fmax(size, terms);
			wsum += ep->w[i];
		}
		rss_coef = acc.hi + acc.lo;

		/*
		 * The rounding of terms of this size moves each residual by about
		 * eps * size, and the RSS by up to 2 eps size sqrt(W RSS): within
		 * that, the two fits are the same and the limit is the one meant.
		 */
		rss_noise = 8.0 * DBL_EPSILON * size * sqrt(wsum * rss_coef);
	}
	/* the columns at the limit: exactly one diverging column moves with theta_j */
	memcpy(full, res->theta, sizeof(double) * q);
	full[j] = 0.0;
	if (!slf_columns(bound, full, lc.G, lc.g0, lc.dG, lc.dg0))
		goto keep;
	for (int c = 0; c < M; c++)
	{
		if (!div[c])
			continue;
		if (column_depends(lc.dG, M, mm, m, c, j))
		{
			if (col >= 0)
				goto keep;
			col = c;
		}
		else
			others[c] = true;
		/* a bound on a diverging coefficient has no meaning in the limit */
		if (isfinite(model->col_lo[c]) || isfinite(model->col_hi[c]))
			goto keep;
	}
	if (col < 0)
		goto keep;
	for (int jj = 0; jj < q; jj++)
		if (jj != j && column_depends(lc.dG, M, mm, m, col, jj))
			goto keep;
	if (!in_span(lc.G, m, M, others, &lc.G[(size_t) col * mm], beta))
		goto keep;
	delta = limit_delta(&lc.G[(size_t) col * mm], &lc.dG[((size_t) j * M + col) * mm], m, 1.0);
	if (delta == 0.0)
		goto keep;
	lc.col = col;

	/* the limit law: theta_j removed, column col its derivative */
	lm = *model;
	lm.ctx = &lc;
	lm.columns = limit_columns;
	lm.n_nl = q - 1;
	for (int jj = j; jj < q - 1; jj++)
	{
		lm.centre[jj] = model->centre[jj + 1];
		lm.scale[jj] = model->scale[jj + 1];
		lm.u_lo[jj] = model->u_lo[jj + 1];
		lm.u_hi[jj] = model->u_hi[jj + 1];
		lm.nl_lo[jj] = model->nl_lo[jj + 1];
		lm.nl_hi[jj] = model->nl_hi[jj + 1];
	}
	{
		/*
		 * After a search on a subsample (eo has starts), the limit law is
		 * polished from the fit's own optimum rather than searched again
		 * on every point.
		 */
		SlEngineOptions lo = {.effort = eo->effort};

		if (eo->n_starts > 0)
		{
			lo.n_starts = 1;
			for (int jj = 0, r = 0; jj < q; jj++)
				if (jj != j)
					lo.starts[0][r++] = res->theta[jj];
		}
		est = sl_engine_fit(ep, &lm, &lo, al, &lres);
	}
	if (est == SL_ENGINE_NO_MEMORY)
	{
		al->free(al->ctx, buf);
		return FF_NO_MEMORY;
	}
	if (est != SL_ENGINE_OK ||
		!(lres.rss <= fmax(res->rss, rss_coef) * (1.0 + 1e-12) + rss_noise))
		goto keep;

	/* back to the user's form beside the limit, on the side the fit approached it from */
	side = res->theta[j] < 0.0 ? -1.0 : 1.0;
	if ((side > 0.0 && !(model->nl_hi[j] > 0.0)) || (side < 0.0 && !(model->nl_lo[j] < 0.0)))
		side = -side;
	delta *= side;
	if (delta > model->nl_hi[j] || delta < model->nl_lo[j])
		goto keep;
	{
		double		theta[SLF_MAX_NONLINEAR],
					coef[SLF_MAX_COLUMNS];

		full_theta(&lc, lres.theta, theta);
		theta[j] = delta;
		memcpy(coef, lres.coef, sizeof(double) * M);
		limit_to_user_form(coef, M, col, beta, delta);
		memcpy(res->theta, theta, sizeof(double) * q);
		memcpy(res->coef, coef, sizeof(double) * M);
		for (int jj = 0, r = 0; jj < q; jj++)
			if (jj != j)
			{
				res->nl_at_bound[jj] = lres.nl_at_bound[r];
				res->nl_at_cap[jj] = lres.nl_at_cap[r];
				r++;
			}
		res->nl_at_bound[j] = false;
		res->nl_at_cap[j] = false;
		res->rss = lres.rss;
		res->converged = lres.converged;
		res->iterations = lres.iterations;
		res->rank_deficient = lres.rank_deficient;
		for (int c = 0; c < M; c++)
		{
			res->col_at_bound[c] = lres.col_at_bound[c];
			res->col_dependent[c] = lres.col_dependent[c];
		}
	}
keep:
	al->free(al->ctx, buf);
	return FF_OK;
}

/* 0 bounds theta_j's range, which holds more than 0 */
static bool
zero_bounds_range(const SlModel *model, int j)
{
	return (model->nl_lo[j] == 0.0 && model->nl_hi[j] > 0.0) ||
		(model->nl_hi[j] == 0.0 && model->nl_lo[j] < 0.0);
}

/*
 * Finds the limits on bounds of the model (see BoundLimit) with the law's
 * columns at a point inside the search box (theta_j = 0); leaves
 * mc->any_limit false when there are none.  The scratch it leaves in mc
 * serves model_columns.
 */
static FormulaStatus
find_bound_limits(ModelCtx *mc, const SlModel *model, const SlAlloc *al)
{
	int			M = mc->M,
				q = mc->q,
				m = mc->m;
	size_t		mm = (size_t) m;
	double		probe[SLF_MAX_NONLINEAR];
	bool		fixed[SLF_MAX_COLUMNS];
	bool		candidate = false;

	for (int j = 0; j < q; j++)
		candidate = candidate || zero_bounds_range(model, j);
	if (!candidate || M < 2)
		return FF_OK;
	mc->G = al->alloc(al->ctx, sizeof(double) * mm * ((size_t) M * (size_t) (q + 1) + (size_t) (q + 1)));
	if (mc->G == NULL)
		return FF_NO_MEMORY;
	mc->dG = mc->G + mm * (size_t) M;
	mc->g0 = mc->dG + mm * (size_t) M * (size_t) q;
	mc->dg0 = mc->g0 + mm;
	for (int j = 0; j < q; j++)
	{
		double		u = 0.5 * model->u_lo[j] + 0.5 * model->u_hi[j];
		double		t = model->centre[j] + model->scale[j] * sinh(u);

		probe[j] = t < model->nl_lo[j] ? model->nl_lo[j] : (t > model->nl_hi[j] ? model->nl_hi[j] : t);
	}
	for (int j = 0; j < q; j++)
	{
		BoundLimit *lim = &mc->lim[j];
		double		theta[SLF_MAX_NONLINEAR];
		int			col = -1;
		bool		ok = true;

		if (!zero_bounds_range(model, j))
			continue;
		memcpy(theta, probe, sizeof(double) * q);
		theta[j] = 0.0;
		if (!slf_columns(mc->bound, theta, mc->G, mc->g0, mc->dG, mc->dg0))
			continue;
		for (int c = 0; c < M && ok; c++)
		{
			bool		moves = false;

			for (int jj = 0; jj < q; jj++)
				moves = moves || column_depends(mc->dG, M, mm, m, c, jj);
			fixed[c] = !moves;
			if (column_depends(mc->dG, M, mm, m, c, j))
			{
				ok = col < 0;
				col = c;
			}
		}
		for (int i = 0; i < m && ok && mc->has_offset; i++)
			ok = mc->dg0[(size_t) j * mm + i] == 0.0;
		if (!ok || col < 0)
			continue;
		for (int jj = 0; jj < q && ok; jj++)
			ok = jj == j || !column_depends(mc->dG, M, mm, m, col, jj);
		if (!ok || !in_span(mc->G, m, M, fixed, &mc->G[(size_t) col * mm], lim->beta))
			continue;
		for (int c = 0; c < M && ok; c++)
			if (c == col || (fixed[c] && lim->beta[c] != 0.0))
				ok = !isfinite(model->col_lo[c]) && !isfinite(model->col_hi[c]);
		if (!ok)
			continue;
		lim->delta = limit_delta(&mc->G[(size_t) col * mm], &mc->dG[((size_t) j * M + col) * mm], m,
								 model->nl_hi[j] > 0.0 ? 1.0 : -1.0);
		if (!(lim->delta >= model->nl_lo[j] && lim->delta <= model->nl_hi[j]) || lim->delta == 0.0)
			continue;
		lim->col = col;
		lim->on = true;
		mc->any_limit = true;
	}
	return FF_OK;
}

/*
 * An optimum at a limit on a bound (theta_j = 0, col the coefficient of
 * the derivative column) back in the user's form at theta_j = delta:
 * c_col = c' / delta, and the fixed columns absorb -c_col beta.  Flags
 * the parameters of the terms that diverge in flags (by column, and by
 * nonlinear parameter).  False when nothing was written back.
 */
static bool
write_back_limit(const ModelCtx *mc, SlEngineResult *res, bool *div_col, bool *div_nl)
{
	bool		any = false;

	for (int j = 0; j < mc->q && mc->any_limit; j++)
	{
		const BoundLimit *lim = &mc->lim[j];

		if (!lim->on || res->theta[j] != 0.0)
			continue;
		any = true;
		if (res->coef[lim->col] == 0.0)
			continue;			/* no term: the law at theta_j = 0 is the limit itself */
		limit_to_user_form(res->coef, mc->M, lim->col, lim->beta, lim->delta);
		res->theta[j] = lim->delta;
		res->nl_at_bound[j] = false;
		div_nl[j] = true;
		for (int c = 0; c < mc->M; c++)
			div_col[c] = div_col[c] || c == lim->col || lim->beta[c] != 0.0;
	}
	return any;
}

/* the columns of a and b are the same (sign +1) or negated (-1) bit for bit, else 0 */
static int
column_sign(const double *a, const double *b, int m)
{
	bool		same = true,
				negated = true;

	for (int i = 0; i < m && (same || negated); i++)
	{
		double		nb = -b[i];

		same = same && memcmp(&a[i], &b[i], sizeof(double)) == 0;
		negated = negated && memcmp(&a[i], &nb, sizeof(double)) == 0;
	}
	return same ? 1 : (negated ? -1 : 0);
}

/*
 * Sign symmetries of the optimum.  Where negating a searched parameter
 * theta_j leaves every column as it is or negates it (cos(w t) and
 * sin(w t) in w; exp(-((x - m) / s)^2) / s in s), -theta_j with the
 * negated columns' coefficients negated is the same law, and the
 * canonical form takes theta_j >= 0 (as NIST writes ENSO's periods and
 * Eckerle4's width).  Tested on the points themselves, bit for bit, and
 * only where the bounds admit the other sign.
 */
static FormulaStatus
canonical_signs(SlfBound *bound, const SlModel *model, int m, SlEngineResult *res,
				const SlAlloc *al)
{
	int			M = model->n_cols,
				q = model->n_nl;
	size_t		mm = (size_t) m;
	double	   *G,
			   *G2,
			   *g0,
			   *g02;
	bool		any = false;

	for (int j = 0; j < q; j++)
		any = any || (res->theta[j] < 0.0 && -res->theta[j] <= model->nl_hi[j]);
	if (!any || M == 0)
		return FF_OK;
	G = al->alloc(al->ctx, sizeof(double) * mm * 2 * (size_t) (M + 1));
	if (G == NULL)
		return FF_NO_MEMORY;
	G2 = G + mm * (size_t) M;
	g0 = G2 + mm * (size_t) M;
	g02 = g0 + mm;
	for (int j = 0; j < q; j++)
	{
		double		theta[SL_ENGINE_MAX_NL];
		int			sign[SL_ENGINE_MAX_COLS];
		bool		symmetric = true;

		if (!(res->theta[j] < 0.0 && -res->theta[j] <= model->nl_hi[j]))
			continue;
		memcpy(theta, res->theta, sizeof(double) * q);
		memset(g0, 0, sizeof(double) * mm);
		memset(g02, 0, sizeof(double) * mm);
		if (!slf_columns(bound, theta, G, g0, NULL, NULL))
			continue;
		theta[j] = -theta[j];
		if (!slf_columns(bound, theta, G2, g02, NULL, NULL))
			continue;
		if (model->has_offset && column_sign(g0, g02, m) != 1)
			continue;
		for (int c = 0; c < M && symmetric; c++)
		{
			double		flipped = -res->coef[c];

			sign[c] = column_sign(&G[(size_t) c * mm], &G2[(size_t) c * mm], m);
			symmetric = sign[c] != 0 &&
				(sign[c] > 0 || (flipped >= model->col_lo[c] && flipped <= model->col_hi[c]));
		}
		if (!symmetric)
			continue;
		res->theta[j] = theta[j];
		for (int c = 0; c < M; c++)
			if (sign[c] < 0)
				res->coef[c] = -res->coef[c] + 0.0;
	}
	al->free(al->ctx, G);
	return FF_OK;
}

/* more distinct points than this: the search runs on an even subsample first */
#define SEARCH_SUBSAMPLE 2048

/*
 * The search on an even subsample of the sorted points, as the presets'
 * grid does: its best optima become eo's starts, which the engine then
 * polishes on every point.  Leaves eo alone when the subsample has no fit
 * (the search then runs on every point).
 */
static FormulaStatus
subsample_starts(const SlFormula *f, const SortedPoints *pts, const double *y_engine,
				 const SlModel *model, SlEngineOptions *eo, const SlAlloc *al)
{
	int			ms = SEARCH_SUBSAMPLE,
				k = pts->k;
	double	   *buf = al->alloc(al->ctx, sizeof(double) * (size_t) ms * (size_t) (k + 2));
	double	   *x,
			   *w,
			   *y;
	ModelCtx	sctx;
	SlModel		sm = *model;
	SlEnginePoints sp;
	SlEngineOptions so = {.effort = eo->effort};
	SlEngineResult sres;
	SlfError	err;
	FormulaStatus status = FF_OK;

	if (buf == NULL)
		return FF_NO_MEMORY;
	x = buf;
	w = x + (size_t) ms * (size_t) k;
	y = w + ms;
	for (int s = 0; s < ms; s++)
	{
		/* evenly from the first point to the last: the extremes bound locations and the like */
		size_t		i = (size_t) ((double) s * (pts->m - 1) / (ms - 1) + 0.5);

		memcpy(&x[(size_t) s * k], &pts->x[i * (size_t) k], sizeof(double) * (size_t) k);
		w[s] = pts->w[i];
		y[s] = y_engine[i];
	}
	memset(&sctx, 0, sizeof(sctx));
	sctx.bound = slf_bind(f, x, ms, al, &err);
	if (sctx.bound == NULL)
	{
		al->free(al->ctx, buf);
		return err.kind == SLF_ERR_NO_MEMORY ? FF_NO_MEMORY : FF_OK;
	}
	sctx.M = model->n_cols;
	sctx.q = model->n_nl;
	sctx.m = ms;
	sctx.has_offset = model->has_offset;
	sm.ctx = &sctx;
	status = find_bound_limits(&sctx, &sm, al);
	sp.m = ms;
	sp.w = w;
	sp.y = y;
	sp.ss_within = 0.0;
	if (status == FF_OK)
		switch (sl_engine_fit(&sp, &sm, &so, al, &sres))
		{
			case SL_ENGINE_OK:
				eo->n_starts = sres.n_optima;
				memcpy(eo->starts, sres.optima, sizeof(eo->starts));
				break;
			case SL_ENGINE_NO_MEMORY:
				status = FF_NO_MEMORY;
				break;
			default:
				break;
		}
	if (sctx.G)
		al->free(al->ctx, sctx.G);
	slf_bound_free(sctx.bound, al);
	al->free(al->ctx, buf);
	return status;
}

FormulaStatus
formula_fit(const SlFormula *f, const SortedPoints *pts, const FormulaSpec *spec,
			const SlAlloc *al, FormulaFit *out, SlfError *err)
{
	int			n_par = slf_n_params(f),
				M = slf_n_columns(f),
				q = slf_n_nonlinear(f);
	bool		offset = slf_has_offset(f);
	int			e = pts->y_exp;
	int			ye = offset ? 0 : e;	/* the engine's y is y * 2^-ye */
	double	   *y = NULL;
	const double *y_engine = pts->y;
	SlfBound   *bound;
	ModelCtx	mctx;
	SlModel		model;
	SlEnginePoints ep;
	SlEngineOptions eo;
	SlEngineResult res;
	SlEngineStatus est;
	InputRange	ranges[SLF_MAX_INPUTS];
	double		coef[SLF_MAX_COLUMNS];
	double		rss_s,
				tss_s,
				mean_sq;
	bool		limit_flags[SLF_MAX_PARAMS] = {false};
	bool		div_col[SLF_MAX_COLUMNS],
				div_nl[SLF_MAX_NONLINEAR];
	FormulaStatus status = FF_OK;

	memset(out, 0, sizeof(*out));
	out->n_params = n_par;
	out->n = pts->n_rows;
	for (int p = 0; p < n_par; p++)
		out->params[p] = out->std_err[p] = NAN;
	for (int p = 0; p < n_par * n_par; p++)
		out->cov[p] = NAN;
	if (pts->k != slf_n_inputs(f))
		return FF_UNDETERMINED;
	if (pts->m < M + q)
	{
		out->fail_count = pts->m;
		out->fail_need = M + q;
		return FF_TOO_FEW_POINTS;
	}

	/*
	 * An offset (terms without a linear parameter) does not scale with y:
	 * the engine then sees y itself, else y scaled by 2^-e as the presets.
	 */
	if (offset && e != 0)
	{
		y = al->alloc(al->ctx, sizeof(double) * (size_t) (pts->m > 0 ? pts->m : 1));
		if (y == NULL)
			return FF_NO_MEMORY;
		for (int32_t i = 0; i < pts->m; i++)
		{
			y[i] = ldexp(pts->y[i], e);
			if (!isfinite(y[i]))
			{
				al->free(al->ctx, y);
				out->fail_param = -1;
				return FF_OVERFLOW;
			}
		}
		y_engine = y;
	}

	bound = slf_bind(f, pts->x, pts->m, al, err);
	if (bound == NULL)
	{
		if (y)
			al->free(al->ctx, y);
		return err->kind == SLF_ERR_NO_MEMORY ? FF_NO_MEMORY : FF_NOT_FINITE;
	}
	input_ranges(pts, ranges, al);

	memset(&model, 0, sizeof(model));
	memset(&mctx, 0, sizeof(mctx));
	mctx.bound = bound;
	mctx.M = M;
	mctx.q = q;
	mctx.m = pts->m;
	mctx.has_offset = offset;
	model.n_cols = M;
	model.n_nl = q;
	model.has_offset = offset;
	model.ctx = &mctx;
	model.columns = model_columns;
	for (int j = 0; j < q; j++)
	{
		int			p = slf_nonlinear_param(f, j);
		double		c,
					s,
					ulo,
					uhi;

		search_coordinate(f, j, ranges, &c, &s, &ulo, &uhi);
		/* the user's search box, else the default one within the bounds */
		if (!isnan(spec->search_lo[p]))
			ulo = u_of(spec->search_lo[p], c, s);
		if (!isnan(spec->search_hi[p]))
			uhi = u_of(spec->search_hi[p], c, s);
		if (isfinite(spec->lo[p]))
			ulo = fmax(ulo, u_of(spec->lo[p], c, s));
		if (isfinite(spec->hi[p]))
			uhi = fmin(uhi, u_of(spec->hi[p], c, s));
		if (!(ulo <= uhi))
		{
			/* a search box outside the bounds: search the bounds' side of it */
			double		at = isfinite(spec->lo[p]) && ulo > uhi ? u_of(spec->lo[p], c, s) : uhi;

			ulo = uhi = at;
		}
		model.centre[j] = c;
		model.scale[j] = s;
		model.u_lo[j] = ulo;
		model.u_hi[j] = uhi;
		model.nl_lo[j] = spec->lo[p];
		model.nl_hi[j] = spec->hi[p];
	}
	for (int c = 0; c < M; c++)
	{
		int			p = slf_column_param(f, c);

		model.col_lo[c] = p >= 0 ? ldexp(spec->lo[p], -ye) : -INFINITY;
		model.col_hi[c] = p >= 0 ? ldexp(spec->hi[p], -ye) : INFINITY;
	}

	ep.m = pts->m;
	ep.w = pts->w;
	ep.y = y_engine;
	ep.ss_within = offset ? ldexp(pts->ss_within, 2 * e) : pts->ss_within;
	memset(&eo, 0, sizeof(eo));
	eo.effort = spec->effort;
	if (q > 0 && pts->m > SEARCH_SUBSAMPLE)
		status = subsample_starts(f, pts, y_engine, &model, &eo, al);
	if (status == FF_OK)
		status = find_bound_limits(&mctx, &model, al);
	est = status == FF_OK ? sl_engine_fit(&ep, &model, &eo, al, &res) : SL_ENGINE_NO_MEMORY;
	/* the subsample's optima inadmissible at some other point: search every point */
	if (est == SL_ENGINE_UNDETERMINED && eo.n_starts > 0)
	{
		eo.n_starts = 0;
		est = sl_engine_fit(&ep, &model, &eo, al, &res);
	}
	if (y)
		al->free(al->ctx, y);
	switch (est)
	{
		case SL_ENGINE_OK:
			break;
		case SL_ENGINE_UNDETERMINED:
			status = FF_UNDETERMINED;
			break;
		case SL_ENGINE_INFEASIBLE:
			status = FF_INFEASIBLE;
			break;
		case SL_ENGINE_NO_MEMORY:
			status = FF_NO_MEMORY;
			break;
		case SL_ENGINE_INVALID:
			/* a model this file built wrongly: never the data's fault */
			status = FF_INVALID;
			break;
	}
	memset(div_col, 0, sizeof(div_col));
	memset(div_nl, 0, sizeof(div_nl));
	if (status == FF_OK && !write_back_limit(&mctx, &res, div_col, div_nl))
	{
		status = diverging_terms(f, bound, pts->m, y_engine_scale(pts, ye, al), &res,
								 div_col, div_nl, al);
		if (status == FF_OK)
			status = limit_refit(bound, &model, &ep, &eo, div_col, div_nl, &res, al);
	}
	if (status == FF_OK)
		status = canonical_signs(bound, &model, pts->m, &res, al);
	if (mctx.G)
		al->free(al->ctx, mctx.G);
	slf_bound_free(bound, al);
	/* the diverging terms' parameters are flagged: the optimum is only approached */
	for (int c = 0; c < M; c++)
		if (div_col[c] && slf_column_param(f, c) >= 0)
			limit_flags[slf_column_param(f, c)] = true;
	for (int j = 0; j < q; j++)
		if (div_nl[j])
			limit_flags[slf_nonlinear_param(f, j)] = true;
	if (status != FF_OK)
		return status;

	/* the user's parameters, in canonical form, within their bounds */
	for (int c = 0; c < M; c++)
		coef[c] = ldexp(res.coef[c], ye);
	if (!slf_params_from_solution(f, res.theta, coef, out->params))
	{
		/* a chain's divisor is 0: what it divides is not determined */
		for (int p = 0; p < n_par; p++)
			if (isnan(out->params[p]))
				out->at_bound[p] = true;
	}
	/*
	 * A column dependent on the others at the optimum has no coefficient of
	 * its own: its parameter is not determined (NULL, flagged).
	 */
	for (int c = 0; c < M; c++)
	{
		int			p = slf_column_param(f, c);

		if (res.col_dependent[c] && p >= 0)
		{
			out->params[p] = NAN;
			out->at_bound[p] = true;
		}
	}
	/* an optimum not attained within the search's reach, or only approached as terms diverge: flagged */
	for (int j = 0; j < q; j++)
		if (res.nl_at_cap[j])
			out->at_bound[slf_nonlinear_param(f, j)] = out->at_cap[slf_nonlinear_param(f, j)] = true;
	for (int p = 0; p < n_par; p++)
		if (limit_flags[p])
			out->at_bound[p] = out->at_limit[p] = true;
	/* the flags move with their parameters */
	{
		double		moved[SLF_MAX_PARAMS];

		memcpy(moved, out->params, sizeof(moved));
		slf_canonicalize_within(f, moved, out->at_limit, spec->lo, spec->hi);
		memcpy(moved, out->params, sizeof(moved));
		slf_canonicalize_within(f, moved, out->at_cap, spec->lo, spec->hi);
	}
	slf_canonicalize_within(f, out->params, out->at_bound, spec->lo, spec->hi);
	for (int p = 0; p < n_par; p++)
	{
		double		v = out->params[p];

		if (isnan(v))
			continue;
		if (v <= spec->lo[p])
			v = spec->lo[p];
		if (v >= spec->hi[p])
			v = spec->hi[p];
		out->params[p] = v + 0.0;	/* one zero */
		if (v == spec->lo[p] || v == spec->hi[p])
			out->at_bound[p] = true;
	}
	out->converged = res.converged && !res.rank_deficient;
	out->iterations = res.iterations;

	/* RSS of the parameters returned, in y scaled by 2^-e */
	rss_s = scaled_rss(f, pts, out->params, e, al);
	if (!isfinite(rss_s))
		rss_s = offset ? ldexp(res.rss, -2 * e) : res.rss;
	tss_s = scaled_tss(pts, &mean_sq, al);
	out->rss = ldexp(rss_s, 2 * e);
	out->rmse = ldexp(sqrt(rss_s / (double) pts->n_rows), e);
	if (!isfinite(out->rmse))
	{
		out->fail_param = -1;
		status = FF_OVERFLOW;
	}
	/* no variance beyond the rounding of y's mean square: r2 undefined */
	out->r2 = tss_s > 0x1p-90 * mean_sq ? 1.0 - rss_s / tss_s : NAN;
	for (int p = 0; p < n_par && status == FF_OK; p++)
		if (isinf(out->params[p]))
		{
			out->fail_param = p;
			status = FF_OVERFLOW;
		}
	if (status == FF_OK)
		std_errors(f, pts, out, e, rss_s, al);
	return status;
}
