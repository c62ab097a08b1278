#ifndef OPOP_TRANSPORT_H
#define OPOP_TRANSPORT_H

/* The HTTP transport: libmicrohttpd with an access handler of our own in
 * place of ulfius' (requests and answers keep ulfius' structures, which the
 * handlers use). It exists for what ulfius 2.7.13 cannot do: refuse a
 * declared body over the route's limit before reading it, drop a request
 * that has not arrived in full by its deadline even while bytes trickle in,
 * and keep libmicrohttpd from leaving a request with too many query
 * parameters unanswered. */

#include <stddef.h>
#include <ulfius.h>

#include "config.h"

/* More query parameters than this are refused by the service (400), not left
 * to libmicrohttpd, whose memory pool they would exhaust. */
#define TRANSPORT_MAX_QUERY_PARAMS 100

struct transport_hooks {
  /* Answers a request (fills res). Called once per request: when it has
   * arrived in full, or at once when its declared body is over the limit. */
  void (*dispatch)(const struct _u_request *req, struct _u_response *res, void *data);
  /* The body limit of the route the request names, in bytes. */
  size_t (*body_limit)(const struct _u_request *req, void *data);
  void *data;
  /* Whether the request hashes a password (optional). In the epoll pool such
   * a request is answered on one of hash_workers threads, its connection
   * suspended meanwhile, with up to hash_queue more waiting; beyond that,
   * refuse answers it at once (503 with Retry-After). */
  int (*hashes)(const struct _u_request *req, void *data);
  void (*refuse)(const struct _u_request *req, struct _u_response *res, void *data);
  int hash_workers, hash_queue;
};

struct transport;

/* Listens as cfg says (address, port, threads, limits, TLS); NULL after
 * logging why not. */
struct transport *transport_start(const struct config *cfg, const struct transport_hooks *hooks);
/* Stops accepting new connections; requests in flight go on. */
/* The address really listened on ("127.0.0.1:8080", "[::1]:8080") into out: 0, or -1. */
int transport_bound(const struct transport *t, char *out, size_t len);
void transport_quiesce(struct transport *t);
/* Requests between their headers and their answer being sent. */
long transport_busy(struct transport *t);
/* Closes every connection and frees everything. */
void transport_stop(struct transport *t);

/* How many '&'-separated parameters the query of url has. */
size_t transport_query_count(const char *url);

#endif
