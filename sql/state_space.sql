-- SSPACE of every aggregate equals what src/pg/sl_pg.h derives (SL_SSPACE_*,
-- read from the header here: the static assertions on the state structs,
-- the header's constants and the catalog cannot drift apart)
\set points `sed -n 's/^#define SL_SSPACE_POINTS \([0-9]*\).*/\1/p' src/pg/sl_pg.h`
\set log1 `sed -n 's/^#define SL_SSPACE_LOG_LAW1 \([0-9]*\).*/\1/p' src/pg/sl_pg.h`
\set log2 `sed -n 's/^#define SL_SSPACE_LOG_LAW2 \([0-9]*\).*/\1/p' src/pg/sl_pg.h`
\set formula `sed -n 's/^#define SL_SSPACE_FORMULA \([0-9]*\).*/\1/p' src/pg/sl_pg.h`
SELECT :points AS points, :log1 AS log_law1, :log2 AS log_law2, :formula AS formula;
-- the plot aggregates' (src/pg/svg_pg.h)
\set svg `sed -n 's/^#define SL_SSPACE_SVG \([0-9]*\).*/\1/p' src/pg/svg_pg.h`
\set report `sed -n 's/^#define SL_SSPACE_REPORT \([0-9]*\).*/\1/p' src/pg/svg_pg.h`
SELECT :svg AS svg, :report AS report;
SELECT p.oid::regprocedure AS aggregate, a.aggtransspace,
       a.aggtransspace = CASE WHEN p.proname = 'fit_scaling_law' THEN :formula
                              WHEN p.proname = 'scaling_law_svg' THEN :svg
                              WHEN p.proname = 'scaling_law_report' THEN :report
                              WHEN p.proname <> 'fit_log_law' THEN :points
                              WHEN p.pronargs - (p.proargtypes[p.pronargs - 1] = 'jsonb'::regtype)::int = 2 THEN :log1
                              ELSE :log2 END AS as_derived
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scalinglaw')
ORDER BY p.oid::regprocedure::text;
