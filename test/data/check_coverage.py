#!/usr/bin/env python3
"""Coverage of the standard-error intervals (issue 10, Must show 2): 1,000 synthetic
data sets per law family, drawn from known coefficients with Gaussian noise, each
family fitted in ONE query (GROUP BY data set).  For every coefficient, the 95%
interval coef -+ t_{0.975, n - p} se must cover the true value, and
predict_interval(fit, 10x the largest input) the true law there, in 93% to 97% of
the data sets.  A data set whose fit has no standard error for a coefficient (a
fit at the logarithmic limit, say) counts as not covered.

Designs (realistic for scaling-law fits: a few dozen runs, noise of 1-2% of the loss):
- power law, 1 input: loss = 1.8 + 40 x^-0.35 at 24 data sizes log-spaced over
  1e3..1e7 (loss 5.4 to 1.9), noise sd 0.03;
- Chinchilla-like, 2 inputs: loss = 1.69 + 406.4 N^-0.34 + 410.7 D^-0.28 at 36
  runs, N on 6 sizes over 1e7..1e10 crossed with D on 6 sizes over 1e9..1e12 (loss
  4.6 to 2.0), noise sd 0.03; fitted by fit_power_law(N, D, y) and, as a formula, by
  fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ...).  (On a narrower
  design, N over 1e7..1e9 and D over 1e9..1e11, B's interval covers in only 92%:
  there D^-0.28 varies by a factor 3.6 and the delta method's linearisation in
  beta is too coarse for B; the other coefficients stay within 94-96%.)
- log law, 1 input: loss = 4 - 0.12 ln x at 20 sizes over 1e6..1e10 (loss 2.3 to
  1.2), noise sd 0.02.
Deterministic (numpy seed fixed).  Runs against the database psql reaches through
the environment.  Ends with 'N passed, N failed'.
"""
import json
import os
import sys
import time

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_sldbench as sb  # noqa: E402

check, psql = sb.check, sb.psql
SETS = 1000
LO, HI = 0.93, 0.97


def power1(x, c):
    return c["l_inf"] + c["a"] * x[0] ** -c["alpha"]


def chin(x, c):
    return c["l_inf"] + c["a"] * x[0] ** -c["alpha"] + c["b"] * x[1] ** -c["beta"]


def loglaw(x, c):
    return c["a"] + c["b"] * np.log(x[0])


def run(label, table, inputs, truth, law, sd, agg, names, formula_names=None):
    rng = np.random.default_rng({"cov_p1": 20261201, "cov_chin": 20261202, "cov_log": 20261203}[table])
    k = len(inputs)
    y_true = law(inputs, truth)
    rows = []
    for g in range(SETS):
        y = y_true + rng.normal(0, sd, y_true.shape)
        rows += [(g,) + tuple(float(xj[i]) for xj in inputs) + (float(y[i]),) for i in range(len(y))]
    cols = ", ".join("x%d float8" % (j + 1) for j in range(k))
    sb.load_copy(table, "g int, %s, y float8" % cols, rows)
    x10 = [10 * float(xj.max()) for xj in inputs]
    y10 = float(law([np.array([v]) for v in x10], truth)[0])
    xs = ", ".join("x%d" % (j + 1) for j in range(k))
    if formula_names is None:
        coefs = ", ".join("(f).%s" % n for n in names)
        pargs = ", ".join(repr(v) for v in x10)
    else:
        coefs = ", ".join("((f).params->>'%s')::float8" % formula_names[n] for n in names)
        pargs = "ARRAY[%s]" % ", ".join(repr(v) for v in x10)
    t0 = time.time()
    res = psql("""SELECT g, %s, (f).std_errors, (f).n, (i).lo, (i).hi
                  FROM (SELECT g, f, predict_interval(f, %s) AS i
                        FROM (SELECT g, %s AS f FROM %s GROUP BY g) s) t ORDER BY g"""
               % (coefs, pargs, agg % xs, table))
    elapsed = time.time() - t0
    covered = {n: 0 for n in names}
    pred_cov = 0
    for r in res:
        vals = dict(zip(names, (float(v) if v else None for v in r[1:1 + len(names)])))
        se = json.loads(r[1 + len(names)]) if r[1 + len(names)] else {}
        if formula_names is not None:
            se = {n: se.get(formula_names[n]) for n in names}
        p = sum(1 for v in se.values() if v is not None)
        n = int(r[2 + len(names)])
        t = stats.t.ppf(0.975, n - p) if n > p else None
        for nm in names:
            if se.get(nm) is not None and vals[nm] is not None and abs(vals[nm] - truth[nm]) <= t * se[nm]:
                covered[nm] += 1
        lo, hi = r[3 + len(names)], r[4 + len(names)]
        if lo and hi and float(lo) <= y10 <= float(hi):
            pred_cov += 1
    rates = {nm: covered[nm] / SETS for nm in names}
    rates["prediction at 10x"] = pred_cov / SETS
    check(len(res) == SETS and all(LO <= v <= HI for v in rates.values()),
          "%s: %d data sets fitted in one query (%.1f s); 95%% intervals cover the truth in %s"
          % (label, len(res), elapsed, ", ".join("%s %.1f%%" % (nm, 100 * v) for nm, v in rates.items())))
    return rates


def main():
    t0 = time.time()
    x = np.geomspace(1e3, 1e7, 24)
    run("power law, 1 input, 24 points, noise sd 0.03", "cov_p1", [x],
        {"l_inf": 1.8, "a": 40.0, "alpha": 0.35}, power1, 0.03,
        "fit_power_law(%s, y)", ["l_inf", "a", "alpha"])
    n, d = np.meshgrid(np.geomspace(1e7, 1e10, 6), np.geomspace(1e9, 1e12, 6))
    truth = {"l_inf": 1.69, "a": 406.4, "alpha": 0.34, "b": 410.7, "beta": 0.28}
    names = ["l_inf", "a", "alpha", "b", "beta"]
    run("Chinchilla-like, fit_power_law of 2 inputs, 36 points, noise sd 0.03", "cov_chin",
        [n.ravel(), d.ravel()], truth, chin, 0.03, "fit_power_law(%s, y)", names)
    # the same data sets as a formula (the table is reused: same seed, same rows)
    run("Chinchilla-like, fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta'), same data", "cov_chin",
        [n.ravel(), d.ravel()], truth, chin, 0.03,
        "fit_scaling_law('(N, D) => E + A / N^alpha + B / D^beta', ARRAY[%s], y)", names,
        {"l_inf": "E", "a": "A", "alpha": "alpha", "b": "B", "beta": "beta"})
    run("log law, 1 input, 20 points, noise sd 0.02", "cov_log", [np.geomspace(1e6, 1e10, 20)],
        {"a": 4.0, "b": -0.12}, loglaw, 0.02, "fit_log_law(%s, y)", ["a", "b"])
    psql("DROP TABLE cov_p1, cov_chin, cov_log")
    elapsed = time.time() - t0
    check(elapsed < 240, "the whole check ran in %.0f s (limit 240)" % elapsed)


if __name__ == "__main__":
    main()
    print("%d passed, %d failed" % (sb.passed, sb.failed))
    sys.exit(1 if sb.failed else 0)
