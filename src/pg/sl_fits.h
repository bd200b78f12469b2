/*
 * sl_fits.h -- the fit results the aggregates build, shared with the
 * functions that fit a stored fit_points value (fit_state.c), so both
 * paths run the same code.
 */
#ifndef SL_FITS_H
#define SL_FITS_H

#include "sl_pg.h"

#include "log_law.h"
#include "point_set.h"
#include "power_law.h"

/* the spec the options give; NULL options mean the defaults */
extern void sl_power_law_spec(PowerLawSpec *spec, int k, Jsonb *options);
extern void sl_log_law_spec(LogLawSpec *spec, int k, Jsonb *options);

/* the composite result of fcinfo's return type; *isnull if no fit */
extern Datum sl_power_law_result(FunctionCallInfo fcinfo, const SortedPoints *sp, int k,
								 const PowerLawSpec *spec, bool *isnull);
extern Datum sl_log_law_result(FunctionCallInfo fcinfo, const LogStats *stats,
							   const LogLawSpec *spec, bool *isnull);

#endif
