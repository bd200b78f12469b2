-- fit_scaling_law grouped by its formula: the rows of every group reach one
-- transition function, which compiles each formula when its rows come.  A
-- group's options are read for its own formula's parameters, under a hash
-- plan (groups' rows interleaved) and a sorted one (one group after another).
SET extra_float_digits = 0;
CREATE TABLE sg_runs AS SELECT x::float8 AS x, 1 + 2 * x ^ (-0.5) AS y FROM generate_series(1, 20) x;

-- 1. the options name c, which the second formula does not have: an ERROR, as for that formula alone
SELECT fit_scaling_law('(x) => a + b*x^-d', x, y, '{"bounds": {"c": [0, 0.1]}}') FROM sg_runs;
SET enable_hashagg = on;
SET enable_sort = off;
SELECT f, (fit_scaling_law(f, x, y, '{"bounds": {"c": [0, 0.1]}}')).params
FROM sg_runs, (VALUES ('(x) => a + b*x^-c'), ('(x) => a + b*x^-d')) v(f) GROUP BY f ORDER BY f;
RESET enable_sort;
SET enable_hashagg = off;
SELECT f, (fit_scaling_law(f, x, y, '{"bounds": {"c": [0, 0.1]}}')).params
FROM sg_runs, (VALUES ('(x) => a + b*x^-c'), ('(x) => a + b*x^-d')) v(f) GROUP BY f ORDER BY f;
RESET enable_hashagg;

-- 2. c is the exponent of one formula and the offset of the other: each group
-- bounds its own c, and fits as its formula alone does
CREATE VIEW sg_fits AS
SELECT f, fit_scaling_law(f, x, y, '{"bounds": {"c": [0, 0.1]}}') AS fit
FROM sg_runs, (VALUES ('(x) => a + b*x^-c'), ('(x) => c + b*x^-a')) v(f) GROUP BY f;
-- each formula alone, at a call site of its own
CREATE VIEW sg_alone AS
SELECT '(x) => a + b*x^-c' AS f,
       (fit_scaling_law('(x) => a + b*x^-c', x, y, '{"bounds": {"c": [0, 0.1]}}')).params FROM sg_runs
UNION ALL
SELECT '(x) => c + b*x^-a',
       (fit_scaling_law('(x) => c + b*x^-a', x, y, '{"bounds": {"c": [0, 0.1]}}')).params FROM sg_runs;
SELECT * FROM sg_alone ORDER BY f;
SET enable_hashagg = on;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT * FROM sg_fits;
SELECT f, (g.fit).params = a.params AS as_alone FROM sg_fits g JOIN sg_alone a USING (f) ORDER BY f;
RESET enable_sort;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT * FROM sg_fits;
SELECT f, (g.fit).params = a.params AS as_alone FROM sg_fits g JOIN sg_alone a USING (f) ORDER BY f;
RESET enable_hashagg;
DROP VIEW sg_fits, sg_alone;
DROP TABLE sg_runs;
