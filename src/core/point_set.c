/*
 * point_set.c -- distinct input tuples with merged y sums; see point_set.h.
 */
#include "point_set.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/random.h>
#endif

#include "dd.h"

void
ps_init(PointSet *ps, int k)
{
	/* the inline entry block needs no clearing: entries are written before use */
	memset(ps, 0, offsetof(PointSet, inline_x));
	ps->k = k;
	fs_init(&ps->y2);
}

void
ps_free(PointSet *ps, const SlAlloc *al)
{
	for (int i = 0; i < ps->n_acc; i++)
	{
		fs_free(&ps->accs[i], al);
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	if (ps->x && ps->x != ps->inline_x)
		al->free(al->ctx, ps->x);	/* one block: x, y1, w, acc */
	if (ps->accs)
		al->free(al->ctx, ps->accs);
	if (ps->slots)
		al->free(al->ctx, ps->slots);
	if (ps->log)
		al->free(al->ctx, ps->log);
	fs_free(&ps->y2, al);
	ps_init(ps, ps->k);
}

/*
 * The hash of an input tuple is SipHash-1-3 (Aumasson and Bernstein's
 * keyed PRF for hash tables, as Rust's and Python's own tables use) under
 * a random key chosen once per process.  An unkeyed hash lets anyone who
 * can insert rows choose inputs that share one slot: 65,536 of them made a
 * group 130 times slower, and a 2 MB stored value ran for minutes.  With
 * the key unknown, crafted inputs cost what ordinary ones do.  Nothing a
 * set computes depends on the key: entries are sorted by their inputs
 * before any fit or canonical value, and partial states list entries in
 * the order they were added.
 */
static uint64_t hash_key[2];
static bool hash_keyed;

/* a key from the kernel; failing that, clock and address bits (still per process) */
static void
hash_key_init(void)
{
	unsigned char buf[16];
	bool		ok = false;

#ifdef __linux__
	ok = getrandom(buf, sizeof(buf), GRND_NONBLOCK) == (ssize_t) sizeof(buf);
#endif
	if (!ok)
	{
		FILE	   *f = fopen("/dev/urandom", "rb");

		ok = f != NULL && fread(buf, 1, sizeof(buf), f) == sizeof(buf);
		if (f)
			fclose(f);
	}
	if (!ok)
	{
		struct timespec t;
		uint64_t	z;

		clock_gettime(CLOCK_REALTIME, &t);
		z = (uint64_t) t.tv_nsec ^ ((uint64_t) t.tv_sec << 30) ^ (uint64_t) (uintptr_t) &t ^
			((uint64_t) getpid() << 40);
		for (int i = 0; i < 2; i++)
		{
			z += 0x9e3779b97f4a7c15ULL;
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
			z ^= z >> 31;
			memcpy(buf + 8 * i, &z, 8);
		}
	}
	memcpy(hash_key, buf, sizeof(hash_key));
	hash_keyed = true;
}

void
ps_hash_set_key(uint64_t k0, uint64_t k1)
{
	hash_key[0] = k0;
	hash_key[1] = k1;
	hash_keyed = true;
}

#define SIP_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND() do { \
	v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; v0 = SIP_ROTL(v0, 32); \
	v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; v2 = SIP_ROTL(v2, 32); } while (0)

