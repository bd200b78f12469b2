#!/usr/bin/env bash
# test/valgrind/run.sh -- the pg_regress suite (the Makefile's REGRESS list)
# against a temporary cluster whose postmaster runs under valgrind memcheck
# (--trace-children=yes; every backend and parallel worker is a fork of it,
# each logs to its own file).  Passes when the suite passes and no process
# reports a memcheck error (the reports are printed).  Suppressions:
# test/valgrind/postgres.supp.
#
# Debian's server is not built with USE_VALGRIND, so memcheck does not know
# palloc's chunk boundaries: an overrun inside a memory context's block, or a
# read of a pfree'd chunk that the context has not returned to malloc, goes
# unseen.  What it does see: reads of uninitialised bytes (e.g. padding that
# reaches a Datum, a hash or the disk), overruns of malloc'd memory (LAPACKE's
# work arrays; palloc chunks above 8 kB, such as a point set's arrays, get a
# malloc'd block of their own), invalid frees, and reads beyond a block.  TRACK_ORIGINS=yes adds where uninitialised
# bytes came from (slower).  Honours PG_CONFIG; ends with 'N passed, N failed'.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
source test/lib/cluster.sh
require_extension
supp="$top/test/valgrind/postgres.supp"
# where an uninitialised value was created: slower, for diagnosing a report
track_origins=${TRACK_ORIGINS:-no}
if ! command -v valgrind >/dev/null; then
  echo "valgrind is not installed (test/install_deps.sh installs it)"
  echo "0 passed, 1 failed"
  exit 1
fi

dir=$(mktemp -d /tmp/scalinglaw_valgrind.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
CLUSTERS+=("$dir")
as_pg mkdir "$dir/vg"
as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log"; echo "0 passed, 1 failed"; exit 1; }
port=$(free_port)
{
  echo "port = $port"
  echo "listen_addresses = '127.0.0.1'"
  echo "unix_socket_directories = '$dir'"
  echo "fsync = off"
  echo "max_connections = 20"
  echo "shared_buffers = 16MB"
  echo "jit = off"
  echo "huge_pages = off"
  echo "dynamic_shared_memory_type = posix"
  echo "autovacuum = off"
} | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null

start=$(date +%s)
# --error-exitcode is left out: an error in a backend must not look like a
# crash to the postmaster (it would restart every session); the logs decide
as_pg env OPENBLAS_NUM_THREADS=1 valgrind --tool=memcheck --trace-children=yes \
  --suppressions="$supp" --leak-check=no --track-origins="$track_origins" --num-callers=30 \
  --error-limit=no --gen-suppressions=all --log-file="$dir/vg/%p.log" \
  "$PGBIN/postgres" -D "$dir/data" >"$dir/server.log" 2>&1 &
postmaster=$!
ready=0
for _ in $(seq 1 600); do
  if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port"; then ready=1; break; fi
  sleep 0.5
done
if [ "$ready" -ne 1 ]; then
  cat "$dir/server.log"
  echo "the server under valgrind did not start in 300 s"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "server under valgrind ready after $(( $(date +%s) - start )) s"

mkdir -p results   # the suites COPY to results/ relative to this directory
PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres \
  make -s installcheck PG_CONFIG="$PG_CONFIG" EXTRA_REGRESS_OPTS="--outputdir=$dir/regress" \
  >"$dir/regress.log" 2>&1
regress_rc=$?
cat "$dir/regress.log"
check "pg_regress suite passes with the server under valgrind" [ "$regress_rc" -eq 0 ]
[ "$regress_rc" -ne 0 ] && [ -f "$dir/regress/regression.diffs" ] && cat "$dir/regress/regression.diffs"

# a fast shutdown lets every process exit normally and write its summary;
# the postmaster's comes after its pid file is gone, when valgrind exits
as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -t 300 -w stop >/dev/null
wait "$postmaster"
echo "suite and shutdown under valgrind: $(( $(date +%s) - start )) s"

n_logs=0
n_err=0
no_summary=0
for f in "$dir"/vg/*.log; do
  [ -f "$f" ] || continue
  n_logs=$((n_logs + 1))
  e=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -n 1)
  if [ -z "$e" ]; then
    no_summary=$((no_summary + 1))
    echo "---- $(basename "$f"): no ERROR SUMMARY (process did not exit normally)"
    tail -n 20 "$f"
  elif [ "$e" -gt 0 ]; then
    n_err=$((n_err + e))
    echo "---- $(basename "$f"): $e errors"
    cat "$f"
  fi
done
echo "valgrind logs: $n_logs processes, $n_err errors, $no_summary without a summary"
check "valgrind logs of every process" [ "$n_logs" -gt 0 ]
check "no memcheck error in any process" [ "$n_err" -eq 0 ]
check "every process under valgrind exited normally" [ "$no_summary" -eq 0 ]
finish
