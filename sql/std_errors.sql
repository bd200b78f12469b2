-- std_errors of formula fits: sigma sqrt(((J'J)^-1)_pp), sigma^2 = RSS / (n - p), J the derivatives
-- of the law by the parameters the fit estimates; null for those in at_bound
SET extra_float_digits = 0;
CREATE TEMP TABLE se_line AS
SELECT i::float8 AS x, 3 + 0.5 * i + 0.1 * sin(i * 2.3) AS y, i % 3 AS g FROM generate_series(1, 25) i;
-- a straight line: the textbook formulas (PostgreSQL's regr_* aggregates give RSS and Sxx)
SELECT abs(((f).std_errors->>'b')::float8 / (sqrt(rss / (n - 2)) / sqrt(sxx)) - 1) < 1e-12 AS slope_se,
       abs(((f).std_errors->>'a')::float8 / (sqrt(rss / (n - 2)) * sqrt(1.0 / n + xbar ^ 2 / sxx)) - 1) < 1e-12 AS intercept_se,
       round(((f).std_errors->>'b')::numeric, 6) AS se_b
FROM (SELECT fit_scaling_law('x => a + b * x', x, y) f, regr_sxx(y, x) sxx, regr_count(y, x) n, avg(x) xbar,
             regr_syy(y, x) - regr_sxy(y, x) ^ 2 / regr_sxx(y, x) AS rss FROM se_line) r;
-- a parameter on its bound has none; the others' come from the remaining ones
SELECT (f).at_bound, (f).std_errors->'a' AS se_a, ((f).std_errors->>'b')::float8 > 0 AS se_b_positive
FROM (SELECT fit_scaling_law('x => a + b * x', x, y, '{"bounds": {"a": [4, null]}}') f FROM se_line) s;
-- rows of an exact law: standard errors 0 to the rounding of the fit's RSS
SELECT ((f).std_errors->>'a')::float8 < 1e-12 AND ((f).std_errors->>'b')::float8 < 1e-12 AS near_zero
FROM (SELECT fit_scaling_law('x => a + b * x', x, 1 + 2 * x) f FROM se_line) s;
-- as many rows as parameters: no degrees of freedom, no standard errors
SELECT (f).std_errors FROM (SELECT fit_scaling_law('x => a + b * x', x, y) f FROM se_line WHERE x <= 2) s;
-- the same bits from the stored points, in a parallel plan and in any row order
CREATE TEMP TABLE se_fits AS
SELECT g, fit_scaling_law('x => a + b * exp(-c * x)', x, y) AS f, fit_points(ARRAY[x], y) AS p FROM se_line GROUP BY g;
SELECT bool_and((fit_scaling_law('x => a + b * exp(-c * x)', p)).std_errors::text = (f).std_errors::text) AS same_from_points,
       count(*) FILTER (WHERE (f).std_errors->>'c' IS NOT NULL) AS groups_with_se
FROM se_fits;
SELECT bool_and(a.f::text = b.f::text) AS same_any_order
FROM se_fits a JOIN (SELECT g, fit_scaling_law('x => a + b * exp(-c * x)', x, y ORDER BY y DESC) f FROM se_line GROUP BY g) b USING (g);
DROP TABLE se_line, se_fits;
-- the presets: the log law is a straight line in ln x (the textbook formulas again)
CREATE TEMP TABLE se_log AS
SELECT i::float8 AS x, 3 + 0.5 * ln(i) + 0.1 * sin(i * 2.3) AS y FROM generate_series(1, 25) i;
SELECT abs(((f).std_errors->>'b')::float8 / (sqrt(rss / (n - 2)) / sqrt(sxx)) - 1) < 1e-12 AS slope_se,
       abs(((f).std_errors->>'a')::float8 / (sqrt(rss / (n - 2)) * sqrt(1.0 / n + lbar ^ 2 / sxx)) - 1) < 1e-12 AS intercept_se
FROM (SELECT fit_log_law(x, y) f, regr_sxx(y, ln(x)) sxx, regr_count(y, ln(x)) n, avg(ln(x)) lbar,
             regr_syy(y, ln(x)) - regr_sxy(y, ln(x)) ^ 2 / regr_sxx(y, ln(x)) AS rss FROM se_log) r;
-- the slope held on its bound: the intercept alone, sigma / sqrt(n) with sigma^2 = RSS / (n - 1)
SELECT (f).at_bound, (f).std_errors->'b' AS se_b,
       abs(((f).std_errors->>'a')::float8 / ((f).rmse * sqrt(n / (n - 1.0)) / sqrt(n)) - 1) < 1e-12 AS intercept_se
FROM (SELECT fit_log_law(x, y, '{"bounds": {"b": [null, 0.4]}}'::jsonb) f, count(*) n FROM se_log) s;
-- the intercept held: a slope through a fixed intercept, sigma / sqrt(sum of ln(x)^2)
SELECT (f).at_bound, (f).std_errors->'a' AS se_a,
       abs(((f).std_errors->>'b')::float8 / ((f).rmse * sqrt(n / (n - 1.0)) / sqrt(sll)) - 1) < 1e-12 AS slope_se
FROM (SELECT fit_log_law(x, y, '{"bounds": {"a": [null, 2.5]}}'::jsonb) f, count(*) n, sum(ln(x) ^ 2) sll FROM se_log) s;
-- the power law: the same standard errors as the same law written as a formula (two fits of it)
SELECT bool_and(abs(((p).std_errors->>k)::float8 / ((s).std_errors->>k)::float8 - 1) < 1e-6) AS same_as_formula
FROM (SELECT fit_power_law(x, 2 + 3 * x ^ -0.4 + 0.01 * sin(x)) p,
             fit_scaling_law('x => l_inf + a * x^-alpha', x, 2 + 3 * x ^ -0.4 + 0.01 * sin(x)) s FROM se_log) f,
     unnest(ARRAY['l_inf', 'a', 'alpha']) k;
-- at the logarithmic limit the preset's term is -a ln x: alpha is held there, and l_inf and a
-- have the log law's standard errors (alpha held at 0 by its bounds)
SELECT (f).at_bound, (f).std_errors->'alpha' AS se_alpha,
       abs(((f).std_errors->>'a')::float8 / ((g).std_errors->>'b')::float8 - 1) < 1e-9 AS a_as_log_law,
       abs(((f).std_errors->>'l_inf')::float8 / ((g).std_errors->>'a')::float8 - 1) < 1e-9 AS l_inf_as_log_law
FROM (SELECT fit_power_law(x, y, '{"bounds": {"alpha": [0, 0]}}'::jsonb) f, fit_log_law(x, y) g FROM se_log) s;
DROP TABLE se_log;
-- the jsonb values are built directly in jsonb's key order (length, then bytes): each equals its
-- own text re-parsed, and every key is found, for names of every length
CREATE TEMP TABLE se_keys AS
SELECT fit_scaling_law('x => zz + b * exp(-ccc * x) + a_long_name * x', x, y) AS f,
       fit_power_law(x, y) AS p, fit_log_law(x, y) AS l
FROM (SELECT i::float8 AS x, 2 + 3 * exp(-0.3 * i) + 0.01 * i + 0.01 * sin(i) AS y FROM generate_series(1, 30) i) d;
SELECT (f).params = (f).params::text::jsonb AS params_canonical,
       (f).std_errors = (f).std_errors::text::jsonb AS se_canonical,
       (f).covariance = (f).covariance::text::jsonb AS cov_canonical,
       (p).std_errors = (p).std_errors::text::jsonb AND (p).covariance = (p).covariance::text::jsonb AS preset_canonical,
       (l).std_errors = (l).std_errors::text::jsonb AND (l).covariance = (l).covariance::text::jsonb AS log_canonical,
       (SELECT bool_and((f).covariance->k->>k IS NOT NULL AND (f).std_errors ? k AND (f).params ? k)
        FROM unnest(ARRAY['zz', 'b', 'ccc', 'a_long_name']) k) AS every_key_found,
       (SELECT array_agg(k) FROM jsonb_object_keys((f).covariance) k) AS key_order
FROM se_keys;
DROP TABLE se_keys;
