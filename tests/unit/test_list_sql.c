/* The list SQL builder's pure parts: parameter numbering, WHERE assembly,
 * statement names, overflow. The source is included to reach its static
 * functions; db_exec is linked but never called. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "../../db/list.c"

static void marks_numbered_in_order(void **state) {
  struct sqlbuf b = {0};
  b.nparams = 2;
  add_numbered(&b, "p.region_code = $? OR p.name ILIKE $?");
  assert_string_equal(b.text, "p.region_code = $3 OR p.name ILIKE $4");
  assert_int_equal(b.nparams, 4);
  add_numbered(&b, " LIMIT 5");
  assert_string_equal(b.text + strlen("p.region_code = $3 OR p.name ILIKE $4"), " LIMIT 5");
  assert_int_equal(b.nparams, 4);
}

static void where_joins_filters_with_their_values(void **state) {
  const struct list_filter filters[] = {
      {"p.region_code = $?", "35.78"},
      {"p.active", NULL},
      {"(p.name ILIKE $? OR p.nspp ILIKE $?)", "%tebu%"},
  };
  struct sqlbuf b = {0};
  const char *vals[8];
  int nvals = 0;
  add_where(&b, filters, 3, vals, &nvals);
  assert_string_equal(b.text, " WHERE (p.region_code = $1) AND (p.active) AND ((p.name ILIKE $2 OR p.nspp ILIKE $3))");
  assert_int_equal(nvals, 3);
  assert_string_equal(vals[0], "35.78");
  assert_string_equal(vals[1], "%tebu%");
  assert_string_equal(vals[2], "%tebu%");
}

static void no_filters_no_where(void **state) {
  struct sqlbuf b = {0};
  const char *vals[1];
  int nvals = 0;
  add_where(&b, NULL, 0, vals, &nvals);
  assert_string_equal(b.text, "");
  assert_int_equal(nvals, 0);
}

static void statement_name_follows_the_text(void **state) {
  char a[128], a2[128], c[128];
  stmt_name(a, sizeof a, "repo_x_list", "SELECT 1");
  stmt_name(a2, sizeof a2, "repo_x_list", "SELECT 1");
  stmt_name(c, sizeof c, "repo_x_list", "SELECT 2");
  assert_string_equal(a, a2);
  assert_string_not_equal(a, c);
  assert_int_equal(strncmp(a, "repo_x_list_", 12), 0);
  assert_int_equal(strlen(a), 12 + 16);
}

static void overflow_is_flagged_not_truncated(void **state) {
  static char big[SQL_MAX];
  memset(big, 'x', sizeof big - 1);
  struct sqlbuf b = {0};
  add(&b, "SELECT");
  add(&b, big);
  assert_int_equal(b.overflow, 1);
  assert_string_equal(b.text, "SELECT");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(marks_numbered_in_order),
      cmocka_unit_test(where_joins_filters_with_their_values),
      cmocka_unit_test(no_filters_no_where),
      cmocka_unit_test(statement_name_follows_the_text),
      cmocka_unit_test(overflow_is_flagged_not_truncated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
