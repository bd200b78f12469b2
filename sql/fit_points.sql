-- fit_points: storable point sets; fits of a stored value equal fits of the rows, bit for bit
SET extra_float_digits = 3;
CREATE TABLE fp_runs AS
SELECT i, i % 3 AS grp, x, x2, 1 + (i % 11) AS x3,
       0.8 + 5 * x ^ (-0.27) + 2 * x2 ^ (-0.4) + 0.02 * sin(i * 7.0) AS y
FROM generate_series(1, 900) i,
     LATERAL (SELECT 100.0 * (1 + i % 40) AS x, 10.0 * (1 + i % 13) AS x2) v;

-- one value per group, for 1, 2 and 3 inputs
CREATE TABLE fp_pts AS
SELECT grp, fit_points(x, y) AS p1, fit_points(x, x2, y) AS p2, fit_points(x, x2, x3, y) AS p3
FROM fp_runs GROUP BY grp;
SELECT grp, pg_typeof(p1), pg_typeof(p2), pg_typeof(p3),
       fit_points_rows(p1) AS rows, fit_points_distinct(p1) AS d1, fit_points_distinct(p2) AS d2,
       fit_points_distinct(p3) AS d3
FROM fp_pts ORDER BY grp;

-- per group: fit of the stored value vs the aggregate over the rows (float8send of every coefficient)
CREATE FUNCTION same_bits(a anyelement, b anyelement) RETURNS boolean LANGUAGE sql AS $$
  SELECT a IS NOT NULL AND b IS NOT NULL AND
         (SELECT array_agg(float8send(v::float8) ORDER BY k) FROM jsonb_each_text(to_jsonb(a)) e(k, v)
          WHERE jsonb_typeof(to_jsonb(a) -> k) = 'number' AND k <> 'n')
         = (SELECT array_agg(float8send(v::float8) ORDER BY k) FROM jsonb_each_text(to_jsonb(b)) e(k, v)
            WHERE jsonb_typeof(to_jsonb(b) -> k) = 'number' AND k <> 'n')
         AND a::text = b::text $$;
SELECT p.grp,
       same_bits(fit_power_law(p1), r.f1) AS power1, same_bits(fit_power_law(p2), r.f2) AS power2,
       same_bits(fit_log_law(p1), r.l1) AS log1, same_bits(fit_log_law(p2), r.l2) AS log2,
       (fit_power_law(p1)).n AS n, round((fit_power_law(p1)).alpha::numeric, 4) AS alpha
FROM fp_pts p JOIN (SELECT grp, fit_power_law(x, y) AS f1, fit_power_law(x, x2, y) AS f2,
                        fit_log_law(x, y) AS l1, fit_log_law(x, x2, y) AS l2
                 FROM fp_runs GROUP BY grp) r USING (grp)
ORDER BY grp;
-- three inputs (one group: the 3-input fit is the slow one)
SELECT same_bits(fit_power_law(p3), (SELECT fit_power_law(x, x2, x3, y) FROM fp_runs WHERE grp = 0)) AS power3
FROM fp_pts WHERE grp = 0;
-- with options: the same bounds give the same bits; bad options fail as in the aggregate
SELECT same_bits(fit_power_law(p1, '{"bounds": {"alpha": [0.3, 1], "l_inf": [0, null]}}'),
                 (SELECT fit_power_law(x, y, '{"bounds": {"alpha": [0.3, 1], "l_inf": [0, null]}}'::jsonb) FROM fp_runs WHERE grp = 1)) AS power_opts,
       same_bits(fit_log_law(p2, options => '{"bounds": {"b": [null, -0.05]}}'),
                 (SELECT fit_log_law(x, x2, y, '{"bounds": {"b": [null, -0.05]}}'::jsonb) FROM fp_runs WHERE grp = 1)) AS log_opts,
       fit_power_law(p1, NULL) = fit_power_law(p1) AS null_options_default
FROM fp_pts WHERE grp = 1;
SELECT fit_power_law(p1, '{"bounds": {"delta": [0, 1]}}') FROM fp_pts WHERE grp = 1;
SELECT fit_log_law(p1, '{"tolerance": 1}') FROM fp_pts WHERE grp = 1;

