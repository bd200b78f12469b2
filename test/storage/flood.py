"""Hash flooding at SQL level: 81,920 inputs crafted to share one hash slot
under the unkeyed hash of version 1.1 (splitmix64's finaliser, which is
invertible), against as many ordinary inputs.  Building a value from the rows
(fit_points) and reading a stored value back (merge_fit_points) must cost about
the same for both: the ratio of the median times is held below 10 (it was over
100 with the unkeyed hash), a margin that noise on a shared machine does not
reach.  usage: flood.py PORT"""
import math
import struct
import sys
import time

import psycopg2

M64 = (1 << 64) - 1
N = 81920


def unxorshift(z, s):
    x = z
    for _ in range(64 // s + 1):
        x = z ^ (x >> s)
    return x


def old_mix64_inverse(z):
    z = unxorshift(z, 31)
    z = (z * pow(0x94D049BB133111EB, -1, 1 << 64)) & M64
    z = unxorshift(z, 27)
    z = (z * pow(0xBF58476D1CE4E5B9, -1, 1 << 64)) & M64
    return unxorshift(z, 30)


def crafted_inputs(n, home=0x5A5A):
    out, i = [], 1
    while len(out) < n:
        bits = old_mix64_inverse((i << 17) | home) ^ 0x9E3779B97F4A7C15
        v = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if math.isfinite(v) and v > 0:
            out.append(v)
        i += 1
    return out


port = int(sys.argv[1])
conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
conn.autocommit = True
cur = conn.cursor()
cur.execute("CREATE TEMP TABLE flood (kind text, x float8)")
rows = [("crafted", repr(v)) for v in crafted_inputs(N)] + [("ordinary", repr(1000.0 + i)) for i in range(N)]
cur.execute("INSERT INTO flood SELECT k, x::float8 FROM unnest(%s::text[], %s::text[]) u(k, x)",
            ([r[0] for r in rows], [r[1] for r in rows]))
cur.execute("CREATE TEMP TABLE stored AS SELECT kind, fit_points(x, 1.0) AS p FROM flood GROUP BY kind")
cur.execute("SET statement_timeout = '60s'")


def median_time(sql, kind, runs=3):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        cur.execute(sql, (kind,))
        cur.fetchall()
        times.append(time.perf_counter() - t0)
    return sorted(times)[runs // 2]


ok = True
for what, sql in (("fit_points over the rows", "SELECT fit_points_rows(fit_points(x, 1.0)) FROM flood WHERE kind = %s"),
                  ("merge_fit_points of the stored value", "SELECT fit_points_rows(merge_fit_points(p)) FROM stored WHERE kind = %s")):
    tc, to = median_time(sql, "crafted"), median_time(sql, "ordinary")
    good = tc < 10 * to + 0.05
    ok = ok and good
    print(("ok   - " if good else "FAIL - ") +
          f"hash flooding, {what}: {N} crafted inputs {1e3 * tc:.1f} ms, ordinary {1e3 * to:.1f} ms")
sys.exit(0 if ok else 1)
