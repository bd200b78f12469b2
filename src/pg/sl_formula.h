/*
 * sl_formula.h -- what the glue of the formula laws shares: compiled
 * formulas cached per call site, their errors, and the fit's options.
 */
#ifndef SL_FORMULA_H
#define SL_FORMULA_H

#include "formula.h"
#include "formula_fit.h"
#include "sl_pg.h"

/* a formula compiled at a call site, with the text it was compiled from */
typedef struct SlFormulaCache
{
	SlAlloc		al;
	char	   *text;
	size_t		len;
	SlFormula  *formula;		/* NULL before the first */
	uint64		compiles;		/* formulas compiled: a new one may reuse the old one's address */
} SlFormulaCache;

/*
 * The compiled formula of t, from the cache when its text is the cached
 * one (memory in mcxt, which must outlive the cache).  ERROR if it does
 * not compile.
 */
extern const SlFormula *sl_formula_get(SlFormulaCache *cache, MemoryContext mcxt,
									   const char *fn, text *t);
/* ERROR for err of the formula text[0..len): SQLSTATE by kind, caret under its position */
extern void sl_formula_error(const char *fn, const char *text, size_t len,
							 const SlfError *err) pg_attribute_noreturn();

/*
 * One row's inputs into x (slf_n_inputs(f) values): inputs is a float8[]
 * when is_array, else one float8 (a one-input law only).  false when an
 * element is NULL (the row is skipped, or the prediction NULL); ERROR for a
 * wrong length or shape, or a value that is not finite.
 */
extern bool sl_formula_inputs(const char *fn, const SlFormula *f, Datum inputs, bool is_array,
							  double *x);

/*
 * A scaling_law_fit value read at a call site (keep it in fn_extra, zeroed):
 * its formula compiled and its params decoded once while they stay the
 * same.  A fit may be hand-made (ROW(...)::scaling_law_fit) or edited: the
 * formula compiles as fit_scaling_law's would, and params must name exactly
 * its parameters, each with a number.
 */
typedef struct SlFitReader
{
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
	double		params[SLF_MAX_PARAMS];	/* the fit's values, after a read */
	/* predict_interval's: set want_covariance before the first read */
	bool		want_covariance;
	int			att_n,			/* attribute numbers of n, covariance (-1: before 1.4) */
				att_cov;
	SlFitCovariance cov;		/* the fit's, after a read that returned a formula */
} SlFitReader;

/*
 * The formula of the fit tup, its parameter values in r->params (and with
 * want_covariance, its uncertainty in r->cov); NULL when the fit has a
 * NULL formula, params or parameter (it predicts NULL).  ERROR (fn in the
 * message) for a fit that does not hold together.
 */
extern const SlFormula *sl_fit_reader_read(SlFitReader *r, MemoryContext mcxt, const char *fn,
										   HeapTupleHeader tup);

/* the largest "effort" the options accept */
#define SL_FORMULA_EFFORT_MAX 10

/*
 * fit_scaling_law's options: {"bounds": {param: [lo, hi]}, "search":
 * {param: [lo, hi]}, "effort": n}.  NULL means the defaults.
 */
extern void sl_formula_options(const char *fn, const SlFormula *f, Jsonb *options,
							   FormulaSpec *spec);
extern bool sl_formula_spec_equal(const FormulaSpec *a, const FormulaSpec *b, int n_params);

/*
 * The scaling_law_fit of the points sp for the formula f (text[0..len)),
 * shared by the aggregate and fit_scaling_law(formula, points): *isnull
 * when the data cannot determine the law.
 */
extern Datum sl_scaling_law_result(FunctionCallInfo fcinfo, const SlFormula *f,
								   const char *formula, size_t len, const SortedPoints *sp,
								   const FormulaSpec *spec, bool *isnull);

#endif
