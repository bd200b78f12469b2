/*
 * test_svg.c -- the SVG figures of the core (svg_axis.c, svg_plot.c):
 * escaping, number formatting, axis ticks, bytes independent of point
 * order, the curve where the fit says, the size bound, bad values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svg_plot.h"
#include "test_util.h"

static char *
escaped(const char *s)
{
	SvBuf		b;

	sv_buf_init(&b, &sl_malloc_alloc);
	sv_escape(&b, s);
	return b.data;
}

static char *
fixed2(double v)
{
	SvBuf		b;

	sv_buf_init(&b, &sl_malloc_alloc);
	sv_put_fixed2(&b, v);
	return b.data;
}

static void
test_text(void)
{
	char	   *s = escaped("</text><script>alert(1)</script>&\"'\x01ok");

	CHECK(strcmp(s, "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;ok") == 0,
		  "svg: hostile text escaped, controls dropped (%s)", s);
	free(s);
	s = escaped("a\xef\xbf\xbf" "b\xef\xbf\xbe\xef\xbf\xbd\xef");
	CHECK(strcmp(s, "ab\xef\xbf\xbd\xef") == 0, "svg: U+FFFF and U+FFFE dropped, U+FFFD and a cut sequence kept");
	free(s);
	{
		static const struct
		{
			double		v;
			const char *want;
		}			cases[] = {
			{12.5, "12.5"}, {3.0, "3"}, {-3.456, "-3.46"}, {-0.001, "0"}, {0.07, "0.07"},
			{100.104, "100.1"}, {1e12, "1000000000"}, {NAN, "-1000000000"}
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			char	   *f = fixed2(cases[i].v);

			CHECK(strcmp(f, cases[i].want) == 0, "svg: %g written as %s (got %s)", cases[i].v,
				  cases[i].want, f);
			free(f);
		}
	}
}

static int
count_labelled(const SvAxis *ax)
{
	int			n = 0;

	for (int i = 0; i < ax->nticks; i++)
		n += ax->ticks[i].labelled;
	return n;
}

static void
test_axes(void)
{
	SvAxis		ax;
	SvTick		t;
	bool		ok = true;

	/* 1e3..1e9: labels 10^3 .. 10^9, minors 2..9 times each power */
	sv_axis_layout(&ax, true, 1e3, 1e9);
	CHECK(count_labelled(&ax) == 7, "svg axis: 7 powers of ten labelled on 1e3..1e9 (got %d)",
		  count_labelled(&ax));
	for (int i = 0, e = 3; i < ax.nticks; i++)
		if (ax.ticks[i].labelled)
		{
			ok = ok && ax.ticks[i].has_exp && ax.ticks[i].exp10 == e
				&& strcmp(ax.ticks[i].text, "1") == 0 && ax.ticks[i].v == pow(10.0, e);
			e++;
		}
	CHECK(ok, "svg axis: the labels are 10^3, 10^4, ... 10^9");
	CHECK(ax.nticks == 7 + 6 * 8 + 4, "svg axis: minor ticks 2..9 in every decade in view (%d ticks)",
		  ax.nticks);
	/* 30 decades: every 4th labelled, no minors */
	sv_axis_layout(&ax, true, 1e-10, 1e20);
	CHECK(count_labelled(&ax) == 7 && ax.nticks == 33, "svg axis: 1e-10..1e20 labels every 5th decade (%d of %d)",
		  count_labelled(&ax), ax.nticks);
	/* losses 1.8..3.4 on a log axis: round values */
	sv_axis_layout(&ax, true, 1.8, 3.4);
	ok = ax.nticks >= 3;
	for (int i = 0; i < ax.nticks; i++)
		ok = ok && ax.ticks[i].labelled && !ax.ticks[i].has_exp;
	CHECK(ok && strcmp(ax.ticks[0].text, "2.0") == 0 && strcmp(ax.ticks[3].text, "3.5") == 0,
		  "svg axis: a narrow log axis gets plain labels (first %s, %d ticks)", ax.ticks[0].text, ax.nticks);
	/* the pixel mapping ends where the range does */
	ax.px_lo = 100;
	ax.px_hi = 500;
	CHECK(fabs(sv_axis_px(&ax, ax.lo) - 100) < 1e-9 && fabs(sv_axis_px(&ax, ax.hi) - 500) < 1e-9,
		  "svg axis: lo and hi map to the pixel range");
	sv_axis_layout(&ax, false, -2.0, 3.0);
	CHECK(count_labelled(&ax) == 6 && strcmp(ax.ticks[0].text, "-2") == 0,
		  "svg axis: linear -2..3 labelled -2..3 (%d ticks, first %s)", count_labelled(&ax), ax.ticks[0].text);
	sv_format_number(2e6, 1e6, &t);
	CHECK(t.has_exp && t.exp10 == 6 && strcmp(t.text, "2") == 0, "svg label: 2e6 is 2 x 10^6");
	sv_format_number(2.5e-7, 5e-8, &t);
	CHECK(t.has_exp && t.exp10 == -7 && strcmp(t.text, "2.5") == 0, "svg label: 2.5e-7 is 2.5 x 10^-7 (%s, %d)",
		  t.text, t.exp10);
	sv_format_number(0.05, 0.01, &t);
	CHECK(!t.has_exp && strcmp(t.text, "0.05") == 0, "svg label: 0.05 plain");
}

