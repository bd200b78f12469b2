-- upgrade walk: install 1.0, update to 1.1, use the new objects, update to
-- 1.2, 1.3 and 1.4; the result must equal a fresh install of 1.4
DROP EXTENSION scalinglaw;
CREATE EXTENSION scalinglaw VERSION '1.0';
-- the user-callable functions of the extension without a comment (after each step: none)
CREATE FUNCTION up_uncommented() RETURNS SETOF regprocedure LANGUAGE sql AS $$
  SELECT p.oid::regprocedure
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw')
    AND p.proname NOT LIKE 'sl\_%' AND obj_description(p.oid, 'pg_proc') IS NULL
$$;
SELECT extversion FROM pg_extension WHERE extname = 'scalinglaw';
SELECT to_regtype('fit_points') IS NULL AS no_fit_points_in_1_0;
CREATE TABLE up_runs AS SELECT x, 1 + 3 * x ^ (-0.5) AS y FROM generate_series(1, 30) x;
CREATE TABLE up_fits AS SELECT fit_power_law(x, y) AS f FROM up_runs;
-- a view on an aggregate: 1.2 replaces the aggregates, and must keep it
CREATE VIEW up_view AS SELECT fit_power_law(x, y) AS f, fit_log_law(x, y) AS g FROM up_runs;
ALTER EXTENSION scalinglaw UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'scalinglaw';
-- the objects 1.1 adds
SELECT count(*) FILTER (WHERE p.prokind = 'a') AS aggregates, count(*) FILTER (WHERE p.prokind = 'f') AS functions
FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw') AND d.deptype = 'e'
  AND (p.proname LIKE '%fit_points%' OR (p.proname IN ('fit_power_law', 'fit_log_law') AND p.proargtypes[0] IN
       ('fit_points'::regtype, 'fit_points2'::regtype, 'fit_points3'::regtype)));
-- every user-callable new object has a comment
SELECT uncommented FROM up_uncommented() uncommented;
SELECT t.typname AS uncommented_type FROM pg_type t
WHERE t.typname IN ('fit_points', 'fit_points2', 'fit_points3') AND obj_description(t.oid, 'pg_type') IS NULL;
-- a fit from 1.0 and the new functions agree, bit for bit
SET extra_float_digits = 3;
SELECT fit_power_law(fit_points(x, y))::text = (SELECT f::text FROM up_fits) AS same_fit FROM up_runs;

-- 1.1 -> 1.2: the SSPACE of every aggregate
SELECT DISTINCT aggtransspace AS sspace_1_1 FROM pg_aggregate a
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw') ORDER BY 1;
SELECT 'fit_power_law(float8, float8)'::regprocedure::oid AS agg_oid \gset
ALTER EXTENSION scalinglaw UPDATE TO '1.2';
SELECT extversion FROM pg_extension WHERE extname = 'scalinglaw';
SELECT 'fit_power_law(float8, float8)'::regprocedure::oid = :agg_oid AS same_aggregate,
       (SELECT f::text FROM up_view) = (SELECT f::text FROM up_fits) AS view_kept;

-- 1.2 -> 1.3: stored point values of up to 8 inputs (fit_pointsn)
SELECT to_regtype('fit_pointsn') IS NULL AS no_fit_pointsn_in_1_2;
ALTER EXTENSION scalinglaw UPDATE TO '1.3';
SELECT extversion FROM pg_extension WHERE extname = 'scalinglaw';
-- every user-callable object has a comment, the new type too
SELECT uncommented FROM up_uncommented() uncommented;
SELECT obj_description('fit_pointsn'::regtype, 'pg_type') IS NOT NULL AS type_commented;
-- values of 1.1 types cast to the new type hold the same points, byte for byte
SELECT fit_points(ARRAY[x], y)::text = fit_points(x, y)::fit_pointsn::text AS same_points,
       (SELECT f::text FROM up_view) = (SELECT f::text FROM up_fits) AS view_kept
FROM up_runs;

-- 1.3 -> 1.4: casts to and from text in one step, compute_optimal, std_errors of formula fits
CREATE TABLE up_formula_fits AS
SELECT fit_scaling_law('x => a + b * x^-c', x, y) AS f FROM up_runs;
SELECT to_regtype('compute_optimum') IS NULL AS no_compute_optimum_in_1_3,
       (SELECT count(*) FROM pg_cast WHERE casttarget = 'text'::regtype AND castsource = 'fit_points'::regtype) AS text_casts_1_3;
