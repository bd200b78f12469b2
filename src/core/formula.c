/*
 * formula.c -- compiling a formula (parse, linearise, program, roles) and
 * what the engine asks of a compiled one: names, counts, columns, and the
 * parameters from a solution.
 */
#include <string.h>

#include "formula_int.h"

SlFormula *
slf_compile(const char *text, size_t len, const SlAlloc *al, SlfError *err)
{
	SlFormula  *f = al->alloc(al->ctx, sizeof(SlFormula));

	memset(err, 0, sizeof(*err));
	err->pos = -1;
	if (f == NULL)
	{
		slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
		return NULL;
	}
	memset(f, 0, sizeof(*f));
	f->tree.al = al;
	f->offset_node = f->offset_instr = -1;
	if (!slf_parse(&f->tree, text, len, err) || !slf_linearize(f, err) ||
		!slf_build_program(f, err) || !slf_analyse_roles(f, err))
	{
		slf_free(f, al);
		return NULL;
	}
	f->n_inputs = f->tree.n_inputs;
	f->n_params = f->tree.n_params;
	/* the hash table only serves building nodes */
	al->free(al->ctx, f->tree.hash);
	f->tree.hash = NULL;
	return f;
}

void
slf_free(SlFormula *f, const SlAlloc *al)
{
	if (f == NULL)
		return;
	slf_tree_free(&f->tree);
	if (f->instr)
		al->free(al->ctx, f->instr);
	if (f->class_terms)
		al->free(al->ctx, f->class_terms);
	al->free(al->ctx, f);
}

int
slf_n_inputs(const SlFormula *f)
{
	return f->n_inputs;
}

const char *
slf_input_name(const SlFormula *f, int i)
{
	return f->tree.input_names[i];
}

int
slf_n_params(const SlFormula *f)
{
	return f->n_params;
}

const char *
slf_param_name(const SlFormula *f, int p)
{
	return f->tree.param_names[p];
}

int
slf_param_index(const SlFormula *f, const char *name)
{
	for (int p = 0; p < f->n_params; p++)
		if (strcmp(f->tree.param_names[p], name) == 0)
			return p;
	return -1;
}

int
slf_n_nonlinear(const SlFormula *f)
{
	return f->q;
}

int
slf_nonlinear_param(const SlFormula *f, int j)
{
	return f->nonlinear[j];
}

int
slf_n_columns(const SlFormula *f)
{
	return f->n_columns;
}

bool
slf_has_offset(const SlFormula *f)
{
	return f->offset_instr >= 0;
}

int
slf_column_param(const SlFormula *f, int c)
{
	uint32_t	mask = f->column_mask[c];

	if (mask & (mask - 1))
		return -1;
	for (int p = 0; p < f->n_params; p++)
		if (mask == 1u << p)
			return p;
	return -1;
}

bool
slf_params_from_solution(const SlFormula *f, const double *theta, const double *coef, double *params)
{
	bool		ok = true;

	for (int j = 0; j < f->q; j++)
		params[f->nonlinear[j]] = theta[j];
	/* in solving order: the other parameters of a chain are known */
	for (int i = 0; i < f->n_linear; i++)
	{
		int			p = f->solve_param[i];
		int			c = f->solve_col[i];
		double		others = 1;

		for (int r = 0; r < f->n_params; r++)
			if (r != p && (f->column_mask[c] & (1u << r)))
				others *= params[r];
		if (others == 0 || isnan(others))
		{
			params[p] = NAN;
			ok = false;
		}
		else
			params[p] = coef[c] / others;
	}
	return ok;
}
