/*
 * fit_agg.c -- the aggregate skeleton of the fits (see fit_agg.h): a
 * group's state, the per-row options cache, combine, the serialised state
 * and the final function, for every law; and the parts the presets share.
 *
 * Every row of a group must give the same key and set the same options
 * (NULL options mean the defaults), rows skipped for a NULL input
 * included: the transition function checks rows against their group and
 * the combine function partial groups against each other, by the same
 * comparison, so that neither a result nor an error depends on the plan.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "fit_agg.h"

/* ---- the state ---- */

static SlFitState *
new_state(const SlFitLaw *law, MemoryContext ctx, int k, int n, const char *key, size_t key_len)
{
	/* the header zeroed; the accumulator's init clears what it needs (not a point block) */
	SlFitState *st = MemoryContextAlloc(ctx, MAXALIGN(sizeof(SlFitState)) + law->acc->size);

	memset(st, 0, sizeof(SlFitState));
	st->tag = law->tag;
	st->k = (uint8) k;
	st->n = (uint8) n;
	if (key_len > 0)
	{
		st->key = MemoryContextAlloc(ctx, key_len);
		memcpy(st->key, key, key_len);
		st->key_len = (uint16) key_len;
	}
	sl_pg_alloc_init(&st->al, ctx);
	law->acc->init(SL_FIT_ACC(st), k);
	return st;
}

/* the law's defaults themselves when options are the defaults (shared), else a copy in ctx */
static const void *
keep_options(const SlFitLaw *law, const void *options, int k, int n, MemoryContext ctx)
{
	const void *defaults = law->default_options(law, k);
	void	   *copy;

	if (law->options_equal(options, defaults, n))
		return defaults;
	copy = MemoryContextAlloc(ctx, law->options_size);
	memcpy(copy, options, law->options_size);
	return copy;
}

static bool
same_key(const SlFitState *st, const char *key, size_t len)
{
	return st->key_len == len && memcmp(st->key, key, len) == 0;
}

static void
key_mismatch(const SlFitLaw *law)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the %s must be the same for every row of a group", law->fn, law->key_name)));
}

/* ---- transition ---- */

/* the options of the last row a transition function saw at its call site */
typedef struct SlRowOptions
{
	uint64		generation;		/* counts the changes of values; 0: nothing parsed */
	uint64		context;		/* call->context they were parsed in */
	bool		was_null;		/* the last row's options were NULL */
	Size		len;			/* else their bytes (varlena data) */
	Size		cap;
	char	   *bytes;
	double		values[FLEXIBLE_ARRAY_MEMBER];	/* what they set (law->options_size bytes) */
} SlRowOptions;

/*
 * The options of this row (the last argument, NULL or jsonb) into the
 * call site's cache: parsed only when their bytes differ from the row
 * before, or what they mean does (another formula).
 */
static SlRowOptions *
row_options(FunctionCallInfo fcinfo, const SlFitLaw *law, SlCall *call)
{
	SlRowOptions *c = call->row_options;
	int			argno = PG_NARGS() - 1;
	struct varlena *v = NULL;
	void	   *parsed;

	if (c == NULL)
	{
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
								   offsetof(SlRowOptions, values) + law->options_size);
		call->row_options = c;
	}
	if (!PG_ARGISNULL(argno))
		v = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno));
	if (likely(c->generation != 0 && c->context == call->context &&
			   (v == NULL ? c->was_null :
				!c->was_null && VARSIZE_ANY_EXHDR(v) == c->len &&
				memcmp(VARDATA_ANY(v), c->bytes, c->len) == 0)))
		return c;

	parsed = palloc(law->options_size);
	law->parse_options(law, call, v ? DatumGetJsonbP(PointerGetDatum(v)) : NULL, parsed);
	if (v)
	{
		Size		len = VARSIZE_ANY_EXHDR(v);

		if (len > c->cap)
		{
			if (c->bytes)
				pfree(c->bytes);
			c->bytes = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len);
			c->cap = len;
		}
		memcpy(c->bytes, VARDATA_ANY(v), len);
		c->len = len;
	}
	c->was_null = v == NULL;
	/* values compared in another context (formula) are not comparable: a change */
	if (c->generation == 0 || c->context != call->context ||
		!law->options_equal(parsed, c->values, call->n))
	{
		memcpy(c->values, parsed, law->options_size);
		c->generation++;
		c->context = call->context;
	}
	pfree(parsed);
	return c;
}

/*
 * The row's options against its group's: the first row sets them, a later
 * one that sets others is an ERROR.  Compares only when the cache's values
 * changed since this group was last checked.
 */
static void
check_group_options(const SlFitLaw *law, SlRowOptions *c, SlFitState *st, MemoryContext aggctx)
{
	if (likely(st->checked == c->generation))
		return;
	if (st->options == NULL)
		st->options = keep_options(law, c->values, st->k, st->n, aggctx);
	else if (!law->options_equal(st->options, c->values, st->n))
		sl_options_mismatch(law->fn);
	st->checked = c->generation;
}