-- global fit: merging the group values equals the fit of all rows
SELECT same_bits(fit_power_law(merge_fit_points(p1)), (SELECT fit_power_law(x, y) FROM fp_runs)) AS power1,
       same_bits(fit_power_law(merge_fit_points(p2)), (SELECT fit_power_law(x, x2, y) FROM fp_runs)) AS power2,
       same_bits(fit_log_law(merge_fit_points(p2)), (SELECT fit_log_law(x, x2, y) FROM fp_runs)) AS log2,
       merge_fit_points(p1)::text = (SELECT fit_points(x, y)::text FROM fp_runs) AS same_value,
       fit_points_rows(merge_fit_points(p3)) AS rows
FROM fp_pts;

-- merge order: any order of rows, any split, any merge order gives the same bytes
CREATE TABLE fp_parts AS
SELECT s, (i * 7 + s) % 5 AS part, fit_points(x, x2, y ORDER BY md5(s || i::text)) AS p
FROM fp_runs, generate_series(1, 4) s GROUP BY s, part;
SELECT count(DISTINCT v::text) AS distinct_values, count(*) AS merges
FROM (SELECT s, merge_fit_points(p ORDER BY md5(part::text || s)) AS v FROM fp_parts GROUP BY s
      UNION ALL SELECT 0, fit_points(x, x2, y) FROM fp_runs) t;
-- the binary merge function: NULL is no rows; folding in any order
SELECT merge_fit_points(NULL::fit_points, p1)::text = p1::text AS null_left,
       merge_fit_points(p1, NULL)::text = p1::text AS null_right,
       merge_fit_points(NULL::fit_points, NULL) IS NULL AS both_null
FROM fp_pts WHERE grp = 0;
SELECT merge_fit_points(merge_fit_points(a.p2, b.p2), c.p2)::text = merge_fit_points(c.p2, merge_fit_points(b.p2, a.p2))::text AS associative,
       merge_fit_points(merge_fit_points(a.p2, b.p2), c.p2)::text = (SELECT fit_points(x, x2, y)::text FROM fp_runs) AS equals_all
FROM fp_pts a, fp_pts b, fp_pts c WHERE a.grp = 0 AND b.grp = 1 AND c.grp = 2;
-- a value merged with itself holds every row twice: the same optimum (to the solver tolerance), twice the rows
SELECT fit_points_rows(merge_fit_points(p1, p1)) AS rows, fit_points_distinct(merge_fit_points(p1, p1)) AS distinct,
       round((fit_power_law(merge_fit_points(p1, p1))).alpha::numeric, 6) = round((fit_power_law(p1)).alpha::numeric, 6) AS same_alpha
FROM fp_pts WHERE grp = 0;

-- no rows, all-NULL rows: NULL; NULL rows are skipped as by the fits
SELECT fit_points(x, y) IS NULL AS no_rows FROM fp_runs WHERE false;
SELECT fit_points(NULL::float8, y) IS NULL AS null_rows FROM fp_runs;
SELECT fit_points_rows(fit_points(CASE WHEN i % 2 = 0 THEN x END, y)) AS half FROM fp_runs;
SELECT merge_fit_points(p) IS NULL AS empty_union FROM (SELECT NULL::fit_points AS p) t;
-- empty values (m = 0, n = 0): a merge of values that exist is a value, the empty one if all
-- are empty; an aggregate over no non-NULL value is NULL; an empty value fits to NULL
SELECT merge_fit_points('\x010100000000000000000000000000000000000000000000'::fit_points, '\x010100000000000000000000000000000000000000000000')::text = '\x010100000000000000000000000000000000000000000000' AS ee,
       merge_fit_points('\x010100000000000000000000000000000000000000000000'::fit_points, NULL)::text = '\x010100000000000000000000000000000000000000000000' AS e_null,
       merge_fit_points(NULL, '\x010100000000000000000000000000000000000000000000'::fit_points)::text = '\x010100000000000000000000000000000000000000000000' AS null_e,
       merge_fit_points('\x010100000000000000000000000000000000000000000000'::fit_points, '\x0101000002000000020000000000000000000000010000001900000000000000000000000000f03f01000000000000000000000000000840000000000000004001000000000000000000000000001040')::text = '\x0101000002000000020000000000000000000000010000001900000000000000000000000000f03f01000000000000000000000000000840000000000000004001000000000000000000000000001040' AS e_p,
       merge_fit_points('\x010200000000000000000000000000000000000000000000'::fit_points2, '\x010200000000000000000000000000000000000000000000')::text = '\x010200000000000000000000000000000000000000000000' AS ee2,
       fit_power_law('\x010100000000000000000000000000000000000000000000'::fit_points) IS NULL AS power_null, fit_log_law('\x010100000000000000000000000000000000000000000000'::fit_points) IS NULL AS log_null,
       fit_points_rows('\x010100000000000000000000000000000000000000000000'::fit_points) AS rows, fit_points_distinct('\x010100000000000000000000000000000000000000000000'::fit_points) AS distinct;
