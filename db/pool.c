/* Connection pool and statement execution. A PGconn is not thread-safe, so a
 * connection belongs to one request at a time; statements are prepared once per
 * connection and remembered by name until the connection is lost. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "conn.h"
#include "monotonic.h"

/* A request waiting for a connection; queued first come, first served. */
struct waiter {
  pthread_cond_t cond;
  struct db_conn *conn; /* set by the releasing thread */
  struct waiter *next;
};

struct db_pool {
  char *conninfo;
  struct db_limits limits;
  int size;
  struct db_conn *conns;
  struct db_conn **free_list; /* a stack: the most recently used connection goes out first */
  int free_len;
  struct waiter *head, *tail;
  long waits, timeouts;
  double wait_s; /* time spent waiting in line, in total */
  pthread_mutex_t lock;
  pthread_condattr_t cond_attr;
};

static void prepared_clear(struct db_conn *c) {
  for (size_t i = 0; i < c->prepared_cap; i++)
    free(c->prepared[i]);
  free(c->prepared);
  c->prepared = NULL;
  c->prepared_cap = c->prepared_len = 0;
}

static size_t name_hash(const char *s) {
  size_t h = 5381;
  while (*s)
    h = h * 33 + (unsigned char)*s++;
  return h;
}

int prepared_has(const struct db_conn *c, const char *name) {
  if (c->prepared_cap == 0)
    return 0;
  for (size_t i = name_hash(name) & (c->prepared_cap - 1);; i = (i + 1) & (c->prepared_cap - 1)) {
    if (c->prepared[i] == NULL)
      return 0;
    if (strcmp(c->prepared[i], name) == 0)
      return 1;
  }
}

static void prepared_put_slot(char **table, size_t cap, char *name) {
  size_t i = name_hash(name) & (cap - 1);
  while (table[i] != NULL)
    i = (i + 1) & (cap - 1);
  table[i] = name;
}

int prepared_add(struct db_conn *c, const char *name) {
  if ((c->prepared_len + 1) * 2 > c->prepared_cap) {
    size_t cap = c->prepared_cap ? c->prepared_cap * 2 : 64;
    char **table = calloc(cap, sizeof *table);
    if (table == NULL)
      return -1;
    for (size_t i = 0; i < c->prepared_cap; i++)
      if (c->prepared[i])
        prepared_put_slot(table, cap, c->prepared[i]);
    free(c->prepared);
    c->prepared = table;
    c->prepared_cap = cap;
  }
  char *copy = strdup(name);
  if (copy == NULL)
    return -1;
  prepared_put_slot(c->prepared, c->prepared_cap, copy);
  c->prepared_len++;
  return 0;
}

void record_error(struct db_conn *c, const PGresult *res, const char *fallback) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
  const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  memset(&c->err, 0, sizeof c->err);
  snprintf(c->err.sqlstate, sizeof c->err.sqlstate, "%s", state ? state : "08006");
  snprintf(c->err.constraint, sizeof c->err.constraint, "%s", constraint ? constraint : "");
  snprintf(c->err.message, sizeof c->err.message, "%s", msg ? msg : (fallback ? fallback : ""));
  c->lost = c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK;
  __atomic_fetch_add(&c->errors[db_error_class(c->err.sqlstate)], 1, __ATOMIC_RELAXED);
}

void conn_close(struct db_conn *c) {
  if (c->pg)
    PQfinish(c->pg);
  c->pg = NULL;
  prepared_clear(c);
}

