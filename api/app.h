#ifndef OPOP_APP_H
#define OPOP_APP_H

/* The per-process application and the per-request context every handler gets. */

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdint.h>
#include <ulfius.h>

#include "config.h"
#include "db.h"

struct metrics;
struct db_replica;
struct pw_gate;
struct transport;

struct app {
  struct config cfg;
  struct db_pool *pool;
  struct db_pool *write_pool; /* requests other than GET and HEAD */
  struct metrics *metrics;
  union {
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
  } bind_addr;                 /* the HTTP library keeps a pointer to it */
  long inflight;               /* requests being served (atomic), for a graceful stop */
  struct db_replica *replica;  /* reports' replica (OPOP_DATABASE_READ_URL), else NULL */
  int draining;                /* a stop signal came (atomic): /readyz answers 503 */
  struct transport *transport; /* the HTTP transport (api/transport.c) */
  /* Admission to password hashing. */
  struct pw_gate *pw_gate;
  /* Keys request fingerprints (installation_secrets). */
  unsigned char idempotency_key[32];
};

/* The database limits the configuration asks for (OPOP_DB_*). */
static inline struct db_limits app_db_limits(const struct config *cfg) {
  struct db_limits l = {cfg->db_statement_timeout_ms, cfg->db_idle_tx_timeout_ms, cfg->db_connect_timeout_s};
  return l;
}

enum role {
  ROLE_ADMIN = 1,
  ROLE_MENTOR = 2,
  ROLE_OPERATOR = 4,
  ROLE_VIEWER = 8,
};
#define ROLES_ALL (ROLE_ADMIN | ROLE_MENTOR | ROLE_OPERATOR | ROLE_VIEWER)

/* Who is calling. Filled by authentication; region_codes is owned here. */
struct caller {
  int authenticated;
  char id[37];      /* user id or API key id */
  const char *kind; /* "user" or "api_key" (static strings) */
  enum role role;
  char pesantren_id[37]; /* operators only, else "" */
  json_t *region_codes;  /* mentors: array of region codes (owned) */
  char token_id[37];     /* login token id (for logout), "" for API keys */
  int key_use_due;       /* an API key whose last_used_at is a minute old or more */
};

struct route;

#define REQ_MAX_VARS 3

struct req {
  const struct _u_request *http;
  struct _u_response *res;
  struct app *app;
  const struct route *route;
  char *vars[REQ_MAX_VARS]; /* path variables in pattern order (owned) */
  struct caller caller;
  char request_id[80];
  struct db_conn *db; /* borrowed from the pool on first use, returned after the handler */
  int status;         /* the status answered, for the access log */
};

/* The database connection of this request, taken from the pool on first use.
 * NULL (after answering 503) when none is free or the database is down. */
struct db_conn *req_db(struct req *r);
/* Gives the request's connection back to the pool before slow work that needs
 * none (password hashing); req_db takes one again. */
void req_db_release(struct req *r);
/* The actor for db_tx. Borrowed: valid during the request. */
struct db_actor req_actor(const struct req *r);
/* A request header, case-insensitive; NULL when absent. Borrowed. */
const char *req_header(const struct req *r, const char *name);
/* The value of query parameter name, or NULL. Borrowed. */
const char *req_query(const struct req *r, const char *name);

/* The client's address (for throttling and logs): the socket's peer, or the
 * X-Forwarded-For client when the peer is in OPOP_TRUSTED_PROXIES. */
void req_client_address(const struct req *r, char out[INET6_ADDRSTRLEN]);

int caller_has_region(const struct caller *c, const char *region_code);

#endif
