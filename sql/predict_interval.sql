-- covariance, data ranges and predict_interval of every fit
SET extra_float_digits = 0;
CREATE TABLE pi_runs AS
SELECT i, x, x2, x3,
       2 + 5 * x ^ (-0.4) + 0.01 * sin(7 * i) AS y,
       1.5 + 30 * x ^ (-0.3) + 8 * x2 ^ (-0.5) + 0.01 * sin(7 * i) AS y2,
       1.5 + 30 * x ^ (-0.3) + 8 * x2 ^ (-0.5) + 3 * x3 ^ (-0.7) + 0.01 * sin(7 * i) AS y3,
       4 - 0.3 * ln(x) + 0.02 * cos(5 * i) AS ylog,
       4 - 0.3 * ln(x) + 0.1 * ln(x2) + 0.02 * cos(5 * i) AS ylog2
FROM (SELECT i, (1000 * 1.4 ^ (i % 10))::float8 AS x, (50 * 1.9 ^ (i % 7))::float8 AS x2,
             (3 * 1.3 ^ (i % 5))::float8 AS x3
      FROM generate_series(1, 40) i) s;

-- the covariance covers the coefficients with a standard error; its diagonal is their squares,
-- it is symmetric, and x_min, x_max are the data range of each input
CREATE TABLE pi_fits AS
SELECT fit_power_law(x, y) AS p1, fit_power_law(x, x2, y2) AS p2, fit_power_law(x, x2, x3, y3) AS p3,
       fit_log_law(x, ylog) AS l1, fit_log_law(x, x2, ylog2) AS l2,
       fit_scaling_law('N => L + a * N^-alpha', x, y) AS s1,
       fit_scaling_law('(N, D) => E + A * N^-alpha + B * D^-beta', ARRAY[x, x2], y2) AS s2
FROM pi_runs;
CREATE FUNCTION pi_cov_ok(se jsonb, cov jsonb) RETURNS boolean LANGUAGE sql AS $$
  SELECT bool_and(abs((cov -> a.key ->> a.key)::float8 - (a.value::text)::float8 ^ 2)
                  <= 1e-14 * (cov -> a.key ->> a.key)::float8
                  AND (SELECT bool_and((cov -> a.key ->> b.key) = (cov -> b.key ->> a.key))
                       FROM jsonb_each(se) b))
         AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(cov) k) =
             (SELECT array_agg(key ORDER BY key) FROM jsonb_each(se))
  FROM jsonb_each(se) a
$$;
SELECT pi_cov_ok((p1).std_errors, (p1).covariance) AS p1, pi_cov_ok((p2).std_errors, (p2).covariance) AS p2,
       pi_cov_ok((p3).std_errors, (p3).covariance) AS p3, pi_cov_ok((l1).std_errors, (l1).covariance) AS l1,
       pi_cov_ok((l2).std_errors, (l2).covariance) AS l2, pi_cov_ok((s1).std_errors, (s1).covariance) AS s1,
       pi_cov_ok((s2).std_errors, (s2).covariance) AS s2
FROM pi_fits;
SELECT (p1).x_min AS p1_min, (p1).x_max AS p1_max, (p3).x_min AS p3_min, (p3).x_max AS p3_max,
       (l2).x_min AS l2_min, (l2).x_max AS l2_max, (s2).x_min AS s2_min, (s2).x_max AS s2_max
FROM pi_fits;
SELECT (p1).x_min = ARRAY[min(x)] AND (p1).x_max = ARRAY[max(x)] AND (l1).x_max = ARRAY[max(x)]
       AND (p3).x_max = ARRAY[max(x), max(x2), max(x3)] AS ranges_exact
FROM pi_fits, pi_runs GROUP BY p1, l1, p3;

-- the estimate is predict_loss, bit for bit; the interval is symmetric about it, and wider at a
-- higher level and farther from the data
SELECT (i).estimate = predict_loss(p1, 1e6) AS same_estimate, (i).lo < (i).estimate AND (i).estimate < (i).hi AS inside,
       abs(((i).hi - (i).estimate) - ((i).estimate - (i).lo)) < 1e-15 AS symmetric,
       (predict_interval(p1, 1e6, 0.99)).hi > (i).hi AS wider_at_99,
       (predict_interval(p1, 1e7)).hi - (predict_interval(p1, 1e7)).lo > (i).hi - (i).lo AS wider_farther,
       (predict_interval(p1, 1e6, level => 0.5)).hi < (i).hi AS named_level
