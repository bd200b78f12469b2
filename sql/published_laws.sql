-- Five published laws written as formulas (README, "Formula laws"), each
-- fitted to noise-free data made from known parameters: every parameter
-- recovered to 1e-6 relative, from no start values.
SET extra_float_digits = 0;
CREATE FUNCTION recovered(fit scaling_law_fit, truth jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN fit IS NULL THEN 'no fit'
              WHEN bool_and(abs((fit.params->>k)::float8 / (truth->>k)::float8 - 1) < 1e-6)
              THEN 'recovered' ELSE 'off: ' || fit.params::text END
  FROM jsonb_object_keys(truth) k $$;
CREATE TABLE grid2 AS
SELECT n, d FROM unnest(ARRAY[1e7, 3e7, 1e8, 3e8, 1e9, 3e9]::float8[]) n,
                 unnest(ARRAY[1e9, 3e9, 1e10, 3e10, 1e11]::float8[]) d;

-- Kaplan et al. (2020): L(N, D) = ((Nc/N)^(aN/aD) + Dc/D)^aD.  No parameter
-- enters linearly and Nc, Dc lie far beyond the data: without a search box
-- the fit stops where the search reaches and says so (at_bound, not converged)
SELECT (f).at_bound, (f).converged
FROM (SELECT fit_scaling_law('(N, D) => ((Nc / N)^(aN / aD) + Dc / D)^aD', ARRAY[n, d],
                             ((8.8e13 / n) ^ (0.076 / 0.095) + 5.4e13 / d) ^ 0.095) AS f FROM grid2) s;
-- with the search box of the paper's scale, the law itself
SELECT recovered(f, '{"Nc": 8.8e13, "Dc": 5.4e13, "aN": 0.076, "aD": 0.095}'), (f).converged
FROM (SELECT fit_scaling_law('(N, D) => ((Nc / N)^(aN / aD) + Dc / D)^aD', ARRAY[n, d],
                             ((8.8e13 / n) ^ (0.076 / 0.095) + 5.4e13 / d) ^ 0.095,
                             '{"search": {"Nc": [1e11, 1e16], "Dc": [1e11, 1e16]}}') AS f FROM grid2) s;

-- Hoffmann et al. (2022), "Chinchilla": L(N, D) = E + A/N^alpha + B/D^beta
SELECT recovered(f, '{"E": 1.69, "A": 406.4, "alpha": 0.34, "B": 410.7, "beta": 0.28}'), (f).converged
FROM (SELECT fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[n, d],
                             1.69 + 406.4 / n ^ 0.34 + 410.7 / d ^ 0.28) AS f FROM grid2) s;

-- Muennighoff et al. (2023), data-constrained: D' = U + U R* (1 - exp(-(D/U - 1)/R*)),
-- the effective data of D tokens drawn from U unique ones
SELECT recovered(f, '{"E": 1.8, "A": 400, "alpha": 0.34, "B": 410, "R": 15.4, "beta": 0.28}'), (f).converged
FROM (SELECT fit_scaling_law('(N, D, U) => E + A / N^alpha + B / (U + U * R * (1 - exp(-(D / U - 1) / R)))^beta',
                             ARRAY[n, u * e, u],
                             1.8 + 400 / n ^ 0.34 + 410 / (u + u * 15.4 * (1 - exp(-(e - 1) / 15.4))) ^ 0.28) AS f
      FROM unnest(ARRAY[1e8, 3e8, 1e9, 3e9]::float8[]) n, unnest(ARRAY[1e9, 1e10]::float8[]) u,
           unnest(ARRAY[1, 2, 4, 8, 16, 32, 64]::float8[]) e) s;

-- Caballero et al. (2022), a broken power law with one break:
-- y = a + b x^-c0 (1 + (x/d1)^(1/f1))^(-c1 f1)
SELECT recovered(f, '{"a": 0.5, "b": 3, "c0": 0.1, "c1": 0.4, "d1": 1000, "f1": 0.5}'), (f).converged
FROM (SELECT fit_scaling_law('x => a + b * x^-c0 * (1 + (x / d1)^(1 / f1))^(-c1 * f1)', x,
                             0.5 + 3 * x ^ (-0.1) * (1 + (x / 1000) ^ (1 / 0.5)) ^ (-0.4 * 0.5)) AS f
      FROM (SELECT 10 ^ (i / 4.0) AS x FROM generate_series(0, 28) i) s) s;

-- Tao et al. (2024), the vocabulary law with an interaction term:
-- L(P, V, D) = c0 P^-a V^-g D^-b + c1 D^-h + c2
SELECT recovered(f, '{"c0": 50, "a": 0.2, "g": 0.1, "b": 0.15, "c1": 300, "h": 0.3, "c2": -2}'), (f).converged
FROM (SELECT fit_scaling_law('(P, V, D) => c0 * P^-a * V^-g * D^-b + c1 * D^-h + c2', ARRAY[p, v, d],
                             50 * p ^ (-0.2) * v ^ (-0.1) * d ^ (-0.15) + 300 * d ^ (-0.3) - 2,
                             '{"bounds": {"a": [0, null], "b": [0, null], "g": [0, null], "h": [0, null]}}') AS f
      FROM unnest(ARRAY[3e7, 1e8, 3e8, 1e9]::float8[]) p, unnest(ARRAY[4096, 16384, 65536]::float8[]) v,
           unnest(ARRAY[1e9, 1e10, 1e11]::float8[]) d) s;
