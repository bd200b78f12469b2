/*
 * test_formula.c -- the formula compiler (src/core/formula.h): grammar and
 * precedence, every function's value, folding, every error with its exact
 * message and position, limits, the linearity pass on published laws,
 * columns and partials against direct C and central differences,
 * prediction, roles and the canonical form.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formula.h"
#include "test_util.h"

#define AL (&sl_malloc_alloc)

static SlFormula *
compile(const char *text, SlfError *err)
{
	return slf_compile(text, strlen(text), AL, err);
}

/* the law's value at x with the given parameters (NULL on a compile error) */
static double
value_of(const char *text, const double *params, const double *x)
{
	SlfError	err;
	SlFormula  *f = compile(text, &err);
	double		v;

	if (f == NULL)
	{
		printf("# %s: %s\n", text, err.message);
		return NAN;
	}
	v = slf_predict(f, params, x);
	slf_free(f, AL);
	return v;
}

static bool
same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(double)) == 0;
}

static void
test_precedence(void)
{
	double		one = 1,
				x3 = 3;
	double		p2[2];

	CHECK(value_of("x => k*(-x^2)", &one, &x3) == -9, "-x^2 is -(x^2): %g", value_of("x => k*(-x^2)", &one, &x3));
	CHECK(value_of("x => k*2^3^2", &one, &x3) == 512, "2^3^2 = 512 (right-associative)");
	CHECK(value_of("x => k*x**2", &one, &x3) == 9, "** is ^");
	CHECK(value_of("x => k*x^-1", &one, &x3) == 1.0 / 3, "x^-1 is 1/x");
	CHECK(value_of("x => k*2*x - x/3*6", &one, &x3) == 0, "* and / left to right, below + and -");
	CHECK(value_of("x => k*(1 - x - 1)", &one, &x3) == -3, "- is left-associative");
	CHECK(value_of("x => k * - - x", &one, &x3) == 3, "unary minus repeats");
	CHECK(value_of("x => k*(-2)^2", &one, &x3) == 4, "(-2)^2 = 4: integer powers defined for negative bases");
	CHECK(value_of("x => k*(-x)^3", &one, &x3) == -27, "(-x)^3 = -27");
	CHECK(value_of("x => k*.5e1 + k*1.5E-1", &one, &x3) == 5.15, ".5e1 and 1.5E-1 literals");
	CHECK(value_of("x => k*pi", &one, &x3) == M_PI, "pi");
	CHECK(value_of("x=>k\t*\n(x\r+1)", &one, &x3) == 4, "whitespace anywhere");
	/* 2^-a: unary minus in an exponent, a nonlinear */
	p2[0] = 3;
	p2[1] = 1;
	CHECK(fabs(value_of("x => 2^-a*k", p2, &x3) - 0.125) < 1e-15, "2^-a with a = 3: %.17g",
		  value_of("x => 2^-a*k", p2, &x3));
	p2[0] = 2;
	p2[1] = 0.5;
	CHECK(fabs(value_of("x => x^a^b", p2, &x3) - pow(3, sqrt(2.0))) < 1e-14, "x^a^b is x^(a^b)");
	CHECK(value_of("x => k*x^(1 + 1)", &one, &(double) {-2}) == 4,
		  "a folded integer exponent is repeated multiplication: (-2)^(1 + 1) = 4");
	CHECK(value_of("x => k*x^64", &one, &(double) {-1}) == 1 && value_of("x => k*x^-64", &one, &(double) {-2}) == 0x1p-64,
		  "x^64 and x^-64 of negative x");
	{
		/* x^65 is a general power: exp(65 ln x), undefined for x <= 0 */
		SlfError	err;
		SlFormula  *f = compile("x => k*x^65", &err);
		SlfBound   *b = f ? slf_bind(f, &(double) {-1}, 1, AL, &err) : NULL;

		CHECK(b == NULL && strcmp(err.message, "x^65 is not finite at x = -1") == 0, "x^65 at x = -1: %s",
			  err.message);
		slf_free(f, AL);
		f = compile("(N, D, U) => a*N", &err);
		CHECK(f && slf_n_inputs(f) == 3 && slf_n_columns(f) == 1, "inputs declared and never used are fine");
		slf_free(f, AL);
	}
	{
		/* names: E, e, N, beta, gamma are parameters; case-sensitive */
		SlfError	err;
		SlFormula  *f = compile("(N, n) => E + e*N + beta*n + gamma*N*n", &err);

		CHECK(f && slf_n_params(f) == 4 && strcmp(slf_param_name(f, 0), "E") == 0 &&
			  strcmp(slf_param_name(f, 1), "e") == 0 && slf_param_index(f, "gamma") == 3 &&
			  slf_param_index(f, "N") == -1 && slf_n_inputs(f) == 2 &&
			  strcmp(slf_input_name(f, 1), "n") == 0,
			  "E, e, beta, gamma are parameters; N and n distinct inputs");
		slf_free(f, AL);
	}
}

static void
test_functions(void)
{
	struct
	{
		const char *text;
		double		x;
		double		expect;
	}			cases[] = {
		{"x => k*exp(x)", 0.7, exp(0.7)},
		{"x => k*expm1(x)", 1e-10, expm1(1e-10)},
		{"x => k*ln(x)", 7.5, log(7.5)},
		{"x => k*log1p(x)", 1e-12, log1p(1e-12)},
		{"x => k*log10(x)", 1000, 3},
		{"x => k*log2(x)", 0.125, -3},
		{"x => k*log(2, x)", 8, log(8.0) / log(2.0)},
		{"x => k*sqrt(x)", 2, sqrt(2.0)},
		{"x => k*abs(x)", -2.5, 2.5},
		{"x => k*pow(x, 2)", -3, 9},
		{"x => k*pow(x, 0.5)", 2, exp(0.5 * log(2.0))},
		{"x => k*min(x, 1)", 3, 1},
		{"x => k*max(x, 1)", 3, 3},
		{"x => k*sin(x)", 0.3, sin(0.3)},
		{"x => k*cos(x)", 0.3, cos(0.3)},
		{"x => k*atan(x)", 2, atan(2.0)},
		{"x => k*tanh(x)", 0.4, tanh(0.4)},
		{"x => k*sigmoid(x)", 0.4, 1 / (1 + exp(-0.4))},
		{"x => k*sigmoid(x)", -0.4, exp(-0.4) / (1 + exp(-0.4))},
		{"x => k*sigmoid(x)", -800, exp(-800.0) / (1 + exp(-800.0))},
		{"x => k*softplus(x)", 0.4, 0.4 + log1p(exp(-0.4))},
		{"x => k*softplus(x)", 1000, 1000},
		{"x => k*softplus(x)", -40, log1p(exp(-40.0))},
		{"x => k*x^2.5", 4, exp(2.5 * log(4.0))},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		double		one = 1;
		double		v = value_of(cases[i].text, &one, &cases[i].x);

		CHECK(same_bits(v, cases[i].expect), "%s at x = %g: %.17g (expected %.17g)",
			  cases[i].text, cases[i].x, v, cases[i].expect);
	}
}

