#ifndef OPOP_ACCEPT_H
#define OPOP_ACCEPT_H

/* The Accept header (RFC 9110 12.5.1): how well it takes a media type. */

/* How well an Accept header takes type/subtype: the q of the most specific
 * media range matching it (3 exact, 2 type/wildcard, 1 any); q 0 and
 * specificity 0 when none matches. */
struct acceptance {
  double q;
  int specificity;
};

struct acceptance accept_of(const char *accept, const char *type, const char *subtype);

#endif
