-- scalinglaw--1.3--1.4.sql: text casts in one step, compute-optimal allocation,
-- standard errors, covariance, data ranges and prediction intervals of every fit

\echo Use "ALTER EXTENSION scalinglaw UPDATE TO '1.4'" to load this file. \quit

-- casts to and from text that convert in one step: without them PostgreSQL
-- converts through a C string, a second copy of the text form (480 MB for
-- a value of 10 million points) that query cancel cannot interrupt.  The
-- same results as the input and output functions, in the same contexts.
CREATE FUNCTION sl_fit_points_to_text(fit_points) RETURNS text
    AS 'MODULE_PATHNAME', 'sl_fit_points1_to_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (fit_points AS text) WITH FUNCTION sl_fit_points_to_text(fit_points) AS ASSIGNMENT;
CREATE FUNCTION sl_fit_points_from_text(text) RETURNS fit_points
    AS 'MODULE_PATHNAME', 'sl_fit_points1_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (text AS fit_points) WITH FUNCTION sl_fit_points_from_text(text);
CREATE FUNCTION sl_fit_points2_to_text(fit_points2) RETURNS text
    AS 'MODULE_PATHNAME', 'sl_fit_points2_to_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (fit_points2 AS text) WITH FUNCTION sl_fit_points2_to_text(fit_points2) AS ASSIGNMENT;
CREATE FUNCTION sl_fit_points2_from_text(text) RETURNS fit_points2
    AS 'MODULE_PATHNAME', 'sl_fit_points2_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (text AS fit_points2) WITH FUNCTION sl_fit_points2_from_text(text);
CREATE FUNCTION sl_fit_points3_to_text(fit_points3) RETURNS text
    AS 'MODULE_PATHNAME', 'sl_fit_points3_to_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (fit_points3 AS text) WITH FUNCTION sl_fit_points3_to_text(fit_points3) AS ASSIGNMENT;
CREATE FUNCTION sl_fit_points3_from_text(text) RETURNS fit_points3
    AS 'MODULE_PATHNAME', 'sl_fit_points3_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (text AS fit_points3) WITH FUNCTION sl_fit_points3_from_text(text);
CREATE FUNCTION sl_fit_pointsn_to_text(fit_pointsn) RETURNS text
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_to_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (fit_pointsn AS text) WITH FUNCTION sl_fit_pointsn_to_text(fit_pointsn) AS ASSIGNMENT;
CREATE FUNCTION sl_fit_pointsn_from_text(text) RETURNS fit_pointsn
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (text AS fit_pointsn) WITH FUNCTION sl_fit_pointsn_from_text(text);

-- compute_optimal(fit, flops): the N, D and loss that minimise a two-input
-- law at the compute budget C = 6 N D, within N >= 1 and D >= 1
CREATE TYPE compute_optimum AS (n float8, d float8, loss float8);
COMMENT ON TYPE compute_optimum IS 'an allocation of a compute budget C = 6 N D: parameters n, tokens d, and the loss the fit predicts there';

CREATE FUNCTION compute_optimal(fit power_law2_fit, flops float8) RETURNS compute_optimum
    AS 'MODULE_PATHNAME', 'sl_compute_optimal_power_law' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION compute_optimal(power_law2_fit, float8) IS 'the N (x1), D (x2) with 6 N D = flops that minimise the fitted law, in closed form, and the loss there; NULL without such a minimum';

CREATE FUNCTION compute_optimal(fit scaling_law_fit, flops float8, n text DEFAULT 'N', d text DEFAULT 'D',
                                others float8[] DEFAULT NULL) RETURNS compute_optimum
    AS 'MODULE_PATHNAME', 'sl_compute_optimal_scaling_law' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION compute_optimal(scaling_law_fit, float8, text, text, float8[]) IS 'the values of inputs n and d with 6 n d = flops that minimise the fitted law (the other inputs fixed at others, in header order), and the loss there; NULL without such a minimum';