/* Connects when there is no healthy connection. 0 on success. */
int conn_open(struct db_conn *c) {
  if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
    return 0;
  conn_close(c);
  /* A default connect_timeout comes first so the configured string can override
   * it: an unreachable host must not hold a request for minutes. */
  static const char *const keys[] = {"connect_timeout", "dbname", NULL};
  char connect_s[16], session[256];
  snprintf(connect_s, sizeof connect_s, "%d", c->limits->connect_timeout_s);
  const char *const vals[] = {connect_s, c->conninfo, NULL};
  c->pg = PQconnectdbParams(keys, vals, 1);
  if (PQstatus(c->pg) != CONNECTION_OK) {
    record_error(c, NULL, PQerrorMessage(c->pg));
    conn_close(c);
    c->lost = 1;
    return -1;
  }
  snprintf(session, sizeof session,
           "SET statement_timeout = %d; SET idle_in_transaction_session_timeout = %d; "
           "SET application_name = 'opop-api'; SET TIME ZONE 'UTC'",
           c->limits->statement_timeout_ms, c->limits->idle_tx_timeout_ms);
  PGresult *r = PQexec(c->pg, session);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    record_error(c, NULL, PQerrorMessage(c->pg));
    conn_close(c);
    return -1;
  }
  c->lost = 0;
  return 0;
}

PGresult *exec_once(struct db_conn *c, const struct db_stmt *stmt, const char *const *values) {
  if (conn_open(c) != 0)
    return NULL;
  if (!prepared_has(c, stmt->name)) {
    PGresult *p = PQprepare(c->pg, stmt->name, stmt->sql, stmt->nparams, NULL);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) {
      record_error(c, p, PQerrorMessage(c->pg));
      y_log_message(Y_LOG_LEVEL_ERROR, "db_exec: preparing %s failed: %s", stmt->name, c->err.message);
      PQclear(p);
      return NULL;
    }
    PQclear(p);
    if (prepared_add(c, stmt->name) != 0)
      return NULL;
  }
  PGresult *r = PQexecPrepared(c->pg, stmt->name, stmt->nparams, values, NULL, NULL, 0);
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
    return r;
  record_error(c, r, PQerrorMessage(c->pg));
  PQclear(r);
  return NULL;
}

PGresult *db_exec(struct db_conn *c, const struct db_stmt *stmt, const char *const *values) {
  if (c->prefix.stmt)
    return exec_prefixed(c, stmt, values);
  if (c->lead.stmt)
    return exec_led(c, stmt, values);
  int idle = c->pg == NULL || PQtransactionStatus(c->pg) == PQTRANS_IDLE;
  PGresult *r = exec_once(c, stmt, values);
  /* A server restart kills every connection; outside a transaction one fresh
   * attempt is safe and spares the client a 503. */
  if (r == NULL && c->lost && idle) {
    conn_close(c);
    r = exec_once(c, stmt, values);
  }
  if (r == NULL && c->lost)
    conn_close(c);
  return r;
}

enum dbq db_failure(const struct db_conn *c) {
  const char *s = c->err.sqlstate;
  /* Also a database that refuses writes for now: read-only (class 25),
   * out of disk, memory or connections (class 53). */
  if (c->lost || strncmp(s, "08", 2) == 0 || strncmp(s, "57P", 3) == 0 || strncmp(s, "25", 2) == 0 ||
      strncmp(s, "53", 2) == 0)
    return DBQ_UNAVAILABLE;
  if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0)
    return DBQ_SOFT;
  return DBQ_HARD;
}

enum dbq db_simple(struct db_conn *c, const char *sql) {
  /* A transaction whose opening never went out ran nothing: there is
   * nothing to end. */
  if ((strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0) && db_prefix_drop(c))
    return DBQ_ONE;
  /* A transaction starts only once the lead has been judged. */
  enum dbq settled = db_lead_settle(c);
  if (settled < 0)
    return settled;
  if (conn_open(c) != 0)
    return DBQ_UNAVAILABLE;
  PGresult *r = PQexec(c->pg, sql);
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    PQclear(r);
    return DBQ_ONE;
  }
  record_error(c, r, PQerrorMessage(c->pg));
  PQclear(r);
  enum dbq q = db_failure(c);
  if (c->lost)
    conn_close(c);
  return q;
}

