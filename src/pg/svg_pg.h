/*
 * svg_pg.h -- what the plot aggregates share (svg_agg.c, svg_report.c):
 * their options, and predictions of any fit through the extension's own
 * predict_interval for the fit's type.
 */
#ifndef SVG_PG_H
#define SVG_PG_H

#include "fmgr.h"
#include "utils/jsonb.h"

#include "svg_plot.h"

#define SL_TAG_SVG		0x5653534cU	/* "SLSV" */
#define SL_TAG_REPORT	0x5253534cU	/* "SLSR" */

/*
 * SSPACE of the plot aggregates (sql/state_space.sql checks the catalog
 * against these lines).  scaling_law_svg: the state struct (one 1 kB
 * chunk), the copy of a fit (about 600 bytes: a 1 kB chunk) and the rows of
 * one input at their first size of 16 (x and y 144 bytes each, the flags
 * 32): 1040 + 1040 + 320.  scaling_law_report: the state (a 128-byte
 * chunk) and its first row buffer of 1 kB, which a plot of a few dozen
 * points already doubles four times: 144 + 16400 + 16.
 */
#define SL_SSPACE_SVG 2400
#define SL_SSPACE_REPORT 16560

/* the options of scaling_law_svg and scaling_law_report (see README, "Plots") */
typedef struct SvgOptions
{
	char	   *title;			/* NULL: none */
	char	   *x_label;
	char	   *y_label;
	int			x_input;		/* 1-based position, 0: by name, -1: not given */
	char	   *x_input_name;	/* when x_input is 0 */
	double		extrapolate_to; /* NaN: not given */
	bool		y_log;
	int			width;
	int			height;
	double		level;
} SvgOptions;

/*
 * options (NULL: none) into *o; ERROR 22023 naming an unknown key or a
 * wrong value.  report: the keys scaling_law_report takes (title, level,
 * extrapolate_to) instead of scaling_law_svg's.
 */
extern void svg_parse_options(const char *fn, Jsonb *options, bool report, SvgOptions *o);
extern bool svg_options_equal(const SvgOptions *a, const SvgOptions *b);

/* predict_interval(fit, inputs, level) of one fit type, looked up once */
typedef struct SvgPredictor
{
	Oid			fit_type;
	int			k;				/* inputs */
	bool		array_form;		/* predict_interval(fit, float8[], level) */
	FmgrInfo	flinfo;
} SvgPredictor;

/*
 * The predict_interval of fit_type in the schema of the calling function
 * (fcinfo), taking float8[] or else k float8 inputs; false if there is none
 * (the type is not a fit of this extension)
 */
extern bool svg_predictor_init(SvgPredictor *p, FunctionCallInfo fcinfo, Oid fit_type, int k,
							   MemoryContext mcxt);
/* a row type with a predict_interval of this extension (of any number of inputs) */
extern bool svg_is_fit_type(FunctionCallInfo fcinfo, Oid type);
/* the fit at x[0..k) (estimate, lo, hi: NaN when NULL); false when it gives no estimate */
extern bool svg_predict(SvgPredictor *p, Datum fit, const double *x, double level,
						SvPrediction *out);
/* the float8[] attribute name of a fit (x_min, x_max): its length (0 if NULL or absent), values into v */
extern int	svg_fit_array(Datum fit, const char *name, double *v, int max);

/* text cut to SV_MAX_TEXT bytes at a character boundary, NUL-terminated, in CurrentMemoryContext */
extern char *svg_text_cstring(const char *s, int len);

#endif
