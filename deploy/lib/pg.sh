# Shared shell functions: install what is missing, and run a private PostgreSQL
# cluster owned by the postgres user on a Unix socket inside its own folder.
# Sourced by deploy/local.sh, tests/run.sh and tests/bench/*.sh.

OPOP_PACKAGES="build-essential meson ninja-build pkg-config python3 python3-yaml libulfius-dev libjansson-dev \
libpq-dev liborcania-dev libyder-dev libsodium-dev libcmocka-dev libmicrohttpd-dev postgresql-15 \
postgresql-client-15 curl ca-certificates"
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
