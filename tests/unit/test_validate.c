#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

static const char *const kinds[] = {"a", "b", NULL};
static const struct vfield fields[] = {
    {"id", V_UUID, V_READONLY, 0, 0, NULL, NULL},     {"name", V_STRING, V_REQUIRED | V_TRIM, 3, 10, NULL, NULL},
    {"count", V_INT, V_NULLABLE, 0, 100, NULL, NULL}, {"kind", V_ENUM, 0, 0, 0, kinds, NULL},
    {"on", V_DATE, V_NULLABLE, 0, 0, NULL, NULL},     {"lat", V_NUMBER, V_NULLABLE, -9, -5, NULL, NULL},
};
#define N (sizeof fields / sizeof fields[0])

static int has_error(const json_t *errors, const char *field) {
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) {
    if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
      return 1;
  }
  return 0;
}

static void collects_every_bad_field(void **state) {
  json_t *obj = json_loads("{\"id\":\"x\",\"count\":101,\"kind\":\"c\",\"on\":\"2024-02-30\",\"lat\":\"1\","
                           "\"extra\":1}",
                           0, NULL);
  json_t *errors = json_array();
  assert_int_equal(validate_object(obj, fields, N, V_CREATE, errors), 7);
  const char *expect[] = {"id", "name", "count", "kind", "on", "lat", "extra"};
  for (size_t i = 0; i < 7; i++)
    assert_true(has_error(errors, expect[i]));
  json_decref(obj);
  json_decref(errors);
}

static void trims_and_counts_characters(void **state) {
  /* "Ṡaṁä" is 4 characters but 9 bytes. */
  json_t *obj = json_loads("{\"name\":\"  \\u1e60a\\u1e41\\u00e4  \"}", 0, NULL);
  json_t *errors = json_array();
  assert_int_equal(validate_object(obj, fields, N, V_CREATE, errors), 0);
  assert_string_equal(json_string_value(json_object_get(obj, "name")), "\xe1\xb9\xa0"
                                                                       "a"
                                                                       "\xe1\xb9\x81\xc3\xa4");
  json_decref(obj);
  json_object_set_new(obj = json_object(), "name", json_string("   ab   "));
  assert_int_equal(validate_object(obj, fields, N, V_CREATE, errors), 1);
  json_decref(obj);
  json_decref(errors);
}

static void patch_mode_checks_only_present_fields(void **state) {
  json_t *obj = json_loads("{\"count\":null}", 0, NULL);
  json_t *errors = json_array();
  assert_int_equal(validate_object(obj, fields, N, V_PATCH, errors), 0);
  json_decref(obj);
  obj = json_loads("{\"name\":null}", 0, NULL);
  assert_int_equal(validate_object(obj, fields, N, V_PATCH, errors), 1);
  json_decref(obj);
  json_decref(errors);
}

static void helpers(void **state) {
  assert_true(valid_uuid("0b6f1d2e-3c4a-4b5c-8d9e-0f1a2b3c4d5e"));
  assert_false(valid_uuid("0b6f1d2e3c4a4b5c8d9e0f1a2b3c4d5e"));
  assert_true(valid_date("2024-02-29"));
  assert_false(valid_date("2023-02-29"));
  assert_false(valid_date("2024-2-01"));
  assert_true(valid_email("a@b.id"));
  assert_false(valid_email("a@b"));
  assert_false(valid_email("a b@c.id"));
  assert_int_equal(utf8_length("\xc3\xa4"), 1);
  assert_int_equal(utf8_length("\xc3"), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(collects_every_bad_field),
      cmocka_unit_test(trims_and_counts_characters),
      cmocka_unit_test(patch_mode_checks_only_present_fields),
      cmocka_unit_test(helpers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
