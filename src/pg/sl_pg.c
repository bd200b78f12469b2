/*
 * sl_pg.c -- module magic, the palloc allocator, the input checks, the
 * checks of internal states and declarations, and the result composites.
 */
#include "postgres.h"

#include <math.h>
#include <stdint.h>
#include <sys/mman.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "sl_pg.h"
#include "student_t.h"

PG_MODULE_MAGIC;

#define HUGE_HINT_BYTES ((size_t) 8 << 20)

/*
 * Large buffers (points of millions of rows) are touched page by page
 * once; on Linux, ask for transparent huge pages on their aligned
 * interior so that costs a few faults instead of one per 4 kB.  A hint
 * only: nothing changes where the kernel declines.
 */
static void *
huge_hint(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
	if (p != NULL && size >= HUGE_HINT_BYTES)
	{
		uintptr_t	lo = ((uintptr_t) p + ((uintptr_t) 2 << 20) - 1) & ~(((uintptr_t) 2 << 20) - 1);
		uintptr_t	hi = ((uintptr_t) p + size) & ~(((uintptr_t) 2 << 20) - 1);

		if (hi > lo)
			(void) madvise((void *) lo, hi - lo, MADV_HUGEPAGE);
	}
#endif
	return p;
}

static void *
pg_alloc(void *ctx, size_t size)
{
	return huge_hint(MemoryContextAllocHuge((MemoryContext) ctx, size ? size : 1), size);
}

static void *
pg_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
	(void) old_size;
	/* as realloc(3): NULL is a new allocation (repalloc would crash) */
	if (ptr == NULL)
		return pg_alloc(ctx, new_size);
	return huge_hint(repalloc_huge(ptr, new_size ? new_size : 1), new_size);
}

static void
pg_free(void *ctx, void *ptr)
{
	(void) ctx;
	pfree(ptr);
}

void
sl_pg_alloc_init(SlAlloc *al, MemoryContext ctx)
{
	al->alloc = pg_alloc;
	al->realloc = pg_realloc;
	al->free = pg_free;
	al->ctx = ctx;
	al->interrupt = sl_pg_interrupt;
}

void
sl_pg_interrupt(void)
{
	CHECK_FOR_INTERRUPTS();
}

const char *
sl_format_double(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "NaN");
	else if (isinf(v))
		snprintf(buf, len, v > 0 ? "Infinity" : "-Infinity");
	else
		snprintf(buf, len, "%.17g", v);
	return buf;
}

void
sl_input_error(const char *fn, const char *arg, double v, bool positive,
			   int positive_errcode)
{
	char		buf[64];

	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: argument %s must be finite, got %s",
						fn, arg, sl_format_double(v, buf, sizeof(buf)))));
	if (positive && !(v > 0.0))
		ereport(ERROR,
				(errcode(positive_errcode),
				 errmsg("%s: argument %s must be positive, got %s",
						fn, arg, sl_format_double(v, buf, sizeof(buf)))));
	elog(ERROR, "%s: argument %s rejected", fn, arg);
}

Datum
sl_name_array(const char *const *names, const bool *flags, int n)
{
	Datum		elems[SL_MAX_COEFS];
	int			count = 0;

	Assert(n <= SL_MAX_COEFS);
	for (int i = 0; i < n; i++)
		if (flags[i])
			elems[count++] = CStringGetTextDatum(names[i]);
	return PointerGetDatum(construct_array(elems, count, TEXTOID, -1, false, TYPALIGN_INT));
}

void
sl_check_points(const char *fn, PsStatus st)
{
	if (st == PS_TOO_MANY_POINTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: too many distinct input points in one group (limit %d)",
						fn, PS_MAX_ENTRIES)));
	if (st == PS_COUNT_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: row count out of range for type bigint", fn)));
}

/* ---- states and declarations ---- */

/* the SQL name of the function being called, for messages */
static const char *
called_name(FunctionCallInfo fcinfo)
{
	char	   *name = get_func_name(fcinfo->flinfo->fn_oid);

	return name ? name : "this function";
}

