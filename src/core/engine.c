/*
 * engine.c -- variable projection with a global search; see engine.h.
 *
 * Coordinates.  Each nonlinear parameter is searched in u, theta =
 * centre + scale sinh(u): near the centre u is linear in theta, far from
 * it logarithmic, so one grid covers rates or widths over many orders of
 * magnitude.  A hard bound on theta is a bound on u (its image under the
 * inverse map); at a bound theta is the bound exactly, never its image
 * mapped back.  y is scaled by a power of two (exact) so that sums of
 * squares neither overflow nor underflow whatever its magnitude.
 *
 * Search.  A grid over the search box (1-3 parameters) or Sobol points
 * (4-8) ranks the box; many distinct local minima of it are polished by
 * Levenberg-Marquardt on the projected residual.  Then, from the best
 * optimum, every parameter is re-scanned densely with the others fixed
 * (the other parameters of its own column coarsely, since a column's
 * parameters act together: a period is found only with a phase near its
 * own), and the best few minima of each scan are polished again; rounds
 * repeat while they improve.  Narrow basins (the period of an
 * oscillation) are found by these scans and missed by any affordable
 * joint grid.
 */
#include "engine.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bvls.h"
#include "lowdisc.h"

#define U_ABS 700.0				/* |u| beyond which sinh(u) leaves the double range */
#define LM_MAX_ITER 200
#define LM_FTOL 1e-12			/* gain and its prediction below this times RSS: converged */
#define LM_FTOL_FINAL 1e-15		/* the same for the final polish of the best point */
#define LM_XTOL 1e-10			/* a trusted step below this relative size: converged */
#define LM_GTOL 1e-10			/* cosine of the gradient with every residual direction */
#define LM_GTOL_STALL 1e-6		/* the same where rounding stops every step */
#define F_EXACT 1e-28			/* RSS this far below sum w y^2: an exact fit to rounding */
#define EVAL_BUDGET 4e6			/* point-evaluations a grid may spend, per effort */
#define MAX_SIDE 4096			/* points per side of any scan */
#define SOBOL_SEP 0.1			/* Sobol starts at least this far apart (box fractions) */
#define MAX_ROUNDS 3			/* rounds of re-scans */
#define IMPROVE_REL 1e-12		/* a re-scan's optimum must beat the best by this */

/* grid points of the joint grid for 1-3 parameters (small groups, effort 1), and floor */
static const int grid_target[4] = {1, 97, 225, 1331};
static const int grid_floor[4] = {1, 33, 225, 729};

#define SOBOL_TARGET 1024
#define SOBOL_FLOOR 256
#define POLISH_STARTS 6			/* grid minima polished, per effort */
#define SCAN_STARTS 2			/* re-scan minima polished, per effort */
#define SCAN_DENSE 61			/* a parameter's own re-scan, alone */
#define SCAN_DENSE_WITH 61		/* ... with coarse partners */
#define SCAN_DENSE_FLOOR 51
#define SCAN_COARSE_1 7			/* values of one coarse partner */
#define SCAN_COARSE_2 5			/* ... of each of two */

typedef struct Engine
{
	const SlModel *md;
	const SlAlloc *al;
	int			m,
				M,
				q;
	int			effort;
	int			y_exp;			/* y is scaled by 2^-y_exp */
	double		y_scale;
	double	   *sw;				/* sqrt(w) */
	double	   *ys;				/* y 2^-y_exp */
	double		f_exact;		/* an RSS at or below this is exact to rounding */
	double	   *G,
			   *g0,
			   *dG,
			   *dg0;			/* the model's output at the last evaluation */
	double	   *A,
			   *b,
			   *r,
			   *J;				/* weighted columns, right-hand side, residual, Jacobian */
	double		col_lo[SL_ENGINE_MAX_COLS],
				col_hi[SL_ENGINE_MAX_COLS];	/* bounds in the scaled units of y */
	double		hlo[SL_ENGINE_MAX_NL],
				hhi[SL_ENGINE_MAX_NL];	/* images of the hard bounds in u */
	double		glo[SL_ENGINE_MAX_NL],
				ghi[SL_ENGINE_MAX_NL];	/* the search box */
	double		llo[SL_ENGINE_MAX_NL],
				lhi[SL_ENGINE_MAX_NL];	/* Levenberg-Marquardt's box */
	bool		bounded_cols;	/* some coefficient has a finite bound */
	SlBvls		ls;
	SlBvlsInfo	info;			/* of the last evaluation */
	double		c[SL_ENGINE_MAX_COLS];	/* its coefficients, scaled units */
	double		theta[SL_ENGINE_MAX_NL];	/* its theta */
	/* scan workspace */
	double	   *fbuf;
	struct Ranked *rank;
	double	   *vals;			/* 3 * MAX_SIDE */
	long		evals;
	int			lm_iters;		/* iterations of the last Levenberg-Marquardt run */
	/* the best distinct optima polished so far (note_optimum) */
	int			n_opt;
	double		opt_u[SL_ENGINE_MAX_OPTIMA][SL_ENGINE_MAX_NL];
	double		opt_f[SL_ENGINE_MAX_OPTIMA];
	/* which parameters each column and the offset move with: see dependencies() */
	int			dep_state;		/* 0 not yet known, 1 known, -1 unknowable */
	unsigned	col_dep[SL_ENGINE_MAX_COLS];
	unsigned	off_dep;
} Engine;

/* a grid or Sobol point by its RSS; ties by index, so the order is total */
typedef struct Ranked
{
	double		f;
	int			idx;
} Ranked;

