#include "pwgate.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "monotonic.h"

struct pw_gate {
  pthread_mutex_t mu;
  pthread_cond_t freed;
  int slots, queue;
  int busy, waiting;
};

struct pw_gate *pw_gate_new(int slots, int queue) {
  struct pw_gate *g = calloc(1, sizeof *g);
  if (g == NULL)
    return NULL;
  pthread_mutex_init(&g->mu, NULL);
  monotonic_cond_init(&g->freed);
  g->slots = slots > 0 ? slots : 1;
  g->queue = queue >= 0 ? queue : 0;
  return g;
}

void pw_gate_free(struct pw_gate *g) {
  if (g == NULL)
    return;
  pthread_cond_destroy(&g->freed);
  pthread_mutex_destroy(&g->mu);
  free(g);
}

int pw_gate_enter(struct pw_gate *g, int wait_ms) {
  int rc = 0;
  pthread_mutex_lock(&g->mu);
  if (g->busy >= g->slots) {
    if (g->waiting >= g->queue) {
      rc = -1;
      goto out;
    }
    struct timespec until = monotonic_after(wait_ms);
    g->waiting++;
    while (g->busy >= g->slots && rc == 0)
      rc = pthread_cond_timedwait(&g->freed, &g->mu, &until) == ETIMEDOUT ? -1 : 0;
    g->waiting--;
    /* A slot freed at the deadline is still taken. */
    if (g->busy < g->slots)
      rc = 0;
  }
  if (rc == 0)
    g->busy++;
out:
  pthread_mutex_unlock(&g->mu);
  return rc;
}

void pw_gate_leave(struct pw_gate *g) {
  pthread_mutex_lock(&g->mu);
  g->busy--;
  pthread_cond_signal(&g->freed);
  pthread_mutex_unlock(&g->mu);
}

int pw_gate_slots(const struct pw_gate *g) {
  return g->slots;
}

int pw_gate_queue(const struct pw_gate *g) {
  return g->queue;
}
