-- fit_scaling_law: formula laws fitted per group, predicted, stored
SET extra_float_digits = 0;

-- Chinchilla's law on noise-free data from known parameters: every group
-- recovers its truth to 1e-8 relative, from no start values
CREATE TABLE chin AS
SELECT g, n, d,
       (1.5 + 0.05 * g) + (300 + 50 * g) / n ^ (0.3 + 0.02 * g) + (400 + 30 * g) / d ^ (0.25 + 0.03 * g) AS loss
FROM generate_series(1, 4) g,
     unnest(ARRAY[1e7, 3e7, 1e8, 3e8, 1e9, 3e9]::float8[]) n,
     unnest(ARRAY[1e9, 3e9, 1e10, 3e10, 1e11]::float8[]) d;
CREATE TABLE chin_fits AS
SELECT g, fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss) AS fit
FROM chin GROUP BY g;
SELECT g, (fit).n, (fit).converged, (fit).at_bound, round((fit).r2::numeric, 12) AS r2,
       abs(((fit).params->>'E')::float8 / (1.5 + 0.05 * g) - 1) < 1e-8 AS e_ok,
       abs(((fit).params->>'A')::float8 / (300 + 50 * g) - 1) < 1e-8 AS a_ok,
       abs(((fit).params->>'alpha')::float8 / (0.3 + 0.02 * g) - 1) < 1e-8 AS alpha_ok,
       abs(((fit).params->>'B')::float8 / (400 + 30 * g) - 1) < 1e-8 AS b_ok,
       abs(((fit).params->>'beta')::float8 / (0.25 + 0.03 * g) - 1) < 1e-8 AS beta_ok
FROM chin_fits ORDER BY g;

-- the parameters by name, in the order of first appearance
SELECT g, array_agg(key ORDER BY key) FROM chin_fits, jsonb_object_keys((fit).params) key
WHERE g = 1 GROUP BY g;

-- predict_loss: the law at new inputs, from a fresh fit and from a stored
-- one (params in shortest round-trip digits: the same bits)
SELECT g, abs(predict_loss(fit, ARRAY[7e10, 1.4e12]) /
          (((fit).params->>'E')::float8 + ((fit).params->>'A')::float8 / 7e10 ^ ((fit).params->>'alpha')::float8
           + ((fit).params->>'B')::float8 / 1.4e12 ^ ((fit).params->>'beta')::float8) - 1) < 1e-14 AS inline_agrees
FROM chin_fits ORDER BY g;
CREATE TABLE chin_stored (g int, fit_text text);
INSERT INTO chin_stored SELECT g, fit::text FROM chin_fits;
SELECT c.g, predict_loss(c.fit, ARRAY[7e10, 1.4e12]) = predict_loss(s.fit_text::scaling_law_fit, ARRAY[7e10, 1.4e12]) AS same_bits
FROM chin_fits c JOIN chin_stored s USING (g) ORDER BY c.g;

-- one input: the scalar overloads, and the preset's coefficients
SELECT abs(((f).params->>'a')::float8 / (p).a - 1) < 1e-8 AS a_ok,
       abs(((f).params->>'alpha')::float8 / (p).alpha - 1) < 1e-8 AS alpha_ok,
       abs(((f).params->>'L')::float8 / (p).l_inf - 1) < 1e-8 AS l_ok,
       predict_loss(f, 1e11::float8) = predict_loss(f, ARRAY[1e11]) AS overloads_agree
FROM (SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss) AS f, fit_power_law(n, loss) AS p
      FROM chin WHERE g = 2 AND d = 1e11) s;

-- determinism: shuffled rows, a parallel plan and stored points give the same fit
SELECT (SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss)
        FROM (SELECT * FROM chin WHERE g = 3 ORDER BY md5(n::text || d::text)) s)
     = (SELECT fit FROM chin_fits WHERE g = 3) AS shuffled_same;
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta',
                       (SELECT fit_points(ARRAY[n, d], loss) FROM chin WHERE g = 3))
     = (SELECT fit FROM chin_fits WHERE g = 3) AS stored_points_same;
