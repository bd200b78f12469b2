-- fits that say why: a group that cannot be fitted is a row whose status names
-- the reason (coefficients, r2, rmse, std_errors, covariance, aic, bic NULL; n and
-- the data range filled; converged false); a fit that succeeded says "ok" or what
-- its coefficients mean; converged, iterations, AIC and BIC
SET extra_float_digits = 0;

-- 1. every failure reason of the presets, with the exact text
CREATE TEMP TABLE fs_cases (n int, law text, status text, coefs_null boolean, rows bigint,
                            x_min float8[], x_max float8[], converged boolean, rest_null boolean);
CREATE FUNCTION pg_temp.fs_case(n int, law text, q text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format($f$INSERT INTO fs_cases
    SELECT %s, %L, (f).status, (f).l_inf IS NULL AND (f).a IS NULL, (f).n, (f).x_min, (f).x_max, (f).converged,
           (f).r2 IS NULL AND (f).rmse IS NULL AND (f).at_bound IS NULL AND (f).std_errors IS NULL
           AND (f).covariance IS NULL AND (f).iterations IS NULL AND (f).aic IS NULL AND (f).bic IS NULL
    FROM (%s) s(f)$f$, n, law, q);
END $$;
SELECT pg_temp.fs_case(1, 'too few distinct points',
  $$SELECT fit_power_law(x, y) FROM (VALUES (1.0, 2.0), (10.0, 1.0), (10.0, 1.5)) v(x, y)$$);
SELECT pg_temp.fs_case(2, 'too few distinct points (2 inputs)',
  $$SELECT fit_power_law(x, 11 - x, y) FROM (VALUES (1.0, 2.0), (2.0, 1.5), (3.0, 1.2), (4.0, 1.1)) v(x, y)$$);
SELECT pg_temp.fs_case(3, 'an input with too few distinct values',
  $$SELECT fit_power_law(x, CASE WHEN x < 100 THEN 2 ELSE 3 END, y)
    FROM (VALUES (1.0, 3.0), (10.0, 2.0), (100.0, 1.5), (1000.0, 1.2), (1e4, 1.1), (1e5, 1.0)) v(x, y)$$);
SELECT pg_temp.fs_case(4, 'an input of one value',
  $$SELECT fit_power_law(x, 7, x, y)
    FROM (VALUES (1.0, 3.0), (10.0, 2.0), (100.0, 1.5), (1000.0, 1.2), (1e4, 1.1), (1e5, 1.0), (1e6, 0.9)) v(x, y)$$);
SELECT pg_temp.fs_case(5, 'values apart only within the rounding of their logs',
  $$SELECT fit_power_law(1e300 * (1 + i * 1e-13), i::float8) FROM generate_series(1, 10) i$$);
SELECT pg_temp.fs_case(6, 'collinear logs',
  $$SELECT fit_power_law(x, x * x, 1 + 1 / x) FROM generate_series(1, 20) x$$);
SELECT pg_temp.fs_case(7, 'collinear logs (3 inputs)',
  $$SELECT fit_power_law(x1, x2, x1 * x2, y)
    FROM (SELECT (1 + i % 5)::float8 AS x1, (1 + i / 5)::float8 AS x2, (1 + i)::float8 AS y FROM generate_series(0, 24) i) s$$);
SELECT pg_temp.fs_case(8, 'no admissible point (exponent bounds)',
  $$SELECT fit_power_law(x, 1 + 1 / x, '{"bounds": {"alpha": [150, 200]}}'::jsonb) FROM generate_series(2, 3000, 7) x$$);
SELECT pg_temp.fs_case(9, 'a term that overflows',
  $$SELECT fit_power_law(1e10 * (1 + i * 0.5), 1 + 1e-3 * i, '{"bounds": {"alpha": [30, 30]}}'::jsonb)
    FROM generate_series(1, 20) i$$);
SELECT pg_temp.fs_case(10, 'residuals that overflow',
  $$SELECT fit_power_law(x, -1e308, '{"bounds": {"l_inf": [1.7e308, 1.7e308], "a": [0, 0]}}'::jsonb)
    FROM generate_series(1, 10) x$$);
\x on
SELECT * FROM fs_cases ORDER BY n;
\x off

-- the log laws: rows rather than distinct points, one value, rounding, collinear, overflow
SELECT (fit_log_law(x, y)).status AS too_few_rows FROM (VALUES (2.0, 1.0)) v(x, y);
SELECT (fit_log_law(x1, x2, y)).status AS too_few_rows_2 FROM (VALUES (2.0, 3.0, 1.0), (4.0, 5.0, 2.0)) v(x1, x2, y);
SELECT (fit_log_law(x, y)).status AS one_value FROM (VALUES (2.0, 1.0), (2.0, 3.0), (2.0, 2.0)) v(x, y);
SELECT (fit_log_law(x, 5, y)).status AS one_value_x2 FROM (VALUES (2.0, 1.0), (3.0, 3.0), (4.0, 2.0)) v(x, y);
SELECT (fit_log_law(1e300 * (1 + i * 1e-13), i::float8)).status AS rounding FROM generate_series(1, 10) i;
SELECT (fit_log_law(x, 6 * x, 1 / x)).status AS collinear FROM generate_series(1, 10) x;
SELECT (f).b IS NULL AS no_b, (f).status AS overflow
FROM (SELECT fit_log_law(1 + i * 1e-8, CASE WHEN i % 2 = 0 THEN 1e305 ELSE -1e305 END * i) f
      FROM generate_series(1, 10) i) s;
SELECT f AS failed_log_law
FROM (SELECT fit_log_law(x, 4, y) f FROM (VALUES (2.0, 1.0), (3.0, 3.0), (4.0, 2.0)) v(x, y)) s;

-- the formula laws
SELECT fit_scaling_law('N => E + A * N^-alpha', x, 2.0) AS too_few_points
FROM (VALUES (1.0), (10.0), (10.0)) v(x);
SELECT (f).status, (f).params IS NULL AS no_params, (f).converged, (f).iterations, (f).aic
FROM (SELECT fit_scaling_law('x => a * x^k', x::float8, x::float8, '{"bounds": {"k": [1000, 2000]}}') f
      FROM generate_series(10, 30) x) s;
SELECT (f).status, (f).params IS NULL AS no_params
FROM (SELECT fit_scaling_law('x => a + b * x', x::float8, -1e308,
                             '{"bounds": {"a": [1.7e308, 1.7e308], "b": [0, 0]}}') f
      FROM generate_series(10, 30) x) s;

-- NULL rows are skipped; no rows, or only NULL rows: still a NULL result
SELECT fit_power_law(x, y) IS NULL AS no_rows, fit_log_law(x, y) IS NULL AS log_no_rows,
       fit_scaling_law('x => a + b * x', x, y) IS NULL AS formula_no_rows
FROM (SELECT 1.0::float8 AS x, 1.0::float8 AS y WHERE false) s;
SELECT fit_power_law(x, y) IS NULL AS null_rows, fit_log_law(x, y) IS NULL AS log_null_rows,
       fit_scaling_law('x => a + b * x', x, y) IS NULL AS formula_null_rows
FROM (VALUES (NULL::float8, 1.0::float8), (2.0, NULL)) v(x, y);
SELECT (fit_power_law(x, y)).n AS rows_used, (fit_power_law(x, y)).status
FROM (VALUES (1.0, 2.0), (NULL, 1.0), (2.0, NULL), (3.0, 1.5)) v(x, y);

-- 2. fits that succeed: "ok", the logarithmic limit named unmistakably, the search's
-- edge, bounds; converged and iterations
SELECT (f).status, (f).converged, (f).iterations > 0 AS iterated
FROM (SELECT fit_power_law(x, 1 + 2 * power(x, -0.5) + 0.01 * sin(x)) f FROM generate_series(1, 30) x) s;
SELECT (f).alpha, (f).at_bound, (f).status, (f).converged
FROM (SELECT fit_power_law(x, 3 - 0.5 * ln(x)) f FROM generate_series(1, 20) x) s;
SELECT (f).status
FROM (SELECT fit_power_law(n, d, 2 - 0.3 * ln(n) - 0.2 * ln(d) + 0.001 * sin(n * d)) f
      FROM generate_series(1, 6) n, generate_series(1, 6) d) s;
-- an exponent held where the search stops (|alpha| x the spread of ln x = 60): not converged
SELECT round((f).alpha::numeric, 6) AS alpha, (f).status, (f).converged, (f).at_bound
FROM (SELECT fit_power_law(x, 1 + 5 * power(x, -80)) f FROM generate_series(1, 20) x) s;
SELECT (f).status, (f).converged
FROM (SELECT fit_power_law(x, 1 + 2 * power(x, -0.5) + 0.01 * sin(x), '{"bounds": {"l_inf": [1.2, null]}}'::jsonb) f
      FROM generate_series(1, 30) x) s;
SELECT (f).status, (f).converged, (f).iterations
FROM (SELECT fit_log_law(x, 1 + 2 * ln(x) + 0.1 * sin(x)) f FROM generate_series(1, 30) x) s;
SELECT (f).status, (f).at_bound
FROM (SELECT fit_log_law(x, 1 + 2 * ln(x) + 0.1 * sin(x), '{"bounds": {"b": [0, 1]}}'::jsonb) f
      FROM generate_series(1, 30) x) s;
-- formulas: a limit only approached, a parameter the data do not determine, the search's reach
SELECT (f).status, (f).at_bound
FROM (SELECT fit_scaling_law('N => E + A * N^-alpha', x::float8, 3 - 0.5 * ln(x)) f FROM generate_series(1, 20) x) s;
SELECT (f).status, (f).converged
FROM (SELECT fit_scaling_law('(N, D) => E + A * N^-alpha + B * D', ARRAY[x, 5], 1 + power(x, -0.5) + 0.01 * sin(x)) f
      FROM generate_series(1, 20) x) s;
SELECT (f).status, (f).converged, (f).at_bound
FROM (SELECT fit_scaling_law('(N, D) => ((Nc / N)^(aN / aD) + Dc / D)^aD', ARRAY[n, d],
                             ((1e13 / n)^(0.076 / 0.095) + 5e13 / d)^0.095) f
      FROM generate_series(1, 4) i, generate_series(1, 4) j, LATERAL (SELECT 10^(6 + i)::float8 n, 10^(8 + j)::float8 d) v) s;
SELECT (f).status, (f).converged, (f).iterations > 0 AS iterated
FROM (SELECT fit_scaling_law('x => a + b * exp(-k * x)', x::float8, 1 + 2 * exp(-0.3 * x) + 0.01 * sin(x)) f
      FROM generate_series(1, 30) x) s;
SELECT (f).status, (f).iterations
FROM (SELECT fit_scaling_law('x => a + b * x', x::float8, 1 + 2 * x + 0.01 * sin(x), '{"bounds": {"a": [2, null]}}') f
      FROM generate_series(1, 30) x) s;

-- 3. AIC and BIC as R's nls: logLik = -n/2 (ln(2 pi) + 1 - ln n + ln RSS), AIC = -2 logLik
-- + 2 (p + 1), BIC = -2 logLik + ln(n) (p + 1).  Residuals (0.5, -0.5, -0.5, 0.5) are
-- orthogonal to 1 and ln x for x = 1, 2, 4, 8: RSS = 1, n = 4, p = 2.
SELECT round((f).aic::numeric, 10) AS aic, round((4 * (ln(2 * pi()) + 1 - ln(4)) + 2 * 3)::numeric, 10) AS aic_exact,
       round((f).bic::numeric, 10) AS bic, round((4 * (ln(2 * pi()) + 1 - ln(4)) + ln(4) * 3)::numeric, 10) AS bic_exact
FROM (SELECT fit_log_law(2 ^ k, 1 + 2 * ln(2 ^ k) + d) f
      FROM (VALUES (0, 0.5), (1, -0.5), (2, -0.5), (3, 0.5)) v(k, d)) s;
-- the same data as a formula and as the power law at its log limit (alpha held at 0
-- does not count): the same AIC
SELECT round((f).aic::numeric, 9) AS formula_aic, round((g).aic::numeric, 9) AS preset_aic
FROM (SELECT fit_scaling_law('x => a + b * ln(x)', 2 ^ k, 1 + 2 * ln(2 ^ k) + d) f,
             fit_power_law(2 ^ k, 1 + 2 * ln(2 ^ k) + d) g
      FROM (VALUES (0, 0.5), (1, -0.5), (2, -0.5), (3, 0.5), (4, 0), (5, 0)) v(k, d)) s;
-- RSS = 0: logLik is infinite, AIC and BIC NULL
SELECT (f).rmse, (f).aic, (f).bic FROM (SELECT fit_log_law(x, 1 + 2 * ln(x)) f FROM (VALUES (1.0), (2.0)) v(x)) s;
-- comparing laws on the same data: the law that made the data has the lower AIC
SELECT (p).aic < (l).aic AS power_law_preferred
FROM (SELECT fit_power_law(x, 1 + 2 * power(x, -0.7) + 0.001 * sin(x)) p,
             fit_log_law(x, 1 + 2 * power(x, -0.7) + 0.001 * sin(x)) l FROM generate_series(1, 30) x) s;

-- 4. predictions of a failed fit are NULL, never an error
SELECT predict_loss(f, 10) IS NULL AS predict_null, predict_interval(f, 10) IS NULL AS interval_null
FROM (SELECT fit_power_law(x, y) f FROM (VALUES (1.0, 2.0), (10.0, 1.0)) v(x, y)) s;
SELECT compute_optimal(f, 1e20) IS NULL AS optimal_null
FROM (SELECT fit_power_law(x, 11 - x, y) f FROM (VALUES (1.0, 2.0), (2.0, 1.5), (3.0, 1.2), (4.0, 1.1)) v(x, y)) s;
SELECT predict_loss(f, 10::float8) IS NULL AS formula_predict_null, predict_interval(f, 10::float8) IS NULL AS formula_interval_null
FROM (SELECT fit_scaling_law('N => E + A * N^-alpha', x, 2.0) f FROM (VALUES (1.0), (10.0)) v(x)) s;
SELECT compute_optimal(f, 1e20) IS NULL AS formula_optimal_null
FROM (SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[x, x + 1], 2.0) f FROM (VALUES (1.0), (10.0)) v(x)) s;

