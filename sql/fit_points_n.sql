-- fit_pointsn: stored point values of 1 to 8 inputs, built from rows whose
-- inputs come as one float8[] (version 1.3)
SET extra_float_digits = 3;
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN EXECUTE q; RETURN 'no error';
EXCEPTION WHEN OTHERS THEN RETURN SQLSTATE || ': ' || SQLERRM; END $$;
CREATE TABLE pn_runs AS
SELECT i, i % 4 AS g, 1000.0 * (1 + i % 13) AS x1, 2.0 + i % 5 AS x2, 1e9 * (1 + i % 7) AS x3,
       0.5 + i % 3 AS x4, 10.0 + i % 11 AS x5, 3.0 + i % 2 AS x6, 1.0 + i % 17 AS x7,
       1e-3 * (1 + i % 19) AS x8,
       1.5 + 3 * (1000.0 * (1 + i % 13)) ^ (-0.3) + 0.01 * ((i * 7919) % 101) / 101.0 AS y
FROM generate_series(1, 2000) i;

-- 1 to 3 inputs: the same bytes as the scalar aggregates' values
SELECT fit_points(ARRAY[x1], y)::text = fit_points(x1, y)::text AS same1,
       fit_points(ARRAY[x1, x2], y)::text = fit_points(x1, x2, y)::text AS same2,
       fit_points(ARRAY[x1, x2, x3], y)::text = fit_points(x1, x2, x3, y)::text AS same3,
       fit_points_inputs(fit_points(ARRAY[x1], y)) AS k1,
       fit_points_inputs(fit_points(ARRAY[x1, x2, x3], y)) AS k3
FROM pn_runs;
-- casts from the fixed-k types: equal values (exact: the same bytes)
SELECT fit_points(x1, y)::fit_pointsn::text = fit_points(ARRAY[x1], y)::text AS cast1,
       fit_points(x1, x2, y)::fit_pointsn::text = fit_points(ARRAY[x1, x2], y)::text AS cast2,
       fit_points(x1, x2, x3, y)::fit_pointsn::text = fit_points(ARRAY[x1, x2, x3], y)::text AS cast3,
       pg_typeof(fit_points(x1, y)::fit_pointsn) AS cast_type
FROM pn_runs;
-- an assignment cast: a fit_points value stored in a fit_pointsn column
CREATE TABLE pn_store (g int, p fit_pointsn);
INSERT INTO pn_store SELECT g, fit_points(x1, x2, y) FROM pn_runs GROUP BY g;
SELECT g, fit_points_inputs(p) AS k, fit_points_rows(p) AS rows, fit_points_distinct(p) AS distinct_inputs,
       p::text = (SELECT fit_points(ARRAY[x1, x2], y)::text FROM pn_runs r WHERE r.g = s.g) AS same
FROM pn_store s ORDER BY g;

-- a value of 5 inputs, byte by byte: version 1, k = 5, 2 entries, 3 rows, the sum of y^2
-- (9 + 4 + 1 = 14 = 7 * 2^1: lo 0, one digit 14), then the entries in order of their
-- inputs: (1,2,3,4,5) with w = 2 and the exact sum 3 + 1 = 4, (1,2,3,4,6) with w = 1, y = 2
SELECT fit_points(ARRAY[x1, x2, x3, x4, x5], y)
FROM (VALUES (1, 2, 3, 4, 6, 2.0), (1, 2, 3, 4, 5, 3.0), (1, 2, 3, 4, 5, 1.0))
     t(x1, x2, x3, x4, x5, y);

-- 8 inputs: counts, exact text and binary round trips, order and merge invariance
CREATE TABLE pn_eight AS
SELECT g, fit_points(ARRAY[x1, x2, x3, x4, x5, x6, x7, x8], y) AS p FROM pn_runs GROUP BY g;
SELECT g, fit_points_inputs(p) AS k, fit_points_rows(p) AS rows, fit_points_distinct(p) AS distinct_inputs,
       length(p::text) AS text_length, md5(p::text) AS md5
