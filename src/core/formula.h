/*
 * formula.h -- the compiler of user-written laws (fit_scaling_law).
 *
 * Text "(N, D) => E + A / N^alpha + B / D^beta" compiles once into an
 * immutable SlFormula: the header names the inputs in array order, every
 * other identifier is a parameter, numbered in order of first appearance.
 * The law is rewritten as
 *
 *     sum_c u_c * g_c(theta, x) + g_0(theta, x)
 *
 * where each unknown u_c is a linear parameter (or a product chain of them,
 * such as b1*b2 in b1*(x^2 + b2*x)), theta are the q nonlinear parameters
 * and g_c, g_0 are straight-line programs evaluated with forward-mode dual
 * numbers (exact partials d/d theta_j).  The engine solves the u_c by
 * linear least squares and searches theta; this header is all it needs.
 *
 * Grammar: + - * / ^ (** an alias of ^), ^ right-associative and binding
 * tighter than unary minus (-x^2 = -(x^2), 2^3^2 = 512, 2^-a allowed),
 * parentheses, numeric literals (strtod: correctly rounded), the constant
 * pi, and exp, expm1, ln, log1p, log10, log2, log(b, x), sqrt, abs,
 * pow(a, b), min(a, b), max(a, b), sin, cos, atan, tanh, sigmoid,
 * softplus.  Reserved names are only those functions and pi.  An integer
 * literal power (|n| <= 64, after folding) is repeated multiplication,
 * defined for a base <= 0; any other power a^t is exp(t ln a) and needs
 * a > 0.
 *
 * Differences from the brief of issue 9: none in names or meanings.
 * Additions: slf_error_kind_sqlstate (the SQLSTATE of each kind, so the SQL
 * layer needs no table of its own); slf_compile also returns
 * SLF_ERR_NOT_FINITE when a constant sub-expression such as 1/0 is not
 * finite; and a power of an input-only base to a parameter exponent
 * (N^-alpha) takes ln N once per bind, so a base <= 0 at some point is a
 * bind error ("the base of N^-alpha is not positive at N = 0", with a hint)
 * rather than every theta being inadmissible.
 */
#ifndef FORMULA_H
#define FORMULA_H

#include <stdbool.h>
#include <stddef.h>

#include "sl_alloc.h"

#define SLF_MAX_TEXT 4096		/* bytes of formula text */
#define SLF_MAX_DEPTH 64		/* nesting of parentheses, calls, unary minus, ^ */
#define SLF_MAX_NODES 4096		/* tree nodes, and instructions of the program */
#define SLF_MAX_PARAMS 32
#define SLF_MAX_INPUTS 8
#define SLF_MAX_NONLINEAR 8
#define SLF_MAX_COLUMNS 32

typedef enum SlfErrorKind
{
	SLF_OK = 0,
	SLF_ERR_SYNTAX,				/* 42601 */
	SLF_ERR_FUNCTION,			/* 42883 */
	SLF_ERR_LIMIT,				/* 54000 */
	SLF_ERR_LAW,				/* 22023 */
	SLF_ERR_NOT_FINITE,			/* 22023 */
	SLF_ERR_NO_MEMORY			/* 53200 */
} SlfErrorKind;

/*
 * message: lower case, no final period (PostgreSQL's style); hint: a full
 * sentence or empty; pos: 0-based byte offset into the text for the caret,
 * -1 when the error has no single place
 */
typedef struct SlfError
{
	SlfErrorKind kind;
	int			pos;
	char		message[256];
	char		hint[256];
} SlfError;

typedef struct SlFormula SlFormula; /* opaque, immutable after compile */
typedef struct SlfBound SlfBound;	/* a formula bound to m points */

/* the five-character SQLSTATE of an error kind ("00000" for SLF_OK) */
extern const char *slf_error_kind_sqlstate(SlfErrorKind kind);

/* NULL on error (err filled); text need not be NUL-terminated */
extern SlFormula *slf_compile(const char *text, size_t len, const SlAlloc *al, SlfError *err);
extern void slf_free(SlFormula *f, const SlAlloc *al);

extern int	slf_n_inputs(const SlFormula *f);
extern const char *slf_input_name(const SlFormula *f, int i);
extern int	slf_n_params(const SlFormula *f);
extern const char *slf_param_name(const SlFormula *f, int p);
extern int	slf_param_index(const SlFormula *f, const char *name);	/* -1 if none */
extern int	slf_n_nonlinear(const SlFormula *f);
/* the parameter index of nonlinear parameter j (theta_j) */
extern int	slf_nonlinear_param(const SlFormula *f, int j);
extern int	slf_n_columns(const SlFormula *f);
extern bool slf_has_offset(const SlFormula *f);

