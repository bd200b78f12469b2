/*
 * scaling_law_agg.c -- fit_scaling_law(formula, inputs float8[] | x float8,
 * y [, options]): transition, combine, serialize, deserialize and final
 * functions, and the result composite scaling_law_fit shared with
 * fit_scaling_law(formula, points).
 *
 * A group's state is its formula's text, the options' values and the
 * point set of its rows.  Every row of a group must give the same formula
 * and the same options (NULL options mean the defaults), rows skipped for
 * NULL inputs included, so that neither a result nor an error depends on
 * the plan.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "sl_formula.h"

#define FN "fit_scaling_law"
#define SL_TAG_SCALING_LAW 0x4653534cU	/* "SLSF" */
#define SC_STATE_VERSION 1

typedef struct ScState
{
	uint32		tag;			/* SL_TAG_SCALING_LAW */
	uint8		k;				/* the formula's inputs */
	uint8		n_params;
	char	   *formula;		/* its text (len bytes) */
	size_t		len;
	const FormulaSpec *spec;	/* the options' values (default_spec() when the defaults) */
	SlAlloc		al;				/* allocates in the context owning the state */
	PointSet	ps;
} ScState;

/*
 * A group's state is one 1 kB chunk and its formula's text (a chunk of 64
 * bytes for a formula of up to 64): see SL_SSPACE_FORMULA.
 */
StaticAssertDecl(sizeof(ScState) + SL_CHUNK_HEADER <= SL_SSPACE_POINTS &&
				 SL_SSPACE_FORMULA == SL_SSPACE_POINTS + 64 + SL_CHUNK_HEADER,
				 "ScState no longer fills one 1 kB chunk: derive SL_SSPACE_FORMULA again");

/* the options' values when there are none (shared by every such group) */
static const FormulaSpec *
default_spec(void)
{
	static FormulaSpec spec;
	static bool done = false;

	if (!done)
	{
		formula_default_spec(&spec);
		done = true;
	}
	return &spec;
}

/* spec itself when it is the defaults, else a copy in ctx */
static const FormulaSpec *
keep_spec(const FormulaSpec *spec, int n_params, MemoryContext ctx)
{
	FormulaSpec *copy;

	if (sl_formula_spec_equal(spec, default_spec(), n_params))
		return default_spec();
	copy = MemoryContextAlloc(ctx, sizeof(FormulaSpec));
	*copy = *spec;
	return copy;
}

/* a transition function's call site */
typedef struct ScCall
{
	bool		array_inputs;	/* inputs float8[] (else one float8 x) */
	bool		has_options;
	SlFormulaCache formula;
	/* the last row's options, for the formula compiled last */
	bool		opt_valid;
	bool		opt_null;
	char	   *opt_bytes;
	Size		opt_len;
	FormulaSpec opt_spec;
} ScCall;

static ScCall *
trans_call(FunctionCallInfo fcinfo)
{
	ScCall	   *call = (ScCall *) fcinfo->flinfo->fn_extra;
	int			nargs;
	Oid			t;

	if (likely(call != NULL))
		return call;
	(void) sl_agg_context(fcinfo, FN);
	nargs = PG_NARGS();
	if (nargs != 4 && nargs != 5)
		sl_wrong_declaration(fcinfo, FN,
							 "Expected the state, the formula, the inputs, y and optionally options.");
	sl_check_arg_type(fcinfo, FN, 0, INTERNALOID, true);
	sl_check_arg_type(fcinfo, FN, 1, TEXTOID, true);
	sl_check_arg_type(fcinfo, FN, 3, FLOAT8OID, true);
	if (nargs == 5)
		sl_check_arg_type(fcinfo, FN, 4, JSONBOID, true);
	t = get_fn_expr_argtype(fcinfo->flinfo, 2);
	if (t != FLOAT8ARRAYOID)
		sl_check_arg_type(fcinfo, FN, 2, FLOAT8OID, true);
	call = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ScCall));
	call->array_inputs = t == FLOAT8ARRAYOID;
	call->has_options = nargs == 5;
	fcinfo->flinfo->fn_extra = call;
	return call;
}

