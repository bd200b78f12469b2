-- fit_power_law: recovery of known coefficients, prediction, NULL groups

-- noise-free y = 1.5 + 20 x^-0.3 on 12 points over 4 decades
CREATE TABLE runs AS
SELECT 'g' || g AS grp, x, CASE g WHEN 1 THEN 1.5 + 20 * x ^ (-0.3)
                                WHEN 2 THEN 0.25 + 3 * x ^ (-1.1)
                                ELSE 4.0 + 0.5 * x ^ (-0.05) END AS loss
FROM generate_series(1, 3) g, (SELECT 1000 * 10 ^ (i / 3.0) AS x FROM generate_series(0, 11) i) s;

SELECT grp, round((f).l_inf::numeric, 8) AS l_inf, round((f).a::numeric, 6) AS a,
       round((f).alpha::numeric, 8) AS alpha, (f).n, round((f).r2::numeric, 10) AS r2,
       (f).rmse < 1e-12 AS exact, (f).at_bound
FROM (SELECT grp, fit_power_law(x, loss) AS f FROM runs GROUP BY grp) s ORDER BY grp;

-- predict_loss extrapolates the law
SELECT grp, round(predict_loss(fit_power_law(x, loss), 1e9)::numeric, 8) AS predicted,
       round((CASE grp WHEN 'g1' THEN 1.5 + 20 * 1e9 ^ (-0.3)
                       WHEN 'g2' THEN 0.25 + 3 * 1e9 ^ (-1.1)
                       ELSE 4.0 + 0.5 * 1e9 ^ (-0.05) END)::numeric, 8) AS truth
FROM runs GROUP BY grp ORDER BY grp;

-- the fit is a composite usable in a table and a view
CREATE TABLE fits AS SELECT grp, fit_power_law(x, loss) AS fit FROM runs GROUP BY grp;
CREATE VIEW forecasts AS SELECT grp, predict_loss(fit, 1e6) AS at_1e6 FROM fits;
SELECT grp, round(at_1e6::numeric, 6) FROM forecasts ORDER BY grp;

-- the log limit: y exactly log-linear ends at alpha = 0, flagged, finite,
-- and predicts the limit law y = l_inf - a ln x
SELECT (f).alpha, round((f).a::numeric, 10) AS a, round((f).l_inf::numeric, 10) AS l_inf,
       (f).at_bound, round(predict_loss(f, 1e6)::numeric, 10) AS pred,
       round((3 - 0.1 * ln(1e6))::numeric, 10) AS truth
FROM (SELECT fit_power_law(x, 3 - 0.1 * ln(x)) AS f FROM generate_series(10, 100000, 997) x) s;

-- two inputs: y = 1 + 5 x1^-0.4 + 2 x2^-0.7
SELECT round((f).l_inf::numeric, 8) AS l_inf, round((f).a::numeric, 6) AS a, round((f).alpha::numeric, 8) AS alpha,
       round((f).b::numeric, 6) AS b, round((f).beta::numeric, 8) AS beta, (f).n, (f).at_bound
FROM (SELECT fit_power_law(x1, x2, 1 + 5 * x1 ^ (-0.4) + 2 * x2 ^ (-0.7)) AS f
      FROM generate_series(1, 6) i, generate_series(1, 6) j,
           LATERAL (SELECT 10 ^ i AS x1, 4 ^ j AS x2) v) s;
SELECT round(predict_loss(fit_power_law(x1, x2, 1 + 5 * x1 ^ (-0.4) + 2 * x2 ^ (-0.7)), 1e8, 1e5)::numeric, 8),
       round((1 + 5 * 1e8 ^ (-0.4) + 2 * 1e5 ^ (-0.7))::numeric, 8)
FROM generate_series(1, 6) i, generate_series(1, 6) j, LATERAL (SELECT 10 ^ i AS x1, 4 ^ j AS x2) v;

-- three inputs, one of them a growth term (negative exponent, allowed by bounds)
SELECT round((f).l_inf::numeric, 6) AS l_inf, round((f).alpha::numeric, 6) AS alpha,
       round((f).beta::numeric, 6) AS beta, round((f).gamma::numeric, 6) AS gamma, (f).n
