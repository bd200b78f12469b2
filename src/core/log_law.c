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
	for (int i = 0; i < LL_MAX_SUMS; i++)
		xs_init(&st->s[i]);
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

static dd_t
sum_dd(const ExactSum *s)
{
	dd_t		r;

	xs_value_dd(s, &r.hi, &r.lo);
	return r;
}

FitStatus
log_law_fit(const LogStats *st, const LogLawSpec *spec, LogLawFit *out)
{
	int			k = st->k;
	int			n = k + 1;
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
	double		H[(LL_MAX_INPUTS + 1) * (LL_MAX_INPUTS + 1)];
	double		z[LL_MAX_INPUTS + 1];
	bool		active[LSQ_MAX_ROWS] = {false};
	LinConstraint cons[LSQ_MAX_ROWS];
	int			nc = 0;
	dd_t		rss;

	memset(out, 0, sizeof(*out));
	out->n = st->n;
	if (st->n < n)
		return FIT_UNDETERMINED;
	if (k == 1)
	{
		Sl[0] = sum_dd(&st->s[0]);
		Sll[0][0] = sum_dd(&st->s[1]);
		Sy = sum_dd(&st->s[2]);
		Sly[0] = sum_dd(&st->s[3]);
		Syy = sum_dd(&st->s[4]);
	}
	else
	{
		Sl[0] = sum_dd(&st->s[0]);
		Sl[1] = sum_dd(&st->s[1]);
		Sll[0][0] = sum_dd(&st->s[2]);
		Sll[0][1] = Sll[1][0] = sum_dd(&st->s[3]);
		Sll[1][1] = sum_dd(&st->s[4]);
		Sy = sum_dd(&st->s[5]);
		Sly[0] = sum_dd(&st->s[6]);
		Sly[1] = sum_dd(&st->s[7]);
		Syy = sum_dd(&st->s[8]);
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
		/* an input with (numerically) one value cannot identify its slope */
		if (!(Cll[a][a].hi > 1e-24 * Sll[a][a].hi) || !isfinite(Cll[a][a].hi))
			return FIT_UNDETERMINED;
		d[a] = sqrt(Cll[a][a].hi);
	}
	if (!isfinite(Cyy.hi))
		return FIT_OVERFLOW;

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
	if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', n, H, n) != 0)
		return FIT_UNDETERMINED;
	for (int a = 1; a < n; a++)
		if (!(H[a + a * n] > 1e-7))
			return FIT_UNDETERMINED;	/* inputs (nearly) collinear */
	if (LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', n, 1, H, n, z, n) != 0)
		return FIT_UNDETERMINED;

	/* bounds: a = ybar + delta0 - sum s_j mu_j / d_j, b_j = s_j / d_j */
	if (isfinite(spec->lo[0]) || isfinite(spec->hi[0]))
	{
		LinConstraint *lc = &cons[nc++];

		memset(lc->g, 0, sizeof(lc->g));
		lc->g[0] = 1.0;
		for (int a = 0; a < k; a++)
			lc->g[a + 1] = -mu[a] / d[a];
		lc->lo = spec->lo[0] - ybar;
		lc->hi = spec->hi[0] - ybar;
	}
	for (int a = 0; a < k; a++)
		if (isfinite(spec->lo[a + 1]) || isfinite(spec->hi[a + 1]))
		{
			LinConstraint *lc = &cons[nc++];

			memset(lc->g, 0, sizeof(lc->g));
			lc->g[a + 1] = 1.0 / d[a];
			lc->lo = spec->lo[a + 1];
			lc->hi = spec->hi[a + 1];
		}
	if (nc > 0 && !lsq_feasible(z, n, cons, nc, active))
	{
		double		zc[LSQ_MAX_COLS];
		double		extra;

		if (!lsq_constrained(H, n, n, z, cons, nc, zc, &extra, active))
			return FIT_INFEASIBLE;
		(void) extra;			/* RSS is recomputed below from the moments */
		memcpy(z, zc, sizeof(double) * n);
	}

	/* RSS = Cyy - 2 s.r + s'Rs + n delta0^2 (second order in rounding of s) */
	{
		dd_t		q = dd_from(0.0);

		for (int a = 0; a < k; a++)
		{
			dd_t		sa = dd_from(z[a + 1] / d[a]);

			q = dd_add(q, dd_mul(sa, dd_mul(dd_from(2.0), Cly[a])));
			for (int b = 0; b < k; b++)
				q = dd_sub(q, dd_mul(dd_mul(sa, dd_from(z[b + 1] / d[b])), Cll[a][b]));
		}
		/* delta0 = 0 unless a bound moved the intercept */
		rss = dd_add(dd_sub(Cyy, q), dd_from((double) st->n * z[0] * z[0]));
	}

	out->coef[0] = ybar + z[0];
	for (int a = 0; a < k; a++)
	{
		out->coef[a + 1] = z[a + 1] / d[a];
		out->coef[0] -= out->coef[a + 1] * mu[a];
	}
	for (int j = 0; j < n; j++)
		if (!isfinite(out->coef[j]))
			return FIT_OVERFLOW;
	{
		int			ci = 0;

		if (isfinite(spec->lo[0]) || isfinite(spec->hi[0]))
			out->at_bound[0] = active[ci++];
		for (int a = 0; a < k; a++)
			if (isfinite(spec->lo[a + 1]) || isfinite(spec->hi[a + 1]))
				out->at_bound[a + 1] = active[ci++];
	}
	out->rss = rss.hi > 0.0 ? rss.hi + rss.lo : 0.0;
	out->rmse = sqrt(out->rss / (double) st->n);
	out->r2 = Cyy.hi > 0.0 ? 1.0 - out->rss / (Cyy.hi + Cyy.lo) : NAN;
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
	size_t		size = 16;

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
	if (st->n < 0)
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
