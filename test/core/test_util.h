/*
 * test_util.h -- what the core's test files share: the pass and fail
 * counts with the CHECK macro that prints one line per check, and the
 * deterministic generator (splitmix64) each file draws from with its own
 * state.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>

/* defined in test_core.c; main prints them as "N passed, N failed" */
extern int	tu_pass,
			tu_fail;

#define CHECK(cond, ...) do { \
	if (cond) { tu_pass++; printf("ok   - "); } \
	else { tu_fail++; printf("FAIL - "); } \
	printf(__VA_ARGS__); printf("\n"); } while (0)

static inline uint64_t
tu_splitmix(uint64_t *state)
{
	uint64_t	z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [lo, hi) */
static inline double
tu_unif(uint64_t *state, double lo, double hi)
{
	return lo + (hi - lo) * ((tu_splitmix(state) >> 11) * 0x1.0p-53);
}

#endif
