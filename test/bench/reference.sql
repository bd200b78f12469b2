-- test/bench/reference.sql
-- What a user does today without scalinglaw, written as a competent user
-- would: array_agg the points of a group and hand them to PL/Python.
-- Loaded into the benchmark's temporary database by bench.py.

CREATE EXTENSION IF NOT EXISTS plpython3u;

-- One shared Python module, kept in GD so every function imports numpy and
-- scipy once per backend (bench.py warms each backend before timing).
CREATE FUNCTION bench_py_init() RETURNS void LANGUAGE plpython3u AS $py$
if 'ref' in GD:
    return
import math
import warnings

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit, least_squares

warnings.simplefilter('ignore', OptimizeWarning)
warnings.simplefilter('ignore', RuntimeWarning)
ERRORS = {}   # why curve_fit failed, counted per backend (py_fit_errors())


def law(X, *p):
    """l_inf + sum_j c_j * x_j^-e_j; X is (k, m), p = (l_inf, c1, e1, c2, e2, ...)."""
    out = np.full(X.shape[1], p[0])
    for j in range(X.shape[0]):
        out = out + p[1 + 2 * j] * np.power(X[j], -p[2 + 2 * j])
    return out


def curve_fit_law(X, y, exp_lo, exp_hi):
    """scipy curve_fit of the power law with start values from the data.

    exp_lo/exp_hi None: unbounded, curve_fit's default method (Levenberg-
    Marquardt, 'lm').  Otherwise every exponent is bounded to [exp_lo, exp_hi]
    and curve_fit uses 'trf'.  Returns [l_inf, c1, e1, ...] or None when
    curve_fit raises or returns non-finite values.
    """
    k = X.shape[0]
    span = float(y.max() - y.min())
    l0 = float(y.min()) - 0.05 * (span if span > 0 else 1.0)
    if k == 1:
        # log-log slope of y - l0 against x gives alpha and a
        slope, icpt = np.polyfit(np.log(X[0]), np.log(y - l0), 1)
        e0 = [min(max(-slope, 1e-3), 5.0)]
        if exp_lo is not None:
            e0 = [min(max(e0[0], exp_lo + 1e-3), exp_hi - 1e-3)]
        p0 = [l0, math.exp(icpt), e0[0]]
    else:
        # exponents start at a typical 0.3, the linear coefficients from a
        # least-squares solve at those exponents
        e0 = [0.3] * k
        A = np.column_stack([np.ones_like(y)] + [np.power(X[j], -e0[j]) for j in range(k)])
        c = np.linalg.lstsq(A, y, rcond=None)[0]
        p0 = [c[0]]
        for j in range(k):
            p0 += [c[1 + j], e0[j]]
    f = lambda Xd, *p: law(Xd, *p)
    try:
        if exp_lo is None:
            p, _ = curve_fit(f, X, y, p0=p0, maxfev=10000)
        else:
            lo = [-np.inf] + [-np.inf, exp_lo] * k
            hi = [np.inf] + [np.inf, exp_hi] * k
            p, _ = curve_fit(f, X, y, p0=p0, bounds=(lo, hi), maxfev=10000)
    except (RuntimeError, ValueError, np.linalg.LinAlgError, FloatingPointError) as e:
        why = '%s: %s' % (type(e).__name__, str(e).split('. ')[0][:120])
        ERRORS[why] = ERRORS.get(why, 0) + 1
        return None
    if not np.all(np.isfinite(p)):
        ERRORS['non-finite result'] = ERRORS.get('non-finite result', 0) + 1
        return None
    return [float(v) for v in p]


GRID = {1: 161, 2: 41, 3: 15}


def boxcox(u, tau):
    """(1 - exp(-u tau)) / u, and tau at u = 0 (u: (G, 1), tau: (1, m))."""
    z = u * tau
    with np.errstate(divide='ignore', invalid='ignore'):
        b = -np.expm1(-z) / u
    return np.where(u == 0, tau, b)


