#!/usr/bin/env python3
"""Covariance and predict_interval against numpy: for each fit, numpy builds the
Jacobian J of the law at the fitted parameters from its own analytic derivatives
(check_std_errors.py's, per law), sigma^2 = RSS / (n - p) from its own residuals,
and the covariance sigma^2 (J'J)^-1 over the parameters the fit estimates.  The
fit's covariance must equal it to 1e-6 (relative to sqrt(c_ii c_jj)), and
predict_interval at 10x the largest input (each input) must equal numpy's
estimate -+ t sqrt(g'Cg), g the law's gradient there and t scipy's
t.ppf(0.975, n - p), to 1e-6 of the half-width.

Data: SLDBench's sft (fit_power_law and the formula per group), moe
(fit_power_law and fit_log_law of two inputs), and synthetic Chinchilla-like data
(the formula).  Runs against the database psql reaches through the environment;
reads ../shared/data (or $SCALINGLAW_DATA).  Ends with 'N passed, N failed'.
"""
import json
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_sldbench as sb  # noqa: E402
import check_std_errors as se  # noqa: E402

check, psql = sb.check, sb.psql


def compare(label, fits, jac, pred):
    worst_c, worst_i, compared, skipped = 0.0, 0.0, 0, 0
    for f in fits:
        params, at = f["params"], f["at"]
        free, C = se.numpy_cov(params, at, jac, pred, f["x"], f["y"])
        if free is None or f["cov"] is None:
            skipped += 1
            # no covariance: the estimate alone
            worst_i = max(worst_i, 0 if f["interval"] is None else float("inf"))
            continue
        if sorted(free) != sorted(f["cov"]):
            worst_c = float("inf")
            continue
        for i, a in enumerate(free):
            for j, b in enumerate(free):
                worst_c = max(worst_c, abs(f["cov"][a][b] - C[i, j]) / np.sqrt(C[i, i] * C[j, j]))
        # the interval at 10x the largest input
        x10 = [np.array([10 * xi.max()]) for xi in f["x"]]
        g = np.array([jac(params, x10)[k][0] for k in free])
        t = stats.t.ppf(0.975, len(f["y"]) - len(free))
        est = float(pred(params, x10)[0])
        half = t * np.sqrt(g @ C @ g)
        lo, hi = f["interval"]
        worst_i = max(worst_i, abs(est - f["estimate"]) / half, abs((hi - lo) / 2 - half) / half,
                      abs((hi + lo) / 2 - est) / half)
        compared += 1
    check(compared > 0 and worst_c <= 1e-6 and worst_i <= 1e-6,
          "%s: covariance equals numpy's sigma^2 (J'J)^-1 (worst %.2e of sqrt(c_ii c_jj)), predict_interval "
          "at 10x the largest input its estimate -+ t sqrt(g'Cg) (worst %.2e of the half-width), in %d fits; "
          "%d without a covariance or with J rank deficient skipped" % (label, worst_c, worst_i, compared, skipped))


def fetch(select, names, k, formula):
    """fits of select (columns key, f) with their data range, and predict_interval at 10x x_max"""
    params = "(f).params" if formula else "jsonb_build_object(%s)" % ", ".join("'%s', (f).%s" % (n, n) for n in names)
    if formula:
        args = "ARRAY[%s]" % ", ".join("10 * (f).x_max[%d]" % (j + 1) for j in range(k))
    else:
        args = ", ".join("10 * (f).x_max[%d]" % (j + 1) for j in range(k))
    rows = psql("""SELECT key, %s, (f).covariance, array_to_string((f).at_bound, ','),
                          (i).estimate, (i).lo, (i).hi
                   FROM (SELECT key, f, predict_interval(f, %s) AS i FROM (%s) s) t ORDER BY key"""
                % (params, args, select))
    out = []
    for r in rows:
        out.append({"key": r[0], "params": json.loads(r[1]), "cov": json.loads(r[2]) if r[2] else None,
                    "at": set(a for a in r[3].split(",") if a), "estimate": float(r[4]),
                    "interval": (float(r[5]), float(r[6])) if r[5] else None})
    return out


