/* The webhook deliverer: one background thread with its own database
 * connection. About once a second (at once after a success) it leases due
 * endpoints in PostgreSQL (FOR UPDATE SKIP LOCKED, so instances share the work
 * and each item goes out once), takes each one's next feed item, and posts it
 * with libcurl; all attempts run side by side in one curl multi handle, so a
 * slow receiver delays only itself. An endpoint has at most one attempt in
 * flight, and its position moves only after a 2xx: at least once, in feed
 * order. A failure is retried after growing delays until the endpoint has
 * failed for the retry window, then the endpoint is deactivated. */
#include "webhook_worker.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "app.h"
#include "repo_webhooks.h"
#include "webhook_addr.h"
#include "webhook_sign.h"

/* Receivers see which service and version calls them. */
#define USER_AGENT "opop-api/" OPOP_VERSION " (webhooks)"

enum {
  POLL_MS = 1000,      /* the feed is looked at this often: an item goes out within a few seconds */
  MAX_IN_FLIGHT = 16,  /* endpoints attempted side by side */
  LEASE_MARGIN_S = 30, /* a lease outlives its attempt by this much */
};
/* The first retry within 5 s, then each delay four times the last, at most 4 h. */
#define RETRY_FIRST_S 3.0
#define RETRY_FACTOR 4.0
#define RETRY_MAX_S (4 * 3600.0)

struct webhook_worker {
  const struct config *cfg;
  struct db_pool *pool;
  CURLM *multi;
  pthread_t thread;
  int stopping; /* atomic */
  struct attempt *flying[MAX_IN_FLIGHT];
  int in_flight;
  int claim_now; /* a success: look for the endpoint's next item at once */
  char owner[37];
};

struct attempt {
  struct webhook_worker *w;
  char webhook_id[37];
  char change_id[24], xid[24], seq[24];
  int number; /* 1 for the first attempt at this item */
  char *url, *body;
  CURL *easy;
  struct curl_slist *headers, *resolve;
  char curl_error[CURL_ERROR_SIZE];
  struct timespec started;
};

static double since_ms(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - t->tv_sec) * 1000.0 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

static void attempt_free(struct attempt *a) {
  if (a == NULL)
    return;
  if (a->easy) {
    curl_multi_remove_handle(a->w->multi, a->easy);
    curl_easy_cleanup(a->easy);
  }
  curl_slist_free_all(a->headers);
  curl_slist_free_all(a->resolve);
  free(a->url);
  free(a->body);
  free(a);
}

/* ---- recording an outcome ---- */

struct outcome_tx {
  struct attempt *a;
  long status; /* HTTP status, 0 when none came */
  const char *error;
  int success;
  double duration_ms;
};

static double retry_delay(const struct config *cfg, int attempts, double failing_s) {
  double delay = RETRY_FIRST_S * pow(RETRY_FACTOR, attempts > 1 ? attempts - 1 : 0);
  double left = (double)cfg->webhook_retry_window_s - failing_s;
  if (delay > RETRY_MAX_S)
    delay = RETRY_MAX_S;
  /* The last attempt comes when the window closes. */
  if (delay > left)
    delay = left > 1 ? left : 1;
  return delay;
}

static enum dbq record_body(struct db_conn *conn, void *arg) {
  struct outcome_tx *t = arg;
  struct attempt *a = t->a;
  const char *owner = a->w->owner;
  json_t *clock = NULL;
  char reason[400];
  int retry = 0;
  enum dbq q;
  const char *error = t->error;
  if (t->success) {
    q = repo_webhook_jobs_release(conn, a->webhook_id, owner, a->xid, a->seq, 1, 0);
  } else if ((q = repo_webhook_jobs_failed(conn, a->webhook_id, owner, &clock)) == DBQ_ONE) {
    double failing_s = json_number_value(json_object_get(clock, "failing_s"));
    int attempts = (int)json_integer_value(json_object_get(clock, "attempts"));
    retry = failing_s < (double)a->w->cfg->webhook_retry_window_s;
    if (!retry) {
      snprintf(reason, sizeof reason, "%s; deactivated: no successful delivery for %.0f s", t->error, failing_s);
      error = reason;
      q = repo_webhook_jobs_deactivate(conn, a->webhook_id, reason);
    }
    if (q >= 0)
      q = repo_webhook_jobs_release(conn, a->webhook_id, owner, NULL, NULL, 0,
                                    retry ? retry_delay(a->w->cfg, attempts, failing_s) : 0);
  }
  json_decref(clock);
  if (q < 0)
    return q;
  json_t *row = json_pack("{s:s, s:i, s:i, s:b, s:b}", "change_id", a->change_id, "attempt", a->number, "duration_ms",
                          (int)t->duration_ms, "success", t->success, "retry", retry);
  if (t->status > 0)
    json_object_set_new(row, "status", json_integer(t->status));
  if (error)
    json_object_set_new(row, "error", json_string(error));
  q = repo_webhook_jobs_record(conn, a->webhook_id, row);
  json_decref(row);
  return q < 0 ? q : DBQ_ONE;
}

