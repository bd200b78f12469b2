-- incremental refit: new runs are merged into stored per-group values and only
-- the groups they touch are refitted; every refit equals a full refit
SET extra_float_digits = 3;
CREATE TABLE sweep (batch int, model text, n_tokens float8, loss float8);
CREATE TABLE model_points (
    model   text PRIMARY KEY,
    points  fit_points NOT NULL,
    stale   boolean NOT NULL DEFAULT true,
    fit     power_law_fit,
    refits  int NOT NULL DEFAULT 0);

-- merge one batch of runs, then refit the groups it changed
CREATE PROCEDURE absorb_batch(b int) LANGUAGE sql AS $$
  INSERT INTO model_points AS s (model, points)
  SELECT model, fit_points(n_tokens, loss) FROM sweep WHERE batch = b GROUP BY model
  ON CONFLICT (model) DO UPDATE SET points = merge_fit_points(s.points, EXCLUDED.points), stale = true;
  UPDATE model_points SET fit = fit_power_law(points), stale = false, refits = refits + 1 WHERE stale;
$$;

-- batch 1: three models
INSERT INTO sweep
SELECT 1, m, n, l0 + a * n ^ (-alpha) + 0.003 * sin(i * 1.7)
FROM (VALUES ('small', 2.0, 40.0, 0.30), ('mid', 1.8, 55.0, 0.32), ('big', 1.6, 70.0, 0.35)) p(m, l0, a, alpha),
     generate_series(1, 24) i, LATERAL (SELECT 1e6 * 2 ^ (i % 12) AS n) v;
CALL absorb_batch(1);
SELECT model, refits, fit_points_rows(points) AS rows, round((fit).alpha::numeric, 3) AS alpha FROM model_points ORDER BY model;

-- batch 2: more runs of 'mid' (some at sizes seen before) and a new model
INSERT INTO sweep
SELECT 2, m, n, l0 + a * n ^ (-alpha) + 0.003 * cos(i * 1.3)
FROM (VALUES ('mid', 1.8, 55.0, 0.32), ('huge', 1.5, 90.0, 0.37)) p(m, l0, a, alpha),
     generate_series(1, 16) i, LATERAL (SELECT 1e6 * 2 ^ (3 + i % 14) AS n) v;
CALL absorb_batch(2);
SELECT model, refits, fit_points_rows(points) AS rows, round((fit).alpha::numeric, 3) AS alpha FROM model_points ORDER BY model;

-- every stored value and fit equals the full recomputation from all runs
SELECT m.model, m.points::text = f.points::text AS same_points, m.fit::text = f.fit::text AS same_fit,
       float8send((m.fit).alpha) = float8send((f.fit).alpha) AND float8send((m.fit).l_inf) = float8send((f.fit).l_inf)
       AND float8send((m.fit).a) = float8send((f.fit).a) AS same_bits
FROM model_points m
JOIN (SELECT model, fit_points(n_tokens, loss) AS points, fit_power_law(n_tokens, loss) AS fit FROM sweep GROUP BY model) f
  USING (model)
ORDER BY model;

-- batches in another order give the same values and fits
CREATE TABLE model_points_rev AS SELECT * FROM model_points WHERE false;
ALTER TABLE model_points_rev ADD PRIMARY KEY (model);
ALTER TABLE model_points_rev ALTER COLUMN stale SET DEFAULT true, ALTER COLUMN refits SET DEFAULT 0;
INSERT INTO model_points_rev (model, points)
SELECT model, fit_points(n_tokens, loss) FROM sweep WHERE batch = 2 GROUP BY model;
INSERT INTO model_points_rev AS s (model, points)
SELECT model, fit_points(n_tokens, loss) FROM sweep WHERE batch = 1 GROUP BY model
ON CONFLICT (model) DO UPDATE SET points = merge_fit_points(EXCLUDED.points, s.points);
SELECT count(*) AS models, bool_and(r.points::text = m.points::text) AS same_points,
       bool_and(fit_power_law(r.points)::text = m.fit::text) AS same_fits
FROM model_points_rev r JOIN model_points m USING (model);

-- nothing new: nothing refitted
CALL absorb_batch(3);
SELECT sum(refits) AS total_refits FROM model_points;
