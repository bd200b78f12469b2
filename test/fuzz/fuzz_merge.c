/*
 * fuzz_merge -- merge_fit_points(a, b) of two stored values.  The input is
 * u16 split (little-endian), then the bytes of a and b: a is the first
 * split % (rest + 1) bytes of the rest.
 *
 * When both validate and hold the same k (SQL refuses other pairs), the
 * merge either fails with a documented error (row counts beyond bigint; a
 * sum of y beyond the float8 range, FP_SUM_RANGE) or gives a value that
 * validates, holds na + nb rows and between max(ma, mb) and ma + mb
 * distinct points, is the same bytes for merge(b, a), leaves a unchanged
 * when b is empty, and whose log-law statistics are those of a and b
 * merged (fit_log_law gives the same bits either way).
 */
#include "fuzz_common.h"

/*
 * The merge of two valid values the way the aggregate merge_fit_points
 * does it: both into one point set (hash and log), then its canonical
 * bytes, validated.  Returns the status; *out is malloc'd when FP_OK.
 */
static FpStatus
merge_via_point_set(const uint8_t *a, size_t la, const uint8_t *b, size_t lb,
					unsigned char **out, size_t *lout)
{
	PointSet	ps,
				tmp;
	PsStatus	pst;
	FpStatus	st;
	FpInfo		info;

	*out = NULL;
	FUZZ_CHECK(fp_to_point_set(a, la, &ps, AL) == FP_OK, "a: fp_to_point_set");
	FUZZ_CHECK(fp_to_point_set(b, lb, &tmp, AL) == FP_OK, "b: fp_to_point_set");
	pst = ps_merge(&ps, &tmp, AL);
	ps_free(&tmp, AL);
	if (pst != PS_OK)
	{
		FUZZ_CHECK(pst != PS_NO_MEMORY, "ps_merge: no memory");
		ps_free(&ps, AL);
		return pst == PS_COUNT_RANGE ? FP_COUNT_RANGE : FP_TOO_MANY_ENTRIES;
	}
	FUZZ_CHECK(ps_sort_log(&ps, AL) == PS_OK, "ps_sort_log");
	st = fp_from_point_set(&ps, out, lout, AL);
	ps_free(&ps, AL);
	FUZZ_CHECK(st == FP_OK, "fp_from_point_set returned %d", (int) st);
	st = fp_validate(*out, *lout, 0, &info, AL);
	if (st != FP_OK)
	{
		free(*out);
		*out = NULL;
	}
	return st;
}

/*
 * The merge as merge_fit_points(a, b) does it: one linear pass over the
 * two values (fp_merge), which must give the point set's bytes exactly,
 * and a value that validates (merges of valid values are valid).
 */
static FpStatus
merge_values(const uint8_t *a, size_t la, const uint8_t *b, size_t lb,
			 unsigned char **out, size_t *lout)
{
	unsigned char *ps_out;
	size_t		ps_len;
	FpStatus	ps_st = merge_via_point_set(a, la, b, lb, &ps_out, &ps_len);
	FpStatus	st = fp_merge(a, la, b, lb, out, lout, AL);
	FpInfo		info;

	if (st != FP_OK)
		*out = NULL;
	FUZZ_CHECK(st == ps_st || (ps_st == FP_TOO_MANY_ENTRIES && st == FP_OK),
			   "fp_merge status %d, through a point set %d", (int) st, (int) ps_st);
	if (st == FP_OK)
	{
		FUZZ_CHECK(fp_validate(*out, *lout, 0, &info, AL) == FP_OK, "fp_merge's value does not validate");
		if (ps_st == FP_OK)
			FUZZ_CHECK(ps_len == *lout && memcmp(ps_out, *out, ps_len) == 0,
					   "fp_merge and the point set give different bytes");
	}
	free(ps_out);
	return st;
}

/*
 * The log-law statistics of merge(a, b) are those of a plus those of b
 * (the data range: a's merged with b's, exactly): compared as the fit reads them (each exact sum as a double-double), so
 * fit_log_law gives the same bits either way.
 */
