-- scalinglaw--1.1--1.2.sql: reliability release.  The C code of 1.2 checks
-- what it is given (internal states, argument and result types), compares
-- options as the bounds they set, and rejects non-finite predictions; in
-- SQL, only the SSPACE of the aggregates changes: what a typical group's
-- state really costs (derived in src/pg/sl_pg.h, SL_SSPACE_*; checked by
-- sql/state_space.sql).  CREATE OR REPLACE keeps the aggregates' OIDs, so
-- views and other objects that use them are kept.

\echo Use "ALTER EXTENSION scalinglaw UPDATE TO '1.2'" to load this file. \quit

-- fit_power_law: the state struct with its inline block of points (1 kB chunk)
CREATE OR REPLACE AGGREGATE fit_power_law(x float8, y float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_power_law1_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_power_law(x float8, y float8, options jsonb) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_power_law1_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_power_law(x1 float8, x2 float8, y float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_power_law2_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_power_law(x1 float8, x2 float8, y float8, options jsonb) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_power_law2_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_power_law(x1 float8, x2 float8, x3 float8, y float8) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_power_law3_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_power_law(x1 float8, x2 float8, x3 float8, y float8, options jsonb) (
    SFUNC = sl_power_law_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_power_law3_final,
    COMBINEFUNC = sl_power_law_combine,
    SERIALFUNC = sl_power_law_serialize, DESERIALFUNC = sl_power_law_deserialize,
    PARALLEL = SAFE);

-- fit_log_law: the state (512-byte chunk) and the digits of its 5 or 9 exact sums
CREATE OR REPLACE AGGREGATE fit_log_law(x float8, y float8) (
    SFUNC = sl_log_law_trans, STYPE = internal, SSPACE = 1248,
    FINALFUNC = sl_log_law1_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_log_law_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_log_law(x float8, y float8, options jsonb) (
    SFUNC = sl_log_law_trans, STYPE = internal, SSPACE = 1248,
    FINALFUNC = sl_log_law1_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_log_law_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_log_law(x1 float8, x2 float8, y float8) (
    SFUNC = sl_log_law_trans, STYPE = internal, SSPACE = 1824,
    FINALFUNC = sl_log_law2_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_log_law_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_log_law(x1 float8, x2 float8, y float8, options jsonb) (
    SFUNC = sl_log_law_trans, STYPE = internal, SSPACE = 1824,
    FINALFUNC = sl_log_law2_final,
    COMBINEFUNC = sl_log_law_combine,
    SERIALFUNC = sl_log_law_serialize, DESERIALFUNC = sl_log_law_deserialize,
    PARALLEL = SAFE);

-- fit_points and merge_fit_points: a point set, as fit_power_law
CREATE OR REPLACE AGGREGATE fit_points(x float8, y float8) (
    SFUNC = sl_fit_points_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_fit_points_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE merge_fit_points(fit_points) (
    SFUNC = sl_merge_fit_points_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_fit_points_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_points(x1 float8, x2 float8, y float8) (
    SFUNC = sl_fit_points_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_fit_points2_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE merge_fit_points(fit_points2) (
    SFUNC = sl_merge_fit_points_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_fit_points2_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE fit_points(x1 float8, x2 float8, x3 float8, y float8) (
    SFUNC = sl_fit_points_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_fit_points3_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE merge_fit_points(fit_points3) (
    SFUNC = sl_merge_fit_points_trans, STYPE = internal, SSPACE = 1040,
    FINALFUNC = sl_fit_points3_final,
    COMBINEFUNC = sl_fit_points_combine,
    SERIALFUNC = sl_fit_points_serialize, DESERIALFUNC = sl_fit_points_deserialize,
    PARALLEL = SAFE);
