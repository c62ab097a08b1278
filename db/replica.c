/* Routing of replica reads and the monitor that judges the replica. The
 * monitor keeps the primary's recent WAL positions (one a second) and finds
 * the first one the replica has not replayed yet: the replica is behind by
 * the time since then. Requests only read the judgement, under a lock. */
#include "replica.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "sql.h"

#define SAMPLES 64    /* a minute of the primary's positions: beyond it, lag is "at least a minute" */
#define CHECK_EVERY 1 /* seconds between judgements */

struct db_replica {
  struct db_pool *reads;         /* requests' connections to the replica */
  struct db_pool *probe_primary; /* one connection each, for the monitor alone */
  struct db_pool *probe_replica;
  double max_lag_s;
  pthread_t monitor;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_condattr_t wake_attr;
  int stopping;
  /* the judgement, under lock */
  int usable;
  double lag_s;
  const char *state;
  /* the monitor's own */
  struct lsn_sample samples[SAMPLES];
  size_t nsamples;
  long replica_reads, primary_reads; /* atomic */
};

static double monotonic_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int db_lsn_parse(const char *text, uint64_t *out) {
  unsigned int hi = 0, lo = 0;
  char tail;
  if (text == NULL || sscanf(text, "%X/%X%c", &hi, &lo, &tail) != 2)
    return -1;
  *out = ((uint64_t)hi << 32) | lo;
  return 0;
}

double db_replica_lag(const struct lsn_sample *samples, size_t n, uint64_t replayed, double now) {
  if (n == 0 || replayed >= samples[n - 1].lsn)
    return 0;
  size_t first_ahead = n - 1;
  while (first_ahead > 0 && samples[first_ahead - 1].lsn > replayed)
    first_ahead--;
  double lag = now - samples[first_ahead].at;
  return lag > 0 ? lag : 0;
}

static void sample_add(struct db_replica *rep, uint64_t lsn, double at) {
  if (rep->nsamples == SAMPLES) {
    memmove(rep->samples, rep->samples + 1, (SAMPLES - 1) * sizeof rep->samples[0]);
    rep->nsamples--;
  }
  rep->samples[rep->nsamples++] = (struct lsn_sample){at, lsn};
}

/* The first column of stmt's one row on probe, parsed as an LSN; -1 when the
 * database cannot answer, 1 when it answers NULL (a replica not in recovery). */
static int probe_lsn(struct db_pool *probe, const struct db_stmt *stmt, uint64_t *lsn) {
  struct db_conn *c = db_pool_acquire(probe, 1000);
  PGresult *r = c ? db_exec(c, stmt, NULL) : NULL;
  int rc = -1;
  if (r && PQntuples(r) == 1)
    rc = PQgetisnull(r, 0, 0) ? 1 : db_lsn_parse(PQgetvalue(r, 0, 0), lsn);
  PQclear(r);
  db_pool_release(probe, c);
  return rc;
}

static void judge(struct db_replica *rep, int usable, double lag_s, const char *state) {
  pthread_mutex_lock(&rep->lock);
  if (rep->state != state && !rep->stopping)
    y_log_message(usable ? Y_LOG_LEVEL_INFO : Y_LOG_LEVEL_WARNING, "read replica %s (lag %.0f s): reads go to the %s",
                  state, lag_s, usable ? "replica" : "primary");
  rep->usable = usable;
  rep->lag_s = lag_s;
  rep->state = state;
  pthread_mutex_unlock(&rep->lock);
}

static void check_once(struct db_replica *rep) {
  static const struct db_stmt primary_lsn = {"replica_primary_lsn", "SELECT pg_current_wal_lsn()::text", 0};
  /* NULL unless in recovery: a promoted or independent server is no replica. */
  static const struct db_stmt replayed_lsn = {
      "replica_replayed_lsn", "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END", 0};
  uint64_t primary = 0, replayed = 0;
  double at = monotonic_s();
  if (probe_lsn(rep->probe_primary, &primary_lsn, &primary) != 0) {
    judge(rep, 0, -1, "unknown");
    return;
  }
  sample_add(rep, primary, at);
  int rc = probe_lsn(rep->probe_replica, &replayed_lsn, &replayed);
  if (rc != 0) {
    judge(rep, 0, -1, rc < 0 ? "unreachable" : "not_standby");
    return;
  }
  double lag = db_replica_lag(rep->samples, rep->nsamples, replayed, monotonic_s());
  judge(rep, lag <= rep->max_lag_s, lag, lag <= rep->max_lag_s ? "usable" : "lagging");
}

