/*
 * gen_seeds.c -- writes the committed seed corpus of the fuzz targets
 * (corpus/<target>/<name>): a few valid stored values built through the
 * core from rows, their text forms, pairs of them for the merge, row
 * streams in fuzz_solver's input format, and formulas for fuzz_formula (a
 * selector byte, then the text).  make -C test/fuzz seeds runs it;
 * the output is deterministic.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit_points.h"
#include "sl_alloc.h"

#define AL (&sl_malloc_alloc)

typedef struct Value
{
	const char *name;
	unsigned char *buf;
	size_t		len;
	int			k;
} Value;

static void
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char		path[512];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
}

/*
 * A value of `rows` rows with k inputs: `distinct` distinct inputs (row i
 * uses input i % distinct), y a power law scaled by `scale` with a
 * deterministic wobble.
 */
static Value
make_value(const char *name, int k, int rows, int distinct, double scale)
{
	PointSet	ps;
	Value		v = {name, NULL, 0, k};

	ps_init(&ps, k);
	for (int i = 0; i < rows; i++)
	{
		int			d = i % distinct;
		double		x[SL_MAX_POINT_INPUTS];
		double		y;

		for (int j = 0; j < k; j++)
			x[j] = 1000.0 * pow(2.0, d + j) + 7.0 * (d % (j + 2));
		y = scale * (1.7 + 400.0 * pow(x[0], -0.3) + 0.01 * sin(i * 1.3));
		if (ps_add(&ps, x, y, AL) != PS_OK)
			exit(1);
	}
	if (fp_from_point_set(&ps, &v.buf, &v.len, AL) != FP_OK ||
		fp_validate(v.buf, v.len, k, &(FpInfo) {0}, AL) != FP_OK)
	{
		fprintf(stderr, "%s does not validate\n", name);
		exit(1);
	}
	ps_free(&ps, AL);
	return v;
}

/* an exact sum of a non-negative integer v in its minimal form: i32 lo, i32 d, d x i64 */
static size_t
put_integer_sum(unsigned char *out, uint64_t v)
{
	int64_t		dig[3] = {(int64_t) (v & 0xffffffffu), (int64_t) (v >> 32), 0};
	int32_t		lo = 0,
				d = 3;
	size_t		n = 0;

	if (v == 0)
		d = 0;
	else
	{
		/* a highest digit of 2^31 or more needs a zero digit above it (sign) */
		while (d > 1 && dig[d - 1] == 0 && dig[d - 2] < ((int64_t) 1 << 31))
			d--;
		while (dig[lo] == 0)
			lo++;
		d -= lo;
	}
	memcpy(out + n, &lo, 4);
	memcpy(out + n + 4, &d, 4);
	n += 8;
	for (int i = 0; i < d; i++, n += 8)
		memcpy(out + n, &dig[lo + i], 8);
	return n;
}

/*
 * A one-input value of one entry, x = 1000, holding w rows of y = 1: the
 * counts no test can reach by adding rows (sum of y and of y^2 both w).
 */
static Value
huge_count_value(const char *name, uint64_t w)
{
	Value		v = {name, malloc(128), 0, 1};
	unsigned char *p = v.buf;
	int32_t		m = 1;
	int64_t		n = (int64_t) w;
	double		x = 1000.0;

	p[0] = FP_FORMAT_VERSION;
	p[1] = 1;
	p[2] = p[3] = 0;
	memcpy(p + 4, &m, 4);
	memcpy(p + 8, &n, 8);
	v.len = 16;
	v.len += put_integer_sum(p + v.len, w);
	memcpy(p + v.len, &x, 8);
	memcpy(p + v.len + 8, &n, 8);
	v.len += 16;
	v.len += put_integer_sum(p + v.len, w);
	return v;
}

/* fuzz_solver input: header, then rows of ordinary x (tag 0..63) and law y (tag 192) */
static void
solver_seed(const char *dir, const char *name, int head, const unsigned char *bounds,
			size_t nb, int rows)
{
	unsigned char buf[1024];
	size_t		n = 0;
	int			k = 1 + head % 3;

	buf[n++] = (unsigned char) head;
	memcpy(buf + n, bounds, nb);
	n += nb;
	for (int i = 0; i < rows; i++)
	{
		for (int j = 0; j < k; j++)
		{
			buf[n++] = (unsigned char) (i * 5 + j * 3) % 64;	/* ordinary value */
			buf[n++] = (unsigned char) (((i + j) % 16) << 4 | (4 + (i * 7 + j) % 9));
		}
		buf[n++] = 192;			/* law value of the first input */
		buf[n++] = (unsigned char) (i * 37);
	}
	write_file(dir, name, buf, n);
}

