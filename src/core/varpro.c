/*
 * varpro.c -- variable projection for the power laws of power_law.h.
 *
 * For fixed exponents the law is linear in (l_inf, a, b, c): those come
 * from a least-squares solve (lsq.c).  What remains is a function of 1-3
 * exponents, minimised globally: a grid over the whole exponent box finds
 * the basins, Levenberg-Marquardt on the projected residual polishes the
 * best few.
 *
 * Conditioning.  Inputs enter as tau = (ln x - centre) / T, in [-1, 1], and
 * exponents as u = p T (dimensionless).  Each power term is written in its
 * Box-Cox form (1 - exp(-u tau)) / u, which tends to tau as u -> 0: the
 * basis stays smooth through u = 0, so the search can reach or cross it and
 * the solve stays well conditioned where l_inf and a run off to infinity.
 * y is centred and scaled.  User coefficients are recovered only at the end.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lsq.h"
#include "power_law.h"

#define U_MAX 60.0				/* |u| cap: exp(60) ~ 1e26 across the data */
#define GRID_SOFT 0.5			/* grid uniform in asinh(u / GRID_SOFT) */
#define MAX_STARTS 4
#define LM_MAX_ITER 200

static const int grid_points[SL_MAX_INPUTS + 1] = {0, 161, 41, 15};

typedef struct Problem
{
	int			k;
	int			n;				/* linear coefficients, k + 1 */
	int			m;				/* points */
	const double *tau;			/* k * m, input j at tau[j*m + i] */
	const double *sw;			/* sqrt(weight) */
	const double *ys;			/* scaled, weighted y: sw * (y - ym) / ysd */
	double		centre[SL_MAX_INPUTS];
	double		T[SL_MAX_INPUTS];
	double		ym,
				ysd;
	double		ulo[SL_MAX_INPUTS],
				uhi[SL_MAX_INPUTS];
	const PowerLawSpec *spec;
	bool		lin_bounded;
	/* workspace */
	double	   *A,
			   *A0,
			   *b,
			   *work,
			   *col_norm;
	int			lwork;
	SlInterruptFn interrupt;
	long		evals;
} Problem;

/* Box-Cox basis (1 - exp(-u t)) / u and its limit t */
static inline double
boxcox(double u, double t)
{
	double		z = u * t;

	if (z == 0.0)
		return t;
	if (fabs(z) < 1e-5)
		return t * (1.0 - z / 2.0 + z * z / 6.0);
	return -expm1(-z) / u;
}

/*
 * Constraints on the scaled linear coefficients c = (c0, c1..ck) equivalent
 * to the user's bounds on l_inf and a, b, c at exponents u.
 *   l_inf = ym + ysd (c0 + sum_{u_j != 0} c_j / u_j)      (finite only if
 *           c_j = 0 wherever u_j = 0)
 *   a_j   = -ysd c_j exp(u_j centre_j / T_j) / u_j,  or -ysd c_j / T_j at u_j = 0
 */
static int
build_constraints(const Problem *P, const double *u, LinConstraint *cons)
{
	const PowerLawSpec *s = P->spec;
	int			nc = 0;
	bool		l_bounded = isfinite(s->lin_lo[0]) || isfinite(s->lin_hi[0]);

	if (l_bounded)
	{
		LinConstraint *lc = &cons[nc++];

		memset(lc->g, 0, sizeof(lc->g));
		lc->g[0] = 1.0;
		for (int j = 0; j < P->k; j++)
			if (u[j] != 0.0)
				lc->g[j + 1] = 1.0 / u[j];
		lc->lo = (s->lin_lo[0] - P->ym) / P->ysd;
		lc->hi = (s->lin_hi[0] - P->ym) / P->ysd;
		for (int j = 0; j < P->k; j++)
			if (u[j] == 0.0)
			{
				lc = &cons[nc++];
				memset(lc->g, 0, sizeof(lc->g));
				lc->g[j + 1] = 1.0;
				lc->lo = lc->hi = 0.0;
			}
	}
	for (int j = 0; j < P->k; j++)
	{
		double		lo = s->lin_lo[j + 1],
					hi = s->lin_hi[j + 1];
		double		f;			/* c_j = a_j * f */
		LinConstraint *lc;

		if (!isfinite(lo) && !isfinite(hi))
			continue;
		if (u[j] == 0.0)
			f = -P->T[j] / P->ysd;
		else
			f = -u[j] * exp(-u[j] * P->centre[j] / P->T[j]) / P->ysd;
		lc = &cons[nc++];
		memset(lc->g, 0, sizeof(lc->g));
		lc->g[j + 1] = 1.0;
		if (f == 0.0)
		{
			lc->lo = -INFINITY;
			lc->hi = INFINITY;
		}
		else if (f > 0.0)
		{
			lc->lo = isfinite(lo) ? lo * f : -INFINITY;
			lc->hi = isfinite(hi) ? hi * f : INFINITY;
		}
		else
		{
			lc->lo = isfinite(hi) ? hi * f : -INFINITY;
			lc->hi = isfinite(lo) ? lo * f : INFINITY;
		}
	}
	return nc;
}

