#!/usr/bin/env python3
"""Checks the documents scaling_law_svg and scaling_law_report make.

Runs against the database psql reaches through the environment (PGHOST,
PGPORT, ...; test/plots/run.sh starts a temporary cluster).  Every SVG is
parsed as XML and every HTML page with html.parser; what they draw is
checked against the database: the number of markers and where they are,
the curve's vertices against predict_loss (inverting the axis transform the
document states in data-x-axis / data-y-axis), the band against
predict_interval, tick labels, escaped hostile labels, the size bound for
1,000,000 rows, and that docs/sft_plot.svg is what the current build makes
from ../shared/data (UPDATE_DOCS=1 rewrites it).  Then Debian's chromium
renders an SVG and the HTML page to PNG (written to the folder given as the
first argument) and the pixels are checked: not blank, the series colour at
markers, curve vertices and legend swatches.

Prints one line per check and ends with 'checks: N passed, N failed'.
"""
import base64
import html.parser
import math
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "data"))
import check_sldbench  # noqa: E402  (the sft data loader and psql helper)

NS = "{http://www.w3.org/2000/svg}"
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "out")
passed = failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
        print("ok   - " + msg)
    else:
        failed += 1
        print("FAIL - " + msg)


def psql(sql):
    return check_sldbench.psql(sql)


def value(sql):
    """One text value (may span lines)."""
    r = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return r.stdout[:-1] if r.stdout.endswith("\n") else r.stdout


# ---------------------------------------------------------------- reading an SVG
class Axis:
    def __init__(self, attr):
        kind, lo, hi, p0, p1 = attr.split()
        self.log = kind == "log"
        self.lo, self.hi, self.p0, self.p1 = float(lo), float(hi), float(p0), float(p1)

    def t(self, v):
        return math.log10(v) if self.log else v

    def px(self, v):
        return self.p0 + (self.t(v) - self.t(self.lo)) / (self.t(self.hi) - self.t(self.lo)) * (self.p1 - self.p0)

    def value(self, px):
        t = self.t(self.lo) + (px - self.p0) / (self.p1 - self.p0) * (self.t(self.hi) - self.t(self.lo))
        return 10 ** t if self.log else t


def parse_svg(text):
    root = ET.fromstring(text)
    return root, Axis(root.get("data-x-axis")), Axis(root.get("data-y-axis"))


def markers(root, held=False):
    cls = "points held-out" if held else "points"
    out = []
    for g in root.iter(NS + "g"):
        if g.get("class") == cls:
            for c in g.iter(NS + "circle"):
                out.append((int(g.get("data-series")), float(c.get("cx")), float(c.get("cy"))))
    return out


def path_vertices(d):
    """[(x, y)] of an 'M x,y L x,y ...' path (Z ignored)."""
    pts = []
    for tok in d.replace("M", " ").replace("L", " ").replace("Z", " ").split():
        x, y = tok.split(",")
        pts.append((float(x), float(y)))
    return pts


def paths(root, cls):
    return [p for p in root.iter(NS + "path") if p.get("class") == cls]


def tick_labels(root, axis):
    out = []
    for t in root.iter(NS + "text"):
        if t.get("class") == "tick-label " + axis:
            sup = [s.text for s in t.iter(NS + "tspan")]
            out.append(((t.text or "") + ("^" + sup[0] if sup else ""), float(t.get("x")), float(t.get("y"))))
    return out


def texts(root, cls):
    return ["".join(t.itertext()) for t in root.iter(NS + "text") if t.get("class") == cls]


