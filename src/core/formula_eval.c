/*
 * formula_eval.c -- evaluation of the compiled program: binding to points
 * (input-only values once), columns with forward-mode dual numbers
 * (value and q partials) over blocks of points, and prediction.
 *
 * Every operation is r = f(a, b) with dr = f_a da + f_b db: one routine
 * computes r, f_a and f_b per point and one loop forms the partials, for
 * every tier.  Prediction runs the same routine on single values, so its
 * columns are the bits slf_columns returns.
 */
#include <stdio.h>
#include <string.h>

#include "formula_int.h"

#define BLOCK 64				/* points evaluated together */

struct SlfBound
{
	const SlFormula *f;
	const SlAlloc *al;			/* for the interrupt hook */
	int			m;
	double	   *xv;				/* input-only values: slot * m + i */
	double	   *pval;			/* parameter-only values: slot */
	double	   *pder;			/* their partials: slot * q + j */
	double	   *bv;				/* per-point values of a block: slot * BLOCK + i */
	double	   *bd;				/* their partials: (slot * q + j) * BLOCK + i */

	/*
	 * The outputs (the columns, then the offset) of the last evaluations,
	 * so that one recomputes only those whose parameters changed: a scan
	 * moves one or two parameters at a time, and most columns depend on
	 * few.  NULL when the points are too many to keep a copy.
	 */
	double	   *cache;			/* output o at o * m */
	uint8_t    *dep;			/* per instruction: the theta_j it depends on, a bit each */
	uint8_t    *feeds;			/* output o * n_instr + k: instruction k computes part of o */
	bool		cached[SLF_MAX_COLUMNS + 1];
	double		cache_theta[SLF_MAX_COLUMNS + 1][SLF_MAX_NONLINEAR];
};

/* outputs kept while they take at most this many doubles */
#define CACHE_MAX_DOUBLES ((size_t) 1 << 22)

/* an operand: value of point i at v[i * vs]; partial j at d[j * ds + i * vs] (d NULL: none) */
typedef struct Operand
{
	const double *v;
	int			vs;
	const double *d;
	int			ds;
} Operand;

/* r = f(a, b) and its derivatives f_a, f_b */
static inline double
op_eval(const SlfInstr *in, double a, double b, double *fa, double *fb)
{
	double		r;

	*fb = 0;
	switch ((SlfOp) in->op)
	{
		case OP_NEG:
			*fa = -1;
			return -a;
		case OP_ADD:
			*fa = 1;
			*fb = 1;
			return a + b;
		case OP_SUB:
			*fa = 1;
			*fb = -1;
			return a - b;
		case OP_MUL:
			*fa = b;
			*fb = a;
			return a * b;
		case OP_DIV:
			r = a / b;
			*fa = 1 / b;
			*fb = -r / b;
			return r;
		case OP_POWI:
			*fa = in->n == 0 ? 0 : in->n * slf_powi(a, in->n - 1);
			return slf_powi(a, in->n);
		case OP_POW:
			r = slf_pow(a, b);
			*fa = r * b / a;
			*fb = r * log(a);
			return r;
		case OP_POWL:
			r = exp(b * a);
			*fa = r * b;
			*fb = r * a;
			return r;
		case OP_FN:
			break;
		default:
			*fa = 0;
			return NAN;
	}
	r = slf_fn_value(in->fn, a, b);
	switch ((SlfFn) in->fn)
	{
		case FN_EXP:
			*fa = r;
			break;
		case FN_EXPM1:
			*fa = exp(a);
			break;
		case FN_LN:
			*fa = 1 / a;
			break;
		case FN_LOG1P:
			*fa = 1 / (1 + a);
			break;
		case FN_LOG10:
			*fa = 1 / (a * M_LN10);
			break;
		case FN_LOG2:
			*fa = 1 / (a * M_LN2);
			break;
		case FN_LOG:
			/* log(a, b) = ln b / ln a */
			*fa = -r / (a * log(a));
			*fb = 1 / (b * log(a));
			break;
		case FN_SQRT:
			*fa = 0.5 / r;
			break;
		case FN_ABS:
			*fa = a > 0 ? 1 : (a < 0 ? -1 : 0);
			break;
		case FN_MIN:
			*fa = a <= b ? 1 : 0;
			*fb = 1 - *fa;
			break;
		case FN_MAX:
			*fa = a >= b ? 1 : 0;
			*fb = 1 - *fa;
			break;
		case FN_SIN:
			*fa = cos(a);
			break;
		case FN_COS:
			*fa = -sin(a);
			break;
		case FN_ATAN:
			*fa = 1 / (1 + a * a);
			break;
		case FN_TANH:
			*fa = 1 - r * r;
			break;
		case FN_SIGMOID:
			*fa = r * (1 - r);
			break;
		case FN_SOFTPLUS:
			*fa = slf_sigmoid(a);
			break;
		default:
			*fa = NAN;
			break;
	}
	return r;
}

