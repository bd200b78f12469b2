/*
 * test_fit_points.c -- unit tests of the storable point sets
 * (src/core/fit_points.c): canonical bytes, round trips, fits from a
 * stored value equal to fits from the rows, every rejection reason, and a
 * randomized-corruption run over exactly what the SQL input and receive
 * functions call (fp_text_decode, fp_validate).  Called from test_core.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_points.h"
#include "log_law.h"
#include "point_set.h"
#include "power_law.h"
#include "test_util.h"


static const SlAlloc *AL = &sl_malloc_alloc;

static uint64_t rng = 777;
static uint64_t
next_u64(void)
{
	return tu_splitmix(&rng);
}
static double
uniform(double lo, double hi)
{
	return lo + (hi - lo) * ((next_u64() >> 11) * 0x1.0p-53);
}

/* rows of a test group: k inputs, n rows over about m distinct points */
typedef struct Rows
{
	int			k;
	int			n;
	double		x[4000][SL_MAX_POINT_INPUTS];
	double		y[4000];
} Rows;

static Rows rows_a,
			rows_b;

static void
make_rows(Rows *r, int k, int n, int distinct, bool extreme)
{
	r->k = k;
	r->n = n;
	for (int i = 0; i < n; i++)
	{
		int			p = (int) (next_u64() % (uint64_t) distinct);

		for (int j = 0; j < k; j++)
			r->x[i][j] = 1000.0 * (1 + (p * (j + 3)) % (distinct + j)) * (j + 1);
		r->y[i] = 1.0 + 7.0 * pow(r->x[i][0], -0.4) + 0.01 * uniform(-1, 1);
		if (extreme && i % 7 == 0)
		{
			/* x = 1 (log 0), x next to 1, huge and tiny x, subnormal y */
			static const double xs[] = {1.0, 1.0 + 0x1p-52, 1.0 - 0x1p-53, 1e-300, 1e300};
			static const double ys[] = {0x1p-1074, -3e-310, 1e-200, 0.0, 2.5};

			r->x[i][0] = xs[next_u64() % 5];
			r->y[i] = ys[next_u64() % 5];
		}
	}
}

static void
shuffle_rows(Rows *r)
{
	for (int i = r->n - 1; i > 0; i--)
	{
		int			j = (int) (next_u64() % (uint64_t) (i + 1));
		double		t[SL_MAX_POINT_INPUTS + 1];

		memcpy(t, r->x[i], sizeof(r->x[i]));
		memcpy(r->x[i], r->x[j], sizeof(r->x[i]));
		memcpy(r->x[j], t, sizeof(r->x[i]));
		t[0] = r->y[i];
		r->y[i] = r->y[j];
		r->y[j] = t[0];
	}
}

static void
point_set_of(const Rows *r, int from, int to, PointSet *ps)
{
	ps_init(ps, r->k);
	for (int i = from; i < to; i++)
		ps_add(ps, r->x[i], r->y[i], AL);
}

static unsigned char *
encode(const PointSet *ps, size_t *len)
{
	unsigned char *buf;

	if (fp_from_point_set(ps, &buf, len, AL) != FP_OK)
		return NULL;
	return buf;
}

static bool
same_bytes(const unsigned char *a, size_t la, const unsigned char *b, size_t lb)
{
	return a && b && la == lb && memcmp(a, b, la) == 0;
}

/* the fit the aggregate's final function computes from a point set */
static FitStatus
power_fit(const PointSet *ps, PowerLawFit *fit)
{
	SortedPoints sp;
	PowerLawSpec spec;
	FitStatus	st;

	ps_sorted(ps, &sp, AL);
	power_law_default_spec(&spec, ps->k);
	memset(fit, 0, sizeof(*fit));
	st = power_law_fit(&sp, &spec, AL, fit);
	ps_sorted_free(&sp, AL);
	return st;
}

static bool
same_power_fit(const PowerLawFit *a, const PowerLawFit *b)
{
	return memcmp(&a->l_inf, &b->l_inf, 8) == 0 && memcmp(a->coef, b->coef, sizeof(a->coef)) == 0 &&
		memcmp(a->expo, b->expo, sizeof(a->expo)) == 0 && memcmp(&a->rss, &b->rss, 8) == 0 &&
		a->n == b->n;
}

