/*
 * lsq.c -- LAPACKE least squares and the bound-constrained refinement.
 */
#include "lsq.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#define RANK_TOL 1e-13
#define FEAS_TOL 1e-11

int
lsq_work_size(int m, int n)
{
	/* dgels needs max(1, mn + max(mn, nrhs) * nb); nb <= 64 is ample */
	int			mn = m < n ? m : n;

	return mn + (mn > 1 ? mn : 1) * 64 + 64;
}

bool
lsq_solve(double *A, int m, int n, const double *col_norm, double *b,
		  double *work, int lwork, double *c, double *rss)
{
	lapack_int	info;
	double		s = 0.0;

	info = LAPACKE_dgels_work(LAPACK_COL_MAJOR, 'N', m, n, 1, A, m, b, m,
							  work, lwork);
	if (info != 0)
		return false;
	for (int j = 0; j < n; j++)
	{
		if (!(fabs(A[j + (size_t) j * m]) > RANK_TOL * col_norm[j]))
			return false;
		c[j] = b[j];
	}
	for (int i = n; i < m; i++)
		s += b[i] * b[i];
	*rss = s;
	return isfinite(s);
}

bool
small_solve(double *M, int n, double *r)
{
	for (int col = 0; col < n; col++)
	{
		int			piv = col;
		double		best = fabs(M[col * n + col]);

		for (int i = col + 1; i < n; i++)
			if (fabs(M[i * n + col]) > best)
			{
				best = fabs(M[i * n + col]);
				piv = i;
			}
		if (!(best > 0.0) || !isfinite(best))
			return false;
		if (piv != col)
		{
			for (int j = 0; j < n; j++)
			{
				double		t = M[col * n + j];

				M[col * n + j] = M[piv * n + j];
				M[piv * n + j] = t;
			}
			{
				double		t = r[col];

				r[col] = r[piv];
				r[piv] = t;
			}
		}
		for (int i = col + 1; i < n; i++)
		{
			double		f = M[i * n + col] / M[col * n + col];

			if (f == 0.0)
				continue;
			for (int j = col; j < n; j++)
				M[i * n + j] -= f * M[col * n + j];
			r[i] -= f * r[col];
		}
	}
	for (int i = n - 1; i >= 0; i--)
	{
		double		s = r[i];

		for (int j = i + 1; j < n; j++)
			s -= M[i * n + j] * r[j];
		r[i] = s / M[i * n + i];
		if (!isfinite(r[i]))
			return false;
	}
	return true;
}

static double
dotg(const double *g, const double *c, int n)
{
	double		s = 0.0;

	for (int j = 0; j < n; j++)
		s += g[j] * c[j];
	return s;
}

bool
lsq_feasible(const double *c, int n, const LinConstraint *cons, int n_cons,
			 bool *active)
{
	bool		ok = true;

	for (int i = 0; i < n_cons; i++)
	{
		double		v = dotg(cons[i].g, c, n);
		double		scale = 0.0;

		for (int j = 0; j < n; j++)
			scale += fabs(cons[i].g[j] * c[j]);
		if (v < cons[i].lo - FEAS_TOL * (1.0 + scale + fabs(cons[i].lo)) ||
			v > cons[i].hi + FEAS_TOL * (1.0 + scale + fabs(cons[i].hi)))
			ok = false;
		if (active)
			active[i] = fabs(v - cons[i].lo) <= FEAS_TOL * (1.0 + scale + fabs(cons[i].lo)) ||
				fabs(v - cons[i].hi) <= FEAS_TOL * (1.0 + scale + fabs(cons[i].hi));
	}
	return ok;
}

/* ||R d||^2 */
static double
r_norm2(const double *R, int lda, int n, const double *d)
{
	double		s = 0.0;

	for (int i = 0; i < n; i++)
	{
		double		t = 0.0;

		for (int j = i; j < n; j++)
			t += R[i + (size_t) j * lda] * d[j];
		s += t * t;
	}
	return s;
}

bool
lsq_constrained(const double *R, int lda, int n, const double *c_unc,
				const LinConstraint *cons, int n_cons, double *c,
				double *extra, bool *active)
{
	double		H[LSQ_MAX_COLS * LSQ_MAX_COLS];
	int			state[LSQ_MAX_ROWS];	/* 0 free, 1 at lo, 2 at hi */
	bool		found = false;
	double		best = INFINITY;
	long		combos = 1;

	/* H = R'R */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
		{
			double		s = 0.0;

			for (int l = 0; l <= (i < j ? i : j); l++)
				s += R[l + (size_t) i * lda] * R[l + (size_t) j * lda];
			H[i * n + j] = s;
		}
	for (int i = 0; i < n_cons; i++)
		combos *= 3;
	for (long code = 0; code < combos; code++)
	{
		long		t = code;
		int			n_act = 0;
		bool		skip = false;
		double		M[(LSQ_MAX_COLS + LSQ_MAX_ROWS) * (LSQ_MAX_COLS + LSQ_MAX_ROWS)];
		double		rhs[LSQ_MAX_COLS + LSQ_MAX_ROWS];
		double		cand[LSQ_MAX_COLS];
		double		d[LSQ_MAX_COLS];
		int			dim;
		int			act_idx[LSQ_MAX_ROWS];

		for (int i = 0; i < n_cons; i++, t /= 3)
		{
			state[i] = (int) (t % 3);
			if (cons[i].lo == cons[i].hi && state[i] != 1)
				skip = true;	/* equalities: always active, once */
			if ((state[i] == 1 && !isfinite(cons[i].lo)) ||
				(state[i] == 2 && !isfinite(cons[i].hi)))
				skip = true;
			if (state[i])
				act_idx[n_act++] = i;
		}
		if (skip || n_act > n)
			continue;
		dim = n + n_act;
		memset(M, 0, sizeof(double) * dim * dim);
		for (int i = 0; i < n; i++)
		{
			double		s = 0.0;

			for (int j = 0; j < n; j++)
			{
				M[i * dim + j] = H[i * n + j];
				s += H[i * n + j] * c_unc[j];
			}
			rhs[i] = s;
		}
		for (int a = 0; a < n_act; a++)
		{
			const LinConstraint *lc = &cons[act_idx[a]];

			for (int j = 0; j < n; j++)
			{
				M[(n + a) * dim + j] = lc->g[j];
				M[j * dim + n + a] = lc->g[j];
			}
			rhs[n + a] = state[act_idx[a]] == 1 ? lc->lo : lc->hi;
		}
		if (!small_solve(M, dim, rhs))
			continue;
		memcpy(cand, rhs, sizeof(double) * n);
		if (!lsq_feasible(cand, n, cons, n_cons, NULL))
			continue;
		for (int j = 0; j < n; j++)
			d[j] = cand[j] - c_unc[j];
		{
			double		obj = r_norm2(R, lda, n, d);

			if (obj < best)
			{
				best = obj;
				memcpy(c, cand, sizeof(double) * n);
				found = true;
			}
		}
	}
	if (!found)
		return false;
	*extra = best;
	lsq_feasible(c, n, cons, n_cons, active);
	return true;
}
