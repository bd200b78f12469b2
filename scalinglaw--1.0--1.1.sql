-- scalinglaw--1.0--1.1.sql: storable point sets (fit_points, fit_points2,
-- fit_points3), the aggregates that build and merge them, and the fits of a
-- stored value.

\echo Use "ALTER EXTENSION scalinglaw UPDATE TO '1.1'" to load this file. \quit

-- fit_points[2|3]: what the fits need of a group's rows with 1, 2, 3 inputs
-- (identical inputs merged into count, exact sum of y; exact sum of y^2).
-- Text form: \x and the hex of the versioned byte format (README.md).

CREATE TYPE fit_points;
CREATE FUNCTION sl_fit_points_in(cstring) RETURNS fit_points
    AS 'MODULE_PATHNAME', 'sl_fit_points1_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points_out(fit_points) RETURNS cstring
    AS 'MODULE_PATHNAME', 'sl_fit_points1_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points_recv(internal) RETURNS fit_points
    AS 'MODULE_PATHNAME', 'sl_fit_points1_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points_send(fit_points) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_fit_points1_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE fit_points (
    INPUT = sl_fit_points_in, OUTPUT = sl_fit_points_out,
    RECEIVE = sl_fit_points_recv, SEND = sl_fit_points_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE fit_points IS 'the rows of a group as the fits need them, 1 input: distinct inputs with row count and exact sum of y, and the exact sum of y^2';

CREATE TYPE fit_points2;
CREATE FUNCTION sl_fit_points2_in(cstring) RETURNS fit_points2
    AS 'MODULE_PATHNAME', 'sl_fit_points2_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points2_out(fit_points2) RETURNS cstring
    AS 'MODULE_PATHNAME', 'sl_fit_points2_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points2_recv(internal) RETURNS fit_points2
    AS 'MODULE_PATHNAME', 'sl_fit_points2_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points2_send(fit_points2) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_fit_points2_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE fit_points2 (
    INPUT = sl_fit_points2_in, OUTPUT = sl_fit_points2_out,
    RECEIVE = sl_fit_points2_recv, SEND = sl_fit_points2_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE fit_points2 IS 'the rows of a group as the fits need them, 2 inputs: distinct inputs with row count and exact sum of y, and the exact sum of y^2';

CREATE TYPE fit_points3;
CREATE FUNCTION sl_fit_points3_in(cstring) RETURNS fit_points3
    AS 'MODULE_PATHNAME', 'sl_fit_points3_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points3_out(fit_points3) RETURNS cstring
    AS 'MODULE_PATHNAME', 'sl_fit_points3_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points3_recv(internal) RETURNS fit_points3
    AS 'MODULE_PATHNAME', 'sl_fit_points3_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points3_send(fit_points3) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_fit_points3_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE fit_points3 (
    INPUT = sl_fit_points3_in, OUTPUT = sl_fit_points3_out,
    RECEIVE = sl_fit_points3_recv, SEND = sl_fit_points3_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended);
COMMENT ON TYPE fit_points3 IS 'the rows of a group as the fits need them, 3 inputs: distinct inputs with row count and exact sum of y, and the exact sum of y^2';

-- support functions of the aggregates
CREATE FUNCTION sl_fit_points_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_fit_points_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_fit_points_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_fit_points_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_fit_points_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_fit_points_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- 1 input
CREATE FUNCTION sl_fit_points_final(internal) RETURNS fit_points
    AS 'MODULE_PATHNAME', 'sl_fit_points_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_fit_points_trans(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_fit_points_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_points(x float8, y float8) (
    SFUNC = sl_fit_points_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_fit_points_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_points(float8, float8) IS 'the rows of the group as a storable fit_points value';