/* Records the attempt and frees it. */
static void finish(struct attempt *a, long status, const char *error) {
  struct outcome_tx t = {a, status, error, error == NULL, since_ms(&a->started)};
  struct db_actor system = {NULL, "system", NULL};
  struct db_conn *conn = db_pool_acquire(a->w->pool, a->w->cfg->db_acquire_timeout_ms);
  enum dbq q = conn ? db_tx(conn, &system, record_body, &t) : DBQ_UNAVAILABLE;
  if (q < 0)
    y_log_message(Y_LOG_LEVEL_WARNING, "webhook %s: cannot record the attempt at change %s (lease expires)",
                  a->webhook_id, a->change_id);
  db_pool_release(a->w->pool, conn);
  if (t.success)
    a->w->claim_now = 1;
  attempt_free(a);
}

/* ---- sending ---- */

static size_t discard(char *data, size_t size, size_t n, void *arg) {
  (void)data;
  (void)arg;
  return size * n;
}

/* Every connection is checked again just before it is made, whatever curl
 * was told: the address it would reach must still be allowed. */
static curl_socket_t open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *addr) {
  const struct webhook_worker *w = arg;
  (void)purpose;
  if (!w->cfg->webhook_allow_private && !webhook_addr_public(&addr->addr))
    return CURL_SOCKET_BAD;
  return socket(addr->family, addr->socktype, addr->protocol);
}

static int add_header(struct curl_slist **list, const char *name, const char *value) {
  char line[512];
  snprintf(line, sizeof line, "%s: %s", name, value);
  struct curl_slist *grown = curl_slist_append(*list, line);
  if (grown == NULL)
    return -1;
  *list = grown;
  return 0;
}

static int sign_headers(struct attempt *a, const unsigned char *secret) {
  char ts[24], signature[WEBHOOK_SIGNATURE_LEN];
  long long now = (long long)time(NULL);
  snprintf(ts, sizeof ts, "%lld", now);
  webhook_sign(secret, a->change_id, now, a->body, strlen(a->body), signature);
  return add_header(&a->headers, "Content-Type", "application/json") || add_header(&a->headers, "Expect", "") ||
                 add_header(&a->headers, "User-Agent", USER_AGENT) ||
                 add_header(&a->headers, "webhook-id", a->change_id) ||
                 add_header(&a->headers, "webhook-timestamp", ts) ||
                 add_header(&a->headers, "webhook-signature", signature)
             ? -1
             : 0;
}

/* Pins the checked address: curl resolves nothing itself. */
static int pin_target(struct attempt *a, const struct webhook_target *t) {
  char entry[400];
  int v6 = strchr(t->address, ':') != NULL;
  snprintf(entry, sizeof entry, "%s:%d:%s%s%s", t->host, t->port, v6 ? "[" : "", t->address, v6 ? "]" : "");
  return (a->resolve = curl_slist_append(NULL, entry)) == NULL ? -1 : 0;
}

static int easy_setup(struct attempt *a) {
  CURL *e = a->easy = curl_easy_init();
  long timeout_ms = (long)a->w->cfg->webhook_timeout_s * 1000L;
  if (e == NULL)
    return -1;
  curl_easy_setopt(e, CURLOPT_URL, a->url);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROXY, ""); /* never through a proxy named by the environment */
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_RESOLVE, a->resolve);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_checked);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, a->w);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, a->body);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(a->body));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, a->headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, a->curl_error);
  curl_easy_setopt(e, CURLOPT_PRIVATE, a);
  return curl_multi_add_handle(a->w->multi, e) == CURLM_OK ? 0 : -1;
}

