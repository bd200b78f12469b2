#!/usr/bin/env bash
# Sharded fits with postgres_fdw: two shard servers and a coordinator on
# loopback ports.  Checks (a) GROUP BY on the sharding key runs on the shards
# (EXPLAIN VERBOSE shows the aggregate in the Remote SQL) with results equal
# to a single server's, and (b) a global fit from per-shard fit_points values
# merged on the coordinator equals the single-server fit of all rows, bit for
# bit.  Ends with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
require_extension
t0=$(date +%s.%N)

start_cluster S1 || { echo "0 passed, 1 failed"; exit 1; }
start_cluster S2 || { echo "0 passed, 1 failed"; exit 1; }
start_cluster CO || { echo "0 passed, 1 failed"; exit 1; }

# the same rows as one table: models m1..m6 (sharding key), three datasets
ROWS="SELECT 'm' || m AS model, 'd' || (i % 3) AS dataset, n, x2,
             1.5 + 0.1 * m + (20 + m) * n ^ (-0.3 - 0.01 * m) + 0.5 * x2 ^ (-0.4) + 0.002 * sin(i * m) AS loss
      FROM generate_series(1, 6) m, generate_series(1, 60) i,
           LATERAL (SELECT 1e5 * 2 ^ (i % 15) AS n, 10.0 * (1 + i % 7) AS x2) v"
for port in "$S1" "$S2"; do
  sql "$port" -c "CREATE EXTENSION scalinglaw;
    CREATE TABLE runs (model text, dataset text, n float8, x2 float8, loss float8);"
done
# shard 1 holds m1..m3, shard 2 m4..m6
sql "$S1" -c "INSERT INTO runs SELECT * FROM ($ROWS) r WHERE model <= 'm3'; ANALYZE runs;"
sql "$S2" -c "INSERT INTO runs SELECT * FROM ($ROWS) r WHERE model > 'm3'; ANALYZE runs;"

sql "$CO" <<SQL
CREATE EXTENSION scalinglaw;
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port '$S1', dbname 'postgres', extensions 'scalinglaw');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '127.0.0.1', port '$S2', dbname 'postgres', extensions 'scalinglaw');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user 'postgres');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user 'postgres');
-- runs, partitioned by the sharding key, each partition a table on a shard
CREATE TABLE runs (model text, dataset text, n float8, x2 float8, loss float8) PARTITION BY LIST (model);
CREATE FOREIGN TABLE runs_1 PARTITION OF runs FOR VALUES IN ('m1', 'm2', 'm3')
  SERVER shard1 OPTIONS (table_name 'runs');
CREATE FOREIGN TABLE runs_2 PARTITION OF runs FOR VALUES IN ('m4', 'm5', 'm6')
  SERVER shard2 OPTIONS (table_name 'runs');
-- the single-server reference: all rows in one local table
CREATE TABLE runs_local AS $ROWS;
SQL

