-- Plan invariance: random groups (deterministic: setseed) give bit-identical
-- results for every aggregate in a serial, a parallel (Partial Aggregate in
-- two workers, combined in the leader) and a partitionwise plan (Partial
-- Aggregate per partition), and the same errors.  Results are compared as
-- text with extra_float_digits = 3 (exact) and fit_points values by bytes.
SET extra_float_digits = 3;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SELECT setseed(0.20260);

-- 40 groups of random size with random laws; inputs drawn from a few sizes
-- per group (so rows repeat inputs), y noisy, NULLs here and there, and the
-- rows of every group spread over three partitions
CREATE TABLE pi_laws AS
SELECT g, 1 + floor(random() * 600)::int AS rows, random() * 2 AS l_inf, 1 + random() * 9 AS a,
       0.05 + random() AS alpha, random() * 3 AS b, 0.05 + random() * 0.8 AS beta,
       1 + floor(random() * 12)::int AS sizes, random() * 0.05 AS noise
FROM generate_series(1, 40) g;
CREATE TABLE pi_runs (part int, g int, i int, x1 float8, x2 float8, x3 float8, y float8) PARTITION BY LIST (part);
CREATE TABLE pi_runs_0 PARTITION OF pi_runs FOR VALUES IN (0);
CREATE TABLE pi_runs_1 PARTITION OF pi_runs FOR VALUES IN (1);
CREATE TABLE pi_runs_2 PARTITION OF pi_runs FOR VALUES IN (2);
INSERT INTO pi_runs
SELECT floor(random() * 3)::int, g, row_number() OVER (), x1, x2, x3,
       CASE WHEN random() > 0.02 THEN l_inf + a * x1 ^ (-alpha) + b * x2 ^ (-beta) + 0.1 * ln(x3)
                                      + noise * (random() - 0.5) END
FROM (SELECT l.*, 10 ^ (2 + floor(random() * l.sizes) / 2) AS x1,
             CASE WHEN random() > 0.01 THEN 10 ^ (1 + floor(random() * 4)) END AS x2,
             2 ^ floor(1 + random() * 3) AS x3
      FROM pi_laws l, generate_series(1, l.rows) r) s;
ANALYZE pi_runs;
SELECT count(*) AS rows, count(DISTINCT g) AS groups, count(*) FILTER (WHERE y IS NULL OR x2 IS NULL) AS with_null
FROM pi_runs;

-- stored values per group and partition, to merge
CREATE TABLE pi_points (part int, g int, p1 fit_points, p2 fit_points2, p3 fit_points3) PARTITION BY LIST (part);
CREATE TABLE pi_points_0 PARTITION OF pi_points FOR VALUES IN (0);
CREATE TABLE pi_points_1 PARTITION OF pi_points FOR VALUES IN (1);
CREATE TABLE pi_points_2 PARTITION OF pi_points FOR VALUES IN (2);
INSERT INTO pi_points
SELECT part, g, fit_points(x1, y), fit_points(x1, x2, y), fit_points(x1, x2, x3, y)
FROM pi_runs GROUP BY part, g, i % 16;
ANALYZE pi_points;

-- the plans
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT g, fit_power_law(x1, y) FROM pi_runs GROUP BY g;
EXPLAIN (COSTS OFF) SELECT g, merge_fit_points(p1) FROM pi_points GROUP BY g;
SET max_parallel_workers_per_gather = 0;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF) SELECT g, fit_power_law(x1, y) FROM pi_runs GROUP BY g;
EXPLAIN (COSTS OFF) SELECT g, merge_fit_points(p1) FROM pi_points GROUP BY g;
RESET enable_partitionwise_aggregate;