FROM pn_eight ORDER BY g;
SELECT bool_and(p::text::fit_pointsn::text = p::text) AS text_round_trip,
       bool_and(sl_fit_pointsn_send(p) = decode(substr(p::text, 3), 'hex')) AS send_is_the_bytes
FROM pn_eight;
CREATE TABLE pn_copied (LIKE pn_eight);
\copy pn_eight TO 'results/fit_points_n.bin' (FORMAT binary)
\copy pn_copied FROM 'results/fit_points_n.bin' (FORMAT binary)
SELECT count(*) AS rows, bool_and(c.p::text = e.p::text) AS binary_round_trip
FROM pn_eight e JOIN pn_copied c USING (g);
TRUNCATE pn_copied;
\copy pn_eight TO 'results/fit_points_n.copy'
\copy pn_copied FROM 'results/fit_points_n.copy'
SELECT count(*) AS rows, bool_and(c.p::text = e.p::text) AS text_copy_round_trip
FROM pn_eight e JOIN pn_copied c USING (g);
-- rows in another order; parts merged by the aggregate and by the function, in two trees
SELECT e.g,
       e.p::text = (SELECT fit_points(ARRAY[x1, x2, x3, x4, x5, x6, x7, x8], y ORDER BY i DESC)::text
                    FROM pn_runs r WHERE r.g = e.g) AS reversed_same,
       e.p::text = (SELECT merge_fit_points(q)::text FROM
                      (SELECT fit_points(ARRAY[x1, x2, x3, x4, x5, x6, x7, x8], y) AS q
                       FROM pn_runs r WHERE r.g = e.g GROUP BY i % 3) parts) AS aggregate_of_parts,
       e.p::text = (SELECT merge_fit_points(merge_fit_points(q[1], q[2]), q[3])::text FROM
                      (SELECT array_agg(q ORDER BY part) AS q FROM
                        (SELECT i % 3 AS part, fit_points(ARRAY[x1, x2, x3, x4, x5, x6, x7, x8], y) AS q
                         FROM pn_runs r WHERE r.g = e.g GROUP BY 1) parts) a) AS function_of_parts,
       e.p::text = (SELECT merge_fit_points(q[3], merge_fit_points(q[2], q[1]))::text FROM
                      (SELECT array_agg(q ORDER BY part) AS q FROM
                        (SELECT i % 3 AS part, fit_points(ARRAY[x1, x2, x3, x4, x5, x6, x7, x8], y) AS q
                         FROM pn_runs r WHERE r.g = e.g GROUP BY 1) parts) a) AS other_tree
FROM pn_eight e ORDER BY e.g;
-- all groups merged: the value of all rows
SELECT merge_fit_points(p)::text = (SELECT fit_points(ARRAY[x1, x2, x3, x4, x5, x6, x7, x8], y)::text FROM pn_runs)
       AS union_is_all_rows
FROM pn_eight;
-- an array with another lower bound gives its elements in order
SELECT fit_points(('[0:1]={' || x1 || ',' || x2 || '}')::float8[], y)::text = fit_points(ARRAY[x1, x2], y)::text
       AS lower_bound_ignored
FROM pn_runs;

-- NULLs: a NULL array, a NULL element or a NULL y skips the row (before any other check);
-- no rows or only skipped rows give NULL
SELECT fit_points_rows(fit_points(a, y)) AS rows, fit_points_inputs(fit_points(a, y)) AS k
FROM (VALUES (ARRAY[1.0, 2.0]::float8[], 1.0), (NULL, 2.0), (ARRAY[1.0, NULL], 3.0),
             (ARRAY[3.0, 4.0], NULL), (ARRAY[NULL, -1.0, 7.0], 4.0),
             (ARRAY[[1.0, NULL], [2.0, 3.0]], 5.0), (ARRAY[5.0, 6.0], 6.0)) t(a, y);