/* the options of this row (parsed only when their bytes change) */
static const FormulaSpec *
row_options(FunctionCallInfo fcinfo, ScCall *call, const SlFormula *f, bool formula_changed)
{
	struct varlena *v = NULL;

	if (call->has_options && !PG_ARGISNULL(4))
		v = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(4));
	if (!call->opt_valid || formula_changed ||
		(v == NULL ? !call->opt_null :
		 call->opt_null || VARSIZE_ANY_EXHDR(v) != call->opt_len ||
		 memcmp(VARDATA_ANY(v), call->opt_bytes, call->opt_len) != 0))
	{
		sl_formula_options(FN, f, v ? DatumGetJsonbP(PointerGetDatum(v)) : NULL, &call->opt_spec);
		if (call->opt_bytes)
			pfree(call->opt_bytes);
		call->opt_bytes = NULL;
		call->opt_len = 0;
		call->opt_null = v == NULL;
		if (v)
		{
			call->opt_len = VARSIZE_ANY_EXHDR(v);
			call->opt_bytes = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, Max(call->opt_len, 1));
			memcpy(call->opt_bytes, VARDATA_ANY(v), call->opt_len);
		}
		call->opt_valid = true;
	}
	return &call->opt_spec;
}

static ScState *
new_state(MemoryContext ctx, int k, int n_params, const char *formula, size_t len)
{
	ScState    *st = MemoryContextAlloc(ctx, sizeof(ScState));

	memset(st, 0, offsetof(ScState, ps));
	st->tag = SL_TAG_SCALING_LAW;
	st->k = (uint8) k;
	st->n_params = (uint8) n_params;
	st->formula = MemoryContextAlloc(ctx, Max(len, 1));
	memcpy(st->formula, formula, len);
	st->len = len;
	sl_pg_alloc_init(&st->al, ctx);
	ps_init(&st->ps, k);
	return st;
}

static void
formula_mismatch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the formula must be the same for every row of a group", FN)));
}

PG_FUNCTION_INFO_V1(sl_scaling_law_trans);
Datum
sl_scaling_law_trans(PG_FUNCTION_ARGS)
{
	ScCall	   *call = trans_call(fcinfo);
	MemoryContext aggctx = sl_agg_context(fcinfo, FN);
	ScState    *st = sl_state_arg(fcinfo, 0, SL_TAG_SCALING_LAW, FN);
	text	   *ftext;
	const SlFormula *f;
	const FormulaSpec *spec;
	uint64		compiles = call->formula.compiles;
	double		x[SLF_MAX_INPUTS],
				y;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: the formula must not be NULL", FN)));
	ftext = PG_GETARG_TEXT_PP(1);
	if (st != NULL && (VARSIZE_ANY_EXHDR(ftext) != st->len ||
					   memcmp(VARDATA_ANY(ftext), st->formula, st->len) != 0))
		formula_mismatch();
	f = sl_formula_get(&call->formula, fcinfo->flinfo->fn_mcxt, FN, ftext);
	spec = row_options(fcinfo, call, f, call->formula.compiles != compiles);
	if (st == NULL)
	{
		st = new_state(aggctx, slf_n_inputs(f), slf_n_params(f),
					   VARDATA_ANY(ftext), VARSIZE_ANY_EXHDR(ftext));
		st->spec = keep_spec(spec, st->n_params, aggctx);
	}
	else if (!sl_formula_spec_equal(st->spec, spec, st->n_params))
		sl_options_mismatch(FN);
	if (!PG_ARGISNULL(2) && !PG_ARGISNULL(3) &&
		sl_formula_inputs(FN, f, PG_GETARG_DATUM(2), call->array_inputs, x))
	{
		y = PG_GETARG_FLOAT8(3);
		sl_check_input(FN, "y", y, false, 0);
		sl_check_points(FN, ps_add(&st->ps, x, y, &st->al));
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(sl_scaling_law_combine);
Datum
sl_scaling_law_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	ScState    *s1,
			   *s2;

	if (sl_combine_start(fcinfo, FN, SL_TAG_SCALING_LAW, &aggctx, (void **) &s1, (void **) &s2))
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		/* copy into the aggregate context: s2 may live in a per-tuple one */
		s1 = new_state(aggctx, s2->k, s2->n_params, s2->formula, s2->len);
		s1->spec = keep_spec(s2->spec, s2->n_params, aggctx);
	}
	else
	{
		if (s1->len != s2->len || memcmp(s1->formula, s2->formula, s1->len) != 0)
			formula_mismatch();
		if (!sl_formula_spec_equal(s1->spec, s2->spec, s1->n_params))
			sl_options_mismatch(FN);
	}
	sl_check_points(FN, ps_merge(&s1->ps, &s2->ps, &s1->al));
	PG_RETURN_POINTER(s1);
}

