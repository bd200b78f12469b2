/*
 * options.c -- the trailing options jsonb of the fits.
 *
 * Known keys: "bounds", an object mapping coefficient names to [lower,
 * upper] (numbers or nulls).  Anything else is an ERROR naming the key.
 *
 * What options mean is the bounds they set (SlBounds): NULL options and
 * '{}' both mean the law's defaults, and '[0, 1]' is '[0.0, 1.00]'.  In an
 * aggregate, every row of a group must set the same bounds, rows skipped
 * for a NULL input or y included (fit_agg.c checks them).
 */
#include "postgres.h"

#include <math.h>

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "sl_pg.h"

static double
numeric_to_double(const char *fn, const char *option, const char *coef, JsonbValue *v)
{
	double		d = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
													   NumericGetDatum(v->val.numeric)));

	if (!isfinite(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: option \"%s\" for \"%s\" is out of range", fn, option, coef)));
	/* one zero: bounds that compare equal must give the same bits */
	return d == 0.0 ? 0.0 : d;
}

static void
bad_bounds_value(const char *fn, const char *option, const char *coef)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: option \"%s\" for \"%s\" must be an array [lower, upper] of numbers or nulls",
					fn, option, coef)));
}

static void
parse_pair(const char *fn, const char *option, const char *coef, JsonbValue *val,
		   double *lo, double *hi)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			count = 0;
	double		side[2];
	bool		given[2] = {false, false};

	if (val->type != jbvBinary || !JsonContainerIsArray(val->val.binary.data) ||
		JsonContainerIsScalar(val->val.binary.data))
		bad_bounds_value(fn, option, coef);
	it = JsonbIteratorInit(val->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (count >= 2)
			bad_bounds_value(fn, option, coef);
		if (v.type == jbvNumeric)
		{
			side[count] = numeric_to_double(fn, option, coef, &v);
			given[count] = true;
		}
		else if (v.type != jbvNull)
			bad_bounds_value(fn, option, coef);
		count++;
	}
	if (count != 2)
		bad_bounds_value(fn, option, coef);
	*lo = given[0] ? side[0] : -INFINITY;
	*hi = given[1] ? side[1] : INFINITY;
	if (*lo > *hi)
	{
		char		b1[64],
					b2[64];

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: option \"%s\" for \"%s\" has lower bound %s greater than upper bound %s",
						fn, option, coef, sl_format_double(*lo, b1, sizeof(b1)),
						sl_format_double(*hi, b2, sizeof(b2)))));
	}
}

static char *
key_string(JsonbValue *k)
{
	return pnstrdup(k->val.string.val, k->val.string.len);
}

void
sl_parse_pairs(const char *fn, const char *option, JsonbValue *val, const char *const *names,
			   int n, double *lo, double *hi)
{
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	if (val->type != jbvBinary || !JsonContainerIsObject(val->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: option \"%s\" must be an object mapping coefficient names to [lower, upper]",
						fn, option)));
	it = JsonbIteratorInit(val->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *name;
		int			i;

		if (tok != WJB_KEY)
			continue;
		name = key_string(&k);
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		for (i = 0; i < n; i++)
			if (strcmp(name, names[i]) == 0)
				break;
		if (i == n)
		{
			StringInfoData valid;

			initStringInfo(&valid);
			for (int j = 0; j < n; j++)
				appendStringInfo(&valid, "%s%s", j ? ", " : "", names[j]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: option \"%s\" names unknown coefficient \"%s\"", fn, option, name),
					 errhint("The coefficients of this law are %s.", valid.data)));
		}
		parse_pair(fn, option, name, &v, &lo[i], &hi[i]);
	}
}

void
sl_parse_options(const char *fn, Jsonb *options, const char *const *names, int n,
				 double *lo, double *hi)
{
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	if (!JB_ROOT_IS_OBJECT(options) || JB_ROOT_IS_SCALAR(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: options must be a JSON object", fn)));
	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char	   *key;

		if (tok != WJB_KEY)
			continue;
		key = key_string(&k);
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		if (strcmp(key, "bounds") == 0)
			sl_parse_pairs(fn, "bounds", &v, names, n, lo, hi);
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: unknown option \"%s\"", fn, key),
					 errhint("The only option is \"bounds\".")));
	}
}

void
sl_options_bounds(const SlOptionsLaw *law, Jsonb *options, SlBounds *out)
{
	*out = *law->defaults;
	if (options != NULL)
		sl_parse_options(law->fn, options, law->names, law->n, out->lo, out->hi);
}

bool
sl_bounds_equal(const SlBounds *a, const SlBounds *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a->lo[i] != b->lo[i] || a->hi[i] != b->hi[i])
			return false;
	return true;
}

void
sl_options_mismatch(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: options must be the same for every row of a group", fn),
			 errdetail("Rows of one group set different bounds (NULL options mean the defaults)."),
			 errhint("Options count in every row, also one skipped for a NULL input or y.")));
}
