#include "etag.h"

#include <string.h>

#include "gzip.h"

int etag_list_matches(const char *header, const char *tag, int weak_ok) {
  size_t n = strlen(tag), gz = strlen(GZIP_ETAG_SUFFIX);
  const char *p = header;
  while (*p) {
    while (*p == ' ' || *p == ',')
      p++;
    if (*p == '*')
      return 1;
    int weak = strncmp(p, "W/", 2) == 0;
    if (weak)
      p += 2;
    if (*p == '"' && (weak_ok || !weak) && strncmp(p + 1, tag, n) == 0) {
      const char *rest = p + 1 + n;
      if (*rest == '"')
        return 1;
      if (strncmp(rest, GZIP_ETAG_SUFFIX, gz) == 0 && rest[gz] == '"')
        return 2;
    }
    while (*p && *p != ',')
      p++;
  }
  return 0;
}
