#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "replica.h"
#include "router.h"

static const int tracked_statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 406, 409,
                                       410, 412, 413, 415, 422, 428, 429, 500, 503, 0};
#define NSTATUS (sizeof tracked_statuses / sizeof tracked_statuses[0])
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBUCKET (sizeof bounds / sizeof bounds[0])

struct route_metrics {
  unsigned long status[NSTATUS]; /* last slot: any other status */
  unsigned long bucket[NBUCKET]; /* non-cumulative */
  unsigned long count;
  unsigned long sum_us;
};

static const char *const signin_outcomes[] = {"success", "rejected", "locked", "invalid", "error"};
#define NOUTCOME (sizeof signin_outcomes / sizeof signin_outcomes[0])

struct metrics {
  size_t nroutes; /* slot nroutes holds unmatched requests */
  struct route_metrics *per_route;
  unsigned long signins[NOUTCOME];
  unsigned long replays;
};

struct metrics *metrics_new(size_t nroutes) {
  struct metrics *m = calloc(1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->nroutes = nroutes;
  m->per_route = calloc(nroutes + 1, sizeof *m->per_route);
  if (m->per_route == NULL) {
    free(m);
    return NULL;
  }
  return m;
}

void metrics_free(struct metrics *m) {
  if (m == NULL)
    return;
  free(m->per_route);
  free(m);
}

void metrics_observe(struct metrics *m, long route, int status, double seconds) {
  struct route_metrics *rm = &m->per_route[route < 0 || (size_t)route >= m->nroutes ? m->nroutes : (size_t)route];
  size_t s = 0;
  while (s < NSTATUS - 1 && tracked_statuses[s] != status)
    s++;
  size_t b = 0;
  while (b < NBUCKET && seconds > bounds[b])
    b++;
  __atomic_fetch_add(&rm->status[s], 1, __ATOMIC_RELAXED);
  if (b < NBUCKET)
    __atomic_fetch_add(&rm->bucket[b], 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&rm->count, 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&rm->sum_us, (unsigned long)(seconds * 1e6), __ATOMIC_RELAXED);
}

void metrics_signin(struct metrics *m, int status) {
  size_t o = status == 200 ? 0 : status == 401 ? 1 : status == 429 ? 2 : status == 400 || status == 422 ? 3 : 4;
  __atomic_fetch_add(&m->signins[o], 1, __ATOMIC_RELAXED);
}

void metrics_replay(struct metrics *m) {
  __atomic_fetch_add(&m->replays, 1, __ATOMIC_RELAXED);
}

static void route_label(const struct metrics *m, size_t i, char *buf, size_t len) {
  if (i >= m->nroutes)
    snprintf(buf, len, "unmatched");
  else
    snprintf(buf, len, "%s %s", routes[i].method, routes[i].pattern);
}

static void render_counters(const struct metrics *m, FILE *f) {
  char label[160];
  fprintf(f, "# HELP opop_http_requests_total HTTP requests by route and status.\n"
             "# TYPE opop_http_requests_total counter\n");
  for (size_t i = 0; i <= m->nroutes; i++) {
    route_label(m, i, label, sizeof label);
    for (size_t s = 0; s < NSTATUS; s++) {
      unsigned long n = __atomic_load_n(&m->per_route[i].status[s], __ATOMIC_RELAXED);
      if (n == 0)
        continue;
      if (tracked_statuses[s])
        fprintf(f, "opop_http_requests_total{route=\"%s\",status=\"%d\"} %lu\n", label, tracked_statuses[s], n);
      else
        fprintf(f, "opop_http_requests_total{route=\"%s\",status=\"other\"} %lu\n", label, n);
    }
  }
}

static void render_histogram(const struct metrics *m, FILE *f) {
  char label[160];
  fprintf(f, "# HELP opop_http_request_duration_seconds Time from routing to the answer.\n"
             "# TYPE opop_http_request_duration_seconds histogram\n");
  for (size_t i = 0; i <= m->nroutes; i++) {
    const struct route_metrics *rm = &m->per_route[i];
    unsigned long count = __atomic_load_n(&rm->count, __ATOMIC_RELAXED), cumulative = 0;
    if (count == 0)
      continue;
    route_label(m, i, label, sizeof label);
    for (size_t b = 0; b < NBUCKET; b++) {
      cumulative += __atomic_load_n(&rm->bucket[b], __ATOMIC_RELAXED);
      fprintf(f, "opop_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n", label, bounds[b],
              cumulative);
    }
    fprintf(f, "opop_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n", label, count);
    fprintf(f, "opop_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label,
            (double)__atomic_load_n(&rm->sum_us, __ATOMIC_RELAXED) / 1e6);
    fprintf(f, "opop_http_request_duration_seconds_count{route=\"%s\"} %lu\n", label, count);
  }
}

/* Where reads that a replica may serve went, and why. */
static void render_replica(struct db_replica *replica, FILE *f) {
  struct db_replica_status st;
  db_replica_status(replica, &st);
  fprintf(f,
          "# HELP opop_db_read_replica_usable 1 while reports read from the replica, 0 while they read from the "
          "primary.\n# TYPE opop_db_read_replica_usable gauge\nopop_db_read_replica_usable %d\n",
          st.usable);
  fprintf(f,
          "# HELP opop_db_read_replica_state The replica's last judgement (usable, lagging, unreachable, "
          "not_standby, unknown).\n# TYPE opop_db_read_replica_state gauge\n"
          "opop_db_read_replica_state{state=\"%s\"} 1\n",
          st.state);
  fprintf(f,
          "# HELP opop_db_read_replica_lag_seconds Replay lag judged by WAL position against the primary (-1: "
          "unknown).\n# TYPE opop_db_read_replica_lag_seconds gauge\nopop_db_read_replica_lag_seconds %.0f\n",
          st.lag_s);
  fprintf(f,
          "# HELP opop_db_replica_reads_total Reads a replica may serve, by where they were served.\n"
          "# TYPE opop_db_replica_reads_total counter\n"
          "opop_db_replica_reads_total{target=\"replica\"} %ld\nopop_db_replica_reads_total{target=\"primary\"} %ld\n",
          st.replica_reads, st.primary_reads);
}

/* Sign-ins, replays, the pool's waiting time, failed statements, the build. */
/* Waiting and failed statements of both pools together: writes have their own. */
static void pools_health(struct db_pool *pool, struct db_pool *write_pool, struct db_pool_health *h) {
  struct db_pool_health w;
  db_pool_health(pool, h);
  if (write_pool == NULL)
    return;
  db_pool_health(write_pool, &w);
  h->wait_seconds += w.wait_seconds;
  for (int k = 0; k < DB_ERROR_CLASSES; k++)
    h->errors[k] += w.errors[k];
}

static void render_operations(const struct metrics *m, struct db_pool *pool, struct db_pool *write_pool, FILE *f) {
  struct db_pool_health h;
  pools_health(pool, write_pool, &h);
  fprintf(f, "# HELP opop_signins_total Sign-ins by outcome.\n# TYPE opop_signins_total counter\n");
  for (size_t o = 0; o < NOUTCOME; o++)
    fprintf(f, "opop_signins_total{outcome=\"%s\"} %lu\n", signin_outcomes[o],
            __atomic_load_n(&m->signins[o], __ATOMIC_RELAXED));
  fprintf(f,
          "# HELP opop_idempotent_replays_total Answers replayed for a repeated Idempotency-Key.\n"
          "# TYPE opop_idempotent_replays_total counter\nopop_idempotent_replays_total %lu\n",
          __atomic_load_n(&m->replays, __ATOMIC_RELAXED));
  fprintf(f,
          "# HELP opop_db_pool_wait_seconds_total Time requests spent waiting for a connection.\n"
          "# TYPE opop_db_pool_wait_seconds_total counter\nopop_db_pool_wait_seconds_total %.6f\n",
          h.wait_seconds);
  fprintf(f, "# HELP opop_db_statement_errors_total Failed statements by SQLSTATE class.\n"
             "# TYPE opop_db_statement_errors_total counter\n");
  for (int k = 0; k < DB_ERROR_CLASSES; k++)
    fprintf(f, "opop_db_statement_errors_total{class=\"%s\"} %lu\n", db_error_class_names[k], h.errors[k]);
  fprintf(f,
          "# HELP opop_build_info The running build.\n# TYPE opop_build_info gauge\n"
          "opop_build_info{version=\"%s\"} 1\n",
          OPOP_VERSION);
}

char *metrics_render(const struct metrics *m, struct db_pool *pool, struct db_pool *write_pool,
                     struct db_replica *replica, size_t *len) {
  char *text = NULL;
  size_t size = 0;
  int psize = 0, in_use = 0;
  long waits = 0, timeouts = 0;
  FILE *f = open_memstream(&text, &size);
  if (f == NULL)
    return NULL;
  render_counters(m, f);
  render_histogram(m, f);
  db_pool_stats(pool, &psize, &in_use, &waits, &timeouts);
  fprintf(f,
          "# HELP opop_db_pool_size Connections in the database pool.\n# TYPE opop_db_pool_size gauge\n"
          "opop_db_pool_size %d\n",
          psize);
  fprintf(f,
          "# HELP opop_db_pool_in_use Connections lent to requests.\n# TYPE opop_db_pool_in_use gauge\n"
          "opop_db_pool_in_use %d\n",
          in_use);
  fprintf(f,
          "# HELP opop_db_pool_waits_total Requests that waited for a connection.\n"
          "# TYPE opop_db_pool_waits_total counter\nopop_db_pool_waits_total %ld\n",
          waits);
  fprintf(f,
          "# HELP opop_db_pool_timeouts_total Requests that found no connection in time.\n"
          "# TYPE opop_db_pool_timeouts_total counter\nopop_db_pool_timeouts_total %ld\n",
          timeouts);
  if (replica)
    render_replica(replica, f);
  render_operations(m, pool, write_pool, f);
  fclose(f);
  *len = size;
  return text;
}
