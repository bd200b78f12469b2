/*
 * svg_agg.c -- scaling_law_svg(x, y, fit [, series, held_out], options):
 * an aggregate whose result is one SVG document of the group's points,
 * each series' fitted curve, its extrapolation and confidence band.
 *
 * The state keeps every row (inputs, y, held-out flag) per series, with
 * the series' fit as the bytes of its composite value, so that combine
 * can merge partial states of parallel workers; the final function sorts
 * (in the core), so the bytes of the document depend on neither row order
 * nor plan.  The forms, told apart by their number of arguments:
 *   (state, x, y, fit)                          4
 *   (state, x, y, fit, options)                 5
 *   (state, x, y, fit, series, options)         6
 *   (state, x, y, fit, series, held_out, options) 7
 * x is float8, or float8[] for laws of several inputs.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "formula.h"
#include "sl_pg.h"
#include "svg_pg.h"

#define FN "scaling_law_svg"
/* rows one figure keeps (what its state may hold, 8 to 80 bytes each) */
#define SVG_MAX_ROWS 10000000
#define SVG_MAX_INPUTS SLF_MAX_INPUTS
#define SVG_STATE_VERSION 1

typedef struct SvgSeriesState
{
	bool		label_null;
	int			label_len;
	char	   *label;			/* server encoding, not NUL-terminated */
	bool		fit_null;
	Size		fit_len;
	char	   *fit;			/* the composite datum's bytes */
	int64		n;
	int64		cap;
	double	   *x;				/* k per row */
	double	   *y;
	uint8	   *held;
} SvgSeriesState;

typedef struct SvgState
{
	uint32		tag;			/* SL_TAG_SVG */
	Oid			fit_type;
	int			k;				/* inputs per row, 0 before the first row */
	bool		array_x;
	bool		options_seen;	/* a row (or a merged state) has given options */
	bool		options_null;
	Size		options_len;
	char	   *options;		/* jsonb bytes of the first row's options */
	int64		rows;
	int			nseries;
	SvgSeriesState series[SV_MAX_SERIES];
} SvgState;

/* what a transition function keeps for its call site */
typedef struct SvgCall
{
	bool		array_x;
	Oid			fit_type;
	int			series_arg;		/* argument numbers, -1: none */
	int			held_arg;
	int			options_arg;
} SvgCall;

static SvgCall *
trans_call(FunctionCallInfo fcinfo)
{
	SvgCall    *c = fcinfo->flinfo->fn_extra;
	int			nargs = PG_NARGS();
	Oid			xt;

	if (c)
		return c;
	(void) sl_agg_context(fcinfo, FN);
	if (nargs < 4 || nargs > 7)
		sl_wrong_declaration(fcinfo, FN, psprintf("It has %d arguments; expected 4 to 7.", nargs));
	c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(SvgCall));
	c->series_arg = nargs >= 6 ? 4 : -1;
	c->held_arg = nargs == 7 ? 5 : -1;
	c->options_arg = nargs >= 5 ? nargs - 1 : -1;
	xt = get_fn_expr_argtype(fcinfo->flinfo, 1);
	if (xt != FLOAT8OID && xt != FLOAT8ARRAYOID)
		sl_wrong_declaration(fcinfo, FN, "Argument 2 must be float8 or float8[].");
	c->array_x = xt == FLOAT8ARRAYOID;
	sl_check_arg_type(fcinfo, FN, 0, INTERNALOID, true);
	sl_check_arg_type(fcinfo, FN, 2, FLOAT8OID, true);
	if (c->series_arg >= 0)
		sl_check_arg_type(fcinfo, FN, c->series_arg, TEXTOID, true);
	if (c->held_arg >= 0)
		sl_check_arg_type(fcinfo, FN, c->held_arg, BOOLOID, true);
	if (c->options_arg >= 0)
		sl_check_arg_type(fcinfo, FN, c->options_arg, JSONBOID, true);
	c->fit_type = get_fn_expr_argtype(fcinfo->flinfo, 3);
	/* a fit of this extension is a row type with a predict_interval */
	if (!svg_is_fit_type(fcinfo, c->fit_type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: argument fit must be a fit of scalinglaw, got type %s", FN,
						OidIsValid(c->fit_type) ? format_type_be(c->fit_type) : "unknown"),
				 errdetail("The fit is a result of fit_power_law, fit_log_law or fit_scaling_law, such as power_law_fit.")));
	fcinfo->flinfo->fn_extra = c;
	return c;
}

