#ifndef OPOP_REPO_MAINTENANCE_H
#define OPOP_REPO_MAINTENANCE_H

/* Upkeep of the month-partitioned tables (see 0008_partitions.sql). */

#include "db.h"

/* Creates the partitions of this month and the next months_ahead months that
 * are missing, and removes change-feed rows older than retention_days.
 * *created and *removed say how many partitions and rows. */
enum dbq repo_maintenance_run(struct db_conn *conn, int months_ahead, int retention_days, int *created,
                              long long *removed);

#endif
