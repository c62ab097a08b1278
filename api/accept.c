#include "accept.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The q parameter of a media range (1 when absent or malformed). */
static double range_q(const char *params, size_t n) {
  const char *p = params;
  while (p < params + n) {
    while (p < params + n && (*p == ';' || *p == ' ' || *p == '\t'))
      p++;
    if (params + n - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      char *end = NULL;
      double q = strtod(p + 2, &end);
      if (end == p + 2 || q < 0 || q > 1)
        return 1;
      return q;
    }
    while (p < params + n && *p != ';')
      p++;
  }
  return 1;
}

static int range_specificity(const char *range, size_t n, const char *type, const char *subtype) {
  size_t tn = strlen(type), sn = strlen(subtype);
  if (n == 3 && strncmp(range, "*/*", 3) == 0)
    return 1;
  if (n < tn + 2 || strncasecmp(range, type, tn) != 0 || range[tn] != '/')
    return 0;
  if (n == tn + 2 && range[tn + 1] == '*')
    return 2;
  return n == tn + 1 + sn && strncasecmp(range + tn + 1, subtype, sn) == 0 ? 3 : 0;
}

/* The specificity of the best range, then the highest q among its equals. */
struct acceptance accept_of(const char *accept, const char *type, const char *subtype) {
  struct acceptance best = {0, 0};
  const char *p = accept;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',')
      p++;
    size_t len = strcspn(p, ",");
    size_t range_len = strcspn(p, ";, \t");
    if (range_len > len)
      range_len = len;
    int s = range_specificity(p, range_len, type, subtype);
    if (s > best.specificity) {
      best.specificity = s;
      best.q = range_q(p + range_len, len - range_len);
    } else if (s > 0 && s == best.specificity) {
      double q = range_q(p + range_len, len - range_len);
      best.q = q > best.q ? q : best.q;
    }
    p += len;
  }
  if (best.specificity == 0)
    best.q = 0;
  return best;
}
