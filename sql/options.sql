-- options jsonb: bounds on coefficients; every malformed value is an ERROR naming the key
CREATE TABLE d AS SELECT x, 0.5 + 3 * x ^ (-0.4) AS y FROM generate_series(1, 20) i, LATERAL (SELECT 2.0 ^ i AS x) v;

-- default domain: exponents >= 0; bounds narrow or widen it
SELECT round((fit_power_law(x, y)).alpha::numeric, 8) AS free,
       round((fit_power_law(x, y, '{"bounds": {"alpha": [0.5, 2]}}'::jsonb)).alpha::numeric, 8) AS narrowed,
       (fit_power_law(x, y, '{"bounds": {"alpha": [0.5, 2]}}'::jsonb)).at_bound AS at_bound
FROM d;
-- a bound on l_inf holds at the optimum
SELECT round((f).l_inf::numeric, 8) AS l_inf, (f).at_bound
FROM (SELECT fit_power_law(x, y, '{"bounds": {"l_inf": [1, null]}}'::jsonb) AS f FROM d) s;
-- an empty object and a NULL options value mean the defaults
SELECT round((fit_power_law(x, y, '{}'::jsonb)).alpha::numeric, 8),
       round((fit_power_law(x, y, NULL::jsonb)).alpha::numeric, 8) FROM d;

-- errors
SELECT fit_power_law(x, y, '{"bound": {}}'::jsonb) FROM d;
SELECT fit_power_law(x, y, '[1, 2]'::jsonb) FROM d;
SELECT fit_power_law(x, y, '"bounds"'::jsonb) FROM d;
SELECT fit_power_law(x, y, '{"bounds": [0, 1]}'::jsonb) FROM d;
SELECT fit_power_law(x, y, '{"bounds": {"beta": [0, 1]}}'::jsonb) FROM d;
SELECT fit_power_law(x, y, '{"bounds": {"alpha": [0]}}'::jsonb) FROM d;
SELECT fit_power_law(x, y, '{"bounds": {"alpha": [0, 1, 2]}}'::jsonb) FROM d;
SELECT fit_power_law(x, y, '{"bounds": {"alpha": ["0", 1]}}'::jsonb) FROM d;
SELECT fit_power_law(x, y, '{"bounds": {"alpha": 1}}'::jsonb) FROM d;
SELECT fit_power_law(x, y, '{"bounds": {"alpha": [2, 1]}}'::jsonb) FROM d;
SELECT fit_power_law(x, y, '{"bounds": {"alpha": [0, 1e400]}}'::jsonb) FROM d;
SELECT fit_log_law(x, y, '{"bounds": {"alpha": [0, 1]}}'::jsonb) FROM d;
-- options must not change within a group
SELECT fit_power_law(x, y, CASE WHEN x < 100 THEN '{}'::jsonb ELSE '{"bounds": {"a": [0, null]}}'::jsonb END) FROM d;
