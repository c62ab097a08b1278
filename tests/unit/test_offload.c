/* The hashing workers' queue: a bounded number of places, every job handed
 * over is run, and draining runs what was reserved before it stops. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "offload.h"

/* Jobs count themselves done; a held job waits until released. */
struct board {
  pthread_mutex_t mu;
  pthread_cond_t changed;
  int held, done;
};

static struct board board = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static void job(void *arg) {
  struct board *b = arg;
  pthread_mutex_lock(&b->mu);
  while (b->held)
    pthread_cond_wait(&b->changed, &b->mu);
  b->done++;
  pthread_cond_broadcast(&b->changed);
  pthread_mutex_unlock(&b->mu);
}

static void reset(int held) {
  board.held = held;
  board.done = 0;
}

static void release_and_wait_for(int done) {
  pthread_mutex_lock(&board.mu);
  board.held = 0;
  pthread_cond_broadcast(&board.changed);
  while (board.done < done)
    pthread_cond_wait(&board.changed, &board.mu);
  pthread_mutex_unlock(&board.mu);
}

static void places_are_bounded_and_given_back(void **state) {
  struct offload *o = offload_new(1, 2, 0);
  assert_non_null(o);
  reset(1);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(offload_reserve(o), 0);
    offload_run(o, job, &board);
  }
  /* One worker busy, two waiting: the queue is full. */
  assert_int_equal(offload_reserve(o), -1);
  release_and_wait_for(3);
  offload_drain(o);
  assert_int_equal(board.done, 3);
  offload_free(o);
}

static void a_place_frees_when_its_job_is_done(void **state) {
  struct offload *o = offload_new(1, 0, 0);
  reset(0);
  assert_int_equal(offload_reserve(o), 0);
  assert_int_equal(offload_reserve(o), -1);
  offload_run(o, job, &board);
  release_and_wait_for(1);
  /* The place comes back just after the job returns (a hang here fails the test). */
  while (offload_reserve(o) != 0)
    sched_yield();
  offload_run(o, job, &board);
  offload_free(o);
  assert_int_equal(board.done, 2);
}

static void *drain_thread(void *arg) {
  offload_drain(arg);
  return NULL;
}

static void draining_runs_what_was_reserved_then_refuses(void **state) {
  struct offload *o = offload_new(2, 4, 0);
  pthread_t drainer;
  reset(0);
  assert_int_equal(offload_reserve(o), 0);
  assert_int_equal(pthread_create(&drainer, NULL, drain_thread, o), 0);
  /* Handed over while (or before) the drain waits: still run. */
  offload_run(o, job, &board);
  pthread_join(drainer, NULL);
  assert_int_equal(board.done, 1);
  assert_int_equal(offload_reserve(o), -1);
  offload_free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(places_are_bounded_and_given_back),
      cmocka_unit_test(a_place_frees_when_its_job_is_done),
      cmocka_unit_test(draining_runs_what_was_reserved_then_refuses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