enum dbq db_json_one(struct db_conn *c, const struct db_stmt *stmt, const char *const *values, json_t **out) {
  *out = NULL;
  PGresult *r = db_exec(c, stmt, values);
  if (r == NULL)
    return db_failure(c);
  enum dbq q = DBQ_NONE;
  if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
    json_error_t jerr;
    *out = json_loadb(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), JSON_DECODE_ANY, &jerr);
    if (*out == NULL) {
      snprintf(c->err.message, sizeof c->err.message, "%s returned bad JSON: %s", stmt->name, jerr.text);
      y_log_message(Y_LOG_LEVEL_ERROR, "db_json_one: %s", c->err.message);
      q = DBQ_HARD;
    } else {
      q = DBQ_ONE;
    }
  }
  PQclear(r);
  return q;
}

void db_text_clear(struct db_text *t) {
  if (t == NULL)
    return;
  free(t->json);
  t->json = NULL;
  t->len = 0;
}

enum dbq db_text_one(struct db_conn *c, const struct db_stmt *stmt, const char *const *values, struct db_text *out) {
  memset(out, 0, sizeof *out);
  PGresult *r = db_exec(c, stmt, values);
  if (r == NULL)
    return db_failure(c);
  enum dbq q = DBQ_NONE;
  if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
    size_t len = (size_t)PQgetlength(r, 0, 0);
    out->json = malloc(len + 1);
    if (out->json == NULL) {
      record_error(c, NULL, "db_text_one: out of memory");
      q = DBQ_HARD;
    } else {
      memcpy(out->json, PQgetvalue(r, 0, 0), len + 1);
      out->len = len;
      out->version = PQnfields(r) > 1 ? strtoll(PQgetvalue(r, 0, 1), NULL, 10) : 0;
      q = DBQ_ONE;
    }
  }
  PQclear(r);
  return q;
}

enum dbq db_json_doc(struct db_conn *c, const struct db_stmt *stmt, const json_t *doc, const char *id, json_t **out) {
  char *text = json_dumps(doc, JSON_COMPACT);
  *out = NULL;
  if (text == NULL)
    return DBQ_HARD;
  const char *vals[2] = {text, id};
  enum dbq q = db_json_one(c, stmt, vals, out);
  free(text);
  return q;
}

enum dbq db_command(struct db_conn *c, const struct db_stmt *stmt, const char *const *values) {
  PGresult *r = db_exec(c, stmt, values);
  if (r == NULL)
    return db_failure(c);
  const char *n = PQcmdTuples(r);
  enum dbq q = (n && *n && strcmp(n, "0") != 0) || PQntuples(r) > 0 ? DBQ_ONE : DBQ_NONE;
  PQclear(r);
  return q;
}

const struct db_error *db_last_error(const struct db_conn *c) {
  return &c->err;
}

void db_restore_error(struct db_conn *c, const struct db_error *saved) {
  c->err = *saved;
}

int db_conn_ping(struct db_conn *c) {
  static const struct db_stmt ping = {"db_ping", "SELECT 1", 0};
  PGresult *r = db_exec(c, &ping, NULL);
  int ok = r != NULL;
  PQclear(r);
  return ok;
}

struct db_pool *db_pool_new(const char *conninfo, int size) {
  return db_pool_new_limited(conninfo, size, NULL);
}

struct db_pool *db_pool_new_limited(const char *conninfo, int size, const struct db_limits *limits) {
  static const struct db_limits defaults = DB_LIMITS_DEFAULT;
  struct db_pool *p = calloc(1, sizeof *p);
  if (p == NULL)
    return NULL;
  p->limits = limits ? *limits : defaults;
  pthread_mutex_init(&p->lock, NULL);
  pthread_condattr_init(&p->cond_attr);
  pthread_condattr_setclock(&p->cond_attr, CLOCK_MONOTONIC);
  p->conninfo = strdup(conninfo);
  p->size = size;
  p->conns = calloc((size_t)size, sizeof *p->conns);
  p->free_list = calloc((size_t)size, sizeof *p->free_list);
  if (p->conninfo == NULL || p->conns == NULL || p->free_list == NULL) {
    db_pool_free(p);
    return NULL;
  }
  for (int i = 0; i < size; i++) {
    p->conns[i].conninfo = p->conninfo;
    p->conns[i].limits = &p->limits;
    p->free_list[p->free_len++] = &p->conns[i];
  }
  return p;
}

