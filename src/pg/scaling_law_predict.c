/*
 * scaling_law_predict.c -- reading scaling_law_fit values, and
 * predict_loss(scaling_law_fit, float8[] | float8): the fit's formula
 * compiled once per call site while it stays the same, its params decoded
 * once while their bytes stay the same, then one evaluation per row.
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
	SlFitReader reader;
} PredictCache;

/* the fit type's columns must be the ones fit_scaling_law writes */
static void
check_fit_type(SlFitReader *c, const char *fn, MemoryContext mcxt, Oid typid, int32 typmod)
{
	/*
	 * std_errors, covariance, x_min, x_max, status, iterations, aic, bic
	 * since 1.4: a database not yet updated has 7
	 */
	static const Oid types[15] = {TEXTOID, JSONBOID, INT8OID, FLOAT8OID, FLOAT8OID,
		TEXTARRAYOID, BOOLOID, JSONBOID, JSONBOID, FLOAT8ARRAYOID, FLOAT8ARRAYOID,
	TEXTOID, INT4OID, FLOAT8OID, FLOAT8OID};
	TupleDesc	td = lookup_rowtype_tupdesc(typid, typmod);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	int			col = 0;

	if (c->tupdesc)
		FreeTupleDesc(c->tupdesc);
	c->tupdesc = CreateTupleDescCopy(td);
	MemoryContextSwitchTo(old);
	ReleaseTupleDesc(td);
	c->typid = InvalidOid;		/* until checked */
	c->att_cov = -1;
	for (int i = 0; i < c->tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(c->tupdesc, i);

		if (attr->attisdropped)
			continue;
		if (col >= 15 || attr->atttypid != types[col])
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: type %s does not have the columns of scaling_law_fit",
							fn, format_type_be(typid)),
					 errdetail("The type must keep the columns and column types it was created with.")));
		if (col == 0)
			c->att_formula = i;
		else if (col == 1)
			c->att_params = i;
		else if (col == 2)
			c->att_n = i;
		else if (col == 8)
			c->att_cov = i;
		col++;
	}
	if (col != 7 && col != 15)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: type %s does not have the columns of scaling_law_fit",
						fn, format_type_be(typid)),
				 errdetail("The type must keep the columns and column types it was created with.")));
	c->typid = typid;
	c->typmod = typmod;
}

static void
bad_params(const char *fn, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the fit's params do not match its formula", fn),
			 errdetail("%s", detail)));
}

/* params (a jsonb object) into c->params for formula f */
static void
decode_params(SlFitReader *c, const char *fn, const SlFormula *f, Jsonb *jb)
{
	int			n = slf_n_params(f);
	bool		seen[SLF_MAX_PARAMS] = {false};
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	c->params_null = false;
	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		bad_params(fn, "params must be a JSON object mapping parameter names to numbers.");
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
			bad_params(fn, psprintf("The formula has no parameter \"%s\".", name));
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
				bad_params(fn, psprintf("Parameter \"%s\" is out of range for type double precision.", name));
			c->params[p] = d;
		}
		else
			bad_params(fn, psprintf("Parameter \"%s\" must be a number or null.", name));
	}
	for (int p = 0; p < n; p++)
		if (!seen[p])
			bad_params(fn, psprintf("Parameter \"%s\" is missing.", slf_param_name(f, p)));
}

/* the fit tup, and what it decoded to (f; NULL when it predicts NULL) */
static void
remember_fit(SlFitReader *c, MemoryContext mcxt, HeapTupleHeader tup, const SlFormula *f)
{
	uint32		len = HeapTupleHeaderGetDatumLength(tup);

	c->fit_bytes = MemoryContextAlloc(mcxt, len);
	memcpy(c->fit_bytes, tup, len);
	c->fit_len = len;
	c->fit_formula = f;
}

