/*
 * formula_roles.c -- what the search and the report need to know about
 * the parameters: the role each nonlinear parameter plays next to the data
 * (so the search can centre and scale it), and the canonical form of
 * symmetric optima (sign-free parameters, interchangeable terms).
 */
#include <stdlib.h>
#include <string.h>

#include "formula_int.h"

#define MAX_TOP_TERMS 64
#define MAX_COMPARE 4096		/* node pairs compared when matching two terms */

/* per node: the inputs and the parameters below it */
typedef struct Masks
{
	uint32_t   *params;
	uint8_t    *inputs;
	bool	   *reach;
} Masks;

/*
 * The leaf of kind leaf_op (a parameter or an input) that node n is, up to
 * a constant factor or a sign, and with even_ok also an even power or abs,
 * as its number; else -1.
 */
static int
scaled_leaf(const SlfTree *t, int n, SlfOp leaf_op, bool even_ok)
{
	for (;;)
	{
		const SlfNode *nd = &t->nodes[n];

		if (nd->op == leaf_op)
			return nd->n;
		if (nd->op == OP_NEG ||
			(even_ok && (nd->op == OP_POWI || (nd->op == OP_FN && nd->fn == FN_ABS))))
			n = nd->a;
		else if ((nd->op == OP_MUL || nd->op == OP_DIV) && t->nodes[nd->b].op == OP_NUM)
			n = nd->a;
		else if (nd->op == OP_MUL && t->nodes[nd->a].op == OP_NUM)
			n = nd->b;
		else
			return -1;
	}
}

/*
 * The parameter p when node n is p up to a constant factor, a sign, an
 * even power or abs (the forms a parameter takes inside a rate or an
 * exponent: -k, 2*k, s^2), else -1.
 */
static int
scaled_param(const SlfTree *t, int n)
{
	return scaled_leaf(t, n, OP_PARAM, true);
}

/* the input i when node n is x_i up to a constant factor or a sign (2*pi*t), else -1 */
static int
scaled_input(const SlfTree *t, int n)
{
	return scaled_leaf(t, n, OP_INPUT, false);
}

/*
 * Whether node n (reached, an operation, not p itself up to a factor)
 * has p up to a factor as an operand: *in_a, *in_b say which.
 */
static bool
uses_param(const SlfTree *t, const Masks *M, int n, int p, bool *in_a, bool *in_b)
{
	const SlfNode *nd = &t->nodes[n];

	if (!M->reach[n] || nd->op == OP_NUM || nd->op == OP_INPUT || nd->op == OP_PARAM ||
		scaled_param(t, n) == p)
		return false;
	*in_a = scaled_param(t, nd->a) == p;
	*in_b = nd->b >= 0 && scaled_param(t, nd->b) == p;
	return *in_a || *in_b;
}

/*
 * Whether every use of parameter p divides an input up to a constant
 * factor (t / P, 2*pi*t / P): a period or a scale of that input.
 */
static bool
divides_input(const SlfTree *t, const Masks *M, int p)
{
	bool		used = false;

	for (int n = 0; n < t->n_nodes; n++)
	{
		const SlfNode *nd = &t->nodes[n];
		bool		in_a,
					in_b;

		if (!uses_param(t, M, n, p, &in_a, &in_b))
			continue;
		if (nd->op != OP_DIV || in_a || scaled_input(t, nd->a) < 0)
			return false;
		used = true;
	}
	return used;
}

/*
 * The role of parameter p next to the data: every node that uses p (up to
 * a constant factor, a sign, an even power or abs) as an operand beside an
 * input must agree on it; an operand that is an expression rather than an
 * input, or two uses that disagree, make it OTHER.  An input's range says
 * nothing about an expression's ((D/U - 1)/R, (U + U R ...)^b): a role
 * from it would centre and scale the search wrongly, while OTHER searches
 * the parameter on its own scale around 0.
 */
