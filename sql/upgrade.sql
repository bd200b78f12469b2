-- upgrade walk: install 1.0, update to 1.1, use the new objects
DROP EXTENSION scalinglaw;
CREATE EXTENSION scalinglaw VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'scalinglaw';
SELECT to_regtype('fit_points') IS NULL AS no_fit_points_in_1_0;
CREATE TABLE up_runs AS SELECT x, 1 + 3 * x ^ (-0.5) AS y FROM generate_series(1, 30) x;
CREATE TABLE up_fits AS SELECT fit_power_law(x, y) AS f FROM up_runs;
ALTER EXTENSION scalinglaw UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'scalinglaw';
-- the objects 1.1 adds
SELECT count(*) FILTER (WHERE p.prokind = 'a') AS aggregates, count(*) FILTER (WHERE p.prokind = 'f') AS functions
FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw') AND d.deptype = 'e'
  AND (p.proname LIKE '%fit_points%' OR (p.proname IN ('fit_power_law', 'fit_log_law') AND p.proargtypes[0] IN
       ('fit_points'::regtype, 'fit_points2'::regtype, 'fit_points3'::regtype)));
-- every user-callable new object has a comment
SELECT p.oid::regprocedure AS uncommented
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw')
  AND p.proname NOT LIKE 'sl\_%' AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT t.typname AS uncommented_type FROM pg_type t
WHERE t.typname IN ('fit_points', 'fit_points2', 'fit_points3') AND obj_description(t.oid, 'pg_type') IS NULL;
-- a fit from 1.0 and the new functions agree, bit for bit
SET extra_float_digits = 3;
SELECT fit_power_law(fit_points(x, y))::text = (SELECT f::text FROM up_fits) AS same_fit FROM up_runs;
DROP TABLE up_runs, up_fits;
