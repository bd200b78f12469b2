/*
 * log_law.h -- the log-linear law y = a + b ln x1 [+ c ln x2], fitted from
 * exact sufficient statistics (no point list): the sums of 1, ln x_j,
 * ln x_j ln x_k, y, y ln x_j and y^2 over the rows.
 */
#ifndef LOG_LAW_H
#define LOG_LAW_H

#include <stdbool.h>
#include <stdint.h>

#include "exact_sum.h"
#include "power_law.h"

#define LL_MAX_INPUTS 2
#define LL_MAX_SUMS 9

typedef struct LogStats
{
	int			k;				/* inputs, 1 or 2 */
	int64_t		n;				/* rows */
	/* the data range of each input: +inf and -inf while n = 0 */
	double		x_min[LL_MAX_INPUTS];
	double		x_max[LL_MAX_INPUTS];
	ExactSum	s[LL_MAX_SUMS];
} LogStats;

typedef struct LogLawSpec
{
	int			k;
	double		lo[LL_MAX_INPUTS + 1];	/* bounds on a, b, c */
	double		hi[LL_MAX_INPUTS + 1];
} LogLawSpec;

typedef struct LogLawFit
{
	double		coef[LL_MAX_INPUTS + 1];	/* a, b, c */
	int64_t		n;
	double		rss;
	double		r2;				/* NaN when y has no variance */
	double		rmse;
	bool		at_bound[LL_MAX_INPUTS + 1];
	/* sigma sqrt(((J'J)^-1)_jj), sigma^2 = RSS / (n - free); NaN for held coefficients */
	double		std_err[LL_MAX_INPUTS + 1];
	/* sigma^2 ((J'J)^-1)_ij at [i * (k + 1) + j]; NaN where std_err[i] or [j] is */
	double		cov[(LL_MAX_INPUTS + 1) * (LL_MAX_INPUTS + 1)];
	/* what a status other than FIT_OK is about (as PowerLawFit's; coefficients a, b, c) */
	int			fail_input;
	int			fail_count;
} LogLawFit;

extern void ls_init(LogStats *st, int k);
extern void ls_free(LogStats *st, const SlAlloc *al);
extern int	ls_n_sums(int k);
/*
 * x must be finite and positive, y finite.  Both return false when the
 * allocator fails or when the row count would pass 2^63 - 1 (st->n is
 * then unchanged).
 */
extern bool ls_add(LogStats *st, const double *x, double y, const SlAlloc *al);
extern bool ls_merge(LogStats *st, const LogStats *other, const SlAlloc *al);
/* widens the data range to x (ls_add does this; for sums built another way) */
extern void ls_extend_range(LogStats *st, const double *x);

extern void log_law_default_spec(LogLawSpec *spec, int k);
/*
 * FIT_TOO_FEW_POINTS counts rows here (fail_count); FIT_FEW_VALUES is an
 * input of one value, FIT_LOG_SPREAD one whose logs spread no further than
 * their rounding, FIT_COLLINEAR two inputs whose logs are collinear.
 */
extern FitStatus log_law_fit(const LogStats *st, const LogLawSpec *spec, LogLawFit *out);
extern double log_law_predict(const LogLawFit *fit, int k, const double *x);

/*
 * Byte format, version 2: u8 version, u8 k, u16 zero, i32 zero, i64 n,
 * float8 x_min[k], float8 x_max[k], then the exact sums in the order of
 * ls_add.  (An aggregate's transient state: never stored.)
 */
#define LS_FORMAT_VERSION 2
extern size_t ls_serial_size(const LogStats *st);
extern void ls_serialize(const LogStats *st, unsigned char *out);
/* 0 ok, 1 bad format, 2 no memory */
extern int	ls_deserialize(LogStats *st, const unsigned char *buf, size_t len,
						   const SlAlloc *al);

#endif
