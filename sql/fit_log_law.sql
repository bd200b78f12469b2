-- fit_log_law: closed-form fit from exact sufficient statistics

SELECT round((f).a::numeric, 10) AS a, round((f).b::numeric, 10) AS b, (f).n,
       round((f).r2::numeric, 10) AS r2, (f).rmse < 1e-12 AS exact, (f).at_bound
FROM (SELECT fit_log_law(x, 3 - 0.25 * ln(x)) AS f FROM generate_series(1, 1000, 7) x) s;

-- two inputs, as in loss vs parameters and parallel streams
SELECT round((f).a::numeric, 10) AS a, round((f).b::numeric, 10) AS b, round((f).c::numeric, 10) AS c, (f).n
FROM (SELECT fit_log_law(n, p, 4.5 - 0.12 * ln(n) - 0.02 * ln(p)) AS f
      FROM generate_series(6, 9) i, generate_series(0, 3) j, LATERAL (SELECT 10 ^ i AS n, 2 ^ j AS p) v) s;
SELECT round(predict_loss(fit_log_law(n, p, 4.5 - 0.12 * ln(n) - 0.02 * ln(p)), 1e10, 8)::numeric, 10),
       round((4.5 - 0.12 * ln(1e10) - 0.02 * ln(8))::numeric, 10)
FROM generate_series(6, 9) i, generate_series(0, 3) j, LATERAL (SELECT 10 ^ i AS n, 2 ^ j AS p) v;

-- least squares with noise: matches regr_slope/regr_intercept on ln x
SELECT round((f).b::numeric, 10) = round(slope::numeric, 10) AS same_slope,
       round((f).a::numeric, 10) = round(icpt::numeric, 10) AS same_intercept
FROM (SELECT fit_log_law(x, y) AS f, regr_slope(y, ln(x)) AS slope, regr_intercept(y, ln(x)) AS icpt
      FROM (SELECT i * 3.0 AS x, 2 + 0.1 * sin(i) - 0.3 * ln(i * 3.0) AS y FROM generate_series(1, 50) i) d) s;

-- bounds on linear coefficients: the fit holds c at its bound
SELECT round((f).c::numeric, 10) AS c, (f).at_bound
FROM (SELECT fit_log_law(n, p, 4.5 - 0.12 * ln(n) - 0.02 * ln(p), '{"bounds": {"c": [0, null]}}'::jsonb) AS f
      FROM generate_series(6, 9) i, generate_series(0, 3) j, LATERAL (SELECT 10 ^ i AS n, 2 ^ j AS p) v) s;

-- undetermined: one x value, collinear inputs, too few rows (a row saying why)
SELECT (fit_log_law(x, y)).status AS one_x FROM (VALUES (2.0, 1.0), (2.0, 3.0)) v(x, y);
SELECT (fit_log_law(x, x * x, y)).status AS collinear FROM (VALUES (2.0, 1.0), (3.0, 3.0), (5.0, 4.0)) v(x, y);
SELECT (fit_log_law(x, y)).status AS one_row FROM (VALUES (2.0, 1.0)) v(x, y);
SELECT fit_log_law(x, y) IS NULL AS no_rows FROM (SELECT 1.0 AS x, 1.0 AS y WHERE false) s;