-- 5. the same rows from stored points, and in a parallel plan: the same rows, bit for bit
CREATE TABLE fs_groups AS
SELECT g, x, x2, y FROM (
  SELECT 1 AS g, x::float8 AS x, 2::float8 AS x2, (1 + 2 * power(x, -0.5))::float8 AS y FROM generate_series(1, 50) x
  UNION ALL SELECT 2, 5, x + 1, x FROM generate_series(1, 50) x
  UNION ALL SELECT 3, x, x * 6, 1 / x FROM generate_series(1, 50) x
  UNION ALL SELECT 4, 1e300 * (1 + x * 1e-13), x, x FROM generate_series(1, 50) x
  UNION ALL SELECT 5, x, x + 1, 3 - 0.5 * ln(x) - 0.1 * ln(x + 1) + 0.001 * sin(x) FROM generate_series(1, 50) x
  UNION ALL SELECT 6, x, x + 2, 1 + 1 / x + 1 / (x + 2) + 0.001 * cos(x) FROM generate_series(1, 2) x) s;
CREATE TEMP TABLE fs_serial AS
SELECT g, fit_power_law(x, y)::text AS p1, fit_power_law(x, x2, y)::text AS p2, fit_log_law(x, x2, y)::text AS l2,
       fit_scaling_law('(N, D) => E + A * N^-alpha + B * D^-beta', ARRAY[x, x2], y)::text AS s2