/* two SortedPoints with the same bits */
static bool
same_sorted(const SortedPoints *a, const SortedPoints *b)
{
	return a->k == b->k && a->m == b->m && a->n_rows == b->n_rows && a->y_exp == b->y_exp &&
		memcmp(a->x, b->x, sizeof(double) * (size_t) a->m * a->k) == 0 &&
		memcmp(a->w, b->w, sizeof(double) * (size_t) a->m) == 0 &&
		memcmp(a->y, b->y, sizeof(double) * (size_t) a->m) == 0 &&
		memcmp(&a->ss_within, &b->ss_within, 8) == 0;
}

/*
 * A group whose sum of y at one input passes DBL_MAX (y = 1e308 three times)
 * next to ordinary points: the stored value holds that sum (1.1 refused
 * it), and its points and fit are those of the rows, from the value
 * directly and through a partial state split where one part's sum passes
 * DBL_MAX and the whole's does not.
 */
static void
test_sums_beyond_double(void)
{
	PointSet	whole,
				part1,
				part2,
				merged;
	unsigned char *v,
			   *ser;
	size_t		lv;
	SortedPoints s0,
				s1,
				s2;
	PowerLawSpec spec;
	PowerLawFit f0,
				f1,
				f2;
	bool		ok;

	ps_init(&whole, 1);
	ps_init(&part1, 1);
	ps_init(&part2, 1);
	for (int i = 1; i <= 12; i++)
	{
		double		x = 10.0 * i,
					y = 1e307 * (1 + 3 * pow(x, -0.5));

		ps_add(&whole, &x, y, AL);
		ps_add(i % 2 ? &part1 : &part2, &x, y, AL);
	}
	{
		double		x = 5.0;

		/* part1: three rows of 1e308 at x = 5 (sum 3e308); part2: two of -1e308 */
		for (int r = 0; r < 3; r++)
		{
			ps_add(&whole, &x, 1e308, AL);
			ps_add(&part1, &x, 1e308, AL);
		}
		for (int r = 0; r < 2; r++)
		{
			ps_add(&whole, &x, -1e308, AL);
			ps_add(&part2, &x, -1e308, AL);
		}
	}
	v = encode(&whole, &lv);
	ok = v != NULL;
	/* a partial state serialised and read back, then merged */
	{
		size_t		n = ps_serial_size(&part1, AL);

		ser = malloc(n);
		ps_serialize(&part1, ser, AL);
		ps_free(&part1, AL);
		ok = ok && ps_deserialize(&part1, ser, n, AL) == PS_OK;
		free(ser);
	}
	ps_init(&merged, 1);
	ok = ok && ps_merge(&merged, &part1, AL) == PS_OK && ps_merge(&merged, &part2, AL) == PS_OK;
	power_law_default_spec(&spec, 1);
	ps_sorted(&whole, &s0, AL);
	ps_sorted(&merged, &s2, AL);
	ok = ok && fp_sorted_points(v, lv, &s1, AL) == FP_OK;
	if (getenv("FP_DEBUG"))
		printf("  ok %d same01 %d same02 %d fits %d %d %d\n", ok, same_sorted(&s0, &s1), same_sorted(&s0, &s2),
			   power_law_fit(&s0, &spec, AL, &f0), power_law_fit(&s1, &spec, AL, &f1), power_law_fit(&s2, &spec, AL, &f2));
	CHECK(ok && same_sorted(&s0, &s1) && same_sorted(&s0, &s2) &&
		  power_law_fit(&s0, &spec, AL, &f0) == FIT_OK &&
		  power_law_fit(&s1, &spec, AL, &f1) == FIT_OK &&
		  power_law_fit(&s2, &spec, AL, &f2) == FIT_OK &&
		  same_power_fit(&f0, &f1) && same_power_fit(&f0, &f2),
		  "sums of y beyond DBL_MAX: stored (3e308 at one input), read back from a partial state and merged: the same points and fit as the rows (l_inf %.6g)",
		  f0.l_inf);
	ps_sorted_free(&s0, AL);
	ps_sorted_free(&s1, AL);
	ps_sorted_free(&s2, AL);
	free(v);
	ps_free(&whole, AL);
	ps_free(&part1, AL);
	ps_free(&part2, AL);
	ps_free(&merged, AL);
}

