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

/* Cells a spreadsheet would run as a formula get a leading ', also when the
 * cell is quoted; numbers, negative ones included, stay numbers. */
static void formulas_disarmed(void **state) {
  json_t *cols = json_loads("[\"t\",\"n\"]", 0, NULL);
  json_t *rows = json_loads("[{\"t\":\"=SUM(A1:A9)\",\"n\":-7.25},{\"t\":\"+1+1\",\"n\":-3},"
                            "{\"t\":\"-2+3\",\"n\":0.1},{\"t\":\"@cmd\",\"n\":1e20},"
                            "{\"t\":\"\\tx\"},{\"t\":\"\\r=1\"},{\"t\":\"=HYPERLINK(\\\"a\\\",1)\"},"
                            "{\"t\":\"-12.5\"},{\"t\":\"a=b\"},{\"t\":\"-\"}]",
                            0, NULL);
  size_t len = 0;
  assert_non_null(rows);
  char *csv = csv_render(cols, rows, &len);
  assert_string_equal(csv, "t,n\r\n"
                           "'=SUM(A1:A9),-7.25\r\n"
                           "'+1+1,-3\r\n"
                           "'-2+3,0.1\r\n"
                           "'@cmd,1e+20\r\n"
                           "'\tx,\r\n"
                           "\"'\r=1\",\r\n"
                           "\"'=HYPERLINK(\"\"a\"\",1)\",\r\n"
                           "-12.5,\r\n"
                           "a=b,\r\n"
                           "'-,\r\n");
  free(csv);
  json_decref(cols);
  json_decref(rows);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(quoting), cmocka_unit_test(header_only),
                                     cmocka_unit_test(formulas_disarmed)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
