# test/lib/cluster.sh -- temporary PostgreSQL clusters for the script tests
# (sourced).  Binaries come from $(${PG_CONFIG:-pg_config} --bindir); as root,
# initdb and pg_ctl run as the postgres user.  Every cluster started here is
# stopped and removed on exit.  Also: ok/fail counters and the closing line.
PG_CONFIG=${PG_CONFIG:-pg_config}
PGBIN=$("$PG_CONFIG" --bindir)
PGSHARE=$("$PG_CONFIG" --sharedir)
CLUSTERS=()
N_PASS=0
N_FAIL=0

as_pg() {   # run a command as the cluster owner
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {   # a TCP port in 5650..5699 nobody listens on
  local p
  for p in $(seq 5650 5699 | shuf); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && [ ! -e "/tmp/.s.PGSQL.$p" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# start_cluster VAR [postgresql.conf lines...]: sets VAR to the port
start_cluster() {
  local var=$1 dir port
  shift
  dir=$(mktemp -d /tmp/scalinglaw_cluster.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  CLUSTERS+=("$dir")
  as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log"; return 1; }
  port=$(free_port) || return 1
  {
    echo "port = $port"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$dir'"
    echo "fsync = off"
    echo "max_connections = 30"
    echo "shared_buffers = 32MB"
    for line in "$@"; do echo "$line"; done
  } | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null || {
    cat "$dir/server.log"; return 1; }
  printf -v "$var" '%s' "$port"
}

stop_clusters() {
  local dir
  for dir in "${CLUSTERS[@]}"; do
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$dir"
  done
  CLUSTERS=()
}
trap stop_clusters EXIT

# sql PORT [psql arguments] -- psql on database postgres, quiet, stops at the first error
sql() {
  local port=$1
  shift
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}
# sqlv PORT DB QUERY -- one unaligned value
sqlv() {
  "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}

check() {   # check "description" command...
  local what=$1
  shift
  if "$@"; then
    N_PASS=$((N_PASS + 1)); echo "ok   - $what"
  else
    N_FAIL=$((N_FAIL + 1)); echo "FAIL - $what"
  fi
}

require_extension() {
  if [ ! -f "$PGSHARE/extension/scalinglaw--1.0--1.1.sql" ]; then
    echo "scalinglaw 1.1 is not installed in $PGSHARE (make install PG_CONFIG=$PG_CONFIG)"
    echo "0 passed, 1 failed"
    exit 1
  fi
}

finish() {
  echo "$N_PASS passed, $N_FAIL failed"
  [ "$N_FAIL" -eq 0 ]
}
