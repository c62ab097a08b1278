/* If-None-Match and If-Match lists against a resource's entity tag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "etag.h"

static void plain_tag_in_a_list(void **state) {
  assert_int_equal(etag_list_matches("\"7\"", "7", 1), 1);
  assert_int_equal(etag_list_matches("\"3\", \"7\"", "7", 0), 1);
  assert_int_equal(etag_list_matches("\"3\",\"8\"", "7", 1), 0);
  assert_int_equal(etag_list_matches("", "7", 1), 0);
}

static void no_prefix_match(void **state) {
  /* "1" is not "12", nor "12" "1"; an unquoted tag names nothing. */
  assert_int_equal(etag_list_matches("\"12\"", "1", 1), 0);
  assert_int_equal(etag_list_matches("\"1\"", "12", 1), 0);
  assert_int_equal(etag_list_matches("7", "7", 1), 0);
  assert_int_equal(etag_list_matches("\"7", "7", 1), 0);
}

static void star_matches_any(void **state) {
  assert_int_equal(etag_list_matches("*", "7", 0), 1);
  assert_int_equal(etag_list_matches("\"3\", *", "7", 1), 1);
}

static void weak_only_for_none_match(void **state) {
  assert_int_equal(etag_list_matches("W/\"7\"", "7", 1), 1); /* If-None-Match: weak comparison */
  assert_int_equal(etag_list_matches("W/\"7\"", "7", 0), 0); /* If-Match: strong comparison */
  assert_int_equal(etag_list_matches("W/\"7\", \"7\"", "7", 0), 1);
}

static void gzipped_variant(void **state) {
  assert_int_equal(etag_list_matches("\"7-gz\"", "7", 1), 2);
  assert_int_equal(etag_list_matches("\"7-gz\"", "7", 0), 2);
  assert_int_equal(etag_list_matches("W/\"7-gz\"", "7", 0), 0);
  assert_int_equal(etag_list_matches("\"7-gzip\"", "7", 1), 0);
  assert_int_equal(etag_list_matches("\"7-gz\", \"7\"", "7", 1), 2); /* the first named wins */
  assert_int_equal(etag_list_matches("\"70-gz\"", "7", 1), 0);
}

static void list_tags_are_opaque_text(void **state) {
  const char *tag = "L-4f2a9c";
  assert_int_equal(etag_list_matches("\"L-4f2a9c\"", tag, 1), 1);
  assert_int_equal(etag_list_matches("\"L-4f2a9c-gz\"", tag, 1), 2);
  assert_int_equal(etag_list_matches("\"L-4f2a9\"", tag, 1), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(plain_tag_in_a_list), cmocka_unit_test(no_prefix_match),
      cmocka_unit_test(star_matches_any),    cmocka_unit_test(weak_only_for_none_match),
      cmocka_unit_test(gzipped_variant),     cmocka_unit_test(list_tags_are_opaque_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
