#include "offload.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

struct job {
  void (*fn)(void *);
  void *arg;
};

struct offload {
  pthread_mutex_t mu;
  pthread_cond_t changed;
  struct job *ring; /* queued jobs: at most cap, as every job holds a place */
  int cap, head, queued;
  int taken; /* places reserved and not yet done: queued, running, or about to be queued */
  int draining;
  int started; /* workers running */
  int nice;
  pthread_t *workers;
};

/* Worker: runs queued jobs; once draining, stops when no place is taken. */
static void *work(void *arg) {
  struct offload *o = arg;
  /* Linux keeps a niceness per thread: only this worker yields, relative to
   * the process. Failing that, it runs at the process's own. */
  if (o->nice > 0) {
    errno = 0;
    int own = getpriority(PRIO_PROCESS, (id_t)gettid());
    if (errno == 0)
      (void)setpriority(PRIO_PROCESS, (id_t)gettid(), own + o->nice);
  }
  pthread_mutex_lock(&o->mu);
  for (;;) {
    while (o->queued == 0 && !(o->draining && o->taken == 0))
      pthread_cond_wait(&o->changed, &o->mu);
    if (o->queued == 0)
      break;
    struct job j = o->ring[o->head];
    o->head = (o->head + 1) % o->cap;
    o->queued--;
    pthread_mutex_unlock(&o->mu);
    j.fn(j.arg);
    pthread_mutex_lock(&o->mu);
    if (--o->taken == 0 && o->draining)
      pthread_cond_broadcast(&o->changed);
  }
  pthread_mutex_unlock(&o->mu);
  return NULL;
}

struct offload *offload_new(int threads, int queue, int nice) {
  struct offload *o = calloc(1, sizeof *o);
  if (o == NULL)
    return NULL;
  pthread_mutex_init(&o->mu, NULL);
  pthread_cond_init(&o->changed, NULL);
  threads = threads > 0 ? threads : 1;
  o->nice = nice;
  o->cap = threads + (queue > 0 ? queue : 0);
  o->ring = calloc((size_t)o->cap, sizeof *o->ring);
  o->workers = calloc((size_t)threads, sizeof *o->workers);
  if (o->ring == NULL || o->workers == NULL)
    goto fail;
  for (; o->started < threads; o->started++)
    if (pthread_create(&o->workers[o->started], NULL, work, o) != 0)
      goto fail;
  return o;
fail:
  offload_free(o);
  return NULL;
}

int offload_reserve(struct offload *o) {
  int rc = -1;
  pthread_mutex_lock(&o->mu);
  if (!o->draining && o->taken < o->cap) {
    o->taken++;
    rc = 0;
  }
  pthread_mutex_unlock(&o->mu);
  return rc;
}

void offload_run(struct offload *o, void (*fn)(void *), void *arg) {
  pthread_mutex_lock(&o->mu);
  o->ring[(o->head + o->queued) % o->cap] = (struct job){fn, arg};
  o->queued++;
  pthread_cond_broadcast(&o->changed);
  pthread_mutex_unlock(&o->mu);
}

void offload_drain(struct offload *o) {
  pthread_mutex_lock(&o->mu);
  o->draining = 1;
  pthread_cond_broadcast(&o->changed);
  pthread_mutex_unlock(&o->mu);
  for (; o->started > 0; o->started--)
    pthread_join(o->workers[o->started - 1], NULL);
}

void offload_free(struct offload *o) {
  if (o == NULL)
    return;
  offload_drain(o);
  free(o->workers);
  free(o->ring);
  pthread_cond_destroy(&o->changed);
  pthread_mutex_destroy(&o->mu);
  free(o);
}
