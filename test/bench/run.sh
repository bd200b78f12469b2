#!/usr/bin/env bash
# test/bench/run.sh -- the benchmark suite (make bench).  Starts a temporary
# PostgreSQL 15 cluster (initdb under /tmp, unix socket only, removed on
# exit), runs test/bench/bench.py against it, and prints the markdown report
# (also written to test/bench/results/latest.md).
#
# Measures the scalinglaw installed in the server (make install), loading a
# private copy of its library taken at the start;
# the report says whether its code matches this tree's build.
# Environment: QUICK=1 (1/50 of the rows, 3 runs), SCALE, REPEAT, BUDGET
# (see bench.py).  Needs: postgresql-15, postgresql-plpython3-15,
# python3-numpy, python3-scipy, python3-psycopg2 (test/install_deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)

PG_CONFIG=${PG_CONFIG:-pg_config}
bindir=$("$PG_CONFIG" --bindir)
pkglibdir=$("$PG_CONFIG" --pkglibdir)
sharedir=$("$PG_CONFIG" --sharedir)

missing=()
[ -f "$sharedir/extension/scalinglaw.control" ] || missing+=("scalinglaw is not installed (make && make install)")
[ -f "$sharedir/extension/plpython3u.control" ] || missing+=("postgresql-plpython3-15")
/usr/bin/python3 -c 'import numpy, scipy' 2>/dev/null || missing+=("python3-numpy python3-scipy")
/usr/bin/python3 -c 'import psycopg2' 2>/dev/null || missing+=("python3-psycopg2")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'bench: missing: %s\n' "${missing[@]}" >&2
  echo "bench: run 'sudo bash test/install_deps.sh && make && sudo make install' first" >&2
  exit 1
fi

# bench.py compares the installed library with this tree's build by the md5
# of their code (.text only: debug info embeds the build directory)
if [ -f scalinglaw.so ]; then
  export BENCH_TREE_LIB="$top/scalinglaw.so"
fi

tmp=$(mktemp -d /tmp/slbench.XXXXXX)
run_pg() {  # initdb refuses root: run the server as postgres then
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$tmp"
chmod 755 "$tmp"
cleanup() {
  run_pg "$bindir/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

port=$((50000 + RANDOM % 10000))
# shared_buffers holds every table (about 0.6 GB at full scale); no fsync:
# the data is regenerated each run and never needs to survive a crash
sb=${BENCH_SHARED_BUFFERS:-1536MB}
run_pg "$bindir/initdb" -D "$tmp/data" -U postgres -A trust --no-sync >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log"; exit 1; }
cat >>"$tmp/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$tmp'
port = $port
shared_buffers = $sb
jit = off
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
max_wal_size = 8GB
max_worker_processes = 8
max_parallel_workers = 8
EOF
run_pg "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w start >/dev/null ||
  { cat "$tmp/server.log"; exit 1; }

export PGHOST=$tmp PGPORT=$port PGUSER=postgres PGDATABASE=postgres
# bench.py loads a private copy of the installed scalinglaw.so, taken when it
# creates the extension, so that a make install during the run cannot mix builds
export BENCH_PKGLIBDIR="$pkglibdir" BENCH_PIN_DIR="$tmp"
export BENCH_SERVER_NOTE="shared_buffers $sb, fsync off, autovacuum off (tables are VACUUM ANALYZEd after loading)"
export BENCH_COMMAND=${BENCH_COMMAND:-"make bench${QUICK:+ QUICK=$QUICK}${SCALE:+ SCALE=$SCALE}${REPEAT:+ REPEAT=$REPEAT}${BUDGET:+ BUDGET=$BUDGET}${CASES:+ CASES=$CASES}"}
/usr/bin/python3 "$top/test/bench/bench.py"

if ! cmp -s "$pkglibdir/scalinglaw.so" "$tmp/scalinglaw.so"; then
  msg="note: scalinglaw.so was reinstalled during the run; the run used its copy of the build installed at the start"
  echo "$msg"
  printf '\n%s\n' "$msg" >>"$top/test/bench/results/latest.md"
fi
