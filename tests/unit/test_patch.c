#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "patch.h"

/* The examples of RFC 7396, appendix A. */
static void check(const char *target, const char *patch, const char *expected) {
  json_t *t = json_loads(target, JSON_DECODE_ANY, NULL);
  json_t *p = json_loads(patch, JSON_DECODE_ANY, NULL);
  json_t *e = json_loads(expected, JSON_DECODE_ANY, NULL);
  merge_patch(t, p);
  if (!json_equal(t, e)) {
    char *got = json_dumps(t, JSON_COMPACT);
    fail_msg("%s + %s gave %s, want %s", target, patch, got, expected);
  }
  json_decref(t);
  json_decref(p);
  json_decref(e);
}

static void rfc_examples(void **state) {
  check("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
  check("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
  check("{\"a\":\"b\"}", "{\"a\":null}", "{}");
  check("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
  check("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
  check("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
  check("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
  check("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
  check("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
  check("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(rfc_examples)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
