#!/usr/bin/env python3
"""Fits on the shared SLDBench data checked against seeds and dense-grid references.

Runs against the database that psql reaches through the environment (PGHOST,
PGPORT, ...; .ci/run sets them up with pg_virtualenv).  Reads the data from
../shared/data (or $SCALINGLAW_DATA); if it is absent, says so and skips.
Prints one line per check and ends with 'N passed, N failed'.
"""
import csv
import io
import math
import os
import subprocess
import sys

import numpy as np
from scipy.optimize import minimize_scalar

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SCALINGLAW_DATA",
                      os.path.join(HERE, "..", "..", "..", "shared", "data"))
passed = failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
        print("ok   - " + msg)
    else:
        failed += 1
        print("FAIL - " + msg)


def psql(sql, stdin=None):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1",
                        "-c", sql] if stdin is None else
                       ["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1"],
                       input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return [line.split("|") for line in r.stdout.splitlines() if line]


def load_copy(table, columns, rows):
    buf = io.StringIO()
    buf.write("DROP TABLE IF EXISTS %s; CREATE TABLE %s (%s);\nCOPY %s FROM STDIN;\n"
              % (table, table, columns, table))
    for row in rows:
        buf.write("\t".join(repr(v) if isinstance(v, float) else str(v) for v in row) + "\n")
    buf.write("\\.\n")
    psql(None, stdin=buf.getvalue())


def boxcox(p, t):
    """(1 - exp(-p t)) / p, and t at p = 0 (t: centred ln x)."""
    if p == 0.0:
        return t.copy()
    return -np.expm1(-p * t) / p


def rss_at(p_list, ts, y):
    """Projected RSS for exponents p_list (Box-Cox basis), plain least squares."""
    A = np.column_stack([np.ones_like(y)] + [boxcox(p, t) for p, t in zip(p_list, ts)])
    c, *_ = np.linalg.lstsq(A, y, rcond=None)
    r = y - A @ c
    return float(r @ r)


