/*
 * formula_cache.c -- formulas compiled once per call site (fn_extra), keyed
 * by their text, and the ERRORs of a formula that does not compile, with a
 * caret under the place in the formula.
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "sl_formula.h"

void
sl_formula_error(const char *fn, const char *text, size_t len, const SlfError *err)
{
	const char *state = slf_error_kind_sqlstate(err->kind);
	int			code = MAKE_SQLSTATE(state[0], state[1], state[2], state[3], state[4]);
	StringInfoData where;

	initStringInfo(&where);
	if (err->pos >= 0 && (size_t) err->pos <= len && len <= SLF_MAX_TEXT)
	{
		/* the line of the formula holding pos, and a caret under pos */
		size_t		start = err->pos,
					end = err->pos;

		while (start > 0 && text[start - 1] != '\n')
			start--;
		while (end < len && text[end] != '\n')
			end++;
		appendStringInfo(&where, "%.*s\n%*s^", (int) (end - start), text + start,
						 (int) (err->pos - start), "");
	}
	ereport(ERROR,
			(errcode(code),
			 errmsg("%s: %s", fn, err->message),
			 where.len > 0 ? errdetail("In the formula:\n%s", where.data) : 0,
			 err->hint[0] ? errhint("%s", err->hint) : 0));
}

const SlFormula *
sl_formula_get(SlFormulaCache *cache, MemoryContext mcxt, const char *fn, text *t)
{
	const char *s = VARDATA_ANY(t);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	SlfError	err;
	SlFormula  *f;

	if (cache->formula != NULL && cache->len == len && memcmp(cache->text, s, len) == 0)
		return cache->formula;
	if (cache->formula != NULL)
	{
		slf_free(cache->formula, &cache->al);
		pfree(cache->text);
		cache->formula = NULL;
	}
	sl_pg_alloc_init(&cache->al, mcxt);
	memset(&err, 0, sizeof(err));
	f = slf_compile(s, len, &cache->al, &err);
	if (f == NULL)
		sl_formula_error(fn, s, len, &err);
	cache->text = MemoryContextAlloc(mcxt, len + 1);
	memcpy(cache->text, s, len);
	cache->text[len] = '\0';
	cache->len = len;
	cache->formula = f;
	cache->compiles++;
	return f;
}
