#include "router.h"

#include <stdlib.h>
#include <string.h>

/* Matches path against pattern segment by segment; {x} takes one non-empty segment. */
static int pattern_match(const char *pattern, const char *path, char **vars) {
  int nvars = 0;
  const char *p = pattern, *s = path;
  while (*p && *s) {
    if (*p != '/' || *s != '/')
      goto fail;
    p++;
    s++;
    const char *pend = strchr(p, '/');
    const char *send = strchr(s, '/');
    size_t plen = pend ? (size_t)(pend - p) : strlen(p);
    size_t slen = send ? (size_t)(send - s) : strlen(s);
    if (plen > 0 && p[0] == '{') {
      if (slen == 0 || nvars >= REQ_MAX_VARS)
        goto fail;
      if (vars)
        vars[nvars] = strndup(s, slen);
      nvars++;
    } else if (plen != slen || strncmp(p, s, plen) != 0) {
      goto fail;
    }
    p += plen;
    s += slen;
  }
  if (*p == '\0' && *s == '\0')
    return 1;
fail:
  if (vars)
    for (int i = 0; i < nvars; i++) {
      free(vars[i]);
      vars[i] = NULL;
    }
  return 0;
}

const struct route *router_match(const char *method, const char *path, char **vars, int *path_known, char *allow,
                                 size_t allowlen) {
  size_t used = 0;
  *path_known = 0;
  if (allowlen)
    allow[0] = '\0';
  for (size_t i = 0; i < routes_count; i++) {
    if (strcmp(routes[i].method, method) == 0 && pattern_match(routes[i].pattern, path, vars))
      return &routes[i];
  }
  for (size_t i = 0; i < routes_count; i++) {
    if (!pattern_match(routes[i].pattern, path, NULL))
      continue;
    *path_known = 1;
    size_t mlen = strlen(routes[i].method);
    if (used + mlen + 3 < allowlen && !strstr(allow, routes[i].method)) {
      if (used > 0) {
        memcpy(allow + used, ", ", 2);
        used += 2;
      }
      memcpy(allow + used, routes[i].method, mlen + 1);
      used += mlen;
    }
  }
  return NULL;
}