SELECT (SELECT merge_fit_points(v)::text FROM (VALUES ('\x010100000000000000000000000000000000000000000000'::fit_points)) t(v)) = '\x010100000000000000000000000000000000000000000000' AS agg_e,
       (SELECT merge_fit_points(v)::text FROM (VALUES ('\x010100000000000000000000000000000000000000000000'::fit_points), ('\x010100000000000000000000000000000000000000000000'), (NULL)) t(v)) = '\x010100000000000000000000000000000000000000000000' AS agg_e_e_null,
       (SELECT merge_fit_points(v)::text FROM (VALUES (NULL::fit_points), ('\x010100000000000000000000000000000000000000000000'), ('\x0101000002000000020000000000000000000000010000001900000000000000000000000000f03f01000000000000000000000000000840000000000000004001000000000000000000000000001040')) t(v)) = '\x0101000002000000020000000000000000000000010000001900000000000000000000000000f03f01000000000000000000000000000840000000000000004001000000000000000000000000001040' AS agg_null_e_p,
       (SELECT merge_fit_points(v) FROM (VALUES (NULL::fit_points), (NULL)) t(v)) IS NULL AS agg_nulls,
       (SELECT merge_fit_points(v) FROM (SELECT '\x010100000000000000000000000000000000000000000000'::fit_points WHERE false) t(v)) IS NULL AS agg_none;
-- the same in parallel plans: workers that see only NULL values or only empty values
CREATE TABLE fp_sparse AS SELECT g, CASE WHEN g % 3 = 0 THEN '\x010100000000000000000000000000000000000000000000'::fit_points END AS e, NULL::fit_points AS n,
  CASE WHEN g = 150000 THEN '\x0101000002000000020000000000000000000000010000001900000000000000000000000000f03f01000000000000000000000000000840000000000000004001000000000000000000000000001040'::fit_points END AS p FROM generate_series(1, 200000) g;
ANALYZE fp_sparse;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT merge_fit_points(n) FROM fp_sparse;
SELECT merge_fit_points(n) IS NULL AS all_null, merge_fit_points(e)::text = '\x010100000000000000000000000000000000000000000000' AS all_empty,
       merge_fit_points(p)::text = '\x0101000002000000020000000000000000000000010000001900000000000000000000000000f03f01000000000000000000000000000840000000000000004001000000000000000000000000001040' AS one_value, merge_fit_points(coalesce(p, e))::text = '\x0101000002000000020000000000000000000000010000001900000000000000000000000000f03f01000000000000000000000000000840000000000000004001000000000000000000000000001040' AS value_and_empties,
       fit_points(g, CASE WHEN g = 7 THEN 1.0 END)::text = (SELECT fit_points(7, 1.0)::text) AS one_row,
       fit_points(g, NULL::float8) IS NULL AS no_rows
FROM fp_sparse;
RESET ALL;
DROP TABLE fp_sparse;
SET extra_float_digits = 3;
-- too few points: the same failed fit as the aggregate's
SELECT fit_power_law(fit_points(x, y)) AS undetermined FROM (VALUES (1.0, 2.0), (2.0, 1.0)) v(x, y);
-- a subnormal y and x = 1 (ln x = 0) store and fit like the rows
SELECT same_bits(fit_log_law(fit_points(x, y)), fit_log_law(x, y)) AS log_same,
       same_bits(fit_power_law(fit_points(x, y)), fit_power_law(x, y)) AS power_same
