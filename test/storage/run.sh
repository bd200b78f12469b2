#!/usr/bin/env bash
# Storing fit_points values: pg_dump/pg_restore round trips (custom and plain
# formats) give the same bytes and the same fits, a randomized-corruption
# run through the real input and receive functions (test/storage/fuzz_io.py)
# never crashes the server, inputs crafted to collide in the hash cost what
# ordinary ones do (test/storage/flood.py), and merging two values is one pass
# over them (test/storage/merge_cost.py); values over the size limit are
# refused (test/storage/size_limit.py).  Ends with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
require_extension
t0=$(date +%s)
FUZZ_CASES=${FUZZ_CASES:-20000}

start_cluster P || { echo "0 passed, 1 failed"; exit 1; }
dump=$(mktemp -d /tmp/scalinglaw_dump.XXXXXX)
trap 'stop_clusters; rm -rf "$dump"' EXIT

for db in src dst_custom dst_plain; do sql "$P" -c "CREATE DATABASE $db"; done
sql "$P" -c "CREATE EXTENSION scalinglaw"
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$P" -U postgres -d src <<'SQL'
CREATE EXTENSION scalinglaw;
CREATE TABLE stored (grp int PRIMARY KEY, p1 fit_points, p2 fit_points2, p3 fit_points3, fit power_law_fit);
INSERT INTO stored
SELECT grp, fit_points(x, y), fit_points(x, x2, y), fit_points(x, x2, x3, y), fit_power_law(x, y)
FROM (SELECT i % 5 AS grp, 100.0 * (1 + i % 30) AS x, 3.0 + i % 4 AS x2, 1.0 + i % 3 AS x3,
             1 + 4 * (100.0 * (1 + i % 30)) ^ (-0.35) + 0.01 * sin(i) AS y
      FROM generate_series(1, 600) i) s
GROUP BY grp;
INSERT INTO stored VALUES (99, NULL, NULL, NULL, NULL);
SQL
"$PGBIN/pg_dump" -h 127.0.0.1 -p "$P" -U postgres -Fc -f "$dump/src.dump" src
"$PGBIN/pg_restore" -h 127.0.0.1 -p "$P" -U postgres -d dst_custom "$dump/src.dump"
"$PGBIN/pg_dump" -h 127.0.0.1 -p "$P" -U postgres -Fp -f "$dump/src.sql" src
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$P" -U postgres -d dst_plain -f "$dump/src.sql" >/dev/null

digest="SELECT md5(string_agg(concat_ws('|', grp, p1, p2, p3, fit_power_law(p1), fit_log_law(p2)), ';' ORDER BY grp))
        || ' ' || count(*) FROM stored"
d_src=$("$PGBIN/psql" -X -A -t -h 127.0.0.1 -p "$P" -U postgres -d src -c "SET extra_float_digits = 3; $digest" | tail -n 1)
d_cus=$("$PGBIN/psql" -X -A -t -h 127.0.0.1 -p "$P" -U postgres -d dst_custom -c "SET extra_float_digits = 3; $digest" | tail -n 1)
d_pla=$("$PGBIN/psql" -X -A -t -h 127.0.0.1 -p "$P" -U postgres -d dst_plain -c "SET extra_float_digits = 3; $digest" | tail -n 1)
echo "    digests: $d_src / $d_cus / $d_pla"
check "pg_dump -Fc / pg_restore: same values and same fits (${d_src#* } rows)" test -n "${d_src%% *}" -a "$d_src" = "$d_cus"
check "pg_dump plain / psql: same values and same fits" test -n "${d_src%% *}" -a "$d_src" = "$d_pla"
grep -q 'COPY public.stored' "$dump/src.sql"
check "the plain dump carries the values as COPY text" test $? -eq 0

fz=$(date +%s)
/usr/bin/python3 test/storage/fuzz_io.py "$P" "$FUZZ_CASES"
rc=$?
[ $rc -eq 0 ] && N_PASS=$((N_PASS + 1)) || N_FAIL=$((N_FAIL + 1))
echo "    SQL-level corruption run took $(( $(date +%s) - fz )) s"
for script in flood.py merge_cost.py size_limit.py; do
  /usr/bin/python3 "test/storage/$script" "$P"
  [ $? -eq 0 ] && N_PASS=$((N_PASS + 1)) || N_FAIL=$((N_FAIL + 1))
done
crashes=$(grep -c 'terminated by signal' "${CLUSTERS[0]}/server.log")
check "the server log shows no crashed backend" test "$crashes" -eq 0
echo "    storage test took $(( $(date +%s) - t0 )) s"
finish
