/*
 * point_set.h -- the points a power-law fit needs, with identical inputs
 * merged into (count, exact sum of y), plus the exact sum of y^2 over all
 * rows.  Merging does not move the least-squares optimum; exact sums keep
 * the result independent of row order.
 */
#ifndef POINT_SET_H
#define POINT_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "exact_sum.h"

/* inputs of the power-law presets */
#define SL_MAX_INPUTS 3
/*
 * Inputs per point of a point set and of a stored value: the presets take
 * at most SL_MAX_INPUTS, the type fit_pointsn (for formula laws, whose
 * inputs are often learning rate, batch size, data and parameters) up to
 * this many.  Nothing in a point set depends on k beyond its entry size.
 */
#define SL_MAX_POINT_INPUTS 8
#define PS_MAX_ENTRIES (INT32_MAX / 4)

/* a hash slot: entry index (-1 empty) and high hash bits, checked first */
typedef struct PsSlot
{
	int32_t		idx;
	uint32_t	tag;
} PsSlot;

#define PS_INLINE_WORDS 96		/* 768 bytes: 27 entries of one input, 9 of eight */

typedef struct PointSet
{
	int			k;				/* inputs per point, 1..SL_MAX_POINT_INPUTS */
	int64_t		n_rows;			/* rows added */
	int32_t		n;				/* distinct input tuples */
	int32_t		cap;
	double	   *x;				/* n * k inputs */
	double	   *y1;				/* y of an entry seen once */
	int64_t    *w;				/* rows per entry */
	int32_t    *acc;			/* index into accs once w > 1, else -1 */
	FastSum    *accs;			/* exact sum of y for merged entries */
	int32_t		n_acc;
	int32_t		cap_acc;
	PsSlot	   *slots;			/* open-addressing hash of entries */
	uint32_t	n_slots;
	FastSum		y2;				/* exact sum of y^2 over all rows */

	/*
	 * Once the hash holds PS_HASH_LIMIT entries, rows whose inputs it does
	 * not hold are appended here unmerged (k inputs then y per row): a
	 * stream of distinct inputs costs a sequential write instead of a
	 * random probe into an ever larger table.  Runs of equal inputs are
	 * merged when the points are sorted (ps_sorted), and folded into the
	 * hash by ps_compact, which also runs by itself when the log turns out
	 * to be mostly repeats.
	 */
	double	   *log;
	int64_t		n_log;
	int64_t		cap_log;
	int64_t		log_check;		/* n_log at which to look for repeats */
	int64_t		log_sorted;		/* leading log rows known to be in order */

	/*
	 * The first block of entries lives here: a small group's whole state is
	 * then one allocation (an aggregate's state of a few hundred bytes plus
	 * this fits a 1 kB chunk).  A PointSet must not be copied by value.
	 */
	double		inline_x[PS_INLINE_WORDS];
} PointSet;

#define PS_HASH_LIMIT (1 << 16)
#define PS_LOG_CHECK_ROWS ((int64_t) 1 << 22)	/* first look for repeats */

/*
 * What the solver sees: entries sorted by their inputs.  y is scaled by a
 * power of two chosen from the sum of y^2 (so that the scaled values are
 * near 1): sums of squares of y near 1e200 or 1e-200 then neither overflow
 * nor underflow, and, since scaling by 2^e is exact, the fit of the scaled
 * values is the fit of y to the bit, scaled.
 */
typedef struct SortedPoints
{
	int			k;
	int32_t		m;				/* distinct points */
	int64_t		n_rows;
	int			y_exp;			/* y below is y * 2^-y_exp */
	double	   *x;				/* m * k */
	double	   *w;				/* rows per point */
	double	   *y;				/* mean y per point, scaled */
	double		ss_within;		/* sum over rows of (y - mean y of its point)^2, scaled twice */
} SortedPoints;

typedef enum PsStatus
{
	PS_OK = 0,
	PS_NO_MEMORY,
	PS_TOO_MANY_POINTS,
	PS_BAD_FORMAT,
	PS_COUNT_RANGE				/* more than 2^63 - 1 rows; the set is unchanged */
} PsStatus;