const SlFormula *
sl_fit_reader_read(SlFitReader *c, MemoryContext mcxt, const char *fn, HeapTupleHeader tup)
{
	HeapTupleData tmp;
	Oid			typid;
	int32		typmod;
	Datum		fdat,
				pdat;
	bool		fnull,
				pnull;
	const SlFormula *f;
	Jsonb	   *jb;

	if (c->fit_bytes != NULL && HeapTupleHeaderGetDatumLength(tup) == c->fit_len &&
		memcmp(tup, c->fit_bytes, c->fit_len) == 0)
		return c->fit_formula;	/* the same fit as the last row's, as decoded then */
	if (c->fit_bytes)
		pfree(c->fit_bytes);
	c->fit_bytes = NULL;
	typid = HeapTupleHeaderGetTypeId(tup);
	typmod = HeapTupleHeaderGetTypMod(tup);
	if (c->typid != typid || c->typmod != typmod)
		check_fit_type(c, fn, mcxt, typid, typmod);
	tmp.t_len = HeapTupleHeaderGetDatumLength(tup);
	ItemPointerSetInvalid(&(tmp.t_self));
	tmp.t_tableOid = InvalidOid;
	tmp.t_data = tup;
	fdat = heap_getattr(&tmp, c->att_formula + 1, c->tupdesc, &fnull);
	pdat = heap_getattr(&tmp, c->att_params + 1, c->tupdesc, &pnull);
	if (fnull || pnull)
	{
		remember_fit(c, mcxt, tup, NULL);
		return NULL;
	}
	f = sl_formula_get(&c->formula, mcxt, fn, DatumGetTextPP(fdat));
	jb = DatumGetJsonbP(pdat);
	if (c->params_of != f || VARSIZE(jb) != c->params_len ||
		memcmp(jb, c->params_bytes, c->params_len) != 0)
	{
		c->params_of = NULL;
		decode_params(c, fn, f, jb);
		if (c->params_bytes)
			pfree(c->params_bytes);
		c->params_bytes = MemoryContextAlloc(mcxt, VARSIZE(jb));
		memcpy(c->params_bytes, jb, VARSIZE(jb));
		c->params_len = VARSIZE(jb);
		c->params_of = f;
	}
	if (c->want_covariance && !c->params_null)
	{
		Datum		ndat,
					cdat = (Datum) 0;
		bool		nnull,
					cnull = true;

		c->cov.known = false;
		ndat = heap_getattr(&tmp, c->att_n + 1, c->tupdesc, &nnull);
		if (c->att_cov >= 0)
			cdat = heap_getattr(&tmp, c->att_cov + 1, c->tupdesc, &cnull);
		if (!nnull && !cnull)
		{
			const char *names[SLF_MAX_PARAMS];

			for (int p = 0; p < slf_n_params(f); p++)
				names[p] = slf_param_name(f, p);
			sl_read_covariance(fn, DatumGetJsonbP(cdat), names, slf_n_params(f), &c->cov);
			c->cov.n = DatumGetInt64(ndat);
		}
	}
	remember_fit(c, mcxt, tup, c->params_null ? NULL : f);
	return c->params_null ? NULL : f;
}

PG_FUNCTION_INFO_V1(sl_scaling_law_predict);
Datum
sl_scaling_law_predict(PG_FUNCTION_ARGS)
{
	PredictCache *c = (PredictCache *) fcinfo->flinfo->fn_extra;
	const SlFormula *f;
	double		x[SLF_MAX_INPUTS],
				y;

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
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PredictCache));
		c->array_inputs = get_fn_expr_argtype(fcinfo->flinfo, 1) == FLOAT8ARRAYOID;
		fcinfo->flinfo->fn_extra = c;
	}
	f = sl_fit_reader_read(&c->reader, fcinfo->flinfo->fn_mcxt, FN, PG_GETARG_HEAPTUPLEHEADER(0));
	if (f == NULL)
		PG_RETURN_NULL();
	if (!sl_formula_inputs(FN, f, PG_GETARG_DATUM(1), c->array_inputs, x))
		PG_RETURN_NULL();
	y = slf_predict(f, c->reader.params, x);
	if (isnan(y))
		ereport(ERROR,
				(errcode(ERRCODE_FLOATING_POINT_EXCEPTION),
				 errmsg("%s: the law is not defined at these inputs", FN),
				 errdetail("Its value is NaN (a logarithm or square root of a negative number, say).")));
	sl_check_prediction(y);
	PG_RETURN_FLOAT8(y);
}

