-- plots: scaling_law_svg and scaling_law_report (issue 11)
SET extra_float_digits = 0;
CREATE TABLE pl_runs AS
SELECT i, (ARRAY['gpt2', 'opt', 'pythia'])[1 + i % 3] AS model, x, x2,
       1.5 + 40 * x ^ (-0.3) + (i % 3) * 0.2 + 0.01 * sin(7 * i) AS y,
       1.5 + 30 * x ^ (-0.3) + 8 * x2 ^ (-0.5) + 0.01 * sin(7 * i) AS y2
FROM (SELECT i, (1000 * 10 ^ ((i % 20) * 0.2))::float8 AS x, (50 * 1.9 ^ (i % 7))::float8 AS x2
      FROM generate_series(1, 60) i) s;
CREATE TABLE pl_fits AS
SELECT model, fit_power_law(x, y) AS fit, fit_log_law(x, y) AS lf, fit_power_law(x, x2, y2) AS p2,
       fit_scaling_law('N => L + a * N^-alpha', x, y) AS s1,
       fit_scaling_law('(N, D) => E + A * N^-alpha + B * D^-beta', ARRAY[x, x2], y2) AS s2
FROM pl_runs WHERE x < 1e6 GROUP BY model;

-- counts of elements of an SVG document (parsed as XML: it must be well-formed)
CREATE FUNCTION pl_count(svg text, path text) RETURNS int LANGUAGE sql AS $$
  SELECT (xpath('count(' || path || ')', svg::xml,
                ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text::int
$$;
-- occurrences of a string (no regular expressions: PostgreSQL's regexp cache trips valgrind)
CREATE FUNCTION pl_occurrences(t text, s text) RETURNS int LANGUAGE sql AS $$
  SELECT (length(t) - length(replace(t, s, ''))) / length(s)
$$;
CREATE FUNCTION pl_texts(svg text, cls text) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg((xpath('string(.)', t))[1]::text, ' ')
  FROM unnest(xpath('//s:text[@class="' || cls || '"]', svg::xml,
                    ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']])) t
$$;

-- one group, the simplest form: 20 points, a fitted curve (x_max 631000), a dashed
-- extrapolation to the largest x (held-out rows at 1e6 and beyond), a band
SELECT pl_count(svg, '//s:circle') AS markers, pl_count(svg, '//s:path[@class="curve fitted"]') AS fitted,
       pl_count(svg, '//s:path[@class="curve extrapolated"]') AS extrapolated,
       pl_count(svg, '//s:path[@class="band"]') AS bands, pl_texts(svg, 'tick-label x') AS x_ticks,
       pl_texts(svg, 'legend-label') AS legend, length(svg) < 30000 AS small
FROM (SELECT scaling_law_svg(x, y, fit) AS svg FROM pl_runs JOIN pl_fits USING (model)
      WHERE model = 'gpt2') s;
-- the issue's first example: extrapolation to 1e12 with the band, a title
SELECT pl_texts(svg, 'title') AS title, pl_texts(svg, 'tick-label x') AS x_ticks,
       pl_count(svg, '//s:path[@class="curve extrapolated"]') AS extrapolated
FROM (SELECT scaling_law_svg(x, y, fit, '{"extrapolate_to": 1e12, "title": "gpt2 / flan"}') AS svg
      FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2') s;
-- several groups in one figure, one series each; held-out rows as open markers
SELECT pl_count(svg, '//s:g[@class="points"]/s:circle') AS filled,
       pl_count(svg, '//s:g[@class="points held-out"]/s:circle') AS open,
       pl_count(svg, '//s:g[@class="legend-entry"]') AS legend_entries, pl_texts(svg, 'legend-label') AS legend,
       pl_texts(svg, 'axis-title x') AS x_title, pl_texts(svg, 'axis-title y') AS y_title
FROM (SELECT scaling_law_svg(x, y, fit, model, x >= 1e6, '{"x_label": "tokens", "y_label": "loss"}') AS svg
      FROM pl_runs JOIN pl_fits USING (model)) s;
-- every fit type: a curve through the same points
SELECT pl_count(scaling_law_svg(x, y, lf, '{}'), '//s:path[@class="curve fitted"]') AS log_law,
       pl_count(scaling_law_svg(x, y, s1, '{}'), '//s:path[@class="curve fitted"]') AS formula,
       pl_count(scaling_law_svg(ARRAY[x, x2], y2, p2, '{}'), '//s:path[@class="curve fitted"]') AS two_inputs,
       pl_count(scaling_law_svg(ARRAY[x, x2], y2, s2, '{"x_input": "D"}'), '//s:path[@class="curve fitted"]') AS formula_d
FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'opt';
-- several inputs: the curve at the other inputs of the row of largest x_input, said in a note
SELECT pl_texts(scaling_law_svg(ARRAY[x, x2], y2, p2, '{"x_input": 2}'), 'note') AS note
FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'opt';
-- a linear y axis takes y <= 0
SELECT pl_texts(scaling_law_svg(x, y - 3, NULL::power_law_fit, '{"y_axis": "linear"}'), 'tick-label y') AS y_ticks
FROM pl_runs WHERE model = 'opt';

-- NULL fit: the points alone, with a note; zero rows: NULL
SELECT pl_count(svg, '//s:circle') AS markers, pl_count(svg, '//s:path') AS paths, pl_texts(svg, 'note') AS note
FROM (SELECT scaling_law_svg(x, y, NULL::power_law_fit) AS svg FROM pl_runs WHERE model = 'opt') s;
SELECT pl_texts(scaling_law_svg(x, y, CASE WHEN model = 'opt' THEN NULL ELSE fit END, model, '{}'), 'note') AS note
FROM pl_runs JOIN pl_fits USING (model);
SELECT scaling_law_svg(x, y, fit) IS NULL AS no_rows FROM pl_runs JOIN pl_fits USING (model) WHERE false;
SELECT scaling_law_svg(x, y, fit) IS NULL AS all_null_rows FROM pl_runs JOIN pl_fits USING (model), LATERAL (SELECT NULL::float8) n(z) WHERE z IS NOT NULL OR y IS NULL;

-- hostile labels are escaped: the document still parses, and holds the text
SELECT pl_texts(svg, 'legend-label') AS legend, pl_texts(svg, 'title') AS title,
       strpos(svg, '<script') AS raw_script, strpos(svg, '&lt;/text&gt;&lt;script&gt;') > 0 AS escaped
FROM (SELECT scaling_law_svg(x, y, fit, '</text><script>alert(1)</script>',
                             '{"title": "a & b <i>\"q\"</i>"}') AS svg
      FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2') s;

-- bad input: exact errors
SELECT scaling_law_svg(CASE WHEN i = 4 THEN 0 WHEN i = 7 THEN -3 ELSE x END, y, fit) FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'opt';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(CASE WHEN i = 5 THEN 'NaN' ELSE x END, y, fit) FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'pythia';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, CASE WHEN i = 3 THEN -0.5 ELSE y END, fit) FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, CASE WHEN i = 3 THEN '-Infinity' ELSE y END, fit, '{"y_axis": "linear"}') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, fit, '{"colour": "red"}') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, fit, '{"y_axis": "sqrt"}') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, fit, '{"width": 10}') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, fit, '{"level": 1.5}') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, fit, '[1]') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, fit, jsonb_build_object('title', i % 2)) FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, fit, CASE WHEN i = 9 THEN '{"width": 700}'::jsonb ELSE '{}' END) FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
-- options count on rows skipped for a NULL x, in any row order
SELECT length(scaling_law_svg(CASE WHEN i = 3 THEN NULL ELSE x END, y, fit,
                              CASE WHEN i = 3 THEN '{"width": 700}'::jsonb ELSE '{}' END)) > 0 AS drawn