-- parallel plans for the rest of a transaction, run by the workers alone
CREATE FUNCTION pg_temp.parallel_plans() RETURNS void LANGUAGE sql AS $$
  SELECT set_config(name, value, true)
  FROM (VALUES ('parallel_setup_cost', '0'), ('parallel_tuple_cost', '0'),
               ('min_parallel_table_scan_size', '0'), ('max_parallel_workers_per_gather', '2'),
               ('parallel_leader_participation', 'off')) v(name, value)
$$;
BEGIN;
SELECT pg_temp.parallel_plans();
EXPLAIN (COSTS OFF)
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss) FROM chin WHERE g = 3;
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss)
     = (SELECT fit FROM chin_fits WHERE g = 3) AS parallel_same
FROM chin WHERE g = 3;
COMMIT;

-- more distinct points (3,000) than the search's subsample (2,048): the search
-- runs on an even subsample, the polish on every point; recovery and
-- determinism as above
CREATE TABLE chin_many AS
SELECT n, d, 1.7 + 400 / n ^ 0.34 + 410 / d ^ 0.28 AS loss
FROM (SELECT 1e7 * 1000 ^ (i / 59.0) AS n FROM generate_series(0, 59) i) a,
     (SELECT 1e9 * 1000 ^ (j / 49.0) AS d FROM generate_series(0, 49) j) b;
CREATE TABLE chin_many_fit AS
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss) AS fit FROM chin_many;
SELECT (fit).n, (fit).converged, (fit).at_bound,
       abs(((fit).params->>'E')::float8 / 1.7 - 1) < 1e-8 AS e_ok,
       abs(((fit).params->>'A')::float8 / 400 - 1) < 1e-8 AS a_ok,
       abs(((fit).params->>'alpha')::float8 / 0.34 - 1) < 1e-8 AS alpha_ok,
       abs(((fit).params->>'B')::float8 / 410 - 1) < 1e-8 AS b_ok,
       abs(((fit).params->>'beta')::float8 / 0.28 - 1) < 1e-8 AS beta_ok
FROM chin_many_fit;
SELECT (SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss)
        FROM (SELECT * FROM chin_many ORDER BY md5(n::text || d::text)) s)
     = (SELECT fit FROM chin_many_fit) AS shuffled_same,
       fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta',
                       (SELECT fit_points(ARRAY[n, d], loss) FROM chin_many))
     = (SELECT fit FROM chin_many_fit) AS stored_points_same;
BEGIN;
SELECT pg_temp.parallel_plans();
EXPLAIN (COSTS OFF)
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss) FROM chin_many;
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss)
     = (SELECT fit FROM chin_many_fit) AS parallel_same
FROM chin_many;
COMMIT;
DROP TABLE chin_many, chin_many_fit;
-- a point the subsample leaves out (sorted index 1501 of 3,000) bounds c: the other points say
-- c = 1.5, which is inadmissible there (sqrt of a negative), so every point is searched (the
-- fit was NULL before) and c ends below 1
SELECT (f).n, ((f).params->>'c')::float8 < 1 AS c_admissible, (f).rmse < 0.1 AS fits
FROM (SELECT fit_scaling_law('(x, z) => a * sqrt(z - c) + b * x', ARRAY[x, z], y) AS f
      FROM (SELECT i::float8 AS x, z, CASE WHEN i = 1502 THEN 0.5 ELSE sqrt(z - 1.5) END + 0.001 * i AS y
            FROM (SELECT i, CASE WHEN i = 1502 THEN 1 ELSE 2 + 3 * (i % 7) / 6.0 END::float8 AS z
                  FROM generate_series(1, 3000) i) u) t) s;