SELECT fit_points(a, y) IS NULL AS all_skipped
FROM (VALUES (NULL::float8[], 1.0), (ARRAY[1.0, NULL], 2.0), (ARRAY[1.0], NULL)) t(a, y);
SELECT fit_points(ARRAY[x1], y) IS NULL AS no_rows FROM pn_runs WHERE false;
SELECT merge_fit_points(p) IS NULL AS no_values FROM pn_eight WHERE false;
SELECT merge_fit_points(NULL::fit_pointsn, NULL::fit_pointsn) IS NULL AS both_null,
       merge_fit_points(p, NULL)::text = p::text AS null_is_no_rows
FROM pn_eight WHERE g = 0;

-- the empty value (no rows, any k) is valid; merged with a value of its k it is that value
SELECT fit_points_inputs(e) AS k, fit_points_rows(e) AS rows, fit_points_distinct(e) AS distinct_inputs,
       merge_fit_points(e, e)::text = e::text AS empty_merge,
       merge_fit_points(p, e)::text = p::text AS merge_with_empty
FROM pn_eight, (SELECT '\x010800000000000000000000000000000000000000000000'::fit_pointsn AS e) v WHERE g = 1;
-- the text of a fit_points3 value (as 1.2 writes it) reads as fit_pointsn unchanged
SELECT t::fit_pointsn::text = t AS same_text, fit_points_inputs(t::fit_pointsn) AS k
FROM (SELECT fit_points(x1, x2, x3, y)::text AS t FROM pn_runs) s;
-- a valid hand-made value of 2 inputs: 2 rows, (1, 2) y = 1 and (1, 3) y = 2
SELECT fit_points_rows(v) AS rows, fit_points_inputs(v) AS k,
       v::text = (SELECT fit_points(a, y)::text FROM (VALUES (ARRAY[1.0, 3.0], 2.0), (ARRAY[1.0, 2.0], 1.0)) t(a, y))
       AS as_built
FROM (SELECT '\x0102000002000000020000000000000000000000010000000500000000000000000000000000f03f00000000000000400100000000000000000000000000f03f000000000000f03f000000000000084001000000000000000000000000000040'::fit_pointsn AS v) s;

-- more distinct inputs than the aggregate hashes (65536): the log, merged at the end
CREATE TABLE pn_big AS
SELECT i, i % 2 AS half, ARRAY[1.0 + i % 70001, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 1.0 + i % 3]::float8[] AS a,
       1.0 + (i % 97) * 0.125 AS y
FROM generate_series(1, 150000) i;
SELECT fit_points_rows(p) AS rows, fit_points_distinct(p) AS distinct_inputs,
       p::text = (SELECT fit_points(a, y ORDER BY i DESC)::text FROM pn_big) AS reversed_same,
       p::text = (SELECT merge_fit_points(q)::text FROM (SELECT fit_points(a, y) AS q FROM pn_big GROUP BY half) h)
       AS merged_same
FROM (SELECT fit_points(a, y) AS p FROM pn_big) s;

-- parallel plans: Partial Aggregate, the same bytes as serial
CREATE TABLE pn_par_rows AS SELECT i, a, y FROM pn_big WHERE i <= 60000;
CREATE TABLE pn_many AS SELECT i % 3000 AS g, fit_points(a, y) AS p FROM pn_par_rows GROUP BY 1;
ANALYZE pn_par_rows, pn_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT fit_points(a, y) FROM pn_par_rows;
EXPLAIN (COSTS OFF) SELECT merge_fit_points(p) FROM pn_many;
CREATE TABLE pn_par AS SELECT (SELECT fit_points(a, y)::text FROM pn_par_rows) AS b,
                              (SELECT merge_fit_points(p)::text FROM pn_many) AS m;
SELECT pg_temp.err($$SELECT fit_points(CASE WHEN i > 30000 THEN a[1:2] ELSE a[1:3] END, y) FROM pn_par_rows$$)
       AS parallel_mismatch;
