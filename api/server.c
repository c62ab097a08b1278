/* The HTTP edge: one ulfius callback receives every request and runs the
 * middleware steps in order (request id, CORS, routing, body limit,
 * authentication, role check), then the handler, then logging and metrics.
 * Routing is ours, not ulfius', so 404 and 405 are exact and the route table
 * is one list that the OpenAPI contract test can read. */
#include "server.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yder.h>

#include "auth.h"
#include "http.h"
#include "metrics.h"
#include "reply.h"
#include "router.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *req_header(const struct req *r, const char *name) {
  return u_map_get_case(r->http->map_header, name);
}

const char *req_query(const struct req *r, const char *name) {
  return u_map_get(r->http->map_url, name);
}

struct db_conn *req_db(struct req *r) {
  if (r->db == NULL)
    r->db = db_pool_acquire(r->app->pool, 5000);
  if (r->db == NULL)
    reply_problem(r, 503, "All database connections are busy; try again shortly.");
  return r->db;
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

static int valid_request_id(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.' || c == ':'))
      return 0;
  }
  return 1;
}

static char id_prefix[17];

static void draw_id_prefix(void) {
  unsigned char raw[8];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2hex(id_prefix, sizeof id_prefix, raw, sizeof raw);
}

/* 32 hex digits: a random prefix drawn once per process, then a counter, so
 * ids stay unique across restarts without a system call per request (a
 * client may send its own id, so an id is no secret). */
static void new_request_id(char *out, size_t len) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  static unsigned long long counter;
  pthread_once(&once, draw_id_prefix);
  snprintf(out, len, "%s%016llx", id_prefix, __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
}

static void set_request_id(struct req *r) {
  const char *given = req_header(r, "X-Request-Id");
  if (valid_request_id(given))
    snprintf(r->request_id, sizeof r->request_id, "%s", given);
  else
    new_request_id(r->request_id, sizeof r->request_id);
  reply_header(r, "X-Request-Id", r->request_id);
}

static void apply_cors(struct req *r) {
  const char *origin = req_header(r, "Origin");
  if (origin == NULL || !config_origin_allowed(&r->app->cfg, origin))
    return;
  reply_header(r, "Access-Control-Allow-Origin", origin);
  reply_header(r, "Vary", "Origin");
  reply_header(r, "Access-Control-Expose-Headers",
               "ETag, Location, X-Request-Id, Retry-After, WWW-Authenticate, Idempotent-Replayed");
}

/* A CORS preflight for a known path: 204 with what the browser may send. */
static void answer_preflight(struct req *r, const char *allow) {
  if (u_map_get_case(r->res->map_header, "Access-Control-Allow-Origin") != NULL) {
    reply_header(r, "Access-Control-Allow-Methods", allow);
    reply_header(r, "Access-Control-Allow-Headers",
                 "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, Accept");
    reply_header(r, "Access-Control-Max-Age", "600");
  }
  reply_header(r, "Allow", allow);
  reply_empty(r, 204);
}

static int body_too_large(struct req *r) {
  const char *cl = req_header(r, "Content-Length");
  int large = (r->route->flags & ROUTE_LARGE_BODY) != 0;
  unsigned long long limit = large ? LARGE_BODY_LIMIT : BODY_LIMIT;
  if ((cl && strtoull(cl, NULL, 10) > limit) || r->http->binary_body_length > limit) {
    reply_problem(r, 413, large ? "The body is larger than 8 MiB." : "The body is larger than 1 MiB.");
    return 1;
  }
  return 0;
}

/* The caller and its role: 0 to go on, or -1 after answering. A route
 * marked ROUTE_AUTH_AHEAD is judged with its handler's first statement. */
static int authenticate(struct req *r) {
  unsigned flags = r->route->flags;
  if (flags & ROUTE_PUBLIC)
    return 0;
  if (flags & ROUTE_AUTH_AHEAD)
    return mw_authenticate_ahead(r);
  if (mw_authenticate(r) != 0)
    return -1;
  if (!(r->caller.role & r->route->roles)) {
    reply_problem(r, 403, AUTH_ROLE_DETAIL);
    return -1;
  }
  return 0;
}

/* A lookup sent ahead that no statement carried (the handler answered from
 * the request alone, such as 404 for a malformed id) is judged now; when it
 * refuses, its refusal replaces the handler's answer, as if it came first. */
static void settle_authentication(struct req *r) {
  enum dbq q = mw_authenticate_settle(r);
  if (q >= 0)
    return;
  u_map_clean(r->res->map_header);
  u_map_init(r->res->map_header);
  reply_header(r, "X-Request-Id", r->request_id);
  apply_cors(r);
  reply_db(r, q);
}