def check_sft():
    sft = np.array([(m + "/" + d, x, y) for m, d, x, y in sb.load_sft() if x < 819200], dtype=object)
    for label, select, names, formula, jac, pred in (
            ("sft, fit_power_law(x, y) per group",
             "SELECT model || '/' || dataset AS key, fit_power_law(data_size, loss) f FROM sft "
             "WHERE data_size < 819200 GROUP BY 1", ["l_inf", "a", "alpha"], False, se.jac_preset, se.pred_preset),
            ("sft, %s per group" % se.POWER1,
             "SELECT model || '/' || dataset AS key, fit_scaling_law('%s', data_size, loss, "
             "'{\"bounds\": {\"alpha\": [0, null]}}') f FROM sft WHERE data_size < 819200 GROUP BY 1" % se.POWER1,
             None, True, se.jac_power1, se.pred_power1)):
        fs = fetch(select, names, 1, formula)
        for f in fs:
            sel = sft[:, 0] == f["key"]
            f["x"], f["y"] = [sft[sel, 1].astype(float)], sft[sel, 2].astype(float)
        compare(label, fs, jac, pred)


def check_moe():
    moe = np.array(sb.load_moe())
    for label, agg, names, jac, pred in (
            ("moe, fit_power_law(x1, x2, y)", "fit_power_law(dense, experts, loss)",
             ["l_inf", "a", "alpha", "b", "beta"], se.jac_preset, se.pred_preset),
            ("moe, fit_log_law(x1, x2, y)", "fit_log_law(dense, experts, loss)", ["a", "b", "c"],
             se.jac_log, se.pred_log)):
        fs = fetch("SELECT 1 AS key, %s f FROM moe" % agg, names, 2, False)
        fs[0]["x"], fs[0]["y"] = [moe[:, 0], moe[:, 1]], moe[:, 2]
        compare(label, fs, jac, pred)


def check_synthetic():
    rng = np.random.default_rng(20261203)
    rows, data = [], []
    for g in range(20):
        n = 1e7 * 2.0 ** rng.integers(0, 10, 40)
        d = 1e9 * 2.0 ** rng.integers(0, 8, 40)
        y = 1.69 + 406.4 * n ** -0.34 + 410.7 * d ** -0.28 + rng.normal(0, 0.01, 40)
        data.append((n, d, y))
        rows += [(g, float(a), float(b), float(c)) for a, b, c in zip(n, d, y)]
    sb.load_copy("iv_chin", "g int, n float8, d float8, y float8", rows)
    fs = fetch("SELECT g AS key, fit_scaling_law('%s', ARRAY[n, d], y) f FROM iv_chin GROUP BY g" % se.CHIN,
               None, 2, True)
    for f in fs:
        n, d, y = data[int(f["key"])]
        f["x"], f["y"] = [n, d], y
    compare("synthetic Chinchilla, %s, 20 groups of 40 rows" % se.CHIN, fs, se.jac_chin, se.pred_chin)
    fs = fetch("SELECT g AS key, fit_power_law(n, d, y) f FROM iv_chin GROUP BY g",
               ["l_inf", "a", "alpha", "b", "beta"], 2, False)
    for f in fs:
        n, d, y = data[int(f["key"])]
        f["x"], f["y"] = [n, d], y
    compare("synthetic Chinchilla, fit_power_law(x1, x2, y), 20 groups of 40 rows", fs,
            se.jac_preset, se.pred_preset)
    psql("DROP TABLE iv_chin")


if __name__ == "__main__":
    if not os.path.isdir(os.path.join(sb.DATA, "sldbench")):
        print("skipped: no data at %s" % sb.DATA)
    else:
        check_sft()
        check_moe()
    check_synthetic()
    print("%d passed, %d failed" % (sb.passed, sb.failed))
    sys.exit(1 if sb.failed else 0)