void
sl_bad_state(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s: invalid aggregate state", fn)));
}

void
sl_wrong_state(FunctionCallInfo fcinfo, const char *fn, int argno)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
			 errmsg("%s: %s was given the state of another aggregate", fn, called_name(fcinfo)),
			 errdetail("Argument %d is an internal state made by the support functions of another aggregate.",
					   argno + 1),
			 errhint("Define an aggregate with the support functions of one scalinglaw aggregate only.")));
}

MemoryContext
sl_agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggctx;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s: %s can only be called by an aggregate", fn, called_name(fcinfo))));
	return aggctx;
}

void
sl_wrong_declaration(FunctionCallInfo fcinfo, const char *fn, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
			 errmsg("%s: %s is declared with arguments its code cannot read", fn, called_name(fcinfo)),
			 errdetail_internal("%s", detail)));
}

void
sl_check_arg_type(FunctionCallInfo fcinfo, const char *fn, int argno, Oid expected, bool strict)
{
	Oid			t = get_fn_expr_argtype(fcinfo->flinfo, argno);

	if (t == expected || (!strict && t == InvalidOid))
		return;
	sl_wrong_declaration(fcinfo, fn,
					  psprintf("Argument %d has type %s; expected %s.", argno + 1,
							   t == InvalidOid ? "unknown" : format_type_be(t),
							   format_type_be(expected)));
}

SlCall *
sl_trans_call_setup(FunctionCallInfo fcinfo, const char *fn, int max_k, bool options_allowed)
{
	int			nargs = PG_NARGS();
	bool		options = options_allowed &&
		get_fn_expr_argtype(fcinfo->flinfo, nargs - 1) == JSONBOID;
	int			k = nargs - 2 - (options ? 1 : 0);
	SlCall	   *call;

	(void) sl_agg_context(fcinfo, fn);
	if (k < 1 || k > max_k)
		sl_wrong_declaration(fcinfo, fn,
						  psprintf("It has %d argument(s); expected the state, 1 to %d inputs and y%s.",
								   nargs, max_k, options_allowed ? " (and options)" : ""));
	sl_check_arg_type(fcinfo, fn, 0, INTERNALOID, true);
	for (int i = 1; i <= k + 1; i++)
		sl_check_arg_type(fcinfo, fn, i, FLOAT8OID, true);
	call = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SlCall));
	call->k = k;
	call->has_options = options;
	fcinfo->flinfo->fn_extra = call;
	return call;
}

SlCall *
sl_support_call_setup(FunctionCallInfo fcinfo, const char *fn, int n_states)
{
	SlCall	   *call;

	(void) sl_agg_context(fcinfo, fn);
	for (int i = 0; i < n_states; i++)
		sl_check_arg_type(fcinfo, fn, i, INTERNALOID, true);
	call = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SlCall));
	fcinfo->flinfo->fn_extra = call;
	return call;
}

bool
sl_combine_start(FunctionCallInfo fcinfo, const char *fn, uint32 tag, MemoryContext *aggctx,
				 void **s1, void **s2)
{
	(void) sl_support_call(fcinfo, fn, 2);
	*aggctx = sl_agg_context(fcinfo, fn);
	*s1 = sl_state_arg(fcinfo, 0, tag, fn);
	*s2 = sl_state_arg(fcinfo, 1, tag, fn);
	return *s2 == NULL;
}

/* ---- results ---- */

static void number_value(JsonbValue *val, double v);

/* jsonb's order of object keys: by length, then bytes */
static int
jsonb_key_cmp(const char *a, const char *b)
{
	size_t		la = strlen(a),
				lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(a, b, la);
}

/*
 * The indexes of the names with keep[i] (all if keep is NULL) in jsonb's
 * key order, into ord; returns how many.  The names are distinct.
 */
