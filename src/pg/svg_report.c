/*
 * svg_report.c -- scaling_law_report(label, svg, fit [, options]): one
 * self-contained HTML page of a table of fits, a grid of small multiples
 * with, beneath each plot, the fit's coefficients (with standard errors),
 * R^2, RMSE, n, and the widths of the confidence interval at the end of
 * the data and at extrapolate_to.
 *
 * The plots are scaling_law_svg's documents (or any text): each is an
 * <img> with a data: URI, so nothing in one can run script or change the
 * page; every other text is HTML-escaped.  Rows are sorted in the final
 * function (label, then the bytes of plot and fit), so the page does not
 * depend on row order or plan.  The state is the rows, encoded one after
 * another in one buffer that combine appends to and serialize copies.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/base64.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "formula.h"
#include "sl_pg.h"
#include "svg_pg.h"

#define FN "scaling_law_report"
#define REPORT_MAX_ROWS 2000
#define REPORT_STATE_VERSION 1

/* row flags */
#define ROW_LABEL_NULL 1
#define ROW_SVG_NULL 2
#define ROW_FIT_NULL 4

typedef struct ReportState
{
	uint32		tag;			/* SL_TAG_REPORT */
	Oid			fit_type;
	bool		options_null;
	Size		options_len;
	char	   *options;
	int			rows;
	Size		len;			/* rows, encoded: flags, then three (uint32 length, bytes) */
	Size		cap;
	char	   *data;
} ReportState;

static ReportState *
new_report(MemoryContext aggctx, Oid fit_type)
{
	ReportState *st = MemoryContextAllocZero(aggctx, sizeof(ReportState));

	st->tag = SL_TAG_REPORT;
	st->fit_type = fit_type;
	st->options_null = true;
	return st;
}

static void
append(ReportState *st, MemoryContext aggctx, const void *p, Size n)
{
	if (st->len + n > st->cap)
	{
		Size		cap = st->cap ? st->cap : 1024;

		while (cap < st->len + n)
			cap *= 2;
		st->data = st->data ? repalloc_huge(st->data, cap) : MemoryContextAllocHuge(aggctx, cap);
		st->cap = cap;
	}
	memcpy(st->data + st->len, p, n);
	st->len += n;
}

static void
append_field(ReportState *st, MemoryContext aggctx, const char *p, uint32 n)
{
	append(st, aggctx, &n, sizeof(n));
	if (n)
		append(st, aggctx, p, n);
}