/*
 * Projected residual at exponents u: returns the scaled RSS (INFINITY where
 * the basis is rank deficient or no admissible c exists); c and the
 * residual vector r (length m) are optional outputs.
 */
static double
evaluate(Problem *P, const double *u, double *c_out, double *r, bool *active)
{
	int			m = P->m,
				n = P->n;
	double		c[LSQ_MAX_COLS];
	double		rss;

	P->evals++;
	for (int i = 0; i < m; i++)
	{
		P->A[i] = P->sw[i];
		P->b[i] = P->ys[i];
	}
	for (int j = 0; j < P->k; j++)
	{
		double	   *col = P->A + (size_t) (j + 1) * m;
		const double *t = P->tau + (size_t) j * m;
		double		s = 0.0;

		for (int i = 0; i < m; i++)
		{
			col[i] = P->sw[i] * boxcox(u[j], t[i]);
			s += col[i] * col[i];
		}
		P->col_norm[j + 1] = sqrt(s);
		if (!isfinite(s))
			return INFINITY;
	}
	if (r)
		memcpy(P->A0, P->A, sizeof(double) * (size_t) m * n);
	if (!lsq_solve(P->A, m, n, P->col_norm, P->b, P->work, P->lwork, c, &rss))
		return INFINITY;
	if (P->lin_bounded)
	{
		LinConstraint cons[LSQ_MAX_ROWS];
		int			nc = build_constraints(P, u, cons);
		bool		act[LSQ_MAX_ROWS];

		if (!lsq_feasible(c, n, cons, nc, act))
		{
			double		cc[LSQ_MAX_COLS];
			double		extra;

			if (!lsq_constrained(P->A, m, n, c, cons, nc, cc, &extra, act))
				return INFINITY;
			memcpy(c, cc, sizeof(cc));
			rss += extra;
		}
		if (active)
			memcpy(active, act, sizeof(bool) * nc);
	}
	if (c_out)
		memcpy(c_out, c, sizeof(double) * n);
	if (r)
	{
		/* recompute the residual from the kept copy of the basis */
		double		s = 0.0;

		for (int i = 0; i < m; i++)
		{
			double		f = 0.0;

			for (int j = 0; j < n; j++)
				f += P->A0[i + (size_t) j * m] * c[j];
			r[i] = P->ys[i] - f;
			s += r[i] * r[i];
		}
		rss = s;
	}
	return rss;
}

static double
grid_value(const Problem *P, int j, int g, int G)
{
	double		flo = asinh(P->ulo[j] / GRID_SOFT);
	double		fhi = asinh(P->uhi[j] / GRID_SOFT);

	if (G == 1 || g == 0)
		return P->ulo[j];
	if (g == G - 1)
		return P->uhi[j];
	return GRID_SOFT * sinh(flo + (fhi - flo) * g / (G - 1));
}

