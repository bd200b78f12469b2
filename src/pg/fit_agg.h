/*
 * fit_agg.h -- the one aggregate skeleton of the fits (fit_power_law,
 * fit_log_law, fit_scaling_law): their state, transition, combine,
 * serialize, deserialize and final functions, written once over a law's
 * descriptor (SlFitLaw).  A law supplies what is its own: how a row's
 * inputs are read, what its options are, its accumulator, and its fit.
 * Include postgres.h first.
 */
#ifndef FIT_AGG_H
#define FIT_AGG_H

#include "sl_pg.h"

/*
 * A group's state: this header, then the law's accumulator (SL_FIT_ACC).
 * Every row of a group must give the same key (the formula of
 * fit_scaling_law; presets have none) and set the same options.
 */
typedef struct SlFitState
{
	uint32		tag;			/* the law's (see sl_state_arg) */
	uint8		k;				/* inputs */
	uint8		n;				/* what the options set values for: coefficients, parameters */
	uint16		key_len;
	char	   *key;			/* key_len bytes (NULL when 0) */
	const void *options;		/* the law's options values; its defaults are shared */
	uint64		checked;		/* generation of the row options cache last compared */
	SlAlloc		al;				/* allocates in the context owning the state */
} SlFitState;

/* a state's accumulator, and the bytes a state with one of type T takes */
#define SL_FIT_ACC(st) ((void *) ((char *) (st) + MAXALIGN(sizeof(SlFitState))))
#define SL_FIT_STATE_SIZE(T) (MAXALIGN(sizeof(SlFitState)) + sizeof(T))

/*
 * What a state accumulates (a PointSet, LogStats): statuses are the point
 * set's, so that sl_check_points reports them.
 */
typedef struct SlAccOps
{
	size_t		size;
	void		(*init) (void *acc, int k);
	PsStatus	(*add) (void *acc, const double *x, double y, const SlAlloc *al);
	PsStatus	(*merge) (void *acc, const void *other, const SlAlloc *al);
	size_t		(*serial_size) (const void *acc, const SlAlloc *al);
	void		(*serialize) (const void *acc, unsigned char *out, const SlAlloc *al);
	/* false unless the bytes are a sound accumulator of k inputs */
	bool		(*deserialize) (void *acc, const unsigned char *p, size_t len, int k,
								const SlAlloc *al);
} SlAccOps;

extern const SlAccOps sl_point_set_ops;

typedef struct SlFitLaw
{
	const char *fn;				/* the aggregate, in messages */
	uint32		tag;
	int			max_k;
	const SlAccOps *acc;
	/* presets: n = n_per_input k + n_fixed; ERROR code of an input <= 0 */
	int			n_per_input;
	int			n_fixed;
	int			positive_errcode;
	/* presets: the law with k inputs as its options see it */
	const SlOptionsLaw *(*bounds_law) (int k);

	/*
	 * The transition function's call site: checks its declaration and sets
	 * call->k, call->n (when fixed by the declaration) and has_options.
	 */
	SlCall	   *(*trans_setup) (FunctionCallInfo fcinfo, const struct SlFitLaw *law);

	/*
	 * The group key: argument key_arg (text, -1: none), named key_name in
	 * messages.  prepare_key, given a row's key, sets call->k and call->n,
	 * and changes call->context when what the options mean changes.
	 */
	int			key_arg;
	const char *key_name;
	int			max_key_len;
	void		(*prepare_key) (FunctionCallInfo fcinfo, SlCall *call, text *key);

	/*
	 * A row's inputs into x and y; false skips the row (a NULL).  Checks
	 * them, ERROR for a value the law does not take.
	 */
	bool		(*row_inputs) (FunctionCallInfo fcinfo, const struct SlFitLaw *law, SlCall *call,
							   double *x, double *y);

	/* options: values of options_size bytes, read from jsonb and from states */
	size_t		options_size;
	const void *(*default_options) (const struct SlFitLaw *law, int k);
	/* options NULL: the defaults */
	void		(*parse_options) (const struct SlFitLaw *law, SlCall *call, Jsonb *options,
								  void *out);
	bool		(*options_equal) (const void *a, const void *b, int n);
	/* bytes of the options of (k, n) in a serialised state, 0 if (k, n) cannot be */
	size_t		(*options_bytes) (const struct SlFitLaw *law, int k, int n);
	void		(*write_options) (unsigned char *p, const void *options, int n);
	/* false unless the bytes are options the parser could have set */
	bool		(*read_options) (const struct SlFitLaw *law, const unsigned char *p, int k, int n,
								 void *out);

	/* the result of a state; *isnull when its rows cannot determine the law */
	Datum		(*final) (FunctionCallInfo fcinfo, SlCall *call, SlFitState *st, bool *isnull);
} SlFitLaw;

