-- determinism: the same bits for any row order, with and without repeated inputs
SET extra_float_digits = 3;
CREATE TABLE pts AS
SELECT x, 0.8 + 5 * x ^ (-0.27) + 0.02 * sin(i * 7.0) + 1e-9 * i AS y, x * 3 AS x2
FROM generate_series(1, 400) i, LATERAL (SELECT 100.0 * (1 + i % 40) AS x) v;   -- 40 distinct x, 10 rows each

SELECT count(DISTINCT f::text) AS distinct_power_fits, count(DISTINCT g::text) AS distinct_power2_fits,
       count(DISTINCT h::text) AS distinct_log_fits, count(*) AS orders
FROM (SELECT s,
             (SELECT fit_power_law(x, y ORDER BY md5(s || x::text || y::text)) FROM pts) AS f,
             (SELECT fit_power_law(x, x2 + y, y ORDER BY md5(s || y::text)) FROM pts) AS g,
             (SELECT fit_log_law(x, y ORDER BY md5(y::text || s)) FROM pts) AS h
      FROM generate_series(1, 8) s) t;