int
main(int argc, char **argv)
{
	const char *top = argc > 1 ? argv[1] : "corpus";
	char		d_bin[256],
				d_text[256],
				d_merge[256],
				d_solver[256],
				d_formula[256];
	Value		vals[16];
	int			nv = 0;

	snprintf(d_bin, sizeof(d_bin), "%s/fuzz_binary", top);
	snprintf(d_text, sizeof(d_text), "%s/fuzz_text", top);
	snprintf(d_merge, sizeof(d_merge), "%s/fuzz_merge", top);
	snprintf(d_solver, sizeof(d_solver), "%s/fuzz_solver", top);
	snprintf(d_formula, sizeof(d_formula), "%s/fuzz_formula", top);

	vals[nv++] = make_value("empty1", 1, 0, 1, 1.0);
	vals[nv++] = make_value("distinct1", 1, 12, 12, 1.0);
	vals[nv++] = make_value("repeats1", 1, 30, 5, -1.0);
	vals[nv++] = make_value("huge_y1", 1, 6, 3, 1e300);
	vals[nv++] = make_value("tiny_y1", 1, 6, 4, 1e-310);
	vals[nv++] = make_value("repeats2", 2, 14, 6, 1.0);
	vals[nv++] = make_value("repeats3", 3, 10, 4, 2.0);
	vals[nv++] = make_value("empty3", 3, 0, 1, 1.0);
	/* counts at the edges of what a double and a bigint hold (issue 8 item 4) */
	vals[nv++] = huge_count_value("rows2p52", (uint64_t) 1 << 52);
	vals[nv++] = huge_count_value("rows2p52plus1", ((uint64_t) 1 << 52) + 1);
	vals[nv++] = huge_count_value("rows2p62plus1", ((uint64_t) 1 << 62) + 1);
	/* fit_pointsn: more inputs than the presets take (version 1.3) */
	vals[nv++] = make_value("repeats5", 5, 12, 5, 1.0);
	vals[nv++] = make_value("distinct8", 8, 9, 9, 1.0);
	vals[nv++] = make_value("repeats8", 8, 20, 6, -3.0);

	for (int i = 0; i < nv; i++)
	{
		char	   *text = malloc(2 * vals[i].len + 3);

		write_file(d_bin, vals[i].name, vals[i].buf, vals[i].len);
		fp_text_encode(vals[i].buf, vals[i].len, text, &sl_malloc_alloc);
		write_file(d_text, vals[i].name, text, strlen(text));
		free(text);
	}

	/* merge pairs: u16 length of a, then a and b */
	{
		static const int pairs[][2] = {{1, 2}, {2, 2}, {1, 0}, {3, 3}, {5, 5}, {6, 7}, {4, 1},
		{8, 9}, {10, 10}, {11, 11}, {12, 13}, {13, 13}};

		for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++)
		{
			const Value *a = &vals[pairs[p][0]],
					   *b = &vals[pairs[p][1]];
			unsigned char *buf = malloc(2 + a->len + b->len);
			char		name[64];

			buf[0] = (unsigned char) (a->len & 0xff);
			buf[1] = (unsigned char) (a->len >> 8);
			memcpy(buf + 2, a->buf, a->len);
			memcpy(buf + 2 + a->len, b->buf, b->len);
			snprintf(name, sizeof(name), "%s+%s", a->name, b->name);
			write_file(d_merge, name, buf, 2 + a->len + b->len);
			free(buf);
		}
	}

	/* solver: k = 1, 2, 3 without bounds, then with some */
	solver_seed(d_solver, "law1", 0, NULL, 0, 20);
	solver_seed(d_solver, "law2", 1, NULL, 0, 24);
	solver_seed(d_solver, "law3", 2, NULL, 0, 30);
	{
		/* l_inf in [0, 1] (bit 0), alpha in [0.5, 1000] (bit 2); specials by tag */
		static const unsigned char b1[] = {0x05, 64 + 3, 64 + 13, 64 + 20, 64 + 24};
		/* log law: b in [-1, 0] */
		static const unsigned char b2[] = {0x02, 64 + 14, 64 + 3};

		solver_seed(d_solver, "law1_bounds", 0 | 4, b1, sizeof(b1), 20);
		solver_seed(d_solver, "law2_logbounds", 1 | 8, b2, sizeof(b2), 20);
	}
	/* formulas: the laws, every function and operator, and errors */
	{
		static const char *const formulas[] = {
			"(N, D) => E + A / N^alpha + B / D^beta",
			"N => L + a * N^-alpha",
			"(P, V, D) => c0 * P^-a * V^-g * D^-b + c1 * D^-h + c2",
			"(N, D, U) => E + A/N^a + B/(U + U*R*(1 - exp(-(D/U - 1)/R)))^b",
			"(N, D) => ((Nc/N)^(aN/aD) + Dc/D)^aD",
			"x => b1*(x^2 + b2*x)",
			"x => a*exp(-(x - m)^2/s^2) + b*exp(-(x - n)^2/t^2)",
			"x => a*exp(-k*x) + c*exp(-d*x) + e",
			"x => a/(1 + exp(-k*(x - m))) + c*sin(w*x + p)",
			"x => a*sqrt(t*x) + b*abs(x - t) + c*atan(t) + d*tanh(t*x) + e*log(2, x)",
			"x => a*sigmoid(t*x) + b*softplus(t) + c*expm1(t) + d*log1p(x) + f*log10(x) + g*log2(x)",
			"x => a*min(x, t) + b*max(x, t) + c*pow(x, t) + d*cos(x)**2 + e*pi*ln(x)",
			"(N, D, L, B, S, T, U, V) => a*N*D*L*B*S*T*U*V + b*x^-3^-2",
			"x => a*a*x + a*x + b*x^3 - -c",
			"N => A*B*N^-alpha",
			"x => a*x + b*x",
			"x => a*log(x)",
			"x => a*foo(x) + 1e999",
			"(N, N) => ((a",
			"x => a*(((((((((((((((((((((x)))))))))))))))))))))",
		};

		for (size_t i = 0; i < sizeof(formulas) / sizeof(formulas[0]); i++)
		{
			size_t		n = strlen(formulas[i]);
			unsigned char *buf = malloc(n + 1);
			char		name[32];

			buf[0] = (unsigned char) (i * 29);
			memcpy(buf + 1, formulas[i], n);
			snprintf(name, sizeof(name), "formula%02zu", i);
			write_file(d_formula, name, buf, n + 1);
			free(buf);
		}
	}
	for (int i = 0; i < nv; i++)
		free(vals[i].buf);
	return 0;
}
