/*
 * point_set.c -- distinct input tuples with merged y sums; see point_set.h.
 */
#include "point_set.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dd.h"

void
ps_init(PointSet *ps, int k)
{
	memset(ps, 0, sizeof(*ps));
	ps->k = k;
	fs_init(&ps->y2);
}

void
ps_free(PointSet *ps, const SlAlloc *al)
{
	for (int i = 0; i < ps->n_acc; i++)
		fs_free(&ps->accs[i], al);
	if (ps->x)
		al->free(al->ctx, ps->x);
	if (ps->y1)
		al->free(al->ctx, ps->y1);
	if (ps->w)
		al->free(al->ctx, ps->w);
	if (ps->acc)
		al->free(al->ctx, ps->acc);
	if (ps->accs)
		al->free(al->ctx, ps->accs);
	if (ps->slots)
		al->free(al->ctx, ps->slots);
	fs_free(&ps->y2, al);
	ps_init(ps, ps->k);
}

static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t
hash_inputs(const double *x, int k)
{
	uint64_t	h = 0x9e3779b97f4a7c15ULL;

	for (int j = 0; j < k; j++)
	{
		uint64_t	bits;

		memcpy(&bits, &x[j], 8);
		h = mix64(h ^ bits);
	}
	return h;
}

static void *
grow(const SlAlloc *al, void *p, size_t elem, size_t old_n, size_t new_n)
{
	if (p == NULL)
		return al->alloc(al->ctx, elem * new_n);
	return al->realloc(al->ctx, p, elem * old_n, elem * new_n);
}

static PsStatus
rehash(PointSet *ps, uint32_t n_slots, const SlAlloc *al)
{
	PsSlot	   *slots;

	if (ps->slots)
		al->free(al->ctx, ps->slots);
	ps->slots = NULL;
	slots = al->alloc(al->ctx, sizeof(PsSlot) * (size_t) n_slots);
	if (slots == NULL)
		return PS_NO_MEMORY;
	memset(slots, 0xff, sizeof(PsSlot) * (size_t) n_slots);
	for (int32_t i = 0; i < ps->n; i++)
	{
		uint64_t	h = hash_inputs(&ps->x[(size_t) i * ps->k], ps->k);
		uint32_t	s = (uint32_t) h & (n_slots - 1);

		while (slots[s].idx >= 0)
			s = (s + 1) & (n_slots - 1);
		slots[s].idx = i;
		slots[s].tag = (uint32_t) (h >> 32);
	}
	ps->slots = slots;
	ps->n_slots = n_slots;
	return PS_OK;
}

static PsStatus
reserve_entry(PointSet *ps, const SlAlloc *al)
{
	if (ps->n >= PS_MAX_ENTRIES)
		return PS_TOO_MANY_POINTS;
	if (ps->n == ps->cap)
	{
		int32_t		nc = ps->cap ? ps->cap * 2 : 16;
		void	   *p;

		if (nc > PS_MAX_ENTRIES)
			nc = PS_MAX_ENTRIES;
		if (!(p = grow(al, ps->x, sizeof(double) * ps->k, ps->cap, nc)))
			return PS_NO_MEMORY;
		ps->x = p;
		if (!(p = grow(al, ps->y1, sizeof(double), ps->cap, nc)))
			return PS_NO_MEMORY;
		ps->y1 = p;
		if (!(p = grow(al, ps->w, sizeof(int64_t), ps->cap, nc)))
			return PS_NO_MEMORY;
		ps->w = p;
		if (!(p = grow(al, ps->acc, sizeof(int32_t), ps->cap, nc)))
			return PS_NO_MEMORY;
		ps->acc = p;
		ps->cap = nc;
	}
	if ((uint32_t) (ps->n + 1) * 2 > ps->n_slots)
	{
		PsStatus	st = rehash(ps, ps->n_slots ? ps->n_slots * 2 : 32, al);

		if (st != PS_OK)
			return st;
	}
	return PS_OK;
}

static inline bool
same_inputs(const double *a, const double *b, int k)
{
	for (int j = 0; j < k; j++)
	{
		uint64_t	ua,
					ub;

		memcpy(&ua, &a[j], 8);
		memcpy(&ub, &b[j], 8);
		if (ua != ub)
			return false;
	}
	return true;
}