static void
find_role(const SlfTree *t, const Masks *M, int p, SlfParamRole *role)
{
	bool		found = false;

	role->role = SLF_ROLE_OTHER;
	role->input = -1;
	role->inverse = false;
	for (int n = 0; n < t->n_nodes; n++)
	{
		const SlfNode *nd = &t->nodes[n];
		SlfParamRole r = {SLF_ROLE_OTHER, -1, false, false, false};
		bool		in_a,
					in_b;
		int			other;

		if (!uses_param(t, M, n, p, &in_a, &in_b))
			continue;
		other = in_a ? nd->b : nd->a;
		if (other >= 0 && t->nodes[other].op == OP_INPUT)
		{
			r.input = t->nodes[other].n;
			if (nd->op == OP_POW && in_b)
				r.role = SLF_ROLE_EXPONENT;
			else if (nd->op == OP_MUL)
				r.role = SLF_ROLE_RATE;
			else if (nd->op == OP_DIV)
			{
				/* x / s and s / x: s on the scale of x */
				r.role = SLF_ROLE_RATE;
				r.inverse = true;
			}
			else if (nd->op == OP_ADD || nd->op == OP_SUB)
				r.role = SLF_ROLE_LOCATION;
		}

		else if (other >= 0 && nd->op == OP_MUL && t->nodes[other].op == OP_FN &&
				 t->nodes[other].fn == FN_LN && t->nodes[t->nodes[other].a].op == OP_INPUT)
		{
			/* exp(a*ln(N)) */
			r.role = SLF_ROLE_EXPONENT;
			r.input = t->nodes[t->nodes[other].a].n;
		}
		if (r.role == SLF_ROLE_OTHER)
			r.input = -1;
		if (!found)
		{
			role->role = r.role;
			role->input = r.input;
			role->inverse = r.inverse;
			found = true;
		}
		else if (r.role != role->role || r.input != role->input || r.inverse != role->inverse)
		{
			role->role = SLF_ROLE_OTHER;
			role->input = -1;
			role->inverse = false;
			return;
		}
	}
}

/* parameters whose every occurrence is under an even integer power or abs */
static uint32_t
sign_free_params(const SlfTree *t, const Masks *M)
{
	uint32_t	seen = 0;
	uint32_t	signed_use = 0;

	if (t->nodes[t->root].op == OP_PARAM)
		signed_use |= 1u << t->nodes[t->root].n;
	for (int n = 0; n < t->n_nodes; n++)
	{
		const SlfNode *nd = &t->nodes[n];
		bool		even = (nd->op == OP_POWI && nd->n % 2 == 0) || (nd->op == OP_FN && nd->fn == FN_ABS);

		if (!M->reach[n] || nd->op == OP_NUM || nd->op == OP_INPUT || nd->op == OP_PARAM)
			continue;
		for (int side = 0; side < 2; side++)
		{
			int			c = side ? nd->b : nd->a;

			if (c < 0 || t->nodes[c].op != OP_PARAM)
				continue;
			seen |= 1u << t->nodes[c].n;
			if (!(even && side == 0))
				signed_use |= 1u << t->nodes[c].n;
		}
	}
	return seen & ~signed_use;
}

/* the parameters of mask in increasing order; returns their count */
static int
param_list(uint32_t mask, int *list)
{
	int			n = 0;

	for (int p = 0; p < SLF_MAX_PARAMS; p++)
		if (mask & (1u << p))
			list[n++] = p;
	return n;
}

static int
list_pos(const int *list, int n, int p)
{
	for (int i = 0; i < n; i++)
		if (list[i] == p)
			return i;
	return -1;
}

/*
 * Whether terms x and y are the same expression when parameter lx[i] of x
 * is read as ly[i] of y (sub-expressions free of parameters are one node
 * when equal, thanks to hash-consing).
 */
