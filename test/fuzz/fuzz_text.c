/*
 * fuzz_text -- the text input path of a stored value (fit_points_in):
 * fp_text_decode, then fp_validate of the bytes.
 *
 * Invariants: a decoded text is "\x" and an even number of hex digits and
 * gives half as many bytes; encoding them again gives the input back (in
 * lower case); a value that validates reports the counts of its header,
 * validates again for its own k and never for another.
 */
#include <ctype.h>

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	/* what points_in allocates: tlen / 2 + 1 bytes */
	unsigned char *buf = malloc(size / 2 + 1);
	size_t		len;
	FpStatus	st;
	FpInfo		info;

	st = fp_text_decode(text, size, buf, &len, AL);
	if (st != FP_OK)
	{
		FUZZ_CHECK(st == FP_BAD_TEXT, "fp_text_decode returned %d", (int) st);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(size >= 2 && size % 2 == 0 && len == (size - 2) / 2,
			   "decoded %zu bytes from %zu characters", len, size);
	{
		char	   *again = malloc(2 * len + 3);

		fp_text_encode(buf, len, again, AL);
		FUZZ_CHECK(strlen(again) == size, "re-encoded length %zu, input %zu", strlen(again), size);
		for (size_t i = 0; i < size; i++)
			FUZZ_CHECK(again[i] == (i < 2 ? text[i] : tolower((unsigned char) text[i])),
					   "re-encoded text differs at %zu", i);
		free(again);
	}

	st = fp_validate(buf, len, 0, &info, AL);
	if (st == FP_OK)
	{
		int32_t		m;
		int64_t		n;
		FpInfo		again;

		memcpy(&m, buf + 4, 4);
		memcpy(&n, buf + 8, 8);
		FUZZ_CHECK(info.k == buf[1] && info.k >= 1 && info.k <= SL_MAX_POINT_INPUTS, "k %d", info.k);
		FUZZ_CHECK(info.m == m && info.n == n && m >= 0 && m <= n && (m == 0) == (n == 0),
				   "m %d n %lld", (int) info.m, (long long) info.n);
		FUZZ_CHECK(fp_validate(buf, len, info.k, &again, AL) == FP_OK, "own k refused");
		for (int k = 1; k <= SL_MAX_POINT_INPUTS; k++)
			if (k != info.k)
				FUZZ_CHECK(fp_validate(buf, len, k, &again, AL) == FP_K_MISMATCH,
						   "k %d accepted", k);
	}
	else
		FUZZ_CHECK(st != FP_NO_MEMORY && st != FP_BAD_TEXT, "fp_validate returned %d", (int) st);
	free(buf);
	return 0;
}
