/*
 * large_values.c -- reading and copying values of hundreds of megabytes
 * with checks for interrupts.
 *
 * A stored fit_points value can hold 10 million points (240 MB).
 * PostgreSQL reads such a value out of TOAST in one call that checks for
 * no interrupt, and a copy of it into fresh memory runs at the speed of the
 * page faults it takes: each is about a second on a slow virtual machine
 * (measured: 1.0 s to read 240 MB, 0.3 s to copy 480 MB), so query cancel
 * and statement_timeout would wait that long.  Both are done here in
 * slices instead.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "fmgr.h"
#include "miscadmin.h"

#include "large_values.h"

/* bytes per slice: a few ms of work between interrupt checks */
#define SLICE_BYTES (4 * 1024 * 1024)

struct varlena *
sl_detoast(Datum d)
{
	struct varlena *attr = (struct varlena *) DatumGetPointer(d);
	struct varatt_external ptr;
	struct varlena *result;
	int32		size;

	if (!VARATT_IS_EXTERNAL_ONDISK(attr))
		return PG_DETOAST_DATUM(d);
	VARATT_EXTERNAL_GET_POINTER(ptr, attr);
	size = VARATT_EXTERNAL_GET_EXTSIZE(ptr);
	/*
	 * A compressed value (stored smaller than it is: what
	 * VARATT_EXTERNAL_IS_COMPRESSED tests, without its mixed-sign compare)
	 * decompresses in one call, so slices would not help.
	 */
	if ((int64) size < (int64) ptr.va_rawsize - VARHDRSZ || size <= SLICE_BYTES)
		return PG_DETOAST_DATUM(d);

	result = (struct varlena *) palloc((Size) size + VARHDRSZ);
	SET_VARSIZE(result, (Size) size + VARHDRSZ);
	for (int32 off = 0; off < size; off += SLICE_BYTES)
	{
		int32		n = Min(SLICE_BYTES, size - off);
		struct varlena *slice;

		CHECK_FOR_INTERRUPTS();
		slice = detoast_attr_slice(attr, off, n);
		if (VARSIZE_ANY_EXHDR(slice) != (Size) n)
			elog(ERROR, "out-of-line value of %d bytes: %zu bytes read at offset %d, %d expected",
				 size, (size_t) VARSIZE_ANY_EXHDR(slice), off, n);
		memcpy(VARDATA(result) + off, VARDATA_ANY(slice), n);
		pfree(slice);
	}
	return result;
}

void
sl_copy_interruptible(void *dst, const void *src, size_t len)
{
	for (size_t off = 0; off < len; off += SLICE_BYTES)
	{
		CHECK_FOR_INTERRUPTS();
		memcpy((char *) dst + off, (const char *) src + off, Min((size_t) SLICE_BYTES, len - off));
	}
}
