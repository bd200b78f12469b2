/*
 * svg_common.c -- options of the plot aggregates, and predictions of any
 * fit through the extension's predict_interval for its type: the plots
 * draw exactly what predict_loss and predict_interval return, with no
 * reader of fit composites of their own.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "sl_pg.h"
#include "svg_pg.h"

char *
svg_text_cstring(const char *s, int len)
{
	int			cut = len > SV_MAX_TEXT ? pg_mbcliplen(s, len, SV_MAX_TEXT) : len;
	char	   *out = palloc(cut + 1);

	memcpy(out, s, cut);
	out[cut] = '\0';
	return out;
}

/* ---- options ---- */

static void
bad_option(const char *fn, const char *key, const char *want)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: option \"%s\" must be %s", fn, key, want)));
}

static double
option_number(const char *fn, const char *key, const JsonbValue *v)
{
	double		d;

	if (v->type != jbvNumeric)
		bad_option(fn, key, "a number");
	d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
										   NumericGetDatum(v->val.numeric)));
	if (!isfinite(d))
		bad_option(fn, key, "a finite number");
	return d;
}

static char *
option_string(const char *fn, const char *key, const JsonbValue *v)
{
	if (v->type == jbvNull)
		return NULL;
	if (v->type != jbvString)
		bad_option(fn, key, "a string");
	return svg_text_cstring(v->val.string.val, v->val.string.len);
}

static int
option_size(const char *fn, const char *key, const JsonbValue *v, int lo, int hi)
{
	double		d = option_number(fn, key, v);

	if (d != floor(d) || d < lo || d > hi)
		bad_option(fn, key, psprintf("a whole number of pixels from %d to %d", lo, hi));
	return (int) d;
}

void
svg_parse_options(const char *fn, Jsonb *options, bool report, SvgOptions *o)
{
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	memset(o, 0, sizeof(*o));
	o->x_input = -1;
	o->extrapolate_to = NAN;
	o->y_log = true;
	o->width = 640;
	o->height = 420;
	o->level = 0.95;
	if (options == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: options must be a JSON object", fn)));
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *key;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(k.val.string.val, k.val.string.len);
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		if (strcmp(key, "title") == 0)
			o->title = option_string(fn, key, &v);
		else if (strcmp(key, "level") == 0)
		{
			o->level = option_number(fn, key, &v);
			sl_check_level(fn, o->level);
		}
		else if (strcmp(key, "extrapolate_to") == 0)
		{
			o->extrapolate_to = option_number(fn, key, &v);
			if (!(o->extrapolate_to > 0))
				bad_option(fn, key, "a number greater than zero");
		}
		else if (!report && strcmp(key, "x_label") == 0)
			o->x_label = option_string(fn, key, &v);
		else if (!report && strcmp(key, "y_label") == 0)
			o->y_label = option_string(fn, key, &v);
		else if (!report && strcmp(key, "x_input") == 0)
		{
			if (v.type == jbvString)
			{
				o->x_input = 0;
				o->x_input_name = pnstrdup(v.val.string.val, v.val.string.len);
			}
			else if (v.type == jbvNumeric)
			{
				double		d = option_number(fn, key, &v);

				if (d != floor(d) || d < 1 || d > 64)
					bad_option(fn, key, "an input's position (1, 2, ...) or name");
				o->x_input = (int) d;
			}
			else
				bad_option(fn, key, "an input's position (1, 2, ...) or name");
		}
		else if (!report && strcmp(key, "y_axis") == 0)
		{
			if (v.type == jbvString && v.val.string.len == 3 && memcmp(v.val.string.val, "log", 3) == 0)
				o->y_log = true;
			else if (v.type == jbvString && v.val.string.len == 6
					 && memcmp(v.val.string.val, "linear", 6) == 0)
				o->y_log = false;
			else
				bad_option(fn, key, "\"log\" or \"linear\"");
		}
		else if (!report && strcmp(key, "width") == 0)
			o->width = option_size(fn, key, &v, 200, 4000);
		else if (!report && strcmp(key, "height") == 0)
			o->height = option_size(fn, key, &v, 150, 4000);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: unknown option \"%s\"", fn, key),
					 errhint(report ? "The options are title, level and extrapolate_to."
							 : "The options are title, x_label, y_label, x_input, extrapolate_to, y_axis, width, height and level.")));
	}
}

