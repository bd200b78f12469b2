/*
 * formula_int.h -- what the files of the formula compiler share: the tree
 * (hash-consed nodes in one growable array, so equal sub-expressions are
 * one node and a node's children always have smaller indices), the
 * compiled program, and the scalar arithmetic that folding, evaluation and
 * prediction all use, so they agree to the bit.
 */
#ifndef FORMULA_INT_H
#define FORMULA_INT_H

#include <math.h>
#include <stdint.h>

#include "formula.h"

typedef enum SlfOp
{
	OP_NUM,						/* num */
	OP_INPUT,					/* n: input index */
	OP_PARAM,					/* n: parameter index */
	OP_NEG,
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_POWI,					/* a^n, n an integer literal, |n| <= 64 */
	OP_POW,						/* a^b = exp(b ln a), a > 0 */
	OP_FN,						/* fn(a) or fn(a, b) */
	OP_POWL						/* program only: exp(b * a), a = ln of an input-only base */
} SlfOp;

typedef enum SlfFn
{
	FN_EXP, FN_EXPM1, FN_LN, FN_LOG1P, FN_LOG10, FN_LOG2, FN_LOG, FN_SQRT,
	FN_ABS, FN_POW, FN_MIN, FN_MAX, FN_SIN, FN_COS, FN_ATAN, FN_TANH,
	FN_SIGMOID, FN_SOFTPLUS, FN_COUNT
} SlfFn;

typedef struct SlfFnInfo
{
	const char *name;
	int			nargs;
} SlfFnInfo;

extern const SlfFnInfo slf_fn_info[FN_COUNT];

#define SLF_POWI_MAX 64
/* hard cap of nodes including those the linearity pass builds */
#define SLF_MAX_ALL_NODES (4 * SLF_MAX_NODES)

typedef struct SlfNode
{
	uint8_t		op;
	uint8_t		fn;
	int32_t		a;				/* children: node indices, -1 if none */
	int32_t		b;
	int32_t		n;
	double		num;
} SlfNode;

/* the tree under construction: nodes, their hash table, names */
typedef struct SlfTree
{
	const SlAlloc *al;
	SlfNode    *nodes;
	int			n_nodes;
	int			cap_nodes;
	int32_t    *hash;			/* open addressing, -1 empty, at most half full */
	int			hash_size;
	int			n_inputs;
	int			n_params;
	char	   *input_names[SLF_MAX_INPUTS];
	char	   *param_names[SLF_MAX_PARAMS];
	int			param_pos[SLF_MAX_PARAMS];	/* byte offset of first appearance */
	int			root;
} SlfTree;

/* an instruction's tier: what it depends on */
typedef enum SlfTier
{
	TIER_C,						/* constant */
	TIER_X,						/* inputs only: computed once per bind */
	TIER_P,						/* parameters only: once per evaluation */
	TIER_PX						/* both: per point, with partials */
} SlfTier;

/* SlfInstr.n of the logarithm of a power's input-only base (node: the power) */
#define SLF_LN_OF_BASE 1

typedef struct SlfInstr
{
	uint8_t		op;
	uint8_t		fn;
	uint8_t		tier;
	int32_t		a;				/* instruction indices */
	int32_t		b;
	int32_t		n;				/* input index, theta index or power */
	int32_t		slot;			/* index within its tier's storage */
	int32_t		node;			/* the tree node, for error messages */
	double		num;
} SlfInstr;

struct SlFormula
{
	SlfTree		tree;			/* kept for roles, canonical form, messages */
	int			n_inputs;
	int			n_params;
	int			q;
	int			nonlinear[SLF_MAX_NONLINEAR];	/* theta_j -> parameter */
	int			theta_of[SLF_MAX_PARAMS];	/* parameter -> j or -1 */
	int			n_columns;
	uint32_t	column_mask[SLF_MAX_COLUMNS];	/* parameters whose product is u_c */
	int			column_node[SLF_MAX_COLUMNS];
	int			offset_node;	/* -1: none */
	/* solving the chains: parameter solve_param[i] = u_{solve_col[i]} / the others */
	int			n_linear;
	int			solve_param[SLF_MAX_COLUMNS];
	int			solve_col[SLF_MAX_COLUMNS];
	/* the program */
	SlfInstr   *instr;
	int			n_instr;
	int			n_tier[4];
	int			column_instr[SLF_MAX_COLUMNS];
	int			offset_instr;
	/* the canonical form (formula_roles.c) */
	uint32_t	nonneg_mask;
	int			n_classes;
	int		   *class_terms;	/* per class: n_terms, n_per, then n_terms x n_per params, first key pos */
	int			class_len;
	SlfParamRole roles[SLF_MAX_NONLINEAR];
};

