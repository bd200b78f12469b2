#!/usr/bin/env python3
"""Standard errors of formula and preset fits against numpy: for each fit, numpy builds
the Jacobian of the law at the fitted parameters from its own analytic
derivatives (written out below per law), takes sigma^2 = RSS / (n - p) with
RSS from its own residuals, and the diagonal of sigma^2 (J'J)^-1 over the
parameters the fit estimates (not listed in at_bound).  The fit's
std_errors must equal it to 1e-6 relative, and be null exactly for the
parameters in at_bound.

Data: SLDBench's sft (one input), moe (two), vocab (the vocabulary law with
its interaction term; the three-input preset), each fitted as a formula and
by the presets fit_power_law and fit_log_law, and synthetic data drawn from known laws with
Gaussian noise.  Runs against the database psql reaches through the
environment; reads ../shared/data (or $SCALINGLAW_DATA).  Prints one line
per check and ends with 'N passed, N failed'.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_sldbench as sb  # noqa: E402

check, psql = sb.check, sb.psql

# law text -> (names of its inputs' columns in order, Jacobian(params dict, inputs) -> {param: column})
POWER1 = "x => l_inf + a * x^-alpha"
CHIN = "(N, D) => E + A / N^alpha + B / D^beta"
VOCAB = "(P, V, D) => c0 * P^-a * V^-g * D^-b + c1 * D^-h + c2"
EXPO = "x => a * exp(-b * x) + c"


def jac_power1(p, x):
    t = x[0] ** -p["alpha"]
    return {"l_inf": np.ones_like(t), "a": t, "alpha": -p["a"] * t * np.log(x[0])}


def pred_power1(p, x):
    return p["l_inf"] + p["a"] * x[0] ** -p["alpha"]


def jac_chin(p, x):
    tn, td = x[0] ** -p["alpha"], x[1] ** -p["beta"]
    return {"E": np.ones_like(tn), "A": tn, "alpha": -p["A"] * tn * np.log(x[0]),
            "B": td, "beta": -p["B"] * td * np.log(x[1])}


def pred_chin(p, x):
    return p["E"] + p["A"] * x[0] ** -p["alpha"] + p["B"] * x[1] ** -p["beta"]


def jac_vocab(p, x):
    P, V, D = x
    t = P ** -p["a"] * V ** -p["g"] * D ** -p["b"]
    th = D ** -p["h"]
    return {"c0": t, "a": -p["c0"] * t * np.log(P), "g": -p["c0"] * t * np.log(V),
            "b": -p["c0"] * t * np.log(D), "c1": th, "h": -p["c1"] * th * np.log(D),
            "c2": np.ones_like(t)}


def pred_vocab(p, x):
    P, V, D = x
    return p["c0"] * P ** -p["a"] * V ** -p["g"] * D ** -p["b"] + p["c1"] * D ** -p["h"] + p["c2"]


def jac_expo(p, x):
    e = np.exp(-p["b"] * x[0])
    return {"a": e, "b": -p["a"] * x[0] * e, "c": np.ones_like(e)}


def pred_expo(p, x):
    return p["a"] * np.exp(-p["b"] * x[0]) + p["c"]


def jac_preset(p, x):
    """fit_power_law with k inputs: l_inf, then (a, alpha), (b, beta), (c, gamma); an exponent
    of 0 is the log limit, the term -coef ln x."""
    out = {"l_inf": np.ones_like(x[0])}
    for j, (c, e) in enumerate((("a", "alpha"), ("b", "beta"), ("c", "gamma"))[:len(x)]):
        if p[e] == 0:
            out[c] = -np.log(x[j])
            out[e] = np.zeros_like(x[j])
        else:
            t = x[j] ** -p[e]
            out[c] = t
            out[e] = -p[c] * t * np.log(x[j])
    return out


def pred_preset(p, x):
    y = p["l_inf"] + 0 * x[0]
    for j, (c, e) in enumerate((("a", "alpha"), ("b", "beta"), ("c", "gamma"))[:len(x)]):
        y = y + (-p[c] * np.log(x[j]) if p[e] == 0 else p[c] * x[j] ** -p[e])
    return y


def jac_log(p, x):
    out = {"a": np.ones_like(x[0]), "b": np.log(x[0])}
    if len(x) > 1:
        out["c"] = np.log(x[1])
    return out


def pred_log(p, x):
    return p["a"] + p["b"] * np.log(x[0]) + (p["c"] * np.log(x[1]) if len(x) > 1 else 0)


def numpy_cov(params, at_bound, jac, pred, x, y):
    """numpy's (free parameters, covariance sigma^2 (J'J)^-1), or (None, None) where J is rank deficient."""
    free = [k for k in params if k not in at_bound and params[k] is not None]
    if not free:
        return None, None
    cols = jac(params, x)
    J = np.column_stack([cols[k] for k in free])
    r = y - pred(params, x)
    sigma2 = float(r @ r) / (len(y) - len(free))
    # columns scaled to unit norm (a law's columns can differ by 1e20), then QR:
    # (J'J)^-1 = S R^-1 R^-T S with S the inverse column norms
    norms = np.sqrt((J * J).sum(axis=0))
    R = np.linalg.qr(J / norms, mode="r")
    if np.linalg.cond(R) > 1e12:
        return None, None
    Ri = np.linalg.inv(R)
    return free, sigma2 * (Ri @ Ri.T) / np.outer(norms, norms)


def numpy_se(params, at_bound, jac, pred, x, y):
    """numpy's standard errors of the estimated parameters, or None where J is rank deficient."""
    free, C = numpy_cov(params, at_bound, jac, pred, x, y)
    if free is None:
        return None
    return dict(zip(free, np.sqrt(np.diag(C))))


