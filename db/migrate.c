#include "migrate.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <string.h>
#include <yder.h>

/* Any fixed number: all instances of the service agree on it. */
#define MIGRATE_LOCK_KEY "7326101"

static int exec_ok(PGconn *pg, const char *sql, const char *what) {
  PGresult *r = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(r);
  int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok)
    y_log_message(Y_LOG_LEVEL_ERROR, "db_migrate: %s failed: %s", what, PQerrorMessage(pg));
  PQclear(r);
  return ok;
}

/* Hex SHA-256 of the migration's text, as `sha256sum` prints it for the file. */
static void checksum_of(const struct migration *m, char out[65]) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, (const unsigned char *)m->sql, strlen(m->sql));
  sodium_bin2hex(out, 65, hash, sizeof hash);
}

static int command_ok(PGconn *pg, const char *sql, int n, const char *const *vals, const char *what) {
  PGresult *r = PQexecParams(pg, sql, n, NULL, vals, NULL, NULL, 0);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok)
    y_log_message(Y_LOG_LEVEL_ERROR, "db_migrate: %s: %s", what, PQerrorMessage(pg));
  PQclear(r);
  return ok;
}

/* An applied migration must be the text that was applied: an edit would leave
 * databases migrated before and after it different without anyone noticing.
 * One applied before checksums were kept gets today's text recorded. */
static int check_applied(PGconn *pg, const struct migration *m, const char *stored, const char *sum) {
  const char *vals[2] = {m->name, sum};
  if (stored == NULL) {
    if (!command_ok(pg, "UPDATE schema_migrations SET checksum = $2 WHERE name = $1 AND checksum IS NULL", 2, vals,
                    "recording a checksum"))
      return -1;
    y_log_message(Y_LOG_LEVEL_INFO, "db_migrate: recorded the checksum of %s, applied before checksums were kept",
                  m->name);
    return 0;
  }
  if (strcmp(stored, sum) == 0)
    return 0;
  y_log_message(Y_LOG_LEVEL_ERROR,
                "db_migrate: migration %s was changed after it was applied (sha256 %s, applied as %s); restore it "
                "and put the change in a new migration",
                m->name, sum, stored);
  return -1;
}

/* 0 with *applied set (after checking its checksum when it is), or -1. */
static int is_applied(PGconn *pg, const struct migration *m, const char *sum, int *applied) {
  const char *vals[1] = {m->name};
  int rc = -1;
  PGresult *r =
      PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE name = $1", 1, NULL, vals, NULL, NULL, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    y_log_message(Y_LOG_LEVEL_ERROR, "db_migrate: reading schema_migrations: %s", PQerrorMessage(pg));
    goto out;
  }
  *applied = PQntuples(r) > 0;
  rc = *applied ? check_applied(pg, m, PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0), sum) : 0;
out:
  PQclear(r);
  return rc;
}

static int apply_one(PGconn *pg, const struct migration *m, const char *sum) {
  const char *vals[2] = {m->name, sum};
  if (!exec_ok(pg, "BEGIN", "BEGIN"))
    return -1;
  if (!exec_ok(pg, m->sql, m->name))
    goto rollback;
  PGresult *r =
      PQexecParams(pg, "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", 2, NULL, vals, NULL, NULL, 0);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok || !exec_ok(pg, "COMMIT", "COMMIT"))
    goto rollback;
  y_log_message(Y_LOG_LEVEL_INFO, "db_migrate: applied %s", m->name);
  return 0;
rollback:
  exec_ok(pg, "ROLLBACK", "ROLLBACK");
  return -1;
}

int db_migrate(const char *conninfo) {
  int applied_count = 0;
  PGconn *pg = PQconnectdb(conninfo);
  if (PQstatus(pg) != CONNECTION_OK) {
    y_log_message(Y_LOG_LEVEL_ERROR, "db_migrate: cannot connect: %s", PQerrorMessage(pg));
    applied_count = -1;
    goto out;
  }
  if (!exec_ok(pg, "SET client_min_messages = warning", "settings") ||
      !exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "advisory lock") ||
      !exec_ok(pg,
               "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, "
               "applied_at timestamptz NOT NULL DEFAULT now())",
               "schema_migrations") ||
      !exec_ok(pg, "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text", "checksum column")) {
    applied_count = -1;
    goto out;
  }
  for (int i = 0; i < db_migrations_count; i++) {
    int applied = 0;
    char sum[65];
    checksum_of(&db_migrations[i], sum);
    if (is_applied(pg, &db_migrations[i], sum, &applied) != 0) {
      applied_count = -1;
      goto out;
    }
    if (applied)
      continue;
    if (apply_one(pg, &db_migrations[i], sum) != 0) {
      applied_count = -1;
      goto out;
    }
    applied_count++;
  }
out:
  if (pg && PQstatus(pg) == CONNECTION_OK)
    exec_ok(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", "advisory unlock");
  PQfinish(pg);
  return applied_count;
}
