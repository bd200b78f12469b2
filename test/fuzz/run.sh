#!/usr/bin/env bash
# test/fuzz/run.sh -- builds the libFuzzer targets (ASan + UBSan) and runs
# each from the committed seed corpus (corpus/<target>, made by gen_seeds.c)
# plus the inputs kept from past findings (regress/<target>), which every
# run replays: fuzz_text, fuzz_binary, fuzz_merge and fuzz_formula for
# FUZZ_RUNS executions each (default 1,000,000), one after the other; meanwhile
# fuzz_solver, about 1,000 times slower per execution (each one is up to two
# full fits), runs on the other core for FUZZ_SOLVER_SECONDS (default 180).
# A target passes when libFuzzer finishes its budget without a crash, a
# sanitizer report, a violated invariant (abort) or a timeout (10 s for one
# input).  A failing input is printed in hex (CI keeps no files): keep it in
# regress/<target>/ once understood.  Prints executions per target; ends
# with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")"
runs=${FUZZ_RUNS:-1000000}
# a fixed seed: a CI run explores what the last one did, so it fails only on a
# change of the code (FUZZ_SEED=0 lets libFuzzer pick one, for campaigns)
seed=${FUZZ_SEED:-1}
solver_seconds=${FUZZ_SOLVER_SECONDS:-180}
work=$(mktemp -d /tmp/scalinglaw_fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

if ! make -s all >"$work/build" 2>&1; then
  cat "$work/build"
  echo "fuzz targets do not build"
  echo "0 passed, 1 failed"
  exit 1
fi

# fuzz TARGET MAX_LEN LIMIT... : runs TARGET in the background-safe way, log in $work/TARGET.log
fuzz() {
  local t=$1 max_len=$2
  shift 2
  mkdir -p "$work/$t"
  "./$t" "$@" -seed="$seed" -max_len="$max_len" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$work/$t-" "$work/$t" "corpus/$t" $(ls -d "regress/$t" 2>/dev/null) \
    >"$work/$t.log" 2>&1
  echo $? >"$work/$t.rc"
}

report() {   # report TARGET: executions, pass/fail, the failing input
  local t=$1 rc execs secs
  rc=$(cat "$work/$t.rc")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -n 1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$work/$t.log" | tail -n 1)
  grep -h '^fuzz_solver: ' "$work/$t.log" || true
  if [ "$rc" -eq 0 ] && [ -n "$secs" ]; then
    pass=$((pass + 1))
    echo "ok   - $t: ${execs:-?} executions in ${secs} s ($(( ${execs:-0} / (secs > 0 ? secs : 1) )) per s)"
  else
    fail=$((fail + 1))
    echo "FAIL - $t (exit $rc) after ${execs:-?} executions"
    grep -E 'invariant violated|ERROR: |runtime error|SUMMARY|^    #[0-9]' "$work/$t.log" | head -n 30
    for f in "$work/$t"-*; do
      [ -f "$f" ] || continue
      echo "  failing input $(basename "$f") ($(stat -c %s "$f") bytes, hex):"
      od -An -tx1 -v "$f" | head -n 64
    done
  fi
}

start=$(date +%s)
fuzz fuzz_solver 1024 -max_total_time="$solver_seconds" &
solver=$!
fuzz fuzz_text 4096 -runs="$runs"
fuzz fuzz_binary 4096 -runs="$runs"
fuzz fuzz_merge 4096 -runs="$runs"
# a selector byte and up to SLF_MAX_TEXT bytes of formula, and a little past it
fuzz fuzz_formula 4200 -runs="$runs"
wait "$solver"
for t in fuzz_text fuzz_binary fuzz_merge fuzz_formula fuzz_solver; do
  report "$t"
done
echo "fuzz stage: $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