/*
 * State bytes: u32 tag, u8 version, u8 k, u8 n_params, u8 0, u32 formula
 * length, the formula, i32 effort, then per parameter lo, hi, search_lo,
 * search_hi (float8), then the point set's format.
 */
#define SPEC_BYTES(n) (4 + (size_t) (n) * 4 * sizeof(double))

PG_FUNCTION_INFO_V1(sl_scaling_law_serialize);
Datum
sl_scaling_law_serialize(PG_FUNCTION_ARGS)
{
	ScState    *st = sl_support_state(fcinfo, FN, SL_TAG_SCALING_LAW);
	size_t		head = 12 + st->len + SPEC_BYTES(st->n_params);
	size_t		size = head + ps_serial_size(&st->ps, &st->al);
	bytea	   *out;
	unsigned char *p;
	uint32		len32 = (uint32) st->len;
	int32		effort = st->spec->effort;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: aggregate state of %zu bytes is too large to send to another process",
						FN, size)));
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	p = (unsigned char *) VARDATA(out);
	memcpy(p, &st->tag, 4);
	p[4] = SC_STATE_VERSION;
	p[5] = (unsigned char) st->k;
	p[6] = (unsigned char) st->n_params;
	p[7] = 0;
	memcpy(p + 8, &len32, 4);
	memcpy(p + 12, st->formula, st->len);
	p += 12 + st->len;
	memcpy(p, &effort, 4);
	p += 4;
	for (int i = 0; i < st->n_params; i++)
	{
		double		v[4] = {st->spec->lo[i], st->spec->hi[i],
		st->spec->search_lo[i], st->spec->search_hi[i]};

		memcpy(p, v, sizeof(v));
		p += sizeof(v);
	}
	ps_serialize(&st->ps, p, &st->al);
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(sl_scaling_law_deserialize);
Datum
sl_scaling_law_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	uint32		tag,
				flen;
	int			k,
				n_params;
	int32		effort;
	ScState    *st;
	FormulaSpec spec;
	size_t		head;

	(void) sl_agg_context(fcinfo, FN);
	if (len < 12)
		sl_bad_state(FN);
	memcpy(&tag, p, 4);
	memcpy(&flen, p + 8, 4);
	k = p[5];
	n_params = p[6];
	if (tag != SL_TAG_SCALING_LAW || p[4] != SC_STATE_VERSION || p[7] != 0 ||
		k < 1 || k > SLF_MAX_INPUTS || n_params < 1 || n_params > SLF_MAX_PARAMS ||
		flen > SLF_MAX_TEXT || len < 12 + (size_t) flen + SPEC_BYTES(n_params))
		sl_bad_state(FN);
	head = 12 + flen + SPEC_BYTES(n_params);
	st = new_state(CurrentMemoryContext, k, n_params, (const char *) p + 12, flen);
	formula_default_spec(&spec);
	memcpy(&effort, p + 12 + flen, 4);
	spec.effort = effort;
	{
		const unsigned char *q = p + 12 + flen + 4;

		for (int i = 0; i < n_params; i++)
		{
			double		v[4];

			memcpy(v, q, sizeof(v));
			q += sizeof(v);
			/* as the options could have set them */
			if (isnan(v[0]) || isnan(v[1]) || !(v[0] <= v[1]) ||
				isinf(v[2]) || isinf(v[3]))
				sl_bad_state(FN);
			spec.lo[i] = v[0];
			spec.hi[i] = v[1];
			spec.search_lo[i] = v[2];
			spec.search_hi[i] = v[3];
		}
	}
	st->spec = keep_spec(&spec, n_params, CurrentMemoryContext);
	if (effort < 1 || effort > SL_FORMULA_EFFORT_MAX ||
		ps_deserialize(&st->ps, p + head, len - head, &st->al) != PS_OK || st->ps.k != k)
		sl_bad_state(FN);
	PG_RETURN_POINTER(st);
}

