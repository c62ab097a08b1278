#ifndef OPOP_CONN_H
#define OPOP_CONN_H

/* Inside db/ only: a pooled connection's state, shared by the pool
 * (pool.c) and the statements sent in one round trip (pipeline.c). */

#include "sql.h"

/* A transaction's opening, held back to go out with its first statement
 * (see db_defer_begin). */
struct db_prefix {
  const struct db_stmt *stmt; /* NULL: none pending; run after BEGIN */
  char values[3][96];         /* its parameters, copied */
  int null[3];                /* which of them are SQL NULL */
};

/* A statement that goes out with the next one run on the connection (see db_lead). */
struct db_lead {
  const struct db_stmt *stmt; /* NULL: none pending */
  char value[160];            /* its one parameter, copied */
  db_judge judge;
  void *arg; /* owned: free_arg(arg) once judged or dropped */
  void (*free_arg)(void *arg);
};

struct db_conn {
  PGconn *pg;
  const char *conninfo;           /* borrowed from the pool */
  const struct db_limits *limits; /* borrowed from the pool */
  char **prepared;                /* open-addressing set of statement names */
  size_t prepared_cap;
  size_t prepared_len;
  struct db_error err;
  int lost; /* the last failure was the connection itself */
  struct db_lead lead;
  struct db_prefix prefix;
  unsigned long errors[DB_ERROR_CLASSES]; /* failed statements by SQLSTATE class (atomic) */
};

int conn_open(struct db_conn *c);
void conn_close(struct db_conn *c);
void record_error(struct db_conn *c, const PGresult *res, const char *fallback);
int prepared_has(const struct db_conn *c, const char *name);
int prepared_add(struct db_conn *c, const char *name);
/* Runs a statement alone (no lead, no prefix), preparing it when needed. */
PGresult *exec_once(struct db_conn *c, const struct db_stmt *stmt, const char *const *values);
/* pipeline.c: a pending lead or prefix goes out with stmt. */
PGresult *exec_led(struct db_conn *c, const struct db_stmt *stmt, const char *const *values);
PGresult *exec_prefixed(struct db_conn *c, const struct db_stmt *stmt, const char *const *values);
void lead_drop(struct db_conn *c);

#endif