FROM (SELECT * FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2' ORDER BY i) s;
\echo :LAST_ERROR_SQLSTATE
SELECT length(scaling_law_svg(CASE WHEN i = 3 THEN NULL ELSE x END, y, fit,
                              CASE WHEN i = 3 THEN '{"width": 700}'::jsonb ELSE '{}' END)) > 0 AS drawn
FROM (SELECT * FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2' ORDER BY i DESC) s;
\echo :LAST_ERROR_SQLSTATE
-- the same options written differently are the same
SELECT scaling_law_svg(x, y, fit, CASE WHEN i = 9 THEN '{"width": 640.0}'::jsonb ELSE NULL END) IS NOT NULL AS same
FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
-- one fit per series
SELECT scaling_law_svg(x, y, fit) FROM pl_runs JOIN pl_fits USING (model);
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, f.fit, r.model, '{}') FROM pl_runs r, pl_fits f;
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, i) FROM pl_runs;
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y, fit, i::text, '{}') FROM pl_runs JOIN pl_fits USING (model);
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(CASE WHEN i = 3 THEN ARRAY[x] ELSE ARRAY[x, x2] END, y2, p2, '{}') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'gpt2';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(ARRAY[x, x2], y2, p2, '{"x_input": 3}') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'opt';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(ARRAY[x, x2], y2, s2, '{"x_input": "T"}') FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'opt';
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_svg(x, y2, p2) FROM pl_runs JOIN pl_fits USING (model) WHERE model = 'opt';
\echo :LAST_ERROR_SQLSTATE

