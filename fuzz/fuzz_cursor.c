/* libFuzzer target: list cursors as a client sends them (?cursor=). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = strndup((const char *)data, size);
  char *parts[3] = {0};
  if (text && cursor_decode(text, parts, 3) == 0)
    for (int i = 0; i < 3; i++)
      free(parts[i]);
  free(text);
  return 0;
}
