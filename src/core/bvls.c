/*
 * bvls.c -- bounded-variable linear least squares; see bvls.h.
 */
#include "bvls.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* active-set iterations: each adds one variable; Stark and Parker see about n */
#define MAX_OUTER(n) (3 * (n) + 30)

/* a gradient entry this far below the right-hand side's norm is rounding */
#define GRAD_TOL 1e-12

bool
sl_bvls_init(SlBvls *ws, int m_max, int n_max, const SlAlloc *al)
{
	size_t		words = (size_t) m_max * (size_t) (n_max > 0 ? n_max : 1);

	memset(ws, 0, sizeof(*ws));
	ws->m_max = m_max;
	ws->n_max = n_max;
	ws->al = al;
	ws->unit = al->alloc(al->ctx, sizeof(double) * 2 * words);
	if (ws->unit == NULL)
		return false;
	ws->house = ws->unit + words;
	return true;
}

void
sl_bvls_free(SlBvls *ws)
{
	if (ws->unit)
		ws->al->free(ws->al->ctx, ws->unit);
	ws->unit = NULL;
	ws->house = NULL;
}

/* Euclidean norm without overflow; INFINITY when an entry is not finite */
static double
norm2(const double *v, int len)
{
	double		amax = 0.0,
				s = 0.0;

	/*
	 * The plain sum of squares where it stays well inside the double range
	 * (almost always: one pass, no division); scaled by the largest
	 * magnitude only where it could overflow or lose digits to underflow.
	 */
	for (int i = 0; i < len; i++)
		s += v[i] * v[i];
	if (s > 0x1p-900 && s < 0x1p900)
		return sqrt(s);
	s = 0.0;
	for (int i = 0; i < len; i++)
	{
		if (!isfinite(v[i]))
			return INFINITY;
		if (fabs(v[i]) > amax)
			amax = fabs(v[i]);
	}
	if (amax == 0.0)
		return 0.0;
	for (int i = 0; i < len; i++)
	{
		double		t = v[i] / amax;

		s += t * t;
	}
	return amax * sqrt(s);
}

static double
dot(const double *a, const double *b, int len)
{
	double		s = 0.0;

	for (int i = 0; i < len; i++)
		s += a[i] * b[i];
	return s;
}

/*
 * Householder reflector H = I - beta v v' with H x = alpha e1, for x of
 * length len (overwritten by v).  Returns alpha; beta 0 for x = 0.
 */
static double
householder_norm(double *x, double nrm, double *beta)
{
	double		x0 = x[0];
	double		alpha;

	if (nrm == 0.0)
	{
		*beta = 0.0;
		return 0.0;
	}
	alpha = x0 >= 0.0 ? -nrm : nrm;
	x[0] = x0 - alpha;
	/* |v|^2 = 2 nrm (nrm + |x0|): no cancellation, alpha has x0's opposite sign */
	*beta = 1.0 / (nrm * (nrm + fabs(x0)));
	return alpha;
}

static double
householder(double *x, int len, double *beta)
{
	return householder_norm(x, norm2(x, len), beta);
}

static void
reflect(const double *v, double beta, double *w, int len)
{
	double		s;

	if (beta == 0.0)
		return;
	s = beta * dot(v, w, len);
	for (int i = 0; i < len; i++)
		w[i] -= s * v[i];
}

/*
 * Least squares on the columns F of the k x k upper triangle R (column
 * major, ld k): y minimises |R[:, F] y - t|.  R[:, F] has full column
 * rank (F lies within the independent columns); false if y is not finite.
 */