/* SipHash-1-3 of the k inputs' bits (8 k bytes, one word each) */
static inline uint64_t
hash_inputs(const double *x, int k)
{
	uint64_t	v0 = hash_key[0] ^ 0x736f6d6570736575ULL,
				v1 = hash_key[1] ^ 0x646f72616e646f6dULL,
				v2 = hash_key[0] ^ 0x6c7967656e657261ULL,
				v3 = hash_key[1] ^ 0x7465646279746573ULL,
				last = (uint64_t) (8 * k) << 56;

	for (int j = 0; j < k; j++)
	{
		uint64_t	m;

		memcpy(&m, &x[j], 8);
		v3 ^= m;
		SIP_ROUND();
		v0 ^= m;
	}
	v3 ^= last;
	SIP_ROUND();
	v0 ^= last;
	v2 ^= 0xff;
	SIP_ROUND();
	SIP_ROUND();
	SIP_ROUND();
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * memcpy and memset of blocks that can reach a gigabyte, in 1 MB pieces
 * with an interrupt check after each: one call must not hold off a cancel.
 */
#define BIG_COPY_PIECE ((size_t) 1 << 20)

static void
copy_checked(void *dst, const void *src, size_t bytes, const SlAlloc *al)
{
	for (size_t done = 0; done < bytes; done += BIG_COPY_PIECE)
	{
		size_t		n = bytes - done < BIG_COPY_PIECE ? bytes - done : BIG_COPY_PIECE;

		memcpy((char *) dst + done, (const char *) src + done, n);
		if (bytes > BIG_COPY_PIECE)
			sl_check_interrupts(al);
	}
}

static void
set_checked(void *dst, int c, size_t bytes, const SlAlloc *al)
{
	for (size_t done = 0; done < bytes; done += BIG_COPY_PIECE)
	{
		size_t		n = bytes - done < BIG_COPY_PIECE ? bytes - done : BIG_COPY_PIECE;

		memset((char *) dst + done, c, n);
		if (bytes > BIG_COPY_PIECE)
			sl_check_interrupts(al);
	}
}

static void *
grow(const SlAlloc *al, void *p, size_t elem, size_t old_n, size_t new_n)
{
	if (p == NULL)
		return al->alloc(al->ctx, elem * new_n);
	return al->realloc(al->ctx, p, elem * old_n, elem * new_n);
}

#define PS_SCAN_LIMIT 32		/* entries found by a linear scan before hashing */

static PsStatus
rehash(PointSet *ps, uint32_t n_slots, const SlAlloc *al)
{
	PsSlot	   *slots;

	if (!hash_keyed)
		hash_key_init();		/* every table is built here first */
	if (ps->slots)
		al->free(al->ctx, ps->slots);
	ps->slots = NULL;
	slots = al->alloc(al->ctx, sizeof(PsSlot) * (size_t) n_slots);
	if (slots == NULL)
		return PS_NO_MEMORY;
	set_checked(slots, 0xff, sizeof(PsSlot) * (size_t) n_slots, al);
	for (int32_t i = 0; i < ps->n; i++)
	{
		uint64_t	h = hash_inputs(&ps->x[(size_t) i * ps->k], ps->k);
		uint32_t	s = (uint32_t) h & (n_slots - 1);

		while (slots[s].idx >= 0)
			s = (s + 1) & (n_slots - 1);
		slots[s].idx = i;
		slots[s].tag = (uint32_t) (h >> 32);
		sl_check_interrupts_every(al, (uint64_t) i + 1);
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
		size_t		entry = sizeof(double) * (ps->k + 2) + sizeof(int32_t);
		/* first block: the inline buffer */
		int32_t		nc = ps->cap ? ps->cap * 2 : (int32_t) (sizeof(ps->inline_x) / entry);
		void	   *p;

		if (nc > PS_MAX_ENTRIES)
			nc = PS_MAX_ENTRIES;
		/* x, y1, w and acc share one block (one allocation per growth) */
		if (ps->cap == 0)
			p = ps->inline_x;
		else if ((p = al->alloc(al->ctx, entry * (size_t) nc)) == NULL)
			return PS_NO_MEMORY;
		{
			double	   *x = p;
			double	   *y1 = x + (size_t) nc * ps->k;
			int64_t    *w = (int64_t *) (y1 + nc);
			int32_t    *acc = (int32_t *) (w + nc);

			if (ps->n > 0)
			{
				copy_checked(x, ps->x, sizeof(double) * ps->k * (size_t) ps->n, al);
				copy_checked(y1, ps->y1, sizeof(double) * (size_t) ps->n, al);
				copy_checked(w, ps->w, sizeof(int64_t) * (size_t) ps->n, al);
				copy_checked(acc, ps->acc, sizeof(int32_t) * (size_t) ps->n, al);
			}
			if (ps->x && ps->x != ps->inline_x)
				al->free(al->ctx, ps->x);
			ps->x = x;
			ps->y1 = y1;
			ps->w = w;
			ps->acc = acc;
		}
		ps->cap = nc;
	}
	/* small sets are scanned, not hashed (see find_or_insert) */
	if (ps->n + 1 > PS_SCAN_LIMIT && (uint32_t) (ps->n + 1) * 2 > ps->n_slots)
	{
		PsStatus	st = rehash(ps, ps->n_slots ? ps->n_slots * 2 : 4 * PS_SCAN_LIMIT, al);

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

/*
 * Index of the entry with inputs x, creating it (w = 0) if absent.  With
 * log_ok, a new input finds no room once the hash holds PS_HASH_LIMIT
 * entries: *idx is then -1 and the caller logs the row.
 */
static inline PsStatus
find_or_insert(PointSet *ps, const double *x, bool log_ok, int32_t *idx,
			   const SlAlloc *al)
{
	uint64_t	h;
	uint32_t	s;
	int			k = ps->k;

	if (ps->n_slots == 0)
	{
		/* up to PS_SCAN_LIMIT entries: a linear scan, no table */
		for (int32_t e = 0; e < ps->n; e++)
			if (same_inputs(&ps->x[(size_t) e * k], x, k))
			{
				*idx = e;
				return PS_OK;
			}
		if ((int64_t) ps->n + ps->n_log >= PS_MAX_ENTRIES)
			return PS_TOO_MANY_POINTS;
		{
			PsStatus	st = reserve_entry(ps, al);

			if (st != PS_OK)
				return st;
		}
		if (ps->n_slots == 0)
		{
			*idx = ps->n;
			memcpy(&ps->x[(size_t) ps->n * k], x, sizeof(double) * k);
			ps->y1[ps->n] = 0.0;
			ps->w[ps->n] = 0;
			ps->acc[ps->n] = -1;
			ps->n++;
			return PS_OK;
		}
		/* the table was just built: insert through it */
	}
	h = hash_inputs(x, ps->k);
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
	if (log_ok && ps->n >= PS_HASH_LIMIT)
	{
		*idx = -1;
		return PS_OK;
	}
	if ((int64_t) ps->n + ps->n_log >= PS_MAX_ENTRIES)
		return PS_TOO_MANY_POINTS;
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

void
ps_hash_probes(const PointSet *ps, uint64_t *total, uint64_t *longest)
{
	*total = *longest = 0;
	for (uint32_t s = 0; s < ps->n_slots; s++)
	{
		int32_t		e = ps->slots[s].idx;
		uint32_t	home;
		uint64_t	probes;

		if (e < 0)
			continue;
		home = (uint32_t) hash_inputs(&ps->x[(size_t) e * ps->k], ps->k) & (ps->n_slots - 1);
		probes = ((s - home) & (ps->n_slots - 1)) + 1;
		*total += probes;
		if (probes > *longest)
			*longest = probes;
	}
}

int
ps_cmp_inputs(const double *a, const double *b, int k)
{
	for (int j = 0; j < k; j++)
	{
		if (a[j] < b[j])
			return -1;
		if (a[j] > b[j])
			return 1;
	}
	return 0;
}

/*
 * The bits of a finite double as an unsigned key in the order of the
 * values: positive doubles order as their bit patterns; a negative one's
 * bits are complemented so that it sorts below them, the larger magnitude
 * first.  (A point set holds no -0: ps_add stores +0 for it.)
 */
static inline uint64_t
order_key(const double *v)
{
	uint64_t	b;

	memcpy(&b, v, 8);
	return (b >> 63) ? ~b : b | ((uint64_t) 1 << 63);
}

/*
 * Sort n log rows (k inputs then y) by their inputs: LSD radix sort on the
 * order keys of each input (inputs of any sign: the formula laws take
 * them), 16 bits per pass, passes where every row has the same digit
 * skipped.
 */
static bool
sort_rows(double *rows, int64_t n, int k, const SlAlloc *al)
{
	int			stride = k + 1;
	double	   *tmp,
			   *src = rows,
			   *dst;
	size_t	   *cnt;

	if (n < 2)
		return true;
	tmp = al->alloc(al->ctx, sizeof(double) * (size_t) stride * (size_t) n);
	cnt = al->alloc(al->ctx, sizeof(size_t) * 65536);
	if (tmp == NULL || cnt == NULL)
	{
		if (tmp)
			al->free(al->ctx, tmp);
		if (cnt)
			al->free(al->ctx, cnt);
		return false;
	}
	dst = tmp;
	for (int j = k - 1; j >= 0; j--)
		for (int shift = 0; shift < 64; shift += 16)
		{
			size_t		pos = 0;
			uint64_t	first;
			double	   *t;

			memset(cnt, 0, sizeof(size_t) * 65536);
			for (int64_t i = 0; i < n; i++)
			{
				uint64_t	b = order_key(&src[(size_t) i * stride + j]);

				cnt[(b >> shift) & 0xFFFF]++;
				sl_check_interrupts_every(al, (uint64_t) i + 1);
			}
			first = order_key(&src[j]);
			if (cnt[(first >> shift) & 0xFFFF] == (size_t) n)
				continue;
			for (int d = 0; d < 65536; d++)
			{
				size_t		c = cnt[d];

				cnt[d] = pos;
				pos += c;
			}
			for (int64_t i = 0; i < n; i++)
			{
				uint64_t	b = order_key(&src[(size_t) i * stride + j]);
				size_t		to;

				to = cnt[(b >> shift) & 0xFFFF]++;
				for (int c = 0; c < stride; c++)
					dst[to * stride + c] = src[(size_t) i * stride + c];
				sl_check_interrupts_every(al, (uint64_t) i + 1);
			}
			t = src;
			src = dst;
			dst = t;
		}
	if (src != rows)
		copy_checked(rows, src, sizeof(double) * (size_t) stride * (size_t) n, al);
	al->free(al->ctx, tmp);
	al->free(al->ctx, cnt);
	return true;
}

/* append n rows (k inputs then y each) to the log */
static PsStatus
log_append(PointSet *ps, const double *rows, int64_t n, const SlAlloc *al)
{
	size_t		stride = (size_t) ps->k + 1;
	PsStatus	st;

	if ((int64_t) ps->n + ps->n_log + n > PS_MAX_ENTRIES)
	{
		st = ps_compact(ps, al);
		if (st != PS_OK)
			return st;
		if ((int64_t) ps->n + n > PS_MAX_ENTRIES)
			return PS_TOO_MANY_POINTS;
	}
	if (ps->n_log + n > ps->cap_log)
	{
		int64_t		nc = ps->cap_log ? ps->cap_log : 1024;
		void	   *p;

		while (nc < ps->n_log + n)
			nc *= 2;
		p = grow(al, ps->log, sizeof(double) * stride, (size_t) ps->cap_log, (size_t) nc);
		if (p == NULL)
			return PS_NO_MEMORY;
		ps->log = p;
		ps->cap_log = nc;
	}
	copy_checked(&ps->log[(size_t) ps->n_log * stride], rows, sizeof(double) * stride * (size_t) n, al);
	ps->n_log += n;
	if (ps->log_check == 0)
		ps->log_check = PS_LOG_CHECK_ROWS;
	if (ps->n_log >= ps->log_check)
	{
		/* mostly repeats: fold them into the hash; else look again later */
		int64_t		runs = 1;

		if ((st = ps_sort_log(ps, al)) != PS_OK)
			return st;
		for (int64_t i = 1; i < ps->n_log; i++)
		{
			runs += ps_cmp_inputs(&ps->log[(size_t) (i - 1) * stride],
							   &ps->log[(size_t) i * stride], ps->k) != 0;
			sl_check_interrupts_every(al, (uint64_t) i);
		}
		if (2 * runs <= ps->n_log)
			return ps_compact(ps, al);
		ps->log_check = 2 * ps->n_log;
	}
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
	int64_t		n_rows;
	PsStatus	st;
	double		xc[SL_MAX_POINT_INPUTS];

	/* every w is at most n_rows, so w + 1 cannot overflow either */
	if (__builtin_add_overflow(ps->n_rows, 1, &n_rows))
		return PS_COUNT_RANGE;
	/* -0.0: one canonical zero in every value (inputs of formula laws may be 0) */
	if (y == 0.0)
		y = 0.0;
	for (int j = 0; j < ps->k; j++)
		xc[j] = x[j] == 0.0 ? 0.0 : x[j];
	x = xc;
	if ((st = find_or_insert(ps, x, true, &e, al)) != PS_OK)
		return st;
	if (e < 0)
	{
		double		row[SL_MAX_POINT_INPUTS + 1];

		memcpy(row, x, sizeof(double) * ps->k);
		row[ps->k] = y;
		if ((st = log_append(ps, row, 1, al)) != PS_OK)
			return st;
	}
	if (!fs_add_square(&ps->y2, y, al))
		return PS_NO_MEMORY;
	ps->n_rows = n_rows;
	if (e < 0)
		return PS_OK;
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

/*
 * Add w rows whose y sum is exactly y1 (w == 1) or *xsum or *fsum (w > 1).
 * A single row with new inputs goes to the log when log_ok and the hash is
 * full.
 */
static PsStatus
add_entry(PointSet *ps, const double *x, int64_t w, double y1,
		  const ExactSum *xsum, const FastSum *fsum, bool log_ok, const SlAlloc *al)
{
	int32_t		e;
	int64_t		w_sum;
	PsStatus	st = find_or_insert(ps, x, log_ok && w == 1, &e, al);

	if (y1 == 0.0)
		y1 = 0.0;				/* -0.0 (stored by 1.1) reads as 0.0 */
	if (st != PS_OK)
		return st;
	if (e < 0)
	{
		double		row[SL_MAX_POINT_INPUTS + 1];

		memcpy(row, x, sizeof(double) * ps->k);
		row[ps->k] = y1;
		return log_append(ps, row, 1, al);
	}
	if (ps->w[e] == 0 && w == 1)
	{
		ps->y1[e] = y1;
		ps->w[e] = 1;
		return PS_OK;
	}
	if (__builtin_add_overflow(ps->w[e], w, &w_sum))
		return PS_COUNT_RANGE;
	if (ps->acc[e] < 0 && (st = promote(ps, e, al)) != PS_OK)
		return st;
	if (w == 1 ? !fs_add(&ps->accs[ps->acc[e]], y1, al)
		: xsum ? !fs_add_exact(&ps->accs[ps->acc[e]], xsum, al)
		: !fs_add_fast(&ps->accs[ps->acc[e]], fsum, al))
		return PS_NO_MEMORY;
	ps->w[e] = w_sum;
	return PS_OK;
}

PsStatus
ps_merge(PointSet *ps, const PointSet *other, const SlAlloc *al)
{
	int64_t		n_rows;

	/* first: the w of every merged entry is then at most n_rows too */
	if (__builtin_add_overflow(ps->n_rows, other->n_rows, &n_rows))
		return PS_COUNT_RANGE;
	for (int32_t i = 0; i < other->n; i++)
	{
		PsStatus	st = add_entry(ps, &other->x[(size_t) i * other->k], other->w[i],
								   other->y1[i],
								   NULL,
								   other->acc[i] >= 0 ? &other->accs[other->acc[i]] : NULL,
								   true, al);

		if (st != PS_OK)
			return st;
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	if (other->n_log > 0)
	{
		PsStatus	st = log_append(ps, other->log, other->n_log, al);

		if (st != PS_OK)
			return st;
	}
	if (!fs_add_fast(&ps->y2, &other->y2, al))
		return PS_NO_MEMORY;
	ps->n_rows = n_rows;
	return PS_OK;
}

PsStatus
ps_sort_log(PointSet *ps, const SlAlloc *al)
{
	size_t		stride = (size_t) ps->k + 1;
	int64_t		head = ps->log_sorted,
				tail = ps->n_log - ps->log_sorted;
	double	   *merged;

	if (tail == 0)
		return PS_OK;
	if (!sort_rows(ps->log + (size_t) head * stride, tail, ps->k, al))
		return PS_NO_MEMORY;
	if (head > 0)
	{
		/* merge the sorted head and the newly sorted tail */
		const double *a = ps->log,
				   *b = ps->log + (size_t) head * stride;
		int64_t		i = 0,
					j = 0,
					o = 0;

		merged = al->alloc(al->ctx, sizeof(double) * stride * (size_t) ps->n_log);
		if (merged == NULL)
			return PS_NO_MEMORY;
		while (i < head || j < tail)
		{
			const double *src;

			if (j >= tail || (i < head && ps_cmp_inputs(&a[(size_t) i * stride],
													 &b[(size_t) j * stride], ps->k) <= 0))
				src = &a[(size_t) i++ * stride];
			else
				src = &b[(size_t) j++ * stride];
			memcpy(&merged[(size_t) o++ * stride], src, sizeof(double) * stride);
			sl_check_interrupts_every(al, (uint64_t) o);
		}
		al->free(al->ctx, ps->log);
		ps->log = merged;
		ps->cap_log = ps->n_log;	/* the merged copy holds exactly the rows */
	}
	ps->log_sorted = ps->n_log;
	return PS_OK;
}

PsStatus
ps_compact(PointSet *ps, const SlAlloc *al)
{
	size_t		stride = (size_t) ps->k + 1;
	double	   *log = ps->log;
	int64_t		n_log = ps->n_log;

	PsStatus	sst;

	if (n_log == 0)
		return PS_OK;
	if ((sst = ps_sort_log(ps, al)) != PS_OK)
		return sst;
	log = ps->log;
	/* detach the log first: the entries it becomes count against the limit */
	ps->log_sorted = 0;
	ps->log = NULL;
	ps->n_log = 0;
	ps->cap_log = 0;
	ps->log_check = 0;
	for (int64_t i = 0; i < n_log;)
	{
		const double *x = &log[(size_t) i * stride];
		int64_t		j = i + 1;
		PsStatus	st;

		while (j < n_log && ps_cmp_inputs(x, &log[(size_t) j * stride], ps->k) == 0)
			j++;
		if (j == i + 1)
			st = add_entry(ps, x, 1, x[ps->k], NULL, NULL, false, al);
		else
		{
			FastSum		run;

			fs_init(&run);
			for (int64_t r = i; r < j; r++)
			{
				if (!fs_add(&run, log[(size_t) r * stride + ps->k], al))
				{
					fs_free(&run, al);
					al->free(al->ctx, log);
					return PS_NO_MEMORY;
				}
				sl_check_interrupts_every(al, (uint64_t) r + 1);
			}
			st = add_entry(ps, x, j - i, 0.0, NULL, &run, false, al);
			fs_free(&run, al);
		}
		if (st != PS_OK)
		{
			al->free(al->ctx, log);
			return st;
		}
		sl_check_interrupts_every(al, (uint64_t) i + 1);
		i = j;
	}
	al->free(al->ctx, log);
	return PS_OK;
}

/*
 * order[0..n) = the hash entries' indexes in increasing order of inputs.
 * A merge sort (qsort cannot be interrupted, and a set folded from its log
 * can hold millions of entries).  False when memory ran out.
 */
static bool
order_entries(const PointSet *ps, int32_t *order, const SlAlloc *al)
{
	int			k = ps->k;
	int32_t		n = ps->n;
	int32_t    *tmp,
			   *src = order,
			   *dst;
	uint64_t	moved = 0;

	for (int32_t i = 0; i < n; i++)
		order[i] = i;
	if (n <= 32)
	{
		/* small groups, the common case: insertion sort, no calls */
		for (int32_t i = 1; i < n; i++)
		{
			int32_t		e = order[i];
			const double *x = &ps->x[(size_t) e * k];
			int32_t		j = i;

			while (j > 0 && ps_cmp_inputs(&ps->x[(size_t) order[j - 1] * k], x, k) > 0)
			{
				order[j] = order[j - 1];
				j--;
			}
			order[j] = e;
		}
		return true;
	}
	if ((tmp = al->alloc(al->ctx, sizeof(int32_t) * (size_t) n)) == NULL)
		return false;
	dst = tmp;
	for (int32_t width = 1; width < n; width *= 2)
	{
		for (int32_t lo = 0; lo < n; lo += 2 * width)
		{
			int32_t		mid = lo + width < n ? lo + width : n,
						hi = lo + 2 * width < n ? lo + 2 * width : n,
						a = lo,
						b = mid;

			for (int32_t o = lo; o < hi; o++)
			{
				if (b >= hi || (a < mid && ps_cmp_inputs(&ps->x[(size_t) src[a] * k],
													   &ps->x[(size_t) src[b] * k], k) <= 0))
					dst[o] = src[a++];
				else
					dst[o] = src[b++];
				sl_check_interrupts_every(al, ++moved);
			}
		}
		{
			int32_t    *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != order)
		copy_checked(order, src, sizeof(int32_t) * (size_t) n, al);
	al->free(al->ctx, tmp);
	return true;
}

/*
 * The walk over a set's points in increasing order of inputs: the hash
 * entries (order[] sorted) merged with the sorted log, rows of the same
 * input together whichever side they are on.
 */
typedef struct MergedPoint
{
	const double *x;
	int32_t		e;				/* hash entry with these inputs, or -1 */
	int64_t		j,				/* log rows [j, run_end) with these inputs */
				run_end;
	int64_t		w;				/* rows in all */
} MergedPoint;

/* the next point after cursors *i (into order) and *j (into log); false at the end */
static bool
merged_next(const PointSet *ps, const int32_t *order, const double *log,
			int32_t *i, int64_t *j, MergedPoint *p)
{
	int			k = ps->k;
	size_t		stride = (size_t) k + 1;
	const double *ex = *i < ps->n ? &ps->x[(size_t) order[*i] * k] : NULL;
	const double *lx = *j < ps->n_log ? &log[(size_t) *j * stride] : NULL;
	int			c;

	if (ex == NULL && lx == NULL)
		return false;
	c = ex == NULL ? 1 : lx == NULL ? -1 : ps_cmp_inputs(ex, lx, k);
	p->e = c <= 0 ? order[*i] : -1;
	p->x = c <= 0 ? ex : lx;
	p->j = p->run_end = *j;
	if (c >= 0)
		while (p->run_end < ps->n_log &&
			   ps_cmp_inputs(p->x, &log[(size_t) p->run_end * stride], k) == 0)
			p->run_end++;
	p->w = (p->e >= 0 ? ps->w[p->e] : 0) + (p->run_end - p->j);
	if (c <= 0)
		(*i)++;
	*j = p->run_end;
	return true;
}

/*
 * The exact sum of y of a point of more than one row into t (initialised
 * here; the caller frees it).  False when memory ran out.
 */
static bool
merged_sum(const PointSet *ps, const double *log, const MergedPoint *p, FastSum *t,
		   const SlAlloc *al)
{
	size_t		stride = (size_t) ps->k + 1;
	bool		ok = true;

	fs_init(t);
	if (p->e >= 0)
		ok = ps->acc[p->e] < 0 ? fs_add(t, ps->y1[p->e], al)
			: fs_add_fast(t, &ps->accs[ps->acc[p->e]], al);
	for (int64_t r = p->j; r < p->run_end && ok; r++)
	{
		ok = fs_add(t, log[(size_t) r * stride + ps->k], al);
		sl_check_interrupts_every(al, (uint64_t) (r - p->j) + 1);
	}
	return ok;
}

/* the y of a point of one row */
static inline double
merged_single_y(const PointSet *ps, const double *log, const MergedPoint *p)
{
	return p->e >= 0 ? ps->y1[p->e] : log[(size_t) p->j * (ps->k + 1) + ps->k];
}

/* the scale exponent of y: about half that of the sum of y^2 */
static int
y_scale_exp(int y2_ilogb)
{
	if (y2_ilogb == XS_ILOGB_ZERO)
		return 0;
	return y2_ilogb >= 0 ? y2_ilogb / 2 : -((-y2_ilogb + 1) / 2);
}

PsStatus
sp_start(SpWriter *wr, SortedPoints *out, int k, int64_t n_rows, int64_t m_max,
		 int y2_ilogb, const SlAlloc *al)
{
	size_t		cap = (size_t) (m_max > 0 ? m_max : 1);

	memset(out, 0, sizeof(*out));
	wr->out = out;
	wr->sq_hi = wr->sq_lo = 0.0;
	out->k = k;
	out->n_rows = n_rows;
	out->y_exp = y_scale_exp(y2_ilogb);
	out->x = al->alloc(al->ctx, sizeof(double) * cap * k);
	out->w = al->alloc(al->ctx, sizeof(double) * cap);
	out->y = al->alloc(al->ctx, sizeof(double) * cap);
	if (!out->x || !out->w || !out->y)
		return PS_NO_MEMORY;
	return PS_OK;
}

static inline void
sp_put_x(SpWriter *wr, const double *x, double w, double y)
{
	SortedPoints *sp = wr->out;

	memcpy(&sp->x[(size_t) sp->m * sp->k], x, sizeof(double) * sp->k);
	sp->w[sp->m] = w;
	sp->y[sp->m] = y;
	sp->m++;
}

void
sp_put_single(SpWriter *wr, const double *x, double y)
{
	double		ys = ldexp(y, -wr->out->y_exp);
	dd_t		sq = dd_add(dd_make(wr->sq_hi, wr->sq_lo),
							dd_make(ys * ys, fma(ys, ys, -ys * ys)));

	wr->sq_hi = sq.hi;
	wr->sq_lo = sq.lo;
	sp_put_x(wr, x, 1.0, ys);
}

void
sp_put_sum(SpWriter *wr, const double *x, int64_t w, double hi, double lo)
{
	dd_t		sum = {hi, lo};
	dd_t		mean = dd_div(sum, dd_from((double) w));
	dd_t		sq = dd_add(dd_make(wr->sq_hi, wr->sq_lo), dd_mul(sum, mean));

	wr->sq_hi = sq.hi;
	wr->sq_lo = sq.lo;
	sp_put_x(wr, x, (double) w, mean.hi + mean.lo);
}

void
sp_finish(SpWriter *wr, double y2_hi, double y2_lo)
{
	dd_t		within = dd_sub(dd_make(y2_hi, y2_lo), dd_make(wr->sq_hi, wr->sq_lo));
	SortedPoints *sp = wr->out;

	/*
	 * Points of one row each have no spread within points, exactly.
	 * Otherwise a difference below the double-double rounding of the sum
	 * of squares (about 2^-100 of it) is none either: constant y at
	 * repeated inputs must not show a spread of rounding noise.
	 */
	if (sp->n_rows == sp->m || !(within.hi > 0x1p-90 * y2_hi))
		sp->ss_within = 0.0;
	else
		sp->ss_within = within.hi + within.lo;
}

PsStatus
ps_sorted(const PointSet *ps, SortedPoints *out, const SlAlloc *al)
{
	int32_t    *order;
	int			k = ps->k;
	size_t		stride = (size_t) k + 1;
	int32_t		n = ps->n;
	int64_t		m_max = (int64_t) ps->n + ps->n_log;
	double	   *log = NULL;
	SpWriter	wr;
	double		y2_hi,
				y2_lo;
	int64_t		j = 0;
	int32_t		i = 0;
	MergedPoint p;
	PsStatus	st;

	if ((st = sp_start(&wr, out, k, ps->n_rows, m_max, fs_ilogb(&ps->y2), al)) != PS_OK)
		return st;
	order = al->alloc(al->ctx, sizeof(int32_t) * (size_t) (n ? n : 1));
	if (!order)
		return PS_NO_MEMORY;
	if (!order_entries(ps, order, al))
		return PS_NO_MEMORY;
	if (ps->n_log > 0 && ps->log_sorted == ps->n_log)
		log = ps->log;			/* in order already (ps_sort_log) */
	else if (ps->n_log > 0)
	{
		/* a sorted copy of the log (the state is not changed) */
		log = al->alloc(al->ctx, sizeof(double) * stride * (size_t) ps->n_log);
		if (log == NULL)
			return PS_NO_MEMORY;
		memcpy(log, ps->log, sizeof(double) * stride * (size_t) ps->n_log);
		if (!sort_rows(log, ps->n_log, k, al))
			return PS_NO_MEMORY;
	}

	/* merge the sorted entries with the sorted log, one point per input */
	while (merged_next(ps, order, log, &i, &j, &p))
	{
		sl_check_interrupts_every(al, (uint64_t) out->m);
		if (p.w == 1)
			sp_put_single(&wr, p.x, merged_single_y(ps, log, &p));
		else
		{
			double		hi,
						lo;

			if (p.run_end == p.j)
				fs_value_dd_scaled(&ps->accs[ps->acc[p.e]], -out->y_exp, &hi, &lo);
			else
			{
				/* rows of one input split between the hash and the log */
				FastSum		t;

				if (!merged_sum(ps, log, &p, &t, al))
				{
					fs_free(&t, al);
					return PS_NO_MEMORY;
				}
				fs_value_dd_scaled(&t, -out->y_exp, &hi, &lo);
				fs_free(&t, al);
			}
			sp_put_sum(&wr, p.x, p.w, hi, lo);
		}
	}
	al->free(al->ctx, order);
	if (log && log != ps->log)
		al->free(al->ctx, log);
	fs_value_dd_scaled(&ps->y2, -2 * out->y_exp, &y2_hi, &y2_lo);
	sp_finish(&wr, y2_hi, y2_lo);
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

void
sp_input_range(const SortedPoints *sp, double *lo, double *hi, const SlAlloc *al)
{
	int			k = sp->k;

	for (int j = 0; j < k; j++)
	{
		lo[j] = INFINITY;
		hi[j] = -INFINITY;
	}
	for (int32_t i = 0; i < sp->m; i++)
	{
		const double *x = &sp->x[(size_t) i * k];

		sl_check_interrupts_every(al, (uint64_t) i);
		for (int j = 0; j < k; j++)
		{
			if (x[j] < lo[j])
				lo[j] = x[j];
			if (x[j] > hi[j])
				hi[j] = x[j];
		}
	}
}

/* ---- serialisation ---- */

size_t
ps_serial_size(const PointSet *ps, const SlAlloc *al)
{
	size_t		size = 16 + fs_serial_size(&ps->y2);

	for (int32_t i = 0; i < ps->n; i++)
	{
		size += 8 * (size_t) ps->k + 8 +
			(ps->acc[i] < 0 ? 8 : fs_serial_size(&ps->accs[ps->acc[i]]));
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	/* log rows: entries of one row each */
	size += (8 * (size_t) ps->k + 16) * (size_t) ps->n_log;
	return size;
}

void
ps_serialize(const PointSet *ps, unsigned char *out, const SlAlloc *al)
{
	unsigned char *p = out;
	uint8_t		hdr[4] = {PS_FORMAT_VERSION, (uint8_t) ps->k, 0, 0};
	int32_t		n = (int32_t) (ps->n + ps->n_log);	/* <= PS_MAX_ENTRIES */
	int64_t		one = 1;

	memcpy(p, hdr, 4);
	memcpy(p + 4, &n, 4);
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
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	for (int64_t i = 0; i < ps->n_log; i++)
	{
		const double *row = &ps->log[(size_t) i * (ps->k + 1)];

		memcpy(p, row, 8 * (size_t) ps->k);
		p += 8 * ps->k;
		memcpy(p, &one, 8);
		p += 8;
		memcpy(p, &row[ps->k], 8);
		p += 8;
		sl_check_interrupts_every(al, (uint64_t) i + 1);
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
		buf[1] > SL_MAX_POINT_INPUTS || buf[2] != 0 || buf[3] != 0)
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
		double		x[SL_MAX_POINT_INPUTS];
		int64_t		w;
		double		y1 = 0.0;

		if (len - off < 8 * (size_t) ps->k + 8)
			return PS_BAD_FORMAT;
		memcpy(x, buf + off, 8 * (size_t) ps->k);
		off += 8 * ps->k;
		/* any finite input (formula laws take any sign), never -0.0 (ps_add stores +0) */
		for (int j = 0; j < ps->k; j++)
			if (!isfinite(x[j]) || (x[j] == 0.0 && signbit(x[j])))
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
			st = add_entry(ps, x, 1, y1, NULL, NULL, true, al);
		}
		else
		{
			used = xs_deserialize(&tmp, buf + off, len - off, al, &nomem);
			if (used == 0)
				return nomem ? PS_NO_MEMORY : PS_BAD_FORMAT;
			off += used;
			/*
			 * Any exact sum: a partial state's sum of y may pass DBL_MAX
			 * where the group's does not (readers scale sums first).
			 */
			st = add_entry(ps, x, w, 0.0, &tmp, NULL, true, al);
			xs_free(&tmp, al);
		}
		if (st != PS_OK)
			return st;
		sl_check_interrupts_every(al, (uint64_t) i + 1);
	}
	if (off != len || total != n_rows)
		return PS_BAD_FORMAT;
	ps->n_rows = n_rows;
	return PS_OK;
}

/*
 * Walks the merged, sorted points of ps (hash entries and log runs of the
 * same input together), writing their v1 entries at out (or only counting
 * bytes when out is NULL).  Returns the bytes, or 0 when memory ran out;
 * *entries gets the number of entries.
 */
static size_t
write_merged(const PointSet *ps, const int32_t *order, const double *log,
			 unsigned char *out, int32_t *entries, const SlAlloc *al)
{
	int			k = ps->k;
	size_t		size = 0;
	int32_t		count = 0,
				i = 0;
	int64_t		j = 0;
	MergedPoint p;

	while (merged_next(ps, order, log, &i, &j, &p))
	{
		if (out)
		{
			memcpy(out + size, p.x, 8 * (size_t) k);
			memcpy(out + size + 8 * k, &p.w, 8);
		}
		size += 8 * (size_t) k + 8;
		if (p.w == 1)
		{
			double		y = merged_single_y(ps, log, &p);

			if (out)
				memcpy(out + size, &y, 8);
			size += 8;
		}
		else if (p.run_end == p.j)
		{
			const FastSum *f = &ps->accs[ps->acc[p.e]];

			size += out ? fs_serialize(f, out + size) : fs_serial_size(f);
		}
		else
		{
			FastSum		t;

			if (!merged_sum(ps, log, &p, &t, al))
			{
				fs_free(&t, al);
				return 0;
			}
			size += out ? fs_serialize(&t, out + size) : fs_serial_size(&t);
			fs_free(&t, al);
		}
		count++;
		sl_check_interrupts_every(al, (uint64_t) count);
	}
	*entries = count;
	return size;
}

PsStatus
ps_serialize_merged(const PointSet *ps, unsigned char **out, size_t *len,
					const SlAlloc *al)
{
	size_t		stride = (size_t) ps->k + 1;
	int32_t    *order = al->alloc(al->ctx, sizeof(int32_t) * (size_t) (ps->n ? ps->n : 1));
	double	   *log = NULL;
	size_t		head,
				body;
	int32_t		entries;
	unsigned char *buf;
	uint8_t		hdr[4] = {PS_FORMAT_VERSION, (uint8_t) ps->k, 0, 0};
	PsStatus	st = PS_NO_MEMORY;

	*out = NULL;
	*len = 0;
	if (order == NULL || !order_entries(ps, order, al))
	{
		if (order)
			al->free(al->ctx, order);
		return PS_NO_MEMORY;
	}
	if (ps->n_log > 0 && ps->log_sorted == ps->n_log)
		log = ps->log;
	else if (ps->n_log > 0)
	{
		log = al->alloc(al->ctx, sizeof(double) * stride * (size_t) ps->n_log);
		if (log == NULL)
			goto done;
		copy_checked(log, ps->log, sizeof(double) * stride * (size_t) ps->n_log, al);
		if (!sort_rows(log, ps->n_log, ps->k, al))
			goto done;
	}
	head = 16 + fs_serial_size(&ps->y2);
	body = write_merged(ps, order, log, NULL, &entries, al);
	if (body == 0 && (ps->n > 0 || ps->n_log > 0))
		goto done;
	buf = al->alloc(al->ctx, head + body);
	if (buf == NULL)
		goto done;
	memcpy(buf, hdr, 4);
	memcpy(buf + 4, &entries, 4);
	memcpy(buf + 8, &ps->n_rows, 8);
	fs_serialize(&ps->y2, buf + 16);
	if (body > 0 && write_merged(ps, order, log, buf + head, &entries, al) != body)
	{
		al->free(al->ctx, buf);
		goto done;
	}
	*out = buf;
	*len = head + body;
	st = PS_OK;
done:
	if (log && log != ps->log)
		al->free(al->ctx, log);
	al->free(al->ctx, order);
	return st;
}