static inline double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* Levenberg-Marquardt in u from u (in place); returns the final RSS */
static double
levenberg_marquardt(Problem *P, double *u, double f, double *r, double *rp,
					double *rm, double *J)
{
	int			k = P->k,
				m = P->m;
	double		lambda = 1e-3;

	f = evaluate(P, u, NULL, r, NULL);
	if (!isfinite(f))
		return f;
	for (int iter = 0; iter < LM_MAX_ITER; iter++)
	{
		double		g[SL_MAX_INPUTS],
					H[SL_MAX_INPUTS * SL_MAX_INPUTS];
		bool		free_var[SL_MAX_INPUTS];
		bool		improved = false;

		if (P->interrupt)
			P->interrupt();
		if (f == 0.0)
			break;
		for (int j = 0; j < k; j++)
		{
			double		h = 1e-6 * (1.0 > fabs(u[j]) ? 1.0 : fabs(u[j]));
			double		up[SL_MAX_INPUTS],
						um[SL_MAX_INPUTS];
			double		fp,
						fm;

			memcpy(up, u, sizeof(up));
			memcpy(um, u, sizeof(um));
			up[j] += h;
			um[j] -= h;
			fp = evaluate(P, up, NULL, rp, NULL);
			fm = evaluate(P, um, NULL, rm, NULL);
			if (!isfinite(fp) || !isfinite(fm))
			{
				/* one-sided where the other side is inadmissible */
				if (isfinite(fp))
				{
					for (int i = 0; i < m; i++)
						J[(size_t) j * m + i] = (rp[i] - r[i]) / h;
				}
				else if (isfinite(fm))
				{
					for (int i = 0; i < m; i++)
						J[(size_t) j * m + i] = (r[i] - rm[i]) / h;
				}
				else
					return f;
			}
			else
				for (int i = 0; i < m; i++)
					J[(size_t) j * m + i] = (rp[i] - rm[i]) / (2.0 * h);
		}
		for (int a = 0; a < k; a++)
		{
			double		s = 0.0;

			for (int i = 0; i < m; i++)
				s += J[(size_t) a * m + i] * r[i];
			g[a] = s;
			for (int b = 0; b <= a; b++)
			{
				double		t = 0.0;

				for (int i = 0; i < m; i++)
					t += J[(size_t) a * m + i] * J[(size_t) b * m + i];
				H[a * k + b] = H[b * k + a] = t;
			}
		}
		/* gradient of f/2 is g; a variable on a bound pushed outward stays */
		for (int j = 0; j < k; j++)
			free_var[j] = !((u[j] <= P->ulo[j] && g[j] > 0.0) ||
							(u[j] >= P->uhi[j] && g[j] < 0.0));
		while (lambda < 1e16)
		{
			double		M[SL_MAX_INPUTS * SL_MAX_INPUTS],
						d[SL_MAX_INPUTS];
			double		unew[SL_MAX_INPUTS];
			int			idx[SL_MAX_INPUTS],
						nf = 0;
			double		fnew;
			double		step = 0.0;

			for (int j = 0; j < k; j++)
				if (free_var[j])
					idx[nf++] = j;
			if (nf == 0)
				return f;
			for (int a = 0; a < nf; a++)
			{
				for (int b = 0; b < nf; b++)
					M[a * nf + b] = H[idx[a] * k + idx[b]];
				M[a * nf + a] += lambda * (H[idx[a] * k + idx[a]] + 1e-12);
				d[a] = -g[idx[a]];
			}
			if (!small_solve(M, nf, d))
			{
				lambda *= 4.0;
				continue;
			}
			memcpy(unew, u, sizeof(unew));
			for (int a = 0; a < nf; a++)
			{
				int			j = idx[a];

				unew[j] = clampd(u[j] + d[a], P->ulo[j], P->uhi[j]);
				step = fmax(step, fabs(unew[j] - u[j]) / (1.0 + fabs(u[j])));
			}
			if (step < 1e-15)
				return f;
			fnew = evaluate(P, unew, NULL, rp, NULL);
			if (fnew < f)
			{
				double		gain = f - fnew;

				memcpy(u, unew, sizeof(unew));
				memcpy(r, rp, sizeof(double) * m);
				f = fnew;
				lambda = fmax(lambda / 3.0, 1e-12);
				improved = true;
				if (gain <= 1e-15 * f && step < 1e-9)
					return f;
				break;
			}
			lambda *= 4.0;
		}
		if (!improved)
			break;
	}
	return f;
}

void
power_law_default_spec(PowerLawSpec *spec, int k)
{
	spec->k = k;
	for (int j = 0; j < SL_MAX_INPUTS; j++)
	{
		spec->exp_lo[j] = 0.0;
		spec->exp_hi[j] = INFINITY;
	}
	for (int j = 0; j <= SL_MAX_INPUTS; j++)
	{
		spec->lin_lo[j] = -INFINITY;
		spec->lin_hi[j] = INFINITY;
	}
}

double
power_term(double a, double alpha, double x)
{
	if (alpha == 0.0)
		return -a * log(x);
	return a * pow(x, -alpha);
}

double
power_law_predict(const PowerLawFit *fit, int k, const double *x)
{
	double		y = fit->l_inf;

	for (int j = 0; j < k; j++)
		y += power_term(fit->coef[j], fit->expo[j], x[j]);
	return y;
}

/* index of the grid point in a k-dimensional grid of G per side */
static void
grid_coords(int idx, int k, int G, int *g)
{
	for (int j = 0; j < k; j++)
	{
		g[j] = idx % G;
		idx /= G;
	}
}

