/* Operations endpoints: no authentication, for load balancers, Prometheus and people. */
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "reply.h"

extern const char openapi_json[];
extern const size_t openapi_json_len;

void h_healthz(struct req *r) {
  static const char ok[] = "{\"status\":\"ok\"}";
  reply_bytes(r, 200, "application/json", ok, sizeof ok - 1);
}

void h_readyz(struct req *r) {
  static const char ok[] = "{\"status\":\"ready\"}";
  /* Stopping: a load balancer takes this instance out before it stops accepting. */
  if (__atomic_load_n(&r->app->draining, __ATOMIC_SEQ_CST)) {
    reply_problem(r, 503, "The server is stopping.");
    return;
  }
  struct db_conn *db = db_pool_acquire(r->app->pool, 2000);
  int ready = db != NULL && db_conn_ping(db);
  if (db)
    db_pool_release(r->app->pool, db);
  if (ready)
    reply_bytes(r, 200, "application/json", ok, sizeof ok - 1);
  else
    reply_problem(r, 503, "The database is not reachable.");
}

void h_metrics(struct req *r) {
  size_t len = 0;
  char *text = metrics_render(r->app->metrics, r->app->pool, r->app->write_pool, r->app->replica, &len);
  if (text == NULL) {
    reply_problem(r, 500, "Metrics could not be rendered.");
    return;
  }
  reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
  free(text);
}

void h_openapi(struct req *r) {
  reply_bytes(r, 200, "application/json", openapi_json, openapi_json_len);
}