static int
key_order(const char *const *names, const bool *keep, int n, int *ord)
{
	int			len = 0;

	for (int i = 0; i < n; i++)
	{
		int			at;

		if (keep && !keep[i])
			continue;
		for (at = len; at > 0 && jsonb_key_cmp(names[ord[at - 1]], names[i]) > 0; at--)
			ord[at] = ord[at - 1];
		ord[at] = i;
		len++;
	}
	return len;
}

static void
string_value(JsonbValue *val, const char *s)
{
	val->type = jbvString;
	val->val.string.val = (char *) s;
	val->val.string.len = strlen(s);
}

/*
 * The objects below are built as trees with their keys already in jsonb's
 * order and converted once, not through pushJsonbValue (which sorts every
 * object again): a fit writes two of them per group.
 */
Datum
sl_values_jsonb(const char *const *names, const double *values, int n)
{
	JsonbValue	obj;
	JsonbPair  *pairs = palloc(sizeof(JsonbPair) * (n > 0 ? n : 1));
	int			ord[SL_COV_MAX];
	int			np;

	Assert(n <= SL_COV_MAX);
	np = key_order(names, NULL, n, ord);
	for (int a = 0; a < np; a++)
	{
		int			i = ord[a];

		string_value(&pairs[a].key, names[i]);
		if (!isfinite(values[i]))
			pairs[a].value.type = jbvNull;
		else
			number_value(&pairs[a].value, values[i]);
		pairs[a].order = a;
	}
	obj.type = jbvObject;
	obj.val.object.nPairs = np;
	obj.val.object.pairs = pairs;
	return JsonbPGetDatum(JsonbValueToJsonb(&obj));
}

/*
 * A jsonb numeric of v (finite) in shortest round-trip digits: the same
 * value and display scale numeric_in gives those digits, built from their
 * integer mantissa and decimal exponent directly (a fit writes a dozen of
 * these per group, and numeric_in's general parser was a tenth of the
 * cost of a small fit).
 */
static void
number_value(JsonbValue *val, double v)
{
	char		num[DOUBLE_SHORTEST_DECIMAL_LEN];
	const char *c = num;
	int64		mant = 0;
	int			frac = 0,
				expo = 0;
	bool		neg = false,
				in_frac = false;

	double_to_shortest_decimal_buf(v, num);
	if (*c == '-')
	{
		neg = true;
		c++;
	}
	/* at most 17 significant digits: the mantissa fits in an int64 */
	for (; *c != '\0' && *c != 'e'; c++)
	{
		if (*c == '.')
		{
			in_frac = true;
			continue;
		}
		mant = mant * 10 + (*c - '0');
		if (in_frac)
			frac++;
	}
	if (*c == 'e')
		expo = (int) strtol(c + 1, NULL, 10);
	val->type = jbvNumeric;
	val->val.numeric = int64_div_fast_to_numeric(neg ? -mant : mant, frac - expo);
}

Datum
sl_covariance_jsonb(const char *const *names, const double *cov, int n, bool *isnull)
{
	JsonbValue	obj;
	JsonbPair  *outer,
			   *inner;
	bool		keep[SL_COV_MAX];
	int			ord[SL_COV_MAX];
	int			np,
				covered = 0;
	Numeric    *num;

	Assert(n <= SL_COV_MAX);
	*isnull = true;
	for (int i = 0; i < n; i++)
	{
		keep[i] = isfinite(cov[i * n + i]);
		covered += keep[i];
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n && keep[i]; j++)
			if (keep[j] && !isfinite(cov[i * n + j]))
				return (Datum) 0;
	if (covered == 0)
		return (Datum) 0;
	np = key_order(names, keep, n, ord);
	outer = palloc(sizeof(JsonbPair) * np);
	inner = palloc(sizeof(JsonbPair) * np * np);
	/* one numeric per entry of the triangle: the matrix is exactly symmetric */
	num = palloc0(sizeof(Numeric) * n * n);
	for (int a = 0; a < np; a++)
	{
		int			i = ord[a];
		JsonbPair  *row = inner + (size_t) a * np;

		string_value(&outer[a].key, names[i]);
		outer[a].order = a;
		for (int b = 0; b < np; b++)
		{
			int			j = ord[b];

			string_value(&row[b].key, names[j]);
			row[b].order = b;
			if (num[j * n + i] != NULL && cov[j * n + i] == cov[i * n + j])
			{
				row[b].value.type = jbvNumeric;
				row[b].value.val.numeric = num[j * n + i];
			}
			else
			{
				number_value(&row[b].value, cov[i * n + j]);
				num[i * n + j] = row[b].value.val.numeric;
			}
		}
		outer[a].value.type = jbvObject;
		outer[a].value.val.object.nPairs = np;
		outer[a].value.val.object.pairs = row;
	}
	obj.type = jbvObject;
	obj.val.object.nPairs = np;
	obj.val.object.pairs = outer;
	*isnull = false;
	return JsonbPGetDatum(JsonbValueToJsonb(&obj));
}

