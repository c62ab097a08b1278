#ifndef OPOP_MONOTONIC_H
#define OPOP_MONOTONIC_H

/* Timed waits on the monotonic clock, which a change of the wall clock cannot
 * stretch or cut short. */

#include <pthread.h>
#include <time.h>

/* A condition variable whose timed waits read CLOCK_MONOTONIC. */
static inline void monotonic_cond_init(pthread_cond_t *cond) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(cond, &attr);
  pthread_condattr_destroy(&attr);
}

/* The monotonic time ms milliseconds from now, for pthread_cond_timedwait. */
static inline struct timespec monotonic_after(long ms) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

#endif
