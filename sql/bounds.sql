-- Bounds hold exactly: every returned coefficient lies within its bounds,
-- at_bound names exactly the coefficients on a bound, exponent bounds
-- beyond the default search cap are honoured (or the fit is NULL when the
-- term would leave the double range).
SET extra_float_digits = 0;
CREATE TABLE b1 AS
SELECT i, x, 1 + 5 * x ^ (-3.0) + 0.001 * sin(i) AS y
FROM generate_series(1, 20) i, LATERAL (SELECT (1.5 ^ i)::float8 AS x) v;

-- the free fit has a large exponent (alpha = 3)
SELECT round((f).alpha::numeric, 4) AS alpha, (f).at_bound FROM (SELECT fit_power_law(x, y) AS f FROM b1) s;

-- a in [0, 0]: a is exactly 0, the only coefficient on a bound of its own
SELECT (f).a = 0 AS a_is_zero, (f).at_bound, round((f).l_inf::numeric, 6) AS l_inf
FROM (SELECT fit_power_law(x, y, '{"bounds": {"a": [0, 0]}}'::jsonb) AS f FROM b1) s;

-- inputs scaled by 1e6: the scale factor of a's coordinate is about 1e-85 there;
-- bounds on a still hold
SELECT bounds, (f).a >= lo AND (f).a <= hi AS a_within, (f).at_bound
FROM (VALUES ('[0, 1]', 0, 1), ('[2, 3]', 2, 3), ('[-1, -0.5]', -1, -0.5)) b(bounds, lo, hi),
     LATERAL (SELECT fit_power_law(x * 1e6, y, ('{"bounds": {"a": ' || bounds || '}}')::jsonb) AS f FROM b1) s
ORDER BY bounds;

-- half-open bounds: a coefficient far inside is not listed in at_bound
SELECT (f).at_bound, (f).l_inf > 0.5 AS far_inside
FROM (SELECT fit_power_law(x, y, '{"bounds": {"l_inf": [0, null]}}'::jsonb) AS f FROM b1) s;
SELECT (f).at_bound FROM (SELECT fit_power_law(x, y, '{"bounds": {"a": [null, 100]}}'::jsonb) AS f FROM b1) s;
-- ... and one held by a half-open bound is on it, exactly
SELECT (f).l_inf = 1.5 AS l_inf_on_bound, (f).at_bound
FROM (SELECT fit_power_law(x, y, '{"bounds": {"l_inf": [1.5, null]}}'::jsonb) AS f FROM b1) s;

-- exponent bounds beyond the default cap (|alpha| x spread of ln x <= 60) are honoured
SELECT (f).alpha AS alpha, (f).at_bound
FROM (SELECT fit_power_law(x, y, '{"bounds": {"alpha": [50, 50]}}'::jsonb) AS f FROM b1) s;
SELECT (f).alpha >= 20 AND (f).alpha <= 40 AS alpha_within, (f).at_bound
FROM (SELECT fit_power_law(x, y, '{"bounds": {"alpha": [20, 40]}}'::jsonb) AS f FROM b1) s;
-- x^-150 over 1.5 .. 3325 spans 10^500: no float8 can hold the term, so no fit
SELECT (f).alpha IS NULL AS no_coefficients, (f).status
FROM (SELECT fit_power_law(x, y, '{"bounds": {"alpha": [150, 200]}}'::jsonb) AS f FROM b1) s;
-- on a narrower range of x the same bounds are honoured
SELECT (f).alpha >= 150 AND (f).alpha <= 200 AS alpha_within
FROM (SELECT fit_power_law(1 + i / 100.0, 2 + (1 + i / 100.0) ^ (-160.0), '{"bounds": {"alpha": [150, 200]}}'::jsonb) AS f
      FROM generate_series(1, 30) i) s;

-- log law: [0, 0] is exactly 0, not 1e-16
SELECT (f).b = 0 AS b_is_zero, (f).at_bound
FROM (SELECT fit_log_law(x, y, '{"bounds": {"b": [0, 0]}}'::jsonb) AS f FROM b1) s;
SELECT (f).at_bound FROM (SELECT fit_log_law(x, y, '{"bounds": {"a": [0, null]}}'::jsonb) AS f FROM b1) s;

-- random noisy groups with a bound on a: none breaks it (1.1 broke about a quarter)
SELECT setseed(0.25);
CREATE TABLE noisy AS
SELECT g, x, y FROM (
  SELECT g, 10 ^ (random() * 6) AS l, random() * 3 AS alpha, (random() - 0.5) * 10 AS a, random() AS noise
  FROM generate_series(1, 300) g) p,
  LATERAL (SELECT i, p.l * exp(i / 4.0) AS x FROM generate_series(1, 12) i) xs,
  LATERAL (SELECT 1 + p.a * xs.x ^ (-p.alpha / 10) + p.noise * (random() - 0.5) AS y) ys;
SELECT count(*) AS fits,
       count(*) FILTER (WHERE (f1).a < 0) AS a_below_0,
       count(*) FILTER (WHERE (f2).a < -1 OR (f2).a > 1) AS a_outside_pm1,
       count(*) FILTER (WHERE (f3).l_inf < 0.5 OR (f3).a > 0) AS outside_joint
FROM (SELECT g, fit_power_law(x, y, '{"bounds": {"a": [0, null]}}'::jsonb) AS f1,
             fit_power_law(x, y, '{"bounds": {"a": [-1, 1]}}'::jsonb) AS f2,
             fit_power_law(x, y, '{"bounds": {"l_inf": [0.5, null], "a": [null, 0]}}'::jsonb) AS f3
      FROM noisy GROUP BY g) s;
