/*
 * fuzz_solver -- the fits: rows decoded from the input go through the SQL
 * layer's admission rule into a point set, then ps_sorted + power_law_fit
 * and, for one or two inputs, ls_add + log_law_fit, with optional bounds.
 *
 * Input: byte 0: k = 1 + b0 % 3, bit 2 power-law bounds follow, bit 3
 * log-law bounds follow.  Bounds: a byte whose bit i selects coefficient i
 * (power law: l_inf, a, alpha, b, beta, c, gamma; log law: a, b, c), then
 * lower and upper as values (below); a value that is not finite means no
 * bound on that side (JSON null), a lower above the upper is swapped (SQL
 * refuses it).  Then
 * rows, at most MAX_ROWS: k inputs and y, each a value:
 *   tag byte t, then
 *   t < 64      an ordinary value: (1 + u8 / 16) * 10^(u8 % 16 - 4)
 *   t < 96      a special: NaN, infinities, 0, -0, 1e308, subnormals, ...
 *   t < 128     the previous value of this column (duplicates)
 *   t < 144     the next double above the previous value
 *   t < 160     the previous value times 2 (collinear inputs)
 *   t < 192     this row's first input (equal inputs)
 *   t < 224     y only: 2 + 100 x1^-0.3 with 1% noise from a byte (fits well)
 *   else        the next 8 bytes as a raw double
 * Rows whose inputs are not finite and > 0 or whose y is not finite are
 * skipped, as the SQL layer rejects them.
 *
 * Invariants: the point set sorts; the same rows in reverse order give the
 * same sorted points; the stored value of the rows validates (or its sum
 * of y is out of range, FP_SUM_RANGE, a documented error) and gives back
 * the same sorted points and the same log-law statistics; a fit reported
 * FIT_OK has finite coefficients, rmse finite and >= 0, rss >= 0 (infinite
 * only where n rmse^2 exceeds the double range), r2 <= 1 or NaN only when y
 * has no variance.  With FUZZ_SOLVER_CHECK_BOUNDS=1 (make variable,
 * the default) every coefficient also lies within its bounds; with 0
 * violations are only counted and the first of each coefficient printed (and its input saved as
 * bounds-<law>-<coefficient> in the directory FUZZ_SOLVER_SAVE names, if
 * set).  FUZZ_SOLVER_PRINT=1 ./fuzz_solver FILE prints an input's rows and
 * bounds as SQL.
 */
#include <float.h>
#include <math.h>

#include "fuzz_common.h"
#include "log_law.h"
#include "power_law.h"

#ifndef FUZZ_SOLVER_CHECK_BOUNDS
#define FUZZ_SOLVER_CHECK_BOUNDS 0
#endif

#define MAX_ROWS 64

typedef struct Reader
{
	const uint8_t *p;
	size_t		left;
} Reader;

static int
next_byte(Reader *r)
{
	if (r->left == 0)
		return -1;
	r->left--;
	return *r->p++;
}

static const double specials[32] = {
	NAN, INFINITY, -INFINITY, 0.0, -0.0, 1e308, -1e308, DBL_MAX,
	-DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 2.2250738585072009e-308, 1e-300, 1.0, -1.0, 2.0,
	1e-12, 1e12, 1e18, -1e18, 0.5, 3.0, 10.0, 100.0,
	1000.0, 1e154, 1e-154, 1e200, -1e-300, 1e300, 1e-310, 7.0
};

/* one value; false when the input is exhausted */
static bool
next_value(Reader *r, double prev, double first, double *out)
{
	int			t = next_byte(r),
				u;

	if (t < 0)
		return false;
	if (t < 64 || (t >= 192 && t < 224))
	{
		if ((u = next_byte(r)) < 0)
			return false;
		if (t < 64)
			*out = (1.0 + (u >> 4) / 16.0 + (t & 15) / 256.0) * pow(10.0, (u & 15) - 4);
		else
			*out = 2.0 + 100.0 * pow(first, -0.3) * (1.0 + (u - 128) / 12800.0);
	}
	else if (t < 96)
		*out = specials[t - 64];
	else if (t < 128)
		*out = prev;
	else if (t < 144)
		*out = nextafter(prev, INFINITY);
	else if (t < 160)
		*out = prev * 2.0;
	else if (t < 192)
		*out = first;
	else
	{
		if (r->left < 8)
			return false;
		memcpy(out, r->p, 8);
		r->p += 8;
		r->left -= 8;
	}
	return true;
}

