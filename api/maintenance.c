#include "maintenance.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <yder.h>

#include "repo_maintenance.h"

/* Three months of partitions ahead: months of outage to spare before a write
 * could find no partition for its month. */
#define MONTHS_AHEAD 3
#define INTERVAL_S 3600
#define ACQUIRE_MS 30000

struct maintenance {
  struct app *app;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  int stopping;
};

static void run_once(struct app *app) {
  int created = 0;
  long long removed = 0;
  struct db_conn *conn = db_pool_acquire(app->pool, ACQUIRE_MS);
  if (conn == NULL) {
    y_log_message(Y_LOG_LEVEL_WARNING, "maintenance: no database connection came free; trying again later");
    return;
  }
  enum dbq q = repo_maintenance_run(conn, MONTHS_AHEAD, app->cfg.changes_retention_days, &created, &removed);
  if (q < 0)
    y_log_message(Y_LOG_LEVEL_ERROR, "maintenance: %s", db_last_error(conn)->message);
  else if (created > 0 || removed > 0)
    y_log_message(Y_LOG_LEVEL_INFO, "maintenance: %d partition(s) created, %lld expired change(s) removed", created,
                  removed);
  db_pool_release(app->pool, conn);
}

static void *loop(void *arg) {
  struct maintenance *m = arg;
  pthread_mutex_lock(&m->lock);
  while (!m->stopping) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += INTERVAL_S;
    while (!m->stopping && pthread_cond_timedwait(&m->wake, &m->lock, &until) == 0)
      ;
    if (m->stopping)
      break;
    pthread_mutex_unlock(&m->lock);
    run_once(m->app);
    pthread_mutex_lock(&m->lock);
  }
  pthread_mutex_unlock(&m->lock);
  return NULL;
}

struct maintenance *maintenance_start(struct app *app) {
  struct maintenance *m = calloc(1, sizeof *m);
  pthread_condattr_t attr;
  if (m == NULL)
    return NULL;
  m->app = app;
  run_once(app);
  pthread_mutex_init(&m->lock, NULL);
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&m->wake, &attr);
  pthread_condattr_destroy(&attr);
  if (pthread_create(&m->thread, NULL, loop, m) != 0) {
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    free(m);
    return NULL;
  }
  return m;
}

void maintenance_stop(struct maintenance *m) {
  if (m == NULL)
    return;
  pthread_mutex_lock(&m->lock);
  m->stopping = 1;
  pthread_cond_signal(&m->wake);
  pthread_mutex_unlock(&m->lock);
  pthread_join(m->thread, NULL);
  pthread_cond_destroy(&m->wake);
  pthread_mutex_destroy(&m->lock);
  free(m);
}
