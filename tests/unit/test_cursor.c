#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cursor.h"

static void round_trip(void **state) {
  const char *parts[3] = {"-name", "Pondok Pesantren Al-Amien, \"Prenduan\"", "42"};
  char *out[3];
  char *c = cursor_encode(parts, 3);
  assert_non_null(c);
  assert_int_equal(cursor_decode(c, out, 3), 0);
  for (int i = 0; i < 3; i++) {
    assert_string_equal(out[i], parts[i]);
    free(out[i]);
  }
  free(c);
}

static void empty_parts(void **state) {
  const char *parts[3] = {"seq", "", "7"};
  char *out[3];
  char *c = cursor_encode(parts, 3);
  assert_int_equal(cursor_decode(c, out, 3), 0);
  assert_string_equal(out[1], "");
  for (int i = 0; i < 3; i++)
    free(out[i]);
  free(c);
}

static void rejects_garbage(void **state) {
  char *out[3];
  const char *one[1] = {"abc"};
  char *c = cursor_encode(one, 1);
  assert_int_equal(cursor_decode("", out, 3), -1);
  assert_int_equal(cursor_decode("!!!", out, 3), -1);
  assert_int_equal(cursor_decode("bm90IGEgY3Vyc29y", out, 3), -1);
  assert_int_equal(cursor_decode(c, out, 3), -1); /* too few parts */
  assert_null(out[0]);
  free(c);
}

static void rejects_too_many_parts(void **state) {
  const char *parts[4] = {"a", "b", "c", "d"};
  char *out[3];
  char *c = cursor_encode(parts, 4);
  assert_int_equal(cursor_decode(c, out, 3), -1);
  free(c);
}

static void position_of_its_own_list_only(void **state) {
  const char *parts[3] = {"name", "Al Falah", "42"};
  char *key, *seq;
  char *c = cursor_encode(parts, 3);
  assert_int_equal(cursor_position(c, "name", &key, &seq), 0);
  assert_string_equal(key, "Al Falah");
  assert_string_equal(seq, "42");
  free(key);
  free(seq);
  assert_int_equal(cursor_position(c, "changes", &key, &seq), -1);
  assert_null(key);
  assert_null(seq);
  assert_int_equal(cursor_position("!!", "name", &key, &seq), -1);
  assert_null(key);
  free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(round_trip),
      cmocka_unit_test(empty_parts),
      cmocka_unit_test(rejects_garbage),
      cmocka_unit_test(rejects_too_many_parts),
      cmocka_unit_test(position_of_its_own_list_only),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
