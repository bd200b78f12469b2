-- Extreme magnitudes and degenerate inputs: statistics stay right for y near
-- 1e-170 and 1e153 (sums of squares are read scaled), fitting c*y gives c
-- times the coefficients and the same r2, constant y has no variance, and
-- inputs that cannot identify the law give NULL.
SET extra_float_digits = 0;
CREATE TABLE e1 AS
SELECT i, x, 1 + 5 * x ^ (-0.7) + 0.05 * sin(i) AS y
FROM generate_series(1, 20) i, LATERAL (SELECT (1.5 ^ i)::float8 AS x) v;
CREATE TABLE ref AS
SELECT fit_power_law(x, y) AS p, fit_log_law(x, y) AS l FROM e1;
SELECT round((p).r2::numeric, 10) AS r2, round((p).rmse::numeric, 10) AS rmse,
       round((l).r2::numeric, 10) AS log_r2 FROM ref;

-- c * y: c times l_inf, a and rmse, the same exponent and r2 (exactly for powers of two)
SELECT e AS exponent_of_two, (f).r2 = (r.p).r2 AS same_r2, (f).alpha = (r.p).alpha AS same_alpha,
       (f).l_inf = c * (r.p).l_inf AND (f).a = c * (r.p).a AS c_times_coefficients,
       (f).rmse = c * (r.p).rmse AS c_times_rmse
FROM ref r, (VALUES (500), (510), (-560), (-600)) v(e),
     LATERAL (SELECT 2.0::float8 ^ e AS c) cc,
     LATERAL (SELECT fit_power_law(x, c * y) AS f FROM e1) s
ORDER BY e;
SELECT c, abs((f).r2 - (r.p).r2) < 1e-12 AS same_r2,
       abs((f).rmse / c / (r.p).rmse - 1) < 1e-9 AS c_times_rmse,
       abs((f).l_inf / c / (r.p).l_inf - 1) < 1e-9 AS c_times_l_inf,
       abs((f).alpha / (r.p).alpha - 1) < 1e-9 AS same_alpha
FROM ref r, (VALUES (1e153::float8), (1e-170::float8), (3e-300::float8), (7e250::float8)) v(c),
     LATERAL (SELECT fit_power_law(x, c * y) AS f FROM e1) s
ORDER BY c;
SELECT c, abs((f).r2 - (r.l).r2) < 1e-12 AS same_r2,
       abs((f).rmse / c / (r.l).rmse - 1) < 1e-9 AS c_times_rmse,
       abs((f).b / c / (r.l).b - 1) < 1e-9 AS c_times_b
FROM ref r, (VALUES (1e153::float8), (1e-170::float8), (2.0::float8 ^ 900)) v(c),
     LATERAL (SELECT fit_log_law(x, c * y) AS f FROM e1) s
ORDER BY c;
-- repeated inputs: the spread within points is read scaled too
SELECT abs((f).r2 - (g).r2) < 1e-12 AS same_r2, abs((f).rmse / 1e153 / (g).rmse - 1) < 1e-9 AS c_times_rmse
FROM (SELECT fit_power_law(x, 1e153 * (y + 0.1 * (r % 2))) AS f, fit_power_law(x, y + 0.1 * (r % 2)) AS g
      FROM e1, generate_series(1, 3) r) s;

-- constant y: no variance (r2 NULL, rmse 0), whatever its magnitude
SELECT c, (f).l_inf = c AS l_inf_is_y, (f).a = 0 AS a_zero, (f).r2 IS NULL AS r2_null, (f).rmse = 0 AS rmse_zero
FROM (VALUES (1e300::float8), (0.1::float8), (-3e-200::float8)) v(c),
     LATERAL (SELECT fit_power_law(x, c) AS f FROM e1) s
ORDER BY c;
SELECT (f).a = 0.1 AS a_is_y, (f).b = 0 AS b_zero, (f).r2 IS NULL AS r2_null, (f).rmse = 0 AS rmse_zero
FROM (SELECT fit_log_law(x, 0.1) AS f FROM e1) s;

