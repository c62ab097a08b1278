#ifndef OPOP_ROUTER_H
#define OPOP_ROUTER_H

#include <stddef.h>

#include "app.h"

enum route_flags {
  ROUTE_PUBLIC = 1,   /* no authentication */
  ROUTE_NO_QUERY = 2, /* a single read: any query parameter is a 400 */
  /* The caller is looked up in the same round trip as the handler's first
   * statement (mw_authenticate_ahead): only for reads whose handler uses
   * nothing of the caller before that statement, and whose statement is cheap
   * (it runs before the caller is known; its result is dropped if refused). */
  ROUTE_AUTH_AHEAD = 4,
  ROUTE_LARGE_BODY = 8, /* a spreadsheet import: 8 MiB bodies */
  ROUTE_HASHES = 16,    /* hashes or checks a password (argon2id): answered off the HTTP pool */
};

/* One operation: method, path pattern with {name} segments, handler, and the
 * roles that may call it (finer rules, such as an operator's own pesantren,
 * are the handler's). */
struct route {
  const char *method;
  const char *pattern;
  void (*handler)(struct req *r);
  unsigned roles;
  unsigned flags;
};

extern const struct route routes[];
extern const size_t routes_count;

/* The route for method and path, with its path variables copied into vars
 * (caller frees). NULL when none: *path_known tells whether some other method
 * serves the path, and allow then lists those methods ("GET, PATCH"). */
const struct route *router_match(const char *method, const char *path, char **vars, int *path_known, char *allow,
                                 size_t allowlen);

#endif
