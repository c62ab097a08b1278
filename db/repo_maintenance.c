#include "repo_maintenance.h"

#include <stdio.h>
#include <stdlib.h>

#include "sql.h"

/* Through owner-defined functions, so the service's own role needs neither
 * to own the tables nor to delete from them. */
static const struct db_stmt maintenance_run = {
    "repo_maintenance_run",
    "SELECT opop_partitions_ensure($1::integer), opop_changes_expire($2::integer)",
    2,
};

enum dbq repo_maintenance_run(struct db_conn *conn, int months_ahead, int retention_days, int *created,
                              long long *removed) {
  char ahead[16], days[16];
  snprintf(ahead, sizeof ahead, "%d", months_ahead);
  snprintf(days, sizeof days, "%d", retention_days);
  const char *vals[2] = {ahead, days};
  *created = 0;
  *removed = 0;
  PGresult *res = db_exec(conn, &maintenance_run, vals);
  if (res == NULL)
    return db_failure(conn);
  *created = atoi(PQgetvalue(res, 0, 0));
  *removed = atoll(PQgetvalue(res, 0, 1));
  PQclear(res);
  return DBQ_ONE;
}
