/* The router against a small table of its own: exact matches, path
 * variables, 404 against 405 with the methods that serve a path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"

static void h_none(struct req *r) {
  (void)r;
}

const struct route routes[] = {
    {"GET", "/v1/things", h_none, ROLES_ALL, 0},
    {"POST", "/v1/things", h_none, ROLE_ADMIN, 0},
    {"GET", "/v1/things/{id}", h_none, ROLES_ALL, 0},
    {"PATCH", "/v1/things/{id}", h_none, ROLE_ADMIN, 0},
    {"GET", "/v1/things/{id}/parts/{part_id}", h_none, ROLES_ALL, 0},
    {"GET", "/v1/things/batch", h_none, ROLES_ALL, 0},
};
const size_t routes_count = sizeof routes / sizeof routes[0];

static const struct route *match(const char *method, const char *path, char **vars, int *known, char *allow) {
  return router_match(method, path, vars, known, allow, 64);
}

static void free_vars(char **vars) {
  for (int i = 0; i < REQ_MAX_VARS; i++) {
    free(vars[i]);
    vars[i] = NULL;
  }
}

static void exact_path(void **state) {
  char *vars[REQ_MAX_VARS] = {0}, allow[64];
  int known;
  assert_ptr_equal(match("GET", "/v1/things", vars, &known, allow), &routes[0]);
  assert_ptr_equal(match("POST", "/v1/things", vars, &known, allow), &routes[1]);
  assert_null(vars[0]);
}

static void path_variables_in_order(void **state) {
  char *vars[REQ_MAX_VARS] = {0}, allow[64];
  int known;
  assert_ptr_equal(match("GET", "/v1/things/abc/parts/xyz", vars, &known, allow), &routes[4]);
  assert_string_equal(vars[0], "abc");
  assert_string_equal(vars[1], "xyz");
  free_vars(vars);
}

static void first_route_in_table_order_wins(void **state) {
  char *vars[REQ_MAX_VARS] = {0}, allow[64];
  int known;
  /* "batch" is also a valid {id}: the table says which comes first. */
  assert_ptr_equal(match("GET", "/v1/things/batch", vars, &known, allow), &routes[2]);
  free_vars(vars);
}

static void unknown_path_is_404(void **state) {
  char *vars[REQ_MAX_VARS] = {0}, allow[64];
  int known = -1;
  assert_null(match("GET", "/v1/nothing", vars, &known, allow));
  assert_int_equal(known, 0);
  assert_null(match("GET", "/v1/things/", vars, &known, allow)); /* an empty segment is no {id} */
  assert_int_equal(known, 0);
  assert_null(match("GET", "/v1/things/a/b", vars, &known, allow));
  assert_int_equal(known, 0);
  assert_null(match("GET", "v1/things", vars, &known, allow));
  assert_int_equal(known, 0);
  assert_null(vars[0]);
}

static void known_path_other_method_lists_allow(void **state) {
  char *vars[REQ_MAX_VARS] = {0}, allow[64];
  int known = 0;
  assert_null(match("DELETE", "/v1/things/abc", vars, &known, allow));
  assert_int_equal(known, 1);
  assert_string_equal(allow, "GET, PATCH");
  assert_null(vars[0]);
  assert_null(match("PUT", "/v1/things", vars, &known, allow));
  assert_string_equal(allow, "GET, POST");
}

static void allow_never_overflows(void **state) {
  char *vars[REQ_MAX_VARS] = {0}, allow[8];
  int known = 0;
  assert_null(router_match("DELETE", "/v1/things", vars, &known, allow, sizeof allow));
  assert_int_equal(known, 1);
  assert_true(strlen(allow) < sizeof allow);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(exact_path),
      cmocka_unit_test(path_variables_in_order),
      cmocka_unit_test(first_route_in_table_order_wins),
      cmocka_unit_test(unknown_path_is_404),
      cmocka_unit_test(known_path_other_method_lists_allow),
      cmocka_unit_test(allow_never_overflows),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