-- inputs of any sign under a parallel plan: the workers' states carry them
-- (a Gaussian peak over x in [-3, 3], 6,001 points)
CREATE TABLE peak AS
SELECT x, 2.5 * exp(-((x - 0.7)^2) / (2 * 0.8^2)) + 0.3 AS y FROM generate_series(-3, 3, 0.001) x;
CREATE TABLE peak_fit AS
SELECT fit_scaling_law('x => A * exp(-(x - mu)^2 / (2 * s^2)) + c', x, y) AS fit FROM peak;
SELECT round(((fit).params->>'A')::numeric, 9) AS a, round(((fit).params->>'mu')::numeric, 9) AS mu,
       round(((fit).params->>'s')::numeric, 9) AS s, round(((fit).params->>'c')::numeric, 9) AS c
FROM peak_fit;
BEGIN;
SELECT pg_temp.parallel_plans();
EXPLAIN (COSTS OFF)
SELECT fit_scaling_law('x => A * exp(-(x - mu)^2 / (2 * s^2)) + c', x, y) FROM peak;
SELECT fit_scaling_law('x => A * exp(-(x - mu)^2 / (2 * s^2)) + c', x, y) = (SELECT fit FROM peak_fit) AS parallel_same
FROM peak;
COMMIT;
DROP TABLE peak, peak_fit;

-- bounds hold exactly, and at_bound names what they hold
SELECT (f).params->>'alpha' AS alpha, (f).at_bound
FROM (SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss,
                             '{"bounds": {"alpha": [0.5, 1]}}') AS f FROM chin WHERE g = 1) s;
SELECT (f).params->>'E' AS e, (f).at_bound
FROM (SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss,
                             '{"bounds": {"E": [0, 1]}}') AS f FROM chin WHERE g = 1) s;
-- options are what they set: other spellings of the same bounds are the same options
SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss, CASE WHEN d > 1e10 THEN '{"bounds": {"alpha": [0, 1]}}'
                                                          ELSE '{"bounds": {"alpha": [0.0, 1.00]}}' END::jsonb) IS NOT NULL AS same_options
FROM chin WHERE g = 1;

-- NULLs: a NULL element, input array or y skips the row
SELECT (fit_scaling_law('N => L + a * N^-alpha', ARRAY[CASE WHEN n < 2e7 THEN NULL ELSE n END], loss)).n
FROM chin WHERE g = 1 AND d = 1e9;
SELECT (fit_scaling_law('N => L + a * N^-alpha', CASE WHEN n < 2e7 THEN NULL ELSE ARRAY[n] END, loss)).n
FROM chin WHERE g = 1 AND d = 1e9;
-- inputs of any sign: a Gaussian peak over x in [-3, 3] (in the formula
-- -u^2 is -(u^2); in SQL it is (-u)^2, hence the parentheses in the data)
SELECT round(((f).params->>'A')::numeric, 9) AS a, round(((f).params->>'mu')::numeric, 9) AS mu,
       round(((f).params->>'s')::numeric, 9) AS s, round(((f).params->>'c')::numeric, 9) AS c
FROM (SELECT fit_scaling_law('x => A * exp(-(x - mu)^2 / (2 * s^2)) + c', x, 2.5 * exp(-((x - 0.7)^2) / (2 * 0.8^2)) + 0.3) AS f
      FROM generate_series(-3, 3, 0.25) x) s;
-- interchangeable terms: ordered by their rate when their bounds allow it, kept as
-- found when a bound tells them apart (b1 = 2 is the one in [1, 5]), flags with them
SELECT o AS options, round(((f).params->>'a1')::numeric, 9) AS a1, round(((f).params->>'b1')::numeric, 9) AS b1,
       round(((f).params->>'a2')::numeric, 9) AS a2, round(((f).params->>'b2')::numeric, 9) AS b2,
       (f).at_bound
FROM (SELECT o, fit_scaling_law('x => a1 * exp(-b1 * x) + a2 * exp(-b2 * x)', x, 3 * exp(-0.5 * x) + 2 * exp(-2 * x),
                                o::jsonb) AS f
      FROM generate_series(0, 10, 0.5) x,
           (VALUES ('{}'), ('{"bounds": {"b1": [1, 5]}}'), ('{"bounds": {"b1": [0.5, 5]}}'),
                   ('{"bounds": {"b1": [0.6, 5], "b2": [0.6, 5]}}')) v(o)
      GROUP BY o) s ORDER BY o;
