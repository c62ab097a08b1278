#!/usr/bin/env bash
# Restores a backup made by deploy/backup.sh into a fresh, empty database.
#   deploy/restore.sh FILE DATABASE_URL
# The database must exist and be empty (createdb NAME); restore refuses one
# that has tables. Stop the service (or point it elsewhere) first, then point
# OPOP_DATABASE_URL at the restored database and start it.
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,6p' "$0" >&2; exit 2; }
file=$1 url=$2
[ -f "$file" ] || { echo "no such backup: $file" >&2; exit 2; }
tables=$(psql "$url" -Atqc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
[ "$tables" = 0 ] || { echo "the target database is not empty ($tables tables); restore into a fresh one" >&2; exit 1; }
# One transaction: a failed restore leaves the database empty, not half-restored.
# pg_restore empties search_path while it creates tables, but the SQL
# functions that generated columns and checks call name other functions of the
# schema unqualified (so that PostgreSQL can inline them): restore with the
# schema on the path.
pg_restore --no-owner --file=- "$file" |
  sed "s/^SELECT pg_catalog.set_config('search_path', '', false);\$/SELECT pg_catalog.set_config('search_path', 'public', false);/" |
  psql --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --single-transaction --output=/dev/null "$url"
psql "$url" -Atqc "ANALYZE" >/dev/null
echo "restored $file"
