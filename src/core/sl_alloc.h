/*
 * sl_alloc.h -- memory and interrupt hooks the numerical core calls.
 *
 * The core never calls malloc or free itself: the caller hands it an
 * allocator (palloc inside PostgreSQL, malloc in the unit tests), so that an
 * error or a query cancel that unwinds the stack leaks nothing.  The same
 * struct carries the interrupt hook: every loop whose length depends on
 * input calls sl_check_interrupts so that a query cancel or
 * statement_timeout takes effect promptly.
 */
#ifndef SL_ALLOC_H
#define SL_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* called regularly by long computations; may not return (query cancel) */
typedef void (*SlInterruptFn) (void);

typedef struct SlAlloc
{
	/* returns NULL only if it cannot allocate (the PostgreSQL one throws) */
	void	   *(*alloc) (void *ctx, size_t size);
	/* as realloc(3): ptr NULL (old_size 0) allocates */
	void	   *(*realloc) (void *ctx, void *ptr, size_t old_size, size_t new_size);
	void		(*free) (void *ctx, void *ptr);
	void	   *ctx;
	SlInterruptFn interrupt;	/* NULL: none (plain C callers) */
} SlAlloc;

/* iterations between interrupt checks in loops over points or rows */
#define SL_INTERRUPT_STRIDE 4096

/* the interrupt hook, if any (may not return) */
static inline void
sl_check_interrupts(const SlAlloc *al)
{
	if (al->interrupt)
		al->interrupt();
}

/* the hook every SL_INTERRUPT_STRIDE iterations of a loop counting i */
static inline void
sl_check_interrupts_every(const SlAlloc *al, uint64_t i)
{
	if ((i % SL_INTERRUPT_STRIDE) == 0 && al->interrupt)
		al->interrupt();
}

/* the malloc-based allocator used outside PostgreSQL */
extern const SlAlloc sl_malloc_alloc;

#endif
