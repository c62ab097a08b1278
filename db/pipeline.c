/* Statements sent together in one round trip (libpq pipeline mode): a lead
 * (db_lead) with the statement after it, and a transaction's opening
 * (db_defer_begin) with its first statement. */
#include <stdlib.h>
#include <string.h>

#include "conn.h"

/* ---- a leading statement in the same round trip ---- */

void lead_drop(struct db_conn *c) {
  if (c->lead.stmt && c->lead.free_arg)
    c->lead.free_arg(c->lead.arg);
  memset(&c->lead, 0, sizeof c->lead);
}

int db_lead(struct db_conn *c, const struct db_stmt *stmt, const char *value, db_judge judge, void *arg,
            void (*free_arg)(void *arg)) {
  lead_drop(c);
  if (stmt->nparams != 1 || strlen(value) >= sizeof c->lead.value) {
    if (free_arg)
      free_arg(arg);
    return -1;
  }
  c->lead = (struct db_lead){.stmt = stmt, .judge = judge, .arg = arg, .free_arg = free_arg};
  memcpy(c->lead.value, value, strlen(value) + 1);
  return 0;
}

/* Records a refusal by a lead's judge as the connection's error. */
static void record_refusal(struct db_conn *c, const char *sqlstate, const char *by) {
  memset(&c->err, 0, sizeof c->err);
  snprintf(c->err.sqlstate, sizeof c->err.sqlstate, "%s", sqlstate);
  snprintf(c->err.message, sizeof c->err.message, "refused by %s", by);
}

/* Queues stmt, preparing it first when this connection has not and it is not
 * being prepared in this pipeline already (already_queued). */
static int pipeline_send(struct db_conn *c, const struct db_stmt *stmt, const char *const *values, int already_queued,
                         int *prepares) {
  *prepares = !already_queued && !prepared_has(c, stmt->name);
  if (*prepares && !PQsendPrepare(c->pg, stmt->name, stmt->sql, stmt->nparams, NULL))
    return -1;
  return PQsendQueryPrepared(c->pg, stmt->name, stmt->nparams, values, NULL, NULL, 0) ? 0 : -1;
}

/* The result of the next query of the pipeline (its terminating NULL consumed). */
static PGresult *pipeline_next(struct db_conn *c) {
  PGresult *r = PQgetResult(c->pg), *end;
  while (r != NULL && (end = PQgetResult(c->pg)) != NULL)
    PQclear(end);
  return r;
}

static int query_ok(const PGresult *r) {
  ExecStatusType st = PQresultStatus(r);
  return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Reads one statement's results: its prepare (when sent) and its execution.
 * The execution's result, or NULL with the first failure recorded (unless
 * one is recorded already). */
static PGresult *pipeline_take(struct db_conn *c, const struct db_stmt *stmt, int prepared_too, int *failed) {
  if (prepared_too) {
    PGresult *p = pipeline_next(c);
    int ok = p && PQresultStatus(p) == PGRES_COMMAND_OK;
    if (!ok && !*failed)
      record_error(c, p, PQerrorMessage(c->pg));
    *failed |= !ok;
    if (ok && prepared_add(c, stmt->name) != 0)
      *failed = 1;
    PQclear(p);
  }
  PGresult *r = pipeline_next(c);
  if (r && query_ok(r))
    return r;
  if (!*failed)
    record_error(c, r, PQerrorMessage(c->pg));
  *failed = 1;
  PQclear(r);
  return NULL;
}

/* Reads the pipeline's end and leaves pipeline mode; a connection that
 * cannot is marked lost (failed: a failure is recorded already). */
static void pipeline_end(struct db_conn *c, int failed) {
  PGresult *sync = PQgetResult(c->pg);
  int synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || !PQexitPipelineMode(c->pg)) {
    if (!failed)
      record_error(c, NULL, PQerrorMessage(c->pg));
    c->lost = 1;
  }
}

/* A pipeline that could not be sent: the connection is closed. -1. */
static int pipeline_broken(struct db_conn *c) {
  record_error(c, NULL, PQerrorMessage(c->pg));
  conn_close(c);
  return -1;
}

/* Sends the lead and stmt in one round trip (one implicit transaction); the
 * results, or -1 when the connection failed (the connection is then closed). */
static int pipeline_two(struct db_conn *c, const struct db_stmt *stmt, const char *const *values, PGresult **lead_res,
                        PGresult **res) {
  const char *lead_values[1] = {c->lead.value};
  int prep_lead = 0, prep_main = 0, failed = 0;
  *lead_res = *res = NULL;
  if (conn_open(c) != 0)
    return -1;
  c->lost = 0;
  int same = strcmp(stmt->name, c->lead.stmt->name) == 0;
  if (!PQenterPipelineMode(c->pg) || pipeline_send(c, c->lead.stmt, lead_values, 0, &prep_lead) != 0 ||
      pipeline_send(c, stmt, values, same && prep_lead, &prep_main) != 0 || !PQpipelineSync(c->pg)) {
    return pipeline_broken(c);
  }
  *lead_res = pipeline_take(c, c->lead.stmt, prep_lead, &failed);
  *res = pipeline_take(c, stmt, prep_main, &failed);
  pipeline_end(c, failed);
  return 0;
}

