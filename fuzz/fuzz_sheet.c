/* libFuzzer target: spreadsheet files as an import receives them, read both
 * as CSV and as XLSX (a zip of XML parts), within the import's row limit. */
#include <stdint.h>

#include "sheet_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *rows = NULL;
  const char *error = NULL;
  if (csv_read((const char *)data, size, 50, &rows, &error) == 0)
    json_decref(rows);
  rows = NULL;
  if (xlsx_read(data, size, 50, &rows, &error) == 0)
    json_decref(rows);
  return 0;
}