static SvgState *
new_state(MemoryContext aggctx, Oid fit_type, bool array_x)
{
	SvgState   *st = MemoryContextAllocZero(aggctx, sizeof(SvgState));

	st->tag = SL_TAG_SVG;
	st->fit_type = fit_type;
	st->array_x = array_x;
	st->options_null = true;
	return st;
}

static void
options_mismatch(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: options must be the same for every row of a figure", FN),
			 errdetail("Rows of one figure give different options (NULL options are the same as '{}').")));
}

/* the state keeps options (bytes) the first time; later ones must mean the same */
static void
merge_options(SvgState *st, MemoryContext aggctx, bool isnull, const char *bytes, Size len)
{
	SvgOptions	a,
				b;

	if (!st->options_seen)
	{
		/* rows skipped for a NULL x or y count too: they are rows of the figure */
		st->options_seen = true;
		st->options_null = isnull;
		if (!isnull)
		{
			st->options = MemoryContextAlloc(aggctx, len);
			memcpy(st->options, bytes, len);
			st->options_len = len;
			/* errors in them now, not after the scan */
			svg_parse_options(FN, (Jsonb *) st->options, false, &a);
		}
		return;
	}
	if (isnull == st->options_null && (isnull || (len == st->options_len
												  && memcmp(bytes, st->options, len) == 0)))
		return;
	svg_parse_options(FN, isnull ? NULL : (Jsonb *) bytes, false, &a);
	svg_parse_options(FN, st->options_null ? NULL : (Jsonb *) st->options, false, &b);
	if (!svg_options_equal(&a, &b))
		options_mismatch();
}

static void
fit_mismatch(const SvgSeriesState *s)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: the fit must be the same for every row of a series", FN),
			 s->label_null ? errdetail("Rows of the series without a label give different fits.")
			 : errdetail("Rows of series \"%s\" give different fits.",
						 svg_text_cstring(s->label, s->label_len)),
			 errhint("Join each row to its group's fit; a NULL fit differs from any other.")));
}

/* the series of label (NULL: the unlabelled one), made with fit if new */
static SvgSeriesState *
find_series(SvgState *st, MemoryContext aggctx, bool label_null, const char *label, int label_len,
			bool fit_null, const char *fit, Size fit_len)
{
	SvgSeriesState *s = NULL;

	for (int i = 0; i < st->nseries; i++)
	{
		SvgSeriesState *c = &st->series[i];

		if (c->label_null == label_null
			&& (label_null || (c->label_len == label_len && memcmp(c->label, label, label_len) == 0)))
		{
			s = c;
			break;
		}
	}
	if (s == NULL)
	{
		if (st->nseries == SV_MAX_SERIES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s: more than %d series in one figure", FN, SV_MAX_SERIES),
					 errdetail("A figure draws at most %d series, one colour each.", SV_MAX_SERIES),
					 errhint("Make one figure per group (GROUP BY), or scaling_law_report for many.")));
		s = &st->series[st->nseries++];
		memset(s, 0, sizeof(*s));
		s->label_null = label_null;
		if (!label_null)
		{
			s->label = MemoryContextAlloc(aggctx, label_len > 0 ? label_len : 1);
			memcpy(s->label, label, label_len);
			s->label_len = label_len;
		}
		s->fit_null = fit_null;
		if (!fit_null)
		{
			s->fit = MemoryContextAlloc(aggctx, fit_len);
			memcpy(s->fit, fit, fit_len);
			s->fit_len = fit_len;
		}
		return s;
	}
	if (s->fit_null != fit_null
		|| (!fit_null && (s->fit_len != fit_len || memcmp(s->fit, fit, fit_len) != 0)))
		fit_mismatch(s);
	return s;
}