/* the value after a round trip through a point set (canonical: identical) */
static bool
reencodes_identically(const unsigned char *buf, size_t len)
{
	PointSet	ps;
	unsigned char *again;
	size_t		l2;
	bool		same;

	if (fp_to_point_set(buf, len, &ps, AL) != FP_OK)
	{
		ps_free(&ps, AL);
		return false;
	}
	again = encode(&ps, &l2);
	same = same_bytes(buf, len, again, l2);
	if (!same && getenv("FP_DEBUG"))
	{
		printf("  lengths %zu %zu\n", len, l2);
		for (size_t i = 0; i < len && i < l2; i++)
			if (buf[i] != again[i])
				printf("  differ at %zu: %02x vs %02x\n", i, buf[i], again[i]);
	}
	free(again);
	ps_free(&ps, AL);
	return same;
}

static void
test_round_trip_and_order(void)
{
	/* every k a point set and a stored value hold (fit_pointsn: up to 8) */
	for (int k = 1; k <= SL_MAX_POINT_INPUTS; k++)
	{
		PointSet	whole,
					a,
					b,
					back;
		unsigned char *v0,
				   *v1,
				   *va,
				   *vb,
				   *vm;
		size_t		l0,
					l1,
					la,
					lb,
					lm;
		FpInfo		info;
		char	   *text;
		unsigned char *dec;
		size_t		ldec;
		PowerLawFit f0,
					f1;
		bool		fits = k < 3;	/* 3-input fits are slow; checked in SQL */

		make_rows(&rows_a, k, 1200, 50, false);
		point_set_of(&rows_a, 0, rows_a.n, &whole);
		v0 = encode(&whole, &l0);
		CHECK(v0 && fp_validate(v0, l0, k, &info, AL) == FP_OK && info.n == 1200 && info.m == whole.n,
			  "fit_points k=%d: a built value validates (%zu bytes, %d entries)", k, l0, (int) info.m);
		CHECK(reencodes_identically(v0, l0), "fit_points k=%d: point set round trip gives the same bytes", k);

		/* rows in another order, built in two parts merged the other way round */
		shuffle_rows(&rows_a);
		point_set_of(&rows_a, 0, 500, &a);
		point_set_of(&rows_a, 500, rows_a.n, &b);
		va = encode(&a, &la);
		vb = encode(&b, &lb);
		ps_free(&a, AL);
		ps_free(&b, AL);
		fp_to_point_set(vb, lb, &a, AL);
		fp_to_point_set(va, la, &b, AL);
		ps_merge(&a, &b, AL);
		vm = encode(&a, &lm);
		CHECK(same_bytes(v0, l0, vm, lm), "fit_points k=%d: shuffled rows merged in the other order give the same bytes", k);

		/* text form */
		text = malloc(2 * l0 + 3);
		dec = malloc(l0 + 1);
		fp_text_encode(v0, l0, text, AL);
		CHECK(fp_text_decode(text, strlen(text), dec, &ldec, AL) == FP_OK && same_bytes(v0, l0, dec, ldec),
			  "fit_points k=%d: text form round trip", k);

		/* the points a fit sees: read from the value directly, as from the rows */
		{
			SortedPoints s0,
						s1;

			ps_sorted(&whole, &s0, AL);
			CHECK(fp_sorted_points(v0, l0, &s1, AL) == FP_OK && same_sorted(&s0, &s1),
				  "fit_points k=%d: the value's points read directly are the rows' points, bit for bit (%d points)",
				  k, s0.m);
			if (fits)
			{
				PowerLawSpec spec;

				power_law_default_spec(&spec, k);
				CHECK(power_law_fit(&s0, &spec, AL, &f0) == FIT_OK &&
					  power_law_fit(&s1, &spec, AL, &f1) == FIT_OK && same_power_fit(&f0, &f1),
					  "fit_points k=%d: power-law fit of the stored value has the same bits (alpha %.17g)",
					  k, f1.expo[0]);
			}
			ps_sorted_free(&s0, AL);
			ps_sorted_free(&s1, AL);
		}
		/* ... and through a point set (the merge aggregate's path) */
		if (fits)
		{
			fp_to_point_set(v0, l0, &back, AL);
			CHECK(power_fit(&back, &f1) == FIT_OK && same_power_fit(&f0, &f1),
				  "fit_points k=%d: power-law fit of the value's point set has the same bits", k);
			ps_free(&back, AL);
		}
		v1 = encode(&whole, &l1);
		CHECK(same_bytes(v0, l0, v1, l1), "fit_points k=%d: encoding is deterministic", k);
		free(text);
		free(dec);
		free(v0);
		free(v1);
		free(va);
		free(vb);
		free(vm);
		ps_free(&whole, AL);
		ps_free(&a, AL);
		ps_free(&b, AL);
	}
}

