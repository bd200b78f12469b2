/*
 * log_law.c -- sufficient statistics and the closed-form fit of the
 * log-linear law; see log_law.h.
 */
#include "log_law.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "dd.h"
#include "lsq.h"

/*
 * Sum layout: k = 1: l, ll, y, ly, yy.
 *             k = 2: l1, l2, l1l1, l1l2, l2l2, y, l1y, l2y, yy.
 */
int
ls_n_sums(int k)
{
	return k == 1 ? 5 : 9;
}

void
ls_init(LogStats *st, int k)
{
	memset(st, 0, sizeof(*st));
	st->k = k;
	for (int j = 0; j < LL_MAX_INPUTS; j++)
	{
		st->x_min[j] = INFINITY;
		st->x_max[j] = -INFINITY;
	}
	for (int i = 0; i < LL_MAX_SUMS; i++)
		xs_init(&st->s[i]);
}

void
ls_extend_range(LogStats *st, const double *x)
{
	for (int j = 0; j < st->k; j++)
	{
		if (x[j] < st->x_min[j])
			st->x_min[j] = x[j];
		if (x[j] > st->x_max[j])
			st->x_max[j] = x[j];
	}
}

void
ls_free(LogStats *st, const SlAlloc *al)
{
	for (int i = 0; i < LL_MAX_SUMS; i++)
		xs_free(&st->s[i], al);
	ls_init(st, st->k);
}

bool
ls_add(LogStats *st, const double *x, double y, const SlAlloc *al)
{
	ExactSum   *s = st->s;
	int64_t		n;

	if (__builtin_add_overflow(st->n, 1, &n))
		return false;
	st->n = n;
	ls_extend_range(st, x);
	if (st->k == 1)
	{
		double		l = log(x[0]);

		return xs_add(&s[0], l, al) && xs_add_product(&s[1], l, l, al) &&
			xs_add(&s[2], y, al) && xs_add_product(&s[3], l, y, al) &&
			xs_add_product(&s[4], y, y, al);
	}
	else
	{
		double		l1 = log(x[0]),
					l2 = log(x[1]);

		return xs_add(&s[0], l1, al) && xs_add(&s[1], l2, al) &&
			xs_add_product(&s[2], l1, l1, al) && xs_add_product(&s[3], l1, l2, al) &&
			xs_add_product(&s[4], l2, l2, al) && xs_add(&s[5], y, al) &&
			xs_add_product(&s[6], l1, y, al) && xs_add_product(&s[7], l2, y, al) &&
			xs_add_product(&s[8], y, y, al);
	}
}

bool
ls_merge(LogStats *st, const LogStats *other, const SlAlloc *al)
{
	int64_t		n;

	if (__builtin_add_overflow(st->n, other->n, &n))
		return false;
	for (int j = 0; j < st->k; j++)
	{
		/* min and max are exact: any merge order gives the same bits */
		st->x_min[j] = fmin(st->x_min[j], other->x_min[j]);
		st->x_max[j] = fmax(st->x_max[j], other->x_max[j]);
	}
	for (int i = 0; i < ls_n_sums(st->k); i++)
		if (!xs_add_sum(&st->s[i], &other->s[i], al))
			return false;
	st->n = n;
	return true;
}

void
log_law_default_spec(LogLawSpec *spec, int k)
{
	spec->k = k;
	for (int j = 0; j <= LL_MAX_INPUTS; j++)
	{
		spec->lo[j] = -INFINITY;
		spec->hi[j] = INFINITY;
	}
}

/* an exact sum read as a double-double, scaled by 2^shift */
static dd_t
sum_dd(const ExactSum *s, int shift)
{
	dd_t		r;

	xs_value_dd_scaled(s, shift, &r.hi, &r.lo);
	return r;
}

/*
 * The standard errors of the coefficients not held by a bound: sigma^2
 * times the diagonal of (J'J)^-1, J'J from the moments of ln x (the
 * centred ones where the intercept is free: var a = sigma^2 (1/n +
 * mu' C^-1 mu)), inverted through its correlation form, and sigma^2 =
 * RSS / (n - p) taken from rmse so that y near 1e300 cannot overflow it;
 * and their covariance from the same inverse.  NaN for held coefficients,
 * and for all when n <= p.
 */
