/* The HTTP edge: one ulfius callback receives every request and runs the
 * middleware steps in order (request id, CORS, routing, body limit,
 * authentication, role check), then the handler, then logging and metrics.
 * Routing is ours, not ulfius', so 404 and 405 are exact and the route table
 * is one list that the OpenAPI contract test can read. */
#include "server.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <yder.h>

#include "auth.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "password.h"
#include "pwgate.h"
#include "reply.h"
#include "router.h"
#include "transport.h"

/* Enough for any client and a bearer token; far below what would let a
 * client make the service hold much memory per connection. */
#define MAX_HEADERS 64
#define MAX_HEADER_LENGTH 8192

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* With origins configured every answer depends on Origin, also one without
 * CORS headers, so a shared cache never hands one origin's answer to another. */
static void apply_cors(struct req *r) {
  if (r->app->cfg.cors_origins == NULL)
    return;
  reply_vary(r, "Origin");
  const char *origin = req_header(r, "Origin");
  if (origin == NULL || !config_origin_allowed(&r->app->cfg, origin))
    return;
  reply_header(r, "Access-Control-Allow-Origin", origin);
  reply_header(r, "Access-Control-Expose-Headers",
               "ETag, Location, X-Request-Id, Retry-After, WWW-Authenticate, Idempotent-Replayed, "
               "Content-Disposition, Allow");
}

/* A CORS preflight for a known path: 204 with what the browser may send. */
static void answer_preflight(struct req *r, const char *allow) {
  if (u_map_get_case(r->res->map_header, "Access-Control-Allow-Origin") != NULL) {
    reply_header(r, "Access-Control-Allow-Methods", allow);
    reply_header(r, "Access-Control-Allow-Headers",
                 "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, Accept, "
                 "Accept-Language");
    reply_header(r, "Access-Control-Max-Age", "600");
  }
  reply_header(r, "Allow", allow);
  reply_empty(r, 204);
}

static int body_too_large(struct req *r) {
  const char *cl = req_header(r, "Content-Length");
  size_t limit = r->route->flags & ROUTE_LARGE_BODY ? LARGE_BODY_LIMIT : BODY_LIMIT;
  if ((cl && strtoull(cl, NULL, 10) > limit) || r->http->binary_body_length > limit) {
    reply_problem(r, 413, limit == BODY_LIMIT ? "The body is larger than 1 MiB." : "The body is larger than 8 MiB.");
    return 1;
  }
  return 0;
}

/* Floods the HTTP library lets through: too many query parameters (it would
 * drop the extra ones silently), too many or too long headers. */
static int request_acceptable(struct req *r) {
  char detail[96];
  reply_header(r, "Connection", "close"); /* a flooding client is not kept */
  const struct _u_map *h = r->http->map_header;
  if (transport_query_count(r->http->http_url) > TRANSPORT_MAX_QUERY_PARAMS) {
    snprintf(detail, sizeof detail, "has more than %d parameters", TRANSPORT_MAX_QUERY_PARAMS);
    reply_field(r, 400, "query", detail);
    return 0;
  }
  int n = u_map_count(h);
  for (int i = 0; i < n && n <= MAX_HEADERS; i++) {
    if (strlen(u_map_enum_keys(h)[i]) + strlen(u_map_enum_values(h)[i]) > MAX_HEADER_LENGTH) {
      snprintf(detail, sizeof detail, "The header %.40s is longer than %d characters.", u_map_enum_keys(h)[i],
               MAX_HEADER_LENGTH);
      reply_problem(r, 431, detail);
      return 0;
    }
  }
  if (n > MAX_HEADERS) {
    snprintf(detail, sizeof detail, "The request has more than %d headers.", MAX_HEADERS);
    reply_problem(r, 431, detail);
    return 0;
  }
  u_map_remove_from_key(r->res->map_header, "Connection");
  return 1;
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
  req_db_release(r);
  if (r->status == 0)
    r->status = (int)r->res->status;
  metrics_observe(r->app->metrics, idx, r->status, took);
  if (r->route && r->route->handler == h_auth_login)
    metrics_signin(r->app->metrics, r->status);
  if (u_map_get_case(r->res->map_header, "Idempotent-Replayed"))
    metrics_replay(r->app->metrics);
  log_request(r, took);
  for (int i = 0; i < REQ_MAX_VARS; i++)
    free(r->vars[i]);
  json_decref(r->caller.region_codes);
}

