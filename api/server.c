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
#include "reply.h"
#include "router.h"

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
  if ((cl && strtoull(cl, NULL, 10) > BODY_LIMIT) || r->http->binary_body_length > BODY_LIMIT) {
    reply_problem(r, 413, "The body is larger than 1 MiB.");
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

static int dispatch(const struct _u_request *http, struct _u_response *res, void *user_data) {
  struct req r = {.http = http, .res = res, .app = user_data};
  double started = now_s();
  __atomic_fetch_add(&r.app->inflight, 1, __ATOMIC_SEQ_CST);
  set_request_id(&r);
  apply_cors(&r);
  route_request(&r);
  security_headers(&r);
  finish(&r, started);
  __atomic_fetch_sub(&r.app->inflight, 1, __ATOMIC_SEQ_CST);
  return U_CALLBACK_COMPLETE;
}

/* The listening address from configuration (already checked by config_load):
 * 0, or -1 when it does not parse, so nothing ever listens on every interface. */
static int bind_address(struct app *app) {
  const struct config *cfg = &app->cfg;
  memset(&app->bind_addr, 0, sizeof app->bind_addr);
  if (cfg->bind_family == AF_INET6) {
    app->bind_addr.v6.sin6_family = AF_INET6;
    app->bind_addr.v6.sin6_port = htons((uint16_t)cfg->port);
    return inet_pton(AF_INET6, cfg->bind, &app->bind_addr.v6.sin6_addr) == 1 ? 0 : -1;
  }
  app->bind_addr.v4.sin_family = AF_INET;
  app->bind_addr.v4.sin_port = htons((uint16_t)cfg->port);
  return inet_pton(AF_INET, cfg->bind, &app->bind_addr.v4.sin_addr) == 1 ? 0 : -1;
}

int server_bound(const struct _u_instance *inst, char *out, size_t len) {
  const union MHD_DaemonInfo *info =
      inst->mhd_daemon ? MHD_get_daemon_info(inst->mhd_daemon, MHD_DAEMON_INFO_LISTEN_FD) : NULL;
  struct sockaddr_storage ss;
  socklen_t sslen = sizeof ss;
  char host[INET6_ADDRSTRLEN];
  if (info == NULL || getsockname(info->listen_fd, (struct sockaddr *)&ss, &sslen) != 0)
    return -1;
  if (ss.ss_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    snprintf(out, len, "[%s]:%u", host, ntohs(a->sin6_port));
  } else {
    const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    snprintf(out, len, "%s:%u", host, ntohs(a->sin_port));
  }
  return 0;
}

int server_start(struct app *app, struct _u_instance *inst) {
  const struct config *cfg = &app->cfg;
  if (bind_address(app) != 0) {
    y_log_message(Y_LOG_LEVEL_ERROR, "server_start: OPOP_BIND %s is not an address", cfg->bind);
    return -1;
  }
  if (ulfius_init_instance(inst, (unsigned)cfg->port, NULL, NULL) != U_OK)
    return -1;
  inst->max_post_body_size = BODY_LIMIT + 1;
  inst->allowed_post_processor = U_POST_PROCESS_NONE;
  inst->timeout = (unsigned)cfg->request_timeout_s;
  ulfius_add_endpoint_by_val(inst, "*", NULL, "*", 0, &dispatch, app);
  ulfius_set_default_endpoint(inst, &dispatch, app);
  unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_ITC | (cfg->bind_family == AF_INET6 ? MHD_USE_IPv6 : 0);
  flags |= cfg->http_threads > 0 ? MHD_USE_EPOLL_INTERNAL_THREAD
                                 : MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
  struct MHD_OptionItem ops[] = {
      {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)log_http_library, NULL},
      {MHD_OPTION_SOCK_ADDR, 0, &app->bind_addr},
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