static void
std_errors(LogLawFit *out, int k, int64_t n, dd_t Sll[][LL_MAX_INPUTS],
		   dd_t Cll[][LL_MAX_INPUTS], const double *mu)
{
	bool		a_free = !out->at_bound[0];
	int			S[LL_MAX_INPUTS],
				ns = 0,
				np;
	double		M[LL_MAX_INPUTS][LL_MAX_INPUTS],
				D[LL_MAX_INPUTS],
				Minv[LL_MAX_INPUTS][LL_MAX_INPUTS],
				sigma;

	for (int j = 0; j <= k; j++)
	{
		out->std_err[j] = NAN;
		for (int i = 0; i <= k; i++)
			out->cov[j * (k + 1) + i] = NAN;
	}
	for (int j = 0; j < k; j++)
		if (!out->at_bound[j + 1])
			S[ns++] = j;
	np = ns + (a_free ? 1 : 0);
	if (np == 0 || n <= np)
		return;
	sigma = out->rmse * sqrt((double) n / (double) (n - np));
	for (int i = 0; i < ns; i++)
		for (int j = 0; j < ns; j++)
			M[i][j] = a_free ? Cll[S[i]][S[j]].hi : Sll[S[i]][S[j]].hi;
	for (int i = 0; i < ns; i++)
	{
		if (!(M[i][i] > 0))
			return;
		D[i] = sqrt(M[i][i]);
	}
	/* the correlation form's inverse, scaled back */
	if (ns == 1)
		Minv[0][0] = 1.0 / (D[0] * D[0]);
	else if (ns == 2)
	{
		double		r = M[0][1] / (D[0] * D[1]),
					det = (1.0 - r) * (1.0 + r);

		if (!(det > 0))
			return;
		Minv[0][0] = 1.0 / (det * D[0] * D[0]);
		Minv[1][1] = 1.0 / (det * D[1] * D[1]);
		Minv[0][1] = Minv[1][0] = -r / (det * D[0] * D[1]);
	}
	for (int i = 0; i < ns; i++)
	{
		out->std_err[S[i] + 1] = sigma * sqrt(Minv[i][i]);
		for (int j = 0; j < ns; j++)
			out->cov[(S[i] + 1) * (k + 1) + S[j] + 1] = sigma * Minv[i][j] * sigma;
	}
	if (a_free)
	{
		double		q = 1.0 / (double) n;

		for (int i = 0; i < ns; i++)
		{
			/* a = ybar - sum b_j mu_j: cov(a, b_i) = -sigma^2 (Minv mu)_i */
			double		c = 0;

			for (int j = 0; j < ns; j++)
			{
				q += mu[S[i]] * Minv[i][j] * mu[S[j]];
				c -= Minv[i][j] * mu[S[j]];
			}
			out->cov[S[i] + 1] = out->cov[(S[i] + 1) * (k + 1)] = sigma * c * sigma;
		}
		out->std_err[0] = sigma * sqrt(q);
		out->cov[0] = sigma * q * sigma;
	}
}

/*
 * The fit from the exact sums.  Sums involving y are read scaled by 2^-e
 * (2^-2e for y^2), e chosen from the sum of y^2, so moments of y near 1e200
 * or 1e-200 neither overflow nor underflow; the coefficients scale back
 * exactly.  Bounds hold exactly on return.
 */
