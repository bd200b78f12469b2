-- predict_loss never returns NaN or Infinity: a fit field that is NaN or
-- infinite is an ERROR naming the field (22023), and a non-finite result
-- from finite fields and inputs is an overflow (22003), as float8
-- arithmetic reports it
SET extra_float_digits = 0;
-- a non-finite coefficient, in each position and law
SELECT predict_loss(ROW(1, 'NaN', 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW('Infinity', 2, 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW(1, 2, '-Infinity', 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW(1, 2, 0.5, 1, 'NaN', 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 10, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW(1, 2, 0.5, 1, 0.5, 3, 'NaN', 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law3_fit, 10, 10, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW('NaN', 1, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law_fit, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW(1, 1, '-Infinity', 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law2_fit, 10, 10);
\echo :LAST_ERROR_SQLSTATE
-- the same fit on every row is decoded once, and still refused on every row
SELECT predict_loss(ROW(1, 'NaN', 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, x) FROM generate_series(1, 3) x;
-- fields predict_loss does not read may be anything; a NULL coefficient predicts NULL
SELECT predict_loss(ROW(1, 2, 0.5, 10, 'NaN', 'Infinity', '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4) AS unread_fields_ignored,
       predict_loss(ROW(NULL, 'NaN', 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4) IS NULL AS null_coefficient;
-- overflow: a growing term (negative exponent), a large coefficient, the log limit, the log law
SELECT predict_loss(ROW(1, 2, -400, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW(1, 1e300, 1, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 1e-300);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW(0, 1e308, 0, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 1e-300);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW(1, 1e308, 1e308, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law2_fit, 1e300, 1e300);
\echo :LAST_ERROR_SQLSTATE
-- two infinite terms of opposite sign (their sum would be NaN)
SELECT predict_loss(ROW(0, 1e300, 1, -1e300, 1, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 1e-300, 1e-300);
\echo :LAST_ERROR_SQLSTATE
-- large but finite values are returned; a term that underflows is 0
SELECT predict_loss(ROW(1, 2, -300, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 10) AS large,
       predict_loss(ROW(1, 2, 400, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 10) AS underflow,
       predict_loss(ROW(1.7e308, -1e305, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law_fit, 1e300) AS near_max;
