#!/usr/bin/env python3
"""NIST StRD certified problems (nist_strd.py) fitted by fit_scaling_law from no
start values: every parameter to 6 correct digits (log relative error >= 6), and a
residual sum of squares no worse than the certified one (1e-9 relative); where
NIST certifies the parameters' standard deviations, std_errors to 5 correct digits.

Runs against the database psql reaches through the environment, as
check_formula.py.  Prints one line per problem and ends with 'N passed, N failed'.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_sldbench as sb  # noqa: E402
import nist_strd  # noqa: E402


def lre(value, certified):
    """NIST's log relative error: the number of correct digits."""
    if value == certified:
        return 15.0
    return -math.log10(abs(value - certified) / abs(certified))


def main():
    for p in nist_strd.PROBLEMS:
        sb.load_copy("nist", "x float8, y float8", list(zip(p["x"], p["y"])))
        n = len(p["certified"])
        row = sb.psql("SET extra_float_digits = 3; "
                      "SELECT (f).params, (f).rmse, (f).converged, (f).std_errors FROM "
                      "(SELECT fit_scaling_law('%s', x, y) f FROM nist) s" % p["formula"])[0]
        if row[0] == "":
            sb.check(False, "%s: a fit" % p["name"])
            continue
        params = dict((k, float(v)) for k, v in
                      (kv.split(":") for kv in row[0].strip("{}").replace('"', "").split(", ")))
        digits = [lre(params["b%d" % (i + 1)], c) for i, c in enumerate(p["certified"])]
        rss = float(row[1]) ** 2 * len(p["y"])
        sd_ok, sd_text = True, ""
        if "sd" in p:
            se = dict((k, float(v) if v.strip() != "null" else float("nan")) for k, v in
                      (kv.split(":") for kv in row[3].strip("{}").replace('"', "").split(", ")))
            sd_digits = [lre(se["b%d" % (i + 1)], c) if not math.isnan(se["b%d" % (i + 1)]) else 0.0
                         for i, c in enumerate(p["sd"])]
            sd_ok = min(sd_digits) >= 5
            sd_text = "; std_errors against the certified standard deviations: digits %s (fewest %.1f)" % (
                " ".join("%.1f" % d for d in sd_digits), min(sd_digits))
        sb.check(min(digits) >= 6 and rss <= p["rss"] * (1 + 1e-9) and sd_ok,
                 "%s (%d points, %d parameters): correct digits %s (fewest %.1f); RSS %.10g, certified "
                 "%.10g%s" % (p["name"], len(p["y"]), n, " ".join("%.1f" % d for d in digits), min(digits),
                              rss, p["rss"], sd_text))
    print("%d passed, %d failed" % (sb.passed, sb.failed))
    return 0 if sb.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
