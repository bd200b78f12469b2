-- parallel aggregation: Partial Aggregate under Gather, same bits as serial
CREATE TABLE big AS
SELECT i, (i % 3) AS grp, x, 1.2 + 8 * x ^ (-0.35) + 0.01 * sin(i) AS y
FROM generate_series(1, 60000) i, LATERAL (SELECT 10 + (i % 5000) * 37.0 AS x) v;
ANALYZE big;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF) SELECT fit_power_law(x, y) FROM big;
EXPLAIN (COSTS OFF) SELECT grp, fit_log_law(x, y) FROM big GROUP BY grp;

CREATE TABLE par AS
SELECT fit_power_law(x, y) AS p1, fit_power_law(x, 1 + (i % 5000) % 7, y) AS p2, fit_log_law(x, y) AS l1,
       fit_log_law(x, 1 + (i % 5000) % 7, y) AS l2 FROM big;
-- a worker that sees no rows: only the first few blocks match
CREATE TABLE par_sparse AS SELECT fit_power_law(x, y) AS p1, fit_log_law(x, y) AS l1 FROM big WHERE i <= 300;
CREATE TABLE par_grouped AS SELECT grp, fit_power_law(x, y) AS p1 FROM big GROUP BY grp;

SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT fit_power_law(x, y) FROM big;
CREATE TABLE ser AS
SELECT fit_power_law(x, y) AS p1, fit_power_law(x, 1 + (i % 5000) % 7, y) AS p2, fit_log_law(x, y) AS l1,
       fit_log_law(x, 1 + (i % 5000) % 7, y) AS l2 FROM big;
CREATE TABLE ser_sparse AS SELECT fit_power_law(x, y) AS p1, fit_log_law(x, y) AS l1 FROM big WHERE i <= 300;
CREATE TABLE ser_grouped AS SELECT grp, fit_power_law(x, y) AS p1 FROM big GROUP BY grp;

-- bit-identical: compare the binary send form of every coefficient
SELECT float8send((par.p1).alpha) = float8send((ser.p1).alpha) AND float8send((par.p1).l_inf) = float8send((ser.p1).l_inf)
       AND float8send((par.p1).a) = float8send((ser.p1).a) AND float8send((par.p1).r2) = float8send((ser.p1).r2) AS p1_same,
       par.p2::text = ser.p2::text AS p2_same, par.l1::text = ser.l1::text AS l1_same, par.l2::text = ser.l2::text AS l2_same,
       (par.p1).n AS n
FROM par, ser;
SELECT par_sparse.p1::text = ser_sparse.p1::text AS p1_same, par_sparse.l1::text = ser_sparse.l1::text AS l1_same,
       (par_sparse.p1).n
FROM par_sparse, ser_sparse;
SELECT grp, p.p1::text = s.p1::text AS same, round((p.p1).alpha::numeric, 4) AS alpha
FROM par_grouped p JOIN ser_grouped s USING (grp) ORDER BY grp;
