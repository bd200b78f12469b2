/*
 * fit_state.c -- the storable point sets fit_points, fit_points2 and
 * fit_points3 (1, 2 and 3 inputs) and fit_pointsn (1 to 8 inputs, k held
 * in the value): text and binary I/O, the aggregates that build one from
 * rows, the union aggregates and function that merge them, casts, and
 * fit_power_law / fit_log_law of a stored value.
 *
 * The bytes of a value are the canonical format of src/core/fit_points.h;
 * every path that takes bytes from outside (input, receive, and every
 * function reading a stored value) validates them first.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/syscache.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/jsonb.h"

#include "array_inputs.h"
#include "fit_points.h"
#include "large_values.h"
#include "sl_fits.h"
#include "sl_formula.h"
#include "sl_pg.h"

#define FN "fit_points"
#define MERGE_FN "merge_fit_points"
#define TYPE_N "fit_pointsn"

static const char *const type_names[SL_MAX_INPUTS + 1] = {
	NULL, "fit_points", "fit_points2", "fit_points3"
};

/* the type that holds values of k inputs: fit_points[2|3], else fit_pointsn */
static const char *
type_name(int k)
{
	return k >= 1 && k <= SL_MAX_INPUTS ? type_names[k] : TYPE_N;
}

/* ---- values ---- */

static void
report(FpStatus st, int errcode_, const char *what, const char *type)
{
	if (st == FP_NO_MEMORY)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	ereport(ERROR,
			(errcode(errcode_),
			 errmsg("%s %s", what, type),
			 errdetail("%s", fp_status_detail(st))));
}

/*
 * The validated bytes of argument argno, a stored value of k inputs (0:
 * any k).  Errors name the argument's type as the call declares it.
 */
static const unsigned char *
value_bytes(FunctionCallInfo fcinfo, int argno, int k, size_t *len, FpInfo *info)
{
	bytea	   *v = (bytea *) sl_detoast(PG_GETARG_DATUM(argno));
	SlAlloc		al;
	FpStatus	st;

	sl_pg_alloc_init(&al, CurrentMemoryContext);
	*len = VARSIZE_ANY_EXHDR(v);
	st = fp_validate((const unsigned char *) VARDATA_ANY(v), *len, k, info, &al);
	if (st != FP_OK)
	{
		Oid			t = get_fn_expr_argtype(fcinfo->flinfo, argno);

		report(st, ERRCODE_DATA_CORRUPTED, "corrupt value of type",
			   OidIsValid(t) ? format_type_be(t) : type_name(k));
	}
	return (const unsigned char *) VARDATA_ANY(v);
}

/* ERROR (22023): values of k1 and k2 inputs merged (the message does not depend on their order) */
static void
merge_mismatch(int k1, int k2)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: values of %d and %d inputs cannot be merged", MERGE_FN,
					Min(k1, k2), Max(k1, k2))));
}

/* ERROR for a value built larger than its text form can carry (fit_points.h) */
static void
check_value_size(const char *fn, size_t len)
{
	if (len > FP_MAX_VALUE_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: value of %zu bytes exceeds the limit of %d bytes", fn, len,
						FP_MAX_VALUE_BYTES),
				 errdetail("The text form of a value, which pg_dump and COPY write, takes two characters a byte and must stay under 1 GB."),
				 errhint("Merge fewer rows into one value, or fit the rows themselves with fit_power_law or fit_log_law.")));
}

/*
 * A stored value of the validated bytes buf, in canonical form (a y of
 * -0.0, as version 1.1 wrote, becomes 0.0: info says whether there is one).
 */
static bytea *
make_value(const unsigned char *buf, size_t len, const FpInfo *info)
{
	bytea	   *out;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: value of %zu bytes exceeds the maximum size of a field", FN, len)));
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	sl_copy_interruptible(VARDATA(out), buf, len);
	if (info->negative_zero)
	{
		SlAlloc		al;

		sl_pg_alloc_init(&al, CurrentMemoryContext);
		(void) fp_canonical_zero((unsigned char *) VARDATA(out), len, &al);
	}
	return out;
}

