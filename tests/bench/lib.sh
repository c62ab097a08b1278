# Shared by the benchmark scripts (sourced after setting root and bin): a
# private cluster with one migrated database, and one server on it.
. "$root/deploy/lib/pg.sh"

bench_dir=
server_pid=
bin=${OPOP_BIN:-$root/build/opop-api}

# bench_key PREFIX: a new admin API key (32 characters or more).
bench_key() {
  echo "$1-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
}

# bench_need COMMAND...: stops unless every command is installed.
bench_need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || { echo "needs $c" >&2; exit 1; }
  done
}

bench_cleanup() {
  opop_stop_child "$server_pid"
  opop_pg_stop "$bench_dir/pg"
  rm -rf "$bench_dir"
}

# bench_database NAME: a private cluster (fsync on) in a new temporary folder,
# removed on exit, with the database NAME migrated. Sets bench_dir and url.
bench_database() {
  [ -x "$bin" ] || { echo "no server binary at $bin (set OPOP_BIN)" >&2; exit 1; }
  bench_dir=$(mktemp -d /tmp/opop-bench.XXXXXX)
  trap bench_cleanup EXIT
  chmod 755 "$bench_dir" # the cluster's owner (postgres, when we are root) must reach its folder
  opop_pg_start "$bench_dir/pg"
  url="host=$PGHOST port=$PGPORT dbname=$1 user=$PGUSER"
  psql -d postgres -qc "CREATE DATABASE $1"
  OPOP_DATABASE_URL=$url OPOP_LOG_LEVEL=warning "$bin" migrate >/dev/null
}

# bench_serve LOG KEY [NAME=value...]: the server on url and a free port, with
# the admin API key KEY, once it answers (run under $bench_wrap when set, such
# as valgrind). Sets port and server_pid.
bench_serve() {
  local log=$1 key=$2
  shift 2
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  env OPOP_LOG_LEVEL=warning "$@" OPOP_DATABASE_URL="$url" OPOP_PORT="$port" OPOP_BOOTSTRAP_API_KEY="$key" \
    ${bench_wrap:-} "$bin" serve >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
}
