/*
 * formula_linear.c -- the linearity pass: the law as
 * sum_c u_c * g_c(theta, x) + g_0(theta, x).
 *
 * A parameter is a candidate for linearity when no occurrence is inside a
 * function, a power or a divisor.  The tree is then expanded into additive
 * terms coef * (product of candidates) * rest, distributing products over
 * sums only where a candidate is inside (so a term never grows needlessly);
 * terms with the same set of candidates share a column, whose unknown is
 * the product of that set.  A candidate that multiplies itself, or a set of
 * columns whose products cannot be divided back into the parameters
 * (a*x + a*b*x^2 + b*x^3 has three products of two parameters), loses its
 * candidacy and the expansion starts again; parameters that only ever
 * occur as one product (A*B*N^-alpha) are an error, as are two columns
 * with identical terms (a*x + b*x).
 *
 * Everything runs over node indices in increasing order (children first),
 * without recursion.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formula_int.h"

#define MAX_TERMS_PER_NODE 1024
#define MAX_TERMS_TOTAL 65536

typedef struct Term
{
	double		coef;
	uint32_t	mask;			/* candidate parameters multiplying the term */
	int			rest;			/* node of the remaining factors, -1 for 1 */
} Term;

typedef struct Expansion
{
	SlfTree    *t;
	SlfError  *err;
	int			n0;				/* nodes of the parsed tree */
	uint32_t	cand;
	bool	   *has_cand;
	int		   *start;			/* per node: its terms in pool */
	int		   *count;
	Term	   *pool;
	int			n_pool;
	int			cap_pool;
	uint32_t	demote;			/* set when a candidate must be dropped */
} Expansion;

static bool
no_memory(SlfError *err)
{
	slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
	return false;
}

static bool
push_term(Expansion *E, Term term)
{
	if (E->n_pool == E->cap_pool)
	{
		int			cap = E->cap_pool ? 2 * E->cap_pool : 256;
		Term	   *grown;

		if (cap > MAX_TERMS_TOTAL)
		{
			slf_set_error(E->err, SLF_ERR_LIMIT, -1, NULL,
						  "law expands to more than %d additive terms", MAX_TERMS_PER_NODE);
			return false;
		}
		grown = E->t->al->realloc(E->t->al->ctx, E->pool, (size_t) E->cap_pool * sizeof(Term),
								  (size_t) cap * sizeof(Term));
		if (grown == NULL)
			return no_memory(E->err);
		E->pool = grown;
		E->cap_pool = cap;
	}
	E->pool[E->n_pool++] = term;
	return true;
}

/* the node of coef * rest */
static int
term_node(Expansion *E, const Term *term)
{
	SlfTree    *t = E->t;
	int			c;

	if (term->rest < 0)
		return slf_node(t, OP_NUM, 0, -1, -1, 0, term->coef, E->err);
	if (term->coef == 1)
		return term->rest;
	if (term->coef == -1)
		return slf_node(t, OP_NEG, 0, term->rest, -1, 0, 0, E->err);
	c = slf_node(t, OP_NUM, 0, -1, -1, 0, term->coef, E->err);
	return c < 0 ? -1 : slf_node(t, OP_MUL, 0, c, term->rest, 0, 0, E->err);
}

/*
 * Whether a * b, both finite, is their product to rounding: not an overflow,
 * and not an underflow to a subnormal or zero from non-zero factors.
 */
static bool
fold_is_safe(double a, double b, double product)
{
	if (a == 0 || b == 0)
		return true;
	return isfinite(product) && fabs(product) >= DBL_MIN;
}

/* sum (node) + term, with a subtraction for a term of coefficient -1 */
static int
add_term(Expansion *E, int sum, const Term *term)
{
	int			tn;

	if (sum >= 0 && term->coef == -1 && term->rest >= 0)
		return slf_node(E->t, OP_SUB, 0, sum, term->rest, 0, 0, E->err);
	tn = term_node(E, term);
	if (tn < 0 || sum < 0)
		return tn;
	return slf_node(E->t, OP_ADD, 0, sum, tn, 0, 0, E->err);
}

/* the terms of node n: its own list, or n itself as one term */
static Term
leaf_term(Expansion *E, int n)
{
	const SlfNode *nd = &E->t->nodes[n];

	if (nd->op == OP_NUM)
		return (Term) {nd->num, 0, -1};
	return (Term) {1.0, 0, n};
}

/*
 * Appends to the pool the terms of operand n (times sign), folding every
 * term free of candidates into *free_sum (a node, -1 while empty), whose
 * place in the list is that of the first such term (*free_at).
 */
