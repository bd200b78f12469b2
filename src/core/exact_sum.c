/*
 * exact_sum.c -- exact fixed-point accumulation; see exact_sum.h.
 */
#include "exact_sum.h"

#include <math.h>
#include <string.h>

#define DIGIT_MASK ((int64_t) 0xFFFFFFFF)
/* propagate carries before any digit can reach 2^62 */
#define MAX_PENDING (1 << 28)
/* zero digits kept above the highest digit an add touches, for carries */
#define HEADROOM 2

void
xs_init(ExactSum *xs)
{
	memset(xs, 0, sizeof(*xs));
}

void
xs_free(ExactSum *xs, const SlAlloc *al)
{
	if (xs->dig)
		al->free(al->ctx, xs->dig);
	xs_init(xs);
}

static void
propagate(int64_t *dig, int n)
{
	for (int i = 0; i < n - 1; i++)
	{
		int64_t		carry = dig[i] >> 32;	/* arithmetic: floor division */

		dig[i] -= carry * ((int64_t) 1 << 32);
		dig[i + 1] += carry;
	}
}

void
xs_normalize(ExactSum *xs)
{
	if (xs->n > 0)
		propagate(xs->dig, xs->n);
	xs->pending = 0;
}

/* make digits [first, last] addressable */
static bool
ensure_range(ExactSum *xs, int first, int last, const SlAlloc *al)
{
	int			cur_first = xs->lo;
	int			cur_last = xs->lo + xs->n - 1;
	int			new_first,
				new_last,
				new_n;

	if (first < XS_MIN_DIGIT)
		first = XS_MIN_DIGIT;
	if (last > XS_MAX_DIGIT)
		last = XS_MAX_DIGIT;
	if (xs->n > 0 && first >= cur_first && last <= cur_last)
		return true;
	new_first = xs->n > 0 && cur_first < first ? cur_first : first;
	new_last = xs->n > 0 && cur_last > last ? cur_last : last;
	new_n = new_last - new_first + 1;
	if (new_n > xs->cap)
	{
		int			new_cap = new_n + 4;
		int64_t    *d;

		if (new_cap > XS_MAX_DIGITS)
			new_cap = XS_MAX_DIGITS;
		if (xs->dig == NULL)
			d = al->alloc(al->ctx, sizeof(int64_t) * new_cap);
		else
			d = al->realloc(al->ctx, xs->dig, sizeof(int64_t) * xs->cap,
							sizeof(int64_t) * new_cap);
		if (d == NULL)
			return false;
		xs->dig = d;
		xs->cap = new_cap;
	}
	if (xs->n > 0)
	{
		int			shift = cur_first - new_first;

		if (shift > 0)
			memmove(xs->dig + shift, xs->dig, sizeof(int64_t) * xs->n);
		memset(xs->dig, 0, sizeof(int64_t) * shift);
		memset(xs->dig + shift + xs->n, 0,
			   sizeof(int64_t) * (new_n - shift - xs->n));
	}
	else
		memset(xs->dig, 0, sizeof(int64_t) * new_n);
	xs->lo = new_first;
	xs->n = new_n;
	return true;
}

static inline int
floor_div32(int e)
{
	return e >= 0 ? e / 32 : -((-e + 31) / 32);
}

/* add sign * m * 2^e, m < 2^107, to digits already covering the range */
static inline void
add_mantissa(int64_t *dig, int lo, bool negative, unsigned __int128 m, int e)
{
	int			d = floor_div32(e);
	int			r = e - 32 * d;

	for (int i = 0; i < 4 && m != 0; i++, m >>= 32)
	{
		int64_t		chunk = (int64_t) (uint64_t) (m & 0xFFFFFFFFu) << r;
		int64_t		low = chunk & DIGIT_MASK;
		int64_t		high = chunk >> 32;

		if (negative)
		{
			low = -low;
			high = -high;
		}
		dig[d + i - lo] += low;
		dig[d + i + 1 - lo] += high;
	}
}

