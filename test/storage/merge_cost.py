"""merge_fit_points(a, b) of two stored values is one pass over both (no
point set, no hash): merging a 1M-point value with a one-row batch, the
incremental-refit pattern, must cost a few reads of the value, measured by
fit_points_rows (which detoasts and validates it).  The ratio of the median
times is held below 4 (it was 7-15 through a hash; now 1.5-2), and the result
must equal the aggregate's, byte for byte.  usage: merge_cost.py PORT"""
import sys
import time

import psycopg2

port = int(sys.argv[1])
conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
conn.autocommit = True
cur = conn.cursor()
cur.execute("""CREATE TEMP TABLE mc AS SELECT fit_points(x, 1.0 / x) AS p, (SELECT fit_points(0.5, 2.0)) AS q
               FROM generate_series(1, 1000000) x""")


def median_time(sql, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        times.append(time.perf_counter() - t0)
    return sorted(times)[runs // 2]


read = median_time("SELECT fit_points_rows(p) FROM mc")
merge = median_time("SELECT fit_points_rows(merge_fit_points(p, q)) FROM mc")
cur.execute("""SELECT md5(merge_fit_points(p, q)::text) = (SELECT md5(merge_fit_points(v)::text)
               FROM (SELECT p FROM mc UNION ALL SELECT q FROM mc) t(v)), fit_points_rows(merge_fit_points(p, q)) FROM mc""")
same, rows = cur.fetchone()
ok = merge < 4 * read + 0.05 and same and rows == 1000001
print(("ok   - " if ok else "FAIL - ") +
      f"merge_fit_points(a 1M-point value, one row): {1e3 * merge:.0f} ms, {merge / read:.1f} reads of the "
      f"value ({1e3 * read:.0f} ms); same bytes as the aggregate: {same}")
sys.exit(0 if ok else 1)