static bool
isomorphic(const SlfTree *t, const Masks *M, int x, int y, const int *lx, const int *ly, int np)
{
	int			stack[2 * MAX_COMPARE];
	int			top = 0;
	int			visits = 0;

	stack[top++] = x;
	stack[top++] = y;
	while (top > 0)
	{
		int			b = stack[--top];
		int			a = stack[--top];
		const SlfNode *na = &t->nodes[a];
		const SlfNode *nb = &t->nodes[b];

		if (++visits > MAX_COMPARE)
			return false;
		if (M->params[a] == 0 || M->params[b] == 0)
		{
			if (a != b)
				return false;
			continue;
		}
		if (na->op != nb->op || na->fn != nb->fn || (na->op != OP_PARAM && na->n != nb->n) ||
			(na->b < 0) != (nb->b < 0))
			return false;
		if (na->op == OP_PARAM)
		{
			int			i = list_pos(lx, np, na->n);

			if (i < 0 || ly[i] != nb->n)
				return false;
			continue;
		}
		if (top + 4 > 2 * MAX_COMPARE)
			return false;
		stack[top++] = na->a;
		stack[top++] = nb->a;
		if (na->b >= 0)
		{
			stack[top++] = na->b;
			stack[top++] = nb->b;
		}
	}
	return true;
}

/* the top-level additive terms of the root with their signs */
static int
top_terms(const SlfTree *t, int *term, int *sign)
{
	int			stack[MAX_TOP_TERMS];
	int			stack_sign[MAX_TOP_TERMS];
	int			top = 0;
	int			n = 0;

	stack[top] = t->root;
	stack_sign[top++] = 1;
	while (top > 0)
	{
		int			k = stack[--top];
		int			s = stack_sign[top];
		const SlfNode *nd = &t->nodes[k];

		if ((nd->op == OP_ADD || nd->op == OP_SUB) && top + 2 <= MAX_TOP_TERMS)
		{
			/* b first so that a, the earlier term, is taken first */
			stack[top] = nd->b;
			stack_sign[top++] = nd->op == OP_ADD ? s : -s;
			stack[top] = nd->a;
			stack_sign[top++] = s;
		}
		else if (nd->op == OP_NEG && top + 1 <= MAX_TOP_TERMS)
		{
			stack[top] = nd->a;
			stack_sign[top++] = -s;
		}
		else if (n < MAX_TOP_TERMS)
		{
			term[n] = k;
			sign[n++] = s;
		}
	}
	return n;
}

/* appends an int to the class table */
static bool
push_class(SlFormula *f, int v, int *cap)
{
	const SlAlloc *al = f->tree.al;

	if (f->class_len == *cap)
	{
		int			grown_cap = *cap ? 2 * *cap : 64;
		int		   *grown = al->realloc(al->ctx, f->class_terms, (size_t) *cap * sizeof(int),
										(size_t) grown_cap * sizeof(int));

		if (grown == NULL)
			return false;
		f->class_terms = grown;
		*cap = grown_cap;
	}
	f->class_terms[f->class_len++] = v;
	return true;
}

/*
 * Classes of interchangeable units.  A unit is a group of top-level terms
 * joined by the parameters they share (b5 cos(2 pi t / b4) + b6 sin(2 pi t
 * / b4) is one unit: a period with its two amplitudes), so that each
 * parameter belongs to one unit.  Units are interchangeable when they have
 * as many terms, with the same signs, isomorphic term by term under one
 * renaming of their parameters, which include a nonlinear one (the sort
 * key: the first).  Stored as n_units, n_per, key position, then the
 * parameters of each unit.
 */
