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
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dd.h"
#include "lsq.h"
#include "power_law.h"

#define U_MAX 60.0				/* default |u| cap: exp(60) ~ 1e26 across the data */
#define U_EVAL 300.0			/* |u| beyond which a basis column leaves the double range */
#define U_NEAR_LOG 1e-3			/* where the grid samples beside the log limit */
#define CANCEL_RECOMPUTE (26 * M_LN2)	/* coefficients 2^26 times y: RSS from them */
#define GRID_SOFT 0.5			/* grid uniform in asinh(u / GRID_SOFT) */
#define GRID_SOFT_BOUNDED 0.02	/* the same for GRID_BOUNDED_1 */
#define MAX_STARTS 4
#define LM_MAX_ITER 200
#define RANK_TOL 1e-13			/* a basis column this much inside the others' span */
#define GRID_MAX_POINTS 2048	/* more points: grid on an even subsample first */
#define FULL_STARTS 2			/* subsample optima polished on all points */

static const int grid_points[SL_MAX_INPUTS + 1] = {0, 15, 41, 15};
/*
 * One input with bounds on the linear coefficients: RSS has kinks where
 * the active bounds change and plateaus where a term is held at 0, which
 * 15 points can step over (measured: 2 of 774 random bounded problems
 * worse than a 1201-point reference with 15 points, none with 61).
 */
#define GRID_BOUNDED_1 61
#define GRID_MAX_SIDE 61