static bool
str_equal(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

bool
svg_options_equal(const SvgOptions *a, const SvgOptions *b)
{
	return str_equal(a->title, b->title) && str_equal(a->x_label, b->x_label)
		&& str_equal(a->y_label, b->y_label) && a->x_input == b->x_input
		&& str_equal(a->x_input_name, b->x_input_name)
		&& (a->extrapolate_to == b->extrapolate_to
			|| (isnan(a->extrapolate_to) && isnan(b->extrapolate_to)))
		&& a->y_log == b->y_log && a->width == b->width && a->height == b->height
		&& a->level == b->level;
}

/* ---- predictions ---- */

bool
svg_predictor_init(SvgPredictor *p, FunctionCallInfo fcinfo, Oid fit_type, int k,
				   MemoryContext mcxt)
{
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	List	   *name = list_make2(makeString(get_namespace_name(nsp)), makeString("predict_interval"));
	Oid			args[SL_MAX_INPUTS + 2];
	Oid			fn;

	p->fit_type = fit_type;
	p->k = k;
	args[0] = fit_type;
	args[1] = FLOAT8ARRAYOID;
	args[2] = FLOAT8OID;
	fn = LookupFuncName(name, 3, args, true);
	p->array_form = OidIsValid(fn);
	if (!p->array_form)
	{
		if (k > SL_MAX_INPUTS)
			return false;
		for (int j = 1; j <= k + 1; j++)
			args[j] = FLOAT8OID;
		fn = LookupFuncName(name, k + 2, args, true);
		if (!OidIsValid(fn))
			return false;
	}
	fmgr_info_cxt(fn, &p->flinfo, mcxt);
	{
		/* a call expression, so that the function sees its argument types as a query's call would */
		MemoryContext old = MemoryContextSwitchTo(mcxt);
		List	   *call_args = NIL;
		int			nargs = p->array_form ? 3 : k + 2;

		for (int j = 0; j < nargs; j++)
			call_args = lappend(call_args, makeNullConst(args[j], -1, InvalidOid));
		p->flinfo.fn_expr = (Node *) makeFuncExpr(fn, get_func_rettype(fn), call_args, InvalidOid,
												  InvalidOid, COERCE_EXPLICIT_CALL);
		MemoryContextSwitchTo(old);
	}
	return true;
}

bool
svg_is_fit_type(FunctionCallInfo fcinfo, Oid type)
{
	SvgPredictor p;

	if (!OidIsValid(type) || !type_is_rowtype(type))
		return false;
	for (int k = 1; k <= SL_MAX_INPUTS; k++)
		if (svg_predictor_init(&p, fcinfo, type, k, CurrentMemoryContext))
			return true;
	return false;
}

static double
attr_double(HeapTupleHeader t, int attno)
{
	bool		isnull;
	Datum		d = GetAttributeByNum(t, attno, &isnull);

	return isnull ? NAN : DatumGetFloat8(d);
}

bool
svg_predict(SvgPredictor *p, Datum fit, const double *x, double level, SvPrediction *out)
{
	LOCAL_FCINFO(fcinfo, SL_MAX_INPUTS + 2);
	Datum		result;
	int			nargs;

	if (p->array_form)
	{
		Datum	   *elems = palloc(sizeof(Datum) * p->k);

		for (int j = 0; j < p->k; j++)
			elems[j] = Float8GetDatum(x[j]);
		nargs = 3;
		InitFunctionCallInfoData(*fcinfo, &p->flinfo, nargs, InvalidOid, NULL, NULL);
		fcinfo->args[1].value = PointerGetDatum(construct_array(elems, p->k, FLOAT8OID, 8,
																FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		fcinfo->args[1].isnull = false;
	}
	else
	{
		nargs = p->k + 2;
		InitFunctionCallInfoData(*fcinfo, &p->flinfo, nargs, InvalidOid, NULL, NULL);
		for (int j = 0; j < p->k; j++)
		{
			fcinfo->args[j + 1].value = Float8GetDatum(x[j]);
			fcinfo->args[j + 1].isnull = false;
		}
	}
	fcinfo->args[0].value = fit;
	fcinfo->args[0].isnull = false;
	fcinfo->args[nargs - 1].value = Float8GetDatum(level);
	fcinfo->args[nargs - 1].isnull = false;
	result = FunctionCallInvoke(fcinfo);
	if (fcinfo->isnull)
		return false;
	{
		HeapTupleHeader t = DatumGetHeapTupleHeader(result);

		out->y = attr_double(t, 1);
		out->lo = attr_double(t, 2);
		out->hi = attr_double(t, 3);
	}
	return isfinite(out->y);
}

int
svg_fit_array(Datum fit, const char *name, double *v, int max)
{
	HeapTupleHeader t = DatumGetHeapTupleHeader(fit);
	TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(t), HeapTupleHeaderGetTypMod(t));
	bool		found = false;
	bool		isnull;
	Datum		d;
	int			n = 0;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (!a->attisdropped && a->atttypid == FLOAT8ARRAYOID && strcmp(NameStr(a->attname), name) == 0)
			found = true;
	}
	ReleaseTupleDesc(desc);
	if (!found)
		return 0;
	d = GetAttributeByName(t, name, &isnull);
	if (isnull)
		return 0;
	{
		ArrayType  *arr = DatumGetArrayTypeP(d);
		Datum	   *elems;
		bool	   *nulls;

		deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
		if (n > max)
			n = max;
		for (int i = 0; i < n; i++)
			v[i] = nulls[i] ? NAN : DatumGetFloat8(elems[i]);
	}
	return n;
}
