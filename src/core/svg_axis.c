/*
 * svg_axis.c -- the text and number writing of the SVG figures, and the
 * layout of their axes (range, ticks, tick labels).
 */
#include "svg_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sv_buf_init(SvBuf *b, const SlAlloc *al)
{
	b->al = al;
	b->cap = 4096;
	b->len = 0;
	b->data = al->alloc(al->ctx, b->cap);
	b->data[0] = '\0';
}

void
sv_putn(SvBuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->data = b->al->realloc(b->al->ctx, b->data, b->cap, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
sv_put(SvBuf *b, const char *s)
{
	sv_putn(b, s, strlen(s));
}

void
sv_escape(SvBuf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++)
	{
		const char *rep;
		unsigned char c = (unsigned char) *s;

		switch (c)
		{
			case '&':
				rep = "&amp;";
				break;
			case '<':
				rep = "&lt;";
				break;
			case '>':
				rep = "&gt;";
				break;
			case '"':
				rep = "&quot;";
				break;
			case '\'':
				rep = "&#39;";
				break;
			case 0xEF:
				/* U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters: drop them */
				if ((unsigned char) s[1] == 0xBF && ((unsigned char) s[2] == 0xBE
													 || (unsigned char) s[2] == 0xBF))
				{
					sv_putn(b, run, (size_t) (s - run));
					s += 2;
					run = s + 1;
				}
				continue;
			default:
				/* XML 1.0 allows no other C0 control: drop them */
				if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
					rep = "";
				else
					continue;
		}
		sv_putn(b, run, (size_t) (s - run));
		sv_put(b, rep);
		run = s + 1;
	}
	sv_putn(b, run, (size_t) (s - run));
}

void
sv_put_int(SvBuf *b, long v)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	sv_put(b, buf);
}

void
sv_put_fixed2(SvBuf *b, double v)
{
	char		buf[48];
	long long	r;
	long long	frac;
	int			len;

	/* coordinates far outside any figure are clipped before; keep llround defined */
	if (!(v > -1e9))
		v = -1e9;
	if (!(v < 1e9))
		v = 1e9;
	r = llround(v * 100.0);
	frac = (r < 0 ? -r : r) % 100;
	len = snprintf(buf, sizeof(buf), "%s%lld", r < 0 ? "-" : "", (r < 0 ? -r : r) / 100);
	if (frac != 0)
	{
		if (frac % 10 == 0)
			snprintf(buf + len, sizeof(buf) - len, ".%lld", frac / 10);
		else
			snprintf(buf + len, sizeof(buf) - len, ".%02lld", frac);
	}
	sv_put(b, buf);
}

