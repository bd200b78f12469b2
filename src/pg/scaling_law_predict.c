/*
 * scaling_law_predict.c -- predict_loss(scaling_law_fit, float8[] | float8):
 * the fit's formula compiled once per call site while it stays the same,
 * its params decoded once while their bytes stay the same, then one
 * evaluation per row.
 *
 * A fit may be hand-made (ROW(...)::scaling_law_fit) or edited: the formula
 * is compiled as fit_scaling_law would, and params must name exactly the
 * formula's parameters, each with a number (a null gives NULL: the fit
 * could not determine that parameter).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "sl_formula.h"

#define FN "predict_loss"

typedef struct PredictCache
{
	bool		array_inputs;	/* the inputs argument is float8[] (else one float8) */
	SlFormulaCache formula;
	Oid			typid;			/* the fit type last checked */
	int32		typmod;
	int			att_formula,	/* attribute numbers (0-based) of formula, params */
				att_params;
	TupleDesc	tupdesc;
	/* the fit last seen, as bytes: a fit constant over a query is read once */
	char	   *fit_bytes;
	uint32		fit_len;
	const SlFormula *fit_formula;	/* its formula, NULL: a NULL field or param */
	/* the params last decoded, for the formula last compiled */
	const SlFormula *params_of;
	char	   *params_bytes;
	Size		params_len;
	bool		params_null;	/* a parameter is null */
	double		params[SLF_MAX_PARAMS];
} PredictCache;

/* the fit type's columns must be the ones fit_scaling_law writes */
static void
check_fit_type(PredictCache *c, MemoryContext mcxt, Oid typid, int32 typmod)
{
	static const Oid types[7] = {TEXTOID, JSONBOID, INT8OID, FLOAT8OID, FLOAT8OID,
	TEXTARRAYOID, BOOLOID};
	TupleDesc	td = lookup_rowtype_tupdesc(typid, typmod);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	int			col = 0;

	if (c->tupdesc)
		FreeTupleDesc(c->tupdesc);
	c->tupdesc = CreateTupleDescCopy(td);
	MemoryContextSwitchTo(old);
	ReleaseTupleDesc(td);
	c->typid = InvalidOid;		/* until checked */
	for (int i = 0; i < c->tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(c->tupdesc, i);

		if (attr->attisdropped)
			continue;
		if (col >= 7 || attr->atttypid != types[col])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: type %s does not have the columns of scaling_law_fit",
							FN, format_type_be(typid)),
					 errdetail("The type must keep the columns and column types it was created with.")));
		if (col == 0)
			c->att_formula = i;
		else if (col == 1)
			c->att_params = i;
		col++;
	}
	if (col != 7)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: type %s does not have the columns of scaling_law_fit",
						FN, format_type_be(typid)),
				 errdetail("The type must keep the columns and column types it was created with.")));
	c->typid = typid;
	c->typmod = typmod;
}

static void
bad_params(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the fit's params do not match its formula", FN),
			 errdetail("%s", detail)));
}

/* params (a jsonb object) into c->params for formula f */
static void
decode_params(PredictCache *c, const SlFormula *f, Jsonb *jb)
{
	int			n = slf_n_params(f);
	bool		seen[SLF_MAX_PARAMS] = {false};
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	c->params_null = false;
	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		bad_params("params must be a JSON object mapping parameter names to numbers.");
	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *name;
		int			p;

		if (tok != WJB_KEY)
			continue;
		name = pnstrdup(k.val.string.val, k.val.string.len);
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		p = slf_param_index(f, name);
		if (p < 0)
			bad_params(psprintf("The formula has no parameter \"%s\".", name));
		seen[p] = true;
		if (v.type == jbvNull)
		{
			c->params_null = true;
			c->params[p] = NAN;
		}
		else if (v.type == jbvNumeric)
		{
			double		d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
															   NumericGetDatum(v.val.numeric)));

			if (!isfinite(d))
				bad_params(psprintf("Parameter \"%s\" is out of range for type double precision.", name));
			c->params[p] = d;
		}
		else
			bad_params(psprintf("Parameter \"%s\" must be a number or null.", name));
	}
	for (int p = 0; p < n; p++)
		if (!seen[p])
			bad_params(psprintf("Parameter \"%s\" is missing.", slf_param_name(f, p)));
}