def compare(label, rows, jac, pred, ncols):
    """rows: (params json, std_errors json, at_bound text, data...) per fit -> worst relative difference."""
    worst, compared, null_ok, skipped = 0.0, 0, True, 0
    for fit in rows:
        params = json.loads(fit["params"])
        se = json.loads(fit["se"])
        at = set(fit["at"])
        null_ok &= all((se[k] is None) == (k in at or params[k] is None) for k in params if k in at or se[k] is None)
        ref = numpy_se(params, at, jac, pred, fit["x"], fit["y"])
        if ref is None or any(se[k] is None for k in ref):
            skipped += 1
            continue
        for k, v in ref.items():
            worst = max(worst, abs(se[k] - v) / v)
        compared += 1
    check(compared > 0 and worst <= 1e-6 and null_ok,
          "%s: std_errors equal numpy's sigma sqrt(diag((J'J)^-1)) to 1e-6 rel in %d fits (worst %.2e); "
          "null exactly for the parameters in at_bound; %d with J rank deficient (condition > 1e12) skipped"
          % (label, compared, worst, skipped))


def fits(sql):
    out = []
    for r in psql(sql):
        out.append({"params": r[0], "se": r[1], "at": [a for a in r[2].split(",") if a], "key": r[3:]})
    return out


def preset_fits(select, names):
    """fits of a preset aggregate: its coefficients as a params object, by name"""
    cols = ", ".join("'%s', (f).%s" % (n, n) for n in names)
    return fits("""SELECT jsonb_build_object(%s), (f).std_errors, array_to_string((f).at_bound, ','), key
                   FROM (%s) s ORDER BY key""" % (cols, select))


def check_presets():
    """fit_power_law with 1, 2 and 3 inputs, fit_log_law with 1 and 2"""
    sft = np.array([(m + "/" + d, x, y) for m, d, x, y in sb.load_sft() if x < 819200], dtype=object)
    for label, agg, names, jac, pred in (
            ("fit_power_law(x, y)", "fit_power_law(data_size, loss)", ["l_inf", "a", "alpha"], jac_preset, pred_preset),
            ("fit_log_law(x, y)", "fit_log_law(data_size, loss)", ["a", "b"], jac_log, pred_log)):
        fs = preset_fits("SELECT model || '/' || dataset AS key, %s f FROM sft WHERE data_size < 819200 "
                         "GROUP BY 1" % agg, names)
        for f in fs:
            sel = sft[:, 0] == f["key"][0]
            f["x"], f["y"] = [sft[sel, 1].astype(float)], sft[sel, 2].astype(float)
        compare("sft, %s per group" % label, fs, jac, pred, 1)
    moe = np.array(sb.load_moe())
    for label, agg, names, jac, pred in (
            ("fit_power_law(x1, x2, y)", "fit_power_law(dense, experts, loss)",
             ["l_inf", "a", "alpha", "b", "beta"], jac_preset, pred_preset),
            ("fit_log_law(x1, x2, y)", "fit_log_law(dense, experts, loss)", ["a", "b", "c"], jac_log, pred_log)):
        fs = preset_fits("SELECT 1 AS key, %s f FROM moe" % agg, names)
        fs[0]["x"], fs[0]["y"] = [moe[:, 0], moe[:, 1]], moe[:, 2]
        compare("moe, %s" % label, fs, jac, pred, 2)
    voc = np.array(sb.load_vocab())
    fs = preset_fits("""SELECT 1 AS key, fit_power_law(nv, vs, nc, lossu,
                               '{"bounds": {"alpha": [-3, 3], "beta": [-3, 3], "gamma": [-3, 3]}}') f FROM vocab""",
                     ["l_inf", "a", "alpha", "b", "beta", "c", "gamma"])
    fs[0]["x"], fs[0]["y"] = [voc[:, 0], voc[:, 1], voc[:, 2]], voc[:, 3]
    compare("vocab, fit_power_law(x1, x2, x3, y), exponents in [-3, 3]", fs, jac_preset, pred_preset, 3)