FitStatus
power_law_fit(const SortedPoints *pts, const PowerLawSpec *spec,
			  const SlAlloc *al, SlInterruptFn interrupt, PowerLawFit *out)
{
	Problem		P;
	int			k = spec->k,
				m = pts->m,
				n = k + 1;
	int			G = grid_points[k];
	int			n_grid = 1;
	double	   *mem,
			   *tau,
			   *sw,
			   *ys,
			   *r,
			   *rp,
			   *rm,
			   *J,
			   *grid_f;
	size_t		words;
	double		W = 0.0,
				ym = 0.0,
				var = 0.0;
	double		best_u[SL_MAX_INPUTS] = {0};
	double		best_f = INFINITY;
	double		c[LSQ_MAX_COLS];
	bool		active[LSQ_MAX_ROWS];
	int			starts[MAX_STARTS],
				n_starts = 0;

	memset(out, 0, sizeof(*out));
	out->n = pts->n_rows;
	/* identifiability: enough points, three distinct values of each input */
	if (m < 2 * k + 1)
		return FIT_UNDETERMINED;
	for (int j = 0; j < k; j++)
		if (ps_distinct_inputs(pts, j, 3) < 3)
			return FIT_UNDETERMINED;
	for (int j = 0; j < k; j++)
		n_grid *= G;

	memset(&P, 0, sizeof(P));
	P.k = k;
	P.n = n;
	P.m = m;
	P.spec = spec;
	P.interrupt = interrupt;
	P.lwork = lsq_work_size(m, n);
	words = (size_t) m * (k + 1 + 1 + 2 * n + 1 + 3 + k) + P.lwork + n + n_grid;
	mem = al->alloc(al->ctx, sizeof(double) * words);
	if (mem == NULL)
		return FIT_NO_MEMORY;
	tau = mem;
	sw = tau + (size_t) k * m;
	ys = sw + m;
	P.A = ys + m;
	P.A0 = P.A + (size_t) n * m;
	P.b = P.A0 + (size_t) n * m;
	r = P.b + m;
	rp = r + m;
	rm = rp + m;
	J = rm + m;
	P.work = J + (size_t) k * m;
	P.col_norm = P.work + P.lwork;
	grid_f = P.col_norm + n;
	P.tau = tau;
	P.sw = sw;
	P.ys = ys;

	/* weights, centred log inputs, scaled y (sorted order: deterministic) */
	for (int i = 0; i < m; i++)
	{
		W += pts->w[i];
		sw[i] = sqrt(pts->w[i]);
	}
	for (int i = 0; i < m; i++)
		ym += pts->w[i] * pts->y[i];
	ym /= W;
	for (int i = 0; i < m; i++)
		var += pts->w[i] * (pts->y[i] - ym) * (pts->y[i] - ym);
	P.ym = ym;
	P.ysd = var > 0.0 ? sqrt(var / W) : (ym != 0.0 ? fabs(ym) : 1.0);
	for (int i = 0; i < m; i++)
		ys[i] = sw[i] * (pts->y[i] - ym) / P.ysd;
	/* the constant column's norm is the same at every exponent */
	P.col_norm[0] = sqrt(W);
	for (int j = 0; j < k; j++)
	{
		double		cen = 0.0,
					T = 0.0;

		for (int i = 0; i < m; i++)
			cen += pts->w[i] * log(pts->x[(size_t) i * k + j]);
		cen /= W;
		for (int i = 0; i < m; i++)
		{
			double		t = log(pts->x[(size_t) i * k + j]) - cen;

			tau[(size_t) j * m + i] = t;
			T = fmax(T, fabs(t));
		}
		for (int i = 0; i < m; i++)
			tau[(size_t) j * m + i] /= T;
		P.centre[j] = cen;
		P.T[j] = T;
		P.ulo[j] = clampd(spec->exp_lo[j] * T, -U_MAX, U_MAX);
		P.uhi[j] = clampd(spec->exp_hi[j] * T, -U_MAX, U_MAX);
	}
	for (int j = 0; j <= k; j++)
		if (isfinite(spec->lin_lo[j]) || isfinite(spec->lin_hi[j]))
			P.lin_bounded = true;

	/* global grid */
	for (int idx = 0; idx < n_grid; idx++)
	{
		int			g[SL_MAX_INPUTS];
		double		u[SL_MAX_INPUTS];

		if (interrupt && idx % 64 == 0)
			interrupt();
		grid_coords(idx, k, G, g);
		for (int j = 0; j < k; j++)
			u[j] = grid_value(&P, j, g[j], G);
		grid_f[idx] = evaluate(&P, u, NULL, NULL, NULL);
	}
	/* the best few grid points, no two adjacent */
	while (n_starts < MAX_STARTS)
	{
		int			pick = -1;

		for (int idx = 0; idx < n_grid; idx++)
		{
			int			g[SL_MAX_INPUTS];
			bool		near = false;

			if (!isfinite(grid_f[idx]) || (pick >= 0 && grid_f[idx] >= grid_f[pick]))
				continue;
			grid_coords(idx, k, G, g);
			for (int s = 0; s < n_starts && !near; s++)
			{
				int			h[SL_MAX_INPUTS];
				int			dist = 0;

				grid_coords(starts[s], k, G, h);
				for (int j = 0; j < k; j++)
					dist = dist > abs(g[j] - h[j]) ? dist : abs(g[j] - h[j]);
				near = dist <= 1;
			}
			if (!near)
				pick = idx;
		}
		if (pick < 0)
			break;
		starts[n_starts++] = pick;
	}
	if (n_starts == 0)
	{
		al->free(al->ctx, mem);
		return FIT_UNDETERMINED;
	}
	for (int s = 0; s < n_starts; s++)
	{
		int			g[SL_MAX_INPUTS];
		double		u[SL_MAX_INPUTS] = {0};
		double		f;

		grid_coords(starts[s], k, G, g);
		for (int j = 0; j < k; j++)
			u[j] = grid_value(&P, j, g[j], G);
		f = levenberg_marquardt(&P, u, grid_f[starts[s]], r, rp, rm, J);
		if (f < best_f)
		{
			best_f = f;
			memcpy(best_u, u, sizeof(best_u));
		}
	}
	/* an exponent within rounding of 0 is its logarithmic limit */
	for (int j = 0; j < k; j++)
		if (best_u[j] != 0.0 && fabs(best_u[j]) < 1e-6 &&
			P.ulo[j] <= 0.0 && P.uhi[j] >= 0.0)
		{
			double		u0[SL_MAX_INPUTS];
			double		f0;

			memcpy(u0, best_u, sizeof(u0));
			u0[j] = 0.0;
			f0 = evaluate(&P, u0, NULL, NULL, NULL);
			if (f0 <= best_f * (1.0 + 1e-12) + 1e-300)
			{
				best_f = f0;
				memcpy(best_u, u0, sizeof(u0));
			}
		}
	best_f = evaluate(&P, best_u, c, r, active);
	if (!isfinite(best_f))
	{
		al->free(al->ctx, mem);
		return FIT_UNDETERMINED;
	}

	/* back to the user's coefficients */
	{
		double		l_inf = P.ym + P.ysd * c[0];
		double		rss = best_f * P.ysd * P.ysd + pts->ss_within;
		double		tss = var + pts->ss_within;
		bool		finite = true;

		for (int j = 0; j < k; j++)
		{
			double		u = best_u[j];

			if (u == 0.0)
			{
				out->coef[j] = -P.ysd * c[j + 1] / P.T[j];
				out->expo[j] = 0.0;
				l_inf -= P.ysd * c[j + 1] * P.centre[j] / P.T[j];
			}
			else
			{
				out->coef[j] = -P.ysd * c[j + 1] / u * exp(u * P.centre[j] / P.T[j]);
				out->expo[j] = u / P.T[j];
				l_inf += P.ysd * c[j + 1] / u;
			}
			finite = finite && isfinite(out->coef[j]) && isfinite(out->expo[j]);
			out->at_bound[2 + 2 * j] = u <= P.ulo[j] || u >= P.uhi[j];
		}
		/* no negative zeros in results */
		out->l_inf = l_inf + 0.0;
		for (int j = 0; j < k; j++)
			out->coef[j] += 0.0;
		if (!finite || !isfinite(l_inf))
		{
			al->free(al->ctx, mem);
			return FIT_OVERFLOW;
		}
		/* linear coefficients held by a bound */
		if (P.lin_bounded)
		{
			LinConstraint cons[LSQ_MAX_ROWS];
			int			nc = build_constraints(&P, best_u, cons);
			int			ci = 0;

			if (isfinite(spec->lin_lo[0]) || isfinite(spec->lin_hi[0]))
			{
				out->at_bound[0] = active[ci];
				ci++;
				for (int j = 0; j < k; j++)
					if (best_u[j] == 0.0)
						ci++;
			}
			for (int j = 0; j < k && ci < nc; j++)
				if (isfinite(spec->lin_lo[j + 1]) || isfinite(spec->lin_hi[j + 1]))
					out->at_bound[1 + 2 * j] = active[ci++];
		}
		out->rss = rss;
		out->rmse = sqrt(rss / (double) pts->n_rows);
		out->r2 = tss > 0.0 ? 1.0 - rss / tss : NAN;
	}
	al->free(al->ctx, mem);
	return FIT_OK;
}