static bool
find_classes(SlFormula *f, const Masks *M)
{
	const SlfTree *t = &f->tree;
	int			term[MAX_TOP_TERMS],
				sign[MAX_TOP_TERMS];
	int			n = top_terms(t, term, sign);
	uint32_t	unit_params[MAX_TOP_TERMS];
	int			unit_terms[MAX_TOP_TERMS][MAX_TOP_TERMS];
	int			n_terms[MAX_TOP_TERMS] = {0};
	int			lists[MAX_TOP_TERMS][SLF_MAX_PARAMS];
	int			np[MAX_TOP_TERMS];
	bool		taken[MAX_TOP_TERMS] = {false};
	int			n_units = 0;
	int			cap = 0;

	/* units: terms joined through shared parameters, in order of appearance */
	for (int i = 0; i < n; i++)
	{
		uint32_t	mask = M->params[term[i]];
		int			u = -1;

		for (int v = 0; v < n_units && mask != 0; v++)
			if (unit_params[v] & mask)
			{
				if (u < 0)
					u = v;
				else
				{
					/* the term joins two units: merge v into u */
					unit_params[u] |= unit_params[v];
					for (int k = 0; k < n_terms[v]; k++)
						unit_terms[u][n_terms[u]++] = unit_terms[v][k];
					n_terms[v] = 0;
					unit_params[v] = 0;
				}
			}
		if (u < 0)
		{
			u = n_units++;
			unit_params[u] = 0;
		}
		unit_params[u] |= mask;
		unit_terms[u][n_terms[u]++] = i;
	}
	for (int u = 0; u < n_units; u++)
	{
		/* merged units keep their terms in order of appearance */
		for (int a = 1; a < n_terms[u]; a++)
			for (int b = a; b > 0 && unit_terms[u][b] < unit_terms[u][b - 1]; b--)
			{
				int			tmp = unit_terms[u][b];

				unit_terms[u][b] = unit_terms[u][b - 1];
				unit_terms[u][b - 1] = tmp;
			}
		np[u] = param_list(unit_params[u], lists[u]);
	}

	for (int i = 0; i < n_units; i++)
	{
		int			members[MAX_TOP_TERMS];
		int			n_members = 1;
		int			key = -1;

		for (int k = 0; k < np[i] && key < 0; k++)
			if (f->theta_of[lists[i][k]] >= 0)
				key = k;
		if (taken[i] || n_terms[i] == 0 || key < 0)
			continue;
		members[0] = i;
		for (int j = i + 1; j < n_units; j++)
		{
			bool		same = !taken[j] && n_terms[j] == n_terms[i] && np[j] == np[i];

			for (int k = 0; k < n_terms[i] && same; k++)
			{
				int			a = unit_terms[i][k],
							b = unit_terms[j][k];

				same = sign[a] == sign[b] &&
					isomorphic(t, M, term[a], term[b], lists[i], lists[j], np[i]);
			}
			if (same)
			{
				members[n_members++] = j;
				taken[j] = true;
			}
		}
		if (n_members < 2)
			continue;
		if (!push_class(f, n_members, &cap) || !push_class(f, np[i], &cap) ||
			!push_class(f, key, &cap))
			return false;
		for (int m = 0; m < n_members; m++)
			for (int k = 0; k < np[i]; k++)
				if (!push_class(f, lists[members[m]][k], &cap))
					return false;
		f->n_classes++;
	}
	return true;
}

bool
slf_analyse_roles(SlFormula *f, SlfError *err)
{
	SlfTree    *t = &f->tree;
	const SlAlloc *al = t->al;
	int			n = t->n_nodes;
	Masks		M;
	bool		ok;

	M.params = al->alloc(al->ctx, (size_t) n * sizeof(uint32_t));
	M.inputs = al->alloc(al->ctx, (size_t) n);
	M.reach = al->alloc(al->ctx, (size_t) n);
	ok = M.params && M.inputs && M.reach;
	if (ok)
	{
		for (int i = 0; i < n; i++)
		{
			const SlfNode *nd = &t->nodes[i];

			M.params[i] = nd->op == OP_PARAM ? 1u << nd->n : 0;
			M.inputs[i] = nd->op == OP_INPUT ? (uint8_t) (1u << nd->n) : 0;
			M.reach[i] = i == t->root;
			if (nd->op != OP_NUM && nd->op != OP_INPUT && nd->op != OP_PARAM)
			{
				M.params[i] = M.params[nd->a] | (nd->b >= 0 ? M.params[nd->b] : 0);
				M.inputs[i] = M.inputs[nd->a] | (nd->b >= 0 ? M.inputs[nd->b] : 0);
			}
		}
		for (int i = n - 1; i >= 0; i--)
		{
			const SlfNode *nd = &t->nodes[i];

			if (!M.reach[i] || nd->op == OP_NUM || nd->op == OP_INPUT || nd->op == OP_PARAM)
				continue;
			M.reach[nd->a] = true;
			if (nd->b >= 0)
				M.reach[nd->b] = true;
		}
		f->nonneg_mask = sign_free_params(t, &M);
		for (int j = 0; j < f->q; j++)
		{
			find_role(t, &M, f->nonlinear[j], &f->roles[j]);
			f->roles[j].nonneg = (f->nonneg_mask >> f->nonlinear[j]) & 1;
			f->roles[j].divides = divides_input(t, &M, f->nonlinear[j]);
		}
		ok = find_classes(f, &M);
	}
	if (M.params)
		al->free(al->ctx, M.params);
	if (M.inputs)
		al->free(al->ctx, M.inputs);
	if (M.reach)
		al->free(al->ctx, M.reach);
	if (!ok)
		slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
	return ok;
}