FitStatus
log_law_fit(const LogStats *st, const LogLawSpec *spec, LogLawFit *out)
{
	int			k = st->k;
	int			n = k + 1;
	const ExactSum *yy = &st->s[k == 1 ? 4 : 8];
	int			e = xs_ilogb(yy);
	dd_t		N = dd_from((double) st->n);
	dd_t		Sl[LL_MAX_INPUTS],
				Sll[LL_MAX_INPUTS][LL_MAX_INPUTS],
				Sy,
				Sly[LL_MAX_INPUTS],
				Syy;
	dd_t		Cll[LL_MAX_INPUTS][LL_MAX_INPUTS],
				Cly[LL_MAX_INPUTS],
				Cyy;
	double		mu[LL_MAX_INPUTS],
				d[LL_MAX_INPUTS],
				ybar;
	double		lo[LL_MAX_INPUTS + 1],
				hi[LL_MAX_INPUTS + 1];
	double		H[(LL_MAX_INPUTS + 1) * (LL_MAX_INPUTS + 1)];
	double		z[LL_MAX_INPUTS + 1];
	bool		active[LSQ_MAX_ROWS] = {false};
	bool		held[LL_MAX_INPUTS + 1] = {false};
	int			owner[LSQ_MAX_ROWS];
	LinConstraint cons[LSQ_MAX_ROWS];
	int			nc = 0;
	dd_t		rss;

	memset(out, 0, sizeof(*out));
	out->n = st->n;
	if (st->n < n)
	{
		out->fail_count = (int) st->n;
		return FIT_TOO_FEW_POINTS;
	}
	/* y scale: about half the exponent of the sum of y^2 */
	e = e == XS_ILOGB_ZERO ? 0 : (e >= 0 ? e / 2 : -((-e + 1) / 2));
	if (k == 1)
	{
		Sl[0] = sum_dd(&st->s[0], 0);
		Sll[0][0] = sum_dd(&st->s[1], 0);
		Sy = sum_dd(&st->s[2], -e);
		Sly[0] = sum_dd(&st->s[3], -e);
		Syy = sum_dd(&st->s[4], -2 * e);
	}
	else
	{
		Sl[0] = sum_dd(&st->s[0], 0);
		Sl[1] = sum_dd(&st->s[1], 0);
		Sll[0][0] = sum_dd(&st->s[2], 0);
		Sll[0][1] = Sll[1][0] = sum_dd(&st->s[3], 0);
		Sll[1][1] = sum_dd(&st->s[4], 0);
		Sy = sum_dd(&st->s[5], -e);
		Sly[0] = sum_dd(&st->s[6], -e);
		Sly[1] = sum_dd(&st->s[7], -e);
		Syy = sum_dd(&st->s[8], -2 * e);
	}
	/* centred moments in double-double: differences of large sums */
	for (int a = 0; a < k; a++)
	{
		for (int b = 0; b < k; b++)
			Cll[a][b] = dd_sub(Sll[a][b], dd_div(dd_mul(Sl[a], Sl[b]), N));
		Cly[a] = dd_sub(Sly[a], dd_div(dd_mul(Sl[a], Sy), N));
		mu[a] = dd_div(Sl[a], N).hi;
	}
	Cyy = dd_sub(Syy, dd_div(dd_mul(Sy, Sy), N));
	ybar = dd_div(Sy, N).hi;
	for (int a = 0; a < k; a++)
	{
		/*
		 * An input must spread beyond the rounding of its logarithms
		 * (about eps (1 + |ln x|)): inputs that differ only in their last
		 * digits, or one value, cannot identify a slope.
		 */
		double		spread = sqrt(fmax(Cll[a][a].hi, 0.0) / (double) st->n);
		double		rms = sqrt(Sll[a][a].hi / (double) st->n);

		out->fail_input = a;
		if (st->x_min[a] == st->x_max[a])
		{
			out->fail_count = 1;
			return FIT_FEW_VALUES;
		}
		if (!(spread >= SL_LOG_SPREAD_MIN * (1.0 + rms)) || !isfinite(Cll[a][a].hi))
			return FIT_LOG_SPREAD;
		d[a] = sqrt(Cll[a][a].hi);
	}
	if (!isfinite(Cyy.hi) || !isfinite(Syy.hi))
	{
		out->fail_input = -1;
		return FIT_OVERFLOW;
	}
	/*
	 * A variance of y below the double-double rounding of its mean square
	 * is none: constant y must give flat slopes, not slopes of noise.
	 */
	if (!(Cyy.hi > 0x1p-90 * Syy.hi))
	{
		Cyy = dd_from(0.0);
		for (int a = 0; a < k; a++)
			Cly[a] = dd_from(0.0);
	}

	/*
	 * Unknowns z = (delta0, s_1..s_k): intercept offset from the centred
	 * optimum and slopes in units of 1/d.  H = diag(n, correlation matrix).
	 */
	memset(H, 0, sizeof(H));
	H[0] = (double) st->n;
	for (int a = 0; a < k; a++)
		for (int b = 0; b < k; b++)
			H[(a + 1) + (b + 1) * n] = dd_div(Cll[a][b], dd_mul(dd_from(d[a]), dd_from(d[b]))).hi;
	z[0] = 0.0;
	for (int a = 0; a < k; a++)
		z[a + 1] = dd_div(Cly[a], dd_from(d[a])).hi;
	/* a failed factorisation is a pivot of the last input that is not positive */
	out->fail_input = k - 1;
	if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', n, H, n) != 0)
		return FIT_COLLINEAR;
	/* the Cholesky pivot of a log input is its residual against the others' span */
	for (int a = 1; a < n; a++)
		if (!(H[a + a * n] > SL_COLLINEAR_TOL))
		{
			out->fail_input = a - 1;
			return FIT_COLLINEAR;
		}
	if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', n, 1, H, n, z, n) != 0)
		return FIT_COLLINEAR;

	/* bounds (in scaled y units): a = ybar + delta0 - sum s_j mu_j / d_j, b_j = s_j / d_j */
	for (int j = 0; j < n; j++)
	{
		lo[j] = ldexp(spec->lo[j], -e);
		hi[j] = ldexp(spec->hi[j], -e);
	}
	if (isfinite(lo[0]) || isfinite(hi[0]))
	{
		LinConstraint *lc = &cons[nc];

		owner[nc++] = 0;
		memset(lc->g, 0, sizeof(lc->g));
		lc->g[0] = 1.0;
		for (int a = 0; a < k; a++)
			lc->g[a + 1] = -mu[a] / d[a];
		lc->lo = lo[0] - ybar;
		lc->hi = hi[0] - ybar;
	}
	for (int a = 0; a < k; a++)
		if (isfinite(lo[a + 1]) || isfinite(hi[a + 1]))
		{
			LinConstraint *lc = &cons[nc];

			owner[nc++] = a + 1;
			memset(lc->g, 0, sizeof(lc->g));
			lc->g[a + 1] = 1.0;
			lc->lo = lo[a + 1] * d[a];
			lc->hi = hi[a + 1] * d[a];
		}
	if (nc > 0 && !lsq_feasible(z, n, cons, nc, active))
	{
		double		zc[LSQ_MAX_COLS];
		double		extra;

		if (!lsq_constrained(H, n, n, z, cons, nc, zc, &extra, active))
		{
			out->fail_input = -1;
			return FIT_INFEASIBLE;
		}
		(void) extra;			/* RSS is recomputed below from the moments */
		memcpy(z, zc, sizeof(double) * n);
	}
	for (int i = 0; i < nc; i++)
		if (active[i])
			held[owner[i]] = true;

	/* the coefficients, a coefficient held by a bound exactly on it */
	{
		double		coef[LL_MAX_INPUTS + 1];

		coef[0] = ybar + z[0];
		for (int a = 0; a < k; a++)
		{
			coef[a + 1] = z[a + 1] / d[a];
			if (held[a + 1])
				coef[a + 1] = isfinite(lo[a + 1]) &&
					(!isfinite(hi[a + 1]) || fabs(coef[a + 1] - lo[a + 1]) <= fabs(coef[a + 1] - hi[a + 1]))
					? lo[a + 1] : hi[a + 1];
		}
		for (int a = 0; a < k; a++)
			coef[0] -= coef[a + 1] * mu[a];

		/*
		 * RSS of these slopes: Cyy - 2 s.Cly + s'Cll s + n delta0^2 (the
		 * intercept is ybar + delta0 - sum s_j mu_j, so the cross terms
		 * vanish; second order in the rounding of s)
		 */
		{
			dd_t		q = dd_from(0.0);

			for (int a = 0; a < k; a++)
			{
				dd_t		sa = dd_from(coef[a + 1]);

				q = dd_add(q, dd_mul(sa, dd_mul(dd_from(2.0), Cly[a])));
				for (int b = 0; b < k; b++)
					q = dd_sub(q, dd_mul(dd_mul(sa, dd_from(coef[b + 1])), Cll[a][b]));
			}
			rss = dd_add(dd_sub(Cyy, q), dd_from((double) st->n * z[0] * z[0]));
		}
		for (int j = 0; j < n; j++)
		{
			double		v = ldexp(coef[j], e);
			bool		h = held[j];

			if (h && j == 0)
				v = isfinite(spec->lo[0]) && (!isfinite(spec->hi[0]) ||
											 fabs(v - spec->lo[0]) <= fabs(v - spec->hi[0]))
					? spec->lo[0] : spec->hi[0];
			if (v <= spec->lo[j])
			{
				h = h || isfinite(spec->lo[j]);
				v = spec->lo[j];
			}
			else if (v >= spec->hi[j])
			{
				h = h || isfinite(spec->hi[j]);
				v = spec->hi[j];
			}
			out->coef[j] = v + 0.0;
			out->at_bound[j] = h;
			if (!isfinite(out->coef[j]))
			{
				out->fail_input = j;
				return FIT_OVERFLOW;
			}
		}
	}
	{
		double		r = rss.hi > 0.0 ? rss.hi + rss.lo : 0.0;
		double		t = Cyy.hi + Cyy.lo;

		out->rss = ldexp(r, 2 * e);
		out->rmse = ldexp(sqrt(r / (double) st->n), e);
		out->r2 = Cyy.hi > 0.0 ? 1.0 - r / t : NAN;
		/* bounds can hold predictions of 1e308 away from y: rmse beyond float8 */
		if (!isfinite(out->rmse))
		{
			out->fail_input = -1;
			return FIT_OVERFLOW;
		}
		std_errors(out, k, st->n, Sll, Cll, mu);
	}
	return FIT_OK;
}