FROM (SELECT p1, predict_interval(p1, 1e6) AS i FROM pi_fits) s;
SELECT (predict_interval(p2, 1e6, 1e4)).estimate = predict_loss(p2, 1e6, 1e4) AS p2,
       (predict_interval(p3, 1e6, 1e4, 100)).estimate = predict_loss(p3, 1e6, 1e4, 100) AS p3,
       (predict_interval(l2, 1e6, 1e4)).estimate = predict_loss(l2, 1e6, 1e4) AS l2,
       (predict_interval(s2, ARRAY[1e6, 1e4])).estimate = predict_loss(s2, ARRAY[1e6, 1e4]) AS s2,
       (predict_interval(p3, 1e6, 1e4, 100)).lo < predict_loss(p3, 1e6, 1e4, 100) AS p3_lo,
       (predict_interval(l2, 1e6, 1e4)).hi > predict_loss(l2, 1e6, 1e4) AS l2_hi
FROM pi_fits;

-- known truth: a one-input log law is a straight line in ln x, whose mean-prediction interval is
-- t * sigma * sqrt(1/n + (ln x - mean ln x)^2 / Sxx), t = t_{0.975, 38} = 2.0243941639119692
SELECT abs(((predict_interval(l1, 1e6)).hi - predict_loss(l1, 1e6)) /
           (2.0243941639119692 * sqrt(sum((ylog - predict_loss(l1, x)) ^ 2) / 38)
            * sqrt(1.0 / 40 + (ln(1e6) - avg(ln(x))) ^ 2 / sum((ln(x) - (SELECT avg(ln(x)) FROM pi_runs)) ^ 2)))
           - 1) < 1e-12 AS textbook_interval
FROM pi_fits, pi_runs GROUP BY l1;
-- the delta method by hand from the covariance: gradient (1, x^-alpha, -a x^-alpha ln x),
-- t = t_{0.975, 37} = 2.0261924630291094 (40 rows, 3 coefficients)
SELECT abs(((predict_interval(p1, 1e6)).hi - predict_loss(p1, 1e6)) /
           (2.0261924630291094 * sqrt(g0 * g0 * c00 + g1 * g1 * c11 + g2 * g2 * c22
                                     + 2 * (g0 * g1 * c01 + g0 * g2 * c02 + g1 * g2 * c12))) - 1) < 1e-12 AS delta_method
FROM (SELECT p1, 1 AS g0, 1e6 ^ (-(p1).alpha) AS g1, -(p1).a * 1e6 ^ (-(p1).alpha) * ln(1e6) AS g2,
             ((p1).covariance -> 'l_inf' ->> 'l_inf')::float8 AS c00, ((p1).covariance -> 'a' ->> 'a')::float8 AS c11,
             ((p1).covariance -> 'alpha' ->> 'alpha')::float8 AS c22, ((p1).covariance -> 'l_inf' ->> 'a')::float8 AS c01,
             ((p1).covariance -> 'l_inf' ->> 'alpha')::float8 AS c02, ((p1).covariance -> 'a' ->> 'alpha')::float8 AS c12
      FROM pi_fits) s;
