/*
 * fit_points.c -- the canonical byte form of a group's points: validation,
 * conversion from and to a PointSet, the log law's statistics, and the
 * text form.  See fit_points.h for the format.
 */
#include "fit_points.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


#define DIGIT_BASE ((int64_t) 1 << 32)
#define DIGIT_HALF ((int64_t) 1 << 31)

/* digit ranges (and the exponent of the lowest bit) sums of doubles reach */
#define SUM_Y_MIN_DIGIT (-34)
#define SUM_Y_MAX_DIGIT 34
#define SUM_Y_LSB (-1074)
#define SUM_YY_MIN_DIGIT (-68)
#define SUM_YY_MAX_DIGIT 67
#define SUM_YY_LSB (-2148)
#define MAX_SUM_DIGITS (SUM_YY_MAX_DIGIT - SUM_YY_MIN_DIGIT + 1)

const char *
fp_status_detail(FpStatus st)
{
	switch (st)
	{
		case FP_OK:
			return "The value is valid.";
		case FP_NO_MEMORY:
			return "Out of memory.";
		case FP_TRUNCATED:
			return "The value is shorter than its header and entries require.";
		case FP_TRAILING:
			return "The value has bytes after its last entry.";
		case FP_BAD_VERSION:
			return "The format version is not 1.";
		case FP_BAD_K:
			return "The number of inputs is not between 1 and 8.";
		case FP_K_MISMATCH:
			return "The number of inputs is not the one this type holds.";
		case FP_BAD_FLAGS:
			return "The reserved flags are not zero.";
		case FP_BAD_COUNTS:
			return "The counts of entries and rows are negative or inconsistent.";
		case FP_TOO_MANY_ENTRIES:
			return "The value declares more entries than its length can hold.";
		case FP_BAD_INPUT:
			return "An input is not finite, or is -0.";
		case FP_NOT_POSITIVE:
			return "An input is not positive: values of fit_points, fit_points2 and fit_points3 hold positive inputs.";
		case FP_UNSORTED:
			return "The entries are not in strictly increasing order of their inputs.";
		case FP_BAD_WEIGHT:
			return "A row count is below 1 or the row counts do not add up to the rows of the value.";
		case FP_BAD_Y:
			return "A value of y is not finite.";
		case FP_BAD_SUM:
			return "An exact sum is not in canonical form or out of range.";
		case FP_BAD_SUM_SQUARES:
			return "The sum of squares of y disagrees with the entries.";
		case FP_BAD_TEXT:
			return "The text form is \\x followed by an even number of hexadecimal digits.";
		case FP_COUNT_RANGE:
			return "The row count is out of range for type bigint.";
	}
	return "Unknown status.";
}

/* ---- little-endian access ---- */