/* the parameter whose value column c's unknown is when it is a single parameter, else -1 (a chain) */
extern int	slf_column_param(const SlFormula *f, int c);

/*
 * All parameter values (slf_n_params of them) from theta (q) and the
 * column unknowns (M); false (and the affected parameters NaN) when a chain
 * divides by zero.
 */
extern bool slf_params_from_solution(const SlFormula *f, const double *theta,
									 const double *coef, double *params);

typedef enum SlfRole
{
	SLF_ROLE_OTHER,
	SLF_ROLE_EXPONENT,			/* N^-alpha, N^alpha, pow(N, a), exp(a*ln(N)) */
	SLF_ROLE_RATE,				/* exp(-k*x); x/s has inverse set */
	SLF_ROLE_LOCATION			/* x - m */
} SlfRole;

/*
 * input: the input the role refers to (-1 for SLF_ROLE_OTHER); nonneg: the
 * parameter occurs only under an even integer power or abs, so its sign is
 * arbitrary and slf_canonicalize reports it >= 0.  A role needs the operand
 * beside the parameter to be an input itself, at every use, with all uses
 * agreeing; otherwise the role is OTHER (formula_roles.c).
 */
typedef struct SlfParamRole
{
	SlfRole		role;
	int			input;
	bool		inverse;
	bool		nonneg;
	/*
	 * every use divides an input up to a constant factor (t / P, 2*pi*t / P):
	 * interchangeable terms keyed by it are ordered by 1 / P, their rate
	 */
	bool		divides;
} SlfParamRole;

extern void slf_param_role(const SlFormula *f, int j, SlfParamRole *role); /* j: nonlinear index */

/*
 * x: m points of k = slf_n_inputs inputs, row major (x[i*k + j]); copies
 * what it needs.  Evaluates every input-only sub-expression at every point;
 * NULL with SLF_ERR_NOT_FINITE naming the first that is not finite
 * ("ln(D) is not finite at D = -1"), or SLF_ERR_NO_MEMORY.
 */
extern SlfBound *slf_bind(const SlFormula *f, const double *x, int m, const SlAlloc *al,
						  SlfError *err);
extern void slf_bound_free(SlfBound *b, const SlAlloc *al);

/*
 * Columns at theta.  G: column major m x M (G[c*m + i]); g0: m (ignored if
 * !has_offset); dG[(j*M + c)*m + i] and dg0[j*m + i] = partial w.r.t.
 * theta_j, each written when not NULL (partials are computed when either
 * is given).  false: a value or a requested partial is not finite (theta
 * inadmissible); the arrays are then unspecified.  No allocation; one
 * thread per SlfBound.
 */
extern bool slf_columns(SlfBound *b, const double *theta, double *G, double *g0,
						double *dG, double *dg0);

/*
 * The law at one point x (k inputs) given all parameter values (in order of
 * first appearance): g_0 + sum_c u_c g_c with the columns' own arithmetic.
 * NaN and infinities are returned as they come.  No allocation.
 */
extern double slf_predict(const SlFormula *f, const double *params, const double *x);
/*
 * slf_predict, and in *dy its derivative along dx: the sum over inputs of
 * d law / d x_j * dx[j] (forward mode, exact to rounding)
 */
extern double slf_predict_tangent(const SlFormula *f, const double *params, const double *x,
								  const double *dx, double *dy);
/*
 * slf_predict, and in jac[j] its derivative by parameter which[j], j < nw,
 * in one forward pass: work holds slf_jacobian_work(f, nw) doubles.
 */
extern size_t slf_jacobian_work(const SlFormula *f, int nw);
extern double slf_predict_jacobian(const SlFormula *f, const double *params, const double *x,
								   const int *which, int nw, double *work, double *jac);

/*
 * The canonical form of symmetric optima, in place: parameters that occur
 * only under an even power or abs made >= 0; additive terms that are the
 * same expression up to renaming of their own parameters ordered so that
 * their first nonlinear parameter increases, or its inverse where it
 * divides an input (a period; their parameters move together).
 */
extern void slf_canonicalize(const SlFormula *f, double *params);

/*
 * The same within bounds lo, hi (per parameter): a parameter is made >= 0
 * only where its negation lies within its bounds, and terms are ordered
 * only where the bounds of their parameters are the same term for term
 * (else the reordered optimum would leave them).  flags (per parameter,
 * or NULL) move with their parameters.
 */
extern void slf_canonicalize_within(const SlFormula *f, double *params, bool *flags,
									const double *lo, const double *hi);

#endif
