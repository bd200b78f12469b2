/*
 * sl_pg.h -- what the PostgreSQL glue files share: the palloc-backed
 * allocator for the core, the interrupt hook, input checks, the options of
 * the fits, the checks that keep a mis-declared function from reading
 * memory as the wrong type, and the sizes the aggregates declare.  Include
 * postgres.h first (as every backend file does).
 */
#ifndef SL_PG_H
#define SL_PG_H

#include <math.h>

#include "fmgr.h"
#include "access/htup_details.h"
#include "utils/jsonb.h"

#include "point_set.h"
#include "sl_alloc.h"

/* an allocator that pallocs in ctx (huge allocations allowed) */
extern void sl_pg_alloc_init(SlAlloc *al, MemoryContext ctx);
extern void sl_pg_interrupt(void);

/* ERROR unless v is finite (and positive when positive is set) */
extern void sl_input_error(const char *fn, const char *arg, double v,
						   bool positive, int positive_errcode) pg_attribute_noreturn();

static inline void
sl_check_input(const char *fn, const char *arg, double v, bool positive,
			   int positive_errcode)
{
	if (likely(isfinite(v) && (!positive || v > 0.0)))
		return;
	sl_input_error(fn, arg, v, positive, positive_errcode);
}
/* "NaN", "Infinity", or %.17g */
extern const char *sl_format_double(double v, char *buf, size_t len);

/* ---- internal aggregate states ---- */

/*
 * Every internal state begins with a tag naming its struct, and every
 * function that receives one checks it: a superuser can assemble an
 * aggregate from the support functions of different aggregates (CREATE
 * AGGREGATE ... SFUNC = sl_log_law_trans, FINALFUNC = sl_power_law1_final),
 * and a state read as another struct would crash the server.  Serialised
 * states begin with the same four bytes.
 */
#define SL_TAG_POWER_LAW	0x4c50534cU	/* "SLPL" in little-endian memory */
#define SL_TAG_LOG_LAW		0x4c4c534cU	/* "SLLL" */
#define SL_TAG_FIT_POINTS	0x5046534cU	/* "SLFP" */

/* ERROR (42P13): the state argument argno is not a state with the expected tag */
extern void sl_wrong_state(FunctionCallInfo fcinfo, const char *fn, int argno) pg_attribute_noreturn();

/*
 * Argument argno: NULL (SQL NULL, or a null pointer a transition function
 * returned for a group without rows), or an internal state whose tag is tag.
 */
static inline void *
sl_state_arg(FunctionCallInfo fcinfo, int argno, uint32 tag, const char *fn)
{
	void	   *p;

	if (PG_ARGISNULL(argno) || (p = PG_GETARG_POINTER(argno)) == NULL)
		return NULL;
	if (unlikely(*(const uint32 *) p != tag))
		sl_wrong_state(fcinfo, fn, argno);
	return p;
}

/* ERROR (42P13): fcinfo's function is declared with arguments its code cannot read */
extern void sl_wrong_declaration(FunctionCallInfo fcinfo, const char *fn,
								 const char *detail) pg_attribute_noreturn();
/*
 * ERROR (42P13) unless argument argno has type expected as the call sees
 * it (strict false: an unknown type, InvalidOid, passes)
 */
extern void sl_check_arg_type(FunctionCallInfo fcinfo, const char *fn, int argno, Oid expected,
							  bool strict);

/* the aggregate context; ERROR (42809) when not called as part of an aggregate */
extern MemoryContext sl_agg_context(FunctionCallInfo fcinfo, const char *fn);

/*
 * What an aggregate support function keeps for its call site (fn_extra),
 * set up by the first call, which also checks the declaration the call
 * sees: a superuser can CREATE FUNCTION one of our C symbols with other
 * argument types, and a float8 read as a pointer would crash the server.
 * Such a declaration is an ERROR (42P13) instead.
 */
typedef struct SlCall
{
	/* a transition function's: */
	int			k;				/* inputs (a formula law: of the formula compiled last) */
	int			n;				/* option values (coefficients, parameters) of such a law */
	bool		has_options;	/* options come last */
	uint64		context;		/* changes when what the options mean changes (fit_agg.c) */
	struct SlRowOptions *row_options;	/* its last row's options (fit_agg.c) */
	void	   *law;			/* what a law keeps at the call site (its compiled formulas) */
} SlCall;