Datum
sl_float8_array(const double *values, int n)
{
	Datum		elems[SL_COV_MAX];

	Assert(n <= SL_COV_MAX);
	for (int i = 0; i < n; i++)
		elems[i] = Float8GetDatum(values[i]);
	return PointerGetDatum(construct_array(elems, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
										   TYPALIGN_DOUBLE));
}

int
sl_report_columns(const char *status, bool ok, bool converged, bool with_converged,
				  int iterations, double aic, double bic,
				  Oid *types, Datum *values, bool *nulls, int i)
{
	types[i] = TEXTOID;
	nulls[i] = false;
	values[i++] = CStringGetTextDatum(status);
	if (with_converged)
	{
		types[i] = BOOLOID;
		nulls[i] = false;
		values[i++] = BoolGetDatum(ok && converged);
	}
	types[i] = INT4OID;
	nulls[i] = !ok;
	values[i++] = Int32GetDatum(iterations);
	types[i] = FLOAT8OID;
	nulls[i] = !ok || isnan(aic);
	values[i++] = Float8GetDatum(aic);
	types[i] = FLOAT8OID;
	nulls[i] = !ok || isnan(bic);
	values[i++] = Float8GetDatum(bic);
	return i;
}

Datum
sl_make_result(FunctionCallInfo fcinfo, const char *fn, int n, int n_optional, const Oid *types,
			   const Datum *values, const bool *nulls)
{
	Oid			rettype;
	TupleDesc	td;
	Datum	   *v;
	bool	   *isnull;
	int			col = 0;

	if (get_call_result_type(fcinfo, &rettype, &td) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: %s cannot return a fit as type %s", fn, called_name(fcinfo),
						OidIsValid(rettype) ? format_type_be(rettype) : "unknown"),
				 errdetail("A fit is returned as a composite type of %d columns.", n)));
	for (int i = 0; i < td->natts; i++)
		if (!TupleDescAttr(td, i)->attisdropped)
			col++;
	if (col == n - n_optional)
		n = col;				/* the type as an earlier version created it */
	if (col != n)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: type %s has %d columns, but the fit writes %d",
						fn, format_type_be(rettype), col, n),
				 errdetail("The type must keep the columns and column types it was created with.")));
	v = palloc(sizeof(Datum) * td->natts);
	isnull = palloc(sizeof(bool) * td->natts);
	col = 0;
	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(td, i);

		if (attr->attisdropped)
		{
			v[i] = (Datum) 0;
			isnull[i] = true;
			continue;
		}
		if (attr->atttypid != types[col])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: column \"%s\" of type %s has type %s, but the fit writes %s",
							fn, NameStr(attr->attname), format_type_be(rettype),
							format_type_be(attr->atttypid), format_type_be(types[col])),
					 errdetail("The type must keep the columns and column types it was created with.")));
		v[i] = values[col];
		isnull[i] = nulls[col];
		col++;
	}
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), v, isnull));
}