/*
 * The stored value of ps.  Sorts ps's log of unmerged rows in place first
 * (ps_al is ps's own allocator); ps's value is unchanged.
 */
static bytea *
value_of_point_set(PointSet *ps, const SlAlloc *ps_al, const char *type)
{
	SlAlloc		al;
	unsigned char *buf;
	size_t		len;

	FpInfo		info;
	FpStatus	st;

	/* the log in order in place, so encoding reads it without a copy */
	if (ps_sort_log(ps, ps_al) != PS_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	if (fp_from_point_set(ps, &buf, &len, &al) != FP_OK)
		elog(ERROR, "%s: could not encode a point set", FN);
	/*
	 * What is stored must read back: rows always validate and validation
	 * is closed under merging (fit_points.c), so a failure is a bug.
	 */
	st = fp_validate(buf, len, ps->k, &info, &al);
	if (st != FP_OK)
		elog(ERROR, "%s: encoded point set does not validate: %s", FN, fp_status_detail(st));
	/* rows of any sign reach a presets' type only through a superuser's aggregate */
	if (info.nonpositive && strcmp(type, TYPE_N) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: a value with inputs <= 0 cannot be returned as type %s", FN, type),
				 errdetail("%s", fp_status_detail(FP_NOT_POSITIVE))));
	check_value_size(FN, len);
	return make_value(buf, len, &info);
}

/* adds the points of a validated value to ps */
static void
merge_value(PointSet *ps, const unsigned char *buf, size_t len, const SlAlloc *al)
{
	PointSet	tmp;
	FpStatus	st = fp_to_point_set(buf, len, &tmp, al);
	PsStatus	pst;

	if (st != FP_OK)
		report(st, ERRCODE_DATA_CORRUPTED, "corrupt value of type", type_name(buf[1]));
	pst = ps_merge(ps, &tmp, al);
	ps_free(&tmp, al);
	sl_check_points("merge_fit_points", pst);
}

/* ---- text and binary I/O ---- */

/*
 * The value of text form text (tlen characters, no terminator needed) for
 * a type of k inputs (0: any, fit_pointsn)
 */
static bytea *
parse_text_form(const char *text, size_t tlen, int k, const char *type)
{
	bytea	   *out;
	unsigned char *buf;
	size_t		len;
	FpInfo		info;
	SlAlloc		al;
	FpStatus	st;

	if (tlen > 2)
		check_value_size(type, (tlen - 2) / 2);
	/* decoded into the value itself: a 500 MB value is not held twice */
	out = palloc(VARHDRSZ + tlen / 2 + 1);
	buf = (unsigned char *) VARDATA(out);
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	st = fp_text_decode(text, tlen, buf, &len, &al);
	if (st == FP_OK)
		st = fp_validate(buf, len, k, &info, &al);
	if (st == FP_OK && k != 0 && info.nonpositive)
		st = FP_NOT_POSITIVE;
	if (st != FP_OK)
		report(st, ERRCODE_INVALID_TEXT_REPRESENTATION, "invalid input syntax for type", type);
	SET_VARSIZE(out, VARHDRSZ + len);
	if (info.negative_zero)
		(void) fp_canonical_zero(buf, len, &al);
	return out;
}

/*
 * The text form of argument 0, a value of k inputs: "\x" and hex digits,
 * as a C string, or with hdr = VARHDRSZ as a text (the header left to the
 * caller, the terminator written after the digits).
 */