static bool
subset_lsq(const double *R, int k, const int *F, int nf, const double *t, double *y)
{
	double		H[SL_BVLS_MAX_COLS * SL_BVLS_MAX_COLS];
	double		z[SL_BVLS_MAX_COLS];
	double		diag[SL_BVLS_MAX_COLS];

	for (int a = 0; a < nf; a++)
		memcpy(H + (size_t) a * k, R + (size_t) F[a] * k, sizeof(double) * k);
	memcpy(z, t, sizeof(double) * k);
	for (int a = 0; a < nf; a++)
	{
		double		beta;
		double	   *v = H + (size_t) a * k + a;

		diag[a] = householder(v, k - a, &beta);
		for (int b = a + 1; b < nf; b++)
			reflect(v, beta, H + (size_t) b * k + a, k - a);
		reflect(v, beta, z + a, k - a);
	}
	for (int a = nf - 1; a >= 0; a--)
	{
		double		s = z[a];

		for (int b = a + 1; b < nf; b++)
			s -= H[(size_t) b * k + a] * y[b];
		y[a] = s / diag[a];
		if (!isfinite(y[a]))
			return false;
	}
	return true;
}

/* g = R' (t - R x) for the k x k upper triangle R */
static void
gradient(const double *R, int k, const double *t, const double *x, double *g)
{
	double		res[SL_BVLS_MAX_COLS];

	for (int i = 0; i < k; i++)
	{
		double		s = t[i];

		for (int j = i; j < k; j++)
			s -= R[(size_t) j * k + i] * x[j];
		res[i] = s;
	}
	for (int j = 0; j < k; j++)
	{
		double		s = 0.0;

		for (int i = 0; i <= j; i++)
			s += R[(size_t) j * k + i] * res[i];
		g[j] = s;
	}
}

enum
{
	FREE = 0, AT_LO = 1, AT_HI = 2
};

/*
 * Stark and Parker's BVLS on min |R x - t| over lo <= x <= hi, R k x k
 * upper triangular with independent columns.  state gets each variable's
 * place; x on a bound equals it exactly.  False if a solve is not finite.
 */
