/*
 * svg_plot.h -- figures of scaling-law data as SVG documents: the points,
 * the fitted curve, its extrapolation and confidence band, log-log axes.
 *
 * Plain C: the caller supplies the points (any order: the figure sorts a
 * copy, so the bytes do not depend on row order) and a callback that
 * evaluates each series' fit, so this file knows no law.  Every number is
 * written with fixed formatting (coordinates rounded to 0.01 px), every
 * user text is XML-escaped, and the document's size is bounded whatever
 * the number of points (SV_MARKER_BUDGET).
 */
#ifndef SVG_PLOT_H
#define SVG_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "sl_alloc.h"

/* series in one figure: the colours of the Okabe-Ito palette */
#define SV_MAX_SERIES 8
/*
 * markers a figure draws before it bins points: a series with more than
 * SV_MARKER_BUDGET / (number of series) points is drawn as one marker per
 * occupied cell of a pixel grid whose cells are just large enough for the
 * grid to have at most that many cells (held-out points binned apart)
 */
#define SV_MARKER_BUDGET 2000
/* curve samples: log-spaced over the fitted range, and over the extrapolated one */
#define SV_FIT_SAMPLES 200
#define SV_EXTRAPOLATION_SAMPLES 100
/* the longest title, label or note drawn, in bytes (longer ones are cut) */
#define SV_MAX_TEXT 400

/* a growing byte buffer; data is NUL-terminated */
typedef struct SvBuf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	const SlAlloc *al;
} SvBuf;

extern void sv_buf_init(SvBuf *b, const SlAlloc *al);
extern void sv_put(SvBuf *b, const char *s);
extern void sv_putn(SvBuf *b, const char *s, size_t n);
/*
 * s (UTF-8) escaped for XML text and attribute values; what XML 1.0 cannot
 * hold is dropped: C0 controls but tab, LF, CR, and U+FFFE, U+FFFF
 */
extern void sv_escape(SvBuf *b, const char *s);
/* v rounded to 0.01, without trailing zeros ("12.5", "-3", "0") */
extern void sv_put_fixed2(SvBuf *b, double v);
extern void sv_put_int(SvBuf *b, long v);
/* v in shortest-enough round-trip form (%.17g), "NaN", "Infinity", "-Infinity" */
extern void sv_put_exact(SvBuf *b, double v);

/* ---- axes ---- */

#define SV_MAX_TICKS 128

typedef struct SvTick
{
	double		v;				/* data value */
	bool		labelled;		/* major tick with a label */
	char		text[32];		/* the label: a number, or a mantissa before x 10^exp10 */
	bool		has_exp;		/* label is text (or nothing if text is "1") times 10^exp10 */
	int			exp10;
} SvTick;

typedef struct SvAxis
{
	bool		log;
	double		lo,
				hi;				/* data range shown */
	double		px_lo,
				px_hi;			/* the pixels of lo and hi */
	int			nticks;
	SvTick		ticks[SV_MAX_TICKS];
} SvAxis;

/*
 * Range and ticks of an axis showing [dmin, dmax] (finite, > 0 when log),
 * padded by 5% of the span (of the log span on a log axis).  A log axis
 * spanning two or more powers of ten has major ticks at powers of ten
 * (every s-th decade labelled, s chosen for at most about 8 labels) and
 * minor ticks at 2..9 times them; a narrower log axis, and a linear one,
 * has about 5 labelled ticks at round values (1, 2 or 5 times a power of ten).
 */
extern void sv_axis_layout(SvAxis *ax, bool log, double dmin, double dmax);
/* the pixel of data value v (finite, > 0 on a log axis) */
extern double sv_axis_px(const SvAxis *ax, double v);
/* the plain label of v on a tick grid of step (decimals from step, "1e-5" style far from 1) */
extern void sv_format_number(double v, double step, SvTick *t);

/* ---- the figure ---- */

/* a fit's prediction at one x: y, and the band [lo, hi] (both NaN: none) */
typedef struct SvPrediction
{
	double		y;
	double		lo;
	double		hi;
} SvPrediction;

/* evaluates series s's fit at x > 0; false where it gives no value */
typedef bool (*SvPredictFn) (void *arg, int series, double x, SvPrediction *out);

typedef struct SvSeries
{
	const char *label;			/* UTF-8; NULL: no label */
	size_t		n;
	const double *x;			/* the points, in any order */
	const double *y;
	const unsigned char *held_out;	/* NULL: none held out */
	bool		has_fit;		/* draw a curve through predict */
	double		fit_x_max;		/* where the fitted range ends (NaN: the series' largest
								 * x among points not held out) */
	const char *note;			/* shown below the title (NULL: none) */
} SvSeries;

typedef struct SvFigure
{
	const char *title;			/* UTF-8 texts; NULL: none */
	const char *x_label;
	const char *y_label;
	const char *note;			/* shown below the title, before the series' notes */
	int			width;			/* pixels */
	int			height;
	bool		y_log;			/* the x axis is always logarithmic */
	double		extrapolate_to; /* NaN: to the largest x of the points */
	double		level;			/* of the band, for the legend */
	int			nseries;		/* 1..SV_MAX_SERIES */
	const SvSeries *series;
	SvPredictFn predict;
	void	   *predict_arg;
} SvFigure;

typedef enum SvStatus
{
	SV_OK = 0,
	SV_BAD_X,					/* an x that cannot go on the log axis */
	SV_BAD_Y,					/* a y that cannot go on the y axis */
	SV_BAD_FIGURE				/* size, series count or extrapolate_to out of range */
} SvStatus;

/*
 * The value of v[0..n) that cannot go on an axis (non-finite, or <= 0 when
 * positive), the smallest such in the order -Inf < finite < Inf < NaN, so
 * that the value an error names does not depend on row order.  false if
 * there is none.
 */
extern bool sv_bad_value(const double *v, size_t n, bool positive, double *bad,
						 const SlAlloc *al);

/*
 * The SVG document of fig, NUL-terminated, into *out (allocated with al),
 * its length into *len.  SV_BAD_X or SV_BAD_Y if a point cannot go on its
 * axis (check first with sv_bad_value to name it); the same figure gives
 * the same bytes whatever the order of each series' points.
 */
extern SvStatus sv_render(const SvFigure *fig, const SlAlloc *al, char **out, size_t *len);

/* the colour of series i ("#0072B2", ...) */
extern const char *sv_colour(int i);

#endif