/* params as a jsonb object, every value in shortest round-trip digits (NaN: null) */
static Datum
params_jsonb(const SlFormula *f, const double *params)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfoChar(&s, '{');
	for (int p = 0; p < slf_n_params(f); p++)
	{
		char		num[DOUBLE_SHORTEST_DECIMAL_LEN];

		if (isnan(params[p]))
			strcpy(num, "null");
		else
			double_to_shortest_decimal_buf(params[p], num);
		/* names are ASCII identifiers: nothing to escape */
		appendStringInfo(&s, "%s\"%s\": %s", p ? ", " : "", slf_param_name(f, p), num);
	}
	appendStringInfoChar(&s, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data));
}

Datum
sl_scaling_law_result(FunctionCallInfo fcinfo, const SlFormula *f, const char *formula,
					  size_t len, const SortedPoints *sp, const FormulaSpec *spec,
					  bool *isnull)
{
	SlAlloc		al;
	FormulaFit	fit;
	FormulaStatus status;
	SlfError	err;
	Oid			types[7] = {TEXTOID, JSONBOID, INT8OID, FLOAT8OID, FLOAT8OID,
	TEXTARRAYOID, BOOLOID};
	Datum		values[7];
	bool		nulls[7] = {false};
	const char *names[SLF_MAX_PARAMS];

	*isnull = true;
	if (sp->n_rows == 0)
		return (Datum) 0;
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	memset(&err, 0, sizeof(err));
	status = formula_fit(f, sp, spec, &al, &fit, &err);
	if (status == FF_NOT_FINITE)
		sl_formula_error(FN, formula, len, &err);
	if (status == FF_NO_MEMORY)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (status != FF_OK)
		return (Datum) 0;
	for (int p = 0; p < slf_n_params(f); p++)
		names[p] = slf_param_name(f, p);
	values[0] = PointerGetDatum(cstring_to_text_with_len(formula, len));
	values[1] = params_jsonb(f, fit.params);
	values[2] = Int64GetDatum(fit.n);
	if (isnan(fit.r2))
		nulls[3] = true;
	else
		values[3] = Float8GetDatum(fit.r2);
	values[4] = Float8GetDatum(fit.rmse);
	values[5] = sl_name_array(names, fit.at_bound, slf_n_params(f));
	values[6] = BoolGetDatum(fit.converged);
	*isnull = false;
	return sl_make_result(fcinfo, FN, 7, types, values, nulls);
}

/* the final function's call site: its declaration checked, the formulas it compiled */
static SlFormulaCache *
final_cache(FunctionCallInfo fcinfo)
{
	SlFormulaCache *cache = (SlFormulaCache *) fcinfo->flinfo->fn_extra;

	if (likely(cache != NULL))
		return cache;
	(void) sl_agg_context(fcinfo, FN);
	if (PG_NARGS() < 1)
		sl_wrong_declaration(fcinfo, FN, "Expected the aggregate state (internal).");
	sl_check_arg_type(fcinfo, FN, 0, INTERNALOID, true);
	cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SlFormulaCache));
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

PG_FUNCTION_INFO_V1(sl_scaling_law_final);
Datum
sl_scaling_law_final(PG_FUNCTION_ARGS)
{
	SlFormulaCache *cache = final_cache(fcinfo);
	ScState    *st = sl_state_arg(fcinfo, 0, SL_TAG_SCALING_LAW, FN);
	const SlFormula *f;
	text	   *t;
	SlAlloc		al;
	SortedPoints sp;
	Datum		result;
	bool		isnull;

	if (st == NULL)
		PG_RETURN_NULL();
	t = cstring_to_text_with_len(st->formula, st->len);
	f = sl_formula_get(cache, fcinfo->flinfo->fn_mcxt, FN, t);
	if (slf_n_inputs(f) != st->k || slf_n_params(f) != st->n_params)
		sl_bad_state(FN);
	if (ps_sort_log(&st->ps, &st->al) != PS_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	sl_pg_alloc_init(&al, CurrentMemoryContext);
	if (ps_sorted(&st->ps, &sp, &al) != PS_OK)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	result = sl_scaling_law_result(fcinfo, f, st->formula, st->len, &sp, st->spec, &isnull);
	ps_sorted_free(&sp, &al);
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}