/* index of the entry with inputs x, creating it (w = 0) if absent */
static inline PsStatus
find_or_insert(PointSet *ps, const double *x, int32_t *idx, const SlAlloc *al)
{
	uint64_t	h = hash_inputs(x, ps->k);
	uint32_t	s;
	int			k = ps->k;

	if (ps->n_slots > 0)
	{
		uint32_t	tag = (uint32_t) (h >> 32);

		s = (uint32_t) h & (ps->n_slots - 1);
		while (ps->slots[s].idx >= 0)
		{
			int32_t		e = ps->slots[s].idx;

			if (ps->slots[s].tag == tag && same_inputs(&ps->x[(size_t) e * k], x, k))
			{
				*idx = e;
				return PS_OK;
			}
			s = (s + 1) & (ps->n_slots - 1);
		}
	}
	{
		PsStatus	st = reserve_entry(ps, al);

		if (st != PS_OK)
			return st;
	}
	/* the table may have been rebuilt: find the free slot again */
	s = (uint32_t) h & (ps->n_slots - 1);
	while (ps->slots[s].idx >= 0)
		s = (s + 1) & (ps->n_slots - 1);
	*idx = ps->n;
	memcpy(&ps->x[(size_t) ps->n * k], x, sizeof(double) * k);
	ps->y1[ps->n] = 0.0;
	ps->w[ps->n] = 0;
	ps->acc[ps->n] = -1;
	ps->slots[s].idx = ps->n;
	ps->slots[s].tag = (uint32_t) (h >> 32);
	ps->n++;
	return PS_OK;
}

/* give entry e an exact accumulator holding its current sum */
static PsStatus
promote(PointSet *ps, int32_t e, const SlAlloc *al)
{
	FastSum    *a;

	if (ps->n_acc == ps->cap_acc)
	{
		int32_t		nc = ps->cap_acc ? ps->cap_acc * 2 : 8;
		void	   *p = grow(al, ps->accs, sizeof(FastSum), ps->cap_acc, nc);

		if (!p)
			return PS_NO_MEMORY;
		ps->accs = p;
		ps->cap_acc = nc;
	}
	a = &ps->accs[ps->n_acc];
	fs_init(a);
	if (ps->w[e] == 1 && !fs_add(a, ps->y1[e], al))
		return PS_NO_MEMORY;
	ps->acc[e] = ps->n_acc++;
	return PS_OK;
}

PsStatus
ps_add(PointSet *ps, const double *x, double y, const SlAlloc *al)
{
	int32_t		e;
	PsStatus	st = find_or_insert(ps, x, &e, al);

	if (st != PS_OK)
		return st;
	if (!fs_add_square(&ps->y2, y, al))
		return PS_NO_MEMORY;
	ps->n_rows++;
	if (ps->w[e] == 0)
	{
		ps->y1[e] = y;
		ps->w[e] = 1;
		return PS_OK;
	}
	if (ps->acc[e] < 0 && (st = promote(ps, e, al)) != PS_OK)
		return st;
	if (!fs_add(&ps->accs[ps->acc[e]], y, al))
		return PS_NO_MEMORY;
	ps->w[e]++;
	return PS_OK;
}

/* add w rows whose y sum is exactly y1 (w == 1) or *xsum or *fsum (w > 1) */
static PsStatus
add_entry(PointSet *ps, const double *x, int64_t w, double y1,
		  const ExactSum *xsum, const FastSum *fsum, const SlAlloc *al)
{
	int32_t		e;
	PsStatus	st = find_or_insert(ps, x, &e, al);

	if (st != PS_OK)
		return st;
	if (ps->w[e] == 0 && w == 1)
	{
		ps->y1[e] = y1;
		ps->w[e] = 1;
		return PS_OK;
	}
	if (ps->acc[e] < 0 && (st = promote(ps, e, al)) != PS_OK)
		return st;
	if (w == 1 ? !fs_add(&ps->accs[ps->acc[e]], y1, al)
		: xsum ? !fs_add_exact(&ps->accs[ps->acc[e]], xsum, al)
		: !fs_add_fast(&ps->accs[ps->acc[e]], fsum, al))
		return PS_NO_MEMORY;
	ps->w[e] += w;
	return PS_OK;
}

