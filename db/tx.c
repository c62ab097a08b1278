/* The transaction runner: every write goes through here, so every write carries
 * its actor and request id to the audit triggers and is retried as a whole when
 * PostgreSQL reports a serialization failure or deadlock. */
#include <unistd.h>
#include <yder.h>

#include "sql.h"

enum { TX_ATTEMPTS = 4 };

static const struct db_stmt tx_set_actor = {
    "tx_set_actor",
    "SELECT set_config('opop.actor', coalesce($1, ''), true),"
    " set_config('opop.actor_kind', coalesce($2, 'system'), true),"
    " set_config('opop.request_id', coalesce($3, ''), true)",
    3,
};

/* BEGIN and the actor go out with the body's first statement: one round
 * trip instead of three. A request id too long to hold back (it is at most
 * 80 bytes) would be sent the slow way. */
static enum dbq tx_begin(struct db_conn *conn, const struct db_actor *actor) {
  enum dbq q = db_lead_settle(conn); /* a transaction starts only once the lead has been judged */
  if (q < 0)
    return q;
  const char *vals[3] = {actor ? actor->id : NULL, actor ? actor->kind : NULL, actor ? actor->request_id : NULL};
  if (db_defer_begin(conn, &tx_set_actor, vals) == 0)
    return DBQ_ONE;
  q = db_simple(conn, "BEGIN");
  if (q < 0)
    return q;
  return db_command(conn, &tx_set_actor, vals) < 0 ? db_failure(conn) : DBQ_ONE;
}

enum dbq db_tx(struct db_conn *conn, const struct db_actor *actor, enum dbq (*body)(struct db_conn *conn, void *arg),
               void *arg) {
  enum dbq q = DBQ_HARD;
  for (int attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
    q = tx_begin(conn, actor);
    if (q >= 0)
      q = body(conn, arg);
    if (q >= 0) {
      q = db_simple(conn, "COMMIT");
      if (q >= 0)
        return DBQ_ONE;
    } else {
      /* Keep the body's error: ROLLBACK would overwrite it. */
      struct db_error saved = *db_last_error(conn);
      db_simple(conn, "ROLLBACK");
      db_restore_error(conn, &saved);
    }
    if (q != DBQ_SOFT)
      return q;
    usleep((useconds_t)(1000u << attempt));
  }
  y_log_message(Y_LOG_LEVEL_WARNING, "db_tx: gave up after %d serialization failures", TX_ATTEMPTS);
  return q;
}