static char *
text_form(FunctionCallInfo fcinfo, int k, size_t hdr, size_t *tlen)
{
	size_t		len;
	FpInfo		info;
	const unsigned char *buf = value_bytes(fcinfo, 0, k, &len, &info);
	char	   *out;
	SlAlloc		al;

	sl_pg_alloc_init(&al, CurrentMemoryContext);
	if (len > (MaxAllocSize - 3 - hdr) / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: value of %zu bytes is too large for its text form", FN, len)));
	if (info.negative_zero)
		buf = (const unsigned char *) VARDATA(make_value(buf, len, &info));
	out = palloc(hdr + 2 * len + 3);
	fp_text_encode(buf, len, out + hdr, &al);
	*tlen = 2 * len + 2;
	return out;
}

static Datum
points_in(FunctionCallInfo fcinfo, int k, const char *type)
{
	char	   *text = PG_GETARG_CSTRING(0);

	PG_RETURN_BYTEA_P(parse_text_form(text, strlen(text), k, type));
}

static Datum
points_out(FunctionCallInfo fcinfo, int k)
{
	size_t		tlen;

	PG_RETURN_CSTRING(text_form(fcinfo, k, 0, &tlen));
}

/*
 * The casts to and from text: what the input and output functions do,
 * without the copy through a C string that PostgreSQL's conversion by
 * input and output makes (for a 240 MB value, 480 MB more memory and a
 * copy that cannot be cancelled).
 */
static Datum
points_from_text(FunctionCallInfo fcinfo, int k, const char *type)
{
	text	   *t = (text *) sl_detoast(PG_GETARG_DATUM(0));

	PG_RETURN_BYTEA_P(parse_text_form(VARDATA(t), VARSIZE(t) - VARHDRSZ, k, type));
}

static Datum
points_to_text(FunctionCallInfo fcinfo, int k)
{
	size_t		tlen;
	char	   *out = text_form(fcinfo, k, VARHDRSZ, &tlen);

	SET_VARSIZE(out, VARHDRSZ + tlen);
	PG_RETURN_TEXT_P((text *) out);
}

static Datum
points_recv(FunctionCallInfo fcinfo, int k, const char *type)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	const unsigned char *buf = (const unsigned char *) msg->data + msg->cursor;
	size_t		len = (size_t) (msg->len - msg->cursor);
	FpInfo		info;
	SlAlloc		al;
	FpStatus	st;

	check_value_size(type, len);
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	st = fp_validate(buf, len, k, &info, &al);
	if (st == FP_OK && k != 0 && info.nonpositive)
		st = FP_NOT_POSITIVE;
	if (st != FP_OK)
		report(st, ERRCODE_INVALID_BINARY_REPRESENTATION, "invalid binary value for type", type);
	msg->cursor = msg->len;
	PG_RETURN_BYTEA_P(make_value(buf, len, &info));
}

static Datum
points_send(FunctionCallInfo fcinfo, int k)
{
	size_t		len;
	FpInfo		info;
	const unsigned char *buf = value_bytes(fcinfo, 0, k, &len, &info);

	PG_RETURN_BYTEA_P(make_value(buf, len, &info));
}