/* ---- predict_loss ---- */

#define FIT_MAX_FIELDS SL_MAX_COEFS

typedef struct FitFieldCache
{
	Oid			typid;
	int32		typmod;
	TupleDesc	tupdesc;		/* copy in fn_mcxt */
	Datum	   *values;			/* natts, for heap_deform_tuple */
	bool	   *nulls;
	int			n;				/* fields read */
	int			attno[FIT_MAX_FIELDS];	/* their attribute indexes */
	bool		valid;			/* vals, all_set, bad hold bytes' fields */
	bool		all_set;		/* none of the n fields was NULL */
	int			bad;			/* first non-finite field, or -1 */
	uint32		len;
	uint32		cap;
	char	   *bytes;			/* the last tuple, to compare */
	double		vals[FIT_MAX_FIELDS];
	/* predict_interval's: */
	int			att_n;			/* attribute index of n */
	int			att_cov;		/* of covariance, -1 in a type of before 1.4 */
	SlFitCovariance cov;		/* the last tuple's */
	double		t_cache[3];		/* level, df, t of the last interval */
} FitFieldCache;

/*
 * The descriptor of a fit's row type, and where its n coefficients are.
 * The type must have the columns the fits write: the coefficients (float8),
 * n (bigint), r2, rmse (float8), at_bound (text[]), and since 1.4
 * std_errors, covariance (jsonb), x_min, x_max (float8[]), status (text),
 * converged (boolean), iterations (integer), aic, bic (float8); dropped
 * columns aside.
 */
static void
load_fit_type(FitFieldCache *c, const char *fn, MemoryContext mcxt, Oid typid, int32 typmod, int n)
{
	/* a database not yet updated to 1.4 has the first 4 */
	static const Oid tail_types[13] = {INT8OID, FLOAT8OID, FLOAT8OID, TEXTARRAYOID, JSONBOID,
	JSONBOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID, TEXTOID, BOOLOID, INT4OID, FLOAT8OID, FLOAT8OID};
	TupleDesc	td = lookup_rowtype_tupdesc(typid, typmod);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	int			col = 0;

	if (c->tupdesc)
	{
		FreeTupleDesc(c->tupdesc);
		pfree(c->values);
		pfree(c->nulls);
	}
	c->tupdesc = CreateTupleDescCopy(td);
	c->values = palloc(sizeof(Datum) * Max(td->natts, 1));
	c->nulls = palloc(sizeof(bool) * Max(td->natts, 1));
	MemoryContextSwitchTo(old);
	ReleaseTupleDesc(td);
	c->typid = InvalidOid;		/* until checked */
	c->valid = false;
	c->att_cov = -1;
	for (int i = 0; i < c->tupdesc->natts; i++)
		if (!TupleDescAttr(c->tupdesc, i)->attisdropped)
			col++;
	if (col != n + 4 && col != n + 13)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: type %s has %d columns, but a fit of this law has %d",
						fn, format_type_be(typid), col, n + 13),
				 errdetail("The type must keep the columns and column types it was created with.")));
	col = 0;
	for (int i = 0; i < c->tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(c->tupdesc, i);
		Oid			expected = col < n ? FLOAT8OID : tail_types[col - n];

		if (attr->attisdropped)
			continue;
		if (attr->atttypid != expected)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: column \"%s\" of type %s has type %s, but a fit of this law has %s there",
							fn, NameStr(attr->attname), format_type_be(typid),
							format_type_be(attr->atttypid), format_type_be(expected)),
					 errdetail("The type must keep the columns and column types it was created with.")));
		if (col < n)
			c->attno[col] = i;
		else if (col == n)
			c->att_n = i;
		else if (col == n + 5)
			c->att_cov = i;
		col++;
	}
	c->typid = typid;
	c->typmod = typmod;
	c->n = n;
}

/*
 * sl_predict_args, and for predict_interval (names set: the coefficients'
 * names) the fit's uncertainty into c->cov and the level, the argument
 * after the inputs
 */
