#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "period.h"

static void year(void **state) {
  struct period p;
  assert_int_equal(period_parse("2024", 2019, 2100, &p), 0);
  assert_int_equal(p.kind, PERIOD_YEAR);
  assert_string_equal(p.start, "2024-01-01");
  assert_string_equal(p.end, "2024-12-31");
}

static void quarter(void **state) {
  struct period p;
  assert_int_equal(period_parse("2024-Q2", 2019, 2100, &p), 0);
  assert_int_equal(p.kind, PERIOD_QUARTER);
  assert_int_equal(p.part, 2);
  assert_string_equal(p.start, "2024-04-01");
  assert_string_equal(p.end, "2024-06-30");
}

static void month_and_leap(void **state) {
  struct period p;
  assert_int_equal(period_parse("2024-02", 2019, 2100, &p), 0);
  assert_string_equal(p.end, "2024-02-29");
  assert_int_equal(period_parse("2023-02", 2019, 2100, &p), 0);
  assert_string_equal(p.end, "2023-02-28");
  assert_int_equal(period_parse("2100-02", 2019, 2100, &p), 0);
  assert_string_equal(p.end, "2100-02-28");
  assert_int_equal(period_parse("2024-12", 2019, 2100, &p), 0);
  assert_string_equal(p.start, "2024-12-01");
  assert_string_equal(p.end, "2024-12-31");
}

static void malformed(void **state) {
  static const char *bad[] = {"",        "24",      "202",     "20244",      "2024-",    "2024-Q",   "2024-Q0",
                              "2024-Q5", "2024-q2", "2024-00", "2024-13",    "2024-1",   "2024-001", "2024-Q12",
                              " 2024",   "2024 ",   "2024/04", "2024-04-01", "abcd",     "2024-W1",  "２０２４",
                              "1999",    "2101",    "-2024",   "2024-H1",    "2024-Q2x", NULL};
  struct period p;
  for (int i = 0; bad[i]; i++) {
    if (period_parse(bad[i], 2019, 2100, &p) != -1)
      fail_msg("accepted '%s'", bad[i]);
  }
  assert_int_equal(period_parse(NULL, 2019, 2100, &p), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(year),
      cmocka_unit_test(quarter),
      cmocka_unit_test(month_and_leap),
      cmocka_unit_test(malformed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