FROM (VALUES (1.0, 4.9e-324::float8), (1.0, 2.0), (2.0, 1.5), (4.0, 1.25), (8.0, 1.1), (8.0, 4.9e-324)) v(x, y);

-- text I/O round trip and canonical form: parse(print(v)) prints the same
SELECT p1::text::fit_points::text = p1::text AS t1, p2::text::fit_points2::text = p2::text AS t2,
       p3::text::fit_points3::text = p3::text AS t3, left(p1::text, 34) AS head
FROM fp_pts WHERE grp = 0;
-- y = -0.0 and y = 0.0 are one value: rows of either give the same bytes
SELECT (SELECT fit_points(x, y)::text FROM (VALUES (1.0, '-0'::float8), (2.0, 1.0)) v(x, y)) =
       (SELECT fit_points(x, y)::text FROM (VALUES (1.0, 0.0::float8), (2.0, 1.0)) v(x, y)) AS same_bytes;
-- a value stored by 1.1 with y = -0.0 is accepted; text, binary and merges write the canonical form
SELECT '\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000008000000000000000400100000000000000000000000000f03f'::fit_points::text = '\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000000000000000000000400100000000000000000000000000f03f' AS text_canonical,
       sl_fit_points_send('\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000008000000000000000400100000000000000000000000000f03f'::fit_points) = decode('0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000000000000000000000400100000000000000000000000000f03f', 'hex') AS send_canonical,
       merge_fit_points('\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000008000000000000000400100000000000000000000000000f03f'::fit_points, NULL)::text = '\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000000000000000000000400100000000000000000000000000f03f' AS merge_null_canonical,
       merge_fit_points('\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000008000000000000000400100000000000000000000000000f03f'::fit_points, '\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000008000000000000000400100000000000000000000000000f03f'::fit_points)::text =
         merge_fit_points('\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000000000000000000000400100000000000000000000000000f03f'::fit_points, '\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000000000000000000000400100000000000000000000000000f03f'::fit_points)::text AS merge_canonical,
       (SELECT merge_fit_points(v)::text FROM (VALUES ('\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000008000000000000000400100000000000000000000000000f03f'::fit_points)) t(v)) = '\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000000000000000000000400100000000000000000000000000f03f' AS aggregate_canonical,
       fit_points_rows('\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000008000000000000000400100000000000000000000000000f03f'::fit_points) AS rows;
-- the casts to and from text convert in one step, with the results of the
-- output and input functions (to text also in assignment, as PostgreSQL's
-- conversion through them)
SELECT p1::text = textin(sl_fit_points_out(p1)) AS out1, p2::text = textin(sl_fit_points2_out(p2)) AS out2,
       p3::text = textin(sl_fit_points3_out(p3)) AS out3,
       p3::fit_pointsn::text = textin(sl_fit_pointsn_out(p3::fit_pointsn)) AS outn,
       p2::text::fit_points2::text = p2::text AS back2, p1::text::fit_pointsn::text = p1::text AS back_n,
       p1::text::fit_pointsn::text = p1::fit_pointsn::text AS as_n
FROM fp_pts WHERE grp = 0;
SELECT c.castsource::regtype, c.casttarget::regtype, c.castfunc::regproc, c.castcontext
FROM pg_cast c WHERE 'text'::regtype IN (c.castsource, c.casttarget)
  AND ('fit_points'::regtype IN (c.castsource, c.casttarget) OR 'fit_pointsn'::regtype IN (c.castsource, c.casttarget))
