#ifndef OPOP_DB_H
#define OPOP_DB_H

/* The database layer as the HTTP layer sees it: a pool of connections, the
 * outcome of a query, and a transaction runner. No libpq type crosses this line. */

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* Outcome of one repository call. Negative values are failures; "no row" is
 * never confused with "failed". */
enum dbq {
  DBQ_ROLLBACK = -4,    /* the transaction body chose to roll back; see its own result */
  DBQ_UNAVAILABLE = -3, /* the database cannot be reached: answer 503 */
  DBQ_HARD = -2,        /* a statement failed: see db_last_error() */
  DBQ_SOFT = -1,        /* serialization failure or deadlock: the runner retries */
  DBQ_NONE = 0,         /* no row */
  DBQ_ONE = 1,          /* one row (or done) */
};

struct db_error {
  char sqlstate[6];
  char constraint[64];
  char message[256];
};

struct db_pool;
struct db_conn;

/* A JSON document (or array of documents) as the database wrote it, answered
 * without being parsed and serialized again: for reads that pass documents
 * through unchanged. */
struct db_text {
  char *json; /* NUL-terminated; owned, freed by db_text_clear */
  size_t len;
  long long version; /* the resource's version (a second column), else 0 */
};

/* Frees t->json and empties t; accepts NULL. */
void db_text_clear(struct db_text *t);

/* Who writes: recorded by the audit triggers through transaction-local settings. */
struct db_actor {
  const char *id;   /* user or API key id; NULL for the system */
  const char *kind; /* "user", "api_key" or "system" */
  const char *request_id;
};

/* Limits every new connection of a pool gets, so a stuck statement, a
 * transaction left open or an unreachable host cannot hold a request forever. */
struct db_limits {
  int statement_timeout_ms; /* a statement running longer is cancelled */
  int idle_tx_timeout_ms;   /* a transaction idle longer is ended */
  int connect_timeout_s;    /* used when conninfo names no connect_timeout */
};
#define DB_LIMITS_DEFAULT                                                                                              \
  { 30000, 60000, 5 }

/* A pool of size connections to conninfo, opened lazily, with the default
 * limits. Caller frees with db_pool_free. */
struct db_pool *db_pool_new(const char *conninfo, int size);
/* The same with the given limits (copied; NULL: the defaults). */
struct db_pool *db_pool_new_limited(const char *conninfo, int size, const struct db_limits *limits);
void db_pool_free(struct db_pool *pool);
/* Borrows a connection, waiting up to timeout_ms; NULL when none came free. */
struct db_conn *db_pool_acquire(struct db_pool *pool, int timeout_ms);
void db_pool_release(struct db_pool *pool, struct db_conn *conn);
void db_pool_stats(struct db_pool *pool, int *size, int *in_use, long *waits, long *timeouts);

/* SQLSTATE classes counted apart (connection, data, integrity, transaction
 * rollback, syntax or access, resources, program limits, object state,
 * operator intervention, system, internal); the last slot counts the rest. */
#define DB_ERROR_CLASSES 12
extern const char *const db_error_class_names[DB_ERROR_CLASSES];
/* The slot of sqlstate's class in db_error_class_names. */
int db_error_class(const char *sqlstate);
/* Seconds from the CLOCK_MONOTONIC time *t until now (negative when *t is later). */
double db_seconds_since(const struct timespec *t);
struct db_pool_health {
  double wait_seconds;                    /* time requests spent waiting for a connection */
  unsigned long errors[DB_ERROR_CLASSES]; /* failed statements by class */
};
void db_pool_health(struct db_pool *pool, struct db_pool_health *out);

/* 1 when the connection works (connecting if needed). */
int db_conn_ping(struct db_conn *conn);
/* The last error seen on conn; borrowed, valid until the next call on conn. */
const struct db_error *db_last_error(const struct db_conn *conn);

/* Runs body(conn, arg) inside BEGIN/COMMIT with the actor recorded for the
 * audit trail, retrying serialization failures. A negative result from body
 * rolls back; DBQ_ROLLBACK is returned as is so the caller can read its arg. */
enum dbq db_tx(struct db_conn *conn, const struct db_actor *actor, enum dbq (*body)(struct db_conn *conn, void *arg),
               void *arg);

#endif