/*
 * predict_interval(scaling_law_fit, float8[] | float8, level): predict_loss
 * and the interval of the mean prediction, the law's gradient by the
 * parameters the covariance covers from the formula's forward-mode
 * Jacobian (exact, no finite differences), compiled once per call site.
 */
typedef struct IntervalCache
{
	PredictCache predict;
	const SlFormula *work_of;	/* the formula and covariance work was sized for */
	int			work_p;
	double	   *work;
	double		t_cache[3];
} IntervalCache;

PG_FUNCTION_INFO_V1(sl_scaling_law_interval);
Datum
sl_scaling_law_interval(PG_FUNCTION_ARGS)
{
	const char *fn = "predict_interval";
	IntervalCache *c = (IntervalCache *) fcinfo->flinfo->fn_extra;
	const SlFormula *f;
	const SlFitCovariance *cov;
	double		x[SLF_MAX_INPUTS],
				g[SL_COV_MAX],
				level = PG_GETARG_FLOAT8(2),
				y;

	if (c == NULL)
	{
		Oid			t = get_fn_expr_argtype(fcinfo->flinfo, 1);

		if (PG_NARGS() != 3)
			sl_wrong_declaration(fcinfo, fn, "Expected a scaling_law_fit, the inputs (float8[] or float8) and a level.");
		if (t != FLOAT8ARRAYOID)
			sl_check_arg_type(fcinfo, fn, 1, FLOAT8OID, true);
		sl_check_arg_type(fcinfo, fn, 2, FLOAT8OID, false);
		t = get_fn_expr_argtype(fcinfo->flinfo, 0);
		if (OidIsValid(t) && !type_is_rowtype(t))
			sl_wrong_declaration(fcinfo, fn, "Argument 1 must be a scaling_law_fit.");
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(IntervalCache));
		c->predict.array_inputs = get_fn_expr_argtype(fcinfo->flinfo, 1) == FLOAT8ARRAYOID;
		c->predict.reader.want_covariance = true;
		fcinfo->flinfo->fn_extra = c;
	}
	sl_check_level(fn, level);
	f = sl_fit_reader_read(&c->predict.reader, fcinfo->flinfo->fn_mcxt, fn,
						   PG_GETARG_HEAPTUPLEHEADER(0));
	if (f == NULL)
		PG_RETURN_NULL();
	if (!sl_formula_inputs(fn, f, PG_GETARG_DATUM(1), c->predict.array_inputs, x))
		PG_RETURN_NULL();
	cov = &c->predict.reader.cov;
	y = slf_predict(f, c->predict.reader.params, x);
	if (isnan(y))
		ereport(ERROR,
				(errcode(ERRCODE_FLOATING_POINT_EXCEPTION),
				 errmsg("%s: the law is not defined at these inputs", fn),
				 errdetail("Its value is NaN (a logarithm or square root of a negative number, say).")));
	sl_check_prediction(y);
	if (cov->known)
	{
		if (c->work_of != f || c->work_p != cov->p)
		{
			if (c->work)
				pfree(c->work);
			c->work = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
										 sizeof(double) * Max(slf_jacobian_work(f, cov->p), 1));
			c->work_of = f;
			c->work_p = cov->p;
		}
		(void) slf_predict_jacobian(f, c->predict.reader.params, x, cov->which, cov->p, c->work, g);
		for (int a = 0; a < cov->p; a++)
			if (!isfinite(g[a]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("%s: the law's derivative by \"%s\" is not finite at these inputs", fn,
								slf_param_name(f, cov->which[a])),
						 errdetail("The interval of the mean prediction needs the derivative of the law by every parameter in the covariance.")));
	}
	PG_RETURN_DATUM(sl_interval_result(fcinfo, fn, y, g, cov, level, c->t_cache));
}
