#ifndef OPOP_PRUNE_H
#define OPOP_PRUNE_H

#include "db.h"

/* A background thread that deletes rows whose window has passed: sign-in
 * throttle rows, and idempotency records older than 24 hours. It runs at
 * start and then every interval_s seconds, waiting up to wait_ms for a
 * connection. */
struct pruner;

/* NULL when the thread cannot start. */
struct pruner *pruner_start(struct db_pool *pool, int interval_s, int max_delay_s, int wait_ms);
/* Stops the thread and frees p; accepts NULL. */
void pruner_stop(struct pruner *p);

#endif