ALTER EXTENSION scalinglaw UPDATE TO '1.4';
SELECT extversion FROM pg_extension WHERE extname = 'scalinglaw';
SELECT uncommented FROM up_uncommented() uncommented;
-- the view's fit gains std_errors; its coefficients are the stored 1.0 fit's, whose std_errors read NULL
SELECT (SELECT ((f).l_inf, (f).a, (f).alpha, (f).n, (f).r2, (f).rmse, (f).at_bound)::text FROM up_view) =
       (SELECT ((f).l_inf, (f).a, (f).alpha, (f).n, (f).r2, (f).rmse, (f).at_bound)::text FROM up_fits) AS view_kept,
       (SELECT (f).std_errors IS NOT NULL AND (g).std_errors IS NOT NULL FROM up_view) AS view_has_std_errors,
       (SELECT (f).std_errors IS NULL FROM up_fits) AS stored_has_none,
       (SELECT count(*) FROM pg_cast WHERE casttarget = 'text'::regtype AND castsource = 'fit_points'::regtype) AS text_casts_1_4;
-- a fit stored by 1.3 reads std_errors as NULL and predicts as before; a new fit has them
SELECT (f).std_errors IS NULL AS stored_has_none, abs(predict_loss(f, 4::float8) - 2.5) < 1e-9 AS predicts,
       (SELECT (fit_scaling_law('x => a + b * x^-c', x, y)).std_errors IS NOT NULL FROM up_runs) AS new_has_them
FROM up_formula_fits;
-- stored fits read covariance and the data range as NULL: predict_interval gives the estimate
-- (predict_loss's bits) with NULL bounds; a new fit has all three
SELECT (f).covariance IS NULL AND (f).x_min IS NULL AND (f).x_max IS NULL AS stored_has_none,
       (predict_interval(f, 4::float8)).estimate = predict_loss(f, 4::float8) AS same_estimate,
       (predict_interval(f, 4::float8)).lo IS NULL AS no_interval,
       (SELECT (g).covariance IS NOT NULL AND (g).x_min = ARRAY[1::float8] AND (g).x_max = ARRAY[30::float8]
          AND (predict_interval(g, 4::float8)).lo < predict_loss(g, 4::float8)
        FROM (SELECT fit_scaling_law('x => a + b * x^-c', x, y) AS g FROM up_runs) s) AS new_has_them
FROM up_formula_fits;
SELECT (predict_interval(f, 4)).estimate = predict_loss(f, 4) AS same_estimate,
       (predict_interval(f, 4)).hi IS NULL AS no_interval
FROM up_fits;
DROP TABLE up_formula_fits;

-- what the extension is, as a catalog snapshot: every member with its
-- definition (functions, aggregates, types with their columns, comments)
CREATE FUNCTION up_snapshot() RETURNS TABLE (obj text, def text) LANGUAGE sql AS $$
  SELECT p.oid::regprocedure::text,
         concat_ws(' ', p.prokind, p.provolatile, p.proparallel, p.proisstrict, p.prorettype::regtype,
                   p.prosrc, p.probin, p.proargnames::text, pg_get_expr(p.proargdefaults, 0),
                   a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
                   a.aggtranstype::regtype, a.aggtransspace, a.aggfinalmodify,
                   obj_description(p.oid, 'pg_proc'))
  FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
  LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw') AND d.deptype = 'e'
  UNION ALL
  SELECT t.oid::regtype::text,
         concat_ws(' ', t.typtype, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typstorage,
                   (SELECT string_agg(att.attname || ' ' || att.atttypid::regtype, ', ' ORDER BY att.attnum)
                    FROM pg_attribute att WHERE att.attrelid = t.typrelid AND att.attnum > 0 AND NOT att.attisdropped),
                   obj_description(t.oid, 'pg_type'))
  FROM pg_depend d JOIN pg_type t ON d.classid = 'pg_type'::regclass AND d.objid = t.oid
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw') AND d.deptype = 'e'
  UNION ALL
  SELECT format('cast %s -> %s', c.castsource::regtype, c.casttarget::regtype),
         concat_ws(' ', c.castfunc::regprocedure, c.castcontext, c.castmethod)
  FROM pg_depend d JOIN pg_cast c ON d.classid = 'pg_cast'::regclass AND d.objid = c.oid
  WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw') AND d.deptype = 'e'
$$;
CREATE TABLE up_walked AS SELECT * FROM up_snapshot();
SELECT count(*) AS members, count(*) FILTER (WHERE obj LIKE 'cast %') AS casts FROM up_walked;
DROP VIEW up_view;
DROP TABLE up_fits;
DROP EXTENSION scalinglaw;
CREATE EXTENSION scalinglaw;
SELECT extversion FROM pg_extension WHERE extname = 'scalinglaw';
-- differences between the walk and a fresh install: none
(SELECT 'walked only' AS side, * FROM up_walked EXCEPT SELECT 'walked only', * FROM up_snapshot())
UNION ALL
(SELECT 'fresh only', * FROM up_snapshot() EXCEPT SELECT 'fresh only', * FROM up_walked)
ORDER BY 2, 1;
DROP FUNCTION up_snapshot(), up_uncommented();
DROP TABLE up_runs, up_walked;