/* log-law statistics from a stored value against ls_add over the rows */
static void
test_log_stats(void)
{
	for (int k = 1; k <= LL_MAX_INPUTS; k++)
		for (int extreme = 0; extreme <= 1; extreme++)
		{
			LogStats	rows_st,
						val_st;
			PointSet	ps;
			unsigned char *v;
			size_t		len;
			bool		sums_same = true;
			LogLawSpec	spec;
			LogLawFit	f0,
						f1;
			FitStatus	s0,
						s1;

			make_rows(&rows_b, k, 3000, 40, extreme);
			ls_init(&rows_st, k);
			for (int i = 0; i < rows_b.n; i++)
				ls_add(&rows_st, rows_b.x[i], rows_b.y[i], AL);
			point_set_of(&rows_b, 0, rows_b.n, &ps);
			v = encode(&ps, &len);
			CHECK(fp_log_stats(v, len, &val_st, AL) == FP_OK && val_st.n == rows_st.n,
				  "log stats k=%d%s: built from the stored value", k, extreme ? " (extreme values)" : "");
			for (int i = 0; i < ls_n_sums(k); i++)
			{
				double		h0,
							l0,
							h1,
							l1;

				xs_value_dd(&rows_st.s[i], &h0, &l0);
				xs_value_dd(&val_st.s[i], &h1, &l1);
				sums_same = sums_same && memcmp(&h0, &h1, 8) == 0 && memcmp(&l0, &l1, 8) == 0;
			}
			CHECK(sums_same, "log stats k=%d%s: every sufficient statistic equals the row sums exactly",
				  k, extreme ? " (extreme values)" : "");
			CHECK(memcmp(rows_st.x_min, val_st.x_min, sizeof(rows_st.x_min)) == 0 &&
				  memcmp(rows_st.x_max, val_st.x_max, sizeof(rows_st.x_max)) == 0,
				  "log stats k=%d%s: the data range equals the rows' exactly",
				  k, extreme ? " (extreme values)" : "");
			log_law_default_spec(&spec, k);
			s0 = log_law_fit(&rows_st, &spec, &f0);
			s1 = log_law_fit(&val_st, &spec, &f1);
			CHECK(s0 == s1 && memcmp(&f0, &f1, sizeof(f0)) == 0,
				  "log stats k=%d%s: log-law fit has the same bits (status %d, b %.17g)",
				  k, extreme ? " (extreme values)" : "", (int) s1, f1.coef[1]);
			free(v);
			ps_free(&ps, AL);
			ls_free(&rows_st, AL);
			ls_free(&val_st, AL);
		}
}

/* ---- hostile values, one per rejection reason ---- */

static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char) v;
}
static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (unsigned char) v;
}
static void
putf(unsigned char *p, double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	put64(p, u);
}

/*
 * A hand-made k = 1 value: entries (x, w, y) with w = 1, or w = 2 and the
 * sum given as a single-digit exact sum at digit 0 (an integer).
 */
static size_t
craft(unsigned char *b, int m, int64_t n, const double *x, const int64_t *w,
	  const double *y, double yy_int)
{
	size_t		o = 16;

	b[0] = 1;
	b[1] = 1;
	b[2] = b[3] = 0;
	put32(b + 4, (uint32_t) m);
	put64(b + 8, (uint64_t) n);
	/* sum of y^2 as an integer at digit 0 (or zero) */
	if (yy_int == 0)
	{
		put32(b + o, 0);
		put32(b + o + 4, 0);
		o += 8;
	}
	else
	{
		put32(b + o, 0);
		put32(b + o + 4, 1);
		put64(b + o + 8, (uint64_t) (int64_t) yy_int);
		o += 16;
	}
	for (int i = 0; i < m; i++)
	{
		putf(b + o, x[i]);
		put64(b + o + 8, (uint64_t) w[i]);
		o += 16;
		if (w[i] == 1)
		{
			putf(b + o, y[i]);
			o += 8;
		}
		else
		{
			put32(b + o, 0);
			put32(b + o + 4, 1);
			put64(b + o + 8, (uint64_t) (int64_t) y[i]);
			o += 16;
		}
	}
	return o;
}