Datum
sl_fit_trans(FunctionCallInfo fcinfo, const SlFitLaw *law)
{
	SlCall	   *call = (SlCall *) fcinfo->flinfo->fn_extra;
	MemoryContext aggctx;
	SlFitState *st;
	SlRowOptions *opts = NULL;
	text	   *key = NULL;
	double		x[SL_MAX_POINT_INPUTS],
				y;

	if (unlikely(call == NULL))
		call = law->trans_setup(fcinfo, law);
	aggctx = sl_agg_context(fcinfo, law->fn);
	st = sl_state_arg(fcinfo, 0, law->tag, law->fn);
	if (law->key_arg >= 0)
	{
		if (PG_ARGISNULL(law->key_arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: the %s must not be NULL", law->fn, law->key_name)));
		key = PG_GETARG_TEXT_PP(law->key_arg);
		if (st != NULL && !same_key(st, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)))
			key_mismatch(law);
		law->prepare_key(fcinfo, call, key);
	}
	if (call->has_options)
		opts = row_options(fcinfo, law, call);
	if (st == NULL)
	{
		st = key ? new_state(law, aggctx, call->k, call->n, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)) :
			new_state(law, aggctx, call->k, call->n, NULL, 0);
		if (opts == NULL)
			st->options = law->default_options(law, call->k);
	}
	if (opts != NULL)
		check_group_options(law, opts, st, aggctx);
	if (law->row_inputs(fcinfo, law, call, x, &y))
		sl_check_points(law->fn, law->acc->add(SL_FIT_ACC(st), x, y, &st->al));
	PG_RETURN_POINTER(st);
}

/* ---- combine ---- */

Datum
sl_fit_combine(FunctionCallInfo fcinfo, const SlFitLaw *law)
{
	MemoryContext aggctx;
	SlFitState *s1,
			   *s2;

	if (sl_combine_start(fcinfo, law->fn, law->tag, &aggctx, (void **) &s1, (void **) &s2))
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		/* copy into the aggregate context: s2 may live in a per-tuple one */
		s1 = new_state(law, aggctx, s2->k, s2->n, s2->key, s2->key_len);
		s1->options = keep_options(law, s2->options, s2->k, s2->n, aggctx);
	}
	else if (!same_key(s1, s2->key, s2->key_len))
		key_mismatch(law);
	else if (s1->k != s2->k || s1->n != s2->n)
		elog(ERROR, "%s: combining states of different laws", law->fn);
	else if (!law->options_equal(s1->options, s2->options, s1->n))
		sl_options_mismatch(law->fn);
	sl_check_points(law->fn, law->acc->merge(SL_FIT_ACC(s1), SL_FIT_ACC(s2), &s1->al));
	PG_RETURN_POINTER(s1);
}

/* ---- the serialised state ---- */

/*
 * u32 tag, u8 version, u8 k, u8 n, u8 0, u32 key length, the key, the
 * options (law->write_options), then the accumulator's own format.
 */
#define STATE_VERSION 3
#define STATE_HEAD 12

Datum
sl_fit_serialize(FunctionCallInfo fcinfo, const SlFitLaw *law)
{
	SlFitState *st = sl_support_state(fcinfo, law->fn, law->tag);
	size_t		head = STATE_HEAD + st->key_len + law->options_bytes(law, st->k, st->n);
	size_t		size = head + law->acc->serial_size(SL_FIT_ACC(st), &st->al);
	uint32		key_len = st->key_len;
	bytea	   *out;
	unsigned char *p;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: aggregate state of %zu bytes is too large to send to another process",
						law->fn, size)));
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	p = (unsigned char *) VARDATA(out);
	memcpy(p, &st->tag, 4);
	p[4] = STATE_VERSION;
	p[5] = st->k;
	p[6] = st->n;
	p[7] = 0;
	memcpy(p + 8, &key_len, 4);
	if (key_len > 0)
		memcpy(p + STATE_HEAD, st->key, key_len);
	law->write_options(p + STATE_HEAD + key_len, st->options, st->n);
	law->acc->serialize(SL_FIT_ACC(st), p + head, &st->al);
	PG_RETURN_BYTEA_P(out);
}

/* bytes from another process, or from anyone who declared a function with our symbol */
Datum
sl_fit_deserialize(FunctionCallInfo fcinfo, const SlFitLaw *law)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	uint32		tag,
				key_len;
	int			k,
				n;
	size_t		opt_bytes,
				head;
	SlFitState *st;
	void	   *options;

	(void) sl_agg_context(fcinfo, law->fn);
	if (len < STATE_HEAD)
		sl_bad_state(law->fn);
	memcpy(&tag, p, 4);
	memcpy(&key_len, p + 8, 4);
	k = p[5];
	n = p[6];
	if (tag != law->tag || p[4] != STATE_VERSION || p[7] != 0 || k < 1 || k > law->max_k ||
		key_len > (uint32) law->max_key_len ||
		(opt_bytes = law->options_bytes(law, k, n)) == 0 ||
		len - STATE_HEAD < key_len + opt_bytes)
		sl_bad_state(law->fn);
	head = STATE_HEAD + key_len + opt_bytes;
	st = new_state(law, CurrentMemoryContext, k, n, (const char *) p + STATE_HEAD, key_len);
	options = palloc(law->options_size);
	if (!law->read_options(law, p + STATE_HEAD + key_len, k, n, options))
		sl_bad_state(law->fn);
	st->options = keep_options(law, options, k, n, CurrentMemoryContext);
	pfree(options);
	if (!law->acc->deserialize(SL_FIT_ACC(st), p + head, len - head, k, &st->al))
		sl_bad_state(law->fn);
	PG_RETURN_POINTER(st);
}

