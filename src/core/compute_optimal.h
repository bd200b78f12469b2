/*
 * compute_optimal.h -- the allocation of a compute budget that minimises a
 * fitted two-input law: C = 6 N D (N parameters trained on D tokens), the
 * loss minimised over N with D = C / (6 N), within N >= 1 and D >= 1.
 */
#ifndef COMPUTE_OPTIMAL_H
#define COMPUTE_OPTIMAL_H

#include <stdbool.h>

#include "power_law.h"

typedef struct CoAllocation
{
	double		n;
	double		d;
	double		loss;
} CoAllocation;

/*
 * The law along the budget: its value at (n, d), and in *slope the
 * derivative of L(N, C / (6 N)) with respect to ln N, which is
 * N dL/dN - D dL/dD.  A value that is not finite marks a point where the
 * law is not defined.
 */
typedef double (*CoLawFn) (void *ctx, double n, double d, double *slope);

/*
 * The two-input power law l_inf + a N^-alpha + b D^-beta (an exponent of 0:
 * the term -coef ln x) in closed form: with s_a = alpha a (a where alpha =
 * 0) and s_b likewise, the stationary point is
 *   ln N = (ln s_a - ln s_b + beta ln (C / 6)) / (alpha + beta),
 * a minimum exactly when s_a > 0, s_b > 0 and alpha + beta > 0.  false
 * when there is none, or it lies outside N >= 1, D >= 1.
 */
extern bool co_power_law2(const PowerLawFit *fit, double flops, CoAllocation *out);

/*
 * Any law: the global minimum over ln N in [0, ln (C / 6)], from a grid of
 * CO_GRID points and the root of the slope in the brackets of the best
 * CO_POLISH grid minima (bisection to the last bits of ln N).  false when
 * the law is nowhere defined on the range, or its minimum lies at N = 1 or
 * D = 1 (the loss still falls toward that end).  flops >= 6.
 */
#define CO_GRID 2049
#define CO_POLISH 4
extern bool co_minimise(CoLawFn law, void *ctx, double flops, CoAllocation *out);

#endif