/* K: 1, 2, 3 for fit_points[2|3]; 0 for fit_pointsn (suffix n), which holds any k */
#define IO_FUNCTIONS(K, SUFFIX) \
	PG_FUNCTION_INFO_V1(sl_fit_points##SUFFIX##_in); \
	Datum sl_fit_points##SUFFIX##_in(PG_FUNCTION_ARGS) { return points_in(fcinfo, K, type_name(K)); } \
	PG_FUNCTION_INFO_V1(sl_fit_points##SUFFIX##_out); \
	Datum sl_fit_points##SUFFIX##_out(PG_FUNCTION_ARGS) { return points_out(fcinfo, K); } \
	PG_FUNCTION_INFO_V1(sl_fit_points##SUFFIX##_recv); \
	Datum sl_fit_points##SUFFIX##_recv(PG_FUNCTION_ARGS) { return points_recv(fcinfo, K, type_name(K)); } \
	PG_FUNCTION_INFO_V1(sl_fit_points##SUFFIX##_send); \
	Datum sl_fit_points##SUFFIX##_send(PG_FUNCTION_ARGS) { return points_send(fcinfo, K); } \
	PG_FUNCTION_INFO_V1(sl_fit_points##SUFFIX##_from_text); \
	Datum sl_fit_points##SUFFIX##_from_text(PG_FUNCTION_ARGS) { return points_from_text(fcinfo, K, type_name(K)); } \
	PG_FUNCTION_INFO_V1(sl_fit_points##SUFFIX##_to_text); \
	Datum sl_fit_points##SUFFIX##_to_text(PG_FUNCTION_ARGS) { return points_to_text(fcinfo, K); }

IO_FUNCTIONS(1, 1)
IO_FUNCTIONS(2, 2)
IO_FUNCTIONS(3, 3)
IO_FUNCTIONS(0, n)

/* ---- aggregates: fit_points(x..., y | inputs[], y) and merge_fit_points(points) ---- */

typedef struct FpState
{
	uint32		tag;			/* SL_TAG_FIT_POINTS (see sl_state_arg) */
	SlAlloc		al;				/* allocates in the aggregate context */
	int			k;
	PointSet	ps;
} FpState;

StaticAssertDecl(sizeof(FpState) > 512 && sizeof(FpState) + SL_CHUNK_HEADER <= SL_SSPACE_POINTS,
				 "FpState no longer fills one 1 kB chunk: derive SL_SSPACE_POINTS again");

static FpState *
new_state(MemoryContext ctx, int k)
{
	FpState    *st = MemoryContextAllocZero(ctx, sizeof(FpState));

	st->tag = SL_TAG_FIT_POINTS;
	sl_pg_alloc_init(&st->al, ctx);
	st->k = k;
	ps_init(&st->ps, k);
	return st;
}

/*
 * The aggregates' state is NULL until they have something to hold: a row
 * without NULLs (fit_points) or a non-NULL value (merge_fit_points).  So
 * the final function returns NULL for no rows or no values, and a value,
 * empty if need be, as soon as there is one.
 */
PG_FUNCTION_INFO_V1(sl_fit_points_trans);
Datum
sl_fit_points_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	FpState    *st;
	int			k;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "%s transition function called in non-aggregate context", FN);
	k = sl_trans_call(fcinfo, FN, SL_MAX_INPUTS, false)->k;
	st = sl_state_arg(fcinfo, 0, SL_TAG_FIT_POINTS, FN);
	if (st == NULL)
	{
		/* a group's NULL rows before its first row make no state */
		for (int j = 1; j <= k + 1; j++)
			if (PG_ARGISNULL(j))
				PG_RETURN_NULL();
		st = new_state(aggctx, k);
	}
	sl_add_row(fcinfo, FN, k, &st->ps, &st->al);
	PG_RETURN_POINTER(st);
}

/*
 * fit_points(inputs float8[], y): the first row that is not skipped fixes
 * k, every other row of the group must have as many inputs.  A NULL array,
 * element or y skips the row (before any check, as a NULL scalar does);
 * inputs and y must be finite.  Inputs may be of any sign, as the formula
 * laws' are: only the values of fit_points, fit_points2 and fit_points3
 * (the presets' inputs) must be positive.
 */
PG_FUNCTION_INFO_V1(sl_fit_pointsn_trans);
Datum
sl_fit_pointsn_trans(PG_FUNCTION_ARGS)
{
	static const char *const names[SL_MAX_POINT_INPUTS] = {
		"inputs[1]", "inputs[2]", "inputs[3]", "inputs[4]",
		"inputs[5]", "inputs[6]", "inputs[7]", "inputs[8]"
	};
	MemoryContext aggctx = sl_agg_context(fcinfo, FN);
	FpState    *st;
	double		x[SL_MAX_POINT_INPUTS],
				y;
	int			k;

	if (PG_NARGS() != 3 || get_fn_expr_argtype(fcinfo->flinfo, 0) != INTERNALOID ||
		get_fn_expr_argtype(fcinfo->flinfo, 2) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_FUNCTION_DEFINITION),
				 errmsg("%s: the transition function is declared with arguments its code cannot read", FN),
				 errdetail("It must take (internal, float8[], float8).")));
	sl_check_array_arg(fcinfo, FN, 1);
	st = sl_state_arg(fcinfo, 0, SL_TAG_FIT_POINTS, FN);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) ||
		(k = sl_array_inputs(FN, "inputs", PG_GETARG_DATUM(1), SL_MAX_POINT_INPUTS, x)) == 0)
	{
		/* a NULL state must be returned as NULL: serialize would get a NULL pointer */
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	if (st != NULL && st->k != k)
		sl_array_length_mismatch(FN, "inputs", st->k, k);
	/* any finite inputs: formula laws take any sign */
	for (int j = 0; j < k; j++)
		sl_check_input(FN, names[j], x[j], false, 0);
	y = PG_GETARG_FLOAT8(2);
	sl_check_input(FN, "y", y, false, 0);
	if (st == NULL)
		st = new_state(aggctx, k);
	sl_check_points(FN, ps_add(&st->ps, x, y, &st->al));
	PG_RETURN_POINTER(st);
}

/*
 * merge_fit_points(value): the first value fixes k.  For fit_points[2|3]
 * other k can only come from a superuser's binary-coercible cast (42804,
 * "different types"); fit_pointsn holds any k, and merging two is 22023.
 */
static Datum
merge_trans(FunctionCallInfo fcinfo, bool any_k)
{
	MemoryContext aggctx;
	FpState    *st = sl_support_state(fcinfo, MERGE_FN, SL_TAG_FIT_POINTS);
	const unsigned char *buf;
	size_t		len;
	FpInfo		info;

	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "merge_fit_points transition function called in non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		/* a NULL state must be returned as NULL: serialize would get a NULL pointer */
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	buf = value_bytes(fcinfo, 1, 0, &len, &info);
	if (st == NULL)
		st = new_state(aggctx, info.k);
	else if (st->k != info.k && any_k)
		merge_mismatch(st->k, info.k);
	else if (st->k != info.k)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("merge_fit_points: values of different types in one group"),
				 errdetail("Values with %d and %d inputs were merged.", st->k, info.k)));
	merge_value(&st->ps, buf, len, &st->al);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(sl_merge_fit_points_trans);