/*
 * nb values of instruction in alone (no partials): the operation chosen
 * once per block rather than per point, and no derivative computed (a
 * power's would cost a logarithm).  The values are op_eval's, bit for bit.
 */
static void
eval_values(const SlfInstr *in, int nb, const Operand *A, const Operand *B, double *rv)
{
	const double *a = A->v,
			   *b = B ? B->v : NULL;
	int			as = A->vs,
				bs = B ? B->vs : 0;

	/* the operations of the columns' hot loops, then the rest one point at a time */
	switch ((SlfOp) in->op)
	{
		case OP_ADD:
			for (int i = 0; i < nb; i++)
				rv[i] = a[i * as] + b[i * bs];
			return;
		case OP_MUL:
			for (int i = 0; i < nb; i++)
				rv[i] = a[i * as] * b[i * bs];
			return;
		case OP_DIV:
			for (int i = 0; i < nb; i++)
				rv[i] = a[i * as] / b[i * bs];
			return;
		case OP_POWL:
			for (int i = 0; i < nb; i++)
				rv[i] = exp(b[i * bs] * a[i * as]);
			return;
		default:
			for (int i = 0; i < nb; i++)
				rv[i] = slf_op_value(in->op, in->fn, in->n, a[i * as], b ? b[i * bs] : 0);
			return;
	}
}

/* nb points of instruction in: values to rv[i], nd partials to rd[j * rds + i] */
static void
eval_instr(const SlfInstr *in, int nb, int nd, const Operand *A, const Operand *B,
		   double *rv, double *rd, int rds)
{
	double		fa[BLOCK],
				fb[BLOCK];

	if (nd == 0)
	{
		eval_values(in, nb, A, B, rv);
		return;
	}
	for (int i = 0; i < nb; i++)
		rv[i] = op_eval(in, A->v[i * A->vs], B ? B->v[i * B->vs] : 0, &fa[i], &fb[i]);
	for (int j = 0; j < nd; j++)
	{
		double	   *r = rd + j * rds;

		for (int i = 0; i < nb; i++)
			r[i] = 0;
		if (A->d)
			for (int i = 0; i < nb; i++)
				r[i] += fa[i] * A->d[j * A->ds + i * A->vs];
		if (B && B->d)
			for (int i = 0; i < nb; i++)
				r[i] += fb[i] * B->d[j * B->ds + i * B->vs];
	}
}

/* instruction k as an operand for the block of points from i0 */
static Operand
operand(const SlfBound *b, int k, int i0)
{
	const SlfInstr *in = &b->f->instr[k];
	int			q = b->f->q;

	switch ((SlfTier) in->tier)
	{
		case TIER_C:
			return (Operand) {&in->num, 0, NULL, 0};
		case TIER_X:
			return (Operand) {b->xv + (size_t) in->slot * b->m + i0, 1, NULL, 0};
		case TIER_P:
			return (Operand) {b->pval + in->slot, 0, b->pder + in->slot * q, 1};
		case TIER_PX:
			break;
	}
	return (Operand) {b->bv + in->slot * BLOCK, 1, b->bd + in->slot * q * BLOCK, BLOCK};
}

static void *
alloc_doubles(const SlAlloc *al, size_t n)
{
	return al->alloc(al->ctx, (n > 0 ? n : 1) * sizeof(double));
}

