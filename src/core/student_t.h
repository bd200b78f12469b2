/*
 * student_t.h -- quantiles of Student's t distribution for confidence
 * intervals: the t with P(|T| <= t) = level for T of df degrees of
 * freedom, i.e. the (1 + level) / 2 quantile.
 */
#ifndef STUDENT_T_H
#define STUDENT_T_H

/*
 * P(|T| <= t) and, in *outside, P(|T| > t), each to about 1e-15 relative
 * (neither is read as 1 minus the other where that would cancel); t >= 0,
 * df >= 1.  For df above SL_T_ASYMPTOTIC_DF, see below.
 */
extern double sl_t_prob_within(double t, double df, double *outside);

/*
 * The t with P(|T| <= t) = level, 0 < level < 1, df >= 1 (any real
 * value: n - p need not be small), to within 5e-13 relative of mpmath.
 * NaN for arguments outside those ranges.  Up to SL_T_ASYMPTOTIC_DF
 * degrees of freedom it solves sl_t_prob_within(t, df) = level by a
 * safeguarded Newton iteration on an exact bracket; beyond, where the
 * continued fraction of the incomplete beta function needs on the order
 * of sqrt(df) terms, it uses the expansion of t in powers of 1/df around
 * the normal quantile (Abramowitz and Stegun 26.7.5, five terms), whose
 * error there is below 1e-15.
 */
#define SL_T_ASYMPTOTIC_DF 1e5
extern double sl_t_quantile_two_sided(double level, double df);

/* the z with P(|Z| <= z) = level for a standard normal Z, 0 < level < 1 */
extern double sl_normal_quantile_two_sided(double level);

#endif