extern SlCall *sl_trans_call_setup(FunctionCallInfo fcinfo, const char *fn, int max_k,
								   bool options_allowed);
extern SlCall *sl_support_call_setup(FunctionCallInfo fcinfo, const char *fn, int n_states);

/*
 * The call site of a transition function declared (internal, k float8
 * inputs, float8 y [, jsonb options]) with 1 <= k <= max_k (options only
 * when options_allowed).
 */
static inline SlCall *
sl_trans_call(FunctionCallInfo fcinfo, const char *fn, int max_k, bool options_allowed)
{
	SlCall	   *call = (SlCall *) fcinfo->flinfo->fn_extra;

	if (likely(call != NULL))
		return call;
	return sl_trans_call_setup(fcinfo, fn, max_k, options_allowed);
}

/*
 * The call site of a combine, serialize or final function, whose first
 * n_states arguments must be internal states of an aggregate.
 */
static inline SlCall *
sl_support_call(FunctionCallInfo fcinfo, const char *fn, int n_states)
{
	SlCall	   *call = (SlCall *) fcinfo->flinfo->fn_extra;

	if (likely(call != NULL))
		return call;
	return sl_support_call_setup(fcinfo, fn, n_states);
}

/* argument 0 of a serialize or final function: its state, or NULL */
static inline void *
sl_support_state(FunctionCallInfo fcinfo, const char *fn, uint32 tag)
{
	(void) sl_support_call(fcinfo, fn, 1);
	return sl_state_arg(fcinfo, 0, tag, fn);
}

/*
 * The start of every combine function: the aggregate context and the two
 * states (NULL for an empty side), their tags checked.  Returns true when
 * the answer is already known (a side is empty): the caller then returns
 * *s1, which is the non-empty state or NULL.
 */
extern bool sl_combine_start(FunctionCallInfo fcinfo, const char *fn, uint32 tag,
							 MemoryContext *aggctx, void **s1, void **s2);

/* ERROR for a state that failed to deserialise */
extern void sl_bad_state(const char *fn) pg_attribute_noreturn();

/*
 * SSPACE of the aggregates: what a typical group's state costs in palloc
 * chunks (AllocSet rounds a request up to a power of two and adds a
 * 16-byte header).  scalinglaw--1.1--1.2.sql declares these values and
 * sql/state_space.sql checks the catalog against the lines below.
 *
 * fit_power_law, fit_points, merge_fit_points: the state struct with its
 * inline point block, one 1 kB chunk (static assertions in power_law_agg.c
 * and next to FpState).  A group of up to 27 distinct inputs (21 pairs, 17
 * triples) without repeated inputs needs nothing else; repeated inputs add
 * exact sums of y (2 kB for 20 repeated inputs), more distinct inputs move
 * the points to arrays that double as they grow.
 *
 * fit_log_law: the state, one 512-byte chunk (asserted in log_law_agg.c),
 * and one digit array per exact sum, 5 sums for one input and 9 for two.
 * Each array is a 128-byte chunk on typical data: measured with the core's
 * ls_add and an allocator that rounds as AllocSet does, on 5 to 80 rows
 * with inputs in 1e3..1e12 and losses in 1..10 (720 and 1296 bytes of
 * arrays, in every one of 1200 groups).
 */
#define SL_CHUNK_HEADER 16
#define SL_SSPACE_POINTS 1040	/* 1024 + 16 */
/* fit_scaling_law: the state's chunk, as the points', and a formula of up to 64 bytes */
#define SL_SSPACE_FORMULA 1120	/* 1040 + 64 + 16 */
#define SL_SSPACE_LOG_LAW1 1248 /* 512 + 16 + 5 x (128 + 16) */
#define SL_SSPACE_LOG_LAW2 1824 /* 512 + 16 + 9 x (128 + 16) */

/* ---- options ---- */

/* coefficients of the largest law: l_inf, a, alpha, b, beta, c, gamma */
#define SL_MAX_COEFS (2 * SL_MAX_INPUTS + 1)

/*
 * What options set: [lo, hi] per coefficient of the law, in the order of
 * its coefficient names.  Rows and partial states are compared as these
 * values, never as the bytes of the jsonb, so that '[0, 1]' and
 * '[0.0, 1.00]' are the same options and NULL is the same as '{}'.
 */