static void
test_rejections(void)
{
	unsigned char b[512];
	FpInfo		info;
	size_t		len;
	double		x[3] = {1, 2, 3},
				y[3] = {1, 2, 3};
	int64_t		w[3] = {1, 1, 1};

#define EXPECT(st_expected, what) do { \
	FpStatus got_ = fp_validate(b, len, 1, &info, AL); \
	CHECK(got_ == (st_expected), "reject %s: status %d (%s)", what, (int) got_, fp_status_detail(got_)); \
} while (0)

	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_OK, "nothing (a valid hand-made value)");
	CHECK(reencodes_identically(b, len), "hand-made value re-encodes to the same bytes");
	len = craft(b, 3, 3, x, w, y, 14) - 1;
	EXPECT(FP_TRUNCATED, "a value one byte short");
	len = 10;
	EXPECT(FP_TRUNCATED, "a value shorter than its header");
	len = craft(b, 3, 3, x, w, y, 14);
	b[len++] = 0;
	EXPECT(FP_TRAILING, "a trailing byte");
	len = craft(b, 3, 3, x, w, y, 14);
	b[0] = 2;
	EXPECT(FP_BAD_VERSION, "version 2");
	b[0] = 1;
	b[1] = 9;
	EXPECT(FP_BAD_K, "k = 9");
	b[1] = 0;
	EXPECT(FP_BAD_K, "k = 0");
	b[1] = 4;
	EXPECT(FP_K_MISMATCH, "k = 4 for the 1-input type");
	b[1] = 2;
	EXPECT(FP_K_MISMATCH, "k = 2 for the 1-input type");
	b[1] = 1;
	b[2] = 1;
	EXPECT(FP_BAD_FLAGS, "flags set");
	b[2] = 0;
	put32(b + 4, 4);
	EXPECT(FP_BAD_COUNTS, "more entries than rows");
	put32(b + 4, (uint32_t) -1);
	EXPECT(FP_BAD_COUNTS, "negative entry count");
	put32(b + 4, 3);
	put64(b + 8, 0);
	EXPECT(FP_BAD_COUNTS, "entries but no rows");
	put32(b + 4, 0x7fffffff);
	put64(b + 8, INT64_MAX);
	EXPECT(FP_TOO_MANY_ENTRIES, "2^31-1 entries declared in a short value (no huge allocation)");
	put32(b + 4, 3);
	put64(b + 8, 4);
	EXPECT(FP_BAD_WEIGHT, "row counts that do not add up to n");
	put64(b + 8, 3);
	EXPECT(FP_OK, "nothing (the value restored)");

	x[1] = NAN;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_BAD_INPUT, "x = NaN");
	x[1] = -0.0;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_BAD_INPUT, "x = -0 (not canonical)");
	x[1] = 2;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_OK, "positive inputs");
	CHECK(!info.nonpositive, "positive inputs are not flagged");
	/* any finite input is a value of fit_pointsn; the presets' types check nonpositive */
	x[0] = -2;
	x[1] = 0;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_OK, "inputs -2, 0, 3");
	CHECK(info.nonpositive, "inputs <= 0 are flagged");
	CHECK(reencodes_identically(b, len), "a value with inputs <= 0 re-encodes to the same bytes");
	x[0] = 1;
	x[1] = 1;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_UNSORTED, "a duplicate entry");
	x[1] = 5;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_UNSORTED, "unsorted entries");
	x[1] = 2;
	y[2] = INFINITY;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_BAD_Y, "y = infinity");
	y[2] = 3;
	w[1] = 0;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_BAD_WEIGHT, "w = 0");
	w[1] = INT64_MAX;
	len = craft(b, 3, 3, x, w, y, 14);
	EXPECT(FP_BAD_WEIGHT, "w = 2^63-1 (overflowing the row total)");
	len = craft(b, 3, 3, x, (int64_t[]) {1, 1, 1}, y, 15);
	EXPECT(FP_BAD_SUM_SQUARES, "sum of y^2 off by one with single rows");
	/* w = 2 at x = 2 with sum 4 (y = 2, 2): y^2 sum 1 + 8 + 9 = 18 */
	len = craft(b, 3, 4, x, (int64_t[]) {1, 2, 1}, (double[]) {1, 4, 3}, 18);
	EXPECT(FP_OK, "nothing (a value with a merged entry)");
	len = craft(b, 3, 4, x, (int64_t[]) {1, 2, 1}, (double[]) {1, 4, 3}, 17);
	EXPECT(FP_BAD_SUM_SQUARES, "sum of y^2 below what the entries explain");
	put32(b + 72, 32);			/* the merged entry's sum moved to 2^1024 */
	put64(b + 80, 1);
	EXPECT(FP_BAD_SUM_SQUARES, "a sum of y of 2^1024 that the sum of y^2 cannot cover");
	len = craft(b, 3, 4, x, (int64_t[]) {1, 2, 1}, (double[]) {1, 4, 3}, -18);
	EXPECT(FP_BAD_SUM_SQUARES, "negative sum of y^2");
	/* non-canonical exact sums */
	len = craft(b, 3, 4, x, (int64_t[]) {1, 2, 1}, (double[]) {1, 4, 3}, 18);
	put32(b + 16 + 4, 2);		/* y^2 sum: 2 digits, the top one 0 */
	memmove(b + 16 + 16 + 8, b + 16 + 16, len - 32);
	put64(b + 16 + 16, 0);
	len += 8;
	EXPECT(FP_BAD_SUM, "an exact sum with a redundant zero top digit");
	len = craft(b, 3, 4, x, (int64_t[]) {1, 2, 1}, (double[]) {1, 4, 3}, 18);
	put32(b + 16, (uint32_t) -69);	/* y^2 sum below its range */
	EXPECT(FP_BAD_SUM, "an exact sum below the range sums of doubles reach");
	put32(b + 16, (uint32_t) -68);	/* 18 * 2^-2176 is not a multiple of 2^-2148 */
	EXPECT(FP_BAD_SUM, "an exact sum finer than 2^-2148");
	put32(b + 16, 0);
	put32(b + 16 + 4, 200);
	EXPECT(FP_BAD_SUM, "an exact sum with 200 digits");