PsStatus
ps_merge(PointSet *ps, const PointSet *other, const SlAlloc *al)
{
	for (int32_t i = 0; i < other->n; i++)
	{
		PsStatus	st = add_entry(ps, &other->x[(size_t) i * other->k], other->w[i],
								   other->y1[i],
								   NULL,
								   other->acc[i] >= 0 ? &other->accs[other->acc[i]] : NULL,
								   al);

		if (st != PS_OK)
			return st;
	}
	if (!fs_add_fast(&ps->y2, &other->y2, al))
		return PS_NO_MEMORY;
	ps->n_rows += other->n_rows;
	return PS_OK;
}

/* lexicographic order of input tuples (all finite and positive) */
static int	sort_k;
static const double *sort_x;

static int
cmp_entries(const void *a, const void *b)
{
	const double *xa = &sort_x[(size_t) *(const int32_t *) a * sort_k];
	const double *xb = &sort_x[(size_t) *(const int32_t *) b * sort_k];

	for (int j = 0; j < sort_k; j++)
	{
		if (xa[j] < xb[j])
			return -1;
		if (xa[j] > xb[j])
			return 1;
	}
	return 0;
}

PsStatus
ps_sorted(const PointSet *ps, SortedPoints *out, const SlAlloc *al)
{
	int32_t    *order;
	int			k = ps->k;
	int32_t		m = ps->n;
	dd_t		sum_sq_means = dd_from(0.0);
	dd_t		y2;

	memset(out, 0, sizeof(*out));
	out->k = k;
	out->m = m;
	out->n_rows = ps->n_rows;
	order = al->alloc(al->ctx, sizeof(int32_t) * (size_t) (m ? m : 1));
	out->x = al->alloc(al->ctx, sizeof(double) * (size_t) (m ? m : 1) * k);
	out->w = al->alloc(al->ctx, sizeof(double) * (size_t) (m ? m : 1));
	out->y = al->alloc(al->ctx, sizeof(double) * (size_t) (m ? m : 1));
	if (!order || !out->x || !out->w || !out->y)
		return PS_NO_MEMORY;
	for (int32_t i = 0; i < m; i++)
		order[i] = i;
	sort_k = k;
	sort_x = ps->x;
	qsort(order, (size_t) m, sizeof(int32_t), cmp_entries);
	for (int32_t i = 0; i < m; i++)
	{
		int32_t		e = order[i];
		double		w = (double) ps->w[e];

		memcpy(&out->x[(size_t) i * k], &ps->x[(size_t) e * k], sizeof(double) * k);
		out->w[i] = w;
		if (ps->acc[e] < 0)
		{
			double		y = ps->y1[e];

			out->y[i] = y;
			sum_sq_means = dd_add(sum_sq_means, dd_make(y * y, fma(y, y, -y * y)));
		}
		else
		{
			dd_t		s;
			dd_t		mean;

			fs_value_dd(&ps->accs[ps->acc[e]], &s.hi, &s.lo);
			mean = dd_div(s, dd_from(w));
			out->y[i] = mean.hi + mean.lo;
			sum_sq_means = dd_add(sum_sq_means, dd_mul(s, mean));
		}
	}
	al->free(al->ctx, order);
	fs_value_dd(&ps->y2, &y2.hi, &y2.lo);
	{
		dd_t		within = dd_sub(y2, sum_sq_means);

		out->ss_within = within.hi > 0.0 ? within.hi + within.lo : 0.0;
	}
	return PS_OK;
}

void
ps_sorted_free(SortedPoints *sp, const SlAlloc *al)
{
	if (sp->x)
		al->free(al->ctx, sp->x);
	if (sp->w)
		al->free(al->ctx, sp->w);
	if (sp->y)
		al->free(al->ctx, sp->y);
	memset(sp, 0, sizeof(*sp));
}

int
ps_distinct_inputs(const SortedPoints *sp, int j, int limit)
{
	int			count = 0;
	double		seen[8];

	if (limit > 8)
		limit = 8;
	for (int32_t i = 0; i < sp->m && count < limit; i++)
	{
		double		v = sp->x[(size_t) i * sp->k + j];
		int			c;

		for (c = 0; c < count; c++)
			if (seen[c] == v)
				break;
		if (c == count)
			seen[count++] = v;
	}
	return count;
}