# (a) GROUP BY the sharding key: one remote aggregate per shard
plan=$(sqlv "$CO" postgres "SET enable_partitionwise_aggregate = on;
  EXPLAIN (VERBOSE, COSTS OFF) SELECT model, fit_power_law(n, loss) FROM runs GROUP BY model")
echo "$plan" | sed 's/^/    /'
check "pushdown: the plan has no local aggregate, only foreign scans" \
  bash -c "! grep -qE '(Hash|Group|Partial |Finalize |^ *(-> *)?)Aggregate *\$' <<<\"\$1\" && [ \$(grep -c 'Foreign Scan' <<<\"\$1\") -eq 2 ]" _ "$plan"
check "pushdown: each shard's Remote SQL runs fit_power_law ... GROUP BY" \
  test "$(grep -cE 'Remote SQL: SELECT model, public\.fit_power_law\(n, loss\) FROM public\.runs GROUP BY 1' <<<"$plan")" -eq 2

same_grouped=$(sqlv "$CO" postgres "SET enable_partitionwise_aggregate = on; SET extra_float_digits = 3;
  SELECT count(*) = 6 AND bool_and(s.f::text = l.f::text)
  FROM (SELECT model, fit_power_law(n, loss) AS f FROM runs GROUP BY model) s
  JOIN (SELECT model, fit_power_law(n, loss) AS f FROM runs_local GROUP BY model) l USING (model)")
check "pushdown: the 6 per-model fits from the shards equal the single-server fits" test "$same_grouped" = t

plan2=$(sqlv "$CO" postgres "SET enable_partitionwise_aggregate = on;
  EXPLAIN (VERBOSE, COSTS OFF) SELECT model, fit_points(n, x2, loss) FROM runs GROUP BY model")
check "pushdown: fit_points(n, x2, loss) GROUP BY model runs on the shards" \
  test "$(grep -cE 'Remote SQL: SELECT model, public\.fit_points\(n, x2, loss\) FROM public\.runs GROUP BY 1' <<<"$plan2")" -eq 2

# (b) global fits: per-shard values, merged on the coordinator
sql "$CO" -c "CREATE VIEW shard_points AS
  SELECT 1 AS shard, dataset, fit_points(n, loss) AS p1, fit_points(n, x2, loss) AS p2 FROM runs_1 GROUP BY dataset
  UNION ALL
  SELECT 2, dataset, fit_points(n, loss), fit_points(n, x2, loss) FROM runs_2 GROUP BY dataset;"
plan3=$(sqlv "$CO" postgres "EXPLAIN (VERBOSE, COSTS OFF)
  SELECT fit_power_law(merge_fit_points(p1)) FROM shard_points")
echo "$plan3" | sed 's/^/    /'
check "global: fit_points is computed on each shard (2 remote aggregates)" \
  test "$(grep -cE 'Remote SQL: SELECT .*dataset, public\.fit_points\(n, loss\).* FROM public\.runs GROUP BY' <<<"$plan3")" -eq 2

res=$(sqlv "$CO" postgres "SET extra_float_digits = 3;
  WITH g AS (SELECT merge_fit_points(p1) AS p1, merge_fit_points(p2) AS p2 FROM shard_points),
       l AS (SELECT fit_power_law(n, loss) AS f1, fit_power_law(n, x2, loss) AS f2,
                    fit_log_law(n, loss) AS l1, fit_log_law(n, x2, loss) AS l2,
                    fit_points(n, loss) AS p1 FROM runs_local)
  SELECT concat_ws(' ',
    fit_power_law(g.p1)::text = l.f1::text
      AND float8send((fit_power_law(g.p1)).alpha) = float8send((l.f1).alpha)
      AND float8send((fit_power_law(g.p1)).l_inf) = float8send((l.f1).l_inf)
      AND float8send((fit_power_law(g.p1)).a) = float8send((l.f1).a),
    fit_power_law(g.p2)::text = l.f2::text,
    fit_log_law(g.p1)::text = l.l1::text,
    fit_log_law(g.p2)::text = l.l2::text,
    g.p1::text = l.p1::text,
    (l.f1).n)
  FROM g, l")
echo "    global: $res"
read -r r_pow1 r_pow2 r_log1 r_log2 r_pts r_n <<<"$res"
check "global: fit_power_law(x, y) of merged shard values = single-server fit of all $r_n rows (float8send)" test "$r_pow1" = t
check "global: fit_power_law(x1, x2, y) of merged shard values = single-server fit" test "$r_pow2" = t
check "global: fit_log_law(x, y) of merged shard values = single-server fit" test "$r_log1" = t
check "global: fit_log_law(x1, x2, y) of merged shard values = single-server fit" test "$r_log2" = t
check "global: the merged value is byte-identical to the single-server value" test "$r_pts" = t

per_ds=$(sqlv "$CO" postgres "SET extra_float_digits = 3;
  SELECT count(*) = 3 AND bool_and(g.f::text = l.f::text)
  FROM (SELECT dataset, fit_power_law(merge_fit_points(p1)) AS f FROM shard_points GROUP BY dataset) g
  JOIN (SELECT dataset, fit_power_law(n, loss) AS f FROM runs_local GROUP BY dataset) l USING (dataset)")
check "global: per-dataset fits across both shards equal the single-server fits" test "$per_ds" = t

t1=$(date +%s.%N)
printf '    shard test took %.1f s\n' "$(echo "$t1 - $t0" | bc)"
finish