-- too few points: a row saying so, the parameters NULL
SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss) AS too_few
FROM chin WHERE g = 1 AND d = 1e9 AND n < 2e7;

-- errors: the formula
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^', ARRAY[n, d], loss) FROM chin;
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + * B', ARRAY[n, d], loss) FROM chin;
SELECT fit_scaling_law('E + A / N^alpha', n, loss) FROM chin;
SELECT fit_scaling_law('(N, N) => E + A / N^alpha', ARRAY[n, d], loss) FROM chin;
SELECT fit_scaling_law('N => E + A * lg(N)', n, loss) FROM chin;
SELECT fit_scaling_law('N => E + A * ln(N, 2)', n, loss) FROM chin;
SELECT fit_scaling_law('N => E + A * log(N)', n, loss) FROM chin;
SELECT fit_scaling_law('N => E + A * N(2)', n, loss) FROM chin;
SELECT fit_scaling_law('N => N^2', n, loss) FROM chin;
SELECT fit_scaling_law('N => E + A * B * N^-alpha', n, loss) FROM chin;
SELECT fit_scaling_law('N => a * N + b * N', n, loss) FROM chin;
SELECT fit_scaling_law('N => E + ' || repeat('(', 100) || 'N' || repeat(')', 100), n, loss) FROM chin;
SELECT fit_scaling_law('N => ' || repeat('a + ', 1200) || 'N', n, loss) FROM chin;
SELECT fit_scaling_law('N => E + A * ln(N - 1e8)', n, loss) FROM chin;
SELECT fit_scaling_law(NULL, n, loss) FROM chin;
SELECT fit_scaling_law(CASE WHEN n > 1e8 THEN 'N => E + A * N^-alpha' ELSE 'N => L + a * N^-alpha' END, n, loss) FROM chin;
-- errors: inputs
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n], loss) FROM chin;
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', n, loss) FROM chin;
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[[n, d]], loss) FROM chin;
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, 'NaN'], loss) FROM chin;
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], 'Infinity') FROM chin;
SELECT fit_scaling_law('N => L + a * N^-alpha', fit_points(ARRAY[n, d], loss)) FROM chin;
-- errors: options
SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss, '{"bound": {}}') FROM chin;
SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss, '{"bounds": {"beta": [0, 1]}}') FROM chin;
SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss, '{"bounds": {"alpha": [1, 0]}}') FROM chin;
SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss, '{"search": {"L": [0, 1]}}') FROM chin;
SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss, '{"effort": 0}') FROM chin;
SELECT fit_scaling_law('x => b1 * (x^2 + b2 * x)', n, loss, '{"bounds": {"b2": [0, 1]}}') FROM chin;
SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss, CASE WHEN n > 1e8 THEN '{"bounds": {"alpha": [0, 1]}}' END::jsonb) FROM chin;