static void
check_log_stats(const uint8_t *a, size_t la, const uint8_t *b, size_t lb,
				const unsigned char *c, size_t lc)
{
	LogStats	sa,
				sb,
				sc;

	FUZZ_CHECK(fp_log_stats(a, la, &sa, AL) == FP_OK, "a: fp_log_stats");
	FUZZ_CHECK(fp_log_stats(b, lb, &sb, AL) == FP_OK, "b: fp_log_stats");
	FUZZ_CHECK(fp_log_stats(c, lc, &sc, AL) == FP_OK, "merged: fp_log_stats");
	FUZZ_CHECK(ls_merge(&sa, &sb, AL), "ls_merge");
	FUZZ_CHECK(sa.n == sc.n, "log-law rows %lld vs %lld", (long long) sa.n, (long long) sc.n);
	FUZZ_CHECK(memcmp(sa.x_min, sc.x_min, sizeof(sa.x_min)) == 0 &&
			   memcmp(sa.x_max, sc.x_max, sizeof(sa.x_max)) == 0,
			   "log-law data range of merge(a, b) is not a's merged with b's");
	for (int i = 0; i < ls_n_sums(sa.k); i++)
	{
		double		hi_ab,
					lo_ab,
					hi_c,
					lo_c;

		xs_value_dd(&sa.s[i], &hi_ab, &lo_ab);
		xs_value_dd(&sc.s[i], &hi_c, &lo_c);
		FUZZ_CHECK(memcmp(&hi_ab, &hi_c, 8) == 0 && memcmp(&lo_ab, &lo_c, 8) == 0,
				   "log-law sum %d of merge(a, b) is %.17g%+.17g, a's plus b's %.17g%+.17g",
				   i, hi_c, lo_c, hi_ab, lo_ab);
	}
	ls_free(&sa, AL);
	ls_free(&sb, AL);
	ls_free(&sc, AL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a,
			   *b;
	size_t		la,
				lb;
	FpInfo		ia,
				ib,
				ic;
	unsigned char *ab = NULL,
			   *ba = NULL;
	size_t		lab,
				lba;
	FpStatus	st,
				st2;
	int64_t		n_sum;
	uint8_t    *copy_a,
			   *copy_b;

	if (size < 2)
		return 0;
	la = (size_t) (data[0] | data[1] << 8) % (size - 2 + 1);
	lb = size - 2 - la;
	/* exact-size copies: ASan sees an over-read of either */
	copy_a = malloc(la ? la : 1);
	copy_b = malloc(lb ? lb : 1);
	memcpy(copy_a, data + 2, la);
	memcpy(copy_b, data + 2 + la, lb);
	a = copy_a;
	b = copy_b;
	if (fp_validate(a, la, 0, &ia, AL) != FP_OK || fp_validate(b, lb, 0, &ib, AL) != FP_OK ||
		ia.k != ib.k)
		goto done;

	st = merge_values(a, la, b, lb, &ab, &lab);
	st2 = merge_values(b, lb, a, la, &ba, &lba);
	FUZZ_CHECK(st == st2, "merge(a, b) status %d, merge(b, a) %d", (int) st, (int) st2);
	if (__builtin_add_overflow(ia.n, ib.n, &n_sum))
	{
		int64_t		n_merged = 0;

		if (ab)
			memcpy(&n_merged, ab + 8, 8);
		FUZZ_CHECK(st != FP_OK, "rows %lld + %lld overflow bigint, yet the merge gave a value of %lld rows",
				   (long long) ia.n, (long long) ib.n, (long long) n_merged);
		goto done;
	}
	/* documented error: more points than a value holds */
	if (st == FP_TOO_MANY_ENTRIES && (int64_t) ia.m + ib.m > PS_MAX_ENTRIES)
		goto done;
	FUZZ_CHECK(st == FP_OK, "merged value does not validate: %s", fp_status_detail(st));
	FUZZ_CHECK(lab == lba && memcmp(ab, ba, lab) == 0, "merge(a, b) != merge(b, a)");
	FUZZ_CHECK(fp_validate(ab, lab, ia.k, &ic, AL) == FP_OK, "merged: k");
	FUZZ_CHECK(ic.n == n_sum, "merged rows %lld, expected %lld", (long long) ic.n,
			   (long long) n_sum);
	FUZZ_CHECK(ic.m >= (ia.m > ib.m ? ia.m : ib.m) && (int64_t) ic.m <= (int64_t) ia.m + ib.m,
			   "merged distinct %d from %d and %d", (int) ic.m, (int) ia.m, (int) ib.m);
	if (ib.n == 0)
		FUZZ_CHECK(lab == la && memcmp(ab, a, la) == 0, "merge with an empty value changed a");
	if (ia.k <= 2)
		check_log_stats(a, la, b, lb, ab, lab);
done:
	free(ab);
	free(ba);
	free(copy_a);
	free(copy_b);
	return 0;
}