static void
count_row(ReportState *st)
{
	if (++st->rows > REPORT_MAX_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: more than %d plots in one report", FN, REPORT_MAX_ROWS)));
}

static void
report_options(ReportState *st, MemoryContext aggctx, bool isnull, const char *bytes, Size len,
			   bool first)
{
	SvgOptions	a,
				b;

	if (first)
	{
		st->options_null = isnull;
		if (!isnull)
		{
			st->options = MemoryContextAlloc(aggctx, len);
			memcpy(st->options, bytes, len);
			st->options_len = len;
			svg_parse_options(FN, (Jsonb *) st->options, true, &a);
		}
		return;
	}
	if (isnull == st->options_null && (isnull || (len == st->options_len
												  && memcmp(bytes, st->options, len) == 0)))
		return;
	svg_parse_options(FN, isnull ? NULL : (Jsonb *) bytes, true, &a);
	svg_parse_options(FN, st->options_null ? NULL : (Jsonb *) st->options, true, &b);
	if (!svg_options_equal(&a, &b))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: options must be the same for every row of a report", FN)));
}

PG_FUNCTION_INFO_V1(sl_report_trans);
Datum
sl_report_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx = sl_agg_context(fcinfo, FN);
	ReportState *st = sl_state_arg(fcinfo, 0, SL_TAG_REPORT, FN);
	bool		first = st == NULL;
	uint8		flags = 0;
	text	   *label = NULL,
			   *svg = NULL;
	struct varlena *fit = NULL;

	if (fcinfo->flinfo->fn_extra == NULL)
	{
		Oid			t = get_fn_expr_argtype(fcinfo->flinfo, 3);

		if (PG_NARGS() != 4 && PG_NARGS() != 5)
			sl_wrong_declaration(fcinfo, FN, "It has the wrong number of arguments.");
		sl_check_arg_type(fcinfo, FN, 1, TEXTOID, true);
		sl_check_arg_type(fcinfo, FN, 2, TEXTOID, true);
		if (PG_NARGS() == 5)
			sl_check_arg_type(fcinfo, FN, 4, JSONBOID, true);
		if (!svg_is_fit_type(fcinfo, t))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: argument fit must be a fit of scalinglaw, got type %s", FN,
							OidIsValid(t) ? format_type_be(t) : "unknown")));
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(Oid));
		*(Oid *) fcinfo->flinfo->fn_extra = t;
	}
	if (first)
		st = new_report(aggctx, *(Oid *) fcinfo->flinfo->fn_extra);
	if (PG_NARGS() == 5)
	{
		Jsonb	   *o = PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4);

		report_options(st, aggctx, o == NULL, (const char *) o, o ? VARSIZE(o) : 0, first);
	}
	if (!PG_ARGISNULL(1))
		label = PG_GETARG_TEXT_PP(1);
	if (!PG_ARGISNULL(2))
		svg = PG_GETARG_TEXT_PP(2);
	if (!PG_ARGISNULL(3))
		fit = PG_DETOAST_DATUM(PG_GETARG_DATUM(3));
	flags = (label ? 0 : ROW_LABEL_NULL) | (svg ? 0 : ROW_SVG_NULL) | (fit ? 0 : ROW_FIT_NULL);
	count_row(st);
	append(st, aggctx, &flags, 1);
	append_field(st, aggctx, label ? VARDATA_ANY(label) : NULL, label ? VARSIZE_ANY_EXHDR(label) : 0);
	append_field(st, aggctx, svg ? VARDATA_ANY(svg) : NULL, svg ? VARSIZE_ANY_EXHDR(svg) : 0);
	append_field(st, aggctx, (const char *) fit, fit ? VARSIZE(fit) : 0);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(sl_report_combine);
Datum
sl_report_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	void	   *a,
			   *b;
	ReportState *s1,
			   *s2;
	bool		first = false;

	if (sl_combine_start(fcinfo, FN, SL_TAG_REPORT, &aggctx, &a, &b))
		PG_RETURN_POINTER(a);
	s1 = a;
	s2 = b;
	if (s1 == NULL)
	{
		s1 = new_report(aggctx, s2->fit_type);
		first = true;
	}
	report_options(s1, aggctx, s2->options_null, s2->options, s2->options_len, first);
	for (int i = 0; i < s2->rows; i++)
		count_row(s1);
	if (s2->len)
		append(s1, aggctx, s2->data, s2->len);
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(sl_report_serialize);
Datum
sl_report_serialize(PG_FUNCTION_ARGS)
{
	ReportState *st = sl_support_state(fcinfo, FN, SL_TAG_REPORT);
	Size		size;
	bytea	   *out;
	char	   *p;
	uint32		head[7];

	if (st == NULL)
		elog(ERROR, "%s: no state to serialize", FN);
	head[0] = SL_TAG_REPORT;
	head[1] = REPORT_STATE_VERSION;
	head[2] = st->fit_type;
	head[3] = st->options_null;
	head[4] = st->options_len;
	head[5] = st->rows;
	head[6] = 0;
	size = VARHDRSZ + sizeof(head) + st->options_len + st->len;
	out = palloc_extended(size, MCXT_ALLOC_HUGE);
	SET_VARSIZE(out, size);
	p = VARDATA(out);
	memcpy(p, head, sizeof(head));
	p += sizeof(head);
	if (st->options_len)
		memcpy(p, st->options, st->options_len);
	p += st->options_len;
	if (st->len)
		memcpy(p, st->data, st->len);
	PG_RETURN_BYTEA_P(out);
}

