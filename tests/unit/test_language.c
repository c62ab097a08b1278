#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "language.h"

static void expect_all(const char *const *headers, size_t n, enum lang expected) {
  for (size_t i = 0; i < n; i++)
    if (lang_negotiate(headers[i]) != expected)
      fail_msg("'%s' should give %s", headers[i] ? headers[i] : "(none)", lang_tag(expected));
}

static void indonesian(void **state) {
  static const char *const headers[] = {"id",
                                        "id-ID",
                                        "ID-id",
                                        "id;q=0.9, en;q=0.8",
                                        "en;q=0.5,id",
                                        "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7",
                                        "fr, id;q=0.3",
                                        "en;q=0, *",
                                        " id ; Q=1.000 ,"};
  expect_all(headers, sizeof headers / sizeof headers[0], LANG_ID);
}

static void english(void **state) {
  static const char *const headers[] = {NULL,     "",    "en",    "*", "fr, de", "en, id", "en-GB;q=0.9, id;q=0.8",
                                        "id;q=0", "idn", "ind-ID"};
  expect_all(headers, sizeof headers / sizeof headers[0], LANG_EN);
}

static void malformed_is_english(void **state) {
  static const char *const bad[] = {"id;q=abc", "id;q=2",      "id;q=1.5",     "id;q=0.1234", "id;level=1",
                                    "id-",      "-id",         "id id",        "i_d",         "id;",
                                    "id;q",     "toolonglang", "id-toolongsub"};
  expect_all(bad, sizeof bad / sizeof bad[0], LANG_EN);
}

static void tags(void **state) {
  assert_string_equal(lang_tag(LANG_EN), "en");
  assert_string_equal(lang_tag(LANG_ID), "id");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(indonesian),
      cmocka_unit_test(english),
      cmocka_unit_test(malformed_is_english),
      cmocka_unit_test(tags),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
