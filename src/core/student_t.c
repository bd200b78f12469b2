/*
 * student_t.c -- Student's t probabilities and quantiles (student_t.h).
 *
 * P(|T| <= t) = I_y(1/2, df/2) and P(|T| > t) = I_x(df/2, 1/2), with
 * y = t^2 / (df + t^2) and x = df / (df + t^2) formed directly (1 - y
 * would lose y's digits), and I the regularized incomplete beta function:
 * its prefactor x^a (1-x)^b / (a B(a, b)) in logarithms, with b ln x as
 * b log1p(-y) while y < 1/2 so that a large df does not multiply the
 * rounding of x, and
 * the continued fraction by the modified Lentz method, evaluated on the
 * side where it converges quickly (Numerical Recipes, 6.4), the other
 * probability then being one minus it.  ln B(1/2, b) needs
 * ln Gamma(b + 1/2) - ln Gamma(b) without the cancellation of two large
 * lgamma values: from Stirling's series for large b.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>

#include "student_t.h"

/* the continued fraction's terms: enough for df up to SL_T_ASYMPTOTIC_DF */
#define CF_MAX_TERMS 100000

/* Stirling's series remainder: lgamma(z) - ((z - 1/2) ln z - z + ln sqrt(2 pi)), z >= 16 */
static double
stirling_tail(double z)
{
	double		r = 1.0 / (z * z);

	return (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r * (1.0 / 1188))))) / z;
}

/* ln Gamma(b + 1/2) - ln Gamma(b), b > 0 */
static double
lgamma_half_step(double b)
{
	if (b < 16)
		return lgamma(b + 0.5) - lgamma(b);
	/* (b) ln(b + 1/2) - (b - 1/2) ln b - 1/2, as b log1p(1/(2b)) - 1/2 + ln(b)/2 */
	return (b * log1p(0.5 / b) - 0.5) + 0.5 * log(b) + (stirling_tail(b + 0.5) - stirling_tail(b));
}

/* one term aa of the modified Lentz method: the factor it contributes */
static inline double
lentz_step(double aa, double *c, double *d)
{
	const double tiny = 1e-300;

	*d = 1.0 + aa * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1.0 + aa / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1.0 / *d;
	return *d * *c;
}

/*
 * The continued fraction of I_x(a, b) (without its prefactor); NaN if it
 * did not converge within CF_MAX_TERMS.
 */
static double
beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double		qab = a + b,
				qap = a + 1.0,
				qam = a - 1.0,
				c = 1.0,
				d = 1.0 - qab * x / qap,
				h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= CF_MAX_TERMS; m++)
	{
		double		m2 = 2.0 * m,
					aa = m * (b - m) * x / ((qam + m2) * (a + m2)),
					del;

		h *= lentz_step(aa, &c, &d);
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		del = lentz_step(aa, &c, &d);
		h *= del;
		if (fabs(del - 1.0) <= DBL_EPSILON / 2)
			return h;
	}
	return NAN;
}

double
sl_t_prob_within(double t, double df, double *outside)
{
	double		b = 0.5 * df,
				t2 = t * t,
				y,
				x,
				front;

	if (!(t >= 0) || !(df >= 1))
	{
		*outside = NAN;
		return NAN;
	}
	if (t == 0)
	{
		*outside = 1.0;
		return 0.0;
	}
	if (isinf(t2))
	{
		*outside = 0.0;
		return 1.0;
	}
	y = t2 / (df + t2);
	x = df / (df + t2);
	/*
	 * y^(1/2) x^b / B(1/2, b), ln B(1/2, b) = ln sqrt(pi) - (ln Gamma(b +
	 * 1/2) - ln Gamma(b)); ln x from the smaller of x and y, which alone
	 * holds its digits
	 */
	front = exp(0.5 * log(y) + b * (y < 0.5 ? log1p(-y) : log(x)) - 0.57236494292470008707 +
				lgamma_half_step(b));
	if (y < 1.5 / (b + 2.5))
	{
		double		within = front * beta_cf(0.5, b, y) / 0.5;

		*outside = 1.0 - within;
		return within;
	}
	else
	{
		double		out = front * beta_cf(b, 0.5, x) / b;

		*outside = out;
		return 1.0 - out;
	}
}