extern Datum sl_fit_trans(FunctionCallInfo fcinfo, const SlFitLaw *law);
extern Datum sl_fit_combine(FunctionCallInfo fcinfo, const SlFitLaw *law);
extern Datum sl_fit_serialize(FunctionCallInfo fcinfo, const SlFitLaw *law);
extern Datum sl_fit_deserialize(FunctionCallInfo fcinfo, const SlFitLaw *law);
extern Datum sl_fit_final(FunctionCallInfo fcinfo, const SlFitLaw *law);

/*
 * The rows of a point-set state in order (its log sorted in place; its
 * value unchanged), in CurrentMemoryContext: free with ps_sorted_free(sp, al).
 */
extern void sl_fit_sorted_points(SlFitState *st, SortedPoints *sp, SlAlloc *al);

/* the support functions of a law's aggregate, as the install scripts name them */
#define SL_FIT_AGG_FUNCTIONS(prefix, law) \
	PG_FUNCTION_INFO_V1(prefix##_trans); \
	Datum prefix##_trans(PG_FUNCTION_ARGS) { return sl_fit_trans(fcinfo, &(law)); } \
	PG_FUNCTION_INFO_V1(prefix##_combine); \
	Datum prefix##_combine(PG_FUNCTION_ARGS) { return sl_fit_combine(fcinfo, &(law)); } \
	PG_FUNCTION_INFO_V1(prefix##_serialize); \
	Datum prefix##_serialize(PG_FUNCTION_ARGS) { return sl_fit_serialize(fcinfo, &(law)); } \
	PG_FUNCTION_INFO_V1(prefix##_deserialize); \
	Datum prefix##_deserialize(PG_FUNCTION_ARGS) { return sl_fit_deserialize(fcinfo, &(law)); } \
	PG_FUNCTION_INFO_V1(prefix##_final); \
	Datum prefix##_final(PG_FUNCTION_ARGS) { return sl_fit_final(fcinfo, &(law)); }

/*
 * ---- the presets' parts (fit_agg.c) ----
 * A preset takes k scalar float8 inputs (arguments 1..k, positive), y and
 * optionally options jsonb; its options are bounds (SlBounds) on its
 * coefficients.
 */
extern SlCall *sl_preset_setup(FunctionCallInfo fcinfo, const SlFitLaw *law);
extern bool sl_preset_row(FunctionCallInfo fcinfo, const SlFitLaw *law, SlCall *call,
						  double *x, double *y);
extern const void *sl_preset_defaults(const SlFitLaw *law, int k);
extern void sl_preset_parse(const SlFitLaw *law, SlCall *call, Jsonb *options, void *out);
extern bool sl_preset_equal(const void *a, const void *b, int n);
extern size_t sl_preset_bytes(const SlFitLaw *law, int k, int n);
extern void sl_preset_write(unsigned char *p, const void *options, int n);
extern bool sl_preset_read(const SlFitLaw *law, const unsigned char *p, int k, int n, void *out);

/* the members of a preset's SlFitLaw that are the same for every preset */
#define SL_PRESET_PARTS \
	.trans_setup = sl_preset_setup, \
	.key_arg = -1, \
	.row_inputs = sl_preset_row, \
	.options_size = sizeof(SlBounds), \
	.default_options = sl_preset_defaults, \
	.parse_options = sl_preset_parse, \
	.options_equal = sl_preset_equal, \
	.options_bytes = sl_preset_bytes, \
	.write_options = sl_preset_write, \
	.read_options = sl_preset_read

#endif
