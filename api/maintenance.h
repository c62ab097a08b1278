#ifndef OPOP_MAINTENANCE_H
#define OPOP_MAINTENANCE_H

#include "app.h"

/* A background thread that keeps the partitioned tables in shape: at start,
 * then every hour, it creates the coming months' partitions and removes
 * change-feed rows past OPOP_CHANGES_RETENTION_DAYS. */
struct maintenance;

/* Runs one round now, then starts the thread (a failed round is logged and
 * tried again an hour later). Caller stops it with maintenance_stop; NULL
 * when the thread cannot start. */
struct maintenance *maintenance_start(struct app *app);
/* Wakes the thread, waits for it and frees it; accepts NULL. */
void maintenance_stop(struct maintenance *m);

#endif
