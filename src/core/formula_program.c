/*
 * formula_program.c -- the straight-line program of a linearised law: one
 * instruction per distinct sub-expression of the columns and the offset
 * (hash-consing already shared them), in an order where operands come
 * first, each tagged with its tier: constant, inputs only (evaluated once
 * per bind), parameters only (once per evaluation) or both (per point,
 * with partials).  A power of an input-only base to a parameter exponent,
 * the commonest column (N^-alpha), becomes exp(t * ln N) with ln N
 * computed once per bind: the same arithmetic as slf_pow, one logarithm
 * fewer per point and evaluation.
 */
#include <string.h>

#include "formula_int.h"

bool
slf_build_program(SlFormula *f, SlfError *err)
{
	SlfTree    *t = &f->tree;
	const SlAlloc *al = t->al;
	int			n = t->n_nodes;
	int		   *instr_of = al->alloc(al->ctx, (size_t) n * sizeof(int));
	int			n_instr = 0;

	if (instr_of == NULL)
	{
		slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
		return false;
	}
	/* instr_of: -1 unused, then 0 needed, then the instruction index */
	for (int i = 0; i < n; i++)
		instr_of[i] = -1;
	for (int c = 0; c < f->n_columns; c++)
		instr_of[f->column_node[c]] = 0;
	if (f->offset_node >= 0)
		instr_of[f->offset_node] = 0;
	for (int i = n - 1; i >= 0; i--)
	{
		const SlfNode *nd = &t->nodes[i];

		if (instr_of[i] < 0 || nd->op == OP_NUM || nd->op == OP_INPUT || nd->op == OP_PARAM)
			continue;
		instr_of[nd->a] = 0;
		if (nd->b >= 0)
			instr_of[nd->b] = 0;
	}
	for (int i = 0; i < n; i++)
		if (instr_of[i] == 0)
			n_instr++;
	if (n_instr > SLF_MAX_NODES)
	{
		al->free(al->ctx, instr_of);
		slf_set_error(err, SLF_ERR_LIMIT, -1, NULL, "formula has more than %d nodes", SLF_MAX_NODES);
		return false;
	}
	/* room for a logarithm before each power */
	f->instr = al->alloc(al->ctx, (size_t) (2 * n_instr + 1) * sizeof(SlfInstr));
	if (f->instr == NULL)
	{
		al->free(al->ctx, instr_of);
		slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
		return false;
	}
	memset(f->n_tier, 0, sizeof(f->n_tier));
	f->n_instr = 0;
	for (int i = 0; i < n; i++)
	{
		const SlfNode *nd = &t->nodes[i];
		SlfInstr   *in;

		if (instr_of[i] < 0)
			continue;
		if (nd->op == OP_POW && f->instr[instr_of[nd->a]].tier == TIER_X &&
			(f->instr[instr_of[nd->b]].tier & TIER_P))
		{
			/* ln of the base, input-only, then exp(b * ln a) */
			SlfInstr   *ln = &f->instr[f->n_instr];

			memset(ln, 0, sizeof(*ln));
			ln->op = OP_FN;
			ln->fn = FN_LN;
			ln->tier = TIER_X;
			ln->a = instr_of[nd->a];
			ln->b = -1;
			/* messages name the power the user wrote, not this logarithm */
			ln->n = SLF_LN_OF_BASE;
			ln->node = i;
			ln->slot = f->n_tier[TIER_X]++;
			in = &f->instr[f->n_instr + 1];
			in->op = OP_POWL;
			in->fn = 0;
			in->n = 0;
			in->num = 0;
			in->node = i;
			in->a = f->n_instr;
			in->b = instr_of[nd->b];
			in->tier = TIER_PX;
			in->slot = f->n_tier[TIER_PX]++;
			f->n_instr += 2;
			instr_of[i] = f->n_instr - 1;
			continue;
		}
		in = &f->instr[f->n_instr];
		in->op = nd->op;
		in->fn = nd->fn;
		in->n = nd->n;
		in->num = nd->num;
		in->node = i;
		in->a = nd->a >= 0 && nd->op != OP_NUM && nd->op != OP_INPUT && nd->op != OP_PARAM ?
			instr_of[nd->a] : -1;
		in->b = nd->b >= 0 && in->a >= 0 ? instr_of[nd->b] : -1;
		switch ((SlfOp) nd->op)
		{
			case OP_NUM:
				in->tier = TIER_C;
				break;
			case OP_INPUT:
				in->tier = TIER_X;
				break;
			case OP_PARAM:
				/* only nonlinear parameters are left in columns and offset */
				in->tier = TIER_P;
				in->n = f->theta_of[nd->n];
				break;
			default:
				/* the tiers are bit sets: X = 1, P = 2, both = 3 */
				in->tier = f->instr[in->a].tier | (in->b >= 0 ? f->instr[in->b].tier : 0);
				break;
		}
		in->slot = f->n_tier[in->tier]++;
		instr_of[i] = f->n_instr++;
	}
	if (f->n_instr > SLF_MAX_NODES)
	{
		al->free(al->ctx, instr_of);
		slf_set_error(err, SLF_ERR_LIMIT, -1, NULL, "formula has more than %d nodes", SLF_MAX_NODES);
		return false;
	}
	for (int c = 0; c < f->n_columns; c++)
		f->column_instr[c] = instr_of[f->column_node[c]];
	f->offset_instr = f->offset_node >= 0 ? instr_of[f->offset_node] : -1;
	al->free(al->ctx, instr_of);
	return true;
}
