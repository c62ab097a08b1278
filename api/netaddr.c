#include "netaddr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address into family and bytes: 0, or -1. An IPv4-mapped IPv6 address
 * counts as the IPv4 address it carries. */
static int parse_addr(const char *text, int *family, unsigned char addr[16]) {
  if (inet_pton(AF_INET, text, addr) == 1) {
    *family = AF_INET;
    return 0;
  }
  if (inet_pton(AF_INET6, text, addr) != 1)
    return -1;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (memcmp(addr, mapped, sizeof mapped) == 0) {
    memmove(addr, addr + 12, 4);
    *family = AF_INET;
  } else {
    *family = AF_INET6;
  }
  return 0;
}

static int parse_range(const char *text, struct netaddr_range *r) {
  char buf[64];
  char *slash, *end = NULL;
  if (strlen(text) >= sizeof buf)
    return -1;
  snprintf(buf, sizeof buf, "%s", text);
  slash = strchr(buf, '/');
  if (slash)
    *slash = '\0';
  if (parse_addr(buf, &r->family, r->addr) != 0)
    return -1;
  int max = r->family == AF_INET ? 32 : 128;
  r->bits = max;
  if (slash) {
    long bits = strtol(slash + 1, &end, 10);
    if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > max)
      return -1;
    r->bits = (int)bits;
  }
  return 0;
}

/* Copies the trimmed entry [from, to) into buf: its length. */
static size_t entry(const char *from, const char *to, char *buf, size_t len) {
  while (from < to && *from == ' ')
    from++;
  while (to > from && to[-1] == ' ')
    to--;
  size_t n = (size_t)(to - from);
  if (n >= len)
    n = len - 1;
  memcpy(buf, from, n);
  buf[n] = '\0';
  return n;
}

int netaddr_parse_list(const char *text, struct netaddr_range **out, size_t *n) {
  size_t cap = 1;
  *out = NULL;
  *n = 0;
  for (const char *p = text; *p; p++)
    cap += *p == ',';
  struct netaddr_range *list = calloc(cap, sizeof *list);
  if (list == NULL)
    return -1;
  for (const char *p = text; *p;) {
    const char *comma = strchr(p, ',');
    const char *stop = comma ? comma : p + strlen(p);
    char buf[80];
    if (entry(p, stop, buf, sizeof buf) > 0 && parse_range(buf, &list[(*n)++]) != 0) {
      free(list);
      *n = 0;
      return -1;
    }
    p = comma ? comma + 1 : stop;
  }
  *out = list;
  return 0;
}

static int in_range(const struct netaddr_range *r, int family, const unsigned char *addr) {
  if (r->family != family)
    return 0;
  int whole = r->bits / 8, rest = r->bits % 8;
  if (memcmp(r->addr, addr, (size_t)whole) != 0)
    return 0;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return rest == 0 || (r->addr[whole] & mask) == (addr[whole] & mask);
}

int netaddr_listed(const struct netaddr_range *list, size_t n, const char *text) {
  unsigned char addr[16];
  int family;
  if (text == NULL || parse_addr(text, &family, addr) != 0)
    return 0;
  for (size_t i = 0; i < n; i++) {
    if (in_range(&list[i], family, addr))
      return 1;
  }
  return 0;
}

static void peer_text(const struct sockaddr *peer, char out[INET6_ADDRSTRLEN]) {
  snprintf(out, INET6_ADDRSTRLEN, "unknown");
  if (peer && peer->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, out, INET6_ADDRSTRLEN);
  else if (peer && peer->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)peer)->sin6_addr, out, INET6_ADDRSTRLEN);
}

/* Walks X-Forwarded-For from the right past trusted proxies; the first other
 * well-formed address is the client. */
void netaddr_client(const struct sockaddr *peer, const char *forwarded_for, const struct netaddr_range *trusted,
                    size_t ntrusted, char out[INET6_ADDRSTRLEN]) {
  peer_text(peer, out);
  if (forwarded_for == NULL || !netaddr_listed(trusted, ntrusted, out))
    return;
  const char *stop = forwarded_for + strlen(forwarded_for);
  while (stop > forwarded_for) {
    const char *start = stop;
    while (start > forwarded_for && start[-1] != ',')
      start--;
    char buf[INET6_ADDRSTRLEN];
    unsigned char addr[16];
    int family;
    entry(start, stop, buf, sizeof buf);
    if (parse_addr(buf, &family, addr) != 0)
      return;
    snprintf(out, INET6_ADDRSTRLEN, "%s", buf);
    if (!netaddr_listed(trusted, ntrusted, buf))
      return;
    stop = start > forwarded_for ? start - 1 : start;
  }
}