static inline bool
add_scaled(ExactSum *xs, bool negative, unsigned __int128 m, int e,
		   const SlAlloc *al)
{
	int			d = floor_div32(e);

	if (m == 0)
		return true;
	/* the digits touched are usually already there */
	if (!(xs->n > 0 && d >= xs->lo && d + 4 + HEADROOM <= xs->lo + xs->n - 1) &&
		!ensure_range(xs, d, d + 4 + HEADROOM, al))
		return false;
	add_mantissa(xs->dig, xs->lo, negative, m, e);
	if (++xs->pending >= MAX_PENDING)
		xs_normalize(xs);
	return true;
}

/* finite v = sign * m * 2^e with m < 2^53 an integer, read from the bits */
static inline void
split_double(double v, bool *negative, uint64_t *m, int *e)
{
	uint64_t	u;
	int			biased;

	memcpy(&u, &v, sizeof(u));
	biased = (int) ((u >> 52) & 0x7FF);
	*negative = (u >> 63) != 0;
	*m = u & (((uint64_t) 1 << 52) - 1);
	if (biased == 0)
		*e = -1074;				/* subnormal */
	else
	{
		*m |= (uint64_t) 1 << 52;
		*e = biased - 1075;
	}
}

bool
xs_add(ExactSum *xs, double v, const SlAlloc *al)
{
	bool		neg;
	uint64_t	m;
	int			e;

	if (v == 0.0)
		return true;
	split_double(v, &neg, &m, &e);
	return add_scaled(xs, neg, m, e, al);
}

bool
xs_add_product(ExactSum *xs, double a, double b, const SlAlloc *al)
{
	bool		na,
				nb;
	uint64_t	ma,
				mb;
	int			ea,
				eb;

	if (a == 0.0 || b == 0.0)
		return true;
	split_double(a, &na, &ma, &ea);
	split_double(b, &nb, &mb, &eb);
	return add_scaled(xs, na != nb, (unsigned __int128) ma * mb, ea + eb, al);
}

bool
xs_add_sum(ExactSum *xs, const ExactSum *other, const SlAlloc *al)
{
	if (other->n == 0)
		return true;
	if (!ensure_range(xs, other->lo, other->lo + other->n - 1 + HEADROOM, al))
		return false;
	/* bring both to propagated form so no digit can overflow */
	xs_normalize(xs);
	for (int i = 0; i < other->n; i++)
	{
		int64_t		v = other->dig[i];

		/* split so each add stays below 2^33 in magnitude per digit */
		xs->dig[other->lo + i - xs->lo] += v & DIGIT_MASK;
		xs->dig[other->lo + i + 1 - xs->lo] += v >> 32;
	}
	xs_normalize(xs);
	return true;
}

/*
 * Magnitude of the digits in tmp[0..n) (lowest digit index lo) rounded to
 * 64 bits: returns u in [2^63, 2^64) with a sticky bit in its lowest bit
 * and sets *e so that the magnitude is u * 2^e to within that rounding;
 * (double) u then rounds correctly to 53 bits.  Returns 0 for zero.  All
 * integer arithmetic: no overflow or underflow whatever the magnitude.
 */
static uint64_t
top_bits(const int64_t *tmp, int n, int lo, int *e)
{
	int			h = n - 1;
	unsigned __int128 acc;
	int			lsb;
	bool		sticky = false;
	uint64_t	u;
	int			shift;

	while (h >= 0 && tmp[h] == 0)
		h--;
	*e = 0;
	if (h < 0)
		return 0;
	acc = (unsigned __int128) (uint64_t) tmp[h] << 64;
	if (h >= 1)
		acc |= (unsigned __int128) (uint64_t) tmp[h - 1] << 32;
	if (h >= 2)
		acc |= (uint64_t) tmp[h - 2];
	for (int i = h - 3; i >= 0 && !sticky; i--)
		sticky = tmp[i] != 0;
	lsb = 32 * (lo + h - 2);
	/* move the top bit to bit 127 */
	shift = 0;
	while (!(acc >> 127))
	{
		acc <<= 1;
		shift++;
	}
	lsb -= shift;
	u = (uint64_t) (acc >> 64);
	if ((uint64_t) acc != 0 || sticky)
		u |= 1;					/* sticky bit below the rounding position */
	*e = lsb + 64;
	return u;
}

