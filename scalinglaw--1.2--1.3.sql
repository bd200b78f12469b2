-- scalinglaw--1.2--1.3.sql: formula laws (issue 9)

\echo Use "ALTER EXTENSION scalinglaw UPDATE TO '1.3'" to load this file. \quit

-- stored point values of up to 8 inputs
--
-- fit_pointsn holds the points of a group with 1 to 8 inputs, the number
-- held in the value (byte 1 of the format of src/core/fit_points.h, as
-- for fit_points, fit_points2 and fit_points3, whose values it reads
-- unchanged).  Built from rows whose inputs come as one array, for laws
-- written as formulas over more inputs than the presets take.

CREATE TYPE fit_pointsn;
CREATE FUNCTION sl_fit_pointsn_in(cstring) RETURNS fit_pointsn
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_pointsn_out(fit_pointsn) RETURNS cstring
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_pointsn_recv(internal) RETURNS fit_pointsn
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_pointsn_send(fit_pointsn) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE fit_pointsn (
    INPUT = sl_fit_pointsn_in, OUTPUT = sl_fit_pointsn_out,
    RECEIVE = sl_fit_pointsn_recv, SEND = sl_fit_pointsn_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE fit_pointsn IS 'the rows of a group as the fits need them, 1 to 8 inputs (the number held in the value): distinct inputs with row count and exact sum of y, and the exact sum of y^2';

-- fit_points(inputs float8[], y)
CREATE FUNCTION sl_fit_pointsn_trans(internal, float8[], float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_fit_pointsn_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_fit_pointsn_final(internal) RETURNS fit_pointsn
    AS 'MODULE_PATHNAME', 'sl_fit_pointsn_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_points(inputs float8[], y float8) (
    SFUNC = sl_fit_pointsn_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_fit_pointsn_final,
    COMBINEFUNC = sl_fit_pointsn_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_points(float8[], float8) IS 'the rows of the group as a storable fit_pointsn value (1 to 8 inputs, the same number in every row)';

-- merge_fit_points(fit_pointsn) and merge_fit_points(a, b)
CREATE FUNCTION sl_merge_fit_pointsn_trans(internal, fit_pointsn) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_merge_fit_pointsn_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_merge_fit_pointsn_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_merge_fit_pointsn_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE merge_fit_points(fit_pointsn) (
    SFUNC = sl_merge_fit_pointsn_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_fit_pointsn_final,
    COMBINEFUNC = sl_merge_fit_pointsn_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE merge_fit_points(fit_pointsn) IS 'union of fit_pointsn values of the same number of inputs: the value of all their rows';

CREATE FUNCTION merge_fit_points(a fit_pointsn, b fit_pointsn) RETURNS fit_pointsn
    AS 'MODULE_PATHNAME', 'sl_merge_fit_points' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION merge_fit_points(fit_pointsn, fit_pointsn) IS 'the fit_pointsn value of the rows of a and b, of the same number of inputs (NULL counts as no rows)';

-- accessors
CREATE FUNCTION fit_points_rows(fit_pointsn) RETURNS bigint
    AS 'MODULE_PATHNAME', 'sl_fit_points_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_rows(fit_pointsn) IS 'rows held by the value';
CREATE FUNCTION fit_points_distinct(fit_pointsn) RETURNS integer
    AS 'MODULE_PATHNAME', 'sl_fit_points_distinct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_distinct(fit_pointsn) IS 'distinct input points held by the value';
CREATE FUNCTION fit_points_inputs(fit_pointsn) RETURNS integer
    AS 'MODULE_PATHNAME', 'sl_fit_points_inputs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_inputs(fit_pointsn) IS 'inputs per point held by the value (1 to 8)';

-- casts from the fixed-k types: the same points, the same bytes
CREATE FUNCTION fit_pointsn(fit_points) RETURNS fit_pointsn
    AS 'MODULE_PATHNAME', 'sl_fit_points_to_n' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_pointsn(fit_points) IS 'the same points as a fit_pointsn value of 1 input';
CREATE CAST (fit_points AS fit_pointsn) WITH FUNCTION fit_pointsn(fit_points) AS ASSIGNMENT;
CREATE FUNCTION fit_pointsn(fit_points2) RETURNS fit_pointsn
    AS 'MODULE_PATHNAME', 'sl_fit_points_to_n' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_pointsn(fit_points2) IS 'the same points as a fit_pointsn value of 2 inputs';
CREATE CAST (fit_points2 AS fit_pointsn) WITH FUNCTION fit_pointsn(fit_points2) AS ASSIGNMENT;
CREATE FUNCTION fit_pointsn(fit_points3) RETURNS fit_pointsn
    AS 'MODULE_PATHNAME', 'sl_fit_points_to_n' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_pointsn(fit_points3) IS 'the same points as a fit_pointsn value of 3 inputs';
CREATE CAST (fit_points3 AS fit_pointsn) WITH FUNCTION fit_pointsn(fit_points3) AS ASSIGNMENT;

-- formula laws: fit_scaling_law(formula, inputs, y [, options]) fits any law
-- written as '(N, D) => E + A / N^alpha + B / D^beta'
CREATE TYPE scaling_law_fit AS (
    formula text, params jsonb,
    n bigint, r2 float8, rmse float8, at_bound text[], converged boolean);
COMMENT ON TYPE scaling_law_fit IS 'fit of a formula law: its formula, the value of every parameter, n, r2, rmse, the parameters on a bound or not determined, and whether the search converged';

CREATE FUNCTION sl_scaling_law_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_scaling_law_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_scaling_law_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_scaling_law_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_scaling_law_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_scaling_law_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_scaling_law_final(internal) RETURNS scaling_law_fit
    AS 'MODULE_PATHNAME', 'sl_scaling_law_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION sl_scaling_law_trans(internal, text, float8[], float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_scaling_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_scaling_law(formula text, inputs float8[], y float8) (
    SFUNC = sl_scaling_law_trans, STYPE = internal, SSPACE = 1120,
    FINALFUNC = sl_scaling_law_final,
    COMBINEFUNC = sl_scaling_law_combine,
    SERIALFUNC = sl_scaling_law_serialize, DESERIALFUNC = sl_scaling_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_scaling_law(text, float8[], float8) IS 'least-squares fit of the law a formula writes, inputs in the order of its header';

CREATE FUNCTION sl_scaling_law_trans(internal, text, float8[], float8, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_scaling_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_scaling_law(formula text, inputs float8[], y float8, options jsonb) (
    SFUNC = sl_scaling_law_trans, STYPE = internal, SSPACE = 1120,
    FINALFUNC = sl_scaling_law_final,
    COMBINEFUNC = sl_scaling_law_combine,
    SERIALFUNC = sl_scaling_law_serialize, DESERIALFUNC = sl_scaling_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_scaling_law(text, float8[], float8, jsonb) IS 'least-squares fit of the law a formula writes, with options {"bounds": ..., "search": ..., "effort": n}';

CREATE FUNCTION sl_scaling_law_trans(internal, text, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_scaling_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_scaling_law(formula text, x float8, y float8) (
    SFUNC = sl_scaling_law_trans, STYPE = internal, SSPACE = 1120,
    FINALFUNC = sl_scaling_law_final,
    COMBINEFUNC = sl_scaling_law_combine,
    SERIALFUNC = sl_scaling_law_serialize, DESERIALFUNC = sl_scaling_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_scaling_law(text, float8, float8) IS 'least-squares fit of the one-input law a formula writes';

CREATE FUNCTION sl_scaling_law_trans(internal, text, float8, float8, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_scaling_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_scaling_law(formula text, x float8, y float8, options jsonb) (
    SFUNC = sl_scaling_law_trans, STYPE = internal, SSPACE = 1120,
    FINALFUNC = sl_scaling_law_final,
    COMBINEFUNC = sl_scaling_law_combine,
    SERIALFUNC = sl_scaling_law_serialize, DESERIALFUNC = sl_scaling_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_scaling_law(text, float8, float8, jsonb) IS 'least-squares fit of the one-input law a formula writes, with options';

CREATE FUNCTION predict_loss(fit scaling_law_fit, inputs float8[]) RETURNS float8
    AS 'MODULE_PATHNAME', 'sl_scaling_law_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_loss(scaling_law_fit, float8[]) IS 'the fitted law at the inputs, in the order of its formula''s header';
CREATE FUNCTION predict_loss(fit scaling_law_fit, x float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'sl_scaling_law_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_loss(scaling_law_fit, float8) IS 'the fitted one-input law at x';

CREATE FUNCTION fit_scaling_law(formula text, points fit_pointsn, options jsonb DEFAULT NULL)
    RETURNS scaling_law_fit
    AS 'MODULE_PATHNAME', 'sl_fit_points_scaling_law' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION fit_scaling_law(text, fit_pointsn, jsonb) IS 'the fit of the law a formula writes to the points of a stored value (the same result as the aggregate over its rows)';