-- standard errors: the fit of a formula law reports, per parameter, its
-- standard error from the Jacobian at the optimum (null where the fit does
-- not estimate it); stored fits read it as NULL
ALTER TYPE scaling_law_fit ADD ATTRIBUTE std_errors jsonb;
COMMENT ON TYPE scaling_law_fit IS 'fit of a formula law: its formula, the value of every parameter, n, r2, rmse, the parameters on a bound or not determined, whether the search converged, and the standard error of every parameter';

-- the same for the presets: std_errors maps each coefficient (l_inf, a,
-- alpha, ...; a, b, c for the log laws) to its standard error
ALTER TYPE power_law_fit ADD ATTRIBUTE std_errors jsonb;
ALTER TYPE power_law2_fit ADD ATTRIBUTE std_errors jsonb;
ALTER TYPE power_law3_fit ADD ATTRIBUTE std_errors jsonb;
ALTER TYPE log_law_fit ADD ATTRIBUTE std_errors jsonb;
ALTER TYPE log_law2_fit ADD ATTRIBUTE std_errors jsonb;

-- uncertainty of every fit: the covariance of the coefficients that have a
-- standard error (an object of objects, NULL where none has one), and the
-- data range of each input (array order of the inputs); stored fits read
-- them as NULL
ALTER TYPE scaling_law_fit ADD ATTRIBUTE covariance jsonb, ADD ATTRIBUTE x_min float8[],
    ADD ATTRIBUTE x_max float8[];
ALTER TYPE power_law_fit ADD ATTRIBUTE covariance jsonb, ADD ATTRIBUTE x_min float8[],
    ADD ATTRIBUTE x_max float8[];
ALTER TYPE power_law2_fit ADD ATTRIBUTE covariance jsonb, ADD ATTRIBUTE x_min float8[],
    ADD ATTRIBUTE x_max float8[];
ALTER TYPE power_law3_fit ADD ATTRIBUTE covariance jsonb, ADD ATTRIBUTE x_min float8[],
    ADD ATTRIBUTE x_max float8[];
ALTER TYPE log_law_fit ADD ATTRIBUTE covariance jsonb, ADD ATTRIBUTE x_min float8[],
    ADD ATTRIBUTE x_max float8[];
ALTER TYPE log_law2_fit ADD ATTRIBUTE covariance jsonb, ADD ATTRIBUTE x_min float8[],
    ADD ATTRIBUTE x_max float8[];
COMMENT ON TYPE scaling_law_fit IS 'fit of a formula law: its formula, the value of every parameter, n, r2, rmse, the parameters on a bound or not determined, whether the search converged, the standard error of every parameter, their covariance, and the data range of each input';

