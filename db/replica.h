#ifndef OPOP_REPLICA_H
#define OPOP_REPLICA_H

/* Reads that may be served by a streaming replica (OPOP_DATABASE_READ_URL):
 * reports and exports, never what must see the request's own writes or
 * promises every row once. A monitor thread judges the replica every second
 * by WAL position against the primary, so an idle primary is never taken for
 * lag; while the replica is unreachable, not a standby, or further behind
 * than the allowed lag, reads go to the primary. */

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct db_replica;

/* The replica at read_url with a pool of size connections, judged against
 * the primary at primary_url; max_lag_s is the lag it may have. NULL when
 * out of memory or the monitor cannot start; limits as db_pool_new_limited.
 * Caller frees with db_replica_free. */
struct db_replica *db_replica_new(const char *primary_url, const char *read_url, int size, int max_lag_s,
                                  const struct db_limits *limits);
/* Stops the monitor and closes every connection; accepts NULL. */
void db_replica_free(struct db_replica *rep);

/* A replica connection when the replica is usable, else NULL (and the read
 * is counted as served by the primary). rep may be NULL: no replica. */
struct db_conn *db_replica_acquire(struct db_replica *rep, int timeout_ms);
/* Returns conn; unreachable: the replica failed this read, so it is not used
 * again until the monitor finds it working. */
void db_replica_release(struct db_replica *rep, struct db_conn *conn, int unreachable);

struct db_replica_status {
  int usable;
  double lag_s;      /* the last judged lag; -1 when it could not be judged */
  const char *state; /* "usable", "lagging", "unreachable", "not_standby", "unknown" (static) */
  long replica_reads, primary_reads;
};
void db_replica_status(struct db_replica *rep, struct db_replica_status *out);

/* ---- the lag arithmetic, exposed for its unit test ---- */

/* The primary's WAL position at a moment (seconds on a monotonic clock). */
struct lsn_sample {
  double at;
  uint64_t lsn;
};
/* Seconds since the primary was first seen ahead of replayed, from samples
 * oldest first: 0 when replayed has caught up with the newest sample; at
 * least the span of the samples when every one is ahead. */
double db_replica_lag(const struct lsn_sample *samples, size_t n, uint64_t replayed, double now);
/* Parses PostgreSQL's pg_lsn text (hex "X/Y"): 0, or -1 when malformed. */
int db_lsn_parse(const char *text, uint64_t *out);

#endif