#undef EXPECT
	{
		unsigned char out[8];
		size_t		l;

		CHECK(fp_text_decode("\\x0g", 4, out, &l, AL) == FP_BAD_TEXT &&
			  fp_text_decode("\\x0", 3, out, &l, AL) == FP_BAD_TEXT &&
			  fp_text_decode("0101", 4, out, &l, AL) == FP_BAD_TEXT &&
			  fp_text_decode("\\xAb", 4, out, &l, AL) == FP_OK && l == 1 && out[0] == 0xab,
			  "text form: bad digits, odd length and a missing \\x rejected; upper case accepted");
	}
}

/* ---- randomized corruption ---- */

/*
 * What the SQL input function does: decode the text, validate; and for
 * every value accepted, what the functions reading a stored value do.
 * Returns whether the bytes were accepted.
 */
static bool
through_input(const unsigned char *buf, size_t len, int k, long *bad_accept)
{
	FpInfo		info;

	unsigned char *canon = malloc(len ? len : 1);
	bool		same;

	if (fp_validate(buf, len, k, &info, AL) != FP_OK)
	{
		free(canon);
		return false;
	}

	/*
	 * accepted: canonical once a y of -0.0 (which 1.1 wrote) is 0.0, so it
	 * re-encodes to that; and fits read it
	 */
	memcpy(canon, buf, len);
	if (info.negative_zero)
		(void) fp_canonical_zero(canon, len, AL);
	same = reencodes_identically(canon, len);
	free(canon);
	if (!same)
	{
		(*bad_accept)++;
		if (*bad_accept <= 3)
		{
			printf("  accepted, re-encodes differently (%zu bytes):", len);
			for (size_t i = 0; i < len && i < 200; i++)
				printf("%s%02x", i % 8 ? "" : " ", buf[i]);
			printf("\n");
		}
	}
	if (info.k <= LL_MAX_INPUTS)
	{
		LogStats	st;
		LogLawSpec	spec;
		LogLawFit	fit;

		if (fp_log_stats(buf, len, &st, AL) != FP_OK)
			(*bad_accept)++;
		else
		{
			log_law_default_spec(&spec, info.k);
			(void) log_law_fit(&st, &spec, &fit);
		}
		ls_free(&st, AL);
	}
	return true;
}

