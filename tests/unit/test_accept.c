/* The Accept header as the reports negotiate it (RFC 9110 12.5.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "accept.h"

struct want {
  const char *accept, *type, *subtype;
  int specificity;
  double q;
};

static void check(const struct want *w) {
  struct acceptance a = accept_of(w->accept, w->type, w->subtype);
  print_message("%s for %s/%s\n", w->accept, w->type, w->subtype);
  assert_int_equal(a.specificity, w->specificity);
  assert_true(a.q > w->q - 0.001 && a.q < w->q + 0.001);
}

static void ranges_and_weights(void **state) {
  static const struct want wants[] = {
      {"text/csv;q=0.5, application/json", "text", "csv", 3, 0.5},
      {"text/csv;q=0.5, application/json", "application", "json", 3, 1},
      /* The most specific range decides: text/csv;q=0 refuses CSV beside the any-type range. */
      {"*/*, text/csv;q=0", "text", "csv", 3, 0},
      {"text/*;q=0.3, */*;q=0.9", "text", "csv", 2, 0.3},
      {"image/png", "application", "json", 0, 0},
      /* A q that does not parse counts as 1, as an absent one. */
      {"text/csv;q=x", "text", "csv", 3, 1},
  };
  for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++)
    check(&wants[i]);
}

static void malformed_ranges_do_not_match(void **state) {
  const char *bad[] = {"", ",,,", ";q=1", "text", "text/", "/csv", "*/", "application/json;", NULL};
  for (int i = 0; bad[i]; i++) {
    struct want w = {bad[i], "text", "csv", 0, 0};
    check(&w);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ranges_and_weights),
      cmocka_unit_test(malformed_ranges_do_not_match),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
