-- Options are the bounds they set, read from every row: the same result or
-- the same error in a serial plan, a parallel plan (Partial Aggregate in
-- workers, combined in the leader) and a partitionwise plan (Partial
-- Aggregate per partition), for every fit aggregate with options.
SET extra_float_digits = 3;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
CREATE TABLE op_runs (part int, i int, g int, x1 float8, x2 float8, x3 float8, y float8) PARTITION BY LIST (part);
CREATE TABLE op_runs_1 PARTITION OF op_runs FOR VALUES IN (1);
CREATE TABLE op_runs_2 PARTITION OF op_runs FOR VALUES IN (2);
-- two groups, each with rows in both partitions; y is NULL on every 500th row
INSERT INTO op_runs
SELECT 1 + (i > 6000)::int, i, i % 2, x1, x2, x3,
       CASE WHEN i % 500 <> 0 THEN 0.7 + 3 * x1 ^ (-0.4) + 2 * x2 ^ (-0.3) + x3 ^ (-0.2) + 0.01 * sin(i) END
FROM generate_series(1, 12000) i,
     LATERAL (SELECT 10.0 * (1 + i % 7), 7.0 * (1 + (i / 7) % 5), 3.0 * (1 + (i / 35) % 4)) v(x1, x2, x3);
ANALYZE op_runs;

-- the plans (the function below sets the same settings)
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT g, fit_power_law(x1, y, '{}'::jsonb) FROM op_runs GROUP BY g;
SET max_parallel_workers_per_gather = 0;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF) SELECT g, fit_power_law(x1, y, '{}'::jsonb) FROM op_runs GROUP BY g;
RESET enable_partitionwise_aggregate;

-- the outcome of query q in a plan: its rows as text, or its error
CREATE FUNCTION op_run(plan text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  r text;
BEGIN
  PERFORM set_config('max_parallel_workers_per_gather', CASE plan WHEN 'parallel' THEN '2' ELSE '0' END, true);
  PERFORM set_config('enable_partitionwise_aggregate', CASE plan WHEN 'partitionwise' THEN 'on' ELSE 'off' END, true);
  EXECUTE 'CREATE TEMP TABLE op_out AS ' || q;
  SELECT string_agg(t::text, E'\n' ORDER BY t::text) INTO r FROM op_out t;
  DROP TABLE op_out;
  RETURN r;
EXCEPTION WHEN OTHERS THEN
  RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE TABLE op_aggs (agg text, call text);
INSERT INTO op_aggs VALUES
  ('power 1', 'fit_power_law(x1, y%s)'),
  ('power 2', 'fit_power_law(x1, x2, y%s)'),
  ('power 3', 'fit_power_law(x1, x2, x3, y%s)'),
  ('log 1', 'fit_log_law(x1, y%s)'),
  ('log 2', 'fit_log_law(x1, x2, y%s)');
-- each case: the options expression, and the options every row gives in the
-- reference (NULL: the aggregate without options)
CREATE TABLE op_cases (n int, what text, options text, reference text);
INSERT INTO op_cases VALUES
  (1, 'same bounds, spelled otherwise in partition 2',
   $$CASE part WHEN 1 THEN '{"bounds": {"a": [0, 1]}}' ELSE '{"bounds": {"a": [0.0, 1.000]}}' END::jsonb$$,
   $$'{"bounds": {"a": [0, 1]}}'::jsonb$$),
  (2, 'same bounds, spelled otherwise on every third row',
   $$CASE WHEN i % 3 = 0 THEN '{"bounds": {"a": [0, 1]}}' ELSE '{"bounds": {"a": [0e0, 10e-1]}}' END::jsonb$$,
   $$'{"bounds": {"a": [0, 1]}}'::jsonb$$),
  (3, 'NULL in partition 1, {} in partition 2',
   $$CASE part WHEN 2 THEN '{}' END::jsonb$$, NULL),
  (4, 'NULL, {} and empty bounds on alternate rows',
   $$CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN '{}' ELSE '{"bounds": {}}' END::jsonb$$, NULL),
  (5, 'NULL in partition 1, bounds in partition 2',
   $$CASE part WHEN 2 THEN '{"bounds": {"a": [0, 1]}}' END::jsonb$$, NULL),
  (6, 'bounds only on the rows whose y is NULL',
   $$CASE WHEN y IS NULL THEN '{"bounds": {"a": [0, 1]}}' END::jsonb$$, NULL),
  (7, 'other bounds in partition 2',
   $$CASE part WHEN 1 THEN '{"bounds": {"a": [0, 1]}}' ELSE '{"bounds": {"a": [0, 2]}}' END::jsonb$$, NULL),
  (8, 'malformed options on one row',
   $$CASE WHEN i = 7000 THEN '{"bounds": {"a": [1, 0]}}' END::jsonb$$, NULL);

CREATE TABLE op_outcomes AS
SELECT c.n, c.what, a.agg, o.serial, o.parallel, o.partitionwise, o.reference
FROM op_cases c CROSS JOIN op_aggs a,
     LATERAL (SELECT format('SELECT g, %s AS f FROM op_runs GROUP BY g', format(a.call, ', ' || c.options)) AS q,
                     format('SELECT g, %s AS f FROM op_runs GROUP BY g',
                            format(a.call, coalesce(', ' || c.reference, ''))) AS ref) qs,
     LATERAL (SELECT op_run('serial', qs.q) AS serial, op_run('parallel', qs.q) AS parallel,
                     op_run('partitionwise', qs.q) AS partitionwise, op_run('serial', qs.ref) AS reference) o;

-- every plan gives the serial outcome; a result equals the reference, bit for bit
SELECT n, what, agg,
       CASE WHEN serial LIKE 'ERROR%' THEN serial
            ELSE 'result ' || CASE WHEN serial = reference THEN 'equals' ELSE 'differs from' END || ' the reference' END
           AS serial,
       parallel = serial AS parallel_same, partitionwise = serial AS partitionwise_same
FROM op_outcomes ORDER BY n, agg;
-- the bounds were applied: with them, the fits differ from the defaults
SELECT count(*) FILTER (WHERE o.serial <> d.serial) AS bounded_differs, count(*) AS aggregates
FROM op_outcomes o JOIN op_outcomes d USING (agg) WHERE o.n = 1 AND d.n = 3;
DROP TABLE op_outcomes, op_cases, op_aggs, op_runs;
DROP FUNCTION op_run(text, text);
