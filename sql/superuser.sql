-- What a superuser can break by mistake: the extension's types altered, an
-- aggregate assembled from the support functions of different aggregates,
-- a C function declared with other types.  Each is an ERROR with its
-- SQLSTATE (printed after it), never a crash: the backend answers after all.
-- In a database of its own, which is dropped at the end.
\set SHOW_CONTEXT never
\set regression_db :DBNAME
CREATE DATABASE sl_superuser;
\c sl_superuser
CREATE EXTENSION scalinglaw;
CREATE TABLE su_runs AS SELECT x, 1 + 2 * x ^ (-0.5) AS y, 3 * x + 1 AS x2, 5 * x + x % 7 AS x3
FROM generate_series(1, 40) x;

-- 1. result types whose columns no longer match what the fit writes (42804)
ALTER TYPE power_law_fit ALTER ATTRIBUTE n TYPE text;
SELECT fit_power_law(x, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
SELECT fit_power_law(fit_points(x, y)) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
ALTER TYPE power_law_fit ALTER ATTRIBUTE n TYPE bigint;
SELECT (fit_power_law(x, y)).n FROM su_runs;
-- a coefficient predict_loss reads
ALTER TYPE log_law_fit ALTER ATTRIBUTE b TYPE numeric;
SELECT predict_loss(ROW(1, 2, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law_fit, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT fit_log_law(x, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
SELECT fit_log_law(fit_points(x, y)) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
ALTER TYPE log_law_fit ALTER ATTRIBUTE b TYPE float8;
SELECT (fit_log_law(x, y)).n, predict_loss(ROW(1, 2, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law_fit, 10) FROM su_runs;
-- a column added: the fit refuses it; dropped again, the type works (a dropped column is NULL)
ALTER TYPE power_law2_fit ADD ATTRIBUTE note text;
SELECT fit_power_law(x, x2, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
ALTER TYPE power_law2_fit DROP ATTRIBUTE note;
SELECT (f).n, (f).at_bound, predict_loss(f, 10, 31) = (f).l_inf + (f).a * 10 ^ (-(f).alpha) + (f).b * 31 ^ (-(f).beta) AS predicts
FROM (SELECT fit_power_law(x, x2, y) AS f FROM su_runs) s;
-- a column dropped: the fits and predict_loss refuse the type
ALTER TYPE power_law3_fit DROP ATTRIBUTE rmse;
SELECT fit_power_law(x, x2, x3, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
SELECT fit_power_law(fit_points(x, x2, x3, y)) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
SELECT predict_loss(ROW(1, 2, 0.5, 0, 1, 0, 1, 40, 1, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law3_fit, 4, 2, 1);
\echo :LAST_ERROR_SQLSTATE
-- dropped and added again at the end, where it was: the type works again
ALTER TYPE power_law3_fit DROP ATTRIBUTE at_bound, DROP ATTRIBUTE std_errors, DROP ATTRIBUTE covariance,
  DROP ATTRIBUTE x_min, DROP ATTRIBUTE x_max, DROP ATTRIBUTE status, DROP ATTRIBUTE converged,
  DROP ATTRIBUTE iterations, DROP ATTRIBUTE aic, DROP ATTRIBUTE bic, ADD ATTRIBUTE rmse float8,
  ADD ATTRIBUTE at_bound text[], ADD ATTRIBUTE std_errors jsonb, ADD ATTRIBUTE covariance jsonb,
  ADD ATTRIBUTE x_min float8[], ADD ATTRIBUTE x_max float8[], ADD ATTRIBUTE status text,
  ADD ATTRIBUTE converged boolean, ADD ATTRIBUTE iterations integer, ADD ATTRIBUTE aic float8,
  ADD ATTRIBUTE bic float8;
SELECT (f).n, (f).rmse < 0.1 AS small_rmse, (f).at_bound IS NOT NULL AS has_at_bound,
       predict_loss(f, 4, 13, 21) = (f).l_inf + predict_loss(ROW(0, (f).a, (f).alpha, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 4)
           + predict_loss(ROW(0, (f).b, (f).beta, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 13)
           + predict_loss(ROW(0, (f).c, (f).gamma, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law_fit, 21) AS predicts
FROM (SELECT fit_power_law(x, x2, x3, y) AS f FROM su_runs) s;
-- a coefficient dropped: predict_loss must not read n (bigint) as one
ALTER TYPE log_law2_fit DROP ATTRIBUTE c;
SELECT predict_loss(ROW(1, 2, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law2_fit, 10, 10);
\echo :LAST_ERROR_SQLSTATE

-- 2. aggregates assembled from the support functions of different aggregates (42P13)
CREATE AGGREGATE su_log_as_power(float8, float8) (
    SFUNC = sl_log_law_trans, STYPE = internal, FINALFUNC = sl_power_law1_final);
SELECT su_log_as_power(x, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
CREATE AGGREGATE su_points_as_log(float8, float8) (
    SFUNC = sl_fit_points_trans, STYPE = internal, FINALFUNC = sl_log_law1_final);
SELECT su_points_as_log(x, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
CREATE AGGREGATE su_power_as_points(float8, float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, FINALFUNC = sl_fit_points_final);
SELECT su_power_as_points(x, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
-- a final function of the same family for another number of inputs
CREATE AGGREGATE su_one_as_two(float8, float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, FINALFUNC = sl_power_law2_final);
SELECT su_one_as_two(x, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
-- combine, serialize and deserialize of another family, in a parallel plan
CREATE TABLE su_big AS SELECT 1 + i % 50 AS x, 1 + (1 + i % 50) ^ (-0.5) AS y FROM generate_series(1, 50000) i;
ANALYZE su_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE AGGREGATE su_combine(float8, float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, FINALFUNC = sl_power_law1_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize, PARALLEL = SAFE);
EXPLAIN (COSTS OFF) SELECT su_combine(x, y) FROM su_big;
SELECT su_combine(x, y) FROM su_big;
\echo :LAST_ERROR_SQLSTATE
CREATE AGGREGATE su_serialize(float8, float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, FINALFUNC = sl_power_law1_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_power_law_deserialize, PARALLEL = SAFE);
SELECT su_serialize(x, y) FROM su_big;
\echo :LAST_ERROR_SQLSTATE
-- another family's bytes do not deserialise (22P03)
CREATE AGGREGATE su_deserialize(float8, float8) (
    SFUNC = sl_log_law_trans, STYPE = internal, FINALFUNC = sl_log_law1_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_power_law_deserialize, PARALLEL = SAFE);
SELECT su_deserialize(x, y) FROM su_big;
\echo :LAST_ERROR_SQLSTATE
RESET max_parallel_workers_per_gather;

-- 3. C functions declared with other types
-- an input of another type (42P13)
CREATE FUNCTION su_text_trans(internal, text, float8) RETURNS internal
    AS '$libdir/scalinglaw', 'sl_power_law_trans' LANGUAGE C;
CREATE AGGREGATE su_text(text, float8) (SFUNC = su_text_trans, STYPE = internal, FINALFUNC = sl_power_law1_final);
SELECT su_text(x::text, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
-- too few arguments
CREATE FUNCTION su_short_trans(internal, float8) RETURNS internal
    AS '$libdir/scalinglaw', 'sl_log_law_trans' LANGUAGE C;
CREATE AGGREGATE su_short(float8) (SFUNC = su_short_trans, STYPE = internal, FINALFUNC = sl_log_law1_final);
SELECT su_short(x) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
-- a state that is not internal: a float8 would be read as a pointer
CREATE FUNCTION su_float_trans(float8, float8, float8) RETURNS float8
    AS '$libdir/scalinglaw', 'sl_fit_points_trans' LANGUAGE C;
CREATE AGGREGATE su_float(float8, float8) (SFUNC = su_float_trans, STYPE = float8, INITCOND = '1');
SELECT su_float(x, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
CREATE FUNCTION su_float_final(float8) RETURNS power_law_fit
    AS '$libdir/scalinglaw', 'sl_power_law_final' LANGUAGE C;
CREATE AGGREGATE su_float_final_agg(float8) (SFUNC = float8pl, STYPE = float8, INITCOND = '1',
    FINALFUNC = su_float_final);
SELECT su_float_final_agg(x) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
-- a support function called outside an aggregate (42809)
SELECT su_float_final(1);
\echo :LAST_ERROR_SQLSTATE
-- a final function that returns a scalar (42804)
CREATE FUNCTION su_scalar_final(internal) RETURNS float8
    AS '$libdir/scalinglaw', 'sl_log_law_final' LANGUAGE C;
CREATE AGGREGATE su_scalar(float8, float8) (SFUNC = sl_log_law_trans, STYPE = internal,
    FINALFUNC = su_scalar_final);
SELECT su_scalar(x, y) FROM su_runs;
\echo :LAST_ERROR_SQLSTATE
-- predict_loss of a float8, of text (42P13); with an input too few, the fit's type does not match (42804)
CREATE FUNCTION su_predict(float8, float8) RETURNS float8
    AS '$libdir/scalinglaw', 'sl_power_law_predict' LANGUAGE C;
SELECT su_predict(1, 2);
\echo :LAST_ERROR_SQLSTATE
CREATE FUNCTION su_predict_text(log_law_fit, text) RETURNS float8
    AS '$libdir/scalinglaw', 'sl_log_law_predict' LANGUAGE C;
SELECT su_predict_text(ROW(1, 2, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::log_law_fit, '10');
\echo :LAST_ERROR_SQLSTATE
CREATE FUNCTION su_predict_short(power_law2_fit, float8) RETURNS float8
    AS '$libdir/scalinglaw', 'sl_power_law_predict' LANGUAGE C;
SELECT su_predict_short(ROW(1, 2, 0.5, 1, 0.5, 10, 1, 0, '{}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::power_law2_fit, 10);
\echo :LAST_ERROR_SQLSTATE

-- the backend is still alive, and the untouched laws fit
SELECT (fit_power_law(x, y)).n AS n, round((fit_power_law(x, y)).alpha::numeric, 6) AS alpha FROM su_runs;
\c :regression_db
DROP DATABASE sl_superuser;

-- 4. the whole class: every transition function of the extension with every final
-- function, as an aggregate over float8 rows x, x2, x3, y (and NULL options where the
-- transition takes them).  A pair of one family fits; any other pair is an ERROR with a SQLSTATE;
-- the backend survives every one (it answers the next statement).  In a database of
-- its own, with the types as the extension made them.
CREATE DATABASE sl_pairs;
\c sl_pairs
CREATE EXTENSION scalinglaw;
CREATE TABLE su_runs AS SELECT x, 1 + 2 * x ^ (-0.5) AS y, 3 * x + 1 AS x2, 5 * x + x % 7 AS x3
FROM generate_series(1, 40) x;
CREATE TABLE su_pairs (sfunc text, ffunc text, outcome text);
DO $$
DECLARE
  t record;
  f record;
  nin int;
  call text;
  fitted boolean;
BEGIN
  FOR t IN SELECT p.proname, p.pronargs, pg_get_function_identity_arguments(p.oid) AS args
           FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'scalinglaw'
           WHERE p.proname LIKE 'sl\_%\_trans' AND p.proargtypes[1] = 'float8'::regtype
           ORDER BY 1, 2 LOOP
    FOR f IN SELECT DISTINCT p.proname
             FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
             JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'scalinglaw'
             WHERE p.proname LIKE 'sl\_%\_final' ORDER BY 1 LOOP
      nin := t.pronargs - 1;
      call := array_to_string((ARRAY['x', 'x2', 'x3'])[1:nin - 1 - (t.args LIKE '%jsonb')::int], ', ')
              || ', y' || CASE WHEN t.args LIKE '%jsonb' THEN ', NULL::jsonb' ELSE '' END;
      BEGIN
        EXECUTE format('CREATE AGGREGATE su_pair(%s) (SFUNC = %I, STYPE = internal, FINALFUNC = %I)',
                       substr(t.args, length('internal, ') + 1), t.proname, f.proname);
        BEGIN
          EXECUTE format('SELECT su_pair(%s) IS NOT NULL FROM su_runs', call) INTO fitted;
          INSERT INTO su_pairs VALUES (t.proname || '(' || call || ')', f.proname,
                                       CASE WHEN fitted THEN 'fits' ELSE 'NULL' END);
        EXCEPTION WHEN OTHERS THEN
          INSERT INTO su_pairs VALUES (t.proname || '(' || call || ')', f.proname, 'ERROR ' || SQLSTATE);
        END;
        EXECUTE format('DROP AGGREGATE su_pair(%s)', substr(t.args, length('internal, ') + 1));
      EXCEPTION WHEN OTHERS THEN
        INSERT INTO su_pairs VALUES (t.proname || '(' || call || ')', f.proname, 'not created: ' || SQLSTATE);
      END;
    END LOOP;
  END LOOP;
END $$;
SELECT outcome, count(*) AS pairs FROM su_pairs GROUP BY 1 ORDER BY 1;
-- the pairs that fit are exactly those of one family and number of inputs
SELECT sfunc, ffunc, outcome FROM su_pairs WHERE outcome NOT LIKE 'ERROR%' ORDER BY 1, 2;
\c :regression_db
DROP DATABASE sl_pairs;