/* Starts the attempt, or records why it could not start (and frees it). */
static void start(struct attempt *a, const char *stored_secret) {
  unsigned char secret[WEBHOOK_SECRET_BYTES];
  struct webhook_target target;
  char why[400];
  const struct config *cfg = a->w->cfg;
  clock_gettime(CLOCK_MONOTONIC, &a->started);
  if (webhook_secret_load(stored_secret, cfg->webhook_key_set ? cfg->webhook_key : NULL, secret) != 0) {
    finish(a, 0, "the signing secret cannot be read (was OPOP_WEBHOOK_SECRET_KEY changed?)");
    return;
  }
  int rc = sign_headers(a, secret);
  sodium_memzero(secret, sizeof secret);
  if (rc != 0 || webhook_target_resolve(a->url, cfg->webhook_allow_private, &target, why, sizeof why) != 0) {
    finish(a, 0, rc != 0 ? "out of memory" : why);
    return;
  }
  if (pin_target(a, &target) != 0 || easy_setup(a) != 0) {
    finish(a, 0, "the request could not be prepared");
    return;
  }
  a->w->flying[a->w->in_flight++] = a;
}

static void forget(struct webhook_worker *w, const struct attempt *a) {
  for (int i = 0; i < w->in_flight; i++)
    if (w->flying[i] == a)
      w->flying[i] = w->flying[--w->in_flight];
}

static void done(struct webhook_worker *w, CURL *e, CURLcode result) {
  struct attempt *a = NULL;
  long status = 0;
  char why[CURL_ERROR_SIZE + 64];
  curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&a);
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  forget(w, a);
  if (result == CURLE_OPERATION_TIMEDOUT)
    snprintf(why, sizeof why, "no answer within %d s", w->cfg->webhook_timeout_s);
  else if (result == CURLE_COULDNT_CONNECT && a->curl_error[0] == '\0')
    snprintf(why, sizeof why, "cannot connect");
  else if (result != CURLE_OK)
    snprintf(why, sizeof why, "%s", a->curl_error[0] ? a->curl_error : curl_easy_strerror(result));
  else if (status < 200 || status > 299)
    snprintf(why, sizeof why, "HTTP %ld", status);
  finish(a, status, result == CURLE_OK && status >= 200 && status <= 299 ? NULL : why);
}

/* ---- claiming ---- */

struct claim_tx {
  const char *owner;
  int lease_s;
  json_t *job, *next;
  int idle; /* the endpoint had nothing ready: released */
};

static enum dbq claim_body(struct db_conn *conn, void *arg) {
  struct claim_tx *t = arg;
  json_decref(t->job);
  json_decref(t->next);
  t->job = t->next = NULL;
  t->idle = 0;
  enum dbq q = repo_webhook_jobs_claim(conn, t->owner, t->lease_s, &t->job);
  if (q != DBQ_ONE)
    return q;
  const char *id = json_string_value(json_object_get(t->job, "webhook_id"));
  if ((q = repo_webhook_jobs_next(conn, id, &t->next)) != DBQ_ONE)
    return q < 0 ? q : DBQ_HARD;
  if (json_is_object(json_object_get(t->next, "body")))
    return DBQ_ONE;
  t->idle = 1;
  return repo_webhook_jobs_release(conn, id, t->owner, json_string_value(json_object_get(t->next, "last_xid")),
                                   json_string_value(json_object_get(t->next, "last_seq")), 0, POLL_MS / 1000.0);
}

static struct attempt *attempt_new(struct webhook_worker *w, const json_t *job, const json_t *next) {
  struct attempt *a = calloc(1, sizeof *a);
  if (a == NULL)
    return NULL;
  a->w = w;
  snprintf(a->webhook_id, sizeof a->webhook_id, "%s", json_string_value(json_object_get(job, "webhook_id")));
  snprintf(a->xid, sizeof a->xid, "%s", json_string_value(json_object_get(next, "xid")));
  snprintf(a->seq, sizeof a->seq, "%s", json_string_value(json_object_get(next, "seq")));
  const json_t *body = json_object_get(next, "body");
  snprintf(a->change_id, sizeof a->change_id, "%s", json_string_value(json_object_get(body, "change_id")));
  a->number = (int)json_integer_value(json_object_get(job, "attempts")) + 1;
  a->url = strdup(json_string_value(json_object_get(job, "url")));
  a->body = json_dumps(body, JSON_COMPACT);
  if (a->url == NULL || a->body == NULL) {
    attempt_free(a);
    return NULL;
  }
  return a;
}