static bool
bvls_small(const double *R, int k, const double *t, const double *lo, const double *hi,
		   double *x, int *state, const SlAlloc *al)
{
	int			F[SL_BVLS_MAX_COLS] = {0};
	double		y[SL_BVLS_MAX_COLS];
	bool		blocked[SL_BVLS_MAX_COLS] = {false};
	double		tnorm = norm2(t, k);
	int			nf = 0;
	bool		inside = true;

	/* the unconstrained solution: the answer whenever it is feasible */
	for (int j = 0; j < k; j++)
		F[j] = j;
	if (!subset_lsq(R, k, F, k, t, y))
		return false;
	for (int j = 0; j < k; j++)
	{
		state[j] = FREE;
		x[j] = y[j];
		if (y[j] < lo[j])
		{
			state[j] = AT_LO;
			x[j] = lo[j];
			inside = false;
		}
		else if (y[j] > hi[j])
		{
			state[j] = AT_HI;
			x[j] = hi[j];
			inside = false;
		}
	}
	if (inside)
		return true;

	for (int outer = 0; outer < MAX_OUTER(k); outer++)
	{
		double		g[SL_BVLS_MAX_COLS];
		int			pick = -1;
		double		best = 0.0;

		sl_check_interrupts(al);
		/* inner loop: an LS solution on the free set, staying feasible */
		for (;;)
		{
			double		tf[SL_BVLS_MAX_COLS];
			double		step = 1.0;
			int			hit = -1;

			nf = 0;
			for (int j = 0; j < k; j++)
				if (state[j] == FREE)
					F[nf++] = j;
			if (nf == 0)
				break;
			/* right-hand side less the fixed variables' part */
			for (int i = 0; i < k; i++)
			{
				double		s = t[i];

				for (int j = i; j < k; j++)
					if (state[j] != FREE)
						s -= R[(size_t) j * k + i] * x[j];
				tf[i] = s;
			}
			if (!subset_lsq(R, k, F, nf, tf, y))
				return false;
			for (int a = 0; a < nf; a++)
			{
				int			j = F[a];
				double		lim;

				if (y[a] < lo[j])
					lim = (lo[j] - x[j]) / (y[a] - x[j]);
				else if (y[a] > hi[j])
					lim = (hi[j] - x[j]) / (y[a] - x[j]);
				else
					continue;
				if (!(lim >= 0.0))
					lim = 0.0;
				if (lim < step)
				{
					step = lim;
					hit = j;
				}
			}
			if (hit < 0)
			{
				for (int a = 0; a < nf; a++)
					x[F[a]] = y[a];
				break;
			}
			/* to the first bound met; it (and any other on its bound) is fixed */
			for (int a = 0; a < nf; a++)
			{
				int			j = F[a];

				x[j] += step * (y[a] - x[j]);
				if (j == hit)
				{
					if (y[a] < lo[j])
						x[j] = lo[j];
					else
						x[j] = hi[j];
				}
				if (x[j] <= lo[j])
				{
					x[j] = lo[j];
					state[j] = AT_LO;
				}
				else if (x[j] >= hi[j])
				{
					x[j] = hi[j];
					state[j] = AT_HI;
				}
			}
		}
		/* the fixed variable whose gradient points most into its box */
		gradient(R, k, t, x, g);
		for (int j = 0; j < k; j++)
		{
			double		push = state[j] == AT_LO ? g[j] : (state[j] == AT_HI ? -g[j] : 0.0);

			if (!blocked[j] && push > GRAD_TOL * tnorm && push > best)
			{
				best = push;
				pick = j;
			}
		}
		if (pick < 0)
			return true;
		/*
		 * Freed, it must move into its box; where rounding says otherwise
		 * it stays fixed and is not tried again until something else moves
		 * (Lawson and Hanson's guard against cycling).
		 */
		{
			int			was = state[pick];
			double		tf[SL_BVLS_MAX_COLS];
			int			at = 0;

			state[pick] = FREE;
			nf = 0;
			for (int j = 0; j < k; j++)
				if (state[j] == FREE)
				{
					if (j == pick)
						at = nf;
					F[nf++] = j;
				}
			for (int i = 0; i < k; i++)
			{
				double		s = t[i];

				for (int j = i; j < k; j++)
					if (state[j] != FREE)
						s -= R[(size_t) j * k + i] * x[j];
				tf[i] = s;
			}
			if (!subset_lsq(R, k, F, nf, tf, y))
				return false;
			if ((was == AT_LO && !(y[at] > lo[pick])) || (was == AT_HI && !(y[at] < hi[pick])))
			{
				state[pick] = was;
				blocked[pick] = true;
			}
			else
				memset(blocked, 0, sizeof(blocked));
		}
	}
	/* the iteration cap: the last feasible point, which is a valid answer */
	return true;
}