void
slf_bound_free(SlfBound *b, const SlAlloc *al)
{
	if (b == NULL)
		return;
	if (b->xv)
		al->free(al->ctx, b->xv);
	if (b->pval)
		al->free(al->ctx, b->pval);
	if (b->pder)
		al->free(al->ctx, b->pder);
	if (b->bv)
		al->free(al->ctx, b->bv);
	if (b->bd)
		al->free(al->ctx, b->bd);
	if (b->cache)
		al->free(al->ctx, b->cache);
	if (b->dep)
		al->free(al->ctx, b->dep);
	if (b->feeds)
		al->free(al->ctx, b->feeds);
	al->free(al->ctx, b);
}

/* "ln(D) is not finite at D = -1": the sub-expression and the inputs it uses */
static void
not_finite_error(const SlFormula *f, int k, const double *x, SlfError *err)
{
	const SlfTree *t = &f->tree;
	char		text[160];
	char		at[96] = "";
	size_t		len = 0;
	bool		uses[SLF_MAX_INPUTS] = {false};
	int			k_in = f->n_inputs;

	/* the inputs under instruction k: operands precede it */
	{
		bool		under[SLF_MAX_NODES] = {false};

		under[k] = true;
		for (int i = k; i >= 0; i--)
		{
			const SlfInstr *in = &f->instr[i];

			if (!under[i])
				continue;
			if (in->op == OP_INPUT)
				uses[in->n] = true;
			if (in->a >= 0)
				under[in->a] = true;
			if (in->b >= 0)
				under[in->b] = true;
		}
	}
	slf_deparse(t, f->instr[k].node, text, sizeof(text));
	for (int j = 0; j < k_in && len < sizeof(at) - 1; j++)
	{
		char		num[40];

		if (!uses[j])
			continue;
		slf_format_double(x[j], num, sizeof(num));
		len += (size_t) snprintf(at + len, sizeof(at) - len, "%s%s = %s", len ? ", " : "",
								 t->input_names[j], num);
	}
	if (f->instr[k].op == OP_FN && f->instr[k].fn == FN_LN && f->instr[k].n == SLF_LN_OF_BASE)
		slf_set_error(err, SLF_ERR_NOT_FINITE, -1,
					  "A power with a parameter in its exponent is exp(exponent * ln(base)).",
					  "the base of %s is not positive at %s", text, at);
	else
		slf_set_error(err, SLF_ERR_NOT_FINITE, -1, NULL, "%s is not finite at %s", text, at);
}

static int
n_outputs(const SlFormula *f)
{
	return f->n_columns + (f->offset_instr >= 0 ? 1 : 0);
}

static int
output_instr(const SlFormula *f, int o)
{
	return o < f->n_columns ? f->column_instr[o] : f->offset_instr;
}

/*
 * The output cache: which parameters each instruction depends on, and
 * which per-point instructions each output needs.  False when out of
 * memory; no cache (and true) when the points are too many.
 */
static bool
cache_init(SlfBound *b)
{
	const SlFormula *f = b->f;
	const SlAlloc *al = b->al;
	int			n = f->n_instr,
				n_out = n_outputs(f);

	if ((size_t) n_out * (size_t) b->m > CACHE_MAX_DOUBLES || n_out == 0)
		return true;
	b->cache = alloc_doubles(al, (size_t) n_out * (size_t) b->m);
	b->dep = al->alloc(al->ctx, (size_t) n);
	b->feeds = al->alloc(al->ctx, (size_t) n_out * (size_t) n);
	if (!b->cache || !b->dep || !b->feeds)
		return false;
	for (int k = 0; k < n; k++)
	{
		const SlfInstr *in = &f->instr[k];

		if (in->op == OP_PARAM)
			b->dep[k] = (uint8_t) (1u << in->n);
		else if (in->tier == TIER_P || in->tier == TIER_PX)
			b->dep[k] = (uint8_t) (b->dep[in->a] | (in->b >= 0 ? b->dep[in->b] : 0));
		else
			b->dep[k] = 0;
	}
	memset(b->feeds, 0, (size_t) n_out * (size_t) n);
	for (int o = 0; o < n_out; o++)
	{
		uint8_t    *fd = b->feeds + (size_t) o * n;

		fd[output_instr(f, o)] = 1;
		/* operands precede their instruction */
		for (int k = n - 1; k >= 0; k--)
		{
			const SlfInstr *in = &f->instr[k];

			if (!fd[k] || in->tier != TIER_PX)
				continue;
			fd[in->a] = 1;
			if (in->b >= 0)
				fd[in->b] = 1;
		}
	}
	return true;
}

