#!/usr/bin/env bash
# Scheduled refit with pg_cron: a materialized view of fits with a unique
# index, refreshed CONCURRENTLY by a cron job.  The test schedules the job,
# inserts new runs, and reads the view continuously until the new fits
# appear: every read must be one whole state (all old fits or all new ones),
# and the final fits must equal a direct refit, bit for bit.  Uses second
# schedules where pg_cron has them (1.5+), else the next minute.
# Ends with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
require_extension
if [ ! -f "$PGSHARE/extension/pg_cron.control" ]; then
  echo "pg_cron is not installed in $PGSHARE (Debian: postgresql-15-cron)"
  echo "0 passed, 1 failed"
  exit 1
fi
t0=$(date +%s)

start_cluster P "shared_preload_libraries = 'pg_cron'" "cron.database_name = 'postgres'" \
  "cron.use_background_workers = on" "max_worker_processes = 16" || { echo "0 passed, 1 failed"; exit 1; }

sql "$P" <<'SQL'
CREATE EXTENSION scalinglaw;
CREATE EXTENSION pg_cron;
CREATE TABLE runs (model text, n_tokens float8, loss float8);
-- 300 models with 24 runs each
INSERT INTO runs
SELECT 'm' || m, n, 1.5 + 0.002 * m + (30 + m % 17) * n ^ (-0.3 - 0.0005 * m) + 0.003 * sin(i * m)
FROM generate_series(1, 300) m, generate_series(1, 24) i, LATERAL (SELECT 1e6 * 2 ^ (i % 12) AS n) v;

-- the recipe: fits as a materialized view with a unique index, refreshed concurrently
CREATE MATERIALIZED VIEW model_fits AS
  SELECT model, fit_power_law(n_tokens, loss) AS fit, count(*) AS runs FROM runs GROUP BY model;
CREATE UNIQUE INDEX ON model_fits (model);

-- what every read must be: all of the fits before, or all of them after
SET extra_float_digits = 3;
CREATE TABLE fits_before AS SELECT model, fit::text AS fit, runs FROM model_fits;
CREATE TABLE reads (at timestamptz DEFAULT clock_timestamp(), state text);
SQL

# pg_cron 1.5+ takes '2 seconds'; 1.4 needs a cron expression (every minute)
if sqlv "$P" postgres "SELECT cron.unschedule(cron.schedule('probe', '2 seconds', 'SELECT 1'))" >/dev/null 2>&1; then
  schedule='2 seconds'
else
  schedule='* * * * *'
fi
echo "    pg_cron $(sqlv "$P" postgres "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'"), schedule '$schedule'"

# new runs arrive for every model in one transaction; the expected refit is computed directly
sql "$P" <<'SQL'
BEGIN;
INSERT INTO runs
SELECT 'm' || m, n, 1.5 + 0.002 * m + (30 + m % 17) * n ^ (-0.3 - 0.0005 * m) + 0.003 * cos(i * m)
FROM generate_series(1, 300) m, generate_series(1, 8) i, LATERAL (SELECT 1e6 * 2 ^ (12 + i % 4) AS n) v;
COMMIT;
SET extra_float_digits = 3;
CREATE TABLE fits_after AS SELECT model, fit_power_law(n_tokens, loss)::text AS fit, count(*) AS runs FROM runs GROUP BY model;
CREATE FUNCTION fits_state() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN count(*) = 300 AND bool_and(f.fit::text = b.fit AND f.runs = b.runs) THEN 'old'
              WHEN count(*) = 300 AND bool_and(f.fit::text = a.fit AND f.runs = a.runs) THEN 'new'
              ELSE 'mixed' END
  FROM model_fits f LEFT JOIN fits_before b USING (model) LEFT JOIN fits_after a USING (model) $$;
SQL
check "before the job runs, the view holds the old fits" test "$(sqlv "$P" postgres "SELECT fits_state()")" = old

sqlv "$P" postgres "SELECT cron.schedule('refit-model-fits', '$schedule',
  'REFRESH MATERIALIZED VIEW CONCURRENTLY model_fits')" >/dev/null

# read continuously (one snapshot per statement, committed each time) until the new fits show
sql "$P" <<'SQL'
CREATE PROCEDURE watch_fits(timeout interval) LANGUAGE plpgsql AS $$
DECLARE
  s text;
  t_end timestamptz := clock_timestamp() + timeout;
  after_new int := 0;