/* formula_parse.c: text -> tree (folded) in t; false with err set */
extern bool slf_parse(SlfTree *t, const char *text, size_t len, SlfError *err);
/* a node, hash-consed and folded; -1 with err set (limit, not finite, memory) */
extern int	slf_node(SlfTree *t, SlfOp op, int fn, int a, int b, int n, double num, SlfError *err);
extern void slf_tree_free(SlfTree *t);
/* writes node's text (truncated with "...") into buf of size sz */
extern void slf_deparse(const SlfTree *t, int node, char *buf, size_t sz);
extern void slf_set_error(SlfError *err, SlfErrorKind kind, int pos, const char *hint,
						  const char *fmt,...) __attribute__((format(printf, 5, 6)));
/* shortest text of a double that reads back to the same bits */
extern void slf_format_double(double v, char *buf, size_t sz);

/* formula_linear.c: fills the columns, offset, nonlinear and chain fields */
extern bool slf_linearize(SlFormula *f, SlfError *err);

/* formula_program.c: the straight-line program of the columns and offset */
extern bool slf_build_program(SlFormula *f, SlfError *err);

/* formula_roles.c: roles and the canonical-form tables */
extern bool slf_analyse_roles(SlFormula *f, SlfError *err);

/* ---- scalar arithmetic (shared by folding, evaluation and prediction) */

/* a^n by repeated squaring: exact for small integer results, defined for a <= 0 */
static inline double
slf_powi(double a, int n)
{
	unsigned int e = (unsigned int) (n < 0 ? -n : n);
	double		r = 1.0;
	double		s = a;

	while (e)
	{
		if (e & 1)
			r *= s;
		e >>= 1;
		if (e)
			s *= s;
	}
	return n < 0 ? 1.0 / r : r;
}

/* a^b for a non-integer or parameter exponent: exp(b ln a), a > 0 */
static inline double
slf_pow(double a, double b)
{
	return a > 0 ? exp(b * log(a)) : NAN;
}

static inline double
slf_sigmoid(double a)
{
	if (a >= 0)
		return 1.0 / (1.0 + exp(-a));
	else
	{
		double		e = exp(a);

		return e / (1.0 + e);
	}
}

static inline double
slf_softplus(double a)
{
	return a > 0 ? a + log1p(exp(-a)) : log1p(exp(a));
}

/* NaN in, NaN out: min and max never hide a NaN */
static inline double
slf_min(double a, double b)
{
	return (isnan(a) || isnan(b)) ? NAN : (a <= b ? a : b);
}

static inline double
slf_max(double a, double b)
{
	return (isnan(a) || isnan(b)) ? NAN : (a >= b ? a : b);
}

/* the value of a function (b unused for one-argument functions) */
static inline double
slf_fn_value(int fn, double a, double b)
{
	switch ((SlfFn) fn)
	{
		case FN_EXP:
			return exp(a);
		case FN_EXPM1:
			return expm1(a);
		case FN_LN:
			return log(a);
		case FN_LOG1P:
			return log1p(a);
		case FN_LOG10:
			return log10(a);
		case FN_LOG2:
			return log2(a);
		case FN_LOG:
			return log(b) / log(a);
		case FN_SQRT:
			return sqrt(a);
		case FN_ABS:
			return fabs(a);
		case FN_MIN:
			return slf_min(a, b);
		case FN_MAX:
			return slf_max(a, b);
		case FN_SIN:
			return sin(a);
		case FN_COS:
			return cos(a);
		case FN_ATAN:
			return atan(a);
		case FN_TANH:
			return tanh(a);
		case FN_SIGMOID:
			return slf_sigmoid(a);
		case FN_SOFTPLUS:
			return slf_softplus(a);
		default:
			break;				/* FN_POW is compiled to OP_POW or OP_POWI */
	}
	return NAN;
}

/* the value of a node's operation on operand values a, b */
static inline double
slf_op_value(int op, int fn, int n, double a, double b)
{
	switch ((SlfOp) op)
	{
		case OP_NEG:
			return -a;
		case OP_ADD:
			return a + b;
		case OP_SUB:
			return a - b;
		case OP_MUL:
			return a * b;
		case OP_DIV:
			return a / b;
		case OP_POWI:
			return slf_powi(a, n);
		case OP_POW:
			return slf_pow(a, b);
		case OP_FN:
			return slf_fn_value(fn, a, b);
		default:
			break;
	}
	return NAN;
}

#endif