SlfBound *
slf_bind(const SlFormula *f, const double *x, int m, const SlAlloc *al, SlfError *err)
{
	SlfBound   *b = al->alloc(al->ctx, sizeof(SlfBound));
	int			k_in = f->n_inputs;
	int			q = f->q;
	int			bad_point = m;
	int			bad_instr = -1;

	if (b == NULL)
		goto no_memory;
	memset(b, 0, sizeof(*b));
	b->f = f;
	b->al = al;
	b->m = m;
	b->xv = alloc_doubles(al, (size_t) f->n_tier[TIER_X] * (size_t) m);
	b->pval = alloc_doubles(al, (size_t) f->n_tier[TIER_P]);
	b->pder = alloc_doubles(al, (size_t) f->n_tier[TIER_P] * q);
	b->bv = alloc_doubles(al, (size_t) f->n_tier[TIER_PX] * BLOCK);
	b->bd = alloc_doubles(al, (size_t) f->n_tier[TIER_PX] * q * BLOCK);
	if (!b->xv || !b->pval || !b->pder || !b->bv || !b->bd)
		goto no_memory;

	for (int k = 0; k < f->n_instr; k++)
	{
		const SlfInstr *in = &f->instr[k];
		double	   *out = b->xv + (size_t) in->slot * m;

		if (in->tier != TIER_X)
			continue;
		if (in->op == OP_INPUT)
			for (int i = 0; i < m; i++)
			{
				sl_check_interrupts_every(al, (uint64_t) i);
				out[i] = x[(size_t) i * k_in + in->n];
			}
		else
			for (int i0 = 0; i0 < m; i0 += BLOCK)
			{
				int			nb = m - i0 < BLOCK ? m - i0 : BLOCK;
				Operand		A = operand(b, in->a, i0);
				Operand		B;

				sl_check_interrupts_every(al, (uint64_t) i0);
				if (in->b >= 0)
					B = operand(b, in->b, i0);
				eval_instr(in, nb, 0, &A, in->b >= 0 ? &B : NULL, out + i0, NULL, 0);
			}
		/* the first point where a value is not finite; the innermost sub-expression there */
		for (int i = 0; i < bad_point; i++)
			if (!isfinite(out[i]))
			{
				bad_point = i;
				bad_instr = k;
				break;
			}
	}
	if (bad_instr >= 0)
	{
		not_finite_error(f, bad_instr, x + (size_t) bad_point * k_in, err);
		slf_bound_free(b, al);
		return NULL;
	}
	if (!cache_init(b))
		goto no_memory;
	return b;

no_memory:
	slf_bound_free(b, al);
	slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory binding a formula to its points");
	return NULL;
}

/* writes output instruction k for the block at i0 into v (and d[j * m], nd partials) */
static void
store_output(const SlfBound *b, int k, int i0, int nb, int nd, double *v, double *d, size_t dstride)
{
	Operand		o = operand(b, k, i0);

	for (int i = 0; i < nb; i++)
		v[i] = o.v[i * o.vs];
	if (d == NULL)
		return;
	for (int j = 0; j < nd; j++)
		for (int i = 0; i < nb; i++)
			d[j * dstride + i] = o.d ? o.d[j * o.ds + i * o.vs] : 0;
}

static bool
all_finite(const double *v, size_t n)
{
	double		acc = 0;

	/* x - x is 0 for every finite x and NaN otherwise */
	for (size_t i = 0; i < n; i++)
		acc += v[i] - v[i];
	return acc == 0;
}