/* the fit tup, and what it decoded to (f; NULL when it predicts NULL) */
static void
remember_fit(PredictCache *c, MemoryContext mcxt, HeapTupleHeader tup, const SlFormula *f)
{
	uint32		len = HeapTupleHeaderGetDatumLength(tup);

	c->fit_bytes = MemoryContextAlloc(mcxt, len);
	memcpy(c->fit_bytes, tup, len);
	c->fit_len = len;
	c->fit_formula = f;
}

PG_FUNCTION_INFO_V1(sl_scaling_law_predict);
Datum
sl_scaling_law_predict(PG_FUNCTION_ARGS)
{
	PredictCache *c = (PredictCache *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	HeapTupleHeader tup;
	HeapTupleData tmp;
	Oid			typid;
	int32		typmod;
	Datum		fdat,
				pdat;
	bool		fnull,
				pnull;
	const SlFormula *f;
	Jsonb	   *jb;
	double		x[SLF_MAX_INPUTS],
				y;
	bool		array_inputs;

	if (c == NULL)
	{
		Oid			t = get_fn_expr_argtype(fcinfo->flinfo, 1);

		if (PG_NARGS() != 2)
			sl_wrong_declaration(fcinfo, FN, "Expected a scaling_law_fit and the inputs (float8[] or float8).");
		if (t != FLOAT8ARRAYOID)
			sl_check_arg_type(fcinfo, FN, 1, FLOAT8OID, true);
		t = get_fn_expr_argtype(fcinfo->flinfo, 0);
		if (OidIsValid(t) && !type_is_rowtype(t))
			sl_wrong_declaration(fcinfo, FN, "Argument 1 must be a scaling_law_fit.");
		c = MemoryContextAllocZero(mcxt, sizeof(PredictCache));
		c->array_inputs = get_fn_expr_argtype(fcinfo->flinfo, 1) == FLOAT8ARRAYOID;
		fcinfo->flinfo->fn_extra = c;
	}
	array_inputs = c->array_inputs;
	tup = PG_GETARG_HEAPTUPLEHEADER(0);
	if (c->fit_bytes != NULL && HeapTupleHeaderGetDatumLength(tup) == c->fit_len &&
		memcmp(tup, c->fit_bytes, c->fit_len) == 0)
	{
		/* the same fit as the last row's: its formula and params as decoded then */
		if (c->fit_formula == NULL)
			PG_RETURN_NULL();
		f = c->fit_formula;
		goto predict;
	}
	if (c->fit_bytes)
		pfree(c->fit_bytes);
	c->fit_bytes = NULL;
	typid = HeapTupleHeaderGetTypeId(tup);
	typmod = HeapTupleHeaderGetTypMod(tup);
	if (c->typid != typid || c->typmod != typmod)
		check_fit_type(c, mcxt, typid, typmod);
	tmp.t_len = HeapTupleHeaderGetDatumLength(tup);
	ItemPointerSetInvalid(&(tmp.t_self));
	tmp.t_tableOid = InvalidOid;
	tmp.t_data = tup;
	fdat = heap_getattr(&tmp, c->att_formula + 1, c->tupdesc, &fnull);
	pdat = heap_getattr(&tmp, c->att_params + 1, c->tupdesc, &pnull);
	if (fnull || pnull)
	{
		remember_fit(c, mcxt, tup, NULL);
		PG_RETURN_NULL();
	}
	f = sl_formula_get(&c->formula, mcxt, FN, DatumGetTextPP(fdat));
	jb = DatumGetJsonbP(pdat);
	if (c->params_of != f || VARSIZE(jb) != c->params_len ||
		memcmp(jb, c->params_bytes, c->params_len) != 0)
	{
		c->params_of = NULL;
		decode_params(c, f, jb);
		if (c->params_bytes)
			pfree(c->params_bytes);
		c->params_bytes = MemoryContextAlloc(mcxt, VARSIZE(jb));
		memcpy(c->params_bytes, jb, VARSIZE(jb));
		c->params_len = VARSIZE(jb);
		c->params_of = f;
	}
	remember_fit(c, mcxt, tup, c->params_null ? NULL : f);
	if (c->params_null)
		PG_RETURN_NULL();
predict:
	if (!sl_formula_inputs(FN, f, PG_GETARG_DATUM(1), array_inputs, x))
		PG_RETURN_NULL();
	y = slf_predict(f, c->params, x);
	if (isnan(y))
		ereport(ERROR,
				(errcode(ERRCODE_FLOATING_POINT_EXCEPTION),
				 errmsg("%s: the law is not defined at these inputs", FN),
				 errdetail("Its value is NaN (a logarithm or square root of a negative number, say).")));
	sl_check_prediction(y);
	PG_RETURN_FLOAT8(y);
}