Datum
sl_merge_fit_points_trans(PG_FUNCTION_ARGS)
{
	return merge_trans(fcinfo, false);
}

PG_FUNCTION_INFO_V1(sl_merge_fit_pointsn_trans);
Datum
sl_merge_fit_pointsn_trans(PG_FUNCTION_ARGS)
{
	return merge_trans(fcinfo, true);
}

/* which aggregate a combine function serves: what two states of different k mean */
typedef enum CombineOf
{
	COMBINE_FIXED_K,			/* fit_points[2|3] of scalars, or their merges: cannot happen */
	COMBINE_ROWS_N,				/* fit_points(inputs[], y): rows of different lengths */
	COMBINE_MERGE_N				/* merge_fit_points(fit_pointsn): values of different k */
} CombineOf;

/*
 * Parallel workers see parts of a group: for fit_pointsn, the first rows
 * of two parts fix k independently, and their combine reports a mismatch
 * with the message a serial plan gives.
 */
static Datum
combine(FunctionCallInfo fcinfo, CombineOf of)
{
	MemoryContext aggctx;
	FpState    *s1,
			   *s2;
	PsStatus	pst;

	if (sl_combine_start(fcinfo, FN, SL_TAG_FIT_POINTS, &aggctx, (void **) &s1, (void **) &s2))
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
		s1 = new_state(aggctx, s2->k);	/* copy: s2 may live in a shorter context */
	else if (s1->k != s2->k && of == COMBINE_ROWS_N)
		sl_array_length_mismatch(FN, "inputs", s1->k, s2->k);
	else if (s1->k != s2->k && of == COMBINE_MERGE_N)
		merge_mismatch(s1->k, s2->k);
	else if (s1->k != s2->k)
		elog(ERROR, "%s: combining states of different types", FN);
	pst = ps_merge(&s1->ps, &s2->ps, &s1->al);
	/* only values merged by merge_fit_points reach 2^63 rows */
	sl_check_points(pst == PS_COUNT_RANGE ? MERGE_FN : FN, pst);
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(sl_fit_points_combine);
Datum
sl_fit_points_combine(PG_FUNCTION_ARGS)
{
	return combine(fcinfo, COMBINE_FIXED_K);
}

PG_FUNCTION_INFO_V1(sl_fit_pointsn_combine);
Datum
sl_fit_pointsn_combine(PG_FUNCTION_ARGS)
{
	return combine(fcinfo, COMBINE_ROWS_N);
}

PG_FUNCTION_INFO_V1(sl_merge_fit_pointsn_combine);
Datum
sl_merge_fit_pointsn_combine(PG_FUNCTION_ARGS)
{
	return combine(fcinfo, COMBINE_MERGE_N);
}

/* partial-aggregate state bytes: the point set's own v1 format */
PG_FUNCTION_INFO_V1(sl_fit_points_serialize);
Datum
sl_fit_points_serialize(PG_FUNCTION_ARGS)
{
	FpState    *st = sl_support_state(fcinfo, FN, SL_TAG_FIT_POINTS);
	size_t		size = ps_serial_size(&st->ps, &st->al);
	bytea	   *out;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: aggregate state of %zu bytes is too large to send to another process",
						FN, size)));
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	ps_serialize(&st->ps, (unsigned char *) VARDATA(out), &st->al);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(sl_fit_points_deserialize);
Datum
sl_fit_points_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	FpState    *st;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "%s deserialize function called in non-aggregate context", FN);
	if (len < 2 || p[1] < 1 || p[1] > SL_MAX_POINT_INPUTS)
		sl_bad_state(FN);
	st = new_state(CurrentMemoryContext, p[1]);
	if (ps_deserialize(&st->ps, p, len, &st->al) != PS_OK || st->ps.k != st->k)
		sl_bad_state(FN);
	PG_RETURN_POINTER(st);
}

