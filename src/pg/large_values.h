/*
 * large_values.h -- reading and copying values of hundreds of megabytes
 * with checks for interrupts, where PostgreSQL's own routines have none.
 * Include postgres.h first.
 */
#ifndef LARGE_VALUES_H
#define LARGE_VALUES_H

#include "fmgr.h"

/*
 * The value of a varlena datum in plain form, as PG_DETOAST_DATUM returns
 * it (the datum itself when it is already plain), with a value stored out
 * of line and uncompressed read in slices with an interrupt check between
 * them.
 */
extern struct varlena *sl_detoast(Datum d);

/* memcpy(dst, src, len) in pieces, with an interrupt check between them */
extern void sl_copy_interruptible(void *dst, const void *src, size_t len);

#endif
