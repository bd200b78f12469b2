/*
 * lowdisc.h -- deterministic low-discrepancy points for the global search
 * of the engine: the unscrambled Sobol sequence in up to 8 dimensions.
 *
 * Unscrambled so that the same call gives the same points on every
 * platform and in every run (the fits must be bit-reproducible); Sobol
 * rather than a lattice so that any prefix of the sequence covers the box
 * evenly, whatever number of points a group's size allows.
 */
#ifndef LOWDISC_H
#define LOWDISC_H

#include <stdint.h>

#define SL_SOBOL_MAX_DIM 8

/*
 * Point number index (0, 1, ...) of the d-dimensional Sobol sequence,
 * d in 1..SL_SOBOL_MAX_DIM, in [0, 1)^d, written to out[0..d-1].  Point 0
 * is the origin.  Direction numbers of Joe and Kuo (new-joe-kuo-6.21201),
 * 32 bits: the sequence repeats no point for indices below 2^32.
 */
extern void sl_sobol_point(uint32_t index, int d, double *out);

#endif
