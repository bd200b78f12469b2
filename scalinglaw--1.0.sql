-- scalinglaw--1.0.sql: the first release of scalinglaw

\echo Use "CREATE EXTENSION scalinglaw" to load this file. \quit

-- Result types.  Coefficients first, then n (rows used), r2, rmse on the
-- fitted rows, and at_bound: the coefficients that lie on a bound of their
-- domain.  An exponent of exactly 0 stands for the logarithmic limit of its
-- term (a*x^-alpha becomes -a*ln(x)).
CREATE TYPE power_law_fit AS (
    l_inf float8, a float8, alpha float8,
    n bigint, r2 float8, rmse float8, at_bound text[]);
CREATE TYPE power_law2_fit AS (
    l_inf float8, a float8, alpha float8, b float8, beta float8,
    n bigint, r2 float8, rmse float8, at_bound text[]);
CREATE TYPE power_law3_fit AS (
    l_inf float8, a float8, alpha float8, b float8, beta float8, c float8, gamma float8,
    n bigint, r2 float8, rmse float8, at_bound text[]);
CREATE TYPE log_law_fit AS (
    a float8, b float8,
    n bigint, r2 float8, rmse float8, at_bound text[]);
CREATE TYPE log_law2_fit AS (
    a float8, b float8, c float8,
    n bigint, r2 float8, rmse float8, at_bound text[]);

COMMENT ON TYPE power_law_fit IS 'fit of y = l_inf + a*x^-alpha';
COMMENT ON TYPE power_law2_fit IS 'fit of y = l_inf + a*x1^-alpha + b*x2^-beta';
COMMENT ON TYPE power_law3_fit IS 'fit of y = l_inf + a*x1^-alpha + b*x2^-beta + c*x3^-gamma';
COMMENT ON TYPE log_law_fit IS 'fit of y = a + b*ln(x)';
COMMENT ON TYPE log_law2_fit IS 'fit of y = a + b*ln(x1) + c*ln(x2)';

-- fit_power_law: support functions (called by the aggregates)
CREATE FUNCTION sl_power_law_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_power_law_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_power_law_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_power_law_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_power_law_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_power_law_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sl_power_law1_final(internal) RETURNS power_law_fit
    AS 'MODULE_PATHNAME', 'sl_power_law_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION sl_power_law_trans(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_power_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_power_law(x float8, y float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_power_law1_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_power_law(float8, float8) IS 'least-squares fit of y = l_inf + a*x^-alpha';

CREATE FUNCTION sl_power_law_trans(internal, float8, float8, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_power_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_power_law(x float8, y float8, options jsonb) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_power_law1_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_power_law(float8, float8, jsonb) IS 'least-squares fit of y = l_inf + a*x^-alpha with options {"bounds": {coefficient: [lower, upper]}}';

CREATE FUNCTION predict_loss(fit power_law_fit, x float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'sl_power_law_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_loss(power_law_fit, float8) IS 'the fitted law evaluated at the given inputs';

CREATE FUNCTION sl_power_law2_final(internal) RETURNS power_law2_fit
    AS 'MODULE_PATHNAME', 'sl_power_law_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION sl_power_law_trans(internal, float8, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_power_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_power_law(x1 float8, x2 float8, y float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_power_law2_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_power_law(float8, float8, float8) IS 'least-squares fit of y = l_inf + a*x1^-alpha + b*x2^-beta';

CREATE FUNCTION sl_power_law_trans(internal, float8, float8, float8, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_power_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_power_law(x1 float8, x2 float8, y float8, options jsonb) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_power_law2_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_power_law(float8, float8, float8, jsonb) IS 'least-squares fit of y = l_inf + a*x1^-alpha + b*x2^-beta with options {"bounds": {coefficient: [lower, upper]}}';

CREATE FUNCTION predict_loss(fit power_law2_fit, x1 float8, x2 float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'sl_power_law_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_loss(power_law2_fit, float8, float8) IS 'the fitted law evaluated at the given inputs';

CREATE FUNCTION sl_power_law3_final(internal) RETURNS power_law3_fit
    AS 'MODULE_PATHNAME', 'sl_power_law_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION sl_power_law_trans(internal, float8, float8, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_power_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_power_law(x1 float8, x2 float8, x3 float8, y float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_power_law3_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_power_law(float8, float8, float8, float8) IS 'least-squares fit of y = l_inf + a*x1^-alpha + b*x2^-beta + c*x3^-gamma';

CREATE FUNCTION sl_power_law_trans(internal, float8, float8, float8, float8, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_power_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_power_law(x1 float8, x2 float8, x3 float8, y float8, options jsonb) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 4096,
    FINALFUNC = sl_power_law3_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_power_law(float8, float8, float8, float8, jsonb) IS 'least-squares fit of y = l_inf + a*x1^-alpha + b*x2^-beta + c*x3^-gamma with options {"bounds": {coefficient: [lower, upper]}}';

CREATE FUNCTION predict_loss(fit power_law3_fit, x1 float8, x2 float8, x3 float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'sl_power_law_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_loss(power_law3_fit, float8, float8, float8) IS 'the fitted law evaluated at the given inputs';

-- fit_log_law: support functions (called by the aggregates)
CREATE FUNCTION sl_log_law_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_log_law_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sl_log_law_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'sl_log_law_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sl_log_law_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_log_law_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sl_log_law1_final(internal) RETURNS log_law_fit
    AS 'MODULE_PATHNAME', 'sl_log_law_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION sl_log_law_trans(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_log_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_log_law(x float8, y float8) (
    SFUNC = sl_log_law_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = sl_log_law1_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_log_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_log_law(float8, float8) IS 'least-squares fit of y = a + b*ln(x)';

CREATE FUNCTION sl_log_law_trans(internal, float8, float8, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_log_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_log_law(x float8, y float8, options jsonb) (
    SFUNC = sl_log_law_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = sl_log_law1_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_log_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_log_law(float8, float8, jsonb) IS 'least-squares fit of y = a + b*ln(x) with options {"bounds": {coefficient: [lower, upper]}}';

CREATE FUNCTION predict_loss(fit log_law_fit, x float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'sl_log_law_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_loss(log_law_fit, float8) IS 'the fitted law evaluated at the given inputs';

CREATE FUNCTION sl_log_law2_final(internal) RETURNS log_law2_fit
    AS 'MODULE_PATHNAME', 'sl_log_law_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION sl_log_law_trans(internal, float8, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_log_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_log_law(x1 float8, x2 float8, y float8) (
    SFUNC = sl_log_law_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = sl_log_law2_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_log_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_log_law(float8, float8, float8) IS 'least-squares fit of y = a + b*ln(x1) + c*ln(x2)';

CREATE FUNCTION sl_log_law_trans(internal, float8, float8, float8, jsonb) RETURNS internal
    AS 'MODULE_PATHNAME', 'sl_log_law_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE fit_log_law(x1 float8, x2 float8, y float8, options jsonb) (
    SFUNC = sl_log_law_trans, STYPE = internal, SSPACE = 512,
    FINALFUNC = sl_log_law2_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_log_law_deserialize,
    PARALLEL = SAFE);
COMMENT ON AGGREGATE fit_log_law(float8, float8, float8, jsonb) IS 'least-squares fit of y = a + b*ln(x1) + c*ln(x2) with options {"bounds": {coefficient: [lower, upper]}}';

CREATE FUNCTION predict_loss(fit log_law2_fit, x1 float8, x2 float8) RETURNS float8
    AS 'MODULE_PATHNAME', 'sl_log_law_predict' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION predict_loss(log_law2_fit, float8, float8) IS 'the fitted law evaluated at the given inputs';