static void
test_corruption(void)
{
	const long	cases = 120000;
	long		accepted = 0,
				rejected = 0,
				truncated_accepted = 0,
				bad_accept = 0,
				text_cases = 0;
	unsigned char *base[SL_MAX_POINT_INPUTS + 1];
	size_t		blen[SL_MAX_POINT_INPUTS + 1];

	for (int k = 1; k <= SL_MAX_POINT_INPUTS; k++)
	{
		PointSet	ps;

		make_rows(&rows_a, k, 60, 12, k == 1);
		point_set_of(&rows_a, 0, rows_a.n, &ps);
		base[k] = encode(&ps, &blen[k]);
		ps_free(&ps, AL);
	}
	for (long c = 0; c < cases; c++)
	{
		int			k = 1 + (int) (c % SL_MAX_POINT_INPUTS);
		/* every other round of k as fit_pointsn reads it: any k */
		int			expect_k = (c / SL_MAX_POINT_INPUTS) % 2 ? 0 : k;
		size_t		len = blen[k],
					mlen = len;
		unsigned char *mut = malloc(len + 64);
		int			kind = (int) (next_u64() % 6);
		bool		ok;

		memcpy(mut, base[k], len);
		if (kind == 0)			/* truncate */
			mlen = (size_t) (next_u64() % len);
		else if (kind == 1)		/* flip 1-4 bytes */
			for (int f = 0; f < 1 + (int) (next_u64() % 4); f++)
				mut[next_u64() % len] ^= (unsigned char) (1 + next_u64() % 255);
		else if (kind == 2)		/* an extreme or random word anywhere */
		{
			static const uint64_t extremes[] = {
				0, 1, 0xffffffffffffffffULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
				0x7ff8000000000000ULL /* NaN */ , 0x7ff0000000000000ULL /* inf */ ,
			0x00000000ffffffffULL, 0x0000000100000000ULL, 0x7fffffff7fffffffULL};
			size_t		at = next_u64() % (len - 4);
			uint64_t	v = next_u64() % 2 ? extremes[next_u64() % 10] : next_u64();

			if (at + 8 <= len)
				put64(mut + at, v);
			else
				put32(mut + at, (uint32_t) v);
		}
		else if (kind == 3)		/* garbage appended */
		{
			mlen = len + 1 + next_u64() % 63;
			for (size_t i = len; i < mlen; i++)
				mut[i] = (unsigned char) next_u64();
		}
		else if (kind == 4)		/* a block copied over another (entries out of order) */
		{
			size_t		a = next_u64() % len,
						b = next_u64() % len,
						n = 1 + next_u64() % 40;

			if (a + n > len)
				n = len - a;
			if (b + n > len)
				n = len - b;
			memmove(mut + b, mut + a, n);
		}
		else					/* the text form, corrupted, through the decoder */
		{
			char	   *text = malloc(2 * len + 3);
			size_t		tl;

			fp_text_encode(base[k], len, text, AL);
			tl = strlen(text);
			if (next_u64() % 2)
				text[next_u64() % tl] = (char) (next_u64() % 256);
			else
				tl = next_u64() % tl;
			text_cases++;
			ok = fp_text_decode(text, tl, mut, &mlen, AL) == FP_OK &&
				through_input(mut, mlen, expect_k, &bad_accept);
			free(text);
			free(mut);
			ok ? accepted++ : rejected++;
			continue;
		}
		ok = through_input(mut, mlen, expect_k, &bad_accept);
		ok ? accepted++ : rejected++;
		truncated_accepted += ok && kind == 0;
		free(mut);
	}
	CHECK(accepted + rejected == cases && truncated_accepted == 0 && bad_accept == 0,
		  "corruption: %ld cases (k = 1..8, half read as any k; %ld through the text decoder), no crash, every truncation rejected, "
		  "every accepted value canonical and readable (%ld rejected, %ld still valid)",
		  cases, text_cases, rejected, accepted);
	if (truncated_accepted || bad_accept)
		printf("  truncated accepted %ld, accepted but not canonical or unreadable %ld\n", truncated_accepted, bad_accept);
	for (int k = 1; k <= SL_MAX_POINT_INPUTS; k++)
		free(base[k]);
}

void		test_fit_points(void);
void		test_store(void);

void
test_fit_points(void)
{
	test_round_trip_and_order();
	test_sums_beyond_double();
	test_log_stats();
	test_rejections();
	test_corruption();
	test_store();
}
