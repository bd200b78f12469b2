/*
 * fit_report.c -- status texts and information criteria of the fits (see
 * fit_report.h).  Every text is listed in README.md's status table.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fit_report.h"

/* coefficient names of the power laws in at_bound's order, and their inputs */
static const char *const pl_coef[] = {"l_inf", "a", "alpha", "b", "beta", "c", "gamma"};
static const char *const ll_coef[] = {"a", "b", "c"};
static const char *const input_names[SL_MAX_INPUTS + 1][SL_MAX_INPUTS] = {
	{NULL}, {"x"}, {"x1", "x2"}, {"x1", "x2", "x3"}
};

/* a text written piece by piece into a buffer that truncates (len >= 1) */
typedef struct Text
{
	char	   *buf;
	size_t		len,
				used;
} Text;

static void put(Text *t, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
put(Text *t, const char *fmt,...)
{
	va_list		ap;
	int			w;

	if (t->used + 1 >= t->len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (w > 0)
		t->used = t->used + (size_t) w < t->len ? t->used + (size_t) w : t->len - 1;
}

/* "; " between the parts of a status */
static void
next_part(Text *t)
{
	if (t->used > 0)
		put(t, "; ");
}

/* names[i] for the i with flags[i], separated by ", "; their count */
static int
put_names(Text *t, const char *const *names, const bool *flags, int n)
{
	int			count = 0;

	for (int i = 0; i < n; i++)
		if (flags[i])
			put(t, "%s%s", count++ > 0 ? ", " : "", names[i]);
	return count;
}

static int
count_flags(const bool *flags, int n)
{
	int			count = 0;

	for (int i = 0; i < n; i++)
		count += flags[i] ? 1 : 0;
	return count;
}

void
sl_info_criteria(int64_t n, double rmse, int p, double *aic, double *bic)
{
	double		nd = (double) n,
				two_loglik;

	if (!(n >= 1 && rmse > 0.0 && isfinite(rmse)))
	{
		*aic = *bic = NAN;
		return;
	}

	/*
	 * -2 logLik = n (ln(2 pi) + 1 - ln n + ln RSS), and ln RSS = ln n +
	 * 2 ln rmse (RSS itself may overflow where rmse does not): the ln n
	 * cancel.
	 */
	two_loglik = -nd * (log(2.0 * M_PI) + 1.0 + 2.0 * log(rmse));
	*aic = -two_loglik + 2.0 * (p + 1);
	*bic = -two_loglik + log(nd) * (p + 1);
}

int
power_law_free_coefs(const PowerLawFit *fit, int k)
{
	int			p = 0;

	for (int c = 0; c < 2 * k + 1; c++)
		if (!fit->at_bound[c] && !(c >= 2 && c % 2 == 0 && fit->expo[c / 2 - 1] == 0.0))
			p++;
	return p;
}

int
log_law_free_coefs(const LogLawFit *fit, int k)
{
	int			p = 0;

	for (int c = 0; c <= k; c++)
		if (!fit->at_bound[c])
			p++;
	return p;
}

int
formula_free_params(const SlFormula *f, const FormulaFit *fit)
{
	int			p = 0;

	for (int i = 0; i < fit->n_params; i++)
		if (!fit->at_bound[i] || (fit->at_limit[i] && !formula_param_searched(f, i)))
			p++;
	return p;
}

bool
power_law_at_search_edge(const PowerLawFit *fit, const PowerLawSpec *spec, int j)
{
	double		e = fit->expo[j];

	/* on its box but on no bound the user set: the cap or the double range held it */
	return fit->at_bound[2 + 2 * j] && e != 0.0 &&
		!(isfinite(spec->exp_lo[j]) && e == spec->exp_lo[j]) &&
		!(isfinite(spec->exp_hi[j]) && e == spec->exp_hi[j]);
}

/* the texts of the failures the presets share; the coefficient names are the law's */
static void
overflow_text(Text *t, const char *coef)
{
	if (coef == NULL)
		put(t, "overflow: the residuals of the best fit do not fit in a float8 (rmse)");
	else
		put(t, "coefficient overflow: %s does not fit in a float8", coef);
}

static void
collinear_text(Text *t, const char *const *inputs, int j)
{
	put(t, "collinear inputs: ln %s is an affine function of ", inputs[j]);
	if (j == 0)
		put(t, "the other inputs' logarithms");
	for (int l = 0; l < j; l++)
		put(t, "%sln %s", l == 0 ? "" : (l == j - 1 ? " and " : ", "), inputs[l]);
	put(t, ", so the law cannot tell their effects apart");
}

void
power_law_status_text(FitStatus status, const PowerLawFit *fit, const PowerLawSpec *spec,
					  bool converged, char *buf, size_t len)
{
	Text		t = {buf, len, 0};
	int			k = spec->k;
	const char *const *in = input_names[k];
	int			j = fit->fail_input;

	buf[0] = '\0';
	switch (status)
	{
		case FIT_OK:
			break;
		case FIT_TOO_FEW_POINTS:
			put(&t, "too few distinct points: the data have %d, the law needs at least %d",
				fit->fail_count, 2 * k + 1);
			return;
		case FIT_FEW_VALUES:
			put(&t, "too few distinct values of input %s: the data have %d, the law needs at least 3",
				in[j], fit->fail_count);
			return;
		case FIT_LOG_SPREAD:
			put(&t, "input %s does not vary: its values differ only within the rounding of their logarithms",
				in[j]);
			return;
		case FIT_COLLINEAR:
			collinear_text(&t, in, j);
			return;
		case FIT_INFEASIBLE:
			put(&t, "no admissible point: the bounds of %s lie wholly where %s^-%s leaves the float8 range",
				pl_coef[2 + 2 * j], in[j], pl_coef[2 + 2 * j]);
			return;
		case FIT_UNDETERMINED:
			put(&t, "no admissible point: no exponents within the bounds give the law a finite value at every point");
			return;
		case FIT_OVERFLOW:
			if (j >= 1 && j % 2 == 1)
				put(&t, "coefficient overflow: the term %s*%s^-%s does not fit in a float8 at every point",
					pl_coef[j], in[(j - 1) / 2], pl_coef[j + 1]);
			else
				overflow_text(&t, j >= 0 ? pl_coef[j] : NULL);
			return;
		case FIT_NO_MEMORY:
			put(&t, "out of memory");
			return;
	}

	/* a fit: what its coefficients mean where that is not the plain law */
	{
		bool		at_limit[SL_MAX_INPUTS] = {false},
					at_edge[2 * SL_MAX_INPUTS + 1] = {false},
					held[2 * SL_MAX_INPUTS + 1] = {false};
		int			n_limit = 0,
					n;

		for (int i = 0; i < k; i++)
		{
			at_limit[i] = fit->expo[i] == 0.0;
			n_limit += at_limit[i] ? 1 : 0;
			at_edge[2 + 2 * i] = power_law_at_search_edge(fit, spec, i);
		}
		for (int c = 0; c < 2 * k + 1; c++)
			held[c] = fit->at_bound[c] && !at_edge[c] &&
				!(c >= 2 && c % 2 == 0 && at_limit[c / 2 - 1]);
		if (n_limit > 0)
		{
			int			w = 0;

			put(&t, "log limit: the term%s ", n_limit > 1 ? "s" : "");
			for (int i = 0; i < k; i++)
				if (at_limit[i])
					put(&t, "%s%s*%s^-%s", w++ > 0 ? ", " : "", pl_coef[1 + 2 * i], in[i],
						pl_coef[2 + 2 * i]);
			put(&t, " %s read as ", n_limit > 1 ? "are" : "is");
			w = 0;
			for (int i = 0; i < k; i++)
				if (at_limit[i])
					put(&t, "%s-%s*ln(%s)", w++ > 0 ? ", " : "", pl_coef[1 + 2 * i], in[i]);
			put(&t, " (");
			w = 0;
			for (int i = 0; i < k; i++)
				if (at_limit[i])
					put(&t, "%s%s", w++ > 0 ? " = " : "", pl_coef[2 + 2 * i]);
			put(&t, " = 0); do not use ");
			w = 0;
			for (int i = 0; i < k; i++)
				if (at_limit[i])
					put(&t, "%s%s, %s", w++ > 0 ? ", " : "", pl_coef[1 + 2 * i], pl_coef[2 + 2 * i]);
			put(&t, " in the power formula");
		}
		if (count_flags(at_edge, 2 * k + 1) > 0)
		{
			next_part(&t);
			put(&t, "search limit: ");
			n = put_names(&t, pl_coef, at_edge, 2 * k + 1);
			put(&t, " stopped at the edge of the exponent search, so the optimum is not attained; "
				"bound %s in the options", n > 1 ? "them" : "it");
		}
		else if (!converged)
		{
			next_part(&t);
			put(&t, "not converged: the final polish stopped before its stopping rule was met");
		}
		if (count_flags(held, 2 * k + 1) > 0)
		{
			next_part(&t);
			put(&t, "at_bound: ");
			n = put_names(&t, pl_coef, held, 2 * k + 1);
			put(&t, " %s on a bound", n > 1 ? "lie" : "lies");
		}
	}
	if (t.used == 0)
		put(&t, "ok");
}

void
log_law_status_text(FitStatus status, const LogLawFit *fit, int k, char *buf, size_t len)
{
	Text		t = {buf, len, 0};
	const char *const *in = input_names[k];
	int			j = fit->fail_input;

	buf[0] = '\0';
	switch (status)
	{
		case FIT_OK:
			break;
		case FIT_TOO_FEW_POINTS:
			put(&t, "too few rows: the data have %d, the law needs at least %d",
				fit->fail_count, k + 1);
			return;
		case FIT_FEW_VALUES:
			put(&t, "too few distinct values of input %s: the data have %d, the law needs at least 2",
				in[j], fit->fail_count);
			return;
		case FIT_LOG_SPREAD:
			put(&t, "input %s does not vary: its values differ only within the rounding of their logarithms",
				in[j]);
			return;
		case FIT_COLLINEAR:
			collinear_text(&t, in, j);
			return;
		case FIT_INFEASIBLE:
		case FIT_UNDETERMINED:
			put(&t, "no admissible point: no coefficients satisfy the bounds");
			return;
		case FIT_OVERFLOW:
			overflow_text(&t, j >= 0 ? ll_coef[j] : NULL);
			return;
		case FIT_NO_MEMORY:
			put(&t, "out of memory");
			return;
	}
	if (count_flags(fit->at_bound, k + 1) > 0)
	{
		int			n;

		put(&t, "at_bound: ");
		n = put_names(&t, ll_coef, fit->at_bound, k + 1);
		put(&t, " %s on a bound", n > 1 ? "lie" : "lies");
	}
	else
		put(&t, "ok");
}

void
formula_status_text(FormulaStatus status, const FormulaFit *fit, const SlFormula *f,
					const double *x_min, const double *x_max, char *buf, size_t len)
{
	Text		t = {buf, len, 0};
	int			np = slf_n_params(f);
	const char *names[SLF_MAX_PARAMS];

	buf[0] = '\0';
	for (int p = 0; p < np; p++)
		names[p] = slf_param_name(f, p);
	switch (status)
	{
		case FF_OK:
			break;
		case FF_TOO_FEW_POINTS:
			put(&t, "too few distinct points: the data have %d, the law needs at least %d",
				fit->fail_count, fit->fail_need);
			return;
		case FF_UNDETERMINED:
			put(&t, "no admissible point: no parameter values within the bounds give the law a finite value at every point");
			return;
		case FF_INFEASIBLE:
			put(&t, "no admissible point: the bounds admit no value of the parameters");
			return;
		case FF_OVERFLOW:
			overflow_text(&t, fit->fail_param >= 0 ? names[fit->fail_param] : NULL);
			return;
		case FF_NOT_FINITE:
		case FF_NO_MEMORY:
		case FF_INVALID:
			put(&t, "not fitted");
			return;
	}
	{
		bool		undetermined[SLF_MAX_PARAMS] = {false},
					held[SLF_MAX_PARAMS] = {false};
		int			n;

		for (int p = 0; p < np; p++)
		{
			undetermined[p] = isnan(fit->params[p]);
			held[p] = fit->at_bound[p] && !undetermined[p] && !fit->at_limit[p] &&
				!fit->at_cap[p];
		}
		if (count_flags(fit->at_limit, np) > 0)
		{
			put(&t, "limit: ");
			n = put_names(&t, names, fit->at_limit, np);
			put(&t, " run off together toward a limit the optimum only approaches; the formula "
				"with these values predicts the data, but %s not estimates", n > 1 ? "they are" : "it is");
		}
		if (count_flags(fit->at_cap, np) > 0)
		{
			next_part(&t);
			put(&t, "not attained: ");
			n = put_names(&t, names, fit->at_cap, np);
			put(&t, " ended where the search reaches, so the optimum lies beyond; give %s a search "
				"box or bounds", n > 1 ? "them" : "it");
		}
		else if (!fit->converged && count_flags(undetermined, np) == 0)
		{
			next_part(&t);
			put(&t, "not converged: the final polish stopped before its stopping rule was met");
		}
		if (count_flags(undetermined, np) > 0)
		{
			next_part(&t);
			put(&t, "not determined: the data do not determine ");
			put_names(&t, names, undetermined, np);
			/* an input of one value is the usual cause: name it */
			for (int j = 0; j < slf_n_inputs(f); j++)
				if (x_min[j] == x_max[j])
					put(&t, " (input %s has 1 distinct value)", slf_input_name(f, j));
		}
		if (count_flags(held, np) > 0)
		{
			next_part(&t);
			put(&t, "at_bound: ");
			n = put_names(&t, names, held, np);
			put(&t, " %s on a bound", n > 1 ? "lie" : "lies");
		}
	}
	if (t.used == 0)
		put(&t, "ok");
}
