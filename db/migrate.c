#include "migrate.h"

#include <libpq-fe.h>
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

static int is_applied(PGconn *pg, const char *name, int *applied) {
  const char *vals[1] = {name};
  PGresult *r = PQexecParams(pg, "SELECT 1 FROM schema_migrations WHERE name = $1", 1, NULL, vals, NULL, NULL, 0);
  int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  if (ok)
    *applied = PQntuples(r) > 0;
  else
    y_log_message(Y_LOG_LEVEL_ERROR, "db_migrate: reading schema_migrations: %s", PQerrorMessage(pg));
  PQclear(r);
  return ok;
}

static int apply_one(PGconn *pg, const struct migration *m) {
  const char *vals[1] = {m->name};
  if (!exec_ok(pg, "BEGIN", "BEGIN"))
    return -1;
  if (!exec_ok(pg, m->sql, m->name))
    goto rollback;
  PGresult *r = PQexecParams(pg, "INSERT INTO schema_migrations (name) VALUES ($1)", 1, NULL, vals, NULL, NULL, 0);
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
               "schema_migrations")) {
    applied_count = -1;
    goto out;
  }
  for (int i = 0; i < db_migrations_count; i++) {
    int applied = 0;
    if (!is_applied(pg, db_migrations[i].name, &applied)) {
      applied_count = -1;
      goto out;
    }
    if (applied)
      continue;
    if (apply_one(pg, &db_migrations[i]) != 0) {
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