double
sl_bvls_solve(SlBvls *ws, int m, int n, const double *A, const double *b,
			  const double *lo, const double *hi, double *x, double *r,
			  SlBvlsInfo *info)
{
	double		nrm[SL_BVLS_MAX_COLS];
	double		slo[SL_BVLS_MAX_COLS],
				shi[SL_BVLS_MAX_COLS];
	double		diag[SL_BVLS_MAX_COLS];
	int			perm[SL_BVLS_MAX_COLS];
	int			rank = 0;
	double	   *U = ws->unit,
			   *H = ws->house;
	double		rss = 0.0;

	memset(info, 0, sizeof(*info));
	ws->m = m;
	ws->n_house = 0;
	if (norm2(b, m) == INFINITY)
		return INFINITY;

	/* unit columns; the bounds in their units */
	for (int j = 0; j < n; j++)
	{
		const double *a = A + (size_t) j * m;
		double	   *u = U + (size_t) j * m;

		sl_check_interrupts(ws->al);
		nrm[j] = norm2(a, m);
		if (!isfinite(nrm[j]))
			return INFINITY;
		if (nrm[j] == 0.0)
			memset(u, 0, sizeof(double) * m);
		else
			for (int i = 0; i < m; i++)
				u[i] = a[i] / nrm[j];
		/* 0 and infinities map to themselves (never 0 * inf) */
		slo[j] = lo[j] == 0.0 || isinf(lo[j]) ? lo[j] : lo[j] * nrm[j];
		shi[j] = hi[j] == 0.0 || isinf(hi[j]) ? hi[j] : hi[j] * nrm[j];
		/* a finite bound beyond the double range in these units: nothing admissible */
		if (slo[j] == INFINITY || shi[j] == -INFINITY)
			return INFINITY;
		perm[j] = j;
	}

	/* Householder QR with column pivoting, to the numerical rank */
	memcpy(H, U, sizeof(double) * (size_t) m * n);
	memcpy(r, b, sizeof(double) * m);	/* r holds Q' b meanwhile */
	for (int k = 0; k < n && k < m; k++)
	{
		int			best = -1;
		double		bn = SL_BVLS_RANK_TOL;

		sl_check_interrupts(ws->al);
		for (int j = k; j < n; j++)
		{
			double		nj = norm2(H + (size_t) j * m + k, m - k);

			if (nj > bn)
			{
				bn = nj;
				best = j;
			}
		}
		if (best < 0)
			break;
		if (best != k)
		{
			double	   *ck = H + (size_t) k * m,
					   *cb = H + (size_t) best * m;
			int			tp = perm[k];

			for (int i = 0; i < m; i++)
			{
				double		tv = ck[i];

				ck[i] = cb[i];
				cb[i] = tv;
			}
			perm[k] = perm[best];
			perm[best] = tp;
		}
		{
			double	   *v = H + (size_t) k * m + k;

			diag[k] = householder(v, m - k, &ws->beta[k]);
			for (int j = k + 1; j < n; j++)
				reflect(v, ws->beta[k], H + (size_t) j * m + k, m - k);
			reflect(v, ws->beta[k], r + k, m - k);
		}
		rank = k + 1;
	}

	{
		double		R[SL_BVLS_MAX_COLS * SL_BVLS_MAX_COLS];
		double		t[SL_BVLS_MAX_COLS],
					plo[SL_BVLS_MAX_COLS],
					phi[SL_BVLS_MAX_COLS],
					xs[SL_BVLS_MAX_COLS];
		int			state[SL_BVLS_MAX_COLS];
		bool		all_free = true;

		/* dependent columns: the value nearest 0 within their bounds */
		for (int p = rank; p < n; p++)
		{
			int			j = perm[p];

			x[j] = lo[j] > 0.0 ? lo[j] : (hi[j] < 0.0 ? hi[j] : 0.0);
			info->dependent[j] = true;
			info->rank_deficient = true;
			info->at_bound[j] = x[j] != 0.0;
		}
		for (int i = 0; i < rank; i++)
		{
			double		s = r[i];

			for (int p = rank; p < n; p++)
			{
				int			j = perm[p];

				if (x[j] != 0.0)
					s -= H[(size_t) p * m + i] * (x[j] * nrm[j]);
			}
			t[i] = s;
			for (int p = 0; p < rank; p++)
				R[(size_t) p * rank + i] = p < i ? 0.0 : (p == i ? diag[i] : H[(size_t) p * m + i]);
		}
		for (int p = 0; p < rank; p++)
		{
			plo[p] = slo[perm[p]];
			phi[p] = shi[perm[p]];
		}
		if (!bvls_small(R, rank, t, plo, phi, xs, state, ws->al))
			return INFINITY;

		/* back to A's units; a coefficient on a bound is that bound */
		for (int p = 0; p < rank; p++)
		{
			int			j = perm[p];

			if (state[p] == AT_LO)
				x[j] = lo[j];
			else if (state[p] == AT_HI)
				x[j] = hi[j];
			else
			{
				x[j] = xs[p] / nrm[j];
				if (!isfinite(x[j]))
					return INFINITY;
				if (x[j] < lo[j])
					x[j] = lo[j];
				if (x[j] > hi[j])
					x[j] = hi[j];
			}
			info->at_bound[j] = x[j] == lo[j] || x[j] == hi[j];
			if (info->at_bound[j])
				all_free = false;
			else
				info->n_free++;
		}

		/* the projection's basis: the pivoted QR when every column is free */
		if (all_free)
			ws->n_house = rank;
		else
		{
			int			nf = 0;

			for (int p = 0; p < rank; p++)
			{
				int			j = perm[p];

				if (info->at_bound[j])
					continue;
				memcpy(H + (size_t) nf * m, U + (size_t) j * m, sizeof(double) * m);
				nf++;
			}
			for (int a = 0; a < nf; a++)
			{
				double	   *v = H + (size_t) a * m + a;

				sl_check_interrupts(ws->al);
				(void) householder(v, m - a, &ws->beta[a]);
				for (int c = a + 1; c < nf; c++)
					reflect(v, ws->beta[a], H + (size_t) c * m + a, m - a);
			}
			ws->n_house = nf;
		}
	}

	/* the residual of the returned x, directly */
	memcpy(r, b, sizeof(double) * m);
	for (int j = 0; j < n; j++)
	{
		const double *a = A + (size_t) j * m;

		if (x[j] == 0.0)
			continue;
		sl_check_interrupts(ws->al);
		for (int i = 0; i < m; i++)
			r[i] -= a[i] * x[j];
	}
	for (int i = 0; i < m; i++)
		rss += r[i] * r[i];
	return isfinite(rss) ? rss : INFINITY;
}