/* a formula's columns at theta on points x (k inputs) */
static bool
columns_at(const SlFormula *f, const double *x, int m, const double *theta, double *G,
		   double *g0, double *dG, double *dg0)
{
	SlfError	err;
	SlfBound   *b = slf_bind(f, x, m, AL, &err);
	bool		ok;

	if (b == NULL)
		return false;
	ok = slf_columns(b, theta, G, g0, dG, dg0);
	slf_bound_free(b, AL);
	return ok;
}

static void
test_folding(void)
{
	SlfError	err;
	SlFormula  *f = compile("x => a*(2*3 + 1)*x + sqrt(4)*b + 0*x*x", &err);
	double		x[2] = {1.5, -2};
	double		G[4],
				g0[2];

	CHECK(f && slf_n_columns(f) == 2 && slf_n_nonlinear(f) == 0 && slf_has_offset(f),
		  "folded: two linear columns and an offset");
	CHECK(f && columns_at(f, x, 2, NULL, G, g0, NULL, NULL) &&
		  G[0] == 10.5 && G[1] == -14 && G[2] == 2 && G[3] == 2 && g0[0] == 0,
		  "columns 7x and 2 (sqrt(4) folded), offset 0*x*x");
	slf_free(f, AL);

	/*
	 * Constants whose product underflows or overflows are not folded into
	 * one coefficient: the law as written is 3e-166 and 3e200 at x = 1e300
	 * and 1e-300 (folded, 1e-160 * 1e-306 was 0 and 1e200 * 1e300 infinite).
	 */
	{
		double		c = 3,
					at[2] = {1e300, 1e-300};
		double		v0 = value_of("x => 1e-160*-(-(c)*1e-306*x)", &c, &at[0]);
		double		v1 = value_of("x => 1e200*c*x*1e300", &c, &at[1]);

		CHECK(fabs(v0 / 3e-166 - 1) < 1e-15, "1e-160 * c * 1e-306 * x at 1e300: %.17g", v0);
		CHECK(fabs(v1 / 3e200 - 1) < 1e-15, "1e200 * c * x * 1e300 at 1e-300: %.17g", v1);
	}
}

typedef struct ErrorCase
{
	const char *text;
	SlfErrorKind kind;
	int			pos;
	const char *message;
	const char *hint;			/* a prefix of the hint, NULL: empty */
} ErrorCase;

