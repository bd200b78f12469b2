#!/usr/bin/env bash
# test/plots/run.sh -- the documents of scaling_law_svg and scaling_law_report
# on a temporary cluster: test/plots/check_plots.py parses every SVG (XML)
# and HTML page (html.parser) and checks what they draw against the
# database (markers, curves against predict_loss, bands against
# predict_interval, tick labels, escaped hostile labels, the size bound for
# 1,000,000 rows, docs/sft_plot.svg up to date), then renders them in
# Debian's headless chromium and checks the screenshots' pixels.
# Screenshots go to PLOTS_OUT (default test/plots/out, git-ignored), which
# the test prints.  UPDATE_DOCS=1 rewrites docs/sft_plot.svg.  Honours
# PG_CONFIG; ends with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
require_extension
out=${PLOTS_OUT:-test/plots/out}
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.svg "$out"/*.html

start_cluster PORT "max_parallel_workers_per_gather = 0" "jit = off" \
  || { echo "0 passed, 1 failed"; exit 1; }
sql "$PORT" -c "CREATE EXTENSION scalinglaw" || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres PATH="$PGBIN:$PATH" \
  /usr/bin/python3 test/plots/check_plots.py "$out" 2>&1 | tee "$log"
line=$(grep -E '^checks: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
rm -f "$log"
if [ -z "$line" ]; then
  echo "check_plots.py ended without its result line"
  N_FAIL=$((N_FAIL + 1))
else
  N_PASS=$((N_PASS + $(echo "$line" | awk '{print $2}')))
  N_FAIL=$((N_FAIL + $(echo "$line" | awk '{print $4}')))
fi
finish