double
log_law_predict(const LogLawFit *fit, int k, const double *x)
{
	double		y = fit->coef[0];

	for (int j = 0; j < k; j++)
		y += fit->coef[j + 1] * log(x[j]);
	return y;
}

size_t
ls_serial_size(const LogStats *st)
{
	size_t		size = 16 + 16 * (size_t) st->k;

	for (int i = 0; i < ls_n_sums(st->k); i++)
		size += xs_serial_size(&st->s[i]);
	return size;
}

void
ls_serialize(const LogStats *st, unsigned char *out)
{
	uint8_t		hdr[8] = {LS_FORMAT_VERSION, (uint8_t) st->k, 0, 0, 0, 0, 0, 0};
	unsigned char *p = out + 16;

	memcpy(out, hdr, 8);
	memcpy(out + 8, &st->n, 8);
	memcpy(p, st->x_min, 8 * (size_t) st->k);
	p += 8 * (size_t) st->k;
	memcpy(p, st->x_max, 8 * (size_t) st->k);
	p += 8 * (size_t) st->k;
	for (int i = 0; i < ls_n_sums(st->k); i++)
		p += xs_serialize(&st->s[i], p);
}

int
ls_deserialize(LogStats *st, const unsigned char *buf, size_t len,
			   const SlAlloc *al)
{
	size_t		off = 16;

	ls_init(st, 1);
	if (len < 16 || buf[0] != LS_FORMAT_VERSION || buf[1] < 1 ||
		buf[1] > LL_MAX_INPUTS)
		return 1;
	for (int i = 2; i < 8; i++)
		if (buf[i] != 0)
			return 1;
	ls_init(st, buf[1]);
	memcpy(&st->n, buf + 8, 8);
	if (st->n < 0 || len < off + 16 * (size_t) st->k)
		return 1;
	memcpy(st->x_min, buf + off, 8 * (size_t) st->k);
	off += 8 * (size_t) st->k;
	memcpy(st->x_max, buf + off, 8 * (size_t) st->k);
	off += 8 * (size_t) st->k;
	for (int j = 0; j < st->k; j++)
		if (st->n == 0 ? !(st->x_min[j] == INFINITY && st->x_max[j] == -INFINITY)
			: !(st->x_min[j] > 0 && st->x_min[j] <= st->x_max[j] && isfinite(st->x_max[j])))
			return 1;
	for (int i = 0; i < ls_n_sums(st->k); i++)
	{
		bool		nomem;
		size_t		used = xs_deserialize(&st->s[i], buf + off, len - off, al, &nomem);

		if (used == 0)
			return nomem ? 2 : 1;
		off += used;
	}
	return off == len ? 0 : 1;
}
