/*
 * lsq.c -- the small dense solves of the fits: a pivoted elimination and
 * the exact bound-constrained least-squares refinement on an R factor.
 */
#include "lsq.h"

#include <math.h>
#include <string.h>

/*
 * A candidate of the active-set enumeration meets its active constraints
 * to rounding; the others are checked to this tolerance, relative to the
 * size of the constraint's terms (|g_j c_j| and the bound), never against
 * an absolute 1: the scaled coordinates of a coefficient can be 1e-85 of
 * its value, and an absolute tolerance there would accept any value.
 */
#define FEAS_TOL 1e-13

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

/*
 * Feasibility of c to the relative tolerance tol (0: exact); active[i]
 * (optional) says whether constraint i holds with equality at a finite
 * side to that tolerance.
 */
static bool
feasible_tol(const double *c, int n, const LinConstraint *cons, int n_cons,
			 double tol_rel, bool *active)
{
	bool		ok = true;

	for (int i = 0; i < n_cons; i++)
	{
		double		v = dotg(cons[i].g, c, n);
		double		scale = 0.0;
		bool		at_lo = false,
					at_hi = false;

		for (int j = 0; j < n; j++)
			scale += fabs(cons[i].g[j] * c[j]);
		if (isfinite(cons[i].lo))
		{
			double		tol = tol_rel * (scale + fabs(cons[i].lo));

			if (v < cons[i].lo - tol)
				ok = false;
			at_lo = fabs(v - cons[i].lo) <= tol;
		}
		if (isfinite(cons[i].hi))
		{
			double		tol = tol_rel * (scale + fabs(cons[i].hi));

			if (v > cons[i].hi + tol)
				ok = false;
			at_hi = fabs(v - cons[i].hi) <= tol;
		}
		if (!isfinite(v))
			ok = false;
		if (active)
			active[i] = at_lo || at_hi;
	}
	return ok;
}

bool
lsq_feasible(const double *c, int n, const LinConstraint *cons, int n_cons,
			 bool *active)
{
	/* strictly: a point that needs a tolerance is solved for exactly instead */
	for (int i = 0; i < n_cons; i++)
		if (cons[i].lo == cons[i].hi)
			return false;		/* an equality is always imposed by the solve */
	return feasible_tol(c, n, cons, n_cons, 0.0, active);
}

/*
 * Active sides hold exactly, not to the rounding of the KKT solve: a basis
 * column can be 1e100 times larger than the others, and the rounding of
 * its coefficient would then be a term of its own (and fail a bound of 0
 * that is relative to nothing).  A constraint on one coefficient sets it;
 * a general one (the intercept row) is then met by its first coefficient,
 * after those are set.
 */
static void
meet_active(double *c, int n, const LinConstraint *cons, int n_cons, const int *state)
{
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n_cons; i++)
		{
			const LinConstraint *lc = &cons[i];
			double		side = state[i] == 1 ? lc->lo : lc->hi;
			int			nz = 0,
						first = -1;
			double		rest = 0.0;

			if (state[i] == 0)
				continue;
			for (int j = 0; j < n; j++)
				if (lc->g[j] != 0.0)
				{
					if (first < 0)
						first = j;
					else
						rest += lc->g[j] * c[j];
					nz++;
				}
			if (first < 0 || (nz == 1) != (pass == 0))
				continue;
			c[first] = (side - rest) / lc->g[first];
		}
}

/* the inactive constraints (state 0) hold to FEAS_TOL relative to their terms */
static bool
inactive_feasible(const double *c, int n, const LinConstraint *cons, int n_cons,
				  const int *state)
{
	for (int i = 0; i < n_cons; i++)
		if (state[i] == 0 && !feasible_tol(c, n, &cons[i], 1, FEAS_TOL, NULL))
			return false;
	return true;
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
	int			best_state[LSQ_MAX_ROWS];
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
		meet_active(cand, n, cons, n_cons, state);
		if (!inactive_feasible(cand, n, cons, n_cons, state))
			continue;
		for (int j = 0; j < n; j++)
			d[j] = cand[j] - c_unc[j];
		{
			double		obj = r_norm2(R, lda, n, d);

			if (obj < best)
			{
				best = obj;
				memcpy(c, cand, sizeof(double) * n);
				memcpy(best_state, state, sizeof(int) * n_cons);
				found = true;
			}
		}
	}
	if (!found)
		return false;
	*extra = best;
	for (int i = 0; i < n_cons; i++)
		active[i] = best_state[i] != 0;
	return true;
}