-- the same bytes for any row order
SELECT count(DISTINCT md5(svg)) AS distinct_documents, count(*) AS orders
FROM (SELECT scaling_law_svg(x, y, fit, model, x >= 1e6, '{"extrapolate_to": 1e9}') AS svg
      FROM (SELECT * FROM pl_runs JOIN pl_fits USING (model) ORDER BY i) s
      UNION ALL
      SELECT scaling_law_svg(x, y, fit, model, x >= 1e6, '{"extrapolate_to": 1e9}')
      FROM (SELECT * FROM pl_runs JOIN pl_fits USING (model) ORDER BY i DESC) s
      UNION ALL
      SELECT scaling_law_svg(x, y, fit, model, x >= 1e6, '{"extrapolate_to": 1e9}')
      FROM (SELECT * FROM pl_runs JOIN pl_fits USING (model) ORDER BY md5(i::text)) s) d;

-- and for parallel plans: 60,000 rows (binned markers), partial states serialised
CREATE TABLE pl_big AS
SELECT i, (ARRAY['a', 'b'])[1 + i % 2] AS grp, x, 1.5 + 40 * x ^ (-0.3) * exp(0.05 * sin(i)) AS y
FROM generate_series(1, 60000) i, LATERAL (SELECT 10 ^ (3 + (i % 5000) * 0.001) AS x) v;
ANALYZE pl_big;
CREATE TABLE pl_big_fits AS SELECT grp, fit_power_law(x, y) AS fit FROM pl_big GROUP BY grp;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT scaling_law_svg(x, y, fit, grp, '{}') FROM pl_big JOIN pl_big_fits USING (grp);
EXPLAIN (COSTS OFF) SELECT grp, scaling_law_svg(x, y, fit) FROM pl_big JOIN pl_big_fits USING (grp) GROUP BY grp;
CREATE TABLE pl_par AS
SELECT scaling_law_svg(x, y, fit, grp, x > 5e7, '{"extrapolate_to": 1e12}') AS svg,
       scaling_law_svg(x, y, fit, grp, '{}') FILTER (WHERE i <= 300) AS sparse
