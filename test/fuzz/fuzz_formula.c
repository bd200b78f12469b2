/*
 * fuzz_formula -- the formula compiler (formula.h) on hostile text: compile,
 * bind to fixed points, evaluate columns with and without partials,
 * predict, canonicalise.
 *
 * Input: one selector byte (which points and which parameter values),
 * then the formula text.
 *
 * Invariants: a failed compile or bind reports a known kind, a message and
 * a position inside the text; a compiled formula's counts are within the
 * limits; columns reported admissible are all finite, the same bits with
 * and without partials and on a second evaluation; the prediction is the
 * offset plus the columns times their unknowns, and the law as written
 * (the parsed tree evaluated directly, before the linearity pass rewrote
 * it) to rounding, and the same bits along with its tangent or its
 * Jacobian by the parameters; the canonical
 * form is idempotent and predicts the same.
 */
#include <float.h>
#include <math.h>

#include "formula_int.h"
#include "fuzz_common.h"

#define M_POINTS 6

/* point sets: [set][point][input] */
static const double point_sets[4][M_POINTS][SLF_MAX_INPUTS] = {
	{{1, 2, 3, 4, 5, 6, 7, 8}, {10, 20, 30, 40, 50, 60, 70, 80}, {1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10},
	{0.5, 0.25, 0.125, 2, 3, 5, 7, 11}, {1e9, 2e9, 4e9, 8e9, 1e12, 3e12, 1e-3, 9}, {3, 1, 4, 1, 5, 9, 2, 6}},
	{{0, -1, 1, 0, -2, 2, 0, 1}, {-3, 0, 0.5, -0.5, 1, -1, 2, -2}, {1, 1, 1, 1, 1, 1, 1, 1},
	{2, 3, 5, 7, 11, 13, 17, 19}, {-1e3, 1e3, -1e-3, 1e-3, 0, 0, 0, 0}, {4, 4, 4, 4, 4, 4, 4, 4}},
	{{1e300, 1e-300, 1e200, 1e-200, 5e-324, 1.7e308, 1, 2}, {1e150, 1e-150, 3, 4, 5, 6, 7, 8},
	{2, 2, 2, 2, 2, 2, 2, 2}, {1e-10, 1e10, 1e-20, 1e20, 1e-30, 1e30, 1, 1},
	{1e100, 1e100, 1e100, 1e100, 1e100, 1e100, 1e100, 1e100}, {7, 6, 5, 4, 3, 2, 1, 0.5}},
	{{1, 1, 1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2, 2, 2}, {3, 3, 3, 3, 3, 3, 3, 3},
	{4, 4, 4, 4, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5, 5, 5}, {6, 6, 6, 6, 6, 6, 6, 6}},
};

static const double values[16] = {0.5, -0.3, 1, 0, 2.5, -1, 1e-3, 3, 0.1, 7, -2, 1e3, 0.25, -0.5, 1e-8, 40};

static bool
same_bits(const double *a, const double *b, size_t n)
{
	return memcmp(a, b, n * sizeof(double)) == 0;
}

/*
 * v = op(a, b) lost its relative precision to underflow: it is subnormal,
 * or a product, quotient or power of non-zero finite values rounded to
 * zero.  The linearity pass reorders products and quotients, so where
 * either order underflows the two forms need not agree.
 */
static bool
underflowed(int op, double v, double a, double b)
{
	if (v != 0)
		return fabs(v) < DBL_MIN;
	if (!isfinite(a) || a == 0)
		return false;
	return (op == OP_MUL && b != 0 && isfinite(b)) || (op == OP_DIV && isfinite(b)) ||
		op == OP_POWI || op == OP_POW || op == OP_POWL;
}

/*
 * The parsed law evaluated node by node (children have smaller indices),
 * and in *scale the same with sums and products of absolute values, the
 * size of the rounding errors of either form: the linearity pass rewrites
 * only sums, products and quotients, so the two agree to a few roundings
 * of that scale (a cancelling x^3 - x^3 in the written order loses what
 * was added before it; the rewritten one does not).
 */