-- a formula fit of the same law gives the same interval (its Jacobian is the formula's own)
SELECT abs((predict_interval(s1, 1e6)).hi / (predict_interval(p1, 1e6)).hi - 1) < 1e-9 AS formula_as_preset,
       (predict_interval(s1, 1e6)).estimate = predict_loss(s1, 1e6::float8) AS same_estimate,
       predict_interval(s1, 1e6) = predict_interval(s1, ARRAY[1e6]) AS scalar_as_array
FROM pi_fits;

-- the logarithmic limit: alpha = 0 is held, so it has no covariance; the term is -a ln x, and
-- l_inf - a ln x is the log law a + b ln x, with the same interval
CREATE TABLE pi_limit AS SELECT fit_power_law(x, ylog, '{"bounds": {"alpha": [0, 0]}}'::jsonb) AS f FROM pi_runs;
SELECT (f).alpha, (f).at_bound, (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys((f).covariance) k) AS covered,
       (predict_interval(f, 1e6)).lo < predict_loss(f, 1e6) AS has_interval,
       abs((predict_interval(f, 1e6)).hi / (SELECT (predict_interval(l1, 1e6)).hi FROM pi_fits) - 1) < 1e-12 AS as_log_law
FROM pi_limit;

-- no covariance: NULL bounds with the estimate; a NULL coefficient: NULL
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4) AS no_covariance,
       predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4) AS empty_covariance,
       predict_interval(ROW(1, 2, 0.5, NULL, 1, 0, '{}', NULL, '{"a": {"a": 1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4) AS null_n,
       predict_interval(ROW(1, NULL, 0.5, 10, 1, 0, '{}', NULL, '{"a": {"a": 1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4) IS NULL AS null_coefficient;
-- too few rows for a standard error: no covariance either
SELECT (f).std_errors, (f).covariance, predict_interval(f, 10) AS interval
FROM (SELECT fit_power_law(x, y) AS f FROM (VALUES (1.0, 5.0), (2, 4), (4, 3.5), (8, 3.3)) v(x, y)) s;
-- a hand-made covariance is used as given: l_inf alone, variance 0.25, n - p = 9, t = 2.262157162798205
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"l_inf": {"l_inf": 0.25}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);

-- the level: strictly between 0 and 1
SELECT predict_interval(p1, 1e6, 1) FROM pi_fits;
\echo :LAST_ERROR_SQLSTATE
SELECT predict_interval(p1, 1e6, 0) FROM pi_fits;
SELECT predict_interval(p1, 1e6, 'NaN') FROM pi_fits;
SELECT predict_interval(s1, 1e6, -0.5) FROM pi_fits;
\echo :LAST_ERROR_SQLSTATE
SELECT predict_interval(l2, 1e6, 1e4, 95) FROM pi_fits;
-- inputs are checked as for predict_loss
SELECT predict_interval(p1, 0) FROM pi_fits;
\echo :LAST_ERROR_SQLSTATE

-- hand-made fits are hostile input: a covariance that is not one is an ERROR naming the problem
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '[1]', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"beta": {"beta": 1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"a": 1}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"a": {"a": "1"}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"a": {"a": 1e400}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"a": {"a": 1, "x": 0}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"a": {"a": 1}, "alpha": {"a": 0, "alpha": 1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"a": {"a": 1, "alpha": 0}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"a": {"a": 1, "alpha": 0.5}, "alpha": {"a": 0.4, "alpha": 1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0.5, 10, 1, 0, '{}', NULL, '{"a": {"a": -1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
-- symmetric, non-negative diagonal, but not positive semidefinite
SELECT predict_interval(ROW(1, 2, 10, 1, 0, '{}', NULL, '{"a": {"a": 1, "b": 3}, "b": {"a": 3, "b": 1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law_fit, exp(-1));
\echo :LAST_ERROR_SQLSTATE
SELECT predict_interval(ROW(1, 2, 2, 1, 0, '{}', NULL, '{"a": {"a": 1, "b": 0}, "b": {"a": 0, "b": 1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law_fit, 4);
SELECT predict_interval(ROW(1, 2, 0, 10, 1, 0, '{alpha}', NULL, '{"a": {"a": 1, "alpha": 0}, "alpha": {"a": 0, "alpha": 1}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4);
SELECT predict_interval(ROW('N => a * N', '{"a": 1}', 10, 1, 0, '{}', true, NULL, '{"b": {"b": 1}}', NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8);
\echo :LAST_ERROR_SQLSTATE
SELECT predict_interval(ROW('N => a * N', '{"a": 1}', 10, 1, 0, '{}', true, NULL, '{"a": {"a": 4}}', NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8) AS formula_hand_made;

-- the same bits in every plan and from stored points: a shuffled, a parallel and a stored-points fit
CREATE TABLE pi_big AS SELECT g, x, 2 + 5 * x ^ (-0.4) + 0.02 * sin(i) AS y
FROM (SELECT i, i % 4 AS g, (100 + (hashint4(i) & 65535))::float8 AS x FROM generate_series(1, 20000) i) s;
CREATE TABLE pi_serial AS SELECT g, fit_power_law(x, y)::text AS f, fit_log_law(x, y)::text AS l FROM pi_big GROUP BY g;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT g, fit_power_law(x, y) FROM pi_big GROUP BY g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE p.f = s.f AND p.l = s.l) AS same_in_parallel,
       count(*) FILTER (WHERE p.f LIKE '%""alpha"": {""a""%' AND p.l LIKE '%""b"": {""a""%') AS with_covariance
FROM pi_serial s JOIN (SELECT g, fit_power_law(x, y)::text AS f, fit_log_law(x, y)::text AS l FROM pi_big GROUP BY g) p USING (g);
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT count(*) FILTER (WHERE fit_power_law(pts)::text = s.f AND fit_log_law(pts)::text = s.l) AS same_from_points,
       count(*) FILTER (WHERE o.f = s.f) AS same_in_reverse
FROM pi_serial s
JOIN (SELECT g, fit_points(x, y) AS pts FROM pi_big GROUP BY g) p USING (g)
JOIN (SELECT g, fit_power_law(x, y ORDER BY x DESC)::text AS f FROM pi_big GROUP BY g) o USING (g);

DROP TABLE pi_runs, pi_fits, pi_limit, pi_big, pi_serial;
DROP FUNCTION pi_cov_ok(jsonb, jsonb);
