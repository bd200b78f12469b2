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
#include "engine.h"
#include "formula_fit.h"

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

typedef struct ModelCtx
{
	SlfBound   *bound;
} ModelCtx;

static bool
model_columns(void *ctx, const double *theta, double *G, double *g0, double *dG, double *dg0)
{
	return slf_columns(((ModelCtx *) ctx)->bound, theta, G, g0, dG, dg0);
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
	FormulaStatus status = FF_OK;

	memset(out, 0, sizeof(*out));
	out->n_params = n_par;
	out->n = pts->n_rows;
	for (int p = 0; p < n_par; p++)
		out->params[p] = NAN;
	if (pts->k != slf_n_inputs(f))
		return FF_UNDETERMINED;
	if (pts->m < M + q)
		return FF_UNDETERMINED;

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
				return FF_UNDETERMINED;
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
	mctx.bound = bound;
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
	eo.effort = spec->effort;
	est = sl_engine_fit(&ep, &model, &eo, al, &res);
	slf_bound_free(bound, al);
	if (y)
		al->free(al->ctx, y);
	switch (est)
	{
		case SL_ENGINE_OK:
			break;
		case SL_ENGINE_UNDETERMINED:
			return FF_UNDETERMINED;
		case SL_ENGINE_INFEASIBLE:
			return FF_INFEASIBLE;
		case SL_ENGINE_NO_MEMORY:
			return FF_NO_MEMORY;
		case SL_ENGINE_INVALID:
			/* a model this file built wrongly: never the data's fault */
			return FF_INVALID;
	}

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
	slf_canonicalize(f, out->params);
	/* an optimum not attained within the search's reach: flagged */
	for (int j = 0; j < q; j++)
		if (res.nl_at_cap[j])
			out->at_bound[slf_nonlinear_param(f, j)] = true;
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

	/* RSS of the parameters returned, in y scaled by 2^-e */
	rss_s = scaled_rss(f, pts, out->params, e, al);
	if (!isfinite(rss_s))
		rss_s = offset ? ldexp(res.rss, -2 * e) : res.rss;
	tss_s = scaled_tss(pts, &mean_sq, al);
	out->rss = ldexp(rss_s, 2 * e);
	out->rmse = ldexp(sqrt(rss_s / (double) pts->n_rows), e);
	if (!isfinite(out->rmse))
		status = FF_UNDETERMINED;
	/* no variance beyond the rounding of y's mean square: r2 undefined */
	out->r2 = tss_s > 0x1p-90 * mean_sq ? 1.0 - rss_s / tss_s : NAN;
	for (int p = 0; p < n_par && status == FF_OK; p++)
		if (isinf(out->params[p]))
			status = FF_UNDETERMINED;
	return status;
}
