#!/usr/bin/env bash
# A consistent backup of the database: pg_dump in custom format (one snapshot,
# so every table is as of the same instant while writes go on), named by the
# time it started, keeping the newest $OPOP_BACKUP_KEEP (default 14).
#   deploy/backup.sh [DIR]     DIR defaults to $OPOP_BACKUP_DIR, else ./backups
# The database is $OPOP_DATABASE_URL (a libpq connection string or URI), read
# through a role that may read every table (the owner, or the migration role).
# Run it from cron or a systemd timer; it prints the file it wrote.
set -euo pipefail
dir=${1:-${OPOP_BACKUP_DIR:-backups}}
keep=${OPOP_BACKUP_KEEP:-14}
url=${OPOP_MIGRATE_DATABASE_URL:-${OPOP_DATABASE_URL:-dbname=opop}}
case "$keep" in '' | *[!0-9]* | 0) echo "OPOP_BACKUP_KEEP must be a positive integer" >&2; exit 2 ;; esac
mkdir -p "$dir"
name="opop-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name, so a half-written file is never taken for a backup.
pg_dump --format=custom --compress=6 --no-owner --file="$dir/.$name.partial" --dbname="$url"
mv "$dir/.$name.partial" "$dir/$name"
# Retention: the names sort by time.
ls -1 "$dir" | grep -E '^opop-[0-9]{8}T[0-9]{6}Z\.dump$' | sort -r | tail -n +"$((keep + 1))" |
  while read -r old; do rm -f -- "$dir/$old"; done
echo "$dir/$name"
