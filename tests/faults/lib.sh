# Sourced by the tests/faults/*.sh scripts, from the repository root: installs
# what is missing, builds when there is no binary, and starts a private
# PostgreSQL cluster with database opop in $work (removed on exit, with the
# server whose pid is in $pid, if any).
. deploy/lib/pg.sh
opop_install
[ -x build/opop-api ] || { meson setup build >/dev/null; ninja -C build >/dev/null; }
work=$(mktemp -d /tmp/opop-faults.XXXXXX)
chmod 755 "$work"
pid=
faults_cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; opop_pg_stop "$work/pg" || true; rm -rf "$work"; }
trap faults_cleanup EXIT
OPOP_PG_FSYNC=off opop_pg_start "$work/pg"
opop_pg_createdb opop
