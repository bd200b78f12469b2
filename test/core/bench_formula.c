/*
 * bench_formula.c -- time formula_fit of Chinchilla's law against the
 * two-input preset power_law_fit on the same points (no PostgreSQL):
 * groups of 20 noisy points (5 x 4 sizes, as bench case 8) and, when a
 * path to sldbench's moe/data.csv is given, the moe points at step 249000.
 * make -C test/core bench-formula   (or ./bench_formula GROUPS [MOE_CSV])
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formula_fit.h"
#include "power_law.h"

static const char chin[] = "(N, D) => E + A / N^alpha + B / D^beta";

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/* a deterministic uniform in [0, 1) */
static double
unif(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double) (*s >> 11) / 9007199254740992.0;
}

/* times one fit of each kind on sp; adds to the totals; returns the rmse ratio */
static double
time_pair(const SlFormula *f, const SortedPoints *sp, double *t_formula, double *t_preset,
		  int reps, bool show)
{
	const SlAlloc *al = &sl_malloc_alloc;
	FormulaSpec fs;
	FormulaFit ff;
	PowerLawSpec ps;
	PowerLawFit pf;
	SlfError err;
	double		t0;
	FormulaStatus fst = FF_OK;
	FitStatus	pst = FIT_OK;

	formula_default_spec(&fs);
	fs.lo[slf_param_index(f, "alpha")] = 0;
	fs.lo[slf_param_index(f, "beta")] = 0;
	power_law_default_spec(&ps, 2);
	t0 = now();
	for (int r = 0; r < reps; r++)
		fst = formula_fit(f, sp, &fs, al, &ff, &err);
	*t_formula += (now() - t0) / reps;
	t0 = now();
	for (int r = 0; r < reps; r++)
		pst = power_law_fit(sp, &ps, al, &pf);
	*t_preset += (now() - t0) / reps;
	if (show)
		printf("  formula %d rmse %.12g E %.8g alpha %.8g beta %.8g | preset %d rmse %.12g l_inf %.8g alpha %.8g beta %.8g\n",
			   fst, ff.rmse, ff.params[slf_param_index(f, "E")], ff.params[slf_param_index(f, "alpha")],
			   ff.params[slf_param_index(f, "beta")], pst, pf.rmse, pf.l_inf, pf.expo[0], pf.expo[1]);
	if (fst != FF_OK || pst != FIT_OK)
		return NAN;
	return ff.rmse / pf.rmse;
}

int
main(int argc, char **argv)
{
	const SlAlloc *al = &sl_malloc_alloc;
	int			groups = argc > 1 ? atoi(argv[1]) : 200;
	SlfError	err;
	SlFormula  *f = slf_compile(chin, strlen(chin), al, &err);
	unsigned long long seed = 42;
	double		tf = 0,
				tp = 0,
				worst = 0;
	int			worse = 0;

	if (f == NULL || groups < 1)
	{
		fprintf(stderr, "usage: bench_formula [GROUPS] [MOE_CSV]\n");
		return 2;
	}
	for (int g = 0; g < groups; g++)
	{
		PointSet	pset;
		SortedPoints sp;
		double		l = 1 + unif(&seed),
					a = 100 + 400 * unif(&seed),
					alpha = 0.2 + 0.2 * unif(&seed),
					b = 100 + 400 * unif(&seed),
					beta = 0.2 + 0.2 * unif(&seed),
					ratio;

		ps_init(&pset, 2);
		for (int i = 0; i < 5; i++)
			for (int j = 0; j < 4; j++)
			{
				double		x[2] = {1e7 * pow(3, i), 1e9 * pow(10, j)};
				double		y = l + a * pow(x[0], -alpha) + b * pow(x[1], -beta) +
					0.01 * (2 * unif(&seed) - 1);

				ps_add(&pset, x, y, al);
			}
		ps_sorted(&pset, &sp, al);
		ratio = time_pair(f, &sp, &tf, &tp, 1, g < 2);
		if (!(ratio <= 1 + 1e-9))
			worse++;
		if (fabs(ratio - 1) > worst)
			worst = fabs(ratio - 1);
		ps_sorted_free(&sp, al);
		ps_free(&pset, al);
	}
	printf("%d groups x 20 points: formula %.1f us, preset %.1f us per group: ratio %.2f; "
		   "formula rmse worse in %d, worst rmse difference %.1e\n",
		   groups, tf / groups * 1e6, tp / groups * 1e6, tf / tp, worse, worst);
	if (argc > 2)
	{
		FILE	   *fp = fopen(argv[2], "r");
		char		line[4096];
		PointSet	pset;
		SortedPoints sp;
		int			m = 0;

		if (fp == NULL)
		{
			perror(argv[2]);
			return 2;
		}
		ps_init(&pset, 2);
		if (fgets(line, sizeof line, fp) == NULL)
			return 2;
		/* columns: step 2, loss_validation 7, num_experts 9, dense_parameter_count 20 */
		while (fgets(line, sizeof line, fp))
		{
			char	   *fld[32],
					   *rest = line,
					   *p;
			int			nf = 0;

			/* strsep keeps empty fields, so the column numbers hold */
			while ((p = strsep(&rest, ",")) != NULL && nf < 32)
				fld[nf++] = p;
			if (nf < 20 || strcmp(fld[1], "249000") != 0)
				continue;
			{
				double		x[2] = {atof(fld[19]), atof(fld[8])};

				ps_add(&pset, x, atof(fld[6]), al);
				m++;
			}
		}
		fclose(fp);
		ps_sorted(&pset, &sp, al);
		tf = tp = 0;
		time_pair(f, &sp, &tf, &tp, 20, true);
		printf("moe (%d points): formula %.3f ms, preset %.3f ms per fit: ratio %.2f\n",
			   m, tf * 1e3, tp * 1e3, tf / tp);
		ps_sorted_free(&sp, al);
		ps_free(&pset, al);
	}
	slf_free(f, al);
	return 0;
}