typedef struct SlBounds
{
	double		lo[SL_MAX_COEFS];
	double		hi[SL_MAX_COEFS];
} SlBounds;

/* a law as its options see it */
typedef struct SlOptionsLaw
{
	const char *fn;				/* the aggregate, in messages */
	const char *const *names;	/* coefficient names in result order */
	int			n;				/* coefficients */
	const SlBounds *defaults;	/* what NULL options mean (static) */
} SlOptionsLaw;

/*
 * Parse {"bounds": {"coef": [lo, hi], ...}} for a law whose coefficients
 * are names[0..n).  lo/hi hold the defaults on entry and are overwritten
 * where the options say; a JSON null leaves that side unbounded.
 */
extern void sl_parse_options(const char *fn, Jsonb *options, const char *const *names,
							 int n, double *lo, double *hi);
/*
 * An option mapping names[0..n) to [lo, hi] pairs ("bounds", "search"):
 * lo/hi are overwritten where val names a coefficient; a JSON null leaves
 * that side unbounded; an unknown name is an ERROR listing the known ones.
 */
extern void sl_parse_pairs(const char *fn, const char *option, JsonbValue *val,
						   const char *const *names, int n, double *lo, double *hi);
/* the bounds options (NULL: the defaults) set */
extern void sl_options_bounds(const SlOptionsLaw *law, Jsonb *options, SlBounds *out);
extern bool sl_bounds_equal(const SlBounds *a, const SlBounds *b, int n);
/* ERROR: two parts of a group were given different options */
extern void sl_options_mismatch(const char *fn) pg_attribute_noreturn();

/* ---- results ---- */

/*
 * A jsonb object mapping names[i] to values[i] in shortest round-trip
 * digits (NaN or infinite: null, which JSON cannot hold otherwise)
 */
extern Datum sl_values_jsonb(const char *const *names, const double *values, int n);

/*
 * The covariance column of a fit: names[i] maps to an object mapping
 * names[j] to cov[i * n + j], for the i and j whose cov[i * n + i] is
 * finite (the coefficients with a standard error); NULL (*isnull) when
 * there are none, or when an entry among them is not finite (overflow).
 */
extern Datum sl_covariance_jsonb(const char *const *names, const double *cov, int n, bool *isnull);
/* a float8[] of values[0..n) */
extern Datum sl_float8_array(const double *values, int n);

/*
 * The composite result of fcinfo's function from the n values a fit
 * writes (types[i]): ERROR (42804) unless the return type's columns, not
 * counting dropped ones, have exactly these types (a superuser can ALTER
 * TYPE an extension's type); dropped columns are NULL.  The last
 * n_optional values are columns a later version added (std_errors,
 * covariance, x_min, x_max in 1.4): a type without them, as a database not
 * yet updated has it, gets the others.
 */
extern Datum sl_make_result(FunctionCallInfo fcinfo, const char *fn, int n, int n_optional,
							const Oid *types, const Datum *values, const bool *nulls);
/*
 * The diagnostic columns a fit writes after x_max (since 1.4), from column
 * i on; returns the column after them.  status (text); converged (boolean,
 * with_converged: the presets'; a formula fit has it earlier), false for a
 * fit that failed (!ok); iterations (integer), aic and bic (float8), NULL
 * for a fit that failed, and aic and bic where they are NaN.
 */
extern int	sl_report_columns(const char *status, bool ok, bool converged, bool with_converged,
							  int iterations, double aic, double bic,
							  Oid *types, Datum *values, bool *nulls, int i);
/* text[] of the names whose flag is set (an empty array if none) */
extern Datum sl_name_array(const char *const *names, const bool *flags, int n);

/*
 * fn(fit, x1 .. xk), predict_loss and the like: the first n columns of the fit (float8)
 * into out, and the inputs x (checked finite and > 0, positive_errcode
 * otherwise) into x.  Returns false if a column is NULL; ERROR if one is
 * not finite, or if the function's declaration or the fit's type do not
 * have the columns and arguments it reads.  Decodes through a tuple
 * descriptor cached in fn_extra and reuses the previous call's fields
 * when the tuple's bytes are the same (a fit that is constant over a
 * query is decoded once).
 */
extern bool sl_predict_args(FunctionCallInfo fcinfo, const char *fn, int n, double *out, int k,
							const char *const *x_names, double *x, int positive_errcode);