static bool
predict_args(FunctionCallInfo fcinfo, const char *fn, int n, const char *const *names,
			 double *out, int k, const char *const *x_names, double *x, int positive_errcode)
{
	FitFieldCache *c = (FitFieldCache *) fcinfo->flinfo->fn_extra;
	HeapTupleHeader tup;
	uint32		len;
	Oid			typid;
	int32		typmod;

	Assert(n >= 1 && n <= FIT_MAX_FIELDS);
	if (c == NULL)
	{
		/* once per query: the declaration must pass a row and k float8 (and the level) */
		Oid			fit_type = get_fn_expr_argtype(fcinfo->flinfo, 0);
		int			extra = names != NULL ? 1 : 0;

		if (PG_NARGS() != k + 1 + extra)
			sl_wrong_declaration(fcinfo, fn,
							  psprintf("It has %d argument(s); expected a fit and %d input(s)%s.",
									   PG_NARGS(), k, extra ? " and a level" : ""));
		if (OidIsValid(fit_type) && !type_is_rowtype(fit_type))
			sl_wrong_declaration(fcinfo, fn,
							  psprintf("Argument 1 has type %s; expected a fit.",
									   format_type_be(fit_type)));
		for (int j = 1; j <= k + extra; j++)
			sl_check_arg_type(fcinfo, fn, j, FLOAT8OID, false);
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FitFieldCache));
		fcinfo->flinfo->fn_extra = c;
	}
	tup = PG_GETARG_HEAPTUPLEHEADER(0);
	len = HeapTupleHeaderGetDatumLength(tup);
	typid = HeapTupleHeaderGetTypeId(tup);
	typmod = HeapTupleHeaderGetTypMod(tup);
	if (!(c->valid && c->n == n && c->len == len && memcmp(c->bytes, tup, len) == 0))
	{
		HeapTupleData tmp;

		if (c->typid != typid || c->typmod != typmod || c->n != n)
			load_fit_type(c, fn, fcinfo->flinfo->fn_mcxt, typid, typmod, n);
		c->valid = false;
		tmp.t_len = len;
		ItemPointerSetInvalid(&(tmp.t_self));
		tmp.t_tableOid = InvalidOid;
		tmp.t_data = tup;
		heap_deform_tuple(&tmp, c->tupdesc, c->values, c->nulls);
		c->all_set = true;
		c->bad = -1;
		for (int i = 0; i < n; i++)
		{
			int			a = c->attno[i];

			if (c->nulls[a])
				c->all_set = false;
			c->vals[i] = c->nulls[a] ? 0.0 : DatumGetFloat8(c->values[a]);
			if (c->bad < 0 && !isfinite(c->vals[i]))
				c->bad = i;
		}
		if (names != NULL && c->all_set && c->bad < 0)
		{
			c->cov.known = false;
			if (c->att_cov >= 0 && !c->nulls[c->att_cov] && !c->nulls[c->att_n])
			{
				sl_read_covariance(fn, DatumGetJsonbP(c->values[c->att_cov]), names, n, &c->cov);
				c->cov.n = DatumGetInt64(c->values[c->att_n]);
			}
		}
		if (len > c->cap)
		{
			if (c->bytes)
				pfree(c->bytes);
			c->bytes = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len);
			c->cap = len;
		}
		memcpy(c->bytes, tup, len);
		c->len = len;
		c->valid = true;
	}
	if (!c->all_set)
		return false;
	if (c->bad >= 0)
	{
		char		buf[64];

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: field %s of the fit must be finite, got %s", fn,
						NameStr(TupleDescAttr(c->tupdesc, c->attno[c->bad])->attname),
						sl_format_double(c->vals[c->bad], buf, sizeof(buf)))));
	}
	memcpy(out, c->vals, sizeof(double) * n);
	for (int j = 0; j < k; j++)
	{
		x[j] = PG_GETARG_FLOAT8(j + 1);
		sl_check_input(fn, x_names[j], x[j], true, positive_errcode);
	}
	return true;
}

