#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"

static void quoting(void **state) {
  json_t *cols = json_loads("[\"code\",\"name\",\"value\",\"pct\",\"ok\"]", 0, NULL);
  json_t *rows = json_loads("[{\"code\":\"OMZET\",\"name\":\"Omzet, \\\"bulanan\\\"\",\"value\":1500000,"
                            "\"pct\":null,\"ok\":true},{\"code\":\"A\\nB\",\"value\":2.5}]",
                            0, NULL);
  size_t len = 0;
  char *csv = csv_render(cols, rows, &len);
  assert_string_equal(csv, "code,name,value,pct,ok\r\n"
                           "OMZET,\"Omzet, \"\"bulanan\"\"\",1500000,,true\r\n"
                           "\"A\nB\",,2.5,,\r\n");
  assert_int_equal(len, strlen(csv));
  free(csv);
  json_decref(cols);
  json_decref(rows);
}

static void header_only(void **state) {
  json_t *cols = json_loads("[\"a\",\"b\"]", 0, NULL);
  json_t *rows = json_array();
  size_t len = 0;
  char *csv = csv_render(cols, rows, &len);
  assert_string_equal(csv, "a,b\r\n");
  free(csv);
  json_decref(cols);
  json_decref(rows);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(quoting), cmocka_unit_test(header_only)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