def grid_rss_1(t, y, ps):
    """Vectorised projected RSS of y on (1, boxcox(p, t)) for every p in ps."""
    yc = y - y.mean()
    syy = yc @ yc
    out = np.empty(len(ps))
    for i0 in range(0, len(ps), 2000):
        P = ps[i0:i0 + 2000, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            B = np.where(P == 0, t[None, :], -np.expm1(-P * t[None, :]) / np.where(P == 0, 1, P))
        Bc = B - B.mean(axis=1, keepdims=True)
        sbb = (Bc * Bc).sum(axis=1)
        sby = Bc @ yc
        out[i0:i0 + 2000] = syy - sby * sby / sbb
    return out


def reference_1(x, y):
    """Global optimum of the 1-input law with alpha >= 0: dense grid + bounded Brent."""
    t = np.log(x) - np.log(x).mean()
    T = np.abs(t).max()
    ps = np.concatenate([np.linspace(0, 5, 50001), np.linspace(5, 60 / T, 2001)[1:]])
    g = grid_rss_1(t, y, ps)
    i = int(np.argmin(g))
    lo, hi = ps[max(i - 1, 0)], ps[min(i + 1, len(ps) - 1)]
    best_p, best = ps[i], rss_at([ps[i]], [t], y)
    if hi > lo:
        res = minimize_scalar(lambda p: rss_at([p], [t], y), bounds=(lo, hi),
                              method="bounded", options={"xatol": 1e-14, "maxiter": 500})
        if res.fun < best:
            best_p, best = res.x, res.fun
    for p in (lo, hi, 0.0):
        v = rss_at([p], [t], y)
        if v < best:
            best_p, best = p, v
    return best, best_p


def power_pred(l, terms, xs):
    y = np.full_like(xs[0], l, dtype=float)
    for (a, al), x in zip(terms, xs):
        y = y + (-a * np.log(x) if al == 0 else a * x ** (-al))
    return y


def r2(y, pred):
    return 1 - float(((y - pred) ** 2).sum()) / float(((y - y.mean()) ** 2).sum())


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


# ---------------------------------------------------------------- sft
def sft_rows():
    """(model, dataset, data_size, loss) of every sft run with a size and a loss > 0."""
    rows = []
    for ds in ("flan", "gigaword", "wikiword"):
        with open(os.path.join(DATA, "sldbench", "sft", ds + ".csv")) as f:
            rd = csv.reader(f)
            sizes = [float(s) for s in next(rd)[1:]]
            for rec in rd:
                for s, v in zip(sizes, rec[1:]):
                    v = float(v)
                    if s > 0 and v > 0:
                        rows.append((rec[0], ds, s, v))
    return rows


def load_sft():
    rows = sft_rows()
    load_copy("sft", "model text, dataset text, data_size float8, loss float8", rows)
    return rows


def check_sft():
    rows = load_sft()
    seeds = {}
    with open(os.path.join(DATA, "seed_fits", "sft_power_law.csv")) as f:
        for rec in csv.DictReader(f):
            seeds[(rec["model"], rec["dataset"])] = (float(rec["l_inf"]), float(rec["a"]), float(rec["alpha"]))
    fits = psql("""SELECT model, dataset, (f).l_inf, (f).a, (f).alpha, array_to_string((f).at_bound, ','),
                          (g).l_inf, (g).a, (g).alpha, array_to_string((g).at_bound, ',')
                   FROM (SELECT model, dataset, fit_power_law(data_size, loss) f,
                                fit_power_law(data_size, loss, '{"bounds": {"l_inf": [0, null]}}'::jsonb) g
                         FROM sft WHERE data_size < 819200 GROUP BY 1, 2) s ORDER BY 1, 2""")
    lim_rows = psql("""SELECT max(abs(predict_loss(f, data_size) - predict_loss(lf, data_size)) / abs(predict_loss(lf, data_size))),
                              count(DISTINCT (model, dataset))
                       FROM sft JOIN (SELECT model, dataset, fit_power_law(data_size, loss) f, fit_log_law(data_size, loss) lf
                                      FROM sft WHERE data_size < 819200 GROUP BY 1, 2) s USING (model, dataset)
                       WHERE data_size < 819200 AND 'alpha' = ANY ((f).at_bound)""")
    check(len(fits) == 42, "sft: 42 groups fitted (got %d)" % len(fits))
    worse_seed = off_ref = off_seed_bounded = 0
    worst_ref = worst_seed_b = 0.0
    held = {"ours": [[], []], "bounded": [[], []], "seed": [[], []]}
    n_edge = 0
    for r in fits:
        key = (r[0], r[1])
        x = np.array([v[2] for v in rows if (v[0], v[1]) == key and v[2] < 819200])
        y = np.array([v[3] for v in rows if (v[0], v[1]) == key and v[2] < 819200])
        xh = np.array([v[2] for v in rows if (v[0], v[1]) == key and v[2] == 819200])
        yh = np.array([v[3] for v in rows if (v[0], v[1]) == key and v[2] == 819200])
        l, a, al = float(r[2]), float(r[3]), float(r[4])
        lb, ab, alb = float(r[6]), float(r[7]), float(r[8])
        n_edge += "alpha" in r[5].split(",")
        ours = float(((y - power_pred(l, [(a, al)], [x])) ** 2).sum())
        ours_b = float(((y - power_pred(lb, [(ab, alb)], [x])) ** 2).sum())
        sl, sa, sal = seeds[key]
        seed = float(((y - power_pred(sl, [(sa, sal)], [x])) ** 2).sum())
        ref, _ = reference_1(x, y)
        if ours > seed * (1 + 1e-9):
            worse_seed += 1
            print("  %s/%s: ours %.12g > seed %.12g" % (key[0], key[1], ours, seed))
        worst_ref = max(worst_ref, rel(ours, ref))
        if rel(ours, ref) > 1e-9:
            off_ref += 1
            print("  %s/%s: ours %.15g vs reference %.15g" % (key[0], key[1], ours, ref))
        worst_seed_b = max(worst_seed_b, rel(ours_b, seed))
        if rel(ours_b, seed) > 1e-6:
            off_seed_bounded += 1
            print("  %s/%s: bounded %.12g vs seed %.12g" % (key[0], key[1], ours_b, seed))
        for name, (ll, aa, aal) in (("ours", (l, a, al)), ("bounded", (lb, ab, alb)), ("seed", (sl, sa, sal))):
            held[name][0].extend(yh)
            held[name][1].extend(power_pred(ll, [(aa, aal)], [xh]))
    check(worse_seed == 0, "sft: train RSS <= seed's published fit + 1e-9 rel in all groups (%d worse)" % worse_seed)
    check(off_ref == 0, "sft: train RSS equals the dense-grid global optimum to 1e-9 rel (worst %.2e)" % worst_ref)
    check(off_seed_bounded == 0,
          "sft: with l_inf >= 0, train RSS equals the seed's to 1e-6 rel (worst %.2e)" % worst_seed_b)
    print("  sft: %d of 42 groups end at alpha = 0 (log limit)" % n_edge)
    check(20 <= n_edge <= 40, "sft: the log-limit edge is flagged in at_bound (%d groups)" % n_edge)
    worst_lim, n_lim = float(lim_rows[0][0]), int(lim_rows[0][1])
    check(n_lim == n_edge and worst_lim < 1e-9,
          "sft: at alpha = 0, predictions at the data equal the log-law fit (worst rel diff %.2e)" % worst_lim)
    r2s = {k: r2(np.array(v[0]), np.array(v[1])) for k, v in held.items()}
    print("  sft held-out (819200) pooled R^2: ours %.4f, ours with l_inf >= 0 %.4f, seed %.4f"
          % (r2s["ours"], r2s["bounded"], r2s["seed"]))
    check(r2s["ours"] > r2s["seed"], "sft: held-out pooled R^2 ours %.4f > seed %.4f" % (r2s["ours"], r2s["seed"]))


# ---------------------------------------------------------------- parallel
def check_parallel():
    rows = []
    with open(os.path.join(DATA, "sldbench", "parallel", "data.csv")) as f:
        for rec in csv.DictReader(f):
            rows.append((rec["group"], float(rec["num_params"]), float(rec["parallel_size"]),
                         float(rec["loss"]), rec["sldbench_split"]))
    load_copy("par", "grp text, num_params float8, parallel_size float8, loss float8, split text", rows)
    fits = {r[0]: [float(v) for v in r[1:4]] for r in
            psql("""SELECT grp, (f).a, (f).b, (f).c FROM (SELECT grp, fit_log_law(num_params, parallel_size, loss) f
                    FROM par WHERE parallel_size <= 4 GROUP BY grp) s""")}
    with open(os.path.join(DATA, "seed_fits", "parallel_log_law.csv")) as f:
        for rec in csv.DictReader(f):
            if rec["group"] not in fits:
                continue
            seed = [float(rec["a"]), float(rec["b_log10_params"]) / math.log(10),
                    float(rec["c_log2_parallel"]) / math.log(2)]
            worst = max(rel(o, s) for o, s in zip(fits[rec["group"]], seed))
            check(worst < 1e-6, "parallel/%s: fit_log_law reproduces the seed to 1e-6 rel (worst %.2e)"
                  % (rec["group"], worst))


# ---------------------------------------------------------------- moe, vocab
def grid_multi(ts, y, axes):
    """min over the grid (cartesian product of axes) of the projected RSS (normal equations)."""
    yc = y - y.mean()
    bases = [np.stack([boxcox(p, t) for p in ax]) for ax, t in zip(axes, ts)]
    bases = [B - B.mean(axis=1, keepdims=True) for B in bases]
    best = (math.inf, None)
    if len(ts) == 2:
        B1, B2 = bases
        g11 = (B1 * B1).sum(1)
        g22 = (B2 * B2).sum(1)
        g12 = B1 @ B2.T
        r1 = B1 @ yc
        r2_ = B2 @ yc
        det = g11[:, None] * g22[None, :] - g12 ** 2
        c1 = (r1[:, None] * g22[None, :] - r2_[None, :] * g12) / det
        c2 = (r2_[None, :] * g11[:, None] - r1[:, None] * g12) / det
        rss = yc @ yc - c1 * r1[:, None] - c2 * r2_[None, :]
        i, j = np.unravel_index(np.nanargmin(rss), rss.shape)
        return rss[i, j], (axes[0][i], axes[1][j])
    B1, B2, B3 = bases
    g22 = (B2 * B2).sum(1)
    g33 = (B3 * B3).sum(1)
    g23 = B2 @ B3.T
    r2_ = B2 @ yc
    r3 = B3 @ yc
    for i in range(len(axes[0])):
        b1 = B1[i]
        G = np.empty((len(axes[1]), len(axes[2]), 3, 3))
        G[:, :, 0, 0] = b1 @ b1
        G[:, :, 0, 1] = G[:, :, 1, 0] = (B2 @ b1)[:, None]
        G[:, :, 0, 2] = G[:, :, 2, 0] = (B3 @ b1)[None, :]
        G[:, :, 1, 1] = g22[:, None]
        G[:, :, 2, 2] = g33[None, :]
        G[:, :, 1, 2] = G[:, :, 2, 1] = g23
        R = np.empty((len(axes[1]), len(axes[2]), 3))
        R[:, :, 0] = b1 @ yc
        R[:, :, 1] = r2_[:, None]
        R[:, :, 2] = r3[None, :]
        with np.errstate(all="ignore"):
            try:
                C = np.linalg.solve(G, R[..., None])[..., 0]
            except np.linalg.LinAlgError:
                continue
        rss = yc @ yc - (C * R).sum(-1)
        j, k = np.unravel_index(np.nanargmin(rss), rss.shape)
        if rss[j, k] < best[0]:
            best = (rss[j, k], (axes[0][i], axes[1][j], axes[2][k]))
    return best


def load_moe():
    """(dense parameters, experts, validation loss) at step 249000, loaded as table moe."""
    rows = []
    with open(os.path.join(DATA, "sldbench", "moe", "data.csv")) as f:
        for rec in csv.DictReader(f):
            if rec["step"] == "249000":
                rows.append((float(rec["dense_parameter_count"]), float(rec["num_experts"]),
                             float(rec["loss_validation"])))
    load_copy("moe", "dense float8, experts float8, loss float8", rows)
    return rows


def check_moe():
    rows = load_moe()
    top = max(r[0] for r in rows)
    f = psql("SELECT (f).l_inf, (f).a, (f).alpha, (f).b, (f).beta FROM "
             "(SELECT fit_power_law(dense, experts, loss) f FROM moe WHERE dense < %r) s" % top)[0]
    l, a, al, b, be = map(float, f)
    tr = np.array([r for r in rows if r[0] < top])
    ho = np.array([r for r in rows if r[0] == top])
    ours = float(((tr[:, 2] - power_pred(l, [(a, al), (b, be)], [tr[:, 0], tr[:, 1]])) ** 2).sum())
    ts = [np.log(tr[:, 0]) - np.log(tr[:, 0]).mean(), np.log(tr[:, 1]) - np.log(tr[:, 1]).mean()]
    ax = np.linspace(0, 3, 301)
    ref, at = grid_multi(ts, tr[:, 2], [ax, ax])
    check(ours <= ref * (1 + 1e-9), "moe: train RSS %.10g <= dense-grid (301x301 over [0,3]^2) RSS %.10g at %s"
          % (ours, ref, tuple(round(v, 3) for v in at)))
    print("  moe: alpha %.5g beta %.5g; held-out R^2 %.4f"
          % (al, be, r2(ho[:, 2], power_pred(l, [(a, al), (b, be)], [ho[:, 0], ho[:, 1]]))))


def load_vocab():
    """(non-vocab parameters, vocab size, characters, Lossu), loaded as table vocab."""
    rows = []
    with open(os.path.join(DATA, "sldbench", "vocab", "data.csv")) as f:
        for rec in csv.DictReader(f):
            rows.append((float(rec["Non_vocab_parameters"]), float(rec["vocab_size"]),
                         float(rec["num_characters"]), float(rec["Lossu"])))
    load_copy("vocab", "nv float8, vs float8, nc float8, lossu float8", rows)
    return rows


def check_vocab():
    rows = load_vocab()
    top = max(r[0] for r in rows)
    opts = '{"bounds": {"alpha": [-3, 3], "beta": [-3, 3], "gamma": [-3, 3]}}'
    f = psql("SELECT (f).l_inf, (f).a, (f).alpha, (f).b, (f).beta, (f).c, (f).gamma FROM "
             "(SELECT fit_power_law(nv, vs, nc, lossu, '%s'::jsonb) f FROM vocab WHERE nv < %r) s" % (opts, top))[0]
    l, a, al, b, be, c, ga = map(float, f)
    tr = np.array([r for r in rows if r[0] < top])
    ho = np.array([r for r in rows if r[0] == top])
    pred = lambda d: power_pred(l, [(a, al), (b, be), (c, ga)], [d[:, 0], d[:, 1], d[:, 2]])
    ours = float(((tr[:, 3] - pred(tr)) ** 2).sum())
    ts = [np.log(tr[:, j]) - np.log(tr[:, j]).mean() for j in range(3)]
    ax = np.linspace(-3, 3, 61)
    ref, at = grid_multi(ts, tr[:, 3], [ax, ax, ax])
    check(ours <= ref * (1 + 1e-9), "vocab: train RSS %.10g <= dense-grid (61^3 over [-3,3]^3) RSS %.10g at %s"
          % (ours, ref, tuple(round(v, 3) for v in at)))
    print("  vocab: alpha %.5g beta %.5g gamma %.5g; held-out R^2 %.4f"
          % (al, be, ga, r2(ho[:, 3], pred(ho))))


def main():
    if not os.path.isdir(os.path.join(DATA, "sldbench")):
        print("skip - shared data not found at %s" % DATA)
        print("0 passed, 0 failed")
        return 0
    psql("CREATE EXTENSION IF NOT EXISTS scalinglaw")
    for fn in (check_sft, check_parallel, check_moe, check_vocab):
        try:
            fn()
        except Exception as e:  # a crash of one check is a failure, not an abort
            check(False, "%s raised %s" % (fn.__name__, str(e).strip()[:500]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