static bool
append_operand(Expansion *E, int n, double sign, int *free_sum, int *free_at)
{
	int			cnt = E->has_cand[n] ? E->count[n] : 1;

	for (int i = 0; i < cnt; i++)
	{
		Term		term = E->has_cand[n] ? E->pool[E->start[n] + i] : leaf_term(E, n);

		term.coef *= sign;
		if (term.mask == 0)
		{
			if (*free_at < 0)
			{
				*free_at = E->n_pool;
				if (!push_term(E, term))
					return false;
			}
			if ((*free_sum = add_term(E, *free_sum, &term)) < 0)
				return false;
		}
		else if (!push_term(E, term))
			return false;
	}
	return true;
}

static bool
finish_list(Expansion *E, int n, int first, int free_sum, int free_at)
{
	if (free_at >= 0)
		E->pool[free_at] = leaf_term(E, free_sum);
	E->start[n] = first;
	E->count[n] = E->n_pool - first;
	if (E->count[n] > MAX_TERMS_PER_NODE)
	{
		slf_set_error(E->err, SLF_ERR_LIMIT, -1, NULL,
					  "law expands to more than %d additive terms", MAX_TERMS_PER_NODE);
		return false;
	}
	return true;
}

/* the term list of node n, whose children's lists are done */
static bool
expand_node(Expansion *E, int n)
{
	const SlfNode nd = E->t->nodes[n];
	int			first = E->n_pool;
	int			free_sum = -1;
	int			free_at = -1;

	switch ((SlfOp) nd.op)
	{
		case OP_PARAM:
			if (!push_term(E, (Term) {1.0, 1u << nd.n, -1}))
				return false;
			break;
		case OP_NEG:
			if (!append_operand(E, nd.a, -1.0, &free_sum, &free_at))
				return false;
			break;
		case OP_ADD:
		case OP_SUB:
			if (!append_operand(E, nd.a, 1.0, &free_sum, &free_at) ||
				!append_operand(E, nd.b, nd.op == OP_ADD ? 1.0 : -1.0, &free_sum, &free_at))
				return false;
			break;
		case OP_MUL:
			{
				int			na = E->has_cand[nd.a] ? E->count[nd.a] : 1;
				int			nb = E->has_cand[nd.b] ? E->count[nd.b] : 1;

				if ((long) na * nb > MAX_TERMS_PER_NODE)
				{
					slf_set_error(E->err, SLF_ERR_LIMIT, -1, NULL,
								  "law expands to more than %d additive terms", MAX_TERMS_PER_NODE);
					return false;
				}
				for (int i = 0; i < na; i++)
					for (int j = 0; j < nb; j++)
					{
						Term		ta = E->has_cand[nd.a] ? E->pool[E->start[nd.a] + i] : leaf_term(E, nd.a);
						Term		tb = E->has_cand[nd.b] ? E->pool[E->start[nd.b] + j] : leaf_term(E, nd.b);
						Term		r = {ta.coef * tb.coef, ta.mask | tb.mask, -1};

						/* a candidate times itself is not linear */
						E->demote |= ta.mask & tb.mask;
						/*
						 * Constants whose product would underflow or
						 * overflow (1e-160 * 1e-306) stay apart, tb's
						 * among the factors: folded, the term would be 0
						 * or infinite where the law as written is not.
						 */
						if (!fold_is_safe(ta.coef, tb.coef, r.coef))
						{
							r.coef = ta.coef;
							if ((tb.rest = term_node(E, &tb)) < 0)
								return false;
						}
						if (ta.rest < 0)
							r.rest = tb.rest;
						else if (tb.rest < 0)
							r.rest = ta.rest;
						else if ((r.rest = slf_node(E->t, OP_MUL, 0, ta.rest, tb.rest, 0, 0, E->err)) < 0)
							return false;
						if (!push_term(E, r))
							return false;
					}
				break;
			}
		case OP_DIV:
			/* candidates are never in a divisor */
			for (int i = 0; i < E->count[nd.a]; i++)
			{
				Term		term = E->pool[E->start[nd.a] + i];
				int			num = term.rest;

				if (num < 0 && (num = slf_node(E->t, OP_NUM, 0, -1, -1, 0, 1.0, E->err)) < 0)
					return false;
				if ((term.rest = slf_node(E->t, OP_DIV, 0, num, nd.b, 0, 0, E->err)) < 0 ||
					!push_term(E, term))
					return false;
			}
			break;
		default:
			/* candidates never occur inside functions or powers */
			break;
	}
	return finish_list(E, n, first, free_sum, free_at);
}