def check_sft():
    rows = np.array([(m, d, x, y) for m, d, x, y in sb.load_sft() if x < 819200], dtype=object)
    fs = fits("""SELECT (f).params, (f).std_errors, array_to_string((f).at_bound, ','), model, dataset
                 FROM (SELECT model, dataset, fit_scaling_law('%s', data_size, loss,
                              '{"bounds": {"alpha": [0, null]}}') f
                       FROM sft WHERE data_size < 819200 GROUP BY 1, 2) s ORDER BY 4, 5""" % POWER1)
    for f in fs:
        sel = (rows[:, 0] == f["key"][0]) & (rows[:, 1] == f["key"][1])
        f["x"] = [rows[sel, 2].astype(float)]
        f["y"] = rows[sel, 3].astype(float)
    check(len(fs) == 42, "sft: 42 groups (got %d)" % len(fs))
    compare("sft, %s" % POWER1, fs, jac_power1, pred_power1, 1)


def check_moe():
    rows = np.array(sb.load_moe())
    fs = fits("""SELECT (f).params, (f).std_errors, array_to_string((f).at_bound, ',')
                 FROM (SELECT fit_scaling_law('%s', ARRAY[dense, experts], loss) f FROM moe) s""" % CHIN)
    fs[0]["x"] = [rows[:, 0], rows[:, 1]]
    fs[0]["y"] = rows[:, 2]
    compare("moe, %s (unbounded)" % CHIN, fs, jac_chin, pred_chin, 2)


def check_vocab():
    rows = np.array(sb.load_vocab())
    fs = fits("""SELECT (f).params, (f).std_errors, array_to_string((f).at_bound, ',')
                 FROM (SELECT fit_scaling_law('%s', ARRAY[nv, vs, nc], lossu) f FROM vocab) s""" % VOCAB)
    fs[0]["x"] = [rows[:, 0], rows[:, 1], rows[:, 2]]
    fs[0]["y"] = rows[:, 3]
    compare("vocab, %s" % VOCAB, fs, jac_vocab, pred_vocab, 3)


def check_synthetic():
    rng = np.random.default_rng(20261202)
    data = []
    for g in range(20):
        n = 1e7 * 2.0 ** rng.integers(0, 10, 40)
        d = 1e9 * 2.0 ** rng.integers(0, 8, 40)
        y = 1.69 + 406.4 * n ** -0.34 + 410.7 * d ** -0.28 + rng.normal(0, 0.01, 40)
        x = rng.uniform(0, 5, 30)
        ye = 2.0 * np.exp(-0.7 * x) + 0.5 + rng.normal(0, 0.02, 30)
        data.append((g, n, d, y, x, ye))
    sb.load_copy("syn_chin", "g int, n float8, d float8, y float8",
                 [(g, float(a), float(b), float(c)) for g, n, d, y, _, _ in data for a, b, c in zip(n, d, y)])
    sb.load_copy("syn_expo", "g int, x float8, y float8",
                 [(g, float(a), float(b)) for g, _, _, _, x, ye in data for a, b in zip(x, ye)])
    fs = fits("""SELECT (f).params, (f).std_errors, array_to_string((f).at_bound, ','), g
                 FROM (SELECT g, fit_scaling_law('%s', ARRAY[n, d], y) f FROM syn_chin GROUP BY g) s
                 ORDER BY g""" % CHIN)
    for f, (g, n, d, y, _, _) in zip(fs, data):
        f["x"], f["y"] = [n, d], y
    compare("synthetic Chinchilla, 20 groups of 40 rows", fs, jac_chin, pred_chin, 2)
    fs = fits("""SELECT (f).params, (f).std_errors, array_to_string((f).at_bound, ','), g
                 FROM (SELECT g, fit_scaling_law('%s', x, y) f FROM syn_expo GROUP BY g) s
                 ORDER BY g""" % EXPO)
    for f, (g, _, _, _, x, ye) in zip(fs, data):
        f["x"], f["y"] = [x], ye
    compare("synthetic %s, 20 groups of 30 rows" % EXPO, fs, jac_expo, pred_expo, 1)


