/*
 * fuzz_common.h -- what the libFuzzer targets of test/fuzz share: the
 * malloc allocator of the core, and FUZZ_CHECK, which reports a violated
 * invariant and aborts (libFuzzer then saves the input as crash-<sha1>).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "fit_points.h"
#include "sl_alloc.h"

#define AL (&sl_malloc_alloc)

#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "invariant violated (%s:%d): %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