/*
 * Marks the nodes reachable from the root, and the parameters with an
 * occurrence inside a function, a power or a divisor (parents have larger
 * indices than their children, so one downward sweep propagates both).
 */
static uint32_t
opaque_params(const SlfTree *t, int n0, bool *reach, bool *inside)
{
	uint32_t	mask = 0;

	memset(reach, 0, (size_t) n0);
	memset(inside, 0, (size_t) n0);
	reach[t->root] = true;
	for (int n = n0 - 1; n >= 0; n--)
	{
		const SlfNode *nd = &t->nodes[n];
		bool		opaque_op = nd->op == OP_POWI || nd->op == OP_POW || nd->op == OP_FN;

		if (!reach[n])
			continue;
		if (nd->op == OP_PARAM && inside[n])
			mask |= 1u << nd->n;
		if (nd->op == OP_NUM || nd->op == OP_INPUT || nd->op == OP_PARAM)
			continue;
		reach[nd->a] = true;
		inside[nd->a] |= inside[n] || opaque_op;
		if (nd->b >= 0)
		{
			reach[nd->b] = true;
			inside[nd->b] |= inside[n] || opaque_op || nd->op == OP_DIV;
		}
	}
	return mask;
}

static int
lowest_param(uint32_t mask)
{
	for (int p = 0; p < SLF_MAX_PARAMS; p++)
		if (mask & (1u << p))
			return p;
	return -1;
}

static int
highest_param(uint32_t mask)
{
	for (int p = SLF_MAX_PARAMS - 1; p >= 0; p--)
		if (mask & (1u << p))
			return p;
	return -1;
}

static int
popcount(uint32_t mask)
{
	int			c = 0;

	for (; mask; mask &= mask - 1)
		c++;
	return c;
}

typedef enum Outcome
{
	DONE, RETRY, FAILED
} Outcome;

/*
 * Groups the root's terms into columns and solves the chains; RETRY with
 * E->demote set when a candidate has to become nonlinear.
 */
static Outcome
group_columns(SlFormula *f, Expansion *E, const Term *terms, int n_terms)
{
	SlfTree    *t = E->t;
	int			shape[SLF_MAX_COLUMNS];	/* what identical columns share */
	uint32_t	known = 0;
	uint32_t	multi = 0;
	bool		progress = true;

	f->n_columns = 0;
	f->offset_node = -1;
	for (int i = 0; i < n_terms; i++)
	{
		const Term *term = &terms[i];
		int			c;

		if (term->mask == 0)
		{
			if ((f->offset_node = add_term(E, f->offset_node, term)) < 0)
				return FAILED;
			continue;
		}
		for (c = 0; c < f->n_columns; c++)
			if (f->column_mask[c] == term->mask)
				break;
		if (c == f->n_columns)
		{
			if (c == SLF_MAX_COLUMNS)
			{
				slf_set_error(E->err, SLF_ERR_LIMIT, -1, NULL,
							  "law has more than %d linear terms", SLF_MAX_COLUMNS);
				return FAILED;
			}
			f->column_mask[c] = term->mask;
			f->column_node[c] = -1;
			shape[c] = term->rest;
			f->n_columns++;
		}
		else
			shape[c] = -2;		/* several terms: compared by their sum below */
		if ((f->column_node[c] = add_term(E, f->column_node[c], term)) < 0)
			return FAILED;
	}
	for (int c = 0; c < f->n_columns; c++)
	{
		if (shape[c] == -2)
			shape[c] = f->column_node[c];
		if (popcount(f->column_mask[c]) > 1)
			multi |= f->column_mask[c];
	}

	/* each parameter from a column where it is the only unknown one */
	f->n_linear = 0;
	while (progress)
	{
		progress = false;
		for (int c = 0; c < f->n_columns; c++)
		{
			uint32_t	unknown = f->column_mask[c] & ~known;

			if (unknown && popcount(unknown) == 1)
			{
				f->solve_param[f->n_linear] = lowest_param(unknown);
				f->solve_col[f->n_linear++] = c;
				known |= unknown;
				progress = true;
			}
		}
	}
	if (known != E->cand || f->n_linear != f->n_columns)
	{
		if (f->n_columns < popcount(E->cand))
		{
			for (int c = 0; c < f->n_columns; c++)
			{
				uint32_t	unknown = f->column_mask[c] & ~known;

				if (popcount(unknown) >= 2)
				{
					int			p1 = lowest_param(unknown);
					int			p2 = lowest_param(unknown & ~(1u << p1));

					slf_set_error(E->err, SLF_ERR_LAW, t->param_pos[p2],
								  "Write one parameter for the product.",
								  "parameters \"%s\" and \"%s\" are only identifiable as their product",
								  t->param_names[p1], t->param_names[p2]);
					return FAILED;
				}
			}
		}
		/* only columns of several parameters can leave one unsolved */
		E->demote = multi ? 1u << highest_param(multi) : 0;
		if (E->demote == 0)
		{
			slf_set_error(E->err, SLF_ERR_LAW, -1, NULL, "linear parameters of the law cannot be solved");
			return FAILED;
		}
		return RETRY;
	}
	for (int c = 0; c < f->n_columns; c++)
		for (int d = 0; d < c; d++)
			if (shape[c] == shape[d])
			{
				int			p1 = lowest_param(f->column_mask[d]);
				int			p2 = lowest_param(f->column_mask[c]);

				slf_set_error(E->err, SLF_ERR_LAW, t->param_pos[p2],
							  "Merge them into one parameter: no data can tell them apart.",
							  "parameters \"%s\" and \"%s\" multiply identical terms",
							  t->param_names[p1], t->param_names[p2]);
				return FAILED;
			}
	return DONE;
}