extern void ps_init(PointSet *ps, int k);
extern void ps_free(PointSet *ps, const SlAlloc *al);
extern PsStatus ps_add(PointSet *ps, const double *x, double y, const SlAlloc *al);
extern PsStatus ps_merge(PointSet *ps, const PointSet *other, const SlAlloc *al);
/* fold the log into the hash: afterwards every entry is distinct */
extern PsStatus ps_compact(PointSet *ps, const SlAlloc *al);
/*
 * Put the log in order (the set's value is unchanged), so that ps_sorted
 * can read it in place instead of sorting a copy.  Optional.
 */
extern PsStatus ps_sort_log(PointSet *ps, const SlAlloc *al);
extern PsStatus ps_sorted(const PointSet *ps, SortedPoints *out, const SlAlloc *al);
extern void ps_sorted_free(SortedPoints *sp, const SlAlloc *al);

/*
 * Writing SortedPoints, shared by ps_sorted and the reader of stored
 * values so that both give the solver the same bits: sp_start with the
 * floor(log2) of the exact sum of y^2 over all rows (xs_ilogb), then every
 * point in increasing order of inputs, then sp_finish with that sum read
 * scaled by 2^(-2 y_exp).
 */
typedef struct SpWriter
{
	SortedPoints *out;
	double		sq_hi,			/* sum over points of (sum y)^2 / w, scaled, */
				sq_lo;			/* as a double-double */
} SpWriter;

extern PsStatus sp_start(SpWriter *wr, SortedPoints *out, int k, int64_t n_rows,
						 int64_t m_max, int y2_ilogb, const SlAlloc *al);
/* a point of one row */
extern void sp_put_single(SpWriter *wr, const double *x, double y);
/* a point of w > 1 rows whose sum of y, times 2^-y_exp, is hi + lo */
extern void sp_put_sum(SpWriter *wr, const double *x, int64_t w, double hi, double lo);
extern void sp_finish(SpWriter *wr, double y2_hi, double y2_lo);
/*
 * Sets the key of the hash of inputs (by default random, chosen once per
 * process).  Results never depend on it.  For tests, before any set is
 * hashed: tables built under another key are no longer found.
 */
extern void ps_hash_set_key(uint64_t k0, uint64_t k1);
/*
 * The cost of the hash as a number that does not depend on timing: the
 * probes a lookup of every entry takes (total, and the longest).  0 while
 * the set is small enough to be scanned.  For tests.
 */
extern void ps_hash_probes(const PointSet *ps, uint64_t *total, uint64_t *longest);
/* lexicographic comparison of two input tuples of k values: -1, 0, 1 */
extern int	ps_cmp_inputs(const double *a, const double *b, int k);
/* distinct values of input j among the entries, counted up to limit */
extern int	ps_distinct_inputs(const SortedPoints *sp, int j, int limit);
/*
 * The data range of each input: lo[j], hi[j] the least and greatest x_j of
 * the points (+inf and -inf when there are none).  The points of the same
 * rows are the same whatever the order or plan, so are these bits.
 */
extern void sp_input_range(const SortedPoints *sp, double *lo, double *hi, const SlAlloc *al);

/*
 * Byte format, version 1 (little-endian host order, as PostgreSQL's own
 * internal serialisations): u8 version, u8 k, u16 zero, i32 n, i64 n_rows,
 * the exact sum of y^2, then n entries of k x float8, i64 w, and either
 * float8 y (w = 1) or the exact sum of y (w > 1).  Entries may repeat
 * inputs (the log's rows are written as entries of w = 1) unless the set
 * was compacted first; reading merges them.
 */
#define PS_FORMAT_VERSION 1
extern size_t ps_serial_size(const PointSet *ps, const SlAlloc *al);
extern void ps_serialize(const PointSet *ps, unsigned char *out, const SlAlloc *al);
extern PsStatus ps_deserialize(PointSet *ps, const unsigned char *buf, size_t len,
							   const SlAlloc *al);
/*
 * The same format with one entry per distinct input, in increasing order
 * of the inputs (log runs and hash entries merged), without changing ps.
 * *out is allocated with al.
 */
extern PsStatus ps_serialize_merged(const PointSet *ps, unsigned char **out, size_t *len,
									const SlAlloc *al);

#endif
