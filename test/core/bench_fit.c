/*
 * bench_fit.c -- time power_law_fit alone (no PostgreSQL): a 1-input fit of
 * m points (20 sizes, 1% deterministic noise), repeated, mean per fit.
 * make -C test/core bench-fit   (m = 20, 20000 fits; or ./bench_fit M REPS)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "power_law.h"

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	int			m = argc > 1 ? atoi(argv[1]) : 20;
	int			reps = argc > 2 ? atoi(argv[2]) : 20000;
	const SlAlloc *al = &sl_malloc_alloc;
	double		total = 0.0;

	if (m < 5 || reps < 1)
	{
		fprintf(stderr, "usage: bench_fit [M >= 5] [REPS >= 1]\n");
		return 2;
	}
	for (int r = 0; r < reps; r++)
	{
		PointSet	ps;
		SortedPoints sp;
		PowerLawSpec spec;
		PowerLawFit fit;
		FitStatus	st;
		double		t0;

		ps_init(&ps, 1);
		for (int i = 0; i < m; i++)
		{
			double		x = 1e6 * pow(1.5, i % 20) * (1 + (i / 20) * 1e-3);
			double		y = 1.7 + 400 * pow(x, -0.3) * (1 + 0.01 * sin(i * 12.9898 + r));

			ps_add(&ps, &x, y, al);
		}
		ps_sorted(&ps, &sp, al);
		power_law_default_spec(&spec, 1);
		t0 = now();
		st = power_law_fit(&sp, &spec, al, &fit);
		total += now() - t0;
		if (r == 0)
			printf("status %d: l_inf %.10g a %.10g alpha %.10g rss %.6g\n",
				   st, fit.l_inf, fit.coef[0], fit.expo[0], fit.rss);
		ps_sorted_free(&sp, al);
		ps_free(&ps, al);
	}
	printf("m = %d: %.2f us per fit (mean of %d)\n", m, total / reps * 1e6, reps);
	return 0;
}