bool
sl_predict_args(FunctionCallInfo fcinfo, const char *fn, int n, double *out, int k,
				const char *const *x_names, double *x, int positive_errcode)
{
	return predict_args(fcinfo, fn, n, NULL, out, k, x_names, x, positive_errcode);
}

bool
sl_interval_args(FunctionCallInfo fcinfo, const char *fn, int n, const char *const *names,
				 double *out, int k, const char *const *x_names, double *x, int positive_errcode,
				 const SlFitCovariance **cov, double *level)
{
	/* the level first: a wrong one is an error whatever the fit */
	if (PG_NARGS() == k + 2)
		sl_check_level(fn, PG_GETARG_FLOAT8(k + 1));
	if (!predict_args(fcinfo, fn, n, names, out, k, x_names, x, positive_errcode))
		return false;
	*level = PG_GETARG_FLOAT8(k + 1);
	*cov = &((FitFieldCache *) fcinfo->flinfo->fn_extra)->cov;
	return true;
}

void
sl_check_level(const char *fn, double level)
{
	char		buf[64];

	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: level must be between 0 and 1, got %s", fn,
						sl_format_double(level, buf, sizeof(buf))),
				 errdetail("The level is the probability that the interval covers the mean prediction, such as 0.95.")));
}

/* ERROR for a covariance that is not one */
static void
bad_covariance(const char *fn, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the fit's covariance is not a covariance of its coefficients", fn),
			 errdetail("%s", detail)));
}

static int
name_index(const char *const *names, int n, const JsonbValue *k)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == (size_t) k->val.string.len &&
			memcmp(names[i], k->val.string.val, k->val.string.len) == 0)
			return i;
	return -1;
}

static const char *
key_text(const JsonbValue *k)
{
	return pnstrdup(k->val.string.val, k->val.string.len);
}

void
sl_read_covariance(const char *fn, Jsonb *jb, const char *const *names, int n, SlFitCovariance *out)
{
	bool		row[SL_COV_MAX] = {false};
	bool		entry[SL_COV_MAX * SL_COV_MAX] = {false};
	double	   *full = palloc(sizeof(double) * n * n);
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	Assert(n <= SL_COV_MAX);
	out->known = false;
	out->p = 0;
	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		bad_covariance(fn, "The covariance must be a JSON object mapping coefficient names to objects.");
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		int			i;
		JsonbIterator *inner;
		JsonbValue	k2,
					v2;
		JsonbIteratorToken t2;

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		if ((i = name_index(names, n, &k)) < 0)
			bad_covariance(fn, psprintf("The fit has no coefficient \"%s\".", key_text(&k)));
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			bad_covariance(fn, psprintf("Row \"%s\" must be an object mapping coefficient names to numbers.",
										names[i]));
		row[i] = true;
		inner = JsonbIteratorInit(v.val.binary.data);
		while ((t2 = JsonbIteratorNext(&inner, &k2, true)) != WJB_DONE)
		{
			int			j;
			double		d;

			if (t2 != WJB_KEY)
				continue;
			t2 = JsonbIteratorNext(&inner, &v2, true);
			if ((j = name_index(names, n, &k2)) < 0)
				bad_covariance(fn, psprintf("The fit has no coefficient \"%s\" (in row \"%s\").",
											key_text(&k2), names[i]));
			if (v2.type != jbvNumeric)
				bad_covariance(fn, psprintf("Entry \"%s\" of row \"%s\" must be a number.",
											names[j], names[i]));
			d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
												   NumericGetDatum(v2.val.numeric)));
			if (!isfinite(d))
				bad_covariance(fn, psprintf("Entry \"%s\" of row \"%s\" is out of range for type double precision.",
											names[j], names[i]));
			entry[i * n + j] = true;
			full[i * n + j] = d;
		}
	}
	for (int i = 0; i < n; i++)
	{
		if (!row[i])
			continue;
		for (int j = 0; j < n; j++)
		{
			if (entry[i * n + j] != row[j])
				bad_covariance(fn, row[j] ?
							   psprintf("Row \"%s\" has no entry for \"%s\", which has a row.",
										names[i], names[j]) :
							   psprintf("Row \"%s\" has an entry for \"%s\", which has no row.",
										names[i], names[j]));
			if (row[j] && full[i * n + j] != full[j * n + i])
				bad_covariance(fn, psprintf("Entry \"%s\" of row \"%s\" differs from entry \"%s\" of row \"%s\": a covariance is symmetric.",
											names[j], names[i], names[i], names[j]));
		}
		if (full[i * n + i] < 0)
			bad_covariance(fn, psprintf("The variance of \"%s\" is negative.", names[i]));
		out->which[out->p++] = i;
	}
	for (int a = 0; a < out->p; a++)
		for (int b = 0; b < out->p; b++)
			out->c[a * out->p + b] = full[out->which[a] * n + out->which[b]];
	out->known = out->p > 0;
	pfree(full);
}

