/* libFuzzer target: periods as a client sends them (2024, 2024-Q2, 2024-04). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = strndup((const char *)data, size);
  struct period p;
  if (text)
    period_parse(text, 2000, 2100, &p);
  free(text);
  return 0;
}