SELECT pg_temp.err($$SELECT merge_fit_points(CASE WHEN g > 1500 THEN p ELSE '\x010200000000000000000000000000000000000000000000'::fit_pointsn END) FROM pn_many$$)
       AS parallel_merge_mismatch;
SET max_parallel_workers_per_gather = 0;
SELECT pn_par.b = (SELECT fit_points(a, y)::text FROM pn_par_rows) AS build_same,
       pn_par.m = (SELECT merge_fit_points(p)::text FROM pn_many) AS union_same,
       pn_par.m = pn_par.b AS union_is_build
FROM pn_par;
SELECT pg_temp.err($$SELECT fit_points(CASE WHEN i > 30000 THEN a[1:2] ELSE a[1:3] END, y) FROM pn_par_rows$$)
       AS serial_mismatch;
SELECT pg_temp.err($$SELECT merge_fit_points(CASE WHEN g > 1500 THEN p ELSE '\x010200000000000000000000000000000000000000000000'::fit_pointsn END) FROM pn_many$$)
       AS serial_merge_mismatch;
RESET ALL;
SET extra_float_digits = 3;

-- inputs of any sign (formula laws take them): a Gaussian peak over x in [-3, 3]
-- stored, merged from two halves, and fitted: the fit of the rows themselves
CREATE TABLE pn_peak AS
SELECT x, 2.5 * exp(-((x - 0.7)^2) / (2 * 0.8^2)) + 0.3 AS y FROM generate_series(-3, 3, 0.25) x;
SELECT fit_points_distinct(p) AS distinct_points, p::text = (SELECT merge_fit_points(h)::text FROM
         (SELECT fit_points(ARRAY[x], y) FROM pn_peak WHERE x < 0
          UNION ALL SELECT fit_points(ARRAY[x], y) FROM pn_peak WHERE x >= 0) t(h)) AS halves_same,
       fit_scaling_law('x => A * exp(-(x - mu)^2 / (2 * s^2)) + c', p)
     = (SELECT fit_scaling_law('x => A * exp(-(x - mu)^2 / (2 * s^2)) + c', x, y) FROM pn_peak) AS fit_same
FROM (SELECT fit_points(ARRAY[x], y) AS p FROM pn_peak) s;
-- ... and of -0.0: one zero, the same bytes
SELECT fit_points(ARRAY[x], 1.0)::text = fit_points(ARRAY[CASE WHEN x = 0 THEN '-0'::float8 ELSE x END], 1.0)::text AS zero_same
FROM generate_series(-1, 1) x;

-- errors, each with its exact message and SQLSTATE
SELECT pg_temp.err($$SELECT fit_points('{}'::float8[], 1.0)$$);
SELECT pg_temp.err($$SELECT fit_points(ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9]::float8[], 1.0)$$);
SELECT pg_temp.err($$SELECT fit_points(ARRAY[[1, 2], [3, 4]]::float8[], 1.0)$$);
SELECT pg_temp.err($$SELECT fit_points(a, 1.0) FROM (VALUES (ARRAY[1.0, 2.0, 3.0]), (ARRAY[1.0, 2.0])) t(a)$$);
SELECT pg_temp.err($$SELECT fit_points(a, 1.0) FROM (VALUES (ARRAY[1.0, 2.0]), (ARRAY[1.0, 2.0, 3.0])) t(a)$$);
SELECT pg_temp.err($$SELECT fit_points(ARRAY[1.0, 'NaN'], 1.0)$$);
SELECT pg_temp.err($$SELECT fit_points(ARRAY[1.0, 2.0, 'Infinity'], 1.0)$$);
SELECT pg_temp.err($$SELECT fit_points(ARRAY[1.0], '-Infinity')$$);
SELECT pg_temp.err($$SELECT merge_fit_points(fit_points(ARRAY[x1, x2], y), fit_points(ARRAY[x1, x2, x3], y)) FROM pn_runs$$);
SELECT pg_temp.err($$SELECT merge_fit_points(p) FROM (SELECT fit_points(ARRAY[x1, x2, x3], y) FROM pn_runs
                     UNION ALL SELECT fit_points(ARRAY[x1, x2], y) FROM pn_runs) t(p)$$);
