/* The request accessors every handler and middleware step uses (declared in
 * app.h): headers, query parameters, the request's database connection and
 * actor, the caller's regions. Below the dispatcher, authentication and the
 * handlers, so none of them imports another for these. */
#include <string.h>

#include "app.h"
#include "netaddr.h"
#include "reply.h"

const char *req_header(const struct req *r, const char *name) {
  return u_map_get_case(r->http->map_header, name);
}

const char *req_query(const struct req *r, const char *name) {
  return u_map_get(r->http->map_url, name);
}

/* Reads share a few connections (they use CPU); writes, which mostly wait
 * for the disk, have their own. */
static struct db_pool *pool_of(const struct req *r) {
  const char *m = r->http->http_verb;
  return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ? r->app->pool : r->app->write_pool;
}

struct db_conn *req_db(struct req *r) {
  if (r->db == NULL)
    r->db = db_pool_acquire(pool_of(r), r->app->cfg.db_acquire_timeout_ms);
  if (r->db == NULL)
    reply_problem(r, 503, "All database connections are busy; try again shortly.");
  return r->db;
}

void req_db_release(struct req *r) {
  if (r->db)
    db_pool_release(pool_of(r), r->db);
  r->db = NULL;
}

struct db_actor req_actor(const struct req *r) {
  struct db_actor a = {r->caller.authenticated ? r->caller.id : NULL,
                       r->caller.authenticated ? r->caller.kind : "system", r->request_id};
  return a;
}

int caller_has_region(const struct caller *c, const char *region_code) {
  size_t i;
  json_t *v;
  if (region_code == NULL)
    return 0;
  json_array_foreach(c->region_codes, i, v) {
    if (strcmp(json_string_value(v), region_code) == 0)
      return 1;
  }
  return 0;
}

void req_client_address(const struct req *r, char out[INET6_ADDRSTRLEN]) {
  const struct config *cfg = &r->app->cfg;
  netaddr_client(r->http->client_address, req_header(r, "X-Forwarded-For"), cfg->trusted_proxies,
                 cfg->trusted_proxies_n, out);
}