/* reads a bounds block: mask byte, then (lo, hi) for each selected coefficient */
static void
read_bounds(Reader *r, int n_coef, double *lo, double *hi)
{
	int			mask = next_byte(r);

	if (mask < 0)
		return;
	for (int i = 0; i < n_coef; i++)
	{
		double		l,
					h;

		if (!(mask & (1 << i)))
			continue;
		if (!next_value(r, 0.0, 1.0, &l) || !next_value(r, l, 1.0, &h))
			return;
		/* the SQL layer takes finite numbers, or null for no bound */
		if (!isfinite(l))
			l = -INFINITY;
		if (!isfinite(h))
			h = INFINITY;
		if (l > h)
		{
			double		t = l;

			l = h;
			h = t;
		}
		lo[i] = l;
		hi[i] = h;
	}
}

static long n_bound_violations;

/* the input being run, saved for a first violation (FUZZ_SOLVER_SAVE=dir) */
static const uint8_t *cur_data;
static size_t cur_size;

static void
report_bounds(void)
{
	if (n_bound_violations > 0)
		fprintf(stderr, "fuzz_solver: %ld fits with a coefficient outside its bounds "
				"(not fatal: FUZZ_SOLVER_CHECK_BOUNDS=0)\n", n_bound_violations);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	atexit(report_bounds);
	return 0;
}

/* the first violation of each coefficient of each law is printed */
static void
check_bound(int law, int coef, double v, double lo, double hi)
{
	static const char *const laws[] = {"power law", "log law"};
	static const char *const names[2][7] = {
		{"l_inf", "a", "alpha", "b", "beta", "c", "gamma"}, {"a", "b", "c"}};
	static bool printed[2][7];

	if (v >= lo && v <= hi)
		return;
	FUZZ_CHECK(!FUZZ_SOLVER_CHECK_BOUNDS, "%s: %s = %.17g outside [%.17g, %.17g]", laws[law],
			   names[law][coef], v, lo, hi);
	n_bound_violations++;
	if (!printed[law][coef])
	{
		const char *dir = getenv("FUZZ_SOLVER_SAVE");

		fprintf(stderr, "fuzz_solver: %s: %s = %.17g outside [%.17g, %.17g]\n", laws[law],
				names[law][coef], v, lo, hi);
		if (dir)
		{
			char		path[512];
			FILE	   *f;

			snprintf(path, sizeof(path), "%s/bounds-%s-%s", dir, law ? "log" : "power",
					 names[law][coef]);
			if ((f = fopen(path, "wb")) != NULL)
			{
				fwrite(cur_data, 1, cur_size, f);
				fclose(f);
			}
		}
	}
	printed[law][coef] = true;
}

/*
 * With FUZZ_SOLVER_PRINT set in the environment (replaying one input:
 * ./fuzz_solver FILE), the admitted rows and the bounds as SQL, to
 * reproduce a finding with fit_power_law / fit_log_law.
 */
/* a bound in JSON: a number, or null for none */
static void
print_bound(const char *sep, const char *name, double lo, double hi)
{
	printf("%s\"%s\": [", sep, name);
	printf(isinf(lo) ? "null" : "%.17g", lo);
	printf(", ");
	printf(isinf(hi) ? "null" : "%.17g", hi);
	printf("]");
}