# ---------------------------------------------------------------- data
def setup():
    psql("""DROP TABLE IF EXISTS pr_runs, pr_fits;
CREATE TABLE pr_runs AS
SELECT i, (ARRAY['alpha', 'beta', '</text><script>alert(1)</script>'])[1 + i % 3] AS grp,
       x, 1 + 0.5 * (i % 3) + 30 * x ^ (-0.25) * (1 + 0.02 * sin(5 * i)) AS y, x >= 3e6 AS held,
       d, 1.5 + 30 * x ^ (-0.3) + 8 * d ^ (-0.5) + 0.01 * sin(7 * i) AS y2
FROM (SELECT i, 1e3 * 10 ^ ((i % 25) * 0.15) AS x, (50 * 1.9 ^ (i % 7))::float8 AS d
      FROM generate_series(1, 75) i) s;
CREATE TABLE pr_fits AS
SELECT grp, fit_power_law(x, y) AS fit,
       fit_scaling_law('(N, D) => E + A * N^-alpha + B * D^-beta', ARRAY[x, d], y2) AS f2
FROM pr_runs WHERE NOT held GROUP BY grp;""")


def check_curve(root, xa, ya, fit_sql, label, band_sql=None, series=None):
    """Vertices of the fitted and extrapolated paths against predict_loss, to 0.5 px."""
    top, bottom = ya.p1, ya.p0
    worst = 0.0
    n = 0
    for cls in ("curve fitted", "curve extrapolated"):
        for p in paths(root, cls):
            if series is not None and p.get("data-series") != str(series):
                continue
            vs = [v for v in path_vertices(p.get("d")) if top + 0.5 < v[1] < bottom - 0.5]
            pick = vs[:: max(1, len(vs) // 6)][:7]
            xs = [xa.value(v[0]) for v in pick]
            if not xs:
                continue
            rows = psql("SELECT %s FROM unnest(ARRAY[%s]::float8[]) WITH ORDINALITY u(x, o) ORDER BY o"
                        % (fit_sql, ", ".join(repr(x) for x in xs)))
            for (px, py), r in zip(pick, rows):
                worst = max(worst, abs(ya.px(float(r[0])) - py))
                n += 1
    check(n >= 6 and worst <= 0.5,
          "%s: %d curve vertices where predict_loss puts them (worst %.3f px)" % (label, n, worst))
    if band_sql:
        worst = 0.0
        k = 0
        for p in paths(root, "band"):
            if series is not None and p.get("data-series") != str(series):
                continue
            vs = path_vertices(p.get("d"))
            half = len(vs) // 2
            upper = [v for v in vs[:half] if top + 0.5 < v[1] < bottom - 0.5][::40][:5]
            xs = [xa.value(v[0]) for v in upper]
            if not xs:
                continue
            rows = psql("SELECT %s FROM unnest(ARRAY[%s]::float8[]) WITH ORDINALITY u(x, o) ORDER BY o"
                        % (band_sql, ", ".join(repr(x) for x in xs)))
            for (px, py), r in zip(upper, rows):
                worst = max(worst, abs(ya.px(float(r[0])) - py))
                k += 1
        check(k >= 3 and worst <= 0.5,
              "%s: %d band vertices at predict_interval's hi (worst %.3f px)" % (label, k, worst))


def check_single():
    svg = value("""SELECT scaling_law_svg(x, y, fit, NULL, held, '{"extrapolate_to": 1e9, "title": "alpha"}')
                   FROM pr_runs JOIN pr_fits USING (grp) WHERE grp = 'alpha'""")
    check_single.svg = svg
    root, xa, ya = parse_svg(svg)
    rows = psql("SELECT x, y, held FROM pr_runs WHERE grp = 'alpha'")
    filled, open_ = markers(root), markers(root, True)
    n_held = sum(1 for r in rows if r[2] == "t")
    check(len(filled) == len(rows) - n_held and len(open_) == n_held,
          "single: %d filled and %d open markers for %d rows, %d held out"
          % (len(filled), len(open_), len(rows), n_held))
    want = sorted((round(xa.px(float(r[0])), 2), round(ya.px(float(r[1])), 2)) for r in rows)
    got = sorted((m[1], m[2]) for m in filled + open_)
    check(all(abs(a[0] - b[0]) <= 0.011 and abs(a[1] - b[1]) <= 0.011 for a, b in zip(want, got))
          and len(want) == len(got), "single: every marker at its row's pixel (to 0.01 px)")
    check_curve(root, xa, ya, "predict_loss((SELECT fit FROM pr_fits WHERE grp = 'alpha'), x)", "single",
                "(predict_interval((SELECT fit FROM pr_fits WHERE grp = 'alpha'), x)).hi")
    # the dashed part starts at the fit's x_max and ends at extrapolate_to
    ext = paths(root, "curve extrapolated")
    xmax = float(value("SELECT (fit).x_max[1] FROM pr_fits WHERE grp = 'alpha'"))
    if ext:
        vs = path_vertices(ext[0].get("d"))
        check(abs(xa.value(vs[0][0]) / xmax - 1) < 1e-3 and abs(xa.value(vs[-1][0]) / 1e9 - 1) < 1e-3,
              "single: dashed from x_max %g to 1e9 (%g .. %g)" % (xmax, xa.value(vs[0][0]), xa.value(vs[-1][0])))
    else:
        check(False, "single: an extrapolated path")
    labels = tick_labels(root, "x")
    powers = [e for e in range(-20, 30) if xa.lo <= 10 ** e <= xa.hi]
    check([l[0] for l in labels] == ["10^%d" % e for e in powers]
          and all(abs(l[1] - xa.px(10 ** e)) <= 0.011 for l, e in zip(labels, powers)),
          "single: x tick labels %s at their powers of ten" % " ".join(l[0] for l in labels))
    ylabels = tick_labels(root, "y")
    ok = len(ylabels) >= 3
    for text, _x, y in ylabels:
        v = float(text) if "^" not in text else 10 ** int(text.split("^")[1])
        ok = ok and abs(ya.px(v) + 4 - y) <= 0.011
    check(ok, "single: y tick labels %s at their values" % " ".join(l[0] for l in ylabels))
    return svg


def check_series():
    svg = value("""SELECT scaling_law_svg(x, y, fit, grp, held, '{"title": "<b>all</b> & more", "extrapolate_to": 1e9}')
                   FROM pr_runs JOIN pr_fits USING (grp)""")
    root, xa, ya = parse_svg(svg)
    check(not any(e.tag.endswith("script") for e in root.iter()) and "<script" not in svg,
          "series: no script element in a figure with a hostile series name")
    legend = texts(root, "legend-label")
    check(legend[:3] == ["</text><script>alert(1)</script>", "alpha", "beta"]
          and texts(parse_svg(check_single.svg)[0], "legend-label") == ["held out", "extrapolated", "95% band"],
          "series: legend entries, the hostile name as text, in label order; none for one unlabelled series")
    check(texts(root, "title") == ["<b>all</b> & more"], "series: the title as text")
    per = {}
    for s, _x, _y in markers(root) + markers(root, True):
        per[s] = per.get(s, 0) + 1
    check(per == {0: 25, 1: 25, 2: 25}, "series: 25 markers per series (%s)" % per)
    for s, grp in enumerate(["</text><script>alert(1)</script>", "alpha", "beta"]):
        check_curve(root, xa, ya, "predict_loss((SELECT fit FROM pr_fits WHERE grp = %s), x)"
                    % ("'" + grp.replace("'", "''") + "'"), "series %d" % s, series=s)
    return svg


def check_two_inputs():
    svg = value("""SELECT scaling_law_svg(ARRAY[x, d], y2, f2, '{"x_input": "N"}')
                   FROM pr_runs JOIN pr_fits USING (grp) WHERE grp = 'beta'""")
    root, xa, ya = parse_svg(svg)
    # the other input at the row of largest N (ties: largest D)
    held = value("SELECT d FROM pr_runs WHERE grp = 'beta' ORDER BY x DESC, d DESC LIMIT 1")
    check_curve(root, xa, ya, "predict_loss((SELECT f2 FROM pr_fits WHERE grp = 'beta'), ARRAY[x, %s])" % held,
                "two inputs (N on the axis, D = %s)" % held)
    check(any(("x2 = %g" % float(held)) in t for t in texts(root, "note")),
          "two inputs: the note names D's value")


def check_size():
    psql("""DROP TABLE IF EXISTS pr_big;
CREATE TABLE pr_big AS SELECT x, 1.5 + 40 * x ^ (-0.3) * exp(0.3 * sin(i * 0.7)) AS y
FROM generate_series(1, 1000000) i, LATERAL (SELECT 10 ^ (2 + 7 * ((i * 0.6180339887) % 1)) AS x) v;
ANALYZE pr_big;""")
    t0 = time.time()
    value("SELECT fit_power_law(x, y) IS NOT NULL FROM pr_big")
    fit_s = time.time() - t0
    t0 = time.time()
    svg = value("""SELECT scaling_law_svg(x, y, f) FROM pr_big,
                   (SELECT fit_power_law(x, y) f FROM pr_big) s""")
    svg_s = time.time() - t0
    root, xa, ya = parse_svg(svg)
    n = len(markers(root))
    check(len(svg) < 300000 and n <= 2000,
          "1,000,000 rows: %d bytes, %d markers (bound 300 kB, 2000 markers)" % (len(svg), n))
    print("  1,000,000 rows: figure (with its fit) %.2f s; the fit alone %.2f s (not a test: timings are noisy)"
          % (svg_s, fit_s))
    check(any("1000000 points drawn as" in t for t in texts(root, "note")), "1,000,000 rows: the binning is noted")


SFT_SQL = """WITH fits AS (
  SELECT model, fit_power_law(data_size, loss) AS fit FROM sft
  WHERE dataset = 'flan' AND data_size < 819200 GROUP BY model)
SELECT scaling_law_svg(data_size, loss, fit, model, data_size >= 819200,
  '{"title": "SFT on flan: fits up to 409,600 examples, 819,200 held out",
    "x_label": "fine-tuning examples", "y_label": "loss", "extrapolate_to": 1e7}')
FROM sft JOIN fits USING (model)
WHERE dataset = 'flan' AND model IN ('gpt2', 'facebook/opt-350m', 'facebook/opt-6.7b', 'google/mt5-large')"""


def check_sft():
    data = os.path.join(check_sldbench.DATA, "sldbench", "sft")
    if not os.path.isdir(data):
        print("  skipped: no sft data in %s" % data)
        return None
    check_sldbench.load_sft()
    svg = value(SFT_SQL) + "\n"
    path = os.path.join(TOP, "docs", "sft_plot.svg")
    if os.environ.get("UPDATE_DOCS") == "1":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(svg)
        print("  wrote %s" % path)
    committed = open(path).read() if os.path.exists(path) else ""
    check(committed == svg, "docs/sft_plot.svg is what the current build makes from the sft data "
          "(UPDATE_DOCS=1 bash test/plots/run.sh rewrites it)")
    root, xa, ya = parse_svg(svg)
    check(len(markers(root)) == 4 * 12 and len(markers(root, True)) == 4, "sft: 48 fitted and 4 held-out markers")
    return svg


def check_report(series_svg):
    page = value("""SELECT scaling_law_report(grp, svg, fit, '{"title": "report <script>", "extrapolate_to": 1e9}')
                    FROM (SELECT grp, fit, scaling_law_svg(x, y, fit, NULL, held, '{"extrapolate_to": 1e9}') AS svg
                          FROM pr_runs JOIN pr_fits USING (grp) GROUP BY grp, fit) g""")

    class Page(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags = []
            self.imgs = []
            self.captions = []
            self.cells = []
            self.where = None

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            if tag == "img":
                self.imgs.append(dict(attrs))
            self.where = tag

        def handle_endtag(self, tag):
            self.where = None

        def handle_data(self, d):
            if self.where == "figcaption":
                self.captions.append(d)
            if self.where in ("th", "td"):
                self.cells.append(d)

    p = Page()
    p.feed(page)
    check("script" not in p.tags, "report: no script element (hostile label and title)")
    check(p.captions == ["</text><script>alert(1)</script>", "alpha", "beta"],
          "report: one captioned figure per group, in label order, labels as text")
    ok = len(p.imgs) == 3
    docs = []
    for img in p.imgs:
        src = img.get("src", "")
        ok = ok and src.startswith("data:image/svg+xml;base64,")
        doc = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
        docs.append(doc)
        ET.fromstring(doc)
    check(ok, "report: three images, each a data: URI holding a well-formed SVG")
    alpha = value("""SELECT scaling_law_svg(x, y, fit, NULL, held, '{"extrapolate_to": 1e9}')
                     FROM pr_runs JOIN pr_fits USING (grp) WHERE grp = 'alpha'""")
    check(len(docs) == 3 and docs[1] == alpha, "report: the alpha image is scaling_law_svg's document")
    r2 = ["%.6g" % float(v[0]) for v in psql("SELECT (fit).r2 FROM pr_fits ORDER BY grp")]
    cells = p.cells
    got = [cells[i + 1] for i, c in enumerate(cells) if c == "R\u00b2"]
    check(got == r2, "report: R\u00b2 of each fit beneath its plot (%s)" % " ".join(got))
    widths = [cells[i + 1] for i, c in enumerate(cells) if c == "95% interval width at x = 1e+09"]
    want = ["%.6g" % float(v[0]) for v in psql(
        "SELECT (i).hi - (i).lo FROM (SELECT predict_interval(fit, 1e9) i, grp FROM pr_fits) s ORDER BY grp")]
    check(widths == want, "report: interval widths at 1e9 (%s)" % " ".join(widths))
    return page, docs


# ---------------------------------------------------------------- the browser
def hex_rgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def near(c, want, tol=60):
    return sum((a - b) ** 2 for a, b in zip(c[:3], want)) ** 0.5 <= tol


def screenshot(chromium, url, png, w, h):
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=1", "--screenshot=" + png, "--window-size=%d,%d" % (w, h), url],
                   capture_output=True, text=True, timeout=120)
    return os.path.exists(png)


def check_pixels(img, svg, dx, dy, label):
    """Markers, curve vertices away from markers, legend swatches of svg drawn at offset (dx, dy)."""
    from PIL import Image  # noqa: F401
    root, xa, ya = parse_svg(svg)
    px = img.load()
    colours = {}
    for g in root.iter(NS + "g"):
        if g.get("class") == "points":
            colours[int(g.get("data-series"))] = hex_rgb(g.get("fill"))
    ms = markers(root)
    sample = ms[:: max(1, len(ms) // 8)][:8]
    good = sum(1 for s, x, y in sample if near(px[round(x) + dx, round(y) + dy], colours[s]))
    check(len(sample) >= 5 and good == len(sample),
          "%s: the series colour at %d of %d markers" % (label, good, len(sample)))
    allm = ms + markers(root, True)
    for cls, need in (("curve fitted", 1.0), ("curve extrapolated", 0.7)):
        ok = n = 0
        for p in paths(root, cls):
            colour = hex_rgb(p.get("stroke"))
            vs = [v for v in path_vertices(p.get("d"))
                  if all((v[0] - m[1]) ** 2 + (v[1] - m[2]) ** 2 > 36 for m in allm)]
            for x, y in vs[:: max(1, len(vs) // 5)][:5]:
                n += 1
                cx, cy = round(x) + dx, round(y) + dy
                if any(near(px[cx + i, cy + j], colour, 70) for i in (-2, -1, 0, 1, 2) for j in (-2, -1, 0, 1, 2)):
                    ok += 1
        # dashes leave gaps: most, not all, vertices of a dashed curve are inked
        check(n >= 1 and ok >= need * n,
              "%s: the curve colour within 2 px of %d of %d %s vertices away from markers" % (label, ok, n, cls))
    sw = [r for r in root.iter(NS + "rect") if r.get("class") == "swatch"]
    good = 0
    for r in sw:
        x = float(r.get("x")) + 4
        y = float(r.get("y")) + 4
        if near(px[round(x) + dx, round(y) + dy], hex_rgb(r.get("fill")), 40):
            good += 1
    # the band's legend entry: #555555 at opacity 0.18 over white
    for r in root.iter(NS + "rect"):
        if r.get("class") == "legend-band":
            sw.append(r)
            if near(px[round(float(r.get("x")) + 10) + dx, round(float(r.get("y")) + 5) + dy], (224, 224, 224), 12):
                good += 1
    check(len(sw) >= 1 and good == len(sw), "%s: legend present, %d of %d swatches in their colour"
          % (label, good, len(sw)))


def check_browser(svg, page, first_doc):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        check(False, "browser: chromium is installed (test/install_deps.sh installs it)")
        return
    try:
        from PIL import Image
    except ImportError:
        check(False, "browser: python3-pil is installed (test/install_deps.sh installs it)")
        return
    os.makedirs(OUT, exist_ok=True)
    svg_file = os.path.join(OUT, "series.svg")
    with open(svg_file, "w") as f:
        f.write(svg)
    png = os.path.join(OUT, "series.png")
    root, _, _ = parse_svg(svg)
    w, h = int(root.get("width")), int(root.get("height"))
    if not screenshot(chromium, "file://" + os.path.abspath(svg_file), png, w, h):
        check(False, "browser: chromium wrote a screenshot of the SVG")
        return
    img = Image.open(png).convert("RGB")
    pix = img.load()
    inked = sum(1 for x in range(0, img.width, 2) for y in range(0, img.height, 2) if pix[x, y] != (255, 255, 255))
    check(img.size == (w, h) and inked > 0.02 * (img.width * img.height / 4),
          "browser: SVG screenshot %dx%d not blank (%d inked samples)" % (img.width, img.height, inked))
    check(pix[2, 2] == (255, 255, 255), "browser: white background")
    # long labels are squeezed into the legend, not drawn past the figure's edge
    edge = sum(1 for x in range(w - 4, w) for y in range(h) if pix[x, y] != (255, 255, 255))
    check(edge == 0, "browser: nothing drawn in the figure's last 4 pixel columns (%d inked pixels)" % edge)
    check_pixels(img, svg, 0, 0, "browser SVG")

    html_file = os.path.join(OUT, "report.html")
    with open(html_file, "w") as f:
        f.write(page)
    png = os.path.join(OUT, "report.png")
    if not screenshot(chromium, "file://" + os.path.abspath(html_file), png, 1400, 1200):
        check(False, "browser: chromium wrote a screenshot of the report")
        return
    img = Image.open(png).convert("RGB")
    pix = img.load()
    inked = sum(1 for x in range(0, img.width, 2) for y in range(0, img.height, 2) if pix[x, y] != (255, 255, 255))
    check(inked > 0.02 * (img.width * img.height / 4), "browser: report screenshot not blank (%d inked samples)" % inked)
    # the page puts its first plot at (16, 64): body padding 16, a 32 px heading and 16 px below it
    check_pixels(img, first_doc, 16, 64, "browser report, first plot")
    print("  screenshots: %s" % os.path.abspath(OUT))


def main():
    setup()
    single = check_single()
    series = check_series()
    check_two_inputs()
    page, docs = check_report(series)
    check_sft()
    check_size()
    check_browser(series, page, docs[0] if docs else single)
    print("checks: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