/* final function of both aggregates: NULL for no rows or no values */
/*
 * The final functions of fit_points and merge_fit_points return the type
 * of their number of inputs (expected: fit_points[2|3], or fit_pointsn for
 * the final function of the array aggregates, whose values hold any k);
 * one declared with another (an aggregate a superuser assembled from the
 * 1-input transition and fit_points3's final function) would label a
 * 1-input value fit_points3: ERROR (42804).
 */
static void
check_final_type(FunctionCallInfo fcinfo, int k, const char *expected)
{
	Oid			rettype = get_fn_expr_rettype(fcinfo->flinfo);
	HeapTuple	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(rettype));
	bool		same = false;

	if (HeapTupleIsValid(tp))
	{
		same = strcmp(NameStr(((Form_pg_type) GETSTRUCT(tp))->typname), expected) == 0;
		ReleaseSysCache(tp);
	}
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: a value of %d inputs cannot be returned as type %s", FN, k,
						format_type_be(rettype)),
				 errhint("The final function of a fit_points aggregate returns %s here.",
						 expected)));
}

PG_FUNCTION_INFO_V1(sl_fit_points_final);
Datum
sl_fit_points_final(PG_FUNCTION_ARGS)
{
	FpState    *st = sl_support_state(fcinfo, FN, SL_TAG_FIT_POINTS);

	if (st == NULL)
		PG_RETURN_NULL();
	check_final_type(fcinfo, st->k, type_name(st->k));
	PG_RETURN_BYTEA_P(value_of_point_set(&st->ps, &st->al, type_name(st->k)));
}

PG_FUNCTION_INFO_V1(sl_fit_pointsn_final);
Datum
sl_fit_pointsn_final(PG_FUNCTION_ARGS)
{
	FpState    *st = sl_support_state(fcinfo, FN, SL_TAG_FIT_POINTS);

	if (st == NULL)
		PG_RETURN_NULL();
	check_final_type(fcinfo, st->k, TYPE_N);
	PG_RETURN_BYTEA_P(value_of_point_set(&st->ps, &st->al, TYPE_N));
}

/*
 * merge_fit_points(a, b): NULL counts as no points.  Both values are
 * canonical (entries in order, one per input), so one pass over both
 * writes the merged value (fp_merge), no point set or hash involved.
 * Values of different k (fit_pointsn) cannot be merged: ERROR (22023).
 */
