/*
 * fit_points.h -- the storable form of a group's points (the SQL types
 * fit_points, fit_points2, fit_points3 and fit_pointsn): a canonical,
 * versioned, validated byte string holding exactly what the fits need.
 *
 * Format, version 1.  All integers little-endian two's complement, all
 * float8 IEEE 754 binary64 little-endian, no padding:
 *
 *   offset 0  u8   version (1)
 *          1  u8   k, inputs per point (1..8; 1..3 before version 1.3
 *                    of the extension, whose values read unchanged)
 *          2  u16  flags, zero
 *          4  i32  m, distinct input tuples (entries), 0 <= m <= n
 *          8  i64  n, rows (n = 0 exactly when m = 0)
 *         16  exact sum of y^2 over all n rows (format below)
 *             then m entries, in strictly increasing lexicographic order
 *             of their inputs (no duplicates):
 *               k x float8   inputs, finite and > 0
 *               i64          w, rows with these inputs, >= 1 (sum of w = n)
 *               w = 1:  float8 y (finite; 0.0, never -0.0, is written)
 *               w > 1:  exact sum of the w values of y
 *
 * An exact sum is a fixed-point integer in base 2^32 whose digit i weighs
 * 2^(32 (lo + i)): i32 lo, i32 d (digits), d x i64 digits, lowest first.
 * It is stored in its unique minimal form: zero is (lo 0, d 0); otherwise
 * the lowest digit is not zero, every digit but the highest lies in
 * [0, 2^32), the highest lies in [-2^31, 2^31) (two's complement sign) and
 * could not be dropped (it is not the sign extension of the digit below).
 * Sums of y lie in digits [-34, 34], sums of y^2 in [-68, 67] and are
 * multiples of 2^-1074 and 2^-2148: the ranges sums of finite doubles can
 * reach (a sum of y of up to 2^63 rows may exceed the float8 range: its
 * mean does not, and readers scale it first).
 * The sum of y^2, Y2, is below n 2^2048 (n rows of finite y stay below
 * n DBL_MAX^2), equals the sum of y^2 of the entries exactly when every
 * entry holds one row, and otherwise is not below the part the entries
 * explain: with g = 2^max(-2148, (top bit of Y2) - 120) and F the floor of
 * S^2 / (w g) for each entry of w > 1 rows whose y sum to S,
 *     Y2 - (sum of y^2 of single-row entries) + (n - m) g >= g (sum of F),
 * decided exactly.  Rows always satisfy it and merges preserve it (see
 * fit_points.c), so a merge of valid values is valid.
 *
 * Because the form is canonical, equal multisets of rows give equal bytes
 * whatever the order they were added or merged in.  The text form is "\x"
 * followed by the bytes in lower-case hex.
 *
 * Every reader here checks lengths before it reads: no function reads
 * past len, and a value fp_validate accepts is safe for every other
 * function of this file.
 */
#ifndef FIT_POINTS_H
#define FIT_POINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log_law.h"
#include "point_set.h"
#include "sl_alloc.h"

#define FP_FORMAT_VERSION 1
#define FP_HEADER_SIZE 16

/*
 * The largest value the SQL functions build (input, receive, the
 * aggregates, merges).  Its text form, which pg_dump and COPY write, takes
 * 2 characters a byte plus 3 (\\x in COPY's escaping): 1,000,000,003 of
 * PostgreSQL's 1,073,741,823 per row, leaving 73 MB for the other columns
 * of the row.  Larger values stored by 1.1 are still read.
 */
#define FP_MAX_VALUE_BYTES 500000000