static void
print_as_sql(int k, double rows[][SL_MAX_INPUTS + 1], int n_rows, const PowerLawSpec *spec,
			 const LogLawSpec *lspec)
{
	static const char *const pnames[] = {"alpha", "beta", "gamma"};
	static const char *const lnames[] = {"l_inf", "a", "b", "c"};
	static const char *const llnames[] = {"a", "b", "c"};
	const char *sep = "";

	printf("-- %d admitted rows, k = %d\nCREATE TEMP TABLE t (x1 float8, x2 float8, x3 float8, y float8);\nINSERT INTO t VALUES\n",
		   n_rows, k);
	for (int i = 0; i < n_rows; i++)
	{
		printf("%s  (", i ? ",\n" : "");
		for (int j = 0; j < 3; j++)
			printf(j < k ? "%.17g, " : "NULL, ", rows[i][j < k ? j : 0]);
		printf("%.17g)", rows[i][k]);
	}
	printf(";\n-- power-law options\n'{\"bounds\": {");
	for (int j = 0; j <= k; j++)
		if (spec->lin_lo[j] != -INFINITY || spec->lin_hi[j] != INFINITY)
		{
			print_bound(sep, lnames[j], spec->lin_lo[j], spec->lin_hi[j]);
			sep = ", ";
		}
	for (int j = 0; j < k; j++)
	{
		print_bound(sep, pnames[j], spec->exp_lo[j], spec->exp_hi[j]);
		sep = ", ";
	}
	printf("}}'\n-- log-law options\n'{\"bounds\": {");
	sep = "";
	for (int j = 0; k <= 2 && j <= k; j++)
		if (lspec->lo[j] != -INFINITY || lspec->hi[j] != INFINITY)
		{
			print_bound(sep, llnames[j], lspec->lo[j], lspec->hi[j]);
			sep = ", ";
		}
	printf("}}'\n");
	fflush(stdout);				/* an invariant may abort right after */
}

static bool
same_sorted(const SortedPoints *a, const SortedPoints *b)
{
	return a->k == b->k && a->m == b->m && a->n_rows == b->n_rows && a->y_exp == b->y_exp &&
		memcmp(a->x, b->x, sizeof(double) * (size_t) a->m * a->k) == 0 &&
		memcmp(a->w, b->w, sizeof(double) * (size_t) a->m) == 0 &&
		memcmp(a->y, b->y, sizeof(double) * (size_t) a->m) == 0 &&
		memcmp(&a->ss_within, &b->ss_within, sizeof(double)) == 0;
}

static bool
same_log_fit(const LogLawFit *a, const LogLawFit *b)
{
	return memcmp(a->coef, b->coef, sizeof(a->coef)) == 0 && a->n == b->n &&
		memcmp(&a->rss, &b->rss, sizeof(double)) == 0;
}

/*
 * y has no variance a fit can measure: the fits count a variance below
 * 2^-90 of y's mean square as none (rounding), so every point's mean
 * within 2^-40 of the largest and hardly any spread within points
 */
static bool
y_constant(const SortedPoints *sp)
{
	double		ymax = 0.0,
				wsum = 0.0;

	for (int32_t i = 0; i < sp->m; i++)
	{
		ymax = fmax(ymax, fabs(sp->y[i]));
		wsum += sp->w[i];
	}
	for (int32_t i = 1; i < sp->m; i++)
		if (!(fabs(sp->y[i] - sp->y[0]) <= 0x1p-40 * ymax))
			return false;
	return sp->ss_within <= 0x1p-80 * wsum * ymax * ymax;
}