FROM fs_groups GROUP BY g;
SELECT g, (p2::power_law2_fit).status AS power_law2, (l2::log_law2_fit).status AS log_law2,
       (s2::scaling_law_fit).status AS formula
FROM fs_serial ORDER BY g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.p1 = fit_power_law(p.v1)::text AND s.p2 = fit_power_law(p.v2)::text
                        AND s.l2 = fit_log_law(p.v2)::text
                        AND s.s2 = fit_scaling_law('(N, D) => E + A * N^-alpha + B * D^-beta', p.vn)::text) AS same_from_points
FROM fs_serial s JOIN (SELECT g, fit_points(x, y) v1, fit_points(x, x2, y) v2, fit_points(ARRAY[x, x2], y) vn
                       FROM fs_groups GROUP BY g) p USING (g);
CREATE FUNCTION pg_temp.parallel_plans() RETURNS void LANGUAGE sql AS $$
  SELECT set_config(name, value, true)
  FROM (VALUES ('parallel_setup_cost', '0'), ('parallel_tuple_cost', '0'),
               ('min_parallel_table_scan_size', '0'), ('max_parallel_workers_per_gather', '2'),
               ('parallel_leader_participation', 'off')) v(name, value)
$$;
BEGIN;
SELECT pg_temp.parallel_plans();
SET LOCAL enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT g, fit_power_law(x, y) FROM fs_groups GROUP BY g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.p1 = q.p1 AND s.p2 = q.p2 AND s.l2 = q.l2 AND s.s2 = q.s2) AS same_in_parallel
FROM fs_serial s JOIN (
  SELECT g, fit_power_law(x, y)::text AS p1, fit_power_law(x, x2, y)::text AS p2, fit_log_law(x, x2, y)::text AS l2,
         fit_scaling_law('(N, D) => E + A * N^-alpha + B * D^-beta', ARRAY[x, x2], y)::text AS s2
  FROM fs_groups GROUP BY g) q USING (g);
COMMIT;
DROP TABLE fs_groups;