static inline uint64_t
ld_u64(const unsigned char *p)
{
	uint64_t	v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline int64_t
ld_i64(const unsigned char *p)
{
	return (int64_t) ld_u64(p);
}

static inline int32_t
ld_i32(const unsigned char *p)
{
	uint32_t	v = (uint32_t) p[0] | (uint32_t) p[1] << 8 |
		(uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;

	return (int32_t) v;
}

static inline double
ld_f64(const unsigned char *p)
{
	uint64_t	u = ld_u64(p);
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

static inline void
st_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (unsigned char) (v & 0xff);
}

static inline void
st_i32(unsigned char *p, int32_t v)
{
	uint32_t	u = (uint32_t) v;

	for (int i = 0; i < 4; i++, u >>= 8)
		p[i] = (unsigned char) (u & 0xff);
}

static inline void
st_f64(unsigned char *p, double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	st_u64(p, u);
}

/* ---- exact sums in canonical form ---- */

/* a canonical sum inside a value: digits stay in the buffer */
typedef struct SumView
{
	int32_t		lo;
	int32_t		nd;
	const unsigned char *dig;	/* nd little-endian i64 */
} SumView;

static inline int64_t
view_digit(const SumView *v, int i)
{
	return ld_i64(v->dig + 8 * (size_t) i);
}

/*
 * Reads a canonical sum at buf[*off] with digits in [min_digit, max_digit]
 * and a multiple of 2^lsb.  Never reads past len.
 */
static FpStatus
read_sum(const unsigned char *buf, size_t len, size_t *off, int min_digit,
		 int max_digit, int lsb, SumView *v)
{
	size_t		o = *off;
	int64_t		top;

	if (len - o < 8)
		return FP_TRUNCATED;
	v->lo = ld_i32(buf + o);
	v->nd = ld_i32(buf + o + 4);
	v->dig = buf + o + 8;
	if (v->nd < 0 || v->nd > max_digit - min_digit + 1)
		return FP_BAD_SUM;
	if ((len - o - 8) / 8 < (size_t) v->nd)
		return FP_TRUNCATED;
	*off = o + 8 + 8 * (size_t) v->nd;
	if (v->nd == 0)
		return v->lo == 0 ? FP_OK : FP_BAD_SUM;
	if (v->lo < min_digit || v->lo > max_digit - v->nd + 1)
		return FP_BAD_SUM;
	for (int i = 0; i < v->nd - 1; i++)
	{
		int64_t		d = view_digit(v, i);

		if (d < 0 || d >= DIGIT_BASE)
			return FP_BAD_SUM;
	}
	top = view_digit(v, v->nd - 1);
	if (top < -DIGIT_HALF || top >= DIGIT_HALF)
		return FP_BAD_SUM;
	if (view_digit(v, 0) == 0)
		return FP_BAD_SUM;		/* lowest digit zero: lo not minimal */
	if (v->nd >= 2)
	{
		int64_t		below = view_digit(v, v->nd - 2);

		if ((top == 0 && below < DIGIT_HALF) || (top == -1 && below >= DIGIT_HALF))
			return FP_BAD_SUM;	/* the top digit is a sign extension */
	}
	/* a multiple of 2^lsb, as every sum of (products of) doubles is */
	if (32 * v->lo < lsb)
	{
		int			shift = lsb - 32 * v->lo;
		uint64_t	d0 = (uint64_t) view_digit(v, 0);

		if (shift >= 32 || (d0 & (((uint64_t) 1 << shift) - 1)) != 0)
			return FP_BAD_SUM;
	}
	return FP_OK;
}

static bool
view_negative(const SumView *v)
{
	return v->nd > 0 && view_digit(v, v->nd - 1) < 0;
}

/* a view as an ExactSum whose digits live in dig (no allocation) */
static void
view_xs(const SumView *v, ExactSum *xs, int64_t *dig)
{
	for (int i = 0; i < v->nd; i++)
		dig[i] = view_digit(v, i);
	xs_init(xs);
	xs->lo = v->lo;
	xs->n = v->nd;
	xs->cap = v->nd;
	xs->dig = dig;
}

/* the value of a view times 2^shift as a double-double, as xs_value_dd_scaled reads it */
static void
view_value_dd_scaled(const SumView *v, int shift, double *hi, double *lo)
{
	int64_t		dig[MAX_SUM_DIGITS];
	ExactSum	xs;

	view_xs(v, &xs, dig);
	xs_value_dd_scaled(&xs, shift, hi, lo);
}

static int
view_ilogb(const SumView *v)
{
	int64_t		dig[MAX_SUM_DIGITS];
	ExactSum	xs;

	view_xs(v, &xs, dig);
	return xs_ilogb(&xs);
}

/* an ExactSum holding the value of a view */
static FpStatus
view_to_xs(const SumView *v, ExactSum *xs, const SlAlloc *al)
{
	unsigned char tmp[8 + 8 * MAX_SUM_DIGITS];
	int32_t		hdr[2] = {v->lo, v->nd};
	bool		nomem;

	memcpy(tmp, hdr, 8);
	for (int i = 0; i < v->nd; i++)
	{
		int64_t		d = view_digit(v, i);

		memcpy(tmp + 8 + 8 * (size_t) i, &d, 8);
	}
	if (xs_deserialize(xs, tmp, 8 + 8 * (size_t) v->nd, al, &nomem) == 0)
		return nomem ? FP_NO_MEMORY : FP_BAD_SUM;
	return FP_OK;
}

/*
 * Canonical form of propagated digits d[0..*nd) (all but the top in
 * [0, 2^32), the top any int64); d has room for *nd + 1 digits.
 */
static void
canonical_digits(int64_t *d, int32_t *lo, int32_t *nd)
{
	int32_t		n = *nd;
	int32_t		s = 0;

	if (n > 0 && (d[n - 1] < -DIGIT_HALF || d[n - 1] >= DIGIT_HALF))
	{
		int64_t		t = d[n - 1];

		d[n - 1] = t & (DIGIT_BASE - 1);
		d[n] = t >> 32;			/* |t| < 2^63: now within [-2^31, 2^31) */
		n++;
	}
	while (n >= 2)
	{
		if (d[n - 1] == 0 && d[n - 2] < DIGIT_HALF)
			n--;
		else if (d[n - 1] == -1 && d[n - 2] >= DIGIT_HALF)
		{
			d[n - 2] -= DIGIT_BASE;
			n--;
		}
		else
			break;
	}
	while (s < n && d[s] == 0)
		s++;
	if (s == n)
	{
		*lo = 0;
		*nd = 0;
		return;
	}
	if (s > 0)
		memmove(d, d + s, sizeof(int64_t) * (size_t) (n - s));
	*lo += s;
	*nd = n - s;
}

/*
 * Reads a sum in ExactSum's own serialised form (host order, int32 lo,
 * int32 n, n int64 propagated digits) at src and makes it canonical.
 * Returns the bytes read.
 */
static size_t
canonical_from_xs_bytes(const unsigned char *src, int64_t *d, int32_t *lo, int32_t *nd)
{
	int32_t		hdr[2];

	memcpy(hdr, src, 8);
	*lo = hdr[0];
	*nd = hdr[1];
	memcpy(d, src + 8, 8 * (size_t) hdr[1]);
	canonical_digits(d, lo, nd);
	return 8 + 8 * (size_t) hdr[1];
}

static size_t
put_sum(unsigned char *out, const int64_t *d, int32_t lo, int32_t nd)
{
	st_i32(out, lo);
	st_i32(out + 4, nd);
	for (int i = 0; i < nd; i++)
		st_u64(out + 8 + 8 * (size_t) i, (uint64_t) d[i]);
	return 8 + 8 * (size_t) nd;
}

/* ---- the sum of y^2 against the entries ----
 *
 * Within an entry of w rows whose y add up to S, the sum of y^2 is at least
 * S^2 / w (Cauchy-Schwarz).  So a value must have
 *
 *     Y2 >= (sum of y^2 over single-row entries) + (sum over entries of S^2 / w).
 *
 * This is checked exactly, in integers, at a granularity g = 2^G that
 * follows the magnitude of Y2 (G = max(-2148, top bit of Y2 - 120)): each
 * S^2 / w is rounded down to a multiple of g, F g, and the check allows a
 * slack of (n - m) g, at most (n - m) 2^-120 of Y2:
 *
 *     Y2 - (sum of single y^2) + (n - m) g >= g (sum of F).          (*)
 *
 * Rows always satisfy (*).  And (*) survives merging: Y2 and n - m add up,
 * g only grows (with Y2, and F at a coarser g is no larger), and an entry
 * merged from two loses at most one g to the rounding of its F, which the
 * merge pays for with one more row than entry.  So a merge of valid values
 * is valid: whatever fit_points writes from validated values reads back.
 * No double is involved, so no magnitude of y or w escapes the check.
 */

#define SQ_GRANULE_BITS 120		/* g = 2^(top bit of Y2 - this) */
#define SQ_LOWEST_GRANULE (-2148)	/* the unit of sums of squares of doubles */
/* (sum of F) past this cannot be within the bound: rest / g < 2^121, n - m < 2^63 */
#define SQ_F_CAP ((unsigned __int128) 1 << 122)

/* bits in the unsigned integer a[0..n) (base 2^32, lowest first) */
static int
digits_bitlen(const uint32_t *a, int n)
{
	while (n > 0 && a[n - 1] == 0)
		n--;
	if (n == 0)
		return 0;
	return 32 * (n - 1) + (32 - __builtin_clz(a[n - 1]));
}

/* the 64 bits of a[0..n) from bit pos up (bits outside a are zero) */
static uint64_t
digits_bits_at(const uint32_t *a, int n, long pos)
{
	uint64_t	r = 0;

	if (pos < 0)
	{
		if (pos <= -64)
			return 0;
		return digits_bits_at(a, n, 0) << (-pos);
	}
	for (int i = 0; i < 3; i++)
	{
		long		idx = pos / 32 + i;
		int			shift = 32 * i - (int) (pos % 32);

		if (idx >= n)
			break;
		if (shift >= 0)
			r |= shift < 64 ? (uint64_t) a[idx] << shift : 0;
		else
			r |= (uint64_t) a[idx] >> (-shift);
	}
	return r;
}

/* whether a bit of a[0..n) below position pos is set */
static bool
digits_any_below(const uint32_t *a, int n, long pos)
{
	for (long i = 0; i < n && 32 * i < pos; i++)
	{
		long		below = pos - 32 * i;
		uint32_t	mask = below >= 32 ? 0xffffffffu : (((uint32_t) 1 << below) - 1);

		if (a[i] & mask)
			return true;
	}
	return false;
}

/*
 * |v| of the canonical digits d[0..nd) (two's complement across digits) as
 * nd + 1 unsigned digits in mag; returns whether v < 0.
 */
static bool
digits_magnitude(const int64_t *d, int nd, uint32_t *mag)
{
	bool		neg = nd > 0 && d[nd - 1] < 0;
	int64_t		carry = 0;

	for (int i = 0; i <= nd; i++)
	{
		int64_t		t = (i < nd ? (neg ? -d[i] : d[i]) : 0) + carry;

		carry = t >> 32;		/* arithmetic: floor */
		mag[i] = (uint32_t) (t - carry * ((int64_t) 1 << 32));
	}
	return neg;
}

/* G for a sum of y^2 with canonical digits d[0..nd) (non-negative) */
static int
granule_exponent(const int64_t *d, int32_t lo, int32_t nd)
{
	uint32_t	mag[MAX_SUM_DIGITS + 1];
	int			bits;
	int			g;

	(void) digits_magnitude(d, nd, mag);
	bits = digits_bitlen(mag, nd + 1);
	if (bits == 0)
		return SQ_LOWEST_GRANULE;
	g = 32 * lo + bits - 1 - SQ_GRANULE_BITS;
	return g < SQ_LOWEST_GRANULE ? SQ_LOWEST_GRANULE : g;
}

/* (hi 2^64 + lo) / d and its remainder, for hi < d (the quotient fits 64 bits) */
static inline uint64_t
div_128_by_64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
#if defined(__x86_64__)
	uint64_t	q;

	/* one divq: the library's 128-bit division is several times slower */
	__asm__("divq %4" : "=a"(q), "=d"(*rem) : "a"(lo), "d"(hi), "rm"(d));
	return q;
#else
	unsigned __int128 n = ((unsigned __int128) hi << 64) | lo;

	*rem = (uint64_t) (n % d);
	return (uint64_t) (n / d);
#endif
}

/*
 * F = floor(S^2 / (w 2^G)) of a canonical sum S; false when F is at least
 * SQ_F_CAP (the value then fails (*) whatever else it holds).
 */
static bool
floor_square_over(const SumView *s, int64_t w, int G, unsigned __int128 *f)
{
	int64_t		d[MAX_SUM_DIGITS];
	uint32_t	mag[MAX_SUM_DIGITS + 1],
				sq[2 * (MAX_SUM_DIGITS + 1)];
	int			nm = s->nd + 1,
				nq,
				lq;
	long		sh;
	uint64_t	q[3],
				r = 0;

	*f = 0;
	for (int i = 0; i < s->nd; i++)
		d[i] = view_digit(s, i);
	(void) digits_magnitude(d, s->nd, mag);
	while (nm > 0 && mag[nm - 1] == 0)
		nm--;
	nq = 2 * nm;
	memset(sq, 0, sizeof(uint32_t) * (size_t) nq);
	for (int i = 0; i < nm; i++)
	{
		uint64_t	carry = 0;

		for (int j = 0; j < nm; j++)
		{
			/* at most (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1 */
			uint64_t	t = (uint64_t) mag[i] * mag[j] + sq[i + j] + carry;

			sq[i + j] = (uint32_t) t;
			carry = t >> 32;
		}
		sq[i + nm] = (uint32_t) carry;
	}
	/* S^2 = sq 2^(64 lo); D = floor(sq 2^sh) = floor(S^2 / 2^G) */
	lq = digits_bitlen(sq, nq);
	sh = 64L * s->lo - G;
	if (lq == 0 || lq + sh <= 0)
		return true;
	if (lq + sh > 190)
		return false;			/* D >= 2^190, F >= 2^190 / 2^63 */
	for (int i = 2; i >= 0; i--)
	{
		uint64_t	word = digits_bits_at(sq, nq, -sh + 64L * i);

		if (r == 0)
		{
			q[i] = word / (uint64_t) w;
			r = word % (uint64_t) w;
		}
		else
			q[i] = div_128_by_64(r, word, (uint64_t) w, &r);
	}
	if (q[2] != 0)
		return false;
	*f = ((unsigned __int128) q[1] << 64) | q[0];
	return *f < SQ_F_CAP;
}

/*
 * Whether (*) holds: rest = Y2 - (sum of single y^2) in canonical digits,
 * sum_f the sum of F, slack = n - m.
 */
static bool
squares_cover(const int64_t *d, int32_t lo, int32_t nd, int G, unsigned __int128 sum_f,
			  int64_t slack)
{
	uint32_t	mag[XS_MAX_DIGITS + 3];
	bool		neg = digits_magnitude(d, nd, mag);
	int			nm = nd + 1;
	long		p = (long) G - 32L * lo;	/* bit of mag worth 2^G */
	long		bits = digits_bitlen(mag, nm);
	unsigned __int128 r;

	if (!neg)
	{
		/* floor(rest / g) < 2^121 (rest <= Y2); slack fills the rest */
		if (bits - p > 126)
			return true;		/* cannot happen: rest <= Y2 < 2^121 g */
		r = ((unsigned __int128) digits_bits_at(mag, nm, p + 64) << 64) |
			digits_bits_at(mag, nm, p);
		return sum_f <= r + (unsigned __int128) slack;
	}
	/* rest < 0: needs slack >= ceil(|rest| / g) + sum_f */
	if (bits - p > 64)
		return false;
	r = ((unsigned __int128) digits_bits_at(mag, nm, p + 64) << 64) |
		digits_bits_at(mag, nm, p);
	r += digits_any_below(mag, nm, p) ? 1 : 0;
	return r + sum_f <= (unsigned __int128) slack;
}

/* whether a non-negative sum of y^2 is below n 2^2048 (n DBL_MAX^2 bounds rows) */
static bool
squares_in_range(const SumView *yy, int64_t n)
{
	int			top = yy->lo + yy->nd - 1;	/* the highest digit, not 0 */
	unsigned __int128 whole = 0;	/* floor(Y2 / 2^2048): digits 64 and up */

	if (yy->nd == 0 || top < 64)
		return true;			/* Y2 < 2^2048 */
	if (top > 64 + 2)
		return false;			/* Y2 >= 2^(32 * 3) 2^2048, n < 2^63 */
	/* digits 64..top, the absent ones below lo as 0 */
	for (int i = top; i >= 64; i--)
		whole = (whole << 32) | (i >= yy->lo ? (uint64_t) view_digit(yy, i - yy->lo) : 0);
	return whole < (unsigned __int128) n;
}

/* ---- validation ---- */


FpStatus
fp_validate(const unsigned char *buf, size_t len, int expect_k, FpInfo *info,
			const SlAlloc *al)
{
	int			k;
	int32_t		m;
	int64_t		n,
				total = 0;
	size_t		off = FP_HEADER_SIZE,
				entry_min;
	SumView		yy;
	FpStatus	st;
	double		prev[SL_MAX_POINT_INPUTS];
	ExactSum	rest;			/* sum y^2 less the y^2 of single-row entries */
	int			granule;		/* G of (*) */
	unsigned __int128 sum_f = 0;	/* sum of F of (*) */
	bool		any_multi = false;

	memset(info, 0, sizeof(*info));
	if (len < FP_HEADER_SIZE)
		return FP_TRUNCATED;
	if (buf[0] != FP_FORMAT_VERSION)
		return FP_BAD_VERSION;
	k = buf[1];
	if (k < 1 || k > SL_MAX_POINT_INPUTS)
		return FP_BAD_K;
	if (expect_k != 0 && k != expect_k)
		return FP_K_MISMATCH;
	if (buf[2] != 0 || buf[3] != 0)
		return FP_BAD_FLAGS;
	m = ld_i32(buf + 4);
	n = ld_i64(buf + 8);
	if (m < 0 || n < 0 || m > n || (m == 0) != (n == 0))
		return FP_BAD_COUNTS;
	entry_min = 8 * (size_t) k + 16;
	if (len - FP_HEADER_SIZE < 8 || (len - FP_HEADER_SIZE - 8) / entry_min < (size_t) m)
		return FP_TOO_MANY_ENTRIES;
	if ((st = read_sum(buf, len, &off, SUM_YY_MIN_DIGIT, SUM_YY_MAX_DIGIT, SUM_YY_LSB, &yy)) != FP_OK)
		return st;
	if (view_negative(&yy) || !squares_in_range(&yy, n))
		return FP_BAD_SUM_SQUARES;
	{
		int64_t		d[MAX_SUM_DIGITS];

		for (int i = 0; i < yy.nd; i++)
			d[i] = view_digit(&yy, i);
		granule = granule_exponent(d, yy.lo, yy.nd);
	}
	info->k = k;
	info->m = m;
	info->n = n;
	if ((st = view_to_xs(&yy, &rest, al)) != FP_OK)
		return st;
	for (int32_t i = 0; i < m; i++)
	{
		double		x[SL_MAX_POINT_INPUTS];
		int64_t		w;

		if (len - off < 8 * (size_t) k + 8)
		{
			st = FP_TRUNCATED;
			goto done;
		}
		for (int j = 0; j < k; j++)
		{
			x[j] = ld_f64(buf + off + 8 * (size_t) j);
			/* one zero: a -0.0 would make equal points differ in bytes */
			if (!isfinite(x[j]) || (x[j] == 0.0 && signbit(x[j])))
			{
				st = FP_BAD_INPUT;
				goto done;
			}
			if (!(x[j] > 0.0))
				info->nonpositive = true;
		}
		if (i > 0 && ps_cmp_inputs(prev, x, k) >= 0)
		{
			st = FP_UNSORTED;
			goto done;
		}
		memcpy(prev, x, sizeof(double) * k);
		w = ld_i64(buf + off + 8 * (size_t) k);
		off += 8 * (size_t) k + 8;
		if (w < 1 || w > n - total)
		{
			st = FP_BAD_WEIGHT;
			goto done;
		}
		total += w;
		if (w == 1)
		{
			double		y;

			if (len - off < 8)
			{
				st = FP_TRUNCATED;
				goto done;
			}
			y = ld_f64(buf + off);
			off += 8;
			if (!isfinite(y))
			{
				st = FP_BAD_Y;
				goto done;
			}
			if (y == 0.0 && signbit(y))
				info->negative_zero = true;
			if (!xs_add_product(&rest, -y, y, al))
			{
				st = FP_NO_MEMORY;
				goto done;
			}
		}
		else
		{
			SumView		s;
			unsigned __int128 f;

			if ((st = read_sum(buf, len, &off, SUM_Y_MIN_DIGIT, SUM_Y_MAX_DIGIT,
							   SUM_Y_LSB, &s)) != FP_OK)
				goto done;
			if (!floor_square_over(&s, w, granule, &f) || (sum_f += f) >= SQ_F_CAP)
			{
				st = FP_BAD_SUM_SQUARES;
				goto done;
			}
			any_multi = true;
		}
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	if (off != len)
	{
		st = FP_TRAILING;
		goto done;
	}
	if (total != n)
	{
		st = FP_BAD_WEIGHT;
		goto done;
	}

	/*
	 * Sum y^2 against the entries: with single rows only it is known
	 * exactly; otherwise (*) above.
	 */
	{
		int64_t		d[XS_MAX_DIGITS + 2];
		unsigned char tmp[8 + 8 * XS_MAX_DIGITS];
		int32_t		lo,
					nd;

		xs_normalize(&rest);
		xs_serialize(&rest, tmp);
		canonical_from_xs_bytes(tmp, d, &lo, &nd);
		if (!any_multi)
			st = nd == 0 ? FP_OK : FP_BAD_SUM_SQUARES;
		else
			st = squares_cover(d, lo, nd, granule, sum_f, n - m) ? FP_OK : FP_BAD_SUM_SQUARES;
	}
done:
	xs_free(&rest, al);
	return st;
}

int64_t
fp_canonical_zero(unsigned char *buf, size_t len, const SlAlloc *al)
{
	int			k = buf[1];
	int32_t		m = ld_i32(buf + 4);
	size_t		off = FP_HEADER_SIZE;
	SumView		s;
	int64_t		changed = 0;

	(void) read_sum(buf, len, &off, SUM_YY_MIN_DIGIT, SUM_YY_MAX_DIGIT, SUM_YY_LSB, &s);
	for (int32_t i = 0; i < m; i++)
	{
		int64_t		w = ld_i64(buf + off + 8 * (size_t) k);

		off += 8 * (size_t) k + 8;
		if (w == 1)
		{
			if (ld_u64(buf + off) == (uint64_t) 1 << 63)
			{
				st_u64(buf + off, 0);
				changed++;
			}
			off += 8;
		}
		else
			(void) read_sum(buf, len, &off, SUM_Y_MIN_DIGIT, SUM_Y_MAX_DIGIT, SUM_Y_LSB, &s);
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	return changed;
}

/* ---- from a point set ---- */

/*
 * The point set's merged walk (ps_serialize_merged: one entry per input, in
 * increasing order, host byte order, sums as ExactSum writes them)
 * rewritten in the canonical form: little-endian, sums minimal.
 */
FpStatus
fp_from_point_set(const PointSet *ps, unsigned char **out, size_t *len,
				  const SlAlloc *al)
{
	size_t		vlen;
	unsigned char *v1,
			   *o,
			   *p;
	int32_t		m;
	int64_t		n;
	int			k = ps->k;
	size_t		off,
				size;
	int64_t		d[XS_MAX_DIGITS + 2];
	int32_t		lo,
				nd;

	*out = NULL;
	*len = 0;
	if (ps_serialize_merged(ps, &v1, &vlen, al) != PS_OK)
		return FP_NO_MEMORY;
	memcpy(&m, v1 + 4, 4);
	memcpy(&n, v1 + 8, 8);

	/* the size in canonical form (a sum may gain or lose digits) */
	off = 16;
	off += canonical_from_xs_bytes(v1 + off, d, &lo, &nd);
	size = FP_HEADER_SIZE + 8 + 8 * (size_t) nd;
	for (int32_t i = 0; i < m; i++)
	{
		int64_t		w;

		memcpy(&w, v1 + off + 8 * (size_t) k, 8);
		off += 8 * (size_t) k + 8;
		size += 8 * (size_t) k + 8;
		if (w == 1)
		{
			off += 8;
			size += 8;
		}
		else
		{
			off += canonical_from_xs_bytes(v1 + off, d, &lo, &nd);
			size += 8 + 8 * (size_t) nd;
		}
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}

	o = al->alloc(al->ctx, size);
	if (o == NULL)
	{
		al->free(al->ctx, v1);
		return FP_NO_MEMORY;
	}
	o[0] = FP_FORMAT_VERSION;
	o[1] = (unsigned char) k;
	o[2] = o[3] = 0;
	st_i32(o + 4, m);
	st_u64(o + 8, (uint64_t) n);
	off = 16;
	off += canonical_from_xs_bytes(v1 + off, d, &lo, &nd);
	p = o + FP_HEADER_SIZE;
	p += put_sum(p, d, lo, nd);
	for (int32_t i = 0; i < m; i++)
	{
		const unsigned char *src = v1 + off;
		int64_t		w;

		for (int j = 0; j < k; j++)
		{
			double		x;

			memcpy(&x, src + 8 * (size_t) j, 8);
			st_f64(p + 8 * (size_t) j, x);
		}
		memcpy(&w, src + 8 * (size_t) k, 8);
		st_u64(p + 8 * (size_t) k, (uint64_t) w);
		p += 8 * (size_t) k + 8;
		off += 8 * (size_t) k + 8;
		if (w == 1)
		{
			double		y;

			memcpy(&y, v1 + off, 8);
			st_f64(p, y);
			p += 8;
			off += 8;
		}
		else
		{
			off += canonical_from_xs_bytes(v1 + off, d, &lo, &nd);
			p += put_sum(p, d, lo, nd);
		}
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	al->free(al->ctx, v1);
	*out = o;
	*len = size;
	return FP_OK;
}

/* ---- to a point set ---- */

/* a canonical sum copied into v1 bytes (host order) at v1[*vo] */
static FpStatus
copy_sum(const unsigned char *buf, size_t len, size_t *off, int min_digit, int max_digit,
		 int lsb, unsigned char *v1, size_t *vo)
{
	SumView		s;
	FpStatus	rs = read_sum(buf, len, off, min_digit, max_digit, lsb, &s);
	int32_t		hdr[2];

	if (rs != FP_OK)
		return rs;
	hdr[0] = s.lo;
	hdr[1] = s.nd;
	memcpy(v1 + *vo, hdr, 8);
	for (int i = 0; i < s.nd; i++)
	{
		int64_t		d = view_digit(&s, i);

		memcpy(v1 + *vo + 8 + 8 * (size_t) i, &d, 8);
	}
	*vo += 8 + 8 * (size_t) s.nd;
	return FP_OK;
}

/*
 * The value rewritten in PointSet's v1 byte format (host order) and read
 * back with ps_deserialize, so the point set holds what the aggregate
 * would have built from the rows.
 */
FpStatus
fp_to_point_set(const unsigned char *buf, size_t len, PointSet *ps, const SlAlloc *al)
{
	int			k;
	int32_t		m;
	int64_t		n;
	size_t		off = FP_HEADER_SIZE,
				vo = 16;
	unsigned char *v1;
	PsStatus	pst;
	FpStatus	rs = FP_OK;

	ps_init(ps, 1);
	if (len < FP_HEADER_SIZE + 8)
		return FP_TRUNCATED;
	k = buf[1];
	if (k < 1 || k > SL_MAX_POINT_INPUTS)
		return FP_BAD_K;
	m = ld_i32(buf + 4);
	n = ld_i64(buf + 8);
	/* the v1 form is no longer than this one: same fields, same sizes */
	v1 = al->alloc(al->ctx, len);
	if (v1 == NULL)
		return FP_NO_MEMORY;
	v1[0] = PS_FORMAT_VERSION;
	v1[1] = (unsigned char) k;
	v1[2] = v1[3] = 0;
	memcpy(v1 + 4, &m, 4);
	memcpy(v1 + 8, &n, 8);
	if ((rs = copy_sum(buf, len, &off, SUM_YY_MIN_DIGIT, SUM_YY_MAX_DIGIT, SUM_YY_LSB,
					   v1, &vo)) != FP_OK)
		goto done;
	for (int32_t i = 0; i < m; i++)
	{
		int64_t		w;

		if (len - off < 8 * (size_t) k + 16)
		{
			rs = FP_TRUNCATED;
			goto done;
		}
		for (int j = 0; j < k; j++)
		{
			double		x = ld_f64(buf + off + 8 * (size_t) j);

			memcpy(v1 + vo + 8 * (size_t) j, &x, 8);
		}
		w = ld_i64(buf + off + 8 * (size_t) k);
		memcpy(v1 + vo + 8 * (size_t) k, &w, 8);
		off += 8 * (size_t) k + 8;
		vo += 8 * (size_t) k + 8;
		if (w == 1)
		{
			double		y = ld_f64(buf + off);

			memcpy(v1 + vo, &y, 8);
			off += 8;
			vo += 8;
		}
		else if ((rs = copy_sum(buf, len, &off, SUM_Y_MIN_DIGIT, SUM_Y_MAX_DIGIT, SUM_Y_LSB,
							   v1, &vo)) != FP_OK)
			goto done;
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	pst = ps_deserialize(ps, v1, vo, al);
	if (pst == PS_NO_MEMORY)
		rs = FP_NO_MEMORY;
	else if (pst != PS_OK || ps->k != k)
		rs = FP_BAD_COUNTS;
done:
	al->free(al->ctx, v1);
	return rs;
}

/* ---- merging two values ---- */

/*
 * An exact sum being formed from canonical sums and doubles: digit i of
 * dig weighs 2^(32 (ACC_BASE + i)); digits [lo, hi] are in use (the rest
 * is not cleared).  Every value added has digits below 2^32 in magnitude,
 * so a handful of adds cannot overflow an int64 digit.
 */
#define ACC_BASE SUM_YY_MIN_DIGIT
#define ACC_DIGITS (MAX_SUM_DIGITS + 4)

typedef struct DigitAcc
{
	int32_t		lo,
				hi;
	int64_t		dig[ACC_DIGITS];
} DigitAcc;

static void
acc_init(DigitAcc *a)
{
	a->lo = 0;
	a->hi = -1;
}

/* make absolute digits [from, to] addressable, zero where new */
static void
acc_touch(DigitAcc *a, int from, int to)
{
	from -= ACC_BASE;
	to -= ACC_BASE;
	if (a->hi < a->lo)
	{
		memset(a->dig + from, 0, sizeof(int64_t) * (size_t) (to - from + 1));
		a->lo = from;
		a->hi = to;
		return;
	}
	if (from < a->lo)
	{
		memset(a->dig + from, 0, sizeof(int64_t) * (size_t) (a->lo - from));
		a->lo = from;
	}
	if (to > a->hi)
	{
		memset(a->dig + a->hi + 1, 0, sizeof(int64_t) * (size_t) (to - a->hi));
		a->hi = to;
	}
}

static void
acc_add_view(DigitAcc *a, const SumView *v)
{
	if (v->nd == 0)
		return;
	acc_touch(a, v->lo, v->lo + v->nd - 1);
	for (int i = 0; i < v->nd; i++)
		a->dig[v->lo + i - ACC_BASE] += view_digit(v, i);
}

/* y = sign m 2^e exactly (m < 2^53): three digits at most */
static void
acc_add_double(DigitAcc *a, double y)
{
	uint64_t	u;
	uint64_t	m;
	int			biased,
				e,
				d,
				r;
	bool		neg;

	if (y == 0.0)
		return;
	memcpy(&u, &y, 8);
	neg = (u >> 63) != 0;
	biased = (int) ((u >> 52) & 0x7ff);
	m = u & (((uint64_t) 1 << 52) - 1);
	if (biased == 0)
		e = -1074;
	else
	{
		m |= (uint64_t) 1 << 52;
		e = biased - 1075;
	}
	d = e >= 0 ? e / 32 : -((-e + 31) / 32);
	r = e - 32 * d;
	acc_touch(a, d, d + 2);
	{
		/* m 2^r < 2^85: three 32-bit digits */
		unsigned __int128 v = (unsigned __int128) m << r;

		for (int i = 0; i < 3; i++, v >>= 32)
		{
			int64_t		digit = (int64_t) (uint64_t) (v & 0xffffffffu);

			a->dig[d + i - ACC_BASE] += neg ? -digit : digit;
		}
	}
}

/* the canonical digits of the sum into d (room for ACC_DIGITS + 1) */
static void
acc_finish(DigitAcc *a, int64_t *d, int32_t *lo, int32_t *nd)
{
	int32_t		n;

	if (a->hi < a->lo)
	{
		*lo = 0;
		*nd = 0;
		return;
	}
	acc_touch(a, a->hi + ACC_BASE + 1, a->hi + ACC_BASE + 1);	/* room for the carry */
	n = a->hi - a->lo + 1;
	for (int i = 0; i < n; i++)
	{
		int64_t		v = a->dig[a->lo + i];

		if (i < n - 1)
		{
			int64_t		carry = v >> 32;	/* arithmetic: floor */

			a->dig[a->lo + i + 1] += carry;
			v -= carry * DIGIT_BASE;
		}
		d[i] = v;
	}
	*lo = a->lo + ACC_BASE;
	*nd = n;
	canonical_digits(d, lo, nd);
}


/* one entry of a validated value */
typedef struct EntryView
{
	const unsigned char *start;	/* inputs, then w, then y or sum */
	size_t		size;
	double		x[SL_MAX_POINT_INPUTS];
	int64_t		w;
	double		y;				/* w = 1 */
	SumView		s;				/* w > 1 */
} EntryView;

static void
read_entry(const unsigned char *buf, size_t len, size_t *off, int k, EntryView *e)
{
	size_t		o = *off;

	e->start = buf + o;
	for (int j = 0; j < k; j++)
		e->x[j] = ld_f64(buf + o + 8 * (size_t) j);
	e->w = ld_i64(buf + o + 8 * (size_t) k);
	o += 8 * (size_t) k + 8;
	if (e->w == 1)
	{
		e->y = ld_f64(buf + o);
		o += 8;
	}
	else
		(void) read_sum(buf, len, &o, SUM_Y_MIN_DIGIT, SUM_Y_MAX_DIGIT, SUM_Y_LSB, &e->s);
	e->size = o - *off;
	*off = o;
}

/*
 * count entries of a validated value, bytes long, copied to dst with the
 * canonical zero (a single y of -0.0 becomes 0.0)
 */
static void
copy_entries(unsigned char *dst, const unsigned char *src, size_t bytes, int32_t count,
			 int k, const SlAlloc *al)
{
	size_t		off = 0;

	for (size_t done = 0; done < bytes; done += (size_t) 1 << 20)
	{
		size_t		n = bytes - done < ((size_t) 1 << 20) ? bytes - done : (size_t) 1 << 20;

		memcpy(dst + done, src + done, n);
		sl_check_interrupts(al);
	}
	for (int32_t i = 0; i < count; i++)
	{
		int64_t		w = ld_i64(dst + off + 8 * (size_t) k);

		off += 8 * (size_t) k + 8;
		if (w == 1)
		{
			if (ld_u64(dst + off) == (uint64_t) 1 << 63)
				st_u64(dst + off, 0);
			off += 8;
		}
		else
			off += 8 + 8 * (size_t) ld_i32(dst + off + 4);
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
}

/* room for one more entry at *pos (an entry's largest size), growing *out */
static bool
reserve_out(unsigned char **out, size_t *cap, size_t pos, int k, const SlAlloc *al)
{
	size_t		need = pos + 8 * (size_t) k + 16 + 8 * (size_t) ACC_DIGITS;

	if (need <= *cap)
		return true;
	{
		size_t		nc = *cap * 2 > need ? *cap * 2 : need;
		unsigned char *p = al->realloc(al->ctx, *out, *cap, nc);

		if (p == NULL)
			return false;		/* *out is still allocated */
		*out = p;
		*cap = nc;
	}
	return true;
}

FpStatus
fp_merge(const unsigned char *a, size_t la, const unsigned char *b, size_t lb,
		 unsigned char **out, size_t *len, const SlAlloc *al)
{
	int			k = a[1];
	int32_t		ma = ld_i32(a + 4),
				mb = ld_i32(b + 4),
				i = 0,
				j = 0,
				m = 0;
	int64_t		n;
	size_t		oa = FP_HEADER_SIZE,
				ob = FP_HEADER_SIZE,
				pos,
				cap;
	SumView		ya,
				yb;
	DigitAcc	acc;
	int64_t		d[ACC_DIGITS + 1];
	int32_t		lo,
				nd;
	unsigned char *o;
	EntryView	ea,
				eb;

	*out = NULL;
	*len = 0;
	if (b[1] != k)
		return FP_K_MISMATCH;
	if (__builtin_add_overflow(ld_i64(a + 8), ld_i64(b + 8), &n))
		return FP_COUNT_RANGE;
	(void) read_sum(a, la, &oa, SUM_YY_MIN_DIGIT, SUM_YY_MAX_DIGIT, SUM_YY_LSB, &ya);
	(void) read_sum(b, lb, &ob, SUM_YY_MIN_DIGIT, SUM_YY_MAX_DIGIT, SUM_YY_LSB, &yb);
	/* the merged sum of y^2 can span the digits of both: room for all */
	cap = la + lb + FP_HEADER_SIZE + 8 * (size_t) (ACC_DIGITS + 2);
	if ((o = al->alloc(al->ctx, cap)) == NULL)
		return FP_NO_MEMORY;
	o[0] = FP_FORMAT_VERSION;
	o[1] = (unsigned char) k;
	o[2] = o[3] = 0;
	st_u64(o + 8, (uint64_t) n);
	acc_init(&acc);
	acc_add_view(&acc, &ya);
	acc_add_view(&acc, &yb);
	acc_finish(&acc, d, &lo, &nd);
	pos = FP_HEADER_SIZE + put_sum(o + FP_HEADER_SIZE, d, lo, nd);

	if (i < ma)
		read_entry(a, la, &oa, k, &ea);
	if (j < mb)
		read_entry(b, lb, &ob, k, &eb);
	while (i < ma || j < mb)
	{
		int			c = i >= ma ? 1 : j >= mb ? -1 : ps_cmp_inputs(ea.x, eb.x, k);
		const EntryView *e = c < 0 ? &ea : &eb;

		if (i >= ma || j >= mb)
		{
			/*
			 * One side left (a big value merged with a small batch, mostly):
			 * its entries as they are, in one copy, then a walk for -0.0.
			 */
			const unsigned char *rest = e->start;
			size_t		bytes = (c < 0 ? a + la : b + lb) - rest;
			int32_t		left = c < 0 ? ma - i : mb - j;

			if (cap < pos + bytes)
			{
				unsigned char *p = al->realloc(al->ctx, o, cap, pos + bytes);

				if (p == NULL)
				{
					al->free(al->ctx, o);
					return FP_NO_MEMORY;
				}
				o = p;
				cap = pos + bytes;
			}
			copy_entries(o + pos, rest, bytes, left, k, al);
			pos += bytes;
			m += left;
			break;
		}

		if (!reserve_out(&o, &cap, pos, k, al))
		{
			al->free(al->ctx, o);
			return FP_NO_MEMORY;
		}
		if (c != 0)
		{
			/* one side only: as it is, in canonical form already but for -0.0 */
			memcpy(o + pos, e->start, e->size);
			if (e->w == 1 && e->y == 0.0)
				st_u64(o + pos + e->size - 8, 0);
			pos += e->size;
		}
		else
		{
			int64_t		w;

			if (__builtin_add_overflow(ea.w, eb.w, &w))
			{
				al->free(al->ctx, o);
				return FP_COUNT_RANGE;
			}
			memcpy(o + pos, ea.start, 8 * (size_t) k);
			st_u64(o + pos + 8 * (size_t) k, (uint64_t) w);
			pos += 8 * (size_t) k + 8;
			acc_init(&acc);
			if (ea.w == 1)
				acc_add_double(&acc, ea.y);
			else
				acc_add_view(&acc, &ea.s);
			if (eb.w == 1)
				acc_add_double(&acc, eb.y);
			else
				acc_add_view(&acc, &eb.s);
			acc_finish(&acc, d, &lo, &nd);
			pos += put_sum(o + pos, d, lo, nd);
		}
		m++;
		if (c <= 0 && ++i < ma)
			read_entry(a, la, &oa, k, &ea);
		if (c >= 0 && ++j < mb)
			read_entry(b, lb, &ob, k, &eb);
		sl_check_interrupts_every(al, (uint64_t) m);
	}
	st_i32(o + 4, m);
	*out = o;
	*len = pos;
	return FP_OK;
}

/* ---- to the points a fit sees ---- */

/*
 * The SortedPoints of a validated value, read in one pass without a point
 * set (the entries are in order and distinct already): what ps_sorted
 * gives for the value's rows, bit for bit, since both write through
 * SpWriter from the same exact sums.
 */
FpStatus
fp_sorted_points(const unsigned char *buf, size_t len, SortedPoints *out, const SlAlloc *al)
{
	int			k = buf[1];
	int32_t		m = ld_i32(buf + 4);
	int64_t		n = ld_i64(buf + 8);
	size_t		off = FP_HEADER_SIZE;
	SumView		yy;
	SpWriter	wr;
	double		hi,
				lo;

	if (read_sum(buf, len, &off, SUM_YY_MIN_DIGIT, SUM_YY_MAX_DIGIT, SUM_YY_LSB, &yy) != FP_OK)
		return FP_BAD_SUM;
	if (sp_start(&wr, out, k, n, m, view_ilogb(&yy), al) != PS_OK)
		return FP_NO_MEMORY;
	for (int32_t i = 0; i < m; i++)
	{
		EntryView	e;

		sl_check_interrupts_every(al, (uint64_t) i);
		read_entry(buf, len, &off, k, &e);
		if (e.w == 1)
			sp_put_single(&wr, e.x, e.y + 0.0);	/* -0.0 of a 1.1 value is 0.0 */
		else
		{
			view_value_dd_scaled(&e.s, -out->y_exp, &hi, &lo);
			sp_put_sum(&wr, e.x, e.w, hi, lo);
		}
	}
	view_value_dd_scaled(&yy, -2 * out->y_exp, &hi, &lo);
	sp_finish(&wr, hi, lo);
	return FP_OK;
}

/* ---- the log law's statistics ---- */

/* s += w v exactly (w < 2^63 split into two halves that are exact doubles) */
static bool
add_w_times(ExactSum *s, double v, int64_t w, const SlAlloc *al)
{
	double		wl = (double) (w & 0xffffffff);
	double		wh = ldexp((double) (w >> 32), 32);

	return xs_add_product(s, v, wl, al) && xs_add_product(s, v, wh, al);
}

/*
 * s += w a b exactly: a b = p + e exactly (fma), as |a b| is far from
 * underflow for logarithms of doubles (|ln x| >= 2^-54 unless x = 1).
 */
static bool
add_w_times_product(ExactSum *s, double a, double b, int64_t w, const SlAlloc *al)
{
	double		p = a * b;
	double		e = fma(a, b, -p);

	return add_w_times(s, p, w, al) && add_w_times(s, e, w, al);
}

/*
 * s += l S exactly, S a canonical sum of y: digit by digit, each digit
 * d 2^(32 i) multiplied as the exact product of two doubles scaled into
 * the normal range (digits of sums of y lie in [-34, 34]).
 */
static bool
add_times_sum(ExactSum *s, double l, const SumView *v, const SlAlloc *al)
{
	if (l == 0.0)
		return true;
	for (int i = 0; i < v->nd; i++)
	{
		int			tot = 32 * (v->lo + i);
		int			s2 = tot < -960 ? -960 : tot > 960 ? 960 : tot;
		double		d = (double) view_digit(v, i);

		if (d != 0.0 && !xs_add_product(s, ldexp(l, tot - s2), ldexp(d, s2), al))
			return false;
	}
	return true;
}

/*
 * Why these sums equal the ones ls_add forms row by row: every sum is
 * exact, so it is the real-number sum of its terms.  Over the w rows of an
 * entry with logs l_j and y values y_1..y_w (S their exact sum), ls_add
 * adds l_j w times, l_a l_b w times, y_r, l_j y_r and y_r^2; their sums are
 * w l_j, w (l_a l_b), S, l_j S and the entry's part of sum y^2.  Those are
 * what is added here, exactly (the logs come from the same log() of the
 * same x), and sum y^2 over all rows is kept as such.  Equal exact values
 * read back to equal double-doubles (xs_value_dd depends on the value
 * only), so log_law_fit sees the same numbers and returns the same bits.
 */
FpStatus
fp_log_stats(const unsigned char *buf, size_t len, LogStats *st, const SlAlloc *al)
{
	int			k;
	int32_t		m;
	int64_t		n;
	size_t		off = FP_HEADER_SIZE;
	SumView		s;
	ExactSum	tmp;
	FpStatus	rs;
	ExactSum   *S;

	ls_init(st, 1);
	if (len < FP_HEADER_SIZE + 8)
		return FP_TRUNCATED;
	k = buf[1];
	if (k < 1 || k > LL_MAX_INPUTS)
		return FP_BAD_K;
	ls_init(st, k);
	S = st->s;
	m = ld_i32(buf + 4);
	n = ld_i64(buf + 8);
	if ((rs = read_sum(buf, len, &off, SUM_YY_MIN_DIGIT, SUM_YY_MAX_DIGIT, SUM_YY_LSB, &s)) != FP_OK)
		return rs;
	if ((rs = view_to_xs(&s, &tmp, al)) != FP_OK)
		return rs;
	if (!xs_add_sum(&S[k == 1 ? 4 : 8], &tmp, al))
		rs = FP_NO_MEMORY;
	xs_free(&tmp, al);
	if (rs != FP_OK)
		return rs;
	for (int32_t i = 0; i < m; i++)
	{
		double		x[LL_MAX_INPUTS],
					l[LL_MAX_INPUTS];
		int64_t		w;
		bool		ok;

		if (len - off < 8 * (size_t) k + 16)
			return FP_TRUNCATED;
		for (int j = 0; j < k; j++)
		{
			x[j] = ld_f64(buf + off + 8 * (size_t) j);
			l[j] = log(x[j]);
		}
		ls_extend_range(st, x);
		w = ld_i64(buf + off + 8 * (size_t) k);
		off += 8 * (size_t) k + 8;
		if (w < 1)
			return FP_BAD_WEIGHT;
		if (k == 1)
			ok = add_w_times(&S[0], l[0], w, al) &&
				add_w_times_product(&S[1], l[0], l[0], w, al);
		else
			ok = add_w_times(&S[0], l[0], w, al) && add_w_times(&S[1], l[1], w, al) &&
				add_w_times_product(&S[2], l[0], l[0], w, al) &&
				add_w_times_product(&S[3], l[0], l[1], w, al) &&
				add_w_times_product(&S[4], l[1], l[1], w, al);
		if (!ok)
			return FP_NO_MEMORY;
		if (w == 1)
		{
			double		y = ld_f64(buf + off);

			off += 8;
			if (k == 1)
				ok = xs_add(&S[2], y, al) && xs_add_product(&S[3], l[0], y, al);
			else
				ok = xs_add(&S[5], y, al) && xs_add_product(&S[6], l[0], y, al) &&
					xs_add_product(&S[7], l[1], y, al);
		}
		else
		{
			if ((rs = read_sum(buf, len, &off, SUM_Y_MIN_DIGIT, SUM_Y_MAX_DIGIT,
							   SUM_Y_LSB, &s)) != FP_OK)
				return rs;
			if ((rs = view_to_xs(&s, &tmp, al)) != FP_OK)
				return rs;
			if (k == 1)
				ok = xs_add_sum(&S[2], &tmp, al) && add_times_sum(&S[3], l[0], &s, al);
			else
				ok = xs_add_sum(&S[5], &tmp, al) && add_times_sum(&S[6], l[0], &s, al) &&
					add_times_sum(&S[7], l[1], &s, al);
			xs_free(&tmp, al);
		}
		if (!ok)
			return FP_NO_MEMORY;
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	st->n = n;
	return FP_OK;
}

/* ---- text form ---- */

void
fp_text_encode(const unsigned char *buf, size_t len, char *out, const SlAlloc *al)
{
	static const char hex[] = "0123456789abcdef";

	*out++ = '\\';
	*out++ = 'x';
	for (size_t i = 0; i < len; i++)
	{
		*out++ = hex[buf[i] >> 4];
		*out++ = hex[buf[i] & 15];
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	*out = '\0';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

FpStatus
fp_text_decode(const char *text, size_t tlen, unsigned char *out, size_t *len,
			   const SlAlloc *al)
{
	*len = 0;
	if (tlen < 2 || text[0] != '\\' || text[1] != 'x' || (tlen - 2) % 2 != 0)
		return FP_BAD_TEXT;
	for (size_t i = 2; i < tlen; i += 2)
	{
		int			h = hex_value(text[i]),
					l = hex_value(text[i + 1]);

		if (h < 0 || l < 0)
			return FP_BAD_TEXT;
		out[(*len)++] = (unsigned char) (h << 4 | l);
		sl_check_interrupts_every(al, (uint64_t) i);
	}
	return FP_OK;
}