-- hostile text values: k = 9, k = 0, truncated, trailing, unsorted, bad text
SELECT '\x010900000000000000000000000000000000000000000000'::fit_pointsn;
SELECT '\x010000000000000000000000000000000000000000000000'::fit_pointsn;
SELECT '\x01080000010000000100000000000000000000000000000000000000000000f03f'::fit_pointsn;
SELECT '\x01080000000000000000000000000000000000000000000000'::fit_pointsn;
-- the hand-made value above with its two entries swapped
SELECT '\x0102000002000000020000000000000000000000010000000500000000000000000000000000f03f000000000000084001000000000000000000000000000040000000000000f03f00000000000000400100000000000000000000000000f03f'::fit_pointsn;
SELECT '\x01080'::fit_pointsn;
-- a value of 8 inputs is not a fit_points3
SELECT '\x010800000000000000000000000000000000000000000000'::fit_points3;

-- a superuser's mistakes with the new support functions: ERRORs, never a crash
CREATE AGGREGATE pn_as_three(float8[], float8) (SFUNC = sl_fit_pointsn_trans, STYPE = internal,
    FINALFUNC = sl_fit_points3_final);
SELECT pg_temp.err($$SELECT pn_as_three(ARRAY[x1, x2, x3, x4, x5], y) FROM pn_runs$$);
SELECT fit_points_inputs(pn_as_three(ARRAY[x1, x2, x3], y)::fit_pointsn) AS three_inputs_fit FROM pn_runs;
CREATE AGGREGATE pn_as_power(float8[], float8) (SFUNC = sl_fit_pointsn_trans, STYPE = internal,
    FINALFUNC = sl_power_law1_final);
SELECT pg_temp.err($$SELECT pn_as_power(ARRAY[x1], y) FROM pn_runs$$);
CREATE FUNCTION pn_scalar_trans(internal, float8, float8) RETURNS internal
    AS '$libdir/scalinglaw', 'sl_fit_pointsn_trans' LANGUAGE C;
CREATE AGGREGATE pn_scalar(float8, float8) (SFUNC = pn_scalar_trans, STYPE = internal,
    FINALFUNC = sl_fit_pointsn_final);
SELECT pg_temp.err($$SELECT pn_scalar(x1, y) FROM pn_runs$$);
CREATE FUNCTION pn_text_trans(internal, text[], float8) RETURNS internal
    AS '$libdir/scalinglaw', 'sl_fit_pointsn_trans' LANGUAGE C;
CREATE AGGREGATE pn_text(text[], float8) (SFUNC = pn_text_trans, STYPE = internal,
    FINALFUNC = sl_fit_pointsn_final);
SELECT pg_temp.err($$SELECT pn_text(ARRAY['1', '2'], y) FROM pn_runs$$);
SELECT pg_temp.err($$SELECT pn_as_three(ARRAY[x1, -x2, x3], y) FROM pn_runs$$);
-- a fit_pointsn value with inputs <= 0 cast to a presets' type by a superuser: refused by the fit
CREATE CAST (fit_pointsn AS fit_points) WITHOUT FUNCTION;
SELECT pg_temp.err($$SELECT fit_power_law(fit_points(ARRAY[x], y)::fit_points) FROM pn_peak$$);
SELECT pg_temp.err($$SELECT fit_log_law(fit_points(ARRAY[x], y)::fit_points) FROM pn_peak$$);
DROP CAST (fit_pointsn AS fit_points);
DROP AGGREGATE pn_as_three(float8[], float8);
DROP AGGREGATE pn_as_power(float8[], float8);
DROP AGGREGATE pn_scalar(float8, float8);
DROP AGGREGATE pn_text(text[], float8);
DROP FUNCTION pn_scalar_trans(internal, float8, float8);
DROP FUNCTION pn_text_trans(internal, text[], float8);