def varpro(X, y, exp_lo, exp_hi):
    """scalinglaw's method in numpy: centred, scaled logs, Box-Cox basis, a
    grid of 161 / 41^2 / 15^3 exponents uniform in asinh(u / 0.5), the
    linear coefficients by least squares (batched QR), then
    scipy.optimize.least_squares on the projected residual from the best
    four separated grid points.  Returns [l_inf, c1, e1, ...]."""
    k, m = X.shape
    G = GRID[k]
    L = np.log(X)
    cen = L.mean(axis=1)
    t = L - cen[:, None]
    T = np.abs(t).max(axis=1)
    tau = t / T[:, None]
    ym = y.mean()
    ysd = y.std() or 1.0
    ys = (y - ym) / ysd
    ulo = np.clip(exp_lo * T, -60, 60)
    uhi = np.clip(exp_hi * T, -60, 60)
    axes = [0.5 * np.sinh(np.linspace(np.arcsinh(ulo[j] / 0.5), np.arcsinh(uhi[j] / 0.5), G))
            for j in range(k)]
    for ax in axes:
        ax[np.abs(ax) < 1e-300] = 0.0
    bases = [boxcox(axes[j][:, None], tau[j][None, :]) for j in range(k)]
    idx = np.stack(np.meshgrid(*[np.arange(G)] * k, indexing='ij'), -1).reshape(-1, k)
    yy = ys @ ys
    rss = np.empty(len(idx))
    for s in range(0, len(idx), 512):
        ch = idx[s:s + 512]
        A = np.empty((len(ch), m, k + 1))
        A[:, :, 0] = 1.0
        for j in range(k):
            A[:, :, j + 1] = bases[j][ch[:, j]]
        Q, R = np.linalg.qr(A)
        # a rank-deficient column (u at a degenerate point) gives a tiny
        # diagonal: its projection is noise, leave that grid point out
        d = np.abs(np.diagonal(R, axis1=1, axis2=2)).min(axis=1)
        proj = np.einsum('cmn,m->cn', Q, ys)
        r = yy - (proj * proj).sum(axis=1)
        r[d < 1e-10 * np.sqrt(m)] = np.inf
        rss[s:s + 512] = r
    order = np.argsort(rss, kind='stable')
    starts = []
    for i in order:
        if not np.isfinite(rss[i]):
            break
        if all(np.abs(idx[i] - idx[s]).max() > 1 for s in starts):
            starts.append(i)
            if len(starts) == 4:
                break

    def design(u):
        return np.column_stack([np.ones(m)] + [boxcox(np.array([[u[j]]]), tau[j][None, :])[0]
                                                 for j in range(k)])

    def resid(u):
        A = design(u)
        c = np.linalg.lstsq(A, ys, rcond=None)[0]
        return ys - A @ c

    best_u, best_f = None, np.inf
    for i in starts:
        u0 = np.array([axes[j][idx[i][j]] for j in range(k)])
        f0 = float(rss[i])
        if f0 < best_f:
            best_u, best_f = u0, f0
        try:
            lo, hi = ulo.copy(), uhi.copy()
            same = lo == hi
            hi[same] += 1e-12
            res = least_squares(resid, np.clip(u0, lo, hi), bounds=(lo, hi), method='trf',
                                x_scale=1.0, xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=200)
        except (ValueError, np.linalg.LinAlgError):
            continue
        f = float(res.fun @ res.fun)
        if f < best_f:
            best_u, best_f = res.x, f
    if best_u is None:
        return None
    u = np.array(best_u, dtype=float)
    # the polish stays strictly inside its bounds: an exponent a hair above a
    # bound of 0 is the log limit; take exactly 0 unless that costs RSS (a
    # tiny nonzero u would make l_inf and a huge and cancel in predictions)
    for j in range(k):
        if u[j] != 0.0 and abs(u[j]) < 1e-6 and ulo[j] <= 0.0 <= uhi[j]:
            v = u.copy()
            v[j] = 0.0
            r = resid(v)
            if float(r @ r) <= best_f * (1 + 1e-10):
                u = v
    c = np.linalg.lstsq(design(u), ys, rcond=None)[0]
    # back to the user's units: y = l_inf + sum a_j x_j^-e_j (e_j = 0: -a_j ln x_j)
    l_inf = ym + ysd * c[0]
    out = []
    for j in range(k):
        if u[j] == 0.0:
            a = -ysd * c[1 + j] / T[j]
            l_inf += -ysd * c[1 + j] * cen[j] / T[j]
            out += [a, 0.0]
        else:
            a = -ysd * c[1 + j] / u[j] * math.exp(u[j] * cen[j] / T[j])
            l_inf += ysd * c[1 + j] / u[j]
            out += [a, u[j] / T[j]]
    res = [l_inf] + out
    return [float(v) for v in res] if np.all(np.isfinite(res)) else None