typedef struct Problem
{
	int			k;
	int			n;				/* linear coefficients, k + 1 */
	int			m;				/* points */
	const double *tau;			/* k * m, input j at tau[j*m + i] */
	const double *sw;			/* sqrt(weight) */
	const double *ys;			/* scaled, weighted y: sw * (y - ym) / ysd */
	double		sqrt_w;			/* norm of the constant column */
	double		syy;			/* |ys|^2 less its part along the constant column */
	double		yq;				/* that part: q0 . ys */
	double		centre[SL_MAX_INPUTS];
	double		T[SL_MAX_INPUTS];
	double		ym,
				ysd;
	double		ulo[SL_MAX_INPUTS],
				uhi[SL_MAX_INPUTS];
	const PowerLawSpec *spec;
	double		lin_lo[SL_MAX_INPUTS + 1],	/* bounds on l_inf, a, b, c in units of */
				lin_hi[SL_MAX_INPUTS + 1];	/* the scaled y (user bounds * 2^-y_exp) */
	bool		lin_bounded;
	/* workspace */
	double	   *Q;				/* n * m: orthonormal basis at the last evaluation */
	double		R[LSQ_MAX_COLS * LSQ_MAX_COLS];
	double	   *r,				/* residual at the current point of a search */
			   *rp,				/* residual at a trial point */
			   *rm,
			   *J;				/* k * m */
	const SlAlloc *al;			/* its interrupt hook is called between passes over the points */
	long		evals;
	/* the last Levenberg-Marquardt run: iterations, and whether it met its stopping rule */
	int			lm_iters;
	bool		lm_converged;
	/* the same for each of search's candidates, in their order */
	int			cand_iters[MAX_STARTS];
	bool		cand_conv[MAX_STARTS];
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
 * boxcox for ranking grid points: 1 - exp(-z) in place of -expm1(-z)
 * (faster; the relative error eps/|z| is harmless to a ranking, and small z
 * take the series).
 */
static inline double
boxcox_rank(double u, double t)
{
	double		z = u * t;

	if (fabs(z) < 1e-3)
		return t * (1.0 - z / 2.0 + z * z / 6.0 - z * z * z / 24.0);
	return (1.0 - exp(-z)) / u;
}

/*
 * d/du of boxcox(u, t) = -(1 - e^-z - z e^-z) / u^2, z = u t; the series
 * below |z| = 1e-2 (truncation ~z^6/5760), so the cancellation above it
 * costs at most eps/z^2 ~ 2e-12 relative: ample for a Jacobian.
 */
static inline double
boxcox_du(double u, double t)
{
	double		z = u * t;
	double		ez;

	if (fabs(z) < 1e-2)
		return t * t * (-0.5 + z * (1.0 / 3.0 + z * (-1.0 / 8.0 + z * (1.0 / 30.0 +
											z * (-1.0 / 144.0 + z / 840.0)))));
	ez = exp(-z);
	return -(1.0 - ez - z * ez) / (u * u);
}

static inline double
dot(const double *a, const double *b, int m)
{
	double		s = 0.0;

	for (int i = 0; i < m; i++)
		s += a[i] * b[i];
	return s;
}

static inline void
axpy(double alpha, const double *x, double *y, int m)
{
	for (int i = 0; i < m; i++)
		y[i] += alpha * x[i];
}

/*
 * b * f for a bound b (possibly infinite) and the factor f of a
 * coefficient's scaled coordinate, f = sgn exp(lf): the image of a user
 * bound in scaled coordinates.  f_direct is f computed directly, or 0 when
 * that would leave the double range.  Zero and infinities map to
 * themselves (never 0 * inf); a product beyond the double range becomes
 * infinite (the side is then no constraint) or 0 (the bound is then the
 * sign of the coefficient: the final clamp in user units restores it).
 */
static double
scale_bound(double b, double f_direct, double sgn, double lf)
{
	double		l;

	if (b == 0.0 || isinf(b))
		return sgn < 0.0 ? -b : b;
	if (f_direct != 0.0)
		return b * f_direct;
	l = log(fabs(b)) + lf;
	l = l > 709.0 ? INFINITY : exp(l);
	return (b < 0.0) != (sgn < 0.0) ? -l : l;
}

/*
 * Constraints on the scaled linear coefficients c = (c0, c1..ck) equivalent
 * to the user's bounds on l_inf and a, b, c at exponents u.
 *   l_inf = ym + ysd (c0 + sum_{u_j != 0} c_j / u_j)      (finite only if
 *           c_j = 0 wherever u_j = 0)
 *   a_j   = c_j / f_j,  f_j = -u_j exp(-u_j centre_j / T_j) / ysd,
 *           or -T_j / ysd at u_j = 0
 * owner[i] is the coefficient constraint i bounds (0 l_inf, 1 + j for
 * a_j), or -1 for the equalities c_j = 0 that a bounded l_inf needs.
 */
static int
build_constraints(const Problem *P, const double *u, LinConstraint *cons, int *owner)
{
	int			nc = 0;
	bool		l_bounded = isfinite(P->lin_lo[0]) || isfinite(P->lin_hi[0]);

	if (l_bounded)
	{
		LinConstraint *lc = &cons[nc];

		owner[nc++] = 0;
		memset(lc->g, 0, sizeof(lc->g));
		lc->g[0] = 1.0;
		for (int j = 0; j < P->k; j++)
			if (u[j] != 0.0)
				lc->g[j + 1] = 1.0 / u[j];
		lc->lo = (P->lin_lo[0] - P->ym) / P->ysd;
		lc->hi = (P->lin_hi[0] - P->ym) / P->ysd;
		for (int j = 0; j < P->k; j++)
			if (u[j] == 0.0)
			{
				lc = &cons[nc];
				owner[nc++] = -1;
				memset(lc->g, 0, sizeof(lc->g));
				lc->g[j + 1] = 1.0;
				lc->lo = lc->hi = 0.0;
			}
	}
	for (int j = 0; j < P->k; j++)
	{
		double		lo = P->lin_lo[j + 1],
					hi = P->lin_hi[j + 1];
		double		sgn,
					lf;			/* f_j = sgn exp(lf) */
		double		f = 0.0;	/* f_j computed directly, 0 if out of range */
		double		blo,
					bhi;
		LinConstraint *lc;

		if (!isfinite(lo) && !isfinite(hi))
			continue;

		if (u[j] == 0.0)
		{
			sgn = -1.0;
			lf = log(P->T[j]) - log(P->ysd);
			f = -P->T[j] / P->ysd;
		}
		else
		{
			double		g = u[j] * P->centre[j] / P->T[j];

			sgn = u[j] > 0.0 ? -1.0 : 1.0;
			lf = log(fabs(u[j])) - g - log(P->ysd);
			if (fabs(g) < 700.0)
				f = -u[j] * exp(-g) / P->ysd;
		}
		if (!isfinite(f) || (f != 0.0 && fabs(f) < DBL_MIN))
			f = 0.0;			/* out of the normal range: through logarithms */
		blo = scale_bound(lo, f, sgn, lf);
		bhi = lo == hi ? blo : scale_bound(hi, f, sgn, lf);
		lc = &cons[nc];
		owner[nc++] = j + 1;
		memset(lc->g, 0, sizeof(lc->g));
		lc->g[j + 1] = 1.0;
		lc->lo = sgn > 0.0 ? blo : bhi;
		lc->hi = sgn > 0.0 ? bhi : blo;
	}
	return nc;
}

/*
 * Projected residual at exponents u.  The weighted basis (the constant
 * column and one Box-Cox column per input) is factored A = Q R by modified
 * Gram-Schmidt with one re-orthogonalisation pass, which keeps Q orthonormal
 * to rounding for these few columns; y is projected out the same way, so
 * the residual r (length m, required) is computed explicitly and stays
 * accurate even when it is tiny.  Returns the scaled RSS, or INFINITY where
 * the basis is numerically rank deficient or no admissible c exists.  c
 * (n, optional) gets the scaled linear coefficients; Q and R stay in P.
 */
static double
evaluate(Problem *P, const double *u, double *r, double *c_out, bool *active)
{
	int			m = P->m,
				n = P->n;
	double	   *Q = P->Q;
	double	   *R = P->R;
	double		z[LSQ_MAX_COLS] = {0};
	double		c[LSQ_MAX_COLS];

	P->evals++;
	sl_check_interrupts(P->al);
	memset(R, 0, sizeof(P->R));
	R[0] = P->sqrt_w;			/* Q's column 0 is sw / sqrt_w, set once */
	for (int j = 1; j < n; j++)
	{
		double	   *v = Q + (size_t) j * m;
		const double *t = P->tau + (size_t) (j - 1) * m;
		double		uj = u[j - 1];
		double		norm0,
					norm;

		/* each column is a few passes over the points: check between columns */
		if (j > 1)
			sl_check_interrupts(P->al);
		for (int i = 0; i < m; i++)
			v[i] = P->sw[i] * boxcox(uj, t[i]);
		norm0 = sqrt(dot(v, v, m));
		if (!isfinite(norm0))
			return INFINITY;
		for (int pass = 0; pass < 2; pass++)
			for (int l = 0; l < j; l++)
			{
				double		d = dot(Q + (size_t) l * m, v, m);

				axpy(-d, Q + (size_t) l * m, v, m);
				R[l + j * n] += d;
			}
		norm = sqrt(dot(v, v, m));
		if (!(norm > RANK_TOL * norm0))
			return INFINITY;
		R[j + j * n] = norm;
		{
			double		inv = 1.0 / norm;

			for (int i = 0; i < m; i++)
				v[i] *= inv;
		}
	}
	memcpy(r, P->ys, sizeof(double) * m);
	for (int pass = 0; pass < 2; pass++)
		for (int l = 0; l < n; l++)
		{
			double		d = dot(Q + (size_t) l * m, r, m);

			axpy(-d, Q + (size_t) l * m, r, m);
			z[l] += d;
		}
	for (int j = n - 1; j >= 0; j--)
	{
		double		s = z[j];

		for (int l = j + 1; l < n; l++)
			s -= R[j + l * n] * c[l];
		c[j] = s / R[j + j * n];
	}
	if (P->lin_bounded)
	{
		LinConstraint cons[LSQ_MAX_ROWS];
		int			owner[LSQ_MAX_ROWS];
		int			nc = build_constraints(P, u, cons, owner);
		bool		act[LSQ_MAX_ROWS];

		if (!lsq_feasible(c, n, cons, nc, act))
		{
			double		cc[LSQ_MAX_COLS];
			double		extra;

			if (!lsq_constrained(R, n, n, c, cons, nc, cc, &extra, act))
				return INFINITY;
			/* r = y - Q R cc = (y - Q R c) + Q R (c - cc) */
			for (int j = 0; j < n; j++)
			{
				double		d = 0.0;

				for (int l = j; l < n; l++)
					d += R[j + l * n] * (c[l] - cc[l]);
				axpy(d, Q + (size_t) j * m, r, m);
			}
			memcpy(c, cc, sizeof(cc));
		}
		if (active)
			memcpy(active, act, sizeof(bool) * nc);
	}
	if (c_out)
		memcpy(c_out, c, sizeof(double) * n);
	return dot(r, r, m);
}

/*
 * Grid ranking without bounds on the linear coefficients.  The grid is a
 * tensor product, so each input's Box-Cox column at each of its grid
 * exponents is computed once (GridCols), centred against the constant
 * column; a grid point then only needs the k x k normal equations of its
 * columns (cross products for k > 1), solved by Cholesky.  Accurate enough
 * to pick basins, which the polish resolves with evaluate().
 */
typedef struct GridCols
{
	int			G;
	double	   *v;				/* k * G columns of m: centred sw * boxcox */
	double	   *gg;				/* per column: |v|^2 after centring (NaN: unusable) */
	double	   *gb;				/* per column: v . ys */
	double	   *g0;				/* per column: |v|^2 before centring */
} GridCols;

static void
grid_columns(Problem *P, double (*gval)[GRID_MAX_SIDE], GridCols *gc)
{
	int			m = P->m;
	const double *q0 = P->Q;

	for (int j = 0; j < P->k; j++)
		for (int g = 0; g < gc->G; g++)
		{
			int			c = j * gc->G + g;
			double	   *v = gc->v + (size_t) c * m;
			const double *t = P->tau + (size_t) j * m;
			double		u = gval[j][g];
			double		s = 0.0;

			for (int i = 0; i < m; i++)
			{
				v[i] = P->sw[i] * boxcox_rank(u, t[i]);
				s += v[i] * v[i];
			}
			if (!isfinite(s))
			{
				gc->gg[c] = NAN;
				continue;
			}
			axpy(-dot(q0, v, m), q0, v, m);
			gc->g0[c] = s;
			gc->gg[c] = dot(v, v, m);
			gc->gb[c] = dot(v, P->ys, m);
		}
}

static double
grid_rss(Problem *P, const GridCols *gc, const int *g)
{
	int			k = P->k,
				m = P->m;
	double		G[SL_MAX_INPUTS * SL_MAX_INPUTS],
				b[SL_MAX_INPUTS];
	int			col[SL_MAX_INPUTS];
	double		rss = P->syy;

	P->evals++;
	for (int j = 0; j < k; j++)
	{
		col[j] = j * gc->G + g[j];
		if (isnan(gc->gg[col[j]]))
			return INFINITY;
		G[j * k + j] = gc->gg[col[j]];
		b[j] = gc->gb[col[j]];
		for (int l = 0; l < j; l++)
			G[j * k + l] = dot(gc->v + (size_t) col[l] * m, gc->v + (size_t) col[j] * m, m);
	}
	/* Cholesky G = L L' in place (lower), then rss -= |L^-1 b|^2 */
	for (int j = 0; j < k; j++)
	{
		double		d = G[j * k + j];

		for (int l = 0; l < j; l++)
			d -= G[j * k + l] * G[j * k + l];
		if (!(d > 1e-20 * gc->g0[col[j]]))
			return INFINITY;
		d = sqrt(d);
		G[j * k + j] = d;
		for (int i = j + 1; i < k; i++)
		{
			double		e = G[i * k + j];

			for (int l = 0; l < j; l++)
				e -= G[i * k + l] * G[j * k + l];
			G[i * k + j] = e / d;
		}
		for (int l = 0; l < j; l++)
			b[j] -= G[j * k + l] * b[l];
		b[j] /= d;
		rss -= b[j] * b[j];
	}
	return rss > 0.0 ? rss : 0.0;
}

/*
 * Jacobian of the projected residual in u at the point of the last
 * evaluation (r, c, and Q in P).  Without bounds on the linear
 * coefficients: Kaufman's form -(I - Q Q') dA/du_j c, whose J' r is the
 * exact gradient.  With them the projection is not smooth: central
 * differences.  Returns false if no usable derivative exists.
 */
static bool
jacobian(Problem *P, const double *u, const double *r, const double *c)
{
	int			k = P->k,
				m = P->m,
				n = P->n;

	if (!P->lin_bounded)
	{
		for (int j = 0; j < k; j++)
		{
			double	   *col = P->J + (size_t) j * m;
			const double *t = P->tau + (size_t) j * m;

			sl_check_interrupts(P->al);
			for (int i = 0; i < m; i++)
				col[i] = -c[j + 1] * P->sw[i] * boxcox_du(u[j], t[i]);
			for (int l = 0; l < n; l++)
				axpy(-dot(P->Q + (size_t) l * m, col, m), P->Q + (size_t) l * m, col, m);
		}
		return true;
	}
	for (int j = 0; j < k; j++)
	{
		double	   *col = P->J + (size_t) j * m;
		double		h = 1e-6 * (1.0 > fabs(u[j]) ? 1.0 : fabs(u[j]));
		double		up[SL_MAX_INPUTS],
					um[SL_MAX_INPUTS];
		double		fp,
					fm;

		memcpy(up, u, sizeof(up));
		memcpy(um, u, sizeof(um));
		up[j] += h;
		um[j] -= h;
		fp = evaluate(P, up, P->rp, NULL, NULL);
		fm = evaluate(P, um, P->rm, NULL, NULL);
		if (isfinite(fp) && isfinite(fm))
			for (int i = 0; i < m; i++)
				col[i] = (P->rp[i] - P->rm[i]) / (2.0 * h);
		else if (isfinite(fp))	/* one-sided where the other side is inadmissible */
			for (int i = 0; i < m; i++)
				col[i] = (P->rp[i] - r[i]) / h;
		else if (isfinite(fm))
			for (int i = 0; i < m; i++)
				col[i] = (r[i] - P->rm[i]) / h;
		else
			return false;
	}
	return true;
}

/* does a bound make RSS jump at u_j = 0 (see grid_value)? */
static bool
log_limit_jumps(const Problem *P, int j)
{
	return isfinite(P->lin_lo[0]) || isfinite(P->lin_hi[0]) ||
		isfinite(P->lin_lo[j + 1]) || isfinite(P->lin_hi[j + 1]);
}

static double
grid_value(const Problem *P, int j, int g, int G)
{
	/* the dense 1-input grid of bounded fits also reaches closer to the log limit */
	double		soft = G == GRID_BOUNDED_1 ? GRID_SOFT_BOUNDED : GRID_SOFT;
	double		flo = asinh(P->ulo[j] / soft);
	double		fhi = asinh(P->uhi[j] / soft);
	double		u;

	if (G == 1 || g == 0)
		u = P->ulo[j];
	else if (g == G - 1)
		u = P->uhi[j];
	else
		u = soft * sinh(flo + (fhi - flo) * g / (G - 1));

	/*
	 * Bounds make RSS jump at the logarithmic limit u = 0: with l_inf
	 * bounded the limit admits only a zero term (l_inf would be infinite),
	 * and a bound on the term's coefficient bounds the log slope there but
	 * only the sign of the slope beside it (a x^-u = a - a u ln x + ...).
	 * Sample beside the limit, where the valley is; the limit itself is
	 * compared with the best fit at the end (power_law_fit).
	 */
	if (u == 0.0 && log_limit_jumps(P, j))
		u = P->uhi[j] > 0.0 ? fmin(U_NEAR_LOG, P->uhi[j]) : fmax(-U_NEAR_LOG, P->ulo[j]);
	return u;
}

static inline double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* Levenberg-Marquardt in u from u (in place); returns the final RSS */
static double
levenberg_marquardt(Problem *P, double *u)
{
	int			k = P->k,
				m = P->m;
	double		lambda = 1e-3;
	double		c[LSQ_MAX_COLS];
	double		f = evaluate(P, u, P->r, c, NULL);

	P->lm_iters = 0;
	P->lm_converged = false;
	if (!isfinite(f))
		return f;
	for (int iter = 0; iter < LM_MAX_ITER; iter++)
	{
		double		g[SL_MAX_INPUTS],
					H[SL_MAX_INPUTS * SL_MAX_INPUTS];
		bool		free_var[SL_MAX_INPUTS];
		bool		improved = false;

		sl_check_interrupts(P->al);
		P->lm_iters = iter + 1;
		if (f == 0.0)
		{
			P->lm_converged = true;
			break;
		}
		if (!jacobian(P, u, P->r, c))
			break;
		for (int a = 0; a < k; a++)
		{
			g[a] = dot(P->J + (size_t) a * m, P->r, m);
			for (int b = 0; b <= a; b++)
				H[a * k + b] = H[b * k + a] =
					dot(P->J + (size_t) a * m, P->J + (size_t) b * m, m);
		}
		/* gradient of f/2 is g; a variable on a bound pushed outward stays */
		for (int j = 0; j < k; j++)
			free_var[j] = !((u[j] <= P->ulo[j] && g[j] > 0.0) ||
							(u[j] >= P->uhi[j] && g[j] < 0.0));
		while (lambda < 1e16)
		{
			double		M[SL_MAX_INPUTS * SL_MAX_INPUTS],
						d[SL_MAX_INPUTS];
			double		unew[SL_MAX_INPUTS],
						cnew[LSQ_MAX_COLS];
			int			idx[SL_MAX_INPUTS],
						nf = 0;
			double		fnew,
						pred;
			double		step = 0.0;

			for (int j = 0; j < k; j++)
				if (free_var[j])
					idx[nf++] = j;
			if (nf == 0)
			{
				P->lm_converged = true;
				return f;
			}
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
			{
				P->lm_converged = true;
				return f;
			}
			/* what the linear model |r + J d|^2 promises for this step */
			pred = 0.0;
			for (int a = 0; a < k; a++)
			{
				double		da = unew[a] - u[a];

				pred -= 2.0 * g[a] * da;
				for (int b = 0; b < k; b++)
					pred -= da * H[a * k + b] * (unew[b] - u[b]);
			}
			/* a gain below the rounding of f cannot be measured: converged */
			if (pred <= 1e-15 * f)
			{
				P->lm_converged = true;
				return f;
			}
			fnew = evaluate(P, unew, P->rp, cnew, NULL);
			if (fnew < f)
			{
				double		gain = f - fnew;
				double	   *t = P->r;

				/*
				 * Gain ratio against the model: where it is poor (large
				 * residuals, a curved valley) the damping grows instead of
				 * zig-zagging across the valley.
				 */
				memcpy(u, unew, sizeof(unew));
				memcpy(c, cnew, sizeof(cnew));
				P->r = P->rp;
				P->rp = t;
				f = fnew;
				if (pred > 0.0 && gain < 0.25 * pred)
					lambda *= 2.0;
				else if (!(pred > 0.0) || gain > 0.75 * pred)
					lambda = fmax(lambda / 3.0, 1e-12);
				improved = true;
				if (gain <= 1e-15 * f && step < 1e-9)
				{
					P->lm_converged = true;
					return f;
				}
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
	if (a == 0.0)
		return 0.0;				/* an absent term, whatever x^-alpha would be */
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

/* points per side of the grid over the exponents */
static int
grid_side(const Problem *P)
{
	return P->k == 1 && P->lin_bounded ? GRID_BOUNDED_1 : grid_points[P->k];
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

/* workspace of a problem with P->m points: Q, r, rp, rm, J; mem owns it */
static double *
problem_workspace(Problem *P, const SlAlloc *al)
{
	size_t		m = (size_t) P->m;
	int			nr = P->lin_bounded ? 3 : 2;	/* rm only for differences */
	double	   *mem = al->alloc(al->ctx, sizeof(double) * m * (P->n + nr + P->k));

	if (mem == NULL)
		return NULL;
	P->Q = mem;
	P->r = P->Q + (size_t) P->n * m;
	P->rp = P->r + m;
	P->rm = P->lin_bounded ? P->rp + m : NULL;
	P->J = P->rp + (size_t) (nr - 1) * m;
	{
		double		yq = 0.0;

		for (size_t i = 0; i < m; i++)
			P->Q[i] = P->sw[i] / P->sqrt_w;
		yq = dot(P->Q, P->ys, P->m);
		P->yq = yq;
		P->syy = dot(P->ys, P->ys, P->m) - yq * yq;
	}
	return mem;
}

/* is grid point idx (coordinates g) no higher than any finite neighbour? */
static bool
grid_local_min(const double *grid_f, int idx, const int *g, int k, int G)
{
	int			n_nb = 1;

	for (int j = 0; j < k; j++)
		n_nb *= 3;
	for (int code = 0; code < n_nb; code++)
	{
		int			t = code,
					nb = 0,
					stride = 1;
		bool		inside = true,
					self = true;

		for (int j = 0; j < k; j++, t /= 3, stride *= G)
		{
			int			d = t % 3 - 1;
			int			c = g[j] + d;

			if (d != 0)
				self = false;
			if (c < 0 || c >= G)
				inside = false;
			nb += c * stride;
		}
		if (inside && !self && grid_f[nb] < grid_f[idx])
			return false;
	}
	return true;
}

/*
 * Golden-section search for a minimum of RSS in the one exponent between
 * lo and hi (a bracket of grid neighbours), starting from the best known
 * point (u, f), which it replaces only by a better one.  With bounds on
 * the linear coefficients RSS has kinks where the active bounds change;
 * Levenberg-Marquardt's local model can stall on them, golden section
 * cannot.
 */
static double
golden_refine(Problem *P, double lo, double hi, double *u, double f)
{
	const double r = 0.6180339887498949;	/* (sqrt 5 - 1) / 2 */
	double		a = fmin(lo, *u),
				b = fmax(hi, *u);
	double		x1 = b - r * (b - a),
				x2 = a + r * (b - a);
	double		f1 = evaluate(P, &x1, P->rp, NULL, NULL),
				f2 = evaluate(P, &x2, P->rp, NULL, NULL);

	for (int it = 0; it < 80 && b - a > 1e-12 * (1.0 + fabs(a) + fabs(b)); it++)
	{
		if (f1 <= f2)
		{
			b = x2;
			x2 = x1;
			f2 = f1;
			x1 = b - r * (b - a);
			f1 = evaluate(P, &x1, P->rp, NULL, NULL);
		}
		else
		{
			a = x1;
			x1 = x2;
			f1 = f2;
			x2 = a + r * (b - a);
			f2 = evaluate(P, &x2, P->rp, NULL, NULL);
		}
	}
	if (f1 < f && f1 <= f2)
	{
		*u = x1;
		return f1;
	}
	if (f2 < f)
	{
		*u = x2;
		return f2;
	}
	return f;
}

/*
 * Global search on P: the grid, then Levenberg-Marquardt from the best few
 * grid points that are not neighbours.  Writes up to MAX_STARTS local
 * optima, best first, to cand_u / cand_f; returns how many.
 */
static int
search(Problem *P, double *grid_f, double *col_buf, double (*cand_u)[SL_MAX_INPUTS],
	   double *cand_f)
{
	GridCols	gc = {0};
	int			k = P->k;
	int			G = grid_side(P);
	int			n_grid = 1;
	int			starts[MAX_STARTS],
				n_starts = 0;

	double		gval[SL_MAX_INPUTS][GRID_MAX_SIDE];

	for (int j = 0; j < k; j++)
	{
		n_grid *= G;
		for (int g = 0; g < G; g++)
			gval[j][g] = grid_value(P, j, g, G);
	}
	gc.G = G;
	if (!P->lin_bounded)
	{
		gc.v = col_buf;
		gc.gg = col_buf + (size_t) k * G * P->m;
		gc.gb = gc.gg + k * G;
		gc.g0 = gc.gb + k * G;
		grid_columns(P, gval, &gc);
	}
	for (int idx = 0; idx < n_grid; idx++)
	{
		int			g[SL_MAX_INPUTS];
		double		u[SL_MAX_INPUTS];

		if (idx % 64 == 0)
			sl_check_interrupts(P->al);
		grid_coords(idx, k, G, g);
		for (int j = 0; j < k; j++)
			u[j] = gval[j][g[j]];
		grid_f[idx] = P->lin_bounded ? evaluate(P, u, P->r, NULL, NULL) : grid_rss(P, &gc, g);
	}
	/*
	 * Starts: the best few grid points that are local minima of the grid
	 * (no neighbour lower), no two adjacent.  A profile with one basin
	 * gets one polish.
	 */
	while (n_starts < MAX_STARTS)
	{
		int			pick = -1;

		for (int idx = 0; idx < n_grid; idx++)
		{
			int			g[SL_MAX_INPUTS];
			bool		skip = false;

			if (!isfinite(grid_f[idx]) || (pick >= 0 && grid_f[idx] >= grid_f[pick]))
				continue;
			grid_coords(idx, k, G, g);
			for (int s = 0; s < n_starts && !skip; s++)
			{
				int			h[SL_MAX_INPUTS];
				int			dist = 0;

				grid_coords(starts[s], k, G, h);
				for (int j = 0; j < k; j++)
					dist = dist > abs(g[j] - h[j]) ? dist : abs(g[j] - h[j]);
				skip = dist <= 1;
			}
			if (!skip && !grid_local_min(grid_f, idx, g, k, G))
				skip = true;
			if (!skip)
				pick = idx;
		}
		if (pick < 0)
			break;
		starts[n_starts++] = pick;
	}
	for (int s = 0; s < n_starts; s++)
	{
		int			g[SL_MAX_INPUTS];
		double		u[SL_MAX_INPUTS] = {0};
		double		f;
		int			pos,
					iters;
		bool		conv;

		grid_coords(starts[s], k, G, g);
		for (int j = 0; j < k; j++)
			u[j] = gval[j][g[j]];
		f = levenberg_marquardt(P, u);
		iters = P->lm_iters;
		conv = P->lm_converged;
		if (k == 1 && P->lin_bounded)
			f = golden_refine(P, gval[0][g[0] > 0 ? g[0] - 1 : 0],
							  gval[0][g[0] < G - 1 ? g[0] + 1 : G - 1], u, f);
		/* insertion into the list kept best first (ties: earlier start) */
		for (pos = s; pos > 0 && !(cand_f[pos - 1] <= f); pos--)
		{
			cand_f[pos] = cand_f[pos - 1];
			memcpy(cand_u[pos], cand_u[pos - 1], sizeof(cand_u[0]));
			P->cand_iters[pos] = P->cand_iters[pos - 1];
			P->cand_conv[pos] = P->cand_conv[pos - 1];
		}
		cand_f[pos] = f;
		memcpy(cand_u[pos], u, sizeof(cand_u[0]));
		P->cand_iters[pos] = iters;
		P->cand_conv[pos] = conv;
	}
	return n_starts;
}

/*
 * Can the points identify the law?  Per input: at least three distinct
 * values of ln x, spread beyond the rounding of the logarithms (inputs
 * that differ in their last digits near 1e300 have equal or noise-level
 * logarithms); across inputs: no input's log is an affine function of the
 * others' (x2 = 6 x1, x3 = x1 x2), since the law could then not attribute
 * the loss to the inputs separately.  tau holds ln x - centre per input
 * (unscaled), lnx_max the largest |ln x|; scratch has room for k * m
 * doubles.  The reason it cannot, with the input, goes to out.
 */
static FitStatus
inputs_identify(const SortedPoints *pts, const double *tau, const double *sw,
				const double *T, const double *lnx_max, double *scratch, const SlAlloc *al,
				PowerLawFit *out)
{
	int			k = pts->k,
				m = pts->m;

	for (int j = 0; j < k; j++)
	{
		const double *t = tau + (size_t) j * m;
		double		seen[3];
		int			distinct = 0;

		out->fail_input = j;
		for (int i = 0; i < m && distinct < 3; i++)
		{
			int			c;

			for (c = 0; c < distinct; c++)
				if (seen[c] == t[i])
					break;
			if (c == distinct)
				seen[distinct++] = t[i];
		}
		if (!(T[j] >= SL_LOG_SPREAD_MIN * (1.0 + lnx_max[j])))
		{
			/* one value, or values whose logarithms only rounding tells apart */
			const double *x0 = &pts->x[j];

			out->fail_count = 1;
			for (int i = 1; i < m; i++)
			{
				sl_check_interrupts_every(al, (uint64_t) i);
				if (pts->x[(size_t) i * k + j] != *x0)
					return FIT_LOG_SPREAD;
			}
			return FIT_FEW_VALUES;
		}
		if (distinct < 3)
		{
			out->fail_count = distinct;
			return FIT_FEW_VALUES;
		}
	}
	/* Gram-Schmidt of the weighted log columns (each centred: orthogonal to sw) */
	for (int j = 0; j < k; j++)
	{
		double	   *v = scratch + (size_t) j * m;
		double		norm0,
					norm;

		sl_check_interrupts(al);
		for (int i = 0; i < m; i++)
			v[i] = sw[i] * tau[(size_t) j * m + i];
		norm0 = sqrt(dot(v, v, m));
		for (int pass = 0; pass < 2; pass++)
			for (int l = 0; l < j; l++)
				axpy(-dot(scratch + (size_t) l * m, v, m), scratch + (size_t) l * m, v, m);
		norm = sqrt(dot(v, v, m));
		if (!(norm > SL_COLLINEAR_TOL * norm0))
		{
			out->fail_input = j;
			return FIT_COLLINEAR;
		}
		for (int i = 0; i < m; i++)
			v[i] /= norm;
	}
	return FIT_OK;
}

/*
 * The search box of exponent j in u = p T: the user's bounds, an infinite
 * side replaced by the cap U_MAX (or by the other side's bound where that
 * lies beyond the cap), all within +-U_EVAL, where a column would leave the
 * double range.  False when the user's box lies wholly beyond U_EVAL.
 */
static bool
exponent_box(double lo, double hi, double T, double *ulo, double *uhi)
{
	double		l = isfinite(lo) ? lo * T : -U_MAX,
				h = isfinite(hi) ? hi * T : U_MAX;

	if (!isfinite(hi) && h < l)
		h = l;
	if (!isfinite(lo) && l > h)
		l = h;
	if (l > U_EVAL || h < -U_EVAL)
		return false;
	*ulo = clampd(l, -U_EVAL, U_EVAL);
	*uhi = clampd(h, -U_EVAL, U_EVAL);
	return true;
}

/* v within [lo, hi]; *held set when v had to move or already lay on a side */
static double
clamp_to_bounds(double v, double lo, double hi, bool *held)
{
	if (v <= lo)
	{
		*held = *held || isfinite(lo);
		return lo;
	}
	if (v >= hi)
	{
		*held = *held || isfinite(hi);
		return hi;
	}
	return v;
}

FitStatus
power_law_fit(const SortedPoints *pts, const PowerLawSpec *spec,
			  const SlAlloc *al, PowerLawFit *out)
{
	Problem		P;
	int			k = spec->k,
				m = pts->m,
				n = k + 1;
	int			n_grid = 1;
	size_t		col_words;
	double	   *mem,
			   *work,
			   *col_buf,
			   *tau,
			   *sw,
			   *ys,
			   *grid_f;
	double		W = 0.0,
				ym = 0.0,
				var = 0.0,
				sq = 0.0;		/* sum of w y^2 over the points */
	double		best_u[SL_MAX_INPUTS] = {0};
	double		best_f = INFINITY;
	double		cand_u[MAX_STARTS][SL_MAX_INPUTS];
	double		cand_f[MAX_STARTS];
	int			n_cand;
	double		c[LSQ_MAX_COLS];
	bool		active[LSQ_MAX_ROWS] = {false};
	double		lnx_max[SL_MAX_INPUTS];	/* max |ln x| over the points, per input */
	FitStatus	status = FIT_OK;

	memset(out, 0, sizeof(*out));
	out->n = pts->n_rows;
	if (m < 2 * k + 1)
	{
		out->fail_count = m;
		return FIT_TOO_FEW_POINTS;
	}

	memset(&P, 0, sizeof(P));
	P.k = k;
	P.n = n;
	P.m = m;
	P.spec = spec;
	P.al = al;
	for (int j = 0; j <= k; j++)
		if (isfinite(spec->lin_lo[j]) || isfinite(spec->lin_hi[j]))
			P.lin_bounded = true;
	for (int j = 0; j < k; j++)
		n_grid *= grid_side(&P);
	/* grid columns: k * G of the grid's points (all, or the subsample) */
	col_words = (size_t) k * grid_side(&P) * ((m < GRID_MAX_POINTS ? m : GRID_MAX_POINTS) + 3);
	mem = al->alloc(al->ctx, sizeof(double) * ((size_t) m * (k + 2) + n_grid + col_words));
	if (mem == NULL)
		return FIT_NO_MEMORY;
	tau = mem;
	sw = tau + (size_t) k * m;
	ys = sw + m;
	grid_f = ys + m;
	col_buf = grid_f + n_grid;
	P.tau = tau;
	P.sw = sw;
	P.ys = ys;

	/*
	 * Weights, centred log inputs, centred and scaled y (sorted order:
	 * deterministic).  pts->y is y * 2^-y_exp, near 1 whatever the
	 * magnitude of y; everything below is in those units until the
	 * coefficients are converted back.
	 */
	for (int i = 0; i < m; i++)
	{
		sl_check_interrupts_every(al, (uint64_t) i);
		W += pts->w[i];
		sw[i] = sqrt(pts->w[i]);
	}
	{
		/*
		 * The mean in double-double, rounded once: exactly y when y is
		 * constant, so constant data has no variance (a mean off by an ulp
		 * would leave a variance of rounding noise to be fitted).
		 */
		dd_t		sy = dd_from(0.0);

		for (int i = 0; i < m; i++)
		{
			sl_check_interrupts_every(al, (uint64_t) i);
			sy = dd_add(sy, dd_mul(dd_from(pts->w[i]), dd_from(pts->y[i])));
		}
		ym = dd_div(sy, dd_from(W)).hi;
	}
	for (int i = 0; i < m; i++)
	{
		sl_check_interrupts_every(al, (uint64_t) i);
		var += pts->w[i] * (pts->y[i] - ym) * (pts->y[i] - ym);
		sq += pts->w[i] * pts->y[i] * pts->y[i];
	}
	P.ym = ym;
	P.ysd = var > 0.0 ? sqrt(var / W) : (ym != 0.0 ? fabs(ym) : 1.0);
	for (int i = 0; i < m; i++)
		ys[i] = sw[i] * (pts->y[i] - ym) / P.ysd;
	P.sqrt_w = sqrt(W);
	for (int j = 0; j < k; j++)
	{
		double	   *t = tau + (size_t) j * m;
		double		cen = 0.0,
					T = 0.0;

		/* ln x once, into tau; then centred */
		lnx_max[j] = 0.0;
		for (int i = 0; i < m; i++)
		{
			sl_check_interrupts_every(al, (uint64_t) i);
			t[i] = log(pts->x[(size_t) i * k + j]);
			cen += pts->w[i] * t[i];
			lnx_max[j] = fmax(lnx_max[j], fabs(t[i]));
		}
		cen /= W;
		for (int i = 0; i < m; i++)
		{
			t[i] -= cen;
			T = fmax(T, fabs(t[i]));
		}
		P.centre[j] = cen;
		P.T[j] = T;
	}
	for (int j = 0; j <= k; j++)
	{
		/* linear coefficients scale with y */
		P.lin_lo[j] = ldexp(spec->lin_lo[j], -pts->y_exp);
		P.lin_hi[j] = ldexp(spec->lin_hi[j], -pts->y_exp);
	}
	work = problem_workspace(&P, al);
	if (work == NULL)
	{
		al->free(al->ctx, mem);
		return FIT_NO_MEMORY;
	}
	/* Q's columns 1..k are free until the first evaluation */
	status = inputs_identify(pts, tau, sw, P.T, lnx_max, P.Q + m, al, out);
	if (status != FIT_OK)
		goto done;
	for (int j = 0; j < k; j++)
	{
		for (int i = 0; i < m; i++)
			tau[(size_t) j * m + i] /= P.T[j];
		if (!exponent_box(spec->exp_lo[j], spec->exp_hi[j], P.T[j], &P.ulo[j], &P.uhi[j]))
		{
			out->fail_input = j;
			status = FIT_INFEASIBLE;
			goto done;
		}
	}

	if (m <= GRID_MAX_POINTS)
		n_cand = search(&P, grid_f, col_buf, cand_u, cand_f);
	else
	{
		/*
		 * Many points: find the basins on an even subsample of the sorted
		 * points (same scaling, so exponents carry over), then polish the
		 * best subsample optima on every point.
		 */
		Problem		S = P;
		int			ms = GRID_MAX_POINTS;
		double	   *sub = al->alloc(al->ctx, sizeof(double) * (size_t) ms * (k + 2));
		double	   *sub_work;
		double		sub_w = 0.0;

		if (sub == NULL)
		{
			status = FIT_NO_MEMORY;
			goto done;
		}
		for (int s = 0; s < ms; s++)
		{
			size_t		i = (size_t) (((double) s + 0.5) * m / ms);

			for (int j = 0; j < k; j++)
				sub[(size_t) j * ms + s] = tau[(size_t) j * m + i];
			sub[(size_t) k * ms + s] = sw[i];
			sub[(size_t) (k + 1) * ms + s] = ys[i];
			sub_w += sw[i] * sw[i];
		}
		S.m = ms;
		S.tau = sub;
		S.sw = sub + (size_t) k * ms;
		S.ys = sub + (size_t) (k + 1) * ms;
		S.sqrt_w = sqrt(sub_w);
		sub_work = problem_workspace(&S, al);
		if (sub_work == NULL)
		{
			al->free(al->ctx, sub);
			status = FIT_NO_MEMORY;
			goto done;
		}
		n_cand = search(&S, grid_f, col_buf, cand_u, cand_f);
		if (n_cand > FULL_STARTS)
			n_cand = FULL_STARTS;
		for (int s = 0; s < n_cand; s++)
		{
			P.lm_iters = 0;
			P.lm_converged = false;
			cand_f[s] = isfinite(cand_f[s]) ? levenberg_marquardt(&P, cand_u[s]) : INFINITY;
			P.cand_iters[s] = P.lm_iters;
			P.cand_conv[s] = P.lm_converged;
		}
		al->free(al->ctx, sub_work);
		al->free(al->ctx, sub);
	}
	for (int s = 0; s < n_cand; s++)
		if (cand_f[s] < best_f)
		{
			best_f = cand_f[s];
			memcpy(best_u, cand_u[s], sizeof(best_u));
			out->iterations = P.cand_iters[s];
			out->converged = P.cand_conv[s];
		}
	if (n_cand == 0 || !isfinite(best_f))
	{
		out->iterations = 0;
		out->converged = false;
		status = FIT_UNDETERMINED;
		goto done;
	}
	/*
	 * The logarithmic limit of an exponent near 0.  Beside the limit, l_inf
	 * and the term's coefficient grow as 1/u and cancel: the returned
	 * coefficients then predict no better than about eps |c_j / u_j| in
	 * units of y's spread, and the limit (whose coefficients do not
	 * cancel) is taken whenever it is that close.  Where a bound makes RSS
	 * jump at the limit, the limit itself may also be better than anything
	 * the search found beside it.
	 */
	{
		double		cb[LSQ_MAX_COLS];
		bool		have_cb = false;

		for (int j = 0; j < k; j++)
		{
			double		u0[SL_MAX_INPUTS];
			double		f0,
						noise;

			if (best_u[j] == 0.0 || !(fabs(best_u[j]) < 1e-6 || log_limit_jumps(&P, j)) ||
				P.ulo[j] > 0.0 || P.uhi[j] < 0.0)
				continue;
			/* the coefficients at best_u, once */
			if (!have_cb && !isfinite(evaluate(&P, best_u, P.r, cb, NULL)))
				break;
			have_cb = true;
			/* where a bound makes RSS jump, the limit is another law: no allowance */
			noise = log_limit_jumps(&P, j) ? 0.0 : 4.0 * DBL_EPSILON * fabs(cb[j + 1] / best_u[j]);
			memcpy(u0, best_u, sizeof(u0));
			u0[j] = 0.0;
			f0 = evaluate(&P, u0, P.r, NULL, NULL);
			if (f0 <= best_f * (1.0 + 1e-12) + P.sqrt_w * P.sqrt_w * noise * noise + 1e-300)
			{
				best_f = f0;
				memcpy(best_u, u0, sizeof(u0));
				have_cb = false;
			}
		}
	}
	best_f = evaluate(&P, best_u, P.r, c, active);
	if (!isfinite(best_f))
	{
		status = FIT_UNDETERMINED;
		goto done;
	}

	/* back to the user's coefficients and units */
	{
		int			e = pts->y_exp;
		double		l_inf = P.ym + P.ysd * c[0];
		double		rss = best_f * P.ysd * P.ysd + pts->ss_within;
		double		tss = var + pts->ss_within;
		bool		finite = true;
		bool		held[SL_MAX_INPUTS + 1] = {false};	/* l_inf, a, b, c */
		double		log_a[SL_MAX_INPUTS];

		/* which linear coefficients a bound holds */
		if (P.lin_bounded)
		{
			LinConstraint cons[LSQ_MAX_ROWS];
			int			owner[LSQ_MAX_ROWS];
			int			nc = build_constraints(&P, best_u, cons, owner);

			for (int i = 0; i < nc; i++)
				if (owner[i] >= 0 && active[i])
					held[owner[i]] = true;
		}
		for (int j = 0; j < k; j++)
		{
			double		u = best_u[j];
			double		lo = spec->exp_lo[j],
						hi = spec->exp_hi[j];

			/* ln |a| from the scaled coefficient: a itself may underflow to 0 */
			log_a[j] = c[j + 1] == 0.0 ? -INFINITY :
				log(P.ysd * fabs(c[j + 1])) + e * M_LN2 +
				(u == 0.0 ? -log(P.T[j]) : u * P.centre[j] / P.T[j] - log(fabs(u)));
			if (u == 0.0)
			{
				out->coef[j] = ldexp(-P.ysd * c[j + 1] / P.T[j], e);
				out->expo[j] = 0.0;
				l_inf -= P.ysd * c[j + 1] * P.centre[j] / P.T[j];
			}
			else
			{
				double		g = u * P.centre[j] / P.T[j];

				/* exp(g) alone may leave the double range where the product does not */
				if (fabs(g) < 700.0)
					out->coef[j] = ldexp(-P.ysd * c[j + 1] / u * exp(g), e);
				else if (c[j + 1] == 0.0)
					out->coef[j] = 0.0;
				else
				{
					/* through logs, the power of two apart: exactly equivariant in y */
					double		t = log(P.ysd * fabs(c[j + 1]) / fabs(u)) + g;
					double		s2 = floor(t / M_LN2);

					out->coef[j] = ((c[j + 1] > 0.0) != (u > 0.0) ? 1.0 : -1.0) *
						ldexp(exp(t - s2 * M_LN2), (int) fmax(fmin(s2, 1e6), -1e6) + e);
				}
				/* an exponent on a side of its box that is a user bound is that bound */
				if (u <= P.ulo[j] && isfinite(lo) && P.ulo[j] == lo * P.T[j])
					out->expo[j] = lo;
				else if (u >= P.uhi[j] && isfinite(hi) && P.uhi[j] == hi * P.T[j])
					out->expo[j] = hi;
				else
					out->expo[j] = u / P.T[j];
				l_inf += P.ysd * c[j + 1] / u;
			}
			out->expo[j] = fmin(fmax(out->expo[j], lo), hi);
			out->at_bound[2 + 2 * j] = u <= P.ulo[j] || u >= P.uhi[j];
		}
		l_inf = ldexp(l_inf, e);

		/*
		 * Bounds on the linear coefficients hold exactly: a coefficient
		 * the constrained solve put on a bound is that bound (the solve
		 * meets it to rounding in scaled units), and none lies outside.
		 */
		for (int j = 0; j <= k; j++)
		{
			double	   *v = j == 0 ? &l_inf : &out->coef[j - 1];
			double		lo = spec->lin_lo[j],
						hi = spec->lin_hi[j];
			bool		on_side = held[j];

			if (held[j])
			{
				if (isfinite(lo) && (!isfinite(hi) || fabs(*v - lo) <= fabs(*v - hi)))
					*v = lo;
				else if (isfinite(hi))
					*v = hi;
			}
			*v = clamp_to_bounds(*v, lo, hi, &on_side);
			out->at_bound[j == 0 ? 0 : 2 * j - 1] = on_side;
		}
		/* no negative zeros in results */
		out->l_inf = l_inf + 0.0;
		for (int j = 0; j < k; j++)
		{
			out->coef[j] += 0.0;
			finite = finite && isfinite(out->coef[j]) && isfinite(out->expo[j]);
		}
		if (!finite || !isfinite(l_inf))
		{
			out->fail_input = 0;
			for (int j = k - 1; j >= 0; j--)
				if (!isfinite(out->coef[j]) || !isfinite(out->expo[j]))
					out->fail_input = isfinite(out->coef[j]) ? 2 + 2 * j : 1 + 2 * j;
			if (!isfinite(l_inf))
				out->fail_input = 0;
			status = FIT_OVERFLOW;
			goto done;
		}

		/*
		 * The user's form a x^-p must hold the term the fit found: x^-p a
		 * normal double at every point (else a vanishing a times an
		 * overflowing power stands for it and predictions are lost), and a
		 * normal unless the whole term is below the rounding of y.
		 */
		{
			double		log_y = log(sqrt(sq / W) + sqrt(pts->ss_within / W)) + e * M_LN2;

			for (int j = 0; j < k; j++)
			{
				double		spread = fabs(out->expo[j]) * lnx_max[j];
				/* a coefficient the solve put on a bound is that bound's value */
				double		la = held[j + 1] ? log(fabs(out->coef[j])) : log_a[j];

				if (isinf(la) && la < 0.0)
					continue;	/* no term */
				if (!(spread <= SL_LOG_POWER_MAX) ||
					(!(la >= SL_LOG_DBL_MIN && la < SL_LOG_DBL_MAX) && la + spread > log_y - 40.0))
				{
					out->fail_input = 1 + 2 * j;
					status = FIT_OVERFLOW;
					goto done;
				}
			}
		}

		/*
		 * Where l_inf and the terms cancel (near the logarithmic limit, l_inf
		 * and a run off together), the rounding of the returned
		 * coefficients is many times that of y: where what they predict has
		 * an RSS other than the fit's own, report that one, so that r2 and
		 * rmse describe the coefficients returned.
		 */
		{
			double		log_y = log(sqrt(sq / W) + sqrt(pts->ss_within / W));
			double		log_big = out->l_inf != 0.0 ? log(fabs(out->l_inf)) - e * M_LN2 : -INFINITY;

			for (int j = 0; j < k; j++)
				if (out->coef[j] != 0.0)
					log_big = fmax(log_big, log(fabs(out->coef[j])) - e * M_LN2 +
								   fabs(out->expo[j]) * lnx_max[j]);
			if (log_big - log_y > CANCEL_RECOMPUTE)
			{
				PowerLawFit scaled = *out;
				dd_t		acc = dd_from(pts->ss_within);

				scaled.l_inf = ldexp(out->l_inf, -e);
				for (int j = 0; j < k; j++)
					scaled.coef[j] = ldexp(out->coef[j], -e);
				for (int i = 0; i < m; i++)
				{
					double		r;

					sl_check_interrupts_every(al, (uint64_t) i);
					r = pts->y[i] - power_law_predict(&scaled, k, &pts->x[(size_t) i * k]);

					acc = dd_add(acc, dd_mul(dd_from(pts->w[i] * r), dd_from(r)));
				}
				/* only where they differ beyond rounding: else the fit's own RSS */
				if (!(fabs(acc.hi - rss) <= 1e-6 * rss + 0x1p-80 * (sq + pts->ss_within)))
					rss = acc.hi + acc.lo;
			}
		}
		out->rss = ldexp(rss, 2 * e);
		out->rmse = ldexp(sqrt(rss / (double) pts->n_rows), e);
		/* bounds can hold predictions of 1e308 away from y: rmse beyond float8 */
		if (!isfinite(out->rmse))
		{
			out->fail_input = -1;
			status = FIT_OVERFLOW;
			goto done;
		}
		/* no variance beyond the rounding of y's mean square: r2 undefined */
		out->r2 = tss > 0x1p-90 * (sq + pts->ss_within) ? 1.0 - rss / tss : NAN;
	}
done:
	al->free(al->ctx, work);
	al->free(al->ctx, mem);
	return status;
}