static double
tree_value(const SlFormula *f, const double *params, const double *x, double *scale,
		   bool *subnormal)
{
	const SlfTree *t = &f->tree;
	double	   *v = malloc(sizeof(double) * 2 * (size_t) (t->root + 1));
	double	   *sc = v + t->root + 1;
	double		r;

	for (int n = 0; n <= t->root; n++)
	{
		const SlfNode *nd = &t->nodes[n];

		if (nd->op == OP_NUM)
			v[n] = nd->num;
		else if (nd->op == OP_INPUT)
			v[n] = x[nd->n];
		else if (nd->op == OP_PARAM)
			v[n] = params[nd->n];
		else
			v[n] = slf_op_value(nd->op, nd->fn, nd->n, v[nd->a], nd->b >= 0 ? v[nd->b] : 0);
		*subnormal |= nd->op <= OP_PARAM ? v[n] != 0 && fabs(v[n]) < DBL_MIN :
			underflowed(nd->op, v[n], v[nd->a], nd->b >= 0 ? v[nd->b] : 0);
		switch (nd->op)
		{
			case OP_NEG:
				sc[n] = sc[nd->a];
				break;
			case OP_ADD:
			case OP_SUB:
				sc[n] = sc[nd->a] + sc[nd->b];
				break;
			case OP_MUL:
				sc[n] = sc[nd->a] * sc[nd->b];
				break;
			case OP_DIV:
				sc[n] = sc[nd->a] / fabs(v[nd->b]);
				break;
			default:
				sc[n] = fabs(v[n]);
				break;
		}
	}
	r = v[t->root];
	*scale = sc[t->root];
	free(v);
	return r;
}

/*
 * Whether the compiled program underflows anywhere in predicting at x (as
 * slf_predict evaluates it: the instructions, then each column's product
 * of unknowns times its value).
 */
static bool
program_underflows(const SlFormula *f, const double *params, const double *x)
{
	double		val[SLF_MAX_NODES];
	bool		uf = false;

	for (int k = 0; k < f->n_instr; k++)
	{
		const SlfInstr *in = &f->instr[k];

		if (in->op <= OP_PARAM)
		{
			val[k] = in->op == OP_NUM ? in->num : in->op == OP_INPUT ? x[in->n] :
				params[f->nonlinear[in->n]];
			uf |= val[k] != 0 && fabs(val[k]) < DBL_MIN;
		}
		else
		{
			double		a = val[in->a],
						b = in->b >= 0 ? val[in->b] : 0;

			val[k] = in->op == OP_POWL ? exp(b * a) : slf_op_value(in->op, in->fn, in->n, a, b);
			uf |= underflowed(in->op, val[k], a, b);
		}
	}
	for (int c = 0; c < f->n_columns; c++)
	{
		double		u = 1;

		for (int p = 0; p < f->n_params; p++)
			if (f->column_mask[c] & (1u << p))
			{
				uf |= underflowed(OP_MUL, u * params[p], u, params[p]);
				u *= params[p];
			}
		uf |= underflowed(OP_MUL, u * val[f->column_instr[c]], u, val[f->column_instr[c]]);
	}
	return uf;
}

/*
 * a and b agree to rounding on the scale of mag, or are not comparable:
 * not finite, or where subnormal values (a few significant bits) took part
 */