PG_FUNCTION_INFO_V1(sl_merge_fit_points);
Datum
sl_merge_fit_points(PG_FUNCTION_ARGS)
{
	const unsigned char *a,
			   *b;
	unsigned char *buf;
	size_t		la,
				lb,
				len;
	FpInfo		ia,
				ib,
				info;
	SlAlloc		al;
	FpStatus	st;

	if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
	{
		Datum		d = PG_GETARG_DATUM(PG_ARGISNULL(0) ? 1 : 0);

		a = value_bytes(fcinfo, PG_ARGISNULL(0) ? 1 : 0, 0, &la, &ia);
		if (ia.negative_zero)
			PG_RETURN_BYTEA_P(make_value(a, la, &ia));
		PG_RETURN_DATUM(d);
	}
	a = value_bytes(fcinfo, 0, 0, &la, &ia);
	b = value_bytes(fcinfo, 1, 0, &lb, &ib);
	if (ia.k != ib.k)
		merge_mismatch(ia.k, ib.k);
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	st = fp_merge(a, la, b, lb, &buf, &len, &al);
	if (st == FP_COUNT_RANGE)
		sl_check_points("merge_fit_points", PS_COUNT_RANGE);
	if (st != FP_OK)
		elog(ERROR, "merge_fit_points: could not merge two values: %s", fp_status_detail(st));

	/*
	 * Not validated again: a merge of valid values is valid (fit_points.c),
	 * and fp_merge writes the canonical form (no -0.0).
	 */
	memset(&info, 0, sizeof(info));
	check_value_size("merge_fit_points", len);
	PG_RETURN_BYTEA_P(make_value(buf, len, &info));
}

/* ---- fits and accessors ---- */

/*
 * ERROR unless a value holds the inputs of the type the function was
 * called with, which its composite result type tells (columns: 2 k + 14 for
 * the power laws, k + 14 for the log laws; 2 k + 5 and k + 5 before 1.4).  Only a binary-coercible cast
 * between the fit_points types (a superuser's) can make them differ.
 */
static void
check_result_k(FunctionCallInfo fcinfo, const char *fn, int k, bool log_law)
{
	TupleDesc	tupdesc;
	int			declared;
	/*
	 * n, r2, rmse, at_bound, and since 1.4 std_errors, covariance, x_min,
	 * x_max, status, converged, iterations, aic, bic
	 */
	int			tail = 13;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "%s: return type must be a row type", fn);
	if (tupdesc->natts > 0 && TupleDescAttr(tupdesc, tupdesc->natts - 1)->atttypid != FLOAT8OID)
		tail = 4;				/* a database not yet updated to 1.4: at_bound is last */
	declared = log_law ? tupdesc->natts - tail - 1 : (tupdesc->natts - tail - 1) / 2;
	if (declared != k)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: value with %d inputs passed as type %s", fn, k,
						declared >= 1 && declared <= SL_MAX_INPUTS ? type_names[declared] : "?")));
}

static Jsonb *
options_arg(FunctionCallInfo fcinfo)
{
	if (PG_NARGS() < 2 || PG_ARGISNULL(1))
		return NULL;
	return PG_GETARG_JSONB_P(1);
}

