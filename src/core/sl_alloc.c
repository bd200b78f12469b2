/*
 * sl_alloc.c -- the malloc-based SlAlloc used by unit tests and fuzzers.
 */
#include "sl_alloc.h"

#include <stdlib.h>

static void *
m_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size ? size : 1);
}

static void *
m_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
	(void) ctx;
	(void) old_size;
	return realloc(ptr, new_size ? new_size : 1);
}

static void
m_free(void *ctx, void *ptr)
{
	(void) ctx;
	free(ptr);
}

const SlAlloc sl_malloc_alloc = {m_alloc, m_realloc, m_free, NULL, NULL};