void
sv_put_exact(SvBuf *b, double v)
{
	char		buf[40];

	if (isnan(v))
		sv_put(b, "NaN");
	else if (isinf(v))
		sv_put(b, v > 0 ? "Infinity" : "-Infinity");
	else
	{
		/* the shortest of %.15g .. %.17g that reads back as v */
		for (int prec = 15; prec <= 17; prec++)
		{
			snprintf(buf, sizeof(buf), "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				break;
		}
		sv_put(b, buf);
	}
}

/* ---- numbers on ticks ---- */

void
sv_format_number(double v, double step, SvTick *t)
{
	double		av = fabs(v);
	int			step_exp = (int) floor(log10(step) + 1e-9);

	t->has_exp = false;
	t->exp10 = 0;
	/* values that are zero up to rounding: exactly "0" */
	if (av < step * 1e-6)
	{
		strcpy(t->text, "0");
		return;
	}
	if (av >= 1e-4 && av < 1e6)
	{
		int			decimals = step_exp < 0 ? -step_exp : 0;

		snprintf(t->text, sizeof(t->text), "%.*f", decimals, v);
		return;
	}
	/* far from 1: mantissa x 10^e with the digits the step needs */
	{
		int			e = (int) floor(log10(av) + 1e-9);
		int			digits = e - step_exp;
		double		m = v / pow(10.0, e);

		if (digits < 0)
			digits = 0;
		if (digits > 6)
			digits = 6;
		t->has_exp = true;
		t->exp10 = e;
		snprintf(t->text, sizeof(t->text), "%.*f", digits, m);
		if (strcmp(t->text, "1") == 0 || strcmp(t->text, "1.0") == 0)
			strcpy(t->text, "1");
		else if (strcmp(t->text, "-1") == 0)
			strcpy(t->text, "-1");
	}
}

/* 1, 2 or 5 times a power of ten, near span / target */
static double
nice_step(double span, int target)
{
	double		raw = span / target;
	double		mag = pow(10.0, floor(log10(raw)));
	double		r = raw / mag;

	if (r < 1.5)
		return mag;
	if (r < 3.0)
		return 2.0 * mag;
	if (r < 7.0)
		return 5.0 * mag;
	return 10.0 * mag;
}

static void
add_tick(SvAxis *ax, double v, bool labelled)
{
	SvTick	   *t;

	if (ax->nticks >= SV_MAX_TICKS)
		return;
	t = &ax->ticks[ax->nticks++];
	memset(t, 0, sizeof(*t));
	t->v = v;
	t->labelled = labelled;
}

/* labelled ticks at multiples of a round step within [lo, hi] */
static void
linear_ticks(SvAxis *ax, double lo, double hi)
{
	double		step = nice_step(hi - lo, 5);
	double		first = ceil(lo / step - 1e-9);
	double		last = floor(hi / step + 1e-9);

	for (double m = first; m <= last && ax->nticks < SV_MAX_TICKS; m += 1.0)
	{
		double		v = m * step;

		if (ax->log && v <= 0.0)
			continue;
		add_tick(ax, v, true);
		sv_format_number(v, step, &ax->ticks[ax->nticks - 1]);
	}
}

void
sv_axis_layout(SvAxis *ax, bool log, double dmin, double dmax)
{
	double		t0,
				t1,
				pad;

	ax->log = log;
	ax->nticks = 0;
	t0 = log ? log10(dmin) : dmin;
	t1 = log ? log10(dmax) : dmax;
	if (!(t1 - t0 > 1e-12 * fmax(1.0, fabs(t0))))
	{
		/* one value: a decade (a unit, or 10% of the value) around it */
		double		half = log ? 0.5 : (t0 != 0.0 ? fabs(t0) * 0.1 : 1.0);

		t0 -= half;
		t1 += half;
	}
	pad = 0.05 * (t1 - t0);
	t0 -= pad;
	t1 += pad;
	if (!log)
	{
		ax->lo = t0;
		ax->hi = t1;
		linear_ticks(ax, t0, t1);
		return;
	}
	ax->lo = pow(10.0, t0);
	ax->hi = pow(10.0, t1);
	{
		double		e0 = ceil(t0 - 1e-9);
		double		e1 = floor(t1 + 1e-9);

		if (e1 - e0 + 1 < 2)
		{
			/* less than two powers of ten in view: round values instead */
			linear_ticks(ax, ax->lo, ax->hi);
			return;
		}
		{
			/* every s-th decade labelled, about 8 labels at most */
			double		s = ceil((e1 - e0 + 1) / 8.0);

			for (double e = floor(t0); e <= e1 && ax->nticks < SV_MAX_TICKS; e += 1.0)
			{
				double		p = pow(10.0, e);
				bool		major = fmod(e, s) == 0.0;

				if (e >= e0)
				{
					add_tick(ax, p, major);
					if (major)
					{
						SvTick	   *t = &ax->ticks[ax->nticks - 1];

						t->has_exp = true;
						t->exp10 = (int) e;
						strcpy(t->text, "1");
					}
				}
				/* minor ticks: 2..9 within a labelled decade grid of 1 */
				if (s == 1.0)
					for (int d = 2; d <= 9; d++)
					{
						double		v = d * p;

						if (v >= ax->lo && v <= ax->hi)
							add_tick(ax, v, false);
					}
			}
		}
	}
}

double
sv_axis_px(const SvAxis *ax, double v)
{
	double		f;

	if (ax->log)
		f = (log10(v) - log10(ax->lo)) / (log10(ax->hi) - log10(ax->lo));
	else
		f = (v - ax->lo) / (ax->hi - ax->lo);
	return ax->px_lo + f * (ax->px_hi - ax->px_lo);
}
