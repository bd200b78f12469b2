#!/usr/bin/env bash
# test/cancel/run.sh -- how late query cancel arrives in every phase of the
# extension's work on 10M points (ROWS) with distinct inputs.
#
# Builds once: a table of ROWS runs, their stored fit_points value (one row
# of pts), its text form (one row of ptext) and its COPY BINARY file.  For
# each statement below it measures the full duration D (after a warm-up
# run), then runs it with statement_timeout at 10%, 30%, 50%, 70% and 90% of
# D and measures how late the cancel arrives: the wall time of the psql call that ends in
# "canceling statement due to statement timeout" minus the timeout (the
# psql start-up, a few ms, counts as lateness).  The fractions reach every
# phase: the transition over the rows, then the final function's sort,
# encoding, validation and solve.  Pass criterion: every lateness <= LIMIT_MS
# (default 1000), and every run either completes or is cancelled by the
# timeout (no other error).  Prints a table.  Honours PG_CONFIG; ends with
# 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
require_extension
rows=${ROWS:-10000000}
limit_ms=${LIMIT_MS:-1000}
fractions=${FRACTIONS:-"10 30 50 70 90"}

start_cluster PORT "shared_buffers = 1536MB" "max_parallel_workers_per_gather = 0" "jit = off" \
  "autovacuum = off" "work_mem = '1GB'" "max_wal_size = '4GB'" "wal_level = minimal" \
  "max_wal_senders = 0" || { echo "0 passed, 1 failed"; exit 1; }
dir=${CLUSTERS[-1]}
bin="$dir/p.bin"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# step NAME STATEMENT: runs one statement of the build, timed
t=$(now_ms)
build_times=""
step() {
  local t0
  t0=$(now_ms)
  if ! sql "$PORT" -c "$2"; then
    echo "building the data failed at: $1"
    echo "0 passed, 1 failed"
    exit 1
  fi
  build_times="$build_times $1 $(( $(now_ms) - t0 )) ms;"
}
step extension "CREATE EXTENSION scalinglaw;
  CREATE UNLOGGED TABLE runs (n float8, loss float8);
  CREATE UNLOGGED TABLE pts (p fit_points);
  CREATE UNLOGGED TABLE ptext (t text);
  CREATE UNLOGGED TABLE pts_in (p fit_points);
  ALTER TABLE pts ALTER COLUMN p SET STORAGE external;
  ALTER TABLE ptext ALTER COLUMN t SET STORAGE external;
  ALTER TABLE pts_in ALTER COLUMN p SET STORAGE external"
step rows "INSERT INTO runs
  SELECT x, 1.7 + 400 * power(x, -0.3::float8) * (1 + 0.02 * (hashint8(i) % 1000)::float8 / 1000)
  FROM generate_series(1, $rows) i, LATERAL (SELECT (1000 + i)::float8 AS x) v"
step fit_points "INSERT INTO pts SELECT fit_points(n, loss) FROM runs"
step text "INSERT INTO ptext SELECT p::text FROM pts"
step copy "COPY pts TO '$bin' (FORMAT binary)"
echo "built:$build_times"
echo "data: $rows rows, stored value $(sqlv "$PORT" postgres "SELECT pg_column_size(p) FROM pts") bytes, built in $(( $(now_ms) - t )) ms"

# name|statement (each one statement; results are small).  The output phase
# takes octet_length of the text (a header read): length() would count the
# 480 MB of characters in a loop of PostgreSQL's that does not check for
# interrupts (measured: up to 894 ms late).
phases=(
  "fit_power_law(x, y) over rows|SELECT (fit_power_law(n, loss)).alpha FROM runs"
  "fit_log_law(x, y) over rows|SELECT (fit_log_law(n, loss)).b FROM runs"
  "fit_points(x, y) over rows|SELECT pg_column_size(fit_points(n, loss)) FROM runs"
  "fit_power_law(points)|SELECT (fit_power_law(p)).alpha FROM pts"
  "fit_log_law(points)|SELECT (fit_log_law(p)).b FROM pts"
  "merge_fit_points(p, p)|SELECT fit_points_rows(merge_fit_points(p, p)) FROM pts"
  "merge_fit_points aggregate|SELECT fit_points_rows(merge_fit_points(p)) FROM (SELECT p FROM pts UNION ALL SELECT p FROM pts) s"
  "p::text (output)|SELECT octet_length(p::text) FROM pts"
  "text::fit_points (input)|SELECT fit_points_rows(t::fit_points) FROM ptext"
  "COPY BINARY out|COPY pts TO STDOUT (FORMAT binary)"
  "COPY BINARY in|COPY pts_in FROM '$bin' (FORMAT binary)"
  "fit_points_rows(p)|SELECT fit_points_rows(p) FROM pts"
)

# run TIMEOUT_MS STATEMENT: prints "ms outcome" (outcome: done, cancelled or
# the error); results (COPY's 240 MB too) go to /dev/null, messages are read
run() {
  local t0 t1 out outcome
  t0=$(now_ms)
  out=$("$PGBIN/psql" -X -q -A -t -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
        -c "SET statement_timeout = $1" -c "$2" 2>&1 >/dev/null)
  t1=$(now_ms)
  if echo "$out" | grep -q 'canceling statement due to statement timeout'; then
    outcome=cancelled
  elif echo "$out" | grep -qE 'ERROR|FATAL|server closed'; then
    outcome="error: $(echo "$out" | grep -m1 -E 'ERROR|FATAL|server closed')"
  else
    outcome=done
  fi
  echo "$((t1 - t0)) $outcome"
}

printf '%-28s %8s  %s\n' "phase" "D (ms)" "timeout -> lateness (ms), per fraction of D: $fractions %"
for entry in "${phases[@]}"; do
  name=${entry%%|*}
  stmt=${entry#*|}
  # a first run warms the caches (the tables fit in shared_buffers), the second is D
  sql "$PORT" -c "TRUNCATE pts_in" >/dev/null
  run 0 "$stmt" >/dev/null
  sql "$PORT" -c "TRUNCATE pts_in" >/dev/null
  read -r d outcome < <(run 0 "$stmt")
  if [ "$outcome" != done ]; then
    check "$name: runs to completion ($outcome)" false
    continue
  fi
  cells=""
  worst=0
  other=""
  for f in $fractions; do
    sql "$PORT" -c "TRUNCATE pts_in" >/dev/null
    to=$(( d * f / 100 ))
    [ "$to" -lt 1 ] && to=1
    read -r ms outcome < <(run "$to" "$stmt")
    if [ "$outcome" = cancelled ]; then
      late=$(( ms - to ))
      cells="$cells $to->$late"
      [ "$late" -gt "$worst" ] && worst=$late
    elif [ "$outcome" = done ]; then
      cells="$cells $to->done"
    else
      cells="$cells $to->ERR"
      other="$other; $outcome"
    fi
  done
  printf '%-28s %8d %s\n' "$name" "$d" "$cells"
  check "$name: cancel at most $worst ms late (limit $limit_ms)${other}" \
    test "$worst" -le "$limit_ms" -a -z "$other"
done
finish