/* one decoded row; false at the end, ERROR for a truncated buffer */
typedef struct ReportRow
{
	uint8		flags;
	uint32		label_len,
				svg_len,
				fit_len;
	const char *label,
			   *svg,
			   *fit;
} ReportRow;

static const char *
next_field(const char **p, const char *end, uint32 *len)
{
	const char *v;

	if (end - *p < (ptrdiff_t) sizeof(uint32))
		sl_bad_state(FN);
	memcpy(len, *p, sizeof(uint32));
	*p += sizeof(uint32);
	if ((Size) (end - *p) < *len)
		sl_bad_state(FN);
	v = *p;
	*p += *len;
	return v;
}

static bool
next_row(const char **p, const char *end, ReportRow *r)
{
	if (*p == end)
		return false;
	r->flags = (uint8) **p;
	(*p)++;
	r->label = next_field(p, end, &r->label_len);
	r->svg = next_field(p, end, &r->svg_len);
	r->fit = next_field(p, end, &r->fit_len);
	return true;
}

PG_FUNCTION_INFO_V1(sl_report_deserialize);
Datum
sl_report_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	bytea	   *b;
	const char *p,
			   *end;
	uint32		head[7];
	ReportState *st;
	ReportRow	r;
	int			rows = 0;

	(void) sl_support_call(fcinfo, FN, 0);
	aggctx = sl_agg_context(fcinfo, FN);
	b = PG_GETARG_BYTEA_PP(0);
	p = VARDATA_ANY(b);
	end = p + VARSIZE_ANY_EXHDR(b);
	if (end - p < (ptrdiff_t) sizeof(head))
		sl_bad_state(FN);
	memcpy(head, p, sizeof(head));
	p += sizeof(head);
	if (head[0] != SL_TAG_REPORT || head[1] != REPORT_STATE_VERSION || head[3] > 1
		|| head[4] > (Size) (end - p) || head[5] > REPORT_MAX_ROWS)
		sl_bad_state(FN);
	st = new_report(aggctx, head[2]);
	st->options_null = head[3] != 0;
	st->options_len = head[4];
	if (st->options_len)
	{
		st->options = MemoryContextAlloc(aggctx, st->options_len);
		memcpy(st->options, p, st->options_len);
	}
	p += st->options_len;
	/* the rows must decode to exactly the count the header gives */
	{
		const char *q = p;

		while (next_row(&q, end, &r))
			rows++;
	}
	if (rows != (int) head[5])
		sl_bad_state(FN);
	st->rows = rows;
	if (end > p)
		append(st, aggctx, p, end - p);
	PG_RETURN_POINTER(st);
}

/* ---- the page ---- */

static int
bytes_cmp(const char *a, uint32 na, const char *b, uint32 nb)
{
	int			c = memcmp(a, b, Min(na, nb));

	if (c != 0)
		return c;
	return na < nb ? -1 : na > nb ? 1 : 0;
}

/* label (NULL last), then plot, then fit bytes */
static int
row_cmp(const void *pa, const void *pb)
{
	const ReportRow *a = pa,
			   *b = pb;
	int			c;

	if ((a->flags & ROW_LABEL_NULL) != (b->flags & ROW_LABEL_NULL))
		return (a->flags & ROW_LABEL_NULL) ? 1 : -1;
	if ((c = bytes_cmp(a->label, a->label_len, b->label, b->label_len)) != 0)
		return c;
	if ((c = bytes_cmp(a->svg, a->svg_len, b->svg, b->svg_len)) != 0)
		return c;
	if ((c = (int) (a->flags & ROW_SVG_NULL) - (int) (b->flags & ROW_SVG_NULL)) != 0)
		return c;
	if ((c = bytes_cmp(a->fit, a->fit_len, b->fit, b->fit_len)) != 0)
		return c;
	return (int) (a->flags & ROW_FIT_NULL) - (int) (b->flags & ROW_FIT_NULL);
}