int
sl_qr_factor(int m, int n, double *A, double *beta, int *cols, const SlAlloc *al)
{
	int			row = 0;		/* rows taken by the independent columns so far */

	for (int j = 0; j < n && row < m; j++)
	{
		double	   *a = A + (size_t) j * m;
		double		full = norm2(a, m),
					rest;

		sl_check_interrupts(al);
		if (full == INFINITY)
			return -1;
		/* what is left of the column beside the span of the independent ones */
		rest = row == 0 ? full : norm2(a + row, m - row);
		if (!(rest > SL_BVLS_RANK_TOL * full))
			continue;
		(void) householder_norm(a + row, rest, &beta[row]);
		for (int c = j + 1; c < n; c++)
			reflect(a + row, beta[row], A + (size_t) c * m + row, m - row);
		cols[row] = j;
		row++;
	}
	return row;
}

void
sl_qr_reduce(int m, const double *A, const double *beta, const int *cols, int rank, double *v)
{
	for (int r = 0; r < rank; r++)
		reflect(A + (size_t) cols[r] * m + r, beta[r], v + r, m - r);
	for (int r = 0; r < rank; r++)
		v[r] = 0.0;
}

double
sl_lsq_rss(int m, int n, double *A, double *b, const SlAlloc *al)
{
	double		beta[SL_BVLS_MAX_COLS];
	int			cols[SL_BVLS_MAX_COLS];
	double		rss = 0.0;
	int			rank;

	if (norm2(b, m) == INFINITY)
		return INFINITY;
	rank = sl_qr_factor(m, n, A, beta, cols, al);
	if (rank < 0)
		return INFINITY;
	sl_qr_reduce(m, A, beta, cols, rank, b);
	for (int i = rank; i < m; i++)
		rss += b[i] * b[i];
	return isfinite(rss) ? rss : INFINITY;
}

void
sl_bvls_project(const SlBvls *ws, double *v)
{
	int			m = ws->m;

	for (int a = 0; a < ws->n_house; a++)
		reflect(ws->house + (size_t) a * m + a, ws->beta[a], v + a, m - a);
	for (int a = 0; a < ws->n_house; a++)
		v[a] = 0.0;
	for (int a = ws->n_house - 1; a >= 0; a--)
		reflect(ws->house + (size_t) a * m + a, ws->beta[a], v + a, m - a);
}