-- fits that say why: a group that cannot be fitted is a row whose status
-- names the reason (its coefficients NULL) instead of a bare NULL; every
-- fit reports in status what a user must know of its coefficients (a
-- logarithmic limit, the search's edge, bounds), whether its final polish
-- converged, its iterations, and AIC and BIC as R computes them for nls;
-- stored fits read them as NULL
ALTER TYPE scaling_law_fit ADD ATTRIBUTE status text, ADD ATTRIBUTE iterations integer,
    ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8;
ALTER TYPE power_law_fit ADD ATTRIBUTE status text, ADD ATTRIBUTE converged boolean,
    ADD ATTRIBUTE iterations integer, ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8;
ALTER TYPE power_law2_fit ADD ATTRIBUTE status text, ADD ATTRIBUTE converged boolean,
    ADD ATTRIBUTE iterations integer, ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8;
ALTER TYPE power_law3_fit ADD ATTRIBUTE status text, ADD ATTRIBUTE converged boolean,
    ADD ATTRIBUTE iterations integer, ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8;
ALTER TYPE log_law_fit ADD ATTRIBUTE status text, ADD ATTRIBUTE converged boolean,
    ADD ATTRIBUTE iterations integer, ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8;
ALTER TYPE log_law2_fit ADD ATTRIBUTE status text, ADD ATTRIBUTE converged boolean,
    ADD ATTRIBUTE iterations integer, ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8;
COMMENT ON TYPE scaling_law_fit IS 'fit of a formula law: its formula, the value of every parameter, n, r2, rmse, the parameters on a bound or not determined, whether the search converged, the standard error of every parameter, their covariance, the data range of each input, the status (ok, or why the fit failed or what its parameters mean), the iterations of the final polish, AIC and BIC';
COMMENT ON TYPE power_law_fit IS 'fit of y = l_inf + a*x^-alpha, with n, r2, rmse, the coefficients on a bound, standard errors, covariance, data range, status (ok, or why the fit failed or what its coefficients mean), convergence, iterations, AIC and BIC';
COMMENT ON TYPE power_law2_fit IS 'fit of y = l_inf + a*x1^-alpha + b*x2^-beta, with n, r2, rmse, the coefficients on a bound, standard errors, covariance, data range, status (ok, or why the fit failed or what its coefficients mean), convergence, iterations, AIC and BIC';
COMMENT ON TYPE power_law3_fit IS 'fit of y = l_inf + a*x1^-alpha + b*x2^-beta + c*x3^-gamma, with n, r2, rmse, the coefficients on a bound, standard errors, covariance, data range, status (ok, or why the fit failed or what its coefficients mean), convergence, iterations, AIC and BIC';
COMMENT ON TYPE log_law_fit IS 'fit of y = a + b*ln(x), with n, r2, rmse, the coefficients on a bound, standard errors, covariance, data range, status (ok, or why the fit failed), convergence, iterations, AIC and BIC';
COMMENT ON TYPE log_law2_fit IS 'fit of y = a + b*ln(x1) + c*ln(x2), with n, r2, rmse, the coefficients on a bound, standard errors, covariance, data range, status (ok, or why the fit failed), convergence, iterations, AIC and BIC';

-- predict_interval(fit, inputs..., level): the prediction and the interval
-- of the mean prediction at that level, by the delta method with Student's
-- t of n - p degrees of freedom
CREATE TYPE prediction_interval AS (estimate float8, lo float8, hi float8);
COMMENT ON TYPE prediction_interval IS 'a prediction of the fitted law (estimate) and the confidence interval [lo, hi] of the mean prediction';

CREATE FUNCTION predict_interval(fit power_law_fit, x float8, level float8 DEFAULT 0.95)
    RETURNS prediction_interval
    AS 'MODULE_PATHNAME', 'sl_power_law_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_interval(power_law_fit, float8, float8) IS 'the fitted law at x and the confidence interval of the mean prediction at the given level (delta method, Student''s t of n - p degrees of freedom); lo and hi NULL without a covariance';
CREATE FUNCTION predict_interval(fit power_law2_fit, x1 float8, x2 float8, level float8 DEFAULT 0.95)
    RETURNS prediction_interval
    AS 'MODULE_PATHNAME', 'sl_power_law_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_interval(power_law2_fit, float8, float8, float8) IS 'the fitted law at the inputs and the confidence interval of the mean prediction at the given level (delta method, Student''s t of n - p degrees of freedom); lo and hi NULL without a covariance';
CREATE FUNCTION predict_interval(fit power_law3_fit, x1 float8, x2 float8, x3 float8, level float8 DEFAULT 0.95)
    RETURNS prediction_interval
    AS 'MODULE_PATHNAME', 'sl_power_law_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_interval(power_law3_fit, float8, float8, float8, float8) IS 'the fitted law at the inputs and the confidence interval of the mean prediction at the given level (delta method, Student''s t of n - p degrees of freedom); lo and hi NULL without a covariance';
CREATE FUNCTION predict_interval(fit log_law_fit, x float8, level float8 DEFAULT 0.95)
    RETURNS prediction_interval
    AS 'MODULE_PATHNAME', 'sl_log_law_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_interval(log_law_fit, float8, float8) IS 'the fitted law at x and the confidence interval of the mean prediction at the given level (Student''s t of n - p degrees of freedom); lo and hi NULL without a covariance';
CREATE FUNCTION predict_interval(fit log_law2_fit, x1 float8, x2 float8, level float8 DEFAULT 0.95)
    RETURNS prediction_interval
    AS 'MODULE_PATHNAME', 'sl_log_law_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_interval(log_law2_fit, float8, float8, float8) IS 'the fitted law at the inputs and the confidence interval of the mean prediction at the given level (Student''s t of n - p degrees of freedom); lo and hi NULL without a covariance';
CREATE FUNCTION predict_interval(fit scaling_law_fit, inputs float8[], level float8 DEFAULT 0.95)
    RETURNS prediction_interval
    AS 'MODULE_PATHNAME', 'sl_scaling_law_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_interval(scaling_law_fit, float8[], float8) IS 'the fitted formula at the inputs (in header order) and the confidence interval of the mean prediction at the given level (delta method through the formula''s exact Jacobian, Student''s t of n - p degrees of freedom); lo and hi NULL without a covariance';
CREATE FUNCTION predict_interval(fit scaling_law_fit, x float8, level float8 DEFAULT 0.95)
    RETURNS prediction_interval
    AS 'MODULE_PATHNAME', 'sl_scaling_law_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_interval(scaling_law_fit, float8, float8) IS 'the fitted formula of one input at x and the confidence interval of the mean prediction at the given level (delta method through the formula''s exact Jacobian, Student''s t of n - p degrees of freedom); lo and hi NULL without a covariance';

-- ---- plots (issue 11): scaling_law_svg and scaling_law_report ----
-- scaling_law_svg(x, y, fit [, series [, held_out]] [, options]): one SVG
-- document of the points, each series' fitted curve, its extrapolation
-- (dashed) and confidence band; x is float8, or float8[] for laws of
-- several inputs (the option x_input chooses the axis).  The state keeps
-- the rows; the final function sorts them, so the bytes depend on neither
-- row order nor plan.
CREATE FUNCTION sl_svg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_svg_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_svg_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_svg_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_svg_final(internal) RETURNS text
    AS 'MODULE_PATHNAME', 'sl_svg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_svg_trans(internal, float8, float8, anyelement) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_svg(x float8, y float8, fit anyelement) (
    SFUNC = sl_svg_trans, STYPE = internal, SSPACE = 2400, FINALFUNC = sl_svg_final,
    COMBINEFUNC = sl_svg_combine,
    SERIALFUNC = sl_svg_serialize, DESERIALFUNC = sl_svg_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_svg(float8, float8, anyelement) IS 'the points (x, y), the fit''s curve, its extrapolation and confidence band, as one SVG document';
CREATE FUNCTION sl_svg_trans(internal, float8, float8, anyelement, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_svg(x float8, y float8, fit anyelement, options jsonb) (
    SFUNC = sl_svg_trans, STYPE = internal, SSPACE = 2400, FINALFUNC = sl_svg_final,
    COMBINEFUNC = sl_svg_combine,
    SERIALFUNC = sl_svg_serialize, DESERIALFUNC = sl_svg_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_svg(float8, float8, anyelement, jsonb) IS 'the points (x, y), the fit''s curve, its extrapolation and confidence band, as one SVG document, with options (title, x_label, y_label, x_input, extrapolate_to, y_axis, width, height, level)';
CREATE FUNCTION sl_svg_trans(internal, float8, float8, anyelement, text, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_svg(x float8, y float8, fit anyelement, series text, options jsonb) (
    SFUNC = sl_svg_trans, STYPE = internal, SSPACE = 2400, FINALFUNC = sl_svg_final,
    COMBINEFUNC = sl_svg_combine,
    SERIALFUNC = sl_svg_serialize, DESERIALFUNC = sl_svg_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_svg(float8, float8, anyelement, text, jsonb) IS 'one figure of several series (one colour and legend entry each): points, curves, extrapolations and bands, as one SVG document, with options';
CREATE FUNCTION sl_svg_trans(internal, float8, float8, anyelement, text, boolean, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_svg(x float8, y float8, fit anyelement, series text, held_out boolean, options jsonb) (
    SFUNC = sl_svg_trans, STYPE = internal, SSPACE = 2400, FINALFUNC = sl_svg_final,
    COMBINEFUNC = sl_svg_combine,
    SERIALFUNC = sl_svg_serialize, DESERIALFUNC = sl_svg_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_svg(float8, float8, anyelement, text, boolean, jsonb) IS 'one figure of several series, the rows with held_out true drawn as open markers, as one SVG document, with options';
CREATE FUNCTION sl_svg_trans(internal, float8[], float8, anyelement) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_svg(x float8[], y float8, fit anyelement) (
    SFUNC = sl_svg_trans, STYPE = internal, SSPACE = 2400, FINALFUNC = sl_svg_final,
    COMBINEFUNC = sl_svg_combine,
    SERIALFUNC = sl_svg_serialize, DESERIALFUNC = sl_svg_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_svg(float8[], float8, anyelement) IS 'the points (the input x_input of x, y), the fit''s curve, its extrapolation and confidence band, as one SVG document';
CREATE FUNCTION sl_svg_trans(internal, float8[], float8, anyelement, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_svg(x float8[], y float8, fit anyelement, options jsonb) (
    SFUNC = sl_svg_trans, STYPE = internal, SSPACE = 2400, FINALFUNC = sl_svg_final,
    COMBINEFUNC = sl_svg_combine,
    SERIALFUNC = sl_svg_serialize, DESERIALFUNC = sl_svg_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_svg(float8[], float8, anyelement, jsonb) IS 'the points (the input x_input of x, y), the fit''s curve, its extrapolation and confidence band, as one SVG document, with options (title, x_label, y_label, x_input, extrapolate_to, y_axis, width, height, level)';
CREATE FUNCTION sl_svg_trans(internal, float8[], float8, anyelement, text, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_svg(x float8[], y float8, fit anyelement, series text, options jsonb) (
    SFUNC = sl_svg_trans, STYPE = internal, SSPACE = 2400, FINALFUNC = sl_svg_final,
    COMBINEFUNC = sl_svg_combine,
    SERIALFUNC = sl_svg_serialize, DESERIALFUNC = sl_svg_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_svg(float8[], float8, anyelement, text, jsonb) IS 'one figure of several series of a law of several inputs (x_input on the x axis, the other inputs held at each series'' row of largest x_input) (one colour and legend entry each): points, curves, extrapolations and bands, as one SVG document, with options';
CREATE FUNCTION sl_svg_trans(internal, float8[], float8, anyelement, text, boolean, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_svg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_svg(x float8[], y float8, fit anyelement, series text, held_out boolean, options jsonb) (
    SFUNC = sl_svg_trans, STYPE = internal, SSPACE = 2400, FINALFUNC = sl_svg_final,
    COMBINEFUNC = sl_svg_combine,
    SERIALFUNC = sl_svg_serialize, DESERIALFUNC = sl_svg_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_svg(float8[], float8, anyelement, text, boolean, jsonb) IS 'one figure of several series of a law of several inputs (x_input on the x axis, the other inputs held at each series'' row of largest x_input), the rows with held_out true drawn as open markers, as one SVG document, with options';

-- scaling_law_report(label, svg, fit [, options]): one HTML page, a grid of
-- the plots (as images), each with its fit's coefficients, R2, RMSE, n and
-- interval widths beneath it, in order of label
CREATE FUNCTION sl_report_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_report_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_report_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_report_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_report_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_report_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_report_final(internal) RETURNS text
    AS 'MODULE_PATHNAME', 'sl_report_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_report_trans(internal, text, text, anyelement) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_report_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_report(label text, svg text, fit anyelement) (
    SFUNC = sl_report_trans, STYPE = internal, SSPACE = 16560, FINALFUNC = sl_report_final,
    COMBINEFUNC = sl_report_combine,
    SERIALFUNC = sl_report_serialize, DESERIALFUNC = sl_report_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_report(text, text, anyelement) IS 'one self-contained HTML page: a grid of the plots, each with its fit''s coefficients, R2, RMSE, n and interval widths, in order of label';
CREATE FUNCTION sl_report_trans(internal, text, text, anyelement, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_report_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE scaling_law_report(label text, svg text, fit anyelement, options jsonb) (
    SFUNC = sl_report_trans, STYPE = internal, SSPACE = 16560, FINALFUNC = sl_report_final,
    COMBINEFUNC = sl_report_combine,
    SERIALFUNC = sl_report_serialize, DESERIALFUNC = sl_report_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE scaling_law_report(text, text, anyelement, jsonb) IS 'one self-contained HTML page: a grid of the plots, each with its fit''s coefficients, R2, RMSE, n and interval widths, in order of label, with options (title, level, extrapolate_to)';
-- ---- end of plots ----
