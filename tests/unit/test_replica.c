/* The replica's lag arithmetic: WAL positions of the primary against what the
 * replica has replayed, so that an idle primary is never taken for lag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "replica.h"

static void test_parses_lsn_text(void **state) {
  (void)state;
  uint64_t lsn = 0;
  assert_int_equal(db_lsn_parse("0/3000000", &lsn), 0);
  assert_true(lsn == 0x3000000);
  assert_int_equal(db_lsn_parse("1A/FF", &lsn), 0);
  assert_true(lsn == ((uint64_t)0x1A << 32 | 0xFF));
  assert_int_equal(db_lsn_parse("", &lsn), -1);
  assert_int_equal(db_lsn_parse("0/1x", &lsn), -1);
  assert_int_equal(db_lsn_parse(NULL, &lsn), -1);
}

static void test_idle_primary_is_no_lag(void **state) {
  (void)state;
  /* Nothing written for a minute: every sample is the same position. */
  struct lsn_sample idle[] = {{100, 500}, {130, 500}, {160, 500}};
  assert_true(db_replica_lag(idle, 3, 500, 161) == 0);
  assert_true(db_replica_lag(idle, 0, 0, 161) == 0);
}

static void test_lag_counts_from_the_first_position_not_replayed(void **state) {
  (void)state;
  struct lsn_sample busy[] = {{100, 500}, {101, 600}, {102, 700}, {103, 800}};
  assert_true(db_replica_lag(busy, 4, 800, 103.5) == 0);
  assert_true(db_replica_lag(busy, 4, 650, 103.5) == 1.5); /* behind since 102 */
  assert_true(db_replica_lag(busy, 4, 600, 103.5) == 1.5); /* has 600, lacks 700 */
  assert_true(db_replica_lag(busy, 4, 100, 110) == 10);    /* behind every sample: at least their span */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parses_lsn_text),
      cmocka_unit_test(test_idle_primary_is_no_lag),
      cmocka_unit_test(test_lag_counts_from_the_first_position_not_replayed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