void
slf_param_role(const SlFormula *f, int j, SlfParamRole *role)
{
	*role = f->roles[j];
}

/* a before b: increasing, NaN last */
static bool
before(double a, double b)
{
	return isnan(b) ? !isnan(a) : a < b;
}

/* the bounds of parameter p: the same for every parameter when not given */
static bool
same_bounds(const double *lo, const double *hi, int p, int r)
{
	return lo == NULL ||
		(memcmp(&lo[p], &lo[r], sizeof(double)) == 0 && memcmp(&hi[p], &hi[r], sizeof(double)) == 0);
}

void
slf_canonicalize_within(const SlFormula *f, double *params, bool *flags, const double *lo,
						const double *hi)
{
	const int  *cls = f->class_terms;

	for (int p = 0; p < f->n_params; p++)
		if ((f->nonneg_mask & (1u << p)) && params[p] < 0.0 &&
			(lo == NULL || (-params[p] >= lo[p] && -params[p] <= hi[p])))
			params[p] = -params[p];
	for (int c = 0; c < f->n_classes; c++)
	{
		int			n_terms = cls[0];
		int			n_per = cls[1];
		int			key = cls[2];
		const int  *list = cls + 3;
		int			order[MAX_TOP_TERMS];
		double		vals[MAX_TOP_TERMS][SLF_MAX_PARAMS];
		double		keys[MAX_TOP_TERMS];
		bool		flg[MAX_TOP_TERMS][SLF_MAX_PARAMS];
		bool		symmetric = true;
		int			kj = f->theta_of[list[key]];
		/* a parameter dividing its input (a period, t / P) is ordered as the rate 1 / P */
		bool		inverse = kj >= 0 && f->roles[kj].divides;

		/* terms are interchangeable only where their parameters' bounds are too */
		for (int i = 1; i < n_terms && symmetric; i++)
			for (int k = 0; k < n_per && symmetric; k++)
				symmetric = same_bounds(lo, hi, list[k], list[i * n_per + k]);
		for (int i = 0; i < n_terms && symmetric; i++)
		{
			int			j = i;

			for (int k = 0; k < n_per; k++)
			{
				vals[i][k] = params[list[i * n_per + k]];
				flg[i][k] = flags ? flags[list[i * n_per + k]] : false;
			}
			keys[i] = inverse ? 1.0 / vals[i][key] : vals[i][key];
			/* stable insertion sort of the terms by their key parameter */
			while (j > 0 && before(keys[i], keys[order[j - 1]]))
			{
				order[j] = order[j - 1];
				j--;
			}
			order[j] = i;
		}
		for (int i = 0; i < n_terms && symmetric; i++)
			for (int k = 0; k < n_per; k++)
			{
				params[list[i * n_per + k]] = vals[order[i]][k];
				if (flags)
					flags[list[i * n_per + k]] = flg[order[i]][k];
			}
		cls += 3 + n_terms * n_per;
	}
}

void
slf_canonicalize(const SlFormula *f, double *params)
{
	slf_canonicalize_within(f, params, NULL, NULL, NULL);
}