FROM (SELECT fit_power_law(x1, x2, x3, 0.5 + 4 * x1 ^ (-0.3) + 2 * x2 ^ (-0.6) + 0.01 * x3 ^ 0.2,
                           '{"bounds": {"gamma": [-3, 3]}}'::jsonb) AS f
      FROM generate_series(1, 5) i, generate_series(1, 5) j, generate_series(1, 5) k,
           LATERAL (SELECT 10 ^ i AS x1, 3 ^ j AS x2, 5 ^ k AS x3) v) s;
SELECT round(predict_loss(f, 1e6, 100, 1000)::numeric, 6),
       round((0.5 + 4 * 1e6 ^ (-0.3) + 2 * 100 ^ (-0.6) + 0.01 * 1000 ^ 0.2)::numeric, 6)
FROM (SELECT fit_power_law(x1, x2, x3, 0.5 + 4 * x1 ^ (-0.3) + 2 * x2 ^ (-0.6) + 0.01 * x3 ^ 0.2,
                           '{"bounds": {"gamma": [-3, 3]}}'::jsonb) AS f
      FROM generate_series(1, 5) i, generate_series(1, 5) j, generate_series(1, 5) k,
           LATERAL (SELECT 10 ^ i AS x1, 3 ^ j AS x2, 5 ^ k AS x3) v) s;

-- repeated inputs: rows at the same x are merged; the fit is that of all rows
SELECT round((f).alpha::numeric, 8) AS alpha, (f).n, round((f).rmse::numeric, 8) AS rmse
FROM (SELECT fit_power_law(x, 2 + 10 * x ^ (-0.5) + e) AS f
      FROM generate_series(1, 8) i, (VALUES (-0.01), (0.01)) d(e), LATERAL (SELECT 10 ^ i AS x) v) s;

-- NULL rows are skipped
SELECT (fit_power_law(x, y)).n
FROM (VALUES (1.0, 5.0), (NULL, 1.0), (10.0, NULL), (10.0, 4.0), (100.0, 3.5), (1000.0, 3.3)) v(x, y);

-- groups that cannot determine the law are a row saying why (coefficients
-- NULL); other groups are unaffected
SELECT grp, (fit).l_inf IS NULL AS no_coefficients, (fit).n, (fit).status
FROM (SELECT grp, fit_power_law(x, y) AS fit FROM (VALUES
        ('two points', 1.0, 2.0), ('two points', 10.0, 1.0),
        ('one x value', 5.0, 1.0), ('one x value', 5.0, 2.0), ('one x value', 5.0, 3.0), ('one x value', 5.0, 4.0),
        ('fine', 1.0, 3.0), ('fine', 10.0, 2.0), ('fine', 100.0, 1.6), ('fine', 1000.0, 1.45)) v(grp, x, y)
      GROUP BY grp) s ORDER BY grp;
SELECT fit_power_law(x, y) IS NULL AS no_rows FROM (SELECT 1.0 AS x, 1.0 AS y WHERE false) s;
SELECT (f).l_inf IS NULL AS no_coefficients, (f).status AS one_x2_value
FROM (SELECT fit_power_law(x1, x2, y) AS f FROM (VALUES (1.0, 2.0, 3.0), (10.0, 2.0, 2.0), (100.0, 2.0, 1.5), (1000.0, 2.0, 1.2), (1e4, 2.0, 1.1), (1e5, 2.0, 1.0)) v(x1, x2, y)) s;

-- constant y: a flat law, r2 undefined (NULL)
SELECT (f).l_inf, (f).a, (f).r2 IS NULL AS r2_null, (f).rmse
FROM (SELECT fit_power_law(x, 2.5) AS f FROM generate_series(1, 10) x) s;

-- predict_loss decodes a fit once while it stays the same and follows it when it changes:
-- fits alternating row by row (and a NULL coefficient among them) match the inline formula
SELECT count(*) AS rows,
       count(*) FILTER (WHERE p IS DISTINCT FROM i) AS mismatches,
       count(*) FILTER (WHERE p IS NULL) AS nulls
FROM (SELECT predict_loss(f, x) AS p, (f).l_inf + (f).a * power(x, -(f).alpha) AS i
      FROM generate_series(1, 3000) g,
           LATERAL (SELECT CASE g % 3 WHEN 0 THEN ROW(1.5, 20, 0.3, 9, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit
                                      WHEN 1 THEN ROW(2.0, 5, 0.7, 9, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit
                                      ELSE ROW(1.0, NULL, 0.5, 9, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit END AS f,
                           1000.0 * g AS x) v) s;
