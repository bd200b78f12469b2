#!/usr/bin/env bash
# Runs every test of scalinglaw: installs packages (root), builds with
# warnings as errors, installs, runs the core unit tests (also under ASan and
# UBSan), then pg_regress and the data checks on a temporary cluster
# (pg_virtualenv), then the script tests of storing, sharding and scheduling
# (test/storage, test/shard, test/cron), of hostile input (test/fuzz,
# test/valgrind, test/pgbench, test/cancel) and of plots (test/plots, which
# renders them in headless chromium).  Ends with the line 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
log=$(mktemp -d)
pass=0
fail=0

count_plain() {   # add the 'N passed, N failed' line of a log
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then
    echo "no result line in $1: counted as one failure"
    fail=$((fail + 1))
    return
  fi
  pass=$((pass + $(echo "$line" | awk '{print $1}')))
  fail=$((fail + $(echo "$line" | awk '{print $3}')))
}

if ! bash test/install_deps.sh; then
  echo "package installation failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# warnings are errors here, in CI, and not in the Makefiles users build with:
# the module (COPT), the core tests and the fuzz targets (WERROR)
export WERROR=-Werror
echo "== build (warnings are errors)"
make -s clean >/dev/null 2>&1
if ! make -s COPT=-Werror >"$log/build" 2>&1 || ! make -s install >>"$log/build" 2>&1; then
  cat "$log/build"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== core unit tests"
make -s -C test/core clean >/dev/null
make -s -C test/core check 2>&1 | tee "$log/core" | grep -v '^ok '
count_plain "$log/core"

echo "== core unit tests under AddressSanitizer and UBSan"
make -s -C test/core check-sanitize 2>&1 | tee "$log/core_san" | grep -v '^ok '
count_plain "$log/core_san"

echo "== pg_regress and data checks on a temporary cluster"
chmod a+rwx "$log"
pg_virtualenv -v 15 bash -c "
  cd '$top'
  make -s installcheck REGRESS_OUTDIR='$top' > '$log/regress' 2>&1
  /usr/bin/python3 test/data/check_sldbench.py > '$log/data' 2>&1
  /usr/bin/python3 test/data/check_formula.py > '$log/formula_data' 2>&1
  /usr/bin/python3 test/data/check_nist.py > '$log/nist' 2>&1
  /usr/bin/python3 test/data/check_std_errors.py > '$log/std_errors' 2>&1
  /usr/bin/python3 test/data/check_intervals.py > '$log/intervals' 2>&1
  /usr/bin/python3 test/data/check_coverage.py > '$log/coverage' 2>&1
" || true
cat "$log/regress"
if [ -f regression.diffs ]; then
  echo "---- regression.diffs"
  cat regression.diffs
fi
rp=$(grep -cE '^test .* \.\.\. ok|^ok ' "$log/regress" || true)
rf=$(grep -cE '^test .* \.\.\. FAILED|^not ok ' "$log/regress" || true)
if [ "$rp" -eq 0 ] && [ "$rf" -eq 0 ]; then
  rf=1
fi
pass=$((pass + rp))
fail=$((fail + rf))
cat "$log/data"
count_plain "$log/data"
cat "$log/formula_data"
count_plain "$log/formula_data"
cat "$log/nist"
count_plain "$log/nist"
cat "$log/std_errors"
count_plain "$log/std_errors"
cat "$log/intervals"
count_plain "$log/intervals"
cat "$log/coverage"
count_plain "$log/coverage"

# storing (pg_dump, SQL-level corruption), sharding (postgres_fdw) and
# scheduling (pg_cron); hostile-input testing: libFuzzer targets of the core
# (fuzz), pg_regress with the server under valgrind (valgrind), concurrent
# load (pgbench), cancel latency on 10M points (cancel); the plots' SVG and
# HTML, parsed and rendered in chromium (plots).  Each starts and stops its
# own clusters.
for t in storage shard cron fuzz valgrind pgbench cancel plots; do
  echo "== test/$t/run.sh"
  t_start=$(date +%s)
  bash "test/$t/run.sh" >"$log/$t" 2>&1
  cat "$log/$t"
  echo "(test/$t/run.sh: $(( $(date +%s) - t_start )) s)"
  count_plain "$log/$t"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
