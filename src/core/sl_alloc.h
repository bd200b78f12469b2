/*
 * sl_alloc.h -- memory and interrupt hooks the numerical core calls.
 *
 * The core never calls malloc or free itself: the caller hands it an
 * allocator (palloc inside PostgreSQL, malloc in the unit tests), so that an
 * error or a query cancel that unwinds the stack leaks nothing.
 */
#ifndef SL_ALLOC_H
#define SL_ALLOC_H

#include <stddef.h>

typedef struct SlAlloc
{
	/* returns NULL only if it cannot allocate (the PostgreSQL one throws) */
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*realloc) (void *ctx, void *ptr, size_t old_size, size_t new_size);
	void		(*free) (void *ctx, void *ptr);
	void	   *ctx;
} SlAlloc;

/* called regularly by long computations; may not return (query cancel) */
typedef void (*SlInterruptFn) (void);

/* the malloc-based allocator used outside PostgreSQL */
extern const SlAlloc sl_malloc_alloc;

#endif
