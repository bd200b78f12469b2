#!/usr/bin/env bash
# test/pgbench/run.sh -- concurrent load: a temporary cluster, 1,000 groups of
# 20 runs, each group's points stored as fit_points, and pgbench with 8
# clients for DURATION seconds (default 60) mixing four scripts: fits over
# random groups (fit_groups.sql), predictions from stored fits (predict.sql),
# merges of new runs into the stored points with INSERT ... ON CONFLICT DO
# UPDATE SET points = merge_fit_points(...) (merge.sql, weight 2) and refits
# of stored points (refit.sql).
#
# Pass criteria: pgbench reports no failed transaction and no aborted
# client; every script ran; every merged run (each merge also records its row
# in new_runs, in the same statement) is in the stored points: their row
# count is 20,000 plus the rows of new_runs, and each group's value has the
# very bytes fit_points gives over the group's rows in runs and new_runs, and
# its fit the same bits as fit_power_law over those rows; and
# no backend's private memory (RssAnon from /proc/<pid>/status, sampled every
# 5 s) grows by more than LEAK_MB (default 2) between the first samples
# (10-20 s, caches warm) and the last (the final 15 s).  Measured: +0.06 to
# +0.11 MB; a control build leaking 1 kB in fit_power_law(points) alone (the
# refit, a fifth of the transactions) grew every backend by 5.2-6.8 MB.
# Prints tps per script and the memory figures.  Honours PG_CONFIG; ends
# with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")"
source ../lib/cluster.sh
require_extension
duration=${DURATION:-60}
leak_mb=${LEAK_MB:-2}
clients=8
if [ "$duration" -lt 40 ]; then
  echo "DURATION must be at least 40 s: memory is compared between 10-20 s and the last 15 s"
  echo "0 passed, 1 failed"
  exit 1
fi

start_cluster PORT "autovacuum_naptime = 5" || { echo "0 passed, 1 failed"; exit 1; }
sql "$PORT" <<'SQL'
CREATE EXTENSION scalinglaw;
CREATE TABLE runs (grp int, n float8, loss float8);
INSERT INTO runs
  SELECT g, 1000 * 2 ^ j,
         (1.5 + (g % 7) * 0.1) + (100 + g) * power(1000 * 2 ^ j, -0.3)
           * (1 + 0.01 * (hashint4(g * 31 + j) % 1000) / 1000.0)
  FROM generate_series(1, 1000) g, generate_series(0, 19) j;
CREATE INDEX ON runs (grp);
CREATE TABLE new_runs (LIKE runs);
CREATE TABLE group_points (grp int PRIMARY KEY, points fit_points NOT NULL);
INSERT INTO group_points SELECT grp, fit_points(n, loss) FROM runs GROUP BY grp;
CREATE TABLE fits (grp int PRIMARY KEY, fit power_law_fit);
INSERT INTO fits SELECT grp, fit_power_law(n, loss) FROM runs GROUP BY grp;
VACUUM ANALYZE;
SQL

out=$(mktemp -d /tmp/scalinglaw_pgbench.XXXXXX)
CLUSTERS+=("$out")
"$PGBIN/pgbench" -n -h 127.0.0.1 -p "$PORT" -U postgres -c "$clients" -j 2 -T "$duration" \
  -f fit_groups.sql@1 -f predict.sql@1 -f merge.sql@2 -f refit.sql@1 postgres \
  >"$out/pgbench.log" 2>&1 &
bench=$!

# the pgbench backends' private memory (kB), every 5 s
pids=""
for _ in $(seq 1 50); do
  pids=$(sqlv "$PORT" postgres "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE application_name = 'pgbench'")
  [ "$(echo "$pids" | wc -w)" -eq "$clients" ] && break
  sleep 0.2
done
t0=$(date +%s)
for t in $(seq 5 5 $((duration - 1))); do
  sleep $((t0 + t - $(date +%s)))
  for p in $pids; do
    rss=$(awk '/^RssAnon:/ {print $2}' "/proc/$p/status" 2>/dev/null)
    echo "$t $p ${rss:-0}"
  done
done >"$out/rss"
wait "$bench"
bench_rc=$?
cat "$out/pgbench.log"

failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out/pgbench.log")
check "pgbench finished (exit $bench_rc), no aborted client" \
  bash -c "[ $bench_rc -eq 0 ] && ! grep -q 'aborted' '$out/pgbench.log'"
check "no failed transaction (pgbench: ${failed:-missing})" [ "${failed:-1}" -eq 0 ]

echo "throughput per script:"
for s in fit_groups predict merge refit; do
  line=$(grep -A3 "SQL script [0-9]*: $s.sql" "$out/pgbench.log" | grep -E 'transactions .* tps')
  echo "  $s: $(echo "$line" | sed 's/^ *- *//')"
  n=$(echo "$line" | sed -n 's/^ *- \([0-9]*\) transactions.*/\1/p')
  check "script $s ran" [ "${n:-0}" -gt 0 ]
  [ "$s" = merge ] && merges=${n:-0}
done
# every merge pgbench counts is recorded; it does not count the ones in
# flight when time is up
added=$(sqlv "$PORT" postgres "SELECT count(*) FROM new_runs")
check "merged runs: $added recorded, pgbench counted $merges" test "$added" -ge "$merges"
rows=$(sqlv "$PORT" postgres "SELECT sum(fit_points_rows(points)) FROM group_points")
check "stored points hold 20000 + $added rows (got $rows)" [ "$rows" -eq $((20000 + added)) ]
differ=$(sqlv "$PORT" postgres "SELECT count(*) FROM group_points g
  FULL JOIN (SELECT grp, fit_points(n, loss) AS p
             FROM (SELECT * FROM runs UNION ALL SELECT * FROM new_runs) u GROUP BY grp) f USING (grp)
  WHERE f.p::text IS DISTINCT FROM g.points::text")
check "every group's merged value is the bytes of fit_points over its rows ($differ differ)" \
  [ "$differ" -eq 0 ]
differ=$(sqlv "$PORT" postgres "SELECT count(*) FROM group_points g
  JOIN (SELECT grp, fit_power_law(n, loss) AS f
        FROM (SELECT * FROM runs UNION ALL SELECT * FROM new_runs) u GROUP BY grp) r USING (grp)
  WHERE fit_power_law(g.points)::text IS DISTINCT FROM r.f::text")
check "every group's fit of its stored points equals the fit of its rows ($differ differ)" \
  [ "$differ" -eq 0 ]

# memory: max over the early window vs max over the late window, per backend
echo "backend private memory (RssAnon, MB): early (10-20 s) -> late (last 15 s)"
late_from=$((duration - 15))
mem=$(awk -v lf="$late_from" '
  { if ($1 >= 10 && $1 <= 20 && $3 > e[$2]) e[$2] = $3
    if ($1 >= lf && $3 > l[$2]) l[$2] = $3 }
  END { w = -1e9
        for (p in e) { g = (l[p] - e[p]) / 1024
                       printf "  pid %s: %.1f -> %.1f (%+.2f)\n", p, e[p] / 1024, l[p] / 1024, g
                       if (g > w) w = g }
        printf "%.2f\n", w }' "$out/rss")
echo "$mem" | sed '$d'
worst=$(echo "$mem" | tail -n 1)
n_samples=$(awk '$3 > 0' "$out/rss" | wc -l)
check "memory sampled ($n_samples samples of $clients backends)" [ "$n_samples" -ge $((clients * 4)) ]
check "largest growth of a backend $worst MB <= $leak_mb MB" \
  awk -v w="$worst" -v l="$leak_mb" 'BEGIN { exit !(w <= l) }'
finish