static int
cmp_ranked(const void *a, const void *b)
{
	const Ranked *x = a,
			   *y = b;

	if (x->f < y->f)
		return -1;
	if (x->f > y->f)
		return 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static inline double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

static double
theta_of_u(const Engine *E, int j, double u)
{
	const SlModel *md = E->md;

	if (u <= E->hlo[j])
		return md->nl_lo[j];
	if (u >= E->hhi[j])
		return md->nl_hi[j];
	return clampd(md->centre[j] + md->scale[j] * sinh(u), md->nl_lo[j], md->nl_hi[j]);
}

/*
 * The weighted problem at u into E: theta, the model's columns (with their
 * partials when deriv), A = sw G and b = sw (y - g0).  False where theta
 * is inadmissible.
 */
static bool
load_problem(Engine *E, const double *u, bool deriv)
{
	const SlModel *md = E->md;
	int			m = E->m,
				M = E->M;

	E->evals++;
	sl_check_interrupts(E->al);
	for (int j = 0; j < E->q; j++)
		E->theta[j] = theta_of_u(E, j, u[j]);
	if (md->has_offset)
		memset(E->g0, 0, sizeof(double) * m);
	if (!md->columns(md->ctx, E->theta, E->G, E->g0, deriv ? E->dG : NULL,
					 deriv ? E->dg0 : NULL))
		return false;
	for (int c = 0; c < M; c++)
	{
		const double *g = E->G + (size_t) c * m;
		double	   *a = E->A + (size_t) c * m;

		for (int i = 0; i < m; i++)
			a[i] = E->sw[i] * g[i];
	}
	for (int i = 0; i < m; i++)
		E->b[i] = E->sw[i] * (E->ys[i] - (md->has_offset ? E->g0[i] * E->y_scale : 0.0));
	return true;
}

/*
 * RSS (scaled units) of the best coefficients at u; INFINITY where theta
 * is inadmissible.  Leaves theta, c, r, info and the bounded solve's
 * factors in E; with deriv also the model's partials.
 */
static double
evaluate(Engine *E, const double *u, bool deriv)
{
	double		f;

	if (!load_problem(E, u, deriv))
		return INFINITY;
	f = sl_bvls_solve(&E->ls, E->m, E->M, E->A, E->b, E->col_lo, E->col_hi, E->c, E->r, &E->info);
	/* coefficients must exist in the user's units too (y's scale undone) */
	for (int c = 0; c < E->M && f < INFINITY; c++)
		if (!isfinite(ldexp(E->c[c], E->y_exp)))
			f = INFINITY;
	return f;
}

/*
 * The RSS at u for ranking a scan's points: evaluate's, or where no
 * coefficient has a bound, the unbounded projection's alone (a third of
 * the work; the same RSS to rounding).  Leaves E's last evaluation stale.
 */
static double
scan_rss(Engine *E, const double *u)
{
	if (E->bounded_cols)
		return evaluate(E, u, false);
	if (!load_problem(E, u, false))
		return INFINITY;
	return sl_lsq_rss(E->m, E->M, E->A, E->b, E->al);
}

/*
 * Kaufman's Jacobian of the projected residual in u at the last
 * evaluation (made with deriv): J_j = -P (sw (dG_j c + dg0_j)) dtheta/du,
 * P the projection off the free columns.  False if not finite.
 */
static bool
jacobian(Engine *E, const double *u)
{
	int			m = E->m,
				M = E->M;

	for (int j = 0; j < E->q; j++)
	{
		double	   *v = E->J + (size_t) j * m;
		double		d = E->md->scale[j] * cosh(u[j]);

		sl_check_interrupts(E->al);
		if (E->md->has_offset)
			for (int i = 0; i < m; i++)
				v[i] = E->dg0[(size_t) j * m + i] * E->y_scale;
		else
			memset(v, 0, sizeof(double) * m);
		for (int c = 0; c < M; c++)
		{
			const double *dg = E->dG + ((size_t) j * M + c) * m;

			if (E->c[c] == 0.0)
				continue;
			for (int i = 0; i < m; i++)
				v[i] += dg[i] * E->c[c];
		}
		for (int i = 0; i < m; i++)
		{
			v[i] *= E->sw[i];
			if (!isfinite(v[i]))
				return false;
		}
		sl_bvls_project(&E->ls, v);
		for (int i = 0; i < m; i++)
		{
			v[i] *= -d;
			if (!isfinite(v[i]))
				return false;
		}
	}
	return true;
}

static double
dot(const double *a, const double *b, int len)
{
	double		s = 0.0;

	for (int i = 0; i < len; i++)
		s += a[i] * b[i];
	return s;
}

/* solve the small dense system M x = r in place (n <= SL_ENGINE_MAX_NL); false if singular */
static bool
solve_small(double *Mx, int n, double *x)
{
	for (int col = 0; col < n; col++)
	{
		int			piv = col;

		for (int i = col + 1; i < n; i++)
			if (fabs(Mx[i * n + col]) > fabs(Mx[piv * n + col]))
				piv = i;
		if (!(fabs(Mx[piv * n + col]) > 0.0))
			return false;
		if (piv != col)
		{
			for (int j = 0; j < n; j++)
			{
				double		t = Mx[col * n + j];

				Mx[col * n + j] = Mx[piv * n + j];
				Mx[piv * n + j] = t;
			}
			{
				double		t = x[col];

				x[col] = x[piv];
				x[piv] = t;
			}
		}
		for (int i = col + 1; i < n; i++)
		{
			double		f = Mx[i * n + col] / Mx[col * n + col];

			for (int j = col; j < n; j++)
				Mx[i * n + j] -= f * Mx[col * n + j];
			x[i] -= f * x[col];
		}
	}
	for (int i = n - 1; i >= 0; i--)
	{
		double		s = x[i];

		for (int j = i + 1; j < n; j++)
			s -= Mx[i * n + j] * x[j];
		x[i] = s / Mx[i * n + i];
		if (!isfinite(x[i]))
			return false;
	}
	return true;
}

/*
 * Bounded Levenberg-Marquardt in u from u (in place, within the LM box);
 * returns the final RSS.  *converged says whether it stopped by the rule:
 * an exact fit; every free direction's gradient cosine below LM_GTOL; an
 * accepted step whose gain and predicted gain are below ftol of RSS;
 * a trusted step below LM_XTOL; or, where rounding defeats every step,
 * a gradient cosine below LM_GTOL_STALL.  Not converged: the iteration
 * cap, or a stall away from stationarity.
 */
static double
levenberg_marquardt(Engine *E, double *u, double ftol, bool *converged)
{
	int			q = E->q,
				m = E->m;
	double		lambda = 1e-3;
	double		f = evaluate(E, u, true);

	*converged = false;
	E->lm_iters = 0;
	/*
	 * A start whose partials leave the double range (a Gaussian of width
	 * 1e-100) cannot be polished, but its value is still a candidate: the
	 * re-scans start from the best of them.
	 */
	if (!isfinite(f))
		return evaluate(E, u, false);
	for (int iter = 0; iter < LM_MAX_ITER; iter++)
	{
		double		g[SL_ENGINE_MAX_NL],
					H[SL_ENGINE_MAX_NL * SL_ENGINE_MAX_NL];
		bool		free_var[SL_ENGINE_MAX_NL];
		double		cosmax = 0.0;
		bool		accepted = false;

		E->lm_iters = iter + 1;
		if (f <= E->f_exact)
		{
			*converged = true;
			return f;
		}
		if (!jacobian(E, u))
			return f;
		for (int a = 0; a < q; a++)
		{
			g[a] = dot(E->J + (size_t) a * m, E->r, m);
			for (int b = 0; b <= a; b++)
				H[a * q + b] = H[b * q + a] = dot(E->J + (size_t) a * m, E->J + (size_t) b * m, m);
		}
		/* the gradient of RSS is 2 J'r; a variable on its side pushed outward stays */
		for (int j = 0; j < q; j++)
		{
			free_var[j] = !((u[j] <= E->llo[j] && g[j] > 0.0) ||
							(u[j] >= E->lhi[j] && g[j] < 0.0));
			if (free_var[j] && H[j * q + j] > 0.0)
				cosmax = fmax(cosmax, fabs(g[j]) / sqrt(H[j * q + j] * f));
		}
		if (!(cosmax > LM_GTOL))
		{
			*converged = true;
			return f;
		}
		while (lambda < 1e16)
		{
			double		Mx[SL_ENGINE_MAX_NL * SL_ENGINE_MAX_NL],
						d[SL_ENGINE_MAX_NL];
			double		unew[SL_ENGINE_MAX_NL];
			int			idx[SL_ENGINE_MAX_NL],
						nf = 0;
			double		fnew,
						pred = 0.0,
						step = 0.0;

			for (int j = 0; j < q; j++)
				if (free_var[j])
					idx[nf++] = j;
			if (nf == 0)
			{
				*converged = true;
				return f;
			}
			for (int a = 0; a < nf; a++)
			{
				for (int b = 0; b < nf; b++)
					Mx[a * nf + b] = H[idx[a] * q + idx[b]];
				Mx[a * nf + a] += lambda * H[idx[a] * q + idx[a]] + 1e-300;
				d[a] = -g[idx[a]];
			}
			if (!solve_small(Mx, nf, d))
			{
				lambda *= 4.0;
				continue;
			}
			memcpy(unew, u, sizeof(double) * q);
			for (int a = 0; a < nf; a++)
			{
				int			j = idx[a];

				unew[j] = clampd(u[j] + d[a], E->llo[j], E->lhi[j]);
				step = fmax(step, fabs(unew[j] - u[j]) / (1.0 + fabs(u[j])));
			}
			/* what the linear model |r + J d|^2 promises for the step taken */
			for (int a = 0; a < q; a++)
			{
				double		da = unew[a] - u[a];

				pred -= 2.0 * g[a] * da;
				for (int b = 0; b < q; b++)
					pred -= da * H[a * q + b] * (unew[b] - u[b]);
			}
			if (step == 0.0 || !(pred > 0.0))
			{
				lambda *= 4.0;
				continue;
			}
			fnew = evaluate(E, unew, true);
			if (fnew < f)
			{
				double		gain = f - fnew;
				double		f_old = f;

				memcpy(u, unew, sizeof(double) * q);
				f = fnew;
				accepted = true;
				/* gain ratio: a poor model (a curved valley) damps instead of zig-zagging */
				if (gain < 0.25 * pred)
					lambda *= 2.0;
				else if (gain > 0.75 * pred)
					lambda = fmax(lambda / 3.0, 1e-12);
				if ((gain <= ftol * f_old && pred <= ftol * f_old) ||
					(step <= LM_XTOL && gain >= 0.25 * pred))
				{
					*converged = true;
					/* the state in E is that of u: the caller may use it */
					return f;
				}
				break;
			}
			lambda *= 4.0;
		}
		if (!accepted)
		{
			/* no step gains: stationary to rounding, or stuck */
			*converged = cosmax <= LM_GTOL_STALL;
			return f;
		}
	}
	return f;
}

/*
 * ORs into out[c] (c < M: column c, c = M: the offset) the parameters
 * whose partials are not all zero at the last evaluation made with deriv.
 */
static void
partial_masks(const Engine *E, unsigned *out)
{
	int			m = E->m,
				M = E->M;

	for (int c = 0; c <= M; c++)
	{
		if (c == M && !E->md->has_offset)
			break;
		for (int j = 0; j < E->q; j++)
		{
			const double *d = c < M ? E->dG + ((size_t) j * M + c) * m : E->dg0 + (size_t) j * m;

			for (int i = 0; i < m && !((out[c] >> j) & 1); i++)
				if (d[i] != 0.0)
					out[c] |= 1u << j;
		}
	}
}

/*
 * Which parameters each column and the offset move with, from the model's
 * partials at two points inside the search box (a partial can vanish at
 * one point by accident).  False when the model is inadmissible there.
 */
static bool
dependencies(Engine *E)
{
	unsigned	masks[SL_ENGINE_MAX_COLS + 1] = {0};

	if (E->dep_state != 0)
		return E->dep_state > 0;
	E->dep_state = -1;
	for (int probe = 0; probe < 2; probe++)
	{
		double		u[SL_ENGINE_MAX_NL] = {0};

		for (int j = 0; j < E->q; j++)
			u[j] = E->glo[j] + (probe == 0 ? 0.5 : 0.3125) * (E->ghi[j] - E->glo[j]);
		if (!(evaluate(E, u, true) < INFINITY))
			return false;
		partial_masks(E, masks);
	}
	memcpy(E->col_dep, masks, sizeof(unsigned) * E->M);
	E->off_dep = masks[E->M];
	E->dep_state = 1;
	return true;
}

static void grid_coords(int idx, int nd, const int *side, int *g);

/* separable scans keep the columns of every scanned value up to this many doubles */
#define SEPARABLE_MAX_DOUBLES ((size_t) 1 << 22)
/* a column whose projection keeps less of its square norm than this is dependent */
#define SEPARABLE_DEP_TOL 1e-12

/*
 * A scan's RSS without an evaluation per point, where it separates: every
 * column moves with at most one scanned parameter (E + A N^-alpha + B
 * D^-beta), no coefficient has a bound and the offset moves with none.
 * The columns that move with no scanned parameter are projected out once;
 * each scanned parameter's columns are computed once per value (side[d]
 * evaluations instead of the product of the sides) and projected; each
 * point's RSS is then the projection of y on its columns through their
 * Gram matrix, as the presets' grid does.  Like scan_rss, it ranks the
 * points; near-dependent columns (keeping less than SEPARABLE_DEP_TOL of
 * their square norm) count as dependent.  Writes E->fbuf; false (nothing
 * written) where the scan does not separate.
 */
static bool
scan_separable(Engine *E, const double *base, int nd, const int *dims, const int *side,
			   double *const *vals, int n)
{
	int			m = E->m,
				M = E->M,
				q = E->q;
	size_t		mm = (size_t) m;
	unsigned	dmask = 0;
	int			n_fixed = 0,
				fixed[SL_ENGINE_MAX_COLS];
	int			n_of[3] = {0},
				cols_of[3][SL_ENGINE_MAX_COLS];
	size_t		off[3],
				n_vec = 0,
				words;
	double	   *mem,
			   *F,
			   *b,
			   *V,
			   *gg,
			   *gb,
			   *g0n,
			   *cross;
	bool	   *ok_val;
	double		beta[SL_ENGINE_MAX_COLS];
	int			qcols[SL_ENGINE_MAX_COLS];
	double		u[SL_ENGINE_MAX_NL];
	double		syy = 0.0;
	int			rank;

	if (E->bounded_cols || !dependencies(E))
		return false;
	for (int d = 0; d < nd; d++)
		dmask |= 1u << dims[d];
	if (E->off_dep & dmask)
		return false;
	for (int c = 0; c < M; c++)
	{
		unsigned	cm = E->col_dep[c] & dmask;
		int			owner = -1;

		if (__builtin_popcount(cm) > 1)
			return false;
		for (int d = 0; d < nd; d++)
			if (cm == 1u << dims[d])
				owner = d;
		if (owner < 0)
			fixed[n_fixed++] = c;
		else
			cols_of[owner][n_of[owner]++] = c;
	}
	for (int d = 0; d < nd; d++)
	{
		off[d] = n_vec;
		n_vec += (size_t) n_of[d] * (size_t) side[d];
	}
	/* fixed columns, b, the scanned columns; their dots; same-value cross dots */
	words = mm * ((size_t) n_fixed + 1 + n_vec) + 3 * n_vec + n_vec * SL_ENGINE_MAX_COLS;
	if (words > SEPARABLE_MAX_DOUBLES)
		return false;
	mem = E->al->alloc(E->al->ctx, sizeof(double) * words + sizeof(bool) * (n_vec + 1));
	if (mem == NULL)
		return false;			/* the evaluations per point need no memory */
	F = mem;
	b = F + mm * (size_t) n_fixed;
	V = b + mm;
	gg = V + mm * n_vec;
	gb = gg + n_vec;
	g0n = gb + n_vec;
	cross = g0n + n_vec;
	ok_val = (bool *) (cross + n_vec * SL_ENGINE_MAX_COLS);

	/* the fixed part, at base */
	if (!load_problem(E, base, false))
		goto fallback;
	for (int a = 0; a < n_fixed; a++)
		memcpy(F + (size_t) a * mm, E->A + (size_t) fixed[a] * mm, sizeof(double) * mm);
	memcpy(b, E->b, sizeof(double) * mm);
	rank = sl_qr_factor(m, n_fixed, F, beta, qcols, E->al);
	if (rank < 0)
		goto fallback;
	sl_qr_reduce(m, F, beta, qcols, rank, b);
	for (int i = 0; i < m; i++)
		syy += b[i] * b[i];
	if (!isfinite(syy))
		goto fallback;

	/* each scanned value's columns, projected */
	for (int d = 0; d < nd; d++)
		for (int g = 0; g < side[d] && n_of[d] > 0; g++)
		{
			size_t		first = off[d] + (size_t) g * n_of[d];

			memcpy(u, base, sizeof(double) * q);
			u[dims[d]] = vals[d][g];
			ok_val[first] = load_problem(E, u, false);
			for (int a = 0; a < n_of[d]; a++)
			{
				double	   *v = V + (first + (size_t) a) * mm;
				double		s = 0.0;

				memcpy(v, E->A + (size_t) cols_of[d][a] * mm, sizeof(double) * mm);
				for (int i = 0; i < m; i++)
					s += v[i] * v[i];
				if (!isfinite(s))
					ok_val[first] = false;
				g0n[first + a] = s;
				if (!ok_val[first])
					continue;
				sl_qr_reduce(m, F, beta, qcols, rank, v);
				gg[first + a] = dot(v, v, m);
				gb[first + a] = dot(v, b, m);
			}
			for (int a = 0; a < n_of[d] && ok_val[first]; a++)
				for (int c = 0; c < a; c++)
					cross[(first + a) * SL_ENGINE_MAX_COLS + c] =
						dot(V + (first + a) * mm, V + (first + c) * mm, m);
		}

	/* each point: y projected on its columns (Cholesky of their Gram matrix) */
	for (int idx = 0; idx < n; idx++)
	{
		int			g[3],
					K = 0;
		size_t		vec[SL_ENGINE_MAX_COLS],
					first_of[SL_ENGINE_MAX_COLS];	/* the first column of its value */
		int			grp[SL_ENGINE_MAX_COLS];
		double		L[SL_ENGINE_MAX_COLS * SL_ENGINE_MAX_COLS],
					z[SL_ENGINE_MAX_COLS];
		bool		drop[SL_ENGINE_MAX_COLS];
		double		rss = syy;
		bool		admissible = true;

		sl_check_interrupts_every(E->al, (uint64_t) idx);
		grid_coords(idx, nd, side, g);
		for (int d = 0; d < nd; d++)
		{
			size_t		first = off[d] + (size_t) g[d] * n_of[d];

			if (n_of[d] == 0)
				continue;
			admissible = admissible && ok_val[first];
			for (int a = 0; a < n_of[d]; a++)
			{
				grp[K] = d;
				first_of[K] = first;
				vec[K++] = first + (size_t) a;
			}
		}
		if (!admissible)
		{
			E->fbuf[idx] = INFINITY;
			continue;
		}
		for (int a = 0; a < K; a++)
		{
			double		dd;

			for (int c = 0; c < a; c++)
			{
				double		e = grp[a] == grp[c] ?
					cross[vec[a] * SL_ENGINE_MAX_COLS + (vec[c] - first_of[c])] :
					dot(V + vec[a] * mm, V + vec[c] * mm, m);

				for (int l = 0; l < c; l++)
					e -= L[a * K + l] * L[c * K + l];
				L[a * K + c] = drop[c] ? 0.0 : e / L[c * K + c];
			}
			dd = gg[vec[a]];
			for (int l = 0; l < a; l++)
				dd -= L[a * K + l] * L[a * K + l];
			drop[a] = !(dd > SEPARABLE_DEP_TOL * g0n[vec[a]]);
			if (drop[a])
			{
				L[a * K + a] = 1.0;
				for (int l = 0; l < a; l++)
					L[a * K + l] = 0.0;
				z[a] = 0.0;
				continue;
			}
			L[a * K + a] = sqrt(dd);
			z[a] = gb[vec[a]];
			for (int l = 0; l < a; l++)
				z[a] -= L[a * K + l] * z[l];
			z[a] /= L[a * K + a];
			rss -= z[a] * z[a];
		}
		E->fbuf[idx] = isfinite(rss) ? (rss > 0.0 ? rss : 0.0) : INFINITY;
	}
	E->al->free(E->al->ctx, mem);
	return true;

fallback:
	E->al->free(E->al->ctx, mem);
	return false;
}

/*
 * Keeps the best SL_ENGINE_MAX_OPTIMA distinct optima polished: a point
 * within OPTIMUM_SAME of the search box of a kept one (in every
 * coordinate) is the same basin, and only the better of the two stays.
 */
#define OPTIMUM_SAME 1e-3

static void
note_optimum(Engine *E, const double *u, double f)
{
	int			at = E->n_opt;

	if (!(f < INFINITY))
		return;
	for (int o = 0; o < E->n_opt; o++)
	{
		double		dist = 0.0;

		for (int j = 0; j < E->q; j++)
		{
			double		w = E->ghi[j] - E->glo[j];

			dist = fmax(dist, fabs(u[j] - E->opt_u[o][j]) / (w > 0.0 ? w : 1.0));
		}
		if (dist <= OPTIMUM_SAME)
		{
			if (!(f < E->opt_f[o]))
				return;
			/* the same basin, better: out of the list, then in again by its value */
			memmove(&E->opt_u[o], &E->opt_u[o + 1], sizeof(E->opt_u[0]) * (size_t) (E->n_opt - o - 1));
			memmove(&E->opt_f[o], &E->opt_f[o + 1], sizeof(double) * (size_t) (E->n_opt - o - 1));
			E->n_opt--;
			break;
		}
	}
	at = E->n_opt;
	while (at > 0 && f < E->opt_f[at - 1])
		at--;
	if (at >= SL_ENGINE_MAX_OPTIMA)
		return;
	{
		int			n = E->n_opt < SL_ENGINE_MAX_OPTIMA ? E->n_opt : SL_ENGINE_MAX_OPTIMA - 1;

		memmove(&E->opt_u[at + 1], &E->opt_u[at], sizeof(E->opt_u[0]) * (size_t) (n - at));
		memmove(&E->opt_f[at + 1], &E->opt_f[at], sizeof(double) * (size_t) (n - at));
		memcpy(E->opt_u[at], u, sizeof(double) * E->q);
		E->opt_f[at] = f;
		E->n_opt = n + 1;
	}
}

/* index <-> coordinates of a grid with sides side[0..nd-1] */
static void
grid_coords(int idx, int nd, const int *side, int *g)
{
	for (int d = 0; d < nd; d++)
	{
		g[d] = idx % side[d];
		idx /= side[d];
	}
}

/*
 * Is grid point idx a local minimum: no neighbour lower, and no neighbour
 * of equal value before it (one point per plateau)?
 */
static bool
grid_local_min(const double *f, int idx, int nd, const int *side)
{
	int			g[3];
	int			n_nb = 1;

	grid_coords(idx, nd, side, g);
	for (int d = 0; d < nd; d++)
		n_nb *= 3;
	for (int code = 0; code < n_nb; code++)
	{
		int			t = code,
					nb = 0,
					stride = 1;
		bool		inside = true,
					self = true;

		for (int d = 0; d < nd; d++, t /= 3)
		{
			int			c = g[d] + t % 3 - 1;

			if (t % 3 != 1)
				self = false;
			if (c < 0 || c >= side[d])
				inside = false;
			nb += c * stride;
			stride *= side[d];
		}
		if (!inside || self)
			continue;
		if (f[nb] < f[idx] || (f[nb] == f[idx] && nb < idx))
			return false;
	}
	return true;
}

/*
 * Scan the parameters dims[0..nd-1] (nd <= 3) over the values vals[d]
 * (side[d] of them), the others at base.  Writes the best local minima,
 * no two adjacent and none adjacent to the point skip (grid coordinates,
 * or NULL), to starts (at most max_starts, best first); returns how many.
 */
static int
scan(Engine *E, const double *base, int nd, const int *dims, const int *side,
	 double *const *vals, const int *skip, int max_starts,
	 double (*starts)[SL_ENGINE_MAX_NL])
{
	int			n = 1,
				n_min = 0,
				n_starts = 0;
	int			picked[64][3];

	for (int d = 0; d < nd; d++)
		n *= side[d];
	for (int idx = scan_separable(E, base, nd, dims, side, vals, n) ? n : 0; idx < n; idx++)
	{
		double		u[SL_ENGINE_MAX_NL];
		int			g[3];

		memcpy(u, base, sizeof(double) * E->q);
		grid_coords(idx, nd, side, g);
		for (int d = 0; d < nd; d++)
			u[dims[d]] = vals[d][g[d]];
		E->fbuf[idx] = scan_rss(E, u);
	}
	for (int idx = 0; idx < n; idx++)
	{
		if (!(E->fbuf[idx] < INFINITY))
			continue;
		if (grid_local_min(E->fbuf, idx, nd, side))
		{
			E->rank[n_min].f = E->fbuf[idx];
			E->rank[n_min].idx = idx;
			n_min++;
		}
	}
	qsort(E->rank, n_min, sizeof(Ranked), cmp_ranked);
	if (max_starts > 64)
		max_starts = 64;
	for (int s = 0; s < n_min && n_starts < max_starts; s++)
	{
		int			g[3];
		bool		near = false;

		grid_coords(E->rank[s].idx, nd, side, g);
		for (int p = -1; p < n_starts && !near; p++)
		{
			const int  *h = p < 0 ? skip : picked[p];
			int			dist = 0;

			if (h == NULL)
				continue;
			for (int d = 0; d < nd; d++)
				dist = abs(g[d] - h[d]) > dist ? abs(g[d] - h[d]) : dist;
			near = dist <= 1;
		}
		if (near)
			continue;
		memcpy(picked[n_starts], g, sizeof(int) * nd);
		memcpy(starts[n_starts], base, sizeof(double) * E->q);
		for (int d = 0; d < nd; d++)
			starts[n_starts][dims[d]] = vals[d][g[d]];
		n_starts++;
	}
	return n_starts;
}

/* side^d points within the budget for m points: target, never below floor */
static int
grid_side(int d, int m, int effort, int target, int floor_n)
{
	double		n = (double) target * effort;
	double		cap = EVAL_BUDGET * effort / m;
	int			side = 1;

	if (n > cap)
		n = cap;
	if (n < floor_n)
		n = floor_n;
	while (side < MAX_SIDE && pow(side + 1, d) <= n)
		side++;
	return side;
}

/* side values evenly over [lo, hi] */
static void
spread(double lo, double hi, int side, double *out)
{
	for (int g = 0; g < side; g++)
		out[g] = side == 1 ? 0.5 * (lo + hi) :
			(g == side - 1 ? hi : lo + (hi - lo) * g / (side - 1));
}

/*
 * The global phase: candidates from the grid or Sobol points, polished.
 * Best optimum to best_u / *best_f / *best_conv.
 */
static void
global_phase(Engine *E, int n_starts_max, double *best_u, double *best_f, bool *best_conv)
{
	int			q = E->q;
	int			n_starts = 0;
	double		st[64][SL_ENGINE_MAX_NL];

	if (q <= 3)
	{
		int			dims[3],
					side[3];
		double	   *vals[3];
		int			s = grid_side(q, E->m, E->effort, grid_target[q], grid_floor[q]);

		for (int d = 0; d < q; d++)
		{
			dims[d] = d;
			side[d] = s;
			vals[d] = E->vals + (size_t) d * MAX_SIDE;
			spread(E->glo[d], E->ghi[d], s, vals[d]);
		}
		n_starts = scan(E, E->glo, q, dims, side, vals, NULL, n_starts_max, st);
	}
	else
	{
		int			n = grid_side(1, E->m, E->effort, SOBOL_TARGET, SOBOL_FLOOR);
		int			n_rank = 0;

		for (int i = 0; i < n; i++)
		{
			double		s[SL_SOBOL_MAX_DIM],
						u[SL_ENGINE_MAX_NL];

			sl_sobol_point((uint32_t) i + 1, q, s);
			for (int j = 0; j < q; j++)
				u[j] = E->glo[j] + (E->ghi[j] - E->glo[j]) * s[j];
			E->rank[n_rank].f = scan_rss(E, u);
			E->rank[n_rank].idx = i;
			if (E->rank[n_rank].f < INFINITY)
				n_rank++;
		}
		qsort(E->rank, n_rank, sizeof(Ranked), cmp_ranked);
		if (n_starts_max > 64)
			n_starts_max = 64;
		for (int r = 0; r < n_rank && n_starts < n_starts_max; r++)
		{
			double		s[SL_SOBOL_MAX_DIM];
			bool		near = false;

			sl_sobol_point((uint32_t) E->rank[r].idx + 1, q, s);
			for (int p = 0; p < n_starts && !near; p++)
			{
				double		dist = 0.0;

				for (int j = 0; j < q; j++)
				{
					double		w = E->ghi[j] - E->glo[j];
					double		uj = E->glo[j] + w * s[j];

					if (w > 0.0)
						dist = fmax(dist, fabs(uj - st[p][j]) / w);
				}
				near = dist < SOBOL_SEP;
			}
			if (near)
				continue;
			for (int j = 0; j < q; j++)
				st[n_starts][j] = E->glo[j] + (E->ghi[j] - E->glo[j]) * s[j];
			n_starts++;
		}
	}
	for (int s = 0; s < n_starts; s++)
	{
		double		u[SL_ENGINE_MAX_NL];
		bool		conv;
		double		f;

		memcpy(u, st[s], sizeof(double) * q);
		f = levenberg_marquardt(E, u, LM_FTOL, &conv);
		note_optimum(E, u, f);
		if (f < *best_f)
		{
			*best_f = f;
			*best_conv = conv;
			memcpy(best_u, u, sizeof(double) * q);
		}
		if (*best_f <= E->f_exact)
			break;
	}
}

/*
 * Which parameters each column (and the offset) depends on at u, from the
 * model's partials: a bit mask per column, distinct masks to masks[]
 * (first appearance order); returns how many, 0 if u is inadmissible.
 */
static int
column_masks(Engine *E, const double *u, unsigned *masks)
{
	unsigned	all[SL_ENGINE_MAX_COLS + 1] = {0};
	int			n = 0;

	if (!(evaluate(E, u, true) < INFINITY))
		return 0;
	partial_masks(E, all);
	for (int c = 0; c <= E->M; c++)
	{
		int			k;

		if (all[c] == 0)
			continue;
		for (k = 0; k < n; k++)
			if (masks[k] == all[c])
				break;
		if (k == n)
			masks[n++] = all[c];
	}
	return n;
}

/*
 * One round of re-scans from best_u: each parameter densely, the other
 * parameters of each column it belongs to coarsely (at most two; more:
 * alone), the rest fixed; the best minima of each scan polished.  True
 * when the best improved.
 */
static bool
rescan_round(Engine *E, double *best_u, double *best_f, bool *best_conv)
{
	int			q = E->q;
	unsigned	masks[SL_ENGINE_MAX_COLS + 1 + SL_ENGINE_MAX_NL];
	int			n_masks = column_masks(E, best_u, masks);
	unsigned	done[(SL_ENGINE_MAX_COLS + 1 + SL_ENGINE_MAX_NL) * SL_ENGINE_MAX_NL];
	int			n_done = 0;
	bool		improved = false;
	double		base[SL_ENGINE_MAX_NL];

	if (n_masks == 0)
		return false;
	/* parameters no column depends on here: scanned alone */
	for (int j = 0; j < q; j++)
	{
		bool		seen = false;

		for (int k = 0; k < n_masks; k++)
			seen = seen || (masks[k] >> j) & 1;
		if (!seen)
			masks[n_masks++] = 1u << j;
	}
	memcpy(base, best_u, sizeof(double) * q);
	for (int k = 0; k < n_masks; k++)
		for (int j = 0; j < q; j++)
		{
			unsigned	partners = masks[k] & ~(1u << j);
			int			n_part = __builtin_popcount(partners);
			int			dims[3],
						side[3],
						skip[3];
			double	   *vals[3];
			int			nd = 1;
			int			dense;
			unsigned	key;
			bool		repeat = false;
			double		st[64][SL_ENGINE_MAX_NL];
			int			n_st;

			if (!((masks[k] >> j) & 1))
				continue;
			if (n_part > 2)
				partners = 0;
			key = partners | (1u << (j + SL_ENGINE_MAX_NL));
			for (int d = 0; d < n_done; d++)
				repeat = repeat || done[d] == key;
			if (repeat)
				continue;
			done[n_done++] = key;
			dense = grid_side(1, E->m, E->effort, partners ? SCAN_DENSE_WITH : SCAN_DENSE,
							  SCAN_DENSE_FLOOR);
			dims[0] = j;
			side[0] = dense;
			vals[0] = E->vals;
			spread(E->glo[j], E->ghi[j], dense, vals[0]);
			/* the current point lies beside the dense values: skip none there */
			skip[0] = -10;
			for (int p = 0; p < q; p++)
			{
				int			nc = n_part == 1 ? SCAN_COARSE_1 : SCAN_COARSE_2;
				double	   *v;
				int			pos;

				if (!((partners >> p) & 1))
					continue;
				v = E->vals + (size_t) nd * MAX_SIDE;
				spread(E->glo[p], E->ghi[p], nc, v);
				/* the current value among them, in order */
				for (pos = 0; pos < nc && v[pos] < base[p]; pos++)
					;
				if (pos == nc || v[pos] != base[p])
				{
					memmove(v + pos + 1, v + pos, sizeof(double) * (nc - pos));
					v[pos] = base[p];
					nc++;
				}
				dims[nd] = p;
				side[nd] = nc;
				vals[nd] = v;
				skip[nd] = pos;
				nd++;
			}
			n_st = scan(E, base, nd, dims, side, vals, nd > 1 ? skip : NULL,
						SCAN_STARTS * E->effort, st);
			for (int s = 0; s < n_st; s++)
			{
				bool		conv;
				double		f = levenberg_marquardt(E, st[s], LM_FTOL, &conv);

				note_optimum(E, st[s], f);

				if (f < *best_f - IMPROVE_REL * *best_f)
				{
					*best_f = f;
					*best_conv = conv;
					memcpy(best_u, st[s], sizeof(double) * q);
					improved = true;
				}
			}
			if (*best_f <= E->f_exact)
				return improved;
		}
	return improved;
}

/* the model and points are within the documented ranges */
static SlEngineStatus
validate(const SlEnginePoints *pts, const SlModel *md)
{
	if (pts == NULL || md == NULL || md->columns == NULL || pts->m < 1 ||
		pts->w == NULL || pts->y == NULL ||
		md->n_cols < 0 || md->n_cols > SL_ENGINE_MAX_COLS ||
		md->n_nl < 0 || md->n_nl > SL_ENGINE_MAX_NL || !(pts->ss_within >= 0.0))
		return SL_ENGINE_INVALID;
	for (int j = 0; j < md->n_nl; j++)
		if (!isfinite(md->centre[j]) || !(md->scale[j] > 0.0) || !isfinite(md->scale[j]) ||
			!isfinite(md->u_lo[j]) || !isfinite(md->u_hi[j]) || !(md->u_lo[j] <= md->u_hi[j]) ||
			isnan(md->nl_lo[j]) || isnan(md->nl_hi[j]))
			return SL_ENGINE_INVALID;
	for (int c = 0; c < md->n_cols; c++)
		if (isnan(md->col_lo[c]) || isnan(md->col_hi[c]))
			return SL_ENGINE_INVALID;
	for (int i = 0; i < pts->m; i++)
		if (!(pts->w[i] > 0.0) || !isfinite(pts->w[i]) || !isfinite(pts->y[i]))
			return SL_ENGINE_INVALID;
	for (int j = 0; j < md->n_nl; j++)
		if (md->nl_lo[j] > md->nl_hi[j] || md->nl_lo[j] == INFINITY || md->nl_hi[j] == -INFINITY)
			return SL_ENGINE_INFEASIBLE;
	for (int c = 0; c < md->n_cols; c++)
		if (md->col_lo[c] > md->col_hi[c] || md->col_lo[c] == INFINITY ||
			md->col_hi[c] == -INFINITY)
			return SL_ENGINE_INFEASIBLE;
	return SL_ENGINE_OK;
}

/* the boxes of parameter j in u: hard image, search box, LM box */
static void
boxes(Engine *E, int j)
{
	const SlModel *md = E->md;
	double		c = md->centre[j],
				s = md->scale[j];
	double		w = md->u_hi[j] - md->u_lo[j];

	E->hlo[j] = isfinite(md->nl_lo[j]) ? clampd(asinh((md->nl_lo[j] - c) / s), -U_ABS, U_ABS) : -INFINITY;
	E->hhi[j] = isfinite(md->nl_hi[j]) ? clampd(asinh((md->nl_hi[j] - c) / s), -U_ABS, U_ABS) : INFINITY;
	E->glo[j] = fmax(clampd(md->u_lo[j], -U_ABS, U_ABS), E->hlo[j]);
	E->ghi[j] = fmin(clampd(md->u_hi[j], -U_ABS, U_ABS), E->hhi[j]);
	/* a search box wholly outside the hard bounds: as wide, on their near side */
	if (E->glo[j] > E->ghi[j])
	{
		if (md->u_hi[j] < E->hlo[j])
		{
			E->glo[j] = E->hlo[j];
			E->ghi[j] = fmin(E->hhi[j], E->hlo[j] + w);
		}
		else
		{
			E->ghi[j] = E->hhi[j];
			E->glo[j] = fmax(E->hlo[j], E->hhi[j] - w);
		}
	}
	E->llo[j] = fmax(E->hlo[j], fmax(E->glo[j] - SL_ENGINE_U_MARGIN, -U_ABS));
	E->lhi[j] = fmin(E->hhi[j], fmin(E->ghi[j] + SL_ENGINE_U_MARGIN, U_ABS));
}

SlEngineStatus
sl_engine_fit(const SlEnginePoints *pts, const SlModel *model, const SlEngineOptions *opt,
			  const SlAlloc *al, SlEngineResult *out)
{
	Engine		E;
	SlEngineStatus status;
	int			m,
				M,
				q;
	size_t		words,
				n_scan;
	double	   *mem;
	double		ymax = 0.0,
				yy = 0.0;
	double		best_u[SL_ENGINE_MAX_NL] = {0};
	double		best_f = INFINITY;
	bool		best_conv = false;

	memset(out, 0, sizeof(*out));
	status = validate(pts, model);
	if (status != SL_ENGINE_OK)
		return status;
	m = pts->m;
	M = model->n_cols;
	q = model->n_nl;
	if (m < M + q)
		return SL_ENGINE_UNDETERMINED;

	memset(&E, 0, sizeof(E));
	E.md = model;
	E.al = al;
	E.m = m;
	E.M = M;
	E.q = q;
	E.effort = opt && opt->effort > 1 ? (opt->effort > 64 ? 64 : opt->effort) : 1;

	/* the largest scan: the joint grid, Sobol points or a re-scan */
	n_scan = (size_t) SOBOL_TARGET * E.effort;
	{
		size_t		g = 1,
					r;
		int			s = grid_side(q < 3 ? (q > 0 ? q : 1) : 3, m, E.effort,
								  grid_target[q < 3 ? (q > 0 ? q : 1) : 3],
								  grid_floor[q < 3 ? (q > 0 ? q : 1) : 3]);

		for (int d = 0; d < (q < 3 ? q : 3); d++)
			g *= s;
		r = (size_t) grid_side(1, m, E.effort, SCAN_DENSE, SCAN_DENSE_FLOOR) *
			(SCAN_COARSE_2 + 1) * (SCAN_COARSE_2 + 1);
		n_scan = n_scan > g ? n_scan : g;
		n_scan = n_scan > r ? n_scan : r;
	}
	words = (size_t) m * (2 + M + 1 + (size_t) q * M + q + M + 1 + 1 + q) + n_scan + 3 * MAX_SIDE;
	mem = al->alloc(al->ctx, sizeof(double) * words);
	if (mem == NULL)
		return SL_ENGINE_NO_MEMORY;
	E.rank = al->alloc(al->ctx, sizeof(Ranked) * n_scan);
	if (E.rank == NULL)
	{
		al->free(al->ctx, mem);
		return SL_ENGINE_NO_MEMORY;
	}
	if (!sl_bvls_init(&E.ls, m, M, al))
	{
		al->free(al->ctx, E.rank);
		al->free(al->ctx, mem);
		return SL_ENGINE_NO_MEMORY;
	}
	E.sw = mem;
	E.ys = E.sw + m;
	E.G = E.ys + m;
	E.g0 = E.G + (size_t) m * M;
	E.dG = E.g0 + m;
	E.dg0 = E.dG + (size_t) m * q * M;
	E.A = E.dg0 + (size_t) m * q;
	E.b = E.A + (size_t) m * M;
	E.r = E.b + m;
	E.J = E.r + m;
	E.fbuf = E.J + (size_t) m * q;
	E.vals = E.fbuf + n_scan;

	/* y scaled by a power of two near its largest magnitude: exact */
	for (int i = 0; i < m; i++)
	{
		sl_check_interrupts_every(al, (uint64_t) i);
		ymax = fmax(ymax, fabs(pts->y[i]));
		E.sw[i] = sqrt(pts->w[i]);
	}
	if (ymax > 0.0)
		(void) frexp(ymax, &E.y_exp);
	E.y_scale = ldexp(1.0, -E.y_exp);
	for (int i = 0; i < m; i++)
	{
		sl_check_interrupts_every(al, (uint64_t) i);
		E.ys[i] = pts->y[i] * E.y_scale;
		yy += pts->w[i] * E.ys[i] * E.ys[i];
	}
	E.f_exact = F_EXACT * yy;
	for (int c = 0; c < M; c++)
	{
		E.col_lo[c] = ldexp(model->col_lo[c], -E.y_exp);
		E.col_hi[c] = ldexp(model->col_hi[c], -E.y_exp);
		E.bounded_cols = E.bounded_cols || isfinite(model->col_lo[c]) || isfinite(model->col_hi[c]);
	}
	for (int j = 0; j < q; j++)
		boxes(&E, j);

	if (q == 0)
	{
		best_f = evaluate(&E, best_u, false);
		best_conv = true;
	}
	else if (opt && opt->n_starts > 0)
	{
		/* the points given, polished */
		for (int s = 0; s < opt->n_starts && s < SL_ENGINE_MAX_OPTIMA; s++)
		{
			double		u[SL_ENGINE_MAX_NL];
			bool		conv;
			double		f;

			for (int j = 0; j < q; j++)
				u[j] = clampd(asinh((opt->starts[s][j] - model->centre[j]) / model->scale[j]),
							  E.llo[j], E.lhi[j]);
			f = levenberg_marquardt(&E, u, LM_FTOL, &conv);
			note_optimum(&E, u, f);
			if (f < best_f)
			{
				best_f = f;
				best_conv = conv;
				memcpy(best_u, u, sizeof(double) * q);
			}
		}
	}
	else
	{
		global_phase(&E, POLISH_STARTS * E.effort, best_u, &best_f, &best_conv);
		/* one parameter: its re-scan would be the grid again, coarser */
		for (int round = 0; round < MAX_ROUNDS && q > 1 && best_f < INFINITY && best_f > E.f_exact;
			 round++)
			if (!rescan_round(&E, best_u, &best_f, &best_conv))
				break;
	}
	if (!(best_f < INFINITY))
	{
		status = SL_ENGINE_UNDETERMINED;
		goto done;
	}

	/*
	 * The best point polished to the last digits the data determine: the
	 * search's polishes stop at a gain of LM_FTOL, which leaves weakly
	 * determined parameters (NIST's ENSO) a few digits short.
	 */
	if (q > 0)
	{
		double		u[SL_ENGINE_MAX_NL];
		bool		conv;
		double		f;

		memcpy(u, best_u, sizeof(double) * q);
		f = levenberg_marquardt(&E, u, LM_FTOL_FINAL, &conv);
		out->iterations = E.lm_iters;
		if (f <= best_f)
		{
			best_conv = conv;
			memcpy(best_u, u, sizeof(double) * q);
		}
	}
	/* the answer, in the user's units (q = 0: its one evaluation is in E) */
	if (q > 0)
		best_f = evaluate(&E, best_u, false);
	if (!(best_f < INFINITY))
	{
		status = SL_ENGINE_UNDETERMINED;
		goto done;
	}
	for (int j = 0; j < q; j++)
	{
		out->theta[j] = E.theta[j];
		out->nl_at_bound[j] = (isfinite(model->nl_lo[j]) && E.theta[j] == model->nl_lo[j]) ||
			(isfinite(model->nl_hi[j]) && E.theta[j] == model->nl_hi[j]);
		out->nl_at_cap[j] = (best_u[j] <= E.llo[j] && E.llo[j] > E.hlo[j]) ||
			(best_u[j] >= E.lhi[j] && E.lhi[j] < E.hhi[j]);
		if (out->nl_at_cap[j])
			best_conv = false;
	}
	for (int c = 0; c < M; c++)
	{
		double		lo = model->col_lo[c],
					hi = model->col_hi[c];
		double		v;

		if (E.info.at_bound[c] && E.c[c] == E.col_lo[c])
			v = lo;
		else if (E.info.at_bound[c] && E.c[c] == E.col_hi[c])
			v = hi;
		else
			v = clampd(ldexp(E.c[c], E.y_exp), lo, hi);
		if (!isfinite(v))
		{
			status = SL_ENGINE_UNDETERMINED;
			goto done;
		}
		out->coef[c] = v + 0.0;	/* no negative zeros */
		out->col_at_bound[c] = (isfinite(lo) && v == lo) || (isfinite(hi) && v == hi);
		out->col_dependent[c] = E.info.dependent[c];
	}
	out->rank_deficient = E.info.rank_deficient;
	out->n_optima = E.n_opt;
	for (int o = 0; o < E.n_opt; o++)
		for (int j = 0; j < q; j++)
			out->optima[o][j] = theta_of_u(&E, j, E.opt_u[o][j]);
	out->rss = ldexp(best_f, 2 * E.y_exp) + pts->ss_within;
	out->converged = best_conv;
done:
	out->n_evals = (int) (E.evals > 2147483647L ? 2147483647L : E.evals);
	sl_bvls_free(&E.ls);
	al->free(al->ctx, E.rank);
	al->free(al->ctx, mem);
	return status;
}