/* ---- final ---- */

Datum
sl_fit_final(FunctionCallInfo fcinfo, const SlFitLaw *law)
{
	SlCall	   *call = sl_support_call(fcinfo, law->fn, 1);
	SlFitState *st = sl_state_arg(fcinfo, 0, law->tag, law->fn);
	Datum		result;
	bool		isnull;

	if (st == NULL)
		PG_RETURN_NULL();
	result = law->final(fcinfo, call, st, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/* ---- the point-set accumulator ---- */

static void
point_set_init(void *acc, int k)
{
	ps_init(acc, k);
}

static PsStatus
point_set_add(void *acc, const double *x, double y, const SlAlloc *al)
{
	return ps_add(acc, x, y, al);
}

static PsStatus
point_set_merge(void *acc, const void *other, const SlAlloc *al)
{
	return ps_merge(acc, other, al);
}

static size_t
point_set_serial_size(const void *acc, const SlAlloc *al)
{
	return ps_serial_size(acc, al);
}

static void
point_set_serialize(const void *acc, unsigned char *out, const SlAlloc *al)
{
	ps_serialize(acc, out, al);
}

static bool
point_set_deserialize(void *acc, const unsigned char *p, size_t len, int k, const SlAlloc *al)
{
	PointSet   *ps = acc;

	return ps_deserialize(ps, p, len, al) == PS_OK && ps->k == k;
}

const SlAccOps sl_point_set_ops = {
	.size = sizeof(PointSet),
	.init = point_set_init,
	.add = point_set_add,
	.merge = point_set_merge,
	.serial_size = point_set_serial_size,
	.serialize = point_set_serialize,
	.deserialize = point_set_deserialize,
};

void
sl_fit_sorted_points(SlFitState *st, SortedPoints *sp, SlAlloc *al)
{
	PointSet   *ps = SL_FIT_ACC(st);

	/* order the log in place (the state's value is unchanged) */
	if (ps_sort_log(ps, &st->al) != PS_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	sl_pg_alloc_init(al, CurrentMemoryContext);
	if (ps_sorted(ps, sp, al) != PS_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
}

/* ---- the presets: scalar inputs, bounds as options ---- */

SlCall *
sl_preset_setup(FunctionCallInfo fcinfo, const SlFitLaw *law)
{
	SlCall	   *call = sl_trans_call_setup(fcinfo, law->fn, law->max_k, true);

	call->n = law->n_per_input * call->k + law->n_fixed;
	return call;
}

bool
sl_preset_row(FunctionCallInfo fcinfo, const SlFitLaw *law, SlCall *call, double *x, double *y)
{
	return sl_read_row(fcinfo, law->fn, call->k, law->positive_errcode, x, y);
}

const void *
sl_preset_defaults(const SlFitLaw *law, int k)
{
	return law->bounds_law(k)->defaults;
}

void
sl_preset_parse(const SlFitLaw *law, SlCall *call, Jsonb *options, void *out)
{
	sl_options_bounds(law->bounds_law(call->k), options, out);
}

bool
sl_preset_equal(const void *a, const void *b, int n)
{
	return sl_bounds_equal(a, b, n);
}

/* n (lo, hi) pairs, float8 */
size_t
sl_preset_bytes(const SlFitLaw *law, int k, int n)
{
	if (n != law->n_per_input * k + law->n_fixed)
		return 0;
	return (size_t) n * 2 * sizeof(double);
}

void
sl_preset_write(unsigned char *p, const void *options, int n)
{
	const SlBounds *b = options;

	for (int i = 0; i < n; i++)
	{
		memcpy(p, &b->lo[i], sizeof(double));
		memcpy(p + sizeof(double), &b->hi[i], sizeof(double));
		p += 2 * sizeof(double);
	}
}

bool
sl_preset_read(const SlFitLaw *law, const unsigned char *p, int k, int n, void *out)
{
	SlBounds   *b = out;

	*b = *law->bounds_law(k)->defaults;
	for (int i = 0; i < n; i++)
	{
		memcpy(&b->lo[i], p, sizeof(double));
		memcpy(&b->hi[i], p + sizeof(double), sizeof(double));
		p += 2 * sizeof(double);
		/* as the options could have set them */
		if (isnan(b->lo[i]) || isnan(b->hi[i]) || b->lo[i] > b->hi[i])
			return false;
	}
	return true;
}