static bool
close_to(double a, double b, double mag, bool subnormal)
{
	return !isfinite(a) || !isfinite(b) || !isfinite(mag) || subnormal || fabs(a - b) <= 1e-9 * mag;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text;
	size_t		len;
	SlfError	err;
	SlFormula  *f;
	SlfBound   *b;
	int			sel,
				k,
				np,
				q,
				M;
	double		x[M_POINTS * SLF_MAX_INPUTS];
	double		theta[SLF_MAX_NONLINEAR];
	double		coef[SLF_MAX_COLUMNS];
	double		params[SLF_MAX_PARAMS],
				again[SLF_MAX_PARAMS];
	double		G[SLF_MAX_COLUMNS * M_POINTS],
				G2[SLF_MAX_COLUMNS * M_POINTS],
				g0[M_POINTS],
				g02[M_POINTS];
	static double dG[SLF_MAX_NONLINEAR * SLF_MAX_COLUMNS * M_POINTS];
	double		dg0[SLF_MAX_NONLINEAR * M_POINTS];
	bool		ok_d,
				ok_v,
				all_single = true;

	if (size < 1)
		return 0;
	sel = data[0];
	text = (const char *) data + 1;
	len = size - 1;

	f = slf_compile(text, len, AL, &err);
	if (f == NULL)
	{
		FUZZ_CHECK(err.kind > SLF_OK && err.kind <= SLF_ERR_NO_MEMORY && err.kind != SLF_ERR_NO_MEMORY,
				   "kind %d", (int) err.kind);
		FUZZ_CHECK(err.message[0] != '\0' && err.pos >= -1 && err.pos <= (int) len,
				   "message \"%s\" pos %d", err.message, err.pos);
		return 0;
	}
	k = slf_n_inputs(f);
	np = slf_n_params(f);
	q = slf_n_nonlinear(f);
	M = slf_n_columns(f);
	FUZZ_CHECK(k >= 1 && k <= SLF_MAX_INPUTS && np >= 1 && np <= SLF_MAX_PARAMS &&
			   q <= SLF_MAX_NONLINEAR && M <= SLF_MAX_COLUMNS && q + M >= 1,
			   "k %d params %d q %d M %d", k, np, q, M);
	FUZZ_CHECK(M > 0 || q == np, "no column, yet params %d and q %d", np, q);
	for (int j = 0; j < q; j++)
	{
		SlfParamRole role;
		int			p = slf_nonlinear_param(f, j);

		FUZZ_CHECK(p >= 0 && p < np && (j == 0 || p > slf_nonlinear_param(f, j - 1)), "theta %d is %d", j, p);
		FUZZ_CHECK(slf_param_index(f, slf_param_name(f, p)) == p, "name of %d", p);
		slf_param_role(f, j, &role);
		FUZZ_CHECK(role.input >= -1 && role.input < k && (role.role == SLF_ROLE_OTHER) == (role.input < 0),
				   "role %d input %d", (int) role.role, role.input);
		theta[j] = values[(sel / 4 + j) % 16];
	}
	for (int c = 0; c < M; c++)
	{
		int			p = slf_column_param(f, c);

		FUZZ_CHECK(p >= -1 && p < np, "column %d param %d", c, p);
		all_single &= p >= 0;
		coef[c] = values[(sel / 4 + 5 + c) % 16];
	}

	for (int i = 0; i < M_POINTS; i++)
		for (int j = 0; j < k; j++)
			x[i * k + j] = point_sets[sel & 3][i][j];
	b = slf_bind(f, x, M_POINTS, AL, &err);
	if (b == NULL)
	{
		FUZZ_CHECK(err.kind == SLF_ERR_NOT_FINITE &&
				   (strstr(err.message, " is not finite at ") != NULL ||
					(strncmp(err.message, "the base of ", 12) == 0 &&
					 strstr(err.message, " is not positive at ") != NULL)),
				   "bind: kind %d \"%s\"", (int) err.kind, err.message);
		slf_free(f, AL);
		return 0;
	}
	ok_d = slf_columns(b, theta, G, g0, dG, dg0);
	if (ok_d)
	{
		for (int i = 0; i < M * M_POINTS; i++)
			FUZZ_CHECK(isfinite(G[i]), "admissible column value %g", G[i]);
		for (int i = 0; i < q * M * M_POINTS; i++)
			FUZZ_CHECK(isfinite(dG[i]), "admissible partial %g", dG[i]);
	}
	ok_v = slf_columns(b, theta, G2, g02, NULL, NULL);
	FUZZ_CHECK(!ok_d || ok_v, "admissible with partials, not without");
	if (ok_d)
		FUZZ_CHECK(same_bits(G, G2, (size_t) M * M_POINTS) &&
				   (!slf_has_offset(f) || same_bits(g0, g02, M_POINTS)), "values differ with partials");
	if (ok_v)
	{
		bool		ok_again = slf_columns(b, theta, G, g0, NULL, NULL);

		FUZZ_CHECK(ok_again && same_bits(G, G2, (size_t) M * M_POINTS) &&
				   (!slf_has_offset(f) || same_bits(g0, g02, M_POINTS)), "second evaluation differs");
		if (slf_params_from_solution(f, theta, coef, params))
		{
			memcpy(again, params, sizeof(double) * np);
			slf_canonicalize(f, again);
			for (int i = 0; i < M_POINTS; i++)
			{
				double		pred = slf_predict(f, params, x + i * k);
				double		sum = slf_has_offset(f) ? g0[i] : 0;
				double		mag = fabs(sum);
				double		direct_scale;
				bool		subnormal = false;
				double		direct = tree_value(f, params, x + i * k, &direct_scale, &subnormal);
				double		canonical = slf_predict(f, again, x + i * k);
				double		ones[SLF_MAX_INPUTS] = {1, 1, 1, 1, 1, 1, 1, 1};
				double		slope;
				double		with_tangent = slf_predict_tangent(f, params, x + i * k, ones, &slope);
				int			which[SLF_MAX_PARAMS];
				double		jac[SLF_MAX_PARAMS];
				double	   *work = malloc(sizeof(double) * slf_jacobian_work(f, np));
				double		with_jacobian;

				for (int p = 0; p < np; p++)
					which[p] = p;
				with_jacobian = slf_predict_jacobian(f, params, x + i * k, which, np, work, jac);
				free(work);
				FUZZ_CHECK(same_bits(&pred, &with_jacobian, 1) || (isnan(pred) && isnan(with_jacobian)),
						   "predict %.17g, with its Jacobian %.17g", pred, with_jacobian);

				subnormal |= sum != 0 && fabs(sum) < DBL_MIN;
				subnormal |= program_underflows(f, params, x + i * k);
				for (int c = 0; c < M; c++)
				{
					double		term = coef[c] * G[c * M_POINTS + i];

					sum += term;
					mag += fabs(term);
					subnormal |= (term != 0 && fabs(term) < DBL_MIN) ||
						(G[c * M_POINTS + i] != 0 && fabs(G[c * M_POINTS + i]) < DBL_MIN);
				}
				subnormal |= pred != 0 && fabs(pred) < DBL_MIN;
				FUZZ_CHECK(same_bits(&pred, &with_tangent, 1) || (isnan(pred) && isnan(with_tangent)),
						   "predict %.17g, with its tangent %.17g", pred, with_tangent);
				if (all_single)
					FUZZ_CHECK(same_bits(&pred, &sum, 1) || (isnan(pred) && isnan(sum)),
							   "predict %.17g, columns %.17g", pred, sum);
				else
					FUZZ_CHECK(close_to(pred, sum, mag, subnormal), "predict %.17g, columns %.17g", pred, sum);
				FUZZ_CHECK(close_to(pred, direct, fmax(mag, direct_scale), subnormal),
						   "predict %.17g, the law as written %.17g", pred, direct);
				FUZZ_CHECK(close_to(pred, canonical, mag, subnormal), "predict %.17g, canonical form %.17g",
						   pred, canonical);
			}
		}
	}
	/*
	 * The bound formula's output cache: after an evaluation at theta, one
	 * parameter moved recomputes only what depends on it; the result must
	 * be a fresh binding's, bit for bit (and admissible alike).
	 */
	if (q > 0)
	{
		SlfBound   *fresh = slf_bind(f, x, M_POINTS, AL, &err);
		double		moved[SLF_MAX_NONLINEAR];
		int			j = (sel / 16) % q;
		bool		ok_cached,
					ok_fresh;

		FUZZ_CHECK(fresh != NULL, "second binding failed: %s", err.message);
		memcpy(moved, theta, sizeof(double) * q);
		moved[j] = values[(sel / 4 + j + 7) % 16];
		ok_cached = slf_columns(b, moved, G, g0, NULL, NULL);
		ok_fresh = slf_columns(fresh, moved, G2, g02, NULL, NULL);
		FUZZ_CHECK(ok_cached == ok_fresh, "admissible %d cached, %d fresh", ok_cached, ok_fresh);
		if (ok_fresh)
			FUZZ_CHECK(same_bits(G, G2, (size_t) M * M_POINTS) &&
					   (!slf_has_offset(f) || same_bits(g0, g02, M_POINTS)), "cached columns differ");
		slf_bound_free(fresh, AL);
	}
	for (int p = 0; p < np; p++)
		params[p] = values[(sel + 3 * p) % 16];
	slf_canonicalize(f, params);
	memcpy(again, params, sizeof(double) * np);
	slf_canonicalize(f, again);
	FUZZ_CHECK(same_bits(params, again, (size_t) np), "canonical form not idempotent");
	slf_bound_free(b, AL);
	slf_free(f, AL);
	return 0;
}
