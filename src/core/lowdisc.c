/*
 * lowdisc.c -- the unscrambled Sobol sequence; see lowdisc.h.
 */
#include "lowdisc.h"

#define SOBOL_BITS 32

/*
 * Joe and Kuo, "Constructing Sobol sequences with better two-dimensional
 * projections" (2008), file new-joe-kuo-6.21201, dimensions 2..8: degree s
 * of the primitive polynomial, its coefficients a, and the initial
 * direction numbers m_1..m_s.  Dimension 1 is the van der Corput sequence.
 */
typedef struct SobolDim
{
	int			s;
	uint32_t	a;
	uint32_t	m[5];
} SobolDim;

static const SobolDim sobol_dims[SL_SOBOL_MAX_DIM - 1] = {
	{1, 0, {1}},
	{2, 1, {1, 3}},
	{3, 1, {1, 3, 1}},
	{3, 2, {1, 1, 1}},
	{4, 1, {1, 1, 3, 3}},
	{4, 4, {1, 3, 5, 13}},
	{5, 2, {1, 1, 5, 5, 17}},
};

/* direction numbers v[0..31] of dimension dim (0-based) */
static void
directions(int dim, uint32_t *v)
{
	if (dim == 0)
	{
		for (int i = 0; i < SOBOL_BITS; i++)
			v[i] = (uint32_t) 1 << (SOBOL_BITS - 1 - i);
		return;
	}
	{
		const SobolDim *sd = &sobol_dims[dim - 1];
		int			s = sd->s;

		for (int i = 0; i < s; i++)
			v[i] = sd->m[i] << (SOBOL_BITS - 1 - i);
		for (int i = s; i < SOBOL_BITS; i++)
		{
			uint32_t	x = v[i - s] ^ (v[i - s] >> s);

			for (int k = 1; k < s; k++)
				if ((sd->a >> (s - 1 - k)) & 1)
					x ^= v[i - k];
			v[i] = x;
		}
	}
}

void
sl_sobol_point(uint32_t index, int d, double *out)
{
	for (int dim = 0; dim < d && dim < SL_SOBOL_MAX_DIM; dim++)
	{
		uint32_t	v[SOBOL_BITS];
		uint32_t	x = 0;

		directions(dim, v);
		for (int bit = 0; bit < SOBOL_BITS; bit++)
			if ((index >> bit) & 1)
				x ^= v[bit];
		out[dim] = (double) x * 0x1p-32;
	}
}