static void
check_stats(const char *law, double rss, double r2, double rmse, const SortedPoints *sp)
{
	FUZZ_CHECK(isfinite(rmse) && rmse >= 0.0, "%s: rmse %g", law, rmse);
	/* the sum of squares itself may exceed the double range (y near 1e300) */
	FUZZ_CHECK(rss >= 0.0 && (isfinite(rss) || rmse * rmse * (double) sp->n_rows > DBL_MAX / 2),
			   "%s: rss %g with rmse %g", law, rss, rmse);
	FUZZ_CHECK(isnan(r2) ? y_constant(sp) : r2 <= 1.0, "%s: r2 %g", law, r2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Reader		r = {data, size};
	int			head = next_byte(&r),
				k;
	PowerLawSpec spec;
	LogLawSpec	lspec;
	double		rows[MAX_ROWS][SL_MAX_INPUTS + 1];
	int			n_rows = 0;
	double		prev[SL_MAX_INPUTS + 1] = {1.0, 1.0, 1.0, 1.0};
	PointSet	ps,
				rev;
	SortedPoints sp,
				sp_rev;
	PowerLawFit fit;
	FitStatus	fst;
	unsigned char *value = NULL;
	size_t		vlen;
	FpStatus	vst;
	FpInfo		info;

	if (head < 0)
		return 0;
	cur_data = data;
	cur_size = size;
	k = 1 + head % 3;
	power_law_default_spec(&spec, k);
	log_law_default_spec(&lspec, k <= 2 ? k : 2);
	if (head & 4)
	{
		double		lo[2 * SL_MAX_INPUTS + 1],
					hi[2 * SL_MAX_INPUTS + 1];

		/* order of the result: l_inf, a, alpha, b, beta, c, gamma */
		lo[0] = spec.lin_lo[0];
		hi[0] = spec.lin_hi[0];
		for (int j = 0; j < k; j++)
		{
			lo[1 + 2 * j] = spec.lin_lo[j + 1];
			hi[1 + 2 * j] = spec.lin_hi[j + 1];
			lo[2 + 2 * j] = spec.exp_lo[j];
			hi[2 + 2 * j] = spec.exp_hi[j];
		}
		read_bounds(&r, 2 * k + 1, lo, hi);
		spec.lin_lo[0] = lo[0];
		spec.lin_hi[0] = hi[0];
		for (int j = 0; j < k; j++)
		{
			spec.lin_lo[j + 1] = lo[1 + 2 * j];
			spec.lin_hi[j + 1] = hi[1 + 2 * j];
			spec.exp_lo[j] = lo[2 + 2 * j];
			spec.exp_hi[j] = hi[2 + 2 * j];
		}
	}
	if ((head & 8) && k <= 2)
		read_bounds(&r, k + 1, lspec.lo, lspec.hi);

	while (n_rows < MAX_ROWS)
	{
		double		row[SL_MAX_INPUTS + 1];
		bool		admitted = true;
		int			j;

		for (j = 0; j <= k; j++)
		{
			if (!next_value(&r, prev[j], j == 0 ? prev[0] : row[0], &row[j]))
				break;
			prev[j] = row[j];
		}
		if (j <= k)
			break;
		for (j = 0; j < k; j++)
			admitted &= isfinite(row[j]) && row[j] > 0.0;
		admitted &= isfinite(row[k]);
		if (admitted)
			memcpy(rows[n_rows++], row, sizeof(row));
	}

	if (getenv("FUZZ_SOLVER_PRINT"))
		print_as_sql(k, rows, n_rows, &spec, &lspec);
	ps_init(&ps, k);
	ps_init(&rev, k);
	for (int i = 0; i < n_rows; i++)
	{
		FUZZ_CHECK(ps_add(&ps, rows[i], rows[i][k], AL) == PS_OK, "ps_add");
		FUZZ_CHECK(ps_add(&rev, rows[n_rows - 1 - i], rows[n_rows - 1 - i][k], AL) == PS_OK,
				   "ps_add");
	}
	FUZZ_CHECK(ps_sorted(&ps, &sp, AL) == PS_OK, "ps_sorted");
	FUZZ_CHECK(ps_sorted(&rev, &sp_rev, AL) == PS_OK, "ps_sorted");
	FUZZ_CHECK(same_sorted(&sp, &sp_rev), "rows in reverse order give other sorted points");
	ps_sorted_free(&sp_rev, AL);
	ps_free(&rev, AL);

	/* the stored value of these rows reads back as the same points */
	FUZZ_CHECK(fp_from_point_set(&ps, &value, &vlen, AL) == FP_OK, "fp_from_point_set");
	vst = fp_validate(value, vlen, k, &info, AL);
	FUZZ_CHECK(vst == FP_OK, "value of the rows: %s", fp_status_detail(vst));
	{
		PointSet	back;
		SortedPoints sp_back;

		FUZZ_CHECK(fp_to_point_set(value, vlen, &back, AL) == FP_OK, "fp_to_point_set");
		FUZZ_CHECK(ps_sorted(&back, &sp_back, AL) == PS_OK, "ps_sorted");
		FUZZ_CHECK(same_sorted(&sp, &sp_back), "the stored value gives other sorted points");
		ps_sorted_free(&sp_back, AL);
		ps_free(&back, AL);
		/* and read directly, as fit_power_law(points) does */
		FUZZ_CHECK(fp_sorted_points(value, vlen, &sp_back, AL) == FP_OK, "fp_sorted_points");
		FUZZ_CHECK(same_sorted(&sp, &sp_back), "the stored value read directly gives other sorted points");
		ps_sorted_free(&sp_back, AL);
	}

	fst = power_law_fit(&sp, &spec, AL, &fit);
	FUZZ_CHECK(fst != FIT_NO_MEMORY, "power_law_fit: no memory");
	if (fst == FIT_OK)
	{
		static const char *const names[] = {"l_inf", "a", "alpha", "b", "beta", "c", "gamma"};

		FUZZ_CHECK(isfinite(fit.l_inf), "power law: l_inf %g", fit.l_inf);
		for (int j = 0; j < k; j++)
			FUZZ_CHECK(isfinite(fit.coef[j]) && isfinite(fit.expo[j]),
					   "power law: %s %g, %s %g", names[1 + 2 * j], fit.coef[j],
					   names[2 + 2 * j], fit.expo[j]);
		FUZZ_CHECK(fit.n == sp.n_rows, "power law: n %lld", (long long) fit.n);
		check_stats("power law", fit.rss, fit.r2, fit.rmse, &sp);
		check_bound(0, 0, fit.l_inf, spec.lin_lo[0], spec.lin_hi[0]);
		for (int j = 0; j < k; j++)
		{
			check_bound(0, 1 + 2 * j, fit.coef[j], spec.lin_lo[j + 1], spec.lin_hi[j + 1]);
			check_bound(0, 2 + 2 * j, fit.expo[j], spec.exp_lo[j], spec.exp_hi[j]);
		}
	}

	if (k <= 2)
	{
		LogStats	ls;
		LogLawFit	lfit;

		ls_init(&ls, k);
		for (int i = 0; i < n_rows; i++)
			FUZZ_CHECK(ls_add(&ls, rows[i], rows[i][k], AL), "ls_add");
		fst = log_law_fit(&ls, &lspec, &lfit);
		FUZZ_CHECK(fst != FIT_NO_MEMORY, "log_law_fit: no memory");
		if (fst == FIT_OK)
		{
			static const char *const names[] = {"a", "b", "c"};

			for (int j = 0; j <= k; j++)
				FUZZ_CHECK(isfinite(lfit.coef[j]), "log law: %s %g", names[j], lfit.coef[j]);
			FUZZ_CHECK(lfit.n == sp.n_rows, "log law: n %lld", (long long) lfit.n);
			check_stats("log law", lfit.rss, lfit.r2, lfit.rmse, &sp);
			for (int j = 0; j <= k; j++)
				check_bound(1, j, lfit.coef[j], lspec.lo[j], lspec.hi[j]);
		}
		/* fit_log_law(points) gives the same bits as over the rows */
		if (vst == FP_OK)
		{
			LogStats	lv;
			LogLawFit	vfit;
			FitStatus	vfst;

			FUZZ_CHECK(fp_log_stats(value, vlen, &lv, AL) == FP_OK, "fp_log_stats");
			vfst = log_law_fit(&lv, &lspec, &vfit);
			FUZZ_CHECK(vfst == fst && (fst != FIT_OK || same_log_fit(&lfit, &vfit)),
					   "fit_log_law of the stored value differs from the rows' (status %d vs %d)",
					   (int) vfst, (int) fst);
			ls_free(&lv, AL);
		}
		ls_free(&ls, AL);
	}
	free(value);
	ps_sorted_free(&sp, AL);
	ps_free(&ps, AL);
	return 0;
}