/*
 * The root of a distribution's two-sided level equation, increasing in its
 * argument from 0: Newton's method safeguarded by the bracket [lo, hi]
 * the signs establish (doubling while hi is unbounded, bisection where a
 * step leaves the bracket), from start.  residual() returns the equation's
 * value (P - level, formed on the side that holds its digits) and its
 * derivative; a NaN residual gives NaN.
 */
typedef double (*LevelResidual) (double x, const void *ctx, double *deriv);

static double
solve_level(LevelResidual residual, const void *ctx, double start, int max_iter)
{
	double		x = start,
				lo = 0.0,
				hi = INFINITY;

	for (int it = 0; it < max_iter; it++)
	{
		double		dr,
					r = residual(x, ctx, &dr),
					next;

		if (isnan(r))
			return NAN;
		if (r == 0)
			return x;
		if (r > 0)
			hi = x;
		else
			lo = x;
		next = x - r / dr;
		if (!(next > lo && next < hi))
			next = isinf(hi) ? 2 * x : 0.5 * (lo + hi);
		if (fabs(next - x) <= 2 * DBL_EPSILON * x || hi - lo <= 2 * DBL_EPSILON * lo)
			return next;
		x = next;
	}
	return x;
}

/* erf(z / sqrt 2) = level, or erfc(z / sqrt 2) = 1 - level (exact for level >= 1/2) */
static double
normal_residual(double z, const void *ctx, double *deriv)
{
	double		level = *(const double *) ctx;

	*deriv = M_SQRT2 / sqrt(M_PI) * exp(-0.5 * z * z);
	return level <= 0.5 ? erf(z * M_SQRT1_2) - level : (1.0 - level) - erfc(z * M_SQRT1_2);
}

double
sl_normal_quantile_two_sided(double level)
{
	if (!(level > 0 && level < 1))
		return NAN;
	return solve_level(normal_residual, &level, 1.0, 200);
}

/* Abramowitz and Stegun 26.7.5: t from the normal quantile z in powers of 1/df */
static double
t_from_normal(double z, double df)
{
	double		z2 = z * z,
				g1 = (z2 + 1) * z / 4,
				g2 = ((5 * z2 + 16) * z2 + 3) * z / 96,
				g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384,
				g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;

	return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

typedef struct TLevel
{
	double		level,
				df,
				b,				/* df / 2 */
				log_c;			/* ln of the density's constant: 1 / (sqrt(df) B(1/2, df/2)) */
} TLevel;

static double
t_residual(double t, const void *ctx, double *deriv)
{
	const TLevel *tl = ctx;
	double		outside,
				within = sl_t_prob_within(t, tl->df, &outside);

	/* d/dt P(|T| <= t) = 2 f(t) */
	*deriv = 2.0 * exp(tl->log_c - (tl->b + 0.5) * log1p(t * t / tl->df));
	return tl->level <= 0.5 ? within - tl->level : (1.0 - tl->level) - outside;
}

double
sl_t_quantile_two_sided(double level, double df)
{
	TLevel		tl;

	if (!(level > 0 && level < 1) || !(df >= 1))
		return NAN;
	if (df > SL_T_ASYMPTOTIC_DF)
		return t_from_normal(sl_normal_quantile_two_sided(level), df);
	tl.level = level;
	tl.df = df;
	tl.b = 0.5 * df;
	tl.log_c = -0.5 * log(df) - 0.57236494292470008707 + lgamma_half_step(tl.b);
	return solve_level(t_residual, &tl, 1.0, 400);
}