/* does output o need computing at theta (its parameters moved since it was cached)? */
static bool
output_stale(const SlfBound *b, int o, const double *theta)
{
	uint8_t		dep = b->dep[output_instr(b->f, o)];

	if (!b->cached[o])
		return true;
	for (int j = 0; j < b->f->q; j++)
		if (((dep >> j) & 1) && memcmp(&theta[j], &b->cache_theta[o][j], sizeof(double)) != 0)
			return true;
	return false;
}

bool
slf_columns(SlfBound *b, const double *theta, double *G, double *g0, double *dG, double *dg0)
{
	const SlFormula *f = b->f;
	int			m = b->m;
	int			q = f->q;
	int			M = f->n_columns;
	int			n_out = n_outputs(f);
	int			nd = (dG || dg0) ? q : 0;
	bool		stale[SLF_MAX_COLUMNS + 1];
	uint8_t		need[SLF_MAX_NODES];
	bool		ok;

	/* values alone: the outputs whose parameters did not move come from the cache */
	for (int o = 0; o < n_out; o++)
		stale[o] = nd > 0 || b->cache == NULL || output_stale(b, o, theta);
	memset(need, nd > 0 || b->cache == NULL, sizeof(uint8_t) * f->n_instr);
	if (nd == 0 && b->cache != NULL)
		for (int o = 0; o < n_out; o++)
			if (stale[o])
				for (int k = 0; k < f->n_instr; k++)
					need[k] |= b->feeds[(size_t) o * f->n_instr + k];

	for (int k = 0; k < f->n_instr; k++)
	{
		const SlfInstr *in = &f->instr[k];

		if (in->tier != TIER_P)
			continue;
		if (in->op == OP_PARAM)
		{
			b->pval[in->slot] = theta[in->n];
			for (int j = 0; j < q; j++)
				b->pder[in->slot * q + j] = j == in->n ? 1 : 0;
		}
		else
		{
			Operand		A = operand(b, in->a, 0);
			Operand		B;

			if (in->b >= 0)
				B = operand(b, in->b, 0);
			eval_instr(in, 1, q, &A, in->b >= 0 ? &B : NULL, &b->pval[in->slot],
					   &b->pder[in->slot * q], 1);
		}
	}
	for (int i0 = 0; i0 < m; i0 += BLOCK)
	{
		int			nb = m - i0 < BLOCK ? m - i0 : BLOCK;

		sl_check_interrupts_every(b->al, (uint64_t) i0);
		for (int k = 0; k < f->n_instr; k++)
		{
			const SlfInstr *in = &f->instr[k];
			Operand		A,
						B;

			if (in->tier != TIER_PX || !need[k])
				continue;
			A = operand(b, in->a, i0);
			if (in->b >= 0)
				B = operand(b, in->b, i0);
			eval_instr(in, nb, nd, &A, in->b >= 0 ? &B : NULL, b->bv + in->slot * BLOCK,
					   b->bd + in->slot * q * BLOCK, BLOCK);
		}
		for (int c = 0; c < M; c++)
			if (stale[c])
				store_output(b, f->column_instr[c], i0, nb, nd, G + (size_t) c * m + i0,
							 dG ? dG + (size_t) c * m + i0 : NULL, (size_t) M * m);
		if (f->offset_instr >= 0 && stale[M])
			store_output(b, f->offset_instr, i0, nb, nd, g0 + i0, dg0 ? dg0 + i0 : NULL, (size_t) m);
	}
	/* the cache in and out: its copies are the values computed, bit for bit */
	for (int o = 0; o < n_out && b->cache != NULL; o++)
	{
		double	   *out = o < M ? G + (size_t) o * m : g0;
		double	   *kept = b->cache + (size_t) o * m;

		if (stale[o])
		{
			memcpy(kept, out, sizeof(double) * m);
			if (q > 0)			/* theta may be NULL without parameters */
				memcpy(b->cache_theta[o], theta, sizeof(double) * q);
			b->cached[o] = true;
		}
		else
			memcpy(out, kept, sizeof(double) * m);
	}
	ok = all_finite(G, (size_t) M * m) && !(dG && !all_finite(dG, (size_t) nd * M * m));
	if (ok && f->offset_instr >= 0 &&
		(!all_finite(g0, (size_t) m) || (dg0 && !all_finite(dg0, (size_t) nd * m))))
		ok = false;
	return ok;
}