static void *monitor_main(void *arg) {
  struct db_replica *rep = arg;
  pthread_mutex_lock(&rep->lock);
  while (!rep->stopping) {
    pthread_mutex_unlock(&rep->lock);
    check_once(rep);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += CHECK_EVERY;
    pthread_mutex_lock(&rep->lock);
    if (!rep->stopping)
      pthread_cond_timedwait(&rep->wake, &rep->lock, &until);
  }
  pthread_mutex_unlock(&rep->lock);
  return NULL;
}

struct db_replica *db_replica_new(const char *primary_url, const char *read_url, int size, int max_lag_s,
                                  const struct db_limits *limits) {
  struct db_replica *rep = calloc(1, sizeof *rep);
  if (rep == NULL)
    return NULL;
  pthread_mutex_init(&rep->lock, NULL);
  pthread_condattr_init(&rep->wake_attr);
  pthread_condattr_setclock(&rep->wake_attr, CLOCK_MONOTONIC);
  pthread_cond_init(&rep->wake, &rep->wake_attr);
  rep->max_lag_s = max_lag_s;
  rep->state = "unknown";
  rep->lag_s = -1;
  rep->reads = db_pool_new_limited(read_url, size, limits);
  rep->probe_primary = db_pool_new_limited(primary_url, 1, limits);
  rep->probe_replica = db_pool_new_limited(read_url, 1, limits);
  if (rep->reads == NULL || rep->probe_primary == NULL || rep->probe_replica == NULL ||
      pthread_create(&rep->monitor, NULL, monitor_main, rep) != 0) {
    rep->stopping = 1; /* no monitor to join */
    db_replica_free(rep);
    return NULL;
  }
  return rep;
}

void db_replica_free(struct db_replica *rep) {
  if (rep == NULL)
    return;
  pthread_mutex_lock(&rep->lock);
  int running = !rep->stopping;
  rep->stopping = 1;
  pthread_cond_signal(&rep->wake);
  pthread_mutex_unlock(&rep->lock);
  if (running)
    pthread_join(rep->monitor, NULL);
  db_pool_free(rep->reads);
  db_pool_free(rep->probe_primary);
  db_pool_free(rep->probe_replica);
  pthread_cond_destroy(&rep->wake);
  pthread_condattr_destroy(&rep->wake_attr);
  pthread_mutex_destroy(&rep->lock);
  free(rep);
}

struct db_conn *db_replica_acquire(struct db_replica *rep, int timeout_ms) {
  if (rep == NULL)
    return NULL;
  pthread_mutex_lock(&rep->lock);
  int usable = rep->usable;
  pthread_mutex_unlock(&rep->lock);
  struct db_conn *c = usable ? db_pool_acquire(rep->reads, timeout_ms) : NULL;
  __atomic_fetch_add(c ? &rep->replica_reads : &rep->primary_reads, 1, __ATOMIC_RELAXED);
  return c;
}

void db_replica_release(struct db_replica *rep, struct db_conn *conn, int unreachable) {
  if (rep == NULL || conn == NULL)
    return;
  db_pool_release(rep->reads, conn);
  if (!unreachable)
    return;
  judge(rep, 0, -1, "unreachable");
  __atomic_fetch_add(&rep->primary_reads, 1, __ATOMIC_RELAXED); /* the read is served again there */
}

void db_replica_status(struct db_replica *rep, struct db_replica_status *out) {
  pthread_mutex_lock(&rep->lock);
  out->usable = rep->usable;
  out->lag_s = rep->lag_s;
  out->state = rep->state;
  pthread_mutex_unlock(&rep->lock);
  out->replica_reads = __atomic_load_n(&rep->replica_reads, __ATOMIC_RELAXED);
  out->primary_reads = __atomic_load_n(&rep->primary_reads, __ATOMIC_RELAXED);
}
