#ifndef OPOP_NETADDR_H
#define OPOP_NETADDR_H

/* Client addresses: the trusted-proxy list (addresses and CIDR ranges) and
 * which address a request comes from. */

#include <arpa/inet.h>
#include <stddef.h>
#include <sys/socket.h>

struct netaddr_range {
  int family; /* AF_INET or AF_INET6 */
  unsigned char addr[16];
  int bits; /* prefix length */
};

/* Parses "10.0.0.1, 192.168.0.0/16, ::1" into *out (caller frees) and *n.
 * 0, or -1 when an entry is not an address or range. */
int netaddr_parse_list(const char *text, struct netaddr_range **out, size_t *n);

/* Whether the textual address lies in one of the ranges. */
int netaddr_listed(const struct netaddr_range *list, size_t n, const char *addr);

/* The client's address as text: the socket's peer, or, when that peer is a
 * trusted proxy, the right-most X-Forwarded-For entry that is not one. */
void netaddr_client(const struct sockaddr *peer, const char *forwarded_for, const struct netaddr_range *trusted,
                    size_t ntrusted, char out[INET6_ADDRSTRLEN]);

#endif