/* the law 1.5 + 40 x^-0.3 with a band of +-2% */
static bool
predict_law(void *arg, int series, double x, SvPrediction *out)
{
	int		   *calls = arg;

	(*calls)++;
	out->y = 1.5 + 40.0 * pow(x, -0.3) + series * 0.1;
	out->lo = out->y * 0.98;
	out->hi = out->y * 1.02;
	return true;
}

static int	interrupts;
static void
count_interrupt(void)
{
	interrupts++;
}

static char *
render(const double *x, const double *y, const unsigned char *held, size_t n, double extrapolate,
	   size_t *len, SvStatus *st)
{
	static int	calls;
	SvSeries	se = {"run <A>", n, x, y, held, true, NAN, NULL};
	SvFigure	fig = {"t & t", "N", "loss", NULL, 640, 420, true, extrapolate, 0.95, 1, &se,
	predict_law, &calls};
	SlAlloc		al = sl_malloc_alloc;
	char	   *out = NULL;

	al.interrupt = count_interrupt;
	*st = sv_render(&fig, &al, &out, len);
	return out;
}

static size_t
count(const char *s, const char *what)
{
	size_t		n = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

static void
test_figure(void)
{
	enum
	{
	N = 40};
	double		x[N],
				y[N],
				xr[N],
				yr[N];
	unsigned char held[N],
				heldr[N];
	size_t		len1,
				len2;
	SvStatus	st1,
				st2;
	char	   *a,
			   *b;
	uint64_t	rng = 11;

	for (int i = 0; i < N; i++)
	{
		x[i] = 1e3 * pow(10.0, i * 0.1);
		y[i] = 1.5 + 40.0 * pow(x[i], -0.3) * (1 + 0.01 * tu_unif(&rng, -1, 1));
		held[i] = i >= N - 3;
	}
	/* the same points reversed */
	for (int i = 0; i < N; i++)
	{
		xr[i] = x[N - 1 - i];
		yr[i] = y[N - 1 - i];
		heldr[i] = held[N - 1 - i];
	}
	a = render(x, y, held, N, 1e12, &len1, &st1);
	b = render(xr, yr, heldr, N, 1e12, &len2, &st2);
	CHECK(st1 == SV_OK && st2 == SV_OK && len1 == len2 && memcmp(a, b, len1) == 0,
		  "svg figure: the same bytes for reversed points (%zu, %zu bytes)", len1, len2);
	CHECK(count(a, "<circle ") == N + 1, "svg figure: %d markers and the legend's held-out one (%zu)", N,
		  count(a, "<circle "));
	CHECK(count(a, "class=\"points held-out\"") == 1 && count(a, "class=\"curve fitted\"") == 1
		  && count(a, "class=\"curve extrapolated\"") == 1 && count(a, "class=\"band\"") == 1,
		  "svg figure: held-out group, fitted and extrapolated curves, a band");
	CHECK(strstr(a, "run &lt;A&gt;") && strstr(a, "t &amp; t") && !strstr(a, "<A>"),
		  "svg figure: label and title escaped");
	CHECK(strstr(a, "95% band") != NULL && strstr(a, "extrapolated") != NULL && strstr(a, "held out") != NULL,
		  "svg figure: legend names band, extrapolation, held-out points");
	/* the first vertex of the fitted curve is the fit at the smallest x */
	{
		const char *p = strstr(a, "class=\"curve fitted\"");
		const char *ax = strstr(a, "data-x-axis=\"log ");
		const char *ay = strstr(a, "data-y-axis=\"log ");
		double		xlo,
					xhi,
					xp0,
					xp1,
					ylo,
					yhi,
					yp0,
					yp1,
					px,
					py;

		p = strstr(p, " d=\"M");
		sscanf(ax + strlen("data-x-axis=\"log "), "%lf %lf %lf %lf", &xlo, &xhi, &xp0, &xp1);
		sscanf(ay + strlen("data-y-axis=\"log "), "%lf %lf %lf %lf", &ylo, &yhi, &yp0, &yp1);
		sscanf(p + 5, "%lf,%lf", &px, &py);
		{
			double		xv = pow(10.0, log10(xlo) + (px - xp0) / (xp1 - xp0) * (log10(xhi) - log10(xlo)));
			double		want = 1.5 + 40.0 * pow(xv, -0.3);
			double		wpy = yp0 + (log10(want) - log10(ylo)) / (log10(yhi) - log10(ylo)) * (yp1 - yp0);

			CHECK(fabs(xv - 1e3) / 1e3 < 1e-3 && fabs(wpy - py) < 0.05,
				  "svg figure: the curve starts at the fit's value (x %g, y px %.2f, want %.2f)", xv, py, wpy);
		}
	}
	free(a);
	free(b);

	/* bad values are found whatever their order */
	{
		double		bad,
					v[] = {3.0, NAN, -2.0, 0.0, INFINITY};

		CHECK(sv_bad_value(v, 5, true, &bad, &sl_malloc_alloc) && bad == -2.0,
			  "svg: the smallest bad value is named (%g)", bad);
		CHECK(sv_bad_value(v, 2, true, &bad, &sl_malloc_alloc) && isnan(bad), "svg: NaN is bad");
		CHECK(!sv_bad_value(v, 1, true, &bad, &sl_malloc_alloc), "svg: 3 is good");
		x[5] = 0.0;
		a = render(x, y, held, N, NAN, &len1, &st1);
		CHECK(st1 == SV_BAD_X && a == NULL, "svg figure: x = 0 is SV_BAD_X");
		x[5] = 1e3 * pow(10.0, 0.5);
	}
}

static void
test_size_bound(void)
{
	size_t		n = 300000,
				len;
	double	   *x = malloc(n * sizeof(double)),
			   *y = malloc(n * sizeof(double));
	uint64_t	rng = 5;
	SvStatus	st;
	char	   *a;

	for (size_t i = 0; i < n; i++)
	{
		x[i] = pow(10.0, tu_unif(&rng, 2, 9));
		y[i] = 1.5 + 40.0 * pow(x[i], -0.3) * exp(tu_unif(&rng, -0.3, 0.3));
	}
	interrupts = 0;
	a = render(x, y, NULL, n, NAN, &len, &st);
	CHECK(st == SV_OK && len < 200000 && count(a, "<circle ") <= SV_MARKER_BUDGET,
		  "svg figure: %zu points in %zu bytes, %zu markers (at most %d)", n, len, count(a, "<circle "),
		  SV_MARKER_BUDGET);
	CHECK(strstr(a, "300000 points drawn as ") != NULL, "svg figure: the binning is noted");
	CHECK(interrupts >= (int) (n / SL_INTERRUPT_STRIDE), "svg figure: interrupts checked (%d)", interrupts);
	free(a);
	free(x);
	free(y);
}

void
test_svg(void)
{
	test_text();
	test_axes();
	test_figure();
	test_size_bound();
}
