/*
 * fuzz_binary -- the binary input path of a stored value (fit_points_recv,
 * and every function that reads a stored value): fp_validate and, for a
 * value it accepts, everything that reads one.
 *
 * Invariants for a valid value: the header's counts are what validation
 * reports; no strict prefix validates and a trailing byte is refused;
 * fp_to_point_set gives n rows, and ps_sorted m distinct points in strictly
 * increasing order with finite means and weights adding up to n;
 * re-encoding the point set (also after a round trip through the parallel
 * state's serial form, ps_serialize) gives back the same bytes, since a
 * value is canonical; the text form decodes to the same bytes; for k <= 2,
 * fp_log_stats succeeds with n rows.
 */
#include <math.h>

#include "fuzz_common.h"

/*
 * The value of ps is the input's, byte for byte, but for a single y of
 * -0.0 (accepted from values 1.1 wrote), which is written as 0.0.
 */
static void
check_reencodes(const uint8_t *data, size_t size, const PointSet *ps, const char *what)
{
	unsigned char *again;
	size_t		len;
	FpStatus	st = fp_from_point_set(ps, &again, &len, AL);
	unsigned char *canonical = malloc(size ? size : 1);

	memcpy(canonical, data, size);
	(void) fp_canonical_zero(canonical, size, AL);
	FUZZ_CHECK(st == FP_OK, "%s: fp_from_point_set returned %d", what, (int) st);
	FUZZ_CHECK(len == size && memcmp(again, canonical, size) == 0,
			   "%s: re-encoded value differs from the canonical input (%zu bytes vs %zu)",
			   what, len, size);
	free(canonical);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FpInfo		info;
	FpStatus	st = fp_validate(data, size, 0, &info, AL);
	PointSet	ps;
	SortedPoints sp;
	int32_t		m;
	int64_t		n;

	if (st != FP_OK)
	{
		FUZZ_CHECK(st != FP_NO_MEMORY && st != FP_BAD_TEXT, "fp_validate returned %d", (int) st);
		return 0;
	}
	memcpy(&m, data + 4, 4);
	memcpy(&n, data + 8, 8);
	FUZZ_CHECK(info.k == data[1] && info.k >= 1 && info.k <= SL_MAX_POINT_INPUTS, "k %d", info.k);
	FUZZ_CHECK(info.m == m && info.n == n && m >= 0 && m <= n && (m == 0) == (n == 0),
			   "m %d n %lld", (int) info.m, (long long) info.n);

	/* self-delimiting: exact-size copies, so ASan sees any over-read */
	{
		uint8_t    *shorter = malloc(size - 1);
		uint8_t    *longer = malloc(size + 1);
		FpInfo		other;

		memcpy(shorter, data, size - 1);
		memcpy(longer, data, size);
		longer[size] = 0;
		FUZZ_CHECK(fp_validate(shorter, size - 1, 0, &other, AL) != FP_OK, "a prefix validates");
		FUZZ_CHECK(fp_validate(longer, size + 1, 0, &other, AL) == FP_TRAILING, "trailing byte");
		free(shorter);
		free(longer);
	}

	st = fp_to_point_set(data, size, &ps, AL);
	FUZZ_CHECK(st == FP_OK, "fp_to_point_set returned %d", (int) st);
	FUZZ_CHECK(ps.k == info.k && ps.n_rows == n, "point set k %d rows %lld", ps.k,
			   (long long) ps.n_rows);

	FUZZ_CHECK(ps_sorted(&ps, &sp, AL) == PS_OK, "ps_sorted failed");
	FUZZ_CHECK(sp.m == m && sp.n_rows == n, "sorted m %d rows %lld", (int) sp.m,
			   (long long) sp.n_rows);
	{
		double		w_total = 0.0;

		for (int32_t i = 0; i < sp.m; i++)
		{
			FUZZ_CHECK(sp.w[i] >= 1.0 && isfinite(sp.y[i]), "point %d: w %g y %g", (int) i,
					   sp.w[i], sp.y[i]);
			if (i > 0)
				FUZZ_CHECK(ps_cmp_inputs(&sp.x[(size_t) (i - 1) * sp.k],
										 &sp.x[(size_t) i * sp.k], sp.k) < 0,
						   "points %d and %d not in increasing order", (int) i - 1, (int) i);
			w_total += sp.w[i];
		}
		/* the weights are exact as doubles below 2^53 rows */
		if (n < ((int64_t) 1 << 53))
			FUZZ_CHECK(w_total == (double) n, "weights add up to %.17g, rows %lld", w_total,
					   (long long) n);
		FUZZ_CHECK(sp.ss_within >= 0.0 && !isnan(sp.ss_within), "ss_within %g", sp.ss_within);
	}
	ps_sorted_free(&sp, AL);

	check_reencodes(data, size, &ps, "point set");

	/* the serial form the aggregates' parallel states travel in */
	{
		size_t		slen = ps_serial_size(&ps, AL);
		unsigned char *sbuf = malloc(slen);
		PointSet	back;
		PsStatus	pst;

		ps_serialize(&ps, sbuf, AL);
		pst = ps_deserialize(&back, sbuf, slen, AL);
		FUZZ_CHECK(pst == PS_OK, "ps_deserialize returned %d", (int) pst);
		check_reencodes(data, size, &back, "serialised state");
		ps_free(&back, AL);
		free(sbuf);
	}
	ps_free(&ps, AL);

	/* text form */
	{
		char	   *text = malloc(2 * size + 3);
		unsigned char *dec = malloc(size + 1);
		size_t		dlen;

		fp_text_encode(data, size, text, AL);
		FUZZ_CHECK(fp_text_decode(text, strlen(text), dec, &dlen, AL) == FP_OK &&
				   dlen == size && memcmp(dec, data, size) == 0, "text round trip");
		free(text);
		free(dec);
	}

	if (info.k <= 2)
	{
		LogStats	ls;

		st = fp_log_stats(data, size, &ls, AL);
		FUZZ_CHECK(st == FP_OK, "fp_log_stats returned %d", (int) st);
		FUZZ_CHECK(ls.k == info.k && ls.n == n, "log stats k %d n %lld", ls.k, (long long) ls.n);
		ls_free(&ls, AL);
	}
	return 0;
}
