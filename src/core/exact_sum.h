/*
 * exact_sum.h -- order-independent exact sums of doubles and of products of
 * two doubles.
 *
 * Aggregates must give the same bits for any row order and any parallel
 * plan.  Floating-point addition is not associative, so every sum the fits
 * depend on is kept exactly, as a fixed-point number in base 2^32 whose
 * digit d weighs 2^(32 d).  Reading it back rounds once, correctly, so the
 * result depends only on the exact value, never on the order of the adds.
 */
#ifndef EXACT_SUM_H
#define EXACT_SUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sl_alloc.h"

/* absolute digit indexes any sum of doubles or double products can touch */
#define XS_MIN_DIGIT (-70)
#define XS_MAX_DIGIT 76
#define XS_MAX_DIGITS (XS_MAX_DIGIT - XS_MIN_DIGIT + 1)

typedef struct ExactSum
{
	int32_t		lo;				/* absolute index of dig[0] */
	int32_t		n;				/* digits in use (0 = the sum is zero) */
	int32_t		cap;			/* digits allocated */
	int32_t		pending;		/* adds since the last carry propagation */
	int64_t    *dig;
} ExactSum;

extern void xs_init(ExactSum *xs);
extern void xs_free(ExactSum *xs, const SlAlloc *al);
/* all adds return false only when the allocator fails */
extern bool xs_add(ExactSum *xs, double v, const SlAlloc *al);
extern bool xs_add_product(ExactSum *xs, double a, double b, const SlAlloc *al);
extern bool xs_add_sum(ExactSum *xs, const ExactSum *other, const SlAlloc *al);

/* the correctly rounded value (may be +-inf if the exact sum overflows) */
extern double xs_value(const ExactSum *xs);
/* hi = rounded value, lo = rounded remainder: a double-double */
extern void xs_value_dd(const ExactSum *xs, double *hi, double *lo);

/*
 * The same of value * 2^shift: the exact sum is scaled before it is
 * rounded, so a sum far outside the double range (sums of squares of y
 * near 1e200 or 1e-200) reads back with all its digits once scaled near 1.
 */
extern void xs_value_dd_scaled(const ExactSum *xs, int shift, double *hi, double *lo);

/*
 * floor(log2 |value|) to within one (exact unless the value rounds up to
 * a power of two), from the digits: defined for any magnitude.
 * XS_ILOGB_ZERO for zero.
 */
#define XS_ILOGB_ZERO (-100000)
extern int	xs_ilogb(const ExactSum *xs);

/* byte format: int32 lo, int32 n, n x int64 digits (carries propagated) */
extern size_t xs_serial_size(const ExactSum *xs);
extern void xs_normalize(ExactSum *xs);
extern size_t xs_serialize(const ExactSum *xs, unsigned char *out);
/*
 * Reads a serialized sum from buf (at most len bytes).  Returns the bytes
 * consumed, or 0 if the bytes are not a valid sum (out of range, digits not
 * normalised, truncated).  Never reads past len.
 */
extern size_t xs_deserialize(ExactSum *xs, const unsigned char *buf, size_t len,
							 const SlAlloc *al, bool *alloc_failed);

/*
 * FastSum: an ExactSum with a native fast path.  The first add fixes a
 * window of 127 bits; adds that fall inside it accumulate in a 128-bit
 * integer, the rest (and the integer, whenever it would overflow) go to the
 * ExactSum.  The value is acc * 2^e0 + spill, exactly, so readings do not
 * depend on which path an add took.  acc is kept as two 64-bit halves so
 * the struct needs only 8-byte alignment (palloc's).
 */
typedef struct FastSum
{
	uint64_t	acc_lo;
	int64_t		acc_hi;
	int32_t		e0;				/* weight of acc's bit 0 is 2^e0 */
	int32_t		has_window;
	ExactSum	spill;
} FastSum;

extern void fs_init(FastSum *fs);
extern void fs_free(FastSum *fs, const SlAlloc *al);
extern bool fs_add(FastSum *fs, double v, const SlAlloc *al);
extern bool fs_add_square(FastSum *fs, double v, const SlAlloc *al);
extern bool fs_add_exact(FastSum *fs, const ExactSum *other, const SlAlloc *al);
extern bool fs_add_fast(FastSum *fs, const FastSum *other, const SlAlloc *al);
/* the whole value as an ExactSum (out initialised here, allocated with al) */
extern bool fs_to_exact(const FastSum *fs, ExactSum *out, const SlAlloc *al);
extern void fs_value_dd(const FastSum *fs, double *hi, double *lo);
extern void fs_value_dd_scaled(const FastSum *fs, int shift, double *hi, double *lo);
extern int	fs_ilogb(const FastSum *fs);
/* serialised exactly as xs_serialize would write the whole value */
extern size_t fs_serial_size(const FastSum *fs);
extern size_t fs_serialize(const FastSum *fs, unsigned char *out);

#endif
