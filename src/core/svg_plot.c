/*
 * svg_plot.c -- one SVG figure of scaling-law data: points, fitted curves
 * (solid over the fitted range, dashed where extrapolated), confidence
 * bands, log-log axes and a legend.  See svg_plot.h.
 */
#include "svg_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Okabe-Ito, in an order that keeps neighbours far apart; yellow last (faint on white) */
static const char *const palette[SV_MAX_SERIES] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"
};

#define MARKER_R "3.5"
#define MARGIN_LEFT 72
#define MARGIN_RIGHT 20
#define MARGIN_BOTTOM 52
#define LEGEND_ROW 18
#define NOTE_ROW 14

const char *
sv_colour(int i)
{
	return palette[i % SV_MAX_SERIES];
}

typedef struct SvPt
{
	double		x;
	double		y;
	unsigned char held;
} SvPt;

/* the total order of points: x, then y, then held out last */
static int
pt_cmp(const SvPt *a, const SvPt *b)
{
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	return (int) a->held - (int) b->held;
}

/* bottom-up merge sort (finite values only), interruptible */
static void
sort_points(SvPt *p, size_t n, const SlAlloc *al)
{
	SvPt	   *tmp,
			   *src = p,
			   *dst;
	uint64_t	tick = 0;

	if (n < 2)
		return;
	tmp = al->alloc(al->ctx, n * sizeof(SvPt));
	dst = tmp;
	for (size_t w = 1; w < n; w *= 2)
	{
		for (size_t lo = 0; lo < n; lo += 2 * w)
		{
			size_t		mid = lo + w < n ? lo + w : n;
			size_t		hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t		i = lo,
						j = mid,
						k = lo;

			while (i < mid && j < hi)
			{
				sl_check_interrupts_every(al, ++tick);
				dst[k++] = pt_cmp(&src[j], &src[i]) < 0 ? src[j++] : src[i++];
			}
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		{
			SvPt	   *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != p)
		memcpy(p, src, n * sizeof(SvPt));
	al->free(al->ctx, tmp);
}

/* rank of a value in the order -Inf < finite < Inf < NaN, for sv_bad_value */
static bool
value_before(double a, double b)
{
	if (isnan(a))
		return false;
	if (isnan(b))
		return true;
	return a < b;
}

bool
sv_bad_value(const double *v, size_t n, bool positive, double *bad, const SlAlloc *al)
{
	bool		found = false;

	for (size_t i = 0; i < n; i++)
	{
		sl_check_interrupts_every(al, i);
		if (isfinite(v[i]) && (!positive || v[i] > 0.0))
			continue;
		if (!found || value_before(v[i], *bad))
			*bad = v[i];
		found = true;
	}
	return found;
}

/* ---- curves ---- */

typedef struct Curve
{
	int			n;
	double		x[SV_FIT_SAMPLES];
	SvPrediction p[SV_FIT_SAMPLES];
	bool		ok[SV_FIT_SAMPLES];
} Curve;

/* n log-spaced samples of series s's fit over [a, b] */
static void
sample_curve(const SvFigure *fig, int s, double a, double b, int n, Curve *c)
{
	double		la = log10(a),
				lb = log10(b);

	c->n = n;
	for (int i = 0; i < n; i++)
	{
		double		x = i == 0 ? a : i == n - 1 ? b : pow(10.0, la + (lb - la) * i / (n - 1));

		c->x[i] = x;
		c->ok[i] = fig->predict(fig->predict_arg, s, x, &c->p[i]) && isfinite(c->p[i].y)
			&& (!fig->y_log || c->p[i].y > 0.0);
	}
}

typedef struct SeriesPlan
{
	SvPt	   *pts;
	size_t		n;
	double		x0,
				x1;				/* the curve's x range */
	double		xm;				/* where the fitted range ends */
	bool		has_solid,
				has_dash;
	Curve		solid,
				dash;
	bool		has_band;
	bool		binned;
	size_t		markers;
	int			cell;
} SeriesPlan;

/* ---- drawing ---- */

typedef struct Box
{
	double		left,
				right,
				top,
				bottom;
} Box;

static void
put_xy(SvBuf *b, double x, double y)
{
	sv_put_fixed2(b, x);
	sv_put(b, ",");
	sv_put_fixed2(b, y);
}

/*
 * The valid samples of c as a polyline path clipped to the box's rows
 * (segments that leave the plot are cut where they cross its edge)
 */
static void
put_curve_path(SvBuf *b, const Curve *c, const SvAxis *xa, const SvAxis *ya, const Box *box)
{
	bool		pen = false;	/* the pen is at the previous sample */

	for (int i = 0; i + 1 < c->n; i++)
	{
		double		x0,
					y0,
					x1,
					y1,
					t0 = 0.0,
					t1 = 1.0,
					dy;

		if (!c->ok[i] || !c->ok[i + 1])
		{
			pen = false;
			continue;
		}
		x0 = sv_axis_px(xa, c->x[i]);
		y0 = sv_axis_px(ya, c->p[i].y);
		x1 = sv_axis_px(xa, c->x[i + 1]);
		y1 = sv_axis_px(ya, c->p[i + 1].y);
		dy = y1 - y0;
		/* Liang-Barsky against top <= y <= bottom */
		if (dy == 0.0)
		{
			if (y0 < box->top || y0 > box->bottom)
			{
				pen = false;
				continue;
			}
		}
		else
		{
			double		ta = (box->top - y0) / dy,
						tb = (box->bottom - y0) / dy;

			if (ta > tb)
			{
				double		t = ta;

				ta = tb;
				tb = t;
			}
			t0 = fmax(t0, ta);
			t1 = fmin(t1, tb);
			if (t0 > t1)
			{
				pen = false;
				continue;
			}
		}
		if (!pen || t0 > 0.0)
		{
			sv_put(b, b->len == 0 ? "M" : " M");
			put_xy(b, x0 + t0 * (x1 - x0), t0 > 0.0 ? y0 + t0 * dy : y0);
		}
		sv_put(b, " L");
		put_xy(b, x0 + t1 * (x1 - x0), t1 < 1.0 ? y0 + t1 * dy : y1);
		pen = t1 >= 1.0;
	}
}

static double
clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* the pixel row of a band edge, within the box (values <= 0 on a log axis: its bottom) */
static double
band_px(const SvAxis *ya, double v, const Box *box)
{
	if (ya->log && !(v > 0.0))
		return box->bottom;
	return clamp(sv_axis_px(ya, v), box->top, box->bottom);
}

/* the band of curves a and b (b may be empty) as closed paths over runs of samples with one */
static void
put_band(SvBuf *b, const Curve *const *cs, int nc, const SvAxis *xa, const SvAxis *ya,
		 const Box *box)
{
	for (int ci = 0; ci < nc; ci++)
	{
		const Curve *c = cs[ci];
		int			i = 0;

		while (i < c->n)
		{
			int			j;

			if (!(c->ok[i] && isfinite(c->p[i].lo) && isfinite(c->p[i].hi)))
			{
				i++;
				continue;
			}
			for (j = i; j < c->n && c->ok[j] && isfinite(c->p[j].lo) && isfinite(c->p[j].hi); j++)
				;
			if (j - i >= 2)
			{
				sv_put(b, b->len == 0 ? "M" : " M");
				for (int k = i; k < j; k++)
				{
					if (k > i)
						sv_put(b, " L");
					put_xy(b, sv_axis_px(xa, c->x[k]), band_px(ya, c->p[k].hi, box));
				}
				for (int k = j - 1; k >= i; k--)
				{
					sv_put(b, " L");
					put_xy(b, sv_axis_px(xa, c->x[k]), band_px(ya, c->p[k].lo, box));
				}
				sv_put(b, " Z");
			}
			i = j;
		}
	}
}

/* a tick label: a number, or mantissa x 10 with the exponent raised */
static void
put_tick_label(SvBuf *b, const SvTick *t)
{
	if (!t->has_exp)
	{
		sv_put(b, t->text);
		return;
	}
	if (strcmp(t->text, "1") != 0)
	{
		sv_put(b, t->text);
		sv_put(b, "&#215;");	/* the multiplication sign, as ASCII in any encoding */
	}
	sv_put(b, "10<tspan dy=\"-6\" font-size=\"9\">");
	sv_put_int(b, t->exp10);
	sv_put(b, "</tspan>");
}

static void
put_axis_attr(SvBuf *b, const char *name, const SvAxis *ax)
{
	sv_put(b, " ");
	sv_put(b, name);
	sv_put(b, ax->log ? "=\"log " : "=\"linear ");
	sv_put_exact(b, ax->lo);
	sv_put(b, " ");
	sv_put_exact(b, ax->hi);
	sv_put(b, " ");
	sv_put_fixed2(b, ax->px_lo);
	sv_put(b, " ");
	sv_put_fixed2(b, ax->px_hi);
	sv_put(b, "\"");
}

/* characters of UTF-8 s, at most SV_MAX_TEXT bytes counted */
static int
text_chars(const char *s)
{
	int			n = 0;

	for (int i = 0; s[i] && i < SV_MAX_TEXT; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* s escaped, cut at a character boundary after SV_MAX_TEXT bytes (with an ellipsis) */
static void
put_text(SvBuf *b, const SlAlloc *al, const char *s)
{
	size_t		len = strlen(s);
	char	   *cut;

	if (len <= SV_MAX_TEXT)
	{
		sv_escape(b, s);
		return;
	}
	len = SV_MAX_TEXT;
	while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80)
		len--;
	cut = al->alloc(al->ctx, len + 1);
	memcpy(cut, s, len);
	cut[len] = '\0';
	sv_escape(b, cut);
	sv_put(b, "&#8230;");	/* an ellipsis */
	al->free(al->ctx, cut);
}

/*
 * A text element; text wider than max_w pixels at about px_char a
 * character (max_w 0: no limit) is squeezed into max_w by textLength, so
 * that a long title or label stays inside the figure without being cut
 */
static void
put_text_el(SvBuf *b, const SlAlloc *al, const char *cls, double x, double y, const char *anchor,
			const char *extra, double px_char, double max_w, const char *s)
{
	sv_put(b, "<text class=\"");
	sv_put(b, cls);
	sv_put(b, "\" x=\"");
	sv_put_fixed2(b, x);
	sv_put(b, "\" y=\"");
	sv_put_fixed2(b, y);
	sv_put(b, "\" text-anchor=\"");
	sv_put(b, anchor);
	sv_put(b, "\"");
	if (extra)
		sv_put(b, extra);
	if (max_w > 0 && text_chars(s) * px_char > max_w)
	{
		sv_put(b, " textLength=\"");
		sv_put_fixed2(b, max_w);
		sv_put(b, "\" lengthAdjust=\"spacingAndGlyphs\"");
	}
	sv_put(b, ">");
	put_text(b, al, s);
	sv_put(b, "</text>\n");
}

/*
 * The markers of one series: every point, or (more than budget points)
 * the first point in sorted order of each occupied cell of a grid of
 * cells just large enough to have at most budget cells, per class
 * (held out or not).
 */
static void
plan_markers(SeriesPlan *sp, size_t budget, const Box *box)
{
	double		w = box->right - box->left,
				h = box->bottom - box->top;
	int			c = 1;

	sp->binned = sp->n > budget;
	sp->cell = 0;
	sp->markers = sp->n;
	if (!sp->binned)
		return;
	while (ceil(w / c) * ceil(h / c) > (double) budget)
		c++;
	sp->cell = c;
}

static void
put_markers(SvBuf *b, SeriesPlan *sp, int s, bool held, const SvAxis *xa, const SvAxis *ya,
			const Box *box, const SlAlloc *al)
{
	unsigned char *seen = NULL;
	int			ncx = 0,
				ncy = 0;
	bool		any = false;
	size_t		drawn = 0;

	if (sp->binned)
	{
		ncx = (int) ceil((box->right - box->left) / sp->cell);
		ncy = (int) ceil((box->bottom - box->top) / sp->cell);
		seen = al->alloc(al->ctx, (size_t) ncx * ncy);
		memset(seen, 0, (size_t) ncx * ncy);
	}
	for (size_t i = 0; i < sp->n; i++)
	{
		const SvPt *p = &sp->pts[i];
		double		px,
					py;

		sl_check_interrupts_every(al, i);
		if ((bool) p->held != held)
			continue;
		px = sv_axis_px(xa, p->x);
		py = sv_axis_px(ya, p->y);
		if (seen)
		{
			int			cx = (int) clamp(floor((px - box->left) / sp->cell), 0, ncx - 1);
			int			cy = (int) clamp(floor((py - box->top) / sp->cell), 0, ncy - 1);

			if (seen[(size_t) cy * ncx + cx])
				continue;
			seen[(size_t) cy * ncx + cx] = 1;
		}
		if (!any)
		{
			sv_put(b, held ? "<g class=\"points held-out\" data-series=\"" : "<g class=\"points\" data-series=\"");
			sv_put_int(b, s);
			if (held)
			{
				sv_put(b, "\" fill=\"#ffffff\" stroke=\"");
				sv_put(b, sv_colour(s));
				sv_put(b, "\" stroke-width=\"1.5\">\n");
			}
			else
			{
				sv_put(b, "\" fill=\"");
				sv_put(b, sv_colour(s));
				sv_put(b, "\">\n");
			}
			any = true;
		}
		sv_put(b, "<circle cx=\"");
		sv_put_fixed2(b, px);
		sv_put(b, "\" cy=\"");
		sv_put_fixed2(b, py);
		sv_put(b, "\" r=\"" MARKER_R "\"/>\n");
		drawn++;
	}
	if (any)
		sv_put(b, "</g>\n");
	if (seen)
		al->free(al->ctx, seen);
	if (held)
		sp->markers += drawn;
	else
		sp->markers = drawn;
}

static void
put_note_count(SvBuf *b, const char *label, size_t n, size_t markers, int cell)
{
	char		num[32];

	if (label)
	{
		sv_escape(b, label);
		sv_put(b, ": ");
	}
	snprintf(num, sizeof(num), "%zu", n);
	sv_put(b, num);
	sv_put(b, " points drawn as ");
	snprintf(num, sizeof(num), "%zu", markers);
	sv_put(b, num);
	sv_put(b, " markers, one per ");
	snprintf(num, sizeof(num), "%d", cell);
	sv_put(b, num);
	sv_put(b, " px cell");
}

SvStatus
sv_render(const SvFigure *fig, const SlAlloc *al, char **out, size_t *len)
{
	SeriesPlan *plans;
	SvAxis	   *xa,
			   *ya;
	Box			box;
	SvBuf		b,
				d;
	double		xmin = INFINITY,
				xmax = -INFINITY,
				ymin = INFINITY,
				ymax = -INFINITY,
				cmin = INFINITY,
				cmax = -INFINITY;
	bool		any_held = false,
				any_dash = false,
				any_band = false,
				series_rows,
				legend;
	int			nnotes = 0,
				legend_rows = 0,
				legend_chars = 0,
				legend_w = 0;
	size_t		total = 0;
	SvStatus	st = SV_OK;

	if (fig->nseries < 1 || fig->nseries > SV_MAX_SERIES || fig->width < 200 || fig->width > 4000
		|| fig->height < 150 || fig->height > 4000 || !fig->predict
		|| (!isnan(fig->extrapolate_to) && !(isfinite(fig->extrapolate_to) && fig->extrapolate_to > 0)))
		return SV_BAD_FIGURE;
	plans = al->alloc(al->ctx, sizeof(SeriesPlan) * fig->nseries);
	memset(plans, 0, sizeof(SeriesPlan) * fig->nseries);

	/* the points of every series, checked and sorted */
	for (int s = 0; s < fig->nseries && st == SV_OK; s++)
	{
		const SvSeries *se = &fig->series[s];
		SeriesPlan *sp = &plans[s];

		sp->n = se->n;
		total += se->n;
		sp->pts = al->alloc(al->ctx, (se->n ? se->n : 1) * sizeof(SvPt));
		for (size_t i = 0; i < se->n; i++)
		{
			sl_check_interrupts_every(al, i);
			sp->pts[i].x = se->x[i];
			sp->pts[i].y = se->y[i];
			sp->pts[i].held = se->held_out && se->held_out[i] ? 1 : 0;
			if (!(isfinite(se->x[i]) && se->x[i] > 0.0))
				st = SV_BAD_X;
			else if (!(isfinite(se->y[i]) && (!fig->y_log || se->y[i] > 0.0)))
				st = st == SV_OK ? SV_BAD_Y : st;
		}
		if (st != SV_OK)
			break;
		sort_points(sp->pts, sp->n, al);
	}
	if (st == SV_OK && total == 0)
		st = SV_BAD_FIGURE;
	if (st != SV_OK)
	{
		for (int s = 0; s < fig->nseries; s++)
			if (plans[s].pts)
				al->free(al->ctx, plans[s].pts);
		al->free(al->ctx, plans);
		return st;
	}

	/* curve ranges and samples, the data ranges */
	for (int s = 0; s < fig->nseries; s++)
	{
		const SvSeries *se = &fig->series[s];
		SeriesPlan *sp = &plans[s];
		double		train_max = -INFINITY,
					end;

		if (sp->n == 0)
			continue;
		for (size_t i = 0; i < sp->n; i++)
		{
			sl_check_interrupts_every(al, i);
			ymin = fmin(ymin, sp->pts[i].y);
			ymax = fmax(ymax, sp->pts[i].y);
			if (sp->pts[i].held)
				any_held = true;
			else
				train_max = sp->pts[i].x;
		}
		sp->x0 = sp->pts[0].x;
		sp->x1 = sp->pts[sp->n - 1].x;
		end = sp->x1;
		if (!isnan(fig->extrapolate_to) && fig->extrapolate_to > end)
			end = fig->extrapolate_to;
		sp->xm = isfinite(se->fit_x_max) && se->fit_x_max > 0 ? se->fit_x_max
			: isfinite(train_max) ? train_max : sp->x1;
		sp->xm = fmax(sp->x0, fmin(sp->xm, end));
		xmin = fmin(xmin, sp->x0);
		xmax = fmax(xmax, end);
		if (!se->has_fit)
			continue;
		if (sp->xm > sp->x0)
		{
			sample_curve(fig, s, sp->x0, sp->xm, SV_FIT_SAMPLES, &sp->solid);
			sp->has_solid = true;
		}
		if (end > sp->xm)
		{
			sample_curve(fig, s, sp->xm, end, SV_EXTRAPOLATION_SAMPLES, &sp->dash);
			sp->has_dash = true;
			any_dash = true;
		}
		for (int part = 0; part < 2; part++)
		{
			const Curve *c = part == 0 ? &sp->solid : &sp->dash;

			if (!(part == 0 ? sp->has_solid : sp->has_dash))
				continue;
			for (int i = 0; i < c->n; i++)
			{
				if (!c->ok[i])
					continue;
				cmin = fmin(cmin, c->p[i].y);
				cmax = fmax(cmax, c->p[i].y);
				if (isfinite(c->p[i].lo) && isfinite(c->p[i].hi))
					sp->has_band = any_band = true;
			}
		}
	}
	/* the curves widen the y range, by at most 3 decades (10 spans) beyond the points */
	if (cmin <= cmax)
	{
		if (fig->y_log)
		{
			ymin = fmin(ymin, fmax(cmin, ymin / 1e3));
			ymax = fmax(ymax, fmin(cmax, ymax * 1e3));
		}
		else
		{
			double		ext = 10.0 * fmax(ymax - ymin, fabs(ymax));

			ymin = fmin(ymin, fmax(cmin, ymin - ext));
			ymax = fmax(ymax, fmin(cmax, ymax + ext));
		}
	}

	/* layout: title and notes on top, legend on the right */
	for (int s = 0; s < fig->nseries; s++)
		if (fig->series[s].note)
			nnotes++;
	if (fig->note)
		nnotes++;
	/* one unlabelled series needs no entry of its own */
	series_rows = fig->nseries > 1 || fig->series[0].label != NULL;
	legend = series_rows || any_held || any_dash || any_band;
	if (legend)
	{
		for (int s = 0; s < fig->nseries && series_rows; s++)
		{
			int			c = fig->series[s].label ? text_chars(fig->series[s].label) : 10;

			legend_chars = c > legend_chars ? c : legend_chars;
		}
		legend_rows = (series_rows ? fig->nseries : 0) + (any_held ? 1 : 0) + (any_dash ? 1 : 0)
			+ (any_band ? 1 : 0);
		legend_chars = legend_chars < 12 ? 12 : legend_chars;
		/* about 7.5 px a character at font-size 12 */
		legend_w = 34 + (15 * legend_chars + 1) / 2;
		if (legend_w > fig->width / 3)
			legend_w = fig->width / 3;
	}
	xa = al->alloc(al->ctx, sizeof(SvAxis));
	ya = al->alloc(al->ctx, sizeof(SvAxis));
	sv_axis_layout(xa, true, xmin, xmax);
	sv_axis_layout(ya, fig->y_log, ymin, ymax);
	box.left = MARGIN_LEFT;
	box.right = fig->width - MARGIN_RIGHT - (legend ? legend_w + 10 : 0);
	box.top = (fig->title ? 34 : 14) + NOTE_ROW * nnotes;
	box.bottom = fig->height - MARGIN_BOTTOM;
	/* binning notes take a row each, known once markers are planned */
	for (int s = 0; s < fig->nseries; s++)
	{
		plan_markers(&plans[s], SV_MARKER_BUDGET / fig->nseries, &box);
		if (plans[s].binned)
			box.top += NOTE_ROW;
	}
	if (box.bottom - box.top < 40)
		box.top = box.bottom - 40;
	if (box.right - box.left < 60)
		box.right = box.left + 60;
	xa->px_lo = box.left;
	xa->px_hi = box.right;
	ya->px_lo = box.bottom;
	ya->px_hi = box.top;

	sv_buf_init(&b, al);
	sv_put(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
	sv_put_int(&b, fig->width);
	sv_put(&b, "\" height=\"");
	sv_put_int(&b, fig->height);
	sv_put(&b, "\" viewBox=\"0 0 ");
	sv_put_int(&b, fig->width);
	sv_put(&b, " ");
	sv_put_int(&b, fig->height);
	sv_put(&b, "\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"12\"");
	put_axis_attr(&b, "data-x-axis", xa);
	put_axis_attr(&b, "data-y-axis", ya);
	sv_put(&b, ">\n");
	if (fig->title)
	{
		sv_put(&b, "<title>");
		put_text(&b, al, fig->title);
		sv_put(&b, "</title>\n");
	}
	sv_put(&b, "<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
	if (fig->title)
		put_text_el(&b, al, "title", fig->width / 2.0, 22, "middle",
					" font-size=\"15\" font-weight=\"bold\"", 9.5, fig->width - 20.0, fig->title);
	{
		double		y = (fig->title ? 34 : 14) + 10;

		if (fig->note)
		{
			put_text_el(&b, al, "note", box.left, y, "start", " font-size=\"11\" fill=\"#555555\"",
						6.5, fig->width - box.left - 10, fig->note);
			y += NOTE_ROW;
		}
		for (int s = 0; s < fig->nseries; s++)
			if (fig->series[s].note)
			{
				put_text_el(&b, al, "note", box.left, y, "start", " font-size=\"11\" fill=\"#555555\"",
							6.5, fig->width - box.left - 10, fig->series[s].note);
				y += NOTE_ROW;
			}
		for (int s = 0; s < fig->nseries; s++)
			if (plans[s].binned)
			{
				sv_put(&b, "<text class=\"note\" x=\"");
				sv_put_fixed2(&b, box.left);
				sv_put(&b, "\" y=\"");
				sv_put_fixed2(&b, y);
				sv_put(&b, "\" text-anchor=\"start\" font-size=\"11\" fill=\"#555555\">");
				/* the count of markers is known after drawing: count them now */
				{
					SvBuf		scratch;

					sv_buf_init(&scratch, al);
					put_markers(&scratch, &plans[s], s, false, xa, ya, &box, al);
					put_markers(&scratch, &plans[s], s, true, xa, ya, &box, al);
					al->free(al->ctx, scratch.data);
				}
				put_note_count(&b, fig->series[s].label, plans[s].n, plans[s].markers, plans[s].cell);
				sv_put(&b, "</text>\n");
				y += NOTE_ROW;
			}
	}

	/* grid lines at labelled ticks */
	sv_put(&b, "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
	for (int i = 0; i < xa->nticks; i++)
		if (xa->ticks[i].labelled)
		{
			double		px = sv_axis_px(xa, xa->ticks[i].v);

			sv_put(&b, "<line x1=\"");
			sv_put_fixed2(&b, px);
			sv_put(&b, "\" x2=\"");
			sv_put_fixed2(&b, px);
			sv_put(&b, "\" y1=\"");
			sv_put_fixed2(&b, box.top);
			sv_put(&b, "\" y2=\"");
			sv_put_fixed2(&b, box.bottom);
			sv_put(&b, "\"/>\n");
		}
	for (int i = 0; i < ya->nticks; i++)
		if (ya->ticks[i].labelled)
		{
			double		py = sv_axis_px(ya, ya->ticks[i].v);

			sv_put(&b, "<line x1=\"");
			sv_put_fixed2(&b, box.left);
			sv_put(&b, "\" x2=\"");
			sv_put_fixed2(&b, box.right);
			sv_put(&b, "\" y1=\"");
			sv_put_fixed2(&b, py);
			sv_put(&b, "\" y2=\"");
			sv_put_fixed2(&b, py);
			sv_put(&b, "\"/>\n");
		}
	sv_put(&b, "</g>\n");

	/* bands, then curves, then points on top */
	for (int s = 0; s < fig->nseries; s++)
		if (plans[s].has_band)
		{
			const Curve *cs[2];
			int			nc = 0;

			if (plans[s].has_solid)
				cs[nc++] = &plans[s].solid;
			if (plans[s].has_dash)
				cs[nc++] = &plans[s].dash;
			sv_buf_init(&d, al);
			put_band(&d, cs, nc, xa, ya, &box);
			if (d.len > 0)
			{
				sv_put(&b, "<path class=\"band\" data-series=\"");
				sv_put_int(&b, s);
				sv_put(&b, "\" fill=\"");
				sv_put(&b, sv_colour(s));
				sv_put(&b, "\" fill-opacity=\"0.18\" stroke=\"none\" d=\"");
				sv_putn(&b, d.data, d.len);
				sv_put(&b, "\"/>\n");
			}
			al->free(al->ctx, d.data);
		}
	for (int s = 0; s < fig->nseries; s++)
		for (int part = 0; part < 2; part++)
		{
			const Curve *c = part == 0 ? &plans[s].solid : &plans[s].dash;

			if (!(part == 0 ? plans[s].has_solid : plans[s].has_dash))
				continue;
			sv_buf_init(&d, al);
			put_curve_path(&d, c, xa, ya, &box);
			/* nothing of it in view: no element */
			if (d.len > 0)
			{
				sv_put(&b, part == 0 ? "<path class=\"curve fitted\" data-series=\""
					   : "<path class=\"curve extrapolated\" data-series=\"");
				sv_put_int(&b, s);
				sv_put(&b, "\" fill=\"none\" stroke=\"");
				sv_put(&b, sv_colour(s));
				sv_put(&b, part == 0 ? "\" stroke-width=\"2.5\" d=\""
					   : "\" stroke-width=\"2.5\" stroke-dasharray=\"7,5\" d=\"");
				sv_putn(&b, d.data, d.len);
				sv_put(&b, "\"/>\n");
			}
			al->free(al->ctx, d.data);
		}
	for (int s = 0; s < fig->nseries; s++)
	{
		put_markers(&b, &plans[s], s, false, xa, ya, &box, al);
		put_markers(&b, &plans[s], s, true, xa, ya, &box, al);
	}

	/* frame, ticks, tick labels, axis titles */
	sv_put(&b, "<rect class=\"frame\" x=\"");
	sv_put_fixed2(&b, box.left);
	sv_put(&b, "\" y=\"");
	sv_put_fixed2(&b, box.top);
	sv_put(&b, "\" width=\"");
	sv_put_fixed2(&b, box.right - box.left);
	sv_put(&b, "\" height=\"");
	sv_put_fixed2(&b, box.bottom - box.top);
	sv_put(&b, "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n");
	sv_put(&b, "<g class=\"ticks\" stroke=\"#333333\" stroke-width=\"1\">\n");
	for (int i = 0; i < xa->nticks; i++)
	{
		double		px = sv_axis_px(xa, xa->ticks[i].v);

		sv_put(&b, "<line x1=\"");
		sv_put_fixed2(&b, px);
		sv_put(&b, "\" x2=\"");
		sv_put_fixed2(&b, px);
		sv_put(&b, "\" y1=\"");
		sv_put_fixed2(&b, box.bottom);
		sv_put(&b, "\" y2=\"");
		sv_put_fixed2(&b, box.bottom + (xa->ticks[i].labelled ? 6 : 3));
		sv_put(&b, "\"/>\n");
	}
	for (int i = 0; i < ya->nticks; i++)
	{
		double		py = sv_axis_px(ya, ya->ticks[i].v);

		sv_put(&b, "<line x1=\"");
		sv_put_fixed2(&b, box.left - (ya->ticks[i].labelled ? 6 : 3));
		sv_put(&b, "\" x2=\"");
		sv_put_fixed2(&b, box.left);
		sv_put(&b, "\" y1=\"");
		sv_put_fixed2(&b, py);
		sv_put(&b, "\" y2=\"");
		sv_put_fixed2(&b, py);
		sv_put(&b, "\"/>\n");
	}
	sv_put(&b, "</g>\n");
	for (int i = 0; i < xa->nticks; i++)
		if (xa->ticks[i].labelled)
		{
			sv_put(&b, "<text class=\"tick-label x\" x=\"");
			sv_put_fixed2(&b, sv_axis_px(xa, xa->ticks[i].v));
			sv_put(&b, "\" y=\"");
			sv_put_fixed2(&b, box.bottom + 20);
			sv_put(&b, "\" text-anchor=\"middle\">");
			put_tick_label(&b, &xa->ticks[i]);
			sv_put(&b, "</text>\n");
		}
	for (int i = 0; i < ya->nticks; i++)
		if (ya->ticks[i].labelled)
		{
			sv_put(&b, "<text class=\"tick-label y\" x=\"");
			sv_put_fixed2(&b, box.left - 9);
			sv_put(&b, "\" y=\"");
			sv_put_fixed2(&b, sv_axis_px(ya, ya->ticks[i].v) + 4);
			sv_put(&b, "\" text-anchor=\"end\">");
			put_tick_label(&b, &ya->ticks[i]);
			sv_put(&b, "</text>\n");
		}
	if (fig->x_label)
		put_text_el(&b, al, "axis-title x", (box.left + box.right) / 2, fig->height - 12, "middle",
					NULL, 7.5, box.right - box.left, fig->x_label);
	if (fig->y_label)
	{
		sv_put(&b, "<text class=\"axis-title y\" transform=\"rotate(-90)\" x=\"");
		sv_put_fixed2(&b, -(box.top + box.bottom) / 2);
		sv_put(&b, "\" y=\"16\" text-anchor=\"middle\"");
		if (text_chars(fig->y_label) * 7.5 > box.bottom - box.top)
		{
			sv_put(&b, " textLength=\"");
			sv_put_fixed2(&b, box.bottom - box.top);
			sv_put(&b, "\" lengthAdjust=\"spacingAndGlyphs\"");
		}
		sv_put(&b, ">");
		put_text(&b, al, fig->y_label);
		sv_put(&b, "</text>\n");
	}

	/* legend: one row per series, then the marks' meanings */
	if (legend)
	{
		double		lx = box.right + 10,
					ly = box.top;
		int			row = 0;

		sv_put(&b, "<g class=\"legend\">\n<rect x=\"");
		sv_put_fixed2(&b, lx);
		sv_put(&b, "\" y=\"");
		sv_put_fixed2(&b, ly);
		sv_put(&b, "\" width=\"");
		sv_put_int(&b, legend_w);
		sv_put(&b, "\" height=\"");
		sv_put_int(&b, legend_rows * LEGEND_ROW + 8);
		sv_put(&b, "\" fill=\"#ffffff\" stroke=\"#cccccc\"/>\n");
		for (int s = 0; s < fig->nseries && series_rows; s++, row++)
		{
			double		cy = ly + 4 + LEGEND_ROW * row + LEGEND_ROW / 2.0;

			sv_put(&b, "<g class=\"legend-entry\" data-series=\"");
			sv_put_int(&b, s);
			sv_put(&b, "\">\n<line x1=\"");
			sv_put_fixed2(&b, lx + 6);
			sv_put(&b, "\" x2=\"");
			sv_put_fixed2(&b, lx + 26);
			sv_put(&b, "\" y1=\"");
			sv_put_fixed2(&b, cy);
			sv_put(&b, "\" y2=\"");
			sv_put_fixed2(&b, cy);
			sv_put(&b, "\" stroke=\"");
			sv_put(&b, sv_colour(s));
			sv_put(&b, "\" stroke-width=\"2.5\"/>\n<rect class=\"swatch\" x=\"");
			sv_put_fixed2(&b, lx + 12);
			sv_put(&b, "\" y=\"");
			sv_put_fixed2(&b, cy - 4);
			sv_put(&b, "\" width=\"8\" height=\"8\" fill=\"");
			sv_put(&b, sv_colour(s));
			sv_put(&b, "\"/>\n");
			put_text_el(&b, al, "legend-label", lx + 32, cy + 4, "start", NULL, 7.5, legend_w - 38,
						fig->series[s].label ? fig->series[s].label : "(no label)");
			sv_put(&b, "</g>\n");
		}
		if (any_held)
		{
			double		cy = ly + 4 + LEGEND_ROW * row++ + LEGEND_ROW / 2.0;

			sv_put(&b, "<circle class=\"legend-held\" cx=\"");
			sv_put_fixed2(&b, lx + 16);
			sv_put(&b, "\" cy=\"");
			sv_put_fixed2(&b, cy);
			sv_put(&b, "\" r=\"" MARKER_R "\" fill=\"#ffffff\" stroke=\"#555555\" stroke-width=\"1.5\"/>\n");
			put_text_el(&b, al, "legend-label", lx + 32, cy + 4, "start", NULL, 0, 0, "held out");
		}
		if (any_dash)
		{
			double		cy = ly + 4 + LEGEND_ROW * row++ + LEGEND_ROW / 2.0;

			sv_put(&b, "<line class=\"legend-extrapolated\" x1=\"");
			sv_put_fixed2(&b, lx + 6);
			sv_put(&b, "\" x2=\"");
			sv_put_fixed2(&b, lx + 26);
			sv_put(&b, "\" y1=\"");
			sv_put_fixed2(&b, cy);
			sv_put(&b, "\" y2=\"");
			sv_put_fixed2(&b, cy);
			sv_put(&b, "\" stroke=\"#555555\" stroke-width=\"2\" stroke-dasharray=\"5,3\"/>\n");
			put_text_el(&b, al, "legend-label", lx + 32, cy + 4, "start", NULL, 0, 0, "extrapolated");
		}
		if (any_band)
		{
			double		cy = ly + 4 + LEGEND_ROW * row++ + LEGEND_ROW / 2.0;
			char		txt[48];
			double		pct = round(fig->level * 1000.0) / 10.0;

			sv_put(&b, "<rect class=\"legend-band\" x=\"");
			sv_put_fixed2(&b, lx + 6);
			sv_put(&b, "\" y=\"");
			sv_put_fixed2(&b, cy - 5);
			sv_put(&b, "\" width=\"20\" height=\"10\" fill=\"#555555\" fill-opacity=\"0.18\"/>\n");
			if (pct == floor(pct))
				snprintf(txt, sizeof(txt), "%.0f%% band", pct);
			else
				snprintf(txt, sizeof(txt), "%.1f%% band", pct);
			put_text_el(&b, al, "legend-label", lx + 32, cy + 4, "start", NULL, 0, 0, txt);
		}
		sv_put(&b, "</g>\n");
	}
	sv_put(&b, "</svg>\n");

	for (int s = 0; s < fig->nseries; s++)
		al->free(al->ctx, plans[s].pts);
	al->free(al->ctx, plans);
	al->free(al->ctx, xa);
	al->free(al->ctx, ya);
	*out = b.data;
	*len = b.len;
	return SV_OK;
}
