/* libFuzzer target: the text checks every body and query value goes through. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = strndup((const char *)data, size);
  if (text) {
    utf8_length(text);
    valid_uuid(text);
    valid_date(text);
    valid_email(text);
  }
  free(text);
  return 0;
}