-- the outcome of query q in a plan: its rows as text, or its error
CREATE FUNCTION pi_run(plan text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', CASE plan WHEN 'parallel' THEN '2' ELSE '0' END, true);
  PERFORM set_config('enable_partitionwise_aggregate', CASE plan WHEN 'partitionwise' THEN 'on' ELSE 'off' END, true);
  EXECUTE 'CREATE TEMP TABLE pi_out AS ' || q;
  SELECT string_agg(t::text, E'\n' ORDER BY t::text) INTO r FROM pi_out t;
  DROP TABLE pi_out;
  RETURN r;
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END $$;

-- options differ between groups, are spelled differently between partitions,
-- and are NULL (the defaults) in some groups
CREATE TABLE pi_queries (n int, agg text, q text);
INSERT INTO pi_queries VALUES
  (1, 'fit_power_law(x, y)', 'SELECT g, fit_power_law(x1, y) FROM pi_runs GROUP BY g'),
  (2, 'fit_power_law(x, y, options)', $$SELECT g, fit_power_law(x1, y,
        CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN format('{"bounds": {"alpha": [%s, 0.5]}}', CASE part WHEN 0 THEN '0' ELSE '0.0' END)
                   ELSE '{"bounds": {"l_inf": [0, null], "a": [-1e9, 1e9]}}' END::jsonb) FROM pi_runs GROUP BY g$$),
  (3, 'fit_power_law(x1, x2, y)', 'SELECT g, fit_power_law(x1, x2, y) FROM pi_runs GROUP BY g'),
  (4, 'fit_power_law(x1, x2, x3, y, options)', $$SELECT g, fit_power_law(x1, x2, x3, y,
        '{"bounds": {"gamma": [-1, 1]}}') FROM pi_runs GROUP BY g$$),
  (5, 'fit_log_law(x, y)', 'SELECT g, fit_log_law(x1, y) FROM pi_runs GROUP BY g'),
  (6, 'fit_log_law(x1, x2, y, options)', $$SELECT g, fit_log_law(x1, x2, y,
        CASE WHEN g % 2 = 0 THEN '{"bounds": {"c": [0, null]}}' END::jsonb) FROM pi_runs GROUP BY g$$),
  (7, 'fit_points(x, y)', 'SELECT g, fit_points(x1, y) FROM pi_runs GROUP BY g'),
  (8, 'fit_points(x1, x2, y)', 'SELECT g, fit_points(x1, x2, y) FROM pi_runs GROUP BY g'),
  (9, 'fit_points(x1, x2, x3, y)', 'SELECT g, fit_points(x1, x2, x3, y) FROM pi_runs GROUP BY g'),
  (10, 'merge_fit_points(fit_points)', 'SELECT g, merge_fit_points(p1) FROM pi_points GROUP BY g'),
  (11, 'merge_fit_points(fit_points2)', 'SELECT g, merge_fit_points(p2) FROM pi_points GROUP BY g'),
  (12, 'merge_fit_points(fit_points3)', 'SELECT g, merge_fit_points(p3) FROM pi_points GROUP BY g'),
  (13, 'all groups as one', $$SELECT fit_power_law(x1, y) AS p1, fit_power_law(x1, x2, y) AS p2,
        fit_log_law(x1, x2, y) AS l2, fit_points(x1, x2, x3, y) AS v3 FROM pi_runs$$),
  -- errors: one bad row, found by whichever process reads it
  (14, 'x <= 0 on one row', 'SELECT g, fit_power_law(CASE WHEN i = 4321 THEN -x1 ELSE x1 END, y) FROM pi_runs GROUP BY g'),
  (15, 'x = 0 on one row (log)', 'SELECT g, fit_log_law(x1, CASE WHEN i = 777 THEN 0 ELSE x2 END, y) FROM pi_runs GROUP BY g'),
  (16, 'NaN y on one row', $$SELECT g, fit_points(x1, CASE WHEN i = 9000 THEN 'NaN' ELSE y END) FROM pi_runs GROUP BY g$$),
  (17, 'other options in one partition', $$SELECT g, fit_log_law(x1, y,
        CASE WHEN part = 2 AND g = 7 THEN '{"bounds": {"b": [0, 1]}}' END::jsonb) FROM pi_runs GROUP BY g$$);

CREATE TABLE pi_outcomes AS
SELECT n, agg, pi_run('serial', q) AS serial, pi_run('parallel', q) AS parallel,
       pi_run('partitionwise', q) AS partitionwise
FROM pi_queries;

-- every plan gives the serial outcome
SELECT n, agg,
       CASE WHEN serial LIKE 'ERROR%' THEN serial
            ELSE (SELECT count(*) FILTER (WHERE l NOT LIKE '%,)') || ' non-NULL results, '
                         || count(*) FILTER (WHERE l LIKE '%,f,,,)")') || ' of them failed fits'
                  FROM regexp_split_to_table(serial, E'\n') l) END AS serial,
       parallel = serial AS parallel_same, partitionwise = serial AS partitionwise_same
FROM pi_outcomes ORDER BY n;
-- the stored values merged per group are the values of the group's rows
SELECT count(*) AS groups, count(*) FILTER (WHERE m.p::text = r.p::text) AS merged_equal_direct
FROM (SELECT g, merge_fit_points(p3) AS p FROM pi_points GROUP BY g) m
JOIN (SELECT g, fit_points(x1, x2, x3, y) AS p FROM pi_runs GROUP BY g) r USING (g);
DROP TABLE pi_outcomes, pi_queries, pi_points, pi_runs, pi_laws;
DROP FUNCTION pi_run(text, text);