/* copy, propagate and take the sign; returns digits count in tmp */
static int
magnitude(const ExactSum *xs, int64_t *tmp, bool *negative)
{
	int			n = xs->n;

	memcpy(tmp, xs->dig, sizeof(int64_t) * n);
	propagate(tmp, n);
	*negative = n > 0 && tmp[n - 1] < 0;
	if (*negative)
	{
		for (int i = 0; i < n; i++)
			tmp[i] = -tmp[i];
		propagate(tmp, n);
	}
	return n;
}

double
xs_value(const ExactSum *xs)
{
	double		hi,
				lo;

	xs_value_dd_scaled(xs, 0, &hi, &lo);
	return hi;
}

void
xs_value_dd(const ExactSum *xs, double *hi, double *lo)
{
	xs_value_dd_scaled(xs, 0, hi, lo);
}

int
xs_ilogb(const ExactSum *xs)
{
	int64_t		tmp[XS_MAX_DIGITS];
	bool		neg;
	int			n,
				e;
	uint64_t	u;

	if (xs->n == 0)
		return XS_ILOGB_ZERO;
	n = magnitude(xs, tmp, &neg);
	u = top_bits(tmp, n, xs->lo, &e);
	if (u == 0)
		return XS_ILOGB_ZERO;
	return 63 + e;
}

void
xs_value_dd_scaled(const ExactSum *xs, int shift, double *hi, double *lo)
{
	int64_t		tmp[XS_MAX_DIGITS + 3];
	bool		neg;
	int			n,
				e;
	uint64_t	u;
	double		hu;

	*hi = *lo = 0.0;
	if (xs->n == 0)
		return;
	n = magnitude(xs, tmp, &neg);

	/*
	 * Three zero digits above the top: h may round up into the next digit
	 * and its mantissa spans three digits, so subtracting it always fits.
	 * The result then depends on the exact value only, not on how many
	 * digits the sum had allocated.
	 */
	memset(tmp + n, 0, 3 * sizeof(int64_t));
	n += 3;
	u = top_bits(tmp, n, xs->lo, &e);
	if (u == 0)
		return;
	hu = (double) u;			/* correctly rounded to 53 bits */
	*hi = ldexp(hu, e + shift);
	if (isfinite(*hi))
	{
		/* the remainder: subtract h (unscaled, as integers) from the digits */
		bool		hn;
		uint64_t	m;
		int			he;
		int			d;

		split_double(hu, &hn, &m, &he);
		he += e;
		while ((m & 1) == 0)
		{
			m >>= 1;
			he++;
		}
		d = floor_div32(he);
		/* h is within one ulp of the magnitude, so it fits the digits */
		if (d >= xs->lo && d + 2 <= xs->lo + n - 1)
		{
			int			e2;
			uint64_t	u2;
			bool		rneg;

			add_mantissa(tmp, xs->lo, true, m, he);
			propagate(tmp, n);
			rneg = tmp[n - 1] < 0;
			if (rneg)
			{
				for (int i = 0; i < n; i++)
					tmp[i] = -tmp[i];
				propagate(tmp, n);
			}
			u2 = top_bits(tmp, n, xs->lo, &e2);
			if (u2 != 0)
				*lo = rneg ? -ldexp((double) u2, e2 + shift) : ldexp((double) u2, e2 + shift);
		}
	}
	else
		*hi = INFINITY;
	*hi = neg ? -*hi : *hi;
	*lo = neg ? -*lo : *lo;
}

size_t
xs_serial_size(const ExactSum *xs)
{
	return 8 + 8 * (size_t) xs->n;
}

