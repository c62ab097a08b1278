#include "transport.h"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <yder.h>

#include "offload.h"
#include "transport_msg.h"
#include "validate.h"

/* One open connection, watched for its request's deadline. */
struct watched {
  int fd;
  double waiting_since; /* opened, or its previous answer sent */
  int started;          /* the request line has arrived */
  int arrived;          /* the whole request has arrived (or been answered) */
  int dropped;
  /* Bytes the socket had received and sent when its last request ended. */
  unsigned long long rx_done, tx_done;
  struct watched *prev, *next;
};

/* One request, from its request line to its answer being sent. */
struct exchange {
  struct _u_request req;
  struct watched *conn;
  size_t limit; /* body limit of its route */
  int started;  /* the access handler has seen its headers */
  int answered;
  int over; /* the body grew past the limit */
  /* Answered on a hashing worker while its connection is suspended: */
  int handed_off;
  struct transport *t;
  struct MHD_Connection *c;
  struct MHD_Response *ready; /* the answer made there, NULL if none could be */
  unsigned ready_status;
};

struct transport {
  struct MHD_Daemon *daemon;
  struct transport_hooks hooks;
  struct sockaddr_storage addr; /* IPv4 or IPv6, as OPOP_BIND says */
  int deadline_s, idle_s;
  char *tls_cert, *tls_key; /* PEM text, kept while the daemon runs */
  pthread_mutex_t lock;     /* guards conns and stopping */
  pthread_cond_t wake;
  struct watched *conns;
  int stopping;
  int tls;
  int watching;            /* the watchdog thread runs */
  long busy;               /* requests between their headers and their answer sent (atomic) */
  struct offload *hashing; /* workers for requests that hash a password (epoll pool only) */
  pthread_t watchdog;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t transport_query_count(const char *url) {
  const char *q = url ? strchr(url, '?') : NULL;
  size_t n = 0;
  if (q == NULL || q[1] == '\0')
    return 0;
  for (n = 1; *q; q++)
    n += *q == '&';
  return n;
}

/* ---- connections and the deadline watchdog ---- */

static struct watched *watched_of(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? ci->socket_context : NULL;
}

/* Bytes received from and sent (or queued) to the client so far: 0, or -1. */
static int traffic(int fd, unsigned long long *rx, unsigned long long *tx) {
  struct tcp_info ti;
  socklen_t len = sizeof ti;
  int queued = 0;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0 || len < sizeof ti || ioctl(fd, SIOCOUTQ, &queued) != 0)
    return -1;
  *rx = ti.tcpi_bytes_received;
  *tx = ti.tcpi_bytes_sent + (unsigned long long)queued;
  return 0;
}

#define UNPARSED_BODY                                                                                                  \
  "{\"type\":\"/problems/bad-request\",\"title\":\"Bad Request\",\"status\":400,"                                      \
  "\"detail\":\"the request line must be: method, a space, the target, a space, the HTTP version\"}"

/* libmicrohttpd 0.9.75 closes a connection whose request line has no space
 * (its parse_initial_message_line fails, CONNECTION_CLOSE_ERROR without a
 * message): no answer, no log line, and neither the request-line nor the
 * completion callback runs. Only the close notification, which comes before
 * the socket is closed, sees it: bytes arrived since the last request ended
 * (more than one: a client's FIN counts one), none of them began a request,
 * and nothing was sent back. Those bytes get a 400 here (plain HTTP only:
 * under TLS the records are libmicrohttpd's). MHD_USE_TURBO (plain HTTP
 * only) keeps libmicrohttpd from shutting the socket's sending side before
 * this notification, as it otherwise does. A broken line pipelined behind a
 * request on a kept-alive connection is still closed unanswered: its bytes
 * arrived before that request ended. */