/* Claims one endpoint and starts its attempt: 1 when there may be more to claim. */
static int claim_one(struct webhook_worker *w) {
  struct claim_tx t = {.owner = w->owner, .lease_s = w->cfg->webhook_timeout_s + LEASE_MARGIN_S};
  struct db_actor system = {NULL, "system", NULL};
  struct db_conn *conn = db_pool_acquire(w->pool, w->cfg->db_acquire_timeout_ms);
  enum dbq q = conn ? db_tx(conn, &system, claim_body, &t) : DBQ_UNAVAILABLE;
  db_pool_release(w->pool, conn);
  /* db_tx answers DBQ_ONE for any committed body: whether an endpoint was claimed is t.job. */
  int more = q == DBQ_ONE && t.job != NULL;
  if (q < 0 && q != DBQ_UNAVAILABLE)
    y_log_message(Y_LOG_LEVEL_WARNING, "webhooks: claiming work failed (%d)", (int)q);
  if (more && !t.idle) {
    struct attempt *a = attempt_new(w, t.job, t.next);
    if (a)
      start(a, json_string_value(json_object_get(t.job, "secret")));
  }
  json_decref(t.job);
  json_decref(t.next);
  return more;
}

static void claim_all(struct webhook_worker *w) {
  /* Bounded: an endpoint released as idle is not due again before the next poll. */
  for (int i = 0; i < 4 * MAX_IN_FLIGHT && w->in_flight < MAX_IN_FLIGHT && claim_one(w); i++)
    ;
}

static void collect(struct webhook_worker *w) {
  CURLMsg *m;
  int left = 0;
  while ((m = curl_multi_info_read(w->multi, &left)) != NULL)
    if (m->msg == CURLMSG_DONE)
      done(w, m->easy_handle, m->data.result);
}

static void *run(void *arg) {
  struct webhook_worker *w = arg;
  struct timespec last = {0};
  while (!__atomic_load_n(&w->stopping, __ATOMIC_SEQ_CST)) {
    if (w->claim_now || since_ms(&last) >= POLL_MS) {
      w->claim_now = 0;
      clock_gettime(CLOCK_MONOTONIC, &last);
      claim_all(w);
    }
    int running = 0;
    curl_multi_perform(w->multi, &running);
    collect(w);
    double wait = POLL_MS - since_ms(&last);
    curl_multi_poll(w->multi, NULL, 0, w->claim_now ? 0 : wait < 1 ? 1 : (int)wait, NULL);
  }
  return NULL;
}

struct webhook_worker *webhook_worker_start(const struct config *cfg) {
  unsigned char raw[16];
  struct webhook_worker *w = calloc(1, sizeof *w);
  if (w == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    goto fail;
  w->cfg = cfg;
  /* Its own connection: a slow delivery never holds one of the request pool's. */
  struct db_limits limits = app_db_limits(cfg);
  w->pool = db_pool_new_limited(cfg->database_url, 1, &limits);
  w->multi = curl_multi_init();
  if (w->pool == NULL || w->multi == NULL)
    goto fail;
  randombytes_buf(raw, sizeof raw);
  raw[6] = (raw[6] & 0x0f) | 0x40;
  raw[8] = (raw[8] & 0x3f) | 0x80;
  snprintf(w->owner, sizeof w->owner, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", raw[0],
           raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11], raw[12], raw[13],
           raw[14], raw[15]);
  if (pthread_create(&w->thread, NULL, run, w) != 0)
    goto fail;
  return w;
fail:
  if (w) {
    curl_multi_cleanup(w->multi);
    db_pool_free(w->pool);
  }
  free(w);
  return NULL;
}

/* Attempts still in flight are dropped unrecorded and their endpoints let go
 * at once: the items go out again, from this or another instance (at least
 * once). */
static void drop_in_flight(struct webhook_worker *w) {
  struct db_conn *conn = w->in_flight ? db_pool_acquire(w->pool, w->cfg->db_acquire_timeout_ms) : NULL;
  while (w->in_flight > 0) {
    struct attempt *a = w->flying[--w->in_flight];
    if (conn)
      repo_webhook_jobs_release(conn, a->webhook_id, w->owner, NULL, NULL, 0, 0);
    attempt_free(a);
  }
  db_pool_release(w->pool, conn);
}

void webhook_worker_stop(struct webhook_worker *w) {
  if (w == NULL)
    return;
  __atomic_store_n(&w->stopping, 1, __ATOMIC_SEQ_CST);
  curl_multi_wakeup(w->multi);
  pthread_join(w->thread, NULL);
  drop_in_flight(w);
  curl_multi_cleanup(w->multi);
  db_pool_free(w->pool);
  curl_global_cleanup();
  free(w);
}