typedef enum FpStatus
{
	FP_OK = 0,
	FP_NO_MEMORY,
	FP_TRUNCATED,				/* shorter than its header or entries say */
	FP_TRAILING,				/* bytes after the last entry */
	FP_BAD_VERSION,
	FP_BAD_K,					/* k outside 1..SL_MAX_POINT_INPUTS */
	FP_K_MISMATCH,				/* k is not the one the type holds */
	FP_BAD_FLAGS,
	FP_BAD_COUNTS,				/* m, n negative or inconsistent */
	FP_TOO_MANY_ENTRIES,		/* more entries than the bytes can hold */
	FP_BAD_INPUT,				/* an input not finite, or -0.0 (not canonical) */
	FP_UNSORTED,				/* entries not in strictly increasing order */
	FP_BAD_WEIGHT,				/* w < 1, or the w do not add up to n */
	FP_BAD_Y,					/* a single y not finite */
	FP_BAD_SUM,					/* an exact sum not in canonical form or range */
	FP_BAD_SUM_SQUARES,			/* the sum of y^2 disagrees with the entries */
	FP_BAD_TEXT,				/* text form is not \x and hex digits */
	FP_COUNT_RANGE,				/* a merge would hold more than 2^63 - 1 rows */
	FP_NOT_POSITIVE				/* an input <= 0 where a type needs positive ones (see FpInfo) */
} FpStatus;

/* a full sentence for errdetail */
extern const char *fp_status_detail(FpStatus st);

/* what fp_validate learns of a value */
typedef struct FpInfo
{
	int			k;
	int32_t		m;
	int64_t		n;
	bool		negative_zero;	/* a single y is -0.0 (written by 1.1; see fp_canonical_zero) */
	/*
	 * Some input is <= 0.  The format holds any finite input (formula laws
	 * take any sign); the types of the power and log laws' values, whose
	 * laws take logarithms, hold positive ones: FP_NOT_POSITIVE.
	 */
	bool		nonpositive;
} FpInfo;

/*
 * Checks everything the format says.  expect_k 0 accepts any k.  Does not
 * allocate more than a few small exact sums (through al).
 */
extern FpStatus fp_validate(const unsigned char *buf, size_t len, int expect_k,
							FpInfo *info, const SlAlloc *al);

/*
 * A validated value in canonical form, in place: a single y of -0.0 (which
 * version 1.1 wrote for rows of y = -0.0, and readers still accept)
 * becomes 0.0.  Returns the number of y changed.
 */
extern int64_t fp_canonical_zero(unsigned char *buf, size_t len, const SlAlloc *al);

/*
 * Canonical bytes of a point set (the aggregate's state; logged rows are
 * merged on the way, ps is not changed).  *out is allocated with al.
 */
extern FpStatus fp_from_point_set(const PointSet *ps, unsigned char **out, size_t *len,
								  const SlAlloc *al);

/*
 * The canonical value of the rows of two validated values of the same k,
 * in one pass over both (their entries are in order): what merging their
 * point sets gives, byte for byte.  FP_COUNT_RANGE past 2^63 - 1 rows.
 * *out is allocated with al.
 */
extern FpStatus fp_merge(const unsigned char *a, size_t la, const unsigned char *b, size_t lb,
						 unsigned char **out, size_t *len, const SlAlloc *al);

/* the point set of a validated value (ps_init is done here) */
extern FpStatus fp_to_point_set(const unsigned char *buf, size_t len, PointSet *ps,
								const SlAlloc *al);

/*
 * The points a fit sees of a validated value (what ps_sorted gives for its
 * rows, bit for bit), in one pass without a point set.  Free with
 * ps_sorted_free.
 */
extern FpStatus fp_sorted_points(const unsigned char *buf, size_t len, SortedPoints *out,
								 const SlAlloc *al);

/*
 * The log law's sufficient statistics of a validated value with k <= 2:
 * exactly the sums ls_add forms from the rows themselves (see fit_points.c
 * for why they are equal), so log_law_fit gives the same bits.
 */
extern FpStatus fp_log_stats(const unsigned char *buf, size_t len, LogStats *st,
							 const SlAlloc *al);

/*
 * text form: "\x" and 2 len hex digits; out has room for 2 len + 3 (al
 * only for its interrupt hook, as in fp_text_decode)
 */
extern void fp_text_encode(const unsigned char *buf, size_t len, char *out, const SlAlloc *al);
/*
 * Parses the text form (text has tlen characters, no terminator needed)
 * into out, which has room for tlen / 2 bytes.
 */
extern FpStatus fp_text_decode(const char *text, size_t tlen, unsigned char *out,
							   size_t *len, const SlAlloc *al);

#endif