static void
put_number(SvBuf *b, double v)
{
	char		buf[40];

	if (isnan(v))
		sv_put(b, "NaN");
	else if (isinf(v))
		sv_put(b, v > 0 ? "Infinity" : "-Infinity");
	else
	{
		snprintf(buf, sizeof(buf), "%.6g", v);
		sv_put(b, buf);
	}
}

static void
put_len_text(SvBuf *b, const char *s, int len)
{
	sv_escape(b, svg_text_cstring(s, len));
}

/* the number at key name of a jsonb object (NaN if none) */
static double
jsonb_number(Jsonb *jb, const char *name)
{
	JsonbValue	key,
			   *v;

	if (jb == NULL || !JB_ROOT_IS_OBJECT(jb))
		return NAN;
	key.type = jbvString;
	key.val.string.val = (char *) name;
	key.val.string.len = strlen(name);
	v = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &key);
	if (v == NULL || v->type != jbvNumeric)
		return NAN;
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
											  NumericGetDatum(v->val.numeric)));
}

/* a row named by html (already markup), the value and its standard error */
static void
put_row_html(SvBuf *b, const char *html, double v, double se)
{
	sv_put(b, "<tr><th>");
	sv_put(b, html);
	sv_put(b, "</th><td>");
	put_number(b, v);
	if (isfinite(se))
	{
		sv_put(b, " &#177; ");
		put_number(b, se);
	}
	sv_put(b, "</td></tr>\n");
}

static void
put_row(SvBuf *b, const char *name, double v, double se)
{
	SvBuf		h;

	sv_buf_init(&h, b->al);
	sv_escape(&h, name);
	put_row_html(b, h.data, v, se);
}

static void
put_interval_row(SvBuf *b, SvgPredictor *pred, Datum fit, const double *x, double level,
				 const char *where)
{
	SvPrediction p;
	char		head[96];

	snprintf(head, sizeof(head), "%g%% interval width at %s", round(level * 1000.0) / 10.0, where);
	sv_put(b, "<tr><th>");
	sv_escape(b, head);
	sv_put(b, "</th><td>");
	if (svg_predict(pred, fit, x, level, &p) && isfinite(p.lo) && isfinite(p.hi))
		put_number(b, p.hi - p.lo);
	else
		sv_put(b, "&#8212;");
	sv_put(b, "</td></tr>\n");
}