ORDER BY 1, 2;
CREATE TEMP TABLE fp_texts (t text);
INSERT INTO fp_texts SELECT p1 FROM fp_pts WHERE grp = 0;
SELECT t = (SELECT p1::text FROM fp_pts WHERE grp = 0) AS assigned FROM fp_texts;
SELECT 'abc'::text::fit_points;
SELECT ('\x0101000002000000020000000000000000000000010000001900000000000000000000000000f03f01000000000000000000000000000840000000000000004001000000000000000000000000001040'::text)::fit_points3;
SELECT '\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000008000000000000000400100000000000000000000000000f03f'::text::fit_points::text = '\x0101000002000000020000000000000000000000010000000100000000000000000000000000f03f0100000000000000000000000000000000000000000000400100000000000000000000000000f03f' AS cast_canonical;
-- COPY out and in, text and binary
CREATE TABLE fp_copied (LIKE fp_pts);
\copy fp_pts TO 'results/fit_points.copy'
\copy fp_copied FROM 'results/fit_points.copy'
SELECT count(*) AS rows, bool_and(c.p1::text = p.p1::text AND c.p2::text = p.p2::text AND c.p3::text = p.p3::text) AS same
FROM fp_pts p JOIN fp_copied c USING (grp);
TRUNCATE fp_copied;
\copy fp_pts TO 'results/fit_points.bin' (FORMAT binary)
\copy fp_copied FROM 'results/fit_points.bin' (FORMAT binary)
SELECT count(*) AS rows, bool_and(c.p1::text = p.p1::text AND c.p2::text = p.p2::text AND c.p3::text = p.p3::text) AS same,
       bool_and(same_bits(fit_power_law(c.p1), fit_power_law(p.p1))) AS same_fit
FROM fp_pts p JOIN fp_copied c USING (grp);

-- parallel aggregation of values: Partial Aggregate, same bytes as serial
CREATE TABLE fp_many AS SELECT g, fit_points(x, y) AS p FROM fp_runs, generate_series(1, 40) g GROUP BY g;
ANALYZE fp_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT merge_fit_points(p) FROM fp_many;
EXPLAIN (COSTS OFF) SELECT fit_points(x, y) FROM fp_runs;
CREATE TABLE fp_par AS SELECT merge_fit_points(p)::text AS m, (SELECT fit_points(x, y)::text FROM fp_runs) AS b FROM fp_many;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
SELECT fp_par.m = (SELECT merge_fit_points(p)::text FROM fp_many) AS union_same,
       fp_par.b = (SELECT fit_points(x, y)::text FROM fp_runs) AS build_same,
       (SELECT fit_points_rows(merge_fit_points(p)) FROM fp_many) AS rows
FROM fp_par;
RESET ALL;

-- more distinct inputs than the aggregate hashes (65536): rows beyond are logged and
-- merged later; stored values, merges and fits stay exact and canonical
SET extra_float_digits = 3;
CREATE TABLE fp_big AS
SELECT i % 2 AS half, x, 1.5 + 40 * x ^ (-0.3) + 0.001 * sin(i) AS y
FROM generate_series(1, 200000) i, LATERAL (SELECT 1000.0 + (i % 90000) AS x) v;
SELECT fit_points_rows(p) AS rows, fit_points_distinct(p) AS distinct_inputs,
       same_bits(fit_power_law(p), (SELECT fit_power_law(x, y) FROM fp_big)) AS power_same,
       same_bits(fit_log_law(p), (SELECT fit_log_law(x, y) FROM fp_big)) AS log_same,
       p::text = (SELECT fit_points(x, y ORDER BY x DESC)::text FROM fp_big) AS canonical,
       p::text = (SELECT merge_fit_points(q)::text FROM (SELECT fit_points(x, y) q FROM fp_big GROUP BY half) h) AS merged_same
FROM (SELECT fit_points(x, y) AS p FROM fp_big) s;
-- a text form stored out of line (4.3 MB), read back in slices by the cast
CREATE TEMP TABLE fp_big_text (t text);
ALTER TABLE fp_big_text ALTER COLUMN t SET STORAGE external;
INSERT INTO fp_big_text SELECT fit_points(x, y) FROM fp_big;
SELECT octet_length(t) AS text_bytes, t::fit_points::text = t AS round_trip,
       fit_points_rows(t::fit_points) AS rows FROM fp_big_text;
CREATE TEMP TABLE fp_big_value (p fit_points);
ALTER TABLE fp_big_value ALTER COLUMN p SET STORAGE external;
INSERT INTO fp_big_value SELECT t::fit_points FROM fp_big_text;
SELECT pg_column_size(p) AS stored_bytes, p::text = (SELECT t FROM fp_big_text) AS same_text,
       merge_fit_points(p, p)::text = merge_fit_points(p::text::fit_points, (SELECT t FROM fp_big_text)::fit_points)::text AS same_merge
FROM fp_big_value;
DROP TABLE fp_big;
RESET ALL;
