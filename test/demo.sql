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