/* the table of one fit: coefficients, goodness of fit, interval widths */
static void
put_fit_table(SvBuf *b, FunctionCallInfo fcinfo, Datum fit, const SvgOptions *o)
{
	HeapTupleHeader t = DatumGetHeapTupleHeader(fit);
	TupleDesc	desc = lookup_rowtype_tupdesc_copy(HeapTupleHeaderGetTypeId(t), HeapTupleHeaderGetTypMod(t));
	HeapTupleData tmp;
	Datum	   *values = palloc(sizeof(Datum) * desc->natts);
	bool	   *nulls = palloc(sizeof(bool) * desc->natts);
	Jsonb	   *se = NULL;
	int			att_r2 = -1,
				att_rmse = -1,
				att_n = -1;
	double		xmax[SLF_MAX_INPUTS];
	int			k;

	tmp.t_len = HeapTupleHeaderGetDatumLength(t);
	ItemPointerSetInvalid(&tmp.t_self);
	tmp.t_tableOid = InvalidOid;
	tmp.t_data = t;
	heap_deform_tuple(&tmp, desc, values, nulls);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || nulls[i])
			continue;
		if (strcmp(NameStr(a->attname), "std_errors") == 0 && a->atttypid == JSONBOID)
			se = DatumGetJsonbP(values[i]);
		else if (strcmp(NameStr(a->attname), "r2") == 0)
			att_r2 = i;
		else if (strcmp(NameStr(a->attname), "rmse") == 0)
			att_rmse = i;
		else if (strcmp(NameStr(a->attname), "n") == 0)
			att_n = i;
	}
	sv_put(b, "<table>\n");
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);
		const char *name = NameStr(a->attname);

		if (a->attisdropped || i == att_r2 || i == att_rmse || i == att_n)
			continue;
		if (a->atttypid == FLOAT8OID)
			put_row(b, name, nulls[i] ? NAN : DatumGetFloat8(values[i]), jsonb_number(se, name));
		else if (a->atttypid == TEXTOID && strcmp(name, "formula") == 0 && !nulls[i])
		{
			sv_put(b, "<tr><th>formula</th><td><code>");
			sv_escape(b, TextDatumGetCString(values[i]));
			sv_put(b, "</code></td></tr>\n");
		}
		else if (a->atttypid == JSONBOID && strcmp(name, "params") == 0 && !nulls[i])
		{
			Jsonb	   *jb = DatumGetJsonbP(values[i]);
			JsonbIterator *it = JsonbIteratorInit(&jb->root);
			JsonbValue	kv,
						v;
			JsonbIteratorToken tok;

			while ((tok = JsonbIteratorNext(&it, &kv, true)) != WJB_DONE)
			{
				char	   *pname;

				if (tok != WJB_KEY)
					continue;
				pname = pnstrdup(kv.val.string.val, kv.val.string.len);
				tok = JsonbIteratorNext(&it, &v, true);
				put_row(b, pname, v.type == jbvNumeric
						? DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
															 NumericGetDatum(v.val.numeric)))
						: NAN, jsonb_number(se, pname));
			}
		}
		else if (a->atttypid == TEXTARRAYOID && strcmp(name, "at_bound") == 0 && !nulls[i])
		{
			ArrayType  *arr = DatumGetArrayTypeP(values[i]);

			if (ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)) > 0)
			{
				Oid			out;
				bool		varlena;

				getTypeOutputInfo(TEXTARRAYOID, &out, &varlena);
				sv_put(b, "<tr><th>at bound</th><td>");
				sv_escape(b, OidOutputFunctionCall(out, values[i]));
				sv_put(b, "</td></tr>\n");
			}
		}
	}
	if (att_r2 >= 0)
		put_row_html(b, "R&#178;", DatumGetFloat8(values[att_r2]), NAN);
	if (att_rmse >= 0)
		put_row(b, "RMSE", DatumGetFloat8(values[att_rmse]), NAN);
	if (att_n >= 0)
	{
		char		buf[32];

		snprintf(buf, sizeof(buf), INT64_FORMAT, DatumGetInt64(values[att_n]));
		sv_put(b, "<tr><th>n</th><td>");
		sv_put(b, buf);
		sv_put(b, "</td></tr>\n");
	}
	k = svg_fit_array(fit, "x_max", xmax, SLF_MAX_INPUTS);
	if (k > 0)
	{
		SvgPredictor pred;
		bool		finite = true;

		for (int j = 0; j < k; j++)
			finite = finite && isfinite(xmax[j]) && xmax[j] > 0;
		if (finite && svg_predictor_init(&pred, fcinfo, HeapTupleHeaderGetTypeId(t), k,
										 CurrentMemoryContext))
		{
			put_interval_row(b, &pred, fit, xmax, o->level, "the largest x");
			if (!isnan(o->extrapolate_to))
			{
				double		x[SLF_MAX_INPUTS];
				char		where[48];

				memcpy(x, xmax, sizeof(double) * k);
				x[0] = o->extrapolate_to;
				snprintf(where, sizeof(where), k == 1 ? "x = %g" : "x1 = %g", o->extrapolate_to);
				put_interval_row(b, &pred, fit, x, o->level, where);
			}
		}
	}
	sv_put(b, "</table>\n");
}