static void
add_rows_room(SvgSeriesState *s, MemoryContext aggctx, int k, int64 more)
{
	int64		need = s->n + more;
	int64		cap;

	if (need <= s->cap)
		return;
	cap = s->cap ? s->cap : 16;
	while (cap < need)
		cap *= 2;
	if (s->x == NULL)
	{
		s->x = MemoryContextAllocHuge(aggctx, sizeof(double) * k * cap);
		s->y = MemoryContextAllocHuge(aggctx, sizeof(double) * cap);
		s->held = MemoryContextAllocHuge(aggctx, cap);
	}
	else
	{
		s->x = repalloc_huge(s->x, sizeof(double) * k * cap);
		s->y = repalloc_huge(s->y, sizeof(double) * cap);
		s->held = repalloc_huge(s->held, cap);
	}
	s->cap = cap;
}

static void
check_rows(int64 rows)
{
	if (rows > SVG_MAX_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: more than %d rows in one figure", FN, SVG_MAX_ROWS),
				 errhint("Sample the rows (TABLESAMPLE) or aggregate them first.")));
}

static void
inputs_mismatch(int a, int b)
{
	ereport(ERROR,
			(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
			 errmsg("%s: every x array of a figure must have the same length", FN),
			 errdetail("Rows give arrays of %d and %d inputs.", Min(a, b), Max(a, b))));
}

PG_FUNCTION_INFO_V1(sl_svg_trans);
Datum
sl_svg_trans(PG_FUNCTION_ARGS)
{
	SvgCall    *call = trans_call(fcinfo);
	MemoryContext aggctx = sl_agg_context(fcinfo, FN);
	SvgState   *st = sl_state_arg(fcinfo, 0, SL_TAG_SVG, FN);
	double		x[SVG_MAX_INPUTS];
	int			k = 1;
	SvgSeriesState *s;
	text	   *label = NULL;
	struct varlena *fit = NULL;

	if (st == NULL)
		st = new_state(aggctx, call->fit_type, call->array_x);
	/* options count in every row, also one skipped for a NULL x or y */
	if (call->options_arg >= 0)
	{
		Jsonb	   *o = PG_ARGISNULL(call->options_arg) ? NULL : PG_GETARG_JSONB_P(call->options_arg);

		merge_options(st, aggctx, o == NULL, (const char *) o, o ? VARSIZE(o) : 0);
	}
	else
		merge_options(st, aggctx, true, NULL, 0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	if (call->array_x)
	{
		ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
		Datum	   *elems;
		bool	   *nulls;

		deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &k);
		if (k < 1 || k > SVG_MAX_INPUTS)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s: x must hold 1 to %d inputs, got %d", FN, SVG_MAX_INPUTS, k)));
		for (int j = 0; j < k; j++)
		{
			if (nulls[j])
				PG_RETURN_POINTER(st);	/* a NULL input: the row is skipped */
			x[j] = DatumGetFloat8(elems[j]);
		}
	}
	else
		x[0] = PG_GETARG_FLOAT8(1);
	if (st->k == 0)
		st->k = k;
	else if (st->k != k)
		inputs_mismatch(st->k, k);
	if (call->series_arg >= 0 && !PG_ARGISNULL(call->series_arg))
		label = PG_GETARG_TEXT_PP(call->series_arg);
	if (!PG_ARGISNULL(3))
		fit = PG_DETOAST_DATUM(PG_GETARG_DATUM(3));
	s = find_series(st, aggctx, label == NULL, label ? VARDATA_ANY(label) : NULL,
					label ? VARSIZE_ANY_EXHDR(label) : 0, fit == NULL, (const char *) fit,
					fit ? VARSIZE(fit) : 0);
	check_rows(st->rows + 1);
	add_rows_room(s, aggctx, k, 1);
	memcpy(s->x + s->n * k, x, sizeof(double) * k);
	s->y[s->n] = PG_GETARG_FLOAT8(2);
	s->held[s->n] = call->held_arg >= 0 && !PG_ARGISNULL(call->held_arg)
		&& PG_GETARG_BOOL(call->held_arg);
	s->n++;
	st->rows++;
	PG_RETURN_POINTER(st);
}

