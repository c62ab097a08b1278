#!/usr/bin/env bash
# Several instances on one PostgreSQL behind HAProxy, on one machine (as root
# on Debian: installs what is missing). Builds and starts the private cluster
# as deploy/local.sh does (or uses OPOP_DATABASE_URL), migrates once, starts N
# instances (default 3) on ports OPOP_PORT+1 .. OPOP_PORT+N, and HAProxy on
# OPOP_PORT (8080) with deploy/haproxy.cfg, checking each instance's /readyz.
# Ctrl-C or SIGTERM stops them all.
#   deploy/cluster.sh [N] [--replica]
#     --replica  also starts a streaming replica (pg_basebackup -R) of the
#                private cluster and sets OPOP_DATABASE_READ_URL to it
# Each instance is kept running: SIGTERM one (its pid is in
# .local/cluster/instance-I.pid) and it drains, stops and starts again, which
# is a rolling restart when done one instance at a time. Logs: .local/cluster/.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/lib/pg.sh

n=3
replica=0
while [ $# -gt 0 ]; do
  if [ "$1" = --replica ]; then replica=1
  elif [ "$1" = -h ] || [ "$1" = --help ]; then sed -n '2,14p' "$0"; exit 0
  elif [[ "$1" =~ ^[0-9]+$ ]]; then n=$1
  else echo "unknown option: $1" >&2; exit 2
  fi
  shift
done
[ "$n" -ge 1 ] && [ "$n" -le 32 ] || { echo "N must be from 1 to 32" >&2; exit 2; }

opop_install haproxy
opop_build
opop_local_db
started_cluster=$OPOP_LOCAL_PG
if [ "$replica" = 1 ] && [ -z "$started_cluster" ]; then
  echo "--replica needs the private cluster (unset OPOP_DATABASE_URL)" >&2
  exit 2
fi

state=${OPOP_LOCAL_DIR:-$PWD/.local}/cluster
mkdir -p "$state"
state=$(cd "$state" && pwd)
rm -f "$state/stopping" "$state"/instance-*.pid
port=${OPOP_PORT:-8080}
haproxy_pid=

stop_all() {
  touch "$state/stopping"
  local f
  for f in "$state"/instance-*.pid; do
    [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  [ -n "$haproxy_pid" ] && kill -TERM "$haproxy_pid" 2>/dev/null || true
}
stop_databases() {
  if [ "$replica" = 1 ]; then opop_pg_stop "$state/replica"; fi
  if [ -n "$started_cluster" ]; then opop_pg_stop "$started_cluster"; fi
  return 0
}
trap stop_databases EXIT
trap stop_all INT TERM

if [ "$replica" = 1 ]; then
  opop_pg_standby "$started_cluster" "$state/replica"
  export OPOP_DATABASE_READ_URL="host=$state/replica/run port=5432 dbname=opop user=postgres"
  echo "replica: $state/replica (socket $state/replica/run)" >&2
fi

# Migrating once here keeps the instances' own start quick; they would agree
# among themselves anyway (an advisory lock).
"$OPOP_BUILD_DIR"/opop-api migrate >&2

# run_instance I: starts instance I again each time it stops, until the cluster stops.
run_instance() {
  local i=$1 pid
  while [ ! -e "$state/stopping" ]; do
    OPOP_PORT=$((port + i)) OPOP_DRAIN_SECONDS=${OPOP_DRAIN_SECONDS:-3} \
      "$OPOP_BUILD_DIR"/opop-api serve >>"$state/instance-$i.log" 2>&1 &
    pid=$!
    echo "$pid" >"$state/instance-$i.pid"
    wait "$pid" || true
    [ -e "$state/stopping" ] || sleep 0.2
  done
  rm -f "$state/instance-$i.pid"
}

supervisors=()
for i in $(seq "$n"); do
  run_instance "$i" &
  supervisors+=($!)
done

sed '/^ *server opop[0-9]/d' deploy/haproxy.cfg >"$state/haproxy.cfg"
for i in $(seq "$n"); do
  echo "    server opop$i 127.0.0.1:$((port + i))" >>"$state/haproxy.cfg"
done
OPOP_LB_BIND=${OPOP_BIND:-127.0.0.1}:$port haproxy -W -db -f "$state/haproxy.cfg" >>"$state/haproxy.log" 2>&1 &
haproxy_pid=$!
echo "$haproxy_pid" >"$state/haproxy.pid"

cat >&2 <<MSG

OPOP Jatim API: http://${OPOP_BIND:-127.0.0.1}:$port through HAProxy, $n instances on ports $((port + 1))..$((port + n))
Rolling restart: for each I, kill -TERM \$(cat $state/instance-I.pid), then wait until it answers
  curl -s http://127.0.0.1:$((port + 1))/readyz   (instance 1) before the next. Ctrl-C stops everything.

MSG

# Until a signal (which interrupts wait) or HAProxy's own end; then everything stops.
wait "$haproxy_pid" || true
stop_all
wait