static void answer_unparsed(struct transport *t, struct watched *w) {
  static const char reply[] = "HTTP/1.1 400 Bad Request\r\n"
                              "Content-Type: application/problem+json\r\n"
                              "X-Content-Type-Options: nosniff\r\n"
                              "Connection: close\r\n"
                              "Content-Length: %zu\r\n\r\n%s";
  unsigned long long rx, tx;
  char text[512];
  if (t->tls || t->stopping || w->started || w->dropped || traffic(w->fd, &rx, &tx) != 0 || rx <= w->rx_done + 1 ||
      tx != w->tx_done)
    return;
  int n = snprintf(text, sizeof text, reply, strlen(UNPARSED_BODY), UNPARSED_BODY);
  if (n > 0 && n < (int)sizeof text && send(w->fd, text, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n)
    y_log_message(Y_LOG_LEVEL_WARNING, "http: refused a request whose request line could not be parsed (400)");
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
  struct transport *t = cls;
  struct watched *w = *socket_context;
  pthread_mutex_lock(&t->lock);
  if (code == MHD_CONNECTION_NOTIFY_STARTED && (w = calloc(1, sizeof *w)) != NULL) {
    w->fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD)->connect_fd;
    w->waiting_since = now_s();
    w->next = t->conns;
    if (t->conns)
      t->conns->prev = w;
    t->conns = w;
    *socket_context = w;
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && w) {
    answer_unparsed(t, w);
    /* libmicrohttpd closes the socket only after this returns, so the
     * watchdog, holding the lock, never shuts down a reused descriptor. */
    if (w->prev)
      w->prev->next = w->next;
    else
      t->conns = w->next;
    if (w->next)
      w->next->prev = w->prev;
    free(w);
    *socket_context = NULL;
  }
  pthread_mutex_unlock(&t->lock);
}

static void mark(struct transport *t, struct watched *w, int started, int arrived) {
  if (w == NULL)
    return;
  pthread_mutex_lock(&t->lock);
  w->started = started;
  w->arrived = arrived;
  if (!started)
    traffic(w->fd, &w->rx_done, &w->tx_done);
  /* The deadline counts from the request line, not from the previous answer:
   * a kept-alive connection may rest a while before its next request. */
  if (!arrived)
    w->waiting_since = now_s();
  pthread_mutex_unlock(&t->lock);
}

/* libmicrohttpd's timeout counts only silence, so a client sending a byte a
 * second would hold its connection for ever: a request must arrive in full
 * within the deadline of its request line, and a request line within the
 * idle timeout and the deadline together. Shutting the socket down makes libmicrohttpd close it. */
static void drop_late(struct transport *t) {
  double now = now_s();
  for (struct watched *w = t->conns; w; w = w->next) {
    /* A connection at rest is libmicrohttpd's to close (after idle_s); this
     * only bounds a request line that trickles in without ever ending. */
    int limit = w->started ? t->deadline_s : t->idle_s + t->deadline_s;
    if (w->arrived || w->dropped || now - w->waiting_since <= limit)
      continue;
    w->dropped = 1;
    shutdown(w->fd, SHUT_RDWR);
    if (w->started)
      y_log_message(Y_LOG_LEVEL_WARNING, "dropped a connection: its request had not arrived in full after %d s",
                    t->deadline_s);
  }
}

static void *watchdog(void *arg) {
  struct transport *t = arg;
  pthread_mutex_lock(&t->lock);
  while (!t->stopping) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    pthread_cond_timedwait(&t->wake, &t->lock, &until);
    drop_late(t);
  }
  pthread_mutex_unlock(&t->lock);
  return NULL;
}

/* ---- requests ---- */

/* Called with the raw request line before libmicrohttpd parses its query.
 * libmicrohttpd 0.9.75 keeps each parameter in the connection's small memory
 * pool and, when the pool runs out there, queues a 431 that its own state
 * machine then forgets: the client waits for ever. A query with more
 * parameters than any route takes is cut here (the full URL is kept) and
 * refused by the service with a 400. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *c) {
  struct transport *t = cls;
  struct exchange *ex = calloc(1, sizeof *ex);
  if (ex == NULL || ulfius_init_request(&ex->req) != U_OK) {
    free(ex);
    return NULL;
  }
  const char *q = strchr(uri, '?');
  ex->req.http_url = strdup(uri);
  ex->req.url_path = q ? strndup(uri, (size_t)(q - uri)) : strdup(uri);
  if (q && transport_query_count(uri) > TRANSPORT_MAX_QUERY_PARAMS)
    ((char *)q)[1] = '\0'; /* the request line is libmicrohttpd's writable buffer */
  ex->conn = watched_of(c);
  mark(t, ex->conn, 1, 0);
  return ex;
}

