#include "prune.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <yder.h>

#include "monotonic.h"

#include "repo_auth.h"
#include "repo_idem.h"

struct pruner {
  struct db_pool *pool;
  int interval_s, max_delay_s;
  int wait_ms; /* longest wait for a connection */
  int stopping;
  pthread_mutex_t mu;
  pthread_cond_t wake;
  pthread_t thread;
};

static void prune_once(struct pruner *p) {
  struct db_conn *conn = db_pool_acquire(p->pool, p->wait_ms);
  if (conn == NULL)
    return;
  if (repo_auth_prune(conn, p->max_delay_s) < 0 || repo_idem_prune(conn) < 0)
    y_log_message(Y_LOG_LEVEL_WARNING, "pruning expired rows: %s", db_last_error(conn)->message);
  db_pool_release(p->pool, conn);
}

static void *prune_loop(void *arg) {
  struct pruner *p = arg;
  pthread_mutex_lock(&p->mu);
  while (!p->stopping) {
    pthread_mutex_unlock(&p->mu);
    prune_once(p);
    pthread_mutex_lock(&p->mu);
    struct timespec until = monotonic_after(p->interval_s * 1000L);
    while (!p->stopping && pthread_cond_timedwait(&p->wake, &p->mu, &until) == 0)
      ;
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

struct pruner *pruner_start(struct db_pool *pool, int interval_s, int max_delay_s, int wait_ms) {
  struct pruner *p = calloc(1, sizeof *p);
  if (p == NULL)
    return NULL;
  p->pool = pool;
  p->interval_s = interval_s;
  p->max_delay_s = max_delay_s;
  p->wait_ms = wait_ms;
  pthread_mutex_init(&p->mu, NULL);
  monotonic_cond_init(&p->wake);
  if (pthread_create(&p->thread, NULL, prune_loop, p) != 0) {
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return NULL;
  }
  return p;
}

void pruner_stop(struct pruner *p) {
  if (p == NULL)
    return;
  pthread_mutex_lock(&p->mu);
  p->stopping = 1;
  pthread_cond_signal(&p->wake);
  pthread_mutex_unlock(&p->mu);
  pthread_join(p->thread, NULL);
  pthread_cond_destroy(&p->wake);
  pthread_mutex_destroy(&p->mu);
  free(p);
}