/* the rows of series src appended to dst's series of the same label */
static void
merge_state(SvgState *dst, const SvgState *src, MemoryContext aggctx)
{
	if (src->options_seen)
		merge_options(dst, aggctx, src->options_null, src->options, src->options_len);
	if (src->k != 0 && dst->k != 0 && src->k != dst->k)
		inputs_mismatch(dst->k, src->k);
	if (dst->k == 0)
		dst->k = src->k;
	check_rows(dst->rows + src->rows);
	for (int i = 0; i < src->nseries; i++)
	{
		const SvgSeriesState *from = &src->series[i];
		SvgSeriesState *to = find_series(dst, aggctx, from->label_null, from->label, from->label_len,
										 from->fit_null, from->fit, from->fit_len);

		if (from->n == 0)
			continue;
		add_rows_room(to, aggctx, dst->k, from->n);
		memcpy(to->x + to->n * dst->k, from->x, sizeof(double) * dst->k * from->n);
		memcpy(to->y + to->n, from->y, sizeof(double) * from->n);
		memcpy(to->held + to->n, from->held, from->n);
		to->n += from->n;
	}
	dst->rows += src->rows;
}

PG_FUNCTION_INFO_V1(sl_svg_combine);
Datum
sl_svg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	void	   *a,
			   *b;
	SvgState   *s1,
			   *s2;

	if (sl_combine_start(fcinfo, FN, SL_TAG_SVG, &aggctx, &a, &b))
		PG_RETURN_POINTER(a);
	s1 = a;
	s2 = b;
	if (s1 == NULL)
	{
		/* a copy in the aggregate context, never the other state itself */
		s1 = new_state(aggctx, s2->fit_type, s2->array_x);
	}
	if (s1->fit_type != s2->fit_type)
		elog(ERROR, "%s: partial states of different fit types", FN);
	merge_state(s1, s2, aggctx);
	PG_RETURN_POINTER(s1);
}

/* ---- serialisation: version, then the fields in order, lengths checked on reading ---- */