-- predict_loss of hand-made fits: validated as hostile input
SELECT predict_loss(ROW('N => L + a * N^-alpha', '{"L": 1, "a": 2, "alpha": 0.5}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8);
SELECT predict_loss(ROW('N => L + a * N^-alpha', '{"L": 1, "a": null, "alpha": 0.5}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8);
SELECT predict_loss(ROW('N => L + a * N^-alpha', '{"L": 1, "alpha": 0.5}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8);
SELECT predict_loss(ROW('N => L + a * N^-alpha', '{"L": 1, "a": 2, "alpha": 0.5, "b": 1}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8);
SELECT predict_loss(ROW('N => L + a * N^-alpha', '{"L": 1, "a": "2", "alpha": 0.5}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8);
SELECT predict_loss(ROW('N => L + a * N^-alpha', '[1, 2]', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8);
SELECT predict_loss(ROW('N => L + a * N^-', '{"L": 1}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 4::float8);
SELECT predict_loss(ROW('N => L + a * N^-alpha', '{"L": 1, "a": 2, "alpha": -400}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 10::float8);
SELECT predict_loss(ROW('N => L + a * ln(N)', '{"L": 1, "a": 2}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, -1::float8);
SELECT predict_loss(ROW('(N, D) => L + a * N + b * D', '{"L": 1, "a": 2, "b": 3}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, ARRAY[1, NULL]::float8[]);
SELECT predict_loss(ROW('(N, D) => L + a * N + b * D', '{"L": 1, "a": 2, "b": 3}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, ARRAY[1]::float8[]);

-- the SQLSTATE of every class of error
CREATE FUNCTION sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;
SELECT c, sqlstate_of(q) FROM (VALUES
  ('syntax', $q$SELECT fit_scaling_law('N => a +', n, loss) FROM chin$q$),
  ('unknown function', $q$SELECT fit_scaling_law('N => a * lg(N)', n, loss) FROM chin$q$),
  ('wrong arity', $q$SELECT fit_scaling_law('N => a * ln(N, 2)', n, loss) FROM chin$q$),
  ('one-argument log', $q$SELECT fit_scaling_law('N => a * log(N)', n, loss) FROM chin$q$),
  ('no parameter', $q$SELECT fit_scaling_law('N => N', n, loss) FROM chin$q$),
  ('product only', $q$SELECT fit_scaling_law('N => A * B * N', n, loss) FROM chin$q$),
  ('identical terms', $q$SELECT fit_scaling_law('N => a * N + b * N', n, loss) FROM chin$q$),
  ('too deep', $q$SELECT fit_scaling_law('N => a * ' || repeat('(', 70) || 'N' || repeat(')', 70), n, loss) FROM chin$q$),
  ('too long', $q$SELECT fit_scaling_law('N => ' || repeat('a + ', 1200) || 'N', n, loss) FROM chin$q$),
  ('too many parameters', $q$SELECT fit_scaling_law('N => ' || (SELECT string_agg('p' || i || ' * N^' || i, ' + ') FROM generate_series(1, 33) i), n, loss) FROM chin$q$),
  ('not finite at a row', $q$SELECT fit_scaling_law('N => a + b * ln(N - 1e8)', n, loss) FROM chin$q$),
  ('wrong array length', $q$SELECT fit_scaling_law('(N, D) => a + b * N + c * D', ARRAY[n], loss) FROM chin$q$),
  ('unknown option', $q$SELECT fit_scaling_law('N => a + b * N', n, loss, '{"x": 1}') FROM chin$q$),
  ('NULL formula', $q$SELECT fit_scaling_law(NULL, n, loss) FROM chin$q$),
  ('params not matching', $q$SELECT predict_loss(ROW('N => a * N', '{"b": 1}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1::float8)$q$)
) v(c, q);

-- what a superuser can break by mistake: aggregates assembled from the support
-- functions of two aggregates, and an altered result type, are ERRORs
CREATE AGGREGATE mixed1(text, float8, float8) (SFUNC = sl_scaling_law_trans, STYPE = internal,
                                               FINALFUNC = sl_power_law1_final);
SELECT sqlstate_of($q$SELECT mixed1('N => L + a * N^-alpha', n, loss) FROM chin$q$);
CREATE AGGREGATE mixed2(float8, float8) (SFUNC = sl_power_law_trans, STYPE = internal,
                                         FINALFUNC = sl_scaling_law_final);
SELECT sqlstate_of($q$SELECT mixed2(n, loss) FROM chin$q$);
DROP AGGREGATE mixed1(text, float8, float8);
DROP AGGREGATE mixed2(float8, float8);
BEGIN;
DROP TABLE chin_fits;
ALTER TYPE scaling_law_fit ALTER ATTRIBUTE n TYPE text;
SELECT sqlstate_of($q$SELECT fit_scaling_law('N => L + a * N^-alpha', n, loss) FROM chin$q$);
SELECT sqlstate_of($q$SELECT predict_loss(ROW('N => a * N', '{"a": 1}', '1', 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1::float8)$q$);
ROLLBACK;