/* The declared body length, or 0 when none is declared. */
static unsigned long long declared_length(const struct _u_request *req) {
  const char *cl = u_map_get_case(req->map_header, "Content-Length");
  return cl ? strtoull(cl, NULL, 10) : 0;
}

typedef void answerer(const struct _u_request *req, struct _u_response *res, void *data);

/* The answer by how (dispatch, or refuse) as libmicrohttpd's: NULL if none could be made. */
static struct MHD_Response *make_answer(struct transport *t, struct exchange *ex, answerer *how, unsigned *status) {
  struct _u_response res;
  if (ulfius_init_response(&res) != U_OK)
    return NULL;
  how(&ex->req, &res, t->hooks.data);
  struct MHD_Response *m = transport_to_mhd(&res);
  *status = (unsigned)res.status;
  ulfius_clean_response(&res);
  return m;
}

static enum MHD_Result send_answer(struct MHD_Connection *c, struct MHD_Response *m, unsigned status) {
  if (m == NULL)
    return MHD_NO;
  enum MHD_Result ok = MHD_queue_response(c, status, m);
  MHD_destroy_response(m);
  return ok;
}

static enum MHD_Result answer_by(struct transport *t, struct MHD_Connection *c, struct exchange *ex, answerer *how) {
  unsigned status = 0;
  ex->answered = 1;
  mark(t, ex->conn, 1, 1);
  struct MHD_Response *m = make_answer(t, ex, how, &status);
  return send_answer(c, m, status);
}

static enum MHD_Result answer(struct transport *t, struct MHD_Connection *c, struct exchange *ex) {
  return answer_by(t, c, ex, t->hooks.dispatch);
}

/* On a hashing worker: answers, then gives the connection back to
 * libmicrohttpd, which calls on_request again to send the answer. */
static void answer_handed_off(void *arg) {
  struct exchange *ex = arg;
  ex->ready = make_answer(ex->t, ex, ex->t->hooks.dispatch, &ex->ready_status);
  MHD_resume_connection(ex->c);
}

/* A request that hashes a password is answered on a hashing worker, its
 * connection suspended meanwhile, so that this pool thread goes on serving
 * the other connections it multiplexes; with no room among the workers it
 * is refused at once (503). */
static enum MHD_Result hand_off(struct transport *t, struct MHD_Connection *c, struct exchange *ex) {
  if (offload_reserve(t->hashing) != 0)
    return answer_by(t, c, ex, t->hooks.refuse);
  ex->answered = ex->handed_off = 1;
  ex->t = t;
  ex->c = c;
  mark(t, ex->conn, 1, 1);
  /* Suspended before the worker may resume it. */
  MHD_suspend_connection(c);
  offload_run(t->hashing, answer_handed_off, ex);
  return MHD_YES;
}

/* The last call for a request (its body, if any, has arrived). */
static enum MHD_Result on_arrived(struct transport *t, struct MHD_Connection *c, struct exchange *ex) {
  if (ex->handed_off) {
    /* Resumed: the worker's answer, sent once. */
    struct MHD_Response *m = ex->ready;
    ex->ready = NULL;
    ex->handed_off = 0;
    return send_answer(c, m, ex->ready_status);
  }
  if (ex->answered)
    return MHD_YES;
  if (t->hashing && t->hooks.hashes(&ex->req, t->hooks.data))
    return hand_off(t, c, ex);
  return answer(t, c, ex);
}

