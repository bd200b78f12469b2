-- compute_optimal(fit, flops): the N, D (6 N D = flops) and loss that minimise a two-input law
SET extra_float_digits = 0;
-- Chinchilla's law (Hoffmann et al. 2022, Approach 3) as a preset fit and as a formula fit
CREATE TEMP TABLE co_fits AS
SELECT ROW(1.69, 406.4, 0.34, 410.7, 0.28, 1, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit AS preset,
       ROW('(N, D) => E + A / N^alpha + B / D^beta',
           '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit AS formula;
-- the closed form at Chinchilla's budget, and the search over N on the formula: the same to 1e-9
SELECT round((c).n::numeric, -6) AS n, round((c).d::numeric, -6) AS d, round((c).loss::numeric, 6) AS loss,
       abs((c).n / (s).n - 1) < 1e-9 AND abs((c).d / (s).d - 1) < 1e-9 AND abs((c).loss / (s).loss - 1) < 1e-9 AS search_agrees,
       abs(6 * (c).n * (c).d / 5.76e23 - 1) < 1e-14 AS on_budget
FROM (SELECT compute_optimal(preset, 5.76e23) AS c, compute_optimal(formula, 5.76e23) AS s FROM co_fits) r;
-- brute force at the same budget: no N of a grid of 100,001 values of ln N has a lower loss,
-- and the best of them lies next to the optimum
WITH g AS (SELECT t, predict_loss(preset, exp(t), 9.6e22 / exp(t)) AS loss
           FROM co_fits, LATERAL (SELECT ln(9.6e22) * i / 100000 AS t FROM generate_series(0, 100000) i) s),
     o AS (SELECT compute_optimal(preset, 5.76e23) AS c FROM co_fits)
SELECT (SELECT min(loss) FROM g) >= (c).loss AS none_lower,
       abs((SELECT t FROM g ORDER BY loss, t LIMIT 1) - ln((c).n)) <= ln(9.6e22) / 100000 AS best_next_to_it
FROM o;
-- brute force in numeric arithmetic (40 decimals, independent of float8 and of both methods):
-- a ternary search on ln N for 150 steps; closed form and search equal it to 1e-12
CREATE FUNCTION pg_temp.co_loss(t numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS
$$ SELECT 1.69 + 406.4 * exp(-0.34 * t) + 410.7 * exp(-0.28 * (ln(96000000000000000000000.000000000000000000000000000000) - t)) $$;
WITH RECURSIVE s(i, lo, hi) AS (
  SELECT 0, 0::numeric(60,40), ln(96000000000000000000000.000000000000000000000000000000)::numeric(60,40)
  UNION ALL
  SELECT i + 1,
         CASE WHEN pg_temp.co_loss(lo + (hi - lo) / 3) < pg_temp.co_loss(hi - (hi - lo) / 3) THEN lo
              ELSE (lo + (hi - lo) / 3)::numeric(60,40) END,
         CASE WHEN pg_temp.co_loss(lo + (hi - lo) / 3) < pg_temp.co_loss(hi - (hi - lo) / 3)
              THEN (hi - (hi - lo) / 3)::numeric(60,40) ELSE hi END
  FROM s WHERE i < 150),
b AS (SELECT exp((lo + hi) / 2) AS n FROM s WHERE i = 150)
SELECT round(b.n, 3) AS brute_force_n,
       abs((compute_optimal(preset, 5.76e23)).n / b.n - 1) < 1e-12 AS closed_form_equal,
       abs((compute_optimal(formula, 5.76e23)).n / b.n - 1) < 1e-12 AS search_equal,
       abs((compute_optimal(preset, 5.76e23)).loss / pg_temp.co_loss(ln(b.n)) - 1) < 1e-14 AS same_loss
FROM b, co_fits;
-- budgets over six decades: closed form and search agree at each
SELECT count(*) AS budgets,
       bool_and(abs((compute_optimal(preset, c)).n / (compute_optimal(formula, c)).n - 1) < 1e-9) AS all_agree
FROM co_fits, LATERAL (SELECT 10 ^ (18 + i) AS c FROM generate_series(0, 6) i) b;
-- an exponent at the logarithmic limit: alpha = 0 means the term -a ln N
SELECT abs((compute_optimal(ROW(1.69, 0.05, 0, 410.7, 0.28, 1, 1, 0, '{alpha}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 5.76e23)).n /
           (compute_optimal(ROW('(N, D) => E - a * ln(N) + B / D^beta', '{"E": 1.69, "a": 0.05, "B": 410.7, "beta": 0.28}',
                                1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 5.76e23)).n - 1) < 1e-9 AS log_limit_agrees;
-- fitted laws: the preset's fit of rows from Chinchilla's law, and a formula fit of the same rows
CREATE TEMP TABLE co_runs AS
SELECT n, d, 1.69 + 406.4 * n ^ (-0.34) + 410.7 * d ^ (-0.28) + 0.002 * sin(i * 1.7) AS loss
FROM generate_series(1, 40) i, LATERAL (SELECT 1e7 * 2 ^ (i % 8 + 1) AS n, 2e9 * 2 ^ (i % 5 + 1) * (1 + i % 3) AS d) v;
SELECT abs(ln((compute_optimal(fit_power_law(n, d, loss), 1e22)).n / 1e22 ^ (0.28 / 0.62))) < 3 AS fitted_preset,
       (compute_optimal(fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d], loss), 1e22)).n
         / (compute_optimal(fit_power_law(n, d, loss), 1e22)).n BETWEEN 0.5 AND 2 AS fitted_formula_close
FROM co_runs;
-- other input names, other inputs held fixed
SELECT (compute_optimal(ROW('(P, T) => E + A / P^alpha + B / T^beta',
        '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit,
        5.76e23, n => 'P', d => 'T')).n = (compute_optimal(formula, 5.76e23)).n AS renamed_same,
       round((compute_optimal(ROW('(lr, N, D) => E + A / N^alpha + B / D^beta + (ln(lr) + 7)^2',
        '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit,
        5.76e23, others => ARRAY[0.001])).loss::numeric, 6) AS loss_with_lr
FROM co_fits;
-- no minimum with N >= 1 and D >= 1: NULL
\pset null NULL
SELECT compute_optimal(ROW(1.69, -406.4, 0.34, 410.7, 0.28, 1, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 5.76e23) AS rising_in_n,
       compute_optimal(ROW(1.69, 406.4, 0, 410.7, 0, 1, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 5.76e23) AS both_logarithmic,
       compute_optimal(ROW(1.69, 406.4, 0, 410.7, 0.28, 1, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 5.76e23) AS past_d_1,
       compute_optimal(ROW(1.69, 406.4, 0.34, 410.7, 0.28, 1, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 6) AS budget_6,
       compute_optimal(ROW('(N, D) => E + A / N^alpha + B / D^beta',
         '{"E": 1.69, "A": -406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit,
         5.76e23) AS formula_rising_in_n;
-- NULL arguments and fields give NULL
SELECT compute_optimal(preset, NULL) AS null_flops, compute_optimal(formula, NULL) AS null_flops_formula,
       compute_optimal(ROW(1.69, NULL, 0.34, 410.7, 0.28, 1, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 1e22) AS null_field,
       compute_optimal(ROW('(N, D) => E + A / N^alpha + B / D^beta',
         '{"E": 1.69, "A": null, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1e22) AS null_param,
       compute_optimal(ROW('(lr, N, D) => E + A / N^alpha + B / D^beta + lr',
         '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit,
         1e22, others => ARRAY[NULL::float8]) AS null_other
FROM co_fits;
-- errors
SELECT compute_optimal(preset, 5) FROM co_fits;
SELECT compute_optimal(formula, 0) FROM co_fits;
SELECT compute_optimal(formula, 'NaN') FROM co_fits;
SELECT compute_optimal(preset, 'Infinity') FROM co_fits;
SELECT compute_optimal(ROW(1.69, 'Infinity', 0.34, 410.7, 0.28, 1, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 1e22);
SELECT compute_optimal(ROW('(P, T) => E + A / P^alpha + B / T^beta',
        '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1e22);
SELECT compute_optimal(formula, 1e22, n => 'D') FROM co_fits;
SELECT compute_optimal(ROW('N => E + A / N^alpha', '{"E": 1.69, "A": 406.4, "alpha": 0.34}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1e22);
SELECT compute_optimal(ROW('(lr, N, D) => E + A / N^alpha + B / D^beta + lr',
        '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1e22);
SELECT compute_optimal(ROW('(lr, N, D) => E + A / N^alpha + B / D^beta + lr',
        '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1e22,
        others => ARRAY[1.0, 2.0]);
SELECT compute_optimal(ROW('(lr, N, D) => E + A / N^alpha + B / D^beta + lr',
        '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1e22,
        others => ARRAY['Infinity'::float8]);
SELECT compute_optimal(formula, 1e22, others => ARRAY[1.0]) FROM co_fits;
SELECT compute_optimal(ROW('(N, D) => E + A / N^alpha + B / D^beta', '{"E": 1.69}', 1, 1, 0, '{}', true, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::scaling_law_fit, 1e22);
-- the functions are IMMUTABLE: a constant call folds into the plan
EXPLAIN (COSTS OFF, VERBOSE)
SELECT (compute_optimal(ROW(1.69, 406.4, 0.34, 410.7, 0.28, 1, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 5.76e23)).n;
DROP TABLE co_fits, co_runs;