/* Every answer: no content sniffing. Answers to authenticated routes are kept
 * only by the client and revalidated (their ETag makes that cheap); a handler
 * that answers with a credential has set no-store, which stays. */
static void security_headers(struct req *r) {
  reply_header(r, "X-Content-Type-Options", "nosniff");
  if (r->route && !(r->route->flags & ROUTE_PUBLIC) && u_map_get_case(r->res->map_header, "Cache-Control") == NULL)
    reply_header(r, "Cache-Control", "private, no-cache");
}

/* A request the hashing workers had no room for: its route, for the
 * metrics, and 503 as from a full hashing queue. */
static void refuse_hashing(struct req *r) {
  char allow[96];
  int known = 0;
  r->route = router_match(r->http->http_verb, r->http->url_path, r->vars, &known, allow, sizeof allow);
  req_password_busy(r);
}

/* Answers a request: the middleware steps, the answer by step, then logging and metrics. */
static void serve(const struct _u_request *http, struct _u_response *res, struct app *app,
                  void (*step)(struct req *r)) {
  struct req r = {.http = http, .res = res, .app = app};
  double started = now_s();
  set_request_id(&r);
  apply_cors(&r);
  if (request_acceptable(&r))
    step(&r);
  security_headers(&r);
  /* While stopping, no connection is kept for a next request that could
   * arrive as it closes: the client opens a new one, which is refused. */
  if (__atomic_load_n(&r.app->draining, __ATOMIC_SEQ_CST))
    reply_header(&r, "Connection", "close");
  finish(&r, started);
}

static void dispatch(const struct _u_request *http, struct _u_response *res, void *user_data) {
  serve(http, res, user_data, route_request);
}

static void refuse(const struct _u_request *http, struct _u_response *res, void *user_data) {
  serve(http, res, user_data, refuse_hashing);
}

/* The flags of the route the request names (0 when none). */
static unsigned route_flags(const struct _u_request *http) {
  char *vars[REQ_MAX_VARS] = {0};
  char allow[96];
  int known = 0;
  const struct route *route = router_match(http->http_verb, http->url_path, vars, &known, allow, sizeof allow);
  for (int i = 0; i < REQ_MAX_VARS; i++)
    free(vars[i]);
  return route ? route->flags : 0;
}

/* The route's body limit: the spreadsheet import routes take more. */
static size_t body_limit(const struct _u_request *http, void *data) {
  return route_flags(http) & ROUTE_LARGE_BODY ? LARGE_BODY_LIMIT : BODY_LIMIT;
}

static int hashes(const struct _u_request *http, void *data) {
  return (route_flags(http) & ROUTE_HASHES) != 0;
}

int server_start(struct app *app) {
  /* As many hashing workers and waiting places as the password gate has, so
   * that in the epoll pool the gate never makes a worker wait. */
  struct transport_hooks hooks = {.dispatch = dispatch,
                                  .body_limit = body_limit,
                                  .data = app,
                                  .hashes = hashes,
                                  .refuse = refuse,
                                  .hash_workers = pw_gate_slots(app->pw_gate),
                                  .hash_queue = pw_gate_queue(app->pw_gate)};
  app->transport = transport_start(&app->cfg, &hooks);
  return app->transport ? 0 : -1;
}

int server_bound(struct app *app, char *out, size_t len) {
  return transport_bound(app->transport, out, len);
}

void server_stop(struct app *app, int grace_s) {
  /* /readyz answers 503 first, so a proxy stops sending here; then new
   * connections are refused and the requests in flight are answered. */
  __atomic_store_n(&app->draining, 1, __ATOMIC_SEQ_CST);
  usleep((useconds_t)app->cfg.drain_ms * 1000);
  transport_quiesce(app->transport);
  for (int i = 0; i < grace_s * 20 && transport_busy(app->transport) > 0; i++)
    usleep(50000);
  transport_stop(app->transport);
  app->transport = NULL;
}
