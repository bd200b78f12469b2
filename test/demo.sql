-- demo: fit a saturating power law per model from small runs, extrapolate
CREATE EXTENSION scalinglaw;
CREATE TABLE runs AS
SELECT model, n_tokens, l_inf + a * n_tokens ^ (-alpha) * (1 + 0.002 * sin(i)) AS loss
FROM (VALUES ('small', 2.1, 400.0, 0.30), ('large', 1.7, 520.0, 0.33)) m(model, l_inf, a, alpha),
     generate_series(0, 9) i, LATERAL (SELECT 1e6 * 2 ^ i AS n_tokens) t;

\echo 'Fits per model (y = l_inf + a * n^-alpha):'
SELECT model, round((f).l_inf::numeric, 3) AS l_inf, round((f).a::numeric, 1) AS a,
       round((f).alpha::numeric, 4) AS alpha, (f).n, round((f).r2::numeric, 6) AS r2
FROM (SELECT model, fit_power_law(n_tokens, loss) AS f FROM runs GROUP BY model) s ORDER BY model;

\echo 'Predicted loss at 1e11 tokens, the run we have not paid for yet:'
SELECT model, round(predict_loss(fit_power_law(n_tokens, loss), 1e11)::numeric, 4) AS predicted_loss
FROM runs GROUP BY model ORDER BY model;

\echo 'Any law as a formula: Chinchilla''s form fitted to runs over parameters N and tokens D:'
CREATE TABLE runs2 AS
SELECT n, d, 1.69 + 406.4 * n ^ (-0.34) + 410.7 * d ^ (-0.28) + 0.003 * sin(i) AS loss
FROM generate_series(0, 29) i, LATERAL (SELECT 1e7 * 3 ^ (i % 6) AS n, 1e9 * 2 ^ (i % 5 + i / 6) AS d) v;
CREATE TABLE fits2 AS
SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss) AS fit FROM runs2;
SELECT key AS param, round(value::numeric, 3) AS value
FROM fits2, jsonb_each_text((fit).params) ORDER BY key;

\echo 'Where to spend 1e22 FLOPs (C = 6 N D), and the loss the fit predicts there:'
SELECT round((c).n::numeric, -6) AS n_params, round((c).d::numeric, -6) AS d_tokens, round((c).loss::numeric, 4) AS loss
FROM (SELECT compute_optimal(fit, 1e22) AS c FROM fits2) s;
