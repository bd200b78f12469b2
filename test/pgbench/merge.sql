-- a new run recorded and merged into its group's stored points
\set g random(1, 1000)
\set j random(1, 100000000)
WITH r AS (
  INSERT INTO new_runs VALUES (:g, 1000.0 + :j, 1.5 + 100 * power(1000.0 + :j, -0.3))
  RETURNING n, loss)
INSERT INTO group_points AS s (grp, points)
  SELECT :g, fit_points(n, loss) FROM r
  ON CONFLICT (grp) DO UPDATE SET points = merge_fit_points(s.points, EXCLUDED.points);