FROM pl_big JOIN pl_big_fits USING (grp);
CREATE TABLE pl_par_grouped AS
SELECT grp, scaling_law_svg(x, y, fit) AS svg FROM pl_big JOIN pl_big_fits USING (grp) GROUP BY grp;
CREATE TABLE pl_par_report AS
SELECT scaling_law_report(grp, svg, fit, '{"title": "groups", "extrapolate_to": 1e12}') AS html
FROM pl_par_grouped JOIN pl_big_fits USING (grp);
SET max_parallel_workers_per_gather = 0;
CREATE TABLE pl_ser AS
SELECT scaling_law_svg(x, y, fit, grp, x > 5e7, '{"extrapolate_to": 1e12}') AS svg,
       scaling_law_svg(x, y, fit, grp, '{}') FILTER (WHERE i <= 300) AS sparse
FROM pl_big JOIN pl_big_fits USING (grp);
CREATE TABLE pl_ser_grouped AS
SELECT grp, scaling_law_svg(x, y, fit) AS svg FROM pl_big JOIN pl_big_fits USING (grp) GROUP BY grp;
SELECT md5(p.svg) = md5(s.svg) AS same, md5(p.sparse) = md5(s.sparse) AS sparse_same,
       length(p.svg) < 200000 AS bounded, pl_count(p.svg, '//s:circle') < 4000 AS binned,
       pl_texts(p.svg, 'note') AS notes
FROM pl_par p, pl_ser s;
SELECT grp, md5(p.svg) = md5(s.svg) AS same FROM pl_par_grouped p JOIN pl_ser_grouped s USING (grp) ORDER BY grp;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- the report: one page, plots in order of label, each with its fit's numbers
CREATE TABLE pl_svgs AS
SELECT model, scaling_law_svg(x, y, fit, '{"extrapolate_to": 1e9}') AS svg
FROM pl_runs JOIN pl_fits USING (model) GROUP BY model;
SELECT strpos(html, '<!DOCTYPE html>') = 1 AS doctype,
       pl_occurrences(html, '<figure class="group">') AS figures,
       strpos(html, 'gpt2') < strpos(html, 'opt') AND strpos(html, 'opt') < strpos(html, 'pythia') AS ordered,
       pl_occurrences(html, '<tr><th>R&#178;</th>') AS r2_rows,
       pl_occurrences(html, '95% interval width at x = 1e+09') AS widths_at_1e9,
       pl_occurrences(html, 'src="data:image/svg+xml;base64,') AS images
FROM (SELECT scaling_law_report(model, svg, fit, '{"extrapolate_to": 1e9}') AS html
      FROM pl_svgs JOIN pl_fits USING (model)) r;
-- hostile labels and plots: escaped, and plots only ever images
SELECT strpos(html, '<script') AS raw_script, strpos(html, '&lt;/td&gt;&lt;script&gt;') > 0 AS label_escaped,
       strpos(html, 'a &amp; b') > 0 AS title_escaped, strpos(html, 'no plot') > 0 AS null_plot,
       strpos(html, 'no fit') > 0 AS null_fit
FROM (SELECT scaling_law_report(label, svg, fit, '{"title": "a & b"}') AS html
      FROM (VALUES ('</td><script>alert(1)</script>', '<script>alert(2)</script>', NULL::power_law_fit),
                   ('b', NULL, (SELECT fit FROM pl_fits WHERE model = 'opt'))) v(label, svg, fit)) r;
SELECT md5(p.html) = md5(r.html) AS report_same
FROM pl_par_report p,
     (SELECT scaling_law_report(grp, svg, fit, '{"title": "groups", "extrapolate_to": 1e12}') AS html
      FROM (SELECT * FROM pl_ser_grouped ORDER BY grp DESC) g JOIN pl_big_fits USING (grp)) r;
SELECT scaling_law_report(model, svg, fit) IS NULL AS no_rows FROM pl_svgs JOIN pl_fits USING (model) WHERE false;
SELECT scaling_law_report(model, svg, fit, '{"x_label": "N"}') FROM pl_svgs JOIN pl_fits USING (model);
\echo :LAST_ERROR_SQLSTATE
SELECT scaling_law_report(model, svg, 42) FROM pl_svgs;
\echo :LAST_ERROR_SQLSTATE