/* ---- serialisation ---- */

size_t
ps_serial_size(const PointSet *ps)
{
	size_t		size = 16 + fs_serial_size(&ps->y2);

	for (int32_t i = 0; i < ps->n; i++)
		size += 8 * (size_t) ps->k + 8 +
			(ps->acc[i] < 0 ? 8 : fs_serial_size(&ps->accs[ps->acc[i]]));
	return size;
}

void
ps_serialize(const PointSet *ps, unsigned char *out)
{
	unsigned char *p = out;
	uint8_t		hdr[4] = {PS_FORMAT_VERSION, (uint8_t) ps->k, 0, 0};

	memcpy(p, hdr, 4);
	memcpy(p + 4, &ps->n, 4);
	memcpy(p + 8, &ps->n_rows, 8);
	p += 16;
	p += fs_serialize(&ps->y2, p);
	for (int32_t i = 0; i < ps->n; i++)
	{
		memcpy(p, &ps->x[(size_t) i * ps->k], 8 * (size_t) ps->k);
		p += 8 * ps->k;
		memcpy(p, &ps->w[i], 8);
		p += 8;
		if (ps->acc[i] < 0)
		{
			memcpy(p, &ps->y1[i], 8);
			p += 8;
		}
		else
			p += fs_serialize(&ps->accs[ps->acc[i]], p);
	}
}

PsStatus
ps_deserialize(PointSet *ps, const unsigned char *buf, size_t len,
			   const SlAlloc *al)
{
	int32_t		n;
	int64_t		n_rows,
				total = 0;
	size_t		off,
				used;
	bool		nomem;
	ExactSum	tmp;
	PsStatus	st;

	ps_init(ps, 1);
	if (len < 16 || buf[0] != PS_FORMAT_VERSION || buf[1] < 1 ||
		buf[1] > SL_MAX_INPUTS || buf[2] != 0 || buf[3] != 0)
		return PS_BAD_FORMAT;
	ps_init(ps, buf[1]);
	memcpy(&n, buf + 4, 4);
	memcpy(&n_rows, buf + 8, 8);
	if (n < 0 || n > PS_MAX_ENTRIES || n_rows < n)
		return PS_BAD_FORMAT;
	off = 16;
	used = xs_deserialize(&ps->y2.spill, buf + off, len - off, al, &nomem);
	if (used == 0)
		return nomem ? PS_NO_MEMORY : PS_BAD_FORMAT;
	off += used;
	for (int32_t i = 0; i < n; i++)
	{
		double		x[SL_MAX_INPUTS];
		int64_t		w;
		double		y1 = 0.0;

		if (len - off < 8 * (size_t) ps->k + 8)
			return PS_BAD_FORMAT;
		memcpy(x, buf + off, 8 * (size_t) ps->k);
		off += 8 * ps->k;
		for (int j = 0; j < ps->k; j++)
			if (!isfinite(x[j]) || !(x[j] > 0.0))
				return PS_BAD_FORMAT;
		memcpy(&w, buf + off, 8);
		off += 8;
		if (w < 1 || w > n_rows - total)
			return PS_BAD_FORMAT;
		total += w;
		if (w == 1)
		{
			if (len - off < 8)
				return PS_BAD_FORMAT;
			memcpy(&y1, buf + off, 8);
			off += 8;
			if (!isfinite(y1))
				return PS_BAD_FORMAT;
			st = add_entry(ps, x, 1, y1, NULL, NULL, al);
		}
		else
		{
			used = xs_deserialize(&tmp, buf + off, len - off, al, &nomem);
			if (used == 0)
				return nomem ? PS_NO_MEMORY : PS_BAD_FORMAT;
			off += used;
			if (!isfinite(xs_value(&tmp)))
			{
				xs_free(&tmp, al);
				return PS_BAD_FORMAT;
			}
			st = add_entry(ps, x, w, 0.0, &tmp, NULL, al);
			xs_free(&tmp, al);
		}
		if (st != PS_OK)
			return st;
	}
	if (off != len || total != n_rows)
		return PS_BAD_FORMAT;
	ps->n_rows = n_rows;
	return PS_OK;
}