/* Routing and the checks before the handler. */
static void route_request(struct req *r) {
  char allow[96];
  int path_known = 0;
  const char *method = r->http->http_verb;
  /* HEAD is GET without the body (RFC 9110 9.3.2); the HTTP library drops the body. */
  if (strcmp(method, "HEAD") == 0)
    method = "GET";
  r->route = router_match(method, r->http->url_path, r->vars, &path_known, allow, sizeof allow);
  if (r->route == NULL && strcmp(method, "OPTIONS") == 0 && path_known) {
    answer_preflight(r, allow);
    return;
  }
  if (r->route == NULL) {
    if (path_known)
      reply_header(r, "Allow", allow);
    reply_problem(r, path_known ? 405 : 404, path_known ? "This method is not allowed here." : "No such resource.");
    return;
  }
  if (body_too_large(r) || authenticate(r) != 0)
    return;
  if (!((r->route->flags & ROUTE_NO_QUERY) && req_query_none(r) != 0))
    r->route->handler(r);
  if (r->route->flags & ROUTE_AUTH_AHEAD)
    settle_authentication(r);
}

static void finish(struct req *r, double started) {
  double took = now_s() - started;
  long idx = r->route ? (long)(r->route - routes) : -1;
  if (r->db)
    db_pool_release(r->app->pool, r->db);
  r->db = NULL;
  if (r->status == 0)
    r->status = (int)r->res->status;
  metrics_observe(r->app->metrics, idx, r->status, took);
  y_log_message(Y_LOG_LEVEL_INFO, "%s %s %d %.1fms %s", r->http->http_verb,
                r->route ? r->route->pattern : r->http->url_path, r->status, took * 1000.0, r->request_id);
  for (int i = 0; i < REQ_MAX_VARS; i++)
    free(r->vars[i]);
  json_decref(r->caller.region_codes);
}

static int dispatch(const struct _u_request *http, struct _u_response *res, void *user_data) {
  struct req r = {.http = http, .res = res, .app = user_data};
  double started = now_s();
  __atomic_fetch_add(&r.app->inflight, 1, __ATOMIC_SEQ_CST);
  set_request_id(&r);
  apply_cors(&r);
  route_request(&r);
  finish(&r, started);
  __atomic_fetch_sub(&r.app->inflight, 1, __ATOMIC_SEQ_CST);
  return U_CALLBACK_COMPLETE;
}

int server_start(struct app *app, struct _u_instance *inst) {
  struct sockaddr_in *addr = &app->bind_addr;
  const struct config *cfg = &app->cfg;
  memset(addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_port = htons((uint16_t)cfg->port);
  inet_pton(AF_INET, cfg->bind, &addr->sin_addr);
  if (ulfius_init_instance(inst, (unsigned)cfg->port, addr, NULL) != U_OK)
    return -1;
  inst->max_post_body_size = LARGE_BODY_LIMIT + 1;
  inst->allowed_post_processor = U_POST_PROCESS_NONE;
  inst->timeout = (unsigned)cfg->request_timeout_s;
  ulfius_add_endpoint_by_val(inst, "*", NULL, "*", 0, &dispatch, app);
  ulfius_set_default_endpoint(inst, &dispatch, app);
  unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_ITC;
  flags |= cfg->http_threads > 0 ? MHD_USE_EPOLL_INTERNAL_THREAD
                                 : MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
  struct MHD_OptionItem ops[] = {
      {MHD_OPTION_SOCK_ADDR, 0, addr},
      {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->request_timeout_s, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_connections, NULL},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
      {cfg->http_threads > 0 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)cfg->http_threads, NULL},
      {MHD_OPTION_END, 0, NULL},
  };
  if (ulfius_start_framework_with_mhd_options(inst, flags, ops) != U_OK) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server_start: cannot listen on %s:%d", cfg->bind, cfg->port);
    ulfius_clean_instance(inst);
    return -1;
  }
  return 0;
}

void server_stop(struct app *app, struct _u_instance *inst, int grace_s) {
  if (inst->mhd_daemon)
    MHD_quiesce_daemon(inst->mhd_daemon);
  for (int i = 0; i < grace_s * 20 && __atomic_load_n(&app->inflight, __ATOMIC_SEQ_CST) > 0; i++)
    usleep(50000);
  ulfius_stop_framework(inst);
  ulfius_clean_instance(inst);
}