GD['ref'] = {'np': np, 'curve_fit_law': curve_fit_law, 'varpro': varpro, 'errors': ERRORS}
$py$;

-- y = l_inf + a * x^-alpha by curve_fit; [l_inf, a, alpha], NULL on failure.
-- bounded = false: curve_fit's default (unbounded, 'lm', maxfev 10000);
-- bounded = true: alpha >= 0 as scalinglaw's default domain ('trf').
CREATE FUNCTION py_curve_fit(x float8[], y float8[], bounded boolean DEFAULT false)
RETURNS float8[] LANGUAGE plpython3u IMMUTABLE STRICT AS $py$
if 'ref' not in GD:
    plpy.execute('SELECT bench_py_init()')
R = GD['ref']
np = R['np']
X = np.asarray(x, dtype=float)[None, :]
Y = np.asarray(y, dtype=float)
return R['curve_fit_law'](X, Y, 0.0 if bounded else None, np.inf if bounded else None)
$py$;

-- k-input power law by curve_fit: xs is array_agg(ARRAY[x1, x2, ...]);
-- exponents bounded to [exp_lo, exp_hi] (NULLs: unbounded 'lm').
-- Returns [l_inf, a, alpha, b, beta, ...], NULL on failure.
CREATE FUNCTION py_curve_fit_k(xs float8[], y float8[], exp_lo float8, exp_hi float8)
RETURNS float8[] LANGUAGE plpython3u IMMUTABLE AS $py$
if 'ref' not in GD:
    plpy.execute('SELECT bench_py_init()')
R = GD['ref']
np = R['np']
X = np.asarray(xs, dtype=float).T
Y = np.asarray(y, dtype=float)
return R['curve_fit_law'](X, Y, exp_lo, exp_hi if exp_lo is not None else None)
$py$;

-- k-input power law by scalinglaw's method written in numpy/scipy (grid +
-- least squares + least_squares polish); exponents in [exp_lo, exp_hi].
CREATE FUNCTION py_varpro(xs float8[], y float8[], exp_lo float8, exp_hi float8)
RETURNS float8[] LANGUAGE plpython3u IMMUTABLE STRICT AS $py$
if 'ref' not in GD:
    plpy.execute('SELECT bench_py_init()')
R = GD['ref']
np = R['np']
X = np.asarray(xs, dtype=float).T
Y = np.asarray(y, dtype=float)
return R['varpro'](X, Y, exp_lo, exp_hi)
$py$;

-- why curve_fit failed in this backend since the last call: 'reason: count; ...'
CREATE FUNCTION py_fit_errors() RETURNS text LANGUAGE plpython3u AS $py$
if 'ref' not in GD:
    return ''
e = GD['ref']['errors']
out = '; '.join('%s (%d)' % (k, v) for k, v in sorted(e.items()))
e.clear()
return out
$py$;

-- y = a + b ln x1 + c ln x2 by curve_fit (the parallel data's log law).
CREATE FUNCTION py_curve_fit_log2(x1 float8[], x2 float8[], y float8[])
RETURNS float8[] LANGUAGE plpython3u IMMUTABLE STRICT AS $py$
if 'ref' not in GD:
    plpy.execute('SELECT bench_py_init()')
np = GD['ref']['np']
from scipy.optimize import curve_fit
X = np.log(np.asarray([x1, x2], dtype=float))
Y = np.asarray(y, dtype=float)
f = lambda Xd, a, b, c: a + b * Xd[0] + c * Xd[1]
try:
    p, _ = curve_fit(f, X, Y, p0=[float(Y.mean()), 0.0, 0.0], maxfev=10000)
except (RuntimeError, ValueError):
    return None
return [float(v) for v in p]
$py$;