Datum
sl_interval_result(FunctionCallInfo fcinfo, const char *fn, double y, const double *g,
				   const SlFitCovariance *cov, double level, double *t_cache)
{
	TupleDesc	td;
	Datum		values[3];
	bool		nulls[3] = {false, true, true};
	int			col = 0;

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "%s: return type must be a row type", fn);
	for (int i = 0; i < td->natts; i++)
		if (!TupleDescAttr(td, i)->attisdropped)
		{
			if (col >= 3 || TupleDescAttr(td, i)->atttypid != FLOAT8OID)
				col = 4;
			else
				col++;
		}
	if (col != 3 || td->natts != 3)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: type %s does not have the columns of prediction_interval", fn,
						format_type_be(td->tdtypeid)),
				 errdetail("The type must keep the columns and column types it was created with.")));
	values[0] = Float8GetDatum(y);
	if (cov->known)
	{
		double		var = 0,
					mag = 0,
					df,
					half;

		if (cov->n <= cov->p)
			bad_covariance(fn, psprintf("It covers %d coefficients, and the fit has n = " INT64_FORMAT " rows: n must exceed that.",
										cov->p, cov->n));
		for (int a = 0; a < cov->p; a++)
			for (int b = 0; b < cov->p; b++)
			{
				double		term = g[a] * cov->c[a * cov->p + b] * g[b];

				var += term;
				mag += fabs(term);
			}
		/* a positive semidefinite matrix gives >= 0, up to the rounding of the sum */
		if (var < 0)
		{
			if (var < -1e-12 * mag)
				bad_covariance(fn, "It gives this prediction a negative variance: it is not positive semidefinite.");
			var = 0;
		}
		df = (double) (cov->n - cov->p);
		if (!(t_cache[0] == level && t_cache[1] == df))
		{
			t_cache[2] = sl_t_quantile_two_sided(level, df);
			if (isnan(t_cache[2]))
				elog(ERROR, "%s: no t quantile at level %g, df %g", fn, level, df);
			t_cache[0] = level;
			t_cache[1] = df;
		}
		half = t_cache[2] * sqrt(var);
		sl_check_prediction(half);
		values[1] = Float8GetDatum(y - half);
		values[2] = Float8GetDatum(y + half);
		sl_check_prediction(y - half);
		sl_check_prediction(y + half);
		nulls[1] = nulls[2] = false;
	}
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(td), values, nulls));
}

/* the cache of a preset's predict_interval call site (after sl_interval_args) */
double *
sl_interval_t_cache(FunctionCallInfo fcinfo)
{
	return ((FitFieldCache *) fcinfo->flinfo->fn_extra)->t_cache;
}

void
sl_check_prediction(double y)
{
	/* finite coefficients and inputs: a non-finite sum overflowed, as float8 arithmetic reports */
	if (unlikely(!isfinite(y)))
		float_overflow_error();
}
