#ifndef OPOP_WEBHOOK_ADDR_H
#define OPOP_WEBHOOK_ADDR_H

/* Where a webhook may be sent: only https to public addresses, unless
 * private targets are allowed (then http, loopback and private networks too).
 * A name is judged by the addresses it resolves to, checked right before each
 * connection (DNS rebinding cannot slip a private address in between). */

#include <stddef.h>
#include <sys/socket.h>

/* 1 when sa is a public unicast address: not loopback, private (RFC 1918,
 * unique local), shared (CGNAT), link-local (cloud metadata lives there),
 * multicast, documentation, benchmarking or unspecified, also when wrapped in
 * IPv4-mapped or NAT64 IPv6. */
int webhook_addr_public(const struct sockaddr *sa);

/* NULL when url may be registered; else a message for the "url" field. Only a
 * literal address can be judged without resolving; names are judged at
 * delivery. */
const char *webhook_url_problem(const char *url, int allow_private);

/* A target resolved and checked: host and port for pinning, and the address
 * (text) every connection must go to. */
struct webhook_target {
  char host[256];
  int port;
  char address[64];
};

/* Resolves url's host and picks the first address allowed. 0, or -1 with why
 * (for the deliveries log) in err. */
int webhook_target_resolve(const char *url, int allow_private, struct webhook_target *t, char *err, size_t errlen);

#endif