PG_FUNCTION_INFO_V1(sl_fit_points_power_law);
Datum
sl_fit_points_power_law(PG_FUNCTION_ARGS)
{
	const unsigned char *buf;
	size_t		len;
	FpInfo		info;
	SlAlloc		al;
	SortedPoints sp;
	PowerLawSpec spec;
	FpStatus	st;
	Datum		result;
	bool		isnull;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	buf = value_bytes(fcinfo, 0, 0, &len, &info);
	check_result_k(fcinfo, "fit_power_law", info.k, false);
	/* only a superuser's cast from fit_pointsn can bring an input <= 0 here */
	if (info.nonpositive)
		report(FP_NOT_POSITIVE, ERRCODE_DATA_CORRUPTED, "corrupt value of type", type_name(info.k));
	sl_power_law_spec(&spec, info.k, options_arg(fcinfo));
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	/* the value's entries are the points in order: no point set, no hash */
	st = fp_sorted_points(buf, len, &sp, &al);
	if (st != FP_OK)
		report(st, ERRCODE_DATA_CORRUPTED, "corrupt value of type", type_name(info.k));
	result = sl_power_law_result(fcinfo, &sp, info.k, &spec, &isnull);
	ps_sorted_free(&sp, &al);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/*
 * fit_scaling_law(formula, points fit_pointsn [, options]): the formula's
 * inputs must be as many as the value's.
 */
PG_FUNCTION_INFO_V1(sl_fit_points_scaling_law);
Datum
sl_fit_points_scaling_law(PG_FUNCTION_ARGS)
{
	const char *fn = "fit_scaling_law";
	SlFormulaCache *cache = (SlFormulaCache *) fcinfo->flinfo->fn_extra;
	const SlFormula *f;
	text	   *ftext;
	const unsigned char *buf;
	size_t		len;
	FpInfo		info;
	SlAlloc		al;
	SortedPoints sp;
	FormulaSpec spec;
	FpStatus	st;
	Datum		result;
	bool		isnull;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SlFormulaCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	ftext = PG_GETARG_TEXT_PP(0);
	f = sl_formula_get(cache, fcinfo->flinfo->fn_mcxt, fn, ftext);
	buf = value_bytes(fcinfo, 1, 0, &len, &info);
	if (info.k != slf_n_inputs(f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the value holds points of %d input%s, but the formula has %d",
						fn, info.k, info.k == 1 ? "" : "s", slf_n_inputs(f))));
	sl_formula_options(fn, f, PG_NARGS() > 2 && !PG_ARGISNULL(2) ? PG_GETARG_JSONB_P(2) : NULL,
					   &spec);
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	st = fp_sorted_points(buf, len, &sp, &al);
	if (st != FP_OK)
		report(st, ERRCODE_DATA_CORRUPTED, "corrupt value of type", type_name(info.k));
	result = sl_scaling_law_result(fcinfo, f, VARDATA_ANY(ftext), VARSIZE_ANY_EXHDR(ftext),
								   &sp, &spec, &isnull);
	ps_sorted_free(&sp, &al);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(sl_fit_points_log_law);
Datum
sl_fit_points_log_law(PG_FUNCTION_ARGS)
{
	const unsigned char *buf;
	size_t		len;
	FpInfo		info;
	SlAlloc		al;
	LogStats	stats;
	LogLawSpec	spec;
	FpStatus	st;
	Datum		result;
	bool		isnull;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	buf = value_bytes(fcinfo, 0, 0, &len, &info);
	check_result_k(fcinfo, "fit_log_law", info.k, true);
	if (info.nonpositive)
		report(FP_NOT_POSITIVE, ERRCODE_DATA_CORRUPTED, "corrupt value of type", type_name(info.k));
	sl_log_law_spec(&spec, info.k, options_arg(fcinfo));
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	st = fp_log_stats(buf, len, &stats, &al);
	if (st != FP_OK)
		report(st, ERRCODE_DATA_CORRUPTED, "corrupt value of type", type_name(info.k));
	result = sl_log_law_result(fcinfo, &stats, &spec, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

PG_FUNCTION_INFO_V1(sl_fit_points_rows);
Datum
sl_fit_points_rows(PG_FUNCTION_ARGS)
{
	size_t		len;
	FpInfo		info;

	(void) value_bytes(fcinfo, 0, 0, &len, &info);
	PG_RETURN_INT64(info.n);
}

PG_FUNCTION_INFO_V1(sl_fit_points_distinct);
Datum
sl_fit_points_distinct(PG_FUNCTION_ARGS)
{
	size_t		len;
	FpInfo		info;

	(void) value_bytes(fcinfo, 0, 0, &len, &info);
	PG_RETURN_INT32(info.m);
}

PG_FUNCTION_INFO_V1(sl_fit_points_inputs);
Datum
sl_fit_points_inputs(PG_FUNCTION_ARGS)
{
	size_t		len;
	FpInfo		info;

	(void) value_bytes(fcinfo, 0, 0, &len, &info);
	PG_RETURN_INT32(info.k);
}

/*
 * The casts fit_points[2|3] -> fit_pointsn: the same bytes (the format
 * holds k), validated and in canonical form.
 */
PG_FUNCTION_INFO_V1(sl_fit_points_to_n);
Datum
sl_fit_points_to_n(PG_FUNCTION_ARGS)
{
	size_t		len;
	FpInfo		info;
	const unsigned char *buf = value_bytes(fcinfo, 0, 0, &len, &info);

	PG_RETURN_BYTEA_P(make_value(buf, len, &info));
}