size_t
xs_serialize(const ExactSum *xs, unsigned char *out)
{
	int32_t		hdr[2] = {xs->lo, xs->n};

	memcpy(out, hdr, 8);
	if (xs->n > 0)
	{
		int64_t		tmp[XS_MAX_DIGITS];

		memcpy(tmp, xs->dig, sizeof(int64_t) * xs->n);
		propagate(tmp, xs->n);
		memcpy(out + 8, tmp, 8 * (size_t) xs->n);
	}
	return xs_serial_size(xs);
}

size_t
xs_deserialize(ExactSum *xs, const unsigned char *buf, size_t len,
			   const SlAlloc *al, bool *alloc_failed)
{
	int32_t		hdr[2];
	size_t		need;

	*alloc_failed = false;
	xs_init(xs);
	if (len < 8)
		return 0;
	memcpy(hdr, buf, 8);
	if (hdr[1] < 0 || hdr[1] > XS_MAX_DIGITS)
		return 0;
	need = 8 + 8 * (size_t) hdr[1];
	if (len < need)
		return 0;
	if (hdr[1] == 0)
		return need;
	if (hdr[0] < XS_MIN_DIGIT || hdr[0] > XS_MAX_DIGIT ||
		hdr[0] + hdr[1] - 1 > XS_MAX_DIGIT)
		return 0;
	/* every digit but the top in [0, 2^32); the top small and signed */
	for (int i = 0; i < hdr[1]; i++)
	{
		int64_t		v;

		memcpy(&v, buf + 8 + 8 * (size_t) i, 8);
		if (i < hdr[1] - 1 ? (v < 0 || v > DIGIT_MASK)
			: (v < -((int64_t) 1 << 40) || v > ((int64_t) 1 << 40)))
			return 0;
	}
	xs->dig = al->alloc(al->ctx, 8 * (size_t) hdr[1]);
	if (xs->dig == NULL)
	{
		*alloc_failed = true;
		return 0;
	}
	memcpy(xs->dig, buf + 8, 8 * (size_t) hdr[1]);
	xs->lo = hdr[0];
	xs->n = hdr[1];
	xs->cap = hdr[1];
	return need;
}

/* ---- FastSum ---- */

#define FS_SUM_MARGIN 24		/* first add's lowest bit sits this far above e0 */
#define FS_SQUARE_MARGIN 10

void
fs_init(FastSum *fs)
{
	memset(fs, 0, sizeof(*fs));
	xs_init(&fs->spill);
}

void
fs_free(FastSum *fs, const SlAlloc *al)
{
	xs_free(&fs->spill, al);
	fs_init(fs);
}

static inline __int128
fs_acc(const FastSum *fs)
{
	return (__int128) (((unsigned __int128) (uint64_t) fs->acc_hi << 64) | fs->acc_lo);
}

static inline void
fs_set_acc(FastSum *fs, __int128 v)
{
	fs->acc_lo = (uint64_t) v;
	fs->acc_hi = (int64_t) (v >> 64);
}

/* add the integer v * 2^e exactly to an ExactSum */
static bool
xs_add_int128(ExactSum *xs, __int128 v, int e, const SlAlloc *al)
{
	bool		neg = v < 0;
	unsigned __int128 mag = neg ? -(unsigned __int128) v : (unsigned __int128) v;
	uint64_t	lo = (uint64_t) mag,
				hi = (uint64_t) (mag >> 64);

	return add_scaled(xs, neg, lo, e, al) && add_scaled(xs, neg, hi, e + 64, al);
}