BEGIN
  LOOP
    s := fits_state();
    INSERT INTO reads (state) VALUES (s);
    COMMIT;
    IF s = 'new' THEN after_new := after_new + 1; END IF;
    EXIT WHEN after_new >= 50 OR clock_timestamp() > t_end;
    PERFORM pg_sleep(0.005);
  END LOOP;
END $$;
SQL
# a second reader in parallel with the first, so reads overlap the refresh from two sessions
sql "$P" -c "CALL watch_fits('150 seconds')" &
reader=$!
sql "$P" -c "CALL watch_fits('150 seconds')"
wait "$reader"

summary=$(sqlv "$P" postgres "SELECT count(*) FILTER (WHERE state = 'old') || ' ' || count(*) FILTER (WHERE state = 'new')
  || ' ' || count(*) FILTER (WHERE state = 'mixed') FROM reads")
read -r n_old n_new n_mixed <<<"$summary"
echo "    reads: $n_old of the old fits, $n_new of the new, $n_mixed mixed"
runs=$(sqlv "$P" postgres "SELECT count(*) FILTER (WHERE status = 'succeeded') || ' ' ||
  coalesce(max(end_time - start_time)::text, '-') FROM cron.job_run_details
  WHERE command LIKE 'REFRESH MATERIALIZED VIEW CONCURRENTLY model_fits%'")
echo "    job runs succeeded, longest: $runs"
check "the cron job ran the refresh and it succeeded" test "${runs%% *}" -ge 1
check "readers saw the old fits before the refresh ($n_old reads)" test "$n_old" -ge 1
check "readers saw the new fits after the refresh ($n_new reads)" test "$n_new" -ge 1
check "no read saw a mix of old and new fits" test "$n_mixed" -eq 0 -a "$((n_old + n_new))" -gt 0
final=$(sqlv "$P" postgres "SET extra_float_digits = 3;
  SELECT count(*) = 300 AND bool_and(f.fit::text = a.fit
         AND float8send((f.fit).alpha) = float8send((a.fit::power_law_fit).alpha)) FROM model_fits f JOIN fits_after a USING (model)")
check "after the refresh every fit equals a direct refit of all runs (bit for bit)" test "$final" = t

sqlv "$P" postgres "SELECT cron.unschedule('refit-model-fits')" >/dev/null

# control: the same readers catch a refresh that is not one transaction
# (fits rewritten model by model, committing each), so the check above can fail
sql "$P" <<'SQL'
CREATE TABLE naive_fits AS SELECT model, fit::power_law_fit AS fit, runs FROM fits_before;
CREATE PROCEDURE naive_refresh() LANGUAGE plpgsql AS $$
DECLARE m text;
BEGIN
  FOR m IN SELECT model FROM fits_after ORDER BY model LOOP
    UPDATE naive_fits SET fit = a.fit::power_law_fit, runs = a.runs FROM fits_after a
    WHERE naive_fits.model = m AND a.model = m;
    COMMIT;
    PERFORM pg_sleep(0.002);
  END LOOP;
END $$;
CREATE FUNCTION naive_state() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN bool_and(f.fit::text = b.fit) THEN 'old' WHEN bool_and(f.fit::text = a.fit) THEN 'new' ELSE 'mixed' END
  FROM naive_fits f JOIN fits_before b USING (model) JOIN fits_after a USING (model) $$;
CREATE TABLE naive_reads (state text);
CREATE PROCEDURE watch_naive() LANGUAGE plpgsql AS $$
DECLARE s text; t_end timestamptz := clock_timestamp() + interval '30 seconds';
BEGIN
  LOOP
    s := naive_state();
    INSERT INTO naive_reads VALUES (s);
    COMMIT;
    EXIT WHEN s = 'new' OR clock_timestamp() > t_end;
    PERFORM pg_sleep(0.005);
  END LOOP;
END $$;
SQL
sql "$P" -c "CALL watch_naive()" &
reader=$!
sleep 0.2
sql "$P" -c "CALL naive_refresh()"
wait "$reader"
n_naive=$(sqlv "$P" postgres "SELECT count(*) FROM naive_reads WHERE state = 'mixed'")
check "control: the readers do catch a refresh committed model by model ($n_naive mixed reads)" test "$n_naive" -ge 1
echo "    cron test took $(( $(date +%s) - t0 )) s"
finish