/* ERROR 22003 unless the prediction y (from finite fields and inputs) is finite */
extern void sl_check_prediction(double y);

/* ---- predict_interval ---- */

/* the most coefficients a covariance can cover (a formula's parameters) */
#define SL_COV_MAX 32

/* what a fit says about its uncertainty, decoded once per fit */
typedef struct SlFitCovariance
{
	bool		known;			/* n and a covariance of at least one coefficient */
	int64		n;				/* the fit's rows */
	int			p;				/* coefficients the covariance covers */
	int			which[SL_COV_MAX];	/* their indexes, increasing */
	double		c[SL_COV_MAX * SL_COV_MAX]; /* p x p over which[] */
} SlFitCovariance;

/*
 * The covariance jsonb of a fit whose coefficients are names[0..n) into
 * out (known set, n left to the caller).  ERROR 22023, naming the
 * problem, unless it is an object mapping coefficient names to objects
 * that map the same names to finite numbers, symmetric, with a variance
 * >= 0 on its diagonal.  An empty object covers nothing (known false).
 */
extern void sl_read_covariance(const char *fn, Jsonb *jb, const char *const *names, int n,
							   SlFitCovariance *out);

/*
 * predict_interval(fit, x1 .. xk, level) of a preset: as sl_predict_args
 * (names[0..n) the coefficients), and *cov the fit's uncertainty (known
 * false for a NULL n or covariance, or a type of before 1.4); level is
 * checked to lie in (0, 1).
 */
extern bool sl_interval_args(FunctionCallInfo fcinfo, const char *fn, int n,
							 const char *const *names, double *out, int k,
							 const char *const *x_names, double *x, int positive_errcode,
							 const SlFitCovariance **cov, double *level);
/* ERROR 22023 unless 0 < level < 1 */
extern void sl_check_level(const char *fn, double level);

/*
 * The prediction_interval (estimate, lo, hi) of a prediction y whose
 * gradient by the covered coefficients is g[0..cov->p): lo and hi NULL
 * when !cov->known, else y -+ t sqrt(g' C g), t Student's of n - p degrees
 * of freedom at level (cached in *t_cache: {level, df, t}).  ERROR when the
 * covariance gives a negative variance or n <= p (a hand-made fit), or
 * when a bound overflows.
 */
extern Datum sl_interval_result(FunctionCallInfo fcinfo, const char *fn, double y,
								const double *g, const SlFitCovariance *cov, double level,
								double *t_cache);
/* the t_cache of a preset's call site, for sl_interval_result */
extern double *sl_interval_t_cache(FunctionCallInfo fcinfo);

/* ---- rows of point-set aggregates ---- */

/* ERROR unless a point-set operation stayed within the point and row limits */
extern void sl_check_points(const char *fn, PsStatus st);

/*
 * A row of an aggregate of scalar inputs: arguments 1..k are the inputs,
 * k + 1 is y.  Reads them into x and y and checks them (named x or
 * x1..x3, and y, in messages of fn; an input <= 0 is positive_errcode);
 * false if one of them is NULL.
 */
static inline bool
sl_read_row(FunctionCallInfo fcinfo, const char *fn, int k, int positive_errcode,
			double *x, double *y)
{
	static const char *const names[SL_MAX_INPUTS + 1][SL_MAX_INPUTS] = {
		{NULL}, {"x"}, {"x1", "x2"}, {"x1", "x2", "x3"}
	};

	for (int j = 0; j <= k; j++)
		if (PG_ARGISNULL(j + 1))
			return false;
	for (int j = 0; j < k; j++)
	{
		x[j] = PG_GETARG_FLOAT8(j + 1);
		sl_check_input(fn, names[k][j], x[j], true, positive_errcode);
	}
	*y = PG_GETARG_FLOAT8(k + 1);
	sl_check_input(fn, "y", *y, false, 0);
	return true;
}

/* a row of a point-set aggregate of scalar inputs (sl_read_row) into ps */
static inline void
sl_add_row(FunctionCallInfo fcinfo, const char *fn, int k, PointSet *ps, const SlAlloc *al)
{
	double		x[SL_MAX_INPUTS],
				y;

	if (sl_read_row(fcinfo, fn, k, ERRCODE_INVALID_ARGUMENT_FOR_POWER_FUNCTION, x, &y))
		sl_check_points(fn, ps_add(ps, x, y, al));
}

#endif