/* add sign * m * 2^e, m < 2^107; margin places a first window */
static inline bool
fs_add_scaled(FastSum *fs, bool negative, unsigned __int128 m, int bits, int e,
			  int margin, const SlAlloc *al)
{
	int			shift;

	if (m == 0)
		return true;
	if (!fs->has_window)
	{
		fs->e0 = e - margin;
		fs->has_window = 1;
	}
	shift = e - fs->e0;
	/* |m << shift| < 2^126 leaves the sign bit and one bit of carry */
	if (shift >= 0 && shift + bits <= 126)
	{
		__int128	v = (__int128) (m << shift);
		__int128	acc = fs_acc(fs),
					sum;

		if (negative)
			v = -v;
		if (!__builtin_add_overflow(acc, v, &sum))
		{
			fs_set_acc(fs, sum);
			return true;
		}
		/* full: move acc to the exact sum and start again */
		if (!xs_add_int128(&fs->spill, acc, fs->e0, al))
			return false;
		fs_set_acc(fs, v);
		return true;
	}
	return add_scaled(&fs->spill, negative, m, e, al);
}

bool
fs_add(FastSum *fs, double v, const SlAlloc *al)
{
	bool		neg;
	uint64_t	m;
	int			e;

	if (v == 0.0)
		return true;
	split_double(v, &neg, &m, &e);
	return fs_add_scaled(fs, neg, m, 53, e, FS_SUM_MARGIN, al);
}

bool
fs_add_square(FastSum *fs, double v, const SlAlloc *al)
{
	bool		neg;
	uint64_t	m;
	int			e;

	if (v == 0.0)
		return true;
	split_double(v, &neg, &m, &e);
	return fs_add_scaled(fs, false, (unsigned __int128) m * m, 106, 2 * e,
						 FS_SQUARE_MARGIN, al);
}

bool
fs_add_exact(FastSum *fs, const ExactSum *other, const SlAlloc *al)
{
	return xs_add_sum(&fs->spill, other, al);
}

bool
fs_add_fast(FastSum *fs, const FastSum *other, const SlAlloc *al)
{
	if (!xs_add_sum(&fs->spill, &other->spill, al))
		return false;
	return fs_acc(other) == 0 || xs_add_int128(&fs->spill, fs_acc(other), other->e0, al);
}

bool
fs_to_exact(const FastSum *fs, ExactSum *out, const SlAlloc *al)
{
	xs_init(out);
	if (!xs_add_sum(out, &fs->spill, al))
		return false;
	return fs_acc(fs) == 0 || xs_add_int128(out, fs_acc(fs), fs->e0, al);
}

/*
 * The whole value in a scratch ExactSum whose digits live in buf (room for
 * every digit a sum can use, so no allocation happens).
 */
static void
fs_scratch(const FastSum *fs, ExactSum *t, int64_t *buf)
{
	static const SlAlloc no_alloc = {0};

	xs_init(t);
	t->dig = buf;
	t->cap = XS_MAX_DIGITS;
	(void) xs_add_sum(t, &fs->spill, &no_alloc);
	if (fs_acc(fs) != 0)
		(void) xs_add_int128(t, fs_acc(fs), fs->e0, &no_alloc);
}

void
fs_value_dd(const FastSum *fs, double *hi, double *lo)
{
	fs_value_dd_scaled(fs, 0, hi, lo);
}

void
fs_value_dd_scaled(const FastSum *fs, int shift, double *hi, double *lo)
{
	ExactSum	t;
	int64_t		buf[XS_MAX_DIGITS];

	fs_scratch(fs, &t, buf);
	xs_value_dd_scaled(&t, shift, hi, lo);
}

int
fs_ilogb(const FastSum *fs)
{
	ExactSum	t;
	int64_t		buf[XS_MAX_DIGITS];

	fs_scratch(fs, &t, buf);
	return xs_ilogb(&t);
}

size_t
fs_serial_size(const FastSum *fs)
{
	ExactSum	t;
	int64_t		buf[XS_MAX_DIGITS];

	fs_scratch(fs, &t, buf);
	return xs_serial_size(&t);
}

size_t
fs_serialize(const FastSum *fs, unsigned char *out)
{
	ExactSum	t;
	int64_t		buf[XS_MAX_DIGITS];

	fs_scratch(fs, &t, buf);
	return xs_serialize(&t, out);
}