PG_FUNCTION_INFO_V1(sl_report_final);
Datum
sl_report_final(PG_FUNCTION_ARGS)
{
	ReportState *st = sl_support_state(fcinfo, FN, SL_TAG_REPORT);
	ReportRow  *rows;
	const char *p,
			   *end;
	int			n = 0;
	SvgOptions	o;
	SlAlloc		al;
	SvBuf		b;

	if (st == NULL || st->rows == 0)
		PG_RETURN_NULL();
	svg_parse_options(FN, st->options_null ? NULL : (Jsonb *) st->options, true, &o);
	rows = palloc(sizeof(ReportRow) * st->rows);
	p = st->data;
	end = st->data + st->len;
	while (n < st->rows && next_row(&p, end, &rows[n]))
		n++;
	qsort(rows, n, sizeof(ReportRow), row_cmp);

	sl_pg_alloc_init(&al, CurrentMemoryContext);
	sv_buf_init(&b, &al);
	sv_put(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	sv_escape(&b, o.title ? o.title : "Scaling-law fits");
	sv_put(&b, "</title>\n<style>\n"
		   "body{margin:0;padding:16px;background:#ffffff;color:#222222;font-family:'DejaVu Sans',Arial,Helvetica,sans-serif}\n"
		   "h1{margin:0 0 16px 0;height:32px;line-height:32px;font-size:22px;overflow:hidden;white-space:nowrap}\n"
		   ".grid{display:flex;flex-wrap:wrap;align-items:flex-start;gap:16px}\n"
		   "figure{margin:0}\nimg{display:block}\n"
		   "figcaption{font-weight:bold;margin:6px 0}\n"
		   "table{border-collapse:collapse;font-size:12px}\n"
		   "th,td{padding:1px 8px 1px 0;text-align:left;vertical-align:top}\nth{font-weight:normal;color:#555555}\n"
		   "</style>\n</head>\n<body>\n<h1>");
	sv_escape(&b, o.title ? o.title : "Scaling-law fits");
	sv_put(&b, "</h1>\n<div class=\"grid\">\n");
	for (int i = 0; i < n; i++)
	{
		const ReportRow *r = &rows[i];

		CHECK_FOR_INTERRUPTS();
		sv_put(&b, "<figure class=\"group\">\n");
		if (r->flags & ROW_SVG_NULL)
			sv_put(&b, "<p class=\"no-plot\">no plot</p>\n");
		else
		{
			char	   *utf8 = pg_server_to_any(r->svg, r->svg_len, PG_UTF8);
			int			len = utf8 == r->svg ? (int) r->svg_len : (int) strlen(utf8);
			int			enc_len = pg_b64_enc_len(len);
			char	   *enc = palloc(enc_len + 1);
			int			got = pg_b64_encode(utf8, len, enc, enc_len);

			if (got < 0)
				elog(ERROR, "%s: could not encode a plot", FN);
			enc[got] = '\0';
			sv_put(&b, "<img alt=\"");
			if (!(r->flags & ROW_LABEL_NULL))
				put_len_text(&b, r->label, r->label_len);
			sv_put(&b, "\" src=\"data:image/svg+xml;base64,");
			sv_put(&b, enc);
			sv_put(&b, "\">\n");
			pfree(enc);
		}
		sv_put(&b, "<figcaption>");
		if (!(r->flags & ROW_LABEL_NULL))
			put_len_text(&b, r->label, r->label_len);
		sv_put(&b, "</figcaption>\n");
		if (r->flags & ROW_FIT_NULL)
			sv_put(&b, "<p class=\"no-fit\">no fit</p>\n");
		else
		{
			/* the fit's bytes as a datum, aligned */
			char	   *copy = palloc(r->fit_len);

			memcpy(copy, r->fit, r->fit_len);
			put_fit_table(&b, fcinfo, PointerGetDatum(copy), &o);
		}
		sv_put(&b, "</figure>\n");
	}
	sv_put(&b, "</div>\n</body>\n</html>\n");
	PG_RETURN_TEXT_P(cstring_to_text_with_len(b.data, b.len));
}