PG_FUNCTION_INFO_V1(sl_svg_serialize);
Datum
sl_svg_serialize(PG_FUNCTION_ARGS)
{
	SvgState   *st = sl_support_state(fcinfo, FN, SL_TAG_SVG);
	StringInfoData buf;

	if (st == NULL)
		elog(ERROR, "%s: no state to serialize", FN);
	pq_begintypsend(&buf);
	pq_sendint32(&buf, SL_TAG_SVG);
	pq_sendint32(&buf, SVG_STATE_VERSION);
	pq_sendint32(&buf, st->fit_type);
	pq_sendint32(&buf, st->k);
	pq_sendbyte(&buf, st->array_x);
	pq_sendbyte(&buf, st->options_seen);
	pq_sendbyte(&buf, st->options_null);
	pq_sendint32(&buf, st->options_len);
	pq_sendbytes(&buf, st->options, st->options_len);
	pq_sendint64(&buf, st->rows);
	pq_sendint32(&buf, st->nseries);
	for (int i = 0; i < st->nseries; i++)
	{
		const SvgSeriesState *s = &st->series[i];

		CHECK_FOR_INTERRUPTS();
		pq_sendbyte(&buf, s->label_null);
		pq_sendint32(&buf, s->label_len);
		pq_sendbytes(&buf, s->label, s->label_len);
		pq_sendbyte(&buf, s->fit_null);
		pq_sendint32(&buf, s->fit_len);
		pq_sendbytes(&buf, s->fit, s->fit_len);
		pq_sendint64(&buf, s->n);
		pq_sendbytes(&buf, (const char *) s->x, sizeof(double) * st->k * s->n);
		pq_sendbytes(&buf, (const char *) s->y, sizeof(double) * s->n);
		pq_sendbytes(&buf, (const char *) s->held, s->n);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

typedef struct Reader
{
	const char *p;
	Size		left;
} Reader;

static const char *
take(Reader *r, Size n)
{
	const char *p = r->p;

	if (n > r->left)
		sl_bad_state(FN);
	r->p += n;
	r->left -= n;
	return p;
}

static uint32
take32(Reader *r)
{
	uint32		v;

	memcpy(&v, take(r, 4), 4);
	return pg_ntoh32(v);
}

static int64
take64(Reader *r)
{
	uint64		v;

	memcpy(&v, take(r, 8), 8);
	return (int64) pg_ntoh64(v);
}

static char *
take_copy(Reader *r, MemoryContext aggctx, Size n)
{
	char	   *out = MemoryContextAllocHuge(aggctx, n > 0 ? n : 1);

	memcpy(out, take(r, n), n);
	return out;
}

PG_FUNCTION_INFO_V1(sl_svg_deserialize);
Datum
sl_svg_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	bytea	   *b;
	Reader		r;
	SvgState   *st;

	(void) sl_support_call(fcinfo, FN, 0);
	aggctx = sl_agg_context(fcinfo, FN);
	b = PG_GETARG_BYTEA_PP(0);
	r.p = VARDATA_ANY(b);
	r.left = VARSIZE_ANY_EXHDR(b);
	if (take32(&r) != SL_TAG_SVG || take32(&r) != SVG_STATE_VERSION)
		sl_bad_state(FN);
	st = new_state(aggctx, take32(&r), false);
	st->k = (int) take32(&r);
	st->array_x = *take(&r, 1) != 0;
	st->options_seen = *take(&r, 1) != 0;
	st->options_null = *take(&r, 1) != 0;
	st->options_len = take32(&r);
	if (st->k < 0 || st->k > SVG_MAX_INPUTS || st->options_len > r.left)
		sl_bad_state(FN);
	st->options = take_copy(&r, aggctx, st->options_len);
	st->rows = take64(&r);
	st->nseries = (int) take32(&r);
	if (st->nseries < 0 || st->nseries > SV_MAX_SERIES || st->rows < 0 || st->rows > SVG_MAX_ROWS)
		sl_bad_state(FN);
	for (int i = 0; i < st->nseries; i++)
	{
		SvgSeriesState *s = &st->series[i];

		s->label_null = *take(&r, 1) != 0;
		s->label_len = (int) take32(&r);
		if (s->label_len < 0 || (Size) s->label_len > r.left)
			sl_bad_state(FN);
		s->label = take_copy(&r, aggctx, s->label_len);
		s->fit_null = *take(&r, 1) != 0;
		s->fit_len = take32(&r);
		if (s->fit_len > r.left)
			sl_bad_state(FN);
		s->fit = take_copy(&r, aggctx, s->fit_len);
		s->n = take64(&r);
		if (s->n < 0 || s->n > st->rows || (Size) s->n * (8 * st->k + 9) > r.left)
			sl_bad_state(FN);
		s->cap = s->n;
		s->x = (double *) take_copy(&r, aggctx, sizeof(double) * st->k * s->n);
		s->y = (double *) take_copy(&r, aggctx, sizeof(double) * s->n);
		s->held = (uint8 *) take_copy(&r, aggctx, s->n);
	}
	if (r.left != 0)
		sl_bad_state(FN);
	PG_RETURN_POINTER(st);
}

/* ---- the figure ---- */

typedef struct FinalSeries
{
	const SvgSeriesState *s;
	char	   *label;			/* NUL-terminated, cut; NULL: none */
	Datum		fit;
	double		held_at[SVG_MAX_INPUTS];	/* the other inputs, at the largest-x row */
} FinalSeries;

typedef struct PredictArg
{
	SvgPredictor pred;
	FinalSeries *fs;
	int			x_input;		/* 0-based */
	int			k;
	double		level;
} PredictArg;

static bool
predict_cb(void *arg, int series, double x, SvPrediction *out)
{
	PredictArg *pa = arg;
	FinalSeries *f = &pa->fs[series];
	double		in[SVG_MAX_INPUTS];

	memcpy(in, f->held_at, sizeof(double) * pa->k);
	in[pa->x_input] = x;
	return svg_predict(&pa->pred, f->fit, in, pa->level, out);
}

/* series in order of label (bytes), the unlabelled one last: their colours */
static int
series_cmp(const void *a, const void *b)
{
	const SvgSeriesState *x = ((const FinalSeries *) a)->s;
	const SvgSeriesState *y = ((const FinalSeries *) b)->s;
	int			c;

	if (x->label_null != y->label_null)
		return x->label_null ? 1 : -1;
	if (x->label_null)
		return 0;
	c = memcmp(x->label, y->label, Min(x->label_len, y->label_len));
	if (c != 0)
		return c;
	return x->label_len - y->label_len;
}

/* x_input as a 0-based position among k inputs, for names: the fit's */
static int
resolve_x_input(const SvgOptions *o, int k, const FinalSeries *fs, int nseries)
{
	char		buf[16];

	if (o->x_input > 0)
	{
		if (o->x_input > k)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: option \"x_input\" is %d, but the rows have %d input%s", FN,
							o->x_input, k, k == 1 ? "" : "s")));
		return o->x_input - 1;
	}
	if (o->x_input < 0)
		return 0;
	/* a name: x1, x2, ... or the header names of a formula's fit */
	for (int j = 0; j < k; j++)
	{
		snprintf(buf, sizeof(buf), "x%d", j + 1);
		if (strcmp(o->x_input_name, buf) == 0 || (k == 1 && strcmp(o->x_input_name, "x") == 0))
			return j;
	}
	for (int i = 0; i < nseries; i++)
	{
		HeapTupleHeader t;
		bool		isnull;
		Datum		formula;
		SlAlloc		al;
		SlfError	err;
		SlFormula  *f;
		text	   *ft;

		if (fs[i].s->fit_null)
			continue;
		t = DatumGetHeapTupleHeader(fs[i].fit);
		{
			TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(t), HeapTupleHeaderGetTypMod(t));
			bool		has = false;

			for (int a = 0; a < desc->natts; a++)
				if (!TupleDescAttr(desc, a)->attisdropped && TupleDescAttr(desc, a)->atttypid == TEXTOID
					&& strcmp(NameStr(TupleDescAttr(desc, a)->attname), "formula") == 0)
					has = true;
			ReleaseTupleDesc(desc);
			if (!has)
				break;
		}
		formula = GetAttributeByName(t, "formula", &isnull);
		if (isnull)
			continue;
		ft = DatumGetTextPP(formula);
		sl_pg_alloc_init(&al, CurrentMemoryContext);
		memset(&err, 0, sizeof(err));
		f = slf_compile(VARDATA_ANY(ft), VARSIZE_ANY_EXHDR(ft), &al, &err);
		if (f == NULL)
			continue;
		for (int j = 0; j < slf_n_inputs(f) && j < k; j++)
			if (strcmp(slf_input_name(f, j), o->x_input_name) == 0)
				return j;
		break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: option \"x_input\" names no input: \"%s\"", FN, o->x_input_name),
			 errhint("Name an input as the formula's header does, or as x1, x2, ...; or give its position.")));
	return 0;
}