CREATE FUNCTION sl_merge_fit_points_trans(internal, fit_points) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_merge_fit_points_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE merge_fit_points(fit_points) (
    SFUNC = sl_merge_fit_points_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_fit_points_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE merge_fit_points(fit_points) IS 'union of fit_points values: the value of all their rows';

CREATE FUNCTION merge_fit_points(a fit_points, b fit_points) RETURNS fit_points
    AS 'MODULE_PATHNAME', 'sl_merge_fit_points' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION merge_fit_points(fit_points, fit_points) IS 'the fit_points value of the rows of a and b (NULL counts as no rows)';

CREATE FUNCTION fit_points_rows(fit_points) RETURNS bigint
    AS 'MODULE_PATHNAME', 'sl_fit_points_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_rows(fit_points) IS 'rows held by the value';
CREATE FUNCTION fit_points_distinct(fit_points) RETURNS integer
    AS 'MODULE_PATHNAME', 'sl_fit_points_distinct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_distinct(fit_points) IS 'distinct input points held by the value';

CREATE FUNCTION fit_power_law(points fit_points, options jsonb DEFAULT NULL) RETURNS power_law_fit
    AS 'MODULE_PATHNAME', 'sl_fit_points_power_law' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION fit_power_law(fit_points, jsonb) IS 'the fit_power_law fit of the rows a fit_points value holds (same bits as the aggregate over those rows)';

CREATE FUNCTION fit_log_law(points fit_points, options jsonb DEFAULT NULL) RETURNS log_law_fit
    AS 'MODULE_PATHNAME', 'sl_fit_points_log_law' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION fit_log_law(fit_points, jsonb) IS 'the fit_log_law fit of the rows a fit_points value holds (same bits as the aggregate over those rows)';

-- 2 inputs
CREATE FUNCTION sl_fit_points2_final(internal) RETURNS fit_points2
    AS 'MODULE_PATHNAME', 'sl_fit_points_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_fit_points_trans(internal, float8, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_fit_points_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_points(x1 float8, x2 float8, y float8) (
    SFUNC = sl_fit_points_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_fit_points2_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_points(float8, float8, float8) IS 'the rows of the group as a storable fit_points2 value';

CREATE FUNCTION sl_merge_fit_points_trans(internal, fit_points2) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_merge_fit_points_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE merge_fit_points(fit_points2) (
    SFUNC = sl_merge_fit_points_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_fit_points2_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE merge_fit_points(fit_points2) IS 'union of fit_points2 values: the value of all their rows';

CREATE FUNCTION merge_fit_points(a fit_points2, b fit_points2) RETURNS fit_points2
    AS 'MODULE_PATHNAME', 'sl_merge_fit_points' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION merge_fit_points(fit_points2, fit_points2) IS 'the fit_points2 value of the rows of a and b (NULL counts as no rows)';

CREATE FUNCTION fit_points_rows(fit_points2) RETURNS bigint
    AS 'MODULE_PATHNAME', 'sl_fit_points_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_rows(fit_points2) IS 'rows held by the value';
CREATE FUNCTION fit_points_distinct(fit_points2) RETURNS integer
    AS 'MODULE_PATHNAME', 'sl_fit_points_distinct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_distinct(fit_points2) IS 'distinct input points held by the value';

CREATE FUNCTION fit_power_law(points fit_points2, options jsonb DEFAULT NULL) RETURNS power_law2_fit
    AS 'MODULE_PATHNAME', 'sl_fit_points_power_law' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION fit_power_law(fit_points2, jsonb) IS 'the fit_power_law fit of the rows a fit_points2 value holds (same bits as the aggregate over those rows)';

CREATE FUNCTION fit_log_law(points fit_points2, options jsonb DEFAULT NULL) RETURNS log_law2_fit
    AS 'MODULE_PATHNAME', 'sl_fit_points_log_law' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION fit_log_law(fit_points2, jsonb) IS 'the fit_log_law fit of the rows a fit_points2 value holds (same bits as the aggregate over those rows)';

-- 3 inputs
CREATE FUNCTION sl_fit_points3_final(internal) RETURNS fit_points3
    AS 'MODULE_PATHNAME', 'sl_fit_points_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_fit_points_trans(internal, float8, float8, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_fit_points_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_points(x1 float8, x2 float8, x3 float8, y float8) (
    SFUNC = sl_fit_points_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_fit_points3_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_points(float8, float8, float8, float8) IS 'the rows of the group as a storable fit_points3 value';

CREATE FUNCTION sl_merge_fit_points_trans(internal, fit_points3) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_merge_fit_points_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE merge_fit_points(fit_points3) (
    SFUNC = sl_merge_fit_points_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_fit_points3_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE merge_fit_points(fit_points3) IS 'union of fit_points3 values: the value of all their rows';

CREATE FUNCTION merge_fit_points(a fit_points3, b fit_points3) RETURNS fit_points3
    AS 'MODULE_PATHNAME', 'sl_merge_fit_points' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION merge_fit_points(fit_points3, fit_points3) IS 'the fit_points3 value of the rows of a and b (NULL counts as no rows)';

CREATE FUNCTION fit_points_rows(fit_points3) RETURNS bigint
    AS 'MODULE_PATHNAME', 'sl_fit_points_rows' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_rows(fit_points3) IS 'rows held by the value';
CREATE FUNCTION fit_points_distinct(fit_points3) RETURNS integer
    AS 'MODULE_PATHNAME', 'sl_fit_points_distinct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION fit_points_distinct(fit_points3) IS 'distinct input points held by the value';

CREATE FUNCTION fit_power_law(points fit_points3, options jsonb DEFAULT NULL) RETURNS power_law3_fit
    AS 'MODULE_PATHNAME', 'sl_fit_points_power_law' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION fit_power_law(fit_points3, jsonb) IS 'the fit_power_law fit of the rows a fit_points3 value holds (same bits as the aggregate over those rows)';