/*
 * The law at x, and in dy[0..nw) its derivatives in forward mode: along dx
 * (a direction in the inputs; nw = 1), or by the parameters which[0..nw).
 * der holds n_instr * nw tangents.  Inlined into each caller with nw and
 * the seeds constant, so slf_predict carries no tangent work at all.
 */
static inline __attribute__((always_inline)) double
predict_at(const SlFormula *f, const double *params, const double *x, const double *dx,
		   const int *which, int nw, double *der, double *dy)
{
	double		val[SLF_MAX_NODES];
	double		sum = 0;

	for (int k = 0; k < f->n_instr; k++)
	{
		const SlfInstr *in = &f->instr[k];
		double	   *d = nw > 0 ? der + (size_t) k * nw : NULL;	/* der is NULL without tangents */
		double		fa,
					fb;

		for (int j = 0; j < nw; j++)
			d[j] = 0;
		switch ((SlfOp) in->op)
		{
			case OP_NUM:
				val[k] = in->num;
				break;
			case OP_INPUT:
				val[k] = x[in->n];
				if (dx)
					d[0] = dx[in->n];
				break;
			case OP_PARAM:
				val[k] = params[f->nonlinear[in->n]];
				if (which)
					for (int j = 0; j < nw; j++)
						d[j] = which[j] == f->nonlinear[in->n] ? 1.0 : 0.0;
				break;
			default:
				val[k] = op_eval(in, val[in->a], in->b >= 0 ? val[in->b] : 0, &fa, &fb);
				/* an operand that does not move contributes nothing (0 * inf is not 0) */
				for (int j = 0; j < nw; j++)
				{
					const double *da = der + (size_t) in->a * nw;

					if (da[j] != 0)
						d[j] += fa * da[j];
					if (in->b >= 0 && der[(size_t) in->b * nw + j] != 0)
						d[j] += fb * der[(size_t) in->b * nw + j];
				}
				break;
		}
	}
	for (int j = 0; j < nw; j++)
		dy[j] = f->offset_instr >= 0 ? der[(size_t) f->offset_instr * nw + j] : 0;
	if (f->offset_instr >= 0)
		sum = val[f->offset_instr];
	for (int c = 0; c < f->n_columns; c++)
	{
		const double *dc = nw > 0 ? der + (size_t) f->column_instr[c] * nw : NULL;
		double		g = val[f->column_instr[c]],
					u = 1;

		for (int p = 0; p < f->n_params; p++)
			if (f->column_mask[c] & (1u << p))
				u *= params[p];
		sum += u * g;
		for (int j = 0; j < nw; j++)
		{
			double		du = 0;

			/* d u / d parameter which[j]: the product of the column's other unknowns */
			if (which && (f->column_mask[c] & (1u << which[j])))
			{
				du = 1;
				for (int p = 0; p < f->n_params; p++)
					if (p != which[j] && (f->column_mask[c] & (1u << p)))
						du *= params[p];
			}
			dy[j] += u * dc[j] + (du != 0 ? du * g : 0);
		}
	}
	return sum;
}

size_t
slf_jacobian_work(const SlFormula *f, int nw)
{
	return (size_t) f->n_instr * (size_t) nw;
}

double
slf_predict_jacobian(const SlFormula *f, const double *params, const double *x,
					 const int *which, int nw, double *work, double *jac)
{
	return predict_at(f, params, x, NULL, which, nw, work, jac);
}

double
slf_predict_tangent(const SlFormula *f, const double *params, const double *x,
					const double *dx, double *dy)
{
	double		der[SLF_MAX_NODES];

	return predict_at(f, params, x, dx, NULL, 1, der, dy);
}

double
slf_predict(const SlFormula *f, const double *params, const double *x)
{
	return predict_at(f, params, x, NULL, NULL, 0, NULL, NULL);
}
