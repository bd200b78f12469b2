/*
 * dd.h -- double-double arithmetic (about 106 bits), for the few places
 * where a difference of large sums must keep its digits.
 */
#ifndef DD_H
#define DD_H

#include <math.h>

typedef struct
{
	double		hi;
	double		lo;
} dd_t;

static inline dd_t
dd_make(double hi, double lo)
{
	double		s = hi + lo;
	dd_t		r = {s, lo - (s - hi)};

	return r;
}

static inline dd_t
dd_add(dd_t a, dd_t b)
{
	double		s = a.hi + b.hi;
	double		bb = s - a.hi;
	double		e = (a.hi - (s - bb)) + (b.hi - bb);

	return dd_make(s, e + a.lo + b.lo);
}

static inline dd_t
dd_neg(dd_t a)
{
	dd_t		r = {-a.hi, -a.lo};

	return r;
}

static inline dd_t
dd_sub(dd_t a, dd_t b)
{
	return dd_add(a, dd_neg(b));
}

static inline dd_t
dd_mul(dd_t a, dd_t b)
{
	double		p = a.hi * b.hi;
	double		e = fma(a.hi, b.hi, -p);

	return dd_make(p, e + (a.hi * b.lo + a.lo * b.hi));
}

static inline dd_t
dd_div(dd_t a, dd_t b)
{
	double		q = a.hi / b.hi;
	dd_t		r = dd_sub(a, dd_mul(b, (dd_t) {q, 0.0}));
	double		q2 = r.hi / b.hi;

	return dd_make(q, q2);
}

static inline dd_t
dd_from(double a)
{
	dd_t		r = {a, 0.0};

	return r;
}

#endif
