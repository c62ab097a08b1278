/* The pool's lending rules, without a database: connections open lazily, so
 * borrowing and returning never touch the network. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "db.h"

/* Until the pool has counted n waiters in line: ordering without sleeps. The
 * pool counts a waiter under its lock as it joins the line. */
static void until_waiting(struct db_pool *p, long n) {
  int size, in_use;
  long waits = 0, timeouts;
  while (db_pool_stats(p, &size, &in_use, &waits, &timeouts), waits < n)
    sched_yield();
}

static void test_lends_every_connection_then_times_out(void **state) {
  (void)state;
  struct db_pool *p = db_pool_new("dbname=unused", 2);
  int size, in_use;
  long waits, timeouts;
  struct db_conn *a = db_pool_acquire(p, 100), *b = db_pool_acquire(p, 100);
  assert_non_null(a);
  assert_non_null(b);
  assert_ptr_not_equal(a, b);
  assert_null(db_pool_acquire(p, 50));
  db_pool_stats(p, &size, &in_use, &waits, &timeouts);
  assert_int_equal(size, 2);
  assert_int_equal(in_use, 2);
  assert_int_equal(waits, 1);
  assert_int_equal(timeouts, 1);
  db_pool_release(p, a);
  assert_ptr_equal(db_pool_acquire(p, 50), a);
  db_pool_release(p, a);
  db_pool_release(p, b);
  db_pool_stats(p, &size, &in_use, &waits, &timeouts);
  assert_int_equal(in_use, 0);
  db_pool_free(p);
}

struct borrower {
  struct db_pool *pool;
  pthread_mutex_t *order_lock;
  int *order;
  int *served;
  int id;
};

static void *borrow(void *arg) {
  struct borrower *b = arg;
  struct db_conn *c = db_pool_acquire(b->pool, 5000);
  pthread_mutex_lock(b->order_lock);
  b->order[(*b->served)++] = c ? b->id : -1;
  pthread_mutex_unlock(b->order_lock);
  db_pool_release(b->pool, c);
  return NULL;
}

static void test_waiters_are_served_in_arrival_order(void **state) {
  (void)state;
  struct db_pool *p = db_pool_new("dbname=unused", 1);
  pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;
  int order[3] = {0}, served = 0;
  pthread_t t[3];
  struct borrower b[3];
  struct db_conn *held = db_pool_acquire(p, 100);
  assert_non_null(held);
  for (int i = 0; i < 3; i++) {
    b[i] = (struct borrower){p, &order_lock, order, &served, i + 1};
    pthread_create(&t[i], NULL, borrow, &b[i]);
    until_waiting(p, i + 1); /* each one queued before the next arrives */
  }
  db_pool_release(p, held);
  for (int i = 0; i < 3; i++)
    pthread_join(t[i], NULL);
  assert_int_equal(served, 3);
  assert_int_equal(order[0], 1);
  assert_int_equal(order[1], 2);
  assert_int_equal(order[2], 3);
  db_pool_free(p);
}

static void test_a_timed_out_waiter_leaves_the_line(void **state) {
  (void)state;
  struct db_pool *p = db_pool_new("dbname=unused", 1);
  struct db_conn *held = db_pool_acquire(p, 100);
  assert_null(db_pool_acquire(p, 20));
  /* The connection returned after the timeout goes back to the pool, not to
   * the waiter that gave up. */
  db_pool_release(p, held);
  assert_ptr_equal(db_pool_acquire(p, 20), held);
  db_pool_release(p, held);
  db_pool_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lends_every_connection_then_times_out),
      cmocka_unit_test(test_waiters_are_served_in_arrival_order),
      cmocka_unit_test(test_a_timed_out_waiter_leaves_the_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
