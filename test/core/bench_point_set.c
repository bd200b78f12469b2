/*
 * bench_point_set.c -- time PointSet's row path (ps_add) on the cases the
 * aggregates see: distinct inputs (the hash is probed on every row, most
 * rows then go to the log), a hash-sized set of distinct inputs, and few
 * distinct inputs (found by a scan, no hash).  Prints ns per row, best of
 * 5 runs.  make -C test/core bench-points.  Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "point_set.h"

static double
seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void
run(const char *what, long rows, long distinct, int k)
{
	double		best = 1e30;

	for (int rep = 0; rep < 5; rep++)
	{
		PointSet   *ps = malloc(sizeof(PointSet));
		double		t0;
		uint64_t	z = 1;

		ps_init(ps, k);
		t0 = seconds();
		for (long i = 0; i < rows; i++)
		{
			double		x[SL_MAX_INPUTS];
			long		p = distinct == rows ? i : (long) ((z = z * 6364136223846793005ULL + 1) >> 33) % distinct;

			for (int j = 0; j < k; j++)
				x[j] = 1000.0 + (double) p + j;
			ps_add(ps, x, 1.0 + 1e-9 * (double) i, &sl_malloc_alloc);
		}
		t0 = seconds() - t0;
		if (t0 < best)
			best = t0;
		ps_free(ps, &sl_malloc_alloc);
		free(ps);
	}
	printf("%-40s %9ld rows %9ld distinct  %6.1f ns/row\n", what, rows, distinct, 1e9 * best / rows);
}

int
main(void)
{
	run("distinct inputs (hash probe + log)", 5000000, 5000000, 1);
	run("65536 distinct inputs (hash)", 5000000, 65536, 1);
	run("20 distinct inputs (scan)", 5000000, 20, 1);
	run("distinct inputs, 3 per point", 2000000, 2000000, 3);
	return 0;
}