static void
bad_axis_value(const char *axis, double v, bool log)
{
	char		buf[64];

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s value %s cannot go on %s %s axis", FN, axis,
					sl_format_double(v, buf, sizeof(buf)), log ? "the logarithmic" : "the",
					axis),
			 log ? errdetail("Every %s of the figure must be finite and greater than zero.", axis)
			 : errdetail("Every %s of the figure must be finite.", axis),
			 log && strcmp(axis, "y") == 0
			 ? errhint("Set the option \"y_axis\": \"linear\" for values that can be zero or negative.")
			 : 0));
}

PG_FUNCTION_INFO_V1(sl_svg_final);
Datum
sl_svg_final(PG_FUNCTION_ARGS)
{
	SvgState   *st = sl_support_state(fcinfo, FN, SL_TAG_SVG);
	SvgOptions	o;
	FinalSeries *fs;
	SvSeries   *ss;
	SvFigure	fig;
	PredictArg	pa;
	SlAlloc		al;
	char	   *out;
	size_t		len;
	int			k,
				xi;
	SvStatus	status;
	char	   *figure_note = NULL;

	if (st == NULL || st->rows == 0)
		PG_RETURN_NULL();
	k = st->k;
	svg_parse_options(FN, st->options_null ? NULL : (Jsonb *) st->options, false, &o);
	sl_pg_alloc_init(&al, CurrentMemoryContext);

	fs = palloc0(sizeof(FinalSeries) * st->nseries);
	for (int i = 0; i < st->nseries; i++)
		fs[i].s = &st->series[i];
	qsort(fs, st->nseries, sizeof(FinalSeries), series_cmp);
	for (int i = 0; i < st->nseries; i++)
	{
		if (!fs[i].s->label_null)
			fs[i].label = svg_text_cstring(fs[i].s->label, fs[i].s->label_len);
		if (!fs[i].s->fit_null)
			fs[i].fit = PointerGetDatum(fs[i].s->fit);
	}
	xi = resolve_x_input(&o, k, fs, st->nseries);

	/* values that cannot go on the axes: the smallest such, whatever the row order */
	{
		bool		bad_x = false,
					bad_y = false,
					bad_other = false;
		double		vx = 0,
					vy = 0,
					vo = 0,
					v;

		for (int i = 0; i < st->nseries; i++)
		{
			const SvgSeriesState *s = fs[i].s;
			double	   *col = palloc(sizeof(double) * Max(s->n, 1));

			for (int j = 0; j < k; j++)
			{
				for (int64 r = 0; r < s->n; r++)
				{
					if ((r & 4095) == 0)
						CHECK_FOR_INTERRUPTS();
					col[r] = s->x[r * k + j];
				}
				if (sv_bad_value(col, s->n, j == xi, &v, &al))
				{
					if (j == xi && (!bad_x || v < vx || isnan(vx)))
						vx = v, bad_x = true;
					if (j != xi && (!bad_other || v < vo || isnan(vo)))
						vo = v, bad_other = true;
				}
			}
			if (sv_bad_value(s->y, s->n, o.y_log, &v, &al) && (!bad_y || v < vy || isnan(vy)))
				vy = v, bad_y = true;
			pfree(col);
		}
		if (bad_x)
			bad_axis_value("x", vx, true);
		if (bad_y)
			bad_axis_value("y", vy, o.y_log);
		if (bad_other)
		{
			char		buf[64];

			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: input value %s is not finite", FN, sl_format_double(vo, buf, sizeof(buf)))));
		}
	}

	/* per series: its points on the chosen input, and the other inputs held at the largest-x row */
	ss = palloc0(sizeof(SvSeries) * st->nseries);
	memset(&pa, 0, sizeof(pa));
	pa.fs = fs;
	pa.x_input = xi;
	pa.k = k;
	pa.level = o.level;
	if (!svg_predictor_init(&pa.pred, fcinfo, st->fit_type, k, CurrentMemoryContext))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("%s: no predict_interval for fits of type %s with %d input%s", FN,
						format_type_be(st->fit_type), k, k == 1 ? "" : "s")));
	for (int i = 0; i < st->nseries; i++)
	{
		const SvgSeriesState *s = fs[i].s;
		SvSeries   *se = &ss[i];
		double	   *xs = palloc(sizeof(double) * Max(s->n, 1));
		int64		best = 0;

		for (int64 r = 0; r < s->n; r++)
		{
			xs[r] = s->x[r * k + xi];
			/* the largest x, ties to the largest other inputs in order */
			if (r > 0)
			{
				int			c = 0;

				if (xs[r] != xs[best])
					c = xs[r] > xs[best] ? 1 : -1;
				for (int j = 0; j < k && c == 0; j++)
					if (s->x[r * k + j] != s->x[best * k + j])
						c = s->x[r * k + j] > s->x[best * k + j] ? 1 : -1;
				if (c > 0)
					best = r;
			}
			if ((r & 4095) == 0)
				CHECK_FOR_INTERRUPTS();
		}
		memcpy(fs[i].held_at, s->x + best * k, sizeof(double) * k);
		se->label = fs[i].label;
		se->n = s->n;
		se->x = xs;
		se->y = s->y;
		se->held_out = s->held;
		se->fit_x_max = NAN;
		if (s->fit_null)
			se->note = fs[i].label ? psprintf("%s: no fit (NULL), points only", fs[i].label)
				: "no fit (NULL): points only";
		else
		{
			double		xmax[SVG_MAX_INPUTS];
			SvPrediction p;
			double		in[SVG_MAX_INPUTS];

			if (svg_fit_array(fs[i].fit, "x_max", xmax, SVG_MAX_INPUTS) > xi && isfinite(xmax[xi]))
				se->fit_x_max = xmax[xi];
			memcpy(in, fs[i].held_at, sizeof(double) * k);
			/* a fit that predicts nothing (a NULL coefficient): say so */
			se->has_fit = svg_predict(&pa.pred, fs[i].fit, in, o.level, &p);
			if (!se->has_fit)
				se->note = fs[i].label ? psprintf("%s: the fit gives no prediction, points only", fs[i].label)
					: "the fit gives no prediction: points only";
		}
	}
	if (k > 1 && st->nseries > 0)
	{
		/* which values the other inputs are held at is part of the figure: a note */
		StringInfoData n;

		initStringInfo(&n);
		appendStringInfo(&n, "curves at each series' other inputs of its largest x%d row", xi + 1);
		if (st->nseries == 1)
		{
			char		buf[64];

			appendStringInfoString(&n, ":");
			for (int j = 0; j < k; j++)
				if (j != xi)
					appendStringInfo(&n, " x%d = %s", j + 1,
									 sl_format_double(fs[0].held_at[j], buf, sizeof(buf)));
		}
		figure_note = n.data;
	}

	memset(&fig, 0, sizeof(fig));
	fig.title = o.title;
	fig.note = figure_note;
	fig.x_label = o.x_label;
	fig.y_label = o.y_label;
	fig.width = o.width;
	fig.height = o.height;
	fig.y_log = o.y_log;
	fig.extrapolate_to = o.extrapolate_to;
	fig.level = o.level;
	fig.nseries = st->nseries;
	fig.series = ss;
	fig.predict = predict_cb;
	fig.predict_arg = &pa;
	status = sv_render(&fig, &al, &out, &len);
	if (status != SV_OK)
		elog(ERROR, "%s: figure not drawn (status %d)", FN, (int) status);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, len));
}