void db_pool_free(struct db_pool *p) {
  if (p == NULL)
    return;
  for (int i = 0; p->conns && i < p->size; i++)
    conn_close(&p->conns[i]);
  pthread_mutex_destroy(&p->lock);
  pthread_condattr_destroy(&p->cond_attr);
  free(p->conns);
  free(p->free_list);
  free(p->conninfo);
  free(p);
}

static void unqueue(struct db_pool *p, struct waiter *w) {
  struct waiter **at = &p->head, *prev = NULL;
  while (*at && *at != w) {
    prev = *at;
    at = &(*at)->next;
  }
  if (*at == NULL)
    return;
  *at = w->next;
  if (p->tail == w)
    p->tail = prev;
}

/* Waits in line for a connection handed over by db_pool_release. Called and
 * returns with the lock held. */
static struct db_conn *wait_in_line(struct db_pool *p, int timeout_ms) {
  struct waiter w = {.conn = NULL, .next = NULL};
  struct timespec until = monotonic_after(timeout_ms);
  pthread_cond_init(&w.cond, &p->cond_attr);
  if (p->tail)
    p->tail->next = &w;
  else
    p->head = &w;
  p->tail = &w;
  p->waits++;
  while (w.conn == NULL) {
    if (pthread_cond_timedwait(&w.cond, &p->lock, &until) != 0 && w.conn == NULL) {
      unqueue(p, &w);
      p->timeouts++;
      break;
    }
  }
  pthread_cond_destroy(&w.cond);
  p->wait_s += db_seconds_since(&until) + timeout_ms / 1000.0;
  return w.conn;
}

/* First come, first served: with more request threads than connections, a
 * request never waits while later ones overtake it, which keeps the slowest
 * answers (p99) close to the typical ones. */
struct db_conn *db_pool_acquire(struct db_pool *p, int timeout_ms) {
  struct db_conn *c;
  pthread_mutex_lock(&p->lock);
  if (p->free_len > 0 && p->head == NULL)
    c = p->free_list[--p->free_len];
  else
    c = wait_in_line(p, timeout_ms);
  pthread_mutex_unlock(&p->lock);
  return c;
}

void db_pool_release(struct db_pool *p, struct db_conn *c) {
  if (c == NULL)
    return;
  lead_drop(c);
  db_prefix_drop(c);
  /* Never hand on a connection stuck inside a transaction. */
  if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
    conn_close(c);
  pthread_mutex_lock(&p->lock);
  struct waiter *w = p->head;
  if (w) {
    p->head = w->next;
    if (p->head == NULL)
      p->tail = NULL;
    w->conn = c;
    pthread_cond_signal(&w->cond);
  } else {
    p->free_list[p->free_len++] = c;
  }
  pthread_mutex_unlock(&p->lock);
}

void db_pool_stats(struct db_pool *p, int *size, int *in_use, long *waits, long *timeouts) {
  pthread_mutex_lock(&p->lock);
  *size = p->size;
  *in_use = p->size - p->free_len;
  *waits = p->waits;
  *timeouts = p->timeouts;
  pthread_mutex_unlock(&p->lock);
}

void db_pool_health(struct db_pool *p, struct db_pool_health *out) {
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&p->lock);
  out->wait_seconds = p->wait_s;
  pthread_mutex_unlock(&p->lock);
  for (int i = 0; i < p->size; i++)
    for (int k = 0; k < DB_ERROR_CLASSES; k++)
      out->errors[k] += __atomic_load_n(&p->conns[i].errors[k], __ATOMIC_RELAXED);
}
