/*
 * fit_report.h -- what a fit says about itself besides its coefficients:
 * the status text (why a fit failed, or what a user must know about a fit
 * that succeeded), and the information criteria AIC and BIC.
 *
 * The texts are part of the user interface (README.md, "Status"): change
 * them only together with the README's table and the regression tests.
 */
#ifndef FIT_REPORT_H
#define FIT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "formula.h"
#include "formula_fit.h"
#include "log_law.h"
#include "power_law.h"

/* room for any status text: a name appears in it at most twice (as input and parameter) */
#define SL_STATUS_MAX (2 * SLF_MAX_TEXT + 1024)

/*
 * R's AIC and BIC of a least-squares fit (logLik of nls): for n rows,
 * p fitted coefficients and root-mean-square residual rmse, logLik =
 * -n/2 (ln(2 pi) + 1 - ln n + ln RSS) with RSS = n rmse^2, AIC = -2 logLik
 * + 2 (p + 1), BIC = -2 logLik + ln(n) (p + 1).  NaN when RSS = 0 (logLik
 * is infinite) or n < 1.
 */
extern void sl_info_criteria(int64_t n, double rmse, int p, double *aic, double *bic);

/*
 * The coefficients a power-law fit counts as fitted (for AIC and BIC): not
 * in at_bound, and not an exponent of 0, whose term is then -coef ln x.
 */
extern int	power_law_free_coefs(const PowerLawFit *fit, int k);
extern int	log_law_free_coefs(const LogLawFit *fit, int k);
/*
 * A formula fit's: its parameters not in at_bound, and at a limit only
 * approached, the solved (linear) parameters of the law fitted there.
 */
extern int	formula_free_params(const SlFormula *f, const FormulaFit *fit);

/*
 * The status text of a fit of k inputs into buf (always terminated):
 * "ok", the reasons it failed, or what a caller must know of its
 * coefficients (a logarithmic limit, the search's edge, bounds).
 * converged is what the fit reports as converged.  The formula's takes
 * the data range of each input, to name an input of one value.
 */
extern void power_law_status_text(FitStatus status, const PowerLawFit *fit,
								  const PowerLawSpec *spec, bool converged, char *buf,
								  size_t len);
extern void log_law_status_text(FitStatus status, const LogLawFit *fit, int k, char *buf,
								size_t len);
extern void formula_status_text(FormulaStatus status, const FormulaFit *fit,
								const SlFormula *f, const double *x_min, const double *x_max,
								char *buf, size_t len);

/* whether exponent j of a successful power-law fit ended on the search's edge */
extern bool power_law_at_search_edge(const PowerLawFit *fit, const PowerLawSpec *spec, int j);

#endif