static void
test_errors(void)
{
	static const ErrorCase cases[] = {
		{"E + A / N^alpha", SLF_ERR_SYNTAX, 0, "missing header naming the inputs, such as \"(N, D) =>\"", "Start the formula"},
		{"(N, D) E => A", SLF_ERR_SYNTAX, 7, "missing \"=>\" after the inputs", "Start the formula"},
		{"(N, N) => a*N", SLF_ERR_SYNTAX, 4, "input \"N\" is declared twice", NULL},
		{"() => a", SLF_ERR_SYNTAX, 1, "syntax error at or near \")\"", NULL},
		{"(exp) => a", SLF_ERR_SYNTAX, 1, "input name \"exp\" is reserved", "Function names and pi"},
		{"pi => a", SLF_ERR_SYNTAX, 0, "input name \"pi\" is reserved", "Function names and pi"},
		{"x => a*x^", SLF_ERR_SYNTAX, 9, "unexpected end of formula", NULL},
		{"x => a*^x", SLF_ERR_SYNTAX, 7, "syntax error at or near \"^\"", NULL},
		{"x => (a*x", SLF_ERR_SYNTAX, 5, "missing \")\"", NULL},
		{"x => a*x)", SLF_ERR_SYNTAX, 8, "syntax error at or near \")\"", NULL},
		{"x => a x", SLF_ERR_SYNTAX, 7, "syntax error at or near \"x\"", NULL},
		{"x => a*x; drop", SLF_ERR_SYNTAX, 8, "syntax error at or near \";\"", NULL},
		{"x => a*1e999", SLF_ERR_SYNTAX, 7, "numeric literal \"1e999\" is out of range", NULL},
		{"x => a*1e-999", SLF_ERR_SYNTAX, 7, "numeric literal \"1e-999\" is out of range", NULL},
		{"x => a*x + \xc3\xa9", SLF_ERR_SYNTAX, 11, "invalid byte 0xc3 in formula", "A formula is ASCII"},
		{"x => a*x +\x01", SLF_ERR_SYNTAX, 10, "invalid byte 0x01 in formula", "A formula is ASCII"},
		{"x => a*x @ 2", SLF_ERR_SYNTAX, 9, "syntax error at or near \"@\"", NULL},
		{"x => +a", SLF_ERR_SYNTAX, 5, "syntax error at or near \"+\"", NULL},
		{"x => a*foo(x)", SLF_ERR_FUNCTION, 7, "function \"foo\" does not exist", "The functions are exp,"},
		{"x => a*Exp(x)", SLF_ERR_FUNCTION, 7, "function \"Exp\" does not exist", "The functions are exp,"},
		{"x => a*log(x)", SLF_ERR_FUNCTION, 7, "function log with one argument is ambiguous",
		"Use ln, log10, log2 or log(b, x): SQL, numpy and R disagree on the base of log."},
		{"x => a*exp(x, 2)", SLF_ERR_FUNCTION, 7, "function exp takes 1 argument, not 2", NULL},
		{"x => a*pow(x)", SLF_ERR_FUNCTION, 7, "function pow takes 2 arguments, not 1", NULL},
		{"x => a*min(x, 1, 2)", SLF_ERR_FUNCTION, 7, "function min takes 2 arguments, not 3", NULL},
		{"x => a*exp", SLF_ERR_FUNCTION, 7, "function exp needs its arguments in parentheses", NULL},
		{"x => a*x(2)", SLF_ERR_FUNCTION, 7, "input \"x\" is not a function", "Write a multiplication"},
		{"x => a*pi(2)", SLF_ERR_FUNCTION, 7, "pi is a constant, not a function", NULL},
		{"x => 3*x + 1", SLF_ERR_LAW, -1, "formula has no parameter", "Every identifier not named"},
		{"N => A*B*N^-alpha", SLF_ERR_LAW, 7, "parameters \"A\" and \"B\" are only identifiable as their product",
		"Write one parameter for the product."},
		{"x => a*x + b*x", SLF_ERR_LAW, 11, "parameters \"a\" and \"b\" multiply identical terms", "Merge them"},
		{"x => a + b + c*x", SLF_ERR_LAW, 9, "parameters \"a\" and \"b\" multiply identical terms", "Merge them"},
		{"x => a*x + 1/0", SLF_ERR_NOT_FINITE, -1, "1/0 is not finite", NULL},
		{"x => a*x + ln(-1)", SLF_ERR_NOT_FINITE, -1, "ln(-1) is not finite", NULL},
		{"x => a*exp(1000)", SLF_ERR_NOT_FINITE, -1, "exp(1e+03) is not finite", NULL},
		{"(a,b,c,d,e,f,g,h,i) => p", SLF_ERR_LIMIT, 17, "formula has more than 8 inputs", NULL},
		{"x => a*exp(b1*x + b2*x^2 + b3*x^3 + b4*x^4 + b5*x^5 + b6*x^6 + b7*x^7 + b8*x^8 + b9*x^9)",
		SLF_ERR_LIMIT, 81, "law has more than 8 nonlinear parameters", "Parameters that are not"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const ErrorCase *c = &cases[i];
		SlfError	err;
		SlFormula  *f = compile(c->text, &err);
		bool		hint_ok = c->hint ? strncmp(err.hint, c->hint, strlen(c->hint)) == 0 : err.hint[0] == '\0';

		CHECK(f == NULL && err.kind == c->kind && err.pos == c->pos &&
			  strcmp(err.message, c->message) == 0 && hint_ok,
			  "error for %s: kind %d pos %d \"%s\" hint \"%s\"", c->text, (int) err.kind, err.pos,
			  err.message, err.hint);
		slf_free(f, AL);
	}
	{
		/* a NUL byte inside the given length */
		SlfError	err;
		SlFormula  *f = slf_compile("x => a*x\0+b", 11, AL, &err);

		CHECK(f == NULL && err.kind == SLF_ERR_SYNTAX && err.pos == 8 &&
			  strcmp(err.message, "invalid byte 0x00 in formula") == 0, "NUL byte: %s at %d", err.message, err.pos);
	}
	CHECK(strcmp(slf_error_kind_sqlstate(SLF_ERR_SYNTAX), "42601") == 0 &&
		  strcmp(slf_error_kind_sqlstate(SLF_ERR_FUNCTION), "42883") == 0 &&
		  strcmp(slf_error_kind_sqlstate(SLF_ERR_LIMIT), "54000") == 0 &&
		  strcmp(slf_error_kind_sqlstate(SLF_ERR_LAW), "22023") == 0, "SQLSTATEs of the kinds");
}

/* text of n copies of a piece between a prefix and a suffix */
static char *
repeat(const char *prefix, const char *piece, int n, const char *middle, const char *closing, int n_close)
{
	size_t		len = strlen(prefix) + n * strlen(piece) + strlen(middle) + n_close * strlen(closing) + 1;
	char	   *s = malloc(len);

	strcpy(s, prefix);
	for (int i = 0; i < n; i++)
		strcat(s, piece);
	strcat(s, middle);
	for (int i = 0; i < n_close; i++)
		strcat(s, closing);
	return s;
}

static void
expect_limit(const char *label, const char *text, const char *message)
{
	SlfError	err;
	SlFormula  *f = compile(text, &err);

	CHECK(f == NULL && err.kind == SLF_ERR_LIMIT && strcmp(err.message, message) == 0,
		  "limit: %s: %s", label, f ? "compiled" : err.message);
	slf_free(f, AL);
}

static void
test_limits(void)
{
	char	   *s;
	SlfError	err;
	SlFormula  *f;

	s = repeat("x => a*", "(", 64, "x", ")", 64);
	f = compile(s, &err);
	CHECK(f != NULL, "64 nested parentheses compile");
	slf_free(f, AL);
	free(s);
	s = repeat("x => a*", "(", 65, "x", ")", 65);
	expect_limit("65 nested parentheses", s, "formula is nested deeper than 64 levels");
	free(s);
	s = repeat("x => a*", "(", 4000, "x", "", 0);
	expect_limit("4000 open parentheses (no stack overflow)", s, "formula is nested deeper than 64 levels");
	free(s);
	s = repeat("x => a*", "-", 2000, "x", "", 0);
	expect_limit("2000 unary minus", s, "formula is nested deeper than 64 levels");
	free(s);
	s = repeat("x => a*x", "^2", 1000, "", "", 0);
	expect_limit("x^2^2^... 1000 times", s, "formula is nested deeper than 64 levels");
	free(s);
	s = repeat("x => a*", "exp(", 100, "x", ")", 100);
	expect_limit("100 nested calls", s, "formula is nested deeper than 64 levels");
	free(s);
	s = repeat("x => a*x", " ", 4100, "", "", 0);
	f = compile(s, &err);
	CHECK(f == NULL && err.kind == SLF_ERR_LIMIT && err.pos == -1 &&
		  strcmp(err.message, "formula is longer than 4096 bytes") == 0, "longer than 4096 bytes: %s", err.message);
	free(s);
	{
		char		text[1024] = "x => p0*x";

		for (int p = 1; p <= 32; p++)
			sprintf(text + strlen(text), " + p%d*x^%d", p, p + 1);
		expect_limit("33 parameters", text, "formula has more than 32 parameters");
	}
	/* a long left-deep chain (depth 1 per level in the parser, 2000 in the tree) */
	s = repeat("x => a*x", " + 1", 1000, "", "", 0);
	f = compile(s, &err);
	CHECK(f != NULL && slf_n_columns(f) == 1 && slf_has_offset(f), "a chain of 1000 additions compiles");
	{
		double		p = 2,
					x = 3;

		CHECK(f && slf_predict(f, &p, &x) == 1006, "and predicts 2*3 + 1000");
	}
	slf_free(f, AL);
	free(s);
	s = repeat("x => a*x", " + x", 1000, "", "", 0);
	f = compile(s, &err);
	CHECK(f != NULL, "a chain of 1000 input additions compiles");
	slf_free(f, AL);
	free(s);
}

static double
rel_diff(double a, double b)
{
	double		scale = fmax(fabs(a), fabs(b));

	return scale == 0 ? 0 : fabs(a - b) / scale;
}

static void
test_chinchilla(void)
{
	SlfError	err;
	SlFormula  *f = compile("(N, D) => E + A / N^alpha + B / D^beta", &err);
	double		x[6] = {1e8, 2e9, 4e9, 1e11, 7e10, 1.4e12};
	double		theta[2] = {0.34, 0.28};
	double		G[9],
				dG[18];
	SlfParamRole r0,
				r1;
	double		worst = 0;

	CHECK(f && slf_n_params(f) == 5 && slf_n_nonlinear(f) == 2 && slf_n_columns(f) == 3 &&
		  !slf_has_offset(f), "Chinchilla: 5 parameters, 3 columns, theta 2, no offset");
	if (!f)
		return;
	CHECK(slf_column_param(f, 0) == 0 && slf_column_param(f, 1) == 1 && slf_column_param(f, 2) == 3 &&
		  slf_nonlinear_param(f, 0) == 2 && slf_nonlinear_param(f, 1) == 4,
		  "columns 1 [E], N^-alpha [A], D^-beta [B]; theta alpha, beta");
	slf_param_role(f, 0, &r0);
	slf_param_role(f, 1, &r1);
	CHECK(r0.role == SLF_ROLE_EXPONENT && r0.input == 0 && r1.role == SLF_ROLE_EXPONENT &&
		  r1.input == 1 && !r0.nonneg, "alpha, beta: exponents of N and D");
	CHECK(columns_at(f, x, 3, theta, G, NULL, dG, NULL), "columns admissible");
	for (int i = 0; i < 3; i++)
	{
		double		N = x[2 * i],
					D = x[2 * i + 1];

		worst = fmax(worst, fabs(G[i] - 1));
		worst = fmax(worst, rel_diff(G[3 + i], pow(N, -0.34)));
		worst = fmax(worst, rel_diff(G[6 + i], pow(D, -0.28)));
		/* d/dalpha N^-alpha = -ln N N^-alpha */
		worst = fmax(worst, rel_diff(dG[(0 * 3 + 1) * 3 + i], -log(N) * pow(N, -0.34)));
		worst = fmax(worst, fabs(dG[(0 * 3 + 2) * 3 + i]));
		worst = fmax(worst, rel_diff(dG[(1 * 3 + 2) * 3 + i], -log(D) * pow(D, -0.28)));
		worst = fmax(worst, fabs(dG[(1 * 3 + 0) * 3 + i]));
	}
	CHECK(worst < 1e-13, "columns and partials equal the direct C (worst relative %.2e)", worst);
	{
		double		coef[3] = {1.69, 406.4, 410.7};
		double		params[5];
		double		xp[2] = {7e10, 1.4e12};
		double		direct = 1.69 + 406.4 / pow(7e10, 0.34) + 410.7 / pow(1.4e12, 0.28);

		CHECK(slf_params_from_solution(f, theta, coef, params) && params[0] == 1.69 &&
			  params[1] == 406.4 && params[2] == 0.34 && params[3] == 410.7 && params[4] == 0.28,
			  "parameters from the solution");
		CHECK(rel_diff(slf_predict(f, params, xp), direct) < 1e-14, "predict equals the law in C: %.17g vs %.17g",
			  slf_predict(f, params, xp), direct);
	}
	slf_free(f, AL);
}

static void
test_laws(void)
{
	SlfError	err;
	SlFormula  *f;
	SlfParamRole role;

	/* Kaplan-style: nothing linear */
	f = compile("(N, D) => ((Nc/N)^(aN/aD) + Dc/D)^aD", &err);
	CHECK(f && slf_n_columns(f) == 0 && slf_has_offset(f) && slf_n_nonlinear(f) == 4,
		  "Kaplan: no linear parameter, 4 nonlinear, all in the offset");
	if (f)
	{
		double		params[4] = {8.8e13, 0.076, 0.095, 5.4e13};
		double		x[2] = {1e9, 2e10};
		double		direct = pow(pow(8.8e13 / 1e9, 0.076 / 0.095) + 5.4e13 / 2e10, 0.095);

		CHECK(rel_diff(slf_predict(f, params, x), direct) < 1e-13, "Kaplan predicts the law in C");
		{
			/* no column: the offset's partials without a dG array; d/dDc = aD (...)^(aD-1) / D */
			double		g0,
						dg0[4];
			double		inner = pow(8.8e13 / 1e9, 0.076 / 0.095) + 5.4e13 / 2e10;

			CHECK(columns_at(f, x, 1, params, NULL, &g0, NULL, dg0) &&
				  rel_diff(dg0[3], 0.095 * pow(inner, 0.095 - 1) / 2e10) < 1e-13,
				  "offset partials with dG NULL: %.17g", dg0[3]);
		}
	}
	slf_free(f, AL);

	/* the data-constrained law */
	f = compile("(N, D, U) => E + A/N^a + B/(U + U*R*(1 - exp(-(D/U - 1)/R)))^b", &err);
	CHECK(f && slf_n_columns(f) == 3 && !slf_has_offset(f) && slf_n_nonlinear(f) == 3 &&
		  slf_nonlinear_param(f, 0) == 2 && slf_nonlinear_param(f, 1) == 4 && slf_nonlinear_param(f, 2) == 5,
		  "data-constrained: E, A, B linear; a, R, b nonlinear");
	if (f)
	{
		double		params[6] = {1.9, 500, 0.35, 400, 15.4, 0.37};
		double		x[3] = {1e9, 1e11, 2e10};
		double		Deff = 2e10 + 2e10 * 15.4 * (1 - exp(-(1e11 / 2e10 - 1) / 15.4));
		double		direct = 1.9 + 500 / pow(1e9, 0.35) + 400 / pow(Deff, 0.37);

		CHECK(rel_diff(slf_predict(f, params, x), direct) < 1e-13, "data-constrained predicts the law in C");
		slf_param_role(f, 1, &role);
		CHECK(role.role == SLF_ROLE_OTHER && role.input == -1,
			  "R: other (a rate of U in U*R, beside an expression in (D/U - 1)/R: uses disagree)");
	}
	slf_free(f, AL);

	/* the vocabulary law */
	f = compile("(P, V, D) => c0 * P^-a * V^-g * D^-b + c1 * D^-h + c2", &err);
	CHECK(f && slf_n_columns(f) == 3 && !slf_has_offset(f) && slf_n_nonlinear(f) == 4 &&
		  slf_column_param(f, 0) == 0 && slf_column_param(f, 1) == 4 && slf_column_param(f, 2) == 6,
		  "vocabulary law: c0, c1, c2 linear; a, g, b, h nonlinear");
	if (f)
	{
		double		x[3] = {3e8, 32000, 5e10};
		double		theta[4] = {0.2, 0.1, 0.3, 0.25};
		double		G[3];
		double		direct = pow(3e8, -0.2) * pow(32000, -0.1) * pow(5e10, -0.3);

		CHECK(columns_at(f, x, 1, theta, G, NULL, NULL, NULL) && rel_diff(G[0], direct) < 1e-13 &&
			  rel_diff(G[1], pow(5e10, -0.25)) < 1e-13 && G[2] == 1, "vocabulary columns equal the law in C");
		slf_param_role(f, 1, &role);
		CHECK(role.role == SLF_ROLE_EXPONENT && role.input == 1, "g: exponent of V");
	}
	slf_free(f, AL);

	/* chains */
	f = compile("x => b1*(x^2 + b2*x)", &err);
	CHECK(f && slf_n_columns(f) == 2 && slf_n_nonlinear(f) == 0 && slf_column_param(f, 0) == 0 &&
		  slf_column_param(f, 1) == -1, "b1*(x^2 + b2*x): columns x^2 [b1] and x [b1*b2]");
	if (f)
	{
		double		coef[2] = {3, 6};
		double		params[2];
		double		x = 2;

		CHECK(slf_params_from_solution(f, NULL, coef, params) && params[0] == 3 && params[1] == 2,
			  "b2 = (b1*b2)/b1 = 2");
		CHECK(slf_predict(f, params, &x) == 24, "and predicts 3*(4 + 2*2)");
		coef[0] = 0;
		CHECK(!slf_params_from_solution(f, NULL, coef, params) && params[0] == 0 && isnan(params[1]),
			  "b1 = 0: b2 NaN and flagged");
	}
	slf_free(f, AL);

	/* a candidate multiplying itself, and products that cannot be divided back */
	f = compile("x => a*a*x + b", &err);
	CHECK(f && slf_n_nonlinear(f) == 1 && slf_nonlinear_param(f, 0) == 0 && slf_n_columns(f) == 1,
		  "a*a*x: a nonlinear, b linear");
	slf_free(f, AL);
	f = compile("x => a*x + a*b*x^2 + b*x^3", &err);
	CHECK(f && slf_n_nonlinear(f) == 1 && slf_nonlinear_param(f, 0) == 1 && slf_n_columns(f) == 1 &&
		  slf_has_offset(f), "a*x + a*b*x^2 + b*x^3: b nonlinear, one column for a");
	if (f)
	{
		double		params[2] = {1.5, -0.5};
		double		x = 3;

		CHECK(rel_diff(slf_predict(f, params, &x), 1.5 * 3 - 0.75 * 9 - 0.5 * 27) < 1e-15,
			  "and predicts the law");
	}
	slf_free(f, AL);
	f = compile("x => 2*a*x - b/x + c*(x - 1)/3", &err);
	CHECK(f && slf_n_columns(f) == 3 && slf_n_nonlinear(f) == 0, "literal factors and signs stay in columns");
	if (f)
	{
		double		x[1] = {4};
		double		G[3];

		CHECK(columns_at(f, x, 1, NULL, G, NULL, NULL, NULL) && G[0] == 8 && G[1] == -0.25 && G[2] == 1,
			  "columns 2x, -1/x, (x - 1)/3");
	}
	slf_free(f, AL);

	/* rewritten laws predict the law as written */
	{
		struct
		{
			const char *text;
			int			q;
			int			M;
			double		params[4];
			double		x;
			double		expect;
		}			cases[] = {
			{"x => a*(x - m)", 0, 2, {2, 3}, 5, 2 * (5.0 - 3)},
			{"x => (a + b*x)/(1 + c*x)", 1, 2, {1, 2, 0.5}, 3, (1 + 2 * 3.0) / (1 + 0.5 * 3)},
			{"x => -(a*x - b)/2 + c*(x + 1)*(x - 1)", 0, 3, {1.5, 4, -2}, 3, -(1.5 * 3 - 4) / 2 - 2 * 4 * 2.0},
			{"x => a*x + a*b*x^2 + 7", 0, 2, {2, -0.5}, 3, 2 * 3 - 1.0 * 9 + 7},
			{"x => a*(1 - exp(-k*x)) - a", 1, 1, {3, 0.2}, 2, 3 * (1 - exp(-0.2 * 2)) - 3},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		{
			f = compile(cases[i].text, &err);
			CHECK(f && slf_n_nonlinear(f) == cases[i].q && slf_n_columns(f) == cases[i].M &&
				  rel_diff(slf_predict(f, cases[i].params, &cases[i].x), cases[i].expect) < 1e-15,
				  "%s: %d nonlinear, %d columns, predicts %.17g (law %.17g)", cases[i].text,
				  f ? slf_n_nonlinear(f) : -1, f ? slf_n_columns(f) : -1,
				  f ? slf_predict(f, cases[i].params, &cases[i].x) : NAN, cases[i].expect);
			slf_free(f, AL);
		}
	}
	f = compile("x => a*(b*x + c*(x^2 + d*x))", &err);
	CHECK(f == NULL && err.kind == SLF_ERR_LAW &&
		  strcmp(err.message, "parameters \"a\" and \"b\" are only identifiable as their product") == 0,
		  "a*(b*x + c*(x^2 + d*x)): %s", err.message);

	/* the Gaussian */
	f = compile("x => a*exp(-(x - m)^2/s^2)", &err);
	CHECK(f && slf_n_columns(f) == 1 && slf_n_nonlinear(f) == 2, "Gaussian: a linear; m, s nonlinear");
	if (f)
	{
		slf_param_role(f, 0, &role);
		CHECK(role.role == SLF_ROLE_LOCATION && role.input == 0 && !role.nonneg, "m: location of x");
		slf_param_role(f, 1, &role);
		CHECK(role.role == SLF_ROLE_OTHER && role.nonneg, "s: other (beside (x - m)^2, not an input), sign-free");
	}
	slf_free(f, AL);
	f = compile("x => a*exp(-k*x) + c", &err);
	if (f)
	{
		slf_param_role(f, 0, &role);
		CHECK(role.role == SLF_ROLE_RATE && !role.inverse && role.input == 0, "exp(-k*x): k a rate");
	}
	slf_free(f, AL);
	f = compile("(N, D) => a*exp(t*ln(D)) + b*pow(N, u)", &err);
	if (f)
	{
		SlfParamRole r2;

		slf_param_role(f, 0, &role);
		slf_param_role(f, 1, &r2);
		CHECK(role.role == SLF_ROLE_EXPONENT && role.input == 1 && r2.role == SLF_ROLE_EXPONENT &&
			  r2.input == 0, "exp(t*ln(D)) and pow(N, u): exponents");
	}
	slf_free(f, AL);
}

/* partials against central differences at random points and parameters */
static void
check_partials(const char *text, int k, const double *lo, const double *hi, const double *tlo,
			   const double *thi, uint64_t *rng)
{
	SlfError	err;
	SlFormula  *f = compile(text, &err);
	int			m = 17;
	int			q,
				M;
	double	   *x,
			   *G,
			   *g0,
			   *dG,
			   *dg0,
			   *Gp,
			   *Gm,
			   *g0p,
			   *g0m;
	double		theta[SLF_MAX_NONLINEAR];
	double		worst = 0;
	SlfBound   *b;
	int			tries = 0;
	bool		ok = true;

	if (f == NULL)
	{
		CHECK(false, "%s compiles: %s", text, err.message);
		return;
	}
	q = slf_n_nonlinear(f);
	M = slf_n_columns(f);
	x = malloc(sizeof(double) * m * k);
	G = malloc(sizeof(double) * m * (M + 1));
	Gp = malloc(sizeof(double) * m * (M + 1));
	Gm = malloc(sizeof(double) * m * (M + 1));
	g0 = malloc(sizeof(double) * m);
	g0p = malloc(sizeof(double) * m);
	g0m = malloc(sizeof(double) * m);
	dG = malloc(sizeof(double) * m * (M + 1) * (q + 1));
	dg0 = malloc(sizeof(double) * m * (q + 1));
	for (int i = 0; i < m * k; i++)
		x[i] = tu_unif(rng, lo[i % k], hi[i % k]);
	b = slf_bind(f, x, m, AL, &err);
	for (int trial = 0; b && trial < 20; trial++)
	{
		for (int j = 0; j < q; j++)
			theta[j] = tu_unif(rng, tlo[j], thi[j]);
		tries++;
		if (!slf_columns(b, theta, G, g0, dG, dg0))
			continue;
		for (int j = 0; j < q; j++)
		{
			double		t0 = theta[j];
			double		h = 1e-5 * fmax(1, fabs(t0));
			bool		okp,
						okm;

			theta[j] = t0 + h;
			okp = slf_columns(b, theta, Gp, g0p, NULL, NULL);
			theta[j] = t0 - h;
			okm = slf_columns(b, theta, Gm, g0m, NULL, NULL);
			theta[j] = t0;
			if (!okp || !okm)
				continue;
			for (int c = 0; c <= M; c++)
			{
				const double *an = c < M ? dG + ((size_t) j * M + c) * m : dg0 + (size_t) j * m;
				const double *vp = c < M ? Gp + (size_t) c * m : g0p;
				const double *vm = c < M ? Gm + (size_t) c * m : g0m;
				const double *v = c < M ? G + (size_t) c * m : g0;
				double		scale = 0,
							vmax = 0,
							err_max = 0;

				if (c == M && !slf_has_offset(f))
					continue;
				for (int i = 0; i < m; i++)
				{
					scale = fmax(scale, fabs(an[i]));
					vmax = fmax(vmax, fabs(v[i]));
					err_max = fmax(err_max, fabs((vp[i] - vm[i]) / (2 * h) - an[i]));
				}
				/* relative to the partials, or to the differences' own rounding noise */
				scale = fmax(scale, 1e3 * DBL_EPSILON * vmax / h);
				if (scale > 0)
					worst = fmax(worst, err_max / scale);
			}
		}
		/* the same theta again: the same bits */
		if (slf_columns(b, theta, Gp, g0p, NULL, NULL))
			ok &= memcmp(Gp, G, sizeof(double) * m * M) == 0 &&
				(!slf_has_offset(f) || memcmp(g0p, g0, sizeof(double) * m) == 0);
	}
	CHECK(b != NULL && worst < 1e-6 && ok, "partials of %s match central differences (worst relative %.1e), "
		  "evaluation repeats bit for bit", text, worst);
	slf_bound_free(b, AL);
	slf_free(f, AL);
	free(x);
	free(G);
	free(Gp);
	free(Gm);
	free(g0);
	free(g0p);
	free(g0m);
	free(dG);
	free(dg0);
}

static void
test_partials(void)
{
	uint64_t	rng = 9;
	double		lo1[1] = {0.5},
				hi1[1] = {20};
	double		lo2[2] = {1e3, 1e4},
				hi2[2] = {1e6, 1e8};
	double		lo3[3] = {1e6, 1e3, 1e8},
				hi3[3] = {1e9, 1e5, 1e11};
	double		tl[8] = {-1, -1, -1, -1, -1, -1, -1, -1},
				th[8] = {1, 1, 1, 1, 1, 1, 1, 1};
	double		tl0[8] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1},
				th0[8] = {0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};
	double		tlg[3] = {2, 0.5, 0},
				thg[3] = {10, 3, 1};
	const char *one_input[] = {
		"x => a*exp(-k*x) + c*exp(-d*x)",
		"x => a/(1 + exp(-k*(x - m))) + c",
		"x => a*sin(w*x + p) + c",
		"x => a*x^t/(1 + x^t) + c*log(2 + t, x)",
		"x => a*sqrt(x*t + 1) + b*abs(x - t) + c*atan(t*x) + d*tanh(t*x)",
		"x => a*sigmoid(t*x - 3) + b*softplus(t*x - 3) + c*expm1(t) + d*log1p(t*x)",
		"x => a*min(t*x, 5) + b*max(t*x, 5) + c*log10(x + t) + d*log2(x*t*t + 1)",
		"x => a*(x - t)^3 + b*x^-2*t^2 + c*2^t + d*x^(-t)",
		"x => L + a*x^-t",
	};
	const char *many_inputs[] = {
		"(N, D) => E + A / N^alpha + B / D^beta",
		"(N, D) => ((N0/N)^(u/v) + D0/D)^v",
	};

	for (size_t i = 0; i < sizeof(one_input) / sizeof(one_input[0]); i++)
		check_partials(one_input[i], 1, lo1, hi1, tl0, th0, &rng);
	check_partials("x => a*exp(-(x - m)^2/s^2) + c", 1, lo1, hi1, tlg, thg, &rng);
	check_partials("x => a*exp(-k*x) + b*x^t + c*exp(-(x - m)^2)", 1, lo1, hi1, tl, th, &rng);
	check_partials(many_inputs[0], 2, lo2, hi2, tl0, th0, &rng);
	{
		double		tk[4] = {1e4, 0.2, 0.3, 1e5},
					hk[4] = {1e7, 1, 0.9, 1e8};

		check_partials(many_inputs[1], 2, lo2, hi2, tk, hk, &rng);
	}
	check_partials("(P, V, D) => c0 * P^-a * V^-g * D^-b + c1 * D^-h + c2", 3, lo3, hi3, tl0, th0, &rng);
}

static void
test_bind_and_admissibility(void)
{
	SlfError	err;
	SlFormula  *f = compile("(N, D) => A*ln(D) + b*N", &err);
	double		x[6] = {1, 2, 3, 4, 5, -1};
	SlfBound   *b;

	b = f ? slf_bind(f, x, 3, AL, &err) : NULL;
	CHECK(b == NULL && err.kind == SLF_ERR_NOT_FINITE && strcmp(err.message, "ln(D) is not finite at D = -1") == 0,
		  "bind: %s", err.message);
	slf_free(f, AL);
	f = compile("(N, D) => A*exp(1/(N - D)) + c", &err);
	x[5] = 5;
	b = f ? slf_bind(f, x, 3, AL, &err) : NULL;
	CHECK(b == NULL && strcmp(err.message, "1/(N - D) is not finite at N = 5, D = 5") == 0,
		  "bind names the innermost sub-expression and the inputs it uses: %s", err.message);
	slf_free(f, AL);

	f = compile("x => a*x^t + c*exp(k*x)", &err);
	if (f)
	{
		double		xs[3] = {1, 2, -3};
		double		theta[2] = {0.5, 1};
		double		G[6],
					dG[12];

		b = slf_bind(f, xs, 2, AL, &err);
		CHECK(b && slf_columns(b, theta, G, NULL, dG, NULL), "x^t on x > 0 admissible");
		theta[1] = 800;
		CHECK(b && !slf_columns(b, theta, G, NULL, dG, NULL), "exp(800*x) overflows: inadmissible");
		CHECK(b && !slf_columns(b, theta, G, NULL, NULL, NULL), "inadmissible without partials too");
		slf_bound_free(b, AL);
		b = slf_bind(f, xs, 3, AL, &err);
		CHECK(b == NULL && err.kind == SLF_ERR_NOT_FINITE &&
			  strcmp(err.message, "the base of x^t is not positive at x = -3") == 0,
			  "x^t at x = -3: %s", err.message);
	}
	slf_free(f, AL);
	f = compile("x => a*(x - t)^u", &err);
	if (f)
	{
		double		xs[2] = {1, 2};
		double		theta[2] = {1.5, 0.5};
		double		G[2];

		b = slf_bind(f, xs, 2, AL, &err);
		CHECK(b && !slf_columns(b, theta, G, NULL, NULL, NULL), "(x - t)^u with x - t < 0: inadmissible, not NaN");
		theta[0] = 0.5;
		CHECK(b && slf_columns(b, theta, G, NULL, NULL, NULL) && G[1] == exp(0.5 * log(1.5)),
			  "and admissible where x - t > 0");
		slf_bound_free(b, AL);
	}
	slf_free(f, AL);
}

static void
test_canonical(void)
{
	SlfError	err;
	SlFormula  *f;

	f = compile("x => a*exp(-b*x) + c*exp(-d*x) + e", &err);
	if (f)
	{
		double		p[5] = {1, 3, 2, 0.5, 7};
		double		x = 1.3;
		double		before = slf_predict(f, p, &x);

		slf_canonicalize(f, p);
		CHECK(p[0] == 2 && p[1] == 0.5 && p[2] == 1 && p[3] == 3 && p[4] == 7 && slf_predict(f, p, &x) == before,
			  "sum of exponentials ordered by rate, coefficients move with them");
	}
	slf_free(f, AL);
	f = compile("x => a*exp(-(x - m)^2/s^2) + b*exp(-(x - n)^2/t^2)", &err);
	if (f)
	{
		double		p[6] = {1, 5, -2, 3, 1, -0.5};

		slf_canonicalize(f, p);
		CHECK(p[0] == 3 && p[1] == 1 && p[2] == 0.5 && p[3] == 1 && p[4] == 5 && p[5] == 2,
			  "Gaussians: widths made non-negative, peaks ordered by location");
	}
	slf_free(f, AL);
	f = compile("x => a*exp(-b*x) - c*exp(-d*x)", &err);
	if (f)
	{
		double		p[4] = {1, 3, 2, 0.5};

		slf_canonicalize(f, p);
		CHECK(p[0] == 1 && p[1] == 3 && p[2] == 2 && p[3] == 0.5, "terms of opposite sign are not swapped");
	}
	slf_free(f, AL);
	f = compile("x => a*exp(-b*x) + c*exp(-b*x^2)", &err);
	if (f)
	{
		double		p[3] = {1, 3, 2};

		slf_canonicalize(f, p);
		CHECK(p[0] == 1 && p[1] == 3 && p[2] == 2, "terms sharing a parameter are not swapped");
	}
	slf_free(f, AL);
	f = compile("t => a + p1*cos(t/P) + q1*sin(t/P) + p2*cos(t/R) + q2*sin(t/R)", &err);
	if (f)
	{
		/* parameters in order of appearance: a, p1, P, q1, p2, R, q2 */
		double		p[7] = {1, 0.5, 10, -2, 3, 30, 4};
		double		x = 7.7;
		double		before = slf_predict(f, p, &x);

		slf_canonicalize(f, p);
		/* the same law: the terms' sum in another order, to rounding */
		CHECK(p[1] == 3 && p[2] == 30 && p[3] == 4 && p[4] == 0.5 && p[5] == 10 && p[6] == -2 &&
			  fabs(slf_predict(f, p, &x) - before) <= 1e-15 * fabs(before),
			  "periods with their cos and sin amplitudes move as units, ordered by rate (30 before 10)");
	}
	slf_free(f, AL);
	f = compile("x => a1*exp(-b1*x) + a2*exp(-b2*x)", &err);
	if (f)
	{
		double		p[4] = {2, 2, 3, 0.5};
		double		lo[4] = {-INFINITY, 1, -INFINITY, -INFINITY},
					hi[4] = {INFINITY, 5, INFINITY, INFINITY};
		bool		flags[4] = {false, true, false, false};
		double		q[4] = {2, 2, 3, 0.5};
		double		lo2[4] = {-INFINITY, 0.6, -INFINITY, 0.6},
					hi2[4] = {INFINITY, 5, INFINITY, 5};
		bool		flags2[4] = {false, false, false, true};

		slf_canonicalize_within(f, p, flags, lo, hi);
		CHECK(p[0] == 2 && p[1] == 2 && p[2] == 3 && p[3] == 0.5 && flags[1],
			  "terms stay as fitted where a bound tells them apart (b1 in [1, 5] only)");
		slf_canonicalize_within(f, q, flags2, lo2, hi2);
		CHECK(q[0] == 3 && q[1] == 0.5 && q[2] == 2 && q[3] == 2 && flags2[1] && !flags2[3],
			  "with the same bounds term for term they are ordered, their flags with them");
	}
	slf_free(f, AL);
	f = compile("x => a*x^t + b*abs(s)*x + c*(x - u)^2", &err);
	if (f)
	{
		double		p[6] = {1, -0.5, 1, -2, 1, -3};

		slf_canonicalize(f, p);
		CHECK(p[1] == -0.5 && p[3] == 2 && p[5] == -3, "abs(s) made non-negative; t and u keep their signs");
	}
	slf_free(f, AL);
}

/* slf_predict_jacobian against the derivatives written out by hand */
static void
test_jacobian(void)
{
	struct
	{
		const char *text;
		double		params[5];
		double		x[2];
		double		expect[5];
	}			cases[] = {
		/* E, A, alpha, B, beta at N = 1e9, D = 2e10 */
		{"(N, D) => E + A / N^alpha + B / D^beta", {1.69, 406.4, 0.34, 410.7, 0.28}, {1e9, 2e10},
		{1, pow(1e9, -0.34), -406.4 * pow(1e9, -0.34) * log(1e9), pow(2e10, -0.28),
		-410.7 * pow(2e10, -0.28) * log(2e10)}},
		/* b1 and b2 solved as the products b1, b1*b2 */
		{"x => b1*(x^2 + b2*x)", {1.5, -0.25}, {3, 0}, {9 - 0.75, 1.5 * 3}},
		{"x => a*exp(-b*x) + c", {2, 0.7, 0.5}, {1.3, 0}, {exp(-0.91), -2 * 1.3 * exp(-0.91), 1}},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		SlfError	err;
		SlFormula  *f = compile(cases[i].text, &err);
		int			np = f ? slf_n_params(f) : 0,
					which[5];
		double		jac[5],
					work[4096],
					worst = 0,
					v = NAN;
		double		par[5];

		if (f == NULL || (size_t) slf_jacobian_work(f, np) > sizeof(work) / sizeof(work[0]))
		{
			CHECK(false, "%s compiles, with a small Jacobian workspace", cases[i].text);
			continue;
		}
		/* the cases list parameters in order of first appearance, as the formula numbers them */
		for (int p = 0; p < np; p++)
		{
			which[p] = p;
			par[p] = cases[i].params[p];
		}
		v = slf_predict_jacobian(f, par, cases[i].x, which, np, work, jac);
		for (int p = 0; p < np; p++)
			worst = fmax(worst, fabs(jac[p] - cases[i].expect[p]) / fmax(fabs(cases[i].expect[p]), 1e-300));
		CHECK(worst < 1e-14 && same_bits(v, slf_predict(f, par, cases[i].x)),
			  "%s: Jacobian by the parameters equals the derivatives by hand (worst %.2e), value predict's bits",
			  cases[i].text, worst);
		slf_free(f, AL);
	}
}

void
test_formula(void)
{
	test_jacobian();
	test_precedence();
	test_functions();
	test_folding();
	test_errors();
	test_limits();
	test_chinchilla();
	test_laws();
	test_partials();
	test_bind_and_admissibility();
	test_canonical();
}