/* Keeps up to limit bytes of the body; past that the request is over. */
static int take_body(struct exchange *ex, const char *data, size_t size) {
  struct _u_request *req = &ex->req;
  if (ex->over)
    return 0;
  /* One byte past the limit is kept, so the service sees the body is over. */
  if (req->binary_body_length + size > ex->limit) {
    ex->over = 1;
    size = ex->limit + 1 - req->binary_body_length;
  }
  void *grown = realloc(req->binary_body, req->binary_body_length + size);
  if (grown == NULL)
    return -1;
  memcpy((char *)grown + req->binary_body_length, data, size);
  req->binary_body = grown;
  req->binary_body_length += size;
  return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state) {
  struct transport *t = cls;
  struct exchange *ex = *state;
  if (ex == NULL)
    return MHD_NO;
  if (!ex->started) {
    ex->started = 1;
    __atomic_fetch_add(&t->busy, 1, __ATOMIC_SEQ_CST);
    if (transport_fill_request(&ex->req, c, method, version) != 0)
      return MHD_NO;
    ex->limit = t->hooks.body_limit(&ex->req, t->hooks.data);
    /* Refused before its body is read (the service sees the declared length). */
    return declared_length(&ex->req) > ex->limit ? answer(t, c, ex) : MHD_YES;
  }
  if (*upload_size > 0) {
    size_t size = *upload_size;
    *upload_size = 0;
    if (ex->answered)
      return MHD_YES;
    if (take_body(ex, upload, size) != 0)
      return MHD_NO;
    /* A body without a declared length that grows past the limit is read
     * to its end unkept (libmicrohttpd 0.9.75 drops an answer queued in the
     * middle of a chunked body), then refused. */
    return MHD_YES;
  }
  return on_arrived(t, c, ex);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode toe) {
  struct transport *t = cls;
  struct exchange *ex = *state;
  if (ex == NULL)
    return;
  mark(t, ex->conn, 0, 0);
  if (ex->started)
    __atomic_fetch_sub(&t->busy, 1, __ATOMIC_SEQ_CST);
  if (ex->ready)
    MHD_destroy_response(ex->ready);
  ulfius_clean_request(&ex->req);
  free(ex);
  *state = NULL;
}

/* libmicrohttpd's own refusals (414, 431, 400 for a malformed line) and
 * errors, as log lines. */
static void mhd_log(void *cls, const char *fmt, va_list ap) {
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  line[strcspn(line, "\n")] = '\0';
  y_log_message(Y_LOG_LEVEL_WARNING, "http: %s", line);
}

/* ---- start and stop ---- */

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  long n;
  if (f == NULL)
    return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < (1L << 20) && fseek(f, 0, SEEK_SET) == 0 &&
      (text = malloc((size_t)n + 1)) != NULL) {
    if (fread(text, 1, (size_t)n, f) == (size_t)n) {
      text[n] = '\0';
    } else {
      free(text);
      text = NULL;
    }
  }
  fclose(f);
  return text;
}

static void transport_free(struct transport *t) {
  offload_free(t->hashing);
  if (t->tls_key)
    memset(t->tls_key, 0, strlen(t->tls_key));
  free(t->tls_key);
  free(t->tls_cert);
  pthread_mutex_destroy(&t->lock);
  pthread_cond_destroy(&t->wake);
  free(t);
}

static int load_tls(struct transport *t, const struct config *cfg) {
  if (cfg->tls_cert == NULL)
    return 0;
  t->tls_cert = read_file(cfg->tls_cert);
  t->tls_key = read_file(cfg->tls_key);
  if (t->tls_cert && t->tls_key)
    return 0;
  y_log_message(Y_LOG_LEVEL_ERROR, "transport: cannot read %s", t->tls_cert ? cfg->tls_key : cfg->tls_cert);
  return -1;
}

/* Hashing workers yield the CPU to the threads answering other requests (and
 * to PostgreSQL): when a sign-in rush saturates the cores, reads stay quick
 * and sign-ins slow down, bounded by the hashing queue. */
#define HASHING_NICE 10

/* Suspending a connection is libmicrohttpd's for its polling modes only; with
 * a thread per connection, hashing blocks only its own connection's thread. */
static int start_hashing(struct transport *t, const struct config *cfg) {
  if (cfg->http_threads == 0 || t->hooks.hashes == NULL)
    return 0;
  if ((t->hashing = offload_new(t->hooks.hash_workers, t->hooks.hash_queue, HASHING_NICE)) != NULL)
    return 0;
  y_log_message(Y_LOG_LEVEL_ERROR, "transport: cannot start the hashing workers");
  return -1;
}