def r_info_criteria(n, rss, p):
    """R's AIC and BIC of an nls fit (stats:::logLik.nls with unit weights)"""
    loglik = -n / 2.0 * (np.log(2 * np.pi) + 1 - np.log(n) + np.log(rss))
    return -2 * loglik + 2 * (p + 1), -2 * loglik + np.log(n) * (p + 1)


def check_info_criteria(label, select, exponents=()):
    """aic and bic of each fit (select gives f and its number of coefficients k) against R's
    definitions from the same RSS (n rmse^2), with p the coefficients not in at_bound (an
    exponent of 0, the log limit, not counted either)"""
    worst, count = 0.0, 0
    cols = "".join(", (f).%s" % e for e in exponents)
    for r in psql("""SELECT (f).n, (f).rmse, (f).aic, (f).bic, array_to_string((f).at_bound, ','), k%s
                     FROM (%s) s(f, k) WHERE (f).rmse > 0""" % (cols, select)):
        n, rmse, aic, bic = int(r[0]), float(r[1]), float(r[2]), float(r[3])
        at = [a for a in r[4].split(",") if a]
        zero = [e for e, v in zip(exponents, r[6:]) if float(v) == 0.0 and e not in at]
        p = int(r[5]) - len(at) - len(zero)
        ref_aic, ref_bic = r_info_criteria(n, n * rmse * rmse, p)
        worst = max(worst, abs(aic - ref_aic) / abs(ref_aic), abs(bic - ref_bic) / abs(ref_bic))
        count += 1
    check(count > 0 and worst <= 1e-12,
          "%s: aic and bic equal R's -2 logLik + 2 (p + 1), -2 logLik + ln(n) (p + 1) from the same RSS "
          "in %d fits (worst %.2e rel)" % (label, count, worst))


def check_info_criteria_all():
    have_data = os.path.isdir(os.path.join(sb.DATA, "sldbench"))
    if have_data:
        check_info_criteria("sft, fit_power_law(x, y) per group",
                            "SELECT fit_power_law(data_size, loss) f, 3 FROM sft WHERE data_size < 819200 "
                            "GROUP BY model, dataset", ("alpha",))
        check_info_criteria("sft, fit_log_law(x, y) per group",
                            "SELECT fit_log_law(data_size, loss) f, 2 FROM sft WHERE data_size < 819200 "
                            "GROUP BY model, dataset")
        check_info_criteria("moe, fit_power_law(x1, x2, y)",
                            "SELECT fit_power_law(dense, experts, loss) f, 5 FROM moe", ("alpha", "beta"))
        check_info_criteria("moe, %s" % CHIN,
                            "SELECT fit_scaling_law('%s', ARRAY[dense, experts], loss) f, 5 FROM moe" % CHIN)
    check_info_criteria("synthetic Chinchilla, 20 groups, as a formula",
                        "SELECT fit_scaling_law('%s', ARRAY[n, d], y) f, 5 FROM syn_chin GROUP BY g" % CHIN)
    check_info_criteria("synthetic Chinchilla, 20 groups, fit_power_law(x1, x2, y)",
                        "SELECT fit_power_law(n, d, y) f, 5 FROM syn_chin GROUP BY g", ("alpha", "beta"))
    check_info_criteria("synthetic %s, 20 groups" % EXPO,
                        "SELECT fit_scaling_law('%s', x, y) f, 3 FROM syn_expo GROUP BY g" % EXPO)


if __name__ == "__main__":
    if not os.path.isdir(os.path.join(sb.DATA, "sldbench")):
        print("skipped: no data at %s" % sb.DATA)
    else:
        check_sft()
        check_moe()
        check_vocab()
        check_presets()
    check_synthetic()
    check_info_criteria_all()
    print("%d passed, %d failed" % (sb.passed, sb.failed))
    sys.exit(1 if sb.failed else 0)