/* one expansion with the current candidates */
static Outcome
expand(SlFormula *f, Expansion *E, const bool *reach)
{
	SlfTree    *t = E->t;
	int			root = t->root;

	E->n_pool = 0;
	E->demote = 0;
	for (int n = 0; n < E->n0; n++)
	{
		const SlfNode *nd = &t->nodes[n];

		if (nd->op == OP_PARAM)
			E->has_cand[n] = (E->cand >> nd->n) & 1;
		else if (nd->op == OP_NUM || nd->op == OP_INPUT)
			E->has_cand[n] = false;
		else
			E->has_cand[n] = E->has_cand[nd->a] || (nd->b >= 0 && E->has_cand[nd->b]);
	}
	for (int n = 0; n < E->n0; n++)
		if (reach[n] && E->has_cand[n] && !expand_node(E, n))
			return FAILED;
	if (E->demote)
		return RETRY;
	if (E->has_cand[root])
		return group_columns(f, E, E->pool + E->start[root], E->count[root]);
	else
	{
		Term		only = leaf_term(E, root);

		return group_columns(f, E, &only, 1);
	}
}

bool
slf_linearize(SlFormula *f, SlfError *err)
{
	SlfTree    *t = &f->tree;
	const SlAlloc *al = t->al;
	int			n0 = t->n_nodes;
	Expansion	E = {t, err, n0, 0, NULL, NULL, NULL, NULL, 0, 0, 0};
	bool	   *reach = al->alloc(al->ctx, (size_t) n0 * 3);
	Outcome		outcome = FAILED;

	if (t->n_params == 0)
	{
		slf_set_error(err, SLF_ERR_LAW, -1,
					  "Every identifier not named in the header is a parameter to fit.",
					  "formula has no parameter");
		if (reach)
			al->free(al->ctx, reach);
		return false;
	}
	E.start = al->alloc(al->ctx, (size_t) n0 * sizeof(int));
	E.count = al->alloc(al->ctx, (size_t) n0 * sizeof(int));
	if (reach == NULL || E.start == NULL || E.count == NULL)
		no_memory(err);
	else
	{
		bool	   *inside = reach + n0;

		E.has_cand = reach + 2 * n0;
		E.cand = ((t->n_params == 32) ? ~0u : ((1u << t->n_params) - 1)) &
			~opaque_params(t, n0, reach, inside);
		/* each retry drops at least one candidate */
		for (int attempt = 0; attempt <= SLF_MAX_PARAMS; attempt++)
		{
			outcome = expand(f, &E, reach);
			if (outcome != RETRY)
				break;
			E.cand &= ~E.demote;
		}
	}
	if (reach)
		al->free(al->ctx, reach);
	if (E.start)
		al->free(al->ctx, E.start);
	if (E.count)
		al->free(al->ctx, E.count);
	if (E.pool)
		al->free(al->ctx, E.pool);
	if (outcome != DONE)
		return false;

	f->q = 0;
	for (int p = 0; p < t->n_params; p++)
	{
		f->theta_of[p] = -1;
		if (E.cand & (1u << p))
			continue;
		if (f->q == SLF_MAX_NONLINEAR)
		{
			slf_set_error(err, SLF_ERR_LIMIT, t->param_pos[p],
						  "Parameters that are not plain factors of additive terms are searched globally.",
						  "law has more than %d nonlinear parameters", SLF_MAX_NONLINEAR);
			return false;
		}
		f->theta_of[p] = f->q;
		f->nonlinear[f->q++] = p;
	}
	return true;
}