static struct MHD_Daemon *start_daemon(struct transport *t, const struct config *cfg) {
  unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_ITC | (cfg->bind_family == AF_INET6 ? MHD_USE_IPv6 : 0);
  flags |= cfg->http_threads > 0 ? MHD_USE_EPOLL_INTERNAL_THREAD
                                 : MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
  if (t->hashing)
    flags |= MHD_ALLOW_SUSPEND_RESUME;
  struct MHD_OptionItem ops[16] = {
      {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL}, /* first, or it misses messages */
      {MHD_OPTION_SOCK_ADDR, 0, &t->addr},
      {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->request_timeout_s, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)cfg->max_connections, NULL},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)cfg->max_per_address, NULL},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, t},
      {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, t},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_request_line, t},
  };
  int n = 8;
  if (cfg->http_threads > 0)
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)cfg->http_threads, NULL};
  if (t->tls_cert) {
    t->tls = 1;
    flags |= MHD_USE_TLS;
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, t->tls_cert};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, t->tls_key};
    /* TLS 1.2 and later only. */
    ops[n++] =
        (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"};
  }
  if (!t->tls)
    flags |= MHD_USE_TURBO; /* see answer_unparsed; TLS keeps its orderly close */
  ops[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  return MHD_start_daemon(flags, 0, NULL, NULL, on_request, t, MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

/* The listening address (config_load has checked it): 0, or -1 when it does
 * not parse, so nothing ever listens on every interface by mistake. */
static int listen_address(struct transport *t, const struct config *cfg) {
  memset(&t->addr, 0, sizeof t->addr);
  if (cfg->bind_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&t->addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)cfg->port);
    return inet_pton(AF_INET6, cfg->bind, &a->sin6_addr) == 1 ? 0 : -1;
  }
  struct sockaddr_in *a = (struct sockaddr_in *)&t->addr;
  a->sin_family = AF_INET;
  a->sin_port = htons((uint16_t)cfg->port);
  return inet_pton(AF_INET, cfg->bind, &a->sin_addr) == 1 ? 0 : -1;
}

int transport_bound(const struct transport *t, char *out, size_t len) {
  const union MHD_DaemonInfo *info = t ? MHD_get_daemon_info(t->daemon, MHD_DAEMON_INFO_LISTEN_FD) : NULL;
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

struct transport *transport_start(const struct config *cfg, const struct transport_hooks *hooks) {
  struct transport *t = calloc(1, sizeof *t);
  if (t == NULL)
    return NULL;
  pthread_mutex_init(&t->lock, NULL);
  pthread_cond_init(&t->wake, NULL);
  t->hooks = *hooks;
  t->deadline_s = cfg->request_deadline_s;
  t->idle_s = cfg->request_timeout_s;
  if (listen_address(t, cfg) != 0) {
    y_log_message(Y_LOG_LEVEL_ERROR, "transport: OPOP_BIND %s is not an address", cfg->bind);
    goto fail;
  }
  if (load_tls(t, cfg) != 0 || start_hashing(t, cfg) != 0)
    goto fail;
  if ((t->daemon = start_daemon(t, cfg)) == NULL) {
    y_log_message(Y_LOG_LEVEL_ERROR, "transport: cannot listen on %s:%d", cfg->bind, cfg->port);
    goto fail;
  }
  t->watching = pthread_create(&t->watchdog, NULL, watchdog, t) == 0;
  return t;
fail:
  transport_free(t);
  return NULL;
}

void transport_quiesce(struct transport *t) {
  /* The listening socket is closed, not left to queue connections that
   * would never be served: new clients are refused at once. */
  MHD_socket fd = MHD_quiesce_daemon(t->daemon);
  if (fd != MHD_INVALID_SOCKET)
    close(fd);
}

long transport_busy(struct transport *t) {
  return __atomic_load_n(&t->busy, __ATOMIC_SEQ_CST);
}

void transport_stop(struct transport *t) {
  if (t == NULL)
    return;
  pthread_mutex_lock(&t->lock);
  t->stopping = 1;
  pthread_cond_signal(&t->wake);
  pthread_mutex_unlock(&t->lock);
  if (t->watching)
    pthread_join(t->watchdog, NULL);
  /* libmicrohttpd must not stop with a connection suspended: every request
   * handed to the hashing workers is answered (and resumed) first. */
  if (t->hashing)
    offload_drain(t->hashing);
  MHD_stop_daemon(t->daemon);
  transport_free(t);
}
