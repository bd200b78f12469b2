-- bad input: one case each, with the exact message
SELECT fit_power_law(x, 1.0) FROM (VALUES (1.0), (0.0)) v(x);
SELECT fit_power_law(x, 1.0) FROM (VALUES (1.0), (-2.5)) v(x);
SELECT fit_power_law(x, 1.0) FROM (VALUES (1.0), ('NaN'::float8)) v(x);
SELECT fit_power_law(x, 1.0) FROM (VALUES (1.0), ('Infinity'::float8)) v(x);
SELECT fit_power_law(1.0, y) FROM (VALUES (1.0), ('NaN'::float8)) v(y);
SELECT fit_power_law(1.0, y) FROM (VALUES (1.0), ('-Infinity'::float8)) v(y);
SELECT fit_power_law(1.0, x2, 1.0) FROM (VALUES (1.0), (0.0)) v(x2);
SELECT fit_power_law(1.0, 1.0, x3, 1.0) FROM (VALUES (1.0), (-1.0)) v(x3);
SELECT fit_log_law(x, 1.0) FROM (VALUES (1.0), (0.0)) v(x);
SELECT fit_log_law(1.0, x2, 1.0) FROM (VALUES (1.0), ('NaN'::float8)) v(x2);
SELECT fit_log_law(1.0, y) FROM (VALUES (1.0), ('Infinity'::float8)) v(y);
-- predict_loss
SELECT predict_loss(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 0);
SELECT predict_loss(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 'NaN');
SELECT predict_loss(ROW(1, 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law_fit, -1);
SELECT predict_loss(ROW(1, NULL, 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 10) IS NULL AS null_coefficient;
SELECT predict_loss(NULL::power_law_fit, 10) IS NULL AS null_fit;
-- a long fit honours statement_timeout (and so query cancel)
SET statement_timeout = '20ms';
SELECT fit_power_law(x1, x2, x3, y)
FROM (SELECT 1 + i % 97 AS x1, 1 + i % 89 AS x2, 1 + i % 83 AS x3, (i % 7)::float8 AS y FROM generate_series(1, 20000) i) s;
RESET statement_timeout;
-- the backend is still alive
SELECT (fit_power_law(x, 1 + x ^ (-0.5))).n FROM generate_series(1, 10) x;