-- inputs whose logarithms collapse (differing in the last digits near 1e300): no fit
SELECT scale, d AS relative_step, (fit_power_law(x, y)).status AS power_status,
       (fit_log_law(x, y)).status AS log_status
FROM (VALUES (1e300::float8), (1e-300::float8)) sc(scale), (VALUES (2.2e-16), (1e-13)) v(d),
     LATERAL (SELECT scale * (1 + i * d) AS x, i::float8 AS y FROM generate_series(1, 10) i) s
GROUP BY scale, d ORDER BY scale, d;
-- ... but a narrow range that the logarithms resolve is fitted
SELECT fit_power_law(x, y) IS NOT NULL AS power_fitted, fit_log_law(x, y) IS NOT NULL AS log_fitted
FROM (SELECT 1 + i * 1e-7 AS x, 1 + 1e-7 * i + 1e-15 * i * i AS y FROM generate_series(1, 10) i) s;

-- collinear inputs (in log space): the law cannot attribute the loss to them
\x on
SELECT (fit_power_law(x, 6 * x, y)).status AS scaled_copy,
       (fit_power_law(x, x * x, y)).status AS power_of_it,
       (fit_power_law(x, x * 10, x ^ 3, y)).status AS three_collinear,
       (fit_log_law(x, 6 * x, y)).status AS log_law_collinear
FROM e1;
\x off
SELECT (fit_power_law(x1, x2, x1 * x2, y)).status AS product_input
FROM (SELECT (1 + i % 5)::float8 AS x1, (1 + i / 5)::float8 AS x2, (1 + i)::float8 AS y FROM generate_series(0, 24) i) s;
-- independent inputs are fitted
SELECT fit_power_law(x1, x2, y) IS NOT NULL AS fitted, fit_log_law(x1, x2, y) IS NOT NULL AS log_fitted
FROM (SELECT (1 + i % 5)::float8 AS x1, (1 + i / 5)::float8 AS x2, 1 + 1.0 / (1 + i % 5) + 2.0 / (1 + i / 5) AS y
      FROM generate_series(0, 24) i) s;

-- a partial state whose sum of y at one input passes DBL_MAX (1.1 failed to read it
-- back in a parallel plan): serial and parallel partitionwise plans give the same fit
CREATE TABLE ext_parts (part int, x float8, y float8) PARTITION BY LIST (part);
CREATE TABLE ext_parts_a PARTITION OF ext_parts FOR VALUES IN (1);
CREATE TABLE ext_parts_b PARTITION OF ext_parts FOR VALUES IN (2);
INSERT INTO ext_parts
SELECT 1, x, 1e307 * (1 + 3 * x ^ (-0.5)) FROM generate_series(1, 30, 2) x
UNION ALL SELECT 2, x, 1e307 * (1 + 3 * x ^ (-0.5)) FROM generate_series(2, 30, 2) x
UNION ALL SELECT 1, 0.5, 1e308 FROM generate_series(1, 3)
UNION ALL SELECT 2, 0.5, -1e308 FROM generate_series(1, 2);
ANALYZE ext_parts;
SET extra_float_digits = 3;
CREATE TEMP TABLE ext_serial AS
SELECT fit_power_law(x, y)::text AS p, fit_log_law(x, y)::text AS l, fit_points(x, y)::text AS v FROM ext_parts;
SET enable_partitionwise_aggregate = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT fit_power_law(x, y) FROM ext_parts;
SELECT s.p IS NOT NULL AS fitted, s.p = q.p AS same_power_fit, s.l = q.l AS same_log_fit, s.v = q.v AS same_value
FROM ext_serial s,
     (SELECT fit_power_law(x, y)::text AS p, fit_log_law(x, y)::text AS l, fit_points(x, y)::text AS v FROM ext_parts) q;
RESET ALL;