/* Runs stmt behind the pending lead. The judge sees the lead's result before
 * stmt's result is handed out; a refusal drops it and fails with the judge's
 * SQLSTATE, so nothing read for a refused request reaches its handler. */
PGresult *exec_led(struct db_conn *c, const struct db_stmt *stmt, const char *const *values) {
  PGresult *lead_res = NULL, *res = NULL;
  if (pipeline_two(c, stmt, values, &lead_res, &res) != 0 || c->lost) {
    /* As db_exec: a connection lost before any answer gets one fresh attempt. */
    PQclear(lead_res);
    PQclear(res);
    conn_close(c);
    if (pipeline_two(c, stmt, values, &lead_res, &res) != 0 || c->lost) {
      PQclear(lead_res);
      PQclear(res);
      conn_close(c);
      lead_drop(c);
      return NULL;
    }
  }
  /* A failed lead (its error is recorded) takes the statement down with it. */
  const char *refused = lead_res ? c->lead.judge(lead_res, c->lead.arg) : NULL;
  if (refused)
    record_refusal(c, refused, c->lead.stmt->name);
  if (refused || lead_res == NULL) {
    PQclear(res);
    res = NULL;
  }
  PQclear(lead_res);
  lead_drop(c);
  return res;
}

enum dbq db_lead_settle(struct db_conn *c) {
  if (c->lead.stmt == NULL)
    return DBQ_NONE;
  struct db_lead lead = c->lead;
  const char *values[1] = {lead.value};
  memset(&c->lead, 0, sizeof c->lead); /* db_exec below must not pipeline it again */
  PGresult *r = db_exec(c, lead.stmt, values);
  const char *refused = r ? lead.judge(r, lead.arg) : NULL;
  enum dbq q = r == NULL ? db_failure(c) : DBQ_ONE;
  PQclear(r);
  if (refused) {
    record_refusal(c, refused, lead.stmt->name);
    q = DBQ_HARD;
  }
  if (lead.free_arg)
    lead.free_arg(lead.arg);
  return q;
}

/* ---- a transaction's opening with its first statement ---- */

int db_defer_begin(struct db_conn *c, const struct db_stmt *stmt, const char *const *values) {
  if (stmt->nparams > 3)
    return -1;
  memset(&c->prefix, 0, sizeof c->prefix);
  for (int i = 0; i < stmt->nparams; i++) {
    c->prefix.null[i] = values[i] == NULL;
    if (values[i] && strlen(values[i]) >= sizeof c->prefix.values[i])
      return -1;
    if (values[i])
      memcpy(c->prefix.values[i], values[i], strlen(values[i]) + 1);
  }
  c->prefix.stmt = stmt;
  return 0;
}

int db_prefix_drop(struct db_conn *c) {
  int pending = c->prefix.stmt != NULL;
  memset(&c->prefix, 0, sizeof c->prefix);
  return pending;
}

/* Sends BEGIN, the prefix statement and stmt, then reads their results:
 * stmt's, or NULL with the first failure recorded. -1 when the connection
 * failed before any answer (it is then closed). */
static int pipeline_prefixed(struct db_conn *c, const struct db_stmt *stmt, const char *const *values, PGresult **res) {
  const char *pre[3];
  int prep_pre = 0, prep_main = 0, failed = 0;
  *res = NULL;
  for (int i = 0; i < 3; i++)
    pre[i] = c->prefix.null[i] ? NULL : c->prefix.values[i];
  if (conn_open(c) != 0)
    return -1;
  c->lost = 0;
  int same = strcmp(stmt->name, c->prefix.stmt->name) == 0;
  if (!PQenterPipelineMode(c->pg) || !PQsendQueryParams(c->pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) ||
      pipeline_send(c, c->prefix.stmt, pre, 0, &prep_pre) != 0 ||
      pipeline_send(c, stmt, values, same && prep_pre, &prep_main) != 0 || !PQpipelineSync(c->pg)) {
    return pipeline_broken(c);
  }
  PGresult *begun = pipeline_next(c);
  if (!begun || !query_ok(begun)) {
    record_error(c, begun, PQerrorMessage(c->pg));
    failed = 1;
  }
  PQclear(begun);
  PQclear(pipeline_take(c, c->prefix.stmt, prep_pre, &failed));
  *res = pipeline_take(c, stmt, prep_main, &failed);
  pipeline_end(c, failed);
  return 0;
}

PGresult *exec_prefixed(struct db_conn *c, const struct db_stmt *stmt, const char *const *values) {
  PGresult *res = NULL;
  /* Nothing has run yet, so a connection lost before any answer gets one
   * fresh attempt, as db_exec gives a statement outside a transaction. */
  for (int attempt = 0; attempt < 2; attempt++) {
    if (pipeline_prefixed(c, stmt, values, &res) == 0 && !c->lost)
      break;
    PQclear(res);
    res = NULL;
    conn_close(c);
  }
  db_prefix_drop(c);
  return res;
}
