# Shared shell functions: install what is missing, and run a private PostgreSQL
# cluster owned by the postgres user on a Unix socket inside its own folder.
# Sourced by deploy/local.sh, tests/run.sh and tests/bench/*.sh.

OPOP_PACKAGES="build-essential meson ninja-build pkg-config python3 python3-yaml libulfius-dev libjansson-dev \
libpq-dev liborcania-dev libyder-dev libsodium-dev libcmocka-dev libmicrohttpd-dev postgresql-15 \
postgresql-client-15 curl ca-certificates libcurl4-gnutls-dev zlib1g-dev"
# spreadsheets: XLSX written with libxlsxwriter, read with libzip and expat
OPOP_PACKAGES="$OPOP_PACKAGES libxlsxwriter-dev libzip-dev libexpat1-dev"

# opop_install [extra packages...]: apt-get install only what is missing.
opop_install() {
  local missing=()
  for p in $OPOP_PACKAGES "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root to install them)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

opop_pg_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  echo "PostgreSQL server binaries not found" >&2
  return 1
}

# As the cluster owner: postgres when we are root, else ourselves.
opop_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# opop_pg_start DIR: creates (first time) and starts a cluster in DIR/data with
# its socket in DIR/run; no TCP. Prints nothing; sets PGHOST and PGPORT.
opop_pg_start() {
  local dir=$1 bin
  bin=$(opop_pg_bin) || return 1
  mkdir -p "$dir/data" "$dir/run"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir" "$dir/data" "$dir/run"
  chmod 700 "$dir/data"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    opop_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null || return 1
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir/run'
port = 5432
fsync = ${OPOP_PG_FSYNC:-on}
max_connections = 200
shared_buffers = 128MB
CONF
  fi
  export PGHOST="$dir/run" PGPORT=5432 PGUSER=postgres
  if ! opop_as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    opop_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null || {
      tail -20 "$dir/postgres.log" >&2
      return 1
    }
  fi
}

opop_pg_stop() {
  local dir=$1 bin
  bin=$(opop_pg_bin) || return 1
  [ -f "$dir/data/postmaster.pid" ] && opop_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  return 0
}

# opop_pg_createdb NAME: creates the database if it does not exist.
opop_pg_createdb() {
  psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 ||
    psql -d postgres -qc "CREATE DATABASE \"$1\"" >/dev/null
}

# opop_pg_standby PRIMARY_DIR DIR: a streaming replica (pg_basebackup -R) of
# the cluster that opop_pg_start runs in PRIMARY_DIR, in DIR/data with its
# socket in DIR/run, started; later calls start it again. Sets nothing.
opop_pg_standby() {
  local primary=$1 dir=$2 bin
  bin=$(opop_pg_bin) || return 1
  mkdir -p "$dir/run"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir" "$dir/run"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    opop_as_owner "$bin/pg_basebackup" -h "$primary/run" -p 5432 -U postgres -D "$dir/data" -R -X stream -c fast || return 1
    echo "unix_socket_directories = '$dir/run'" | opop_as_owner tee -a "$dir/data/postgresql.auto.conf" >/dev/null
  fi
  opop_as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 && return 0
  opop_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null || {
    tail -20 "$dir/postgres.log" >&2
    return 1
  }
}

# opop_build: builds build/opop-api (release unless build/ is configured already).
# A release build in a folder of its own (build-local/), whatever tests/run.sh
# configured in build/; exports OPOP_BUILD_DIR.
opop_build() {
  OPOP_BUILD_DIR=build-local
  if [ -f "$OPOP_BUILD_DIR/build.ninja" ]; then
    meson setup --reconfigure "$OPOP_BUILD_DIR" --buildtype=release >/dev/null
  else
    meson setup "$OPOP_BUILD_DIR" --buildtype=release >/dev/null
  fi
  ninja -C "$OPOP_BUILD_DIR" >/dev/null
  export OPOP_BUILD_DIR
  echo "built $OPOP_BUILD_DIR/opop-api (release)" >&2
}

# opop_local_db: unless OPOP_DATABASE_URL is set, starts the private cluster
# in ${OPOP_LOCAL_DIR:-.local}/pg with database opop, and exports
# OPOP_DATABASE_URL and OPOP_LOCAL_PG (the cluster's folder, for opop_pg_stop).
opop_local_db() {
  local local_dir
  OPOP_LOCAL_PG=
  [ -n "${OPOP_DATABASE_URL:-}" ] && return 0
  local_dir=${OPOP_LOCAL_DIR:-$PWD/.local}
  mkdir -p "$local_dir"
  local_dir=$(cd "$local_dir" && pwd)
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$local_dir"; then
    echo "the postgres user cannot reach $local_dir; set OPOP_LOCAL_DIR to a folder it can reach (e.g. /srv/opop)" >&2
    return 1
  fi
  opop_pg_start "$local_dir/pg" || return 1
  OPOP_LOCAL_PG=$local_dir/pg
  opop_pg_createdb opop
  # Two roles: migrations run as postgres (the owner); the server as opop_app, a
  # member of opop_runtime, which cannot change the schema or the audit trail.
  local role
  for role in "opop_runtime NOLOGIN" "opop_app LOGIN IN ROLE opop_runtime"; do
    psql -d postgres -Atqc "SELECT 1 FROM pg_roles WHERE rolname = '${role%% *}'" | grep -q 1 ||
      psql -d postgres -qc "CREATE ROLE $role" >/dev/null
  done
  export OPOP_MIGRATE_DATABASE_URL="host=$PGHOST port=$PGPORT dbname=opop user=postgres"
  export OPOP_DATABASE_URL="host=$PGHOST port=$PGPORT dbname=opop user=opop_app" OPOP_LOCAL_PG
  echo "PostgreSQL: $local_dir/pg (socket $PGHOST)" >&2
}

# opop_stop_child PID: stops a background child of this shell (SIGTERM) and
# waits for it; nothing when PID is empty or gone.
opop_stop_child() {
  if [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1"
    wait "$1" 2>/dev/null || true
  fi
  return 0
}
